/* tests/test_promise_errors.c — what the promise calls and the day's move
 * refuse, through the public API: the fields of a recording not covered
 * elsewhere (an empty taken_by, a recorded_on after the day, a promise in
 * another currency than its invoice, an unsupported version), a revised
 * promise recorded as revised, the open-promise limit counted in its
 * message; cancelling without an id, a reason or a valid date, or while a
 * batch is open; reading with a callback that stops or fails; the day's
 * move refusing its arguments; a stored promise that cannot be decoded; and
 * storage failing while a promise is read and while it is cancelled. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/failalloc.h"
#include "support/ledger.h"
#include "support/testutil.h"

static const char policy_text[] =
    TEST_LEDGER_POLICY_HEAD
    "promises:\n"
    "  grace_days: 2\n"
    "  max_open_per_invoice: 2\n"
    "  max_days_ahead: 30\n";

typedef test_ledger fixture;

static const test_ledger_spec ledger = { policy_text, "anna", "anna", NULL, 0, 100000, 50000, NULL };

static archase_date D(const char *s) {
    return test_day(s);
}

static int setup(void **state) {
    return test_ledger_setup(state, &ledger);
}

static const char *const inv1[] = { "INV-1" };

static archase_promise promise(const char *id, int64_t minor, const char *date) {
    archase_promise p = ARCHASE_PROMISE_INIT;
    p.id = id;
    p.customer_id = "ACME";
    p.invoice_ids = inv1;
    p.invoice_count = 1;
    p.amount = (archase_money){ minor, "EUR" };
    p.promised_date = D(date);
    p.taken_by = "anna";
    return p;
}

typedef struct seen {
    int     count, state;
    int64_t amount;
    char    ids[128];
} seen;

static int see(void *ud, const archase_promise_info *info) {
    seen *s = ud;
    s->count++;
    s->state = info->state;
    s->amount = info->promise->amount.minor;
    size_t n = strlen(s->ids);
    snprintf(s->ids + n, sizeof s->ids - n, "%s;", info->promise->id);
    return 0;
}

static seen all(fixture *f) {
    seen s;
    memset(&s, 0, sizeof s);
    int rc = archase_promises_scan(f->eng, NULL, NULL, 0, see, &s);
    if (rc)
        fail_msg("scan: %s: %s", archase_error_name(rc), archase_engine_errmsg(f->eng));
    return s;
}

static void refuse(fixture *f, const archase_promise *p, int code, const char *words) {
    uint64_t before = test_audit_size(f->eng);
    seen had = all(f);
    test_says(f, archase_promise_record(f->eng, f->policy, p, D("2026-03-05")), code, words);
    assert_int_equal(test_audit_size(f->eng), before);
    assert_string_equal(all(f).ids, had.ids);
}

/* ---- recording -------------------------------------------------------------------------------- */

static void each_remaining_wrong_field_of_a_recording_is_named_and_nothing_is_written(void **state) {
    fixture *f = *state;
    archase_promise p = promise("P-1", 1000, "2026-03-10");
    p.taken_by = "";
    refuse(f, &p, ARCHASE_EINVAL, "taken_by is required");
    p = promise("P-1", 1000, "2026-03-10");
    p.recorded_on = D("2026-03-06");
    refuse(f, &p, ARCHASE_EINVAL, "recorded_on is after 2026-03-05");
    p = promise("P-1", 1000, "2026-03-10");
    memcpy(p.amount.currency, "USD", 4);
    refuse(f, &p, ARCHASE_ECURRENCY, "invoice 'INV-1' is in EUR, the promise in USD");
    p = promise("P-1", 1000, "2026-03-10");
    p.version = 4;
    refuse(f, &p, ARCHASE_EVERSION, "promise");
    test_says(f, archase_promise_record(f->eng, f->policy, NULL, D("2026-03-05")), ARCHASE_EINVAL, "needs a policy");
    p = promise("P-1", 1000, "2026-03-10");
    test_says(f, archase_promise_record(f->eng, f->policy, &p, ARCHASE_DATE_MIN - 1), ARCHASE_EINVAL,
              "a valid as-of date");
    archase_batch *b = NULL;
    assert_int_equal(archase_batch_begin(f->eng, NULL, NULL, &b), 0);
    test_says(f, archase_promise_record(f->eng, f->policy, &p, D("2026-03-05")), ARCHASE_ESTATE, "a batch is open");
    archase_batch_free(b);
    assert_int_equal(all(f).count, 0);
}

