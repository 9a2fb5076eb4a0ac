/* tests/test_cov_dispatch.c — delivery through a transport that answers
 * every way a real channel does: sent, a retry worth making, a rejection, an
 * answer it cannot give (a failing call, a result it does not define), and
 * the lookup of items in doubt (sent, never sent, cannot tell, a failing
 * lookup, no lookup at all). Dead letters and their alerts, the limit on
 * what one dispatch hands over, a customer paused after the cycle, a backend
 * without the optional insert and settle slots, the person's resolution of
 * an item with each wrong argument, and a storage failure at every call of
 * a dispatch: after it, the next dispatch delivers every message exactly
 * once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/faultstore.h"
#include "support/ledger.h"
#include "support/testutil.h"

#define DAY0 20484 /* 2026-01-31 */
#define CUSTOMERS 3

static const char policy_text[] =
    TEST_POLICY_ONE_SEGMENT
    "      - {offset: 1, channel: email, template: overdue}\n"
    "call_queue: {enabled: false}\n"
    "delivery: {max_attempts: 2, retry_backoff_minutes: 1, digest_weekday: none}\n"
    TEST_POLICY_ANY_TIME
    "templates:\n"
    "  definitions:\n"
    TEST_POLICY_OVERDUE_FIRM;

/* The transport: what it answers, and what it was handed. */
typedef struct script {
    int    result;          /* what send reports by default */
    int    results[8];      /* per call, when set (0 = the default) */
    int    send_rc;         /* what send returns */
    int    lookup_answer;   /* 0 = from what was sent */
    int    lookup_rc;
    size_t calls, lookups;
    char   sent[32][ARCHASE_IDEMPOTENCY_KEY_MAX]; /* keys reported SENT */
    size_t sent_n;
    char   last_owner[64];
    char   last_body[512];
} script;

static int script_send(void *ud, const archase_message *m, int *result, char *detail, size_t size) {
    script *s = ud;
    int r = s->calls < 8 && s->results[s->calls] ? s->results[s->calls] : s->result;
    s->calls++;
    snprintf(detail, size, "answer %d", r);
    snprintf(s->last_owner, sizeof s->last_owner, "%s", m->owner ? m->owner : "");
    snprintf(s->last_body, sizeof s->last_body, "%s", m->body ? m->body : "");
    *result = r;
    if (r == ARCHASE_SEND_SENT && s->sent_n < 32)
        snprintf(s->sent[s->sent_n++], ARCHASE_IDEMPOTENCY_KEY_MAX, "%s", m->idempotency_key);
    return s->send_rc;
}

static int was_sent(const script *s, const char *key) {
    int n = 0;
    for (size_t i = 0; i < s->sent_n; i++)
        n += !strcmp(s->sent[i], key);
    return n;
}

static int script_lookup(void *ud, const char *key, int *result) {
    script *s = ud;
    s->lookups++;
    if (s->lookup_rc)
        return s->lookup_rc;
    *result = s->lookup_answer ? s->lookup_answer : was_sent(s, key) ? ARCHASE_LOOKUP_SENT : ARCHASE_LOOKUP_NOT_SENT;
    return 0;
}

typedef struct fixture {
    archase_engine *eng;
    archase_policy *policy;
    archase_instant now;
    archase_clock   clock;
    script          t;
    faultstore     *fs;
} fixture;

static archase_instant fixed_now(void *userdata) {
    return *(archase_instant *)userdata;
}

static void use_transport(fixture *f, int with_lookup) {
    archase_transport t = { ARCHASE_TRANSPORT_VERSION, &f->t, script_send, with_lookup ? script_lookup : NULL, NULL };
    assert_int_equal(archase_engine_set_transport(f->eng, &t), 0);
}

/* Three customers (C1 owned by "kim", the others by nobody), each with a
 * consented e-mail contact and one invoice due on DAY0, and the cycle of the
 * next day run without dispatch: three pending messages, over `storage`. */
