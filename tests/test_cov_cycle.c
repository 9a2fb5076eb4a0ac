/* tests/test_cov_cycle.c — the day after: a cycle that cancels a message
 * queued before its customer went on hold, carries out an approved legal
 * notice and writes an owner's weekly digest, run with a storage failure at
 * each of its calls and an allocation failure at each of its allocations:
 * every failure leaves the outbox, the approvals and the audit log exactly
 * as they were, and the run after it writes what a run without failures
 * writes. Also the cycle's arguments (options and report of another
 * version, an open batch), and outbox records a backend hands back altered
 * (bytes that are not a record, a record of another kind), which the cycle,
 * the dispatch and the scans refuse with a storage error naming the item;
 * and an approved action whose approval lapsed after the cycle, refused at
 * dispatch and when a person resends it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/failalloc.h"
#include "support/faultstore.h"
#include "support/policyload.h"
#include "support/testutil.h"

#define DAY0 20484 /* 2026-01-31, a Saturday */
#define DAY_A (DAY0 + 1)
#define DAY_B (DAY0 + 2) /* a Monday: the digest's day */

static const char policy_text[] =
    TEST_POLICY_ONE_SEGMENT
    "      - {offset: 1, channel: email, template: overdue}\n"
    "      - {offset: 2, action: queue_call}\n"
    "      - {offset: 20, action: legal_notice, template: notice}\n"
    "approvals: {approvers_below: 1, approvers_above: 1, roles: [finance_lead]}\n"
    "delivery: {digest_weekday: mon}\n"
    TEST_POLICY_ANY_TIME
    "templates:\n"
    "  definitions:\n"
    "    overdue:\n"
    "      stage: overdue\n"
    TEST_POLICY_OVERDUE_EMAIL
    "    notice:\n"
    "      stage: final\n"
    "      letter: {en: {body: \"Final notice for {{ invoice.number }}.\"}}\n";

/* The policy of this file (fails the test with the load error). */
static archase_policy *load_policy(void) {
    return test_policy_load_ok(policy_text);
}

/* ---- a backend that can alter the outbox records it hands back ------------- */

typedef struct tamper {
    alterstore store;
    int        mode;    /* 0 = honest, 1 = garbage bytes, 2 = an invoice's bytes */
    uint8_t    other[4096];
    size_t     other_size;
} tamper;

static int keep_bytes(void *ctx, const archase_record *rec) {
    tamper *t = ctx;
    t->other_size = rec->size < sizeof t->other ? rec->size : sizeof t->other;
    memcpy(t->other, rec->data, t->other_size);
    return 0;
}

static int altered(void *userdata, const archase_record *rec, archase_record *out) {
    tamper *t = userdata;
    if (!t->mode || rec->family != ARCHASE_FAMILY_OUTBOX || !rec->data)
        return 0;
    static const uint8_t garbage[] = { 0xff, 0x00, 0x13, 0x37 };
    *out = *rec;
    if (t->mode == 1) {
        out->data = garbage;
        out->size = sizeof garbage;
    } else {
        out->data = t->other;
        out->size = t->other_size;
    }
    return 1;
}

/* A memory backend behind the tamper `t` (owned by the caller). */
static void tamper_wrap(tamper *t, archase_storage *out) {
    memset(t, 0, sizeof *t);
    alterstore_wrap(&t->store, altered, t, out);
}

/* ---- the ledger ------------------------------------------------------------- */

typedef struct fixture {
    archase_engine *eng;
    archase_policy *policy;
    archase_instant now;
    archase_clock   clock;
    faultstore     *fs;
    tamper         *tp;
} fixture;

static archase_instant fixed_now(void *userdata) {
    return *(archase_instant *)userdata;
}

static void put_customer(archase_engine *eng, const char *id, const char *collector, archase_date due) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = id;
    c.name = id;
    c.collector = collector;
    assert_int_equal(archase_customer_put(eng, &c, NULL), 0);
    char kid[32], iid[32];
    snprintf(kid, sizeof kid, "K-%s", id);
    snprintf(iid, sizeof iid, "I-%s", id);
    test_put_contact(eng, kid, id, ARCHASE_CHANNEL_EMAIL, "ap@example.com");
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = iid;
    inv.customer_id = id;
    inv.number = iid;
    inv.issue_date = due - 30;
    inv.due_date = due;
    inv.amount = (archase_money){ 50000, "EUR" };
    assert_int_equal(archase_invoice_put(eng, &inv, NULL), 0);
}

