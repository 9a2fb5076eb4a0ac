/* libarchase/engine/recon.c — the reconciliation queue: exceptions opened
 * from payments, listing them, resolving them (archase/recon.h,
 * engine/lifecycle_steps.h).
 *
 * An item is a RECON record whose data is a canonical RECORD of kind
 * ARCHASE_FAMILY_RECON (docs/promises-disputes.md, "Stored records"):
 *   1 id  2 reason  3 customer  4 invoice  5 payment  6 MONEY amount
 *   7 DATE date  8 resolution  9 resolved by  10 DATE resolved on
 *   11 target invoice  12 note  13 approval request  14 promise */
#include "archase/recon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/audit.h"
#include "archase/errors.h"
#include "archase/ledger.h"
#include "core/alloc.h"
#include "engine/approval.h"
#include "engine/coll.h"
#include "engine/facts.h"
#include "engine/lifecycle_steps.h"
#include "policy/policy_internal.h"

static const char *const reason_names[] = { NULL, "overpayment", "short_pay", "unapplied_cash",
                                            "disputed_invoice", "promise_amount", "other_currency",
                                            "duplicate_reference" };
static const char *const resolution_names[] = { NULL, "apply", "refund", "write_off" };
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *archase_recon_reason_name(int reason) {
    return reason > 0 && (size_t)reason < COUNT(reason_names) ? reason_names[reason] : NULL;
}

const char *archase_recon_resolution_name(int resolution) {
    return resolution > 0 && (size_t)resolution < COUNT(resolution_names) ? resolution_names[resolution]
                                                                             : NULL;
}

int archase_recon_resolution_from_name(const char *name, int *out) {
    for (size_t i = 1; name && out && i < COUNT(resolution_names); i++)
        if (!strcmp(name, resolution_names[i])) {
            *out = (int)i;
            return 0;
        }
    return ARCHASE_EINVAL;
}

static int reason_of(const char *name, size_t len) {
    for (size_t i = 1; i < COUNT(reason_names); i++)
        if (strlen(reason_names[i]) == len && !memcmp(reason_names[i], name, len))
            return (int)i;
    return 0;
}

/* ---- the record ----------------------------------------------------------------- */

enum { RF_ID = 1, RF_REASON, RF_CUSTOMER, RF_INVOICE, RF_PAYMENT, RF_AMOUNT, RF_DATE, RF_RESOLUTION,
       RF_RESOLVED_BY, RF_RESOLVED_ON, RF_TARGET, RF_NOTE, RF_APPROVAL, RF_PROMISE, RF_COUNT };

/* An item in memory: strings by field number (NUL-terminated copies when
 * decoded, borrowed when built). */
typedef struct recon_rec {
    const archase_allocator *al;
    int           owned;
    const char   *s[RF_COUNT];
    archase_money amount;
    archase_date  date;
    archase_date  resolved_on;
    int           status;
} recon_rec;

static void rec_init(recon_rec *r, const archase_allocator *al) {
    memset(r, 0, sizeof *r);
    r->al = al;
    r->date = ARCHASE_DATE_NONE;
    r->resolved_on = ARCHASE_DATE_NONE;
}

static void rec_free(recon_rec *r) {
    if (r->owned)
        for (int i = 0; i < RF_COUNT; i++)
            ar_free(r->al, (char *)r->s[i]);
    rec_init(r, r->al);
}

static void put_opt(ar_canon *c, uint16_t f, const char *s) {
    if (s && *s)
        ar_canon_put_str(c, f, s);
}

static int rec_encode(const recon_rec *r, ar_canon *c) {
    ar_canon_reset(c);
    ar_canon_begin_record(c, ARCHASE_FAMILY_RECON);
    ar_canon_put_str(c, RF_ID, r->s[RF_ID]);
    ar_canon_put_str(c, RF_REASON, r->s[RF_REASON]);
    ar_canon_put_str(c, RF_CUSTOMER, r->s[RF_CUSTOMER]);
    put_opt(c, RF_INVOICE, r->s[RF_INVOICE]);
    put_opt(c, RF_PAYMENT, r->s[RF_PAYMENT]);
    ar_canon_put_money(c, RF_AMOUNT, &r->amount);
    ar_canon_put_date(c, RF_DATE, r->date);
    put_opt(c, RF_RESOLUTION, r->s[RF_RESOLUTION]);
    put_opt(c, RF_RESOLVED_BY, r->s[RF_RESOLVED_BY]);
    if (r->resolved_on != ARCHASE_DATE_NONE)
        ar_canon_put_date(c, RF_RESOLVED_ON, r->resolved_on);
    put_opt(c, RF_TARGET, r->s[RF_TARGET]);
    put_opt(c, RF_NOTE, r->s[RF_NOTE]);
    put_opt(c, RF_APPROVAL, r->s[RF_APPROVAL]);
    put_opt(c, RF_PROMISE, r->s[RF_PROMISE]);
    ar_canon_end_record(c);
    const uint8_t *d;
    size_t n;
    return ar_canon_finish(c, &d, &n);
}

