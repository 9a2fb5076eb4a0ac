/* tests/test_replay_kinds.c — a replay that meets every kind of decision
 * (messages, calls, owner alerts, the approvals the policy's escalations
 * need, skips of a customer on hold, waits of a disputed invoice) counts each kind once a day and once
 * in the summary: the summary's counts are the sums of the days'. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "archase/replay.h"
#include "support/facts.h"
#include "support/ledger.h"
#include "support/memengine.h"
#include "support/testutil.h"

typedef struct fixture {
    archase_engine        *eng;
    archase_policy        *policy;
    archase_replay_result *result;
} fixture;

static void given_customer(fixture *f, const char *id, const char *tier, int hold, int strategic) {
    test_fact_customer(f->eng, id, "America/New_York", tier);
    char cid[64];
    snprintf(cid, sizeof cid, "%s:phone", id);
    archase_contact k = ARCHASE_CONTACT_INIT;
    k.id = cid;
    k.customer_id = id;
    k.channel = ARCHASE_CHANNEL_CALL;
    k.address = "+12125550100";
    k.consent = 1;
    k.primary = 0;
    test_ok(f->eng, archase_contact_put(f->eng, &k, NULL));
    if (hold || strategic) {
        archase_customer_flags fl = ARCHASE_CUSTOMER_FLAGS_INIT;
        fl.customer_id = id;
        fl.hold = hold;
        fl.strategic = strategic;
        fl.reason = "account review";
        test_ok(f->eng, archase_customer_flags_put(f->eng, &fl, NULL));
    }
}

static void given_invoice(fixture *f, const char *customer, const char *id, const char *due, int64_t minor) {
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = id;
    inv.customer_id = customer;
    inv.number = id;
    inv.po_ref = "PO-1";
    inv.due_date = test_day(due);
    inv.issue_date = inv.due_date - 30;
    inv.amount.minor = minor;
    memcpy(inv.amount.currency, "USD", 4);
    test_ok(f->eng, archase_invoice_put(f->eng, &inv, NULL));
}

static int setup(void **state) {
    fixture *f = test_calloc(1, sizeof *f);
    assert_int_equal(archase_open_memory(NULL, &f->eng), 0);
    f->policy = test_example_policy("enterprise-formal.yaml");
    given_customer(f, "ACME", "enterprise", 0, 0);
    given_customer(f, "BIG", "enterprise", 0, 1);
    given_customer(f, "HELD", "enterprise", 1, 0);
    given_invoice(f, "ACME", "A1", "2026-01-20", 5000000);
    given_invoice(f, "ACME", "A2", "2026-02-20", 300000);
    given_invoice(f, "ACME", "A3", "2026-03-20", 200000);
    given_invoice(f, "BIG", "B1", "2026-01-25", 9000000);
    given_invoice(f, "BIG", "B2", "2026-03-10", 400000);
    given_invoice(f, "HELD", "H1", "2026-02-01", 700000);
    /* A2 disputed: its steps wait */
    const char *ids[1] = { "A2" };
    archase_dispute d = ARCHASE_DISPUTE_INIT;
    d.id = "D1";
    d.customer_id = "ACME";
    d.invoice_ids = ids;
    d.invoice_count = 1;
    d.amount.minor = 300000;
    memcpy(d.amount.currency, "USD", 4);
    d.reason_code = "pricing";
    d.opened_on = test_day("2026-02-22");
    test_ok(f->eng, archase_dispute_put(f->eng, &d, NULL));
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    archase_replay_result_free(f->result);
    archase_policy_free(f->policy);
    archase_engine_free(f->eng);
    test_free(f);
    return 0;
}

static void every_kind_of_decision_is_counted_in_its_day_and_the_summary(void **state) {
    fixture *f = *state;
    test_ok(f->eng, archase_replay(f->eng, f->policy, test_day("2026-02-01"), test_day("2026-04-15"), NULL,
                                   &f->result));
    archase_replay_summary s = ARCHASE_REPLAY_SUMMARY_INIT;
    assert_int_equal(archase_replay_summary_get(f->result, &s), 0);
    uint64_t decisions = 0, messages = 0, calls = 0, escalations = 0, approvals = 0;
    for (size_t i = 0; i < archase_replay_day_count(f->result); i++) {
        archase_replay_day d = ARCHASE_REPLAY_DAY_INIT;
        assert_int_equal(archase_replay_day_get(f->result, i, &d), 0);
        decisions += d.decisions;
        messages += d.messages;
        calls += d.calls;
        escalations += d.escalations;
        approvals += d.approvals;
    }
    assert_int_equal(s.decisions, decisions);
    assert_int_equal(s.messages, messages);
    assert_int_equal(s.calls, calls);
    assert_int_equal(s.escalations, escalations);
    assert_int_equal(s.approvals, approvals);
    assert_int_equal(archase_replay_message_count(f->result), messages);
    /* every kind was met */
    assert_true(s.messages > 0);
    assert_true(s.calls > 0);
    assert_true(s.owner_alerts > 0);
    assert_true(s.approvals > 0);
    /* escalating is a sensitive action here: each one is an approval request */
    assert_int_equal(s.escalations, 0);
    assert_true(s.skips > 0);
    assert_true(s.waits > 0);
    /* the kinds are all the decisions there are */
    assert_true(s.messages + s.calls + s.owner_alerts + s.escalations + s.approvals + s.skips + s.waits <= s.decisions);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(every_kind_of_decision_is_counted_in_its_day_and_the_summary, setup, teardown),
};

AR_TEST_MAIN(tests)
