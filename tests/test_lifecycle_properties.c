/* tests/test_lifecycle_properties.c — properties of promises, disputes and
 * the reconciliation queue over random sequences of events (payments,
 * part of a promise paid, promises, instalment plans, cancellations,
 * disputes, reviews,
 * resolutions with credits, reconciliation resolutions), the days moving
 * forward in between:
 *   - every promise and every dispute is in exactly one state, and once
 *     every deadline has passed no promise is still open;
 *   - the promise-kept KPI, computed from the facts, counts as kept exactly
 *     the promises stored as kept, and as due those kept, partially kept or
 *     broken;
 *   - a refused call changes nothing (the audit log does not grow);
 *   - for every invoice, what payments and credits applied plus what is
 *     open equals what was invoiced;
 *   - applying a day twice writes nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/testutil.h"

#define INVOICES 12
#define DAYS 60

static const char policy_text[] =
    "version: 1\n"
    "currency: {default: EUR}\n"
    "segments: [{name: all, sequence: s}]\n"
    "sequences: {s: {steps: [{offset: 1, action: queue_call}]}}\n"
    "promises: {grace_days: 1, max_open_per_invoice: 2, max_days_ahead: 20}\n"
    "disputes: {default_sla_days: 7}\n";

typedef struct world {
    archase_engine *eng;
    archase_policy *policy;
    test_rng        rng;
    archase_date    today;
    int             promises, disputes;
    int64_t         invoiced[INVOICES];
    int             last_promise_invoice; /* of the newest promise, -1 = none */
    int64_t         last_promise_amount;
} world;

static const char *invoice_id(int i) {
    static char ids[INVOICES][16];
    snprintf(ids[i], sizeof ids[i], "INV-%02d", i);
    return ids[i];
}

static const char *customer_of(int i) {
    return i % 2 ? "BETA" : "ACME";
}

static int got_open(void *ud, const archase_fact *f) {
    *(int64_t *)ud = f->invoice_state->open_amount.minor;
    return 0;
}

static int64_t open_of(world *w, int i) {
    int64_t open = -1;
    assert_int_equal(archase_fact_get(w->eng, ARCHASE_FAMILY_INVOICE, invoice_id(i), got_open, &open), 0);
    return open;
}

static uint64_t audit_size(world *w) {
    uint64_t n = 0;
    assert_int_equal(archase_audit_size(w->eng, &n), 0);
    return n;
}

/* A call that may be refused: refusals write nothing. */
static void attempt(world *w, int rc, uint64_t before) {
    if (rc == 0)
        return;
    if (rc != ARCHASE_EINVAL && rc != ARCHASE_ESTATE && rc != ARCHASE_ENOTFOUND && rc != ARCHASE_ECONFLICT)
        fail_msg("unexpected %s: %s", archase_error_name(rc), archase_engine_errmsg(w->eng));
    assert_int_equal(audit_size(w), before);
}

static void pay(world *w) {
    int i = (int)test_rng_below(&w->rng, INVOICES);
    int64_t open = open_of(w, i);
    if (open <= 0)
        return;
    char id[32];
    snprintf(id, sizeof id, "PAY-%d-%d", (int)w->today, (int)test_rng_below(&w->rng, 1000000));
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = id;
    p.customer_id = customer_of(i);
    p.invoice_id = invoice_id(i);
    p.date = w->today;
    p.amount = (archase_money){ 1 + (int64_t)test_rng_below(&w->rng, (uint64_t)open), "EUR" };
    assert_int_equal(archase_payment_put(w->eng, &p, NULL), 0);
}

/* More than is open, marked as an overpayment; the excess applied to another
 * invoice of the customer through the reconciliation queue. */
static void overpay_and_apply(world *w) {
    int i = (int)test_rng_below(&w->rng, INVOICES);
    int64_t open = open_of(w, i);
    if (open <= 0)
        return;
    char id[32], item[48];
    snprintf(id, sizeof id, "OVER-%d-%d", (int)w->today, (int)test_rng_below(&w->rng, 1000000));
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = id;
    p.customer_id = customer_of(i);
    p.invoice_id = invoice_id(i);
    p.date = w->today;
    p.amount = (archase_money){ open + 1 + (int64_t)test_rng_below(&w->rng, 5000), "EUR" };
    p.overpayment = 1;
    assert_int_equal(archase_payment_put(w->eng, &p, NULL), 0);
    int j = (i + 2) % INVOICES; /* the same customer */
    snprintf(item, sizeof item, "payment:%s", id);
    archase_recon_action a = ARCHASE_RECON_ACTION_INIT;
    a.id = item;
    a.resolution = ARCHASE_RECON_APPLY;
    a.invoice_id = invoice_id(j);
    a.by = "carl";
    uint64_t before = audit_size(w);
    attempt(w, archase_recon_resolve(w->eng, w->policy, &a, w->today, NULL, NULL), before);
}

