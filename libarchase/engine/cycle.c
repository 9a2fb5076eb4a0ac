/* libarchase/engine/cycle.c — the daily cycle (archase/cycle.h): snapshot,
 * evaluation, one transaction that stores everything the day decided, the
 * commit, then dispatch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/audit.h"
#include "archase/cycle.h"
#include "archase/date.h"
#include "archase/errors.h"
#include "audit/record.h"
#include "core/alloc.h"
#include "core/crashpoint.h"
#include "engine/apply.h"
#include "engine/approval.h"
#include "engine/credit_notice.h"
#include "engine/cycle_items.h"
#include "engine/lifecycle.h"

int archase_cycle_options_init(archase_cycle_options *opts, unsigned version) {
    if (!opts)
        return ARCHASE_EINVAL;
    if (version != ARCHASE_CYCLE_OPTIONS_VERSION)
        return ARCHASE_EVERSION;
    archase_cycle_options init = ARCHASE_CYCLE_OPTIONS_INIT;
    *opts = init;
    return 0;
}

/* The state of one run. */
typedef struct cycle {
    archase_engine          *e;
    const archase_policy    *policy;
    const archase_decisions *ds;
    archase_date             as_of;
    archase_instant          now;
    ar_delivery              dl;
    int                      review;
    archase_cycle_report     rep;
    ar_item_builder          b;
    ar_outbox                o;
    ar_canon                 c;
    ar_buf                   text;
} cycle;

/* Stores a new item with its audit record; an item already there (a
 * re-run of the same day) is left alone. */
static int write_item(cycle *cy) {
    archase_engine *e = cy->e;
    int rc = ar_outbox_store(e, &cy->o, &cy->c, 1);
    if (rc == ARCHASE_ECONFLICT) {
        ar_error_clear(&e->err);
        cy->rep.outbox_existing++;
        return 0;
    }
    if (!rc)
        rc = ar_outbox_audit_new(e, &cy->o, cy->c.buf.data, cy->c.buf.len);
    if (rc)
        return rc;
    cy->rep.outbox_written++;
    cy->rep.audit_records++;
    if (cy->o.item.status == ARCHASE_OUTBOX_DRAFT)
        cy->rep.drafts++;
    if (cy->o.item.channel == ARCHASE_CHANNEL_INTERNAL)
        cy->rep.internal_routes++;
    return 0;
}

/* ---- decisions ------------------------------------------------------------------------ */

static int write_decisions(cycle *cy) {
    const archase_decisions *ds = cy->ds;
    int rc = 0;
    for (size_t i = 0; i < ds->n && !rc; i++) {
        const ar_decision *d = &ds->d[i];
        cy->rep.by_kind[d->kind]++;
        if (d->kind == ARCHASE_DECISION_REQUEST_APPROVAL) {
            char id[ARCHASE_APPROVAL_ID_MAX];
            int created = 0;
            rc = ar_approval_raise_decision(cy->e, cy->policy, ds, i, id, &created);
            if (!rc && created) {
                cy->rep.approvals_raised++;
                cy->rep.audit_records++;
            }
            continue;
        }
        const char *segment = d->lead != AR_IDX_NONE ? ds->policy->segments[ds->assess[d->lead].segment].name : NULL;
        int draft = d->kind == ARCHASE_DECISION_SEND_MESSAGE &&
                    ar_delivery_is_draft(cy->policy, cy->review, segment, &d->reasons);
        int made = 0;
        rc = ar_item_from_decision(cy->e, ds, i, &cy->dl, draft, cy->now, &cy->b, &cy->o, &made);
        if (!rc && made)
            rc = write_item(cy);
    }
    return rc;
}

/* ---- queued messages whose invoices closed ---------------------------------------------- */

typedef struct stale {
    cycle  *cy;
    char  **ids;
    int    *held;     /* per id: 1 when a hold (or pause) stopped it, 0 when its invoices closed */
    size_t  n, cap, held_cap;
    int     rc;
} stale;

