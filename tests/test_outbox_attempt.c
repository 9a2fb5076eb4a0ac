/* tests/test_outbox_attempt.c — an outbox item's record after a delivery
 * attempt, made by patching the stored bytes (what dispatch acknowledges
 * with), is byte for byte what encoding the item again gives; decoding
 * checks the stored bytes as ar_canon_validate does. */
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "core/canon.h"
#include "engine/outbox.h"
#include "support/testutil.h"

typedef struct shape {
    const char *last_detail;     /* before the attempt */
    archase_instant last_attempt; /* before the attempt */
    int         render;
    const char *approval_id;
    const char *reviewer;
} shape;

static const char *invoices[] = { "INV-1", "INV-2" };
/* How many of them encode_item gives the item (and its render). */
static size_t item_invoices = 2;
static const int reasons[] = { 3, 7, 11 };

/* An item with every kind of field, shaped by `sh`, encoded into `c`. */
static void encode_item(const shape *sh, ar_canon *c) {
    ar_outbox o;
    ar_outbox_init(&o, NULL);
    archase_outbox_item *it = &o.item;
    it->id = it->idempotency_key = "acme/reminder/2026-03-02#1";
    it->decision_key = "acme/reminder/2026-03-02";
    it->status = ARCHASE_OUTBOX_PENDING;
    it->kind = ARCHASE_DECISION_SEND_MESSAGE;
    it->action = ARCHASE_ACTION_SEND_MESSAGE;
    it->channel = ARCHASE_CHANNEL_EMAIL;
    it->customer_id = "acme";
    it->invoice_ids = invoices;
    it->invoice_count = item_invoices;
    it->contact_id = "acme-ap";
    it->address = "ap@example.com";
    it->recipient_name = "Accounts Payable";
    it->template_name = "reminder";
    it->tone = 2;
    it->subject = "Two invoices are overdue";
    it->body = "Dear customer,\n\nINV-1 and INV-2 are overdue.\n";
    it->owner = "owner007";
    it->rule = "overdue-7";
    it->segment = "smb";
    it->score = 42;
    it->reasons = reasons;
    it->reason_count = 3;
    it->amount = (archase_money){ 123456, "EUR" };
    it->as_of = 20514;
    it->created_at = 1772409600;
    it->scheduled_at = 1772434800;
    it->next_attempt_at = 1772434800;
    it->timezone = "Europe/Paris";
    it->local_date = 20514;
    it->local_seconds = 32400;
    it->attempts = sh->last_attempt ? 1 : 0;
    it->max_attempts = 5;
    it->last_detail = sh->last_detail;
    it->last_attempt_at = sh->last_attempt;
    it->approval_id = sh->approval_id;
    it->reviewer = sh->reviewer;
    it->reviewed_at = sh->reviewer ? 1772420000 : 0;
    it->review_seconds = sh->reviewer ? 95 : 0;
    o.backoff_seconds = 300;
    ar_render_invoice rinv[2];
    memset(rinv, 0, sizeof rinv);
    if (sh->render) {
        o.has_render = 1;
        o.render.customer_name = "ACME Corp";
        o.render.owner = "owner007";
        o.render.as_of = 20514;
        for (int i = 0; i < 2; i++) {
            rinv[i].id = invoices[i];
            rinv[i].issue_date = rinv[i].due_date = ARCHASE_DATE_NONE;
            rinv[i].amount = (archase_money){ 61728, "EUR" };
            rinv[i].days_overdue = 10 + i;
        }
        o.render.invoices = rinv;
        o.render.invoice_count = item_invoices;
    }
    assert_int_equal(ar_outbox_encode(&o, c), 0);
}

/* Decodes the stored bytes of `sh` (as a claim does: status sending),
 * applies an attempt, and compares the patched record with the item
 * encoded again. */
