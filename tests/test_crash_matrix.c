/* tests/test_crash_matrix.c — kill -9 anywhere in the daily cycle. A child
 * process runs day after day of: ingest (a batch of the day's payments),
 * approvals given by a person, archase_run_cycle and archase_dispatch through
 * a recording transport that writes every message it accepts to a journal
 * (fsync'd before it says SENT) and answers lookups from it. The child is
 * killed with SIGKILL
 *
 *  - at every passage of the transport's own points (before it writes a
 *    message, after it wrote one but before it answers),
 *  - at every passage of the library's named crash points when the library
 *    was built with -Dcrashpoints=true (cycle.mid_transaction,
 *    cycle.after_commit, dispatch.after_claim, dispatch.after_send),
 *  - at random moments;
 *
 * then a new child runs again from the day that was running (a scheduler's
 * progress file says which) to the end; a day run again does nothing twice. Against a run without crashes:
 *
 *  - 0 lost facts: the ledger's fact tables are the same;
 *  - 0 lost decisions: the same outbox items in the same final states, the
 *    same approval requests;
 *  - 0 messages sent twice: no idempotency key twice in the journal, and
 *    every key the run without crashes sent is there;
 *  - 0 approvals bypassed: every sensitive action the journal holds was
 *    approved by a person;
 *  - the audit log verifies.
 *
 * ARCHASE_CRASH_MATRIX_RUNS (default 100; 50 under ASan, 6 under valgrind)
 * bounds the runs;
 * `make soak` runs more, on a crash-point build, with FULL syncs too. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "archase/archase.h"
#include "archase/cycle.h"
#include "support/testutil.h"

#define CUSTOMERS 10
#define INVOICES 20
#define DAYS 24
#define DAY0 20484 /* 2026-01-31 */

static const char policy_text[] =
    "version: 1\n"
    "currency: {default: EUR}\n"
    "segments: [{name: all, sequence: standard}]\n"
    "sequences:\n"
    "  standard:\n"
    "    roll: none\n"
    "    steps:\n"
    "      - {offset: 1, channel: email, template: overdue}\n"
    "      - {offset: 7, channel: email, template: overdue}\n"
    "      - {offset: 12, action: credit_hold}\n"
    "      - {offset: 16, channel: email, template: overdue}\n"
    "call_queue: {enabled: false}\n"
    "guardrails:\n"
    "  max_touches_per_7_days: 7\n"
    "  min_days_between_touches: 0\n"
    "  quiet_hours: {start: \"20:00\", end: \"08:00\"}\n"
    "  send_window: {start: \"09:00\", end: \"17:00\", days: [mon, tue, wed, thu, fri, sat, sun]}\n"
    "  business_days_only: false\n"
    "  timezone: UTC\n"
    "payment_patterns: {enabled: false}\n"
    "approvals: {materiality: [1000000 EUR], roles: [finance_lead, controller], expiry_days: 30}\n"
    "delivery: {max_attempts: 3, retry_backoff_minutes: 1, digest_weekday: none}\n"
    "templates:\n"
    "  definitions:\n"
    "    overdue:\n"
    "      stage: overdue\n"
    "      tone: firm\n"
    "      email: {en: {subject: \"Invoice {{ invoice.number }} is overdue\",\n"
    "                   body: \"Dear {{ customer.name }}, {{ totals.open_amount | money }} is open. {{ links.pay_now }}\"}}\n";

/* ---- the recording transport ------------------------------------------------------ */

typedef struct journal {
    const char *path;
    const char *crash_at; /* "before_send:N" / "after_send:N" or NULL */
    unsigned    sends;
    int         full;     /* fsync every message (ARCHASE_CRASH_MATRIX_SYNC=full) */
} journal;

static int journal_has(const char *path, const char *key) {
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[ARCHASE_IDEMPOTENCY_KEY_MAX + 4];
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        found = !strcmp(line, key);
    }
    fclose(f);
    return found;
}

