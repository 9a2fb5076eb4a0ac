/* tests/test_faults.c — storage faults at every call site of the APIs that
 * write. A SQLite VFS shim (support/faultvfs.h) under the store fails the Nth
 * read, write, sync or lock with SQLITE_FULL, SQLITE_IOERR, SQLITE_BUSY or
 * SQLITE_CORRUPT — the Nth only, or the Nth and every later one — for every N
 * until the operation runs out of calls to fail. After each failure:
 *
 *  - the call returned ARCHASE_ESTORAGE or ARCHASE_EBUSY (or 0, when SQLite
 *    recovered by itself);
 *  - the store, read by another connection and hashed table by table, is
 *    exactly as it was before the call or exactly as a run without faults
 *    leaves it: never half;
 *  - the same engine handle still works: its audit log verifies, the call
 *    retried succeeds and leaves the store as a run without faults does, and a
 *    new fact is accepted after it.
 *
 * The same loop runs over the faultstore wrapper (a failing storage call
 * rather than a failing file), and the clock is made to jump backwards and
 * forwards between writes. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archase/archase.h"
#include "engine/apply.h"
#include "support/faultstore.h"
#include "support/faultvfs.h"
#include "support/testutil.h"

#define NOW 1790812800 /* 2026-10-01T00:00:00Z */

static const char approval_policy_text[] =
    TEST_POLICY_OWNER_ALERT_APPROVALS
    "  roles: [finance_lead, controller]\n"
    "  expiry_days: 5\n";

/* RFC 8032 §7.1, TEST 1. */
static const char key_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";

typedef struct world {
    char                 dir[64];
    char                 base[128]; /* the store every run starts from */
    char                 path[128]; /* the store of the current run */
    archase_instant      now;
    archase_clock        clock;
    archase_engine      *eng;
    archase_policy      *approvals; /* approval rules */
    archase_policy      *chase;     /* a sequence with messages, for the cadence */
    archase_signing_key *key;
    char                 pending_id[ARCHASE_APPROVAL_ID_MAX]; /* a request in the base store */
    archase_snapshot    *snap;
    archase_decisions   *ds;
    uint8_t              before[32]; /* the base store's hash */
    int                  probe;      /* numbers the facts that show the engine still works */
} world;

static archase_instant world_now(void *userdata) {
    return *(archase_instant *)userdata;
}

static void store_hash(const char *path, uint8_t out[32]) {
    char err[256];
    if (faultvfs_store_hash(path, out, err, sizeof err))
        fail_msg("hashing %s: %s", path, err);
}

/* ---- the base store ------------------------------------------------------- */

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

static int open_store(world *w, const char *path, const archase_storage *wrapped) {
    w->now = NOW;
    w->clock = (archase_clock){ ARCHASE_CLOCK_VERSION, &w->now, world_now };
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    o.clock = &w->clock;
    o.actor = "cycle";
    if (wrapped)
        return archase_engine_open(wrapped, &o, &w->eng);
    archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
    so.busy_timeout_ms = 20; /* an injected SQLITE_BUSY is not worth five seconds */
    char err[256];
    int rc = archase_open_sqlite(path, &so, &o, &w->eng, err, sizeof err);
    if (rc)
        print_message("# open %s: %s\n", path, err);
    return rc;
}

static archase_money eur(int64_t minor) {
    archase_money m = { minor, "EUR" };
    return m;
}

static const char *const i1[] = { "I1" };
static const char *const j1[] = { "J1" };

static archase_approval_request write_off(const char *customer, const char *const *invoice, int64_t minor) {
    archase_approval_request r = ARCHASE_APPROVAL_REQUEST_INIT;
    r.action = ARCHASE_ACTION_WRITE_OFF;
    r.customer_id = customer;
    r.invoice_ids = invoice;
    r.invoice_count = 1;
    r.amount = eur(minor);
    r.requester = "anna";
    r.requester_role = "collector";
    r.justification = "customer insolvent, the administrator confirmed no dividend";
    r.customer_impact = "account closed; no further dunning";
    return r;
}

