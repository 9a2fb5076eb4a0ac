/* tests/test_cov_engine.c — the engine handle and the fact readers at their
 * edges: opening with every kind of wrong argument, backend table and clock;
 * a backend with only the required slots (what works, and the message naming
 * the slot that is missing); the readers' arguments, "not found", callbacks
 * that stop, promises and disputes found by any invoice they cover; the
 * names of the ledger's enums both ways. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/testutil.h"

static archase_instant fixed_now(void *userdata) {
    (void)userdata;
    return 1790812800;
}

static void opening_checks_everything_it_is_given(void **state) {
    (void)state;
    archase_storage s;
    assert_int_equal(archase_memory_storage_new(NULL, &s), 0);
    archase_engine *eng = (archase_engine *)0x1;
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    assert_int_equal(archase_engine_open(NULL, &o, &eng), ARCHASE_EINVAL);
    assert_int_equal(archase_engine_open(&s, &o, NULL), ARCHASE_EINVAL);
    o.version = 9;
    assert_int_equal(archase_engine_open(&s, &o, &eng), ARCHASE_EVERSION);
    o = (archase_engine_options)ARCHASE_ENGINE_OPTIONS_INIT;
    archase_allocator bad = { 7, NULL, NULL, NULL, NULL };
    o.allocator = &bad;
    assert_int_equal(archase_engine_open(&s, &o, &eng), ARCHASE_EVERSION);
    o.allocator = NULL;
    /* The backend's table: a version from the future, each required slot missing. */
    archase_storage t = s;
    t.version = 99;
    assert_int_equal(archase_engine_open(&t, &o, &eng), ARCHASE_EVERSION);
    for (int slot = 0; slot < 6; slot++) {
        t = s;
        switch (slot) {
        case 0: t.get = NULL; break;
        case 1: t.put = NULL; break;
        case 2: t.scan = NULL; break;
        case 3: t.begin = NULL; break;
        case 4: t.commit = NULL; break;
        default: t.rollback = NULL; break;
        }
        assert_int_equal(archase_engine_open(&t, &o, &eng), ARCHASE_EINVAL);
    }
    /* The clock. */
    archase_clock clock = { 2, NULL, fixed_now };
    o.clock = &clock;
    assert_int_equal(archase_engine_open(&s, &o, &eng), ARCHASE_EVERSION);
    clock = (archase_clock){ ARCHASE_CLOCK_VERSION, NULL, NULL };
    assert_int_equal(archase_engine_open(&s, &o, &eng), ARCHASE_EINVAL);
    assert_ptr_equal(eng, (archase_engine *)0x1);
    /* An empty actor is "system"; the engine owns the backend from here. */
    clock.now = fixed_now;
    o.actor = "";
    assert_int_equal(archase_engine_open(&s, &o, &eng), 0);
    assert_string_equal(archase_engine_actor(eng), "system");
    int64_t v = -1;
    assert_int_equal(archase_engine_schema_version(eng, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_engine_schema_version(NULL, &v), ARCHASE_EINVAL);
    archase_engine_free(eng);
    /* A backend written against the first version of the table is taken
     * as it is (its table is shorter): it works like any other. */
    assert_int_equal(archase_memory_storage_new(NULL, &s), 0);
    t = s;
    t.version = 1;
    assert_int_equal(archase_engine_open(&t, NULL, &eng), 0);
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME";
    assert_int_equal(archase_customer_put(eng, &c, NULL), 0);
    archase_engine_free(eng);

    assert_null(archase_engine_actor(NULL));
    assert_string_equal(archase_engine_errmsg(NULL), "no engine");
    archase_engine_free(NULL);
    assert_int_equal(archase_open_memory(NULL, NULL), ARCHASE_EINVAL);
    o = (archase_engine_options)ARCHASE_ENGINE_OPTIONS_INIT;
    o.version = 0;
    assert_int_equal(archase_open_memory(&o, &eng), ARCHASE_EVERSION);
    assert_int_equal(archase_engine_options_init(NULL, ARCHASE_ENGINE_OPTIONS_VERSION), ARCHASE_EINVAL);
    assert_int_equal(archase_engine_options_init(&o, 2), ARCHASE_EVERSION);
    o.actor = "x";
    assert_int_equal(archase_engine_options_init(&o, ARCHASE_ENGINE_OPTIONS_VERSION), 0);
    assert_null(o.actor);
    assert_int_equal(o.version, ARCHASE_ENGINE_OPTIONS_VERSION);
}

