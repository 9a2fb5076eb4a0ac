/* tests/test_audit_tamper.c — an attacker with the SQLite file: the
 * append-only triggers dropped, then a byte of a record edited, a record
 * deleted, one inserted, two swapped, the tail truncated, a checkpoint
 * forged. Every change, at every record, is found by archase_audit_verify,
 * which names the first bad record. The library is used through its public
 * API only; the attacker uses SQLite directly. */
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archase/archase.h"
#include "support/testutil.h"

/* RFC 8032 §7.1 TEST 1 (the log's key) and TEST 2 (the attacker's). */
static const char owner_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";
static const char attacker_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIEzNCJso/5banbbDRuwRTg9bijGfNaumJNqM9u1PuKb7\n"
    "-----END PRIVATE KEY-----\n";

/* The log: customer, 11 invoices (records 0-11), a checkpoint of those 12
 * (record 12), then 9 more invoices (13-21): 22 records. */
#define RECORDS 22
#define CHECKPOINT_AT 12

typedef struct fixture {
    char                 dir[64];
    char                 pristine[96]; /* the untouched log */
    char                 path[96];     /* the copy each attack works on */
    archase_signing_key *owner;
    archase_signing_key *attacker;
    uint8_t              owner_public[32];
} fixture;

static archase_instant now_value = 1767225600;

static archase_instant clock_now(void *userdata) {
    (void)userdata;
    return now_value++;
}

static archase_engine *open_engine(const char *path) {
    static const archase_clock clock = { ARCHASE_CLOCK_VERSION, NULL, clock_now };
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
    archase_engine *eng = NULL;
    char err[256];
    o.clock = &clock;
    o.actor = "erp-sync";
    so.synchronous = ARCHASE_SQLITE_SYNC_NORMAL;
    int rc = archase_open_sqlite(path, &so, &o, &eng, err, sizeof err);
    if (rc)
        fail_msg("open %s: %s: %s", path, archase_error_name(rc), err);
    return eng;
}

static void put_invoice(archase_engine *eng, int i) {
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    char id[16], link[48];
    snprintf(id, sizeof id, "INV-%02d", i);
    snprintf(link, sizeof link, "erp://invoices/%d", i);
    inv.id = id;
    inv.customer_id = "C1";
    inv.issue_date = 20454;
    inv.due_date = 20484;
    inv.amount = (archase_money){ 10000 + i, "EUR" };
    inv.source_link = link;
    assert_int_equal(archase_invoice_put(eng, &inv, NULL), 0);
}

static void remove_db(const char *path) {
    const char *suffixes[] = { "", "-wal", "-shm", "-journal" };
    for (size_t i = 0; i < 4; i++) {
        char p[128];
        snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        unlink(p);
    }
}

static void copy_file(const char *from, const char *to) {
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    char buf[65536];
    size_t n;
    assert_non_null(in);
    assert_non_null(out);
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    fclose(out);
}

static int setup(void **state) {
    fixture *f = test_calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/archase-tamper-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->pristine, sizeof f->pristine, "%s/pristine.db", f->dir);
    snprintf(f->path, sizeof f->path, "%s/ledger.db", f->dir);
    assert_int_equal(archase_signing_key_from_pem(owner_pem, strlen(owner_pem), NULL, &f->owner), 0);
    assert_int_equal(archase_signing_key_from_pem(attacker_pem, strlen(attacker_pem), NULL, &f->attacker), 0);
    assert_int_equal(archase_signing_key_public(f->owner, f->owner_public), 0);

    archase_engine *eng = open_engine(f->pristine);
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME";
    assert_int_equal(archase_customer_put(eng, &c, NULL), 0);
    for (int i = 1; i < CHECKPOINT_AT; i++)
        put_invoice(eng, i);
    archase_signer signer;
    archase_signing_key_signer(f->owner, &signer);
    assert_int_equal(archase_audit_checkpoint(eng, &signer, NULL), 0);
    for (int i = CHECKPOINT_AT + 1; i < RECORDS; i++)
        put_invoice(eng, i);
    uint64_t n = 0;
    assert_int_equal(archase_audit_size(eng, &n), 0);
    assert_int_equal(n, RECORDS);
    archase_engine_free(eng); /* closing folds the WAL into the file */
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    remove_db(f->pristine);
    remove_db(f->path);
    rmdir(f->dir);
    archase_signing_key_free(f->owner);
    archase_signing_key_free(f->attacker);
    test_free(f);
    return 0;
}

