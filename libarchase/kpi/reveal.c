/* libarchase/kpi/reveal.c — a ledger's facts revealed day by day into a
 * scratch store (reveal.h). */
#include "kpi/reveal.h"

#include <stdlib.h>
#include <string.h>

#include "archase/batch.h"
#include "archase/date.h"
#include "archase/errors.h"
#include "archase/sys/storage.h"
#include "core/alloc.h"
#include "engine/engine.h"

/* The order of the families within one day. */
static uint8_t rank_of(int family) {
    switch (family) {
    case ARCHASE_FAMILY_CUSTOMER: return 0;
    case ARCHASE_FAMILY_CONTACT: return 1;
    case ARCHASE_FAMILY_FLAGS: return 2;
    case ARCHASE_FAMILY_INVOICE: return 3;
    case ARCHASE_FAMILY_PAYMENT: return 4;
    case ARCHASE_FAMILY_PROMISE: return 5;
    case ARCHASE_FAMILY_DISPUTE: return 6;
    default: return 7;
    }
}

void ar_reveal_init(ar_reveal *rv, const archase_allocator *a) {
    memset(rv, 0, sizeof *rv);
    rv->allocator = a;
    ar_strtab_init(&rv->ids, a);
    ar_strtab_init(&rv->invoice_ids, a);
}

void ar_reveal_free(ar_reveal *rv) {
    ar_strtab_free(&rv->ids);
    ar_strtab_free(&rv->invoice_ids);
    ar_free(rv->allocator, rv->items);
    ar_free(rv->allocator, rv->issued);
    ar_reveal_init(rv, rv->allocator);
}

/* ---- planning ---------------------------------------------------------------------- */

typedef struct planner {
    ar_reveal      *rv;
    archase_engine *e;
} planner;

static int oom(planner *p) {
    return ar_error_set(&p->e->err, ARCHASE_ENOMEM, "out of memory planning the replay");
}

static int add(planner *p, archase_date day, int family, const char *id, int as_open) {
    ar_reveal *rv = p->rv;
    ar_reveal_item it;
    memset(&it, 0, sizeof it);
    if (ar_grow(rv->allocator, (void **)&rv->items, &rv->cap, rv->count + 1, sizeof *rv->items) ||
        ar_strtab_intern(&rv->ids, id, &it.id))
        return oom(p);
    it.day = day;
    it.family = (uint8_t)family;
    it.rank = rank_of(family);
    it.as_open = (uint8_t)as_open;
    rv->items[rv->count++] = it;
    return 0;
}

/* The issue date of an invoice planned already, or NONE. */
static archase_date issued(const ar_reveal *rv, const char *invoice_id) {
    uint32_t n = invoice_id ? ar_strtab_find(&rv->invoice_ids, invoice_id) : AR_STRTAB_NONE;
    return n == AR_STRTAB_NONE ? ARCHASE_DATE_NONE : rv->issued[n];
}

static archase_date later(archase_date a, archase_date b) {
    if (a == ARCHASE_DATE_NONE)
        return b;
    if (b == ARCHASE_DATE_NONE)
        return a;
    return a > b ? a : b;
}

/* Envelope scans: customers, contacts, flags, invoices, payments, notes. */
static int on_record(void *ctx, const archase_record *r) {
    planner *p = ctx;
    ar_reveal *rv = p->rv;
    switch (r->family) {
    case ARCHASE_FAMILY_INVOICE: {
        uint32_t n;
        if (ar_strtab_intern(&rv->invoice_ids, r->id, &n) ||
            ar_grow(rv->allocator, (void **)&rv->issued, &rv->issued_cap, (size_t)n + 1, sizeof *rv->issued))
            return oom(p);
        rv->issued[n] = r->date2;
        return add(p, r->date2, r->family, r->id, 0);
    }
    case ARCHASE_FAMILY_PAYMENT:
        return add(p, later(r->date, issued(rv, r->invoice_id)), r->family, r->id, 0);
    case ARCHASE_FAMILY_NOTE:
        return add(p, later(archase_instant_utc_date(r->instant), issued(rv, r->invoice_id)), r->family, r->id, 0);
    default:
        return add(p, ARCHASE_DATE_MIN, r->family, r->id, 0);
    }
}

/* The latest issue date of the invoices a promise or dispute covers. */
static archase_date covered(const ar_reveal *rv, const char *const *ids, size_t n) {
    archase_date d = ARCHASE_DATE_NONE;
    for (size_t i = 0; i < n; i++)
        d = later(d, issued(rv, ids[i]));
    return d;
}