static int rec_decode(recon_rec *r, const archase_record *env) {
    ar_canon_reader rd;
    ar_canon_value v;
    uint16_t field;
    rec_free(r);
    r->owned = 1;
    r->status = env->status;
    if (ar_canon_validate(env->data, env->size))
        return ARCHASE_EPARSE;
    ar_canon_reader_init(&rd, env->data, env->size);
    if (ar_canon_read(&rd, &v) || v.type != AR_CANON_RECORD)
        return ARCHASE_EPARSE;
    for (uint32_t i = 0; i < v.count; i++) {
        ar_canon_value f;
        if (ar_canon_read_field(&rd, &field, &f))
            return ARCHASE_EPARSE;
        if (field >= RF_COUNT)
            return ARCHASE_EPARSE;
        if (f.type == AR_CANON_STRING) {
            if (r->s[field])
                return ARCHASE_EPARSE;
            r->s[field] = ar_strndup(r->al, (const char *)f.bytes, f.len);
            if (!r->s[field])
                return ARCHASE_ENOMEM;
        } else if (f.type == AR_CANON_MONEY && field == RF_AMOUNT) {
            r->amount = f.money;
        } else if (f.type == AR_CANON_DATE && field == RF_DATE) {
            r->date = (archase_date)f.i;
        } else if (f.type == AR_CANON_DATE && field == RF_RESOLVED_ON) {
            r->resolved_on = (archase_date)f.i;
        } else {
            return ARCHASE_EPARSE;
        }
    }
    if (!r->s[RF_ID] || !r->s[RF_REASON] || !r->s[RF_CUSTOMER] ||
        !reason_of(r->s[RF_REASON], strlen(r->s[RF_REASON])))
        return ARCHASE_EPARSE;
    return 0;
}

static int rec_put(archase_engine *e, const recon_rec *r, ar_canon *c) {
    int rc = rec_encode(r, c);
    if (rc)
        return ar_error_set(&e->err, rc, "encoding reconciliation item '%s' failed", r->s[RF_ID]);
    archase_record env = ARCHASE_RECORD_INIT;
    env.family = ARCHASE_FAMILY_RECON;
    env.id = r->s[RF_ID];
    env.customer_id = r->s[RF_CUSTOMER];
    env.invoice_id = r->s[RF_INVOICE];
    env.status = r->status;
    env.date = r->date;
    env.amount = r->amount.minor;
    memcpy(env.currency, r->amount.currency, 4);
    env.data = c->buf.data;
    env.size = c->buf.len;
    return ar_store_put(e, &env);
}

/* Opens item "<reason>:<key>" unless it exists. */
static int open_item(archase_engine *e, int reason, const char *key, const char *customer,
                     const char *invoice, const char *payment, const char *promise, int64_t amount,
                     const char *currency, archase_date date, archase_date as_of, const char *detail,
                     ar_lifecycle_counts *counts) {
    char id[AR_ID_MAX + 32];
    snprintf(id, sizeof id, "%s:%s", reason_names[reason], key);
    ar_held old;
    ar_held_init(&old, e);
    int rc = ar_held_load(e, ARCHASE_FAMILY_RECON, id, &old);
    int exists = old.found;
    ar_held_free(&old);
    if (rc || exists)
        return rc;
    recon_rec r;
    rec_init(&r, AR_ENGINE_ALLOC(e));
    r.s[RF_ID] = id;
    r.s[RF_REASON] = reason_names[reason];
    r.s[RF_CUSTOMER] = customer;
    r.s[RF_INVOICE] = invoice;
    r.s[RF_PAYMENT] = payment;
    r.s[RF_PROMISE] = promise;
    r.amount.minor = amount;
    memcpy(r.amount.currency, currency, 4);
    r.date = date;
    r.status = ARCHASE_RECON_STATUS_OPEN;
    ar_canon c;
    ar_canon_init(&c, AR_ENGINE_ALLOC(e));
    rc = rec_put(e, &r, &c);
    ar_canon_free(&c);
    if (rc)
        return rc;
    ar_transition t = { ARCHASE_AUDIT_RECON_TRANSITION, "recon", id, NULL, "open", reason_names[reason],
                        as_of, &r.amount, detail, NULL };
    rc = ar_transition_record(e, &t);
    if (!rc && counts) {
        counts->recon_opened++;
        counts->transitions++;
    }
    return rc;
}

