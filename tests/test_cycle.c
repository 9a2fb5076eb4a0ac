/* tests/test_cycle.c — the daily cycle through the public API (archase/cycle.h),
 * on the memory store and on SQLite: one message per decision, sent exactly
 * once in effect; re-runs change nothing; later days continue; payments stop
 * what is queued; failures retry with backoff, die with an alert; items in
 * doubt are reconciled, never resent blindly; the copilot review queue; no
 * sensitive action goes out unapproved through any public path; a storage
 * failure at any call and any failing allocation leave nothing half-written;
 * and real crashes (a killed process) before the commit and between send and
 * acknowledgement. Forged items are written with the library's own encoder,
 * which is why this file links the internals. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "archase/archase.h"
#include "engine/engine.h"
#include "engine/outbox.h"
#include "support/failalloc.h"
#include "support/faultstore.h"
#include "support/ledger.h"
#include "support/testutil.h"

static const char policy_text[] =
    TEST_POLICY_ONE_SEGMENT
    "      - {offset: 1, channel: email, template: overdue}\n"
    "      - {offset: 7, channel: email, template: overdue}\n"
    "      - {offset: 14, channel: email, template: overdue}\n"
    "call_queue: {enabled: false}\n"
    "guardrails:\n"
    "  max_touches_per_7_days: 7\n"
    "  min_days_between_touches: 0\n"
    "  quiet_hours: {start: \"20:00\", end: \"08:00\"}\n"
    "  send_window: {start: \"09:00\", end: \"17:00\", days: [mon, tue, wed, thu, fri, sat, sun]}\n"
    "  business_days_only: false\n"
    "  timezone: UTC\n"
    "payment_patterns: {enabled: false}\n"
    "approvals: {materiality: [1000 EUR], roles: [finance_lead, controller]}\n"
    "delivery: {max_attempts: 3, retry_backoff_minutes: 1, digest_weekday: none%s}\n"
    "templates:\n"
    "  definitions:\n"
    "    overdue:\n"
    "      stage: overdue\n"
    "      tone: firm\n"
    "      email: {en: {subject: \"Invoice {{ invoice.number }} is overdue\",\n"
    "                   body: \"Dear {{ customer.name }}, {{ totals.open_amount | money }} is open. {{ links.pay_now }}\"}}\n";

#define DAY0 20484 /* 2026-01-31, the due date */

/* ---- a transport that records what it is handed --------------------------------- */

enum { T_OK = 0, T_RETRY = 1, T_UNKNOWN = 2, T_REJECT = 3, T_EXIT = 4 };

typedef struct recorder {
    int    mode;         /* for customer messages; internal ones always go */
    int    with_lookup;
    char   keys[64][ARCHASE_IDEMPOTENCY_KEY_MAX];
    int    delivered[64]; /* 1 when the channel has it */
    size_t n;            /* sends, every attempt */
    archase_message last;
    char   last_body[512];
    char   last_address[128];
    char   last_timezone[64];
} recorder;

static int rec_send(void *ud, const archase_message *m, int *result, char *detail, size_t size) {
    recorder *r = ud;
    assert_true(r->n < 64);
    snprintf(r->keys[r->n], sizeof r->keys[r->n], "%s", m->idempotency_key);
    r->last = *m;
    snprintf(r->last_body, sizeof r->last_body, "%s", m->body);
    snprintf(r->last_address, sizeof r->last_address, "%s", m->address ? m->address : "");
    snprintf(r->last_timezone, sizeof r->last_timezone, "%s", m->timezone ? m->timezone : "");
    int mode = m->channel == ARCHASE_CHANNEL_INTERNAL ? T_OK : r->mode;
    r->delivered[r->n] = mode == T_OK || mode == T_UNKNOWN;
    r->n++;
    switch (mode) {
    case T_OK: *result = ARCHASE_SEND_SENT; break;
    case T_RETRY: *result = ARCHASE_SEND_RETRY; snprintf(detail, size, "421 try later"); break;
    case T_REJECT: *result = ARCHASE_SEND_REJECTED; snprintf(detail, size, "550 no such mailbox"); break;
    default: *result = ARCHASE_SEND_UNKNOWN; snprintf(detail, size, "timeout after DATA"); break;
    }
    return 0;
}

static int rec_lookup(void *ud, const char *key, int *result) {
    recorder *r = ud;
    *result = ARCHASE_LOOKUP_NOT_SENT;
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->keys[i], key) && r->delivered[i])
            *result = ARCHASE_LOOKUP_SENT;
    return 0;
}

/* Sends of `key` the channel has. */
static size_t delivered(const recorder *r, const char *key) {
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += !strcmp(r->keys[i], key) && r->delivered[i];
    return n;
}

/* ---- the fixture ----------------------------------------------------------------- */

typedef struct fixture {
    int              sqlite;
    char             dir[64];
    char             path[96];
    archase_engine  *eng;
    archase_policy  *policy;
    archase_instant  now;
    archase_clock    clock;
    recorder         rec;
} fixture;

static archase_instant fixed_now(void *ud) {
    return *(archase_instant *)ud;
}

static archase_policy *load_policy(const char *extra) {
    char text[4096];
    snprintf(text, sizeof text, policy_text, extra);
    archase_policy *p = NULL;
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 8, &diags), 0);
    int rc = archase_policy_load_buffer(text, strlen(text), "cycle.yaml", NULL, &p, diags);
    if (rc && archase_diag_list_count(diags)) {
        char line[512];
        archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
        fail_msg("policy: %s", line);
    }
    archase_diag_list_free(diags);
    assert_int_equal(rc, 0);
    return p;
}

static void open_engine(fixture *f, const archase_allocator *alloc) {
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    o.clock = &f->clock;
    o.allocator = alloc;
    if (f->sqlite) {
        archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
        so.synchronous = ARCHASE_SQLITE_SYNC_NORMAL;
        char err[256];
        assert_int_equal(archase_open_sqlite(f->path, &so, &o, &f->eng, err, sizeof err), 0);
    } else {
        assert_int_equal(archase_open_memory(&o, &f->eng), 0);
    }
}

static void set_recorder(fixture *f) {
    archase_transport t = { ARCHASE_TRANSPORT_VERSION, &f->rec, rec_send, f->rec.with_lookup ? rec_lookup : NULL,
                            NULL };
    assert_int_equal(archase_engine_set_transport(f->eng, &t), 0);
}

