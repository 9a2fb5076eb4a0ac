/* tests/test_evaluate.c — evaluation through the public API: a small ledger
 * in the memory store, a policy, one day, and what was decided and why. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/failalloc.h"
#include "support/testutil.h"

static const char base_policy[] =
    "version: 1\n"
    "name: Test\n"
    "currency: {default: EUR, accepted: [EUR, USD]}\n"
    "segments:\n"
    "  - {name: big, when: open_amount >= 50000 EUR, sequence: big}\n"
    "  - {name: standard, sequence: standard}\n"
    "sequences:\n"
    "  standard:\n"
    "    roll: none\n"
    "    steps:\n"
    "      - {offset: -3, channel: email, template: due_soon}\n"
    "      - {offset: 7, channel: email, template: overdue}\n"
    "      - {offset: 21, action: queue_call, template: call_script}\n"
    "      - {offset: 45, action: legal_notice, channel: letter, template: legal}\n"
    "  big:\n"
    "    roll: none\n"
    "    steps:\n"
    "      - {offset: 1, action: alert_owner}\n"
    "escalation:\n"
    "  rules:\n"
    "    - {name: very_late, when: days_overdue > 60, notify: [account_owner, finance_lead]}\n"
    "call_queue: {enabled: false}\n"
    "guardrails:\n"
    "  max_touches_per_7_days: 3\n"
    "  min_days_between_touches: 0\n"
    "  quiet_hours: {start: \"20:00\", end: \"08:00\"}\n"
    "  send_window: {start: \"09:00\", end: \"17:00\", days: [mon, tue, wed, thu, fri, sat, sun]}\n"
    "  business_days_only: false\n"
    "  timezone: Europe/Berlin\n"
    "payment_patterns: {enabled: false}\n"
    "templates:\n"
    "  definitions:\n"
    "    due_soon: {stage: pre_due, tone: friendly, email: {en: {subject: \"Due\", body: \"Hi {{ customer.name }}\"}}}\n"
    "    overdue: {stage: overdue, tone: firm, email: {en: {subject: \"Overdue\", body: \"{{ totals.open_amount }}\"}}}\n"
    "    overdue_soft: {stage: overdue, tone: friendly, email: {en: {subject: \"Overdue\", body: \"{{ totals.open_amount }}\"}}}\n"
    "    call_script: {stage: call, tone: firm, call: {en: {body: \"Call {{ customer.name }}\"}}}\n"
    "    legal: {stage: legal, tone: final, letter: {en: {subject: \"Notice\", body: \"{{ totals.overdue_amount }}\"}}}\n";

typedef struct fixture {
    archase_engine    *eng;
    archase_policy    *policy;
    archase_snapshot  *snap;
    archase_decisions *ds;
} fixture;

static archase_date day(const char *text) {
    archase_date d;
    assert_int_equal(archase_date_parse(text, &d), 0);
    return d;
}

static archase_money money(const char *text) {
    archase_money m;
    assert_int_equal(archase_money_parse(text, &m), 0);
    return m;
}

static archase_policy *load_policy(const char *text) {
    archase_policy *p = NULL;
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    int rc = archase_policy_load_buffer(text, strlen(text), "test", NULL, &p, diags);
    for (size_t i = 0; rc && i < archase_diag_list_count(diags); i++)
        fprintf(stderr, "# %s\n", archase_diag_list_get(diags, i)->message);
    archase_diag_list_free(diags);
    assert_int_equal(rc, 0);
    return p;
}

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(archase_open_memory(NULL, &f->eng), 0);
    f->policy = load_policy(base_policy);
    *state = f;
    return 0;
}

static void clear_result(fixture *f) {
    archase_decisions_free(f->ds);
    archase_snapshot_free(f->snap);
    f->ds = NULL;
    f->snap = NULL;
}

static int teardown(void **state) {
    fixture *f = *state;
    clear_result(f);
    archase_policy_free(f->policy);
    archase_engine_free(f->eng);
    free(f);
    return 0;
}

static void given_customer(fixture *f, const char *id, const char *collector, const char *owner) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = id;
    c.name = id;
    c.collector = collector;
    c.owner = owner;
    assert_int_equal(archase_customer_put(f->eng, &c, NULL), 0);
    archase_contact k = ARCHASE_CONTACT_INIT;
    char cid[64];
    snprintf(cid, sizeof cid, "%s-ap", id);
    k.id = cid;
    k.customer_id = id;
    k.channel = ARCHASE_CHANNEL_EMAIL;
    k.address = "ap@example.com";
    k.consent = 1;
    assert_int_equal(archase_contact_put(f->eng, &k, NULL), 0);
}

static void given_invoice(fixture *f, const char *id, const char *customer, const char *amount, const char *due) {
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = id;
    inv.customer_id = customer;
    inv.number = id;
    inv.due_date = day(due);
    inv.issue_date = inv.due_date - 30;
    inv.amount = money(amount);
    inv.po_ref = "PO-1";
    inv.source_link = "https://erp.example/inv";
    assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), 0);
}

static void given_flags(fixture *f, const char *customer, int hold, int expansion, int strategic) {
    archase_customer_flags fl = ARCHASE_CUSTOMER_FLAGS_INIT;
    fl.customer_id = customer;
    fl.hold = hold;
    fl.expansion = expansion;
    fl.strategic = strategic;
    fl.reason = "set in a test";
    assert_int_equal(archase_customer_flags_put(f->eng, &fl, NULL), 0);
}

static void evaluate(fixture *f, const char *when) {
    clear_result(f);
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = f->policy;
    assert_int_equal(archase_snapshot_load(f->eng, day(when), &so, &f->snap), 0);
    assert_int_equal(archase_evaluate(f->snap, f->policy, day(when), NULL, &f->ds), 0);
}

/* The index of the decision of `kind` about `invoice`, or -1. */
static long find(const fixture *f, int kind, const char *invoice) {
    for (size_t i = 0; i < archase_decisions_count(f->ds); i++) {
        archase_decision d = ARCHASE_DECISION_INIT;
        assert_int_equal(archase_decision_get(f->ds, i, &d), 0);
        if (d.kind != kind)
            continue;
        for (size_t j = 0; j < d.invoice_count; j++) {
            archase_decision_invoice di = ARCHASE_DECISION_INVOICE_INIT;
            assert_int_equal(archase_decision_invoice_get(f->ds, i, j, &di), 0);
            if (!strcmp(di.invoice_id, invoice))
                return (long)i;
        }
    }
    return -1;
}

