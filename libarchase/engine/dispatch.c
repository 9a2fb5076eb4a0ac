/* libarchase/engine/dispatch.c — handing the outbox to the transport
 * (archase/cycle.h, archase/sys/transport.h): recovery of items a crash left
 * "sending", reconciliation of items in doubt, claims, sends, retries with
 * backoff, dead letters with their alerts, and the approval gate. */
#include <stdio.h>
#include <string.h>

#include "archase/audit.h"
#include "archase/cycle.h"
#include "archase/date.h"
#include "archase/errors.h"
#include "core/alloc.h"
#include "core/crashpoint.h"
#include "engine/approval.h"
#include "engine/codec.h"
#include "engine/outbox.h"
#include "policy/policy_internal.h"

#define DEFAULT_BATCH 512
#define DETAIL_MAX 256

int archase_engine_set_transport(archase_engine *e, const archase_transport *t) {
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (t && t->version != ARCHASE_TRANSPORT_VERSION)
        return ar_error_set(&e->err, ARCHASE_EVERSION, "transport version %u is not %u", t->version,
                            ARCHASE_TRANSPORT_VERSION);
    if (t && !t->send)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "a transport needs a send slot");
    if (e->transport.send && e->transport.close)
        e->transport.close(e->transport.userdata);
    memset(&e->transport, 0, sizeof e->transport);
    if (t)
        e->transport = *t;
    return 0;
}

int archase_dispatch_options_init(archase_dispatch_options *opts, unsigned version) {
    if (!opts)
        return ARCHASE_EINVAL;
    if (version != ARCHASE_DISPATCH_OPTIONS_VERSION)
        return ARCHASE_EVERSION;
    archase_dispatch_options init = ARCHASE_DISPATCH_OPTIONS_INIT;
    *opts = init;
    return 0;
}

/* ---- ids of a status ------------------------------------------------------------------ */

typedef struct idlist {
    const archase_allocator *a;
    char                   **ids;
    size_t                   n, cap;
    int                      rc;
} idlist;

static int collect(void *ctx, const archase_record *rec) {
    idlist *l = ctx;
    if (ar_grow(l->a, (void **)&l->ids, &l->cap, l->n + 1, sizeof *l->ids) ||
        !(l->ids[l->n] = ar_strdup(l->a, rec->id)))
        return l->rc = ARCHASE_ENOMEM;
    l->n++;
    return 0;
}

static void idlist_free(idlist *l) {
    for (size_t i = 0; i < l->n; i++)
        ar_free(l->a, l->ids[i]);
    ar_free(l->a, l->ids);
    l->ids = NULL;
    l->n = l->cap = 0;
}

static int ids_of(archase_engine *e, int status, idlist *l) {
    archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
    f.family = ARCHASE_FAMILY_OUTBOX;
    f.status = status;
    f.flags = ARCHASE_SCAN_NO_DATA;
    int rc = ar_store_scan(e, &f, collect, l);
    if (l->rc)
        return ar_error_set(&e->err, l->rc, "out of memory");
    return rc;
}

/* ---- the state of one dispatch ---------------------------------------------------------- */

typedef struct slot {
    ar_outbox o;
    int       result;   /* archase_send_result, 0 = not sent (refused) */
    int       refusal;  /* the gate's code */
    const char *stopped; /* why a customer message no longer goes out, or NULL */
    char      detail[DETAIL_MAX];
    /* its acknowledgement */
    int             to;     /* the status it moves to */
    archase_instant at;     /* when it is next due */
    const char     *reason;
    size_t          off, len; /* its new bytes in dispatcher.bytes */
} slot;

typedef struct dispatcher {
    archase_engine          *e;
    const archase_policy    *policy;
    archase_instant          now;
    archase_dispatch_report *rep;
    slot                    *slots;
    size_t                   n, cap;
    size_t                   ready;  /* slots initialised: they keep their memory */
    ar_canon                 c;
    ar_buf                   text;
    ar_buf                   bytes; /* the batch's acknowledged items, encoded */
    archase_record          *recs;  /* cap of them: the batch's acknowledgements */
    int                      rc;
} dispatcher;

/* ---- recovery and reconciliation ---------------------------------------------------------- */