/* ---- opened by the daily move ------------------------------------------------------- */

int ar_recon_open_promise_txn(archase_engine *e, const archase_snapshot *snap, const ar_snap_promise *pr,
                              int64_t paid, archase_date as_of, ar_lifecycle_counts *counts) {
    const char *invoice = NULL;
    for (uint32_t k = 0; k < pr->inv_count && !invoice; k++) {
        uint32_t inv = snap->promise_invoices[pr->inv_first + k];
        if (inv != AR_IDX_NONE)
            invoice = ar_snap_invoice_id(snap, inv);
    }
    char detail[160], a[ARCHASE_MONEY_FORMAT_MAX], b[ARCHASE_MONEY_FORMAT_MAX];
    ar_coll_money(paid, pr->currency, a, sizeof a);
    ar_coll_money(pr->amount, pr->currency, b, sizeof b);
    snprintf(detail, sizeof detail, "%s paid toward a promise of %s", a, b);
    int64_t diff = paid > pr->amount ? paid - pr->amount : pr->amount - paid;
    const char *id = ar_snap_str(snap, pr->id);
    return open_item(e, ARCHASE_RECON_PROMISE_AMOUNT, id, ar_snap_customer_id(snap, pr->customer), invoice,
                     NULL, id, diff, pr->currency, as_of, as_of, detail, counts);
}

/* A payment of the last days, as far as the checks need it. */
typedef struct pay {
    char        *id, *customer, *invoice, *reference;
    archase_date date;
    int64_t      amount, applied;
    char         currency[4];
} pay;

typedef struct pay_list {
    archase_engine *e;
    pay            *items;
    size_t          n, cap;
    ar_fact         fact;
    int             rc;
} pay_list;

static void pays_free(pay_list *l) {
    const archase_allocator *al = AR_ENGINE_ALLOC(l->e);
    for (size_t i = 0; i < l->n; i++) {
        ar_free(al, l->items[i].id);
        ar_free(al, l->items[i].customer);
        ar_free(al, l->items[i].invoice);
        ar_free(al, l->items[i].reference);
    }
    ar_free(al, l->items);
    ar_fact_free(&l->fact);
}

static char *dup_opt(const archase_allocator *al, const char *s, int *failed) {
    if (!s || !*s)
        return NULL;
    char *d = ar_strdup(al, s);
    if (!d)
        *failed = 1;
    return d;
}

static int collect_pay(void *ctx, const archase_record *r) {
    pay_list *l = ctx;
    if (r->status != ARCHASE_PAYMENT)
        return 0;
    const archase_allocator *al = AR_ENGINE_ALLOC(l->e);
    int rc = ar_fact_decode(&l->fact, ARCHASE_FAMILY_PAYMENT, r->data, r->size);
    if (rc)
        return rc == ARCHASE_ENOMEM ? rc : ARCHASE_EPARSE;
    const archase_payment *p = &l->fact.u.payment;
    if (ar_grow(al, (void **)&l->items, &l->cap, l->n + 1, sizeof *l->items))
        return ARCHASE_ENOMEM;
    pay *it = &l->items[l->n];
    memset(it, 0, sizeof *it);
    int failed = 0;
    it->id = dup_opt(al, p->id, &failed);
    it->customer = dup_opt(al, p->customer_id, &failed);
    it->invoice = dup_opt(al, p->invoice_id, &failed);
    it->reference = dup_opt(al, p->reference, &failed);
    l->n++; /* freed with the list even when a copy failed */
    if (failed)
        return ARCHASE_ENOMEM;
    it->date = p->date;
    it->amount = p->amount.minor;
    it->applied = r->amount2;
    memcpy(it->currency, p->amount.currency, 4);
    return 0;
}