/* An item still waiting whose customer message is about invoices none of
 * which is open and chased any more: paid, credited, written off since it
 * was queued, or their customer put on hold or paused (customer context
 * wins: a message decided before the hold does not go out during it). */
static int find_stale(void *ctx, const archase_record *rec) {
    stale *s = ctx;
    cycle *cy = s->cy;
    const archase_allocator *a = AR_ENGINE_ALLOC(cy->e);
    int rc = ar_outbox_decode(&cy->o, rec);
    if (rc)
        return s->rc = ar_error_set(&cy->e->err, rc == ARCHASE_ENOMEM ? rc : ARCHASE_ESTORAGE,
                                    "outbox item '%s' cannot be decoded", rec->id);
    const archase_outbox_item *it = &cy->o.item;
    if (it->kind != ARCHASE_DECISION_SEND_MESSAGE || !it->invoice_count)
        return 0;
    int held = 0;
    for (size_t k = 0; k < it->invoice_count; k++) {
        size_t at;
        if (archase_assessment_find(cy->ds, it->invoice_ids[k], &at) != 0)
            continue; /* no longer open */
        archase_invoice_assessment as = ARCHASE_INVOICE_ASSESSMENT_INIT;
        if (archase_assessment_get(cy->ds, at, &as) == 0 && as.coverage == ARCHASE_COVERAGE_HOLD) {
            held = 1;
            continue;
        }
        return 0;
    }
    if (ar_grow(a, (void **)&s->ids, &s->cap, s->n + 1, sizeof *s->ids) ||
        ar_grow(a, (void **)&s->held, &s->held_cap, s->n + 1, sizeof *s->held) ||
        !(s->ids[s->n] = ar_strdup(a, rec->id)))
        return s->rc = ar_error_set(&cy->e->err, ARCHASE_ENOMEM, "out of memory");
    s->held[s->n] = held;
    s->n++;
    return 0;
}

static int cancel_stale(cycle *cy) {
    static const int waiting[] = { ARCHASE_OUTBOX_PENDING, ARCHASE_OUTBOX_FAILED_RETRY, ARCHASE_OUTBOX_DRAFT };
    archase_engine *e = cy->e;
    stale s = { cy, NULL, NULL, 0, 0, 0, 0 };
    int rc = 0;
    for (size_t w = 0; w < sizeof waiting / sizeof waiting[0] && !rc; w++) {
        archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
        f.family = ARCHASE_FAMILY_OUTBOX;
        f.status = waiting[w];
        f.date_to = cy->as_of - 1; /* written by an earlier day */
        rc = ar_store_scan(e, &f, find_stale, &s);
        if (s.rc)
            rc = s.rc;
    }
    for (size_t i = 0; i < s.n && !rc; i++) {
        rc = ar_outbox_load(e, s.ids[i], &cy->o);
        if (rc)
            break;
        int from = cy->o.item.status;
        cy->o.item.status = ARCHASE_OUTBOX_CANCELLED;
        cy->o.item.next_attempt_at = cy->now;
        rc = ar_outbox_store(e, &cy->o, &cy->c, 0);
        if (!rc)
            rc = ar_outbox_audit(e, s.ids[i], from, ARCHASE_OUTBOX_CANCELLED, cy->o.item.attempts, NULL, NULL,
                                 s.held[i] ? "hold" : "invoice_closed");
        if (!rc) {
            cy->rep.cancelled++;
            cy->rep.audit_records++;
        }
    }
    for (size_t i = 0; i < s.n; i++)
        ar_free(AR_ENGINE_ALLOC(e), s.ids[i]);
    ar_free(AR_ENGINE_ALLOC(e), s.ids);
    ar_free(AR_ENGINE_ALLOC(e), s.held);
    return rc;
}

/* ---- approved sensitive actions --------------------------------------------------------- */

typedef struct approved {
    cycle *cy;
    char **ids;
    size_t n, cap;
    int    rc;
} approved;