static int first_approval(void *ud, const archase_approval_info *info) {
    snprintf(ud, ARCHASE_APPROVAL_ID_MAX, "%s", info->id);
    return 1;
}

static void run(fixture *f, archase_date day, int expect) {
    archase_cycle_options co = ARCHASE_CYCLE_OPTIONS_INIT;
    co.dispatch = 0;
    int rc = archase_run_cycle(f->eng, f->policy, day, &co, NULL);
    if (rc != expect)
        fail_msg("cycle of %d: %d %s", (int)day, rc, archase_engine_errmsg(f->eng));
}

/* Day A: HOLD gets an e-mail (then goes on hold), CALL a call for its
 * collector "sam", LEGAL a request for a legal notice (then approved by
 * "lena"). The engine runs over `storage` (NULL = memory) with `a`. */
static void open_day_a(fixture *f, const archase_storage *storage, const archase_allocator *a) {
    f->now = (archase_instant)DAY_A * 86400 + 9 * 3600;
    f->clock = (archase_clock){ ARCHASE_CLOCK_VERSION, &f->now, fixed_now };
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    o.clock = &f->clock;
    o.actor = "cycle";
    o.allocator = a;
    if (storage)
        assert_int_equal(archase_engine_open(storage, &o, &f->eng), 0);
    else
        assert_int_equal(archase_open_memory(&o, &f->eng), 0);
    if (!f->policy)
        f->policy = load_policy();
    put_customer(f->eng, "HOLD", NULL, DAY0);
    put_customer(f->eng, "CALL", "sam", DAY0 - 1);
    put_customer(f->eng, "LEGAL", NULL, DAY0 - 19);
    run(f, DAY_A, 0);
    archase_customer_flags fl = ARCHASE_CUSTOMER_FLAGS_INIT;
    fl.customer_id = "HOLD";
    fl.hold = 1;
    fl.reason = "negotiation";
    assert_int_equal(archase_customer_flags_put(f->eng, &fl, NULL), 0);
    char id[ARCHASE_APPROVAL_ID_MAX] = "";
    assert_int_equal(archase_approvals_scan(f->eng, ARCHASE_APPROVAL_PENDING, first_approval, id), 0);
    assert_true(id[0] != '\0');
    archase_approval_vote v = ARCHASE_APPROVAL_VOTE_INIT;
    v.actor = "lena";
    v.role = "finance_lead";
    v.reason = "long overdue, no answer";
    int status = 0;
    assert_int_equal(archase_approval_approve(f->eng, id, &v, &status), 0);
    assert_int_equal(status, ARCHASE_APPROVAL_APPROVED);
    f->now = (archase_instant)DAY_B * 86400 + 9 * 3600;
}

static void close_fixture(fixture *f) {
    archase_engine_free(f->eng);
    f->eng = NULL;
}

/* What a failure must leave alone: the outbox by status and text, the
 * approvals by status, the size of the audit log. */
typedef struct state {
    uint64_t audit;
    size_t   items;
    int      status_sum;
    char     ids[1024];
    int      approvals[8];
} state;

static int fold_item(void *ud, const archase_outbox_item *it) {
    state *s = ud;
    s->items++;
    s->status_sum += it->status * (int)s->items;
    strncat(s->ids, it->id, sizeof s->ids - strlen(s->ids) - 2);
    strcat(s->ids, ";");
    return 0;
}

static int fold_approval(void *ud, const archase_approval_info *info) {
    state *s = ud;
    if (info->status >= 0 && info->status < 8)
        s->approvals[info->status]++;
    return 0;
}

static state state_of(archase_engine *eng) {
    state s;
    memset(&s, 0, sizeof s);
    assert_int_equal(archase_audit_size(eng, &s.audit), 0);
    assert_int_equal(archase_outbox_scan(eng, 0, fold_item, &s), 0);
    assert_int_equal(archase_approvals_scan(eng, 0, fold_approval, &s), 0);
    return s;
}