static void the_open_promise_limit_counts_the_others_in_its_message(void **state) {
    fixture *f = *state;
    archase_promise p = promise("P-1", 1000, "2026-03-10");
    assert_int_equal(archase_promise_record(f->eng, f->policy, &p, D("2026-03-05")), 0);
    p = promise("P-2", 1000, "2026-03-12");
    assert_int_equal(archase_promise_record(f->eng, f->policy, &p, D("2026-03-05")), 0);
    p = promise("P-3", 1000, "2026-03-14");
    refuse(f, &p, ARCHASE_EINVAL, "invoice 'INV-1' already has 2 open promises (promises.max_open_per_invoice is 2)");
    /* recording one of them again does not count it against itself */
    p = promise("P-2", 1000, "2026-03-12");
    uint64_t before = test_audit_size(f->eng);
    assert_int_equal(archase_promise_record(f->eng, f->policy, &p, D("2026-03-05")), 0);
    assert_int_equal(test_audit_size(f->eng), before);
}

static void a_revised_promise_is_recorded_as_revised(void **state) {
    fixture *f = *state;
    archase_promise p = promise("P-1", 1000, "2026-03-10");
    assert_int_equal(archase_promise_record(f->eng, f->policy, &p, D("2026-03-05")), 0);
    uint64_t before = test_audit_size(f->eng);
    p.revision = 1;
    p.amount.minor = 2000;
    p.note = "the customer will pay both instalments at once";
    int rc = archase_promise_record(f->eng, f->policy, &p, D("2026-03-06"));
    if (rc)
        fail_msg("revise: %s: %s", archase_error_name(rc), archase_engine_errmsg(f->eng));
    assert_int_equal(test_audit_size(f->eng), before + 2); /* the new revision and its transition */
    seen s = all(f);
    assert_int_equal(s.count, 1);
    assert_int_equal(s.amount, 2000);
    assert_int_equal(s.state, ARCHASE_PROMISE_STATE_OPEN);
}

/* ---- cancelling ----------------------------------------------------------------------------------- */

static void a_cancellation_refuses_what_it_cannot_do_and_writes_nothing(void **state) {
    fixture *f = *state;
    archase_promise p = promise("P-1", 1000, "2026-03-10");
    assert_int_equal(archase_promise_record(f->eng, f->policy, &p, D("2026-03-05")), 0);
    uint64_t before = test_audit_size(f->eng);
    test_says(f, archase_promise_cancel(f->eng, NULL, "paid elsewhere", D("2026-03-06")), ARCHASE_EINVAL,
              "needs a promise id and a valid date");
    test_says(f, archase_promise_cancel(f->eng, "", "paid elsewhere", D("2026-03-06")), ARCHASE_EINVAL,
              "needs a promise id and a valid date");
    test_says(f, archase_promise_cancel(f->eng, "P-1", "paid elsewhere", ARCHASE_DATE_MAX + 1), ARCHASE_EINVAL,
              "needs a promise id and a valid date");
    test_says(f, archase_promise_cancel(f->eng, "P-1", NULL, D("2026-03-06")), ARCHASE_EINVAL,
              "a reason for cancelling is required");
    test_says(f, archase_promise_cancel(f->eng, "P-1", "", D("2026-03-06")), ARCHASE_EINVAL,
              "a reason for cancelling is required");
    test_says(f, archase_promise_cancel(f->eng, "P-1", "pa\xffid", D("2026-03-06")), ARCHASE_EINVAL,
              "a reason for cancelling is required");
    assert_int_equal(archase_promise_cancel(NULL, "P-1", "paid elsewhere", D("2026-03-06")), ARCHASE_EINVAL);
    archase_batch *b = NULL;
    assert_int_equal(archase_batch_begin(f->eng, NULL, NULL, &b), 0);
    test_says(f, archase_promise_cancel(f->eng, "P-1", "paid elsewhere", D("2026-03-06")), ARCHASE_ESTATE,
              "a batch is open");
    archase_batch_free(b);
    assert_int_equal(test_audit_size(f->eng), before);
    assert_int_equal(all(f).state, ARCHASE_PROMISE_STATE_OPEN);
}

/* ---- reading ---------------------------------------------------------------------------------------- */

static int stop(void *ud, const archase_promise_info *info) {
    see(ud, info);
    return ARCHASE_SCAN_STOP;
}

static int fail_with_conflict(void *ud, const archase_promise_info *info) {
    (void)ud, (void)info;
    return ARCHASE_ECONFLICT;
}

