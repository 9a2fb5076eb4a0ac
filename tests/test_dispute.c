/* tests/test_dispute.c — disputes through the public API: opening under
 * the policy's reason codes (refusing an unknown reason, a paid invoice, an
 * amount above what is open, a missing field — writing nothing), a partial
 * dispute whose undisputed remainder is still chased, review, SLA reminder
 * and breach once each, resolution with a root cause and a credit, a credit
 * above the playbook's limit waiting for its approval, the report, and every
 * allocation and storage call failing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/failalloc.h"
#include "support/ledger.h"
#include "support/testutil.h"

static const char policy_text[] =
    TEST_LEDGER_POLICY_HEAD
    TEST_LEDGER_POLICY_APPROVALS
    "disputes:\n"
    "  sla_reminder_days: 2\n"
    "  playbooks:\n"
    "    pricing: {owner_role: sales_ops, sla_days: 10, approval_limit: [100 EUR]}\n"
    "    damaged_goods: {owner_role: logistics, sla_days: 5}\n";

typedef test_ledger fixture;

static const test_ledger_spec ledger = { policy_text, "anna", "anna", "olaf", 0, 100000, 100000, NULL };

static archase_date D(const char *s) {
    return test_day(s);
}

static int setup(void **state) {
    return test_ledger_setup(state, &ledger);
}

static archase_dispute dispute(const char *id, const char *reason, int64_t minor) {
    archase_dispute d = test_dispute(id, reason, minor);
    d.evidence = "photos of the pallets";
    return d;
}

typedef struct seen {
    int          count;
    int          status, resolution, sla_state;
    char         owner[64], root_cause[64], pending[ARCHASE_APPROVAL_ID_MAX];
    archase_date sla_due;
    int64_t      credited;
    int32_t      age;
} seen;

static int see(void *ud, const archase_dispute_info *i) {
    seen *s = ud;
    s->count++;
    s->status = i->dispute->status;
    s->resolution = i->dispute->resolution;
    s->sla_state = i->sla_state;
    s->sla_due = i->sla_due;
    s->age = i->age_days;
    s->credited = i->dispute->credited.minor;
    snprintf(s->owner, sizeof s->owner, "%s", i->owner ? i->owner : "");
    snprintf(s->root_cause, sizeof s->root_cause, "%s", i->dispute->root_cause ? i->dispute->root_cause : "");
    snprintf(s->pending, sizeof s->pending, "%s", i->pending_approval ? i->pending_approval : "");
    return 0;
}

static seen standing(fixture *f, const char *as_of) {
    seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(archase_disputes_scan(f->eng, f->policy, "ACME", 0, D(as_of), see, &s), 0);
    return s;
}

/* ---- opening ------------------------------------------------------------------------------- */

static void refuse(fixture *f, const archase_dispute *d, int code, const char *words) {
    uint64_t before = test_audit_size(f->eng);
    int rc = archase_dispute_open(f->eng, f->policy, d, D("2026-03-05"));
    if (rc != code)
        fail_msg("expected %s, got %s: %s", archase_error_name(code), archase_error_name(rc),
                 archase_engine_errmsg(f->eng));
    if (!strstr(archase_engine_errmsg(f->eng), words))
        fail_msg("message '%s' does not say '%s'", archase_engine_errmsg(f->eng), words);
    assert_int_equal(test_audit_size(f->eng), before);
    assert_int_equal(standing(f, "2026-03-05").count, 0);
}

