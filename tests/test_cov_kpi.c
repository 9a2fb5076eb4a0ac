/* tests/test_cov_kpi.c — the KPI report and the cash forecast through the
 * public API at their edges: every option out of its range refused with its
 * message, the readers' bad arguments, versions and indexes, promises paid
 * in instalments, a currency asked for that has nothing open, and the
 * defaults a policy gives. */
#include <stdio.h>
#include <string.h>

#include "archase/archase.h"
#include "archase/io.h"
#include "support/testutil.h"

typedef struct fixture {
    archase_engine *eng;
} fixture;

static archase_date on(const char *text) {
    archase_date d = ARCHASE_DATE_NONE;
    assert_int_equal(archase_date_parse(text, &d), 0);
    return d;
}

static void import_csv(archase_engine *eng, int kind, const char *text) {
    archase_import_options o = ARCHASE_IMPORT_OPTIONS_INIT;
    o.kind = kind;
    o.source = "fixture";
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    int rc = archase_import_buffer(eng, &o, text, strlen(text), diags, NULL);
    if (rc) {
        char line[600] = "";
        if (archase_diag_list_count(diags))
            archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
        fail_msg("fixture import refused (%d): %s", rc, line);
    }
    archase_diag_list_free(diags);
}

/* Two customers in EUR, one in USD; settled history for a pattern, open
 * invoices, a promise in instalments, a resolved and an open dispute. */
static int setup(void **state) {
    fixture *f = test_calloc(1, sizeof *f);
    if (archase_open_memory(NULL, &f->eng))
        return -1;
    import_csv(f->eng, ARCHASE_KIND_CUSTOMERS,
               "customer_id,name\nC1,Acme\nC2,Globex\nC3,Initech\n");
    import_csv(f->eng, ARCHASE_KIND_INVOICES,
               "invoice_id,customer_id,issue_date,due_date,amount,currency\n"
               "H1,C1,2025-09-01,2025-10-01,100.00,EUR\n"
               "H2,C1,2025-10-01,2025-10-31,200.00,EUR\n"
               "H3,C1,2025-11-01,2025-12-01,300.00,EUR\n"
               "I1,C1,2026-01-01,2026-01-31,1000.00,EUR\n"
               "I2,C2,2026-01-10,2026-02-09,500.00,EUR\n"
               "I3,C2,2026-01-15,2026-02-14,250.00,EUR\n"
               "U1,C3,2026-01-05,2026-02-04,700.00,USD\n"
               "H4,C2,2025-09-01,2025-10-01,10.00,EUR\n"
               "H5,C2,2025-10-01,2025-10-31,10.00,EUR\n"
               "H6,C2,2025-11-01,2025-12-01,10.00,EUR\n"
               "I4,C1,2026-02-10,2026-03-12,100.00,EUR\n"
               "I5,C2,2026-02-10,2026-03-12,200.00,EUR\n");
    import_csv(f->eng, ARCHASE_KIND_PAYMENTS,
               "payment_id,customer_id,invoice_id,date,amount,currency\n"
               "P1,C1,H1,2025-10-06,100.00,EUR\n"
               "P2,C1,H2,2025-11-05,200.00,EUR\n"
               "P3,C1,H3,2025-12-08,300.00,EUR\n"
               "P4,C2,H4,2025-10-01,10.00,EUR\n"
               "P5,C2,H5,2025-10-31,10.00,EUR\n"
               "P6,C2,H6,2025-12-01,10.00,EUR\n");
    import_csv(f->eng, ARCHASE_KIND_PROMISES,
               "promise_id,customer_id,invoice_ids,amount,currency,promised_date,instalments,recorded_on\n"
               "R1,C1,I1,1000.00,EUR,2026-03-20,2026-02-20=400.00;2026-03-20=600.00,2026-02-01\n"
               "R2,C3,U1,700.00,USD,2026-02-25,,2026-02-02\n");
    import_csv(f->eng, ARCHASE_KIND_DISPUTES,
               "dispute_id,customer_id,invoice_ids,amount,currency,reason_code,opened_on,status,resolution,"
               "root_cause,resolved_on\n"
               "D1,C2,I2,500.00,EUR,pricing,2026-02-01,open,,,\n"
               "D2,C2,I3,50.00,EUR,short_ship,2026-01-20,resolved,rejected,carrier,2026-01-28\n");
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    archase_engine_free(f->eng);
    test_free(f);
    return 0;
}

/* ---- the forecast ------------------------------------------------------------------ */

