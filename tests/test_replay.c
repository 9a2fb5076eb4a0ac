/* tests/test_replay.c — replaying a policy day by day over a historical
 * ledger through the public API: facts are seen on their own dates only (no
 * look-ahead), the same replay gives the same decisions, the ledger is left
 * as it was, what the policy did is counted, and failures leave nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "archase/replay.h"
#include "archase/sys/storage.h"
#include "support/facts.h"
#include "support/failalloc.h"
#include "support/ledger.h"
#include "support/memengine.h"
#include "support/testutil.h"

typedef struct fixture {
    archase_storage        store;
    archase_engine        *eng;
    archase_policy        *policy;
    archase_replay_result *result;
} fixture;

static int setup(void **state) {
    fixture *f = test_calloc(1, sizeof *f);
    assert_int_equal(archase_memory_storage_new(NULL, &f->store), 0);
    archase_storage s = test_unowned(&f->store);
    assert_int_equal(archase_engine_open(&s, NULL, &f->eng), 0);
    f->policy = test_example_policy("smb-friendly.yaml");
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    archase_replay_result_free(f->result);
    archase_policy_free(f->policy);
    archase_engine_free(f->eng);
    f->store.close(f->store.userdata);
    test_free(f);
    return 0;
}

static void given_invoice(fixture *f, const char *customer, const char *id, const char *issued,
                          const char *due, int64_t minor) {
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = id;
    inv.customer_id = customer;
    inv.issue_date = test_day(issued);
    inv.due_date = test_day(due);
    inv.amount.minor = minor;
    memcpy(inv.amount.currency, "EUR", 4);
    test_ok(f->eng, archase_invoice_put(f->eng, &inv, NULL));
}

static void given_payment(fixture *f, const char *customer, const char *id, const char *invoice,
                          const char *date, int64_t minor) {
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = id;
    p.customer_id = customer;
    p.invoice_id = invoice;
    p.date = test_day(date);
    p.amount.minor = minor;
    memcpy(p.amount.currency, "EUR", 4);
    test_ok(f->eng, archase_payment_put(f->eng, &p, NULL));
}

static void given_dispute(fixture *f, const char *customer, const char *id, const char *invoice,
                          const char *opened, const char *resolved, int64_t revision) {
    const char *ids[1] = { invoice };
    archase_dispute d = ARCHASE_DISPUTE_INIT;
    d.id = id;
    d.customer_id = customer;
    d.invoice_ids = ids;
    d.invoice_count = 1;
    d.amount.minor = 5000;
    memcpy(d.amount.currency, "EUR", 4);
    d.reason_code = "pricing";
    d.opened_on = test_day(opened);
    d.revision = revision;
    if (resolved) {
        d.status = ARCHASE_DISPUTE_RESOLVED;
        d.resolution = ARCHASE_RESOLUTION_REJECTED;
        d.root_cause = "price_list";
        d.resolved_on = test_day(resolved);
    }
    test_ok(f->eng, archase_dispute_put(f->eng, &d, NULL));
}

/* Two customers, invoices falling due through February and March 2026, some
 * paid on time, some late, one disputed. */
static void given_history(fixture *f) {
    test_fact_customer(f->eng, "C1", "Europe/Berlin", NULL);
    test_fact_customer(f->eng, "C2", "Europe/Berlin", NULL);
    given_invoice(f, "C1", "I1", "2026-01-05", "2026-02-04", 120000);
    given_invoice(f, "C1", "I2", "2026-01-20", "2026-02-19", 80000);
    given_invoice(f, "C1", "I3", "2026-02-01", "2026-03-03", 250000);
    given_invoice(f, "C2", "I4", "2026-01-10", "2026-02-09", 30000);
    given_invoice(f, "C2", "I5", "2026-02-10", "2026-03-12", 600000);
    given_invoice(f, "C2", "I6", "2025-11-01", "2025-12-01", 90000);
    given_payment(f, "C1", "P1", "I1", "2026-02-03", 120000);
    given_payment(f, "C2", "P4", "I4", "2026-03-20", 30000);
    given_dispute(f, "C1", "D1", "I2", "2026-02-25", NULL, 0);
}

