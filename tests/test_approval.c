/* tests/test_approval.c — approval gating through the public API: the
 * policy's number of approvers (materiality, fast lane) and roles, the
 * requester who cannot approve, one person counting once, wrong roles,
 * expiry, an approval voided when the facts change, every way of carrying
 * out a sensitive action without an approval refused (with audit records),
 * a policy that cannot remove a built-in sensitive kind, the override sample,
 * and failures that change nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/approvalview.h"
#include "support/failalloc.h"
#include "support/faultstore.h"
#include "support/testutil.h"

#define DAY 86400

static const char policy_text[] =
    TEST_POLICY_OWNER_ALERT_APPROVALS
    "  roles: [finance_lead, controller]\n"
    "  expiry_days: 5\n"
    "  sensitive_actions: [escalate]\n"
    "  rules:\n"
    "    - action: credit_hold\n"
    "      roles: [controller]\n"
    "  fast_lane:\n"
    "    max_amount: [100 EUR]\n"
    "    approvers: 1\n"
    "    roles: [collections_manager]\n"
    "    expiry_hours: 24\n";

typedef struct fixture {
    archase_engine *eng;
    archase_policy *policy;
    archase_instant now;
    archase_clock   clock;
} fixture;

static archase_instant fixed_now(void *userdata) {
    return *(archase_instant *)userdata;
}

static int put_ledger(archase_engine *eng) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME";
    int rc = archase_customer_put(eng, &c, NULL);
    c.id = "C2";
    c.name = "Globex";
    if (!rc)
        rc = archase_customer_put(eng, &c, NULL);
    const char *ids[] = { "I1", "I2", "J1" };
    const char *customers[] = { "C1", "C1", "C2" };
    int64_t amounts[] = { 150000, 30000, 9000 };
    for (int i = 0; i < 3 && !rc; i++) {
        archase_invoice inv = ARCHASE_INVOICE_INIT;
        inv.id = ids[i];
        inv.customer_id = customers[i];
        inv.issue_date = 20454;
        inv.due_date = 20484;
        inv.amount = (archase_money){ amounts[i], "EUR" };
        rc = archase_invoice_put(eng, &inv, NULL);
    }
    return rc;
}

static int open_fixture(fixture *f, const archase_allocator *a, const archase_storage *storage) {
    f->now = 1790812800; /* 2026-10-01T00:00:00Z */
    f->clock = (archase_clock){ ARCHASE_CLOCK_VERSION, &f->now, fixed_now };
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    o.clock = &f->clock;
    o.actor = "cycle";
    o.allocator = a;
    archase_policy_options po = ARCHASE_POLICY_OPTIONS_INIT;
    po.allocator = a;
    int rc = storage ? archase_engine_open(storage, &o, &f->eng) : archase_open_memory(&o, &f->eng);
    if (!rc)
        rc = archase_policy_load_buffer(policy_text, strlen(policy_text), "p.yaml", &po, &f->policy, NULL);
    if (!rc)
        rc = put_ledger(f->eng);
    return rc;
}

static void close_fixture(fixture *f) {
    archase_engine_free(f->eng);
    archase_policy_free(f->policy);
}

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(open_fixture(f, NULL, NULL), 0);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    close_fixture(f);
    free(f);
    return 0;
}

static const char *const c1_invoices[] = { "I1" };

/* A write-off of I1 asked for by anna. */
static archase_approval_request write_off(int64_t minor) {
    archase_approval_request r = ARCHASE_APPROVAL_REQUEST_INIT;
    r.action = ARCHASE_ACTION_WRITE_OFF;
    r.customer_id = "C1";
    r.invoice_ids = c1_invoices;
    r.invoice_count = 1;
    r.amount = (archase_money){ minor, "EUR" };
    r.requester = "anna";
    r.requester_role = "collector";
    r.justification = "customer insolvent, the administrator confirmed no dividend";
    r.customer_impact = "account closed; no further dunning";
    return r;
}

static void raise_ok(fixture *f, const archase_approval_request *r, char id[ARCHASE_APPROVAL_ID_MAX]) {
    int created = -1;
    int rc = archase_approval_raise(f->eng, f->policy, r, id, &created);
    if (rc)
        fail_msg("raise: %s: %s", archase_error_name(rc), archase_engine_errmsg(f->eng));
    assert_int_equal(created, 1);
}

