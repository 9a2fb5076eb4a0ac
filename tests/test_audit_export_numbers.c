/* tests/test_audit_export_numbers.c — the numbers and hashes of an audit
 * export's record lines are read in their one canonical form: an index with
 * a leading zero, a sign, more digits than 64 bits hold, or a hash of the
 * right length that is not hex is a field that disagrees with the record's
 * bytes, and the auditor is told which. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/testutil.h"

typedef struct text {
    char  *data;
    size_t len, cap, at;
} text;

static int text_write(void *userdata, const void *data, size_t size) {
    text *t = userdata;
    if (t->len + size + 1 > t->cap) {
        t->cap = (t->len + size + 1) * 2;
        t->data = realloc(t->data, t->cap);
        assert_non_null(t->data);
    }
    memcpy(t->data + t->len, data, size);
    t->len += size;
    t->data[t->len] = '\0';
    return 0;
}

static int text_read(void *userdata, void *buf, size_t size, size_t *got) {
    text *t = userdata;
    size_t n = t->len - t->at < size ? t->len - t->at : size;
    memcpy(buf, t->data + t->at, n);
    t->at += n;
    *got = n;
    return 0;
}

static archase_instant fixed_now(void *userdata) {
    return *(archase_instant *)userdata;
}

/* The export of a log of a customer and two invoices: a header line, then
 * record lines 0, 1 and 2. */
static text exported_log(void) {
    archase_instant now = 1767225600;
    archase_clock clock = { ARCHASE_CLOCK_VERSION, &now, fixed_now };
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    o.clock = &clock;
    o.actor = "importer";
    archase_engine *eng = NULL;
    assert_int_equal(archase_open_memory(&o, &eng), 0);
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME";
    assert_int_equal(archase_customer_put(eng, &c, NULL), 0);
    for (int i = 1; i <= 2; i++) {
        archase_invoice inv = ARCHASE_INVOICE_INIT;
        char id[8];
        snprintf(id, sizeof id, "I%d", i);
        inv.id = id;
        inv.customer_id = "C1";
        inv.issue_date = 20454;
        inv.due_date = 20484;
        inv.amount = (archase_money){ 1000 * i, "EUR" };
        now += 60;
        assert_int_equal(archase_invoice_put(eng, &inv, NULL), 0);
    }
    text t = { NULL, 0, 0, 0 };
    assert_int_equal(archase_audit_export(eng, text_write, &t), 0);
    archase_engine_free(eng);
    return t;
}

/* The export with the first `from` after "\"index\":1," replaced by `to`. */
static text edited(const text *t, const char *from, const char *to) {
    const char *line = strstr(t->data, "\"index\":1,");
    assert_non_null(line);
    const char *at = strstr(line, from);
    assert_non_null(at);
    text out = { NULL, 0, 0, 0 };
    text_write(&out, t->data, (size_t)(at - t->data));
    text_write(&out, to, strlen(to));
    const char *rest = at + strlen(from);
    text_write(&out, rest, strlen(rest));
    return out;
}

static void expect_field(text t, const char *field) {
    archase_audit_report r;
    memset(&r, 0, sizeof r);
    int rc = archase_audit_verify_export(text_read, &t, NULL, &r);
    char what[120];
    snprintf(what, sizeof what, "line 3 (record 1): its \"%s\" is not what the record's bytes hold", field);
    if (rc != ARCHASE_EVERIFY || r.problem != ARCHASE_AUDIT_PROBLEM_ALTERED || r.first_bad != 1 ||
        strcmp(r.message, what) != 0)
        fail_msg("expected \"%s\"; got %s, %s at %llu: %s", what, archase_error_name(rc),
                 archase_audit_problem_name(r.problem), (unsigned long long)r.first_bad, r.message);
    free(t.data);
}

static void an_index_is_read_only_as_plain_decimal_digits(void **state) {
    (void)state;
    text t = exported_log();
    archase_audit_report r;
    assert_int_equal(archase_audit_verify_export(text_read, &t, NULL, &r), 0);
    assert_int_equal(r.size, 3);
    expect_field(edited(&t, "\"index\":1,", "\"index\":01,"), "index");
    expect_field(edited(&t, "\"index\":1,", "\"index\":-1,"), "index");
    expect_field(edited(&t, "\"index\":1,", "\"index\":18446744073709551617,"), "index");
    expect_field(edited(&t, "\"index\":1,", "\"index\":100000000000000000001,"), "index");
    free(t.data);
}

static void a_hash_of_the_right_length_must_be_hex(void **state) {
    (void)state;
    text t = exported_log();
    text z = edited(&t, "\"prev_hash\":\"", "\"prev_hash\":\"");
    char *hash = strstr(strstr(z.data, "\"index\":1,"), "\"prev_hash\":\"") + strlen("\"prev_hash\":\"");
    memset(hash, 'z', 64); /* 64 characters, none of them hex */
    assert_int_equal(hash[64], '"');
    expect_field(z, "prev_hash");
    free(t.data);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(an_index_is_read_only_as_plain_decimal_digits),
    cmocka_unit_test(a_hash_of_the_right_length_must_be_hex),
};

AR_TEST_MAIN(tests)