static void open_fixture(fixture *f, const archase_storage *storage) {
    f->now = (archase_instant)(DAY0 + 1) * 86400 + 9 * 3600;
    f->clock = (archase_clock){ ARCHASE_CLOCK_VERSION, &f->now, fixed_now };
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    o.clock = &f->clock;
    o.actor = "ops";
    if (storage)
        assert_int_equal(archase_engine_open(storage, &o, &f->eng), 0);
    else
        assert_int_equal(archase_open_memory(&o, &f->eng), 0);
    assert_int_equal(archase_policy_load_buffer(policy_text, strlen(policy_text), "p.yaml", NULL, &f->policy, NULL), 0);
    for (int i = 1; i <= CUSTOMERS; i++) {
        char cid[8], kid[8], iid[8], num[16], addr[32];
        snprintf(cid, sizeof cid, "C%d", i);
        snprintf(kid, sizeof kid, "K%d", i);
        snprintf(iid, sizeof iid, "I%d", i);
        snprintf(num, sizeof num, "INV-%d", i);
        snprintf(addr, sizeof addr, "ap%d@example.com", i);
        archase_customer c = ARCHASE_CUSTOMER_INIT;
        c.id = cid;
        c.name = "Customer";
        c.owner = i == 1 ? "kim" : NULL;
        assert_int_equal(archase_customer_put(f->eng, &c, NULL), 0);
        test_put_contact(f->eng, kid, cid, ARCHASE_CHANNEL_EMAIL, addr);
        archase_invoice inv = ARCHASE_INVOICE_INIT;
        inv.id = iid;
        inv.customer_id = cid;
        inv.number = num;
        inv.issue_date = DAY0 - 30;
        inv.due_date = DAY0;
        inv.amount = (archase_money){ 10000 * i, "EUR" };
        assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), 0);
    }
    archase_cycle_options co = ARCHASE_CYCLE_OPTIONS_INIT;
    co.dispatch = 0;
    archase_cycle_report rep;
    memset(&rep, 0, sizeof rep);
    rep.version = ARCHASE_CYCLE_REPORT_VERSION;
    assert_int_equal(archase_run_cycle(f->eng, f->policy, DAY0 + 1, &co, &rep), 0);
    assert_int_equal(rep.outbox_written, CUSTOMERS);
}

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    open_fixture(f, NULL);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    archase_engine_free(f->eng);
    archase_policy_free(f->policy);
    free(f->fs);
    free(f);
    return 0;
}

/* ---- reading the outbox ---------------------------------------------------------- */

typedef struct tally {
    int      by_status[16];
    size_t   n;
    char     ids[8][ARCHASE_IDEMPOTENCY_KEY_MAX];
    uint32_t attempts[8], max_attempts[8];
    int      status[8];
    char     dead_item[8][ARCHASE_IDEMPOTENCY_KEY_MAX];
    char     address[8][64];
    char     resolved_by[8][32];
} tally;

static int tally_fn(void *ud, const archase_outbox_item *it) {
    tally *t = ud;
    if (it->status >= 0 && it->status < 16)
        t->by_status[it->status]++;
    if (t->n < 8) {
        snprintf(t->ids[t->n], sizeof t->ids[t->n], "%s", it->id);
        t->attempts[t->n] = it->attempts;
        t->max_attempts[t->n] = it->max_attempts;
        t->status[t->n] = it->status;
        snprintf(t->dead_item[t->n], sizeof t->dead_item[t->n], "%s", it->dead_item ? it->dead_item : "");
        snprintf(t->address[t->n], sizeof t->address[t->n], "%s", it->address ? it->address : "");
        snprintf(t->resolved_by[t->n], sizeof t->resolved_by[t->n], "%s", it->resolved_by ? it->resolved_by : "");
    }
    t->n++;
    return 0;
}

static tally outbox(fixture *f) {
    tally t;
    memset(&t, 0, sizeof t);
    assert_int_equal(archase_outbox_scan(f->eng, 0, tally_fn, &t), 0);
    return t;
}

static archase_dispatch_report dispatch(fixture *f) {
    archase_dispatch_report rep = ARCHASE_DISPATCH_REPORT_INIT;
    archase_dispatch_options o = ARCHASE_DISPATCH_OPTIONS_INIT;
    o.policy = f->policy;
    int rc = archase_dispatch(f->eng, &o, &rep);
    if (rc)
        fail_msg("dispatch: %s", archase_engine_errmsg(f->eng));
    return rep;
}

/* ---- arguments ------------------------------------------------------------------- */

static void dispatch_options_init_checks_its_arguments(void **state) {
    (void)state;
    archase_dispatch_options o;
    memset(&o, 0x5a, sizeof o);
    assert_int_equal(archase_dispatch_options_init(NULL, ARCHASE_DISPATCH_OPTIONS_VERSION), ARCHASE_EINVAL);
    assert_int_equal(archase_dispatch_options_init(&o, ARCHASE_DISPATCH_OPTIONS_VERSION + 1), ARCHASE_EVERSION);
    assert_int_equal(o.version, 0x5a5a5a5au); /* untouched by the refusal */
    assert_int_equal(archase_dispatch_options_init(&o, ARCHASE_DISPATCH_OPTIONS_VERSION), 0);
    assert_int_equal(o.version, ARCHASE_DISPATCH_OPTIONS_VERSION);
    assert_int_equal(o.now, 0);
    assert_int_equal(o.limit, 0);
    assert_int_equal(o.batch, 0);
    assert_null(o.policy);
}

