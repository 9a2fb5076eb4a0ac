/* tests/test_cov_policy.c — the policy loader's less travelled paths through
 * the public API: every mistake a condition can make, with the line, column
 * and message of its diagnostic; the canonical text of conditions; the
 * introspection calls with bad arguments and indexes out of range. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/failalloc.h"
#include "support/policyload.h"
#include "support/testutil.h"

/* A policy whose first segment has `cond` as its condition, written in
 * single quotes on line 5 from column 11: the condition's byte N is at
 * column 12 + N. */
static char *policy_with_segment_condition(const char *cond) {
    static const char head[] = "version: 1\n"
                               "currency: {default: EUR}\n"
                               "segments:\n"
                               "  - name: big\n"
                               "    when: '";
    static const char tail[] = "'\n"
                               "    sequence: s\n"
                               "  - {name: all, sequence: s}\n"
                               "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n";
    size_t n = strlen(head) + strlen(cond) + strlen(tail) + 1;
    char *text = malloc(n);
    assert_non_null(text);
    snprintf(text, n, "%s%s%s", head, cond, tail);
    return text;
}

/* Loads `text`; expects ARCHASE_EPOLICY, no policy, and `expected` as the
 * first diagnostic. */
static void expect_problem(const char *text, const char *expected) {
    archase_diag_list *diags = test_policy_load_refused(text);
    assert_true(archase_diag_list_count(diags) >= 1);
    const archase_diag *d = archase_diag_list_get(diags, 0);
    char line[1200];
    archase_diag_format(d, line, sizeof line);
    assert_int_equal(d->code, ARCHASE_EPOLICY);
    if (strcmp(line, expected) != 0)
        fail_msg("expected\n  %s\ngot\n  %s", expected, line);
    archase_diag_list_free(diags);
}

/* The condition `cond` is rejected at its byte `offset` with `message`. */
static void expect_condition_problem(const char *cond, unsigned offset, const char *message) {
    char *text = policy_with_segment_condition(cond);
    char expected[1200];
    snprintf(expected, sizeof expected, "p.yaml:5:%u: segments[0].when: %s", 12 + offset, message);
    expect_problem(text, expected);
    free(text);
}

/* The condition `cond` loads and reads `canonical` when written back. */
static void expect_canonical(const char *cond, const char *canonical) {
    char *text = policy_with_segment_condition(cond);
    archase_policy *p = test_policy_load_ok(text);
    archase_policy_segment_info s;
    assert_int_equal(archase_policy_segment(p, 0, &s), 0);
    assert_non_null(s.condition);
    if (strcmp(s.condition, canonical) != 0)
        fail_msg("\"%s\": expected the canonical text\n  %s\ngot\n  %s", cond, canonical, s.condition);
    archase_policy_free(p);
    free(text);
}

/* The same with the condition written in YAML double quotes (`yaml` holds
 * YAML escapes): the message is checked, and the line. */
static void expect_quoted_condition_problem(const char *yaml, const char *message) {
    char cond[600];
    snprintf(cond, sizeof cond, "\"%s\"", yaml);
    static const char head[] = "version: 1\ncurrency: {default: EUR}\nsegments:\n  - name: big\n    when: ";
    char text[1200];
    snprintf(text, sizeof text,
             "%s%s\n    sequence: s\n  - {name: all, sequence: s}\n"
             "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n",
             head, cond);
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    archase_policy *p = NULL;
    assert_int_equal(archase_policy_load_buffer(text, strlen(text), "p.yaml", NULL, &p, diags), ARCHASE_EPOLICY);
    assert_null(p);
    char line[1200];
    archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
    char suffix[700];
    snprintf(suffix, sizeof suffix, ": segments[0].when: %s", message);
    if (strncmp(line, "p.yaml:5:", 9) != 0 || strlen(line) < strlen(suffix) ||
        strcmp(line + strlen(line) - strlen(suffix), suffix) != 0)
        fail_msg("expected ...%s\ngot\n  %s", suffix, line);
    archase_diag_list_free(diags);
}

/* A run of `n` copies of `c`, for tokens longer than a message shows. */
static const char *run_of(char c, size_t n) {
    static char buf[8][128];
    static int next_buf;
    char *b = buf[next_buf++ % 8];
    memset(b, c, n);
    b[n] = '\0';
    return b;
}

/* ---- the lexer ------------------------------------------------------------ */

static void conditions_with_characters_outside_the_language_are_rejected(void **state) {
    (void)state;
    expect_condition_problem("days_overdue = 3", 13, "\"=\" is not an operator: compare with \"==\"");
    expect_condition_problem("! disputed", 0, "\"!\" is not an operator: write \"not\" or \"!=\"");
    expect_condition_problem("tier == \"gold", 8, "unterminated quoted name");
    expect_condition_problem("tier == gold;", 12, "unexpected character \";\"");
    expect_condition_problem("tier == g\xc3\xb6ld", 9,
                             "unexpected character: names outside A-Z, 0-9, _ . - are written in quotes");
    expect_condition_problem(" ", 0, "empty condition");
}

static void a_condition_longer_than_the_limit_is_rejected(void **state) {
    (void)state;
    size_t n = 4200;
    char *cond = malloc(n + 1);
    assert_non_null(cond);
    memset(cond, ' ', n);
    memcpy(cond, "disputed", 8);
    cond[n] = '\0';
    char *text = policy_with_segment_condition(cond);
    expect_problem(text, "p.yaml:5:12: segments[0].when: condition longer than 4096 characters");
    free(text);
    free(cond);
}

/* ---- values --------------------------------------------------------------- */

static void names_are_checked_against_what_the_field_can_be(void **state) {
    (void)state;
    expect_condition_problem("tier == \"\"", 8, "empty name");
    expect_condition_problem("aging_band == 1_31", 14, "\"1_31\" is not a aging_band (did you mean \"1_30\"?)");
    expect_condition_problem("aging_band == zzzzzzzz", 14,
                             "\"zzzzzzzz\" is not a aging_band; aging_band is one of: current, 1_30, 31_60, "
                             "61_90, 91_plus");
    expect_condition_problem("dispute_reason in [pricng]", 19,
                             "\"pricng\" is not a dispute_reason (did you mean \"pricing\"?)");
    expect_condition_problem("currency == EURO", 12, "\"EURO\" is not an ISO 4217 currency code (EUR, USD, ...)");
    expect_condition_problem("currency == \"XQQ\"", 12,
                             "\"XQQ\" is not an ISO 4217 currency code (EUR, USD, ...)");
    expect_condition_problem("country == deu", 11,
                             "\"deu\" is not a country code: two capital letters (ISO 3166-1), e.g. DE");
    expect_condition_problem("country == D1", 11,
                             "\"D1\" is not a country code: two capital letters (ISO 3166-1), e.g. DE");
}

static void values_of_the_wrong_type_name_what_was_expected(void **state) {
    (void)state;
    expect_condition_problem("tier == 5 EUR", 8,
                             "tier is a name: expected a name, e.g. gold, got an amount (5 EUR)");
    expect_condition_problem("tier == 5", 8, "tier is a name: expected a name, e.g. gold, got \"5\"");
    expect_condition_problem("days_overdue > 2026-01-01", 15,
                             "days_overdue is days: expected a number of days, e.g. 30, got the date \"2026-01-01\"");
    expect_condition_problem("days_overdue > \"x\"", 15,
                             "days_overdue is days: expected a number of days, e.g. 30, got a quoted name");
    expect_condition_problem("days_overdue > true", 15,
                             "days_overdue is days: expected a number of days, e.g. 30, got \"true\"");
    expect_condition_problem("days_overdue > (", 15,
                             "days_overdue is days: expected a number of days, e.g. 30, got \"(\"");
    expect_condition_problem("days_overdue >", 14,
                             "days_overdue: expected a number of days, e.g. 30 after the operator, got the end "
                             "of the condition");
    expect_condition_problem("disputed == 5", 12, "disputed is true or false: expected true or false, got \"5\"");
    expect_condition_problem("days_overdue > 1.5", 15,
                             "days_overdue is days: expected a number of days, e.g. 30, got \"1.5\"");
    expect_condition_problem("days_overdue > xyzzyqwv", 15,
                             "days_overdue is days: expected a number of days, e.g. 30, got \"xyzzyqwv\"");
    expect_condition_problem("days_overdue > dayz_overdue", 15,
                             "unknown field \"dayz_overdue\" (did you mean \"days_overdue\"?)");
    expect_condition_problem("days_overdue > open_amount", 15,
                             "days_overdue is days but open_amount is money: they cannot be compared");
    expect_condition_problem("tier == segment", 8,
                             "segment is not available here: segments are decided by these conditions");
}

static void numbers_amounts_and_dates_must_be_representable(void **state) {
    (void)state;
    expect_condition_problem("days_overdue > 99999999999999999999", 15,
                             "number out of range: \"99999999999999999999\"");
    expect_condition_problem("days_overdue > -9223372036854775809", 15,
                             "number out of range: \"-9223372036854775809\"");
    expect_condition_problem("days_overdue > 18446744073709551616", 15,
                             "number out of range: \"18446744073709551616\"");
    expect_condition_problem("open_amount > 12345678901234567890123456789012345678901 EUR", 14,
                             "amount too long");
    expect_condition_problem("open_amount > 1.234 EUR", 14,
                             "\"1.234 EUR\" is not an amount: EUR has 2 decimals");
    expect_condition_problem("due_date < 2026-02-30", 11, "no such date: \"2026-02-30\"");
    /* The extremes of a 64-bit number are still numbers. */
    expect_canonical("days_overdue > -9223372036854775808 and days_overdue < 9223372036854775807",
                     "days_overdue > -9223372036854775808 and days_overdue < 9223372036854775807");
}

/* ---- tests and structure ---------------------------------------------------- */

static void a_test_must_start_with_a_known_field(void **state) {
    (void)state;
    expect_condition_problem("(", 1, "expected a field, \"not\" or \"(\", got the end of the condition");
    expect_condition_problem(")", 0, "expected a field, \"not\" or \"(\", got \")\"");
    expect_condition_problem("5 > days_overdue", 0, "a test starts with a field, e.g. days_overdue > 30; got \"5\"");
    expect_condition_problem("qqqqqqqqq > 1", 0,
                             "unknown field \"qqqqqqqqq\" (the fields are listed in the policy reference)");
    expect_condition_problem("dayz_overdue > 1", 0, "unknown field \"dayz_overdue\" (did you mean \"days_overdue\"?)");
}

