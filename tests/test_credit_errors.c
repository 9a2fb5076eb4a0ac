/* tests/test_credit_errors.c — credit recommendations and the notice before
 * a hold, at their edges, through the public API: every refused argument
 * of a recommendation and a request, a customer without a limit, limits
 * lowered (by half the band or all of it for severe lateness, never below
 * the floor) and their request for the difference, a hold without a
 * notice template, which records count (issued later, paid more than a
 * year ago, promises by state and age, disputes resolved or opened later);
 * the notice's channel (consent, primary contacts, the template's
 * channels), its invoices (the limit's currency, open, issued by the day,
 * more than a page of them), drafts under review, and when it may go out
 * (quiet hours inside the day, a window that opens in quiet hours, a
 * holiday, a customer's unknown time zone, the policy's zone, guardrails
 * that never open); a stored contact that cannot be decoded; and storage
 * failing under a recommendation and under the withdrawal of a hold. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/failalloc.h"
#include "support/ledger.h"
#include "support/testutil.h"

#define POLICY_HEAD TEST_LEDGER_POLICY_HEAD TEST_LEDGER_POLICY_APPROVALS

#define NOTICE_TEMPLATE                                                                      \
    "templates:\n"                                                                           \
    "  definitions:\n"                                                                       \
    "    hold_notice:\n"                                                                     \
    "      sms: {en: {body: \"{{ totals.open_amount | money }} open: orders will be held.\"}}\n" \
    "      email: {en: {subject: \"Credit hold\",\n"                                         \
    "                   body: \"{{ totals.open_amount | money }} open, {{ totals.overdue_amount | money }} overdue, {{ totals.invoice_count }} invoices, first {{ invoice.number }}.\"}}\n"

/* Quiet at lunch, Saturdays in the window but not business days, a
 * holiday on Wednesday 11 March. */
static const char policy_text[] =
    POLICY_HEAD
    "calendars:\n"
    "  default: {holidays: [2026-03-11]}\n"
    "guardrails:\n"
    "  quiet_hours: {start: \"12:00\", end: \"13:00\"}\n"
    "  send_window: {start: \"08:00\", end: \"18:00\", days: [mon, tue, wed, thu, fri, sat]}\n"
    "credit:\n"
    "  min_limit: [850 EUR]\n"
    "  max_lower_percent: 40\n"
    "  hold_broken_promises: 2\n"
    "  notice_days: 7\n"
    "  notice_template: hold_notice\n"
    NOTICE_TEMPLATE;

/* Quiet until 09:00, in Berlin unless the customer says otherwise; drafts. */
static const char berlin_text[] =
    POLICY_HEAD
    "guardrails:\n"
    "  timezone: Europe/Berlin\n"
    "  quiet_hours: {start: \"19:00\", end: \"09:00\"}\n"
    "  send_window: {start: \"08:00\", end: \"18:00\"}\n"
    "delivery: {review: review}\n"
    "credit:\n"
    "  notice_days: 7\n"
    "  notice_template: hold_notice\n"
    NOTICE_TEMPLATE;

/* Quiet from 07:00 to 06:00 the next day: never a minute to send. */
static const char never_text[] =
    POLICY_HEAD
    "guardrails:\n"
    "  quiet_hours: {start: \"07:00\", end: \"06:00\"}\n"
    "credit:\n"
    "  notice_days: 7\n"
    "  notice_template: hold_notice\n"
    NOTICE_TEMPLATE;

/* No notice: a hold is an approval like any other; no hold for broken promises. */
static const char plain_text[] =
    POLICY_HEAD
    "credit:\n"
    "  hold_broken_promises: 0\n"
    "  max_limit: [1000 EUR]\n";

/* ACME: a limit of 1000.00 EUR, 1500.00 EUR open (150%): a hold. */
static const test_ledger_spec ledger = { policy_text, "carl", "anna", "olaf", 100000, 100000, 50000, &test_ledger_clock };
static const test_ledger_spec berlin = { berlin_text, "carl", "anna", "olaf", 100000, 100000, 50000, &test_ledger_clock };
static const test_ledger_spec never = { never_text, "carl", "anna", "olaf", 100000, 100000, 50000, &test_ledger_clock };
static const test_ledger_spec plain = { plain_text, "carl", "anna", "olaf", 100000, 100000, 50000, &test_ledger_clock };
/* ACME with 300.00 EUR open of its 1000.00: no hold. */
static const test_ledger_spec small = { policy_text, "carl", "anna", "olaf", 100000, 20000, 10000, &test_ledger_clock };

typedef test_ledger fixture;

static archase_date D(const char *s) {
    return test_day(s);
}

static archase_instant at(const char *day, int hour, int minute) {
    return (archase_instant)D(day) * 86400 + hour * 3600 + minute * 60;
}

static int open_with(void **state, const test_ledger_spec *spec) {
    test_ledger_now = at("2026-03-10", 9, 0); /* a Tuesday */
    return test_ledger_setup(state, spec);
}

static int setup(void **state) {
    return open_with(state, &ledger);
}

static int put_contact(fixture *f, const char *id, int channel, int consent, int primary) {
    archase_contact c = ARCHASE_CONTACT_INIT;
    c.id = id;
    c.customer_id = "ACME";
    c.channel = channel;
    c.address = channel == ARCHASE_CHANNEL_EMAIL ? "ap@acme.example" : "+49 30 1234";
    c.consent = consent;
    c.primary = primary;
    return archase_contact_put(f->eng, &c, NULL);
}

static int setup_with_contact(void **state, const test_ledger_spec *spec) {
    open_with(state, spec);
    assert_int_equal(put_contact(*state, "ACME-AP", ARCHASE_CHANNEL_EMAIL, 1, 0), 0);
    return 0;
}

static int setup_contact(void **state) {
    return setup_with_contact(state, &ledger);
}

static int setup_berlin(void **state) {
    return setup_with_contact(state, &berlin);
}

static int setup_never(void **state) {
    return setup_with_contact(state, &never);
}

static int setup_plain(void **state) {
    return open_with(state, &plain);
}

static int setup_small(void **state) {
    return setup_with_contact(state, &small);
}

