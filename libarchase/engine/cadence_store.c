/* libarchase/engine/cadence_store.c — cadence states and touches to and from
 * their canonical records (cadence_store.h). */
#include "engine/cadence_store.h"

#include <string.h>

#include "archase/errors.h"
#include "engine/codec.h"

enum {
    CA_INVOICE = 1, CA_CUSTOMER, CA_STATUS, CA_REASON, CA_SEQUENCE, CA_LAST_STEP, CA_LAST_OFFSET,
    CA_LAST_DATE, CA_NOTICE_OFFSET, CA_NEXT_STEP, CA_NEXT_DATE, CA_CALL_QUEUED, CA_PROMISE_ROUTED,
    CA_ESCALATED, CA_UPDATED_ON, CA_POLICY_HASH,
};
enum { TO_CUSTOMER = 1, TO_LAST_TOUCH, TO_ITEMS };
enum { TI_DATE = 1, TI_CHANNEL };

static const char *const status_names[] = { NULL, "active", "waiting", "finished", "closed" };
#define STATUS_COUNT ((int)(sizeof status_names / sizeof status_names[0]))

const char *ar_cadence_status_name(int status) {
    return status > 0 && status < STATUS_COUNT ? status_names[status] : NULL;
}

int ar_cadence_status_parse(const char *s, size_t len) {
    for (int i = 1; i < STATUS_COUNT; i++)
        if (strlen(status_names[i]) == len && !memcmp(status_names[i], s, len))
            return i;
    return -1;
}

/* ---- encoding ------------------------------------------------------------ */

static void put_opt_str(ar_canon *c, uint16_t field, const char *s) {
    if (s && *s)
        ar_canon_put_str(c, field, s);
}

static void put_opt_date(ar_canon *c, uint16_t field, archase_date d) {
    if (d != ARCHASE_DATE_NONE)
        ar_canon_put_date(c, field, d);
}

static void put_opt_offset(ar_canon *c, uint16_t field, int32_t offset) {
    if (offset != ARCHASE_OFFSET_NONE)
        ar_canon_put_int(c, field, offset);
}

int ar_cadence_encode(ar_canon *c, const ar_cadence_rec *r) {
    ar_canon_reset(c);
    ar_canon_begin_record(c, AR_KIND_CADENCE);
    ar_canon_put_str(c, CA_INVOICE, r->invoice_id);
    ar_canon_put_str(c, CA_CUSTOMER, r->customer_id);
    ar_canon_put_str(c, CA_STATUS, ar_cadence_status_name(r->status));
    if (r->reason)
        ar_canon_put_str(c, CA_REASON, archase_reason_name(r->reason));
    put_opt_str(c, CA_SEQUENCE, r->sequence);
    put_opt_str(c, CA_LAST_STEP, r->last_step);
    put_opt_offset(c, CA_LAST_OFFSET, r->last_offset);
    put_opt_date(c, CA_LAST_DATE, r->last_date);
    put_opt_offset(c, CA_NOTICE_OFFSET, r->notice_offset);
    put_opt_str(c, CA_NEXT_STEP, r->next_step);
    put_opt_date(c, CA_NEXT_DATE, r->next_date);
    put_opt_date(c, CA_CALL_QUEUED, r->call_queued);
    put_opt_str(c, CA_PROMISE_ROUTED, r->promise_routed);
    if (r->escalated_count) {
        ar_canon_field(c, CA_ESCALATED);
        ar_canon_begin_list(c);
        for (uint32_t i = 0; i < r->escalated_count; i++)
            ar_canon_str(c, r->escalated[i]);
        ar_canon_end_list(c);
    }
    put_opt_date(c, CA_UPDATED_ON, r->updated_on);
    if (r->policy_hash)
        ar_canon_put_hash(c, CA_POLICY_HASH, r->policy_hash);
    ar_canon_end_record(c);
    const uint8_t *data;
    size_t size;
    return ar_canon_finish(c, &data, &size);
}

