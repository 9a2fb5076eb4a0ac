/* tests/test_cond_edges.c — the condition language at its edges: every
 * comparison of every kind of operand evaluated both ways, the lexer's quoted
 * names and malformed numbers and dates, the problems reported when one
 * mistake leads to another, the names the `segment` field may take, the
 * test a condition needs (checked before evaluating it), and compiling with
 * every allocation failing in turn. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/condfixture.h"
#include "support/failalloc.h"
#include "support/testutil.h"

typedef test_cond_fixture fixture;

static int holds(fixture *f, const char *text) {
    return ar_cond_eval(test_cond_compile(f, text), &f->env);
}

/* ---- evaluation ---------------------------------------------------------- */

static void every_operator_compares_whole_numbers_both_ways(void **state) {
    fixture *f = *state;
    f->env.value[AR_FIELD_STEP_INDEX] = 2;
    assert_int_equal(holds(f, "step_index == 2"), 1);
    assert_int_equal(holds(f, "step_index == 3"), 0);
    assert_int_equal(holds(f, "step_index != 3"), 1);
    assert_int_equal(holds(f, "step_index != 2"), 0);
    assert_int_equal(holds(f, "step_index < 3"), 1);
    assert_int_equal(holds(f, "step_index < 2"), 0);
    assert_int_equal(holds(f, "step_index <= 2"), 1);
    assert_int_equal(holds(f, "step_index <= 1"), 0);
    assert_int_equal(holds(f, "step_index > 1"), 1);
    assert_int_equal(holds(f, "step_index > 2"), 0);
    assert_int_equal(holds(f, "step_index >= 2"), 1);
    assert_int_equal(holds(f, "step_index >= 3"), 0);
    /* The extremes of int64 are numbers like any other. */
    f->env.value[AR_FIELD_STEP_INDEX] = INT64_MIN;
    assert_int_equal(holds(f, "step_index == -9223372036854775808"), 1);
    assert_int_equal(holds(f, "step_index < 9223372036854775807"), 1);
}

static void every_operator_compares_an_amount_with_a_literal_in_its_currency(void **state) {
    fixture *f = *state;
    test_cond_set_money(&f->env, AR_FIELD_OPEN_AMOUNT, 50000, "EUR"); /* 500.00 EUR */
    assert_int_equal(holds(f, "open_amount == 500 EUR"), 1);
    assert_int_equal(holds(f, "open_amount != 500 EUR"), 0);
    assert_int_equal(holds(f, "open_amount != 500.01 EUR"), 1);
    assert_int_equal(holds(f, "open_amount < 500.01 EUR"), 1);
    assert_int_equal(holds(f, "open_amount < 500 EUR"), 0);
    assert_int_equal(holds(f, "open_amount <= 500 EUR"), 1);
    assert_int_equal(holds(f, "open_amount <= 499.99 EUR"), 0);
    assert_int_equal(holds(f, "open_amount > 499.99 EUR"), 1);
    assert_int_equal(holds(f, "open_amount > 500 EUR"), 0);
    assert_int_equal(holds(f, "open_amount >= 500 EUR"), 1);
    assert_int_equal(holds(f, "open_amount >= 500.01 EUR"), 0);
}

static void every_operator_compares_two_fields_of_one_type(void **state) {
    fixture *f = *state;
    f->env.value[AR_FIELD_DAYS_OVERDUE] = 40;
    f->env.value[AR_FIELD_MEDIAN_DAYS_LATE] = 40;
    assert_int_equal(holds(f, "days_overdue == median_days_late"), 1);
    assert_int_equal(holds(f, "days_overdue != median_days_late"), 0);
    assert_int_equal(holds(f, "days_overdue < median_days_late"), 0);
    assert_int_equal(holds(f, "days_overdue <= median_days_late"), 1);
    assert_int_equal(holds(f, "days_overdue > median_days_late"), 0);
    assert_int_equal(holds(f, "days_overdue >= median_days_late"), 1);
    f->env.value[AR_FIELD_MEDIAN_DAYS_LATE] = 45;
    assert_int_equal(holds(f, "days_overdue < median_days_late"), 1);
    assert_int_equal(holds(f, "days_overdue >= median_days_late"), 0);
    assert_int_equal(holds(f, "days_overdue != median_days_late"), 1);
    assert_string_equal(test_cond_compile(f, "days_overdue<=median_days_late")->text,
                        "days_overdue <= median_days_late");
}