static int recommend_rc(fixture *f, const char *customer, const char *as_of, archase_credit_recommendation *r) {
    memset(r, 0, sizeof *r);
    r->version = ARCHASE_CREDIT_RECOMMENDATION_VERSION;
    return archase_credit_recommend(f->eng, f->policy, customer, D(as_of), r);
}

static archase_credit_recommendation recommend(fixture *f, const char *as_of) {
    archase_credit_recommendation r;
    int rc = recommend_rc(f, "ACME", as_of, &r);
    if (rc)
        fail_msg("recommend: %s: %s", archase_error_name(rc), archase_engine_errmsg(f->eng));
    return r;
}

static int request(fixture *f, const archase_credit_recommendation *r, char id[ARCHASE_APPROVAL_ID_MAX]) {
    return archase_credit_request(f->eng, f->policy, "ACME", r, "carl", "over the limit for weeks, hold new orders", id,
                                  NULL);
}

typedef test_outbox_copy item;

static item notice(fixture *f, const char *id) {
    char key[96];
    snprintf(key, sizeof key, "credit_notice/%s#1", id);
    return test_outbox_copy_get(f->eng, key);
}

/* Asks for the hold at `now` and returns its notice. */
static item hold_at(fixture *f, archase_instant now, char id[ARCHASE_APPROVAL_ID_MAX]) {
    test_ledger_now = now;
    archase_credit_recommendation r = recommend(f, "2026-03-10");
    assert_int_equal(r.action, ARCHASE_CREDIT_HOLD);
    int rc = request(f, &r, id);
    if (rc)
        fail_msg("request: %s: %s", archase_error_name(rc), archase_engine_errmsg(f->eng));
    item n = notice(f, id);
    assert_true(n.found);
    return n;
}

/* ---- refused arguments ----------------------------------------------------------------------- */

static void names_of_every_action(void **state) {
    (void)state;
    assert_string_equal(archase_credit_action_name(ARCHASE_CREDIT_KEEP), "keep");
    assert_string_equal(archase_credit_action_name(ARCHASE_CREDIT_RAISE), "raise");
    assert_string_equal(archase_credit_action_name(ARCHASE_CREDIT_LOWER), "lower");
    assert_string_equal(archase_credit_action_name(ARCHASE_CREDIT_HOLD), "hold");
    assert_null(archase_credit_action_name(0));
    assert_null(archase_credit_action_name(ARCHASE_CREDIT_HOLD + 1));
}

static void a_recommendation_refuses_what_it_cannot_answer_and_writes_no_output(void **state) {
    fixture *f = *state;
    archase_credit_recommendation r;
    memset(&r, 0x5a, sizeof r);
    r.version = ARCHASE_CREDIT_RECOMMENDATION_VERSION;
    archase_credit_recommendation before = r;
    test_says(f, archase_credit_recommend(f->eng, NULL, "ACME", D("2026-03-10"), &r), ARCHASE_EINVAL, "needs a policy");
    test_says(f, archase_credit_recommend(f->eng, f->policy, NULL, D("2026-03-10"), &r), ARCHASE_EINVAL, "a customer id");
    test_says(f, archase_credit_recommend(f->eng, f->policy, "ACME", ARCHASE_DATE_NONE, &r), ARCHASE_EINVAL, "a valid date");
    test_says(f, archase_credit_recommend(f->eng, f->policy, "ACME", D("2026-03-10"), NULL), ARCHASE_EINVAL, "an output");
    assert_int_equal(archase_credit_recommend(NULL, f->policy, "ACME", D("2026-03-10"), &r), ARCHASE_EINVAL);
    test_says(f, archase_credit_recommend(f->eng, f->policy, "NOBODY", D("2026-03-10"), &r), ARCHASE_ENOTFOUND,
              "no customer 'NOBODY'");
    assert_memory_equal(&r, &before, sizeof r);
    r.version = 2;
    test_says(f, archase_credit_recommend(f->eng, f->policy, "ACME", D("2026-03-10"), &r), ARCHASE_EVERSION,
              "credit recommendation version 2");
}

static void a_request_refuses_what_it_cannot_raise_and_writes_nothing(void **state) {
    fixture *f = *state;
    archase_credit_recommendation r = recommend(f, "2026-03-10");
    assert_int_equal(r.action, ARCHASE_CREDIT_HOLD);
    uint64_t before = test_audit_size(f->eng);
    char id[ARCHASE_APPROVAL_ID_MAX] = "untouched";
    test_says(f, archase_credit_request(f->eng, f->policy, "ACME", NULL, "carl", "why", id, NULL), ARCHASE_EINVAL,
              "needs a customer and a recommendation");
    test_says(f, archase_credit_request(f->eng, f->policy, NULL, &r, "carl", "why", id, NULL), ARCHASE_EINVAL,
              "needs a customer and a recommendation");
    assert_int_equal(archase_credit_request(NULL, f->policy, "ACME", &r, "carl", "why", id, NULL), ARCHASE_EINVAL);
    archase_credit_recommendation odd = r;
    odd.version = 5;
    test_says(f, archase_credit_request(f->eng, f->policy, "ACME", &odd, "carl", "why", id, NULL), ARCHASE_EINVAL,
              "needs a customer and a recommendation");
    odd = r;
    odd.effective_on = ARCHASE_DATE_NONE;
    test_says(f, archase_credit_request(f->eng, f->policy, "ACME", &odd, "carl", "why", id, NULL), ARCHASE_EINVAL,
              "needs its effective date");
    test_says(f, archase_credit_request(f->eng, f->policy, "ACME", &r, "carl", "why", NULL, NULL), ARCHASE_EINVAL,
              "room for the id");
    test_says(f, archase_credit_request(f->eng, f->policy, "GHOST", &r, "carl", "over the limit for weeks", id, NULL),
              ARCHASE_ENOTFOUND, "no customer 'GHOST'");
    archase_batch *b = NULL;
    assert_int_equal(archase_batch_begin(f->eng, NULL, NULL, &b), 0);
    test_says(f, request(f, &r, id), ARCHASE_ESTATE, "a batch is open");
    archase_batch_free(b);
    assert_string_equal(id, "untouched");
    assert_int_equal(test_approval_count(f), 0);
    assert_int_equal(test_audit_size(f->eng), before);
}

