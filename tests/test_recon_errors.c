/* tests/test_recon_errors.c — what the reconciliation queue refuses, and
 * what it does with what it reads back: every field of a resolution refused
 * with a message naming it (writing nothing), each resolution a reason does
 * not allow, a write-off asked for again while it waits, lapsed, approved
 * for an item without an invoice, its own justification and impact; names
 * out of range; exceptions the daily move does not open (no short-pay
 * rule, a customer with nothing open); stored items and payments that
 * cannot be decoded (cut short, not a record, unknown fields, wrong types,
 * a missing or unknown reason) refused as storage errors naming them; and
 * storage failing while the day's move opens exceptions. Stored items are
 * forged with the canonical encoder of the test-only library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "core/canon.h"
#include "support/failalloc.h"
#include "support/ledger.h"
#include "support/testutil.h"

static const char policy_text[] =
    TEST_LEDGER_POLICY_HEAD
    TEST_LEDGER_POLICY_APPROVALS
    "  expiry_days: 3\n"
    "reconciliation: {owner_role: cash_apps, sla_days: 3, short_pay_percent: 5}\n";

static const char no_short_pay_text[] =
    TEST_LEDGER_POLICY_HEAD
    "reconciliation: {owner_role: cash_apps, sla_days: 3, short_pay_percent: 0}\n";

typedef test_ledger fixture;

static const test_ledger_spec ledger = { policy_text, "carl", NULL, NULL, 0, 100000, 50000, &test_ledger_clock };
static const test_ledger_spec no_short_pay = { no_short_pay_text, "carl", NULL, NULL, 0, 100000, 50000, &test_ledger_clock };

static archase_date D(const char *s) {
    return test_day(s);
}

static int setup(void **state) {
    test_ledger_now = (archase_instant)D("2026-03-05") * 86400 + 9 * 3600;
    return test_ledger_setup(state, &ledger);
}

static int pay(archase_engine *eng, const char *id, const char *inv, const char *date, int64_t minor) {
    return test_ledger_payment(eng, id, "ACME", inv, date, minor, "EUR", NULL, 0);
}

typedef test_recon_queue queue;

static archase_recon_action action(const char *id, int resolution, const char *inv) {
    archase_recon_action a = ARCHASE_RECON_ACTION_INIT;
    a.id = id;
    a.resolution = resolution;
    a.invoice_id = inv;
    a.by = "carl";
    return a;
}

static void refuse(fixture *f, const archase_recon_action *a, int code, const char *words) {
    uint64_t before = test_audit_size(f->eng);
    queue had = test_recon_items(f, 0);
    int pending = -1;
    char id[ARCHASE_APPROVAL_ID_MAX] = "untouched";
    test_says(f, archase_recon_resolve(f->eng, f->policy, a, D("2026-03-06"), id, &pending), code, words);
    assert_int_equal(pending, -1);
    assert_string_equal(id, "untouched");
    assert_int_equal(test_audit_size(f->eng), before);
    queue now = test_recon_items(f, 0);
    assert_string_equal(now.text, had.text);
    assert_int_equal(now.status, had.status);
}

/* ---- names ------------------------------------------------------------------------------------ */

