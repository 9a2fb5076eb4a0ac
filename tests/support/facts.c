/* tests/support/facts.c — facts of every kind and the replay snapshot
 * suites' ledger (facts.h). */
#include "facts.h"

#include <stdio.h>
#include <stdlib.h>

#include "ledger.h"
#include "memengine.h"
#include "testutil.h"

static archase_money eur(int64_t minor) {
    archase_money m = { minor, "EUR" };
    return m;
}

void test_fact_customer(archase_engine *eng, const char *id, const char *zone, const char *tier) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = id;
    c.name = id;
    c.timezone = zone;
    c.owner = "anna";
    c.collector = "bob";
    c.tier = tier;
    test_ok(eng, archase_customer_put(eng, &c, NULL));
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
    test_ok(eng, archase_contact_put(eng, &k, NULL));
}

void test_fact_invoice(archase_engine *eng, const char *cust, const char *id, const char *issued,
                       const char *due, int64_t minor) {
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = id;
    inv.customer_id = cust;
    inv.number = id;
    inv.po_ref = "PO-7";
    inv.issue_date = test_day(issued);
    inv.due_date = test_day(due);
    inv.amount = eur(minor);
    test_ok(eng, archase_invoice_put(eng, &inv, NULL));
}

void test_fact_payment(archase_engine *eng, const char *cust, const char *id, const char *inv, int kind,
                       const char *date, int64_t minor) {
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = id;
    p.customer_id = cust;
    p.invoice_id = inv;
    p.kind = kind;
    p.date = test_day(date);
    p.amount = eur(minor);
    test_ok(eng, archase_payment_put(eng, &p, NULL));
}

void test_fact_promise(archase_engine *eng, const char *cust, const char *id, const char *inv,
                       const char *inv2, const char *promised, const char *recorded, int64_t minor,
                       int instalments) {
    const char *ids[2] = { inv, inv2 };
    archase_instalment plan[2] = { { test_day(promised), eur(minor / 2) }, { test_day(promised) + 14, eur(minor - minor / 2) } };
    archase_promise p = ARCHASE_PROMISE_INIT;
    p.id = id;
    p.customer_id = cust;
    p.invoice_ids = ids;
    p.invoice_count = inv2 ? 2 : 1;
    p.amount = eur(minor);
    p.promised_date = instalments ? test_day(promised) + 14 : test_day(promised);
    p.instalments = instalments ? plan : NULL;
    p.instalment_count = instalments ? 2 : 0;
    p.taken_by = "bob";
    p.channel = ARCHASE_CHANNEL_CALL;
    p.recorded_on = recorded ? test_day(recorded) : ARCHASE_DATE_NONE;
    test_ok(eng, archase_promise_put(eng, &p, NULL));
}

void test_fact_dispute(archase_engine *eng, const char *cust, const char *id, const char *inv,
                       const char *opened, const char *resolved) {
    const char *ids[1] = { inv };
    archase_dispute d = ARCHASE_DISPUTE_INIT;
    d.id = id;
    d.customer_id = cust;
    d.invoice_ids = ids;
    d.invoice_count = 1;
    d.amount = eur(5000);
    d.reason_code = "pricing";
    d.opened_on = test_day(opened);
    d.owner = "carla";
    if (resolved) {
        d.status = ARCHASE_DISPUTE_RESOLVED;
        d.resolution = ARCHASE_RESOLUTION_REJECTED;
        d.root_cause = "price_list";
        d.resolved_on = test_day(resolved);
    }
    test_ok(eng, archase_dispute_put(eng, &d, NULL));
}

void test_fact_note(archase_engine *eng, const char *cust, const char *id, const char *inv, const char *day,
                    int hour) {
    archase_note n = ARCHASE_NOTE_INIT;
    n.id = id;
    n.customer_id = cust;
    n.invoice_id = inv;
    n.author = "bob";
    n.text = id;
    n.at = (archase_instant)test_day(day) * 86400 + hour * 3600;
    test_ok(eng, archase_note_put(eng, &n, NULL));
}