/* ---- the recommendation -------------------------------------------------------------------------- */

static void a_customer_without_a_limit_is_kept_with_the_reason(void **state) {
    fixture *f = *state;
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "NOLIMIT";
    c.name = "No Limit Ltd";
    assert_int_equal(archase_customer_put(f->eng, &c, NULL), 0);
    archase_credit_recommendation r;
    assert_int_equal(recommend_rc(f, "NOLIMIT", "2026-03-10", &r), 0);
    assert_int_equal(r.action, ARCHASE_CREDIT_KEEP);
    assert_int_equal(r.driver_count, 1);
    assert_string_equal(r.drivers[0].name, "no_limit_recorded");
    assert_int_equal(r.approval_action, 0);
    char id[ARCHASE_APPROVAL_ID_MAX];
    test_says(f, archase_credit_request(f->eng, f->policy, "NOLIMIT", &r, "carl", "why", id, NULL), ARCHASE_EINVAL,
              "a keep recommendation needs no approval");
}

/* `n` invoices of 100.00 EUR due on 2025-12-01, each paid `late` days after. */
static void paid_late(fixture *f, int n, int late) {
    for (int i = 0; i < n; i++) {
        char id[16], pid[16], day[16];
        snprintf(id, sizeof id, "OLD-%d", i);
        snprintf(pid, sizeof pid, "OP-%d", i);
        assert_int_equal(archase_date_format(D("2025-12-01") + late, day, sizeof day), 0);
        assert_int_equal(test_ledger_invoice(f->eng, id, "ACME", 10000, "2025-11-01", "2025-12-01"), 0);
        assert_int_equal(test_ledger_payment(f->eng, pid, "ACME", id, day, 10000, "EUR", NULL, 0), 0);
    }
}

static int take_amount(void *ud, const archase_approval_info *info) {
    *(int64_t *)ud = info->amount.minor;
    return 0;
}

static void late_payers_are_lowered_to_the_floor_and_the_request_asks_for_the_difference(void **state) {
    fixture *f = *state; /* 300.00 EUR open of 1000.00 */
    paid_late(f, 2, 40);
    archase_credit_recommendation r = recommend(f, "2026-03-10");
    assert_int_equal(r.action, ARCHASE_CREDIT_LOWER);
    assert_int_equal(r.recommended_limit.minor, 85000); /* 1000 - 40% / 2 is 800, below the floor */
    assert_int_equal(r.approval_action, ARCHASE_ACTION_CREDIT_LIMIT_DECREASE);
    int dir = 9;
    assert_int_equal(test_credit_driver(&r, "average_days_late", &dir), 40);
    assert_int_equal(dir, -1);
    char id[ARCHASE_APPROVAL_ID_MAX] = "";
    int created = 0;
    assert_int_equal(archase_credit_request(f->eng, f->policy, "ACME", &r, "carl", "pays forty days late, lower it",
                                            id, &created),
                     0);
    assert_int_equal(created, 1);
    int64_t amount = 0;
    assert_int_equal(archase_approval_get(f->eng, id, take_amount, &amount), 0);
    assert_int_equal(amount, 15000); /* what the limit goes down by */
    assert_false(notice(f, id).found); /* a lowering gives no notice */
}

static void a_floor_at_the_limit_keeps_it(void **state) {
    fixture *f = *state;
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "FLOOR";
    c.name = "Floor Ltd";
    c.credit_limit = (archase_money){ 85000, "EUR" }; /* the floor itself */
    assert_int_equal(archase_customer_put(f->eng, &c, NULL), 0);
    assert_int_equal(test_ledger_invoice(f->eng, "F-1", "FLOOR", 10000, "2025-11-01", "2025-12-01"), 0);
    assert_int_equal(test_ledger_payment(f->eng, "FP-1", "FLOOR", "F-1", "2026-02-20", 10000, "EUR", NULL, 0), 0);
    archase_credit_recommendation r;
    assert_int_equal(recommend_rc(f, "FLOOR", "2026-03-10", &r), 0);
    assert_int_equal(r.action, ARCHASE_CREDIT_KEEP);
    assert_int_equal(r.recommended_limit.minor, 85000);
    int dir = 0;
    assert_int_equal(test_credit_driver(&r, "average_days_late", &dir), 81);
    assert_int_equal(dir, -1);
}

/* Customer `id` called `name` with a limit of `limit` EUR minor units and
 * one invoice of 100.00 EUR due on 2025-12-01, paid in full on `paid_on`. */
static void paid_once(fixture *f, const char *id, const char *name, int64_t limit, const char *invoice,
                      const char *payment, const char *paid_on) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = id;
    c.name = name;
    c.credit_limit = (archase_money){ limit, "EUR" };
    assert_int_equal(archase_customer_put(f->eng, &c, NULL), 0);
    assert_int_equal(test_ledger_invoice(f->eng, invoice, id, 10000, "2025-11-01", "2025-12-01"), 0);
    assert_int_equal(test_ledger_payment(f->eng, payment, id, invoice, paid_on, 10000, "EUR", NULL, 0), 0);
}

static void late_payers_lose_half_the_band_and_very_late_ones_all_of_it_down_to_the_floor(void **state) {
    fixture *f = *state;
    paid_once(f, "MILD", "Mild Ltd", 1000000, "M-1", "MP-1", "2026-01-10");
    archase_credit_recommendation m;
    assert_int_equal(recommend_rc(f, "MILD", "2026-03-10", &m), 0);
    assert_int_equal(m.action, ARCHASE_CREDIT_LOWER);
    assert_int_equal(m.recommended_limit.minor, 800000); /* 10000 - 40% / 2 */
    paid_once(f, "SLOW", "Slow Ltd", 1000000, "S-1", "SP-1", "2026-02-10");
    archase_credit_recommendation r;
    assert_int_equal(recommend_rc(f, "SLOW", "2026-03-10", &r), 0);
    assert_int_equal(r.action, ARCHASE_CREDIT_LOWER);
    assert_int_equal(r.recommended_limit.minor, 600000); /* 10000 - 40% */
    paid_once(f, "SLOWER", "Slower Ltd", 100000, "S-2", "SP-2", "2026-02-10");
    assert_int_equal(recommend_rc(f, "SLOWER", "2026-03-10", &r), 0);
    assert_int_equal(r.action, ARCHASE_CREDIT_LOWER);
    assert_int_equal(r.recommended_limit.minor, 85000); /* 600.00 would be below the floor */
}

