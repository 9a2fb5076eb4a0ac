/* tests/test_cov_internal_routes.c — the built-in text of internal routes
 * the cycle writes when no template is named: an owner alert and an
 * escalation (with its recovery plan request and decision deadline), each
 * with the customer, the owner, the invoices, the reasons, the rule, the
 * risk score and every fact the decision used; and the subject line that
 * sums it up. A route written before the policy made its action sensitive
 * is not sent without an approval. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/testutil.h"

#define DAY0 20484 /* 2026-01-31 */

static const char policy_text[] =
    "version: 1\n"
    "currency: {default: EUR}\n"
    "segments: [{name: all, sequence: standard}]\n"
    "sequences:\n"
    "  standard:\n"
    "    roll: none\n"
    "    steps:\n"
    "      - {offset: 1, action: alert_owner, when: \"not disputed and not strategic\"}\n"
    "escalation:\n"
    "  rules:\n"
    "    - {name: large, when: \"open_amount >= 1000 EUR\", notify: [finance_lead], decision_deadline_days: 3}\n"
    "call_queue: {enabled: false}\n"
    "guardrails:\n"
    "  send_window: {start: \"00:00\", end: \"23:59\", days: [mon, tue, wed, thu, fri, sat, sun]}\n"
    "  business_days_only: false\n"
    "  timezone: UTC\n"
    "payment_patterns: {enabled: false}\n";

typedef struct route {
    int  kind;
    char subject[256];
    char body[2048];
} route;

typedef struct routes {
    route r[8];
    int   n;
} routes;

static int take_route(void *ud, const archase_outbox_item *it) {
    routes *rs = ud;
    if (it->channel != ARCHASE_CHANNEL_INTERNAL || rs->n == 8)
        return 0;
    route *r = &rs->r[rs->n++];
    r->kind = it->kind;
    snprintf(r->subject, sizeof r->subject, "%s", it->subject ? it->subject : "");
    snprintf(r->body, sizeof r->body, "%s", it->body ? it->body : "");
    return 0;
}

static const route *route_of(const routes *rs, int kind) {
    for (int i = 0; i < rs->n; i++)
        if (rs->r[i].kind == kind)
            return &rs->r[i];
    fail_msg("no route of kind %d", kind);
    return NULL;
}

static archase_policy *load(const char *text) {
    archase_policy *policy = NULL;
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 4, &diags), 0);
    if (archase_policy_load_buffer(text, strlen(text), "p.yaml", NULL, &policy, diags))
        fail_msg("%s", archase_diag_list_get(diags, 0)->message);
    archase_diag_list_free(diags);
    return policy;
}

/* ACME (owner kim) with one invoice of 2500 EUR due DAY0, and the cycle of
 * the next day: an owner alert and an escalation. */
static archase_engine *open_ledger(const archase_policy *policy, archase_cycle_report *rep) {
    archase_engine *eng = NULL;
    assert_int_equal(archase_open_memory(NULL, &eng), 0);
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME";
    c.owner = "kim";
    assert_int_equal(archase_customer_put(eng, &c, NULL), 0);
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = "I1";
    inv.customer_id = "C1";
    inv.number = "N-1";
    inv.issue_date = DAY0 - 30;
    inv.due_date = DAY0;
    inv.amount = (archase_money){ 250000, "EUR" };
    assert_int_equal(archase_invoice_put(eng, &inv, NULL), 0);
    archase_cycle_options co = ARCHASE_CYCLE_OPTIONS_INIT;
    co.dispatch = 0;
    memset(rep, 0, sizeof *rep);
    rep->version = ARCHASE_CYCLE_REPORT_VERSION;
    if (archase_run_cycle(eng, policy, DAY0 + 1, &co, rep))
        fail_msg("%s", archase_engine_errmsg(eng));
    return eng;
}

