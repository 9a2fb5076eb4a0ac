/* bench/bench_audit_store.c — the audit log persisted to SQLite, against its
 * floor in the same run: raw SQLite inserting the very same rows.
 *
 *   append   ar_audit_append in transactions of BATCH records: encode, hash,
 *            chain, Merkle frontier, the row with its links and subtree roots,
 *            the chain state written to meta at each commit
 *   floor    the same rows (read back from the library's file before the
 *            clock starts) inserted by a prepared statement into a file with
 *            the same schema and connection settings, in the same batches
 *   verify   archase_audit_verify over the file (every record rehashed)
 *   proofs   root + inclusion proof + verification read from the file
 *
 * Appends and the floor alternate for ROUNDS rounds (fresh files each time);
 * the best and the median of each are reported, so that other work on the
 * machine during one round does not decide the comparison.
 *
 * usage: bench_audit_store [--records N] [--batch N] [--rounds N] [--proofs N] [--dir DIR]
 * Results go to docs/perf.md with the command and the machine. */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "archase/archase.h"
#include "audit/log.h"
#include "core/canon.h"
#include "engine/engine.h"

#define H ARCHASE_HASH_SIZE

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, int rc) {
    fprintf(stderr, "bench_audit_store: %s: %s\n", what, archase_strerror(rc));
    exit(1);
}

static void print_machine(void) {
    char model[256] = "unknown CPU";
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        char line[512];
        while (fgets(line, sizeof line, f)) {
            if (!strncmp(line, "model name", 10)) {
                const char *colon = strchr(line, ':');
                if (colon) {
                    snprintf(model, sizeof model, "%s", colon + 2);
                    model[strcspn(model, "\n")] = '\0';
                }
                break;
            }
        }
        fclose(f);
    }
    printf("machine: %s, %ld cores, SQLite %s\n", model, sysconf(_SC_NPROCESSORS_ONLN), sqlite3_libversion());
}

/* The canonical record of an invoice fact, as the facts API writes it. */
static size_t make_payload(uint64_t i, uint8_t *out, size_t cap) {
    ar_canon c;
    const uint8_t *bytes;
    size_t len;
    char id[32], customer[32], link[64];
    archase_money amount = { (int64_t)(100000 + i % 977 * 1013), "EUR" };
    snprintf(id, sizeof id, "INV-2026-%08" PRIu64, i);
    snprintf(customer, sizeof customer, "CUST-%06" PRIu64, i % 50000);
    snprintf(link, sizeof link, "erp://invoices/%" PRIu64 "/pdf", i);
    ar_canon_init(&c, NULL);
    ar_canon_begin_record(&c, 4);
    ar_canon_put_str(&c, 1, id);
    ar_canon_put_int(&c, 2, 1);
    ar_canon_put_str(&c, 3, customer);
    ar_canon_put_str(&c, 4, "2026-000123");
    ar_canon_put_date(&c, 5, 20454);
    ar_canon_put_date(&c, 6, 20484);
    ar_canon_put_money(&c, 7, &amount);
    ar_canon_put_str(&c, 8, "NET30");
    ar_canon_put_str(&c, 10, link);
    ar_canon_end_record(&c);
    int rc = ar_canon_finish(&c, &bytes, &len);
    if (rc || len > cap)
        die("payload", rc ? rc : ARCHASE_EBUFSIZE);
    memcpy(out, bytes, len);
    ar_canon_free(&c);
    return len;
}

static void remove_db(const char *path) {
    const char *suffixes[] = { "", "-wal", "-shm", "-journal" };
    for (size_t i = 0; i < 4; i++) {
        char p[1100];
        snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        unlink(p);
    }
}

static archase_instant bench_now(void *userdata) {
    archase_instant *t = userdata;
    return (*t)++ / 100 + 1767225600;
}

static archase_engine *open_engine(const char *path, archase_instant *clock_state) {
    static archase_clock clock;
    clock = (archase_clock){ ARCHASE_CLOCK_VERSION, clock_state, bench_now };
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    archase_engine *eng = NULL;
    char err[256];
    o.clock = &clock;
    o.actor = "erp-sync@acme.example";
    int rc = archase_open_sqlite(path, NULL, &o, &eng, err, sizeof err);
    if (rc) {
        fprintf(stderr, "bench_audit_store: %s: %s\n", path, err);
        exit(1);
    }
    return eng;
}

/* One row of audit_log as the library wrote it. */
typedef struct row {
    int64_t  idx, kind;
    char     at[24];
    uint8_t *data;
    int      size;
    uint8_t  leaf[H], prev[H];
    char    *links;
    uint8_t *nodes;
    int      nodes_size;
} row;

static void sql_ok(sqlite3 *db, const char *sql) {
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "bench_audit_store: %s: %s\n", sql, err);
        exit(1);
    }
}