static void dispatch_and_transport_refuse_bad_arguments(void **state) {
    fixture *f = *state;
    archase_dispatch_report rep = ARCHASE_DISPATCH_REPORT_INIT;
    assert_int_equal(archase_dispatch(NULL, NULL, &rep), ARCHASE_EINVAL);
    /* No transport yet. */
    assert_int_equal(archase_dispatch(f->eng, NULL, &rep), ARCHASE_ESTATE);
    assert_string_equal(archase_engine_errmsg(f->eng), "no transport is set on the engine");
    archase_transport t = { ARCHASE_TRANSPORT_VERSION, &f->t, script_send, NULL, NULL };
    assert_int_equal(archase_engine_set_transport(NULL, &t), ARCHASE_EINVAL);
    t.version = 2;
    assert_int_equal(archase_engine_set_transport(f->eng, &t), ARCHASE_EVERSION);
    assert_string_equal(archase_engine_errmsg(f->eng), "transport version 2 is not 1");
    t.version = ARCHASE_TRANSPORT_VERSION;
    t.send = NULL;
    assert_int_equal(archase_engine_set_transport(f->eng, &t), ARCHASE_EINVAL);
    assert_string_equal(archase_engine_errmsg(f->eng), "a transport needs a send slot");
    use_transport(f, 0);
    archase_dispatch_options o = ARCHASE_DISPATCH_OPTIONS_INIT;
    o.version = 7;
    assert_int_equal(archase_dispatch(f->eng, &o, &rep), ARCHASE_EVERSION);
    assert_string_equal(archase_engine_errmsg(f->eng), "dispatch options version 7 is not 1");
    rep.version = 9;
    assert_int_equal(archase_dispatch(f->eng, NULL, &rep), ARCHASE_EVERSION);
    assert_string_equal(archase_engine_errmsg(f->eng), "dispatch report version 9 is not 1");
    assert_int_equal(rep.version, 9);
    /* None of it handed anything over. */
    assert_int_equal(f->t.calls, 0);
    assert_int_equal(outbox(f).by_status[ARCHASE_OUTBOX_PENDING], CUSTOMERS);
    /* Without options or report it delivers everything. */
    f->t.result = ARCHASE_SEND_SENT;
    assert_int_equal(archase_dispatch(f->eng, NULL, NULL), 0);
    assert_int_equal(f->t.calls, CUSTOMERS);
    assert_int_equal(outbox(f).by_status[ARCHASE_OUTBOX_SENT], CUSTOMERS);
}

/* ---- what one dispatch hands over ----------------------------------------------- */

static void a_limit_hands_over_at_most_that_many_items(void **state) {
    fixture *f = *state;
    use_transport(f, 0);
    f->t.result = ARCHASE_SEND_SENT;
    archase_dispatch_options o = ARCHASE_DISPATCH_OPTIONS_INIT;
    o.limit = 2;
    archase_dispatch_report rep = ARCHASE_DISPATCH_REPORT_INIT;
    assert_int_equal(archase_dispatch(f->eng, &o, &rep), 0);
    assert_int_equal(rep.claimed, 2);
    assert_int_equal(rep.sent, 2);
    assert_int_equal(f->t.calls, 2);
    assert_int_equal(outbox(f).by_status[ARCHASE_OUTBOX_PENDING], 1);
    /* A limit above a batch of one: the rest, one claim at a time. */
    o.limit = 5;
    o.batch = 1;
    assert_int_equal(archase_dispatch(f->eng, &o, &rep), 0);
    assert_int_equal(rep.claimed, 1);
    assert_int_equal(rep.sent, 1);
    assert_int_equal(f->t.calls, 3);
    assert_int_equal(outbox(f).by_status[ARCHASE_OUTBOX_SENT], CUSTOMERS);
}

static void a_failing_or_nonsense_answer_leaves_the_item_in_doubt(void **state) {
    fixture *f = *state;
    use_transport(f, 0);
    /* A failing call, a result of 0 and a result the interface does not define. */
    f->t.results[0] = ARCHASE_SEND_SENT;
    f->t.send_rc = -1;
    f->t.results[1] = 9;
    f->t.result = ARCHASE_SEND_RETRY;
    archase_dispatch_report rep = dispatch(f);
    assert_int_equal(rep.claimed, CUSTOMERS);
    assert_int_equal(rep.sent, 0);
    assert_int_equal(rep.retried, 0);
    assert_int_equal(rep.in_doubt, CUSTOMERS);
    assert_int_equal(outbox(f).by_status[ARCHASE_OUTBOX_IN_DOUBT], CUSTOMERS);
    /* Without a lookup nobody can tell: they stay for a person, not resent. */
    f->t.send_rc = 0;
    rep = dispatch(f);
    assert_int_equal(rep.claimed, 0);
    assert_int_equal(rep.in_doubt, CUSTOMERS);
    assert_int_equal(f->t.calls, CUSTOMERS);
}

