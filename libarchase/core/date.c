/* libarchase/core/date.c — civil dates (days since 1970-01-01, proleptic
 * Gregorian), strict ISO 8601 parsing and formatting, month arithmetic and
 * UTC instants. No allocation, no global state, no C library time functions. */
#include "core/date.h"

#include <string.h>

#include "archase/errors.h"

/* Days in a 400-year cycle, and from 0000-03-01 to 1970-01-01. */
#define DAYS_PER_ERA        146097
#define DAYS_0000_03_TO_1970 719468

/* The UTC instants whose date is 0001-01-01 .. 9999-12-31. */
#define INSTANT_MIN ((int64_t)ARCHASE_DATE_MIN * AR_SECONDS_PER_DAY)
#define INSTANT_MAX ((int64_t)ARCHASE_DATE_MAX * AR_SECONDS_PER_DAY + AR_SECONDS_PER_DAY - 1)

/* ---- calendar arithmetic ------------------------------------------------- */

int ar_is_leap_year(int64_t year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int ar_days_in_month(int64_t year, int month) {
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (month < 1 || month > 12)
        return 0;
    return days[month - 1] + (month == 2 && ar_is_leap_year(year));
}

/* Years are counted from March, so the leap day ends a year: the day of a
 * "March year" is then a closed formula of the month, and 400 Gregorian years
 * (an era) always hold DAYS_PER_ERA days. */
int64_t ar_days_from_civil(int64_t year, int month, int day) {
    int64_t march_year = month <= 2 ? year - 1 : year;
    int64_t era = ar_floor_div(march_year, 400);
    int64_t year_of_era = march_year - era * 400;                 /* 0 .. 399 */
    int64_t month_from_march = month <= 2 ? month + 9 : month - 3; /* 0 .. 11 */
    int64_t day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * DAYS_PER_ERA + day_of_era - DAYS_0000_03_TO_1970;
}

void ar_civil_from_days(int64_t days, int64_t *year, int *month, int *day) {
    int64_t shifted = days + DAYS_0000_03_TO_1970;
    int64_t era = ar_floor_div(shifted, DAYS_PER_ERA);
    int64_t day_of_era = shifted - era * DAYS_PER_ERA; /* 0 .. 146096 */
    int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t month_from_march = (5 * day_of_year + 2) / 153;
    int m = (int)(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
    *day = (int)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
    *month = m;
    *year = year_of_era + era * 400 + (m <= 2);
}

int ar_weekday(int64_t days) {
    /* 1970-01-01 was a Thursday (4). */
    return (int)ar_floor_mod(days + 3, 7) + 1;
}

static int date_in_range(int64_t date) {
    return date >= ARCHASE_DATE_MIN && date <= ARCHASE_DATE_MAX;
}

/* ---- dates -------------------------------------------------------------- */

int archase_date_from_ymd(int32_t year, int32_t month, int32_t day, archase_date *out) {
    if (!out || year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 ||
        day > ar_days_in_month(year, month))
        return ARCHASE_EINVAL;
    *out = (archase_date)ar_days_from_civil(year, month, day);
    return 0;
}

void archase_date_to_ymd(archase_date date, int32_t *year, int32_t *month, int32_t *day) {
    int64_t y;
    int m, d;
    ar_civil_from_days(date, &y, &m, &d);
    if (year)
        *year = (int32_t)y;
    if (month)
        *month = m;
    if (day)
        *day = d;
}

int archase_date_weekday(archase_date date) {
    return ar_weekday(date);
}

int archase_date_add_months(archase_date date, int32_t months, archase_date *out) {
    if (!out)
        return ARCHASE_EINVAL;
    if (!date_in_range(date))
        return ARCHASE_ERANGE;
    int64_t year;
    int month, day;
    ar_civil_from_days(date, &year, &month, &day);
    int64_t target = year * 12 + (month - 1) + (int64_t)months;
    int64_t target_year = ar_floor_div(target, 12);
    int target_month = (int)ar_floor_mod(target, 12) + 1;
    if (target_year < 1 || target_year > 9999)
        return ARCHASE_ERANGE;
    int last = ar_days_in_month(target_year, target_month);
    *out = (archase_date)ar_days_from_civil(target_year, target_month, day < last ? day : last);
    return 0;
}

/* ---- parsing ------------------------------------------------------------ */

/* Reads exactly `n` ASCII digits at s. 0 or ARCHASE_EPARSE. */
static int read_digits(const char *s, size_t n, int32_t *out) {
    int32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return ARCHASE_EPARSE;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int ar_date_parse_n(const char *s, size_t len, archase_date *out) {
    int32_t year, month, day;
    archase_date date;
    if (!s || !out)
        return ARCHASE_EINVAL;
    if (len != 10 || s[4] != '-' || s[7] != '-' || read_digits(s, 4, &year) ||
        read_digits(s + 5, 2, &month) || read_digits(s + 8, 2, &day))
        return ARCHASE_EPARSE;
    if (archase_date_from_ymd(year, month, day, &date))
        return ARCHASE_EPARSE;
    *out = date;
    return 0;
}

int archase_date_parse(const char *text, archase_date *out) {
    if (!text || !out)
        return ARCHASE_EINVAL;
    return ar_date_parse_n(text, strnlen(text, 11), out);
}

int ar_date_format_check(const char *format) {
    if (!format)
        return ARCHASE_EINVAL;
    int seen_year = 0, seen_month = 0, seen_day = 0, seen_time[3] = { 0, 0, 0 };
    for (const char *f = format; *f; f++) {
        if (*f != '%')
            continue;
        f++;
        switch (*f) {
        case 'Y': seen_year++; break;
        case 'm': seen_month++; break;
        case 'd': seen_day++; break;
        case 'H': seen_time[0]++; break;
        case 'M': seen_time[1]++; break;
        case 'S': seen_time[2]++; break;
        case '%': break;
        default: return ARCHASE_EINVAL; /* includes a '%' at the end */
        }
    }
    if (seen_time[0] > 1 || seen_time[1] > 1 || seen_time[2] > 1)
        return ARCHASE_EINVAL;
    return seen_year == 1 && seen_month == 1 && seen_day == 1 ? 0 : ARCHASE_EINVAL;
}

/* Reads 1 to `max` digits at s[*i] (greedy) into *out. 0 or ARCHASE_EPARSE. */
static int read_number(const char *s, size_t len, size_t *i, size_t min, size_t max,
                       int32_t *out) {
    size_t start = *i, n = 0;
    while (start + n < len && n < max && s[start + n] >= '0' && s[start + n] <= '9')
        n++;
    if (n < min)
        return ARCHASE_EPARSE;
    read_digits(s + start, n, out);
    *i = start + n;
    return 0;
}

int ar_date_parse_format(const char *s, size_t len, const char *format, archase_date *out) {
    if (!s || !out || ar_date_format_check(format))
        return ARCHASE_EINVAL;
    int32_t year = 0, month = 0, day = 0;
    size_t i = 0;
    for (const char *f = format; *f; f++) {
        int rc = 0;
        if (*f == '%' && f[1] != '%') {
            f++;
            int32_t clock = 0;
            if (*f == 'Y')
                rc = read_number(s, len, &i, 4, 4, &year);
            else if (*f == 'm')
                rc = read_number(s, len, &i, 1, 2, &month);
            else if (*f == 'd')
                rc = read_number(s, len, &i, 1, 2, &day);
            else if (*f == 'H')
                rc = read_number(s, len, &i, 1, 2, &clock) || clock > 23 ? ARCHASE_EPARSE : 0;
            else /* %M, %S: two digits; a leap second is a time of day too */
                rc = read_number(s, len, &i, 2, 2, &clock) || clock > (*f == 'S' ? 60 : 59)
                         ? ARCHASE_EPARSE : 0;
        } else {
            if (*f == '%')
                f++; /* "%%" is a literal '%' */
            if (i >= len || s[i] != *f)
                rc = ARCHASE_EPARSE;
            i++;
        }
        if (rc)
            return rc;
    }
    archase_date date;
    if (i != len || archase_date_from_ymd(year, month, day, &date))
        return ARCHASE_EPARSE;
    *out = date;
    return 0;
}

int archase_date_format(archase_date date, char *buf, size_t size) {
    if (!buf)
        return ARCHASE_EINVAL;
    if (!date_in_range(date))
        return ARCHASE_ERANGE;
    if (size < ARCHASE_DATE_FORMAT_MAX)
        return ARCHASE_EBUFSIZE;
    int64_t year;
    int month, day;
    ar_civil_from_days(date, &year, &month, &day);
    char text[ARCHASE_DATE_FORMAT_MAX] = {
        (char)('0' + year / 1000), (char)('0' + year / 100 % 10), (char)('0' + year / 10 % 10),
        (char)('0' + year % 10),   '-',
        (char)('0' + month / 10),  (char)('0' + month % 10),      '-',
        (char)('0' + day / 10),    (char)('0' + day % 10),        '\0',
    };
    memcpy(buf, text, sizeof text);
    return 0;
}

/* ---- instants ----------------------------------------------------------- */

int ar_instant_parse_n(const char *s, size_t len, archase_instant *out) {
    archase_date date;
    int32_t hour, minute, second, offset_hours = 0, offset_minutes = 0;
    int offset_sign = 1;
    if (!s || !out)
        return ARCHASE_EINVAL;
    /* YYYY-MM-DDTHH:MM:SS then Z (20 bytes) or +HH:MM / -HH:MM (25 bytes). */
    if (len < 20 || ar_date_parse_n(s, 10, &date) || s[10] != 'T' || s[13] != ':' ||
        s[16] != ':' || read_digits(s + 11, 2, &hour) || read_digits(s + 14, 2, &minute) ||
        read_digits(s + 17, 2, &second))
        return ARCHASE_EPARSE;
    if (len == 20 && s[19] == 'Z') {
        /* UTC */
    } else if (len == 25 && (s[19] == '+' || s[19] == '-') && s[22] == ':' &&
               !read_digits(s + 20, 2, &offset_hours) && !read_digits(s + 23, 2, &offset_minutes)) {
        offset_sign = s[19] == '-' ? -1 : 1;
    } else {
        return ARCHASE_EPARSE;
    }
    /* No 24:00, no leap second 60, offsets within a day. */
    if (hour > 23 || minute > 59 || second > 59 || offset_hours > 23 || offset_minutes > 59)
        return ARCHASE_EPARSE;
    int64_t instant = (int64_t)date * AR_SECONDS_PER_DAY + hour * 3600 + minute * 60 + second -
                      offset_sign * (offset_hours * 3600 + offset_minutes * 60);
    if (instant < INSTANT_MIN || instant > INSTANT_MAX)
        return ARCHASE_ERANGE;
    *out = instant;
    return 0;
}

int archase_instant_parse(const char *text, archase_instant *out) {
    if (!text || !out)
        return ARCHASE_EINVAL;
    return ar_instant_parse_n(text, strnlen(text, 26), out);
}

int archase_instant_format(archase_instant instant, char *buf, size_t size) {
    if (!buf)
        return ARCHASE_EINVAL;
    if (instant < INSTANT_MIN || instant > INSTANT_MAX)
        return ARCHASE_ERANGE;
    if (size < ARCHASE_INSTANT_FORMAT_MAX)
        return ARCHASE_EBUFSIZE;
    int64_t date = ar_floor_div(instant, AR_SECONDS_PER_DAY);
    int64_t second_of_day = instant - date * AR_SECONDS_PER_DAY;
    int hour = (int)(second_of_day / 3600), minute = (int)(second_of_day / 60 % 60),
        second = (int)(second_of_day % 60);
    char text[ARCHASE_INSTANT_FORMAT_MAX];
    archase_date_format((archase_date)date, text, sizeof text);
    text[10] = 'T';
    text[11] = (char)('0' + hour / 10);
    text[12] = (char)('0' + hour % 10);
    text[13] = ':';
    text[14] = (char)('0' + minute / 10);
    text[15] = (char)('0' + minute % 10);
    text[16] = ':';
    text[17] = (char)('0' + second / 10);
    text[18] = (char)('0' + second % 10);
    text[19] = 'Z';
    text[20] = '\0';
    memcpy(buf, text, sizeof text);
    return 0;
}

archase_date archase_instant_utc_date(archase_instant instant) {
    if (instant < INSTANT_MIN || instant > INSTANT_MAX)
        return ARCHASE_DATE_NONE;
    return (archase_date)ar_floor_div(instant, AR_SECONDS_PER_DAY);
}
