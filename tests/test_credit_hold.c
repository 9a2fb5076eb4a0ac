/* tests/test_credit_hold.c — the proactive notice before a credit hold,
 * through the public API: requesting a hold queues the policy's notice to
 * the customer's consented contact (and refuses, writing nothing, when
 * there is none); the approved hold is carried out only notice_days after
 * the notice went out; a customer who pays down in between has the
 * request withdrawn and a notice still waiting cancelled; and every
 * allocation and storage call of the request failing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/failalloc.h"
#include "support/ledger.h"
#include "support/testutil.h"

static const char policy_text[] =
    TEST_LEDGER_POLICY_HEAD
    TEST_LEDGER_POLICY_APPROVALS
    "credit:\n"
    "  notice_days: 7\n"
    "  notice_template: hold_notice\n"
    "templates:\n"
    "  definitions:\n"
    "    hold_notice:\n"
    "      email: {en: {subject: \"Credit hold for {{ customer.name }}\",\n"
    "                   body: \"{{ totals.open_amount | money }} is open: new orders will be held.\"}}\n";

/* ACME: a limit of 1000.00 EUR, 1500.00 EUR open (150%): a hold. */
static const test_ledger_spec ledger = { policy_text, "carl", "anna", "olaf", 100000, 100000, 50000, &test_ledger_clock };

typedef test_ledger fixture;

static archase_instant at(const char *day, int hour) {
    return (archase_instant)test_day(day) * 86400 + hour * 3600;
}

static int put_contact(fixture *f) {
    archase_contact c = ARCHASE_CONTACT_INIT;
    c.id = "ACME-AP";
    c.customer_id = "ACME";
    c.name = "Accounts payable";
    c.channel = ARCHASE_CHANNEL_EMAIL;
    c.address = "ap@acme.example";
    c.consent = 1;
    return archase_contact_put(f->eng, &c, NULL);
}

static int setup_without_contact(void **state) {
    test_ledger_now = at("2026-03-10", 9);
    return test_ledger_setup(state, &ledger);
}

static int setup(void **state) {
    setup_without_contact(state);
    assert_int_equal(put_contact(*state), 0);
    return 0;
}

/* What a test transport was handed. */
typedef struct sent {
    char keys[1024];
    int  n;
} sent;

static int send_ok(void *ud, const archase_message *m, int *result, char *detail, size_t size) {
    sent *s = ud;
    (void)detail;
    (void)size;
    size_t len = strlen(s->keys);
    snprintf(s->keys + len, sizeof s->keys - len, "%s|", m->idempotency_key);
    s->n++;
    *result = ARCHASE_SEND_SENT;
    return 0;
}

static void use_transport(fixture *f, sent *s) {
    archase_transport t = { ARCHASE_TRANSPORT_VERSION, s, send_ok, NULL, NULL };
    assert_int_equal(archase_engine_set_transport(f->eng, &t), 0);
}

static archase_credit_recommendation recommend(fixture *f, const char *as_of) {
    archase_credit_recommendation r;
    memset(&r, 0, sizeof r);
    r.version = ARCHASE_CREDIT_RECOMMENDATION_VERSION;
    assert_int_equal(archase_credit_recommend(f->eng, f->policy, "ACME", test_day(as_of), &r), 0);
    return r;
}

static int request(fixture *f, const char *as_of, char id[ARCHASE_APPROVAL_ID_MAX], int *created) {
    archase_credit_recommendation r = recommend(f, as_of);
    assert_int_equal(r.action, ARCHASE_CREDIT_HOLD);
    return archase_credit_request(f->eng, f->policy, "ACME", &r, "carl", "150% of the limit is used, hold new orders",
                                  id, created);
}

typedef test_outbox_copy item;

static item outbox_item(fixture *f, const char *prefix, const char *id) {
    char key[96];
    snprintf(key, sizeof key, "%s%s#1", prefix, id);
    return test_outbox_copy_get(f->eng, key);
}

static int take_status(void *ud, const archase_approval_info *info) {
    *(int *)ud = info->status;
    return 0;
}

