/* tests/test_cov_review_segments.c — which customer messages wait for a
 * person (copilot mode) by segment: delivery.review_segments are always
 * drafts; under delivery.review, automatic_segments go out unless the
 * account is relationship-sensitive (here: strategic); the cycle's review
 * option makes every message a draft, automatic segments included. A draft
 * is not reviewed while a batch is open. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/policyload.h"
#include "support/testutil.h"

#define DAY0 20484 /* 2026-01-31 */

static const char policy_head[] =
    "version: 1\n"
    "currency: {default: EUR}\n"
    "segments:\n"
    "  - {name: big, sequence: standard, when: \"tier == gold\"}\n"
    "  - {name: small, sequence: standard}\n"
    TEST_POLICY_STANDARD_STEPS
    "      - {offset: 1, channel: email, template: overdue}\n"
    "call_queue: {enabled: false}\n"
    TEST_POLICY_ANY_TIME
    "templates:\n"
    "  definitions:\n"
    "    overdue:\n"
    "      email: {en: {subject: \"Invoice {{ invoice.number }}\", body: \"{{ totals.open_amount }} is open.\"}}\n";

static int take_status(void *ud, const archase_outbox_item *it) {
    int *status = ud;
    if (it->kind != ARCHASE_DECISION_SEND_MESSAGE || !it->customer_id)
        return 0;
    int i = !strcmp(it->customer_id, "G") ? 0 : !strcmp(it->customer_id, "S") ? 1 : 2;
    assert_int_equal(status[i], 0); /* one message each */
    status[i] = it->status;
    return 0;
}

static int draft_id(void *ud, const archase_outbox_item *it) {
    snprintf(ud, ARCHASE_IDEMPOTENCY_KEY_MAX, "%s", it->id);
    return 1;
}

/* A draft is not reviewed while a batch is open; afterwards it is. */
static void no_review_during_a_batch(archase_engine *eng) {
    char id[ARCHASE_IDEMPOTENCY_KEY_MAX] = "";
    assert_int_equal(archase_outbox_scan(eng, ARCHASE_OUTBOX_DRAFT, draft_id, id), 0);
    assert_true(id[0] != '\0');
    archase_review r = ARCHASE_REVIEW_INIT;
    r.reviewer = "rita";
    archase_batch *b = NULL;
    assert_int_equal(archase_batch_begin(eng, NULL, NULL, &b), 0);
    assert_int_equal(archase_review_approve(eng, id, &r), ARCHASE_ESTATE);
    assert_string_equal(archase_engine_errmsg(eng), "a batch or transaction is open on the engine");
    archase_batch_free(b);
    assert_int_equal(archase_review_approve(eng, id, &r), 0);
    assert_int_equal(archase_review_approve(eng, id, &r), ARCHASE_ESTATE); /* no longer a draft */
}

/* Customers G (gold: segment big), S (small) and T (small, strategic),
 * each with one invoice a day overdue; the cycle of that day under the
 * policy with `delivery`, in review mode when `review`. The status of each
 * customer's message goes to status[0..2] (G, S, T). */
static void run_day(const char *delivery, int review, int status[3]) {
    char text[2048];
    snprintf(text, sizeof text, "%sdelivery: %s\n", policy_head, delivery);
    archase_policy *policy = test_policy_load_ok(text);
    archase_engine *eng = NULL;
    assert_int_equal(archase_open_memory(NULL, &eng), 0);
    const char *ids[3] = { "G", "S", "T" };
    for (int i = 0; i < 3; i++) {
        archase_customer c = ARCHASE_CUSTOMER_INIT;
        c.id = ids[i];
        c.name = ids[i];
        c.tier = i == 0 ? "gold" : "silver";
        assert_int_equal(archase_customer_put(eng, &c, NULL), 0);
        char kid[8], iid[8];
        snprintf(kid, sizeof kid, "K-%s", ids[i]);
        snprintf(iid, sizeof iid, "I-%s", ids[i]);
        test_put_contact(eng, kid, ids[i], ARCHASE_CHANNEL_EMAIL, "ap@example.com");
        archase_invoice inv = ARCHASE_INVOICE_INIT;
        inv.id = iid;
        inv.customer_id = ids[i];
        inv.number = iid;
        inv.issue_date = DAY0 - 30;
        inv.due_date = DAY0;
        inv.amount = (archase_money){ 50000, "EUR" };
        assert_int_equal(archase_invoice_put(eng, &inv, NULL), 0);
    }
    archase_customer_flags fl = ARCHASE_CUSTOMER_FLAGS_INIT;
    fl.customer_id = "T";
    fl.strategic = 1;
    assert_int_equal(archase_customer_flags_put(eng, &fl, NULL), 0);
    archase_cycle_options co = ARCHASE_CYCLE_OPTIONS_INIT;
    co.dispatch = 0;
    co.review = review;
    if (archase_run_cycle(eng, policy, DAY0 + 1, &co, NULL))
        fail_msg("%s", archase_engine_errmsg(eng));
    for (int i = 0; i < 3; i++)
        status[i] = 0;
    assert_int_equal(archase_outbox_scan(eng, 0, take_status, status), 0);
    if (status[0] == ARCHASE_OUTBOX_DRAFT)
        no_review_during_a_batch(eng);
    archase_engine_free(eng);
    archase_policy_free(policy);
}

static void review_segments_are_always_drafts(void **state) {
    (void)state;
    int st[3];
    run_day("{review_segments: [big]}", 0, st);
    assert_int_equal(st[0], ARCHASE_OUTBOX_DRAFT);
    assert_int_equal(st[1], ARCHASE_OUTBOX_PENDING);
    assert_int_equal(st[2], ARCHASE_OUTBOX_PENDING);
}

static void under_review_automatic_segments_go_out_but_sensitive_accounts_wait(void **state) {
    (void)state;
    int st[3];
    run_day("{review: review, automatic_segments: [small]}", 0, st);
    assert_int_equal(st[0], ARCHASE_OUTBOX_DRAFT);   /* not an automatic segment */
    assert_int_equal(st[1], ARCHASE_OUTBOX_PENDING); /* automatic */
    assert_int_equal(st[2], ARCHASE_OUTBOX_DRAFT);   /* automatic, but strategic */
}

static void the_cycles_review_option_makes_every_message_a_draft(void **state) {
    (void)state;
    int st[3];
    run_day("{review: automatic, automatic_segments: [small]}", 1, st);
    assert_int_equal(st[0], ARCHASE_OUTBOX_DRAFT);
    assert_int_equal(st[1], ARCHASE_OUTBOX_DRAFT);
    assert_int_equal(st[2], ARCHASE_OUTBOX_DRAFT);
    run_day("{review: automatic}", 0, st);
    assert_int_equal(st[0], ARCHASE_OUTBOX_PENDING);
    assert_int_equal(st[1], ARCHASE_OUTBOX_PENDING);
    assert_int_equal(st[2], ARCHASE_OUTBOX_PENDING);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(review_segments_are_always_drafts),
        cmocka_unit_test(under_review_automatic_segments_go_out_but_sensitive_accounts_wait),
        cmocka_unit_test(the_cycles_review_option_makes_every_message_a_draft),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name(__FILE__, tests, NULL, NULL);
}