static void maybe_crash(journal *j, const char *point) {
    if (!j->crash_at)
        return;
    size_t len = strlen(point);
    if (!strncmp(j->crash_at, point, len) && j->crash_at[len] == ':' &&
        strtoul(j->crash_at + len + 1, NULL, 10) == j->sends)
        kill(getpid(), SIGKILL);
}

static int journal_send(void *ud, const archase_message *m, int *result, char *detail, size_t size) {
    journal *j = ud;
    (void)detail;
    (void)size;
    j->sends++;
    maybe_crash(j, "before_send");
    int fd = open(j->path, O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd < 0)
        return ARCHASE_EIO;
    char line[ARCHASE_IDEMPOTENCY_KEY_MAX + 2];
    int n = snprintf(line, sizeof line, "%s\n", m->idempotency_key);
    /* A kill leaves what write() handed the kernel; fsync matters for power
     * cuts (test_powerloss.c), so only the FULL runs pay for it. */
    int ok = write(fd, line, (size_t)n) == n && (!j->full || fsync(fd) == 0);
    close(fd);
    if (!ok)
        return ARCHASE_EIO;
    maybe_crash(j, "after_send");
    *result = ARCHASE_SEND_SENT;
    return 0;
}

static int journal_lookup(void *ud, const char *key, int *result) {
    journal *j = ud;
    *result = journal_has(j->path, key) ? ARCHASE_LOOKUP_SENT : ARCHASE_LOOKUP_NOT_SENT;
    return 0;
}

/* ---- the child: every day from the first ---------------------------------------- */

static archase_instant clock_now(void *ud) {
    return *(archase_instant *)ud;
}

static archase_money eur(int64_t minor) {
    archase_money m = { minor, "EUR" };
    return m;
}

static int retry_busy(int rc) {
    return rc == ARCHASE_EBUSY;
}

typedef struct pending_list {
    char            ids[64][ARCHASE_APPROVAL_ID_MAX];
    int             n;
    archase_instant now;
} pending_list;

/* Requests raised before today: what the person sees on the day, whether the
 * day runs for the first time or again after a crash. */
static int collect_pending(void *ud, const archase_approval_info *info) {
    pending_list *p = ud;
    if (p->n < 64 && info->created < p->now)
        snprintf(p->ids[p->n++], ARCHASE_APPROVAL_ID_MAX, "%s", info->id);
    return 0;
}

static int seed_ledger(archase_engine *eng) {
    archase_batch *b = NULL;
    int rc = archase_batch_begin(eng, NULL, "ledger", &b);
    for (int c = 0; c < CUSTOMERS && !rc; c++) {
        char id[16], kid[24];
        snprintf(id, sizeof id, "C%02d", c);
        archase_customer cu = ARCHASE_CUSTOMER_INIT;
        cu.id = id;
        cu.name = id;
        cu.owner = "olga";
        cu.timezone = "UTC";
        rc = archase_batch_add_customer(b, &cu, 0);
        snprintf(kid, sizeof kid, "%s-mail", id);
        archase_contact k = ARCHASE_CONTACT_INIT;
        k.id = kid;
        k.customer_id = id;
        k.channel = ARCHASE_CHANNEL_EMAIL;
        k.address = "ap@example.com";
        k.consent = 1;
        k.primary = 1;
        if (!rc)
            rc = archase_batch_add_contact(b, &k, 0);
    }
    for (int i = 0; i < INVOICES && !rc; i++) {
        char id[16], cid[16];
        snprintf(id, sizeof id, "I%02d", i);
        snprintf(cid, sizeof cid, "C%02d", i % CUSTOMERS);
        archase_invoice inv = ARCHASE_INVOICE_INIT;
        inv.id = id;
        inv.customer_id = cid;
        inv.number = id;
        inv.issue_date = DAY0 - 30 - i % 3;
        inv.due_date = DAY0 - i % 3;
        inv.amount = eur(50000 + 1000 * i);
        rc = archase_batch_add_invoice(b, &inv, 0);
    }
    if (!rc)
        rc = archase_batch_commit(b, NULL);
    archase_batch_free(b);
    return rc;
}

