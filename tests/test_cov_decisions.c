/* tests/test_cov_decisions.c — reading an evaluation's result with wrong
 * arguments: every accessor of decisions, their invoices, reasons, facts,
 * drivers and roles, cadence updates, assessments and the coverage report,
 * given a NULL result, a NULL output, a struct of another version or an
 * index past the end, says so with its own code and writes nothing; the
 * names of kinds, states and reasons outside their lists are NULL. Then a
 * decision whose key does not fit the encoder's buffer (the longest ids),
 * and every allocation failure of an evaluation read back in full: the
 * lazily built keys, payload hashes and invoice index, the encoding and the
 * hash, each either complete and the same as without failures, or ENOMEM. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/failalloc.h"
#include "support/policyload.h"
#include "support/testutil.h"

#define DAY0 20484

static const char policy_text[] =
    TEST_POLICY_ONE_SEGMENT
    "      - {offset: 1, channel: email, template: overdue}\n"
    "      - {offset: 20, action: legal_notice, template: notice}\n"
    "call_queue: {enabled: false}\n"
    TEST_POLICY_ANY_TIME
    "templates:\n"
    "  definitions:\n"
    TEST_POLICY_OVERDUE_FIRM
    "    notice:\n"
    "      stage: final\n"
    "      letter: {en: {body: \"Final notice for {{ invoice.number }}.\"}}\n";

/* The policy of this file (fails the test with the load error). */
static archase_policy *load_policy(void) {
    return test_policy_load_ok(policy_text);
}

typedef struct fixture {
    archase_engine    *eng;
    archase_policy    *policy;
    archase_snapshot  *snap;
    archase_decisions *ds;
    archase_date       as_of;
} fixture;

static void put_customer(archase_engine *eng, const char *cid, const char *iid, archase_date due) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = cid;
    c.name = "ACME";
    assert_int_equal(archase_customer_put(eng, &c, NULL), 0);
    char kid[300];
    snprintf(kid, sizeof kid, "K-%.20s", cid);
    test_put_contact(eng, kid, cid, ARCHASE_CHANNEL_EMAIL, "ap@acme.example");
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = iid;
    inv.customer_id = cid;
    inv.number = "N-1";
    inv.issue_date = due - 30;
    inv.due_date = due;
    inv.amount = (archase_money){ 150000, "EUR" };
    assert_int_equal(archase_invoice_put(eng, &inv, NULL), 0);
}

/* C1 with an invoice a day overdue (a message) and C2 with one 25 days
 * overdue (a legal notice: a request for approval with its payload). */
static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(archase_open_memory(NULL, &f->eng), 0);
    f->policy = load_policy();
    f->as_of = DAY0 + 1;
    put_customer(f->eng, "C1", "I1", DAY0);
    put_customer(f->eng, "C2", "I2", DAY0 - 24);
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = f->policy;
    assert_int_equal(archase_snapshot_load(f->eng, f->as_of, &so, &f->snap), 0);
    assert_int_equal(archase_evaluate(f->snap, f->policy, f->as_of, NULL, &f->ds), 0);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    archase_decisions_free(f->ds);
    archase_snapshot_free(f->snap);
    archase_policy_free(f->policy);
    archase_engine_free(f->eng);
    free(f);
    return 0;
}

static size_t find_kind(const archase_decisions *ds, int kind) {
    for (size_t i = 0; i < archase_decisions_count(ds); i++) {
        archase_decision d = ARCHASE_DECISION_INIT;
        assert_int_equal(archase_decision_get(ds, i, &d), 0);
        if (d.kind == kind)
            return i;
    }
    fail_msg("no decision of kind %d", kind);
    return 0;
}