static void only_the_records_of_the_window_count(void **state) {
    fixture *f = *state; /* 300.00 EUR open of 1000.00 */
    /* issued after the day: not exposure; paid more than a year ago: not history */
    assert_int_equal(test_ledger_invoice(f->eng, "LATER", "ACME", 500000, "2026-03-20", "2026-04-20"), 0);
    assert_int_equal(test_ledger_invoice(f->eng, "ANCIENT", "ACME", 10000, "2024-11-01", "2024-12-01"), 0);
    assert_int_equal(test_ledger_payment(f->eng, "AP-1", "ACME", "ANCIENT", "2025-02-01", 10000, "EUR", NULL, 0), 0);
    /* paid on time, but only after the day asked about */
    assert_int_equal(test_ledger_invoice(f->eng, "FUTURE-PAID", "ACME", 10000, "2026-01-01", "2026-02-01"), 0);
    assert_int_equal(test_ledger_payment(f->eng, "FP-1", "ACME", "FUTURE-PAID", "2026-03-15", 10000, "EUR", NULL, 0), 0);
    /* a dispute resolved, one opened after the day */
    archase_dispute d = test_dispute("D-1", "pricing", 1000);
    assert_int_equal(archase_dispute_open(f->eng, f->policy, &d, D("2026-03-01")), 0);
    archase_dispute_outcome o = ARCHASE_DISPUTE_OUTCOME_INIT;
    o.id = "D-1";
    o.resolution = ARCHASE_RESOLUTION_REJECTED;
    o.root_cause = "no_fault";
    o.by = "anna";
    assert_int_equal(archase_dispute_resolve(f->eng, f->policy, &o, D("2026-03-02"), NULL, NULL), 0);
    d.id = "D-2";
    assert_int_equal(archase_dispute_open(f->eng, f->policy, &d, D("2026-03-12")), 0);
    archase_credit_recommendation r = recommend(f, "2026-03-10");
    int dir = 0;
    assert_int_equal(r.exposure.minor, 30000); /* INV-1 and INV-2 only */
    assert_int_equal(test_credit_driver(&r, "paid_invoices_12m", &dir), 0);
    assert_int_equal(test_credit_driver(&r, "open_disputes", &dir), 0);
    assert_int_equal(dir, 0);
    assert_int_equal(r.action, ARCHASE_CREDIT_KEEP);
}

static const char *const inv1_only[] = { "INV-1" };

static void promise(fixture *f, const char *id, const char *recorded, const char *promised, int64_t minor) {
    archase_promise p = ARCHASE_PROMISE_INIT;
    p.id = id;
    p.customer_id = "ACME";
    p.invoice_ids = inv1_only;
    p.invoice_count = 1;
    p.amount = (archase_money){ minor, "EUR" };
    p.promised_date = D(promised);
    p.taken_by = "anna";
    p.grace_days = 0;
    int rc = archase_promise_record(f->eng, f->policy, &p, D(recorded));
    if (rc)
        fail_msg("promise %s: %s", id, archase_engine_errmsg(f->eng));
}

static void promises_count_by_state_and_age(void **state) {
    fixture *f = *state; /* the plain policy: no hold for broken promises, a ceiling of 1000.00 */
    /* broken four months before the day asked about: counts for the kept rate, not as recently broken */
    promise(f, "P-OLD", "2026-02-02", "2026-02-10", 1000);
    assert_int_equal(archase_lifecycle_update(f->eng, f->policy, D("2026-02-12"), NULL), 0);
    /* kept */
    promise(f, "P-KEPT", "2026-03-01", "2026-03-10", 1000);
    assert_int_equal(test_ledger_payment(f->eng, "PK", "ACME", "INV-1", "2026-03-09", 1000, "EUR", NULL, 0), 0);
    assert_int_equal(archase_lifecycle_update(f->eng, f->policy, D("2026-03-11"), NULL), 0);
    /* partially kept */
    promise(f, "P-HALF", "2026-04-01", "2026-04-10", 10000);
    assert_int_equal(test_ledger_payment(f->eng, "PH", "ACME", "INV-1", "2026-04-09", 9000, "EUR", NULL, 0), 0);
    assert_int_equal(archase_lifecycle_update(f->eng, f->policy, D("2026-04-12"), NULL), 0);
    /* cancelled */
    promise(f, "P-GONE", "2026-05-01", "2026-05-09", 1000);
    assert_int_equal(archase_promise_cancel(f->eng, "P-GONE", "the customer disputes the invoice", D("2026-05-02")), 0);
    /* broken last week */
    promise(f, "P-NEW", "2026-06-01", "2026-06-05", 1000);
    assert_int_equal(archase_lifecycle_update(f->eng, f->policy, D("2026-06-06"), NULL), 0);
    archase_credit_recommendation r = recommend(f, "2026-06-15");
    int dir = 0;
    assert_int_equal(test_credit_driver(&r, "broken_promises_90d", &dir), 1);
    assert_int_equal(dir, -1);
    assert_int_equal(test_credit_driver(&r, "promises_kept_percent", &dir), 25); /* 1 of old, kept, half, new */
    assert_int_equal(dir, -1);
    assert_int_equal(r.action, ARCHASE_CREDIT_HOLD); /* 1400.00 open of 1000.00 */
    assert_int_equal(r.exposure.minor, 140000);
}

