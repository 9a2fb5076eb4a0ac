/* libarchase/engine/snapshot_load.c — reading a snapshot from the store:
 * every scan, join and time-zone file evaluation needs, done once. A preview
 * (preview.c) hands its facts to the same loader through the same scans.
 *
 * The order matters: customers first (everything else refers to them), then
 * open invoices (payments, promises, disputes and cadence states refer to
 * them), promises before payments (payments count toward them), and the
 * lists by customer last, when every string is interned and pointers into
 * the string tables no longer move. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "archase/errors.h"
#include "core/alloc.h"
#include "engine/cadence_store.h"
#include "engine/codec.h"
#include "engine/dispute_internal.h"
#include "engine/engine.h"
#include "engine/preview.h"
#include "engine/snapshot.h"
#include "policy/policy_internal.h"

/* qsort, which wants a valid pointer even for nothing to sort. */
static void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *)) {
    if (n > 1)
        qsort(base, n, size, cmp);
}

typedef struct hist_item {
    uint32_t     customer;
    archase_date due, settled;
} hist_item;

typedef struct cov_pair {
    uint32_t covered; /* number in loader.covered */
    uint32_t promise;
} cov_pair;

typedef struct prom_pay {
    uint32_t        promise;
    uint32_t        seq;
    ar_snap_payment pay;
} prom_pay;

/* A payment of the last 90 days, for partial_payments_90d. */
typedef struct win_pay {
    uint32_t     key;      /* number of its invoice id in loader.window_ids */
    uint32_t     customer;
    uint32_t     seq;
    archase_date date;
    int64_t      applied;
    int          is_payment;
} win_pay;

typedef struct order_item {
    uint32_t     customer;
    archase_date due;
    const char  *id;
    uint32_t     index;
} order_item;

typedef struct loader {
    archase_engine          *e;
    const ar_preview        *pv;      /* the facts of a preview instead of the store's */
    uint32_t                 pv_customer; /* a preview's number of the customer of the
                                             record in hand (ar_preview_scan) */
    archase_snapshot        *s;
    const archase_allocator *a;
    archase_date             as_of;
    int                      rc;
    ar_fact                  fact;
    const char              *tzdir;
    const char              *policy_zone;

    size_t        customer_cap;
    uint8_t      *primary;        /* customers x AR_SNAP_CHANNELS: the chosen contact is primary */
    ar_strtab     zone_names;     /* distinct zone names; customer.zone holds a number here */
    size_t        invoice_cap;
    ar_strtab     reopen;         /* invoices settled after as_of: open on it */
    hist_item    *hist;
    size_t        hist_n, hist_cap;

    size_t        promise_cap;
    uint32_t     *pcov;           /* per promise_invoices entry: its number in `covered` */
    size_t        pinv_n, pinv_cap, pcov_cap;
    size_t        inst_n, inst_cap;
    ar_strtab     covered;        /* invoice ids promises cover */
    cov_pair     *cov;
    size_t        cov_n, cov_cap;
    prom_pay     *ppay;
    size_t        ppay_n, ppay_cap;

    size_t        dispute_cap;
    size_t        dinv_n, dinv_cap;

    ar_strtab     window_ids;
    win_pay      *win;
    size_t        win_n, win_cap;
    uint32_t      seq;

    ar_strtab     note_ids;
    size_t        note_cap;
    size_t        note_target;    /* the note on_note_text fills */
    size_t        cadence_cap;
    size_t        closed_cap;
    size_t        names_n, names_cap;
    size_t        touch_cap;
    size_t        touchlog_cap;
    char          idbuf[AR_ID_MAX + 16];
} loader;

static int fail(loader *L, int rc, const char *what) {
    if (!L->rc) {
        L->rc = rc;
        if (rc == ARCHASE_ENOMEM)
            ar_error_set(&L->e->err, rc, "out of memory loading the snapshot (%s)", what);
        else
            ar_error_set(&L->e->err, rc, "snapshot: %s", what);
    }
    return L->rc;
}

/* The number of `str` in the snapshot's text (AR_STR_NONE for NULL or ""). */
static uint32_t text(loader *L, const char *str) {
    uint32_t n = AR_STR_NONE;
    if (str && *str && ar_strtab_intern(&L->s->text, str, &n) != 0) {
        fail(L, ARCHASE_ENOMEM, "text");
        return AR_STR_NONE;
    }
    return n;
}

static const char *slice_str(loader *L, ar_slice sl) {
    size_t n = sl.len < sizeof L->idbuf - 1 ? sl.len : sizeof L->idbuf - 1;
    if (sl.p)
        memcpy(L->idbuf, sl.p, n);
    L->idbuf[sl.p ? n : 0] = '\0';
    return L->idbuf;
}

static int decode(loader *L, const archase_record *rec) {
    if (L->pv) {
        ar_preview_fact(rec, &L->fact);
        return 0;
    }
    int rc = ar_fact_decode(&L->fact, rec->family, rec->data, rec->size);
    if (rc == ARCHASE_ENOMEM)
        return fail(L, rc, "decoding");
    if (rc) {
        L->rc = ar_error_set(&L->e->err, ARCHASE_ESTORAGE, "stored %s '%s' cannot be decoded",
                             ar_family_name(rec->family), rec->id);
        return L->rc;
    }
    return 0;
}

/* Room for one more item; ar_grow is called only when there is none, which
 * a record seldom needs (the capacity doubles). */
#define GROW(L, arr, n, cap, what)                                                           \
    ((n) + 1 > (cap) && ar_grow((L)->a, (void **)&(arr), &(cap), (n) + 1, sizeof *(arr))      \
         ? fail(L, ARCHASE_ENOMEM, what)                                                     \
         : 0)

static uint32_t customer_of(loader *L, const char *id) {
    return id ? ar_strtab_find(&L->s->ids, id) : AR_IDX_NONE;
}

/* The customer of a contact, flags or invoice record: a preview knows its
 * number; a store's record is looked up by id. */
static uint32_t customer_of_record(loader *L, const char *id) {
    return L->pv ? L->pv_customer : customer_of(L, id);
}

/* ---- customers, flags, contacts --------------------------------------------- */

