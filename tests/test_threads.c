/* tests/test_threads.c — what docs/reliability.md says may run at once,
 * running at once on THREADS threads (8):
 *
 *  - one engine per thread, each on a SQLite file of its own, each on the
 *    memory store: batches, payments, approvals, checkpoints, evaluation,
 *    audit verification, all at the same time;
 *  - one engine per thread on ONE shared SQLite file: every batch lands
 *    exactly once (a writer waits for another with the busy timeout), and the
 *    shared audit log stays one verified chain;
 *  - what may be shared read-only: one loaded policy, one snapshot evaluated
 *    by every thread (the same bytes everywhere), one result read by every
 *    thread (its keys, built by the first read, the same everywhere), one
 *    signer.
 *
 * The ThreadSanitizer build runs it too (`make tsan`). */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archase/archase.h"
#include "support/testutil.h"

#define THREADS 8
#define INVOICES_PER_ROUND 3

/* Rounds per thread: 12, or 4 under valgrind, which runs one thread at a
 * time and makes every writer wait for the others' busy handlers. */
static int rounds(void) {
    return test_under_valgrind() ? 4 : 12;
}

static const char key_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";

static const char approvals_text[] =
    TEST_POLICY_OWNER_ALERT_APPROVALS
    "  roles: [finance_lead, controller]\n"
    "  expiry_days: 5\n";

typedef struct shared {
    char                 dir[64];
    archase_policy      *chase;     /* read by every thread */
    archase_policy      *approvals; /* read by every thread */
    archase_signer       signer;    /* used by every thread */
    archase_signing_key *key;
    archase_snapshot    *snap;      /* evaluated by every thread */
    archase_decisions   *ds;        /* read by every thread */
    archase_date         as_of;
    uint8_t              expected[32];
} shared;

typedef struct worker {
    pthread_t   thread;
    shared     *s;
    int         index;
    int         mode; /* 0 own file, 1 shared file, 2 memory, 3 evaluate the shared snapshot,
                        4 read the shared result */
    char        message[256];
    const char *first_key, *last_key; /* mode 4: what the reads of the shared result gave */
    size_t      named;                /* mode 4: decisions named by the assessments */
    uint8_t     hash[32];
} worker;

static archase_instant fixed_now(void *userdata) {
    (void)userdata;
    return 1790812800;
}
static const archase_clock fixed_clock = { ARCHASE_CLOCK_VERSION, NULL, fixed_now };

static archase_money eur(int64_t minor) {
    archase_money m = { minor, "EUR" };
    return m;
}

#define CHECK(w, call)                                                                           \
    do {                                                                                         \
        int rc_ = (call);                                                                        \
        if (rc_) {                                                                               \
            snprintf((w)->message, sizeof (w)->message, "%s:%d: %s: %s", __FILE__, __LINE__,     \
                     archase_error_name(rc_), eng ? archase_engine_errmsg(eng) : "");             \
            goto done;                                                                           \
        }                                                                                        \
    } while (0)

/* One round: a customer and its invoices in a batch, retried while another
 * writer holds the file. */
static int put_round(archase_engine *eng, int thread, int round) {
    for (;;) {
        char cid[32];
        snprintf(cid, sizeof cid, "T%d-C%02d", thread, round);
        archase_batch *b = NULL;
        int rc = archase_batch_begin(eng, NULL, "thread", &b);
        archase_customer c = ARCHASE_CUSTOMER_INIT;
        c.id = cid;
        c.name = cid;
        c.owner = "olga";
        if (!rc)
            rc = archase_batch_add_customer(b, &c, 1);
        for (int i = 0; i < INVOICES_PER_ROUND && !rc; i++) {
            char iid[40];
            snprintf(iid, sizeof iid, "%s-I%d", cid, i);
            archase_invoice inv = ARCHASE_INVOICE_INIT;
            inv.id = iid;
            inv.customer_id = cid;
            inv.issue_date = 20454;
            inv.due_date = 20484 + i * 10;
            inv.amount = eur(10000 + i);
            rc = archase_batch_add_invoice(b, &inv, (uint32_t)i + 2);
        }
        if (!rc)
            rc = archase_batch_commit(b, NULL);
        archase_batch_free(b);
        if (rc != ARCHASE_EBUSY)
            return rc;
    }
}

