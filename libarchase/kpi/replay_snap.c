/* libarchase/kpi/replay_snap.c — the replay's snapshot kept across days
 * (replay_snap.h).
 *
 * Every rule below is the loader's (engine/snapshot_load.c), applied to the
 * records held here instead of to a scan: which invoices are open on the day
 * and for how much, which settled ones make the payment history, which
 * promises, disputes and notes count, which payments go toward promises or
 * into the 90-day partial-payment count, which cadence states belong to open
 * invoices and which to closed ones, which touches are recent. Where the
 * loader breaks a tie by the order its scan met records (id order), this
 * compares the ids. tests/test_replay_snap.c holds the two side by side, day
 * by day. */
#include "kpi/replay_snap.h"

#include <stdlib.h>
#include <string.h>

#include "archase/errors.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "engine/cadence_store.h"
#include "engine/codec.h"
#include "engine/decisions.h"
#include "engine/dispute_internal.h"
#include "engine/engine.h"
#include "engine/snapshot.h"
#include "policy/policy_internal.h"

/* An invoice record. */
typedef struct rs_inv {
    uint8_t      present;
    uint8_t      bad;           /* its data cannot be decoded */
    uint8_t      in_hist;       /* counted in hist[] with the three fields below */
    int32_t      status;
    uint32_t     customer;      /* snapshot customer index, AR_IDX_NONE = unknown */
    archase_date rdate, rdate2, rdate3; /* the envelope's: due, issued, settled */
    int64_t      amount2;       /* open amount in the store */
    uint32_t     number, po_ref, source_link; /* text */
    archase_date issue_date, due_date;
    int64_t      amount;
    char         currency[4];
    uint32_t     hist_customer;
    archase_date hist_due, hist_settled;
} rs_inv;

typedef struct rs_pay {
    uint8_t      present;
    uint8_t      ordered;       /* in pay_order */
    int32_t      status;
    uint32_t     invoice;       /* in inv_ids; AR_IDX_NONE = unapplied */
    uint32_t     customer;
    archase_date date;
    int64_t      applied;
} rs_pay;

typedef struct rs_prom {
    uint8_t      present, bad;
    int32_t      status;
    archase_date rdate, rdate2;
    uint32_t     customer;
    uint32_t     id, taken_by;  /* text */
    int64_t      amount;
    char         currency[4];
    archase_date promised_date, recorded_on;
    int32_t      grace_days, channel;
    uint32_t     inv_first, inv_count;   /* into prom_inv: numbers in inv_ids */
    uint32_t     inst_first, inst_count; /* into inst */
} rs_prom;

typedef struct rs_disp {
    uint8_t      present, bad;
    int32_t      status;
    archase_date rdate, rdate2;
    uint32_t     customer;
    uint32_t     id, reason_code, owner; /* text */
    int32_t      reason;
    int64_t      amount;
    char         currency[4];
    archase_date opened_on;
    uint32_t     inv_first, inv_count;   /* into disp_inv: numbers in inv_ids */
} rs_disp;

typedef struct rs_note {
    uint8_t         present, bad;
    uint32_t        customer;
    archase_instant at;
    uint32_t        invoice;             /* in inv_ids, AR_IDX_NONE = none */
    uint32_t        id, author, text;    /* text */
} rs_note;

enum { CAD_NONE = 0, CAD_STATE = 1, CAD_TOUCHES = 2 };

/* A cadence record: an invoice's state or a customer's touches. */
typedef struct rs_cad {
    uint8_t         kind;               /* CAD_* */
    uint8_t         bad;
    uint8_t         ordered;            /* in cad_order */
    uint8_t         queued;             /* in cad_new */
    uint32_t        customer;
    uint32_t        invoice;            /* in inv_ids */
    ar_snap_cadence c;                  /* escalated_first into cad_names */
    uint32_t        touches;            /* into tch[] */
} rs_cad;

typedef struct rs_touches {
    archase_date last_touch;
    uint32_t     count;
    ar_touch     items[AR_CADENCE_TOUCHES_MAX];
} rs_touches;

typedef struct rs_hist {
    uint32_t     customer;
    archase_date due, settled;
} rs_hist;

/* The families whose records the snapshot reads and this follows. */
static const int followed[] = { ARCHASE_FAMILY_INVOICE, ARCHASE_FAMILY_PAYMENT, ARCHASE_FAMILY_PROMISE,
                                ARCHASE_FAMILY_DISPUTE, ARCHASE_FAMILY_NOTE, ARCHASE_FAMILY_CADENCE };
#define FOLLOWED (sizeof followed / sizeof followed[0])

struct ar_rsnap {
    archase_allocator  alloc;
    archase_snapshot  *s;             /* the current day's; its ids, text and zones stay */
    int                fresh;         /* the next load is a fresh one */
    int                was_fresh;
    ar_snap_customer  *base;          /* customers as loaded, the per-day fields cleared */
    size_t             base_n;
    ar_strtab          changed[FOLLOWED];
    ar_fact            fact;
    char               idbuf[AR_ID_MAX + 16];

    ar_strtab  inv_ids;  rs_inv  *invs;  size_t inv_cap;
    rs_hist   *hist;     size_t hist_n, hist_cap;
    ar_strtab  pay_ids;  rs_pay  *pays;  size_t pay_cap;
    uint32_t  *pay_order; size_t pay_order_n, pay_order_cap; /* by date */
    uint32_t  *pay_new;   size_t pay_new_n, pay_new_cap;
    int        pay_resort;
    ar_strtab  prom_ids; rs_prom *proms; size_t prom_cap;
    uint32_t  *prom_inv; size_t prom_inv_n, prom_inv_cap;
    archase_instalment *inst; size_t inst_n, inst_cap;
    ar_strtab  disp_ids; rs_disp *disps; size_t disp_cap;
    uint32_t  *disp_inv; size_t disp_inv_n, disp_inv_cap;
    ar_strtab  note_ids; rs_note *notes; size_t note_cap;
    ar_strtab  cad_ids;  rs_cad  *cads;  size_t cad_cap;
    uint32_t  *cad_names; size_t cad_names_n, cad_names_cap;
    uint32_t  *cad_order; size_t cad_order_n, cad_order_cap; /* states by customer, invoice id */
    uint32_t  *cad_new;   size_t cad_new_n, cad_new_cap;
    int        cad_resort;
    rs_touches *tch;      size_t tch_n, tch_cap;
};

/* ---- lifetime ------------------------------------------------------------------------- */

static void strtabs_init(ar_rsnap *r) {
    const archase_allocator *a = &r->alloc;
    for (size_t i = 0; i < FOLLOWED; i++)
        ar_strtab_init(&r->changed[i], a);
    ar_strtab_init(&r->inv_ids, a);
    ar_strtab_init(&r->pay_ids, a);
    ar_strtab_init(&r->prom_ids, a);
    ar_strtab_init(&r->disp_ids, a);
    ar_strtab_init(&r->note_ids, a);
    ar_strtab_init(&r->cad_ids, a);
}

/* Everything but the allocator and the change lists. */
static void clear_held(ar_rsnap *r) {
    const archase_allocator *a = &r->alloc;
    archase_snapshot_free(r->s);
    r->s = NULL;
    ar_free(a, r->base);
    ar_strtab_free(&r->inv_ids);
    ar_strtab_free(&r->pay_ids);
    ar_strtab_free(&r->prom_ids);
    ar_strtab_free(&r->disp_ids);
    ar_strtab_free(&r->note_ids);
    ar_strtab_free(&r->cad_ids);
    ar_free(a, r->invs);
    ar_free(a, r->hist);
    ar_free(a, r->pays);
    ar_free(a, r->pay_order);
    ar_free(a, r->pay_new);
    ar_free(a, r->proms);
    ar_free(a, r->prom_inv);
    ar_free(a, r->inst);
    ar_free(a, r->disps);
    ar_free(a, r->disp_inv);
    ar_free(a, r->notes);
    ar_free(a, r->cads);
    ar_free(a, r->cad_names);
    ar_free(a, r->cad_order);
    ar_free(a, r->cad_new);
    ar_free(a, r->tch);
    ar_strtab changed[FOLLOWED];
    memcpy(changed, r->changed, sizeof changed);
    ar_fact fact = r->fact;
    archase_allocator alloc = r->alloc;
    memset(r, 0, sizeof *r);
    r->alloc = alloc;
    memcpy(r->changed, changed, sizeof changed);
    r->fact = fact;
    ar_strtab_init(&r->inv_ids, &r->alloc);
    ar_strtab_init(&r->pay_ids, &r->alloc);
    ar_strtab_init(&r->prom_ids, &r->alloc);
    ar_strtab_init(&r->disp_ids, &r->alloc);
    ar_strtab_init(&r->note_ids, &r->alloc);
    ar_strtab_init(&r->cad_ids, &r->alloc);
    r->fresh = 1;
}

