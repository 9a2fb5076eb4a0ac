/* libarchase/kpi/view.c — loading the ledger into the KPI view. */
#include "kpi/view.h"

#include <string.h>

#include "archase/errors.h"
#include "core/alloc.h"
#include "engine/codec.h"
#include "engine/engine.h"

void ar_kv_init(ar_kv *v, const archase_allocator *a) {
    memset(v, 0, sizeof *v);
    v->allocator = a;
    ar_strtab_init(&v->invoice_ids, a);
    ar_strtab_init(&v->customer_ids, a);
    ar_strtab_init(&v->promise_ids, a);
    ar_strtab_init(&v->dispute_ids, a);
    ar_strtab_init(&v->names, a);
}

void ar_kv_free(ar_kv *v) {
    const archase_allocator *a = v->allocator;
    ar_strtab_free(&v->invoice_ids);
    ar_strtab_free(&v->customer_ids);
    ar_strtab_free(&v->promise_ids);
    ar_strtab_free(&v->dispute_ids);
    ar_strtab_free(&v->names);
    ar_free(a, v->currencies);
    ar_free(a, v->invoices);
    ar_free(a, v->payments);
    ar_free(a, v->promises);
    ar_free(a, v->disputes);
    ar_free(a, v->links);
    ar_free(a, v->instalments);
    ar_kv_init(v, a);
}

int ar_kv_currency(const ar_kv *v, const char *code) {
    for (size_t i = 0; i < v->currency_count; i++) {
        if (!strcmp(v->currencies[i], code))
            return (int)i;
    }
    return -1;
}

int ar_kv_add_currency(ar_kv *v, const char *code, uint16_t *out) {
    int i = ar_kv_currency(v, code);
    if (i < 0) {
        if (v->currency_count >= UINT16_MAX)
            return ARCHASE_ERANGE;
        char(*grown)[4] = ar_realloc(v->allocator, v->currencies, v->currency_count * 4,
                                     (v->currency_count + 1) * 4);
        if (!grown)
            return ARCHASE_ENOMEM;
        v->currencies = grown;
        memcpy(v->currencies[v->currency_count], code, 4);
        i = (int)v->currency_count++;
    }
    *out = (uint16_t)i;
    return 0;
}

int64_t ar_kv_cash_between(const ar_kv *v, const ar_kv_invoice *inv, archase_date from,
                           archase_date to) {
    int64_t paid = 0;
    const ar_kv_payment *p = v->payments + inv->pay_first;
    for (uint32_t k = 0; k < inv->pay_count && p[k].date <= to; k++) {
        if (p[k].kind == ARCHASE_PAYMENT && (from == ARCHASE_DATE_NONE || p[k].date >= from))
            paid += p[k].applied;
    }
    return paid;
}

archase_date ar_kv_promise_deadline(const ar_kv_promise *p, int32_t default_grace) {
    int32_t grace = p->grace_days == ARCHASE_GRACE_POLICY_DEFAULT ? default_grace : p->grace_days;
    return p->promised + (grace > 0 ? grace : 0);
}

int64_t ar_kv_promise_paid(const ar_kv *v, const ar_kv_promise *p, archase_date until) {
    int64_t paid = 0;
    for (uint32_t k = 0; k < p->inv_count; k++) {
        const ar_kv_invoice *inv = &v->invoices[v->links[p->inv_first + k]];
        paid += ar_kv_cash_between(v, inv, p->recorded, until);
        if (paid >= p->amount)
            return p->amount;
    }
    return paid;
}

/* The day all of the promise's invoices were closed, NONE while one is open. */
static archase_date all_closed_on(const ar_kv *v, const ar_kv_promise *p) {
    archase_date last = ARCHASE_DATE_NONE;
    for (uint32_t k = 0; k < p->inv_count; k++) {
        archase_date s = v->invoices[v->links[p->inv_first + k]].settled;
        if (s == ARCHASE_DATE_NONE)
            return ARCHASE_DATE_NONE;
        if (last == ARCHASE_DATE_NONE || s > last)
            last = s;
    }
    return last;
}

