/* libarchase/audit/jsonl.c — reading the flat JSON objects of an audit export. */
#include "audit/jsonl.h"

#include <stdio.h>
#include <string.h>

#include "archase/errors.h"

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

static int hex4(const char *p, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static void put_utf8(ar_buf *b, unsigned cp) {
    if (cp < 0x80) {
        ar_buf_putc(b, (uint8_t)cp);
    } else if (cp < 0x800) {
        ar_buf_putc(b, (uint8_t)(0xc0 | cp >> 6));
        ar_buf_putc(b, (uint8_t)(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        ar_buf_putc(b, (uint8_t)(0xe0 | cp >> 12));
        ar_buf_putc(b, (uint8_t)(0x80 | ((cp >> 6) & 0x3f)));
        ar_buf_putc(b, (uint8_t)(0x80 | (cp & 0x3f)));
    } else {
        ar_buf_putc(b, (uint8_t)(0xf0 | cp >> 18));
        ar_buf_putc(b, (uint8_t)(0x80 | ((cp >> 12) & 0x3f)));
        ar_buf_putc(b, (uint8_t)(0x80 | ((cp >> 6) & 0x3f)));
        ar_buf_putc(b, (uint8_t)(0x80 | (cp & 0x3f)));
    }
}

/* Reads a string literal into the output, NUL-terminated; *offset gets where. */
static int read_string(reader *r, size_t *offset) {
    *offset = r->out->len;
    if (r->p >= r->end || *r->p != '"')
        return fail(r, "expected a string");
    r->p++;
    while (r->p < r->end && *r->p != '"') {
        unsigned char c = (unsigned char)*r->p;
        if (c < 0x20)
            return fail(r, "a control character in a string");
        if (c != '\\') {
            ar_buf_putc(r->out, c);
            r->p++;
            continue;
        }
        if (r->end - r->p < 2)
            return fail(r, "an unfinished escape");
        char e = r->p[1];
        r->p += 2;
        switch (e) {
        case '"': ar_buf_putc(r->out, '"'); break;
        case '\\': ar_buf_putc(r->out, '\\'); break;
        case '/': ar_buf_putc(r->out, '/'); break;
        case 'b': ar_buf_putc(r->out, '\b'); break;
        case 'f': ar_buf_putc(r->out, '\f'); break;
        case 'n': ar_buf_putc(r->out, '\n'); break;
        case 'r': ar_buf_putc(r->out, '\r'); break;
        case 't': ar_buf_putc(r->out, '\t'); break;
        case 'u': {
            unsigned cp;
            if (r->end - r->p < 4 || hex4(r->p, &cp))
                return fail(r, "a bad \\u escape");
            r->p += 4;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                unsigned lo;
                if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u' || hex4(r->p + 2, &lo) ||
                    lo < 0xdc00 || lo > 0xdfff)
                    return fail(r, "an unpaired surrogate");
                r->p += 6;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                return fail(r, "an unpaired surrogate");
            }
            if (cp == 0)
                return fail(r, "a NUL character in a string");
            put_utf8(r->out, cp);
            break;
        }
        default:
            return fail(r, "an unknown escape");
        }
    }
    if (r->p >= r->end)
        return fail(r, "a string is never closed");
    r->p++;
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
    if (r.p >= r.end || *r.p++ != '{')
        return fail(&r, "expected '{': each line holds one JSON object");
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
            if (r.p >= r.end || *r.p++ != ':')
                return fail(&r, "expected ':'");
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
                        if (*r.p++ != ',')
                            return fail(&r, "expected ',' or ']'");
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