int ar_rsnap_new(const archase_allocator *a, ar_rsnap **out) {
    ar_rsnap *r = ar_calloc(a, 1, sizeof *r);
    if (!r)
        return ARCHASE_ENOMEM;
    r->alloc = *ar_allocator(a);
    strtabs_init(r);
    ar_fact_init(&r->fact, &r->alloc);
    r->fresh = 1;
    *out = r;
    return 0;
}

void ar_rsnap_free(ar_rsnap *r) {
    if (!r)
        return;
    clear_held(r);
    for (size_t i = 0; i < FOLLOWED; i++)
        ar_strtab_free(&r->changed[i]);
    ar_fact_free(&r->fact);
    archase_allocator a = r->alloc;
    ar_free(&a, r);
}

int ar_rsnap_was_fresh(const ar_rsnap *r) {
    return r->was_fresh;
}

int ar_rsnap_changed(ar_rsnap *r, int family, const char *id) {
    if (family == ARCHASE_FAMILY_CUSTOMER || family == ARCHASE_FAMILY_CONTACT || family == ARCHASE_FAMILY_FLAGS) {
        r->fresh = 1; /* the customers are taken from a load */
        return 0;
    }
    for (size_t i = 0; i < FOLLOWED; i++) {
        if (followed[i] != family)
            continue;
        uint32_t n;
        if (ar_strtab_intern(&r->changed[i], id, &n)) {
            r->fresh = 1;
            return ARCHASE_ENOMEM;
        }
    }
    return 0;
}

int ar_rsnap_revealed(ar_rsnap *r, const ar_reveal *rv, size_t first) {
    int rc = 0;
    for (size_t i = first; i < rv->next && !rc; i++)
        rc = ar_rsnap_changed(r, rv->items[i].family, ar_strtab_str(&rv->ids, rv->items[i].id));
    return rc;
}

static int cadence_changed(ar_rsnap *r, ar_buf *id, const char *prefix, const char *key) {
    ar_buf_reset(id);
    ar_buf_puts(id, prefix);
    ar_buf_puts(id, key);
    ar_buf_terminate(id);
    if (id->err) {
        r->fresh = 1;
        return ARCHASE_ENOMEM;
    }
    return ar_rsnap_changed(r, ARCHASE_FAMILY_CADENCE, (const char *)id->data);
}

int ar_rsnap_kept(ar_rsnap *r, const archase_decisions *ds) {
    ar_buf id;
    ar_buf_init(&id, &r->alloc);
    int rc = 0;
    for (size_t i = 0; i < ds->update_n && !rc; i++) {
        ar_cadence_rec c;
        ar_update_record(ds, i, &c);
        rc = cadence_changed(r, &id, AR_CADENCE_INVOICE_PREFIX, c.invoice_id);
    }
    for (size_t i = 0; i < ds->n && !rc; i++)
        if (!i || ds->d[i].customer != ds->d[i - 1].customer)
            rc = cadence_changed(r, &id, AR_CADENCE_CUSTOMER_PREFIX, ar_snap_customer_id(ds->snap, ds->d[i].customer));
    ar_buf_free(&id);
    return rc;
}

/* ---- reading records ------------------------------------------------------------------ */

typedef struct reader {
    ar_rsnap       *r;
    archase_engine *e;
    int             rc;
} reader;

static int oom(reader *x) {
    if (!x->rc)
        x->rc = ar_error_set(&x->e->err, ARCHASE_ENOMEM, "out of memory keeping the replay's snapshot");
    return x->rc;
}

static uint32_t text(reader *x, const char *str) {
    uint32_t n = AR_STR_NONE;
    if (str && *str && ar_strtab_intern(&x->r->s->text, str, &n) != 0) {
        oom(x);
        return AR_STR_NONE;
    }
    return n;
}

static const char *slice_str(reader *x, ar_slice sl) {
    size_t n = sl.len < sizeof x->r->idbuf - 1 ? sl.len : sizeof x->r->idbuf - 1;
    if (sl.p)
        memcpy(x->r->idbuf, sl.p, n);
    x->r->idbuf[sl.p ? n : 0] = '\0';
    return x->r->idbuf;
}

static uint32_t customer_of(const ar_rsnap *r, const char *id) {
    return id ? ar_strtab_find(&r->s->ids, id) : AR_IDX_NONE;
}

/* 0 decoded, 1 cannot be decoded, or the failure. */
static int decode(reader *x, const archase_record *rec) {
    int rc = ar_fact_decode(&x->r->fact, rec->family, rec->data, rec->size);
    if (rc == ARCHASE_ENOMEM)
        return oom(x);
    return rc ? 1 : 0;
}

/* The number of an invoice id, with room for its entry. */
static int invoice_number(reader *x, const char *id, uint32_t *out) {
    ar_rsnap *r = x->r;
    size_t before = r->inv_ids.count;
    if (ar_strtab_intern(&r->inv_ids, id, out) ||
        ar_grow(&r->alloc, (void **)&r->invs, &r->inv_cap, r->inv_ids.count, sizeof *r->invs))
        return oom(x);
    for (size_t i = before; i < r->inv_ids.count; i++) {
        memset(&r->invs[i], 0, sizeof r->invs[i]);
        r->invs[i].customer = AR_IDX_NONE;
    }
    return 0;
}

/* Interns `id` in `ids` and makes room in `items` for it; *fresh_entry says
 * whether it is new. */
static int entry(reader *x, ar_strtab *ids, void **items, size_t *cap, size_t size, const char *id, uint32_t *out,
                 int *new_entry) {
    size_t before = ids->count;
    if (ar_strtab_intern(ids, id, out) || ar_grow(&x->r->alloc, items, cap, ids->count, size))
        return oom(x);
    *new_entry = ids->count != before;
    if (*new_entry)
        memset((char *)*items + (size_t)*out * size, 0, size);
    return 0;
}

static int read_invoice(void *ctx, const archase_record *rec) {
    reader *x = ctx;
    ar_rsnap *r = x->r;
    uint32_t n;
    if (invoice_number(x, rec->id, &n))
        return x->rc;
    rs_inv *v = &r->invs[n];
    v->present = 1;
    v->status = rec->status;
    v->customer = customer_of(r, rec->customer_id);
    v->rdate = rec->date;
    v->rdate2 = rec->date2;
    v->rdate3 = rec->date3;
    v->amount2 = rec->amount2;
    int d = decode(x, rec);
    if (d < 0)
        return d;
    v->bad = (uint8_t)d;
    if (!d) {
        const archase_invoice *inv = &r->fact.u.invoice;
        v->number = text(x, inv->number);
        v->po_ref = text(x, inv->po_ref);
        v->source_link = text(x, inv->source_link);
        v->issue_date = inv->issue_date;
        v->due_date = inv->due_date;
        v->amount = inv->amount.minor;
        memcpy(v->currency, inv->amount.currency, 4);
    }
    return x->rc;
}

static int read_payment(void *ctx, const archase_record *rec) {
    reader *x = ctx;
    ar_rsnap *r = x->r;
    uint32_t n, inv = AR_IDX_NONE;
    int is_new;
    if (entry(x, &r->pay_ids, (void **)&r->pays, &r->pay_cap, sizeof *r->pays, rec->id, &n, &is_new) ||
        (rec->invoice_id && invoice_number(x, rec->invoice_id, &inv)))
        return x->rc;
    rs_pay *p = &r->pays[n];
    if (p->ordered && p->date != rec->date)
        r->pay_resort = 1;
    if (!p->ordered && !p->present) {
        if (ar_grow(&r->alloc, (void **)&r->pay_new, &r->pay_new_cap, r->pay_new_n + 1, sizeof *r->pay_new))
            return oom(x);
        r->pay_new[r->pay_new_n++] = n;
    }
    p->present = 1;
    p->status = rec->status;
    p->invoice = inv;
    p->customer = customer_of(r, rec->customer_id);
    p->date = rec->date;
    p->applied = rec->amount2;
    return 0;
}

/* Appends the numbers of `ids` (invoice ids, interned) to a promise's or a
 * dispute's invoice list; *first and *count say where they stand in it. */
