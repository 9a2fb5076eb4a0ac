/* tests/test_powerloss.c — the power goes out. A workload of writing calls
 * (batches, imports, payments, promises, disputes, flags, approvals raised,
 * approved and carried out, signed checkpoints) runs on a SQLite store under
 * the VFS shim (support/faultvfs.h), which notes what every file held at its
 * last sync. At a random write or sync the machine dies; the files are put
 * back as a power cut leaves them — as of their last sync, then none, some or
 * all of the writes made after it — and the store is opened again:
 *
 *  - it opens and PRAGMA integrity_check says ok;
 *  - it holds exactly the state after the last call that returned 0, or after
 *    the call that was running (which may have committed before the cut);
 *  - its audit log verifies;
 *  - running the rest of the workload on it ends in exactly the store a run
 *    without power cuts ends in.
 *
 * Cut points come from a seed (ARCHASE_POWERLOSS_SEED, default 7); the number
 * of cuts is ARCHASE_POWERLOSS_RUNS (default 150, 25 under valgrind; `make soak`
 * runs more). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archase/archase.h"
#include "support/faultvfs.h"
#include "support/testutil.h"

#define NOW 1790812800 /* 2026-10-01T00:00:00Z */

static const char policy_text[] =
    TEST_POLICY_OWNER_ALERT_APPROVALS
    "  roles: [finance_lead, controller]\n"
    "  expiry_days: 5\n";

static const char key_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";

typedef struct world {
    char                 dir[64];
    char                 base[128];
    char                 path[128];
    archase_instant      now;
    archase_clock        clock;
    archase_engine      *eng;
    archase_policy      *policy;
    archase_signing_key *key;
    char                 request[ARCHASE_APPROVAL_ID_MAX];
} world;

static archase_instant world_now(void *userdata) {
    return *(archase_instant *)userdata;
}

static archase_money eur(int64_t minor) {
    archase_money m = { minor, "EUR" };
    return m;
}

static void remove_store(const char *path) {
    const char *suffixes[] = { "", "-wal", "-shm", "-journal" };
    for (size_t i = 0; i < 4; i++) {
        char p[160];
        snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        unlink(p);
    }
}

