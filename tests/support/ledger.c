/* tests/support/ledger.c — the shared ledger of the promise, dispute and
 * reconciliation suites (ledger.h). */
#include "ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

archase_date test_day(const char *text) {
    archase_date d = ARCHASE_DATE_NONE;
    assert_int_equal(archase_date_parse(text, &d), 0);
    return d;
}

int test_ledger_invoice(archase_engine *eng, const char *id, const char *customer, int64_t minor,
                        const char *issue, const char *due) {
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = id;
    inv.customer_id = customer;
    inv.issue_date = test_day(issue);
    inv.due_date = test_day(due);
    inv.amount = (archase_money){ minor, "EUR" };
    return archase_invoice_put(eng, &inv, NULL);
}

int test_ledger_payment(archase_engine *eng, const char *id, const char *customer, const char *invoice,
                        const char *date, int64_t minor, const char *currency, const char *reference,
                        int overpayment) {
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = id;
    p.customer_id = customer;
    p.invoice_id = invoice;
    p.date = test_day(date);
    p.amount.minor = minor;
    memcpy(p.amount.currency, currency, 4);
    p.reference = reference;
    p.overpayment = overpayment;
    return archase_payment_put(eng, &p, NULL);
}

int test_ledger_open(test_ledger *l, const test_ledger_spec *spec, const archase_allocator *a,
                     const archase_storage *storage) {
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    o.actor = spec->actor;
    o.clock = spec->clock;
    o.allocator = a;
    archase_policy_options po = ARCHASE_POLICY_OPTIONS_INIT;
    po.allocator = a;
    int rc = storage ? archase_engine_open(storage, &o, &l->eng) : archase_open_memory(&o, &l->eng);
    if (!rc)
        rc = archase_policy_load_buffer(spec->policy_yaml, strlen(spec->policy_yaml), "p.yaml", &po, &l->policy,
                                        NULL);
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "ACME";
    c.name = "ACME GmbH";
    c.collector = spec->collector;
    c.owner = spec->owner;
    if (spec->credit_limit)
        c.credit_limit = (archase_money){ spec->credit_limit, "EUR" };
    if (!rc)
        rc = archase_customer_put(l->eng, &c, NULL);
    if (!rc)
        rc = test_ledger_invoice(l->eng, "INV-1", "ACME", spec->inv1, "2026-02-01", "2026-03-01");
    if (!rc)
        rc = test_ledger_invoice(l->eng, "INV-2", "ACME", spec->inv2, "2026-02-01", "2026-03-01");
    return rc;
}

void test_ledger_close(test_ledger *l) {
    archase_engine_free(l->eng);
    archase_policy_free(l->policy);
    l->eng = NULL;
    l->policy = NULL;
}

void test_ledger_open_faulty(test_ledger *l, const test_ledger_spec *spec, faultstore **fs) {
    archase_storage inner, wrapped;
    assert_int_equal(archase_memory_storage_new(NULL, &inner), 0);
    *fs = test_malloc(sizeof **fs);
    faultstore_wrap(*fs, &inner, 0, &wrapped);
    memset(l, 0, sizeof *l);
    assert_int_equal(test_ledger_open(l, spec, NULL, &wrapped), 0);
}

void test_ledger_close_faulty(test_ledger *l, faultstore *fs) {
    test_ledger_close(l);
    test_free(fs);
}

void test_fault_start(test_fault_round *r, const test_ledger_spec *spec) {
    memset(r, 0, sizeof *r);
    r->spec = spec;
    r->failed = 1;
}

int test_fault_next(test_fault_round *r) {
    if (r->n) {
        archase_audit_report report;
        assert_int_equal(archase_audit_verify(r->l.eng, NULL, &report), 0);
        test_ledger_close_faulty(&r->l, r->fs);
        r->fs = NULL;
        if (!r->failed) {
            assert_true(r->n > 3);
            return 0;
        }
    }
    r->n++;
    r->failed = 0;
    test_ledger_open_faulty(&r->l, r->spec, &r->fs);
    return 1;
}

void test_fault_arm(test_fault_round *r) {
    r->fs->fail_at = r->fs->calls + r->n;
}

int test_fault_disarm(test_fault_round *r) {
    r->failed = r->fs->failures > 0;
    r->fs->fail_at = 0;
    return r->failed;
}

int test_ledger_setup(void **state, const test_ledger_spec *spec) {
    test_ledger *l = calloc(1, sizeof *l);
    assert_non_null(l);
    assert_int_equal(test_ledger_open(l, spec, NULL, NULL), 0);
    *state = l;
    return 0;
}