/* The day's payments: a few invoices settle on a day fixed by their number. */
static int ingest_day(archase_engine *eng, int day) {
    archase_batch *b = NULL;
    int rc = archase_batch_begin(eng, NULL, "payments", &b);
    for (int i = 0; i < INVOICES && !rc; i++) {
        if (i % 4 != 1 || 3 + (i * 7) % DAYS != day)
            continue;
        char id[16], iid[16], cid[16];
        snprintf(id, sizeof id, "P%02d", i);
        snprintf(iid, sizeof iid, "I%02d", i);
        snprintf(cid, sizeof cid, "C%02d", i % CUSTOMERS);
        archase_payment p = ARCHASE_PAYMENT_INIT;
        p.id = id;
        p.customer_id = cid;
        p.invoice_id = iid;
        p.date = DAY0 + day;
        p.amount = eur(50000 + 1000 * i);
        rc = archase_batch_add_payment(b, &p, 0);
    }
    if (!rc)
        rc = archase_batch_commit(b, NULL);
    archase_batch_free(b);
    return rc;
}

/* A person approves the pending requests of even-numbered customers. */
static int approve_some(archase_engine *eng, archase_instant now) {
    pending_list p;
    memset(&p, 0, sizeof p);
    p.now = now;
    int rc = archase_approvals_scan(eng, ARCHASE_APPROVAL_PENDING, collect_pending, &p);
    for (int i = 0; i < p.n && !rc; i++) {
        archase_approval_vote v = ARCHASE_APPROVAL_VOTE_INIT;
        v.actor = "fiona";
        v.role = "finance_lead";
        v.reason = "credit hold agreed with sales";
        /* Ids are hashes: approve about half of them, the same half every run. */
        if (p.ids[i][4] % 2)
            continue;
        rc = archase_approval_approve(eng, p.ids[i], &v, NULL);
        if (rc == ARCHASE_ESTATE || rc == ARCHASE_EDENIED || rc == ARCHASE_EEXPIRED)
            rc = 0; /* decided meanwhile, or voided: the refusal is on record */
    }
    return rc;
}

/* The first day not finished yet, from the progress file the child keeps
 * (a host's scheduler: after a restart the day that was running runs again,
 * at its own time, and the days before it are not run again). */
static int read_progress(const char *path) {
    FILE *f = fopen(path, "r");
    int day = 0;
    if (f) {
        if (fscanf(f, "%d", &day) != 1)
            day = 0;
        fclose(f);
    }
    return day;
}