static void the_lookup_settles_items_in_doubt_and_leaves_the_unknown_to_a_person(void **state) {
    fixture *f = *state;
    use_transport(f, 1);
    f->t.result = ARCHASE_SEND_UNKNOWN;
    f->t.results[0] = ARCHASE_SEND_SENT; /* the channel has the first, though it could not say so */
    f->t.send_rc = -1;
    assert_int_equal(dispatch(f).in_doubt, CUSTOMERS);
    tally before = outbox(f);
    /* A lookup that fails says nothing: all three stay in doubt. */
    f->t.send_rc = 0;
    f->t.lookup_rc = ARCHASE_EIO;
    archase_dispatch_report rep = dispatch(f);
    assert_int_equal(f->t.lookups, CUSTOMERS);
    assert_int_equal(rep.in_doubt, CUSTOMERS);
    assert_int_equal(rep.reconciled_sent + rep.reconciled_retry + rep.claimed, 0);
    /* An answer the interface does not define is "cannot tell" too. */
    f->t.lookup_rc = 0;
    f->t.lookup_answer = 42;
    rep = dispatch(f);
    assert_int_equal(rep.in_doubt, CUSTOMERS);
    assert_int_equal(outbox(f).by_status[ARCHASE_OUTBOX_IN_DOUBT], CUSTOMERS);
    /* Answers from what the channel has: the first is sent, the others
     * never got there and go out again under the same key, in this dispatch. */
    f->t.lookup_answer = 0;
    f->t.result = ARCHASE_SEND_SENT;
    rep = dispatch(f);
    assert_int_equal(rep.reconciled_sent, 1);
    assert_int_equal(rep.reconciled_retry, 2);
    assert_int_equal(rep.in_doubt, 0);
    assert_int_equal(rep.sent, 2);
    tally after = outbox(f);
    assert_int_equal(after.by_status[ARCHASE_OUTBOX_SENT], CUSTOMERS);
    for (size_t i = 0; i < CUSTOMERS; i++)
        assert_int_equal(was_sent(&f->t, before.ids[i]), 1);
}

static void retries_end_in_a_dead_letter_and_an_alert_to_the_owner(void **state) {
    fixture *f = *state;
    use_transport(f, 0);
    f->t.result = ARCHASE_SEND_RETRY;
    archase_dispatch_report rep = dispatch(f);
    assert_int_equal(rep.retried, CUSTOMERS);
    /* Not due before the backoff (one minute) passed. */
    rep = dispatch(f);
    assert_int_equal(rep.claimed, 0);
    f->now += 61;
    rep = dispatch(f); /* the second of two attempts */
    assert_int_equal(rep.dead, CUSTOMERS);
    assert_int_equal(rep.alerts, CUSTOMERS);
    /* The alerts go out in the same dispatch, and are told "retry" too. */
    assert_int_equal(rep.claimed, 2 * CUSTOMERS);
    assert_int_equal(rep.retried, CUSTOMERS);
    tally t = outbox(f);
    assert_int_equal(t.n, 2 * CUSTOMERS);
    assert_int_equal(t.by_status[ARCHASE_OUTBOX_DEAD], CUSTOMERS);
    assert_int_equal(t.by_status[ARCHASE_OUTBOX_FAILED_RETRY], CUSTOMERS);
    /* The alerts go to the owner, or to "collections" for a customer without one. */
    int to_kim = 0, to_collections = 0;
    for (size_t i = 0; i < t.n; i++) {
        if (t.status[i] == ARCHASE_OUTBOX_DEAD) {
            assert_int_equal(t.attempts[i], 2);
            continue;
        }
        assert_true(!strncmp(t.ids[i], "alert/dead/", 11));
        assert_string_equal(t.dead_item[i], t.ids[i] + 11);
        to_kim += !strcmp(t.address[i], "kim");
        to_collections += !strcmp(t.address[i], "collections");
    }
    assert_int_equal(to_kim, 1);
    assert_int_equal(to_collections, 2);
    /* An alert that cannot be delivered dies without an alert of its own. */
    f->t.result = ARCHASE_SEND_REJECTED;
    f->now += 61;
    rep = dispatch(f);
    assert_int_equal(rep.claimed, CUSTOMERS);
    assert_int_equal(rep.dead, CUSTOMERS);
    assert_int_equal(rep.alerts, 0);
    assert_true(strstr(f->t.last_body, "could not be delivered after 2 attempts.") != NULL);
    assert_true(strstr(f->t.last_body, "last answer: answer 2\n") != NULL);
    t = outbox(f);
    assert_int_equal(t.n, 2 * CUSTOMERS);
    assert_int_equal(t.by_status[ARCHASE_OUTBOX_DEAD], 2 * CUSTOMERS);
}

