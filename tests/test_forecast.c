/* tests/test_forecast.c — the cash forecast of small hand-computed ledgers
 * through the public API: payment patterns, the currency's fallback, late
 * and doubtful invoices, disputes left out or discounted, promises weighted
 * by the kept rate, the back-test, no look-ahead, and failures. */
#include <stdio.h>
#include <string.h>

#include "archase/archase.h"
#include "support/failalloc.h"
#include "support/faultstore.h"
#include "support/forecastledger.h"
#include "support/ledger.h"
#include "support/memengine.h"
#include "support/testutil.h"

typedef test_memengine fixture;

/* ---- the method ------------------------------------------------------------------------ */

static void an_invoice_is_expected_on_its_due_date_plus_the_customers_median_lateness(void **state) {
    fixture *f = *state;
    archase_date as_of = test_day("2026-03-31");
    /* six invoices settled 10 days late: the customer's pattern */
    test_forecast_history(f, "C1", 6, test_day("2026-03-01"), 10, 1000, as_of);
    /* open, due 04-05: expected 04-15, in week 3 (04-15..04-21) */
    test_forecast_invoice(f, "C1", "OPEN", test_day("2026-03-06"), test_day("2026-04-05"), 50000, "EUR");
    test_forecast_run(f, "2026-03-31", NULL);
    assert_int_equal(archase_forecast_row_count(f->fc), 1);
    archase_forecast_row r = test_forecast_row(f, 0);
    assert_string_equal(r.currency, "EUR");
    assert_int_equal(r.weeks, 13);
    assert_int_equal(r.open_ar, 50000);
    assert_int_equal(r.expected, 50000);
    archase_forecast_week w = test_forecast_week(f, 0, 3);
    assert_int_equal(w.from, test_day("2026-04-15"));
    assert_int_equal(w.to, test_day("2026-04-21"));
    assert_int_equal(w.expected, 50000);
    assert_int_equal(w.from_patterns, 50000);
    assert_int_equal(w.invoices, 1);
    assert_int_equal(archase_forecast_driver_count(f->fc, 0, 3), 1);
    archase_forecast_driver d = ARCHASE_FORECAST_DRIVER_INIT;
    assert_int_equal(archase_forecast_driver_get(f->fc, 0, 3, 0, &d), 0);
    assert_int_equal(d.kind, ARCHASE_DRIVER_INVOICE);
    assert_string_equal(d.id, "OPEN");
    assert_string_equal(d.customer_id, "C1");
    assert_int_equal(d.expected_on, test_day("2026-04-15"));
    assert_int_equal(test_forecast_week(f, 0, 2).expected, 0);
    test_forecast_accounted_for(f, 0);
}

static void a_customer_without_enough_history_takes_the_currencys_pattern(void **state) {
    fixture *f = *state;
    archase_date as_of = test_day("2026-03-31");
    test_forecast_history(f, "C1", 6, test_day("2026-03-01"), 20, 1000, as_of);
    /* C2 has paid twice, on time: fewer than the 6 invoices a pattern needs */
    test_forecast_history(f, "C2", 2, test_day("2026-03-01"), 0, 1000, as_of);
    test_forecast_invoice(f, "C2", "OPEN", test_day("2026-03-20"), test_day("2026-04-02"), 7000, "EUR");
    test_forecast_run(f, "2026-03-31", NULL);
    /* the currency's median over the 8 settled: 20, 20, ..., 0, 0 -> 20; 04-22 is in week 4 */
    assert_int_equal(test_forecast_week(f, 0, 4).expected, 7000);
    archase_forecast_options o = ARCHASE_FORECAST_OPTIONS_INIT;
    o.min_history = 2;
    test_forecast_run(f, "2026-03-31", &o);
    /* now C2's own pattern: on time, 04-02 in week 1 */
    assert_int_equal(test_forecast_week(f, 0, 1).expected, 7000);
}