static void build_base(world *w) {
    assert_int_equal(open_store(w, w->base, NULL), 0);
    const char *customers[] = { "C1", "C2" };
    for (int i = 0; i < 2; i++) {
        archase_customer c = ARCHASE_CUSTOMER_INIT;
        c.id = customers[i];
        c.name = i ? "Globex" : "ACME";
        c.owner = "olga";
        c.collector = "bob";
        c.timezone = "Europe/Berlin";
        assert_int_equal(archase_customer_put(w->eng, &c, NULL), 0);
        archase_contact k = ARCHASE_CONTACT_INIT;
        char kid[16];
        snprintf(kid, sizeof kid, "%s-mail", customers[i]);
        k.id = kid;
        k.customer_id = customers[i];
        k.channel = ARCHASE_CHANNEL_EMAIL;
        k.address = "ap@example.com";
        k.consent = 1;
        k.primary = 1;
        assert_int_equal(archase_contact_put(w->eng, &k, NULL), 0);
    }
    const char *ids[] = { "I1", "I2", "J1" };
    const char *owners[] = { "C1", "C1", "C2" };
    int64_t amounts[] = { 150000, 30000, 9000 };
    for (int i = 0; i < 3; i++) {
        archase_invoice inv = ARCHASE_INVOICE_INIT;
        inv.id = ids[i];
        inv.customer_id = owners[i];
        inv.number = ids[i];
        inv.issue_date = 20454;      /* 2026-01-01 */
        inv.due_date = 20484 + i * 20; /* from 2026-01-31 */
        inv.amount = eur(amounts[i]);
        assert_int_equal(archase_invoice_put(w->eng, &inv, NULL), 0);
    }
    archase_approval_request r = write_off("C1", i1, 150000);
    int rc = archase_approval_raise(w->eng, w->approvals, &r, w->pending_id, NULL);
    if (rc)
        fail_msg("raise: %s", archase_engine_errmsg(w->eng));
    archase_engine_free(w->eng);
    w->eng = NULL;
    store_hash(w->base, w->before);
}

static int setup(void **state) {
    world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    snprintf(w->dir, sizeof w->dir, "/tmp/archase-faults-XXXXXX");
    assert_non_null(mkdtemp(w->dir));
    snprintf(w->base, sizeof w->base, "%s/base.db", w->dir);
    snprintf(w->path, sizeof w->path, "%s/run.db", w->dir);
    assert_int_equal(archase_policy_load_buffer(approval_policy_text, strlen(approval_policy_text),
                                                "approvals.yaml", NULL, &w->approvals, NULL),
                     0);
    const char *root = getenv("ARCHASE_SOURCE_ROOT");
    char path[2048];
    snprintf(path, sizeof path, "%s/examples/policies/smb-friendly.yaml", root ? root : ".");
    assert_int_equal(archase_policy_load_file(path, NULL, &w->chase, NULL), 0);
    assert_int_equal(archase_signing_key_from_pem(key_pem, strlen(key_pem), NULL, &w->key), 0);
    assert_int_equal(faultvfs_install(), SQLITE_OK);
    faultvfs_skip_fsync(1);
    build_base(w);
    *state = w;
    return 0;
}

static int teardown(void **state) {
    world *w = *state;
    faultvfs_disarm();
    faultvfs_skip_fsync(0);
    faultvfs_uninstall();
    remove_store(w->base);
    remove_store(w->path);
    rmdir(w->dir);
    archase_policy_free(w->approvals);
    archase_policy_free(w->chase);
    archase_signing_key_free(w->key);
    free(w);
    return 0;
}

/* ---- the operations ---------------------------------------------------------- */

typedef struct op {
    const char *name;
    int (*prepare)(world *w); /* before faults are armed; may be NULL */
    int (*run)(world *w);     /* the one call under test */
    void (*finish)(world *w); /* may be NULL */
} op;

static int op_customer(world *w) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME Holdings";
    c.revision = 2;
    c.owner = "olga";
    return archase_customer_put(w->eng, &c, NULL);
}

static int op_invoice(world *w) {
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = "I9";
    inv.customer_id = "C2";
    inv.issue_date = 20500;
    inv.due_date = 20530;
    inv.amount = eur(77700);
    return archase_invoice_put(w->eng, &inv, NULL);
}