static void expect_forecast_refused(fixture *f, archase_date as_of, const archase_forecast_options *o, int rc,
                                    const char *message) {
    archase_forecast *fc = (archase_forecast *)0x1;
    int got = archase_forecast_run(f->eng, as_of, o, &fc);
    if (got != rc)
        fail_msg("expected %d, got %d (%s)", rc, got, archase_engine_errmsg(f->eng));
    assert_ptr_equal(fc, (archase_forecast *)0x1);
    if (!strstr(archase_engine_errmsg(f->eng), message))
        fail_msg("expected a message with \"%s\", got \"%s\"", message, archase_engine_errmsg(f->eng));
}

static void forecast_options_out_of_range_are_refused(void **state) {
    fixture *f = *state;
    archase_forecast_options o;
    assert_int_equal(archase_forecast_options_init(NULL, ARCHASE_FORECAST_OPTIONS_VERSION), ARCHASE_EINVAL);
    assert_int_equal(archase_forecast_options_init(&o, ARCHASE_FORECAST_OPTIONS_VERSION + 1), ARCHASE_EVERSION);
    assert_int_equal(archase_forecast_options_init(&o, ARCHASE_FORECAST_OPTIONS_VERSION), 0);
    archase_date as_of = on("2026-02-15");
    archase_forecast *fc = (archase_forecast *)0x1;
    assert_int_equal(archase_forecast_run(NULL, as_of, &o, &fc), ARCHASE_EINVAL);
    assert_int_equal(archase_forecast_run(f->eng, as_of, &o, NULL), ARCHASE_EINVAL);
    assert_string_equal(archase_engine_errmsg(f->eng), "out is NULL");
    assert_ptr_equal(fc, (archase_forecast *)0x1);

    const char *range = "forecast options out of range";
    for (int field = 0; field < 14; field++) {
        archase_forecast_options bad = o;
        switch (field) {
        case 0: bad.weeks = 105; break;
        case 1: bad.disputed = 2; break;
        case 2: bad.disputed_percent = 101; break;
        case 3: bad.promise_grace_days = -2; break;
        case 4: bad.promise_grace_days = 366; break;
        case 5: bad.pattern_lookback = -1; break;
        case 6: bad.pattern_lookback = 1001; break;
        case 7: bad.min_history = -1; break;
        case 8: bad.min_history = 1001; break;
        case 9: bad.doubtful_days = 3651; break;
        case 10: bad.promise_default_percent = 101; break;
        case 11: bad.backtest_origins = 521; break;
        case 12: bad.disputed = -1; break;
        default: bad.weeks = 1000; break;
        }
        expect_forecast_refused(f, as_of, &bad, ARCHASE_EINVAL, range);
    }
    archase_forecast_options bad = o;
    bad.version = 99;
    expect_forecast_refused(f, as_of, &bad, ARCHASE_EVERSION, "forecast options version 99 is not supported");
    bad = o;
    bad.currency = "XQQ";
    expect_forecast_refused(f, as_of, &bad, ARCHASE_ECURRENCY, "'XQQ' is not a currency");
    bad.currency = "XAU"; /* gold: a currency code without minor units */
    expect_forecast_refused(f, as_of, &bad, ARCHASE_ECURRENCY, "'XAU' is not a currency");
    expect_forecast_refused(f, ARCHASE_DATE_MIN, &o, ARCHASE_EINVAL, "the as-of date is out of range");
    expect_forecast_refused(f, ARCHASE_DATE_MAX, &o, ARCHASE_EINVAL, "the as-of date is out of range");
    expect_forecast_refused(f, ARCHASE_DATE_MIN + 7 * 600 - 1, NULL, ARCHASE_EINVAL, "the as-of date is out of range");
}

