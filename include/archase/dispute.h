/* include/archase/dispute.h — disputes: opening one under the policy's
 * reason codes and playbooks, moving it to review, resolving it (with a
 * credit that may need an approval first), listing and reporting.
 *
 * A dispute is a fact (archase_dispute in archase/ledger.h); each change
 * made here is a new revision of it with an audit record of the transition.
 * The reason's playbook (policy `disputes.playbooks`) gives the owner role,
 * the SLA and the approval limit of credits. docs/promises-disputes.md has
 * the states. */
#ifndef ARCHASE_DISPUTE_H
#define ARCHASE_DISPUTE_H

#include "archase/approval.h"
#include "archase/common.h"
#include "archase/engine.h"
#include "archase/ledger.h"
#include "archase/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Opens dispute `d` on `as_of` under `policy`. Required: id, customer,
 * invoices, amount, reason code (one of the policy's: pricing, short_ship,
 * damaged_goods, missing_po, milestone_not_accepted, duplicate_billing, tax,
 * other), opened_by. The amount is at most what is open on the invoices
 * (each must still be open: a paid invoice cannot be disputed). opened_on
 * NONE is taken as `as_of` and may not be later; owner NULL is the
 * playbook's owner role (the role "collector" stays NULL: the customer's
 * collector works it); the status must be open. Returns 0, ARCHASE_EINVAL
 * (archase_engine_errmsg names the field), ARCHASE_ENOTFOUND,
 * ARCHASE_ECURRENCY, ARCHASE_ECONFLICT (the id is taken), ARCHASE_ESTATE (a
 * batch is open), a storage error or ARCHASE_ENOMEM. Nothing is written on
 * failure. */
ARCHASE_API int archase_dispute_open(archase_engine *eng, const archase_policy *policy,
                                     const archase_dispute *d, archase_date as_of);

/* A change to an open dispute. NULL / 0 fields are left as they are. */
typedef struct archase_dispute_change {
    unsigned    version;   /* ARCHASE_DISPUTE_CHANGE_VERSION */
    const char *id;        /* required */
    int         status;    /* ARCHASE_DISPUTE_IN_REVIEW, or 0 */
    const char *owner;     /* a new owner */
    const char *evidence;  /* replaces the evidence */
    const char *by;        /* required: who made the change */
} archase_dispute_change;
#define ARCHASE_DISPUTE_CHANGE_VERSION 1
#define ARCHASE_DISPUTE_CHANGE_INIT { ARCHASE_DISPUTE_CHANGE_VERSION, NULL, 0, NULL, NULL, NULL }

/* Applies `ch` on `as_of`. Returns 0, ARCHASE_EINVAL, ARCHASE_ENOTFOUND,
 * ARCHASE_ESTATE (resolved disputes do not change; a dispute in review does
 * not go back to open), a storage error or ARCHASE_ENOMEM. */
ARCHASE_API int archase_dispute_update(archase_engine *eng, const archase_policy *policy,
                                       const archase_dispute_change *ch, archase_date as_of);

/* How a dispute ends. */
typedef struct archase_dispute_outcome {
    unsigned      version;         /* ARCHASE_DISPUTE_OUTCOME_VERSION */
    const char   *id;              /* required */
    int           resolution;      /* required: archase_dispute_resolution */
    archase_money credited;        /* credit_issued / partial: > 0, <= the disputed amount;
                                      rejected: none */
    const char   *root_cause;      /* required: [a-z0-9_]+, e.g. "price_list_outdated" */
    const char   *by;              /* required: who resolved it */
    const char   *justification;   /* for the approval request, when one is needed */
} archase_dispute_outcome;
#define ARCHASE_DISPUTE_OUTCOME_VERSION 1
#define ARCHASE_DISPUTE_OUTCOME_INIT { ARCHASE_DISPUTE_OUTCOME_VERSION, NULL, 0, { 0, "" }, NULL, NULL, NULL }

