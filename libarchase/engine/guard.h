/* libarchase/engine/guard.h — the contact guardrails: when a customer-facing
 * message may go out.
 *
 * A message is never dropped for a guardrail: it is scheduled for the first
 * instant that keeps every rule, and the decision says which rules moved it.
 * The rules, all in the customer's time zone and on its local days:
 *   - the send window's days, and business days of the guardrails calendar
 *     when business_days_only;
 *   - at most max_touches_per_7_days messages in any 7 consecutive days;
 *   - at least min_days_between_touches days between two messages;
 *   - one message per channel per day; one step per day when
 *     one_step_per_customer_per_day (then one message per day at all);
 *   - within the day, the send window's start, or the end of the quiet hours
 *     when the window opens inside them; a day whose window lies wholly in
 *     quiet hours is skipped.
 * Pure; allocates nothing. */
#ifndef AR_ENGINE_GUARD_H
#define AR_ENGINE_GUARD_H

#include "archase/tz.h"
#include "engine/cadence_store.h"
#include "engine/decisions.h"

/* How far ahead a slot is looked for before the window and business-day
 * rules are set aside (a policy whose window days are never business days). */
#define AR_GUARD_HORIZON 366

typedef struct ar_slot {
    archase_date    date;     /* the customer's local day */
    int32_t         seconds;  /* local seconds after midnight */
    archase_instant at;       /* the instant, UTC */
    ar_reasons      reasons;  /* why it is later than the window's start on `from` */
} ar_slot;

/* The first slot on or after local day `from` for a message on `channel`,
 * given the customer's `touches` (any order). */
void ar_guard_slot(const ar_guardrails *g, const archase_tz *tz, archase_date from, int channel,
                   const ar_touch *touches, size_t count, ar_slot *out);

/* What ar_guard_slot worked out for one set of guardrails and may reuse:
 * which days the calendar rules let through, and local days and minutes
 * turned into instants, per time zone. Zeroed before first use; valid for
 * one `g` only. */
#define AR_GUARD_MEMO_DAYS  64 /* a power of two */
#define AR_GUARD_MEMO_ZONES 16 /* a power of two */
typedef struct ar_guard_memo {
    struct {
        archase_date date; /* 0: empty (no slot is on day 0 of the epoch) */
        int          why;  /* day_rule's answer */
    } days[AR_GUARD_MEMO_DAYS];
    struct {
        const archase_tz *tz; /* NULL: empty */
        archase_date      date;
        int32_t           minute;
        archase_date      local_date;
        int32_t           seconds;
        archase_instant   at;
    } zones[AR_GUARD_MEMO_ZONES];
} ar_guard_memo;

/* ar_guard_slot, reusing and filling `memo` (may be NULL). */
void ar_guard_slot_memo(const ar_guardrails *g, const archase_tz *tz, archase_date from, int channel,
                        const ar_touch *touches, size_t count, ar_guard_memo *memo, ar_slot *out);

#endif