static void *engine_worker(void *arg) {
    worker *w = arg;
    archase_engine *eng = NULL;
    archase_snapshot *snap = NULL;
    archase_decisions *ds = NULL;
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    o.clock = &fixed_clock;
    char actor[16];
    snprintf(actor, sizeof actor, "worker%d", w->index);
    o.actor = actor;
    char path[128], err[256];
    archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
    so.busy_timeout_ms = 30000;
    if (w->mode == 0) {
        snprintf(path, sizeof path, "%s/own-%d.db", w->s->dir, w->index);
        CHECK(w, archase_open_sqlite(path, &so, &o, &eng, err, sizeof err));
    } else if (w->mode == 1) {
        snprintf(path, sizeof path, "%s/shared.db", w->s->dir);
        CHECK(w, archase_open_sqlite(path, &so, &o, &eng, err, sizeof err));
    } else {
        CHECK(w, archase_open_memory(&o, &eng));
    }
    for (int r = 0; r < rounds(); r++) {
        CHECK(w, put_round(eng, w->index, r));
        if (r % 4 == 3) {
            /* A payment, an approval raised and decided, a signed checkpoint,
             * an evaluation: the rest of the writing and reading API. */
            char cid[32], iid[40], pid[48];
            snprintf(cid, sizeof cid, "T%d-C%02d", w->index, r);
            snprintf(iid, sizeof iid, "%s-I0", cid);
            snprintf(pid, sizeof pid, "%s-P", cid);
            archase_payment p = ARCHASE_PAYMENT_INIT;
            p.id = pid;
            p.customer_id = cid;
            p.invoice_id = iid;
            p.date = 20500;
            p.amount = eur(400);
            int rc;
            while ((rc = archase_payment_put(eng, &p, NULL)) == ARCHASE_EBUSY) {
            }
            CHECK(w, rc);
            const char *const invoices[] = { iid };
            archase_approval_request req = ARCHASE_APPROVAL_REQUEST_INIT;
            req.action = ARCHASE_ACTION_WRITE_OFF;
            req.customer_id = cid;
            req.invoice_ids = invoices;
            req.invoice_count = 1;
            req.amount = eur(500);
            req.requester = "anna";
            req.justification = "customer insolvent, the administrator confirmed no dividend";
            req.customer_impact = "account closed; no further dunning";
            char id[ARCHASE_APPROVAL_ID_MAX];
            while ((rc = archase_approval_raise(eng, w->s->approvals, &req, id, NULL)) == ARCHASE_EBUSY) {
            }
            CHECK(w, rc);
            archase_approval_vote v = ARCHASE_APPROVAL_VOTE_INIT;
            v.actor = "bert";
            v.role = "finance_lead";
            v.reason = "checked the notice";
            while ((rc = archase_approval_approve(eng, id, &v, NULL)) == ARCHASE_EBUSY) {
            }
            CHECK(w, rc);
            while ((rc = archase_audit_checkpoint(eng, &w->s->signer, NULL)) == ARCHASE_EBUSY) {
            }
            CHECK(w, rc);
            archase_snapshot_options sopt = ARCHASE_SNAPSHOT_OPTIONS_INIT;
            sopt.policy = w->s->chase;
            CHECK(w, archase_snapshot_load(eng, w->s->as_of, &sopt, &snap));
            CHECK(w, archase_evaluate(snap, w->s->chase, w->s->as_of, NULL, &ds));
            archase_decisions_free(ds);
            ds = NULL;
            archase_snapshot_free(snap);
            snap = NULL;
        }
    }
    archase_audit_report report;
    CHECK(w, archase_audit_verify(eng, NULL, &report));
done:
    archase_decisions_free(ds);
    archase_snapshot_free(snap);
    archase_engine_free(eng);
    return NULL;
}

static void *evaluate_worker(void *arg) {
    worker *w = arg;
    archase_engine *eng = NULL; /* for CHECK's message */
    archase_decisions *ds = NULL;
    for (int i = 0; i < 5; i++) {
        CHECK(w, archase_evaluate(w->s->snap, w->s->chase, w->s->as_of, NULL, &ds));
        uint8_t h[32];
        CHECK(w, archase_decisions_hash(ds, h));
        archase_decisions_free(ds);
        ds = NULL;
        if (i && memcmp(h, w->hash, 32)) {
            snprintf(w->message, sizeof w->message, "evaluation %d gave other bytes", i);
            goto done;
        }
        memcpy(w->hash, h, 32);
    }
done:
    archase_decisions_free(ds);
    return NULL;
}

