/* libarchase/engine/credit_notice.c — the proactive notice before a credit
 * hold, the hold waiting for it, and the hold withdrawn when the customer
 * paid down in between (engine/credit_notice.h). */
#include "engine/credit_notice.h"

#include <stdio.h>
#include <string.h>

#include "archase/audit.h"
#include "archase/errors.h"
#include "core/alloc.h"
#include "engine/approval.h"
#include "engine/coll.h"
#include "engine/cycle_items.h"
#include "engine/guard.h"
#include "engine/outbox.h"
#include "policy/policy_internal.h"

/* Channels a notice may go on: e-mail, SMS, letter, portal (by index). */
#define NOTICE_CHANNELS (ARCHASE_CHANNEL_PORTAL + 1)

/* ---- the notice ------------------------------------------------------------------------ */

/* What the notice is written from: the customer's consented contacts and
 * open invoices, copied out of the store. */
typedef struct notice_src {
    archase_engine          *e;
    const ar_template       *tmpl;
    archase_date             as_of;
    char                     currency[4];
    ar_fact                  fact;
    /* per channel: the consented contact (a primary one, else the first by id) */
    char                    *contact_id[NOTICE_CHANNELS];
    char                    *address[NOTICE_CHANNELS];
    char                    *name[NOTICE_CHANNELS];
    int                      primary[NOTICE_CHANNELS];
    ar_render_invoice       *inv;
    const char             **ids;
    size_t                   n, cap;
    int                      rc;
} notice_src;

static int oom(notice_src *s) {
    return s->rc = ar_error_set(&s->e->err, ARCHASE_ENOMEM, "out of memory");
}

static int decoded(notice_src *s, int family, const archase_record *r) {
    int rc = ar_fact_decode(&s->fact, family, r->data, r->size);
    if (rc == ARCHASE_ENOMEM)
        return oom(s);
    if (rc)
        return s->rc = ar_error_set(&s->e->err, ARCHASE_ESTORAGE, "stored record '%s' cannot be decoded", r->id);
    return 0;
}

static int take_contact(void *ctx, const archase_record *r) {
    notice_src *s = ctx;
    if (decoded(s, ARCHASE_FAMILY_CONTACT, r))
        return s->rc;
    const archase_contact *k = &s->fact.u.contact;
    int ch = k->channel;
    if (!k->consent || ch < ARCHASE_CHANNEL_EMAIL || ch > ARCHASE_CHANNEL_PORTAL || !k->address)
        return 0;
    if (s->contact_id[ch] && (!k->primary || s->primary[ch]))
        return 0;
    const archase_allocator *a = AR_ENGINE_ALLOC(s->e);
    char *id = ar_strdup(a, k->id), *address = ar_strdup(a, k->address);
    char *name = k->name ? ar_strdup(a, k->name) : NULL;
    if (!id || !address || (k->name && !name)) {
        ar_free(a, id);
        ar_free(a, address);
        ar_free(a, name);
        return oom(s);
    }
    ar_free(a, s->contact_id[ch]);
    ar_free(a, s->address[ch]);
    ar_free(a, s->name[ch]);
    s->contact_id[ch] = id;
    s->address[ch] = address;
    s->name[ch] = name;
    s->primary[ch] = k->primary != 0;
    return 0;
}

/* Open invoices in the limit's currency issued by the day: the exposure the
 * hold is about. */