/* ---- a backend with the required slots only ------------------------------------- */

static archase_customer acme(void) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME";
    return c;
}

static int count_fact(void *userdata, const archase_fact *fact) {
    (void)fact;
    ++*(int *)userdata;
    return 0;
}

static void a_backend_without_optional_slots_says_which_one_is_missing(void **state) {
    (void)state;
    archase_storage s;
    assert_int_equal(archase_memory_storage_new(NULL, &s), 0);
    archase_storage t = s;
    t.insert = NULL;
    t.count = NULL;
    t.del = NULL;
    t.errmsg = NULL;
    t.schema_version = NULL;
    t.audit_append = NULL;
    archase_engine *eng = NULL;
    assert_int_equal(archase_engine_open(&t, NULL, &eng), 0);
    /* Every accepted fact is audited: without the slot nothing is written. */
    archase_customer c = acme();
    assert_int_equal(archase_customer_put(eng, &c, NULL), ARCHASE_EUNSUPPORTED);
    assert_non_null(strstr(archase_engine_errmsg(eng), "the storage backend does not support 'audit_append'"));
    int n = 0;
    archase_fact_filter flt = ARCHASE_FACT_FILTER_INIT;
    flt.family = ARCHASE_FAMILY_CUSTOMER;
    assert_int_equal(archase_facts_scan(eng, &flt, count_fact, &n), 0);
    assert_int_equal(n, 0);
    int64_t v = 0;
    assert_int_equal(archase_engine_schema_version(eng, &v), ARCHASE_EUNSUPPORTED);
    assert_non_null(strstr(archase_engine_errmsg(eng), "'schema_version'"));
    archase_engine_free(eng);

    /* With the audit log but without insert or count: a fact is read first,
     * then stored. */
    assert_int_equal(archase_memory_storage_new(NULL, &s), 0);
    t = s;
    t.insert = NULL;
    t.count = NULL;
    assert_int_equal(archase_engine_open(&t, NULL, &eng), 0);
    archase_outcome out = 0;
    assert_int_equal(archase_customer_put(eng, &c, &out), 0);
    assert_int_equal(out, ARCHASE_OUTCOME_INSERTED);
    assert_int_equal(archase_customer_put(eng, &c, &out), 0);
    assert_int_equal(out, ARCHASE_OUTCOME_DUPLICATE);
    c.name = "ACME Ltd";
    c.revision = 2;
    assert_int_equal(archase_customer_put(eng, &c, &out), 0);
    assert_int_equal(out, ARCHASE_OUTCOME_UPDATED);
    c.revision = 1;
    c.name = "ACME Inc";
    assert_int_equal(archase_customer_put(eng, &c, &out), 0);
    assert_int_equal(out, ARCHASE_OUTCOME_STALE);
    c.revision = 2;
    assert_int_equal(archase_customer_put(eng, &c, &out), ARCHASE_ECONFLICT);
    n = 0;
    assert_int_equal(archase_facts_scan(eng, &flt, count_fact, &n), 0);
    assert_int_equal(n, 1);
    uint64_t size = 0;
    assert_int_equal(archase_audit_size(eng, &size), 0);
    assert_int_equal(size, 2);
    archase_engine_free(eng);
}

/* ---- what a failing backend says ------------------------------------------------ */

static int fake_rc;
static const char *fake_message;