static void an_invoice_already_past_its_expected_date_waits_the_customers_spread(void **state) {
    fixture *f = *state;
    archase_date as_of = test_day("2026-03-31");
    /* late 5, 5, 5, 5, 20, 20: median 5, p80 (5th of 6) 20 */
    test_forecast_history(f, "C1", 4, test_day("2026-02-01"), 5, 100, as_of);
    for (int i = 0; i < 2; i++) {
        char id[16], pid[16];
        snprintf(id, sizeof id, "L%d", i);
        snprintf(pid, sizeof pid, "LP%d", i);
        test_forecast_invoice(f, "C1", id, test_day("2026-01-01"), test_day("2026-02-10") + i, 100, "EUR");
        test_forecast_payment(f, "C1", pid, id, test_day("2026-02-10") + i + 20, 100, "EUR");
    }
    /* due 03-01, expected 03-06, not paid by 03-31: 15 more days, 04-15 (week 3) */
    test_forecast_invoice(f, "C1", "LATE", test_day("2026-02-01"), test_day("2026-03-01"), 900, "EUR");
    /* due 2025-11-01: 150 days past its expected date, more than 90: doubtful */
    test_forecast_invoice(f, "C1", "STALE", test_day("2025-10-01"), test_day("2025-11-01"), 333, "EUR");
    test_forecast_run(f, "2026-03-31", NULL);
    archase_forecast_row r = test_forecast_row(f, 0);
    assert_int_equal(test_forecast_week(f, 0, 3).expected, 900);
    assert_int_equal(r.doubtful, 333);
    assert_int_equal(r.open_ar, 1233);
    test_forecast_accounted_for(f, 0);
    archase_forecast_options o = ARCHASE_FORECAST_OPTIONS_INIT;
    o.doubtful_days = 200;
    test_forecast_run(f, "2026-03-31", &o);
    assert_int_equal(test_forecast_row(f, 0).doubtful, 0);
    assert_int_equal(test_forecast_week(f, 0, 3).expected, 1233);
}

static void disputed_amounts_are_left_out_or_discounted(void **state) {
    fixture *f = *state;
    archase_date as_of = test_day("2026-03-31");
    test_forecast_history(f, "C1", 6, test_day("2026-03-01"), 0, 100, as_of);
    test_forecast_invoice(f, "C1", "D", test_day("2026-03-01"), test_day("2026-04-03"), 10000, "EUR");
    const char *ids[1] = { "D" };
    archase_dispute d = ARCHASE_DISPUTE_INIT;
    d.id = "DSP";
    d.customer_id = "C1";
    d.invoice_ids = ids;
    d.invoice_count = 1;
    d.amount.minor = 4000;
    memcpy(d.amount.currency, "EUR", 4);
    d.reason_code = "pricing";
    d.opened_on = test_day("2026-03-20");
    test_ok(f->eng, archase_dispute_put(f->eng, &d, NULL));
    test_forecast_run(f, "2026-03-31", NULL);
    archase_forecast_week w = test_forecast_week(f, 0, 1);
    assert_int_equal(w.expected, 6000);
    assert_int_equal(w.from_disputed, 0);
    assert_int_equal(test_forecast_row(f, 0).disputed_left_out, 4000);
    test_forecast_accounted_for(f, 0);
    archase_forecast_options o = ARCHASE_FORECAST_OPTIONS_INIT;
    o.disputed = ARCHASE_FORECAST_DISCOUNT_DISPUTED;
    o.disputed_percent = 25;
    test_forecast_run(f, "2026-03-31", &o);
    w = test_forecast_week(f, 0, 1);
    assert_int_equal(w.expected, 7000);
    assert_int_equal(w.from_disputed, 1000);
    assert_int_equal(test_forecast_row(f, 0).disputed_left_out, 3000);
    test_forecast_accounted_for(f, 0);
    /* a dispute resolved by the as-of date no longer holds anything back */
    d.revision = 1;
    d.status = ARCHASE_DISPUTE_RESOLVED;
    d.resolution = ARCHASE_RESOLUTION_REJECTED;
    d.root_cause = "customer_error";
    d.resolved_on = test_day("2026-03-30");
    test_ok(f->eng, archase_dispute_put(f->eng, &d, NULL));
    test_forecast_run(f, "2026-03-31", NULL);
    assert_int_equal(test_forecast_week(f, 0, 1).expected, 10000);
}

