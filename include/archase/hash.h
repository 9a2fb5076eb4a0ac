/* include/archase/hash.h — SHA-256 (with the processor's SHA instructions where it has them) and hex. */
#ifndef ARCHASE_HASH_H
#define ARCHASE_HASH_H

#include "archase/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ARCHASE_HASH_SIZE 32
#define ARCHASE_HASH_HEX_SIZE 65 /* 64 hex digits and the NUL */

/* SHA-256 of `size` bytes at `data` (data may be NULL when size is 0).
 * Returns 0, ARCHASE_EINVAL or ARCHASE_ENOMEM. */
ARCHASE_API int archase_sha256(const void *data, size_t size, uint8_t out[ARCHASE_HASH_SIZE]);

/* Writes `size` bytes as lowercase hex plus a NUL into `hex` (room for
 * 2 * size + 1). Returns 0, ARCHASE_EINVAL or ARCHASE_EBUFSIZE. */
ARCHASE_API int archase_hex_encode(const void *data, size_t size, char *hex, size_t hex_size);

/* Reads hex (upper or lower case, even length, nothing else) into `out`;
 * *out_len receives the byte count. Returns 0, ARCHASE_EPARSE or ARCHASE_EBUFSIZE. */
ARCHASE_API int archase_hex_decode(const char *hex, uint8_t *out, size_t out_size, size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif
