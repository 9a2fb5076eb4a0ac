/* libarchase/io/json.h — the JSON of JSON Lines files: one flat object per
 * line, read into text cells, and written back. */
#ifndef AR_IO_JSON_H
#define AR_IO_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

typedef struct ar_json_member {
    const char *key;    /* NUL-terminated, in the scratch buffer */
    const char *value;  /* NUL-terminated text; NULL for null */
    size_t      len;
    uint32_t    column; /* 1-based byte column of the value in the line */
    int         is_list; /* the value was an array (its items joined by ';') */
} ar_json_member;

#define AR_JSON_MAX_MEMBERS 64

/* Reads one line holding one JSON object whose values are strings, numbers
 * (kept as written), true/false ("true"/"false"), null, or arrays of strings
 * and numbers (joined with ';'). Keys and values go to `scratch`.
 * Returns the member count, or ARCHASE_EPARSE with `err` and *err_column set,
 * or ARCHASE_ENOMEM. */
int ar_json_read_object(const char *line, size_t len, ar_buf *scratch, ar_json_member *members,
                        char *err, size_t err_size, uint32_t *err_column);

/* Writes a JSON string literal. */
void ar_json_put_string(ar_buf *b, const char *s, size_t len);

#endif
