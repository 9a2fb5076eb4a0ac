/* libarchase/core/date.h — civil-date arithmetic and slice parsers shared
 * inside the library (the CSV importer, the time-zone reader). */
#ifndef AR_CORE_DATE_H
#define AR_CORE_DATE_H

#include <stddef.h>
#include <stdint.h>

#include "archase/date.h"

#define AR_SECONDS_PER_DAY 86400

/* Floor division and the matching non-negative remainder (b > 0). */
static inline int64_t ar_floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}
static inline int64_t ar_floor_mod(int64_t a, int64_t b) {
    int64_t r = a % b;
    return r < 0 ? r + b : r;
}

/* 1 when `year` is a leap year of the proleptic Gregorian calendar. */
int ar_is_leap_year(int64_t year);
/* Days in `month` (1-12) of `year`. */
int ar_days_in_month(int64_t year, int month);

/* Days since 1970-01-01 of year/month/day, for any year (no range check;
 * month 1-12, day 1-31). Years far outside 1..9999 work too (the time-zone
 * rules of distant instants). */
int64_t ar_days_from_civil(int64_t year, int month, int day);
/* The inverse: year, month (1-12) and day (1-31) of `days` since 1970-01-01. */
void ar_civil_from_days(int64_t days, int64_t *year, int *month, int *day);

/* ISO weekday (1 = Monday .. 7 = Sunday) of any day count. */
int ar_weekday(int64_t days);

/* archase_date_parse over `len` bytes of `s` (not NUL-terminated): exactly
 * "YYYY-MM-DD". 0, ARCHASE_EINVAL (NULL) or ARCHASE_EPARSE (any other text,
 * or a day that does not exist). */
int ar_date_parse_n(const char *s, size_t len, archase_date *out);

/* Checks a date format for ar_date_parse_format: literal characters and the
 * conversions %Y (four digits), %m (month, one or two digits), %d (day, one or
 * two digits) and %% (a '%'), with %Y, %m and %d each exactly once; and, for
 * columns that hold a date and a time, at most once each %H (hour 0-23, one
 * or two digits), %M (minute, two digits) and %S (second, two digits), which
 * are checked and then dropped: the result is the date.
 * "%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y" and "%Y-%m-%d %H:%M:%S" are
 * the usual ones. 0 or ARCHASE_EINVAL. */
int ar_date_format_check(const char *format);

/* Parses `len` bytes of `s` by `format` (see ar_date_format_check): the
 * whole text must match, nothing around it, so "1/2/2013" and "01/02/2013"
 * both read as 2013-01-02 with "%m/%d/%Y". 0, ARCHASE_EINVAL (NULL or a bad
 * format) or ARCHASE_EPARSE (the text does not match, or no such day). */
int ar_date_parse_format(const char *s, size_t len, const char *format, archase_date *out);

/* archase_instant_parse over `len` bytes of `s`. 0, ARCHASE_EINVAL,
 * ARCHASE_EPARSE or ARCHASE_ERANGE. */
int ar_instant_parse_n(const char *s, size_t len, archase_instant *out);

#endif