static void two_promises_broken_in_ninety_days_put_a_customer_on_hold_whatever_it_owes(void **state) {
    fixture *f = *state; /* 300.00 EUR open of 1000.00; hold_broken_promises: 2 */
    promise(f, "P-1", "2026-03-01", "2026-03-02", 1000);
    assert_int_equal(archase_lifecycle_update(f->eng, f->policy, D("2026-03-03"), NULL), 0);
    promise(f, "P-2", "2026-03-03", "2026-03-04", 1000);
    assert_int_equal(archase_lifecycle_update(f->eng, f->policy, D("2026-03-06"), NULL), 0);
    archase_credit_recommendation r = recommend(f, "2026-03-10");
    assert_int_equal(r.action, ARCHASE_CREDIT_HOLD);
    assert_int_equal(r.utilisation_percent, 30);
    assert_int_equal(r.effective_on, D("2026-03-17"));
    assert_string_equal(r.notice_template, "hold_notice");
    int dir = 0;
    assert_int_equal(test_credit_driver(&r, "broken_promises_90d", &dir), 2);
    assert_int_equal(dir, -1);
    assert_int_equal(test_credit_driver(&r, "promises_kept_percent", &dir), 0);
    assert_int_equal(dir, -1);
}

/* Three invoices paid on time and a kept promise; `open` EUR minor open. */
static void punctual(fixture *f, int64_t open) {
    paid_late(f, 3, 0);
    promise(f, "P-1", "2026-02-20", "2026-02-25", 1000);
    assert_int_equal(test_ledger_payment(f->eng, "PK", "ACME", "INV-1", "2026-02-24", 1000, "EUR", NULL, 0), 0);
    assert_int_equal(archase_lifecycle_update(f->eng, f->policy, D("2026-02-27"), NULL), 0);
    /* what is open beyond INV-1 and INV-2 (1000.00 + 500.00, less 10.00 paid) */
    if (open)
        assert_int_equal(test_ledger_invoice(f->eng, "MORE", "ACME", open, "2026-03-01", "2026-03-31"), 0);
}

/* ACME again, as revision 1, with a limit of `limit` EUR minor units and
 * no collector or owner. */
static void acme_with_limit(fixture *f, int64_t limit) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "ACME";
    c.revision = 1;
    c.name = "ACME GmbH";
    c.credit_limit = (archase_money){ limit, "EUR" };
    assert_int_equal(archase_customer_put(f->eng, &c, NULL), 0);
}

static void a_punctual_customer_near_its_limit_is_raised_without_a_ceiling_and_kept_at_one(void **state) {
    fixture *f = *state; /* the plain policy: a ceiling of 1000.00 EUR, ACME's limit */
    acme_with_limit(f, 250000);
    punctual(f, 50000); /* 1990.00 open of 2500.00: 79% */
    archase_credit_recommendation r = recommend(f, "2026-03-10");
    int dir = 0;
    assert_int_equal(test_credit_driver(&r, "promises_kept_percent", &dir), 100);
    assert_int_equal(dir, 1);
    assert_int_equal(test_credit_driver(&r, "average_days_late", &dir), 0);
    assert_int_equal(dir, 1);
    assert_int_equal(r.utilisation_percent, 79);
    /* the ceiling (1000.00) is below the limit: it stays */
    assert_int_equal(r.action, ARCHASE_CREDIT_KEEP);
    assert_int_equal(r.recommended_limit.minor, 250000);
}

static void a_punctual_customer_near_its_limit_is_raised_to_its_target_utilisation(void **state) {
    fixture *f = *state; /* no ceiling in this policy */
    acme_with_limit(f, 250000);
    punctual(f, 30000); /* 1790.00 open of 2500.00: 71% */
    archase_credit_recommendation r = recommend(f, "2026-03-10");
    assert_int_equal(r.utilisation_percent, 71);
    assert_int_equal(r.action, ARCHASE_CREDIT_RAISE);
    assert_int_equal(r.recommended_limit.minor, 255714); /* 1790.00 / 70% */
    assert_int_equal(r.approval_action, 0);
}

static void a_broken_promise_lowers_by_half_the_band_without_a_floor(void **state) {
    fixture *f = *state; /* the plain policy: no floor, no hold for promises */
    acme_with_limit(f, 1000000);
    promise(f, "P-1", "2026-03-01", "2026-03-03", 1000);
    assert_int_equal(archase_lifecycle_update(f->eng, f->policy, D("2026-03-06"), NULL), 0);
    archase_credit_recommendation r = recommend(f, "2026-03-10");
    assert_int_equal(r.action, ARCHASE_CREDIT_LOWER);
    assert_int_equal(r.recommended_limit.minor, 750000); /* 10000 - 50% / 2 */
}

static void a_hold_without_a_notice_template_is_a_plain_approval(void **state) {
    fixture *f = *state;
    archase_credit_recommendation r = recommend(f, "2026-03-10");
    assert_int_equal(r.action, ARCHASE_CREDIT_HOLD);
    assert_null(r.notice_template);
    char id[ARCHASE_APPROVAL_ID_MAX] = "";
    int created = 0;
    assert_int_equal(archase_credit_request(f->eng, f->policy, "ACME", &r, "carl", "over the limit for weeks", id,
                                            &created),
                     0);
    assert_int_equal(created, 1);
    assert_false(notice(f, id).found);
    assert_int_equal(test_approval_count(f), 1);
}

/* ---- the notice's channel and content --------------------------------------------------------------- */

static int take_contact_id(void *ud, const archase_outbox_item *it) {
    snprintf(ud, 32, "%s", it->contact_id ? it->contact_id : "");
    return 0;
}

