/* tests/test_simulation.c — a deterministic simulation of a customer base
 * driving the daily cycle for 365 days. A seed decides everything: each
 * customer's time zone and payment habit, the invoices issued every month,
 * payments, promises (kept or broken), disputes opened and resolved, holds
 * put on and lifted, approvals given, and a transport that fails (retry,
 * rejection, a timeout after which nobody knows whether it went out). Every
 * day: ingest, approvals, archase_run_cycle, then archase_dispatch every two
 * hours. Invariants, checked every day (the audit log every 30 days):
 *
 *  - no silent drops: every open overdue invoice is accounted for (coverage);
 *  - no message to a customer on hold; no two messages with one key;
 *  - every message goes out inside the send window of the customer's local
 *    time (so outside quiet hours), and no customer gets more than the
 *    policy's cap of messages in any seven days;
 *  - money is conserved: for every invoice, invoiced = paid + open, and the
 *    library's open amounts are the simulation's;
 *  - every sensitive action that went out was approved by a person;
 *  - the audit log verifies;
 *  - the same seed gives the same run, byte for byte (a transcript of every
 *    message and every day's decisions hash).
 *
 * ARCHASE_SIM_SEEDS (default 100; fewer under sanitizers and valgrind) seeds
 * from ARCHASE_SIM_SEED (default 1); `make soak` runs more. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "archase/cycle.h"
#include "support/testutil.h"

#define DAYS 365
#define CUSTOMERS 5
#define MAX_INVOICES 80
#define CAP_PER_7_DAYS 2
#define DAY0 20454 /* 2026-01-01 */

static const char policy_text[] =
    "version: 1\n"
    "currency: {default: EUR}\n"
    "segments: [{name: all, sequence: standard}]\n"
    "sequences:\n"
    "  standard:\n"
    "    roll: none\n"
    "    steps:\n"
    "      - {offset: 1, channel: email, template: overdue}\n"
    "      - {offset: 10, channel: email, template: overdue}\n"
    "      - {offset: 20, channel: email, template: overdue}\n"
    "      - {offset: 35, action: credit_hold}\n"
    "call_queue: {enabled: false}\n"
    "guardrails:\n"
    "  max_touches_per_7_days: 2\n"
    "  min_days_between_touches: 2\n"
    "  quiet_hours: {start: \"20:00\", end: \"08:00\"}\n"
    "  send_window: {start: \"09:00\", end: \"17:00\", days: [mon, tue, wed, thu, fri, sat, sun]}\n"
    "  business_days_only: false\n"
    "  timezone: UTC\n"
    "payment_patterns: {enabled: false}\n"
    "approvals: {materiality: [1000000 EUR], roles: [finance_lead, controller], expiry_days: 30}\n"
    "delivery: {max_attempts: 3, retry_backoff_minutes: 60, digest_weekday: none}\n"
    "templates:\n"
    "  definitions:\n"
    "    overdue:\n"
    "      stage: overdue\n"
    "      tone: firm\n"
    "      email: {en: {subject: \"Invoice {{ invoice.number }} is overdue\",\n"
    "                   body: \"Dear {{ customer.name }}, {{ totals.open_amount | money }} is open. {{ links.pay_now }}\"}}\n";

static const char *const zones[] = { "UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo" };
#define ZONES 4

typedef struct sim_invoice {
    char         id[16];
    int          customer;
    archase_date issued, due;
    int64_t      amount, paid;
    archase_date pay_on;        /* when the customer pays in full */
    archase_date dispute_on;    /* ARCHASE_DATE_NONE = never */
    archase_date promise_on;    /* ARCHASE_DATE_NONE = never */
    int          promise_kept;
} sim_invoice;

typedef struct sim_customer {
    char         id[8];
    int          zone;
    int          delay;          /* days after the due date it usually pays */
    int          keeps_promises; /* percent */
    archase_date hold_from, hold_to; /* [from, to) of the current or next hold */
    int64_t      flags_revision;
    int          on_hold;
    archase_date sent_days[64];  /* local dates of messages, a ring */
    int          sent_count;
} sim_customer;

