/* libarchase/engine/lifecycle.h — the states of promises to pay, disputes
 * and reconciliation exceptions, moved forward once a day by the daily cycle.
 *
 * The daily cycle (archase_run_cycle) calls ar_lifecycle_apply_txn inside
 * its one transaction, after evaluation and before it writes the cadence
 * state and the outbox: promises become kept, partially kept or broken from
 * the payments dated by `as_of`, disputes raise SLA reminders and
 * escalations, payments that do not match what was expected join the
 * reconciliation queue. Every transition is a stored record and an audit
 * record with its cause. Applying the same day twice writes nothing new. */
#ifndef AR_ENGINE_LIFECYCLE_H
#define AR_ENGINE_LIFECYCLE_H

#include "archase/evaluate.h"
#include "archase/policy.h"
#include "engine/engine.h"

/* What one application changed. */
typedef struct ar_lifecycle_counts {
    uint64_t promises_kept;
    uint64_t promises_partially_kept;
    uint64_t promises_broken;
    uint64_t disputes_sla_reminders;
    uint64_t disputes_sla_breached;
    uint64_t recon_opened;
    uint64_t transitions;     /* every state change written, the above included */
    /* Outbox items the day's move wrote (SLA reminders and escalations) or
     * cancelled: the cycle adds them to its report's outbox totals. Each
     * transition, each new item and each cancelled one is one audit record. */
    uint64_t outbox_written;  /* new items */
    uint64_t outbox_existing; /* already written by an earlier run of the day */
    uint64_t internal_routes; /* new items on the internal channel */
    uint64_t outbox_cancelled; /* waiting items stopped: a withdrawn hold's notice */
} ar_lifecycle_counts;

/* Moves promises, disputes and the reconciliation queue to their state as of
 * `as_of`, as seen by `snap` (the snapshot of that day). The states follow
 * from the ledger alone: the day's decisions are not needed (evaluation and
 * this step read a promise's state through the same ar_promise_effect), so
 * a host without a cycle (archase_lifecycle_update) writes exactly what the
 * cycle writes. Needs an open transaction; on failure the caller rolls it
 * back. `counts` may be NULL. Returns 0 or the storage error, with the
 * message on the engine. */
int ar_lifecycle_apply_txn(archase_engine *e, const archase_policy *policy,
                           const archase_snapshot *snap, archase_date as_of,
                           ar_lifecycle_counts *counts);

#endif
