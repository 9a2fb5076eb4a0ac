/* libarchase/io/csv.h — reading and writing RFC 4180 CSV. */
#ifndef AR_IO_CSV_H
#define AR_IO_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "archase/common.h"
#include "core/buf.h"

/* One field of a row: NUL-terminated text (quotes removed, "" unescaped). */
typedef struct ar_csv_field {
    const char *text;
    size_t      len;
} ar_csv_field;

/* A reader over a buffer. Accepted: a UTF-8 byte order mark at the start,
 * CRLF or LF line ends, quoted fields holding the delimiter, quotes ("")
 * and line breaks, an empty last line. Refused, with the line and column
 * (1-based; the column is the field's number): a quote inside an unquoted
 * field, text after a closing quote, a quote never closed, NUL bytes. */
typedef struct ar_csv {
    const char  *p, *end;
    char         delimiter;
    uint32_t     line;     /* the line the next row starts on */
    uint32_t     row_line; /* the line the current row started on */
    ar_buf       text;     /* the current row's fields, NUL-separated */
    ar_csv_field *fields;
    size_t       nfields, cap;
    size_t      *offsets;
    size_t       offsets_cap;
    const archase_allocator *allocator;
    uint32_t     err_line, err_column;
    char         err[160];
} ar_csv;

void ar_csv_init(ar_csv *c, const archase_allocator *a, const char *data, size_t size, char delimiter);
void ar_csv_free(ar_csv *c);
/* Reads the next row: 1 (a row: c->fields, c->nfields, c->row_line), 0 (the
 * end), ARCHASE_EPARSE (c->err, c->err_line, c->err_column say what and
 * where) or ARCHASE_ENOMEM. */
int ar_csv_next(ar_csv *c);

/* Writes one field, quoted when it holds the delimiter, a quote, CR or LF,
 * or starts or ends with a space. */
void ar_csv_put_field(ar_buf *b, const char *s, size_t len, char delimiter);

#endif
