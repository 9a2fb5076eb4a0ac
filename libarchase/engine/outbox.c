/* libarchase/engine/outbox.c — outbox items as records (outbox.h), and the
 * public reading and resolving of them (archase/cycle.h). */
#include "engine/outbox.h"

#include <stdio.h>
#include <string.h>

#include "archase/audit.h"
#include "archase/errors.h"
#include "audit/log.h"
#include "audit/record.h"
#include "core/alloc.h"
#include "core/sha256.h"
#include "engine/approval.h"
#include "engine/codec.h"

/* ---- the item in memory ----------------------------------------------------------- */

void ar_outbox_init(ar_outbox *o, const archase_allocator *a) {
    memset(o, 0, sizeof *o);
    o->allocator = a;
    o->item.version = ARCHASE_OUTBOX_ITEM_VERSION;
    o->item.score = -1;
    o->item.as_of = ARCHASE_DATE_NONE;
    o->item.local_date = ARCHASE_DATE_NONE;
    o->render.as_of = ARCHASE_DATE_NONE;
    ar_buf_init(&o->text, a);
    ar_buf_init(&o->stored, a);
}

void ar_outbox_free(ar_outbox *o) {
    const archase_allocator *a = o->allocator;
    ar_buf_free(&o->text);
    ar_buf_free(&o->stored);
    ar_free(a, o->ids);
    ar_free(a, o->reasons);
    ar_free(a, o->invoices);
    ar_outbox_init(o, a);
}

/* Empties `o` for the next decode, keeping the memory decoding uses: what
 * ar_outbox_init sets, field by field (the memory's fields stay). */
static void outbox_clear(ar_outbox *o) {
    memset(&o->item, 0, sizeof o->item);
    o->item.version = ARCHASE_OUTBOX_ITEM_VERSION;
    o->item.score = -1;
    o->item.as_of = ARCHASE_DATE_NONE;
    o->item.local_date = ARCHASE_DATE_NONE;
    o->gated = 0;
    o->backoff_seconds = 0;
    o->has_render = 0;
    memset(&o->render, 0, sizeof o->render);
    o->render.as_of = ARCHASE_DATE_NONE;
    ar_buf_reset(&o->text);
    ar_buf_reset(&o->stored);
    o->bytes = NULL;
    o->dirty = 0;
    memset(&o->patch, 0, sizeof o->patch);
}

/* ---- encoding ------------------------------------------------------------------------ */

static void opt_str(ar_canon *c, uint16_t field, const char *s) {
    if (s && *s)
        ar_canon_put_str(c, field, s);
}

static void opt_instant(ar_canon *c, uint16_t field, archase_instant t) {
    if (t)
        ar_canon_put_instant(c, field, t);
}

static void opt_date(ar_canon *c, uint16_t field, archase_date d) {
    if (d != ARCHASE_DATE_NONE)
        ar_canon_put_date(c, field, d);
}

static void opt_money(ar_canon *c, uint16_t field, const archase_money *m) {
    if (m->currency[0])
        ar_canon_put_money(c, field, m);
}

static void encode_render(ar_canon *c, const ar_render_ctx *r) {
    ar_canon_field(c, 43);
    ar_canon_begin_record(c, AR_RENDER_KIND);
    opt_str(c, 1, r->customer_name);
    opt_str(c, 2, r->owner);
    opt_str(c, 3, r->collector);
    opt_str(c, 4, r->locale);
    opt_date(c, 5, r->as_of);
    ar_canon_field(c, 6);
    ar_canon_begin_list(c);
    for (size_t i = 0; i < r->invoice_count; i++) {
        const ar_render_invoice *v = &r->invoices[i];
        ar_canon_begin_record(c, AR_RENDER_INVOICE_KIND);
        ar_canon_put_str(c, 1, v->id);
        opt_str(c, 2, v->number);
        opt_str(c, 3, v->po_ref);
        opt_str(c, 4, v->source_link);
        opt_date(c, 5, v->issue_date);
        opt_date(c, 6, v->due_date);
        opt_money(c, 7, &v->amount);
        opt_money(c, 8, &v->open_amount);
        ar_canon_put_int(c, 9, v->days_overdue);
        ar_canon_end_record(c);
    }
    ar_canon_end_list(c);
    opt_money(c, 7, &r->total_open);
    opt_money(c, 8, &r->total_overdue);
    opt_str(c, 9, r->customer_id);
    ar_canon_end_record(c);
}