static void promise_to_pay(fixture *f, const char *id, const char *invoice, int64_t minor,
                           const char *date, const char *recorded) {
    const char *ids[1] = { invoice };
    test_forecast_promise(f, id, ids, 1, minor, date, recorded, NULL, 0);
}

static void an_open_promise_is_expected_on_its_date_weighted_by_the_kept_rate(void **state) {
    fixture *f = *state;
    archase_date as_of = test_day("2026-03-31");
    /* the customer pays 30 days late */
    test_forecast_history(f, "C1", 6, test_day("2026-02-01"), 30, 1000, as_of);
    /* four earlier promises, three kept: 75 %. Three on invoices of the
     * history, each paid on its promised date (C1-H03..H05, due 01-18,
     * 01-25 and 02-01, paid 30 days later); one of 1,000 paid 750, not
     * kept. By amount it would be 3,750 / 4,000 = 93.75 %. */
    for (int i = 3; i < 6; i++) {
        char id[16], inv[16], date[16];
        archase_date paid = test_day("2026-02-01") - 7 * (5 - i) + 30;
        snprintf(id, sizeof id, "K%d", i);
        snprintf(inv, sizeof inv, "C1-H%02d", i);
        assert_int_equal(archase_date_format(paid, date, sizeof date), 0);
        promise_to_pay(f, id, inv, 1000, date, "2026-01-10");
    }
    test_forecast_invoice(f, "C1", "A", test_day("2025-12-15"), test_day("2026-01-15"), 1000, "EUR");
    promise_to_pay(f, "OLD", "A", 1000, "2026-02-10", "2026-02-01");
    test_forecast_payment(f, "C1", "PA", "A", test_day("2026-02-05"), 750, "EUR");
    /* 20,000 of 40,000 promised for 04-10 */
    test_forecast_invoice(f, "C1", "BIG", test_day("2026-02-01"), test_day("2026-03-15"), 40000, "EUR");
    promise_to_pay(f, "NEW", "BIG", 20000, "2026-04-10", "2026-03-25");
    test_forecast_run(f, "2026-03-31", NULL);
    archase_forecast_row r = test_forecast_row(f, 0);
    /* 15,000 on 04-10 (week 2); the other 5,000 stays with BIG's pattern
     * date, 04-14 (week 2 too), with the 20,000 not promised */
    assert_int_equal(r.promises_unkept, 5000);
    archase_forecast_week w2 = test_forecast_week(f, 0, 2);
    assert_int_equal(w2.promises, 1);
    assert_int_equal(w2.from_promises, 15000);
    assert_int_equal(w2.from_patterns, 25000);
    archase_forecast_driver d = ARCHASE_FORECAST_DRIVER_INIT;
    assert_int_equal(archase_forecast_driver_count(f->fc, 0, 2), 2);
    assert_int_equal(archase_forecast_driver_get(f->fc, 0, 2, 0, &d), 0);
    assert_int_equal(d.kind, ARCHASE_DRIVER_INVOICE);
    assert_string_equal(d.id, "BIG");
    assert_int_equal(d.amount, 25000);
    assert_int_equal(archase_forecast_driver_get(f->fc, 0, 2, 1, &d), 0);
    assert_int_equal(d.kind, ARCHASE_DRIVER_PROMISE);
    assert_string_equal(d.id, "NEW");
    assert_int_equal(d.expected_on, test_day("2026-04-10"));
    assert_int_equal(d.amount, 15000);
    assert_int_equal(archase_forecast_driver_get(f->fc, 0, 2, 2, &d), ARCHASE_ERANGE);
    /* A's 250 is 45 days past its expected date: the next day */
    assert_int_equal(test_forecast_week(f, 0, 1).expected, 250);
    test_forecast_accounted_for(f, 0);
}

