/* bench/bench_kpi.c — every KPI of one quarter through the library against
 * hand-written SQL aggregate queries over the same SQLite tables, in the same
 * run (docs/perf.md, "KPIs").
 *
 * The ledger is bench/ledger_gen.c's (seed 42: 100k customers, 1M invoices
 * issued over 2025) with every payment split in two (one in 25 in three),
 * about 2M payments, plus a promise to pay on one invoice in 50 and a dispute
 * on one in 100. It is built once into --db (kept for the next run).
 *
 *   library: archase_kpi_compute for [from, to] over an open SQLite engine;
 *   floor:   the same figures from SQL: an aggregate over the invoices
 *            (invoiced by due-date bucket, sales, countback windows, open
 *            count) and one over payments joined to their invoices (paid by
 *            the same buckets, and before the period), the
 *            invoices settled in the period (days to pay and late: means,
 *            medians and weights finished in C), promises due in the period
 *            with what was paid toward them, and the disputes open at the end
 *            or resolved in the period. The floor's figures are checked
 *            against the library's.
 *
 *   bench_kpi [--db FILE] [--invoices N] [--customers N] [--from D --to D] [--runs N]
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "archase/archase.h"
#include "ledger_gen.h"

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *detail) {
    fprintf(stderr, "bench_kpi: %s: %s\n", what, detail ? detail : "");
    exit(1);
}

/* ---- building the ledger ------------------------------------------------------- */

static const char *const reasons[] = { "pricing", "short_ship", "damaged_goods", "missing_po",
                                       "milestone_not_accepted", "duplicate_billing", "tax", "other" };

typedef struct builder {
    archase_batch *b;
    int            pass;      /* 1: customers, invoices, promises, disputes; 2: payments */
    uint64_t       invoices, payments, promises, disputes;
    uint32_t       line;
} builder;

static void check(int rc, const char *what) {
    if (rc)
        die(what, archase_strerror(rc));
}

static int on_customer(void *u, const archase_customer *c) {
    builder *b = u;
    if (b->pass == 1)
        check(archase_batch_add_customer(b->b, c, ++b->line), "customer");
    return 0;
}

static int on_invoice(void *u, const archase_invoice *inv) {
    builder *b = u;
    if (b->pass != 1)
        return 0;
    check(archase_batch_add_invoice(b->b, inv, ++b->line), "invoice");
    uint64_t i = b->invoices++;
    const char *ids[1] = { inv->id };
    char id[48];
    if (i % 50 == 7) {
        archase_promise p = ARCHASE_PROMISE_INIT;
        snprintf(id, sizeof id, "PTP-%s", inv->id);
        p.id = id;
        p.customer_id = inv->customer_id;
        p.invoice_ids = ids;
        p.invoice_count = 1;
        p.amount = inv->amount;
        p.recorded_on = inv->due_date + 5;
        p.promised_date = inv->due_date + 15;
        check(archase_batch_add_promise(b->b, &p, ++b->line), "promise");
        b->promises++;
    }
    if (i % 100 == 3) {
        archase_dispute d = ARCHASE_DISPUTE_INIT;
        snprintf(id, sizeof id, "DSP-%s", inv->id);
        d.id = id;
        d.customer_id = inv->customer_id;
        d.invoice_ids = ids;
        d.invoice_count = 1;
        d.amount = inv->amount;
        d.amount.minor = inv->amount.minor / 2 ? inv->amount.minor / 2 : 1;
        d.reason_code = reasons[(i / 100) % 8];
        d.opened_on = inv->issue_date + 10;
        if ((i / 100) % 2) {
            d.status = ARCHASE_DISPUTE_RESOLVED;
            d.resolution = ARCHASE_RESOLUTION_REJECTED;
            d.root_cause = (i / 200) % 3 ? "customer_error" : "price_list";
            d.resolved_on = d.opened_on + 5 + (archase_date)((i / 100) % 40);
        }
        check(archase_batch_add_dispute(b->b, &d, ++b->line), "dispute");
        b->disputes++;
    }
    return 0;
}

