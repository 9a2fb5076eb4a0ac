/* tests/test_evaluate_properties.c — properties of evaluation over random
 * ledgers: the same inputs give the same bytes (twice, and on the memory and
 * SQLite stores alike), every open overdue invoice is accounted for exactly
 * once, a customer on hold or paused gets no message, no customer gets two
 * messages on one channel on one day (over weeks of daily runs), every key
 * is unique and a sensitive action is only ever a request for approval. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archase/archase.h"
#include "engine/apply.h"
#include "support/testutil.h"

#define ZONES 5
static const char *const zones[ZONES] = { "Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC",
                                          "Mars/Olympus_Mons" };

typedef struct gen {
    test_rng     rng;
    int          customers;
    int          invoices;
    archase_date as_of;
} gen;

static int chance(gen *g, int percent) {
    return (int)test_rng_below(&g->rng, 100) < percent;
}

static void put_ledger(gen *g, archase_engine *eng) {
    archase_batch *b = NULL;
    assert_int_equal(archase_batch_begin(eng, NULL, "random", &b), 0);
    char id[32], id2[96], owner[32], collector[32];
    for (int c = 0; c < g->customers; c++) {
        archase_customer cu = ARCHASE_CUSTOMER_INIT;
        snprintf(id, sizeof id, "C%05d", c);
        snprintf(owner, sizeof owner, "owner%d", (int)test_rng_below(&g->rng, 7));
        snprintf(collector, sizeof collector, "collector%d", (int)test_rng_below(&g->rng, 5));
        cu.id = id;
        cu.name = id;
        cu.owner = chance(g, 90) ? owner : NULL;
        cu.collector = chance(g, 90) ? collector : NULL;
        cu.tier = chance(g, 10) ? "platinum" : chance(g, 20) ? "gold" : "silver";
        cu.timezone = chance(g, 80) ? zones[test_rng_below(&g->rng, ZONES)] : NULL;
        if (chance(g, 50)) {
            cu.credit_limit.minor = (int64_t)(1 + test_rng_below(&g->rng, 100)) * 100000;
            memcpy(cu.credit_limit.currency, "USD", 4);
        }
        assert_int_equal(archase_batch_add_customer(b, &cu, 0), 0);
        archase_contact k = ARCHASE_CONTACT_INIT;
        snprintf(id2, sizeof id2, "%s-mail", id);
        k.id = id2;
        k.customer_id = id;
        k.channel = ARCHASE_CHANNEL_EMAIL;
        k.address = "ap@example.com";
        k.consent = chance(g, 90);
        assert_int_equal(archase_batch_add_contact(b, &k, 0), 0);
        if (chance(g, 40)) {
            snprintf(id2, sizeof id2, "%s-post", id);
            k.channel = ARCHASE_CHANNEL_LETTER;
            k.consent = 1;
            assert_int_equal(archase_batch_add_contact(b, &k, 0), 0);
            snprintf(id2, sizeof id2, "%s-portal", id);
            k.channel = ARCHASE_CHANNEL_PORTAL;
            assert_int_equal(archase_batch_add_contact(b, &k, 0), 0);
        }
        if (chance(g, 25)) {
            archase_customer_flags f = ARCHASE_CUSTOMER_FLAGS_INIT;
            f.customer_id = id;
            f.hold = chance(g, 30);
            f.expansion = chance(g, 20);
            f.strategic = chance(g, 30);
            f.service_issue = chance(g, 20);
            if (chance(g, 30))
                f.paused_until = g->as_of + (archase_date)test_rng_below(&g->rng, 40) - 10;
            assert_int_equal(archase_batch_add_customer_flags(b, &f, 0), 0);
        }
    }
    for (int i = 0; i < g->invoices; i++) {
        int c = (int)test_rng_below(&g->rng, (uint64_t)g->customers);
        archase_invoice inv = ARCHASE_INVOICE_INIT;
        snprintf(id, sizeof id, "C%05d", c);
        snprintf(id2, sizeof id2, "I%06d", i);
        inv.id = id2;
        inv.customer_id = id;
        inv.number = id2;
        inv.due_date = g->as_of - 150 + (archase_date)test_rng_below(&g->rng, 180);
        inv.issue_date = inv.due_date - 30;
        int currency = (int)test_rng_below(&g->rng, 20);
        memcpy(inv.amount.currency, currency < 17 ? "USD" : currency < 19 ? "EUR" : "JPY", 4);
        inv.amount.minor = (int64_t)(1 + test_rng_below(&g->rng, 60000)) * 100;
        inv.po_ref = chance(g, 70) ? "PO" : NULL;
        assert_int_equal(archase_batch_add_invoice(b, &inv, 0), 0);
        archase_date paid_on = inv.due_date + (archase_date)test_rng_below(&g->rng, 90) - 20;
        if (paid_on <= g->as_of && chance(g, 55)) {
            archase_payment p = ARCHASE_PAYMENT_INIT;
            char pid[64];
            snprintf(pid, sizeof pid, "P%06d", i);
            p.id = pid;
            p.customer_id = id;
            p.invoice_id = id2;
            p.date = paid_on < inv.issue_date ? inv.issue_date : paid_on;
            p.amount = inv.amount;
            if (chance(g, 25))
                p.amount.minor = inv.amount.minor / 2;
            assert_int_equal(archase_batch_add_payment(b, &p, 0), 0);
        }
        if (chance(g, 6)) {
            archase_promise pr = ARCHASE_PROMISE_INIT;
            char pid[64];
            const char *invoices[1] = { id2 };
            snprintf(pid, sizeof pid, "PTP%06d", i);
            pr.id = pid;
            pr.customer_id = id;
            pr.invoice_ids = invoices;
            pr.invoice_count = 1;
            pr.amount = inv.amount;
            pr.recorded_on = g->as_of - (archase_date)test_rng_below(&g->rng, 30);
            pr.promised_date = pr.recorded_on + (archase_date)test_rng_below(&g->rng, 30);
            assert_int_equal(archase_batch_add_promise(b, &pr, 0), 0);
        }
        if (chance(g, 5)) {
            archase_dispute d = ARCHASE_DISPUTE_INIT;
            char did[64];
            const char *invoices[1] = { id2 };
            snprintf(did, sizeof did, "D%06d", i);
            d.id = did;
            d.customer_id = id;
            d.invoice_ids = invoices;
            d.invoice_count = 1;
            d.amount = inv.amount;
            if (chance(g, 50))
                d.amount.minor = inv.amount.minor / 3 + 1;
            d.reason_code = chance(g, 50) ? "pricing" : "missing_po";
            d.opened_on = g->as_of - (archase_date)test_rng_below(&g->rng, 60);
            assert_int_equal(archase_batch_add_dispute(b, &d, 0), 0);
        }
    }
    archase_batch_summary sum = ARCHASE_BATCH_SUMMARY_INIT;
    assert_int_equal(archase_batch_commit(b, &sum), 0);
    archase_batch_free(b);
}

static archase_policy *policy_named(const char *name) {
    const char *root = getenv("ARCHASE_SOURCE_ROOT");
    char path[2048];
    snprintf(path, sizeof path, "%s/examples/policies/%s", root ? root : ".", name);
    archase_policy *p = NULL;
    assert_int_equal(archase_policy_load_file(path, NULL, &p, NULL), 0);
    return p;
}

static archase_decisions *evaluate(archase_engine *eng, const archase_policy *policy, archase_date as_of,
                                   archase_snapshot **snap) {
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = policy;
    assert_int_equal(archase_snapshot_load(eng, as_of, &so, snap), 0);
    archase_decisions *ds = NULL;
    assert_int_equal(archase_evaluate(*snap, policy, as_of, NULL, &ds), 0);
    return ds;
}

/* Customers on hold or paused on `as_of` (the examples skip them). */
typedef struct holds {
    char ids[4096][8];
    size_t n;
    archase_date as_of;
} holds;