static void the_notice_goes_to_the_primary_consented_contact_of_the_first_channel_the_template_has(void **state) {
    fixture *f = *state;
    assert_int_equal(put_contact(f, "A-MAIL", ARCHASE_CHANNEL_EMAIL, 0, 1), 0);  /* no consent */
    assert_int_equal(put_contact(f, "B-CALL", ARCHASE_CHANNEL_CALL, 1, 1), 0);   /* not a notice channel */
    assert_int_equal(put_contact(f, "C-SMS", ARCHASE_CHANNEL_SMS, 1, 0), 0);
    assert_int_equal(put_contact(f, "D-SMS", ARCHASE_CHANNEL_SMS, 1, 1), 0);     /* primary: chosen */
    assert_int_equal(put_contact(f, "E-SMS", ARCHASE_CHANNEL_SMS, 1, 0), 0);
    assert_int_equal(put_contact(f, "F-SMS", ARCHASE_CHANNEL_SMS, 1, 1), 0);     /* a second primary: the first stays */
    assert_int_equal(put_contact(f, "G-LETTER", ARCHASE_CHANNEL_LETTER, 1, 1), 0); /* the template has no letter */
    char id[ARCHASE_APPROVAL_ID_MAX];
    item n = hold_at(f, at("2026-03-10", 9, 0), id);
    assert_int_equal(n.channel, ARCHASE_CHANNEL_SMS);
    char contact[32] = "", key[96];
    snprintf(key, sizeof key, "credit_notice/%s#1", id);
    assert_int_equal(archase_outbox_get(f->eng, key, take_contact_id, contact), 0);
    assert_string_equal(contact, "D-SMS");
    assert_string_equal(n.subject, ""); /* SMS has no subject */
    assert_non_null(strstr(n.body, "1,500.00"));
    assert_int_equal(n.status, ARCHASE_OUTBOX_PENDING);
}

static void the_notice_lists_the_open_invoices_in_the_limits_currency_issued_by_the_day(void **state) {
    fixture *f = *state;
    assert_int_equal(put_contact(f, "B-SMS", ARCHASE_CHANNEL_SMS, 1, 1), 0);
    for (int i = 0; i < 9; i++) {
        char id[16];
        snprintf(id, sizeof id, "MORE-%d", i);
        archase_invoice inv = ARCHASE_INVOICE_INIT;
        inv.id = id;
        inv.customer_id = "ACME";
        inv.number = i == 0 ? "RE-2026-0001" : NULL;
        inv.issue_date = D("2026-03-01");
        inv.due_date = D("2026-03-31"); /* not overdue yet */
        inv.amount = (archase_money){ 1000, "EUR" };
        assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), 0);
    }
    archase_invoice usd = ARCHASE_INVOICE_INIT;
    usd.id = "USD-1";
    usd.customer_id = "ACME";
    usd.issue_date = D("2026-02-01");
    usd.due_date = D("2026-03-01");
    usd.amount = (archase_money){ 99900, "USD" };
    assert_int_equal(archase_invoice_put(f->eng, &usd, NULL), 0);
    assert_int_equal(test_ledger_invoice(f->eng, "PAID", "ACME", 5000, "2026-02-01", "2026-03-01"), 0);
    assert_int_equal(test_ledger_payment(f->eng, "PP", "ACME", "PAID", "2026-03-02", 5000, "EUR", NULL, 0), 0);
    assert_int_equal(test_ledger_invoice(f->eng, "NEXT", "ACME", 7000, "2026-03-20", "2026-04-20"), 0);
    char id[ARCHASE_APPROVAL_ID_MAX];
    item n = hold_at(f, at("2026-03-10", 9, 0), id);
    assert_int_equal(n.channel, ARCHASE_CHANNEL_EMAIL); /* e-mail comes before SMS */
    assert_string_equal(n.invoices, "INV-1;INV-2;MORE-0;MORE-1;MORE-2;MORE-3;MORE-4;MORE-5;MORE-6;MORE-7;MORE-8;");
    assert_non_null(strstr(n.body, "1,590.00 open"));
    assert_non_null(strstr(n.body, "1,500.00 overdue, 11 invoices"));
    char contact[32] = "";
    char key[96];
    snprintf(key, sizeof key, "credit_notice/%s#1", id);
    assert_int_equal(archase_outbox_get(f->eng, key, take_contact_id, contact), 0);
    assert_string_equal(contact, "ACME-AP");
}

static void a_customer_reachable_only_on_channels_the_template_lacks_gets_no_hold_request(void **state) {
    fixture *f = *state;
    assert_int_equal(put_contact(f, "LETTER", ARCHASE_CHANNEL_LETTER, 1, 1), 0);
    assert_int_equal(put_contact(f, "PORTAL", ARCHASE_CHANNEL_PORTAL, 1, 0), 0);
    archase_credit_recommendation r = recommend(f, "2026-03-10");
    uint64_t before = test_audit_size(f->eng);
    char id[ARCHASE_APPROVAL_ID_MAX];
    test_says(f, request(f, &r, id), ARCHASE_EINVAL, "no consented contact on a channel of notice template 'hold_notice'");
    assert_int_equal(test_approval_count(f), 0);
    assert_int_equal(test_audit_size(f->eng), before);
}

static void under_review_the_notice_is_a_draft_in_the_policys_zone(void **state) {
    fixture *f = *state;
    char id[ARCHASE_APPROVAL_ID_MAX];
    /* Tuesday 08:30 UTC is 09:30 in Berlin: inside the window, after the quiet hours */
    item n = hold_at(f, at("2026-03-10", 8, 30), id);
    assert_int_equal(n.status, ARCHASE_OUTBOX_DRAFT);
    assert_string_equal(n.zone, "Europe/Berlin");
    assert_int_equal(n.scheduled_at, at("2026-03-10", 8, 30));
    assert_int_equal(n.local_seconds, 9 * 3600 + 30 * 60);
    assert_false(n.quiet);
}

/* ---- when it may go out ----------------------------------------------------------------------------- */

static void a_notice_asked_for_at_lunch_goes_when_the_quiet_hour_ends(void **state) {
    fixture *f = *state;
    char id[ARCHASE_APPROVAL_ID_MAX];
    item n = hold_at(f, at("2026-03-10", 12, 30), id);
    assert_int_equal(n.scheduled_at, at("2026-03-10", 13, 0));
    assert_int_equal(n.local_date, D("2026-03-10"));
    assert_true(n.quiet);
    assert_false(n.window);
}

static void a_notice_asked_for_before_a_holiday_evening_goes_the_next_business_morning(void **state) {
    fixture *f = *state;
    char id[ARCHASE_APPROVAL_ID_MAX];
    item n = hold_at(f, at("2026-03-10", 18, 30), id); /* Wednesday the 11th is a holiday */
    assert_int_equal(n.scheduled_at, at("2026-03-12", 8, 0));
    assert_true(n.window);
    assert_true(n.holiday);
}