static int has_reason(const fixture *f, size_t i, int reason) {
    archase_decision d = ARCHASE_DECISION_INIT;
    assert_int_equal(archase_decision_get(f->ds, i, &d), 0);
    for (size_t j = 0; j < d.reason_count; j++) {
        int r;
        assert_int_equal(archase_decision_reason(f->ds, i, j, &r), 0);
        if (r == reason)
            return 1;
    }
    return 0;
}

static void a_step_fires_on_its_day_with_its_facts_and_rule(void **state) {
    fixture *f = *state;
    given_customer(f, "ACME", "anna", "olaf");
    given_invoice(f, "INV-1", "ACME", "1200.00 EUR", "2026-03-02");
    evaluate(f, "2026-03-09"); /* due + 7 */
    long i = find(f, ARCHASE_DECISION_SEND_MESSAGE, "INV-1");
    assert_true(i >= 0);
    archase_decision d = ARCHASE_DECISION_INIT;
    assert_int_equal(archase_decision_get(f->ds, (size_t)i, &d), 0);
    assert_string_equal(d.rule, "sequences.standard.steps[d+7]");
    assert_string_equal(d.template_name, "overdue");
    assert_string_equal(d.contact_id, "ACME-ap");
    assert_int_equal(d.channel, ARCHASE_CHANNEL_EMAIL);
    assert_string_equal(d.segment, "standard");
    assert_true(has_reason(f, (size_t)i, ARCHASE_REASON_STEP_DUE));
    uint8_t hash[32];
    assert_int_equal(archase_policy_hash(f->policy, hash), 0);
    assert_memory_equal(d.policy_hash, hash, 32);
    /* 09:00 in Berlin in March (CET) is 08:00 UTC. */
    char at[ARCHASE_INSTANT_FORMAT_MAX];
    assert_int_equal(archase_instant_format(d.scheduled_at, at, sizeof at), 0);
    assert_string_equal(at, "2026-03-09T08:00:00Z");
    assert_string_equal(d.timezone, "Europe/Berlin");
    assert_int_equal(d.local_seconds, 9 * 3600);
    assert_int_equal(d.amount.minor, 120000);
    /* The facts name the invoice and link to its document. */
    int saw_days = 0;
    for (size_t j = 0; j < d.fact_count; j++) {
        archase_decision_fact fact = ARCHASE_DECISION_FACT_INIT;
        assert_int_equal(archase_decision_fact_get(f->ds, (size_t)i, j, &fact), 0);
        if (!strcmp(fact.name, "days_overdue")) {
            saw_days = 1;
            assert_int_equal(fact.number, 7);
            assert_string_equal(fact.invoice_id, "INV-1");
            assert_string_equal(fact.source_link, "https://erp.example/inv");
        }
    }
    assert_true(saw_days);
    /* The day before, nothing. */
    evaluate(f, "2026-03-08");
    assert_int_equal(archase_decisions_count(f->ds), 0);
}

