/* tests/test_kpi_outbox.c — collection effectiveness, cadence response and
 * reviewer effort from what the daily cycle stored: the outbox's sent
 * messages and its reviewed drafts, with the figures worked out by hand
 * (docs/kpi-formulas.md, "Collection effectiveness and cadence response",
 * "Reviewer effort"). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "archase/archase.h"
#include "archase/cycle.h"
#include "archase/kpi.h"
#include "archase/replay.h"
#include "support/failalloc.h"
#include "support/testutil.h"

/* Three steps of one template; messages go out at 09:00 UTC any day. */
static const char policy_text[] =
    TEST_POLICY_ONE_SEGMENT
    "      - {offset: 1, channel: email, template: overdue}\n"
    "      - {offset: 7, channel: email, template: overdue}\n"
    "      - {offset: 14, channel: email, template: overdue}\n"
    "call_queue: {enabled: false}\n"
    "guardrails:\n"
    "  max_touches_per_7_days: 7\n"
    "  min_days_between_touches: 0\n"
    "  quiet_hours: {start: \"20:00\", end: \"08:00\"}\n"
    "  send_window: {start: \"09:00\", end: \"17:00\", days: [mon, tue, wed, thu, fri, sat, sun]}\n"
    "  business_days_only: false\n"
    "  timezone: UTC\n"
    "payment_patterns: {enabled: false}\n"
    "approvals: {materiality: [1000 EUR], roles: [finance_lead, controller]}\n"
    "delivery: {max_attempts: 3, retry_backoff_minutes: 1, digest_weekday: none}\n"
    "templates:\n"
    "  definitions:\n"
    "    overdue:\n"
    "      stage: overdue\n"
    "      tone: firm\n"
    "      email: {en: {subject: \"Invoice {{ invoice.number }} is overdue\",\n"
    "                   body: \"Dear {{ customer.name }}, {{ totals.open_amount | money }} is open.\"}}\n";

#define DAY0 20484 /* 2026-01-31, the due date of every invoice */

static archase_instant fixed_now(void *ud) {
    return *(archase_instant *)ud;
}

static int sent_ok(void *ud, const archase_message *m, int *result, char *detail, size_t size) {
    (void)ud, (void)m, (void)detail, (void)size;
    *result = ARCHASE_SEND_SENT;
    return 0;
}

static archase_policy *load_policy(void) {
    archase_policy *p = NULL;
    assert_int_equal(archase_policy_load_buffer(policy_text, strlen(policy_text), "kpi.yaml", NULL, &p, NULL), 0);
    return p;
}

typedef struct fixture {
    archase_engine *eng;
    archase_policy *policy;
    archase_instant now;
    archase_clock   clock;
} fixture;

/* Opens a memory engine on `f`'s clock; 0 or the failing call's code. */
static int open_engine(fixture *f, const archase_allocator *allocator) {
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    f->clock = (archase_clock){ ARCHASE_CLOCK_VERSION, &f->now, fixed_now };
    o.clock = &f->clock;
    o.allocator = allocator;
    int rc = archase_open_memory(&o, &f->eng);
    archase_transport t = { ARCHASE_TRANSPORT_VERSION, NULL, sent_ok, NULL, NULL };
    if (!rc)
        rc = archase_engine_set_transport(f->eng, &t);
    return rc;
}

static int customer(archase_engine *eng, const char *id) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = c.name = id;
    c.collector = "carla";
    char cid[64], address[64];
    snprintf(cid, sizeof cid, "%s-ap", id);
    snprintf(address, sizeof address, "ap@%s.example", id);
    archase_contact k = ARCHASE_CONTACT_INIT;
    k.id = cid;
    k.customer_id = id;
    k.channel = ARCHASE_CHANNEL_EMAIL;
    k.address = address;
    k.consent = 1;
    int rc = archase_customer_put(eng, &c, NULL);
    return rc ? rc : archase_contact_put(eng, &k, NULL);
}