typedef struct sim {
    test_rng        rng;
    archase_engine *eng;
    archase_policy *policy;
    archase_tz     *tz[ZONES];
    archase_instant now;
    archase_date    today;
    sim_customer    customers[CUSTOMERS];
    sim_invoice     invoices[MAX_INVOICES];
    int             invoice_count;
    /* the transport's world */
    char          (*delivered)[ARCHASE_IDEMPOTENCY_KEY_MAX];
    size_t          delivered_count, delivered_cap;
    char            problem[400];
    /* the transcript */
    uint8_t        *transcript;
    size_t          transcript_len, transcript_cap;
    uint64_t        messages, failures, in_doubt, approvals, payments, promises, disputes, holds;
} sim;

static uint64_t below(sim *s, uint64_t n) {
    return test_rng_below(&s->rng, n);
}

static void note(sim *s, const void *data, size_t len) {
    if (s->transcript_len + len > s->transcript_cap) {
        size_t cap = s->transcript_cap ? s->transcript_cap * 2 : 65536;
        while (cap < s->transcript_len + len)
            cap *= 2;
        s->transcript = realloc(s->transcript, cap);
        assert_non_null(s->transcript);
        s->transcript_cap = cap;
    }
    memcpy(s->transcript + s->transcript_len, data, len);
    s->transcript_len += len;
}

static void problem(sim *s, const char *what, const char *detail) {
    if (!s->problem[0])
        snprintf(s->problem, sizeof s->problem, "day %d: %s: %s", (int)(s->today - DAY0), what, detail);
}

/* ---- the transport: the customers' side of the channel -------------------------- */

static int was_delivered(const sim *s, const char *key) {
    for (size_t i = 0; i < s->delivered_count; i++)
        if (!strcmp(s->delivered[i], key))
            return 1;
    return 0;
}

static int customer_index(const char *id) {
    return id && id[0] == 'S' ? id[1] - '0' : -1;
}

static int sim_send(void *ud, const archase_message *m, int *result, char *detail, size_t size) {
    sim *s = ud;
    int c = customer_index(m->customer_id);
    if (m->channel != ARCHASE_CHANNEL_INTERNAL && c >= 0 && c < CUSTOMERS) {
        sim_customer *cu = &s->customers[c];
        if (cu->on_hold)
            problem(s, "a message to a customer on hold", m->idempotency_key);
        if (was_delivered(s, m->idempotency_key))
            problem(s, "a message delivered twice", m->idempotency_key);
        archase_local_time lt;
        if (archase_tz_to_local(s->tz[cu->zone], s->now, &lt))
            problem(s, "local time", m->idempotency_key);
        else if (lt.seconds_of_day < 9 * 3600 || lt.seconds_of_day >= 17 * 3600)
            problem(s, "a message outside the send window", m->idempotency_key);
        /* Seven local days: no more than the cap. */
        int recent = 1;
        for (int i = 0; i < cu->sent_count && i < 64; i++)
            if (lt.date - cu->sent_days[i] < 7)
                recent++;
        if (recent > CAP_PER_7_DAYS)
            problem(s, "more messages in seven days than the cap", m->idempotency_key);
        uint64_t roll = below(s, 100);
        if (roll < 5) {
            *result = ARCHASE_SEND_RETRY;
            snprintf(detail, size, "421 try later");
            s->failures++;
            return 0;
        }
        if (roll < 7) {
            /* A timeout after the data went out: delivered or not. */
            *result = ARCHASE_SEND_UNKNOWN;
            s->in_doubt++;
            if (roll == 6)
                return 0;
        } else {
            *result = ARCHASE_SEND_SENT;
        }
        cu->sent_days[cu->sent_count % 64] = lt.date;
        cu->sent_count++;
    } else {
        *result = ARCHASE_SEND_SENT;
    }
    if (s->delivered_count == s->delivered_cap) {
        s->delivered_cap = s->delivered_cap ? s->delivered_cap * 2 : 256;
        s->delivered = realloc(s->delivered, s->delivered_cap * sizeof *s->delivered);
        assert_non_null(s->delivered);
    }
    snprintf(s->delivered[s->delivered_count++], ARCHASE_IDEMPOTENCY_KEY_MAX, "%s", m->idempotency_key);
    s->messages++;
    char line[256];
    int n = snprintf(line, sizeof line, "%lld %s %s\n", (long long)s->now, m->idempotency_key,
                     m->customer_id ? m->customer_id : "-");
    note(s, line, (size_t)n);
    return 0;
}

static int sim_lookup(void *ud, const char *key, int *result) {
    sim *s = ud;
    *result = was_delivered(s, key) ? ARCHASE_LOOKUP_SENT : ARCHASE_LOOKUP_NOT_SENT;
    return 0;
}

