/* tests/test_policy_template.c — templates: rendering from the ledger's
 * facts, escaping per channel, locale formatting and fallback, consolidated
 * messages, and allocation failure. */
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "policy/locale.h"
#include "policy/policy_internal.h"
#include "support/failalloc.h"
#include "support/testutil.h"

static const char policy_text[] =
    "version: 1\n"
    "currency: {default: EUR}\n"
    "segments: [{name: all, sequence: s}]\n"
    "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n"
    "templates:\n"
    "  default_locale: de\n"
    "  sms_max_length: 70\n"
    "  definitions:\n"
    "    reminder:\n"
    "      stage: overdue\n"
    "      tone: firm\n"
    "      email:\n"
    "        en:\n"
    "          subject: \"Invoice {{ invoice.number }} for {{ customer.name }}\"\n"
    "          body: \"<p>Dear {{ customer.name }}, {{ open_amount | money }} was due on {{ due_date | date }}.</p>\"\n"
    "        en-US:\n"
    "          subject: US\n"
    "          body: \"{{ invoice.open_amount | money }} due {{ invoice.due_date | date }}\"\n"
    "        de:\n"
    "          subject: DE\n"
    "          body: \"{{ invoice.open_amount | money }} fällig am {{ invoice.due_date | date }}\"\n"
    "        fr:\n"
    "          subject: FR\n"
    "          body: \"{{ invoice.open_amount | money }} le {{ invoice.due_date | date }}\"\n"
    "      sms:\n"
    "        en:\n"
    "          body: \"{{ customer.name }}: {{ totals.open_amount | money }} open. Pay {{ links.pay_now }}\"\n"
    "    statement:\n"
    "      letter:\n"
    "        en:\n"
    "          body: \"{{ for invoice in invoices }}{{ invoice.number }} {{ invoice.open_amount }}|{{ end }}total {{ totals.open_amount }} ({{ totals.invoice_count }})\"\n";

typedef struct fixture {
    archase_policy   *policy;
    ar_render_invoice invoices[3];
    ar_render_ctx     ctx;
    ar_buf            out;
} fixture;

static int setup(void **state) {
    fixture *f = test_calloc(1, sizeof *f);
    assert_int_equal(archase_policy_load_buffer(policy_text, sizeof policy_text - 1, "t.yaml", NULL, &f->policy, NULL), 0);
    for (int i = 0; i < 3; i++) {
        ar_render_invoice *inv = &f->invoices[i];
        inv->id = "id";
        inv->number = i == 0 ? "INV-1" : i == 1 ? "INV-2" : "INV-3";
        inv->issue_date = 20454; /* 2025-12-30 */
        inv->due_date = 20513;   /* 2026-03-01 */
        inv->amount = (archase_money){ 123456789, "EUR" };
        inv->open_amount = (archase_money){ 123456 * (i + 1), "EUR" };
        inv->days_overdue = 12;
    }
    f->ctx.customer_name = "Smith & Sons <Ltd>";
    f->ctx.customer_id = "C-1";
    f->ctx.as_of = 20525;
    f->ctx.invoices = f->invoices;
    f->ctx.invoice_count = 1;
    f->ctx.total_open = (archase_money){ 740736, "EUR" };
    f->ctx.total_overdue = (archase_money){ 0, "" };
    f->ctx.promise_date = ARCHASE_DATE_NONE;
    f->ctx.dispute_sla_date = ARCHASE_DATE_NONE;
    ar_buf_init(&f->out, NULL);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    ar_buf_free(&f->out);
    archase_policy_free(f->policy);
    test_free(f);
    return 0;
}

static const char *render(fixture *f, const char *name, int channel, const char *locale) {
    ar_buf_reset(&f->out);
    f->ctx.locale = locale;
    const ar_template *t = ar_policy_template(f->policy, name);
    assert_non_null(t);
    assert_int_equal(ar_template_render(t, &f->ctx, channel, &f->out), 0);
    return (const char *)f->out.data;
}

static void email_bodies_escape_ledger_values_as_html(void **state) {
    fixture *f = *state;
    assert_string_equal(render(f, "reminder", ARCHASE_CHANNEL_EMAIL, "en"),
                        "<p>Dear Smith &amp; Sons &lt;Ltd&gt;, €1,234.56 was due on 1 March 2026.</p>");
}

static void subjects_lose_line_breaks_so_no_header_can_be_injected(void **state) {
    fixture *f = *state;
    f->ctx.customer_name = "Evil\r\nBcc: victim@example.com";
    ar_buf_reset(&f->out);
    f->ctx.locale = "en";
    const ar_template *t = ar_policy_template(f->policy, "reminder");
    assert_int_equal(ar_template_render_subject(t, &f->ctx, ARCHASE_CHANNEL_EMAIL, &f->out), 0);
    assert_string_equal((const char *)f->out.data, "Invoice INV-1 for EvilBcc: victim@example.com");
}

static void sms_drops_control_characters_and_keeps_to_the_length_limit(void **state) {
    fixture *f = *state;
    f->ctx.customer_name = "A\x01" "B\x1b[31m";
    const char *text = render(f, "reminder", ARCHASE_CHANNEL_SMS, "en");
    assert_string_equal(text, "AB[31m: €7,407.36 open. Pay @@ARCHASE:PAY_NOW_LINK@@");
    f->ctx.customer_name = "A very long customer name that goes on and on and on";
    text = render(f, "reminder", ARCHASE_CHANNEL_SMS, "en");
    /* 70 characters, the euro sign counting as one. */
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        chars += (*p & 0xc0) != 0x80;
    assert_int_equal(chars, 70);
}

