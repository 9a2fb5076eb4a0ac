/* libarchase/engine/lifecycle_steps.h — the steps ar_lifecycle_apply_txn
 * takes, one per file: promises (promise.c), disputes (dispute.c), the
 * reconciliation queue (recon.c). Each needs an open transaction, writes a
 * stored state and an audit record per transition, and writes nothing for
 * a day it already applied. */
#ifndef AR_ENGINE_LIFECYCLE_STEPS_H
#define AR_ENGINE_LIFECYCLE_STEPS_H

#include "engine/lifecycle.h"
#include "engine/snapshot.h"

/* Moves stored open promise `id` to state `to` (ARCHASE_PROMISE_STATUS_*)
 * with `cause`, `paid` toward it and `detail` (may be NULL); *moved says
 * whether it was open (a promise no longer open is left as it is). */
int ar_promise_move(archase_engine *e, const char *id, int to, const char *cause,
                    archase_date as_of, int64_t paid, const char *detail, const char *actor,
                    int *moved);

/* Open promises of `snap` that are kept, partially kept or broken on as_of. */
int ar_promises_advance_txn(archase_engine *e, const archase_policy *policy,
                            const archase_snapshot *snap, archase_date as_of,
                            ar_lifecycle_counts *counts);

/* Open disputes of `snap` whose SLA is near (reminder) or passed (breach). */
int ar_disputes_advance_txn(archase_engine *e, const archase_policy *policy,
                            const archase_snapshot *snap, archase_date as_of,
                            ar_lifecycle_counts *counts);

/* Payments dated in the last AR_RECON_LOOKBACK_DAYS up to as_of that do not
 * match what was expected: reconciliation exceptions. */
#define AR_RECON_LOOKBACK_DAYS 35
int ar_recon_advance_txn(archase_engine *e, const archase_policy *policy,
                         const archase_snapshot *snap, archase_date as_of,
                         ar_lifecycle_counts *counts);

/* A promise left open having been paid `paid`, not its amount: the
 * exception "promise_amount". */
int ar_recon_open_promise_txn(archase_engine *e, const archase_snapshot *snap,
                              const ar_snap_promise *pr, int64_t paid, archase_date as_of,
                              ar_lifecycle_counts *counts);

#endif