static void the_kept_rate_is_the_share_of_the_customers_promises_kept(void **state) {
    fixture *f = *state;
    test_forecast_history(f, "C1", 6, test_day("2026-01-15"), 0, 1000, test_day("2025-01-01")); /* unpaid */
    /* OLD1 and OLD2 paid in full, OLD3 not at all: 2 of 3 kept, 66.66 % */
    promise_to_pay(f, "OLD1", "C1-H00", 1000, "2026-02-10", "2026-02-01");
    test_forecast_payment(f, "C1", "PO1", "C1-H00", test_day("2026-02-05"), 1000, "EUR");
    promise_to_pay(f, "OLD2", "C1-H01", 1000, "2026-02-10", "2026-02-01");
    promise_to_pay(f, "OLD3", "C1-H02", 1000, "2026-02-10", "2026-02-01");
    test_forecast_payment(f, "C1", "PO2", "C1-H01", test_day("2026-02-05"), 1000, "EUR");
    promise_to_pay(f, "NEW", "C1-H03", 900, "2026-04-02", "2026-03-30");
    test_forecast_run(f, "2026-03-31", NULL);
    /* 900 x 6666 / 10000 = 599 on 04-02 (week 1) */
    assert_int_equal(test_forecast_week(f, 0, 1).from_promises, 599);
    assert_int_equal(test_forecast_row(f, 0).promises_unkept, 301);
    test_forecast_accounted_for(f, 0);
    /* with no promise history at all the default share applies */
    archase_forecast_options o = ARCHASE_FORECAST_OPTIONS_INIT;
    o.promise_grace_days = 0;
    test_forecast_run(f, "2026-02-09", &o);
    assert_int_equal(test_forecast_row(f, 0).promises_unkept, 0);
}

static int take_status(void *ud, const archase_promise_info *info) {
    *(int *)ud = info->state;
    return 0;
}

static void promises_whose_invoices_were_closed_without_payment_are_left_out_of_the_kept_rate(void **state) {
    fixture *f = *state;
    test_forecast_history(f, "C1", 6, test_day("2026-01-15"), 0, 1000, test_day("2025-01-01")); /* unpaid */
    /* OLD1 paid in full by its date: kept */
    promise_to_pay(f, "OLD1", "C1-H00", 1000, "2026-02-10", "2026-02-01");
    test_forecast_payment(f, "C1", "PO1", "C1-H00", test_day("2026-02-05"), 1000, "EUR");
    /* OLD2: 300 paid, then a credit note of 700 closes its invoice; OLD3:
     * its invoice written off. Only payments pay toward a promise: nothing
     * was left to keep, so neither is due (the state machine cancels them,
     * cause invoices_closed). */
    promise_to_pay(f, "OLD2", "C1-H01", 1000, "2026-02-10", "2026-02-01");
    test_forecast_payment(f, "C1", "PO2", "C1-H01", test_day("2026-02-05"), 300, "EUR");
    archase_payment cn = ARCHASE_PAYMENT_INIT;
    cn.id = "CN2";
    cn.customer_id = "C1";
    cn.invoice_id = "C1-H01";
    cn.kind = ARCHASE_CREDIT_NOTE;
    cn.date = test_day("2026-02-08");
    cn.amount = (archase_money){ 700, "EUR" };
    test_ok(f->eng, archase_payment_put(f->eng, &cn, NULL));
    promise_to_pay(f, "OLD3", "C1-H02", 1000, "2026-02-10", "2026-02-01");
    archase_payment wo = ARCHASE_PAYMENT_INIT;
    wo.id = "WO3";
    wo.customer_id = "C1";
    wo.invoice_id = "C1-H02";
    wo.kind = ARCHASE_WRITE_OFF;
    wo.date = test_day("2026-02-07");
    wo.amount = (archase_money){ 1000, "EUR" };
    test_ok(f->eng, archase_payment_put(f->eng, &wo, NULL));
    promise_to_pay(f, "NEW", "C1-H03", 900, "2026-04-02", "2026-03-30");
    test_forecast_run(f, "2026-03-31", NULL);
    /* 1 of 1 due kept: all 900 on 04-02 (week 1). Counting OLD2 and OLD3
     * by amount would give 1,300 / 3,000 = 43.33 %: 389. */
    assert_int_equal(test_forecast_week(f, 0, 1).from_promises, 900);
    assert_int_equal(test_forecast_row(f, 0).promises_unkept, 0);
    test_forecast_accounted_for(f, 0);
    /* the same once the day's move, the day after the credit note, has
     * stored them cancelled */
    static const char yaml[] = "version: 1\n"
                               "currency: {default: EUR}\n"
                               "segments: [{name: all, sequence: s}]\n"
                               "sequences: {s: {steps: [{offset: 1, action: queue_call}]}}\n";
    archase_policy *policy = NULL;
    test_ok(f->eng, archase_policy_load_buffer(yaml, strlen(yaml), "p.yaml", NULL, &policy, NULL));
    int rc = archase_lifecycle_update(f->eng, policy, test_day("2026-02-09"), NULL);
    archase_policy_free(policy);
    test_ok(f->eng, rc);
    int status = 0;
    assert_int_equal(archase_promise_get(f->eng, "OLD2", take_status, &status), 0);
    assert_int_equal(status, ARCHASE_PROMISE_STATE_CANCELLED);
    assert_int_equal(archase_promise_get(f->eng, "OLD3", take_status, &status), 0);
    assert_int_equal(status, ARCHASE_PROMISE_STATE_CANCELLED);
    test_forecast_run(f, "2026-03-31", NULL);
    assert_int_equal(test_forecast_week(f, 0, 1).from_promises, 900);
    assert_int_equal(test_forecast_row(f, 0).promises_unkept, 0);
}

