/* tests/test_cov_template.c — message templates through the policy and the
 * cycle: every invoice field (id, number, issue and due date, amount, open
 * amount, days overdue, purchase order, source link) rendered for the
 * locale of the text chosen (the customer's, its language, the policy's
 * default, then English), HTML escapes in e-mail bodies, control characters
 * of ledger values (C0, DEL, C1) dropped, subjects cut to 250 characters
 * and SMS to sms_max_length; and the load errors of template text with
 * their messages: literal amounts however they are spaced, unknown fields
 * with and without a suggestion, unknown and mistyped filters, a "{{"
 * without its "}}", loops that are nested, misspelt or never ended. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/testutil.h"

#define DAY0 20484 /* 2026-01-31 */

/* ---- load errors ------------------------------------------------------------------- */

/* A policy whose only template's e-mail body is `body`; the message of the
 * load error, or "" when it loaded. */
static void load_error(const char *body, char *message, size_t size) {
    char text[2048];
    snprintf(text, sizeof text,
             "version: 1\n"
             "currency: {default: EUR}\n"
             "segments: [{name: all, sequence: standard}]\n"
             "sequences:\n"
             "  standard:\n"
             "    steps:\n"
             "      - {offset: 1, channel: email, template: t}\n"
             "templates:\n"
             "  definitions:\n"
             "    t:\n"
             "      email: {en: {subject: \"Hello\", body: \"%s\"}}\n",
             body);
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 4, &diags), 0);
    archase_policy *p = NULL;
    int rc = archase_policy_load_buffer(text, strlen(text), "p.yaml", NULL, &p, diags);
    message[0] = '\0';
    if (rc) {
        assert_int_equal(rc, ARCHASE_EPOLICY);
        assert_null(p);
        assert_true(archase_diag_list_count(diags) >= 1);
        snprintf(message, size, "%s", archase_diag_list_get(diags, 0)->message);
    }
    archase_policy_free(p);
    archase_diag_list_free(diags);
}

static void assert_load_error(const char *body, const char *want) {
    char message[512];
    load_error(body, message, sizeof message);
    if (!strstr(message, want))
        fail_msg("body \"%s\": got \"%s\", want \"%s\"", body, message, want);
}

static void assert_loads(const char *body) {
    char message[512];
    load_error(body, message, sizeof message);
    if (message[0])
        fail_msg("body \"%s\": %s", body, message);
}

static void literal_amounts_are_refused_however_they_are_spaced(void **state) {
    (void)state;
    assert_load_error("Pay 500 EUR now", "literal amount \"500 EUR\"");
    assert_load_error("Pay EUR 1,234.50 now", "literal amount \"EUR 1,234.50\"");
    assert_load_error("Pay $99 now", "literal amount \"$99\"");
    assert_load_error("Pay 99 $", "literal amount \"99 $\"");
    assert_load_error("Pay \\u00a3 12", "literal amount");
    assert_load_error("Pay 12\\u00a0EUR", "literal amount");          /* a no-break space before */
    assert_load_error("Pay EUR\\u00a012", "literal amount");          /* and after */
    assert_load_error("Pay \\u20ac7", "literal amount");
    assert_load_error("Pay 7\\u00a5", "literal amount");
    assert_load_error("Pay 1 234,56 EUR", "literal amount \"1 234,56 EUR\"");
    /* Not amounts: a code inside a word, a code not of a currency, a sign
     * with no number beside it, a number beside a code two spaces off. */
    assert_loads("EURO 5 and 5 EURO");
    assert_loads("ABC 500");
    assert_loads("Pay in $ or in EUR, 2 times");
    assert_loads("Pay 5  EUR");
    assert_loads("Costs\\u00a0$ more");
}

