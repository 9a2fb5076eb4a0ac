/* tests/test_cov_approval.c — the approval calls' less travelled paths
 * through the public API: every field of a request that is refused, with
 * its code and message and nothing written; callbacks that stop or fail a
 * read; a request that lapsed before the same action was asked for again;
 * the sweep of lapsed requests and the override sample with their edge
 * cases; and every allocation failure of the reading, sweeping and sampling
 * calls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/failalloc.h"
#include "support/testutil.h"

#define DAY 86400

static const char policy_text[] =
    TEST_POLICY_OWNER_ALERT_APPROVALS
    "  roles: [finance_lead, controller]\n"
    "  expiry_days: 5\n"
    "  fast_lane:\n"
    "    max_amount: [100 EUR]\n"
    "    approvers: 1\n"
    "    roles: [collections_manager]\n"
    "    expiry_hours: 24\n";

typedef struct fixture {
    archase_engine *eng;
    archase_policy *policy;
    archase_instant now;
    archase_clock   clock;
    char            last[ARCHASE_APPROVAL_ID_MAX]; /* the last request prepare() raised */
} fixture;

static archase_instant fixed_now(void *userdata) {
    return *(archase_instant *)userdata;
}

static int open_fixture(fixture *f, const archase_allocator *a) {
    f->now = 1790812800; /* 2026-10-01T00:00:00Z */
    f->clock = (archase_clock){ ARCHASE_CLOCK_VERSION, &f->now, fixed_now };
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    o.clock = &f->clock;
    o.actor = "cycle";
    o.allocator = a;
    archase_policy_options po = ARCHASE_POLICY_OPTIONS_INIT;
    po.allocator = a;
    int rc = archase_open_memory(&o, &f->eng);
    if (!rc && !f->policy)
        rc = archase_policy_load_buffer(policy_text, strlen(policy_text), "p.yaml", &po, &f->policy, NULL);
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME";
    if (!rc)
        rc = archase_customer_put(f->eng, &c, NULL);
    const char *ids[] = { "I1", "I2" };
    for (int i = 0; i < 2 && !rc; i++) {
        archase_invoice inv = ARCHASE_INVOICE_INIT;
        inv.id = ids[i];
        inv.customer_id = "C1";
        inv.issue_date = 20454;
        inv.due_date = 20484;
        inv.amount = (archase_money){ 150000, "EUR" };
        rc = archase_invoice_put(f->eng, &inv, NULL);
    }
    return rc;
}

static void close_fixture(fixture *f) {
    archase_engine_free(f->eng);
    archase_policy_free(f->policy);
}

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(open_fixture(f, NULL), 0);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    close_fixture(f);
    free(f);
    return 0;
}

static const char *const i1[] = { "I1" };

static archase_approval_request write_off(void) {
    archase_approval_request r = ARCHASE_APPROVAL_REQUEST_INIT;
    r.action = ARCHASE_ACTION_WRITE_OFF;
    r.customer_id = "C1";
    r.invoice_ids = i1;
    r.invoice_count = 1;
    r.amount = (archase_money){ 150000, "EUR" };
    r.requester = "anna";
    r.justification = "customer insolvent, the administrator confirmed no dividend";
    r.customer_impact = "account closed; no further dunning";
    return r;
}

static archase_approval_request override(void) {
    archase_approval_request r = write_off();
    r.action = ARCHASE_ACTION_OVERRIDE;
    r.amount = (archase_money){ 0, "" };
    r.reason_code = "payment_arranged";
    r.detail = "skip the d+30 reminder for I1";
    return r;
}

static int count_fn(void *userdata, const archase_approval_info *info) {
    (void)info;
    ++*(int *)userdata;
    return 0;
}

static int requests(fixture *f) {
    int n = 0;
    assert_int_equal(archase_approvals_scan(f->eng, 0, count_fn, &n), 0);
    return n;
}

static uint64_t audit_size(fixture *f) {
    uint64_t n = 0;
    assert_int_equal(archase_audit_size(f->eng, &n), 0);
    return n;
}

/* The raise is refused with `code` and a message holding `text`; no request
 * and no audit record was written, `id` is untouched. */