static int request_status(fixture *f, const char *id) {
    int status = 0;
    assert_int_equal(archase_approval_get(f->eng, id, take_status, &status), 0);
    return status;
}

static int take_lifetime(void *ud, const archase_approval_info *info) {
    archase_instant *t = ud;
    t[0] = info->created;
    t[1] = info->expires;
    return 0;
}

static archase_cycle_report run(fixture *f, const char *as_of, int hour) {
    test_ledger_now = at(as_of, hour);
    archase_cycle_report r;
    memset(&r, 0, sizeof r);
    r.version = ARCHASE_CYCLE_REPORT_VERSION;
    int rc = archase_run_cycle(f->eng, f->policy, test_day(as_of), NULL, &r);
    if (rc)
        fail_msg("cycle: %s: %s", archase_error_name(rc), archase_engine_errmsg(f->eng));
    return r;
}

static void a_hold_request_queues_the_notice_to_the_consented_contact(void **state) {
    fixture *f = *state;
    uint64_t before = test_audit_size(f->eng);
    char id[ARCHASE_APPROVAL_ID_MAX];
    int created = 0;
    assert_int_equal(request(f, "2026-03-10", id, &created), 0);
    assert_int_equal(created, 1);
    item n = outbox_item(f, "credit_notice/", id);
    assert_true(n.found);
    assert_int_equal(n.status, ARCHASE_OUTBOX_PENDING);
    assert_int_equal(n.channel, ARCHASE_CHANNEL_EMAIL);
    assert_string_equal(n.address, "ap@acme.example");
    assert_string_equal(n.tmpl, "hold_notice");
    assert_string_equal(n.subject, "Credit hold for ACME GmbH");
    assert_non_null(strstr(n.body, "1,500.00"));
    /* asked for on a Tuesday at 09:00 in the policy's zone (UTC), inside
     * the send window (08:00-18:00, Monday to Friday): due at once */
    assert_int_equal(n.scheduled_at, at("2026-03-10", 9));
    assert_string_equal(n.zone, "UTC");
    assert_false(n.deferred);
    /* the request and the new item, each an audit record */
    assert_int_equal(test_audit_size(f->eng), before + 2);
    /* asked again: the same request, no second notice */
    assert_int_equal(request(f, "2026-03-10", id, &created), 0);
    assert_int_equal(created, 0);
    assert_int_equal(test_audit_size(f->eng), before + 2);
}

static void without_a_consented_contact_nothing_is_requested(void **state) {
    fixture *f = *state;
    archase_contact c = ARCHASE_CONTACT_INIT;
    c.id = "ACME-AP";
    c.customer_id = "ACME";
    c.channel = ARCHASE_CHANNEL_EMAIL;
    c.address = "ap@acme.example";
    c.consent = 0; /* an address, but no consent */
    assert_int_equal(archase_contact_put(f->eng, &c, NULL), 0);
    uint64_t before = test_audit_size(f->eng);
    char id[ARCHASE_APPROVAL_ID_MAX];
    assert_int_equal(request(f, "2026-03-10", id, NULL), ARCHASE_EINVAL);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "no consented contact"));
    assert_int_equal(test_approval_count(f), 0);
    assert_int_equal(test_audit_size(f->eng), before);
}