static void a_notice_asked_for_on_a_saturday_waits_for_a_business_day(void **state) {
    fixture *f = *state;
    char id[ARCHASE_APPROVAL_ID_MAX];
    item n = hold_at(f, at("2026-03-14", 10, 0), id); /* in the window's days, not a business day */
    assert_int_equal(n.scheduled_at, at("2026-03-16", 8, 0));
    assert_true(n.holiday);
}

static void a_notice_asked_for_before_the_window_opens_in_quiet_hours_goes_when_they_end(void **state) {
    fixture *f = *state; /* Berlin: quiet until 09:00, the window from 08:00 */
    char id[ARCHASE_APPROVAL_ID_MAX];
    item n = hold_at(f, at("2026-03-10", 5, 0), id); /* 06:00 in Berlin */
    assert_int_equal(n.scheduled_at, at("2026-03-10", 8, 0)); /* 09:00 in Berlin */
    assert_int_equal(n.local_seconds, 9 * 3600);
    assert_true(n.quiet);
}

static void a_customer_in_an_unknown_zone_is_scheduled_in_the_policys_with_the_reason(void **state) {
    fixture *f = *state;
    test_ledger_move_acme(f, &ledger, "Atlantis/Poseidonia");
    char id[ARCHASE_APPROVAL_ID_MAX];
    item n = hold_at(f, at("2026-03-10", 9, 0), id);
    assert_string_equal(n.zone, "UTC");
    assert_true(n.zone_unknown);
    assert_int_equal(n.scheduled_at, at("2026-03-10", 9, 0));
}

static void guardrails_that_never_open_still_schedule_the_notice_with_the_reason(void **state) {
    fixture *f = *state;
    char id[ARCHASE_APPROVAL_ID_MAX];
    item n = hold_at(f, at("2026-03-10", 9, 0), id);
    assert_true(n.quiet);
    assert_int_equal(n.scheduled_at, at("2026-03-10", 9, 0)); /* past the horizon, the rules give way */
}

/* ---- withdrawal and what is read back ------------------------------------------------------------------ */

static void a_hold_asked_for_a_customer_who_owes_little_is_withdrawn_at_the_next_move(void **state) {
    fixture *f = *state; /* 300.00 EUR open of 1000.00 */
    archase_credit_recommendation r = recommend(f, "2026-03-10");
    assert_int_equal(r.action, ARCHASE_CREDIT_KEEP);
    /* a host asking for a hold anyway, from a recommendation it made up */
    r.action = ARCHASE_CREDIT_HOLD;
    r.approval_action = ARCHASE_ACTION_CREDIT_HOLD;
    r.effective_on = D("2026-03-17");
    char id[ARCHASE_APPROVAL_ID_MAX];
    assert_int_equal(request(f, &r, id), 0);
    assert_true(notice(f, id).found);
    archase_lifecycle_counts c = { ARCHASE_LIFECYCLE_COUNTS_VERSION, 0, 0, 0, 0, 0, 0, 0 };
    assert_int_equal(archase_lifecycle_update(f->eng, f->policy, D("2026-03-10"), &c), 0);
    assert_int_equal(c.transitions, 1);
    assert_int_equal(notice(f, id).status, ARCHASE_OUTBOX_CANCELLED);
}

static void a_hold_for_a_customer_whose_limit_was_removed_is_withdrawn(void **state) {
    fixture *f = *state;
    char id[ARCHASE_APPROVAL_ID_MAX];
    hold_at(f, at("2026-03-10", 9, 0), id);
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "ACME";
    c.revision = 1;
    c.name = "ACME GmbH";
    c.collector = "anna";
    c.owner = "olaf";
    assert_int_equal(archase_customer_put(f->eng, &c, NULL), 0); /* no limit any more */
    archase_lifecycle_counts n = { ARCHASE_LIFECYCLE_COUNTS_VERSION, 0, 0, 0, 0, 0, 0, 0 };
    assert_int_equal(archase_lifecycle_update(f->eng, f->policy, D("2026-03-11"), &n), 0);
    assert_int_equal(n.transitions, 1);
    assert_int_equal(notice(f, id).status, ARCHASE_OUTBOX_CANCELLED);
}

static void a_draft_notice_is_cancelled_with_its_withdrawn_hold(void **state) {
    fixture *f = *state; /* under review: the notice is a draft */
    char id[ARCHASE_APPROVAL_ID_MAX];
    item n = hold_at(f, at("2026-03-10", 9, 0), id);
    assert_int_equal(n.status, ARCHASE_OUTBOX_DRAFT);
    assert_int_equal(test_ledger_payment(f->eng, "PAY-1", "ACME", "INV-1", "2026-03-11", 60000, "EUR", NULL, 0), 0);
    uint64_t before = test_audit_size(f->eng);
    archase_lifecycle_counts c = { ARCHASE_LIFECYCLE_COUNTS_VERSION, 0, 0, 0, 0, 0, 0, 0 };
    assert_int_equal(archase_lifecycle_update(f->eng, f->policy, D("2026-03-12"), &c), 0);
    assert_int_equal(c.transitions, 1);
    assert_int_equal(notice(f, id).status, ARCHASE_OUTBOX_CANCELLED);
    assert_int_equal(test_audit_size(f->eng), before + 2);
}

static void a_stored_contact_that_cannot_be_decoded_stops_the_request(void **state) {
    (void)state;
    archase_storage store;
    assert_int_equal(archase_memory_storage_new(NULL, &store), 0);
    test_ledger_now = at("2026-03-10", 9, 0);
    fixture l;
    memset(&l, 0, sizeof l);
    fixture *f = &l;
    assert_int_equal(test_ledger_open(f, &ledger, NULL, &store), 0);
    assert_int_equal(put_contact(f, "ACME-AP", ARCHASE_CHANNEL_EMAIL, 1, 0), 0);
    test_stored_copy c;
    test_stored_copy_get(&store, ARCHASE_FAMILY_CONTACT, "ACME-AP", &c);
    test_stored_copy_put_cut(&store, &c, c.rec.size - 1);
    archase_credit_recommendation r = recommend(f, "2026-03-10");
    uint64_t before = test_audit_size(f->eng);
    char id[ARCHASE_APPROVAL_ID_MAX];
    test_says(f, request(f, &r, id), ARCHASE_ESTORAGE, "stored record 'ACME-AP' cannot be decoded");
    assert_int_equal(test_approval_count(f), 0);
    assert_int_equal(test_audit_size(f->eng), before);
    assert_int_equal(store.put(store.userdata, &c.rec), 0);
    assert_int_equal(request(f, &r, id), 0);
    test_ledger_close(f);
}