static void given_customer(archase_engine *eng, const char *id) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = id;
    c.name = id;
    c.collector = "carla";
    assert_int_equal(archase_customer_put(eng, &c, NULL), 0);
    char cid[64], address[64];
    snprintf(cid, sizeof cid, "%s-ap", id);
    snprintf(address, sizeof address, "ap@%s.example", id);
    test_put_contact(eng, cid, id, ARCHASE_CHANNEL_EMAIL, address);
}

static void given_invoice(archase_engine *eng, const char *id, const char *customer, int64_t minor, archase_date due) {
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = id;
    inv.number = id;
    inv.customer_id = customer;
    inv.issue_date = due - 30;
    inv.due_date = due;
    inv.amount = (archase_money){ minor, "EUR" };
    assert_int_equal(archase_invoice_put(eng, &inv, NULL), 0);
}

static void paid(archase_engine *eng, const char *id, const char *invoice, const char *customer, int64_t minor,
                 archase_date on) {
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = id;
    p.customer_id = customer;
    p.invoice_id = invoice;
    p.date = on;
    p.amount = (archase_money){ minor, "EUR" };
    assert_int_equal(archase_payment_put(eng, &p, NULL), 0);
}

static void seed(archase_engine *eng) {
    given_customer(eng, "acme");
    given_customer(eng, "globex");
    given_invoice(eng, "A-1", "acme", 120000, DAY0);
    given_invoice(eng, "A-2", "acme", 30000, DAY0);
    given_invoice(eng, "G-1", "globex", 99900, DAY0);
}

