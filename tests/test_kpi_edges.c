/* tests/test_kpi_edges.c — the KPI figures at their edges, through the public
 * API: one currency asked for leaves out every other currency's invoices,
 * promises and disputes; promises cancelled, recorded after the period,
 * closed without being paid or older than a year are not due; disputes
 * resolved before the period or opened after it are not in its groups;
 * messages about unknown, not yet issued or void invoices and without a
 * step or template; reviews done before the period or drafted after it; a
 * backend that cannot count; a void invoice paid in full; countback in the
 * calendar's first months; a promise over two invoices closed in turn. */
#include <stdio.h>
#include <string.h>

#include "archase/archase.h"
#include "archase/promise.h"
#include "archase/sys/storage.h"
#include "support/kpiledger.h"
#include "support/ledger.h"
#include "support/memengine.h"
#include "support/testutil.h"

typedef test_memengine fixture;

static void given_promise(fixture *f, const char *id, const char *invoice, const char *money, const char *date,
                          const char *recorded) {
    const char *ids[1] = { invoice };
    test_kpi_promise(f, id, ids, 1, money, date, 0, recorded);
}

static int64_t value(fixture *f, const char *currency, int metric) {
    archase_kpi_value v;
    assert_int_equal(archase_kpi_value_get(f->report, test_kpi_row(f, currency), metric, &v), 0);
    assert_int_equal(v.defined, 1);
    return v.value;
}

/* ---- currencies ------------------------------------------------------------------------ */

/* A ledger that met dollars before euros. */
static void given_two_currencies(fixture *f) {
    test_kpi_customer(f, "C1");
    test_kpi_invoice(f, "C1", "U1", "2026-01-05", "2026-02-04", "1000.00 USD", ARCHASE_INVOICE_OPEN);
    test_kpi_invoice(f, "C1", "E1", "2026-01-10", "2026-02-09", "500.00 EUR", ARCHASE_INVOICE_OPEN);
    given_promise(f, "PU", "U1", "1000.00 USD", "2026-02-20", "2026-02-10");
    test_kpi_dispute(f, "DU", "U1", "200.00 USD", "pricing", "2026-02-12", NULL, NULL);
}

static void one_currency_asked_for_leaves_out_the_others_facts(void **state) {
    fixture *f = *state;
    given_two_currencies(f);
    archase_kpi_options o = ARCHASE_KPI_OPTIONS_INIT;
    o.currency = "EUR";
    test_kpi_compute(f, "2026-02-01", "2026-02-28", &o);
    assert_int_equal(archase_kpi_row_count(f->report), 1);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_OPEN_AR), 50000);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_PROMISES_DUE), 0);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_OPEN_DISPUTES), 0);
    assert_int_equal(archase_kpi_dispute_group_count(f->report), 0);

    /* all of them: a row each, in code order though dollars came first */
    test_kpi_compute(f, "2026-02-01", "2026-02-28", NULL);
    assert_int_equal(archase_kpi_row_count(f->report), 2);
    archase_kpi_row row = ARCHASE_KPI_ROW_INIT;
    assert_int_equal(archase_kpi_row_get(f->report, 0, &row), 0);
    assert_string_equal(row.currency, "EUR");
    assert_int_equal(archase_kpi_row_get(f->report, 1, &row), 0);
    assert_string_equal(row.currency, "USD");
    assert_int_equal(value(f, "USD", ARCHASE_KPI_OPEN_AR), 100000);
    assert_int_equal(value(f, "USD", ARCHASE_KPI_PROMISES_DUE), 1);
    assert_int_equal(value(f, "USD", ARCHASE_KPI_OPEN_DISPUTES), 1);
    assert_int_equal(archase_kpi_dispute_group_count(f->report), 2);
}

/* ---- promises ---------------------------------------------------------------------------- */

