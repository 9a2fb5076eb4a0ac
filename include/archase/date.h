/* include/archase/date.h — civil dates, instants and business-day calendars. */
#ifndef ARCHASE_DATE_H
#define ARCHASE_DATE_H

#include "archase/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Dates from 0001-01-01 to 9999-12-31 are valid. */
#define ARCHASE_DATE_MIN (-719162)   /* 0001-01-01 */
#define ARCHASE_DATE_MAX 2932896     /* 9999-12-31 */

/* Builds a date from year, month (1-12), day (1-31). Returns 0 or ARCHASE_EINVAL
 * (no such day: 2026-02-30, 2025-02-29, month 13, year outside 1..9999). */
ARCHASE_API int archase_date_from_ymd(int32_t year, int32_t month, int32_t day, archase_date *out);

/* Splits a valid date into year, month and day (any out pointer may be NULL).
 * Dates outside ARCHASE_DATE_MIN..ARCHASE_DATE_MAX split by the same
 * calendar (year 0, negative years, years past 9999). */
ARCHASE_API void archase_date_to_ymd(archase_date date, int32_t *year, int32_t *month,
                                     int32_t *day);

/* Parses exactly "YYYY-MM-DD" (ISO 8601 extended, no time, nothing around it).
 * Returns 0, ARCHASE_EINVAL (NULL) or ARCHASE_EPARSE. */
ARCHASE_API int archase_date_parse(const char *text, archase_date *out);

/* Longest text archase_date_format / archase_instant_format write, with the NUL. */
#define ARCHASE_DATE_FORMAT_MAX    11
#define ARCHASE_INSTANT_FORMAT_MAX 21

/* Writes "YYYY-MM-DD" and a NUL. Returns 0, ARCHASE_EINVAL (NULL buf),
 * ARCHASE_ERANGE (not a valid date) or ARCHASE_EBUFSIZE (size below
 * ARCHASE_DATE_FORMAT_MAX; nothing written). */
ARCHASE_API int archase_date_format(archase_date date, char *buf, size_t size);

/* ISO weekday: 1 = Monday ... 7 = Sunday (1970-01-01 was a Thursday, 4). */
ARCHASE_API int archase_date_weekday(archase_date date);

/* Adds `months` (may be negative) keeping the day of month, clamped to the
 * last day of the target month (2026-01-31 + 1 month = 2026-02-28).
 * Returns 0 or ARCHASE_ERANGE. */
ARCHASE_API int archase_date_add_months(archase_date date, int32_t months, archase_date *out);

/* Parses exactly "YYYY-MM-DDTHH:MM:SSZ", or the same with a "+HH:MM" or
 * "-HH:MM" offset (east of UTC is +) instead of the Z: "2026-03-29T03:00:00+02:00"
 * is 01:00 UTC. Hours 00-23, minutes and seconds 00-59 (no 24:00, no leap
 * second), offsets up to 23:59; no fraction, no lower-case t or z, nothing
 * around it. Returns 0, ARCHASE_EINVAL (NULL), ARCHASE_EPARSE or ARCHASE_ERANGE
 * (the UTC date of the instant is outside 0001-01-01..9999-12-31). */
ARCHASE_API int archase_instant_parse(const char *text, archase_instant *out);
/* Writes "YYYY-MM-DDTHH:MM:SSZ" and a NUL. Returns 0, ARCHASE_EINVAL (NULL
 * buf), ARCHASE_ERANGE (the UTC date is outside 0001-01-01..9999-12-31) or
 * ARCHASE_EBUFSIZE (size below ARCHASE_INSTANT_FORMAT_MAX). */
ARCHASE_API int archase_instant_format(archase_instant instant, char *buf, size_t size);
/* The UTC date of an instant (rounded down: -1 is 1969-12-31), or
 * ARCHASE_DATE_NONE when that date is outside 0001-01-01..9999-12-31. */
ARCHASE_API archase_date archase_instant_utc_date(archase_instant instant);