static void promise(world *w) {
    int i = (int)test_rng_below(&w->rng, INVOICES);
    int64_t open = open_of(w, i);
    char id[32];
    snprintf(id, sizeof id, "PTP-%03d", w->promises);
    const char *inv[1] = { invoice_id(i) };
    archase_promise p = ARCHASE_PROMISE_INIT;
    p.id = id;
    p.customer_id = customer_of(i);
    p.invoice_ids = inv;
    p.invoice_count = 1;
    /* sometimes more than is open: refused */
    p.amount = (archase_money){ 1 + (int64_t)test_rng_below(&w->rng, (uint64_t)(open > 0 ? open + open / 4 : 10)), "EUR" };
    p.promised_date = w->today + (archase_date)test_rng_below(&w->rng, 12);
    p.taken_by = "anna";
    archase_instalment plan[2];
    if (test_rng_below(&w->rng, 3) == 0 && p.amount.minor >= 2) {
        plan[0] = (archase_instalment){ w->today + 3, { p.amount.minor / 2, "EUR" } };
        plan[1] = (archase_instalment){ w->today + 10, { p.amount.minor - p.amount.minor / 2, "EUR" } };
        p.instalments = plan;
        p.instalment_count = 2;
        p.promised_date = w->today + 10;
    }
    uint64_t before = audit_size(w);
    int rc = archase_promise_record(w->eng, w->policy, &p, w->today);
    attempt(w, rc, before);
    if (!rc) {
        w->promises++;
        w->last_promise_invoice = i;
        w->last_promise_amount = p.amount.minor;
    }
}

/* Part of the newest promise (three fifths) paid on its invoice: only
 * payments pay toward a promise, so without this a promise is rarely
 * partially kept. */
static void pay_part_of_a_promise(world *w) {
    int i = w->last_promise_invoice;
    if (i < 0)
        return;
    int64_t part = w->last_promise_amount * 3 / 5, open = open_of(w, i);
    if (part <= 0 || part > open)
        return;
    char id[32];
    snprintf(id, sizeof id, "PART-%d-%d", (int)w->today, (int)test_rng_below(&w->rng, 1000000));
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = id;
    p.customer_id = customer_of(i);
    p.invoice_id = invoice_id(i);
    p.date = w->today;
    p.amount = (archase_money){ part, "EUR" };
    assert_int_equal(archase_payment_put(w->eng, &p, NULL), 0);
    w->last_promise_invoice = -1;
}

static void cancel(world *w) {
    if (!w->promises)
        return;
    char id[32];
    snprintf(id, sizeof id, "PTP-%03d", (int)test_rng_below(&w->rng, (uint64_t)w->promises));
    uint64_t before = audit_size(w);
    attempt(w, archase_promise_cancel(w->eng, id, "customer changed plans", w->today), before);
}

static void dispute(world *w) {
    int i = (int)test_rng_below(&w->rng, INVOICES);
    int64_t open = open_of(w, i);
    char id[32];
    snprintf(id, sizeof id, "D-%03d", w->disputes);
    const char *inv[1] = { invoice_id(i) };
    static const char *const reasons[] = { "pricing", "short_ship", "damaged_goods", "tax", "nonsense" };
    archase_dispute d = ARCHASE_DISPUTE_INIT;
    d.id = id;
    d.customer_id = customer_of(i);
    d.invoice_ids = inv;
    d.invoice_count = 1;
    d.amount = (archase_money){ 1 + (int64_t)test_rng_below(&w->rng, (uint64_t)(open > 0 ? open : 10)), "EUR" };
    d.reason_code = reasons[test_rng_below(&w->rng, 5)];
    d.opened_by = "anna";
    uint64_t before = audit_size(w);
    int rc = archase_dispute_open(w->eng, w->policy, &d, w->today);
    attempt(w, rc, before);
    if (!rc)
        w->disputes++;
}