static int op_payment(world *w) {
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = "P1";
    p.customer_id = "C1";
    p.invoice_id = "I2";
    p.date = 20600;
    p.amount = eur(30000); /* settles I2 */
    return archase_payment_put(w->eng, &p, NULL);
}

static int op_unapplied(world *w) {
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = "P2";
    p.customer_id = "C2";
    p.date = 20600;
    p.amount = eur(1234); /* unapplied cash: a reconciliation item too */
    return archase_payment_put(w->eng, &p, NULL);
}

static int op_promise(world *w) {
    archase_promise p = ARCHASE_PROMISE_INIT;
    p.id = "PTP1";
    p.customer_id = "C1";
    p.invoice_ids = i1;
    p.invoice_count = 1;
    p.amount = eur(100000);
    p.promised_date = 20640;
    p.recorded_on = 20600;
    return archase_promise_put(w->eng, &p, NULL);
}

static int op_dispute(world *w) {
    archase_dispute d = ARCHASE_DISPUTE_INIT;
    d.id = "D1";
    d.customer_id = "C2";
    d.invoice_ids = j1;
    d.invoice_count = 1;
    d.amount = eur(4000);
    d.reason_code = "pricing";
    d.opened_on = 20600;
    return archase_dispute_put(w->eng, &d, NULL);
}

static int op_flags(world *w) {
    archase_customer_flags f = ARCHASE_CUSTOMER_FLAGS_INIT;
    f.customer_id = "C2";
    f.hold = 1;
    f.reason = "restructuring";
    return archase_customer_flags_put(w->eng, &f, NULL);
}

static const char import_csv[] =
    "invoice_id,customer_id,number,issue_date,due_date,amount,currency,po_ref,source_link,revision\n"
    "K01,C1,2026-1001,2026-05-01,2026-05-31,100.00,EUR,,,0\n"
    "K02,C1,2026-1002,2026-05-02,2026-06-01,200.00,EUR,,,0\n"
    "K03,C2,2026-1003,2026-05-03,2026-06-02,300.00,EUR,PO-3,,0\n"
    "K04,C2,2026-1004,2026-05-04,2026-06-03,400.00,EUR,,,0\n"
    "K05,C1,2026-1005,2026-05-05,2026-06-04,500.00,EUR,,,0\n"
    "K06,C1,2026-1006,2026-05-06,2026-06-05,600.00,EUR,,,0\n"
    "K07,C2,2026-1007,2026-05-07,2026-06-06,700.00,EUR,,,0\n"
    "K08,C2,2026-1008,2026-05-08,2026-06-07,800.00,EUR,,,0\n"
    "I1,C1,I1,2026-01-01,2026-01-31,1500.00,EUR,,,1\n";

static int op_import(world *w) {
    archase_import_options o = ARCHASE_IMPORT_OPTIONS_INIT;
    o.kind = ARCHASE_KIND_INVOICES;
    return archase_import_buffer(w->eng, &o, import_csv, sizeof import_csv - 1, NULL, NULL);
}

static int op_batch(world *w) {
    archase_batch *b = NULL;
    int rc = archase_batch_begin(w->eng, NULL, "faults", &b);
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C3";
    c.name = "Initech";
    if (!rc)
        rc = archase_batch_add_customer(b, &c, 1);
    for (int i = 0; i < 4 && !rc; i++) {
        char id[8];
        snprintf(id, sizeof id, "L%d", i);
        archase_invoice inv = ARCHASE_INVOICE_INIT;
        inv.id = id;
        inv.customer_id = "C3";
        inv.issue_date = 20500;
        inv.due_date = 20530;
        inv.amount = eur(1000 * (i + 1));
        rc = archase_batch_add_invoice(b, &inv, (uint32_t)i + 2);
    }
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = "P3";
    p.customer_id = "C3";
    p.invoice_id = "L1";
    p.date = 20560;
    p.amount = eur(500);
    if (!rc)
        rc = archase_batch_add_payment(b, &p, 9);
    if (!rc)
        rc = archase_batch_commit(b, NULL);
    archase_batch_free(b);
    return rc;
}