/* Items left "sending" by a crash: in doubt, with their audit records. */
static int recover(dispatcher *dp) {
    archase_engine *e = dp->e;
    idlist l = { AR_ENGINE_ALLOC(e), NULL, 0, 0, 0 };
    int rc = ids_of(e, ARCHASE_OUTBOX_SENDING, &l);
    if (rc || !l.n)
        goto done;
    rc = ar_txn_begin(e);
    for (size_t i = 0; i < l.n && !rc; i++) {
        rc = ar_store_outbox_mark_in_doubt(e, l.ids[i], dp->now);
        if (!rc)
            rc = ar_outbox_audit(e, l.ids[i], ARCHASE_OUTBOX_SENDING, ARCHASE_OUTBOX_IN_DOUBT, 0, NULL, NULL,
                                 "found sending: its delivery was interrupted");
    }
    if (rc) {
        ar_txn_rollback(e);
        goto done;
    }
    rc = ar_txn_commit(e);
    if (!rc)
        dp->rep->recovered += l.n;
done:
    idlist_free(&l);
    return rc;
}

/* Asks the transport about every item in doubt. */
static int reconcile(dispatcher *dp) {
    archase_engine *e = dp->e;
    const archase_transport *t = &e->transport;
    idlist l = { AR_ENGINE_ALLOC(e), NULL, 0, 0, 0 };
    ar_outbox o;
    ar_outbox_init(&o, AR_ENGINE_ALLOC(e));
    int rc = ids_of(e, ARCHASE_OUTBOX_IN_DOUBT, &l);
    if (rc || !l.n)
        goto done;
    if (!t->lookup) {
        dp->rep->in_doubt += l.n;
        goto done;
    }
    uint64_t sent = 0, retry = 0, unknown = 0;
    rc = ar_txn_begin(e);
    for (size_t i = 0; i < l.n && !rc; i++) {
        int answer = ARCHASE_LOOKUP_UNKNOWN;
        if (t->lookup(t->userdata, l.ids[i], &answer) != 0)
            answer = ARCHASE_LOOKUP_UNKNOWN;
        if (answer != ARCHASE_LOOKUP_SENT && answer != ARCHASE_LOOKUP_NOT_SENT) {
            unknown++;
            continue;
        }
        rc = ar_outbox_load(e, l.ids[i], &o);
        if (rc)
            break;
        int to = answer == ARCHASE_LOOKUP_SENT ? ARCHASE_OUTBOX_SENT : ARCHASE_OUTBOX_FAILED_RETRY;
        o.item.status = to;
        o.item.next_attempt_at = dp->now;
        rc = ar_outbox_store(e, &o, &dp->c, 0);
        if (!rc)
            rc = ar_outbox_audit(e, l.ids[i], ARCHASE_OUTBOX_IN_DOUBT, to, o.item.attempts, NULL, NULL,
                                 to == ARCHASE_OUTBOX_SENT ? "reconciled: the transport has it"
                                                           : "reconciled: the transport never got it");
        if (!rc && to == ARCHASE_OUTBOX_SENT && o.item.approval_id) {
            rc = ar_approval_mark_dispatched(e, o.item.approval_id, NULL);
            if (rc == ARCHASE_ESTATE) { /* already marked (or no longer approved): on record as it is */
                ar_error_clear(&e->err);
                rc = 0;
            }
        }
        if (!rc && to == ARCHASE_OUTBOX_SENT)
            sent++;
        else if (!rc)
            retry++;
    }
    if (rc) {
        ar_txn_rollback(e);
        goto done;
    }
    rc = ar_txn_commit(e);
    if (!rc) {
        dp->rep->reconciled_sent += sent;
        dp->rep->reconciled_retry += retry;
        dp->rep->in_doubt += unknown;
    }
done:
    ar_outbox_free(&o);
    idlist_free(&l);
    return rc;
}

/* ---- claims ------------------------------------------------------------------------------- */

