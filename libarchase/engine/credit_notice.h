/* libarchase/engine/credit_notice.h — the proactive notice before a credit
 * hold (policy `credit.notice_template`, `credit.notice_days`).
 *
 * When archase_credit_request raises a hold's approval request and the
 * policy names a notice template, the same transaction writes the notice:
 * a customer message on the customer's consented channel, rendered from the
 * template, outbox item `credit_notice/<request id>#1` (audit record of kind
 * decision), and a META record `credit.notice:<request id>` (customer_id,
 * date = the day of the request, amount = the notice days; data a canonical
 * RECORD of kind AR_CREDIT_NOTICE_KIND "CN": 1 request id, 2 customer id,
 * 3 outbox item id, 4 notice days, 5 the day).
 *
 * The hold takes effect only once that item was sent and the notice days
 * have passed since (ar_credit_notice_ready: the daily cycle writes the
 * approved action no earlier, and the approval gate refuses it before).
 * While it waits, the day's move withdraws the request when the customer
 * is no longer one to hold (ar_credit_holds_advance_txn). docs/
 * promises-disputes.md ("Adaptive credit limits") tells the story. */
#ifndef AR_ENGINE_CREDIT_NOTICE_H
#define AR_ENGINE_CREDIT_NOTICE_H

#include "archase/credit.h"
#include "engine/decisions.h"
#include "engine/engine.h"
#include "engine/lifecycle.h"

#define AR_CREDIT_NOTICE_KIND 0x434E /* "CN" */
#define AR_CREDIT_NOTICE_PREFIX "credit.notice:"
#define AR_CREDIT_NOTICE_ITEM_PREFIX "credit_notice/"

/* When a notice may go out: the first instant at or after `now` that keeps
 * the policy's send window, its days, the business days of its calendar and
 * the quiet hours in the customer's time zone, as every customer message
 * does (engine/guard.h; the touch limits do not defer a notice). */
typedef struct ar_credit_notice_when {
    archase_instant at;            /* UTC */
    archase_date    local_date;    /* the customer's local day and time of `at` */
    int32_t         local_seconds;
    char            timezone[256]; /* the zone it was kept in */
    ar_reasons      reasons;       /* why later than `now` (deferred_*), timezone_unknown */
} ar_credit_notice_when;

/* The send instant of a notice to `customer_id` asked for at `now`: in the
 * customer's time zone, or the policy's (guardrails.timezone) when it names
 * none or its zone cannot be read (reason timezone_unknown). 0,
 * ARCHASE_ENOTFOUND (no such customer), the error of a policy zone that
 * cannot be loaded, a storage error or ARCHASE_ENOMEM (message set). */
int ar_credit_notice_when_of(archase_engine *e, const archase_policy *policy, const char *customer_id,
                             archase_instant now, ar_credit_notice_when *out);

/* Inside the open transaction: the notice of hold request `request_id` for
 * `customer_id` under `policy`, recommended on `as_of` (`rec`), to go out
 * at `when` (ar_credit_notice_when_of); written once (nothing when it
 * exists). ARCHASE_EINVAL when the customer has no consented contact on a
 * channel the template is written for (message set); a storage error or
 * ARCHASE_ENOMEM. */
int ar_credit_notice_write_txn(archase_engine *e, const archase_policy *policy, const char *customer_id,
                               const char *request_id, const archase_credit_recommendation *rec,
                               archase_date as_of, const ar_credit_notice_when *when);

/* May hold request `request_id` take effect at `now`? *ready 1 when it has
 * no notice (raised without one) or its notice was sent at least the
 * notice days before `now`; *effective_at (may be NULL) receives when it
 * may (0 while the notice has not been sent). 0, a storage error or
 * ARCHASE_ENOMEM. */
int ar_credit_notice_ready(archase_engine *e, const char *request_id, archase_instant now, int *ready,
                           archase_instant *effective_at);

/* The day's move: every pending or approved hold request with a notice
 * whose customer is, on `as_of`, no longer recommended a hold is withdrawn
 * (voided, cause `paid_down`, no replacement) and its notice, when not sent
 * yet, cancelled; each with its audit record. Counts a transition per
 * withdrawal and the cancelled notices in counts->outbox_cancelled. */
int ar_credit_holds_advance_txn(archase_engine *e, const archase_policy *policy, archase_date as_of,
                                ar_lifecycle_counts *counts);

/* The recommendation for `customer_id` on `as_of`, read from the store
 * (archase_credit_recommend without the public call's checks). */
int ar_credit_recommend(archase_engine *e, const archase_policy *policy, const char *customer_id,
                        archase_date as_of, archase_credit_recommendation *out);

#endif
