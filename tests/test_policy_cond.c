/* tests/test_policy_cond.c — the condition language: what conditions mean,
 * how money in different currencies compares, where type errors point, the
 * canonical text, symbols, and the risk score built on conditions. */
#include <string.h>

#include "archase/archase.h"
#include "support/condfixture.h"
#include "support/testutil.h"

typedef test_cond_fixture fixture;

static void set_name(fixture *f, int field, const char *name) {
    f->env.value[field] = ar_symtab_lookup(&f->symbols, name, strlen(name));
}

static void the_example_condition_means_what_it_says(void **state) {
    fixture *f = *state;
    const ar_cond *c = test_cond_compile(f, "days_overdue > 30 and open_amount >= 10000 EUR and tier in [gold, platinum] "
                                            "and not disputed");
    f->env.value[AR_FIELD_DAYS_OVERDUE] = 31;
    test_cond_set_money(&f->env, AR_FIELD_OPEN_AMOUNT, 1000000, "EUR");
    set_name(f, AR_FIELD_TIER, "gold");
    f->env.value[AR_FIELD_DISPUTED] = 0;
    assert_int_equal(ar_cond_eval(c, &f->env), 1);
    f->env.value[AR_FIELD_DAYS_OVERDUE] = 30;
    assert_int_equal(ar_cond_eval(c, &f->env), 0);
    f->env.value[AR_FIELD_DAYS_OVERDUE] = 31;
    test_cond_set_money(&f->env, AR_FIELD_OPEN_AMOUNT, 999999, "EUR");
    assert_int_equal(ar_cond_eval(c, &f->env), 0);
    test_cond_set_money(&f->env, AR_FIELD_OPEN_AMOUNT, 1000000, "EUR");
    set_name(f, AR_FIELD_TIER, "silver"); /* not in the policy: AR_SYM_NONE */
    assert_int_equal(f->env.value[AR_FIELD_TIER], AR_SYM_NONE);
    assert_int_equal(ar_cond_eval(c, &f->env), 0);
    set_name(f, AR_FIELD_TIER, "platinum");
    f->env.value[AR_FIELD_DISPUTED] = 1;
    assert_int_equal(ar_cond_eval(c, &f->env), 0);
    f->env.value[AR_FIELD_DISPUTED] = 0;
    assert_int_equal(ar_cond_eval(c, &f->env), 1);
    assert_true(ar_field_set_has(&c->fields, AR_FIELD_TIER));
    assert_false(ar_field_set_has(&c->fields, AR_FIELD_COUNTRY));
}

static void and_binds_tighter_than_or_and_parentheses_group(void **state) {
    fixture *f = *state;
    const ar_cond *loose = test_cond_compile(f, "strategic or on_hold and paused");
    const ar_cond *grouped = test_cond_compile(f, "(strategic or on_hold) and paused");
    f->env.value[AR_FIELD_STRATEGIC] = 1;
    f->env.value[AR_FIELD_ON_HOLD] = 0;
    f->env.value[AR_FIELD_PAUSED] = 0;
    assert_int_equal(ar_cond_eval(loose, &f->env), 1);
    assert_int_equal(ar_cond_eval(grouped, &f->env), 0);
    assert_string_equal(loose->text, "strategic or on_hold and paused");
    assert_string_equal(grouped->text, "(strategic or on_hold) and paused");
    const ar_cond *negated = test_cond_compile(f, "not (strategic or paused)");
    assert_int_equal(ar_cond_eval(negated, &f->env), 0);
    assert_string_equal(negated->text, "not (strategic or paused)");
    assert_int_equal(ar_cond_eval(test_cond_compile(f, "true"), &f->env), 1);
    assert_int_equal(ar_cond_eval(test_cond_compile(f, "false or not true"), &f->env), 0);
    assert_int_equal(ar_cond_eval(NULL, &f->env), 1);
}

