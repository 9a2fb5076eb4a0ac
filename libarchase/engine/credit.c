/* libarchase/engine/credit.c — adaptive credit limits: a recommendation per
 * customer within the policy's bands, with its drivers (archase/credit.h). */
#include "archase/credit.h"

#include <string.h>

#include "archase/errors.h"
#include "archase/ledger.h"
#include "engine/approval.h"
#include "engine/coll.h"
#include "engine/credit_notice.h"
#include "policy/policy_internal.h"
#include "policy/template.h"

const char *archase_credit_action_name(int action) {
    switch (action) {
    case ARCHASE_CREDIT_KEEP: return "keep";
    case ARCHASE_CREDIT_RAISE: return "raise";
    case ARCHASE_CREDIT_LOWER: return "lower";
    case ARCHASE_CREDIT_HOLD: return "hold";
    default: return NULL;
    }
}

/* What the customer's records say. */
typedef struct standing {
    archase_date as_of;
    char         currency[4];
    int64_t      exposure;
    int64_t      late_days_total;
    int64_t      paid_count;
    int64_t      broken_90d, kept_12m, due_12m;
    int64_t      open_disputes;
} standing;

static int on_invoice(void *ctx, const archase_record *r) {
    standing *s = ctx;
    if (r->date2 != ARCHASE_DATE_NONE && r->date2 > s->as_of)
        return 0; /* issued later */
    if (r->status == ARCHASE_INVOICE_STATUS_OPEN && !memcmp(r->currency, s->currency, 4))
        s->exposure += r->amount2;
    if (r->status == ARCHASE_INVOICE_STATUS_SETTLED && r->date3 != ARCHASE_DATE_NONE && r->date3 <= s->as_of &&
        r->date3 > s->as_of - 365 && r->date != ARCHASE_DATE_NONE) {
        int64_t late = r->date3 - r->date;
        s->late_days_total += late > 0 ? late : 0;
        s->paid_count++;
    }
    return 0;
}

/* Promises by their promised date (a plan's last instalment): broken ones
 * of the last 90 days, kept rate over the last 12 months. A plan broken at
 * an earlier instalment counts though its last date is still ahead. */
static int on_promise(void *ctx, const archase_record *r) {
    standing *s = ctx;
    if (r->date == ARCHASE_DATE_NONE || r->date <= s->as_of - 365)
        return 0;
    if (r->status == ARCHASE_PROMISE_STATUS_BROKEN && r->date > s->as_of - 90)
        s->broken_90d++;
    if (r->status == ARCHASE_PROMISE_STATUS_KEPT || r->status == ARCHASE_PROMISE_STATUS_BROKEN ||
        r->status == ARCHASE_PROMISE_STATUS_PARTIALLY_KEPT) {
        s->due_12m++;
        s->kept_12m += r->status == ARCHASE_PROMISE_STATUS_KEPT;
    }
    return 0;
}

static int on_dispute(void *ctx, const archase_record *r) {
    standing *s = ctx;
    if (r->status != ARCHASE_DISPUTE_RESOLVED && r->date <= s->as_of)
        s->open_disputes++;
    return 0;
}

static void driver(archase_credit_recommendation *out, const char *name, int64_t value, int direction) {
    if (out->driver_count < ARCHASE_CREDIT_DRIVERS_MAX)
        out->drivers[out->driver_count++] = (archase_credit_driver){ name, value, direction };
}

/* limit x percent / 100 without overflow for amounts up to 1e15. */
static int64_t percent_of(int64_t amount, int64_t percent) {
    return (int64_t)((__int128)amount * percent / 100);
}

int archase_credit_recommend(archase_engine *e, const archase_policy *policy, const char *customer_id,
                             archase_date as_of, archase_credit_recommendation *out) {
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (!policy || !customer_id || !out || !ar_coll_date_ok(as_of))
        return ar_error_set(&e->err, ARCHASE_EINVAL,
                            "archase_credit_recommend needs a policy, a customer id, a valid date and an output");
    if (out->version != ARCHASE_CREDIT_RECOMMENDATION_VERSION)
        return ar_error_set(&e->err, ARCHASE_EVERSION, "credit recommendation version %u is not supported", out->version);
    return ar_credit_recommend(e, policy, customer_id, as_of, out);
}