static int invoice(archase_engine *eng, const char *id, const char *cust, int64_t minor) {
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = inv.number = id;
    inv.customer_id = cust;
    inv.issue_date = DAY0 - 30;
    inv.due_date = DAY0;
    inv.amount = (archase_money){ minor, "EUR" };
    return archase_invoice_put(eng, &inv, NULL);
}

/* acme owes 1,200.00 and 300.00, globex 999.00 (G-1), initech
 * 50.00 (I-1), all due 2026-01-31. */
static int ledger(archase_engine *eng) {
    int rc = customer(eng, "acme");
    if (!rc)
        rc = customer(eng, "globex");
    if (!rc)
        rc = customer(eng, "initech");
    if (!rc)
        rc = invoice(eng, "A-1", "acme", 120000);
    if (!rc)
        rc = invoice(eng, "A-2", "acme", 30000);
    if (!rc)
        rc = invoice(eng, "G-1", "globex", 99900);
    if (!rc)
        rc = invoice(eng, "I-1", "initech", 5000);
    return rc;
}

/* The cycle of 2026-02-01 at noon: the step of day 1 goes out to each
 * customer (acme's two invoices in one message), sent at once. */
static int day_one(fixture *f, int review) {
    f->now = (archase_instant)(DAY0 + 1) * 86400 + 12 * 3600;
    archase_cycle_options o = ARCHASE_CYCLE_OPTIONS_INIT;
    o.review = review;
    return archase_run_cycle(f->eng, f->policy, DAY0 + 1, &o, NULL);
}

/* What followed: acme paid A-1 in full on 02-03 (A-2 stays open), globex
 * promised G-1 on 02-04, initech did nothing. */
static int what_followed(archase_engine *eng) {
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = "P-1";
    p.customer_id = "acme";
    p.invoice_id = "A-1";
    p.date = DAY0 + 3;
    p.amount = (archase_money){ 120000, "EUR" };
    int rc = archase_payment_put(eng, &p, NULL);
    const char *covered[] = { "G-1" };
    archase_promise pr = ARCHASE_PROMISE_INIT;
    pr.id = "PTP-1";
    pr.customer_id = "globex";
    pr.invoice_ids = covered;
    pr.invoice_count = 1;
    pr.amount = (archase_money){ 99900, "EUR" };
    pr.promised_date = DAY0 + 20;
    pr.recorded_on = DAY0 + 4;
    return rc ? rc : archase_promise_put(eng, &pr, NULL);
}

static int64_t metric(const archase_kpi_report *r, int m, int *defined) {
    archase_kpi_value v;
    assert_int_equal(archase_kpi_value_get(r, 0, m, &v), 0);
    if (defined)
        *defined = v.defined;
    return v.value;
}

static archase_kpi_effectiveness group(const archase_kpi_report *r, int dimension, const char *name) {
    for (size_t i = 0; i < archase_kpi_effectiveness_count(r); i++) {
        archase_kpi_effectiveness g = ARCHASE_KPI_EFFECTIVENESS_INIT;
        assert_int_equal(archase_kpi_effectiveness_get(r, i, &g), 0);
        if (g.dimension == dimension && !strcmp(g.name, name))
            return g;
    }
    fail_msg("no effectiveness group %d '%s'", dimension, name);
    archase_kpi_effectiveness none = ARCHASE_KPI_EFFECTIVENESS_INIT;
    return none;
}

static archase_kpi_report *compute(fixture *f, archase_date from, archase_date to, const archase_kpi_options *o) {
    archase_kpi_report *r = NULL;
    int rc = archase_kpi_compute(f->eng, from, to, o, &r);
    if (rc)
        fail_msg("kpi: %s", archase_engine_errmsg(f->eng));
    return r;
}

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    f->policy = load_policy();
    assert_int_equal(open_engine(f, NULL), 0);
    assert_int_equal(ledger(f->eng), 0);
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

/* ---- messages ----------------------------------------------------------------------- */

