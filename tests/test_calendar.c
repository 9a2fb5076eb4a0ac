/* tests/test_calendar.c — business-day calendars through the public API:
 * weekends and holidays, roll rules, adding and counting business days, and
 * allocation failure. */
#include <string.h>

#include "archase/archase.h"
#include "support/failalloc.h"
#include "support/testutil.h"

static archase_date on(const char *text) {
    archase_date d;
    int rc = archase_date_parse(text, &d);
    if (rc != 0)
        fail_msg("\"%s\": %s", text, archase_error_name(rc));
    return d;
}

static const char *text_of(archase_date d) {
    static char buf[ARCHASE_DATE_FORMAT_MAX];
    if (archase_date_format(d, buf, sizeof buf) != 0)
        return "(out of range)";
    return buf;
}

/* A calendar with `weekend_mask` and the NULL-terminated holidays. */
static archase_calendar *calendar(uint32_t weekend_mask, const char *const *holidays) {
    archase_calendar_options opts = ARCHASE_CALENDAR_OPTIONS_INIT;
    opts.weekend_mask = weekend_mask;
    archase_calendar *cal = NULL;
    assert_int_equal(archase_calendar_new(&opts, &cal), 0);
    for (size_t i = 0; holidays && holidays[i]; i++)
        assert_int_equal(archase_calendar_add_holiday(cal, on(holidays[i])), 0);
    return cal;
}

static void assert_adds(const archase_calendar *cal, const char *from, int32_t n,
                        const char *expected) {
    archase_date d;
    int rc = archase_calendar_add_business_days(cal, on(from), n, &d);
    if (rc != 0)
        fail_msg("%s %+d business days: %s", from, n, archase_error_name(rc));
    if (d != on(expected))
        fail_msg("%s %+d business days = %s, expected %s", from, n, text_of(d), expected);
}

static void assert_rolls(const archase_calendar *cal, const char *from, archase_roll rule,
                         const char *expected) {
    archase_date d;
    int rc = archase_calendar_roll(cal, on(from), rule, &d);
    if (rc != 0)
        fail_msg("roll %s by %d: %s", from, rule, archase_error_name(rc));
    if (d != on(expected))
        fail_msg("roll %s by %d = %s, expected %s", from, rule, text_of(d), expected);
}

/* Easter 2026 in much of Europe: Good Friday and Easter Monday. */
static const char *const easter_2026[] = { "2026-04-03", "2026-04-06", NULL };

/* ---- construction ------------------------------------------------------- */

static void a_default_calendar_has_saturday_and_sunday_off(void **state) {
    (void)state;
    archase_calendar *cal = NULL;
    assert_int_equal(archase_calendar_new(NULL, &cal), 0);
    assert_true(archase_calendar_is_business_day(cal, on("2026-01-09")));  /* Friday */
    assert_false(archase_calendar_is_business_day(cal, on("2026-01-10"))); /* Saturday */
    assert_false(archase_calendar_is_business_day(cal, on("2026-01-11"))); /* Sunday */
    assert_true(archase_calendar_is_business_day(cal, on("2026-01-12")));  /* Monday */
    archase_calendar_free(cal);
}