static void a_customer_paused_after_the_cycle_gets_nothing(void **state) {
    fixture *f = *state;
    use_transport(f, 0);
    f->t.result = ARCHASE_SEND_SENT;
    archase_customer_flags fl = ARCHASE_CUSTOMER_FLAGS_INIT;
    fl.customer_id = "C1";
    fl.paused_until = DAY0 + 1; /* today, included */
    fl.reason = "talks";
    assert_int_equal(archase_customer_flags_put(f->eng, &fl, NULL), 0);
    fl.customer_id = "C2";
    fl.paused_until = DAY0; /* yesterday: over */
    assert_int_equal(archase_customer_flags_put(f->eng, &fl, NULL), 0);
    archase_dispatch_report rep = dispatch(f);
    assert_int_equal(rep.cancelled, 1);
    assert_int_equal(rep.sent, 2);
    tally t = outbox(f);
    assert_int_equal(t.by_status[ARCHASE_OUTBOX_CANCELLED], 1);
    assert_int_equal(t.by_status[ARCHASE_OUTBOX_SENT], 2);
}

static void a_message_whose_invoice_was_paid_is_cancelled_unless_the_payment_is_later(void **state) {
    fixture *f = *state;
    use_transport(f, 0);
    f->t.result = ARCHASE_SEND_SENT;
    /* I1 paid in full today; I2 paid in full by a payment dated next week
     * (a ledger imported ahead of the day): on the dispatch's day it is open. */
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = "P1";
    p.customer_id = "C1";
    p.invoice_id = "I1";
    p.date = DAY0 + 1;
    p.amount = (archase_money){ 10000, "EUR" };
    assert_int_equal(archase_payment_put(f->eng, &p, NULL), 0);
    p.id = "P2";
    p.customer_id = "C2";
    p.invoice_id = "I2";
    p.date = DAY0 + 8;
    p.amount = (archase_money){ 20000, "EUR" };
    assert_int_equal(archase_payment_put(f->eng, &p, NULL), 0);
    archase_dispatch_report rep = dispatch(f);
    assert_int_equal(rep.claimed, CUSTOMERS);
    assert_int_equal(rep.cancelled, 1);
    assert_int_equal(rep.sent, 2);
    assert_int_equal(f->t.calls, 2);
    tally t = outbox(f);
    assert_int_equal(t.status[0], ARCHASE_OUTBOX_CANCELLED); /* C1's */
    assert_int_equal(t.status[1], ARCHASE_OUTBOX_SENT);
    assert_int_equal(t.status[2], ARCHASE_OUTBOX_SENT);
}

/* ---- a person's resolution ---------------------------------------------------------- */