static void template_tags_are_checked_with_their_messages(void **state) {
    (void)state;
    assert_load_error("{{ invoice.numbr }}", "unknown template field \"invoice.numbr\" (did you mean \"invoice.number\"?)");
    assert_load_error("{{ zzzzzzzz }}", "unknown template field \"zzzzzzzz\" (the fields are listed in the policy reference)");
    assert_load_error("{{ invoice.number | upper }}", "unknown filter \"upper\" (money or date)");
    assert_load_error("{{ invoice.number | date }}", "invoice.number is not a date: \"| date\" formats dates");
    assert_load_error("{{ invoice.due_date | money }}", "invoice.due_date is not an amount");
    assert_load_error("Hello {{ customer.name", "\"{{\" without its closing \"}}\"");
    assert_load_error("Hello {{ customer.name {{ today }}", "\"{{\" without its closing \"}}\"");
    assert_load_error("{{ end }}", "{{ end }} without a loop to end");
    assert_load_error("{{ for inv in invoices }}{{ end }}", "a loop is written {{ for invoice in invoices }}");
    assert_load_error("{{ for invoice in invoices }}{{ for invoice in invoices }}{{ end }}{{ end }}",
                      "loops cannot be nested");
    assert_load_error("{{ for invoice in invoices }} {{ invoice.number }}", "without its {{ end }}");
    /* Spacing inside a tag does not matter; a lone "}}" is text. */
    assert_loads("{{  for  invoice  in  invoices  }}{{ invoice.number }}{{end}} }} done");
    assert_loads("{{ invoice.due_date|date }} {{ invoice.amount |money}}");
    assert_loads("{{ for invoice \\t in   invoices }}{{ invoice.number }}{{ end }}");
    /* Three letters that are not "end"; a four-letter filter that is not "date". */
    assert_load_error("{{ abc }}", "unknown template field \"abc\"");
    assert_load_error("{{ invoice.due_date | daet }}", "unknown filter \"daet\" (money or date)");
    /* Long names are quoted up to 40 characters. */
    assert_load_error("{{ invoice.number | ffffffffffffffffffffffffffffffffffffffffffffffffff }}",
                      "unknown filter \"ffffffffffffffffffffffffffffffffffffffff\" (money or date)");
    assert_load_error("{{ qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq }}",
                      "unknown template field \"qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq\" (the fields");
    assert_load_error("Pay 1234567890123456789012345678901234567890123456789 EUR",
                      "literal amount \"1234567890123456789012345678901234567890\" in the text");
}

/* ---- rendering --------------------------------------------------------------------- */

static const char policy_text[] =
    "version: 1\n"
    "currency: {default: EUR}\n"
    "segments:\n"
    "  - {name: texts, sequence: texts, when: \"tier == sms\"}\n"
    "  - {name: all, sequence: standard}\n"
    TEST_POLICY_STANDARD_STEPS
    "      - {offset: 1, channel: email, template: full}\n"
    "  texts:\n"
    "    roll: none\n"
    "    steps:\n"
    "      - {offset: 1, channel: sms, template: full}\n"
    "call_queue: {enabled: false}\n"
    TEST_POLICY_ANY_TIME
    "templates:\n"
    "  default_locale: fr\n"
    "  sms_max_length: 70\n"
    "  definitions:\n"
    "    full:\n"
    "      stage: overdue\n"
    "      email:\n"
    "        en:\n"
    "          subject: \"{{ customer.name }} {{ invoice.po_ref }}\"\n"
    "          body: \"<p>{{ invoice.id }}|{{ invoice.number }}|{{ invoice.issue_date | date }}|"
    "{{ invoice.due_date }}|{{ invoice.amount | money }}|{{ invoice.open_amount }}|"
    "{{ invoice.days_overdue }}|{{ invoice.po_ref }}|{{ invoice.source_link }}|{{ customer.name }}</p>\"\n"
    "        de:\n"
    "          subject: \"Rechnung {{ invoice.number }}\"\n"
    "          body: \"{{ invoice.issue_date }}|{{ invoice.amount }}\"\n"
    "        fr:\n"
    "          subject: \"Facture {{ invoice.number }}\"\n"
    "          body: \"{{ invoice.issue_date }}|{{ invoice.amount }}\"\n"
    "      sms:\n"
    "        en: {body: \"{{ customer.name }}: {{ invoice.number }} of {{ invoice.amount }} is open since\n"
    "                {{ invoice.due_date }}. Please pay it today.\"}\n";

typedef struct fixture {
    archase_engine *eng;
    archase_policy *policy;
} fixture;

