/* tests/test_cov_approval_votes.c — deciding on a request and carrying it
 * out, at their edges: each wrong argument of approve, reject and dispatch
 * (no engine, an id that is empty, too long or not UTF-8, no vote, a vote
 * of another version, an actor, role or reason that is blank or not UTF-8,
 * an open batch) refused with its code and message and nothing recorded;
 * a role the policy does not allow, with the allowed roles listed; a vote
 * on a request that lapsed and was swept, or already decided; the second
 * approval above materiality; a rejected request carried out. Refusals of
 * a decision are on record, refusals of its arguments are not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/approvalview.h"
#include "support/ledger.h"
#include "support/testutil.h"

static const char policy_text[] =
    TEST_POLICY_OWNER_ALERT_APPROVALS
    "  roles: [finance_lead, controller, cfo]\n"
    "  expiry_days: 5\n";

typedef struct fixture {
    archase_engine *eng;
    archase_policy *policy;
    archase_instant now;
    archase_clock   clock;
    char            id[ARCHASE_APPROVAL_ID_MAX];
} fixture;

static archase_instant fixed_now(void *userdata) {
    return *(archase_instant *)userdata;
}

static const char *const invoices[] = { "I1" };

/* A write-off of `minor` EUR of I1, asked for by anna. */
static void raise_write_off(fixture *f, int64_t minor, char id[ARCHASE_APPROVAL_ID_MAX]) {
    archase_approval_request r = ARCHASE_APPROVAL_REQUEST_INIT;
    r.action = ARCHASE_ACTION_WRITE_OFF;
    r.customer_id = "C1";
    r.invoice_ids = invoices;
    r.invoice_count = 1;
    r.amount = (archase_money){ minor, "EUR" };
    r.requester = "anna";
    r.justification = "customer insolvent, the administrator confirmed no dividend";
    r.customer_impact = "account closed; no further dunning";
    int created = 0;
    int rc = archase_approval_raise(f->eng, f->policy, &r, id, &created);
    if (rc)
        fail_msg("raise: %s", archase_engine_errmsg(f->eng));
    assert_int_equal(created, 1);
}

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->now = 1790812800; /* 2026-10-01T00:00:00Z */
    f->clock = (archase_clock){ ARCHASE_CLOCK_VERSION, &f->now, fixed_now };
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    o.clock = &f->clock;
    o.actor = "cycle";
    assert_int_equal(archase_open_memory(&o, &f->eng), 0);
    assert_int_equal(archase_policy_load_buffer(policy_text, strlen(policy_text), "p.yaml", NULL, &f->policy, NULL), 0);
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME";
    assert_int_equal(archase_customer_put(f->eng, &c, NULL), 0);
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = "I1";
    inv.customer_id = "C1";
    inv.issue_date = 20454;
    inv.due_date = 20484;
    inv.amount = (archase_money){ 500000, "EUR" };
    assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), 0);
    raise_write_off(f, 500000, f->id); /* above materiality: two approvals */
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    archase_engine_free(f->eng);
    archase_policy_free(f->policy);
    free(f);
    return 0;
}

typedef test_approval_view view;

static view view_of(fixture *f, const char *id) {
    return test_approval_view_get(f->eng, id);
}

static archase_approval_vote vote(const char *actor, const char *role) {
    archase_approval_vote v = ARCHASE_APPROVAL_VOTE_INIT;
    v.actor = actor;
    v.role = role;
    v.reason = "checked the administrator's letter";
    return v;
}