/* Weekday bits for weekend masks: bit (weekday - 1) set = not a business day. */
#define ARCHASE_WEEKDAY_BIT(iso_weekday) (1u << ((iso_weekday) - 1))
#define ARCHASE_WEEKEND_SAT_SUN (ARCHASE_WEEKDAY_BIT(6) | ARCHASE_WEEKDAY_BIT(7))

/* A business-day calendar: a weekend mask and a list of holidays. */
typedef struct archase_calendar archase_calendar;

typedef struct archase_calendar_options {
    unsigned                 version;      /* ARCHASE_CALENDAR_OPTIONS_VERSION */
    const archase_allocator *allocator;    /* NULL = default */
    uint32_t                 weekend_mask; /* ARCHASE_WEEKDAY_BIT bits; not all 7 */
} archase_calendar_options;
#define ARCHASE_CALENDAR_OPTIONS_VERSION 1
#define ARCHASE_CALENDAR_OPTIONS_INIT { ARCHASE_CALENDAR_OPTIONS_VERSION, NULL, ARCHASE_WEEKEND_SAT_SUN }
ARCHASE_API int archase_calendar_options_init(archase_calendar_options *opts, unsigned version);

/* Creates a calendar with no holidays. `opts` may be NULL (Saturday and Sunday
 * off). Returns 0, ARCHASE_EINVAL (every day a weekend), ARCHASE_EVERSION or
 * ARCHASE_ENOMEM. */
ARCHASE_API int archase_calendar_new(const archase_calendar_options *opts, archase_calendar **out);
ARCHASE_API void archase_calendar_free(archase_calendar *cal);
/* Adds a holiday (adding one twice is a no-op). Returns 0, ARCHASE_ERANGE or ARCHASE_ENOMEM. */
ARCHASE_API int archase_calendar_add_holiday(archase_calendar *cal, archase_date date);
/* 1 if `date` is a business day, 0 if not (also for a NULL calendar or a
 * date outside ARCHASE_DATE_MIN..ARCHASE_DATE_MAX). */
ARCHASE_API int archase_calendar_is_business_day(const archase_calendar *cal, archase_date date);

/* How a date that is not a business day is moved. */
typedef enum archase_roll {
    ARCHASE_ROLL_NONE = 0,           /* keep it */
    ARCHASE_ROLL_FOLLOWING = 1,      /* next business day */
    ARCHASE_ROLL_PRECEDING = 2,      /* previous business day */
    ARCHASE_ROLL_MODIFIED_FOLLOWING = 3 /* next, unless that leaves the month: previous */
} archase_roll;

/* Moves `date` to a business day by `rule` (a business day stays where it
 * is). Returns 0, ARCHASE_EINVAL (NULL, unknown rule) or ARCHASE_ERANGE (a
 * date outside the valid range, or no business day before the range ends). */
ARCHASE_API int archase_calendar_roll(const archase_calendar *cal, archase_date date,
                                      archase_roll rule, archase_date *out);
/* The date `n` business days after `date` (before it when n < 0); counting
 * starts from the next (previous) business day, so a Friday + 1 is Monday and
 * Saturday + 1 is Monday too. n == 0 gives `date` rolled forward.
 * Returns 0 or ARCHASE_ERANGE. */
ARCHASE_API int archase_calendar_add_business_days(const archase_calendar *cal, archase_date date,
                                                   int32_t n, archase_date *out);
/* Business days from `from` to `to`, counted the way add_business_days
 * steps: when to >= from, the business days in (from, to]; when to < from,
 * minus the business days in [to, from). So for every business day `to`,
 * add_business_days(from, business_days_between(from, to)) == to.
 * Friday to Monday is 1, Monday to Friday is -1, Saturday to Monday is 1.
 * A NULL calendar or a date outside the valid range gives 0. */
ARCHASE_API int32_t archase_calendar_business_days_between(const archase_calendar *cal,
                                                           archase_date from, archase_date to);

#ifdef __cplusplus
}
#endif
#endif
