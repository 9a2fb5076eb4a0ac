/* libarchase/kpi/groups.c — the figures of a single period that come in
 * groups: dispute aging and time to resolution by reason code and root
 * cause, collection effectiveness and response per sequence step and per
 * template (with each row's message totals), and reviewer effort. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/date.h"
#include "archase/errors.h"
#include "archase/sys/storage.h"
#include "core/alloc.h"
#include "kpi/report.h"

static int oom(ar_error *err) {
    return ar_error_set(err, ARCHASE_ENOMEM, "out of memory");
}

/* The row of currency `c`, or NULL (its currency was filtered out). */
static ar_kpi_row *row_of(archase_kpi_report *r, uint16_t c, size_t *index) {
    for (size_t i = 0; i < r->row_count; i++) {
        if (r->rows[i].currency == c) {
            *index = i;
            return &r->rows[i];
        }
    }
    return NULL;
}

/* ---- disputes -------------------------------------------------------------- */

typedef struct dacc {
    size_t   row;
    int      dimension;
    uint32_t name;   /* report string */
    int64_t  open_amount;
    ar_days  open, resolved;
} dacc;

typedef struct dlist {
    dacc  *items;
    size_t n, cap;
} dlist;

static dacc *dgroup(archase_kpi_report *r, dlist *l, size_t row, int dimension, const char *name) {
    uint32_t id;
    if (ar_strtab_intern(&r->strings, name, &id))
        return NULL;
    for (size_t i = 0; i < l->n; i++) {
        if (l->items[i].row == row && l->items[i].dimension == dimension && l->items[i].name == id)
            return &l->items[i];
    }
    if (ar_grow(&r->allocator, (void **)&l->items, &l->cap, l->n + 1, sizeof *l->items))
        return NULL;
    dacc *g = &l->items[l->n++];
    memset(g, 0, sizeof *g);
    g->row = row;
    g->dimension = dimension;
    g->name = id;
    ar_days_init(&g->open, &r->allocator);
    ar_days_init(&g->resolved, &r->allocator);
    return g;
}

/* Groups sort by (row, dimension, name); `name` is set from the string
 * table just before sorting (the accessors set it again, the table may grow
 * later). */
static int cmp_group_key(size_t ra, int da, const char *na, size_t rb, int db, const char *nb) {
    if (ra != rb)
        return ra < rb ? -1 : 1;
    if (da != db)
        return da < db ? -1 : 1;
    return strcmp(na, nb);
}

static int cmp_dgroups(const void *a, const void *b) {
    const ar_kpi_dgroup *x = a, *y = b;
    return cmp_group_key(x->g.row, x->g.dimension, x->g.name, y->g.row, y->g.dimension, y->g.name);
}

static int cmp_egroups(const void *a, const void *b) {
    const ar_kpi_egroup *x = a, *y = b;
    return cmp_group_key(x->g.row, x->g.dimension, x->g.name, y->g.row, y->g.dimension, y->g.name);
}

static int finish_dgroups(archase_kpi_report *r, dlist *l, ar_error *err) {
    if (!l->n)
        return 0;
    r->dgroups = ar_calloc(&r->allocator, l->n, sizeof *r->dgroups);
    if (!r->dgroups)
        return oom(err);
    r->dgroup_cap = l->n;
    int rc = 0;
    for (size_t i = 0; i < l->n && !rc; i++) {
        dacc *a = &l->items[i];
        archase_kpi_dispute_group *g = &r->dgroups[i].g;
        r->dgroups[i].name = a->name;
        g->version = ARCHASE_KPI_DISPUTE_GROUP_VERSION;
        g->row = a->row;
        g->dimension = a->dimension;
        g->open = a->open.n;
        g->open_amount = a->open_amount;
        g->resolved = a->resolved.n;
        rc = ar_days_mean(&a->open, &g->mean_days_open);
        if (!rc)
            rc = ar_days_median(&a->open, &g->median_days_open);
        g->oldest_days_open = ar_days_max(&a->open);
        if (!rc)
            rc = ar_days_mean(&a->resolved, &g->mean_days_to_resolution);
        if (!rc)
            rc = ar_days_median(&a->resolved, &g->median_days_to_resolution);
    }
    if (rc)
        return ar_error_set(err, rc, "dispute figures beyond 64 bits");
    r->dgroup_count = l->n;
    for (size_t i = 0; i < r->dgroup_count; i++)
        r->dgroups[i].g.name = ar_strtab_str(&r->strings, r->dgroups[i].name);
    qsort(r->dgroups, r->dgroup_count, sizeof *r->dgroups, cmp_dgroups);
    return 0;
}