static int op_raise(world *w) {
    archase_approval_request r = write_off("C2", j1, 9000);
    char id[ARCHASE_APPROVAL_ID_MAX];
    return archase_approval_raise(w->eng, w->approvals, &r, id, NULL);
}

static int vote(world *w, int approve) {
    archase_approval_vote v = ARCHASE_APPROVAL_VOTE_INIT;
    v.actor = approve ? "bert" : "carl";
    v.role = approve ? "finance_lead" : "controller";
    v.reason = approve ? "checked the insolvency notice" : "wait for the administrator's letter";
    return approve ? archase_approval_approve(w->eng, w->pending_id, &v, NULL)
                   : archase_approval_reject(w->eng, w->pending_id, &v, NULL);
}

static int op_approve(world *w) {
    return vote(w, 1);
}

static int op_reject(world *w) {
    return vote(w, 0);
}

static int op_expire(world *w) {
    w->now = NOW + 30 * 86400; /* past the request's expiry */
    return archase_approvals_expire(w->eng, NULL);
}

static int op_checkpoint(world *w) {
    archase_signer s;
    int rc = archase_signing_key_signer(w->key, &s);
    return rc ? rc : archase_audit_checkpoint(w->eng, &s, NULL);
}

static int prepare_cadence(world *w) {
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = w->chase;
    archase_date as_of = 20560; /* 2026-04-17: every invoice is overdue */
    int rc = archase_snapshot_load(w->eng, as_of, &so, &w->snap);
    if (!rc)
        rc = archase_evaluate(w->snap, w->chase, as_of, NULL, &w->ds);
    if (!rc && archase_cadence_update_count(w->ds) == 0)
        fail_msg("the evaluation moves no cadence: the operation would test nothing");
    return rc;
}

static int op_cadence(world *w) {
    return ar_apply_cadence(w->eng, w->ds);
}

static void finish_cadence(world *w) {
    archase_decisions_free(w->ds);
    archase_snapshot_free(w->snap);
    w->ds = NULL;
    w->snap = NULL;
}

static const op ops[] = {
    { "customer_put", NULL, op_customer, NULL },
    { "invoice_put", NULL, op_invoice, NULL },
    { "payment_put (settles)", NULL, op_payment, NULL },
    { "payment_put (unapplied cash)", NULL, op_unapplied, NULL },
    { "promise_put", NULL, op_promise, NULL },
    { "dispute_put", NULL, op_dispute, NULL },
    { "customer_flags_put", NULL, op_flags, NULL },
    { "import_buffer", NULL, op_import, NULL },
    { "batch_commit", NULL, op_batch, NULL },
    { "approval_raise", NULL, op_raise, NULL },
    { "approval_approve", NULL, op_approve, NULL },
    { "approval_reject", NULL, op_reject, NULL },
    { "approvals_expire", NULL, op_expire, NULL },
    { "audit_checkpoint", NULL, op_checkpoint, NULL },
    { "cadence apply", prepare_cadence, op_cadence, finish_cadence },
};
#define OP_COUNT (sizeof ops / sizeof ops[0])

/* ---- the loop ------------------------------------------------------------------ */

typedef struct fault {
    const char *name;
    unsigned    kinds;
    int         error;
    int         persistent;
} fault;

static const fault faults[] = {
    { "disk full on the Nth write", FAULTVFS_WRITE, SQLITE_FULL, 0 },
    { "disk full from the Nth write on", FAULTVFS_WRITE, SQLITE_FULL, 1 },
    { "I/O error on the Nth write", FAULTVFS_WRITE, SQLITE_IOERR_WRITE, 0 },
    { "I/O error on the Nth sync", FAULTVFS_SYNC, SQLITE_IOERR_FSYNC, 0 },
    { "I/O error from the Nth sync on", FAULTVFS_SYNC, SQLITE_IOERR_FSYNC, 1 },
    { "I/O error on the Nth read", FAULTVFS_READ, SQLITE_IOERR_READ, 0 },
    { "I/O error from the Nth read on", FAULTVFS_READ, SQLITE_IOERR_READ, 1 },
    { "corruption on the Nth read", FAULTVFS_READ, SQLITE_CORRUPT, 0 },
    { "busy on the Nth lock", FAULTVFS_LOCK | FAULTVFS_SHMLOCK, SQLITE_BUSY, 0 },
    { "busy from the Nth file lock on", FAULTVFS_LOCK, SQLITE_BUSY, 1 },
};
#define FAULT_COUNT (sizeof faults / sizeof faults[0])