/* Each generated payment becomes two (one in 25 three): what a ledger with
 * partial payments and credits looks like. */
static int on_payment(void *u, const archase_payment *p) {
    builder *b = u;
    if (b->pass != 2)
        return 0;
    int parts = b->payments % 25 == 0 && p->amount.minor >= 3 ? 3 : p->amount.minor >= 2 ? 2 : 1;
    int64_t left = p->amount.minor;
    for (int k = 0; k < parts; k++) {
        archase_payment q = *p;
        char id[64];
        snprintf(id, sizeof id, "%s-%d", p->id, k);
        q.id = id;
        q.amount.minor = k + 1 == parts ? left : p->amount.minor / parts;
        q.date = p->date - (archase_date)(3 * (parts - 1 - k));
        left -= q.amount.minor;
        check(archase_batch_add_payment(b->b, &q, ++b->line), "payment");
        b->payments++;
    }
    return 0;
}

static void build(const char *path, const ledger_gen_options *o) {
    archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
    so.synchronous = ARCHASE_SQLITE_SYNC_NORMAL;
    so.cache_kib = 1024 * 1024;
    archase_engine *eng = NULL;
    char err[512];
    check(archase_open_sqlite(path, &so, NULL, &eng, err, sizeof err), path);
    builder b;
    memset(&b, 0, sizeof b);
    ledger_gen_sink sink = { &b, on_customer, on_invoice, on_payment };
    double t0 = now_seconds();
    for (b.pass = 1; b.pass <= 2; b.pass++) {
        check(archase_batch_begin(eng, NULL, "bench", &b.b), "batch");
        check(ledger_gen_run(o, &sink), "generating");
        archase_batch_summary s;
        check(archase_batch_commit(b.b, &s), archase_engine_errmsg(eng));
        archase_batch_free(b.b);
    }
    fprintf(stderr, "built %s in %.1f s: %llu invoices, %llu payments, %llu promises, %llu disputes\n", path,
            now_seconds() - t0, (unsigned long long)b.invoices, (unsigned long long)b.payments,
            (unsigned long long)b.promises, (unsigned long long)b.disputes);
    archase_engine_free(eng);
}

/* ---- the floor: hand-written SQL ---------------------------------------------------- */

typedef struct figures {
    int64_t open_ar, beginning_ar, credit_sales, open_invoices;
    int64_t aging[5];
    int64_t window_sales[12];
    int64_t settled;
    double  avg_days_to_pay, median_days_late, weighted_days_late;
    int64_t promises_due, promises_kept, promised_paid;
    int64_t open_disputes, resolved_disputes;
    double  dispute_mean_days_open, dispute_median_days_to_resolution;
    double  dso_standard, dso_countback, cei;
    int64_t current_ar;
} figures;

static void date_text(archase_date d, char *buf) {
    if (archase_date_format(d, buf, ARCHASE_DATE_FORMAT_MAX) != 0)
        die("date", "out of range");
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die("prepare", sqlite3_errmsg(db));
    return st;
}

/* The receivables without a join per invoice: what was invoiced, by the
 * buckets of the invoices' due dates, less what was paid by the same
 * buckets (payments joined to their invoice). Open invoices are those not
 * settled by the period's end (status and settled date): valid for this
 * ledger, which has no adjustments or void invoices; the faster of the
 * formulations tried (a join of every invoice to its grouped payments took
 * 3.5 s on the full ledger). */