static void only_promises_that_stood_at_their_deadline_in_the_period_are_due(void **state) {
    fixture *f = *state;
    test_kpi_customer(f, "C1");
    /* kept: paid in full before its deadline */
    test_kpi_invoice(f, "C1", "A", "2026-01-01", "2026-01-31", "200.00 EUR", ARCHASE_INVOICE_OPEN);
    given_promise(f, "P-kept", "A", "200.00 EUR", "2026-03-20", "2026-03-02");
    test_kpi_paid(f, "PA", "A", "2026-03-18", "200.00 EUR", ARCHASE_PAYMENT);
    /* cancelled before its deadline */
    test_kpi_invoice(f, "C1", "B", "2026-01-01", "2026-01-31", "1000.00 EUR", ARCHASE_INVOICE_OPEN);
    given_promise(f, "P-cancelled", "B", "1000.00 EUR", "2026-03-05", "2026-02-20");
    test_ok(f->eng, archase_promise_cancel(f->eng, "P-cancelled", "customer withdrew", test_day("2026-02-25")));
    /* recorded after the period: not known at its end */
    test_kpi_invoice(f, "C1", "C", "2026-01-01", "2026-01-31", "400.00 EUR", ARCHASE_INVOICE_OPEN);
    given_promise(f, "P-late", "C", "400.00 EUR", "2026-03-25", "2026-04-02");
    /* its invoice closed by a credit note before the deadline: void */
    test_kpi_invoice(f, "C1", "D", "2026-01-01", "2026-01-31", "300.00 EUR", ARCHASE_INVOICE_OPEN);
    given_promise(f, "P-void", "D", "300.00 EUR", "2026-03-15", "2026-03-01");
    test_kpi_paid(f, "CD", "D", "2026-03-10", "300.00 EUR", ARCHASE_CREDIT_NOTE);
    /* due after the period, and more than a year before it */
    given_promise(f, "P-next", "C", "400.00 EUR", "2026-04-20", "2026-03-05");
    test_kpi_invoice(f, "C1", "E", "2024-05-01", "2024-05-31", "50.00 EUR", ARCHASE_INVOICE_OPEN);
    given_promise(f, "P-old", "E", "50.00 EUR", "2024-06-10", "2024-06-01");

    archase_kpi_options o = ARCHASE_KPI_OPTIONS_INIT;
    o.customers = 1;
    test_kpi_compute(f, "2026-03-01", "2026-03-31", &o);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_PROMISES_DUE), 1);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_PROMISES_KEPT), 1);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_PROMISED_AMOUNT), 20000);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_PROMISED_PAID), 20000);
    assert_int_equal(archase_kpi_customer_count(f->report), 1);
    archase_kpi_customer c = ARCHASE_KPI_CUSTOMER_INIT;
    assert_int_equal(archase_kpi_customer_get(f->report, 0, &c), 0);
    assert_string_equal(c.customer_id, "C1");
    assert_int_equal(c.promises_due, 1);
    assert_int_equal(c.broken_promises, 0);

    /* a month later P-late, known now, is due in the customer's last 365 days, not kept */
    test_kpi_compute(f, "2026-04-01", "2026-04-30", &o);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_PROMISES_DUE), 1); /* P-next */
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_PROMISES_KEPT), 0);
    assert_int_equal(archase_kpi_customer_get(f->report, 0, &c), 0);
    assert_int_equal(c.promises_due, 3);   /* P-kept, P-late, P-next */
    assert_int_equal(c.broken_promises, 2); /* P-late, P-next */
}

/* ---- disputes ---------------------------------------------------------------------------- */