int ar_touches_encode(ar_canon *c, const ar_touches_rec *r) {
    ar_canon_reset(c);
    ar_canon_begin_record(c, AR_KIND_TOUCHES);
    ar_canon_put_str(c, TO_CUSTOMER, r->customer_id);
    put_opt_date(c, TO_LAST_TOUCH, r->last_touch);
    if (r->count) {
        ar_canon_field(c, TO_ITEMS);
        ar_canon_begin_list(c);
        for (uint32_t i = 0; i < r->count; i++) {
            ar_canon_begin_record(c, AR_KIND_TOUCH);
            ar_canon_put_date(c, TI_DATE, r->items[i].date);
            ar_canon_put_str(c, TI_CHANNEL, ar_channel_name(r->items[i].channel));
            ar_canon_end_record(c);
        }
        ar_canon_end_list(c);
    }
    ar_canon_end_record(c);
    const uint8_t *data;
    size_t size;
    return ar_canon_finish(c, &data, &size);
}

/* ---- decoding ------------------------------------------------------------ */

static int slice(const ar_canon_value *v, ar_slice *out) {
    if (v->type != AR_CANON_STRING)
        return ARCHASE_EPARSE;
    out->p = (const char *)v->bytes;
    out->len = v->len;
    return 0;
}

static int date_of(const ar_canon_value *v, archase_date *out) {
    if (v->type != AR_CANON_DATE)
        return ARCHASE_EPARSE;
    *out = (archase_date)v->i;
    return 0;
}

static int offset_of(const ar_canon_value *v, int32_t *out) {
    if (v->type != AR_CANON_INT || v->i < -100000 || v->i > 100000)
        return ARCHASE_EPARSE;
    *out = (int32_t)v->i;
    return 0;
}

static int reason_of(const ar_canon_value *v, int *out) {
    if (v->type != AR_CANON_STRING)
        return ARCHASE_EPARSE;
    char name[64];
    if (v->len >= sizeof name)
        return ARCHASE_EPARSE;
    memcpy(name, v->bytes, v->len);
    name[v->len] = '\0';
    return archase_reason_from_name(name, out) ? ARCHASE_EPARSE : 0;
}

int ar_cadence_decode(const void *data, size_t size, ar_cadence_view *out) {
    ar_cadence_view r;
    memset(&r, 0, sizeof r);
    r.last_offset = r.notice_offset = ARCHASE_OFFSET_NONE;
    r.last_date = r.next_date = r.call_queued = r.updated_on = ARCHASE_DATE_NONE;
    ar_canon_reader rd;
    ar_canon_value v;
    ar_canon_reader_init(&rd, data, size);
    int rc = ar_canon_read(&rd, &v);
    if (rc || v.type != AR_CANON_RECORD || v.kind != AR_KIND_CADENCE)
        return ARCHASE_EPARSE;
    uint32_t fields = v.count;
    uint16_t last = 0;
    for (uint32_t i = 0; i < fields && !rc; i++) {
        uint16_t field;
        if (ar_canon_read_field(&rd, &field, &v) || field <= last)
            return ARCHASE_EPARSE;
        last = field;
        switch (field) {
        case CA_INVOICE: rc = slice(&v, &r.invoice_id); break;
        case CA_CUSTOMER: rc = slice(&v, &r.customer_id); break;
        case CA_STATUS: {
            ar_slice s;
            rc = slice(&v, &s);
            if (!rc && (r.status = ar_cadence_status_parse(s.p, s.len)) < 0)
                rc = ARCHASE_EPARSE;
            break;
        }
        case CA_REASON: rc = reason_of(&v, &r.reason); break;
        case CA_SEQUENCE: rc = slice(&v, &r.sequence); break;
        case CA_LAST_STEP: rc = slice(&v, &r.last_step); break;
        case CA_LAST_OFFSET: rc = offset_of(&v, &r.last_offset); break;
        case CA_LAST_DATE: rc = date_of(&v, &r.last_date); break;
        case CA_NOTICE_OFFSET: rc = offset_of(&v, &r.notice_offset); break;
        case CA_NEXT_STEP: rc = slice(&v, &r.next_step); break;
        case CA_NEXT_DATE: rc = date_of(&v, &r.next_date); break;
        case CA_CALL_QUEUED: rc = date_of(&v, &r.call_queued); break;
        case CA_PROMISE_ROUTED: rc = slice(&v, &r.promise_routed); break;
        case CA_ESCALATED:
            if (v.type != AR_CANON_LIST || v.count > AR_CADENCE_ESCALATED_MAX)
                return ARCHASE_EPARSE;
            r.escalated_count = v.count;
            for (uint32_t k = 0; k < r.escalated_count && !rc; k++) {
                ar_canon_value item;
                rc = ar_canon_read(&rd, &item) ? ARCHASE_EPARSE : slice(&item, &r.escalated[k]);
            }
            break;
        case CA_UPDATED_ON: rc = date_of(&v, &r.updated_on); break;
        case CA_POLICY_HASH:
            if (v.type != AR_CANON_HASH)
                return ARCHASE_EPARSE;
            memcpy(r.policy_hash, v.bytes, 32);
            r.has_policy_hash = 1;
            break;
        default: return ARCHASE_EPARSE;
        }
    }
    if (rc || !ar_canon_at_end(&rd) || !r.invoice_id.p || !r.customer_id.p || r.status <= 0)
        return ARCHASE_EPARSE;
    *out = r;
    return 0;
}

