/* bench/bench_store.c — storage and ingestion against raw SQLite, in the
 * same run on the same machine (docs/perf.md, "Storage and ingestion").
 *
 *   import:   N invoices (and their customers) through an atomic batch of
 *             the facts API into a new SQLite file, versus raw SQLite
 *             inserting the same rows into the same tables through prepared
 *             statements in one transaction (the floor: every value is
 *             computed before the clock starts);
 *   snapshot: the open-item snapshot (open invoices, every customer, every
 *             flags record) read back through the storage backend, versus
 *             raw SQLite selecting the same rows and columns.
 *
 *   bench_store [--invoices N] [--customers N] [--dir DIR]
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/canon.h"
#include "engine/codec.h"
#include "ledger_gen.h"

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *detail) {
    fprintf(stderr, "bench_store: %s: %s\n", what, detail ? detail : "");
    exit(1);
}

/* ---- the generated ledger, held in memory ------------------------------------ */

typedef struct held {
    archase_customer *customers;
    archase_invoice  *invoices;
    archase_payment  *payments;
    size_t            nc, ni, np, cap_p;
    char             *strings; /* every id, bump-allocated */
    size_t            used, cap;
} held;

static const char *keep(held *h, const char *s) {
    size_t n = strlen(s) + 1;
    if (h->used + n > h->cap)
        die("string pool", "full");
    char *p = h->strings + h->used;
    memcpy(p, s, n);
    h->used += n;
    return p;
}

static int hold_customer(void *userdata, const archase_customer *c) {
    held *h = userdata;
    archase_customer *d = &h->customers[h->nc++];
    *d = *c;
    d->id = keep(h, c->id);
    d->name = keep(h, c->name);
    return 0;
}

static int hold_invoice(void *userdata, const archase_invoice *inv) {
    held *h = userdata;
    archase_invoice *d = &h->invoices[h->ni++];
    *d = *inv;
    d->id = keep(h, inv->id);
    d->customer_id = keep(h, inv->customer_id);
    d->number = d->id + 3;
    return 0;
}

static int hold_payment(void *userdata, const archase_payment *p) {
    held *h = userdata;
    if (h->np == h->cap_p) {
        h->cap_p = h->cap_p ? h->cap_p * 2 : 1024;
        h->payments = realloc(h->payments, h->cap_p * sizeof *h->payments);
        if (!h->payments)
            die("memory", NULL);
    }
    archase_payment *d = &h->payments[h->np++];
    *d = *p;
    d->id = keep(h, p->id);
    d->customer_id = keep(h, p->customer_id);
    d->invoice_id = keep(h, p->invoice_id);
    return 0;
}

/* ---- ours: the facts API into SQLite ------------------------------------------ */

typedef struct fact_counter_t {
    uint64_t rows;
} fact_counter_t;

static int count_fact_t(void *userdata, const archase_fact *f) {
    (void)f;
    ((fact_counter_t *)userdata)->rows++;
    return 0;
}

static void remove_db(const char *path) {
    char p[4200];
    const char *suffixes[] = { "", "-wal", "-shm" };
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        unlink(p);
    }
}

static archase_engine *open_db(const char *path) {
    archase_engine *eng = NULL;
    char err[512];
    if (archase_open_sqlite(path, NULL, NULL, &eng, err, sizeof err))
        die(path, err);
    return eng;
}

static double import_ours(const char *path, const held *h) {
    remove_db(path);
    archase_engine *eng = open_db(path);
    double t0 = now_seconds();
    archase_batch *b = NULL;
    if (archase_batch_begin(eng, NULL, "bench", &b))
        die("batch", archase_engine_errmsg(eng));
    for (size_t i = 0; i < h->nc; i++) {
        if (archase_batch_add_customer(b, &h->customers[i], 0))
            die("customer", archase_engine_errmsg(eng));
    }
    for (size_t i = 0; i < h->ni; i++) {
        if (archase_batch_add_invoice(b, &h->invoices[i], 0))
            die("invoice", archase_engine_errmsg(eng));
    }
    if (archase_batch_commit(b, NULL))
        die("commit", archase_engine_errmsg(eng));
    double t = now_seconds() - t0;
    archase_batch_free(b);
    archase_engine_free(eng);
    return t;
}