static int on_customer(void *ctx, const archase_record *rec) {
    loader *L = ctx;
    archase_snapshot *s = L->s;
    if (decode(L, rec) || GROW(L, s->customers, s->ids.count, L->customer_cap, "customers"))
        return L->rc;
    const archase_customer *c = &L->fact.u.customer;
    uint32_t n;
    if (ar_strtab_intern(&s->ids, c->id, &n) != 0)
        return fail(L, ARCHASE_ENOMEM, "customer ids");
    ar_snap_customer *sc = &s->customers[n];
    memset(sc, 0, sizeof *sc);
    sc->name = text(L, c->name);
    sc->tier = text(L, c->tier);
    sc->owner = text(L, c->owner);
    sc->collector = text(L, c->collector);
    sc->locale = text(L, c->locale);
    sc->country = text(L, c->country);
    sc->source_link = text(L, c->source_link);
    sc->paused_until = ARCHASE_DATE_NONE;
    sc->flags_reason = AR_STR_NONE;
    sc->credit_limit = c->credit_limit;
    sc->touchlog = AR_IDX_NONE;
    for (int ch = 0; ch < AR_SNAP_CHANNELS; ch++)
        sc->contact[ch] = AR_STR_NONE;
    sc->zone = AR_IDX_NONE;
    if (c->timezone && *c->timezone && ar_strtab_intern(&L->zone_names, c->timezone, &sc->zone))
        return fail(L, ARCHASE_ENOMEM, "zone names");
    return L->rc;
}

static int on_flags(void *ctx, const archase_record *rec) {
    loader *L = ctx;
    uint32_t c = customer_of_record(L, rec->id);
    if (c == AR_IDX_NONE)
        return 0;
    if (decode(L, rec))
        return L->rc;
    const archase_customer_flags *f = &L->fact.u.flags;
    ar_snap_customer *sc = &L->s->customers[c];
    sc->flags = (uint8_t)((f->hold ? AR_SF_HOLD : 0) | (f->expansion ? AR_SF_EXPANSION : 0) |
                          (f->strategic ? AR_SF_STRATEGIC : 0) |
                          (f->service_issue ? AR_SF_SERVICE_ISSUE : 0));
    sc->paused_until = f->paused_until;
    sc->flags_reason = text(L, f->reason);
    return L->rc;
}

/* Per channel the consented contact: a primary one, else the first by id. */
static int on_contact(void *ctx, const archase_record *rec) {
    loader *L = ctx;
    uint32_t c = customer_of_record(L, rec->customer_id);
    if (c == AR_IDX_NONE || decode(L, rec))
        return L->rc;
    const archase_contact *k = &L->fact.u.contact;
    if (!k->consent || k->channel <= 0 || k->channel >= AR_SNAP_CHANNELS)
        return 0;
    ar_snap_customer *sc = &L->s->customers[c];
    uint8_t *primary = &L->primary[(size_t)c * AR_SNAP_CHANNELS + (size_t)k->channel];
    if (sc->contact[k->channel] == AR_STR_NONE || (k->primary && !*primary)) {
        sc->contact[k->channel] = text(L, k->id);
        *primary = (uint8_t)(k->primary != 0);
    }
    return L->rc;
}

/* ---- invoices ------------------------------------------------------------------ */

static int add_invoice(loader *L, const archase_record *rec, int64_t open) {
    archase_snapshot *s = L->s;
    uint32_t c = customer_of_record(L, rec->customer_id);
    if (c == AR_IDX_NONE)
        return 0;
    if (decode(L, rec) || GROW(L, s->invoices, s->invoice_count, L->invoice_cap, "invoices"))
        return L->rc;
    const archase_invoice *inv = &L->fact.u.invoice;
    uint32_t n;
    if (ar_strtab_intern(&s->invoice_ids, inv->id, &n) != 0)
        return fail(L, ARCHASE_ENOMEM, "invoice ids");
    if (n != s->invoice_count)
        return 0; /* the same id twice: cannot happen in a conforming store */
    ar_snap_invoice *si = &s->invoices[n];
    memset(si, 0, sizeof *si);
    si->customer = c;
    si->number = text(L, inv->number);
    si->po_ref = text(L, inv->po_ref);
    si->source_link = text(L, inv->source_link);
    si->issue_date = inv->issue_date;
    si->due_date = inv->due_date;
    si->amount = inv->amount.minor;
    si->open = open;
    memcpy(si->currency, inv->amount.currency, 4);
    si->cadence = AR_IDX_NONE;
    s->invoice_count++;
    return L->rc;
}

static int on_open_invoice(void *ctx, const archase_record *rec) {
    loader *L = ctx;
    if (rec->date2 > L->as_of)
        return 0; /* issued later */
    return add_invoice(L, rec, rec->amount2);
}

static int on_settled_invoice(void *ctx, const archase_record *rec) {
    loader *L = ctx;
    if (rec->date2 > L->as_of)
        return 0;
    if (rec->date3 != ARCHASE_DATE_NONE && rec->date3 <= L->as_of) {
        uint32_t c = customer_of(L, rec->customer_id);
        if (c == AR_IDX_NONE || GROW(L, L->hist, L->hist_n, L->hist_cap, "history"))
            return L->rc;
        L->hist[L->hist_n++] = (hist_item){ c, rec->date, rec->date3 };
        return 0;
    }
    uint32_t n; /* settled after as_of: it was open then */
    if (ar_strtab_intern(&L->reopen, rec->id, &n) != 0)
        return fail(L, ARCHASE_ENOMEM, "invoices open on the date");
    return 0;
}

static int on_reopened(void *ctx, const archase_record *rec) {
    /* Its open amount on as_of is what payments dated later took off. */
    return add_invoice(ctx, rec, 0);
}

/* ---- promises and disputes ----------------------------------------------------- */