static void the_hold_takes_effect_notice_days_after_the_notice_went_out(void **state) {
    fixture *f = *state;
    sent s = { "", 0 };
    use_transport(f, &s);
    char id[ARCHASE_APPROVAL_ID_MAX], held[96];
    assert_int_equal(request(f, "2026-03-10", id, NULL), 0);
    test_approval_approve(f, id, "over the limit for weeks");
    snprintf(held, sizeof held, "approved/%s#1|", id);
    /* approved, but the notice has not gone out: the host may not hold yet */
    assert_int_equal(archase_approval_dispatch(f->eng, id, "carl", NULL), ARCHASE_EDENIED);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "notice"));
    assert_int_equal(request_status(f, id), ARCHASE_APPROVAL_APPROVED);
    /* the day's cycle sends the notice (10 March, 09:00), not the hold */
    run(f, "2026-03-10", 9);
    assert_int_equal(outbox_item(f, "credit_notice/", id).status, ARCHASE_OUTBOX_SENT);
    assert_false(outbox_item(f, "approved/", id).found);
    assert_null(strstr(s.keys, held));
    /* six days later it still waits; so does the host */
    run(f, "2026-03-16", 9);
    assert_false(outbox_item(f, "approved/", id).found);
    assert_int_equal(archase_approval_dispatch(f->eng, id, "carl", NULL), ARCHASE_EDENIED);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "notice period"));
    /* seven days after the notice: the hold goes out, once */
    archase_cycle_report r = run(f, "2026-03-17", 10);
    assert_int_equal(r.approved_actions, 1);
    assert_int_equal(r.dispatch.refused, 0);
    assert_non_null(strstr(s.keys, held));
    assert_int_equal(request_status(f, id), ARCHASE_APPROVAL_DISPATCHED);
    int before = s.n;
    run(f, "2026-03-18", 10);
    assert_null(strstr(strstr(s.keys, held) + 1, held));
    assert_true(s.n >= before);
}

/* ACME in Berlin (CET, UTC+1, in March before the 29th). */
static void acme_in_berlin(fixture *f) {
    test_ledger_move_acme(f, &ledger, "Europe/Berlin");
}

static void a_notice_asked_for_at_night_waits_for_the_send_window(void **state) {
    fixture *f = *state;
    acme_in_berlin(f);
    sent s = { "", 0 };
    use_transport(f, &s);
    /* Tuesday 21:30 UTC is 22:30 in Berlin: quiet hours, the window closed */
    test_ledger_now = at("2026-03-10", 21) + 1800;
    char id[ARCHASE_APPROVAL_ID_MAX];
    assert_int_equal(request(f, "2026-03-10", id, NULL), 0);
    item n = outbox_item(f, "credit_notice/", id);
    /* Wednesday 08:00 in Berlin, 07:00 UTC */
    assert_int_equal(n.scheduled_at, at("2026-03-11", 7));
    assert_string_equal(n.zone, "Europe/Berlin");
    assert_int_equal(n.local_date, test_day("2026-03-11"));
    assert_int_equal(n.local_seconds, 8 * 3600);
    assert_true(n.deferred);
    /* the cycle at 07:00 Berlin time leaves it waiting; a dispatch at 08:05 sends it */
    run(f, "2026-03-11", 6);
    assert_int_equal(outbox_item(f, "credit_notice/", id).status, ARCHASE_OUTBOX_PENDING);
    assert_null(strstr(s.keys, "credit_notice/"));
    test_ledger_now = at("2026-03-11", 7) + 300;
    archase_dispatch_report d;
    memset(&d, 0, sizeof d);
    d.version = ARCHASE_DISPATCH_REPORT_VERSION;
    assert_int_equal(archase_dispatch(f->eng, NULL, &d), 0);
    assert_int_equal(outbox_item(f, "credit_notice/", id).status, ARCHASE_OUTBOX_SENT);
    assert_non_null(strstr(s.keys, "credit_notice/"));
}

