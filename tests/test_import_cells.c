/* tests/test_import_cells.c — cells as other systems write them, through the
 * public import API: amounts with a currency symbol, signs, parentheses and
 * separators in every place a mapping allows and some it refuses; whole
 * numbers, flags, lists and instalments of the native formats; an amount due
 * that goes back up after an export showed it paid. Each refused row is named
 * at its line and column with the reason, and leaves the ledger as it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "archase/io.h"
#include "support/importfixture.h"
#include "support/testutil.h"
#include "support/textsink.h"

typedef test_import_fixture fixture;

static int import_on(archase_engine *eng, int kind, const archase_mapping *m, const char *text,
                     archase_diag_list *diags, archase_date as_of) {
    archase_import_options o = ARCHASE_IMPORT_OPTIONS_INIT;
    o.kind = kind;
    o.mapping = m;
    o.source = "in";
    o.as_of = as_of;
    if (diags)
        archase_diag_list_clear(diags);
    return archase_import_buffer(eng, &o, text, strlen(text), diags, NULL);
}

static int import_text(archase_engine *eng, int kind, const archase_mapping *m, const char *text,
                       archase_diag_list *diags) {
    return import_on(eng, kind, m, text, diags, 20489); /* 2026-02-05 */
}

static int setup(void **state) {
    fixture *f = test_import_fixture_new();
    if (!f)
        return -1;
    if (import_text(f->eng, ARCHASE_KIND_CUSTOMERS, NULL, "customer_id,name\nC1,Acme\n", NULL) ||
        import_text(f->eng, ARCHASE_KIND_INVOICES, NULL,
                    "invoice_id,customer_id,issue_date,due_date,amount,currency\n"
                    "I1,C1,2026-01-01,2026-01-31,100.00,USD\nI2,C1,2026-01-01,2026-01-31,50.00,USD\n",
                    NULL))
        return -1;
    *state = f;
    return 0;
}

typedef struct line_case {
    const char *text;
    const char *expected; /* the first problem */
} line_case;

/* Importing each case is refused with ARCHASE_EINVAL, its first problem
 * reads as expected, and the ledger is as it was. */
static void expect_refused(fixture *f, int kind, const archase_mapping *m, const line_case *cases, size_t n) {
    char *before = text_sink_export_all(f->eng, NULL, 0);
    for (size_t i = 0; i < n; i++) {
        int got = import_text(f->eng, kind, m, cases[i].text, f->diags);
        if (got != ARCHASE_EINVAL)
            fail_msg("%s: expected EINVAL, got %s (%s)", cases[i].text, archase_error_name(got), test_import_first_diag(f));
        if (strcmp(test_import_first_diag(f), cases[i].expected) != 0)
            fail_msg("%s: expected\n  %s\ngot\n  %s", cases[i].text, cases[i].expected, test_import_first_diag(f));
    }
    char *after = text_sink_export_all(f->eng, NULL, 0);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void expect_accepted(fixture *f, int kind, const archase_mapping *m, const char *text) {
    int got = import_text(f->eng, kind, m, text, f->diags);
    if (got != 0)
        fail_msg("%s: refused (%s): %s", text, archase_error_name(got), test_import_first_diag(f));
}

static archase_mapping *load_mapping(const char *text) {
    archase_mapping *m = NULL;
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 10, &diags), 0);
    int rc = archase_mapping_load_buffer(text, strlen(text), "m.yaml", NULL, diags, &m);
    if (rc) {
        char line[600] = "";
        const archase_diag *d = archase_diag_list_get(diags, 0);
        if (d)
            archase_diag_format(d, line, sizeof line);
        fail_msg("mapping: %s: %s", archase_error_name(rc), line);
    }
    archase_diag_list_free(diags);
    return m;
}

/* ---- amounts as a US accounting package writes them ------------------------------------------ */

static const char DOLLAR_MAPPING[] =
    "version: 1\n"
    "csv: {thousands_separator: \",\", currency_symbol: \"$\", negative_parentheses: true}\n"
    "outputs:\n"
    "  - kind: payments\n"
    "    columns: {payment_id: Ref, customer_id: Cust, date: Paid, amount: Amount, kind: Kind, invoice_id: Inv}\n"
    "    constants: {currency: USD}\n";