static int vote(fixture *f, const char *id, const char *actor, const char *role, int approve, int *status) {
    archase_approval_vote v = ARCHASE_APPROVAL_VOTE_INIT;
    v.actor = actor;
    v.role = role;
    v.reason = approve ? "checked the file; agreed" : "not convinced";
    return approve ? archase_approval_approve(f->eng, id, &v, status)
                   : archase_approval_reject(f->eng, id, &v, status);
}

/* A copy of what a request says. */
typedef test_approval_view seen;

static seen get(fixture *f, const char *id) {
    return test_approval_view_get(f->eng, id);
}

/* Audit records of a kind, counted in the export. */
typedef struct text {
    char  *data;
    size_t len, cap;
} text;

static int text_write(void *userdata, const void *data, size_t size) {
    text *t = userdata;
    if (t->len + size + 1 > t->cap) {
        size_t cap = (t->len + size + 1) * 2;
        char *p = realloc(t->data, cap);
        if (!p)
            return ARCHASE_ENOMEM;
        t->data = p;
        t->cap = cap;
    }
    memcpy(t->data + t->len, data, size);
    t->len += size;
    t->data[t->len] = '\0';
    return 0;
}

static int audit_count(fixture *f, const char *kind) {
    text t = { NULL, 0, 0 };
    char needle[64];
    int n = 0;
    assert_int_equal(archase_audit_export(f->eng, text_write, &t), 0);
    snprintf(needle, sizeof needle, "\"kind\":\"%s\"", kind);
    for (const char *p = t.data; (p = strstr(p, needle)) != NULL; p++)
        n++;
    free(t.data);
    return n;
}

static void assert_log_verifies(fixture *f) {
    archase_audit_report r;
    int rc = archase_audit_verify(f->eng, NULL, &r);
    if (rc)
        fail_msg("the audit log does not verify: %s", r.message);
}

/* ---- the policy's terms ------------------------------------------------------------------ */

static void above_materiality_two_eligible_people_approve_then_it_goes_out_once(void **state) {
    fixture *f = *state;
    char id[ARCHASE_APPROVAL_ID_MAX], replacement[ARCHASE_APPROVAL_ID_MAX];
    archase_approval_request r = write_off(150000);
    raise_ok(f, &r, id);
    assert_memory_equal(id, "APR-", 4);
    seen s = get(f, id);
    assert_int_equal(s.status, ARCHASE_APPROVAL_PENDING);
    assert_int_equal(s.required, 2);
    assert_string_equal(s.roles, "finance_lead,controller");
    assert_string_equal(s.rule, "approvals.rules[write_off]");
    assert_int_equal(s.expires, f->now + 5 * DAY);
    int status = 0;
    f->now += 3600;
    assert_int_equal(vote(f, id, "bob", "finance_lead", 1, &status), 0);
    assert_int_equal(status, ARCHASE_APPROVAL_PENDING);
    assert_int_equal(vote(f, id, "carol", "controller", 1, &status), 0);
    assert_int_equal(status, ARCHASE_APPROVAL_APPROVED);
    assert_int_equal(archase_approval_dispatch(f->eng, id, "anna", replacement), 0);
    assert_string_equal(replacement, "");
    s = get(f, id);
    assert_int_equal(s.status, ARCHASE_APPROVAL_DISPATCHED);
    assert_int_equal(s.approvals, 2);
    /* An approval is used once. */
    assert_int_equal(archase_approval_dispatch(f->eng, id, "anna", replacement), ARCHASE_ESTATE);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "already carried out"));
    assert_int_equal(audit_count(f, "approval_request"), 1);
    assert_int_equal(audit_count(f, "approval_decision"), 2);
    assert_int_equal(audit_count(f, "approval_dispatched"), 1);
    assert_int_equal(audit_count(f, "approval_refused"), 1);
    assert_log_verifies(f);
}