static int collect_id(void *ctx, const archase_record *rec) {
    approved *ap = ctx;
    const archase_allocator *a = AR_ENGINE_ALLOC(ap->cy->e);
    if (ar_grow(a, (void **)&ap->ids, &ap->cap, ap->n + 1, sizeof *ap->ids) ||
        !(ap->ids[ap->n] = ar_strdup(a, rec->id)))
        return ap->rc = ar_error_set(&ap->cy->e->err, ARCHASE_ENOMEM, "out of memory");
    ap->n++;
    return 0;
}

/* The item that carries out approved request `a`: to the host's route for
 * the action ("action:write_off"), gated again at dispatch. */
static int approved_item(cycle *cy, const ar_approval *a) {
    ar_buf *t = &cy->text;
    ar_outbox *o = &cy->o;
    ar_outbox_free(o);
    ar_buf_reset(t);
    const char *action = archase_action_name(a->act.action);
    char key[ARCHASE_IDEMPOTENCY_KEY_MAX], route[64];
    snprintf(key, sizeof key, "approved/%s#1", a->id);
    snprintf(route, sizeof route, "action:%s", action ? action : "unknown");
    size_t subject_at = 0;
    ar_buf_printf(t, "Carry out %s for %s", action ? action : "?", a->act.customer_id);
    ar_buf_putc(t, 0);
    size_t body_at = t->len;
    ar_buf_printf(t, "Approved request %s: %s for customer %s\n", a->id, action ? action : "?", a->act.customer_id);
    for (uint32_t k = 0; k < a->act.invoice_count; k++)
        ar_buf_printf(t, "- invoice %s\n", a->act.invoice_ids[k]);
    if (a->act.amount.currency[0]) {
        ar_buf_puts(t, "amount: ");
        ar_put_money(t, &a->act.amount);
        ar_buf_putc(t, '\n');
    }
    if (a->act.detail)
        ar_buf_printf(t, "detail: %s\n", a->act.detail);
    ar_buf_printf(t, "requested by %s: %s\n", a->requester, a->justification);
    for (uint32_t k = 0; k < a->vote_count; k++)
        ar_buf_printf(t, "approved by %s (%s): %s\n", a->votes[k].actor, a->votes[k].role ? a->votes[k].role : "",
                      a->votes[k].reason ? a->votes[k].reason : "");
    ar_buf_putc(t, 0);
    if (t->err)
        return ar_error_set(&cy->e->err, ARCHASE_ENOMEM, "out of memory");
    archase_outbox_item *it = &o->item;
    it->id = it->idempotency_key = key;
    it->decision_key = a->decision_key;
    it->status = ARCHASE_OUTBOX_PENDING;
    it->kind = ARCHASE_DECISION_APPLY_APPROVED;
    it->action = a->act.action;
    it->channel = ARCHASE_CHANNEL_INTERNAL;
    it->customer_id = a->act.customer_id;
    it->invoice_count = a->act.invoice_count;
    it->invoice_ids = a->act.invoice_ids;
    it->address = route;
    it->subject = (const char *)t->data + subject_at;
    it->body = (const char *)t->data + body_at;
    it->owner = a->requester;
    it->rule = a->act.rule;
    it->amount = a->act.amount;
    it->as_of = cy->as_of;
    it->created_at = cy->now;
    it->scheduled_at = it->next_attempt_at = cy->now;
    it->max_attempts = cy->dl.max_attempts;
    it->approval_id = a->id;
    o->backoff_seconds = cy->dl.backoff_seconds;
    o->gated = 1;
    size_t before = cy->rep.outbox_written;
    int rc = write_item(cy);
    if (!rc && cy->rep.outbox_written > before)
        cy->rep.approved_actions++;
    return rc;
}