int test_ledger_teardown(void **state) {
    test_ledger *l = *state;
    test_ledger_close(l);
    free(l);
    return 0;
}

uint64_t test_audit_size(archase_engine *eng) {
    uint64_t n = 0;
    assert_int_equal(archase_audit_size(eng, &n), 0);
    return n;
}

void test_says(const test_ledger *l, int rc, int code, const char *words) {
    if (rc != code)
        fail_msg("expected %s, got %s: %s", archase_error_name(code), archase_error_name(rc),
                 archase_engine_errmsg(l->eng));
    if (!strstr(archase_engine_errmsg(l->eng), words))
        fail_msg("message '%s' does not say '%s'", archase_engine_errmsg(l->eng), words);
}

static int got_open(void *ud, const archase_fact *fact) {
    *(int64_t *)ud = fact->invoice_state->open_amount.minor;
    return 0;
}

int64_t test_open_amount(const test_ledger *l, const char *invoice) {
    int64_t open = -1;
    assert_int_equal(archase_fact_get(l->eng, ARCHASE_FAMILY_INVOICE, invoice, got_open, &open), 0);
    return open;
}

archase_lifecycle_counts test_lifecycle_update(const test_ledger *l, const char *as_of) {
    archase_lifecycle_counts c;
    memset(&c, 0, sizeof c);
    c.version = ARCHASE_LIFECYCLE_COUNTS_VERSION;
    int rc = archase_lifecycle_update(l->eng, l->policy, test_day(as_of), &c);
    if (rc)
        fail_msg("update: %s", archase_engine_errmsg(l->eng));
    return c;
}

static const char *const dispute_invoices[] = { "INV-1" };

archase_dispute test_dispute(const char *id, const char *reason, int64_t minor) {
    archase_dispute d = ARCHASE_DISPUTE_INIT;
    d.id = id;
    d.customer_id = "ACME";
    d.invoice_ids = dispute_invoices;
    d.invoice_count = 1;
    d.amount = (archase_money){ minor, "EUR" };
    d.reason_code = reason;
    d.opened_by = "anna";
    return d;
}

void test_dispute_open(const test_ledger *l, const archase_dispute *d, const char *as_of) {
    int rc = archase_dispute_open(l->eng, l->policy, d, test_day(as_of));
    if (rc)
        fail_msg("open: %s: %s", archase_error_name(rc), archase_engine_errmsg(l->eng));
}

static int keep_copy(void *ud, const archase_record *r) {
    test_stored_copy *c = ud;
    c->rec = *r;
    snprintf(c->id, sizeof c->id, "%s", r->id);
    snprintf(c->customer, sizeof c->customer, "%s", r->customer_id ? r->customer_id : "");
    assert_true(r->size <= sizeof c->data);
    memcpy(c->data, r->data, r->size);
    c->rec.id = c->id;
    c->rec.customer_id = c->customer;
    c->rec.invoice_id = NULL;
    c->rec.data = c->data;
    return 0;
}

void test_stored_copy_get(const archase_storage *store, int family, const char *id, test_stored_copy *c) {
    memset(c, 0, sizeof *c);
    assert_int_equal(store->get(store->userdata, family, id, keep_copy, c), 0);
}

void test_stored_copy_put_cut(const archase_storage *store, const test_stored_copy *c, size_t size) {
    archase_record cut = c->rec;
    cut.size = size;
    assert_int_equal(store->put(store->userdata, &cut), 0);
}

archase_instant test_ledger_now;

static archase_instant read_clock(void *ud) {
    (void)ud;
    return test_ledger_now;
}

const archase_clock test_ledger_clock = { ARCHASE_CLOCK_VERSION, NULL, read_clock };

int64_t test_credit_driver(const archase_credit_recommendation *r, const char *name, int *direction) {
    for (size_t i = 0; i < r->driver_count; i++)
        if (!strcmp(r->drivers[i].name, name)) {
            *direction = r->drivers[i].direction;
            return r->drivers[i].value;
        }
    fail_msg("no driver %s", name);
    return 0;
}

