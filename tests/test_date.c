/* tests/test_date.c — civil dates and UTC instants through the public API:
 * every date of the range round-trips, weekdays and leap years are right,
 * parsing is strict, months clamp to their last day. */
#include <stdio.h>
#include <string.h>

#include "archase/archase.h"
#include "support/testutil.h"

static archase_date date_of(const char *text) {
    archase_date d;
    int rc = archase_date_parse(text, &d);
    if (rc != 0)
        fail_msg("\"%s\": %s", text, archase_error_name(rc));
    return d;
}

static void assert_date_text(archase_date d, const char *expected) {
    char buf[ARCHASE_DATE_FORMAT_MAX];
    assert_int_equal(archase_date_format(d, buf, sizeof buf), 0);
    assert_string_equal(buf, expected);
}

/* Parsing `text` fails with `rc` and leaves the output alone. */
static void assert_date_rejected(const char *text, int rc) {
    archase_date d = 4242;
    int got = archase_date_parse(text, &d);
    if (got != rc)
        fail_msg("\"%s\": %s, expected %s", text, archase_error_name(got), archase_error_name(rc));
    assert_int_equal(d, 4242);
}

static archase_instant instant_of(const char *text) {
    archase_instant t;
    int rc = archase_instant_parse(text, &t);
    if (rc != 0)
        fail_msg("\"%s\": %s", text, archase_error_name(rc));
    return t;
}

static void assert_instant_rejected(const char *text, int rc) {
    archase_instant t = 4242;
    int got = archase_instant_parse(text, &t);
    if (got != rc)
        fail_msg("\"%s\": %s, expected %s", text, archase_error_name(got), archase_error_name(rc));
    assert_true(t == 4242);
}

/* ---- civil dates -------------------------------------------------------- */

static void the_epoch_and_the_range_limits_have_their_documented_numbers(void **state) {
    (void)state;
    assert_int_equal(date_of("1970-01-01"), 0);
    assert_int_equal(date_of("1970-01-02"), 1);
    assert_int_equal(date_of("1969-12-31"), -1);
    assert_int_equal(date_of("2000-03-01"), 11017);
    assert_int_equal(date_of("2026-01-05"), 20458);
    assert_int_equal(date_of("0001-01-01"), ARCHASE_DATE_MIN);
    assert_int_equal(date_of("9999-12-31"), ARCHASE_DATE_MAX);
}

static void every_date_of_the_range_round_trips(void **state) {
    (void)state;
    /* Walk 0001-01-01 .. 9999-12-31 in step with an independent y/m/d counter. */
    static const int month_days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int32_t year = 1, month = 1, day = 1;
    char text[ARCHASE_DATE_FORMAT_MAX], expected[48];
    int weekday = 1; /* 0001-01-01 was a Monday in the proleptic Gregorian calendar */
    for (int64_t d = ARCHASE_DATE_MIN; d <= ARCHASE_DATE_MAX; d++) {
        archase_date built, parsed;
        int32_t y, m, dd;
        if (archase_date_from_ymd(year, month, day, &built) != 0 || built != d)
            fail_msg("%04d-%02d-%02d built %d, expected %lld", year, month, day, built,
                     (long long)d);
        archase_date_to_ymd((archase_date)d, &y, &m, &dd);
        if (y != year || m != month || dd != day)
            fail_msg("day %lld split into %d-%d-%d", (long long)d, y, m, dd);
        if (archase_date_weekday((archase_date)d) != weekday)
            fail_msg("day %lld: weekday %d, expected %d", (long long)d,
                     archase_date_weekday((archase_date)d), weekday);
        if (day == 1 || day == 28 || (d & 63) == 0) { /* formatting is slower: a sample */
            assert_int_equal(archase_date_format((archase_date)d, text, sizeof text), 0);
            snprintf(expected, sizeof expected, "%04d-%02d-%02d", year, month, day);
            assert_string_equal(text, expected);
            assert_int_equal(archase_date_parse(text, &parsed), 0);
            assert_int_equal(parsed, d);
        }
        weekday = weekday % 7 + 1;
        int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        int last = month_days[month - 1] + (month == 2 && leap);
        if (++day > last) {
            day = 1;
            if (++month > 12) {
                month = 1;
                year++;
            }
        }
    }
    assert_int_equal(year, 10000);
}

