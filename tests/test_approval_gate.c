/* tests/test_approval_gate.c — the hooks the daily cycle calls, driven by a
 * real evaluation: a sensitive step comes out as a request for approval
 * (never as something to send), becomes one request however often the cycle
 * runs, and the single gate lets it through only approved, unexpired and
 * bound to the current facts; a sensitive action without a request never
 * passes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "archase/evaluate.h"
#include "engine/approval.h"
#include "engine/engine.h"
#include "support/testutil.h"

static const char policy_text[] =
    "version: 1\n"
    "currency: {default: EUR}\n"
    "segments: [{name: all, sequence: s}]\n"
    "sequences:\n"
    "  s:\n"
    "    steps:\n"
    "      - {offset: 1, action: alert_owner}\n"
    "      - {id: hold, offset: 10, action: credit_hold}\n"
    "approvals:\n"
    "  materiality: [1000 EUR]\n"
    "  roles: [finance_lead, controller]\n";

typedef struct fixture {
    archase_engine *eng;
    archase_policy *policy;
    archase_instant now;
    archase_clock   clock;
    archase_snapshot  *snap;
    archase_decisions *ds;
} fixture;

static archase_instant fixed_now(void *userdata) {
    return *(archase_instant *)userdata;
}

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    f->now = 1770681600; /* 2026-02-10T00:00:00Z */
    f->clock = (archase_clock){ ARCHASE_CLOCK_VERSION, &f->now, fixed_now };
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    o.clock = &f->clock;
    o.actor = "cycle";
    assert_int_equal(archase_open_memory(&o, &f->eng), 0);
    assert_int_equal(archase_policy_load_buffer(policy_text, strlen(policy_text), "p.yaml", NULL, &f->policy, NULL), 0);
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME";
    c.owner = "olga";
    assert_int_equal(archase_customer_put(f->eng, &c, NULL), 0);
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = "I1";
    inv.customer_id = "C1";
    inv.issue_date = 20454; /* 2026-01-01 */
    inv.due_date = 20484;   /* 2026-01-31 */
    inv.amount = (archase_money){ 250000, "EUR" };
    assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), 0);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    archase_decisions_free(f->ds);
    archase_snapshot_free(f->snap);
    archase_engine_free(f->eng);
    archase_policy_free(f->policy);
    free(f);
    return 0;
}

/* Evaluates as of 2026-02-10 (f->ds) and returns the index of the approval decision. */
static size_t evaluate(fixture *f) {
    size_t found = SIZE_MAX;
    size_t *index = &found;
    archase_decisions_free(f->ds);
    archase_snapshot_free(f->snap);
    f->ds = NULL;
    f->snap = NULL;
    archase_snapshot *snap = NULL;
    archase_decisions *ds = NULL;
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = f->policy;
    archase_date as_of = 20494;
    int rc = archase_snapshot_load(f->eng, as_of, &so, &snap);
    if (rc)
        fail_msg("snapshot: %s", archase_engine_errmsg(f->eng));
    assert_int_equal(archase_evaluate(snap, f->policy, as_of, NULL, &ds), 0);
    /* The decisions point into the snapshot: keep it with them. */
    *index = SIZE_MAX;
    for (size_t i = 0; i < archase_decisions_count(ds); i++) {
        archase_decision d = ARCHASE_DECISION_INIT;
        assert_int_equal(archase_decision_get(ds, i, &d), 0);
        /* A sensitive action never comes out as something to carry out. */
        if (d.action == ARCHASE_ACTION_CREDIT_HOLD) {
            assert_int_equal(d.kind, ARCHASE_DECISION_REQUEST_APPROVAL);
            *index = i;
        }
    }
    assert_true(*index != SIZE_MAX);
    f->snap = snap;
    f->ds = ds;
    return found;
}

/* Runs the cycle's part: raise the request of the approval decision in one
 * transaction, as the daily cycle does. */
static int raise_in_cycle(fixture *f, size_t i, char id[ARCHASE_APPROVAL_ID_MAX], int *created) {
    int rc = ar_txn_begin(f->eng);
    if (!rc)
        rc = ar_approval_raise_decision(f->eng, f->policy, f->ds, i, id, created);
    if (!rc)
        return ar_txn_commit(f->eng);
    ar_txn_rollback(f->eng);
    return rc;
}