static void *read_worker(void *arg) {
    worker *w = arg;
    archase_engine *eng = NULL; /* for CHECK's message */
    size_t n = archase_decisions_count(w->s->ds);
    for (size_t k = 0; k < n; k++) {
        size_t i = w->index % 2 ? n - 1 - k : k; /* threads start at both ends */
        archase_decision d = ARCHASE_DECISION_INIT;
        CHECK(w, archase_decision_get(w->s->ds, i, &d));
        if (i == 0)
            w->first_key = d.key;
        if (i == n - 1)
            w->last_key = d.key;
    }
    for (size_t i = 0; i < archase_assessment_count(w->s->ds); i++) {
        archase_invoice_assessment a = ARCHASE_INVOICE_ASSESSMENT_INIT;
        CHECK(w, archase_assessment_get(w->s->ds, i, &a));
        w->named += a.decision_count;
    }
done:
    return NULL;
}

static int setup(void **state) {
    shared *s = calloc(1, sizeof *s);
    assert_non_null(s);
    snprintf(s->dir, sizeof s->dir, "/tmp/archase-threads-XXXXXX");
    assert_non_null(mkdtemp(s->dir));
    const char *root = getenv("ARCHASE_SOURCE_ROOT");
    char path[2048];
    snprintf(path, sizeof path, "%s/examples/policies/enterprise-formal.yaml", root ? root : ".");
    assert_int_equal(archase_policy_load_file(path, NULL, &s->chase, NULL), 0);
    assert_int_equal(archase_policy_load_buffer(approvals_text, strlen(approvals_text), "a.yaml", NULL,
                                                &s->approvals, NULL),
                     0);
    assert_int_equal(archase_signing_key_from_pem(key_pem, strlen(key_pem), NULL, &s->key), 0);
    assert_int_equal(archase_signing_key_signer(s->key, &s->signer), 0);
    assert_int_equal(archase_date_parse("2026-04-15", &s->as_of), 0);
    *state = s;
    return 0;
}

static void remove_dir(const char *dir) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static int teardown(void **state) {
    shared *s = *state;
    archase_snapshot_free(s->snap);
    archase_policy_free(s->chase);
    archase_policy_free(s->approvals);
    archase_signing_key_free(s->key);
    remove_dir(s->dir);
    free(s);
    return 0;
}