static void weekdays_of_known_days(void **state) {
    (void)state;
    assert_int_equal(archase_date_weekday(date_of("1970-01-01")), 4); /* Thursday */
    assert_int_equal(archase_date_weekday(date_of("1969-12-31")), 3);
    assert_int_equal(archase_date_weekday(date_of("2000-01-01")), 6); /* Saturday */
    assert_int_equal(archase_date_weekday(date_of("2026-01-05")), 1); /* Monday */
    assert_int_equal(archase_date_weekday(date_of("2026-03-29")), 7); /* Sunday */
    assert_int_equal(archase_date_weekday(date_of("1582-10-15")), 5); /* Friday */
    assert_int_equal(archase_date_weekday(date_of("0001-01-01")), 1);
    assert_int_equal(archase_date_weekday(date_of("9999-12-31")), 5);
}

static void leap_years_follow_the_gregorian_rule(void **state) {
    (void)state;
    archase_date d;
    assert_int_equal(archase_date_from_ymd(2000, 2, 29, &d), 0); /* divisible by 400 */
    assert_int_equal(archase_date_from_ymd(2024, 2, 29, &d), 0); /* by 4 */
    assert_int_equal(archase_date_from_ymd(1900, 2, 29, &d), ARCHASE_EINVAL); /* by 100 */
    assert_int_equal(archase_date_from_ymd(2100, 2, 29, &d), ARCHASE_EINVAL);
    assert_int_equal(archase_date_from_ymd(2025, 2, 29, &d), ARCHASE_EINVAL);
    assert_int_equal(date_of("2000-03-01") - date_of("2000-02-28"), 2);
    assert_int_equal(date_of("1900-03-01") - date_of("1900-02-28"), 1);
    assert_int_equal(date_of("2101-01-01") - date_of("2100-01-01"), 365);
    assert_int_equal(date_of("2025-01-01") - date_of("2024-01-01"), 366);
}

static void from_ymd_rejects_days_that_do_not_exist(void **state) {
    (void)state;
    archase_date d = 7;
    assert_int_equal(archase_date_from_ymd(2026, 2, 30, &d), ARCHASE_EINVAL);
    assert_int_equal(archase_date_from_ymd(2026, 4, 31, &d), ARCHASE_EINVAL);
    assert_int_equal(archase_date_from_ymd(2026, 13, 1, &d), ARCHASE_EINVAL);
    assert_int_equal(archase_date_from_ymd(2026, 0, 1, &d), ARCHASE_EINVAL);
    assert_int_equal(archase_date_from_ymd(2026, 1, 0, &d), ARCHASE_EINVAL);
    assert_int_equal(archase_date_from_ymd(0, 12, 31, &d), ARCHASE_EINVAL);
    assert_int_equal(archase_date_from_ymd(10000, 1, 1, &d), ARCHASE_EINVAL);
    assert_int_equal(archase_date_from_ymd(-1, 1, 1, &d), ARCHASE_EINVAL);
    assert_int_equal(archase_date_from_ymd(2026, 1, 1, NULL), ARCHASE_EINVAL);
    assert_int_equal(d, 7);
    assert_int_equal(archase_date_from_ymd(2026, 12, 31, &d), 0);
    assert_date_text(d, "2026-12-31");
}

static void to_ymd_accepts_null_outputs(void **state) {
    (void)state;
    int32_t month = 0;
    archase_date_to_ymd(date_of("2026-07-14"), NULL, &month, NULL);
    assert_int_equal(month, 7);
}

static void parse_accepts_exactly_yyyy_mm_dd(void **state) {
    (void)state;
    assert_date_rejected("2026-02-30", ARCHASE_EPARSE);
    assert_date_rejected("2025-02-29", ARCHASE_EPARSE);
    assert_date_rejected("2026-1-05", ARCHASE_EPARSE);
    assert_date_rejected("2026-01-5", ARCHASE_EPARSE);
    assert_date_rejected("2026-01-05x", ARCHASE_EPARSE);
    assert_date_rejected(" 2026-01-05", ARCHASE_EPARSE);
    assert_date_rejected("2026-01-05 ", ARCHASE_EPARSE);
    assert_date_rejected("2026-01-05T00:00:00Z", ARCHASE_EPARSE);
    assert_date_rejected("", ARCHASE_EPARSE);
    assert_date_rejected("2026/01/05", ARCHASE_EPARSE);
    assert_date_rejected("20260105", ARCHASE_EPARSE);
    assert_date_rejected("+2026-01-05", ARCHASE_EPARSE);
    assert_date_rejected("2026-00-10", ARCHASE_EPARSE);
    assert_date_rejected("2026-13-10", ARCHASE_EPARSE);
    assert_date_rejected("2026-01-00", ARCHASE_EPARSE);
    assert_date_rejected("2026-01-32", ARCHASE_EPARSE);
    assert_date_rejected("0000-01-01", ARCHASE_EPARSE);
    assert_date_rejected("2026-0a-05", ARCHASE_EPARSE);
    assert_date_rejected("2026-01-0\xd9", ARCHASE_EPARSE);
    assert_date_rejected("12026-01-05", ARCHASE_EPARSE);
    assert_date_rejected(NULL, ARCHASE_EINVAL);
    assert_int_equal(archase_date_parse("2026-01-05", NULL), ARCHASE_EINVAL);
    assert_int_equal(date_of("2024-02-29"), date_of("2024-03-01") - 1);
}