static void invalid_disputes_are_refused_with_a_clear_error_and_nothing_written(void **state) {
    fixture *f = *state;
    archase_dispute d = dispute("D-1", "weather", 1000);
    refuse(f, &d, ARCHASE_EINVAL, "unknown reason code 'weather'");
    d = dispute("D-1", "pricing", 100001);
    refuse(f, &d, ARCHASE_EINVAL, "more than the 1000.00 EUR open");
    d = dispute("D-1", "pricing", 1000);
    d.opened_by = NULL;
    refuse(f, &d, ARCHASE_EINVAL, "opened_by");
    d = dispute("D-1", NULL, 1000);
    refuse(f, &d, ARCHASE_EINVAL, "reason_code");
    d = dispute("D-1", "pricing", 1000);
    d.status = ARCHASE_DISPUTE_RESOLVED;
    refuse(f, &d, ARCHASE_EINVAL, "resol");
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = "PAY-1";
    p.customer_id = "ACME";
    p.invoice_id = "INV-1";
    p.date = D("2026-03-04");
    p.amount = (archase_money){ 100000, "EUR" };
    assert_int_equal(archase_payment_put(f->eng, &p, NULL), 0);
    d = dispute("D-1", "pricing", 1000);
    refuse(f, &d, ARCHASE_EINVAL, "nothing open to dispute");
}

static void a_partial_dispute_pauses_its_part_and_the_rest_is_still_chased(void **state) {
    fixture *f = *state;
    archase_dispute d = dispute("D-1", "pricing", 30000);
    test_dispute_open(f, &d, "2026-03-05");
    seen s = standing(f, "2026-03-05");
    assert_int_equal(s.count, 1);
    assert_string_equal(s.owner, "sales_ops"); /* the playbook's owner */
    assert_int_equal(s.sla_due, D("2026-03-15"));
    archase_snapshot *snap = NULL;
    archase_decisions *ds = NULL;
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = f->policy;
    assert_int_equal(archase_snapshot_load(f->eng, D("2026-03-05"), &so, &snap), 0);
    assert_int_equal(archase_evaluate(snap, f->policy, D("2026-03-05"), NULL, &ds), 0);
    int chased = 0, part_paused = 0;
    for (size_t i = 0; i < archase_decisions_count(ds); i++) {
        archase_decision dec = ARCHASE_DECISION_INIT;
        assert_int_equal(archase_decision_get(ds, i, &dec), 0);
        if (dec.kind != ARCHASE_DECISION_QUEUE_CALL)
            continue;
        chased++;
        for (size_t j = 0; j < dec.reason_count; j++) {
            int r = 0;
            assert_int_equal(archase_decision_reason(ds, i, j, &r), 0);
            part_paused += r == ARCHASE_REASON_DISPUTED_PART_PAUSED;
        }
    }
    assert_true(chased > 0);
    assert_true(part_paused > 0);
    archase_decisions_free(ds);
    archase_snapshot_free(snap);
}

static archase_lifecycle_counts update(fixture *f, const char *as_of) {
    archase_lifecycle_counts c;
    memset(&c, 0, sizeof c);
    c.version = ARCHASE_LIFECYCLE_COUNTS_VERSION;
    assert_int_equal(archase_lifecycle_update(f->eng, f->policy, D(as_of), &c), 0);
    return c;
}

typedef struct alerts {
    char text[512];
} alerts;

static int see_alert(void *ud, const archase_outbox_item *it) {
    alerts *a = ud;
    size_t n = strlen(a->text);
    snprintf(a->text + n, sizeof a->text - n, "%s>%s:%s|", archase_decision_kind_name(it->kind), it->owner,
             it->subject);
    return 0;
}

static alerts outbox(fixture *f) {
    alerts a;
    memset(&a, 0, sizeof a);
    assert_int_equal(archase_outbox_scan(f->eng, ARCHASE_OUTBOX_PENDING, see_alert, &a), 0);
    return a;
}

