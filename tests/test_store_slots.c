/* tests/test_store_slots.c — an engine over a host's backend that leaves the
 * optional slots out (storage.h: a NULL slot means "not supported"): facts
 * are still recorded and read without insert and count, and what needs a
 * missing slot (verifying or exporting the audit log without audit_read,
 * dispatching without outbox_claim) says ARCHASE_EUNSUPPORTED naming the slot
 * and changes nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "archase/io.h"
#include "archase/sys/storage.h"
#include "archase/sys/transport.h"
#include "support/testutil.h"
#include "support/textsink.h"

static int sent;

static int send_ok(void *userdata, const archase_message *msg, int *result, char *detail, size_t detail_size) {
    (void)userdata;
    (void)msg;
    (void)detail;
    (void)detail_size;
    sent++;
    *result = ARCHASE_SEND_SENT;
    return 0;
}

/* A memory backend without insert, del, count, audit_read, the outbox slots. */
static archase_engine *engine_without_optional_slots(void) {
    archase_storage s;
    assert_int_equal(archase_memory_storage_new(NULL, &s), 0);
    s.insert = NULL;
    s.del = NULL;
    s.count = NULL;
    s.audit_read = NULL;
    s.outbox_claim = NULL;
    s.outbox_ack = NULL;
    s.outbox_mark_in_doubt = NULL;
    s.outbox_settle = NULL;
    archase_engine *eng = NULL;
    assert_int_equal(archase_engine_open(&s, NULL, &eng), 0);
    return eng;
}

static int import_csv(archase_engine *eng, int kind, const char *text) {
    archase_import_options o = ARCHASE_IMPORT_OPTIONS_INIT;
    o.kind = kind;
    o.as_of = 20489;
    return archase_import_buffer(eng, &o, text, strlen(text), NULL, NULL);
}

static void facts_are_recorded_and_read_without_insert_and_count(void **state) {
    (void)state;
    archase_engine *eng = engine_without_optional_slots();
    assert_int_equal(import_csv(eng, ARCHASE_KIND_CUSTOMERS, "customer_id,name\nC1,Acme\n"), 0);
    assert_int_equal(import_csv(eng, ARCHASE_KIND_INVOICES,
                                "invoice_id,customer_id,issue_date,due_date,amount,currency\n"
                                "I1,C1,2026-01-01,2026-01-31,100.00,EUR\nI2,C1,2026-01-01,2026-02-28,50.00,EUR\n"),
                     0);
    /* The same file again: duplicates, found by reading first. */
    assert_int_equal(import_csv(eng, ARCHASE_KIND_INVOICES,
                                "invoice_id,customer_id,issue_date,due_date,amount,currency\n"
                                "I1,C1,2026-01-01,2026-01-31,100.00,EUR\n"),
                     0);
    archase_export_options eo = ARCHASE_EXPORT_OPTIONS_INIT;
    eo.kind = ARCHASE_KIND_INVOICES;
    text_sink s = { NULL, 0 };
    assert_int_equal(archase_export(eng, &eo, text_sink_write, &s), 0);
    assert_non_null(strstr(s.data, "I1,C1,,2026-01-01,2026-01-31,100.00,EUR"));
    assert_non_null(strstr(s.data, "I2,C1,,2026-01-01,2026-02-28,50.00,EUR"));
    free(s.data);
    /* KPIs size their tables without count. */
    archase_kpi_report *k = NULL;
    assert_int_equal(archase_kpi_compute(eng, 20454, 20489, NULL, &k), 0);
    assert_int_equal(archase_kpi_row_count(k), 1);
    archase_kpi_value open_invoices, open_ar;
    assert_int_equal(archase_kpi_value_get(k, 0, ARCHASE_KPI_OPEN_INVOICES, &open_invoices), 0);
    assert_int_equal(archase_kpi_value_get(k, 0, ARCHASE_KPI_OPEN_AR, &open_ar), 0);
    assert_int_equal(open_invoices.value, 2);
    assert_int_equal(open_ar.value, 15000);
    archase_kpi_report_free(k);
    archase_engine_free(eng);
}

static void what_needs_a_missing_slot_is_unsupported_and_names_it(void **state) {
    (void)state;
    archase_engine *eng = engine_without_optional_slots();
    assert_int_equal(import_csv(eng, ARCHASE_KIND_CUSTOMERS, "customer_id,name\nC1,Acme\n"), 0);
    archase_audit_report report;
    memset(&report, 0, sizeof report);
    assert_int_equal(archase_audit_verify(eng, NULL, &report), ARCHASE_EUNSUPPORTED);
    assert_string_equal(archase_engine_errmsg(eng), "the storage backend does not support 'audit_read'");
    text_sink s = { NULL, 0 };
    assert_int_equal(archase_audit_export(eng, text_sink_write, &s), ARCHASE_EUNSUPPORTED);
    assert_string_equal(archase_engine_errmsg(eng), "the storage backend does not support 'audit_read'");
    free(s.data);

    archase_transport t;
    memset(&t, 0, sizeof t);
    t.version = ARCHASE_TRANSPORT_VERSION;
    t.send = send_ok;
    assert_int_equal(archase_engine_set_transport(eng, &t), 0);
    archase_dispatch_report r = ARCHASE_DISPATCH_REPORT_INIT;
    sent = 0;
    assert_int_equal(archase_dispatch(eng, NULL, &r), ARCHASE_EUNSUPPORTED);
    assert_string_equal(archase_engine_errmsg(eng), "the storage backend does not support 'outbox_claim'");
    assert_int_equal(sent, 0);
    archase_engine_free(eng);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(facts_are_recorded_and_read_without_insert_and_count),
    cmocka_unit_test(what_needs_a_missing_slot_is_unsupported_and_names_it),
};

AR_TEST_MAIN(tests)
