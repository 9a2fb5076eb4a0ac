/* tests/test_recon.c — the reconciliation queue and credit-limit
 * recommendations through the public API: each exception opened once from
 * the payments (overpayment, short-pay, unapplied cash, payment on a
 * disputed invoice, promise paid by another amount, other currency,
 * duplicate reference), resolutions as facts (apply, refund, an
 * approval-gated write-off), refused resolutions writing nothing, credit
 * recommendations within the policy's bands with their drivers, and every
 * allocation and storage call failing. */
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
    "reconciliation: {owner_role: cash_apps, sla_days: 3, short_pay_percent: 5}\n"
    "credit:\n"
    "  max_limit: [11000 EUR]\n"
    "  min_limit: [2000 EUR]\n"
    "  max_raise_percent: 20\n"
    "  max_lower_percent: 50\n"
    "  hold_broken_promises: 3\n"
    "  notice_days: 7\n"
    "  notice_template: hold_notice\n"
    "templates:\n"
    "  definitions:\n"
    "    hold_notice:\n"
    "      email: {en: {subject: \"Credit hold\", body: \"Your account will be put on hold.\"}}\n";

typedef test_ledger fixture;

static const test_ledger_spec ledger = { policy_text, "carl", NULL, NULL, 1000000, 100000, 50000, NULL };

static archase_date D(const char *s) {
    return test_day(s);
}

static int pay(archase_engine *eng, const char *id, const char *inv, const char *date, int64_t minor) {
    return test_ledger_payment(eng, id, "ACME", inv, date, minor, "EUR", NULL, 0);
}

static int setup(void **state) {
    return test_ledger_setup(state, &ledger);
}

typedef test_recon_queue queue;

static int resolve(fixture *f, const char *id, int resolution, const char *inv, const char *as_of,
                   char approval[ARCHASE_APPROVAL_ID_MAX], int *pending) {
    archase_recon_action a = ARCHASE_RECON_ACTION_INIT;
    a.id = id;
    a.resolution = resolution;
    a.invoice_id = inv;
    a.by = "carl";
    a.note = "checked with the bank statement";
    return archase_recon_resolve(f->eng, f->policy, &a, D(as_of), approval, pending);
}

/* ---- exceptions ---------------------------------------------------------------------- */

static void an_overpayment_is_queued_and_applied_to_another_invoice(void **state) {
    fixture *f = *state;
    assert_int_equal(test_ledger_payment(f->eng, "PAY-1", "ACME", "INV-1", "2026-03-05", 120000, "EUR", NULL, 1), 0);
    queue q = test_recon_items(f, ARCHASE_RECON_STATUS_OPEN);
    assert_string_equal(q.text, "payment:PAY-1=overpayment/20000;");
    assert_string_equal(q.owner, "cash_apps");
    assert_int_equal(q.sla_due, D("2026-03-08"));
    uint64_t before = test_audit_size(f->eng);
    /* applying needs the invoice: refused, nothing written */
    assert_int_equal(resolve(f, "payment:PAY-1", ARCHASE_RECON_APPLY, NULL, "2026-03-06", NULL, NULL), ARCHASE_EINVAL);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "needs the invoice"));
    assert_int_equal(test_audit_size(f->eng), before);
    int pending = -1;
    assert_int_equal(resolve(f, "payment:PAY-1", ARCHASE_RECON_APPLY, "INV-2", "2026-03-06", NULL, &pending), 0);
    assert_int_equal(pending, 0);
    assert_int_equal(test_open_amount(f, "INV-2"), 30000);
    assert_int_equal(test_recon_items(f, ARCHASE_RECON_STATUS_OPEN).n, 0);
    q = test_recon_items(f, ARCHASE_RECON_STATUS_RESOLVED);
    assert_int_equal(q.resolution, ARCHASE_RECON_APPLY);
    assert_int_equal(resolve(f, "payment:PAY-1", ARCHASE_RECON_REFUND, NULL, "2026-03-06", NULL, NULL), ARCHASE_ESTATE);
    assert_int_equal(resolve(f, "nope", ARCHASE_RECON_REFUND, NULL, "2026-03-06", NULL, NULL), ARCHASE_ENOTFOUND);
}

static void unapplied_cash_is_refunded(void **state) {
    fixture *f = *state;
    assert_int_equal(pay(f->eng, "PAY-1", NULL, "2026-03-05", 5000), 0);
    assert_string_equal(test_recon_items(f, 0).text, "payment:PAY-1=unapplied_cash/5000;");
    assert_int_equal(resolve(f, "payment:PAY-1", ARCHASE_RECON_REFUND, NULL, "2026-03-06", NULL, NULL), 0);
    assert_int_equal(test_recon_items(f, ARCHASE_RECON_STATUS_RESOLVED).resolution, ARCHASE_RECON_REFUND);
    assert_int_equal(test_open_amount(f, "INV-1"), 100000);
}

