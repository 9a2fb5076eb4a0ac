/* tests/test_date_formats.c — the date readers the importers use: ISO dates
 * and instants over slices of a larger buffer, and dates by a format such as
 * "%m/%d/%Y" (the IBM accounts-receivable sample writes 1/2/2013). */
#include <stdio.h>
#include <string.h>

#include "archase/archase.h"
#include "core/date.h"
#include "support/testutil.h"

static archase_date ymd(int32_t y, int32_t m, int32_t d) {
    archase_date out;
    assert_int_equal(archase_date_from_ymd(y, m, d, &out), 0);
    return out;
}

static void assert_format_reads(const char *format, const char *text, archase_date expected) {
    archase_date d = 4242;
    int rc = ar_date_parse_format(text, strlen(text), format, &d);
    if (rc != 0)
        fail_msg("\"%s\" by \"%s\": %s", text, format, archase_error_name(rc));
    assert_int_equal(d, expected);
}

static void assert_format_rejects(const char *format, const char *text, int rc) {
    archase_date d = 4242;
    int got = ar_date_parse_format(text, strlen(text), format, &d);
    if (got != rc)
        fail_msg("\"%s\" by \"%s\": %s, expected %s", text, format, archase_error_name(got),
                 archase_error_name(rc));
    assert_int_equal(d, 4242);
}

static void slices_parse_without_a_terminating_nul(void **state) {
    (void)state;
    const char *row = "INV-1,2026-01-05,2026-02-04T09:30:00+01:00,x";
    archase_date d;
    archase_instant t;
    assert_int_equal(ar_date_parse_n(row + 6, 10, &d), 0);
    assert_int_equal(d, ymd(2026, 1, 5));
    assert_int_equal(ar_date_parse_n(row + 6, 11, &d), ARCHASE_EPARSE);
    assert_int_equal(ar_date_parse_n(row + 6, 9, &d), ARCHASE_EPARSE);
    assert_int_equal(ar_date_parse_n(row, 0, &d), ARCHASE_EPARSE);
    assert_int_equal(ar_date_parse_n(NULL, 10, &d), ARCHASE_EINVAL);
    assert_int_equal(ar_instant_parse_n(row + 17, 25, &t), 0);
    assert_true(t == (int64_t)ymd(2026, 2, 4) * 86400 + 8 * 3600 + 30 * 60);
    assert_int_equal(ar_instant_parse_n(row + 17, 26, &t), ARCHASE_EPARSE);
    assert_int_equal(ar_instant_parse_n(row + 17, 20, &t), ARCHASE_EPARSE);
}

static void formats_read_dates_with_or_without_leading_zeros(void **state) {
    (void)state;
    assert_format_reads("%Y-%m-%d", "2026-01-05", ymd(2026, 1, 5));
    assert_format_reads("%Y-%m-%d", "2026-1-5", ymd(2026, 1, 5));
    assert_format_reads("%m/%d/%Y", "1/2/2013", ymd(2013, 1, 2));
    assert_format_reads("%m/%d/%Y", "01/02/2013", ymd(2013, 1, 2));
    assert_format_reads("%m/%d/%Y", "12/31/2013", ymd(2013, 12, 31));
    assert_format_reads("%d/%m/%Y", "1/2/2013", ymd(2013, 2, 1));
    assert_format_reads("%d/%m/%Y", "31/12/2013", ymd(2013, 12, 31));
    assert_format_reads("%d.%m.%Y", "5.1.2026", ymd(2026, 1, 5));
    assert_format_reads("%d.%m.%Y", "29.02.2024", ymd(2024, 2, 29));
    assert_format_reads("%Y%m%d", "20260105", ymd(2026, 1, 5));
    assert_format_reads("%d %% %m %% %Y", "5 % 1 % 2026", ymd(2026, 1, 5));
}

static void formats_reject_text_that_does_not_match(void **state) {
    (void)state;
    assert_format_rejects("%m/%d/%Y", "2/30/2013", ARCHASE_EPARSE);   /* no such day */
    assert_format_rejects("%m/%d/%Y", "2/29/2013", ARCHASE_EPARSE);
    assert_format_rejects("%m/%d/%Y", "13/1/2013", ARCHASE_EPARSE);
    assert_format_rejects("%m/%d/%Y", "1/2/13", ARCHASE_EPARSE);      /* %Y is four digits */
    assert_format_rejects("%m/%d/%Y", "1/2/20130", ARCHASE_EPARSE);
    assert_format_rejects("%m/%d/%Y", "1/2/2013 ", ARCHASE_EPARSE);
    assert_format_rejects("%m/%d/%Y", " 1/2/2013", ARCHASE_EPARSE);
    assert_format_rejects("%m/%d/%Y", "001/2/2013", ARCHASE_EPARSE);
    assert_format_rejects("%m/%d/%Y", "1-2-2013", ARCHASE_EPARSE);
    assert_format_rejects("%m/%d/%Y", "1/2/", ARCHASE_EPARSE);
    assert_format_rejects("%m/%d/%Y", "//2013", ARCHASE_EPARSE);
    assert_format_rejects("%m/%d/%Y", "", ARCHASE_EPARSE);
    assert_format_rejects("%d.%m.%Y", "0.1.2026", ARCHASE_EPARSE);
    assert_format_rejects("%Y-%m-%d", "0000-01-01", ARCHASE_EPARSE);
}