static int write_progress(const char *path, int day, int full) {
    char tmp[240];
    snprintf(tmp, sizeof tmp, "%.200s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    int ok = fprintf(f, "%d\n", day) > 0 && fflush(f) == 0 && (!full || fsync(fileno(f)) == 0);
    ok = fclose(f) == 0 && ok;
    return ok && rename(tmp, path) == 0 ? 0 : -1;
}

static void child(const char *db, const char *journal_path, const char *crash_at) {
    char progress[200];
    snprintf(progress, sizeof progress, "%s.progress", journal_path);
    int first_day = read_progress(progress);
    archase_instant now = 0;
    archase_clock clock = { ARCHASE_CLOCK_VERSION, &now, clock_now };
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    o.clock = &clock;
    o.actor = "cycle";
    archase_engine *eng = NULL;
    archase_policy *policy = NULL;
    char err[256];
    const char *sync = getenv("ARCHASE_CRASH_MATRIX_SYNC");
    int full = sync && !strcmp(sync, "full");
    archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
    /* NORMAL loses nothing to a killed process (only to a power cut), and
     * keeps the matrix fast; FULL on request. */
    so.synchronous = full ? ARCHASE_SQLITE_SYNC_FULL : ARCHASE_SQLITE_SYNC_NORMAL;
    if (archase_open_sqlite(db, &so, &o, &eng, err, sizeof err))
        _exit(10);
    if (archase_policy_load_buffer(policy_text, sizeof policy_text - 1, "crash.yaml", NULL, &policy, NULL))
        _exit(11);
    static journal j;
    j.path = journal_path;
    j.crash_at = crash_at;
    j.full = full;
    archase_transport t = { ARCHASE_TRANSPORT_VERSION, &j, journal_send, journal_lookup, NULL };
    if (archase_engine_set_transport(eng, &t))
        _exit(12);
    now = (archase_instant)(DAY0 + first_day) * 86400 + 12 * 3600;
    int rc;
    while (retry_busy(rc = seed_ledger(eng))) {
    }
    if (rc)
        _exit(13);
    for (int day = first_day; day < DAYS; day++) {
        now = (archase_instant)(DAY0 + day) * 86400 + 12 * 3600;
        if ((rc = ingest_day(eng, day)) != 0)
            _exit(14);
        if ((rc = approve_some(eng, now)) != 0)
            _exit(15);
        archase_cycle_report report;
        memset(&report, 0, sizeof report);
        report.version = ARCHASE_CYCLE_REPORT_VERSION;
        if ((rc = archase_run_cycle(eng, policy, DAY0 + day, NULL, &report)) != 0) {
            fprintf(stderr, "cycle day %d: %s: %s\n", day, archase_error_name(rc), archase_engine_errmsg(eng));
            _exit(16);
        }
        /* A second dispatch settles what a crash left in doubt. */
        if ((rc = archase_dispatch(eng, NULL, NULL)) != 0)
            _exit(17);
        if (write_progress(progress, day + 1, full))
            _exit(18);
    }
    archase_policy_free(policy);
    archase_engine_free(eng);
    _exit(0);
}

/* Runs a child; kills it after `kill_after_us` (0 = never). Returns the
 * wait status. */
static int run_child(const char *db, const char *journal_path, const char *crash_at, long kill_after_us) {
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (crash_at && strncmp(crash_at, "before_send", 11) && strncmp(crash_at, "after_send", 10))
            setenv("ARCHASE_CRASH_AT", crash_at, 1);
        else
            unsetenv("ARCHASE_CRASH_AT");
        child(db, journal_path, crash_at);
    }
    if (kill_after_us > 0) {
        struct timespec ts = { kill_after_us / 1000000, (kill_after_us % 1000000) * 1000 };
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
        }
        kill(pid, SIGKILL);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

/* ---- what a finished run holds ---------------------------------------------------- */

typedef struct outcome {
    uint8_t facts[32];     /* customers, contacts, invoices, payments */
    uint8_t decisions[32]; /* outbox ids and states, approval ids, cadence */
    char  **keys;          /* the journal */
    size_t  key_count;
    char   *rows;          /* outbox and approval ids and states, as text */
} outcome;

static void hash_query(sqlite3 *db, const char *const *queries, size_t n, uint8_t out[32]) {
    size_t cap = 1 << 16, len = 0;
    unsigned char *buf = malloc(cap);
    assert_non_null(buf);
    for (size_t q = 0; q < n; q++) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, queries[q], -1, &st, NULL) != SQLITE_OK)
            fail_msg("%s: %s", queries[q], sqlite3_errmsg(db));
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                const void *p = sqlite3_column_blob(st, c);
                size_t size = (size_t)sqlite3_column_bytes(st, c);
                while (len + size + 1 > cap) {
                    cap *= 2;
                    buf = realloc(buf, cap);
                    assert_non_null(buf);
                }
                if (size)
                    memcpy(buf + len, p, size);
                len += size;
                buf[len++] = 0x1f;
            }
        }
        sqlite3_finalize(st);
    }
    assert_int_equal(archase_sha256(buf, len, out), 0);
    free(buf);
}

