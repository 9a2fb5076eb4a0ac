/* tests/test_cov_review.c — the review of drafts (copilot mode) at its
 * edges: every missing or wrong argument of approve, edit and reject with its
 * code and message, an item that is not a draft or not there, an edit whose
 * subject breaks the template rules, and every allocation failure of an edit;
 * after each refusal the draft is still a draft and the audit log did not
 * grow. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/failalloc.h"
#include "support/ledger.h"
#include "support/testutil.h"

#define DAY0 20484

static const char policy_text[] =
    TEST_POLICY_ONE_SEGMENT
    "      - {offset: 1, channel: email, template: overdue}\n"
    "call_queue: {enabled: false}\n"
    TEST_POLICY_ANY_TIME
    "templates:\n"
    "  definitions:\n"
    TEST_POLICY_OVERDUE_FIRM;

typedef struct fixture {
    archase_engine *eng;
    archase_policy *policy;
    archase_instant now;
    archase_clock   clock;
    char            draft[ARCHASE_IDEMPOTENCY_KEY_MAX];
} fixture;

static archase_instant fixed_now(void *userdata) {
    return *(archase_instant *)userdata;
}

static int note_draft(void *userdata, const archase_outbox_item *item) {
    fixture *f = userdata;
    snprintf(f->draft, sizeof f->draft, "%s", item->id);
    return 1;
}

/* A customer with a consented e-mail contact, an invoice a day overdue, and
 * the cycle of that day in review mode: one draft. */
static int open_fixture(fixture *f, const archase_allocator *a) {
    f->now = (archase_instant)(DAY0 + 1) * 86400 + 9 * 3600;
    f->clock = (archase_clock){ ARCHASE_CLOCK_VERSION, &f->now, fixed_now };
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    o.clock = &f->clock;
    o.allocator = a;
    int rc = archase_open_memory(&o, &f->eng);
    if (!rc && !f->policy)
        rc = archase_policy_load_buffer(policy_text, strlen(policy_text), "p.yaml", NULL, &f->policy, NULL);
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME";
    if (!rc)
        rc = archase_customer_put(f->eng, &c, NULL);
    archase_contact k = ARCHASE_CONTACT_INIT;
    k.id = "K1";
    k.customer_id = "C1";
    k.channel = ARCHASE_CHANNEL_EMAIL;
    k.address = "ap@acme.example";
    k.consent = 1;
    if (!rc)
        rc = archase_contact_put(f->eng, &k, NULL);
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = "I1";
    inv.customer_id = "C1";
    inv.number = "INV-1";
    inv.issue_date = DAY0 - 30;
    inv.due_date = DAY0;
    inv.amount = (archase_money){ 150000, "EUR" };
    if (!rc)
        rc = archase_invoice_put(f->eng, &inv, NULL);
    archase_cycle_options co = ARCHASE_CYCLE_OPTIONS_INIT;
    co.review = 1;
    co.dispatch = 0;
    archase_cycle_report rep;
    memset(&rep, 0, sizeof rep);
    rep.version = ARCHASE_CYCLE_REPORT_VERSION;
    if (!rc)
        rc = archase_run_cycle(f->eng, f->policy, DAY0 + 1, &co, &rep);
    f->draft[0] = '\0';
    if (!rc)
        rc = archase_outbox_scan(f->eng, ARCHASE_OUTBOX_DRAFT, note_draft, f);
    if (!rc && !f->draft[0])
        fail_msg("no draft: %d decisions, %d items", (int)rep.decisions, (int)rep.outbox_written);
    return rc;
}

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    int rc = open_fixture(f, NULL);
    if (rc)
        fail_msg("%s", archase_engine_errmsg(f->eng));
    f->now += 3600;
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    archase_engine_free(f->eng);
    archase_policy_free(f->policy);
    free(f);
    return 0;
}

typedef struct item_view {
    int  status;
    char subject[256], body[512], reviewer[64];
    int  edited;
} item_view;

static int view_fn(void *userdata, const archase_outbox_item *item) {
    item_view *v = userdata;
    v->status = item->status;
    v->edited = item->edited;
    snprintf(v->subject, sizeof v->subject, "%s", item->subject ? item->subject : "");
    snprintf(v->body, sizeof v->body, "%s", item->body ? item->body : "");
    snprintf(v->reviewer, sizeof v->reviewer, "%s", item->reviewer ? item->reviewer : "");
    return 0;
}

