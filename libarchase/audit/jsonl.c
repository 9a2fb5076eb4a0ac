/* libarchase/audit/jsonl.c — reading the flat JSON objects of an audit export. */
#include "audit/jsonl.h"

#include <stdio.h>
#include <string.h>

#include "archase/errors.h"
#include "core/json_string.h"

typedef struct reader {
    const char *start, *p, *end;
    ar_buf     *out;
    char       *err;
    size_t      err_size;
} reader;

static int fail(reader *r, const char *what) {
    snprintf(r->err, r->err_size, "%s at column %zu", what, (size_t)(r->p - r->start) + 1);
    return ARCHASE_EPARSE;
}

static void skip_ws(reader *r) {
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\r'))
        r->p++;
}

/* Reads a string literal into the output, NUL-terminated; *offset gets where. */
static int read_string(reader *r, size_t *offset) {
    *offset = r->out->len;
    const char *why = ar_json_read_string(&r->p, r->end, r->out);
    if (why)
        return fail(r, why);
    ar_buf_putc(r->out, 0);
    return 0;
}

static int read_number(reader *r, size_t *offset) {
    const char *start = r->p;
    *offset = r->out->len;
    if (r->p < r->end && *r->p == '-')
        r->p++;
    while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
        r->p++;
    if (r->p == start || (r->p == start + 1 && *start == '-'))
        return fail(r, "expected a string, an integer or an array of strings");
    ar_buf_put(r->out, start, (size_t)(r->p - start));
    ar_buf_putc(r->out, 0);
    return 0;
}

int ar_jsonl_read(const char *line, size_t len, ar_buf *scratch, ar_jsonl_object *out, char *err,
                  size_t err_size) {
    reader r = { line, line, line ? line + len : line, scratch, err, err_size }; /* NULL + 0 is undefined */
    size_t key_at[AR_JSONL_MAX_MEMBERS], value_at[AR_JSONL_MAX_MEMBERS];
    size_t item_at[AR_JSONL_MAX_MEMBERS][AR_JSONL_MAX_ITEMS];
    ar_jsonl_object o;
    memset(&o, 0, sizeof o);
    ar_buf_reset(scratch);
    skip_ws(&r);
    if (r.p >= r.end || *r.p != '{')
        return fail(&r, "expected '{': each line holds one JSON object");
    r.p++;
    skip_ws(&r);
    if (r.p < r.end && *r.p == '}') {
        r.p++;
    } else {
        for (;;) {
            if (o.count == AR_JSONL_MAX_MEMBERS)
                return fail(&r, "too many members");
            ar_jsonl_member *m = &o.members[o.count];
            skip_ws(&r);
            if (read_string(&r, &key_at[o.count]))
                return ARCHASE_EPARSE;
            skip_ws(&r);
            if (r.p >= r.end || *r.p != ':')
                return fail(&r, "expected ':'");
            r.p++;
            skip_ws(&r);
            if (r.p < r.end && *r.p == '"') {
                m->type = AR_JSONL_STRING;
                if (read_string(&r, &value_at[o.count]))
                    return ARCHASE_EPARSE;
            } else if (r.p < r.end && *r.p == '[') {
                m->type = AR_JSONL_ARRAY;
                r.p++;
                skip_ws(&r);
                while (r.p < r.end && *r.p != ']') {
                    if (m->count) {
                        if (*r.p != ',')
                            return fail(&r, "expected ',' or ']'");
                        r.p++;
                        skip_ws(&r);
                    }
                    if (m->count == AR_JSONL_MAX_ITEMS)
                        return fail(&r, "too many items in an array");
                    if (read_string(&r, &item_at[o.count][m->count]))
                        return ARCHASE_EPARSE;
                    m->count++;
                    skip_ws(&r);
                }
                if (r.p >= r.end)
                    return fail(&r, "an array is never closed");
                r.p++;
            } else {
                m->type = AR_JSONL_NUMBER;
                if (read_number(&r, &value_at[o.count]))
                    return ARCHASE_EPARSE;
            }
            o.count++;
            skip_ws(&r);
            if (r.p < r.end && *r.p == ',') {
                r.p++;
                continue;
            }
            if (r.p < r.end && *r.p == '}') {
                r.p++;
                break;
            }
            return fail(&r, "expected ',' or '}'");
        }
    }
    skip_ws(&r);
    if (r.p != r.end)
        return fail(&r, "text after the object");
    if (scratch->err)
        return ARCHASE_ENOMEM;
    const char *base = (const char *)scratch->data;
    for (size_t i = 0; i < o.count; i++) {
        ar_jsonl_member *m = &o.members[i];
        m->key = base + key_at[i];
        if (m->type != AR_JSONL_ARRAY) {
            m->text = base + value_at[i];
            m->len = strlen(m->text);
        }
        for (uint32_t k = 0; k < m->count; k++)
            m->items[k] = base + item_at[i][k];
        for (size_t j = 0; j < i; j++) {
            if (!strcmp(o.members[j].key, m->key)) {
                snprintf(err, err_size, "key '%s' appears twice", m->key);
                return ARCHASE_EPARSE;
            }
        }
    }
    *out = o;
    return 0;
}

const ar_jsonl_member *ar_jsonl_get(const ar_jsonl_object *o, const char *key, int type) {
    for (size_t i = 0; i < o->count; i++) {
        if (!strcmp(o->members[i].key, key))
            return o->members[i].type == type ? &o->members[i] : NULL;
    }
    return NULL;
}