#define DOLLAR_HEAD "Ref,Cust,Paid,Amount,Kind,Inv\n"

static void amounts_with_a_symbol_signs_and_separators_are_read_where_a_mapping_allows(void **state) {
    fixture *f = *state;
    archase_mapping *m = load_mapping(DOLLAR_MAPPING);
    static const line_case refused[] = {
        { DOLLAR_HEAD "P1,C1,2026-02-01,-$-5.00,payment,\n", "in:2:4: amount: '-$-5.00 USD' is not an amount: two minus signs" },
        { DOLLAR_HEAD "P1,C1,2026-02-01,\"($-5.00)\",payment,\n",
          "in:2:4: amount: '($-5.00) USD' is not an amount: two minus signs" },
        { DOLLAR_HEAD "P1,C1,2026-02-01,\",123.00\",payment,\n",
          "in:2:4: amount: ',123.00 USD' is not an amount: thousands separators must separate groups of three digits" },
        { DOLLAR_HEAD "P1,C1,2026-02-01,\"1234,567.00\",payment,\n",
          "in:2:4: amount: '1234,567.00 USD' is not an amount: thousands separators must separate groups of three "
          "digits" },
        { DOLLAR_HEAD "P1,C1,2026-02-01,\"1,234.5,6\",payment,\n",
          "in:2:4: amount: '1,234.5,6 USD' is not an amount: a thousands separator after the decimal separator" },
        { DOLLAR_HEAD "P1,C1,2026-02-01,1111111111111111111111111111111111111111111111111111111111111111111,payment,\n",
          "in:2:4: amount: '1111111111111111111111111111111111111111 USD' is not an amount: too long" },
        { DOLLAR_HEAD "P1,C1,2026-02-01,1.11111111111111111111111111111111111111111111111111111111111111111111,payment,\n",
          "in:2:4: amount: '1.11111111111111111111111111111111111111 USD' is not an amount: too long" },
        { DOLLAR_HEAD "P1,C1,2026-02-01,\"$(1.00)\",payment,\n",
          "in:2:4: amount: '$(1.00) USD' is not an amount: \"(1.00)\" is not an amount (expected [-]DIGITS[.DIGITS])" },
        { DOLLAR_HEAD "P1,C1,2026-02-01,$,payment,\n",
          "in:2:4: amount: '$ USD' is not an amount: empty amount" },
    };
    expect_refused(f, 0, m, refused, sizeof refused / sizeof *refused);
    /* The symbol before the digits, after the digits with or without a
     * space; parentheses as a minus (the symbol goes inside them). */
    expect_accepted(f, 0, m,
                    DOLLAR_HEAD "P1,C1,2026-02-01,\"$1,000.00\",payment,\n"
                                "P2,C1,2026-02-02,$ 2.50,payment,\n"
                                "P3,C1,2026-02-03,3.25 $,payment,\n"
                                "P4,C1,2026-02-04,4.75$,payment,\n"
                                "P5,C1,2026-02-05,\"($1.00)\",adjustment,I2\n");
    char *payments = text_sink_export(f->eng, ARCHASE_KIND_PAYMENTS, ARCHASE_FORMAT_CSV);
    static const char *const rows[] = { "P1,C1,,2026-02-01,1000.00,USD", "P2,C1,,2026-02-02,2.50,USD",
                                        "P3,C1,,2026-02-03,3.25,USD",    "P4,C1,,2026-02-04,4.75,USD",
                                        "P5,C1,I2,2026-02-05,-1.00,USD" };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        if (!strstr(payments, rows[i]))
            fail_msg("no '%s' in\n%s", rows[i], payments);
    }
    free(payments);
    archase_mapping_free(m);
}