static int take_invoice(void *ctx, const archase_record *r) {
    notice_src *s = ctx;
    if (r->status != ARCHASE_INVOICE_STATUS_OPEN || memcmp(r->currency, s->currency, 4) ||
        (r->date2 != ARCHASE_DATE_NONE && r->date2 > s->as_of))
        return 0;
    if (decoded(s, ARCHASE_FAMILY_INVOICE, r))
        return s->rc;
    const archase_allocator *a = AR_ENGINE_ALLOC(s->e);
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        ar_render_invoice *inv = ar_malloc_array(a, cap, sizeof *inv);
        const char **ids = ar_malloc_array(a, cap, sizeof *ids);
        if (!inv || !ids) {
            ar_free(a, inv);
            ar_free(a, ids);
            return oom(s);
        }
        if (s->n) {
            memcpy(inv, s->inv, s->n * sizeof *inv);
            memcpy(ids, s->ids, s->n * sizeof *ids);
        }
        ar_free(a, s->inv);
        ar_free(a, s->ids);
        s->inv = inv;
        s->ids = ids;
        s->cap = cap;
    }
    const archase_invoice *f = &s->fact.u.invoice;
    ar_render_invoice *v = &s->inv[s->n];
    memset(v, 0, sizeof *v);
    v->id = ar_strdup(a, r->id);
    v->number = f->number ? ar_strdup(a, f->number) : NULL;
    if (!v->id || (f->number && !v->number)) {
        ar_free(a, (char *)v->id);
        ar_free(a, (char *)v->number);
        return oom(s);
    }
    v->issue_date = f->issue_date;
    v->due_date = f->due_date;
    v->amount = f->amount;
    v->open_amount.minor = r->amount2;
    memcpy(v->open_amount.currency, r->currency, 4);
    v->days_overdue = f->due_date != ARCHASE_DATE_NONE ? (int32_t)(s->as_of - f->due_date) : 0;
    s->ids[s->n] = v->id;
    s->n++;
    return 0;
}

static void src_free(notice_src *s) {
    const archase_allocator *a = AR_ENGINE_ALLOC(s->e);
    for (int ch = 0; ch < NOTICE_CHANNELS; ch++) {
        ar_free(a, s->contact_id[ch]);
        ar_free(a, s->address[ch]);
        ar_free(a, s->name[ch]);
    }
    for (size_t i = 0; i < s->n; i++) {
        ar_free(a, (char *)s->inv[i].id);
        ar_free(a, (char *)s->inv[i].number);
    }
    ar_free(a, s->inv);
    ar_free(a, s->ids);
    ar_fact_free(&s->fact);
}

/* ---- when it may go out --------------------------------------------------------------- */

/* The first slot at or after `now` on the guardrails `g` in `tz` (NULL =
 * UTC). ar_guard_slot finds the first slot of a day; today it may start no
 * earlier than now's minute, so the window is asked for from then. The
 * touch limits are left out: no touches are given. */
static void slot_after(const ar_guardrails *g, const archase_tz *tz, archase_instant now, ar_slot *out) {
    archase_local_time lt;
    if (!tz || archase_tz_to_local(tz, now, &lt)) {
        memset(&lt, 0, sizeof lt);
        lt.date = archase_instant_utc_date(now);
        lt.seconds_of_day = (int32_t)(now - (archase_instant)lt.date * 86400);
    }
    int32_t minute = lt.seconds_of_day / 60;
    ar_slot today;
    memset(&today, 0, sizeof today);
    if (minute < g->window_end) {
        ar_guardrails from_now = *g;
        if (minute > from_now.window_start)
            from_now.window_start = minute;
        ar_guard_slot(&from_now, tz, lt.date, 0, NULL, 0, &today);
        if (today.date == lt.date) {
            if (today.at < now) { /* inside the window now: at once */
                today.at = now;
                today.seconds = lt.seconds_of_day;
            }
            *out = today;
            return;
        }
    } else {
        ar_reasons_add(&today.reasons, ARCHASE_REASON_DEFERRED_SEND_WINDOW);
    }
    /* Not today: the first slot of a later day, and why not today. */
    ar_guard_slot(g, tz, lt.date + 1, 0, NULL, 0, out);
    static const int today_rules[] = { ARCHASE_REASON_DEFERRED_SEND_WINDOW, ARCHASE_REASON_DEFERRED_NON_BUSINESS_DAY,
                                       ARCHASE_REASON_DEFERRED_QUIET_HOURS };
    for (size_t k = 0; k < sizeof today_rules / sizeof *today_rules; k++)
        if (ar_reasons_has(&today.reasons, today_rules[k]))
            ar_reasons_add(&out->reasons, today_rules[k]);
}

static int load_zone(archase_engine *e, const char *name, archase_tz **tz) {
    archase_tz_options o = ARCHASE_TZ_OPTIONS_INIT;
    o.allocator = AR_ENGINE_ALLOC(e);
    return archase_tz_load(name, &o, tz);
}

