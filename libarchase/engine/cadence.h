/* libarchase/engine/cadence.h — the cadence state machine of one invoice:
 * which step of its sequence runs today.
 *
 * Steps are anchored on the due date, never on when the engine last ran:
 * step k is due on roll(due + offset_k + delay), where delay is the
 * customer's payment-pattern delay for steps after the due date (offset > 0)
 * and roll is the step's business-day rule on the sequence's calendar. The
 * state is the offset of the last step taken (or skipped): every step with a
 * larger offset is still ahead. On a day several steps are due (the engine
 * did not run, or a hold kept them back), the policy's catch-up rule picks:
 *   latest_only  the most advanced due step runs; the earlier ones are done
 *   all          the earliest runs; the rest follow one a day
 *   skip         only a step due today runs; those due before are done
 * A step whose `when` does not hold is done without running. A step before
 * the due date (offset < 0) is obsolete once the invoice is due and is done
 * without running. Pure; allocates nothing. */
#ifndef AR_ENGINE_CADENCE_H
#define AR_ENGINE_CADENCE_H

#include "engine/decisions.h"
#include "policy/policy_internal.h"

typedef struct ar_step_plan {
    uint32_t     first;      /* the first step not done before today */
    archase_date first_date; /* its day, NONE when there is none */
    uint32_t     fire;       /* the step to run today, AR_IDX_NONE when none */
    archase_date fire_date;  /* the day it was due */
    uint32_t     done;       /* steps [0, done) are done once today's step ran (or was let go) */
    uint32_t     pending;    /* due steps today, condition true or not (0 = nothing due) */
    ar_reasons   reasons;    /* STEP_DUE or PRE_DUE_REMINDER, CATCH_UP_*, MISSED_STEP_SKIPPED,
                                OBSOLETE_PRE_DUE, STEP_CONDITION_FALSE, PATTERN_DELAY */
    uint32_t     next;       /* the first step after `done`, AR_IDX_NONE when none */
    archase_date next_date;
} ar_step_plan;

/* The day step `st` of `seq` is due for an invoice due on `due`. */
archase_date ar_step_date(const ar_sequence *seq, const ar_step *st, archase_date due, int32_t delay);

/* The index of the first step with an offset above `last_offset`
 * (ARCHASE_OFFSET_NONE: the first step), or step_count. */
uint32_t ar_first_step_after(const ar_sequence *seq, int32_t last_offset);

/* Step days already rolled, remembered across invoices (many share a due
 * date). Direct-mapped; a slot that holds another step's day is replaced. */
#define AR_STEP_MEMO_SIZE 4096
typedef struct ar_step_memo {
    const ar_step *step;
    archase_date   from;  /* due + offset + delay */
    archase_date   day;   /* rolled */
} ar_step_memo;

/* Whole plans already made, remembered across the invoices of one
 * evaluation (one as_of and catch-up rule): a plan that read no step's
 * `when` is the same for every invoice of its sequence, due date, delay and
 * last offset. Direct-mapped like the step memo. */
#define AR_PLAN_MEMO_SIZE 2048
typedef struct ar_plan_memo {
    const ar_sequence *seq;  /* NULL: an empty slot */
    archase_date       due;
    int32_t            delay, last_offset;
    ar_step_plan       plan;
} ar_plan_memo;

/* Plans today's step. `env` holds the invoice's fields (for `when`);
 * `memo` (AR_STEP_MEMO_SIZE slots, zeroed before first use; may be NULL)
 * remembers rolled days and `plans` (AR_PLAN_MEMO_SIZE slots, zeroed before
 * the evaluation's first plan, for one as_of and catch_up; may be NULL)
 * plans that read no condition. */
void ar_cadence_plan(const ar_sequence *seq, archase_date due, int32_t last_offset, int32_t delay,
                     archase_date as_of, int catch_up, const ar_cond_env *env, ar_step_memo *memo,
                     ar_plan_memo *plans, ar_step_plan *out);

/* The slot of `plans` a plan for these lives in. */
static inline ar_plan_memo *ar_plan_memo_slot(ar_plan_memo *plans, const ar_sequence *seq, archase_date due,
                                              int32_t last_offset, int32_t delay) {
    uint32_t h = ((uint32_t)due * 2654435761u) ^ ((uint32_t)last_offset * 40503u) ^ ((uint32_t)delay << 7) ^
                 (uint32_t)((uintptr_t)seq >> 4);
    return &plans[(h ^ (h >> 15)) & (AR_PLAN_MEMO_SIZE - 1)];
}

/* ar_cadence_plan with `plans` (not NULL) looked up inline first. */
static inline void ar_cadence_plan_memo(const ar_sequence *seq, archase_date due, int32_t last_offset,
                                        int32_t delay, archase_date as_of, int catch_up, const ar_cond_env *env,
                                        ar_step_memo *memo, ar_plan_memo *plans, ar_step_plan *out) {
    const ar_plan_memo *slot = ar_plan_memo_slot(plans, seq, due, last_offset, delay);
    if (slot->seq == seq && slot->due == due && slot->delay == delay && slot->last_offset == last_offset)
        *out = slot->plan;
    else
        ar_cadence_plan(seq, due, last_offset, delay, as_of, catch_up, env, memo, plans, out);
}

/* The customer's delay for steps after the due date: its days late at the
 * policy's percentile, within [0, max_delay_days], once it has min_history
 * settled invoices; else 0. */
int32_t ar_pattern_delay(const ar_payment_patterns *pp, const ar_pattern *pattern);

#endif