static archase_instant sim_clock(void *ud) {
    return ((sim *)ud)->now;
}

/* ---- the world ---------------------------------------------------------------------- */

static archase_money eur(int64_t minor) {
    archase_money m = { minor, "EUR" };
    return m;
}

static void check(sim *s, int rc, const char *what) {
    if (rc)
        fail_msg("day %d: %s: %s: %s", (int)(s->today - DAY0), what, archase_error_name(rc),
                 archase_engine_errmsg(s->eng));
}

static void create_world(sim *s) {
    archase_batch *b = NULL;
    check(s, archase_batch_begin(s->eng, NULL, "customers", &b), "batch");
    for (int c = 0; c < CUSTOMERS; c++) {
        sim_customer *cu = &s->customers[c];
        snprintf(cu->id, sizeof cu->id, "S%d", c);
        cu->zone = (int)below(s, ZONES);
        cu->delay = (int)below(s, 50) - 5;
        cu->keeps_promises = (int)below(s, 101);
        cu->hold_from = cu->hold_to = ARCHASE_DATE_NONE;
        archase_customer cus = ARCHASE_CUSTOMER_INIT;
        cus.id = cu->id;
        cus.name = cu->id;
        cus.owner = "olga";
        cus.timezone = zones[cu->zone];
        check(s, archase_batch_add_customer(b, &cus, 0), "customer");
        char kid[16];
        snprintf(kid, sizeof kid, "%s-mail", cu->id);
        archase_contact k = ARCHASE_CONTACT_INIT;
        k.id = kid;
        k.customer_id = cu->id;
        k.channel = ARCHASE_CHANNEL_EMAIL;
        k.address = "ap@example.com";
        k.consent = 1;
        k.primary = 1;
        check(s, archase_batch_add_contact(b, &k, 0), "contact");
    }
    check(s, archase_batch_commit(b, NULL), "commit");
    archase_batch_free(b);
}