static void every_operator_compares_two_amounts_only_in_one_currency(void **state) {
    fixture *f = *state;
    test_cond_set_money(&f->env, AR_FIELD_OPEN_AMOUNT, 700, "EUR");
    test_cond_set_money(&f->env, AR_FIELD_CREDIT_LIMIT, 700, "EUR");
    assert_int_equal(holds(f, "open_amount == credit_limit"), 1);
    assert_int_equal(holds(f, "open_amount != credit_limit"), 0);
    assert_int_equal(holds(f, "open_amount < credit_limit"), 0);
    assert_int_equal(holds(f, "open_amount <= credit_limit"), 1);
    assert_int_equal(holds(f, "open_amount > credit_limit"), 0);
    assert_int_equal(holds(f, "open_amount >= credit_limit"), 1);
    test_cond_set_money(&f->env, AR_FIELD_CREDIT_LIMIT, 100, "EUR");
    assert_int_equal(holds(f, "open_amount > credit_limit"), 1);
    assert_int_equal(holds(f, "open_amount <= credit_limit"), 0);
    /* In another currency no ordering holds, and they differ. */
    test_cond_set_money(&f->env, AR_FIELD_CREDIT_LIMIT, 700, "USD");
    assert_int_equal(holds(f, "open_amount == credit_limit"), 0);
    assert_int_equal(holds(f, "open_amount <= credit_limit"), 0);
    assert_int_equal(holds(f, "open_amount >= credit_limit"), 0);
    assert_int_equal(holds(f, "open_amount != credit_limit"), 1);
}

/* ---- the lexer ----------------------------------------------------------- */

static void a_backslash_escapes_only_in_double_quotes(void **state) {
    fixture *f = *state;
    /* In single quotes a backslash is itself: the name is a\b. */
    const ar_cond *single = test_cond_compile(f, "tier == 'a\\b'");
    assert_string_equal(single->text, "tier == \"a\\\\b\"");
    f->env.value[AR_FIELD_TIER] = ar_symtab_lookup(&f->symbols, "a\\b", 3);
    assert_int_not_equal(f->env.value[AR_FIELD_TIER], AR_SYM_NONE);
    assert_int_equal(ar_cond_eval(single, &f->env), 1);
    /* In double quotes \" is a quote inside the name. */
    const ar_cond *dq = test_cond_compile(f, "tier == \"say \\\"hi\\\"\"");
    assert_string_equal(dq->text, "tier == \"say \\\"hi\\\"\"");
    assert_int_not_equal(ar_symtab_lookup(&f->symbols, "say \"hi\"", 8), AR_SYM_NONE);
    /* A backslash last in the text escapes nothing: the quote is open. */
    test_cond_expect_error(f, "tier == \"gold\\", 8, "unterminated quoted name");
    /* A quoted name that reads like a date stays quoted when written back. */
    assert_string_equal(test_cond_compile(f, "tier == \"2026-01-01\"")->text, "tier == \"2026-01-01\"");
    assert_string_equal(test_cond_compile(f, "tier in ['1.5', \"x y\"]")->text, "tier in [\"1.5\", \"x y\"]");
}