static int on_fact(void *ctx, const archase_fact *f) {
    planner *p = ctx;
    if (f->family == ARCHASE_FAMILY_PROMISE) {
        const archase_promise *pr = f->promise;
        archase_date last = covered(p->rv, pr->invoice_ids, pr->invoice_count);
        archase_date day = pr->recorded_on != ARCHASE_DATE_NONE ? later(pr->recorded_on, last)
                           : last != ARCHASE_DATE_NONE           ? last
                                                                 : pr->promised_date;
        return add(p, day, f->family, pr->id, 0);
    }
    const archase_dispute *d = f->dispute;
    archase_date opened = later(d->opened_on, covered(p->rv, d->invoice_ids, d->invoice_count));
    if (d->status != ARCHASE_DISPUTE_RESOLVED)
        return add(p, opened, f->family, d->id, 0);
    int rc = add(p, opened, f->family, d->id, 1);
    return rc ? rc : add(p, later(d->resolved_on, opened), f->family, d->id, 0);
}

static int cmp_items(const void *a, const void *b) {
    const ar_reveal_item *x = a, *y = b;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    if (x->rank != y->rank)
        return x->rank - y->rank;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return y->as_open - x->as_open; /* a dispute's open state before its resolution */
}

int ar_reveal_plan(ar_reveal *rv, archase_engine *e) {
    static const int envelopes[] = { ARCHASE_FAMILY_CUSTOMER, ARCHASE_FAMILY_CONTACT, ARCHASE_FAMILY_FLAGS,
                                     ARCHASE_FAMILY_INVOICE, ARCHASE_FAMILY_PAYMENT, ARCHASE_FAMILY_NOTE };
    planner p = { rv, e };
    int rc = 0;
    for (size_t i = 0; i < sizeof envelopes / sizeof envelopes[0] && !rc; i++) {
        archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
        f.family = envelopes[i];
        f.flags = ARCHASE_SCAN_NO_DATA;
        rc = ar_store_scan(e, &f, on_record, &p);
    }
    for (int family = ARCHASE_FAMILY_PROMISE; !rc && family <= ARCHASE_FAMILY_DISPUTE; family++) {
        archase_fact_filter f = ARCHASE_FACT_FILTER_INIT;
        f.family = family;
        rc = archase_facts_scan(e, &f, on_fact, &p);
    }
    if (!rc && rv->count > 1)
        qsort(rv->items, rv->count, sizeof *rv->items, cmp_items);
    return rc;
}

/* ---- revealing ---------------------------------------------------------------------- */

typedef struct revealer {
    archase_batch        *b;
    const ar_reveal_item *item;
    int                   rc;
} revealer;

static int reveal_fact(void *ctx, const archase_fact *f) {
    revealer *x = ctx;
    int rc = 0;
    switch (f->family) {
    case ARCHASE_FAMILY_CUSTOMER: rc = archase_batch_add_customer(x->b, f->customer, 0); break;
    case ARCHASE_FAMILY_CONTACT: rc = archase_batch_add_contact(x->b, f->contact, 0); break;
    case ARCHASE_FAMILY_FLAGS: rc = archase_batch_add_customer_flags(x->b, f->flags, 0); break;
    case ARCHASE_FAMILY_INVOICE: rc = archase_batch_add_invoice(x->b, f->invoice, 0); break;
    case ARCHASE_FAMILY_PAYMENT: {
        archase_payment p = *f->payment;
        p.overpayment = 1;
        rc = archase_batch_add_payment(x->b, &p, 0);
        break;
    }
    case ARCHASE_FAMILY_PROMISE: rc = archase_batch_add_promise(x->b, f->promise, 0); break;
    case ARCHASE_FAMILY_DISPUTE: {
        archase_dispute d = *f->dispute;
        if (x->item->as_open) {
            d.status = ARCHASE_DISPUTE_OPEN;
            d.resolution = ARCHASE_RESOLUTION_NONE;
            d.root_cause = NULL;
            d.resolved_on = ARCHASE_DATE_NONE;
            d.credited.minor = 0;
            d.credited.currency[0] = '\0';
        } else if (d.status == ARCHASE_DISPUTE_RESOLVED && d.revision < INT64_MAX) {
            d.revision++; /* replaces the open state revealed before */
        }
        rc = archase_batch_add_dispute(x->b, &d, 0);
        break;
    }
    case ARCHASE_FAMILY_NOTE: rc = archase_batch_add_note(x->b, f->note, 0); break;
    default: break;
    }
    if (rc)
        x->rc = rc;
    return 0;
}

int ar_reveal_until(ar_reveal *rv, archase_engine *e, archase_engine *scratch, archase_date day) {
    if (rv->next >= rv->count || rv->items[rv->next].day > day)
        return 0;
    revealer x = { NULL, NULL, 0 };
    int rc = archase_batch_begin(scratch, NULL, "replay", &x.b);
    while (!rc && rv->next < rv->count && rv->items[rv->next].day <= day) {
        x.item = &rv->items[rv->next];
        rc = archase_fact_get(e, x.item->family, ar_strtab_str(&rv->ids, x.item->id), reveal_fact, &x);
        if (!rc && x.rc)
            rc = x.rc;
        if (!rc)
            rv->next++;
    }
    if (!rc)
        rc = archase_batch_commit(x.b, NULL);
    if (rc && !e->err.code)
        ar_error_set(&e->err, rc, "replay: revealing the facts of a day: %s", archase_engine_errmsg(scratch));
    archase_batch_free(x.b);
    return rc;
}
