/* bench/bench_bindings.c — the Python and Go bindings against C doing the same
 * work, in the same run (docs/perf.md, "Bindings").
 *
 * The work: open an in-memory engine, import customers.csv and invoices.csv
 * (bench/gen_ledger's seeded ledger: 100,000 customers, 1,000,000 invoices by
 * default), evaluate every open invoice as of 2026-03-02 under the enterprise
 * example policy, build the worklist and read every line; then run the day's
 * cycle (archase_run_cycle, no transport) on the imported ledger, timed apart
 * and reported with the import as "import + cycle". C does it here; the
 * Python side (bench/bench_bindings.py, lines read into Python objects) and
 * the Go side (BenchmarkImportEvaluate in the Go module, lines decoded into Go
 * structs) run as child processes, each R times, best and median reported,
 * then the ratios. Times are CPU seconds of the process (user + system), not
 * the wall clock. With pandas installed, the Python side also runs the same
 * job written with pandas and the ratio is reported. C and Python also run
 * the job as a preview (archase_snapshot_preview: the two files straight into
 * a snapshot, no store and no audit log), which is the pandas job's like: it
 * must decide what the import does, and the C row says when it does not.
 *
 *   bench_bindings [--invoices N] [--customers N] [--runs R] [--dir DIR] [--policy FILE]
 *
 * Run from the source root (tools/bench.sh does). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "archase/archase.h"

#ifndef BENCH_BUILD_ROOT
#define BENCH_BUILD_ROOT "build"
#endif
#ifndef BENCH_GO
#define BENCH_GO ""
#endif
#ifndef BENCH_PYTHON
#define BENCH_PYTHON "python3"
#endif

/* The process's CPU time: on a shared machine the wall clock measures the
 * neighbours too. Every side reports CPU seconds (the Go runtime's own
 * threads, GC included, count against Go). */
