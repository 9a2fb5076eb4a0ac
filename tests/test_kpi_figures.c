/* tests/test_kpi_figures.c — the arithmetic under every KPI: half-even
 * rounding of exact ratios, means and medians, and the countback walk with
 * the GLOSSARY's 30-day months. */
#include <stdio.h>
#include <string.h>

#include "archase/errors.h"
#include "kpi/figures.h"
#include "kpi/strtab.h"
#include "support/testutil.h"

static int64_t hundredths(ar_i128 num, ar_i128 den) {
    archase_kpi_number n;
    assert_int_equal(ar_ratio(num, den, &n), 0);
    assert_true(n.defined);
    return n.hundredths;
}

static void ratios_round_half_to_even_at_two_places(void **state) {
    (void)state;
    assert_int_equal(hundredths(1, 8), 12);      /* 0.125 -> 0.12 */
    assert_int_equal(hundredths(3, 8), 38);      /* 0.375 -> 0.38 */
    assert_int_equal(hundredths(27, 200), 14);   /* 0.135 -> 0.14 */
    assert_int_equal(hundredths(-1, 8), -12);    /* symmetric */
    assert_int_equal(hundredths(1, -8), -12);
    assert_int_equal(hundredths(-3, -8), 38);
    assert_int_equal(hundredths(2, 3), 67);
    assert_int_equal(hundredths(1, 3), 33);
    assert_int_equal(hundredths(6, 11), 55);     /* 0.5454... */
    archase_kpi_number n;
    assert_int_equal(ar_ratio_times(60000, 110000, 100, &n), 0);
    assert_int_equal(n.hundredths, 5455);          /* the GLOSSARY's CEI */
    assert_int_equal(ar_ratio_times(10869, 17674, 90, &n), 0);
    assert_int_equal(n.hundredths, 5535);          /* the GLOSSARY's standard DSO */
    assert_int_equal(ar_ratio(5, 0, &n), 0);
    assert_false(n.defined);                       /* never 0, never infinity */
    assert_int_equal(ar_ratio((ar_i128)INT64_MAX * 1000, 1, &n), ARCHASE_EOVERFLOW);
}

static void glossary_countback_with_thirty_day_months(void **state) {
    (void)state;
    /* AR 212,000; sales latest first 100,000, 80,000, 70,000:
     * 30 + 30 + 32,000 / 70,000 x 30 = 73.71 */
    ar_i128 sales[3] = { 100000, 80000, 70000 };
    int64_t days[3] = { 30, 30, 30 };
    ar_countback cb;
    assert_int_equal(ar_countback_days(212000, sales, days, 3, &cb), 0);
    assert_int_equal(cb.days.hundredths, 7371);
    assert_int_equal(cb.months, 3);
    assert_true(cb.left == 0);
    /* receivables equal to the first month's sales: exactly one month */
    assert_int_equal(ar_countback_days(100000, sales, days, 3, &cb), 0);
    assert_int_equal(cb.days.hundredths, 3000);
    assert_int_equal(cb.months, 1);
    /* more than every window's sales: the rest is left over, not folded in */
    assert_int_equal(ar_countback_days(300000, sales, days, 3, &cb), 0);
    assert_int_equal(cb.days.hundredths, 9000);
    assert_true(cb.left == 50000);
    /* nothing open: zero days */
    assert_int_equal(ar_countback_days(0, sales, days, 3, &cb), 0);
    assert_int_equal(cb.days.hundredths, 0);
    assert_int_equal(cb.months, 0);
}

