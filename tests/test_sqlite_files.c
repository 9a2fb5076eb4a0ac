/* tests/test_sqlite_files.c — SQLite files as a host meets them: a file
 * another writer holds, a path SQLite keeps in memory, a foreign database,
 * opens whose reads and locks fail, commits whose writes fail, rows and audit
 * entries a person edited so that they no longer read back as written, and
 * records whose canonical bytes do not hold what the decoded columns expect. */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archase/archase.h"
#include "archase/sys/storage.h"
#include "support/canon.h"
#include "support/faultvfs.h"
#include "support/sqlitefixture.h"
#include "support/testutil.h"

typedef test_sqlite_fixture fixture;

static int try_open(fixture *f, int read_only, char *err, size_t size) {
    archase_sqlite_options o = ARCHASE_SQLITE_OPTIONS_INIT;
    o.busy_timeout_ms = 0;
    o.read_only = read_only;
    return archase_sqlite_storage_open(f->path, &o, NULL, &f->s, err, size);
}

static void open_store(fixture *f) {
    char err[256] = "";
    int rc = try_open(f, 0, err, sizeof err);
    if (rc)
        fail_msg("open: %s: %s", archase_error_name(rc), err);
}

static int setup(void **state) {
    return test_sqlite_setup(state, "/tmp/archase-sqlfiles-XXXXXX", open_store);
}

typedef test_sqlite_seen seen;

static int customer_count(fixture *f, uint64_t *n) {
    archase_scan_filter fl = ARCHASE_SCAN_FILTER_INIT;
    fl.family = ARCHASE_FAMILY_CUSTOMER;
    return f->s.count(f->s.userdata, &fl, n);
}

/* ---- opening ------------------------------------------------------------------------------ */

static void a_store_another_writer_holds_is_busy_and_opens_once_released(void **state) {
    fixture *f = *state;
    assert_int_equal(test_sqlite_put_customer(f, "C1"), 0);
    test_sqlite_close(f);
    /* A fresh file another connection is creating, and an existing one it
     * is writing: both are busy, with SQLite's reason. */
    char fresh[160];
    snprintf(fresh, sizeof fresh, "%s/fresh.db", f->dir);
    const char *paths[] = { fresh, f->path };
    for (size_t i = 0; i < 2; i++) {
        sqlite3 *db = NULL;
        assert_int_equal(sqlite3_open(paths[i], &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, "PRAGMA journal_mode = WAL; BEGIN EXCLUSIVE;"
                                          " CREATE TABLE IF NOT EXISTS other (x)", NULL, NULL, NULL),
                         SQLITE_OK);
        archase_storage s;
        char err[256] = "";
        archase_sqlite_options o = ARCHASE_SQLITE_OPTIONS_INIT;
        o.busy_timeout_ms = 0;
        assert_int_equal(archase_sqlite_storage_open(paths[i], &o, NULL, &s, err, sizeof err), ARCHASE_EBUSY);
        assert_non_null(strstr(err, "starting the migration: database is locked"));
        assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
        assert_int_equal(archase_sqlite_storage_open(paths[i], &o, NULL, &s, err, sizeof err), 0);
        uint64_t n = 9;
        fixture g = *f;
        g.s = s;
        assert_int_equal(customer_count(&g, &n), 0);
        assert_int_equal(n, i); /* the fresh store is empty, the other kept its customer */
        s.close(s.userdata);
    }
    test_sqlite_remove_store(fresh);
    open_store(f);
}

static void a_path_sqlite_keeps_in_memory_is_refused_for_want_of_wal(void **state) {
    (void)state;
    archase_storage s;
    char err[256] = "";
    assert_int_equal(archase_sqlite_storage_open(":memory:", NULL, NULL, &s, err, sizeof err), ARCHASE_ESTORAGE);
    assert_string_equal(err, "the database cannot use WAL journaling");
}

