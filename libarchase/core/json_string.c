/* libarchase/core/json_string.c — JSON string literals (core/json_string.h). */
#include "core/json_string.h"

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

const char *ar_json_read_string(const char **pp, const char *end, ar_buf *out) {
    const char *p = *pp;
    const char *why = NULL;
    if (p >= end || *p != '"') {
        why = "expected a string";
        goto done;
    }
    p++;
    while (p < end && *p != '"') {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20) {
            why = "a control character in a string";
            goto done;
        }
        if (c != '\\') {
            ar_buf_putc(out, c);
            p++;
            continue;
        }
        if (end - p < 2) {
            why = "an unfinished escape";
            goto done;
        }
        char e = p[1];
        p += 2;
        switch (e) {
        case '"': ar_buf_putc(out, '"'); break;
        case '\\': ar_buf_putc(out, '\\'); break;
        case '/': ar_buf_putc(out, '/'); break;
        case 'b': ar_buf_putc(out, '\b'); break;
        case 'f': ar_buf_putc(out, '\f'); break;
        case 'n': ar_buf_putc(out, '\n'); break;
        case 'r': ar_buf_putc(out, '\r'); break;
        case 't': ar_buf_putc(out, '\t'); break;
        case 'u': {
            unsigned cp;
            if (end - p < 4 || hex4(p, &cp)) {
                why = "a bad \\u escape";
                goto done;
            }
            p += 4;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                unsigned lo;
                if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, &lo) ||
                    lo < 0xdc00 || lo > 0xdfff) {
                    why = "an unpaired surrogate";
                    goto done;
                }
                p += 6;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                why = "an unpaired surrogate";
                goto done;
            }
            if (cp == 0) {
                why = "a NUL character in a string";
                goto done;
            }
            put_utf8(out, cp);
            break;
        }
        default:
            why = "an unknown escape";
            goto done;
        }
    }
    if (p >= end) {
        why = "a string is never closed";
        goto done;
    }
    p++;
done:
    *pp = p;
    return why;
}

