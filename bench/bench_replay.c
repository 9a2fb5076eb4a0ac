/* bench/bench_replay.c — replaying a policy day by day over a historical
 * ledger (docs/perf.md, "Replay").
 *
 * The ledger is bench/ledger_gen.c's (seed 42) scaled to --invoices (100,000
 * by default, with a tenth as many customers) in an in-memory store; the
 * customer has a consented e-mail contact. The replay runs --days days (365)
 * ending on the generator's as-of date,
 * 2026-01-31, with --policy (examples/policies/enterprise-formal.yaml): every
 * day a snapshot of the ledger as it stood, an evaluation, and the chase
 * state kept for the next day.
 *
 * It prints the wall-clock time and the CPU time of the replay (the latter
 * is what counts on a machine that other work shares), the replay's
 * decisions hash, which equal replays share, and a digest of everything
 * else it reports (every day's figures, the messages, the AUC and every KPI),
 * so that a faster replay can be shown to report the same.
 *
 *   bench_replay [--invoices N] [--days N] [--policy FILE]
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "archase/archase.h"
#include "archase/replay.h"
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

static void check(int rc, const char *what, archase_engine *eng) {
    if (rc) {
        fprintf(stderr, "bench_replay: %s: %s%s%s\n", what, archase_strerror(rc), eng ? ": " : "",
                eng ? archase_engine_errmsg(eng) : "");
        exit(1);
    }
}

/* A growing text the digest is taken over. */
typedef struct digest {
    char  *p;
    size_t n, cap;
} digest;

static void put(digest *d, const char *fmt, ...) {
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    if (d->n + len > d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 1 << 20;
        while (cap < d->n + len)
            cap *= 2;
        char *p = realloc(d->p, cap);
        if (!p) {
            fprintf(stderr, "bench_replay: out of memory\n");
            exit(1);
        }
        d->p = p;
        d->cap = cap;
    }
    memcpy(d->p + d->n, line, len);
    d->n += len;
}

static void put_number(digest *d, archase_kpi_number n) {
    char buf[32];
    archase_kpi_number_format(n, buf, sizeof buf);
    put(d, " %s", buf);
}

/* SHA-256 over a text form of what the replay reports besides its decisions
 * hash: the days, the messages, the summary and the KPI report. */
static void report_digest(const archase_replay_result *r, uint8_t out[32]) {
    digest d = { NULL, 0, 0 };
    archase_replay_summary s = ARCHASE_REPLAY_SUMMARY_INIT;
    archase_replay_summary_get(r, &s);
    put(&d, "summary %d %d %u %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", (int)s.from, (int)s.to,
        s.days, (unsigned long long)s.decisions, (unsigned long long)s.messages, (unsigned long long)s.calls,
        (unsigned long long)s.owner_alerts, (unsigned long long)s.escalations, (unsigned long long)s.approvals,
        (unsigned long long)s.skips, (unsigned long long)s.waits, (unsigned long long)s.customers_messaged,
        (unsigned long long)s.invoices_scored, (unsigned long long)s.invoices_late);
    put_number(&d, s.auc_percent);
    put(&d, "\n");
    for (size_t i = 0; i < archase_replay_day_count(r); i++) {
        archase_replay_day day = ARCHASE_REPLAY_DAY_INIT;
        archase_replay_day_get(r, i, &day);
        put(&d, "day %d %llu %llu %llu %llu %llu %llu\n", (int)day.date, (unsigned long long)day.open_invoices,
            (unsigned long long)day.decisions, (unsigned long long)day.messages, (unsigned long long)day.calls,
            (unsigned long long)day.escalations, (unsigned long long)day.approvals);
    }
    for (size_t i = 0; i < archase_replay_message_count(r); i++) {
        archase_kpi_touch t = ARCHASE_KPI_TOUCH_INIT;
        archase_replay_message_get(r, i, &t);
        put(&d, "message %s %d %d %s %s %s", t.customer_id, (int)t.date, t.channel, t.sequence ? t.sequence : "-",
            t.step ? t.step : "-", t.template_name ? t.template_name : "-");
        for (size_t j = 0; j < t.invoice_count; j++)
            put(&d, " %s", t.invoice_ids[j]);
        put(&d, "\n");
    }
    const archase_kpi_report *k = archase_replay_kpis(r);
    for (size_t row = 0; row < archase_kpi_row_count(k); row++) {
        archase_kpi_row kr = ARCHASE_KPI_ROW_INIT;
        archase_kpi_row_get(k, row, &kr);
        put(&d, "row %s %d %d", kr.currency, (int)kr.from, (int)kr.to);
        for (int m = 1; m < ARCHASE_KPI_METRIC_LIMIT; m++) {
            archase_kpi_value v;
            if (archase_kpi_value_get(k, row, m, &v) == 0)
                put(&d, " %d:%d:%lld", m, v.defined, (long long)v.value);
        }
        put(&d, "\n");
    }
    for (size_t i = 0; i < archase_kpi_dispute_group_count(k); i++) {
        archase_kpi_dispute_group g = ARCHASE_KPI_DISPUTE_GROUP_INIT;
        archase_kpi_dispute_group_get(k, i, &g);
        put(&d, "dispute group %zu %d %s %llu %lld %llu", g.row, g.dimension, g.name, (unsigned long long)g.open,
            (long long)g.open_amount, (unsigned long long)g.resolved);
        put_number(&d, g.mean_days_open);
        put_number(&d, g.median_days_open);
        put_number(&d, g.oldest_days_open);
        put_number(&d, g.mean_days_to_resolution);
        put_number(&d, g.median_days_to_resolution);
        put(&d, "\n");
    }
    for (size_t i = 0; i < archase_kpi_effectiveness_count(k); i++) {
        archase_kpi_effectiveness g = ARCHASE_KPI_EFFECTIVENESS_INIT;
        archase_kpi_effectiveness_get(k, i, &g);
        put(&d, "effectiveness %zu %d %s %llu %lld %llu %lld %llu %llu", g.row, g.dimension, g.name,
            (unsigned long long)g.messages, (long long)g.amount, (unsigned long long)g.effective,
            (long long)g.effective_amount, (unsigned long long)g.responded, (unsigned long long)g.disputed);
        put_number(&d, g.effective_percent);
        put_number(&d, g.effective_amount_percent);
        put_number(&d, g.response_percent);
        put_number(&d, g.dispute_percent);
        put(&d, "\n");
    }
    archase_sha256(d.p, d.n, out);
    free(d.p);
}