int ar_credit_notice_when_of(archase_engine *e, const archase_policy *policy, const char *customer_id,
                             archase_instant now, ar_credit_notice_when *out) {
    const ar_guardrails *g = &policy->guardrails;
    const char *fallback = g->timezone ? g->timezone : "UTC";
    ar_credit_notice_when w;
    memset(&w, 0, sizeof w);
    archase_tz *tz = NULL;
    ar_held cust;
    ar_held_init(&cust, e);
    int rc = ar_held_load(e, ARCHASE_FAMILY_CUSTOMER, customer_id, &cust);
    if (!rc && !cust.found)
        rc = ar_error_set(&e->err, ARCHASE_ENOTFOUND, "no customer '%s'", customer_id);
    if (rc)
        goto done;
    const char *zone = cust.fact.u.customer.timezone;
    if (zone && *zone) {
        rc = load_zone(e, zone, &tz);
        if (rc == ARCHASE_ENOMEM) {
            rc = ar_error_set(&e->err, rc, "out of memory");
            goto done;
        }
        if (rc) { /* as evaluation does: the policy's zone, and why */
            ar_reasons_add(&w.reasons, ARCHASE_REASON_TIMEZONE_UNKNOWN);
            rc = 0;
            tz = NULL;
        }
    }
    if (!tz) {
        zone = fallback;
        rc = load_zone(e, zone, &tz);
        if (rc) {
            rc = ar_error_set(&e->err, rc, "time zone '%s' cannot be loaded: %s", zone, archase_strerror(rc));
            goto done;
        }
    }
    ar_slot slot;
    slot_after(g, tz, now, &slot);
    w.at = slot.at;
    w.local_date = slot.date;
    w.local_seconds = slot.seconds;
    ar_reasons_merge(&w.reasons, &slot.reasons);
    snprintf(w.timezone, sizeof w.timezone, "%s", zone);
    *out = w;
done:
    archase_tz_free(tz);
    ar_held_free(&cust);
    return rc;
}

static int notice_key(archase_engine *e, const char *request_id, char key[ARCHASE_IDEMPOTENCY_KEY_MAX]) {
    char decision[ARCHASE_APPROVAL_ID_MAX + 32];
    snprintf(decision, sizeof decision, AR_CREDIT_NOTICE_ITEM_PREFIX "%s", request_id);
    return ar_outbox_key(e, decision, 1, key);
}

/* The META record that ties the notice to its request. */
static int put_marker(archase_engine *e, const char *customer_id, const char *request_id, const char *item_id,
                      int32_t notice_days, archase_date as_of) {
    char key[ARCHASE_APPROVAL_ID_MAX + 32];
    snprintf(key, sizeof key, AR_CREDIT_NOTICE_PREFIX "%s", request_id);
    ar_canon c;
    ar_canon_init(&c, AR_ENGINE_ALLOC(e));
    ar_canon_begin_record(&c, AR_CREDIT_NOTICE_KIND);
    ar_canon_put_str(&c, 1, request_id);
    ar_canon_put_str(&c, 2, customer_id);
    ar_canon_put_str(&c, 3, item_id);
    ar_canon_put_int(&c, 4, notice_days);
    ar_canon_put_date(&c, 5, as_of);
    ar_canon_end_record(&c);
    const uint8_t *data;
    size_t size;
    int rc = ar_canon_finish(&c, &data, &size);
    if (rc) {
        rc = ar_error_set(&e->err, rc, "out of memory");
    } else {
        archase_record r = ARCHASE_RECORD_INIT;
        r.family = ARCHASE_FAMILY_META;
        r.id = key;
        r.customer_id = customer_id;
        r.date = as_of;
        r.amount = notice_days;
        r.data = data;
        r.size = size;
        rc = ar_store_put(e, &r);
    }
    ar_canon_free(&c);
    return rc;
}