void test_facts_ledger(archase_engine *eng) {
    test_fact_customer(eng, "C1", "Europe/Berlin", NULL);
    test_fact_customer(eng, "C2", "America/New_York", NULL);
    test_fact_customer(eng, "C3", "Europe/Berlin", NULL);
    archase_customer_flags fl = ARCHASE_CUSTOMER_FLAGS_INIT;
    fl.customer_id = "C3";
    fl.strategic = 1;
    fl.reason = "key account";
    test_ok(eng, archase_customer_flags_put(eng, &fl, NULL));
    test_fact_invoice(eng, "C1", "I01", "2025-10-01", "2025-10-31", 40000);
    test_fact_invoice(eng, "C1", "I02", "2025-11-15", "2025-12-15", 55000);
    test_fact_invoice(eng, "C1", "I03", "2026-01-05", "2026-02-04", 120000);
    test_fact_invoice(eng, "C1", "I04", "2026-01-20", "2026-02-19", 80000);
    test_fact_invoice(eng, "C1", "I05", "2026-02-10", "2026-03-12", 250000);
    test_fact_invoice(eng, "C2", "I06", "2025-12-01", "2025-12-31", 30000);
    test_fact_invoice(eng, "C2", "I07", "2026-01-10", "2026-02-09", 60000);
    test_fact_invoice(eng, "C2", "I08", "2026-02-20", "2026-03-22", 90000);
    test_fact_invoice(eng, "C3", "I09", "2026-01-02", "2026-02-01", 700000);
    test_fact_invoice(eng, "C3", "I10", "2026-02-05", "2026-03-07", 15000);
    test_fact_payment(eng, "C1", "P01", "I01", ARCHASE_PAYMENT, "2025-11-10", 40000);
    test_fact_payment(eng, "C1", "P02", "I02", ARCHASE_PAYMENT, "2026-01-10", 20000);
    test_fact_payment(eng, "C1", "P03", "I02", ARCHASE_PAYMENT, "2026-02-14", 35000);
    test_fact_payment(eng, "C1", "P04", "I03", ARCHASE_PAYMENT, "2026-02-20", 60000);
    test_fact_payment(eng, "C1", "P05", "I03", ARCHASE_CREDIT_NOTE, "2026-02-22", 10000);
    test_fact_payment(eng, "C1", "P06", "I04", ARCHASE_PAYMENT, "2026-03-01", 30000);
    /* dated before its invoice was issued: known on the issue date */
    test_fact_payment(eng, "C2", "P07", "I08", ARCHASE_PAYMENT, "2026-02-15", 10000);
    test_fact_payment(eng, "C2", "P08", "I06", ARCHASE_PAYMENT, "2026-02-12", 30000);
    test_fact_payment(eng, "C2", "P09", "I07", ARCHASE_PAYMENT, "2026-03-05", 60000);
    test_fact_payment(eng, "C3", "P10", NULL, ARCHASE_PAYMENT, "2026-02-18", 5000);
    test_fact_payment(eng, "C3", "P11", "I09", ARCHASE_PAYMENT, "2026-02-25", 200000);
    test_fact_payment(eng, "C3", "P12", "I10", ARCHASE_PAYMENT, "2026-03-02", 15000);
    /* recorded later than promised; a plan of two; one without a recorded day */
    test_fact_promise(eng, "C1", "PR1", "I03", "I04", "2026-02-10", "2026-02-16", 100000, 0);
    test_fact_promise(eng, "C1", "PR2", "I05", NULL, "2026-03-01", "2026-02-24", 200000, 1);
    test_fact_promise(eng, "C3", "PR3", "I09", NULL, "2026-02-24", NULL, 200000, 0);
    test_fact_promise(eng, "C2", "PR4", "I07", NULL, "2026-02-27", "2026-02-19", 60000, 0);
    test_fact_dispute(eng, "C2", "D1", "I07", "2026-02-13", "2026-02-26");
    test_fact_dispute(eng, "C1", "D2", "I04", "2026-02-21", NULL);
    test_fact_dispute(eng, "C3", "D3", "I10", "2026-02-08", "2026-03-03");
    test_fact_note(eng, "C1", "N1", "I03", "2026-02-11", 9);
    test_fact_note(eng, "C1", "N2", NULL, "2026-02-12", 10);
    test_fact_note(eng, "C1", "N3", "I04", "2026-02-17", 11);
    test_fact_note(eng, "C1", "N4", "I05", "2026-02-23", 8);
    test_fact_note(eng, "C1", "N5", NULL, "2026-02-23", 8);
    test_fact_note(eng, "C2", "N6", "I08", "2026-02-21", 15);
}

archase_policy *test_example_policy(const char *name) {
    const char *root = getenv("ARCHASE_SOURCE_ROOT");
    char path[1024];
    snprintf(path, sizeof path, "%s/examples/policies/%s", root ? root : "..", name);
    archase_policy *p = NULL;
    assert_int_equal(archase_policy_load_file(path, NULL, &p, NULL), 0);
    return p;
}

int test_facts_setup_empty(void **state) {
    test_facts_fixture *f = test_calloc(1, sizeof *f);
    assert_int_equal(archase_memory_storage_new(NULL, &f->store), 0);
    archase_storage s = test_unowned(&f->store);
    assert_int_equal(archase_engine_open(&s, NULL, &f->eng), 0);
    f->policy = test_example_policy("enterprise-formal.yaml");
    *state = f;
    return 0;
}

int test_facts_setup(void **state) {
    test_facts_setup_empty(state);
    test_facts_fixture *f = *state;
    test_facts_ledger(f->eng);
    return 0;
}

int test_facts_teardown(void **state) {
    test_facts_fixture *f = *state;
    archase_policy_free(f->policy);
    archase_engine_free(f->eng);
    f->store.close(f->store.userdata);
    test_free(f);
    return 0;
}
