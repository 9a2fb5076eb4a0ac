/* libarchase/engine/cycle_message.c — the outbox item of one decision
 * (cycle_items.h): customer messages and internal routes. */
#include <stdio.h>
#include <string.h>

#include "archase/date.h"
#include "archase/errors.h"
#include "core/alloc.h"
#include "engine/cycle_items.h"

/* ---- delivery settings ------------------------------------------------------------ */

void ar_delivery_of(const archase_policy *p, ar_delivery *out) {
    out->max_attempts = p->delivery.max_attempts;
    out->backoff_seconds = p->delivery.retry_backoff_seconds;
    out->review = p->delivery.review;
    out->digest_weekday = p->delivery.digest_weekday;
}

static int in_list(const ar_name_list *l, const char *name) {
    for (uint32_t i = 0; name && i < l->count; i++)
        if (!strcmp(l->items[i], name))
            return 1;
    return 0;
}

int ar_delivery_is_draft(const archase_policy *p, int review, const char *segment, const ar_reasons *r) {
    const ar_delivery_settings *d = &p->delivery;
    if (in_list(&d->review_segments, segment))
        return 1;
    if (!review && !d->review)
        return 0;
    /* Disputes and relationship-sensitive accounts stay with a person. */
    static const int human_owned[] = { ARCHASE_REASON_DISPUTED_PART_PAUSED, ARCHASE_REASON_STRATEGIC_ACCOUNT,
                                       ARCHASE_REASON_SERVICE_ISSUE, ARCHASE_REASON_EXPANSION_TALKS,
                                       ARCHASE_REASON_TONE_SOFTENED, ARCHASE_REASON_DISPUTED };
    for (size_t i = 0; i < sizeof human_owned / sizeof human_owned[0]; i++)
        if (ar_reasons_has(r, human_owned[i]))
            return 1;
    if (!review && in_list(&d->automatic_segments, segment))
        return 0;
    return 1;
}

/* ---- builder ---------------------------------------------------------------------- */

void ar_item_builder_init(ar_item_builder *b, const archase_allocator *a) {
    memset(b, 0, sizeof *b);
    b->allocator = a;
    ar_buf_init(&b->subject, a);
    ar_buf_init(&b->body, a);
    ar_fact_init(&b->contact, a);
}

void ar_item_builder_free(ar_item_builder *b) {
    ar_buf_free(&b->subject);
    ar_buf_free(&b->body);
    ar_fact_free(&b->contact);
    ar_free(b->allocator, b->invoices);
    ar_free(b->allocator, b->ids);
    memset(b, 0, sizeof *b);
}

static int reserve(ar_item_builder *b, size_t n) {
    if (n <= b->cap)
        return 0;
    size_t cap = n < 16 ? 16 : n * 2;
    ar_render_invoice *inv = ar_malloc_array(b->allocator, cap, sizeof *inv);
    const char **ids = ar_malloc_array(b->allocator, cap, sizeof *ids);
    if (!inv || !ids) {
        ar_free(b->allocator, inv);
        ar_free(b->allocator, ids);
        return ARCHASE_ENOMEM;
    }
    ar_free(b->allocator, b->invoices);
    ar_free(b->allocator, b->ids);
    b->invoices = inv;
    b->ids = ids;
    b->cap = cap;
    return 0;
}

void ar_put_money(ar_buf *b, const archase_money *m) {
    char text[ARCHASE_MONEY_FORMAT_MAX];
    if (!m->currency[0] || archase_money_format(m, text, sizeof text))
        snprintf(text, sizeof text, "%lld", (long long)m->minor);
    ar_buf_puts(b, text);
}

void ar_put_date(ar_buf *b, archase_date d) {
    char text[ARCHASE_DATE_FORMAT_MAX];
    if (d != ARCHASE_DATE_NONE && archase_date_format(d, text, sizeof text) == 0)
        ar_buf_puts(b, text);
}

/* ---- the contact ------------------------------------------------------------------ */

typedef struct contact_ctx {
    ar_fact *f;
    int      rc;
} contact_ctx;

