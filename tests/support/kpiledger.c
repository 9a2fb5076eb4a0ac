/* tests/support/kpiledger.c — what the KPI suites build and read
 * (kpiledger.h). */
#include "kpiledger.h"

#include <string.h>

#include "ledger.h"
#include "testutil.h"

archase_money test_money(const char *text) {
    archase_money m;
    assert_int_equal(archase_money_parse(text, &m), 0);
    return m;
}

archase_instant test_instant(const char *text) {
    archase_instant t = 0;
    assert_int_equal(archase_instant_parse(text, &t), 0);
    return t;
}

void test_kpi_customer(test_memengine *f, const char *id) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = id;
    c.name = id;
    test_ok(f->eng, archase_customer_put(f->eng, &c, NULL));
}

void test_kpi_invoice(test_memengine *f, const char *customer, const char *id, const char *issued,
                      const char *due, const char *money, int status) {
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = id;
    inv.customer_id = customer;
    inv.issue_date = test_day(issued);
    inv.due_date = test_day(due);
    inv.amount = test_money(money);
    inv.source_status = status;
    test_ok(f->eng, archase_invoice_put(f->eng, &inv, NULL));
}

void test_kpi_paid(test_memengine *f, const char *id, const char *invoice, const char *date, const char *money,
                   int kind) {
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = id;
    p.customer_id = "C1";
    p.invoice_id = invoice;
    p.kind = kind;
    p.date = test_day(date);
    p.amount = test_money(money);
    test_ok(f->eng, archase_payment_put(f->eng, &p, NULL));
}

void test_kpi_promise(test_memengine *f, const char *id, const char *const *invoices, size_t n, const char *money,
                      const char *date, int32_t grace, const char *recorded) {
    archase_promise p = ARCHASE_PROMISE_INIT;
    p.id = id;
    p.customer_id = "C1";
    p.invoice_ids = invoices;
    p.invoice_count = n;
    p.amount = test_money(money);
    p.promised_date = test_day(date);
    p.grace_days = grace;
    p.recorded_on = recorded ? test_day(recorded) : ARCHASE_DATE_NONE;
    test_ok(f->eng, archase_promise_put(f->eng, &p, NULL));
}

void test_kpi_dispute(test_memengine *f, const char *id, const char *invoice, const char *money,
                      const char *reason, const char *opened, const char *resolved, const char *root_cause) {
    const char *ids[1] = { invoice };
    archase_dispute d = ARCHASE_DISPUTE_INIT;
    d.id = id;
    d.customer_id = "C1";
    d.invoice_ids = ids;
    d.invoice_count = 1;
    d.amount = test_money(money);
    d.reason_code = reason;
    d.opened_on = test_day(opened);
    d.root_cause = root_cause;
    if (resolved) {
        d.status = ARCHASE_DISPUTE_RESOLVED;
        d.resolution = ARCHASE_RESOLUTION_REJECTED;
        d.resolved_on = test_day(resolved);
    }
    test_ok(f->eng, archase_dispute_put(f->eng, &d, NULL));
}

void test_kpi_compute(test_memengine *f, const char *from, const char *to, const archase_kpi_options *o) {
    archase_kpi_report_free(f->report);
    f->report = NULL;
    test_ok(f->eng, archase_kpi_compute(f->eng, test_day(from), test_day(to), o, &f->report));
}

archase_kpi_reviewer_effort test_kpi_reviewer_effort(test_memengine *f, const char *from, const char *to,
                                                     const archase_kpi_review *reviews, size_t n) {
    archase_kpi_options o = ARCHASE_KPI_OPTIONS_INIT;
    o.reviews = reviews;
    o.review_count = n;
    test_kpi_compute(f, from, to, &o);
    archase_kpi_reviewer_effort e = ARCHASE_KPI_REVIEWER_EFFORT_INIT;
    assert_int_equal(archase_kpi_reviewer_effort_get(f->report, &e), 0);
    return e;
}

size_t test_kpi_row(test_memengine *f, const char *currency) {
    for (size_t i = 0; i < archase_kpi_row_count(f->report); i++) {
        archase_kpi_row row = ARCHASE_KPI_ROW_INIT;
        assert_int_equal(archase_kpi_row_get(f->report, i, &row), 0);
        if (!strcmp(row.currency, currency))
            return i;
    }
    fail_msg("no row for %s", currency);
    return 0;
}
