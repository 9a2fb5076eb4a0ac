/* include/archase/credit.h — adaptive credit limits: a recommendation per
 * customer within the policy's bands (policy `credit`), from recent
 * payments, utilisation, broken promises and disputes, with the drivers
 * that decided it. Raising within the band is only a recommendation;
 * lowering a limit or putting the customer on credit hold is a sensitive
 * action that needs an approval (archase_credit_request). */
#ifndef ARCHASE_CREDIT_H
#define ARCHASE_CREDIT_H

#include "archase/approval.h"
#include "archase/common.h"
#include "archase/engine.h"
#include "archase/money.h"
#include "archase/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum archase_credit_action {
    ARCHASE_CREDIT_KEEP = 1,
    ARCHASE_CREDIT_RAISE = 2,
    ARCHASE_CREDIT_LOWER = 3, /* approval-gated: credit_limit_decrease */
    ARCHASE_CREDIT_HOLD = 4   /* approval-gated: credit_hold, after the notice */
} archase_credit_action;

/* "keep", "raise", "lower", "hold"; NULL otherwise. */
ARCHASE_API const char *archase_credit_action_name(int action);

/* One thing that moved the recommendation. */
typedef struct archase_credit_driver {
    const char *name;      /* "utilisation_percent", "broken_promises_90d", ... (static) */
    int64_t     value;
    int         direction; /* +1 argues for more credit, -1 for less, 0 neutral */
} archase_credit_driver;

#define ARCHASE_CREDIT_DRIVERS_MAX 8

typedef struct archase_credit_recommendation {
    unsigned              version;             /* ARCHASE_CREDIT_RECOMMENDATION_VERSION */
    int                   action;              /* archase_credit_action */
    archase_money         current_limit;       /* currency "" = none recorded */
    archase_money         recommended_limit;   /* currency "" = none (no limit recorded) */
    archase_money         exposure;            /* open amount in the limit's currency */
    int64_t               utilisation_percent; /* exposure x 100 / limit, rounded down */
    int                   approval_action;     /* ARCHASE_ACTION_CREDIT_LIMIT_DECREASE,
                                                  ARCHASE_ACTION_CREDIT_HOLD, or 0 */
    const char           *notice_template;     /* hold: the policy's notice template, else NULL */
    archase_date          effective_on;        /* hold: as_of + credit.notice_days */
    archase_credit_driver drivers[ARCHASE_CREDIT_DRIVERS_MAX];
    size_t                driver_count;
} archase_credit_recommendation;
#define ARCHASE_CREDIT_RECOMMENDATION_VERSION 1

/* The recommendation for `customer_id` on `as_of` under `policy`, read
 * from the customer's invoices, promises and disputes in the store. `out`
 * (its version set by the caller) is written only on success; its strings
 * live as long as the policy. Returns 0, ARCHASE_EINVAL, ARCHASE_EVERSION,
 * ARCHASE_ENOTFOUND (no such customer), a storage error or ARCHASE_ENOMEM. */
ARCHASE_API int archase_credit_recommend(archase_engine *eng, const archase_policy *policy,
                                         const char *customer_id, archase_date as_of,
                                         archase_credit_recommendation *out);

/* Raises the approval request a lowering or hold needs (archase_approval_raise
 * with the recommendation's action and amount), `requester` and
 * `justification` as there. For a hold under a policy with
 * credit.notice_template, the same transaction queues the notice to the
 * customer (outbox item "credit_notice/<request id>#1", on the first channel
 * with a consented contact the template is written for); the hold is then
 * carried out only credit.notice_days after the notice was sent, and the
 * request is withdrawn (voided) by the day's move if the customer is no
 * longer one to hold before that (docs/promises-disputes.md). ARCHASE_EINVAL
 * when the recommendation needs no approval, or when the customer has no
 * consented contact to give notice to (nothing is written). Other results
 * as archase_approval_raise. */
ARCHASE_API int archase_credit_request(archase_engine *eng, const archase_policy *policy,
                                       const char *customer_id,
                                       const archase_credit_recommendation *rec,
                                       const char *requester, const char *justification,
                                       char id[ARCHASE_APPROVAL_ID_MAX], int *created);

#ifdef __cplusplus
}
#endif
#endif