static void below_materiality_or_in_the_fast_lane_fewer_approve(void **state) {
    fixture *f = *state;
    char id[ARCHASE_APPROVAL_ID_MAX];
    archase_approval_request r = write_off(50000);
    raise_ok(f, &r, id);
    seen s = get(f, id);
    assert_int_equal(s.required, 1);
    assert_int_equal(s.fast_lane, 0);

    /* Small and of a low-risk kind: the fast lane's approvers, roles and expiry. */
    r = write_off(5000);
    raise_ok(f, &r, id);
    s = get(f, id);
    assert_int_equal(s.required, 1);
    assert_int_equal(s.fast_lane, 1);
    assert_string_equal(s.roles, "collections_manager");
    assert_string_equal(s.rule, "approvals.fast_lane");
    assert_int_equal(s.expires, f->now + 24 * 3600);

    /* A legal notice never takes the fast lane, however small. */
    r.action = ARCHASE_ACTION_LEGAL_NOTICE;
    raise_ok(f, &r, id);
    s = get(f, id);
    assert_int_equal(s.fast_lane, 0);
    assert_string_equal(s.roles, "finance_lead,controller");

    /* No amount stated counts as at or above materiality; a rule's roles are its own. */
    r = write_off(0);
    r.amount = (archase_money){ 0, "" };
    raise_ok(f, &r, id);
    assert_int_equal(get(f, id).required, 2);
    r.action = ARCHASE_ACTION_CREDIT_HOLD;
    raise_ok(f, &r, id);
    assert_string_equal(get(f, id).roles, "controller");
}

static void the_same_action_on_the_same_facts_is_one_request(void **state) {
    fixture *f = *state;
    char id[ARCHASE_APPROVAL_ID_MAX], again[ARCHASE_APPROVAL_ID_MAX];
    archase_approval_request r = write_off(150000);
    raise_ok(f, &r, id);
    int created = -1;
    const char *both[] = { "I1" };
    r.invoice_ids = both;
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, again, &created), 0);
    assert_int_equal(created, 0);
    assert_string_equal(again, id);
    /* Once rejected, asking again is a new request. */
    assert_int_equal(vote(f, id, "bob", "finance_lead", 0, NULL), 0);
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, again, &created), 0);
    assert_int_equal(created, 1);
    assert_string_not_equal(again, id);
    assert_int_equal(audit_count(f, "approval_request"), 2);
}

/* ---- refusals ----------------------------------------------------------------------------- */

static void the_requester_cannot_approve_their_own_request(void **state) {
    fixture *f = *state;
    char id[ARCHASE_APPROVAL_ID_MAX];
    archase_approval_request r = write_off(150000);
    raise_ok(f, &r, id);
    int status = 0;
    assert_int_equal(vote(f, id, "anna", "finance_lead", 1, &status), ARCHASE_EDENIED);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "separation of duties"));
    assert_int_equal(status, ARCHASE_APPROVAL_PENDING);
    assert_int_equal(get(f, id).approvals, 0);
    assert_int_equal(audit_count(f, "approval_refused"), 1);
}

static void one_person_counts_once(void **state) {
    fixture *f = *state;
    char id[ARCHASE_APPROVAL_ID_MAX];
    archase_approval_request r = write_off(150000);
    raise_ok(f, &r, id);
    assert_int_equal(vote(f, id, "bob", "finance_lead", 1, NULL), 0);
    assert_int_equal(vote(f, id, "bob", "controller", 1, NULL), ARCHASE_EDENIED);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "one person counts once"));
    seen s = get(f, id);
    assert_int_equal(s.status, ARCHASE_APPROVAL_PENDING);
    assert_int_equal(s.approvals, 1);
    assert_int_equal(audit_count(f, "approval_refused"), 1);
}

static void a_role_the_policy_does_not_allow_is_refused(void **state) {
    fixture *f = *state;
    char id[ARCHASE_APPROVAL_ID_MAX];
    archase_approval_request r = write_off(150000);
    r.action = ARCHASE_ACTION_CREDIT_HOLD;
    raise_ok(f, &r, id);
    assert_int_equal(vote(f, id, "bob", "finance_lead", 1, NULL), ARCHASE_EDENIED);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "the policy allows: controller"));
    assert_int_equal(vote(f, id, "dave", "intern", 0, NULL), ARCHASE_EDENIED);
    assert_int_equal(get(f, id).status, ARCHASE_APPROVAL_PENDING);
    assert_int_equal(audit_count(f, "approval_refused"), 2);
}