static int on_promise(void *ctx, const archase_record *rec) {
    loader *L = ctx;
    archase_snapshot *s = L->s;
    uint32_t c = customer_of(L, rec->customer_id);
    if (c == AR_IDX_NONE || rec->date2 > L->as_of)
        return 0; /* recorded later */
    if (decode(L, rec) || GROW(L, s->promises, s->promise_count, L->promise_cap, "promises"))
        return L->rc;
    const archase_promise *p = &L->fact.u.promise;
    ar_snap_promise *sp = &s->promises[s->promise_count];
    memset(sp, 0, sizeof *sp);
    sp->customer = c;
    sp->seq = L->seq++;
    sp->id = text(L, p->id);
    sp->status = rec->status;
    sp->amount = p->amount.minor;
    memcpy(sp->currency, p->amount.currency, 4);
    sp->promised_date = p->promised_date;
    sp->recorded_on = p->recorded_on;
    sp->grace_days = p->grace_days;
    sp->channel = p->channel;
    sp->taken_by = text(L, p->taken_by);
    sp->inv_first = (uint32_t)L->pinv_n;
    for (size_t i = 0; i < p->invoice_count && !L->rc; i++) {
        if (GROW(L, s->promise_invoices, L->pinv_n, L->pinv_cap, "promised invoices") ||
            GROW(L, L->pcov, L->pinv_n, L->pcov_cap, "promised invoices"))
            return L->rc;
        uint32_t cov;
        if (ar_strtab_intern(&L->covered, p->invoice_ids[i], &cov) != 0)
            return fail(L, ARCHASE_ENOMEM, "promised invoices");
        s->promise_invoices[L->pinv_n] = ar_strtab_find(&s->invoice_ids, p->invoice_ids[i]);
        L->pcov[L->pinv_n++] = cov;
    }
    sp->inv_count = (uint32_t)L->pinv_n - sp->inv_first;
    sp->inst_first = (uint32_t)L->inst_n;
    for (size_t i = 0; i < p->instalment_count; i++) {
        if (GROW(L, s->instalments, L->inst_n, L->inst_cap, "instalments"))
            return L->rc;
        s->instalments[L->inst_n++] = p->instalments[i];
    }
    sp->inst_count = (uint32_t)L->inst_n - sp->inst_first;
    s->promise_count++;
    return L->rc;
}

static int on_dispute(void *ctx, const archase_record *rec) {
    loader *L = ctx;
    archase_snapshot *s = L->s;
    uint32_t c = customer_of(L, rec->customer_id);
    if (c == AR_IDX_NONE || rec->date > L->as_of)
        return 0; /* opened later */
    if (rec->date > L->as_of - 365)
        s->customers[c].disputes_12m++;
    if (rec->status == ARCHASE_DISPUTE_RESOLVED && rec->date2 != ARCHASE_DATE_NONE && rec->date2 <= L->as_of)
        return 0; /* resolved by then */
    if (decode(L, rec) || GROW(L, s->disputes, s->dispute_count, L->dispute_cap, "disputes"))
        return L->rc;
    const archase_dispute *d = &L->fact.u.dispute;
    ar_snap_dispute *sd = &s->disputes[s->dispute_count];
    memset(sd, 0, sizeof *sd);
    sd->customer = c;
    sd->seq = L->seq++;
    sd->id = text(L, d->id);
    sd->reason = ar_dispute_reason_or_other(d->reason_code);
    sd->reason_code = text(L, d->reason_code);
    sd->amount = d->amount.minor;
    memcpy(sd->currency, d->amount.currency, 4);
    sd->opened_on = d->opened_on;
    sd->owner = text(L, d->owner);
    sd->inv_first = (uint32_t)L->dinv_n;
    for (size_t i = 0; i < d->invoice_count; i++) {
        if (GROW(L, s->dispute_invoices, L->dinv_n, L->dinv_cap, "disputed invoices"))
            return L->rc;
        s->dispute_invoices[L->dinv_n++] = ar_strtab_find(&s->invoice_ids, d->invoice_ids[i]);
    }
    sd->inv_count = (uint32_t)L->dinv_n - sd->inv_first;
    s->dispute_count++;
    return L->rc;
}

/* ---- payments ------------------------------------------------------------------ */

static int cmp_cov(const void *a, const void *b) {
    const cov_pair *x = a, *y = b;
    if (x->covered != y->covered)
        return x->covered < y->covered ? -1 : 1;
    return (x->promise > y->promise) - (x->promise < y->promise);
}

