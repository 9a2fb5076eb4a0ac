/* libarchase/engine/read.c — reading facts back: get, scan, enum names. */
#include <string.h>

#include "archase/errors.h"
#include "engine/codec.h"
#include "engine/engine.h"

typedef struct read_ctx {
    archase_engine *e;
    archase_fact_fn fn;
    void           *userdata;
    const char     *invoice_id; /* promises/disputes: keep those covering it */
    ar_fact         fact;
} read_ctx;

static int covers(const char *const *ids, size_t count, const char *id) {
    for (size_t i = 0; i < count; i++) {
        if (!strcmp(ids[i], id))
            return 1;
    }
    return 0;
}

static int deliver(void *ctx, const archase_record *rec) {
    read_ctx *r = ctx;
    int rc = ar_fact_decode(&r->fact, rec->family, rec->data, rec->size);
    if (rc) {
        return ar_error_set(&r->e->err, rc == ARCHASE_ENOMEM ? rc : ARCHASE_ESTORAGE,
                            "stored %s '%s' cannot be decoded", ar_family_name(rec->family), rec->id);
    }
    archase_fact f;
    memset(&f, 0, sizeof f);
    f.version = ARCHASE_FACT_VERSION;
    f.family = rec->family;
    archase_invoice_state state;
    switch (rec->family) {
    case ARCHASE_FAMILY_CUSTOMER: f.customer = &r->fact.u.customer; break;
    case ARCHASE_FAMILY_CONTACT: f.contact = &r->fact.u.contact; break;
    case ARCHASE_FAMILY_FLAGS: f.flags = &r->fact.u.flags; break;
    case ARCHASE_FAMILY_INVOICE:
        f.invoice = &r->fact.u.invoice;
        memset(&state, 0, sizeof state);
        state.version = ARCHASE_INVOICE_STATE_VERSION;
        state.status = rec->status;
        state.open_amount.minor = rec->amount2;
        memcpy(state.open_amount.currency, f.invoice->amount.currency, 4);
        state.last_payment_date = rec->date3;
        state.settled_date = rec->status == ARCHASE_INVOICE_STATUS_SETTLED ? rec->date3 : ARCHASE_DATE_NONE;
        f.invoice_state = &state;
        break;
    case ARCHASE_FAMILY_PAYMENT:
        f.payment = &r->fact.u.payment;
        f.applied.minor = rec->amount2;
        memcpy(f.applied.currency, f.payment->amount.currency, 4);
        break;
    case ARCHASE_FAMILY_PROMISE:
        f.promise = &r->fact.u.promise;
        if (r->invoice_id && !covers(f.promise->invoice_ids, f.promise->invoice_count, r->invoice_id))
            return 0;
        break;
    case ARCHASE_FAMILY_DISPUTE:
        f.dispute = &r->fact.u.dispute;
        if (r->invoice_id && !covers(f.dispute->invoice_ids, f.dispute->invoice_count, r->invoice_id))
            return 0;
        break;
    case ARCHASE_FAMILY_NOTE: f.note = &r->fact.u.note; break;
    default: return 0;
    }
    return r->fn(r->userdata, &f);
}

int archase_fact_get(archase_engine *e, int family, const char *id, archase_fact_fn fn,
                     void *userdata) {
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (!ar_family_is_fact(family) || !id || !fn)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "archase_fact_get needs a fact family, an id and a callback");
    read_ctx r;
    memset(&r, 0, sizeof r);
    r.e = e;
    r.fn = fn;
    r.userdata = userdata;
    ar_fact_init(&r.fact, AR_ENGINE_ALLOC(e));
    int rc = ar_store_get(e, family, id, deliver, &r);
    if (rc == ARCHASE_ENOTFOUND)
        ar_error_set(&e->err, rc, "no %s '%s'", ar_family_name(family), id);
    ar_fact_free(&r.fact);
    return rc == ARCHASE_SCAN_STOP ? 0 : rc;
}

int archase_facts_scan(archase_engine *e, const archase_fact_filter *filter, archase_fact_fn fn,
                       void *userdata) {
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (!filter || !fn || !ar_family_is_fact(filter->family))
        return ar_error_set(&e->err, ARCHASE_EINVAL, "archase_facts_scan needs a filter with a fact family and a callback");
    if (filter->version != ARCHASE_FACT_FILTER_VERSION)
        return ar_error_set(&e->err, ARCHASE_EVERSION, "fact filter version %u is not supported",
                            filter->version);
    archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
    f.family = filter->family;
    f.customer_id = filter->customer_id;
    f.status = filter->status;
    f.date_from = filter->date_from;
    f.date_to = filter->date_to;
    read_ctx r;
    memset(&r, 0, sizeof r);
    r.e = e;
    r.fn = fn;
    r.userdata = userdata;
    if (filter->family == ARCHASE_FAMILY_PROMISE || filter->family == ARCHASE_FAMILY_DISPUTE)
        r.invoice_id = filter->invoice_id;
    else
        f.invoice_id = filter->invoice_id;
    ar_fact_init(&r.fact, AR_ENGINE_ALLOC(e));
    int rc = ar_store_scan(e, &f, deliver, &r);
    ar_fact_free(&r.fact);
    return rc;
}

const char *archase_channel_name(int channel) { return ar_channel_name(channel); }
const char *archase_payment_kind_name(int kind) { return ar_payment_kind_name(kind); }
const char *archase_invoice_status_name(int status) { return ar_invoice_status_name(status); }
const char *archase_dispute_status_name(int status) { return ar_dispute_status_name(status); }
const char *archase_dispute_resolution_name(int r) { return ar_resolution_name(r); }

const char *archase_outcome_name(int outcome) {
    switch (outcome) {
    case ARCHASE_OUTCOME_INSERTED: return "inserted";
    case ARCHASE_OUTCOME_UPDATED: return "updated";
    case ARCHASE_OUTCOME_DUPLICATE: return "duplicate";
    case ARCHASE_OUTCOME_STALE: return "stale";
    default: return NULL;
    }
}

int archase_channel_from_name(const char *name, int *out) {
    int v = name ? ar_channel_parse(name, strlen(name)) : -1;
    if (v < 0 || !out)
        return ARCHASE_EINVAL;
    *out = v;
    return 0;
}

int archase_payment_kind_from_name(const char *name, int *out) {
    int v = name ? ar_payment_kind_parse(name, strlen(name)) : -1;
    if (v < 0 || !out)
        return ARCHASE_EINVAL;
    *out = v;
    return 0;
}