/* The same batches into the memory backend, then its snapshot scan. */
static void memory_figures(const held *h) {
    archase_engine *eng = NULL;
    if (archase_open_memory(NULL, &eng))
        die("memory", NULL);
    double t0 = now_seconds();
    archase_batch *b = NULL;
    if (archase_batch_begin(eng, NULL, "bench", &b))
        die("batch", archase_engine_errmsg(eng));
    for (size_t i = 0; i < h->nc; i++) {
        if (archase_batch_add_customer(b, &h->customers[i], 0))
            die("customer", archase_engine_errmsg(eng));
    }
    for (size_t i = 0; i < h->ni; i++) {
        if (archase_batch_add_invoice(b, &h->invoices[i], 0))
            die("invoice", archase_engine_errmsg(eng));
    }
    if (archase_batch_commit(b, NULL))
        die("commit", archase_engine_errmsg(eng));
    archase_batch_free(b);
    double import = now_seconds() - t0;
    t0 = now_seconds();
    if (archase_batch_begin(eng, NULL, "bench", &b))
        die("batch", archase_engine_errmsg(eng));
    for (size_t i = 0; i < h->np; i++) {
        if (archase_batch_add_payment(b, &h->payments[i], 0))
            die("payment", archase_engine_errmsg(eng));
    }
    if (archase_batch_commit(b, NULL))
        die("commit", archase_engine_errmsg(eng));
    archase_batch_free(b);
    double pay = now_seconds() - t0;
    fact_counter_t c = { 0 };
    t0 = now_seconds();
    archase_fact_filter f = ARCHASE_FACT_FILTER_INIT;
    f.family = ARCHASE_FAMILY_INVOICE;
    f.status = ARCHASE_INVOICE_OPEN;
    if (archase_facts_scan(eng, &f, count_fact_t, &c))
        die("scan", archase_engine_errmsg(eng));
    double snap = now_seconds() - t0;
    printf("  memory   import %.3f s (%.0f rows/s), payments %.3f s (%.0f rows/s),"
           " open invoices decoded %.3f s (%.0f rows/s)\n",
           import, (double)(h->nc + h->ni) / import, pay, (double)h->np / pay, snap, (double)c.rows / snap);
    archase_engine_free(eng);
}

static double import_payments(const char *path, const held *h) {
    archase_engine *eng = open_db(path);
    double t0 = now_seconds();
    archase_batch *b = NULL;
    if (archase_batch_begin(eng, NULL, "bench", &b))
        die("batch", archase_engine_errmsg(eng));
    for (size_t i = 0; i < h->np; i++) {
        if (archase_batch_add_payment(b, &h->payments[i], 0))
            die("payment", archase_engine_errmsg(eng));
    }
    if (archase_batch_commit(b, NULL))
        die("commit", archase_engine_errmsg(eng));
    double t = now_seconds() - t0;
    archase_batch_free(b);
    archase_engine_free(eng);
    return t;
}

/* ---- the floor: raw SQLite, same tables, same rows -------------------------------- */

typedef struct prepared_row {
    char     issue[11], due[11];
    uint8_t *data;
    size_t   size;
} prepared_row;

static void exec(sqlite3 *db, const char *sql) {
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        die(sql, err);
}

static sqlite3 *open_raw(const char *path) {
    sqlite3 *db = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        die(path, sqlite3_errmsg(db));
    /* The same settings as the library's connection. */
    exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
             " PRAGMA cache_size = -65536;");
    return db;
}