static int invoice_list(reader *x, const char *const *ids, size_t n_ids, uint32_t **list, size_t *n, size_t *cap,
                        uint32_t *first, uint32_t *count) {
    *first = (uint32_t)*n;
    *count = 0;
    for (size_t i = 0; i < n_ids && !x->rc; i++) {
        uint32_t k;
        if (invoice_number(x, ids[i], &k) || ar_grow(&x->r->alloc, (void **)list, cap, *n + 1, sizeof **list))
            return oom(x);
        (*list)[(*n)++] = k;
        (*count)++;
    }
    return x->rc;
}

static int read_promise(void *ctx, const archase_record *rec) {
    reader *x = ctx;
    ar_rsnap *r = x->r;
    uint32_t n;
    int is_new;
    if (entry(x, &r->prom_ids, (void **)&r->proms, &r->prom_cap, sizeof *r->proms, rec->id, &n, &is_new))
        return x->rc;
    rs_prom *p = &r->proms[n];
    p->present = 1;
    p->status = rec->status;
    p->rdate = rec->date;
    p->rdate2 = rec->date2;
    p->customer = customer_of(r, rec->customer_id);
    int d = decode(x, rec);
    if (d < 0)
        return d;
    p->bad = (uint8_t)d;
    if (d)
        return 0;
    const archase_promise *pr = &r->fact.u.promise;
    p->id = text(x, pr->id);
    p->taken_by = text(x, pr->taken_by);
    p->amount = pr->amount.minor;
    memcpy(p->currency, pr->amount.currency, 4);
    p->promised_date = pr->promised_date;
    p->recorded_on = pr->recorded_on;
    p->grace_days = pr->grace_days;
    p->channel = pr->channel;
    if (invoice_list(x, pr->invoice_ids, pr->invoice_count, &r->prom_inv, &r->prom_inv_n, &r->prom_inv_cap,
                     &p->inv_first, &p->inv_count))
        return x->rc;
    p->inst_first = (uint32_t)r->inst_n;
    p->inst_count = 0;
    for (size_t i = 0; i < pr->instalment_count; i++) {
        if (ar_grow(&r->alloc, (void **)&r->inst, &r->inst_cap, r->inst_n + 1, sizeof *r->inst))
            return oom(x);
        r->inst[r->inst_n++] = pr->instalments[i];
        p->inst_count++;
    }
    return x->rc;
}

static int read_dispute(void *ctx, const archase_record *rec) {
    reader *x = ctx;
    ar_rsnap *r = x->r;
    uint32_t n;
    int is_new;
    if (entry(x, &r->disp_ids, (void **)&r->disps, &r->disp_cap, sizeof *r->disps, rec->id, &n, &is_new))
        return x->rc;
    rs_disp *p = &r->disps[n];
    p->present = 1;
    p->status = rec->status;
    p->rdate = rec->date;
    p->rdate2 = rec->date2;
    p->customer = customer_of(r, rec->customer_id);
    int d = decode(x, rec);
    if (d < 0)
        return d;
    p->bad = (uint8_t)d;
    if (d)
        return 0;
    const archase_dispute *dp = &r->fact.u.dispute;
    p->id = text(x, dp->id);
    p->reason = ar_dispute_reason_or_other(dp->reason_code);
    p->reason_code = text(x, dp->reason_code);
    p->amount = dp->amount.minor;
    memcpy(p->currency, dp->amount.currency, 4);
    p->opened_on = dp->opened_on;
    p->owner = text(x, dp->owner);
    return invoice_list(x, dp->invoice_ids, dp->invoice_count, &r->disp_inv, &r->disp_inv_n, &r->disp_inv_cap,
                        &p->inv_first, &p->inv_count);
}

static int read_note(void *ctx, const archase_record *rec) {
    reader *x = ctx;
    ar_rsnap *r = x->r;
    uint32_t n, inv = AR_IDX_NONE;
    int is_new;
    if (entry(x, &r->note_ids, (void **)&r->notes, &r->note_cap, sizeof *r->notes, rec->id, &n, &is_new) ||
        (rec->invoice_id && invoice_number(x, rec->invoice_id, &inv)))
        return x->rc;
    rs_note *p = &r->notes[n];
    p->present = 1;
    p->customer = customer_of(r, rec->customer_id);
    p->at = rec->instant;
    p->invoice = inv;
    int d = decode(x, rec);
    if (d < 0)
        return d;
    p->bad = (uint8_t)d;
    if (!d) {
        p->id = text(x, r->fact.u.note.id);
        p->author = text(x, r->fact.u.note.author);
        p->text = text(x, r->fact.u.note.text);
    }
    return x->rc;
}

static int read_cadence(void *ctx, const archase_record *rec) {
    reader *x = ctx;
    ar_rsnap *r = x->r;
    uint32_t n;
    int is_new;
    if (entry(x, &r->cad_ids, (void **)&r->cads, &r->cad_cap, sizeof *r->cads, rec->id, &n, &is_new))
        return x->rc;
    rs_cad *c = &r->cads[n];
    if (rec->status == AR_CADENCE_STATUS_TOUCHES) {
        ar_touches_rec t;
        if (c->kind != CAD_TOUCHES) {
            if (ar_grow(&r->alloc, (void **)&r->tch, &r->tch_cap, r->tch_n + 1, sizeof *r->tch))
                return oom(x);
            c->touches = (uint32_t)r->tch_n++;
        }
        c->kind = CAD_TOUCHES;
        c->bad = ar_touches_decode(rec->data, rec->size, &t) != 0;
        if (c->bad)
            return 0;
        c->customer = customer_of(r, slice_str(x, t.customer));
        rs_touches *h = &r->tch[c->touches];
        h->last_touch = t.last_touch;
        h->count = t.count;
        memcpy(h->items, t.items, t.count * sizeof *t.items);
        return 0;
    }
    if (rec->status != ARCHASE_CADENCE_ACTIVE && rec->status != ARCHASE_CADENCE_WAITING &&
        rec->status != ARCHASE_CADENCE_FINISHED) {
        c->kind = CAD_NONE;
        return 0;
    }
    ar_cadence_view v;
    c->bad = ar_cadence_decode(rec->data, rec->size, &v) != 0;
    if (c->bad) {
        c->kind = CAD_STATE;
        return 0;
    }
    uint32_t customer = customer_of(r, slice_str(x, v.customer_id)), inv;
    if (invoice_number(x, slice_str(x, v.invoice_id), &inv))
        return x->rc;
    if (c->ordered && (c->customer != customer || c->invoice != inv))
        r->cad_resort = 1;
    if (!c->ordered && !c->queued) {
        if (ar_grow(&r->alloc, (void **)&r->cad_new, &r->cad_new_cap, r->cad_new_n + 1, sizeof *r->cad_new))
            return oom(x);
        r->cad_new[r->cad_new_n++] = n;
        c->queued = 1;
    }
    c->kind = CAD_STATE;
    c->customer = customer;
    c->invoice = inv;
    ar_snap_cadence *sc = &c->c;
    memset(sc, 0, sizeof *sc);
    sc->invoice_id = text(x, slice_str(x, v.invoice_id));
    sc->customer_id = text(x, slice_str(x, v.customer_id));
    sc->status = (uint8_t)v.status;
    sc->reason = (uint8_t)v.reason;
    sc->sequence = text(x, slice_str(x, v.sequence));
    sc->last_step = text(x, slice_str(x, v.last_step));
    sc->last_offset = v.last_offset;
    sc->last_date = v.last_date;
    sc->notice_offset = v.notice_offset;
    sc->next_step = text(x, slice_str(x, v.next_step));
    sc->next_date = v.next_date;
    sc->call_queued = v.call_queued;
    sc->promise_routed = text(x, slice_str(x, v.promise_routed));
    sc->escalated_first = (uint32_t)r->cad_names_n;
    for (uint32_t i = 0; i < v.escalated_count && !x->rc; i++) {
        if (ar_grow(&r->alloc, (void **)&r->cad_names, &r->cad_names_cap, r->cad_names_n + 1, sizeof *r->cad_names))
            return oom(x);
        r->cad_names[r->cad_names_n++] = text(x, slice_str(x, v.escalated[i]));
    }
    sc->escalated_count = v.escalated_count;
    return x->rc;
}

static archase_record_fn reader_of(int family) {
    switch (family) {
    case ARCHASE_FAMILY_INVOICE: return read_invoice;
    case ARCHASE_FAMILY_PAYMENT: return read_payment;
    case ARCHASE_FAMILY_PROMISE: return read_promise;
    case ARCHASE_FAMILY_DISPUTE: return read_dispute;
    case ARCHASE_FAMILY_NOTE: return read_note;
    default: return read_cadence;
    }
}