int ar_kv_promise_outcome(const ar_kv *v, const ar_kv_promise *p, int32_t default_grace) {
    int32_t grace = p->grace_days == ARCHASE_GRACE_POLICY_DEFAULT ? default_grace : p->grace_days;
    if (grace < 0)
        grace = 0;
    archase_date closed = all_closed_on(v, p);
    uint32_t parts = p->inst_count ? p->inst_count : 1;
    int64_t due = 0;
    for (uint32_t k = 0; k < parts; k++) {
        const ar_kv_instalment *in = p->inst_count ? &v->instalments[p->inst_first + k] : NULL;
        archase_date deadline = (in ? in->date : p->promised) + grace;
        due += in ? in->amount : p->amount;
        if (closed != ARCHASE_DATE_NONE && closed <= deadline)
            return ar_kv_promise_paid(v, p, closed) >= p->amount ? AR_KV_PROMISE_KEPT : AR_KV_PROMISE_VOID;
        if (ar_kv_promise_paid(v, p, deadline) < (due < p->amount ? due : p->amount))
            return AR_KV_PROMISE_NOT_KEPT;
    }
    return AR_KV_PROMISE_KEPT;
}

/* ---- loading ------------------------------------------------------------- */

typedef struct loader {
    archase_engine *e;
    ar_kv          *v;
    const char     *currency;
    /* payments as scanned, before they are grouped by invoice */
    ar_kv_payment  *raw;
    uint32_t       *raw_invoice;
    size_t          raw_count, raw_cap, raw_invoice_cap;
    ar_fact         fact;
} loader;

static int oom(loader *l) {
    return ar_error_set(&l->e->err, ARCHASE_ENOMEM, "out of memory loading the ledger for KPIs");
}

static int fail_rc(loader *l, int rc, const char *what) {
    if (rc == ARCHASE_ENOMEM)
        return oom(l);
    return ar_error_set(&l->e->err, rc, "loading the ledger for KPIs: %s", what);
}

static int wanted(const loader *l, const archase_record *r) {
    return !l->currency || !strcmp(r->currency, l->currency);
}

static int on_invoice(void *ctx, const archase_record *r) {
    loader *l = ctx;
    ar_kv *v = l->v;
    if (!wanted(l, r))
        return 0;
    if (ar_grow(v->allocator, (void **)&v->invoices, &v->invoice_cap, v->invoice_count + 1,
                sizeof *v->invoices))
        return oom(l);
    ar_kv_invoice inv;
    memset(&inv, 0, sizeof inv);
    uint32_t id;
    int rc = ar_strtab_intern(&v->invoice_ids, r->id, &id);
    if (!rc)
        rc = ar_strtab_intern(&v->customer_ids, r->customer_id ? r->customer_id : "", &inv.customer);
    if (!rc)
        rc = ar_kv_add_currency(v, r->currency, &inv.currency);
    if (rc)
        return fail_rc(l, rc, "too many invoices");
    if (id != v->invoice_count) /* ids are unique in a family */
        return ar_error_set(&l->e->err, ARCHASE_ESTORAGE, "storage scan: invoice '%s' twice", r->id);
    inv.issue = r->date2;
    inv.due = r->date;
    inv.settled = ARCHASE_DATE_NONE;
    inv.is_void = r->status == ARCHASE_INVOICE_STATUS_VOID;
    inv.amount = r->amount;
    v->invoices[v->invoice_count++] = inv;
    return 0;
}

static int on_payment(void *ctx, const archase_record *r) {
    loader *l = ctx;
    if (!r->invoice_id || !wanted(l, r))
        return 0;
    uint32_t inv = ar_strtab_find(&l->v->invoice_ids, r->invoice_id);
    if (inv == AR_STRTAB_NONE)
        return 0;
    const archase_allocator *a = l->v->allocator;
    if (ar_grow(a, (void **)&l->raw, &l->raw_cap, l->raw_count + 1, sizeof *l->raw) ||
        ar_grow(a, (void **)&l->raw_invoice, &l->raw_invoice_cap, l->raw_count + 1,
                sizeof *l->raw_invoice))
        return oom(l);
    ar_kv_payment *p = &l->raw[l->raw_count];
    p->date = r->date;
    p->kind = r->status;
    p->applied = r->amount2;
    l->raw_invoice[l->raw_count++] = inv;
    return 0;
}

/* Groups the scanned payments by invoice, each invoice's by date, and finds
 * the date each invoice was settled. */