static int collect_hold(void *userdata, const archase_fact *f) {
    holds *h = userdata;
    int paused = f->flags->paused_until != ARCHASE_DATE_NONE && f->flags->paused_until >= h->as_of;
    if ((f->flags->hold || paused) && h->n < 4096)
        snprintf(h->ids[h->n++], sizeof h->ids[0], "%s", f->flags->customer_id);
    return 0;
}

static int on_hold(const holds *h, const char *customer) {
    for (size_t i = 0; i < h->n; i++)
        if (!strcmp(h->ids[i], customer))
            return 1;
    return 0;
}

/* What was sent: customer, channel and local day of every message. */
typedef struct sent {
    char         customer[16];
    int          channel;
    archase_date day;
} sent;

static int cmp_sent(const void *a, const void *b) {
    const sent *x = a, *y = b;
    int c = strcmp(x->customer, y->customer);
    if (c)
        return c;
    if (x->channel != y->channel)
        return x->channel - y->channel;
    return (x->day > y->day) - (x->day < y->day);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The properties every single evaluation keeps. */
static void check_one(archase_engine *eng, archase_decisions *ds, archase_date as_of, sent **log, size_t *log_n,
                      size_t *log_cap) {
    holds *h = calloc(1, sizeof *h);
    h->as_of = as_of;
    archase_fact_filter ff = ARCHASE_FACT_FILTER_INIT;
    ff.family = ARCHASE_FAMILY_FLAGS;
    assert_int_equal(archase_facts_scan(eng, &ff, collect_hold, h), 0);
    size_t n = archase_decisions_count(ds);
    const char **keys = calloc(n ? n : 1, sizeof *keys);
    for (size_t i = 0; i < n; i++) {
        archase_decision d = ARCHASE_DECISION_INIT;
        assert_int_equal(archase_decision_get(ds, i, &d), 0);
        keys[i] = d.key;
        if (d.action && archase_action_is_sensitive(d.action) && d.kind != ARCHASE_DECISION_SKIP &&
            d.kind != ARCHASE_DECISION_WAIT)
            assert_int_equal(d.kind, ARCHASE_DECISION_REQUEST_APPROVAL);
        if (d.kind != ARCHASE_DECISION_SEND_MESSAGE)
            continue;
        assert_false(on_hold(h, d.customer_id));
        assert_non_null(d.contact_id);
        assert_true(d.local_date >= as_of);
        if (*log_n == *log_cap) {
            *log_cap = *log_cap ? *log_cap * 2 : 1024;
            *log = realloc(*log, *log_cap * sizeof **log);
        }
        sent *s = &(*log)[(*log_n)++];
        snprintf(s->customer, sizeof s->customer, "%s", d.customer_id);
        s->channel = d.channel;
        s->day = d.local_date;
    }
    qsort(keys, n, sizeof *keys, cmp_str);
    for (size_t i = 1; i < n; i++)
        assert_string_not_equal(keys[i - 1], keys[i]);
    free(keys);
    /* Coverage: every open overdue invoice in exactly one state. */
    archase_coverage cov = ARCHASE_COVERAGE_INIT;
    assert_int_equal(archase_coverage_report(ds, &cov), 0);
    assert_int_equal(cov.unaccounted, 0);
    uint64_t states = 0, overdue = 0;
    for (int s = 1; s < ARCHASE_COVERAGE_STATE_LIMIT; s++)
        states += cov.by_state[s];
    assert_int_equal(states, cov.overdue_invoices);
    for (size_t i = 0; i < archase_assessment_count(ds); i++) {
        archase_invoice_assessment a = ARCHASE_INVOICE_ASSESSMENT_INIT;
        assert_int_equal(archase_assessment_get(ds, i, &a), 0);
        assert_true(a.coverage >= ARCHASE_COVERAGE_ACTIVE && a.coverage <= ARCHASE_COVERAGE_EXCEPTION);
        if (a.days_overdue > 0) {
            overdue++;
            assert_true(a.reason > 0);
            if (a.coverage == ARCHASE_COVERAGE_HOLD || a.coverage == ARCHASE_COVERAGE_EXCEPTION)
                assert_non_null(archase_reason_name(a.reason));
        }
        assert_true(a.score >= 0 && a.score <= 1000);
    }
    assert_int_equal(overdue, cov.overdue_invoices);
    free(h);
}

static void run_days(const char *policy_name, uint64_t seed, int customers, int invoices, int days) {
    gen g;
    test_rng_seed(&g.rng, seed);
    g.customers = customers;
    g.invoices = invoices;
    assert_int_equal(archase_date_parse("2026-03-02", &g.as_of), 0);
    archase_engine *eng = NULL;
    assert_int_equal(archase_open_memory(NULL, &eng), 0);
    put_ledger(&g, eng);
    archase_policy *policy = policy_named(policy_name);
    sent *log = NULL;
    size_t log_n = 0, log_cap = 0;
    for (int dday = 0; dday < days; dday++) {
        archase_date as_of = g.as_of + dday;
        archase_snapshot *snap = NULL;
        archase_decisions *ds = evaluate(eng, policy, as_of, &snap);
        check_one(eng, ds, as_of, &log, &log_n, &log_cap);
        assert_int_equal(ar_apply_cadence(eng, ds), 0);
        archase_decisions_free(ds);
        archase_snapshot_free(snap);
    }
    /* Never two messages to one customer on one channel on one day. */
    qsort(log, log_n, sizeof *log, cmp_sent);
    for (size_t i = 1; i < log_n; i++)
        assert_true(cmp_sent(&log[i - 1], &log[i]) != 0);
    assert_true(log_n > 0); /* the ledger does make messages */
    free(log);
    archase_policy_free(policy);
    archase_engine_free(eng);
}

static void weeks_of_daily_runs_keep_every_guardrail_enterprise(void **state) {
    (void)state;
    run_days("enterprise-formal.yaml", 11, 300, 3000, test_rounds(45, 3)); /* 15 days under valgrind */
}

static void weeks_of_daily_runs_keep_every_guardrail_smb(void **state) {
    (void)state;
    run_days("smb-friendly.yaml", 12, 300, 3000, test_rounds(45, 3));
}

static void many_random_ledgers_leave_no_invoice_unaccounted(void **state) {
    (void)state;
    /* 20 ledgers; 5 under valgrind. */
    for (uint64_t seed = 100; seed < 100 + (uint64_t)test_rounds(20, 4); seed++) {
        gen g;
        test_rng_seed(&g.rng, seed);
        g.customers = 50 + (int)test_rng_below(&g.rng, 200);
        g.invoices = 200 + (int)test_rng_below(&g.rng, 2000);
        assert_int_equal(archase_date_parse("2026-05-15", &g.as_of), 0);
        archase_engine *eng = NULL;
        assert_int_equal(archase_open_memory(NULL, &eng), 0);
        put_ledger(&g, eng);
        archase_policy *policy = policy_named(seed % 2 ? "smb-friendly.yaml" : "eu-statutory.yaml");
        archase_snapshot *snap = NULL;
        archase_decisions *ds = evaluate(eng, policy, g.as_of, &snap);
        sent *log = NULL;
        size_t log_n = 0, log_cap = 0;
        check_one(eng, ds, g.as_of, &log, &log_n, &log_cap);
        free(log);
        archase_decisions_free(ds);
        archase_snapshot_free(snap);
        archase_policy_free(policy);
        archase_engine_free(eng);
    }
}

/* 10,000 invoices: twice on the memory store, once on SQLite, same bytes. */
static void the_same_ledger_decides_the_same_bytes_on_memory_and_sqlite(void **state) {
    (void)state;
    char path[] = "/tmp/archase-determinism-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    gen g;
    archase_date as_of;
    assert_int_equal(archase_date_parse("2026-03-02", &as_of), 0);
    archase_engine *mem = NULL, *lite = NULL;
    assert_int_equal(archase_open_memory(NULL, &mem), 0);
    archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
    so.synchronous = ARCHASE_SQLITE_SYNC_NORMAL;
    assert_int_equal(archase_open_sqlite(path, &so, NULL, &lite, NULL, 0), 0);
    test_rng_seed(&g.rng, 2026);
    g.customers = 1000, g.invoices = 10000, g.as_of = as_of;
    put_ledger(&g, mem);
    test_rng_seed(&g.rng, 2026);
    put_ledger(&g, lite);
    archase_policy *policy = policy_named("enterprise-formal.yaml");
    uint8_t a[32], b[32], c[32];
    archase_snapshot *s1 = NULL, *s2 = NULL, *s3 = NULL;
    archase_decisions *d1 = evaluate(mem, policy, as_of, &s1);
    archase_decisions *d2 = evaluate(mem, policy, as_of, &s2);
    archase_decisions *d3 = evaluate(lite, policy, as_of, &s3);
    assert_true(archase_decisions_count(d1) > 100);
    assert_int_equal(archase_decisions_hash(d1, a), 0);
    assert_int_equal(archase_decisions_hash(d2, b), 0);
    assert_int_equal(archase_decisions_hash(d3, c), 0);
    assert_memory_equal(a, b, 32);
    assert_memory_equal(a, c, 32);
    /* And after a day's cadence is stored in each. */
    assert_int_equal(ar_apply_cadence(mem, d1), 0);
    assert_int_equal(ar_apply_cadence(lite, d3), 0);
    archase_decisions_free(d1);
    archase_decisions_free(d2);
    archase_decisions_free(d3);
    archase_snapshot_free(s1);
    archase_snapshot_free(s2);
    archase_snapshot_free(s3);
    d1 = evaluate(mem, policy, as_of + 1, &s1);
    d3 = evaluate(lite, policy, as_of + 1, &s3);
    assert_int_equal(archase_decisions_hash(d1, a), 0);
    assert_int_equal(archase_decisions_hash(d3, c), 0);
    assert_memory_equal(a, c, 32);
    archase_decisions_free(d1);
    archase_decisions_free(d3);
    archase_snapshot_free(s1);
    archase_snapshot_free(s3);
    archase_policy_free(policy);
    archase_engine_free(mem);
    archase_engine_free(lite);
    unlink(path);
    char side[sizeof path + 8];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(many_random_ledgers_leave_no_invoice_unaccounted),
    cmocka_unit_test(weeks_of_daily_runs_keep_every_guardrail_enterprise),
    cmocka_unit_test(weeks_of_daily_runs_keep_every_guardrail_smb),
    cmocka_unit_test(the_same_ledger_decides_the_same_bytes_on_memory_and_sqlite),
};

AR_TEST_MAIN(tests)
