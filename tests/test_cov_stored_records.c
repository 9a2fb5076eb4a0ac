/* tests/test_cov_stored_records.c — stored outbox items and approval
 * requests that a backend hands back with one value changed: every value of
 * the record, at any depth (the rendered data, the invoices, the votes, the
 * payload), replaced in turn by a null and by an integer, in bytes that are
 * still well formed (docs/audit-format.md). Reading such a record gives
 * ARCHASE_ESTORAGE with a message naming it, or the record when the value
 * may be absent; never a crash, a leak or a half-filled item. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/faultstore.h"
#include "support/testutil.h"

#define DAY0 20484

/* ---- a backend that replaces the bytes of one record ---------------------------- */

typedef struct tamper {
    alterstore     store;
    int            family;    /* the family altered; 0 = none */
    const uint8_t *data;      /* its bytes as handed back */
    size_t         size;
} tamper;

static int altered(void *userdata, const archase_record *rec, archase_record *out) {
    tamper *t = userdata;
    if (!t->family || rec->family != t->family || !rec->data)
        return 0;
    *out = *rec;
    out->data = t->data;
    out->size = t->size;
    return 1;
}

static void tamper_wrap(tamper *t, archase_storage *out) {
    memset(t, 0, sizeof *t);
    alterstore_wrap(&t->store, altered, t, out);
}

/* ---- the canonical encoding, as docs/audit-format.md writes it ---------------------- */

/* The offset just past the value starting at `at` (a tag and its payload),
 * recording the start of every value inside it in `starts`. */
static size_t skip_value(const uint8_t *b, size_t size, size_t at, size_t *starts, size_t *n, size_t cap) {
    assert_true(at < size);
    if (*n < cap)
        starts[(*n)++] = at;
    uint8_t tag = b[at++];
    uint32_t count;
    switch (tag) {
    case 0x00: return at;
    case 0x01: return at + 1;
    case 0x02: return at + 8;
    case 0x03:
    case 0x04:
        count = (uint32_t)b[at] << 24 | (uint32_t)b[at + 1] << 16 | (uint32_t)b[at + 2] << 8 | b[at + 3];
        return at + 4 + count;
    case 0x05: return at + 11;
    case 0x06: return at + 4;
    case 0x07: return at + 8;
    case 0x08: return at + 32;
    case 0x09:
        count = (uint32_t)b[at] << 24 | (uint32_t)b[at + 1] << 16 | (uint32_t)b[at + 2] << 8 | b[at + 3];
        at += 4;
        for (uint32_t i = 0; i < count; i++)
            at = skip_value(b, size, at, starts, n, cap);
        return at;
    case 0x0A:
        count = (uint32_t)b[at + 2] << 8 | b[at + 3];
        at += 4;
        for (uint32_t i = 0; i < count; i++)
            at = skip_value(b, size, at + 2, starts, n, cap); /* past the field number */
        return at;
    default: fail_msg("tag %u at %zu", tag, at - 1); return size;
    }
}

/* The bytes of `rec` with the value at `start` (ending at `end`) replaced by
 * `with` (`with_len` bytes). */
static uint8_t *replaced(const uint8_t *b, size_t size, size_t start, size_t end, const uint8_t *with,
                         size_t with_len, size_t *out_size) {
    uint8_t *r = malloc(size - (end - start) + with_len);
    assert_non_null(r);
    memcpy(r, b, start);
    memcpy(r + start, with, with_len);
    memcpy(r + start + with_len, b + end, size - end);
    *out_size = size - (end - start) + with_len;
    return r;
}

typedef struct kept {
    uint8_t data[8192];
    size_t  size;
    char    id[200];
} kept;

static int keep(void *ctx, const archase_record *rec) {
    kept *k = ctx;
    assert_true(rec->size <= sizeof k->data);
    memcpy(k->data, rec->data, rec->size);
    k->size = rec->size;
    snprintf(k->id, sizeof k->id, "%s", rec->id);
    return 1;
}

/* ---- the ledger ---------------------------------------------------------------- */

static const char policy_text[] =
    TEST_POLICY_ONE_SEGMENT
    "      - {offset: 1, channel: email, template: overdue}\n"
    "call_queue: {enabled: false}\n"
    "approvals: {materiality: [1000 EUR], approvers_above: 2, roles: [finance_lead, cfo]}\n"
    TEST_POLICY_ANY_TIME
    "templates:\n"
    "  definitions:\n"
    "    overdue:\n"
    "      email: {en: {subject: \"Invoice {{ invoice.number }}\", body: \"{{ totals.open_amount }} is open.\"}}\n";

typedef struct fixture {
    archase_engine *eng;
    archase_policy *policy;
    tamper         *tp;
    char            approval[ARCHASE_APPROVAL_ID_MAX];
} fixture;

