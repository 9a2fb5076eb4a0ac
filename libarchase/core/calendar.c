/* libarchase/core/calendar.c — business-day calendars: a weekend mask and a
 * sorted array of distinct holidays (binary search), with roll rules and
 * business-day arithmetic. */
#include <string.h>

#include "archase/date.h"
#include "archase/errors.h"
#include "core/alloc.h"
#include "core/date.h"

/* All seven weekday bits. */
#define WEEK_MASK 0x7fu

struct archase_calendar {
    archase_allocator allocator;     /* copied from the options */
    uint32_t          weekend_mask;
    int64_t           business_per_week; /* weekdays not in the mask: 1 .. 7 */
    archase_date     *holidays;      /* ascending, distinct */
    size_t            count;
    size_t            cap;
};

int archase_calendar_options_init(archase_calendar_options *opts, unsigned version) {
    if (!opts)
        return ARCHASE_EINVAL;
    if (version != ARCHASE_CALENDAR_OPTIONS_VERSION)
        return ARCHASE_EVERSION;
    archase_calendar_options init = ARCHASE_CALENDAR_OPTIONS_INIT;
    *opts = init;
    return 0;
}

int archase_calendar_new(const archase_calendar_options *opts, archase_calendar **out) {
    archase_calendar_options defaults = ARCHASE_CALENDAR_OPTIONS_INIT;
    if (!out)
        return ARCHASE_EINVAL;
    if (!opts)
        opts = &defaults;
    if (opts->version != ARCHASE_CALENDAR_OPTIONS_VERSION)
        return ARCHASE_EVERSION;
    int rc = ar_allocator_check(opts->allocator);
    if (rc)
        return rc;
    if ((opts->weekend_mask & ~WEEK_MASK) != 0 || opts->weekend_mask == WEEK_MASK)
        return ARCHASE_EINVAL;
    archase_calendar *cal = ar_calloc(opts->allocator, 1, sizeof *cal);
    if (!cal)
        return ARCHASE_ENOMEM;
    cal->allocator = *ar_allocator(opts->allocator);
    cal->weekend_mask = opts->weekend_mask;
    cal->business_per_week = 7 - __builtin_popcount(opts->weekend_mask);
    *out = cal;
    return 0;
}

void archase_calendar_free(archase_calendar *cal) {
    if (!cal)
        return;
    archase_allocator a = cal->allocator;
    ar_free(&a, cal->holidays);
    ar_free(&a, cal);
}

/* The index of the first holiday >= date (cal->count when none is). */
static size_t first_holiday_from(const archase_calendar *cal, int64_t date) {
    size_t lo = 0, hi = cal->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cal->holidays[mid] < date)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int archase_calendar_add_holiday(archase_calendar *cal, archase_date date) {
    if (!cal)
        return ARCHASE_EINVAL;
    if (date < ARCHASE_DATE_MIN || date > ARCHASE_DATE_MAX)
        return ARCHASE_ERANGE;
    size_t at = first_holiday_from(cal, date);
    if (at < cal->count && cal->holidays[at] == date)
        return 0;
    void *items = cal->holidays;
    int rc = ar_grow(&cal->allocator, &items, &cal->cap, cal->count + 1, sizeof *cal->holidays);
    if (rc)
        return rc;
    cal->holidays = items;
    memmove(cal->holidays + at + 1, cal->holidays + at,
            (cal->count - at) * sizeof *cal->holidays);
    cal->holidays[at] = date;
    cal->count++;
    return 0;
}

static int in_range(int64_t date) {
    return date >= ARCHASE_DATE_MIN && date <= ARCHASE_DATE_MAX;
}

static int is_weekend(const archase_calendar *cal, int64_t date) {
    return (cal->weekend_mask & ARCHASE_WEEKDAY_BIT(ar_weekday(date))) != 0;
}

static int is_business(const archase_calendar *cal, int64_t date) {
    if (is_weekend(cal, date))
        return 0;
    size_t at = first_holiday_from(cal, date);
    return !(at < cal->count && cal->holidays[at] == date);
}

int archase_calendar_is_business_day(const archase_calendar *cal, archase_date date) {
    return cal && in_range(date) && is_business(cal, date);
}

/* Business days in [first, last] (first <= last): whole weeks by the mask,
 * the days left over one by one, less the holidays that are not weekend days. */