static void money_in_another_currency_is_neither_equal_below_nor_above(void **state) {
    fixture *f = *state;
    test_cond_set_money(&f->env, AR_FIELD_OPEN_AMOUNT, 500, "USD");
    static const char *const comparisons[] = { "open_amount == 5 EUR", "open_amount < 5 EUR",
                                               "open_amount <= 5 EUR", "open_amount > 5 EUR",
                                               "open_amount >= 5 EUR" };
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(ar_cond_eval(test_cond_compile(f, comparisons[i]), &f->env), 0);
    assert_int_equal(ar_cond_eval(test_cond_compile(f, "open_amount != 5 EUR"), &f->env), 1);
    assert_int_equal(ar_cond_eval(test_cond_compile(f, "open_amount == 5 USD"), &f->env), 1);
    /* Two money fields follow the same rule. */
    test_cond_set_money(&f->env, AR_FIELD_DISPUTED_AMOUNT, 100, "EUR");
    assert_int_equal(ar_cond_eval(test_cond_compile(f, "disputed_amount < open_amount"), &f->env), 0);
    assert_int_equal(ar_cond_eval(test_cond_compile(f, "disputed_amount != open_amount"), &f->env), 1);
    test_cond_set_money(&f->env, AR_FIELD_DISPUTED_AMOUNT, 100, "USD");
    assert_int_equal(ar_cond_eval(test_cond_compile(f, "disputed_amount < open_amount"), &f->env), 1);
    /* Minor units follow the currency: 1000 JPY is 1000 yen, 1.5 KWD 1500 fils. */
    test_cond_set_money(&f->env, AR_FIELD_AMOUNT, 1500, "KWD");
    assert_int_equal(ar_cond_eval(test_cond_compile(f, "amount == 1.5 KWD"), &f->env), 1);
}

static void literals_of_every_type_compile_and_compare(void **state) {
    fixture *f = *state;
    f->env.value[AR_FIELD_DUE_DATE] = 20498; /* 2026-02-14 */
    assert_int_equal(ar_cond_eval(test_cond_compile(f, "due_date < 2026-03-01"), &f->env), 1);
    assert_int_equal(ar_cond_eval(test_cond_compile(f, "due_date == 2026-02-14"), &f->env), 1);
    f->env.value[AR_FIELD_STEP_INDEX] = -1;
    assert_int_equal(ar_cond_eval(test_cond_compile(f, "step_index == -1"), &f->env), 1);
    f->env.value[AR_FIELD_WEEKDAY] = 3;
    assert_int_equal(ar_cond_eval(test_cond_compile(f, "weekday not in [6, 7]"), &f->env), 1);
    const ar_cond *c = test_cond_compile(f, "country in [NO, 'SE'] and aging_band == 31_60 and disputed == false");
    set_name(f, AR_FIELD_COUNTRY, "NO");
    set_name(f, AR_FIELD_AGING_BAND, "31_60");
    f->env.value[AR_FIELD_DISPUTED] = 0;
    assert_int_equal(ar_cond_eval(c, &f->env), 1);
    assert_string_equal(c->text, "country in [NO, SE] and aging_band == 31_60 and disputed == false");
    const ar_cond *q = test_cond_compile(f, "tier == \"key account\" or tier == \"and\"");
    assert_string_equal(q->text, "tier == \"key account\" or tier == \"and\"");
    set_name(f, AR_FIELD_TIER, "key account");
    assert_int_equal(ar_cond_eval(q, &f->env), 1);
    assert_int_equal(ar_cond_eval(test_cond_compile(f, "segment == vip"), &f->env), 0);
    assert_int_equal(ar_cond_eval(test_cond_compile(f, "open_amount>=1000 EUR"), &f->env) >= 0, 1);
    assert_string_equal(test_cond_compile(f, "open_amount>=1000 EUR")->text, "open_amount >= 1000.00 EUR");
}