static void a_foreign_database_is_refused_and_left_as_it_was(void **state) {
    fixture *f = *state;
    char path[160], err[512] = "", v[64];
    snprintf(path, sizeof path, "%s/foreign.db", f->dir);
    test_sqlite_exec(path, "CREATE TABLE customers (name TEXT); INSERT INTO customers VALUES ('theirs')");
    archase_storage s;
    archase_sqlite_options o = ARCHASE_SQLITE_OPTIONS_INIT;
    o.read_only = 1;
    assert_int_equal(archase_sqlite_storage_open(path, &o, NULL, &s, err, sizeof err), ARCHASE_EVERSION);
    assert_non_null(strstr(err, "schema version 0, older than this library's"));
    o.read_only = 0;
    assert_int_equal(archase_sqlite_storage_open(path, &o, NULL, &s, err, sizeof err), ARCHASE_ESTORAGE);
    assert_non_null(strstr(err, "applying migration 1: table customers already exists"));
    test_sqlite_column_text(path, "SELECT group_concat(name) FROM sqlite_schema WHERE type = 'table'", v, sizeof v);
    assert_string_equal(v, "customers");
    test_sqlite_column_text(path, "SELECT name FROM customers", v, sizeof v);
    assert_string_equal(v, "theirs");
    test_sqlite_remove_store(path);
}

static void opens_whose_reads_and_locks_fail_say_why_and_change_nothing(void **state) {
    fixture *f = *state;
    assert_int_equal(test_sqlite_put_customer(f, "C1"), 0);
    test_sqlite_close(f);
    static const struct {
        int      read_only;
        unsigned kinds;
        int      code;
    } runs[] = {
        { 0, FAULTVFS_READ, SQLITE_IOERR_READ }, { 1, FAULTVFS_READ, SQLITE_IOERR_READ },
        { 0, FAULTVFS_READ, SQLITE_CORRUPT },    { 0, FAULTVFS_LOCK, SQLITE_BUSY },
        { 1, FAULTVFS_LOCK, SQLITE_IOERR_LOCK },
    };
    int refused = 0;
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        for (size_t n = 1; n < 30; n += test_under_valgrind() ? 3 : 1) {
            char err[512] = "";
            faultvfs_arm(runs[r].kinds, n, runs[r].code, 1);
            int rc = try_open(f, runs[r].read_only, err, sizeof err);
            size_t failed = faultvfs_failures();
            faultvfs_disarm();
            if (rc == 0)
                test_sqlite_close(f);
            if (!failed) {
                assert_int_equal(rc, 0);
                break;
            }
            if (rc) {
                refused++;
                if (rc != ARCHASE_ESTORAGE && rc != ARCHASE_EBUSY)
                    fail_msg("run %zu, fault %zu: %s (%s)", r, n, archase_error_name(rc), err);
                assert_true(err[0] != '\0');
            }
            /* The file opens as it was once the disk works. */
            assert_int_equal(try_open(f, runs[r].read_only, err, sizeof err), 0);
            uint64_t count = 0;
            int64_t version = 0;
            assert_int_equal(customer_count(f, &count), 0);
            assert_int_equal(count, 1);
            assert_int_equal(f->s.schema_version(f->s.userdata, &version), 0);
            assert_int_equal(version, 4);
            test_sqlite_close(f);
        }
    }
    assert_true(refused > 10);
    open_store(f);
}

/* ---- transactions whose commit fails ---------------------------------------------------------- */

static void a_commit_whose_writes_fail_keeps_nothing_of_the_transaction(void **state) {
    fixture *f = *state;
    assert_int_equal(test_sqlite_put_customer(f, "C1"), 0);
    int failed_commits = 0;
    for (size_t n = 1; n < 12; n++) {
        void *u = f->s.userdata;
        assert_int_equal(f->s.begin(u), 0);
        assert_int_equal(test_sqlite_put_customer(f, "C2"), 0);
        assert_int_equal(test_sqlite_put_customer(f, "C3"), 0);
        faultvfs_arm(FAULTVFS_WRITE, n, SQLITE_FULL, 1);
        int rc = f->s.commit(u);
        size_t failed = faultvfs_failures();
        faultvfs_disarm();
        uint64_t count = 0;
        if (!failed) {
            assert_int_equal(rc, 0);
            assert_int_equal(customer_count(f, &count), 0);
            assert_int_equal(count, 3);
            break;
        }
        if (rc == 0) { /* SQLite got by without the failed write */
            assert_int_equal(f->s.del(u, ARCHASE_FAMILY_CUSTOMER, "C2"), 0);
            assert_int_equal(f->s.del(u, ARCHASE_FAMILY_CUSTOMER, "C3"), 0);
            continue;
        }
        failed_commits++;
        assert_int_equal(rc, ARCHASE_ESTORAGE);
        assert_non_null(strstr(test_sqlite_errmsg(f), "committing: database or disk is full"));
        if (n % 2) {
            /* Rolled back by the host ... */
            assert_int_equal(f->s.rollback(u), 0);
        } else {
            /* ... or by closing the store. */
            test_sqlite_close(f);
            open_store(f);
        }
        assert_int_equal(customer_count(f, &count), 0);
        assert_int_equal(count, 1);
    }
    assert_true(failed_commits > 0);
}