static void check_attempt(const shape *sh, int to, const char *detail, int counts_attempt) {
    ar_canon stored, again;
    ar_canon_init(&stored, NULL);
    ar_canon_init(&again, NULL);
    encode_item(sh, &stored);
    archase_record rec = ARCHASE_RECORD_INIT;
    rec.family = ARCHASE_FAMILY_OUTBOX;
    rec.status = ARCHASE_OUTBOX_SENDING;
    rec.instant = 1772434800;
    rec.data = stored.buf.data;
    rec.size = stored.buf.len;
    ar_outbox o;
    ar_outbox_init(&o, NULL);
    o.keep_bytes = 1;
    assert_int_equal(ar_outbox_decode(&o, &rec), 0);
    assert_true(o.patch.ok);
    /* The decoded strings are ended in a copy of the stored bytes; only a
     * string followed by another in a list (the invoice ids) changes a
     * byte of it, and only then are the stored bytes copied again. */
    assert_int_equal(o.dirty, item_invoices > 1);
    o.item.status = to;
    o.item.next_attempt_at = 1772438400;
    if (counts_attempt) {
        o.item.attempts++;
        o.item.last_attempt_at = 1772434805;
        o.item.last_detail = detail;
    }
    ar_buf patched;
    ar_buf_init(&patched, NULL);
    ar_buf_putc(&patched, 0xee); /* appended after what is there */
    assert_int_equal(ar_outbox_encode_attempt(&o, &again, &patched), 0);
    assert_int_equal(ar_outbox_encode(&o, &again), 0);
    assert_int_equal(patched.len, 1 + again.buf.len);
    assert_int_equal(patched.data[0], 0xee);
    assert_memory_equal(patched.data + 1, again.buf.data, again.buf.len);
    assert_int_equal(ar_canon_validate(patched.data + 1, patched.len - 1), 0);
    /* And it decodes to the item as it now is. */
    rec.data = patched.data + 1;
    rec.size = patched.len - 1;
    rec.status = to;
    rec.instant = 1772438400;
    ar_outbox back;
    ar_outbox_init(&back, NULL);
    assert_int_equal(ar_outbox_decode(&back, &rec), 0);
    assert_int_equal(back.item.attempts, o.item.attempts);
    assert_int_equal(back.item.last_attempt_at, o.item.last_attempt_at);
    if (o.item.last_detail && *o.item.last_detail)
        assert_string_equal(back.item.last_detail, o.item.last_detail);
    else
        assert_null(back.item.last_detail);
    ar_outbox_free(&back);
    ar_buf_free(&patched);
    ar_outbox_free(&o);
    ar_canon_free(&stored);
    ar_canon_free(&again);
}

static void a_first_attempt_adds_its_detail_and_instant(void **state) {
    (void)state;
    shape sh = { NULL, 0, 1, NULL, NULL };
    check_attempt(&sh, ARCHASE_OUTBOX_SENT, "250 queued as 1234", 1);
    check_attempt(&sh, ARCHASE_OUTBOX_SENT, NULL, 1);
    check_attempt(&sh, ARCHASE_OUTBOX_FAILED_RETRY, "421 try later", 1);
}

static void an_item_of_one_invoice_is_patched_from_the_copy_its_strings_were_read_in(void **state) {
    (void)state;
    shape with_render = { NULL, 0, 1, NULL, NULL };
    shape retried = { "421 try later", 1772430000, 0, "apr-0002", "rita" };
    item_invoices = 1;
    check_attempt(&with_render, ARCHASE_OUTBOX_SENT, "250 queued as 1234", 1);
    check_attempt(&retried, ARCHASE_OUTBOX_FAILED_RETRY, NULL, 1);
    check_attempt(&retried, ARCHASE_OUTBOX_CANCELLED, NULL, 0);
    item_invoices = 2;
}

static void a_later_attempt_replaces_or_drops_the_previous_detail(void **state) {
    (void)state;
    shape sh = { "421 try later", 1772430000, 1, NULL, NULL };
    check_attempt(&sh, ARCHASE_OUTBOX_DEAD, "550 no such user, a longer answer than the one before it", 1);
    check_attempt(&sh, ARCHASE_OUTBOX_SENT, "ok", 1);
    check_attempt(&sh, ARCHASE_OUTBOX_SENT, NULL, 1);
    check_attempt(&sh, ARCHASE_OUTBOX_SENT, "", 1);
}

static void a_cancelled_item_keeps_its_previous_attempt(void **state) {
    (void)state;
    shape with = { "421 try later", 1772430000, 1, NULL, NULL };
    check_attempt(&with, ARCHASE_OUTBOX_CANCELLED, NULL, 0);
    shape without = { NULL, 0, 0, NULL, NULL };
    check_attempt(&without, ARCHASE_OUTBOX_CANCELLED, NULL, 0);
}