static int setup_backend(void **state, int sqlite) {
    fixture *f = calloc(1, sizeof *f);
    f->sqlite = sqlite;
    f->now = (archase_instant)(DAY0 + 1) * 86400 + 12 * 3600;
    f->clock = (archase_clock){ ARCHASE_CLOCK_VERSION, &f->now, fixed_now };
    f->rec.with_lookup = 1;
    if (sqlite) {
        snprintf(f->dir, sizeof f->dir, "/tmp/archase-cycle-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->path, sizeof f->path, "%s/ledger.db", f->dir);
    }
    open_engine(f, NULL);
    f->policy = load_policy("");
    seed(f->eng);
    set_recorder(f);
    *state = f;
    return 0;
}

static int setup_memory(void **state) {
    return setup_backend(state, 0);
}

static int setup_sqlite(void **state) {
    return setup_backend(state, 1);
}

static int teardown(void **state) {
    fixture *f = *state;
    archase_engine_free(f->eng);
    archase_policy_free(f->policy);
    if (f->sqlite) {
        char cmd[160];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
        assert_int_equal(system(cmd), 0);
    }
    free(f);
    return 0;
}

/* Runs day DAY0 + d at noon of that day. */
static archase_cycle_report run_day(fixture *f, int d) {
    archase_cycle_report rep;
    memset(&rep, 0, sizeof rep);
    rep.version = ARCHASE_CYCLE_REPORT_VERSION;
    f->now = (archase_instant)(DAY0 + d) * 86400 + 12 * 3600;
    int rc = archase_run_cycle(f->eng, f->policy, DAY0 + d, NULL, &rep);
    if (rc)
        fail_msg("cycle: %s", archase_engine_errmsg(f->eng));
    return rep;
}

typedef struct tally {
    size_t by_status[16];
    size_t customer_email;  /* customer messages */
    size_t internal;
    char   last_id[ARCHASE_IDEMPOTENCY_KEY_MAX];
    char   want[32];        /* count only items of this customer ("" = all) */
} tally;

static int count_item(void *ud, const archase_outbox_item *it) {
    tally *t = ud;
    if (t->want[0] && (!it->customer_id || strcmp(it->customer_id, t->want)))
        return 0;
    t->by_status[it->status]++;
    if (it->channel == ARCHASE_CHANNEL_INTERNAL)
        t->internal++;
    else
        t->customer_email++;
    snprintf(t->last_id, sizeof t->last_id, "%s", it->id);
    return 0;
}

static tally outbox(fixture *f, const char *customer) {
    tally t;
    memset(&t, 0, sizeof t);
    snprintf(t.want, sizeof t.want, "%s", customer ? customer : "");
    assert_int_equal(archase_outbox_scan(f->eng, 0, count_item, &t), 0);
    return t;
}

/* ---- the cycle ----------------------------------------------------------------------- */

static void one_message_per_customer_sent_once(void **state) {
    fixture *f = *state;
    archase_cycle_report rep = run_day(f, 1);
    /* acme's two invoices are one message; globex gets its own. */
    assert_int_equal(rep.outbox_written, 2);
    assert_int_equal(rep.dispatch.sent, 2);
    assert_int_equal(f->rec.n, 2);
    tally t = outbox(f, NULL);
    assert_int_equal(t.by_status[ARCHASE_OUTBOX_SENT], 2);
    /* The message: rendered, addressed to the consented contact, with the
     * link placeholder, the local send time and the reasons. */
    assert_string_equal(f->rec.last_address, "ap@globex.example");
    assert_non_null(strstr(f->rec.last_body, "Dear globex, "));
    assert_non_null(strstr(f->rec.last_body, "999.00"));
    assert_non_null(strstr(f->rec.last_body, f->rec.last.link_placeholder));
    assert_int_equal(f->rec.last.local_seconds, 9 * 3600);
    assert_string_equal(f->rec.last_timezone, "UTC");
    assert_true(f->rec.last.reason_count > 0);
    assert_int_equal(f->rec.last.attempt, 1);
    assert_true(f->rec.last.scheduled_at <= f->now);
}

static void rerun_of_the_same_day_changes_and_sends_nothing(void **state) {
    fixture *f = *state;
    run_day(f, 1);
    uint64_t audit = test_audit_size(f->eng);
    size_t sends = f->rec.n;
    archase_cycle_report again = run_day(f, 1);
    assert_int_equal(again.outbox_written, 0);
    assert_int_equal(again.dispatch.claimed, 0);
    assert_int_equal(f->rec.n, sends);
    assert_int_equal(test_audit_size(f->eng), audit);
    /* A later day continues where the last stopped: the d+7 step, once. */
    archase_cycle_report later = run_day(f, 7);
    assert_int_equal(later.outbox_written, 2);
    assert_int_equal(later.dispatch.sent, 2);
    assert_int_equal(f->rec.n, sends + 2);
    assert_string_not_equal(f->rec.keys[0], f->rec.keys[2]);
}

static void nothing_goes_out_before_its_time(void **state) {
    fixture *f = *state;
    archase_cycle_report rep;
    memset(&rep, 0, sizeof rep);
    rep.version = ARCHASE_CYCLE_REPORT_VERSION;
    f->now = (archase_instant)(DAY0 + 1) * 86400 + 7 * 3600; /* 07:00, the window opens at 09:00 */
    assert_int_equal(archase_run_cycle(f->eng, f->policy, DAY0 + 1, NULL, &rep), 0);
    assert_int_equal(rep.outbox_written, 2);
    assert_int_equal(rep.dispatch.sent, 0);
    assert_int_equal(f->rec.n, 0);
    f->now += 2 * 3600;
    archase_dispatch_report d = ARCHASE_DISPATCH_REPORT_INIT;
    assert_int_equal(archase_dispatch(f->eng, NULL, &d), 0);
    assert_int_equal(d.sent, 2);
}

static void catch_up_after_five_missed_days_sends_one_per_customer(void **state) {
    fixture *f = *state;
    /* Not run on days 1 to 6: day 7 sends only the latest due step. */
    archase_cycle_report rep = run_day(f, 7);
    assert_int_equal(rep.outbox_written, 2);
    assert_int_equal(f->rec.n, 2);
    tally acme = outbox(f, "acme");
    assert_int_equal(acme.customer_email, 1);
    assert_non_null(strstr(acme.last_id, "steps[d+7]"));
}

static void payment_between_runs_stops_the_next_message(void **state) {
    fixture *f = *state;
    run_day(f, 1);
    paid(f->eng, "P-G", "G-1", "globex", 99900, DAY0 + 3);
    archase_cycle_report rep = run_day(f, 7);
    assert_int_equal(rep.outbox_written, 1); /* acme only */
    assert_int_equal(outbox(f, "globex").customer_email, 1);
}

static void payment_cancels_a_queued_message(void **state) {
    fixture *f = *state;
    archase_cycle_options o = ARCHASE_CYCLE_OPTIONS_INIT;
    o.dispatch = 0;
    archase_cycle_report rep;
    memset(&rep, 0, sizeof rep);
    rep.version = ARCHASE_CYCLE_REPORT_VERSION;
    assert_int_equal(archase_run_cycle(f->eng, f->policy, DAY0 + 1, &o, &rep), 0);
    assert_int_equal(outbox(f, "globex").by_status[ARCHASE_OUTBOX_PENDING], 1);
    paid(f->eng, "P-G", "G-1", "globex", 99900, DAY0 + 1);
    rep = run_day(f, 2);
    assert_int_equal(rep.cancelled, 1);
    tally g = outbox(f, "globex");
    assert_int_equal(g.by_status[ARCHASE_OUTBOX_CANCELLED], 1);
    for (size_t i = 0; i < f->rec.n; i++)
        assert_null(strstr(f->rec.keys[i], "globex"));
}

static void payment_or_hold_after_the_cycle_stops_what_dispatch_would_send(void **state) {
    fixture *f = *state;
    archase_cycle_options o = ARCHASE_CYCLE_OPTIONS_INIT;
    o.dispatch = 0;
    archase_cycle_report rep;
    memset(&rep, 0, sizeof rep);
    rep.version = ARCHASE_CYCLE_REPORT_VERSION;
    assert_int_equal(archase_run_cycle(f->eng, f->policy, DAY0 + 1, &o, &rep), 0);
    assert_int_equal(rep.outbox_written, 2);
    /* Between the cycle and the dispatch: globex pays, acme is put on hold. */
    paid(f->eng, "P-G", "G-1", "globex", 99900, DAY0 + 1);
    archase_customer_flags fl = ARCHASE_CUSTOMER_FLAGS_INIT;
    fl.customer_id = "acme";
    fl.hold = 1;
    assert_int_equal(archase_customer_flags_put(f->eng, &fl, NULL), 0);
    uint64_t audit = test_audit_size(f->eng);
    archase_dispatch_report d = ARCHASE_DISPATCH_REPORT_INIT;
    assert_int_equal(archase_dispatch(f->eng, NULL, &d), 0);
    assert_int_equal(d.cancelled, 2);
    assert_int_equal(d.sent, 0);
    assert_int_equal(f->rec.n, 0);
    assert_int_equal(test_audit_size(f->eng), audit + 2);
    assert_int_equal(outbox(f, NULL).by_status[ARCHASE_OUTBOX_CANCELLED], 2);
}

static void a_payment_dated_later_does_not_stop_todays_message(void **state) {
    fixture *f = *state;
    /* The ledger already knows a payment of a later day (imported ahead). */
    paid(f->eng, "P-G", "G-1", "globex", 99900, DAY0 + 5);
    archase_cycle_report rep = run_day(f, 1);
    assert_int_equal(rep.dispatch.cancelled, 0);
    assert_int_equal(rep.dispatch.sent, 2);
}

/* ---- failures ------------------------------------------------------------------------ */

/* An item's fields, its strings copied (they live during the callback only). */
typedef struct found_item {
    archase_outbox_item copy;
    char                id[ARCHASE_IDEMPOTENCY_KEY_MAX];
    char                last_detail[128];
    char                reviewer[64];
    int                 found;
} found_item;

static int take_copy(void *ud, const archase_outbox_item *it) {
    found_item *x = ud;
    x->copy = *it;
    snprintf(x->id, sizeof x->id, "%s", it->id);
    snprintf(x->last_detail, sizeof x->last_detail, "%s", it->last_detail ? it->last_detail : "");
    snprintf(x->reviewer, sizeof x->reviewer, "%s", it->reviewer ? it->reviewer : "");
    /* The copy's own strings are in the arrays above; its pointers are not kept. */
    x->copy.id = x->copy.idempotency_key = x->copy.last_detail = x->copy.reviewer = NULL;
    x->found = 1;
    return 1;
}

static found_item item_of(fixture *f, int status) {
    found_item x;
    memset(&x, 0, sizeof x);
    assert_int_equal(archase_outbox_scan(f->eng, status, take_copy, &x), 0);
    return x;
}

static void failures_retry_with_backoff_then_die_with_an_alert(void **state) {
    fixture *f = *state;
    f->rec.mode = T_RETRY;
    archase_cycle_report rep = run_day(f, 1);
    assert_int_equal(rep.dispatch.retried, 2);
    found_item x = item_of(f, ARCHASE_OUTBOX_FAILED_RETRY);
    assert_true(x.found);
    assert_int_equal(x.copy.attempts, 1);
    assert_int_equal(x.copy.next_attempt_at, f->now + 60);
    archase_dispatch_report d = ARCHASE_DISPATCH_REPORT_INIT;
    assert_int_equal(archase_dispatch(f->eng, NULL, &d), 0); /* not due yet */
    assert_int_equal(d.claimed, 0);
    f->now += 60;
    assert_int_equal(archase_dispatch(f->eng, NULL, &d), 0);
    assert_int_equal(d.retried, 2);
    x = item_of(f, ARCHASE_OUTBOX_FAILED_RETRY);
    assert_int_equal(x.copy.next_attempt_at, f->now + 120); /* doubled */
    f->now += 120;
    assert_int_equal(archase_dispatch(f->eng, NULL, &d), 0);
    assert_int_equal(d.dead, 2);
    assert_int_equal(d.alerts, 2);
    /* The alerts go to the collector on the internal channel, in the same run. */
    assert_int_equal(d.sent, 2);
    assert_string_equal(f->rec.last_address, "carla");
    assert_int_equal(f->rec.last.channel, ARCHASE_CHANNEL_INTERNAL);
    tally t = outbox(f, NULL);
    assert_int_equal(t.by_status[ARCHASE_OUTBOX_DEAD], 2);
    assert_int_equal(t.internal, 2);
    x = item_of(f, ARCHASE_OUTBOX_DEAD);
    assert_int_equal(x.copy.attempts, 3);
    assert_string_equal(x.last_detail, "421 try later");
    /* A person can resend a dead item under the same key. */
    f->rec.mode = T_OK;
    assert_int_equal(archase_outbox_resolve(f->eng, x.id, ARCHASE_RESOLVE_RESEND, "dora", "address fixed"), 0);
    assert_int_equal(archase_dispatch(f->eng, NULL, &d), 0);
    assert_int_equal(d.sent, 1);
    assert_int_equal(delivered(&f->rec, x.id), 1);
}

static void rejected_dies_at_once(void **state) {
    fixture *f = *state;
    f->rec.mode = T_REJECT;
    archase_cycle_report rep = run_day(f, 1);
    assert_int_equal(rep.dispatch.dead, 2);
    assert_int_equal(rep.dispatch.alerts, 2);
}

static void in_doubt_is_looked_up_not_resent(void **state) {
    fixture *f = *state;
    f->rec.mode = T_UNKNOWN; /* delivered, but the channel timed out */
    archase_cycle_report rep = run_day(f, 1);
    assert_int_equal(rep.dispatch.in_doubt, 2);
    f->rec.mode = T_OK;
    archase_dispatch_report d = ARCHASE_DISPATCH_REPORT_INIT;
    assert_int_equal(archase_dispatch(f->eng, NULL, &d), 0);
    assert_int_equal(d.reconciled_sent, 2);
    assert_int_equal(d.claimed, 0);
    assert_int_equal(f->rec.n, 2); /* never sent again */
    assert_int_equal(outbox(f, NULL).by_status[ARCHASE_OUTBOX_SENT], 2);
}

static void in_doubt_without_lookup_waits_for_a_person(void **state) {
    fixture *f = *state;
    f->rec.with_lookup = 0;
    set_recorder(f);
    f->rec.mode = T_UNKNOWN;
    run_day(f, 1);
    f->rec.mode = T_OK;
    archase_dispatch_report d = ARCHASE_DISPATCH_REPORT_INIT;
    assert_int_equal(archase_dispatch(f->eng, NULL, &d), 0);
    assert_int_equal(d.in_doubt, 2);
    assert_int_equal(d.claimed, 0);
    found_item x = item_of(f, ARCHASE_OUTBOX_IN_DOUBT);
    uint64_t audit = test_audit_size(f->eng);
    assert_int_equal(archase_outbox_resolve(f->eng, x.id, ARCHASE_RESOLVE_SENT, "dora", ""), ARCHASE_EINVAL);
    assert_int_equal(archase_outbox_resolve(f->eng, x.id, 9, "dora", "x"), ARCHASE_EINVAL);
    assert_int_equal(test_audit_size(f->eng), audit);
    assert_int_equal(archase_outbox_resolve(f->eng, x.id, ARCHASE_RESOLVE_SENT, "dora", "seen in the mail log"), 0);
    assert_int_equal(test_audit_size(f->eng), audit + 1);
    assert_int_equal(archase_outbox_resolve(f->eng, x.id, ARCHASE_RESOLVE_SENT, "dora", "again"), ARCHASE_ESTATE);
    assert_int_equal(f->rec.n, 2);
}

/* ---- review ---------------------------------------------------------------------------- */

static void review_approve_edit_reject(void **state) {
    fixture *f = *state;
    archase_cycle_options o = ARCHASE_CYCLE_OPTIONS_INIT;
    o.review = 1;
    archase_cycle_report rep;
    memset(&rep, 0, sizeof rep);
    rep.version = ARCHASE_CYCLE_REPORT_VERSION;
    given_customer(f->eng, "initech");
    given_invoice(f->eng, "I-1", "initech", 5000, DAY0);
    assert_int_equal(archase_run_cycle(f->eng, f->policy, DAY0 + 1, &o, &rep), 0);
    assert_int_equal(rep.drafts, 3);
    assert_int_equal(rep.dispatch.claimed, 0);
    assert_int_equal(f->rec.n, 0);
    char ids[3][ARCHASE_IDEMPOTENCY_KEY_MAX];
    const char *names[] = { "acme", "globex", "initech" };
    for (int i = 0; i < 3; i++) {
        tally t = outbox(f, names[i]);
        snprintf(ids[i], sizeof ids[i], "%s", t.last_id);
        assert_int_equal(t.by_status[ARCHASE_OUTBOX_DRAFT], 1);
    }
    archase_review r = ARCHASE_REVIEW_INIT;
    uint64_t audit = test_audit_size(f->eng);
    assert_int_equal(archase_review_approve(f->eng, ids[0], &r), ARCHASE_EINVAL); /* no reviewer */
    r.reviewer = "rita";
    /* An edit may not invent an amount, nor name a field that does not exist. */
    assert_int_equal(archase_review_edit(f->eng, ids[1], &r, NULL, "Please pay 500 EUR now"), ARCHASE_EPARSE);
    assert_int_equal(archase_review_edit(f->eng, ids[1], &r, NULL, "{{ customer.iban }}"), ARCHASE_EPARSE);
    assert_int_equal(archase_review_reject(f->eng, ids[2], &r), ARCHASE_EINVAL); /* no note */
    assert_int_equal(test_audit_size(f->eng), audit);
    assert_int_equal(outbox(f, NULL).by_status[ARCHASE_OUTBOX_DRAFT], 3);
    f->now += 1800;
    assert_int_equal(archase_review_approve(f->eng, ids[0], &r), 0);
    assert_int_equal(archase_review_edit(f->eng, ids[1], &r, "About your account",
                                         "Hello {{ customer.name }}: {{ totals.open_amount | money }}, thank you."),
                     0);
    r.note = "the customer called: paid yesterday";
    assert_int_equal(archase_review_reject(f->eng, ids[2], &r), 0);
    assert_int_equal(archase_review_approve(f->eng, ids[2], &r), ARCHASE_ESTATE);
    assert_int_equal(test_audit_size(f->eng), audit + 3);
    found_item x;
    memset(&x, 0, sizeof x);
    assert_int_equal(archase_outbox_get(f->eng, ids[1], take_copy, &x), 0);
    assert_string_equal(x.reviewer, "rita");
    assert_int_equal(x.copy.review_seconds, 1800);
    assert_true(x.copy.edited);
    archase_dispatch_report d = ARCHASE_DISPATCH_REPORT_INIT;
    assert_int_equal(archase_dispatch(f->eng, NULL, &d), 0);
    assert_int_equal(d.sent, 2);
    assert_int_equal(delivered(&f->rec, ids[2]), 0);
    assert_int_equal(delivered(&f->rec, ids[1]), 1);
    assert_non_null(strstr(f->rec.last_body, "Hello globex: "));
    assert_non_null(strstr(f->rec.last_body, "999.00"));
    assert_non_null(strstr(f->rec.last_body, ", thank you."));
}

static void policy_review_per_segment(void **state) {
    fixture *f = *state;
    archase_policy_free(f->policy);
    f->policy = load_policy(", review: review, automatic_segments: [all]");
    archase_cycle_report rep = run_day(f, 1);
    assert_int_equal(rep.drafts, 0); /* the low-risk segment is automatic */
    archase_policy_free(f->policy);
    f->policy = load_policy(", review_segments: [all]");
    rep = run_day(f, 7);
    assert_int_equal(rep.drafts, 2);
}

/* ---- sensitive actions ------------------------------------------------------------------- */

/* Writes an outbox item for a sensitive action straight into the store, as
 * a host with access to its own backend could. */
static void forge(fixture *f, const char *id, int status, const char *approval_id) {
    ar_outbox o;
    ar_canon c;
    ar_outbox_init(&o, NULL);
    ar_canon_init(&c, NULL);
    const char *invoices[] = { "A-1" };
    o.item.id = o.item.idempotency_key = id;
    o.item.status = status;
    o.item.kind = ARCHASE_DECISION_APPLY_APPROVED;
    o.item.action = ARCHASE_ACTION_WRITE_OFF;
    o.item.channel = ARCHASE_CHANNEL_INTERNAL;
    o.item.customer_id = "acme";
    o.item.invoice_ids = invoices;
    o.item.invoice_count = 1;
    o.item.address = "action:write_off";
    o.item.subject = "write off";
    o.item.body = "write off A-1";
    o.item.max_attempts = 3;
    o.item.scheduled_at = o.item.next_attempt_at = f->now - 1;
    o.item.approval_id = approval_id;
    assert_int_equal(ar_outbox_store(f->eng, &o, &c, 0), 0);
    ar_canon_free(&c);
}

static void no_public_path_sends_an_unapproved_sensitive_action(void **state) {
    fixture *f = *state;
    /* A pending request, not approved. */
    archase_approval_request req = ARCHASE_APPROVAL_REQUEST_INIT;
    const char *invoices[] = { "A-1" };
    req.action = ARCHASE_ACTION_WRITE_OFF;
    req.customer_id = "acme";
    req.invoice_ids = invoices;
    req.invoice_count = 1;
    req.amount = (archase_money){ 120000, "EUR" };
    req.requester = "carla";
    req.justification = "the customer went bankrupt last month";
    req.customer_impact = "none: the account is closed";
    char request[ARCHASE_APPROVAL_ID_MAX];
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &req, request, NULL), 0);
    /* The cycle writes nothing for it while it is pending. */
    archase_cycle_report rep = run_day(f, 1);
    assert_int_equal(rep.approved_actions, 0);
    size_t sends = f->rec.n;
    /* Forged items: without a request, with the pending one, as a draft, in doubt. */
    forge(f, "forged/none#1", ARCHASE_OUTBOX_PENDING, NULL);
    forge(f, "forged/pending#1", ARCHASE_OUTBOX_PENDING, request);
    forge(f, "forged/draft#1", ARCHASE_OUTBOX_DRAFT, request);
    uint64_t audit = test_audit_size(f->eng);
    archase_dispatch_report d = ARCHASE_DISPATCH_REPORT_INIT;
    archase_dispatch_options o = ARCHASE_DISPATCH_OPTIONS_INIT;
    assert_int_equal(archase_dispatch(f->eng, &o, &d), 0);
    assert_int_equal(d.refused, 2);
    assert_int_equal(f->rec.n, sends);
    assert_true(test_audit_size(f->eng) > audit); /* the refusals are on record */
    /* The same with the policy given. */
    forge(f, "forged/none#2", ARCHASE_OUTBOX_PENDING, NULL);
    o.policy = f->policy;
    assert_int_equal(archase_dispatch(f->eng, &o, &d), 0);
    assert_int_equal(d.refused, 1);
    /* A review approval does not stand in for an approval. */
    archase_review r = ARCHASE_REVIEW_INIT;
    r.reviewer = "rita";
    assert_int_equal(archase_review_approve(f->eng, "forged/draft#1", &r), 0);
    assert_int_equal(archase_dispatch(f->eng, &o, &d), 0);
    assert_int_equal(d.refused, 1);
    /* Resolving one in doubt as "resend" is refused too. */
    forge(f, "forged/doubt#1", ARCHASE_OUTBOX_IN_DOUBT, request);
    assert_int_equal(archase_outbox_resolve(f->eng, "forged/doubt#1", ARCHASE_RESOLVE_RESEND, "dora", "resend it"),
                     ARCHASE_EDENIED);
    assert_int_equal(item_of(f, ARCHASE_OUTBOX_IN_DOUBT).found, 1);
    assert_int_equal(f->rec.n, sends);
    /* The host's own call refuses it as well. */
    assert_int_equal(archase_approval_dispatch(f->eng, request, "dora", NULL), ARCHASE_EDENIED);
    /* Approved by two people (above materiality), the cycle carries it out once. */
    archase_approval_vote v = ARCHASE_APPROVAL_VOTE_INIT;
    v.reason = "checked the insolvency filing";
    v.actor = "fiona";
    v.role = "finance_lead";
    int status = 0;
    assert_int_equal(archase_approval_approve(f->eng, request, &v, &status), 0);
    if (status != ARCHASE_APPROVAL_APPROVED) {
        v.actor = "carl";
        v.role = "controller";
        assert_int_equal(archase_approval_approve(f->eng, request, &v, &status), 0);
    }
    assert_int_equal(status, ARCHASE_APPROVAL_APPROVED);
    rep = run_day(f, 2);
    assert_int_equal(rep.approved_actions, 1);
    assert_int_equal(rep.dispatch.sent, 1);
    assert_string_equal(f->rec.last_address, "action:write_off");
    rep = run_day(f, 3);
    assert_int_equal(rep.approved_actions, 0);
}

