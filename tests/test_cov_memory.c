/* tests/test_cov_memory.c — the memory backend through its storage table:
 * slots given what they must refuse (each with its message), filters on
 * every field, callbacks that stop or fail, transactions rolled back over
 * puts, inserts and deletes, and every allocation failure. */
#include <stdio.h>
#include <string.h>

#include "archase/archase.h"
#include "support/failalloc.h"
#include "support/testutil.h"

typedef struct seen {
    int n, rc;
    char id[32];
} seen;

static int see(void *ctx, const archase_record *r) {
    seen *s = ctx;
    s->n++;
    snprintf(s->id, sizeof s->id, "%s", r->id);
    return s->rc;
}

static int see_entry(void *ctx, const archase_audit_entry *e) {
    seen *s = ctx;
    (void)e;
    s->n++;
    return s->rc;
}

static archase_record invoice(const char *id, const char *customer, int status, archase_date due) {
    archase_record r = ARCHASE_RECORD_INIT;
    r.family = ARCHASE_FAMILY_INVOICE;
    r.id = id;
    r.customer_id = customer;
    r.invoice_id = id;
    r.status = status;
    r.date = due;
    r.data = "d";
    r.size = 1;
    return r;
}

static archase_audit_entry entry(uint64_t index) {
    archase_audit_entry e = ARCHASE_AUDIT_ENTRY_INIT;
    e.index = index;
    e.kind = 1;
    e.actor = "tester";
    e.data = "rec";
    e.size = 3;
    return e;
}

static void slots_refuse_what_they_cannot_store(void **state) {
    (void)state;
    archase_storage s;
    assert_int_equal(archase_memory_storage_new(NULL, &s), 0);
    void *u = s.userdata;
    seen sn = { 0, 0, "" };
    assert_int_equal(s.get(u, 0, "x", see, &sn), ARCHASE_EINVAL);
    assert_string_equal(s.errmsg(u), "bad family or id");
    assert_int_equal(s.get(u, ARCHASE_FAMILY_INVOICE, NULL, see, &sn), ARCHASE_EINVAL);
    assert_int_equal(s.del(u, ARCHASE_FAMILY_LIMIT, "x"), ARCHASE_EINVAL);
    assert_int_equal(s.del(u, ARCHASE_FAMILY_INVOICE, NULL), ARCHASE_EINVAL);
    archase_record r = invoice("I1", "C1", 1, 20000);
    r.version = 3;
    assert_int_equal(s.put(u, &r), ARCHASE_EINVAL);
    assert_string_equal(s.errmsg(u), "record version is not supported");
    r = invoice("I1", "C1", 1, 20000);
    r.family = 99;
    assert_int_equal(s.put(u, &r), ARCHASE_EINVAL);
    assert_string_equal(s.errmsg(u), "unknown record family");
    r = invoice("", "C1", 1, 20000);
    assert_int_equal(s.insert(u, &r), ARCHASE_EINVAL);
    assert_string_equal(s.errmsg(u), "a record needs an id");
    r = invoice("I1", "C1", 1, 20000);
    r.data = NULL;
    assert_int_equal(s.put(u, &r), ARCHASE_EINVAL);
    assert_string_equal(s.errmsg(u), "record data is missing");
    assert_int_equal(s.put(u, NULL), ARCHASE_EINVAL);
    r = invoice("I1", "C1", 1, 20000);
    assert_int_equal(s.insert(u, &r), 0);
    assert_int_equal(s.insert(u, &r), ARCHASE_ECONFLICT);
    assert_string_equal(s.errmsg(u), "a record with this id is already stored");
    assert_int_equal(s.del(u, ARCHASE_FAMILY_INVOICE, "nothing"), ARCHASE_ENOTFOUND);
    assert_int_equal(s.get(u, ARCHASE_FAMILY_INVOICE, "nothing", see, &sn), ARCHASE_ENOTFOUND);

    archase_scan_filter fl = ARCHASE_SCAN_FILTER_INIT;
    uint64_t n = 5;
    assert_int_equal(s.scan(u, NULL, see, &sn), ARCHASE_EINVAL);
    assert_int_equal(s.scan(u, &fl, see, &sn), ARCHASE_EINVAL);
    assert_string_equal(s.errmsg(u), "bad scan filter");
    fl.family = ARCHASE_FAMILY_INVOICE;
    fl.version = 0;
    assert_int_equal(s.count(u, &fl, &n), ARCHASE_EINVAL);
    assert_int_equal(n, 5);

    archase_audit_entry e = entry(0);
    const char *null_link[] = { NULL };
    assert_int_equal(s.audit_append(u, NULL), ARCHASE_EINVAL);
    e.actor = NULL;
    assert_int_equal(s.audit_append(u, &e), ARCHASE_EINVAL);
    assert_string_equal(s.errmsg(u), "bad audit entry");
    e = entry(0);
    e.links = null_link;
    e.link_count = 1;
    assert_int_equal(s.audit_append(u, &e), ARCHASE_EINVAL);
    assert_string_equal(s.errmsg(u), "bad audit entry: a NULL link");
    e = entry(4);
    assert_int_equal(s.audit_append(u, &e), ARCHASE_ECONFLICT);
    assert_string_equal(s.errmsg(u), "audit index is not the next one");
    assert_int_equal(s.audit_size(u, &n), 0);
    assert_int_equal(n, 0);

    assert_int_equal(s.commit(u), ARCHASE_ESTATE);
    assert_string_equal(s.errmsg(u), "no transaction is open");
    assert_int_equal(s.rollback(u), ARCHASE_ESTATE);
    assert_int_equal(s.begin(u), 0);
    assert_int_equal(s.begin(u), ARCHASE_ESTATE);
    assert_string_equal(s.errmsg(u), "a transaction is already open");
    assert_int_equal(s.rollback(u), 0);
    s.close(u);
}