static void assert_same_state(const state *a, const state *b) {
    assert_int_equal(a->audit, b->audit);
    assert_int_equal(a->items, b->items);
    assert_int_equal(a->status_sum, b->status_sum);
    assert_string_equal(a->ids, b->ids);
    assert_memory_equal(a->approvals, b->approvals, sizeof a->approvals);
}

/* Day B without failures, once, as the reference. */
static state reference_day_b(archase_cycle_report *out) {
    fixture f;
    memset(&f, 0, sizeof f);
    open_day_a(&f, NULL, NULL);
    archase_cycle_options co = ARCHASE_CYCLE_OPTIONS_INIT;
    co.dispatch = 0;
    archase_cycle_report rep;
    memset(&rep, 0, sizeof rep);
    rep.version = ARCHASE_CYCLE_REPORT_VERSION;
    assert_int_equal(archase_run_cycle(f.eng, f.policy, DAY_B, &co, &rep), 0);
    state s = state_of(f.eng);
    if (out)
        *out = rep;
    close_fixture(&f);
    archase_policy_free(f.policy);
    return s;
}

static void the_day_after_cancels_carries_out_and_digests(void **state_) {
    (void)state_;
    archase_cycle_report rep;
    state s = reference_day_b(&rep);
    assert_int_equal(rep.cancelled, 1);         /* HOLD's e-mail */
    assert_int_equal(rep.approved_actions, 1);  /* LEGAL's notice */
    assert_int_equal(rep.digests, 1);           /* sam's week */
    assert_non_null(strstr(s.ids, "digest/"));
    assert_int_equal(s.approvals[ARCHASE_APPROVAL_APPROVED], 1);
}

/* ---- arguments ------------------------------------------------------------------ */

static void cycle_arguments_are_checked_before_anything_is_read(void **state_) {
    (void)state_;
    archase_cycle_options co;
    memset(&co, 0x5a, sizeof co);
    assert_int_equal(archase_cycle_options_init(NULL, ARCHASE_CYCLE_OPTIONS_VERSION), ARCHASE_EINVAL);
    assert_int_equal(archase_cycle_options_init(&co, 2), ARCHASE_EVERSION);
    assert_int_equal(co.version, 0x5a5a5a5au);
    assert_int_equal(archase_cycle_options_init(&co, ARCHASE_CYCLE_OPTIONS_VERSION), 0);
    assert_int_equal(co.dispatch, 1);
    assert_int_equal(co.review, 0);
    assert_null(co.tzdir);

    fixture f;
    memset(&f, 0, sizeof f);
    open_day_a(&f, NULL, NULL);
    state before = state_of(f.eng);
    co.version = 3;
    assert_int_equal(archase_run_cycle(f.eng, f.policy, DAY_B, &co, NULL), ARCHASE_EVERSION);
    assert_string_equal(archase_engine_errmsg(f.eng), "cycle options version 3 is not 1");
    archase_batch *b = NULL;
    assert_int_equal(archase_batch_begin(f.eng, NULL, NULL, &b), 0);
    assert_int_equal(archase_run_cycle(f.eng, f.policy, DAY_B, NULL, NULL), ARCHASE_ESTATE);
    assert_string_equal(archase_engine_errmsg(f.eng), "a batch or transaction is open on the engine");
    archase_batch_free(b);
    state after = state_of(f.eng);
    assert_same_state(&before, &after);
    close_fixture(&f);
    archase_policy_free(f.policy);
}

/* ---- failures ---------------------------------------------------------------- */

/* The cycle of day B, without dispatch. */
static int cycle_day_b(fixture *f) {
    archase_cycle_options co = ARCHASE_CYCLE_OPTIONS_INIT;
    co.dispatch = 0;
    return archase_run_cycle(f->eng, f->policy, DAY_B, &co, NULL);
}

/* Opens a round of a failure loop: the ledger of day A on `storage` with
 * allocator `a`, loading the policy into *policy the first time and reusing
 * it after. Returns the state before day B. */