int ar_credit_notice_write_txn(archase_engine *e, const archase_policy *policy, const char *customer_id,
                               const char *request_id, const archase_credit_recommendation *rec,
                               archase_date as_of, const ar_credit_notice_when *when) {
    const archase_allocator *a = AR_ENGINE_ALLOC(e);
    const ar_template *tmpl = policy->credit.notice_template;
    char key[ARCHASE_IDEMPOTENCY_KEY_MAX];
    int rc = notice_key(e, request_id, key);
    if (rc)
        return rc;
    int exists = 0;
    char marker[ARCHASE_APPROVAL_ID_MAX + 32];
    snprintf(marker, sizeof marker, AR_CREDIT_NOTICE_PREFIX "%s", request_id);
    rc = ar_marker_exists(e, marker, &exists);
    if (rc || exists)
        return rc;
    notice_src s;
    memset(&s, 0, sizeof s);
    s.e = e;
    s.tmpl = tmpl;
    s.as_of = as_of;
    memcpy(s.currency, rec->current_limit.currency, 4);
    ar_fact_init(&s.fact, a);
    ar_held cust;
    ar_held_init(&cust, e);
    ar_outbox o;
    ar_outbox_init(&o, a);
    ar_canon cn;
    ar_canon_init(&cn, a);
    ar_buf subject, body;
    ar_buf_init(&subject, a);
    ar_buf_init(&body, a);
    rc = ar_held_load(e, ARCHASE_FAMILY_CUSTOMER, customer_id, &cust);
    if (!rc && !cust.found)
        rc = ar_error_set(&e->err, ARCHASE_ENOTFOUND, "no customer '%s'", customer_id);
    archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
    f.customer_id = customer_id;
    f.family = ARCHASE_FAMILY_CONTACT;
    if (!rc)
        rc = ar_store_scan(e, &f, take_contact, &s);
    f.family = ARCHASE_FAMILY_INVOICE;
    if (!rc && !s.rc)
        rc = ar_store_scan(e, &f, take_invoice, &s);
    if (s.rc)
        rc = s.rc;
    if (rc)
        goto done;
    int channel = 0;
    for (int ch = ARCHASE_CHANNEL_EMAIL; ch <= ARCHASE_CHANNEL_PORTAL && !channel; ch++)
        if (s.contact_id[ch] && ar_template_has_channel(tmpl, ch))
            channel = ch;
    if (!channel) {
        rc = ar_error_set(&e->err, ARCHASE_EINVAL,
                          "customer '%s' has no consented contact on a channel of notice template '%s': "
                          "the notice a hold needs cannot be sent",
                          customer_id, tmpl->name);
        goto done;
    }
    const archase_customer *c = &cust.fact.u.customer;
    ar_render_ctx *r = &o.render;
    memset(r, 0, sizeof *r);
    r->customer_id = customer_id;
    r->customer_name = c->name;
    r->owner = c->owner;
    r->collector = c->collector;
    r->locale = c->locale;
    r->as_of = as_of;
    r->promise_date = r->dispute_sla_date = ARCHASE_DATE_NONE;
    r->invoices = s.inv;
    r->invoice_count = s.n;
    memcpy(r->total_open.currency, s.currency, 4);
    memcpy(r->total_overdue.currency, s.currency, 4);
    for (size_t i = 0; i < s.n; i++) {
        r->total_open.minor += s.inv[i].open_amount.minor;
        if (s.inv[i].days_overdue > 0)
            r->total_overdue.minor += s.inv[i].open_amount.minor;
    }
    rc = ar_template_render(tmpl, r, channel, &body);
    if (!rc && ar_template_render_subject(tmpl, r, channel, &subject) == ARCHASE_ENOTFOUND)
        ar_buf_reset(&subject);
    ar_buf_terminate(&subject);
    ar_buf_terminate(&body);
    if (rc == ARCHASE_ENOMEM || subject.err || body.err)
        rc = ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory rendering the notice");
    else if (rc)
        rc = ar_error_set(&e->err, ARCHASE_EPOLICY, "template '%s' has no %s text", tmpl->name,
                          ar_channel_name(channel));
    if (rc)
        goto done;
    ar_delivery dl;
    ar_delivery_of(policy, &dl);
    ar_reasons none;
    memset(&none, 0, sizeof none);
    archase_instant now = ar_engine_now(e);
    archase_outbox_item *it = &o.item;
    it->id = it->idempotency_key = key;
    it->status = ar_delivery_is_draft(policy, 0, NULL, &none) ? ARCHASE_OUTBOX_DRAFT : ARCHASE_OUTBOX_PENDING;
    it->draft = it->status == ARCHASE_OUTBOX_DRAFT;
    it->kind = ARCHASE_DECISION_SEND_MESSAGE;
    it->action = ARCHASE_ACTION_SEND_MESSAGE;
    it->channel = channel;
    it->customer_id = customer_id;
    it->invoice_count = s.n;
    it->invoice_ids = s.ids;
    it->contact_id = s.contact_id[channel];
    it->address = s.address[channel];
    it->recipient_name = s.name[channel];
    it->template_name = tmpl->name;
    it->tone = tmpl->tone;
    it->subject = (const char *)subject.data;
    it->body = (const char *)body.data;
    it->owner = c->collector ? c->collector : c->owner;
    it->rule = "credit.notice_template";
    it->score = -1;
    it->amount = rec->exposure;
    it->as_of = as_of;
    it->created_at = now;
    /* Not before the customer's send window opens (ar_credit_notice_when_of). */
    it->scheduled_at = it->next_attempt_at = when->at;
    it->timezone = when->timezone;
    it->local_date = when->local_date;
    it->local_seconds = when->local_seconds;
    int reasons[ARCHASE_REASON_LIMIT_];
    size_t nr = ar_reasons_count(&when->reasons);
    for (size_t k = 0; k < nr && k < ARCHASE_REASON_LIMIT_; k++)
        reasons[k] = ar_reasons_at(&when->reasons, k);
    it->reason_count = nr < ARCHASE_REASON_LIMIT_ ? nr : ARCHASE_REASON_LIMIT_;
    it->reasons = reasons;
    it->max_attempts = dl.max_attempts;
    o.backoff_seconds = dl.backoff_seconds;
    o.has_render = 1;
    rc = ar_outbox_store(e, &o, &cn, 1);
    if (!rc)
        rc = ar_outbox_audit_new(e, &o, cn.buf.data, cn.buf.len);
    if (!rc)
        rc = put_marker(e, customer_id, request_id, key, policy->credit.notice_days, as_of);
done:
    o.item.invoice_ids = NULL;
    o.render.invoices = NULL;
    ar_buf_free(&subject);
    ar_buf_free(&body);
    ar_canon_free(&cn);
    ar_outbox_free(&o);
    ar_held_free(&cust);
    src_free(&s);
    return rc;
}