static void filters_callbacks_and_rollbacks(void **state) {
    (void)state;
    archase_storage s;
    assert_int_equal(archase_memory_storage_new(NULL, &s), 0);
    void *u = s.userdata;
    for (int i = 0; i < 6; i++) {
        char id[8];
        snprintf(id, sizeof id, "I%d", i);
        archase_record r = invoice(id, i % 2 ? "C1" : "C2", i % 3 ? 1 : 2, (archase_date)(20000 + i));
        assert_int_equal(s.put(u, &r), 0);
    }
    archase_scan_filter fl = ARCHASE_SCAN_FILTER_INIT;
    fl.family = ARCHASE_FAMILY_INVOICE;
    fl.customer_id = "C1";
    fl.status = 1;
    fl.date_from = 20001;
    fl.date_to = 20004;
    uint64_t n = 0;
    seen sn = { 0, 0, "" };
    assert_int_equal(s.count(u, &fl, &n), 0);
    assert_int_equal(s.scan(u, &fl, see, &sn), 0);
    assert_int_equal(n, (uint64_t)sn.n);
    assert_int_equal(n, 1); /* I1 (I3 is status 2, I5 is past the range) */
    assert_string_equal(sn.id, "I1");
    fl = (archase_scan_filter)ARCHASE_SCAN_FILTER_INIT;
    fl.family = ARCHASE_FAMILY_INVOICE;
    fl.invoice_id = "I4";
    fl.flags = ARCHASE_SCAN_NO_DATA;
    sn.n = 0;
    assert_int_equal(s.scan(u, &fl, see, &sn), 0);
    assert_int_equal(sn.n, 1);
    /* Stop and fail. */
    fl.invoice_id = NULL;
    sn = (seen){ 0, ARCHASE_SCAN_STOP, "" };
    assert_int_equal(s.scan(u, &fl, see, &sn), 0);
    assert_int_equal(sn.n, 1);
    sn = (seen){ 0, ARCHASE_ECALLBACK, "" };
    assert_int_equal(s.scan(u, &fl, see, &sn), ARCHASE_ECALLBACK);
    assert_int_equal(s.get(u, ARCHASE_FAMILY_INVOICE, "I0", see, &sn), ARCHASE_ECALLBACK);

    /* A transaction of puts, an insert, deletes and audit entries, rolled back. */
    archase_audit_entry e = entry(0);
    assert_int_equal(s.audit_append(u, &e), 0);
    assert_int_equal(s.begin(u), 0);
    archase_record r = invoice("I0", "C9", 1, 21000);
    assert_int_equal(s.put(u, &r), 0);
    r = invoice("I9", "C9", 1, 21000);
    assert_int_equal(s.insert(u, &r), 0);
    assert_int_equal(s.del(u, ARCHASE_FAMILY_INVOICE, "I1"), 0);
    assert_int_equal(s.del(u, ARCHASE_FAMILY_INVOICE, "I9"), 0);
    e = entry(1);
    assert_int_equal(s.audit_append(u, &e), 0);
    assert_int_equal(s.rollback(u), 0);
    fl = (archase_scan_filter)ARCHASE_SCAN_FILTER_INIT;
    fl.family = ARCHASE_FAMILY_INVOICE;
    fl.customer_id = "C9";
    assert_int_equal(s.count(u, &fl, &n), 0);
    assert_int_equal(n, 0);
    sn = (seen){ 0, 0, "" };
    assert_int_equal(s.get(u, ARCHASE_FAMILY_INVOICE, "I1", see, &sn), 0);
    assert_int_equal(s.audit_size(u, &n), 0);
    assert_int_equal(n, 1);
    /* Audit reads past the end, stopping and failing. */
    sn = (seen){ 0, 0, "" };
    assert_int_equal(s.audit_read(u, 5, 9, see_entry, &sn), 0);
    assert_int_equal(sn.n, 0);
    sn.rc = ARCHASE_SCAN_STOP;
    assert_int_equal(s.audit_read(u, 0, UINT64_MAX, see_entry, &sn), 0);
    assert_int_equal(sn.n, 1);
    sn.rc = ARCHASE_EIO;
    assert_int_equal(s.audit_read(u, 0, 1, see_entry, &sn), ARCHASE_EIO);
    s.close(u);
}

