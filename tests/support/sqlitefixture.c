/* tests/support/sqlitefixture.c — the SQLite store suites' fixture
 * (sqlitefixture.h). */
#include "sqlitefixture.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "faultvfs.h"
#include "testutil.h"

void test_sqlite_remove_store(const char *path) {
    const char *suffixes[] = { "", "-wal", "-shm", "-journal" };
    for (size_t i = 0; i < 4; i++) {
        char p[160];
        snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        unlink(p);
    }
}

void test_sqlite_close(test_sqlite_fixture *f) {
    if (f->s.close)
        f->s.close(f->s.userdata);
    f->s.close = NULL;
}

int test_sqlite_setup(void **state, const char *dir_template, void (*open_store)(test_sqlite_fixture *f)) {
    test_sqlite_fixture *f = test_calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "%s", dir_template);
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/store.db", f->dir);
    /* Syncs are counted but not made: these tests are about errors, not disks. */
    if (faultvfs_install() != SQLITE_OK)
        return -1;
    faultvfs_skip_fsync(1);
    f->open_store = open_store;
    open_store(f);
    *state = f;
    return 0;
}

int test_sqlite_teardown(void **state) {
    test_sqlite_fixture *f = *state;
    test_sqlite_close(f);
    faultvfs_uninstall();
    test_sqlite_remove_store(f->path);
    rmdir(f->dir);
    test_free(f);
    return 0;
}

const char *test_sqlite_errmsg(test_sqlite_fixture *f) {
    return f->s.errmsg(f->s.userdata);
}

void test_sqlite_exec(const char *path, const char *sql) {
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
    sqlite3_close(db);
}

void test_sqlite_edit_by_hand(test_sqlite_fixture *f, const char *sql) {
    test_sqlite_close(f);
    test_sqlite_exec(f->path, sql);
    f->open_store(f);
}

void test_sqlite_column_text(const char *path, const char *sql, char *out, size_t size) {
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const char *t = (const char *)sqlite3_column_text(st, 0);
    snprintf(out, size, "%s", t ? t : "(null)");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

int test_sqlite_put_customer(test_sqlite_fixture *f, const char *id) {
    archase_record r = ARCHASE_RECORD_INIT;
    r.family = ARCHASE_FAMILY_CUSTOMER;
    r.id = id;
    r.data = "x";
    r.size = 1;
    return f->s.put(f->s.userdata, &r);
}

int test_sqlite_see(void *ctx, const archase_record *r) {
    test_sqlite_seen *s = ctx;
    s->n++;
    snprintf(s->id, sizeof s->id, "%s", r->id);
    s->last = *r;
    return s->rc;
}

int test_sqlite_see_entry(void *ctx, const archase_audit_entry *e) {
    test_sqlite_entries *x = ctx;
    x->n++;
    x->last = *e;
    snprintf(x->actor, sizeof x->actor, "%s", e->actor);
    for (uint32_t i = 0; i < e->link_count && i < 4; i++)
        snprintf(x->links[i], sizeof x->links[i], "%s", e->links[i]);
    return x->rc;
}
