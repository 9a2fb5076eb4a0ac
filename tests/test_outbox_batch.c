/* tests/test_outbox_batch.c — outbox claims and batch acknowledgements
 * (outbox_settle) through the storage interface: all or none, in (instant,
 * id) order whatever was put, moved or rolled back before, the same on
 * every backend, under allocation failures; and dispatch on a version 1
 * backend, which has no outbox_settle, ending exactly where a version 2
 * backend ends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archase/archase.h"
#include "support/failalloc.h"
#include "support/faultstore.h"
#include "support/testutil.h"

/* ---- backends ------------------------------------------------------------------ */

typedef struct opened {
    archase_storage s;
    archase_storage inner;
    faultstore      fault;
    char            dir[64];
    char            path[96];
} opened;

enum { MEMORY, SQLITE, FAULTY_MEMORY, FAULTY_SQLITE, NBACKENDS };
static const char *const names[] = { "memory", "sqlite", "faulty(memory)", "faulty(sqlite)" };

static void open_kind(int kind, const archase_allocator *a, opened *o) {
    memset(o, 0, sizeof *o);
    if (kind == SQLITE || kind == FAULTY_SQLITE) {
        snprintf(o->dir, sizeof o->dir, "/tmp/archase-outbox-XXXXXX");
        assert_non_null(mkdtemp(o->dir));
        snprintf(o->path, sizeof o->path, "%s/ledger.db", o->dir);
        archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
        so.synchronous = ARCHASE_SQLITE_SYNC_NORMAL;
        char err[256];
        if (archase_sqlite_storage_open(o->path, &so, NULL, &o->inner, err, sizeof err))
            fail_msg("%s: %s", names[kind], err);
    } else {
        assert_int_equal(archase_memory_storage_new(a, &o->inner), 0);
    }
    if (kind == FAULTY_MEMORY || kind == FAULTY_SQLITE)
        faultstore_wrap(&o->fault, &o->inner, 0, &o->s);
    else
        o->s = o->inner;
}

static void close_kind(opened *o) {
    o->s.close(o->s.userdata);
    if (!o->dir[0])
        return;
    const char *suffixes[] = { "", "-wal", "-shm", "-journal" };
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char p[128];
        snprintf(p, sizeof p, "%s%s", o->path, suffixes[i]);
        unlink(p);
    }
    rmdir(o->dir);
}

/* ---- records ------------------------------------------------------------------- */

static int put_item(opened *o, const char *id, int status, archase_instant due) {
    archase_record r = ARCHASE_RECORD_INIT;
    r.family = ARCHASE_FAMILY_OUTBOX;
    r.id = id;
    r.customer_id = "C1";
    r.invoice_id = "I1";
    r.status = status;
    r.instant = due;
    r.amount = 500;
    memcpy(r.currency, "EUR", 4);
    r.data = "old";
    r.size = 3;
    return o->s.put(o->s.userdata, &r);
}

typedef struct item_state {
    int             found;
    int             status;
    archase_instant instant;
    char            data[16];
    char            customer[8];
    int64_t         amount;
} item_state;

static int take_state(void *ctx, const archase_record *r) {
    item_state *s = ctx;
    s->found = 1;
    s->status = r->status;
    s->instant = r->instant;
    snprintf(s->data, sizeof s->data, "%.*s", (int)r->size, r->data ? (const char *)r->data : "");
    snprintf(s->customer, sizeof s->customer, "%s", r->customer_id ? r->customer_id : "");
    s->amount = r->amount;
    return 0;
}

static item_state state_of(opened *o, const char *id) {
    item_state s;
    memset(&s, 0, sizeof s);
    int rc = o->s.get(o->s.userdata, ARCHASE_FAMILY_OUTBOX, id, take_state, &s);
    assert_true(rc == 0 || rc == ARCHASE_ENOTFOUND);
    return s;
}

typedef struct claimed {
    size_t n;
    char   ids[64][16];
} claimed;