static void a_notice_asked_for_on_a_weekend_goes_on_monday_and_the_hold_counts_from_then(void **state) {
    fixture *f = *state;
    acme_in_berlin(f);
    sent s = { "", 0 };
    use_transport(f, &s);
    /* Saturday 14 March, 11:00 in Berlin: not a day of the window */
    test_ledger_now = at("2026-03-14", 10);
    char id[ARCHASE_APPROVAL_ID_MAX], held[96];
    assert_int_equal(request(f, "2026-03-14", id, NULL), 0);
    test_approval_approve(f, id, "over the limit for weeks");
    snprintf(held, sizeof held, "approved/%s#1|", id);
    item n = outbox_item(f, "credit_notice/", id);
    assert_int_equal(n.scheduled_at, at("2026-03-16", 7)); /* Monday 08:00 CET */
    assert_true(n.deferred);
    /* the request lapses 7 days (approvals) + 7 (notice) + the 45 hours
     * the notice waits after it was made */
    archase_instant life[2] = { 0, 0 };
    assert_int_equal(archase_approval_get(f->eng, id, take_lifetime, life), 0);
    assert_int_equal(life[0], at("2026-03-14", 10));
    assert_int_equal(life[1], life[0] + 14 * 86400 + 45 * 3600);
    run(f, "2026-03-15", 10); /* Sunday: nothing goes */
    assert_int_equal(outbox_item(f, "credit_notice/", id).status, ARCHASE_OUTBOX_PENDING);
    assert_null(strstr(s.keys, "credit_notice/"));
    run(f, "2026-03-16", 7); /* Monday 08:00 CET: sent */
    assert_int_equal(outbox_item(f, "credit_notice/", id).status, ARCHASE_OUTBOX_SENT);
    /* seven days after the request, but not after the notice: no hold */
    run(f, "2026-03-22", 10);
    assert_false(outbox_item(f, "approved/", id).found);
    assert_int_equal(archase_approval_dispatch(f->eng, id, "carl", NULL), ARCHASE_EDENIED);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "notice period"));
    /* seven days after the notice went out: carried out (the request,
     * which lapses later by the days its notice waited, is still live) */
    archase_cycle_report r = run(f, "2026-03-23", 7);
    assert_int_equal(r.approved_actions, 1);
    assert_non_null(strstr(s.keys, held));
    assert_int_equal(request_status(f, id), ARCHASE_APPROVAL_DISPATCHED);
}

static int pay_down(fixture *f, const char *date) {
    /* 600.00 EUR on INV-1: 900.00 EUR open, 90% of the limit */
    return test_ledger_payment(f->eng, "PAY-1", "ACME", "INV-1", date, 60000, "EUR", NULL, 0);
}

static void paying_down_withdraws_the_request_and_cancels_a_waiting_notice(void **state) {
    fixture *f = *state;
    char id[ARCHASE_APPROVAL_ID_MAX];
    assert_int_equal(request(f, "2026-03-10", id, NULL), 0);
    archase_lifecycle_counts c;
    memset(&c, 0, sizeof c);
    c.version = ARCHASE_LIFECYCLE_COUNTS_VERSION;
    assert_int_equal(archase_lifecycle_update(f->eng, f->policy, test_day("2026-03-11"), &c), 0);
    assert_int_equal(c.transitions, 0); /* still a hold: nothing moves */
    assert_int_equal(request_status(f, id), ARCHASE_APPROVAL_PENDING);
    assert_int_equal(pay_down(f, "2026-03-11"), 0);
    uint64_t before = test_audit_size(f->eng);
    assert_int_equal(archase_lifecycle_update(f->eng, f->policy, test_day("2026-03-12"), &c), 0);
    assert_int_equal(c.transitions, 1);
    assert_int_equal(request_status(f, id), ARCHASE_APPROVAL_VOIDED);
    assert_int_equal(outbox_item(f, "credit_notice/", id).status, ARCHASE_OUTBOX_CANCELLED);
    /* the withdrawal and the cancelled notice, each with its audit record */
    assert_int_equal(test_audit_size(f->eng), before + 2);
    assert_int_equal(archase_lifecycle_update(f->eng, f->policy, test_day("2026-03-13"), &c), 0);
    assert_int_equal(c.transitions, 0);
    assert_int_equal(test_audit_size(f->eng), before + 2);
}

