/* tests/test_replay_errors.c — what archase_replay refuses, each refusal with
 * the message naming what is wrong and nothing written to *out, and what its
 * readers refuse; a replay over a ledger with nothing to chase. */
#include <string.h>

#include "archase/archase.h"
#include "archase/replay.h"
#include "support/facts.h"
#include "support/testutil.h"

typedef struct fixture {
    archase_engine        *eng;
    archase_policy        *policy;
    archase_replay_result *result;
} fixture;

static archase_date on(const char *text) {
    archase_date d = ARCHASE_DATE_NONE;
    assert_int_equal(archase_date_parse(text, &d), 0);
    return d;
}

static void ok(fixture *f, int rc) {
    if (rc != 0)
        fail_msg("%s: %s", archase_error_name(rc), archase_engine_errmsg(f->eng));
}

static void given_invoice(fixture *f, const char *id, const char *issued, const char *due, int64_t minor) {
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = id;
    inv.customer_id = "C1";
    inv.issue_date = on(issued);
    inv.due_date = on(due);
    inv.amount.minor = minor;
    memcpy(inv.amount.currency, "EUR", 4);
    ok(f, archase_invoice_put(f->eng, &inv, NULL));
}

static int setup(void **state) {
    fixture *f = test_calloc(1, sizeof *f);
    assert_int_equal(archase_open_memory(NULL, &f->eng), 0);
    f->policy = test_example_policy("smb-friendly.yaml");
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "C1";
    c.timezone = "Europe/Berlin";
    c.owner = "anna";
    c.collector = "bob";
    ok(f, archase_customer_put(f->eng, &c, NULL));
    archase_contact k = ARCHASE_CONTACT_INIT;
    k.id = "C1:email";
    k.customer_id = "C1";
    k.channel = ARCHASE_CHANNEL_EMAIL;
    k.address = "ap@c1.example";
    k.consent = 1;
    k.primary = 1;
    ok(f, archase_contact_put(f->eng, &k, NULL));
    given_invoice(f, "I1", "2026-01-05", "2026-02-04", 120000);
    given_invoice(f, "I2", "2026-01-20", "2026-02-19", 80000);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    archase_replay_result_free(f->result);
    archase_policy_free(f->policy);
    archase_engine_free(f->eng);
    test_free(f);
    return 0;
}

static void expect_refused(fixture *f, archase_date from, archase_date to, const archase_replay_options *o, int rc,
                           const char *message) {
    archase_replay_result *r = (archase_replay_result *)f; /* must stay as it is */
    assert_int_equal(archase_replay(f->eng, f->policy, from, to, o, &r), rc);
    assert_ptr_equal(r, (archase_replay_result *)f);
    if (!strstr(archase_engine_errmsg(f->eng), message))
        fail_msg("message '%s' does not say '%s'", archase_engine_errmsg(f->eng), message);
}

static void options_out_of_range_are_refused_with_the_rule(void **state) {
    fixture *f = *state;
    const char *rule = "late_days 0..3650, response_window_days 0..365";
    archase_replay_options o = ARCHASE_REPLAY_OPTIONS_INIT;
    o.late_days = -1;
    expect_refused(f, on("2026-02-01"), on("2026-02-10"), &o, ARCHASE_EINVAL, rule);
    o.late_days = 3651;
    expect_refused(f, on("2026-02-01"), on("2026-02-10"), &o, ARCHASE_EINVAL, rule);
    o.late_days = 3650;
    o.response_window_days = -1;
    expect_refused(f, on("2026-02-01"), on("2026-02-10"), &o, ARCHASE_EINVAL, rule);
    o.response_window_days = 366;
    expect_refused(f, on("2026-02-01"), on("2026-02-10"), &o, ARCHASE_EINVAL, rule);
    /* the edges themselves are accepted */
    o.response_window_days = 365;
    ok(f, archase_replay(f->eng, f->policy, on("2026-02-01"), on("2026-02-02"), &o, &f->result));
    assert_int_equal(archase_replay_day_count(f->result), 2);
}

static void dates_outside_the_calendar_are_refused(void **state) {
    fixture *f = *state;
    const char *rule = "the period needs valid dates with from <= to";
    expect_refused(f, ARCHASE_DATE_MIN, ARCHASE_DATE_MIN + 3, NULL, ARCHASE_EINVAL, rule);
    expect_refused(f, ARCHASE_DATE_MAX - 3, ARCHASE_DATE_MAX + 1, NULL, ARCHASE_EINVAL, rule);
    expect_refused(f, on("2026-02-10"), on("2026-02-09"), NULL, ARCHASE_EINVAL, rule);
    expect_refused(f, on("2016-01-01"), on("2026-02-28"), NULL, ARCHASE_ERANGE, "more than 3660 days");
}