static void an_expired_request_is_neither_approved_nor_carried_out(void **state) {
    fixture *f = *state;
    char id[ARCHASE_APPROVAL_ID_MAX], other[ARCHASE_APPROVAL_ID_MAX];
    archase_approval_request r = write_off(150000);
    raise_ok(f, &r, id);
    f->now += 5 * DAY;
    assert_int_equal(vote(f, id, "bob", "finance_lead", 1, NULL), ARCHASE_EEXPIRED);
    seen s = get(f, id);
    assert_int_equal(s.status, ARCHASE_APPROVAL_EXPIRED);
    assert_int_equal(s.closed, f->now);
    assert_int_equal(archase_approval_dispatch(f->eng, id, NULL, NULL), ARCHASE_EEXPIRED);

    /* Approved, then left too long. */
    r = write_off(50000);
    raise_ok(f, &r, other);
    assert_int_equal(vote(f, other, "bob", "finance_lead", 1, NULL), 0);
    f->now += 5 * DAY + 1;
    assert_int_equal(archase_approval_dispatch(f->eng, other, "anna", NULL), ARCHASE_EEXPIRED);
    assert_int_equal(get(f, other).status, ARCHASE_APPROVAL_EXPIRED);
    assert_int_equal(audit_count(f, "approval_expired"), 2);
    assert_int_equal(audit_count(f, "approval_dispatched"), 0);
    assert_log_verifies(f);
}

static void lapsed_requests_are_swept(void **state) {
    fixture *f = *state;
    char a[ARCHASE_APPROVAL_ID_MAX], b[ARCHASE_APPROVAL_ID_MAX];
    archase_approval_request r = write_off(5000); /* fast lane: 24 hours */
    raise_ok(f, &r, a);
    r = write_off(150000); /* 5 days */
    raise_ok(f, &r, b);
    f->now += 2 * DAY;
    uint64_t n = 99;
    assert_int_equal(archase_approvals_expire(f->eng, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(get(f, a).status, ARCHASE_APPROVAL_EXPIRED);
    assert_int_equal(get(f, b).status, ARCHASE_APPROVAL_PENDING);
    seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(archase_approvals_scan(f->eng, ARCHASE_APPROVAL_PENDING, test_approval_see, &s), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.id, b);
}

static void a_change_to_the_facts_voids_the_approval_and_raises_a_new_request(void **state) {
    fixture *f = *state;
    char id[ARCHASE_APPROVAL_ID_MAX], replacement[ARCHASE_APPROVAL_ID_MAX];
    archase_approval_request r = write_off(150000);
    raise_ok(f, &r, id);
    assert_int_equal(vote(f, id, "bob", "finance_lead", 1, NULL), 0);
    assert_int_equal(vote(f, id, "carol", "controller", 1, NULL), 0);
    /* A payment arrives between the approval and the write-off. */
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = "P1";
    p.customer_id = "C1";
    p.invoice_id = "I1";
    p.date = 20490;
    p.amount = (archase_money){ 20000, "EUR" };
    assert_int_equal(archase_payment_put(f->eng, &p, NULL), 0);
    assert_int_equal(archase_approval_dispatch(f->eng, id, "anna", replacement), ARCHASE_EDENIED);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "it is void"));
    assert_string_not_equal(replacement, "");
    seen old = get(f, id), fresh = get(f, replacement);
    assert_int_equal(old.status, ARCHASE_APPROVAL_VOIDED);
    assert_string_equal(old.replaced_by, replacement);
    assert_int_equal(fresh.status, ARCHASE_APPROVAL_PENDING);
    assert_string_equal(fresh.replaces, id);
    assert_int_equal(fresh.approvals, 0);
    assert_int_equal(fresh.required, 2);
    /* The void one can never go out; the new one needs its own approvals. */
    assert_int_equal(archase_approval_dispatch(f->eng, id, "anna", NULL), ARCHASE_EDENIED);
    assert_int_equal(archase_approval_dispatch(f->eng, replacement, "anna", NULL), ARCHASE_EDENIED);
    assert_int_equal(audit_count(f, "approval_voided"), 1);

    /* The customer's state counts too: a hold set before the approval. */
    r = write_off(150000);
    r.invoice_ids = NULL;
    r.invoice_count = 0;
    raise_ok(f, &r, id);
    archase_customer_flags fl = ARCHASE_CUSTOMER_FLAGS_INIT;
    fl.customer_id = "C1";
    fl.hold = 1;
    assert_int_equal(archase_customer_flags_put(f->eng, &fl, NULL), 0);
    assert_int_equal(vote(f, id, "bob", "finance_lead", 1, NULL), ARCHASE_EDENIED);
    assert_int_equal(get(f, id).status, ARCHASE_APPROVAL_VOIDED);
    assert_log_verifies(f);
}