/* The record is gone. */
static void forget(ar_rsnap *r, int family, const char *id) {
    uint32_t n;
    switch (family) {
    case ARCHASE_FAMILY_INVOICE:
        if ((n = ar_strtab_find(&r->inv_ids, id)) != AR_STRTAB_NONE)
            r->invs[n].present = 0;
        break;
    case ARCHASE_FAMILY_PAYMENT:
        if ((n = ar_strtab_find(&r->pay_ids, id)) != AR_STRTAB_NONE)
            r->pays[n].present = 0;
        break;
    case ARCHASE_FAMILY_PROMISE:
        if ((n = ar_strtab_find(&r->prom_ids, id)) != AR_STRTAB_NONE)
            r->proms[n].present = 0;
        break;
    case ARCHASE_FAMILY_DISPUTE:
        if ((n = ar_strtab_find(&r->disp_ids, id)) != AR_STRTAB_NONE)
            r->disps[n].present = 0;
        break;
    case ARCHASE_FAMILY_NOTE:
        if ((n = ar_strtab_find(&r->note_ids, id)) != AR_STRTAB_NONE)
            r->notes[n].present = 0;
        break;
    default:
        if ((n = ar_strtab_find(&r->cad_ids, id)) == AR_STRTAB_NONE)
            break;
        if (r->cads[n].kind == CAD_TOUCHES) {
            r->tch[r->cads[n].touches].count = 0;
            r->cads[n].customer = AR_IDX_NONE;
        } else {
            r->cads[n].kind = CAD_NONE;
        }
        break;
    }
}

/* Reads one record again. */
static int refresh(reader *x, int family, const char *id) {
    int rc = ar_store_get(x->e, family, id, reader_of(family), x);
    if (rc == ARCHASE_ENOTFOUND) {
        ar_error_clear(&x->e->err);
        forget(x->r, family, id);
        rc = 0;
    }
    if (rc && !x->rc)
        x->rc = rc;
    return x->rc;
}

/* Every record changed since the last load. A payment's invoices (the one
 * it had and the one it has) change with it. */
static int refresh_changed(reader *x) {
    ar_rsnap *r = x->r;
    for (size_t f = 0; f < FOLLOWED && !x->rc; f++) {
        ar_strtab *t = &r->changed[f];
        for (uint32_t i = 0; i < t->count && !x->rc; i++) {
            const char *id = ar_strtab_str(t, i);
            if (followed[f] == ARCHASE_FAMILY_PAYMENT) {
                uint32_t n = ar_strtab_find(&r->pay_ids, id);
                uint32_t before = n != AR_STRTAB_NONE ? r->pays[n].invoice : AR_IDX_NONE;
                if (refresh(x, followed[f], id))
                    break;
                n = ar_strtab_find(&r->pay_ids, id);
                uint32_t now = n != AR_STRTAB_NONE && r->pays[n].present ? r->pays[n].invoice : AR_IDX_NONE;
                char *copy = NULL;
                for (int k = 0; k < 2 && !x->rc; k++) {
                    uint32_t inv = k ? now : before;
                    if (inv == AR_IDX_NONE || (k && now == before))
                        continue;
                    copy = ar_strdup(&r->alloc, ar_strtab_str(&r->inv_ids, inv));
                    if (!copy)
                        oom(x);
                    else
                        refresh(x, ARCHASE_FAMILY_INVOICE, copy);
                    ar_free(&r->alloc, copy);
                }
            } else {
                refresh(x, followed[f], id);
            }
        }
    }
    return x->rc;
}

static void changes_clear(ar_rsnap *r) {
    for (size_t i = 0; i < FOLLOWED; i++) {
        ar_strtab_free(&r->changed[i]);
        ar_strtab_init(&r->changed[i], &r->alloc);
    }
}

/* ---- orders kept across days ---------------------------------------------------------- */

typedef struct key_pay {
    archase_date date;
    uint32_t     n;
} key_pay;

static int cmp_key_pay(const void *a, const void *b) {
    const key_pay *x = a, *y = b;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    return (x->n > y->n) - (x->n < y->n);
}

/* Merges the sorted `add` into the sorted `order` (both of keys made by
 * `key`), in place at the end of a grown `order`. */
static int merge_pay(ar_rsnap *r) {
    size_t n = r->pay_order_n, m = r->pay_new_n;
    if (r->pay_resort) {
        m = 0;
        n = 0;
        for (uint32_t i = 0; i < r->pay_ids.count; i++)
            r->pays[i].ordered = 0;
        r->pay_new_n = 0;
        for (uint32_t i = 0; i < r->pay_ids.count; i++) {
            if (!r->pays[i].present)
                continue;
            if (ar_grow(&r->alloc, (void **)&r->pay_new, &r->pay_new_cap, r->pay_new_n + 1, sizeof *r->pay_new))
                return ARCHASE_ENOMEM;
            r->pay_new[r->pay_new_n++] = i;
        }
        m = r->pay_new_n;
        r->pay_order_n = 0;
    }
    if (!m)
        return 0;
    key_pay *k = ar_malloc_array(&r->alloc, m, sizeof *k);
    if (!k || ar_grow(&r->alloc, (void **)&r->pay_order, &r->pay_order_cap, n + m, sizeof *r->pay_order)) {
        ar_free(&r->alloc, k);
        return ARCHASE_ENOMEM;
    }
    for (size_t i = 0; i < m; i++)
        k[i] = (key_pay){ r->pays[r->pay_new[i]].date, r->pay_new[i] };
    if (m > 1)
        qsort(k, m, sizeof *k, cmp_key_pay);
    /* merge from the back */
    size_t i = n, j = m, o = n + m;
    while (j > 0) {
        if (i > 0) {
            key_pay last = { r->pays[r->pay_order[i - 1]].date, r->pay_order[i - 1] };
            if (cmp_key_pay(&last, &k[j - 1]) > 0) {
                r->pay_order[--o] = r->pay_order[--i];
                continue;
            }
        }
        r->pay_order[--o] = k[--j].n;
    }
    for (size_t q = 0; q < m; q++)
        r->pays[k[q].n].ordered = 1;
    r->pay_order_n = n + m;
    r->pay_new_n = 0;
    r->pay_resort = 0;
    ar_free(&r->alloc, k);
    return 0;
}

/* Cadence states by customer, then invoice id (the loader's order of the
 * closed invoices' states). */
typedef struct key_cad {
    uint32_t    customer;
    uint32_t    n;
    const char *invoice;
} key_cad;

static key_cad cad_key(const ar_rsnap *r, uint32_t n) {
    return (key_cad){ r->cads[n].customer, n, ar_strtab_str(&r->inv_ids, r->cads[n].invoice) };
}

static int cmp_cad(const void *a, const void *b) {
    const key_cad *x = a, *y = b;
    if (x->customer != y->customer)
        return x->customer < y->customer ? -1 : 1;
    int c = strcmp(x->invoice, y->invoice);
    if (c)
        return c;
    return (x->n > y->n) - (x->n < y->n);
}

static int merge_cad(ar_rsnap *r) {
    size_t n = r->cad_order_n, m = r->cad_new_n;
    if (r->cad_resort) {
        r->cad_new_n = 0;
        for (uint32_t i = 0; i < r->cad_ids.count; i++) {
            r->cads[i].ordered = 0;
            r->cads[i].queued = 0;
            if (r->cads[i].kind != CAD_STATE || r->cads[i].bad)
                continue;
            r->cads[i].queued = 1;
            if (ar_grow(&r->alloc, (void **)&r->cad_new, &r->cad_new_cap, r->cad_new_n + 1, sizeof *r->cad_new))
                return ARCHASE_ENOMEM;
            r->cad_new[r->cad_new_n++] = i;
        }
        m = r->cad_new_n;
        n = 0;
        r->cad_order_n = 0;
    }
    if (!m)
        return 0;
    key_cad *k = ar_malloc_array(&r->alloc, m, sizeof *k);
    if (!k || ar_grow(&r->alloc, (void **)&r->cad_order, &r->cad_order_cap, n + m, sizeof *r->cad_order)) {
        ar_free(&r->alloc, k);
        return ARCHASE_ENOMEM;
    }
    for (size_t q = 0; q < m; q++)
        k[q] = cad_key(r, r->cad_new[q]);
    if (m > 1)
        qsort(k, m, sizeof *k, cmp_cad);
    size_t i = n, j = m, o = n + m;
    while (j > 0) {
        if (i > 0) {
            key_cad last = cad_key(r, r->cad_order[i - 1]);
            if (cmp_cad(&last, &k[j - 1]) > 0) {
                r->cad_order[--o] = r->cad_order[--i];
                continue;
            }
        }
        r->cad_order[--o] = k[--j].n;
    }
    for (size_t q = 0; q < m; q++) {
        r->cads[k[q].n].ordered = 1;
        r->cads[k[q].n].queued = 0;
    }
    r->cad_order_n = n + m;
    r->cad_new_n = 0;
    r->cad_resort = 0;
    ar_free(&r->alloc, k);
    return 0;
}

