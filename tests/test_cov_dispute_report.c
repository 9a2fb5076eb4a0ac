/* tests/test_cov_dispute_report.c — the dispute report's figures and edges:
 * every age band, disputes opened or resolved after the day, an owner or
 * none, root causes by month, rows in (group, month, key) order, callbacks
 * that stop or fail, bad arguments, and every allocation failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/failalloc.h"
#include "support/testutil.h"

#define AS_OF 20500 /* 2026-02-16 */

static const char policy_text[] =
    "version: 1\n"
    "currency: {default: EUR}\n"
    "segments: [{name: all, sequence: s}]\n"
    "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n";

static int put_dispute(archase_engine *eng, const char *id, const char *invoice, const char *reason,
                       archase_date opened, const char *owner, archase_date resolved, const char *cause) {
    const char *ids[] = { invoice };
    archase_dispute d = ARCHASE_DISPUTE_INIT;
    d.id = id;
    d.customer_id = "C1";
    d.invoice_ids = ids;
    d.invoice_count = 1;
    d.amount = (archase_money){ 100, "EUR" };
    d.reason_code = reason;
    d.opened_on = opened;
    d.owner = owner;
    if (resolved != ARCHASE_DATE_NONE) {
        d.status = ARCHASE_DISPUTE_RESOLVED;
        d.resolution = ARCHASE_RESOLUTION_REJECTED;
        d.root_cause = cause;
        d.resolved_on = resolved;
    }
    return archase_dispute_put(eng, &d, NULL);
}

/* Disputes 10, 45, 75 and 120 days old, one opened after the day, one
 * resolved in January, one resolved after the day (open on the day). */
static int put_ledger(archase_engine *eng) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME";
    c.collector = "kim";
    int rc = archase_customer_put(eng, &c, NULL);
    const char *ids[] = { "I1", "I2", "I3", "I4", "I5", "I6", "I7" };
    for (int i = 0; i < 7 && !rc; i++) {
        archase_invoice inv = ARCHASE_INVOICE_INIT;
        inv.id = ids[i];
        inv.customer_id = "C1";
        inv.issue_date = AS_OF - 200;
        inv.due_date = AS_OF - 170;
        inv.amount = (archase_money){ 10000, "EUR" };
        rc = archase_invoice_put(eng, &inv, NULL);
    }
    if (!rc)
        rc = put_dispute(eng, "D1", "I1", "pricing", AS_OF - 10, "sam", ARCHASE_DATE_NONE, NULL);
    if (!rc)
        rc = put_dispute(eng, "D2", "I2", "pricing", AS_OF - 45, NULL, ARCHASE_DATE_NONE, NULL);
    if (!rc)
        rc = put_dispute(eng, "D3", "I3", "tax", AS_OF - 75, NULL, ARCHASE_DATE_NONE, NULL);
    if (!rc)
        rc = put_dispute(eng, "D4", "I4", "tax", AS_OF - 120, "sam", ARCHASE_DATE_NONE, NULL);
    if (!rc)
        rc = put_dispute(eng, "D5", "I5", "tax", AS_OF + 3, NULL, ARCHASE_DATE_NONE, NULL);
    if (!rc)
        rc = put_dispute(eng, "D6", "I6", "pricing", AS_OF - 40, NULL, AS_OF - 30, "price_list");
    if (!rc)
        rc = put_dispute(eng, "D7", "I7", "pricing", AS_OF - 5, NULL, AS_OF + 2, "price_list");
    return rc;
}

typedef struct rows {
    char text[2048];
    int  n, stop_at, fail_at;
} rows;

static int row_fn(void *userdata, const archase_dispute_report_row *row) {
    rows *r = userdata;
    r->n++;
    size_t len = strlen(r->text);
    snprintf(r->text + len, sizeof r->text - len, "%s|%s|%s|%llu|%lld|%lld\n", row->group, row->month, row->key,
             (unsigned long long)row->count, (long long)row->days, (long long)row->max_days);
    if (r->n == r->stop_at)
        return ARCHASE_SCAN_STOP;
    if (r->n == r->fail_at)
        return ARCHASE_ECALLBACK;
    return 0;
}