static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *detail) {
    fprintf(stderr, "bench_bindings: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct run {
    double import_s, evaluate_s, total_s;
    size_t decisions, lines;
    double cycle_s; /* the day's cycle on the imported ledger, after the rest (0 = not run) */
} run;

/* Reads every line, as the bindings hand every line over. */
static void read_lines(const archase_worklist *wl) {
    size_t ids = 0;
    for (size_t i = 0; i < archase_worklist_count(wl); i++) {
        archase_worklist_line l = ARCHASE_WORKLIST_LINE_INIT;
        if (archase_worklist_line_get(wl, i, &l))
            die("worklist", NULL);
        for (size_t j = 0; j < l.invoice_count; j++) {
            const char *id = NULL;
            if (archase_worklist_line_invoice(wl, i, j, &id) == 0 && id)
                ids++;
        }
    }
    if (ids == 0 && archase_worklist_count(wl))
        die("worklist", "lines without invoices");
}

/* Evaluates, builds the worklist and reads it; the run's times: the first
 * phase from t0 to t1, the second from t1 to now (the frees after it are
 * not timed). */
static void decide(const archase_snapshot *snap, const archase_policy *policy, archase_date as_of, double t0,
                   double t1, run *r) {
    archase_decisions *ds = NULL;
    archase_worklist *wl = NULL;
    if (archase_evaluate(snap, policy, as_of, NULL, &ds) || archase_worklist_build(ds, NULL, &wl))
        die("evaluate", NULL);
    read_lines(wl);
    double t2 = now_seconds();
    r->decisions = archase_decisions_count(ds);
    r->lines = archase_worklist_count(wl);
    archase_worklist_free(wl);
    archase_decisions_free(ds);
    r->import_s = t1 - t0;
    r->evaluate_s = t2 - t1;
    r->total_s = t2 - t0;
}

static run c_run(const char *dir, const archase_policy *policy, archase_date as_of) {
    run r = { 0, 0, 0, 0, 0, 0 };
    char path[4096];
    archase_batch_summary sum = ARCHASE_BATCH_SUMMARY_INIT;
    archase_import_options io = ARCHASE_IMPORT_OPTIONS_INIT;
    double t0 = now_seconds();
    archase_engine *eng = NULL;
    if (archase_open_memory(NULL, &eng))
        die("open", NULL);
    io.kind = ARCHASE_KIND_CUSTOMERS;
    snprintf(path, sizeof path, "%s/customers.csv", dir);
    if (archase_import_file(eng, &io, path, NULL, &sum))
        die("import customers", archase_engine_errmsg(eng));
    io.kind = ARCHASE_KIND_INVOICES;
    snprintf(path, sizeof path, "%s/invoices.csv", dir);
    if (archase_import_file(eng, &io, path, NULL, &sum))
        die("import invoices", archase_engine_errmsg(eng));
    double t1 = now_seconds();
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = policy;
    archase_snapshot *snap = NULL;
    if (archase_snapshot_load(eng, as_of, &so, &snap))
        die("snapshot", archase_engine_errmsg(eng));
    decide(snap, policy, as_of, t0, t1, &r);
    archase_snapshot_free(snap);
    /* Then the day's cycle on the same ledger (no transport: nothing is sent). */
    double t3 = now_seconds();
    archase_cycle_report report;
    memset(&report, 0, sizeof report);
    report.version = ARCHASE_CYCLE_REPORT_VERSION;
    if (archase_run_cycle(eng, policy, as_of, NULL, &report))
        die("cycle", archase_engine_errmsg(eng));
    r.cycle_s = now_seconds() - t3;
    archase_engine_free(eng);
    return r;
}

/* The same job as a preview: the two files straight into a snapshot
 * (archase_snapshot_preview), no store and no audit log; "import" is the
 * preview, "evaluate" the evaluation and the worklist. */
static run c_preview_run(const char *dir, const archase_policy *policy, archase_date as_of) {
    run r = { 0, 0, 0, 0, 0, 0 };
    char customers[4096], invoices[4096];
    snprintf(customers, sizeof customers, "%s/customers.csv", dir);
    snprintf(invoices, sizeof invoices, "%s/invoices.csv", dir);
    archase_import_options io[2] = { ARCHASE_IMPORT_OPTIONS_INIT, ARCHASE_IMPORT_OPTIONS_INIT };
    io[0].kind = ARCHASE_KIND_CUSTOMERS;
    io[1].kind = ARCHASE_KIND_INVOICES;
    archase_preview_source src[2] = { ARCHASE_PREVIEW_SOURCE_INIT, ARCHASE_PREVIEW_SOURCE_INIT };
    src[0].import = &io[0];
    src[0].path = customers;
    src[1].import = &io[1];
    src[1].path = invoices;
    double t0 = now_seconds();
    archase_engine *eng = NULL;
    if (archase_open_memory(NULL, &eng))
        die("open", NULL);
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = policy;
    archase_snapshot *snap = NULL;
    if (archase_snapshot_preview(eng, as_of, &so, src, 2, NULL, &snap))
        die("preview", archase_engine_errmsg(eng));
    double t1 = now_seconds();
    decide(snap, policy, as_of, t0, t1, &r);
    archase_snapshot_free(snap);
    archase_engine_free(eng);
    return r;
}

/* The value of "key" in the JSON object starting at `obj` (ending before `end`). */
static double num_after(const char *obj, const char *end, const char *key) {
    const char *p = strstr(obj, key);
    if (!p || (end && p > end))
        return 0;
    p += strlen(key);
    while (*p == ':' || *p == ' ')
        p++;
    return atof(p);
}

/* The objects of the array "key" in a child's JSON: [{"import_s": ..., ...}, ...]. */
static int parse_runs(const char *json, const char *key, run *out, int max) {
    const char *p = strstr(json, key);
    int n = 0;
    if (!p)
        return 0;
    const char *end = strchr(p, ']');
    while (n < max && (p = strchr(p, '{')) && (!end || p < end)) {
        const char *close = strchr(p, '}');
        out[n].import_s = num_after(p, close, "\"import_s\"");
        out[n].evaluate_s = num_after(p, close, "\"evaluate_s\"");
        out[n].total_s = num_after(p, close, "\"total_s\"");
        out[n].lines = (size_t)num_after(p, close, "\"worklist_lines\"");
        out[n].cycle_s = num_after(p, close, "\"cycle_s\"");
        out[n].decisions = 0;
        n++;
        p = close ? close : p + 1;
    }
    return n;
}

static char *capture(const char *cmd) {
    FILE *f = popen(cmd, "r");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (len + 1 == cap) {
            char *p = realloc(buf, cap *= 2);
            if (!p) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = p;
        }
    }
    if (buf)
        buf[len] = '\0';
    if (pclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void stats(run *rs, int n, double *best, double *median, int field) {
    double t[64];
    for (int i = 0; i < n; i++)
        t[i] = field == 0 ? rs[i].total_s : field == 1 ? rs[i].import_s : field == 2 ? rs[i].evaluate_s
             : rs[i].import_s + rs[i].cycle_s;
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    *best = t[0];
    *median = t[n / 2];
}

/* `first` names the first phase: "import", or "preview". */
static void report(const char *name, const char *first, run *rs, int n, double c_best, double c_median) {
    double b, m, ib, im, eb, em;
    stats(rs, n, &b, &m, 0);
    stats(rs, n, &ib, &im, 1);
    stats(rs, n, &eb, &em, 2);
    printf("%-8s CPU best %.2f s, median %.2f s (%s %.2f s, evaluate + worklist %.2f s); "
           "%zu worklist lines; vs C (the same work): best %.2f x, median %.2f x\n",
           name, b, m, first, ib, eb, rs[0].lines, b / c_best, m / c_median);
}

/* Import and the day's cycle, against C's. */
static void report_cycle(const char *name, run *rs, int n, run *c, int nc) {
    double b, m, cb, cm;
    if (rs[0].cycle_s <= 0)
        return;
    stats(rs, n, &b, &m, 3);
    stats(c, nc, &cb, &cm, 3);
    printf("%-8s import + cycle: CPU best %.2f s, median %.2f s; vs C (%.2f s, %.2f s): best %.2f x, median %.2f x\n",
           name, b, m, cb, cm, b / cb, m / cm);
}

int main(int argc, char **argv) {
    long invoices = 1000000, customers = 100000;
    int runs = 3;
    const char *dir = "/tmp/archase-bench-bindings";
    const char *policy_path = "examples/policies/enterprise-formal.yaml";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--invoices") && i + 1 < argc)
            invoices = atol(argv[++i]);
        else if (!strcmp(argv[i], "--customers") && i + 1 < argc)
            customers = atol(argv[++i]);
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
            dir = argv[++i];
        else if (!strcmp(argv[i], "--policy") && i + 1 < argc)
            policy_path = argv[++i];
        else
            die("usage", "bench_bindings [--invoices N] [--customers N] [--runs R] [--dir DIR] [--policy FILE]");
    }
    if (runs < 1 || runs > 64)
        runs = 3;
    char cmd[8192], marker[4200];
    snprintf(marker, sizeof marker, "%s/.ledger-%ld-%ld", dir, customers, invoices);
    struct stat st;
    if (stat(marker, &st) != 0) {
        snprintf(cmd, sizeof cmd, "mkdir -p '%s' && '%s/bench/gen_ledger' --customers %ld --invoices %ld --out '%s' >/dev/null && touch '%s'",
                 dir, BENCH_BUILD_ROOT, customers, invoices, dir, marker);
        if (system(cmd) != 0)
            die("gen_ledger", cmd);
    }
    archase_policy *policy = NULL;
    if (archase_policy_load_file(policy_path, NULL, &policy, NULL))
        die("policy", policy_path);
    archase_date as_of;
    archase_date_parse("2026-03-02", &as_of);
    printf("ledger: %ld customers, %ld invoices (%s); policy %s; as of 2026-03-02; %d runs each\n",
           customers, invoices, dir, policy_path, runs);

    run c[64];
    for (int r = 0; r < runs; r++)
        c[r] = c_run(dir, policy, as_of);
    double c_best, c_median, ib, im, eb, em;
    stats(c, runs, &c_best, &c_median, 0);
    stats(c, runs, &ib, &im, 1);
    stats(c, runs, &eb, &em, 2);
    printf("C        CPU best %.2f s, median %.2f s (import %.2f s, evaluate + worklist %.2f s); "
           "%zu decisions, %zu worklist lines\n", c_best, c_median, ib, eb, c[0].decisions, c[0].lines);
    stats(c, runs, &ib, &im, 3);
    printf("C        import + cycle: CPU best %.2f s, median %.2f s\n", ib, im);
    fflush(stdout);
    run cp[64];
    for (int r = 0; r < runs; r++)
        cp[r] = c_preview_run(dir, policy, as_of);
    double cp_best, cp_median;
    stats(cp, runs, &cp_best, &cp_median, 0);
    stats(cp, runs, &ib, &im, 1);
    stats(cp, runs, &eb, &em, 2);
    printf("C        preview: CPU best %.2f s, median %.2f s (preview %.2f s, evaluate + worklist %.2f s); "
           "%zu decisions, %zu worklist lines%s\n", cp_best, cp_median, ib, eb, cp[0].decisions, cp[0].lines,
           cp[0].decisions == c[0].decisions && cp[0].lines == c[0].lines ? "" : " (NOT those of the import)");
    fflush(stdout);

    snprintf(cmd, sizeof cmd,
             "PYTHONPATH='%s/bindings/python' '%s' bench/bench_bindings.py --dir '%s' --policy '%s' "
             "--as-of 2026-03-02 --runs %d --pandas",
             BENCH_BUILD_ROOT, BENCH_PYTHON, dir, policy_path, runs);
    char *py = capture(cmd);
    run p[64], pd[64];
    int np = py ? parse_runs(py, "\"python\"", p, runs) : 0;
    run pp[64];
    int npp = py ? parse_runs(py, "\"python_preview\"", pp, runs) : 0;
    if (np > 0) {
        report("Python", "import", p, np, c_best, c_median);
        report_cycle("Python", p, np, c, runs);
    }
    else
        printf("Python   not run (%s)\n", py ? "no figures" : "the Python bindings are not built");
    if (npp > 0)
        report("Python   preview:", "preview", pp, npp, cp_best, cp_median);
    fflush(stdout);

    if (BENCH_GO[0]) {
        char cwd[4096];
        if (!getcwd(cwd, sizeof cwd))
            die("getcwd", NULL);
        snprintf(cmd, sizeof cmd,
                 "cd '%s/bindings/go/archase' && ARCHASE_BENCH_DIR='%s' ARCHASE_BENCH_POLICY='%s/%s' "
                 "ARCHASE_BENCH_RUNS=%d GOTOOLCHAIN=local GOPROXY=off GOFLAGS= GOWORK=off "
                 "'%s' test -run '^$' -bench BenchmarkImportEvaluate -benchtime 1x -count 1 . | grep '^BENCH '",
                 BENCH_BUILD_ROOT, dir, cwd, policy_path, runs, BENCH_GO);
        char *go = capture(cmd);
        run g[64];
        int ng = go ? parse_runs(go, "\"go\"", g, runs) : 0;
        if (ng > 0) {
            report("Go", "import", g, ng, c_best, c_median);
            report_cycle("Go", g, ng, c, runs);
        }
        else
            printf("Go       not run (%s)\n", go ? "no figures" : "the Go module is not built");
        free(go);
    } else {
        printf("Go       not run (configured without the Go bindings)\n");
    }

    if (py && strstr(py, "\"pandas\": null")) {
        printf("pandas   not installed: the comparison did not run (pip install pandas)\n");
    } else if (py) {
        int nd = parse_runs(py, "\"pandas\"", pd, runs);
        if (nd > 0 && np > 0) {
            double pb, pm, ab, am;
            stats(pd, nd, &pb, &pm, 0);
            stats(p, np, &ab, &am, 0);
            printf("pandas   the same job (load, age, segment, stage, rank): CPU best %.2f s, median %.2f s; "
                   "archase from Python best %.2f s: pandas / archase = %.2f (best), %.2f (median)\n",
                   pb, pm, ab, pb / ab, pm / am);
            if (npp > 0) {
                stats(pp, npp, &ab, &am, 0);
                printf("pandas   against archase.preview from Python (the same files straight into a snapshot, "
                       "no ledger): best %.2f s, median %.2f s: pandas / archase = %.2f (best), %.2f (median)\n",
                       ab, am, pb / ab, pm / am);
            }
        }
    }
    free(py);
    archase_policy_free(policy);
    return 0;
}