static void reading_refuses_what_it_cannot_answer_and_passes_the_callbacks_code_on(void **state) {
    fixture *f = *state;
    archase_promise p = promise("P-1", 1000, "2026-03-10");
    assert_int_equal(archase_promise_record(f->eng, f->policy, &p, D("2026-03-05")), 0);
    p = promise("P-2", 1000, "2026-03-11");
    assert_int_equal(archase_promise_record(f->eng, f->policy, &p, D("2026-03-05")), 0);
    seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(archase_promise_get(f->eng, "P-1", stop, &s), 0);
    assert_string_equal(s.ids, "P-1;");
    assert_int_equal(archase_promise_get(f->eng, "P-1", fail_with_conflict, NULL), ARCHASE_ECONFLICT);
    test_says(f, archase_promise_get(f->eng, "P-9", see, &s), ARCHASE_ENOTFOUND, "no promise 'P-9'");
    test_says(f, archase_promise_get(f->eng, NULL, see, &s), ARCHASE_EINVAL, "needs an id and a callback");
    test_says(f, archase_promise_get(f->eng, "P-1", NULL, &s), ARCHASE_EINVAL, "needs an id and a callback");
    assert_int_equal(archase_promise_get(NULL, "P-1", see, &s), ARCHASE_EINVAL);
    memset(&s, 0, sizeof s);
    assert_int_equal(archase_promises_scan(f->eng, "ACME", "INV-1", ARCHASE_PROMISE_STATE_OPEN, stop, &s), 0);
    assert_string_equal(s.ids, "P-1;");
    assert_int_equal(archase_promises_scan(f->eng, NULL, "INV-2", 0, see, &s), 0);
    assert_string_equal(s.ids, "P-1;"); /* neither covers INV-2 */
    assert_int_equal(archase_promises_scan(f->eng, NULL, NULL, 0, fail_with_conflict, NULL), ARCHASE_ECONFLICT);
    test_says(f, archase_promises_scan(f->eng, NULL, NULL, 0, NULL, &s), ARCHASE_EINVAL, "a callback and a known state");
    test_says(f, archase_promises_scan(f->eng, NULL, NULL, -1, see, &s), ARCHASE_EINVAL, "a callback and a known state");
    test_says(f, archase_promises_scan(f->eng, NULL, NULL, ARCHASE_PROMISE_STATE_CANCELLED + 1, see, &s), ARCHASE_EINVAL,
              "a callback and a known state");
    assert_int_equal(archase_promises_scan(NULL, NULL, NULL, 0, see, &s), ARCHASE_EINVAL);
    assert_null(archase_promise_state_name(0));
    assert_string_equal(archase_promise_state_name(ARCHASE_PROMISE_STATE_PARTIALLY_KEPT), "partially_kept");
}

/* ---- the day's move --------------------------------------------------------------------------------- */

static void the_days_move_refuses_its_arguments_and_an_open_batch(void **state) {
    fixture *f = *state;
    archase_promise p = promise("P-1", 1000, "2026-03-05");
    assert_int_equal(archase_promise_record(f->eng, f->policy, &p, D("2026-03-05")), 0);
    uint64_t before = test_audit_size(f->eng);
    archase_lifecycle_counts c = { ARCHASE_LIFECYCLE_COUNTS_VERSION, 0, 0, 0, 0, 0, 0, 0 };
    test_says(f, archase_lifecycle_update(f->eng, NULL, D("2026-03-10"), &c), ARCHASE_EINVAL, "needs a policy");
    test_says(f, archase_lifecycle_update(f->eng, f->policy, ARCHASE_DATE_NONE, &c), ARCHASE_EINVAL, "a valid date");
    c.version = 2;
    test_says(f, archase_lifecycle_update(f->eng, f->policy, D("2026-03-10"), &c), ARCHASE_EVERSION,
              "lifecycle counts version 2");
    c.version = ARCHASE_LIFECYCLE_COUNTS_VERSION;
    assert_int_equal(archase_lifecycle_update(NULL, f->policy, D("2026-03-10"), &c), ARCHASE_EINVAL);
    archase_batch *b = NULL;
    assert_int_equal(archase_batch_begin(f->eng, NULL, NULL, &b), 0);
    test_says(f, archase_lifecycle_update(f->eng, f->policy, D("2026-03-10"), &c), ARCHASE_ESTATE, "a batch is open");
    archase_batch_free(b);
    assert_int_equal(test_audit_size(f->eng), before);
    assert_int_equal(all(f).state, ARCHASE_PROMISE_STATE_OPEN);
    /* without counts it still moves: broken after the two days' grace */
    assert_int_equal(archase_lifecycle_update(f->eng, f->policy, D("2026-03-08"), NULL), 0);
    assert_int_equal(all(f).state, ARCHASE_PROMISE_STATE_BROKEN);
}

/* ---- read back ---------------------------------------------------------------------------------------- */