static state open_round(fixture *f, archase_policy **policy, const archase_storage *storage,
                        const archase_allocator *a) {
    memset(f, 0, sizeof *f);
    f->policy = *policy;
    open_day_a(f, storage, a);
    *policy = f->policy;
    return state_of(f->eng);
}

/* Ends a round of a failure loop and closes the fixture: when the cycle
 * failed (`hit`) it returned `code` and left the state as it was `before`,
 * and the same cycle run again works; either way the day ends as `want`. */
static void end_round(fixture *f, int rc, int hit, int code, const state *before, const state *want) {
    if (hit) {
        assert_int_equal(rc, code);
        state after = state_of(f->eng);
        assert_same_state(before, &after);
        run(f, DAY_B, 0);
    } else {
        assert_int_equal(rc, 0);
    }
    state done = state_of(f->eng);
    assert_same_state(&done, want);
    close_fixture(f);
}

static void a_storage_failure_at_any_call_of_the_day_after_changes_nothing(void **state_) {
    (void)state_;
    state want = reference_day_b(NULL);
    archase_policy *policy = NULL;
    size_t failed = 0;
    /* Every call in a plain run, every third under valgrind. */
    size_t stride = test_under_valgrind() ? 3 : 1;
    for (size_t n = 1;; n += stride) {
        faultstore fs;
        archase_storage mem, wrapped;
        assert_int_equal(archase_memory_storage_new(NULL, &mem), 0);
        faultstore_wrap(&fs, &mem, 0, &wrapped);
        fixture f;
        state before = open_round(&f, &policy, &wrapped, NULL);
        fs.fail_at = fs.calls + n;
        int rc = cycle_day_b(&f);
        int hit = fs.failures > 0;
        fs.fail_at = 0;
        if (hit) {
            assert_non_null(strstr(archase_engine_errmsg(f.eng), "injected failure"));
            failed++;
        }
        end_round(&f, rc, hit, ARCHASE_ESTORAGE, &before, &want);
        if (!hit)
            break;
    }
    assert_true(failed > 20 / stride);
    archase_policy_free(policy);
}

static void an_allocation_failure_anywhere_in_the_day_after_changes_nothing(void **state_) {
    (void)state_;
    state want = reference_day_b(NULL);
    archase_policy *policy = NULL;
    failalloc fa;
    failalloc_init(&fa);
    size_t failed = 0;
    /* Every allocation in a plain run, every tenth under valgrind. */
    size_t stride = test_under_valgrind() ? 10 : 1;
    for (size_t n = 1;; n += stride) {
        failalloc_arm(&fa, 0, 0);
        fixture f;
        state before = open_round(&f, &policy, NULL, &fa.allocator);
        failalloc_arm(&fa, n, 1);
        int rc = cycle_day_b(&f);
        int hit = fa.failures > 0;
        failalloc_arm(&fa, 0, 0);
        failed += hit;
        end_round(&f, rc, hit, ARCHASE_ENOMEM, &before, &want);
        assert_int_equal(fa.live, 0);
        if (!hit)
            break;
    }
    assert_true(failed > 50 / stride);
    archase_policy_free(policy);
}

/* ---- altered records ----------------------------------------------------------------- */

static int count_items(void *ud, const archase_outbox_item *it) {
    (void)it;
    (*(int *)ud)++;
    return 0;
}