static void type_and_name_errors_point_at_the_problem(void **state) {
    fixture *f = *state;
    test_cond_expect_error(f, "days_overdue > 30 and open_amount >= 10000", 37,
                           "open_amount is money: the amount 10000 needs its currency, e.g. 10000 EUR");
    test_cond_expect_error(f, "days_overdu > 30", 0, "unknown field \"days_overdu\" (did you mean \"days_overdue\"?)");
    test_cond_expect_error(f, "tier > gold", 5, "tier is a name: compare it with ==, != or in");
    test_cond_expect_error(f, "days_overdue > gold", 15, "days_overdue is days: expected a number of days, e.g. 30, got \"gold\"");
    test_cond_expect_error(f, "disputed == 1", 12, "disputed is true or false: expected true or false, got \"1\"");
    test_cond_expect_error(f, "open_amount", 0, "open_amount is money: compare it with a value, e.g. open_amount >= 1000 EUR");
    test_cond_expect_error(f, "days_overdue = 3", 13, "\"=\" is not an operator: compare with \"==\"");
    test_cond_expect_error(f, "(strategic", 10, "expected \")\" to close the \"(\" at column 1, got the end of the condition");
    test_cond_expect_error(f, "strategic paused", 10, "expected \"and\", \"or\" or the end of the condition, got \"paused\"");
    test_cond_expect_error(f, "", 0, "empty condition");
    test_cond_expect_error(f, "aging_band == 1-30", 14, "\"1-30\" is not a aging_band (did you mean \"1_30\"?)");
    test_cond_expect_error(f, "currency == EURO", 12, "\"EURO\" is not an ISO 4217 currency code (EUR, USD, ...)");
    test_cond_expect_error(f, "country == Norway", 11, "\"Norway\" is not a country code: two capital letters (ISO 3166-1), e.g. DE");
    test_cond_expect_error(f, "open_amount > 1.001 EUR", 14, "\"1.001 EUR\" is not an amount: EUR has 2 decimals");
    test_cond_expect_error(f, "open_amount > days_overdue", 14, "open_amount is money but days_overdue is days: they cannot be compared");
    test_cond_expect_error(f, "open_amount in [1 EUR]", 12, "open_amount is money: \"in\" works with numbers, days, dates and names");
    test_cond_expect_error(f, "due_date < 2026-02-30", 11, "no such date: \"2026-02-30\"");
    test_cond_expect_error(f, "segment == gold", 11, "\"gold\" is not a segment of this policy; segment is one of: vip, standard");
}

static void nesting_and_length_are_bounded(void **state) {
    fixture *f = *state;
    char deep[200];
    memset(deep, '(', 40);
    strcpy(deep + 40, "strategic");
    memset(deep + 49, ')', 40);
    deep[89] = '\0';
    test_cond_expect_error(f, deep, 32, "condition nested deeper than 32 levels");
    char nots[200] = "";
    for (int i = 0; i < 30; i++)
        strcat(nots, "not ");
    strcat(nots, "strategic");
    f->env.value[AR_FIELD_STRATEGIC] = 1;
    assert_int_equal(ar_cond_eval(test_cond_compile(f, nots), &f->env), 1); /* 30 nots: even */
    static char longer[AR_COND_MAX_LEN + 20];
    memset(longer, ' ', sizeof longer - 1);
    memcpy(longer, "strategic", 9);
    test_cond_expect_error(f, longer, 0, "condition longer than 4096 characters");
}

static void fields_outside_their_context_are_refused(void **state) {
    fixture *f = *state;
    ar_field_set forbidden;
    memset(&forbidden, 0, sizeof forbidden);
    ar_field_set_add(&forbidden, AR_FIELD_RISK_SCORE);
    f->ctx.forbidden = &forbidden;
    f->ctx.forbidden_why = "the risk score cannot depend on itself";
    test_cond_expect_error(f, "strategic or risk_score > 5", 13, "risk_score is not available here: the risk score cannot depend on itself");
    f->ctx.forbidden = NULL;
}

static void a_million_evaluations_agree_with_a_direct_computation(void **state) {
    fixture *f = *state;
    const ar_cond *c = test_cond_compile(f, "days_overdue > 30 and (open_amount >= 100 EUR or tier in [gold]) and not disputed "
                                            "or broken_promises_90d >= 2");
    ar_sym gold = ar_symtab_lookup(&f->symbols, "gold", 4);
    test_rng rng;
    test_rng_seed(&rng, 42);
    for (int i = 0; i < 1000000; i++) {
        int64_t days = (int64_t)test_rng_below(&rng, 90) - 20;
        int64_t open = (int64_t)test_rng_below(&rng, 20000);
        int eur = (int)test_rng_below(&rng, 2);
        ar_sym tier = test_rng_below(&rng, 2) ? gold : AR_SYM_NONE;
        int disputed = (int)test_rng_below(&rng, 2);
        int64_t broken = (int64_t)test_rng_below(&rng, 4);
        f->env.value[AR_FIELD_DAYS_OVERDUE] = days;
        test_cond_set_money(&f->env, AR_FIELD_OPEN_AMOUNT, open, eur ? "EUR" : "USD");
        f->env.value[AR_FIELD_TIER] = tier;
        f->env.value[AR_FIELD_DISPUTED] = disputed;
        f->env.value[AR_FIELD_BROKEN_PROMISES_90D] = broken;
        int expected = (days > 30 && ((eur && open >= 10000) || tier == gold) && !disputed) || broken >= 2;
        if (ar_cond_eval(c, &f->env) != expected)
            fail_msg("disagreement at %d", i);
    }
}