static int take_claimed(void *ctx, const archase_record *rec) {
    dispatcher *dp = ctx;
    if (dp->n == dp->cap)
        return dp->rc = ARCHASE_ENOMEM; /* cannot happen: the limit is cap */
    slot *s = &dp->slots[dp->n];
    if (dp->n == dp->ready) {
        ar_outbox_init(&s->o, AR_ENGINE_ALLOC(dp->e));
        dp->ready++;
    }
    s->o.keep_bytes = 1; /* its acknowledgement patches the stored bytes */
    int rc = ar_outbox_decode(&s->o, rec);
    if (rc)
        return dp->rc = rc == ARCHASE_ENOMEM ? rc : ARCHASE_ESTORAGE;
    s->result = 0;
    s->refusal = 0;
    s->stopped = NULL;
    s->detail[0] = '\0';
    dp->n++;
    return 0;
}

/* 1 when the item's action needs an approval before it goes out. */
static int needs_approval(const dispatcher *dp, const ar_outbox *o) {
    int action = o->item.action;
    if (o->gated || archase_action_is_sensitive(action))
        return 1;
    return dp->policy && action > 0 && action < 32 && ((dp->policy->approvals.sensitive >> action) & 1u);
}

/* The approval gate of the sensitive items of the batch, in one
 * transaction whose refusals, voids and expiries stay on record. */
static int gate(dispatcher *dp) {
    archase_engine *e = dp->e;
    int any = 0;
    for (size_t i = 0; i < dp->n && !any; i++)
        any = needs_approval(dp, &dp->slots[i].o);
    if (!any)
        return 0;
    int rc = ar_txn_begin(e);
    for (size_t i = 0; i < dp->n && !rc; i++) {
        slot *s = &dp->slots[i];
        if (!needs_approval(dp, &s->o))
            continue;
        ar_gate_outcome out;
        memset(&out, 0, sizeof out);
        int g;
        if (!s->o.item.approval_id) {
            g = ar_approval_gate(e, dp->policy, s->o.item.action, &s->o.item.amount, NULL, NULL, 0, &out);
            if (!g && s->o.gated) {
                /* Written as a sensitive action: never carried out without a request. */
                ar_approval_event ev = { ARCHASE_AUDIT_APPROVAL_REFUSED, NULL, NULL, NULL, "dispatch",
                                         "a sensitive action without an approval request", ARCHASE_EDENIED, 0,
                                         NULL, NULL };
                g = ar_approval_audit(e, &ev);
                if (!g)
                    g = ar_error_set(&e->err, ARCHASE_EDENIED,
                                     "outbox item '%s' is a sensitive action without an approval", s->o.item.id);
            }
        } else {
            g = ar_approval_check_dispatch(e, s->o.item.approval_id, NULL, 0, NULL, &out);
            /* One approval is carried out once: by the first of its items. */
            for (size_t k = 0; k < i && !g; k++) {
                const slot *o = &dp->slots[k];
                if (!o->refusal && o->o.item.approval_id && !strcmp(o->o.item.approval_id, s->o.item.approval_id))
                    g = ar_error_set(&e->err, ARCHASE_ESTATE, "request %s is carried out by outbox item '%s'",
                                     s->o.item.approval_id, o->o.item.id);
            }
        }
        if (g == ARCHASE_EDENIED || g == ARCHASE_EEXPIRED || g == ARCHASE_ESTATE || g == ARCHASE_ENOTFOUND) {
            s->refusal = g;
            snprintf(s->detail, sizeof s->detail, "approval refused: %s", archase_engine_errmsg(e));
            ar_error_clear(&e->err);
        } else if (g) {
            rc = g;
        }
    }
    if (rc) {
        ar_txn_rollback(e);
        return rc;
    }
    return ar_txn_commit(e);
}

/* ---- what changed since the cycle ------------------------------------------------- */

typedef struct still {
    archase_date today;  /* the dispatch's UTC date */
    int     open;   /* an invoice record that is open today */
    int32_t flags;  /* the customer's ARCHASE_FLAG_* */
    archase_date paused_until;
} still;

/* Open, or settled only by a payment dated after today (a ledger imported
 * ahead of the day being run knows its later payments). */
static int take_invoice(void *ctx, const archase_record *rec) {
    still *st = ctx;
    st->open = rec->status == ARCHASE_INVOICE_STATUS_OPEN ||
               (rec->status == ARCHASE_INVOICE_STATUS_SETTLED && rec->date3 != ARCHASE_DATE_NONE &&
                rec->date3 > st->today);
    return 0;
}