/* A mapping that changes only the decimal separator reads dates natively. */
static void a_mapping_without_a_date_format_expects_iso_dates(void **state) {
    fixture *f = *state;
    archase_mapping *m = load_mapping("version: 1\n"
                                      "csv: {delimiter: \";\", decimal_separator: \",\"}\n"
                                      "outputs:\n"
                                      "  - kind: payments\n"
                                      "    columns: {payment_id: Ref, customer_id: Cust, date: Paid, amount: Amount}\n"
                                      "    constants: {currency: USD}\n");
    static const line_case refused[] = {
        { "Ref;Cust;Paid;Amount\nP1;C1;01.02.2026;5,00\n",
          "in:2:3: date: '01.02.2026' is not a date (expected YYYY-MM-DD)" },
        { "Ref;Cust;Paid;Amount\nP1;C1;2026-02-01;1.234,50\n",
          "in:2:4: amount: '1.234,50 USD' is not an amount: \"1\x01" "234.50\" is not an amount (expected "
          "[-]DIGITS[.DIGITS])" },
    };
    expect_refused(f, 0, m, refused, sizeof refused / sizeof *refused);
    expect_accepted(f, 0, m, "Ref;Cust;Paid;Amount\nP1;C1;2026-02-01;1234,50\n");
    char *payments = text_sink_export(f->eng, ARCHASE_KIND_PAYMENTS, ARCHASE_FORMAT_CSV);
    assert_non_null(strstr(payments, "P1,C1,,2026-02-01,1234.50,USD"));
    free(payments);
    archase_mapping_free(m);
}

/* ---- native cells --------------------------------------------------------------------------- */

static void native_cells_that_are_not_what_their_column_wants_are_refused_where_they_are(void **state) {
    fixture *f = *state;
    static const line_case customers[] = {
        { "customer_id,name,revision\nC2,B,+5\n", "in:2:3: revision: not a whole number: +5" },
        { "customer_id,name,revision\nC2,B, 5\n", "in:2:3: revision: not a whole number:  5" },
        { "customer_id,name,flags\nC2,B,hole\n", "in:2:3: flags: unknown flag 'hole'" },
        { "customer_id,name,flags\nC2,B,hold;strategix\n", "in:2:3: flags: unknown flag 'strategix'" },
    };
    expect_refused(f, ARCHASE_KIND_CUSTOMERS, NULL, customers, sizeof customers / sizeof *customers);

    /* A list of 1001 invoices. */
    size_t big = 200 + 1001 * 3;
    char *many = malloc(big);
    assert_non_null(many);
    int n = snprintf(many, big, "promise_id,customer_id,invoice_ids,amount,currency,promised_date\nQ1,C1,");
    for (int i = 0; i < 1001; i++)
        n += snprintf(many + n, big - (size_t)n, "%sI1", i ? ";" : "");
    snprintf(many + n, big - (size_t)n, ",5.00,USD,2026-03-01\n");
    const line_case promises[] = {
        { many, "in:2:3: invoice_ids: more than 1000 items" },
        { "promise_id,customer_id,invoice_ids,amount,currency,promised_date,instalments\n"
          "Q1,C1,I1,5.00,USD,2026-03-01,2026-03-01=abc;2026-04-01=5.00\n",
          "in:2:7: instalments: 'abc USD' is not an amount: \"abc\" is not an amount (expected [-]DIGITS[.DIGITS])" },
    };
    expect_refused(f, ARCHASE_KIND_PROMISES, NULL, promises, sizeof promises / sizeof *promises);
    free(many);

    /* Lists with spaces around their items; disputes resolved every way;
     * a note with its instant. */
    expect_accepted(f, ARCHASE_KIND_PROMISES, NULL,
                    "promise_id,customer_id,invoice_ids,amount,currency,promised_date\n"
                    "Q1,C1, I1 ; I2 ,5.00,USD,2026-03-01\n");
    char *promises_out = text_sink_export(f->eng, ARCHASE_KIND_PROMISES, ARCHASE_FORMAT_CSV);
    assert_non_null(strstr(promises_out, "Q1,C1,I1;I2,"));
    free(promises_out);
    expect_accepted(f, ARCHASE_KIND_DISPUTES, NULL,
                    "dispute_id,customer_id,invoice_ids,amount,currency,reason_code,opened_on,status,resolved_on,"
                    "resolution,root_cause,credited_amount\n"
                    "D1,C1,I1,10.00,USD,pricing,2026-02-01,resolved,2026-02-03,credit_issued,price,10.00\n"
                    "D2,C1,I1,10.00,USD,pricing,2026-02-01,resolved,2026-02-03,rejected,none,\n"
                    "D3,C1,I2,10.00,USD,pricing,2026-02-01,resolved,2026-02-03,partial,price,4.00\n");
    char *disputes = text_sink_export(f->eng, ARCHASE_KIND_DISPUTES, ARCHASE_FORMAT_CSV);
    assert_non_null(strstr(disputes, "credit_issued"));
    assert_non_null(strstr(disputes, "rejected"));
    assert_non_null(strstr(disputes, "partial"));
    free(disputes);
    expect_accepted(f, ARCHASE_KIND_NOTES, NULL,
                    "note_id,customer_id,invoice_id,text,at\nN1,C1,I1,called,2026-02-01T09:30:00Z\n");
    char *notes = text_sink_export(f->eng, ARCHASE_KIND_NOTES, ARCHASE_FORMAT_CSV);
    assert_non_null(strstr(notes, "2026-02-01T09:30:00Z"));
    free(notes);
}