static void options_are_checked(void **state) {
    (void)state;
    archase_calendar_options opts;
    archase_calendar *cal = NULL;
    assert_int_equal(archase_calendar_options_init(&opts, ARCHASE_CALENDAR_OPTIONS_VERSION), 0);
    assert_int_equal(opts.weekend_mask, ARCHASE_WEEKEND_SAT_SUN);
    assert_null(opts.allocator);
    assert_int_equal(archase_calendar_options_init(&opts, 99), ARCHASE_EVERSION);
    assert_int_equal(archase_calendar_options_init(NULL, ARCHASE_CALENDAR_OPTIONS_VERSION),
                     ARCHASE_EINVAL);

    opts.weekend_mask = 0x7f; /* every day a weekend */
    assert_int_equal(archase_calendar_new(&opts, &cal), ARCHASE_EINVAL);
    opts.weekend_mask = 0x80; /* no eighth weekday */
    assert_int_equal(archase_calendar_new(&opts, &cal), ARCHASE_EINVAL);
    opts.weekend_mask = 0;
    opts.version = 2;
    assert_int_equal(archase_calendar_new(&opts, &cal), ARCHASE_EVERSION);
    opts.version = ARCHASE_CALENDAR_OPTIONS_VERSION;
    archase_allocator broken = { ARCHASE_ALLOCATOR_VERSION, NULL, NULL, NULL, NULL };
    opts.allocator = &broken;
    assert_int_equal(archase_calendar_new(&opts, &cal), ARCHASE_EINVAL);
    assert_null(cal);
    opts.allocator = NULL;
    assert_int_equal(archase_calendar_new(&opts, NULL), ARCHASE_EINVAL);

    /* No weekend at all: every day but a holiday is a business day. */
    assert_int_equal(archase_calendar_new(&opts, &cal), 0);
    assert_true(archase_calendar_is_business_day(cal, on("2026-01-10")));
    archase_calendar_free(cal);
    archase_calendar_free(NULL);
}

static void holidays_are_not_business_days_in_any_order_and_twice(void **state) {
    (void)state;
    archase_calendar *cal = calendar(ARCHASE_WEEKEND_SAT_SUN, NULL);
    const char *days[] = { "2026-12-25", "2026-01-01", "2026-05-01", "2026-12-25", "2026-10-03" };
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++)
        assert_int_equal(archase_calendar_add_holiday(cal, on(days[i])), 0);
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++)
        assert_false(archase_calendar_is_business_day(cal, on(days[i])));
    assert_true(archase_calendar_is_business_day(cal, on("2026-12-24")));
    assert_true(archase_calendar_is_business_day(cal, on("2026-01-02")));
    assert_int_equal(archase_calendar_add_holiday(cal, ARCHASE_DATE_MAX + 1), ARCHASE_ERANGE);
    assert_int_equal(archase_calendar_add_holiday(cal, ARCHASE_DATE_NONE), ARCHASE_ERANGE);
    assert_int_equal(archase_calendar_add_holiday(NULL, 0), ARCHASE_EINVAL);
    assert_false(archase_calendar_is_business_day(NULL, on("2026-12-24")));
    assert_false(archase_calendar_is_business_day(cal, ARCHASE_DATE_NONE));
    /* Counting shows the duplicate was kept once: Dec 21..31 has 9 weekdays, 1 holiday. */
    assert_int_equal(archase_calendar_business_days_between(cal, on("2026-12-20"),
                                                            on("2026-12-31")), 8);
    archase_calendar_free(cal);
}

/* ---- adding business days ----------------------------------------------- */

static void friday_plus_one_is_monday_and_so_is_saturday_plus_one(void **state) {
    (void)state;
    archase_calendar *cal = calendar(ARCHASE_WEEKEND_SAT_SUN, NULL);
    assert_adds(cal, "2026-01-09", 1, "2026-01-12"); /* Friday */
    assert_adds(cal, "2026-01-10", 1, "2026-01-12"); /* Saturday */
    assert_adds(cal, "2026-01-11", 1, "2026-01-12"); /* Sunday */
    assert_adds(cal, "2026-01-12", 1, "2026-01-13");
    assert_adds(cal, "2026-01-09", 5, "2026-01-16");
    assert_adds(cal, "2026-01-05", 10, "2026-01-19");
    assert_adds(cal, "2026-01-05", 260, "2027-01-04"); /* 52 weeks */
    archase_calendar_free(cal);
}