static void disputes_outside_the_period_are_in_none_of_its_groups(void **state) {
    fixture *f = *state;
    test_kpi_customer(f, "C1");
    test_kpi_invoice(f, "C1", "A", "2026-01-01", "2026-01-31", "1000.00 EUR", ARCHASE_INVOICE_OPEN);
    /* resolved before the period */
    test_kpi_dispute(f, "D-before", "A", "100.00 EUR", "quality", "2026-01-05", "2026-01-20", "packaging");
    /* opened after it */
    test_kpi_dispute(f, "D-after", "A", "100.00 EUR", "delivery", "2026-03-05", NULL, NULL);
    /* resolved in it */
    test_kpi_dispute(f, "D-in", "A", "300.00 EUR", "pricing", "2026-02-01", "2026-02-11", "price_list");
    /* open at its end */
    test_kpi_dispute(f, "D-open", "A", "200.00 EUR", "pricing", "2026-02-20", NULL, NULL);
    test_kpi_compute(f, "2026-02-01", "2026-02-28", NULL);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_OPEN_DISPUTES), 1);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_OPEN_DISPUTED_AMOUNT), 20000);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_RESOLVED_DISPUTES), 1);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_DISPUTE_MEAN_DAYS_TO_RESOLVE), 1000);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_DISPUTE_OLDEST_DAYS_OPEN), 800);
    /* reason pricing; root causes price_list and untagged: no quality,
     * delivery or packaging */
    size_t n = archase_kpi_dispute_group_count(f->report);
    assert_int_equal(n, 3);
    const char *names[3] = { "pricing", "price_list", "untagged" };
    const int dims[3] = { ARCHASE_KPI_BY_REASON, ARCHASE_KPI_BY_ROOT_CAUSE, ARCHASE_KPI_BY_ROOT_CAUSE };
    for (size_t i = 0; i < n; i++) {
        archase_kpi_dispute_group g = ARCHASE_KPI_DISPUTE_GROUP_INIT;
        assert_int_equal(archase_kpi_dispute_group_get(f->report, i, &g), 0);
        assert_int_equal(g.dimension, dims[i]);
        assert_string_equal(g.name, names[i]);
    }
}

/* ---- messages ------------------------------------------------------------------------------ */

static archase_kpi_touch touch(const char *const *ids, size_t n, const char *date, const char *sequence,
                               const char *step, const char *tmpl) {
    archase_kpi_touch t = ARCHASE_KPI_TOUCH_INIT;
    t.customer_id = "C1";
    t.invoice_ids = ids;
    t.invoice_count = n;
    t.date = test_day(date);
    t.channel = ARCHASE_CHANNEL_EMAIL;
    t.sequence = sequence;
    t.step = step;
    t.template_name = tmpl;
    return t;
}