static int disputes(archase_kpi_report *r, const ar_kv *v, archase_date from, archase_date to,
                    ar_error *err) {
    dlist l = { NULL, 0, 0 };
    int rc = 0;
    for (size_t i = 0; i < v->dispute_count && !rc; i++) {
        const ar_kv_dispute *d = &v->disputes[i];
        size_t row;
        if (d->opened > to || !row_of(r, d->currency, &row))
            continue;
        int open = d->resolved == ARCHASE_DATE_NONE || d->resolved > to;
        int resolved_now = !open && d->resolved >= from;
        if (!open && !resolved_now)
            continue;
        /* a root cause tagged after `to` was not known then */
        const char *cause = "untagged";
        if (d->root_cause != AR_STRTAB_NONE && (d->resolved == ARCHASE_DATE_NONE || !open))
            cause = ar_strtab_str(&v->names, d->root_cause);
        dacc *reason = dgroup(r, &l, row, ARCHASE_KPI_BY_REASON, ar_strtab_str(&v->names, d->reason));
        size_t reason_at = reason ? (size_t)(reason - l.items) : 0;
        dacc *root_cause = reason ? dgroup(r, &l, row, ARCHASE_KPI_BY_ROOT_CAUSE, cause) : NULL;
        /* adding the root cause's group may have moved the list */
        dacc *by[2] = { root_cause ? &l.items[reason_at] : NULL, root_cause };
        for (int k = 0; k < 2 && !rc; k++) {
            if (!by[k]) {
                rc = oom(err);
            } else if (open) {
                by[k]->open_amount += d->amount;
                if (ar_days_add(&by[k]->open, (int64_t)to - d->opened, 0))
                    rc = oom(err);
            } else if (ar_days_add(&by[k]->resolved, (int64_t)d->resolved - d->opened, 0)) {
                rc = oom(err);
            }
        }
    }
    if (!rc)
        rc = finish_dgroups(r, &l, err);
    for (size_t i = 0; i < l.n; i++) {
        ar_days_free(&l.items[i].open);
        ar_days_free(&l.items[i].resolved);
    }
    ar_free(&r->allocator, l.items);
    return rc;
}

/* ---- collection effectiveness --------------------------------------------- */

/* For every invoice, the promises and disputes that cover it. */
typedef struct cover {
    uint32_t *first;    /* invoice_count + 1 offsets */
    uint32_t *items;
} cover;

static int cover_build(const archase_allocator *a, const ar_kv *v, int disputes_not_promises,
                       cover *c) {
    size_t n = disputes_not_promises ? v->dispute_count : v->promise_count;
    c->first = ar_calloc(a, v->invoice_count + 1, sizeof *c->first);
    c->items = ar_malloc_array(a, v->link_count ? v->link_count : 1, sizeof *c->items);
    if (!c->first || !c->items)
        return ARCHASE_ENOMEM;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n; i++) {
            uint32_t lf = disputes_not_promises ? v->disputes[i].inv_first : v->promises[i].inv_first;
            uint32_t lc = disputes_not_promises ? v->disputes[i].inv_count : v->promises[i].inv_count;
            for (uint32_t k = 0; k < lc; k++) {
                uint32_t inv = v->links[lf + k];
                if (pass == 0)
                    c->first[inv + 1]++;
                else
                    c->items[c->first[inv]++] = (uint32_t)i;
            }
        }
        if (pass == 0) {
            for (size_t i = 0; i < v->invoice_count; i++)
                c->first[i + 1] += c->first[i];
        } else {
            for (size_t i = v->invoice_count; i > 0; i--)
                c->first[i] = c->first[i - 1];
            c->first[0] = 0;
        }
    }
    return 0;
}