static int group_payments(loader *l) {
    ar_kv *v = l->v;
    if (l->raw_count > UINT32_MAX)
        return fail_rc(l, ARCHASE_ERANGE, "too many payments");
    if (l->raw_count) {
        v->payments = ar_malloc_array(v->allocator, l->raw_count, sizeof *v->payments);
        if (!v->payments)
            return oom(l);
    }
    v->payment_count = l->raw_count;
    for (size_t i = 0; i < l->raw_count; i++)
        v->invoices[l->raw_invoice[i]].pay_count++;
    uint32_t next = 0;
    for (size_t i = 0; i < v->invoice_count; i++) {
        v->invoices[i].pay_first = next;
        next += v->invoices[i].pay_count;
        v->invoices[i].pay_count = 0;
    }
    for (size_t i = 0; i < l->raw_count; i++) {
        ar_kv_invoice *inv = &v->invoices[l->raw_invoice[i]];
        ar_kv_payment *dst = v->payments + inv->pay_first;
        /* insertion by date; payments of one date keep their id order */
        uint32_t k = inv->pay_count++;
        while (k > 0 && dst[k - 1].date > l->raw[i].date) {
            dst[k] = dst[k - 1];
            k--;
        }
        dst[k] = l->raw[i];
    }
    for (size_t i = 0; i < v->invoice_count; i++) {
        ar_kv_invoice *inv = &v->invoices[i];
        const ar_kv_payment *p = v->payments + inv->pay_first;
        int64_t paid = 0;
        for (uint32_t k = 0; k < inv->pay_count; k++) {
            paid += p[k].applied;
            int last_of_day = k + 1 == inv->pay_count || p[k + 1].date != p[k].date;
            if (last_of_day && paid >= inv->amount && !inv->is_void) {
                inv->settled = p[k].date;
                break;
            }
        }
    }
    return 0;
}

/* Adds the invoices of a promise or dispute to v->links. */
static int add_links(loader *l, const char *const *ids, size_t count, uint32_t *first,
                     uint32_t *n) {
    ar_kv *v = l->v;
    *first = (uint32_t)v->link_count;
    *n = 0;
    for (size_t i = 0; i < count; i++) {
        uint32_t inv = ar_strtab_find(&v->invoice_ids, ids[i]);
        if (inv == AR_STRTAB_NONE)
            continue;
        if (ar_grow(v->allocator, (void **)&v->links, &v->link_cap, v->link_count + 1,
                    sizeof *v->links))
            return oom(l);
        v->links[v->link_count++] = inv;
        (*n)++;
    }
    return 0;
}

static int decode(loader *l, const archase_record *r) {
    int rc = ar_fact_decode(&l->fact, r->family, r->data, r->size);
    if (rc == ARCHASE_ENOMEM)
        return oom(l);
    if (rc)
        return ar_error_set(&l->e->err, ARCHASE_ESTORAGE, "stored %s '%s' cannot be decoded",
                            ar_family_name(r->family), r->id);
    return 0;
}

static int on_promise(void *ctx, const archase_record *r) {
    loader *l = ctx;
    ar_kv *v = l->v;
    if (!wanted(l, r))
        return 0;
    int rc = decode(l, r);
    if (rc)
        return rc;
    const archase_promise *p = &l->fact.u.promise;
    if (ar_grow(v->allocator, (void **)&v->promises, &v->promise_cap, v->promise_count + 1,
                sizeof *v->promises) ||
        ar_grow(v->allocator, (void **)&v->instalments, &v->instalment_cap,
                v->instalment_count + p->instalment_count, sizeof *v->instalments))
        return oom(l);
    ar_kv_promise k;
    memset(&k, 0, sizeof k);
    rc = ar_strtab_intern(&v->promise_ids, p->id, &k.id);
    if (!rc)
        rc = ar_strtab_intern(&v->customer_ids, p->customer_id, &k.customer);
    if (!rc)
        rc = ar_kv_add_currency(v, p->amount.currency, &k.currency);
    if (rc)
        return fail_rc(l, rc, "too many promises");
    k.status = r->status;
    k.promised = p->promised_date;
    k.recorded = p->recorded_on;
    k.grace_days = p->grace_days;
    k.amount = p->amount.minor;
    rc = add_links(l, p->invoice_ids, p->invoice_count, &k.inv_first, &k.inv_count);
    if (rc)
        return rc;
    k.inst_first = (uint32_t)v->instalment_count;
    k.inst_count = (uint32_t)p->instalment_count;
    for (size_t i = 0; i < p->instalment_count; i++) {
        v->instalments[v->instalment_count].date = p->instalments[i].date;
        v->instalments[v->instalment_count++].amount = p->instalments[i].amount.minor;
    }
    v->promises[v->promise_count++] = k;
    return 0;
}