static void operators_must_suit_the_field(void **state) {
    (void)state;
    expect_condition_problem("tier not gold", 5,
                             "\"not\" after a field must be followed by \"in\" (\"tier not in [...]\"), or "
                             "written before the test (\"not tier\")");
    expect_condition_problem("open_amount in [1 EUR]", 12,
                             "open_amount is money: \"in\" works with numbers, days, dates and names");
    expect_condition_problem("disputed in [true]", 9,
                             "disputed is true or false: \"in\" works with numbers, days, dates and names");
    expect_condition_problem("disputed > true", 9, "disputed is true or false: compare it with ==, !=");
    expect_condition_problem("days_overdue", 0, "days_overdue is days: compare it with a value, e.g. days_overdue > 30");
    expect_condition_problem("open_amount and disputed", 0,
                             "open_amount is money: compare it with a value, e.g. open_amount >= 1000 EUR");
    expect_condition_problem("(tier)", 1, "tier is a name: compare it with a value, e.g. tier == gold");
    expect_condition_problem("due_date or disputed", 0,
                             "due_date is a date: compare it with a value, e.g. due_date < 2026-01-01");
    expect_condition_problem("step_index", 0, "step_index is a number: compare it with a value, e.g. days_overdue > 30");
    expect_condition_problem("days_overdue 5", 13,
                             "expected an operator (==, !=, <, <=, >, >=, in) after days_overdue, got \"5\"");
}

static void lists_hold_one_to_1024_values(void **state) {
    (void)state;
    expect_condition_problem("tier in gold", 8, "expected \"[\" after \"in\" (a list: [gold, platinum])");
    expect_condition_problem("tier in []", 9, "empty list: \"in\" needs at least one value");
    expect_condition_problem("days_overdue in [days_to_due]", 17, "a list holds values, not fields");
    expect_condition_problem("tier in [gold platinum]", 14,
                             "expected \",\" or \"]\" in the list, got something else");
    expect_condition_problem("tier in [gold", 13, "expected \",\" or \"]\" in the list, got the end of the condition");
    expect_condition_problem("tier in [gold, \"\"]", 15, "empty name");

    /* 1024 values are a list; 1025 are not. */
    char cond[2200];
    size_t n = (size_t)snprintf(cond, sizeof cond, "days_overdue in [");
    for (int i = 0; i < 1024; i++)
        n += (size_t)snprintf(cond + n, sizeof cond - n, i ? ",%d" : "%d", i % 10);
    snprintf(cond + n, sizeof cond - n, "]");
    char *text = policy_with_segment_condition(cond);
    archase_policy *p = test_policy_load_ok(text);
    archase_policy_free(p);
    free(text);
    snprintf(cond + n, sizeof cond - n, ",1]");
    expect_condition_problem(cond, (unsigned)n + 1, "list longer than 1024 values");
}

static void parentheses_and_nesting_are_checked(void **state) {
    (void)state;
    expect_condition_problem("(days_overdue > 1", 17,
                             "expected \")\" to close the \"(\" at column 1, got the end of the condition");
    expect_condition_problem("disputed or (days_overdue > 1 disputed)", 30,
                             "expected \")\" to close the \"(\" at column 13, got more");
    expect_condition_problem("days_overdue > 1 disputed", 17,
                             "expected \"and\", \"or\" or the end of the condition, got \"disputed\"");
    expect_condition_problem("disputed and", 12, "expected a field, \"not\" or \"(\", got the end of the condition");
    expect_condition_problem("disputed or", 11, "expected a field, \"not\" or \"(\", got the end of the condition");
    expect_condition_problem("not", 3, "expected a field, \"not\" or \"(\", got the end of the condition");

    /* 32 levels are allowed, the 33rd is not. */
    char cond[400];
    size_t n = 0;
    for (int i = 0; i < 31; i++)
        n += (size_t)snprintf(cond + n, sizeof cond - n, "not ");
    snprintf(cond + n, sizeof cond - n, "disputed");
    char *text = policy_with_segment_condition(cond);
    archase_policy *p = test_policy_load_ok(text);
    archase_policy_free(p);
    free(text);
    n = 0;
    for (int i = 0; i < 33; i++)
        n += (size_t)snprintf(cond + n, sizeof cond - n, "(");
    snprintf(cond + n, sizeof cond - n, "disputed");
    expect_condition_problem(cond, 32, "condition nested deeper than 32 levels");
}

/* ---- the canonical text ------------------------------------------------------- */

static void conditions_are_written_back_canonically(void **state) {
    (void)state;
    expect_canonical("not (disputed or on_hold) and due_date < 2026-01-01 and amount >= open_amount",
                     "not (disputed or on_hold) and due_date < 2026-01-01 and amount >= open_amount");
    expect_canonical("(disputed and on_hold) or (false or true)", "disputed and on_hold or false or true");
    expect_canonical("(disputed or on_hold) and days_overdue not in [1,2]",
                     "(disputed or on_hold) and days_overdue not in [1, 2]");
    expect_canonical("disputed == false and paused != true and days_overdue != days_to_due",
                     "disputed == false and paused != true and days_overdue != days_to_due");
    expect_canonical("open_amount >= 10000.5 GBP and open_amount < 1 JPY",
                     "open_amount >= 10000.50 GBP and open_amount < 1 JPY");
    /* Names that would read as something else are quoted; quotes and
     * backslashes inside are escaped. */
    expect_canonical("tier in [gold, \"and\", \"30\", \"2026-01-01\", \"days_overdue\", \"a b\", \"x\\\"y\", \"1.5\"]",
                     "tier in [gold, \"and\", \"30\", \"2026-01-01\", \"days_overdue\", \"a b\", \"x\\\"y\", \"1.5\"]");
    expect_canonical("tier == \"a\\\\b\"", "tier == \"a\\\\b\"");
    expect_canonical("issue_date in [2026-01-01, 2026-02-01] and due_date >= issue_date",
                     "issue_date in [2026-01-01, 2026-02-01] and due_date >= issue_date");
}

/* ---- more corners ---------------------------------------------------------------- */

static void whitespace_escapes_and_control_characters_in_conditions(void **state) {
    (void)state;
    /* Tabs and line breaks separate words like spaces. */
    archase_policy *p = test_policy_load_ok("version: 1\ncurrency: {default: EUR}\nsegments:\n"
                                "  - {name: big, when: \"disputed\\tand\\r\\non_hold\", sequence: s}\n"
                                "  - {name: all, sequence: s}\n"
                                "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n");
    archase_policy_segment_info seg;
    assert_int_equal(archase_policy_segment(p, 0, &seg), 0);
    assert_string_equal(seg.condition, "disputed and on_hold");
    archase_policy_free(p);
    expect_quoted_condition_problem("disputed\\x01", "unexpected control character 0x01");
    expect_quoted_condition_problem("disputed\\x7f", "unexpected control character 0x7f");
    expect_quoted_condition_problem("tier == \\\"a\\x01b\\\"", "control character in a name");
    expect_quoted_condition_problem("tier == \\\"a\\x7fb\\\"", "control character in a name");
    /* A backslash escapes only inside double quotes, and not the closing one. */
    expect_quoted_condition_problem("tier == \\\"ab\\\\\\\"", "unterminated quoted name");
    expect_canonical("tier == \"ab\\\\\" or tier == \"\\\\\"", "tier == \"ab\\\\\" or tier == \"\\\\\"");
}

static void words_that_almost_look_like_numbers_dates_and_codes(void **state) {
    (void)state;
    const char *days = "days_overdue is days: expected a number of days, e.g. 30, got ";
    char msg[300];
    static const char *const words[] = { "-", "5.", "x.5", "5.x", "-.5", "2026-0a-01", "2026x01-01", "2026-01x01" };
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        char cond[64];
        snprintf(cond, sizeof cond, "days_overdue > %s", words[i]);
        snprintf(msg, sizeof msg, "%s\"%s\"", days, words[i]);
        expect_condition_problem(cond, 15, msg);
    }
    expect_condition_problem("open_amount > 5 eur", 14,
                             "open_amount is money: the amount 5 needs its currency, e.g. 5 EUR");
    expect_condition_problem("open_amount > 5 E1R", 14,
                             "open_amount is money: the amount 5 needs its currency, e.g. 5 EUR");
    expect_condition_problem("days_overdue > 9223372036854775808", 15,
                             "number out of range: \"9223372036854775808\"");
    expect_condition_problem("country == dE", 11,
                             "\"dE\" is not a country code: two capital letters (ISO 3166-1), e.g. DE");
    expect_condition_problem("country == Dd", 11,
                             "\"Dd\" is not a country code: two capital letters (ISO 3166-1), e.g. DE");
    expect_condition_problem("country == \"D\"", 11,
                             "\"D\" is not a country code: two capital letters (ISO 3166-1), e.g. DE");
    expect_condition_problem("risk_score > \"x\"", 13,
                             "risk_score is a number: expected a whole number, e.g. 5, got a quoted name");
    expect_condition_problem("due_date > \"x\"", 11,
                             "due_date is a date: expected a date written YYYY-MM-DD, got a quoted name");
    expect_condition_problem("disputed == \"x\"", 12,
                             "disputed is true or false: expected true or false, got a quoted name");
    expect_condition_problem("open_amount > \"x\"", 14,
                             "open_amount is money: expected an amount with its currency, e.g. 10000 EUR, got a "
                             "quoted name");
    expect_canonical("currency in [EUR, \"USD\"] and country != DE and aging_band == 91_plus and "
                     "dispute_reason == none",
                     "currency in [EUR, USD] and country != DE and aging_band == 91_plus and dispute_reason == none");
}

static void long_tokens_are_cut_in_messages(void **state) {
    (void)state;
    char cond[300], msg[400];
    const char *digits = run_of('1', 45), *shown = run_of('1', 40);
    snprintf(cond, sizeof cond, "tier == %s EUR", digits);
    snprintf(msg, sizeof msg, "tier is a name: expected a name, e.g. gold, got an amount (%s EUR)", shown);
    expect_condition_problem(cond, 8, msg);
    snprintf(cond, sizeof cond, "open_amount > %s", digits);
    snprintf(msg, sizeof msg, "open_amount is money: the amount %s needs its currency, e.g. %s EUR", shown, shown);
    expect_condition_problem(cond, 14, msg);
    snprintf(cond, sizeof cond, "tier == %s", digits);
    snprintf(msg, sizeof msg, "tier is a name: expected a name, e.g. gold, got \"%s\"", shown);
    expect_condition_problem(cond, 8, msg);
    snprintf(cond, sizeof cond, "days_overdue > %s", digits);
    snprintf(msg, sizeof msg, "number out of range: \"%s\"", shown);
    expect_condition_problem(cond, 15, msg);
    snprintf(cond, sizeof cond, "days_overdue > 1.%s", digits);
    snprintf(msg, sizeof msg, "days_overdue is days: expected a number of days, e.g. 30, got \"1.%s\"",
             run_of('1', 38));
    expect_condition_problem(cond, 15, msg);
    const char *word = run_of('q', 45), *word_shown = run_of('q', 40);
    snprintf(cond, sizeof cond, "days_overdue > %s", word);
    snprintf(msg, sizeof msg, "days_overdue is days: expected a number of days, e.g. 30, got \"%s\"", word_shown);
    expect_condition_problem(cond, 15, msg);
    snprintf(cond, sizeof cond, "\"%s\"", word);
    snprintf(msg, sizeof msg, "expected a field, \"not\" or \"(\", got \"%s\"", word_shown);
    expect_condition_problem(cond, 0, msg);
    snprintf(cond, sizeof cond, "1.%s > 1", digits);
    snprintf(msg, sizeof msg, "a test starts with a field, e.g. days_overdue > 30; got \"1.%s\"", run_of('1', 38));
    expect_condition_problem(cond, 0, msg);
    snprintf(cond, sizeof cond, "%s > 1", word);
    snprintf(msg, sizeof msg, "unknown field \"%s\" (the fields are listed in the policy reference)", word_shown);
    expect_condition_problem(cond, 0, msg);
    snprintf(cond, sizeof cond, "days_overdue %s", word);
    snprintf(msg, sizeof msg, "expected an operator (==, !=, <, <=, >, >=, in) after days_overdue, got \"%s\"",
             word_shown);
    expect_condition_problem(cond, 13, msg);
    snprintf(cond, sizeof cond, "disputed %s", word);
    snprintf(msg, sizeof msg, "expected \"and\", \"or\" or the end of the condition, got \"%s\"", word_shown);
    expect_condition_problem(cond, 9, msg);
    snprintf(cond, sizeof cond, "aging_band == %s", word);
    snprintf(msg, sizeof msg, "\"%s\" is not a aging_band; aging_band is one of: current, 1_30, 31_60, 61_90, 91_plus",
             word_shown);
    expect_condition_problem(cond, 14, msg);
    snprintf(cond, sizeof cond, "currency == %s", word);
    snprintf(msg, sizeof msg, "\"%s\" is not an ISO 4217 currency code (EUR, USD, ...)", word_shown);
    expect_condition_problem(cond, 12, msg);
    snprintf(cond, sizeof cond, "country == %s", word);
    snprintf(msg, sizeof msg, "\"%s\" is not a country code: two capital letters (ISO 3166-1), e.g. DE", word_shown);
    expect_condition_problem(cond, 11, msg);
}