static void refused(fixture *f, int line, const archase_approval_request *r, int code, const char *text) {
    char id[ARCHASE_APPROVAL_ID_MAX] = "untouched";
    int created = -1;
    int before = requests(f);
    uint64_t audit = audit_size(f);
    int rc = archase_approval_raise(f->eng, f->policy, r, id, &created);
    if (rc != code)
        fail_msg("line %d: expected %s, got %s (%s)", line, archase_error_name(code), archase_error_name(rc),
                 archase_engine_errmsg(f->eng));
    if (!strstr(archase_engine_errmsg(f->eng), text))
        fail_msg("line %d: expected \"%s\" in \"%s\"", line, text, archase_engine_errmsg(f->eng));
    assert_string_equal(id, "untouched");
    assert_int_equal(created, -1);
    assert_int_equal(requests(f), before);
    assert_int_equal(audit_size(f), audit);
}

#define REFUSED(r, code, text) refused(f, __LINE__, &(r), code, text)

static void every_field_of_a_request_is_checked(void **state) {
    fixture *f = *state;
    char long_id[300];
    memset(long_id, 'c', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    static const char *const bad_ids[] = { "I1", "\xff" };
    static const char *const empty_ids[] = { "" };
    static const char *const null_ids[] = { NULL };
    static const char *const twice[] = { "I2", "I1", "I2" };
    archase_approval_request r;

    r = write_off(), r.action = 0;
    REFUSED(r, ARCHASE_EINVAL, "unknown action 0");
    r = write_off(), r.customer_id = NULL;
    REFUSED(r, ARCHASE_EINVAL, "a request names its customer");
    r = write_off(), r.customer_id = "";
    REFUSED(r, ARCHASE_EINVAL, "a request names its customer");
    r = write_off(), r.customer_id = long_id;
    REFUSED(r, ARCHASE_EINVAL, "a request names its customer");
    r = write_off(), r.invoice_ids = NULL;
    REFUSED(r, ARCHASE_EINVAL, "invoice_ids: at most 1000 ids");
    r = write_off(), r.invoice_count = 1001;
    REFUSED(r, ARCHASE_EINVAL, "invoice_ids: at most 1000 ids");
    r = write_off(), r.invoice_ids = bad_ids, r.invoice_count = 2;
    REFUSED(r, ARCHASE_EINVAL, "invoice_ids: an empty or malformed id");
    r = write_off(), r.invoice_ids = empty_ids;
    REFUSED(r, ARCHASE_EINVAL, "invoice_ids: an empty or malformed id");
    r = write_off(), r.invoice_ids = null_ids;
    REFUSED(r, ARCHASE_EINVAL, "invoice_ids: an empty or malformed id");
    r = write_off(), r.amount = (archase_money){ 100, "QQQ" };
    REFUSED(r, ARCHASE_ECURRENCY, "amount: unknown currency 'QQQ'");
    r = write_off(), r.amount.minor = 0;
    REFUSED(r, ARCHASE_EINVAL, "amount: must be positive");
    r = write_off(), r.amount.minor = 1000000000000000;
    REFUSED(r, ARCHASE_EINVAL, "amount: must be positive");
    r = write_off(), r.amount = (archase_money){ 100, "" };
    REFUSED(r, ARCHASE_EINVAL, "amount: a currency is needed");
    r = write_off(), r.requester = "";
    REFUSED(r, ARCHASE_EINVAL, "a request names its requester");
    r = write_off(), r.requester = "\xff";
    REFUSED(r, ARCHASE_EINVAL, "a request names its requester");
    r = write_off(), r.requester_role = "\xc3";
    REFUSED(r, ARCHASE_EINVAL, "a request names its requester");
    r = write_off(), r.justification = NULL;
    REFUSED(r, ARCHASE_EINVAL, "a justification of at least 20 characters is required");
    r = write_off(), r.justification = "   too short, really   ";
    REFUSED(r, ARCHASE_EINVAL, "a justification of at least 20 characters is required");
    r = write_off(), r.justification = "customer insolvent, the administrator \xff";
    REFUSED(r, ARCHASE_EINVAL, "a justification of at least 20 characters is required");
    r = write_off(), r.customer_impact = "closed";
    REFUSED(r, ARCHASE_EINVAL, "a customer-impact assessment of at least 10 characters is required");
    r = write_off(), r.customer_impact = "account closed \xff";
    REFUSED(r, ARCHASE_EINVAL, "a customer-impact assessment of at least 10 characters");
    r = write_off(), r.rule = "\xff";
    REFUSED(r, ARCHASE_EINVAL, "rule, detail and decision_id must be UTF-8");
    r = write_off(), r.detail = "\xff";
    REFUSED(r, ARCHASE_EINVAL, "rule, detail and decision_id must be UTF-8");
    r = write_off(), r.decision_id = "\xff";
    REFUSED(r, ARCHASE_EINVAL, "rule, detail and decision_id must be UTF-8");
    r = write_off(), r.reason_code = "";
    REFUSED(r, ARCHASE_EINVAL, "reason_code: lower-case letters, digits and '_', at most 64");
    r = write_off(), r.reason_code = "Payment";
    REFUSED(r, ARCHASE_EINVAL, "reason_code: lower-case letters");
    r = write_off(), r.reason_code = "pay~";
    REFUSED(r, ARCHASE_EINVAL, "reason_code: lower-case letters");
    r = write_off(), r.reason_code = "pay-ment";
    REFUSED(r, ARCHASE_EINVAL, "reason_code: lower-case letters");
    r = write_off(), r.reason_code = long_id + 200; /* 99 letters */
    REFUSED(r, ARCHASE_EINVAL, "reason_code: lower-case letters");
    r = override(), r.reason_code = NULL;
    REFUSED(r, ARCHASE_EINVAL, "an override needs a reason code and the detail of what it changes");
    r = override(), r.detail = "   ";
    REFUSED(r, ARCHASE_EINVAL, "an override needs a reason code and the detail");
    r = override(), r.detail = NULL;
    REFUSED(r, ARCHASE_EINVAL, "an override needs a reason code and the detail");
    /* What the policy does not gate, and facts that are not there. */
    r = write_off(), r.action = ARCHASE_ACTION_PAYMENT_PLAN, r.amount.minor = 500;
    REFUSED(r, ARCHASE_EINVAL, "payment_plan needs no approval under this policy below materiality");
    r = write_off(), r.invoice_ids = twice, r.invoice_count = 3;
    REFUSED(r, ARCHASE_EINVAL, "invoice 'I2' is named twice");
    r = write_off(), r.customer_id = "C404";
    REFUSED(r, ARCHASE_ENOTFOUND, "C404");
    /* A batch open on the engine. */
    archase_batch *b = NULL;
    assert_int_equal(archase_batch_begin(f->eng, NULL, NULL, &b), 0);
    r = write_off();
    REFUSED(r, ARCHASE_ESTATE, "a batch is open on this engine");
    uint64_t n = 99;
    assert_int_equal(archase_approvals_expire(f->eng, &n), ARCHASE_ESTATE);
    assert_int_equal(n, 99);
    archase_batch_free(b);

    /* The missing handle and arguments. */
    char id[ARCHASE_APPROVAL_ID_MAX];
    r = write_off();
    assert_int_equal(archase_approval_raise(NULL, f->policy, &r, id, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_approval_raise(f->eng, f->policy, NULL, id, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, NULL, NULL), ARCHASE_EINVAL);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "needs a policy, a request and room for its id"));
    assert_int_equal(requests(f), 0);

    /* The same request without a created flag, the engine as requester, a
     * payment plan at materiality, an override with its reason. */
    r = write_off(), r.requester = NULL, r.requester_role = "collector";
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, id, NULL), 0);
    int seen_requester = 0;
    assert_int_equal(archase_approvals_scan(f->eng, ARCHASE_APPROVAL_PENDING, count_fn, &seen_requester), 0);
    assert_int_equal(seen_requester, 1);
    r = write_off(), r.action = ARCHASE_ACTION_PAYMENT_PLAN;
    int created = 0;
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, id, &created), 0);
    assert_int_equal(created, 1);
    r = override();
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, id, &created), 0);
    assert_int_equal(created, 1);
    assert_int_equal(requests(f), 3);
}