static void numbers_and_dates_that_are_almost_right_are_named(void **state) {
    fixture *f = *state;
    test_cond_expect_error(f, "amount > .5 EUR", 9,
                           "amount is money: expected an amount with its currency, e.g. 10000 EUR, got \".5\"");
    test_cond_expect_error(f, "days_overdue > 1.-5", 15,
                           "days_overdue is days: expected a number of days, e.g. 30, got \"1.-5\"");
    test_cond_expect_error(f, "due_date < 2026-01--1", 11,
                           "due_date is a date: expected a date written YYYY-MM-DD, got \"2026-01--1\"");
    test_cond_expect_error(f, "due_date < 5", 11, "due_date is a date: expected a date written YYYY-MM-DD, got \"5\"");
    test_cond_expect_error(f, "due_date < 2026-02-30", 11, "no such date: \"2026-02-30\"");
    test_cond_expect_error(f, "due_date", 0, "due_date is a date: compare it with a value, e.g. due_date < 2026-01-01");
    test_cond_expect_error(f, "step_index == 9223372036854775808", 14, "number out of range: \"9223372036854775808\"");
    test_cond_expect_error(f, "step_index == -9223372036854775809", 14, "number out of range: \"-9223372036854775809\"");
    test_cond_expect_error(f, "step_index == 99999999999999999999", 14,
                           "number out of range: \"99999999999999999999\"");
    test_cond_expect_error(f, "step_index == gold", 14, "step_index is a number: expected a whole number, e.g. 5, got \"gold\"");
}

static void country_codes_are_two_capital_letters_in_either_place(void **state) {
    fixture *f = *state;
    static const char *const wrong[] = { "dE", "Da", "1D", "D[" };
    for (size_t i = 0; i < 4; i++) {
        char cond[64], message[160];
        snprintf(cond, sizeof cond, "country == '%s'", wrong[i]);
        snprintf(message, sizeof message,
                 "\"%s\" is not a country code: two capital letters (ISO 3166-1), e.g. DE", wrong[i]);
        test_cond_expect_error(f, cond, 11, message);
    }
    f->env.value[AR_FIELD_COUNTRY] = AR_SYM_NONE;
    assert_int_equal(holds(f, "country == ZA"), 0);
}

/* ---- one mistake leading to another --------------------------------------- */

static void the_first_of_two_problems_is_the_one_reported(void **state) {
    fixture *f = *state;
    /* "=" stops the lexer inside the list; the list's own complaint about
     * what follows "gold" comes second and is not the one reported. */
    test_cond_expect_error(f, "tier in [gold =]", 14, "\"=\" is not an operator: compare with \"==\"");
    test_cond_expect_error(f, "tier in [gold, =]", 15, "\"=\" is not an operator: compare with \"==\"");
    test_cond_expect_error(f, "disputed and !", 13, "\"!\" is not an operator: write \"not\" or \"!=\"");
    test_cond_expect_error(f, "disputed or =", 12, "\"=\" is not an operator: compare with \"==\"");
    test_cond_expect_error(f, "tier in [gold,]", 14, "tier is a name: expected a name, e.g. gold, got \"]\"");
    test_cond_expect_error(f, "tier in [gold", 13, "expected \",\" or \"]\" in the list, got the end of the condition");
    test_cond_expect_error(f, "tier in [gold)", 13, "expected \",\" or \"]\" in the list, got something else");
    test_cond_expect_error(f, "tier in gold", 8, "expected \"[\" after \"in\" (a list: [gold, platinum])");
    test_cond_expect_error(f, "tier not gold", 5,
                           "\"not\" after a field must be followed by \"in\" (\"tier not in [...]\"), or written before "
                           "the test (\"not tier\")");
    test_cond_expect_error(f, "open_amount in [5 EUR]", 12,
                           "open_amount is money: \"in\" works with numbers, days, dates and names");
    test_cond_expect_error(f, "days_overdue in [median_days_late]", 17, "a list holds values, not fields");
}

/* ---- the segment field ---------------------------------------------------- */