static const char *const two_invoices[] = { "I1", "I2" };

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->tp = calloc(1, sizeof *f->tp);
    assert_non_null(f->tp);
    archase_storage s;
    tamper_wrap(f->tp, &s);
    assert_int_equal(archase_engine_open(&s, NULL, &f->eng), 0);
    assert_int_equal(archase_policy_load_buffer(policy_text, strlen(policy_text), "p.yaml", NULL, &f->policy, NULL), 0);
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME";
    assert_int_equal(archase_customer_put(f->eng, &c, NULL), 0);
    test_put_contact(f->eng, "K1", "C1", ARCHASE_CHANNEL_EMAIL, "ap@acme.example");
    for (int i = 0; i < 2; i++) {
        archase_invoice inv = ARCHASE_INVOICE_INIT;
        inv.id = two_invoices[i];
        inv.customer_id = "C1";
        inv.number = two_invoices[i];
        inv.issue_date = DAY0 - 30;
        inv.due_date = DAY0;
        inv.amount = (archase_money){ 150000, "EUR" };
        assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), 0);
    }
    archase_cycle_options co = ARCHASE_CYCLE_OPTIONS_INIT;
    co.dispatch = 0;
    assert_int_equal(archase_run_cycle(f->eng, f->policy, DAY0 + 1, &co, NULL), 0);
    /* A write-off of both invoices with one vote on it. */
    archase_approval_request r = ARCHASE_APPROVAL_REQUEST_INIT;
    r.action = ARCHASE_ACTION_WRITE_OFF;
    r.customer_id = "C1";
    r.invoice_ids = two_invoices;
    r.invoice_count = 2;
    r.amount = (archase_money){ 300000, "EUR" };
    r.requester = "anna";
    r.requester_role = "collector";
    r.justification = "customer insolvent, the administrator confirmed no dividend";
    r.customer_impact = "account closed; no further dunning";
    assert_int_equal(archase_approval_raise(f->eng, f->policy, &r, f->approval, NULL), 0);
    archase_approval_vote v = ARCHASE_APPROVAL_VOTE_INIT;
    v.actor = "lena";
    v.role = "finance_lead";
    v.reason = "checked";
    assert_int_equal(archase_approval_approve(f->eng, f->approval, &v, NULL), 0);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    archase_engine_free(f->eng);
    archase_policy_free(f->policy);
    free(f->tp);
    free(f);
    return 0;
}

static int read_item(void *ud, const archase_outbox_item *it) {
    /* A record that decodes has what every item has. */
    assert_non_null(it->id);
    assert_non_null(it->subject);
    assert_non_null(it->body);
    (*(int *)ud)++;
    return 0;
}

static int read_approval(void *ud, const archase_approval_info *info) {
    assert_non_null(info->id);
    assert_non_null(info->requester);
    assert_non_null(info->justification);
    (*(int *)ud)++;
    return 0;
}

/* Each value of the stored record of `family` replaced in turn by each of
 * `with`: read back through `read`, refused or whole. Returns how many
 * variants were refused. */
typedef int (*reader)(fixture *f, const char *id, int *seen);

static int read_outbox(fixture *f, const char *id, int *seen) {
    return archase_outbox_get(f->eng, id, read_item, seen);
}

static int read_request(fixture *f, const char *id, int *seen) {
    return archase_approval_get(f->eng, id, read_approval, seen);
}

static size_t each_value_altered(fixture *f, int family, const char *id, reader read, const char *word) {
    kept k;
    memset(&k, 0, sizeof k);
    assert_int_equal(f->tp->store.inner.get(f->tp->store.inner.userdata, family, id, keep, &k), 0);
    size_t starts[512], n = 0;
    assert_int_equal(skip_value(k.data, k.size, 0, starts, &n, 512), k.size);
    assert_true(n > 20);
    static const uint8_t null_value[] = { 0x00 };
    static const uint8_t int_value[] = { 0x02, 0, 0, 0, 0, 0, 0, 0, 7 };
    static const uint8_t list_value[] = { 0x09, 0, 0, 0, 1, 0x00 };
    const uint8_t *with[] = { null_value, int_value, list_value };
    size_t with_len[] = { sizeof null_value, sizeof int_value, sizeof list_value };
    size_t refused = 0, tried = 0;
    for (size_t v = 1; v < n; v++) { /* 0 is the record itself */
        size_t m = 0, inner[512];
        size_t end = skip_value(k.data, k.size, starts[v], inner, &m, 512);
        for (size_t w = 0; w < 3; w++) {
            size_t size;
            uint8_t *bytes = replaced(k.data, k.size, starts[v], end, with[w], with_len[w], &size);
            f->tp->family = family;
            f->tp->data = bytes;
            f->tp->size = size;
            int seen = 0;
            int rc = read(f, id, &seen);
            f->tp->family = 0;
            tried++;
            if (rc) {
                assert_int_equal(rc, ARCHASE_ESTORAGE);
                assert_int_equal(seen, 0);
                const char *msg = archase_engine_errmsg(f->eng);
                if (!strstr(msg, word) || !strstr(msg, id))
                    fail_msg("value %zu, replacement %zu: \"%s\"", v, w, msg);
                refused++;
            } else {
                assert_int_equal(seen, 1);
            }
            free(bytes);
        }
    }
    assert_true(refused * 2 > tried); /* most values have one type only */
    /* Honest again, it reads. */
    int seen = 0;
    assert_int_equal(read(f, id, &seen), 0);
    assert_int_equal(seen, 1);
    return refused;
}

static int first_item(void *ud, const archase_outbox_item *it) {
    snprintf(ud, ARCHASE_IDEMPOTENCY_KEY_MAX, "%s", it->id);
    return 1;
}

static void an_outbox_item_with_a_value_of_another_type_is_refused(void **state) {
    fixture *f = *state;
    char id[ARCHASE_IDEMPOTENCY_KEY_MAX] = "";
    assert_int_equal(archase_outbox_scan(f->eng, 0, first_item, id), 0);
    assert_true(id[0] != '\0');
    assert_true(each_value_altered(f, ARCHASE_FAMILY_OUTBOX, id, read_outbox, "cannot be decoded") > 20);
}

static void an_approval_request_with_a_value_of_another_type_is_refused(void **state) {
    fixture *f = *state;
    assert_true(each_value_altered(f, ARCHASE_FAMILY_APPROVAL, f->approval, read_request, "") > 20);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(an_outbox_item_with_a_value_of_another_type_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(an_approval_request_with_a_value_of_another_type_is_refused, setup, teardown),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name(__FILE__, tests, NULL, NULL);
}