int ar_outbox_encode(const ar_outbox *o, ar_canon *c) {
    const archase_outbox_item *it = &o->item;
    if (!it->id || !*it->id || !it->subject || !it->body)
        return ARCHASE_EINVAL;
    ar_canon_reset(c);
    ar_canon_begin_record(c, AR_OUTBOX_KIND);
    ar_canon_put_str(c, 1, it->id);
    opt_str(c, 2, it->decision_key);
    ar_canon_put_int(c, 3, it->status);
    ar_canon_put_int(c, 4, it->kind);
    ar_canon_put_int(c, 5, it->action);
    ar_canon_put_int(c, 6, it->channel);
    opt_str(c, 7, it->customer_id);
    ar_canon_field(c, 8);
    ar_canon_begin_list(c);
    for (size_t i = 0; i < it->invoice_count; i++)
        ar_canon_str(c, it->invoice_ids[i]);
    ar_canon_end_list(c);
    opt_str(c, 9, it->contact_id);
    opt_str(c, 10, it->address);
    opt_str(c, 11, it->recipient_name);
    opt_str(c, 12, it->template_name);
    ar_canon_put_int(c, 13, it->tone);
    ar_canon_put_str(c, 14, it->subject);
    ar_canon_put_str(c, 15, it->body);
    opt_str(c, 16, it->owner);
    opt_str(c, 17, it->rule);
    opt_str(c, 18, it->segment);
    ar_canon_put_int(c, 19, it->score);
    ar_canon_field(c, 20);
    ar_canon_begin_list(c);
    for (size_t i = 0; i < it->reason_count; i++)
        ar_canon_int(c, it->reasons[i]);
    ar_canon_end_list(c);
    opt_money(c, 21, &it->amount);
    opt_date(c, 22, it->as_of);
    opt_instant(c, 23, it->created_at);
    ar_canon_put_instant(c, 24, it->scheduled_at);
    ar_canon_put_instant(c, 25, it->next_attempt_at);
    opt_str(c, 26, it->timezone);
    opt_date(c, 27, it->local_date);
    ar_canon_put_int(c, 28, it->local_seconds);
    ar_canon_put_int(c, 29, it->attempts);
    ar_canon_put_int(c, 30, it->max_attempts);
    opt_str(c, 31, it->last_detail);
    opt_instant(c, 32, it->last_attempt_at);
    opt_str(c, 33, it->approval_id);
    opt_str(c, 34, it->dead_item);
    ar_canon_put_bool(c, 35, it->draft);
    opt_str(c, 36, it->reviewer);
    opt_instant(c, 37, it->reviewed_at);
    if (it->reviewed_at)
        ar_canon_put_int(c, 38, it->review_seconds);
    ar_canon_put_bool(c, 39, it->edited);
    opt_str(c, 40, it->resolved_by);
    ar_canon_put_int(c, 41, o->backoff_seconds);
    ar_canon_put_bool(c, 42, o->gated);
    if (o->has_render)
        encode_render(c, &o->render);
    ar_canon_end_record(c);
    const uint8_t *bytes;
    size_t size;
    return ar_canon_finish(c, &bytes, &size);
}

/* ---- decoding -------------------------------------------------------------------------- */

typedef struct dec {
    ar_outbox       *o;
    ar_canon_reader *r;
    const uint8_t   *data; /* the record's first byte */
    int              rc;
    int              unknown; /* a field decoding skips: validated whole at the end */
} dec;

/* Reads the next field of a record whose previous field was *last: field
 * numbers must rise strictly (ar_canon_validate's rule). 0 or EPARSE. */
static int next_field(dec *d, int32_t *last, uint16_t *field, ar_canon_value *v) {
    if (ar_canon_read_field(d->r, field, v) || (int32_t)*field <= *last)
        return d->rc = ARCHASE_EPARSE;
    *last = *field;
    return 0;
}

/* A field decoding does not know: skipped, and the record is validated
 * whole once decoded. */
static int skip_unknown(dec *d, const ar_canon_value *v) {
    d->unknown = 1;
    return ar_canon_skip(d->r, v);
}

/* A STRING as a C string: o->text holds a copy of the whole record and a
 * NUL after it, and the string's copy there is ended by writing a NUL over
 * the byte after it (the start of the next value, which decoding reads
 * from the record itself; never a byte of another string). */