int ar_credit_recommend(archase_engine *e, const archase_policy *policy, const char *customer_id,
                        archase_date as_of, archase_credit_recommendation *out) {
    ar_held cust;
    ar_held_init(&cust, e);
    int rc = ar_held_load(e, ARCHASE_FAMILY_CUSTOMER, customer_id, &cust);
    if (!rc && !cust.found)
        rc = ar_error_set(&e->err, ARCHASE_ENOTFOUND, "no customer '%s'", customer_id);
    if (rc)
        goto done;
    archase_money limit = cust.fact.u.customer.credit_limit;
    standing s;
    memset(&s, 0, sizeof s);
    s.as_of = as_of;
    memcpy(s.currency, limit.currency, 4);
    archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
    f.customer_id = customer_id;
    f.flags = ARCHASE_SCAN_NO_DATA;
    f.family = ARCHASE_FAMILY_INVOICE;
    rc = ar_store_scan(e, &f, on_invoice, &s);
    f.family = ARCHASE_FAMILY_PROMISE;
    if (!rc)
        rc = ar_store_scan(e, &f, on_promise, &s);
    f.family = ARCHASE_FAMILY_DISPUTE;
    if (!rc)
        rc = ar_store_scan(e, &f, on_dispute, &s);
    if (rc)
        goto done;

    archase_credit_recommendation r;
    memset(&r, 0, sizeof r);
    r.version = ARCHASE_CREDIT_RECOMMENDATION_VERSION;
    r.action = ARCHASE_CREDIT_KEEP;
    r.current_limit = limit;
    r.recommended_limit = limit;
    r.exposure.minor = s.exposure;
    memcpy(r.exposure.currency, limit.currency, 4);
    r.effective_on = ARCHASE_DATE_NONE;
    const ar_credit *pc = &policy->credit;
    int64_t avg_late = s.paid_count ? s.late_days_total / s.paid_count : 0;
    int64_t kept = s.due_12m ? s.kept_12m * 100 / s.due_12m : 100;
    if (!limit.currency[0] || limit.minor <= 0) {
        driver(&r, "no_limit_recorded", 0, 0);
        *out = r;
        goto done;
    }
    r.utilisation_percent = (int64_t)((__int128)s.exposure * 100 / limit.minor);
    int util_dir = r.utilisation_percent >= pc->hold_utilisation_percent ? -1
                   : r.utilisation_percent >= pc->target_utilisation_percent ? 1 : 0;
    driver(&r, "utilisation_percent", r.utilisation_percent, util_dir);
    driver(&r, "broken_promises_90d", s.broken_90d, s.broken_90d ? -1 : 0);
    driver(&r, "promises_kept_percent", kept, s.due_12m ? (kept >= 80 ? 1 : -1) : 0);
    driver(&r, "average_days_late", avg_late, avg_late > 30 ? -1 : avg_late <= 5 && s.paid_count ? 1 : 0);
    driver(&r, "paid_invoices_12m", s.paid_count, s.paid_count >= 3 ? 1 : 0);
    driver(&r, "open_disputes", s.open_disputes, s.open_disputes ? -1 : 0);

    const archase_money *floor = ar_money_list_find(&pc->min_limit, limit.currency);
    const archase_money *ceiling = ar_money_list_find(&pc->max_limit, limit.currency);
    int64_t next = limit.minor;
    if (r.utilisation_percent >= pc->hold_utilisation_percent ||
        (pc->hold_broken_promises > 0 && s.broken_90d >= pc->hold_broken_promises)) {
        r.action = ARCHASE_CREDIT_HOLD;
        r.approval_action = ARCHASE_ACTION_CREDIT_HOLD;
        r.notice_template = pc->notice_template ? pc->notice_template->name : NULL;
        r.effective_on = as_of + pc->notice_days;
    } else if (s.broken_90d > 0 || avg_late > 30) {
        int severe = s.broken_90d >= 2 || avg_late > 60;
        next = limit.minor - percent_of(limit.minor, severe ? pc->max_lower_percent : pc->max_lower_percent / 2);
        if (floor && next < floor->minor)
            next = floor->minor;
        if (next < limit.minor) {
            r.action = ARCHASE_CREDIT_LOWER;
            r.approval_action = ARCHASE_ACTION_CREDIT_LIMIT_DECREASE;
        }
    } else if (r.utilisation_percent >= pc->target_utilisation_percent && s.paid_count >= 3 && avg_late <= 5 &&
               !s.open_disputes) {
        int64_t wanted = (int64_t)((__int128)s.exposure * 100 / pc->target_utilisation_percent);
        int64_t most = limit.minor + percent_of(limit.minor, pc->max_raise_percent);
        next = wanted < most ? wanted : most;
        if (ceiling && next > ceiling->minor)
            next = ceiling->minor;
        if (next > limit.minor)
            r.action = ARCHASE_CREDIT_RAISE;
        else
            next = limit.minor;
    }
    r.recommended_limit.minor = next;
    *out = r;
done:
    ar_held_free(&cust);
    return rc;
}