static void format_reports_bad_dates_and_small_buffers(void **state) {
    (void)state;
    char buf[ARCHASE_DATE_FORMAT_MAX];
    memcpy(buf, "untouched", 10);
    assert_int_equal(archase_date_format(ARCHASE_DATE_MAX + 1, buf, sizeof buf), ARCHASE_ERANGE);
    assert_int_equal(archase_date_format(ARCHASE_DATE_MIN - 1, buf, sizeof buf), ARCHASE_ERANGE);
    assert_int_equal(archase_date_format(ARCHASE_DATE_NONE, buf, sizeof buf), ARCHASE_ERANGE);
    assert_int_equal(archase_date_format(0, buf, ARCHASE_DATE_FORMAT_MAX - 1), ARCHASE_EBUFSIZE);
    assert_int_equal(archase_date_format(0, NULL, 64), ARCHASE_EINVAL);
    assert_string_equal(buf, "untouched");
    assert_date_text(ARCHASE_DATE_MIN, "0001-01-01");
    assert_date_text(-1, "1969-12-31");
}

/* ---- months ------------------------------------------------------------- */

static void assert_add_months(const char *from, int32_t months, const char *expected) {
    archase_date d;
    int rc = archase_date_add_months(date_of(from), months, &d);
    if (rc != 0)
        fail_msg("%s %+d months: %s", from, months, archase_error_name(rc));
    char text[ARCHASE_DATE_FORMAT_MAX];
    archase_date_format(d, text, sizeof text);
    if (strcmp(text, expected) != 0)
        fail_msg("%s %+d months = %s, expected %s", from, months, text, expected);
}

static void adding_months_clamps_to_the_last_day_of_the_month(void **state) {
    (void)state;
    assert_add_months("2026-01-31", 1, "2026-02-28");
    assert_add_months("2024-01-31", 1, "2024-02-29");
    assert_add_months("2026-03-31", 1, "2026-04-30");
    assert_add_months("2026-03-31", -1, "2026-02-28");
    assert_add_months("2024-02-29", 12, "2025-02-28");
    assert_add_months("2024-02-29", 48, "2028-02-29");
    assert_add_months("2026-01-15", 0, "2026-01-15");
    assert_add_months("2026-01-15", 11, "2026-12-15");
    assert_add_months("2026-01-15", 12, "2027-01-15");
    assert_add_months("2026-01-15", -1, "2025-12-15");
    assert_add_months("2026-01-15", -13, "2024-12-15");
    assert_add_months("2026-05-31", -3, "2026-02-28");
    assert_add_months("0001-01-31", 1, "0001-02-28");
    assert_add_months("9999-11-30", 1, "9999-12-30");
    assert_add_months("0001-01-01", 9999 * 12 - 1, "9999-12-01");
}

static void adding_months_past_the_range_is_an_error(void **state) {
    (void)state;
    archase_date d = 99;
    assert_int_equal(archase_date_add_months(date_of("9999-12-01"), 1, &d), ARCHASE_ERANGE);
    assert_int_equal(archase_date_add_months(date_of("0001-01-31"), -1, &d), ARCHASE_ERANGE);
    assert_int_equal(archase_date_add_months(0, INT32_MAX, &d), ARCHASE_ERANGE);
    assert_int_equal(archase_date_add_months(0, INT32_MIN, &d), ARCHASE_ERANGE);
    assert_int_equal(archase_date_add_months(ARCHASE_DATE_NONE, 1, &d), ARCHASE_ERANGE);
    assert_int_equal(archase_date_add_months(0, 1, NULL), ARCHASE_EINVAL);
    assert_int_equal(d, 99);
}