static void fresh_copy(world *w) {
    remove_store(w->path);
    copy_file(w->base, w->path);
}

static void audit_verifies(world *w, const char *when) {
    archase_audit_report report;
    int rc = archase_audit_verify(w->eng, NULL, &report);
    if (rc)
        fail_msg("%s: the audit log does not verify: %s (%s)", when, archase_error_name(rc),
                 rc == ARCHASE_EVERIFY ? report.message : archase_engine_errmsg(w->eng));
}

/* A new fact after the failure: the engine still writes. */
static void still_writes(world *w, const char *when) {
    char id[32];
    snprintf(id, sizeof id, "N%d", ++w->probe);
    archase_note n = ARCHASE_NOTE_INIT;
    n.id = id;
    n.customer_id = "C1";
    n.text = "called, left a message";
    n.at = w->now;
    int rc = archase_note_put(w->eng, &n, NULL);
    if (rc)
        fail_msg("%s: a new fact after the failure: %s: %s", when, archase_error_name(rc),
                 archase_engine_errmsg(w->eng));
    audit_verifies(w, when);
}

/* The store after `o` ran without faults. */
static void reference_after(world *w, const op *o, uint8_t after[32]) {
    fresh_copy(w);
    assert_int_equal(open_store(w, w->path, NULL), 0);
    int rc = o->prepare ? o->prepare(w) : 0;
    if (!rc)
        rc = o->run(w);
    if (rc)
        fail_msg("%s without faults: %s: %s", o->name, archase_error_name(rc), archase_engine_errmsg(w->eng));
    if (o->finish)
        o->finish(w);
    store_hash(w->path, after);
    if (!memcmp(after, w->before, 32))
        fail_msg("%s changes nothing: the loop would test nothing", o->name);
    audit_verifies(w, o->name);
    archase_engine_free(w->eng);
    w->eng = NULL;
}

typedef struct tally {
    size_t runs, failed_calls, unchanged, committed, recovered;
} tally;

/* Under valgrind every run is slow: every seventh N there (every call site
 * is tried in the plain and the ASan+UBSan runs). */
static size_t n_step(void) {
    return test_under_valgrind() ? 7 : 1;
}

/* One operation under one kind of fault, for N = 1, 2, ... */
static void fault_loop(world *w, const op *o, const fault *f, const uint8_t after[32], tally *t) {
    for (size_t n = 1;; n += n_step()) {
        if (n > 5000)
            fail_msg("%s, %s: still failing at call %zu", o->name, f->name, n);
        char when[200];
        snprintf(when, sizeof when, "%s, %s, N=%zu", o->name, f->name, n);
        fresh_copy(w);
        assert_int_equal(open_store(w, w->path, NULL), 0);
        if (o->prepare)
            assert_int_equal(o->prepare(w), 0);
        faultvfs_arm(f->kinds, n, f->error, f->persistent);
        int rc = o->run(w);
        size_t injected = faultvfs_failures();
        faultvfs_disarm();
        t->runs++;
        uint8_t now[32];
        store_hash(w->path, now);
        int unchanged = !memcmp(now, w->before, 32);
        int committed = !memcmp(now, after, 32);
        if (rc == 0 && !committed)
            fail_msg("%s: returned 0 but the store is not what the call writes", when);
        if (rc != 0) {
            t->failed_calls++;
            if (rc != ARCHASE_ESTORAGE && rc != ARCHASE_EBUSY)
                fail_msg("%s: %s (%s), not a storage error", when, archase_error_name(rc),
                         archase_engine_errmsg(w->eng));
            if (!unchanged && !committed)
                fail_msg("%s: the call failed (%s) and left the store half written", when,
                         archase_engine_errmsg(w->eng));
            if (committed)
                t->committed++;
            else
                t->unchanged++;
        }
        audit_verifies(w, when);
        if (rc != 0 && unchanged) {
            /* The same call again, now that the disk behaves. */
            int again = o->run(w);
            if (again)
                fail_msg("%s: the retry failed: %s: %s", when, archase_error_name(again),
                         archase_engine_errmsg(w->eng));
            store_hash(w->path, now);
            if (memcmp(now, after, 32))
                fail_msg("%s: the retry left a store other than a run without faults", when);
            t->recovered++;
        }
        still_writes(w, when);
        if (o->finish)
            o->finish(w);
        archase_engine_free(w->eng);
        w->eng = NULL;
        if (injected == 0)
            break; /* the call made fewer than N such calls: every site was tried */
    }
}