int archase_credit_request(archase_engine *e, const archase_policy *policy, const char *customer_id,
                           const archase_credit_recommendation *rec, const char *requester,
                           const char *justification, char id[ARCHASE_APPROVAL_ID_MAX], int *created) {
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (!rec || !customer_id || rec->version != ARCHASE_CREDIT_RECOMMENDATION_VERSION)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "archase_credit_request needs a customer and a recommendation");
    if (!rec->approval_action)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "customer '%s': a %s recommendation needs no approval",
                            customer_id, archase_credit_action_name(rec->action));
    archase_approval_request req = ARCHASE_APPROVAL_REQUEST_INIT;
    req.action = rec->approval_action;
    req.customer_id = customer_id;
    req.amount = rec->action == ARCHASE_CREDIT_HOLD ? rec->exposure : rec->current_limit;
    if (rec->action == ARCHASE_CREDIT_LOWER)
        req.amount.minor = rec->current_limit.minor - rec->recommended_limit.minor;
    req.requester = requester;
    req.justification = justification;
    req.customer_impact = rec->action == ARCHASE_CREDIT_HOLD
                              ? "new orders are held until the balance is paid down; notice is sent first"
                              : "the customer's credit limit goes down; open orders may need prepayment";
    req.rule = "credit";
    if (rec->action != ARCHASE_CREDIT_HOLD || !policy || !policy->credit.notice_template)
        return archase_approval_raise(e, policy, &req, id, created);
    /* A hold with a notice: the request and the customer's notice are
     * written together, or neither. */
    archase_date as_of = rec->effective_on - policy->credit.notice_days;
    if (!id || !ar_coll_date_ok(rec->effective_on))
        return ar_error_set(&e->err, ARCHASE_EINVAL, "a hold recommendation needs its effective date and room for the id");
    if (e->batch)
        return ar_error_set(&e->err, ARCHASE_ESTATE, "a batch is open on this engine");
    char out[ARCHASE_APPROVAL_ID_MAX];
    int made = 0;
    int rc = ar_txn_begin(e);
    if (rc)
        return rc;
    /* The notice waits for the customer's send window; the request must not
     * lapse before the hold may be carried out, notice_days after it went. */
    archase_instant now = ar_engine_now(e);
    ar_credit_notice_when when;
    rc = ar_credit_notice_when_of(e, policy, customer_id, now, &when);
    if (!rc)
        rc = ar_approval_raise_request_txn(e, policy, &req,
                                           (when.at - now) + (int64_t)policy->credit.notice_days * 86400, out, &made);
    if (!rc)
        rc = ar_credit_notice_write_txn(e, policy, customer_id, out, rec, as_of, &when);
    if (!rc)
        rc = ar_txn_commit(e);
    else
        ar_txn_rollback(e);
    if (rc)
        return rc;
    memcpy(id, out, ARCHASE_APPROVAL_ID_MAX);
    if (created)
        *created = made;
    return 0;
}
