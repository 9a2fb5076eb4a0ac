/* libarchase/engine/holds.h — what stops, pauses or redirects a sequence:
 * the customer's relationship flags, promises to pay and disputes.
 *
 * Evaluation asks these small functions and nothing else about promises and
 * disputes, so their full state machines (recording, kept, broken, resolved,
 * playbooks) can deepen behind them without touching the cadence. All are
 * pure and allocate nothing. */
#ifndef AR_ENGINE_HOLDS_H
#define AR_ENGINE_HOLDS_H

#include <stdint.h>

#include "engine/decisions.h"
#include "engine/snapshot.h"
#include "policy/policy_internal.h"

/* ---- relationship ------------------------------------------------------- */

/* What the customer's flags do to its sequences: the strongest effect among
 * the flags that are set (skip, then route to owner, then soften), and the
 * reasons of the flags that asked for it. */
typedef struct ar_rel {
    int        effect;      /* AR_REL_CONTINUE, _SKIP, _ROUTE_TO_OWNER, _SOFTEN */
    int        reason;      /* the first of those flags: ARCHASE_REASON_HOLD, ... */
    ar_reasons reasons;
    const char *rule;       /* "relationship.hold", ...: the setting that decided */
} ar_rel;

void ar_relationship_effect(const archase_policy *p, const ar_snap_customer *c, archase_date as_of,
                            ar_rel *out);

/* ---- promises -------------------------------------------------------------- */

enum {
    AR_PROMISE_OPEN = 1,   /* before its deadline and not yet paid: pauses what it covers */
    AR_PROMISE_MET = 2,    /* paid (or nothing it covers is open any more) */
    AR_PROMISE_BROKEN = 3, /* a deadline passed without the money (or stored as broken) */
    AR_PROMISE_STORED = 4, /* settled in the store (kept, partially kept, cancelled): no effect */
    AR_PROMISE_PARTIAL = 5 /* the last deadline passed with part of the money: the rest resumes */
};

typedef struct ar_promise_eff {
    int          state;    /* AR_PROMISE_* */
    archase_date deadline; /* open: the next deadline; broken: the one missed; else the last */
    int64_t      due;      /* the amount due by that deadline */
    int64_t      paid;     /* paid toward it by that deadline (and by as_of) */
} ar_promise_eff;

/* A promise's effect on `as_of`. A deadline is an instalment's (or the
 * promise's) date plus its grace days (the promise's own, else the policy's);
 * what is due by it is the instalments up to it; what counts toward it is
 * every payment applied to the covered invoices from the day it was recorded
 * up to the deadline. A missed deadline breaks it, except the last one when
 * at least the policy's partially_kept_percent of the amount was paid: then
 * it is partially kept. A promise stored as broken stays broken (it routes
 * once); one stored as kept, partially kept or cancelled has no effect. */
void ar_promise_effect(const archase_policy *p, const archase_snapshot *s,
                       const ar_snap_promise *pr, archase_date as_of, ar_promise_eff *out);

/* The grace days of a promise. */
int32_t ar_promise_grace(const archase_policy *p, const ar_snap_promise *pr);

/* A customer's promise history on `as_of`: promises broken with a deadline
 * in the last 90 days, and kept x 100 / due in the last 12 months (rounded
 * down; 100 when none was due), cancelled ones left out. */
void ar_promise_history(const archase_policy *p, const archase_snapshot *s, const ar_snap_customer *c,
                        archase_date as_of, int64_t *broken_90d, int64_t *kept_percent);

/* ---- disputes ---------------------------------------------------------------- */

/* Spreads each open dispute of customer `c` over the open invoices it
 * covers, in the order the dispute lists them: each takes what is left of
 * the disputed amount up to its own open amount. `disputed` and `oldest` are
 * indexed by the customer's invoice position (invoice index minus
 * c->inv_first); `oldest` gets the index of the oldest dispute covering each
 * invoice (AR_IDX_NONE when none). */
void ar_dispute_allocate(const archase_snapshot *s, const ar_snap_customer *c, int64_t *disputed,
                         uint32_t *oldest);

#endif