static int take_item(void *ud, const archase_outbox_item *it) {
    test_outbox_copy *i = ud;
    i->found = 1;
    i->status = it->status;
    i->channel = it->channel;
    i->scheduled_at = it->scheduled_at;
    i->local_date = it->local_date;
    i->local_seconds = it->local_seconds;
    snprintf(i->zone, sizeof i->zone, "%s", it->timezone ? it->timezone : "");
    for (size_t k = 0; k < it->reason_count; k++) {
        i->quiet |= it->reasons[k] == ARCHASE_REASON_DEFERRED_QUIET_HOURS;
        i->window |= it->reasons[k] == ARCHASE_REASON_DEFERRED_SEND_WINDOW;
        i->holiday |= it->reasons[k] == ARCHASE_REASON_DEFERRED_NON_BUSINESS_DAY;
        i->zone_unknown |= it->reasons[k] == ARCHASE_REASON_TIMEZONE_UNKNOWN;
    }
    i->deferred = i->window || i->quiet;
    snprintf(i->address, sizeof i->address, "%s", it->address ? it->address : "");
    snprintf(i->subject, sizeof i->subject, "%s", it->subject ? it->subject : "");
    snprintf(i->body, sizeof i->body, "%s", it->body ? it->body : "");
    snprintf(i->tmpl, sizeof i->tmpl, "%s", it->template_name ? it->template_name : "");
    for (size_t k = 0; k < it->invoice_count; k++) {
        size_t n = strlen(i->invoices);
        snprintf(i->invoices + n, sizeof i->invoices - n, "%s;", it->invoice_ids[k]);
    }
    return 0;
}

test_outbox_copy test_outbox_copy_get(archase_engine *eng, const char *key) {
    test_outbox_copy i;
    memset(&i, 0, sizeof i);
    int rc = archase_outbox_get(eng, key, take_item, &i);
    assert_true(rc == 0 || rc == ARCHASE_ENOTFOUND);
    return i;
}

static int take_request(void *ud, const archase_approval_info *i) {
    test_approval_copy *r = ud;
    r->status = i->status;
    r->amount = i->amount.minor;
    snprintf(r->justification, sizeof r->justification, "%s", i->justification ? i->justification : "");
    snprintf(r->impact, sizeof r->impact, "%s", i->customer_impact ? i->customer_impact : "");
    snprintf(r->replaced_by, sizeof r->replaced_by, "%s", i->replaced_by ? i->replaced_by : "");
    for (size_t k = 0; k < i->invoice_count; k++) {
        size_t n = strlen(r->invoices);
        snprintf(r->invoices + n, sizeof r->invoices - n, "%s;", i->invoice_ids[k]);
    }
    return 0;
}

test_approval_copy test_approval_copy_get(const test_ledger *l, const char *id) {
    test_approval_copy r;
    memset(&r, 0, sizeof r);
    assert_int_equal(archase_approval_get(l->eng, id, take_request, &r), 0);
    return r;
}

int test_approval_approve_rc(const test_ledger *l, const char *id, const char *reason) {
    archase_approval_vote v = ARCHASE_APPROVAL_VOTE_INIT;
    v.actor = "fiona";
    v.role = "finance_lead";
    v.reason = reason;
    return archase_approval_approve(l->eng, id, &v, NULL);
}

void test_approval_approve(const test_ledger *l, const char *id, const char *reason) {
    assert_int_equal(test_approval_approve_rc(l, id, reason), 0);
}

static int count_one(void *ud, const archase_approval_info *info) {
    (void)info;
    ++*(int *)ud;
    return 0;
}

int test_approval_count(const test_ledger *l) {
    int n = 0;
    assert_int_equal(archase_approvals_scan(l->eng, 0, count_one, &n), 0);
    return n;
}

int test_recon_collect(void *ud, const archase_recon_item *it) {
    test_recon_queue *q = ud;
    size_t len = strlen(q->text);
    snprintf(q->text + len, sizeof q->text - len, "%s=%s/%lld;", it->id, archase_recon_reason_name(it->reason),
             (long long)it->amount.minor);
    q->n++;
    q->status = it->status;
    q->resolution = it->resolution;
    q->amount = it->amount.minor;
    q->sla_due = it->sla_due;
    snprintf(q->owner, sizeof q->owner, "%s", it->owner_role);
    snprintf(q->approval, sizeof q->approval, "%s", it->approval_id ? it->approval_id : "");
    return 0;
}

test_recon_queue test_recon_items(const test_ledger *l, int status) {
    test_recon_queue q;
    memset(&q, 0, sizeof q);
    int rc = archase_recon_scan(l->eng, l->policy, status, test_recon_collect, &q);
    if (rc)
        fail_msg("scan: %s: %s", archase_error_name(rc), archase_engine_errmsg(l->eng));
    return q;
}

void test_ledger_move_acme(const test_ledger *l, const test_ledger_spec *spec, const char *timezone) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "ACME";
    c.revision = 1;
    c.name = "ACME GmbH";
    c.collector = spec->collector;
    c.owner = spec->owner;
    c.timezone = timezone;
    if (spec->credit_limit)
        c.credit_limit = (archase_money){ spec->credit_limit, "EUR" };
    assert_int_equal(archase_customer_put(l->eng, &c, NULL), 0);
}