static int take_flags(void *ctx, const archase_record *rec) {
    still *st = ctx;
    st->flags = rec->status;
    st->paused_until = rec->date;
    return 0;
}

/* A customer message whose invoices were all paid, credited or written off,
 * or whose customer was put on hold or paused, since the cycle queued it
 * does not go out: the cycle would not send it today. */
static int check_still_due(dispatcher *dp) {
    archase_engine *e = dp->e;
    archase_date today = archase_instant_utc_date(dp->now);
    for (size_t i = 0; i < dp->n; i++) {
        slot *s = &dp->slots[i];
        const archase_outbox_item *it = &s->o.item;
        if (s->refusal || it->kind != ARCHASE_DECISION_SEND_MESSAGE || it->channel == ARCHASE_CHANNEL_INTERNAL)
            continue;
        still st = { today, 0, 0, ARCHASE_DATE_NONE };
        if (it->customer_id) {
            int rc = ar_store_get(e, ARCHASE_FAMILY_FLAGS, it->customer_id, take_flags, &st);
            if (rc == ARCHASE_ENOTFOUND)
                ar_error_clear(&e->err);
            else if (rc)
                return rc;
        }
        if ((st.flags & ARCHASE_FLAG_HOLD) ||
            ((st.flags & ARCHASE_FLAG_PAUSED) && st.paused_until != ARCHASE_DATE_NONE && st.paused_until >= today)) {
            s->stopped = "hold";
            continue;
        }
        int open = 0;
        for (size_t k = 0; k < it->invoice_count && !open; k++) {
            st.open = 0;
            int rc = ar_store_get(e, ARCHASE_FAMILY_INVOICE, it->invoice_ids[k], take_invoice, &st);
            if (rc == ARCHASE_ENOTFOUND)
                ar_error_clear(&e->err);
            else if (rc)
                return rc;
            open = st.open;
        }
        if (it->invoice_count && !open)
            s->stopped = "invoice_closed";
    }
    return 0;
}

static void send_one(dispatcher *dp, slot *s) {
    const archase_transport *t = &dp->e->transport;
    const archase_outbox_item *it = &s->o.item;
    archase_message m;
    memset(&m, 0, sizeof m);
    m.version = ARCHASE_MESSAGE_VERSION;
    m.idempotency_key = it->idempotency_key;
    m.outbox_id = it->id;
    m.attempt = it->attempts + 1;
    m.kind = it->kind;
    m.channel = it->channel;
    m.customer_id = it->customer_id;
    m.customer_name = s->o.has_render ? s->o.render.customer_name : NULL;
    m.invoice_count = it->invoice_count;
    m.invoice_ids = it->invoice_ids;
    m.contact_id = it->contact_id;
    m.address = it->address;
    m.recipient_name = it->recipient_name;
    m.template_name = it->template_name;
    m.tone = it->tone;
    m.subject = it->subject;
    m.body = it->body;
    m.link_placeholder = AR_TOKEN_PAY_NOW_LINK;
    m.scheduled_at = it->scheduled_at;
    m.timezone = it->timezone;
    m.local_date = it->local_date;
    m.local_seconds = it->local_seconds;
    m.amount = it->amount;
    m.reason_count = it->reason_count;
    m.reasons = it->reasons;
    m.owner = it->channel == ARCHASE_CHANNEL_INTERNAL ? it->owner : NULL;
    int result = 0;
    s->detail[0] = '\0';
    int rc = t->send(t->userdata, &m, &result, s->detail, sizeof s->detail);
    s->detail[sizeof s->detail - 1] = '\0';
    if (rc < 0 || result < ARCHASE_SEND_SENT || result > ARCHASE_SEND_UNKNOWN)
        result = ARCHASE_SEND_UNKNOWN;
    s->result = result;
}