/* The day's facts, in one batch. */
static void ingest(sim *s) {
    archase_date d = s->today;
    archase_batch *b = NULL;
    check(s, archase_batch_begin(s->eng, NULL, "day", &b), "batch");
    for (int c = 0; c < CUSTOMERS; c++) {
        sim_customer *cu = &s->customers[c];
        /* A new invoice every 30 days per customer. */
        if ((d - DAY0 + c * 6) % 30 == 0 && s->invoice_count < MAX_INVOICES) {
            sim_invoice *iv = &s->invoices[s->invoice_count++];
            snprintf(iv->id, sizeof iv->id, "%s-%02d", cu->id, s->invoice_count);
            iv->customer = c;
            iv->issued = d;
            iv->due = d + 30;
            iv->amount = 10000 + (int64_t)below(s, 490000);
            iv->paid = 0;
            iv->pay_on = iv->due + cu->delay + (int)below(s, 11) - 5;
            iv->dispute_on = below(s, 100) < 8 ? iv->due + 3 : ARCHASE_DATE_NONE;
            iv->promise_on = below(s, 100) < 25 ? iv->due + 8 : ARCHASE_DATE_NONE;
            iv->promise_kept = (int)below(s, 100) < cu->keeps_promises;
            if (iv->pay_on <= d)
                iv->pay_on = d + 1;
            archase_invoice inv = ARCHASE_INVOICE_INIT;
            inv.id = iv->id;
            inv.customer_id = cu->id;
            inv.number = iv->id;
            inv.issue_date = iv->issued;
            inv.due_date = iv->due;
            inv.amount = eur(iv->amount);
            check(s, archase_batch_add_invoice(b, &inv, 0), "invoice");
        }
        /* Holds: ten days now and then. */
        if (cu->hold_from == ARCHASE_DATE_NONE && below(s, 100) < 2) {
            cu->hold_from = d;
            cu->hold_to = d + 10;
        }
        int hold = cu->hold_from != ARCHASE_DATE_NONE && d >= cu->hold_from && d < cu->hold_to;
        if (hold != cu->on_hold) {
            archase_customer_flags f = ARCHASE_CUSTOMER_FLAGS_INIT;
            f.customer_id = cu->id;
            f.revision = ++cu->flags_revision;
            f.hold = hold;
            f.reason = hold ? "restructuring talks" : NULL;
            check(s, archase_batch_add_customer_flags(b, &f, 0), "flags");
            cu->on_hold = hold;
            s->holds += hold;
            if (!hold)
                cu->hold_from = cu->hold_to = ARCHASE_DATE_NONE;
        }
    }
    for (int i = 0; i < s->invoice_count; i++) {
        sim_invoice *iv = &s->invoices[i];
        sim_customer *cu = &s->customers[iv->customer];
        const char *const ids[] = { iv->id };
        int64_t open = iv->amount - iv->paid;
        if (open <= 0)
            continue;
        if (iv->dispute_on == d || iv->dispute_on + 14 == d) {
            archase_dispute dp = ARCHASE_DISPUTE_INIT;
            char id[24];
            snprintf(id, sizeof id, "D-%s", iv->id);
            dp.id = id;
            dp.customer_id = cu->id;
            dp.invoice_ids = ids;
            dp.invoice_count = 1;
            dp.amount = eur(iv->amount / 2);
            dp.reason_code = "pricing";
            dp.opened_on = iv->dispute_on;
            if (d != iv->dispute_on) { /* resolved: the price was right */
                dp.revision = 1;
                dp.status = ARCHASE_DISPUTE_RESOLVED;
                dp.resolution = ARCHASE_RESOLUTION_REJECTED;
                dp.root_cause = "customer_error";
                dp.resolved_on = d;
            } else {
                s->disputes++;
            }
            check(s, archase_batch_add_dispute(b, &dp, 0), "dispute");
        }
        if (iv->promise_on == d) {
            archase_promise p = ARCHASE_PROMISE_INIT;
            char id[24];
            snprintf(id, sizeof id, "PTP-%s", iv->id);
            p.id = id;
            p.customer_id = cu->id;
            p.invoice_ids = ids;
            p.invoice_count = 1;
            p.amount = eur(open);
            p.promised_date = d + 7;
            p.recorded_on = d;
            p.taken_by = "bob";
            check(s, archase_batch_add_promise(b, &p, 0), "promise");
            s->promises++;
            if (iv->promise_kept)
                iv->pay_on = d + 7;
            else if (iv->pay_on <= d + 9)
                iv->pay_on = d + 20;
        }
        if (iv->pay_on == d) {
            /* Sometimes in two parts, ten days apart. */
            int64_t pay = open;
            if (iv->paid == 0 && below(s, 100) < 20) {
                pay = open / 2;
                iv->pay_on = d + 10;
            }
            archase_payment p = ARCHASE_PAYMENT_INIT;
            char id[24];
            snprintf(id, sizeof id, "P-%s-%d", iv->id, iv->paid ? 2 : 1);
            p.id = id;
            p.customer_id = cu->id;
            p.invoice_id = iv->id;
            p.date = d;
            p.amount = eur(pay);
            check(s, archase_batch_add_payment(b, &p, 0), "payment");
            iv->paid += pay;
            s->payments++;
        }
    }
    check(s, archase_batch_commit(b, NULL), "day's batch");
    archase_batch_free(b);
}

typedef struct pending {
    char ids[32][ARCHASE_APPROVAL_ID_MAX];
    int  n;
} pending;

static int collect(void *ud, const archase_approval_info *info) {
    pending *p = ud;
    if (p->n < 32)
        snprintf(p->ids[p->n++], ARCHASE_APPROVAL_ID_MAX, "%s", info->id);
    return 0;
}

static void approve(sim *s) {
    pending p;
    memset(&p, 0, sizeof p);
    check(s, archase_approvals_scan(s->eng, ARCHASE_APPROVAL_PENDING, collect, &p), "approvals");
    for (int i = 0; i < p.n; i++) {
        if (below(s, 100) < 50)
            continue; /* not today */
        archase_approval_vote v = ARCHASE_APPROVAL_VOTE_INIT;
        v.actor = "fiona";
        v.role = "finance_lead";
        v.reason = "agreed with sales";
        int rc = below(s, 100) < 80 ? archase_approval_approve(s->eng, p.ids[i], &v, NULL)
                                    : archase_approval_reject(s->eng, p.ids[i], &v, NULL);
        if (rc == ARCHASE_EDENIED || rc == ARCHASE_EEXPIRED || rc == ARCHASE_ESTATE)
            rc = 0;
        check(s, rc, "approval");
        s->approvals++;
    }
}

/* ---- the daily checks --------------------------------------------------------------- */

