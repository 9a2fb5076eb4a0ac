/* bench/bench_cycle.c — the daily cycle persisted to SQLite, against its
 * floor in the same run (docs/perf.md, "The daily cycle").
 *
 * A seeded ledger (bench/ledger_gen.c) of N open invoices over C customers,
 * each customer with a consented e-mail contact, a collector and an owner,
 * is imported once into a SQLite file. Then, for each round, on fresh copies
 * of that file:
 *
 *   cycle     archase_run_cycle with the enterprise example policy (no
 *             transport: snapshot, evaluation, the one transaction with
 *             cadence, outbox items, approval requests and audit records,
 *             commit)
 *   floor     raw SQLite on the other copy: read every row of the tables the
 *             snapshot reads (customers, contacts, flags, invoices, payments,
 *             promises, disputes, notes, cadence), then write, in one
 *             transaction with prepared statements, exactly the rows the
 *             cycle wrote (read back from its file beforehand, untimed)
 *   dispatch  the cycle's outbox handed to a no-op transport: messages per
 *             second on SQLite (one claim and one acknowledging transaction
 *             per batch) and, with the same items, on the memory store
 *
 * The best of --rounds rounds of each is reported, with the ratio.
 *
 *   bench_cycle [--invoices N] [--customers N] [--rounds R] [--dir DIR] [--policy FILE] [--days D]
 *               [--memory-repeats N]
 *   bench_cycle --sha256 [--rounds R]
 *
 * --memory-repeats N: the memory store's dispatch runs N times per round,
 * each on a fresh copy of the items, and every run's CPU time is printed (a
 * shared machine's noise shows in the spread; the best counts).
 *
 * --days D: the invoices are issued over the D days before the day (120 by
 * default, where the example policy acts on about 30 of 100 open invoices;
 * 39 gives a ledger where most invoices are not yet due and about 10 of 100
 * get an action).
 *
 * --sha256: only SHA-256's speed, in bytes per second of CPU, at the sizes
 * the cycle hashes (a 65-byte Merkle node, a 307-byte audit record, 4 KiB,
 * 1 MiB): libcrypto's EVP with a reused context (what the library used
 * before it had its own), the portable C compression and, where the
 * processor has them, its SHA instructions.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "archase/archase.h"
#include "core/sha256.h"
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
    fprintf(stderr, "bench_cycle: %s: %s\n", what, detail ? detail : "");
    exit(1);
}

/* ---- the ledger --------------------------------------------------------------------- */

typedef struct loader {
    archase_batch *batch;
    char           owner[32], collector[32], contact[48];
} loader;

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
    return archase_batch_add_invoice(l->batch, inv, 0) != 0;
}

static int on_payment(void *userdata, const archase_payment *p) {
    (void)userdata, (void)p;
    return 0; /* every invoice stays open */
}

static void build(const char *path, uint32_t invoices, uint32_t customers, archase_date as_of, uint32_t days) {
    unlink(path);
    archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
    so.synchronous = ARCHASE_SQLITE_SYNC_NORMAL;
    archase_engine *eng = NULL;
    char err[512];
    if (archase_open_sqlite(path, &so, NULL, &eng, err, sizeof err))
        die(path, err);
    ledger_gen_options o;
    ledger_gen_defaults(&o);
    o.customers = customers;
    o.invoices = invoices;
    o.as_of = as_of - 1;
    o.first_issue = as_of - (archase_date)days;
    o.days = days;
    loader l;
    memset(&l, 0, sizeof l);
    if (archase_batch_begin(eng, NULL, "bench", &l.batch))
        die("batch", archase_engine_errmsg(eng));
    ledger_gen_sink sink = { &l, on_customer, on_invoice, on_payment };
    if (ledger_gen_run(&o, &sink))
        die("ledger", archase_engine_errmsg(eng));
    archase_batch_summary sum = ARCHASE_BATCH_SUMMARY_INIT;
    if (archase_batch_commit(l.batch, &sum))
        die("commit", archase_engine_errmsg(eng));
    archase_batch_free(l.batch);
    archase_engine_free(eng);
}