static int take_contact(void *ctx, const archase_record *rec) {
    contact_ctx *c = ctx;
    c->rc = ar_fact_decode(c->f, ARCHASE_FAMILY_CONTACT, rec->data, rec->size);
    return 0;
}

static int load_contact(archase_engine *e, const char *id, ar_item_builder *b, const archase_contact **out) {
    contact_ctx c = { &b->contact, 0 };
    int rc = ar_store_get(e, ARCHASE_FAMILY_CONTACT, id, take_contact, &c);
    if (rc == ARCHASE_ENOTFOUND)
        return ar_error_set(&e->err, ARCHASE_ESTORAGE, "the consented contact '%s' is gone", id);
    if (rc)
        return rc;
    if (c.rc == ARCHASE_ENOMEM)
        return ar_error_set(&e->err, c.rc, "out of memory");
    if (c.rc)
        return ar_error_set(&e->err, ARCHASE_ESTORAGE, "stored contact '%s' cannot be decoded", id);
    *out = &b->contact.u.contact;
    return 0;
}

/* ---- the item ----------------------------------------------------------------------- */

/* The render context of decision i: its invoices as the snapshot has them. */
static void render_context(const archase_decisions *ds, const ar_decision *d, ar_item_builder *b,
                           ar_render_ctx *r) {
    const archase_snapshot *s = ds->snap;
    const ar_snap_customer *cust = &s->customers[d->customer];
    memset(r, 0, sizeof *r);
    r->customer_id = ar_snap_customer_id(s, d->customer);
    r->customer_name = ar_snap_str(s, cust->name);
    r->owner = ar_snap_str(s, cust->owner);
    r->collector = ar_snap_str(s, cust->collector);
    r->locale = ar_snap_str(s, cust->locale);
    r->as_of = ds->as_of;
    r->promise_date = ARCHASE_DATE_NONE;
    r->dispute_sla_date = ARCHASE_DATE_NONE;
    r->total_open.currency[0] = r->total_overdue.currency[0] = '\0';
    for (uint32_t k = 0; k < d->target_count; k++) {
        const ar_target *t = &ds->targets[d->target_first + k];
        const ar_snap_invoice *inv = &s->invoices[t->invoice];
        ar_render_invoice *v = &b->invoices[k];
        memset(v, 0, sizeof *v);
        v->id = ar_snap_invoice_id(s, t->invoice);
        v->number = ar_snap_str(s, inv->number);
        v->po_ref = ar_snap_str(s, inv->po_ref);
        v->source_link = ar_snap_str(s, inv->source_link);
        v->issue_date = inv->issue_date;
        v->due_date = inv->due_date;
        v->amount.minor = inv->amount;
        memcpy(v->amount.currency, inv->currency, 4);
        v->open_amount.minor = inv->open;
        memcpy(v->open_amount.currency, inv->currency, 4);
        v->days_overdue = ds->as_of - inv->due_date;
        b->ids[k] = v->id;
        if (k == 0) {
            memcpy(r->total_open.currency, inv->currency, 4);
            memcpy(r->total_overdue.currency, inv->currency, 4);
        }
        if (!strcmp(r->total_open.currency, inv->currency)) {
            r->total_open.minor += inv->open;
            if (v->days_overdue > 0)
                r->total_overdue.minor += inv->open;
        }
    }
    r->invoices = b->invoices;
    r->invoice_count = d->target_count;
}

static const char *kind_title(int kind) {
    switch (kind) {
    case ARCHASE_DECISION_QUEUE_CALL: return "Call";
    case ARCHASE_DECISION_ALERT_OWNER: return "Owner alert";
    case ARCHASE_DECISION_ESCALATE: return "Escalation";
    default: return "Action";
    }
}

/* The built-in summary of an internal route: what, who, the invoices, the
 * reasons, the rule, the score and every fact the decision used. */
