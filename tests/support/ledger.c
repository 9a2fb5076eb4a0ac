/* tests/support/ledger.c — the shared ledger of the promise, dispute and
 * reconciliation suites (ledger.h). */
#include "ledger.h"

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