/* ---- an amount due that goes back up ---------------------------------------------------------- */

static void an_amount_due_back_up_after_an_export_showed_it_paid_asks_for_an_adjustment(void **state) {
    fixture *f = *state;
    archase_mapping *m = load_mapping("version: 1\n"
                                      "outputs:\n"
                                      "  - kind: invoices\n"
                                      "    columns: {invoice_id: Id, customer_id: Cust, issue_date: Issued,"
                                      " due_date: Due, amount: Amount}\n"
                                      "    constants: {currency: USD}\n"
                                      "    amount_due: Open\n"
                                      "    revision: auto\n");
    const char *head = "Id,Cust,Issued,Due,Amount,Open\n";
    char text[200];
    /* Nothing paid yet: no payment. Then 40.00 paid. */
    snprintf(text, sizeof text, "%sI1,C1,2026-01-01,2026-01-31,100.00,100.00\n", head);
    assert_int_equal(import_on(f->eng, 0, m, text, f->diags, 20489), 0);
    char *payments = text_sink_export(f->eng, ARCHASE_KIND_PAYMENTS, ARCHASE_FORMAT_CSV);
    assert_null(strstr(payments, "I1:paid"));
    free(payments);
    snprintf(text, sizeof text, "%sI1,C1,2026-01-01,2026-01-31,100.00,60.00\n", head);
    assert_int_equal(import_on(f->eng, 0, m, text, f->diags, 20490), 0);
    payments = text_sink_export(f->eng, ARCHASE_KIND_PAYMENTS, ARCHASE_FORMAT_CSV);
    assert_non_null(strstr(payments, "I1:paid,C1,I1,2026-02-06,40.00,USD"));
    free(payments);
    /* The whole amount due again: the ledger cannot take the payment back. */
    char *before = text_sink_export_all(f->eng, NULL, 0);
    snprintf(text, sizeof text, "%sI1,C1,2026-01-01,2026-01-31,100.00,100.00\n", head);
    assert_int_equal(import_on(f->eng, 0, m, text, f->diags, 20491), ARCHASE_EINVAL);
    assert_string_equal(test_import_first_diag(f), "in:2:6: amount_due: 100.00 is due again, but the payment of 40.00 an earlier "
                                        "export showed cannot be taken back; record the reversal as an adjustment "
                                        "of -40.00");
    char *after = text_sink_export_all(f->eng, NULL, 0);
    assert_string_equal(before, after);
    free(before);
    free(after);
    archase_mapping_free(m);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(amounts_with_a_symbol_signs_and_separators_are_read_where_a_mapping_allows, setup,
                                    test_import_teardown),
    cmocka_unit_test_setup_teardown(a_mapping_without_a_date_format_expects_iso_dates, setup, test_import_teardown),
    cmocka_unit_test_setup_teardown(native_cells_that_are_not_what_their_column_wants_are_refused_where_they_are,
                                    setup, test_import_teardown),
    cmocka_unit_test_setup_teardown(an_amount_due_back_up_after_an_export_showed_it_paid_asks_for_an_adjustment,
                                    setup, test_import_teardown),
};

AR_TEST_MAIN(tests)