static void forecast_readers_check_their_arguments(void **state) {
    fixture *f = *state;
    archase_forecast *fc = NULL;
    assert_int_equal(archase_forecast_run(f->eng, on("2026-02-15"), NULL, &fc), 0);
    assert_int_equal(archase_forecast_row_count(NULL), 0);
    size_t rows = archase_forecast_row_count(fc);
    assert_int_equal(rows, 2); /* EUR and USD */

    archase_forecast_row row = ARCHASE_FORECAST_ROW_INIT;
    assert_int_equal(archase_forecast_row_get(NULL, 0, &row), ARCHASE_EINVAL);
    assert_int_equal(archase_forecast_row_get(fc, 0, NULL), ARCHASE_EINVAL);
    row.version = 99;
    assert_int_equal(archase_forecast_row_get(fc, 0, &row), ARCHASE_EVERSION);
    row.version = ARCHASE_FORECAST_ROW_VERSION;
    assert_int_equal(archase_forecast_row_get(fc, rows, &row), ARCHASE_ERANGE);
    assert_int_equal(archase_forecast_row_get(fc, 0, &row), 0);
    assert_string_equal(row.currency, "EUR");
    assert_int_equal(row.weeks, 13);

    archase_forecast_week wk = ARCHASE_FORECAST_WEEK_INIT;
    assert_int_equal(archase_forecast_week_get(NULL, 0, 1, &wk), ARCHASE_EINVAL);
    assert_int_equal(archase_forecast_week_get(fc, 0, 1, NULL), ARCHASE_EINVAL);
    wk.version = 99;
    assert_int_equal(archase_forecast_week_get(fc, 0, 1, &wk), ARCHASE_EVERSION);
    wk.version = ARCHASE_FORECAST_WEEK_VERSION;
    assert_int_equal(archase_forecast_week_get(fc, rows, 1, &wk), ARCHASE_ERANGE);
    assert_int_equal(archase_forecast_week_get(fc, 0, 0, &wk), ARCHASE_ERANGE);
    assert_int_equal(archase_forecast_week_get(fc, 0, 14, &wk), ARCHASE_ERANGE);
    assert_int_equal(archase_forecast_week_get(fc, 0, 13, &wk), 0);
    assert_int_equal(wk.week, 13);

    assert_int_equal(archase_forecast_driver_count(NULL, 0, 1), 0);
    assert_int_equal(archase_forecast_driver_count(fc, rows, 1), 0);
    assert_int_equal(archase_forecast_driver_count(fc, 0, 0), 0);
    archase_forecast_driver d = ARCHASE_FORECAST_DRIVER_INIT;
    assert_int_equal(archase_forecast_driver_get(NULL, 0, 1, 0, &d), ARCHASE_EINVAL);
    assert_int_equal(archase_forecast_driver_get(fc, 0, 1, 0, NULL), ARCHASE_EINVAL);
    d.version = 99;
    assert_int_equal(archase_forecast_driver_get(fc, 0, 1, 0, &d), ARCHASE_EVERSION);
    d.version = ARCHASE_FORECAST_DRIVER_VERSION;
    assert_int_equal(archase_forecast_driver_get(fc, 0, 0, 0, &d), ARCHASE_ERANGE);
    assert_int_equal(archase_forecast_driver_get(fc, rows, 1, 0, &d), ARCHASE_ERANGE);
    /* The week of the first instalment (2026-02-20, in week 1) is driven
     * by the promise. */
    size_t n = archase_forecast_driver_count(fc, 0, 1);
    assert_true(n >= 1);
    assert_int_equal(archase_forecast_driver_get(fc, 0, 1, n, &d), ARCHASE_ERANGE);
    int promise = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(archase_forecast_driver_get(fc, 0, 1, i, &d), 0);
        if (d.kind == ARCHASE_DRIVER_PROMISE) {
            promise = 1;
            assert_string_equal(d.id, "R1");
            assert_string_equal(d.customer_id, "C1");
            assert_int_equal(d.expected_on, on("2026-02-20"));
            assert_int_equal(d.amount, 40000);
        }
    }
    assert_true(promise);
    archase_forecast_free(fc);
    archase_forecast_free(NULL);
}

static void a_promise_in_instalments_is_expected_instalment_by_instalment(void **state) {
    fixture *f = *state;
    archase_forecast_options o = ARCHASE_FORECAST_OPTIONS_INIT;
    o.currency = "EUR";
    archase_forecast *fc = NULL;
    assert_int_equal(archase_forecast_run(f->eng, on("2026-02-15"), &o, &fc), 0);
    assert_int_equal(archase_forecast_row_count(fc), 1);
    archase_forecast_week w1 = ARCHASE_FORECAST_WEEK_INIT, w5 = ARCHASE_FORECAST_WEEK_INIT;
    assert_int_equal(archase_forecast_week_get(fc, 0, 1, &w1), 0);
    assert_int_equal(archase_forecast_week_get(fc, 0, 5, &w5), 0);
    /* 2026-02-20 is in week 1 (02-16..02-22), 2026-03-20 in week 5
     * (03-16..03-22); no promise history: kept at 100 %. */
    assert_int_equal(w1.from_promises, 40000);
    assert_int_equal(w1.promises, 1);
    assert_int_equal(w5.from_promises, 60000);
    assert_int_equal(w5.promises, 0); /* a promise is counted once, in its first week */
    archase_forecast_free(fc);

    /* An instalment already due is expected the day after the as-of date. */
    assert_int_equal(archase_forecast_run(f->eng, on("2026-02-22"), &o, &fc), 0);
    archase_forecast_driver d = ARCHASE_FORECAST_DRIVER_INIT;
    int found = 0;
    for (size_t i = 0; i < archase_forecast_driver_count(fc, 0, 1); i++) {
        assert_int_equal(archase_forecast_driver_get(fc, 0, 1, i, &d), 0);
        if (d.kind == ARCHASE_DRIVER_PROMISE) {
            found = 1;
            assert_int_equal(d.expected_on, on("2026-02-23"));
        }
    }
    assert_true(found);
    archase_forecast_free(fc);
}