/* An open dispute of the snapshot covering `invoice` opened by `date`. */
static int disputed_on(const archase_snapshot *snap, uint32_t customer, const char *invoice,
                       archase_date date) {
    if (customer == AR_IDX_NONE)
        return 0;
    const ar_snap_customer *c = &snap->customers[customer];
    for (uint32_t d = 0; d < c->disp_count; d++) {
        const ar_snap_dispute *sd = &snap->disputes[c->disp_first + d];
        if (sd->opened_on > date)
            continue;
        for (uint32_t k = 0; k < sd->inv_count; k++) {
            uint32_t inv = snap->dispute_invoices[sd->inv_first + k];
            if (inv != AR_IDX_NONE && !strcmp(ar_snap_invoice_id(snap, inv), invoice))
                return 1;
        }
    }
    return 0;
}

/* 1 when the customer has open invoices and none is in `currency`. */
static int foreign_currency(const archase_snapshot *snap, uint32_t customer, const char *currency) {
    if (customer == AR_IDX_NONE)
        return 0;
    const ar_snap_customer *c = &snap->customers[customer];
    if (!c->inv_count)
        return 0;
    for (uint32_t i = 0; i < c->inv_count; i++)
        if (!memcmp(snap->invoices[c->inv_first + i].currency, currency, 4))
            return 0;
    return 1;
}

/* The bank references of one customer's payments, sorted by (reference,
 * date, id): the first entry of a reference is its earliest payment. Read
 * once per customer that has a referenced payment in the window. */
typedef struct ref_entry {
    char        *reference, *id;
    archase_date date;
} ref_entry;

typedef struct ref_index {
    archase_engine *e;
    ar_fact        *fact;
    ref_entry      *items;
    size_t          n, cap;
} ref_index;

static void refs_clear(ref_index *x) {
    const archase_allocator *al = AR_ENGINE_ALLOC(x->e);
    for (size_t i = 0; i < x->n; i++) {
        ar_free(al, x->items[i].reference);
        ar_free(al, x->items[i].id);
    }
    x->n = 0;
}

static void refs_free(ref_index *x) {
    refs_clear(x);
    ar_free(AR_ENGINE_ALLOC(x->e), x->items);
    x->items = NULL;
    x->cap = 0;
}

static int collect_ref(void *ctx, const archase_record *r) {
    ref_index *x = ctx;
    int rc = ar_fact_decode(x->fact, ARCHASE_FAMILY_PAYMENT, r->data, r->size);
    if (rc)
        return rc == ARCHASE_ENOMEM ? rc : ARCHASE_EPARSE;
    const char *ref = x->fact->u.payment.reference;
    if (!ref || !*ref)
        return 0;
    const archase_allocator *al = AR_ENGINE_ALLOC(x->e);
    if (ar_grow(al, (void **)&x->items, &x->cap, x->n + 1, sizeof *x->items))
        return ARCHASE_ENOMEM;
    ref_entry *it = &x->items[x->n];
    it->reference = ar_strdup(al, ref);
    it->id = ar_strdup(al, r->id);
    it->date = r->date;
    x->n++; /* freed with the index even when a copy failed */
    return it->reference && it->id ? 0 : ARCHASE_ENOMEM;
}