/* ---- the back-test and no look-ahead ---------------------------------------------------- */

static void a_method_that_is_right_has_no_back_test_error(void **state) {
    fixture *f = *state;
    /* a year of weekly invoices, every one paid exactly 10 days late */
    test_forecast_history(f, "C1", 60, test_day("2026-03-27"), 10, 2500, test_day("2026-03-31"));
    archase_forecast_options o = ARCHASE_FORECAST_OPTIONS_INIT;
    o.min_history = 3;
    o.backtest_origins = 4;
    test_forecast_run(f, "2026-03-31", &o);
    archase_forecast_row r = test_forecast_row(f, 0);
    assert_int_equal(r.backtest_origins, 4);
    assert_int_equal(r.backtest_last, test_day("2026-03-31") - 91);
    assert_int_equal(r.backtest_first, test_day("2026-03-31") - 91 - 3 * 28);
    assert_int_equal(r.backtest_mae, 0);
    assert_int_equal(r.backtest_mae_percent.hundredths, 0);
    assert_true(r.backtest_mae_percent.defined);
    int64_t actual = 0;
    for (uint32_t k = 1; k <= 13; k++) {
        archase_forecast_week w = test_forecast_week(f, 0, k);
        assert_int_equal(w.backtest_mae, 0);
        actual += w.backtest_mean_actual;
    }
    /* what was open at each origin: the invoices due in the 10 days before
     * it and every one not yet due (issued 30 days before due) */
    assert_true(actual > 0);
}

