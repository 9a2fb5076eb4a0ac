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
#include "support/testutil.h"

typedef struct fixture {
    archase_storage   store;
    archase_engine   *eng;
    archase_forecast *fc;
} fixture;

static archase_storage unowned(const archase_storage *s) {
    archase_storage t = *s;
    t.close = NULL;
    return t;
}

static int setup(void **state) {
    fixture *f = test_calloc(1, sizeof *f);
    assert_int_equal(archase_memory_storage_new(NULL, &f->store), 0);
    archase_storage s = unowned(&f->store);
    assert_int_equal(archase_engine_open(&s, NULL, &f->eng), 0);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    archase_forecast_free(f->fc);
    archase_engine_free(f->eng);
    f->store.close(f->store.userdata);
    test_free(f);
    return 0;
}

static archase_date on(const char *text) {
    archase_date d = ARCHASE_DATE_NONE;
    assert_int_equal(archase_date_parse(text, &d), 0);
    return d;
}

static void ok(fixture *f, int rc) {
    if (rc != 0)
        fail_msg("%s: %s", archase_error_name(rc), archase_engine_errmsg(f->eng));
}

static void given_invoice(fixture *f, const char *customer, const char *id, archase_date issued,
                          archase_date due, int64_t minor, const char *currency) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = customer;
    c.name = customer;
    ok(f, archase_customer_put(f->eng, &c, NULL));
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = id;
    inv.customer_id = customer;
    inv.issue_date = issued;
    inv.due_date = due;
    inv.amount.minor = minor;
    memcpy(inv.amount.currency, currency, 4);
    ok(f, archase_invoice_put(f->eng, &inv, NULL));
}

static void given_payment(fixture *f, const char *customer, const char *id, const char *invoice,
                          archase_date date, int64_t minor, const char *currency) {
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = id;
    p.customer_id = customer;
    p.invoice_id = invoice;
    p.date = date;
    p.amount.minor = minor;
    memcpy(p.amount.currency, currency, 4);
    ok(f, archase_payment_put(f->eng, &p, NULL));
}

/* `n` invoices of `customer`, due every 7 days up to `last_due`, each paid
 * `late` days after its due date (when that is on or before `paid_by`). */
static void given_history(fixture *f, const char *customer, int n, archase_date last_due, int late,
                          int64_t minor, archase_date paid_by) {
    for (int i = 0; i < n; i++) {
        char id[32], pid[32];
        snprintf(id, sizeof id, "%s-H%02d", customer, i);
        snprintf(pid, sizeof pid, "%s-P%02d", customer, i);
        archase_date due = last_due - 7 * (n - 1 - i);
        given_invoice(f, customer, id, due - 30, due, minor, "EUR");
        if (due + late <= paid_by)
            given_payment(f, customer, pid, id, due + late, minor, "EUR");
    }
}

static void run(fixture *f, const char *as_of, const archase_forecast_options *o) {
    archase_forecast_free(f->fc);
    f->fc = NULL;
    ok(f, archase_forecast_run(f->eng, on(as_of), o, &f->fc));
}

static archase_forecast_row row_of(fixture *f, size_t i) {
    archase_forecast_row r = ARCHASE_FORECAST_ROW_INIT;
    assert_int_equal(archase_forecast_row_get(f->fc, i, &r), 0);
    return r;
}

static archase_forecast_week week_of(fixture *f, size_t row, uint32_t k) {
    archase_forecast_week w = ARCHASE_FORECAST_WEEK_INIT;
    assert_int_equal(archase_forecast_week_get(f->fc, row, k, &w), 0);
    return w;
}

/* Everything open is expected, later, doubtful or left out as disputed. */
static void assert_accounted_for(fixture *f, size_t row) {
    archase_forecast_row r = row_of(f, row);
    int64_t weeks = 0;
    for (uint32_t k = 1; k <= r.weeks; k++) {
        archase_forecast_week w = week_of(f, row, k);
        assert_int_equal(w.expected, w.from_patterns + w.from_promises + w.from_disputed);
        weeks += w.expected;
    }
    assert_int_equal(weeks, r.expected);
    assert_int_equal(r.expected + r.beyond + r.doubtful + r.disputed_left_out, r.open_ar);
}