static void zero_business_days_rolls_forward(void **state) {
    (void)state;
    archase_calendar *cal = calendar(ARCHASE_WEEKEND_SAT_SUN, easter_2026);
    assert_adds(cal, "2026-01-07", 0, "2026-01-07");
    assert_adds(cal, "2026-01-10", 0, "2026-01-12");
    assert_adds(cal, "2026-04-03", 0, "2026-04-07"); /* Good Friday .. Easter Monday */
    archase_calendar_free(cal);
}

static void negative_counts_go_back_from_the_previous_business_day(void **state) {
    (void)state;
    archase_calendar *cal = calendar(ARCHASE_WEEKEND_SAT_SUN, easter_2026);
    assert_adds(cal, "2026-01-12", -1, "2026-01-09"); /* Monday - 1 = Friday */
    assert_adds(cal, "2026-01-11", -1, "2026-01-09"); /* Sunday - 1 = Friday */
    assert_adds(cal, "2026-01-10", -1, "2026-01-09"); /* Saturday - 1 = Friday */
    assert_adds(cal, "2026-01-16", -5, "2026-01-09");
    assert_adds(cal, "2026-04-07", -1, "2026-04-02"); /* over Easter */
    assert_adds(cal, "2027-01-04", -260, "2026-01-01"); /* two Easter holidays */
    archase_calendar_free(cal);
}

static void holidays_are_skipped_like_weekends(void **state) {
    (void)state;
    archase_calendar *cal = calendar(ARCHASE_WEEKEND_SAT_SUN, easter_2026);
    assert_adds(cal, "2026-04-02", 1, "2026-04-07"); /* Thursday + 1 = Tuesday */
    assert_adds(cal, "2026-04-01", 3, "2026-04-08");
    assert_adds(cal, "2026-04-03", 1, "2026-04-07"); /* from the holiday itself */
    assert_adds(cal, "2026-03-30", 10, "2026-04-15");
    archase_calendar_free(cal);
}

static void another_weekend_mask_moves_the_weekend(void **state) {
    (void)state;
    /* Friday and Saturday off. */
    archase_calendar *cal = calendar(ARCHASE_WEEKDAY_BIT(5) | ARCHASE_WEEKDAY_BIT(6), NULL);
    assert_adds(cal, "2026-01-08", 1, "2026-01-11"); /* Thursday + 1 = Sunday */
    assert_adds(cal, "2026-01-11", -1, "2026-01-08");
    assert_true(archase_calendar_is_business_day(cal, on("2026-01-11")));
    archase_calendar_free(cal);
}

/* Counts by stepping one day at a time: the reference for the fast paths. */
static archase_date step_business_days(const archase_calendar *cal, archase_date d, int32_t n) {
    int step = n < 0 ? -1 : 1;
    if (n == 0) {
        while (!archase_calendar_is_business_day(cal, d))
            d++;
        return d;
    }
    for (int32_t left = n < 0 ? -n : n; left > 0;) {
        d += step;
        left -= archase_calendar_is_business_day(cal, d);
    }
    return d;
}

static void large_counts_agree_with_stepping_day_by_day(void **state) {
    (void)state;
    test_rng rng;
    test_rng_seed(&rng, 5);
    for (int round = 0; round < 20; round++) {
        uint32_t mask = (uint32_t)test_rng_below(&rng, 0x7f); /* never all seven */
        archase_calendar *cal = calendar(mask, NULL);
        /* Dense holidays over 2020..2040, some on weekends, some runs. */
        for (int h = 0; h < 800; h++)
            archase_calendar_add_holiday(
                cal, (archase_date)(on("2020-01-01") + (int64_t)test_rng_below(&rng, 7300)));
        for (int i = 0; i < 200; i++) {
            archase_date from =
                (archase_date)(on("2024-01-01") + (int64_t)test_rng_below(&rng, 2000));
            int32_t n = (int32_t)test_rng_below(&rng, 3001) - 1500;
            archase_date got;
            assert_int_equal(archase_calendar_add_business_days(cal, from, n, &got), 0);
            archase_date expected = step_business_days(cal, from, n);
            if (got != expected)
                fail_msg("mask %#x: %s %+d = %s", mask, text_of(from), n, text_of(got));
        }
        archase_calendar_free(cal);
    }
}