/* ---- reading ------------------------------------------------------------ */

static int stop_fn(void *userdata, const archase_approval_info *info) {
    (void)info;
    ++*(int *)userdata;
    return 1;
}

static int fail_fn(void *userdata, const archase_approval_info *info) {
    (void)info;
    ++*(int *)userdata;
    return ARCHASE_ECALLBACK;
}

static void callbacks_stop_or_fail_a_read(void **state) {
    fixture *f = *state;
    char a[ARCHASE_APPROVAL_ID_MAX], b[ARCHASE_APPROVAL_ID_MAX];
    archase_approval_request r = write_off();
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, a, NULL), 0);
    r.invoice_ids = NULL;
    r.invoice_count = 0;
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, b, NULL), 0);
    assert_string_not_equal(a, b);
    int n = 0;
    assert_int_equal(archase_approvals_scan(f->eng, 0, stop_fn, &n), 0);
    assert_int_equal(n, 1);
    n = 0;
    /* The callback's own code comes back, not a storage failure. */
    assert_int_equal(archase_approvals_scan(f->eng, 0, fail_fn, &n), ARCHASE_ECALLBACK);
    assert_int_equal(n, 1);
    n = 0;
    assert_int_equal(archase_approval_get(f->eng, a, stop_fn, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(archase_approval_get(f->eng, a, fail_fn, &n), ARCHASE_ECALLBACK);
    assert_int_equal(n, 2);
    assert_int_equal(archase_approval_get(f->eng, "APR-000000000000", count_fn, &n), ARCHASE_ENOTFOUND);
    assert_int_equal(n, 2);
    /* Missing arguments. */
    assert_int_equal(archase_approval_get(NULL, a, count_fn, &n), ARCHASE_EINVAL);
    assert_int_equal(archase_approval_get(f->eng, NULL, count_fn, &n), ARCHASE_EINVAL);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "archase_approval_get needs an id and a callback"));
    assert_int_equal(archase_approval_get(f->eng, a, NULL, &n), ARCHASE_EINVAL);
    assert_int_equal(archase_approvals_scan(NULL, 0, count_fn, &n), ARCHASE_EINVAL);
    assert_int_equal(archase_approvals_scan(f->eng, 0, NULL, &n), ARCHASE_EINVAL);
    assert_int_equal(archase_approvals_scan(f->eng, 77, count_fn, &n), ARCHASE_EINVAL);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "needs a callback and a known status"));
    assert_int_equal(n, 2);
    /* A status no request has. */
    assert_int_equal(archase_approvals_scan(f->eng, ARCHASE_APPROVAL_DISPATCHED, count_fn, &n), 0);
    assert_int_equal(n, 2);
}