static const char invoiced_sql[] =
    "SELECT"
    "  sum(CASE WHEN issue_date < ?1 THEN amount_minor ELSE 0 END),"
    "  sum(CASE WHEN issue_date >= ?1 THEN amount_minor ELSE 0 END),"
    "  sum(CASE WHEN due_date >= ?2 THEN amount_minor ELSE 0 END),"
    "  sum(CASE WHEN due_date < ?2 AND due_date >= ?4 THEN amount_minor ELSE 0 END),"
    "  sum(CASE WHEN due_date < ?4 AND due_date >= ?5 THEN amount_minor ELSE 0 END),"
    "  sum(CASE WHEN due_date < ?5 AND due_date >= ?6 THEN amount_minor ELSE 0 END),"
    "  sum(CASE WHEN due_date < ?6 THEN amount_minor ELSE 0 END),"
    "  sum(status = 'open' OR last_payment_on > ?2),"
    "  sum(CASE WHEN issue_date > ?7 THEN amount_minor ELSE 0 END),"
    "  sum(CASE WHEN issue_date > ?8 AND issue_date <= ?7 THEN amount_minor ELSE 0 END),"
    "  sum(CASE WHEN issue_date > ?9 AND issue_date <= ?8 THEN amount_minor ELSE 0 END),"
    "  sum(CASE WHEN issue_date > ?10 AND issue_date <= ?9 THEN amount_minor ELSE 0 END),"
    "  sum(CASE WHEN issue_date > ?11 AND issue_date <= ?10 THEN amount_minor ELSE 0 END),"
    "  sum(CASE WHEN issue_date > ?12 AND issue_date <= ?11 THEN amount_minor ELSE 0 END),"
    "  sum(CASE WHEN issue_date > ?13 AND issue_date <= ?12 THEN amount_minor ELSE 0 END),"
    "  sum(CASE WHEN issue_date > ?14 AND issue_date <= ?13 THEN amount_minor ELSE 0 END),"
    "  sum(CASE WHEN issue_date > ?15 AND issue_date <= ?14 THEN amount_minor ELSE 0 END),"
    "  sum(CASE WHEN issue_date > ?16 AND issue_date <= ?15 THEN amount_minor ELSE 0 END),"
    "  sum(CASE WHEN issue_date > ?17 AND issue_date <= ?16 THEN amount_minor ELSE 0 END),"
    "  sum(CASE WHEN issue_date > ?18 AND issue_date <= ?17 THEN amount_minor ELSE 0 END)"
    " FROM invoices WHERE status <> 'void' AND issue_date <= ?2 AND currency = ?3";

static const char paid_sql[] =
    "SELECT"
    "  sum(CASE WHEN p.paid_on < ?1 AND i.issue_date < ?1 THEN p.applied_minor ELSE 0 END),"
    "  sum(CASE WHEN i.due_date >= ?2 THEN p.applied_minor ELSE 0 END),"
    "  sum(CASE WHEN i.due_date < ?2 AND i.due_date >= ?4 THEN p.applied_minor ELSE 0 END),"
    "  sum(CASE WHEN i.due_date < ?4 AND i.due_date >= ?5 THEN p.applied_minor ELSE 0 END),"
    "  sum(CASE WHEN i.due_date < ?5 AND i.due_date >= ?6 THEN p.applied_minor ELSE 0 END),"
    "  sum(CASE WHEN i.due_date < ?6 THEN p.applied_minor ELSE 0 END)"
    " FROM payments p JOIN invoices i ON i.id = p.invoice_id"
    " WHERE p.paid_on <= ?2 AND i.issue_date <= ?2 AND i.status <> 'void' AND i.currency = ?3";

static const char settled_sql[] =
    "SELECT CAST(julianday(last_payment_on) - julianday(issue_date) AS INTEGER),"
    "       CAST(julianday(last_payment_on) - julianday(due_date) AS INTEGER), amount_minor"
    " FROM invoices WHERE status = 'settled' AND last_payment_on >= ?1 AND last_payment_on <= ?2"
    " AND currency = ?3";

static const char promises_sql[] =
    "WITH due AS ("
    "  SELECT id, invoice_id, amount_minor, recorded_on,"
    "         date(promised_on, '+' || coalesce(grace_days, 2) || ' days') AS deadline"
    "  FROM promises WHERE status <> 'cancelled' AND currency = ?3)"
    " SELECT count(*), sum(paid >= amount_minor), sum(min(paid, amount_minor)) FROM ("
    "  SELECT d.amount_minor, coalesce((SELECT sum(applied_minor) FROM payments p"
    "     WHERE p.invoice_id = d.invoice_id AND p.kind = 'payment'"
    "       AND p.paid_on >= coalesce(d.recorded_on, '0000-00-00') AND p.paid_on <= d.deadline), 0) AS paid"
    "  FROM due d WHERE d.deadline >= ?1 AND d.deadline <= ?2)";