static int cmp_hist(const void *a, const void *b) {
    const rs_hist *x = a, *y = b;
    if (x->customer != y->customer)
        return x->customer < y->customer ? -1 : 1;
    if (x->settled != y->settled)
        return x->settled < y->settled ? -1 : 1;
    return (x->due > y->due) - (x->due < y->due);
}

/* The settled invoices of the payment history as of `as_of`, by customer
 * and settlement: the new ones merged in, all again when one left. */
static int update_hist(ar_rsnap *r, archase_date as_of) {
    size_t add = 0;
    int removed = 0;
    for (uint32_t i = 0; i < r->inv_ids.count; i++) {
        const rs_inv *v = &r->invs[i];
        int want = v->present && v->status == ARCHASE_INVOICE_STATUS_SETTLED && !(v->rdate2 > as_of) &&
                   v->rdate3 != ARCHASE_DATE_NONE && v->rdate3 <= as_of && v->customer != AR_IDX_NONE;
        if (v->in_hist && (!want || v->hist_customer != v->customer || v->hist_due != v->rdate ||
                           v->hist_settled != v->rdate3))
            removed = 1;
        else if (want && !v->in_hist)
            add++;
    }
    if (!removed && !add)
        return 0;
    size_t base = removed ? 0 : r->hist_n;
    size_t total = base + add;
    if (removed) {
        total = 0;
        for (uint32_t i = 0; i < r->inv_ids.count; i++) {
            const rs_inv *v = &r->invs[i];
            total += v->present && v->status == ARCHASE_INVOICE_STATUS_SETTLED && !(v->rdate2 > as_of) &&
                     v->rdate3 != ARCHASE_DATE_NONE && v->rdate3 <= as_of && v->customer != AR_IDX_NONE;
        }
    }
    rs_hist *k = ar_malloc_array(&r->alloc, total - base ? total - base : 1, sizeof *k);
    if (!k || ar_grow(&r->alloc, (void **)&r->hist, &r->hist_cap, total ? total : 1, sizeof *r->hist)) {
        ar_free(&r->alloc, k);
        return ARCHASE_ENOMEM;
    }
    size_t m = 0;
    for (uint32_t i = 0; i < r->inv_ids.count; i++) {
        rs_inv *v = &r->invs[i];
        int want = v->present && v->status == ARCHASE_INVOICE_STATUS_SETTLED && !(v->rdate2 > as_of) &&
                   v->rdate3 != ARCHASE_DATE_NONE && v->rdate3 <= as_of && v->customer != AR_IDX_NONE;
        if (removed)
            v->in_hist = 0;
        if (want && !v->in_hist) {
            k[m++] = (rs_hist){ v->customer, v->rdate, v->rdate3 };
            v->in_hist = 1;
            v->hist_customer = v->customer;
            v->hist_due = v->rdate;
            v->hist_settled = v->rdate3;
        }
    }
    if (m > 1)
        qsort(k, m, sizeof *k, cmp_hist);
    size_t i = base, j = m, o = base + m;
    while (j > 0) {
        if (i > 0 && cmp_hist(&r->hist[i - 1], &k[j - 1]) > 0)
            r->hist[--o] = r->hist[--i];
        else
            r->hist[--o] = k[--j];
    }
    r->hist_n = base + m;
    ar_free(&r->alloc, k);
    return 0;
}

/* ---- the day ----------------------------------------------------------------------------- */

/* What a day's snapshot has that the held snapshot will take over. */
typedef struct day {
    archase_snapshot   s;        /* only the per-day members are used */
    uint32_t          *pos;      /* inv_ids number -> place in the open list, AR_IDX_NONE */
    uint32_t          *open;     /* the open list: inv_ids numbers */
    size_t             open_n;
} day;

typedef struct ord_item {
    uint32_t     customer;
    archase_date due;
    uint32_t     open;   /* place in the open list */
    const char  *id;
} ord_item;

static int cmp_ord(const void *a, const void *b) {
    const ord_item *x = a, *y = b;
    if (x->customer != y->customer)
        return x->customer < y->customer ? -1 : 1;
    if (x->due != y->due)
        return x->due < y->due ? -1 : 1;
    return strcmp(x->id, y->id);
}

typedef struct prom_item {
    uint32_t     customer;
    archase_date promised;
    uint32_t     n;    /* in proms */
    const char  *id;
} prom_item;

static int cmp_prom(const void *a, const void *b) {
    const prom_item *x = a, *y = b;
    if (x->customer != y->customer)
        return x->customer < y->customer ? -1 : 1;
    if (x->promised != y->promised)
        return x->promised < y->promised ? -1 : 1;
    return strcmp(x->id, y->id);
}

typedef struct disp_item {
    uint32_t     customer;
    archase_date opened;
    uint32_t     n;
    const char  *id;
} disp_item;

static int cmp_disp(const void *a, const void *b) {
    const disp_item *x = a, *y = b;
    if (x->customer != y->customer)
        return x->customer < y->customer ? -1 : 1;
    if (x->opened != y->opened)
        return x->opened < y->opened ? -1 : 1;
    return strcmp(x->id, y->id);
}

typedef struct cov_pair {
    uint32_t invoice;  /* inv_ids number */
    uint32_t promise;  /* final index */
} cov_pair;

static int cmp_cov(const void *a, const void *b) {
    const cov_pair *x = a, *y = b;
    if (x->invoice != y->invoice)
        return x->invoice < y->invoice ? -1 : 1;
    return (x->promise > y->promise) - (x->promise < y->promise);
}

typedef struct ppay_item {
    uint32_t        promise;
    uint32_t        pay;  /* in pays */
    ar_snap_payment p;
    const char     *id;   /* the payment's, for the loader's id order */
} ppay_item;

static int cmp_ppay(const void *a, const void *b) {
    const ppay_item *x = a, *y = b;
    if (x->promise != y->promise)
        return x->promise < y->promise ? -1 : 1;
    if (x->p.date != y->p.date)
        return x->p.date < y->p.date ? -1 : 1;
    if (x->pay == y->pay)
        return 0;
    return strcmp(x->id, y->id);
}

typedef struct win_item {
    uint32_t     invoice;
    uint32_t     customer;
    uint32_t     pay;
    archase_date date;
    int64_t      applied;
    int          is_payment;
    const char  *id;
} win_item;

static int cmp_win(const void *a, const void *b) {
    const win_item *x = a, *y = b;
    if (x->invoice != y->invoice)
        return x->invoice < y->invoice ? -1 : 1;
    if (x->date != y->date)
        return x->date > y->date ? -1 : 1;
    if (x->pay == y->pay)
        return 0;
    return -strcmp(x->id, y->id);
}

typedef struct note_item {
    uint32_t        customer;
    archase_instant at;
    uint32_t        n;
    const char     *id;
} note_item;

static int cmp_note(const void *a, const void *b) {
    const note_item *x = a, *y = b;
    if (x->customer != y->customer)
        return x->customer < y->customer ? -1 : 1;
    if (x->at != y->at)
        return x->at > y->at ? -1 : 1;
    return -strcmp(x->id, y->id);
}

static int cmp_touch(const void *a, const void *b) {
    const ar_snap_touch *x = a, *y = b;
    if (x->customer != y->customer)
        return x->customer < y->customer ? -1 : 1;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    return (x->channel > y->channel) - (x->channel < y->channel);
}

static void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *)) {
    if (n > 1)
        qsort(base, n, size, cmp);
}

#define RANGE(cust, arr, n, field_customer, first, count)                 \
    for (size_t i_ = 0; i_ < (n);) {                                      \
        uint32_t c_ = (arr)[i_].field_customer;                           \
        size_t j_ = i_;                                                   \
        while (j_ < (n) && (arr)[j_].field_customer == c_)                \
            j_++;                                                         \
        (cust)[c_].first = (uint32_t)i_;                                  \
        (cust)[c_].count = (uint32_t)(j_ - i_);                           \
        i_ = j_;                                                          \
    }

static void day_free(ar_rsnap *r, day *d) {
    const archase_allocator *a = &r->alloc;
    ar_snap_free_lists(a, &d->s);
    ar_free(a, d->pos);
    ar_free(a, d->open);
}

#define NEW(arr, n) ((arr) = ar_malloc_array(a, (n) ? (n) : 1, sizeof *(arr)))