static void a_currency_asked_for_keeps_its_row_when_nothing_is_open(void **state) {
    fixture *f = *state;
    archase_forecast_options o = ARCHASE_FORECAST_OPTIONS_INIT;
    o.currency = "EUR";
    archase_forecast *fc = NULL;
    /* Before any invoice was issued nothing is open. */
    assert_int_equal(archase_forecast_run(f->eng, on("2025-06-01"), &o, &fc), 0);
    assert_int_equal(archase_forecast_row_count(fc), 1);
    archase_forecast_row row = ARCHASE_FORECAST_ROW_INIT;
    assert_int_equal(archase_forecast_row_get(fc, 0, &row), 0);
    assert_string_equal(row.currency, "EUR");
    assert_int_equal(row.open_ar, 0);
    assert_int_equal(row.expected, 0);
    archase_forecast_free(fc);
    /* Without asking, a currency with nothing open has no row. */
    assert_int_equal(archase_forecast_run(f->eng, on("2025-06-01"), NULL, &fc), 0);
    assert_int_equal(archase_forecast_row_count(fc), 0);
    archase_forecast_free(fc);
    /* Nor has a currency the ledger does not hold. */
    o.currency = "GBP";
    assert_int_equal(archase_forecast_run(f->eng, on("2026-02-15"), &o, &fc), 0);
    assert_int_equal(archase_forecast_row_count(fc), 0);
    archase_forecast_free(fc);
}

static void a_policy_gives_the_forecast_its_defaults(void **state) {
    fixture *f = *state;
    static const char text[] = "version: 1\n"
                               "currency: {default: EUR}\n"
                               "segments: [{name: all, sequence: s}]\n"
                               "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n"
                               "payment_patterns: {min_history: 3, lookback: 3}\n"
                               "promises: {grace_days: 0}\n";
    archase_policy *pol = NULL;
    assert_int_equal(archase_policy_load_buffer(text, sizeof text - 1, "p.yaml", NULL, &pol, NULL), 0);
    archase_forecast_options o = ARCHASE_FORECAST_OPTIONS_INIT;
    o.currency = "EUR";
    o.policy = pol;
    archase_forecast *with_policy = NULL, *without = NULL;
    assert_int_equal(archase_forecast_run(f->eng, on("2026-02-15"), &o, &with_policy), 0);
    o.policy = NULL;
    assert_int_equal(archase_forecast_run(f->eng, on("2026-02-15"), &o, &without), 0);
    /* With three settled invoices each, Acme (5 days late) and Globex (on
     * time) have their own patterns under the policy (min_history 3); under
     * the default (6) both take the currency's: I4 and I5, due on Thursday
     * 2026-03-12, are expected in other weeks. */
    archase_forecast_week a = ARCHASE_FORECAST_WEEK_INIT, b = ARCHASE_FORECAST_WEEK_INIT;
    int differs = 0;
    for (uint32_t k = 1; k <= 13; k++) {
        assert_int_equal(archase_forecast_week_get(with_policy, 0, k, &a), 0);
        assert_int_equal(archase_forecast_week_get(without, 0, k, &b), 0);
        differs |= a.from_patterns != b.from_patterns;
    }
    assert_true(differs);
    archase_forecast_free(with_policy);
    archase_forecast_free(without);
    archase_policy_free(pol);
}

/* ---- the KPI report ------------------------------------------------------------------ */

static void expect_kpi_refused(fixture *f, archase_date from, archase_date to, const archase_kpi_options *o, int rc,
                               const char *message) {
    archase_kpi_report *r = (archase_kpi_report *)0x1;
    int got = archase_kpi_compute(f->eng, from, to, o, &r);
    if (got != rc)
        fail_msg("expected %d, got %d (%s)", rc, got, archase_engine_errmsg(f->eng));
    assert_ptr_equal(r, (archase_kpi_report *)0x1);
    if (strcmp(archase_engine_errmsg(f->eng), message) != 0)
        fail_msg("expected \"%s\", got \"%s\"", message, archase_engine_errmsg(f->eng));
}

