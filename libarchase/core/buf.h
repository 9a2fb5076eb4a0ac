/* libarchase/core/buf.h — a growable byte buffer with a sticky error. */
#ifndef AR_CORE_BUF_H
#define AR_CORE_BUF_H

#include <stdarg.h>
#include <stdint.h>

#include "archase/common.h"

/* Appends never fail loudly: the first failure is remembered in `err` and
 * every later append does nothing, so a writer checks once at the end. */
typedef struct ar_buf {
    const archase_allocator *allocator;
    uint8_t                 *data;
    size_t                   len;
    size_t                   cap;
    int                      err; /* 0 or the first ARCHASE_E* */
} ar_buf;

void ar_buf_init(ar_buf *b, const archase_allocator *a);
void ar_buf_free(ar_buf *b);
/* Empties the buffer (keeps its memory and clears the error). */
void ar_buf_reset(ar_buf *b);
/* Makes room for `more` bytes. 0 or ARCHASE_ENOMEM (also recorded). */
int ar_buf_reserve(ar_buf *b, size_t more);
void ar_buf_put(ar_buf *b, const void *data, size_t len);
void ar_buf_putc(ar_buf *b, uint8_t c);
void ar_buf_puts(ar_buf *b, const char *s);
void ar_buf_printf(ar_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ar_buf_vprintf(ar_buf *b, const char *fmt, va_list ap);
void ar_buf_put_u16be(ar_buf *b, uint16_t v);
void ar_buf_put_u32be(ar_buf *b, uint32_t v);
void ar_buf_put_u64be(ar_buf *b, uint64_t v);
/* Ensures data[len] == '\0' without counting it; for text buffers. */
void ar_buf_terminate(ar_buf *b);

#endif