/* ---- rows edited by hand ---------------------------------------------------------------------- */

static void rows_whose_status_or_id_no_longer_reads_are_storage_errors(void **state) {
    fixture *f = *state;
    assert_int_equal(test_sqlite_put_customer(f, "C1"), 0);
    archase_record fl = ARCHASE_RECORD_INIT;
    fl.family = ARCHASE_FAMILY_FLAGS;
    fl.id = "C1";
    fl.status = ARCHASE_FLAG_HOLD;
    fl.data = "x";
    fl.size = 1;
    assert_int_equal(f->s.put(f->s.userdata, &fl), 0);
    archase_record cad = ARCHASE_RECORD_INIT;
    cad.family = ARCHASE_FAMILY_CADENCE;
    cad.id = "I1";
    cad.status = 3;
    cad.data = "x";
    cad.size = 1;
    assert_int_equal(f->s.put(f->s.userdata, &cad), 0);
    /* Families whose status is a number hold a word instead. */
    test_sqlite_edit_by_hand(f, "UPDATE customer_flags SET flags = 'held'; UPDATE cadence SET status = 'waiting'");
    seen sn = { 0, 0, "", ARCHASE_RECORD_INIT };
    assert_int_equal(f->s.get(f->s.userdata, ARCHASE_FAMILY_FLAGS, "C1", test_sqlite_see, &sn), ARCHASE_ESTORAGE);
    assert_string_equal(test_sqlite_errmsg(f), "a stored status or date cannot be read");
    assert_int_equal(f->s.get(f->s.userdata, ARCHASE_FAMILY_CADENCE, "I1", test_sqlite_see, &sn), ARCHASE_ESTORAGE);
    assert_int_equal(sn.n, 0);
    /* An id blanked by hand: a record never has an empty id. */
    test_sqlite_edit_by_hand(f, "UPDATE cadence SET status = 3, id = ''");
    archase_scan_filter sf = ARCHASE_SCAN_FILTER_INIT;
    sf.family = ARCHASE_FAMILY_CADENCE;
    int rc = f->s.scan(f->s.userdata, &sf, test_sqlite_see, &sn);
    assert_int_equal(rc, ARCHASE_ESTORAGE);
    assert_string_equal(test_sqlite_errmsg(f), "a stored record has no id");
    assert_int_equal(sn.n, 0);
}

static void a_dropped_audit_table_fails_every_audit_slot(void **state) {
    fixture *f = *state;
    test_sqlite_edit_by_hand(f, "DROP TABLE audit_log");
    uint64_t n = 7;
    assert_int_equal(f->s.audit_size(f->s.userdata, &n), ARCHASE_ESTORAGE);
    assert_non_null(strstr(test_sqlite_errmsg(f), "preparing a statement: no such table: audit_log"));
    assert_int_equal(n, 7);
    seen sn = { 0, 0, "", ARCHASE_RECORD_INIT };
    (void)sn;
    archase_audit_entry e = ARCHASE_AUDIT_ENTRY_INIT;
    e.actor = "tester";
    e.kind = 1;
    e.instant = 1767225600;
    assert_int_equal(f->s.audit_append(f->s.userdata, &e), ARCHASE_ESTORAGE);
    /* Inside a transaction too, where the size is read once. */
    assert_int_equal(f->s.begin(f->s.userdata), 0);
    assert_int_equal(f->s.audit_append(f->s.userdata, &e), ARCHASE_ESTORAGE);
    assert_int_equal(f->s.rollback(f->s.userdata), 0);
}

/* ---- audit entries edited by hand ------------------------------------------------------------- */

typedef test_sqlite_entries entries;

