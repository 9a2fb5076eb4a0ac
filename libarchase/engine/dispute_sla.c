/* libarchase/engine/dispute_sla.c — a dispute's SLA as the days pass: the
 * owner is reminded before it, and after it the dispute is escalated to
 * the customer's account owner. Each is, once: a marker record, an audit
 * record of the transition, and an internal outbox item that dispatch
 * delivers through the host's transport (engine/lifecycle_steps.h). */
#include <stdio.h>
#include <string.h>

#include "archase/audit.h"
#include "archase/errors.h"
#include "core/alloc.h"
#include "engine/coll.h"
#include "engine/cycle_items.h"
#include "engine/dispute_internal.h"
#include "engine/lifecycle_steps.h"
#include "engine/outbox.h"

/* Who works the dispute: its owner, else the playbook's role (when it is
 * not the collector), else the customer's collector or account owner. */
static const char *dispute_owner(const archase_policy *p, const archase_snapshot *s, const ar_snap_dispute *d) {
    const ar_snap_customer *c = &s->customers[d->customer];
    const char *role = p->disputes.playbooks[d->reason].owner_role;
    if (d->owner != AR_STR_NONE)
        return ar_snap_str(s, d->owner);
    if (role && strcmp(role, "collector") != 0)
        return role;
    if (c->collector != AR_STR_NONE)
        return ar_snap_str(s, c->collector);
    return c->owner != AR_STR_NONE ? ar_snap_str(s, c->owner) : "unassigned";
}

/* The internal item of a reminder (`breached` 0) or an escalation. */
static int sla_alert(archase_engine *e, const archase_policy *p, const archase_snapshot *s,
                     const ar_snap_dispute *d, int breached, archase_date due, archase_date as_of,
                     ar_lifecycle_counts *counts) {
    const archase_allocator *a = AR_ENGINE_ALLOC(e);
    const ar_snap_customer *c = &s->customers[d->customer];
    const char *id = ar_snap_str(s, d->id);
    const char *owner = dispute_owner(p, s, d);
    const char *to = breached && c->owner != AR_STR_NONE ? ar_snap_str(s, c->owner) : owner;
    ar_outbox o;
    ar_outbox_init(&o, a);
    ar_canon cn;
    ar_canon_init(&cn, a);
    ar_buf t;
    ar_buf_init(&t, a);
    const char **ids = ar_malloc_array(a, d->inv_count ? d->inv_count : 1, sizeof *ids);
    char decision[AR_ID_MAX + 48], key[ARCHASE_IDEMPOTENCY_KEY_MAX], rule[96];
    int rc = 0;
    if (!ids) {
        rc = ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
        goto done;
    }
    size_t n = 0;
    for (uint32_t k = 0; k < d->inv_count; k++) {
        uint32_t inv = s->dispute_invoices[d->inv_first + k];
        if (inv != AR_IDX_NONE)
            ids[n++] = ar_snap_invoice_id(s, inv);
    }
    snprintf(decision, sizeof decision, "dispute/%s/%s", id, breached ? "sla_breached" : "sla_reminder");
    rc = ar_outbox_key(e, decision, 1, key);
    if (rc)
        goto done;
    archase_money amount;
    amount.minor = d->amount;
    memcpy(amount.currency, d->currency, 4);
    ar_buf_printf(&t, breached ? "Dispute %s is past its SLA (due " : "Dispute %s is due by ", id);
    ar_put_date(&t, due);
    ar_buf_puts(&t, breached ? ")" : "");
    ar_buf_putc(&t, 0);
    size_t body_at = t.len;
    ar_buf_printf(&t, "Dispute %s of customer %s: %s, ", id, ar_snap_customer_id(s, d->customer),
                  ar_reason_names[d->reason]);
    ar_put_money(&t, &amount);
    ar_buf_puts(&t, ", opened ");
    ar_put_date(&t, d->opened_on);
    ar_buf_puts(&t, ".\nSLA due: ");
    ar_put_date(&t, due);
    ar_buf_printf(&t, "\nowner: %s\n", owner);
    for (size_t k = 0; k < n; k++)
        ar_buf_printf(&t, "- invoice %s\n", ids[k]);
    ar_buf_puts(&t, breached ? "The SLA has passed: please see that it is resolved.\n"
                             : "Please resolve it before the SLA.\n");
    ar_buf_putc(&t, 0);
    if (t.err) {
        rc = ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
        goto done;
    }
    snprintf(rule, sizeof rule, "disputes.playbooks.%s.sla_days", ar_reason_names[d->reason]);
    static const int reasons[] = { ARCHASE_REASON_DISPUTED };
    ar_delivery dl;
    ar_delivery_of(p, &dl);
    archase_outbox_item *it = &o.item;
    it->id = it->idempotency_key = key;
    it->status = ARCHASE_OUTBOX_PENDING;
    it->kind = breached ? ARCHASE_DECISION_ESCALATE : ARCHASE_DECISION_ALERT_OWNER;
    it->action = breached ? ARCHASE_ACTION_ESCALATE : ARCHASE_ACTION_ALERT_OWNER;
    it->channel = ARCHASE_CHANNEL_INTERNAL;
    it->customer_id = ar_snap_customer_id(s, d->customer);
    it->invoice_count = n;
    it->invoice_ids = ids;
    it->address = it->owner = to;
    it->subject = (const char *)t.data;
    it->body = (const char *)t.data + body_at;
    it->rule = rule;
    it->reason_count = 1;
    it->reasons = reasons;
    it->amount = amount;
    it->as_of = as_of;
    it->created_at = ar_engine_now(e);
    it->scheduled_at = it->next_attempt_at = (archase_instant)as_of * 86400;
    it->max_attempts = dl.max_attempts;
    o.backoff_seconds = dl.backoff_seconds;
    rc = ar_outbox_store(e, &o, &cn, 1);
    if (rc == ARCHASE_ECONFLICT) {
        ar_error_clear(&e->err);
        rc = 0;
        if (counts)
            counts->outbox_existing++;
    } else if (!rc) {
        rc = ar_outbox_audit_new(e, &o, cn.buf.data, cn.buf.len);
        if (!rc && counts) {
            counts->outbox_written++;
            counts->internal_routes++;
        }
    }
done:
    o.item.invoice_ids = NULL; /* ours, freed below */
    ar_free(a, ids);
    ar_buf_free(&t);
    ar_canon_free(&cn);
    ar_outbox_free(&o);
    return rc;
}