static void put_customer(fixture *f, const char *id, const char *name, const char *locale, const char *tier,
                         int channel, const char *po_ref, const char *link) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = id;
    c.name = name;
    c.locale = locale;
    c.tier = tier;
    assert_int_equal(archase_customer_put(f->eng, &c, NULL), 0);
    char kid[32], iid[32], num[32];
    snprintf(kid, sizeof kid, "K-%s", id);
    snprintf(iid, sizeof iid, "I-%s", id);
    snprintf(num, sizeof num, "N-%s", id);
    const char *address = channel == ARCHASE_CHANNEL_SMS ? "+4915112345678" : "ap@example.com";
    test_put_contact(f->eng, kid, id, channel, address);
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = iid;
    inv.customer_id = id;
    inv.number = num;
    inv.issue_date = DAY0 - 30; /* 2026-01-01 */
    inv.due_date = DAY0;
    inv.amount = (archase_money){ 123456, "EUR" };
    inv.po_ref = po_ref;
    inv.source_link = link;
    assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), 0);
}

typedef struct message {
    char subject[512];
    char body[2048];
} message;

typedef struct by_customer {
    const char *customer;
    message    *out;
    int         found;
} by_customer;

static int take_message(void *ud, const archase_outbox_item *it) {
    by_customer *b = ud;
    if (it->customer_id && !strcmp(it->customer_id, b->customer)) {
        snprintf(b->out->subject, sizeof b->out->subject, "%s", it->subject ? it->subject : "");
        snprintf(b->out->body, sizeof b->out->body, "%s", it->body ? it->body : "");
        b->found++;
    }
    return 0;
}

static message message_of(fixture *f, const char *customer) {
    message m;
    memset(&m, 0, sizeof m);
    by_customer b = { customer, &m, 0 };
    assert_int_equal(archase_outbox_scan(f->eng, 0, take_message, &b), 0);
    assert_int_equal(b.found, 1);
    return m;
}

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(archase_open_memory(NULL, &f->eng), 0);
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 4, &diags), 0);
    int rc = archase_policy_load_buffer(policy_text, strlen(policy_text), "p.yaml", NULL, &f->policy, diags);
    if (rc)
        fail_msg("%s", archase_diag_list_get(diags, 0)->message);
    archase_diag_list_free(diags);
    /* Control characters in a name: a tab, DEL, and the C1 character U+0085. */
    put_customer(f, "EN", "A&B <\"Co\"> 'x'\x7f\xc2\x85", "en", NULL, ARCHASE_CHANNEL_EMAIL, "PO\t7",
                 "https://erp.example/i?a=1&b=2");
    put_customer(f, "AT", "Wien GmbH", "de-AT", NULL, ARCHASE_CHANNEL_EMAIL, NULL, NULL);
    put_customer(f, "JP", "Tokyo KK", "ja", NULL, ARCHASE_CHANNEL_EMAIL, NULL, NULL);
    put_customer(f, "NONE", "No Locale", NULL, NULL, ARCHASE_CHANNEL_EMAIL, NULL, NULL);
    char longname[400];
    memset(longname, 'n', 300);
    longname[300] = '\0';
    put_customer(f, "LONG", longname, "en-GB", NULL, ARCHASE_CHANNEL_EMAIL, "PO-1", NULL);
    put_customer(f, "SMS", "Line\none\x01", "en", "sms", ARCHASE_CHANNEL_SMS, NULL, NULL);
    archase_cycle_options co = ARCHASE_CYCLE_OPTIONS_INIT;
    co.dispatch = 0;
    archase_cycle_report rep;
    memset(&rep, 0, sizeof rep);
    rep.version = ARCHASE_CYCLE_REPORT_VERSION;
    rc = archase_run_cycle(f->eng, f->policy, DAY0 + 1, &co, &rep);
    if (rc)
        fail_msg("cycle: %s", archase_engine_errmsg(f->eng));
    assert_int_equal(rep.outbox_written, 6);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    archase_engine_free(f->eng);
    archase_policy_free(f->policy);
    free(f);
    return 0;
}

static void every_invoice_field_renders_escaped_for_html(void **state) {
    fixture *f = *state;
    message m = message_of(f, "EN");
    assert_string_equal(m.body, "<p>I-EN|N-EN|1 January 2026|31 January 2026|\xe2\x82\xac" "1,234.56|"
                                "\xe2\x82\xac" "1,234.56|1|PO\t7|https://erp.example/i?a=1&amp;b=2|"
                                "A&amp;B &lt;&quot;Co&quot;&gt; &#39;x&#39;</p>");
    /* The subject keeps no control character at all. */
    assert_string_equal(m.subject, "A&B <\"Co\"> 'x' PO7");
}