/* ---- storage failures and allocation failures ------------------------------------------------ */

typedef struct probe {
    size_t items;
} probe;

static int count_any(void *ud, const archase_outbox_item *it) {
    (void)it;
    ((probe *)ud)->items++;
    return 0;
}

static void a_storage_error_at_any_call_leaves_nothing_half_written(void **state) {
    (void)state;
    archase_policy *policy = load_policy("");
    size_t passes = 0;
    for (size_t n = 1;; n++) {
        faultstore fs;
        archase_storage inner, wrapped;
        assert_int_equal(archase_memory_storage_new(NULL, &inner), 0);
        faultstore_wrap(&fs, &inner, 0, &wrapped);
        archase_instant now = (archase_instant)(DAY0 + 1) * 86400 + 12 * 3600;
        archase_clock clock = { ARCHASE_CLOCK_VERSION, &now, fixed_now };
        archase_engine_options eo = ARCHASE_ENGINE_OPTIONS_INIT;
        eo.clock = &clock;
        archase_engine *eng = NULL;
        assert_int_equal(archase_engine_open(&wrapped, &eo, &eng), 0);
        seed(eng);
        uint64_t audit_before = 0;
        assert_int_equal(archase_audit_size(eng, &audit_before), 0);
        archase_cycle_options o = ARCHASE_CYCLE_OPTIONS_INIT;
        o.dispatch = 0;
        fs.fail_at = fs.calls + n;
        int rc = archase_run_cycle(eng, policy, DAY0 + 1, &o, NULL);
        fs.fail_at = 0;
        if (rc)
            assert_string_not_equal(archase_engine_errmsg(eng), "");
        probe p = { 0 };
        uint64_t audit_after = 0;
        assert_int_equal(archase_outbox_scan(eng, 0, count_any, &p), 0);
        assert_int_equal(archase_audit_size(eng, &audit_after), 0);
        if (rc) {
            assert_int_not_equal(rc, ARCHASE_ENOMEM);
            assert_int_equal(p.items, 0);
            assert_int_equal(audit_after, audit_before);
            /* The next run decides again and writes everything. */
            assert_int_equal(archase_run_cycle(eng, policy, DAY0 + 1, &o, NULL), 0);
            p.items = 0;
            assert_int_equal(archase_outbox_scan(eng, 0, count_any, &p), 0);
            assert_int_equal(p.items, 2);
            archase_engine_free(eng);
            passes++;
            continue;
        }
        assert_int_equal(p.items, 2);
        archase_engine_free(eng);
        break;
    }
    assert_true(passes > 10);
    archase_policy_free(policy);
}

