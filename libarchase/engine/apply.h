/* libarchase/engine/apply.h — storing the cadence side of an evaluation: the
 * new state of each invoice whose state changed and the touches of the
 * messages it scheduled, so the next snapshot reads them back.
 *
 * This is the part of the daily cycle that evaluation's own tests need to
 * run several days in a row. The daily cycle (archase_run_cycle) calls
 * ar_apply_cadence_txn inside the transaction that also writes the outbox,
 * the decisions and their audit records. */
#ifndef AR_ENGINE_APPLY_H
#define AR_ENGINE_APPLY_H

#include "engine/decisions.h"
#include "engine/engine.h"

/* Writes every cadence update of `ds` (family ARCHASE_FAMILY_CADENCE, ids
 * "invoice:<id>") and, for each customer `ds` sends a message to, its
 * touches: the snapshot's (the last AR_SNAP_TOUCH_DAYS days and those ahead)
 * with the new ones added (id "customer:<id>"). Applying the same result
 * twice writes the same records. Needs an open transaction; on failure the
 * caller rolls it back. Returns 0 or the storage error (ARCHASE_ESTORAGE,
 * ARCHASE_EBUSY, ARCHASE_ENOMEM, ...), with the message on the engine. */
int ar_apply_cadence_txn(archase_engine *e, const archase_decisions *ds);

/* The same in a transaction of its own: everything is written, or nothing.
 * ARCHASE_ESTATE when a batch or another transaction is open. */
int ar_apply_cadence(archase_engine *e, const archase_decisions *ds);

#endif