/* ---- lapsing ------------------------------------------------------------ */

typedef struct status_of {
    int status;
    archase_instant closed;
} status_of;

static int status_fn(void *userdata, const archase_approval_info *info) {
    status_of *s = userdata;
    s->status = info->status;
    s->closed = info->closed;
    return 0;
}

static status_of status(fixture *f, const char *id) {
    status_of s = { 0, 0 };
    assert_int_equal(archase_approval_get(f->eng, id, status_fn, &s), 0);
    return s;
}

static void asking_again_after_a_lapse_makes_a_new_request(void **state) {
    fixture *f = *state;
    char first[ARCHASE_APPROVAL_ID_MAX], second[ARCHASE_APPROVAL_ID_MAX], third[ARCHASE_APPROVAL_ID_MAX];
    archase_approval_request r = write_off();
    int created = -1;
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, first, &created), 0);
    assert_int_equal(created, 1);
    /* One second before the expiry it is the same request... */
    f->now += 5 * DAY - 1;
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, second, &created), 0);
    assert_int_equal(created, 0);
    assert_string_equal(second, first);
    /* ... at the expiry it lapses there and then, and a new one is raised. */
    f->now += 1;
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, second, &created), 0);
    assert_int_equal(created, 1);
    assert_string_not_equal(second, first);
    assert_int_equal(strncmp(second, first, strlen(first)), 0);
    assert_string_equal(second + strlen(first), "-2");
    status_of s = status(f, first);
    assert_int_equal(s.status, ARCHASE_APPROVAL_EXPIRED);
    assert_int_equal(s.closed, f->now);
    /* A rejected one is not open either: the next attempt gets "-3". */
    archase_approval_vote v = ARCHASE_APPROVAL_VOTE_INIT;
    v.actor = "bob";
    v.role = "finance_lead";
    v.reason = "not now";
    assert_int_equal(archase_approval_reject(f->eng, second, &v, NULL), 0);
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, third, &created), 0);
    assert_int_equal(created, 1);
    assert_string_equal(third + strlen(first), "-3");
    /* The sweep finds nothing lapsed yet, then the third. */
    uint64_t n = 99;
    assert_int_equal(archase_approvals_expire(f->eng, &n), 0);
    assert_int_equal(n, 0);
    f->now += 5 * DAY;
    assert_int_equal(archase_approvals_expire(f->eng, NULL), 0);
    assert_int_equal(status(f, third).status, ARCHASE_APPROVAL_EXPIRED);
    assert_int_equal(archase_approvals_expire(f->eng, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(archase_approvals_expire(NULL, &n), ARCHASE_EINVAL);
}

static void the_sweep_takes_approved_requests_too(void **state) {
    fixture *f = *state;
    char a[ARCHASE_APPROVAL_ID_MAX], b[ARCHASE_APPROVAL_ID_MAX];
    archase_approval_request r = write_off();
    r.amount.minor = 50000; /* below materiality: one approval */
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, a, NULL), 0);
    archase_approval_vote v = ARCHASE_APPROVAL_VOTE_INIT;
    v.actor = "bob";
    v.role = "finance_lead";
    v.reason = "fine";
    int st = 0;
    assert_int_equal(archase_approval_approve(f->eng, a, &v, &st), 0);
    assert_int_equal(st, ARCHASE_APPROVAL_APPROVED);
    /* A fast-lane request lapses after 24 hours, the other after 5 days. */
    r.amount.minor = 5000;
    r.invoice_ids = NULL;
    r.invoice_count = 0;
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, b, NULL), 0);
    f->now += DAY;
    uint64_t n = 0;
    assert_int_equal(archase_approvals_expire(f->eng, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(status(f, b).status, ARCHASE_APPROVAL_EXPIRED);
    assert_int_equal(status(f, a).status, ARCHASE_APPROVAL_APPROVED);
    f->now += 4 * DAY;
    assert_int_equal(archase_approvals_expire(f->eng, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(status(f, a).status, ARCHASE_APPROVAL_EXPIRED);
}

/* ---- the override sample ------------------------------------------------ */

static void the_sample_checks_its_period_and_stops_when_asked(void **state) {
    fixture *f = *state;
    char id[ARCHASE_APPROVAL_ID_MAX];
    archase_date today = (archase_date)(f->now / DAY);
    int n = 0;
    assert_int_equal(archase_override_sample(NULL, today, today, 5, 1, count_fn, &n), ARCHASE_EINVAL);
    assert_int_equal(archase_override_sample(f->eng, today, today, 5, 1, NULL, &n), ARCHASE_EINVAL);
    assert_int_equal(archase_override_sample(f->eng, ARCHASE_DATE_NONE, today, 5, 1, count_fn, &n), ARCHASE_EINVAL);
    assert_int_equal(archase_override_sample(f->eng, today, ARCHASE_DATE_NONE, 5, 1, count_fn, &n), ARCHASE_EINVAL);
    assert_int_equal(archase_override_sample(f->eng, today, today - 1, 5, 1, count_fn, &n), ARCHASE_EINVAL);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "needs a period and a callback"));
    /* Nothing yet; then one override among other requests. */
    assert_int_equal(archase_override_sample(f->eng, today, today, 5, 1, count_fn, &n), 0);
    assert_int_equal(n, 0);
    archase_approval_request r = override();
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, id, NULL), 0);
    r = write_off();
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, id, NULL), 0);
    assert_int_equal(archase_override_sample(f->eng, today, today, 5, 1, count_fn, &n), 0);
    assert_int_equal(n, 1);
    /* Two more overrides the next day. */
    f->now += DAY;
    r = override();
    r.detail = "skip the d+45 reminder for I1";
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, id, NULL), 0);
    r.detail = "skip the d+60 reminder for I1";
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, id, NULL), 0);
    n = 0;
    assert_int_equal(archase_override_sample(f->eng, today, today + 1, 0, 1, count_fn, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(archase_override_sample(f->eng, today + 1, today + 1, 5, 1, count_fn, &n), 0);
    assert_int_equal(n, 2);
    n = 0;
    assert_int_equal(archase_override_sample(f->eng, today, today + 1, 5, 1, stop_fn, &n), 0);
    assert_int_equal(n, 1);
    n = 0;
    assert_int_equal(archase_override_sample(f->eng, today, today + 1, 5, 1, fail_fn, &n), ARCHASE_ECALLBACK);
    assert_int_equal(n, 1);
    n = 0;
    assert_int_equal(archase_override_sample(f->eng, today + 2, today + 9, 5, 1, count_fn, &n), 0);
    assert_int_equal(n, 0);
}

/* ---- no memory ---------------------------------------------------------- */

/* The requests every run starts from: two overrides and a write-off, raised
 * a week ago (lapsed now). */
static void prepare(fixture *f) {
    char id[ARCHASE_APPROVAL_ID_MAX];
    archase_approval_request r = override();
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, id, NULL), 0);
    r.detail = "skip the d+45 reminder for I1";
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, id, NULL), 0);
    r = write_off();
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, f->last, NULL), 0);
    f->now += 6 * DAY;
}