static void copy_file(const char *from, const char *to) {
    char cmd[4 * 4096 + 64];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && rm -f '%s-wal' '%s-shm'", from, to, to, to);
    if (system(cmd) != 0)
        die("copy", to);
}

/* ---- rows, generically ------------------------------------------------------------------ */

typedef struct table_rows {
    char            name[32];
    int             columns;
    size_t          count;
    sqlite3_value **values; /* count * columns */
} table_rows;

static void sql_ok(sqlite3 *db, const char *sql) {
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        die(sql, err);
}

/* Every row of `select` (untimed), kept as values to insert into `table`. */
static void rows_of(sqlite3 *db, const char *table, const char *select, table_rows *t) {
    sqlite3_stmt *st;
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", table);
    if (sqlite3_prepare_v2(db, select, -1, &st, NULL) != SQLITE_OK)
        die(select, sqlite3_errmsg(db));
    t->columns = sqlite3_column_count(st);
    size_t cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (t->count == cap) {
            cap = cap ? cap * 2 : 1024;
            t->values = realloc(t->values, cap * (size_t)t->columns * sizeof *t->values);
            if (!t->values)
                die("memory", NULL);
        }
        for (int c = 0; c < t->columns; c++)
            t->values[t->count * (size_t)t->columns + (size_t)c] = sqlite3_value_dup(sqlite3_column_value(st, c));
        t->count++;
    }
    sqlite3_finalize(st);
}

static void rows_free(table_rows *t) {
    for (size_t i = 0; i < t->count * (size_t)t->columns; i++)
        sqlite3_value_free(t->values[i]);
    free(t->values);
}

/* What the cycle wrote: its cadence, outbox, approvals, meta and audit rows. */
typedef struct written {
    table_rows tables[5];
    size_t     rows;
} written;

static void collect_written(const char *path, uint64_t audit_before, written *w) {
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die("open", path);
    char audit[160];
    snprintf(audit, sizeof audit, "SELECT * FROM audit_log WHERE idx >= %llu", (unsigned long long)audit_before);
    rows_of(db, "cadence", "SELECT * FROM cadence", &w->tables[0]);
    rows_of(db, "outbox", "SELECT * FROM outbox", &w->tables[1]);
    rows_of(db, "approvals", "SELECT * FROM approvals", &w->tables[2]);
    rows_of(db, "meta", "SELECT * FROM meta", &w->tables[3]);
    rows_of(db, "audit_log", audit, &w->tables[4]);
    w->rows = 0;
    for (int i = 0; i < 5; i++)
        w->rows += w->tables[i].count;
    sqlite3_close(db);
}

static const char *const read_sql[] = {
    "SELECT * FROM customers", "SELECT * FROM contacts",  "SELECT * FROM customer_flags",
    "SELECT * FROM invoices",  "SELECT * FROM payments",  "SELECT * FROM promises",
    "SELECT * FROM disputes",  "SELECT * FROM notes",     "SELECT * FROM cadence",
};

/* The floor: read the same rows the snapshot reads, write the same rows the
 * cycle wrote, in one transaction. Returns seconds and the rows read. */