static void given_promise(fixture *f, const char *id, const char *const *invoices, size_t n, int64_t minor,
                          const char *date, const char *recorded, const archase_instalment *plan, size_t parts) {
    archase_promise p = ARCHASE_PROMISE_INIT;
    p.id = id;
    p.customer_id = "C1";
    p.invoice_ids = invoices;
    p.invoice_count = n;
    p.amount.minor = minor;
    memcpy(p.amount.currency, "EUR", 4);
    p.promised_date = on(date);
    p.instalments = plan;
    p.instalment_count = parts;
    p.grace_days = 0;
    p.recorded_on = on(recorded);
    ok(f, archase_promise_put(f->eng, &p, NULL));
}

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
    d.opened_on = on(opened);
    if (resolved) {
        d.status = ARCHASE_DISPUTE_RESOLVED;
        d.resolution = ARCHASE_RESOLUTION_REJECTED;
        d.root_cause = "customer_error";
        d.resolved_on = on(resolved);
    }
    ok(f, archase_dispute_put(f->eng, &d, NULL));
}

/* ---- the kept rate ------------------------------------------------------------------------ */

/* No promise of the currency was due in the year up to the as-of date: the
 * open promise is expected at promise_default_percent. A cancelled promise,
 * one recorded after the as-of date and one due more than a year before it,
 * none of them paid, would each make the rate 0 if they counted. */
static void without_promise_history_the_default_kept_rate_applies(void **state) {
    fixture *f = *state;
    archase_date as_of = on("2026-03-31");
    given_history(f, "C1", 6, on("2026-02-01"), 0, 1000, as_of);
    static const char *x[] = { "X" }, *h5[] = { "C1-H05" }, *h4[] = { "C1-H04" }, *o[] = { "O" };
    given_invoice(f, "C1", "X", on("2026-02-20"), on("2026-04-20"), 10000, "EUR");
    given_promise(f, "NP", x, 1, 10000, "2026-04-08", "2026-03-25", NULL, 0);
    given_promise(f, "P-cancelled", h5, 1, 1000, "2026-02-20", "2026-01-25", NULL, 0);
    ok(f, archase_promise_cancel(f->eng, "P-cancelled", "withdrawn", on("2026-02-10")));
    given_promise(f, "P-recorded-later", h4, 1, 1000, "2026-03-01", "2026-04-05", NULL, 0);
    given_invoice(f, "C1", "O", on("2024-05-01"), on("2024-05-31"), 500, "EUR");
    given_promise(f, "P-old", o, 1, 500, "2024-06-10", "2024-06-01", NULL, 0);
    archase_forecast_options opt = ARCHASE_FORECAST_OPTIONS_INIT;
    opt.promise_default_percent = 40;
    run(f, "2026-03-31", &opt);
    archase_forecast_row r = row_of(f, 0);
    assert_int_equal(r.promises_unkept, 6000);
    archase_forecast_week w2 = week_of(f, 0, 2); /* 04-08 .. 04-14 */
    assert_int_equal(w2.from_promises, 4000);
    assert_int_equal(w2.promises, 1);
    /* O is ten months past its expected date */
    assert_int_equal(r.doubtful, 500);
    assert_accounted_for(f, 0);
    /* the default is the default: 100 without the option */
    run(f, "2026-03-31", NULL);
    assert_int_equal(row_of(f, 0).promises_unkept, 0);
    assert_int_equal(week_of(f, 0, 2).from_promises, 10000);
}

/* ---- instalments ------------------------------------------------------------------------- */

static void instalments_already_paid_or_dated_before_the_day_are_placed_after_it(void **state) {
    fixture *f = *state;
    static const char *y[] = { "Y" }, *z[] = { "Z" };
    given_invoice(f, "C1", "Y", on("2026-02-01"), on("2026-03-01"), 6000, "EUR");
    given_invoice(f, "C1", "Z", on("2026-02-01"), on("2026-03-01"), 6000, "EUR");
    /* 2,000 of Y disputed: its plan of 3,000 + 3,000 has only 4,000 to take;
     * the first part, due before the day, comes the day after */
    given_dispute(f, "DY", y, 1, 2000, "2026-03-10", NULL);
    archase_instalment py[2] = { { on("2026-03-25"), { 3000, "EUR" } }, { on("2026-04-10"), { 3000, "EUR" } } };
    given_promise(f, "PY", y, 1, 6000, "2026-04-10", "2026-03-05", py, 2);
    /* Z's first instalment is paid: only the second is expected */
    archase_instalment pz[2] = { { on("2026-03-15"), { 3000, "EUR" } }, { on("2026-04-20"), { 3000, "EUR" } } };
    given_promise(f, "PZ", z, 1, 6000, "2026-04-20", "2026-03-05", pz, 2);
    given_payment(f, "C1", "PZ1", "Z", on("2026-03-14"), 3000, "EUR");
    run(f, "2026-03-31", NULL);
    archase_forecast_week w1 = week_of(f, 0, 1), w2 = week_of(f, 0, 2), w3 = week_of(f, 0, 3);
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
    assert_int_equal(d.expected_on, on("2026-04-01"));
    archase_forecast_row r = row_of(f, 0);
    assert_int_equal(r.promises_unkept, 0);
    assert_int_equal(r.disputed_left_out, 2000);
    assert_accounted_for(f, 0);
}