static const char *str_of(dec *d, const ar_canon_value *v) {
    if (v->type != AR_CANON_STRING) {
        d->rc = ARCHASE_EPARSE;
        return NULL;
    }
    char *s = (char *)d->o->text.data + (v->bytes - d->data);
    if (s[v->len]) { /* a byte of the record changed in the copy */
        s[v->len] = '\0';
        d->o->dirty = 1;
    }
    return s;
}

static int64_t int_of(dec *d, const ar_canon_value *v, int type) {
    if (v->type != type)
        d->rc = ARCHASE_EPARSE;
    return v->i;
}

static void money_of(dec *d, const ar_canon_value *v, archase_money *out) {
    if (v->type != AR_CANON_MONEY)
        d->rc = ARCHASE_EPARSE;
    else
        *out = v->money;
}

static void decode_invoice(dec *d, ar_render_invoice *inv) {
    ar_canon_value v;
    uint16_t field;
    memset(inv, 0, sizeof *inv);
    inv->issue_date = inv->due_date = ARCHASE_DATE_NONE;
    if (ar_canon_read(d->r, &v) || v.type != AR_CANON_RECORD || v.kind != AR_RENDER_INVOICE_KIND) {
        d->rc = ARCHASE_EPARSE;
        return;
    }
    int32_t last = -1;
    for (uint32_t i = 0, n = v.count; i < n && !d->rc; i++) {
        if (next_field(d, &last, &field, &v))
            return;
        switch (field) {
        case 1: inv->id = str_of(d, &v); break;
        case 2: inv->number = str_of(d, &v); break;
        case 3: inv->po_ref = str_of(d, &v); break;
        case 4: inv->source_link = str_of(d, &v); break;
        case 5: inv->issue_date = (archase_date)int_of(d, &v, AR_CANON_DATE); break;
        case 6: inv->due_date = (archase_date)int_of(d, &v, AR_CANON_DATE); break;
        case 7: money_of(d, &v, &inv->amount); break;
        case 8: money_of(d, &v, &inv->open_amount); break;
        case 9: inv->days_overdue = (int32_t)int_of(d, &v, AR_CANON_INT); break;
        default: d->rc = skip_unknown(d, &v); break;
        }
    }
}

static void decode_render(dec *d, const ar_canon_value *head) {
    ar_outbox *o = d->o;
    ar_render_ctx *r = &o->render;
    ar_canon_value v;
    uint16_t field;
    if (head->type != AR_CANON_RECORD || head->kind != AR_RENDER_KIND) {
        d->rc = ARCHASE_EPARSE;
        return;
    }
    o->has_render = 1;
    int32_t last = -1;
    for (uint32_t i = 0, n = head->count; i < n && !d->rc; i++) {
        if (next_field(d, &last, &field, &v))
            return;
        switch (field) {
        case 1: r->customer_name = str_of(d, &v); break;
        case 2: r->owner = str_of(d, &v); break;
        case 3: r->collector = str_of(d, &v); break;
        case 4: r->locale = str_of(d, &v); break;
        case 5: r->as_of = (archase_date)int_of(d, &v, AR_CANON_DATE); break;
        case 6:
            if (v.type != AR_CANON_LIST) {
                d->rc = ARCHASE_EPARSE;
                break;
            }
            if (ar_grow(o->allocator, (void **)&o->invoices, &o->invoices_cap, v.count ? v.count : 1,
                        sizeof *o->invoices)) {
                d->rc = ARCHASE_ENOMEM;
                break;
            }
            for (uint32_t k = 0; k < v.count && !d->rc; k++)
                decode_invoice(d, &o->invoices[k]);
            r->invoices = o->invoices;
            r->invoice_count = v.count;
            break;
        case 7: money_of(d, &v, &r->total_open); break;
        case 8: money_of(d, &v, &r->total_overdue); break;
        case 9: r->customer_id = str_of(d, &v); break;
        default: d->rc = skip_unknown(d, &v); break;
        }
    }
}

