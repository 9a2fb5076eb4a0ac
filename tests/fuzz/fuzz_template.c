/* tests/fuzz/fuzz_template.c — libFuzzer target for the template compiler
 * and renderer. The first byte picks the channel and the locale, the rest is
 * a template: it compiles or is refused with a message and an offset inside
 * it. One that compiles renders as body and subject over ledger values that
 * are themselves hostile (markup, control characters, long text): rendering
 * succeeds, subjects carry no control character, nor SMS
 * but line breaks, nor other bodies but line breaks and tabs unless the
 * template's own text has them, an SMS stays within
 * the length limit, and an e-mail body never carries a value's markup
 * unescaped. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archase/common.h"
#include "archase/errors.h"
#include "archase/ledger.h"
#include "core/buf.h"
#include "policy/arena.h"
#include "policy/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SMS_MAX 160

static const char hostile[] = "<script>alert(1)</script>\x01\x1b[31m\r\nBobby\"; DROP TABLE";

static size_t utf8_chars(const uint8_t *p, size_t n) {
    size_t chars = 0;
    for (size_t i = 0; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            chars++;
    return chars;
}

static int contains(const void *hay, size_t n, const char *needle) {
    size_t m = strlen(needle);
    for (size_t i = 0; m <= n && i <= n - m; i++)
        if (!memcmp((const char *)hay + i, needle, m))
            return 1;
    return 0;
}

static int has_controls(const char *text, size_t len) {
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
            return 1;
    }
    return 0;
}

/* allow: 0 none, 1 line breaks, 2 line breaks and tabs */
static void no_controls(const ar_buf *b, int allow) {
    for (size_t i = 0; i < b->len; i++) {
        uint8_t c = b->data[i];
        if ((c < 0x20 || c == 0x7f) && !(allow >= 1 && c == '\n') && !(allow == 2 && c == '\t'))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    static const int channels[] = { ARCHASE_CHANNEL_EMAIL, ARCHASE_CHANNEL_SMS, ARCHASE_CHANNEL_LETTER,
                                    ARCHASE_CHANNEL_PORTAL };
    static const char *const locales[] = { "en", "de", "fr-CH", "ja" };
    int channel = channels[data[0] & 3];
    const char *locale = locales[(data[0] >> 2) & 3];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    ar_arena arena;
    ar_arena_init(&arena, NULL);
    const ar_tmpl_text *compiled = NULL;
    ar_tmpl_error err;
    memset(&err, 0, sizeof err);
    int rc = ar_tmpl_compile(&arena, text, len, &compiled, &err);
    if (rc == ARCHASE_EPARSE) {
        if (!err.message[0] || err.offset > len)
            abort();
    } else if (rc == 0) {
        ar_template_variant variant = { channel, locale, compiled, compiled };
        ar_template t = { "fuzz", "overdue", 0, &variant, 1, "en", SMS_MAX };
        ar_render_invoice invoices[2] = {
            { "I1", hostile, hostile, "https://erp.example/i/1?a=<b>", 20454, 20484, { 123456, "EUR" },
              { 100001, "EUR" }, 42 },
            { "I2", "2026-0002", NULL, NULL, 20460, 20490, { 5, "JPY" }, { 5, "JPY" }, -3 },
        };
        ar_render_ctx ctx;
        memset(&ctx, 0, sizeof ctx);
        ctx.customer_id = "C1";
        ctx.customer_name = hostile;
        ctx.owner = "olga";
        ctx.locale = locale;
        ctx.as_of = 20500;
        ctx.invoices = invoices;
        ctx.invoice_count = 2;
        ctx.total_open = (archase_money){ 100001, "EUR" };
        ctx.total_overdue = (archase_money){ 100001, "EUR" };
        ctx.promise_amount = (archase_money){ 0, "" };
        ctx.promise_date = ARCHASE_DATE_NONE;
        ctx.dispute_amount = (archase_money){ 999, "KWD" };
        ctx.dispute_reason = hostile;
        ctx.dispute_sla_date = 20510;
        ar_buf body, subject;
        ar_buf_init(&body, NULL);
        ar_buf_init(&subject, NULL);
        if (ar_template_render(&t, &ctx, channel, &body) != 0)
            abort();
        if (ar_template_render_subject(&t, &ctx, channel, &subject) != 0)
            abort();
        no_controls(&subject, 0);
        if (channel == ARCHASE_CHANNEL_SMS) {
            no_controls(&body, 1);
            if (utf8_chars(body.data, body.len) > SMS_MAX)
                abort();
        } else if (!has_controls(text, len)) {
            /* Literal text is the policy's to write; the values are the
             * ledger's, and bring no control characters in. */
            no_controls(&body, 2);
        }
        if (channel == ARCHASE_CHANNEL_EMAIL && body.len &&
            contains(body.data, body.len, "<script>") && !contains(text, len, "<script>"))
            abort(); /* a value's markup went into an e-mail unescaped */
        ar_buf_free(&body);
        ar_buf_free(&subject);
    } else if (rc != ARCHASE_ENOMEM) {
        abort();
    }
    ar_arena_free(&arena);
    return 0;
}