static void messages_count_only_the_known_invoices_open_when_they_were_sent(void **state) {
    fixture *f = *state;
    test_kpi_customer(f, "C1");
    test_kpi_invoice(f, "C1", "A", "2026-01-01", "2026-01-31", "100.00 EUR", ARCHASE_INVOICE_OPEN);
    test_kpi_invoice(f, "C1", "B", "2026-03-10", "2026-04-09", "700.00 EUR", ARCHASE_INVOICE_OPEN);
    test_kpi_invoice(f, "C1", "V", "2026-01-01", "2026-01-31", "900.00 EUR", ARCHASE_INVOICE_VOID);
    test_kpi_invoice(f, "C1", "P", "2026-01-01", "2026-01-31", "50.00 EUR", ARCHASE_INVOICE_OPEN);
    test_kpi_paid(f, "PP", "P", "2026-02-20", "50.00 EUR", ARCHASE_PAYMENT);
    static const char *unknown[] = { "nope" }, *a_unknown[] = { "nope", "A" }, *b[] = { "B" }, *v[] = { "V" },
                      *p[] = { "P" };
    archase_kpi_touch t[5] = {
        /* nothing the ledger knows: not a message of the period */
        touch(unknown, 1, "2026-03-02", "standard", "d+30", "firm"),
        /* the unknown invoice is left out, A counts */
        touch(a_unknown, 2, "2026-03-02", NULL, "d+30", NULL),
        /* before B was issued, about a void invoice, about a paid one */
        touch(b, 1, "2026-03-03", "", "", ""),
        touch(v, 1, "2026-03-03", NULL, NULL, NULL),
        touch(p, 1, "2026-03-04", NULL, NULL, NULL),
    };
    archase_kpi_options o = ARCHASE_KPI_OPTIONS_INIT;
    o.touches = t;
    o.touch_count = 5;
    test_kpi_compute(f, "2026-03-01", "2026-03-31", &o);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_MESSAGES), 4);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_MESSAGE_AMOUNT), 10000); /* A's only */
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_EFFECTIVE_MESSAGES), 0);
    /* steps "none/d+30" and "none"; templates "none" */
    size_t n = archase_kpi_effectiveness_count(f->report);
    assert_int_equal(n, 3);
    archase_kpi_effectiveness g = ARCHASE_KPI_EFFECTIVENESS_INIT;
    assert_int_equal(archase_kpi_effectiveness_get(f->report, 0, &g), 0);
    assert_int_equal(g.dimension, ARCHASE_KPI_BY_STEP);
    assert_string_equal(g.name, "none");
    assert_int_equal(g.messages, 3);
    assert_int_equal(g.amount, 0);
    assert_int_equal(archase_kpi_effectiveness_get(f->report, 1, &g), 0);
    assert_int_equal(g.dimension, ARCHASE_KPI_BY_STEP);
    assert_string_equal(g.name, "none/d+30");
    assert_int_equal(g.messages, 1);
    assert_int_equal(g.amount, 10000);
    assert_int_equal(archase_kpi_effectiveness_get(f->report, 2, &g), 0);
    assert_int_equal(g.dimension, ARCHASE_KPI_BY_TEMPLATE);
    assert_string_equal(g.name, "none");
    assert_int_equal(g.messages, 4);
}

/* ---- reviews ------------------------------------------------------------------------------- */

static void reviews_before_the_period_and_drafts_after_it_are_left_out(void **state) {
    fixture *f = *state;
    archase_kpi_review r[4];
    for (int i = 0; i < 4; i++) {
        archase_kpi_review init = ARCHASE_KPI_REVIEW_INIT;
        r[i] = init;
        r[i].draft_id = "d";
        r[i].reviewer = "rita";
    }
    /* drafted and reviewed before the period */
    r[0].drafted_at = test_instant("2026-02-27T09:00:00Z");
    r[0].reviewed_at = test_instant("2026-02-27T10:00:00Z");
    r[0].outcome = ARCHASE_REVIEW_APPROVED;
    /* drafted after it, still pending or reviewed later */
    r[1].drafted_at = test_instant("2026-04-02T09:00:00Z");
    r[2].drafted_at = test_instant("2026-04-02T09:00:00Z");
    r[2].reviewed_at = test_instant("2026-04-03T09:00:00Z");
    r[2].outcome = ARCHASE_REVIEW_REJECTED;
    /* drafted before it, reviewed in it after 90 minutes */
    r[3].drafted_at = test_instant("2026-02-28T23:00:00Z");
    r[3].reviewed_at = test_instant("2026-03-01T00:30:00Z");
    r[3].outcome = ARCHASE_REVIEW_EDITED;
    archase_kpi_reviewer_effort e = test_kpi_reviewer_effort(f, "2026-03-01", "2026-03-31", r, 4);
    assert_int_equal(e.reviewed, 1);
    assert_int_equal(e.edited, 1);
    assert_int_equal(e.pending, 0);
    assert_int_equal(e.edit_percent.hundredths, 10000);
    assert_int_equal(e.mean_minutes_to_review.hundredths, 9000);
}


/* ---- how the ledger is read ------------------------------------------------------------------ */

/* A backend that cannot count records gives the same figures: the view
 * only sizes its arrays by the count. */