static void names_outside_their_lists_are_null(void **state) {
    (void)state;
    assert_null(archase_decision_kind_name(0));
    assert_null(archase_decision_kind_name(-3));
    assert_null(archase_decision_kind_name(ARCHASE_DECISION_KIND_LIMIT));
    assert_string_equal(archase_decision_kind_name(ARCHASE_DECISION_REQUEST_APPROVAL), "request_approval");
    assert_null(archase_coverage_state_name(0));
    assert_null(archase_coverage_state_name(ARCHASE_COVERAGE_STATE_LIMIT));
    assert_string_equal(archase_coverage_state_name(ARCHASE_COVERAGE_HOLD), "hold");
    assert_null(archase_reason_name(0));
    assert_null(archase_reason_name(ARCHASE_REASON_LIMIT_));
    int r = -1;
    assert_int_equal(archase_reason_from_name(NULL, &r), ARCHASE_EINVAL);
    assert_int_equal(archase_reason_from_name("hold", NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_reason_from_name("no_such_reason", &r), ARCHASE_EINVAL);
    assert_int_equal(archase_reason_from_name("", &r), ARCHASE_EINVAL);
    assert_int_equal(r, -1);
    assert_int_equal(archase_reason_from_name("paused", &r), 0);
    assert_int_equal(r, ARCHASE_REASON_PAUSED);
}

static void decision_accessors_refuse_bad_arguments_and_write_nothing(void **state) {
    fixture *f = *state;
    const archase_decisions *ds = f->ds;
    size_t n = archase_decisions_count(ds);
    assert_int_equal(n, 2);
    assert_int_equal(archase_decisions_count(NULL), 0);
    size_t notice = find_kind(ds, ARCHASE_DECISION_REQUEST_APPROVAL);
    size_t mail = find_kind(ds, ARCHASE_DECISION_SEND_MESSAGE);

    archase_decision d = ARCHASE_DECISION_INIT;
    assert_int_equal(archase_decision_get(NULL, 0, &d), ARCHASE_EINVAL);
    assert_int_equal(archase_decision_get(ds, 0, NULL), ARCHASE_EINVAL);
    d.version = 2;
    assert_int_equal(archase_decision_get(ds, 0, &d), ARCHASE_EVERSION);
    d.version = ARCHASE_DECISION_VERSION;
    assert_int_equal(archase_decision_get(ds, n, &d), ARCHASE_ERANGE);
    assert_null(d.key);
    assert_int_equal(archase_decision_get(ds, notice, &d), 0);
    static const uint8_t zero[32];
    assert_memory_not_equal(d.payload_hash, zero, 32); /* an approval's payload is bound */
    assert_int_equal(d.invoice_count, 1);

    archase_decision_invoice inv = ARCHASE_DECISION_INVOICE_INIT;
    assert_int_equal(archase_decision_invoice_get(NULL, 0, 0, &inv), ARCHASE_EINVAL);
    assert_int_equal(archase_decision_invoice_get(ds, 0, 0, NULL), ARCHASE_EINVAL);
    inv.version = 0;
    assert_int_equal(archase_decision_invoice_get(ds, 0, 0, &inv), ARCHASE_EVERSION);
    inv.version = ARCHASE_DECISION_INVOICE_VERSION;
    assert_int_equal(archase_decision_invoice_get(ds, n, 0, &inv), ARCHASE_ERANGE);
    assert_int_equal(archase_decision_invoice_get(ds, notice, 1, &inv), ARCHASE_ERANGE);
    assert_null(inv.invoice_id);
    assert_int_equal(archase_decision_invoice_get(ds, notice, 0, &inv), 0);
    assert_string_equal(inv.invoice_id, "I2");
    assert_int_equal(inv.days_overdue, 25);

    int reason = -1;
    assert_int_equal(archase_decision_reason(NULL, 0, 0, &reason), ARCHASE_EINVAL);
    assert_int_equal(archase_decision_reason(ds, 0, 0, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_decision_reason(ds, n, 0, &reason), ARCHASE_ERANGE);
    assert_int_equal(archase_decision_reason(ds, mail, d.reason_count + 99, &reason), ARCHASE_ERANGE);
    assert_int_equal(reason, -1);

    archase_decision_fact fact = ARCHASE_DECISION_FACT_INIT;
    assert_int_equal(archase_decision_fact_get(NULL, 0, 0, &fact), ARCHASE_EINVAL);
    assert_int_equal(archase_decision_fact_get(ds, 0, 0, NULL), ARCHASE_EINVAL);
    fact.version = 5;
    assert_int_equal(archase_decision_fact_get(ds, 0, 0, &fact), ARCHASE_EVERSION);
    fact.version = ARCHASE_DECISION_FACT_VERSION;
    assert_int_equal(archase_decision_fact_get(ds, n, 0, &fact), ARCHASE_ERANGE);
    assert_int_equal(archase_decision_fact_get(ds, notice, d.fact_count, &fact), ARCHASE_ERANGE);
    assert_null(fact.name);
    assert_true(d.fact_count > 0);
    assert_int_equal(archase_decision_fact_get(ds, notice, d.fact_count - 1, &fact), 0);
    assert_non_null(fact.name);

    archase_score_driver drv = { "untouched", 7 };
    assert_int_equal(archase_decision_driver(NULL, 0, 0, &drv), ARCHASE_EINVAL);
    assert_int_equal(archase_decision_driver(ds, 0, 0, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_decision_driver(ds, n, 0, &drv), ARCHASE_ERANGE);
    assert_int_equal(archase_decision_driver(ds, notice, d.driver_count, &drv), ARCHASE_ERANGE);
    assert_string_equal(drv.name, "untouched");

    const char *role = "untouched";
    assert_int_equal(archase_decision_role(NULL, 0, 0, &role), ARCHASE_EINVAL);
    assert_int_equal(archase_decision_role(ds, 0, 0, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_decision_role(ds, n, 0, &role), ARCHASE_ERANGE);
    assert_int_equal(archase_decision_role(ds, notice, d.role_count, &role), ARCHASE_ERANGE);
    assert_string_equal(role, "untouched");
}

static void update_assessment_and_coverage_accessors_refuse_bad_arguments(void **state) {
    fixture *f = *state;
    const archase_decisions *ds = f->ds;
    size_t updates = archase_cadence_update_count(ds);
    assert_int_equal(archase_cadence_update_count(NULL), 0);
    assert_true(updates > 0);
    archase_cadence_update u;
    memset(&u, 0, sizeof u);
    u.version = ARCHASE_CADENCE_UPDATE_VERSION;
    assert_int_equal(archase_cadence_update_get(NULL, 0, &u), ARCHASE_EINVAL);
    assert_int_equal(archase_cadence_update_get(ds, 0, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_cadence_update_get(ds, updates, &u), ARCHASE_ERANGE);
    u.version = 3;
    assert_int_equal(archase_cadence_update_get(ds, 0, &u), ARCHASE_EVERSION);
    assert_null(u.invoice_id);

    size_t count = archase_assessment_count(ds);
    assert_int_equal(count, 2);
    assert_int_equal(archase_assessment_count(NULL), 0);
    archase_invoice_assessment a;
    memset(&a, 0, sizeof a);
    a.version = ARCHASE_INVOICE_ASSESSMENT_VERSION;
    assert_int_equal(archase_assessment_get(NULL, 0, &a), ARCHASE_EINVAL);
    assert_int_equal(archase_assessment_get(ds, 0, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_assessment_get(ds, count, &a), ARCHASE_ERANGE);
    a.version = 0;
    assert_int_equal(archase_assessment_get(ds, 0, &a), ARCHASE_EVERSION);
    assert_null(a.invoice_id);

    size_t index = 99;
    assert_int_equal(archase_assessment_find(NULL, "I1", &index), ARCHASE_EINVAL);
    assert_int_equal(archase_assessment_find(ds, NULL, &index), ARCHASE_EINVAL);
    assert_int_equal(archase_assessment_find(ds, "I1", NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_assessment_find(ds, "I9", &index), ARCHASE_ENOTFOUND);
    assert_int_equal(index, 99);
    assert_int_equal(archase_assessment_find(ds, "I2", &index), 0);
    assert_int_equal(index, 1);

    archase_score_driver drv = { "untouched", 7 };
    assert_int_equal(archase_assessment_driver(NULL, 0, 0, &drv), ARCHASE_EINVAL);
    assert_int_equal(archase_assessment_driver(ds, 0, 0, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_assessment_driver(ds, count, 0, &drv), ARCHASE_ERANGE);
    assert_int_equal(archase_assessment_driver(ds, 0, 99, &drv), ARCHASE_ERANGE);
    assert_string_equal(drv.name, "untouched");

    size_t decision = 99;
    assert_int_equal(archase_assessment_decision(NULL, 0, 0, &decision), ARCHASE_EINVAL);
    assert_int_equal(archase_assessment_decision(ds, 0, 0, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_assessment_decision(ds, count, 0, &decision), ARCHASE_ERANGE);
    assert_int_equal(archase_assessment_decision(ds, 1, 1, &decision), ARCHASE_ERANGE);
    assert_int_equal(decision, 99);
    assert_int_equal(archase_assessment_decision(ds, 1, 0, &decision), 0);
    assert_int_equal(decision, find_kind(ds, ARCHASE_DECISION_REQUEST_APPROVAL));

    archase_coverage cov = ARCHASE_COVERAGE_INIT;
    assert_int_equal(archase_coverage_report(NULL, &cov), ARCHASE_EINVAL);
    assert_int_equal(archase_coverage_report(ds, NULL), ARCHASE_EINVAL);
    cov.version = 2;
    assert_int_equal(archase_coverage_report(ds, &cov), ARCHASE_EVERSION);
    assert_int_equal(cov.open_invoices, 0);
    cov.version = ARCHASE_COVERAGE_VERSION;
    assert_int_equal(archase_coverage_report(ds, &cov), 0);
    assert_int_equal(cov.open_invoices, 2);
    assert_int_equal(cov.overdue_invoices, 2);
    assert_int_equal(cov.unaccounted, 0);
}

static int count_bytes(void *ud, const void *data, size_t size) {
    (void)data;
    *(size_t *)ud += size;
    return 0;
}

typedef struct find_bytes {
    const char *want;
    size_t      want_len;
    uint8_t    *buf;
    size_t      len;
    int         found;
} find_bytes;

/* Gathers the encoding and notes whether `want` is in it. */
static int gather(void *ud, const void *data, size_t size) {
    find_bytes *f = ud;
    uint8_t *grown = realloc(f->buf, f->len + size);
    assert_non_null(grown);
    f->buf = grown;
    memcpy(f->buf + f->len, data, size);
    f->len += size;
    for (size_t i = 0; !f->found && i + f->want_len <= f->len; i++)
        f->found = !memcmp(f->buf + i, f->want, f->want_len);
    return 0;
}

static int refuse_writes(void *ud, const void *data, size_t size) {
    (void)data, (void)size;
    (*(int *)ud)++;
    return ARCHASE_EIO;
}

static void encode_and_hash_refuse_bad_arguments_and_pass_on_the_writers_code(void **state) {
    fixture *f = *state;
    size_t bytes = 0;
    uint8_t h[32] = { 0 }, again[32];
    assert_int_equal(archase_decisions_encode(NULL, count_bytes, &bytes), ARCHASE_EINVAL);
    assert_int_equal(archase_decisions_encode(f->ds, NULL, &bytes), ARCHASE_EINVAL);
    assert_int_equal(archase_decisions_hash(NULL, h), ARCHASE_EINVAL);
    assert_int_equal(archase_decisions_hash(f->ds, NULL), ARCHASE_EINVAL);
    int writes = 0;
    assert_int_equal(archase_decisions_encode(f->ds, refuse_writes, &writes), ARCHASE_EIO);
    assert_int_equal(writes, 1); /* the first refusal stops it */
    assert_int_equal(archase_decisions_encode(f->ds, count_bytes, &bytes), 0);
    assert_true(bytes > 100);
    assert_int_equal(archase_decisions_hash(f->ds, h), 0);
    assert_int_equal(archase_decisions_hash(f->ds, again), 0);
    assert_memory_equal(h, again, 32);
}

/* The longest names everywhere (a customer id of 256 characters, a
 * sequence, step and template of 64, a letter in the friendly tone) make a
 * decision key longer than the encoder's 512-byte buffer. */
static void a_key_longer_than_the_encoders_buffer_is_encoded_whole(void **state) {
    (void)state;
    char cid[257], seq[65], step[65], tmpl[65];
    memset(cid, 'c', 256);
    cid[256] = '\0';
    memset(seq, 's', 64);
    seq[64] = '\0';
    memset(step, 'd', 64);
    step[64] = '\0';
    memset(tmpl, 't', 64);
    tmpl[64] = '\0';
    char text[2048];
    snprintf(text, sizeof text,
             "version: 1\n"
             "currency: {default: EUR}\n"
             "segments: [{name: all, sequence: %s}]\n"
             "sequences:\n"
             "  %s:\n"
             "    roll: none\n"
             "    steps:\n"
             "      - {id: %s, offset: 1, channel: letter, template: %s, tone: friendly}\n"
             TEST_POLICY_ANY_TIME
             "templates:\n"
             "  definitions:\n"
             "    %s:\n"
             "      tone: friendly\n"
             "      letter: {en: {body: \"Dear {{ customer.name }}\"}}\n",
             seq, seq, step, tmpl, tmpl);
    archase_policy *policy = test_policy_load_ok(text);
    archase_engine *eng = NULL;
    assert_int_equal(archase_open_memory(NULL, &eng), 0);
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = cid;
    c.name = "ACME";
    assert_int_equal(archase_customer_put(eng, &c, NULL), 0);
    test_put_contact(eng, "K1", cid, ARCHASE_CHANNEL_LETTER, "1 Main Street");
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = "I1";
    inv.customer_id = cid;
    inv.number = "N-1";
    inv.issue_date = DAY0 - 30;
    inv.due_date = DAY0;
    inv.amount = (archase_money){ 150000, "EUR" };
    assert_int_equal(archase_invoice_put(eng, &inv, NULL), 0);
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = policy;
    archase_snapshot *snap = NULL;
    archase_decisions *ds = NULL;
    assert_int_equal(archase_snapshot_load(eng, DAY0 + 1, &so, &snap), 0);
    assert_int_equal(archase_evaluate(snap, policy, DAY0 + 1, NULL, &ds), 0);
    assert_int_equal(archase_decisions_count(ds), 1);
    archase_decision d = ARCHASE_DECISION_INIT;
    assert_int_equal(archase_decision_get(ds, 0, &d), 0);
    size_t key_len = strlen(d.key);
    assert_true(key_len >= 512);
    assert_non_null(strstr(d.key, cid));
    assert_non_null(strstr(d.key, step));
    assert_non_null(strstr(d.key, tmpl));
    /* The encoding holds the whole key: its bytes appear in it. */
    size_t bytes = 0;
    assert_int_equal(archase_decisions_encode(ds, count_bytes, &bytes), 0);
    assert_true(bytes > key_len);
    find_bytes fb = { d.key, key_len, NULL, 0, 0 };
    assert_int_equal(archase_decisions_encode(ds, gather, &fb), 0);
    assert_true(fb.found);
    free(fb.buf);
    archase_decisions_free(ds);
    archase_snapshot_free(snap);
    archase_policy_free(policy);
    archase_engine_free(eng);
}

/* ---- allocation failures ------------------------------------------------------------- */

typedef struct read_ctx {
    fixture *f;
    uint8_t  hash[32];
    char     keys[2][600];
    uint8_t  payload[32];
} read_ctx;

/* Evaluates with `a` and reads everything lazily built. */
static int read_everything(const archase_allocator *a, void *ctx) {
    read_ctx *r = ctx;
    archase_evaluate_options eo = ARCHASE_EVALUATE_OPTIONS_INIT;
    eo.allocator = a;
    archase_decisions *ds = NULL;
    int rc = archase_evaluate(r->f->snap, r->f->policy, r->f->as_of, &eo, &ds);
    if (rc)
        return rc;
    archase_invoice_assessment as;
    memset(&as, 0, sizeof as);
    as.version = ARCHASE_INVOICE_ASSESSMENT_VERSION;
    size_t decision = 0;
    rc = archase_assessment_decision(ds, 0, 0, &decision);
    if (!rc)
        rc = archase_assessment_get(ds, 1, &as);
    for (size_t i = 0; i < archase_decisions_count(ds) && !rc; i++) {
        archase_decision d = ARCHASE_DECISION_INIT;
        rc = archase_decision_get(ds, i, &d);
        if (!rc) {
            snprintf(r->keys[i], sizeof r->keys[i], "%s", d.key);
            if (d.kind == ARCHASE_DECISION_REQUEST_APPROVAL)
                memcpy(r->payload, d.payload_hash, 32);
        }
    }
    if (!rc)
        rc = archase_decisions_hash(ds, r->hash);
    archase_decisions_free(ds);
    return rc;
}

static void every_allocation_failure_of_reading_a_result_is_out_of_memory_or_the_same_result(void **state) {
    fixture *f = *state;
    read_ctx want, got;
    memset(&want, 0, sizeof want);
    memset(&got, 0, sizeof got);
    want.f = got.f = f;
    assert_int_equal(read_everything(NULL, &want), 0);
    size_t allocations = failalloc_loop(read_everything, NULL, &got);
    assert_true(allocations > 5);
    /* The run without failures made exactly what the default allocator made. */
    assert_memory_equal(got.hash, want.hash, 32);
    assert_memory_equal(got.payload, want.payload, 32);
    assert_string_equal(got.keys[0], want.keys[0]);
    assert_string_equal(got.keys[1], want.keys[1]);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_outside_their_lists_are_null),
        T(decision_accessors_refuse_bad_arguments_and_write_nothing),
        T(update_assessment_and_coverage_accessors_refuse_bad_arguments),
        T(encode_and_hash_refuse_bad_arguments_and_pass_on_the_writers_code),
        cmocka_unit_test(a_key_longer_than_the_encoders_buffer_is_encoded_whole),
        T(every_allocation_failure_of_reading_a_result_is_out_of_memory_or_the_same_result),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name(__FILE__, tests, NULL, NULL);
}
