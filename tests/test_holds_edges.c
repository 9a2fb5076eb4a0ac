/* tests/test_holds_edges.c — what customer flags and disputes do to the
 * day's decisions at their edges, through the public API: a flag the
 * policy says to ignore leaves the sequence as it is; two flags with the
 * same effect each give their reason; a second dispute over an invoice the
 * first already disputes in full takes the next invoice's open amount. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/ledger.h"
#include "support/testutil.h"

static const char policy_text[] =
    "version: 1\n"
    "currency: {default: EUR}\n"
    "segments: [{name: all, sequence: s}]\n"
    "sequences: {s: {steps: [{offset: 1, action: queue_call}]}}\n"
    "relationship: {strategic: continue}\n";

typedef test_ledger fixture;

static const test_ledger_spec ledger = { policy_text, "anna", "anna", "olaf", 0, 100000, 50000, NULL };

static archase_date D(const char *s) {
    return test_day(s);
}

static int setup(void **state) {
    return test_ledger_setup(state, &ledger);
}

/* What the day decided for `invoice`: its kind and reasons. */
typedef struct decided {
    int  kind;
    int  reasons[16];
    int  n;
} decided;

static decided decide(fixture *f, const char *as_of, const char *invoice) {
    archase_snapshot *snap = NULL;
    archase_decisions *ds = NULL;
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = f->policy;
    assert_int_equal(archase_snapshot_load(f->eng, D(as_of), &so, &snap), 0);
    assert_int_equal(archase_evaluate(snap, f->policy, D(as_of), NULL, &ds), 0);
    decided out;
    memset(&out, 0, sizeof out);
    for (size_t i = 0; i < archase_decisions_count(ds); i++) {
        archase_decision dec = ARCHASE_DECISION_INIT;
        assert_int_equal(archase_decision_get(ds, i, &dec), 0);
        int mine = 0;
        for (size_t k = 0; k < dec.invoice_count; k++) {
            archase_decision_invoice di;
            memset(&di, 0, sizeof di);
            di.version = ARCHASE_DECISION_INVOICE_VERSION;
            assert_int_equal(archase_decision_invoice_get(ds, i, k, &di), 0);
            mine |= !strcmp(di.invoice_id, invoice);
        }
        if (!mine || out.kind)
            continue;
        out.kind = dec.kind;
        for (size_t j = 0; j < dec.reason_count && out.n < 16; j++)
            assert_int_equal(archase_decision_reason(ds, i, j, &out.reasons[out.n++]), 0);
    }
    archase_decisions_free(ds);
    archase_snapshot_free(snap);
    if (!out.kind)
        fail_msg("no decision for %s", invoice);
    return out;
}

static int has(const decided *d, int reason) {
    for (int i = 0; i < d->n; i++)
        if (d->reasons[i] == reason)
            return 1;
    return 0;
}

static void a_flag_the_policy_ignores_leaves_the_sequence_as_it_is(void **state) {
    fixture *f = *state;
    archase_customer_flags fl = ARCHASE_CUSTOMER_FLAGS_INIT;
    fl.customer_id = "ACME";
    fl.strategic = 1;
    fl.reason = "key account";
    assert_int_equal(archase_customer_flags_put(f->eng, &fl, NULL), 0);
    decided d = decide(f, "2026-03-05", "INV-1");
    assert_int_equal(d.kind, ARCHASE_DECISION_QUEUE_CALL);
    assert_false(has(&d, ARCHASE_REASON_STRATEGIC_ACCOUNT));
    assert_false(has(&d, ARCHASE_REASON_TONE_SOFTENED));
}

static void two_flags_with_the_same_effect_each_give_their_reason(void **state) {
    fixture *f = *state;
    archase_customer_flags fl = ARCHASE_CUSTOMER_FLAGS_INIT;
    fl.customer_id = "ACME";
    fl.hold = 1;
    fl.paused_until = D("2026-03-20");
    fl.strategic = 1;
    fl.reason = "renegotiating the contract";
    assert_int_equal(archase_customer_flags_put(f->eng, &fl, NULL), 0);
    decided d = decide(f, "2026-03-05", "INV-1");
    assert_int_equal(d.kind, ARCHASE_DECISION_SKIP);
    assert_true(has(&d, ARCHASE_REASON_HOLD));
    assert_true(has(&d, ARCHASE_REASON_PAUSED));
    assert_false(has(&d, ARCHASE_REASON_STRATEGIC_ACCOUNT));
}

static void a_second_dispute_over_a_fully_disputed_invoice_takes_the_next_one(void **state) {
    fixture *f = *state;
    static const char *const inv1[] = { "INV-1" };
    static const char *const both[] = { "INV-1", "INV-2" };
    archase_dispute d = ARCHASE_DISPUTE_INIT;
    d.id = "D-1";
    d.customer_id = "ACME";
    d.invoice_ids = inv1;
    d.invoice_count = 1;
    d.amount = (archase_money){ 100000, "EUR" }; /* all of INV-1 */
    d.reason_code = "pricing";
    d.opened_by = "anna";
    assert_int_equal(archase_dispute_open(f->eng, f->policy, &d, D("2026-03-02")), 0);
    d.id = "D-2";
    d.invoice_ids = both;
    d.invoice_count = 2;
    d.amount = (archase_money){ 20000, "EUR" };
    d.reason_code = "short_ship";
    assert_int_equal(archase_dispute_open(f->eng, f->policy, &d, D("2026-03-03")), 0);
    decided one = decide(f, "2026-03-05", "INV-1");
    assert_int_equal(one.kind, ARCHASE_DECISION_WAIT);
    assert_true(has(&one, ARCHASE_REASON_DISPUTED));
    decided two = decide(f, "2026-03-05", "INV-2");
    assert_int_equal(two.kind, ARCHASE_DECISION_QUEUE_CALL); /* 300.00 of its 500.00 still chased */
    assert_true(has(&two, ARCHASE_REASON_DISPUTED_PART_PAUSED));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(a_flag_the_policy_ignores_leaves_the_sequence_as_it_is, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(two_flags_with_the_same_effect_each_give_their_reason, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_second_dispute_over_a_fully_disputed_invoice_takes_the_next_one, setup,
                                    test_ledger_teardown),
};

AR_TEST_MAIN(tests)
