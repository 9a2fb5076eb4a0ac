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

/* Keys are built when the decisions are first read, all at once: each names
 * the day, kind, customer, rule, channel, template, tone and currency (and
 * the invoice when messages are not consolidated), and stays where it is. */
static void a_decision_key_names_what_was_decided_and_stays_put(void **state) {
    fixture *f = *state;
    given_customer(f, "ACME", "anna", "olaf");
    given_invoice(f, "INV-1", "ACME", "1200.00 EUR", "2026-03-02");
    given_invoice(f, "INV-2", "ACME", "800.00 EUR", "2026-01-02");
    evaluate(f, "2026-03-09");
    long i = find(f, ARCHASE_DECISION_SEND_MESSAGE, "INV-1");
    assert_true(i >= 0);
    archase_decision d = ARCHASE_DECISION_INIT;
    assert_int_equal(archase_decision_get(f->ds, (size_t)i, &d), 0);
    assert_string_equal(d.key, "2026-03-09/send_message/ACME/sequences.standard.steps[d+7]/email/overdue/firm/EUR/");
    size_t n = archase_decisions_count(f->ds);
    assert_true(n >= 2);
    const char **keys = calloc(n, sizeof *keys);
    assert_non_null(keys);
    for (size_t k = 0; k < n; k++) {
        archase_decision e = ARCHASE_DECISION_INIT;
        assert_int_equal(archase_decision_get(f->ds, k, &e), 0);
        keys[k] = e.key;
        for (size_t j = 0; j < k; j++)
            assert_string_not_equal(keys[j], e.key);
    }
    for (size_t k = 0; k < n; k++) {
        archase_decision e = ARCHASE_DECISION_INIT;
        assert_int_equal(archase_decision_get(f->ds, k, &e), 0);
        assert_ptr_equal(e.key, keys[k]);
    }
    free(keys);
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


/* The base policy with its guardrails.timezone replaced. */
static void with_zone(const char *zone, char *out, size_t size) {
    const char *at = strstr(base_policy, "Europe/Berlin");
    snprintf(out, size, "%.*s%s%s", (int)(at - base_policy), base_policy, zone, at + strlen("Europe/Berlin"));
}

static archase_policy *policy_in_zone(const char *zone) {
    char text[sizeof base_policy + 64];
    with_zone(zone, text, sizeof text);
    return load_policy(text);
}

static void facts_dated_after_the_date_are_not_seen_yet(void **state) {
    fixture *f = *state;
    given_customer(f, "ACME", "anna", "olaf");
    given_invoice(f, "OPEN", "ACME", "1000.00 EUR", "2026-03-02");
    given_invoice(f, "LATER", "ACME", "500.00 EUR", "2026-05-02"); /* issued 2026-04-02 */
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = "PAY";
    p.customer_id = "ACME";
    p.invoice_id = "OPEN";
    p.date = day("2026-03-20");
    p.amount = money("1000.00 EUR");
    assert_int_equal(archase_payment_put(f->eng, &p, NULL), 0);
    const char *covered[] = { "OPEN" };
    archase_dispute d = ARCHASE_DISPUTE_INIT;
    d.id = "D";
    d.customer_id = "ACME";
    d.invoice_ids = covered;
    d.invoice_count = 1;
    d.amount = money("100.00 EUR");
    d.reason_code = "pricing";
    d.opened_on = day("2026-03-05");
    d.status = ARCHASE_DISPUTE_RESOLVED;
    d.resolution = ARCHASE_RESOLUTION_REJECTED;
    d.root_cause = "none";
    d.resolved_on = day("2026-03-15");
    assert_int_equal(archase_dispute_put(f->eng, &d, NULL), 0);
    /* On 9 March the invoice was open in full and the dispute was open. */
    evaluate(f, "2026-03-09");
    archase_snapshot_info info = ARCHASE_SNAPSHOT_INFO_INIT;
    assert_int_equal(archase_snapshot_info_get(f->snap, &info), 0);
    assert_int_equal(info.open_invoices, 1);
    assert_int_equal(info.disputes, 1);
    assert_true(info.bytes > 0 && info.zones >= 2);
    long i = find(f, ARCHASE_DECISION_SEND_MESSAGE, "OPEN");
    assert_true(i >= 0);
    archase_decision dec = ARCHASE_DECISION_INIT;
    assert_int_equal(archase_decision_get(f->ds, (size_t)i, &dec), 0);
    assert_int_equal(dec.amount.minor, 90000); /* 1,000 less the 100 disputed */
    /* By 21 March it was paid, the dispute resolved, LATER not yet issued. */
    evaluate(f, "2026-03-21");
    assert_int_equal(archase_snapshot_info_get(f->snap, &info), 0);
    assert_int_equal(info.open_invoices, 0);
    assert_int_equal(info.settled_history, 1);
    assert_int_equal(info.disputes, 0);
    size_t idx;
    assert_int_equal(archase_assessment_find(f->ds, "OPEN", &idx), ARCHASE_ENOTFOUND);
}

static void a_customer_zone_that_cannot_be_loaded_falls_back_and_says_so(void **state) {
    fixture *f = *state;
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "MARS";
    c.name = "Mars";
    c.collector = "anna";
    c.timezone = "Mars/Olympus_Mons";
    assert_int_equal(archase_customer_put(f->eng, &c, NULL), 0);
    archase_contact k = ARCHASE_CONTACT_INIT;
    k.id = "MARS-AP";
    k.customer_id = "MARS";
    k.channel = ARCHASE_CHANNEL_EMAIL;
    k.address = "ap@mars.example";
    k.consent = 1;
    assert_int_equal(archase_contact_put(f->eng, &k, NULL), 0);
    given_invoice(f, "M-1", "MARS", "100.00 EUR", "2026-03-02");
    evaluate(f, "2026-03-09");
    long i = find(f, ARCHASE_DECISION_SEND_MESSAGE, "M-1");
    assert_true(i >= 0);
    assert_true(has_reason(f, (size_t)i, ARCHASE_REASON_TIMEZONE_UNKNOWN));
    archase_decision d = ARCHASE_DECISION_INIT;
    assert_int_equal(archase_decision_get(f->ds, (size_t)i, &d), 0);
    assert_string_equal(d.timezone, "Europe/Berlin"); /* the policy's */
}

static void evaluation_refuses_what_it_cannot_do(void **state) {
    fixture *f = *state;
    given_customer(f, "ACME", "anna", NULL);
    evaluate(f, "2026-03-09");
    archase_decisions *ds = NULL;
    assert_int_equal(archase_evaluate(f->snap, f->policy, day("2026-03-10"), NULL, &ds), ARCHASE_EINVAL);
    assert_int_equal(archase_evaluate(NULL, f->policy, day("2026-03-09"), NULL, &ds), ARCHASE_EINVAL);
    archase_evaluate_options eo;
    assert_int_equal(archase_evaluate_options_init(&eo, 99), ARCHASE_EVERSION);
    assert_int_equal(archase_evaluate_options_init(&eo, ARCHASE_EVALUATE_OPTIONS_VERSION), 0);
    eo.version = 99;
    assert_int_equal(archase_evaluate(f->snap, f->policy, day("2026-03-09"), &eo, &ds), ARCHASE_EVERSION);
    assert_null(ds);
    /* A policy whose zone the snapshot was not loaded with. */
    archase_policy *tokyo = policy_in_zone("Asia/Tokyo");
    assert_int_equal(archase_evaluate(f->snap, tokyo, day("2026-03-09"), NULL, &ds), ARCHASE_EINVAL);
    /* ... and one whose zone does not exist at all. */
    archase_policy *nowhere = policy_in_zone("Asia/Nowhere");
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = nowhere;
    archase_snapshot *snap = NULL;
    assert_int_equal(archase_snapshot_load(f->eng, day("2026-03-09"), &so, &snap), ARCHASE_ENOTFOUND);
    assert_null(snap);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "Asia/Nowhere"));
    so.version = 7;
    assert_int_equal(archase_snapshot_load(f->eng, day("2026-03-09"), &so, &snap), ARCHASE_EVERSION);
    assert_int_equal(archase_snapshot_load(f->eng, ARCHASE_DATE_NONE, NULL, &snap), ARCHASE_EINVAL);
    archase_policy_free(tokyo);
    archase_policy_free(nowhere);
    /* A zone name that cannot be one is refused when the policy loads. */
    char text[sizeof base_policy + 64];
    with_zone("../etc/passwd", text, sizeof text);
    archase_policy *bad = NULL;
    assert_int_equal(archase_policy_load_buffer(text, strlen(text), "bad", NULL, &bad, NULL), ARCHASE_EPOLICY);
    assert_null(bad);
}