static void bad_formats_are_invalid_arguments(void **state) {
    (void)state;
    assert_int_equal(ar_date_format_check("%Y-%m-%d"), 0);
    assert_int_equal(ar_date_format_check("%d.%m.%Y"), 0);
    assert_int_equal(ar_date_format_check("%Y-%m"), ARCHASE_EINVAL);       /* no day */
    assert_int_equal(ar_date_format_check("%Y-%m-%d-%d"), ARCHASE_EINVAL); /* day twice */
    assert_int_equal(ar_date_format_check("%y-%m-%d"), ARCHASE_EINVAL);    /* unknown */
    assert_int_equal(ar_date_format_check("%Y-%m-%d%"), ARCHASE_EINVAL);   /* dangling % */
    assert_int_equal(ar_date_format_check(""), ARCHASE_EINVAL);
    assert_int_equal(ar_date_format_check(NULL), ARCHASE_EINVAL);
    assert_format_rejects("%b %d %Y", "Jan 05 2026", ARCHASE_EINVAL);
    assert_format_rejects(NULL, "2026-01-05", ARCHASE_EINVAL);
    archase_date d;
    assert_int_equal(ar_date_parse_format(NULL, 0, "%Y-%m-%d", &d), ARCHASE_EINVAL);
    assert_int_equal(ar_date_parse_format("2026-01-05", 10, "%Y-%m-%d", NULL), ARCHASE_EINVAL);
}

static void a_time_of_day_is_checked_and_dropped(void **state) {
    (void)state;
    assert_int_equal(ar_date_format_check("%Y-%m-%d %H:%M:%S"), 0);
    assert_int_equal(ar_date_format_check("%d.%m.%Y %H:%M"), 0);
    assert_int_equal(ar_date_format_check("%Y-%m-%d %H:%H"), ARCHASE_EINVAL); /* hour twice */
    assert_format_reads("%Y-%m-%d %H:%M:%S", "2026-01-05 00:00:00", ymd(2026, 1, 5));
    assert_format_reads("%Y-%m-%d %H:%M:%S", "2026-01-05 23:59:60", ymd(2026, 1, 5));
    assert_format_reads("%m/%d/%Y %H:%M", "1/5/2026 7:05", ymd(2026, 1, 5));
    assert_format_reads("%Y-%m-%dT%H:%M:%S", "2026-01-05T14:30:00", ymd(2026, 1, 5));
    assert_format_rejects("%Y-%m-%d %H:%M:%S", "2026-01-05 24:00:00", ARCHASE_EPARSE);
    assert_format_rejects("%Y-%m-%d %H:%M:%S", "2026-01-05 12:60:00", ARCHASE_EPARSE);
    assert_format_rejects("%Y-%m-%d %H:%M:%S", "2026-01-05 12:5:00", ARCHASE_EPARSE);
    assert_format_rejects("%Y-%m-%d %H:%M", "2026-01-05", ARCHASE_EPARSE);
    assert_format_rejects("%Y-%m-%d", "2026-01-05 00:00", ARCHASE_EPARSE);
}

static void every_date_reads_back_by_each_format(void **state) {
    (void)state;
    static const char *const formats[] = { "%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y" };
    test_rng rng;
    test_rng_seed(&rng, 3);
    for (int i = 0; i < 50000; i++) {
        archase_date d = (archase_date)(ARCHASE_DATE_MIN +
                                        (int64_t)test_rng_below(&rng, ARCHASE_DATE_MAX -
                                                                      ARCHASE_DATE_MIN + 1));
        int32_t y, m, day;
        archase_date_to_ymd(d, &y, &m, &day);
        char text[32];
        int padded = (int)test_rng_below(&rng, 2);
        const char *f = formats[i % 4];
        if (f[1] == 'Y')
            snprintf(text, sizeof text, padded ? "%04d-%02d-%02d" : "%04d-%d-%d", y, m, day);
        else if (f[1] == 'm')
            snprintf(text, sizeof text, padded ? "%02d/%02d/%04d" : "%d/%d/%04d", m, day, y);
        else if (f[2] == '/')
            snprintf(text, sizeof text, padded ? "%02d/%02d/%04d" : "%d/%d/%04d", day, m, y);
        else
            snprintf(text, sizeof text, padded ? "%02d.%02d.%04d" : "%d.%d.%04d", day, m, y);
        assert_format_reads(f, text, d);
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(slices_parse_without_a_terminating_nul),
    cmocka_unit_test(formats_read_dates_with_or_without_leading_zeros),
    cmocka_unit_test(formats_reject_text_that_does_not_match),
    cmocka_unit_test(bad_formats_are_invalid_arguments),
    cmocka_unit_test(a_time_of_day_is_checked_and_dropped),
    cmocka_unit_test(every_date_reads_back_by_each_format),
};

AR_TEST_MAIN(tests)
