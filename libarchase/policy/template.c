/* libarchase/policy/template.c — message templates: compiling and rendering. */
#include "policy/template.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "archase/errors.h"
#include "archase/ledger.h"
#include "core/money.h"
#include "policy/locale.h"
#include "policy/suggest.h"

const ar_tfield_info ar_tfields[AR_TFIELD_COUNT] = {
#define AR_TFIELD_ROW_(id, name, type, description) { name, AR_TF_##type, description },
    AR_TEMPLATE_FIELD_MAP(AR_TFIELD_ROW_)
#undef AR_TFIELD_ROW_
};

enum { P_TEXT = 1, P_FIELD, P_LOOP, P_END };
enum { F_NONE = 0, F_MONEY, F_DATE };

struct ar_tmpl_part {
    uint8_t     kind;
    uint8_t     filter;
    uint16_t    field;
    uint32_t    jump;  /* P_LOOP: index after its P_END; P_END: index after its P_LOOP */
    const char *text;  /* P_TEXT */
    size_t      len;
};

#define AR_SUBJECT_MAX_CHARS 250

/* ---- compiling ----------------------------------------------------------- */

static int tfail(ar_tmpl_error *err, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int tfail(ar_tmpl_error *err, size_t offset, const char *fmt, ...) {
    err->offset = (uint32_t)offset;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return ARCHASE_EPARSE;
}

static int is_upper(char c) {
    return c >= 'A' && c <= 'Z';
}
static int is_digit(char c) {
    return c >= '0' && c <= '9';
}
static int is_alnum(char c) {
    return is_upper(c) || (c >= 'a' && c <= 'z') || is_digit(c);
}

/* The length of a currency sign at s (€ £ $ ¥), or 0. */
static size_t sign_at(const char *s, size_t left) {
    if (left >= 1 && s[0] == '$')
        return 1;
    if (left >= 2 && (!memcmp(s, "\xc2\xa3", 2) || !memcmp(s, "\xc2\xa5", 2)))
        return 2;
    if (left >= 3 && !memcmp(s, "\xe2\x82\xac", 3))
        return 3;
    return 0;
}

/* Is there a digit right before `at` (skipping one space) / right after? */
static int digit_before(const char *text, size_t at) {
    if (at > 0 && text[at - 1] == ' ')
        at--;
    else if (at >= 2 && !memcmp(text + at - 2, "\xc2\xa0", 2))
        at -= 2;
    return at > 0 && is_digit(text[at - 1]);
}
static int digit_after(const char *text, size_t len, size_t at) {
    if (at < len && text[at] == ' ')
        at++;
    else if (at + 1 < len && !memcmp(text + at, "\xc2\xa0", 2))
        at += 2;
    return at < len && is_digit(text[at]);
}

/* Finds an amount written into literal text ("500 EUR", "€500"). */
static int check_no_amount(const char *text, size_t len, size_t base, ar_tmpl_error *err) {
    for (size_t i = 0; i < len; i++) {
        size_t sign = sign_at(text + i, len - i);
        size_t mark = 0;
        if (sign) {
            mark = sign;
        } else if (i + 3 <= len && is_upper(text[i]) && is_upper(text[i + 1]) && is_upper(text[i + 2]) &&
                   (i == 0 || !is_alnum(text[i - 1])) && (i + 3 == len || !is_alnum(text[i + 3])) &&
                   ar_currency_minor_units(text + i, 3) >= 0) {
            mark = 3;
        }
        if (mark && (digit_before(text, i) || digit_after(text, len, i + mark))) {
            size_t from = i, to = i + mark;
            while (from > 0 && (is_digit(text[from - 1]) || text[from - 1] == '.' ||
                                text[from - 1] == ',' || text[from - 1] == ' '))
                from--;
            while (to < len && (is_digit(text[to]) || text[to] == '.' || text[to] == ',' ||
                                (text[to] == ' ' && to + 1 < len && is_digit(text[to + 1]))))
                to++;
            while (from < i && text[from] == ' ')
                from++;
            return tfail(err, base + from,
                         "literal amount \"%.*s\" in the text: amounts come only from the ledger, "
                         "e.g. {{ invoice.open_amount | money }}",
                         (int)(to - from > 40 ? 40 : to - from), text + from);
        }
        if (mark)
            i += mark - 1;
    }
    return 0;
}

static const char *trim(const char *s, size_t *len) {
    while (*len && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
        s++, (*len)--;
    while (*len && (s[*len - 1] == ' ' || s[*len - 1] == '\t' || s[*len - 1] == '\n' ||
                    s[*len - 1] == '\r'))
        (*len)--;
    return s;
}

static int lookup_tfield(const char *name, size_t len) {
    for (int f = 0; f < AR_TFIELD_COUNT; f++) {
        const char *n = ar_tfields[f].name;
        if (strlen(n) == len && !memcmp(n, name, len))
            return f;
        /* A bare invoice field: "open_amount" is "invoice.open_amount". */
        if (!strncmp(n, "invoice.", 8) && strlen(n + 8) == len && !memcmp(n + 8, name, len))
            return f;
    }
    return -1;
}

/* Compiles one {{ ... }} tag at `offset` into `part`. */
static int compile_tag(const char *inner, size_t len, size_t offset, int in_loop, ar_tmpl_part *part,
                       ar_tmpl_error *err) {
    size_t n = len;
    const char *s = trim(inner, &n);
    if (n == 0)
        return tfail(err, offset, "empty placeholder {{ }}");
    if (n >= 4 && !memcmp(s, "for ", 4)) {
        size_t rest = n - 4;
        const char *r = trim(s + 4, &rest);
        static const char loop[] = "invoice in invoices";
        /* Any amount of space between the words. */
        char norm[64];
        size_t k = 0;
        for (size_t i = 0; i < rest && k + 1 < sizeof norm; i++) {
            if (r[i] == ' ' || r[i] == '\t') {
                if (k && norm[k - 1] != ' ')
                    norm[k++] = ' ';
            } else {
                norm[k++] = r[i];
            }
        }
        norm[k] = '\0';
        if (strcmp(norm, loop) != 0)
            return tfail(err, offset, "a loop is written {{ for invoice in invoices }}");
        if (in_loop)
            return tfail(err, offset, "loops cannot be nested");
        part->kind = P_LOOP;
        return 0;
    }
    if (n == 3 && !memcmp(s, "end", 3)) {
        if (!in_loop)
            return tfail(err, offset, "{{ end }} without a loop to end");
        part->kind = P_END;
        return 0;
    }
    const char *bar = memchr(s, '|', n);
    size_t name_len = bar ? (size_t)(bar - s) : n;
    const char *name = trim(s, &name_len);
    int f = lookup_tfield(name, name_len);
    if (f < 0) {
        const char *near = ar_suggest(name, name_len, ar_tfields, AR_TFIELD_COUNT, sizeof ar_tfields[0]);
        if (near)
            return tfail(err, offset, "unknown template field \"%.*s\" (did you mean \"%s\"?)",
                         (int)(name_len > 40 ? 40 : name_len), name, near);
        return tfail(err, offset, "unknown template field \"%.*s\" (the fields are listed in the policy reference)",
                     (int)(name_len > 40 ? 40 : name_len), name);
    }
    part->kind = P_FIELD;
    part->field = (uint16_t)f;
    if (bar) {
        size_t flen = n - (size_t)(bar - s) - 1;
        const char *filter = trim(bar + 1, &flen);
        ar_tfield_type type = ar_tfields[f].type;
        if (flen == 5 && !memcmp(filter, "money", 5)) {
            if (type != AR_TF_MONEY)
                return tfail(err, offset, "%s is not an amount: \"| money\" formats amounts", ar_tfields[f].name);
            part->filter = F_MONEY;
        } else if (flen == 4 && !memcmp(filter, "date", 4)) {
            if (type != AR_TF_DATE)
                return tfail(err, offset, "%s is not a date: \"| date\" formats dates", ar_tfields[f].name);
            part->filter = F_DATE;
        } else {
            return tfail(err, offset, "unknown filter \"%.*s\" (money or date)", (int)(flen > 40 ? 40 : flen),
                         filter);
        }
    }
    return 0;
}

int ar_tmpl_compile(ar_arena *arena, const char *text, size_t len, const ar_tmpl_text **out,
                    ar_tmpl_error *err) {
    memset(err, 0, sizeof *err);
    /* Count the parts first: at most two per tag plus one. */
    size_t tags = 0;
    for (size_t i = 0; i + 1 < len; i++)
        if (text[i] == '{' && text[i + 1] == '{')
            tags++, i++;
    ar_tmpl_part *parts = ar_arena_array(arena, 2 * tags + 1, sizeof *parts);
    ar_tmpl_text *t = ar_arena_alloc(arena, sizeof *t);
    char *source = ar_arena_strndup(arena, text, len);
    if (!parts || !t || !source)
        return ARCHASE_ENOMEM;
    uint32_t count = 0;
    int loop_at = -1;
    size_t i = 0;
    while (i < len) {
        const char *open = NULL;
        for (size_t k = i; k + 1 < len; k++)
            if (source[k] == '{' && source[k + 1] == '{') {
                open = source + k;
                break;
            }
        size_t text_end = open ? (size_t)(open - source) : len;
        if (text_end > i) {
            int rc = check_no_amount(source + i, text_end - i, i, err);
            if (rc)
                return rc;
            ar_tmpl_part *p = &parts[count++];
            p->kind = P_TEXT;
            p->text = source + i;
            p->len = text_end - i;
        }
        if (!open)
            break;
        size_t tag_start = text_end;
        const char *close = NULL;
        for (size_t k = tag_start + 2; k + 1 < len; k++) {
            if (source[k] == '}' && source[k + 1] == '}') {
                close = source + k;
                break;
            }
            if (source[k] == '{' && source[k + 1] == '{')
                break;
        }
        if (!close)
            return tfail(err, tag_start, "\"{{\" without its closing \"}}\"");
        ar_tmpl_part *p = &parts[count];
        int rc = compile_tag(source + tag_start + 2, (size_t)(close - source) - tag_start - 2, tag_start,
                             loop_at >= 0, p, err);
        if (rc)
            return rc;
        if (p->kind == P_LOOP) {
            loop_at = (int)count;
        } else if (p->kind == P_END) {
            p->jump = (uint32_t)loop_at + 1;
            parts[loop_at].jump = count + 1;
            loop_at = -1;
        }
        count++;
        i = (size_t)(close - source) + 2;
    }
    if (loop_at >= 0)
        return tfail(err, len, "{{ for invoice in invoices }} without its {{ end }}");
    t->parts = parts;
    t->count = count;
    t->source = source;
    *out = t;
    return 0;
}

/* ---- rendering ----------------------------------------------------------- */

enum { MODE_HTML = 1, MODE_LINE, MODE_SMS, MODE_TEXT };

int ar_template_has_channel(const ar_template *t, int channel) {
    for (uint32_t i = 0; t && i < t->variant_count; i++)
        if (t->variants[i].channel == channel)
            return 1;
    return 0;
}

static const ar_template_variant *variant_matching(const ar_template *t, int channel, const char *tag,
                                                   size_t len) {
    for (uint32_t i = 0; i < t->variant_count; i++) {
        const ar_template_variant *v = &t->variants[i];
        if (v->channel == channel && ar_locale_equal(v->locale, strlen(v->locale), tag, len))
            return v;
    }
    return NULL;
}

const ar_template_variant *ar_template_variant_for(const ar_template *t, int channel,
                                                   const char *locale) {
    const ar_template_variant *v = NULL;
    if (!t)
        return NULL;
    if (locale && *locale) {
        v = variant_matching(t, channel, locale, strlen(locale));
        if (!v)
            v = variant_matching(t, channel, locale, ar_locale_language_len(locale));
    }
    if (!v && t->default_locale)
        v = variant_matching(t, channel, t->default_locale, strlen(t->default_locale));
    if (!v)
        v = variant_matching(t, channel, "en", 2);
    for (uint32_t i = 0; !v && i < t->variant_count; i++)
        if (t->variants[i].channel == channel)
            v = &t->variants[i];
    return v;
}

static void put_escaped(ar_buf *out, const char *s, size_t len, int mode) {
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (mode == MODE_HTML) {
            switch (c) {
            case '&': ar_buf_puts(out, "&amp;"); continue;
            case '<': ar_buf_puts(out, "&lt;"); continue;
            case '>': ar_buf_puts(out, "&gt;"); continue;
            case '"': ar_buf_puts(out, "&quot;"); continue;
            case '\'': ar_buf_puts(out, "&#39;"); continue;
            default: break;
            }
        }
        /* Control characters in ledger values never reach a message: C0
         * (but line breaks and tabs), DEL, and C1 (U+0080..U+009F). */
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
            continue;
        if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9f) {
            i++;
            continue;
        }
        ar_buf_putc(out, c);
    }
}