static void rejected_is_final(void **state) {
    fixture *f = *state;
    char id[ARCHASE_APPROVAL_ID_MAX];
    archase_approval_request r = write_off(150000);
    raise_ok(f, &r, id);
    int status = 0;
    assert_int_equal(vote(f, id, "bob", "finance_lead", 0, &status), 0);
    assert_int_equal(status, ARCHASE_APPROVAL_REJECTED);
    assert_int_equal(vote(f, id, "carol", "controller", 1, &status), ARCHASE_ESTATE);
    assert_int_equal(archase_approval_dispatch(f->eng, id, NULL, NULL), ARCHASE_EDENIED);
    assert_int_equal(get(f, id).status, ARCHASE_APPROVAL_REJECTED);
}

static void nothing_sensitive_goes_out_without_an_approval(void **state) {
    fixture *f = *state;
    char id[ARCHASE_APPROVAL_ID_MAX];
    archase_approval_request r = write_off(150000);
    raise_ok(f, &r, id);
    /* Not yet approved, half approved, unknown, refused approvals: each
     * attempt is refused and recorded, and the request stays pending. */
    assert_int_equal(archase_approval_dispatch(f->eng, id, "anna", NULL), ARCHASE_EDENIED);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "0 of 2 approvals"));
    assert_int_equal(vote(f, id, "bob", "finance_lead", 1, NULL), 0);
    assert_int_equal(archase_approval_dispatch(f->eng, id, "anna", NULL), ARCHASE_EDENIED);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "1 of 2 approvals"));
    assert_int_equal(vote(f, id, "anna", "controller", 1, NULL), ARCHASE_EDENIED);
    assert_int_equal(archase_approval_dispatch(f->eng, id, "anna", NULL), ARCHASE_EDENIED);
    assert_int_equal(archase_approval_dispatch(f->eng, "APR-000000000000", "anna", NULL), ARCHASE_ENOTFOUND);
    assert_int_equal(get(f, id).status, ARCHASE_APPROVAL_PENDING);
    assert_int_equal(audit_count(f, "approval_refused"), 5);
    assert_int_equal(audit_count(f, "approval_dispatched"), 0);
    assert_log_verifies(f);
}

/* ---- what the policy may not do --------------------------------------------------------------- */

static void a_policy_cannot_take_a_built_in_kind_off_the_sensitive_list(void **state) {
    fixture *f = *state;
    archase_diag_list *diags = NULL;
    archase_policy *p = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    static const char removing[] =
        "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\n"
        "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n"
        "approvals: {sensitive_actions: [\"-legal_notice\"]}\n";
    assert_int_equal(archase_policy_load_buffer(removing, strlen(removing), "p.yaml", NULL, &p, diags),
                     ARCHASE_EPOLICY);
    static const char zero[] =
        "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\n"
        "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n"
        "approvals: {rules: [{action: credit_hold, approvers_below: 0}]}\n";
    assert_int_equal(archase_policy_load_buffer(zero, strlen(zero), "p.yaml", NULL, &p, diags), ARCHASE_EPOLICY);
    assert_null(p);
    archase_diag_list_free(diags);

    /* A policy that says nothing about approvals still gates every built-in kind. */
    static const char silent[] =
        "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\n"
        "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n";
    assert_int_equal(archase_policy_load_buffer(silent, strlen(silent), "p.yaml", NULL, &p, NULL), 0);
    static const int kinds[] = { ARCHASE_ACTION_LEGAL_NOTICE, ARCHASE_ACTION_CREDIT_HOLD,
                                 ARCHASE_ACTION_SERVICE_SUSPENSION, ARCHASE_ACTION_WRITE_OFF,
                                 ARCHASE_ACTION_LATE_FEE, ARCHASE_ACTION_INTEREST,
                                 ARCHASE_ACTION_CREDIT_LIMIT_DECREASE, ARCHASE_ACTION_OVERRIDE };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        char id[ARCHASE_APPROVAL_ID_MAX];
        archase_approval_request r = write_off(150000);
        r.action = kinds[i];
        r.reason_code = "customer_relationship";
        r.detail = "hold off for the quarter";
        int rc = archase_approval_raise(f->eng, p, &r, id, NULL);
        if (rc)
            fail_msg("%s: %s", archase_action_name(kinds[i]), archase_engine_errmsg(f->eng));
        seen s = get(f, id);
        assert_true(s.required >= 1);
        assert_int_equal(archase_approval_dispatch(f->eng, id, "anna", NULL), ARCHASE_EDENIED);
    }
    /* ... and what is not sensitive has nothing to approve. */
    char id[ARCHASE_APPROVAL_ID_MAX];
    archase_approval_request r = write_off(150000);
    r.action = ARCHASE_ACTION_SEND_MESSAGE;
    assert_int_equal(archase_approval_raise(f->eng, p, &r, id, NULL), ARCHASE_EINVAL);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "needs no approval"));
    /* A kind the policy added is gated like the built-in ones. */
    r.action = ARCHASE_ACTION_ESCALATE;
    assert_int_equal(archase_approval_raise(f->eng, p, &r, id, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, id, NULL), 0);
    archase_policy_free(p);
}