static void kpi_options_and_periods_are_checked(void **state) {
    fixture *f = *state;
    archase_kpi_options o;
    assert_int_equal(archase_kpi_options_init(NULL, ARCHASE_KPI_OPTIONS_VERSION), ARCHASE_EINVAL);
    assert_int_equal(archase_kpi_options_init(&o, ARCHASE_KPI_OPTIONS_VERSION + 1), ARCHASE_EVERSION);
    assert_int_equal(archase_kpi_options_init(&o, ARCHASE_KPI_OPTIONS_VERSION), 0);
    archase_date from = on("2026-01-01"), to = on("2026-01-31");
    archase_kpi_report *r = (archase_kpi_report *)0x1;
    assert_int_equal(archase_kpi_compute(NULL, from, to, &o, &r), ARCHASE_EINVAL);
    assert_int_equal(archase_kpi_compute(f->eng, from, to, &o, NULL), ARCHASE_EINVAL);
    assert_string_equal(archase_engine_errmsg(f->eng), "out is NULL");
    assert_ptr_equal(r, (archase_kpi_report *)0x1);

    const char *period = "the period needs valid dates with from <= to (from after 0001-01-01)";
    expect_kpi_refused(f, to, from, &o, ARCHASE_EINVAL, period);
    expect_kpi_refused(f, ARCHASE_DATE_MIN, to, &o, ARCHASE_EINVAL, period);
    expect_kpi_refused(f, ARCHASE_DATE_NONE, to, &o, ARCHASE_EINVAL, period);
    expect_kpi_refused(f, from, ARCHASE_DATE_NONE, &o, ARCHASE_EINVAL, period);

    archase_kpi_options bad = o;
    bad.version = 99;
    expect_kpi_refused(f, from, to, &bad, ARCHASE_EVERSION, "KPI options version 99 is not supported");
    bad = o;
    bad.currency = "XAU";
    expect_kpi_refused(f, from, to, &bad, ARCHASE_ECURRENCY, "'XAU' is not a currency");
    const char *range = "promise_grace_days must be -1..365, response_window_days 0..365 and pattern_lookback 0..1000";
    for (int field = 0; field < 6; field++) {
        bad = o;
        switch (field) {
        case 0: bad.promise_grace_days = -2; break;
        case 1: bad.promise_grace_days = 366; break;
        case 2: bad.response_window_days = -1; break;
        case 3: bad.response_window_days = 366; break;
        case 4: bad.pattern_lookback = -1; break;
        default: bad.pattern_lookback = 1001; break;
        }
        expect_kpi_refused(f, from, to, &bad, ARCHASE_EINVAL, range);
    }
}

