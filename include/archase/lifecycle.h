/* include/archase/lifecycle.h — moving promises, disputes and the
 * reconciliation queue forward to a day.
 *
 * The daily cycle does this inside its own transaction; a host that runs no
 * cycle (or a test) calls archase_lifecycle_update. Both write the same
 * records: every transition is a stored state and an audit record with its
 * cause (docs/promises-disputes.md). */
#ifndef ARCHASE_LIFECYCLE_H
#define ARCHASE_LIFECYCLE_H

#include "archase/common.h"
#include "archase/engine.h"
#include "archase/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What one update changed. */
typedef struct archase_lifecycle_counts {
    unsigned version;                 /* ARCHASE_LIFECYCLE_COUNTS_VERSION */
    uint64_t promises_kept;
    uint64_t promises_partially_kept;
    uint64_t promises_broken;
    uint64_t disputes_sla_reminders;  /* owners reminded of an SLA that is near */
    uint64_t disputes_sla_breached;   /* disputes past their SLA: escalated */
    uint64_t recon_opened;            /* reconciliation exceptions opened */
    uint64_t transitions;             /* every state change written, the above included */
} archase_lifecycle_counts;
#define ARCHASE_LIFECYCLE_COUNTS_VERSION 1

/* Moves every promise, dispute and reconciliation item to its state as of
 * `as_of` under `policy`, in one transaction: promises become kept,
 * partially kept or broken from the payments dated by `as_of`, dispute SLAs
 * raise reminders and breaches, payments that do not match what was
 * expected open reconciliation exceptions, and a credit hold still waiting
 * out its notice is withdrawn when the customer is no longer recommended a
 * hold (a transition). Running it again for the same day
 * writes nothing. `counts` (may be NULL; its version set by the caller)
 * receives what changed. Returns 0, ARCHASE_EINVAL, ARCHASE_EVERSION,
 * ARCHASE_ESTATE (a batch is open), a storage error or ARCHASE_ENOMEM; on
 * failure nothing is written. */
ARCHASE_API int archase_lifecycle_update(archase_engine *eng, const archase_policy *policy,
                                         archase_date as_of, archase_lifecycle_counts *counts);

#ifdef __cplusplus
}
#endif
#endif