static void sent_messages_are_the_touches_of_effectiveness(void **state) {
    fixture *f = *state;
    assert_int_equal(day_one(f, 0), 0);
    assert_int_equal(what_followed(f->eng), 0);
    /* Sent on 02-01, each window closes on 02-08: in the period 02-01..02-10.
     * Targeted 1,500.00 + 999.00 + 50.00 = 2,549.00. Effective: globex (a
     * promise); acme paid only A-1. Responded: acme (a payment), globex. */
    archase_kpi_report *r = compute(f, DAY0 + 1, DAY0 + 10, NULL);
    assert_int_equal(metric(r, ARCHASE_KPI_MESSAGES, NULL), 3);
    assert_int_equal(metric(r, ARCHASE_KPI_MESSAGE_AMOUNT, NULL), 254900);
    assert_int_equal(metric(r, ARCHASE_KPI_EFFECTIVE_MESSAGES, NULL), 1);
    assert_int_equal(metric(r, ARCHASE_KPI_EFFECTIVENESS, NULL), 3333);         /* 1 / 3 */
    assert_int_equal(metric(r, ARCHASE_KPI_EFFECTIVENESS_AMOUNT, NULL), 3919);  /* 999 / 2,549 = 39.19 % */
    assert_int_equal(metric(r, ARCHASE_KPI_RESPONDED_MESSAGES, NULL), 2);
    assert_int_equal(metric(r, ARCHASE_KPI_RESPONSE_RATE, NULL), 6667);         /* 2 / 3 */
    assert_int_equal(metric(r, ARCHASE_KPI_MESSAGE_DISPUTE_RATE, NULL), 0);
    /* Per step ("sequence/step") and per template: the same three messages. */
    archase_kpi_effectiveness step = group(r, ARCHASE_KPI_BY_STEP, "standard/d+1");
    assert_int_equal(step.messages, 3);
    assert_int_equal(step.amount, 254900);
    assert_int_equal(step.effective, 1);
    assert_int_equal(step.effective_amount, 99900);
    assert_int_equal(step.responded, 2);
    assert_int_equal(step.effective_percent.hundredths, 3333);
    assert_int_equal(step.response_percent.hundredths, 6667);
    archase_kpi_effectiveness tmpl = group(r, ARCHASE_KPI_BY_TEMPLATE, "overdue");
    assert_int_equal(tmpl.messages, 3);
    assert_int_equal(tmpl.effective_amount_percent.hundredths, 3919);
    archase_kpi_report_free(r);
    /* A period in which no window closes has no messages: undefined rates. */
    r = compute(f, DAY0 + 1, DAY0 + 7, NULL);
    int defined = 1;
    assert_int_equal(metric(r, ARCHASE_KPI_MESSAGES, NULL), 0);
    metric(r, ARCHASE_KPI_EFFECTIVENESS, &defined);
    assert_false(defined);
    archase_kpi_report_free(r);
}

static void touches_given_by_the_host_replace_the_outbox(void **state) {
    fixture *f = *state;
    assert_int_equal(day_one(f, 0), 0);
    assert_int_equal(what_followed(f->eng), 0);
    const char *ids[] = { "I-1" };
    archase_kpi_touch t = ARCHASE_KPI_TOUCH_INIT;
    t.customer_id = "initech";
    t.invoice_ids = ids;
    t.invoice_count = 1;
    t.date = DAY0 + 2;
    t.channel = ARCHASE_CHANNEL_EMAIL;
    archase_kpi_options o = ARCHASE_KPI_OPTIONS_INIT;
    o.touches = &t;
    o.touch_count = 1;
    archase_kpi_report *r = compute(f, DAY0 + 1, DAY0 + 10, &o);
    assert_int_equal(metric(r, ARCHASE_KPI_MESSAGES, NULL), 1);
    assert_int_equal(metric(r, ARCHASE_KPI_EFFECTIVE_MESSAGES, NULL), 0);
    archase_kpi_report_free(r);
}