static int storage_error(archase_engine *e, const char *what, const char *id) {
    return ar_error_set(&e->err, ARCHASE_ESTORAGE, "stored %s '%s' cannot be decoded", what, id);
}

/* Builds the per-day members of the day's snapshot into d. */
static int build(ar_rsnap *r, archase_engine *e, archase_date as_of, day *d) {
    const archase_allocator *a = &r->alloc;
    const archase_snapshot *held = r->s;
    archase_snapshot *s = &d->s;
    archase_date history_from = as_of - AR_SNAP_HISTORY_DAYS;
    size_t ncust = r->base_n, ninv = r->inv_ids.count;
    int rc = 0;
    ord_item *ord = NULL;
    prom_item *pi = NULL;
    disp_item *di = NULL;
    cov_pair *cov = NULL;
    ppay_item *pp = NULL;
    win_item *win = NULL;
    note_item *ni = NULL;
    size_t pp_n = 0, pp_cap = 0, win_n = 0, win_cap = 0, cov_n = 0, cov_cap = 0;

    ar_strtab_init(&s->invoice_ids, a);
    if (!NEW(s->customers, ncust) || !NEW(d->pos, ninv) || !NEW(d->open, ninv)) {
        rc = ARCHASE_ENOMEM;
        goto done;
    }
    if (ncust)
        memcpy(s->customers, r->base, ncust * sizeof *s->customers);
    ar_snap_customer *cust = s->customers;

    /* open invoices: open in the store, or settled after the day */
    for (uint32_t i = 0; i < ninv; i++) {
        const rs_inv *v = &r->invs[i];
        d->pos[i] = AR_IDX_NONE;
        if (!v->present || v->rdate2 > as_of || v->customer == AR_IDX_NONE)
            continue;
        int open = v->status == ARCHASE_INVOICE_STATUS_OPEN;
        if (v->status == ARCHASE_INVOICE_STATUS_SETTLED)
            open = !(v->rdate3 != ARCHASE_DATE_NONE && v->rdate3 <= as_of);
        if (!open)
            continue;
        if (v->bad) {
            rc = storage_error(e, "invoice", ar_strtab_str(&r->inv_ids, i));
            goto done;
        }
        d->pos[i] = (uint32_t)d->open_n;
        d->open[d->open_n++] = i;
    }
    size_t n = d->open_n;
    if (!NEW(s->invoices, n) || !NEW(ord, n) || !NEW(s->invoice_num, n) || !NEW(s->invoice_index, n) ||
        ar_strtab_reserve(&s->invoice_ids, n, 0)) {
        rc = ARCHASE_ENOMEM;
        goto done;
    }
    for (size_t k = 0; k < n; k++) {
        const rs_inv *v = &r->invs[d->open[k]];
        ar_snap_invoice *si = &s->invoices[k];
        memset(si, 0, sizeof *si);
        uint32_t num;
        if (ar_strtab_intern(&s->invoice_ids, ar_strtab_str(&r->inv_ids, d->open[k]), &num)) {
            rc = ARCHASE_ENOMEM;
            goto done;
        }
        si->customer = v->customer;
        si->number = v->number;
        si->po_ref = v->po_ref;
        si->source_link = v->source_link;
        si->issue_date = v->issue_date;
        si->due_date = v->due_date;
        si->amount = v->amount;
        si->open = v->status == ARCHASE_INVOICE_STATUS_OPEN ? v->amount2 : 0;
        memcpy(si->currency, v->currency, 4);
        si->cadence = AR_IDX_NONE;
    }
    s->invoice_count = n;

    /* promises recorded by the day, of the last 400 days */
    size_t pn = 0;
    if (!NEW(pi, r->prom_ids.count)) {
        rc = ARCHASE_ENOMEM;
        goto done;
    }
    for (uint32_t i = 0; i < r->prom_ids.count; i++) {
        const rs_prom *p = &r->proms[i];
        if (!p->present || p->rdate == ARCHASE_DATE_NONE || p->rdate < history_from ||
            p->customer == AR_IDX_NONE || p->rdate2 > as_of)
            continue;
        if (p->bad) {
            rc = storage_error(e, "promise", ar_strtab_str(&r->prom_ids, i));
            goto done;
        }
        pi[pn++] = (prom_item){ p->customer, p->promised_date, i, ar_strtab_str(&r->prom_ids, i) };
    }
    sort(pi, pn, sizeof *pi, cmp_prom);
    size_t pinv = 0, pinst = 0;
    for (size_t k = 0; k < pn; k++) {
        pinv += r->proms[pi[k].n].inv_count;
        pinst += r->proms[pi[k].n].inst_count;
    }
    if (!NEW(s->promises, pn) || !NEW(s->promise_invoices, pinv) || !NEW(s->instalments, pinst) ||
        !NEW(cov, pinv)) {
        rc = ARCHASE_ENOMEM;
        goto done;
    }
    cov_cap = pinv;
    pinv = pinst = 0;
    for (size_t k = 0; k < pn; k++) {
        const rs_prom *p = &r->proms[pi[k].n];
        ar_snap_promise *sp = &s->promises[k];
        memset(sp, 0, sizeof *sp);
        sp->customer = p->customer;
        sp->seq = (uint32_t)k;
        sp->id = p->id;
        sp->status = p->status;
        sp->amount = p->amount;
        memcpy(sp->currency, p->currency, 4);
        sp->promised_date = p->promised_date;
        sp->recorded_on = p->recorded_on;
        sp->grace_days = p->grace_days;
        sp->channel = p->channel;
        sp->taken_by = p->taken_by;
        sp->inv_first = (uint32_t)pinv;
        for (uint32_t j = 0; j < p->inv_count; j++) {
            uint32_t inv = r->prom_inv[p->inv_first + j];
            s->promise_invoices[pinv++] = d->pos[inv]; /* place; the index comes later */
            cov[cov_n++] = (cov_pair){ inv, (uint32_t)k };
        }
        sp->inv_count = p->inv_count;
        sp->inst_first = (uint32_t)pinst;
        if (p->inst_count)
            memcpy(&s->instalments[pinst], &r->inst[p->inst_first], p->inst_count * sizeof *s->instalments);
        pinst += p->inst_count;
        sp->inst_count = p->inst_count;
    }
    s->promise_count = pn;
    sort(cov, cov_n, sizeof *cov, cmp_cov);
    (void)cov_cap;

    /* disputes opened by the day: counted for 12 months, kept while open */
    size_t dn = 0, dinv = 0;
    if (!NEW(di, r->disp_ids.count)) {
        rc = ARCHASE_ENOMEM;
        goto done;
    }
    for (uint32_t i = 0; i < r->disp_ids.count; i++) {
        const rs_disp *p = &r->disps[i];
        if (!p->present || p->customer == AR_IDX_NONE || p->rdate > as_of)
            continue;
        if (p->rdate > as_of - 365)
            cust[p->customer].disputes_12m++;
        if (p->status == ARCHASE_DISPUTE_RESOLVED && p->rdate2 != ARCHASE_DATE_NONE && p->rdate2 <= as_of)
            continue;
        if (p->bad) {
            rc = storage_error(e, "dispute", ar_strtab_str(&r->disp_ids, i));
            goto done;
        }
        di[dn++] = (disp_item){ p->customer, p->opened_on, i, ar_strtab_str(&r->disp_ids, i) };
        dinv += p->inv_count;
    }
    sort(di, dn, sizeof *di, cmp_disp);
    if (!NEW(s->disputes, dn) || !NEW(s->dispute_invoices, dinv)) {
        rc = ARCHASE_ENOMEM;
        goto done;
    }
    dinv = 0;
    for (size_t k = 0; k < dn; k++) {
        const rs_disp *p = &r->disps[di[k].n];
        ar_snap_dispute *sd = &s->disputes[k];
        memset(sd, 0, sizeof *sd);
        sd->customer = p->customer;
        sd->seq = (uint32_t)k;
        sd->id = p->id;
        sd->reason = p->reason;
        sd->reason_code = p->reason_code;
        sd->amount = p->amount;
        memcpy(sd->currency, p->currency, 4);
        sd->opened_on = p->opened_on;
        sd->owner = p->owner;
        sd->inv_first = (uint32_t)dinv;
        for (uint32_t j = 0; j < p->inv_count; j++)
            s->dispute_invoices[dinv++] = d->pos[r->disp_inv[p->inv_first + j]];
        sd->inv_count = p->inv_count;
    }
    s->dispute_count = dn;

    /* payments of the last 400 days: later ones were not made yet on the
     * day; the others count toward promises and, for 90 days, partial
     * payments */
    size_t lo = 0, hi = r->pay_order_n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->pays[r->pay_order[mid]].date < history_from)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t k = lo; k < r->pay_order_n; k++) {
        uint32_t pn_ = r->pay_order[k];
        const rs_pay *p = &r->pays[pn_];
        if (!p->present || p->invoice == AR_IDX_NONE || p->date == ARCHASE_DATE_NONE)
            continue;
        if (p->date > as_of) {
            if (d->pos[p->invoice] != AR_IDX_NONE)
                s->invoices[d->pos[p->invoice]].open += p->applied;
            continue;
        }
        size_t clo = 0, chi = cov_n;
        while (clo < chi) {
            size_t mid = clo + (chi - clo) / 2;
            if (cov[mid].invoice < p->invoice)
                clo = mid + 1;
            else
                chi = mid;
        }
        /* only payments pay toward a promise (GLOSSARY.md, "Promise-kept rate") */
        for (size_t c = clo; c < cov_n && cov[c].invoice == p->invoice && p->status == ARCHASE_PAYMENT; c++) {
            const ar_snap_promise *sp = &s->promises[cov[c].promise];
            if (sp->recorded_on != ARCHASE_DATE_NONE && p->date < sp->recorded_on)
                continue;
            if (ar_grow(a, (void **)&pp, &pp_cap, pp_n + 1, sizeof *pp)) {
                rc = ARCHASE_ENOMEM;
                goto done;
            }
            pp[pp_n++] = (ppay_item){ cov[c].promise, pn_, { p->date, p->applied }, ar_strtab_str(&r->pay_ids, pn_) };
        }
        if (p->date > as_of - 90 && p->customer != AR_IDX_NONE) {
            if (ar_grow(a, (void **)&win, &win_cap, win_n + 1, sizeof *win)) {
                rc = ARCHASE_ENOMEM;
                goto done;
            }
            win[win_n++] = (win_item){ p->invoice, p->customer, pn_, p->date, p->applied,
                                       p->status == ARCHASE_PAYMENT, ar_strtab_str(&r->pay_ids, pn_) };
        }
    }
    sort(win, win_n, sizeof *win, cmp_win);
    for (size_t k = 0; k < win_n;) {
        uint32_t inv = win[k].invoice;
        int64_t after = d->pos[inv] != AR_IDX_NONE ? s->invoices[d->pos[inv]].open : 0;
        for (; k < win_n && win[k].invoice == inv; k++) {
            const win_item *w = &win[k];
            if (w->is_payment && w->applied > 0 && after > 0 && cust[w->customer].partial_payments_90d < UINT16_MAX)
                cust[w->customer].partial_payments_90d++;
            after += w->applied;
        }
    }
    sort(pp, pp_n, sizeof *pp, cmp_ppay);
    if (!NEW(s->promise_payments, pp_n)) {
        rc = ARCHASE_ENOMEM;
        goto done;
    }
    for (size_t k = 0; k < pp_n;) {
        size_t j = k;
        while (j < pp_n && pp[j].promise == pp[k].promise) {
            s->promise_payments[j] = pp[j].p;
            j++;
        }
        s->promises[pp[k].promise].pay_first = (uint32_t)k;
        s->promises[pp[k].promise].pay_count = (uint32_t)(j - k);
        k = j;
    }

    /* notes written by the end of the day: each customer's latest */
    size_t nn = 0;
    if (!NEW(ni, r->note_ids.count)) {
        rc = ARCHASE_ENOMEM;
        goto done;
    }
    for (uint32_t i = 0; i < r->note_ids.count; i++) {
        const rs_note *p = &r->notes[i];
        if (!p->present || p->customer == AR_IDX_NONE || p->at > (archase_instant)as_of * 86400 + 86399)
            continue;
        ni[nn++] = (note_item){ p->customer, p->at, i, ar_strtab_str(&r->note_ids, i) };
    }
    sort(ni, nn, sizeof *ni, cmp_note);
    if (!NEW(s->notes, nn)) {
        rc = ARCHASE_ENOMEM;
        goto done;
    }
    size_t kept = 0, run = 0;
    for (size_t k = 0; k < nn; k++) {
        run = k && ni[k].customer == ni[k - 1].customer ? run + 1 : 0;
        if (run >= AR_SNAP_NOTES_MAX)
            continue;
        const rs_note *p = &r->notes[ni[k].n];
        if (p->bad) {
            rc = storage_error(e, "note", ar_strtab_str(&r->note_ids, ni[k].n));
            goto done;
        }
        ar_snap_note *sn = &s->notes[kept];
        memset(sn, 0, sizeof *sn);
        sn->customer = p->customer;
        sn->seq = (uint32_t)kept;
        sn->id = p->id;
        sn->author = p->author;
        sn->text = p->text;
        sn->at = p->at;
        sn->invoice = p->invoice != AR_IDX_NONE ? d->pos[p->invoice] : AR_IDX_NONE;
        kept++;
    }
    s->note_count = kept;
    RANGE(cust, s->notes, s->note_count, customer, note_first, note_count);

    /* the history: each customer's last settlements */
    {
        size_t hk = 0;
        for (size_t i = 0; i < r->hist_n;) {
            size_t end = i;
            while (end < r->hist_n && r->hist[end].customer == r->hist[i].customer)
                end++;
            hk += end - i > AR_SNAP_HISTORY_MAX ? AR_SNAP_HISTORY_MAX : end - i;
            i = end;
        }
        if (!NEW(s->history, hk)) {
            rc = ARCHASE_ENOMEM;
            goto done;
        }
        hk = 0;
        for (size_t i = 0; i < r->hist_n;) {
            size_t end = i;
            while (end < r->hist_n && r->hist[end].customer == r->hist[i].customer)
                end++;
            size_t from = end - i > AR_SNAP_HISTORY_MAX ? end - AR_SNAP_HISTORY_MAX : i;
            cust[r->hist[i].customer].hist_first = (uint32_t)hk;
            cust[r->hist[i].customer].hist_count = (uint32_t)(end - from);
            for (size_t k = from; k < end; k++)
                s->history[hk++] = (ar_settled){ r->hist[k].due, r->hist[k].settled };
            i = end;
        }
        s->history_count = hk;
    }

    /* the open invoices in the order evaluation walks them */
    for (size_t k = 0; k < n; k++)
        ord[k] = (ord_item){ s->invoices[k].customer, s->invoices[k].due_date, (uint32_t)k,
                             ar_strtab_str(&s->invoice_ids, (uint32_t)k) };
    sort(ord, n, sizeof *ord, cmp_ord);
    {
        ar_snap_invoice *sorted = NULL;
        if (!NEW(sorted, n)) {
            rc = ARCHASE_ENOMEM;
            goto done;
        }
        for (size_t k = 0; k < n; k++) {
            sorted[k] = s->invoices[ord[k].open];
            s->invoice_num[k] = ord[k].open;
            s->invoice_index[ord[k].open] = (uint32_t)k;
        }
        ar_free(a, s->invoices);
        s->invoices = sorted;
    }
    RANGE(cust, s->invoices, n, customer, inv_first, inv_count);
    for (size_t k = 0; k < pinv; k++)
        if (s->promise_invoices[k] != AR_IDX_NONE)
            s->promise_invoices[k] = s->invoice_index[s->promise_invoices[k]];
    for (size_t k = 0; k < dinv; k++)
        if (s->dispute_invoices[k] != AR_IDX_NONE)
            s->dispute_invoices[k] = s->invoice_index[s->dispute_invoices[k]];
    for (size_t k = 0; k < s->note_count; k++)
        if (s->notes[k].invoice != AR_IDX_NONE)
            s->notes[k].invoice = s->invoice_index[s->notes[k].invoice];
    RANGE(cust, s->promises, s->promise_count, customer, prom_first, prom_count);
    RANGE(cust, s->disputes, s->dispute_count, customer, disp_first, disp_count);

    /* cadence states: the open invoices' in their order, then the closed
     * invoices' by customer and invoice id */
    {
        for (uint32_t i = 0; i < r->cad_ids.count; i++) {
            if (r->cads[i].kind == CAD_STATE && r->cads[i].bad) {
                rc = storage_error(e, "cadence", ar_strtab_str(&r->cad_ids, i));
                goto done;
            }
        }
        size_t states = 0, names = 0, closed = 0;
        for (size_t k = 0; k < r->cad_order_n; k++) {
            const rs_cad *c = &r->cads[r->cad_order[k]];
            if (c->kind != CAD_STATE || c->customer == AR_IDX_NONE)
                continue;
            states++;
            names += c->c.escalated_count;
            if (d->pos[c->invoice] == AR_IDX_NONE)
                closed++;
            else
                s->invoices[s->invoice_index[d->pos[c->invoice]]].cadence = r->cad_order[k];
        }
        if (!NEW(s->cadence, states) || !NEW(s->closed, closed) || !NEW(s->names, names)) {
            rc = ARCHASE_ENOMEM;
            goto done;
        }
        size_t at = 0, nm = 0;
        for (size_t k = 0; k < n; k++) {
            ar_snap_invoice *si = &s->invoices[k];
            if (si->cadence == AR_IDX_NONE)
                continue;
            const rs_cad *c = &r->cads[si->cadence];
            s->cadence[at] = c->c;
            s->cadence[at].escalated_first = (uint32_t)nm;
            for (uint32_t j = 0; j < c->c.escalated_count; j++)
                s->names[nm++] = r->cad_names[c->c.escalated_first + j];
            si->cadence = (uint32_t)at++;
        }
        size_t cl = 0;
        for (size_t k = 0; k < r->cad_order_n; k++) {
            const rs_cad *c = &r->cads[r->cad_order[k]];
            if (c->kind != CAD_STATE || c->customer == AR_IDX_NONE || d->pos[c->invoice] != AR_IDX_NONE)
                continue;
            s->cadence[at] = c->c;
            s->cadence[at].escalated_first = (uint32_t)nm;
            for (uint32_t j = 0; j < c->c.escalated_count; j++)
                s->names[nm++] = r->cad_names[c->c.escalated_first + j];
            s->closed[cl] = (uint32_t)at++;
            if (cust[c->customer].closed_count++ == 0)
                cust[c->customer].closed_first = (uint32_t)cl;
            cl++;
        }
        s->cadence_count = at;
        s->closed_count = cl;
    }

    /* touches of the last 30 days */
    {
        size_t logs = 0, items = 0;
        for (uint32_t i = 0; i < r->cad_ids.count; i++) {
            const rs_cad *c = &r->cads[i];
            if (c->kind != CAD_TOUCHES)
                continue;
            if (c->bad) {
                rc = storage_error(e, "touches", ar_strtab_str(&r->cad_ids, i));
                goto done;
            }
            if (c->customer == AR_IDX_NONE)
                continue;
            logs++;
            items += r->tch[c->touches].count;
        }
        if (!NEW(s->touchlogs, logs) || !NEW(s->touches, items)) {
            rc = ARCHASE_ENOMEM;
            goto done;
        }
        for (uint32_t i = 0; i < r->cad_ids.count; i++) {
            const rs_cad *c = &r->cads[i];
            if (c->kind != CAD_TOUCHES || c->customer == AR_IDX_NONE)
                continue;
            const rs_touches *h = &r->tch[c->touches];
            cust[c->customer].touchlog = (uint32_t)s->touchlog_count;
            s->touchlogs[s->touchlog_count++].last_touch = h->last_touch;
            for (uint32_t j = 0; j < h->count; j++) {
                if (h->items[j].date < as_of - AR_SNAP_TOUCH_DAYS)
                    continue;
                s->touches[s->touch_count++] = (ar_snap_touch){ c->customer, h->items[j].date, h->items[j].channel };
            }
        }
        sort(s->touches, s->touch_count, sizeof *s->touches, cmp_touch);
        RANGE(cust, s->touches, s->touch_count, customer, touch_first, touch_count);
    }
    (void)held;