static void every_write_api_survives_every_storage_fault(void **state) {
    world *w = *state;
    tally t = { 0, 0, 0, 0, 0 };
    for (size_t i = 0; i < OP_COUNT; i++) {
        uint8_t after[32];
        reference_after(w, &ops[i], after);
        tally before = t;
        for (size_t j = 0; j < FAULT_COUNT; j++)
            fault_loop(w, &ops[i], &faults[j], after, &t);
        print_message("# %-30s %5zu runs, %4zu failed calls (%zu left the store unchanged, %zu committed)\n",
                      ops[i].name, t.runs - before.runs, t.failed_calls - before.failed_calls,
                      t.unchanged - before.unchanged, t.committed - before.committed);
    }
    print_message("# %zu runs; %zu calls failed; %zu left the store unchanged and succeeded when retried, "
                  "%zu had committed\n",
                  t.runs, t.failed_calls, t.recovered, t.committed);
    assert_true(t.failed_calls > 0);
}

/* ---- the same over the faultstore wrapper ----------------------------------- */

static void every_write_api_survives_every_failing_storage_call(void **state) {
    world *w = *state;
    size_t runs = 0, failed = 0;
    for (size_t i = 0; i < OP_COUNT; i++) {
        uint8_t after[32];
        reference_after(w, &ops[i], after);
        for (size_t n = 1;; n += n_step()) {
            assert_true(n < 5000);
            fresh_copy(w);
            archase_storage inner, outer;
            char err[256];
            archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
            assert_int_equal(archase_sqlite_storage_open(w->path, &so, NULL, &inner, err, sizeof err), 0);
            faultstore fs;
            faultstore_wrap(&fs, &inner, 0, &outer);
            assert_int_equal(open_store(w, w->path, &outer), 0);
            if (ops[i].prepare)
                assert_int_equal(ops[i].prepare(w), 0);
            fs.calls = 0;
            fs.fail_at = n;
            int rc = ops[i].run(w);
            fs.fail_at = 0;
            runs++;
            char when[160];
            snprintf(when, sizeof when, "%s, storage call %zu fails", ops[i].name, n);
            uint8_t now[32];
            store_hash(w->path, now);
            if (rc) {
                failed++;
                if (memcmp(now, w->before, 32) && memcmp(now, after, 32))
                    fail_msg("%s: the store is half written", when);
                if (rc != ARCHASE_ESTORAGE)
                    fail_msg("%s: %s", when, archase_error_name(rc));
            } else if (memcmp(now, after, 32)) {
                fail_msg("%s: returned 0 but the store differs", when);
            }
            audit_verifies(w, when);
            still_writes(w, when);
            if (ops[i].finish)
                ops[i].finish(w);
            archase_engine_free(w->eng);
            w->eng = NULL;
            if (fs.failures == 0)
                break;
        }
    }
    print_message("# faultstore: %zu runs, %zu failed calls\n", runs, failed);
    assert_true(failed > 0);
}

/* ---- disk full during an import ------------------------------------------- */