/* A fresh copy of the log, opened by the attacker with the triggers dropped. */
static sqlite3 *attack(fixture *f) {
    sqlite3 *db = NULL;
    remove_db(f->path);
    copy_file(f->pristine, f->path);
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
                                  NULL, NULL, NULL), SQLITE_OK);
    return db;
}

static void sql(sqlite3 *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sql(sqlite3 *db, const char *fmt, ...) {
    char text[512], *err = NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (sqlite3_exec(db, text, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", text, err);
}

/* Verifies the attacked copy: it must fail, naming `first_bad` (and
 * `problem`, unless 0). Returns the report's message for the log. */
static void expect_found(fixture *f, sqlite3 *db, uint64_t first_bad, int problem, const char *what,
                         const archase_audit_verify_options *o) {
    sqlite3_close(db);
    archase_engine *eng = open_engine(f->path);
    archase_audit_report r;
    int rc = archase_audit_verify(eng, o, &r);
    if (rc != ARCHASE_EVERIFY)
        fail_msg("%s: not found (%s: %s)", what, archase_error_name(rc), archase_engine_errmsg(eng));
    if (r.first_bad != first_bad || (problem && r.problem != problem))
        fail_msg("%s: named record %llu (%s), not %llu: %s", what, (unsigned long long)r.first_bad,
                 archase_audit_problem_name(r.problem), (unsigned long long)first_bad, r.message);
    archase_engine_free(eng);
}

static void the_untouched_file_verifies(void **state) {
    fixture *f = *state;
    sqlite3 *db = attack(f); /* triggers dropped, nothing else */
    sqlite3_close(db);
    archase_engine *eng = open_engine(f->path);
    archase_audit_report r;
    archase_audit_verify_options o = ARCHASE_AUDIT_VERIFY_OPTIONS_INIT;
    o.trusted_keys = f->owner_public;
    o.trusted_key_count = 1;
    assert_int_equal(archase_audit_verify(eng, &o, &r), 0);
    assert_int_equal(r.size, RECORDS);
    assert_int_equal(r.checkpoints, 1);
    archase_engine_free(eng);
}

/* ---- edits ------------------------------------------------------------------------ */

/* Replaces a record's bytes; with `fix_hash` also its stored hash, as an
 * attacker who knows the format would. */
static void rewrite_record(sqlite3 *db, int idx, const unsigned char *data, int n, int fix_hash) {
    sqlite3_stmt *st;
    uint8_t leaf[32];
    assert_int_equal(archase_merkle_leaf_hash(data, (size_t)n, leaf), 0);
    const char *q = fix_hash ? "UPDATE audit_log SET data = ?1, leaf_hash = ?3 WHERE idx = ?2"
                             : "UPDATE audit_log SET data = ?1 WHERE idx = ?2";
    assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_blob(st, 1, data, n, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, idx);
    if (fix_hash)
        sqlite3_bind_blob(st, 3, leaf, 32, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

/* The bytes of record `idx` (malloc'ed). */
static unsigned char *record_bytes(sqlite3 *db, int idx, int *n) {
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT data FROM audit_log WHERE idx = ?1", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int(st, 1, idx);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    *n = sqlite3_column_bytes(st, 0);
    unsigned char *data = malloc((size_t)*n);
    memcpy(data, sqlite3_column_blob(st, 0), (size_t)*n);
    sqlite3_finalize(st);
    return data;
}

static void flip_byte(sqlite3 *db, int idx, int offset, int fix_hash) {
    int n;
    unsigned char *data = record_bytes(db, idx, &n);
    data[offset % n] ^= 0x01;
    rewrite_record(db, idx, data, n, fix_hash);
    free(data);
}

static void a_byte_edited_in_any_record_is_found_there(void **state) {
    fixture *f = *state;
    /* Offsets in the record's header, index, link to the record before,
     * kind, instant, actor, payload and links. */
    static const int offsets[] = { 0, 8, 20, 60, 70, 78, 95, 140, 200, 290 };
    /* Every record; every third under valgrind (the first, checkpointed and
     * last records among them). */
    int step = test_under_valgrind() ? 3 : 1;
    for (int fix_hash = 0; fix_hash <= 1; fix_hash++) {
        for (int idx = 0; idx < RECORDS; idx += step) {
            for (size_t k = 0; k < sizeof offsets / sizeof offsets[0]; k++) {
                char what[96];
                snprintf(what, sizeof what, "byte %d of record %d%s", offsets[k], idx,
                         fix_hash ? ", its hash fixed" : "");
                sqlite3 *db = attack(f);
                flip_byte(db, idx, offsets[k], fix_hash);
                expect_found(f, db, (uint64_t)idx, 0, what, NULL);
            }
        }
    }
}

static void a_field_stored_next_to_a_record_is_found_there(void **state) {
    fixture *f = *state;
    static const char *const edits[] = {
        "actor = 'mallory'",
        "kind = 4",
        "at = '2030-01-01T00:00:00Z'",
        "at = 'yesterday'",
        "links = '[\"erp://elsewhere\"]'",
        "links = 'not json'",
        "prev_hash = zeroblob(32)",
        "leaf_hash = zeroblob(32)",
        "nodes = zeroblob(32)",
        "nodes = zeroblob(31)",
    };
    for (size_t k = 0; k < sizeof edits / sizeof edits[0]; k++) {
        for (int idx = 1; idx < RECORDS; idx += 4) {
            char what[160];
            snprintf(what, sizeof what, "%s at record %d", edits[k], idx);
            sqlite3 *db = attack(f);
            sql(db, "UPDATE audit_log SET %s WHERE idx = %d", edits[k], idx);
            expect_found(f, db, (uint64_t)idx, ARCHASE_AUDIT_PROBLEM_ALTERED, what, NULL);
        }
    }
}

/* ---- deletions, insertions, swaps, truncation ------------------------------------------ */

static void a_deleted_record_is_found_where_it_was(void **state) {
    fixture *f = *state;
    for (int idx = 0; idx < RECORDS; idx++) {
        char what[64];
        snprintf(what, sizeof what, "record %d deleted", idx);
        sqlite3 *db = attack(f);
        sql(db, "DELETE FROM audit_log WHERE idx = %d", idx);
        expect_found(f, db, (uint64_t)idx,
                     idx == RECORDS - 1 ? ARCHASE_AUDIT_PROBLEM_TRUNCATED : ARCHASE_AUDIT_PROBLEM_MISPLACED,
                     what, NULL);
    }
}

/* Moves records idx.. one place up and puts a forged record at idx: the
 * original record idx with one byte of its payload changed, its hash
 * recomputed — a record that links to the one before it. */
static void insert_forged(sqlite3 *db, int idx, int last) {
    int n;
    unsigned char *data = record_bytes(db, last ? idx - 1 : idx, &n);
    data[n - 3] ^= 0x01;
    sql(db, "UPDATE audit_log SET idx = -idx - 1 WHERE idx >= %d", idx);
    sql(db, "UPDATE audit_log SET idx = -idx WHERE idx < 0");
    sql(db, "INSERT INTO audit_log (idx, kind, actor, at, data, leaf_hash, prev_hash, links, nodes)"
            " SELECT %d, kind, actor, at, data, leaf_hash, prev_hash, links, NULL FROM audit_log"
            " WHERE idx = %d", idx, last ? idx - 1 : idx + 1);
    rewrite_record(db, idx, data, n, 1);
    free(data);
}

static void an_inserted_record_is_found_where_it_was_put(void **state) {
    fixture *f = *state;
    for (int idx = 0; idx <= RECORDS; idx++) {
        char what[64];
        snprintf(what, sizeof what, "a record inserted at %d", idx);
        sqlite3 *db = attack(f);
        insert_forged(db, idx, idx == RECORDS);
        expect_found(f, db, (uint64_t)idx, 0, what, NULL);
    }
}

static void two_swapped_records_are_found_at_the_first(void **state) {
    fixture *f = *state;
    /* Every pair; under valgrind every pair with its first record one of every third. */
    int step = test_under_valgrind() ? 3 : 1;
    for (int i = 0; i < RECORDS; i += step) {
        for (int j = i + 1; j < RECORDS; j++) {
            char what[64];
            snprintf(what, sizeof what, "records %d and %d swapped", i, j);
            sqlite3 *db = attack(f);
            sql(db, "UPDATE audit_log SET idx = -1 WHERE idx = %d", i);
            sql(db, "UPDATE audit_log SET idx = %d WHERE idx = %d", i, j);
            sql(db, "UPDATE audit_log SET idx = %d WHERE idx = -1", j);
            expect_found(f, db, (uint64_t)i, ARCHASE_AUDIT_PROBLEM_MISPLACED, what, NULL);
        }
    }
}

static void a_truncated_tail_is_found_where_it_ends(void **state) {
    fixture *f = *state;
    for (int keep = 0; keep < RECORDS; keep++) {
        char what[64];
        snprintf(what, sizeof what, "only %d records kept", keep);
        sqlite3 *db = attack(f);
        sql(db, "DELETE FROM audit_log WHERE idx >= %d", keep);
        expect_found(f, db, (uint64_t)keep, 0, what, NULL);
        /* Also when the recorded state goes with it. */
        snprintf(what, sizeof what, "only %d records kept, no state", keep);
        db = attack(f);
        sql(db, "DELETE FROM audit_log WHERE idx >= %d", keep);
        sql(db, "DELETE FROM meta WHERE id = 'audit.chain'");
        expect_found(f, db, (uint64_t)keep, 0, what, NULL);
    }
}

/* ---- checkpoints ----------------------------------------------------------------- */

/* Stores `cp`, signed by `key`, as a checkpoint row the way the library does. */
static void store_checkpoint(sqlite3 *db, archase_checkpoint *cp, archase_signing_key *key) {
    archase_signer signer;
    uint8_t pub[32];
    archase_signing_key_signer(key, &signer);
    archase_signing_key_public(key, pub);
    assert_int_equal(archase_checkpoint_sign(cp, &signer), 0);
    /* RECORD "CK" {1 log id, 2 size, 3 root, 4 time, 5 key id, 6 signature, 7 public key} */
    unsigned char rec[512], *p = rec;
    size_t id_len = strlen(cp->log_id);
    *p++ = 0x0a, *p++ = 0x43, *p++ = 0x4b, *p++ = 0, *p++ = 7;
    *p++ = 0, *p++ = 1, *p++ = 0x03;
    for (int i = 3; i >= 0; i--)
        *p++ = (unsigned char)(id_len >> (8 * i));
    memcpy(p, cp->log_id, id_len), p += id_len;
    *p++ = 0, *p++ = 2, *p++ = 0x02;
    for (int i = 7; i >= 0; i--)
        *p++ = (unsigned char)(cp->size >> (8 * i));
    *p++ = 0, *p++ = 3, *p++ = 0x08;
    memcpy(p, cp->root, 32), p += 32;
    *p++ = 0, *p++ = 4, *p++ = 0x07;
    for (int i = 7; i >= 0; i--)
        *p++ = (unsigned char)((uint64_t)cp->time >> (8 * i));
    const unsigned char *parts[] = { cp->key_id, cp->signature, pub };
    const unsigned sizes[] = { 8, 64, 32 };
    for (int k = 0; k < 3; k++) {
        *p++ = 0, *p++ = (unsigned char)(5 + k), *p++ = 0x04;
        *p++ = 0, *p++ = 0, *p++ = 0, *p++ = (unsigned char)sizes[k];
        memcpy(p, parts[k], sizes[k]), p += sizes[k];
    }
    sqlite3_stmt *st;
    char id[32];
    snprintf(id, sizeof id, "%020llu", (unsigned long long)cp->size);
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO checkpoints (id, data) VALUES (?1, ?2)",
                                        -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, rec, (int)(p - rec), SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

/* The true root and log id of the pristine log at `size`. */
static void true_checkpoint(fixture *f, uint64_t size, archase_checkpoint *cp) {
    archase_engine *eng = open_engine(f->pristine);
    uint8_t root[32];
    char log_id[ARCHASE_LOG_ID_MAX + 1];
    assert_int_equal(archase_audit_root(eng, size, root), 0);
    assert_int_equal(archase_audit_log_id(eng, log_id, sizeof log_id), 0);
    assert_int_equal(archase_checkpoint_init(cp, log_id, size, root, 1767300000), 0);
    archase_engine_free(eng);
}

static void a_forged_checkpoint_is_found(void **state) {
    fixture *f = *state;
    archase_checkpoint cp;
    archase_audit_verify_options trusting = ARCHASE_AUDIT_VERIFY_OPTIONS_INIT;
    trusting.trusted_keys = f->owner_public;
    trusting.trusted_key_count = 1;

    /* The stored checkpoint's root changed: its signature no longer holds. */
    sqlite3 *db = attack(f);
    sql(db, "UPDATE checkpoints SET data = substr(data, 1, 40) || x'ff' || substr(data, 42)");
    expect_found(f, db, CHECKPOINT_AT, ARCHASE_AUDIT_PROBLEM_CHECKPOINT, "a checkpoint's bytes changed", NULL);

    /* Garbage instead of a checkpoint. */
    db = attack(f);
    sql(db, "UPDATE checkpoints SET data = x'0a0000'");
    expect_found(f, db, CHECKPOINT_AT, ARCHASE_AUDIT_PROBLEM_CHECKPOINT, "a checkpoint replaced by garbage", NULL);

    /* The checkpoint removed: its record in the log still says it was made. */
    db = attack(f);
    sql(db, "DELETE FROM checkpoints");
    expect_found(f, db, CHECKPOINT_AT, ARCHASE_AUDIT_PROBLEM_CHECKPOINT, "a checkpoint deleted", NULL);

    /* A checkpoint the log never made, of the true root, validly signed by
     * the attacker: it has no record of its own in the log. */
    for (uint64_t size = 1; size <= RECORDS; size++) {
        char what[64];
        snprintf(what, sizeof what, "a checkpoint of size %llu added", (unsigned long long)size);
        true_checkpoint(f, size, &cp);
        db = attack(f);
        store_checkpoint(db, &cp, f->attacker);
        expect_found(f, db, size, ARCHASE_AUDIT_PROBLEM_CHECKPOINT, what, NULL);
    }

    /* The log's own checkpoint re-signed by the attacker: refused when the
     * owner's key is the trusted one, even though nothing else changed. */
    true_checkpoint(f, CHECKPOINT_AT, &cp);
    db = attack(f);
    store_checkpoint(db, &cp, f->attacker);
    expect_found(f, db, CHECKPOINT_AT, ARCHASE_AUDIT_PROBLEM_CHECKPOINT, "a checkpoint re-signed", &trusting);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(the_untouched_file_verifies),
    cmocka_unit_test(a_byte_edited_in_any_record_is_found_there),
    cmocka_unit_test(a_field_stored_next_to_a_record_is_found_there),
    cmocka_unit_test(a_deleted_record_is_found_where_it_was),
    cmocka_unit_test(an_inserted_record_is_found_where_it_was_put),
    cmocka_unit_test(two_swapped_records_are_found_at_the_first),
    cmocka_unit_test(a_truncated_tail_is_found_where_it_ends),
    cmocka_unit_test(a_forged_checkpoint_is_found),
};

int main(void) {
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name(__FILE__, tests, setup, teardown);
}