static const char disputes_sql[] =
    "SELECT reason_code, root_cause, opened_on, resolved_on,"
    "       CAST(julianday(?2) - julianday(opened_on) AS INTEGER),"
    "       CAST(julianday(resolved_on) - julianday(opened_on) AS INTEGER)"
    " FROM disputes WHERE opened_on <= ?2 AND currency = ?3"
    " AND (resolved_on IS NULL OR resolved_on > ?2 OR resolved_on >= ?1)";

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static double median(int64_t *v, size_t n) {
    if (!n)
        return 0;
    qsort(v, n, sizeof *v, cmp_i64);
    return n % 2 ? (double)v[n / 2] : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2;
}

typedef struct floor_ctx {
    sqlite3      *db;
    sqlite3_stmt *invoiced, *paid, *settled, *promises, *disputes;
    int64_t      *days, *days2;
    size_t        cap;
    double        part[4];  /* seconds of each query of the last run */
} floor_ctx;

static void grow(floor_ctx *c, size_t n) {
    if (n <= c->cap)
        return;
    c->cap = n * 2;
    c->days = realloc(c->days, c->cap * sizeof *c->days);
    c->days2 = realloc(c->days2, c->cap * sizeof *c->days2);
    if (!c->days || !c->days2)
        die("memory", "");
}

static void sql_floor(floor_ctx *c, archase_date from, archase_date to, const char *currency, figures *out) {
    char f[11], t[11], d30[11], d60[11], d90[11], w[12][11];
    date_text(from, f);
    date_text(to, t);
    date_text(to - 30, d30);
    date_text(to - 60, d60);
    date_text(to - 90, d90);
    for (int k = 0; k < 12; k++) {
        archase_date b;
        archase_date_add_months(to, -(k + 1), &b);
        date_text(b, w[k]);
    }
    memset(out, 0, sizeof *out);
    double t_start = now_seconds();
    sqlite3_stmt *inv = c->invoiced, *pay = c->paid;
    sqlite3_stmt *both[2] = { inv, pay };
    for (int q = 0; q < 2; q++) {
        sqlite3_stmt *st = both[q];
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, f, 10, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, t, 10, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, currency, 3, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, d30, 10, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, d60, 10, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, d90, 10, SQLITE_STATIC);
        for (int k = 0; q == 0 && k < 12; k++)
            sqlite3_bind_text(st, 7 + k, w[k], 10, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW)
            die("receivables", sqlite3_errmsg(c->db));
    }
    out->beginning_ar = sqlite3_column_int64(inv, 0) - sqlite3_column_int64(pay, 0);
    out->credit_sales = sqlite3_column_int64(inv, 1);
    for (int k = 0; k < 5; k++) {
        out->aging[k] = sqlite3_column_int64(inv, 2 + k) - sqlite3_column_int64(pay, 1 + k);
        out->open_ar += out->aging[k];
    }
    out->open_invoices = sqlite3_column_int64(inv, 7);
    for (int k = 0; k < 12; k++)
        out->window_sales[k] = sqlite3_column_int64(inv, 8 + k);
    out->current_ar = out->aging[0];
    double days = (double)(to - from + 1);
    out->dso_standard = out->credit_sales ? (double)out->open_ar / (double)out->credit_sales * days : 0;
    double collectible = (double)(out->beginning_ar + out->credit_sales - out->current_ar);
    out->cei = collectible != 0 ? (double)(out->beginning_ar + out->credit_sales - out->open_ar) / collectible * 100 : 0;
    /* countback: whole months while what is left covers the month's sales */
    double left = (double)out->open_ar, walked = 0;
    archase_date prev = to;
    for (int k = 0; k < 12 && left > 0; k++) {
        archase_date b;
        archase_date_add_months(to, -(k + 1), &b);
        double len = (double)(prev - b), sales = (double)out->window_sales[k];
        prev = b;
        if (left < sales) {
            walked += left / sales * len;
            left = 0;
            break;
        }
        left -= sales;
        walked += len;
    }
    out->dso_countback = walked;
    double t_settled = now_seconds();
    c->part[0] = t_settled - t_start;

    sqlite3_stmt *st = c->settled;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, f, 10, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, t, 10, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, currency, 3, SQLITE_STATIC);
    size_t n = 0;
    int64_t sum_pay = 0, sum_w = 0, sum_late_w = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        grow(c, n + 1);
        int64_t to_pay = sqlite3_column_int64(st, 0), late = sqlite3_column_int64(st, 1);
        int64_t amount = sqlite3_column_int64(st, 2);
        late = late > 0 ? late : 0;
        sum_pay += to_pay;
        sum_w += amount;
        sum_late_w += late * amount;
        c->days[n++] = late;
    }
    out->settled = (int64_t)n;
    out->avg_days_to_pay = n ? (double)sum_pay / (double)n : 0;
    out->median_days_late = median(c->days, n);
    out->weighted_days_late = sum_w ? (double)sum_late_w / (double)sum_w : 0;

    double t_promises = now_seconds();
    c->part[1] = t_promises - t_settled;
    st = c->promises;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, f, 10, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, t, 10, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, currency, 3, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW)
        die("promises", sqlite3_errmsg(c->db));
    out->promises_due = sqlite3_column_int64(st, 0);
    out->promises_kept = sqlite3_column_int64(st, 1);
    out->promised_paid = sqlite3_column_int64(st, 2);

    double t_disputes = now_seconds();
    c->part[2] = t_disputes - t_promises;
    st = c->disputes;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, f, 10, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, t, 10, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, currency, 3, SQLITE_STATIC);
    size_t open = 0, resolved = 0;
    int64_t open_days = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        grow(c, open + resolved + 1);
        const unsigned char *res = sqlite3_column_text(st, 3);
        if (!res || strcmp((const char *)res, t) > 0) {
            open_days += sqlite3_column_int64(st, 4);
            open++;
        } else {
            c->days2[resolved++] = sqlite3_column_int64(st, 5);
        }
    }
    out->open_disputes = (int64_t)open;
    out->resolved_disputes = (int64_t)resolved;
    out->dispute_mean_days_open = open ? (double)open_days / (double)open : 0;
    out->dispute_median_days_to_resolution = median(c->days2, resolved);
    c->part[3] = now_seconds() - t_disputes;
}