/* The internal alert of a dead item, to its owner. */
static int alert_dead(dispatcher *dp, const ar_outbox *dead) {
    archase_engine *e = dp->e;
    const archase_outbox_item *d = &dead->item;
    if (!strncmp(d->id, "alert/", 6))
        return 0; /* an alert about an alert would never end */
    ar_outbox o;
    ar_outbox_init(&o, AR_ENGINE_ALLOC(e));
    ar_buf *t = &dp->text;
    ar_buf_reset(t);
    char key[ARCHASE_IDEMPOTENCY_KEY_MAX];
    snprintf(key, sizeof key, "alert/dead/%.*s", (int)(sizeof key - 16), d->id);
    ar_buf_printf(t, "Undeliverable: %s", d->subject);
    ar_buf_putc(t, 0);
    size_t body_at = t->len;
    ar_buf_printf(t, "Outbox item %s could not be delivered after %u attempt%s.\n", d->id, (unsigned)d->attempts,
                  d->attempts == 1 ? "" : "s");
    ar_buf_printf(t, "channel: %s\naddress: %s\ncustomer: %s\nlast answer: %s\n",
                  ar_channel_name(d->channel) ? ar_channel_name(d->channel) : "internal",
                  d->address ? d->address : "", d->customer_id ? d->customer_id : "",
                  d->last_detail ? d->last_detail : "");
    ar_buf_puts(t, "Decide: fix the contact and resend it (archase_outbox_resolve), or cancel it.\n");
    ar_buf_putc(t, 0);
    if (t->err)
        return ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
    archase_outbox_item *it = &o.item;
    it->id = it->idempotency_key = key;
    it->status = ARCHASE_OUTBOX_PENDING;
    it->kind = ARCHASE_DECISION_ALERT_OWNER;
    it->action = ARCHASE_ACTION_ALERT_OWNER;
    it->channel = ARCHASE_CHANNEL_INTERNAL;
    it->customer_id = d->customer_id;
    it->invoice_count = d->invoice_count;
    it->invoice_ids = d->invoice_ids;
    it->address = it->owner = d->owner ? d->owner : "collections";
    it->subject = (const char *)t->data;
    it->body = (const char *)t->data + body_at;
    it->as_of = archase_instant_utc_date(dp->now);
    it->created_at = it->scheduled_at = it->next_attempt_at = dp->now;
    it->max_attempts = d->max_attempts ? d->max_attempts : 1;
    it->dead_item = d->id;
    o.backoff_seconds = dead->backoff_seconds;
    int rc = ar_outbox_store(e, &o, &dp->c, 1);
    if (rc == ARCHASE_ECONFLICT) {
        ar_error_clear(&e->err);
        rc = 0;
    } else if (!rc) {
        rc = ar_outbox_audit_new(e, &o, dp->c.buf.data, dp->c.buf.len);
        if (!rc)
            dp->rep->alerts++;
    }
    o.item.id = NULL; /* nothing of it is owned */
    ar_outbox_free(&o);
    return rc;
}

/* What the acknowledgement of a handed-over (or refused) item is: its new
 * status, when it is next due and why, with the attempt counted. */
static void decide(dispatcher *dp, slot *s) {
    archase_outbox_item *it = &s->o.item;
    int to;
    archase_instant at = dp->now;
    const char *reason = NULL;
    if (s->refusal) {
        to = ARCHASE_OUTBOX_CANCELLED;
        reason = "approval_refused";
        dp->rep->refused++;
    } else if (s->stopped) {
        to = ARCHASE_OUTBOX_CANCELLED;
        reason = s->stopped;
        dp->rep->cancelled++;
    } else {
        it->attempts++;
        it->last_attempt_at = dp->now;
        it->last_detail = s->detail[0] ? s->detail : NULL;
        switch (s->result) {
        case ARCHASE_SEND_SENT: to = ARCHASE_OUTBOX_SENT; break;
        case ARCHASE_SEND_REJECTED: to = ARCHASE_OUTBOX_DEAD; reason = "rejected"; break;
        case ARCHASE_SEND_RETRY:
            if (it->attempts >= it->max_attempts) {
                to = ARCHASE_OUTBOX_DEAD;
                reason = "max_attempts";
            } else {
                to = ARCHASE_OUTBOX_FAILED_RETRY;
                uint32_t shift = it->attempts - 1 < 20 ? it->attempts - 1 : 20;
                at = dp->now + ((archase_instant)(s->o.backoff_seconds ? s->o.backoff_seconds : 60) << shift);
            }
            break;
        default: to = ARCHASE_OUTBOX_IN_DOUBT; reason = "the transport cannot tell"; break;
        }
    }
    s->to = to;
    s->at = at;
    s->reason = reason;
    it->status = to;
    it->next_attempt_at = at;
}