/* ---- the hold waits for it ------------------------------------------------------------------ */

int ar_credit_notice_ready(archase_engine *e, const char *request_id, archase_instant now, int *ready,
                           archase_instant *effective_at) {
    char marker[ARCHASE_APPROVAL_ID_MAX + 32];
    snprintf(marker, sizeof marker, AR_CREDIT_NOTICE_PREFIX "%s", request_id);
    ar_held m;
    ar_held_init(&m, e);
    ar_outbox o;
    ar_outbox_init(&o, AR_ENGINE_ALLOC(e));
    int ok = 1;
    archase_instant at = 0;
    int rc = ar_held_load(e, ARCHASE_FAMILY_META, marker, &m);
    if (!rc && m.found) {
        char key[ARCHASE_IDEMPOTENCY_KEY_MAX];
        rc = notice_key(e, request_id, key);
        if (!rc)
            rc = ar_outbox_load(e, key, &o);
        if (rc == ARCHASE_ENOTFOUND) {
            ar_error_clear(&e->err);
            rc = 0;
            ok = 0; /* the notice is gone: never without it */
        } else if (!rc) {
            ok = o.item.status == ARCHASE_OUTBOX_SENT && o.item.last_attempt_at > 0;
            if (ok) {
                at = o.item.last_attempt_at + (archase_instant)m.env.amount * 86400;
                ok = now >= at;
            }
        }
    }
    if (!rc) {
        *ready = ok;
        if (effective_at)
            *effective_at = at;
    }
    ar_outbox_free(&o);
    ar_held_free(&m);
    return rc;
}

/* ---- withdrawn when the customer paid down -------------------------------------------------- */

typedef struct open_holds {
    archase_engine *e;
    char          **ids;
    size_t          n, cap;
    int             rc;
} open_holds;

static int take_request(void *ctx, const archase_record *r) {
    open_holds *h = ctx;
    const archase_allocator *a = AR_ENGINE_ALLOC(h->e);
    if (ar_grow(a, (void **)&h->ids, &h->cap, h->n + 1, sizeof *h->ids) || !(h->ids[h->n] = ar_strdup(a, r->id)))
        return h->rc = ar_error_set(&h->e->err, ARCHASE_ENOMEM, "out of memory");
    h->n++;
    return 0;
}

/* Request `a` is withdrawn with `why`; its notice, when still waiting, is
 * cancelled. */