static void a_late_payer_makes_back_test_errors(void **state) {
    fixture *f = *state;
    test_forecast_history(f, "C1", 60, test_day("2026-03-27"), 10, 2500, test_day("2026-01-15"));
    /* from mid-January on the customer pays 20 days late */
    for (int i = 0; i < 60; i++) {
        char id[32], pid[32];
        snprintf(id, sizeof id, "C1-H%02d", i);
        snprintf(pid, sizeof pid, "C1-Q%02d", i);
        archase_date due = test_day("2026-03-27") - 7 * (59 - i);
        if (due + 10 > test_day("2026-01-15") && due + 20 <= test_day("2026-03-31"))
            test_forecast_payment(f, "C1", pid, id, due + 20, 2500, "EUR");
    }
    archase_forecast_options o = ARCHASE_FORECAST_OPTIONS_INIT;
    o.min_history = 3;
    o.backtest_origins = 2;
    test_forecast_run(f, "2026-03-31", &o);
    archase_forecast_row r = test_forecast_row(f, 0);
    assert_int_equal(r.backtest_origins, 2);
    assert_true(r.backtest_mae > 0);
    /* the forecast from 2025-12-30 expected the invoices due after 01-05
     * ten days early: the error is in the weeks around their due dates */
    int weeks_with_error = 0;
    for (uint32_t k = 1; k <= 13; k++)
        weeks_with_error += test_forecast_week(f, 0, k).backtest_mae > 0;
    assert_true(weeks_with_error >= 2);
}

static void facts_dated_after_the_as_of_date_change_nothing(void **state) {
    fixture *f = *state;
    archase_date as_of = test_day("2026-03-31");
    test_forecast_history(f, "C1", 30, test_day("2026-03-20"), 8, 1200, as_of);
    test_forecast_invoice(f, "C1", "OPEN", test_day("2026-03-01"), test_day("2026-04-10"), 9000, "EUR");
    archase_forecast_options o = ARCHASE_FORECAST_OPTIONS_INIT;
    o.backtest_origins = 3;
    test_forecast_run(f, "2026-03-31", &o);
    archase_forecast_row before = test_forecast_row(f, 0);
    archase_forecast_week weeks[14];
    for (uint32_t k = 1; k <= 13; k++)
        weeks[k] = test_forecast_week(f, 0, k);
    /* the future: OPEN paid early, a new invoice, a dispute, a promise */
    test_forecast_payment(f, "C1", "FUT", "OPEN", test_day("2026-04-01"), 9000, "EUR");
    test_forecast_invoice(f, "C1", "NEXT", test_day("2026-04-02"), test_day("2026-04-20"), 5000, "EUR");
    const char *ids[1] = { "NEXT" };
    archase_dispute d = ARCHASE_DISPUTE_INIT;
    d.id = "FD";
    d.customer_id = "C1";
    d.invoice_ids = ids;
    d.invoice_count = 1;
    d.amount.minor = 100;
    memcpy(d.amount.currency, "EUR", 4);
    d.reason_code = "tax";
    d.opened_on = test_day("2026-04-03");
    test_ok(f->eng, archase_dispute_put(f->eng, &d, NULL));
    promise_to_pay(f, "FP", "NEXT", 5000, "2026-04-25", "2026-04-04");
    test_forecast_run(f, "2026-03-31", &o);
    archase_forecast_row after = test_forecast_row(f, 0);
    assert_int_equal(before.open_ar, after.open_ar);
    assert_int_equal(before.expected, after.expected);
    assert_int_equal(before.beyond, after.beyond);
    assert_int_equal(before.doubtful, after.doubtful);
    assert_int_equal(before.backtest_origins, after.backtest_origins);
    assert_int_equal(before.backtest_mae, after.backtest_mae);
    assert_int_equal(before.backtest_mae_percent.hundredths, after.backtest_mae_percent.hundredths);
    for (uint32_t k = 1; k <= 13; k++) {
        archase_forecast_week w = test_forecast_week(f, 0, k);
        assert_int_equal(weeks[k].expected, w.expected);
        assert_int_equal(weeks[k].from_patterns, w.from_patterns);
        assert_int_equal(weeks[k].from_promises, w.from_promises);
        assert_int_equal(weeks[k].invoices, w.invoices);
        assert_int_equal(weeks[k].backtest_mae, w.backtest_mae);
        assert_int_equal(weeks[k].backtest_mean_actual, w.backtest_mean_actual);
    }
    /* and the same as-of date a week later sees them */
    test_forecast_run(f, "2026-04-07", &o);
    assert_true(test_forecast_row(f, 0).open_ar != before.open_ar);
}