/* Resolves the dispute on `as_of`. A credit is issued as credit notes
 * ("dispute:<id>:<n>") on the covered invoices, up to what is open on each.
 * A credit above the playbook's approval_limit (in its currency) is a
 * sensitive action: the first call raises an approval request (action
 * override, reason code dispute_credit), `approval_id` receives it, *pending
 * is 1 and the dispute stays as it is; calling again once it is approved
 * resolves it and marks the request dispatched. Returns 0, ARCHASE_EINVAL,
 * ARCHASE_ENOTFOUND, ARCHASE_ESTATE (already resolved), ARCHASE_ECURRENCY,
 * ARCHASE_EDENIED / ARCHASE_EEXPIRED (the request was rejected, voided or
 * lapsed), a storage error or ARCHASE_ENOMEM. `approval_id` and `pending`
 * may be NULL. */
ARCHASE_API int archase_dispute_resolve(archase_engine *eng, const archase_policy *policy,
                                        const archase_dispute_outcome *outcome, archase_date as_of,
                                        char approval_id[ARCHASE_APPROVAL_ID_MAX], int *pending);

/* Where a dispute stands under the policy. */
enum { ARCHASE_SLA_OK = 0, ARCHASE_SLA_DUE_SOON = 1, ARCHASE_SLA_BREACHED = 2 };

typedef struct archase_dispute_info {
    unsigned               version;          /* ARCHASE_DISPUTE_INFO_VERSION */
    const archase_dispute *dispute;
    const char            *owner;            /* the dispute's, else the playbook's role */
    archase_date           sla_due;          /* opened_on + the playbook's sla_days */
    int                    sla_state;        /* ARCHASE_SLA_* on as_of (OK once resolved) */
    int32_t                age_days;         /* as_of (or resolved_on) - opened_on */
    const char            *pending_approval; /* a credit waiting for approval, else NULL */
} archase_dispute_info;
#define ARCHASE_DISPUTE_INFO_VERSION 1

typedef int (*archase_dispute_fn)(void *userdata, const archase_dispute_info *info);

/* Hands every dispute of `customer_id` (NULL = any) with `status` (0 = any)
 * to fn in id order, as it stands on `as_of`. Returns 0, ARCHASE_EINVAL,
 * fn's code, a storage error or ARCHASE_ENOMEM. */
ARCHASE_API int archase_disputes_scan(archase_engine *eng, const archase_policy *policy,
                                      const char *customer_id, int status, archase_date as_of,
                                      archase_dispute_fn fn, void *userdata);

/* One line of the dispute report. Groups:
 *   "open_by_reason"   key = reason code
 *   "open_by_owner"    key = owner
 *   "open_by_age"      key = "0-30", "31-60", "61-90", "91+" (days open)
 *   "time_to_resolve"  key = reason code, or "all"; days = total days to resolution
 *   "root_cause"       key = root-cause tag, month = "YYYY-MM" it was resolved
 * `count` disputes; `days` their total age (open) or time to resolution;
 * `max_days` the largest. */
typedef struct archase_dispute_report_row {
    unsigned    version;  /* ARCHASE_DISPUTE_REPORT_ROW_VERSION */
    const char *group;
    const char *key;
    const char *month;    /* "" unless the group is by month */
    uint64_t    count;
    int64_t     days;
    int64_t     max_days;
} archase_dispute_report_row;
#define ARCHASE_DISPUTE_REPORT_ROW_VERSION 1

typedef int (*archase_dispute_report_fn)(void *userdata, const archase_dispute_report_row *row);

/* The dispute report as of `as_of` (disputes opened by then), rows in
 * (group, month, key) order. Returns 0, ARCHASE_EINVAL, fn's code, a storage
 * error or ARCHASE_ENOMEM. */
ARCHASE_API int archase_dispute_report(archase_engine *eng, const archase_policy *policy,
                                       archase_date as_of, archase_dispute_report_fn fn,
                                       void *userdata);

#ifdef __cplusplus
}
#endif
#endif
