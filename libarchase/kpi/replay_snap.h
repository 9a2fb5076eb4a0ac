/* libarchase/kpi/replay_snap.h — the replay's snapshot, kept from one day to
 * the next instead of loaded anew.
 *
 * A snapshot of the scratch store is a function of the records the loader
 * reads (engine/snapshot_load.c) and of the day. The replay changes few of
 * those records a day (the facts revealed, the cadence states and touches
 * the evaluation kept), so this keeps every such record decoded, with its
 * strings in the snapshot's text table, and is told which ones changed; each
 * day it re-reads only those and rebuilds the day's lists from what it
 * holds, which is what the loader would have read. The result is the
 * snapshot archase_snapshot_load would give for the day: the same
 * customers, invoices, history, promises, disputes, notes, cadence states
 * and touches in the same order; only the numbers strings have in the text
 * table differ, and nothing decides by those.
 *
 * The first day, and any day after a customer, contact or flags record
 * changed or after a failure, is a fresh load (the customers and their
 * zones are taken from it and kept). */
#ifndef AR_KPI_REPLAY_SNAP_H
#define AR_KPI_REPLAY_SNAP_H

#include "archase/evaluate.h"
#include "kpi/reveal.h"

typedef struct ar_rsnap ar_rsnap;

/* 0 or ARCHASE_ENOMEM. */
int ar_rsnap_new(const archase_allocator *a, ar_rsnap **out);
/* NULL is allowed. Frees the snapshot handed out last. */
void ar_rsnap_free(ar_rsnap *r);

/* The record `id` of `family` in the scratch store was written since the
 * last ar_rsnap_load (or may have been). 0 or ARCHASE_ENOMEM; on failure the
 * next load is a fresh one. */
int ar_rsnap_changed(ar_rsnap *r, int family, const char *id);

/* The records the facts of `rv` from item `first` on changed (the facts and,
 * for a payment, its invoices). 0 or ARCHASE_ENOMEM. */
int ar_rsnap_revealed(ar_rsnap *r, const ar_reveal *rv, size_t first);

/* The records ar_apply_cadence changed storing `ds` (engine/apply.c): every
 * state updated, and the touches of every customer decided about. 0 or
 * ARCHASE_ENOMEM. */
int ar_rsnap_kept(ar_rsnap *r, const archase_decisions *ds);

/* The snapshot of `scratch` as of `as_of`, owned by `r` and valid until the
 * next call or ar_rsnap_free. `as_of` must not go back; `opts` must be the
 * same every day. 0 or the failure, with the message on `scratch` (the next
 * load is then a fresh one). */
int ar_rsnap_load(ar_rsnap *r, archase_engine *scratch, archase_date as_of, const archase_snapshot_options *opts,
                  const archase_snapshot **out);

/* 1 when the last load was a fresh one (archase_snapshot_load). */
int ar_rsnap_was_fresh(const ar_rsnap *r);

#endif