static void the_list_of_segments_in_a_message_is_cut_to_its_room(void **state) {
    (void)state;
    /* Twelve segments with long names: the list of choices does not fit. */
    char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "version: 1\ncurrency: {default: EUR}\nsegments:\n");
    for (int i = 0; i < 11; i++)
        n += (size_t)snprintf(text + n, sizeof text - n,
                              "  - {name: segment_with_a_rather_long_name_%02d, when: risk_score > %d, sequence: s}\n",
                              i, 100 * (11 - i));
    n += (size_t)snprintf(text + n, sizeof text - n,
                          "  - {name: segment_with_a_rather_long_name_11, sequence: s}\n"
                          "sequences: {s: {steps: [{offset: 1, action: alert_owner, when: segment == zz}]}}\n");
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    archase_policy *p = NULL;
    assert_int_equal(archase_policy_load_buffer(text, n, "p.yaml", NULL, &p, diags), ARCHASE_EPOLICY);
    char line[1200];
    archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
    const char *want = "p.yaml:16:75: sequences.s.steps[0].when: \"zz\" is not a segment of this policy; segment is "
                       "one of: segment_with_a_rather_long_name_00, segment_with_a_rather_long_name_01, ";
    if (strncmp(line, want, strlen(want)) != 0)
        fail_msg("expected\n  %s...\ngot\n  %s", want, line);
    /* The list stops at a whole name, before 256 characters. */
    const char *list = strstr(line, "one of: ") + 8;
    assert_true(strlen(list) < 256);
    assert_true(strlen(list) > 200);
    assert_null(strstr(list, "_11"));
    archase_diag_list_free(diags);
}

/* ---- every section, one mistake at a time ------------------------------------------- */

/* The smallest valid policy: ten lines; each case adds line 11. */
#define MINIMAL                       \
    "version: 1\n"                    \
    "currency: {default: EUR}\n"      \
    "segments:\n"                     \
    "  - name: all\n"                 \
    "    sequence: s\n"               \
    "sequences:\n"                    \
    "  s:\n"                          \
    "    steps:\n"                    \
    "      - offset: 1\n"             \
    "        action: alert_owner\n"

typedef struct section_case {
    const char *line;     /* line 11 */
    const char *expected; /* the first problem, or NULL: the policy loads */
} section_case;