typedef int (*call_fn)(fixture *f, int *n);

static int call_scan(fixture *f, int *n) {
    return archase_approvals_scan(f->eng, 0, count_fn, n);
}

static int call_get(fixture *f, int *n) {
    return archase_approval_get(f->eng, f->last, count_fn, n);
}

static int call_sample(fixture *f, int *n) {
    archase_date day = (archase_date)((f->now - 6 * DAY) / DAY);
    return archase_override_sample(f->eng, day, day, 5, 7, count_fn, n);
}

static int call_expire(fixture *f, int *n) {
    uint64_t lapsed = 0;
    int rc = archase_approvals_expire(f->eng, &lapsed);
    *n = (int)lapsed;
    return rc;
}

static int call_raise_again(fixture *f, int *n) {
    char id[ARCHASE_APPROVAL_ID_MAX];
    archase_approval_request r = write_off();
    return archase_approval_raise(f->eng, f->policy, &r, id, n);
}

static int pending(fixture *f) {
    int n = 0;
    assert_int_equal(archase_approvals_scan(f->eng, ARCHASE_APPROVAL_PENDING, count_fn, &n), 0);
    return n;
}

/* Runs `call` with allocation N failing (from N on, then only N), for every
 * N (every third under valgrind) until it needs fewer: it says ENOMEM,
 * leaks nothing and leaves the requests and the audit log as they were; the
 * run without failures gives `expected`. */
