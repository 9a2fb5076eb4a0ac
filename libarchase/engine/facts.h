/* libarchase/engine/facts.h — applying one fact inside an open transaction. */
#ifndef AR_ENGINE_FACTS_H
#define AR_ENGINE_FACTS_H

#include "engine/codec.h"
#include "engine/engine.h"

/* Validates `ref` against itself and the store, and stores it with its audit
 * record and its effects (a payment's on its invoice, reconciliation items).
 * Needs an open transaction. On success *outcome says what happened. When the
 * fact is rejected the return value is its code (ARCHASE_EINVAL,
 * ARCHASE_ECURRENCY, ARCHASE_ENOTFOUND, ARCHASE_ECONFLICT, ARCHASE_EVERSION)
 * and `why` says what is wrong; any other failure (storage, memory) leaves
 * why->code at 0 and the message on the engine, and the transaction must be
 * rolled back. */
int ar_fact_apply(archase_engine *e, ar_fact_ref ref, archase_outcome *outcome, ar_fact_error *why);

#endif