/* ---- several invoices -------------------------------------------------------------------- */

static void a_dispute_over_two_invoices_is_shared_by_their_open_amounts(void **state) {
    fixture *f = *state;
    static const char *m[] = { "M1", "M2" }, *m1[] = { "M1" }, *n[] = { "N" };
    given_invoice(f, "C1", "M1", on("2026-03-01"), on("2026-04-30"), 1000, "EUR");
    given_invoice(f, "C1", "M2", on("2026-03-01"), on("2026-04-30"), 3000, "EUR");
    given_dispute(f, "DM", m, 2, 2000, "2026-03-10", NULL);
    /* resolved before the day: holds nothing back */
    given_dispute(f, "DR", m1, 1, 1000, "2026-03-02", "2026-03-20");
    /* wholly disputed */
    given_invoice(f, "C1", "N", on("2026-03-01"), on("2026-04-03"), 500, "EUR");
    given_dispute(f, "DN", n, 1, 500, "2026-03-12", NULL);
    archase_forecast_options o = ARCHASE_FORECAST_OPTIONS_INIT;
    o.disputed = ARCHASE_FORECAST_DISCOUNT_DISPUTED;
    o.disputed_percent = 50;
    run(f, "2026-03-31", &o);
    archase_forecast_row r = row_of(f, 0);
    /* M1 500, M2 1,500 and N 500 disputed, half of each left out */
    assert_int_equal(r.disputed_left_out, 1250);
    archase_forecast_week w1 = week_of(f, 0, 1), w5 = week_of(f, 0, 5);
    assert_int_equal(w1.from_patterns, 0);
    assert_int_equal(w1.from_disputed, 250);
    assert_int_equal(w1.invoices, 1); /* N, by its disputed part alone */
    assert_int_equal(w5.from_patterns, 2000);
    assert_int_equal(w5.from_disputed, 1000);
    assert_int_equal(w5.invoices, 2);
    assert_accounted_for(f, 0);
}

static void a_promise_over_two_invoices_takes_from_each_by_what_is_free(void **state) {
    fixture *f = *state;
    static const char *ab[] = { "A", "B" };
    given_invoice(f, "C1", "A", on("2026-03-01"), on("2026-05-15"), 1000, "EUR");
    given_invoice(f, "C1", "B", on("2026-03-01"), on("2026-05-15"), 4000, "EUR");
    given_promise(f, "PAB", ab, 2, 2500, "2026-04-09", "2026-03-20", NULL, 0);
    run(f, "2026-03-31", NULL);
    /* 2,500 on 04-09: 500 from A, 2,000 from B; the rest on the due date */
    assert_int_equal(week_of(f, 0, 2).from_promises, 2500);
    assert_int_equal(week_of(f, 0, 7).from_patterns, 2500); /* 05-13 .. 05-19 */
    archase_forecast_driver d = ARCHASE_FORECAST_DRIVER_INIT;
    assert_int_equal(archase_forecast_driver_count(f->fc, 0, 7), 2);
    assert_int_equal(archase_forecast_driver_get(f->fc, 0, 7, 0, &d), 0);
    assert_string_equal(d.id, "B");
    assert_int_equal(d.amount, 2000);
    assert_int_equal(archase_forecast_driver_get(f->fc, 0, 7, 1, &d), 0);
    assert_string_equal(d.id, "A");
    assert_int_equal(d.amount, 500);
    assert_accounted_for(f, 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

static const struct CMUnitTest tests[] = {
    T(without_promise_history_the_default_kept_rate_applies),
    T(instalments_already_paid_or_dated_before_the_day_are_placed_after_it),
    T(a_dispute_over_two_invoices_is_shared_by_their_open_amounts),
    T(a_promise_over_two_invoices_takes_from_each_by_what_is_free),
};

AR_TEST_MAIN(tests)