static int touch_decode(ar_canon_reader *rd, ar_touch *out) {
    ar_canon_value v;
    if (ar_canon_read(rd, &v) || v.type != AR_CANON_RECORD || v.kind != AR_KIND_TOUCH || v.count != 2)
        return ARCHASE_EPARSE;
    uint16_t field;
    if (ar_canon_read_field(rd, &field, &v) || field != TI_DATE || date_of(&v, &out->date))
        return ARCHASE_EPARSE;
    ar_slice s;
    if (ar_canon_read_field(rd, &field, &v) || field != TI_CHANNEL || slice(&v, &s))
        return ARCHASE_EPARSE;
    out->channel = ar_channel_parse(s.p, s.len);
    return out->channel > 0 ? 0 : ARCHASE_EPARSE;
}

int ar_touches_decode(const void *data, size_t size, ar_touches_rec *out) {
    ar_touches_rec r;
    memset(&r, 0, sizeof r);
    r.last_touch = ARCHASE_DATE_NONE;
    ar_canon_reader rd;
    ar_canon_value v;
    ar_canon_reader_init(&rd, data, size);
    if (ar_canon_read(&rd, &v) || v.type != AR_CANON_RECORD || v.kind != AR_KIND_TOUCHES)
        return ARCHASE_EPARSE;
    uint32_t fields = v.count;
    uint16_t last = 0;
    int rc = 0;
    for (uint32_t i = 0; i < fields && !rc; i++) {
        uint16_t field;
        if (ar_canon_read_field(&rd, &field, &v) || field <= last)
            return ARCHASE_EPARSE;
        last = field;
        switch (field) {
        case TO_CUSTOMER: rc = slice(&v, &r.customer); break;
        case TO_LAST_TOUCH: rc = date_of(&v, &r.last_touch); break;
        case TO_ITEMS:
            if (v.type != AR_CANON_LIST || v.count > AR_CADENCE_TOUCHES_MAX)
                return ARCHASE_EPARSE;
            r.count = v.count;
            for (uint32_t k = 0; k < r.count && !rc; k++)
                rc = touch_decode(&rd, &r.items[k]);
            break;
        default: return ARCHASE_EPARSE;
        }
    }
    if (rc || !ar_canon_at_end(&rd) || !r.customer.p)
        return ARCHASE_EPARSE;
    *out = r;
    return 0;
}