static void run_workers(shared *s, int mode, void *(*fn)(void *), worker *w) {
    for (int i = 0; i < THREADS; i++) {
        w[i].s = s;
        w[i].index = i;
        w[i].mode = mode;
        w[i].message[0] = 0;
        assert_int_equal(pthread_create(&w[i].thread, NULL, fn, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(w[i].thread, NULL), 0);
    for (int i = 0; i < THREADS; i++)
        if (w[i].message[0])
            fail_msg("thread %d: %s", i, w[i].message);
}

static long long count_rows(const char *path, const char *sql) {
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void engines_on_their_own_files_run_at_once(void **state) {
    shared *s = *state;
    if (test_under_valgrind())
        skip(); /* minutes of fsync and busy waits one thread at a time; TSan and the plain run cover it */
    worker w[THREADS];
    memset(w, 0, sizeof w);
    run_workers(s, 0, engine_worker, w);
    for (int i = 0; i < THREADS; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/own-%d.db", s->dir, i);
        assert_int_equal(count_rows(path, "SELECT count(*) FROM invoices"), rounds() * INVOICES_PER_ROUND);
    }
}

static void memory_engines_run_at_once(void **state) {
    shared *s = *state;
    worker w[THREADS];
    memset(w, 0, sizeof w);
    run_workers(s, 2, engine_worker, w);
}

static void engines_on_one_shared_file_each_write_exactly_once(void **state) {
    shared *s = *state;
    if (test_under_valgrind())
        skip(); /* as above */
    worker w[THREADS];
    memset(w, 0, sizeof w);
    run_workers(s, 1, engine_worker, w);
    char path[128];
    snprintf(path, sizeof path, "%s/shared.db", s->dir);
    assert_int_equal(count_rows(path, "SELECT count(*) FROM customers"), THREADS * rounds());
    assert_int_equal(count_rows(path, "SELECT count(*) FROM invoices"), THREADS * rounds() * INVOICES_PER_ROUND);
    assert_int_equal(count_rows(path, "SELECT count(*) FROM payments"), THREADS * (rounds() / 4));
    /* The log has no gap and no duplicate index, and verifies as one chain. */
    long long records = count_rows(path, "SELECT count(*) FROM audit_log");
    assert_int_equal(count_rows(path, "SELECT max(idx) + 1 FROM audit_log"), records);
    archase_engine *eng = NULL;
    char err[256];
    assert_int_equal(archase_open_sqlite(path, NULL, NULL, &eng, err, sizeof err), 0);
    archase_audit_report report;
    int rc = archase_audit_verify(eng, NULL, &report);
    if (rc)
        fail_msg("the shared log: %s", report.message);
    assert_int_equal(report.size, (uint64_t)records);
    assert_int_equal(report.checkpoints, THREADS * (rounds() / 4));
    archase_engine_free(eng);
}

static void one_snapshot_and_policy_evaluated_by_every_thread_give_the_same_bytes(void **state) {
    shared *s = *state;
    archase_engine *eng = NULL;
    assert_int_equal(archase_open_memory(NULL, &eng), 0);
    for (int r = 0; r < 30; r++)
        assert_int_equal(put_round(eng, 0, r), 0);
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = s->chase;
    assert_int_equal(archase_snapshot_load(eng, s->as_of, &so, &s->snap), 0);
    archase_decisions *ds = NULL;
    assert_int_equal(archase_evaluate(s->snap, s->chase, s->as_of, NULL, &ds), 0);
    assert_true(archase_decisions_count(ds) > 0);
    assert_int_equal(archase_decisions_hash(ds, s->expected), 0);
    archase_decisions_free(ds);
    worker w[THREADS];
    memset(w, 0, sizeof w);
    run_workers(s, 3, evaluate_worker, w);
    archase_snapshot_free(s->snap);
    s->snap = NULL;
    archase_engine_free(eng);
    for (int i = 0; i < THREADS; i++)
        assert_memory_equal(w[i].hash, s->expected, 32);
}

static void one_result_read_by_every_thread_gives_the_same_keys_and_index(void **state) {
    shared *s = *state;
    archase_engine *eng = NULL;
    assert_int_equal(archase_open_memory(NULL, &eng), 0);
    for (int r = 0; r < 30; r++)
        assert_int_equal(put_round(eng, 0, r), 0);
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = s->chase;
    assert_int_equal(archase_snapshot_load(eng, s->as_of, &so, &s->snap), 0);
    assert_int_equal(archase_evaluate(s->snap, s->chase, s->as_of, NULL, &s->ds), 0);
    size_t n = archase_decisions_count(s->ds);
    assert_true(n > 1);
    worker w[THREADS];
    memset(w, 0, sizeof w);
    run_workers(s, 4, read_worker, w); /* the keys are built by whichever read comes first */
    archase_decision first = ARCHASE_DECISION_INIT, last = ARCHASE_DECISION_INIT;
    assert_int_equal(archase_decision_get(s->ds, 0, &first), 0);
    assert_int_equal(archase_decision_get(s->ds, n - 1, &last), 0);
    assert_string_not_equal(first.key, last.key);
    for (int i = 0; i < THREADS; i++) {
        assert_ptr_equal(w[i].first_key, first.key);
        assert_ptr_equal(w[i].last_key, last.key);
        assert_true(w[i].named >= n); /* every decision names an invoice */
        assert_int_equal(w[i].named, w[0].named);
    }
    archase_decisions_free(s->ds);
    s->ds = NULL;
    archase_snapshot_free(s->snap);
    s->snap = NULL;
    archase_engine_free(eng);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(engines_on_their_own_files_run_at_once, setup, teardown),
    cmocka_unit_test_setup_teardown(memory_engines_run_at_once, setup, teardown),
    cmocka_unit_test_setup_teardown(engines_on_one_shared_file_each_write_exactly_once, setup, teardown),
    cmocka_unit_test_setup_teardown(one_snapshot_and_policy_evaluated_by_every_thread_give_the_same_bytes, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(one_result_read_by_every_thread_gives_the_same_keys_and_index, setup, teardown),
};

AR_TEST_MAIN(tests)