static void accessors_check_their_arguments(void **state) {
    fixture *f = *state;
    given_customer(f, "ACME", "anna", "olaf");
    given_invoice(f, "INV-1", "ACME", "1200.00 EUR", "2026-03-02");
    evaluate(f, "2026-03-09");
    assert_int_equal(archase_decisions_count(f->ds), 1);
    archase_decision d = ARCHASE_DECISION_INIT;
    assert_int_equal(archase_decision_get(f->ds, 1, &d), ARCHASE_ERANGE);
    assert_int_equal(archase_decision_get(NULL, 0, &d), ARCHASE_EINVAL);
    d.version = 2;
    assert_int_equal(archase_decision_get(f->ds, 0, &d), ARCHASE_EVERSION);
    archase_decision_invoice di = ARCHASE_DECISION_INVOICE_INIT;
    assert_int_equal(archase_decision_invoice_get(f->ds, 0, 1, &di), ARCHASE_ERANGE);
    int reason;
    assert_int_equal(archase_decision_reason(f->ds, 0, 99, &reason), ARCHASE_ERANGE);
    archase_score_driver dr;
    assert_int_equal(archase_decision_driver(f->ds, 0, 3, &dr), ARCHASE_ERANGE);
    const char *role;
    assert_int_equal(archase_decision_role(f->ds, 0, 0, &role), ARCHASE_ERANGE);
    archase_decision_fact fact = ARCHASE_DECISION_FACT_INIT;
    fact.version = 0;
    assert_int_equal(archase_decision_fact_get(f->ds, 0, 0, &fact), ARCHASE_EVERSION);
    archase_coverage cov = ARCHASE_COVERAGE_INIT;
    cov.version = 0;
    assert_int_equal(archase_coverage_report(f->ds, &cov), ARCHASE_EVERSION);
    assert_int_equal(archase_decisions_count(NULL), 0);
    assert_int_equal(archase_assessment_count(NULL), 0);
    assert_int_equal(archase_cadence_update_count(NULL), 0);
    /* The invoice's new cadence state: the step taken and the next one. */
    assert_int_equal(archase_cadence_update_count(f->ds), 1);
    archase_cadence_update u = ARCHASE_CADENCE_UPDATE_INIT;
    assert_int_equal(archase_cadence_update_get(f->ds, 0, &u), 0);
    assert_string_equal(u.invoice_id, "INV-1");
    assert_string_equal(u.customer_id, "ACME");
    assert_int_equal(u.status, ARCHASE_CADENCE_ACTIVE);
    assert_string_equal(u.sequence, "standard");
    assert_string_equal(u.last_step, "d+7");
    assert_int_equal(u.last_offset, 7);
    assert_int_equal(u.last_date, day("2026-03-09"));
    assert_string_equal(u.next_step, "d+21");
    assert_int_equal(u.next_date, day("2026-03-23"));
    assert_int_equal(archase_cadence_update_get(f->ds, 1, &u), ARCHASE_ERANGE);
    /* The assessment agrees and points back at the decision. */
    size_t idx, dec;
    assert_int_equal(archase_assessment_find(f->ds, "INV-1", &idx), 0);
    archase_invoice_assessment a = ARCHASE_INVOICE_ASSESSMENT_INIT;
    assert_int_equal(archase_assessment_get(f->ds, idx, &a), 0);
    assert_int_equal(a.step_index, 1);
    assert_string_equal(a.next_step, "d+21");
    assert_int_equal(a.decision_count, 1);
    assert_int_equal(archase_assessment_decision(f->ds, idx, 0, &dec), 0);
    assert_int_equal(dec, 0);
    assert_int_equal(archase_assessment_decision(f->ds, idx, 1, &dec), ARCHASE_ERANGE);
    assert_int_equal(archase_assessment_driver(f->ds, idx, 3, &dr), ARCHASE_ERANGE);
}

