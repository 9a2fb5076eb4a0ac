/* libarchase/engine/apply.c — storing an evaluation's cadence states and
 * touches (apply.h). */
#include "engine/apply.h"

#include <stdlib.h>
#include <string.h>

#include "archase/errors.h"
#include "core/alloc.h"
#include "core/buf.h"

static int put_update(archase_engine *e, const archase_decisions *ds, size_t i, ar_canon *c, ar_buf *id) {
    ar_cadence_rec r;
    ar_update_record(ds, i, &r);
    int rc = ar_cadence_encode(c, &r);
    if (rc)
        return ar_error_set(&e->err, rc, "out of memory encoding a cadence state");
    ar_buf_reset(id);
    ar_buf_puts(id, AR_CADENCE_INVOICE_PREFIX);
    ar_buf_puts(id, r.invoice_id);
    ar_buf_terminate(id);
    if (id->err)
        return ar_error_set(&e->err, id->err, "out of memory encoding a cadence state");
    archase_record rec = ARCHASE_RECORD_INIT;
    rec.family = ARCHASE_FAMILY_CADENCE;
    rec.id = (const char *)id->data;
    rec.customer_id = r.customer_id;
    rec.invoice_id = r.invoice_id;
    rec.status = r.status;
    rec.date = r.next_date;
    rec.date2 = r.last_date;
    rec.data = c->buf.data;
    rec.size = c->buf.len;
    return ar_store_put(e, &rec);
}

static int cmp_touch(const void *a, const void *b) {
    const ar_touch *x = a, *y = b;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    return (x->channel > y->channel) - (x->channel < y->channel);
}

/* The customer's touches from the snapshot plus its messages in `ds`
 * decisions [first, end). */
static int put_touches(archase_engine *e, const archase_decisions *ds, uint32_t customer, size_t first,
                       size_t end, ar_canon *c, ar_buf *id) {
    const archase_snapshot *s = ds->snap;
    const ar_snap_customer *cust = &s->customers[customer];
    ar_touches_rec t;
    memset(&t, 0, sizeof t);
    t.customer_id = ar_snap_customer_id(s, customer);
    t.last_touch = cust->touchlog != AR_IDX_NONE ? s->touchlogs[cust->touchlog].last_touch : ARCHASE_DATE_NONE;
    ar_touch all[AR_CADENCE_TOUCHES_MAX * 2];
    size_t n = 0;
    for (uint32_t i = 0; i < cust->touch_count && n < AR_CADENCE_TOUCHES_MAX; i++) {
        const ar_snap_touch *st = &s->touches[cust->touch_first + i];
        all[n++] = (ar_touch){ st->date, st->channel };
    }
    for (size_t i = first; i < end && n < sizeof all / sizeof all[0]; i++) {
        const ar_decision *d = &ds->d[i];
        if (d->kind == ARCHASE_DECISION_SEND_MESSAGE)
            all[n++] = (ar_touch){ d->local_date, d->channel };
    }
    qsort(all, n, sizeof *all, cmp_touch);
    for (size_t i = 0; i < n; i++) {
        if (all[i].date < ds->as_of - AR_SNAP_TOUCH_DAYS)
            continue;
        if (t.count && !cmp_touch(&t.items[t.count - 1], &all[i]))
            continue; /* the same touch again */
        if (t.count == AR_CADENCE_TOUCHES_MAX) { /* keep the latest */
            memmove(t.items, t.items + 1, (t.count - 1) * sizeof *t.items);
            t.count--;
        }
        t.items[t.count++] = all[i];
    }
    for (size_t i = 0; i < n; i++)
        if (t.last_touch == ARCHASE_DATE_NONE || all[i].date > t.last_touch)
            t.last_touch = all[i].date;
    int rc = ar_touches_encode(c, &t);
    ar_buf_reset(id);
    ar_buf_puts(id, AR_CADENCE_CUSTOMER_PREFIX);
    ar_buf_puts(id, t.customer_id);
    ar_buf_terminate(id);
    if (rc || id->err)
        return ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory encoding touches");
    archase_record rec = ARCHASE_RECORD_INIT;
    rec.family = ARCHASE_FAMILY_CADENCE;
    rec.id = (const char *)id->data;
    rec.customer_id = t.customer_id;
    rec.status = AR_CADENCE_STATUS_TOUCHES;
    rec.date = t.last_touch;
    rec.data = c->buf.data;
    rec.size = c->buf.len;
    return ar_store_put(e, &rec);
}

int ar_apply_cadence_txn(archase_engine *e, const archase_decisions *ds) {
    ar_canon c;
    ar_buf id;
    ar_canon_init(&c, AR_ENGINE_ALLOC(e));
    ar_buf_init(&id, AR_ENGINE_ALLOC(e));
    int rc = 0;
    for (size_t i = 0; i < ds->update_n && !rc; i++)
        rc = put_update(e, ds, i, &c, &id);
    /* Decisions are grouped by customer. */
    for (size_t i = 0; i < ds->n && !rc;) {
        size_t end = i;
        int messages = 0;
        while (end < ds->n && ds->d[end].customer == ds->d[i].customer)
            messages |= ds->d[end++].kind == ARCHASE_DECISION_SEND_MESSAGE;
        if (messages)
            rc = put_touches(e, ds, ds->d[i].customer, i, end, &c, &id);
        i = end;
    }
    ar_buf_free(&id);
    ar_canon_free(&c);
    return rc;
}

int ar_apply_cadence(archase_engine *e, const archase_decisions *ds) {
    if (!e || !ds)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (e->batch)
        return ar_error_set(&e->err, ARCHASE_ESTATE, "a batch is open on the engine");
    int rc = ar_txn_begin(e);
    if (rc)
        return rc;
    rc = ar_apply_cadence_txn(e, ds);
    if (rc)
        ar_txn_rollback(e);
    else
        rc = ar_txn_commit(e);
    return rc;
}