static int take_claim(void *ctx, const archase_record *r) {
    claimed *c = ctx;
    assert_int_equal(r->status, ARCHASE_OUTBOX_SENDING);
    if (c->n < 64)
        snprintf(c->ids[c->n], sizeof c->ids[0], "%s", r->id);
    c->n++;
    return 0;
}

static archase_record ack(const char *id, int status, archase_instant at, const char *data) {
    archase_record r = ARCHASE_RECORD_INIT;
    r.family = ARCHASE_FAMILY_OUTBOX;
    r.id = id;
    r.status = status;
    r.instant = at;
    r.data = data;
    r.size = strlen(data);
    return r;
}

/* ---- settle: all or none -------------------------------------------------------- */

static void check_settle(int kind) {
    opened o;
    open_kind(kind, NULL, &o);
    assert_non_null(o.s.outbox_settle);
    assert_int_equal(put_item(&o, "m1", ARCHASE_OUTBOX_PENDING, 1000), 0);
    assert_int_equal(put_item(&o, "m2", ARCHASE_OUTBOX_PENDING, 1000), 0);
    assert_int_equal(put_item(&o, "m3", ARCHASE_OUTBOX_FAILED_RETRY, 1500), 0);
    assert_int_equal(put_item(&o, "m4", ARCHASE_OUTBOX_PENDING, 1000), 0);
    claimed c;
    memset(&c, 0, sizeof c);
    assert_int_equal(o.s.outbox_claim(o.s.userdata, 2000, 3, take_claim, &c), 0);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.ids[0], "m1");
    assert_string_equal(c.ids[1], "m2");
    assert_string_equal(c.ids[2], "m4");

    /* One record that is not sending, absent, named twice, or a status an
     * acknowledgement cannot set: nothing changes. */
    archase_record pending[] = { ack("m1", ARCHASE_OUTBOX_SENT, 5000, "new1"),
                                 ack("m3", ARCHASE_OUTBOX_SENT, 5000, "new3") };
    archase_record absent[] = { ack("m1", ARCHASE_OUTBOX_SENT, 5000, "new1"),
                                ack("zz", ARCHASE_OUTBOX_SENT, 5000, "newz") };
    archase_record twice[] = { ack("m1", ARCHASE_OUTBOX_SENT, 5000, "new1"),
                               ack("m1", ARCHASE_OUTBOX_DEAD, 5000, "new1") };
    archase_record back[] = { ack("m1", ARCHASE_OUTBOX_SENT, 5000, "new1"),
                              ack("m2", ARCHASE_OUTBOX_PENDING, 5000, "new2") };
    assert_int_equal(o.s.outbox_settle(o.s.userdata, pending, 2), ARCHASE_ESTATE);
    assert_int_equal(o.s.outbox_settle(o.s.userdata, absent, 2), ARCHASE_ENOTFOUND);
    assert_int_equal(o.s.outbox_settle(o.s.userdata, twice, 2), ARCHASE_ESTATE);
    assert_int_equal(o.s.outbox_settle(o.s.userdata, back, 2), ARCHASE_ESTATE);
    assert_int_equal(o.s.outbox_settle(o.s.userdata, NULL, 0), 0);
    const char *sending[] = { "m1", "m2", "m4" };
    for (size_t i = 0; i < 3; i++) {
        item_state s = state_of(&o, sending[i]);
        assert_int_equal(s.status, ARCHASE_OUTBOX_SENDING);
        assert_int_equal(s.instant, 1000);
        assert_string_equal(s.data, "old");
    }

    /* Inside a transaction that rolls back: undone, and nothing claimable
     * appears or goes missing. */
    archase_record retry_m4[] = { ack("m4", ARCHASE_OUTBOX_FAILED_RETRY, 1200, "r4") };
    assert_int_equal(o.s.begin(o.s.userdata), 0);
    assert_int_equal(o.s.outbox_settle(o.s.userdata, retry_m4, 1), 0);
    assert_int_equal(state_of(&o, "m4").status, ARCHASE_OUTBOX_FAILED_RETRY);
    assert_int_equal(o.s.rollback(o.s.userdata), 0);
    assert_int_equal(state_of(&o, "m4").status, ARCHASE_OUTBOX_SENDING);
    assert_string_equal(state_of(&o, "m4").data, "old");

    /* Every outcome in one call; the envelope's other fields stay. */
    archase_record all[] = { ack("m1", ARCHASE_OUTBOX_SENT, 5000, "sent1"),
                             ack("m2", ARCHASE_OUTBOX_FAILED_RETRY, 6000, "retry2"),
                             ack("m4", ARCHASE_OUTBOX_IN_DOUBT, 5000, "doubt4") };
    assert_int_equal(o.s.outbox_settle(o.s.userdata, all, 3), 0);
    item_state m1 = state_of(&o, "m1"), m2 = state_of(&o, "m2"), m4 = state_of(&o, "m4");
    assert_int_equal(m1.status, ARCHASE_OUTBOX_SENT);
    assert_int_equal(m1.instant, 5000);
    assert_string_equal(m1.data, "sent1");
    assert_string_equal(m1.customer, "C1");
    assert_int_equal(m1.amount, 500);
    assert_int_equal(m2.status, ARCHASE_OUTBOX_FAILED_RETRY);
    assert_string_equal(m2.data, "retry2");
    assert_int_equal(m4.status, ARCHASE_OUTBOX_IN_DOUBT);
    assert_int_equal(o.s.outbox_settle(o.s.userdata, all, 1), ARCHASE_ESTATE); /* sent already */

    /* m3 is due at 1500, m2 again at 6000. */
    memset(&c, 0, sizeof c);
    assert_int_equal(o.s.outbox_claim(o.s.userdata, 5999, 10, take_claim, &c), 0);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.ids[0], "m3");
    memset(&c, 0, sizeof c);
    assert_int_equal(o.s.outbox_claim(o.s.userdata, 6000, 10, take_claim, &c), 0);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.ids[0], "m2");
    close_kind(&o);
}