static void cover_free(const archase_allocator *a, cover *c) {
    ar_free(a, c->first);
    ar_free(a, c->items);
}

/* What followed one message within its window. */
typedef struct outcome {
    int64_t amount;    /* open at the start of the day it was sent */
    int     effective; /* every targeted invoice paid, or a promise made */
    int     responded; /* any payment, promise or dispute */
    int     disputed;
} outcome;

static void outcome_of(const ar_kv *v, const cover *promises, const cover *disputes_c,
                       const uint32_t *inv, size_t n, archase_date sent, archase_date end,
                       outcome *o) {
    memset(o, 0, sizeof *o);
    int paid_all = 1, open_any = 0, promised = 0;
    for (size_t i = 0; i < n; i++) {
        const ar_kv_invoice *x = &v->invoices[inv[i]];
        int64_t open = x->is_void || x->issue > sent ? 0 : x->amount - ar_kv_paid_by(v, x, sent - 1);
        o->amount += open;
        if (open > 0) {
            open_any = 1;
            if (ar_kv_open_at(v, x, end) > 0)
                paid_all = 0;
        }
        if (ar_kv_cash_between(v, x, sent, end) > 0)
            o->responded = 1;
        for (uint32_t k = promises->first[inv[i]]; k < promises->first[inv[i] + 1]; k++) {
            archase_date rec = v->promises[promises->items[k]].recorded;
            if (rec != ARCHASE_DATE_NONE && rec >= sent && rec <= end)
                promised = 1;
        }
        for (uint32_t k = disputes_c->first[inv[i]]; k < disputes_c->first[inv[i] + 1]; k++) {
            archase_date opened = v->disputes[disputes_c->items[k]].opened;
            if (opened >= sent && opened <= end)
                o->disputed = 1;
        }
    }
    o->effective = (open_any && paid_all) || promised;
    o->responded |= promised || o->disputed;
}

static ar_kpi_egroup *egroup(archase_kpi_report *r, size_t row, int dimension, const char *name) {
    uint32_t id;
    if (ar_strtab_intern(&r->strings, name, &id))
        return NULL;
    for (size_t i = 0; i < r->egroup_count; i++) {
        ar_kpi_egroup *e = &r->egroups[i];
        if (e->g.row == row && e->g.dimension == dimension && e->name == id)
            return e;
    }
    if (ar_grow(&r->allocator, (void **)&r->egroups, &r->egroup_cap, r->egroup_count + 1,
                sizeof *r->egroups))
        return NULL;
    ar_kpi_egroup *e = &r->egroups[r->egroup_count++];
    memset(e, 0, sizeof *e);
    e->g.version = ARCHASE_KPI_EFFECTIVENESS_VERSION;
    e->g.row = row;
    e->g.dimension = dimension;
    e->name = id;
    return e;
}

static void tally(archase_kpi_effectiveness *g, const outcome *o) {
    g->messages++;
    g->amount += o->amount;
    if (o->effective) {
        g->effective++;
        g->effective_amount += o->amount;
    }
    g->responded += (uint64_t)o->responded;
    g->disputed += (uint64_t)o->disputed;
}

static int rates(archase_kpi_effectiveness *g) {
    int rc = ar_ratio_times((ar_i128)g->effective, (ar_i128)g->messages, 100, &g->effective_percent);
    if (!rc)
        rc = ar_ratio_times(g->effective_amount, g->amount, 100, &g->effective_amount_percent);
    if (!rc)
        rc = ar_ratio_times((ar_i128)g->responded, (ar_i128)g->messages, 100, &g->response_percent);
    if (!rc)
        rc = ar_ratio_times((ar_i128)g->disputed, (ar_i128)g->messages, 100, &g->dispute_percent);
    return rc;
}