static void altered_outbox_records_are_refused_with_the_items_name(void **state_) {
    (void)state_;
    for (int mode = 1; mode <= 2; mode++) {
        fixture f;
        memset(&f, 0, sizeof f);
        tamper *tp = calloc(1, sizeof *tp);
        assert_non_null(tp);
        archase_storage s;
        tamper_wrap(tp, &s);
        open_day_a(&f, &s, NULL);
        /* An invoice's record: valid bytes, the wrong kind. */
        const archase_storage *mem = &tp->store.inner;
        assert_int_equal(mem->get(mem->userdata, ARCHASE_FAMILY_INVOICE, "I-HOLD", keep_bytes, tp), 0);
        assert_true(tp->other_size > 0);
        uint64_t audit = 0, audit_after = 0;
        assert_int_equal(archase_audit_size(f.eng, &audit), 0);
        tp->mode = mode;
        /* The cycle reads the queued items to cancel the stale ones. */
        archase_cycle_options co = ARCHASE_CYCLE_OPTIONS_INIT;
        co.dispatch = 0;
        assert_int_equal(archase_run_cycle(f.eng, f.policy, DAY_B, &co, NULL), ARCHASE_ESTORAGE);
        assert_non_null(strstr(archase_engine_errmsg(f.eng), "cannot be decoded"));
        assert_non_null(strstr(archase_engine_errmsg(f.eng), "outbox item '"));
        /* The scans. */
        int n = 0;
        assert_int_equal(archase_outbox_scan(f.eng, 0, count_items, &n), ARCHASE_ESTORAGE);
        assert_non_null(strstr(archase_engine_errmsg(f.eng), "cannot be decoded"));
        assert_int_equal(n, 0);
        tp->mode = 0;
        assert_int_equal(archase_audit_size(f.eng, &audit_after), 0);
        assert_int_equal(audit_after, audit);
        /* Honest again: the day runs. */
        run(&f, DAY_B, 0);
        close_fixture(&f);
        archase_policy_free(f.policy);
        free(tp);
    }
}

static int sent_ok(void *ud, const archase_message *m, int *result, char *detail, size_t size) {
    (void)m, (void)detail, (void)size;
    (*(int *)ud)++;
    *result = ARCHASE_SEND_SENT;
    return 0;
}

static void a_claimed_item_that_cannot_be_read_is_not_sent(void **state_) {
    (void)state_;
    fixture f;
    memset(&f, 0, sizeof f);
    tamper *tp = calloc(1, sizeof *tp);
    assert_non_null(tp);
    archase_storage s;
    tamper_wrap(tp, &s);
    open_day_a(&f, &s, NULL);
    int sends = 0;
    archase_transport t = { ARCHASE_TRANSPORT_VERSION, &sends, sent_ok, NULL, NULL };
    assert_int_equal(archase_engine_set_transport(f.eng, &t), 0);
    tp->mode = 1;
    archase_dispatch_report rep = ARCHASE_DISPATCH_REPORT_INIT;
    assert_int_equal(archase_dispatch(f.eng, NULL, &rep), ARCHASE_ESTORAGE);
    assert_string_equal(archase_engine_errmsg(f.eng), "a claimed outbox item cannot be decoded");
    assert_int_equal(sends, 0);
    assert_int_equal(rep.sent, 0);
    close_fixture(&f);
    archase_policy_free(f.policy);
    free(tp);
}


/* ---- an approval that lapsed after the cycle ----------------------------------- */

typedef struct approved_item {
    char id[ARCHASE_IDEMPOTENCY_KEY_MAX];
    int  status;
    char other[ARCHASE_IDEMPOTENCY_KEY_MAX]; /* an item that is not gated */
} approved_item;

static int find_approved(void *ud, const archase_outbox_item *it) {
    approved_item *a = ud;
    if (it->approval_id) {
        snprintf(a->id, sizeof a->id, "%s", it->id);
        a->status = it->status;
    } else if (!a->other[0] && it->status == ARCHASE_OUTBOX_IN_DOUBT) {
        snprintf(a->other, sizeof a->other, "%s", it->id);
    }
    return 0;
}

typedef struct kinds {
    int sent[16];
    int result;
} kinds;

static int send_kind(void *ud, const archase_message *m, int *result, char *detail, size_t size) {
    kinds *k = ud;
    (void)detail, (void)size;
    if (m->kind >= 0 && m->kind < 16)
        k->sent[m->kind]++;
    *result = k->result;
    return 0;
}

/* The ledger after the cycles of days A and B, with a transport that
 * answers `result` to every message and counts them by kind in `k`. */
static void open_day_b(fixture *f, kinds *k, int result) {
    memset(f, 0, sizeof *f);
    open_day_a(f, NULL, NULL);
    run(f, DAY_B, 0);
    memset(k, 0, sizeof *k);
    k->result = result;
    archase_transport t = { ARCHASE_TRANSPORT_VERSION, k, send_kind, NULL, NULL };
    assert_int_equal(archase_engine_set_transport(f->eng, &t), 0);
}