static void resolve_refuses_each_bad_argument_and_changes_nothing(void **state) {
    fixture *f = *state;
    use_transport(f, 0);
    f->t.result = ARCHASE_SEND_UNKNOWN;
    dispatch(f);
    tally t = outbox(f);
    const char *id = t.ids[0];
    uint64_t audit = test_audit_size(f->eng);
    assert_int_equal(archase_outbox_resolve(NULL, id, ARCHASE_RESOLVE_SENT, "amy", "checked"), ARCHASE_EINVAL);
    assert_int_equal(archase_outbox_resolve(f->eng, NULL, ARCHASE_RESOLVE_SENT, "amy", "checked"), ARCHASE_EINVAL);
    assert_string_equal(archase_engine_errmsg(f->eng), "an outbox item id is required");
    assert_int_equal(archase_outbox_resolve(f->eng, "", ARCHASE_RESOLVE_SENT, "amy", "checked"), ARCHASE_EINVAL);
    assert_int_equal(archase_outbox_resolve(f->eng, id, 0, "amy", "checked"), ARCHASE_EINVAL);
    assert_string_equal(archase_engine_errmsg(f->eng), "0 is not a resolution (sent, resend, cancel)");
    assert_int_equal(archase_outbox_resolve(f->eng, id, 4, "amy", "checked"), ARCHASE_EINVAL);
    assert_string_equal(archase_engine_errmsg(f->eng), "4 is not a resolution (sent, resend, cancel)");
    assert_int_equal(archase_outbox_resolve(f->eng, id, ARCHASE_RESOLVE_SENT, "amy", NULL), ARCHASE_EINVAL);
    assert_string_equal(archase_engine_errmsg(f->eng), "a reason is required to resolve an outbox item");
    assert_int_equal(archase_outbox_resolve(f->eng, id, ARCHASE_RESOLVE_SENT, "amy", ""), ARCHASE_EINVAL);
    assert_int_equal(archase_outbox_resolve(f->eng, "no-such", ARCHASE_RESOLVE_SENT, "amy", "checked"),
                     ARCHASE_ENOTFOUND);
    /* Nothing is resolved or dispatched while a batch is open. */
    archase_batch *b = NULL;
    assert_int_equal(archase_batch_begin(f->eng, NULL, NULL, &b), 0);
    assert_int_equal(archase_outbox_resolve(f->eng, id, ARCHASE_RESOLVE_SENT, "amy", "checked"), ARCHASE_ESTATE);
    assert_string_equal(archase_engine_errmsg(f->eng), "a batch or transaction is open on the engine");
    assert_int_equal(archase_dispatch(f->eng, NULL, NULL), ARCHASE_ESTATE);
    assert_string_equal(archase_engine_errmsg(f->eng), "a batch or transaction is open on the engine");
    archase_batch_free(b);
    assert_int_equal(test_audit_size(f->eng), audit);
    assert_int_equal(outbox(f).by_status[ARCHASE_OUTBOX_IN_DOUBT], CUSTOMERS);
    /* An empty or absent actor is the engine's. */
    assert_int_equal(archase_outbox_resolve(f->eng, t.ids[0], ARCHASE_RESOLVE_SENT, "", "the customer has it"), 0);
    assert_int_equal(archase_outbox_resolve(f->eng, t.ids[1], ARCHASE_RESOLVE_CANCEL, NULL, "wrong address"), 0);
    assert_int_equal(archase_outbox_resolve(f->eng, t.ids[2], ARCHASE_RESOLVE_SENT, "amy", "phoned"), 0);
    assert_int_equal(test_audit_size(f->eng), audit + 3);
    tally after = outbox(f);
    assert_int_equal(after.status[0], ARCHASE_OUTBOX_SENT);
    assert_string_equal(after.resolved_by[0], "ops");
    assert_int_equal(after.status[1], ARCHASE_OUTBOX_CANCELLED);
    assert_string_equal(after.resolved_by[1], "ops");
    assert_string_equal(after.resolved_by[2], "amy");
    /* Settled items are no longer in doubt. */
    assert_int_equal(archase_outbox_resolve(f->eng, t.ids[0], ARCHASE_RESOLVE_RESEND, "amy", "again"), ARCHASE_ESTATE);
    char want[256];
    snprintf(want, sizeof want, "outbox item '%s' is sent, not in doubt or dead", t.ids[0]);
    assert_string_equal(archase_engine_errmsg(f->eng), want);
    assert_int_equal(test_audit_size(f->eng), audit + 3);
}

static void a_dead_item_resent_goes_out_again_and_dies_without_a_second_alert(void **state) {
    fixture *f = *state;
    use_transport(f, 0);
    f->t.result = ARCHASE_SEND_REJECTED;
    /* The messages and, in the same dispatch, their alerts. */
    assert_int_equal(dispatch(f).dead, 2 * CUSTOMERS);
    tally t = outbox(f);
    size_t dead = 0;
    while (t.status[dead] != ARCHASE_OUTBOX_DEAD)
        dead++;
    assert_int_equal(t.attempts[dead], 1);
    assert_int_equal(t.max_attempts[dead], 2);
    /* Resent, it has one attempt left: told "retry", it is dead again, and
     * its alert is already there. */
    f->t.result = ARCHASE_SEND_RETRY;
    assert_int_equal(archase_outbox_resolve(f->eng, t.ids[dead], ARCHASE_RESOLVE_RESEND, "amy", "fixed"), 0);
    f->now += 1;
    archase_dispatch_report rep = dispatch(f);
    assert_int_equal(rep.claimed, 1);
    assert_int_equal(rep.dead, 1);
    assert_int_equal(rep.alerts, 0);
    assert_int_equal(outbox(f).n, 2 * CUSTOMERS);
    /* Both attempts used up: a resend allows one more. */
    assert_int_equal(archase_outbox_resolve(f->eng, t.ids[dead], ARCHASE_RESOLVE_RESEND, "amy", "fixed again"), 0);
    tally after = outbox(f);
    int seen = 0;
    for (size_t i = 0; i < after.n && i < 8; i++)
        if (!strcmp(after.ids[i], t.ids[dead])) {
            assert_int_equal(after.status[i], ARCHASE_OUTBOX_FAILED_RETRY);
            assert_int_equal(after.attempts[i], 2);
            assert_int_equal(after.max_attempts[i], 3);
            seen++;
        }
    assert_int_equal(seen, 1);
}