static void replay(fixture *f, const char *from, const char *to) {
    archase_replay_result_free(f->result);
    f->result = NULL;
    test_ok(f->eng, archase_replay(f->eng, f->policy, test_day(from), test_day(to), NULL, &f->result));
}

static archase_replay_day day_of(const archase_replay_result *r, size_t i) {
    archase_replay_day d = ARCHASE_REPLAY_DAY_INIT;
    assert_int_equal(archase_replay_day_get(r, i, &d), 0);
    return d;
}

/* ---- no look-ahead ------------------------------------------------------------------ */

static void facts_dated_after_a_day_do_not_change_that_days_decisions(void **state) {
    fixture *f = *state;
    given_history(f);
    replay(f, "2026-02-01", "2026-03-31");
    archase_replay_result *before = f->result;
    f->result = NULL;
    /* The future as seen from 03-09: a payment on 03-10, an invoice issued
     * 03-15, a promise recorded 03-12, a dispute opened 03-20, and the
     * dispute of 02-25 resolved on 03-16. */
    given_payment(f, "C1", "P3", "I3", "2026-03-10", 250000);
    given_invoice(f, "C1", "I9", "2026-03-15", "2026-03-25", 70000);
    const char *ids[1] = { "I5" };
    archase_promise p = ARCHASE_PROMISE_INIT;
    p.id = "PTP";
    p.customer_id = "C2";
    p.invoice_ids = ids;
    p.invoice_count = 1;
    p.amount.minor = 600000;
    memcpy(p.amount.currency, "EUR", 4);
    p.promised_date = test_day("2026-03-26");
    p.recorded_on = test_day("2026-03-12");
    test_ok(f->eng, archase_promise_put(f->eng, &p, NULL));
    given_dispute(f, "C2", "D2", "I6", "2026-03-20", NULL, 0);
    given_dispute(f, "C1", "D1", "I2", "2026-02-25", "2026-03-16", 1);
    replay(f, "2026-02-01", "2026-03-31");
    size_t n = archase_replay_day_count(f->result);
    assert_int_equal(n, 59);
    assert_int_equal(archase_replay_day_count(before), 59);
    archase_date k = test_day("2026-03-09");
    int changed_after = 0;
    for (size_t i = 0; i < n; i++) {
        archase_replay_day a = day_of(before, i), b = day_of(f->result, i);
        assert_int_equal(a.date, b.date);
        if (a.date <= k) {
            if (memcmp(a.decisions_hash, b.decisions_hash, 32) != 0)
                fail_msg("day %zu (before the new facts) decided differently", i);
            assert_int_equal(a.decisions, b.decisions);
        } else if (memcmp(a.decisions_hash, b.decisions_hash, 32) != 0) {
            changed_after = 1;
        }
    }
    /* the test can tell: the later days did change */
    assert_true(changed_after);
    archase_replay_result_free(before);
}

static void the_same_replay_decides_the_same_and_leaves_the_ledger_alone(void **state) {
    fixture *f = *state;
    given_history(f);
    uint64_t cadence_before = 0, audit_before = 0;
    archase_scan_filter flt = ARCHASE_SCAN_FILTER_INIT;
    flt.family = ARCHASE_FAMILY_CADENCE;
    assert_int_equal(f->store.count(f->store.userdata, &flt, &cadence_before), 0);
    assert_int_equal(f->store.audit_size(f->store.userdata, &audit_before), 0);
    replay(f, "2026-02-01", "2026-03-15");
    archase_replay_summary a = ARCHASE_REPLAY_SUMMARY_INIT, b = ARCHASE_REPLAY_SUMMARY_INIT;
    assert_int_equal(archase_replay_summary_get(f->result, &a), 0);
    replay(f, "2026-02-01", "2026-03-15");
    assert_int_equal(archase_replay_summary_get(f->result, &b), 0);
    assert_memory_equal(a.decisions_hash, b.decisions_hash, 32);
    assert_int_equal(a.decisions, b.decisions);
    uint64_t cadence_after = 0, audit_after = 0;
    assert_int_equal(f->store.count(f->store.userdata, &flt, &cadence_after), 0);
    assert_int_equal(f->store.audit_size(f->store.userdata, &audit_after), 0);
    assert_int_equal(cadence_before, cadence_after);
    assert_int_equal(audit_before, audit_after);
}

