/* libarchase/engine/worklist.c — the ranked work of every owner, built from
 * an evaluation (archase/worklist.h). */
#include <stdlib.h>
#include <string.h>

#include "archase/errors.h"
#include "archase/worklist.h"
#include "core/alloc.h"
#include "engine/decisions.h"

/* qsort, which wants a valid pointer even for nothing to sort. */
static void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *)) {
    if (n > 1)
        qsort(base, n, size, cmp);
}

typedef struct wl_line {
    const char  *owner;
    uint32_t     customer;
    int          kind;
    archase_date due_by;
    ar_reasons   reasons;
    size_t       decision;      /* SIZE_MAX = none */
    uint32_t     inv_first, inv_count; /* into invs[]: snapshot order positions */
    int32_t      score, days;
    int64_t      amount;
    char         currency[4];
    int64_t      order_key;     /* the policy's priority, larger first */
} wl_line;

struct archase_worklist {
    archase_allocator         allocator;
    const archase_decisions  *ds;
    wl_line                  *lines;
    size_t                    n, cap;
    uint32_t                 *invs;
    size_t                    inv_n, inv_cap;
};

int archase_worklist_options_init(archase_worklist_options *opts, unsigned version) {
    if (!opts)
        return ARCHASE_EINVAL;
    if (version != ARCHASE_WORKLIST_OPTIONS_VERSION)
        return ARCHASE_EVERSION;
    archase_worklist_options init = ARCHASE_WORKLIST_OPTIONS_INIT;
    *opts = init;
    return 0;
}

static const char *const work_names[] = { NULL, "call", "alert", "escalation", "dispute", "exception" };

const char *archase_work_kind_name(int kind) {
    return kind > 0 && kind <= ARCHASE_WORK_EXCEPTION ? work_names[kind] : NULL;
}

static const char *const next_actions[] = { NULL, "queue_call", "alert_owner", "escalate", "resolve_dispute",
                                            "fix_exception" };

/* ---- collecting ---------------------------------------------------------------- */

typedef struct builder {
    archase_worklist       *wl;
    const archase_decisions *ds;
    const char             *only;
} builder;

static int add_line(builder *b, const char *owner, uint32_t customer, int kind, archase_date due_by,
                    const ar_reasons *reasons, size_t decision, wl_line **out) {
    archase_worklist *wl = b->wl;
    *out = NULL;
    if (b->only && strcmp(b->only, owner) != 0)
        return 0;
    if (ar_grow(&wl->allocator, (void **)&wl->lines, &wl->cap, wl->n + 1, sizeof *wl->lines))
        return ARCHASE_ENOMEM;
    wl_line *l = &wl->lines[wl->n++];
    memset(l, 0, sizeof *l);
    l->owner = owner;
    l->customer = customer;
    l->kind = kind;
    l->due_by = due_by;
    l->reasons = *reasons;
    l->decision = decision;
    l->inv_first = (uint32_t)wl->inv_n;
    *out = l;
    return 0;
}

static int add_invoice(builder *b, wl_line *l, uint32_t position) {
    archase_worklist *wl = b->wl;
    if (ar_grow(&wl->allocator, (void **)&wl->invs, &wl->inv_cap, wl->inv_n + 1, sizeof *wl->invs))
        return ARCHASE_ENOMEM;
    wl->invs[wl->inv_n++] = position;
    l->inv_count++;
    return 0;
}

static int from_decisions(builder *b) {
    const archase_decisions *ds = b->ds;
    int rc = 0;
    for (size_t i = 0; i < ds->n && !rc; i++) {
        const ar_decision *d = &ds->d[i];
        int kind = d->kind == ARCHASE_DECISION_QUEUE_CALL    ? ARCHASE_WORK_CALL
                   : d->kind == ARCHASE_DECISION_ALERT_OWNER ? ARCHASE_WORK_ALERT
                   : d->kind == ARCHASE_DECISION_ESCALATE    ? ARCHASE_WORK_ESCALATION
                                                             : 0;
        if (!kind || !d->owner)
            continue;
        wl_line *l;
        rc = add_line(b, d->owner, d->customer, kind, d->due_by, &d->reasons, i, &l);
        for (uint32_t t = 0; l && t < d->target_count && !rc; t++)
            rc = add_invoice(b, l, ds->targets[d->target_first + t].invoice);
    }
    return rc;
}

/* Who works a dispute: its owner, else its playbook's role, else the
 * customer's collector or owner. */
static const char *dispute_owner(const archase_decisions *ds, const ar_snap_dispute *d) {
    const archase_snapshot *s = ds->snap;
    const ar_snap_customer *c = &s->customers[d->customer];
    const char *role = ds->policy->disputes.playbooks[d->reason].owner_role;
    if (d->owner != AR_STR_NONE)
        return ar_snap_str(s, d->owner);
    if (role && strcmp(role, "collector") != 0)
        return role;
    if (c->collector != AR_STR_NONE)
        return ar_snap_str(s, c->collector);
    return c->owner != AR_STR_NONE ? ar_snap_str(s, c->owner) : "unassigned";
}