static void a_full_disk_during_an_import_keeps_the_previous_data(void **state) {
    world *w = *state;
    fresh_copy(w);
    assert_int_equal(open_store(w, w->path, NULL), 0);
    /* A big file: a thousand invoices, so the import spills pages. */
    size_t cap = 200000, len = 0;
    char *csv = malloc(cap);
    assert_non_null(csv);
    len += (size_t)snprintf(csv + len, cap - len,
                            "invoice_id,customer_id,number,issue_date,due_date,amount,currency,po_ref,"
                            "source_link,revision\n");
    for (int i = 0; i < 1000; i++)
        len += (size_t)snprintf(csv + len, cap - len, "BIG%04d,C%d,B-%d,2026-05-01,2026-05-31,%d.00,EUR,,,0\n",
                                i, 1 + i % 2, i, 100 + i);
    archase_import_options o = ARCHASE_IMPORT_OPTIONS_INIT;
    o.kind = ARCHASE_KIND_INVOICES;
    /* The disk fills up after 20 more pages, and stays full. */
    faultvfs_arm(FAULTVFS_WRITE, 20, SQLITE_FULL, 1);
    int rc = archase_import_buffer(w->eng, &o, csv, len, NULL, NULL);
    size_t injected = faultvfs_failures();
    faultvfs_disarm();
    assert_true(injected > 0);
    assert_int_equal(rc, ARCHASE_ESTORAGE);
    uint8_t now[32];
    store_hash(w->path, now);
    assert_memory_equal(now, w->before, 32);
    audit_verifies(w, "after a full disk");
    /* Space is freed: the same import goes through. */
    archase_batch_summary s = ARCHASE_BATCH_SUMMARY_INIT;
    assert_int_equal(archase_import_buffer(w->eng, &o, csv, len, NULL, &s), 0);
    assert_int_equal(s.inserted, 1000);
    audit_verifies(w, "after the import");
    archase_engine_free(w->eng);
    w->eng = NULL;
    free(csv);
}

/* ---- clock jumps ----------------------------------------------------------- */

static void clock_jumps_backwards_and_forwards_keep_the_log_whole(void **state) {
    world *w = *state;
    fresh_copy(w);
    assert_int_equal(open_store(w, w->path, NULL), 0);
    archase_signer s;
    assert_int_equal(archase_signing_key_signer(w->key, &s), 0);
    /* An hour back, a year forward, a day back, before the epoch of the log... */
    const int64_t jumps[] = { -3600, 365 * 86400, -86400, -400 * 86400, 7 * 86400, 0, -1 };
    for (size_t i = 0; i < sizeof jumps / sizeof jumps[0]; i++) {
        w->now += jumps[i];
        char when[64];
        snprintf(when, sizeof when, "after a jump of %+lld s", (long long)jumps[i]);
        still_writes(w, when);
        assert_int_equal(archase_audit_checkpoint(w->eng, &s, NULL), 0);
        audit_verifies(w, when);
    }
    /* A request raised, the clock jumps back past its creation, then on past
     * its expiry: it stays pending while the clock is behind, and expires
     * only once the expiry has really passed. */
    w->now = NOW;
    char id[ARCHASE_APPROVAL_ID_MAX];
    archase_approval_request r = write_off("C2", j1, 9000);
    assert_int_equal(archase_approval_raise(w->eng, w->approvals, &r, id, NULL), 0);
    w->now = NOW - 10 * 86400;
    uint64_t expired = 99;
    assert_int_equal(archase_approvals_expire(w->eng, &expired), 0);
    assert_int_equal(expired, 0);
    w->now = NOW + 4 * 86400;
    assert_int_equal(archase_approvals_expire(w->eng, &expired), 0);
    assert_int_equal(expired, 0);
    w->now = NOW + 6 * 86400;
    assert_int_equal(archase_approvals_expire(w->eng, &expired), 0);
    assert_true(expired >= 1);
    audit_verifies(w, "after expiry");
    archase_engine_free(w->eng);
    w->eng = NULL;
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(every_write_api_survives_every_storage_fault, setup, teardown),
    cmocka_unit_test_setup_teardown(every_write_api_survives_every_failing_storage_call, setup, teardown),
    cmocka_unit_test_setup_teardown(a_full_disk_during_an_import_keeps_the_previous_data, setup, teardown),
    cmocka_unit_test_setup_teardown(clock_jumps_backwards_and_forwards_keep_the_log_whole, setup, teardown),
};

AR_TEST_MAIN(tests)