static void adding_past_the_range_is_an_error(void **state) {
    (void)state;
    archase_calendar *cal = calendar(ARCHASE_WEEKEND_SAT_SUN, NULL);
    archase_date d = 99;
    assert_int_equal(archase_calendar_add_business_days(cal, on("9999-12-29"), 5, &d),
                     ARCHASE_ERANGE);
    assert_int_equal(archase_calendar_add_business_days(cal, on("0001-01-03"), -5, &d),
                     ARCHASE_ERANGE);
    assert_int_equal(archase_calendar_add_business_days(cal, 0, INT32_MAX, &d), ARCHASE_ERANGE);
    assert_int_equal(archase_calendar_add_business_days(cal, 0, INT32_MIN, &d), ARCHASE_ERANGE);
    assert_int_equal(archase_calendar_add_business_days(cal, ARCHASE_DATE_NONE, 1, &d),
                     ARCHASE_ERANGE);
    assert_int_equal(archase_calendar_add_business_days(NULL, 0, 1, &d), ARCHASE_EINVAL);
    assert_int_equal(archase_calendar_add_business_days(cal, 0, 1, NULL), ARCHASE_EINVAL);
    assert_int_equal(d, 99);
    assert_adds(cal, "9999-12-30", 1, "9999-12-31");
    assert_adds(cal, "0001-01-02", -1, "0001-01-01");
    archase_calendar_free(cal);
}

/* ---- rolling ------------------------------------------------------------ */

static void roll_rules_move_to_the_documented_business_day(void **state) {
    (void)state;
    archase_calendar *cal = calendar(ARCHASE_WEEKEND_SAT_SUN, easter_2026);
    assert_rolls(cal, "2026-01-10", ARCHASE_ROLL_NONE, "2026-01-10");
    assert_rolls(cal, "2026-01-10", ARCHASE_ROLL_FOLLOWING, "2026-01-12");
    assert_rolls(cal, "2026-01-10", ARCHASE_ROLL_PRECEDING, "2026-01-09");
    assert_rolls(cal, "2026-01-10", ARCHASE_ROLL_MODIFIED_FOLLOWING, "2026-01-12");
    assert_rolls(cal, "2026-04-03", ARCHASE_ROLL_FOLLOWING, "2026-04-07");
    assert_rolls(cal, "2026-04-06", ARCHASE_ROLL_PRECEDING, "2026-04-02");
    /* A business day stays put under every rule. */
    for (int rule = ARCHASE_ROLL_NONE; rule <= ARCHASE_ROLL_MODIFIED_FOLLOWING; rule++)
        assert_rolls(cal, "2026-01-07", (archase_roll)rule, "2026-01-07");
    archase_calendar_free(cal);
}

static void modified_following_stays_in_the_month_at_month_end(void **state) {
    (void)state;
    static const char *const new_year[] = { "2026-12-31", "2027-01-01", NULL };
    archase_calendar *cal = calendar(ARCHASE_WEEKEND_SAT_SUN, new_year);
    /* Saturday 2026-05-30: following is Monday June 1, so back to Friday May 29. */
    assert_rolls(cal, "2026-05-30", ARCHASE_ROLL_FOLLOWING, "2026-06-01");
    assert_rolls(cal, "2026-05-30", ARCHASE_ROLL_MODIFIED_FOLLOWING, "2026-05-29");
    assert_rolls(cal, "2026-05-31", ARCHASE_ROLL_MODIFIED_FOLLOWING, "2026-05-29");
    assert_rolls(cal, "2026-10-31", ARCHASE_ROLL_MODIFIED_FOLLOWING, "2026-10-30");
    /* Holidays push the next business day into January. */
    assert_rolls(cal, "2026-12-31", ARCHASE_ROLL_FOLLOWING, "2027-01-04");
    assert_rolls(cal, "2026-12-31", ARCHASE_ROLL_MODIFIED_FOLLOWING, "2026-12-30");
    /* Early in a month it is plain following. */
    assert_rolls(cal, "2026-08-01", ARCHASE_ROLL_MODIFIED_FOLLOWING, "2026-08-03");
    archase_calendar_free(cal);
}