static void drafts_not_sent_are_not_messages(void **state) {
    fixture *f = *state;
    assert_int_equal(day_one(f, 1), 0); /* copilot: three drafts, nothing sent */
    assert_int_equal(what_followed(f->eng), 0);
    archase_kpi_report *r = compute(f, DAY0 + 1, DAY0 + 10, NULL);
    assert_int_equal(metric(r, ARCHASE_KPI_MESSAGES, NULL), 0);
    archase_kpi_report_free(r);
}

/* The replay's figures are its own messages', whatever the ledger's outbox
 * holds: a policy whose first step comes after the period sends nothing. */
static void a_replay_never_counts_the_ledgers_outbox(void **state) {
    fixture *f = *state;
    assert_int_equal(day_one(f, 0), 0);
    assert_int_equal(what_followed(f->eng), 0);
    char text[sizeof policy_text + 16];
    snprintf(text, sizeof text, "%s", policy_text);
    char *first = strstr(text, "offset: 1,"), *second = strstr(text, "offset: 7,");
    assert_non_null(first);
    assert_non_null(second);
    memcpy(first, "offset: 8,", 10); /* steps on days 8, 9 and 14 */
    memcpy(second, "offset: 9,", 10);
    archase_policy *late = NULL;
    assert_int_equal(archase_policy_load_buffer(text, strlen(text), "late.yaml", NULL, &late, NULL), 0);
    /* A one-day window: the outbox's messages of 02-01 would count on 02-02. */
    archase_replay_options o = ARCHASE_REPLAY_OPTIONS_INIT;
    o.response_window_days = 1;
    archase_replay_result *res = NULL;
    assert_int_equal(archase_replay(f->eng, late, DAY0 + 1, DAY0 + 7, &o, &res), 0);
    archase_replay_summary sum = ARCHASE_REPLAY_SUMMARY_INIT;
    assert_int_equal(archase_replay_summary_get(res, &sum), 0);
    assert_int_equal(sum.messages, 0);
    const archase_kpi_report *r = archase_replay_kpis(res);
    assert_int_equal(metric(r, ARCHASE_KPI_MESSAGES, NULL), 0);
    assert_int_equal(archase_kpi_effectiveness_count(r), 0);
    archase_replay_result_free(res);
    archase_policy_free(late);
}

/* ---- reviews ------------------------------------------------------------------------ */

typedef struct drafts {
    char ids[8][ARCHASE_IDEMPOTENCY_KEY_MAX];
    char customers[8][16];
    size_t n;
} drafts;

static int take_draft(void *ud, const archase_outbox_item *it) {
    drafts *d = ud;
    if (d->n < 8 && it->customer_id) {
        snprintf(d->ids[d->n], sizeof d->ids[d->n], "%s", it->id);
        snprintf(d->customers[d->n], sizeof d->customers[d->n], "%s", it->customer_id);
        d->n++;
    }
    return 0;
}

static const char *draft_of(const drafts *d, const char *cust) {
    for (size_t i = 0; i < d->n; i++)
        if (!strcmp(d->customers[i], cust))
            return d->ids[i];
    fail_msg("no draft for %s", cust);
    return NULL;
}