static void decode_field(dec *d, uint16_t field, const ar_canon_value *v) {
    ar_outbox *o = d->o;
    archase_outbox_item *it = &o->item;
    ar_canon_value x;
    switch (field) {
    case 1: it->id = it->idempotency_key = str_of(d, v); break;
    case 2: it->decision_key = str_of(d, v); break;
    case 3:
        it->status = (int)int_of(d, v, AR_CANON_INT);
        o->patch.status = (size_t)(d->r->p - d->data) - 8;
        break;
    case 4: it->kind = (int)int_of(d, v, AR_CANON_INT); break;
    case 5: it->action = (int)int_of(d, v, AR_CANON_INT); break;
    case 6: it->channel = (int)int_of(d, v, AR_CANON_INT); break;
    case 7: it->customer_id = str_of(d, v); break;
    case 8:
        if (v->type != AR_CANON_LIST) {
            d->rc = ARCHASE_EPARSE;
            break;
        }
        if (ar_grow(o->allocator, (void **)&o->ids, &o->ids_cap, v->count ? v->count : 1, sizeof *o->ids)) {
            d->rc = ARCHASE_ENOMEM;
            break;
        }
        for (uint32_t k = 0; k < v->count && !d->rc; k++) {
            if (ar_canon_read(d->r, &x))
                d->rc = ARCHASE_EPARSE;
            else
                o->ids[k] = str_of(d, &x);
        }
        it->invoice_ids = o->ids;
        it->invoice_count = v->count;
        break;
    case 9: it->contact_id = str_of(d, v); break;
    case 10: it->address = str_of(d, v); break;
    case 11: it->recipient_name = str_of(d, v); break;
    case 12: it->template_name = str_of(d, v); break;
    case 13: it->tone = (int)int_of(d, v, AR_CANON_INT); break;
    case 14: it->subject = str_of(d, v); break;
    case 15: it->body = str_of(d, v); break;
    case 16: it->owner = str_of(d, v); break;
    case 17: it->rule = str_of(d, v); break;
    case 18: it->segment = str_of(d, v); break;
    case 19: it->score = (int32_t)int_of(d, v, AR_CANON_INT); break;
    case 20:
        if (v->type != AR_CANON_LIST) {
            d->rc = ARCHASE_EPARSE;
            break;
        }
        if (ar_grow(o->allocator, (void **)&o->reasons, &o->reasons_cap, v->count ? v->count : 1,
                    sizeof *o->reasons)) {
            d->rc = ARCHASE_ENOMEM;
            break;
        }
        for (uint32_t k = 0; k < v->count && !d->rc; k++) {
            if (ar_canon_read(d->r, &x))
                d->rc = ARCHASE_EPARSE;
            else
                o->reasons[k] = (int)int_of(d, &x, AR_CANON_INT);
        }
        it->reasons = o->reasons;
        it->reason_count = v->count;
        break;
    case 21: money_of(d, v, &it->amount); break;
    case 22: it->as_of = (archase_date)int_of(d, v, AR_CANON_DATE); break;
    case 23: it->created_at = int_of(d, v, AR_CANON_INSTANT); break;
    case 24: it->scheduled_at = int_of(d, v, AR_CANON_INSTANT); break;
    case 25:
        it->next_attempt_at = int_of(d, v, AR_CANON_INSTANT);
        o->patch.next = (size_t)(d->r->p - d->data) - 8;
        break;
    case 26: it->timezone = str_of(d, v); break;
    case 27: it->local_date = (archase_date)int_of(d, v, AR_CANON_DATE); break;
    case 28: it->local_seconds = (int32_t)int_of(d, v, AR_CANON_INT); break;
    case 29:
        it->attempts = (uint32_t)int_of(d, v, AR_CANON_INT);
        o->patch.attempts = (size_t)(d->r->p - d->data) - 8;
        break;
    case 30: it->max_attempts = (uint32_t)int_of(d, v, AR_CANON_INT); break;
    case 31: it->last_detail = str_of(d, v); break;
    case 32: it->last_attempt_at = int_of(d, v, AR_CANON_INSTANT); break;
    case 33: it->approval_id = str_of(d, v); break;
    case 34: it->dead_item = str_of(d, v); break;
    case 35: it->draft = (int)int_of(d, v, AR_CANON_BOOL); break;
    case 36: it->reviewer = str_of(d, v); break;
    case 37: it->reviewed_at = int_of(d, v, AR_CANON_INSTANT); break;
    case 38: it->review_seconds = int_of(d, v, AR_CANON_INT); break;
    case 39: it->edited = (int)int_of(d, v, AR_CANON_BOOL); break;
    case 40: it->resolved_by = str_of(d, v); break;
    case 41: o->backoff_seconds = (uint32_t)int_of(d, v, AR_CANON_INT); break;
    case 42: o->gated = (int)int_of(d, v, AR_CANON_BOOL); break;
    case 43: decode_render(d, v); break;
    default: d->rc = skip_unknown(d, v); break;
    }
}