static void a_request_needs_its_reasons_and_real_facts(void **state) {
    fixture *f = *state;
    char id[ARCHASE_APPROVAL_ID_MAX];
    archase_approval_request r = write_off(150000);
    r.justification = "because";
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, id, NULL), ARCHASE_EINVAL);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "justification of at least 20"));
    r = write_off(150000);
    r.customer_impact = "   ";
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, id, NULL), ARCHASE_EINVAL);
    r = write_off(150000);
    r.customer_id = "NOBODY";
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, id, NULL), ARCHASE_ENOTFOUND);
    static const char *const foreign[] = { "J1" };
    r = write_off(150000);
    r.invoice_ids = foreign;
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, id, NULL), ARCHASE_EINVAL);
    static const char *const twice[] = { "I1", "I1" };
    r = write_off(150000);
    r.invoice_ids = twice;
    r.invoice_count = 2;
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, id, NULL), ARCHASE_EINVAL);
    r = write_off(150000);
    r.amount.currency[0] = 'U', r.amount.currency[1] = 'S', r.amount.currency[2] = 'D';
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, id, NULL), ARCHASE_ECURRENCY);
    r = write_off(150000);
    r.action = ARCHASE_ACTION_OVERRIDE;
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, id, NULL), ARCHASE_EINVAL);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "reason code"));
    /* Nothing of it was written. */
    seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(archase_approvals_scan(f->eng, 0, test_approval_see, &s), 0);
    assert_int_equal(s.n, 0);
    assert_int_equal(audit_count(f, "approval_request"), 0);
}

/* ---- overrides --------------------------------------------------------------------------------- */

typedef struct picked {
    int  n;
    char ids[20][ARCHASE_APPROVAL_ID_MAX];
    int  actions[20];
} picked;

static int collect(void *userdata, const archase_approval_info *info) {
    picked *p = userdata;
    if (p->n < 20) {
        snprintf(p->ids[p->n], ARCHASE_APPROVAL_ID_MAX, "%s", info->id);
        p->actions[p->n] = info->action;
    }
    p->n++;
    return 0;
}