static void names_out_of_range_are_null_and_unknown_names_refused(void **state) {
    (void)state;
    assert_null(archase_recon_reason_name(-1));
    assert_null(archase_recon_reason_name(ARCHASE_RECON_DUPLICATE_REFERENCE + 1));
    assert_string_equal(archase_recon_reason_name(ARCHASE_RECON_OVERPAYMENT), "overpayment");
    assert_null(archase_recon_resolution_name(0));
    assert_null(archase_recon_resolution_name(-3));
    assert_null(archase_recon_resolution_name(ARCHASE_RECON_WRITE_OFF + 1));
    assert_string_equal(archase_recon_resolution_name(ARCHASE_RECON_REFUND), "refund");
    int r = 42;
    assert_int_equal(archase_recon_resolution_from_name(NULL, &r), ARCHASE_EINVAL);
    assert_int_equal(archase_recon_resolution_from_name("apply", NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_recon_resolution_from_name("", &r), ARCHASE_EINVAL);
    assert_int_equal(r, 42);
    assert_int_equal(archase_recon_resolution_from_name("apply", &r), 0);
    assert_int_equal(r, ARCHASE_RECON_APPLY);
}

/* ---- resolving ------------------------------------------------------------------------------- */

static void each_wrong_field_of_a_resolution_is_named_and_nothing_is_written(void **state) {
    fixture *f = *state;
    assert_int_equal(pay(f->eng, "PAY-1", NULL, "2026-03-05", 5000), 0);
    archase_recon_action a = action("payment:PAY-1", ARCHASE_RECON_APPLY, "INV-1");
    a.version = 9;
    refuse(f, &a, ARCHASE_EVERSION, "reconciliation action version 9");
    a = action("", ARCHASE_RECON_APPLY, "INV-1");
    refuse(f, &a, ARCHASE_EINVAL, "the reconciliation item id is required");
    a = action(NULL, ARCHASE_RECON_APPLY, "INV-1");
    refuse(f, &a, ARCHASE_EINVAL, "the reconciliation item id is required");
    a = action("payment:PAY-1", 0, "INV-1");
    refuse(f, &a, ARCHASE_EINVAL, "must be apply, refund or write_off");
    a = action("payment:PAY-1", 4, "INV-1");
    refuse(f, &a, ARCHASE_EINVAL, "must be apply, refund or write_off");
    a = action("payment:PAY-1", ARCHASE_RECON_APPLY, "INV-1");
    a.by = "";
    refuse(f, &a, ARCHASE_EINVAL, "who resolves it (by) is required");
    a.by = NULL;
    refuse(f, &a, ARCHASE_EINVAL, "who resolves it (by) is required");
    const char *bad = "caf\xc3";
    for (int k = 0; k < 6; k++) {
        a = action("payment:PAY-1", ARCHASE_RECON_APPLY, "INV-1");
        switch (k) {
        case 0: a.id = bad; break;
        case 1: a.invoice_id = bad; break;
        case 2: a.by = bad; break;
        case 3: a.note = bad; break;
        case 4: a.justification = bad; break;
        default: a.customer_impact = bad; break;
        }
        refuse(f, &a, ARCHASE_EINVAL, "a text is not valid UTF-8");
    }
    a = action("payment:PAY-1", ARCHASE_RECON_APPLY, "");
    refuse(f, &a, ARCHASE_EINVAL, "applying unapplied_cash needs the invoice it goes to");
    a = action("payment:PAY-1", ARCHASE_RECON_APPLY, "INV-1");
    test_says(f, archase_recon_resolve(f->eng, NULL, &a, D("2026-03-06"), NULL, NULL), ARCHASE_EINVAL, "needs a policy");
    test_says(f, archase_recon_resolve(f->eng, f->policy, NULL, D("2026-03-06"), NULL, NULL), ARCHASE_EINVAL,
              "needs a policy");
    test_says(f, archase_recon_resolve(f->eng, f->policy, &a, ARCHASE_DATE_NONE, NULL, NULL), ARCHASE_EINVAL,
              "a valid date");
    assert_int_equal(archase_recon_resolve(NULL, f->policy, &a, D("2026-03-06"), NULL, NULL), ARCHASE_EINVAL);
    archase_batch *b = NULL;
    assert_int_equal(archase_batch_begin(f->eng, NULL, NULL, &b), 0);
    test_says(f, archase_recon_resolve(f->eng, f->policy, &a, D("2026-03-06"), NULL, NULL), ARCHASE_ESTATE,
              "a batch is open");
    archase_batch_free(b);
    assert_int_equal(test_recon_items(f, ARCHASE_RECON_STATUS_OPEN).n, 1);
    assert_int_equal(test_open_amount(f, "INV-1"), 100000);
}

static void a_short_pay_applied_to_its_invoice_is_only_confirmed_and_cannot_be_refunded(void **state) {
    fixture *f = *state;
    assert_int_equal(pay(f->eng, "PAY-1", "INV-1", "2026-03-05", 97000), 0); /* 3% left */
    test_lifecycle_update(f, "2026-03-05");
    archase_recon_action a = action("short_pay:INV-1", ARCHASE_RECON_REFUND, NULL);
    refuse(f, &a, ARCHASE_EINVAL, "a short_pay was applied to its invoice; nothing to refund");
    a = action("short_pay:INV-1", ARCHASE_RECON_APPLY, "INV-1");
    a.note = "the remainder is a bank charge";
    uint64_t before = test_audit_size(f->eng);
    assert_int_equal(archase_recon_resolve(f->eng, f->policy, &a, D("2026-03-06"), NULL, NULL), 0);
    assert_int_equal(test_audit_size(f->eng), before + 1); /* only its transition: no money moved */
    assert_int_equal(test_open_amount(f, "INV-1"), 3000);
    queue q = test_recon_items(f, ARCHASE_RECON_STATUS_RESOLVED);
    assert_int_equal(q.resolution, ARCHASE_RECON_APPLY);
}

static void cash_in_another_currency_is_applied_to_an_invoice_in_its_currency_only(void **state) {
    fixture *f = *state;
    assert_int_equal(test_ledger_payment(f->eng, "PAY-1", "ACME", NULL, "2026-03-05", 5000, "USD", NULL, 0), 0);
    test_lifecycle_update(f, "2026-03-05");
    archase_recon_action a = action("other_currency:PAY-1", ARCHASE_RECON_APPLY, "INV-1");
    refuse(f, &a, ARCHASE_ECURRENCY, "other_currency:PAY-1");
    /* refunded instead */
    a = action("other_currency:PAY-1", ARCHASE_RECON_REFUND, NULL);
    assert_int_equal(archase_recon_resolve(f->eng, f->policy, &a, D("2026-03-06"), NULL, NULL), 0);
    assert_string_equal(test_recon_items(f, ARCHASE_RECON_STATUS_OPEN).text, "payment:PAY-1=unapplied_cash/5000;");
}

static void a_duplicate_reference_may_be_refunded(void **state) {
    fixture *f = *state;
    assert_int_equal(test_ledger_payment(f->eng, "PAY-1", "ACME", "INV-1", "2026-03-05", 10000, "EUR", "BANK-77", 0), 0);
    assert_int_equal(test_ledger_payment(f->eng, "PAY-2", "ACME", "INV-2", "2026-03-06", 10000, "EUR", "BANK-77", 0), 0);
    test_lifecycle_update(f, "2026-03-06");
    archase_recon_action a = action("duplicate_reference:PAY-2", ARCHASE_RECON_REFUND, NULL);
    assert_int_equal(archase_recon_resolve(f->eng, f->policy, &a, D("2026-03-07"), NULL, NULL), 0);
    queue q = test_recon_items(f, ARCHASE_RECON_STATUS_RESOLVED);
    assert_string_equal(q.text, "duplicate_reference:PAY-2=duplicate_reference/10000;");
    assert_int_equal(q.resolution, ARCHASE_RECON_REFUND);
}

typedef test_approval_copy request;

static void a_write_off_of_unapplied_cash_names_no_invoice_and_moves_no_money_once_approved(void **state) {
    fixture *f = *state;
    assert_int_equal(pay(f->eng, "PAY-1", NULL, "2026-03-05", 5000), 0);
    archase_recon_action a = action("payment:PAY-1", ARCHASE_RECON_WRITE_OFF, NULL);
    a.justification = "the payer cannot be identified after three letters";
    a.customer_impact = "none: nobody claims the money";
    char id[ARCHASE_APPROVAL_ID_MAX] = "";
    int pending = 0;
    assert_int_equal(archase_recon_resolve(f->eng, f->policy, &a, D("2026-03-06"), id, &pending), 0);
    assert_int_equal(pending, 1);
    request r = test_approval_copy_get(f, id);
    assert_int_equal(r.status, ARCHASE_APPROVAL_PENDING);
    assert_int_equal(r.amount, 5000);
    assert_string_equal(r.invoices, "");
    assert_string_equal(r.justification, "the payer cannot be identified after three letters");
    assert_string_equal(r.impact, "none: nobody claims the money");
    assert_string_equal(test_recon_items(f, ARCHASE_RECON_STATUS_OPEN).approval, id);
    /* asked again while it waits: the same request, still pending */
    char again[ARCHASE_APPROVAL_ID_MAX] = "";
    pending = 0;
    assert_int_equal(archase_recon_resolve(f->eng, f->policy, &a, D("2026-03-06"), again, &pending), 0);
    assert_int_equal(pending, 1);
    assert_string_equal(again, id);
    assert_int_equal(test_approval_copy_get(f, id).status, ARCHASE_APPROVAL_PENDING);
    assert_int_equal(test_recon_items(f, ARCHASE_RECON_STATUS_OPEN).n, 1);
    test_approval_approve(f, id, "not worth chasing");
    assert_int_equal(archase_recon_resolve(f->eng, f->policy, &a, D("2026-03-07"), again, &pending), 0);
    assert_int_equal(pending, 0);
    assert_string_equal(again, "");
    assert_int_equal(test_approval_copy_get(f, id).status, ARCHASE_APPROVAL_DISPATCHED);
    assert_int_equal(test_recon_items(f, ARCHASE_RECON_STATUS_RESOLVED).resolution, ARCHASE_RECON_WRITE_OFF);
    assert_int_equal(test_open_amount(f, "INV-1"), 100000);
}

static void a_lapsed_write_off_refuses_the_resolution_and_the_item_stays_open(void **state) {
    fixture *f = *state;
    assert_int_equal(pay(f->eng, "PAY-1", "INV-1", "2026-03-05", 97000), 0);
    test_lifecycle_update(f, "2026-03-05");
    archase_recon_action a = action("short_pay:INV-1", ARCHASE_RECON_WRITE_OFF, NULL);
    char id[ARCHASE_APPROVAL_ID_MAX] = "";
    int pending = 0;
    assert_int_equal(archase_recon_resolve(f->eng, f->policy, &a, D("2026-03-06"), id, &pending), 0);
    assert_int_equal(pending, 1);
    request r = test_approval_copy_get(f, id);
    assert_string_equal(r.invoices, "INV-1;");
    assert_string_equal(r.justification, "write off reconciliation item short_pay:INV-1 (short_pay)");
    assert_string_equal(r.impact, "none: the customer's balance does not change");
    test_ledger_now += 4 * 86400; /* expiry_days: 3 */
    uint64_t before = test_audit_size(f->eng);
    test_says(f, archase_recon_resolve(f->eng, f->policy, &a, D("2026-03-09"), NULL, NULL), ARCHASE_EEXPIRED, "lapsed");
    assert_true(test_audit_size(f->eng) > before); /* the lapse, recorded */
    assert_int_equal(test_approval_copy_get(f, id).status, ARCHASE_APPROVAL_EXPIRED);
    assert_int_equal(test_recon_items(f, ARCHASE_RECON_STATUS_OPEN).n, 1);
    assert_int_equal(test_open_amount(f, "INV-1"), 3000);
}

/* ---- what the day's move leaves alone ----------------------------------------------------------- */

static void without_a_short_pay_rule_a_small_remainder_opens_nothing(void **state) {
    (void)state;
    fixture l;
    memset(&l, 0, sizeof l);
    assert_int_equal(test_ledger_open(&l, &no_short_pay, NULL, NULL), 0);
    assert_int_equal(pay(l.eng, "PAY-1", "INV-1", "2026-03-05", 99000), 0);
    archase_lifecycle_counts c = test_lifecycle_update(&l, "2026-03-05");
    assert_int_equal(c.recon_opened, 0);
    assert_int_equal(test_recon_items(&l, 0).n, 0);
    test_ledger_close(&l);
}

static void cash_from_a_customer_with_nothing_open_is_only_unapplied(void **state) {
    fixture *f = *state;
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "NEW";
    c.name = "New Ltd";
    assert_int_equal(archase_customer_put(f->eng, &c, NULL), 0);
    assert_int_equal(test_ledger_payment(f->eng, "PAY-1", "NEW", NULL, "2026-03-05", 5000, "USD", NULL, 0), 0);
    archase_lifecycle_counts n = test_lifecycle_update(f, "2026-03-05");
    assert_int_equal(n.recon_opened, 0);
    assert_string_equal(test_recon_items(f, 0).text, "payment:PAY-1=unapplied_cash/5000;");
}

static void a_reference_paid_three_times_is_queued_twice_against_the_earliest(void **state) {
    fixture *f = *state;
    assert_int_equal(test_ledger_payment(f->eng, "PAY-C", "ACME", "INV-2", "2026-03-07", 1000, "EUR", "BANK-9", 0), 0);
    assert_int_equal(test_ledger_payment(f->eng, "PAY-A", "ACME", "INV-1", "2026-03-06", 1000, "EUR", "BANK-9", 0), 0);
    assert_int_equal(test_ledger_payment(f->eng, "PAY-B", "ACME", "INV-1", "2026-03-06", 1000, "EUR", "BANK-9", 0), 0);
    assert_int_equal(test_ledger_payment(f->eng, "PAY-D", "ACME", "INV-2", "2026-03-05", 1000, "EUR", "OTHER", 0), 0);
    assert_int_equal(test_ledger_payment(f->eng, "PAY-E", "ACME", "INV-2", "2026-03-05", 1000, "EUR", NULL, 0), 0);
    archase_lifecycle_counts c = test_lifecycle_update(f, "2026-03-07");
    assert_int_equal(c.recon_opened, 2);
    assert_string_equal(test_recon_items(f, 0).text,
                        "duplicate_reference:PAY-B=duplicate_reference/1000;"
                        "duplicate_reference:PAY-C=duplicate_reference/1000;");
}

static void only_the_payment_that_left_a_small_remainder_opens_a_short_pay(void **state) {
    fixture *f = *state;
    assert_int_equal(pay(f->eng, "PAY-1", "INV-1", "2026-03-02", 50000), 0); /* half: an instalment */
    assert_int_equal(pay(f->eng, "PAY-2", "INV-1", "2026-03-04", 47000), 0); /* 3% left */
    assert_int_equal(pay(f->eng, "PAY-3", "INV-2", "2026-03-04", 50000), 0); /* paid in full */
    archase_lifecycle_counts c = test_lifecycle_update(f, "2026-03-04");
    assert_int_equal(c.recon_opened, 1);
    queue q = test_recon_items(f, 0);
    assert_string_equal(q.text, "short_pay:INV-1=short_pay/3000;");
    /* a later payment settles it: nothing new */
    assert_int_equal(pay(f->eng, "PAY-4", "INV-1", "2026-03-05", 3000), 0);
    assert_int_equal(test_lifecycle_update(f, "2026-03-05").recon_opened, 0);
}

/* ---- stored records that cannot be decoded ---------------------------------------------------- */

typedef struct forged {
    archase_storage store;
    fixture         l;
} forged;

static int setup_forged(void **state) {
    forged *x = calloc(1, sizeof *x);
    assert_non_null(x);
    test_ledger_now = (archase_instant)D("2026-03-05") * 86400 + 9 * 3600;
    assert_int_equal(archase_memory_storage_new(NULL, &x->store), 0);
    assert_int_equal(test_ledger_open(&x->l, &ledger, NULL, &x->store), 0);
    *state = x;
    return 0;
}

static int teardown_forged(void **state) {
    forged *x = *state;
    test_ledger_close(&x->l);
    free(x);
    return 0;
}

/* Stores `data` as reconciliation item `id` (open). */
static void put_item(forged *x, const char *id, const void *data, size_t size) {
    archase_record r = ARCHASE_RECORD_INIT;
    r.family = ARCHASE_FAMILY_RECON;
    r.id = id;
    r.customer_id = "ACME";
    r.status = ARCHASE_RECON_STATUS_OPEN;
    r.date = D("2026-03-05");
    r.data = data;
    r.size = size;
    assert_int_equal(x->store.put(x->store.userdata, &r), 0);
}

enum { F_ID = 1, F_REASON, F_CUSTOMER, F_INVOICE, F_PAYMENT, F_AMOUNT, F_DATE, F_RESOLUTION, F_RESOLVED_BY,
       F_RESOLVED_ON };

/* The fields of an item, as the encoder writes them; `skip` leaves one
 * out, `reason` is the reason's text. */
static void encode(ar_canon *c, int skip, const char *reason) {
    archase_money m = { 5000, "EUR" };
    ar_canon_reset(c);
    ar_canon_begin_record(c, ARCHASE_FAMILY_RECON);
    if (skip != F_ID)
        ar_canon_put_str(c, F_ID, "payment:X");
    if (skip != F_REASON)
        ar_canon_put_str(c, F_REASON, reason);
    if (skip != F_CUSTOMER)
        ar_canon_put_str(c, F_CUSTOMER, "ACME");
    if (skip != F_AMOUNT)
        ar_canon_put_money(c, F_AMOUNT, &m);
    if (skip != F_DATE)
        ar_canon_put_date(c, F_DATE, D("2026-03-05"));
    ar_canon_end_record(c);
}

static void expect_undecodable(forged *x, const char *id) {
    fixture *f = &x->l;
    queue q;
    memset(&q, 0, sizeof q);
    char words[96];
    snprintf(words, sizeof words, "reconciliation item '%s' cannot be decoded", id);
    test_says(f, archase_recon_scan(f->eng, f->policy, 0, test_recon_collect, &q), ARCHASE_ESTORAGE, words);
    assert_int_equal(q.n, 0);
    archase_recon_action a = action(id, ARCHASE_RECON_REFUND, NULL);
    uint64_t before = test_audit_size(f->eng);
    test_says(f, archase_recon_resolve(f->eng, f->policy, &a, D("2026-03-06"), NULL, NULL), ARCHASE_ESTORAGE, words);
    assert_int_equal(test_audit_size(f->eng), before);
}

static void stored_items_that_cannot_be_decoded_are_storage_errors_naming_them(void **state) {
    forged *x = *state;
    ar_canon c;
    ar_canon_init(&c, NULL);
    const uint8_t *data;
    size_t size;
    /* whole, it reads: a forged item without a date has no SLA either */
    encode(&c, F_DATE, "unapplied_cash");
    assert_int_equal(ar_canon_finish(&c, &data, &size), 0);
    put_item(x, "payment:X", data, size);
    queue q = test_recon_items(&x->l, 0);
    assert_string_equal(q.text, "payment:X=unapplied_cash/5000;");
    assert_int_equal(q.sla_due, ARCHASE_DATE_NONE);
    /* cut short */
    encode(&c, 0, "unapplied_cash");
    assert_int_equal(ar_canon_finish(&c, &data, &size), 0);
    put_item(x, "payment:X", data, size - 3);
    expect_undecodable(x, "payment:X");
    /* not a record: a list where the record begins */
    encode(&c, 0, "unapplied_cash");
    assert_int_equal(ar_canon_finish(&c, &data, &size), 0);
    unsigned char list[512];
    assert_true(size <= sizeof list);
    memcpy(list, data, size);
    assert_int_equal(list[0], AR_CANON_RECORD);
    list[0] = AR_CANON_LIST;
    put_item(x, "payment:X", list, size);
    expect_undecodable(x, "payment:X");
    /* a field the item does not have */
    ar_canon_reset(&c);
    ar_canon_begin_record(&c, ARCHASE_FAMILY_RECON);
    ar_canon_put_str(&c, F_ID, "payment:X");
    ar_canon_put_str(&c, 40, "what");
    ar_canon_end_record(&c);
    assert_int_equal(ar_canon_finish(&c, &data, &size), 0);
    put_item(x, "payment:X", data, size);
    expect_undecodable(x, "payment:X");
    /* wrong types: an amount that is a date, a date that is money, an id that is a number */
    archase_money m = { 5000, "EUR" };
    for (int k = 0; k < 4; k++) {
        ar_canon_reset(&c);
        ar_canon_begin_record(&c, ARCHASE_FAMILY_RECON);
        ar_canon_put_str(&c, F_REASON, "unapplied_cash");
        ar_canon_put_str(&c, F_CUSTOMER, "ACME");
        switch (k) {
        case 0: ar_canon_put_date(&c, F_AMOUNT, 20500); break;
        case 1: ar_canon_put_money(&c, F_DATE, &m); break;
        case 2: ar_canon_put_int(&c, F_RESOLUTION, 1); break;
        default: ar_canon_put_money(&c, F_RESOLVED_ON, &m); break;
        }
        ar_canon_end_record(&c);
        assert_int_equal(ar_canon_finish(&c, &data, &size), 0);
        put_item(x, "payment:X", data, size);
        expect_undecodable(x, "payment:X");
    }
    /* a missing id, reason or customer; a reason the queue does not know */
    static const int missing[] = { F_ID, F_REASON, F_CUSTOMER };
    for (size_t k = 0; k < 3; k++) {
        encode(&c, missing[k], "unapplied_cash");
        assert_int_equal(ar_canon_finish(&c, &data, &size), 0);
        put_item(x, "payment:X", data, size);
        expect_undecodable(x, "payment:X");
    }
    encode(&c, 0, "mystery");
    assert_int_equal(ar_canon_finish(&c, &data, &size), 0);
    put_item(x, "payment:X", data, size);
    expect_undecodable(x, "payment:X");
    encode(&c, 0, "unapplied");
    assert_int_equal(ar_canon_finish(&c, &data, &size), 0);
    put_item(x, "payment:X", data, size);
    expect_undecodable(x, "payment:X");
    ar_canon_free(&c);
}

static void a_resolved_item_read_back_keeps_its_day_and_an_unknown_resolution_reads_as_none(void **state) {
    forged *x = *state;
    ar_canon c;
    ar_canon_init(&c, NULL);
    archase_money m = { 5000, "EUR" };
    ar_canon_begin_record(&c, ARCHASE_FAMILY_RECON);
    ar_canon_put_str(&c, F_ID, "payment:X");
    ar_canon_put_str(&c, F_REASON, "unapplied_cash");
    ar_canon_put_str(&c, F_CUSTOMER, "ACME");
    ar_canon_put_money(&c, F_AMOUNT, &m);
    ar_canon_put_date(&c, F_DATE, D("2026-03-05"));
    ar_canon_put_str(&c, F_RESOLUTION, "burn");
    ar_canon_put_str(&c, F_RESOLVED_BY, "carl");
    ar_canon_put_date(&c, F_RESOLVED_ON, D("2026-03-06"));
    ar_canon_end_record(&c);
    const uint8_t *data;
    size_t size;
    assert_int_equal(ar_canon_finish(&c, &data, &size), 0);
    archase_record r = ARCHASE_RECORD_INIT;
    r.family = ARCHASE_FAMILY_RECON;
    r.id = "payment:X";
    r.customer_id = "ACME";
    r.status = ARCHASE_RECON_STATUS_RESOLVED;
    r.date = D("2026-03-05");
    r.data = data;
    r.size = size;
    assert_int_equal(x->store.put(x->store.userdata, &r), 0);
    ar_canon_free(&c);
    queue q = test_recon_items(&x->l, ARCHASE_RECON_STATUS_RESOLVED);
    assert_int_equal(q.n, 1);
    assert_int_equal(q.resolution, 0);
    assert_int_equal(q.sla_due, D("2026-03-08"));
}

typedef struct saved {
    archase_record rec;
    char           id[64], customer[64], invoice[64];
    unsigned char  data[2048];
} saved;

static int save(void *ud, const archase_record *r) {
    saved *s = ud;
    s->rec = *r;
    snprintf(s->id, sizeof s->id, "%s", r->id);
    snprintf(s->customer, sizeof s->customer, "%s", r->customer_id ? r->customer_id : "");
    snprintf(s->invoice, sizeof s->invoice, "%s", r->invoice_id ? r->invoice_id : "");
    assert_true(r->size <= sizeof s->data);
    memcpy(s->data, r->data, r->size);
    s->rec.id = s->id;
    s->rec.customer_id = r->customer_id ? s->customer : NULL;
    s->rec.invoice_id = r->invoice_id ? s->invoice : NULL;
    s->rec.data = s->data;
    return 0;
}

static void a_stored_payment_that_cannot_be_decoded_stops_the_days_move(void **state) {
    forged *x = *state;
    fixture *f = &x->l;
    /* an old payment with the reference, outside the days the move reads */
    assert_int_equal(test_ledger_payment(f->eng, "OLD", "ACME", "INV-2", "2026-01-05", 1000, "EUR", "BANK-1", 0), 0);
    assert_int_equal(test_ledger_payment(f->eng, "NEW", "ACME", "INV-1", "2026-03-05", 1000, "EUR", "BANK-1", 0), 0);
    saved s;
    memset(&s, 0, sizeof s);
    archase_lifecycle_counts c = { ARCHASE_LIFECYCLE_COUNTS_VERSION, 0, 0, 0, 0, 0, 0, 0 };
    uint64_t before = test_audit_size(f->eng);
    /* the old one, read only for its reference */
    assert_int_equal(x->store.get(x->store.userdata, ARCHASE_FAMILY_PAYMENT, "OLD", save, &s), 0);
    archase_record cut = s.rec;
    cut.size = s.rec.size / 2;
    assert_int_equal(x->store.put(x->store.userdata, &cut), 0);
    test_says(f, archase_lifecycle_update(f->eng, f->policy, D("2026-03-05"), &c), ARCHASE_ESTORAGE,
              "a stored payment of 'ACME' cannot be decoded");
    assert_int_equal(x->store.put(x->store.userdata, &s.rec), 0);
    /* the new one, read for the day */
    saved t;
    memset(&t, 0, sizeof t);
    assert_int_equal(x->store.get(x->store.userdata, ARCHASE_FAMILY_PAYMENT, "NEW", save, &t), 0);
    cut = t.rec;
    cut.size = t.rec.size / 2;
    assert_int_equal(x->store.put(x->store.userdata, &cut), 0);
    test_says(f, archase_lifecycle_update(f->eng, f->policy, D("2026-03-05"), &c), ARCHASE_ESTORAGE,
              "a stored payment cannot be decoded");
    assert_int_equal(test_audit_size(f->eng), before);
    assert_int_equal(test_recon_items(f, 0).n, 0);
    /* whole again: the duplicate reference is found */
    assert_int_equal(x->store.put(x->store.userdata, &t.rec), 0);
    assert_int_equal(test_lifecycle_update(f, "2026-03-05").recon_opened, 1);
    assert_string_equal(test_recon_items(f, 0).text, "duplicate_reference:NEW=duplicate_reference/1000;");
}

static int stop_at_first(void *ud, const archase_recon_item *it) {
    test_recon_collect(ud, it);
    return ARCHASE_SCAN_STOP;
}

static void a_scan_refuses_what_it_cannot_answer_and_stops_when_asked(void **state) {
    fixture *f = *state;
    assert_int_equal(pay(f->eng, "PAY-1", NULL, "2026-03-05", 5000), 0);
    assert_int_equal(pay(f->eng, "PAY-2", NULL, "2026-03-05", 6000), 0);
    queue q;
    memset(&q, 0, sizeof q);
    assert_int_equal(archase_recon_scan(f->eng, f->policy, 0, stop_at_first, &q), 0);
    assert_string_equal(q.text, "payment:PAY-1=unapplied_cash/5000;");
    test_says(f, archase_recon_scan(f->eng, NULL, 0, test_recon_collect, &q), ARCHASE_EINVAL, "needs a policy");
    test_says(f, archase_recon_scan(f->eng, f->policy, 0, NULL, &q), ARCHASE_EINVAL, "a callback");
    test_says(f, archase_recon_scan(f->eng, f->policy, -1, test_recon_collect, &q), ARCHASE_EINVAL, "a known status");
    test_says(f, archase_recon_scan(f->eng, f->policy, ARCHASE_RECON_STATUS_RESOLVED + 1, test_recon_collect, &q), ARCHASE_EINVAL,
              "a known status");
    assert_int_equal(archase_recon_scan(NULL, f->policy, 0, test_recon_collect, &q), ARCHASE_EINVAL);
}

/* ---- storage failing ---------------------------------------------------------------------------- */

static void a_failing_storage_call_opens_none_of_the_days_exceptions(void **state) {
    (void)state;
    test_fault_round fr;
    for (test_fault_start(&fr, &ledger); test_fault_next(&fr);) {
        fixture *f = &fr.l;
        static const char *const inv2[] = { "INV-2" };
        archase_dispute d = test_dispute("D-1", "pricing", 20000);
        d.invoice_ids = inv2;
        assert_int_equal(archase_dispute_open(f->eng, f->policy, &d, D("2026-03-02")), 0);
        assert_int_equal(test_ledger_payment(f->eng, "PAY-1", "ACME", "INV-2", "2026-03-05", 10000, "EUR", NULL, 0), 0);
        assert_int_equal(test_ledger_payment(f->eng, "PAY-2", "ACME", NULL, "2026-03-05", 700, "USD", NULL, 0), 0);
        uint64_t before = test_audit_size(f->eng);
        queue had = test_recon_items(f, 0);
        test_fault_arm(&fr);
        archase_lifecycle_counts c = { ARCHASE_LIFECYCLE_COUNTS_VERSION, 0, 0, 0, 0, 0, 0, 0 };
        int rc = archase_lifecycle_update(f->eng, f->policy, D("2026-03-05"), &c);
        int failed = test_fault_disarm(&fr);
        queue q = test_recon_items(f, 0);
        if (failed) {
            assert_int_equal(rc, ARCHASE_ESTORAGE);
            assert_string_equal(q.text, had.text);
            assert_int_equal(test_audit_size(f->eng), before);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(c.recon_opened, 2);
            assert_string_equal(q.text, "disputed_invoice:PAY-1=disputed_invoice/10000;"
                                        "other_currency:PAY-2=other_currency/700;payment:PAY-2=unapplied_cash/700;");
            assert_int_equal(test_audit_size(f->eng), before + 2);
        }
    }
}

static void a_failing_storage_call_raises_no_write_off_request(void **state) {
    (void)state;
    test_fault_round fr;
    for (test_fault_start(&fr, &ledger); test_fault_next(&fr);) {
        fixture *f = &fr.l;
        assert_int_equal(pay(f->eng, "PAY-1", NULL, "2026-03-05", 5000), 0);
        uint64_t before = test_audit_size(f->eng);
        archase_recon_action a = action("payment:PAY-1", ARCHASE_RECON_WRITE_OFF, NULL);
        char id[ARCHASE_APPROVAL_ID_MAX] = "";
        int pending = -1;
        test_fault_arm(&fr);
        int rc = archase_recon_resolve(f->eng, f->policy, &a, D("2026-03-06"), id, &pending);
        int failed = test_fault_disarm(&fr);
        queue q = test_recon_items(f, ARCHASE_RECON_STATUS_OPEN);
        assert_int_equal(q.n, 1);
        if (failed) {
            assert_int_equal(rc, ARCHASE_ESTORAGE);
            assert_int_equal(pending, -1);
            assert_string_equal(q.approval, "");
            assert_int_equal(test_audit_size(f->eng), before);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(pending, 1);
            assert_string_equal(q.approval, id);
        }
    }
}

/* Opens the ledger with allocator `al` on 2026-03-05 and puts the
 * unapplied payment PAY-1 of 50.00 EUR. Returns the first failing call's
 * code; test_ledger_close frees what was opened either way. */
static int unapplied_cash_with(fixture *f, const archase_allocator *al) {
    memset(f, 0, sizeof *f);
    test_ledger_now = (archase_instant)D("2026-03-05") * 86400;
    int rc = test_ledger_open(f, &ledger, al, NULL);
    if (!rc)
        rc = pay(f->eng, "PAY-1", NULL, "2026-03-05", 5000);
    return rc;
}

static int write_off_with(const archase_allocator *al, void *ctx) {
    (void)ctx;
    fixture l;
    fixture *f = &l;
    int rc = unapplied_cash_with(f, al);
    archase_recon_action a = action("payment:PAY-1", ARCHASE_RECON_WRITE_OFF, NULL);
    a.justification = "the payer cannot be identified";
    char id[ARCHASE_APPROVAL_ID_MAX] = "";
    int pending = 0;
    if (!rc)
        rc = archase_recon_resolve(f->eng, f->policy, &a, D("2026-03-06"), id, &pending);
    if (!rc)
        rc = test_approval_approve_rc(f, id, "confirmed");
    if (!rc)
        rc = archase_recon_resolve(f->eng, f->policy, &a, D("2026-03-07"), id, &pending);
    if (!rc && pending)
        fail_msg("an approved write-off still waits");
    test_ledger_close(f);
    return rc;
}

static int take_status(void *ud, const archase_approval_info *i) {
    *(int *)ud = i->status;
    return 0;
}

/* A lapsed write-off: the refusal is reported only once the lapse is recorded. */
static int lapsed_write_off_with(const archase_allocator *al, void *ctx) {
    (void)ctx;
    fixture l;
    fixture *f = &l;
    int rc = unapplied_cash_with(f, al);
    archase_recon_action a = action("payment:PAY-1", ARCHASE_RECON_WRITE_OFF, NULL);
    char id[ARCHASE_APPROVAL_ID_MAX] = "";
    int pending = 0;
    if (!rc)
        rc = archase_recon_resolve(f->eng, f->policy, &a, D("2026-03-06"), id, &pending);
    if (!rc) {
        test_ledger_now += 5 * 86400;
        rc = archase_recon_resolve(f->eng, f->policy, &a, D("2026-03-10"), NULL, NULL);
        if (rc == ARCHASE_EEXPIRED) {
            int status = 0;
            rc = archase_approval_get(f->eng, id, take_status, &status);
            if (!rc && status != ARCHASE_APPROVAL_EXPIRED)
                fail_msg("the write-off was refused as lapsed, but the request is %s",
                         archase_approval_status_name(status));
        } else if (!rc) {
            fail_msg("a lapsed write-off resolved the item");
        }
    }
    test_ledger_close(f);
    return rc;
}

static void a_lapsed_write_off_is_refused_only_once_the_lapse_is_recorded(void **state) {
    (void)state;
    assert_true(failalloc_loop(lapsed_write_off_with, NULL, NULL) > 20);
}

static void a_write_off_survives_every_allocation_failure(void **state) {
    (void)state;
    assert_true(failalloc_loop(write_off_with, NULL, NULL) > 20);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(names_out_of_range_are_null_and_unknown_names_refused),
    cmocka_unit_test_setup_teardown(each_wrong_field_of_a_resolution_is_named_and_nothing_is_written, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_short_pay_applied_to_its_invoice_is_only_confirmed_and_cannot_be_refunded, setup,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(cash_in_another_currency_is_applied_to_an_invoice_in_its_currency_only, setup,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_duplicate_reference_may_be_refunded, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_write_off_of_unapplied_cash_names_no_invoice_and_moves_no_money_once_approved, setup,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_lapsed_write_off_refuses_the_resolution_and_the_item_stays_open, setup,
                                    test_ledger_teardown),
    cmocka_unit_test(without_a_short_pay_rule_a_small_remainder_opens_nothing),
    cmocka_unit_test_setup_teardown(cash_from_a_customer_with_nothing_open_is_only_unapplied, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_reference_paid_three_times_is_queued_twice_against_the_earliest, setup,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(only_the_payment_that_left_a_small_remainder_opens_a_short_pay, setup,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(stored_items_that_cannot_be_decoded_are_storage_errors_naming_them, setup_forged,
                                    teardown_forged),
    cmocka_unit_test_setup_teardown(a_resolved_item_read_back_keeps_its_day_and_an_unknown_resolution_reads_as_none,
                                    setup_forged, teardown_forged),
    cmocka_unit_test_setup_teardown(a_stored_payment_that_cannot_be_decoded_stops_the_days_move, setup_forged,
                                    teardown_forged),
    cmocka_unit_test_setup_teardown(a_scan_refuses_what_it_cannot_answer_and_stops_when_asked, setup, test_ledger_teardown),
    cmocka_unit_test(a_failing_storage_call_opens_none_of_the_days_exceptions),
    cmocka_unit_test(a_failing_storage_call_raises_no_write_off_request),
    cmocka_unit_test(a_write_off_survives_every_allocation_failure),
    cmocka_unit_test(a_lapsed_write_off_is_refused_only_once_the_lapse_is_recorded),
};

AR_TEST_MAIN(tests)