static void a_batch_acknowledgement_is_all_or_none(void **state) {
    (void)state;
    for (int k = 0; k < NBACKENDS; k++)
        check_settle(k);
}

/* ---- claims in order, whatever happened before ------------------------------------ */

static uint64_t next_random(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static const int statuses[] = { ARCHASE_OUTBOX_PENDING, ARCHASE_OUTBOX_FAILED_RETRY, ARCHASE_OUTBOX_SENT,
                                 ARCHASE_OUTBOX_DRAFT,   ARCHASE_OUTBOX_DEAD,         ARCHASE_OUTBOX_PENDING };

/* The same random puts, deletes, claims, acknowledgements and rolled-back
 * transactions on the memory store and on SQLite: every claim returns the
 * same items in the same order, (instant, id) ascending. */
static void claims_return_due_items_in_order_on_every_backend(void **state) {
    (void)state;
    opened mem, sql;
    open_kind(MEMORY, NULL, &mem);
    open_kind(SQLITE, NULL, &sql);
    opened *both[2] = { &mem, &sql };
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    int steps = test_rounds(600, 4);
    size_t total = 0;
    for (int step = 0; step < steps; step++) {
        uint64_t r = next_random(&seed);
        int op = (int)(r % 10);
        char id[16];
        snprintf(id, sizeof id, "i%03u", (unsigned)((r >> 8) % 120));
        archase_instant due = (archase_instant)((r >> 20) % 50) * 10;
        int status = statuses[(r >> 32) % (sizeof statuses / sizeof statuses[0])];
        int txn = op == 9;
        if (txn)
            for (int b = 0; b < 2; b++)
                assert_int_equal(both[b]->s.begin(both[b]->s.userdata), 0);
        if (op < 5 || txn) {
            for (int b = 0; b < 2; b++)
                assert_int_equal(put_item(both[b], id, status, due), 0);
        } else if (op == 5) {
            int rc0 = mem.s.del(mem.s.userdata, ARCHASE_FAMILY_OUTBOX, id);
            int rc1 = sql.s.del(sql.s.userdata, ARCHASE_FAMILY_OUTBOX, id);
            assert_int_equal(rc0, rc1);
        }
        if (op >= 6 || txn) {
            archase_instant now = (archase_instant)((r >> 40) % 60) * 10;
            uint32_t limit = (uint32_t)((r >> 48) % 9) + 1;
            claimed c[2];
            memset(c, 0, sizeof c);
            for (int b = 0; b < 2; b++)
                assert_int_equal(both[b]->s.outbox_claim(both[b]->s.userdata, now, limit, take_claim, &c[b]), 0);
            assert_int_equal(c[0].n, c[1].n);
            for (size_t i = 0; i < c[0].n; i++) {
                assert_string_equal(c[0].ids[i], c[1].ids[i]);
                if (i) {
                    item_state p = state_of(&mem, c[0].ids[i - 1]), q = state_of(&mem, c[0].ids[i]);
                    assert_true(p.instant < q.instant ||
                                (p.instant == q.instant && strcmp(c[0].ids[i - 1], c[0].ids[i]) < 0));
                }
            }
            total += c[0].n;
            /* Half of them are acknowledged now, one in three of those to retry. */
            archase_record acks[64];
            uint32_t n = 0;
            for (size_t i = 0; i < c[0].n; i += 2)
                acks[n++] = ack(c[0].ids[i], i % 3 ? ARCHASE_OUTBOX_SENT : ARCHASE_OUTBOX_FAILED_RETRY,
                                now + 20, "acked");
            for (int b = 0; b < 2; b++)
                assert_int_equal(both[b]->s.outbox_settle(both[b]->s.userdata, acks, n), 0);
        }
        if (txn)
            for (int b = 0; b < 2; b++)
                assert_int_equal(both[b]->s.rollback(both[b]->s.userdata), 0);
    }
    assert_true(total > 0);
    close_kind(&mem);
    close_kind(&sql);
}

/* ---- allocation failures ------------------------------------------------------------ */

static int settle_scenario(const archase_allocator *a, void *ctx) {
    (void)ctx;
    opened o;
    memset(&o, 0, sizeof o);
    int rc = archase_memory_storage_new(a, &o.inner);
    if (rc)
        return rc;
    o.s = o.inner;
    char id[16];
    for (int i = 0; i < 40 && !rc; i++) {
        snprintf(id, sizeof id, "m%02d", i);
        rc = put_item(&o, id, ARCHASE_OUTBOX_PENDING, 100 + i % 7);
    }
    claimed c;
    memset(&c, 0, sizeof c);
    if (!rc)
        rc = o.s.outbox_claim(o.s.userdata, 1000, 30, take_claim, &c);
    if (!rc) {
        assert_int_equal(c.n, 30);
        archase_record acks[30];
        for (size_t i = 0; i < 30; i++)
            acks[i] = ack(c.ids[i], ARCHASE_OUTBOX_SENT, 2000, "a longer acknowledged record");
        rc = o.s.outbox_settle(o.s.userdata, acks, 30);
        /* All or none, and the claims of a failed claim are not kept. */
        for (size_t i = 0; i < 30; i++)
            assert_int_equal(state_of(&o, c.ids[i]).status, rc ? ARCHASE_OUTBOX_SENDING : ARCHASE_OUTBOX_SENT);
    } else if (rc == ARCHASE_ENOMEM) {
        for (int i = 0; i < 40; i++) {
            snprintf(id, sizeof id, "m%02d", i);
            item_state s = state_of(&o, id);
            assert_true(!s.found || s.status == ARCHASE_OUTBOX_PENDING);
        }
    }
    close_kind(&o);
    return rc;
}

static void claims_and_settles_without_memory_change_nothing(void **state) {
    (void)state;
    assert_true(failalloc_loop(settle_scenario, NULL, NULL) > 0);
}

/* ---- dispatch on a version 1 backend ---------------------------------------------------- */

static const char policy_text[] =
    TEST_POLICY_ONE_SEGMENT
    "      - {offset: 1, channel: email, template: overdue}\n"
    "call_queue: {enabled: false}\n"
    "guardrails:\n"
    "  max_touches_per_7_days: 7\n"
    "  min_days_between_touches: 0\n"
    "  quiet_hours: {start: \"20:00\", end: \"08:00\"}\n"
    "  send_window: {start: \"09:00\", end: \"17:00\", days: [mon, tue, wed, thu, fri, sat, sun]}\n"
    "  business_days_only: false\n"
    "  timezone: UTC\n"
    "payment_patterns: {enabled: false}\n"
    "delivery: {max_attempts: 2, retry_backoff_minutes: 1, digest_weekday: none}\n"
    "templates:\n"
    "  definitions:\n"
    "    overdue:\n"
    "      stage: overdue\n"
    "      tone: firm\n"
    "      email: {en: {subject: \"Invoice {{ invoice.number }} is overdue\",\n"
    "                   body: \"Dear {{ customer.name }}, {{ totals.open_amount | money }} is open.\"}}\n";

#define DAY0 20484 /* 2026-01-31 */

static archase_instant fixed_now(void *ud) {
    return *(archase_instant *)ud;
}

/* Sends: messages to customers whose id ends in 0 are rejected, in 1 asked
 * to retry, in 2 unknown; the rest, and internal ones, go. */
static int mixed_send(void *ud, const archase_message *m, int *result, char *detail, size_t size) {
    (void)ud;
    char last = m->customer_id && m->channel != ARCHASE_CHANNEL_INTERNAL ? m->customer_id[strlen(m->customer_id) - 1]
                                                                        : '9';
    *result = last == '0' ? ARCHASE_SEND_REJECTED
              : last == '1' ? ARCHASE_SEND_RETRY
              : last == '2' ? ARCHASE_SEND_UNKNOWN
                            : ARCHASE_SEND_SENT;
    snprintf(detail, size, "answer %c", last);
    return 0;
}

static int no_settle(void *ud, const archase_record *records, uint32_t count) {
    (void)ud, (void)records, (void)count;
    fail_msg("a version 1 backend has no outbox_settle");
    return ARCHASE_EUNSUPPORTED;
}

typedef struct outcome {
    archase_dispatch_report rep;
    uint64_t                audit;
    size_t                  by_status[9];
    uint8_t                 root[ARCHASE_HASH_SIZE];
} outcome;

static int count_status(void *ud, const archase_outbox_item *it) {
    outcome *o = ud;
    if (it->status > 0 && it->status < 9)
        o->by_status[it->status]++;
    return 0;
}

static outcome dispatch_on(int version) {
    archase_storage inner;
    assert_int_equal(archase_memory_storage_new(NULL, &inner), 0);
    if (version == 1) {
        inner.version = 1;
        inner.outbox_settle = no_settle; /* beyond a version 1 table: never read */
    }
    archase_instant now = (archase_instant)(DAY0 + 1) * 86400 + 12 * 3600;
    archase_clock clock = { ARCHASE_CLOCK_VERSION, &now, fixed_now };
    archase_engine_options eo = ARCHASE_ENGINE_OPTIONS_INIT;
    eo.clock = &clock;
    archase_engine *eng = NULL;
    assert_int_equal(archase_engine_open(&inner, &eo, &eng), 0);
    for (int i = 0; i < 12; i++) {
        char cid[16], kid[24], iid[16];
        snprintf(cid, sizeof cid, "cust%02d", i);
        snprintf(kid, sizeof kid, "%s-ap", cid);
        snprintf(iid, sizeof iid, "INV-%02d", i);
        archase_customer c = ARCHASE_CUSTOMER_INIT;
        c.id = cid;
        c.name = cid;
        assert_int_equal(archase_customer_put(eng, &c, NULL), 0);
        test_put_contact(eng, kid, cid, ARCHASE_CHANNEL_EMAIL, "ap@example.com");
        archase_invoice inv = ARCHASE_INVOICE_INIT;
        inv.id = iid;
        inv.number = iid;
        inv.customer_id = cid;
        inv.issue_date = DAY0 - 30;
        inv.due_date = DAY0;
        inv.amount = (archase_money){ 10000 + i, "EUR" };
        assert_int_equal(archase_invoice_put(eng, &inv, NULL), 0);
    }
    archase_policy *policy = NULL;
    assert_int_equal(archase_policy_load_buffer(policy_text, strlen(policy_text), "p.yaml", NULL, &policy, NULL), 0);
    archase_cycle_options co = ARCHASE_CYCLE_OPTIONS_INIT;
    co.dispatch = 0;
    assert_int_equal(archase_run_cycle(eng, policy, DAY0 + 1, &co, NULL), 0);
    archase_transport t = { ARCHASE_TRANSPORT_VERSION, NULL, mixed_send, NULL, NULL };
    assert_int_equal(archase_engine_set_transport(eng, &t), 0);
    outcome out;
    memset(&out, 0, sizeof out);
    archase_dispatch_options o = ARCHASE_DISPATCH_OPTIONS_INIT;
    o.batch = 5; /* several batches */
    out.rep.version = ARCHASE_DISPATCH_REPORT_VERSION;
    assert_int_equal(archase_dispatch(eng, &o, &out.rep), 0);
    now += 3600; /* the retries are due, the items in doubt stay */
    assert_int_equal(archase_dispatch(eng, &o, NULL), 0);
    assert_int_equal(archase_outbox_scan(eng, 0, count_status, &out), 0);
    assert_int_equal(archase_audit_size(eng, &out.audit), 0);
    archase_audit_report ar = { .version = ARCHASE_AUDIT_REPORT_VERSION };
    assert_int_equal(archase_audit_verify(eng, NULL, &ar), 0);
    assert_int_equal(ar.problem, ARCHASE_AUDIT_PROBLEM_NONE);
    assert_int_equal(ar.size, out.audit);
    memcpy(out.root, ar.root, sizeof out.root);
    archase_policy_free(policy);
    archase_engine_free(eng);
    return out;
}

static void a_version_1_backend_dispatches_to_the_same_end(void **state) {
    (void)state;
    outcome v1 = dispatch_on(1), v2 = dispatch_on(2);
    /* cust00 ... cust11: 00 and 10 rejected, 01 and 11 retried, 02 unknown,
     * seven sent; then the dead items' alerts. */
    assert_true(v2.rep.claimed >= 12);
    assert_true(v2.rep.sent >= 7);
    assert_int_equal(v2.rep.dead, 2);
    assert_int_equal(v2.rep.retried, 2);
    assert_int_equal(v2.rep.in_doubt, 1);
    assert_int_equal(v1.rep.sent, v2.rep.sent);
    assert_int_equal(v1.rep.dead, v2.rep.dead);
    assert_int_equal(v1.rep.retried, v2.rep.retried);
    assert_int_equal(v1.rep.in_doubt, v2.rep.in_doubt);
    assert_int_equal(v1.audit, v2.audit);
    for (int s = 0; s < 9; s++)
        assert_int_equal(v1.by_status[s], v2.by_status[s]);
    assert_memory_equal(v1.root, v2.root, sizeof v1.root);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(a_batch_acknowledgement_is_all_or_none),
    cmocka_unit_test(claims_return_due_items_in_order_on_every_backend),
    cmocka_unit_test(claims_and_settles_without_memory_change_nothing),
    cmocka_unit_test(a_version_1_backend_dispatches_to_the_same_end),
};

AR_TEST_MAIN(tests)