static void the_override_sample_is_the_same_for_the_same_seed(void **state) {
    fixture *f = *state;
    static const char *const codes[] = { "customer_relationship", "payment_arranged", "data_error" };
    /* 14 overrides in October, 3 in November, and a write-off in October. */
    for (int i = 0; i < 17; i++) {
        char id[ARCHASE_APPROVAL_ID_MAX], detail[64];
        archase_approval_request r = write_off(150000);
        r.action = ARCHASE_ACTION_OVERRIDE;
        r.reason_code = codes[i % 3];
        snprintf(detail, sizeof detail, "skip the d+30 step, case %d", i);
        r.detail = detail;
        f->now = 1790812800 + (i < 14 ? (archase_instant)i * DAY : (archase_instant)(31 + i) * DAY);
        raise_ok(f, &r, id);
    }
    char id[ARCHASE_APPROVAL_ID_MAX];
    archase_approval_request w = write_off(150000);
    f->now = 1790812800 + 3 * DAY;
    raise_ok(f, &w, id);

    archase_date from = 0, to = 0;
    assert_int_equal(archase_date_parse("2026-10-01", &from), 0);
    assert_int_equal(archase_date_parse("2026-10-31", &to), 0);
    char first[5][ARCHASE_APPROVAL_ID_MAX];
    for (int run = 0; run < 2; run++) {
        picked p;
        memset(&p, 0, sizeof p);
        assert_int_equal(archase_override_sample(f->eng, from, to, 5, 20261031, collect, &p), 0);
        assert_int_equal(p.n, 5);
        for (int i = 0; i < 5; i++) {
            assert_int_equal(p.actions[i], ARCHASE_ACTION_OVERRIDE);
            if (run == 0)
                memcpy(first[i], p.ids[i], ARCHASE_APPROVAL_ID_MAX);
            else
                assert_string_equal(first[i], p.ids[i]);
        }
    }
}

static void the_sample_takes_only_overrides_of_the_period(void **state) {
    fixture *f = *state;
    for (int i = 0; i < 6; i++) {
        char id[ARCHASE_APPROVAL_ID_MAX], detail[64];
        archase_approval_request r = write_off(150000);
        r.action = ARCHASE_ACTION_OVERRIDE;
        r.reason_code = "customer_relationship";
        snprintf(detail, sizeof detail, "change step, case %d", i);
        r.detail = detail;
        f->now = 1790812800 + (archase_instant)(i * 20) * DAY; /* Oct 1, Oct 21, Nov 10, ... */
        raise_ok(f, &r, id);
    }
    archase_date from = 0, to = 0;
    archase_date_parse("2026-10-01", &from);
    archase_date_parse("2026-10-31", &to);
    picked p, q;
    memset(&p, 0, sizeof p);
    memset(&q, 0, sizeof q);
    assert_int_equal(archase_override_sample(f->eng, from, to, 20, 1, collect, &p), 0);
    assert_int_equal(p.n, 2);
    assert_int_equal(archase_override_sample(f->eng, from, to, 20, 2, collect, &q), 0);
    assert_int_equal(q.n, 2);
    assert_int_equal(archase_override_sample(f->eng, to, from, 20, 1, collect, &q), ARCHASE_EINVAL);
    /* An override goes out under its own audit kind. */
    char id[ARCHASE_APPROVAL_ID_MAX];
    archase_approval_request r = write_off(150000);
    r.action = ARCHASE_ACTION_OVERRIDE;
    r.reason_code = "payment_arranged";
    r.detail = "skip the d+30 reminder for I1";
    raise_ok(f, &r, id);
    assert_int_equal(vote(f, id, "bob", "finance_lead", 1, NULL), 0);
    assert_int_equal(vote(f, id, "carol", "controller", 1, NULL), 0);
    assert_int_equal(archase_approval_dispatch(f->eng, id, "anna", NULL), 0);
    assert_int_equal(audit_count(f, "override"), 1);
}

/* ---- failures ------------------------------------------------------------------------------------ */

static int flow_with(const archase_allocator *a, void *ctx) {
    (void)ctx;
    fixture f;
    memset(&f, 0, sizeof f);
    char id[ARCHASE_APPROVAL_ID_MAX];
    int rc = open_fixture(&f, a, NULL);
    archase_approval_request r = write_off(150000);
    if (!rc)
        rc = archase_approval_raise(f.eng, f.policy, &r, id, NULL);
    if (!rc)
        rc = vote(&f, id, "bob", "finance_lead", 1, NULL);
    if (!rc) {
        /* A refused attempt allocates too, and must leave nothing half-written. */
        int refused = vote(&f, id, "anna", "controller", 1, NULL);
        if (refused != ARCHASE_EDENIED)
            rc = refused;
    }
    if (!rc)
        rc = vote(&f, id, "carol", "controller", 1, NULL);
    if (!rc)
        rc = archase_approval_dispatch(f.eng, id, "anna", NULL);
    close_fixture(&f);
    return rc;
}