static void a_short_pay_is_written_off_once_approved(void **state) {
    fixture *f = *state;
    assert_int_equal(pay(f->eng, "PAY-1", "INV-1", "2026-03-05", 97000), 0); /* 3% left */
    assert_int_equal(pay(f->eng, "PAY-2", "INV-2", "2026-03-05", 40000), 0); /* 20% left: an instalment */
    archase_lifecycle_counts c = test_lifecycle_update(f, "2026-03-05");
    assert_int_equal(c.recon_opened, 1);
    assert_string_equal(test_recon_items(f, 0).text, "short_pay:INV-1=short_pay/3000;");
    assert_int_equal(test_lifecycle_update(f, "2026-03-06").recon_opened, 0);
    char id[ARCHASE_APPROVAL_ID_MAX] = "";
    int pending = 0;
    assert_int_equal(resolve(f, "short_pay:INV-1", ARCHASE_RECON_WRITE_OFF, NULL, "2026-03-06", id, &pending), 0);
    assert_int_equal(pending, 1);
    assert_int_equal(test_open_amount(f, "INV-1"), 3000);
    assert_int_equal(test_recon_items(f, ARCHASE_RECON_STATUS_OPEN).n, 1);
    test_approval_approve(f, id, "bank charges, not worth chasing");
    assert_int_equal(resolve(f, "short_pay:INV-1", ARCHASE_RECON_WRITE_OFF, NULL, "2026-03-07", id, &pending), 0);
    assert_int_equal(pending, 0);
    assert_int_equal(test_open_amount(f, "INV-1"), 0);
    assert_int_equal(test_recon_items(f, ARCHASE_RECON_STATUS_RESOLVED).resolution, ARCHASE_RECON_WRITE_OFF);
}

static void a_rejected_write_off_leaves_the_item_open(void **state) {
    fixture *f = *state;
    assert_int_equal(pay(f->eng, "PAY-1", "INV-1", "2026-03-05", 97000), 0);
    test_lifecycle_update(f, "2026-03-05");
    char id[ARCHASE_APPROVAL_ID_MAX] = "";
    int pending = 0;
    assert_int_equal(resolve(f, "short_pay:INV-1", ARCHASE_RECON_WRITE_OFF, NULL, "2026-03-06", id, &pending), 0);
    archase_approval_vote v = ARCHASE_APPROVAL_VOTE_INIT;
    v.actor = "fiona";
    v.role = "finance_lead";
    v.reason = "chase it";
    assert_int_equal(archase_approval_reject(f->eng, id, &v, NULL), 0);
    assert_int_equal(resolve(f, "short_pay:INV-1", ARCHASE_RECON_WRITE_OFF, NULL, "2026-03-07", id, &pending),
                     ARCHASE_EDENIED);
    assert_int_equal(test_recon_items(f, ARCHASE_RECON_STATUS_OPEN).n, 1);
    assert_int_equal(test_open_amount(f, "INV-1"), 3000);
}

static void a_payment_on_a_disputed_invoice_is_queued(void **state) {
    fixture *f = *state;
    archase_dispute d = test_dispute("D-1", "pricing", 20000);
    assert_int_equal(archase_dispute_open(f->eng, f->policy, &d, D("2026-03-02")), 0);
    assert_int_equal(pay(f->eng, "PAY-1", "INV-1", "2026-03-05", 80000), 0);
    test_lifecycle_update(f, "2026-03-05");
    assert_string_equal(test_recon_items(f, 0).text, "disputed_invoice:PAY-1=disputed_invoice/80000;");
}

static void cash_in_another_currency_is_queued(void **state) {
    fixture *f = *state;
    assert_int_equal(test_ledger_payment(f->eng, "PAY-1", "ACME", NULL, "2026-03-05", 5000, "USD", NULL, 0), 0);
    test_lifecycle_update(f, "2026-03-05");
    assert_string_equal(test_recon_items(f, 0).text, "other_currency:PAY-1=other_currency/5000;payment:PAY-1=unapplied_cash/5000;");
}