/* ---- what the policy did ----------------------------------------------------------------- */

static void messages_are_counted_and_listed_with_their_step_and_template(void **state) {
    fixture *f = *state;
    given_history(f);
    replay(f, "2026-02-01", "2026-03-31");
    archase_replay_summary s = ARCHASE_REPLAY_SUMMARY_INIT;
    assert_int_equal(archase_replay_summary_get(f->result, &s), 0);
    assert_int_equal(s.days, 59);
    assert_int_equal(s.from, test_day("2026-02-01"));
    assert_int_equal(s.to, test_day("2026-03-31"));
    assert_true(s.messages > 0);
    assert_int_equal(archase_replay_message_count(f->result), s.messages);
    uint64_t by_day = 0, decisions = 0;
    for (size_t i = 0; i < archase_replay_day_count(f->result); i++) {
        by_day += day_of(f->result, i).messages;
        decisions += day_of(f->result, i).decisions;
    }
    assert_int_equal(by_day, s.messages);
    assert_int_equal(decisions, s.decisions);
    assert_true(s.customers_messaged >= 1 && s.customers_messaged <= 2);
    int found_due_soon = 0;
    for (size_t i = 0; i < archase_replay_message_count(f->result); i++) {
        archase_kpi_touch t = ARCHASE_KPI_TOUCH_INIT;
        assert_int_equal(archase_replay_message_get(f->result, i, &t), 0);
        assert_true(t.invoice_count >= 1);
        assert_true(t.date >= s.from && t.date <= s.to);
        assert_non_null(t.customer_id);
        /* I3, due 03-03, gets its pre-due reminder in the `standard` sequence */
        if (t.template_name && !strcmp(t.template_name, "due_soon") && !strcmp(t.invoice_ids[0], "I3"))
            found_due_soon = 1;
        /* I1 was paid before it was due: never chased after its due date */
        if (!strcmp(t.invoice_ids[0], "I1"))
            assert_true(t.date < test_day("2026-02-04"));
    }
    assert_true(found_due_soon);
    archase_kpi_touch t = ARCHASE_KPI_TOUCH_INIT;
    assert_int_equal(archase_replay_message_get(f->result, s.messages, &t), ARCHASE_ERANGE);
    /* the KPIs of the period see the replay's messages */
    const archase_kpi_report *k = archase_replay_kpis(f->result);
    assert_non_null(k);
    archase_kpi_value v;
    assert_int_equal(archase_kpi_value_get(k, 0, ARCHASE_KPI_MESSAGES, &v), 0);
    assert_true(v.value > 0 && (uint64_t)v.value <= s.messages);
}