static const char expected[] =
    "open_by_age||0-30|2|15|10\n"
    "open_by_age||31-60|1|45|45\n"
    "open_by_age||61-90|1|75|75\n"
    "open_by_age||91+|1|120|120\n"
    "open_by_owner||collector|3|125|75\n" /* the playbook's role when the dispute names nobody */
    "open_by_owner||sam|2|130|120\n"
    "open_by_reason||pricing|3|60|45\n"
    "open_by_reason||tax|2|195|120\n"
    "root_cause|2026-01|price_list|1|10|10\n"
    "time_to_resolve||all|1|10|10\n"
    "time_to_resolve||pricing|1|10|10\n";

static void the_report_counts_every_band_and_skips_the_future(void **state) {
    (void)state;
    archase_engine *eng = NULL;
    archase_policy *policy = NULL;
    assert_int_equal(archase_open_memory(NULL, &eng), 0);
    assert_int_equal(archase_policy_load_buffer(policy_text, strlen(policy_text), "p.yaml", NULL, &policy, NULL), 0);
    int rc = put_ledger(eng);
    if (rc)
        fail_msg("%s", archase_engine_errmsg(eng));
    rows r;
    memset(&r, 0, sizeof r);
    assert_int_equal(archase_dispute_report(eng, policy, AS_OF, row_fn, &r), 0);
    assert_string_equal(r.text, expected);
    /* Stopped after two rows; failed at the third. */
    memset(&r, 0, sizeof r);
    r.stop_at = 2;
    assert_int_equal(archase_dispute_report(eng, policy, AS_OF, row_fn, &r), 0);
    assert_int_equal(r.n, 2);
    memset(&r, 0, sizeof r);
    r.fail_at = 3;
    assert_int_equal(archase_dispute_report(eng, policy, AS_OF, row_fn, &r), ARCHASE_ECALLBACK);
    assert_int_equal(r.n, 3);
    /* Before any dispute was opened: no rows. */
    memset(&r, 0, sizeof r);
    assert_int_equal(archase_dispute_report(eng, policy, AS_OF - 200, row_fn, &r), 0);
    assert_int_equal(r.n, 0);
    /* Arguments. */
    assert_int_equal(archase_dispute_report(NULL, policy, AS_OF, row_fn, &r), ARCHASE_EINVAL);
    assert_int_equal(archase_dispute_report(eng, NULL, AS_OF, row_fn, &r), ARCHASE_EINVAL);
    assert_int_equal(archase_dispute_report(eng, policy, AS_OF, NULL, &r), ARCHASE_EINVAL);
    assert_int_equal(archase_dispute_report(eng, policy, ARCHASE_DATE_NONE, row_fn, &r), ARCHASE_EINVAL);
    assert_string_equal(archase_engine_errmsg(eng), "archase_dispute_report needs a policy, a callback and a valid date");
    assert_int_equal(r.n, 0);
    archase_policy_free(policy);
    archase_engine_free(eng);
}

static void the_report_survives_every_allocation_failure(void **state) {
    (void)state;
    archase_policy *policy = NULL;
    assert_int_equal(archase_policy_load_buffer(policy_text, strlen(policy_text), "p.yaml", NULL, &policy, NULL), 0);
    size_t runs = 0;
    for (int persistent = 1; persistent >= 0; persistent--) {
        for (size_t n = 1;; n++) {
            failalloc fa;
            failalloc_init(&fa);
            archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
            o.allocator = &fa.allocator;
            archase_engine *eng = NULL;
            assert_int_equal(archase_open_memory(&o, &eng), 0);
            assert_int_equal(put_ledger(eng), 0);
            rows r;
            memset(&r, 0, sizeof r);
            failalloc_arm(&fa, n, persistent);
            int rc = archase_dispute_report(eng, policy, AS_OF, row_fn, &r);
            size_t failures = fa.failures;
            failalloc_arm(&fa, 0, 0);
            if (failures) {
                assert_int_equal(rc, ARCHASE_ENOMEM);
                assert_int_equal(r.n, 0); /* no row before every row is counted */
            } else {
                assert_int_equal(rc, 0);
                assert_string_equal(r.text, expected);
            }
            archase_engine_free(eng);
            assert_int_equal(fa.live, 0);
            runs++;
            if (!failures)
                break;
        }
    }
    assert_true(runs > 10);
    archase_policy_free(policy);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(the_report_counts_every_band_and_skips_the_future),
    cmocka_unit_test(the_report_survives_every_allocation_failure),
};

AR_TEST_MAIN(tests)