static int cmp_ref(const void *a, const void *b) {
    const ref_entry *x = a, *y = b;
    int c = strcmp(x->reference, y->reference);
    if (c)
        return c;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* Reads the references of `customer`'s payments into `x` (emptied first). */
static int refs_load(archase_engine *e, ref_index *x, const char *customer) {
    refs_clear(x);
    archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
    f.family = ARCHASE_FAMILY_PAYMENT;
    f.customer_id = customer;
    f.status = ARCHASE_PAYMENT;
    int rc = ar_store_scan(e, &f, collect_ref, x);
    if (rc == ARCHASE_EPARSE)
        return ar_error_set(&e->err, ARCHASE_ESTORAGE, "a stored payment of '%s' cannot be decoded", customer);
    if (rc == ARCHASE_ENOMEM)
        return ar_error_set(&e->err, rc, "out of memory");
    if (!rc && x->n > 1)
        qsort(x->items, x->n, sizeof *x->items, cmp_ref);
    return rc;
}

/* 1 when an earlier payment of the customer has `p`'s reference. */
static int earlier_reference(const ref_index *x, const pay *p) {
    size_t lo = 0, hi = x->n;
    while (lo < hi) { /* the first entry with the reference */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(x->items[mid].reference, p->reference) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < x->n && !strcmp(x->items[lo].reference, p->reference) && strcmp(x->items[lo].id, p->id) != 0;
}

static int check_payment(archase_engine *e, const archase_policy *policy, const archase_snapshot *snap,
                         const ref_index *refs, const pay *p, archase_date as_of, ar_lifecycle_counts *counts) {
    uint32_t customer = ar_strtab_find(&snap->ids, p->customer);
    if (customer == AR_STRTAB_NONE || customer >= snap->ids.count)
        customer = AR_IDX_NONE; /* not in the snapshot: nothing open to compare with */
    int rc = 0;
    char detail[200], a[ARCHASE_MONEY_FORMAT_MAX];
    ar_coll_money(p->amount, p->currency, a, sizeof a);
    if (!p->invoice) {
        if (foreign_currency(snap, customer, p->currency)) {
            snprintf(detail, sizeof detail, "%s received; no open invoice of the customer is in %s", a,
                     p->currency);
            rc = open_item(e, ARCHASE_RECON_OTHER_CURRENCY, p->id, p->customer, NULL, p->id, NULL, p->amount,
                           p->currency, p->date, as_of, detail, counts);
        }
    } else {
        int disputed = disputed_on(snap, customer, p->invoice, p->date);
        if (disputed) {
            snprintf(detail, sizeof detail, "%s paid on invoice '%s' while it is disputed", a, p->invoice);
            rc = open_item(e, ARCHASE_RECON_DISPUTED_INVOICE, p->id, p->customer, p->invoice, p->id, NULL,
                           p->applied, p->currency, p->date, as_of, detail, counts);
        }
        if (!rc && !disputed && policy->reconciliation.short_pay_percent > 0) {
            ar_held inv;
            ar_held_init(&inv, e);
            rc = ar_held_load(e, ARCHASE_FAMILY_INVOICE, p->invoice, &inv);
            if (!rc && inv.found && inv.env.status == ARCHASE_INVOICE_STATUS_OPEN && inv.env.amount2 > 0 &&
                inv.env.date3 == p->date &&
                (__int128)inv.env.amount2 * 100 <= (__int128)inv.env.amount * policy->reconciliation.short_pay_percent) {
                char b[ARCHASE_MONEY_FORMAT_MAX];
                ar_coll_money(inv.env.amount2, p->currency, b, sizeof b);
                snprintf(detail, sizeof detail, "%s paid on invoice '%s' leaves %s open without a credit", a,
                         p->invoice, b);
                rc = open_item(e, ARCHASE_RECON_SHORT_PAY, p->invoice, p->customer, p->invoice, p->id, NULL,
                               inv.env.amount2, p->currency, p->date, as_of, detail, counts);
            }
            ar_held_free(&inv);
        }
    }
    if (!rc && p->reference && earlier_reference(refs, p)) {
        snprintf(detail, sizeof detail, "%s with reference '%s', which an earlier payment already has", a,
                 p->reference);
        rc = open_item(e, ARCHASE_RECON_DUPLICATE_REFERENCE, p->id, p->customer, p->invoice, p->id, NULL,
                       p->amount, p->currency, p->date, as_of, detail, counts);
    }
    return rc;
}

/* Payments by customer, then in the order the store gave them (id). */
static int cmp_pay(const void *a, const void *b) {
    const pay *x = a, *y = b;
    int c = strcmp(x->customer, y->customer);
    return c ? c : strcmp(x->id, y->id);
}

int ar_recon_advance_txn(archase_engine *e, const archase_policy *policy, const archase_snapshot *snap,
                         archase_date as_of, ar_lifecycle_counts *counts) {
    pay_list l;
    memset(&l, 0, sizeof l);
    l.e = e;
    ar_fact_init(&l.fact, AR_ENGINE_ALLOC(e));
    archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
    f.family = ARCHASE_FAMILY_PAYMENT;
    f.date_from = as_of - AR_RECON_LOOKBACK_DAYS;
    f.date_to = as_of;
    int rc = ar_store_scan(e, &f, collect_pay, &l);
    if (rc == ARCHASE_ENOMEM)
        rc = ar_error_set(&e->err, rc, "out of memory");
    else if (rc == ARCHASE_EPARSE)
        rc = ar_error_set(&e->err, ARCHASE_ESTORAGE, "a stored payment cannot be decoded");
    if (!rc && l.n > 1)
        qsort(l.items, l.n, sizeof *l.items, cmp_pay);
    ref_index refs = { e, &l.fact, NULL, 0, 0 };
    for (size_t i = 0; i < l.n && !rc;) {
        size_t end = i, referenced = 0;
        while (end < l.n && !strcmp(l.items[end].customer, l.items[i].customer))
            referenced += l.items[end++].reference != NULL;
        refs_clear(&refs);
        if (referenced)
            rc = refs_load(e, &refs, l.items[i].customer);
        for (; i < end && !rc; i++)
            rc = check_payment(e, policy, snap, &refs, &l.items[i], as_of, counts);
        i = end;
    }
    refs_free(&refs);
    pays_free(&l);
    return rc;
}

/* ---- listing ------------------------------------------------------------------------ */

typedef struct list_ctx {
    archase_engine       *e;
    const archase_policy *policy;
    archase_recon_fn      fn;
    void                 *userdata;
    recon_rec             r;
} list_ctx;

static void to_item(const recon_rec *r, const archase_policy *policy, archase_recon_item *it) {
    memset(it, 0, sizeof *it);
    it->version = ARCHASE_RECON_ITEM_VERSION;
    it->id = r->s[RF_ID];
    it->reason = reason_of(r->s[RF_REASON], strlen(r->s[RF_REASON]));
    it->status = r->status;
    it->customer_id = r->s[RF_CUSTOMER];
    it->invoice_id = r->s[RF_INVOICE];
    it->payment_id = r->s[RF_PAYMENT];
    it->promise_id = r->s[RF_PROMISE];
    it->amount = r->amount;
    it->date = r->date;
    it->owner_role = policy->reconciliation.owner_role;
    it->sla_due = r->date == ARCHASE_DATE_NONE ? ARCHASE_DATE_NONE : r->date + policy->reconciliation.sla_days;
    it->resolution = 0;
    if (r->s[RF_RESOLUTION])
        archase_recon_resolution_from_name(r->s[RF_RESOLUTION], &it->resolution);
    it->target_invoice_id = r->s[RF_TARGET];
    it->resolved_by = r->s[RF_RESOLVED_BY];
    it->resolved_on = r->resolved_on;
    it->note = r->s[RF_NOTE];
    it->approval_id = r->s[RF_APPROVAL];
}

static int list_one(void *ctx, const archase_record *env) {
    list_ctx *x = ctx;
    int rc = rec_decode(&x->r, env);
    if (rc == ARCHASE_ENOMEM)
        return rc;
    if (rc)
        return ar_error_set(&x->e->err, ARCHASE_ESTORAGE, "reconciliation item '%s' cannot be decoded", env->id);
    archase_recon_item it;
    to_item(&x->r, x->policy, &it);
    return x->fn(x->userdata, &it);
}

int archase_recon_scan(archase_engine *e, const archase_policy *policy, int status, archase_recon_fn fn,
                       void *userdata) {
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (!policy || !fn || status < 0 || status > ARCHASE_RECON_STATUS_RESOLVED)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "archase_recon_scan needs a policy, a callback and a known status");
    list_ctx x;
    memset(&x, 0, sizeof x);
    x.e = e;
    x.policy = policy;
    x.fn = fn;
    x.userdata = userdata;
    rec_init(&x.r, AR_ENGINE_ALLOC(e));
    archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
    f.family = ARCHASE_FAMILY_RECON;
    f.status = status;
    int rc = ar_store_scan(e, &f, list_one, &x);
    if (rc == ARCHASE_ENOMEM)
        ar_error_set(&e->err, rc, "out of memory");
    rec_free(&x.r);
    return rc;
}

/* ---- resolving ----------------------------------------------------------------------- */

static int check_action(archase_engine *e, const archase_recon_action *a) {
    if (a->version != ARCHASE_RECON_ACTION_VERSION)
        return ar_error_set(&e->err, ARCHASE_EVERSION, "reconciliation action version %u is not supported", a->version);
    if (!a->id || !*a->id)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "the reconciliation item id is required");
    if (!archase_recon_resolution_name(a->resolution))
        return ar_error_set(&e->err, ARCHASE_EINVAL, "item '%s': the resolution must be apply, refund or write_off",
                            a->id);
    if (!a->by || !*a->by)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "item '%s': who resolves it (by) is required", a->id);
    const char *texts[] = { a->id, a->invoice_id, a->by, a->note, a->justification, a->customer_impact };
    for (size_t i = 0; i < COUNT(texts); i++)
        if (texts[i] && !ar_utf8_valid(texts[i], strlen(texts[i])))
            return ar_error_set(&e->err, ARCHASE_EINVAL, "item '%s': a text is not valid UTF-8", a->id);
    return 0;
}