static void the_auc_ranks_scores_against_invoices_that_went_late(void **state) {
    fixture *f = *state;
    given_history(f);
    replay(f, "2026-02-01", "2026-02-28");
    archase_replay_summary s = ARCHASE_REPLAY_SUMMARY_INIT;
    assert_int_equal(archase_replay_summary_get(f->result, &s), 0);
    /* I6 (due 2025-12-01) and I2 and I3 and I5 were open 60 days after their
     * due dates, as far as the ledger knows; I4 was paid 39 days late. The
     * ledger reaches 2026-03-20: I6 is the only one whose 60 days are known. */
    assert_true(s.invoices_scored >= 1);
    assert_true(s.invoices_late <= s.invoices_scored);
    if (s.auc_percent.defined) {
        assert_true(s.auc_percent.hundredths >= 0 && s.auc_percent.hundredths <= 10000);
    }
    /* a ledger where nothing has gone late has no AUC */
    archase_replay_options o = ARCHASE_REPLAY_OPTIONS_INIT;
    o.late_days = 3000;
    archase_replay_result_free(f->result);
    f->result = NULL;
    test_ok(f->eng, archase_replay(f->eng, f->policy, test_day("2026-02-01"), test_day("2026-02-28"), &o, &f->result));
    assert_int_equal(archase_replay_summary_get(f->result, &s), 0);
    assert_false(s.auc_percent.defined);
}

static void bad_arguments_are_refused(void **state) {
    fixture *f = *state;
    archase_replay_result *r = NULL;
    assert_int_equal(archase_replay(NULL, f->policy, 1, 2, NULL, &r), ARCHASE_EINVAL);
    assert_int_equal(archase_replay(f->eng, NULL, 1, 2, NULL, &r), ARCHASE_EINVAL);
    assert_int_equal(archase_replay(f->eng, f->policy, 1, 2, NULL, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_replay(f->eng, f->policy, 5, 2, NULL, &r), ARCHASE_EINVAL);
    assert_int_equal(archase_replay(f->eng, f->policy, test_day("2000-01-01"), test_day("2020-01-01"), NULL, &r),
                     ARCHASE_ERANGE);
    archase_replay_options o = ARCHASE_REPLAY_OPTIONS_INIT;
    o.version = 3;
    assert_int_equal(archase_replay(f->eng, f->policy, 1, 2, &o, &r), ARCHASE_EVERSION);
    assert_null(r);
    assert_int_equal(archase_replay_options_init(&o, 3), ARCHASE_EVERSION);
    assert_int_equal(archase_replay_options_init(&o, ARCHASE_REPLAY_OPTIONS_VERSION), 0);
    archase_replay_summary s = ARCHASE_REPLAY_SUMMARY_INIT;
    assert_int_equal(archase_replay_summary_get(NULL, &s), ARCHASE_EINVAL);
    assert_int_equal(archase_replay_day_count(NULL), 0);
    assert_int_equal(archase_replay_message_count(NULL), 0);
    assert_null(archase_replay_kpis(NULL));
    archase_replay_result_free(NULL);
}

/* ---- failures ------------------------------------------------------------------------------- */

static int replay_under(const archase_allocator *allocator, void *ctx) {
    fixture *f = ctx;
    archase_engine_options eo = ARCHASE_ENGINE_OPTIONS_INIT;
    eo.allocator = allocator;
    archase_storage s = test_unowned(&f->store);
    archase_engine *eng = NULL;
    int rc = archase_engine_open(&s, &eo, &eng);
    if (rc)
        return rc;
    archase_replay_result *r = NULL;
    rc = archase_replay(eng, f->policy, test_day("2026-02-25"), test_day("2026-03-04"), NULL, &r);
    archase_replay_result_free(r);
    archase_engine_free(eng);
    return rc;
}

static void replaying_survives_every_allocation_failure(void **state) {
    fixture *f = *state;
    given_history(f);
    assert_true(failalloc_loop(replay_under, NULL, f) > 50);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

static const struct CMUnitTest tests[] = {
    T(facts_dated_after_a_day_do_not_change_that_days_decisions),
    T(the_same_replay_decides_the_same_and_leaves_the_ledger_alone),
    T(messages_are_counted_and_listed_with_their_step_and_template),
    T(the_auc_ranks_scores_against_invoices_that_went_late),
    T(bad_arguments_are_refused),
    T(replaying_survives_every_allocation_failure),
};

AR_TEST_MAIN(tests)