static void put_value(ar_buf *out, const ar_tmpl_part *p, const ar_render_ctx *ctx,
                      const ar_render_invoice *inv, const char *locale, int mode) {
    ar_buf tmp;
    ar_buf_init(&tmp, out->allocator);
    const char *s = NULL;
    char number[32];
    switch ((ar_tfield)p->field) {
    case AR_TFIELD_CUSTOMER_ID: s = ctx->customer_id; break;
    case AR_TFIELD_CUSTOMER_NAME: s = ctx->customer_name; break;
    case AR_TFIELD_CUSTOMER_OWNER: s = ctx->owner; break;
    case AR_TFIELD_CUSTOMER_COLLECTOR: s = ctx->collector; break;
    case AR_TFIELD_TODAY: ar_format_date(locale, ctx->as_of, &tmp); break;
    case AR_TFIELD_INVOICE_ID: s = inv ? inv->id : NULL; break;
    case AR_TFIELD_INVOICE_NUMBER: s = inv ? inv->number : NULL; break;
    case AR_TFIELD_INVOICE_ISSUE_DATE: if (inv) ar_format_date(locale, inv->issue_date, &tmp); break;
    case AR_TFIELD_INVOICE_DUE_DATE: if (inv) ar_format_date(locale, inv->due_date, &tmp); break;
    case AR_TFIELD_INVOICE_AMOUNT: if (inv) ar_format_money(locale, &inv->amount, &tmp); break;
    case AR_TFIELD_INVOICE_OPEN_AMOUNT: if (inv) ar_format_money(locale, &inv->open_amount, &tmp); break;
    case AR_TFIELD_INVOICE_DAYS_OVERDUE:
        if (inv) {
            snprintf(number, sizeof number, "%d", (int)inv->days_overdue);
            s = number;
        }
        break;
    case AR_TFIELD_INVOICE_PO_REF: s = inv ? inv->po_ref : NULL; break;
    case AR_TFIELD_INVOICE_SOURCE_LINK: s = inv ? inv->source_link : NULL; break;
    case AR_TFIELD_TOTALS_OPEN_AMOUNT: ar_format_money(locale, &ctx->total_open, &tmp); break;
    case AR_TFIELD_TOTALS_OVERDUE_AMOUNT: ar_format_money(locale, &ctx->total_overdue, &tmp); break;
    case AR_TFIELD_TOTALS_INVOICE_COUNT:
        snprintf(number, sizeof number, "%zu", ctx->invoice_count);
        s = number;
        break;
    case AR_TFIELD_PROMISE_AMOUNT: ar_format_money(locale, &ctx->promise_amount, &tmp); break;
    case AR_TFIELD_PROMISE_DATE: ar_format_date(locale, ctx->promise_date, &tmp); break;
    case AR_TFIELD_DISPUTE_AMOUNT: ar_format_money(locale, &ctx->dispute_amount, &tmp); break;
    case AR_TFIELD_DISPUTE_REASON: s = ctx->dispute_reason; break;
    case AR_TFIELD_DISPUTE_SLA_DATE: ar_format_date(locale, ctx->dispute_sla_date, &tmp); break;
    case AR_TFIELD_LINKS_PAY_NOW: s = AR_TOKEN_PAY_NOW_LINK; break;
    case AR_TFIELD_LINKS_DISPUTE: s = AR_TOKEN_DISPUTE_LINK; break;
    default: break;
    }
    if (tmp.err)
        out->err = tmp.err;
    else if (s)
        put_escaped(out, s, strlen(s), mode);
    else if (tmp.len)
        put_escaped(out, (const char *)tmp.data, tmp.len, mode);
    ar_buf_free(&tmp);
}