done:
    ar_free(a, ord);
    ar_free(a, pi);
    ar_free(a, di);
    ar_free(a, cov);
    ar_free(a, pp);
    ar_free(a, win);
    ar_free(a, ni);
    if (rc == ARCHASE_ENOMEM)
        ar_error_set(&e->err, rc, "out of memory keeping the replay's snapshot");
    return rc;
}

static size_t strtab_bytes(const ar_strtab *t) {
    return t->text_cap + t->offsets_cap * sizeof *t->offsets + t->index_cap * sizeof *t->index;
}

/* The held snapshot takes the day's members; its old ones go. */
static void adopt(ar_rsnap *r, day *d, archase_date as_of) {
    archase_snapshot *s = r->s, *n = &d->s;
    day old;
    memset(&old, 0, sizeof old);
#define SWAP(field)           \
    old.s.field = s->field;   \
    s->field = n->field;
    SWAP(invoice_ids)
    SWAP(customers)
    SWAP(invoices)
    SWAP(invoice_num)
    SWAP(invoice_index)
    SWAP(invoice_count)
    SWAP(history)
    SWAP(history_count)
    SWAP(promises)
    SWAP(promise_count)
    SWAP(promise_invoices)
    SWAP(instalments)
    SWAP(promise_payments)
    SWAP(disputes)
    SWAP(dispute_count)
    SWAP(dispute_invoices)
    SWAP(notes)
    SWAP(note_count)
    SWAP(cadence)
    SWAP(cadence_count)
    SWAP(closed)
    SWAP(closed_count)
    SWAP(names)
    SWAP(touches)
    SWAP(touch_count)
    SWAP(touchlogs)
    SWAP(touchlog_count)
#undef SWAP
    s->as_of = as_of;
    s->bytes = sizeof *s + strtab_bytes(&s->ids) + strtab_bytes(&s->invoice_ids) + strtab_bytes(&s->text) +
               s->ids.count * sizeof *s->customers +
               s->invoice_count * (sizeof *s->invoices + sizeof *s->invoice_num + sizeof *s->invoice_index) +
               s->history_count * sizeof *s->history + s->promise_count * sizeof *s->promises +
               s->dispute_count * sizeof *s->disputes + s->note_count * sizeof *s->notes +
               s->cadence_count * sizeof *s->cadence + s->closed_count * sizeof *s->closed +
               s->touch_count * sizeof *s->touches + s->touchlog_count * sizeof *s->touchlogs +
               s->zone_count * sizeof *s->zones;
    old.pos = d->pos;
    old.open = d->open;
    day_free(r, &old);
}