static void locales_format_amounts_and_dates_their_own_way(void **state) {
    fixture *f = *state;
    assert_string_equal(render(f, "reminder", ARCHASE_CHANNEL_EMAIL, "en-US"), "€1,234.56 due March 1, 2026");
    assert_string_equal(render(f, "reminder", ARCHASE_CHANNEL_EMAIL, "de-DE"), "1.234,56\xc2\xa0€ fällig am 1. März 2026");
    assert_string_equal(render(f, "reminder", ARCHASE_CHANNEL_EMAIL, "fr"),
                        "1\xe2\x80\xaf" "234,56\xc2\xa0€ le 1 mars 2026");
    /* No Italian text: the policy's default locale (de) is used. */
    assert_string_equal(render(f, "reminder", ARCHASE_CHANNEL_EMAIL, "it"), "1.234,56\xc2\xa0€ fällig am 1. März 2026");
    assert_string_equal(render(f, "reminder", ARCHASE_CHANNEL_EMAIL, NULL), "1.234,56\xc2\xa0€ fällig am 1. März 2026");
    ar_buf b;
    ar_buf_init(&b, NULL);
    archase_money chf = { -100050, "CHF" }, jpy = { 1234567, "JPY" }, kwd = { 1500, "KWD" };
    ar_format_money("en", &chf, &b);
    ar_buf_putc(&b, '|');
    ar_format_money("de", &jpy, &b);
    ar_buf_putc(&b, '|');
    ar_format_money("xx-YY", &kwd, &b);
    ar_buf_terminate(&b);
    assert_string_equal((const char *)b.data, "-CHF 1,000.50|1.234.567\xc2\xa0¥|KWD 1.500");
    ar_buf_free(&b);
}

static void a_consolidated_message_lists_every_invoice(void **state) {
    fixture *f = *state;
    f->ctx.invoice_count = 3;
    assert_string_equal(render(f, "statement", ARCHASE_CHANNEL_LETTER, "en"),
                        "INV-1 €1,234.56|INV-2 €2,469.12|INV-3 €3,703.68|total €7,407.36 (3)");
    f->ctx.invoice_count = 0;
    assert_string_equal(render(f, "statement", ARCHASE_CHANNEL_LETTER, "en"), "total €7,407.36 (0)");
}

static void a_channel_the_template_lacks_is_not_found(void **state) {
    fixture *f = *state;
    const ar_template *t = ar_policy_template(f->policy, "statement");
    assert_false(ar_template_has_channel(t, ARCHASE_CHANNEL_EMAIL));
    assert_int_equal(ar_template_render(t, &f->ctx, ARCHASE_CHANNEL_EMAIL, &f->out), ARCHASE_ENOTFOUND);
    assert_non_null(ar_policy_template_for(f->policy, "overdue", ARCHASE_TONE_FIRM, ARCHASE_CHANNEL_SMS));
    assert_null(ar_policy_template_for(f->policy, "overdue", ARCHASE_TONE_FRIENDLY, ARCHASE_CHANNEL_SMS));
    assert_int_equal(ar_tone_soften(ARCHASE_TONE_FINAL), ARCHASE_TONE_FIRM);
    assert_int_equal(ar_tone_soften(ARCHASE_TONE_FORMAL), ARCHASE_TONE_FORMAL);
}

typedef struct render_ctx {
    fixture *f;
} render_ctx;

static int render_with(const archase_allocator *allocator, void *ctx) {
    fixture *f = ((render_ctx *)ctx)->f;
    ar_buf b;
    ar_buf_init(&b, allocator);
    f->ctx.invoice_count = 3;
    f->ctx.locale = "fr";
    int rc = ar_template_render(ar_policy_template(f->policy, "reminder"), &f->ctx, ARCHASE_CHANNEL_EMAIL, &b);
    if (!rc)
        rc = ar_template_render(ar_policy_template(f->policy, "statement"), &f->ctx, ARCHASE_CHANNEL_LETTER, &b);
    ar_buf_free(&b);
    return rc;
}

static void rendering_fails_only_for_memory(void **state) {
    render_ctx ctx = { *state };
    assert_true(failalloc_loop(render_with, NULL, &ctx) >= 1);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(email_bodies_escape_ledger_values_as_html, setup, teardown),
    cmocka_unit_test_setup_teardown(subjects_lose_line_breaks_so_no_header_can_be_injected, setup, teardown),
    cmocka_unit_test_setup_teardown(sms_drops_control_characters_and_keeps_to_the_length_limit, setup, teardown),
    cmocka_unit_test_setup_teardown(locales_format_amounts_and_dates_their_own_way, setup, teardown),
    cmocka_unit_test_setup_teardown(a_consolidated_message_lists_every_invoice, setup, teardown),
    cmocka_unit_test_setup_teardown(a_channel_the_template_lacks_is_not_found, setup, teardown),
    cmocka_unit_test_setup_teardown(rendering_fails_only_for_memory, setup, teardown),
};

AR_TEST_MAIN(tests)
