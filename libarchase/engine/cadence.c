/* libarchase/engine/cadence.c — which step of a sequence runs today
 * (cadence.h). */
#include "engine/cadence.h"

archase_date ar_step_date(const ar_sequence *seq, const ar_step *st, archase_date due, int32_t delay) {
    archase_date date = due + st->offset + (st->offset > 0 ? delay : 0);
    archase_date rolled;
    if (st->roll != ARCHASE_ROLL_NONE && seq->calendar &&
        archase_calendar_roll(seq->calendar->calendar, date, (archase_roll)st->roll, &rolled) == 0)
        return rolled;
    return date;
}

/* ar_step_date through the memo. */
static archase_date step_day(const ar_sequence *seq, const ar_step *st, archase_date due, int32_t delay,
                             ar_step_memo *memo) {
    if (!memo || st->roll == ARCHASE_ROLL_NONE)
        return ar_step_date(seq, st, due, delay);
    archase_date from = due + st->offset + (st->offset > 0 ? delay : 0);
    uint32_t h = ((uint32_t)from * 2654435761u) ^ (uint32_t)((uintptr_t)st >> 4);
    ar_step_memo *m = &memo[h & (AR_STEP_MEMO_SIZE - 1)];
    if (m->step != st || m->from != from) {
        m->step = st;
        m->from = from;
        m->day = ar_step_date(seq, st, due, delay);
    }
    return m->day;
}

uint32_t ar_first_step_after(const ar_sequence *seq, int32_t last_offset) {
    uint32_t k = 0;
    if (last_offset != ARCHASE_OFFSET_NONE)
        while (k < seq->step_count && seq->steps[k].offset <= last_offset)
            k++;
    return k;
}

int32_t ar_pattern_delay(const ar_payment_patterns *pp, const ar_pattern *pattern) {
    if (!pp->enabled || pattern->sample < (uint32_t)pp->min_history)
        return 0;
    int32_t days = ar_pattern_days(pp->percentile == 50 ? pattern->median_x100 : pattern->p80_x100);
    if (days < 0)
        return 0;
    return days > pp->max_delay_days ? pp->max_delay_days : days;
}

void ar_cadence_plan(const ar_sequence *seq, archase_date due, int32_t last_offset, int32_t delay,
                     archase_date as_of, int catch_up, const ar_cond_env *env, ar_step_memo *memo,
                     ar_plan_memo *plans, ar_step_plan *out) {
    ar_plan_memo *slot = NULL;
    if (plans) {
        slot = ar_plan_memo_slot(plans, seq, due, last_offset, delay);
        if (slot->seq == seq && slot->due == due && slot->delay == delay && slot->last_offset == last_offset) {
            *out = slot->plan;
            return;
        }
    }
    int conditional = 0; /* a step's `when` was read: the plan is this invoice's only */
    ar_step_plan plan = { 0, ARCHASE_DATE_NONE, AR_IDX_NONE, ARCHASE_DATE_NONE, 0, 0, { { 0 } }, AR_IDX_NONE,
                          ARCHASE_DATE_NONE };
    uint32_t k = ar_first_step_after(seq, last_offset);
    uint32_t live = 0; /* due steps that are not obsolete */
    int missed = 0;
    archase_date ahead = ARCHASE_DATE_NONE; /* the day of step k when the loop stops there */
    plan.first = plan.done = k;
    for (; k < seq->step_count; k++) {
        const ar_step *st = &seq->steps[k];
        archase_date date = step_day(seq, st, due, delay, memo);
        if (k == plan.first)
            plan.first_date = date;
        if (date > as_of) {
            ahead = date;
            break;
        }
        plan.pending++;
        if (st->offset < 0 && as_of >= due) {
            ar_reasons_add(&plan.reasons, ARCHASE_REASON_OBSOLETE_PRE_DUE);
            if (plan.fire == AR_IDX_NONE || catch_up != AR_CATCH_UP_ALL)
                plan.done = k + 1;
            continue;
        }
        live++;
        conditional |= st->when != NULL;
        int holds = ar_cond_eval(st->when, env);
        if (!holds)
            ar_reasons_add(&plan.reasons, ARCHASE_REASON_STEP_CONDITION_FALSE);
        if (catch_up == AR_CATCH_UP_ALL) {
            if (plan.fire != AR_IDX_NONE)
                break; /* the rest follow one a day */
            plan.done = k + 1;
            if (holds) {
                plan.fire = k;
                plan.fire_date = date;
            }
            continue;
        }
        plan.done = k + 1;
        if (catch_up == AR_CATCH_UP_SKIP && date < as_of) {
            missed = 1;
            continue;
        }
        if (holds) {
            plan.fire = k;
            plan.fire_date = date;
        }
    }
    if (plan.fire != AR_IDX_NONE) {
        const ar_step *st = &seq->steps[plan.fire];
        ar_reasons_add(&plan.reasons, st->offset < 0 ? ARCHASE_REASON_PRE_DUE_REMINDER : ARCHASE_REASON_STEP_DUE);
        if (catch_up == AR_CATCH_UP_LATEST_ONLY && live > 1)
            ar_reasons_add(&plan.reasons, ARCHASE_REASON_CATCH_UP_LATEST);
        if (catch_up == AR_CATCH_UP_ALL && plan.fire_date < as_of)
            ar_reasons_add(&plan.reasons, ARCHASE_REASON_CATCH_UP_ALL);
        if (st->offset > 0 && delay > 0)
            ar_reasons_add(&plan.reasons, ARCHASE_REASON_PATTERN_DELAY);
    }
    if (missed)
        ar_reasons_add(&plan.reasons, ARCHASE_REASON_MISSED_STEP_SKIPPED);
    if (plan.done < seq->step_count) {
        plan.next = plan.done;
        plan.next_date = plan.done == k && ahead != ARCHASE_DATE_NONE
                             ? ahead
                             : step_day(seq, &seq->steps[plan.done], due, delay, memo);
    }
    if (slot && !conditional)
        *slot = (ar_plan_memo){ seq, due, delay, last_offset, plan };
    *out = plan;
}
