/* bench/bench_engine.c — pure evaluation (docs/perf.md, "Evaluation").
 *
 * A seeded ledger (bench/ledger_gen.c: customers with time zones and
 * payment habits) goes into the memory store: N open invoices over C
 * customers, issued over the four months before the evaluation date, each
 * customer with an e-mail contact, a collector and an owner, plus settled
 * history for the payment patterns (N/5 more invoices of the same months,
 * with their payments). Then, with the enterprise example policy:
 *
 *   snapshot   archase_snapshot_load of the whole ledger
 *   evaluate   archase_evaluate, single-threaded: open invoices per second of
 *              the thread's CPU time (the best of --runs runs, and their
 *              median; CPU time, so other work on the machine does not
 *              count against it), first with no
 *              stored cadence (a first day), then after the first day's
 *              cadence states and touches were stored (a second day)
 *   memory     the peak bytes the engine's allocator held during snapshot
 *              and evaluation, per open invoice (the store's own memory is
 *              counted apart: it is the ledger, not the engine)
 *   hash       archase_decisions_hash of each day: a change that makes the
 *              engine faster must leave both as they were on the same ledger
 *
 *   bench_engine [--invoices N] [--customers N] [--runs R] [--policy FILE] [--day 1|2]
 *                [--store FILE [--build-only]]
 *   bench_engine --scale     10k, 100k, 1M and 10M invoices (10 per customer)
 *
 * --store FILE keeps the ledger in that SQLite file instead of the memory
 * store (built there when the file does not exist, else read as it is), so
 * only the snapshot and the evaluation are in memory: a ledger the memory
 * store cannot hold (10M invoices) is measured that way. The second day's
 * cadence is written to the file; --build-only stops once the file is built,
 * so a copy of it can serve several runs.
 *
 * --day 1 or --day 2 times only that day's runs (the other is evaluated once,
 * for its hash and peak), so a profile of the run shows one day;
 * --first-day-only skips the second day (its figures print as zero).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/apply.h"
#include "ledger_gen.h"

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The CPU time of this thread: what one core spent, whatever else runs. */
static double cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *detail) {
    fprintf(stderr, "bench_engine: %s: %s\n", what, detail ? detail : "");
    exit(1);
}

/* ---- an allocator that counts ----------------------------------------------- */

typedef struct counter {
    size_t live, peak;
} counter;

static void *count_malloc(void *userdata, size_t size) {
    counter *c = userdata;
    size_t *p = malloc(size + 16);
    if (!p)
        return NULL;
    p[0] = size;
    c->live += size;
    if (c->live > c->peak)
        c->peak = c->live;
    return (char *)p + 16;
}

static void count_free(void *userdata, void *ptr) {
    counter *c = userdata;
    if (!ptr)
        return;
    size_t *p = (size_t *)((char *)ptr - 16);
    c->live -= p[0];
    free(p);
}

static void *count_realloc(void *userdata, void *ptr, size_t size) {
    counter *c = userdata;
    if (!ptr)
        return count_malloc(userdata, size);
    size_t *p = (size_t *)((char *)ptr - 16);
    size_t old = p[0];
    size_t *q = realloc(p, size + 16);
    if (!q)
        return NULL;
    q[0] = size;
    c->live = c->live - old + size;
    if (c->live > c->peak)
        c->peak = c->live;
    return (char *)q + 16;
}

/* ---- the ledger ------------------------------------------------------------------ */

typedef struct loader {
    archase_engine *eng;      /* chunked: commits every BATCH_FACTS facts */
    size_t         facts;
    archase_batch *batch;
    uint32_t       open_invoices; /* invoices past this number give history */
    uint32_t       seen;
    char           owner[32], collector[32], contact[48];
} loader;

/* Invoices per batch when chunked, so a SQLite file's transactions stay
 * small. */
#define BATCH_FACTS 200000

static int next_batch(loader *l, archase_engine *eng) {
    archase_batch_summary sum = ARCHASE_BATCH_SUMMARY_INIT;
    if (archase_batch_commit(l->batch, &sum))
        return 1;
    archase_batch_free(l->batch);
    l->batch = NULL;
    return archase_batch_begin(eng, NULL, "bench", &l->batch) != 0;
}