/* Money that never reached an invoice. */
static int unapplied(int reason) {
    return reason == ARCHASE_RECON_OVERPAYMENT || reason == ARCHASE_RECON_UNAPPLIED_CASH ||
           reason == ARCHASE_RECON_OTHER_CURRENCY;
}

/* Puts a payment fact of `kind` for the item inside the transaction. */
static int put_money_fact(archase_engine *e, const recon_rec *r, int kind, const char *invoice,
                          archase_date as_of) {
    char id[AR_ID_MAX + 32];
    snprintf(id, sizeof id, "recon:%s", r->s[RF_ID]);
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = id;
    p.customer_id = r->s[RF_CUSTOMER];
    p.invoice_id = invoice;
    p.kind = kind;
    p.date = as_of;
    p.amount = r->amount;
    p.reference = r->s[RF_PAYMENT] ? r->s[RF_PAYMENT] : r->s[RF_ID];
    ar_fact_error why;
    archase_outcome outcome;
    ar_fact_ref ref = { ARCHASE_FAMILY_PAYMENT, &p };
    int rc = ar_fact_apply(e, ref, &outcome, &why);
    if (rc && why.code)
        ar_error_set(&e->err, rc, "item '%s': %s", r->s[RF_ID], why.message);
    return rc;
}

int archase_recon_resolve(archase_engine *e, const archase_policy *policy, const archase_recon_action *a,
                          archase_date as_of, char approval_id[ARCHASE_APPROVAL_ID_MAX], int *pending) {
    int rc = ar_coll_begin_call(e);
    if (rc)
        return rc;
    if (!policy || !a || !ar_coll_date_ok(as_of))
        return ar_error_set(&e->err, ARCHASE_EINVAL, "archase_recon_resolve needs a policy, an action and a valid date");
    rc = check_action(e, a);
    if (rc)
        return rc;
    recon_rec r;
    rec_init(&r, AR_ENGINE_ALLOC(e));
    ar_held s;
    ar_held_init(&s, e);
    ar_canon c;
    ar_canon_init(&c, AR_ENGINE_ALLOC(e));
    char req[ARCHASE_APPROVAL_ID_MAX] = { 0 };
    int waiting = 0, commit_refusal = 0;
    rc = ar_txn_begin(e);
    if (rc)
        goto out;
    rc = ar_held_load(e, ARCHASE_FAMILY_RECON, a->id, &s);
    if (!rc && !s.found)
        rc = ar_error_set(&e->err, ARCHASE_ENOTFOUND, "no reconciliation item '%s'", a->id);
    if (!rc) {
        rc = rec_decode(&r, &s.env);
        if (rc && rc != ARCHASE_ENOMEM)
            rc = ar_error_set(&e->err, ARCHASE_ESTORAGE, "reconciliation item '%s' cannot be decoded", a->id);
        else if (rc)
            rc = ar_error_set(&e->err, rc, "out of memory");
    }
    if (rc)
        goto done;
    if (r.status != ARCHASE_RECON_STATUS_OPEN) {
        rc = ar_error_set(&e->err, ARCHASE_ESTATE, "reconciliation item '%s' is already resolved", a->id);
        goto done;
    }
    /* rec_decode refused an item without a reason; said again for the analyser. */
    int reason = r.s[RF_REASON] ? reason_of(r.s[RF_REASON], strlen(r.s[RF_REASON])) : 0;
    const char *target = NULL;
    if (a->resolution == ARCHASE_RECON_APPLY) {
        target = a->invoice_id && *a->invoice_id ? a->invoice_id : r.s[RF_INVOICE];
        if (unapplied(reason)) {
            if (!a->invoice_id || !*a->invoice_id) {
                rc = ar_error_set(&e->err, ARCHASE_EINVAL, "item '%s': applying %s needs the invoice it goes to",
                                  a->id, r.s[RF_REASON]);
                goto done;
            }
            rc = put_money_fact(e, &r, ARCHASE_PAYMENT, a->invoice_id, as_of);
        }
    } else if (a->resolution == ARCHASE_RECON_REFUND && !unapplied(reason) &&
               reason != ARCHASE_RECON_DUPLICATE_REFERENCE && reason != ARCHASE_RECON_PROMISE_AMOUNT) {
        rc = ar_error_set(&e->err, ARCHASE_EINVAL, "item '%s': a %s was applied to its invoice; nothing to refund",
                          a->id, r.s[RF_REASON]);
    } else if (a->resolution == ARCHASE_RECON_WRITE_OFF) {
        if (r.s[RF_APPROVAL]) {
            ar_gate_outcome g;
            memset(&g, 0, sizeof g);
            rc = ar_approval_check_dispatch(e, r.s[RF_APPROVAL], NULL, 0, a->by, &g);
            if (rc == ARCHASE_EDENIED && g.status == ARCHASE_APPROVAL_PENDING) {
                snprintf(req, sizeof req, "%s", r.s[RF_APPROVAL]);
                waiting = 1;
                rc = 0;
                ar_error_clear(&e->err);
                goto done; /* still waiting: nothing changes */
            }
            if (rc == ARCHASE_EDENIED || rc == ARCHASE_EEXPIRED) {
                commit_refusal = 1;
                goto done;
            }
            if (!rc)
                rc = ar_approval_mark_dispatched(e, r.s[RF_APPROVAL], a->by);
            if (!rc && reason == ARCHASE_RECON_SHORT_PAY && r.s[RF_INVOICE])
                rc = put_money_fact(e, &r, ARCHASE_WRITE_OFF, r.s[RF_INVOICE], as_of);
        } else {
            ar_action act;
            memset(&act, 0, sizeof act);
            const char *inv[1] = { r.s[RF_INVOICE] };
            act.action = ARCHASE_ACTION_WRITE_OFF;
            act.customer_id = r.s[RF_CUSTOMER];
            act.invoice_ids = r.s[RF_INVOICE] ? inv : NULL;
            act.invoice_count = r.s[RF_INVOICE] ? 1 : 0;
            act.amount = r.amount;
            act.reason_code = "reconciliation";
            act.detail = r.s[RF_ID];
            char just[300];
            snprintf(just, sizeof just, "write off reconciliation item %s (%s)", r.s[RF_ID], r.s[RF_REASON]);
            const char *j = a->justification && *a->justification ? a->justification : just;
            const char *impact = a->customer_impact && *a->customer_impact
                                     ? a->customer_impact
                                     : "none: the customer's balance does not change";
            int created = 0;
            rc = ar_approval_raise_txn(e, policy, &act, a->by, NULL, j, impact,
                                       policy->approvals.fast_lane.when == NULL, NULL, 0, req, &created);
            if (!rc) {
                r.s[RF_APPROVAL] = ar_strdup(r.al, req);
                if (!r.s[RF_APPROVAL])
                    rc = ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
            }
            if (!rc)
                rc = rec_put(e, &r, &c);
            waiting = 1;
            goto done;
        }
    }
    if (rc)
        goto done;
    /* resolved: the record, then its audit record */
    const int slots[] = { RF_RESOLUTION, RF_RESOLVED_BY, RF_TARGET, RF_NOTE };
    const char *values[] = { archase_recon_resolution_name(a->resolution), a->by, target, a->note };
    for (size_t i = 0; i < COUNT(slots) && !rc; i++) {
        ar_free(r.al, (char *)r.s[slots[i]]);
        r.s[slots[i]] = values[i] ? ar_strdup(r.al, values[i]) : NULL;
        if (values[i] && !r.s[slots[i]])
            rc = ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
    }
    r.resolved_on = as_of;
    r.status = ARCHASE_RECON_STATUS_RESOLVED;
    if (!rc)
        rc = rec_put(e, &r, &c);
    if (!rc) {
        ar_transition t = { ARCHASE_AUDIT_RECON_TRANSITION, "recon", r.s[RF_ID], "open", "resolved",
                            archase_recon_resolution_name(a->resolution), as_of, &r.amount, a->note, a->by };
        rc = ar_transition_record(e, &t);
    }
done:
    if (!rc || commit_refusal) {
        /* A refusal is reported only once it is recorded. */
        int crc = ar_txn_commit(e);
        if (crc)
            rc = crc;
    } else {
        ar_txn_rollback(e);
    }
out:
    if (!rc) {
        if (approval_id)
            memcpy(approval_id, req, ARCHASE_APPROVAL_ID_MAX);
        if (pending)
            *pending = waiting;
    }
    ar_canon_free(&c);
    ar_held_free(&s);
    rec_free(&r);
    return rc;
}
