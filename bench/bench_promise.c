/* bench/bench_promise.c — what promises and disputes add to evaluation
 * (docs/perf.md, "Promises and disputes").
 *
 * Two in-memory ledgers with the same customers and open invoices: the
 * floor has no promises or disputes; the other has an open promise on 10%
 * of the invoices and an open dispute on 5% (another 5%, so 15% of the
 * invoices carry one). Both are evaluated with the enterprise example
 * policy, alternately, --runs times each; the best CPU time of each (the
 * thread's CPU time, so other work on the machine does not count) and
 * their ratio are printed (the medians too), with how many decisions
 * waited for a promise or paused a disputed part, which shows the work was
 * done. The target: the ledger with promises and
 * disputes takes at most 15% longer. Also printed: the snapshot loads, and
 * one archase_lifecycle_update of the second ledger (informative).
 *
 *   bench_promise [--invoices N] [--runs R] [--policy FILE]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "archase/archase.h"

static double cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, archase_engine *eng) {
    fprintf(stderr, "bench_promise: %s: %s\n", what, eng ? archase_engine_errmsg(eng) : "");
    exit(1);
}

/* Customers and open invoices (10 per customer), and with `commitments`
 * the promises and disputes. */
static void build(archase_engine *eng, uint32_t invoices, archase_date as_of, int commitments) {
    archase_batch *b = NULL;
    if (archase_batch_begin(eng, NULL, "bench", &b))
        die("batch", eng);
    char id[96], cid[32], pid[32];
    uint32_t customers = invoices / 10 ? invoices / 10 : 1;
    for (uint32_t c = 0; c < customers; c++) {
        snprintf(cid, sizeof cid, "C%07u", c);
        archase_customer cu = ARCHASE_CUSTOMER_INIT;
        cu.id = cid;
        cu.name = cid;
        cu.collector = c % 2 ? "anna" : "ben";
        cu.owner = "olaf";
        cu.timezone = "Europe/Berlin";
        if (archase_batch_add_customer(b, &cu, 0))
            die("customer", eng);
        snprintf(id, sizeof id, "%s-AP", cid);
        archase_contact co = ARCHASE_CONTACT_INIT;
        co.id = id;
        co.customer_id = cid;
        co.channel = ARCHASE_CHANNEL_EMAIL;
        co.address = "ap@example.com";
        co.consent = 1;
        if (archase_batch_add_contact(b, &co, 0))
            die("contact", eng);
    }
    for (uint32_t i = 0; i < invoices; i++) {
        snprintf(id, sizeof id, "I%08u", i);
        snprintf(cid, sizeof cid, "C%07u", i % customers);
        archase_invoice inv = ARCHASE_INVOICE_INIT;
        inv.id = id;
        inv.customer_id = cid;
        inv.due_date = as_of - 60 + (archase_date)(i * 7919u % 90u);
        inv.issue_date = inv.due_date - 30;
        inv.amount = (archase_money){ 10000 + (int64_t)(i * 104729u % 500000u), "EUR" };
        if (archase_batch_add_invoice(b, &inv, 0))
            die("invoice", eng);
        if (!commitments)
            continue;
        const char *covered[1] = { id };
        if (i % 10 == 0) {
            snprintf(pid, sizeof pid, "P%08u", i);
            archase_promise p = ARCHASE_PROMISE_INIT;
            p.id = pid;
            p.customer_id = cid;
            p.invoice_ids = covered;
            p.invoice_count = 1;
            p.amount = inv.amount;
            p.promised_date = as_of + 1 + (archase_date)(i % 9);
            p.recorded_on = as_of - 2;
            p.taken_by = "anna";
            if (archase_batch_add_promise(b, &p, 0))
                die("promise", eng);
        } else if (i % 20 == 5) {
            snprintf(pid, sizeof pid, "D%08u", i);
            archase_dispute d = ARCHASE_DISPUTE_INIT;
            d.id = pid;
            d.customer_id = cid;
            d.invoice_ids = covered;
            d.invoice_count = 1;
            d.amount = (archase_money){ inv.amount.minor / 3, "EUR" };
            d.reason_code = "pricing";
            d.opened_on = as_of - 3;
            d.opened_by = "anna";
            if (archase_batch_add_dispute(b, &d, 0))
                die("dispute", eng);
        }
    }
    if (archase_batch_commit(b, NULL))
        die("commit", eng);
    archase_batch_free(b);
}

typedef struct side {
    archase_engine   *eng;
    archase_snapshot *snap;
    double            load, best, total;
    double            times[64];
    int               n;
    size_t            decisions;
    size_t            promise_open, disputed;  /* decisions with those reasons */
} side;

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(side *s) {
    double t[64];
    memcpy(t, s->times, (size_t)s->n * sizeof *t);
    qsort(t, (size_t)s->n, sizeof *t, cmp_double);
    return s->n ? t[s->n / 2] : 0;
}

