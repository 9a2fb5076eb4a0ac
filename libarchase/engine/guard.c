/* libarchase/engine/guard.c — scheduling a message within the contact
 * guardrails (guard.h). */
#include "engine/guard.h"

#include "archase/date.h"

#define MINUTES_PER_DAY (24 * 60)

/* 1 when minute `m` of the day is in the quiet hours. */
static int quiet(const ar_guardrails *g, int32_t m) {
    if (g->quiet_start < 0)
        return 0;
    if (g->quiet_start < g->quiet_end)
        return m >= g->quiet_start && m < g->quiet_end;
    return m >= g->quiet_start || m < g->quiet_end; /* across midnight */
}

/* The first minute of the window outside the quiet hours, or -1. */
static int32_t first_minute(const ar_guardrails *g) {
    int32_t m = g->window_start;
    if (quiet(g, m))
        m = g->quiet_end > m ? g->quiet_end : MINUTES_PER_DAY;
    return m < g->window_end && !quiet(g, m) ? m : -1;
}

/* Which touch rule, if any, day `d` breaks (a reason, or 0). */
static int touch_rule(const ar_guardrails *g, archase_date d, int channel, const ar_touch *touches,
                      size_t count) {
    for (size_t i = 0; i < count; i++) {
        if (touches[i].date == d && (touches[i].channel == channel || g->one_step_per_day))
            return ARCHASE_REASON_DEFERRED_ONE_STEP_PER_DAY;
    }
    if (g->min_days_between_touches > 0) {
        for (size_t i = 0; i < count; i++) {
            int32_t gap = touches[i].date > d ? touches[i].date - d : d - touches[i].date;
            if (gap < g->min_days_between_touches)
                return ARCHASE_REASON_DEFERRED_MIN_GAP;
        }
    }
    /* Every 7-day window holding d keeps under the cap with this message. */
    for (archase_date start = d - 6; start <= d; start++) {
        int32_t n = 1;
        for (size_t i = 0; i < count; i++)
            n += touches[i].date >= start && touches[i].date <= start + 6;
        if (n > g->max_touches_per_7_days)
            return ARCHASE_REASON_DEFERRED_TOUCH_CAP;
    }
    return 0;
}

/* Which calendar rule day `d` breaks (a reason, or 0). */
static int day_rule(const ar_guardrails *g, archase_date d) {
    if (!(g->window_days & ARCHASE_WEEKDAY_BIT(archase_date_weekday(d))))
        return ARCHASE_REASON_DEFERRED_SEND_WINDOW;
    if (g->business_days_only && g->calendar &&
        !archase_calendar_is_business_day(g->calendar->calendar, d))
        return ARCHASE_REASON_DEFERRED_NON_BUSINESS_DAY;
    return 0;
}

/* day_rule through the memo. */
static int day_rule_memo(const ar_guardrails *g, archase_date d, ar_guard_memo *memo) {
    if (!memo || d == 0)
        return day_rule(g, d);
    size_t i = (size_t)(uint32_t)d & (AR_GUARD_MEMO_DAYS - 1);
    if (memo->days[i].date != d) {
        memo->days[i].date = d;
        memo->days[i].why = day_rule(g, d);
    }
    return memo->days[i].why;
}

/* Local day `d` at `minute` in `tz` as an instant and the local day and
 * seconds it is (the gap of a clock change moves it); the minute in UTC
 * terms when the zone cannot say. */
static void local_instant(const archase_tz *tz, archase_date d, int32_t minute, ar_slot *slot) {
    archase_instant at = (archase_instant)d * 86400 + (archase_instant)minute * 60;
    archase_local_time lt;
    if (tz && archase_tz_from_local(tz, d, minute * 60, &at) == 0 && archase_tz_to_local(tz, at, &lt) == 0) {
        slot->date = lt.date;
        slot->seconds = lt.seconds_of_day;
    } else {
        slot->seconds = minute * 60;
    }
    slot->at = at;
}

void ar_guard_slot(const ar_guardrails *g, const archase_tz *tz, archase_date from, int channel,
                   const ar_touch *touches, size_t count, ar_slot *out) {
    ar_guard_slot_memo(g, tz, from, channel, touches, count, NULL, out);
}

void ar_guard_slot_memo(const ar_guardrails *g, const archase_tz *tz, archase_date from, int channel,
                        const ar_touch *touches, size_t count, ar_guard_memo *memo, ar_slot *out) {
    ar_slot slot = { from, 0, 0, { { 0 } } };
    int32_t minute = first_minute(g);
    int relax = 0; /* past the horizon: the window and the calendar give way */
    archase_date d = from;
    for (;; d++) {
        if (d - from >= AR_GUARD_HORIZON && !relax) {
            relax = 1;
            d = from;
        }
        int why = relax ? 0 : day_rule_memo(g, d, memo);
        if (!why && minute < 0 && !relax)
            why = ARCHASE_REASON_DEFERRED_QUIET_HOURS;
        if (!why)
            why = touch_rule(g, d, channel, touches, count);
        if (!why)
            break;
        ar_reasons_add(&slot.reasons, why);
    }
    slot.date = d;
    if (minute < 0)
        minute = g->window_start;
    if (minute != g->window_start)
        ar_reasons_add(&slot.reasons, ARCHASE_REASON_DEFERRED_QUIET_HOURS);
    if (!memo) {
        local_instant(tz, d, minute, &slot);
        *out = slot;
        return;
    }
    uint32_t h = (uint32_t)d * 2654435761u ^ (uint32_t)minute ^ (uint32_t)((uintptr_t)tz >> 4) * 40503u;
    size_t i = (h ^ (h >> 16)) & (AR_GUARD_MEMO_ZONES - 1);
    if (memo->zones[i].tz != tz || !tz || memo->zones[i].date != d || memo->zones[i].minute != minute) {
        ar_slot at = slot;
        local_instant(tz, d, minute, &at);
        memo->zones[i].tz = tz;
        memo->zones[i].date = d;
        memo->zones[i].minute = minute;
        memo->zones[i].local_date = at.date;
        memo->zones[i].seconds = at.seconds;
        memo->zones[i].at = at.at;
    }
    slot.date = memo->zones[i].local_date;
    slot.seconds = memo->zones[i].seconds;
    slot.at = memo->zones[i].at;
    *out = slot;
}