static double import_floor(const char *path, const held *h, prepared_row *cust, prepared_row *inv) {
    remove_db(path);
    archase_engine_free(open_db(path)); /* the same schema, made by the library */
    sqlite3 *db = open_raw(path);
    sqlite3_stmt *ci = NULL, *ii = NULL;
    if (sqlite3_prepare_v2(db, "INSERT INTO customers (id, revision, name, tier, timezone, credit_limit_minor,"
                               " credit_limit_currency, data) VALUES (?1, 0, ?2, ?3, ?4, ?5, ?6, ?7)",
                           -1, &ci, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO invoices (id, customer_id, revision, number, issue_date, due_date,"
                               " amount_minor, open_minor, currency, status, data)"
                               " VALUES (?1, ?2, 0, ?3, ?4, ?5, ?6, ?6, ?7, 'open', ?8)",
                           -1, &ii, NULL) != SQLITE_OK)
        die("prepare", sqlite3_errmsg(db));
    double t0 = now_seconds();
    exec(db, "BEGIN IMMEDIATE");
    for (size_t i = 0; i < h->nc; i++) {
        const archase_customer *c = &h->customers[i];
        sqlite3_bind_text(ci, 1, c->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(ci, 2, c->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(ci, 3, c->tier, -1, SQLITE_STATIC);
        sqlite3_bind_text(ci, 4, c->timezone, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ci, 5, c->credit_limit.minor);
        sqlite3_bind_text(ci, 6, c->credit_limit.currency, -1, SQLITE_STATIC);
        sqlite3_bind_blob(ci, 7, cust[i].data, (int)cust[i].size, SQLITE_STATIC);
        if (sqlite3_step(ci) != SQLITE_DONE)
            die("insert customer", sqlite3_errmsg(db));
        sqlite3_reset(ci);
    }
    for (size_t i = 0; i < h->ni; i++) {
        const archase_invoice *v = &h->invoices[i];
        sqlite3_bind_text(ii, 1, v->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(ii, 2, v->customer_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(ii, 3, v->number, -1, SQLITE_STATIC);
        sqlite3_bind_text(ii, 4, inv[i].issue, 10, SQLITE_STATIC);
        sqlite3_bind_text(ii, 5, inv[i].due, 10, SQLITE_STATIC);
        sqlite3_bind_int64(ii, 6, v->amount.minor);
        sqlite3_bind_text(ii, 7, v->amount.currency, 3, SQLITE_STATIC);
        sqlite3_bind_blob(ii, 8, inv[i].data, (int)inv[i].size, SQLITE_STATIC);
        if (sqlite3_step(ii) != SQLITE_DONE)
            die("insert invoice", sqlite3_errmsg(db));
        sqlite3_reset(ii);
    }
    exec(db, "COMMIT");
    double t = now_seconds() - t0;
    sqlite3_finalize(ci);
    sqlite3_finalize(ii);
    sqlite3_close(db);
    return t;
}

/* ---- snapshot ------------------------------------------------------------------------ */

typedef struct counter {
    uint64_t rows;
    int64_t  sum;
} counter;

static int count_record(void *ctx, const archase_record *r) {
    counter *c = ctx;
    c->rows++;
    c->sum += r->amount2 + (int64_t)r->size + r->date;
    return 0;
}

static double snapshot_ours(const char *path, uint64_t *rows) {
    archase_storage s;
    char err[512];
    if (archase_sqlite_storage_open(path, NULL, NULL, &s, err, sizeof err))
        die(path, err);
    counter c = { 0, 0 };
    double t0 = now_seconds();
    archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
    f.family = ARCHASE_FAMILY_INVOICE;
    f.status = ARCHASE_INVOICE_STATUS_OPEN;
    int rc = s.scan(s.userdata, &f, count_record, &c);
    f.status = 0;
    f.family = ARCHASE_FAMILY_CUSTOMER;
    if (!rc)
        rc = s.scan(s.userdata, &f, count_record, &c);
    f.family = ARCHASE_FAMILY_FLAGS;
    if (!rc)
        rc = s.scan(s.userdata, &f, count_record, &c);
    double t = now_seconds() - t0;
    if (rc)
        die("scan", s.errmsg(s.userdata));
    s.close(s.userdata);
    *rows = c.rows;
    return t;
}

typedef struct fact_counter {
    uint64_t rows;
} fact_counter;

static int count_fact(void *userdata, const archase_fact *f) {
    (void)f;
    ((fact_counter *)userdata)->rows++;
    return 0;
}

static double snapshot_facts(const char *path, uint64_t *rows) {
    archase_engine *eng = open_db(path);
    fact_counter c = { 0 };
    double t0 = now_seconds();
    archase_fact_filter f = ARCHASE_FACT_FILTER_INIT;
    f.family = ARCHASE_FAMILY_INVOICE;
    f.status = ARCHASE_INVOICE_OPEN;
    int rc = archase_facts_scan(eng, &f, count_fact, &c);
    f.status = 0;
    f.family = ARCHASE_FAMILY_CUSTOMER;
    if (!rc)
        rc = archase_facts_scan(eng, &f, count_fact, &c);
    f.family = ARCHASE_FAMILY_FLAGS;
    if (!rc)
        rc = archase_facts_scan(eng, &f, count_fact, &c);
    double t = now_seconds() - t0;
    if (rc)
        die("scan", archase_engine_errmsg(eng));
    archase_engine_free(eng);
    *rows = c.rows;
    return t;
}

static uint64_t select_rows(sqlite3 *db, const char *sql, int64_t *sum) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die(sql, sqlite3_errmsg(db));
    uint64_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        /* Touch every column, as a reader of the envelope and data would. */
        int cols = sqlite3_column_count(st);
        for (int i = 0; i < cols; i++) {
            if (sqlite3_column_type(st, i) == SQLITE_BLOB)
                *sum += sqlite3_column_bytes(st, i);
            else if (sqlite3_column_type(st, i) == SQLITE_TEXT)
                *sum += sqlite3_column_text(st, i)[0];
            else
                *sum += sqlite3_column_int64(st, i);
        }
        n++;
    }
    sqlite3_finalize(st);
    return n;
}

static double snapshot_floor(const char *path, uint64_t *rows) {
    sqlite3 *db = open_raw(path);
    int64_t sum = 0;
    double t0 = now_seconds();
    uint64_t n = select_rows(db, "SELECT id, customer_id, revision, status, due_date, issue_date, last_payment_on,"
                                 " amount_minor, open_minor, currency, data FROM invoices WHERE status = 'open' ORDER BY id", &sum);
    n += select_rows(db, "SELECT id, revision, credit_limit_minor, credit_limit_currency, data FROM customers ORDER BY id", &sum);
    n += select_rows(db, "SELECT customer_id, revision, flags, paused_until, data FROM customer_flags ORDER BY customer_id", &sum);
    double t = now_seconds() - t0;
    sqlite3_close(db);
    *rows = n;
    return t;
}

/* ---- main --------------------------------------------------------------------------------- */

static void encode_all(const held *h, prepared_row *cust, prepared_row *inv) {
    ar_canon c;
    ar_canon_init(&c, NULL);
    for (size_t i = 0; i < h->nc + h->ni; i++) {
        ar_fact_ref ref;
        prepared_row *row;
        if (i < h->nc) {
            ref = (ar_fact_ref){ ARCHASE_FAMILY_CUSTOMER, &h->customers[i] };
            row = &cust[i];
        } else {
            const archase_invoice *v = &h->invoices[i - h->nc];
            ref = (ar_fact_ref){ ARCHASE_FAMILY_INVOICE, v };
            row = &inv[i - h->nc];
            archase_date_format(v->issue_date, row->issue, sizeof row->issue);
            archase_date_format(v->due_date, row->due, sizeof row->due);
        }
        const uint8_t *data;
        if (ar_fact_encode(&c, ref) || ar_canon_finish(&c, &data, &row->size))
            die("encode", NULL);
        row->data = malloc(row->size);
        if (!row->data)
            die("memory", NULL);
        memcpy(row->data, data, row->size);
    }
    ar_canon_free(&c);
}

static void add_flags(const char *path, const held *h) {
    archase_engine *eng = open_db(path);
    archase_batch *b = NULL;
    if (archase_batch_begin(eng, NULL, "bench", &b))
        die("batch", archase_engine_errmsg(eng));
    for (size_t i = 0; i < h->nc; i += 20) {
        archase_customer_flags fl = ARCHASE_CUSTOMER_FLAGS_INIT;
        fl.customer_id = h->customers[i].id;
        fl.hold = (i / 20) % 3 == 0;
        fl.strategic = (i / 20) % 3 == 1;
        fl.paused_until = (i / 20) % 3 == 2 ? 20500 : ARCHASE_DATE_NONE;
        if (archase_batch_add_customer_flags(b, &fl, 0))
            die("flags", archase_engine_errmsg(eng));
    }
    if (archase_batch_commit(b, NULL))
        die("commit", archase_engine_errmsg(eng));
    archase_batch_free(b);
    archase_engine_free(eng);
}

int main(int argc, char **argv) {
    ledger_gen_options o;
    ledger_gen_defaults(&o);
    const char *dir = "/tmp";
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && !strcmp(argv[i], "--invoices"))
            o.invoices = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (i + 1 < argc && !strcmp(argv[i], "--customers"))
            o.customers = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (i + 1 < argc && !strcmp(argv[i], "--dir"))
            dir = argv[++i];
        else {
            fprintf(stderr, "usage: bench_store [--invoices N] [--customers N] [--dir DIR]\n");
            return 2;
        }
    }
    if (!o.customers)
        die("--customers", "must be at least 1");
    held h;
    memset(&h, 0, sizeof h);
    h.customers = calloc(o.customers, sizeof *h.customers);
    h.invoices = calloc(o.invoices ? o.invoices : 1, sizeof *h.invoices);
    h.cap = (size_t)o.customers * 48 + (size_t)o.invoices * 40 * 3 + 4096;
    h.strings = malloc(h.cap);
    if (!h.customers || !h.invoices || !h.strings)
        die("memory", NULL);
    ledger_gen_sink sink = { &h, hold_customer, hold_invoice, hold_payment };
    if (ledger_gen_run(&o, &sink))
        die("generate", NULL);
    prepared_row *cust = calloc(h.nc, sizeof *cust), *inv = calloc(h.ni ? h.ni : 1, sizeof *inv);
    if (!cust || !inv)
        die("memory", NULL);
    encode_all(&h, cust, inv);

    char ours[4096], floor_path[4096];
    snprintf(ours, sizeof ours, "%s/bench-store-ours.db", dir);
    snprintf(floor_path, sizeof floor_path, "%s/bench-store-floor.db", dir);
    printf("storage and ingestion: %zu customers, %zu invoices, %zu payments (seed %llu)\n", h.nc, h.ni, h.np,
           (unsigned long long)o.seed);

    double floor_import = import_floor(floor_path, &h, cust, inv);
    double ours_import = import_ours(ours, &h);
    double rows = (double)(h.nc + h.ni);
    printf("  import   floor (raw SQLite)   %8.3f s  %10.0f rows/s\n", floor_import, rows / floor_import);
    printf("  import   facts API batch      %8.3f s  %10.0f rows/s  ratio %.2f\n", ours_import,
           rows / ours_import, ours_import / floor_import);
    double pay = import_payments(ours, &h);
    printf("  payments facts API batch      %8.3f s  %10.0f rows/s  (applied to invoices)\n", pay, (double)h.np / pay);

    /* The floor file gets the same open/settled state and flags, so both
     * snapshots select the same rows. */
    add_flags(ours, &h);
    {
        sqlite3 *db = open_raw(floor_path);
        exec(db, "ATTACH DATABASE '' AS unused");
        char sql[8400];
        snprintf(sql, sizeof sql,
                 "ATTACH DATABASE '%s' AS o;"
                 "BEGIN;"
                 "UPDATE invoices SET status = (SELECT status FROM o.invoices oi WHERE oi.id = invoices.id),"
                 " open_minor = (SELECT open_minor FROM o.invoices oi WHERE oi.id = invoices.id);"
                 "INSERT INTO customer_flags SELECT * FROM o.customer_flags;"
                 "COMMIT; DETACH DATABASE o;",
                 ours);
        exec(db, sql);
        sqlite3_close(db);
    }
    uint64_t floor_rows = 0, our_rows = 0, fact_rows = 0;
    double floor_snap = snapshot_floor(floor_path, &floor_rows);
    double our_snap = snapshot_ours(ours, &our_rows);
    double fact_snap = snapshot_facts(ours, &fact_rows);
    printf("  snapshot floor (raw SQLite)   %8.3f s  %10.0f rows/s  (%llu rows)\n", floor_snap,
           (double)floor_rows / floor_snap, (unsigned long long)floor_rows);
    printf("  snapshot storage scan         %8.3f s  %10.0f rows/s  ratio %.2f  (%llu rows)\n", our_snap,
           (double)our_rows / our_snap, our_snap / floor_snap, (unsigned long long)our_rows);
    printf("  snapshot facts API (decoded)  %8.3f s  %10.0f rows/s  ratio %.2f  (%llu rows)\n", fact_snap,
           (double)fact_rows / fact_snap, fact_snap / floor_snap, (unsigned long long)fact_rows);
    memory_figures(&h);
    remove_db(ours);
    remove_db(floor_path);
    for (size_t i = 0; i < h.nc; i++)
        free(cust[i].data);
    for (size_t i = 0; i < h.ni; i++)
        free(inv[i].data);
    free(cust);
    free(inv);
    free(h.customers);
    free(h.invoices);
    free(h.payments);
    free(h.strings);
    return 0;
}