/* A storage error at any call of a dispatch: whatever it interrupted, the
 * next dispatch delivers every message exactly once (lookup settles what
 * was handed over before the failure). */
static void a_storage_error_in_dispatch_never_sends_twice(void **state) {
    (void)state;
    archase_policy *policy = load_policy("");
    size_t passes = 0;
    for (size_t n = 1;; n++) {
        faultstore fs;
        archase_storage inner, wrapped;
        assert_int_equal(archase_memory_storage_new(NULL, &inner), 0);
        faultstore_wrap(&fs, &inner, 0, &wrapped);
        archase_instant now = (archase_instant)(DAY0 + 1) * 86400 + 12 * 3600;
        archase_clock clock = { ARCHASE_CLOCK_VERSION, &now, fixed_now };
        archase_engine_options eo = ARCHASE_ENGINE_OPTIONS_INIT;
        eo.clock = &clock;
        archase_engine *eng = NULL;
        assert_int_equal(archase_engine_open(&wrapped, &eo, &eng), 0);
        seed(eng);
        archase_cycle_options o = ARCHASE_CYCLE_OPTIONS_INIT;
        o.dispatch = 0;
        assert_int_equal(archase_run_cycle(eng, policy, DAY0 + 1, &o, NULL), 0);
        recorder *rec = calloc(1, sizeof *rec);
        rec->with_lookup = 1;
        archase_transport t = { ARCHASE_TRANSPORT_VERSION, rec, rec_send, rec_lookup, NULL };
        assert_int_equal(archase_engine_set_transport(eng, &t), 0);
        fs.fail_at = fs.calls + n;
        int rc = archase_dispatch(eng, NULL, NULL);
        fs.fail_at = 0;
        if (rc)
            assert_string_not_equal(archase_engine_errmsg(eng), "");
        assert_int_equal(archase_dispatch(eng, NULL, NULL), 0);
        tally t2;
        memset(&t2, 0, sizeof t2);
        assert_int_equal(archase_outbox_scan(eng, 0, count_item, &t2), 0);
        assert_int_equal(t2.by_status[ARCHASE_OUTBOX_SENT], 2);
        for (size_t i = 0; i < rec->n; i++)
            assert_int_equal(delivered(rec, rec->keys[i]), 1);
        archase_engine_free(eng);
        free(rec);
        if (!rc)
            break;
        passes++;
    }
    assert_true(passes > 5);
    archase_policy_free(policy);
}

