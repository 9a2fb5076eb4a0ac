/* tests/support/forecastledger.c — what the forecast suites build and read
 * (forecastledger.h). */
#include "forecastledger.h"

#include <stdio.h>
#include <string.h>

#include "ledger.h"
#include "testutil.h"

void test_forecast_invoice(test_memengine *f, const char *customer, const char *id, archase_date issued,
                           archase_date due, int64_t minor, const char *currency) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = customer;
    c.name = customer;
    test_ok(f->eng, archase_customer_put(f->eng, &c, NULL));
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = id;
    inv.customer_id = customer;
    inv.issue_date = issued;
    inv.due_date = due;
    inv.amount.minor = minor;
    memcpy(inv.amount.currency, currency, 4);
    test_ok(f->eng, archase_invoice_put(f->eng, &inv, NULL));
}

void test_forecast_payment(test_memengine *f, const char *customer, const char *id, const char *invoice,
                           archase_date date, int64_t minor, const char *currency) {
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = id;
    p.customer_id = customer;
    p.invoice_id = invoice;
    p.date = date;
    p.amount.minor = minor;
    memcpy(p.amount.currency, currency, 4);
    test_ok(f->eng, archase_payment_put(f->eng, &p, NULL));
}

void test_forecast_promise(test_memengine *f, const char *id, const char *const *invoices, size_t n, int64_t minor,
                           const char *date, const char *recorded, const archase_instalment *plan, size_t parts) {
    archase_promise p = ARCHASE_PROMISE_INIT;
    p.id = id;
    p.customer_id = "C1";
    p.invoice_ids = invoices;
    p.invoice_count = n;
    p.amount.minor = minor;
    memcpy(p.amount.currency, "EUR", 4);
    p.promised_date = test_day(date);
    p.instalments = plan;
    p.instalment_count = parts;
    p.grace_days = 0;
    p.recorded_on = test_day(recorded);
    test_ok(f->eng, archase_promise_put(f->eng, &p, NULL));
}

void test_forecast_history(test_memengine *f, const char *customer, int n, archase_date last_due, int late,
                           int64_t minor, archase_date paid_by) {
    for (int i = 0; i < n; i++) {
        char id[32], pid[32];
        snprintf(id, sizeof id, "%s-H%02d", customer, i);
        snprintf(pid, sizeof pid, "%s-P%02d", customer, i);
        archase_date due = last_due - 7 * (n - 1 - i);
        test_forecast_invoice(f, customer, id, due - 30, due, minor, "EUR");
        if (due + late <= paid_by)
            test_forecast_payment(f, customer, pid, id, due + late, minor, "EUR");
    }
}

void test_forecast_run(test_memengine *f, const char *as_of, const archase_forecast_options *o) {
    archase_forecast_free(f->fc);
    f->fc = NULL;
    test_ok(f->eng, archase_forecast_run(f->eng, test_day(as_of), o, &f->fc));
}

archase_forecast_row test_forecast_row(test_memengine *f, size_t i) {
    archase_forecast_row r = ARCHASE_FORECAST_ROW_INIT;
    assert_int_equal(archase_forecast_row_get(f->fc, i, &r), 0);
    return r;
}

archase_forecast_week test_forecast_week(test_memengine *f, size_t row, uint32_t k) {
    archase_forecast_week w = ARCHASE_FORECAST_WEEK_INIT;
    assert_int_equal(archase_forecast_week_get(f->fc, row, k, &w), 0);
    return w;
}

void test_forecast_accounted_for(test_memengine *f, size_t row) {
    archase_forecast_row r = test_forecast_row(f, row);
    int64_t weeks = 0;
    for (uint32_t k = 1; k <= r.weeks; k++) {
        archase_forecast_week w = test_forecast_week(f, row, k);
        assert_int_equal(w.expected, w.from_patterns + w.from_promises + w.from_disputed);
        weeks += w.expected;
    }
    assert_int_equal(weeks, r.expected);
    assert_int_equal(r.expected + r.beyond + r.doubtful + r.disputed_left_out, r.open_ar);
}