/* ---- storage failing ---------------------------------------------------------------------------------- */

static void a_failing_storage_call_fails_the_recommendation_and_writes_no_output(void **state) {
    (void)state;
    test_fault_round fr;
    for (test_fault_start(&fr, &ledger); test_fault_next(&fr);) {
        fixture *f = &fr.l;
        promise(f, "P-1", "2026-03-01", "2026-03-20", 1000);
        archase_credit_recommendation r;
        memset(&r, 0, sizeof r);
        r.version = ARCHASE_CREDIT_RECOMMENDATION_VERSION;
        test_fault_arm(&fr);
        int rc = archase_credit_recommend(f->eng, f->policy, "ACME", D("2026-03-10"), &r);
        if (test_fault_disarm(&fr)) {
            assert_int_equal(rc, ARCHASE_ESTORAGE);
            assert_int_equal(r.action, 0);
            assert_int_equal(r.driver_count, 0);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(r.action, ARCHASE_CREDIT_HOLD);
        }
    }
}

static void a_failing_storage_call_leaves_a_hold_to_withdraw_as_it_was(void **state) {
    (void)state;
    test_fault_round fr;
    for (test_fault_start(&fr, &ledger); test_fault_next(&fr);) {
        fixture *f = &fr.l;
        test_ledger_now = at("2026-03-10", 9, 0);
        assert_int_equal(put_contact(f, "ACME-AP", ARCHASE_CHANNEL_EMAIL, 1, 0), 0);
        char id[ARCHASE_APPROVAL_ID_MAX];
        hold_at(f, at("2026-03-10", 9, 0), id);
        assert_int_equal(test_ledger_payment(f->eng, "PAY-1", "ACME", "INV-1", "2026-03-11", 60000, "EUR", NULL, 0), 0);
        uint64_t before = test_audit_size(f->eng);
        archase_lifecycle_counts c = { ARCHASE_LIFECYCLE_COUNTS_VERSION, 0, 0, 0, 0, 0, 0, 0 };
        test_fault_arm(&fr);
        int rc = archase_lifecycle_update(f->eng, f->policy, D("2026-03-12"), &c);
        int failed = test_fault_disarm(&fr);
        item n = notice(f, id);
        if (failed) {
            assert_int_equal(rc, ARCHASE_ESTORAGE);
            assert_int_equal(n.status, ARCHASE_OUTBOX_PENDING);
            assert_int_equal(test_audit_size(f->eng), before);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(c.transitions, 1);
            assert_int_equal(n.status, ARCHASE_OUTBOX_CANCELLED);
            assert_int_equal(test_audit_size(f->eng), before + 2);
        }
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(names_of_every_action),
    cmocka_unit_test_setup_teardown(a_recommendation_refuses_what_it_cannot_answer_and_writes_no_output, setup,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_request_refuses_what_it_cannot_raise_and_writes_nothing, setup_contact,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_customer_without_a_limit_is_kept_with_the_reason, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(late_payers_are_lowered_to_the_floor_and_the_request_asks_for_the_difference,
                                    setup_small, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_floor_at_the_limit_keeps_it, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(late_payers_lose_half_the_band_and_very_late_ones_all_of_it_down_to_the_floor, setup,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(only_the_records_of_the_window_count, setup_small, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(promises_count_by_state_and_age, setup_plain, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(two_promises_broken_in_ninety_days_put_a_customer_on_hold_whatever_it_owes,
                                    setup_small, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_punctual_customer_near_its_limit_is_raised_without_a_ceiling_and_kept_at_one,
                                    setup_plain, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_punctual_customer_near_its_limit_is_raised_to_its_target_utilisation,
                                    setup_contact, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_broken_promise_lowers_by_half_the_band_without_a_floor, setup_plain,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_hold_without_a_notice_template_is_a_plain_approval, setup_plain,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(the_notice_goes_to_the_primary_consented_contact_of_the_first_channel_the_template_has,
                                    setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(the_notice_lists_the_open_invoices_in_the_limits_currency_issued_by_the_day,
                                    setup_contact, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_customer_reachable_only_on_channels_the_template_lacks_gets_no_hold_request, setup,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(under_review_the_notice_is_a_draft_in_the_policys_zone, setup_berlin,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_notice_asked_for_at_lunch_goes_when_the_quiet_hour_ends, setup_contact,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_notice_asked_for_before_a_holiday_evening_goes_the_next_business_morning,
                                    setup_contact, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_notice_asked_for_on_a_saturday_waits_for_a_business_day, setup_contact,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_notice_asked_for_before_the_window_opens_in_quiet_hours_goes_when_they_end,
                                    setup_berlin, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_customer_in_an_unknown_zone_is_scheduled_in_the_policys_with_the_reason,
                                    setup_contact, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(guardrails_that_never_open_still_schedule_the_notice_with_the_reason, setup_never,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_hold_asked_for_a_customer_who_owes_little_is_withdrawn_at_the_next_move,
                                    setup_small, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_hold_for_a_customer_whose_limit_was_removed_is_withdrawn, setup_contact,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_draft_notice_is_cancelled_with_its_withdrawn_hold, setup_berlin,
                                    test_ledger_teardown),
    cmocka_unit_test(a_stored_contact_that_cannot_be_decoded_stops_the_request),
    cmocka_unit_test(a_failing_storage_call_fails_the_recommendation_and_writes_no_output),
    cmocka_unit_test(a_failing_storage_call_leaves_a_hold_to_withdraw_as_it_was),
};

AR_TEST_MAIN(tests)