static const section_case section_cases[] = {
    { "calendars: [a]\n",
      "p.yaml:11:12: calendars: expected a mapping (key: value lines), got a list" },
    { "calendars: {x: 5}\n",
      "p.yaml:11:16: calendars.x: expected a mapping (key: value lines), got a single value" },
    { "calendars: {x: {weekend: sat}}\n",
      "p.yaml:11:26: calendars.x.weekend: expected a list (\"- item\" lines or [a, b]), got a single value" },
    { "calendars: {x: {weekend: [sat, funday]}}\n",
      "p.yaml:11:32: calendars.x.weekend[1]: expected a weekday: mon, tue, wed, thu, fri, sat or sun" },
    { "calendars: {x: {weekend: [[sat]]}}\n",
      "p.yaml:11:27: calendars.x.weekend[0]: expected a weekday: mon, tue, wed, thu, fri, sat or sun" },
    { "calendars: {x: {weekend: [mon, tue, wed, thu, fri, sat, sun]}}\n",
      "p.yaml:11:26: calendars.x.weekend: every day is a weekend day: no business day is left" },
    { "calendars: {x: {holidays: 2026-01-01}}\n",
      "p.yaml:11:27: calendars.x.holidays: expected a list (\"- item\" lines or [a, b]), got a single value" },
    { "calendars: {x: {holidays: [notadate]}}\n",
      "p.yaml:11:28: calendars.x.holidays[0]: expected a date written YYYY-MM-DD, got \"notadate\"" },
    { "calendars: {x: {holidays: [\"2026-01-01\"]}}\n",
      "p.yaml:11:28: calendars.x.holidays[0]: expected a date written YYYY-MM-DD, got \"2026-01-01\"" },
    { "calendars: {x: {holidays: [[1]]}}\n",
      "p.yaml:11:28: calendars.x.holidays[0]: expected a date written YYYY-MM-DD, got \"\"" },
    { "risk_score: 5\n",
      "p.yaml:11:13: risk_score: expected a mapping (key: value lines), got a single value" },
    { "risk_score: {drivers: 5}\n",
      "p.yaml:11:23: risk_score.drivers: expected a list (\"- item\" lines or [a, b]), got a single value" },
    { "risk_score: {drivers: [5]}\n",
      "p.yaml:11:24: risk_score.drivers[0]: expected a mapping (key: value lines), got a single value" },
    { "risk_score: {drivers: [{name: a, field: dayz_overdue, points_per_unit: 1}]}\n",
      "p.yaml:11:41: risk_score.drivers[0].field: unknown field \"dayz_overdue\" (did you mean \"days_overdue\"?)" },
    { "risk_score: {drivers: [{name: a, field: qqqqqqqqq, points_per_unit: 1}]}\n",
      "p.yaml:11:41: risk_score.drivers[0].field: expected a field of the condition catalogue" },
    { "risk_score: {drivers: [{name: a, field: open_amount, points_per_unit: 1}]}\n",
      "p.yaml:11:41: risk_score.drivers[0].field: open_amount is money: a driver's field must be a number, days or true/false (for amounts, use \"when\" with fixed points)" },
    { "risk_score: {drivers: [{name: a, field: risk_score, points_per_unit: 1}]}\n",
      "p.yaml:11:41: risk_score.drivers[0].field: the risk score cannot depend on itself" },
    { "risk_score: {drivers: [{name: a, field: days_overdue, points_per_unit: 0}]}\n",
      "p.yaml:11:24: risk_score.drivers[0]: a driver with a field needs points_per_unit" },
    { "risk_score: {drivers: [{name: a, when: disputed}]}\n",
      "p.yaml:11:24: risk_score.drivers[0]: a driver needs a field with points_per_unit, or points" },
    { "risk_score: {drivers: [{name: a, when: disputed, points: 5, points_per_unit: 2}]}\n",
      "p.yaml:11:24: risk_score.drivers[0]: points_per_unit needs a field" },
    { "risk_score: {drivers: [{name: a, when: disputed, points: 5}, {name: a, when: on_hold, points: 5}]}\n",
      "p.yaml:11:62: risk_score.drivers[1]: a second driver named \"a\"" },
    { "risk_score: {drivers: [{name: a, field: 5, points_per_unit: 1}]}\n",
      "p.yaml:11:41: risk_score.drivers[0].field: expected a field of the condition catalogue" },
    { "guardrails: {timezone: /Europe}\n",
      "p.yaml:11:24: guardrails.timezone: expected an IANA time zone name such as Europe/Berlin, got '/Europe'" },
    { "guardrails: {timezone: Europe/}\n",
      "p.yaml:11:24: guardrails.timezone: expected an IANA time zone name such as Europe/Berlin, got 'Europe/'" },
    { "guardrails: {timezone: Europe//Berlin}\n",
      "p.yaml:11:24: guardrails.timezone: expected an IANA time zone name such as Europe/Berlin, got 'Europe//Berlin'" },
    { "guardrails: {timezone: \"Europe Berlin\"}\n",
      "p.yaml:11:24: guardrails.timezone: expected an IANA time zone name such as Europe/Berlin, got 'Europe Berlin'" },
    { "guardrails: {quiet_hours: 5}\n",
      "p.yaml:11:27: guardrails.quiet_hours: expected a mapping (key: value lines), got a single value" },
    { "guardrails: {send_window: {start: \"18:00\", end: \"08:00\"}}\n",
      "p.yaml:11:27: guardrails.send_window: the send window must end after it starts" },
    { "guardrails: {send_window: {start: \"08:00\", end: \"18:00\", days: mon}}\n",
      "p.yaml:11:64: guardrails.send_window.days: expected a list (\"- item\" lines or [a, b]), got a single value" },
    { "guardrails: {send_window: {start: \"08:00\", end: \"18:00\", days: [funday]}}\n",
      "p.yaml:11:64: guardrails.send_window.days: no day left to send on" },
    { "guardrails: {send_window: {start: \"08:00\", end: \"18:00\", days: [[mon]]}}\n",
      "p.yaml:11:64: guardrails.send_window.days: no day left to send on" },
    { "guardrails: {send_window: {start: \"8:00\", end: \"18:00\"}}\n",
      "p.yaml:11:35: guardrails.send_window.start: expected a time \"HH:MM\" (00:00 to 24:00), got \"8:00\"" },
    { "guardrails: {send_window: {start: \"08:60\", end: \"18:00\"}}\n",
      "p.yaml:11:35: guardrails.send_window.start: expected a time \"HH:MM\" (00:00 to 24:00), got \"08:60\"" },
    { "guardrails: {send_window: {start: \"24:01\", end: \"18:00\"}}\n",
      "p.yaml:11:35: guardrails.send_window.start: expected a time \"HH:MM\" (00:00 to 24:00), got \"24:01\"" },
    { "guardrails: {send_window: {start: \"30:00\", end: \"18:00\"}}\n",
      "p.yaml:11:35: guardrails.send_window.start: expected a time \"HH:MM\" (00:00 to 24:00), got \"30:00\"" },
    { "guardrails: {send_window: {start: \"08x00\", end: \"18:00\"}}\n",
      "p.yaml:11:35: guardrails.send_window.start: expected a time \"HH:MM\" (00:00 to 24:00), got \"08x00\"" },
    { "guardrails: {send_window: {start: [1], end: \"18:00\"}}\n",
      "p.yaml:11:35: guardrails.send_window.start: expected a time \"HH:MM\", got a list" },
    { "guardrails: {send_window: {end: \"18:00\"}}\n",
      "p.yaml:11:27: guardrails.send_window: \"start\" is required" },
    { "guardrails: 5\n",
      "p.yaml:11:13: guardrails: expected a mapping (key: value lines), got a single value" },
    { "escalation: 5\n",
      "p.yaml:11:13: escalation: expected a mapping (key: value lines), got a single value" },
    { "escalation: {rules: 5}\n",
      "p.yaml:11:21: escalation.rules: expected a list (\"- item\" lines or [a, b]), got a single value" },
    { "escalation: {rules: [5]}\n",
      "p.yaml:11:22: escalation.rules[0]: expected a mapping (key: value lines), got a single value" },
    { "escalation: {rules: [{name: a, when: disputed, notify: []}]}\n",
      "p.yaml:11:22: escalation.rules[0]: notify must name at least one role" },
    { "escalation: {rules: [{name: a, when: disputed, notify: [cfo]}, {name: a, when: disputed, notify: [cfo]}]}\n",
      "p.yaml:11:64: escalation.rules[1]: a second escalation rule named \"a\"" },
    { "fees: 5\n",
      "p.yaml:11:7: fees: expected a mapping (key: value lines), got a single value" },
    { "fees: {packs: 5}\n",
      "p.yaml:11:15: fees.packs: expected a list (\"- item\" lines or [a, b]), got a single value" },
    { "fees: {packs: [5]}\n",
      "p.yaml:11:16: fees.packs[0]: expected a mapping (key: value lines), got a single value" },
    { "fees: {packs: [{name: a}]}\n",
      "p.yaml:11:16: fees.packs[0]: a fee pack charges interest, a fixed compensation, or both" },
    { "fees: {packs: [{name: a, statutory: eu}, {name: a, statutory: eu}]}\n",
      "p.yaml:11:42: fees.packs[1]: a second fee pack named \"a\"" },
    { "fees: {packs: [{name: a, compensation: 5}]}\n",
      "p.yaml:11:16: fees.packs[0]: a fee pack charges interest, a fixed compensation, or both" },
    { "fees: {packs: [{name: a, compensation: []}]}\n",
      "p.yaml:11:16: fees.packs[0]: a fee pack charges interest, a fixed compensation, or both" },
    { "fees: {packs: [{name: a, compensation: [5]}]}\n",
      "p.yaml:11:41: fees.packs[0].compensation[0]: expected a mapping (key: value lines), got a single value" },
    { "fees: {packs: [{name: a, compensation: [{amount: 0 EUR}]}]}\n",
      "p.yaml:11:50: fees.packs[0].compensation[0]: a compensation must be more than zero" },
    { "fees: {packs: [{name: a, compensation: [{below: 100 EUR, amount: 5 EUR}, {below: 50 EUR, amount: 6 EUR}, {amount: 7 EUR}]}]}\n",
      "p.yaml:11:74: fees.packs[0].compensation[1]: bands must be in increasing order of \"below\"" },
    { "fees: {packs: [{name: a, compensation: [{amount: 5 EUR}, {amount: 7 EUR}]}]}\n",
      "p.yaml:11:41: fees.packs[0].compensation[0]: only the last band may leave out \"below\"" },
    { "delivery: 5\n",
      "p.yaml:11:11: delivery: expected a mapping (key: value lines), got a single value" },
    { "delivery: {max_attempts: 3, retry_backoff_minutes: 10, review: review, review_segments: [all], automatic_segments: [zz], digest_weekday: fri}\n",
      "p.yaml:11:116: delivery.automatic_segments: 'zz' is not a segment of the policy" },
    { "delivery: {review_segments: [qq]}\n",
      "p.yaml:11:29: delivery.review_segments: 'qq' is not a segment of the policy" },
    { "delivery: {max_attempts: 0}\n",
      "p.yaml:11:26: delivery.max_attempts: must be between 1 and 50, got 0" },
    { "delivery: {retry_backoff_minutes: x}\n",
      "p.yaml:11:35: delivery.retry_backoff_minutes: expected a whole number, got \"x\"" },
    { "reconciliation: 5\n",
      "p.yaml:11:17: reconciliation: expected a mapping (key: value lines), got a single value" },
    { "credit: 5\n",
      "p.yaml:11:9: credit: expected a mapping (key: value lines), got a single value" },
    { "credit: {notice_template: zz}\n",
      "p.yaml:11:27: credit.notice_template: no template named \"zz\" in templates.definitions" },
    { "disputes: 5\n",
      "p.yaml:11:11: disputes: expected a mapping (key: value lines), got a single value" },
    { "disputes: {playbooks: 5}\n",
      "p.yaml:11:23: disputes.playbooks: expected a mapping (key: value lines), got a single value" },
    { "disputes: {playbooks: {pricng: {sla_days: 3}}}\n",
      "p.yaml:11:24: disputes.playbooks: unknown reason code \"pricng\" (did you mean \"pricing\"?)" },
    { "disputes: {playbooks: {qqqqqqqq: {sla_days: 3}}}\n",
      "p.yaml:11:24: disputes.playbooks: unknown reason code \"qqqqqqqq\" (pricing, short_ship, damaged_goods, missing_po, milestone_not_accepted, duplicate_billing, tax, other)" },
    { "disputes: {playbooks: {pricing: 5}}\n",
      "p.yaml:11:33: disputes.playbooks.pricing: expected a mapping (key: value lines), got a single value" },
    { "disputes: {playbooks: {pricing: {approval_limit: [100 EUR, 200 EUR]}}}\n",
      "p.yaml:11:60: disputes.playbooks.pricing.approval_limit[1]: a second amount in EUR: give one per currency" },
    { "disputes: {playbooks: {pricing: {approval_limit: [5]}}}\n",
      "p.yaml:11:51: disputes.playbooks.pricing.approval_limit[0]: \"5\" needs its currency, e.g. \"5 EUR\"" },
    { "disputes: {playbooks: {pricing: {evidence: [po, po]}}}\n",
      "p.yaml:11:49: disputes.playbooks.pricing.evidence[1]: \"po\" is listed twice" },
    { "disputes: {playbooks: {pricing: {evidence: [[po]]}}}\n",
      "p.yaml:11:45: disputes.playbooks.pricing.evidence[0]: expected a name, got a list" },
    { "disputes: {playbooks: {pricing: {evidence: [\"bad name\"]}}}\n",
      "p.yaml:11:45: disputes.playbooks.pricing.evidence[0]: \"bad name\" is not a name: use letters, digits, _ and - (at most 64)" },
    { "disputes: {playbooks: {pricing: {evidence: po}}}\n",
      "p.yaml:11:44: disputes.playbooks.pricing.evidence: expected a list (\"- item\" lines or [a, b]), got a single value" },
    { "promises: 5\n",
      "p.yaml:11:11: promises: expected a mapping (key: value lines), got a single value" },
    { "promises: {on_broken: 5}\n",
      "p.yaml:11:23: promises.on_broken: expected a mapping (key: value lines), got a single value" },
    { "promises: {on_broken: {action: send_message, channel: email}}\n",
      "p.yaml:11:23: promises.on_broken: \"template\" is required" },
    { "relationship: 5\n",
      "p.yaml:11:15: relationship: expected a mapping (key: value lines), got a single value" },
    { "payment_patterns: 5\n",
      "p.yaml:11:19: payment_patterns: expected a mapping (key: value lines), got a single value" },
    { "payment_patterns: {enabled: true, min_history: 10, lookback: 5}\n",
      "p.yaml:11:19: payment_patterns: lookback (5) must be at least min_history (10)" },
    { "payment_patterns: {percentile: 60}\n",
      "p.yaml:11:32: payment_patterns.percentile: must be 50 (the median) or 80, got 60" },
    { "approvals: 5\n",
      "p.yaml:11:12: approvals: expected a mapping (key: value lines), got a single value" },
    { "approvals: {sensitive_actions: 5}\n",
      "p.yaml:11:32: approvals.sensitive_actions: expected a list (\"- item\" lines or [a, b]), got a single value" },
    { "approvals: {sensitive_actions: [[a]]}\n",
      "p.yaml:11:33: approvals.sensitive_actions[0]: unknown action \"\"" },
    { "approvals: {sensitive_actions: [escalat]}\n",
      "p.yaml:11:33: approvals.sensitive_actions[0]: unknown action \"escalat\" (did you mean \"escalate\"?)" },
    { "approvals: {sensitive_actions: [qqqqqqqqq]}\n",
      "p.yaml:11:33: approvals.sensitive_actions[0]: unknown action \"qqqqqqqqq\"" },
    { "approvals: {approvers_below: 2, approvers_above: 1}\n",
      "p.yaml:11:12: approvals: approvers_above (1) must be at least approvers_below (2)" },
    { "approvals: {roles: []}\n",
      "p.yaml:11:12: approvals: roles must name at least one approver role" },
    { "approvals: {fast_lane: 5}\n",
      "p.yaml:11:24: approvals.fast_lane: expected a mapping (key: value lines), got a single value" },
    { "approvals: {fast_lane: {enabled: true}}\n",
      "p.yaml:11:24: approvals.fast_lane: a fast lane needs max_amount: the amounts it may approve" },
    { "approvals: {rules: 5}\n",
      "p.yaml:11:20: approvals.rules: expected a list (\"- item\" lines or [a, b]), got a single value" },
    { "approvals: {rules: [5]}\n",
      "p.yaml:11:21: approvals.rules[0]: expected a mapping (key: value lines), got a single value" },
    { "approvals: {rules: [{action: credit_hold}, {action: credit_hold}]}\n",
      "p.yaml:11:44: approvals.rules[1]: a second rule for credit_hold" },
    { "approvals: {rules: [{action: credit_hold, approvers_above: 0}]}\n",
      "p.yaml:11:21: approvals.rules[0]: approvers_above (0) must be at least approvers_below (1)" },
    { "approvals: {rules: [{action: credit_hold, approvers_below: 2, approvers_above: 1}]}\n",
      "p.yaml:11:21: approvals.rules[0]: approvers_above (1) must be at least approvers_below (2)" },
    { "approvals: {rules: [{action: credit_hold, roles: []}]}\n",
      "p.yaml:11:21: approvals.rules[0]: roles must name at least one approver role" },
    { "approvals: {rules: [{action: qq}]}\n",
      "p.yaml:11:30: approvals.rules[0].action: \"qq\" is not one of send_message, queue_call, alert_owner, escalate, legal_notice, credit_hold, service_suspension, write_off, late_fee, interest, credit_limit_decrease, payment_plan, override" },
    { "approvals: {materiality: [100 EUR, 200 EUR]}\n",
      "p.yaml:11:36: approvals.materiality[1]: a second amount in EUR: give one per currency" },
    { "approvals: {materiality: \"100\"}\n",
      "p.yaml:11:26: approvals.materiality: \"100\" needs its currency, e.g. \"100 EUR\"" },
    { "approvals: {materiality: {a: 1}}\n",
      "p.yaml:11:26: approvals.materiality: expected a list (\"- item\" lines or [a, b]), got a mapping" },
    { "approvals: {materiality: [100 EUR, 5]}\n",
      "p.yaml:11:36: approvals.materiality[1]: \"5\" needs its currency, e.g. \"5 EUR\"" },
    { "approvals: {materiality: [100 XXQ]}\n",
      "p.yaml:11:27: approvals.materiality[0]: \"100 XXQ\" is not an amount: unknown currency \"XXQ\"" },
    { "approvals: {materiality: 1000000000000000000000000000000000 EUR}\n",
      "p.yaml:11:26: approvals.materiality: \"1000000000000000000000000000000000 EUR\" is not an amount: out of range for EUR (int64 minor units)" },
    { "call_queue: 5\n",
      "p.yaml:11:13: call_queue: expected a mapping (key: value lines), got a single value" },
    { "call_queue: {enabled: true, min_amount: 5 EUR, order: zz}\n",
      "p.yaml:11:55: call_queue.order: \"zz\" is not one of risk_score, open_amount, days_overdue" },
    { "name: [a]\n",
      "p.yaml:11:7: name: expected text, got a list" },
    { "templates: 5\n",
      "p.yaml:11:12: templates: expected a mapping (key: value lines), got a single value" },
    { "templates: {default_locale: 5x}\n",
      "p.yaml:11:29: templates.default_locale: expected a locale (en, de, en-US, ...)" },
    { "templates: {default_locale: [en]}\n",
      "p.yaml:11:29: templates.default_locale: expected a locale (en, de, en-US, ...)" },
    { "templates: {definitions: 5}\n",
      "p.yaml:11:26: templates.definitions: expected a mapping (key: value lines), got a single value" },
    { "templates: {definitions: {t: 5}}\n",
      "p.yaml:11:30: templates.definitions.t: expected a mapping (key: value lines), got a single value" },
    { "templates: {definitions: {t: {}}}\n",
      "p.yaml:11:30: templates.definitions.t: a template needs the text of at least one channel (email, sms, letter, portal, call or internal)" },
    { "templates: {definitions: {t: {email: 5}}}\n",
      "p.yaml:11:38: templates.definitions.t.email: expected a mapping (key: value lines), got a single value" },
    { "templates: {definitions: {t: {email: {}}}}\n",
      "p.yaml:11:38: templates.definitions.t.email: no locale written (e.g. en:)" },
    { "templates: {definitions: {t: {email: {e_n: {body: x}}}}}\n",
      "p.yaml:11:39: templates.definitions.t.email.e_n: \"e_n\" is not a locale (en, de, en-US, ...)" },
    { "templates: {definitions: {t: {email: {en: 5}}}}\n",
      "p.yaml:11:43: templates.definitions.t.email.en: expected a mapping (key: value lines), got a single value" },
    { "templates: {definitions: {t: {email: {en: {subject: a, body: b}, EN: {subject: a, body: b}}}}}\n",
      "p.yaml:11:66: templates.definitions.t.email.EN: a second email text for locale en" },
    { "templates: {definitions: {t: {sms: {en: {subject: a, body: b}}}}}\n",
      "p.yaml:11:51: templates.definitions.t.sms.en.subject: sms messages have no subject" },
    { "templates: {definitions: {t: {email: {en: {subject: a}}}}}\n",
      "p.yaml:11:43: templates.definitions.t.email.en: \"body\" is required" },
    { "templates: {definitions: {t: {email: {en: {subject: [a], body: b}}}}}\n",
      "p.yaml:11:53: templates.definitions.t.email.en.subject: expected the text of the message" },
    { "templates: {definitions: {t: {email: {en: {subject: ~, body: b}}}}}\n",
      "p.yaml:11:53: templates.definitions.t.email.en.subject: expected the text of the message" },
    { "templates: {definitions: {t: {letter: {en: {body: \"a {{ x\"}}}}}\n",
      "p.yaml:11:54: templates.definitions.t.letter.en.body: \"{{\" without its closing \"}}\"" },
    { "templates: {definitions: {t: {letter: {en: {body: \"{{ }}\"}}}}}\n",
      "p.yaml:11:52: templates.definitions.t.letter.en.body: empty placeholder {{ }}" },
    { "templates: {definitions: {t: {letter: {en: {body: \"{{ for x in y }}{{ end }}\"}}}}}\n",
      "p.yaml:11:52: templates.definitions.t.letter.en.body: a loop is written {{ for invoice in invoices }}" },
    { "templates: {definitions: {t: {letter: {en: {body: \"{{ for invoice in invoices }}{{ for invoice in invoices }}{{ end }}\"}}}}}\n",
      "p.yaml:11:81: templates.definitions.t.letter.en.body: loops cannot be nested" },
    { "templates: {definitions: {t: {letter: {en: {body: \"{{ end }}\"}}}}}\n",
      "p.yaml:11:52: templates.definitions.t.letter.en.body: {{ end }} without a loop to end" },
    { "templates: {definitions: {t: {letter: {en: {body: \"{{ for   invoice  in invoices }}\"}}}}}\n",
      "p.yaml:11:84: templates.definitions.t.letter.en.body: {{ for invoice in invoices }} without its {{ end }}" },
    { "templates: {definitions: {t: {letter: {en: {body: \"{{ customer.nmae }}\"}}}}}\n",
      "p.yaml:11:52: templates.definitions.t.letter.en.body: unknown template field \"customer.nmae\" (did you mean \"customer.name\"?)" },
    { "templates: {definitions: {t: {letter: {en: {body: \"{{ qqqqqqqqqqqq }}\"}}}}}\n",
      "p.yaml:11:52: templates.definitions.t.letter.en.body: unknown template field \"qqqqqqqqqqqq\" (the fields are listed in the policy reference)" },
    { "templates: {definitions: {t: {letter: {en: {body: \"{{ customer.name | money }}\"}}}}}\n",
      "p.yaml:11:52: templates.definitions.t.letter.en.body: customer.name is not an amount: \"| money\" formats amounts" },
    { "templates: {definitions: {t: {letter: {en: {body: \"{{ customer.name | date }}\"}}}}}\n",
      "p.yaml:11:52: templates.definitions.t.letter.en.body: customer.name is not a date: \"| date\" formats dates" },
    { "templates: {definitions: {t: {letter: {en: {body: \"{{ due_date | upper }}\"}}}}}\n",
      "p.yaml:11:52: templates.definitions.t.letter.en.body: unknown filter \"upper\" (money or date)" },
    { "templates: {definitions: {t: {letter: {en: {body: \"Pay $500\"}}}}}\n",
      "p.yaml:11:56: templates.definitions.t.letter.en.body: literal amount \"$500\" in the text: amounts come only from the ledger, e.g. {{ invoice.open_amount | money }}" },
    { "templates: {definitions: {t: {letter: {en: {body: \"Pay 500 €\"}}}}}\n",
      "p.yaml:11:56: templates.definitions.t.letter.en.body: literal amount \"500 €\" in the text: amounts come only from the ledger, e.g. {{ invoice.open_amount | money }}" },
    { "templates: {definitions: {t: {letter: {en: {body: \"Pay £ 5\"}}}}}\n",
      "p.yaml:11:56: templates.definitions.t.letter.en.body: literal amount \"£ 5\" in the text: amounts come only from the ledger, e.g. {{ invoice.open_amount | money }}" },
    { "templates: {definitions: {t: {letter: {en: {body: \"Pay ¥5\"}}}}}\n",
      "p.yaml:11:56: templates.definitions.t.letter.en.body: literal amount \"¥5\" in the text: amounts come only from the ledger, e.g. {{ invoice.open_amount | money }}" },
    { "templates: {definitions: {t: {letter: {en: {body: \"Pay 1,500.00 USD now\"}}}}}\n",
      "p.yaml:11:56: templates.definitions.t.letter.en.body: literal amount \"1,500.00 USD\" in the text: amounts come only from the ledger, e.g. {{ invoice.open_amount | money }}" },
    { "templates: {definitions: {t: {letter: {en: {body: \"Pay EUR 1 500\"}}}}}\n",
      "p.yaml:11:56: templates.definitions.t.letter.en.body: literal amount \"EUR 1 500\" in the text: amounts come only from the ledger, e.g. {{ invoice.open_amount | money }}" },
    { "templates: {definitions: {t: {letter: {en: {body: \"EURO 5, XEUR 5, EUR5, € only, EUR x\"}}}}}\n", NULL },
    { "templates: {sms_max_length: 10}\n",
      "p.yaml:11:29: templates.sms_max_length: must be between 70 and 1600, got 10" },
    { "calendars: {x: {holidays: [2026-01-02, 2026-01-01, 2026-01-02]}}\n", NULL },
    { "guardrails: {timezone: Etc/GMT+1}\n", NULL },
    { "guardrails: {quiet_hours: {start: \"08:00\", end: \"08:00\"}, send_window: {start: \"08:00\", end: \"24:00\", days: [mon]}}\n", NULL },
    { "fees: {packs: [{name: a, statutory: uk}]}\n", NULL },
    { "reconciliation: {owner_role: ar, sla_days: 3, short_pay_percent: 2}\n", NULL },
    { "disputes: {playbooks: {pricing: {owner_role: ar, sla_days: 3, evidence: [po], approval_limit: [100 EUR, 200 USD]}}}\n", NULL },
    { "promises: {on_broken: {action: send_message, channel: call}}\n", NULL },
    { "approvals: {rules: [{action: payment_plan, approvers_below: 0}]}\n", NULL },
};