/* ---- currencies, options, failures --------------------------------------------------------- */

static void each_currency_has_its_own_forecast(void **state) {
    fixture *f = *state;
    test_forecast_invoice(f, "C1", "E", test_day("2026-03-01"), test_day("2026-04-01"), 500, "EUR");
    test_forecast_invoice(f, "C1", "J", test_day("2026-03-01"), test_day("2026-04-08"), 70000, "JPY");
    test_forecast_invoice(f, "C1", "PAID", test_day("2026-03-01"), test_day("2026-04-08"), 300, "USD");
    test_forecast_payment(f, "C1", "PP", "PAID", test_day("2026-03-02"), 300, "USD");
    test_forecast_run(f, "2026-03-31", NULL);
    /* USD has nothing open: no row */
    assert_int_equal(archase_forecast_row_count(f->fc), 2);
    assert_string_equal(test_forecast_row(f, 0).currency, "EUR");
    assert_string_equal(test_forecast_row(f, 1).currency, "JPY");
    assert_int_equal(test_forecast_week(f, 0, 1).expected, 500);
    assert_int_equal(test_forecast_week(f, 1, 2).expected, 70000);
    /* no history at all: no back-test */
    assert_int_equal(test_forecast_row(f, 0).backtest_origins, 0);
    assert_false(test_forecast_row(f, 0).backtest_mae_percent.defined);
    archase_forecast_options o = ARCHASE_FORECAST_OPTIONS_INIT;
    o.currency = "USD";
    o.weeks = 4;
    test_forecast_run(f, "2026-03-31", &o);
    assert_int_equal(archase_forecast_row_count(f->fc), 1);
    assert_int_equal(test_forecast_row(f, 0).weeks, 4);
    archase_forecast_week w = ARCHASE_FORECAST_WEEK_INIT;
    assert_int_equal(archase_forecast_week_get(f->fc, 0, 5, &w), ARCHASE_ERANGE);
    assert_int_equal(archase_forecast_week_get(f->fc, 0, 0, &w), ARCHASE_ERANGE);
}