static int from_disputes(builder *b) {
    const archase_decisions *ds = b->ds;
    const archase_snapshot *s = ds->snap;
    int rc = 0;
    for (size_t i = 0; i < s->dispute_count && !rc; i++) {
        const ar_snap_dispute *d = &s->disputes[i];
        ar_reasons why = { { 0 } };
        ar_reasons_add(&why, ARCHASE_REASON_DISPUTED);
        archase_date sla = d->opened_on + ds->policy->disputes.playbooks[d->reason].sla_days;
        wl_line *l = NULL;
        for (uint32_t k = 0; k < d->inv_count && !rc; k++) {
            uint32_t inv = s->dispute_invoices[d->inv_first + k];
            if (inv == AR_IDX_NONE)
                continue;
            if (!l && (rc = add_line(b, dispute_owner(ds, d), d->customer, ARCHASE_WORK_DISPUTE, sla, &why,
                                     SIZE_MAX, &l)) != 0)
                break;
            if (!l)
                break; /* another owner's */
            rc = add_invoice(b, l, inv);
        }
    }
    return rc;
}

static int from_exceptions(builder *b) {
    const archase_decisions *ds = b->ds;
    const archase_snapshot *s = ds->snap;
    int rc = 0;
    for (size_t i = 0; i < s->invoice_count && !rc; i++) {
        const ar_assess *a = &ds->assess[i];
        if (a->coverage != ARCHASE_COVERAGE_EXCEPTION)
            continue;
        const ar_snap_invoice *si = &s->invoices[i];
        const ar_snap_customer *c = &s->customers[si->customer];
        const char *owner = c->collector != AR_STR_NONE ? ar_snap_str(s, c->collector)
                            : c->owner != AR_STR_NONE   ? ar_snap_str(s, c->owner)
                                                        : "unassigned";
        ar_reasons why = { { 0 } };
        ar_reasons_add(&why, a->reason);
        wl_line *l;
        rc = add_line(b, owner, si->customer, ARCHASE_WORK_EXCEPTION, ds->as_of, &why, SIZE_MAX, &l);
        if (!rc && l)
            rc = add_invoice(b, l, (uint32_t)i);
    }
    return rc;
}

/* ---- merging and ranking --------------------------------------------------------- */

