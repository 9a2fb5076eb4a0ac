/* libarchase/engine/approval_record.c — approval requests as records: their
 * canonical encoding, the action payload bound to the current facts, and
 * the audit records of what happens to them. */
#include <stdio.h>
#include <string.h>

#include "archase/audit.h"
#include "archase/date.h"
#include "archase/errors.h"
#include "audit/log.h"
#include "audit/record.h"
#include "core/alloc.h"
#include "engine/approval.h"
#include "engine/codec.h"

/* ---- names and small helpers --------------------------------------------------- */

const char *archase_approval_status_name(int status) {
    switch (status) {
    case ARCHASE_APPROVAL_PENDING: return "pending";
    case ARCHASE_APPROVAL_APPROVED: return "approved";
    case ARCHASE_APPROVAL_REJECTED: return "rejected";
    case ARCHASE_APPROVAL_EXPIRED: return "expired";
    case ARCHASE_APPROVAL_VOIDED: return "voided";
    case ARCHASE_APPROVAL_DISPATCHED: return "dispatched";
    default: return NULL;
    }
}

static int blank(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

size_t ar_approval_text_length(const char *s) {
    if (!s)
        return 0;
    size_t len = strlen(s);
    while (len && blank((unsigned char)s[len - 1]))
        len--;
    size_t start = 0;
    while (start < len && blank((unsigned char)s[start]))
        start++;
    size_t chars = 0;
    for (size_t i = start; i < len; i++)
        chars += ((unsigned char)s[i] & 0xc0) != 0x80;
    return chars;
}

/* ---- the request in memory ------------------------------------------------------ */

void ar_approval_init(ar_approval *a, const archase_allocator *alloc) {
    memset(a, 0, sizeof *a);
    a->allocator = alloc;
}

static void free_strings(const archase_allocator *al, char **items, uint32_t n) {
    for (uint32_t i = 0; items && i < n; i++)
        ar_free(al, items[i]);
    ar_free(al, items);
}

void ar_approval_free(ar_approval *a) {
    const archase_allocator *al = a->allocator;
    ar_free(al, a->id);
    ar_free(al, (char *)a->act.customer_id);
    free_strings(al, (char **)a->act.invoice_ids, a->act.invoice_count);
    ar_free(al, (char *)a->act.rule);
    ar_free(al, (char *)a->act.reason_code);
    ar_free(al, (char *)a->act.detail);
    ar_free(al, (char *)a->act.decision_id);
    ar_free(al, a->payload);
    ar_free(al, a->requester);
    ar_free(al, a->requester_role);
    ar_free(al, a->justification);
    ar_free(al, a->impact);
    free_strings(al, a->roles, a->role_count);
    for (uint32_t i = 0; a->votes && i < a->vote_count; i++) {
        ar_free(al, (char *)a->votes[i].actor);
        ar_free(al, (char *)a->votes[i].role);
        ar_free(al, (char *)a->votes[i].reason);
    }
    ar_free(al, a->votes);
    ar_free(al, a->replaces);
    ar_free(al, a->replaced_by);
    ar_free(al, a->approval_rule);
    ar_free(al, a->decision_key);
    ar_approval_init(a, al);
}

/* ---- encoding ------------------------------------------------------------------------ */

static void put_opt_str(ar_canon *c, uint16_t field, const char *s) {
    if (s && *s)
        ar_canon_put_str(c, field, s);
}

int ar_approval_encode(const ar_approval *a, ar_canon *c) {
    if (!a->id || !a->payload || !a->requester || !a->justification || !a->impact)
        return ARCHASE_EINVAL;
    ar_canon_reset(c);
    ar_canon_begin_record(c, AR_APPROVAL_KIND);
    ar_canon_put_str(c, 1, a->id);
    ar_canon_put_bytes(c, 2, a->payload, a->payload_size);
    ar_canon_put_hash(c, 3, a->payload_hash);
    ar_canon_put_str(c, 4, a->requester);
    put_opt_str(c, 5, a->requester_role);
    ar_canon_put_str(c, 6, a->justification);
    ar_canon_put_str(c, 7, a->impact);
    ar_canon_put_instant(c, 8, a->created);
    ar_canon_put_instant(c, 9, a->expires);
    if (a->closed)
        ar_canon_put_instant(c, 10, a->closed);
    ar_canon_put_int(c, 11, a->required);
    ar_canon_field(c, 12);
    ar_canon_begin_list(c);
    for (uint32_t i = 0; i < a->role_count; i++)
        ar_canon_str(c, a->roles[i]);
    ar_canon_end_list(c);
    ar_canon_put_hash(c, 13, a->policy_hash);
    ar_canon_put_int(c, 14, a->status);
    if (a->vote_count) {
        ar_canon_field(c, 15);
        ar_canon_begin_list(c);
        for (uint32_t i = 0; i < a->vote_count; i++) {
            const archase_approval_vote *v = &a->votes[i];
            ar_canon_begin_record(c, AR_VOTE_KIND);
            ar_canon_put_str(c, 1, v->actor);
            ar_canon_put_str(c, 2, v->role);
            ar_canon_put_bool(c, 3, v->approve);
            ar_canon_put_str(c, 4, v->reason);
            ar_canon_put_instant(c, 5, v->at);
            ar_canon_end_record(c);
        }
        ar_canon_end_list(c);
    }
    put_opt_str(c, 16, a->replaces);
    put_opt_str(c, 17, a->replaced_by);
    if (a->fast_lane)
        ar_canon_put_bool(c, 18, 1);
    put_opt_str(c, 19, a->approval_rule);
    put_opt_str(c, 20, a->decision_key);
    ar_canon_put_int(c, 21, a->revision);
    ar_canon_end_record(c);
    if (!c->err && c->buf.err)
        return c->buf.err;
    return c->err;
}

/* ---- decoding ------------------------------------------------------------------------ */

typedef struct dec {
    const archase_allocator *al;
    int                      rc;
} dec;

/* A copy of a STRING value; sets the error on failure. */
static char *dup_value(dec *d, const ar_canon_value *v) {
    if (d->rc)
        return NULL;
    if (v->type != AR_CANON_STRING || memchr(v->bytes, '\0', v->len)) {
        d->rc = ARCHASE_EPARSE;
        return NULL;
    }
    char *s = ar_strndup(d->al, (const char *)v->bytes, v->len);
    if (!s)
        d->rc = ARCHASE_ENOMEM;
    return s;
}

/* Reads a LIST of STRING into a new array. */
static char **dup_list(dec *d, ar_canon_reader *r, const ar_canon_value *list, uint32_t *count) {
    char **items = NULL;
    if (d->rc)
        return NULL;
    if (list->type != AR_CANON_LIST) {
        d->rc = ARCHASE_EPARSE;
        return NULL;
    }
    items = ar_calloc(d->al, list->count ? list->count : 1, sizeof *items);
    if (!items) {
        d->rc = ARCHASE_ENOMEM;
        return NULL;
    }
    *count = list->count;
    for (uint32_t i = 0; i < list->count && !d->rc; i++) {
        ar_canon_value v;
        if (ar_canon_read(r, &v))
            d->rc = ARCHASE_EPARSE;
        else
            items[i] = dup_value(d, &v);
    }
    return items;
}

static int decode_action(dec *d, ar_action *act, const uint8_t *data, size_t size) {
    ar_canon_reader r;
    ar_canon_value v;
    uint16_t field;
    if (ar_canon_validate(data, size))
        return ARCHASE_EPARSE;
    ar_canon_reader_init(&r, data, size);
    if (ar_canon_read(&r, &v) || v.kind != AR_PAYLOAD_KIND)
        return ARCHASE_EPARSE;
    uint32_t fields = v.count;
    for (uint32_t i = 0; i < fields && !d->rc; i++) {
        if (ar_canon_read_field(&r, &field, &v))
            return ARCHASE_EPARSE;
        switch (field) {
        case 1: {
            char *name = dup_value(d, &v);
            act->action = 0;
            for (int k = 1; name && k <= ARCHASE_ACTION_MAX; k++)
                if (!strcmp(archase_action_name(k), name))
                    act->action = k;
            ar_free(d->al, name);
            if (!d->rc && !act->action)
                d->rc = ARCHASE_EPARSE;
            break;
        }
        case 2: act->customer_id = dup_value(d, &v); break;
        case 3: act->invoice_ids = (const char **)dup_list(d, &r, &v, &act->invoice_count); break;
        case 4:
            if (v.type != AR_CANON_MONEY)
                d->rc = ARCHASE_EPARSE;
            else
                act->amount = v.money;
            break;
        case 5: act->rule = dup_value(d, &v); break;
        case 6: act->reason_code = dup_value(d, &v); break;
        case 7: act->detail = dup_value(d, &v); break;
        case 8: act->decision_id = dup_value(d, &v); break;
        case 9: /* the bindings: checked by comparing payload hashes, not read */
            if (ar_canon_skip(&r, &v))
                d->rc = ARCHASE_EPARSE;
            break;
        default: d->rc = ARCHASE_EPARSE; break;
        }
    }
    if (!d->rc && (!act->customer_id || !ar_canon_at_end(&r)))
        d->rc = ARCHASE_EPARSE;
    return d->rc;
}

static int decode_votes(dec *d, ar_approval *a, ar_canon_reader *r, const ar_canon_value *list) {
    if (list->type != AR_CANON_LIST)
        return d->rc = ARCHASE_EPARSE;
    a->votes = ar_calloc(d->al, list->count ? list->count : 1, sizeof *a->votes);
    if (!a->votes)
        return d->rc = ARCHASE_ENOMEM;
    a->vote_count = list->count;
    for (uint32_t i = 0; i < list->count && !d->rc; i++) {
        archase_approval_vote *vote = &a->votes[i];
        ar_canon_value v;
        uint16_t field;
        vote->version = ARCHASE_APPROVAL_VOTE_VERSION;
        if (ar_canon_read(r, &v) || v.type != AR_CANON_RECORD || v.kind != AR_VOTE_KIND || v.count != 5)
            return d->rc = ARCHASE_EPARSE;
        for (uint16_t want = 1; want <= 5 && !d->rc; want++) {
            if (ar_canon_read_field(r, &field, &v) || field != want)
                return d->rc = ARCHASE_EPARSE;
            switch (field) {
            case 1: vote->actor = dup_value(d, &v); break;
            case 2: vote->role = dup_value(d, &v); break;
            case 3: vote->approve = v.type == AR_CANON_BOOL ? (int)v.i : (d->rc = ARCHASE_EPARSE, 0); break;
            case 4: vote->reason = dup_value(d, &v); break;
            default: vote->at = v.type == AR_CANON_INSTANT ? v.i : (d->rc = ARCHASE_EPARSE, 0); break;
            }
        }
    }
    return d->rc;
}

int ar_approval_decode(ar_approval *a, const void *data, size_t size) {
    ar_canon_reader r;
    ar_canon_value v;
    uint16_t field;
    dec d = { a->allocator, 0 };
    ar_approval_free(a);
    if (ar_canon_validate(data, size))
        return ARCHASE_EPARSE;
    ar_canon_reader_init(&r, data, size);
    if (ar_canon_read(&r, &v) || v.kind != AR_APPROVAL_KIND)
        return ARCHASE_EPARSE;
    uint32_t fields = v.count;
    for (uint32_t i = 0; i < fields && !d.rc; i++) {
        if (ar_canon_read_field(&r, &field, &v)) {
            d.rc = ARCHASE_EPARSE;
            break;
        }
        switch (field) {
        case 1: a->id = dup_value(&d, &v); break;
        case 2:
            if (v.type != AR_CANON_BYTES) {
                d.rc = ARCHASE_EPARSE;
                break;
            }
            a->payload = ar_malloc(d.al, v.len ? v.len : 1);
            if (!a->payload) {
                d.rc = ARCHASE_ENOMEM;
                break;
            }
            memcpy(a->payload, v.bytes, v.len);
            a->payload_size = v.len;
            decode_action(&d, &a->act, a->payload, a->payload_size);
            break;
        case 3:
            if (v.type == AR_CANON_HASH)
                memcpy(a->payload_hash, v.bytes, 32);
            else
                d.rc = ARCHASE_EPARSE;
            break;
        case 4: a->requester = dup_value(&d, &v); break;
        case 5: a->requester_role = dup_value(&d, &v); break;
        case 6: a->justification = dup_value(&d, &v); break;
        case 7: a->impact = dup_value(&d, &v); break;
        case 8: a->created = v.i; d.rc = v.type == AR_CANON_INSTANT ? 0 : ARCHASE_EPARSE; break;
        case 9: a->expires = v.i; d.rc = v.type == AR_CANON_INSTANT ? 0 : ARCHASE_EPARSE; break;
        case 10: a->closed = v.i; d.rc = v.type == AR_CANON_INSTANT ? 0 : ARCHASE_EPARSE; break;
        case 11: a->required = (uint32_t)v.i; d.rc = v.type == AR_CANON_INT && v.i >= 0 && v.i <= 100 ? 0 : ARCHASE_EPARSE; break;
        case 12: a->roles = dup_list(&d, &r, &v, &a->role_count); break;
        case 13:
            if (v.type == AR_CANON_HASH)
                memcpy(a->policy_hash, v.bytes, 32);
            else
                d.rc = ARCHASE_EPARSE;
            break;
        case 14: a->status = (int)v.i; d.rc = v.type == AR_CANON_INT && archase_approval_status_name((int)v.i) ? 0 : ARCHASE_EPARSE; break;
        case 15: decode_votes(&d, a, &r, &v); break;
        case 16: a->replaces = dup_value(&d, &v); break;
        case 17: a->replaced_by = dup_value(&d, &v); break;
        case 18: a->fast_lane = (int)v.i; d.rc = v.type == AR_CANON_BOOL ? 0 : ARCHASE_EPARSE; break;
        case 19: a->approval_rule = dup_value(&d, &v); break;
        case 20: a->decision_key = dup_value(&d, &v); break;
        case 21: a->revision = v.i; d.rc = v.type == AR_CANON_INT ? 0 : ARCHASE_EPARSE; break;
        default: d.rc = ARCHASE_EPARSE; break;
        }
    }
    if (!d.rc && (!a->id || !a->payload || !a->requester || !a->justification || !a->impact ||
                  !a->status || !ar_canon_at_end(&r)))
        d.rc = ARCHASE_EPARSE;
    if (d.rc)
        ar_approval_free(a);
    return d.rc;
}

/* ---- the store -------------------------------------------------------------------------- */

typedef struct load_ctx {
    ar_approval *a;
    int          rc;
} load_ctx;

static int take_request(void *ctx, const archase_record *rec) {
    load_ctx *l = ctx;
    l->rc = ar_approval_decode(l->a, rec->data, rec->size);
    return 0;
}

int ar_approval_load(archase_engine *e, const char *id, ar_approval *a) {
    load_ctx l = { a, 0 };
    int rc = ar_store_get(e, ARCHASE_FAMILY_APPROVAL, id, take_request, &l);
    if (rc == ARCHASE_ENOTFOUND)
        return ar_error_set(&e->err, rc, "no approval request '%s'", id);
    if (rc)
        return rc;
    if (l.rc == ARCHASE_ENOMEM)
        return ar_error_set(&e->err, l.rc, "out of memory");
    if (l.rc)
        return ar_error_set(&e->err, ARCHASE_ESTORAGE, "stored approval request '%s' cannot be decoded", id);
    return 0;
}

int ar_approval_store(archase_engine *e, ar_approval *a, ar_canon *scratch) {
    const uint8_t *bytes;
    size_t size;
    a->revision++;
    int rc = ar_approval_encode(a, scratch);
    if (!rc)
        rc = ar_canon_finish(scratch, &bytes, &size);
    if (rc) {
        a->revision--;
        return ar_error_set(&e->err, rc, "encoding approval request '%s' failed", a->id);
    }
    archase_record rec = ARCHASE_RECORD_INIT;
    rec.family = ARCHASE_FAMILY_APPROVAL;
    rec.id = a->id;
    rec.customer_id = a->act.customer_id;
    rec.invoice_id = a->act.invoice_count ? a->act.invoice_ids[0] : NULL;
    rec.revision = a->revision;
    rec.status = a->status;
    rec.date = archase_instant_utc_date(a->created);
    rec.amount = a->act.amount.minor;
    memcpy(rec.currency, a->act.amount.currency, 4);
    rec.instant = a->expires;
    rec.data = bytes;
    rec.size = size;
    rc = ar_store_put(e, &rec);
    if (rc)
        a->revision--;
    return rc;
}

/* ---- the payload ------------------------------------------------------------------------- */

typedef struct bound {
    archase_engine *e;
    ar_canon       *c;
    const char     *family;
    const char     *customer_id; /* invoices: the customer they must belong to */
    const char     *currency;    /* invoices: the action's amount's currency, "" = any */
    int             found;
    int             rc;
} bound;

/* One binding: the family, the id, the revision, the hash of the stored
 * bytes, and for invoices the derived open amount and status. */
static int bind_record(void *ctx, const archase_record *rec) {
    bound *b = ctx;
    ar_sha256 *sha;
    uint8_t hash[32];
    b->found = 1;
    if (b->customer_id && (!rec->customer_id || strcmp(rec->customer_id, b->customer_id))) {
        b->rc = ar_error_set(&b->e->err, ARCHASE_EINVAL, "invoice '%s' is not an invoice of customer '%s'",
                             rec->id, b->customer_id);
        return b->rc;
    }
    if (b->currency && b->currency[0] && strcmp(rec->currency, b->currency)) {
        b->rc = ar_error_set(&b->e->err, ARCHASE_ECURRENCY, "invoice '%s' is in %s, the amount in %s",
                             rec->id, rec->currency, b->currency);
        return b->rc;
    }
    ar_span span = { rec->data, rec->size };
    int rc = ar_audit_sha(b->e, &sha);
    if (!rc)
        rc = ar_sha256_spans(sha, &span, 1, hash);
    if (rc)
        return b->rc = ar_error_set(&b->e->err, rc, "out of memory");
    ar_canon_begin_record(b->c, AR_BINDING_KIND);
    ar_canon_put_str(b->c, 1, b->family);
    ar_canon_put_str(b->c, 2, rec->id);
    ar_canon_put_int(b->c, 3, rec->revision);
    ar_canon_put_hash(b->c, 4, hash);
    if (rec->family == ARCHASE_FAMILY_INVOICE) {
        archase_money open = { rec->amount2, "" };
        memcpy(open.currency, rec->currency, 4);
        ar_canon_put_money(b->c, 5, &open);
        ar_canon_put_str(b->c, 6, ar_invoice_status_name(rec->status));
    }
    ar_canon_end_record(b->c);
    return 0;
}

static int bind(archase_engine *e, ar_canon *c, int family, const char *id, const char *customer,
                const char *currency, int required) {
    bound b = { e, c, ar_family_name(family), customer, currency, 0, 0 };
    int rc = ar_store_get(e, family, id, bind_record, &b);
    if (rc == ARCHASE_ENOTFOUND && !required) {
        ar_error_clear(&e->err);
        return 0;
    }
    if (rc == ARCHASE_ENOTFOUND)
        return ar_error_set(&e->err, rc, "no %s '%s'", b.family, id);
    return b.rc ? b.rc : rc;
}

int ar_approval_payload(archase_engine *e, const ar_action *act, ar_canon *c) {
    ar_canon_reset(c);
    ar_canon_begin_record(c, AR_PAYLOAD_KIND);
    ar_canon_put_str(c, 1, archase_action_name(act->action));
    ar_canon_put_str(c, 2, act->customer_id);
    if (act->invoice_count) {
        ar_canon_field(c, 3);
        ar_canon_begin_list(c);
        for (uint32_t i = 0; i < act->invoice_count; i++)
            ar_canon_str(c, act->invoice_ids[i]);
        ar_canon_end_list(c);
    }
    if (act->amount.currency[0])
        ar_canon_put_money(c, 4, &act->amount);
    put_opt_str(c, 5, act->rule);
    put_opt_str(c, 6, act->reason_code);
    put_opt_str(c, 7, act->detail);
    put_opt_str(c, 8, act->decision_id);
    ar_canon_field(c, 9);
    ar_canon_begin_list(c);
    int rc = bind(e, c, ARCHASE_FAMILY_CUSTOMER, act->customer_id, NULL, NULL, 1);
    if (!rc)
        rc = bind(e, c, ARCHASE_FAMILY_FLAGS, act->customer_id, NULL, NULL, 0);
    for (uint32_t i = 0; i < act->invoice_count && !rc; i++)
        rc = bind(e, c, ARCHASE_FAMILY_INVOICE, act->invoice_ids[i], act->customer_id,
                  act->amount.currency, 1);
    if (rc)
        return rc;
    ar_canon_end_list(c);
    ar_canon_end_record(c);
    if (!c->err && c->buf.err)
        return ar_error_set(&e->err, c->buf.err, "out of memory");
    if (c->err)
        return ar_error_set(&e->err, c->err, "encoding the action payload failed");
    return 0;
}

/* ---- audit records ------------------------------------------------------------------------ */

int ar_approval_audit(archase_engine *e, const ar_approval_event *ev) {
    ar_canon c;
    const uint8_t *bytes;
    size_t size;
    ar_canon_init(&c, AR_ENGINE_ALLOC(e));
    ar_canon_begin_record(&c, AR_APPROVAL_EVENT_KIND);
    ar_canon_put_str(&c, 1, ev->request_id ? ev->request_id : "");
    ar_canon_put_str(&c, 2, ev->what);
    put_opt_str(&c, 3, ev->role);
    put_opt_str(&c, 4, ev->reason);
    if (ev->code)
        ar_canon_put_str(&c, 5, archase_error_name(ev->code));
    if (ev->status)
        ar_canon_put_str(&c, 6, archase_approval_status_name(ev->status));
    if (ev->payload_hash)
        ar_canon_put_hash(&c, 7, ev->payload_hash);
    put_opt_str(&c, 8, ev->other_id);
    ar_canon_end_record(&c);
    int rc = ar_canon_finish(&c, &bytes, &size);
    if (rc)
        rc = ar_error_set(&e->err, rc, "encoding an approval audit record failed");
    else
        rc = ar_audit_record(e, ev->kind, ev->actor, bytes, size);
    ar_canon_free(&c);
    return rc;
}