static void evaluate(side *s, const archase_policy *policy, archase_date as_of) {
    archase_decisions *ds = NULL;
    double t0 = cpu_seconds();
    if (archase_evaluate(s->snap, policy, as_of, NULL, &ds))
        die("evaluate", s->eng);
    double t = cpu_seconds() - t0;
    s->decisions = archase_decisions_count(ds);
    s->promise_open = s->disputed = 0;
    for (size_t i = 0; i < s->decisions; i++) {
        archase_decision d = ARCHASE_DECISION_INIT;
        if (archase_decision_get(ds, i, &d))
            die("decision", s->eng);
        for (size_t j = 0; j < d.reason_count; j++) {
            int r = 0;
            archase_decision_reason(ds, i, j, &r);
            s->promise_open += r == ARCHASE_REASON_PROMISE_OPEN;
            s->disputed += r == ARCHASE_REASON_DISPUTED || r == ARCHASE_REASON_DISPUTED_PART_PAUSED;
        }
    }
    archase_decisions_free(ds);
    if (s->n < 64)
        s->times[s->n++] = t;
    if (s->best == 0 || t < s->best)
        s->best = t;
    s->total += t;
}

int main(int argc, char **argv) {
    uint32_t invoices = 100000;
    int runs = 7;
    const char *policy_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--invoices") && i + 1 < argc)
            invoices = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--policy") && i + 1 < argc)
            policy_path = argv[++i];
        else {
            fprintf(stderr, "usage: bench_promise [--invoices N] [--runs R] [--policy FILE]\n");
            return 2;
        }
    }
    char path[4096];
    if (!policy_path) {
        const char *root = getenv("ARCHASE_SOURCE_ROOT");
        snprintf(path, sizeof path, "%s/examples/policies/enterprise-formal.yaml", root ? root : ".");
        policy_path = path;
    }
    archase_policy *policy = NULL;
    if (runs < 1 || runs > 64) {
        fprintf(stderr, "bench_promise: --runs 1..64\n");
        return 2;
    }
    if (archase_policy_load_file(policy_path, NULL, &policy, NULL))
        die("policy", NULL);
    archase_date as_of = 0;
    archase_date_parse("2026-03-16", &as_of);
    side floor_side, with_side;
    memset(&floor_side, 0, sizeof floor_side);
    memset(&with_side, 0, sizeof with_side);
    side *sides[2] = { &floor_side, &with_side };
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = policy;
    for (int k = 0; k < 2; k++) {
        if (archase_open_memory(NULL, &sides[k]->eng))
            die("engine", NULL);
        build(sides[k]->eng, invoices, as_of, k == 1);
        double t0 = cpu_seconds();
        if (archase_snapshot_load(sides[k]->eng, as_of, &so, &sides[k]->snap))
            die("snapshot", sides[k]->eng);
        sides[k]->load = cpu_seconds() - t0;
    }
    for (int r = 0; r < runs; r++)
        for (int k = 0; k < 2; k++)
            evaluate(sides[(r + k) % 2], policy, as_of);
    double ratio = with_side.best / floor_side.best;
    printf("policy: %s\n", policy_path);
    printf("open invoices: %u; with promises on 10%% and disputes on 5%% of them; %d runs each, alternating\n",
           invoices, runs);
    printf("%-30s %8s %12s %12s %12s %10s %9s %9s\n", "ledger", "load s", "best s", "median s", "invoices/s",
           "decisions", "promised", "disputed");
    for (int k = 0; k < 2; k++)
        printf("%-30s %8.3f %12.4f %12.4f %12.0f %10zu %9zu %9zu\n",
               k ? "promises and disputes" : "floor (no promises/disputes)", sides[k]->load, sides[k]->best,
               median(sides[k]), invoices / sides[k]->best, sides[k]->decisions, sides[k]->promise_open,
               sides[k]->disputed);
    printf("evaluation time with promises and disputes: %.1f%% of the floor by best run (%+.1f%%), "
           "%.1f%% by median; target <= +15%%\n",
           ratio * 100.0, (ratio - 1.0) * 100.0, median(&with_side) / median(&floor_side) * 100.0);
    archase_lifecycle_counts c;
    memset(&c, 0, sizeof c);
    c.version = ARCHASE_LIFECYCLE_COUNTS_VERSION;
    double t0 = cpu_seconds();
    if (archase_lifecycle_update(with_side.eng, policy, as_of, &c))
        die("lifecycle", with_side.eng);
    printf("lifecycle update of the second ledger (snapshot included): %.3f s CPU, %llu transitions\n",
           cpu_seconds() - t0, (unsigned long long)c.transitions);
    for (int k = 0; k < 2; k++) {
        archase_snapshot_free(sides[k]->snap);
        archase_engine_free(sides[k]->eng);
    }
    archase_policy_free(policy);
    return ratio <= 1.15 ? 0 : 1;
}