/* ---- the risk score -------------------------------------------------------- */

static void the_risk_score_adds_capped_drivers_and_names_the_top_three(void **state) {
    fixture *f = *state;
    const ar_cond *disputes = test_cond_compile(f, "open_disputes > 0");
    ar_risk_driver drivers[] = {
        { "Paying later", NULL, AR_FIELD_DAYS_LATE_TREND, 0, 5, 0, 150 },
        { "Broken promises", NULL, AR_FIELD_BROKEN_PROMISES_90D, 0, 100, 0, 300 },
        { "Open disputes", disputes, AR_FIELD_NONE, 0, 0, 80, 0 },
        { "Credit used above 80%", NULL, AR_FIELD_CREDIT_UTILISATION_PERCENT, 80, 10, 0, 200 },
        { "Pays on time", NULL, AR_FIELD_NONE, 0, 0, -60, 0 },
    };
    ar_risk_score rs = { 100, drivers, 5 };
    memset(&f->env, 0, sizeof f->env);
    f->env.value[AR_FIELD_DAYS_LATE_TREND] = 50;           /* 250, capped at 150 */
    f->env.value[AR_FIELD_BROKEN_PROMISES_90D] = 2;        /* 200 */
    f->env.value[AR_FIELD_OPEN_DISPUTES] = 1;              /* 80 */
    f->env.value[AR_FIELD_CREDIT_UTILISATION_PERCENT] = 85; /* 50 */
    ar_risk_result r;
    ar_risk_evaluate(&rs, &f->env, &r);
    assert_int_equal(r.score, 100 + 150 + 200 + 80 + 50 - 60);
    assert_int_equal(r.top_count, 3);
    assert_int_equal(r.top[0], 1);
    assert_int_equal(r.top_points[0], 200);
    assert_int_equal(r.top[1], 0);
    assert_int_equal(r.top_points[1], 150);
    assert_int_equal(r.top[2], 2);
    f->env.value[AR_FIELD_BROKEN_PROMISES_90D] = 20;
    f->env.value[AR_FIELD_CREDIT_UTILISATION_PERCENT] = 1000;
    ar_risk_evaluate(&rs, &f->env, &r);
    assert_int_equal(r.score, 100 + 150 + 300 + 80 + 200 - 60);
    rs.base = 1000;
    ar_risk_evaluate(&rs, &f->env, &r);
    assert_int_equal(r.score, 1000); /* clamped */
    memset(&f->env, 0, sizeof f->env);
    rs.base = 0;
    ar_risk_evaluate(&rs, &f->env, &r);
    assert_int_equal(r.score, 0); /* never below 0 */
    assert_int_equal(r.top_count, 1);
    assert_int_equal(r.top_points[0], -60);
}

#define T(name) cmocka_unit_test_setup_teardown(name, test_cond_setup, test_cond_teardown)
static const struct CMUnitTest tests[] = {
    T(the_example_condition_means_what_it_says),
    T(and_binds_tighter_than_or_and_parentheses_group),
    T(money_in_another_currency_is_neither_equal_below_nor_above),
    T(literals_of_every_type_compile_and_compare),
    T(type_and_name_errors_point_at_the_problem),
    T(nesting_and_length_are_bounded),
    T(fields_outside_their_context_are_refused),
    T(a_million_evaluations_agree_with_a_direct_computation),
    T(the_risk_score_adds_capped_drivers_and_names_the_top_three),
};

AR_TEST_MAIN(tests)