static void the_built_in_text_names_everything_the_decision_used(void **state) {
    (void)state;
    archase_policy *policy = load(policy_text);
    archase_cycle_report rep;
    archase_engine *eng = open_ledger(policy, &rep);
    routes rs;
    memset(&rs, 0, sizeof rs);
    assert_int_equal(archase_outbox_scan(eng, 0, take_route, &rs), 0);
    assert_int_equal(rs.n, 2);
    const route *alert = route_of(&rs, ARCHASE_DECISION_ALERT_OWNER);
    assert_string_equal(alert->subject, "Owner alert: ACME (C1), 1 invoice, 2500.00 EUR");
    assert_string_equal(alert->body,
                        "Owner alert for ACME (C1)\n"
                        "owner: kim\n"
                        "decide by: 2026-02-01\n"
                        "amount: 2500.00 EUR\n"
                        "invoices:\n"
                        "- I1 (N-1) due 2026-01-31, 2500.00 EUR open, 1 day overdue\n"
                        "reasons: step_due\n"
                        "rule: sequences.standard.steps[d+1]\n"
                        "risk score: 0\n"
                        "fact days_overdue [I1]: 1\n"
                        "fact open_amount [I1]: 2500.00 EUR\n"
                        "fact due_date [I1]: 2026-01-31\n"
                        "fact step [I1]: d+1\n"
                        "fact step_date [I1]: 2026-02-01\n"
                        "fact segment: all\n"
                        "fact risk_score: 0\n");
    /* The escalation goes to the role it notifies, decided within three days,
     * with a recovery plan asked for and the invoice it is about. */
    const route *esc = route_of(&rs, ARCHASE_DECISION_ESCALATE);
    assert_string_equal(esc->subject, "Escalation: ACME (C1), 1 invoice, 2500.00 EUR");
    assert_string_equal(esc->body,
                        "Escalation for ACME (C1)\n"
                        "owner: finance_lead\n"
                        "decide by: 2026-02-04\n"
                        "amount: 2500.00 EUR\n"
                        "invoices:\n"
                        "- I1 (N-1) due 2026-01-31, 2500.00 EUR open, 1 day overdue\n"
                        "reasons: escalation_rule missing_po\n"
                        "rule: escalation.rules[large]\n"
                        "risk score: 0\n"
                        "a recovery plan is asked for\n"
                        "fact days_overdue [I1]: 1\n"
                        "fact open_amount [I1]: 2500.00 EUR\n"
                        "fact due_date [I1]: 2026-01-31\n"
                        "fact segment: all\n"
                        "fact risk_score: 0\n"
                        "fact decision_deadline: 2026-02-04\n"
                        "fact open_invoice [I1]: 2500.00 EUR (N-1)\n"
                        "fact paid_invoices: 0\n");
    assert_int_equal(rep.internal_routes, 2);
    archase_policy_free(policy);
    archase_engine_free(eng);
}


static int count_sends(void *ud, const archase_message *m, int *result, char *detail, size_t size) {
    (void)detail, (void)size;
    int *sent = ud;
    sent[m->kind]++;
    *result = ARCHASE_SEND_SENT;
    return 0;
}

static int status_of_kind(void *ud, const archase_outbox_item *it) {
    int *status = ud;
    status[it->kind] = it->status;
    return 0;
}

/* Written under a policy where escalations go out freely, dispatched under
 * one that made them sensitive: without an approval it is not sent. */
static void a_route_a_newer_policy_made_sensitive_is_not_sent_without_approval(void **state) {
    (void)state;
    archase_policy *policy = load(policy_text);
    char stricter[sizeof policy_text + 64];
    snprintf(stricter, sizeof stricter, "%sapprovals: {sensitive_actions: [escalate]}\n", policy_text);
    archase_policy *newer = load(stricter);
    archase_cycle_report rep;
    archase_engine *eng = open_ledger(policy, &rep);
    int sent[16] = { 0 };
    archase_transport t = { ARCHASE_TRANSPORT_VERSION, sent, count_sends, NULL, NULL };
    assert_int_equal(archase_engine_set_transport(eng, &t), 0);
    uint64_t audit = 0, audit_after = 0;
    assert_int_equal(archase_audit_size(eng, &audit), 0);
    archase_dispatch_options o = ARCHASE_DISPATCH_OPTIONS_INIT;
    o.policy = newer;
    archase_dispatch_report dr = ARCHASE_DISPATCH_REPORT_INIT;
    assert_int_equal(archase_dispatch(eng, &o, &dr), 0);
    assert_int_equal(dr.claimed, 2);
    assert_int_equal(dr.refused, 1);
    assert_int_equal(dr.sent, 1);
    assert_int_equal(sent[ARCHASE_DECISION_ESCALATE], 0);
    assert_int_equal(sent[ARCHASE_DECISION_ALERT_OWNER], 1);
    int status[16] = { 0 };
    assert_int_equal(archase_outbox_scan(eng, 0, status_of_kind, status), 0);
    assert_int_equal(status[ARCHASE_DECISION_ESCALATE], ARCHASE_OUTBOX_CANCELLED);
    assert_int_equal(status[ARCHASE_DECISION_ALERT_OWNER], ARCHASE_OUTBOX_SENT);
    /* Each transition and the refusal are on record. */
    assert_int_equal(archase_audit_size(eng, &audit_after), 0);
    assert_true(audit_after >= audit + 3);
    archase_engine_free(eng);
    archase_policy_free(newer);
    archase_policy_free(policy);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_built_in_text_names_everything_the_decision_used),
        cmocka_unit_test(a_route_a_newer_policy_made_sensitive_is_not_sent_without_approval),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name(__FILE__, tests, NULL, NULL);
}