static void each_section_names_its_mistakes_where_they_are(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof section_cases / sizeof *section_cases; i++) {
        const section_case *c = &section_cases[i];
        char text[1024];
        snprintf(text, sizeof text, "%s%s", MINIMAL, c->line);
        if (c->expected) {
            expect_problem(text, c->expected);
        } else {
            archase_policy *p = test_policy_load_ok(text);
            archase_policy_free(p);
        }
    }
}

/* ---- whole documents, one mistake each -------------------------------------------------- */

static const section_case document_cases[] = {
    { "version: 1\ncurrency: {default: EUR}\nsegments: 5\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n",
      "p.yaml:3:11: segments: expected a list (\"- item\" lines or [a, b]), got a single value" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: []\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n",
      "p.yaml:3:11: segments: at least one segment is needed (a catch-all without \"when\")" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [5]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n",
      "p.yaml:3:12: segments[0]: expected a mapping (key: value lines), got a single value" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: a, sequence: s}, {name: a, when: disputed, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n",
      "p.yaml:3:36: segments[1]: a second segment named \"a\"" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: a, when: \"true\", sequence: s}, {name: b, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n",
      "p.yaml:3:50: segments[1]: segment \"b\" is unreachable: \"a\" (line 3) before it matches every invoice" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: a, sequence: [s]}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n",
      "p.yaml:3:32: segments[0].sequence: no sequence named \"\" in sequences" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: a, sequence: sx}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n",
      "p.yaml:3:32: segments[0].sequence: no sequence named \"sx\" (did you mean \"s\"?)" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: a, sequence: qqqqqqq}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n",
      "p.yaml:3:32: segments[0].sequence: no sequence named \"qqqqqqq\" in sequences" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: a}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n",
      "p.yaml:3:12: segments[0]: \"sequence\" is required" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\n",
      "p.yaml:1:1: \"sequences\" is required" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: 5\n",
      "p.yaml:3:34: segments[0].sequence: no sequence named \"s\" in sequences" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: 5}\n",
      "p.yaml:4:16: sequences.s: expected a mapping (key: value lines), got a single value" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: 5}}\n",
      "p.yaml:4:24: sequences.s.steps: expected a list (\"- item\" lines or [a, b]), got a single value" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: []}}\n",
      "p.yaml:4:24: sequences.s.steps: a sequence needs at least one step" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [5]}}\n",
      "p.yaml:4:25: sequences.s.steps[0]: expected a mapping (key: value lines), got a single value" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {}}\n",
      "p.yaml:4:16: sequences.s: \"steps\" is required" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {}\n",
      "p.yaml:3:34: segments[0].sequence: no sequence named \"s\" in sequences" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{id: a, offset: 1, action: alert_owner}, {id: a, offset: 2, action: escalate}]}}\n",
      "p.yaml:4:66: sequences.s.steps[1]: a second step with id \"a\"" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: send_message, channel: internal}]}}\n",
      "p.yaml:4:68: sequences.s.steps[0]: send_message needs a message channel (email, sms, letter or portal); calls are queue_call steps, internal tasks alert_owner" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: queue_call, channel: email, template: t}]}}\ntemplates:\n  definitions:\n    t:\n      email:\n        en:\n          subject: Hi\n          body: |\n            Dear {{ customer.name }},\n            please pay soon today.\n",
      "p.yaml:4:66: sequences.s.steps[0]: queue_call steps use the call channel" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: escalate, channel: call}]}}\n",
      "p.yaml:4:64: sequences.s.steps[0]: escalate cannot be carried out by a call" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: late_fee}]}}\n",
      "p.yaml:4:25: sequences.s.steps[0]: a late_fee step needs \"fee_pack\": fees exist only as the policy's fee packs define them" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner, fee_pack: eu}]}}\nfees: {packs: [{name: eu, statutory: eu}]}\n",
      "p.yaml:4:68: sequences.s.steps[0].fee_pack: only late_fee and interest steps take a fee pack" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: late_fee, fee_pack: [eu]}]}}\nfees: {packs: [{name: eu, statutory: eu}]}\n",
      "p.yaml:4:65: sequences.s.steps[0].fee_pack: no fee pack named \"\" in fees.packs" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: late_fee, fee_pack: qqqqqq}]}}\nfees: {packs: [{name: eu, statutory: eu}]}\n",
      "p.yaml:4:65: sequences.s.steps[0].fee_pack: no fee pack named \"qqqqqq\" in fees.packs" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: interest, fee_pack: c}]}}\nfees: {packs: [{name: c, compensation: [{amount: 40 EUR}]}]}\n",
      "p.yaml:4:65: sequences.s.steps[0].fee_pack: fee pack \"c\" charges no interest" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: late_fee, fee_pack: i}]}}\nfees: {packs: [{name: i, interest: {reference_rate_bp: 300}}]}\n",
      "p.yaml:4:65: sequences.s.steps[0].fee_pack: fee pack \"i\" has no fixed compensation" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, channel: sms, template: t}]}}\ntemplates:\n  definitions:\n    t:\n      email:\n        en:\n          subject: Hi\n          body: |\n            Dear {{ customer.name }},\n            please pay soon today.\n",
      "p.yaml:4:61: sequences.s.steps[0].template: template \"t\" has no sms text (it is written for email)" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\ntemplates:\n  definitions:\n    t:\n      email:\n        en:\n          subject: Hi\n          body: |\n            Dear {{ customer.name }},\n            please pay $500 today.\n",
      "p.yaml:13:24: templates.definitions.t.email.en.body: literal amount \"$500\" in the text: amounts come only from the ledger, e.g. {{ invoice.open_amount | money }}" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\ntemplates:\n  definitions:\n    t:\n      email:\n        en:\n          subject: Hi\n          body: |\n            Dear {{ customer.name }},\n            please pay {{ nope }} today.\n",
      "p.yaml:13:24: templates.definitions.t.email.en.body: unknown template field \"nope\" (the fields are listed in the policy reference)" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\ntemplates:\n  definitions:\n    t:\n      letter:\n        en:\n          body: >\n            Dear {{ customer.name }},\n\n            pay {{ x }}\n",
      "p.yaml:12:5: templates.definitions.t.letter.en.body: unknown template field \"x\" (the fields are listed in the policy reference)" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\ntemplates:\n  definitions:\n    t:\n      letter:\n        en:\n          body: \"line one\\nline {{ y }}\"\n",
      "p.yaml:10:17: templates.definitions.t.letter.en.body: unknown template field \"y\" (the fields are listed in the policy reference)" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\ntemplates:\n  definitions:\n    t:\n      letter:\n        en: {body: b}\n        en-us: {body: c}\n        EN-US: {body: d}\n",
      "p.yaml:11:9: templates.definitions.t.letter.EN-US: a second letter text for locale en-us" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\ncalendars: {default: {weekend: [sun]}}\n", NULL },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\nrisk_score: {drivers: [{name: a, field: disputed, points_per_unit: 5}, {name: b, field: step_index, points_per_unit: 1}]}\n", NULL },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\nescalation: {rules: [{name: a, when: disputed, notify: [cfo], template: t}]}\n",
      "p.yaml:5:73: escalation.rules[0].template: no template named \"t\" in templates.definitions" },
    { "\xef\xbb\xbf" "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n", NULL },
    { "%YAML 1.1\n---\nversion: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n",
      "p.yaml:1:1: %YAML and %TAG directives are not allowed" },
    { "%TAG !e! tag:e,2000:\n---\nversion: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n",
      "p.yaml:1:1: %YAML and %TAG directives are not allowed" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\npromises: {grace_days: 2, max_open_per_invoice: 1, grace_days: 3, max_open_per_invoice: 2}\n",
      "p.yaml:5:52: promises: duplicate key \"grace_days\" (first written at line 5)" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\nrelationship: {aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: 1}\n",
      "p.yaml:5:16: relationship: unknown key \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\npromises: {on_broken: {bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb: 1}}\n",
      "p.yaml:5:24: promises.on_broken: unknown key \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\npromises: {grace_days: !!int 3}\n",
      "p.yaml:5:24: promises.grace_days: tags are not allowed (tag:yaml.org,2002:int): the schema gives every value its type" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\npromises: {grace_days: ~}\n",
      "p.yaml:5:24: promises.grace_days: expected a whole number, got nothing" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\npromises: {grace_days: Null}\n",
      "p.yaml:5:24: promises.grace_days: expected a whole number, got nothing" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\npromises: {grace_days: NULL}\n",
      "p.yaml:5:24: promises.grace_days: expected a whole number, got nothing" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\npromises: {grace_days: null}\n",
      "p.yaml:5:24: promises.grace_days: expected a whole number, got nothing" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\npromises: {grace_days: 12345678901234567890}\n",
      "p.yaml:5:24: promises.grace_days: expected a whole number, got \"12345678901234567890\"" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\npromises: {grace_days: -}\n",
      "p.yaml:5:24: promises.grace_days: expected a whole number, got \"-\"" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\npromises: {grace_days: \"3\"}\n",
      "p.yaml:5:24: promises.grace_days: expected a whole number, got the text \"3\" (write numbers without quotes)" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\npromises: {grace_days: [3]}\n",
      "p.yaml:5:24: promises.grace_days: expected a whole number, got a list" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\npromises: {pause_sequence: maybe}\n",
      "p.yaml:5:28: promises.pause_sequence: expected true or false, got \"maybe\"" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\npromises: {pause_sequence: [true]}\n",
      "p.yaml:5:28: promises.pause_sequence: expected true or false, got a list" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\ndisputes: {default_owner_role: \"bad role\"}\n",
      "p.yaml:5:32: disputes.default_owner_role: \"bad role\" is not a name: use letters, digits, _ and - (at most 64)" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\ndisputes: {default_owner_role: rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr}\n",
      "p.yaml:5:32: disputes.default_owner_role: \"rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr\" is not a name: use letters, digits, _ and - (at most 64)" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\ndisputes: {default_owner_role: [a]}\n",
      "p.yaml:5:32: disputes.default_owner_role: expected a name, got a list" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\ndisputes: {default_owner_role: \"\"}\n",
      "p.yaml:5:32: disputes.default_owner_role: \"\" is not a name: use letters, digits, _ and - (at most 64)" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\nguardrails: {catch_up: [x]}\n",
      "p.yaml:5:24: guardrails.catch_up: expected a name, got a list" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\nguardrails: {calendar: [x]}\n",
      "p.yaml:5:24: guardrails.calendar: expected a calendar name, got a list" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\nguardrails: {calendar: defualt}\n",
      "p.yaml:5:24: guardrails.calendar: no calendar named \"defualt\" (did you mean \"default\"?)" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\ncredit: {notice_template: [x]}\n",
      "p.yaml:5:27: credit.notice_template: expected a template name, got a list" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\ncredit: {notice_template: tt}\ntemplates:\n  definitions:\n    t:\n      email:\n        en:\n          subject: Hi\n          body: |\n            Dear {{ customer.name }},\n            please pay soon today.\n",
      "p.yaml:5:27: credit.notice_template: no template named \"tt\" (did you mean \"t\"?)" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\ncredit: {notice_template: t}\ntemplates: {definitions: {t: {internal: {en: {body: x}}}}}\n", NULL },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\napprovals: {materiality: [100 EUR, [5]]}\n",
      "p.yaml:5:36: approvals.materiality[1]: expected an amount with its currency, e.g. \"10000 EUR\", got a list" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\napprovals: {materiality: 100 EUR 5}\n",
      "p.yaml:5:26: approvals.materiality: \"100 EUR 5\" is not an amount: expected an amount, one space and a currency code (\"12.50 EUR\")" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\ncall_queue: {min_amount: 5}\n",
      "p.yaml:5:26: call_queue.min_amount: \"5\" needs its currency, e.g. \"5 EUR\"" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\ncall_queue: {min_amount: \"1234567890123456789012345678901234567890\"}\n",
      "p.yaml:5:26: call_queue.min_amount: \"1234567890123456789012345678901234567890\" is not an amount: expected an amount, one space and a currency code (\"12.50 EUR\")" },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\ncall_queue: {min_amount: [5 EUR]}\n", NULL },
    { "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\nname: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\nname: y\n",
      "p.yaml:6:1: duplicate key \"name\" (first written at line 5)" },
};

static void each_document_names_its_mistake_where_it_is(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof document_cases / sizeof *document_cases; i++) {
        const section_case *c = &document_cases[i];
        if (c->expected) {
            expect_problem(c->line, c->expected);
        } else {
            archase_policy *p = test_policy_load_ok(c->line);
            archase_policy_free(p);
        }
    }
}

static void text_that_is_not_utf8_is_refused_at_its_byte(void **state) {
    (void)state;
    static const struct {
        const char *bytes;
        const char *expected;
    } cases[] = {
        { "\xc0\xaf", "p.yaml:5:8: invalid UTF-8 (byte 0xc0); a policy is UTF-8 text" },         /* overlong */
        { "\xe0\x80\xaf", "p.yaml:5:8: invalid UTF-8 (byte 0xe0); a policy is UTF-8 text" },     /* overlong */
        { "\xed\xa0\x80", "p.yaml:5:8: invalid UTF-8 (byte 0xed); a policy is UTF-8 text" },     /* surrogate */
        { "\xf4\x90\x80\x80", "p.yaml:5:8: invalid UTF-8 (byte 0xf4); a policy is UTF-8 text" }, /* > U+10FFFF */
        { "\xe2\x82", "p.yaml:5:8: invalid UTF-8 (byte 0xe2); a policy is UTF-8 text" },         /* cut short */
        { "a\xf5", "p.yaml:5:9: invalid UTF-8 (byte 0xf5); a policy is UTF-8 text" },
        { "\xe2\x28\xa1", "p.yaml:5:8: invalid UTF-8 (byte 0xe2); a policy is UTF-8 text" },
        { "\xc3", "p.yaml:5:8: invalid UTF-8 (byte 0xc3); a policy is UTF-8 text" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[400];
        snprintf(text, sizeof text,
                 "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\n"
                 "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\nname: \"%s\"\n",
                 cases[i].bytes);
        expect_problem(text, cases[i].expected);
    }
    /* A four-byte character is text like any other. */
    archase_policy *p = test_policy_load_ok("version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\n"
                                "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n"
                                "name: \"\xf0\x9f\x98\x80 ok\"\n");
    assert_string_equal(archase_policy_name(p), "\xf0\x9f\x98\x80 ok");
    archase_policy_free(p);
}

static void locales_are_language_tags(void **state) {
    (void)state;
    static const char head[] = "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\n"
                               "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n";
    /* A language of two or three letters, then subtags of two to eight
     * letters or digits, joined by - or _. */
    static const char *const bad[] = { "e", "engl", "en-u", "en-abcdefghi", "1en", "en-", "en-\xc3\xa9" };
    static const char *const good[] = { "en-419", "en_GB", "zh-Hant-TW", "en-G1" };
    char text[600], want[300];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(text, sizeof text, "%stemplates: {default_locale: \"%s\"}\n", head, bad[i]);
        expect_problem(text, "p.yaml:5:29: templates.default_locale: expected a locale (en, de, en-US, ...)");
        snprintf(text, sizeof text, "%stemplates: {definitions: {t: {letter: {\"%s\": {body: x}}}}}\n", head, bad[i]);
        snprintf(want, sizeof want, "p.yaml:5:40: templates.definitions.t.letter.%s: \"%s\" is not a locale (en, de, en-US, ...)",
                 bad[i], bad[i]);
        expect_problem(text, want);
    }
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        snprintf(text, sizeof text, "%stemplates: {default_locale: \"%s\", definitions: {t: {letter: {\"%s\": {body: x}}}}}\n",
                 head, good[i], good[i]);
        archase_policy *p = test_policy_load_ok(text);
        assert_string_equal(archase_policy_default_locale(p), good[i]);
        archase_policy_free(p);
    }
    /* Case and the separator do not make another locale. */
    snprintf(text, sizeof text, "%stemplates: {definitions: {t: {letter: {en_GB: {body: x}, en-gb: {body: y}}}}}\n", head);
    expect_problem(text, "p.yaml:5:58: templates.definitions.t.letter.en-gb: a second letter text for locale en_GB");
}

/* ---- the head of the document and the loader's arguments --------------------------------- */

#define AFTER_CURRENCY                \
    "segments:\n"                     \
    "  - name: all\n"                 \
    "    sequence: s\n"               \
    "sequences:\n"                    \
    "  s:\n"                          \
    "    steps:\n"                    \
    "      - offset: 1\n"             \
    "        action: alert_owner\n"

static void version_and_currency_are_checked(void **state) {
    (void)state;
    expect_problem("version: x\ncurrency: {default: EUR}\n" AFTER_CURRENCY,
                   "p.yaml:1:10: version: expected the schema version 1");
    expect_problem("version: \"1\"\ncurrency: {default: EUR}\n" AFTER_CURRENCY,
                   "p.yaml:1:10: version: expected the schema version 1");
    expect_problem("version: 1\ncurrency: 5\n" AFTER_CURRENCY,
                   "p.yaml:2:11: currency: expected a mapping (key: value lines), got a single value");
    expect_problem("version: 1\ncurrency: {default: EURO}\n" AFTER_CURRENCY,
                   "p.yaml:2:21: currency.default: expected an ISO 4217 currency code with minor units (EUR, USD, ...)");
    expect_problem("version: 1\ncurrency: {default: [EUR]}\n" AFTER_CURRENCY,
                   "p.yaml:2:21: currency.default: expected an ISO 4217 currency code with minor units (EUR, USD, ...)");
    expect_problem("version: 1\ncurrency: {accepted: [EUR]}\n" AFTER_CURRENCY,
                   "p.yaml:2:11: currency: \"default\" is required");
    expect_problem("version: 1\ncurrency: {default: EUR, accepted: 5}\n" AFTER_CURRENCY,
                   "p.yaml:2:36: currency.accepted: expected a list (\"- item\" lines or [a, b]), got a single value");
    expect_problem("version: 1\ncurrency: {default: EUR, accepted: [EURO, [x]]}\n" AFTER_CURRENCY,
                   "p.yaml:2:36: currency.accepted: the default currency EUR is not accepted");
    expect_problem("version: 1\ncurrency: {default: EUR, accepted: [EUR, EUR]}\n" AFTER_CURRENCY,
                   "p.yaml:2:42: currency.accepted[1]: EUR is listed twice");
    expect_problem("version: 1\ncurrency: {default: EUR, accepted: [USD]}\n" AFTER_CURRENCY,
                   "p.yaml:2:36: currency.accepted: the default currency EUR is not accepted");
    archase_policy *p = test_policy_load_ok("version: 1\ncurrency: {default: EUR, accepted: [USD, EUR, GBP]}\n" AFTER_CURRENCY);
    assert_string_equal(archase_policy_default_currency(p), "EUR");
    archase_policy_free(p);
}

static void the_vocabulary_knows_its_bounds(void **state) {
    (void)state;
    assert_null(archase_action_name(0));
    assert_null(archase_action_name(ARCHASE_ACTION_MAX + 1));
    assert_string_equal(archase_action_name(ARCHASE_ACTION_ALERT_OWNER), "alert_owner");
    assert_null(archase_tone_name(ARCHASE_TONE_FRIENDLY - 1));
    assert_null(archase_tone_name(ARCHASE_TONE_FORMAL + 1));
    assert_string_equal(archase_tone_name(ARCHASE_TONE_FRIENDLY), "friendly");
    assert_int_equal(archase_action_is_sensitive(ARCHASE_ACTION_ALERT_OWNER), 0);
    assert_int_equal(archase_action_is_sensitive(ARCHASE_ACTION_LEGAL_NOTICE), 1);
    assert_int_equal(archase_action_is_sensitive(ARCHASE_ACTION_MAX + 1), 0);
}

static void loader_arguments_are_checked(void **state) {
    (void)state;
    archase_policy_options opts;
    assert_int_equal(archase_policy_options_init(NULL, ARCHASE_POLICY_OPTIONS_VERSION), ARCHASE_EINVAL);
    assert_int_equal(archase_policy_options_init(&opts, ARCHASE_POLICY_OPTIONS_VERSION + 1), ARCHASE_EVERSION);
    assert_int_equal(archase_policy_options_init(&opts, ARCHASE_POLICY_OPTIONS_VERSION), 0);
    archase_policy *p = (archase_policy *)0x1;
    assert_int_equal(archase_policy_load_buffer(NULL, 3, "p.yaml", NULL, &p, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_policy_load_buffer(MINIMAL, strlen(MINIMAL), "p.yaml", NULL, NULL, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_policy_load_file(NULL, NULL, &p, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_policy_load_file("p.yaml", NULL, NULL, NULL), ARCHASE_EINVAL);
    archase_policy_options bad = opts;
    bad.version = ARCHASE_POLICY_OPTIONS_VERSION + 1;
    assert_int_equal(archase_policy_load_buffer(MINIMAL, strlen(MINIMAL), "p.yaml", &bad, &p, NULL), ARCHASE_EVERSION);
    assert_int_equal(archase_policy_load_file("p.yaml", &bad, &p, NULL), ARCHASE_EVERSION);
    assert_ptr_equal(p, (archase_policy *)0x1);
    uint8_t hash[32];
    assert_int_equal(archase_policy_hash(NULL, hash), ARCHASE_EINVAL);

    /* No data at all is an empty policy; no source name reads "<buffer>". */
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    assert_int_equal(archase_policy_load_buffer(NULL, 0, NULL, NULL, &p, diags), ARCHASE_EPOLICY);
    char line[600];
    archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
    assert_string_equal(line, "<buffer>:1:1: the policy is empty: it needs version, currency, segments and sequences");
    archase_diag_list_free(diags);

    /* Over the size limit, in a buffer and in a file. */
    opts.max_size = 64;
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    assert_int_equal(archase_policy_load_buffer(MINIMAL, strlen(MINIMAL), "p.yaml", &opts, &p, diags), ARCHASE_EPOLICY);
    archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
    char want[200];
    snprintf(want, sizeof want, "p.yaml: the policy is %zu bytes; the limit is 64 bytes", strlen(MINIMAL));
    assert_string_equal(line, want);
    archase_diag_list_free(diags);

    char path[] = "/tmp/archase-cov-policy-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(MINIMAL, f);
    fclose(f);
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    assert_int_equal(archase_policy_load_file(path, &opts, &p, diags), ARCHASE_EPOLICY);
    archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
    snprintf(want, sizeof want, "%s: the policy is larger than the limit of 64 bytes", path);
    assert_string_equal(line, want);
    archase_diag_list_free(diags);
    assert_ptr_equal(p, (archase_policy *)0x1);
    opts.max_size = 0;
    assert_int_equal(archase_policy_load_file(path, &opts, &p, NULL), 0);
    assert_int_equal(archase_policy_version(p), 1);
    archase_policy_free(p);
    remove(path);

    /* A folder opens but cannot be read. */
    p = (archase_policy *)0x1;
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    assert_int_equal(archase_policy_load_file("/tmp", NULL, &p, diags), ARCHASE_EIO);
    archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
    assert_string_equal(line, "/tmp: cannot read: Is a directory");
    archase_diag_list_free(diags);
    assert_ptr_equal(p, (archase_policy *)0x1);
}

static void a_list_of_three_hundred_names_is_written_back_whole(void **state) {
    (void)state;
    /* 300 distinct names grow the policy's table of names several times. */
    char cond[3000];
    size_t n = (size_t)snprintf(cond, sizeof cond, "tier in [");
    for (int i = 0; i < 300; i++)
        n += (size_t)snprintf(cond + n, sizeof cond - n, i ? ", t%d" : "t%d", i);
    snprintf(cond + n, sizeof cond - n, "]");
    expect_canonical(cond, cond);
    /* A name listed twice is still one name. */
    expect_canonical("tier in [gold, gold] or tier == gold", "tier in [gold, gold] or tier == gold");
}

/* ---- introspection ------------------------------------------------------------- */

#define SMALL_POLICY                                                                   \
    "version: 1\n"                                                                     \
    "name: Small\n"                                                                    \
    "currency: {default: EUR}\n"                                                       \
    "segments: [{name: all, sequence: s}]\n"                                           \
    "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n"

static void introspection_refuses_bad_arguments_and_indexes(void **state) {
    (void)state;
    /* A NULL policy reads as an empty one. */
    assert_int_equal(archase_policy_version(NULL), 0);
    assert_null(archase_policy_name(NULL));
    assert_null(archase_policy_default_currency(NULL));
    assert_null(archase_policy_default_locale(NULL));
    assert_int_equal(archase_policy_segment_count(NULL), 0);
    assert_int_equal(archase_policy_sequence_count(NULL), 0);
    assert_int_equal(archase_policy_approval_count(NULL), 0);
    assert_int_equal(archase_policy_materiality_count(NULL), 0);
    assert_int_equal(archase_policy_sensitive_action_count(NULL), 0);
    assert_int_equal(archase_policy_template_count(NULL), 0);
    assert_int_equal(archase_policy_calendar_count(NULL), 0);
    assert_int_equal(archase_policy_setting_count(NULL), 0);
    assert_null(archase_policy_approval_role(NULL, 0, 0));

    archase_policy *p = test_policy_load_ok(SMALL_POLICY);
    assert_int_equal(archase_policy_version(p), 1);
    assert_string_equal(archase_policy_name(p), "Small");
    assert_string_equal(archase_policy_default_currency(p), "EUR");
    assert_string_equal(archase_policy_default_locale(p), "en");

    archase_policy_segment_info seg;
    archase_policy_sequence_info seq;
    archase_policy_step_info step;
    archase_policy_approval_info appr;
    archase_policy_template_info tmpl;
    archase_policy_calendar_info cal;
    archase_money m;
    int action = -1;
    const char *path = NULL, *value = NULL;

    assert_int_equal(archase_policy_segment(NULL, 0, &seg), ARCHASE_EINVAL);
    assert_int_equal(archase_policy_segment(p, 0, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_policy_segment(p, 1, &seg), ARCHASE_ERANGE);
    assert_int_equal(archase_policy_segment(p, 0, &seg), 0);
    assert_string_equal(seg.name, "all");
    assert_null(seg.condition);
    assert_string_equal(seg.sequence, "s");

    assert_int_equal(archase_policy_sequence(NULL, 0, &seq), ARCHASE_EINVAL);
    assert_int_equal(archase_policy_sequence(p, 0, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_policy_sequence(p, 1, &seq), ARCHASE_ERANGE);
    assert_int_equal(archase_policy_sequence(p, 0, &seq), 0);
    assert_string_equal(seq.name, "s");
    assert_string_equal(seq.calendar, "default"); /* the built-in one */
    assert_int_equal(seq.step_count, 1);

    assert_int_equal(archase_policy_step(NULL, 0, 0, &step), ARCHASE_EINVAL);
    assert_int_equal(archase_policy_step(p, 0, 0, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_policy_step(p, 1, 0, &step), ARCHASE_ERANGE);
    assert_int_equal(archase_policy_step(p, 0, 1, &step), ARCHASE_ERANGE);
    assert_int_equal(archase_policy_step(p, 0, 0, &step), 0);
    assert_int_equal(step.offset, 1);
    assert_int_equal(step.action, ARCHASE_ACTION_ALERT_OWNER);
    assert_null(step.template_name);
    assert_null(step.condition);

    size_t rules = archase_policy_approval_count(p);
    assert_true(rules >= 1); /* the sensitive actions always need approval */
    assert_int_equal(archase_policy_approval(NULL, 0, &appr), ARCHASE_EINVAL);
    assert_int_equal(archase_policy_approval(p, 0, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_policy_approval(p, rules, &appr), ARCHASE_ERANGE);
    assert_int_equal(archase_policy_approval(p, 0, &appr), 0);
    assert_null(archase_policy_approval_role(p, rules, 0));
    assert_null(archase_policy_approval_role(p, 0, appr.role_count));

    assert_int_equal(archase_policy_sensitive_action_count(p), rules);
    assert_int_equal(archase_policy_sensitive_action(NULL, 0, &action), ARCHASE_EINVAL);
    assert_int_equal(archase_policy_sensitive_action(p, 0, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_policy_sensitive_action(p, rules, &action), ARCHASE_ERANGE);
    assert_int_equal(action, -1);
    assert_int_equal(archase_policy_sensitive_action(p, 0, &action), 0);
    assert_int_equal(action, appr.action);
    assert_int_equal(archase_action_is_sensitive(action), 1);

    size_t materiality = archase_policy_materiality_count(p);
    assert_int_equal(archase_policy_materiality(NULL, 0, &m), ARCHASE_EINVAL);
    assert_int_equal(archase_policy_materiality(p, 0, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_policy_materiality(p, materiality, &m), ARCHASE_ERANGE);

    assert_int_equal(archase_policy_template_count(p), 0);
    assert_int_equal(archase_policy_template(NULL, 0, &tmpl), ARCHASE_EINVAL);
    assert_int_equal(archase_policy_template(p, 0, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_policy_template(p, 0, &tmpl), ARCHASE_ERANGE);

    assert_int_equal(archase_policy_calendar_count(p), 1);
    assert_int_equal(archase_policy_calendar(NULL, 0, &cal), ARCHASE_EINVAL);
    assert_int_equal(archase_policy_calendar(p, 0, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_policy_calendar(p, 1, &cal), ARCHASE_ERANGE);
    assert_int_equal(archase_policy_calendar(p, 0, &cal), 0);
    assert_string_equal(cal.name, "default");
    assert_int_equal(cal.holiday_count, 0);

    size_t settings = archase_policy_setting_count(p);
    assert_true(settings > 0);
    assert_int_equal(archase_policy_setting(NULL, 0, &path, &value), ARCHASE_EINVAL);
    assert_int_equal(archase_policy_setting(p, 0, NULL, &value), ARCHASE_EINVAL);
    assert_int_equal(archase_policy_setting(p, 0, &path, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_policy_setting(p, settings, &path, &value), ARCHASE_ERANGE);
    assert_null(path);
    assert_null(value);
    assert_int_equal(archase_policy_setting(p, 0, &path, &value), 0);
    assert_non_null(path);
    assert_non_null(value);
    archase_policy_free(p);
}

static void introspection_shows_calendars_templates_and_step_details(void **state) {
    (void)state;
    archase_policy *p = test_policy_load_ok(
        "version: 1\n"
        "currency: {default: EUR}\n"
        "calendars:\n"
        "  de: {weekend: [sat, sun], holidays: [2026-01-01, 2026-12-25]}\n"
        "segments: [{name: all, sequence: s}]\n"
        "sequences:\n"
        "  s:\n"
        "    calendar: de\n"
        "    steps:\n"
        "      - {offset: 1, channel: email, template: t, when: 'not disputed'}\n"
        "templates:\n"
        "  definitions:\n"
        "    t:\n"
        "      tone: friendly\n"
        "      email: {en: {subject: Hi, body: Hello}, de: {subject: Hallo, body: Hallo}}\n"
        "      sms: {en: {body: Hello}}\n");
    archase_policy_calendar_info cal;
    assert_int_equal(archase_policy_calendar_count(p), 2); /* de and the built-in default */
    assert_int_equal(archase_policy_calendar(p, 0, &cal), 0);
    assert_string_equal(cal.name, "de");
    assert_int_equal(cal.holiday_count, 2);
    assert_int_not_equal(cal.weekend_mask, 0);
    archase_policy_sequence_info seq;
    assert_int_equal(archase_policy_sequence(p, 0, &seq), 0);
    assert_string_equal(seq.calendar, "de");
    archase_policy_step_info step;
    assert_int_equal(archase_policy_step(p, 0, 0, &step), 0);
    assert_string_equal(step.template_name, "t");
    assert_string_equal(step.condition, "not disputed");
    archase_policy_template_info tmpl;
    assert_int_equal(archase_policy_template_count(p), 1);
    assert_int_equal(archase_policy_template(p, 0, &tmpl), 0);
    assert_string_equal(tmpl.name, "t");
    assert_int_equal(tmpl.tone, ARCHASE_TONE_FRIENDLY);
    assert_int_equal(tmpl.variant_count, 3);
    assert_int_equal(tmpl.channel_mask, (1u << ARCHASE_CHANNEL_EMAIL) | (1u << ARCHASE_CHANNEL_SMS));
    archase_policy_free(p);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(conditions_with_characters_outside_the_language_are_rejected),
    cmocka_unit_test(a_condition_longer_than_the_limit_is_rejected),
    cmocka_unit_test(names_are_checked_against_what_the_field_can_be),
    cmocka_unit_test(values_of_the_wrong_type_name_what_was_expected),
    cmocka_unit_test(numbers_amounts_and_dates_must_be_representable),
    cmocka_unit_test(a_test_must_start_with_a_known_field),
    cmocka_unit_test(operators_must_suit_the_field),
    cmocka_unit_test(lists_hold_one_to_1024_values),
    cmocka_unit_test(parentheses_and_nesting_are_checked),
    cmocka_unit_test(conditions_are_written_back_canonically),
    cmocka_unit_test(whitespace_escapes_and_control_characters_in_conditions),
    cmocka_unit_test(words_that_almost_look_like_numbers_dates_and_codes),
    cmocka_unit_test(long_tokens_are_cut_in_messages),
    cmocka_unit_test(the_list_of_segments_in_a_message_is_cut_to_its_room),
    cmocka_unit_test(a_list_of_three_hundred_names_is_written_back_whole),
    cmocka_unit_test(each_section_names_its_mistakes_where_they_are),
    cmocka_unit_test(each_document_names_its_mistake_where_it_is),
    cmocka_unit_test(text_that_is_not_utf8_is_refused_at_its_byte),
    cmocka_unit_test(locales_are_language_tags),
    cmocka_unit_test(version_and_currency_are_checked),
    cmocka_unit_test(the_vocabulary_knows_its_bounds),
    cmocka_unit_test(loader_arguments_are_checked),
    cmocka_unit_test(introspection_refuses_bad_arguments_and_indexes),
    cmocka_unit_test(introspection_shows_calendars_templates_and_step_details),
};

AR_TEST_MAIN(tests)
