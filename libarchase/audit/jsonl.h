/* libarchase/audit/jsonl.h — the lines of an audit export: one flat JSON
 * object per line whose values are strings, integers or arrays of strings
 * (any text, unlike the ledger importer's lists). */
#ifndef AR_AUDIT_JSONL_H
#define AR_AUDIT_JSONL_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define AR_JSONL_MAX_MEMBERS 16
#define AR_JSONL_MAX_ITEMS 64

enum { AR_JSONL_STRING = 1, AR_JSONL_NUMBER = 2, AR_JSONL_ARRAY = 3 };

typedef struct ar_jsonl_member {
    const char  *key;
    int          type;
    const char  *text;   /* STRING: the unescaped text; NUMBER: as written */
    size_t       len;
    const char  *items[AR_JSONL_MAX_ITEMS]; /* ARRAY: the strings */
    uint32_t     count;
} ar_jsonl_member;

typedef struct ar_jsonl_object {
    ar_jsonl_member members[AR_JSONL_MAX_MEMBERS];
    size_t          count;
} ar_jsonl_object;

/* Reads one line. Strings land NUL-terminated in `scratch` (reset first);
 * the object points into it. 0, ARCHASE_EPARSE (with a message in `err`) or
 * ARCHASE_ENOMEM. Strings with NUL characters are refused. */
int ar_jsonl_read(const char *line, size_t len, ar_buf *scratch, ar_jsonl_object *out, char *err,
                  size_t err_size);

/* The member named `key` of `type`, or NULL. */
const ar_jsonl_member *ar_jsonl_get(const ar_jsonl_object *o, const char *key, int type);

#endif