static int withdraw(archase_engine *e, ar_approval *a, const char *why, ar_lifecycle_counts *counts) {
    ar_canon scratch;
    ar_canon_init(&scratch, AR_ENGINE_ALLOC(e));
    ar_outbox o;
    ar_outbox_init(&o, AR_ENGINE_ALLOC(e));
    a->status = ARCHASE_APPROVAL_VOIDED;
    a->closed = ar_engine_now(e);
    int rc = ar_approval_store(e, a, &scratch);
    if (!rc) {
        ar_approval_event ev = { ARCHASE_AUDIT_APPROVAL_VOIDED, a->id, NULL, NULL, "withdraw", why, 0,
                                 ARCHASE_APPROVAL_VOIDED, a->payload_hash, NULL };
        rc = ar_approval_audit(e, &ev);
    }
    char key[ARCHASE_IDEMPOTENCY_KEY_MAX];
    if (!rc)
        rc = notice_key(e, a->id, key);
    if (!rc)
        rc = ar_outbox_load(e, key, &o);
    if (rc == ARCHASE_ENOTFOUND) {
        ar_error_clear(&e->err);
        rc = 0;
    } else if (!rc) {
        int from = o.item.status;
        if (from == ARCHASE_OUTBOX_PENDING || from == ARCHASE_OUTBOX_FAILED_RETRY || from == ARCHASE_OUTBOX_DRAFT) {
            o.item.status = ARCHASE_OUTBOX_CANCELLED;
            rc = ar_outbox_store(e, &o, &scratch, 0);
            if (!rc)
                rc = ar_outbox_audit(e, key, from, ARCHASE_OUTBOX_CANCELLED, o.item.attempts, NULL, NULL,
                                     "hold_withdrawn");
            if (!rc && counts)
                counts->outbox_cancelled++;
        }
    }
    if (!rc && counts)
        counts->transitions++;
    ar_outbox_free(&o);
    ar_canon_free(&scratch);
    return rc;
}

int ar_credit_holds_advance_txn(archase_engine *e, const archase_policy *policy, archase_date as_of,
                                ar_lifecycle_counts *counts) {
    const archase_allocator *a = AR_ENGINE_ALLOC(e);
    open_holds h = { e, NULL, 0, 0, 0 };
    static const int live[] = { ARCHASE_APPROVAL_PENDING, ARCHASE_APPROVAL_APPROVED };
    int rc = 0;
    for (size_t k = 0; k < 2 && !rc; k++) {
        archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
        f.family = ARCHASE_FAMILY_APPROVAL;
        f.status = live[k];
        f.flags = ARCHASE_SCAN_NO_DATA;
        rc = ar_store_scan(e, &f, take_request, &h);
        if (h.rc)
            rc = h.rc;
    }
    ar_approval req;
    ar_approval_init(&req, a);
    for (size_t i = 0; i < h.n && !rc; i++) {
        char marker[ARCHASE_APPROVAL_ID_MAX + 32];
        snprintf(marker, sizeof marker, AR_CREDIT_NOTICE_PREFIX "%s", h.ids[i]);
        int noticed = 0;
        rc = ar_marker_exists(e, marker, &noticed);
        if (rc || !noticed)
            continue;
        rc = ar_approval_load(e, h.ids[i], &req);
        if (rc || req.act.action != ARCHASE_ACTION_CREDIT_HOLD)
            continue;
        archase_credit_recommendation now;
        memset(&now, 0, sizeof now);
        now.version = ARCHASE_CREDIT_RECOMMENDATION_VERSION;
        rc = ar_credit_recommend(e, policy, req.act.customer_id, as_of, &now);
        if (rc == ARCHASE_ENOTFOUND) { /* the customer is gone: the gate voids the request */
            ar_error_clear(&e->err);
            rc = 0;
            continue;
        }
        if (rc || now.action == ARCHASE_CREDIT_HOLD)
            continue;
        char why[160], exposure[ARCHASE_MONEY_FORMAT_MAX] = "";
        if (now.exposure.currency[0] && archase_money_format(&now.exposure, exposure, sizeof exposure))
            exposure[0] = '\0';
        snprintf(why, sizeof why, "paid_down: exposure %s is %lld%% of the limit, below the hold threshold",
                 exposure, (long long)now.utilisation_percent);
        rc = withdraw(e, &req, why, counts);
    }
    ar_approval_free(&req);
    for (size_t i = 0; i < h.n; i++)
        ar_free(a, h.ids[i]);
    ar_free(a, h.ids);
    return rc;
}