static char *rows_text(sqlite3 *db) {
    size_t cap = 4096, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    text[0] = 0;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT 'outbox', id, status FROM outbox UNION ALL "
                                        "SELECT 'approval', id, status FROM approvals ORDER BY 1, 2",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        char line[400];
        int n = snprintf(line, sizeof line, "%s %s %s\n", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
                         sqlite3_column_text(st, 2));
        while (len + (size_t)n + 1 > cap) {
            cap *= 2;
            text = realloc(text, cap);
            assert_non_null(text);
        }
        memcpy(text + len, line, (size_t)n + 1);
        len += (size_t)n;
    }
    sqlite3_finalize(st);
    return text;
}

/* The first line where two texts differ, for the failure message. */
static void first_difference(const char *a, const char *b, char *out, size_t size) {
    while (*a && *b) {
        size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
        if (la != lb || strncmp(a, b, la)) {
            snprintf(out, size, "\"%.*s\" where a run without crashes has \"%.*s\"", (int)lb, b, (int)la, a);
            return;
        }
        a += la + (a[la] != 0);
        b += lb + (b[lb] != 0);
    }
    snprintf(out, size, "%s", *a ? "rows missing" : *b ? "rows too many" : "the cadence");
}

static void read_journal(const char *path, outcome *o) {
    o->keys = NULL;
    o->key_count = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[ARCHASE_IDEMPOTENCY_KEY_MAX + 4];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        o->keys = realloc(o->keys, (o->key_count + 1) * sizeof *o->keys);
        assert_non_null(o->keys);
        o->keys[o->key_count++] = strdup(line);
    }
    fclose(f);
}

static void free_outcome(outcome *o) {
    for (size_t i = 0; i < o->key_count; i++)
        free(o->keys[i]);
    free(o->keys);
    free(o->rows);
    o->rows = NULL;
    o->keys = NULL;
    o->key_count = 0;
}

typedef struct gate_check {
    archase_engine *eng;
    const char     *problem;
    char            detail[200];
    size_t          sensitive_sent;
} gate_check;

static int approval_status_fn(void *ud, const archase_approval_info *info) {
    *(int *)ud = info->status;
    return 0;
}

static int check_item(void *ud, const archase_outbox_item *item) {
    gate_check *g = ud;
    if (!archase_action_is_sensitive(item->action) || item->status != ARCHASE_OUTBOX_SENT)
        return 0;
    g->sensitive_sent++;
    int status = 0;
    if (!item->approval_id || archase_approval_get(g->eng, item->approval_id, approval_status_fn, &status) ||
        (status != ARCHASE_APPROVAL_APPROVED && status != ARCHASE_APPROVAL_DISPATCHED)) {
        g->problem = "a sensitive action went out without an approval";
        snprintf(g->detail, sizeof g->detail, "%s (approval %s)", item->id,
                 item->approval_id ? item->approval_id : "none");
        return 1;
    }
    return 0;
}