int ar_outbox_decode(ar_outbox *o, const archase_record *rec) {
    ar_canon_reader r;
    ar_canon_value v;
    uint16_t field;
    outbox_clear(o);
    if (!rec->data)
        return ARCHASE_EPARSE;
    /* The record's copy the strings are read from (str_of). */
    if (ar_buf_reserve(&o->text, rec->size + 1))
        return ARCHASE_ENOMEM;
    ar_buf_put(&o->text, rec->data, rec->size);
    ar_buf_putc(&o->text, 0);
    ar_canon_reader_init(&r, rec->data, rec->size);
    dec d = { o, &r, rec->data, 0, 0 };
    if (ar_canon_read(&r, &v) || v.type != AR_CANON_RECORD || v.kind != AR_OUTBOX_KIND)
        return ARCHASE_EPARSE;
    /* Where fields 31 and 32 are, or would be: from the first field
     * numbered 31 or more to the first numbered more than 32. */
    size_t tail_from = 0, tail_to = 0;
    uint32_t tail_fields = 0;
    int32_t last = -1;
    for (uint32_t i = 0, n = v.count; i < n && !d.rc; i++) {
        size_t at = (size_t)(r.p - d.data);
        if (next_field(&d, &last, &field, &v))
            break;
        if (field >= 31 && !tail_from)
            tail_from = at;
        if (field > 32 && !tail_to)
            tail_to = at;
        if (field == 31 || field == 32)
            tail_fields++;
        decode_field(&d, field, &v);
    }
    if (!d.rc && !ar_canon_at_end(&r))
        d.rc = ARCHASE_EPARSE;
    if (!d.rc && d.unknown && ar_canon_validate(rec->data, rec->size))
        d.rc = ARCHASE_EPARSE;
    if (!d.rc && (!o->item.id || !o->item.subject || !o->item.body))
        d.rc = ARCHASE_EPARSE;
    if (!d.rc && o->has_render && !o->render.invoice_count)
        d.rc = ARCHASE_EPARSE;
    /* The stored bytes are the copy strings were read from unless ending
     * a string there changed a byte (a field numbered from 256, or a string
     * followed by another in a list); then they are copied again. */
    if (!d.rc && o->keep_bytes && o->dirty) {
        ar_buf_put(&o->stored, rec->data, rec->size);
        if (o->stored.err)
            d.rc = ARCHASE_ENOMEM;
    }
    if (d.rc) {
        outbox_clear(o);
        return d.rc;
    }
    if (o->keep_bytes) {
        o->bytes = o->dirty ? o->stored.data : o->text.data;
        o->patch.tail_from = tail_from ? tail_from : rec->size;
        o->patch.tail_to = tail_to ? tail_to : rec->size;
        o->patch.tail_fields = tail_fields;
        o->patch.size = rec->size;
        o->patch.ok = !d.unknown && *o->item.id && o->patch.status && o->patch.next && o->patch.attempts;
    }
    o->render.invoices = o->invoices;
    o->item.status = rec->status;
    o->item.next_attempt_at = rec->instant;
    return 0;
}

static void put_be64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (56 - 8 * i));
}

int ar_outbox_encode_attempt(const ar_outbox *o, ar_canon *c, ar_buf *out) {
    const archase_outbox_item *it = &o->item;
    if (!o->keep_bytes || !o->patch.ok) {
        int rc = ar_outbox_encode(o, c);
        if (rc)
            return rc;
        ar_buf_put(out, c->buf.data, c->buf.len);
        return out->err ? ARCHASE_ENOMEM : 0;
    }
    const uint8_t *stored = o->bytes;
    size_t size = o->patch.size, base = out->len;
    uint32_t fields = ((uint32_t)stored[3] << 8 | stored[4]) - o->patch.tail_fields;
    size_t detail_len = it->last_detail ? strlen(it->last_detail) : 0;
    if (detail_len > AR_CANON_MAX_LENGTH)
        return ARCHASE_EINVAL;
    ar_buf_put(out, stored, o->patch.tail_from);
    if (detail_len) {
        ar_buf_put_u16be(out, 31);
        ar_buf_putc(out, AR_CANON_STRING);
        ar_buf_put_u32be(out, (uint32_t)detail_len);
        ar_buf_put(out, it->last_detail, detail_len);
        fields++;
    }
    if (it->last_attempt_at) {
        ar_buf_put_u16be(out, 32);
        ar_buf_putc(out, AR_CANON_INSTANT);
        ar_buf_put_u64be(out, (uint64_t)it->last_attempt_at);
        fields++;
    }
    ar_buf_put(out, stored + o->patch.tail_to, size - o->patch.tail_to);
    if (out->err)
        return ARCHASE_ENOMEM;
    uint8_t *p = out->data + base;
    p[3] = (uint8_t)(fields >> 8);
    p[4] = (uint8_t)fields;
    put_be64(p + o->patch.status, (uint64_t)(int64_t)it->status);
    put_be64(p + o->patch.next, (uint64_t)it->next_attempt_at);
    put_be64(p + o->patch.attempts, (uint64_t)(int64_t)it->attempts);
    return 0;
}