static void segment_names_come_from_the_policy(void **state) {
    fixture *f = *state;
    test_cond_expect_error(f, "segment == vipp", 11, "\"vipp\" is not a segment of this policy (did you mean \"vip\"?)");
    test_cond_expect_error(f, "segment == zzzzzzzz", 11,
                           "\"zzzzzzzz\" is not a segment of this policy; segment is one of: vip, standard");
    f->env.value[AR_FIELD_SEGMENT] = ar_symtab_lookup(&f->symbols, "vip", 3);
    test_cond_compile(f, "segment == standard");
    f->env.value[AR_FIELD_SEGMENT] = ar_symtab_lookup(&f->symbols, "standard", 8);
    assert_int_equal(holds(f, "segment in [vip, standard]"), 1);

    /* A policy without segments offers none. */
    f->ctx.segment_count = 0;
    test_cond_expect_error(f, "segment == vip", 11, "\"vip\" is not a segment of this policy; segment is one of: (none defined)");

    /* A list of choices longer than a message holds is cut. */
    static char names[12][40];
    static const char *list[12];
    for (int i = 0; i < 12; i++) {
        snprintf(names[i], sizeof names[i], "segment_with_a_long_name_number_%02d", i);
        list[i] = names[i];
    }
    f->ctx.segments = list;
    f->ctx.segment_count = 12;
    const ar_cond *c = NULL;
    ar_cond_error err;
    assert_int_equal(ar_cond_compile(&f->ctx, "segment == qqqqqqqq", 19, &c, &err), ARCHASE_EPARSE);
    const char *head = "\"qqqqqqqq\" is not a segment of this policy; segment is one of: "
                       "segment_with_a_long_name_number_00, segment_with_a_long_name_number_01, ";
    assert_memory_equal(err.message, head, strlen(head));
    /* The message keeps to its 300 bytes, cut inside the seventh name. */
    assert_int_equal(strlen(err.message), AR_COND_ERROR_MAX - 1);
    assert_non_null(strstr(err.message, "number_05, segment_with_a_long_"));
    assert_null(strstr(err.message, "number_06"));
    assert_null(c);
}

/* ---- allocation failures -------------------------------------------------- */

typedef struct oom_case {
    char *text;
} oom_case;

static int compile_with(const archase_allocator *allocator, void *ctx) {
    oom_case *oc = ctx;
    ar_arena arena, scratch, names;
    ar_arena_init(&arena, allocator);
    ar_arena_init(&scratch, allocator);
    ar_arena_init(&names, allocator);
    ar_symtab symbols;
    ar_symtab_init(&symbols, &names);
    ar_cond_ctx cc;
    memset(&cc, 0, sizeof cc);
    cc.arena = &arena;
    cc.scratch = &scratch;
    cc.symbols = &symbols;
    cc.segments = test_cond_segment_names;
    cc.segment_count = 2;
    const ar_cond *c = NULL;
    ar_cond_error err;
    int rc = ar_cond_compile(&cc, oc->text, strlen(oc->text), &c, &err);
    if (rc == 0) {
        /* The whole list made it: 600 names, the first and the last found. */
        ar_cond_env env;
        memset(&env, 0, sizeof env);
        env.value[AR_FIELD_TIER] = ar_symtab_lookup(&symbols, "xzz", 3);
        env.value[AR_FIELD_DISPUTED] = 1;
        env.value[AR_FIELD_DAYS_OVERDUE] = 31;
        if (symbols.count != 600 || ar_cond_eval(c, &env) != 1)
            rc = -1000;
        env.value[AR_FIELD_TIER] = ar_symtab_lookup(&symbols, "xaa", 3);
        if (ar_cond_eval(c, &env) != 1)
            rc = -1001;
        env.value[AR_FIELD_TIER] = AR_SYM_NONE;
        if (ar_cond_eval(c, &env) != 0)
            rc = -1002;
    } else if (rc == ARCHASE_ENOMEM && c) {
        rc = -1003; /* nothing is handed out on failure */
    }
    ar_arena_free(&arena);
    ar_arena_free(&scratch);
    ar_arena_free(&names);
    return rc;
}