typedef struct alloc_ctx {
    archase_policy *policy;
    size_t          items_after_failure;
} alloc_ctx;

static int noop_send(void *ud, const archase_message *m, int *result, char *detail, size_t size) {
    (void)ud, (void)m, (void)detail, (void)size;
    *result = ARCHASE_SEND_SENT;
    return 0;
}

static int cycle_scenario(const archase_allocator *allocator, void *ud) {
    alloc_ctx *x = ud;
    archase_instant now = (archase_instant)(DAY0 + 1) * 86400 + 12 * 3600;
    archase_clock clock = { ARCHASE_CLOCK_VERSION, &now, fixed_now };
    archase_engine_options eo = ARCHASE_ENGINE_OPTIONS_INIT;
    eo.clock = &clock;
    eo.allocator = allocator;
    archase_engine *eng = NULL;
    int rc = archase_open_memory(&eo, &eng);
    if (rc)
        return rc;
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = c.name = "acme";
    archase_contact k = ARCHASE_CONTACT_INIT;
    k.id = "acme-ap";
    k.customer_id = "acme";
    k.channel = ARCHASE_CHANNEL_EMAIL;
    k.address = "ap@acme.example";
    k.consent = 1;
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = inv.number = "A-1";
    inv.customer_id = "acme";
    inv.issue_date = DAY0 - 30;
    inv.due_date = DAY0;
    inv.amount = (archase_money){ 120000, "EUR" };
    archase_transport t = { ARCHASE_TRANSPORT_VERSION, NULL, noop_send, NULL, NULL };
    rc = archase_customer_put(eng, &c, NULL);
    if (!rc)
        rc = archase_contact_put(eng, &k, NULL);
    if (!rc)
        rc = archase_invoice_put(eng, &inv, NULL);
    if (!rc)
        rc = archase_engine_set_transport(eng, &t);
    if (!rc) {
        archase_cycle_options o = ARCHASE_CYCLE_OPTIONS_INIT;
        o.dispatch = 0;
        o.review = 1;
        rc = archase_run_cycle(eng, x->policy, DAY0 + 1, &o, NULL);
        probe p = { 0 };
        /* A failure in the cycle's transaction leaves no item behind. */
        if (rc && archase_outbox_scan(eng, 0, count_any, &p) == 0)
            x->items_after_failure += p.items;
    }
    found_item draft;
    memset(&draft, 0, sizeof draft);
    if (!rc)
        rc = archase_outbox_scan(eng, ARCHASE_OUTBOX_DRAFT, take_copy, &draft);
    if (!rc) {
        archase_review r = ARCHASE_REVIEW_INIT;
        r.reviewer = "rita";
        rc = archase_review_edit(eng, draft.id, &r, NULL, "Dear {{ customer.name }}: {{ totals.open_amount | money }}");
        found_item after;
        memset(&after, 0, sizeof after);
        /* A failed review leaves the draft as it was. */
        if (rc && archase_outbox_get(eng, draft.id, take_copy, &after) == 0 &&
            after.copy.status != ARCHASE_OUTBOX_DRAFT)
            x->items_after_failure++;
    }
    if (!rc)
        rc = archase_dispatch(eng, NULL, NULL);
    archase_engine_free(eng);
    return rc;
}