/* ---- the store ----------------------------------------------------------------------- */

int ar_outbox_store(archase_engine *e, const ar_outbox *o, ar_canon *c, int insert) {
    const archase_outbox_item *it = &o->item;
    int rc = ar_outbox_encode(o, c);
    if (rc)
        return ar_error_set(&e->err, rc, "encoding outbox item '%s' failed", it->id ? it->id : "");
    archase_record rec = ARCHASE_RECORD_INIT;
    rec.family = ARCHASE_FAMILY_OUTBOX;
    rec.id = it->id;
    rec.customer_id = it->customer_id;
    rec.invoice_id = it->invoice_count ? it->invoice_ids[0] : NULL;
    rec.status = it->status;
    rec.date = it->as_of;
    rec.amount = it->amount.minor;
    memcpy(rec.currency, it->amount.currency, 4);
    rec.instant = it->next_attempt_at;
    rec.data = c->buf.data;
    rec.size = c->buf.len;
    if (insert && ar_store_can_insert(e))
        return ar_store_insert(e, &rec);
    if (insert) {
        rc = ar_store_get(e, ARCHASE_FAMILY_OUTBOX, it->id, NULL, NULL);
        if (rc == 0)
            return ARCHASE_ECONFLICT;
        if (rc != ARCHASE_ENOTFOUND)
            return rc;
        ar_error_clear(&e->err);
    }
    return ar_store_put(e, &rec);
}

typedef struct load_ctx {
    ar_outbox *o;
    int        rc;
} load_ctx;

static int take_item(void *ctx, const archase_record *rec) {
    load_ctx *l = ctx;
    l->rc = ar_outbox_decode(l->o, rec);
    return 0;
}

int ar_outbox_load(archase_engine *e, const char *id, ar_outbox *o) {
    load_ctx l = { o, 0 };
    int rc = ar_store_get(e, ARCHASE_FAMILY_OUTBOX, id, take_item, &l);
    if (rc == ARCHASE_ENOTFOUND)
        return ar_error_set(&e->err, rc, "no outbox item '%s'", id);
    if (rc)
        return rc;
    if (l.rc == ARCHASE_ENOMEM)
        return ar_error_set(&e->err, l.rc, "out of memory");
    if (l.rc)
        return ar_error_set(&e->err, ARCHASE_ESTORAGE, "stored outbox item '%s' cannot be decoded", id);
    return 0;
}

/* ---- audit records ------------------------------------------------------------------- */

static const char *status_name(int status) {
    if (status == ARCHASE_OUTBOX_DRAFT)
        return "draft";
    const char *name = ar_outbox_status_name(status);
    return name ? name : "none";
}

int ar_outbox_audit(archase_engine *e, const char *id, int from, int to, uint32_t attempt,
                    const char *actor, const char *detail, const char *reason) {
    ar_canon *c = &e->canon;
    const uint8_t *bytes;
    size_t size;
    ar_canon_reset(c);
    ar_canon_begin_record(c, AR_OUTBOX_EVENT_KIND);
    ar_canon_put_str(c, 1, id);
    ar_canon_put_str(c, 2, status_name(from));
    ar_canon_put_str(c, 3, status_name(to));
    if (attempt)
        ar_canon_put_int(c, 4, attempt);
    opt_str(c, 5, detail);
    opt_str(c, 6, reason);
    ar_canon_end_record(c);
    int rc = ar_canon_finish(c, &bytes, &size);
    if (rc)
        return ar_error_set(&e->err, rc, "encoding an outbox audit record failed");
    return ar_audit_record_written(e, ARCHASE_AUDIT_OUTBOX_TRANSITION, actor, bytes, size);
}