static int effectiveness(archase_kpi_report *r, const ar_kv *v, archase_date from,
                         archase_date to, const ar_kpi_params *p, ar_error *err) {
    const archase_allocator *a = &r->allocator;
    cover promises = { NULL, NULL }, dsp = { NULL, NULL };
    uint32_t *inv = NULL;
    size_t inv_cap = 0;
    archase_kpi_effectiveness *totals = NULL;
    int rc = 0;
    if (!p->touch_count)
        goto rows;
    if (cover_build(a, v, 0, &promises) || cover_build(a, v, 1, &dsp) ||
        !(totals = ar_calloc(a, r->row_count ? r->row_count : 1, sizeof *totals))) {
        rc = oom(err);
        goto done;
    }
    for (size_t t = 0; t < p->touch_count && !rc; t++) {
        const archase_kpi_touch *touch = &p->touches[t];
        archase_date end = touch->date + p->window_days;
        if (end < from || end > to)
            continue;
        if (ar_grow(a, (void **)&inv, &inv_cap, touch->invoice_count, sizeof *inv)) {
            rc = oom(err);
            break;
        }
        size_t n = 0;
        for (size_t k = 0; k < touch->invoice_count; k++) {
            uint32_t i = ar_strtab_find(&v->invoice_ids, touch->invoice_ids[k]);
            if (i != AR_STRTAB_NONE)
                inv[n++] = i;
        }
        size_t row;
        if (!n || !row_of(r, v->invoices[inv[0]].currency, &row))
            continue;
        outcome o;
        outcome_of(v, &promises, &dsp, inv, n, touch->date, end, &o);
        char step[600];
        const char *step_name = "none";
        if (touch->step && *touch->step) {
            snprintf(step, sizeof step, "%s/%s", touch->sequence && *touch->sequence ? touch->sequence : "none",
                     touch->step);
            step_name = step;
        }
        const char *tmpl = touch->template_name && *touch->template_name ? touch->template_name : "none";
        ar_kpi_egroup *by_step = egroup(r, row, ARCHASE_KPI_BY_STEP, step_name);
        ar_kpi_egroup *by_template = by_step ? egroup(r, row, ARCHASE_KPI_BY_TEMPLATE, tmpl) : NULL;
        if (!by_template) {
            rc = oom(err);
            break;
        }
        by_step = egroup(r, row, ARCHASE_KPI_BY_STEP, step_name); /* the array may have moved */
        if (!by_step) {
            rc = oom(err);
            break;
        }
        tally(&by_step->g, &o);
        tally(&by_template->g, &o);
        tally(&totals[row], &o);
    }
    for (size_t i = 0; i < r->egroup_count && !rc; i++)
        rc = rates(&r->egroups[i].g);
    if (rc)
        goto done;
    for (size_t i = 0; i < r->egroup_count; i++)
        r->egroups[i].g.name = ar_strtab_str(&r->strings, r->egroups[i].name);
    if (r->egroup_count > 1)
        qsort(r->egroups, r->egroup_count, sizeof *r->egroups, cmp_egroups);
rows:
    for (size_t i = 0; i < r->row_count && !rc; i++) {
        archase_kpi_effectiveness g;
        memset(&g, 0, sizeof g);
        if (totals)
            g = totals[i];
        rc = rates(&g);
        ar_kpi_row *row = &r->rows[i];
        ar_kpi_set(row, ARCHASE_KPI_MESSAGES, ARCHASE_KPI_COUNT, 1, (int64_t)g.messages);
        ar_kpi_set(row, ARCHASE_KPI_MESSAGE_AMOUNT, ARCHASE_KPI_MONEY, 1, g.amount);
        ar_kpi_set(row, ARCHASE_KPI_EFFECTIVE_MESSAGES, ARCHASE_KPI_COUNT, 1, (int64_t)g.effective);
        ar_kpi_set_number(row, ARCHASE_KPI_EFFECTIVENESS, ARCHASE_KPI_PERCENT, g.effective_percent);
        ar_kpi_set_number(row, ARCHASE_KPI_EFFECTIVENESS_AMOUNT, ARCHASE_KPI_PERCENT,
                          g.effective_amount_percent);
        ar_kpi_set(row, ARCHASE_KPI_RESPONDED_MESSAGES, ARCHASE_KPI_COUNT, 1, (int64_t)g.responded);
        ar_kpi_set_number(row, ARCHASE_KPI_RESPONSE_RATE, ARCHASE_KPI_PERCENT, g.response_percent);
        ar_kpi_set(row, ARCHASE_KPI_DISPUTED_MESSAGES, ARCHASE_KPI_COUNT, 1, (int64_t)g.disputed);
        ar_kpi_set_number(row, ARCHASE_KPI_MESSAGE_DISPUTE_RATE, ARCHASE_KPI_PERCENT, g.dispute_percent);
    }
    if (rc)
        ar_error_set(err, rc, "message figures beyond 64 bits");
done:
    cover_free(a, &promises);
    cover_free(a, &dsp);
    ar_free(a, inv);
    ar_free(a, totals);
    return rc;
}