static void bad_arguments_are_refused(void **state) {
    fixture *f = *state;
    archase_forecast *fc = NULL;
    assert_int_equal(archase_forecast_run(NULL, 1, NULL, &fc), ARCHASE_EINVAL);
    assert_int_equal(archase_forecast_run(f->eng, 1, NULL, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_forecast_run(f->eng, ARCHASE_DATE_NONE, NULL, &fc), ARCHASE_EINVAL);
    archase_forecast_options o = ARCHASE_FORECAST_OPTIONS_INIT;
    o.weeks = 105;
    assert_int_equal(archase_forecast_run(f->eng, 1, &o, &fc), ARCHASE_EINVAL);
    o.weeks = 0;
    o.disputed_percent = 101;
    assert_int_equal(archase_forecast_run(f->eng, 1, &o, &fc), ARCHASE_EINVAL);
    o.disputed_percent = 0;
    o.disputed = 7;
    assert_int_equal(archase_forecast_run(f->eng, 1, &o, &fc), ARCHASE_EINVAL);
    o.disputed = 0;
    o.currency = "ZZZ";
    assert_int_equal(archase_forecast_run(f->eng, 1, &o, &fc), ARCHASE_ECURRENCY);
    o.version = 2;
    assert_int_equal(archase_forecast_run(f->eng, 1, &o, &fc), ARCHASE_EVERSION);
    assert_null(fc);
    assert_int_equal(archase_forecast_options_init(&o, 2), ARCHASE_EVERSION);
    assert_int_equal(archase_forecast_options_init(&o, ARCHASE_FORECAST_OPTIONS_VERSION), 0);
    assert_int_equal(o.disputed_percent, 50);
    test_forecast_run(f, "2026-03-31", NULL);
    assert_int_equal(archase_forecast_row_count(f->fc), 0);
    archase_forecast_row r = ARCHASE_FORECAST_ROW_INIT;
    assert_int_equal(archase_forecast_row_get(f->fc, 0, &r), ARCHASE_ERANGE);
    r.version = 9;
    assert_int_equal(archase_forecast_row_get(f->fc, 0, &r), ARCHASE_EVERSION);
    assert_int_equal(archase_forecast_driver_count(NULL, 0, 1), 0);
    archase_forecast_free(NULL);
}

static void build_small(fixture *f) {
    test_forecast_history(f, "C1", 20, test_day("2026-03-20"), 8, 1200, test_day("2026-03-31"));
    test_forecast_invoice(f, "C1", "OPEN", test_day("2026-03-01"), test_day("2026-04-10"), 9000, "EUR");
    test_forecast_invoice(f, "C2", "YEN", test_day("2026-03-01"), test_day("2026-04-10"), 9000, "JPY");
    promise_to_pay(f, "P", "OPEN", 4000, "2026-04-05", "2026-03-25");
}

static int forecast_under(const archase_allocator *allocator, void *ctx) {
    fixture *f = ctx;
    archase_engine_options eo = ARCHASE_ENGINE_OPTIONS_INIT;
    eo.allocator = allocator;
    archase_storage s = test_unowned(&f->store);
    archase_engine *eng = NULL;
    int rc = archase_engine_open(&s, &eo, &eng);
    if (rc)
        return rc;
    archase_forecast_options o = ARCHASE_FORECAST_OPTIONS_INIT;
    o.backtest_origins = 2;
    archase_forecast *fc = NULL;
    rc = archase_forecast_run(eng, test_day("2026-03-31"), &o, &fc);
    if (!rc && archase_forecast_row_count(fc) != 2)
        rc = ARCHASE_EINVAL;
    archase_forecast_free(fc);
    archase_engine_free(eng);
    return rc;
}

static void forecasting_survives_every_allocation_failure(void **state) {
    fixture *f = *state;
    build_small(f);
    assert_true(failalloc_loop(forecast_under, NULL, f) > 10);
}

static void forecasting_reports_every_storage_failure(void **state) {
    fixture *f = *state;
    build_small(f);
    for (size_t n = 1;; n++) {
        faultstore fs;
        archase_storage wrapped, inner = test_unowned(&f->store);
        faultstore_wrap(&fs, &inner, n, &wrapped);
        archase_engine *eng = NULL;
        assert_int_equal(archase_engine_open(&wrapped, NULL, &eng), 0);
        archase_forecast *fc = NULL;
        int rc = archase_forecast_run(eng, test_day("2026-03-31"), NULL, &fc);
        size_t failures = fs.failures;
        assert_int_equal(rc, failures ? ARCHASE_ESTORAGE : 0);
        if (failures)
            assert_null(fc);
        archase_forecast_free(fc);
        archase_engine_free(eng);
        if (!failures)
            break;
    }
}

#define T(name) cmocka_unit_test_setup_teardown(name, test_memengine_setup, test_memengine_teardown)

static const struct CMUnitTest tests[] = {
    T(an_invoice_is_expected_on_its_due_date_plus_the_customers_median_lateness),
    T(a_customer_without_enough_history_takes_the_currencys_pattern),
    T(an_invoice_already_past_its_expected_date_waits_the_customers_spread),
    T(disputed_amounts_are_left_out_or_discounted),
    T(an_open_promise_is_expected_on_its_date_weighted_by_the_kept_rate),
    T(the_kept_rate_is_the_share_of_the_customers_promises_kept),
    T(promises_whose_invoices_were_closed_without_payment_are_left_out_of_the_kept_rate),
    T(a_method_that_is_right_has_no_back_test_error),
    T(a_late_payer_makes_back_test_errors),
    T(facts_dated_after_the_as_of_date_change_nothing),
    T(each_currency_has_its_own_forecast),
    T(bad_arguments_are_refused),
    T(forecasting_survives_every_allocation_failure),
    T(forecasting_reports_every_storage_failure),
};

AR_TEST_MAIN(tests)