/* ---- the library --------------------------------------------------------------------- */

static int64_t value(const archase_kpi_report *r, int metric) {
    archase_kpi_value v;
    check(archase_kpi_value_get(r, 0, metric, &v), "value");
    return v.value;
}

static void library(archase_engine *eng, archase_date from, archase_date to, figures *out) {
    archase_kpi_options o = ARCHASE_KPI_OPTIONS_INIT;
    o.currency = "EUR";
    archase_kpi_report *r = NULL;
    check(archase_kpi_compute(eng, from, to, &o, &r), archase_engine_errmsg(eng));
    memset(out, 0, sizeof *out);
    out->open_ar = value(r, ARCHASE_KPI_OPEN_AR);
    out->open_invoices = value(r, ARCHASE_KPI_OPEN_INVOICES);
    out->beginning_ar = value(r, ARCHASE_KPI_BEGINNING_AR);
    out->credit_sales = value(r, ARCHASE_KPI_CREDIT_SALES);
    for (int k = 0; k < 5; k++)
        out->aging[k] = value(r, ARCHASE_KPI_AGING_CURRENT + k);
    out->settled = value(r, ARCHASE_KPI_SETTLED_INVOICES);
    out->avg_days_to_pay = (double)value(r, ARCHASE_KPI_AVG_DAYS_TO_PAY) / 100;
    out->median_days_late = (double)value(r, ARCHASE_KPI_MEDIAN_DAYS_LATE) / 100;
    out->weighted_days_late = (double)value(r, ARCHASE_KPI_WEIGHTED_DAYS_LATE) / 100;
    out->promises_due = value(r, ARCHASE_KPI_PROMISES_DUE);
    out->promises_kept = value(r, ARCHASE_KPI_PROMISES_KEPT);
    out->promised_paid = value(r, ARCHASE_KPI_PROMISED_PAID);
    out->open_disputes = value(r, ARCHASE_KPI_OPEN_DISPUTES);
    out->resolved_disputes = value(r, ARCHASE_KPI_RESOLVED_DISPUTES);
    out->dispute_mean_days_open = (double)value(r, ARCHASE_KPI_DISPUTE_MEAN_DAYS_OPEN) / 100;
    out->dispute_median_days_to_resolution = (double)value(r, ARCHASE_KPI_DISPUTE_MEDIAN_DAYS_TO_RESOLVE) / 100;
    out->dso_standard = (double)value(r, ARCHASE_KPI_DSO_STANDARD) / 100;
    out->dso_countback = (double)value(r, ARCHASE_KPI_DSO_COUNTBACK) / 100;
    out->cei = (double)value(r, ARCHASE_KPI_CEI) / 100;
    out->current_ar = value(r, ARCHASE_KPI_CURRENT_AR);
    archase_kpi_report_free(r);
}