static void work_dispute(world *w) {
    if (!w->disputes)
        return;
    char id[32];
    snprintf(id, sizeof id, "D-%03d", (int)test_rng_below(&w->rng, (uint64_t)w->disputes));
    uint64_t before = audit_size(w);
    if (test_rng_below(&w->rng, 2)) {
        archase_dispute_change ch = ARCHASE_DISPUTE_CHANGE_INIT;
        ch.id = id;
        ch.status = ARCHASE_DISPUTE_IN_REVIEW;
        ch.by = "lena";
        attempt(w, archase_dispute_update(w->eng, w->policy, &ch, w->today), before);
        return;
    }
    archase_dispute_outcome o = ARCHASE_DISPUTE_OUTCOME_INIT;
    o.id = id;
    o.resolution = 1 + (int)test_rng_below(&w->rng, 3);
    o.root_cause = "random_cause";
    o.by = "lena";
    if (o.resolution != ARCHASE_RESOLUTION_REJECTED)
        o.credited = (archase_money){ 1 + (int64_t)test_rng_below(&w->rng, 50000), "EUR" };
    attempt(w, archase_dispute_resolve(w->eng, w->policy, &o, w->today, NULL, NULL), before);
}

static archase_lifecycle_counts day_end(world *w) {
    archase_lifecycle_counts c;
    memset(&c, 0, sizeof c);
    c.version = ARCHASE_LIFECYCLE_COUNTS_VERSION;
    int rc = archase_lifecycle_update(w->eng, w->policy, w->today, &c);
    if (rc)
        fail_msg("lifecycle: %s", archase_engine_errmsg(w->eng));
    return c;
}

typedef struct tally {
    int by_state[8];
    int total;
} tally;

static int count_promise(void *ud, const archase_promise_info *i) {
    tally *t = ud;
    assert_true(i->state >= ARCHASE_PROMISE_STATE_OPEN && i->state <= ARCHASE_PROMISE_STATE_CANCELLED);
    t->by_state[i->state]++;
    t->total++;
    return 0;
}

static int count_dispute(void *ud, const archase_dispute_info *i) {
    tally *t = ud;
    assert_true(i->dispute->status >= ARCHASE_DISPUTE_OPEN && i->dispute->status <= ARCHASE_DISPUTE_RESOLVED);
    t->by_state[i->dispute->status]++;
    t->total++;
    return 0;
}

typedef struct applied {
    int64_t sum;
} applied;

static int add_applied(void *ud, const archase_fact *f) {
    ((applied *)ud)->sum += f->applied.minor;
    return 0;
}

static void check_money(world *w) {
    for (int i = 0; i < INVOICES; i++) {
        applied a = { 0 };
        archase_fact_filter f = ARCHASE_FACT_FILTER_INIT;
        f.family = ARCHASE_FAMILY_PAYMENT;
        f.invoice_id = invoice_id(i);
        assert_int_equal(archase_facts_scan(w->eng, &f, add_applied, &a), 0);
        int64_t open = open_of(w, i);
        if (a.sum + open != w->invoiced[i])
            fail_msg("%s: applied %lld + open %lld != invoiced %lld", invoice_id(i), (long long)a.sum,
                     (long long)open, (long long)w->invoiced[i]);
    }
}

