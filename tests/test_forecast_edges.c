/* tests/test_forecast_edges.c — the cash forecast where its rules meet their
 * edges, through the public API: the kept rate of promises without promise
 * history (promise_default_percent), promises cancelled, recorded after the
 * as-of date or older than a year left out of it; a plan whose first
 * instalment is paid and one whose instalments are more than its invoices
 * leave; disputes and promises over several invoices shared by their open
 * amounts; a wholly disputed invoice discounted. */
#include <stdio.h>
#include <string.h>

#include "archase/archase.h"
#include "archase/promise.h"
#include "support/forecastledger.h"
#include "support/ledger.h"
#include "support/memengine.h"
#include "support/testutil.h"

typedef test_memengine fixture;

static void given_dispute(fixture *f, const char *id, const char *const *invoices, size_t n, int64_t minor,
                          const char *opened, const char *resolved) {
    archase_dispute d = ARCHASE_DISPUTE_INIT;
    d.id = id;
    d.customer_id = "C1";
    d.invoice_ids = invoices;
    d.invoice_count = n;
    d.amount.minor = minor;
    memcpy(d.amount.currency, "EUR", 4);
    d.reason_code = "pricing";
    d.opened_on = test_day(opened);
    if (resolved) {
        d.status = ARCHASE_DISPUTE_RESOLVED;
        d.resolution = ARCHASE_RESOLUTION_REJECTED;
        d.root_cause = "customer_error";
        d.resolved_on = test_day(resolved);
    }
    test_ok(f->eng, archase_dispute_put(f->eng, &d, NULL));
}

/* ---- the kept rate ------------------------------------------------------------------------ */

/* No promise of the currency was due in the year up to the as-of date: the
 * open promise is expected at promise_default_percent. A cancelled promise,
 * one recorded after the as-of date and one due more than a year before it,
 * none of them paid, would each make the rate 0 if they counted. */
static void without_promise_history_the_default_kept_rate_applies(void **state) {
    fixture *f = *state;
    archase_date as_of = test_day("2026-03-31");
    test_forecast_history(f, "C1", 6, test_day("2026-02-01"), 0, 1000, as_of);
    static const char *x[] = { "X" }, *h5[] = { "C1-H05" }, *h4[] = { "C1-H04" }, *o[] = { "O" };
    test_forecast_invoice(f, "C1", "X", test_day("2026-02-20"), test_day("2026-04-20"), 10000, "EUR");
    test_forecast_promise(f, "NP", x, 1, 10000, "2026-04-08", "2026-03-25", NULL, 0);
    test_forecast_promise(f, "P-cancelled", h5, 1, 1000, "2026-02-20", "2026-01-25", NULL, 0);
    test_ok(f->eng, archase_promise_cancel(f->eng, "P-cancelled", "withdrawn", test_day("2026-02-10")));
    test_forecast_promise(f, "P-recorded-later", h4, 1, 1000, "2026-03-01", "2026-04-05", NULL, 0);
    test_forecast_invoice(f, "C1", "O", test_day("2024-05-01"), test_day("2024-05-31"), 500, "EUR");
    test_forecast_promise(f, "P-old", o, 1, 500, "2024-06-10", "2024-06-01", NULL, 0);
    archase_forecast_options opt = ARCHASE_FORECAST_OPTIONS_INIT;
    opt.promise_default_percent = 40;
    test_forecast_run(f, "2026-03-31", &opt);
    archase_forecast_row r = test_forecast_row(f, 0);
    assert_int_equal(r.promises_unkept, 6000);
    archase_forecast_week w2 = test_forecast_week(f, 0, 2); /* 04-08 .. 04-14 */
    assert_int_equal(w2.from_promises, 4000);
    assert_int_equal(w2.promises, 1);
    /* O is ten months past its expected date */
    assert_int_equal(r.doubtful, 500);
    test_forecast_accounted_for(f, 0);
    /* the default is the default: 100 without the option */
    test_forecast_run(f, "2026-03-31", NULL);
    assert_int_equal(test_forecast_row(f, 0).promises_unkept, 0);
    assert_int_equal(test_forecast_week(f, 0, 2).from_promises, 10000);
}

/* ---- instalments ------------------------------------------------------------------------- */