static int cmp_identity(const void *a, const void *b) {
    const wl_line *x = a, *y = b;
    int c = strcmp(x->owner, y->owner);
    if (c)
        return c;
    if (x->customer != y->customer)
        return x->customer < y->customer ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (x->decision != y->decision)
        return x->decision < y->decision ? -1 : 1;
    return (x->inv_first > y->inv_first) - (x->inv_first < y->inv_first);
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Lines of one owner, customer and kind become one; its invoices once each. */
static int merge(archase_worklist *wl) {
    sort(wl->lines, wl->n, sizeof *wl->lines, cmp_identity);
    uint32_t *invs = ar_malloc_array(&wl->allocator, wl->inv_n ? wl->inv_n : 1, sizeof *invs);
    if (!invs)
        return ARCHASE_ENOMEM;
    size_t kept = 0, inv_n = 0;
    for (size_t i = 0; i < wl->n;) {
        wl_line line = wl->lines[i];
        size_t first = inv_n;
        size_t j = i;
        for (; j < wl->n && !strcmp(wl->lines[j].owner, line.owner) && wl->lines[j].customer == line.customer &&
               wl->lines[j].kind == line.kind;
             j++) {
            const wl_line *o = &wl->lines[j];
            memcpy(invs + inv_n, wl->invs + o->inv_first, o->inv_count * sizeof *invs);
            inv_n += o->inv_count;
            ar_reasons_merge(&line.reasons, &o->reasons);
            if (o->due_by < line.due_by)
                line.due_by = o->due_by;
        }
        sort(invs + first, inv_n - first, sizeof *invs, cmp_u32);
        size_t unique = first;
        for (size_t k = first; k < inv_n; k++)
            if (k == first || invs[k] != invs[unique - 1])
                invs[unique++] = invs[k];
        inv_n = unique;
        line.inv_first = (uint32_t)first;
        line.inv_count = (uint32_t)(inv_n - first);
        wl->lines[kept++] = line;
        i = j;
    }
    ar_free(&wl->allocator, wl->invs);
    wl->invs = invs;
    wl->inv_n = inv_n;
    wl->n = kept;
    return 0;
}

static void figures(archase_worklist *wl) {
    const archase_decisions *ds = wl->ds;
    const archase_snapshot *s = ds->snap;
    int order = ds->policy->call_queue.order;
    for (size_t i = 0; i < wl->n; i++) {
        wl_line *l = &wl->lines[i];
        l->score = -1;
        l->days = INT32_MIN;
        for (uint32_t k = 0; k < l->inv_count; k++) {
            uint32_t pos = wl->invs[l->inv_first + k];
            const ar_snap_invoice *si = &s->invoices[pos];
            if (!k)
                memcpy(l->currency, si->currency, 4);
            if (!memcmp(l->currency, si->currency, 4))
                l->amount += si->open;
            if (ds->assess[pos].score > l->score)
                l->score = ds->assess[pos].score;
            if (ds->as_of - si->due_date > l->days)
                l->days = ds->as_of - si->due_date;
        }
        l->order_key = order == AR_ORDER_OPEN_AMOUNT    ? l->amount
                       : order == AR_ORDER_DAYS_OVERDUE ? l->days
                                                        : l->score;
    }
}

static int cmp_rank(const void *a, const void *b) {
    const wl_line *x = a, *y = b;
    if (x->order_key != y->order_key)
        return x->order_key > y->order_key ? -1 : 1;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    if (x->amount != y->amount)
        return x->amount > y->amount ? -1 : 1;
    if (x->days != y->days)
        return x->days > y->days ? -1 : 1;
    if (x->due_by != y->due_by)
        return x->due_by < y->due_by ? -1 : 1;
    if (x->customer != y->customer)
        return x->customer < y->customer ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return strcmp(x->owner, y->owner);
}

int archase_worklist_build(const archase_decisions *ds, const archase_worklist_options *opts,
                           archase_worklist **out) {
    if (!ds || !out)
        return ARCHASE_EINVAL;
    if (opts && opts->version != ARCHASE_WORKLIST_OPTIONS_VERSION)
        return ARCHASE_EVERSION;
    archase_worklist *wl = ar_calloc(&ds->allocator, 1, sizeof *wl);
    if (!wl)
        return ARCHASE_ENOMEM;
    wl->allocator = ds->allocator;
    wl->ds = ds;
    builder b = { wl, ds, opts ? opts->owner : NULL };
    int rc = from_decisions(&b);
    if (!rc)
        rc = from_disputes(&b);
    if (!rc)
        rc = from_exceptions(&b);
    if (!rc)
        rc = merge(wl);
    if (!rc) {
        figures(wl);
        sort(wl->lines, wl->n, sizeof *wl->lines, cmp_rank);
        *out = wl;
        wl = NULL;
    }
    archase_worklist_free(wl);
    return rc;
}

void archase_worklist_free(archase_worklist *wl) {
    if (!wl)
        return;
    ar_free(&wl->allocator, wl->lines);
    ar_free(&wl->allocator, wl->invs);
    ar_free(&wl->allocator, wl);
}

size_t archase_worklist_count(const archase_worklist *wl) {
    return wl ? wl->n : 0;
}

int archase_worklist_line_get(const archase_worklist *wl, size_t i, archase_worklist_line *out) {
    if (!wl || !out)
        return ARCHASE_EINVAL;
    if (out->version != ARCHASE_WORKLIST_LINE_VERSION)
        return ARCHASE_EVERSION;
    if (i >= wl->n)
        return ARCHASE_ERANGE;
    const wl_line *l = &wl->lines[i];
    archase_worklist_line r = ARCHASE_WORKLIST_LINE_INIT;
    r.rank = (uint32_t)i + 1;
    r.owner = l->owner;
    r.customer_id = ar_snap_customer_id(wl->ds->snap, l->customer);
    r.invoice_count = l->inv_count;
    r.kind = l->kind;
    r.next_action = next_actions[l->kind];
    r.due_by = l->due_by;
    r.score = l->score;
    r.amount.minor = l->amount;
    memcpy(r.amount.currency, l->currency, 4);
    r.days_overdue = l->days;
    r.reason_count = ar_reasons_count(&l->reasons);
    r.decision = l->decision;
    *out = r;
    return 0;
}

int archase_worklist_line_invoice(const archase_worklist *wl, size_t i, size_t j, const char **out) {
    if (!wl || !out)
        return ARCHASE_EINVAL;
    if (i >= wl->n || j >= wl->lines[i].inv_count)
        return ARCHASE_ERANGE;
    const archase_snapshot *s = wl->ds->snap;
    *out = ar_snap_invoice_id(s, wl->invs[wl->lines[i].inv_first + j]);
    return 0;
}

int archase_worklist_line_reason(const archase_worklist *wl, size_t i, size_t j, int *out) {
    if (!wl || !out)
        return ARCHASE_EINVAL;
    if (i >= wl->n || j >= ar_reasons_count(&wl->lines[i].reasons))
        return ARCHASE_ERANGE;
    *out = ar_reasons_at(&wl->lines[i].reasons, j);
    return 0;
}