static int on_payment(void *ctx, const archase_record *rec) {
    loader *L = ctx;
    archase_snapshot *s = L->s;
    if (!rec->invoice_id)
        return 0; /* unapplied cash */
    uint32_t seq = L->seq++;
    uint32_t inv = ar_strtab_find(&s->invoice_ids, rec->invoice_id);
    if (rec->date > L->as_of) {
        if (inv != AR_IDX_NONE)
            s->invoices[inv].open += rec->amount2; /* not yet paid on as_of */
        return 0;
    }
    uint32_t cov = ar_strtab_find(&L->covered, rec->invoice_id);
    if (cov != AR_STRTAB_NONE) {
        cov_pair key = { cov, 0 };
        size_t lo = 0, hi = L->cov_n;
        while (lo < hi) { /* the first pair of this invoice */
            size_t mid = lo + (hi - lo) / 2;
            if (cmp_cov(&L->cov[mid], &key) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        /* Only payments pay toward a promise: credit notes, adjustments and
         * write-offs close invoices without the customer paying
         * (GLOSSARY.md, "Promise-kept rate"). */
        for (size_t i = lo; i < L->cov_n && L->cov[i].covered == cov && rec->status == ARCHASE_PAYMENT; i++) {
            const ar_snap_promise *p = &s->promises[L->cov[i].promise];
            if (p->recorded_on != ARCHASE_DATE_NONE && rec->date < p->recorded_on)
                continue;
            if (GROW(L, L->ppay, L->ppay_n, L->ppay_cap, "promise payments"))
                return L->rc;
            L->ppay[L->ppay_n++] = (prom_pay){ L->cov[i].promise, seq, { rec->date, rec->amount2 } };
        }
    }
    if (rec->date > L->as_of - 90) {
        uint32_t c = customer_of(L, rec->customer_id), key;
        if (c == AR_IDX_NONE)
            return 0;
        if (ar_strtab_intern(&L->window_ids, rec->invoice_id, &key) != 0 ||
            GROW(L, L->win, L->win_n, L->win_cap, "recent payments"))
            return fail(L, ARCHASE_ENOMEM, "recent payments");
        L->win[L->win_n++] = (win_pay){ key, c, seq, rec->date, rec->amount2, rec->status == ARCHASE_PAYMENT };
    }
    return 0;
}

/* Latest first, so each payment sees the open amount the later ones left. */
static int cmp_win(const void *a, const void *b) {
    const win_pay *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->date != y->date)
        return x->date > y->date ? -1 : 1;
    return (x->seq < y->seq) - (x->seq > y->seq);
}

/* A payment left its invoice partly open when, after it, something was still
 * open: the open amount on as_of plus what later payments took off. */
static void count_partial_payments(loader *L) {
    archase_snapshot *s = L->s;
    sort(L->win, L->win_n, sizeof *L->win, cmp_win);
    for (size_t i = 0; i < L->win_n;) {
        uint32_t key = L->win[i].key;
        uint32_t inv = ar_strtab_find(&s->invoice_ids, ar_strtab_str(&L->window_ids, key));
        int64_t after = inv != AR_IDX_NONE ? s->invoices[inv].open : 0;
        for (; i < L->win_n && L->win[i].key == key; i++) {
            const win_pay *w = &L->win[i];
            if (w->is_payment && w->applied > 0 && after > 0 &&
                s->customers[w->customer].partial_payments_90d < UINT16_MAX)
                s->customers[w->customer].partial_payments_90d++;
            after += w->applied;
        }
    }
}

/* ---- notes ----------------------------------------------------------------------- */

static int on_note(void *ctx, const archase_record *rec) {
    loader *L = ctx;
    archase_snapshot *s = L->s;
    uint32_t c = customer_of(L, rec->customer_id);
    if (c == AR_IDX_NONE || rec->instant > (archase_instant)L->as_of * 86400 + 86399)
        return 0;
    if (GROW(L, s->notes, s->note_count, L->note_cap, "notes"))
        return L->rc;
    uint32_t n;
    if (ar_strtab_intern(&L->note_ids, rec->id, &n) != 0)
        return fail(L, ARCHASE_ENOMEM, "notes");
    ar_snap_note *sn = &s->notes[s->note_count++];
    memset(sn, 0, sizeof *sn);
    sn->customer = c;
    sn->seq = n;
    sn->at = rec->instant;
    sn->id = sn->author = sn->text = AR_STR_NONE;
    sn->invoice = rec->invoice_id ? ar_strtab_find(&s->invoice_ids, rec->invoice_id) : AR_IDX_NONE;
    return 0;
}

static int on_note_text(void *ctx, const archase_record *rec) {
    loader *L = ctx;
    if (decode(L, rec))
        return L->rc;
    ar_snap_note *sn = &L->s->notes[L->note_target];
    sn->id = text(L, L->fact.u.note.id);
    sn->author = text(L, L->fact.u.note.author);
    sn->text = text(L, L->fact.u.note.text);
    return L->rc;
}

static int cmp_note(const void *a, const void *b) {
    const ar_snap_note *x = a, *y = b;
    if (x->customer != y->customer)
        return x->customer < y->customer ? -1 : 1;
    if (x->at != y->at)
        return x->at > y->at ? -1 : 1;
    return (x->seq < y->seq) - (x->seq > y->seq);
}

/* Keeps the latest AR_SNAP_NOTES_MAX notes of each customer and reads them. */
static int load_notes(loader *L) {
    archase_snapshot *s = L->s;
    sort(s->notes, s->note_count, sizeof *s->notes, cmp_note);
    size_t kept = 0, run = 0;
    for (size_t i = 0; i < s->note_count; i++) {
        run = i && s->notes[i].customer == s->notes[i - 1].customer ? run + 1 : 0;
        if (run < AR_SNAP_NOTES_MAX)
            s->notes[kept++] = s->notes[i];
    }
    s->note_count = kept;
    for (size_t i = 0; i < kept && !L->rc; i++) {
        L->note_target = i;
        int rc = ar_store_get(L->e, ARCHASE_FAMILY_NOTE, ar_strtab_str(&L->note_ids, s->notes[i].seq),
                              on_note_text, L);
        if (rc && !L->rc)
            L->rc = rc;
    }
    return L->rc;
}

/* ---- cadence ----------------------------------------------------------------------- */

static int on_cadence(void *ctx, const archase_record *rec) {
    loader *L = ctx;
    archase_snapshot *s = L->s;
    ar_cadence_view v;
    if (ar_cadence_decode(rec->data, rec->size, &v) != 0) {
        L->rc = ar_error_set(&L->e->err, ARCHASE_ESTORAGE, "stored cadence '%s' cannot be decoded", rec->id);
        return L->rc;
    }
    uint32_t inv = ar_strtab_find(&s->invoice_ids, slice_str(L, v.invoice_id));
    uint32_t c = customer_of(L, slice_str(L, v.customer_id));
    if (c == AR_IDX_NONE)
        return 0;
    if (GROW(L, s->cadence, s->cadence_count, L->cadence_cap, "cadence"))
        return L->rc;
    ar_snap_cadence *sc = &s->cadence[s->cadence_count];
    memset(sc, 0, sizeof *sc);
    sc->invoice_id = text(L, slice_str(L, v.invoice_id));
    sc->customer_id = text(L, slice_str(L, v.customer_id));
    sc->status = (uint8_t)v.status;
    sc->reason = (uint8_t)v.reason;
    sc->sequence = text(L, slice_str(L, v.sequence));
    sc->last_step = text(L, slice_str(L, v.last_step));
    sc->last_offset = v.last_offset;
    sc->last_date = v.last_date;
    sc->notice_offset = v.notice_offset;
    sc->next_step = text(L, slice_str(L, v.next_step));
    sc->next_date = v.next_date;
    sc->call_queued = v.call_queued;
    sc->promise_routed = text(L, slice_str(L, v.promise_routed));
    sc->escalated_first = (uint32_t)L->names_n;
    for (uint32_t i = 0; i < v.escalated_count && !L->rc; i++) {
        if (GROW(L, s->names, L->names_n, L->names_cap, "escalations"))
            return L->rc;
        s->names[L->names_n++] = text(L, slice_str(L, v.escalated[i]));
    }
    sc->escalated_count = v.escalated_count;
    if (L->rc)
        return L->rc;
    uint32_t idx = (uint32_t)s->cadence_count++;
    if (inv != AR_IDX_NONE) {
        s->invoices[inv].cadence = idx;
    } else {
        if (GROW(L, s->closed, s->closed_count, L->closed_cap, "closed cadence"))
            return L->rc;
        s->closed[s->closed_count++] = idx;
    }
    return 0;
}

static int on_touches(void *ctx, const archase_record *rec) {
    loader *L = ctx;
    archase_snapshot *s = L->s;
    ar_touches_rec t;
    if (ar_touches_decode(rec->data, rec->size, &t) != 0) {
        L->rc = ar_error_set(&L->e->err, ARCHASE_ESTORAGE, "stored touches '%s' cannot be decoded", rec->id);
        return L->rc;
    }
    uint32_t c = customer_of(L, slice_str(L, t.customer));
    if (c == AR_IDX_NONE)
        return 0;
    if (GROW(L, s->touchlogs, s->touchlog_count, L->touchlog_cap, "touches"))
        return L->rc;
    s->customers[c].touchlog = (uint32_t)s->touchlog_count;
    s->touchlogs[s->touchlog_count++].last_touch = t.last_touch;
    for (uint32_t i = 0; i < t.count; i++) {
        if (t.items[i].date < L->as_of - AR_SNAP_TOUCH_DAYS)
            continue;
        if (GROW(L, s->touches, s->touch_count, L->touch_cap, "touches"))
            return L->rc;
        s->touches[s->touch_count++] = (ar_snap_touch){ c, t.items[i].date, t.items[i].channel };
    }
    return 0;
}

/* ---- zones --------------------------------------------------------------------------- */

static int cmp_name(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Loads every zone named, in name order (evaluation finds one by binary
 * search). A customer whose zone is missing or unreadable gets none (the
 * policy's default at evaluation) and is marked; UTC and the policy's zone
 * must load. */
static int load_zones(loader *L) {
    archase_snapshot *s = L->s;
    uint32_t n;
    if (ar_strtab_intern(&L->zone_names, "UTC", &n) ||
        (L->policy_zone && ar_strtab_intern(&L->zone_names, L->policy_zone, &n)))
        return fail(L, ARCHASE_ENOMEM, "zones");
    size_t count = L->zone_names.count;
    uint32_t *map = ar_malloc_array(L->a, count, sizeof *map);
    const char **names = ar_malloc_array(L->a, count, sizeof *names);
    s->zones = ar_calloc(L->a, count, sizeof *s->zones);
    if (!map || !names || !s->zones) {
        fail(L, ARCHASE_ENOMEM, "zones");
        goto done;
    }
    for (size_t i = 0; i < count; i++)
        names[i] = ar_strtab_str(&L->zone_names, (uint32_t)i);
    sort(names, count, sizeof *names, cmp_name);
    archase_tz_options o = ARCHASE_TZ_OPTIONS_INIT;
    o.allocator = L->a;
    o.tzdir = L->tzdir;
    for (size_t i = 0; i < count && !L->rc; i++) {
        archase_tz *tz = NULL;
        int rc = archase_tz_load(names[i], &o, &tz);
        uint32_t number = ar_strtab_find(&L->zone_names, names[i]);
        map[number] = AR_IDX_NONE;
        if (rc == 0) {
            map[number] = (uint32_t)s->zone_count;
            s->zones[s->zone_count++] = tz;
        } else if (rc == ARCHASE_ENOMEM || rc == ARCHASE_EIO || !strcmp(names[i], "UTC") ||
                   (L->policy_zone && !strcmp(names[i], L->policy_zone))) {
            L->rc = ar_error_set(&L->e->err, rc == ARCHASE_EINVAL ? ARCHASE_ENOTFOUND : rc,
                                 "time zone '%s' cannot be loaded: %s", names[i], archase_strerror(rc));
        }
    }
    for (size_t i = 0; i < s->ids.count && !L->rc; i++) {
        ar_snap_customer *c = &s->customers[i];
        if (c->zone != AR_IDX_NONE) {
            c->zone = map[c->zone];
            c->zone_unknown = c->zone == AR_IDX_NONE;
        }
    }
done:
    ar_free(L->a, map);
    ar_free(L->a, names);
    return L->rc;
}

/* ---- lists by customer ------------------------------------------------------------- */

static int cmp_hist(const void *a, const void *b) {
    const hist_item *x = a, *y = b;
    if (x->customer != y->customer)
        return x->customer < y->customer ? -1 : 1;
    if (x->settled != y->settled)
        return x->settled < y->settled ? -1 : 1;
    return (x->due > y->due) - (x->due < y->due);
}

static int cmp_order(const void *a, const void *b) {
    const order_item *x = a, *y = b;
    if (x->customer != y->customer)
        return x->customer < y->customer ? -1 : 1;
    if (x->due != y->due)
        return x->due < y->due ? -1 : 1;
    return strcmp(x->id, y->id);
}

static int cmp_promise(const void *a, const void *b) {
    const ar_snap_promise *x = a, *y = b;
    if (x->customer != y->customer)
        return x->customer < y->customer ? -1 : 1;
    if (x->promised_date != y->promised_date)
        return x->promised_date < y->promised_date ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static int cmp_dispute(const void *a, const void *b) {
    const ar_snap_dispute *x = a, *y = b;
    if (x->customer != y->customer)
        return x->customer < y->customer ? -1 : 1;
    if (x->opened_on != y->opened_on)
        return x->opened_on < y->opened_on ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static int cmp_prom_pay(const void *a, const void *b) {
    const prom_pay *x = a, *y = b;
    if (x->promise != y->promise)
        return x->promise < y->promise ? -1 : 1;
    if (x->pay.date != y->pay.date)
        return x->pay.date < y->pay.date ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static int cmp_touch(const void *a, const void *b) {
    const ar_snap_touch *x = a, *y = b;
    if (x->customer != y->customer)
        return x->customer < y->customer ? -1 : 1;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    return (x->channel > y->channel) - (x->channel < y->channel);
}

typedef struct closed_key {
    uint32_t customer;
    uint32_t cadence;
    const char *invoice;
} closed_key;

static int cmp_closed(const void *a, const void *b) {
    const closed_key *x = a, *y = b;
    if (x->customer != y->customer)
        return x->customer < y->customer ? -1 : 1;
    return strcmp(x->invoice, y->invoice);
}

/* Walks `count` items of `size` bytes whose customer is read by `customer_at`
 * and sets each customer's range in the fields at `first_off`/`count_off`. */
static void ranges(archase_snapshot *s, const void *items, size_t count, size_t size,
                   uint32_t (*customer_at)(const void *), size_t first_off, size_t count_off) {
    for (size_t i = 0; i < count;) {
        uint32_t c = customer_at((const char *)items + i * size);
        size_t j = i;
        while (j < count && customer_at((const char *)items + j * size) == c)
            j++;
        char *base = (char *)&s->customers[c];
        *(uint32_t *)(base + first_off) = (uint32_t)i;
        *(uint32_t *)(base + count_off) = (uint32_t)(j - i);
        i = j;
    }
}

static uint32_t hist_customer(const void *p) { return ((const hist_item *)p)->customer; }
static uint32_t order_customer(const void *p) { return ((const order_item *)p)->customer; }
static uint32_t promise_customer(const void *p) { return ((const ar_snap_promise *)p)->customer; }
static uint32_t dispute_customer(const void *p) { return ((const ar_snap_dispute *)p)->customer; }
static uint32_t note_customer(const void *p) { return ((const ar_snap_note *)p)->customer; }
static uint32_t touch_customer(const void *p) { return ((const ar_snap_touch *)p)->customer; }
static uint32_t closed_customer(const void *p) { return ((const closed_key *)p)->customer; }

#define RANGES(s, items, count, getter, first, cnt)                                      \
    ranges(s, items, count, sizeof *(items), getter, offsetof(ar_snap_customer, first), \
           offsetof(ar_snap_customer, cnt))

/* Sorts a customer's few items in place by due date and id. */
static void sort_customer_items(order_item *items, size_t n) {
    if (n > 16) {
        qsort(items, n, sizeof *items, cmp_order);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        order_item x = items[i];
        size_t j = i;
        for (; j > 0 && cmp_order(&items[j - 1], &x) > 0; j--)
            items[j] = items[j - 1];
        items[j] = x;
    }
}

/* The open invoices' order items, sorted by customer, due date and id (the
 * order cmp_order defines, which is total: ids are distinct). Invoices come
 * in id order, not by customer, and a customer has few of them: they are
 * counted out by customer, then each customer's sorted, instead of a
 * comparison sort of them all. */
static int sort_order_items(loader *L, order_item *items, size_t n) {
    const archase_snapshot *s = L->s;
    size_t customers = s->ids.count;
    size_t *next = ar_calloc(L->a, customers + 1, sizeof *next);
    if (!next)
        return fail(L, ARCHASE_ENOMEM, "invoice order");
    for (size_t i = 0; i < n; i++)
        next[s->invoices[i].customer + 1]++;
    for (size_t c = 0; c < customers; c++)
        next[c + 1] += next[c];
    for (size_t i = 0; i < n; i++) {
        const ar_snap_invoice *si = &s->invoices[i];
        items[next[si->customer]++] = (order_item){ si->customer, si->due_date,
                                                    ar_strtab_str(&s->invoice_ids, (uint32_t)i), (uint32_t)i };
    }
    /* next[c] is now where customer c's items end, and c + 1's begin. */
    for (size_t c = 0, from = 0; c < customers; c++) {
        sort_customer_items(&items[from], next[c] - from);
        from = next[c];
    }
    ar_free(L->a, next);
    return 0;
}

/* Puts the open invoices in the order evaluation walks them (by customer,
 * due date, id), so it reads them, and their cadence states, front to back;
 * an invoice's index is then its position. Everything that referred to an
 * invoice by its load index follows. */
static int order_invoices(loader *L) {
    archase_snapshot *s = L->s;
    size_t n = s->invoice_count;
    order_item *items = ar_malloc_array(L->a, n ? n : 1, sizeof *items);
    ar_snap_invoice *sorted = ar_malloc_array(L->a, n ? n : 1, sizeof *sorted);
    ar_snap_cadence *cadence = ar_malloc_array(L->a, s->cadence_count ? s->cadence_count : 1, sizeof *cadence);
    uint32_t *moved = ar_malloc_array(L->a, s->cadence_count ? s->cadence_count : 1, sizeof *moved);
    s->invoice_num = ar_malloc_array(L->a, n ? n : 1, sizeof *s->invoice_num);
    s->invoice_index = ar_malloc_array(L->a, n ? n : 1, sizeof *s->invoice_index);
    if (!items || !sorted || !cadence || !moved || !s->invoice_num || !s->invoice_index) {
        fail(L, ARCHASE_ENOMEM, "invoice order");
        goto done;
    }
    if (sort_order_items(L, items, n))
        goto done;
    RANGES(s, items, n, order_customer, inv_first, inv_count);
    for (size_t i = 0; i < n; i++) {
        sorted[i] = s->invoices[items[i].index];
        s->invoice_num[i] = items[i].index;
        s->invoice_index[items[i].index] = (uint32_t)i;
    }
    if (n) /* no invoices: s->invoices may be NULL */
        memcpy(s->invoices, sorted, n * sizeof *sorted);
    for (size_t k = 0; k < L->pinv_n; k++)
        if (s->promise_invoices[k] != AR_IDX_NONE)
            s->promise_invoices[k] = s->invoice_index[s->promise_invoices[k]];
    for (size_t k = 0; k < L->dinv_n; k++)
        if (s->dispute_invoices[k] != AR_IDX_NONE)
            s->dispute_invoices[k] = s->invoice_index[s->dispute_invoices[k]];
    for (size_t k = 0; k < s->note_count; k++)
        if (s->notes[k].invoice != AR_IDX_NONE)
            s->notes[k].invoice = s->invoice_index[s->notes[k].invoice];
    /* Cadence states: the open invoices' in their order, then the closed. */
    size_t c = 0;
    for (size_t i = 0; i < n; i++) {
        if (s->invoices[i].cadence == AR_IDX_NONE)
            continue;
        moved[s->invoices[i].cadence] = (uint32_t)c;
        cadence[c] = s->cadence[s->invoices[i].cadence];
        s->invoices[i].cadence = (uint32_t)c++;
    }
    for (size_t k = 0; k < s->closed_count; k++) {
        moved[s->closed[k]] = (uint32_t)c;
        cadence[c] = s->cadence[s->closed[k]];
        s->closed[k] = (uint32_t)c++;
    }
    if (c)
        memcpy(s->cadence, cadence, c * sizeof *cadence);
done:
    ar_free(L->a, items);
    ar_free(L->a, sorted);
    ar_free(L->a, cadence);
    ar_free(L->a, moved);
    return L->rc;
}

static int build_lists(loader *L) {
    archase_snapshot *s = L->s;
    /* History: the last AR_SNAP_HISTORY_MAX settlements of each customer. */
    sort(L->hist, L->hist_n, sizeof *L->hist, cmp_hist);
    size_t kept = 0;
    for (size_t i = 0; i < L->hist_n; i++) {
        size_t end = i;
        while (end < L->hist_n && L->hist[end].customer == L->hist[i].customer)
            end++;
        size_t from = end - i > AR_SNAP_HISTORY_MAX ? end - AR_SNAP_HISTORY_MAX : i;
        memmove(&L->hist[kept], &L->hist[from], (end - from) * sizeof *L->hist);
        kept += end - from;
        i = end - 1;
    }
    L->hist_n = kept;
    RANGES(s, L->hist, L->hist_n, hist_customer, hist_first, hist_count);
    s->history = ar_malloc_array(L->a, kept ? kept : 1, sizeof *s->history);
    if (!s->history)
        return fail(L, ARCHASE_ENOMEM, "history");
    for (size_t i = 0; i < kept; i++)
        s->history[i] = (ar_settled){ L->hist[i].due, L->hist[i].settled };
    s->history_count = kept;

    if (order_invoices(L))
        return L->rc;

    /* Promises were sorted before payments came; their payments now. */
    sort(L->ppay, L->ppay_n, sizeof *L->ppay, cmp_prom_pay);
    s->promise_payments = ar_malloc_array(L->a, L->ppay_n ? L->ppay_n : 1, sizeof *s->promise_payments);
    if (!s->promise_payments)
        return fail(L, ARCHASE_ENOMEM, "promise payments");
    for (size_t i = 0; i < L->ppay_n;) {
        size_t j = i;
        while (j < L->ppay_n && L->ppay[j].promise == L->ppay[i].promise) {
            s->promise_payments[j] = L->ppay[j].pay;
            j++;
        }
        s->promises[L->ppay[i].promise].pay_first = (uint32_t)i;
        s->promises[L->ppay[i].promise].pay_count = (uint32_t)(j - i);
        i = j;
    }
    RANGES(s, s->promises, s->promise_count, promise_customer, prom_first, prom_count);
    sort(s->disputes, s->dispute_count, sizeof *s->disputes, cmp_dispute);
    RANGES(s, s->disputes, s->dispute_count, dispute_customer, disp_first, disp_count);
    RANGES(s, s->notes, s->note_count, note_customer, note_first, note_count);
    sort(s->touches, s->touch_count, sizeof *s->touches, cmp_touch);
    RANGES(s, s->touches, s->touch_count, touch_customer, touch_first, touch_count);

    closed_key *closed = ar_malloc_array(L->a, s->closed_count ? s->closed_count : 1, sizeof *closed);
    if (!closed)
        return fail(L, ARCHASE_ENOMEM, "closed cadence");
    for (size_t i = 0; i < s->closed_count; i++) {
        const ar_snap_cadence *cd = &s->cadence[s->closed[i]];
        closed[i] = (closed_key){ ar_strtab_find(&s->ids, ar_snap_str(s, cd->customer_id)), s->closed[i],
                                  ar_snap_str(s, cd->invoice_id) };
    }
    sort(closed, s->closed_count, sizeof *closed, cmp_closed);
    for (size_t i = 0; i < s->closed_count; i++)
        s->closed[i] = closed[i].cadence;
    RANGES(s, closed, s->closed_count, closed_customer, closed_first, closed_count);
    ar_free(L->a, closed);
    return 0;
}

/* Promises in their final order, then the pairs payments are matched by. */
static int index_promises(loader *L) {
    archase_snapshot *s = L->s;
    sort(s->promises, s->promise_count, sizeof *s->promises, cmp_promise);
    for (size_t p = 0; p < s->promise_count; p++) {
        const ar_snap_promise *sp = &s->promises[p];
        for (uint32_t k = 0; k < sp->inv_count; k++) {
            if (GROW(L, L->cov, L->cov_n, L->cov_cap, "promised invoices"))
                return L->rc;
            L->cov[L->cov_n++] = (cov_pair){ L->pcov[sp->inv_first + k], (uint32_t)p };
        }
    }
    sort(L->cov, L->cov_n, sizeof *L->cov, cmp_cov);
    return 0;
}

/* ---- the load -------------------------------------------------------------------- */

/* Gives back what the arrays grew beyond their final size (they doubled as
 * records came). A shrink that fails keeps the larger block. */
static void shrink_array(loader *L, void **items, size_t *cap, size_t count, size_t size) {
    if (!*items || count >= *cap)
        return;
    void *p = ar_realloc(L->a, *items, *cap * size, (count ? count : 1) * size);
    if (p) {
        *items = p;
        *cap = count ? count : 1;
    }
}

/* A string table's text and per-string arrays doubled the same way (its
 * index stays a power of two). */
static void shrink_strtab(loader *L, ar_strtab *t) {
    shrink_array(L, (void **)&t->text, &t->text_cap, t->text_len, 1);
    shrink_array(L, (void **)&t->offsets, &t->offsets_cap, t->count, sizeof *t->offsets);
    shrink_array(L, (void **)&t->hashes, &t->hashes_cap, t->count, sizeof *t->hashes);
}

static void shrink(loader *L) {
    archase_snapshot *s = L->s;
    shrink_strtab(L, &s->ids);
    shrink_strtab(L, &s->invoice_ids);
    shrink_strtab(L, &s->text);
    shrink_array(L, (void **)&s->customers, &L->customer_cap, s->ids.count, sizeof *s->customers);
    shrink_array(L, (void **)&s->invoices, &L->invoice_cap, s->invoice_count, sizeof *s->invoices);
    shrink_array(L, (void **)&s->promises, &L->promise_cap, s->promise_count, sizeof *s->promises);
    shrink_array(L, (void **)&s->disputes, &L->dispute_cap, s->dispute_count, sizeof *s->disputes);
    shrink_array(L, (void **)&s->cadence, &L->cadence_cap, s->cadence_count, sizeof *s->cadence);
    shrink_array(L, (void **)&s->touches, &L->touch_cap, s->touch_count, sizeof *s->touches);
    shrink_array(L, (void **)&s->notes, &L->note_cap, s->note_count, sizeof *s->notes);
}

static int scan(loader *L, int family, int32_t status, archase_date from, unsigned flags,
                archase_record_fn fn) {
    if (L->rc)
        return L->rc;
    archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
    f.family = family;
    f.status = status;
    f.date_from = from;
    f.flags = flags;
    int rc = L->pv ? ar_preview_scan(L->pv, &f, fn, L, &L->pv_customer) : ar_store_scan(L->e, &f, fn, L);
    if (rc && !L->rc)
        L->rc = rc;
    return L->rc;
}

static int load(loader *L) {
    archase_snapshot *s = L->s;
    archase_date history_from = L->as_of - AR_SNAP_HISTORY_DAYS;
    if (scan(L, ARCHASE_FAMILY_CUSTOMER, 0, ARCHASE_DATE_NONE, 0, on_customer))
        return L->rc;
    L->primary = ar_calloc(L->a, s->ids.count ? s->ids.count : 1, AR_SNAP_CHANNELS);
    if (!L->primary)
        return fail(L, ARCHASE_ENOMEM, "contacts");
    if (scan(L, ARCHASE_FAMILY_FLAGS, 0, ARCHASE_DATE_NONE, 0, on_flags) ||
        scan(L, ARCHASE_FAMILY_CONTACT, 0, ARCHASE_DATE_NONE, 0, on_contact) ||
        scan(L, ARCHASE_FAMILY_INVOICE, ARCHASE_INVOICE_STATUS_OPEN, ARCHASE_DATE_NONE, 0, on_open_invoice) ||
        scan(L, ARCHASE_FAMILY_INVOICE, ARCHASE_INVOICE_STATUS_SETTLED, ARCHASE_DATE_NONE,
             ARCHASE_SCAN_NO_DATA, on_settled_invoice))
        return L->rc;
    for (size_t i = 0; !L->pv && i < L->reopen.count && !L->rc; i++) {
        int rc = ar_store_get(L->e, ARCHASE_FAMILY_INVOICE, ar_strtab_str(&L->reopen, (uint32_t)i),
                              on_reopened, L);
        if (rc && !L->rc)
            L->rc = rc;
    }
    L->seq = 0;
    /* Disputes in one scan, so `seq` is their id order; only the ones kept
     * are decoded. */
    if (scan(L, ARCHASE_FAMILY_PROMISE, 0, history_from, 0, on_promise) || index_promises(L) ||
        scan(L, ARCHASE_FAMILY_DISPUTE, 0, ARCHASE_DATE_NONE, 0, on_dispute))
        return L->rc;
    L->seq = 0;
    if (scan(L, ARCHASE_FAMILY_PAYMENT, 0, history_from, ARCHASE_SCAN_NO_DATA, on_payment))
        return L->rc;
    count_partial_payments(L);
    if (scan(L, ARCHASE_FAMILY_NOTE, 0, ARCHASE_DATE_NONE, ARCHASE_SCAN_NO_DATA, on_note) ||
        load_notes(L) ||
        scan(L, ARCHASE_FAMILY_CADENCE, ARCHASE_CADENCE_ACTIVE, ARCHASE_DATE_NONE, 0, on_cadence) ||
        scan(L, ARCHASE_FAMILY_CADENCE, ARCHASE_CADENCE_WAITING, ARCHASE_DATE_NONE, 0, on_cadence) ||
        scan(L, ARCHASE_FAMILY_CADENCE, ARCHASE_CADENCE_FINISHED, ARCHASE_DATE_NONE, 0, on_cadence) ||
        scan(L, ARCHASE_FAMILY_CADENCE, AR_CADENCE_STATUS_TOUCHES, ARCHASE_DATE_NONE, 0, on_touches) ||
        load_zones(L) || build_lists(L))
        return L->rc;
    shrink(L);
    return 0;
}

static size_t strtab_bytes(const ar_strtab *t) {
    return t->text_cap + t->offsets_cap * sizeof *t->offsets + t->index_cap * sizeof *t->index;
}

int archase_snapshot_load(archase_engine *e, archase_date as_of, const archase_snapshot_options *opts,
                          archase_snapshot **out) {
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (!out || as_of < ARCHASE_DATE_MIN || as_of > ARCHASE_DATE_MAX)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "archase_snapshot_load needs an engine, a valid date and an out pointer");
    if (opts && opts->version != ARCHASE_SNAPSHOT_OPTIONS_VERSION)
        return ar_error_set(&e->err, ARCHASE_EVERSION, "snapshot options version %u is not supported", opts->version);
    if (e->batch)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "a batch is open on the engine");
    return ar_snapshot_build(e, as_of, opts, NULL, out);
}

int ar_snapshot_build(archase_engine *e, archase_date as_of, const archase_snapshot_options *opts,
                      const ar_preview *pv, archase_snapshot **out) {
    const archase_allocator *a = AR_ENGINE_ALLOC(e);
    loader L;
    memset(&L, 0, sizeof L);
    L.e = e;
    L.pv = pv;
    L.a = a;
    L.as_of = as_of;
    L.tzdir = opts ? opts->tzdir : NULL;
    L.policy_zone = opts && opts->policy ? opts->policy->guardrails.timezone : NULL;
    ar_fact_init(&L.fact, a);
    ar_strtab_init(&L.zone_names, a);
    ar_strtab_init(&L.reopen, a);
    ar_strtab_init(&L.covered, a);
    ar_strtab_init(&L.window_ids, a);
    ar_strtab_init(&L.note_ids, a);
    archase_snapshot *s = ar_calloc(a, 1, sizeof *s);
    if (!s) {
        L.rc = ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory loading the snapshot");
        goto done;
    }
    s->allocator = *a;
    s->as_of = as_of;
    ar_strtab_init(&s->ids, &s->allocator);
    ar_strtab_init(&s->invoice_ids, &s->allocator);
    ar_strtab_init(&s->text, &s->allocator);
    L.s = s;
    if (load(&L))
        goto done;
    s->bytes = sizeof *s + strtab_bytes(&s->ids) + strtab_bytes(&s->invoice_ids) + strtab_bytes(&s->text) +
               L.customer_cap * sizeof *s->customers + L.invoice_cap * sizeof *s->invoices +
               s->invoice_count * (sizeof *s->invoice_num + sizeof *s->invoice_index) +
               s->history_count * sizeof *s->history +
               L.promise_cap * sizeof *s->promises + L.pinv_cap * sizeof *s->promise_invoices +
               L.inst_cap * sizeof *s->instalments + L.ppay_n * sizeof *s->promise_payments +
               L.dispute_cap * sizeof *s->disputes + L.dinv_cap * sizeof *s->dispute_invoices +
               L.note_cap * sizeof *s->notes + L.cadence_cap * sizeof *s->cadence +
               L.closed_cap * sizeof *s->closed + L.names_cap * sizeof *s->names +
               L.touch_cap * sizeof *s->touches + L.touchlog_cap * sizeof *s->touchlogs +
               s->zone_count * sizeof *s->zones;
    *out = s;
    s = NULL;
done:
    archase_snapshot_free(s);
    ar_fact_free(&L.fact);
    ar_free(a, L.primary);
    ar_strtab_free(&L.zone_names);
    ar_strtab_free(&L.reopen);
    ar_strtab_free(&L.covered);
    ar_strtab_free(&L.window_ids);
    ar_strtab_free(&L.note_ids);
    ar_free(a, L.hist);
    ar_free(a, L.pcov);
    ar_free(a, L.cov);
    ar_free(a, L.ppay);
    ar_free(a, L.win);
    return L.rc;
}