static void copy_file(const char *from, const char *to) {
    FILE *in = fopen(from, "rb");
    FILE *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

static int open_store(world *w, const char *path) {
    w->clock = (archase_clock){ ARCHASE_CLOCK_VERSION, &w->now, world_now };
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    o.clock = &w->clock;
    o.actor = "cycle";
    char err[256];
    return archase_open_sqlite(path, NULL, &o, &w->eng, err, sizeof err);
}

static void store_hash(const char *path, uint8_t out[32]) {
    char err[256];
    if (faultvfs_store_hash(path, out, err, sizeof err))
        fail_msg("hashing %s: %s", path, err);
}

/* ---- the workload: one writing call per step ----------------------------- */

static int step_customers(world *w) {
    archase_batch *b = NULL;
    int rc = archase_batch_begin(w->eng, NULL, "customers", &b);
    for (int c = 1; c <= 3 && !rc; c++) {
        char id[8];
        snprintf(id, sizeof id, "C%d", c);
        archase_customer cu = ARCHASE_CUSTOMER_INIT;
        cu.id = id;
        cu.name = id;
        cu.owner = "olga";
        rc = archase_batch_add_customer(b, &cu, (uint32_t)c);
    }
    if (!rc)
        rc = archase_batch_commit(b, NULL);
    archase_batch_free(b);
    return rc;
}

static int step_invoices(world *w) {
    archase_batch *b = NULL;
    int rc = archase_batch_begin(w->eng, NULL, "invoices", &b);
    for (int i = 0; i < 12 && !rc; i++) {
        char id[8], cid[8];
        snprintf(id, sizeof id, "I%02d", i);
        snprintf(cid, sizeof cid, "C%d", 1 + i % 3);
        archase_invoice inv = ARCHASE_INVOICE_INIT;
        inv.id = id;
        inv.customer_id = cid;
        inv.issue_date = 20454 + i;
        inv.due_date = 20484 + i;
        inv.amount = eur(10000 + 1000 * i);
        rc = archase_batch_add_invoice(b, &inv, (uint32_t)i + 1);
    }
    if (!rc)
        rc = archase_batch_commit(b, NULL);
    archase_batch_free(b);
    return rc;
}

static const char more_invoices[] =
    "invoice_id,customer_id,number,issue_date,due_date,amount,currency,po_ref,source_link,revision\n"
    "K01,C1,2026-1001,2026-05-01,2026-05-31,100.00,EUR,,,0\n"
    "K02,C2,2026-1002,2026-05-02,2026-06-01,200.00,EUR,,,0\n"
    "K03,C3,2026-1003,2026-05-03,2026-06-02,300.00,EUR,PO-3,,0\n"
    "I00,C1,I00,2026-01-01,2026-01-31,120.00,EUR,,,2\n";

static int step_import(world *w) {
    archase_import_options o = ARCHASE_IMPORT_OPTIONS_INIT;
    o.kind = ARCHASE_KIND_INVOICES;
    return archase_import_buffer(w->eng, &o, more_invoices, sizeof more_invoices - 1, NULL, NULL);
}

static int step_payment(world *w) {
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = "P1";
    p.customer_id = "C2";
    p.invoice_id = "I01";
    p.date = 20600;
    p.amount = eur(5000);
    return archase_payment_put(w->eng, &p, NULL);
}

static int step_settle(world *w) {
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = "P2";
    p.customer_id = "C3";
    p.invoice_id = "I02";
    p.date = 20601;
    p.amount = eur(12000);
    return archase_payment_put(w->eng, &p, NULL);
}

static const char *const promise_invoices[] = { "I03" };
static const char *const dispute_invoices[] = { "I04" };
static const char *const write_off_invoices[] = { "I05" };

static int step_promise(world *w) {
    archase_promise p = ARCHASE_PROMISE_INIT;
    p.id = "PTP1";
    p.customer_id = "C1";
    p.invoice_ids = promise_invoices;
    p.invoice_count = 1;
    p.amount = eur(13000);
    p.promised_date = 20640;
    p.recorded_on = 20600;
    return archase_promise_put(w->eng, &p, NULL);
}

static int step_dispute(world *w) {
    archase_dispute d = ARCHASE_DISPUTE_INIT;
    d.id = "D1";
    d.customer_id = "C2";
    d.invoice_ids = dispute_invoices;
    d.invoice_count = 1;
    d.amount = eur(4000);
    d.reason_code = "pricing";
    d.opened_on = 20600;
    return archase_dispute_put(w->eng, &d, NULL);
}

static int step_flags(world *w) {
    archase_customer_flags f = ARCHASE_CUSTOMER_FLAGS_INIT;
    f.customer_id = "C3";
    f.hold = 1;
    f.reason = "restructuring";
    return archase_customer_flags_put(w->eng, &f, NULL);
}

static int step_raise(world *w) {
    archase_approval_request r = ARCHASE_APPROVAL_REQUEST_INIT;
    r.action = ARCHASE_ACTION_WRITE_OFF;
    r.customer_id = "C3";
    r.invoice_ids = write_off_invoices;
    r.invoice_count = 1;
    r.amount = eur(900);
    r.requester = "anna";
    r.requester_role = "collector";
    r.justification = "customer insolvent, the administrator confirmed no dividend";
    r.customer_impact = "account closed; no further dunning";
    return archase_approval_raise(w->eng, w->policy, &r, w->request, NULL);
}

static int step_approve(world *w) {
    archase_approval_vote v = ARCHASE_APPROVAL_VOTE_INIT;
    v.actor = "bert";
    v.role = "finance_lead";
    v.reason = "checked the insolvency notice";
    return archase_approval_approve(w->eng, w->request, &v, NULL);
}

static int step_dispatch(world *w) {
    return archase_approval_dispatch(w->eng, w->request, "bert", NULL);
}

static int step_checkpoint(world *w) {
    archase_signer s;
    int rc = archase_signing_key_signer(w->key, &s);
    return rc ? rc : archase_audit_checkpoint(w->eng, &s, NULL);
}

static int step_note(world *w) {
    archase_note n = ARCHASE_NOTE_INIT;
    n.id = "N1";
    n.customer_id = "C1";
    n.invoice_id = "I03";
    n.author = "anna";
    n.at = NOW;
    n.text = "promised on the phone";
    return archase_note_put(w->eng, &n, NULL);
}

typedef int (*step_fn)(world *w);
static const step_fn steps[] = {
    step_customers, step_invoices, step_checkpoint, step_import, step_payment, step_promise,
    step_raise,     step_dispute,  step_approve,    step_settle, step_dispatch, step_flags,
    step_note,      step_checkpoint,
};
#define STEPS (sizeof steps / sizeof steps[0])

/* ---- the runs -------------------------------------------------------------------- */

static int setup(void **state) {
    world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    snprintf(w->dir, sizeof w->dir, "/tmp/archase-power-XXXXXX");
    assert_non_null(mkdtemp(w->dir));
    snprintf(w->base, sizeof w->base, "%s/base.db", w->dir);
    snprintf(w->path, sizeof w->path, "%s/run.db", w->dir);
    assert_int_equal(archase_policy_load_buffer(policy_text, strlen(policy_text), "p.yaml", NULL, &w->policy,
                                                NULL),
                     0);
    assert_int_equal(archase_signing_key_from_pem(key_pem, strlen(key_pem), NULL, &w->key), 0);
    assert_int_equal(faultvfs_install(), SQLITE_OK);
    faultvfs_skip_fsync(1);
    /* An empty, migrated store. */
    w->now = NOW;
    assert_int_equal(open_store(w, w->base), 0);
    archase_engine_free(w->eng);
    w->eng = NULL;
    *state = w;
    return 0;
}

static int teardown(void **state) {
    world *w = *state;
    faultvfs_skip_fsync(0);
    faultvfs_uninstall();
    remove_store(w->base);
    remove_store(w->path);
    rmdir(w->dir);
    archase_policy_free(w->policy);
    archase_signing_key_free(w->key);
    free(w);
    return 0;
}

static void fresh_copy(world *w) {
    remove_store(w->path);
    copy_file(w->base, w->path);
}

/* Runs steps [from, STEPS) on the open engine; returns how many returned 0
 * in a row. */
static size_t run_steps(world *w, size_t from, int *last_rc) {
    size_t done = from;
    *last_rc = 0;
    for (size_t i = from; i < STEPS; i++) {
        w->now = NOW + (archase_instant)i * 60;
        int rc = steps[i](w);
        if (rc) {
            *last_rc = rc;
            break;
        }
        done = i + 1;
    }
    return done;
}

static void audit_verifies(world *w, const char *when) {
    archase_audit_report report;
    int rc = archase_audit_verify(w->eng, NULL, &report);
    if (rc)
        fail_msg("%s: the audit log does not verify: %s (%s)", when, archase_error_name(rc),
                 rc == ARCHASE_EVERIFY ? report.message : archase_engine_errmsg(w->eng));
}

static void integrity_ok(const char *path, const char *when) {
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
        fail_msg("%s: integrity_check cannot run: %s", when, sqlite3_errmsg(db));
    const char *verdict = (const char *)sqlite3_column_text(st, 0);
    if (strcmp(verdict, "ok"))
        fail_msg("%s: integrity_check: %s", when, verdict);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static unsigned env_number(const char *name, unsigned fallback) {
    const char *text = getenv(name);
    return text && *text ? (unsigned)strtoul(text, NULL, 10) : fallback;
}

static void a_power_cut_anywhere_leaves_the_last_committed_state(void **state) {
    world *w = *state;
    /* The run without power cuts: the store after every step, and how many
     * writes and syncs it makes. */
    uint8_t after[STEPS + 1][32];
    fresh_copy(w);
    store_hash(w->path, after[0]);
    faultvfs_power_arm(0);
    w->now = NOW;
    assert_int_equal(open_store(w, w->path), 0);
    for (size_t i = 0; i < STEPS; i++) {
        w->now = NOW + (archase_instant)i * 60;
        int rc = steps[i](w);
        if (rc)
            fail_msg("step %zu without power cuts: %s: %s", i, archase_error_name(rc), archase_engine_errmsg(w->eng));
        store_hash(w->path, after[i + 1]);
    }
    size_t ops = faultvfs_power_ops();
    archase_engine_free(w->eng);
    w->eng = NULL;
    assert_int_equal(faultvfs_power_restore(1000), 0);
    assert_true(ops > STEPS);

    /* Under valgrind every cut costs seconds: 25 there, 150 elsewhere. */
    const char *preload = getenv("LD_PRELOAD");
    unsigned runs = env_number("ARCHASE_POWERLOSS_RUNS", preload && strstr(preload, "valgrind") ? 25 : 150);
    uint64_t seed = env_number("ARCHASE_POWERLOSS_SEED", 7);
    print_message("# %zu steps, %zu writes and syncs; %u power cuts from seed %llu\n", (size_t)STEPS, ops, runs,
                  (unsigned long long)seed);
    test_rng rng;
    test_rng_seed(&rng, seed);
    size_t in_flight_committed = 0, kept_unsynced = 0;
    for (unsigned run = 0; run < runs; run++) {
        size_t cut = 1 + (size_t)test_rng_below(&rng, ops);
        unsigned keep = run % 3 == 0 ? 0 : run % 3 == 1 ? 1000 : (unsigned)test_rng_below(&rng, 1001);
        char when[160];
        snprintf(when, sizeof when, "run %u: power cut at write or sync %zu, %u/1000 of the unsynced writes kept", run,
                 cut, keep);
        fresh_copy(w);
        faultvfs_power_arm(cut);
        w->now = NOW;
        size_t acked = 0;
        if (open_store(w, w->path) == 0) {
            int last_rc;
            acked = run_steps(w, 0, &last_rc);
            if (acked < STEPS && !faultvfs_power_lost())
                fail_msg("%s: step %zu failed before the cut: %s", when, acked, archase_error_name(last_rc));
            archase_engine_free(w->eng);
            w->eng = NULL;
        }
        if (!faultvfs_power_lost())
            fail_msg("%s: the workload ended before the cut", when);
        assert_int_equal(faultvfs_power_restore(keep), 0);
        if (keep)
            kept_unsynced++;

        integrity_ok(w->path, when);
        uint8_t now[32];
        store_hash(w->path, now);
        size_t at = 0;
        if (!memcmp(now, after[acked], 32)) {
            at = acked;
        } else if (acked < STEPS && !memcmp(now, after[acked + 1], 32)) {
            at = acked + 1;
            in_flight_committed++;
        } else {
            fail_msg("%s: the store is neither the state after step %zu (the last acknowledged) nor after the "
                     "next one",
                     when, acked);
        }
        /* Restart: the audit log verifies and the rest of the workload ends in
         * the same store as a run without cuts. */
        w->now = NOW;
        if (open_store(w, w->path))
            fail_msg("%s: the store does not open again", when);
        audit_verifies(w, when);
        int last_rc;
        if (run_steps(w, at, &last_rc) != STEPS)
            fail_msg("%s: after the restart a step failed: %s: %s", when, archase_error_name(last_rc),
                     archase_engine_errmsg(w->eng));
        audit_verifies(w, when);
        archase_engine_free(w->eng);
        w->eng = NULL;
        store_hash(w->path, now);
        if (memcmp(now, after[STEPS], 32))
            fail_msg("%s: after the restart the workload ends in another store", when);
    }
    print_message("# %u power cuts: every store opened, checked and verified; %zu had committed the running "
                  "call; %zu kept some unsynced writes\n",
                  runs, in_flight_committed, kept_unsynced);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(a_power_cut_anywhere_leaves_the_last_committed_state, setup, teardown),
};

AR_TEST_MAIN(tests)