static void fields_after_the_attempt_stay_as_stored(void **state) {
    (void)state;
    shape approved = { NULL, 0, 1, "apr-0001", "rita" };
    check_attempt(&approved, ARCHASE_OUTBOX_SENT, "sent", 1);
    shape retried = { "timeout", 1772430000, 0, "apr-0002", NULL };
    check_attempt(&retried, ARCHASE_OUTBOX_IN_DOUBT, NULL, 1);
}

/* A record with a field this version does not know is encoded whole (the
 * field dropped, as before), and one that does not validate is refused. */
static void unknown_fields_and_malformed_bytes(void **state) {
    (void)state;
    shape sh = { NULL, 0, 0, NULL, NULL };
    ar_canon c;
    ar_canon_init(&c, NULL);
    encode_item(&sh, &c);
    /* Append field 60 (an int) to the record: count + 1, 11 more bytes
     * (and room for one byte after the record). */
    size_t size = c.buf.len + 11;
    uint8_t *bytes = calloc(1, size + 1);
    assert_non_null(bytes);
    memcpy(bytes, c.buf.data, c.buf.len);
    uint16_t count = (uint16_t)(bytes[3] << 8 | bytes[4]);
    count++;
    bytes[3] = (uint8_t)(count >> 8);
    bytes[4] = (uint8_t)count;
    uint8_t extra[11] = { 0, 60, AR_CANON_INT, 0, 0, 0, 0, 0, 0, 0, 9 };
    memcpy(bytes + c.buf.len, extra, sizeof extra);
    assert_int_equal(ar_canon_validate(bytes, size), 0);
    archase_record rec = ARCHASE_RECORD_INIT;
    rec.family = ARCHASE_FAMILY_OUTBOX;
    rec.status = ARCHASE_OUTBOX_SENDING;
    rec.instant = 1;
    rec.data = bytes;
    rec.size = size;
    ar_outbox o;
    ar_outbox_init(&o, NULL);
    o.keep_bytes = 1;
    assert_int_equal(ar_outbox_decode(&o, &rec), 0);
    assert_false(o.patch.ok);
    ar_buf out;
    ar_buf_init(&out, NULL);
    assert_int_equal(ar_outbox_encode_attempt(&o, &c, &out), 0);
    assert_int_equal(out.len, size - 11);

    /* Field numbers out of order: field 60 renumbered 2. */
    bytes[size - 10] = 2;
    assert_int_equal(ar_canon_validate(bytes, size), ARCHASE_EPARSE);
    assert_int_equal(ar_outbox_decode(&o, &rec), ARCHASE_EPARSE);
    assert_null(o.item.id);
    bytes[size - 10] = 60;
    assert_int_equal(ar_outbox_decode(&o, &rec), 0);
    /* A byte after the record, or one missing. */
    rec.size = size + 1;
    assert_int_equal(ar_canon_validate(bytes, size + 1), ARCHASE_EPARSE);
    assert_int_equal(ar_outbox_decode(&o, &rec), ARCHASE_EPARSE);
    rec.size = size - 1;
    assert_int_equal(ar_outbox_decode(&o, &rec), ARCHASE_EPARSE);
    /* A boolean that is neither 0 nor 1 as the unknown field. */
    bytes[size - 9] = AR_CANON_BOOL;
    bytes[size - 8] = 2;
    rec.size = size - 7;
    assert_int_equal(ar_canon_validate(bytes, size - 7), ARCHASE_EPARSE);
    assert_int_equal(ar_outbox_decode(&o, &rec), ARCHASE_EPARSE);
    bytes[size - 8] = 1;
    assert_int_equal(ar_canon_validate(bytes, size - 7), 0);
    assert_int_equal(ar_outbox_decode(&o, &rec), 0);
    ar_buf_free(&out);
    ar_outbox_free(&o);
    ar_canon_free(&c);
    free(bytes);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(a_first_attempt_adds_its_detail_and_instant),
    cmocka_unit_test(an_item_of_one_invoice_is_patched_from_the_copy_its_strings_were_read_in),
    cmocka_unit_test(a_later_attempt_replaces_or_drops_the_previous_detail),
    cmocka_unit_test(a_cancelled_item_keeps_its_previous_attempt),
    cmocka_unit_test(fields_after_the_attempt_stay_as_stored),
    cmocka_unit_test(unknown_fields_and_malformed_bytes),
};

AR_TEST_MAIN(tests)