static void a_backend_without_count_gives_the_same_figures(void **state) {
    fixture *f = *state;
    given_two_currencies(f);
    test_kpi_invoice(f, "C1", "E2", "2026-01-20", "2026-02-19", "80.00 EUR", ARCHASE_INVOICE_OPEN);
    test_kpi_paid(f, "PE2", "E2", "2026-02-15", "80.00 EUR", ARCHASE_PAYMENT);
    test_kpi_compute(f, "2026-02-01", "2026-02-28", NULL);
    archase_kpi_report *with_count = f->report;
    f->report = NULL;
    archase_storage s = test_unowned(&f->store);
    s.count = NULL;
    archase_engine *eng = NULL;
    assert_int_equal(archase_engine_open(&s, NULL, &eng), 0);
    archase_kpi_report *without = NULL;
    assert_int_equal(archase_kpi_compute(eng, test_day("2026-02-01"), test_day("2026-02-28"), NULL, &without), 0);
    assert_int_equal(archase_kpi_row_count(without), 2);
    for (size_t row = 0; row < 2; row++) {
        for (int m = 1; m < ARCHASE_KPI_METRIC_LIMIT; m++) {
            archase_kpi_value a, b;
            assert_int_equal(archase_kpi_value_get(with_count, row, m, &a), 0);
            assert_int_equal(archase_kpi_value_get(without, row, m, &b), 0);
            assert_int_equal(a.defined, b.defined);
            assert_int_equal(a.value, b.value);
        }
    }
    archase_kpi_report_free(without);
    archase_kpi_report_free(with_count);
    archase_engine_free(eng);
}

/* A void invoice is never settled, whatever was paid toward it; an open
 * dispute with an empty root cause counts as untagged. */
static void a_void_invoice_paid_in_full_is_not_settled(void **state) {
    fixture *f = *state;
    test_kpi_customer(f, "C1");
    test_kpi_invoice(f, "C1", "A", "2026-01-01", "2026-01-31", "100.00 EUR", ARCHASE_INVOICE_OPEN);
    test_kpi_paid(f, "PA", "A", "2026-02-10", "100.00 EUR", ARCHASE_PAYMENT);
    test_kpi_invoice(f, "C1", "V", "2026-01-01", "2026-01-31", "300.00 EUR", ARCHASE_INVOICE_OPEN);
    test_kpi_paid(f, "PV", "V", "2026-02-12", "300.00 EUR", ARCHASE_PAYMENT);
    archase_invoice v = ARCHASE_INVOICE_INIT;
    v.id = "V";
    v.customer_id = "C1";
    v.issue_date = test_day("2026-01-01");
    v.due_date = test_day("2026-01-31");
    v.amount = test_money("300.00 EUR");
    v.revision = 1;
    v.source_status = ARCHASE_INVOICE_VOID;
    test_ok(f->eng, archase_invoice_put(f->eng, &v, NULL));
    test_kpi_dispute(f, "D", "A", "10.00 EUR", "pricing", "2026-02-02", NULL, "");
    test_kpi_compute(f, "2026-02-01", "2026-02-28", NULL);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_SETTLED_INVOICES), 1);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_OPEN_AR), 0);
    archase_kpi_dispute_group g = ARCHASE_KPI_DISPUTE_GROUP_INIT;
    assert_int_equal(archase_kpi_dispute_group_count(f->report), 2);
    assert_int_equal(archase_kpi_dispute_group_get(f->report, 1, &g), 0);
    assert_int_equal(g.dimension, ARCHASE_KPI_BY_ROOT_CAUSE);
    assert_string_equal(g.name, "untagged");
    assert_int_equal(g.open, 1);
}


/* ---- the calendar's first months, a promise over two invoices ---------------------------------- */

/* Countback walks back at most to the calendar's first month: from March of
 * year 1 only February and January exist, and the January invoice issued
 * before them is left over. */
