/* libarchase/io/csv.c — reading and writing RFC 4180 CSV. */
#include "io/csv.h"

#include <stdio.h>
#include <string.h>

#include "archase/errors.h"
#include "core/alloc.h"

void ar_csv_init(ar_csv *c, const archase_allocator *a, const char *data, size_t size, char delimiter) {
    memset(c, 0, sizeof *c);
    c->allocator = a;
    c->p = data;
    c->end = data + size;
    c->delimiter = delimiter ? delimiter : ',';
    c->line = 1;
    if (size >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
        c->p += 3;
    ar_buf_init(&c->text, a);
}

void ar_csv_free(ar_csv *c) {
    ar_buf_free(&c->text);
    ar_free(c->allocator, c->fields);
    ar_free(c->allocator, c->offsets);
    c->fields = NULL;
    c->offsets = NULL;
}

static int csv_error(ar_csv *c, uint32_t line, uint32_t column, const char *msg) {
    c->err_line = line;
    c->err_column = column;
    snprintf(c->err, sizeof c->err, "%s", msg);
    return ARCHASE_EPARSE;
}

static int end_field(ar_csv *c) {
    if (ar_grow(c->allocator, (void **)&c->offsets, &c->offsets_cap, c->nfields + 1, sizeof *c->offsets))
        return ARCHASE_ENOMEM;
    ar_buf_putc(&c->text, 0);
    if (c->text.err)
        return ARCHASE_ENOMEM;
    c->offsets[c->nfields++] = c->text.len; /* where the next field starts */
    return 0;
}

int ar_csv_next(ar_csv *c) {
    /* Skip empty lines between rows and at the end. */
    while (c->p < c->end && (*c->p == '\n' || *c->p == '\r')) {
        if (*c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n')
            c->p++;
        c->p++;
        c->line++;
    }
    if (c->p >= c->end)
        return 0;
    ar_buf_reset(&c->text);
    c->nfields = 0;
    c->row_line = c->line;
    int done = 0;
    while (!done) {
        uint32_t column = (uint32_t)c->nfields + 1;
        if (c->p < c->end && *c->p == '"') {
            uint32_t open_line = c->line;
            c->p++;
            for (;;) {
                if (c->p >= c->end)
                    return csv_error(c, open_line, column, "a quoted field is never closed");
                char ch = *c->p++;
                if (ch == '"') {
                    if (c->p < c->end && *c->p == '"') {
                        ar_buf_putc(&c->text, '"');
                        c->p++;
                        continue;
                    }
                    break;
                }
                if (ch == '\0')
                    return csv_error(c, c->line, column, "a NUL byte in a field");
                if (ch == '\n')
                    c->line++;
                ar_buf_putc(&c->text, (uint8_t)ch);
            }
            if (c->p < c->end && *c->p != c->delimiter && *c->p != '\n' && *c->p != '\r')
                return csv_error(c, c->line, column, "text after the closing quote of a field");
        } else {
            const char *start = c->p;
            while (c->p < c->end && *c->p != c->delimiter && *c->p != '\n' && *c->p != '\r') {
                if (*c->p == '"')
                    return csv_error(c, c->line, column,
                                     "a quote inside an unquoted field (quote the whole field)");
                if (*c->p == '\0')
                    return csv_error(c, c->line, column, "a NUL byte in a field");
                c->p++;
            }
            ar_buf_put(&c->text, start, (size_t)(c->p - start));
        }
        int rc = end_field(c);
        if (rc)
            return rc;
        if (c->p >= c->end) {
            done = 1;
        } else if (*c->p == c->delimiter) {
            c->p++;
        } else {
            if (*c->p == '\r')
                c->p++;
            if (c->p < c->end && *c->p == '\n')
                c->p++;
            c->line++;
            done = 1;
        }
    }
    if (ar_grow(c->allocator, (void **)&c->fields, &c->cap, c->nfields, sizeof *c->fields))
        return ARCHASE_ENOMEM;
    size_t start = 0;
    for (size_t i = 0; i < c->nfields; i++) {
        c->fields[i].text = (const char *)c->text.data + start;
        c->fields[i].len = c->offsets[i] - start - 1;
        start = c->offsets[i];
    }
    return 1;
}

void ar_csv_put_field(ar_buf *b, const char *s, size_t len, char delimiter) {
    int quote = len && (s[0] == ' ' || s[len - 1] == ' ');
    for (size_t i = 0; i < len && !quote; i++) {
        if (s[i] == delimiter || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
            quote = 1;
    }
    if (!quote) {
        ar_buf_put(b, s, len);
        return;
    }
    ar_buf_putc(b, '"');
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            ar_buf_putc(b, '"');
        ar_buf_putc(b, (uint8_t)s[i]);
    }
    ar_buf_putc(b, '"');
}