static int on_dispute(void *ctx, const archase_record *r) {
    loader *l = ctx;
    ar_kv *v = l->v;
    if (!wanted(l, r))
        return 0;
    int rc = decode(l, r);
    if (rc)
        return rc;
    const archase_dispute *d = &l->fact.u.dispute;
    if (ar_grow(v->allocator, (void **)&v->disputes, &v->dispute_cap, v->dispute_count + 1,
                sizeof *v->disputes))
        return oom(l);
    ar_kv_dispute k;
    memset(&k, 0, sizeof k);
    k.root_cause = AR_STRTAB_NONE;
    rc = ar_strtab_intern(&v->dispute_ids, d->id, &k.id);
    if (!rc)
        rc = ar_strtab_intern(&v->customer_ids, d->customer_id, &k.customer);
    if (!rc)
        rc = ar_kv_add_currency(v, d->amount.currency, &k.currency);
    if (!rc)
        rc = ar_strtab_intern(&v->names, d->reason_code, &k.reason);
    if (!rc && d->root_cause && *d->root_cause)
        rc = ar_strtab_intern(&v->names, d->root_cause, &k.root_cause);
    if (rc)
        return fail_rc(l, rc, "too many disputes");
    k.status = d->status;
    k.opened = d->opened_on;
    k.resolved = d->status == ARCHASE_DISPUTE_RESOLVED ? d->resolved_on : ARCHASE_DATE_NONE;
    k.amount = d->amount.minor;
    rc = add_links(l, d->invoice_ids, d->invoice_count, &k.inv_first, &k.inv_count);
    if (rc)
        return rc;
    v->disputes[v->dispute_count++] = k;
    return 0;
}

static int scan(loader *l, int family, unsigned flags, archase_record_fn fn) {
    archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
    f.family = family;
    f.flags = flags;
    return ar_store_scan(l->e, &f, fn, l);
}

/* Sizes the invoice arrays from the store's count, when it can say. */
static int presize(loader *l) {
    archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
    f.family = ARCHASE_FAMILY_INVOICE;
    uint64_t n = 0;
    if (!l->e->store.count)
        return 0;
    int rc = ar_store_count(l->e, &f, &n);
    if (rc || n == 0)
        return rc;
    if (n > UINT32_MAX - 2)
        return fail_rc(l, ARCHASE_ERANGE, "too many invoices");
    ar_kv *v = l->v;
    if (ar_grow(v->allocator, (void **)&v->invoices, &v->invoice_cap, (size_t)n, sizeof *v->invoices) ||
        ar_strtab_reserve(&v->invoice_ids, (size_t)n, (size_t)n * 16))
        return oom(l);
    return 0;
}

int ar_kv_load(ar_kv *v, archase_engine *e, const char *currency) {
    loader l;
    memset(&l, 0, sizeof l);
    l.e = e;
    l.v = v;
    l.currency = currency;
    ar_fact_init(&l.fact, v->allocator);
    int rc = presize(&l);
    if (!rc)
        rc = scan(&l, ARCHASE_FAMILY_INVOICE, ARCHASE_SCAN_NO_DATA, on_invoice);
    if (!rc)
        rc = scan(&l, ARCHASE_FAMILY_PAYMENT, ARCHASE_SCAN_NO_DATA, on_payment);
    if (!rc)
        rc = group_payments(&l);
    if (!rc)
        rc = scan(&l, ARCHASE_FAMILY_PROMISE, 0, on_promise);
    if (!rc)
        rc = scan(&l, ARCHASE_FAMILY_DISPUTE, 0, on_dispute);
    ar_fact_free(&l.fact);
    ar_free(v->allocator, l.raw);
    ar_free(v->allocator, l.raw_invoice);
    if (rc)
        ar_kv_free(v);
    return rc;
}