static void kpi_touches_and_reviews_are_checked(void **state) {
    fixture *f = *state;
    archase_date from = on("2026-01-01"), to = on("2026-01-31");
    archase_kpi_options o = ARCHASE_KPI_OPTIONS_INIT;
    o.touch_count = 1;
    expect_kpi_refused(f, from, to, &o, ARCHASE_EINVAL, "touch_count is 1 but touches is NULL");

    const char *ids[] = { "I1", NULL };
    archase_kpi_touch t = ARCHASE_KPI_TOUCH_INIT;
    t.customer_id = "C1";
    t.invoice_ids = ids;
    t.invoice_count = 1;
    t.date = on("2026-01-05");
    t.channel = ARCHASE_CHANNEL_EMAIL;
    o.touches = &t;
    t.version = 99;
    expect_kpi_refused(f, from, to, &o, ARCHASE_EVERSION, "touch 0: version 99 is not supported");
    t.version = ARCHASE_KPI_TOUCH_VERSION;
    t.date = ARCHASE_DATE_NONE;
    expect_kpi_refused(f, from, to, &o, ARCHASE_EINVAL, "touch 0 needs a valid date and at least one invoice");
    t.date = on("2026-01-05");
    t.invoice_count = 0;
    expect_kpi_refused(f, from, to, &o, ARCHASE_EINVAL, "touch 0 needs a valid date and at least one invoice");
    t.invoice_count = 1;
    t.invoice_ids = NULL;
    expect_kpi_refused(f, from, to, &o, ARCHASE_EINVAL, "touch 0 needs a valid date and at least one invoice");
    t.invoice_ids = ids;
    t.invoice_count = 2;
    expect_kpi_refused(f, from, to, &o, ARCHASE_EINVAL, "touch 0: invoice id 1 is NULL");
    t.invoice_count = 1;

    o.review_count = 1;
    expect_kpi_refused(f, from, to, &o, ARCHASE_EINVAL, "review_count is 1 but reviews is NULL");
    archase_kpi_review rv = ARCHASE_KPI_REVIEW_INIT;
    rv.draft_id = "d1";
    rv.reviewer = "ann";
    rv.drafted_at = (archase_instant)on("2026-01-05") * 86400 + 3600;
    rv.reviewed_at = rv.drafted_at + 600;
    rv.outcome = ARCHASE_REVIEW_EDITED;
    o.reviews = &rv;
    rv.version = 99;
    expect_kpi_refused(f, from, to, &o, ARCHASE_EVERSION, "review 0: version 99 is not supported");
    rv.version = ARCHASE_KPI_REVIEW_VERSION;
    const char *instants = "review 0: reviewed before it was drafted, or an instant out of range";
    rv.outcome = ARCHASE_REVIEW_REJECTED + 1;
    expect_kpi_refused(f, from, to, &o, ARCHASE_EINVAL, "review 0: unknown outcome 4");
    rv.outcome = ARCHASE_REVIEW_PENDING - 1;
    expect_kpi_refused(f, from, to, &o, ARCHASE_EINVAL, "review 0: unknown outcome -1");
    rv.outcome = ARCHASE_REVIEW_EDITED;
    rv.reviewed_at = rv.drafted_at - 1;
    expect_kpi_refused(f, from, to, &o, ARCHASE_EINVAL, instants);
    rv.reviewed_at = INT64_MAX;
    expect_kpi_refused(f, from, to, &o, ARCHASE_EINVAL, instants);
    rv.drafted_at = INT64_MIN;
    rv.outcome = ARCHASE_REVIEW_PENDING;
    expect_kpi_refused(f, from, to, &o, ARCHASE_EINVAL, instants);

    /* Valid: the touch is counted, the edit is counted. */
    rv.drafted_at = (archase_instant)on("2026-01-05") * 86400 + 3600;
    rv.reviewed_at = rv.drafted_at + 600;
    rv.outcome = ARCHASE_REVIEW_EDITED;
    archase_kpi_report *r = NULL;
    assert_int_equal(archase_kpi_compute(f->eng, from, to, &o, &r), 0);
    archase_kpi_reviewer_effort e = ARCHASE_KPI_REVIEWER_EFFORT_INIT;
    assert_int_equal(archase_kpi_reviewer_effort_get(r, &e), 0);
    assert_int_equal(e.reviewed, 1);
    assert_int_equal(e.edited, 1);
    assert_true(archase_kpi_effectiveness_count(r) >= 1);
    archase_kpi_report_free(r);
}