static void the_approval_path_survives_every_allocation_failure(void **state) {
    (void)state;
    assert_true(failalloc_loop(flow_with, NULL, NULL) > 20);
}

static void a_failing_storage_call_leaves_the_request_as_it_was(void **state) {
    (void)state;
    for (size_t n = 1;; n++) {
        archase_storage inner, wrapped;
        assert_int_equal(archase_memory_storage_new(NULL, &inner), 0);
        faultstore *fs = test_malloc(sizeof *fs);
        faultstore_wrap(fs, &inner, 0, &wrapped);
        fixture f;
        memset(&f, 0, sizeof f);
        char id[ARCHASE_APPROVAL_ID_MAX];
        assert_int_equal(open_fixture(&f, NULL, &wrapped), 0);
        archase_approval_request r = write_off(150000);
        assert_int_equal(archase_approval_raise(f.eng, f.policy, &r, id, NULL), 0);
        uint64_t before = 0, after = 0;
        assert_int_equal(archase_audit_size(f.eng, &before), 0);
        fs->fail_at = fs->calls + n;
        int rc = vote(&f, id, "bob", "finance_lead", 1, NULL);
        int failed = fs->failures > 0;
        fs->fail_at = 0;
        assert_int_equal(archase_audit_size(f.eng, &after), 0);
        seen s = get(&f, id);
        if (failed) {
            assert_int_equal(rc, ARCHASE_ESTORAGE);
            assert_int_equal(after, before);
            assert_int_equal(s.approvals, 0);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(after, before + 1);
            assert_int_equal(s.approvals, 1);
        }
        archase_audit_report report;
        assert_int_equal(archase_audit_verify(f.eng, NULL, &report), 0);
        close_fixture(&f);
        test_free(fs);
        if (!failed) {
            assert_true(n > 3);
            break;
        }
    }
}

static void arguments_are_checked(void **state) {
    fixture *f = *state;
    char id[ARCHASE_APPROVAL_ID_MAX];
    archase_approval_request r = write_off(150000);
    assert_int_equal(archase_approval_raise(NULL, f->policy, &r, id, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_approval_raise(f->eng, NULL, &r, id, NULL), ARCHASE_EINVAL);
    r.version = 7;
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, id, NULL), ARCHASE_EVERSION);
    archase_approval_vote v = ARCHASE_APPROVAL_VOTE_INIT;
    v.actor = "bob";
    v.role = "finance_lead";
    assert_int_equal(archase_approval_approve(f->eng, "APR-x", &v, NULL), ARCHASE_EINVAL); /* no reason */
    v.reason = "ok";
    assert_int_equal(archase_approval_approve(f->eng, "", &v, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_approval_approve(f->eng, "APR-x", &v, NULL), ARCHASE_ENOTFOUND);
    assert_int_equal(archase_approvals_scan(f->eng, 99, test_approval_see, NULL), ARCHASE_EINVAL);
    assert_string_equal(archase_approval_status_name(ARCHASE_APPROVAL_VOIDED), "voided");
    assert_null(archase_approval_status_name(0));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

static const struct CMUnitTest tests[] = {
    T(above_materiality_two_eligible_people_approve_then_it_goes_out_once),
    T(below_materiality_or_in_the_fast_lane_fewer_approve),
    T(the_same_action_on_the_same_facts_is_one_request),
    T(the_requester_cannot_approve_their_own_request),
    T(one_person_counts_once),
    T(a_role_the_policy_does_not_allow_is_refused),
    T(an_expired_request_is_neither_approved_nor_carried_out),
    T(lapsed_requests_are_swept),
    T(a_change_to_the_facts_voids_the_approval_and_raises_a_new_request),
    T(rejected_is_final),
    T(nothing_sensitive_goes_out_without_an_approval),
    T(a_policy_cannot_take_a_built_in_kind_off_the_sensitive_list),
    T(a_request_needs_its_reasons_and_real_facts),
    T(the_override_sample_is_the_same_for_the_same_seed),
    T(the_sample_takes_only_overrides_of_the_period),
    cmocka_unit_test(the_approval_path_survives_every_allocation_failure),
    cmocka_unit_test(a_failing_storage_call_leaves_the_request_as_it_was),
    T(arguments_are_checked),
};

AR_TEST_MAIN(tests)