static void read_outcome(const char *db_path, const char *journal_path, outcome *o, const char *when) {
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    static const char *const facts[] = {
        "SELECT id, data FROM customers ORDER BY id", "SELECT id, data FROM contacts ORDER BY id",
        "SELECT id, data, open_minor, status FROM invoices ORDER BY id",
        "SELECT id, data FROM payments ORDER BY id",
    };
    static const char *const decisions[] = {
        "SELECT id, status FROM outbox ORDER BY id",
        "SELECT id, status FROM approvals ORDER BY id",
        "SELECT id, data FROM cadence ORDER BY id",
    };
    hash_query(db, facts, 4, o->facts);
    hash_query(db, decisions, 3, o->decisions);
    o->rows = rows_text(db);
    sqlite3_close(db);
    read_journal(journal_path, o);
    /* No key twice. */
    for (size_t i = 0; i < o->key_count; i++)
        for (size_t k = i + 1; k < o->key_count; k++)
            if (!strcmp(o->keys[i], o->keys[k]))
                fail_msg("%s: message %s was sent twice", when, o->keys[i]);
    /* The audit log verifies, and no sensitive action bypassed its approval. */
    archase_engine *eng = NULL;
    char err[256];
    assert_int_equal(archase_open_sqlite(db_path, NULL, NULL, &eng, err, sizeof err), 0);
    archase_audit_report report;
    int rc = archase_audit_verify(eng, NULL, &report);
    if (rc)
        fail_msg("%s: the audit log does not verify: %s", when, report.message);
    gate_check g = { eng, NULL, "", 0 };
    assert_int_equal(archase_outbox_scan(eng, 0, check_item, &g) < 0, 0);
    if (g.problem)
        fail_msg("%s: %s: %s", when, g.problem, g.detail);
    archase_engine_free(eng);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void same_as_reference(const outcome *ref, outcome *got, const char *when) {
    if (memcmp(ref->facts, got->facts, 32))
        fail_msg("%s: the facts differ from a run without crashes (a lost or changed fact)", when);
    if (memcmp(ref->decisions, got->decisions, 32)) {
        char diff[600];
        first_difference(ref->rows, got->rows, diff, sizeof diff);
        fail_msg("%s: the outbox, approvals or cadence differ from a run without crashes: %s", when, diff);
    }
    if (ref->key_count != got->key_count)
        fail_msg("%s: %zu messages delivered, a run without crashes delivers %zu", when, got->key_count,
                 ref->key_count);
    qsort(got->keys, got->key_count, sizeof *got->keys, cmp_str);
    for (size_t i = 0; i < got->key_count; i++)
        if (strcmp(ref->keys[i], got->keys[i]))
            fail_msg("%s: delivered %s, a run without crashes delivers %s", when, got->keys[i], ref->keys[i]);
}

/* ---- the matrix -------------------------------------------------------------------- */

typedef struct paths {
    char dir[64], db[128], journal[128];
} paths;

static void fresh(paths *p) {
    const char *suffixes[] = { "", "-wal", "-shm" };
    for (size_t i = 0; i < 3; i++) {
        char f[160];
        snprintf(f, sizeof f, "%s%s", p->db, suffixes[i]);
        unlink(f);
    }
    unlink(p->journal);
    char f[160];
    snprintf(f, sizeof f, "%s.progress", p->journal);
    unlink(f);
}

static double seconds_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned env_number(const char *name, unsigned fallback) {
    const char *text = getenv(name);
    return text && *text ? (unsigned)strtoul(text, NULL, 10) : fallback;
}

static void kill_anywhere_in_the_cycle_loses_nothing_and_sends_nothing_twice(void **state) {
    (void)state;
    paths p;
    snprintf(p.dir, sizeof p.dir, "/tmp/archase-matrix-XXXXXX");
    assert_non_null(mkdtemp(p.dir));
    snprintf(p.db, sizeof p.db, "%s/ledger.db", p.dir);
    snprintf(p.journal, sizeof p.journal, "%s/journal", p.dir);

    /* The run without crashes. */
    fresh(&p);
    double t0 = seconds_now();
    int status = run_child(p.db, p.journal, NULL, 0);
    double ref_seconds = seconds_now() - t0;
    if (!WIFEXITED(status) || WEXITSTATUS(status))
        fail_msg("the run without crashes failed (status %d)", status);
    outcome ref;
    read_outcome(p.db, p.journal, &ref, "the run without crashes");
    qsort(ref.keys, ref.key_count, sizeof *ref.keys, cmp_str);
    assert_true(ref.key_count > 10);

    /* Are the library's crash points compiled in? */
    fresh(&p);
    status = run_child(p.db, p.journal, "cycle.after_commit:1", 0);
    int library_points = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;

    /* Under valgrind every child is slow: a few runs show it stays clean. */
    const char *preload = getenv("LD_PRELOAD");
    int valgrind = preload && strstr(preload, "valgrind") != NULL;
#if defined(__SANITIZE_ADDRESS__)
    unsigned fallback = 50; /* every child instrumented: half the runs */
    (void)valgrind;
#else
    unsigned fallback = valgrind ? 6 : 100;
#endif
    unsigned budget = env_number("ARCHASE_CRASH_MATRIX_RUNS", fallback);
    uint64_t seed = env_number("ARCHASE_CRASH_MATRIX_SEED", 3);
    test_rng rng;
    test_rng_seed(&rng, seed);
    print_message("# %zu messages in a run without crashes (%.2f s); library crash points %s; %u runs from "
                  "seed %llu\n",
                  ref.key_count, ref_seconds, library_points ? "compiled in" : "not compiled in", budget,
                  (unsigned long long)seed);

    /* The named points: every passage of each, until a child passes them all. */
    static const char *const points[] = { "before_send",          "after_send",          "cycle.mid_transaction",
                                          "cycle.after_commit",   "dispatch.after_claim", "dispatch.after_send" };
    unsigned runs = 0, kills = 0, named = 0, random_kills = 0;
    size_t point_count = library_points ? 6 : 2;
    /* An even share of the budget for each point, the rest for random kills. */
    unsigned per_point = budget / (unsigned)(point_count + 1);
    for (size_t pt = 0; pt < point_count; pt++) {
        /* Passages are spread over the run: step through them so the share
         * covers all of them (every one when the share allows). */
        unsigned passages = (unsigned)ref.key_count + DAYS * 2 + 8;
        unsigned stride = per_point && passages > per_point ? (passages + per_point - 1) / per_point : 1;
        for (unsigned n = 1 + (unsigned)test_rng_below(&rng, stride); runs < budget; n += stride) {
            char at[64], when[128];
            snprintf(at, sizeof at, "%s:%u", points[pt], n);
            snprintf(when, sizeof when, "killed at %s", at);
            fresh(&p);
            status = run_child(p.db, p.journal, at, 0);
            runs++;
            if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                break; /* fewer passages than n: every one was tried */
            if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
                fail_msg("%s: the child failed by itself (status %d)", when, status);
            kills++;
            named++;
            status = run_child(p.db, p.journal, NULL, 0);
            if (!WIFEXITED(status) || WEXITSTATUS(status))
                fail_msg("%s: the re-run failed (exit %d)", when, WEXITSTATUS(status));
            outcome got;
            read_outcome(p.db, p.journal, &got, when);
            same_as_reference(&ref, &got, when);
            free_outcome(&got);
        }
    }
    /* Random moments, several kills in a row before the run may finish. */
    while (runs < budget) {
        char when[128];
        fresh(&p);
        int kills_here = 1 + (int)test_rng_below(&rng, 3);
        for (int k = 0; k < kills_here; k++) {
            long us = (long)(test_rng_below(&rng, 1000) * ref_seconds * 1000.0);
            status = run_child(p.db, p.journal, NULL, us > 0 ? us : 1);
            if (WIFSIGNALED(status))
                kills++, random_kills++;
            else if (WEXITSTATUS(status))
                fail_msg("run %u: a child failed by itself (exit %d)", runs, WEXITSTATUS(status));
        }
        snprintf(when, sizeof when, "run %u (%d random kills)", runs, kills_here);
        status = run_child(p.db, p.journal, NULL, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status))
            fail_msg("%s: the re-run failed (status %d)", when, status);
        outcome got;
        read_outcome(p.db, p.journal, &got, when);
        same_as_reference(&ref, &got, when);
        free_outcome(&got);
        runs++;
    }
    print_message("# %u runs, %u kills (%u at named points, %u at random moments): 0 lost facts, 0 lost "
                  "decisions, 0 messages sent twice, 0 approvals bypassed, every audit log verified\n",
                  runs, kills, named, random_kills);
    free_outcome(&ref);
    fresh(&p);
    rmdir(p.dir);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(kill_anywhere_in_the_cycle_loses_nothing_and_sends_nothing_twice),
};

AR_TEST_MAIN(tests)
