/* tests/test_sqlite.c — the SQLite store as a file: tables a person can
 * query, migrations, refusing newer files, the append-only audit table,
 * read-only opens, and two processes writing one file. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "archase/archase.h"
#include "store/sqlite_schema.h"
#include "support/testutil.h"

typedef struct fixture {
    char dir[64];
    char path[96];
} fixture;

static int setup(void **state) {
    fixture *f = test_calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/archase-sqlite-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/ledger.db", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    const char *suffixes[] = { "", "-wal", "-shm", "-journal" };
    for (size_t i = 0; i < 4; i++) {
        char p[128];
        snprintf(p, sizeof p, "%s%s", f->path, suffixes[i]);
        unlink(p);
    }
    rmdir(f->dir);
    test_free(f);
    return 0;
}

static archase_engine *open_engine(fixture *f) {
    archase_engine *eng = NULL;
    char err[256];
    int rc = archase_open_sqlite(f->path, NULL, NULL, &eng, err, sizeof err);
    if (rc)
        fail_msg("open: %s: %s", archase_error_name(rc), err);
    return eng;
}

static archase_money eur(int64_t minor) {
    archase_money m = { minor, "EUR" };
    return m;
}

static void put_ledger(archase_engine *eng) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME";
    c.tier = "gold";
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = "I1";
    inv.customer_id = "C1";
    inv.number = "2026-0001";
    inv.issue_date = 20454; /* 2026-01-01 */
    inv.due_date = 20484;   /* 2026-01-31 */
    inv.amount = eur(123456);
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = "P1";
    p.customer_id = "C1";
    p.invoice_id = "I1";
    p.date = 20490;
    p.amount = eur(23456);
    p.reference = "bank-77";
    assert_int_equal(archase_customer_put(eng, &c, NULL), 0);
    assert_int_equal(archase_invoice_put(eng, &inv, NULL), 0);
    assert_int_equal(archase_payment_put(eng, &p, NULL), 0);
}

static sqlite3 *raw(fixture *f) {
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    return db;
}

static char *query_text(sqlite3 *db, const char *sql) {
    static char out[512];
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    out[0] = '\0';
    size_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            const char *v = (const char *)sqlite3_column_text(st, i);
            n += (size_t)snprintf(out + n, sizeof out - n, "%s%s", n ? "|" : "", v ? v : "NULL");
            if (n >= sizeof out)
                n = sizeof out - 1;
        }
    }
    sqlite3_finalize(st);
    return out;
}