static int carry_out_approved(cycle *cy) {
    archase_engine *e = cy->e;
    approved ap = { cy, NULL, 0, 0, 0 };
    archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
    f.family = ARCHASE_FAMILY_APPROVAL;
    f.status = ARCHASE_APPROVAL_APPROVED;
    f.flags = ARCHASE_SCAN_NO_DATA;
    int rc = ar_store_scan(e, &f, collect_id, &ap);
    if (ap.rc)
        rc = ap.rc;
    ar_approval a;
    ar_approval_init(&a, AR_ENGINE_ALLOC(e));
    for (size_t i = 0; i < ap.n && !rc; i++) {
        rc = ar_approval_load(e, ap.ids[i], &a);
        int ready = 1; /* a credit hold waits for its notice and the notice days */
        if (!rc && a.act.action == ARCHASE_ACTION_CREDIT_HOLD)
            rc = ar_credit_notice_ready(e, a.id, cy->now, &ready, NULL);
        if (!rc && ready)
            rc = approved_item(cy, &a);
    }
    ar_approval_free(&a);
    for (size_t i = 0; i < ap.n; i++)
        ar_free(AR_ENGINE_ALLOC(e), ap.ids[i]);
    ar_free(AR_ENGINE_ALLOC(e), ap.ids);
    return rc;
}

/* ---- the owners' weekly digest ------------------------------------------------------------ */

typedef struct digest_line {
    char *owner;
    char *line;
} digest_line;

typedef struct digest {
    cycle       *cy;
    digest_line *lines;
    size_t       n, cap;
    int          rc;
} digest;

/* One line per internal route of the last seven days, by its owner. */
static int digest_take(void *ctx, const archase_record *rec) {
    digest *g = ctx;
    cycle *cy = g->cy;
    const archase_allocator *a = AR_ENGINE_ALLOC(cy->e);
    int rc = ar_outbox_decode(&cy->o, rec);
    if (rc)
        return g->rc = ar_error_set(&cy->e->err, rc == ARCHASE_ENOMEM ? rc : ARCHASE_ESTORAGE,
                                    "outbox item '%s' cannot be decoded", rec->id);
    const archase_outbox_item *it = &cy->o.item;
    if (it->channel != ARCHASE_CHANNEL_INTERNAL || !it->owner || it->kind == ARCHASE_DECISION_APPLY_APPROVED ||
        !strncmp(it->id, "digest/", 7))
        return 0;
    char when[ARCHASE_DATE_FORMAT_MAX] = "";
    archase_date_format(it->as_of, when, sizeof when);
    ar_buf line;
    ar_buf_init(&line, a);
    ar_buf_printf(&line, "%s  %s  [%s]", when, it->subject, ar_outbox_status_name(it->status) ? ar_outbox_status_name(it->status) : "draft");
    ar_buf_putc(&line, 0);
    if (line.err || ar_grow(a, (void **)&g->lines, &g->cap, g->n + 1, sizeof *g->lines) ||
        !(g->lines[g->n].owner = ar_strdup(a, it->owner))) {
        ar_buf_free(&line);
        return g->rc = ar_error_set(&cy->e->err, ARCHASE_ENOMEM, "out of memory");
    }
    g->lines[g->n++].line = (char *)line.data; /* owned by the line now */
    return 0;
}

static int cmp_line(const void *x, const void *y) {
    const digest_line *a = x, *b = y;
    int c = strcmp(a->owner, b->owner);
    return c ? c : strcmp(a->line, b->line);
}