static double floor_run(const char *path, const written *w, size_t *rows_read, double *cpu) {
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        die("open", path);
    sql_ok(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-65536");
    double t0 = now_seconds(), u0 = cpu_seconds();
    size_t n = 0;
    for (size_t q = 0; q < sizeof read_sql / sizeof read_sql[0]; q++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, read_sql[q], -1, &st, NULL) != SQLITE_OK)
            die(read_sql[q], sqlite3_errmsg(db));
        int columns = sqlite3_column_count(st);
        volatile size_t bytes = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < columns; c++)
                bytes += (size_t)sqlite3_column_bytes(st, c);
            n++;
        }
        sqlite3_finalize(st);
    }
    double t_read = now_seconds() - t0;
    sql_ok(db, "BEGIN IMMEDIATE");
    for (int i = 0; i < 5; i++) {
        const table_rows *t = &w->tables[i];
        char sql[256];
        int at = snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO %s VALUES (", t->name);
        for (int c = 0; c < t->columns; c++)
            at += snprintf(sql + at, sizeof sql - (size_t)at, "%s?", c ? "," : "");
        snprintf(sql + at, sizeof sql - (size_t)at, ")");
        sqlite3_stmt *st;
        if (t->count && sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
            die(sql, sqlite3_errmsg(db));
        for (size_t r = 0; r < t->count; r++) {
            for (int c = 0; c < t->columns; c++)
                sqlite3_bind_value(st, c + 1, t->values[r * (size_t)t->columns + (size_t)c]);
            if (sqlite3_step(st) != SQLITE_DONE)
                die("floor insert", sqlite3_errmsg(db));
            sqlite3_reset(st);
        }
        if (t->count)
            sqlite3_finalize(st);
    }
    double t_write = now_seconds() - t0 - t_read;
    sql_ok(db, "COMMIT");
    double t = now_seconds() - t0;
    *cpu = cpu_seconds() - u0;
    if (getenv("BENCH_CYCLE_VERBOSE"))
        fprintf(stderr, "floor: read %.3f s, write %.3f s, commit %.3f s\n", t_read, t_write, t - t_read - t_write);
    sqlite3_close(db);
    *rows_read = n;
    return t;
}

/* ---- the cycle and dispatch ---------------------------------------------------------------- */

static archase_instant fixed_now(void *ud) {
    return *(archase_instant *)ud;
}

static int noop_send(void *ud, const archase_message *m, int *result, char *detail, size_t size) {
    (void)ud, (void)m, (void)detail, (void)size;
    *result = ARCHASE_SEND_SENT;
    return 0;
}

static archase_engine *open_db(const char *path, archase_instant *now) {
    static archase_clock clock;
    clock = (archase_clock){ ARCHASE_CLOCK_VERSION, now, fixed_now };
    archase_engine_options eo = ARCHASE_ENGINE_OPTIONS_INIT;
    eo.clock = &clock;
    archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
    archase_engine *eng = NULL;
    char err[512];
    if (archase_open_sqlite(path, &so, &eo, &eng, err, sizeof err))
        die(path, err);
    return eng;
}

static double dispatch_all(archase_engine *eng, archase_instant now, uint32_t batch, uint64_t *sent, double *cpu) {
    archase_transport t = { ARCHASE_TRANSPORT_VERSION, NULL, noop_send, NULL, NULL };
    if (archase_engine_set_transport(eng, &t))
        die("transport", archase_engine_errmsg(eng));
    archase_dispatch_options o = ARCHASE_DISPATCH_OPTIONS_INIT;
    o.now = now;
    o.batch = batch;
    archase_dispatch_report rep = ARCHASE_DISPATCH_REPORT_INIT;
    double t0 = now_seconds(), c0 = cpu_seconds();
    if (archase_dispatch(eng, &o, &rep))
        die("dispatch", archase_engine_errmsg(eng));
    *sent = rep.sent;
    *cpu = cpu_seconds() - c0;
    return now_seconds() - t0;
}

/* The dispatch floor: raw SQLite on a copy of the cycled file doing the
 * per-message writes of dispatch in one transaction with prepared
 * statements: read the due items whole in (at, id) order, then per item
 * move it to sending, move it to sent with its new bytes (the same size),
 * and append one audit row (a 160-byte record, two hashes). Returns seconds,
 * the items and the CPU time. */
static double dispatch_floor(const char *path, archase_instant now, uint64_t *items, double *cpu) {
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        die("open", path);
    sql_ok(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-65536");
    char at[ARCHASE_INSTANT_FORMAT_MAX];
    archase_instant_format(now, at, sizeof at);
    sqlite3_stmt *sel, *claim, *ack, *audit, *size;
    if (sqlite3_prepare_v2(db, "SELECT id, data FROM outbox WHERE status IN ('pending', 'failed_retry') AND at <= ?1"
                               " ORDER BY at, id", -1, &sel, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "UPDATE outbox SET status = 'sending' WHERE id = ?1", -1, &claim, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "UPDATE outbox SET status = 'sent', at = ?2, data = ?3 WHERE id = ?1 AND status = 'sending'",
                           -1, &ack, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO audit_log (idx, kind, actor, at, data, leaf_hash, prev_hash, links, nodes)"
                               " VALUES (?1, 5, 'system', ?2, ?3, ?4, ?4, NULL, NULL)", -1, &audit, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT count(*) FROM audit_log", -1, &size, NULL) != SQLITE_OK)
        die("floor statements", sqlite3_errmsg(db));
    uint8_t record[160], hash[32];
    memset(record, 0x5a, sizeof record);
    memset(hash, 0xa5, sizeof hash);
    double t0 = now_seconds(), c0 = cpu_seconds();
    sql_ok(db, "BEGIN IMMEDIATE");
    sqlite3_step(size);
    int64_t idx = sqlite3_column_int64(size, 0);
    sqlite3_reset(size);
    sqlite3_bind_text(sel, 1, at, -1, SQLITE_STATIC);
    uint64_t n = 0;
    while (sqlite3_step(sel) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(sel, 0);
        const void *data = sqlite3_column_blob(sel, 1);
        int bytes = sqlite3_column_bytes(sel, 1);
        sqlite3_bind_text(claim, 1, id, -1, SQLITE_STATIC);
        if (sqlite3_step(claim) != SQLITE_DONE)
            die("floor claim", sqlite3_errmsg(db));
        sqlite3_reset(claim);
        sqlite3_bind_text(ack, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(ack, 2, at, -1, SQLITE_STATIC);
        sqlite3_bind_blob(ack, 3, data, bytes, SQLITE_STATIC);
        if (sqlite3_step(ack) != SQLITE_DONE)
            die("floor ack", sqlite3_errmsg(db));
        sqlite3_reset(ack);
        sqlite3_bind_int64(audit, 1, idx++);
        sqlite3_bind_text(audit, 2, at, -1, SQLITE_STATIC);
        sqlite3_bind_blob(audit, 3, record, sizeof record, SQLITE_STATIC);
        sqlite3_bind_blob(audit, 4, hash, sizeof hash, SQLITE_STATIC);
        if (sqlite3_step(audit) != SQLITE_DONE)
            die("floor audit", sqlite3_errmsg(db));
        sqlite3_reset(audit);
        n++;
    }
    sqlite3_reset(sel);
    sql_ok(db, "COMMIT");
    *cpu = cpu_seconds() - c0;
    double t = now_seconds() - t0;
    sqlite3_finalize(sel);
    sqlite3_finalize(claim);
    sqlite3_finalize(ack);
    sqlite3_finalize(audit);
    sqlite3_finalize(size);
    sqlite3_close(db);
    *items = n;
    return t;
}

/* The pending items of `eng` copied into a memory store, for dispatch there. */
typedef struct mem_copy {
    archase_storage *to;
    size_t           n;
} mem_copy;

static int copy_record(void *ud, const archase_record *rec) {
    mem_copy *m = ud;
    m->n++;
    return m->to->put(m->to->userdata, rec);
}

/* ---- SHA-256 alone ------------------------------------------------------------------ */

enum { SHA_LIBCRYPTO, SHA_PORTABLE, SHA_CHOSEN };

/* Bytes per second of CPU hashing `size`-byte messages, about 64 MiB in all,
 * one digest per message through a reused context. */
static double sha256_rate(int how, size_t size) {
    static uint8_t data[1 << 20];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 131 + 7);
    size_t messages = ((size_t)64 << 20) / size;
    uint8_t out[ARCHASE_HASH_SIZE];
    static volatile uint8_t mix; /* keeps every digest needed */
    EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!md || !ctx)
        die("libcrypto", "SHA256");
    ar_sha256 h;
    ar_sha256_force_portable(how == SHA_PORTABLE);
    ar_sha256_init(&h);
    double c0 = cpu_seconds();
    for (size_t m = 0; m < messages; m++) {
        data[0] = (uint8_t)m;
        if (how == SHA_LIBCRYPTO) {
            unsigned len = 0;
            if (!EVP_DigestInit_ex2(ctx, md, NULL) || !EVP_DigestUpdate(ctx, data, size) ||
                !EVP_DigestFinal_ex(ctx, out, &len))
                die("libcrypto", "digest");
        } else {
            ar_span span = { data, size };
            ar_sha256_spans(&h, &span, 1, out);
        }
        mix ^= out[0];
    }
    double cpu = cpu_seconds() - c0;
    ar_sha256_force_portable(0);
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
    return (double)messages * (double)size / cpu;
}

static void bench_sha256(int rounds) {
    static const size_t sizes[] = { 65, 307, 4096, 1 << 20 };
    static const char *names[] = { "libcrypto EVP", "portable C", "SHA instructions" };
    int accelerated = ar_sha256_accelerated();
    printf("SHA-256, MB/s of CPU, best of %d rounds (this processor: %s)\n", rounds,
           accelerated ? "SHA instructions" : "no SHA instructions");
    for (int how = SHA_LIBCRYPTO; how <= (accelerated ? SHA_CHOSEN : SHA_PORTABLE); how++) {
        printf("  %-17s", names[how]);
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
            double best = 0;
            for (int r = 0; r < rounds; r++) {
                double rate = sha256_rate(how, sizes[k]);
                if (rate > best)
                    best = rate;
            }
            printf("  %7zu B: %7.1f", sizes[k], best / 1e6);
        }
        printf("\n");
    }
}

int main(int argc, char **argv) {
    uint32_t invoices = 1000000, customers = 100000, days = 120;
    int rounds = 3;
    const char *dir = "/tmp", *policy_path = NULL;
    int sha256_only = 0, memory_repeats = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--invoices") && i + 1 < argc)
            invoices = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--customers") && i + 1 < argc)
            customers = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
            dir = argv[++i];
        else if (!strcmp(argv[i], "--policy") && i + 1 < argc)
            policy_path = argv[++i];
        else if (!strcmp(argv[i], "--days") && i + 1 < argc)
            days = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--memory-repeats") && i + 1 < argc)
            memory_repeats = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--sha256"))
            sha256_only = 1;
        else
            die("usage", "bench_cycle [--invoices N] [--customers N] [--rounds R] [--dir DIR] [--policy FILE] [--days D] [--memory-repeats N] | --sha256 [--rounds R]");
    }
    if (memory_repeats < 1)
        memory_repeats = 1;
    if (rounds < 1)
        rounds = 1;
    if (days < 1)
        days = 1;
    if (sha256_only) {
        bench_sha256(rounds);
        return 0;
    }
    char path[4096], base[1024], cyc[1024], flo[1024], dfl[1024];
    if (!policy_path) {
        const char *root = getenv("ARCHASE_SOURCE_ROOT");
        snprintf(path, sizeof path, "%s/examples/policies/enterprise-formal.yaml", root ? root : ".");
        policy_path = path;
    }
    archase_policy *policy = NULL;
    if (archase_policy_load_file(policy_path, NULL, &policy, NULL))
        die("policy", policy_path);
    snprintf(base, sizeof base, "%s/bench-cycle-base.db", dir);
    snprintf(cyc, sizeof cyc, "%s/bench-cycle-run.db", dir);
    snprintf(flo, sizeof flo, "%s/bench-cycle-floor.db", dir);
    snprintf(dfl, sizeof dfl, "%s/bench-cycle-dispatch-floor.db", dir);
    archase_date as_of;
    archase_date_parse("2026-03-02", &as_of);
    printf("policy: %s; SQLite %s; %ld cores\n", policy_path, sqlite3_libversion(), sysconf(_SC_NPROCESSORS_ONLN));
    double t0 = now_seconds();
    build(base, invoices, customers, as_of, days);
    printf("ledger: %u open invoices, %u customers, issued over the %u days before (imported in %.1f s)\n", invoices,
           customers, days, now_seconds() - t0);
    archase_instant now = (archase_instant)as_of * 86400 + 86399;
    uint64_t audit_before = 0;
    {
        archase_engine *eng = open_db(base, &now);
        archase_audit_size(eng, &audit_before);
        archase_engine_free(eng);
    }
    double best_cycle = 1e9, best_floor = 1e9, best_sql = 1e9, best_mem = 1e9;
    double best_cycle_cpu = 0, best_floor_cpu = 0, best_sql_cpu = 1e9, best_mem_cpu = 1e9;
    double best_dfl = 1e9, best_dfl_cpu = 1e9;
    uint64_t floor_items = 0;
    archase_cycle_report rep;
    size_t rows_read = 0, rows_written = 0;
    uint64_t sent_sql = 0, sent_mem = 0;
    for (int r = 0; r < rounds; r++) {
        copy_file(base, cyc);
        copy_file(base, flo);
        archase_engine *eng = open_db(cyc, &now);
        memset(&rep, 0, sizeof rep);
        rep.version = ARCHASE_CYCLE_REPORT_VERSION;
        archase_cycle_options co = ARCHASE_CYCLE_OPTIONS_INIT;
        co.dispatch = 0;
        double c0 = now_seconds(), u0 = cpu_seconds();
        if (archase_run_cycle(eng, policy, as_of, &co, &rep))
            die("cycle", archase_engine_errmsg(eng));
        double tc = now_seconds() - c0, uc = cpu_seconds() - u0;
        archase_engine_free(eng);
        written w;
        collect_written(cyc, audit_before, &w);
        rows_written = w.rows;
        double uf = 0;
        double tf = floor_run(flo, &w, &rows_read, &uf);
        for (int i = 0; i < 5; i++)
            rows_free(&w.tables[i]);
        /* The same pending items on the memory store, copied through the
         * backends' own slots, then dispatch on each. */
        /* With --memory-repeats, the memory store's dispatch is run that
         * many times on fresh copies: its CPU times one after another. */
        double cm = 0, cs, cd, tm = 0;
        if (memory_repeats > 1)
            printf("round %d, dispatch in memory, CPU s:", r + 1);
        for (int k = 0; k < memory_repeats; k++) {
            archase_storage mem, file;
            char err[256];
            archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
            if (archase_memory_storage_new(NULL, &mem))
                die("memory store", NULL);
            if (archase_sqlite_storage_open(cyc, &so, NULL, &file, err, sizeof err))
                die(cyc, err);
            /* The items, and the invoices and flags dispatch checks before a
             * customer message goes out. */
            mem_copy mc = { &mem, 0 };
            static const int families[] = { ARCHASE_FAMILY_OUTBOX, ARCHASE_FAMILY_INVOICE, ARCHASE_FAMILY_FLAGS };
            for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
                archase_scan_filter flt = ARCHASE_SCAN_FILTER_INIT;
                flt.family = families[f];
                if (file.scan(file.userdata, &flt, copy_record, &mc))
                    die("copy", file.errmsg(file.userdata));
            }
            file.close(file.userdata);
            archase_engine *meng = NULL;
            if (archase_engine_open(&mem, NULL, &meng))
                die("engine", NULL);
            double c = 0, t = dispatch_all(meng, now, 4096, &sent_mem, &c);
            archase_engine_free(meng);
            if (memory_repeats > 1)
                printf(" %.4f", c);
            if (k == 0 || c < cm)
                cm = c, tm = t;
        }
        if (memory_repeats > 1)
            printf("\n");
        copy_file(cyc, dfl);
        double td = dispatch_floor(dfl, now, &floor_items, &cd);
        unlink(dfl);
        eng = open_db(cyc, &now);
        double ts = dispatch_all(eng, now, 4096, &sent_sql, &cs);
        archase_engine_free(eng);
        printf("round %d: cycle %.3f s (cpu %.3f), floor %.3f s (cpu %.3f), dispatch on SQLite %.3f s (cpu %.3f), "
               "memory %.3f s (cpu %.3f), %llu messages; dispatch floor %.3f s (cpu %.3f), %llu items\n",
               r + 1, tc, uc, tf, uf, ts, cs, tm, cm, (unsigned long long)sent_sql, td, cd,
               (unsigned long long)floor_items);
        if (td < best_dfl)
            best_dfl = td;
        if (cd < best_dfl_cpu)
            best_dfl_cpu = cd;
        if (tc < best_cycle)
            best_cycle = tc, best_cycle_cpu = uc;
        if (tf < best_floor)
            best_floor = tf, best_floor_cpu = uf;
        if (ts < best_sql)
            best_sql = ts;
        if (cs < best_sql_cpu)
            best_sql_cpu = cs;
        if (tm < best_mem)
            best_mem = tm;
        if (cm < best_mem_cpu)
            best_mem_cpu = cm;
    }
    uint64_t actions = rep.outbox_written + rep.approvals_raised;
    printf("cycle: %llu decisions, %llu outbox items (%llu internal), %llu approval requests, %llu cadence updates, "
           "%llu audit records: %.1f actions per 100 open invoices\n",
           (unsigned long long)rep.decisions, (unsigned long long)rep.outbox_written,
           (unsigned long long)rep.internal_routes, (unsigned long long)rep.approvals_raised,
           (unsigned long long)rep.cadence_updates, (unsigned long long)rep.audit_records,
           100.0 * (double)actions / (double)invoices);
    printf("floor: %zu rows read, %zu rows written in one transaction\n", rows_read, rows_written);
    printf("best: cycle %.3f s, floor %.3f s, ratio %.2f (target <= 3, cycle < 2 s); "
           "CPU of the same rounds: %.3f s and %.3f s, ratio %.2f\n",
           best_cycle, best_floor, best_cycle / best_floor, best_cycle_cpu, best_floor_cpu,
           best_floor_cpu > 0 ? best_cycle_cpu / best_floor_cpu : 0.0);
    printf("dispatch, no-op transport (%llu messages on SQLite, %llu in memory; target >= 100k/s): "
           "SQLite %.0f/s wall, %.0f/s cpu; memory %.0f/s wall, %.0f/s cpu\n",
           (unsigned long long)sent_sql, (unsigned long long)sent_mem, (double)sent_sql / best_sql,
           (double)sent_sql / best_sql_cpu, (double)sent_mem / best_mem, (double)sent_mem / best_mem_cpu);
    printf("dispatch floor, raw SQLite (%llu items in one transaction: read, claim, acknowledge, one audit row each): "
           "%.0f/s wall, %.0f/s cpu; dispatch on SQLite / floor: %.2f wall, %.2f cpu\n",
           (unsigned long long)floor_items, (double)floor_items / best_dfl, (double)floor_items / best_dfl_cpu,
           best_sql / best_dfl * (double)floor_items / (double)(sent_sql ? sent_sql : 1),
           best_sql_cpu / best_dfl_cpu * (double)floor_items / (double)(sent_sql ? sent_sql : 1));
    unlink(cyc);
    unlink(flo);
    archase_policy_free(policy);
    return 0;
}