static void facts_land_in_tables_a_person_can_query(void **state) {
    fixture *f = *state;
    archase_engine *eng = open_engine(f);
    put_ledger(eng);
    archase_engine_free(eng);
    sqlite3 *db = raw(f);
    assert_string_equal(query_text(db, "SELECT id, number, issue_date, due_date, amount_minor, open_minor,"
                                       " currency, status, last_payment_on FROM invoices"),
                        "I1|2026-0001|2026-01-01|2026-01-31|123456|100000|EUR|open|2026-02-06");
    assert_string_equal(query_text(db, "SELECT kind, paid_on, amount_minor, applied_minor, reference FROM payments"),
                        "payment|2026-02-06|23456|23456|bank-77");
    assert_string_equal(query_text(db, "SELECT name, tier, credit_limit_minor FROM customers"), "ACME|gold|NULL");
    assert_string_equal(query_text(db, "SELECT count(*), min(idx), max(idx) FROM audit_log"), "3|0|2");
    assert_string_equal(query_text(db, "PRAGMA journal_mode"), "wal");
    assert_string_equal(query_text(db, "SELECT group_concat(version) FROM schema_migrations"), "1,2,3,4");
    assert_string_equal(query_text(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'invoices_open_by_due_date'"), "1");
    sqlite3_close(db);
}

static void the_audit_table_refuses_updates_and_deletes(void **state) {
    fixture *f = *state;
    archase_engine *eng = open_engine(f);
    put_ledger(eng);
    archase_engine_free(eng);
    sqlite3 *db = raw(f);
    char *err = NULL;
    assert_int_not_equal(sqlite3_exec(db, "UPDATE audit_log SET actor = 'mallory'", NULL, NULL, &err), SQLITE_OK);
    assert_non_null(strstr(err, "append-only"));
    sqlite3_free(err);
    err = NULL;
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM audit_log WHERE idx = 0", NULL, NULL, &err), SQLITE_OK);
    sqlite3_free(err);
    assert_string_equal(query_text(db, "SELECT count(*) FROM audit_log"), "3");
    sqlite3_close(db);
}

static void an_older_file_is_upgraded_and_a_newer_one_refused(void **state) {
    fixture *f = *state;
    sqlite3 *db = raw(f);
    char err[256];
    assert_int_equal(ar_sqlite_migrate(db, 1, err, sizeof err), 0);
    assert_string_equal(query_text(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name LIKE 'invoices_%'"), "0");
    sqlite3_close(db);
    archase_engine *eng = open_engine(f);
    int64_t v = 0;
    assert_int_equal(archase_engine_schema_version(eng, &v), 0);
    assert_int_equal(v, AR_SQLITE_SCHEMA_VERSION);
    archase_engine_free(eng);
    db = raw(f);
    assert_string_equal(query_text(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name LIKE 'invoices_%'"), "3");
    assert_int_equal(sqlite3_exec(db, "INSERT INTO schema_migrations VALUES (99, 'future', '2030-01-01T00:00:00Z')",
                                  NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    archase_engine *newer = NULL;
    assert_int_equal(archase_open_sqlite(f->path, NULL, NULL, &newer, err, sizeof err), ARCHASE_EVERSION);
    assert_null(newer);
    assert_non_null(strstr(err, "newer than this library"));
}

/* Version 4 makes the outbox a rowid table: the rows of a version 3 file
 * come through whole, with their indexes. */
static void the_outbox_moves_to_a_rowid_table_with_its_rows(void **state) {
    fixture *f = *state;
    sqlite3 *db = raw(f);
    char err[256];
    assert_int_equal(ar_sqlite_migrate(db, 3, err, sizeof err), 0);
    assert_non_null(strstr(query_text(db, "SELECT sql FROM sqlite_schema WHERE name = 'outbox'"), "WITHOUT ROWID"));
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO outbox (id, customer_id, invoice_id, revision, status, date, amount,"
                                  " currency, at, data) VALUES ('m2', 'C1', 'I1', 7, 'pending', '2026-03-02', 500,"
                                  " 'EUR', '2026-03-02T09:00:00Z', x'0102'), ('m1', NULL, NULL, 0, 'sent', NULL, 0,"
                                  " NULL, '2026-03-01T00:00:00Z', x'')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    archase_engine *eng = open_engine(f);
    archase_engine_free(eng);
    db = raw(f);
    assert_null(strstr(query_text(db, "SELECT sql FROM sqlite_schema WHERE name = 'outbox'"), "WITHOUT ROWID"));
    assert_string_equal(query_text(db, "SELECT group_concat(id || ':' || ifnull(customer_id, '-') || ':' ||"
                                       " ifnull(invoice_id, '-') || ':' || revision || ':' || status || ':' ||"
                                       " ifnull(date, '-') || ':' || amount || ':' || ifnull(currency, '-') || ':' ||"
                                       " at || ':' || hex(data), ' ') FROM (SELECT * FROM outbox ORDER BY id)"),
                        "m1:-:-:0:sent:-:0:-:2026-03-01T00:00:00Z: "
                        "m2:C1:I1:7:pending:2026-03-02:500:EUR:2026-03-02T09:00:00Z:0102");
    assert_string_equal(query_text(db, "SELECT group_concat(name) FROM (SELECT name FROM sqlite_schema"
                                       " WHERE type = 'index' AND tbl_name = 'outbox' AND sql IS NOT NULL ORDER BY name)"),
                        "outbox_by_customer,outbox_by_status");
    assert_string_equal(query_text(db, "SELECT group_concat(version) FROM schema_migrations"), "1,2,3,4");
    sqlite3_close(db);
}

static void missing_files_and_non_databases_are_refused(void **state) {
    fixture *f = *state;
    archase_sqlite_options o = ARCHASE_SQLITE_OPTIONS_INIT;
    o.create = 0;
    archase_engine *eng = NULL;
    char err[256];
    assert_int_equal(archase_open_sqlite(f->path, &o, NULL, &eng, err, sizeof err), ARCHASE_ENOTFOUND);
    FILE *junk = fopen(f->path, "w");
    assert_non_null(junk);
    fputs("this is not a database, just some text that is long enough to look like a header.....", junk);
    fclose(junk);
    assert_int_equal(archase_open_sqlite(f->path, NULL, NULL, &eng, err, sizeof err), ARCHASE_ESTORAGE);
    assert_non_null(strstr(err, "not a database"));
}

static void a_read_only_store_reads_and_refuses_writes(void **state) {
    fixture *f = *state;
    archase_engine *eng = open_engine(f);
    put_ledger(eng);
    archase_engine_free(eng);
    archase_sqlite_options o = ARCHASE_SQLITE_OPTIONS_INIT;
    o.read_only = 1;
    char err[256];
    assert_int_equal(archase_open_sqlite(f->path, &o, NULL, &eng, err, sizeof err), 0);
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C2";
    c.name = "Globex";
    int rc = archase_customer_put(eng, &c, NULL);
    assert_true(rc == ARCHASE_ESTORAGE);
    assert_non_null(strstr(archase_engine_errmsg(eng), "storage"));
    archase_engine_free(eng);
}

/* ---- two writers ---------------------------------------------------------- */

#define WRITER_BATCHES 25

static int writer(const char *path, int who) {
    archase_engine *eng = NULL;
    archase_sqlite_options o = ARCHASE_SQLITE_OPTIONS_INIT;
    o.synchronous = ARCHASE_SQLITE_SYNC_NORMAL;
    o.busy_timeout_ms = 20000;
    char err[256];
    if (archase_open_sqlite(path, &o, NULL, &eng, err, sizeof err))
        return 10;
    int failures = 0;
    for (int b = 0; b < WRITER_BATCHES; b++) {
        archase_batch *batch = NULL;
        int rc = archase_batch_begin(eng, NULL, NULL, &batch);
        char cid[32], iid[32];
        snprintf(cid, sizeof cid, "W%d-%d", who, b);
        archase_customer c = ARCHASE_CUSTOMER_INIT;
        c.id = cid;
        c.name = "writer";
        if (!rc)
            rc = archase_batch_add_customer(batch, &c, 1);
        for (int i = 0; !rc && i < 20; i++) {
            snprintf(iid, sizeof iid, "W%d-%d-%d", who, b, i);
            archase_invoice inv = ARCHASE_INVOICE_INIT;
            inv.id = iid;
            inv.customer_id = cid;
            inv.issue_date = 20454;
            inv.due_date = 20484;
            inv.amount = eur(100 + i);
            rc = archase_batch_add_invoice(batch, &inv, (uint32_t)i + 2);
        }
        if (!rc)
            rc = archase_batch_commit(batch, NULL);
        archase_batch_free(batch);
        if (rc && rc != ARCHASE_EBUSY)
            failures++;
        if (rc == ARCHASE_EBUSY)
            b--; /* a clean refusal: try the batch again */
    }
    archase_engine_free(eng);
    return failures ? 20 : 0;
}

static void two_processes_writing_one_file_lose_nothing(void **state) {
    fixture *f = *state;
    archase_engine *eng = open_engine(f); /* creates the schema */
    archase_engine_free(eng);
    pid_t pids[2];
    for (int w = 0; w < 2; w++) {
        pids[w] = fork();
        assert_true(pids[w] >= 0);
        if (pids[w] == 0)
            _exit(writer(f->path, w));
    }
    for (int w = 0; w < 2; w++) {
        int status = 0;
        assert_int_equal(waitpid(pids[w], &status, 0), pids[w]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    sqlite3 *db = raw(f);
    char expect[64];
    snprintf(expect, sizeof expect, "%d", 2 * WRITER_BATCHES * 20);
    assert_string_equal(query_text(db, "SELECT count(*) FROM invoices"), expect);
    snprintf(expect, sizeof expect, "%d|0|%d", 2 * WRITER_BATCHES * 21, 2 * WRITER_BATCHES * 21 - 1);
    assert_string_equal(query_text(db, "SELECT count(*), min(idx), max(idx) FROM audit_log"), expect);
    assert_string_equal(query_text(db, "PRAGMA integrity_check"), "ok");
    sqlite3_close(db);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

static const struct CMUnitTest tests[] = {
    T(facts_land_in_tables_a_person_can_query),
    T(the_audit_table_refuses_updates_and_deletes),
    T(an_older_file_is_upgraded_and_a_newer_one_refused),
    T(the_outbox_moves_to_a_rowid_table_with_its_rows),
    T(missing_files_and_non_databases_are_refused),
    T(a_read_only_store_reads_and_refuses_writes),
    T(two_processes_writing_one_file_lose_nothing),
};

AR_TEST_MAIN(tests)