static void internal_text(const archase_decisions *ds, size_t i, const archase_decision *pd,
                          const ar_render_ctx *r, ar_item_builder *b) {
    ar_buf *s = &b->subject, *t = &b->body;
    ar_buf_printf(s, "%s: %s (%s), %zu invoice%s, ", kind_title(pd->kind),
                  r->customer_name ? r->customer_name : pd->customer_id, pd->customer_id,
                  r->invoice_count, r->invoice_count == 1 ? "" : "s");
    ar_put_money(s, &pd->amount);
    ar_buf_printf(t, "%s for %s (%s)\n", kind_title(pd->kind), r->customer_name ? r->customer_name : "",
                  pd->customer_id);
    if (pd->owner)
        ar_buf_printf(t, "owner: %s\n", pd->owner);
    ar_buf_puts(t, "decide by: ");
    ar_put_date(t, pd->due_by);
    ar_buf_puts(t, "\namount: ");
    ar_put_money(t, &pd->amount);
    ar_buf_puts(t, "\ninvoices:\n");
    for (size_t k = 0; k < r->invoice_count; k++) {
        const ar_render_invoice *v = &r->invoices[k];
        ar_buf_printf(t, "- %s (%s) due ", v->id, v->number ? v->number : "");
        ar_put_date(t, v->due_date);
        ar_buf_puts(t, ", ");
        ar_put_money(t, &v->open_amount);
        ar_buf_printf(t, " open, %d day%s overdue\n", (int)v->days_overdue, v->days_overdue == 1 ? "" : "s");
    }
    ar_buf_puts(t, "reasons:");
    for (size_t k = 0; k < pd->reason_count; k++) {
        int reason = 0;
        archase_decision_reason(ds, i, k, &reason);
        ar_buf_printf(t, " %s", archase_reason_name(reason));
    }
    ar_buf_printf(t, "\nrule: %s\n", pd->rule ? pd->rule : "");
    if (pd->score >= 0)
        ar_buf_printf(t, "risk score: %d\n", (int)pd->score);
    if (pd->recovery_plan)
        ar_buf_puts(t, "a recovery plan is asked for\n");
    for (size_t k = 0; k < pd->fact_count; k++) {
        archase_decision_fact f = ARCHASE_DECISION_FACT_INIT;
        if (archase_decision_fact_get(ds, i, k, &f))
            continue;
        ar_buf_printf(t, "fact %s", f.name);
        if (f.invoice_id)
            ar_buf_printf(t, " [%s]", f.invoice_id);
        ar_buf_puts(t, ": ");
        switch (f.type) {
        case ARCHASE_VALUE_MONEY: {
            archase_money m = { f.number, "" };
            memcpy(m.currency, f.currency, 4);
            ar_put_money(t, &m);
            break;
        }
        case ARCHASE_VALUE_DATE: ar_put_date(t, (archase_date)f.number); break;
        case ARCHASE_VALUE_BOOL: ar_buf_puts(t, f.number ? "true" : "false"); break;
        case ARCHASE_VALUE_TEXT: ar_buf_puts(t, f.text ? f.text : ""); break;
        default: ar_buf_printf(t, "%lld", (long long)f.number); break;
        }
        if (f.type != ARCHASE_VALUE_TEXT && f.text)
            ar_buf_printf(t, " (%s)", f.text);
        ar_buf_putc(t, '\n');
    }
}