static void countback_in_the_first_months_of_the_calendar_walks_back_only_as_far_as_they_go(void **state) {
    fixture *f = *state;
    test_kpi_customer(f, "C1");
    test_kpi_invoice(f, "C1", "A", "0001-01-10", "0001-02-09", "100.00 EUR", ARCHASE_INVOICE_OPEN);
    test_kpi_compute(f, "0001-03-01", "0001-03-31", NULL);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_OPEN_AR), 10000);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_COUNTBACK_MONTHS), 2);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_COUNTBACK_LEFTOVER), 1);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_COUNTBACK_LEFTOVER_AR), 10000);
}

/* A promise over two invoices paid in full, the second one first, was kept
 * on the day the last of them closed. */
static void a_promise_over_two_invoices_is_kept_when_the_last_of_them_closes(void **state) {
    fixture *f = *state;
    test_kpi_customer(f, "C1");
    test_kpi_invoice(f, "C1", "X", "2026-01-01", "2026-01-31", "100.00 EUR", ARCHASE_INVOICE_OPEN);
    test_kpi_invoice(f, "C1", "Y", "2026-01-01", "2026-01-31", "50.00 EUR", ARCHASE_INVOICE_OPEN);
    const char *ids[2] = { "X", "Y" };
    test_kpi_promise(f, "PXY", ids, 2, "150.00 EUR", "2026-03-10", 0, "2026-03-01");
    test_kpi_paid(f, "PY", "Y", "2026-03-03", "50.00 EUR", ARCHASE_PAYMENT);
    test_kpi_paid(f, "PX", "X", "2026-03-05", "100.00 EUR", ARCHASE_PAYMENT);
    test_kpi_compute(f, "2026-03-01", "2026-03-31", NULL);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_PROMISES_DUE), 1);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_PROMISES_KEPT), 1);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_PROMISED_PAID), 15000);
}


/* A promise without a recorded day counts what was paid before its
 * deadline, however early. */
static void a_promise_without_a_recorded_day_counts_every_payment_by_its_deadline(void **state) {
    fixture *f = *state;
    test_kpi_customer(f, "C1");
    test_kpi_invoice(f, "C1", "X", "2026-01-01", "2026-01-31", "100.00 EUR", ARCHASE_INVOICE_OPEN);
    test_kpi_paid(f, "P1", "X", "2026-02-20", "40.00 EUR", ARCHASE_PAYMENT);
    test_kpi_paid(f, "P2", "X", "2026-03-04", "30.00 EUR", ARCHASE_PAYMENT);
    const char *ids[1] = { "X" };
    test_kpi_promise(f, "PX", ids, 1, "70.00 EUR", "2026-03-10", 0, NULL);
    test_kpi_compute(f, "2026-03-01", "2026-03-31", NULL);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_PROMISES_DUE), 1);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_PROMISES_KEPT), 1);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_PROMISED_PAID), 7000);
    assert_int_equal(value(f, "EUR", ARCHASE_KPI_OPEN_AR), 3000);
}

#define T(name) cmocka_unit_test_setup_teardown(name, test_memengine_setup, test_memengine_teardown)

static const struct CMUnitTest tests[] = {
    T(one_currency_asked_for_leaves_out_the_others_facts),
    T(only_promises_that_stood_at_their_deadline_in_the_period_are_due),
    T(disputes_outside_the_period_are_in_none_of_its_groups),
    T(messages_count_only_the_known_invoices_open_when_they_were_sent),
    T(reviews_before_the_period_and_drafts_after_it_are_left_out),
    T(a_backend_without_count_gives_the_same_figures),
    T(a_void_invoice_paid_in_full_is_not_settled),
    T(countback_in_the_first_months_of_the_calendar_walks_back_only_as_far_as_they_go),
    T(a_promise_over_two_invoices_is_kept_when_the_last_of_them_closes),
    T(a_promise_without_a_recorded_day_counts_every_payment_by_its_deadline),
};

AR_TEST_MAIN(tests)
