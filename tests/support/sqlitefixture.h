/* tests/support/sqlitefixture.h — what the SQLite store suites work on: a
 * store file in a folder of its own under /tmp, opened through the fault
 * VFS with syncs counted but not made, and SQL run on that file by a
 * connection of the test's own. */
#ifndef ARCHASE_TEST_SQLITEFIXTURE_H
#define ARCHASE_TEST_SQLITEFIXTURE_H

#include <stddef.h>

#include "archase/archase.h"
#include "archase/sys/storage.h"

typedef struct test_sqlite_fixture {
    char            dir[64];
    char            path[96];
    archase_storage s;
    void (*open_store)(struct test_sqlite_fixture *f); /* as setup was given */
} test_sqlite_fixture;

/* cmocka setup: *state becomes a heap fixture whose folder is made from
 * `dir_template` (mkdtemp), its store at dir/store.db, the fault VFS
 * installed with syncs skipped, then `open_store` called on it. */
int test_sqlite_setup(void **state, const char *dir_template, void (*open_store)(test_sqlite_fixture *f));
/* cmocka teardown: closes the store if open, uninstalls the fault VFS,
 * removes the store's files and folder, frees the fixture. */
int test_sqlite_teardown(void **state);

/* Closes the store if it is open (s.close set) and marks it closed. */
void test_sqlite_close(test_sqlite_fixture *f);
/* The store's last error message. */
const char *test_sqlite_errmsg(test_sqlite_fixture *f);
/* Removes `path` and its -wal, -shm and -journal files. */
void test_sqlite_remove_store(const char *path);

/* Closes the store, runs `sql` on its file (test_sqlite_exec) and opens it
 * again as setup did: the store edited by hand. */
void test_sqlite_edit_by_hand(test_sqlite_fixture *f, const char *sql);

/* Runs `sql` on the file at `path`; fails the test with SQLite's message
 * when it does not run. */
void test_sqlite_exec(const char *path, const char *sql);
/* The first column of the first row `sql` reads from `path`, as text
 * ("(null)" for NULL) in out. */
void test_sqlite_column_text(const char *path, const char *sql, char *out, size_t size);

/* What test_sqlite_see saw of the records a scan or get handed over: start
 * zeroed (rc: what the callback returns). */
typedef struct test_sqlite_seen {
    int            n;
    int            rc;
    char           id[64];
    archase_record last;
} test_sqlite_seen;
int test_sqlite_see(void *ctx, const archase_record *r);

/* What test_sqlite_see_entry saw of the audit entries handed over: start
 * zeroed (rc: what the callback returns); the first four links are kept. */
typedef struct test_sqlite_entries {
    int                 n;
    int                 rc;
    archase_audit_entry last;
    char                actor[32];
    char                links[4][64];
} test_sqlite_entries;
int test_sqlite_see_entry(void *ctx, const archase_audit_entry *e);

/* Puts customer `id` with the data "x". Returns the put slot's result. */
int test_sqlite_put_customer(test_sqlite_fixture *f, const char *id);

#endif