static int write_digests(cycle *cy) {
    if (!cy->dl.digest_weekday || archase_date_weekday(cy->as_of) != cy->dl.digest_weekday)
        return 0;
    archase_engine *e = cy->e;
    const archase_allocator *a = AR_ENGINE_ALLOC(e);
    digest g = { cy, NULL, 0, 0, 0 };
    archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
    f.family = ARCHASE_FAMILY_OUTBOX;
    f.date_from = cy->as_of - 6;
    f.date_to = cy->as_of;
    int rc = ar_store_scan(e, &f, digest_take, &g);
    if (g.rc)
        rc = g.rc;
    if (!rc && g.n > 1)
        qsort(g.lines, g.n, sizeof *g.lines, cmp_line);
    char when[ARCHASE_DATE_FORMAT_MAX] = "";
    archase_date_format(cy->as_of, when, sizeof when);
    for (size_t i = 0; i < g.n && !rc;) {
        size_t end = i;
        while (end < g.n && !strcmp(g.lines[end].owner, g.lines[i].owner))
            end++;
        char key[ARCHASE_IDEMPOTENCY_KEY_MAX];
        snprintf(key, sizeof key, "digest/%.100s/%s#1", g.lines[i].owner, when);
        ar_buf *t = &cy->text;
        ar_buf_reset(t);
        ar_buf_printf(t, "Weekly digest for %s: %zu item%s", g.lines[i].owner, end - i, end - i == 1 ? "" : "s");
        ar_buf_putc(t, 0);
        size_t body_at = t->len;
        ar_buf_printf(t, "Your collections work of the 7 days to %s:\n", when);
        for (size_t k = i; k < end; k++)
            ar_buf_printf(t, "- %s\n", g.lines[k].line);
        ar_buf_putc(t, 0);
        if (t->err) {
            rc = ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
            break;
        }
        ar_outbox_free(&cy->o);
        archase_outbox_item *it = &cy->o.item;
        it->id = it->idempotency_key = key;
        it->status = ARCHASE_OUTBOX_PENDING;
        it->kind = ARCHASE_DECISION_ALERT_OWNER;
        it->action = ARCHASE_ACTION_ALERT_OWNER;
        it->channel = ARCHASE_CHANNEL_INTERNAL;
        it->address = it->owner = g.lines[i].owner;
        it->subject = (const char *)t->data;
        it->body = (const char *)t->data + body_at;
        it->as_of = cy->as_of;
        it->created_at = cy->now;
        it->scheduled_at = it->next_attempt_at = (archase_instant)cy->as_of * 86400;
        it->max_attempts = cy->dl.max_attempts;
        cy->o.backoff_seconds = cy->dl.backoff_seconds;
        size_t before = cy->rep.outbox_written;
        rc = write_item(cy);
        if (!rc && cy->rep.outbox_written > before)
            cy->rep.digests++;
        i = end;
    }
    for (size_t i = 0; i < g.n; i++) {
        ar_free(a, g.lines[i].owner);
        ar_free(a, g.lines[i].line);
    }
    ar_free(a, g.lines);
    return rc;
}

/* ---- the cycle ---------------------------------------------------------------------------- */

static int in_transaction(cycle *cy, const archase_snapshot *snap) {
    archase_engine *e = cy->e;
    ar_lifecycle_counts lc;
    memset(&lc, 0, sizeof lc);
    int rc = ar_lifecycle_apply_txn(e, cy->policy, snap, cy->as_of, &lc);
    if (!rc)
        rc = cancel_stale(cy);
    if (!rc)
        rc = ar_apply_cadence_txn(e, cy->ds);
    if (!rc)
        rc = write_decisions(cy);
    if (!rc)
        rc = carry_out_approved(cy);
    if (!rc)
        rc = write_digests(cy);
    if (rc)
        return rc;
    archase_cycle_report *r = &cy->rep;
    r->promises_kept = lc.promises_kept;
    r->promises_partially_kept = lc.promises_partially_kept;
    r->promises_broken = lc.promises_broken;
    r->disputes_sla_reminders = lc.disputes_sla_reminders;
    r->disputes_sla_breached = lc.disputes_sla_breached;
    r->recon_opened = lc.recon_opened;
    r->lifecycle_transitions = lc.transitions;
    /* The day's move wrote outbox items of its own (SLA reminders and
     * escalations), cancelled the notice of a withdrawn hold, and wrote an
     * audit record per transition and per item. */
    r->outbox_written += lc.outbox_written;
    r->outbox_existing += lc.outbox_existing;
    r->internal_routes += lc.internal_routes;
    r->cancelled += lc.outbox_cancelled;
    r->audit_records += lc.transitions + lc.outbox_written + lc.outbox_cancelled;
    r->cadence_updates = cy->ds->update_n;
    return 0;
}

