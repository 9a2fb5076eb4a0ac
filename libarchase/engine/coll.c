/* libarchase/engine/coll.c — what promises, disputes and the reconciliation
 * queue share (coll.h). */
#include "engine/coll.h"

#include <stdio.h>
#include <string.h>

#include "archase/audit.h"
#include "archase/date.h"
#include "archase/errors.h"
#include "audit/record.h"

int ar_transition_record(archase_engine *e, const ar_transition *t) {
    ar_canon c;
    ar_canon_init(&c, AR_ENGINE_ALLOC(e));
    ar_canon_begin_record(&c, AR_TRANSITION_KIND);
    ar_canon_put_str(&c, 1, t->family);
    ar_canon_put_str(&c, 2, t->id);
    if (t->from)
        ar_canon_put_str(&c, 3, t->from);
    ar_canon_put_str(&c, 4, t->to);
    ar_canon_put_str(&c, 5, t->cause);
    ar_canon_put_date(&c, 6, t->as_of);
    if (t->amount && t->amount->currency[0])
        ar_canon_put_money(&c, 7, t->amount);
    if (t->detail && *t->detail)
        ar_canon_put_str(&c, 8, t->detail);
    ar_canon_end_record(&c);
    const uint8_t *data;
    size_t size;
    int rc = ar_canon_finish(&c, &data, &size);
    if (rc)
        rc = ar_error_set(&e->err, rc, "encoding the %s transition of '%s' failed", t->family, t->id);
    else
        rc = ar_audit_record(e, t->audit_kind, t->actor, data, size);
    ar_canon_free(&c);
    return rc;
}

void ar_held_init(ar_held *s, archase_engine *e) {
    memset(s, 0, sizeof *s);
    ar_buf_init(&s->raw, AR_ENGINE_ALLOC(e));
    ar_fact_init(&s->fact, AR_ENGINE_ALLOC(e));
}

void ar_held_free(ar_held *s) {
    ar_buf_free(&s->raw);
    ar_fact_free(&s->fact);
}

static int copy_record(void *ctx, const archase_record *r) {
    ar_held *s = ctx;
    size_t id = strlen(r->id) + 1;
    size_t cu = r->customer_id ? strlen(r->customer_id) + 1 : 0;
    size_t in = r->invoice_id ? strlen(r->invoice_id) + 1 : 0;
    ar_buf_reset(&s->raw);
    ar_buf_put(&s->raw, r->id, id);
    if (cu)
        ar_buf_put(&s->raw, r->customer_id, cu);
    if (in)
        ar_buf_put(&s->raw, r->invoice_id, in);
    if (r->size)
        ar_buf_put(&s->raw, r->data, r->size);
    if (s->raw.err)
        return s->raw.err;
    s->env = *r;
    const char *base = (const char *)s->raw.data;
    s->env.id = base;
    s->env.customer_id = cu ? base + id : NULL;
    s->env.invoice_id = in ? base + id + cu : NULL;
    s->env.data = r->size ? s->raw.data + id + cu + in : NULL;
    s->found = 1;
    return 0;
}

int ar_held_load(archase_engine *e, int family, const char *id, ar_held *s) {
    s->found = 0;
    int rc = ar_store_get(e, family, id, copy_record, s);
    if (rc == ARCHASE_ENOTFOUND)
        return 0;
    if (rc == ARCHASE_ENOMEM)
        return ar_error_set(&e->err, rc, "out of memory");
    if (rc)
        return rc;
    if (ar_family_is_fact(family)) {
        rc = ar_fact_decode(&s->fact, family, s->env.data, s->env.size);
        if (rc == ARCHASE_ENOMEM)
            return ar_error_set(&e->err, rc, "out of memory");
        if (rc)
            return ar_error_set(&e->err, ARCHASE_ESTORAGE, "the stored %s '%s' cannot be decoded",
                                ar_family_name(family), id);
    }
    return 0;
}

static int no_op(void *ctx, const archase_record *r) {
    (void)ctx;
    (void)r;
    return 0;
}

int ar_marker_exists(archase_engine *e, const char *key, int *exists) {
    int rc = ar_store_get(e, ARCHASE_FAMILY_META, key, no_op, NULL);
    *exists = rc == 0;
    return rc == ARCHASE_ENOTFOUND ? 0 : rc;
}

int ar_marker_put(archase_engine *e, const char *key, const void *data, size_t size) {
    archase_record r = ARCHASE_RECORD_INIT;
    r.family = ARCHASE_FAMILY_META;
    r.id = key;
    r.data = data;
    r.size = size;
    return ar_store_put(e, &r);
}

int ar_coll_begin_call(archase_engine *e) {
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (e->batch)
        return ar_error_set(&e->err, ARCHASE_ESTATE, "a batch is open on this engine");
    return 0;
}

void ar_coll_date(archase_date d, char buf[16]) {
    if (archase_date_format(d, buf, 16) != 0)
        snprintf(buf, 16, "%ld", (long)d);
}

void ar_coll_money(int64_t minor, const char *currency, char *buf, size_t size) {
    archase_money m;
    m.minor = minor;
    memcpy(m.currency, currency, 4);
    m.currency[3] = '\0';
    if (archase_money_format(&m, buf, size) != 0)
        snprintf(buf, size, "%lld %.3s", (long long)minor, currency);
}
