/* libarchase/core/buf.c — a growable byte buffer with a sticky error. */
#include "core/buf.h"

#include <stdio.h>
#include <string.h>

#include "archase/errors.h"
#include "core/alloc.h"

void ar_buf_init(ar_buf *b, const archase_allocator *a) {
    memset(b, 0, sizeof *b);
    b->allocator = ar_allocator(a);
}

void ar_buf_free(ar_buf *b) {
    ar_free(b->allocator, b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void ar_buf_reset(ar_buf *b) {
    b->len = 0;
    b->err = 0;
}

int ar_buf_reserve(ar_buf *b, size_t more) {
    if (b->err)
        return b->err;
    if (more > SIZE_MAX - b->len - 1) {
        b->err = ARCHASE_ENOMEM;
        return b->err;
    }
    size_t need = b->len + more + 1; /* room for a terminating NUL */
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap;
    if (ar_grow(b->allocator, (void **)&b->data, &cap, need, 1)) {
        b->err = ARCHASE_ENOMEM;
        return b->err;
    }
    b->cap = cap;
    return 0;
}

void ar_buf_put(ar_buf *b, const void *data, size_t len) {
    if (len == 0 || ar_buf_reserve(b, len))
        return;
    memcpy(b->data + b->len, data, len);
    b->len += len;
}

void ar_buf_putc(ar_buf *b, uint8_t c) {
    if (ar_buf_reserve(b, 1))
        return;
    b->data[b->len++] = c;
}

void ar_buf_puts(ar_buf *b, const char *s) {
    if (s)
        ar_buf_put(b, s, strlen(s));
}

void ar_buf_vprintf(ar_buf *b, const char *fmt, va_list ap) {
    if (b->err)
        return;
    va_list ap2;
    va_copy(ap2, ap);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        b->err = ARCHASE_EINVAL;
        return;
    }
    if ((size_t)n < sizeof small) {
        ar_buf_put(b, small, (size_t)n);
        return;
    }
    if (ar_buf_reserve(b, (size_t)n))
        return;
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void ar_buf_printf(ar_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    ar_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void ar_buf_put_u16be(ar_buf *b, uint16_t v) {
    uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };
    ar_buf_put(b, x, sizeof x);
}

void ar_buf_put_u32be(ar_buf *b, uint32_t v) {
    uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    ar_buf_put(b, x, sizeof x);
}

void ar_buf_put_u64be(ar_buf *b, uint64_t v) {
    ar_buf_put_u32be(b, (uint32_t)(v >> 32));
    ar_buf_put_u32be(b, (uint32_t)v);
}

void ar_buf_terminate(ar_buf *b) {
    if (ar_buf_reserve(b, 0))
        return;
    b->data[b->len] = '\0';
}