int archase_run_cycle(archase_engine *e, const archase_policy *policy, archase_date as_of,
                      const archase_cycle_options *opts, archase_cycle_report *report) {
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (!policy)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "a policy is required");
    archase_cycle_options defaults = ARCHASE_CYCLE_OPTIONS_INIT;
    if (!opts)
        opts = &defaults;
    if (opts->version != ARCHASE_CYCLE_OPTIONS_VERSION)
        return ar_error_set(&e->err, ARCHASE_EVERSION, "cycle options version %u is not %u", opts->version,
                            ARCHASE_CYCLE_OPTIONS_VERSION);
    if (report && report->version != ARCHASE_CYCLE_REPORT_VERSION)
        return ar_error_set(&e->err, ARCHASE_EVERSION, "cycle report version %u is not %u", report->version,
                            ARCHASE_CYCLE_REPORT_VERSION);
    if (e->batch || e->in_txn)
        return ar_error_set(&e->err, ARCHASE_ESTATE, "a batch or transaction is open on the engine");
    archase_snapshot *snap = NULL;
    archase_decisions *ds = NULL;
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = policy;
    so.tzdir = opts->tzdir;
    int rc = archase_snapshot_load(e, as_of, &so, &snap);
    if (rc)
        return rc;
    archase_evaluate_options eo = ARCHASE_EVALUATE_OPTIONS_INIT;
    eo.allocator = AR_ENGINE_ALLOC(e);
    rc = archase_evaluate(snap, policy, as_of, &eo, &ds);
    if (rc) {
        ar_error_set(&e->err, rc, "evaluating the policy as of the day failed");
        archase_snapshot_free(snap);
        return rc;
    }
    cycle cy;
    memset(&cy, 0, sizeof cy);
    cy.e = e;
    cy.policy = policy;
    cy.ds = ds;
    cy.as_of = as_of;
    cy.now = ar_engine_now(e);
    cy.review = opts->review;
    cy.rep.version = ARCHASE_CYCLE_REPORT_VERSION;
    cy.rep.as_of = as_of;
    cy.rep.decisions = ds->n;
    ar_delivery_of(policy, &cy.dl);
    ar_item_builder_init(&cy.b, AR_ENGINE_ALLOC(e));
    ar_outbox_init(&cy.o, AR_ENGINE_ALLOC(e));
    ar_canon_init(&cy.c, AR_ENGINE_ALLOC(e));
    ar_buf_init(&cy.text, AR_ENGINE_ALLOC(e));
    rc = archase_decisions_hash(ds, cy.rep.decisions_hash);
    if (rc) {
        ar_error_set(&e->err, rc, "hashing the decisions failed");
        goto done;
    }
    rc = ar_txn_begin(e);
    if (rc)
        goto done;
    rc = in_transaction(&cy, snap);
    AR_CRASHPOINT("cycle.mid_transaction");
    if (rc) {
        ar_txn_rollback(e);
        goto done;
    }
    rc = ar_txn_commit(e);
    if (rc)
        goto done;
    AR_CRASHPOINT("cycle.after_commit");
    if (opts->dispatch && e->transport.send) {
        archase_dispatch_options dopts = ARCHASE_DISPATCH_OPTIONS_INIT;
        dopts.policy = policy;
        cy.rep.dispatch.version = ARCHASE_DISPATCH_REPORT_VERSION;
        rc = archase_dispatch(e, &dopts, &cy.rep.dispatch);
    }
    if (report)
        *report = cy.rep;
done:
    ar_buf_free(&cy.text);
    ar_canon_free(&cy.c);
    ar_outbox_free(&cy.o);
    ar_item_builder_free(&cy.b);
    archase_decisions_free(ds);
    archase_snapshot_free(snap);
    return rc;
}
