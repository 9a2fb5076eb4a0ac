/* tests/test_dispute_errors.c — what the dispute calls refuse, and what
 * they do when the store or the approval under them says no, through the
 * public API: every field of an opening, a change and an outcome refused
 * with a message naming it (writing nothing), the states a dispute may not
 * go back to, currencies that do not match, credits above what is still
 * open, a credit's approval rejected, lapsed or voided and replaced,
 * opening the same dispute twice, the SLA's owner when the playbook names
 * the collector, a stored dispute that cannot be decoded, and storage
 * failing in the middle of a review and of a credit's approval. */
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
    "  expiry_days: 3\n"
    "disputes:\n"
    "  sla_reminder_days: 2\n"
    "  playbooks:\n"
    "    pricing: {owner_role: sales_ops, sla_days: 10, approval_limit: [100 EUR]}\n"
    "    damaged_goods: {owner_role: logistics, sla_days: 5}\n"
    "    tax: {owner_role: collector, sla_days: 3}\n";

typedef test_ledger fixture;

static const test_ledger_spec ledger = { policy_text, "anna", "anna", "olaf", 0, 100000, 100000, &test_ledger_clock };

static archase_date D(const char *s) {
    return test_day(s);
}

static int setup(void **state) {
    test_ledger_now = (archase_instant)D("2026-03-05") * 86400 + 9 * 3600;
    return test_ledger_setup(state, &ledger);
}

static const char *const both[] = { "INV-2", "INV-1" };

/* Dispute D-1 over INV-1 for `minor` EUR, on pricing, opened on 2026-03-05. */
static void opened(fixture *f, int64_t minor) {
    archase_dispute d = test_dispute("D-1", "pricing", minor);
    test_dispute_open(f, &d, "2026-03-05");
}

typedef struct seen {
    int  count, status;
    char ids[256], owner[64], pending[ARCHASE_APPROVAL_ID_MAX], evidence[64];
} seen;

static int see(void *ud, const archase_dispute_info *i) {
    seen *s = ud;
    s->count++;
    s->status = i->dispute->status;
    size_t n = strlen(s->ids);
    snprintf(s->ids + n, sizeof s->ids - n, "%s;", i->dispute->id);
    snprintf(s->owner, sizeof s->owner, "%s", i->owner ? i->owner : "");
    snprintf(s->evidence, sizeof s->evidence, "%s", i->dispute->evidence ? i->dispute->evidence : "");
    snprintf(s->pending, sizeof s->pending, "%s", i->pending_approval ? i->pending_approval : "");
    return 0;
}

static seen standing(fixture *f, const char *as_of) {
    seen s;
    memset(&s, 0, sizeof s);
    int rc = archase_disputes_scan(f->eng, f->policy, NULL, 0, D(as_of), see, &s);
    if (rc)
        fail_msg("scan: %s: %s", archase_error_name(rc), archase_engine_errmsg(f->eng));
    return s;
}

/* ---- opening ------------------------------------------------------------------------------- */

static void refuse_open(fixture *f, const archase_dispute *d, const char *as_of, int code, const char *words) {
    uint64_t before = test_audit_size(f->eng);
    seen had = standing(f, "2026-03-31");
    test_says(f, archase_dispute_open(f->eng, f->policy, d, D(as_of)), code, words);
    assert_int_equal(test_audit_size(f->eng), before);
    assert_string_equal(standing(f, "2026-03-31").ids, had.ids);
}

static void each_wrong_field_of_an_opening_is_named_and_nothing_is_written(void **state) {
    fixture *f = *state;
    archase_dispute d = test_dispute(NULL, "pricing", 1000);
    refuse_open(f, &d, "2026-03-05", ARCHASE_EINVAL, "dispute_id");
    d = test_dispute("D-1", "pricing", 1000);
    d.opened_by = "";
    refuse_open(f, &d, "2026-03-05", ARCHASE_EINVAL, "opened_by is required");
    d = test_dispute("D-1", "pricing", 1000);
    d.status = ARCHASE_DISPUTE_IN_REVIEW;
    refuse_open(f, &d, "2026-03-05", ARCHASE_EINVAL, "a new dispute is open");
    d = test_dispute("D-1", "pricing", 1000);
    d.opened_on = D("2026-03-06");
    refuse_open(f, &d, "2026-03-05", ARCHASE_EINVAL, "opened_on is after the as-of date");
    d = test_dispute("D-1", "pricing", 1000);
    static const char *const missing_first[] = { "INV-9", "INV-1" };
    d.invoice_ids = missing_first;
    d.invoice_count = 2;
    refuse_open(f, &d, "2026-03-05", ARCHASE_ENOTFOUND, "invoice 'INV-9' does not exist");
    d = test_dispute("D-1", "pricing", 1000);
    memcpy(d.amount.currency, "USD", 4);
    refuse_open(f, &d, "2026-03-05", ARCHASE_ECURRENCY, "invoice 'INV-1' is in EUR, the dispute in USD");
    d = test_dispute("D-1", "pricing", 1000);
    d.version = 99;
    refuse_open(f, &d, "2026-03-05", ARCHASE_EVERSION, "dispute");
    test_says(f, archase_dispute_open(f->eng, NULL, &d, D("2026-03-05")), ARCHASE_EINVAL, "needs a policy");
    test_says(f, archase_dispute_open(f->eng, f->policy, NULL, D("2026-03-05")), ARCHASE_EINVAL, "needs a policy");
    test_says(f, archase_dispute_open(f->eng, f->policy, &d, ARCHASE_DATE_NONE), ARCHASE_EINVAL, "a valid date");
    assert_int_equal(archase_dispute_open(NULL, f->policy, &d, D("2026-03-05")), ARCHASE_EINVAL);
}

static void an_opening_keeps_its_own_date_and_owner_and_the_same_again_changes_nothing(void **state) {
    fixture *f = *state;
    archase_dispute d = test_dispute("D-1", "pricing", 1000);
    d.opened_on = D("2026-03-02");
    d.owner = "lena";
    test_dispute_open(f, &d, "2026-03-05");
    seen s = standing(f, "2026-03-05");
    assert_string_equal(s.owner, "lena"); /* not the playbook's sales_ops */
    uint64_t before = test_audit_size(f->eng);
    test_dispute_open(f, &d, "2026-03-05");
    assert_int_equal(test_audit_size(f->eng), before);
    assert_int_equal(standing(f, "2026-03-05").count, 1);
    /* an empty owner is the playbook's */
    d = test_dispute("D-2", "pricing", 1000);
    d.owner = "";
    test_dispute_open(f, &d, "2026-03-05");
    seen only;
    memset(&only, 0, sizeof only);
    assert_int_equal(archase_disputes_scan(f->eng, f->policy, "ACME", ARCHASE_DISPUTE_OPEN, D("2026-03-05"), see, &only),
                     0);
    assert_string_equal(only.ids, "D-1;D-2;");
    assert_string_equal(only.owner, "sales_ops");
}

