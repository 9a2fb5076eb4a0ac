/* libarchase/core/base64.h — base64 (RFC 4648 §4, with padding), strict. */
#ifndef AR_CORE_BASE64_H
#define AR_CORE_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Characters base64 needs for `size` bytes, without a NUL. */
#define AR_BASE64_LENGTH(size) ((((size) + 2) / 3) * 4)

/* Writes the base64 of `size` bytes and a NUL into `out` (room for
 * `out_size` chars). 0 or ARCHASE_EBUFSIZE. */
int ar_base64_encode(const void *data, size_t size, char *out, size_t out_size);

/* Decodes exactly `len` chars of canonical base64 (the alphabet of RFC 4648
 * §4, padding to a multiple of 4, zero unused bits, no spaces or line
 * breaks): only the one text ar_base64_encode writes for those bytes is
 * accepted. 0 and *out_len, ARCHASE_EPARSE or ARCHASE_EBUFSIZE; `out` is
 * written only on success. */
int ar_base64_decode(const char *text, size_t len, uint8_t *out, size_t out_size, size_t *out_len);

#endif