static void run(uint64_t seed, tally *seen) {
    world w;
    memset(&w, 0, sizeof w);
    test_rng_seed(&w.rng, seed);
    w.last_promise_invoice = -1;
    assert_int_equal(archase_open_memory(NULL, &w.eng), 0);
    assert_int_equal(archase_policy_load_buffer(policy_text, strlen(policy_text), "p.yaml", NULL, &w.policy, NULL), 0);
    archase_date start = 0;
    assert_int_equal(archase_date_parse("2026-03-01", &start), 0);
    const char *names[] = { "ACME", "BETA" };
    for (int c = 0; c < 2; c++) {
        archase_customer cu = ARCHASE_CUSTOMER_INIT;
        cu.id = names[c];
        cu.name = names[c];
        assert_int_equal(archase_customer_put(w.eng, &cu, NULL), 0);
    }
    for (int i = 0; i < INVOICES; i++) {
        archase_invoice inv = ARCHASE_INVOICE_INIT;
        inv.id = invoice_id(i);
        inv.customer_id = customer_of(i);
        inv.issue_date = start - 40;
        inv.due_date = start - 10 + i;
        w.invoiced[i] = 10000 + (int64_t)test_rng_below(&w.rng, 200000);
        inv.amount = (archase_money){ w.invoiced[i], "EUR" };
        assert_int_equal(archase_invoice_put(w.eng, &inv, NULL), 0);
    }
    for (int d = 0; d < DAYS; d++) {
        w.today = start + d;
        int events = (int)test_rng_below(&w.rng, 5);
        for (int e = 0; e < events; e++) {
            switch (test_rng_below(&w.rng, 8)) {
            case 0: pay(&w); break;
            case 7: pay_part_of_a_promise(&w); break;
            case 6: overpay_and_apply(&w); break;
            case 1: promise(&w); break;
            case 2: cancel(&w); break;
            case 3: dispute(&w); break;
            default: work_dispute(&w); break;
            }
        }
        day_end(&w);
        uint64_t before = audit_size(&w);
        archase_lifecycle_counts again = day_end(&w);
        assert_int_equal(again.transitions, 0);
        assert_int_equal(audit_size(&w), before);
        check_money(&w);
    }
    /* long after every deadline: no promise is open; resolve every dispute */
    w.today = start + DAYS + 30;
    day_end(&w);
    for (int k = 0; k < w.disputes; k++) {
        char id[32];
        snprintf(id, sizeof id, "D-%03d", k);
        archase_dispute_outcome o = ARCHASE_DISPUTE_OUTCOME_INIT;
        o.id = id;
        o.resolution = ARCHASE_RESOLUTION_REJECTED;
        o.root_cause = "closing";
        o.by = "lena";
        int rc = archase_dispute_resolve(w.eng, w.policy, &o, w.today, NULL, NULL);
        assert_true(rc == 0 || rc == ARCHASE_ESTATE);
    }
    tally p, d;
    memset(&p, 0, sizeof p);
    memset(&d, 0, sizeof d);
    assert_int_equal(archase_promises_scan(w.eng, NULL, NULL, 0, count_promise, &p), 0);
    assert_int_equal(archase_disputes_scan(w.eng, w.policy, NULL, 0, w.today, count_dispute, &d), 0);
    assert_int_equal(p.total, w.promises);
    assert_int_equal(p.by_state[ARCHASE_PROMISE_STATE_OPEN], 0);
    assert_int_equal(d.total, w.disputes);
    assert_int_equal(d.by_state[ARCHASE_DISPUTE_RESOLVED], w.disputes);
    check_money(&w);
    /* The promise-kept KPI (from the facts) and the stored states agree:
     * kept is kept, partially kept and broken are due and not kept, and a
     * cancelled promise (by a person, or its invoices closed without it) is
     * not due. */
    archase_kpi_options ko = ARCHASE_KPI_OPTIONS_INIT;
    ko.policy = w.policy;
    archase_kpi_report *kr = NULL;
    assert_int_equal(archase_kpi_compute(w.eng, start - 60, w.today, &ko, &kr), 0);
    archase_kpi_value due = { 0, 0, 0 }, kept = { 0, 0, 0 };
    if (p.total > p.by_state[ARCHASE_PROMISE_STATE_CANCELLED]) {
        assert_int_equal(archase_kpi_value_get(kr, 0, ARCHASE_KPI_PROMISES_DUE, &due), 0);
        assert_int_equal(archase_kpi_value_get(kr, 0, ARCHASE_KPI_PROMISES_KEPT, &kept), 0);
    }
    archase_kpi_report_free(kr);
    assert_int_equal(kept.value, p.by_state[ARCHASE_PROMISE_STATE_KEPT]);
    assert_int_equal(due.value, p.by_state[ARCHASE_PROMISE_STATE_KEPT] +
                                    p.by_state[ARCHASE_PROMISE_STATE_PARTIALLY_KEPT] +
                                    p.by_state[ARCHASE_PROMISE_STATE_BROKEN]);
    for (int k = 0; k < 8; k++)
        seen->by_state[k] += p.by_state[k];
    seen->total += d.total;
    archase_audit_report report;
    assert_int_equal(archase_audit_verify(w.eng, NULL, &report), 0);
    archase_policy_free(w.policy);
    archase_engine_free(w.eng);
}

static void random_event_sequences_keep_states_and_money_consistent(void **state) {
    (void)state;
    tally seen;
    memset(&seen, 0, sizeof seen);
    for (uint64_t seed = 1; seed <= 12; seed++)
        run(seed * 7919, &seen);
    /* the sequences reach every end state */
    assert_true(seen.by_state[ARCHASE_PROMISE_STATE_KEPT] > 0);
    assert_true(seen.by_state[ARCHASE_PROMISE_STATE_PARTIALLY_KEPT] > 0);
    assert_true(seen.by_state[ARCHASE_PROMISE_STATE_BROKEN] > 0);
    assert_true(seen.by_state[ARCHASE_PROMISE_STATE_CANCELLED] > 0);
    assert_true(seen.total > 12);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(random_event_sequences_keep_states_and_money_consistent),
};

AR_TEST_MAIN(tests)