static int fake_audit_size(void *userdata, uint64_t *out) {
    (void)userdata;
    *out = 0;
    return fake_rc;
}

static const char *fake_errmsg(void *userdata) {
    (void)userdata;
    return fake_message;
}

/* Each code a backend may return comes back as the caller's code with a
 * message naming the slot and the backend's own words (or saying it had
 * none); a missing slot is named. */
static void a_failing_backend_is_named_and_quoted(void **state) {
    (void)state;
    static const struct {
        int         rc, want;
        const char *message, *text;
    } cases[] = {
        { ARCHASE_ENOTFOUND, ARCHASE_ENOTFOUND, "gone", "storage audit_size: gone" },
        { ARCHASE_ECONFLICT, ARCHASE_ECONFLICT, "taken", "storage audit_size: taken" },
        { ARCHASE_ESTATE, ARCHASE_ESTATE, "", "storage audit_size: no message from the backend" },
        { ARCHASE_ENOMEM, ARCHASE_ENOMEM, "x", "storage audit_size: out of memory" },
        { ARCHASE_EBUSY, ARCHASE_EBUSY, "locked", "storage audit_size: the store is busy (locked by another writer): locked" },
        { ARCHASE_EIO, ARCHASE_ESTORAGE, "disk on fire", "storage audit_size failed: disk on fire" },
        { ARCHASE_EIO, ARCHASE_ESTORAGE, NULL, "storage audit_size failed: no message from the backend" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        archase_storage s;
        assert_int_equal(archase_memory_storage_new(NULL, &s), 0);
        archase_storage t = s;
        t.audit_size = fake_audit_size;
        t.errmsg = i == 6 ? NULL : fake_errmsg;
        archase_engine *eng = NULL;
        assert_int_equal(archase_engine_open(&t, NULL, &eng), 0);
        fake_rc = cases[i].rc;
        fake_message = cases[i].message;
        uint64_t n = 77;
        assert_int_equal(archase_audit_size(eng, &n), cases[i].want);
        assert_string_equal(archase_engine_errmsg(eng), cases[i].text);
        assert_int_equal(n, 77);
        archase_engine_free(eng);
    }
    archase_storage s;
    assert_int_equal(archase_memory_storage_new(NULL, &s), 0);
    archase_storage t = s;
    t.audit_size = NULL;
    archase_engine *eng = NULL;
    assert_int_equal(archase_engine_open(&t, NULL, &eng), 0);
    uint64_t n = 0;
    assert_int_equal(archase_audit_size(eng, &n), ARCHASE_EUNSUPPORTED);
    assert_string_equal(archase_engine_errmsg(eng), "the storage backend does not support 'audit_size'");
    archase_engine_free(eng);
}

/* ---- reading facts ------------------------------------------------------------- */

static int stop_fact(void *userdata, const archase_fact *fact) {
    (void)fact;
    ++*(int *)userdata;
    return ARCHASE_SCAN_STOP;
}

typedef struct names {
    char text[256];
} names;

static int name_fact(void *userdata, const archase_fact *fact) {
    names *n = userdata;
    const char *id = fact->promise ? fact->promise->id : fact->dispute ? fact->dispute->id
                     : fact->note  ? fact->note->id
                                   : "?";
    size_t len = strlen(n->text);
    snprintf(n->text + len, sizeof n->text - len, "%s;", id);
    return 0;
}

static void readers_check_arguments_and_filter_by_any_covered_invoice(void **state) {
    (void)state;
    archase_engine *eng = NULL;
    assert_int_equal(archase_open_memory(NULL, &eng), 0);
    archase_customer c = acme();
    assert_int_equal(archase_customer_put(eng, &c, NULL), 0);
    const char *ids[] = { "I1", "I2", "I3" };
    for (int i = 0; i < 3; i++) {
        archase_invoice inv = ARCHASE_INVOICE_INIT;
        inv.id = ids[i];
        inv.customer_id = "C1";
        inv.issue_date = 20454;
        inv.due_date = 20484;
        inv.amount = (archase_money){ 100000, "EUR" };
        assert_int_equal(archase_invoice_put(eng, &inv, NULL), 0);
    }
    const char *i12[] = { "I1", "I2" }, *i3[] = { "I3" }, *i2[] = { "I2" };
    archase_promise p = ARCHASE_PROMISE_INIT;
    p.id = "PR1";
    p.customer_id = "C1";
    p.invoice_ids = i12;
    p.invoice_count = 2;
    p.amount = (archase_money){ 1000, "EUR" };
    p.promised_date = 20500;
    assert_int_equal(archase_promise_put(eng, &p, NULL), 0);
    p.id = "PR2";
    p.invoice_ids = i3;
    p.invoice_count = 1;
    assert_int_equal(archase_promise_put(eng, &p, NULL), 0);
    archase_dispute d = ARCHASE_DISPUTE_INIT;
    d.id = "D1";
    d.customer_id = "C1";
    d.invoice_ids = i2;
    d.invoice_count = 1;
    d.amount = (archase_money){ 500, "EUR" };
    d.reason_code = "pricing";
    d.opened_on = 20490;
    assert_int_equal(archase_dispute_put(eng, &d, NULL), 0);
    archase_note note = ARCHASE_NOTE_INIT;
    note.id = "N1";
    note.customer_id = "C1";
    note.invoice_id = "I3";
    note.text = "called";
    assert_int_equal(archase_note_put(eng, &note, NULL), 0);

    /* Promises and disputes by any invoice they cover; notes by theirs. */
    archase_fact_filter flt = ARCHASE_FACT_FILTER_INIT;
    names n = { "" };
    flt.family = ARCHASE_FAMILY_PROMISE;
    flt.invoice_id = "I2";
    assert_int_equal(archase_facts_scan(eng, &flt, name_fact, &n), 0);
    flt.invoice_id = "I3";
    assert_int_equal(archase_facts_scan(eng, &flt, name_fact, &n), 0);
    flt.family = ARCHASE_FAMILY_DISPUTE;
    flt.invoice_id = "I1";
    assert_int_equal(archase_facts_scan(eng, &flt, name_fact, &n), 0);
    flt.invoice_id = "I2";
    assert_int_equal(archase_facts_scan(eng, &flt, name_fact, &n), 0);
    flt.family = ARCHASE_FAMILY_NOTE;
    flt.invoice_id = "I3";
    assert_int_equal(archase_facts_scan(eng, &flt, name_fact, &n), 0);
    flt.invoice_id = "I1";
    assert_int_equal(archase_facts_scan(eng, &flt, name_fact, &n), 0);
    assert_string_equal(n.text, "PR1;PR2;D1;N1;");

    /* A callback that stops; one that fails. */
    int seen = 0;
    assert_int_equal(archase_fact_get(eng, ARCHASE_FAMILY_PROMISE, "PR1", stop_fact, &seen), 0);
    flt.family = ARCHASE_FAMILY_PROMISE;
    flt.invoice_id = NULL;
    assert_int_equal(archase_facts_scan(eng, &flt, stop_fact, &seen), 0);
    assert_int_equal(seen, 2);

    /* Not found, and wrong arguments. */
    assert_int_equal(archase_fact_get(eng, ARCHASE_FAMILY_INVOICE, "I9", count_fact, &seen), ARCHASE_ENOTFOUND);
    assert_string_equal(archase_engine_errmsg(eng), "no invoice 'I9'");
    assert_int_equal(archase_fact_get(NULL, ARCHASE_FAMILY_INVOICE, "I1", count_fact, &seen), ARCHASE_EINVAL);
    assert_int_equal(archase_fact_get(eng, ARCHASE_FAMILY_CADENCE, "I1", count_fact, &seen), ARCHASE_EINVAL);
    assert_int_equal(archase_fact_get(eng, 0, "I1", count_fact, &seen), ARCHASE_EINVAL);
    assert_int_equal(archase_fact_get(eng, ARCHASE_FAMILY_INVOICE, NULL, count_fact, &seen), ARCHASE_EINVAL);
    assert_int_equal(archase_fact_get(eng, ARCHASE_FAMILY_INVOICE, "I1", NULL, &seen), ARCHASE_EINVAL);
    assert_string_equal(archase_engine_errmsg(eng), "archase_fact_get needs a fact family, an id and a callback");
    assert_int_equal(archase_facts_scan(NULL, &flt, count_fact, &seen), ARCHASE_EINVAL);
    assert_int_equal(archase_facts_scan(eng, NULL, count_fact, &seen), ARCHASE_EINVAL);
    assert_int_equal(archase_facts_scan(eng, &flt, NULL, &seen), ARCHASE_EINVAL);
    flt.family = ARCHASE_FAMILY_APPROVAL;
    assert_int_equal(archase_facts_scan(eng, &flt, count_fact, &seen), ARCHASE_EINVAL);
    flt.family = ARCHASE_FAMILY_NOTE;
    flt.version = 2;
    assert_int_equal(archase_facts_scan(eng, &flt, count_fact, &seen), ARCHASE_EVERSION);
    assert_string_equal(archase_engine_errmsg(eng), "fact filter version 2 is not supported");
    assert_int_equal(seen, 2);
    archase_engine_free(eng);
}

static void names_both_ways(void **state) {
    (void)state;
    static const char *const outcomes[] = { NULL, "inserted", "updated", "duplicate", "stale", NULL };
    for (int i = 0; i <= 5; i++) {
        if (outcomes[i])
            assert_string_equal(archase_outcome_name(i), outcomes[i]);
        else
            assert_null(archase_outcome_name(i));
    }
    int v = -1;
    assert_int_equal(archase_channel_from_name("sms", &v), 0);
    assert_int_equal(v, ARCHASE_CHANNEL_SMS);
    assert_string_equal(archase_channel_name(v), "sms");
    assert_int_equal(archase_channel_from_name("fax", &v), ARCHASE_EINVAL);
    assert_int_equal(archase_channel_from_name(NULL, &v), ARCHASE_EINVAL);
    assert_int_equal(archase_channel_from_name("sms", NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_payment_kind_from_name("write_off", &v), 0);
    assert_int_equal(v, ARCHASE_WRITE_OFF);
    assert_string_equal(archase_payment_kind_name(v), "write_off");
    assert_int_equal(archase_payment_kind_from_name("refund", &v), ARCHASE_EINVAL);
    assert_int_equal(archase_payment_kind_from_name(NULL, &v), ARCHASE_EINVAL);
    assert_int_equal(archase_payment_kind_from_name("payment", NULL), ARCHASE_EINVAL);
    assert_int_equal(v, ARCHASE_WRITE_OFF);
    assert_string_equal(archase_invoice_status_name(ARCHASE_INVOICE_SETTLED), "settled");
    assert_null(archase_invoice_status_name(0));
    assert_string_equal(archase_dispute_status_name(ARCHASE_DISPUTE_IN_REVIEW), "in_review");
    assert_null(archase_dispute_status_name(4));
    assert_string_equal(archase_dispute_resolution_name(ARCHASE_RESOLUTION_PARTIAL), "partial");
    assert_null(archase_dispute_resolution_name(9));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(opening_checks_everything_it_is_given),
    cmocka_unit_test(a_backend_without_optional_slots_says_which_one_is_missing),
    cmocka_unit_test(a_failing_backend_is_named_and_quoted),
    cmocka_unit_test(readers_check_arguments_and_filter_by_any_covered_invoice),
    cmocka_unit_test(names_both_ways),
};

AR_TEST_MAIN(tests)
