/* libarchase/core/diag.c — diagnostics lists for loaders and importers. */
#include "archase/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "archase/errors.h"
#include "core/alloc.h"
#include "core/diag.h"

#define AR_DIAG_DEFAULT_LIMIT 20

struct archase_diag_list {
    const archase_allocator *allocator;
    size_t                   limit;
    size_t                   count;
    size_t                   cap;
    size_t                   dropped;
    archase_diag            *items;
};

int archase_diag_format(const archase_diag *diag, char *buf, size_t size) {
    if (!diag || !buf || size == 0)
        return ARCHASE_EINVAL;
    int n;
    if (diag->source[0] && diag->line && diag->column)
        n = snprintf(buf, size, "%s:%u:%u: %s", diag->source, (unsigned)diag->line,
                     (unsigned)diag->column, diag->message);
    else if (diag->source[0] && diag->line)
        n = snprintf(buf, size, "%s:%u: %s", diag->source, (unsigned)diag->line, diag->message);
    else if (diag->source[0])
        n = snprintf(buf, size, "%s: %s", diag->source, diag->message);
    else
        n = snprintf(buf, size, "%s", diag->message);
    if (n < 0)
        return ARCHASE_EINVAL;
    return (size_t)n >= size ? ARCHASE_EBUFSIZE : 0;
}

int archase_diag_list_new(const archase_allocator *allocator, size_t limit, archase_diag_list **out) {
    if (!out)
        return ARCHASE_EINVAL;
    int rc = ar_allocator_check(allocator);
    if (rc)
        return rc;
    archase_diag_list *list = ar_calloc(allocator, 1, sizeof *list);
    if (!list)
        return ARCHASE_ENOMEM;
    list->allocator = ar_allocator(allocator);
    list->limit = limit ? limit : AR_DIAG_DEFAULT_LIMIT;
    *out = list;
    return 0;
}

void archase_diag_list_free(archase_diag_list *list) {
    if (!list)
        return;
    const archase_allocator *a = list->allocator;
    ar_free(a, list->items);
    ar_free(a, list);
}

void archase_diag_list_clear(archase_diag_list *list) {
    if (!list)
        return;
    list->count = 0;
    list->dropped = 0;
}

size_t archase_diag_list_count(const archase_diag_list *list) {
    return list ? list->count : 0;
}

size_t archase_diag_list_dropped(const archase_diag_list *list) {
    return list ? list->dropped : 0;
}

const archase_diag *archase_diag_list_get(const archase_diag_list *list, size_t i) {
    if (!list || i >= list->count)
        return NULL;
    return &list->items[i];
}

static void copy_truncated(char *dst, size_t dst_size, const char *src) {
    size_t n = src ? strlen(src) : 0;
    if (n >= dst_size)
        n = dst_size - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

int ar_diag_vadd(archase_diag_list *list, int code, const char *source, uint32_t line,
                 uint32_t column, const char *fmt, va_list ap) {
    if (!list)
        return 0;
    if (list->count >= list->limit) {
        list->dropped++;
        return 0;
    }
    if (ar_grow(list->allocator, (void **)&list->items, &list->cap, list->count + 1,
                sizeof *list->items))
        return ARCHASE_ENOMEM;
    archase_diag *d = &list->items[list->count++];
    memset(d, 0, sizeof *d);
    d->code = code;
    d->line = line;
    d->column = column;
    copy_truncated(d->source, sizeof d->source, source);
    if (vsnprintf(d->message, sizeof d->message, fmt, ap) < 0)
        d->message[0] = '\0';
    return 0;
}

int ar_diag_add(archase_diag_list *list, int code, const char *source, uint32_t line,
                uint32_t column, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = ar_diag_vadd(list, code, source, line, column, fmt, ap);
    va_end(ap);
    return rc;
}

int ar_diag_list_full(const archase_diag_list *list) {
    return list && list->count >= list->limit;
}