static void every_failing_allocation_leaves_nothing_half_written(void **state) {
    (void)state;
    alloc_ctx x = { load_policy(""), 0 };
    size_t allocations = failalloc_loop(cycle_scenario, NULL, &x);
    assert_true(allocations > 50);
    assert_int_equal(x.items_after_failure, 0);
    archase_policy_free(x.policy);
}

/* ---- real crashes (SQLite, a child process killed) ------------------------------------------- */

static int exit_after_send(void *ud, const archase_message *m, int *result, char *detail, size_t size) {
    archase_transport *file = ud;
    int rc = file->send(file->userdata, m, result, detail, size);
    (void)rc;
    kill(getpid(), SIGKILL); /* the process dies before the acknowledgement */
    return 0;
}

static size_t lines_of(const char *path) {
    FILE *fp = fopen(path, "r");
    if (!fp)
        return 0;
    size_t n = 0;
    int ch;
    while ((ch = fgetc(fp)) != EOF)
        n += ch == '\n';
    fclose(fp);
    return n;
}

static void crash_between_send_and_ack_is_reconciled_not_resent(void **state) {
    fixture *f = *state;
    char sent_path[128];
    snprintf(sent_path, sizeof sent_path, "%s/sent.jsonl", f->dir);
    archase_engine_free(f->eng); /* the child opens its own */
    f->eng = NULL;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        open_engine(f, NULL);
        archase_transport file;
        if (archase_file_transport_open(ARCHASE_FILE_TRANSPORT_JSONL, sent_path, NULL, &file))
            _exit(2);
        archase_transport t = { ARCHASE_TRANSPORT_VERSION, &file, exit_after_send, NULL, NULL };
        archase_engine_set_transport(f->eng, &t);
        archase_run_cycle(f->eng, f->policy, DAY0 + 1, NULL, NULL);
        _exit(3); /* not reached */
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGKILL);
    assert_int_equal(lines_of(sent_path), 1);
    open_engine(f, NULL);
    assert_int_equal(outbox(f, NULL).by_status[ARCHASE_OUTBOX_SENDING], 2); /* the claimed batch */
    archase_transport file;
    assert_int_equal(archase_file_transport_open(ARCHASE_FILE_TRANSPORT_JSONL, sent_path, NULL, &file), 0);
    assert_int_equal(archase_engine_set_transport(f->eng, &file), 0);
    archase_dispatch_report d = ARCHASE_DISPATCH_REPORT_INIT;
    assert_int_equal(archase_dispatch(f->eng, NULL, &d), 0);
    assert_int_equal(d.recovered, 2);
    assert_int_equal(d.reconciled_sent, 1);  /* the one written before the crash */
    assert_int_equal(d.reconciled_retry, 1); /* the one never handed over */
    assert_int_equal(d.sent, 1);
    assert_int_equal(lines_of(sent_path), 2); /* each message once */
    assert_int_equal(outbox(f, NULL).by_status[ARCHASE_OUTBOX_SENT], 2);
}

/* A backend that kills the process at its Nth put. */
typedef struct dying {
    archase_storage inner;
    int             puts_left;
} dying;

static dying g_dying;

static int dying_put(void *ud, const archase_record *rec) {
    dying *d = ud;
    if (--d->puts_left == 0)
        kill(getpid(), SIGKILL);
    return d->inner.put(d->inner.userdata, rec);
}

#define FWD(name, params, args) \
    static int dying_##name params { dying *d = ud; return d->inner.name args; }
FWD(get, (void *ud, int family, const char *id, archase_record_fn fn, void *ctx), (d->inner.userdata, family, id, fn, ctx))
FWD(scan, (void *ud, const archase_scan_filter *f, archase_record_fn fn, void *ctx), (d->inner.userdata, f, fn, ctx))
FWD(audit_append, (void *ud, const archase_audit_entry *e), (d->inner.userdata, e))
FWD(audit_read, (void *ud, uint64_t from, uint64_t to, archase_audit_fn fn, void *ctx), (d->inner.userdata, from, to, fn, ctx))
FWD(audit_size, (void *ud, uint64_t *out), (d->inner.userdata, out))
FWD(begin, (void *ud), (d->inner.userdata))
FWD(commit, (void *ud), (d->inner.userdata))
FWD(rollback, (void *ud), (d->inner.userdata))
static const char *dying_errmsg(void *ud) {
    dying *d = ud;
    return d->inner.errmsg(d->inner.userdata);
}