static void kpi_readers_check_their_arguments(void **state) {
    fixture *f = *state;
    archase_kpi_options o = ARCHASE_KPI_OPTIONS_INIT;
    o.customers = 1;
    archase_kpi_report *r = NULL;
    assert_int_equal(archase_kpi_compute(f->eng, on("2026-01-01"), on("2026-02-28"), &o, &r), 0);

    assert_null(archase_kpi_metric_name(0));
    assert_null(archase_kpi_metric_name(ARCHASE_KPI_METRIC_LIMIT));
    assert_int_equal(archase_kpi_metric_type(0), 0);
    assert_int_equal(archase_kpi_metric_type(ARCHASE_KPI_METRIC_LIMIT), 0);
    archase_kpi_number num = { .hundredths = -12345, .defined = 1 };
    char buf[32];
    assert_int_equal(archase_kpi_number_format(num, NULL, 0), ARCHASE_EINVAL);
    assert_int_equal(archase_kpi_number_format(num, buf, 4), ARCHASE_EBUFSIZE);
    assert_int_equal(archase_kpi_number_format(num, buf, sizeof buf), 0);
    assert_string_equal(buf, "-123.45");

    assert_int_equal(archase_kpi_row_count(NULL), 0);
    size_t rows = archase_kpi_row_count(r);
    assert_int_equal(rows, 2);
    archase_kpi_row row = ARCHASE_KPI_ROW_INIT;
    assert_int_equal(archase_kpi_row_get(NULL, 0, &row), ARCHASE_EINVAL);
    assert_int_equal(archase_kpi_row_get(r, 0, NULL), ARCHASE_EINVAL);
    row.version = 99;
    assert_int_equal(archase_kpi_row_get(r, 0, &row), ARCHASE_EVERSION);
    row.version = ARCHASE_KPI_ROW_VERSION;
    assert_int_equal(archase_kpi_row_get(r, rows, &row), ARCHASE_ERANGE);
    assert_int_equal(archase_kpi_row_get(r, 1, &row), 0);
    assert_string_equal(row.currency, "USD");

    archase_kpi_value v;
    assert_int_equal(archase_kpi_value_get(NULL, 0, ARCHASE_KPI_DSO_STANDARD, &v), ARCHASE_EINVAL);
    assert_int_equal(archase_kpi_value_get(r, 0, ARCHASE_KPI_DSO_STANDARD, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_kpi_value_get(r, 0, 0, &v), ARCHASE_EINVAL);
    assert_int_equal(archase_kpi_value_get(r, 0, ARCHASE_KPI_METRIC_LIMIT, &v), ARCHASE_EINVAL);
    assert_int_equal(archase_kpi_value_get(r, rows, ARCHASE_KPI_DSO_STANDARD, &v), ARCHASE_ERANGE);

    assert_int_equal(archase_kpi_dispute_group_count(NULL), 0);
    archase_kpi_dispute_group g = ARCHASE_KPI_DISPUTE_GROUP_INIT;
    size_t groups = archase_kpi_dispute_group_count(r);
    assert_true(groups >= 2);
    assert_int_equal(archase_kpi_dispute_group_get(NULL, 0, &g), ARCHASE_EINVAL);
    assert_int_equal(archase_kpi_dispute_group_get(r, 0, NULL), ARCHASE_EINVAL);
    g.version = 99;
    assert_int_equal(archase_kpi_dispute_group_get(r, 0, &g), ARCHASE_EVERSION);
    g.version = ARCHASE_KPI_DISPUTE_GROUP_VERSION;
    assert_int_equal(archase_kpi_dispute_group_get(r, groups, &g), ARCHASE_ERANGE);

    assert_int_equal(archase_kpi_effectiveness_count(NULL), 0);
    archase_kpi_effectiveness ef = ARCHASE_KPI_EFFECTIVENESS_INIT;
    size_t effs = archase_kpi_effectiveness_count(r);
    assert_int_equal(archase_kpi_effectiveness_get(NULL, 0, &ef), ARCHASE_EINVAL);
    assert_int_equal(archase_kpi_effectiveness_get(r, 0, NULL), ARCHASE_EINVAL);
    ef.version = 99;
    assert_int_equal(archase_kpi_effectiveness_get(r, 0, &ef), ARCHASE_EVERSION);
    ef.version = ARCHASE_KPI_EFFECTIVENESS_VERSION;
    assert_int_equal(archase_kpi_effectiveness_get(r, effs, &ef), ARCHASE_ERANGE);

    archase_kpi_reviewer_effort e = ARCHASE_KPI_REVIEWER_EFFORT_INIT;
    assert_int_equal(archase_kpi_reviewer_effort_get(NULL, &e), ARCHASE_EINVAL);
    assert_int_equal(archase_kpi_reviewer_effort_get(r, NULL), ARCHASE_EINVAL);
    e.version = 99;
    assert_int_equal(archase_kpi_reviewer_effort_get(r, &e), ARCHASE_EVERSION);

    assert_int_equal(archase_kpi_customer_count(NULL), 0);
    size_t customers = archase_kpi_customer_count(r);
    assert_int_equal(customers, 3);
    archase_kpi_customer c = ARCHASE_KPI_CUSTOMER_INIT;
    assert_int_equal(archase_kpi_customer_get(NULL, 0, &c), ARCHASE_EINVAL);
    assert_int_equal(archase_kpi_customer_get(r, 0, NULL), ARCHASE_EINVAL);
    c.version = 99;
    assert_int_equal(archase_kpi_customer_get(r, 0, &c), ARCHASE_EVERSION);
    c.version = ARCHASE_KPI_CUSTOMER_VERSION;
    assert_int_equal(archase_kpi_customer_get(r, customers, &c), ARCHASE_ERANGE);
    assert_int_equal(archase_kpi_customer_get(r, 0, &c), 0);
    assert_string_equal(c.customer_id, "C1");
    assert_int_equal(c.paid_invoices, 3);
    archase_kpi_report_free(r);
    archase_kpi_report_free(NULL);
}

static void kpi_series_checks_its_interval(void **state) {
    fixture *f = *state;
    archase_kpi_report *r = (archase_kpi_report *)0x1;
    assert_int_equal(archase_kpi_series(NULL, on("2026-01-01"), on("2026-02-28"), ARCHASE_KPI_MONTHLY, NULL, &r),
                     ARCHASE_EINVAL);
    assert_int_equal(archase_kpi_series(f->eng, on("2026-01-01"), on("2026-02-28"), 3, NULL, &r), ARCHASE_EINVAL);
    assert_int_equal(archase_kpi_series(f->eng, on("2026-01-01"), on("2026-02-28"), 0, NULL, &r), ARCHASE_EINVAL);
    assert_int_equal(archase_kpi_series(f->eng, on("2026-02-28"), on("2026-01-01"), ARCHASE_KPI_WEEKLY, NULL, &r),
                     ARCHASE_EINVAL);
    assert_ptr_equal(r, (archase_kpi_report *)0x1);
    /* One currency asked for: one row per month, even a currency the
     * ledger does not hold. */
    archase_kpi_options o = ARCHASE_KPI_OPTIONS_INIT;
    o.currency = "GBP";
    assert_int_equal(archase_kpi_series(f->eng, on("2026-01-01"), on("2026-02-28"), ARCHASE_KPI_MONTHLY, &o, &r), 0);
    assert_int_equal(archase_kpi_row_count(r), 2);
    archase_kpi_row row = ARCHASE_KPI_ROW_INIT;
    assert_int_equal(archase_kpi_row_get(r, 1, &row), 0);
    assert_string_equal(row.currency, "GBP");
    assert_int_equal(row.from, on("2026-02-01"));
    archase_kpi_report_free(r);
}

static void one_currency_reads_as_its_row_of_the_whole_report(void **state) {
    fixture *f = *state;
    /* A void invoice is in the ledger too: no KPI counts it. */
    import_csv(f->eng, ARCHASE_KIND_INVOICES,
               "invoice_id,customer_id,issue_date,due_date,amount,currency,status\n"
               "V1,C2,2026-01-20,2026-02-19,900.00,EUR,void\n");
    archase_date from = on("2026-01-01"), to = on("2026-02-28");
    archase_kpi_report *all = NULL;
    assert_int_equal(archase_kpi_compute(f->eng, from, to, NULL, &all), 0);
    assert_int_equal(archase_kpi_row_count(all), 2);
    static const char *const codes[] = { "EUR", "USD" };
    for (size_t c = 0; c < 2; c++) {
        archase_kpi_options o = ARCHASE_KPI_OPTIONS_INIT;
        o.currency = codes[c];
        archase_kpi_report *one = NULL;
        assert_int_equal(archase_kpi_compute(f->eng, from, to, &o, &one), 0);
        assert_int_equal(archase_kpi_row_count(one), 1);
        archase_kpi_row row = ARCHASE_KPI_ROW_INIT;
        assert_int_equal(archase_kpi_row_get(one, 0, &row), 0);
        assert_string_equal(row.currency, codes[c]);
        for (int metric = 1; metric < ARCHASE_KPI_METRIC_LIMIT; metric++) {
            archase_kpi_value a, b;
            assert_int_equal(archase_kpi_value_get(all, c, metric, &a), 0);
            assert_int_equal(archase_kpi_value_get(one, 0, metric, &b), 0);
            if (a.defined != b.defined || a.value != b.value)
                fail_msg("%s %s: %lld alone, %lld in the whole report", codes[c], archase_kpi_metric_name(metric),
                         (long long)b.value, (long long)a.value);
        }
        archase_kpi_report_free(one);
    }
    /* Open at the end of February: I1, I2, I3, I4 and I5 (1000 + 500 + 250 +
     * 100 + 200 EUR); the void invoice adds nothing. */
    archase_kpi_value open;
    assert_int_equal(archase_kpi_value_get(all, 0, ARCHASE_KPI_OPEN_AR, &open), 0);
    assert_true(open.defined);
    assert_int_equal(open.value, 205000);
    archase_kpi_report_free(all);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(forecast_options_out_of_range_are_refused, setup, teardown),
    cmocka_unit_test_setup_teardown(forecast_readers_check_their_arguments, setup, teardown),
    cmocka_unit_test_setup_teardown(a_promise_in_instalments_is_expected_instalment_by_instalment, setup, teardown),
    cmocka_unit_test_setup_teardown(a_currency_asked_for_keeps_its_row_when_nothing_is_open, setup, teardown),
    cmocka_unit_test_setup_teardown(a_policy_gives_the_forecast_its_defaults, setup, teardown),
    cmocka_unit_test_setup_teardown(kpi_options_and_periods_are_checked, setup, teardown),
    cmocka_unit_test_setup_teardown(kpi_touches_and_reviews_are_checked, setup, teardown),
    cmocka_unit_test_setup_teardown(kpi_readers_check_their_arguments, setup, teardown),
    cmocka_unit_test_setup_teardown(kpi_series_checks_its_interval, setup, teardown),
    cmocka_unit_test_setup_teardown(one_currency_reads_as_its_row_of_the_whole_report, setup, teardown),
};

AR_TEST_MAIN(tests)