static void a_batch_open_on_the_engine_refuses_every_change(void **state) {
    fixture *f = *state;
    archase_dispute d = test_dispute("D-1", "pricing", 1000);
    test_dispute_open(f, &d, "2026-03-05");
    archase_batch *b = NULL;
    assert_int_equal(archase_batch_begin(f->eng, NULL, NULL, &b), 0);
    d = test_dispute("D-2", "pricing", 1000);
    test_says(f, archase_dispute_open(f->eng, f->policy, &d, D("2026-03-05")), ARCHASE_ESTATE, "a batch is open");
    archase_dispute_change ch = ARCHASE_DISPUTE_CHANGE_INIT;
    ch.id = "D-1";
    ch.status = ARCHASE_DISPUTE_IN_REVIEW;
    ch.by = "anna";
    test_says(f, archase_dispute_update(f->eng, f->policy, &ch, D("2026-03-05")), ARCHASE_ESTATE, "a batch is open");
    archase_dispute_outcome o = ARCHASE_DISPUTE_OUTCOME_INIT;
    o.id = "D-1";
    o.resolution = ARCHASE_RESOLUTION_REJECTED;
    o.root_cause = "no_fault";
    o.by = "lena";
    test_says(f, archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-05"), NULL, NULL), ARCHASE_ESTATE,
              "a batch is open");
    archase_batch_free(b);
    seen s = standing(f, "2026-03-05");
    assert_string_equal(s.ids, "D-1;");
    assert_int_equal(s.status, ARCHASE_DISPUTE_OPEN);
}

/* ---- review ---------------------------------------------------------------------------------- */

static void refuse_change(fixture *f, const archase_dispute_change *ch, int code, const char *words) {
    uint64_t before = test_audit_size(f->eng);
    test_says(f, archase_dispute_update(f->eng, f->policy, ch, D("2026-03-06")), code, words);
    assert_int_equal(test_audit_size(f->eng), before);
}

static void each_wrong_field_of_a_change_is_named_and_nothing_is_written(void **state) {
    fixture *f = *state;
    opened(f, 1000);
    archase_dispute_change ch = ARCHASE_DISPUTE_CHANGE_INIT;
    ch.id = "D-1";
    ch.by = "anna";
    ch.version = 7;
    refuse_change(f, &ch, ARCHASE_EVERSION, "dispute change version 7");
    ch.version = ARCHASE_DISPUTE_CHANGE_VERSION;
    ch.id = "";
    refuse_change(f, &ch, ARCHASE_EINVAL, "the dispute id and who made it");
    ch.id = NULL;
    refuse_change(f, &ch, ARCHASE_EINVAL, "the dispute id and who made it");
    ch.id = "D-1";
    ch.by = "";
    refuse_change(f, &ch, ARCHASE_EINVAL, "who made it (by)");
    ch.by = NULL;
    refuse_change(f, &ch, ARCHASE_EINVAL, "who made it (by)");
    ch.by = "anna";
    ch.status = ARCHASE_DISPUTE_RESOLVED;
    refuse_change(f, &ch, ARCHASE_EINVAL, "resolve it with archase_dispute_resolve");
    ch.status = ARCHASE_DISPUTE_OPEN;
    refuse_change(f, &ch, ARCHASE_EINVAL, "moves a dispute to in_review only");
    ch.status = 0;
    ch.owner = "l\xc3\x28na";
    refuse_change(f, &ch, ARCHASE_EINVAL, "not valid UTF-8");
    ch.owner = NULL;
    ch.evidence = "\xff";
    refuse_change(f, &ch, ARCHASE_EINVAL, "not valid UTF-8");
    ch.evidence = NULL;
    ch.by = "\xe2\x82";
    refuse_change(f, &ch, ARCHASE_EINVAL, "not valid UTF-8");
    ch.by = "anna";
    ch.id = "D-9";
    refuse_change(f, &ch, ARCHASE_ENOTFOUND, "no dispute 'D-9'");
    test_says(f, archase_dispute_update(f->eng, NULL, &ch, D("2026-03-06")), ARCHASE_EINVAL, "needs a policy");
    test_says(f, archase_dispute_update(f->eng, f->policy, NULL, D("2026-03-06")), ARCHASE_EINVAL, "needs a policy");
    test_says(f, archase_dispute_update(f->eng, f->policy, &ch, ARCHASE_DATE_MAX + 1), ARCHASE_EINVAL, "a valid date");
    assert_int_equal(archase_dispute_update(NULL, f->policy, &ch, D("2026-03-06")), ARCHASE_EINVAL);
    assert_int_equal(standing(f, "2026-03-06").status, ARCHASE_DISPUTE_OPEN);
}

/* A change is a new revision and its transition: two audit records. */
static void change_ok(fixture *f, const archase_dispute_change *ch, const char *as_of) {
    uint64_t before = test_audit_size(f->eng);
    int rc = archase_dispute_update(f->eng, f->policy, ch, D(as_of));
    if (rc)
        fail_msg("update: %s: %s", archase_error_name(rc), archase_engine_errmsg(f->eng));
    assert_int_equal(test_audit_size(f->eng), before + 2);
}

static void changes_are_recorded_with_what_they_did(void **state) {
    fixture *f = *state;
    opened(f, 1000);
    archase_dispute_change ch = ARCHASE_DISPUTE_CHANGE_INIT;
    ch.id = "D-1";
    ch.by = "anna";
    ch.owner = "lena";
    change_ok(f, &ch, "2026-03-06");
    assert_string_equal(standing(f, "2026-03-06").owner, "lena");
    assert_int_equal(standing(f, "2026-03-06").status, ARCHASE_DISPUTE_OPEN);
    ch.owner = "mark";
    ch.status = ARCHASE_DISPUTE_IN_REVIEW;
    change_ok(f, &ch, "2026-03-07");
    ch.owner = NULL;
    ch.evidence = "signed delivery note";
    change_ok(f, &ch, "2026-03-08"); /* in review already: it stays there */
    ch.owner = "";
    ch.evidence = "";
    ch.status = 0;
    change_ok(f, &ch, "2026-03-09"); /* empty texts leave owner and evidence as they are */
    seen s = standing(f, "2026-03-09");
    assert_int_equal(s.status, ARCHASE_DISPUTE_IN_REVIEW);
    assert_string_equal(s.owner, "mark");
    assert_string_equal(s.evidence, "signed delivery note");
}