/* The items of the batch moved to their new status with their new bytes:
 * one store call (outbox_settle) when the backend has it, else a transition
 * and a put per item. */
static int store_acks(dispatcher *dp) {
    archase_engine *e = dp->e;
    if (!ar_store_can_settle(e)) {
        for (size_t i = 0; i < dp->n; i++) {
            slot *s = &dp->slots[i];
            const char *id = s->o.item.id;
            int rc = s->to == ARCHASE_OUTBOX_IN_DOUBT ? ar_store_outbox_mark_in_doubt(e, id, s->at)
                                                      : ar_store_outbox_ack(e, id, s->to, s->at);
            if (!rc)
                rc = ar_outbox_store(e, &s->o, &dp->c, 0);
            if (rc)
                return rc;
        }
        return 0;
    }
    /* Room for the batch at once: the stored bytes with a last detail and
     * a last attempt, the most an attempt adds. */
    size_t room = 0;
    for (size_t i = 0; i < dp->n; i++)
        room += dp->slots[i].o.patch.size + DETAIL_MAX + 32;
    ar_buf_reset(&dp->bytes);
    if (ar_buf_reserve(&dp->bytes, room))
        return ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
    for (size_t i = 0; i < dp->n; i++) {
        slot *s = &dp->slots[i];
        s->off = dp->bytes.len;
        int rc = ar_outbox_encode_attempt(&s->o, &dp->c, &dp->bytes);
        if (rc == ARCHASE_ENOMEM)
            return ar_error_set(&e->err, rc, "out of memory");
        if (rc)
            return ar_error_set(&e->err, rc, "encoding outbox item '%s' failed", s->o.item.id);
        s->len = dp->bytes.len - s->off;
    }
    for (size_t i = 0; i < dp->n; i++) {
        const slot *s = &dp->slots[i];
        archase_record rec = ARCHASE_RECORD_INIT;
        rec.family = ARCHASE_FAMILY_OUTBOX;
        rec.id = s->o.item.id;
        rec.status = s->to;
        rec.instant = s->at;
        rec.data = dp->bytes.data + s->off;
        rec.size = s->len;
        dp->recs[i] = rec;
    }
    return ar_store_outbox_settle(e, dp->recs, (uint32_t)dp->n);
}

/* Acknowledges the batch inside the transaction: the store's records, then
 * per item its audit record, its approval and a dead item's alert. */
static int settle(dispatcher *dp) {
    archase_engine *e = dp->e;
    for (size_t i = 0; i < dp->n; i++)
        decide(dp, &dp->slots[i]);
    int rc = store_acks(dp);
    for (size_t i = 0; i < dp->n && !rc; i++) {
        slot *s = &dp->slots[i];
        archase_outbox_item *it = &s->o.item;
        int to = s->to;
        rc = ar_outbox_audit(e, it->id, ARCHASE_OUTBOX_SENDING, to, s->refusal || s->stopped ? 0 : it->attempts, NULL,
                             s->detail[0] ? s->detail : NULL, s->reason);
        if (!rc && to == ARCHASE_OUTBOX_SENT && it->approval_id)
            rc = ar_approval_mark_dispatched(e, it->approval_id, NULL);
        if (!rc && to == ARCHASE_OUTBOX_DEAD)
            rc = alert_dead(dp, &s->o);
        if (rc)
            break;
        switch (to) {
        case ARCHASE_OUTBOX_SENT: dp->rep->sent++; break;
        case ARCHASE_OUTBOX_FAILED_RETRY: dp->rep->retried++; break;
        case ARCHASE_OUTBOX_DEAD: dp->rep->dead++; break;
        case ARCHASE_OUTBOX_IN_DOUBT: dp->rep->in_doubt++; break;
        default: break;
        }
    }
    return rc;
}

/* One batch: claim, gate, send, then acknowledge in one transaction. A
 * crash before that commit leaves the batch "sending": in doubt next time. */