int ar_item_from_decision(archase_engine *e, const archase_decisions *ds, size_t i,
                          const ar_delivery *dl, int draft, archase_instant now,
                          ar_item_builder *b, ar_outbox *o, int *made) {
    const ar_decision *d = &ds->d[i];
    const archase_policy *p = ds->policy;
    *made = 0;
    int internal = d->kind == ARCHASE_DECISION_QUEUE_CALL || d->kind == ARCHASE_DECISION_ALERT_OWNER ||
                   d->kind == ARCHASE_DECISION_ESCALATE;
    if (d->kind != ARCHASE_DECISION_SEND_MESSAGE && !internal)
        return 0;
    archase_decision pd = ARCHASE_DECISION_INIT;
    int rc = archase_decision_get(ds, i, &pd);
    if (rc)
        return ar_error_set(&e->err, rc, "reading decision %zu failed", i);
    if (reserve(b, d->target_count))
        return ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
    ar_outbox_free(o);
    archase_outbox_item *it = &o->item;
    render_context(ds, d, b, &o->render);
    o->has_render = d->kind == ARCHASE_DECISION_SEND_MESSAGE;
    ar_buf_reset(&b->subject);
    ar_buf_reset(&b->body);
    const ar_template *tmpl = pd.template_name ? ar_policy_template(p, pd.template_name) : NULL;
    int channel = d->kind == ARCHASE_DECISION_SEND_MESSAGE ? d->channel : ARCHASE_CHANNEL_INTERNAL;
    if (tmpl && ar_template_has_channel(tmpl, channel)) {
        rc = ar_template_render(tmpl, &o->render, channel, &b->body);
        if (rc == 0 && ar_template_render_subject(tmpl, &o->render, channel, &b->subject) == ARCHASE_ENOTFOUND)
            ar_buf_reset(&b->subject);
        if (rc && rc != ARCHASE_ENOMEM)
            return ar_error_set(&e->err, ARCHASE_EPOLICY, "template '%s' has no %s text", tmpl->name,
                                ar_channel_name(channel));
    } else if (internal) {
        internal_text(ds, i, &pd, &o->render, b);
    } else {
        return ar_error_set(&e->err, ARCHASE_EPOLICY, "the message of decision '%s' has no template", pd.key);
    }
    ar_buf_terminate(&b->subject);
    ar_buf_terminate(&b->body);
    if (b->subject.err || b->body.err)
        return ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory rendering a message");
    if (!internal) {
        const archase_contact *contact = NULL;
        if (!pd.contact_id)
            return ar_error_set(&e->err, ARCHASE_EINVAL, "message '%s' has no consented contact", pd.key);
        rc = load_contact(e, pd.contact_id, b, &contact);
        if (rc)
            return rc;
        it->contact_id = pd.contact_id;
        it->address = contact->address;
        it->recipient_name = contact->name;
    } else {
        it->address = pd.owner;
    }
    rc = ar_outbox_key(e, pd.key, 1, b->key);
    if (rc)
        return rc;
    size_t nr = ar_reasons_count(&d->reasons);
    for (size_t k = 0; k < nr && k < ARCHASE_REASON_LIMIT_; k++)
        b->reasons[k] = ar_reasons_at(&d->reasons, k);
    it->id = it->idempotency_key = b->key;
    it->decision_key = pd.key;
    it->status = draft ? ARCHASE_OUTBOX_DRAFT : ARCHASE_OUTBOX_PENDING;
    it->kind = d->kind;
    it->action = d->action ? d->action : (internal ? d->kind : ARCHASE_ACTION_SEND_MESSAGE);
    it->channel = channel;
    it->customer_id = pd.customer_id;
    it->invoice_count = d->target_count;
    it->invoice_ids = b->ids;
    it->template_name = pd.template_name;
    it->tone = pd.tone;
    it->subject = (const char *)b->subject.data;
    it->body = (const char *)b->body.data;
    it->owner = pd.owner ? pd.owner : o->render.collector ? o->render.collector : o->render.owner;
    it->rule = pd.rule;
    it->segment = pd.segment;
    it->score = pd.score;
    it->reason_count = nr;
    it->reasons = b->reasons;
    it->amount = pd.amount;
    it->as_of = ds->as_of;
    it->created_at = now;
    it->scheduled_at = pd.scheduled_at;
    it->next_attempt_at = pd.scheduled_at;
    it->timezone = pd.timezone;
    it->local_date = pd.local_date;
    it->local_seconds = pd.local_seconds;
    it->max_attempts = dl->max_attempts;
    it->draft = draft;
    o->backoff_seconds = dl->backoff_seconds;
    o->gated = archase_action_is_sensitive(it->action) ||
               (it->action > 0 && it->action < 32 && (p->approvals.sensitive >> it->action) & 1u);
    *made = 1;
    return 0;
}