/* ---- resolution ---------------------------------------------------------------------------- */

static archase_dispute_outcome outcome(const char *id, int resolution, int64_t credited) {
    archase_dispute_outcome o = ARCHASE_DISPUTE_OUTCOME_INIT;
    o.id = id;
    o.resolution = resolution;
    if (credited)
        o.credited = (archase_money){ credited, "EUR" };
    o.root_cause = "price_list_outdated";
    o.by = "lena";
    return o;
}

static void refuse_outcome(fixture *f, const archase_dispute_outcome *o, const char *as_of, int code,
                           const char *words) {
    uint64_t before = test_audit_size(f->eng);
    int pending = -1;
    char id[ARCHASE_APPROVAL_ID_MAX] = "untouched";
    test_says(f, archase_dispute_resolve(f->eng, f->policy, o, D(as_of), id, &pending), code, words);
    assert_int_equal(pending, -1);
    assert_string_equal(id, "untouched");
    assert_int_equal(test_audit_size(f->eng), before);
}

static void each_wrong_field_of_an_outcome_is_named_and_nothing_is_written(void **state) {
    fixture *f = *state;
    archase_dispute d = test_dispute("D-1", "damaged_goods", 30000);
    d.opened_on = D("2026-03-04");
    test_dispute_open(f, &d, "2026-03-05");
    archase_dispute_outcome o = outcome("D-1", ARCHASE_RESOLUTION_PARTIAL, 1000);
    o.version = 3;
    refuse_outcome(f, &o, "2026-03-06", ARCHASE_EVERSION, "dispute outcome version 3");
    o = outcome("", ARCHASE_RESOLUTION_PARTIAL, 1000);
    refuse_outcome(f, &o, "2026-03-06", ARCHASE_EINVAL, "the dispute id is required");
    o = outcome(NULL, ARCHASE_RESOLUTION_PARTIAL, 1000);
    refuse_outcome(f, &o, "2026-03-06", ARCHASE_EINVAL, "the dispute id is required");
    o = outcome("D-1", 0, 1000);
    refuse_outcome(f, &o, "2026-03-06", ARCHASE_EINVAL, "must be credit_issued, rejected or partial");
    o = outcome("D-1", 17, 1000);
    refuse_outcome(f, &o, "2026-03-06", ARCHASE_EINVAL, "must be credit_issued, rejected or partial");
    static const char *const bad_tags[] = {
        "Price_list", "price-list", "price list", "price:list", "price{list", "price~list", "",
        "a_root_cause_tag_that_goes_on_and_on_far_beyond_sixty_four_characters",
    };
    for (size_t k = 0; k < sizeof bad_tags / sizeof *bad_tags; k++) {
        o = outcome("D-1", ARCHASE_RESOLUTION_PARTIAL, 1000);
        o.root_cause = bad_tags[k];
        refuse_outcome(f, &o, "2026-03-06", ARCHASE_EINVAL, "a root-cause tag is required");
    }
    o = outcome("D-1", ARCHASE_RESOLUTION_PARTIAL, 1000);
    o.root_cause = "a_tag_of_exactly_sixty_four_characters_0123456789_0123456789_012";
    assert_int_equal(strlen(o.root_cause), 64);
    o.by = "";
    refuse_outcome(f, &o, "2026-03-06", ARCHASE_EINVAL, "who resolves it (by) is required");
    o.by = NULL;
    refuse_outcome(f, &o, "2026-03-06", ARCHASE_EINVAL, "who resolves it (by) is required");
    o.by = "l\xe9na";
    refuse_outcome(f, &o, "2026-03-06", ARCHASE_EINVAL, "who resolves it (by) is required");
    o.by = "lena";
    o.justification = "\xc3";
    refuse_outcome(f, &o, "2026-03-06", ARCHASE_EINVAL, "who resolves it (by) is required");
    o = outcome("D-1", ARCHASE_RESOLUTION_CREDIT_ISSUED, 0);
    refuse_outcome(f, &o, "2026-03-06", ARCHASE_EINVAL, "a credit_issued resolution needs the credited amount");
    o = outcome("D-1", ARCHASE_RESOLUTION_PARTIAL, -5);
    refuse_outcome(f, &o, "2026-03-06", ARCHASE_EINVAL, "a partial resolution needs the credited amount");
    o = outcome("D-1", ARCHASE_RESOLUTION_REJECTED, 500);
    refuse_outcome(f, &o, "2026-03-06", ARCHASE_EINVAL, "a rejected dispute credits nothing");
    o = outcome("D-1", ARCHASE_RESOLUTION_PARTIAL, 1000);
    memcpy(o.credited.currency, "USD", 4);
    refuse_outcome(f, &o, "2026-03-06", ARCHASE_ECURRENCY, "dispute 'D-1' is in EUR, the credit in USD");
    o = outcome("D-1", ARCHASE_RESOLUTION_PARTIAL, 30001);
    refuse_outcome(f, &o, "2026-03-06", ARCHASE_EINVAL, "the credit is more than the disputed amount");
    o = outcome("D-1", ARCHASE_RESOLUTION_PARTIAL, 1000);
    refuse_outcome(f, &o, "2026-03-03", ARCHASE_EINVAL, "was opened after the as-of date");
    o = outcome("D-9", ARCHASE_RESOLUTION_REJECTED, 0);
    refuse_outcome(f, &o, "2026-03-06", ARCHASE_ENOTFOUND, "no dispute 'D-9'");
    test_says(f, archase_dispute_resolve(f->eng, NULL, &o, D("2026-03-06"), NULL, NULL), ARCHASE_EINVAL, "needs a policy");
    test_says(f, archase_dispute_resolve(f->eng, f->policy, NULL, D("2026-03-06"), NULL, NULL), ARCHASE_EINVAL,
              "needs a policy");
    test_says(f, archase_dispute_resolve(f->eng, f->policy, &o, ARCHASE_DATE_NONE, NULL, NULL), ARCHASE_EINVAL,
              "a valid date");
    assert_int_equal(archase_dispute_resolve(NULL, f->policy, &o, D("2026-03-06"), NULL, NULL), ARCHASE_EINVAL);
    assert_int_equal(standing(f, "2026-03-06").status, ARCHASE_DISPUTE_OPEN);
    assert_int_equal(test_open_amount(f, "INV-1"), 100000);
}

