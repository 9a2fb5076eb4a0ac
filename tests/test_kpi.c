/* tests/test_kpi.c — the KPIs of small hand-computed ledgers through the
 * public API: the GLOSSARY's worked examples and docs/kpi-formulas.md's,
 * aging boundaries, DSO, CEI, days to pay, promises, disputes, messages,
 * reviews, series, several currencies, a property test over random ledgers,
 * and every allocation and storage call failing in turn. */
#include <stdio.h>
#include <string.h>

#include "archase/archase.h"
#include "archase/sys/storage.h"
#include "support/failalloc.h"
#include "support/faultstore.h"
#include "support/kpiledger.h"
#include "support/ledger.h"
#include "support/memengine.h"
#include "support/testutil.h"

typedef test_memengine fixture;

/* ---- building ledgers ------------------------------------------------------------ */

static void given_invoice_of(fixture *f, const char *customer, const char *id, const char *issued,
                             const char *due, const char *money) {
    test_kpi_customer(f, customer);
    test_kpi_invoice(f, customer, id, issued, due, money, ARCHASE_INVOICE_OPEN);
}

/* An invoice of customer C1 (created when missing). */
static void given_invoice(fixture *f, const char *id, const char *issued, const char *due,
                          const char *money) {
    given_invoice_of(f, "C1", id, issued, due, money);
}

static void given_payment(fixture *f, const char *id, const char *invoice, const char *date,
                          const char *money) {
    test_kpi_paid(f, id, invoice, date, money, ARCHASE_PAYMENT);
}

static void given_promise(fixture *f, const char *id, const char *invoice, const char *money,
                          const char *date, int32_t grace, const char *recorded) {
    const char *ids[1] = { invoice };
    test_kpi_promise(f, id, ids, 1, money, date, grace, recorded);
}

/* ---- reading figures --------------------------------------------------------------- */

static void compute(fixture *f, const char *from, const char *to) {
    test_kpi_compute(f, from, to, NULL);
}

/* The metric as text: money "1234.56", counts "12", days and percents
 * "55.35", flags "true"/"false", undefined "null". */
static const char *text_of(fixture *f, const char *currency, int metric) {
    static char buf[64];
    archase_kpi_value v;
    assert_int_equal(archase_kpi_value_get(f->report, test_kpi_row(f, currency), metric, &v), 0);
    assert_int_equal(v.type, archase_kpi_metric_type(metric));
    if (!v.defined)
        return "null";
    switch (v.type) {
    case ARCHASE_KPI_MONEY: {
        archase_money m;
        m.minor = v.value;
        memcpy(m.currency, currency, 4);
        assert_int_equal(archase_money_format_amount(&m, buf, sizeof buf), 0);
        break;
    }
    case ARCHASE_KPI_COUNT: snprintf(buf, sizeof buf, "%lld", (long long)v.value); break;
    case ARCHASE_KPI_FLAG: snprintf(buf, sizeof buf, "%s", v.value ? "true" : "false"); break;
    default: {
        archase_kpi_number n = { v.value, 1 };
        assert_int_equal(archase_kpi_number_format(n, buf, sizeof buf), 0);
    }
    }
    return buf;
}

#define assert_kpi(f, cur, metric, expected) assert_string_equal(text_of(f, cur, metric), expected)

/* ---- the GLOSSARY's worked examples ------------------------------------------------ */

/* Ending AR 10,869; credit sales 5,538 + 4,566 + 7,570 = 17,674 over 90 days. */
static void dso_standard_is_ending_ar_over_credit_sales_times_days(void **state) {
    fixture *f = *state;
    given_invoice(f, "JAN", "2026-01-15", "2026-02-14", "5538.00 EUR");
    given_invoice(f, "FEB", "2026-02-15", "2026-03-17", "4566.00 EUR");
    given_invoice(f, "MAR", "2026-03-15", "2026-04-14", "7570.00 EUR");
    given_payment(f, "P1", "JAN", "2026-02-10", "5538.00 EUR");
    given_payment(f, "P2", "FEB", "2026-03-20", "1267.00 EUR");
    compute(f, "2026-01-01", "2026-03-31");
    assert_kpi(f, "EUR", ARCHASE_KPI_OPEN_AR, "10869.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_CREDIT_SALES, "17674.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_DSO_STANDARD, "55.35");
}

/* AR 212,000; sales latest first 100,000, 80,000, 70,000. The GLOSSARY's
 * 30-day months give 73.71; calendar months back from 2026-03-31 are 31
 * (March), 28 (February) and 31 (January) days: 31 + 28 + 32/70 x 31 = 73.17. */