static void means_medians_and_weights(void **state) {
    (void)state;
    ar_days d;
    ar_days_init(&d, NULL);
    archase_kpi_number n;
    assert_int_equal(ar_days_median(&d, &n), 0);
    assert_false(n.defined);
    assert_int_equal(ar_days_mean(&d, &n), 0);
    assert_false(n.defined);
    assert_false(ar_days_max(&d).defined);
    int64_t v[] = { 9, 1, 7, 3 };
    for (int i = 0; i < 4; i++)
        assert_int_equal(ar_days_add(&d, v[i], i == 0 ? 3 : 1), 0);
    assert_int_equal(ar_days_median(&d, &n), 0);
    assert_int_equal(n.hundredths, 500);
    assert_int_equal(ar_days_mean(&d, &n), 0);
    assert_int_equal(n.hundredths, 500);
    /* (9 x 3 + 1 + 7 + 3) / 6 = 6.333 */
    assert_int_equal(ar_days_weighted_mean(&d, &n), 0);
    assert_int_equal(n.hundredths, 633);
    assert_int_equal(ar_days_max(&d).hundredths, 900);
    assert_int_equal(ar_days_add(&d, -4, 1), 0);
    assert_int_equal(ar_days_median(&d, &n), 0);
    assert_int_equal(n.hundredths, 300);
    ar_days_free(&d);
}

static void a_string_table_numbers_strings_in_order(void **state) {
    (void)state;
    ar_strtab t;
    ar_strtab_init(&t, NULL);
    char id[32];
    for (uint32_t i = 0; i < 5000; i++) {
        snprintf(id, sizeof id, "INV-%u", i);
        uint32_t n;
        assert_int_equal(ar_strtab_intern(&t, id, &n), 0);
        assert_int_equal(n, i);
    }
    uint32_t n;
    assert_int_equal(ar_strtab_intern(&t, "INV-42", &n), 0);
    assert_int_equal(n, 42);
    assert_int_equal(ar_strtab_find(&t, "INV-4999"), 4999);
    assert_int_equal(ar_strtab_find(&t, "INV-5000"), AR_STRTAB_NONE);
    assert_string_equal(ar_strtab_str(&t, 1234), "INV-1234");
    assert_int_equal(t.count, 5000);
    ar_strtab_free(&t);
    assert_int_equal(ar_strtab_find(&t, "INV-1"), AR_STRTAB_NONE);
}

static void auc_is_the_chance_a_positive_outscores_a_negative(void **state) {
    (void)state;
    archase_kpi_number n;
    /* every positive above every negative */
    ar_scored perfect[] = { { 900, 1 }, { 100, 0 }, { 800, 1 }, { 200, 0 } };
    assert_int_equal(ar_auc_percent(perfect, 4, &n), 0);
    assert_int_equal(n.hundredths, 10000);
    /* reversed */
    ar_scored worst[] = { { 900, 0 }, { 100, 1 } };
    assert_int_equal(ar_auc_percent(worst, 2, &n), 0);
    assert_int_equal(n.hundredths, 0);
    /* all tied: one half */
    ar_scored tied[] = { { 5, 1 }, { 5, 0 }, { 5, 0 } };
    assert_int_equal(ar_auc_percent(tied, 3, &n), 0);
    assert_int_equal(n.hundredths, 5000);
    /* positives 30, 10; negatives 20, 10: pairs (30>20, 30>10, 10<20, 10=10)
     * = (1 + 1 + 0 + 0.5) / 4 = 62.50 % */
    ar_scored mixed[] = { { 30, 1 }, { 10, 1 }, { 20, 0 }, { 10, 0 } };
    assert_int_equal(ar_auc_percent(mixed, 4, &n), 0);
    assert_int_equal(n.hundredths, 6250);
    /* only one class: undefined */
    ar_scored one[] = { { 1, 1 }, { 2, 1 } };
    assert_int_equal(ar_auc_percent(one, 2, &n), 0);
    assert_false(n.defined);
    assert_int_equal(ar_auc_percent(NULL, 0, &n), 0);
    assert_false(n.defined);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(auc_is_the_chance_a_positive_outscores_a_negative),
    cmocka_unit_test(ratios_round_half_to_even_at_two_places),
    cmocka_unit_test(glossary_countback_with_thirty_day_months),
    cmocka_unit_test(means_medians_and_weights),
    cmocka_unit_test(a_string_table_numbers_strings_in_order),
};

AR_TEST_MAIN(tests)