/* ---- scans ----------------------------------------------------------------------------- */

static int stop_at_first(void *ud, const archase_outbox_item *it) {
    (*(int *)ud)++;
    (void)it;
    return 1;
}

static int abort_scan(void *ud, const archase_outbox_item *it) {
    (*(int *)ud)++;
    (void)it;
    return ARCHASE_ECALLBACK;
}

static void scans_check_the_status_and_hand_back_the_callbacks_answer(void **state) {
    fixture *f = *state;
    int n = 0;
    assert_int_equal(archase_outbox_scan(NULL, 0, stop_at_first, &n), ARCHASE_EINVAL);
    assert_int_equal(archase_outbox_scan(f->eng, 0, NULL, &n), ARCHASE_EINVAL);
    assert_int_equal(archase_outbox_scan(f->eng, -1, stop_at_first, &n), ARCHASE_EINVAL);
    assert_string_equal(archase_engine_errmsg(f->eng), "-1 is not an outbox status");
    assert_int_equal(archase_outbox_scan(f->eng, 99, stop_at_first, &n), ARCHASE_EINVAL);
    assert_string_equal(archase_engine_errmsg(f->eng), "99 is not an outbox status");
    assert_int_equal(n, 0);
    assert_int_equal(archase_outbox_scan(f->eng, ARCHASE_OUTBOX_PENDING, stop_at_first, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(archase_outbox_scan(f->eng, 0, abort_scan, &n), ARCHASE_ECALLBACK);
    assert_int_equal(n, 2);
    assert_int_equal(archase_outbox_scan(f->eng, ARCHASE_OUTBOX_SENT, abort_scan, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(archase_outbox_get(NULL, "x", stop_at_first, &n), ARCHASE_EINVAL);
    assert_int_equal(archase_outbox_get(f->eng, NULL, stop_at_first, &n), ARCHASE_EINVAL);
    assert_int_equal(archase_outbox_get(f->eng, "x", NULL, &n), ARCHASE_EINVAL);
    assert_int_equal(archase_outbox_get(f->eng, "x", stop_at_first, &n), ARCHASE_ENOTFOUND);
    assert_string_equal(archase_engine_errmsg(f->eng), "no outbox item 'x'");
    tally t = outbox(f);
    assert_int_equal(archase_outbox_get(f->eng, t.ids[0], abort_scan, &n), ARCHASE_ECALLBACK);
    assert_int_equal(archase_outbox_get(f->eng, t.ids[0], stop_at_first, &n), 0);
    assert_int_equal(n, 4);
}

/* ---- backends ---------------------------------------------------------------------------- */

/* A memory backend of the first storage version: no insert, no settle. */
static void open_plain_backend(fixture *f) {
    archase_storage mem, plain;
    assert_int_equal(archase_memory_storage_new(NULL, &mem), 0);
    plain = mem;
    plain.version = 1;
    plain.insert = NULL;
    plain.outbox_settle = NULL;
    open_fixture(f, &plain);
}

static void a_backend_without_insert_or_settle_delivers_the_same(void **state) {
    (void)state;
    fixture f;
    memset(&f, 0, sizeof f);
    open_plain_backend(&f);
    use_transport(&f, 1);
    f.t.result = ARCHASE_SEND_RETRY;
    f.t.results[0] = ARCHASE_SEND_SENT;
    f.t.results[1] = ARCHASE_SEND_UNKNOWN;
    archase_dispatch_report rep = dispatch(&f);
    assert_int_equal(rep.sent, 1);
    assert_int_equal(rep.in_doubt, 1);
    assert_int_equal(rep.retried, 1);
    f.now += 61;
    f.t.result = ARCHASE_SEND_RETRY;
    rep = dispatch(&f); /* the item in doubt was never sent: it goes again, then the third */
    assert_int_equal(rep.reconciled_retry, 1);
    assert_int_equal(rep.dead, 2);
    assert_int_equal(rep.alerts, 2);
    /* The alerts are written once: a second death of the same item finds its alert there. */
    tally t = outbox(&f);
    assert_int_equal(t.n, CUSTOMERS + 2);
    assert_int_equal(t.by_status[ARCHASE_OUTBOX_SENT], 1);
    assert_int_equal(t.by_status[ARCHASE_OUTBOX_DEAD], 2);
    for (size_t i = 0; i < t.n; i++)
        if (t.status[i] == ARCHASE_OUTBOX_DEAD)
            assert_int_equal(archase_outbox_resolve(f.eng, t.ids[i], ARCHASE_RESOLVE_RESEND, "amy", "retry"), 0);
    f.now += 61; /* the alerts' retry is due too */
    f.t.result = ARCHASE_SEND_REJECTED;
    f.t.calls = 8;
    rep = dispatch(&f);
    assert_int_equal(rep.dead, 4); /* two resent items and their two alerts */
    assert_int_equal(rep.alerts, 0);
    assert_int_equal(outbox(&f).n, CUSTOMERS + 2);
    archase_engine_free(f.eng);
    archase_policy_free(f.policy);
}

/* ---- storage failures ---------------------------------------------------------------- */

/* Round N fails the Nth storage call of a dispatch that sends one item, is
 * told "retry" for one, cannot tell for the third, then (a minute later)
 * reconciles and retries; whatever failed, dispatches without failures
 * afterwards deliver each message exactly once and nothing stays behind. */
static void a_storage_failure_anywhere_in_dispatch_loses_and_repeats_nothing(void **state) {
    (void)state;
    int rounds = 0;
    /* Every call in a plain run, every third under valgrind. */
    size_t stride = test_under_valgrind() ? 3 : 1;
    for (size_t n = 1;; n += stride) {
        fixture f;
        memset(&f, 0, sizeof f);
        archase_storage mem, wrapped;
        assert_int_equal(archase_memory_storage_new(NULL, &mem), 0);
        f.fs = calloc(1, sizeof *f.fs);
        assert_non_null(f.fs);
        faultstore_wrap(f.fs, &mem, 0, &wrapped);
        open_fixture(&f, &wrapped);
        use_transport(&f, 1);
        f.t.results[0] = ARCHASE_SEND_SENT;
        f.t.results[1] = ARCHASE_SEND_RETRY;
        f.t.results[2] = ARCHASE_SEND_UNKNOWN;
        f.t.result = ARCHASE_SEND_SENT;
        uint64_t audit = test_audit_size((&f)->eng);
        f.fs->calls = 0;
        f.fs->fail_at = n;
        archase_dispatch_options o = ARCHASE_DISPATCH_OPTIONS_INIT;
        archase_dispatch_report rep = ARCHASE_DISPATCH_REPORT_INIT;
        int rc = archase_dispatch(f.eng, &o, &rep);
        if (!rc) {
            f.now += 61;
            rc = archase_dispatch(f.eng, &o, &rep);
        }
        int failed = f.fs->failures > 0;
        f.fs->fail_at = 0;
        if (failed) {
            assert_int_equal(rc, ARCHASE_ESTORAGE);
            assert_non_null(strstr(archase_engine_errmsg(f.eng), "injected"));
        } else {
            assert_int_equal(rc, 0);
        }
        /* Recovery: whatever is left goes out, once. */
        f.t.results[1] = f.t.results[2] = 0;
        for (int k = 0; k < 3; k++) {
            f.now += 3600;
            assert_int_equal(archase_dispatch(f.eng, &o, &rep), 0);
        }
        tally t = outbox(&f);
        assert_int_equal(t.n, CUSTOMERS);
        assert_int_equal(t.by_status[ARCHASE_OUTBOX_SENT], CUSTOMERS);
        for (size_t i = 0; i < CUSTOMERS; i++)
            assert_int_equal(was_sent(&f.t, t.ids[i]), 1);
        assert_true(test_audit_size((&f)->eng) > audit);
        archase_audit_report vr;
        assert_int_equal(archase_audit_verify(f.eng, NULL, &vr), 0);
        archase_engine_free(f.eng);
        archase_policy_free(f.policy);
        free(f.fs);
        rounds++;
        if (!failed)
            break;
    }
    assert_true(rounds > 10 / (int)stride);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dispatch_options_init_checks_its_arguments),
        T(dispatch_and_transport_refuse_bad_arguments),
        T(a_limit_hands_over_at_most_that_many_items),
        T(a_failing_or_nonsense_answer_leaves_the_item_in_doubt),
        T(the_lookup_settles_items_in_doubt_and_leaves_the_unknown_to_a_person),
        T(retries_end_in_a_dead_letter_and_an_alert_to_the_owner),
        T(a_customer_paused_after_the_cycle_gets_nothing),
        T(a_message_whose_invoice_was_paid_is_cancelled_unless_the_payment_is_later),
        T(resolve_refuses_each_bad_argument_and_changes_nothing),
        T(a_dead_item_resent_goes_out_again_and_dies_without_a_second_alert),
        T(scans_check_the_status_and_hand_back_the_callbacks_answer),
        cmocka_unit_test(a_backend_without_insert_or_settle_delivers_the_same),
        cmocka_unit_test(a_storage_failure_anywhere_in_dispatch_loses_and_repeats_nothing),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name(__FILE__, tests, NULL, NULL);
}