static void a_vote_with_a_wrong_argument_is_refused_and_not_recorded(void **state) {
    fixture *f = *state;
    uint64_t audit = test_audit_size(f->eng);
    archase_approval_vote v = vote("lena", "finance_lead");
    int status = -1;
    char long_id[80];
    memset(long_id, 'a', 65);
    long_id[65] = '\0';
    assert_int_equal(archase_approval_approve(NULL, f->id, &v, &status), ARCHASE_EINVAL);
    assert_int_equal(archase_approval_reject(NULL, f->id, &v, &status), ARCHASE_EINVAL);
    const char *bad_ids[] = { NULL, "", long_id, "req\xff" };
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
        assert_int_equal(archase_approval_approve(f->eng, bad_ids[i], &v, &status), ARCHASE_EINVAL);
        assert_string_equal(archase_engine_errmsg(f->eng), "a request id and a vote are needed");
    }
    assert_int_equal(archase_approval_approve(f->eng, f->id, NULL, &status), ARCHASE_EINVAL);
    v.version = 2;
    assert_int_equal(archase_approval_approve(f->eng, f->id, &v, &status), ARCHASE_EVERSION);
    assert_string_equal(archase_engine_errmsg(f->eng), "vote version 2 is not supported");
    const char *bad_texts[] = { NULL, "", "   ", "l\xc3", "\t\n" };
    for (size_t i = 0; i < sizeof bad_texts / sizeof bad_texts[0]; i++) {
        for (int field = 0; field < 3; field++) {
            v = vote("lena", "finance_lead");
            if (field == 0)
                v.actor = bad_texts[i];
            else if (field == 1)
                v.role = bad_texts[i];
            else
                v.reason = bad_texts[i];
            assert_int_equal(archase_approval_reject(f->eng, f->id, &v, &status), ARCHASE_EINVAL);
            assert_string_equal(archase_engine_errmsg(f->eng), "an approver's actor, role and reason are required");
        }
    }
    archase_batch *b = NULL;
    assert_int_equal(archase_batch_begin(f->eng, NULL, NULL, &b), 0);
    v = vote("lena", "finance_lead");
    assert_int_equal(archase_approval_approve(f->eng, f->id, &v, &status), ARCHASE_ESTATE);
    assert_string_equal(archase_engine_errmsg(f->eng), "a batch is open on this engine");
    assert_int_equal(archase_approval_dispatch(f->eng, f->id, "otto", NULL), ARCHASE_ESTATE);
    assert_string_equal(archase_engine_errmsg(f->eng), "a batch is open on this engine");
    archase_batch_free(b);
    assert_int_equal(status, -1);
    assert_int_equal(test_audit_size(f->eng), audit);
    view after = view_of(f, f->id);
    assert_int_equal(after.status, ARCHASE_APPROVAL_PENDING);
    assert_int_equal(after.votes, 0);
}

static void dispatch_with_a_wrong_argument_is_refused_and_not_recorded(void **state) {
    fixture *f = *state;
    uint64_t audit = test_audit_size(f->eng);
    char new_id[ARCHASE_APPROVAL_ID_MAX] = "untouched";
    assert_int_equal(archase_approval_dispatch(NULL, f->id, "otto", new_id), ARCHASE_EINVAL);
    assert_int_equal(archase_approval_dispatch(f->eng, NULL, "otto", new_id), ARCHASE_EINVAL);
    assert_string_equal(archase_engine_errmsg(f->eng), "a request id (and a valid actor) are needed");
    assert_int_equal(archase_approval_dispatch(f->eng, "", "otto", new_id), ARCHASE_EINVAL);
    assert_int_equal(archase_approval_dispatch(f->eng, f->id, "  ", new_id), ARCHASE_EINVAL);
    assert_int_equal(archase_approval_dispatch(f->eng, f->id, "o\xff", new_id), ARCHASE_EINVAL);
    assert_string_equal(new_id, "untouched");
    assert_int_equal(test_audit_size(f->eng), audit);
    /* Not approved yet: refused, and the refusal is on record. */
    assert_int_equal(archase_approval_dispatch(f->eng, f->id, NULL, new_id), ARCHASE_EDENIED);
    assert_int_equal(test_audit_size(f->eng), audit + 1);
    assert_int_equal(view_of(f, f->id).status, ARCHASE_APPROVAL_PENDING);
}

static void a_role_the_policy_does_not_allow_is_told_the_allowed_ones(void **state) {
    fixture *f = *state;
    uint64_t audit = test_audit_size(f->eng);
    archase_approval_vote v = vote("lena", "intern");
    assert_int_equal(archase_approval_approve(f->eng, f->id, &v, NULL), ARCHASE_EDENIED);
    char want[256];
    snprintf(want, sizeof want,
             "role 'intern' may not decide on request %s (the policy allows: finance_lead, controller, cfo)", f->id);
    assert_string_equal(archase_engine_errmsg(f->eng), want);
    assert_int_equal(test_audit_size(f->eng), audit + 1); /* the refusal is on record */
    assert_int_equal(view_of(f, f->id).votes, 0);
}