static void compiling_survives_every_allocation_failure(void **state) {
    (void)state;
    /* 600 names (more than a list's first room and the symbol table's
     * first size), each kind of node, and a canonical text of some length. */
    size_t cap = 8000, n = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    n += (size_t)snprintf(text + n, cap - n, "(disputed or not paused) and days_overdue > 30 and tier in [");
    for (int i = 0; i < 599; i++) /* xaa .. xxa: never "xzz" */
        n += (size_t)snprintf(text + n, cap - n, "%sx%c%c", i ? "," : "", 'a' + i / 26, 'a' + i % 26);
    n += (size_t)snprintf(text + n, cap - n, ",xzz]");
    assert_true(n < AR_COND_MAX_LEN);
    oom_case oc = { text };
    assert_true(failalloc_loop(compile_with, NULL, &oc) >= 3);
    free(text);
}

/* ---- the test a condition needs ------------------------------------------ */

static ar_cond_test first_test(fixture *f, const char *text) {
    ar_cond_test t;
    memset(&t, 0xa5, sizeof t);
    ar_cond_first_test(test_cond_compile(f, text), &t);
    return t;
}

/* 1 when `t` passes with `field` at `x`. */
static int passes_at(ar_cond_test t, int field, int64_t x) {
    ar_cond_env env;
    memset(&env, 0, sizeof env);
    env.value[field] = x;
    return ar_cond_test_passes(&t, &env);
}

static void a_leading_conjunct_on_a_number_or_flag_is_the_test_a_condition_needs(void **state) {
    fixture *f = *state;
    ar_cond_test t = first_test(f, "days_overdue > 60 and (open_amount >= 500 EUR or open_amount >= 550 USD)");
    assert_true(t.present);
    assert_int_equal(t.field, AR_FIELD_DAYS_OVERDUE);
    assert_false(passes_at(t, AR_FIELD_DAYS_OVERDUE, 60));
    assert_true(passes_at(t, AR_FIELD_DAYS_OVERDUE, 61));
    assert_true(passes_at(t, AR_FIELD_DAYS_OVERDUE, INT64_MAX));
    assert_false(passes_at(t, AR_FIELD_DAYS_OVERDUE, INT64_MIN));
    t = first_test(f, "disputed and dispute_age_days > 30");
    assert_true(t.present);
    assert_int_equal(t.field, AR_FIELD_DISPUTED);
    assert_false(passes_at(t, AR_FIELD_DISPUTED, 0));
    assert_true(passes_at(t, AR_FIELD_DISPUTED, 1));
    /* Through the jumps of enclosing `and`s. */
    t = first_test(f, "step_index <= 2 and disputed and not paused");
    assert_true(t.present);
    assert_int_equal(t.field, AR_FIELD_STEP_INDEX);
    assert_true(passes_at(t, AR_FIELD_STEP_INDEX, 2));
    assert_true(passes_at(t, AR_FIELD_STEP_INDEX, INT64_MIN));
    assert_false(passes_at(t, AR_FIELD_STEP_INDEX, 3));
    t = first_test(f, "step_index != 2 and disputed");
    assert_true(passes_at(t, AR_FIELD_STEP_INDEX, 1) && passes_at(t, AR_FIELD_STEP_INDEX, 3));
    assert_false(passes_at(t, AR_FIELD_STEP_INDEX, 2));
    t = first_test(f, "step_index == 2 and disputed");
    assert_true(passes_at(t, AR_FIELD_STEP_INDEX, 2));
    assert_false(passes_at(t, AR_FIELD_STEP_INDEX, 1) || passes_at(t, AR_FIELD_STEP_INDEX, 3));
    t = first_test(f, "step_index >= 2 and disputed");
    assert_true(passes_at(t, AR_FIELD_STEP_INDEX, 2) && passes_at(t, AR_FIELD_STEP_INDEX, INT64_MAX));
    assert_false(passes_at(t, AR_FIELD_STEP_INDEX, 1));
    t = first_test(f, "step_index < 2 and disputed");
    assert_true(passes_at(t, AR_FIELD_STEP_INDEX, 1) && passes_at(t, AR_FIELD_STEP_INDEX, INT64_MIN));
    assert_false(passes_at(t, AR_FIELD_STEP_INDEX, 2));
    /* Nothing is below the least number or above the most. */
    t = first_test(f, "step_index < -9223372036854775808 and disputed");
    assert_false(passes_at(t, AR_FIELD_STEP_INDEX, INT64_MIN) || passes_at(t, AR_FIELD_STEP_INDEX, 0) ||
                 passes_at(t, AR_FIELD_STEP_INDEX, INT64_MAX));
    t = first_test(f, "step_index > 9223372036854775807 and disputed");
    assert_false(passes_at(t, AR_FIELD_STEP_INDEX, INT64_MIN) || passes_at(t, AR_FIELD_STEP_INDEX, 0) ||
                 passes_at(t, AR_FIELD_STEP_INDEX, INT64_MAX));
    /* None where the first test failing is not the answer, or is no plain
     * test: it passes whatever the value. */
    static const char *const none[] = {
        "disputed or days_overdue > 60", "disputed and days_overdue > 60 or paused",
        "not (disputed and paused)",     "open_amount > 5 EUR and disputed",
        "disputed",
    };
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        t = first_test(f, none[i]);
        assert_false(t.present);
        assert_true(passes_at(t, t.field, 0) && passes_at(t, t.field, INT64_MIN) && passes_at(t, t.field, INT64_MAX));
    }
    ar_cond_first_test(NULL, &t);
    assert_false(t.present);
}

