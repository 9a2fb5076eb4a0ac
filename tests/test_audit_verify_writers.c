/* tests/test_audit_verify_writers.c — verifying a log that another engine
 * writes to at the same time: a checkpoint it commits while the log is being
 * read is not taken for a deleted one (the next verification checks it),
 * while a checkpoint deleted before the verification began is still found. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archase/archase.h"
#include "archase/sys/storage.h"
#include "support/testutil.h"

/* RFC 8032 §7.1, TEST 1. */
static const char key_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";

typedef struct fixture {
    char                 dir[64];
    char                 path[96];
    archase_signing_key *key;
    archase_signer       signer;
    archase_engine      *writer; /* the other engine on the same file */
} fixture;

/* What the verifying engine's backend does on its first read of the log:
 * the writer commits a checkpoint first. The slots share the backend's
 * userdata, so the race lives here. */
static struct {
    int (*inner_read)(void *userdata, uint64_t from, uint64_t to, archase_audit_fn fn, void *ctx);
    fixture *f;
    int      fired;
    int      rc;
} race;

static int read_after_a_checkpoint(void *userdata, uint64_t from, uint64_t to, archase_audit_fn fn,
                                   void *ctx) {
    if (!race.fired) {
        race.fired = 1;
        race.rc = archase_audit_checkpoint(race.f->writer, &race.f->signer, NULL);
    }
    return race.inner_read(userdata, from, to, fn, ctx);
}

static void put_customer(archase_engine *eng, const char *id) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = id;
    c.name = id;
    assert_int_equal(archase_customer_put(eng, &c, NULL), 0);
}

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/archase-verify-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/log.db", f->dir);
    assert_int_equal(archase_signing_key_from_pem(key_pem, strlen(key_pem), NULL, &f->key), 0);
    assert_int_equal(archase_signing_key_signer(f->key, &f->signer), 0);
    char err[256];
    assert_int_equal(archase_open_sqlite(f->path, NULL, NULL, &f->writer, err, sizeof err), 0);
    put_customer(f->writer, "C1");
    assert_int_equal(archase_audit_checkpoint(f->writer, &f->signer, NULL), 0);
    put_customer(f->writer, "C2");
    memset(&race, 0, sizeof race);
    race.f = f;
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    archase_engine_free(f->writer);
    archase_signing_key_free(f->key);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* An engine on the file whose reads of the log let the writer in first. */
static archase_engine *open_racing_reader(fixture *f) {
    archase_storage st;
    char err[256];
    assert_int_equal(archase_sqlite_storage_open(f->path, NULL, NULL, &st, err, sizeof err), 0);
    race.inner_read = st.audit_read;
    st.audit_read = read_after_a_checkpoint;
    archase_engine *eng = NULL;
    assert_int_equal(archase_engine_open(&st, NULL, &eng), 0);
    return eng;
}

static void a_checkpoint_committed_while_the_log_is_read_is_left_for_the_next_verification(void **state) {
    fixture *f = *state;
    archase_engine *eng = open_racing_reader(f);
    archase_audit_report report;
    int rc = archase_audit_verify(eng, NULL, &report);
    assert_true(race.fired);
    assert_int_equal(race.rc, 0);
    if (rc)
        fail_msg("verifying while a checkpoint is committed: %s", report.message);
    assert_int_equal(report.problem, 0);
    assert_int_equal(report.checkpoints, 1); /* the one read before the log */
    /* The writer's new checkpoint is checked by the next verification. */
    rc = archase_audit_verify(eng, NULL, &report);
    if (rc)
        fail_msg("verifying again: %s", report.message);
    assert_int_equal(report.checkpoints, 2);
    archase_engine_free(eng);
}

static void a_checkpoint_deleted_before_the_verification_is_still_found(void **state) {
    fixture *f = *state;
    archase_storage st;
    char err[256];
    assert_int_equal(archase_sqlite_storage_open(f->path, NULL, NULL, &st, err, sizeof err), 0);
    uint64_t size = 0;
    assert_int_equal(st.audit_size(st.userdata, &size), 0);
    assert_true(size > 2);
    /* The first checkpoint (of size 1: its record follows the first
     * customer's), stored under its size in twenty digits. */
    assert_int_equal(st.del(st.userdata, ARCHASE_FAMILY_CHECKPOINT, "00000000000000000001"), 0);
    st.close(st.userdata);
    archase_engine *eng = open_racing_reader(f);
    archase_audit_report report;
    assert_int_equal(archase_audit_verify(eng, NULL, &report), ARCHASE_EVERIFY);
    assert_int_equal(report.problem, ARCHASE_AUDIT_PROBLEM_CHECKPOINT);
    assert_int_equal(report.first_bad, 1);
    if (!strstr(report.message, "no longer holds"))
        fail_msg("expected the deleted checkpoint, got \"%s\"", report.message);
    archase_engine_free(eng);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(a_checkpoint_committed_while_the_log_is_read_is_left_for_the_next_verification,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(a_checkpoint_deleted_before_the_verification_is_still_found, setup, teardown),
};

AR_TEST_MAIN(tests)