static void the_text_is_chosen_by_locale_then_language_then_the_default(void **state) {
    fixture *f = *state;
    message at = message_of(f, "AT"); /* de-AT: the German text */
    assert_string_equal(at.subject, "Rechnung N-AT");
    assert_string_equal(at.body, "1. Januar 2026|1.234,56\xc2\xa0\xe2\x82\xac"); /* a no-break space */
    message jp = message_of(f, "JP"); /* no Japanese: the policy's default, French */
    assert_string_equal(jp.subject, "Facture N-JP");
    assert_non_null(strstr(jp.body, "1 janvier 2026|"));
    message none = message_of(f, "NONE");
    assert_string_equal(none.subject, "Facture N-NONE");
    assert_string_equal(none.body, jp.body);
}

static void subjects_are_cut_to_250_characters_and_sms_to_its_limit(void **state) {
    fixture *f = *state;
    message m = message_of(f, "LONG"); /* en-GB: the English text */
    assert_int_equal(strlen(m.subject), 250);
    assert_int_equal(strspn(m.subject, "n"), 250);
    message sms = message_of(f, "SMS");
    /* The line break stays, the other control character goes, and the text
     * is cut at 70 characters (the euro sign is one, of three bytes). */
    size_t chars = 0;
    for (const char *c = sms.body; *c; c++)
        chars += ((unsigned char)*c & 0xc0) != 0x80;
    assert_int_equal(chars, 70);
    assert_int_equal(strlen(sms.body), 72);
    assert_string_equal(sms.body, "Line\none: N-SMS of \xe2\x82\xac" "1,234.56 is open since 31 January 2026. Please pay");
    assert_string_equal(sms.subject, "");
}

/* A template written only in German: whoever reads it, and whatever the
 * default locale, it is the text there is. */
static void a_template_in_one_language_is_used_for_every_locale(void **state) {
    (void)state;
    static const char text[] =
        TEST_POLICY_ONE_SEGMENT
        "      - {offset: 1, channel: email, template: only}\n"
        "call_queue: {enabled: false}\n"
        TEST_POLICY_ANY_TIME
        "templates:\n"
        "  default_locale: es\n"
        "  definitions:\n"
        "    only:\n"
        "      email: {de: {subject: \"Rechnung {{ invoice.number }}\", body: \"{{ invoice.open_amount }}\"}}\n";
    fixture f;
    memset(&f, 0, sizeof f);
    assert_int_equal(archase_open_memory(NULL, &f.eng), 0);
    assert_int_equal(archase_policy_load_buffer(text, strlen(text), "p.yaml", NULL, &f.policy, NULL), 0);
    put_customer(&f, "FR", "Paris SA", "fr-FR", NULL, ARCHASE_CHANNEL_EMAIL, NULL, NULL);
    put_customer(&f, "EMPTY", "No Locale", "", NULL, ARCHASE_CHANNEL_EMAIL, NULL, NULL);
    archase_cycle_options co = ARCHASE_CYCLE_OPTIONS_INIT;
    co.dispatch = 0;
    assert_int_equal(archase_run_cycle(f.eng, f.policy, DAY0 + 1, &co, NULL), 0);
    message fr = message_of(&f, "FR");
    assert_string_equal(fr.subject, "Rechnung N-FR");
    assert_string_equal(fr.body, "1.234,56\xc2\xa0\xe2\x82\xac"); /* written as German */
    message none = message_of(&f, "EMPTY");
    assert_string_equal(none.subject, "Rechnung N-EMPTY");
    archase_engine_free(f.eng);
    archase_policy_free(f.policy);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(literal_amounts_are_refused_however_they_are_spaced),
        cmocka_unit_test(template_tags_are_checked_with_their_messages),
        cmocka_unit_test_setup_teardown(every_invoice_field_renders_escaped_for_html, setup, teardown),
        cmocka_unit_test_setup_teardown(the_text_is_chosen_by_locale_then_language_then_the_default, setup, teardown),
        cmocka_unit_test_setup_teardown(subjects_are_cut_to_250_characters_and_sms_to_its_limit, setup, teardown),
        cmocka_unit_test(a_template_in_one_language_is_used_for_every_locale),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name(__FILE__, tests, NULL, NULL);
}