static void names_are_stable_and_round_trip(void **state) {
    (void)state;
    for (int r = 1; r < ARCHASE_REASON_LIMIT_; r++) {
        const char *name = archase_reason_name(r);
        assert_non_null(name);
        int back;
        assert_int_equal(archase_reason_from_name(name, &back), 0);
        assert_int_equal(back, r);
    }
    assert_null(archase_reason_name(0));
    assert_null(archase_reason_name(ARCHASE_REASON_LIMIT_));
    int out;
    assert_int_equal(archase_reason_from_name("no_such_reason", &out), ARCHASE_EINVAL);
    assert_string_equal(archase_reason_name(ARCHASE_REASON_HOLD), "hold");
    assert_int_equal(ARCHASE_REASON_HOLD, 14); /* pinned */
    assert_string_equal(archase_decision_kind_name(ARCHASE_DECISION_REQUEST_APPROVAL), "request_approval");
    assert_null(archase_decision_kind_name(0));
    assert_string_equal(archase_coverage_state_name(ARCHASE_COVERAGE_EXCEPTION), "exception");
    assert_null(archase_coverage_state_name(9));
    assert_string_equal(archase_cadence_status_name(ARCHASE_CADENCE_CLOSED), "closed");
    assert_null(archase_cadence_status_name(0));
    assert_string_equal(archase_work_kind_name(ARCHASE_WORK_DISPUTE), "dispute");
    assert_null(archase_work_kind_name(0));
}