static void a_duplicate_payment_reference_is_queued(void **state) {
    fixture *f = *state;
    assert_int_equal(test_ledger_payment(f->eng, "PAY-1", "ACME", "INV-1", "2026-03-05", 10000, "EUR", "BANK-77", 0), 0);
    assert_int_equal(test_ledger_payment(f->eng, "PAY-2", "ACME", "INV-2", "2026-03-06", 10000, "EUR", "BANK-77", 0), 0);
    archase_lifecycle_counts c = test_lifecycle_update(f, "2026-03-06");
    assert_int_equal(c.recon_opened, 1);
    assert_string_equal(test_recon_items(f, 0).text, "duplicate_reference:PAY-2=duplicate_reference/10000;");
}

static void a_promise_paid_by_another_amount_is_queued(void **state) {
    fixture *f = *state;
    archase_promise p = ARCHASE_PROMISE_INIT;
    static const char *const inv1[] = { "INV-1" };
    p.id = "PTP-1";
    p.customer_id = "ACME";
    p.invoice_ids = inv1;
    p.invoice_count = 1;
    p.amount = (archase_money){ 50000, "EUR" };
    p.promised_date = D("2026-03-10");
    p.taken_by = "anna";
    assert_int_equal(archase_promise_record(f->eng, f->policy, &p, D("2026-03-05")), 0);
    assert_int_equal(pay(f->eng, "PAY-1", "INV-1", "2026-03-08", 60000), 0);
    archase_lifecycle_counts c = test_lifecycle_update(f, "2026-03-08");
    assert_int_equal(c.promises_kept, 1);
    assert_string_equal(test_recon_items(f, 0).text, "promise_amount:PTP-1=promise_amount/10000;");
}

static void names_are_stable(void **state) {
    (void)state;
    assert_string_equal(archase_recon_reason_name(ARCHASE_RECON_DUPLICATE_REFERENCE), "duplicate_reference");
    assert_null(archase_recon_reason_name(0));
    int r = 0;
    assert_int_equal(archase_recon_resolution_from_name("write_off", &r), 0);
    assert_int_equal(r, ARCHASE_RECON_WRITE_OFF);
    assert_int_equal(archase_recon_resolution_from_name("burn", &r), ARCHASE_EINVAL);
    assert_string_equal(archase_credit_action_name(ARCHASE_CREDIT_HOLD), "hold");
}

/* ---- credit ----------------------------------------------------------------------------- */

static archase_credit_recommendation recommend(fixture *f, const char *customer, const char *as_of) {
    archase_credit_recommendation r;
    memset(&r, 0, sizeof r);
    r.version = ARCHASE_CREDIT_RECOMMENDATION_VERSION;
    int rc = archase_credit_recommend(f->eng, f->policy, customer, D(as_of), &r);
    if (rc)
        fail_msg("recommend: %s", archase_engine_errmsg(f->eng));
    return r;
}

static void a_punctual_customer_near_its_limit_gets_a_raise_within_the_band(void **state) {
    fixture *f = *state;
    /* three invoices paid on time, then 9,000 open of a 10,000 limit */
    for (int i = 0; i < 3; i++) {
        char id[16], pid[16];
        snprintf(id, sizeof id, "OLD-%d", i);
        snprintf(pid, sizeof pid, "OP-%d", i);
        assert_int_equal(test_ledger_invoice(f->eng, id, "ACME", 10000, "2025-12-16", "2026-01-15"), 0);
        assert_int_equal(pay(f->eng, pid, id, "2026-01-15", 10000), 0);
    }
    assert_int_equal(test_ledger_invoice(f->eng, "BIG", "ACME", 750000, "2026-02-18", "2026-03-20"), 0);
    archase_credit_recommendation r = recommend(f, "ACME", "2026-03-05");
    assert_int_equal(r.action, ARCHASE_CREDIT_RAISE);
    assert_int_equal(r.utilisation_percent, 90);
    assert_int_equal(r.recommended_limit.minor, 1100000); /* the band's ceiling */
    assert_int_equal(r.approval_action, 0);
    int dir = 0;
    assert_int_equal(test_credit_driver(&r, "paid_invoices_12m", &dir), 3);
    assert_int_equal(dir, 1);
    char id[ARCHASE_APPROVAL_ID_MAX];
    assert_int_equal(archase_credit_request(f->eng, f->policy, "ACME", &r, "carl", "raise", id, NULL), ARCHASE_EINVAL);
}