/* The gate for `id` in a transaction of its own, committed either way. */
static int gate(fixture *f, int action, const char *id, ar_gate_outcome *out) {
    archase_money amount = { 250000, "EUR" };
    assert_int_equal(ar_txn_begin(f->eng), 0);
    int rc = ar_approval_gate(f->eng, f->policy, action, &amount, id, NULL, 0, out);
    int crc = ar_txn_commit(f->eng);
    assert_int_equal(crc, 0);
    return rc;
}

static int approve(fixture *f, const char *id, const char *actor, const char *role) {
    archase_approval_vote v = ARCHASE_APPROVAL_VOTE_INIT;
    v.actor = actor;
    v.role = role;
    v.reason = "the customer ignored four reminders";
    return archase_approval_approve(f->eng, id, &v, NULL);
}

typedef struct seen {
    int      status;
    uint32_t required;
    char     requester[32];
    char     replaced_by[ARCHASE_APPROVAL_ID_MAX];
} seen;

static int see(void *userdata, const archase_approval_info *info) {
    seen *s = userdata;
    s->status = info->status;
    s->required = info->approvals_required;
    snprintf(s->requester, sizeof s->requester, "%s", info->requester);
    snprintf(s->replaced_by, sizeof s->replaced_by, "%s", info->replaced_by ? info->replaced_by : "");
    return 0;
}

static seen get(fixture *f, const char *id) {
    seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(archase_approval_get(f->eng, id, see, &s), 0);
    return s;
}

static void a_sensitive_step_becomes_one_request_however_often_the_cycle_runs(void **state) {
    fixture *f = *state;
    char id[ARCHASE_APPROVAL_ID_MAX], again[ARCHASE_APPROVAL_ID_MAX];
    int created = -1;
    size_t i = evaluate(f);
    assert_int_equal(raise_in_cycle(f, i, id, &created), 0);
    assert_int_equal(created, 1);
    seen s = get(f, id);
    assert_int_equal(s.status, ARCHASE_APPROVAL_PENDING);
    assert_int_equal(s.required, 2); /* 2,500.00 EUR: above materiality */
    assert_string_equal(s.requester, "cycle");
    /* The next run decides the same on the same facts: the same request. */
    i = evaluate(f);
    assert_int_equal(raise_in_cycle(f, i, again, &created), 0);
    assert_int_equal(created, 0);
    assert_string_equal(again, id);
}

static void the_gate_passes_only_an_approved_request_on_unchanged_facts(void **state) {
    fixture *f = *state;
    char id[ARCHASE_APPROVAL_ID_MAX];
    ar_gate_outcome out;
    size_t i = evaluate(f);
    assert_int_equal(raise_in_cycle(f, i, id, NULL), 0);
    /* Nothing sensitive passes without a request, or with one not approved. */
    assert_int_equal(gate(f, ARCHASE_ACTION_CREDIT_HOLD, NULL, &out), ARCHASE_EDENIED);
    assert_int_equal(gate(f, ARCHASE_ACTION_CREDIT_HOLD, id, &out), ARCHASE_EDENIED);
    assert_int_equal(approve(f, id, "bob", "finance_lead"), 0);
    assert_int_equal(gate(f, ARCHASE_ACTION_CREDIT_HOLD, id, &out), ARCHASE_EDENIED);
    assert_int_equal(approve(f, id, "cycle", "controller"), ARCHASE_EDENIED); /* the requester */
    assert_int_equal(approve(f, id, "carol", "controller"), 0);
    /* Approved: it passes, once. */
    assert_int_equal(gate(f, ARCHASE_ACTION_CREDIT_HOLD, id, &out), 0);
    assert_int_equal(out.status, ARCHASE_APPROVAL_APPROVED);
    assert_int_equal(ar_txn_begin(f->eng), 0);
    assert_int_equal(ar_approval_mark_dispatched(f->eng, id, NULL), 0);
    assert_int_equal(ar_txn_commit(f->eng), 0);
    assert_int_equal(gate(f, ARCHASE_ACTION_CREDIT_HOLD, id, &out), ARCHASE_ESTATE);
    /* What is not sensitive needs no request. */
    assert_int_equal(gate(f, ARCHASE_ACTION_SEND_MESSAGE, NULL, &out), 0);
    archase_audit_report r;
    assert_int_equal(archase_audit_verify(f->eng, NULL, &r), 0);
}