static void a_worklist_gives_every_line_one_owner(void **state) {
    fixture *f = *state;
    given_customer(f, "ACME", "anna", "olaf");
    given_customer(f, "NOBODY", NULL, NULL);
    given_invoice(f, "A-1", "ACME", "100.00 EUR", "2026-02-10");  /* d+21: a call */
    given_invoice(f, "N-1", "NOBODY", "100.00 EUR", "2026-03-02");
    evaluate(f, "2026-03-03");
    archase_worklist *wl = NULL;
    assert_int_equal(archase_worklist_build(f->ds, NULL, &wl), 0);
    assert_int_equal(archase_worklist_count(wl), 2);
    archase_worklist_line l = ARCHASE_WORKLIST_LINE_INIT;
    int saw_call = 0, saw_unassigned = 0;
    for (size_t i = 0; i < archase_worklist_count(wl); i++) {
        assert_int_equal(archase_worklist_line_get(wl, i, &l), 0);
        assert_int_equal(l.rank, i + 1);
        const char *inv;
        assert_int_equal(archase_worklist_line_invoice(wl, i, 0, &inv), 0);
        if (l.kind == ARCHASE_WORK_CALL) {
            saw_call = 1;
            assert_string_equal(l.owner, "anna");
            assert_string_equal(inv, "A-1");
            assert_string_equal(l.next_action, "queue_call");
            assert_true(l.decision != SIZE_MAX);
        } else {
            saw_unassigned = 1;
            assert_string_equal(l.owner, "unassigned");
            assert_int_equal(l.kind, ARCHASE_WORK_EXCEPTION);
            int reason;
            assert_int_equal(archase_worklist_line_reason(wl, i, 0, &reason), 0);
            assert_int_equal(reason, ARCHASE_REASON_NO_OWNER);
        }
    }
    assert_true(saw_call && saw_unassigned);
    assert_int_equal(archase_worklist_line_get(wl, 2, &l), ARCHASE_ERANGE);
    archase_worklist_free(wl);
    archase_worklist_options o;
    assert_int_equal(archase_worklist_options_init(&o, ARCHASE_WORKLIST_OPTIONS_VERSION), 0);
    o.owner = "anna";
    assert_int_equal(archase_worklist_build(f->ds, &o, &wl), 0);
    assert_int_equal(archase_worklist_count(wl), 1);
    archase_worklist_free(wl);
    o.version = 3;
    assert_int_equal(archase_worklist_build(f->ds, &o, &wl), ARCHASE_EVERSION);
}

/* ---- allocation failures ----------------------------------------------------- */

typedef struct oom_ctx {
    archase_storage store; /* the filled memory store, `close` cleared */
    archase_policy *policy;
} oom_ctx;

static int hash_sink(void *userdata, const void *data, size_t size) {
    (void)data;
    *(size_t *)userdata += size;
    return 0;
}