static int on_customer(void *userdata, const archase_customer *c) {
    loader *l = userdata;
    archase_customer cu = *c;
    unsigned n = (unsigned)atoi(c->id + 1);
    snprintf(l->owner, sizeof l->owner, "owner%03u", n % 500);
    snprintf(l->collector, sizeof l->collector, "collector%02u", n % 50);
    cu.owner = l->owner;
    cu.collector = l->collector;
    if (archase_batch_add_customer(l->batch, &cu, 0))
        return 1;
    archase_contact k = ARCHASE_CONTACT_INIT;
    snprintf(l->contact, sizeof l->contact, "%s-ap", c->id);
    k.id = l->contact;
    k.customer_id = c->id;
    k.channel = ARCHASE_CHANNEL_EMAIL;
    k.address = "ap@example.com";
    k.consent = 1;
    return archase_batch_add_contact(l->batch, &k, 0) != 0;
}

static int on_invoice(void *userdata, const archase_invoice *inv) {
    loader *l = userdata;
    l->seen++;
    if (l->eng && ++l->facts % BATCH_FACTS == 0 && next_batch(l, l->eng))
        return 1;
    return archase_batch_add_invoice(l->batch, inv, 0) != 0;
}

/* Payments of the first `open_invoices` invoices are dropped: they stay open. */
static int on_payment(void *userdata, const archase_payment *p) {
    loader *l = userdata;
    if (l->seen <= l->open_invoices)
        return 0;
    return archase_batch_add_payment(l->batch, p, 0) != 0;
}

typedef struct setup {
    archase_storage store;  /* the memory store (or SQLite file), close cleared */
    archase_storage owner;  /* the same, to close it */
    double          load_seconds;
} setup;

static void open_store(setup *st, const char *file) {
    char err[256] = "";
    if (file) {
        archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
        so.synchronous = ARCHASE_SQLITE_SYNC_NORMAL;
        if (archase_sqlite_storage_open(file, &so, NULL, &st->owner, err, sizeof err))
            die("sqlite store", err);
    } else if (archase_memory_storage_new(NULL, &st->owner)) {
        die("memory store", NULL);
    }
    st->store = st->owner;
    st->store.close = NULL;
}