static void broken_promises_lower_the_limit_and_three_put_it_on_hold(void **state) {
    fixture *f = *state;
    static const char *const inv1[] = { "INV-1" };
    static const char *const inv2[] = { "INV-2" };
    const char *const *which[] = { inv1, inv2, inv1 };
    const char *ids[] = { "P-1", "P-2", "P-3" };
    const char *dates[] = { "2026-03-02", "2026-03-10", "2026-03-20" };
    const char *after[] = { "2026-03-05", "2026-03-13", "2026-03-23" };
    for (int i = 0; i < 3; i++) {
        archase_promise p = ARCHASE_PROMISE_INIT;
        p.id = ids[i];
        p.customer_id = "ACME";
        p.invoice_ids = which[i];
        p.invoice_count = 1;
        p.amount = (archase_money){ 1000, "EUR" };
        p.promised_date = D(dates[i]);
        p.taken_by = "anna";
        assert_int_equal(archase_promise_record(f->eng, f->policy, &p, D(dates[i]) - 1), 0);
        test_lifecycle_update(f, after[i]);
        archase_credit_recommendation r = recommend(f, "ACME", after[i]);
        int dir = 0;
        assert_int_equal(test_credit_driver(&r, "broken_promises_90d", &dir), i + 1);
        if (i == 0) {
            assert_int_equal(r.action, ARCHASE_CREDIT_LOWER);
            assert_int_equal(r.recommended_limit.minor, 750000);
            assert_int_equal(r.approval_action, ARCHASE_ACTION_CREDIT_LIMIT_DECREASE);
        } else if (i == 1) {
            assert_int_equal(r.recommended_limit.minor, 500000);
        } else {
            assert_int_equal(r.action, ARCHASE_CREDIT_HOLD);
            assert_int_equal(r.approval_action, ARCHASE_ACTION_CREDIT_HOLD);
            assert_string_equal(r.notice_template, "hold_notice");
            assert_int_equal(r.effective_on, D("2026-03-30"));
            char id[ARCHASE_APPROVAL_ID_MAX];
            int created = 0;
            /* the notice needs a consented contact (tests/test_credit_hold.c) */
            archase_contact c = ARCHASE_CONTACT_INIT;
            c.id = "ACME-AP";
            c.customer_id = "ACME";
            c.channel = ARCHASE_CHANNEL_EMAIL;
            c.address = "ap@acme.example";
            c.consent = 1;
            assert_int_equal(archase_contact_put(f->eng, &c, NULL), 0);
            assert_int_equal(archase_credit_request(f->eng, f->policy, "ACME", &r, "carl",
                                                    "three broken promises in a month", id, &created),
                             0);
            assert_int_equal(created, 1);
        }
    }
    archase_credit_recommendation r;
    memset(&r, 0, sizeof r);
    r.version = ARCHASE_CREDIT_RECOMMENDATION_VERSION;
    assert_int_equal(archase_credit_recommend(f->eng, f->policy, "NOBODY", D("2026-03-05"), &r), ARCHASE_ENOTFOUND);
    r.version = 9;
    assert_int_equal(archase_credit_recommend(f->eng, f->policy, "ACME", D("2026-03-05"), &r), ARCHASE_EVERSION);
}

/* ---- failures ------------------------------------------------------------------------------------ */

static int flow_with(const archase_allocator *a, void *ctx) {
    (void)ctx;
    fixture f;
    memset(&f, 0, sizeof f);
    int rc = test_ledger_open(&f, &ledger, a, NULL);
    if (!rc)
        rc = test_ledger_payment(f.eng, "PAY-1", "ACME", "INV-1", "2026-03-05", 97000, "EUR", "R-1", 0);
    if (!rc)
        rc = test_ledger_payment(f.eng, "PAY-2", "ACME", "INV-2", "2026-03-05", 1000, "EUR", "R-1", 0);
    if (!rc)
        rc = test_ledger_payment(f.eng, "PAY-3", "ACME", NULL, "2026-03-05", 1000, "USD", NULL, 0);
    archase_lifecycle_counts c = { ARCHASE_LIFECYCLE_COUNTS_VERSION, 0, 0, 0, 0, 0, 0, 0 };
    if (!rc)
        rc = archase_lifecycle_update(f.eng, f.policy, D("2026-03-05"), &c);
    if (!rc && c.recon_opened != 3)
        fail_msg("opened %llu", (unsigned long long)c.recon_opened);
    queue q;
    memset(&q, 0, sizeof q);
    if (!rc)
        rc = archase_recon_scan(f.eng, f.policy, 0, test_recon_collect, &q);
    char id[ARCHASE_APPROVAL_ID_MAX];
    int pending = 0;
    archase_recon_action act = ARCHASE_RECON_ACTION_INIT;
    act.id = "short_pay:INV-1";
    act.resolution = ARCHASE_RECON_WRITE_OFF;
    act.by = "carl";
    if (!rc)
        rc = archase_recon_resolve(f.eng, f.policy, &act, D("2026-03-06"), id, &pending);
    act.id = "payment:PAY-3";
    act.resolution = ARCHASE_RECON_REFUND;
    if (!rc)
        rc = archase_recon_resolve(f.eng, f.policy, &act, D("2026-03-06"), id, &pending);
    archase_credit_recommendation r;
    memset(&r, 0, sizeof r);
    r.version = ARCHASE_CREDIT_RECOMMENDATION_VERSION;
    if (!rc)
        rc = archase_credit_recommend(f.eng, f.policy, "ACME", D("2026-03-06"), &r);
    test_ledger_close(&f);
    return rc;
}