static void roll_reports_bad_rules_and_the_end_of_the_range(void **state) {
    (void)state;
    static const char *const last_day[] = { "9999-12-31", "0001-01-01", NULL };
    archase_calendar *cal = calendar(ARCHASE_WEEKEND_SAT_SUN, last_day);
    archase_date d = 99;
    assert_int_equal(archase_calendar_roll(cal, on("9999-12-31"), ARCHASE_ROLL_FOLLOWING, &d),
                     ARCHASE_ERANGE);
    assert_int_equal(archase_calendar_roll(cal, on("0001-01-01"), ARCHASE_ROLL_PRECEDING, &d),
                     ARCHASE_ERANGE);
    assert_int_equal(archase_calendar_roll(cal, 0, (archase_roll)4, &d), ARCHASE_EINVAL);
    assert_int_equal(archase_calendar_roll(cal, 0, (archase_roll)-1, &d), ARCHASE_EINVAL);
    assert_int_equal(archase_calendar_roll(NULL, 0, ARCHASE_ROLL_NONE, &d), ARCHASE_EINVAL);
    assert_int_equal(archase_calendar_roll(cal, 0, ARCHASE_ROLL_NONE, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_calendar_roll(cal, ARCHASE_DATE_MAX + 1, ARCHASE_ROLL_NONE, &d),
                     ARCHASE_ERANGE);
    assert_int_equal(d, 99);
    /* No business day after the last one: modified following goes back. */
    assert_rolls(cal, "9999-12-31", ARCHASE_ROLL_MODIFIED_FOLLOWING, "9999-12-30");
    archase_calendar_free(cal);
}

/* ---- counting ----------------------------------------------------------- */

static void counting_business_days_between_two_dates(void **state) {
    (void)state;
    archase_calendar *cal = calendar(ARCHASE_WEEKEND_SAT_SUN, easter_2026);
    assert_int_equal(archase_calendar_business_days_between(cal, on("2026-01-09"), on("2026-01-12")), 1);
    assert_int_equal(archase_calendar_business_days_between(cal, on("2026-01-12"), on("2026-01-09")), -1);
    assert_int_equal(archase_calendar_business_days_between(cal, on("2026-01-10"), on("2026-01-12")), 1);
    assert_int_equal(archase_calendar_business_days_between(cal, on("2026-01-11"), on("2026-01-09")), -1);
    assert_int_equal(archase_calendar_business_days_between(cal, on("2026-01-12"), on("2026-01-12")), 0);
    assert_int_equal(archase_calendar_business_days_between(cal, on("2026-01-10"), on("2026-01-11")), 0);
    assert_int_equal(archase_calendar_business_days_between(cal, on("2026-04-02"), on("2026-04-07")), 1);
    assert_int_equal(archase_calendar_business_days_between(cal, on("2026-01-01"), on("2026-12-31")), 258);
    assert_int_equal(archase_calendar_business_days_between(cal, on("0001-01-01"), on("9999-12-31")),
                     2608612);
    assert_int_equal(archase_calendar_business_days_between(NULL, 0, 10), 0);
    assert_int_equal(archase_calendar_business_days_between(cal, ARCHASE_DATE_NONE, 10), 0);
    archase_calendar_free(cal);
}

static void counting_is_the_inverse_of_adding(void **state) {
    (void)state;
    test_rng rng;
    test_rng_seed(&rng, 9);
    archase_calendar *cal = calendar(ARCHASE_WEEKEND_SAT_SUN, NULL);
    for (int h = 0; h < 300; h++)
        archase_calendar_add_holiday(cal, (archase_date)(on("2025-01-01") +
                                                         (int64_t)test_rng_below(&rng, 1500)));
    for (int i = 0; i < 20000; i++) {
        archase_date from = (archase_date)(on("2025-01-01") + (int64_t)test_rng_below(&rng, 1500));
        archase_date to = (archase_date)(on("2025-01-01") + (int64_t)test_rng_below(&rng, 1500));
        int32_t n = archase_calendar_business_days_between(cal, from, to);
        /* Against a day-by-day count. */
        int32_t count = 0;
        for (archase_date d = from < to ? from + 1 : to; d <= (from < to ? to : from - 1); d++)
            count += archase_calendar_is_business_day(cal, d);
        assert_int_equal(n, from <= to ? count : -count);
        if (archase_calendar_is_business_day(cal, to)) {
            archase_date back;
            assert_int_equal(archase_calendar_add_business_days(cal, from, n, &back), 0);
            if (back != to)
                fail_msg("%s + between(.., %s) = %s", text_of(from), text_of(to), text_of(back));
        }
    }
    archase_calendar_free(cal);
}

/* ---- allocation failure ------------------------------------------------- */

static int build_calendar_with(const archase_allocator *allocator, void *ctx) {
    (void)ctx;
    archase_calendar_options opts = ARCHASE_CALENDAR_OPTIONS_INIT;
    opts.allocator = allocator;
    archase_calendar *cal = NULL;
    int rc = archase_calendar_new(&opts, &cal);
    if (rc)
        return rc;
    /* Enough holidays to grow the array a few times, inserted out of order. */
    archase_date first = on("2026-01-05");
    for (int i = 0; i < 40 && rc == 0; i++) {
        archase_date h = (archase_date)(first + (i * 17) % 40 * 7); /* Mondays */
        rc = archase_calendar_add_holiday(cal, h);
        if (rc) {
            /* The failed holiday was not added; the earlier ones still are. */
            assert_true(archase_calendar_is_business_day(cal, h));
            for (int j = 0; j < i; j++)
                assert_false(archase_calendar_is_business_day(
                    cal, (archase_date)(first + (j * 17) % 40 * 7)));
        }
    }
    if (rc == 0) {
        archase_date d;
        rc = archase_calendar_add_business_days(cal, first, 1, &d);
        assert_int_equal(d, first + 1);
    }
    archase_calendar_free(cal);
    return rc;
}

static void allocation_failures_leave_the_calendar_as_it_was(void **state) {
    (void)state;
    assert_true(failalloc_loop(build_calendar_with, NULL, NULL) >= 3);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(a_default_calendar_has_saturday_and_sunday_off),
    cmocka_unit_test(options_are_checked),
    cmocka_unit_test(holidays_are_not_business_days_in_any_order_and_twice),
    cmocka_unit_test(friday_plus_one_is_monday_and_so_is_saturday_plus_one),
    cmocka_unit_test(zero_business_days_rolls_forward),
    cmocka_unit_test(negative_counts_go_back_from_the_previous_business_day),
    cmocka_unit_test(holidays_are_skipped_like_weekends),
    cmocka_unit_test(another_weekend_mask_moves_the_weekend),
    cmocka_unit_test(large_counts_agree_with_stepping_day_by_day),
    cmocka_unit_test(adding_past_the_range_is_an_error),
    cmocka_unit_test(roll_rules_move_to_the_documented_business_day),
    cmocka_unit_test(modified_following_stays_in_the_month_at_month_end),
    cmocka_unit_test(roll_reports_bad_rules_and_the_end_of_the_range),
    cmocka_unit_test(counting_business_days_between_two_dates),
    cmocka_unit_test(counting_is_the_inverse_of_adding),
    cmocka_unit_test(allocation_failures_leave_the_calendar_as_it_was),
};

AR_TEST_MAIN(tests)