int ar_outbox_audit_new(archase_engine *e, const ar_outbox *o, const void *bytes, size_t size) {
    ar_sha256 *sha;
    uint8_t hash[32];
    ar_span span = { bytes, size };
    int rc = ar_audit_sha(e, &sha);
    if (!rc)
        rc = ar_sha256_spans(sha, &span, 1, hash);
    if (rc)
        return ar_error_set(&e->err, rc, "out of memory");
    const archase_outbox_item *it = &o->item;
    ar_canon *c = &e->canon;
    const uint8_t *out;
    size_t out_size;
    ar_canon_reset(c);
    ar_canon_begin_record(c, AR_OUTBOX_DECIDED_KIND);
    ar_canon_put_str(c, 1, it->id);
    opt_str(c, 2, it->decision_key);
    ar_canon_put_str(c, 3, archase_decision_kind_name(it->kind) ? archase_decision_kind_name(it->kind) : "none");
    opt_str(c, 4, it->customer_id);
    ar_canon_put_str(c, 5, status_name(it->status));
    ar_canon_put_hash(c, 6, hash);
    opt_str(c, 7, it->approval_id);
    ar_canon_end_record(c);
    rc = ar_canon_finish(c, &out, &out_size);
    if (rc)
        return ar_error_set(&e->err, rc, "encoding an outbox audit record failed");
    return ar_audit_record(e, ARCHASE_AUDIT_DECISION, NULL, out, out_size);
}

int ar_outbox_key(archase_engine *e, const char *decision_key, uint32_t generation,
                  char out[ARCHASE_IDEMPOTENCY_KEY_MAX]) {
    size_t len = strlen(decision_key);
    if (len + 12 < ARCHASE_IDEMPOTENCY_KEY_MAX) {
        snprintf(out, ARCHASE_IDEMPOTENCY_KEY_MAX, "%s#%u", decision_key, (unsigned)generation);
        return 0;
    }
    ar_sha256 *sha;
    uint8_t hash[32];
    char hex[ARCHASE_HASH_HEX_SIZE];
    ar_span span = { decision_key, len };
    int rc = ar_audit_sha(e, &sha);
    if (!rc)
        rc = ar_sha256_spans(sha, &span, 1, hash);
    if (rc)
        return ar_error_set(&e->err, rc, "out of memory");
    ar_hash_to_hex(hash, hex);
    snprintf(out, ARCHASE_IDEMPOTENCY_KEY_MAX, "h:%s#%u", hex, (unsigned)generation);
    return 0;
}

/* ---- reading, public ------------------------------------------------------------------ */

typedef struct scan_ctx {
    archase_engine  *e;
    archase_outbox_fn fn;
    void            *userdata;
    ar_outbox        o;
    int              rc;
} scan_ctx;

static int each_item(void *ctx, const archase_record *rec) {
    scan_ctx *s = ctx;
    int rc = ar_outbox_decode(&s->o, rec);
    if (rc == ARCHASE_ENOMEM)
        return s->rc = ar_error_set(&s->e->err, rc, "out of memory");
    if (rc)
        return s->rc = ar_error_set(&s->e->err, ARCHASE_ESTORAGE, "stored outbox item '%s' cannot be decoded",
                                    rec->id);
    rc = s->fn(s->userdata, &s->o.item);
    if (rc < 0)
        return s->rc = rc;
    return rc ? ARCHASE_SCAN_STOP : 0;
}

int archase_outbox_scan(archase_engine *e, int status, archase_outbox_fn fn, void *userdata) {
    if (!e || !fn)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (status < 0 || (status && status != ARCHASE_OUTBOX_DRAFT && !ar_outbox_status_name(status)))
        return ar_error_set(&e->err, ARCHASE_EINVAL, "%d is not an outbox status", status);
    scan_ctx s;
    memset(&s, 0, sizeof s);
    s.e = e;
    s.fn = fn;
    s.userdata = userdata;
    ar_outbox_init(&s.o, AR_ENGINE_ALLOC(e));
    archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
    f.family = ARCHASE_FAMILY_OUTBOX;
    f.status = status;
    int rc = ar_store_scan(e, &f, each_item, &s);
    ar_outbox_free(&s.o);
    return s.rc ? s.rc : rc;
}