static void compare(const figures *lib, const figures *sql) {
    const struct {
        const char *name;
        int64_t     a, b;
    } exact[] = {
        { "open_ar", lib->open_ar, sql->open_ar },
        { "open_invoices", lib->open_invoices, sql->open_invoices },
        { "beginning_ar", lib->beginning_ar, sql->beginning_ar },
        { "credit_sales", lib->credit_sales, sql->credit_sales },
        { "current_ar", lib->current_ar, sql->current_ar },
        { "aging.current", lib->aging[0], sql->aging[0] },
        { "aging.1_30", lib->aging[1], sql->aging[1] },
        { "aging.31_60", lib->aging[2], sql->aging[2] },
        { "aging.61_90", lib->aging[3], sql->aging[3] },
        { "aging.91_plus", lib->aging[4], sql->aging[4] },
        { "settled_invoices", lib->settled, sql->settled },
        { "promises_due", lib->promises_due, sql->promises_due },
        { "promises_kept", lib->promises_kept, sql->promises_kept },
        { "promised_paid", lib->promised_paid, sql->promised_paid },
        { "open_disputes", lib->open_disputes, sql->open_disputes },
        { "resolved_disputes", lib->resolved_disputes, sql->resolved_disputes },
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++) {
        if (exact[i].a != exact[i].b) {
            fprintf(stderr, "MISMATCH %s: library %lld, SQL %lld\n", exact[i].name, (long long)exact[i].a,
                    (long long)exact[i].b);
            bad = 1;
        }
    }
    const struct {
        const char *name;
        double      a, b;
    } approx[] = {
        { "avg_days_to_pay", lib->avg_days_to_pay, sql->avg_days_to_pay },
        { "median_days_late", lib->median_days_late, sql->median_days_late },
        { "weighted_days_late", lib->weighted_days_late, sql->weighted_days_late },
        { "dispute_mean_days_open", lib->dispute_mean_days_open, sql->dispute_mean_days_open },
        { "dispute_median_days_to_resolution", lib->dispute_median_days_to_resolution,
          sql->dispute_median_days_to_resolution },
        { "dso_standard_days", lib->dso_standard, sql->dso_standard },
        { "dso_countback_days", lib->dso_countback, sql->dso_countback },
        { "cei_percent", lib->cei, sql->cei },
    };
    for (size_t i = 0; i < sizeof approx / sizeof approx[0]; i++) {
        double d = approx[i].a - approx[i].b;
        if (d > 0.005001 || d < -0.005001) {
            fprintf(stderr, "MISMATCH %s: library %.2f, SQL %.4f\n", approx[i].name, approx[i].a, approx[i].b);
            bad = 1;
        }
    }
    if (bad)
        die("figures", "the library and the SQL floor disagree");
}