static void crash_before_commit_writes_nothing(void **state) {
    fixture *f = *state;
    uint64_t audit = test_audit_size(f->eng);
    archase_engine_free(f->eng);
    f->eng = NULL;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
        char err[256];
        if (archase_sqlite_storage_open(f->path, &so, NULL, &g_dying.inner, err, sizeof err))
            _exit(2);
        g_dying.puts_left = 4; /* in the middle of the cycle's transaction */
        archase_storage s;
        memset(&s, 0, sizeof s);
        s.version = ARCHASE_STORAGE_VERSION;
        s.userdata = &g_dying;
        s.get = dying_get;
        s.put = dying_put;
        s.scan = dying_scan;
        s.audit_append = dying_audit_append;
        s.audit_read = dying_audit_read;
        s.audit_size = dying_audit_size;
        s.begin = dying_begin;
        s.commit = dying_commit;
        s.rollback = dying_rollback;
        s.errmsg = dying_errmsg;
        archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
        o.clock = &f->clock;
        archase_engine *eng = NULL;
        if (archase_engine_open(&s, &o, &eng))
            _exit(2);
        archase_run_cycle(eng, f->policy, DAY0 + 1, NULL, NULL);
        _exit(3);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGKILL);
    open_engine(f, NULL);
    set_recorder(f);
    assert_int_equal(outbox(f, NULL).customer_email, 0);
    assert_int_equal(test_audit_size(f->eng), audit);
    /* The next run decides again. */
    archase_cycle_report rep = run_day(f, 1);
    assert_int_equal(rep.outbox_written, 2);
    assert_int_equal(rep.dispatch.sent, 2);
}

static void file_transports_write_each_message_once(void **state) {
    fixture *f = *state;
    char dir[] = "/tmp/archase-eml-XXXXXX";
    assert_non_null(mkdtemp(dir));
    archase_transport eml;
    assert_int_equal(archase_file_transport_open(ARCHASE_FILE_TRANSPORT_EML, dir, NULL, &eml), 0);
    assert_int_equal(archase_engine_set_transport(f->eng, &eml), 0);
    archase_cycle_report rep = run_day(f, 1);
    found_item x = item_of(f, 0);
    if (rep.dispatch.sent != 2)
        fail_msg("not written: %s", x.last_detail);
    int lookup = 0;
    assert_int_equal(f->eng->transport.lookup(f->eng->transport.userdata, outbox(f, "acme").last_id, &lookup), 0);
    assert_int_equal(lookup, ARCHASE_LOOKUP_SENT);
    assert_int_equal(f->eng->transport.lookup(f->eng->transport.userdata, "never#1", &lookup), 0);
    assert_int_equal(lookup, ARCHASE_LOOKUP_NOT_SENT);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "test $(ls '%s' | grep -c '\\.eml$') -eq 2 && grep -q '^To: <ap@acme.example>' '%s'/*", dir, dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(archase_engine_set_transport(f->eng, NULL), 0); /* closes it */
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    archase_transport bad;
    assert_int_equal(archase_file_transport_open(ARCHASE_FILE_TRANSPORT_EML, "/nonexistent/dir", NULL, &bad),
                     ARCHASE_ENOTFOUND);
    assert_int_equal(archase_file_transport_open(7, dir, NULL, &bad), ARCHASE_EINVAL);
}

static void bad_arguments_are_refused(void **state) {
    fixture *f = *state;
    archase_cycle_report rep;
    memset(&rep, 0, sizeof rep);
    rep.version = 99;
    assert_int_equal(archase_run_cycle(NULL, f->policy, DAY0, NULL, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_run_cycle(f->eng, NULL, DAY0, NULL, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_run_cycle(f->eng, f->policy, DAY0, NULL, &rep), ARCHASE_EVERSION);
    archase_cycle_options o;
    assert_int_equal(archase_cycle_options_init(&o, 2), ARCHASE_EVERSION);
    assert_int_equal(archase_cycle_options_init(&o, ARCHASE_CYCLE_OPTIONS_VERSION), 0);
    archase_transport t = { ARCHASE_TRANSPORT_VERSION, NULL, NULL, NULL, NULL };
    assert_int_equal(archase_engine_set_transport(f->eng, &t), ARCHASE_EINVAL);
    t.version = 5;
    assert_int_equal(archase_engine_set_transport(f->eng, &t), ARCHASE_EVERSION);
    assert_int_equal(archase_engine_set_transport(f->eng, NULL), 0);
    assert_int_equal(archase_dispatch(f->eng, NULL, NULL), ARCHASE_ESTATE); /* no transport */
    assert_int_equal(archase_outbox_scan(f->eng, 77, count_any, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_outbox_get(f->eng, "nope", count_any, NULL), ARCHASE_ENOTFOUND);
    assert_int_equal(archase_outbox_resolve(f->eng, "nope", ARCHASE_RESOLVE_SENT, "a", "b"), ARCHASE_ENOTFOUND);
}

#define BOTH(fn) cmocka_unit_test_setup_teardown(fn, setup_memory, teardown), \
                 cmocka_unit_test_setup_teardown(fn, setup_sqlite, teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        BOTH(one_message_per_customer_sent_once),
        BOTH(rerun_of_the_same_day_changes_and_sends_nothing),
        BOTH(nothing_goes_out_before_its_time),
        BOTH(catch_up_after_five_missed_days_sends_one_per_customer),
        BOTH(payment_between_runs_stops_the_next_message),
        BOTH(payment_cancels_a_queued_message),
        BOTH(payment_or_hold_after_the_cycle_stops_what_dispatch_would_send),
        BOTH(a_payment_dated_later_does_not_stop_todays_message),
        BOTH(failures_retry_with_backoff_then_die_with_an_alert),
        BOTH(rejected_dies_at_once),
        BOTH(in_doubt_is_looked_up_not_resent),
        BOTH(in_doubt_without_lookup_waits_for_a_person),
        BOTH(review_approve_edit_reject),
        BOTH(policy_review_per_segment),
        BOTH(no_public_path_sends_an_unapproved_sensitive_action),
        BOTH(file_transports_write_each_message_once),
        BOTH(bad_arguments_are_refused),
        cmocka_unit_test_setup_teardown(crash_between_send_and_ack_is_reconciled_not_resent, setup_sqlite, teardown),
        cmocka_unit_test_setup_teardown(crash_before_commit_writes_nothing, setup_sqlite, teardown),
        cmocka_unit_test(a_storage_error_at_any_call_leaves_nothing_half_written),
        cmocka_unit_test(a_storage_error_in_dispatch_never_sends_twice),
        cmocka_unit_test(every_failing_allocation_leaves_nothing_half_written),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name(__FILE__, tests, NULL, NULL);
}