static void an_sla_reminds_once_before_and_escalates_once_after(void **state) {
    fixture *f = *state;
    archase_dispute d = dispute("D-1", "damaged_goods", 30000); /* SLA 5 days: 03-10 */
    test_dispute_open(f, &d, "2026-03-05");
    assert_int_equal(update(f, "2026-03-07").transitions, 0);
    archase_lifecycle_counts c = update(f, "2026-03-08");
    assert_int_equal(c.disputes_sla_reminders, 1);
    assert_int_equal(update(f, "2026-03-09").transitions, 0);
    assert_int_equal(standing(f, "2026-03-09").sla_state, ARCHASE_SLA_DUE_SOON);
    assert_int_equal(update(f, "2026-03-10").transitions, 0);
    c = update(f, "2026-03-11");
    assert_int_equal(c.disputes_sla_breached, 1);
    assert_int_equal(standing(f, "2026-03-11").sla_state, ARCHASE_SLA_BREACHED);
    uint64_t before = test_audit_size(f->eng);
    assert_int_equal(update(f, "2026-03-12").transitions, 0);
    assert_int_equal(test_audit_size(f->eng), before);
    /* the owner was reminded, the account owner told of the breach: once each */
    assert_string_equal(outbox(f).text, "escalate>olaf:Dispute D-1 is past its SLA (due 2026-03-10)|"
                                        "alert_owner>logistics:Dispute D-1 is due by 2026-03-10|");
}

typedef struct item_count {
    uint64_t all, internal, sla;
} item_count;

static int count_item(void *ud, const archase_outbox_item *it) {
    item_count *n = ud;
    n->all++;
    n->internal += it->channel == ARCHASE_CHANNEL_INTERNAL;
    n->sla += !strncmp(it->subject, "Dispute ", 8);
    return 0;
}

static item_count stored_items(fixture *f) {
    item_count n = { 0, 0, 0 };
    assert_int_equal(archase_outbox_scan(f->eng, 0, count_item, &n), 0);
    return n;
}

static archase_cycle_report cycle_day(fixture *f, const char *as_of) {
    archase_cycle_options o = ARCHASE_CYCLE_OPTIONS_INIT;
    o.dispatch = 0;
    archase_cycle_report r;
    memset(&r, 0, sizeof r);
    r.version = ARCHASE_CYCLE_REPORT_VERSION;
    int rc = archase_run_cycle(f->eng, f->policy, D(as_of), &o, &r);
    if (rc)
        fail_msg("cycle: %s: %s", archase_error_name(rc), archase_engine_errmsg(f->eng));
    return r;
}

/* The reminder and the escalation are outbox items the cycle wrote: its
 * report counts them with the rest, and its totals are what the store and
 * the audit log gained. */
static void the_cycle_report_counts_sla_items_in_its_outbox_totals(void **state) {
    fixture *f = *state;
    archase_dispute d = dispute("D-1", "damaged_goods", 30000); /* SLA 5 days: 03-10 */
    test_dispute_open(f, &d, "2026-03-05");
    const char *days[] = { "2026-03-07", "2026-03-08", "2026-03-08", "2026-03-11" };
    const uint64_t sla_items[] = { 0, 1, 1, 2 };
    item_count had = stored_items(f);
    for (size_t k = 0; k < sizeof days / sizeof days[0]; k++) {
        uint64_t audit_before = test_audit_size(f->eng);
        archase_cycle_report r = cycle_day(f, days[k]);
        item_count now = stored_items(f);
        assert_int_equal(now.sla, sla_items[k]);
        assert_int_equal(r.outbox_written, now.all - had.all);
        assert_int_equal(r.internal_routes, now.internal - had.internal);
        assert_int_equal(r.audit_records, test_audit_size(f->eng) - audit_before);
        assert_int_equal(r.disputes_sla_reminders + r.disputes_sla_breached, now.sla - had.sla);
        if (k == 2) /* the same day again: nothing new */
            assert_true(r.outbox_written == 0 && r.internal_routes == 0 && r.audit_records == 0);
        had = now;
    }
}