typedef struct loader {
    archase_batch *b;
} loader;

/* Every customer with a consented e-mail contact, so messages can go out. */
static int add_customer(void *u, const archase_customer *c) {
    loader *l = u;
    int rc = archase_batch_add_customer(l->b, c, 0);
    char id[64], address[80];
    snprintf(id, sizeof id, "%s:email", c->id);
    snprintf(address, sizeof address, "ap@%s.example", c->id);
    archase_contact k = ARCHASE_CONTACT_INIT;
    k.id = id;
    k.customer_id = c->id;
    k.channel = ARCHASE_CHANNEL_EMAIL;
    k.address = address;
    k.consent = 1;
    k.primary = 1;
    return rc ? rc : archase_batch_add_contact(l->b, &k, 0);
}
static int add_invoice(void *u, const archase_invoice *inv) {
    return archase_batch_add_invoice(((loader *)u)->b, inv, 0);
}
static int add_payment(void *u, const archase_payment *p) {
    return archase_batch_add_payment(((loader *)u)->b, p, 0);
}

int main(int argc, char **argv) {
    ledger_gen_options o;
    ledger_gen_defaults(&o);
    o.invoices = 100000;
    o.customers = 10000;
    int days = 365;
    const char *policy_path = "examples/policies/enterprise-formal.yaml";
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && !strcmp(argv[i], "--invoices")) {
            o.invoices = (uint32_t)strtoul(argv[++i], NULL, 10);
            o.customers = o.invoices / 10 ? o.invoices / 10 : 1;
        } else if (i + 1 < argc && !strcmp(argv[i], "--days")) {
            days = atoi(argv[++i]);
        } else if (i + 1 < argc && !strcmp(argv[i], "--policy")) {
            policy_path = argv[++i];
        } else {
            fprintf(stderr, "usage: bench_replay [--invoices N] [--days N] [--policy FILE]\n");
            return 2;
        }
    }
    archase_policy *policy = NULL;
    check(archase_policy_load_file(policy_path, NULL, &policy, NULL), policy_path, NULL);
    archase_engine *eng = NULL;
    check(archase_open_memory(NULL, &eng), "memory store", NULL);
    loader l;
    double t0 = now_seconds();
    check(archase_batch_begin(eng, NULL, "bench", &l.b), "batch", eng);
    ledger_gen_sink sink = { &l, add_customer, add_invoice, add_payment };
    check(ledger_gen_run(&o, &sink), "generating", eng);
    check(archase_batch_commit(l.b, NULL), "commit", eng);
    archase_batch_free(l.b);
    double t1 = now_seconds();
    fprintf(stderr, "ledger: %u invoices, %u customers in %.2f s\n", o.invoices, o.customers, t1 - t0);

    archase_replay_result *r = NULL;
    archase_date to = o.as_of, from = o.as_of - days + 1;
    double t2 = now_seconds(), c2 = cpu_seconds();
    check(archase_replay(eng, policy, from, to, NULL, &r), "replay", eng);
    double t3 = now_seconds(), c3 = cpu_seconds();
    archase_replay_summary s = ARCHASE_REPLAY_SUMMARY_INIT;
    check(archase_replay_summary_get(r, &s), "summary", NULL);
    uint64_t open_max = 0;
    for (size_t i = 0; i < archase_replay_day_count(r); i++) {
        archase_replay_day d = ARCHASE_REPLAY_DAY_INIT;
        archase_replay_day_get(r, i, &d);
        open_max = d.open_invoices > open_max ? d.open_invoices : open_max;
    }
    char auc[32];
    archase_kpi_number_format(s.auc_percent, auc, sizeof auc);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("replay: %u days, %u invoices (up to %llu open a day): %.2f s, %.1f ms a day\n", s.days, o.invoices,
           (unsigned long long)open_max, t3 - t2, (t3 - t2) * 1000 / (s.days ? s.days : 1));
    printf("decisions %llu: messages %llu, calls %llu, alerts %llu, escalations %llu, approvals %llu; AUC %s %%\n",
           (unsigned long long)s.decisions, (unsigned long long)s.messages, (unsigned long long)s.calls,
           (unsigned long long)s.owner_alerts, (unsigned long long)s.escalations,
           (unsigned long long)s.approvals, auc);
    printf("CPU time of the replay: %.2f s, %.1f ms a day (what one core spent, whatever else ran)\n", c3 - c2,
           (c3 - c2) * 1000 / (s.days ? s.days : 1));
    printf("decisions hash: ");
    for (int i = 0; i < 32; i++)
        printf("%02x", s.decisions_hash[i]);
    printf("\n");
    uint8_t rd[32];
    report_digest(r, rd);
    printf("report digest (days, messages, AUC, KPIs): ");
    for (int i = 0; i < 32; i++)
        printf("%02x", rd[i]);
    printf("\n");
    printf("peak RSS %ld MiB\n", ru.ru_maxrss / 1024);
    archase_replay_result_free(r);
    archase_engine_free(eng);
    archase_policy_free(policy);
    return 0;
}