typedef struct money_check {
    sim    *s;
    int64_t invoiced, open, paid;
} money_check;

static int invoice_fn(void *ud, const archase_fact *f) {
    money_check *m = ud;
    m->invoiced += f->invoice->amount.minor;
    m->open += f->invoice_state->open_amount.minor;
    for (int i = 0; i < m->s->invoice_count; i++) {
        const sim_invoice *iv = &m->s->invoices[i];
        if (!strcmp(iv->id, f->invoice->id) && f->invoice_state->open_amount.minor != iv->amount - iv->paid) {
            char detail[120];
            snprintf(detail, sizeof detail, "%s open %lld, expected %lld", iv->id,
                     (long long)f->invoice_state->open_amount.minor, (long long)(iv->amount - iv->paid));
            problem(m->s, "an open amount is not what was invoiced less what was paid", detail);
        }
    }
    return 0;
}

static int payment_fn(void *ud, const archase_fact *f) {
    money_check *m = ud;
    m->paid += f->applied.minor;
    return 0;
}

static void check_money(sim *s) {
    money_check m = { s, 0, 0, 0 };
    archase_fact_filter f = ARCHASE_FACT_FILTER_INIT;
    f.family = ARCHASE_FAMILY_INVOICE;
    check(s, archase_facts_scan(s->eng, &f, invoice_fn, &m), "invoices");
    f.family = ARCHASE_FAMILY_PAYMENT;
    check(s, archase_facts_scan(s->eng, &f, payment_fn, &m), "payments");
    if (m.invoiced != m.paid + m.open) {
        char detail[160];
        snprintf(detail, sizeof detail, "invoiced %lld, paid %lld, open %lld", (long long)m.invoiced,
                 (long long)m.paid, (long long)m.open);
        problem(s, "money not conserved", detail);
    }
}

static void check_coverage(sim *s) {
    archase_snapshot *snap = NULL;
    archase_decisions *ds = NULL;
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = s->policy;
    check(s, archase_snapshot_load(s->eng, s->today, &so, &snap), "snapshot");
    check(s, archase_evaluate(snap, s->policy, s->today, NULL, &ds), "evaluate");
    archase_coverage cov = ARCHASE_COVERAGE_INIT;
    check(s, archase_coverage_report(ds, &cov), "coverage");
    uint64_t states = 0;
    for (int i = 0; i < ARCHASE_COVERAGE_STATE_LIMIT; i++)
        states += cov.by_state[i];
    if (cov.unaccounted || states != cov.overdue_invoices)
        problem(s, "a silent drop", "an overdue invoice in no state");
    archase_decisions_free(ds);
    archase_snapshot_free(snap);
}

static int approval_status(void *ud, const archase_approval_info *info) {
    *(int *)ud = info->status;
    return 0;
}

static int sensitive_fn(void *ud, const archase_outbox_item *item) {
    sim *s = ud;
    if (!archase_action_is_sensitive(item->action) || item->status != ARCHASE_OUTBOX_SENT)
        return 0;
    int status = 0;
    if (!item->approval_id || archase_approval_get(s->eng, item->approval_id, approval_status, &status) ||
        (status != ARCHASE_APPROVAL_APPROVED && status != ARCHASE_APPROVAL_DISPATCHED))
        problem(s, "a sensitive action went out unapproved", item->id);
    return 0;
}

static void check_audit(sim *s) {
    archase_audit_report report;
    int rc = archase_audit_verify(s->eng, NULL, &report);
    if (rc)
        problem(s, "the audit log does not verify", rc == ARCHASE_EVERIFY ? report.message : archase_error_name(rc));
}

/* ---- one run ---------------------------------------------------------------------------- */

typedef struct run_result {
    uint8_t  transcript[32];
    uint64_t messages, failures, in_doubt, approvals, payments, promises, disputes, holds;
} run_result;