static int memory_with(const archase_allocator *a, void *ctx) {
    (void)ctx;
    archase_storage s;
    int rc = archase_memory_storage_new(a, &s);
    if (rc)
        return rc;
    void *u = s.userdata;
    const char *links[] = { "l1", "l2" };
    for (int i = 0; i < 12 && !rc; i++) {
        char id[8];
        snprintf(id, sizeof id, "I%02d", 11 - i);
        archase_record r = invoice(id, i % 2 ? "C1" : "C2", 1, (archase_date)(20000 + i));
        rc = s.put(u, &r);
    }
    if (!rc)
        rc = s.begin(u);
    if (!rc) {
        archase_record r = invoice("I99", "C3", 2, 20500);
        rc = s.insert(u, &r);
        if (!rc)
            rc = s.del(u, ARCHASE_FAMILY_INVOICE, "I00");
        archase_audit_entry e = entry(0);
        e.links = links;
        e.link_count = 2;
        if (!rc)
            rc = s.audit_append(u, &e);
        if (!rc)
            rc = s.commit(u);
        else
            s.rollback(u);
    }
    archase_scan_filter fl = ARCHASE_SCAN_FILTER_INIT;
    fl.family = ARCHASE_FAMILY_INVOICE;
    fl.customer_id = "C1";
    seen sn = { 0, 0, "" };
    if (!rc)
        rc = s.scan(u, &fl, see, &sn);
    if (!rc && sn.n != 5) /* six, less the one deleted */
        rc = ARCHASE_EINVAL;
    s.close(u);
    return rc;
}

static void every_allocation_failure_is_out_of_memory(void **state) {
    (void)state;
    assert_true(failalloc_loop(memory_with, NULL, NULL) > 5);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(slots_refuse_what_they_cannot_store),
    cmocka_unit_test(filters_callbacks_and_rollbacks),
    cmocka_unit_test(every_allocation_failure_is_out_of_memory),
};

AR_TEST_MAIN(tests)
