/* tests/test_replay_kinds.c — a replay that meets every kind of decision
 * (messages, calls, owner alerts, the approvals the policy's escalations
 * need, skips of a customer on hold, waits of a disputed invoice) counts each kind once a day and once
 * in the summary: the summary's counts are the sums of the days'. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "archase/replay.h"
#include "support/testutil.h"

typedef struct fixture {
    archase_engine        *eng;
    archase_policy        *policy;
    archase_replay_result *result;
} fixture;

static archase_date on(const char *text) {
    archase_date d = ARCHASE_DATE_NONE;
    assert_int_equal(archase_date_parse(text, &d), 0);
    return d;
}

static void ok(fixture *f, int rc) {
    if (rc != 0)
        fail_msg("%s: %s", archase_error_name(rc), archase_engine_errmsg(f->eng));
}

static void given_customer(fixture *f, const char *id, const char *tier, int hold, int strategic) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = id;
    c.name = id;
    c.timezone = "America/New_York";
    c.owner = "anna";
    c.collector = "bob";
    c.tier = tier;
    ok(f, archase_customer_put(f->eng, &c, NULL));
    char cid[64], addr[64];
    snprintf(cid, sizeof cid, "%s:email", id);
    snprintf(addr, sizeof addr, "ap@%s.example", id);
    archase_contact k = ARCHASE_CONTACT_INIT;
    k.id = cid;
    k.customer_id = id;
    k.channel = ARCHASE_CHANNEL_EMAIL;
    k.address = addr;
    k.consent = 1;
    k.primary = 1;
    ok(f, archase_contact_put(f->eng, &k, NULL));
    snprintf(cid, sizeof cid, "%s:phone", id);
    k.id = cid;
    k.channel = ARCHASE_CHANNEL_CALL;
    k.address = "+12125550100";
    k.primary = 0;
    ok(f, archase_contact_put(f->eng, &k, NULL));
    if (hold || strategic) {
        archase_customer_flags fl = ARCHASE_CUSTOMER_FLAGS_INIT;
        fl.customer_id = id;
        fl.hold = hold;
        fl.strategic = strategic;
        fl.reason = "account review";
        ok(f, archase_customer_flags_put(f->eng, &fl, NULL));
    }
}

static void given_invoice(fixture *f, const char *customer, const char *id, const char *due, int64_t minor) {
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = id;
    inv.customer_id = customer;
    inv.number = id;
    inv.po_ref = "PO-1";
    inv.due_date = on(due);
    inv.issue_date = inv.due_date - 30;
    inv.amount.minor = minor;
    memcpy(inv.amount.currency, "USD", 4);
    ok(f, archase_invoice_put(f->eng, &inv, NULL));
}

static int setup(void **state) {
    fixture *f = test_calloc(1, sizeof *f);
    assert_int_equal(archase_open_memory(NULL, &f->eng), 0);
    const char *root = getenv("ARCHASE_SOURCE_ROOT");
    char path[1024];
    snprintf(path, sizeof path, "%s/examples/policies/enterprise-formal.yaml", root ? root : "..");
    assert_int_equal(archase_policy_load_file(path, NULL, &f->policy, NULL), 0);
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
    d.opened_on = on("2026-02-22");
    ok(f, archase_dispute_put(f->eng, &d, NULL));
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
    ok(f, archase_replay(f->eng, f->policy, on("2026-02-01"), on("2026-04-15"), NULL, &f->result));
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