static void build(setup *st, uint32_t invoices, uint32_t customers, int chunked) {
    archase_engine *eng = NULL;
    if (archase_engine_open(&st->store, NULL, &eng))
        die("engine", NULL);
    ledger_gen_options o;
    ledger_gen_defaults(&o);
    o.customers = customers;
    o.invoices = invoices + invoices / 5;
    /* Invoices of the last four months, as an open ledger has them; those
     * paid make the settled history. */
    archase_date_parse("2026-03-02", &o.as_of);
    o.first_issue = o.as_of - 120;
    o.days = 120;
    o.as_of -= 1;
    loader l;
    memset(&l, 0, sizeof l);
    l.open_invoices = invoices;
    l.eng = chunked ? eng : NULL;
    double t0 = now_seconds();
    if (archase_batch_begin(eng, NULL, "bench", &l.batch))
        die("batch", archase_engine_errmsg(eng));
    ledger_gen_sink sink = { &l, on_customer, on_invoice, on_payment };
    if (ledger_gen_run(&o, &sink))
        die("ledger", archase_engine_errmsg(eng));
    archase_batch_summary sum = ARCHASE_BATCH_SUMMARY_INIT;
    if (archase_batch_commit(l.batch, &sum))
        die("commit", archase_engine_errmsg(eng));
    archase_batch_free(l.batch);
    st->load_seconds = now_seconds() - t0;
    archase_engine_free(eng);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct figures {
    size_t open, customers, history, decisions, updates;
    double snapshot_s, best_s, median_s, warm_best_s, warm_median_s;
    size_t load_peak, eval_peak, warm_eval_peak, snapshot_bytes;
    uint8_t hash[32], warm_hash[32]; /* archase_decisions_hash of each day */
} figures;

/* Evaluates `runs` times and returns the best and median seconds. */
static void time_runs(const archase_snapshot *snap, const archase_policy *policy, archase_date as_of, int runs,
                      double *best, double *median) {
    double *times = calloc((size_t)runs, sizeof *times);
    for (int r = 0; r < runs; r++) {
        archase_decisions *ds = NULL;
        double t0 = cpu_seconds();
        if (archase_evaluate(snap, policy, as_of, NULL, &ds))
            die("evaluate", NULL);
        times[r] = cpu_seconds() - t0;
        archase_decisions_free(ds);
    }
    qsort(times, (size_t)runs, sizeof *times, cmp_double);
    *best = times[0];
    *median = times[runs / 2];
    free(times);
}

static void measure(setup *st, const archase_policy *policy, int runs, int day, figures *f) {
    counter cnt = { 0, 0 };
    archase_allocator a = { ARCHASE_ALLOCATOR_VERSION, &cnt, count_malloc, count_realloc, count_free };
    archase_engine_options eo = ARCHASE_ENGINE_OPTIONS_INIT;
    eo.allocator = &a;
    archase_engine *eng = NULL;
    if (archase_engine_open(&st->store, &eo, &eng))
        die("engine", NULL);
    archase_date as_of;
    archase_date_parse("2026-03-02", &as_of);
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = policy;
    size_t base = cnt.live;
    cnt.peak = cnt.live;
    archase_snapshot *snap = NULL;
    double t0 = now_seconds();
    if (archase_snapshot_load(eng, as_of, &so, &snap))
        die("snapshot", archase_engine_errmsg(eng));
    f->snapshot_s = now_seconds() - t0;
    f->load_peak = cnt.peak - base;
    archase_snapshot_info info = ARCHASE_SNAPSHOT_INFO_INIT;
    archase_snapshot_info_get(snap, &info);
    f->open = info.open_invoices;
    f->customers = info.customers;
    f->history = info.settled_history;
    f->snapshot_bytes = info.bytes;
    /* One evaluation alone, for the peak: snapshot and result together. */
    cnt.peak = cnt.live;
    archase_decisions *first = NULL;
    if (archase_evaluate(snap, policy, as_of, NULL, &first))
        die("evaluate", NULL);
    f->eval_peak = cnt.peak - base;
    f->decisions = archase_decisions_count(first);
    f->updates = archase_cadence_update_count(first);
    if (archase_decisions_hash(first, f->hash))
        die("hash", NULL);
    time_runs(snap, policy, as_of, day == 2 ? 1 : runs, &f->best_s, &f->median_s);
    if (day < 0) { /* --first-day-only */
        archase_decisions_free(first);
        archase_snapshot_free(snap);
        archase_engine_free(eng);
        return;
    }
    /* The second day: the first day's cadence stored, the next day evaluated. */
    if (ar_apply_cadence(eng, first))
        die("apply", archase_engine_errmsg(eng));
    archase_decisions_free(first);
    archase_snapshot_free(snap);
    snap = NULL;
    if (archase_snapshot_load(eng, as_of + 1, &so, &snap))
        die("snapshot", archase_engine_errmsg(eng));
    base = cnt.live - info.bytes; /* as if the snapshot were the first day's */
    cnt.peak = cnt.live;
    archase_decisions *second = NULL;
    if (archase_evaluate(snap, policy, as_of + 1, NULL, &second))
        die("evaluate", NULL);
    f->warm_eval_peak = cnt.peak > base ? cnt.peak - base : 0;
    if (archase_decisions_hash(second, f->warm_hash))
        die("hash", NULL);
    archase_decisions_free(second);
    time_runs(snap, policy, as_of + 1, day == 1 ? 1 : runs, &f->warm_best_s, &f->warm_median_s);
    archase_snapshot_free(snap);
    archase_engine_free(eng);
}

static void print_hash(const char *what, const uint8_t hash[32]) {
    printf("%s", what);
    for (int i = 0; i < 32; i++)
        printf("%02x", hash[i]);
    printf("\n");
}

static void report(const setup *st, const figures *f) {
    double n = (double)f->open;
    printf("ledger: %zu open invoices, %zu customers, %zu settled in the patterns (load %.2f s)\n", f->open,
           f->customers, f->history, st->load_seconds);
    printf("snapshot load:     %.3f s (%.2f M open invoices/s), %.1f MiB held (%.0f bytes per open invoice)\n",
           f->snapshot_s, n / f->snapshot_s / 1e6, (double)f->snapshot_bytes / 1048576.0,
           (double)f->snapshot_bytes / n);
    printf("evaluate, day 1:   best %.3f s = %.2f M invoices/s, median %.3f s = %.2f M/s; %zu decisions, "
           "%zu cadence updates\n",
           f->best_s, n / f->best_s / 1e6, f->median_s, n / f->median_s / 1e6, f->decisions, f->updates);
    printf("evaluate, day 2:   best %.3f s = %.2f M invoices/s, median %.3f s = %.2f M/s (cadence stored)\n",
           f->warm_best_s, n / f->warm_best_s / 1e6, f->warm_median_s, n / f->warm_median_s / 1e6);
    printf("peak memory:       loading %.0f, evaluating day 1 %.0f, day 2 %.0f bytes per open invoice "
           "(snapshot and result together)\n",
           (double)f->load_peak / n, (double)f->eval_peak / n, (double)f->warm_eval_peak / n);
    print_hash("decisions hash, day 1: ", f->hash);
    print_hash("decisions hash, day 2: ", f->warm_hash);
}

int main(int argc, char **argv) {
    uint32_t invoices = 1000000, customers = 100000;
    int runs = 5, scale = 0, day = 0, build_only = 0;
    const char *policy_path = NULL, *store_file = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--invoices") && i + 1 < argc)
            invoices = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--customers") && i + 1 < argc)
            customers = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--policy") && i + 1 < argc)
            policy_path = argv[++i];
        else if (!strcmp(argv[i], "--day") && i + 1 < argc)
            day = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--store") && i + 1 < argc)
            store_file = argv[++i];
        else if (!strcmp(argv[i], "--first-day-only"))
            day = -1;
        else if (!strcmp(argv[i], "--build-only"))
            build_only = 1;
        else if (!strcmp(argv[i], "--scale"))
            scale = 1;
        else
            die("usage", "bench_engine [--invoices N] [--customers N] [--runs R] [--policy FILE] [--day 1|2] [--store FILE [--build-only]] [--first-day-only] [--scale]");
    }
    if (runs < 1)
        runs = 1;
    char path[4096];
    if (!policy_path) {
        const char *root = getenv("ARCHASE_SOURCE_ROOT");
        snprintf(path, sizeof path, "%s/examples/policies/enterprise-formal.yaml", root ? root : ".");
        policy_path = path;
    }
    archase_policy *policy = NULL;
    if (archase_policy_load_file(policy_path, NULL, &policy, NULL))
        die("policy", policy_path);
    printf("policy: %s\n", policy_path);
    uint32_t sizes[] = { 10000, 100000, 1000000, 10000000 };
    size_t count = scale ? sizeof sizes / sizeof sizes[0] : 1;
    for (size_t k = 0; k < count; k++) {
        uint32_t n = scale ? sizes[k] : invoices;
        uint32_t c = scale ? n / 10 : customers;
        setup st;
        memset(&st, 0, sizeof st);
        FILE *existing = store_file && !scale ? fopen(store_file, "rb") : NULL;
        open_store(&st, scale ? NULL : store_file);
        if (existing)
            fclose(existing); /* the ledger is there already */
        else
            build(&st, n, c, store_file != NULL && !scale);
        if (build_only) {
            printf("== %u invoices built (%.2f s)\n", n, st.load_seconds);
            st.owner.close(st.owner.userdata);
            continue;
        }
        figures f;
        memset(&f, 0, sizeof f);
        measure(&st, policy, runs, day, &f);
        printf("== %u invoices\n", n);
        report(&st, &f);
        fflush(stdout);
        st.owner.close(st.owner.userdata);
    }
    archase_policy_free(policy);
    return 0;
}