static void facts_changed_before_dispatch_void_the_approval(void **state) {
    fixture *f = *state;
    char id[ARCHASE_APPROVAL_ID_MAX];
    ar_gate_outcome out;
    size_t i = evaluate(f);
    assert_int_equal(raise_in_cycle(f, i, id, NULL), 0);
    assert_int_equal(approve(f, id, "bob", "finance_lead"), 0);
    assert_int_equal(approve(f, id, "carol", "controller"), 0);
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = "P1";
    p.customer_id = "C1";
    p.invoice_id = "I1";
    p.date = 20493;
    p.amount = (archase_money){ 100000, "EUR" };
    assert_int_equal(archase_payment_put(f->eng, &p, NULL), 0);
    assert_int_equal(gate(f, ARCHASE_ACTION_CREDIT_HOLD, id, &out), ARCHASE_EDENIED);
    assert_string_not_equal(out.new_id, "");
    assert_int_equal(get(f, id).status, ARCHASE_APPROVAL_VOIDED);
    assert_string_equal(get(f, id).replaced_by, out.new_id);
    assert_int_equal(get(f, out.new_id).status, ARCHASE_APPROVAL_PENDING);
    /* The payload the cycle passes is checked the same way. */
    char fresh[ARCHASE_APPROVAL_ID_MAX];
    memcpy(fresh, out.new_id, sizeof fresh);
    assert_int_equal(approve(f, fresh, "bob", "finance_lead"), 0);
    assert_int_equal(approve(f, fresh, "carol", "controller"), 0);
    assert_int_equal(ar_txn_begin(f->eng), 0);
    assert_int_equal(ar_approval_check_dispatch(f->eng, fresh, "\x0a\x00\x01\x00\x00", 5, NULL, &out),
                     ARCHASE_EDENIED);
    assert_int_equal(get(f, fresh).status, ARCHASE_APPROVAL_VOIDED);
    assert_string_equal(out.new_id, ""); /* the store's facts are those it was raised on */
    assert_int_equal(ar_txn_commit(f->eng), 0);
}

static void an_expired_request_does_not_pass_the_gate(void **state) {
    fixture *f = *state;
    char id[ARCHASE_APPROVAL_ID_MAX];
    ar_gate_outcome out;
    size_t i = evaluate(f);
    assert_int_equal(raise_in_cycle(f, i, id, NULL), 0);
    assert_int_equal(approve(f, id, "bob", "finance_lead"), 0);
    assert_int_equal(approve(f, id, "carol", "controller"), 0);
    f->now += 7 * 86400; /* the policy's default expiry */
    assert_int_equal(gate(f, ARCHASE_ACTION_CREDIT_HOLD, id, &out), ARCHASE_EEXPIRED);
    assert_int_equal(out.status, ARCHASE_APPROVAL_EXPIRED);
}

static void built_in_kinds_are_gated_even_without_a_policy(void **state) {
    (void)state;
    archase_money amount = { 1, "EUR" };
    for (int a = 1; a <= ARCHASE_ACTION_MAX; a++) {
        int expected = archase_action_is_sensitive(a);
        assert_int_equal(ar_approval_needed(NULL, a, &amount), expected);
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(a_sensitive_step_becomes_one_request_however_often_the_cycle_runs, setup, teardown),
    cmocka_unit_test_setup_teardown(the_gate_passes_only_an_approved_request_on_unchanged_facts, setup, teardown),
    cmocka_unit_test_setup_teardown(facts_changed_before_dispatch_void_the_approval, setup, teardown),
    cmocka_unit_test_setup_teardown(an_expired_request_does_not_pass_the_gate, setup, teardown),
    cmocka_unit_test(built_in_kinds_are_gated_even_without_a_policy),
};

AR_TEST_MAIN(tests)