/* The marker of `what` for dispute `id`, its audit record: *written 1 when
 * it is new. */
static int sla_mark(archase_engine *e, const char *what, const char *id, archase_date due, archase_date as_of,
                    int *written) {
    char key[AR_ID_MAX + 48];
    snprintf(key, sizeof key, "dispute.%s:%s", what, id);
    int exists = 0;
    *written = 0;
    int rc = ar_marker_exists(e, key, &exists);
    if (rc || exists)
        return rc;
    ar_canon c;
    ar_canon_init(&c, AR_ENGINE_ALLOC(e));
    ar_canon_begin_record(&c, AR_DISPUTE_SLA_KIND);
    ar_canon_put_str(&c, 1, id);
    ar_canon_put_str(&c, 2, what);
    ar_canon_put_date(&c, 3, due);
    ar_canon_put_date(&c, 4, as_of);
    ar_canon_end_record(&c);
    const uint8_t *data;
    size_t size;
    rc = ar_canon_finish(&c, &data, &size);
    if (rc)
        rc = ar_error_set(&e->err, rc, "out of memory");
    if (!rc)
        rc = ar_marker_put(e, key, data, size);
    ar_canon_free(&c);
    if (rc)
        return rc;
    char detail[64], d[16];
    ar_coll_date(due, d);
    snprintf(detail, sizeof detail, "SLA due %s", d);
    ar_transition t = { ARCHASE_AUDIT_DISPUTE_TRANSITION, "dispute", id, "open", "open", what, as_of, NULL,
                        detail, NULL };
    rc = ar_transition_record(e, &t);
    if (!rc)
        *written = 1;
    return rc;
}

int ar_disputes_advance_txn(archase_engine *e, const archase_policy *policy, const archase_snapshot *snap,
                            archase_date as_of, ar_lifecycle_counts *counts) {
    int rc = 0;
    for (size_t i = 0; i < snap->dispute_count && !rc; i++) {
        const ar_snap_dispute *sd = &snap->disputes[i];
        if (sd->reason < 0 || sd->reason >= AR_REASON_COUNT)
            continue;
        archase_date due = sd->opened_on + policy->disputes.playbooks[sd->reason].sla_days;
        const char *id = ar_snap_str(snap, sd->id);
        int written = 0, breached = as_of > due;
        if (breached)
            rc = sla_mark(e, "sla_breached", id, due, as_of, &written);
        else if (policy->disputes.sla_reminder_days > 0 && as_of >= due - policy->disputes.sla_reminder_days)
            rc = sla_mark(e, "sla_reminder", id, due, as_of, &written);
        if (!rc && written)
            rc = sla_alert(e, policy, snap, sd, breached, due, as_of, counts);
        if (!rc && written && counts) {
            counts->disputes_sla_breached += breached;
            counts->disputes_sla_reminders += !breached;
            counts->transitions++;
        }
    }
    return rc;
}