static void a_stored_promise_that_cannot_be_decoded_is_a_storage_error_naming_it(void **state) {
    (void)state;
    archase_storage store;
    assert_int_equal(archase_memory_storage_new(NULL, &store), 0);
    fixture l;
    memset(&l, 0, sizeof l);
    fixture *f = &l;
    assert_int_equal(test_ledger_open(f, &ledger, NULL, &store), 0);
    archase_promise p = promise("P-1", 1000, "2026-03-10");
    assert_int_equal(archase_promise_record(f->eng, f->policy, &p, D("2026-03-05")), 0);
    test_stored_copy c;
    test_stored_copy_get(&store, ARCHASE_FAMILY_PROMISE, "P-1", &c);
    test_stored_copy_put_cut(&store, &c, c.rec.size / 3);
    seen s;
    memset(&s, 0, sizeof s);
    test_says(f, archase_promise_get(f->eng, "P-1", see, &s), ARCHASE_ESTORAGE, "the stored promise 'P-1' cannot be decoded");
    test_says(f, archase_promises_scan(f->eng, NULL, NULL, 0, see, &s), ARCHASE_ESTORAGE,
              "the stored promise 'P-1' cannot be decoded");
    assert_int_equal(s.count, 0);
    assert_int_equal(store.put(store.userdata, &c.rec), 0);
    assert_int_equal(all(f).count, 1);
    test_ledger_close(f);
}

/* ---- storage failing ------------------------------------------------------------------------------------ */

static void a_failing_storage_call_fails_the_reading_of_a_broken_promise(void **state) {
    (void)state;
    test_fault_round fr;
    for (test_fault_start(&fr, &ledger); test_fault_next(&fr);) {
        fixture *f = &fr.l;
        archase_promise p = promise("P-1", 1000, "2026-03-05");
        assert_int_equal(archase_promise_record(f->eng, f->policy, &p, D("2026-03-05")), 0);
        p = promise("P-2", 1000, "2026-03-06");
        assert_int_equal(archase_promise_record(f->eng, f->policy, &p, D("2026-03-05")), 0);
        assert_int_equal(archase_lifecycle_update(f->eng, f->policy, D("2026-03-10"), NULL), 0);
        seen s;
        memset(&s, 0, sizeof s);
        test_fault_arm(&fr);
        int rc = archase_promises_scan(f->eng, NULL, NULL, 0, see, &s);
        if (test_fault_disarm(&fr)) {
            assert_int_equal(rc, ARCHASE_ESTORAGE);
        } else {
            assert_int_equal(rc, 0);
            assert_string_equal(s.ids, "P-1;P-2;");
            assert_int_equal(s.state, ARCHASE_PROMISE_STATE_BROKEN);
        }
    }
}

static void a_failing_storage_call_leaves_the_promise_open(void **state) {
    (void)state;
    test_fault_round fr;
    for (test_fault_start(&fr, &ledger); test_fault_next(&fr);) {
        fixture *f = &fr.l;
        archase_promise p = promise("P-1", 1000, "2026-03-10");
        assert_int_equal(archase_promise_record(f->eng, f->policy, &p, D("2026-03-05")), 0);
        uint64_t before = test_audit_size(f->eng);
        test_fault_arm(&fr);
        int rc = archase_promise_cancel(f->eng, "P-1", "the customer paid another way", D("2026-03-06"));
        int failed = test_fault_disarm(&fr);
        if (failed) {
            assert_int_equal(rc, ARCHASE_ESTORAGE);
            assert_int_equal(all(f).state, ARCHASE_PROMISE_STATE_OPEN);
            assert_int_equal(test_audit_size(f->eng), before);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(all(f).state, ARCHASE_PROMISE_STATE_CANCELLED);
            assert_int_equal(test_audit_size(f->eng), before + 1);
        }
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(each_remaining_wrong_field_of_a_recording_is_named_and_nothing_is_written, setup,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(the_open_promise_limit_counts_the_others_in_its_message, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_revised_promise_is_recorded_as_revised, setup, test_ledger_teardown),
    cmocka_unit_test_setup_teardown(a_cancellation_refuses_what_it_cannot_do_and_writes_nothing, setup,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(reading_refuses_what_it_cannot_answer_and_passes_the_callbacks_code_on, setup,
                                    test_ledger_teardown),
    cmocka_unit_test_setup_teardown(the_days_move_refuses_its_arguments_and_an_open_batch, setup, test_ledger_teardown),
    cmocka_unit_test(a_stored_promise_that_cannot_be_decoded_is_a_storage_error_naming_it),
    cmocka_unit_test(a_failing_storage_call_fails_the_reading_of_a_broken_promise),
    cmocka_unit_test(a_failing_storage_call_leaves_the_promise_open),
};

AR_TEST_MAIN(tests)