static void reviews_of_drafts_give_reviewer_effort(void **state) {
    fixture *f = *state;
    assert_int_equal(customer(f->eng, "umbrella"), 0);
    assert_int_equal(invoice(f->eng, "U-1", "umbrella", 7000), 0);
    assert_int_equal(day_one(f, 1), 0); /* four drafts at 12:00 */
    drafts d;
    memset(&d, 0, sizeof d);
    assert_int_equal(archase_outbox_scan(f->eng, ARCHASE_OUTBOX_DRAFT, take_draft, &d), 0);
    assert_int_equal(d.n, 4);
    archase_instant noon = f->now;
    archase_review rv = ARCHASE_REVIEW_INIT;
    rv.reviewer = "rita";
    f->now = noon + 600; /* approved after 10 minutes */
    assert_int_equal(archase_review_approve(f->eng, draft_of(&d, "acme"), &rv), 0);
    f->now = noon + 1800; /* edited after 30 */
    assert_int_equal(archase_review_edit(f->eng, draft_of(&d, "globex"), &rv, "About your account", NULL), 0);
    f->now = noon + 3630; /* rejected after 60.5 */
    rv.note = "paid by phone";
    assert_int_equal(archase_review_reject(f->eng, draft_of(&d, "initech"), &rv), 0);
    /* umbrella's draft waits. */
    archase_kpi_report *r = compute(f, DAY0 + 1, DAY0 + 1, NULL);
    archase_kpi_reviewer_effort e = ARCHASE_KPI_REVIEWER_EFFORT_INIT;
    assert_int_equal(archase_kpi_reviewer_effort_get(r, &e), 0);
    assert_int_equal(e.reviewed, 3);
    assert_int_equal(e.approved, 1);
    assert_int_equal(e.edited, 1);
    assert_int_equal(e.rejected, 1);
    assert_int_equal(e.pending, 1);
    assert_int_equal(e.edit_percent.hundredths, 3333);
    assert_int_equal(e.reject_percent.hundredths, 3333);
    assert_int_equal(e.mean_minutes_to_review.hundredths, 3350); /* (10 + 30 + 60.5) / 3 */
    assert_int_equal(e.median_minutes_to_review.hundredths, 3000);
    archase_kpi_report_free(r);
    /* The day before the drafts: nothing reviewed, nothing pending. */
    r = compute(f, DAY0, DAY0, NULL);
    assert_int_equal(archase_kpi_reviewer_effort_get(r, &e), 0);
    assert_int_equal(e.reviewed, 0);
    assert_int_equal(e.pending, 0);
    assert_false(e.mean_minutes_to_review.defined);
    archase_kpi_report_free(r);
}

/* ---- every allocation failing --------------------------------------------------------- */

typedef struct alloc_ctx {
    archase_policy *policy;
    int64_t         messages; /* of the successful run */
} alloc_ctx;

static int kpi_scenario(const archase_allocator *allocator, void *ud) {
    alloc_ctx *x = ud;
    fixture f;
    memset(&f, 0, sizeof f);
    f.policy = x->policy;
    int rc = open_engine(&f, allocator);
    if (!rc)
        rc = ledger(f.eng);
    if (!rc)
        rc = day_one(&f, 0);
    if (!rc)
        rc = what_followed(f.eng);
    archase_kpi_report *r = NULL;
    if (!rc)
        rc = archase_kpi_compute(f.eng, DAY0 + 1, DAY0 + 10, NULL, &r);
    if (!rc) {
        archase_kpi_value v;
        assert_int_equal(archase_kpi_value_get(r, 0, ARCHASE_KPI_EFFECTIVE_MESSAGES, &v), 0);
        x->messages = v.value;
    } else {
        assert_null(r);
    }
    archase_kpi_report_free(r);
    archase_engine_free(f.eng);
    return rc;
}

static void every_failing_allocation_reading_the_outbox_is_reported(void **state) {
    (void)state;
    alloc_ctx x = { load_policy(), -1 };
    size_t allocations = failalloc_loop(kpi_scenario, NULL, &x);
    assert_true(allocations > 50);
    assert_int_equal(x.messages, 1);
    archase_policy_free(x.policy);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(sent_messages_are_the_touches_of_effectiveness, setup, teardown),
    cmocka_unit_test_setup_teardown(touches_given_by_the_host_replace_the_outbox, setup, teardown),
    cmocka_unit_test_setup_teardown(drafts_not_sent_are_not_messages, setup, teardown),
    cmocka_unit_test_setup_teardown(a_replay_never_counts_the_ledgers_outbox, setup, teardown),
    cmocka_unit_test_setup_teardown(reviews_of_drafts_give_reviewer_effort, setup, teardown),
    cmocka_unit_test(every_failing_allocation_reading_the_outbox_is_reported),
};

AR_TEST_MAIN(tests)