static void a_replay_is_refused_while_a_batch_is_open_on_the_ledger(void **state) {
    fixture *f = *state;
    archase_batch *b = NULL;
    ok(f, archase_batch_begin(f->eng, NULL, "import", &b));
    expect_refused(f, on("2026-02-01"), on("2026-02-10"), NULL, ARCHASE_EINVAL, "a batch is open on the ledger");
    archase_batch_free(b);
    /* the batch gone, the same replay runs */
    ok(f, archase_replay(f->eng, f->policy, on("2026-02-01"), on("2026-02-10"), NULL, &f->result));
    assert_int_equal(archase_replay_day_count(f->result), 10);
}

static void the_readers_refuse_null_an_unknown_version_and_a_place_past_the_end(void **state) {
    fixture *f = *state;
    assert_int_equal(archase_replay_options_init(NULL, ARCHASE_REPLAY_OPTIONS_VERSION), ARCHASE_EINVAL);
    ok(f, archase_replay(f->eng, f->policy, on("2026-02-01"), on("2026-02-28"), NULL, &f->result));
    const archase_replay_result *r = f->result;

    archase_replay_summary s = ARCHASE_REPLAY_SUMMARY_INIT;
    assert_int_equal(archase_replay_summary_get(r, NULL), ARCHASE_EINVAL);
    s.version = 99;
    assert_int_equal(archase_replay_summary_get(r, &s), ARCHASE_EVERSION);
    assert_int_equal(s.days, 0); /* untouched */
    s.version = ARCHASE_REPLAY_SUMMARY_VERSION;
    assert_int_equal(archase_replay_summary_get(r, &s), 0);
    assert_int_equal(s.days, 28);
    assert_true(s.messages > 0);

    archase_replay_day d = ARCHASE_REPLAY_DAY_INIT;
    assert_int_equal(archase_replay_day_get(NULL, 0, &d), ARCHASE_EINVAL);
    assert_int_equal(archase_replay_day_get(r, 0, NULL), ARCHASE_EINVAL);
    d.version = 99;
    assert_int_equal(archase_replay_day_get(r, 0, &d), ARCHASE_EVERSION);
    assert_int_equal(d.date, ARCHASE_DATE_NONE);
    d.version = ARCHASE_REPLAY_DAY_VERSION;
    assert_int_equal(archase_replay_day_get(r, 28, &d), ARCHASE_ERANGE);
    assert_int_equal(d.date, ARCHASE_DATE_NONE);
    assert_int_equal(archase_replay_day_get(r, 27, &d), 0);
    assert_int_equal(d.date, on("2026-02-28"));

    archase_kpi_touch t = ARCHASE_KPI_TOUCH_INIT;
    assert_int_equal(archase_replay_message_get(NULL, 0, &t), ARCHASE_EINVAL);
    assert_int_equal(archase_replay_message_get(r, 0, NULL), ARCHASE_EINVAL);
    t.version = 99;
    assert_int_equal(archase_replay_message_get(r, 0, &t), ARCHASE_EVERSION);
    assert_null(t.customer_id);
    t.version = ARCHASE_KPI_TOUCH_VERSION;
    assert_int_equal(archase_replay_message_get(r, s.messages, &t), ARCHASE_ERANGE);
    assert_int_equal(archase_replay_message_get(r, 0, &t), 0);
    assert_string_equal(t.customer_id, "C1");
}

/* Before any invoice was issued there is nothing to chase: no decision, no
 * message, no score, and the AUC undefined. */
static void a_replay_before_the_first_invoice_decides_nothing(void **state) {
    fixture *f = *state;
    ok(f, archase_replay(f->eng, f->policy, on("2025-12-01"), on("2025-12-31"), NULL, &f->result));
    archase_replay_summary s = ARCHASE_REPLAY_SUMMARY_INIT;
    assert_int_equal(archase_replay_summary_get(f->result, &s), 0);
    assert_int_equal(s.days, 31);
    assert_int_equal(s.decisions, 0);
    assert_int_equal(s.messages, 0);
    assert_int_equal(s.invoices_scored, 0);
    assert_int_equal(s.auc_percent.defined, 0);
    assert_int_equal(archase_replay_message_count(f->result), 0);
    archase_kpi_touch t = ARCHASE_KPI_TOUCH_INIT;
    assert_int_equal(archase_replay_message_get(f->result, 0, &t), ARCHASE_ERANGE);
    archase_replay_day d = ARCHASE_REPLAY_DAY_INIT;
    assert_int_equal(archase_replay_day_get(f->result, 30, &d), 0);
    assert_int_equal(d.open_invoices, 0);
    assert_int_equal(d.decisions, 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

static const struct CMUnitTest tests[] = {
    T(options_out_of_range_are_refused_with_the_rule),
    T(dates_outside_the_calendar_are_refused),
    T(a_replay_is_refused_while_a_batch_is_open_on_the_ledger),
    T(the_readers_refuse_null_an_unknown_version_and_a_place_past_the_end),
    T(a_replay_before_the_first_invoice_decides_nothing),
};

AR_TEST_MAIN(tests)
