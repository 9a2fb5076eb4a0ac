/* tests/test_pattern.c — a customer's payment pattern: median and 80th
 * percentile of days late, on-time share and trend over the last N settled
 * invoices, the one computation evaluation and the KPI report share. */
#include <string.h>

#include "engine/pattern.h"
#include "support/testutil.h"

/* Invoices due on day 1000 + 30 i, settled `late[i]` days after, in order. */
static size_t history(ar_settled *items, const int32_t *late, size_t n) {
    for (size_t i = 0; i < n; i++) {
        items[i].due = 1000 + 30 * (archase_date)i;
        items[i].settled = items[i].due + late[i];
    }
    return n;
}

static void the_day_45_payer_has_a_median_of_15_days_late(void **state) {
    (void)state;
    int32_t late[] = { 14, 15, 15, 16, 15, 15 }; /* net 30, paid around day 45 */
    ar_settled items[6];
    ar_pattern p;
    ar_pattern_compute(items, history(items, late, 6), 12, &p);
    assert_int_equal(p.sample, 6);
    assert_int_equal(p.median_x100, 1500);
    assert_int_equal(p.p80_x100, 1500); /* rank ceil(4.8) = 5 of 14 15 15 15 15 16 */
    assert_int_equal(p.on_time, 0);
    assert_int_equal(ar_pattern_on_time_x100(&p), 0);
    assert_true(p.trend_defined);
    assert_int_equal(p.trend_x100, 0); /* older 14 15 15 -> 15; newer 16 15 15 -> 15 */
}

static void an_even_count_takes_the_mean_of_the_middle_two(void **state) {
    (void)state;
    int32_t late[] = { 10, -2, 3, 7 };
    ar_settled items[4];
    ar_pattern p;
    ar_pattern_compute(items, history(items, late, 4), 0, &p);
    assert_int_equal(p.median_x100, 500); /* -2 3 7 10 -> (3 + 7) / 2 */
    assert_int_equal(p.p80_x100, 1000);   /* rank ceil(3.2) = 4 */
    assert_int_equal(p.on_time, 1);
    assert_int_equal(ar_pattern_on_time_x100(&p), 2500);
    assert_int_equal(p.trend_x100, 500 - 400); /* newer 3 7 -> 5; older 10 -2 -> 4 */
    int32_t early[] = { -1, -2 };
    ar_pattern_compute(items, history(items, early, 2), 0, &p);
    assert_int_equal(p.median_x100, -150);
    assert_int_equal(ar_pattern_days(p.median_x100), -2); /* rounded down */
    assert_int_equal(ar_pattern_days(4450), 44);
    assert_int_equal(ar_pattern_days(-4400), -44);
}

static void only_the_last_n_settled_count_whatever_the_input_order(void **state) {
    (void)state;
    /* 20 invoices: the first 8 settled 60 days late, the 12 settled after
     * them on their due dates. */
    ar_settled items[20], shuffled[20];
    for (size_t i = 0; i < 20; i++) {
        items[i].due = i < 8 ? 2000 + 10 * (archase_date)i : 3000 + (archase_date)i;
        items[i].settled = items[i].due + (i < 8 ? 60 : 0);
    }
    ar_pattern a, b;
    memcpy(shuffled, items, sizeof items);
    ar_pattern_compute(items, 20, 12, &a);
    test_rng rng;
    test_rng_seed(&rng, 7);
    for (size_t i = 19; i > 0; i--) {
        size_t j = (size_t)test_rng_below(&rng, i + 1);
        ar_settled t = shuffled[i];
        shuffled[i] = shuffled[j];
        shuffled[j] = t;
    }
    ar_pattern_compute(shuffled, 20, 12, &b);
    assert_int_equal(a.sample, b.sample);
    assert_int_equal(a.on_time, b.on_time);
    assert_int_equal(a.median_x100, b.median_x100);
    assert_int_equal(a.p80_x100, b.p80_x100);
    assert_int_equal(a.trend_x100, b.trend_x100);
    assert_int_equal(a.trend_defined, b.trend_defined);
    assert_int_equal(a.sample, 12);
    assert_int_equal(a.on_time, 12);
    assert_int_equal(a.median_x100, 0);
    /* Lookback above the history takes it all; above the maximum, the maximum. */
    ar_pattern_compute(items, 20, 5000, &b);
    assert_int_equal(b.sample, 20);
}

static void growing_lateness_shows_as_a_positive_trend(void **state) {
    (void)state;
    int32_t late[] = { 0, 2, 5, 30, 40, 50, 60 };
    ar_settled items[7];
    ar_pattern p;
    ar_pattern_compute(items, history(items, late, 7), 12, &p);
    /* older 0 2 5 -> 2; newer 40 50 60 -> 50; the middle (30) is left out */
    assert_int_equal(p.trend_x100, 4800);
    assert_int_equal(p.median_x100, 3000);
    assert_int_equal(p.p80_x100, 5000); /* rank ceil(5.6) = 6 */
    assert_int_equal(p.on_time, 1);
    assert_int_equal(ar_pattern_on_time_x100(&p), 1429); /* 1/7 = 14.285 % */
}

static void an_empty_history_has_no_pattern(void **state) {
    (void)state;
    ar_pattern p;
    ar_pattern_compute(NULL, 0, 12, &p);
    assert_int_equal(p.sample, 0);
    assert_int_equal(p.median_x100, 0);
    assert_false(p.trend_defined);
    assert_int_equal(ar_pattern_on_time_x100(&p), -1);
    ar_settled one = { 100, 90 };
    ar_pattern_compute(&one, 1, 12, &p);
    assert_int_equal(p.sample, 1);
    assert_int_equal(p.median_x100, -1000);
    assert_int_equal(p.p80_x100, -1000);
    assert_false(p.trend_defined);
    assert_int_equal(ar_pattern_on_time_x100(&p), 10000);
}

static void on_time_share_rounds_half_to_even(void **state) {
    (void)state;
    /* 1 of 8 on time: 12.5 % exactly; 1 of 16: 6.25 %; 1 of 32: 3.125 -> 3.12 */
    ar_pattern p = { 32, 1, 0, 0, 0, 0 };
    assert_int_equal(ar_pattern_on_time_x100(&p), 312);
    p.sample = 8;
    assert_int_equal(ar_pattern_on_time_x100(&p), 1250);
    p.sample = 800; /* 12.5 bp -> 12 (half to even) */
    assert_int_equal(ar_pattern_on_time_x100(&p), 12);
    p.on_time = 3; /* 37.5 bp -> 38 */
    assert_int_equal(ar_pattern_on_time_x100(&p), 38);
    p.on_time = 1;
    p.sample = 1428; /* 7.0028 -> 7 */
    assert_int_equal(ar_pattern_on_time_x100(&p), 7);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(the_day_45_payer_has_a_median_of_15_days_late),
    cmocka_unit_test(an_even_count_takes_the_mean_of_the_middle_two),
    cmocka_unit_test(only_the_last_n_settled_count_whatever_the_input_order),
    cmocka_unit_test(growing_lateness_shows_as_a_positive_trend),
    cmocka_unit_test(an_empty_history_has_no_pattern),
    cmocka_unit_test(on_time_share_rounds_half_to_even),
};

AR_TEST_MAIN(tests)