static void a_condition_never_holds_where_its_test_fails(void **state) {
    fixture *f = *state;
    static const char *const texts[] = {
        "days_overdue > 60 and (open_amount >= 500 EUR or open_amount >= 550 USD)",
        "disputed and dispute_age_days > 30",
        "step_index == 1 and disputed and not paused",
        "step_index != 1 and (disputed or paused)",
        "step_index < 1 and not disputed",
        "step_index >= 1 and paused or disputed",
        "(step_index > 0 and disputed) or (paused and step_index < 0)",
    };
    int passed = 0, failed = 0;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        const ar_cond *c = test_cond_compile(f, texts[i]);
        ar_cond_test t;
        ar_cond_first_test(c, &t);
        for (int64_t step = -1; step <= 2; step++) {
            for (int bits = 0; bits < 8; bits++) {
                f->env.value[AR_FIELD_STEP_INDEX] = step;
                f->env.value[AR_FIELD_DAYS_OVERDUE] = 59 + step;
                f->env.value[AR_FIELD_DISPUTED] = bits & 1;
                f->env.value[AR_FIELD_PAUSED] = (bits >> 1) & 1;
                f->env.value[AR_FIELD_DISPUTE_AGE_DAYS] = bits & 4 ? 31 : 30;
                test_cond_set_money(&f->env, AR_FIELD_OPEN_AMOUNT, bits & 4 ? 50000 : 49999, "EUR");
                if (ar_cond_test_passes(&t, &f->env)) {
                    passed++;
                    continue;
                }
                failed++;
                assert_int_equal(ar_cond_eval(c, &f->env), 0);
            }
        }
    }
    /* Both sides were met. */
    assert_true(passed > 0 && failed > 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, test_cond_setup, test_cond_teardown)

static const struct CMUnitTest tests[] = {
    T(every_operator_compares_whole_numbers_both_ways),
    T(every_operator_compares_an_amount_with_a_literal_in_its_currency),
    T(every_operator_compares_two_fields_of_one_type),
    T(every_operator_compares_two_amounts_only_in_one_currency),
    T(a_backslash_escapes_only_in_double_quotes),
    T(numbers_and_dates_that_are_almost_right_are_named),
    T(country_codes_are_two_capital_letters_in_either_place),
    T(the_first_of_two_problems_is_the_one_reported),
    T(segment_names_come_from_the_policy),
    T(a_leading_conjunct_on_a_number_or_flag_is_the_test_a_condition_needs),
    T(a_condition_never_holds_where_its_test_fails),
    cmocka_unit_test(compiling_survives_every_allocation_failure),
};

AR_TEST_MAIN(tests)