static row *read_rows(const char *path, uint64_t n) {
    sqlite3 *db;
    sqlite3_stmt *st;
    row *rows = calloc(n, sizeof *rows);
    if (!rows || sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die("reading the rows", ARCHASE_ESTORAGE);
    if (sqlite3_prepare_v2(db, "SELECT idx, kind, at, data, leaf_hash, prev_hash, links, nodes FROM audit_log"
                               " ORDER BY idx", -1, &st, NULL) != SQLITE_OK)
        die("reading the rows", ARCHASE_ESTORAGE);
    for (uint64_t i = 0; i < n; i++) {
        if (sqlite3_step(st) != SQLITE_ROW)
            die("reading the rows", ARCHASE_ESTORAGE);
        row *r = &rows[i];
        r->idx = sqlite3_column_int64(st, 0);
        r->kind = sqlite3_column_int64(st, 1);
        snprintf(r->at, sizeof r->at, "%s", (const char *)sqlite3_column_text(st, 2));
        r->size = sqlite3_column_bytes(st, 3);
        r->data = malloc((size_t)r->size);
        memcpy(r->data, sqlite3_column_blob(st, 3), (size_t)r->size);
        memcpy(r->leaf, sqlite3_column_blob(st, 4), H);
        memcpy(r->prev, sqlite3_column_blob(st, 5), H);
        const char *links = (const char *)sqlite3_column_text(st, 6);
        r->links = links ? strdup(links) : NULL;
        r->nodes_size = sqlite3_column_bytes(st, 7);
        if (r->nodes_size) {
            r->nodes = malloc((size_t)r->nodes_size);
            memcpy(r->nodes, sqlite3_column_blob(st, 7), (size_t)r->nodes_size);
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rows;
}

/* The floor: the same rows, the same statements a store needs, nothing else. */
static double raw_insert(const char *path, row *rows, uint64_t n, uint64_t batch) {
    sqlite3 *db;
    sqlite3_stmt *st;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        die("opening the floor's file", ARCHASE_ESTORAGE);
    sql_ok(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
               " PRAGMA cache_size = -65536;");
    if (sqlite3_prepare_v2(db, "INSERT INTO audit_log (idx, kind, actor, at, data, leaf_hash, prev_hash, links, nodes)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", -1, &st, NULL) != SQLITE_OK)
        die("preparing the floor's insert", ARCHASE_ESTORAGE);
    double t0 = now_seconds();
    for (uint64_t i = 0; i < n; i++) {
        if (i % batch == 0)
            sql_ok(db, "BEGIN IMMEDIATE");
        row *r = &rows[i];
        sqlite3_bind_int64(st, 1, r->idx);
        sqlite3_bind_int64(st, 2, r->kind);
        sqlite3_bind_text(st, 3, "erp-sync@acme.example", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, r->at, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 5, r->data, r->size, SQLITE_STATIC);
        sqlite3_bind_blob(st, 6, r->leaf, H, SQLITE_STATIC);
        sqlite3_bind_blob(st, 7, r->prev, H, SQLITE_STATIC);
        if (r->links)
            sqlite3_bind_text(st, 8, r->links, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 8);
        if (r->nodes_size)
            sqlite3_bind_blob(st, 9, r->nodes, r->nodes_size, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 9);
        if (sqlite3_step(st) != SQLITE_DONE)
            die("the floor's insert", ARCHASE_ESTORAGE);
        sqlite3_reset(st);
        if (i % batch == batch - 1 || i == n - 1)
            sql_ok(db, "COMMIT");
    }
    double t = now_seconds() - t0;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return t;
}

static int compare_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    uint64_t records = 1000000, batch = 10000, proofs = 2000, rounds = 3;
    const char *dir = "/tmp";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--records"))
            records = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--batch"))
            batch = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--proofs"))
            proofs = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--rounds"))
            rounds = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--dir"))
            dir = argv[i + 1];
    }
    if (records < 2 || batch == 0 || proofs == 0 || rounds == 0 || rounds > 20 || (argc > 1 && argc % 2 == 0)) {
        fprintf(stderr, "usage: bench_audit_store [--records N] [--batch N] [--rounds N] [--proofs N] [--dir DIR]\n");
        return 2;
    }
    char lib_path[1024], raw_path[1024];
    snprintf(lib_path, sizeof lib_path, "%s/bench-audit-library.db", dir);
    snprintf(raw_path, sizeof raw_path, "%s/bench-audit-floor.db", dir);
    remove_db(lib_path);
    remove_db(raw_path);
    print_machine();

    /* Payloads come from the caller (the facts API) in real use. */
    enum { PAYLOAD_MAX = 256 };
    uint8_t *payloads = malloc(records * PAYLOAD_MAX);
    size_t *sizes = malloc(records * sizeof *sizes);
    if (!payloads || !sizes)
        die("memory", ARCHASE_ENOMEM);
    for (uint64_t i = 0; i < records; i++)
        sizes[i] = make_payload(i, payloads + i * PAYLOAD_MAX, PAYLOAD_MAX);
    static const char *const links[] = { "erp://invoices/batch-0001" };

    double t_appends[20], t_floors[20];
    row *rows = NULL;
    size_t bytes = 0;
    archase_engine *eng = NULL;
    archase_instant clock_state = 0;
    int rc = 0;
    for (uint64_t round = 0; round < rounds; round++) {
        remove_db(lib_path);
        remove_db(raw_path);
        /* The floor's file gets the same schema, written by the library. */
        clock_state = 0;
        archase_engine_free(open_engine(raw_path, &clock_state));
        eng = open_engine(lib_path, &clock_state);
        double t0 = now_seconds();
        for (uint64_t i = 0; i < records && !rc; i++) {
            if (i % batch == 0 && (rc = ar_txn_begin(eng)))
                break;
            ar_audit_item item = { ARCHASE_AUDIT_FACT_ACCEPTED, NULL, payloads + i * PAYLOAD_MAX, sizes[i], links, 1, 0 };
            rc = ar_audit_append(eng, &item, NULL);
            if (!rc && (i % batch == batch - 1 || i == records - 1))
                rc = ar_txn_commit(eng);
        }
        t_appends[round] = now_seconds() - t0;
        if (rc) {
            fprintf(stderr, "bench_audit_store: append: %s\n", archase_engine_errmsg(eng));
            return 1;
        }
        archase_engine_free(eng);
        if (!rows) {
            rows = read_rows(lib_path, records);
            for (uint64_t i = 0; i < records; i++)
                bytes += (size_t)rows[i].size;
        }
        t_floors[round] = raw_insert(raw_path, rows, records, batch);
    }
    qsort(t_appends, rounds, sizeof *t_appends, compare_double);
    qsort(t_floors, rounds, sizeof *t_floors, compare_double);
    double t_append = t_appends[0], t_floor = t_floors[0];
    double m_append = t_appends[rounds / 2], m_floor = t_floors[rounds / 2];

    eng = open_engine(lib_path, &clock_state);
    double t0;
    archase_audit_report report;
    t0 = now_seconds();
    rc = archase_audit_verify(eng, NULL, &report);
    double t_verify = now_seconds() - t0;
    if (rc)
        die(report.message, rc);

    double *times = malloc(proofs * sizeof *times);
    uint64_t state = 0x9e3779b97f4a7c15ull;
    for (uint64_t k = 0; k < proofs; k++) {
        state ^= state >> 12, state ^= state << 25, state ^= state >> 27;
        uint64_t index = (state * 0x2545f4914f6cdd1dull) % records;
        uint8_t proof[ARCHASE_MERKLE_PROOF_MAX * H], leaf[H], root[H];
        size_t len;
        t0 = now_seconds();
        if ((rc = archase_audit_root(eng, records, root)) ||
            (rc = archase_audit_prove_inclusion(eng, index, records, leaf, proof, ARCHASE_MERKLE_PROOF_MAX, &len)) ||
            (rc = archase_merkle_verify_inclusion(leaf, index, records, proof, len, root)))
            die("proof", rc);
        times[k] = now_seconds() - t0;
    }
    double sum = 0;
    for (uint64_t k = 0; k < proofs; k++)
        sum += times[k];
    qsort(times, proofs, sizeof *times, compare_double);
    archase_engine_free(eng);

    printf("records: %" PRIu64 " in transactions of %" PRIu64 ", %.0f bytes each on average; best (median) of %"
           PRIu64 " rounds\n", records, batch, (double)bytes / (double)records, rounds);
    printf("floor:  raw SQLite, same rows      %8.0f (%.0f) records/s\n", records / t_floor, records / m_floor);
    printf("append: persisted audit records    %8.0f (%.0f) records/s  (%.2f (%.2f) x the floor's time)  "
           "target >= 300000\n", records / t_append, records / m_append, t_append / t_floor, m_append / m_floor);
    printf("verify: from the SQLite file       %8.0f records/s\n", records / t_verify);
    printf("proofs: root + inclusion + verify, from the file: mean %.1f us, p99 %.1f us\n",
           sum / proofs * 1e6, times[proofs * 99 / 100] * 1e6);

    for (uint64_t i = 0; i < records; i++) {
        free(rows[i].data);
        free(rows[i].links);
        free(rows[i].nodes);
    }
    free(rows);
    free(times);
    free(payloads);
    free(sizes);
    remove_db(lib_path);
    remove_db(raw_path);
    return 0;
}