/* A fresh load: the day's snapshot, the customers taken from it, and every
 * followed record read. */
static int start(ar_rsnap *r, archase_engine *e, archase_date as_of, const archase_snapshot_options *opts) {
    clear_held(r);
    changes_clear(r);
    archase_snapshot *s = NULL;
    int rc = archase_snapshot_load(e, as_of, opts, &s);
    if (rc)
        return rc;
    r->s = s;
    r->base_n = s->ids.count;
    r->base = ar_malloc_array(&r->alloc, r->base_n ? r->base_n : 1, sizeof *r->base);
    if (!r->base)
        return ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory keeping the replay's snapshot");
    for (size_t i = 0; i < r->base_n; i++) {
        ar_snap_customer c = s->customers[i];
        c.inv_first = c.inv_count = c.hist_first = c.hist_count = 0;
        c.prom_first = c.prom_count = c.disp_first = c.disp_count = 0;
        c.note_first = c.note_count = c.touch_first = c.touch_count = 0;
        c.closed_first = c.closed_count = 0;
        c.touchlog = AR_IDX_NONE;
        c.partial_payments_90d = 0;
        c.disputes_12m = 0;
        r->base[i] = c;
    }
    reader x = { r, e, 0 };
    for (size_t f = 0; f < FOLLOWED && !x.rc; f++) {
        archase_scan_filter flt = ARCHASE_SCAN_FILTER_INIT;
        flt.family = followed[f];
        rc = ar_store_scan(e, &flt, reader_of(followed[f]), &x);
        if (rc && !x.rc)
            x.rc = rc;
    }
    if (!x.rc && (merge_pay(r) || merge_cad(r) || update_hist(r, as_of)))
        x.rc = ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory keeping the replay's snapshot");
    return x.rc;
}

int ar_rsnap_load(ar_rsnap *r, archase_engine *e, archase_date as_of, const archase_snapshot_options *opts,
                  const archase_snapshot **out) {
    int rc;
    r->was_fresh = 0;
    if (r->fresh || !r->s || as_of < r->s->as_of) {
        rc = start(r, e, as_of, opts);
        if (!rc) {
            r->fresh = 0;
            r->was_fresh = 1;
            *out = r->s;
        } else {
            clear_held(r);
        }
        return rc;
    }
    reader x = { r, e, 0 };
    day d;
    memset(&d, 0, sizeof d);
    rc = refresh_changed(&x);
    if (!rc && (merge_pay(r) || merge_cad(r) || update_hist(r, as_of)))
        rc = ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory keeping the replay's snapshot");
    if (!rc)
        rc = build(r, e, as_of, &d);
    if (rc) {
        day_free(r, &d);
        r->fresh = 1;
        return rc;
    }
    changes_clear(r);
    adopt(r, &d, as_of);
    *out = r->s;
    return 0;
}