static void the_queue_survives_every_allocation_failure(void **state) {
    (void)state;
    assert_true(failalloc_loop(flow_with, NULL, NULL) > 20);
}

static void a_failing_storage_call_leaves_the_queue_as_it_was(void **state) {
    (void)state;
    test_fault_round fr;
    for (test_fault_start(&fr, &ledger); test_fault_next(&fr);) {
        fixture *f = &fr.l;
        assert_int_equal(test_ledger_payment(f->eng, "PAY-1", "ACME", "INV-1", "2026-03-05", 120000, "EUR", NULL, 1), 0);
        uint64_t before = test_audit_size(f->eng);
        test_fault_arm(&fr);
        int rc = resolve(f, "payment:PAY-1", ARCHASE_RECON_APPLY, "INV-2", "2026-03-06", NULL, NULL);
        int failed = test_fault_disarm(&fr);
        if (failed) {
            assert_int_not_equal(rc, 0);
            assert_int_equal(test_audit_size(f->eng), before);
            assert_int_equal(test_recon_items(f, ARCHASE_RECON_STATUS_OPEN).n, 1);
            assert_int_equal(test_open_amount(f, "INV-2"), 50000);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(test_recon_items(f, ARCHASE_RECON_STATUS_OPEN).n, 0);
            assert_int_equal(test_open_amount(f, "INV-2"), 30000);
        }
    }
}

static void a_failing_storage_call_opens_no_exception(void **state) {
    (void)state;
    test_fault_round fr;
    for (test_fault_start(&fr, &ledger); test_fault_next(&fr);) {
        fixture *f = &fr.l;
        assert_int_equal(test_ledger_payment(f->eng, "PAY-1", "ACME", "INV-1", "2026-03-05", 97000, "EUR", "R-1", 0), 0);
        assert_int_equal(test_ledger_payment(f->eng, "PAY-2", "ACME", "INV-2", "2026-03-05", 1000, "EUR", "R-1", 0), 0);
        uint64_t before = test_audit_size(f->eng);
        test_fault_arm(&fr);
        archase_lifecycle_counts c = { ARCHASE_LIFECYCLE_COUNTS_VERSION, 0, 0, 0, 0, 0, 0, 0 };
        int rc = archase_lifecycle_update(f->eng, f->policy, D("2026-03-05"), &c);
        int failed = test_fault_disarm(&fr);
        queue q = test_recon_items(f, 0);
        if (failed) {
            assert_int_not_equal(rc, 0);
            assert_int_equal(q.n, 0);
            assert_int_equal(test_audit_size(f->eng), before);
        } else {
            assert_int_equal(rc, 0);
            assert_string_equal(q.text, "duplicate_reference:PAY-2=duplicate_reference/1000;"
                                        "short_pay:INV-1=short_pay/3000;");
            assert_int_equal(test_audit_size(f->eng), before + 2);
        }
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(an_overpayment_is_queued_and_applied_to_another_invoice, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(unapplied_cash_is_refunded, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_short_pay_is_written_off_once_approved, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_rejected_write_off_leaves_the_item_open, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_payment_on_a_disputed_invoice_is_queued, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(cash_in_another_currency_is_queued, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_duplicate_payment_reference_is_queued, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_promise_paid_by_another_amount_is_queued, setup, test_ledger_teardown),
    cmocka_unit_test(names_are_stable),
    cmocka_unit_test_setup_teardown(a_punctual_customer_near_its_limit_gets_a_raise_within_the_band, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(broken_promises_lower_the_limit_and_three_put_it_on_hold, setup, test_ledger_teardown),
    cmocka_unit_test(the_queue_survives_every_allocation_failure),
    cmocka_unit_test(a_failing_storage_call_leaves_the_queue_as_it_was),
    cmocka_unit_test(a_failing_storage_call_opens_no_exception),
};

AR_TEST_MAIN(tests)