static void oom_loop(call_fn call, int expected) {
    int step = test_under_valgrind() ? 3 : 1;
    archase_policy *policy = NULL;
    assert_int_equal(archase_policy_load_buffer(policy_text, strlen(policy_text), "p.yaml", NULL, &policy, NULL), 0);
    size_t runs = 0;
    for (int persistent = 1; persistent >= 0; persistent--) {
        for (size_t n = 1;; n += (size_t)step) {
            failalloc fa;
            failalloc_init(&fa);
            fixture f;
            memset(&f, 0, sizeof f);
            f.policy = policy; /* loaded once: the engine's calls are under test */
            assert_int_equal(open_fixture(&f, &fa.allocator), 0);
            prepare(&f);
            uint64_t audit = audit_size(&f);
            int open = pending(&f);
            int got = 0;
            failalloc_arm(&fa, n, persistent);
            int rc = call(&f, &got);
            size_t failures = fa.failures;
            failalloc_arm(&fa, 0, 0);
            if (failures == 0) {
                if (rc)
                    fail_msg("without failures: %s: %s", archase_error_name(rc), archase_engine_errmsg(f.eng));
                assert_int_equal(got, expected);
            } else {
                if (rc != ARCHASE_ENOMEM)
                    fail_msg("allocation %zu failing: %s: %s", n, archase_error_name(rc),
                             archase_engine_errmsg(f.eng));
                assert_int_equal(audit_size(&f), audit);
                assert_int_equal(pending(&f), open);
            }
            archase_engine_free(f.eng);
            assert_int_equal(fa.live, 0);
            runs++;
            if (failures == 0)
                break;
        }
    }
    archase_policy_free(policy);
    assert_true(runs > 2);
}

static void reading_sweeping_and_sampling_survive_every_allocation_failure(void **state) {
    (void)state;
    oom_loop(call_scan, 3);
    oom_loop(call_get, 1);
    oom_loop(call_sample, 2);
    oom_loop(call_expire, 3);
    oom_loop(call_raise_again, 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
static const struct CMUnitTest tests[] = {
    T(every_field_of_a_request_is_checked),
    T(callbacks_stop_or_fail_a_read),
    T(asking_again_after_a_lapse_makes_a_new_request),
    T(the_sweep_takes_approved_requests_too),
    T(the_sample_checks_its_period_and_stops_when_asked),
    cmocka_unit_test(reading_sweeping_and_sampling_survive_every_allocation_failure),
};

AR_TEST_MAIN(tests)