static void dso_countback_walks_back_calendar_months(void **state) {
    fixture *f = *state;
    given_invoice(f, "JAN", "2026-01-10", "2026-04-30", "70000.00 EUR");
    given_invoice(f, "FEB", "2026-02-10", "2026-04-30", "80000.00 EUR");
    given_invoice(f, "MAR", "2026-03-10", "2026-04-30", "100000.00 EUR");
    given_payment(f, "P1", "JAN", "2026-03-31", "38000.00 EUR");
    compute(f, "2026-01-01", "2026-03-31");
    assert_kpi(f, "EUR", ARCHASE_KPI_OPEN_AR, "212000.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_DSO_COUNTBACK, "73.17");
    assert_kpi(f, "EUR", ARCHASE_KPI_COUNTBACK_MONTHS, "3");
    assert_kpi(f, "EUR", ARCHASE_KPI_COUNTBACK_LEFTOVER, "false");
}

/* DSO 45, BPDSO 12: ADD 33 (90,000 of sales over 90 days). */
static void add_is_dso_less_best_possible_dso(void **state) {
    fixture *f = *state;
    given_invoice(f, "A", "2026-01-10", "2026-02-09", "78000.00 EUR");
    given_invoice(f, "B", "2026-03-20", "2026-04-19", "12000.00 EUR");
    given_payment(f, "P1", "A", "2026-03-01", "45000.00 EUR");
    compute(f, "2026-01-01", "2026-03-31");
    assert_kpi(f, "EUR", ARCHASE_KPI_DSO_STANDARD, "45.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_BPDSO, "12.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_ADD, "33.00");
}

/* Beginning AR 100,000; credit sales 50,000; ending AR 90,000 of which
 * 40,000 current: 60,000 / 110,000 x 100 = 54.55 %. */
static void cei_compares_collected_with_collectible(void **state) {
    fixture *f = *state;
    given_invoice(f, "OLD", "2025-12-01", "2025-12-31", "100000.00 EUR");
    given_invoice(f, "N1", "2026-01-05", "2026-02-04", "10000.00 EUR");
    given_invoice(f, "N2", "2026-03-15", "2026-04-14", "40000.00 EUR");
    given_payment(f, "P1", "OLD", "2026-02-01", "60000.00 EUR");
    compute(f, "2026-01-01", "2026-03-31");
    assert_kpi(f, "EUR", ARCHASE_KPI_BEGINNING_AR, "100000.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_CREDIT_SALES, "50000.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_OPEN_AR, "90000.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_CURRENT_AR, "40000.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_CEI, "54.55");
}

/* ---- aging and its boundaries -------------------------------------------------------- */

static void an_invoice_due_today_is_current(void **state) {
    fixture *f = *state;
    given_invoice(f, "DUE", "2026-03-01", "2026-03-31", "100.00 EUR");
    given_invoice(f, "ONE", "2026-03-01", "2026-03-30", "50.00 EUR");
    compute(f, "2026-03-01", "2026-03-31");
    assert_kpi(f, "EUR", ARCHASE_KPI_AGING_CURRENT, "100.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_CURRENT_AR, "100.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_AGING_1_30, "50.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_AGING_COUNT_1_30, "1");
}

static void day_30_and_day_31_fall_in_different_buckets(void **state) {
    fixture *f = *state;
    given_invoice(f, "D30", "2026-01-01", "2026-03-01", "30.00 EUR");  /* 30 days past due on 03-31 */
    given_invoice(f, "D31", "2026-01-01", "2026-02-28", "31.00 EUR");  /* 31 */
    given_invoice(f, "D60", "2026-01-01", "2026-01-30", "60.00 EUR");  /* 60 */
    given_invoice(f, "D61", "2026-01-01", "2026-01-29", "61.00 EUR");  /* 61 */
    given_invoice(f, "D90", "2025-12-01", "2025-12-31", "90.00 EUR");  /* 90 */
    given_invoice(f, "D91", "2025-12-01", "2025-12-30", "91.00 EUR");  /* 91 */
    compute(f, "2026-03-01", "2026-03-31");
    assert_kpi(f, "EUR", ARCHASE_KPI_AGING_1_30, "30.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_AGING_31_60, "91.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_AGING_61_90, "151.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_AGING_91_PLUS, "91.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_OVER_60_AMOUNT, "242.00");
    /* 242 / 363 = 66.666... */
    assert_kpi(f, "EUR", ARCHASE_KPI_OVER_60_SHARE, "66.67");
    assert_kpi(f, "EUR", ARCHASE_KPI_OPEN_INVOICES, "6");
}

static void a_payment_on_the_last_day_counts_and_one_a_day_later_does_not(void **state) {
    fixture *f = *state;
    given_invoice(f, "A", "2026-03-01", "2026-03-31", "100.00 EUR");
    given_invoice(f, "B", "2026-03-01", "2026-03-31", "100.00 EUR");
    given_payment(f, "P1", "A", "2026-03-31", "100.00 EUR");
    given_payment(f, "P2", "B", "2026-04-01", "100.00 EUR");
    given_invoice(f, "LATER", "2026-04-01", "2026-05-01", "999.00 EUR");
    compute(f, "2026-03-01", "2026-03-31");
    assert_kpi(f, "EUR", ARCHASE_KPI_OPEN_AR, "100.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_OPEN_INVOICES, "1");
    assert_kpi(f, "EUR", ARCHASE_KPI_SETTLED_INVOICES, "1");
    assert_kpi(f, "EUR", ARCHASE_KPI_CREDIT_SALES, "200.00");
}

static void a_credit_note_reduces_receivables_and_settles(void **state) {
    fixture *f = *state;
    given_invoice(f, "A", "2026-03-01", "2026-03-10", "100.00 EUR");
    test_kpi_paid(f, "CN1", "A", "2026-03-05", "40.00 EUR", ARCHASE_CREDIT_NOTE);
    compute(f, "2026-03-01", "2026-03-31");
    assert_kpi(f, "EUR", ARCHASE_KPI_OPEN_AR, "60.00");
    given_payment(f, "P1", "A", "2026-03-20", "60.00 EUR");
    compute(f, "2026-03-01", "2026-03-31");
    assert_kpi(f, "EUR", ARCHASE_KPI_OPEN_AR, "0.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_AVG_DAYS_TO_PAY, "19.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_AVG_DAYS_LATE, "10.00");
}

static void zero_credit_sales_leave_dso_undefined(void **state) {
    fixture *f = *state;
    given_invoice(f, "OLD", "2024-11-01", "2024-12-01", "500.00 EUR");
    given_payment(f, "P1", "OLD", "2026-02-01", "200.00 EUR");
    compute(f, "2026-01-01", "2026-03-31");
    assert_kpi(f, "EUR", ARCHASE_KPI_CREDIT_SALES, "0.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_DSO_STANDARD, "null");
    assert_kpi(f, "EUR", ARCHASE_KPI_BPDSO, "null");
    assert_kpi(f, "EUR", ARCHASE_KPI_ADD, "null");
    /* (500 + 0 - 300) / (500 + 0 - 0) */
    assert_kpi(f, "EUR", ARCHASE_KPI_CEI, "40.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_AVG_DAYS_TO_PAY, "null");
    assert_kpi(f, "EUR", ARCHASE_KPI_PROMISE_KEPT_COUNT, "null");
    /* nothing sold in twelve months: the receivables are left over */
    assert_kpi(f, "EUR", ARCHASE_KPI_COUNTBACK_LEFTOVER, "true");
    assert_kpi(f, "EUR", ARCHASE_KPI_COUNTBACK_LEFTOVER_AR, "300.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_COUNTBACK_MONTHS, "12");
    assert_kpi(f, "EUR", ARCHASE_KPI_DSO_COUNTBACK, "365.00");
}

static void an_empty_ledger_has_undefined_ratios_for_a_requested_currency(void **state) {
    fixture *f = *state;
    archase_kpi_options o = ARCHASE_KPI_OPTIONS_INIT;
    o.currency = "CHF";
    test_kpi_compute(f, "2026-01-01", "2026-03-31", &o);
    assert_int_equal(archase_kpi_row_count(f->report), 1);
    assert_kpi(f, "CHF", ARCHASE_KPI_OPEN_AR, "0.00");
    assert_kpi(f, "CHF", ARCHASE_KPI_OVER_60_SHARE, "null");
    assert_kpi(f, "CHF", ARCHASE_KPI_CEI, "null");
    assert_kpi(f, "CHF", ARCHASE_KPI_DSO_COUNTBACK, "0.00");
    compute(f, "2026-01-01", "2026-03-31");
    assert_int_equal(archase_kpi_row_count(f->report), 0);
}

/* ---- the library's own examples (docs/kpi-formulas.md) -------------------------------- */

/* Three invoices settled in March: 10, 20 and 45 days to pay, 0, 0 and 15
 * days late, amounts 100, 100 and 800. */
static void days_to_pay_and_days_late_mean_median_and_weighted(void **state) {
    fixture *f = *state;
    given_invoice(f, "A", "2026-02-20", "2026-03-20", "100.00 EUR");
    given_invoice(f, "B", "2026-02-10", "2026-03-12", "100.00 EUR");
    given_invoice(f, "C", "2026-02-01", "2026-03-03", "800.00 EUR");
    given_payment(f, "PA", "A", "2026-03-02", "100.00 EUR");
    given_payment(f, "PB", "B", "2026-03-02", "100.00 EUR");
    given_payment(f, "PC1", "C", "2026-03-01", "300.00 EUR");
    given_payment(f, "PC2", "C", "2026-03-18", "500.00 EUR");
    compute(f, "2026-03-01", "2026-03-31");
    assert_kpi(f, "EUR", ARCHASE_KPI_SETTLED_INVOICES, "3");
    /* days to pay 10, 20, 45 */
    assert_kpi(f, "EUR", ARCHASE_KPI_AVG_DAYS_TO_PAY, "25.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_MEDIAN_DAYS_TO_PAY, "20.00");
    /* (10 x 100 + 20 x 100 + 45 x 800) / 1000 = 39 */
    assert_kpi(f, "EUR", ARCHASE_KPI_WEIGHTED_DAYS_TO_PAY, "39.00");
    /* late 0, 0, 15 */
    assert_kpi(f, "EUR", ARCHASE_KPI_AVG_DAYS_LATE, "5.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_MEDIAN_DAYS_LATE, "0.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_WEIGHTED_DAYS_LATE, "12.00");
}

static void a_median_of_an_even_count_is_the_mean_of_the_middle_two(void **state) {
    fixture *f = *state;
    given_invoice(f, "A", "2026-03-01", "2026-03-01", "1.00 EUR");
    given_invoice(f, "B", "2026-03-01", "2026-03-01", "1.00 EUR");
    given_payment(f, "PA", "A", "2026-03-04", "1.00 EUR");
    given_payment(f, "PB", "B", "2026-03-08", "1.00 EUR");
    compute(f, "2026-03-01", "2026-03-31");
    assert_kpi(f, "EUR", ARCHASE_KPI_MEDIAN_DAYS_LATE, "5.00");
    given_invoice(f, "C", "2026-03-01", "2026-03-01", "1.00 EUR");
    given_invoice(f, "D", "2026-03-01", "2026-03-01", "1.00 EUR");
    given_payment(f, "PC", "C", "2026-03-02", "1.00 EUR");
    given_payment(f, "PD", "D", "2026-03-10", "1.00 EUR");
    compute(f, "2026-03-01", "2026-03-31");
    /* 1, 3, 7, 9: (3 + 7) / 2 */
    assert_kpi(f, "EUR", ARCHASE_KPI_MEDIAN_DAYS_LATE, "5.00");
    given_invoice(f, "E", "2026-03-01", "2026-03-01", "1.00 EUR");
    given_payment(f, "PE", "E", "2026-03-06", "1.00 EUR");
    given_invoice(f, "G", "2026-03-01", "2026-03-01", "1.00 EUR");
    given_payment(f, "PG", "G", "2026-03-07", "1.00 EUR");
    compute(f, "2026-03-01", "2026-03-31");
    /* 1, 3, 5, 6, 7, 9: (5 + 6) / 2 */
    assert_kpi(f, "EUR", ARCHASE_KPI_MEDIAN_DAYS_LATE, "5.50");
}

/* Three promises due in March: kept in full, paid in part, paid after the
 * grace days; one cancelled is left out. */
static void promise_kept_rate_by_count_and_by_amount(void **state) {
    fixture *f = *state;
    given_invoice(f, "A", "2026-01-01", "2026-01-31", "1000.00 EUR");
    given_invoice(f, "B", "2026-01-01", "2026-01-31", "1000.00 EUR");
    given_invoice(f, "C", "2026-01-01", "2026-01-31", "1000.00 EUR");
    given_promise(f, "KEPT", "A", "1000.00 EUR", "2026-03-10", 2, "2026-03-01");
    given_promise(f, "PART", "B", "800.00 EUR", "2026-03-10", 0, "2026-03-01");
    given_promise(f, "LATE", "C", "200.00 EUR", "2026-03-20", ARCHASE_GRACE_POLICY_DEFAULT, "2026-03-01");
    /* paid on the last grace day: kept */
    given_payment(f, "PA", "A", "2026-03-12", "1000.00 EUR");
    /* 600 of 800 by the date */
    given_payment(f, "PB", "B", "2026-03-09", "600.00 EUR");
    /* the default grace is 2 days: 03-22 is the deadline, paid 03-23 */
    given_payment(f, "PC", "C", "2026-03-23", "200.00 EUR");
    compute(f, "2026-03-01", "2026-03-31");
    assert_kpi(f, "EUR", ARCHASE_KPI_PROMISES_DUE, "3");
    assert_kpi(f, "EUR", ARCHASE_KPI_PROMISES_KEPT, "1");
    assert_kpi(f, "EUR", ARCHASE_KPI_PROMISE_KEPT_COUNT, "33.33");
    /* (1000 + 600 + 0) / 2000 */
    assert_kpi(f, "EUR", ARCHASE_KPI_PROMISED_PAID, "1600.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_PROMISE_KEPT_AMOUNT, "80.00");
    /* with a grace of 3 days the late one is kept */
    archase_kpi_options o = ARCHASE_KPI_OPTIONS_INIT;
    o.promise_grace_days = 3;
    test_kpi_compute(f, "2026-03-01", "2026-03-31", &o);
    assert_kpi(f, "EUR", ARCHASE_KPI_PROMISES_KEPT, "2");
    assert_kpi(f, "EUR", ARCHASE_KPI_PROMISE_KEPT_COUNT, "66.67");
}

static void payments_before_a_promise_was_made_do_not_keep_it(void **state) {
    fixture *f = *state;
    given_invoice(f, "A", "2026-01-01", "2026-01-31", "1000.00 EUR");
    given_payment(f, "P0", "A", "2026-02-15", "500.00 EUR");
    given_promise(f, "PTP", "A", "500.00 EUR", "2026-03-10", 0, "2026-03-01");
    compute(f, "2026-03-01", "2026-03-31");
    assert_kpi(f, "EUR", ARCHASE_KPI_PROMISES_KEPT, "0");
    assert_kpi(f, "EUR", ARCHASE_KPI_PROMISE_KEPT_AMOUNT, "0.00");
    /* a promise due after the period is not counted yet */
    compute(f, "2026-03-01", "2026-03-09");
    assert_kpi(f, "EUR", ARCHASE_KPI_PROMISES_DUE, "0");
    assert_kpi(f, "EUR", ARCHASE_KPI_PROMISE_KEPT_COUNT, "null");
}

static void dispute_aging_and_time_to_resolution_by_reason_and_root_cause(void **state) {
    fixture *f = *state;
    given_invoice(f, "A", "2026-01-01", "2026-01-31", "1000.00 EUR");
    given_invoice(f, "B", "2026-01-01", "2026-01-31", "500.00 EUR");
    given_invoice(f, "C", "2026-01-01", "2026-01-31", "300.00 EUR");
    test_kpi_dispute(f, "D1", "A", "400.00 EUR", "pricing", "2026-03-01", NULL, NULL);
    test_kpi_dispute(f, "D2", "B", "500.00 EUR", "pricing", "2026-03-21", NULL, NULL);
    test_kpi_dispute(f, "D3", "C", "300.00 EUR", "damaged_goods", "2026-02-01", "2026-03-11", "carrier");
    /* resolved after the period: open at its end, cause not known then */
    test_kpi_dispute(f, "D4", "C", "100.00 EUR", "tax", "2026-03-25", "2026-04-10", "vat_rate");
    compute(f, "2026-03-01", "2026-03-31");
    /* open on 03-31: D1 30 days, D2 10, D4 6 */
    assert_kpi(f, "EUR", ARCHASE_KPI_OPEN_DISPUTES, "3");
    assert_kpi(f, "EUR", ARCHASE_KPI_OPEN_DISPUTED_AMOUNT, "1000.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_DISPUTE_MEAN_DAYS_OPEN, "15.33");
    assert_kpi(f, "EUR", ARCHASE_KPI_DISPUTE_MEDIAN_DAYS_OPEN, "10.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_DISPUTE_OLDEST_DAYS_OPEN, "30.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_RESOLVED_DISPUTES, "1");
    assert_kpi(f, "EUR", ARCHASE_KPI_DISPUTE_MEAN_DAYS_TO_RESOLVE, "38.00");

    size_t n = archase_kpi_dispute_group_count(f->report);
    const char *expected[][2] = { { "reason", "damaged_goods" }, { "reason", "pricing" }, { "reason", "tax" },
                                  { "root", "carrier" },         { "root", "untagged" } };
    assert_int_equal(n, 5);
    for (size_t i = 0; i < n; i++) {
        archase_kpi_dispute_group g = ARCHASE_KPI_DISPUTE_GROUP_INIT;
        assert_int_equal(archase_kpi_dispute_group_get(f->report, i, &g), 0);
        assert_int_equal(g.dimension, expected[i][0][0] == 'r' && expected[i][0][1] == 'e'
                                          ? ARCHASE_KPI_BY_REASON : ARCHASE_KPI_BY_ROOT_CAUSE);
        assert_string_equal(g.name, expected[i][1]);
        if (!strcmp(g.name, "pricing")) {
            assert_int_equal(g.open, 2);
            assert_int_equal(g.open_amount, 90000);
            assert_int_equal(g.mean_days_open.hundredths, 2000);
            assert_int_equal(g.oldest_days_open.hundredths, 3000);
            assert_false(g.mean_days_to_resolution.defined);
        }
        if (!strcmp(g.name, "carrier")) {
            assert_int_equal(g.resolved, 1);
            assert_int_equal(g.median_days_to_resolution.hundredths, 3800);
            assert_int_equal(g.open, 0);
            assert_false(g.mean_days_open.defined);
        }
        if (!strcmp(g.name, "untagged"))
            assert_int_equal(g.open, 3);
    }
    archase_kpi_dispute_group bad = ARCHASE_KPI_DISPUTE_GROUP_INIT;
    assert_int_equal(archase_kpi_dispute_group_get(f->report, n, &bad), ARCHASE_ERANGE);
    bad.version = 99;
    assert_int_equal(archase_kpi_dispute_group_get(f->report, 0, &bad), ARCHASE_EVERSION);
}

/* ---- messages and reviews ------------------------------------------------------------- */

static archase_kpi_touch touch(const char *const *ids, const char *date, const char *step,
                               const char *tmpl) {
    archase_kpi_touch t = ARCHASE_KPI_TOUCH_INIT;
    t.customer_id = "C1";
    t.invoice_ids = ids;
    t.invoice_count = 1;
    t.date = test_day(date);
    t.channel = ARCHASE_CHANNEL_EMAIL;
    t.sequence = "standard";
    t.step = step;
    t.template_name = tmpl;
    return t;
}

static void collection_effectiveness_per_step_and_template(void **state) {
    fixture *f = *state;
    given_invoice(f, "A", "2026-01-01", "2026-01-31", "100.00 EUR");
    given_invoice(f, "B", "2026-01-01", "2026-01-31", "300.00 EUR");
    given_invoice(f, "C", "2026-01-01", "2026-01-31", "600.00 EUR");
    given_invoice(f, "D", "2026-01-01", "2026-01-31", "1000.00 EUR");
    static const char *a[] = { "A" }, *b[] = { "B" }, *c[] = { "C" }, *d[] = { "D" };
    /* A paid in full 3 days after its reminder: effective */
    given_payment(f, "PA", "A", "2026-03-05", "100.00 EUR");
    /* B: a promise 2 days after: effective */
    given_promise(f, "PTP", "B", "300.00 EUR", "2026-03-20", 0, "2026-03-04");
    /* C: paid in part: a response, not effective */
    given_payment(f, "PC", "C", "2026-03-06", "100.00 EUR");
    /* D: a dispute: a response, not effective */
    test_kpi_dispute(f, "DD", "D", "1000.00 EUR", "pricing", "2026-03-03", NULL, NULL);
    archase_kpi_touch t[5] = {
        touch(a, "2026-03-02", "d+30", "firm"),   touch(b, "2026-03-02", "d+30", "firm"),
        touch(c, "2026-03-02", "d+30", "firm"),   touch(d, "2026-03-02", "d+30", "friendly"),
        /* its window closes on 04-02, after the period: counted next period */
        touch(d, "2026-03-26", "d+55", "final"),
    };
    archase_kpi_options o = ARCHASE_KPI_OPTIONS_INIT;
    o.touches = t;
    o.touch_count = 5;
    test_kpi_compute(f, "2026-03-01", "2026-03-31", &o);
    assert_kpi(f, "EUR", ARCHASE_KPI_MESSAGES, "4");
    assert_kpi(f, "EUR", ARCHASE_KPI_MESSAGE_AMOUNT, "2000.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_EFFECTIVE_MESSAGES, "2");
    assert_kpi(f, "EUR", ARCHASE_KPI_EFFECTIVENESS, "50.00");
    /* (100 + 300) / 2000 */
    assert_kpi(f, "EUR", ARCHASE_KPI_EFFECTIVENESS_AMOUNT, "20.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_RESPONSE_RATE, "100.00");
    assert_kpi(f, "EUR", ARCHASE_KPI_MESSAGE_DISPUTE_RATE, "25.00");

    size_t n = archase_kpi_effectiveness_count(f->report);
    assert_int_equal(n, 3); /* step standard/d+30; templates firm and friendly */
    archase_kpi_effectiveness g = ARCHASE_KPI_EFFECTIVENESS_INIT;
    assert_int_equal(archase_kpi_effectiveness_get(f->report, 0, &g), 0);
    assert_int_equal(g.dimension, ARCHASE_KPI_BY_STEP);
    assert_string_equal(g.name, "standard/d+30");
    assert_int_equal(g.messages, 4);
    assert_int_equal(archase_kpi_effectiveness_get(f->report, 1, &g), 0);
    assert_int_equal(g.dimension, ARCHASE_KPI_BY_TEMPLATE);
    assert_string_equal(g.name, "firm");
    assert_int_equal(g.messages, 3);
    assert_int_equal(g.effective, 2);
    assert_int_equal(g.effective_percent.hundredths, 6667);
    assert_int_equal(g.effective_amount, 40000);
    assert_int_equal(g.effective_amount_percent.hundredths, 4000);
    assert_int_equal(archase_kpi_effectiveness_get(f->report, 2, &g), 0);
    assert_string_equal(g.name, "friendly");
    assert_int_equal(g.disputed, 1);
    assert_int_equal(g.dispute_percent.hundredths, 10000);

    /* April sees the late message: no response within 7 days */
    test_kpi_compute(f, "2026-04-01", "2026-04-30", &o);
    assert_kpi(f, "EUR", ARCHASE_KPI_MESSAGES, "1");
    assert_kpi(f, "EUR", ARCHASE_KPI_RESPONSE_RATE, "0.00");
}

static void without_messages_the_rates_are_undefined(void **state) {
    fixture *f = *state;
    given_invoice(f, "A", "2026-01-01", "2026-01-31", "100.00 EUR");
    compute(f, "2026-03-01", "2026-03-31");
    assert_kpi(f, "EUR", ARCHASE_KPI_MESSAGES, "0");
    assert_kpi(f, "EUR", ARCHASE_KPI_EFFECTIVENESS, "null");
    assert_kpi(f, "EUR", ARCHASE_KPI_RESPONSE_RATE, "null");
    assert_int_equal(archase_kpi_effectiveness_count(f->report), 0);
}

static void reviewer_effort_counts_edits_rejections_and_minutes(void **state) {
    fixture *f = *state;
    archase_kpi_review r[5];
    for (int i = 0; i < 5; i++) {
        archase_kpi_review init = ARCHASE_KPI_REVIEW_INIT;
        r[i] = init;
        r[i].draft_id = "d";
        r[i].drafted_at = test_instant("2026-03-02T09:00:00Z");
    }
    r[0].outcome = ARCHASE_REVIEW_APPROVED;
    r[0].reviewed_at = test_instant("2026-03-02T09:10:00Z");
    r[1].outcome = ARCHASE_REVIEW_EDITED;
    r[1].reviewed_at = test_instant("2026-03-02T09:30:00Z");
    r[2].outcome = ARCHASE_REVIEW_REJECTED;
    r[2].reviewed_at = test_instant("2026-03-02T10:00:30Z");
    r[3].outcome = ARCHASE_REVIEW_PENDING;
    /* reviewed after the period: still waiting at its end */
    r[4].outcome = ARCHASE_REVIEW_APPROVED;
    r[4].reviewed_at = test_instant("2026-04-01T08:00:00Z");
    archase_kpi_reviewer_effort e = test_kpi_reviewer_effort(f, "2026-03-01", "2026-03-31", r, 5);
    assert_int_equal(e.reviewed, 3);
    assert_int_equal(e.approved, 1);
    assert_int_equal(e.edited, 1);
    assert_int_equal(e.rejected, 1);
    assert_int_equal(e.pending, 2);
    assert_int_equal(e.edit_percent.hundredths, 3333);
    assert_int_equal(e.reject_percent.hundredths, 3333);
    /* 10, 30 and 60.5 minutes */
    assert_int_equal(e.mean_minutes_to_review.hundredths, 3350);
    assert_int_equal(e.median_minutes_to_review.hundredths, 3000);
}

static void touches_and_reviews_are_checked(void **state) {
    fixture *f = *state;
    archase_kpi_report *r = NULL;
    archase_kpi_touch t = ARCHASE_KPI_TOUCH_INIT;
    archase_kpi_options o = ARCHASE_KPI_OPTIONS_INIT;
    o.touches = &t;
    o.touch_count = 1;
    assert_int_equal(archase_kpi_compute(f->eng, test_day("2026-03-01"), test_day("2026-03-31"), &o, &r), ARCHASE_EINVAL);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "touch 0"));
    o.touch_count = 0;
    archase_kpi_review rv = ARCHASE_KPI_REVIEW_INIT;
    rv.outcome = ARCHASE_REVIEW_EDITED;
    rv.drafted_at = test_instant("2026-03-02T09:00:00Z");
    rv.reviewed_at = test_instant("2026-03-01T09:00:00Z");
    o.reviews = &rv;
    o.review_count = 1;
    assert_int_equal(archase_kpi_compute(f->eng, test_day("2026-03-01"), test_day("2026-03-31"), &o, &r), ARCHASE_EINVAL);
    assert_null(r);
}

/* ---- customer payment patterns ------------------------------------------------------ */

static void customer_patterns_use_the_invoices_settled_by_the_end(void **state) {
    fixture *f = *state;
    /* settled -2, 0, 3, 10 and 20 days after the due date, in that order */
    const char *due[] = { "2026-01-10", "2026-01-20", "2026-02-01", "2026-02-10", "2026-02-20" };
    const char *paid[] = { "2026-01-08", "2026-01-20", "2026-02-04", "2026-02-20", "2026-03-12" };
    for (int i = 0; i < 5; i++) {
        char id[8], pid[8];
        snprintf(id, sizeof id, "I%d", i);
        snprintf(pid, sizeof pid, "P%d", i);
        given_invoice(f, id, "2026-01-01", due[i], "10.00 EUR");
        given_payment(f, pid, id, paid[i], "10.00 EUR");
    }
    /* settled after the end: not part of the pattern yet */
    given_invoice(f, "LATER", "2026-01-01", "2026-01-05", "10.00 EUR");
    given_payment(f, "PL", "LATER", "2026-04-05", "10.00 EUR");
    given_invoice_of(f, "C2", "OPEN", "2026-03-01", "2026-03-31", "5.00 EUR");
    /* a promise broken in the year up to the end, one kept */
    given_promise(f, "BROKEN", "LATER", "10.00 EUR", "2026-03-01", 0, "2026-02-20");
    given_promise(f, "KEPT", "I4", "10.00 EUR", "2026-03-12", 0, "2026-03-01");
    archase_kpi_options o = ARCHASE_KPI_OPTIONS_INIT;
    o.customers = 1;
    test_kpi_compute(f, "2026-03-01", "2026-03-31", &o);
    assert_int_equal(archase_kpi_customer_count(f->report), 2);
    archase_kpi_customer c = ARCHASE_KPI_CUSTOMER_INIT;
    assert_int_equal(archase_kpi_customer_get(f->report, 0, &c), 0);
    assert_string_equal(c.customer_id, "C1");
    assert_int_equal(c.paid_invoices, 5);
    assert_int_equal(c.median_days_late.hundredths, 300);
    assert_int_equal(c.p80_days_late.hundredths, 1000);  /* rank ceil(0.8 x 5) = 4 */
    assert_int_equal(c.on_time_percent.hundredths, 4000);
    assert_int_equal(c.trend_days.hundredths, 1600);     /* median(10, 20) - median(-2, 0) */
    assert_int_equal(c.promises_due, 2);
    assert_int_equal(c.broken_promises, 1);
    assert_int_equal(archase_kpi_customer_get(f->report, 1, &c), 0);
    assert_string_equal(c.customer_id, "C2");
    assert_int_equal(c.paid_invoices, 0);
    assert_false(c.median_days_late.defined);
    assert_false(c.on_time_percent.defined);
    assert_false(c.trend_days.defined);
    /* the policy's look-back, here 4: 0, 3, 10, 20 */
    o.pattern_lookback = 4;
    test_kpi_compute(f, "2026-03-01", "2026-03-31", &o);
    assert_int_equal(archase_kpi_customer_get(f->report, 0, &c), 0);
    assert_int_equal(c.paid_invoices, 4);
    assert_int_equal(c.median_days_late.hundredths, 650);
    assert_int_equal(c.on_time_percent.hundredths, 2500);
    assert_int_equal(c.trend_days.hundredths, 1350);
    /* without the option there are none */
    compute(f, "2026-03-01", "2026-03-31");
    assert_int_equal(archase_kpi_customer_count(f->report), 0);
    assert_int_equal(archase_kpi_customer_get(f->report, 0, &c), ARCHASE_ERANGE);
}

/* ---- currencies, arguments, series --------------------------------------------------- */

static void currencies_are_never_added_together(void **state) {
    fixture *f = *state;
    given_invoice(f, "E1", "2026-03-01", "2026-03-31", "100.00 EUR");
    given_invoice(f, "J1", "2026-03-01", "2026-03-15", "5000 JPY");
    given_invoice(f, "K1", "2026-03-01", "2026-03-31", "1.250 KWD");
    compute(f, "2026-03-01", "2026-03-31");
    assert_int_equal(archase_kpi_row_count(f->report), 3);
    archase_kpi_row row = ARCHASE_KPI_ROW_INIT;
    assert_int_equal(archase_kpi_row_get(f->report, 0, &row), 0);
    assert_string_equal(row.currency, "EUR");
    assert_int_equal(archase_kpi_row_get(f->report, 1, &row), 0);
    assert_string_equal(row.currency, "JPY");
    assert_int_equal(archase_kpi_row_get(f->report, 2, &row), 0);
    assert_string_equal(row.currency, "KWD");
    assert_int_equal(row.from, test_day("2026-03-01"));
    assert_int_equal(row.to, test_day("2026-03-31"));
    assert_kpi(f, "EUR", ARCHASE_KPI_OPEN_AR, "100.00");
    assert_kpi(f, "JPY", ARCHASE_KPI_OPEN_AR, "5000");
    assert_kpi(f, "JPY", ARCHASE_KPI_AGING_1_30, "5000");
    assert_kpi(f, "KWD", ARCHASE_KPI_OPEN_AR, "1.250");
    assert_kpi(f, "KWD", ARCHASE_KPI_OVER_60_SHARE, "0.00");
    archase_kpi_options o = ARCHASE_KPI_OPTIONS_INIT;
    o.currency = "JPY";
    test_kpi_compute(f, "2026-03-01", "2026-03-31", &o);
    assert_int_equal(archase_kpi_row_count(f->report), 1);
    assert_kpi(f, "JPY", ARCHASE_KPI_CREDIT_SALES, "5000");
}

static void bad_arguments_are_refused(void **state) {
    fixture *f = *state;
    archase_kpi_report *r = NULL;
    assert_int_equal(archase_kpi_compute(NULL, 0, 1, NULL, &r), ARCHASE_EINVAL);
    assert_int_equal(archase_kpi_compute(f->eng, 10, 9, NULL, &r), ARCHASE_EINVAL);
    assert_int_equal(archase_kpi_compute(f->eng, 1, 2, NULL, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_kpi_compute(f->eng, ARCHASE_DATE_NONE, 2, NULL, &r), ARCHASE_EINVAL);
    archase_kpi_options o = ARCHASE_KPI_OPTIONS_INIT;
    o.currency = "XXX";
    assert_int_equal(archase_kpi_compute(f->eng, 1, 2, &o, &r), ARCHASE_ECURRENCY);
    o.currency = "eur";
    assert_int_equal(archase_kpi_compute(f->eng, 1, 2, &o, &r), ARCHASE_ECURRENCY);
    o.currency = NULL;
    o.response_window_days = -1;
    assert_int_equal(archase_kpi_compute(f->eng, 1, 2, &o, &r), ARCHASE_EINVAL);
    o.response_window_days = 0;
    o.version = 7;
    assert_int_equal(archase_kpi_compute(f->eng, 1, 2, &o, &r), ARCHASE_EVERSION);
    assert_int_equal(archase_kpi_options_init(&o, 7), ARCHASE_EVERSION);
    assert_int_equal(archase_kpi_options_init(&o, ARCHASE_KPI_OPTIONS_VERSION), 0);
    assert_int_equal(o.promise_grace_days, -1);
    assert_int_equal(archase_kpi_series(f->eng, 1, 2, 3, NULL, &r), ARCHASE_EINVAL);
    assert_int_equal(archase_kpi_series(f->eng, test_day("2000-01-01"), test_day("2100-01-01"), ARCHASE_KPI_WEEKLY, NULL, &r),
                     ARCHASE_ERANGE);
    assert_null(r);
    assert_null(archase_kpi_metric_name(0));
    assert_null(archase_kpi_metric_name(ARCHASE_KPI_METRIC_LIMIT));
    assert_int_equal(archase_kpi_metric_type(ARCHASE_KPI_METRIC_LIMIT), 0);
    archase_kpi_value v;
    assert_int_equal(archase_kpi_value_get(NULL, 0, ARCHASE_KPI_OPEN_AR, &v), ARCHASE_EINVAL);
    assert_int_equal(archase_kpi_row_count(NULL), 0);
    archase_kpi_report_free(NULL);
}

static void every_metric_has_a_name_and_a_type(void **state) {
    (void)state;
    for (int m = 1; m < ARCHASE_KPI_METRIC_LIMIT; m++) {
        assert_non_null(archase_kpi_metric_name(m));
        assert_true(archase_kpi_metric_type(m) >= ARCHASE_KPI_MONEY);
        for (int k = 1; k < m; k++)
            assert_string_not_equal(archase_kpi_metric_name(m), archase_kpi_metric_name(k));
    }
    assert_string_equal(archase_kpi_metric_name(ARCHASE_KPI_AGING_1_30), "aging.1_30");
    assert_string_equal(archase_kpi_metric_name(ARCHASE_KPI_DSO_STANDARD), "dso_standard_days");
    char buf[24];
    archase_kpi_number n = { -50, 1 };
    assert_int_equal(archase_kpi_number_format(n, buf, sizeof buf), 0);
    assert_string_equal(buf, "-0.50");
    n.defined = 0;
    assert_int_equal(archase_kpi_number_format(n, buf, sizeof buf), 0);
    assert_string_equal(buf, "null");
    n = (archase_kpi_number){ INT64_MIN, 1 };
    assert_int_equal(archase_kpi_number_format(n, buf, sizeof buf), 0);
    assert_string_equal(buf, "-92233720368547758.08");
    assert_int_equal(archase_kpi_number_format(n, buf, 5), ARCHASE_EBUFSIZE);
}

static void a_monthly_series_has_one_row_per_month_and_currency(void **state) {
    fixture *f = *state;
    given_invoice(f, "J", "2026-01-20", "2026-02-19", "300.00 EUR");
    given_invoice(f, "F", "2026-02-10", "2026-03-12", "200.00 EUR");
    given_invoice(f, "Y", "2026-02-10", "2026-03-12", "700 JPY");
    given_payment(f, "P", "J", "2026-02-20", "300.00 EUR");
    archase_kpi_report *r = NULL;
    test_ok(f->eng, archase_kpi_series(f->eng, test_day("2026-01-15"), test_day("2026-03-10"), ARCHASE_KPI_MONTHLY, NULL, &r));
    f->report = r;
    assert_int_equal(archase_kpi_row_count(r), 6);
    const char *expect[6][3] = {
        { "EUR", "2026-01-15", "2026-01-31" }, { "EUR", "2026-02-01", "2026-02-28" },
        { "EUR", "2026-03-01", "2026-03-10" }, { "JPY", "2026-01-15", "2026-01-31" },
        { "JPY", "2026-02-01", "2026-02-28" }, { "JPY", "2026-03-01", "2026-03-10" },
    };
    for (size_t i = 0; i < 6; i++) {
        archase_kpi_row row = ARCHASE_KPI_ROW_INIT;
        assert_int_equal(archase_kpi_row_get(r, i, &row), 0);
        assert_string_equal(row.currency, expect[i][0]);
        assert_int_equal(row.from, test_day(expect[i][1]));
        assert_int_equal(row.to, test_day(expect[i][2]));
    }
    archase_kpi_value v;
    /* January: 300 open of 300 sold in 17 days */
    assert_int_equal(archase_kpi_value_get(r, 0, ARCHASE_KPI_DSO_STANDARD, &v), 0);
    assert_int_equal(v.value, 1700);
    /* February: 200 open of 200 sold in 28 days */
    assert_int_equal(archase_kpi_value_get(r, 1, ARCHASE_KPI_DSO_STANDARD, &v), 0);
    assert_int_equal(v.value, 2800);
    /* March to the 10th: nothing sold */
    assert_int_equal(archase_kpi_value_get(r, 2, ARCHASE_KPI_DSO_STANDARD, &v), 0);
    assert_false(v.defined);
    assert_int_equal(archase_kpi_value_get(r, 3, ARCHASE_KPI_OPEN_AR, &v), 0);
    assert_int_equal(v.value, 0);
    assert_int_equal(archase_kpi_value_get(r, 4, ARCHASE_KPI_OPEN_AR, &v), 0);
    assert_int_equal(v.value, 700);
    assert_int_equal(archase_kpi_dispute_group_count(r), 0);
}

static void a_weekly_series_cuts_at_sundays(void **state) {
    fixture *f = *state;
    given_invoice(f, "A", "2026-03-02", "2026-04-01", "10.00 EUR");
    archase_kpi_report *r = NULL;
    /* Wednesday 2026-03-04 to Monday 2026-03-16 */
    test_ok(f->eng, archase_kpi_series(f->eng, test_day("2026-03-04"), test_day("2026-03-16"), ARCHASE_KPI_WEEKLY, NULL, &r));
    f->report = r;
    assert_int_equal(archase_kpi_row_count(r), 3);
    archase_kpi_row row = ARCHASE_KPI_ROW_INIT;
    assert_int_equal(archase_kpi_row_get(r, 0, &row), 0);
    assert_int_equal(row.to, test_day("2026-03-08"));
    assert_int_equal(archase_kpi_row_get(r, 1, &row), 0);
    assert_int_equal(row.from, test_day("2026-03-09"));
    assert_int_equal(row.to, test_day("2026-03-15"));
    assert_int_equal(archase_kpi_row_get(r, 2, &row), 0);
    assert_int_equal(row.from, test_day("2026-03-16"));
    assert_int_equal(row.to, test_day("2026-03-16"));
}

/* ---- property: the aging buckets always sum to the open receivables ----------------------- */

static void aging_buckets_always_sum_to_open_ar(void **state) {
    fixture *f = *state;
    test_rng rng;
    test_rng_seed(&rng, 20260301);
    archase_date base = test_day("2025-01-01");
    int64_t amounts[300], issue[300], paid_by_date[300][4], pay_dates[300][4];
    int pays[300];
    test_kpi_customer(f, "C1");
    for (int i = 0; i < 300; i++) {
        char id[16], pid[24];
        snprintf(id, sizeof id, "I%03d", i);
        archase_invoice inv = ARCHASE_INVOICE_INIT;
        inv.id = id;
        inv.customer_id = "C1";
        inv.issue_date = base + (archase_date)test_rng_below(&rng, 450);
        inv.due_date = inv.issue_date + (archase_date)test_rng_below(&rng, 90);
        inv.amount.minor = 1 + (int64_t)test_rng_below(&rng, 1000000);
        memcpy(inv.amount.currency, "EUR", 4);
        test_ok(f->eng, archase_invoice_put(f->eng, &inv, NULL));
        amounts[i] = inv.amount.minor;
        issue[i] = inv.issue_date;
        pays[i] = (int)test_rng_below(&rng, 4);
        int64_t left = inv.amount.minor;
        for (int k = 0; k < pays[i]; k++) {
            if (left <= 0) {
                pays[i] = k;
                break;
            }
            archase_payment p = ARCHASE_PAYMENT_INIT;
            snprintf(pid, sizeof pid, "P%03d-%d", i, k);
            p.id = pid;
            p.customer_id = "C1";
            p.invoice_id = id;
            p.kind = 1 + (int)test_rng_below(&rng, 4);
            p.date = inv.issue_date + (archase_date)test_rng_below(&rng, 200);
            int64_t part = k + 1 == pays[i] && test_rng_below(&rng, 2) ? left : 1 + (int64_t)test_rng_below(&rng, (uint64_t)left);
            if (p.kind == ARCHASE_ADJUSTMENT && test_rng_below(&rng, 2))
                part = -part; /* raises the open amount */
            p.amount = inv.amount;
            p.amount.minor = part;
            test_ok(f->eng, archase_payment_put(f->eng, &p, NULL));
            left -= part;
            paid_by_date[i][k] = part;
            pay_dates[i][k] = p.date;
        }
    }
    for (int round = 0; round < 40; round++) {
        archase_date from = base + (archase_date)test_rng_below(&rng, 500);
        archase_date to = from + (archase_date)test_rng_below(&rng, 120);
        archase_kpi_report_free(f->report);
        f->report = NULL;
        test_ok(f->eng, archase_kpi_compute(f->eng, from, to, NULL, &f->report));
        archase_kpi_value v;
        int64_t buckets = 0, counts = 0;
        for (int m = ARCHASE_KPI_AGING_CURRENT; m <= ARCHASE_KPI_AGING_91_PLUS; m++) {
            assert_int_equal(archase_kpi_value_get(f->report, 0, m, &v), 0);
            buckets += v.value;
            assert_int_equal(archase_kpi_value_get(f->report, 0, m + 5, &v), 0);
            counts += v.value;
        }
        /* the receivables counted by hand from what was generated */
        int64_t open = 0, open_count = 0;
        for (int i = 0; i < 300; i++) {
            if (issue[i] > to)
                continue;
            int64_t o = amounts[i];
            for (int k = 0; k < pays[i]; k++) {
                if (pay_dates[i][k] <= to)
                    o -= paid_by_date[i][k];
            }
            open += o;
            open_count += o != 0;
        }
        assert_int_equal(archase_kpi_value_get(f->report, 0, ARCHASE_KPI_OPEN_AR, &v), 0);
        assert_int_equal(v.value, open);
        assert_int_equal(buckets, open);
        assert_int_equal(archase_kpi_value_get(f->report, 0, ARCHASE_KPI_OPEN_INVOICES, &v), 0);
        assert_int_equal(v.value, open_count);
        assert_int_equal(counts, open_count);
    }
}

/* ---- failures ------------------------------------------------------------------------------ */

static void build_small_ledger(fixture *f) {
    given_invoice(f, "A", "2026-01-10", "2026-02-09", "100.00 EUR");
    given_invoice(f, "B", "2026-03-10", "2026-04-09", "5000 JPY");
    given_payment(f, "P1", "A", "2026-02-20", "40.00 EUR");
    given_promise(f, "PTP", "A", "60.00 EUR", "2026-03-10", 2, "2026-03-01");
    test_kpi_dispute(f, "D1", "A", "10.00 EUR", "pricing", "2026-03-01", "2026-03-15", "price_list");
    test_kpi_dispute(f, "D2", "A", "20.00 EUR", "tax", "2026-03-05", NULL, NULL);
}

static const char *const touched[] = { "A" };

static int compute_under(const archase_allocator *allocator, void *ctx) {
    fixture *f = ctx;
    archase_engine_options eo = ARCHASE_ENGINE_OPTIONS_INIT;
    eo.allocator = allocator;
    archase_storage s = test_unowned(&f->store);
    archase_engine *eng = NULL;
    int rc = archase_engine_open(&s, &eo, &eng);
    if (rc)
        return rc;
    archase_kpi_touch t = touch(touched, "2026-03-02", "d+20", "firm");
    archase_kpi_options o = ARCHASE_KPI_OPTIONS_INIT;
    o.touches = &t;
    o.touch_count = 1;
    o.customers = 1;
    archase_kpi_report *r = NULL;
    rc = archase_kpi_compute(eng, test_day("2026-03-01"), test_day("2026-03-31"), &o, &r);
    if (!rc && archase_kpi_row_count(r) != 2)
        rc = ARCHASE_EINVAL;
    archase_kpi_report_free(r);
    r = NULL;
    if (!rc) {
        rc = archase_kpi_series(eng, test_day("2026-01-01"), test_day("2026-03-31"), ARCHASE_KPI_MONTHLY, &o, &r);
        if (!rc && archase_kpi_row_count(r) != 6)
            rc = ARCHASE_EINVAL;
        archase_kpi_report_free(r);
    }
    archase_engine_free(eng);
    return rc;
}

static void computing_survives_every_allocation_failure(void **state) {
    fixture *f = *state;
    build_small_ledger(f);
    assert_true(failalloc_loop(compute_under, NULL, f) > 20);
}

static void computing_reports_every_storage_failure(void **state) {
    fixture *f = *state;
    build_small_ledger(f);
    for (size_t n = 1;; n++) {
        faultstore fs;
        archase_storage wrapped;
        archase_storage inner = test_unowned(&f->store);
        faultstore_wrap(&fs, &inner, n, &wrapped);
        archase_engine *eng = NULL;
        assert_int_equal(archase_engine_open(&wrapped, NULL, &eng), 0);
        archase_kpi_report *r = NULL;
        int rc = archase_kpi_compute(eng, test_day("2026-03-01"), test_day("2026-03-31"), NULL, &r);
        size_t failures = fs.failures;
        if (failures) {
            assert_int_equal(rc, ARCHASE_ESTORAGE);
            assert_null(r);
            assert_true(strlen(archase_engine_errmsg(eng)) > 0);
        } else {
            assert_int_equal(rc, 0);
        }
        archase_kpi_report_free(r);
        archase_engine_free(eng);
        if (!failures)
            break;
    }
}

#define T(name) cmocka_unit_test_setup_teardown(name, test_memengine_setup, test_memengine_teardown)

static const struct CMUnitTest tests[] = {
    T(dso_standard_is_ending_ar_over_credit_sales_times_days),
    T(dso_countback_walks_back_calendar_months),
    T(add_is_dso_less_best_possible_dso),
    T(cei_compares_collected_with_collectible),
    T(an_invoice_due_today_is_current),
    T(day_30_and_day_31_fall_in_different_buckets),
    T(a_payment_on_the_last_day_counts_and_one_a_day_later_does_not),
    T(a_credit_note_reduces_receivables_and_settles),
    T(zero_credit_sales_leave_dso_undefined),
    T(an_empty_ledger_has_undefined_ratios_for_a_requested_currency),
    T(days_to_pay_and_days_late_mean_median_and_weighted),
    T(a_median_of_an_even_count_is_the_mean_of_the_middle_two),
    T(promise_kept_rate_by_count_and_by_amount),
    T(payments_before_a_promise_was_made_do_not_keep_it),
    T(dispute_aging_and_time_to_resolution_by_reason_and_root_cause),
    T(collection_effectiveness_per_step_and_template),
    T(without_messages_the_rates_are_undefined),
    T(reviewer_effort_counts_edits_rejections_and_minutes),
    T(touches_and_reviews_are_checked),
    T(customer_patterns_use_the_invoices_settled_by_the_end),
    T(currencies_are_never_added_together),
    T(bad_arguments_are_refused),
    T(every_metric_has_a_name_and_a_type),
    T(a_monthly_series_has_one_row_per_month_and_currency),
    T(a_weekly_series_cuts_at_sundays),
    T(aging_buckets_always_sum_to_open_ar),
    T(computing_survives_every_allocation_failure),
    T(computing_reports_every_storage_failure),
};

AR_TEST_MAIN(tests)