static void an_approval_that_lapsed_after_the_cycle_stops_its_action(void **state_) {
    (void)state_;
    fixture f;
    kinds   k;
    open_day_b(&f, &k, ARCHASE_SEND_SENT);
    /* Eight days on, the request (seven days to live) has lapsed. */
    f.now += 8 * 86400;
    archase_dispatch_options o = ARCHASE_DISPATCH_OPTIONS_INIT;
    o.policy = f.policy;
    archase_dispatch_report rep = ARCHASE_DISPATCH_REPORT_INIT;
    assert_int_equal(archase_dispatch(f.eng, &o, &rep), 0);
    assert_int_equal(rep.refused, 1);
    assert_int_equal(k.sent[ARCHASE_DECISION_APPLY_APPROVED], 0);
    assert_true(rep.sent >= 2); /* the call and the digest went out */
    approved_item a;
    memset(&a, 0, sizeof a);
    assert_int_equal(archase_outbox_scan(f.eng, 0, find_approved, &a), 0);
    assert_true(a.id[0] != '\0');
    assert_int_equal(a.status, ARCHASE_OUTBOX_CANCELLED);
    close_fixture(&f);
    archase_policy_free(f.policy);
}

static void an_approved_action_in_doubt_is_not_resent_once_its_approval_lapsed(void **state_) {
    (void)state_;
    fixture f;
    kinds   k;
    open_day_b(&f, &k, ARCHASE_SEND_UNKNOWN);
    archase_dispatch_report rep = ARCHASE_DISPATCH_REPORT_INIT;
    assert_int_equal(archase_dispatch(f.eng, NULL, &rep), 0);
    assert_int_equal(k.sent[ARCHASE_DECISION_APPLY_APPROVED], 1);
    approved_item a;
    memset(&a, 0, sizeof a);
    assert_int_equal(archase_outbox_scan(f.eng, 0, find_approved, &a), 0);
    assert_int_equal(a.status, ARCHASE_OUTBOX_IN_DOUBT);
    assert_true(a.other[0] != '\0');
    f.now += 8 * 86400;
    uint64_t audit = 0, audit_after = 0;
    assert_int_equal(archase_audit_size(f.eng, &audit), 0);
    assert_int_equal(archase_outbox_resolve(f.eng, a.id, ARCHASE_RESOLVE_RESEND, "amy", "try again"), ARCHASE_EEXPIRED);
    assert_non_null(strstr(archase_engine_errmsg(f.eng), "lapsed"));
    /* The refusal is on record; the item is still in doubt. */
    assert_int_equal(archase_audit_size(f.eng, &audit_after), 0);
    assert_true(audit_after > audit);
    approved_item again;
    memset(&again, 0, sizeof again);
    assert_int_equal(archase_outbox_scan(f.eng, 0, find_approved, &again), 0);
    assert_int_equal(again.status, ARCHASE_OUTBOX_IN_DOUBT);
    /* An item that needs no approval is resent. */
    assert_int_equal(archase_outbox_resolve(f.eng, a.other, ARCHASE_RESOLVE_RESEND, "amy", "try again"), 0);
    close_fixture(&f);
    archase_policy_free(f.policy);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_day_after_cancels_carries_out_and_digests),
        cmocka_unit_test(cycle_arguments_are_checked_before_anything_is_read),
        cmocka_unit_test(a_storage_failure_at_any_call_of_the_day_after_changes_nothing),
        cmocka_unit_test(an_allocation_failure_anywhere_in_the_day_after_changes_nothing),
        cmocka_unit_test(altered_outbox_records_are_refused_with_the_items_name),
        cmocka_unit_test(a_claimed_item_that_cannot_be_read_is_not_sent),
        cmocka_unit_test(an_approval_that_lapsed_after_the_cycle_stops_its_action),
        cmocka_unit_test(an_approved_action_in_doubt_is_not_resent_once_its_approval_lapsed),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name(__FILE__, tests, NULL, NULL);
}