static void a_hold_withdrawn_after_its_notice_is_never_carried_out(void **state) {
    fixture *f = *state;
    sent s = { "", 0 };
    use_transport(f, &s);
    char id[ARCHASE_APPROVAL_ID_MAX];
    assert_int_equal(request(f, "2026-03-10", id, NULL), 0);
    test_approval_approve(f, id, "over the limit for weeks");
    run(f, "2026-03-10", 9); /* the notice goes out */
    assert_int_equal(pay_down(f, "2026-03-12"), 0);
    archase_cycle_report r = run(f, "2026-03-13", 9);
    assert_int_equal(r.lifecycle_transitions, 1);
    assert_int_equal(r.cancelled, 0); /* the notice was sent already */
    assert_int_equal(request_status(f, id), ARCHASE_APPROVAL_VOIDED);
    run(f, "2026-03-20", 9);
    assert_false(outbox_item(f, "approved/", id).found);
    assert_int_equal(archase_approval_dispatch(f->eng, id, "carl", NULL), ARCHASE_EDENIED);
}

/* ---- failures ---------------------------------------------------------------------------- */

static int flow_with(const archase_allocator *a, void *ud) {
    (void)ud;
    fixture f;
    memset(&f, 0, sizeof f);
    test_ledger_now = at("2026-03-10", 9);
    int rc = test_ledger_open(&f, &ledger, a, NULL);
    if (!rc)
        rc = put_contact(&f);
    archase_credit_recommendation r;
    memset(&r, 0, sizeof r);
    r.version = ARCHASE_CREDIT_RECOMMENDATION_VERSION;
    if (!rc)
        rc = archase_credit_recommend(f.eng, f.policy, "ACME", test_day("2026-03-10"), &r);
    char id[ARCHASE_APPROVAL_ID_MAX];
    if (!rc)
        rc = archase_credit_request(f.eng, f.policy, "ACME", &r, "carl", "150% of the limit is used, hold new orders",
                                    id, NULL);
    /* The withdrawal fails at every allocation too; under valgrind (20-50
     * times slower) only the request does. */
    if (!rc && !test_under_valgrind())
        rc = pay_down(&f, "2026-03-11");
    if (!rc && !test_under_valgrind())
        rc = archase_lifecycle_update(f.eng, f.policy, test_day("2026-03-12"), NULL);
    test_ledger_close(&f);
    return rc;
}

static void the_notice_survives_every_allocation_failure(void **state) {
    (void)state;
    assert_true(failalloc_loop(flow_with, NULL, NULL) > 20);
}

static void a_failing_storage_call_writes_neither_request_nor_notice(void **state) {
    (void)state;
    test_fault_round fr;
    for (test_fault_start(&fr, &ledger); test_fault_next(&fr);) {
        fixture *f = &fr.l;
        test_ledger_now = at("2026-03-10", 9);
        assert_int_equal(put_contact(f), 0);
        archase_credit_recommendation r = recommend(f, "2026-03-10");
        uint64_t before = test_audit_size(f->eng);
        char id[ARCHASE_APPROVAL_ID_MAX];
        test_fault_arm(&fr);
        int rc = archase_credit_request(f->eng, f->policy, "ACME", &r, "carl",
                                        "150% of the limit is used, hold new orders", id, NULL);
        int failed = test_fault_disarm(&fr);
        if (failed) {
            assert_int_not_equal(rc, 0);
            assert_int_equal(test_approval_count(f), 0);
            assert_int_equal(test_audit_size(f->eng), before);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(test_approval_count(f), 1);
            assert_true(outbox_item(f, "credit_notice/", id).found);
            assert_int_equal(test_audit_size(f->eng), before + 2);
        }
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(a_hold_request_queues_the_notice_to_the_consented_contact, setup,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(without_a_consented_contact_nothing_is_requested, setup_without_contact,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(the_hold_takes_effect_notice_days_after_the_notice_went_out, setup,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_notice_asked_for_at_night_waits_for_the_send_window, setup,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_notice_asked_for_on_a_weekend_goes_on_monday_and_the_hold_counts_from_then,
                                    setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(paying_down_withdraws_the_request_and_cancels_a_waiting_notice, setup,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_hold_withdrawn_after_its_notice_is_never_carried_out, setup,
                                    test_ledger_teardown),
    cmocka_unit_test(the_notice_survives_every_allocation_failure),
    cmocka_unit_test(a_failing_storage_call_writes_neither_request_nor_notice),
};

AR_TEST_MAIN(tests)