static void a_customer_on_hold_gets_no_message_and_the_skip_says_why(void **state) {
    fixture *f = *state;
    given_customer(f, "HOLD", "anna", "olaf");
    given_flags(f, "HOLD", 1, 0, 0);
    given_invoice(f, "INV-H", "HOLD", "300.00 EUR", "2026-03-02");
    evaluate(f, "2026-03-09");
    assert_int_equal(find(f, ARCHASE_DECISION_SEND_MESSAGE, "INV-H"), -1);
    long i = find(f, ARCHASE_DECISION_SKIP, "INV-H");
    assert_true(i >= 0);
    assert_true(has_reason(f, (size_t)i, ARCHASE_REASON_HOLD));
    archase_coverage cov = ARCHASE_COVERAGE_INIT;
    assert_int_equal(archase_coverage_report(f->ds, &cov), 0);
    assert_int_equal(cov.overdue_invoices, 1);
    assert_int_equal(cov.by_state[ARCHASE_COVERAGE_HOLD], 1);
    assert_int_equal(cov.by_reason[ARCHASE_REASON_HOLD], 1);
    assert_int_equal(cov.unaccounted, 0);
}

static void a_sensitive_step_becomes_an_approval_request(void **state) {
    fixture *f = *state;
    given_customer(f, "LATE", "anna", "olaf");
    given_invoice(f, "INV-L", "LATE", "800.00 EUR", "2026-01-10");
    evaluate(f, "2026-02-24"); /* due + 45 */
    long i = find(f, ARCHASE_DECISION_REQUEST_APPROVAL, "INV-L");
    assert_true(i >= 0);
    archase_decision d = ARCHASE_DECISION_INIT;
    assert_int_equal(archase_decision_get(f->ds, (size_t)i, &d), 0);
    assert_int_equal(d.action, ARCHASE_ACTION_LEGAL_NOTICE);
    assert_true(d.approvers >= 1);
    assert_true(has_reason(f, (size_t)i, ARCHASE_REASON_SENSITIVE_ACTION));
    static const uint8_t zero[32];
    assert_memory_not_equal(d.payload_hash, zero, 32);
    assert_int_equal(find(f, ARCHASE_DECISION_SEND_MESSAGE, "INV-L"), -1);
}

static void the_same_inputs_encode_to_the_same_bytes(void **state) {
    fixture *f = *state;
    given_customer(f, "A", "anna", NULL);
    given_customer(f, "B", NULL, "olaf");
    given_invoice(f, "A-1", "A", "100.00 EUR", "2026-03-02");
    given_invoice(f, "A-2", "A", "200.00 EUR", "2026-03-02");
    given_invoice(f, "B-1", "B", "90000.00 EUR", "2026-01-02");
    evaluate(f, "2026-03-09");
    uint8_t first[32], second[32];
    assert_int_equal(archase_decisions_hash(f->ds, first), 0);
    evaluate(f, "2026-03-09");
    assert_int_equal(archase_decisions_hash(f->ds, second), 0);
    assert_memory_equal(first, second, 32);
    /* went out as one message. */
    long i = find(f, ARCHASE_DECISION_SEND_MESSAGE, "A-1");
    assert_true(i >= 0 && i == find(f, ARCHASE_DECISION_SEND_MESSAGE, "A-2"));
    assert_true(has_reason(f, (size_t)i, ARCHASE_REASON_CONSOLIDATED));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(a_step_fires_on_its_day_with_its_facts_and_rule, setup, teardown),
    cmocka_unit_test_setup_teardown(a_customer_on_hold_gets_no_message_and_the_skip_says_why, setup, teardown),
    cmocka_unit_test_setup_teardown(a_sensitive_step_becomes_an_approval_request, setup, teardown),
    cmocka_unit_test_setup_teardown(the_same_inputs_encode_to_the_same_bytes, setup, teardown),
};

AR_TEST_MAIN(tests)