static void above_materiality_the_second_approval_approves(void **state) {
    fixture *f = *state;
    archase_approval_vote v = vote("lena", "finance_lead");
    int status = 0;
    assert_int_equal(archase_approval_approve(f->eng, f->id, &v, &status), 0);
    assert_int_equal(status, ARCHASE_APPROVAL_PENDING);
    view one = view_of(f, f->id);
    assert_int_equal(one.approvals, 1);
    assert_int_equal(one.required, 2);
    /* The same person again counts once. */
    assert_int_equal(archase_approval_approve(f->eng, f->id, &v, &status), ARCHASE_EDENIED);
    char want[200];
    snprintf(want, sizeof want, "lena already decided on request %s: one person counts once", f->id);
    assert_string_equal(archase_engine_errmsg(f->eng), want);
    v = vote("carl", "cfo");
    assert_int_equal(archase_approval_approve(f->eng, f->id, &v, &status), 0);
    assert_int_equal(status, ARCHASE_APPROVAL_APPROVED);
    /* Decided: a further vote is refused as not pending. */
    v = vote("otto", "controller");
    assert_int_equal(archase_approval_reject(f->eng, f->id, &v, &status), ARCHASE_ESTATE);
    snprintf(want, sizeof want, "request %s is approved, not pending", f->id);
    assert_string_equal(archase_engine_errmsg(f->eng), want);
    /* Carried out once. */
    assert_int_equal(archase_approval_dispatch(f->eng, f->id, "otto", NULL), 0);
    assert_int_equal(archase_approval_dispatch(f->eng, f->id, "otto", NULL), ARCHASE_ESTATE);
    assert_int_equal(view_of(f, f->id).status, ARCHASE_APPROVAL_DISPATCHED);
}

static void a_vote_on_a_swept_request_says_it_expired(void **state) {
    fixture *f = *state;
    f->now += 6 * 86400; /* five days to live */
    uint64_t swept = 0;
    assert_int_equal(archase_approvals_expire(f->eng, &swept), 0);
    assert_int_equal(swept, 1);
    archase_approval_vote v = vote("lena", "finance_lead");
    int status = 0;
    assert_int_equal(archase_approval_approve(f->eng, f->id, &v, &status), ARCHASE_EEXPIRED);
    char want[200];
    snprintf(want, sizeof want, "request %s is expired, not pending", f->id);
    assert_string_equal(archase_engine_errmsg(f->eng), want);
    assert_int_equal(archase_approval_dispatch(f->eng, f->id, NULL, NULL), ARCHASE_EEXPIRED);
    assert_int_equal(view_of(f, f->id).status, ARCHASE_APPROVAL_EXPIRED);
}

static void a_rejected_request_is_never_carried_out(void **state) {
    fixture *f = *state;
    archase_approval_vote v = vote("lena", "finance_lead");
    v.reason = "the administrator has not confirmed yet";
    int status = 0;
    assert_int_equal(archase_approval_reject(f->eng, f->id, &v, &status), 0);
    assert_int_equal(status, ARCHASE_APPROVAL_REJECTED);
    uint64_t audit = test_audit_size(f->eng);
    assert_int_equal(archase_approval_dispatch(f->eng, f->id, "otto", NULL), ARCHASE_EDENIED);
    assert_int_equal(test_audit_size(f->eng), audit + 1);
    assert_int_equal(view_of(f, f->id).status, ARCHASE_APPROVAL_REJECTED);
    /* No such request: refused, named. */
    assert_int_equal(archase_approval_approve(f->eng, "no-such-request", &v, &status), ARCHASE_ENOTFOUND);
    assert_string_equal(archase_engine_errmsg(f->eng), "no approval request 'no-such-request'");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(a_vote_with_a_wrong_argument_is_refused_and_not_recorded),
        T(dispatch_with_a_wrong_argument_is_refused_and_not_recorded),
        T(a_role_the_policy_does_not_allow_is_told_the_allowed_ones),
        T(above_materiality_the_second_approval_approves),
        T(a_vote_on_a_swept_request_says_it_expired),
        T(a_rejected_request_is_never_carried_out),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name(__FILE__, tests, NULL, NULL);
}