static void months_there_and_back_return_unless_clamped(void **state) {
    (void)state;
    test_rng rng;
    test_rng_seed(&rng, 7);
    for (int i = 0; i < 100000; i++) {
        archase_date d = (archase_date)(date_of("1900-01-01") + (int64_t)test_rng_below(&rng, 73000));
        int32_t months = (int32_t)test_rng_below(&rng, 2401) - 1200;
        archase_date there, back;
        int32_t day, day_there;
        assert_int_equal(archase_date_add_months(d, months, &there), 0);
        assert_int_equal(archase_date_add_months(there, -months, &back), 0);
        archase_date_to_ymd(d, NULL, NULL, &day);
        archase_date_to_ymd(there, NULL, NULL, &day_there);
        if (day_there == day)
            assert_int_equal(back, d);
        else /* clamped: the last day of the target month, before the day */
            assert_true(day_there < day && back < d);
    }
}

/* ---- instants ----------------------------------------------------------- */

static void instants_parse_with_z_or_an_offset(void **state) {
    (void)state;
    assert_true(instant_of("1970-01-01T00:00:00Z") == 0);
    assert_true(instant_of("1970-01-01T00:00:01Z") == 1);
    assert_true(instant_of("1969-12-31T23:59:59Z") == -1);
    assert_true(instant_of("2026-03-29T01:00:00Z") == 1774746000);
    assert_true(instant_of("2026-03-29T03:00:00+02:00") == 1774746000);
    assert_true(instant_of("2026-03-28T20:00:00-05:00") == 1774746000);
    assert_true(instant_of("2026-03-29T12:30:00+11:30") == 1774746000);
    assert_true(instant_of("2026-03-29T01:00:00+00:00") == 1774746000);
    assert_true(instant_of("2026-03-29T01:00:00-00:00") == 1774746000);
    assert_true(instant_of("0001-01-01T00:00:00Z") == (int64_t)ARCHASE_DATE_MIN * 86400);
    assert_true(instant_of("9999-12-31T23:59:59Z") == (int64_t)ARCHASE_DATE_MAX * 86400 + 86399);
}

static void instant_parse_rejects_anything_else(void **state) {
    (void)state;
    assert_instant_rejected("2026-03-29T24:00:00Z", ARCHASE_EPARSE);
    assert_instant_rejected("2026-03-29T23:60:00Z", ARCHASE_EPARSE);
    assert_instant_rejected("2026-12-31T23:59:60Z", ARCHASE_EPARSE);
    assert_instant_rejected("2026-03-29T01:00:00", ARCHASE_EPARSE);
    assert_instant_rejected("2026-03-29 01:00:00Z", ARCHASE_EPARSE);
    assert_instant_rejected("2026-03-29t01:00:00Z", ARCHASE_EPARSE);
    assert_instant_rejected("2026-03-29T01:00:00z", ARCHASE_EPARSE);
    assert_instant_rejected("2026-03-29T01:00:00.5Z", ARCHASE_EPARSE);
    assert_instant_rejected("2026-03-29T1:00:00Z", ARCHASE_EPARSE);
    assert_instant_rejected("2026-03-29T01:00Z", ARCHASE_EPARSE);
    assert_instant_rejected("2026-03-29T01:00:00Zx", ARCHASE_EPARSE);
    assert_instant_rejected(" 2026-03-29T01:00:00Z", ARCHASE_EPARSE);
    assert_instant_rejected("2026-03-29T01:00:00+0200", ARCHASE_EPARSE);
    assert_instant_rejected("2026-03-29T01:00:00+02", ARCHASE_EPARSE);
    assert_instant_rejected("2026-03-29T01:00:00+24:00", ARCHASE_EPARSE);
    assert_instant_rejected("2026-03-29T01:00:00+02:60", ARCHASE_EPARSE);
    assert_instant_rejected("2026-03-29T01:00:00+02:00x", ARCHASE_EPARSE);
    assert_instant_rejected("2026-02-30T01:00:00Z", ARCHASE_EPARSE);
    assert_instant_rejected("garbage", ARCHASE_EPARSE);
    assert_instant_rejected("", ARCHASE_EPARSE);
    assert_instant_rejected("0001-01-01T00:00:00+00:01", ARCHASE_ERANGE);
    assert_instant_rejected("9999-12-31T23:59:59-00:01", ARCHASE_ERANGE);
    assert_instant_rejected(NULL, ARCHASE_EINVAL);
    assert_int_equal(archase_instant_parse("1970-01-01T00:00:00Z", NULL), ARCHASE_EINVAL);
}