static void instalments_already_paid_or_dated_before_the_day_are_placed_after_it(void **state) {
    fixture *f = *state;
    static const char *y[] = { "Y" }, *z[] = { "Z" };
    test_forecast_invoice(f, "C1", "Y", test_day("2026-02-01"), test_day("2026-03-01"), 6000, "EUR");
    test_forecast_invoice(f, "C1", "Z", test_day("2026-02-01"), test_day("2026-03-01"), 6000, "EUR");
    /* 2,000 of Y disputed: its plan of 3,000 + 3,000 has only 4,000 to take;
     * the first part, due before the day, comes the day after */
    given_dispute(f, "DY", y, 1, 2000, "2026-03-10", NULL);
    archase_instalment py[2] = { { test_day("2026-03-25"), { 3000, "EUR" } }, { test_day("2026-04-10"), { 3000, "EUR" } } };
    test_forecast_promise(f, "PY", y, 1, 6000, "2026-04-10", "2026-03-05", py, 2);
    /* Z's first instalment is paid: only the second is expected */
    archase_instalment pz[2] = { { test_day("2026-03-15"), { 3000, "EUR" } }, { test_day("2026-04-20"), { 3000, "EUR" } } };
    test_forecast_promise(f, "PZ", z, 1, 6000, "2026-04-20", "2026-03-05", pz, 2);
    test_forecast_payment(f, "C1", "PZ1", "Z", test_day("2026-03-14"), 3000, "EUR");
    test_forecast_run(f, "2026-03-31", NULL);
    archase_forecast_week w1 = test_forecast_week(f, 0, 1), w2 = test_forecast_week(f, 0, 2), w3 = test_forecast_week(f, 0, 3);
    assert_int_equal(w1.from_promises, 3000); /* PY's first part, on 04-01 */
    assert_int_equal(w1.promises, 1);
    assert_int_equal(w2.from_promises, 1000); /* the rest of PY's 4,000 */
    assert_int_equal(w2.promises, 0);         /* counted in its first week */
    assert_int_equal(w3.from_promises, 3000); /* PZ's second instalment, 04-20 */
    assert_int_equal(w3.promises, 1);
    archase_forecast_driver d = ARCHASE_FORECAST_DRIVER_INIT;
    assert_int_equal(archase_forecast_driver_get(f->fc, 0, 1, 0, &d), 0);
    assert_int_equal(d.kind, ARCHASE_DRIVER_PROMISE);
    assert_string_equal(d.id, "PY");
    assert_int_equal(d.expected_on, test_day("2026-04-01"));
    archase_forecast_row r = test_forecast_row(f, 0);
    assert_int_equal(r.promises_unkept, 0);
    assert_int_equal(r.disputed_left_out, 2000);
    test_forecast_accounted_for(f, 0);
}

/* ---- several invoices -------------------------------------------------------------------- */

static void a_dispute_over_two_invoices_is_shared_by_their_open_amounts(void **state) {
    fixture *f = *state;
    static const char *m[] = { "M1", "M2" }, *m1[] = { "M1" }, *n[] = { "N" };
    test_forecast_invoice(f, "C1", "M1", test_day("2026-03-01"), test_day("2026-04-30"), 1000, "EUR");
    test_forecast_invoice(f, "C1", "M2", test_day("2026-03-01"), test_day("2026-04-30"), 3000, "EUR");
    given_dispute(f, "DM", m, 2, 2000, "2026-03-10", NULL);
    /* resolved before the day: holds nothing back */
    given_dispute(f, "DR", m1, 1, 1000, "2026-03-02", "2026-03-20");
    /* wholly disputed */
    test_forecast_invoice(f, "C1", "N", test_day("2026-03-01"), test_day("2026-04-03"), 500, "EUR");
    given_dispute(f, "DN", n, 1, 500, "2026-03-12", NULL);
    archase_forecast_options o = ARCHASE_FORECAST_OPTIONS_INIT;
    o.disputed = ARCHASE_FORECAST_DISCOUNT_DISPUTED;
    o.disputed_percent = 50;
    test_forecast_run(f, "2026-03-31", &o);
    archase_forecast_row r = test_forecast_row(f, 0);
    /* M1 500, M2 1,500 and N 500 disputed, half of each left out */
    assert_int_equal(r.disputed_left_out, 1250);
    archase_forecast_week w1 = test_forecast_week(f, 0, 1), w5 = test_forecast_week(f, 0, 5);
    assert_int_equal(w1.from_patterns, 0);
    assert_int_equal(w1.from_disputed, 250);
    assert_int_equal(w1.invoices, 1); /* N, by its disputed part alone */
    assert_int_equal(w5.from_patterns, 2000);
    assert_int_equal(w5.from_disputed, 1000);
    assert_int_equal(w5.invoices, 2);
    test_forecast_accounted_for(f, 0);
}

static void a_promise_over_two_invoices_takes_from_each_by_what_is_free(void **state) {
    fixture *f = *state;
    static const char *ab[] = { "A", "B" };
    test_forecast_invoice(f, "C1", "A", test_day("2026-03-01"), test_day("2026-05-15"), 1000, "EUR");
    test_forecast_invoice(f, "C1", "B", test_day("2026-03-01"), test_day("2026-05-15"), 4000, "EUR");
    test_forecast_promise(f, "PAB", ab, 2, 2500, "2026-04-09", "2026-03-20", NULL, 0);
    test_forecast_run(f, "2026-03-31", NULL);
    /* 2,500 on 04-09: 500 from A, 2,000 from B; the rest on the due date */
    assert_int_equal(test_forecast_week(f, 0, 2).from_promises, 2500);
    assert_int_equal(test_forecast_week(f, 0, 7).from_patterns, 2500); /* 05-13 .. 05-19 */
    archase_forecast_driver d = ARCHASE_FORECAST_DRIVER_INIT;
    assert_int_equal(archase_forecast_driver_count(f->fc, 0, 7), 2);
    assert_int_equal(archase_forecast_driver_get(f->fc, 0, 7, 0, &d), 0);
    assert_string_equal(d.id, "B");
    assert_int_equal(d.amount, 2000);
    assert_int_equal(archase_forecast_driver_get(f->fc, 0, 7, 1, &d), 0);
    assert_string_equal(d.id, "A");
    assert_int_equal(d.amount, 500);
    test_forecast_accounted_for(f, 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, test_memengine_setup, test_memengine_teardown)

static const struct CMUnitTest tests[] = {
    T(without_promise_history_the_default_kept_rate_applies),
    T(instalments_already_paid_or_dated_before_the_day_are_placed_after_it),
    T(a_dispute_over_two_invoices_is_shared_by_their_open_amounts),
    T(a_promise_over_two_invoices_takes_from_each_by_what_is_free),
};

AR_TEST_MAIN(tests)