/* Removes control characters (C0 but line breaks where `keep_newlines`, DEL,
 * C1) from out[start..] and cuts it to `max_chars` characters (0 = no limit). */
static void clean_region(ar_buf *out, size_t start, int keep_newlines, size_t max_chars) {
    if (out->err)
        return;
    size_t w = start, chars = 0;
    for (size_t r = start; r < out->len;) {
        unsigned char c = out->data[r];
        size_t n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
        if (r + n > out->len)
            n = out->len - r;
        /* A sequence ends at the first byte that is not a continuation, so
         * a control character after a stray lead byte is still seen. */
        for (size_t k = 1; k < n; k++) {
            if ((out->data[r + k] & 0xc0) != 0x80) {
                n = k;
                break;
            }
        }
        int drop = (c < 0x20 && !(keep_newlines && c == '\n')) || c == 0x7f ||
                   (c == 0xc2 && n == 2 && out->data[r + 1] >= 0x80 && out->data[r + 1] <= 0x9f);
        if (!drop) {
            if (max_chars && chars == max_chars)
                break;
            memmove(out->data + w, out->data + r, n);
            w += n;
            chars++;
        }
        r += n;
    }
    out->len = w;
}

static int render_text(const ar_template *t, const ar_template_variant *v, const ar_tmpl_text *text,
                       const ar_render_ctx *ctx, int mode, ar_buf *out) {
    size_t start = out->len;
    const ar_render_invoice *first = ctx->invoice_count ? &ctx->invoices[0] : NULL;
    const ar_render_invoice *inv = first;
    size_t index = 0;
    for (uint32_t i = 0; i < text->count && !out->err;) {
        const ar_tmpl_part *p = &text->parts[i];
        switch (p->kind) {
        case P_TEXT:
            ar_buf_put(out, p->text, p->len);
            i++;
            break;
        case P_FIELD:
            put_value(out, p, ctx, inv, v->locale, mode);
            i++;
            break;
        case P_LOOP:
            if (ctx->invoice_count == 0) {
                i = p->jump;
            } else {
                index = 0;
                inv = &ctx->invoices[0];
                i++;
            }
            break;
        default: /* P_END */
            if (++index < ctx->invoice_count) {
                inv = &ctx->invoices[index];
                i = p->jump;
            } else {
                inv = first;
                i++;
            }
            break;
        }
    }
    if (mode == MODE_LINE)
        clean_region(out, start, 0, AR_SUBJECT_MAX_CHARS);
    else if (mode == MODE_SMS)
        clean_region(out, start, 1, t->sms_max_length);
    ar_buf_terminate(out);
    return out->err;
}

int ar_template_render(const ar_template *t, const ar_render_ctx *ctx, int channel, ar_buf *out) {
    const ar_template_variant *v = ar_template_variant_for(t, channel, ctx->locale);
    if (!v || !v->body)
        return ARCHASE_ENOTFOUND;
    int mode = channel == ARCHASE_CHANNEL_EMAIL ? MODE_HTML
               : channel == ARCHASE_CHANNEL_SMS ? MODE_SMS
                                                : MODE_TEXT;
    return render_text(t, v, v->body, ctx, mode, out);
}

int ar_template_render_subject(const ar_template *t, const ar_render_ctx *ctx, int channel,
                               ar_buf *out) {
    const ar_template_variant *v = ar_template_variant_for(t, channel, ctx->locale);
    if (!v || !v->subject)
        return ARCHASE_ENOTFOUND;
    return render_text(t, v, v->subject, ctx, MODE_LINE, out);
}