static int64_t business_days_in(const archase_calendar *cal, int64_t first, int64_t last) {
    int64_t days = last - first + 1;
    int64_t weeks = days / 7;
    int64_t count = weeks * cal->business_per_week;
    for (int64_t d = first + weeks * 7; d <= last; d++)
        count += !is_weekend(cal, d);
    for (size_t i = first_holiday_from(cal, first); i < cal->count && cal->holidays[i] <= last;
         i++)
        count -= !is_weekend(cal, cal->holidays[i]);
    return count;
}

/* The first business day from `date` in direction `step` (+1 or -1),
 * `date` included. 0 or ARCHASE_ERANGE when the range ends first. */
static int seek_business(const archase_calendar *cal, int64_t date, int step, int64_t *out) {
    while (!is_business(cal, date)) {
        date += step;
        if (!in_range(date))
            return ARCHASE_ERANGE;
    }
    *out = date;
    return 0;
}

int archase_calendar_roll(const archase_calendar *cal, archase_date date, archase_roll rule,
                          archase_date *out) {
    int64_t result = date;
    int rc = 0;
    if (!cal || !out || (int)rule < (int)ARCHASE_ROLL_NONE ||
        (int)rule > (int)ARCHASE_ROLL_MODIFIED_FOLLOWING)
        return ARCHASE_EINVAL;
    if (!in_range(date))
        return ARCHASE_ERANGE;
    switch (rule) {
    case ARCHASE_ROLL_NONE:
        break;
    case ARCHASE_ROLL_FOLLOWING:
        rc = seek_business(cal, date, 1, &result);
        break;
    case ARCHASE_ROLL_PRECEDING:
        rc = seek_business(cal, date, -1, &result);
        break;
    case ARCHASE_ROLL_MODIFIED_FOLLOWING: {
        int32_t month, next_month;
        rc = seek_business(cal, date, 1, &result);
        if (rc == 0) {
            archase_date_to_ymd(date, NULL, &month, NULL);
            archase_date_to_ymd((archase_date)result, NULL, &next_month, NULL);
        }
        /* No business day left in the range, or the next one is in another
         * month: the previous business day. */
        if (rc == ARCHASE_ERANGE || (rc == 0 && next_month != month))
            rc = seek_business(cal, date, -1, &result);
        break;
    }
    }
    if (rc)
        return rc;
    *out = (archase_date)result;
    return 0;
}

int archase_calendar_add_business_days(const archase_calendar *cal, archase_date date,
                                       int32_t n, archase_date *out) {
    if (!cal || !out)
        return ARCHASE_EINVAL;
    if (!in_range(date))
        return ARCHASE_ERANGE;
    int64_t day = date;
    if (n == 0) {
        int rc = seek_business(cal, day, 1, &day);
        if (rc)
            return rc;
        *out = (archase_date)day;
        return 0;
    }
    int step = n > 0 ? 1 : -1;
    int64_t remaining = n > 0 ? (int64_t)n : -(int64_t)n;
    /* Whole weeks first: k weeks hold at most k * business_per_week business
     * days, so jumping k = (remaining - 1) / business_per_week weeks never
     * passes the target. Then day by day. */
    for (;;) {
        int64_t weeks = (remaining - 1) / cal->business_per_week;
        int64_t room = step > 0 ? ARCHASE_DATE_MAX - day : day - ARCHASE_DATE_MIN;
        if (weeks > room / 7)
            weeks = room / 7;
        if (weeks == 0)
            break;
        int64_t far = day + step * weeks * 7;
        remaining -= step > 0 ? business_days_in(cal, day + 1, far)
                              : business_days_in(cal, far, day - 1);
        day = far;
    }
    while (remaining > 0) {
        day += step;
        if (!in_range(day))
            return ARCHASE_ERANGE;
        remaining -= is_business(cal, day);
    }
    *out = (archase_date)day;
    return 0;
}

int32_t archase_calendar_business_days_between(const archase_calendar *cal, archase_date from,
                                               archase_date to) {
    if (!cal || !in_range(from) || !in_range(to) || from == to)
        return 0;
    if (to > from)
        return (int32_t)business_days_in(cal, (int64_t)from + 1, to);
    return (int32_t)-business_days_in(cal, to, (int64_t)from - 1);
}