static int one_batch(dispatcher *dp, uint32_t limit, size_t *claimed) {
    archase_engine *e = dp->e;
    dp->n = 0;
    dp->rc = 0;
    *claimed = 0;
    int rc = ar_store_outbox_claim(e, dp->now, limit, take_claimed, dp);
    if (dp->rc)
        return ar_error_set(&e->err, dp->rc, dp->rc == ARCHASE_ENOMEM ? "out of memory" : "a claimed outbox item cannot be decoded");
    if (rc || !dp->n)
        return rc;
    *claimed = dp->n;
    dp->rep->claimed += dp->n;
    AR_CRASHPOINT("dispatch.after_claim");
    rc = gate(dp);
    if (!rc)
        rc = check_still_due(dp);
    if (rc)
        return rc; /* the claimed items stay sending: in doubt at the next dispatch */
    for (size_t i = 0; i < dp->n; i++)
        if (!dp->slots[i].refusal && !dp->slots[i].stopped)
            send_one(dp, &dp->slots[i]);
    AR_CRASHPOINT("dispatch.after_send");
    rc = ar_txn_begin(e);
    if (!rc)
        rc = settle(dp);
    if (rc) {
        ar_txn_rollback(e);
        return rc;
    }
    return ar_txn_commit(e);
}

int archase_dispatch(archase_engine *e, const archase_dispatch_options *opts, archase_dispatch_report *report) {
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    archase_dispatch_options defaults = ARCHASE_DISPATCH_OPTIONS_INIT;
    if (!opts)
        opts = &defaults;
    if (opts->version != ARCHASE_DISPATCH_OPTIONS_VERSION)
        return ar_error_set(&e->err, ARCHASE_EVERSION, "dispatch options version %u is not %u", opts->version,
                            ARCHASE_DISPATCH_OPTIONS_VERSION);
    if (report && report->version != ARCHASE_DISPATCH_REPORT_VERSION)
        return ar_error_set(&e->err, ARCHASE_EVERSION, "dispatch report version %u is not %u", report->version,
                            ARCHASE_DISPATCH_REPORT_VERSION);
    if (!e->transport.send)
        return ar_error_set(&e->err, ARCHASE_ESTATE, "no transport is set on the engine");
    if (e->batch || e->in_txn)
        return ar_error_set(&e->err, ARCHASE_ESTATE, "a batch or transaction is open on the engine");
    archase_dispatch_report rep = ARCHASE_DISPATCH_REPORT_INIT;
    dispatcher dp;
    memset(&dp, 0, sizeof dp);
    dp.e = e;
    dp.policy = opts->policy;
    dp.now = opts->now ? opts->now : ar_engine_now(e);
    dp.rep = &rep;
    dp.cap = opts->batch ? opts->batch : DEFAULT_BATCH;
    ar_canon_init(&dp.c, AR_ENGINE_ALLOC(e));
    ar_buf_init(&dp.text, AR_ENGINE_ALLOC(e));
    ar_buf_init(&dp.bytes, AR_ENGINE_ALLOC(e));
    int rc = 0;
    dp.slots = ar_malloc_array(AR_ENGINE_ALLOC(e), dp.cap, sizeof *dp.slots);
    dp.recs = ar_malloc_array(AR_ENGINE_ALLOC(e), dp.cap, sizeof *dp.recs);
    if (!dp.slots || !dp.recs) {
        rc = ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
        goto done;
    }
    rc = recover(&dp);
    if (!rc)
        rc = reconcile(&dp);
    uint64_t handed = 0;
    while (!rc) {
        uint32_t want = (uint32_t)dp.cap;
        if (opts->limit) {
            if (handed >= opts->limit)
                break;
            if (opts->limit - handed < want)
                want = (uint32_t)(opts->limit - handed);
        }
        size_t claimed = 0;
        rc = one_batch(&dp, want, &claimed);
        if (!claimed)
            break;
        handed += claimed;
    }
done:
    for (size_t i = 0; i < dp.ready; i++)
        ar_outbox_free(&dp.slots[i].o);
    ar_free(AR_ENGINE_ALLOC(e), dp.slots);
    ar_free(AR_ENGINE_ALLOC(e), dp.recs);
    ar_buf_free(&dp.text);
    ar_buf_free(&dp.bytes);
    ar_canon_free(&dp.c);
    if (report)
        *report = rep;
    return rc;
}