/* Snapshot, evaluation, worklist and encoding with `a` failing. */
static int evaluate_under(const archase_allocator *a, void *userdata) {
    oom_ctx *x = userdata;
    archase_engine_options eo = ARCHASE_ENGINE_OPTIONS_INIT;
    eo.allocator = a;
    archase_engine *eng = NULL;
    archase_snapshot *snap = NULL;
    archase_decisions *ds = NULL;
    archase_worklist *wl = NULL;
    int rc = archase_engine_open(&x->store, &eo, &eng);
    if (!rc) {
        archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
        so.policy = x->policy;
        rc = archase_snapshot_load(eng, day("2026-03-23"), &so, &snap);
    }
    if (!rc)
        rc = archase_evaluate(snap, x->policy, day("2026-03-23"), NULL, &ds);
    /* Keys, and the decisions of each invoice, are built by the first read:
     * it may fail too. */
    for (size_t i = 0; !rc && i < archase_decisions_count(ds); i++) {
        archase_decision d = ARCHASE_DECISION_INIT;
        rc = archase_decision_get(ds, i, &d);
    }
    size_t named = 0;
    for (size_t i = 0; !rc && i < archase_assessment_count(ds); i++) {
        archase_invoice_assessment as = ARCHASE_INVOICE_ASSESSMENT_INIT;
        rc = archase_assessment_get(ds, i, &as);
        for (size_t j = 0; !rc && j < as.decision_count; j++, named++) {
            size_t d;
            rc = archase_assessment_decision(ds, i, j, &d);
            if (!rc && d >= archase_decisions_count(ds))
                rc = ARCHASE_EINVAL;
        }
    }
    if (!rc && named == 0)
        rc = ARCHASE_EINVAL; /* the decisions name invoices */
    if (!rc)
        rc = archase_worklist_build(ds, NULL, &wl);
    size_t bytes = 0;
    if (!rc)
        rc = archase_decisions_encode(ds, hash_sink, &bytes);
    if (!rc && (archase_decisions_count(ds) < 3 || archase_worklist_count(wl) < 2))
        rc = ARCHASE_EINVAL; /* the run without failures must decide things */
    archase_worklist_free(wl);
    archase_decisions_free(ds);
    archase_snapshot_free(snap);
    archase_engine_free(eng);
    return rc;
}

static void every_allocation_failure_is_reported_and_nothing_leaks(void **state) {
    fixture *f = *state;
    oom_ctx x;
    archase_storage store;
    assert_int_equal(archase_memory_storage_new(NULL, &store), 0);
    /* Engines over it do not close it: it outlives every run of the loop. */
    x.store = store;
    x.store.close = NULL;
    x.policy = f->policy;
    archase_engine *saved = f->eng;
    assert_int_equal(archase_engine_open(&x.store, NULL, &f->eng), 0);
    given_customer(f, "ACME", "anna", "olaf");
    given_customer(f, "BIG", "anna", "olaf");
    given_customer(f, "HOLD", NULL, NULL);
    given_flags(f, "HOLD", 1, 0, 0);
    given_invoice(f, "A-1", "ACME", "100.00 EUR", "2026-03-02");   /* call */
    given_invoice(f, "A-2", "ACME", "200.00 EUR", "2026-03-16");   /* reminder */
    given_invoice(f, "B-1", "BIG", "90000.00 EUR", "2026-01-02");  /* escalation */
    given_invoice(f, "H-1", "HOLD", "50.00 EUR", "2026-03-16");
    archase_engine_free(f->eng);
    f->eng = saved;
    assert_true(failalloc_loop(evaluate_under, NULL, &x) > 50);
    store.close(store.userdata);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(a_step_fires_on_its_day_with_its_facts_and_rule, setup, teardown),
    cmocka_unit_test_setup_teardown(a_decision_key_names_what_was_decided_and_stays_put, setup, teardown),
    cmocka_unit_test_setup_teardown(a_customer_on_hold_gets_no_message_and_the_skip_says_why, setup, teardown),
    cmocka_unit_test_setup_teardown(a_sensitive_step_becomes_an_approval_request, setup, teardown),
    cmocka_unit_test_setup_teardown(the_same_inputs_encode_to_the_same_bytes, setup, teardown),
    cmocka_unit_test_setup_teardown(facts_dated_after_the_date_are_not_seen_yet, setup, teardown),
    cmocka_unit_test_setup_teardown(a_customer_zone_that_cannot_be_loaded_falls_back_and_says_so, setup, teardown),
    cmocka_unit_test_setup_teardown(evaluation_refuses_what_it_cannot_do, setup, teardown),
    cmocka_unit_test_setup_teardown(accessors_check_their_arguments, setup, teardown),
    cmocka_unit_test(names_are_stable_and_round_trip),
    cmocka_unit_test_setup_teardown(a_worklist_gives_every_line_one_owner, setup, teardown),
    cmocka_unit_test_setup_teardown(every_allocation_failure_is_reported_and_nothing_leaks, setup, teardown),
};

AR_TEST_MAIN(tests)