/* ---- reviewer effort ------------------------------------------------------- */

static int median_minutes(ar_days *d, archase_kpi_number *out) {
    if (!d->n) {
        *out = ar_undefined();
        return 0;
    }
    archase_kpi_number seconds;
    ar_days_median(d, &seconds); /* hundredths of a second, exact */
    return ar_ratio(seconds.hundredths, 6000, out);
}

static int reviewer_effort(archase_kpi_report *r, archase_date from, archase_date to,
                           const ar_kpi_params *p, ar_error *err) {
    archase_kpi_reviewer_effort *e = &r->effort;
    ar_days seconds;
    ar_days_init(&seconds, &r->allocator);
    int rc = 0;
    for (size_t i = 0; i < p->review_count && !rc; i++) {
        const archase_kpi_review *rv = &p->reviews[i];
        archase_date drafted = archase_instant_utc_date(rv->drafted_at);
        archase_date reviewed = rv->outcome == ARCHASE_REVIEW_PENDING ? ARCHASE_DATE_NONE
                                                                      : archase_instant_utc_date(rv->reviewed_at);
        if (reviewed != ARCHASE_DATE_NONE && reviewed >= from && reviewed <= to) {
            e->reviewed++;
            e->approved += rv->outcome == ARCHASE_REVIEW_APPROVED;
            e->edited += rv->outcome == ARCHASE_REVIEW_EDITED;
            e->rejected += rv->outcome == ARCHASE_REVIEW_REJECTED;
            if (ar_days_add(&seconds, rv->reviewed_at - rv->drafted_at, 0))
                rc = oom(err);
        } else if (drafted <= to && (reviewed == ARCHASE_DATE_NONE || reviewed > to)) {
            e->pending++;
        }
    }
    if (!rc)
        rc = ar_ratio_times((ar_i128)e->edited, (ar_i128)e->reviewed, 100, &e->edit_percent);
    if (!rc)
        rc = ar_ratio_times((ar_i128)e->rejected, (ar_i128)e->reviewed, 100, &e->reject_percent);
    if (!rc)
        rc = ar_ratio(seconds.sum, (ar_i128)seconds.n * 60, &e->mean_minutes_to_review);
    if (!rc)
        rc = median_minutes(&seconds, &e->median_minutes_to_review);
    if (rc && rc != ARCHASE_ENOMEM)
        ar_error_set(err, rc, "review figures beyond 64 bits");
    ar_days_free(&seconds);
    return rc;
}

int ar_kpi_groups_compute(archase_kpi_report *r, const ar_kv *v, archase_date from,
                          archase_date to, const ar_kpi_params *p, ar_error *err) {
    int rc = disputes(r, v, from, to, err);
    if (!rc)
        rc = effectiveness(r, v, from, to, p, err);
    if (!rc)
        rc = reviewer_effort(r, from, to, p, err);
    return rc;
}