static void a_credit_above_what_is_still_open_is_refused_and_nothing_is_credited(void **state) {
    fixture *f = *state;
    archase_dispute d = test_dispute("D-1", "damaged_goods", 30000);
    test_dispute_open(f, &d, "2026-03-05");
    /* the customer pays all but 100.00 EUR of the invoice meanwhile */
    assert_int_equal(test_ledger_payment(f->eng, "PAY-1", "ACME", "INV-1", "2026-03-06", 90000, "EUR", NULL, 0), 0);
    uint64_t before = test_audit_size(f->eng);
    archase_dispute_outcome o = outcome("D-1", ARCHASE_RESOLUTION_CREDIT_ISSUED, 30000);
    test_says(f, archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-07"), NULL, NULL), ARCHASE_EINVAL,
              "the credit is 200.00 EUR more than is open on its invoices");
    assert_int_equal(test_audit_size(f->eng), before);
    assert_int_equal(test_open_amount(f, "INV-1"), 10000);
    assert_int_equal(standing(f, "2026-03-07").status, ARCHASE_DISPUTE_OPEN);
    /* paid in full: the invoice is closed, and nothing is left to credit on it */
    assert_int_equal(test_ledger_payment(f->eng, "PAY-2", "ACME", "INV-1", "2026-03-07", 10000, "EUR", NULL, 0), 0);
    o = outcome("D-1", ARCHASE_RESOLUTION_PARTIAL, 100);
    test_says(f, archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-08"), NULL, NULL), ARCHASE_EINVAL,
              "the credit is 1.00 EUR more than is open");
    assert_int_equal(test_audit_size(f->eng), before + 1); /* PAY-2's own record */
}