int archase_outbox_get(archase_engine *e, const char *id, archase_outbox_fn fn, void *userdata) {
    if (!e || !id || !fn)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    scan_ctx s;
    memset(&s, 0, sizeof s);
    s.e = e;
    s.fn = fn;
    s.userdata = userdata;
    ar_outbox_init(&s.o, AR_ENGINE_ALLOC(e));
    int rc = ar_store_get(e, ARCHASE_FAMILY_OUTBOX, id, each_item, &s);
    if (rc == ARCHASE_ENOTFOUND)
        rc = ar_error_set(&e->err, rc, "no outbox item '%s'", id);
    ar_outbox_free(&s.o);
    if (s.rc)
        return s.rc;
    return rc == ARCHASE_SCAN_STOP ? 0 : rc;
}

/* ---- resolving --------------------------------------------------------------------------- */

static int check_gate(archase_engine *e, const ar_outbox *o) {
    if (!o->gated && !archase_action_is_sensitive(o->item.action))
        return 0;
    if (!o->item.approval_id)
        return ar_error_set(&e->err, ARCHASE_EDENIED,
                            "outbox item '%s' is a sensitive action without an approval", o->item.id);
    ar_gate_outcome out;
    memset(&out, 0, sizeof out);
    return ar_approval_check_dispatch(e, o->item.approval_id, NULL, 0, NULL, &out);
}

int archase_outbox_resolve(archase_engine *e, const char *id, int resolution, const char *actor,
                           const char *reason) {
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (!id || !*id)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "an outbox item id is required");
    if (resolution < ARCHASE_RESOLVE_SENT || resolution > ARCHASE_RESOLVE_CANCEL)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "%d is not a resolution (sent, resend, cancel)",
                            resolution);
    if (!reason || !*reason)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "a reason is required to resolve an outbox item");
    if (e->batch || e->in_txn)
        return ar_error_set(&e->err, ARCHASE_ESTATE, "a batch or transaction is open on the engine");
    if (!actor || !*actor)
        actor = e->actor;
    ar_outbox o;
    ar_canon c;
    ar_outbox_init(&o, AR_ENGINE_ALLOC(e));
    ar_canon_init(&c, AR_ENGINE_ALLOC(e));
    int rc = ar_txn_begin(e);
    if (rc)
        goto done;
    rc = ar_outbox_load(e, id, &o);
    if (rc)
        goto rollback;
    int from = o.item.status;
    if (from != ARCHASE_OUTBOX_IN_DOUBT && from != ARCHASE_OUTBOX_DEAD) {
        rc = ar_error_set(&e->err, ARCHASE_ESTATE, "outbox item '%s' is %s, not in doubt or dead", id,
                          status_name(from));
        goto rollback;
    }
    archase_instant now = ar_engine_now(e);
    int to = resolution == ARCHASE_RESOLVE_SENT     ? ARCHASE_OUTBOX_SENT
             : resolution == ARCHASE_RESOLVE_RESEND ? ARCHASE_OUTBOX_FAILED_RETRY
                                                    : ARCHASE_OUTBOX_CANCELLED;
    if (resolution == ARCHASE_RESOLVE_RESEND) {
        rc = check_gate(e, &o);
        if (rc) {
            /* The refusal is on record (the gate wrote it); keep that. */
            int refusal = rc;
            char msg[512];
            snprintf(msg, sizeof msg, "%s", archase_engine_errmsg(e));
            rc = ar_txn_commit(e);
            rc = rc ? rc : ar_error_set(&e->err, refusal, "%s", msg);
            goto done;
        }
        if (o.item.attempts >= o.item.max_attempts)
            o.item.max_attempts = o.item.attempts + 1;
    }
    o.item.status = to;
    o.item.next_attempt_at = now;
    o.item.resolved_by = actor;
    rc = ar_outbox_store(e, &o, &c, 0);
    if (!rc)
        rc = ar_outbox_audit(e, id, from, to, o.item.attempts, actor, NULL, reason);
    if (rc)
        goto rollback;
    rc = ar_txn_commit(e);
    goto done;
rollback:
    ar_txn_rollback(e);
done:
    ar_canon_free(&c);
    ar_outbox_free(&o);
    return rc;
}
