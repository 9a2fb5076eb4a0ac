/* libarchase/io/json.c — flat JSON objects for JSON Lines files. */
#include "io/json.h"

#include <stdio.h>
#include <string.h>

#include "archase/errors.h"
#include "core/json_string.h"

typedef struct jreader {
    const char *start, *p, *end;
    ar_buf     *out;
    char       *err;
    size_t      err_size;
    uint32_t   *err_column;
} jreader;

static int jfail(jreader *j, const char *msg) {
    snprintf(j->err, j->err_size, "%s", msg);
    *j->err_column = (uint32_t)(j->p - j->start) + 1;
    return ARCHASE_EPARSE;
}

static void skip_ws(jreader *j) {
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\r'))
        j->p++;
}

/* Reads a string literal, appending its text (no NUL) to the output. */
static int read_string(jreader *j) {
    const char *why = ar_json_read_string(&j->p, j->end, j->out);
    return why ? jfail(j, why) : 0;
}

static int read_number(jreader *j) {
    const char *s = j->p;
    if (j->p < j->end && *j->p == '-')
        j->p++;
    const char *digits = j->p;
    while (j->p < j->end && ((*j->p >= '0' && *j->p <= '9') || *j->p == '.' || *j->p == 'e' ||
                             *j->p == 'E' || *j->p == '+' || *j->p == '-'))
        j->p++;
    if (j->p == digits)
        return jfail(j, "expected a value");
    ar_buf_put(j->out, s, (size_t)(j->p - s));
    return 0;
}

static int literal(jreader *j, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
        return jfail(j, "expected a value");
    j->p += n;
    return 0;
}

/* A scalar value; *is_null set for null. */
static int read_scalar(jreader *j, int *is_null) {
    *is_null = 0;
    if (j->p >= j->end)
        return jfail(j, "expected a value");
    char c = *j->p;
    if (c == '"')
        return read_string(j);
    if (c == 't') {
        if (literal(j, "true"))
            return ARCHASE_EPARSE;
        ar_buf_puts(j->out, "true");
        return 0;
    }
    if (c == 'f') {
        if (literal(j, "false"))
            return ARCHASE_EPARSE;
        ar_buf_puts(j->out, "false");
        return 0;
    }
    if (c == 'n') {
        *is_null = 1;
        return literal(j, "null");
    }
    if (c == '{' || c == '[')
        return jfail(j, "nested objects and arrays are not allowed here");
    return read_number(j);
}

int ar_json_read_object(const char *line, size_t len, ar_buf *scratch, ar_json_member *members,
                        char *err, size_t err_size, uint32_t *err_column) {
    jreader j = { line, line, line + len, scratch, err, err_size, err_column };
    size_t offsets[AR_JSON_MAX_MEMBERS][2];
    int is_null[AR_JSON_MAX_MEMBERS];
    int is_list[AR_JSON_MAX_MEMBERS];
    size_t n = 0;
    ar_buf_reset(scratch);
    skip_ws(&j);
    if (j.p >= j.end || *j.p != '{')
        return jfail(&j, "expected '{': each line holds one JSON object");
    j.p++;
    skip_ws(&j);
    if (j.p < j.end && *j.p == '}') {
        j.p++;
    } else {
        for (;;) {
            if (n == AR_JSON_MAX_MEMBERS)
                return jfail(&j, "too many members");
            skip_ws(&j);
            offsets[n][0] = scratch->len;
            if (read_string(&j))
                return ARCHASE_EPARSE;
            ar_buf_putc(scratch, 0);
            skip_ws(&j);
            if (j.p >= j.end || *j.p != ':')
                return jfail(&j, "expected ':'");
            j.p++;
            skip_ws(&j);
            members[n].column = (uint32_t)(j.p - j.start) + 1;
            offsets[n][1] = scratch->len;
            is_null[n] = 0;
            is_list[n] = j.p < j.end && *j.p == '[';
            if (is_list[n]) {
                j.p++;
                skip_ws(&j);
                int first = 1;
                while (j.p < j.end && *j.p != ']') {
                    if (!first) {
                        if (*j.p != ',')
                            return jfail(&j, "expected ',' or ']'");
                        j.p++;
                        skip_ws(&j);
                        ar_buf_putc(scratch, ';');
                    }
                    size_t item = scratch->len;
                    int item_null;
                    if (read_scalar(&j, &item_null))
                        return ARCHASE_EPARSE;
                    if (item_null || memchr(scratch->data + item, ';', scratch->len - item))
                        return jfail(&j, "list items may not be null or hold ';'");
                    first = 0;
                    skip_ws(&j);
                }
                if (j.p >= j.end)
                    return jfail(&j, "an array is never closed");
                j.p++;
            } else if (read_scalar(&j, &is_null[n])) {
                return ARCHASE_EPARSE;
            }
            ar_buf_putc(scratch, 0);
            n++;
            skip_ws(&j);
            if (j.p < j.end && *j.p == ',') {
                j.p++;
                continue;
            }
            if (j.p < j.end && *j.p == '}') {
                j.p++;
                break;
            }
            return jfail(&j, "expected ',' or '}'");
        }
    }
    skip_ws(&j);
    if (j.p != j.end)
        return jfail(&j, "text after the object");
    if (scratch->err)
        return ARCHASE_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        members[i].key = (const char *)scratch->data + offsets[i][0];
        members[i].value = is_null[i] ? NULL : (const char *)scratch->data + offsets[i][1];
        members[i].len = is_null[i] ? 0 : strlen(members[i].value);
        members[i].is_list = is_list[i];
        for (size_t k = 0; k < i; k++) {
            if (!strcmp(members[k].key, members[i].key)) {
                snprintf(err, err_size, "key '%s' appears twice", members[i].key);
                *err_column = members[i].column;
                return ARCHASE_EPARSE;
            }
        }
    }
    return (int)n;
}

void ar_json_put_string(ar_buf *b, const char *s, size_t len) {
    static const char hex[] = "0123456789abcdef";
    ar_buf_putc(b, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            ar_buf_putc(b, '\\');
            ar_buf_putc(b, c);
        } else if (c == '\n') {
            ar_buf_puts(b, "\\n");
        } else if (c == '\r') {
            ar_buf_puts(b, "\\r");
        } else if (c == '\t') {
            ar_buf_puts(b, "\\t");
        } else if (c < 0x20) {
            char u[7] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0 };
            ar_buf_puts(b, u);
        } else {
            ar_buf_putc(b, c);
        }
    }
    ar_buf_putc(b, '"');
}