static void set_audit(const char *path, const char *column, const void *value, int size, int as_text) {
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char sql[96];
    snprintf(sql, sizeof sql, "UPDATE audit_log SET %s = ?1", column);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (as_text)
        sqlite3_bind_text(st, 1, value, size, SQLITE_STATIC);
    else
        sqlite3_bind_blob(st, 1, value, size, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static entries read_entry(fixture *f) {
    entries x;
    memset(&x, 0, sizeof x);
    open_store(f);
    assert_int_equal(f->s.audit_read(f->s.userdata, 0, 1, test_sqlite_see_entry, &x), 0);
    assert_int_equal(x.n, 1);
    test_sqlite_close(f);
    return x;
}

static void audit_entries_edited_by_hand_never_read_back_as_written(void **state) {
    fixture *f = *state;
    const char *links[] = { "erp://a" };
    archase_audit_entry e = ARCHASE_AUDIT_ENTRY_INIT;
    e.kind = 3;
    e.actor = "tester";
    e.instant = 1767225600;
    e.data = "record";
    e.size = 6;
    e.links = links;
    e.link_count = 1;
    memset(e.leaf_hash, 0xab, 32);
    memset(e.prev_hash, 0xcd, 32);
    assert_int_equal(f->s.audit_append(f->s.userdata, &e), 0);
    /* Sizes the slot cannot store. */
    e.index = 1;
    e.size = (size_t)INT32_MAX + 1;
    assert_int_equal(f->s.audit_append(f->s.userdata, &e), ARCHASE_EINVAL);
    assert_string_equal(test_sqlite_errmsg(f), "bad audit entry");
    test_sqlite_close(f);
    test_sqlite_exec(f->path, "DROP TRIGGER audit_log_no_update");

    /* Links cut after a comma, inside an escape, inside a \u escape. */
    static const char *const cut_links[] = { "[\"a\",", "[\"a\\", "[\"\\u0" };
    for (size_t i = 0; i < sizeof cut_links / sizeof cut_links[0]; i++) {
        set_audit(f->path, "links", cut_links[i], -1, 1);
        entries x = read_entry(f);
        assert_int_equal(x.last.link_count, 1);
        if (strcmp(x.links[0], "\x01unreadable"))
            fail_msg("links %s read back as '%s'", cut_links[i], x.links[0]);
    }
    /* Links that are an empty blob. */
    set_audit(f->path, "links", "", 0, 0);
    entries x = read_entry(f);
    assert_int_equal(x.last.link_count, 1);
    assert_string_equal(x.links[0], "\x01unreadable");

    /* A kind below 1, hashes that are empty blobs, more subtree roots than
     * any entry completes, an empty actor and instant. */
    test_sqlite_exec(f->path, "UPDATE audit_log SET kind = -4, leaf_hash = x'', prev_hash = x'', links = NULL,"
                     " nodes = zeroblob(65 * 32), actor = x'', at = x''");
    x = read_entry(f);
    assert_int_equal(x.last.kind, 0);
    uint8_t zero[32] = { 0 };
    assert_memory_equal(x.last.leaf_hash, zero, 32);
    assert_memory_equal(x.last.prev_hash, zero, 32);
    assert_int_equal(x.last.node_count, 65);
    assert_string_equal(x.actor, "");
    assert_true(x.last.instant == INT64_MIN);
    assert_int_equal(x.last.link_count, 0);
    open_store(f);
}

/* ---- decoded columns --------------------------------------------------------------------------- */

static void put_data(fixture *f, int family, const char *id, const char *customer, const canon *c) {
    archase_record r = ARCHASE_RECORD_INIT;
    r.family = family;
    r.id = id;
    r.customer_id = customer;
    r.status = family == ARCHASE_FAMILY_CONTACT ? ARCHASE_CHANNEL_EMAIL
               : family == ARCHASE_FAMILY_PROMISE ? ARCHASE_PROMISE_STATUS_OPEN : 0;
    r.date = family == ARCHASE_FAMILY_PROMISE ? 20460 : ARCHASE_DATE_NONE;
    if (family == ARCHASE_FAMILY_PROMISE)
        memcpy(r.currency, "EUR", 4);
    r.data = c->b;
    r.size = c->n;
    assert_int_equal(f->s.put(f->s.userdata, &r), 0);
    /* The bytes are kept exactly, whatever the columns took from them. */
    seen sn = { 0, 0, "", ARCHASE_RECORD_INIT };
    assert_int_equal(f->s.get(f->s.userdata, family, id, test_sqlite_see, &sn), 0);
    assert_int_equal(sn.n, 1);
}

static void values_of_another_type_leave_their_decoded_column_empty(void **state) {
    fixture *f = *state;
    char v[128];
    assert_int_equal(test_sqlite_put_customer(f, "C1"), 0);
    /* Data that is canonical but not a record. */
    canon c = { { 0 }, 0 };
    c_str(&c, "just a string");
    put_data(f, ARCHASE_FAMILY_CUSTOMER, "C2", NULL, &c);
    /* A contact whose consent (a flag) is a string and whose primary flag is
     * a number. */
    c = (canon){ { 0 }, 0 };
    c_record(&c, 0x4354, 3);
    c_u16(&c, 7);
    c_str(&c, "a@example.com");
    c_u16(&c, 8);
    c_str(&c, "yes");
    c_u16(&c, 9);
    c_int(&c, 1);
    put_data(f, ARCHASE_FAMILY_CONTACT, "K1", "C1", &c);
    /* Flags whose paused_until (a day) is a number. */
    c = (canon){ { 0 }, 0 };
    c_record(&c, 0x464c, 1);
    c_u16(&c, 4);
    c_int(&c, 20454);
    put_data(f, ARCHASE_FAMILY_FLAGS, "C1", "C1", &c);
    /* A promise whose grace days (a number) are a string and whose invoices
     * (a list) are a string. */
    c = (canon){ { 0 }, 0 };
    c_record(&c, 0x504d, 2);
    c_u16(&c, 4);
    c_str(&c, "I1");
    c_u16(&c, 11);
    c_str(&c, "three");
    put_data(f, ARCHASE_FAMILY_PROMISE, "P1", "C1", &c);
    /* A customer whose country is a list cut short: nothing after it is read. */
    c = (canon){ { 0 }, 0 };
    c_record(&c, 0x4355, 2);
    c_u16(&c, 9);
    c_list(&c, 1);
    put_data(f, ARCHASE_FAMILY_CUSTOMER, "C3", NULL, &c);
    /* A customer whose tags hold a list cut short inside. */
    c = (canon){ { 0 }, 0 };
    c_record(&c, 0x4355, 1);
    c_u16(&c, 11);
    c_list(&c, 2);
    c_str(&c, "kept");
    c_list(&c, 3);
    put_data(f, ARCHASE_FAMILY_CUSTOMER, "C4", NULL, &c);
    test_sqlite_close(f);
    test_sqlite_column_text(f->path,
                "SELECT coalesce(name, '-') || coalesce(tags, '-') || coalesce(country, '-') FROM customers"
                " WHERE id = 'C2'",
                v, sizeof v);
    assert_string_equal(v, "---");
    test_sqlite_column_text(f->path, "SELECT address || '|' || consent || '|' || is_primary FROM contacts", v, sizeof v);
    assert_string_equal(v, "a@example.com|0|0");
    test_sqlite_column_text(f->path, "SELECT coalesce(paused_until, 'none') FROM customer_flags", v, sizeof v);
    assert_string_equal(v, "none");
    test_sqlite_column_text(f->path, "SELECT coalesce(invoice_ids, '-') || coalesce(grace_days, '-') FROM promises", v, sizeof v);
    assert_string_equal(v, "--");
    test_sqlite_column_text(f->path, "SELECT coalesce(country, '-') || coalesce(tags, '-') FROM customers WHERE id = 'C3'", v,
                sizeof v);
    assert_string_equal(v, "--");
    test_sqlite_column_text(f->path, "SELECT coalesce(tags, '-') FROM customers WHERE id = 'C4'", v, sizeof v);
    assert_string_equal(v, "-");
    open_store(f);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(a_store_another_writer_holds_is_busy_and_opens_once_released, setup, test_sqlite_teardown),
    cmocka_unit_test_setup_teardown(a_path_sqlite_keeps_in_memory_is_refused_for_want_of_wal, setup, test_sqlite_teardown),
    cmocka_unit_test_setup_teardown(a_foreign_database_is_refused_and_left_as_it_was, setup, test_sqlite_teardown),
    cmocka_unit_test_setup_teardown(opens_whose_reads_and_locks_fail_say_why_and_change_nothing, setup, test_sqlite_teardown),
    cmocka_unit_test_setup_teardown(a_commit_whose_writes_fail_keeps_nothing_of_the_transaction, setup, test_sqlite_teardown),
    cmocka_unit_test_setup_teardown(rows_whose_status_or_id_no_longer_reads_are_storage_errors, setup, test_sqlite_teardown),
    cmocka_unit_test_setup_teardown(a_dropped_audit_table_fails_every_audit_slot, setup, test_sqlite_teardown),
    cmocka_unit_test_setup_teardown(audit_entries_edited_by_hand_never_read_back_as_written, setup, test_sqlite_teardown),
    cmocka_unit_test_setup_teardown(values_of_another_type_leave_their_decoded_column_empty, setup, test_sqlite_teardown),
};

AR_TEST_MAIN(tests)