static item_view view(fixture *f) {
    item_view v;
    memset(&v, 0, sizeof v);
    assert_int_equal(archase_outbox_get(f->eng, f->draft, view_fn, &v), 0);
    return v;
}

/* The call returned `code` with `text` in the message; the draft is still a
 * draft, unchanged, and nothing was audited. */
static void refused(fixture *f, int line, int rc, int code, const char *text, const item_view *before,
                    uint64_t audit) {
    if (rc != code)
        fail_msg("line %d: expected %s, got %s (%s)", line, archase_error_name(code), archase_error_name(rc),
                 archase_engine_errmsg(f->eng));
    if (!strstr(archase_engine_errmsg(f->eng), text))
        fail_msg("line %d: expected \"%s\" in \"%s\"", line, text, archase_engine_errmsg(f->eng));
    item_view now = view(f);
    assert_memory_equal(&now, before, sizeof now);
    assert_int_equal(test_audit_size(f->eng), audit);
}

#define REFUSED(call, code, text) refused(f, __LINE__, call, code, text, &before, audit)

static void every_wrong_argument_is_refused_and_changes_nothing(void **state) {
    fixture *f = *state;
    item_view before = view(f);
    uint64_t audit = test_audit_size(f->eng);
    assert_int_equal(before.status, ARCHASE_OUTBOX_DRAFT);
    archase_review r = ARCHASE_REVIEW_INIT;
    r.reviewer = "rita";
    const char *id = f->draft;

    assert_int_equal(archase_review_approve(NULL, id, &r), ARCHASE_EINVAL);
    assert_int_equal(archase_review_edit(NULL, id, &r, "x", NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_review_reject(NULL, id, &r), ARCHASE_EINVAL);
    REFUSED(archase_review_approve(f->eng, NULL, &r), ARCHASE_EINVAL, "an outbox item id and a review are required");
    REFUSED(archase_review_approve(f->eng, "", &r), ARCHASE_EINVAL, "an outbox item id and a review are required");
    REFUSED(archase_review_approve(f->eng, id, NULL), ARCHASE_EINVAL, "an outbox item id and a review are required");
    r.version = 2;
    REFUSED(archase_review_approve(f->eng, id, &r), ARCHASE_EVERSION, "review version 2 is not 1");
    r.version = ARCHASE_REVIEW_VERSION;
    r.reviewer = NULL;
    REFUSED(archase_review_approve(f->eng, id, &r), ARCHASE_EINVAL, "the reviewer is required");
    r.reviewer = "";
    REFUSED(archase_review_edit(f->eng, id, &r, "x", NULL), ARCHASE_EINVAL, "the reviewer is required");
    r.reviewer = "rita";
    REFUSED(archase_review_reject(f->eng, id, &r), ARCHASE_EINVAL, "a note saying why is required to reject a draft");
    r.note = "";
    REFUSED(archase_review_reject(f->eng, id, &r), ARCHASE_EINVAL, "a note saying why is required");
    REFUSED(archase_review_edit(f->eng, id, &r, NULL, NULL), ARCHASE_EINVAL, "an edit needs a new subject or body");
    REFUSED(archase_review_approve(f->eng, "no-such-item", &r), ARCHASE_ENOTFOUND, "no-such-item");
    /* Texts that break the template rules, in the subject and in the body. */
    REFUSED(archase_review_edit(f->eng, id, &r, "About {{ customer.iban }}", NULL), ARCHASE_EPARSE,
            "the edited subject, at character");
    REFUSED(archase_review_edit(f->eng, id, &r, "About your account", "Dear {{ customer.name "), ARCHASE_EPARSE,
            "the edited body, at character");
    /* A batch open on the engine. */
    archase_batch *b = NULL;
    assert_int_equal(archase_batch_begin(f->eng, NULL, NULL, &b), 0);
    REFUSED(archase_review_approve(f->eng, id, &r), ARCHASE_ESTATE, "a batch or transaction is open on the engine");
    archase_batch_free(b);

    /* Approved once; then it is no draft. */
    r.note = NULL;
    assert_int_equal(archase_review_approve(f->eng, id, &r), 0);
    item_view after = view(f);
    assert_int_equal(after.status, ARCHASE_OUTBOX_PENDING);
    assert_string_equal(after.reviewer, "rita");
    assert_int_equal(test_audit_size(f->eng), audit + 1);
    before = after;
    audit = test_audit_size(f->eng);
    r.note = "too late";
    REFUSED(archase_review_reject(f->eng, id, &r), ARCHASE_ESTATE, "is not a draft waiting for review");
    REFUSED(archase_review_edit(f->eng, id, &r, "x", NULL), ARCHASE_ESTATE, "is not a draft waiting for review");
}

static void an_edit_renders_from_the_drafts_data(void **state) {
    fixture *f = *state;
    archase_review r = ARCHASE_REVIEW_INIT;
    r.reviewer = "rita";
    r.note = "friendlier";
    assert_int_equal(archase_review_edit(f->eng, f->draft, &r, "For {{ customer.name }}", NULL), 0);
    item_view v = view(f);
    assert_int_equal(v.status, ARCHASE_OUTBOX_PENDING);
    assert_int_equal(v.edited, 1);
    assert_string_equal(v.subject, "For ACME");
    assert_string_equal(v.body, "Dear ACME, \xe2\x82\xac" "1,500.00 is open.");
}

static void a_rejected_draft_is_cancelled_with_its_reason(void **state) {
    fixture *f = *state;
    uint64_t audit = test_audit_size(f->eng);
    archase_review r = ARCHASE_REVIEW_INIT;
    r.reviewer = "rita";
    r.note = "the customer paid by phone";
    assert_int_equal(archase_review_reject(f->eng, f->draft, &r), 0);
    item_view v = view(f);
    assert_int_equal(v.status, ARCHASE_OUTBOX_CANCELLED);
    assert_string_equal(v.reviewer, "rita");
    assert_int_equal(v.edited, 0);
    assert_int_equal(test_audit_size(f->eng), audit + 1);
    assert_int_equal(archase_review_approve(f->eng, f->draft, &r), ARCHASE_ESTATE);
}

/* ---- no memory ---------------------------------------------------------------- */

static void an_edit_survives_every_allocation_failure(void **state) {
    fixture *base = *state;
    int step = test_under_valgrind() ? 3 : 1;
    size_t runs = 0;
    for (int persistent = 1; persistent >= 0; persistent--) {
        for (size_t n = 1;; n += (size_t)step) {
            failalloc fa;
            failalloc_init(&fa);
            fixture f;
            memset(&f, 0, sizeof f);
            f.policy = base->policy;
            assert_int_equal(open_fixture(&f, &fa.allocator), 0);
            item_view before = view(&f);
            uint64_t audit = test_audit_size((&f)->eng);
            archase_review r = ARCHASE_REVIEW_INIT;
            r.reviewer = "rita";
            failalloc_arm(&fa, n, persistent);
            int rc = archase_review_edit(f.eng, f.draft, &r, "For {{ customer.name }}",
                                         "Dear {{ customer.name }}: {{ totals.open_amount | money }}");
            size_t failures = fa.failures;
            failalloc_arm(&fa, 0, 0);
            item_view after = view(&f);
            if (failures == 0) {
                assert_int_equal(rc, 0);
                assert_string_equal(after.body, "Dear ACME: \xe2\x82\xac" "1,500.00");
            } else {
                if (rc != ARCHASE_ENOMEM)
                    fail_msg("allocation %zu failing: %s: %s", n, archase_error_name(rc), archase_engine_errmsg(f.eng));
                assert_memory_equal(&after, &before, sizeof after);
                assert_int_equal(test_audit_size((&f)->eng), audit);
            }
            archase_engine_free(f.eng);
            assert_int_equal(fa.live, 0);
            runs++;
            if (!failures)
                break;
        }
    }
    assert_true(runs > 4);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
static const struct CMUnitTest tests[] = {
    T(every_wrong_argument_is_refused_and_changes_nothing),
    T(an_edit_renders_from_the_drafts_data),
    T(a_rejected_draft_is_cancelled_with_its_reason),
    T(an_edit_survives_every_allocation_failure),
};

AR_TEST_MAIN(tests)