static long peak_rss_kib(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int main(int argc, char **argv) {
    ledger_gen_options o;
    ledger_gen_defaults(&o);
    const char *db_path = "/tmp/bench_kpi.db";
    archase_date from = 20362, to = 20453; /* 2025-10-01 .. 2025-12-31 */
    int runs = 3;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && !strcmp(argv[i], "--db"))
            db_path = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--invoices"))
            o.invoices = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (i + 1 < argc && !strcmp(argv[i], "--customers"))
            o.customers = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (i + 1 < argc && !strcmp(argv[i], "--from"))
            check(archase_date_parse(argv[++i], &from), "--from");
        else if (i + 1 < argc && !strcmp(argv[i], "--to"))
            check(archase_date_parse(argv[++i], &to), "--to");
        else if (i + 1 < argc && !strcmp(argv[i], "--runs"))
            runs = atoi(argv[++i]);
        else
            die("usage", "bench_kpi [--db FILE] [--invoices N] [--customers N] [--from D --to D] [--runs N]");
    }
    if (access(db_path, F_OK) != 0)
        build(db_path, &o);
    else
        fprintf(stderr, "reusing %s\n", db_path);

    archase_engine *eng = NULL;
    char err[512];
    check(archase_open_sqlite(db_path, NULL, NULL, &eng, err, sizeof err), db_path);
    floor_ctx c;
    memset(&c, 0, sizeof c);
    if (sqlite3_open_v2(db_path, &c.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die(db_path, sqlite3_errmsg(c.db));
    sqlite3_exec(c.db, "PRAGMA cache_size = -262144", NULL, NULL, NULL);
    c.invoiced = prepare(c.db, invoiced_sql);
    c.paid = prepare(c.db, paid_sql);
    c.settled = prepare(c.db, settled_sql);
    c.promises = prepare(c.db, promises_sql);
    c.disputes = prepare(c.db, disputes_sql);

    figures lib, sql;
    memset(&lib, 0, sizeof lib);
    memset(&sql, 0, sizeof sql);
    if (runs < 1)
        runs = 1;
    double best_lib = 1e9, best_sql = 1e9, sum_lib = 0, sum_sql = 0;
    long rss_before = peak_rss_kib();
    for (int r = 0; r < runs; r++) {
        double t0 = now_seconds();
        sql_floor(&c, from, to, "EUR", &sql);
        double t1 = now_seconds();
        library(eng, from, to, &lib);
        double t2 = now_seconds();
        best_sql = t1 - t0 < best_sql ? t1 - t0 : best_sql;
        best_lib = t2 - t1 < best_lib ? t2 - t1 : best_lib;
        sum_sql += t1 - t0;
        sum_lib += t2 - t1;
        fprintf(stderr, "run %d: SQL %.3f s, library %.3f s\n", r + 1, t1 - t0, t2 - t1);
    }
    compare(&lib, &sql);
    printf("kpi quarter: %lld open invoices, %lld settled in the period, %lld promises due, %lld disputes\n",
           (long long)lib.open_invoices, (long long)lib.settled, (long long)lib.promises_due,
           (long long)(lib.open_disputes + lib.resolved_disputes));
    printf("floor (SQL):  best %.3f s, mean %.3f s (last run: receivables %.3f, settled %.3f, promises %.3f, disputes %.3f)\n",
           best_sql, sum_sql / runs, c.part[0], c.part[1], c.part[2], c.part[3]);
    printf("library:      best %.3f s, mean %.3f s\n", best_lib, sum_lib / runs);
    printf("ratio:        %.2f (best), %.2f (mean)\n", best_lib / best_sql, sum_lib / sum_sql);
    printf("peak RSS:     %ld MiB (before the runs: %ld MiB)\n", peak_rss_kib() / 1024, rss_before / 1024);
    sqlite3_finalize(c.invoiced);
    sqlite3_finalize(c.paid);
    sqlite3_finalize(c.settled);
    sqlite3_finalize(c.promises);
    sqlite3_finalize(c.disputes);
    sqlite3_close(c.db);
    free(c.days);
    free(c.days2);
    archase_engine_free(eng);
    return 0;
}