static void run(uint64_t seed, run_result *out) {
    sim *s = calloc(1, sizeof *s);
    assert_non_null(s);
    test_rng_seed(&s->rng, seed);
    archase_clock clock = { ARCHASE_CLOCK_VERSION, s, sim_clock };
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    o.clock = &clock;
    o.actor = "cycle";
    s->now = (archase_instant)DAY0 * 86400;
    s->today = DAY0;
    assert_int_equal(archase_open_memory(&o, &s->eng), 0);
    assert_int_equal(archase_policy_load_buffer(policy_text, sizeof policy_text - 1, "sim.yaml", NULL, &s->policy,
                                                NULL),
                     0);
    for (int z = 0; z < ZONES; z++)
        assert_int_equal(archase_tz_load(zones[z], NULL, &s->tz[z]), 0);
    archase_transport t = { ARCHASE_TRANSPORT_VERSION, s, sim_send, sim_lookup, NULL };
    assert_int_equal(archase_engine_set_transport(s->eng, &t), 0);
    create_world(s);
    archase_cycle_options co = ARCHASE_CYCLE_OPTIONS_INIT;
    co.dispatch = 0;
    for (int day = 0; day < DAYS && !s->problem[0]; day++) {
        s->today = DAY0 + day;
        s->now = (archase_instant)s->today * 86400;
        ingest(s);
        approve(s);
        s->now += 1800;
        archase_cycle_report report;
        memset(&report, 0, sizeof report);
        report.version = ARCHASE_CYCLE_REPORT_VERSION;
        check(s, archase_run_cycle(s->eng, s->policy, s->today, &co, &report), "cycle");
        note(s, report.decisions_hash, 32);
        for (int hour = 1; hour < 24; hour += 2) {
            s->now = (archase_instant)s->today * 86400 + hour * 3600;
            check(s, archase_dispatch(s->eng, NULL, NULL), "dispatch");
        }
        check_money(s);
        check_coverage(s);
        if (day % 30 == 29)
            check_audit(s);
    }
    check(s, archase_outbox_scan(s->eng, 0, sensitive_fn, s), "outbox");
    check_audit(s);
    if (s->problem[0])
        fail_msg("seed %llu: %s", (unsigned long long)seed, s->problem);
    assert_int_equal(archase_sha256(s->transcript, s->transcript_len, out->transcript), 0);
    out->messages = s->messages;
    out->failures = s->failures;
    out->in_doubt = s->in_doubt;
    out->approvals = s->approvals;
    out->payments = s->payments;
    out->promises = s->promises;
    out->disputes = s->disputes;
    out->holds = s->holds;
    for (int z = 0; z < ZONES; z++)
        archase_tz_free(s->tz[z]);
    archase_policy_free(s->policy);
    archase_engine_free(s->eng);
    free(s->delivered);
    free(s->transcript);
    free(s);
}

static unsigned env_number(const char *name, unsigned fallback) {
    const char *text = getenv(name);
    return text && *text ? (unsigned)strtoul(text, NULL, 10) : fallback;
}

static int instrumented(void) {
#if defined(__SANITIZE_ADDRESS__)
    return 1;
#else
    const char *preload = getenv("LD_PRELOAD");
    return preload && strstr(preload, "valgrind") ? 2 : 0;
#endif
}

static void a_year_of_a_seeded_customer_base_keeps_every_invariant(void **state) {
    (void)state;
    int slow = instrumented();
    unsigned seeds = env_number("ARCHASE_SIM_SEEDS", slow == 2 ? 2 : slow ? 10 : 100);
    uint64_t first = env_number("ARCHASE_SIM_SEED", 1);
    run_result total = { { 0 }, 0, 0, 0, 0, 0, 0, 0, 0 };
    for (uint64_t seed = first; seed < first + seeds; seed++) {
        run_result r;
        run(seed, &r);
        total.messages += r.messages;
        total.failures += r.failures;
        total.in_doubt += r.in_doubt;
        total.approvals += r.approvals;
        total.payments += r.payments;
        total.promises += r.promises;
        total.disputes += r.disputes;
        total.holds += r.holds;
        if (seed == first) {
            /* The same seed again: the same run, byte for byte. */
            run_result again;
            run(seed, &again);
            assert_memory_equal(r.transcript, again.transcript, 32);
        }
    }
    print_message("# %u seeds x %d days: %llu messages, %llu transport failures, %llu in doubt, %llu approvals "
                  "decided, %llu payments, %llu promises, %llu disputes, %llu holds; every invariant held every day\n",
                  seeds, DAYS, (unsigned long long)total.messages, (unsigned long long)total.failures,
                  (unsigned long long)total.in_doubt, (unsigned long long)total.approvals,
                  (unsigned long long)total.payments, (unsigned long long)total.promises,
                  (unsigned long long)total.disputes, (unsigned long long)total.holds);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(a_year_of_a_seeded_customer_base_keeps_every_invariant),
};

AR_TEST_MAIN(tests)