static void a_credit_over_two_invoices_takes_the_first_in_full_then_the_rest(void **state) {
    fixture *f = *state;
    archase_dispute d = test_dispute("D-1", "damaged_goods", 150000);
    d.invoice_ids = both; /* INV-2 first */
    d.invoice_count = 2;
    test_dispute_open(f, &d, "2026-03-05");
    archase_dispute_outcome o = outcome("D-1", ARCHASE_RESOLUTION_CREDIT_ISSUED, 120000);
    assert_int_equal(archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-06"), NULL, NULL), 0);
    assert_int_equal(test_open_amount(f, "INV-2"), 0);
    assert_int_equal(test_open_amount(f, "INV-1"), 80000);
}

typedef struct aged {
    int32_t age;
    int     sla_state, status;
} aged;

static int take_age(void *ud, const archase_dispute_info *i) {
    aged *a = ud;
    a->age = i->age_days;
    a->sla_state = i->sla_state;
    a->status = i->dispute->status;
    return 0;
}

static void credits_within_the_limit_stop_when_covered_and_skip_invoices_paid_meanwhile(void **state) {
    fixture *f = *state;
    /* 50.00 EUR on a pricing dispute: within the playbook's 100.00, issued at once on the first invoice */
    archase_dispute d = test_dispute("D-1", "pricing", 5000);
    d.invoice_ids = both; /* INV-2 first */
    d.invoice_count = 2;
    test_dispute_open(f, &d, "2026-03-05");
    archase_dispute_outcome o = outcome("D-1", ARCHASE_RESOLUTION_CREDIT_ISSUED, 5000);
    int pending = -1;
    assert_int_equal(archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-06"), NULL, &pending), 0);
    assert_int_equal(pending, 0);
    assert_int_equal(test_open_amount(f, "INV-2"), 95000);
    assert_int_equal(test_open_amount(f, "INV-1"), 100000);
    /* INV-2 paid in full before the next dispute is resolved: its credit goes to INV-1 */
    d = test_dispute("D-2", "damaged_goods", 30000);
    d.invoice_ids = both;
    d.invoice_count = 2;
    test_dispute_open(f, &d, "2026-03-05");
    assert_int_equal(test_ledger_payment(f->eng, "PAY-1", "ACME", "INV-2", "2026-03-06", 95000, "EUR", NULL, 0), 0);
    o = outcome("D-2", ARCHASE_RESOLUTION_PARTIAL, 20000);
    assert_int_equal(archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-08"), NULL, NULL), 0);
    assert_int_equal(test_open_amount(f, "INV-1"), 80000);
    /* a rejection may name a currency with nothing credited */
    d = test_dispute("D-3", "damaged_goods", 1000);
    test_dispute_open(f, &d, "2026-03-05");
    o = outcome("D-3", ARCHASE_RESOLUTION_REJECTED, 0);
    o.credited = (archase_money){ 0, "EUR" };
    assert_int_equal(archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-08"), NULL, NULL), 0);
    /* on a day before its resolution, D-3 (the last of the scan) reads as it stood then */
    aged a = { -1, -1, 0 };
    assert_int_equal(archase_disputes_scan(f->eng, f->policy, NULL, ARCHASE_DISPUTE_RESOLVED, D("2026-03-07"), take_age,
                                           &a),
                     0);
    assert_int_equal(a.status, ARCHASE_DISPUTE_RESOLVED);
    assert_int_equal(a.age, 2);
    assert_int_equal(a.sla_state, ARCHASE_SLA_OK); /* SLA 03-10, reminder from 03-08 */
    memset(&a, 0, sizeof a);
    assert_int_equal(archase_disputes_scan(f->eng, f->policy, NULL, ARCHASE_DISPUTE_RESOLVED, D("2026-03-09"), take_age,
                                           &a),
                     0);
    assert_int_equal(a.age, 3); /* resolved on 03-08: its age stops there */
}

typedef test_approval_copy request;

static void ask(fixture *f, const archase_dispute_outcome *o, const char *as_of, char id[ARCHASE_APPROVAL_ID_MAX]) {
    int pending = 0;
    int rc = archase_dispute_resolve(f->eng, f->policy, o, D(as_of), id, &pending);
    if (rc)
        fail_msg("resolve: %s: %s", archase_error_name(rc), archase_engine_errmsg(f->eng));
    assert_int_equal(pending, 1);
    assert_true(strncmp(id, "APR-", 4) == 0);
}

static void a_credit_approval_names_its_invoices_once_in_order_with_the_given_justification(void **state) {
    fixture *f = *state;
    static const char *const twice[] = { "INV-2", "INV-1", "INV-2" };
    archase_dispute d = test_dispute("D-1", "pricing", 30000);
    d.invoice_ids = twice;
    d.invoice_count = 3;
    int rc = archase_dispute_open(f->eng, f->policy, &d, D("2026-03-05"));
    if (rc == ARCHASE_EINVAL) { /* a list naming an invoice twice is refused: the order still counts */
        assert_non_null(strstr(archase_engine_errmsg(f->eng), "invoice_ids"));
        d.invoice_ids = both;
        d.invoice_count = 2;
        test_dispute_open(f, &d, "2026-03-05");
    } else {
        assert_int_equal(rc, 0);
    }
    archase_dispute_outcome o = outcome("D-1", ARCHASE_RESOLUTION_CREDIT_ISSUED, 30000);
    o.justification = "the March price list was never sent to the customer";
    char id[ARCHASE_APPROVAL_ID_MAX] = "";
    ask(f, &o, "2026-03-06", id);
    request r = test_approval_copy_get(f, id);
    assert_int_equal(r.status, ARCHASE_APPROVAL_PENDING);
    assert_string_equal(r.invoices, "INV-1;INV-2;");
    assert_string_equal(r.justification, "the March price list was never sent to the customer");
}

static void a_rejected_credit_approval_refuses_the_resolution_and_the_dispute_stays_open(void **state) {
    fixture *f = *state;
    opened(f, 30000);
    archase_dispute_outcome o = outcome("D-1", ARCHASE_RESOLUTION_CREDIT_ISSUED, 30000);
    o.justification = ""; /* none given: the request says what it is for */
    char id[ARCHASE_APPROVAL_ID_MAX] = "";
    ask(f, &o, "2026-03-06", id);
    assert_string_equal(test_approval_copy_get(f, id).justification,
                        "resolve dispute D-1 as credit_issued, root cause price_list_outdated: credit 300.00 EUR on "
                        "dispute D-1 (pricing), above the playbook's limit of 100.00 EUR");
    archase_approval_vote v = ARCHASE_APPROVAL_VOTE_INIT;
    v.actor = "fiona";
    v.role = "finance_lead";
    v.reason = "the price list was right";
    assert_int_equal(archase_approval_reject(f->eng, id, &v, NULL), 0);
    uint64_t before = test_audit_size(f->eng);
    int pending = -1;
    test_says(f, archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-07"), NULL, &pending), ARCHASE_EDENIED, id);
    assert_int_equal(pending, -1);
    assert_int_equal(test_audit_size(f->eng), before + 1); /* the refusal, committed */
    seen s = standing(f, "2026-03-07");
    assert_int_equal(s.status, ARCHASE_DISPUTE_OPEN);
    assert_string_equal(s.pending, id);
    assert_int_equal(test_open_amount(f, "INV-1"), 100000);
    /* rejected instead: resolved, and a marker left behind is no longer shown */
    o = outcome("D-1", ARCHASE_RESOLUTION_REJECTED, 0);
    assert_int_equal(archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-07"), NULL, NULL), 0);
    s = standing(f, "2026-03-07");
    assert_int_equal(s.status, ARCHASE_DISPUTE_RESOLVED);
    assert_string_equal(s.pending, "");
}

static void a_lapsed_credit_approval_refuses_the_resolution(void **state) {
    fixture *f = *state;
    opened(f, 30000);
    archase_dispute_outcome o = outcome("D-1", ARCHASE_RESOLUTION_CREDIT_ISSUED, 30000);
    char id[ARCHASE_APPROVAL_ID_MAX] = "";
    ask(f, &o, "2026-03-06", id);
    test_ledger_now += 4 * 86400; /* expiry_days: 3 */
    test_says(f, archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-09"), NULL, NULL), ARCHASE_EEXPIRED, "lapsed");
    assert_int_equal(standing(f, "2026-03-09").status, ARCHASE_DISPUTE_OPEN);
    assert_int_equal(test_open_amount(f, "INV-1"), 100000);
}

static void a_credit_approval_voided_by_new_facts_is_replaced_and_the_new_one_waited_for(void **state) {
    fixture *f = *state;
    opened(f, 30000);
    archase_dispute_outcome o = outcome("D-1", ARCHASE_RESOLUTION_CREDIT_ISSUED, 30000);
    char id[ARCHASE_APPROVAL_ID_MAX] = "";
    ask(f, &o, "2026-03-06", id);
    test_approval_approve(f, id, "price list error confirmed");
    /* a payment changes the invoice the approval was bound to */
    assert_int_equal(test_ledger_payment(f->eng, "PAY-1", "ACME", "INV-1", "2026-03-06", 10000, "EUR", NULL, 0), 0);
    test_says(f, archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-07"), NULL, NULL), ARCHASE_EDENIED, id);
    request old = test_approval_copy_get(f, id);
    assert_int_equal(old.status, ARCHASE_APPROVAL_VOIDED);
    assert_true(strncmp(old.replaced_by, "APR-", 4) == 0);
    seen s = standing(f, "2026-03-07");
    assert_string_equal(s.pending, old.replaced_by);
    /* the replacement is waited for, then resolves the dispute */
    char again[ARCHASE_APPROVAL_ID_MAX] = "";
    ask(f, &o, "2026-03-07", again);
    assert_string_equal(again, old.replaced_by);
    test_approval_approve(f, again, "price list error confirmed");
    int pending = -1;
    assert_int_equal(archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-08"), again, &pending), 0);
    assert_int_equal(pending, 0);
    assert_string_equal(again, "");
    assert_int_equal(test_open_amount(f, "INV-1"), 60000);
    assert_int_equal(standing(f, "2026-03-08").status, ARCHASE_DISPUTE_RESOLVED);
}

/* ---- listing ----------------------------------------------------------------------------------- */

static int stop_at_first(void *ud, const archase_dispute_info *i) {
    see(ud, i);
    return ARCHASE_SCAN_STOP;
}

static int refuse_all(void *ud, const archase_dispute_info *i) {
    (void)ud, (void)i;
    return ARCHASE_ECONFLICT;
}

static void a_scan_stops_when_asked_and_refuses_what_it_cannot_answer(void **state) {
    fixture *f = *state;
    archase_dispute d = test_dispute("D-1", "pricing", 1000);
    test_dispute_open(f, &d, "2026-03-05");
    d = test_dispute("D-2", "tax", 1000);
    test_dispute_open(f, &d, "2026-03-05");
    seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(archase_disputes_scan(f->eng, f->policy, NULL, 0, D("2026-03-05"), stop_at_first, &s), 0);
    assert_string_equal(s.ids, "D-1;");
    assert_int_equal(archase_disputes_scan(f->eng, f->policy, NULL, 0, D("2026-03-05"), refuse_all, NULL),
                     ARCHASE_ECONFLICT);
    memset(&s, 0, sizeof s);
    assert_int_equal(archase_disputes_scan(f->eng, f->policy, NULL, ARCHASE_DISPUTE_RESOLVED, D("2026-03-05"), see, &s),
                     0);
    assert_int_equal(s.count, 0);
    test_says(f, archase_disputes_scan(f->eng, NULL, NULL, 0, D("2026-03-05"), see, &s), ARCHASE_EINVAL, "needs a policy");
    test_says(f, archase_disputes_scan(f->eng, f->policy, NULL, 0, D("2026-03-05"), NULL, &s), ARCHASE_EINVAL,
              "a callback");
    test_says(f, archase_disputes_scan(f->eng, f->policy, NULL, -1, D("2026-03-05"), see, &s), ARCHASE_EINVAL,
              "a known status");
    test_says(f, archase_disputes_scan(f->eng, f->policy, NULL, ARCHASE_DISPUTE_RESOLVED + 1, D("2026-03-05"), see, &s),
              ARCHASE_EINVAL, "a known status");
    test_says(f, archase_disputes_scan(f->eng, f->policy, NULL, 0, ARCHASE_DATE_NONE, see, &s), ARCHASE_EINVAL,
              "a valid date");
    assert_int_equal(archase_disputes_scan(NULL, f->policy, NULL, 0, D("2026-03-05"), see, &s), ARCHASE_EINVAL);
    /* the playbook's owner role "collector" is the customer's collector */
    memset(&s, 0, sizeof s);
    assert_int_equal(archase_disputes_scan(f->eng, f->policy, NULL, 0, D("2026-03-05"), see, &s), 0);
    assert_string_equal(s.owner, "collector");
}

typedef struct alerts {
    char text[512];
} alerts;

static int see_alert(void *ud, const archase_outbox_item *it) {
    alerts *a = ud;
    size_t n = strlen(a->text);
    snprintf(a->text + n, sizeof a->text - n, "%s>%s|", archase_decision_kind_name(it->kind), it->owner);
    return 0;
}

static void an_sla_of_the_collectors_role_goes_to_the_collector_else_the_owner_else_unassigned(void **state) {
    fixture *f = *state;
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "OWNED";
    c.name = "Owned Ltd";
    c.owner = "otto";
    assert_int_equal(archase_customer_put(f->eng, &c, NULL), 0);
    c.id = "NOBODY";
    c.name = "Nobody Ltd";
    c.owner = NULL;
    assert_int_equal(archase_customer_put(f->eng, &c, NULL), 0);
    assert_int_equal(test_ledger_invoice(f->eng, "O-1", "OWNED", 50000, "2026-02-01", "2026-03-01"), 0);
    assert_int_equal(test_ledger_invoice(f->eng, "N-1", "NOBODY", 50000, "2026-02-01", "2026-03-01"), 0);
    archase_dispute d = test_dispute("D-1", "tax", 1000); /* ACME: collector anna */
    test_dispute_open(f, &d, "2026-03-05");
    static const char *const o1[] = { "O-1" }, *const n1[] = { "N-1" };
    d = test_dispute("D-2", "tax", 1000);
    d.customer_id = "OWNED";
    d.invoice_ids = o1;
    test_dispute_open(f, &d, "2026-03-05");
    d = test_dispute("D-3", "tax", 1000);
    d.customer_id = "NOBODY";
    d.invoice_ids = n1;
    test_dispute_open(f, &d, "2026-03-05");
    archase_lifecycle_counts counts = { ARCHASE_LIFECYCLE_COUNTS_VERSION, 0, 0, 0, 0, 0, 0, 0 };
    assert_int_equal(archase_lifecycle_update(f->eng, f->policy, D("2026-03-06"), &counts), 0); /* SLA 03-08 */
    assert_int_equal(counts.disputes_sla_reminders, 3);
    alerts a;
    memset(&a, 0, sizeof a);
    assert_int_equal(archase_outbox_scan(f->eng, ARCHASE_OUTBOX_PENDING, see_alert, &a), 0);
    assert_non_null(strstr(a.text, "alert_owner>anna|"));
    assert_non_null(strstr(a.text, "alert_owner>otto|"));
    assert_non_null(strstr(a.text, "alert_owner>unassigned|"));
    /* past the SLA: the account owner is told, or the dispute's owner when the customer has none */
    assert_int_equal(archase_lifecycle_update(f->eng, f->policy, D("2026-03-09"), &counts), 0);
    assert_int_equal(counts.disputes_sla_breached, 3);
    memset(&a, 0, sizeof a);
    assert_int_equal(archase_outbox_scan(f->eng, ARCHASE_OUTBOX_PENDING, see_alert, &a), 0);
    assert_non_null(strstr(a.text, "escalate>olaf|"));
    assert_non_null(strstr(a.text, "escalate>otto|"));
    assert_non_null(strstr(a.text, "escalate>unassigned|"));
}

static const char no_reminder_text[] =
    TEST_LEDGER_POLICY_HEAD
    "disputes:\n"
    "  sla_reminder_days: 0\n"
    "  playbooks:\n"
    "    pricing: {owner_role: sales_ops, sla_days: 3}\n";

static void without_reminder_days_only_the_breach_is_sent(void **state) {
    (void)state;
    static const test_ledger_spec no_reminder = { no_reminder_text, "anna", "anna", "olaf", 0, 100000, 100000,
                                                  &test_ledger_clock };
    fixture l;
    memset(&l, 0, sizeof l);
    fixture *f = &l;
    assert_int_equal(test_ledger_open(f, &no_reminder, NULL, NULL), 0);
    archase_dispute d = test_dispute("D-1", "pricing", 1000); /* SLA 03-08 */
    test_dispute_open(f, &d, "2026-03-05");
    archase_lifecycle_counts c = { ARCHASE_LIFECYCLE_COUNTS_VERSION, 0, 0, 0, 0, 0, 0, 0 };
    for (const char *day = "2026-03-06"; day; day = strcmp(day, "2026-03-06") == 0 ? "2026-03-08" : NULL) {
        assert_int_equal(archase_lifecycle_update(f->eng, f->policy, D(day), &c), 0);
        assert_int_equal(c.transitions, 0);
    }
    assert_int_equal(archase_lifecycle_update(f->eng, f->policy, D("2026-03-09"), &c), 0);
    assert_int_equal(c.disputes_sla_reminders, 0);
    assert_int_equal(c.disputes_sla_breached, 1);
    alerts a;
    memset(&a, 0, sizeof a);
    assert_int_equal(archase_outbox_scan(f->eng, ARCHASE_OUTBOX_PENDING, see_alert, &a), 0);
    assert_string_equal(a.text, "escalate>olaf|");
    test_ledger_close(f);
}

/* ---- a stored dispute that cannot be decoded ----------------------------------------------------- */

static int count_row(void *ud, const archase_dispute_report_row *row) {
    (void)row;
    ((seen *)ud)->count++;
    return 0;
}

static void a_stored_dispute_that_cannot_be_decoded_is_a_storage_error_naming_it(void **state) {
    (void)state;
    archase_storage store;
    assert_int_equal(archase_memory_storage_new(NULL, &store), 0);
    test_ledger_now = (archase_instant)D("2026-03-05") * 86400;
    fixture l;
    memset(&l, 0, sizeof l);
    fixture *f = &l;
    assert_int_equal(test_ledger_open(f, &ledger, NULL, &store), 0);
    opened(f, 1000);
    test_stored_copy c;
    test_stored_copy_get(&store, ARCHASE_FAMILY_DISPUTE, "D-1", &c);
    test_stored_copy_put_cut(&store, &c, c.rec.size / 2);
    seen s;
    memset(&s, 0, sizeof s);
    test_says(f, archase_disputes_scan(f->eng, f->policy, NULL, 0, D("2026-03-05"), see, &s), ARCHASE_ESTORAGE,
              "the stored dispute 'D-1' cannot be decoded");
    assert_int_equal(s.count, 0);
    test_says(f, archase_dispute_report(f->eng, f->policy, D("2026-03-05"), count_row, &s), ARCHASE_ESTORAGE,
              "the stored dispute 'D-1' cannot be decoded");
    assert_int_equal(s.count, 0);
    archase_dispute_change ch = ARCHASE_DISPUTE_CHANGE_INIT;
    ch.id = "D-1";
    ch.by = "anna";
    ch.status = ARCHASE_DISPUTE_IN_REVIEW;
    uint64_t before = test_audit_size(f->eng);
    assert_int_equal(archase_dispute_update(f->eng, f->policy, &ch, D("2026-03-06")), ARCHASE_ESTORAGE);
    archase_dispute_outcome o = outcome("D-1", ARCHASE_RESOLUTION_REJECTED, 0);
    assert_int_equal(archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-06"), NULL, NULL), ARCHASE_ESTORAGE);
    assert_int_equal(test_audit_size(f->eng), before);
    /* whole again: it reads as before */
    assert_int_equal(store.put(store.userdata, &c.rec), 0);
    assert_int_equal(standing(f, "2026-03-05").count, 1);
    assert_int_equal(archase_dispute_report(f->eng, f->policy, D("2026-03-05"), count_row, &s), 0);
    assert_int_equal(s.count, 3); /* by reason, owner and age */
    test_ledger_close(f);
}

/* ---- storage failing ----------------------------------------------------------------------------- */

static void a_failing_storage_call_leaves_a_review_undone(void **state) {
    (void)state;
    test_fault_round fr;
    for (test_fault_start(&fr, &ledger); test_fault_next(&fr);) {
        fixture *f = &fr.l;
        opened(f, 1000);
        uint64_t before = test_audit_size(f->eng);
        archase_dispute_change ch = ARCHASE_DISPUTE_CHANGE_INIT;
        ch.id = "D-1";
        ch.by = "anna";
        ch.status = ARCHASE_DISPUTE_IN_REVIEW;
        ch.owner = "lena";
        test_fault_arm(&fr);
        int rc = archase_dispute_update(f->eng, f->policy, &ch, D("2026-03-06"));
        int failed = test_fault_disarm(&fr);
        seen s = standing(f, "2026-03-06");
        if (failed) {
            assert_int_equal(rc, ARCHASE_ESTORAGE);
            assert_int_equal(s.status, ARCHASE_DISPUTE_OPEN);
            assert_string_equal(s.owner, "sales_ops");
            assert_int_equal(test_audit_size(f->eng), before);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(s.status, ARCHASE_DISPUTE_IN_REVIEW);
            assert_string_equal(s.owner, "lena");
            assert_int_equal(test_audit_size(f->eng), before + 2);
        }
    }
}

static void a_failing_storage_call_raises_no_credit_approval(void **state) {
    (void)state;
    test_fault_round fr;
    for (test_fault_start(&fr, &ledger); test_fault_next(&fr);) {
        fixture *f = &fr.l;
        opened(f, 30000);
        uint64_t before = test_audit_size(f->eng);
        archase_dispute_outcome o = outcome("D-1", ARCHASE_RESOLUTION_CREDIT_ISSUED, 30000);
        char id[ARCHASE_APPROVAL_ID_MAX] = "";
        int pending = -1;
        test_fault_arm(&fr);
        int rc = archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-06"), id, &pending);
        int failed = test_fault_disarm(&fr);
        seen s = standing(f, "2026-03-06");
        if (failed) {
            assert_int_equal(rc, ARCHASE_ESTORAGE);
            assert_int_equal(pending, -1);
            assert_string_equal(s.pending, "");
            assert_int_equal(test_audit_size(f->eng), before);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(pending, 1);
            assert_string_equal(s.pending, id);
        }
        assert_int_equal(s.status, ARCHASE_DISPUTE_OPEN);
    }
}

static void a_failing_storage_call_leaves_an_approved_credit_unissued(void **state) {
    (void)state;
    test_fault_round fr;
    for (test_fault_start(&fr, &ledger); test_fault_next(&fr);) {
        fixture *f = &fr.l;
        opened(f, 30000);
        archase_dispute_outcome o = outcome("D-1", ARCHASE_RESOLUTION_CREDIT_ISSUED, 30000);
        char id[ARCHASE_APPROVAL_ID_MAX] = "";
        ask(f, &o, "2026-03-06", id);
        test_approval_approve(f, id, "price list error confirmed");
        uint64_t before = test_audit_size(f->eng);
        test_fault_arm(&fr);
        int rc = archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-07"), NULL, NULL);
        int failed = test_fault_disarm(&fr);
        seen s = standing(f, "2026-03-07");
        request r = test_approval_copy_get(f, id);
        if (failed) {
            assert_int_equal(rc, ARCHASE_ESTORAGE);
            assert_int_equal(s.status, ARCHASE_DISPUTE_OPEN);
            assert_string_equal(s.pending, id);
            assert_int_equal(r.status, ARCHASE_APPROVAL_APPROVED);
            assert_int_equal(test_open_amount(f, "INV-1"), 100000);
            assert_int_equal(test_audit_size(f->eng), before);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(s.status, ARCHASE_DISPUTE_RESOLVED);
            assert_int_equal(r.status, ARCHASE_APPROVAL_DISPATCHED);
            assert_int_equal(test_open_amount(f, "INV-1"), 70000);
        }
    }
}

static void a_failing_storage_call_fails_the_scan_with_its_error(void **state) {
    (void)state;
    test_fault_round fr;
    for (test_fault_start(&fr, &ledger); test_fault_next(&fr);) {
        fixture *f = &fr.l;
        archase_dispute d = test_dispute("D-1", "pricing", 1000);
        test_dispute_open(f, &d, "2026-03-05");
        d = test_dispute("D-2", "tax", 1000);
        test_dispute_open(f, &d, "2026-03-05");
        d = test_dispute("D-3", "damaged_goods", 1000);
        test_dispute_open(f, &d, "2026-03-05");
        seen s;
        memset(&s, 0, sizeof s);
        test_fault_arm(&fr);
        int rc = archase_disputes_scan(f->eng, f->policy, NULL, 0, D("2026-03-05"), see, &s);
        if (test_fault_disarm(&fr)) {
            assert_int_equal(rc, ARCHASE_ESTORAGE);
        } else {
            assert_int_equal(rc, 0);
            assert_string_equal(s.ids, "D-1;D-2;D-3;");
        }
    }
}

static int replaced_credit_with(const archase_allocator *a, void *ctx) {
    (void)ctx;
    fixture l;
    memset(&l, 0, sizeof l);
    fixture *f = &l;
    test_ledger_now = (archase_instant)D("2026-03-05") * 86400;
    int rc = test_ledger_open(f, &ledger, a, NULL);
    archase_dispute d = test_dispute("D-1", "pricing", 30000);
    d.invoice_ids = both;
    d.invoice_count = 2;
    if (!rc)
        rc = archase_dispute_open(f->eng, f->policy, &d, D("2026-03-05"));
    archase_dispute_outcome o = outcome("D-1", ARCHASE_RESOLUTION_CREDIT_ISSUED, 30000);
    char id[ARCHASE_APPROVAL_ID_MAX] = "";
    int pending = 0;
    if (!rc)
        rc = archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-06"), id, &pending);
    if (!rc)
        rc = test_approval_approve_rc(f, id, "confirmed");
    if (!rc)
        rc = test_ledger_payment(f->eng, "PAY-1", "ACME", "INV-1", "2026-03-06", 10000, "EUR", NULL, 0);
    if (!rc) {
        rc = archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-07"), id, &pending);
        if (rc == ARCHASE_EDENIED)
            rc = 0;
        else if (!rc)
            fail_msg("a voided approval resolved the dispute");
    }
    if (!rc) {
        rc = archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-07"), id, &pending);
        if (rc == ARCHASE_EDENIED)
            fail_msg("the replacement was not waited for: %s", archase_engine_errmsg(f->eng));
        if (!rc && !pending)
            fail_msg("the replacement was not waited for");
    }
    test_ledger_close(f);
    return rc;
}

static void a_replaced_credit_approval_survives_every_allocation_failure(void **state) {
    (void)state;
    assert_true(failalloc_loop(replaced_credit_with, NULL, NULL) > 20);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(each_wrong_field_of_an_opening_is_named_and_nothing_is_written, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(an_opening_keeps_its_own_date_and_owner_and_the_same_again_changes_nothing, setup,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_batch_open_on_the_engine_refuses_every_change, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(each_wrong_field_of_a_change_is_named_and_nothing_is_written, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(changes_are_recorded_with_what_they_did, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(each_wrong_field_of_an_outcome_is_named_and_nothing_is_written, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_credit_above_what_is_still_open_is_refused_and_nothing_is_credited, setup,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_credit_over_two_invoices_takes_the_first_in_full_then_the_rest, setup,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(credits_within_the_limit_stop_when_covered_and_skip_invoices_paid_meanwhile, setup,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_credit_approval_names_its_invoices_once_in_order_with_the_given_justification,
                                    setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_rejected_credit_approval_refuses_the_resolution_and_the_dispute_stays_open, setup,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_lapsed_credit_approval_refuses_the_resolution, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_credit_approval_voided_by_new_facts_is_replaced_and_the_new_one_waited_for, setup,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_scan_stops_when_asked_and_refuses_what_it_cannot_answer, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(an_sla_of_the_collectors_role_goes_to_the_collector_else_the_owner_else_unassigned,
                                    setup, test_ledger_teardown),
    cmocka_unit_test(without_reminder_days_only_the_breach_is_sent),
    cmocka_unit_test(a_stored_dispute_that_cannot_be_decoded_is_a_storage_error_naming_it),
    cmocka_unit_test(a_failing_storage_call_leaves_a_review_undone),
    cmocka_unit_test(a_failing_storage_call_raises_no_credit_approval),
    cmocka_unit_test(a_failing_storage_call_leaves_an_approved_credit_unissued),
    cmocka_unit_test(a_failing_storage_call_fails_the_scan_with_its_error),
    cmocka_unit_test(a_replaced_credit_approval_survives_every_allocation_failure),
};

AR_TEST_MAIN(tests)
