/* include/archase/promise.h — promises to pay: recording one against the
 * policy's rules, cancelling it, and reading where each stands.
 *
 * A promise is a fact (archase_promise in archase/ledger.h). Its state is
 * the engine's: open until the daily cycle (or archase_lifecycle_update)
 * finds it kept, partially kept or broken from the payments, or a person
 * cancels it. docs/promises-disputes.md has the state machine. */
#ifndef ARCHASE_PROMISE_H
#define ARCHASE_PROMISE_H

#include "archase/common.h"
#include "archase/engine.h"
#include "archase/ledger.h"
#include "archase/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where a promise stands. The values are the store's
 * (ARCHASE_PROMISE_STATUS_* in archase/sys/storage.h) and pinned. */
typedef enum archase_promise_state {
    ARCHASE_PROMISE_STATE_OPEN = 1,           /* waiting for its date (+ grace) */
    ARCHASE_PROMISE_STATE_KEPT = 2,           /* paid in full by its deadlines */
    ARCHASE_PROMISE_STATE_PARTIALLY_KEPT = 3, /* its last deadline passed with part paid */
    ARCHASE_PROMISE_STATE_BROKEN = 4,         /* a deadline passed without the money */
    ARCHASE_PROMISE_STATE_CANCELLED = 5       /* withdrawn by a person */
} archase_promise_state;

/* "open", "kept", "partially_kept", "broken", "cancelled"; NULL otherwise. */
ARCHASE_API const char *archase_promise_state_name(int state);

/* Records promise `p` taken on `as_of`, checked against `policy`:
 *   - every field archase_promise_put requires (id, customer, invoices,
 *     amount, promised date), and `taken_by`;
 *   - the amount is at most what is still open on the covered invoices;
 *   - the promised date (and every instalment's) is not before `as_of`, and
 *     a single date is at most promises.max_days_ahead away (further out
 *     needs an instalment plan);
 *   - no covered invoice would have more than promises.max_open_per_invoice
 *     open promises;
 *   - instalments: dates ascending, amounts > 0 summing to the amount.
 * `recorded_on` NONE is taken as `as_of`. Stored with its audit records
 * (the fact, and the transition to open) in one transaction.
 * Returns 0, ARCHASE_EINVAL (what is wrong: archase_engine_errmsg names the
 * field), ARCHASE_ENOTFOUND (customer or invoice), ARCHASE_ECURRENCY,
 * ARCHASE_ECONFLICT (the id is taken by another promise), ARCHASE_ESTATE (a
 * batch is open), a storage error or ARCHASE_ENOMEM. Nothing is written on
 * failure; the same promise recorded again changes nothing. */
ARCHASE_API int archase_promise_record(archase_engine *eng, const archase_policy *policy,
                                       const archase_promise *p, archase_date as_of);

/* Cancels open promise `id` on `as_of` because of `reason` (required); the
 * engine's actor is who cancelled it. The covered invoices' cadence resumes
 * at the next evaluation. Returns 0, ARCHASE_EINVAL, ARCHASE_ENOTFOUND,
 * ARCHASE_ESTATE (not open: its state is final), a storage error or
 * ARCHASE_ENOMEM. */
ARCHASE_API int archase_promise_cancel(archase_engine *eng, const char *id, const char *reason,
                                       archase_date as_of);

/* A promise and where it stands. Valid during the callback only. */
typedef struct archase_promise_info {
    unsigned               version;      /* ARCHASE_PROMISE_INFO_VERSION */
    const archase_promise *promise;
    int                    state;        /* archase_promise_state */
    archase_date           state_date;   /* when it reached that state; NONE while open */
    archase_money          paid;         /* paid toward it when it left open */
} archase_promise_info;
#define ARCHASE_PROMISE_INFO_VERSION 1

/* Receives promises. Return 0 to go on, ARCHASE_SCAN_STOP to stop, a
 * negative code to abort with it. */
typedef int (*archase_promise_fn)(void *userdata, const archase_promise_info *info);

/* Hands promise `id` to fn. Returns 0, ARCHASE_EINVAL, ARCHASE_ENOTFOUND,
 * fn's code, a storage error or ARCHASE_ENOMEM. */
ARCHASE_API int archase_promise_get(archase_engine *eng, const char *id, archase_promise_fn fn,
                                    void *userdata);

/* Hands every promise of `customer_id` (NULL = any) covering `invoice_id`
 * (NULL = any) in `state` (0 = any) to fn, in id order. */
ARCHASE_API int archase_promises_scan(archase_engine *eng, const char *customer_id,
                                      const char *invoice_id, int state, archase_promise_fn fn,
                                      void *userdata);

#ifdef __cplusplus
}
#endif
#endif