static void review_then_rejection_with_a_root_cause(void **state) {
    fixture *f = *state;
    archase_dispute d = dispute("D-1", "damaged_goods", 30000);
    test_dispute_open(f, &d, "2026-03-05");
    archase_dispute_change ch = ARCHASE_DISPUTE_CHANGE_INIT;
    ch.id = "D-1";
    ch.status = ARCHASE_DISPUTE_IN_REVIEW;
    ch.owner = "lena";
    ch.by = "anna";
    assert_int_equal(archase_dispute_update(f->eng, f->policy, &ch, D("2026-03-06")), 0);
    seen s = standing(f, "2026-03-06");
    assert_int_equal(s.status, ARCHASE_DISPUTE_IN_REVIEW);
    assert_string_equal(s.owner, "lena");
    archase_dispute_outcome o = ARCHASE_DISPUTE_OUTCOME_INIT;
    o.id = "D-1";
    o.resolution = ARCHASE_RESOLUTION_REJECTED;
    o.by = "lena";
    assert_int_equal(archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-09"), NULL, NULL), ARCHASE_EINVAL);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "root-cause"));
    o.root_cause = "carrier_damage_not_proven";
    assert_int_equal(archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-09"), NULL, NULL), 0);
    s = standing(f, "2026-03-20");
    assert_int_equal(s.status, ARCHASE_DISPUTE_RESOLVED);
    assert_int_equal(s.resolution, ARCHASE_RESOLUTION_REJECTED);
    assert_string_equal(s.root_cause, "carrier_damage_not_proven");
    assert_int_equal(s.age, 4);
    assert_int_equal(s.sla_state, ARCHASE_SLA_OK);
    assert_int_equal(archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-10"), NULL, NULL), ARCHASE_ESTATE);
    assert_int_equal(archase_dispute_update(f->eng, f->policy, &ch, D("2026-03-10")), ARCHASE_ESTATE);
    assert_int_equal(test_open_amount(f, "INV-1"), 100000);
}

static void a_credit_within_the_limit_is_issued_at_once(void **state) {
    fixture *f = *state;
    archase_dispute d = dispute("D-1", "damaged_goods", 30000); /* no approval limit */
    test_dispute_open(f, &d, "2026-03-05");
    archase_dispute_outcome o = ARCHASE_DISPUTE_OUTCOME_INIT;
    o.id = "D-1";
    o.resolution = ARCHASE_RESOLUTION_PARTIAL;
    o.credited = (archase_money){ 20000, "EUR" };
    o.root_cause = "packaging";
    o.by = "lena";
    int pending = -1;
    char id[ARCHASE_APPROVAL_ID_MAX] = "x";
    assert_int_equal(archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-09"), id, &pending), 0);
    assert_int_equal(pending, 0);
    assert_string_equal(id, "");
    assert_int_equal(test_open_amount(f, "INV-1"), 80000);
    seen s = standing(f, "2026-03-09");
    assert_int_equal(s.credited, 20000);
}

static void a_credit_above_the_limit_waits_for_its_approval(void **state) {
    fixture *f = *state;
    archase_dispute d = dispute("D-1", "pricing", 30000); /* approval above 100 EUR */
    test_dispute_open(f, &d, "2026-03-05");
    archase_dispute_outcome o = ARCHASE_DISPUTE_OUTCOME_INIT;
    o.id = "D-1";
    o.resolution = ARCHASE_RESOLUTION_CREDIT_ISSUED;
    o.credited = (archase_money){ 30000, "EUR" };
    o.root_cause = "price_list_outdated";
    o.by = "lena";
    int pending = 0;
    char id[ARCHASE_APPROVAL_ID_MAX] = "";
    assert_int_equal(archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-09"), id, &pending), 0);
    assert_int_equal(pending, 1);
    assert_true(strncmp(id, "APR-", 4) == 0);
    assert_int_equal(test_open_amount(f, "INV-1"), 100000);
    seen s = standing(f, "2026-03-09");
    assert_int_equal(s.status, ARCHASE_DISPUTE_OPEN);
    assert_string_equal(s.pending, id);
    /* asked again before the approval: still waiting, nothing new */
    char again[ARCHASE_APPROVAL_ID_MAX] = "";
    assert_int_equal(archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-09"), again, &pending), 0);
    assert_int_equal(pending, 1);
    assert_string_equal(again, id);
    test_approval_approve(f, id, "price list error confirmed");
    assert_int_equal(archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-10"), again, &pending), 0);
    assert_int_equal(pending, 0);
    assert_int_equal(test_open_amount(f, "INV-1"), 70000);
    s = standing(f, "2026-03-10");
    assert_int_equal(s.status, ARCHASE_DISPUTE_RESOLVED);
    assert_string_equal(s.pending, "");
}

typedef struct rows {
    char text[2048];
} rows;

static int add_row(void *ud, const archase_dispute_report_row *r) {
    rows *x = ud;
    size_t n = strlen(x->text);
    snprintf(x->text + n, sizeof x->text - n, "%s|%s|%s|%llu|%lld;", r->group, r->month, r->key,
             (unsigned long long)r->count, (long long)r->days);
    return 0;
}

static void the_report_counts_by_reason_owner_age_and_root_cause(void **state) {
    fixture *f = *state;
    archase_dispute d = dispute("D-1", "pricing", 10000);
    test_dispute_open(f, &d, "2026-03-01");
    d = dispute("D-2", "damaged_goods", 10000);
    test_dispute_open(f, &d, "2026-03-01");
    archase_dispute_outcome o = ARCHASE_DISPUTE_OUTCOME_INIT;
    o.id = "D-2";
    o.resolution = ARCHASE_RESOLUTION_REJECTED;
    o.root_cause = "packaging";
    o.by = "lena";
    assert_int_equal(archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-11"), NULL, NULL), 0);
    rows r;
    memset(&r, 0, sizeof r);
    assert_int_equal(archase_dispute_report(f->eng, f->policy, D("2026-04-15"), add_row, &r), 0);
    assert_string_equal(r.text, "open_by_age||31-60|1|45;open_by_owner||sales_ops|1|45;"
                                "open_by_reason||pricing|1|45;root_cause|2026-03|packaging|1|10;"
                                "time_to_resolve||all|1|10;time_to_resolve||damaged_goods|1|10;");
}

/* ---- failures ------------------------------------------------------------------------------------ */

static int flow_with(const archase_allocator *a, void *ctx) {
    (void)ctx;
    fixture f;
    memset(&f, 0, sizeof f);
    int rc = test_ledger_open(&f, &ledger, a, NULL);
    archase_dispute d = dispute("D-1", "pricing", 30000);
    if (!rc)
        rc = archase_dispute_open(f.eng, f.policy, &d, D("2026-03-05"));
    archase_dispute_change ch = ARCHASE_DISPUTE_CHANGE_INIT;
    ch.id = "D-1";
    ch.status = ARCHASE_DISPUTE_IN_REVIEW;
    ch.by = "anna";
    if (!rc)
        rc = archase_dispute_update(f.eng, f.policy, &ch, D("2026-03-06"));
    archase_lifecycle_counts c = { ARCHASE_LIFECYCLE_COUNTS_VERSION, 0, 0, 0, 0, 0, 0, 0 };
    if (!rc)
        rc = archase_lifecycle_update(f.eng, f.policy, D("2026-03-20"), &c);
    archase_dispute_outcome o = ARCHASE_DISPUTE_OUTCOME_INIT;
    o.id = "D-1";
    o.resolution = ARCHASE_RESOLUTION_CREDIT_ISSUED;
    o.credited = (archase_money){ 30000, "EUR" };
    o.root_cause = "price_list_outdated";
    o.by = "lena";
    char id[ARCHASE_APPROVAL_ID_MAX];
    int pending = 0;
    if (!rc)
        rc = archase_dispute_resolve(f.eng, f.policy, &o, D("2026-03-21"), id, &pending);
    if (!rc)
        rc = test_approval_approve_rc(&f, id, "confirmed");
    if (!rc)
        rc = archase_dispute_resolve(f.eng, f.policy, &o, D("2026-03-22"), id, &pending);
    rows r;
    memset(&r, 0, sizeof r);
    if (!rc)
        rc = archase_dispute_report(f.eng, f.policy, D("2026-04-01"), add_row, &r);
    seen s;
    memset(&s, 0, sizeof s);
    if (!rc)
        rc = archase_disputes_scan(f.eng, f.policy, NULL, 0, D("2026-04-01"), see, &s);
    test_ledger_close(&f);
    return rc;
}

static void disputes_survive_every_allocation_failure(void **state) {
    (void)state;
    assert_true(failalloc_loop(flow_with, NULL, NULL) > 20);
}

static void a_failing_storage_call_leaves_the_dispute_as_it_was(void **state) {
    (void)state;
    test_fault_round fr;
    for (test_fault_start(&fr, &ledger); test_fault_next(&fr);) {
        fixture *f = &fr.l;
        archase_dispute d = dispute("D-1", "damaged_goods", 30000);
        assert_int_equal(archase_dispute_open(f->eng, f->policy, &d, D("2026-03-05")), 0);
        uint64_t before = test_audit_size(f->eng);
        archase_dispute_outcome o = ARCHASE_DISPUTE_OUTCOME_INIT;
        o.id = "D-1";
        o.resolution = ARCHASE_RESOLUTION_CREDIT_ISSUED;
        o.credited = (archase_money){ 30000, "EUR" };
        o.root_cause = "packaging";
        o.by = "lena";
        test_fault_arm(&fr);
        int rc = archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-09"), NULL, NULL);
        int failed = test_fault_disarm(&fr);
        seen s = standing(f, "2026-03-09");
        if (failed) {
            assert_int_not_equal(rc, 0);
            assert_int_equal(test_audit_size(f->eng), before);
            assert_int_equal(s.status, ARCHASE_DISPUTE_OPEN);
            assert_int_equal(test_open_amount(f, "INV-1"), 100000);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(s.status, ARCHASE_DISPUTE_RESOLVED);
            assert_int_equal(test_open_amount(f, "INV-1"), 70000);
        }
    }
}

static void a_failing_storage_call_opens_no_dispute(void **state) {
    (void)state;
    test_fault_round fr;
    for (test_fault_start(&fr, &ledger); test_fault_next(&fr);) {
        fixture *f = &fr.l;
        archase_dispute d = dispute("D-1", "pricing", 30000);
        uint64_t before = test_audit_size(f->eng);
        test_fault_arm(&fr);
        int rc = archase_dispute_open(f->eng, f->policy, &d, D("2026-03-05"));
        int failed = test_fault_disarm(&fr);
        seen s = standing(f, "2026-03-05");
        if (failed) {
            assert_int_not_equal(rc, 0);
            assert_int_equal(s.count, 0);
            assert_int_equal(test_audit_size(f->eng), before);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(s.count, 1);
            assert_int_equal(test_audit_size(f->eng), before + 2);
        }
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(invalid_disputes_are_refused_with_a_clear_error_and_nothing_written, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_partial_dispute_pauses_its_part_and_the_rest_is_still_chased, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(an_sla_reminds_once_before_and_escalates_once_after, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(the_cycle_report_counts_sla_items_in_its_outbox_totals, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(review_then_rejection_with_a_root_cause, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_credit_within_the_limit_is_issued_at_once, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_credit_above_the_limit_waits_for_its_approval, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(the_report_counts_by_reason_owner_age_and_root_cause, setup, test_ledger_teardown),
    cmocka_unit_test(disputes_survive_every_allocation_failure),
    cmocka_unit_test(a_failing_storage_call_leaves_the_dispute_as_it_was),
    cmocka_unit_test(a_failing_storage_call_opens_no_dispute),
};

AR_TEST_MAIN(tests)