static void instants_format_in_utc_and_parse_back(void **state) {
    (void)state;
    char buf[ARCHASE_INSTANT_FORMAT_MAX];
    assert_int_equal(archase_instant_format(-1, buf, sizeof buf), 0);
    assert_string_equal(buf, "1969-12-31T23:59:59Z");
    assert_int_equal(archase_instant_format(1774746000, buf, sizeof buf), 0);
    assert_string_equal(buf, "2026-03-29T01:00:00Z");
    test_rng rng;
    test_rng_seed(&rng, 11);
    const int64_t lo = (int64_t)ARCHASE_DATE_MIN * 86400;
    const int64_t span = ((int64_t)ARCHASE_DATE_MAX + 1) * 86400 - lo;
    for (int i = 0; i < 100000; i++) {
        archase_instant t = lo + (int64_t)test_rng_below(&rng, (uint64_t)span), back;
        assert_int_equal(archase_instant_format(t, buf, sizeof buf), 0);
        assert_int_equal(archase_instant_parse(buf, &back), 0);
        assert_true(back == t);
    }
}

static void instant_format_reports_range_and_buffer(void **state) {
    (void)state;
    char buf[ARCHASE_INSTANT_FORMAT_MAX];
    memcpy(buf, "untouched", 10);
    assert_int_equal(archase_instant_format((int64_t)ARCHASE_DATE_MIN * 86400 - 1, buf, sizeof buf),
                     ARCHASE_ERANGE);
    assert_int_equal(archase_instant_format(((int64_t)ARCHASE_DATE_MAX + 1) * 86400, buf, sizeof buf),
                     ARCHASE_ERANGE);
    assert_int_equal(archase_instant_format(INT64_MIN, buf, sizeof buf), ARCHASE_ERANGE);
    assert_int_equal(archase_instant_format(INT64_MAX, buf, sizeof buf), ARCHASE_ERANGE);
    assert_int_equal(archase_instant_format(0, buf, ARCHASE_INSTANT_FORMAT_MAX - 1),
                     ARCHASE_EBUFSIZE);
    assert_int_equal(archase_instant_format(0, NULL, 64), ARCHASE_EINVAL);
    assert_string_equal(buf, "untouched");
}

static void the_utc_date_of_an_instant_rounds_down(void **state) {
    (void)state;
    assert_int_equal(archase_instant_utc_date(0), 0);
    assert_int_equal(archase_instant_utc_date(86399), 0);
    assert_int_equal(archase_instant_utc_date(86400), 1);
    assert_int_equal(archase_instant_utc_date(-1), -1);
    assert_int_equal(archase_instant_utc_date(-86400), -1);
    assert_int_equal(archase_instant_utc_date(-86401), -2);
    assert_int_equal(archase_instant_utc_date(instant_of("2026-03-29T23:59:59Z")),
                     date_of("2026-03-29"));
    assert_int_equal(archase_instant_utc_date(instant_of("2026-03-29T00:30:00+01:00")),
                     date_of("2026-03-28"));
    assert_int_equal(archase_instant_utc_date((int64_t)ARCHASE_DATE_MIN * 86400),
                     ARCHASE_DATE_MIN);
    assert_int_equal(archase_instant_utc_date((int64_t)ARCHASE_DATE_MIN * 86400 - 1),
                     ARCHASE_DATE_NONE);
    assert_int_equal(archase_instant_utc_date(INT64_MIN), ARCHASE_DATE_NONE);
    assert_int_equal(archase_instant_utc_date(INT64_MAX), ARCHASE_DATE_NONE);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(the_epoch_and_the_range_limits_have_their_documented_numbers),
    cmocka_unit_test(every_date_of_the_range_round_trips),
    cmocka_unit_test(weekdays_of_known_days),
    cmocka_unit_test(leap_years_follow_the_gregorian_rule),
    cmocka_unit_test(from_ymd_rejects_days_that_do_not_exist),
    cmocka_unit_test(to_ymd_accepts_null_outputs),
    cmocka_unit_test(parse_accepts_exactly_yyyy_mm_dd),
    cmocka_unit_test(format_reports_bad_dates_and_small_buffers),
    cmocka_unit_test(adding_months_clamps_to_the_last_day_of_the_month),
    cmocka_unit_test(adding_months_past_the_range_is_an_error),
    cmocka_unit_test(months_there_and_back_return_unless_clamped),
    cmocka_unit_test(instants_parse_with_z_or_an_offset),
    cmocka_unit_test(instant_parse_rejects_anything_else),
    cmocka_unit_test(instants_format_in_utc_and_parse_back),
    cmocka_unit_test(instant_format_reports_range_and_buffer),
    cmocka_unit_test(the_utc_date_of_an_instant_rounds_down),
};

AR_TEST_MAIN(tests)
