/* tests/test_money.c — money through the public API: strict parsing and
 * formatting, exact arithmetic, splits, half-even rates, the currency table,
 * and properties over many random cases. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/testutil.h"

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

#define PROPERTY_CASES 100000

static archase_money money(int64_t minor, const char *currency) {
    archase_money m;
    memset(&m, 0, sizeof m);
    m.minor = minor;
    snprintf(m.currency, sizeof m.currency, "%s", currency);
    return m;
}

/* Parses `text`, expecting success with `minor` units of `currency`. */
static void assert_parses(const char *text, int64_t minor, const char *currency) {
    archase_money m;
    int rc = archase_money_parse(text, &m);
    if (rc != 0)
        fail_msg("\"%s\": %s", text, archase_error_name(rc));
    assert_true(m.minor == minor);
    assert_string_equal(m.currency, currency);
}

/* Parses `text`, expecting error `rc` and the output left alone. */
static void assert_rejects(const char *text, int rc) {
    archase_money m = money(4242, "GBP");
    int got = archase_money_parse(text, &m);
    if (got != rc)
        fail_msg("\"%s\": %s, expected %s", text, archase_error_name(got),
                 archase_error_name(rc));
    assert_true(m.minor == 4242);
    assert_string_equal(m.currency, "GBP");
}

static void assert_formats(int64_t minor, const char *currency, const char *expected) {
    archase_money m = money(minor, currency);
    char buf[ARCHASE_MONEY_FORMAT_MAX];
    assert_int_equal(archase_money_format(&m, buf, sizeof buf), 0);
    assert_string_equal(buf, expected);
}

/* ---- parse and format --------------------------------------------------- */

static void parses_amounts_with_the_currency_s_decimals(void **state) {
    (void)state;
    assert_parses("1234.56 EUR", 123456, "EUR");
    assert_parses("1234.5 EUR", 123450, "EUR");
    assert_parses("1234 EUR", 123400, "EUR");
    assert_parses("-12.34 EUR", -1234, "EUR");
    assert_parses("0.01 EUR", 1, "EUR");
    assert_parses("007.10 EUR", 710, "EUR");
    assert_parses("100 JPY", 100, "JPY");
    assert_parses("-7 JPY", -7, "JPY");
    assert_parses("-0.5 KWD", -500, "KWD");
    assert_parses("12.345 KWD", 12345, "KWD");
    assert_parses("0.001 KWD", 1, "KWD");
    assert_parses("1.2345 CLF", 12345, "CLF");
    assert_parses("1.2 CLF", 12000, "CLF");
    assert_parses("3 CLF", 30000, "CLF");
}

static void negative_zero_parses_to_zero_and_formats_without_sign(void **state) {
    (void)state;
    assert_parses("-0.00 EUR", 0, "EUR");
    assert_parses("-0 JPY", 0, "JPY");
    assert_parses("-0.000 KWD", 0, "KWD");
    assert_formats(0, "EUR", "0.00 EUR");
    assert_formats(0, "JPY", "0 JPY");
    assert_formats(0, "CLF", "0.0000 CLF");
}

static void formats_every_minor_digit(void **state) {
    (void)state;
    assert_formats(1000, "EUR", "10.00 EUR");
    assert_formats(123456, "EUR", "1234.56 EUR");
    assert_formats(-1, "EUR", "-0.01 EUR");
    assert_formats(-500, "KWD", "-0.500 KWD");
    assert_formats(100, "JPY", "100 JPY");
    assert_formats(-100, "JPY", "-100 JPY");
    assert_formats(12345, "CLF", "1.2345 CLF");
    assert_formats(1, "CLF", "0.0001 CLF");
    archase_money m = money(123456, "EUR");
    char buf[ARCHASE_MONEY_FORMAT_MAX];
    assert_int_equal(archase_money_format_amount(&m, buf, sizeof buf), 0);
    assert_string_equal(buf, "1234.56");
    m = money(-5, "KWD");
    assert_int_equal(archase_money_format_amount(&m, buf, sizeof buf), 0);
    assert_string_equal(buf, "-0.005");
}

static void int64_extremes_format_and_parse_back(void **state) {
    (void)state;
    assert_formats(INT64_MIN, "EUR", "-92233720368547758.08 EUR");
    assert_formats(INT64_MAX, "EUR", "92233720368547758.07 EUR");
    assert_formats(INT64_MIN, "JPY", "-9223372036854775808 JPY");
    assert_formats(INT64_MAX, "JPY", "9223372036854775807 JPY");
    assert_formats(INT64_MIN, "CLF", "-922337203685477.5808 CLF");
    assert_formats(INT64_MIN, "KWD", "-9223372036854775.808 KWD");
    assert_parses("-92233720368547758.08 EUR", INT64_MIN, "EUR");
    assert_parses("92233720368547758.07 EUR", INT64_MAX, "EUR");
    assert_parses("-9223372036854775808 JPY", INT64_MIN, "JPY");
    assert_parses("9223372036854775807 JPY", INT64_MAX, "JPY");
    assert_parses("-922337203685477.5808 CLF", INT64_MIN, "CLF");
    assert_parses("000000000000000000000000000001 JPY", 1, "JPY");
    /* The longest text fits ARCHASE_MONEY_FORMAT_MAX. */
    archase_money m = money(INT64_MIN, "CLF");
    char buf[ARCHASE_MONEY_FORMAT_MAX];
    assert_int_equal(archase_money_format(&m, buf, sizeof buf), 0);
    assert_true(strlen(buf) < ARCHASE_MONEY_FORMAT_MAX);
}

static void values_outside_int64_are_an_overflow(void **state) {
    (void)state;
    assert_rejects("92233720368547758.08 EUR", ARCHASE_EOVERFLOW);
    assert_rejects("-92233720368547758.09 EUR", ARCHASE_EOVERFLOW);
    assert_rejects("9223372036854775808 JPY", ARCHASE_EOVERFLOW);
    assert_rejects("-9223372036854775809 JPY", ARCHASE_EOVERFLOW);
    assert_rejects("922337203685477.5808 CLF", ARCHASE_EOVERFLOW);
    assert_rejects("92233720368547759 EUR", ARCHASE_EOVERFLOW); /* fits only before scaling */
    assert_rejects("-92233720368547759 EUR", ARCHASE_EOVERFLOW);
    assert_rejects("184467440737095517 EUR", ARCHASE_EOVERFLOW); /* scaling passes 2^64 */
    assert_rejects("18446744073709551616 JPY", ARCHASE_EOVERFLOW); /* 2^64: must not wrap */
    assert_rejects("18446744073709551621 JPY", ARCHASE_EOVERFLOW); /* 2^64 + 5 is not 5 */
    assert_rejects("99999999999999999999999999999999 EUR", ARCHASE_EOVERFLOW);
}

static void rejects_text_that_is_not_exactly_amount_space_code(void **state) {
    (void)state;
    static const struct {
        const char *text;
        int         rc;
    } cases[] = {
        { "", ARCHASE_EPARSE },
        { "1.234 EUR", ARCHASE_EPARSE },      /* EUR has 2 decimals */
        { "1.5 JPY", ARCHASE_EPARSE },        /* JPY has none */
        { "1.0 JPY", ARCHASE_EPARSE },
        { "1.0000 KWD", ARCHASE_EPARSE },
        { "1.00000 CLF", ARCHASE_EPARSE },
        { "1.00 XYZ", ARCHASE_ECURRENCY },
        { "1.00 eur", ARCHASE_ECURRENCY },
        { "1.00 Eur", ARCHASE_ECURRENCY },
        { "1 XAU", ARCHASE_ECURRENCY },       /* gold has no minor unit */
        { "1 XXX", ARCHASE_ECURRENCY },
        { "1.00 E1R", ARCHASE_ECURRENCY },
        { "+1 EUR", ARCHASE_EPARSE },
        { "1,000.00 EUR", ARCHASE_EPARSE },
        { "1e3 EUR", ARCHASE_EPARSE },
        { " 1.00 EUR", ARCHASE_EPARSE },
        { "1.00  EUR", ARCHASE_EPARSE },
        { "1.00 EUR ", ARCHASE_EPARSE },
        { "1.00\tEUR", ARCHASE_EPARSE },
        { "1.00EUR", ARCHASE_EPARSE },
        { "1.00 EURO", ARCHASE_EPARSE },
        { "1.00 EU", ARCHASE_EPARSE },
        { "1. EUR", ARCHASE_EPARSE },
        { ".5 EUR", ARCHASE_EPARSE },
        { "- EUR", ARCHASE_EPARSE },
        { "-.5 EUR", ARCHASE_EPARSE },
        { "--1 EUR", ARCHASE_EPARSE },
        { "1-0 EUR", ARCHASE_EPARSE },
        { "1.2.3 EUR", ARCHASE_EPARSE },
        { "abc EUR", ARCHASE_EPARSE },
        { "0x10 JPY", ARCHASE_EPARSE },
        { "EUR 1.00", ARCHASE_EPARSE },
        { "EUR", ARCHASE_EPARSE },
        { " EUR", ARCHASE_EPARSE },
        { "1.00", ARCHASE_EPARSE },
        { "1 000 JPY", ARCHASE_EPARSE },
        { "١ EUR", ARCHASE_EPARSE },          /* a non-ASCII digit */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_rejects(cases[i].text, cases[i].rc);
    archase_money m;
    assert_int_equal(archase_money_parse(NULL, &m), ARCHASE_EINVAL);
    assert_int_equal(archase_money_parse("1.00 EUR", NULL), ARCHASE_EINVAL);
}

static void parse_amount_takes_the_code_separately(void **state) {
    (void)state;
    archase_money m = money(0, "GBP");
    assert_int_equal(archase_money_parse_amount("1234.56", "EUR", &m), 0);
    assert_true(m.minor == 123456);
    assert_string_equal(m.currency, "EUR");
    assert_int_equal(archase_money_parse_amount("-0.5", "KWD", &m), 0);
    assert_true(m.minor == -500);
    assert_string_equal(m.currency, "KWD");
    m = money(7, "GBP");
    assert_int_equal(archase_money_parse_amount("1.234", "EUR", &m), ARCHASE_EPARSE);
    assert_int_equal(archase_money_parse_amount("1 ", "EUR", &m), ARCHASE_EPARSE);
    assert_int_equal(archase_money_parse_amount("", "EUR", &m), ARCHASE_EPARSE);
    assert_int_equal(archase_money_parse_amount("1.00 EUR", "EUR", &m), ARCHASE_EPARSE);
    assert_int_equal(archase_money_parse_amount("1", "eur", &m), ARCHASE_ECURRENCY);
    assert_int_equal(archase_money_parse_amount("1", "EURO", &m), ARCHASE_ECURRENCY);
    assert_int_equal(archase_money_parse_amount("1", "EU", &m), ARCHASE_ECURRENCY);
    assert_int_equal(archase_money_parse_amount("1", "", &m), ARCHASE_ECURRENCY);
    assert_int_equal(archase_money_parse_amount("1", "XAU", &m), ARCHASE_ECURRENCY);
    assert_int_equal(archase_money_parse_amount("9223372036854775808", "JPY", &m),
                     ARCHASE_EOVERFLOW);
    assert_int_equal(archase_money_parse_amount(NULL, "EUR", &m), ARCHASE_EINVAL);
    assert_int_equal(archase_money_parse_amount("1", NULL, &m), ARCHASE_EINVAL);
    assert_int_equal(archase_money_parse_amount("1", "EUR", NULL), ARCHASE_EINVAL);
    assert_true(m.minor == 7);
    assert_string_equal(m.currency, "GBP");
}

static void format_reports_small_buffers_and_bad_currencies(void **state) {
    (void)state;
    archase_money m = money(123456, "EUR");
    char buf[ARCHASE_MONEY_FORMAT_MAX];
    memset(buf, 'x', sizeof buf);
    /* "1234.56 EUR" is 11 characters: 11 bytes are too few, 12 are enough. */
    assert_int_equal(archase_money_format(&m, buf, 11), ARCHASE_EBUFSIZE);
    assert_int_equal(buf[0], 'x');
    assert_int_equal(archase_money_format(&m, buf, 0), ARCHASE_EBUFSIZE);
    assert_int_equal(archase_money_format(&m, buf, 12), 0);
    assert_string_equal(buf, "1234.56 EUR");
    assert_int_equal(archase_money_format_amount(&m, buf, 7), ARCHASE_EBUFSIZE);
    assert_int_equal(archase_money_format_amount(&m, buf, 8), 0);
    assert_string_equal(buf, "1234.56");

    archase_money unknown = money(1, "XYZ");
    archase_money gold = money(1, "XAU");
    archase_money lower = money(1, "eur");
    archase_money unterminated = money(1, "EUR");
    unterminated.currency[3] = 'X';
    assert_int_equal(archase_money_format(&unknown, buf, sizeof buf), ARCHASE_ECURRENCY);
    assert_int_equal(archase_money_format(&gold, buf, sizeof buf), ARCHASE_ECURRENCY);
    assert_int_equal(archase_money_format(&lower, buf, sizeof buf), ARCHASE_ECURRENCY);
    assert_int_equal(archase_money_format(&unterminated, buf, sizeof buf), ARCHASE_ECURRENCY);
    assert_int_equal(archase_money_format(NULL, buf, sizeof buf), ARCHASE_EINVAL);
    assert_int_equal(archase_money_format(&m, NULL, sizeof buf), ARCHASE_EINVAL);
}

/* ---- the currency table ------------------------------------------------- */

static void looks_up_codes_with_their_minor_units(void **state) {
    (void)state;
    static const struct {
        const char *code;
        int         numeric;
        int         minor_units;
        const char *name;
    } known[] = {
        { "EUR", 978, 2, "Euro" },
        { "JPY", 392, 0, "Yen" },
        { "KWD", 414, 3, "Kuwaiti Dinar" },
        { "CLF", 990, 4, "Unidad de Fomento" },
        { "XAU", 959, -1, "Gold" },
        { "ALL", 8, 2, "Lek" },
        { "XCG", 532, 2, "Caribbean Guilder" },
        { "VES", 928, 2, "Bolívar Soberano" },
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        archase_currency c;
        assert_int_equal(archase_currency_lookup(known[i].code, &c), 0);
        assert_string_equal(c.code, known[i].code);
        assert_int_equal(c.numeric, known[i].numeric);
        assert_int_equal(c.minor_units, known[i].minor_units);
        assert_string_equal(c.name, known[i].name);
    }
    archase_currency c;
    c.numeric = 4242;
    assert_int_equal(archase_currency_lookup("eur", &c), ARCHASE_ECURRENCY);
    assert_int_equal(archase_currency_lookup("EU", &c), ARCHASE_ECURRENCY);
    assert_int_equal(archase_currency_lookup("EURO", &c), ARCHASE_ECURRENCY);
    assert_int_equal(archase_currency_lookup("", &c), ARCHASE_ECURRENCY);
    assert_int_equal(archase_currency_lookup("ANG", &c), ARCHASE_ECURRENCY); /* withdrawn 2025 */
    assert_int_equal(c.numeric, 4242);
    assert_int_equal(archase_currency_lookup(NULL, &c), ARCHASE_EINVAL);
    assert_int_equal(archase_currency_lookup("EUR", NULL), ARCHASE_EINVAL);
}

static void the_table_is_in_code_order_and_every_entry_is_found(void **state) {
    (void)state;
    size_t n = archase_currency_count();
    assert_true(n > 150);
    char previous[4] = "";
    for (size_t i = 0; i < n; i++) {
        archase_currency c, found;
        assert_int_equal(archase_currency_at(i, &c), 0);
        assert_true(strcmp(previous, c.code) < 0);
        memcpy(previous, c.code, sizeof previous);
        assert_int_equal(archase_currency_lookup(c.code, &found), 0);
        assert_int_equal(found.numeric, c.numeric);
        assert_true(c.minor_units == -1 || (c.minor_units >= 0 && c.minor_units <= 4));
        assert_non_null(c.name);
    }
    archase_currency c;
    assert_int_equal(archase_currency_at(n, &c), ARCHASE_ERANGE);
    assert_int_equal(archase_currency_at(0, NULL), ARCHASE_EINVAL);
}

/* ---- add, sub, cmp ------------------------------------------------------ */

static void adds_and_subtracts_within_one_currency(void **state) {
    (void)state;
    archase_money a = money(150, "JPY"), b = money(250, "JPY"), out;
    assert_int_equal(archase_money_add(&a, &b, &out), 0);
    assert_true(out.minor == 400);
    assert_string_equal(out.currency, "JPY");
    assert_int_equal(archase_money_sub(&a, &b, &out), 0);
    assert_true(out.minor == -100);
    /* The output may be an input. */
    assert_int_equal(archase_money_add(&a, &a, &a), 0);
    assert_true(a.minor == 300);
    archase_money lo = money(INT64_MIN, "EUR"), hi = money(INT64_MAX, "EUR");
    assert_int_equal(archase_money_add(&lo, &hi, &out), 0);
    assert_true(out.minor == -1);
    assert_int_equal(archase_money_sub(&hi, &hi, &out), 0);
    assert_true(out.minor == 0);
}

static void overflow_is_an_error_never_a_wrap(void **state) {
    (void)state;
    archase_money lo = money(INT64_MIN, "EUR"), hi = money(INT64_MAX, "EUR");
    archase_money one = money(1, "EUR"), minus_one = money(-1, "EUR");
    archase_money out = money(99, "GBP");
    assert_int_equal(archase_money_add(&hi, &one, &out), ARCHASE_EOVERFLOW);
    assert_int_equal(archase_money_add(&lo, &minus_one, &out), ARCHASE_EOVERFLOW);
    assert_int_equal(archase_money_sub(&lo, &one, &out), ARCHASE_EOVERFLOW);
    assert_int_equal(archase_money_sub(&hi, &minus_one, &out), ARCHASE_EOVERFLOW);
    assert_int_equal(archase_money_sub(&one, &lo, &out), ARCHASE_EOVERFLOW);
    assert_int_equal(archase_money_add(&hi, &hi, &out), ARCHASE_EOVERFLOW);
    assert_true(out.minor == 99);
    assert_string_equal(out.currency, "GBP");
}

static void different_or_unknown_currencies_never_mix(void **state) {
    (void)state;
    archase_money eur = money(100, "EUR"), usd = money(100, "USD"), out = money(99, "GBP");
    archase_money unknown = money(100, "ZZZ"), gold = money(1, "XAU");
    int cmp = 42;
    assert_int_equal(archase_money_add(&eur, &usd, &out), ARCHASE_ECURRENCY);
    assert_int_equal(archase_money_sub(&eur, &usd, &out), ARCHASE_ECURRENCY);
    assert_int_equal(archase_money_cmp(&eur, &usd, &cmp), ARCHASE_ECURRENCY);
    assert_int_equal(archase_money_add(&unknown, &unknown, &out), ARCHASE_ECURRENCY);
    assert_int_equal(archase_money_add(&gold, &gold, &out), ARCHASE_ECURRENCY);
    assert_int_equal(archase_money_cmp(&unknown, &unknown, &cmp), ARCHASE_ECURRENCY);
    assert_true(out.minor == 99);
    assert_int_equal(cmp, 42);
    assert_int_equal(archase_money_add(NULL, &eur, &out), ARCHASE_EINVAL);
    assert_int_equal(archase_money_add(&eur, NULL, &out), ARCHASE_EINVAL);
    assert_int_equal(archase_money_add(&eur, &eur, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_money_cmp(&eur, &eur, NULL), ARCHASE_EINVAL);
}

static void compares_amounts(void **state) {
    (void)state;
    archase_money a = money(-5, "KWD"), b = money(3, "KWD");
    archase_money lo = money(INT64_MIN, "KWD"), hi = money(INT64_MAX, "KWD");
    int cmp = 42;
    assert_int_equal(archase_money_cmp(&a, &b, &cmp), 0);
    assert_int_equal(cmp, -1);
    assert_int_equal(archase_money_cmp(&b, &a, &cmp), 0);
    assert_int_equal(cmp, 1);
    assert_int_equal(archase_money_cmp(&a, &a, &cmp), 0);
    assert_int_equal(cmp, 0);
    assert_int_equal(archase_money_cmp(&lo, &hi, &cmp), 0);
    assert_int_equal(cmp, -1);
    assert_int_equal(archase_money_cmp(&hi, &lo, &cmp), 0);
    assert_int_equal(cmp, 1);
}

/* ---- split -------------------------------------------------------------- */

static void assert_parts(const archase_money *parts, const int64_t *expected, size_t n,
                         const char *currency) {
    for (size_t i = 0; i < n; i++) {
        if (parts[i].minor != expected[i])
            fail_msg("part %zu: %lld, expected %lld", i, (long long)parts[i].minor,
                     (long long)expected[i]);
        assert_string_equal(parts[i].currency, currency);
    }
}

static void splits_evenly_with_the_extra_units_first(void **state) {
    (void)state;
    archase_money parts[5];
    archase_money total = money(10000, "EUR");
    assert_int_equal(archase_money_split(&total, 3, parts), 0);
    assert_parts(parts, (const int64_t[]){ 3334, 3333, 3333 }, 3, "EUR");
    total = money(-100, "EUR");
    assert_int_equal(archase_money_split(&total, 3, parts), 0);
    assert_parts(parts, (const int64_t[]){ -34, -33, -33 }, 3, "EUR");
    total = money(2, "JPY");
    assert_int_equal(archase_money_split(&total, 5, parts), 0);
    assert_parts(parts, (const int64_t[]){ 1, 1, 0, 0, 0 }, 5, "JPY");
    total = money(0, "KWD");
    assert_int_equal(archase_money_split(&total, 4, parts), 0);
    assert_parts(parts, (const int64_t[]){ 0, 0, 0, 0 }, 4, "KWD");
    total = money(INT64_MIN, "EUR");
    assert_int_equal(archase_money_split(&total, 1, parts), 0);
    assert_parts(parts, (const int64_t[]){ INT64_MIN }, 1, "EUR");
    assert_int_equal(archase_money_split(&total, 2, parts), 0);
    assert_parts(parts, (const int64_t[]){ INT64_MIN / 2, INT64_MIN / 2 }, 2, "EUR");
    total = money(INT64_MAX, "EUR");
    assert_int_equal(archase_money_split(&total, 2, parts), 0);
    assert_parts(parts, (const int64_t[]){ INT64_MAX / 2 + 1, INT64_MAX / 2 }, 2, "EUR");
    /* The parts may start where the total is. */
    parts[0] = money(700, "EUR");
    assert_int_equal(archase_money_split(&parts[0], 3, parts), 0);
    assert_parts(parts, (const int64_t[]){ 234, 233, 233 }, 3, "EUR");
}

static void split_rejects_zero_parts_and_bad_currencies(void **state) {
    (void)state;
    archase_money parts[2] = { money(7, "GBP"), money(7, "GBP") };
    archase_money total = money(100, "EUR"), gold = money(100, "XAU");
    assert_int_equal(archase_money_split(&total, 0, parts), ARCHASE_EINVAL);
    assert_int_equal(archase_money_split(&gold, 2, parts), ARCHASE_ECURRENCY);
    assert_int_equal(archase_money_split(NULL, 2, parts), ARCHASE_EINVAL);
    assert_int_equal(archase_money_split(&total, 2, NULL), ARCHASE_EINVAL);
    assert_true(parts[0].minor == 7 && parts[1].minor == 7);
}

static void splits_by_weights_with_largest_remainders(void **state) {
    (void)state;
    archase_money parts[6];
    archase_money total = money(100, "EUR");
    /* Equal remainders: the lower index wins. */
    assert_int_equal(archase_money_split_weights(&total, (const int64_t[]){ 1, 1, 1 }, 3, parts), 0);
    assert_parts(parts, (const int64_t[]){ 34, 33, 33 }, 3, "EUR");
    /* 33.33 and 66.67: the larger remainder gets the unit. */
    assert_int_equal(archase_money_split_weights(&total, (const int64_t[]){ 1, 2 }, 2, parts), 0);
    assert_parts(parts, (const int64_t[]){ 33, 67 }, 2, "EUR");
    assert_int_equal(archase_money_split_weights(&total, (const int64_t[]){ 0, 5 }, 2, parts), 0);
    assert_parts(parts, (const int64_t[]){ 0, 100 }, 2, "EUR");
    /* Shares 1/6, 2/6, 2/6, 1/6 of one unit: the first of the two largest. */
    total = money(1, "JPY");
    assert_int_equal(
        archase_money_split_weights(&total, (const int64_t[]){ 1, 2, 2, 1 }, 4, parts), 0);
    assert_parts(parts, (const int64_t[]){ 0, 1, 0, 0 }, 4, "JPY");
    /* Two leftover units over three equal remainders. */
    total = money(2, "JPY");
    assert_int_equal(archase_money_split_weights(&total, (const int64_t[]){ 7, 7, 7 }, 3, parts), 0);
    assert_parts(parts, (const int64_t[]){ 1, 1, 0 }, 3, "JPY");
    /* Remainders .4, .6, .0, .0 of 17 split 2:3:5:0 out of 10. */
    total = money(17, "EUR");
    assert_int_equal(
        archase_money_split_weights(&total, (const int64_t[]){ 2, 3, 5, 0 }, 4, parts), 0);
    assert_parts(parts, (const int64_t[]){ 3, 5, 9, 0 }, 4, "EUR");
    /* Negative totals mirror positive ones. */
    total = money(-100, "EUR");
    assert_int_equal(archase_money_split_weights(&total, (const int64_t[]){ 1, 1, 1 }, 3, parts), 0);
    assert_parts(parts, (const int64_t[]){ -34, -33, -33 }, 3, "EUR");
    assert_int_equal(archase_money_split_weights(&total, (const int64_t[]){ 1, 2 }, 2, parts), 0);
    assert_parts(parts, (const int64_t[]){ -33, -67 }, 2, "EUR");
}

static void split_weights_is_exact_at_the_extremes(void **state) {
    (void)state;
    archase_money parts[3];
    /* Weights whose sum and products exceed 64 bits. */
    archase_money total = money(INT64_MAX, "EUR");
    assert_int_equal(archase_money_split_weights(
                         &total, (const int64_t[]){ INT64_MAX, INT64_MAX, 1 }, 3, parts), 0);
    /* Shares ...903.25, ...903.25 and 0.5: the unit left goes to the last. */
    assert_parts(parts, (const int64_t[]){ INT64_MAX / 2, INT64_MAX / 2, 1 }, 3, "EUR");
    total = money(INT64_MIN, "EUR");
    assert_int_equal(archase_money_split_weights(&total, (const int64_t[]){ 1 }, 1, parts), 0);
    assert_parts(parts, (const int64_t[]){ INT64_MIN }, 1, "EUR");
    assert_int_equal(
        archase_money_split_weights(&total, (const int64_t[]){ 1, 1, 1 }, 3, parts), 0);
    /* 2^63 = 3 * 3074457345618258602 + 2 */
    assert_parts(parts,
                 (const int64_t[]){ -3074457345618258603, -3074457345618258603,
                                    -3074457345618258602 },
                 3, "EUR");
    /* The parts may start where the total is. */
    parts[0] = money(10, "EUR");
    assert_int_equal(archase_money_split_weights(&parts[0], (const int64_t[]){ 1, 4 }, 2, parts), 0);
    assert_parts(parts, (const int64_t[]){ 2, 8 }, 2, "EUR");
}

static void split_weights_rejects_bad_weights(void **state) {
    (void)state;
    archase_money parts[2] = { money(7, "GBP"), money(7, "GBP") };
    archase_money total = money(100, "EUR"), unknown = money(100, "ABC");
    assert_int_equal(archase_money_split_weights(&total, (const int64_t[]){ 1, -1 }, 2, parts),
                     ARCHASE_EINVAL);
    assert_int_equal(archase_money_split_weights(&total, (const int64_t[]){ 0, 0 }, 2, parts),
                     ARCHASE_EINVAL);
    assert_int_equal(archase_money_split_weights(&total, (const int64_t[]){ 1 }, 0, parts),
                     ARCHASE_EINVAL);
    assert_int_equal(archase_money_split_weights(&unknown, (const int64_t[]){ 1, 1 }, 2, parts),
                     ARCHASE_ECURRENCY);
    assert_int_equal(archase_money_split_weights(&total, NULL, 2, parts), ARCHASE_EINVAL);
    assert_int_equal(archase_money_split_weights(&total, (const int64_t[]){ 1, 1 }, 2, NULL),
                     ARCHASE_EINVAL);
    assert_true(parts[0].minor == 7 && parts[1].minor == 7);
    assert_string_equal(parts[0].currency, "GBP");
}

/* ---- apply_rate --------------------------------------------------------- */

static int64_t rate(int64_t minor, int64_t numerator, int64_t denominator) {
    archase_money m = money(minor, "EUR"), out;
    int rc = archase_money_apply_rate(&m, numerator, denominator, &out);
    if (rc)
        fail_msg("%lld * %lld / %lld: %s", (long long)minor, (long long)numerator,
                 (long long)denominator, archase_error_name(rc));
    return out.minor;
}

static void apply_rate_rounds_half_to_even(void **state) {
    (void)state;
    assert_true(rate(25, 1, 2) == 12);   /* 12.5 */
    assert_true(rate(35, 1, 2) == 18);   /* 17.5 */
    assert_true(rate(1, 1, 2) == 0);     /* 0.5 */
    assert_true(rate(3, 1, 2) == 2);     /* 1.5 */
    assert_true(rate(-25, 1, 2) == -12);
    assert_true(rate(-35, 1, 2) == -18);
    assert_true(rate(25, -1, 2) == -12);
    assert_true(rate(-25, -1, 2) == 12);
    assert_true(rate(-1, 1, 2) == 0);    /* never -0 */
    assert_true(rate(1, 1, 3) == 0);     /* 0.33 */
    assert_true(rate(2, 1, 3) == 1);     /* 0.67 */
    assert_true(rate(-2, 1, 3) == -1);
    assert_true(rate(1251, 1, 100) == 13); /* 12.51: above half */
    assert_true(rate(1249, 1, 100) == 12);
    assert_true(rate(100, 0, 7) == 0);
    assert_true(rate(123, 1, 1) == 123);
    /* 100,000.00 EUR at 8.25% for 30 days of a 365-day year: 678.08 EUR. */
    assert_true(rate(10000000, 825 * 30, 10000 * 365) == 67808);
}

static void apply_rate_is_exact_past_64_bits_and_detects_overflow(void **state) {
    (void)state;
    assert_true(rate(INT64_MAX, INT64_MAX, INT64_MAX) == INT64_MAX);
    assert_true(rate(INT64_MIN, INT64_MAX, INT64_MAX) == INT64_MIN);
    assert_true(rate(INT64_MIN, 1, 1) == INT64_MIN);
    assert_true(rate(INT64_MIN, 1, 2) == INT64_MIN / 2);
    assert_true(rate(INT64_MAX, 1, 2) == INT64_MAX / 2 + 1); /* ...03.5 rounds to even ...04 */
    assert_true(rate(INT64_MAX, 3, 3) == INT64_MAX);
    archase_money m = money(INT64_MAX, "EUR"), out = money(5, "GBP");
    assert_int_equal(archase_money_apply_rate(&m, 2, 1, &out), ARCHASE_EOVERFLOW);
    m = money(INT64_MIN, "EUR");
    assert_int_equal(archase_money_apply_rate(&m, -1, 1, &out), ARCHASE_EOVERFLOW);
    assert_int_equal(archase_money_apply_rate(&m, INT64_MIN, INT64_MAX, &out), ARCHASE_EOVERFLOW);
    /* (2^64 - 1) / 2 is INT64_MAX + 0.5: rounding to even goes past INT64_MAX,
     * while its negative rounds to exactly INT64_MIN. */
    assert_true(rate(-6148914691236517205, 3, 2) == INT64_MIN);
    m = money(6148914691236517205, "EUR");
    assert_int_equal(archase_money_apply_rate(&m, 3, 2, &out), ARCHASE_EOVERFLOW);
    m = money(100, "EUR");
    assert_int_equal(archase_money_apply_rate(&m, 1, 0, &out), ARCHASE_EINVAL);
    assert_int_equal(archase_money_apply_rate(&m, 1, -2, &out), ARCHASE_EINVAL);
    archase_money gold = money(1, "XAU");
    assert_int_equal(archase_money_apply_rate(&gold, 1, 1, &out), ARCHASE_ECURRENCY);
    assert_int_equal(archase_money_apply_rate(NULL, 1, 1, &out), ARCHASE_EINVAL);
    assert_int_equal(archase_money_apply_rate(&m, 1, 1, NULL), ARCHASE_EINVAL);
    assert_true(out.minor == 5);
    assert_string_equal(out.currency, "GBP");
}

/* ---- properties over random cases --------------------------------------- */

/* A random currency that can be money. */
static archase_currency random_currency(test_rng *rng) {
    archase_currency c;
    do {
        assert_int_equal(archase_currency_at(test_rng_below(rng, archase_currency_count()), &c), 0);
    } while (c.minor_units < 0);
    return c;
}

/* A random int64, biased towards the interesting: extremes, small values,
 * values near a power of ten. */
static int64_t random_minor(test_rng *rng) {
    static const int64_t pow10[] = { 1, 10, 100, 1000, 10000, 100000, 1000000, 10000000 };
    uint64_t r = test_rng_next(rng);
    switch (test_rng_below(rng, 8)) {
    case 0:
        return INT64_MIN + (int64_t)(r % 4);
    case 1:
        return INT64_MAX - (int64_t)(r % 4);
    case 2:
        return (int64_t)(r % 2001) - 1000;
    case 3:
        return (int64_t)(r >> (r % 64)) * ((r & 1) ? -1 : 1);
    case 4:
        return pow10[r % 8] + (int64_t)(r >> 60) - 8;
    default:
        return (int64_t)r;
    }
}

static void parse_of_format_is_the_identity(void **state) {
    (void)state;
    test_rng rng;
    test_rng_seed(&rng, 4217);
    for (int i = 0; i < PROPERTY_CASES; i++) {
        archase_currency c = random_currency(&rng);
        archase_money m = money(random_minor(&rng), c.code), back, back_amount;
        char text[ARCHASE_MONEY_FORMAT_MAX], amount[ARCHASE_MONEY_FORMAT_MAX];
        assert_int_equal(archase_money_format(&m, text, sizeof text), 0);
        assert_int_equal(archase_money_parse(text, &back), 0);
        if (back.minor != m.minor || strcmp(back.currency, m.currency) != 0)
            fail_msg("%lld %s -> \"%s\" -> %lld %s", (long long)m.minor, m.currency, text,
                     (long long)back.minor, back.currency);
        assert_int_equal(archase_money_format_amount(&m, amount, sizeof amount), 0);
        assert_int_equal(archase_money_parse_amount(amount, c.code, &back_amount), 0);
        assert_true(back_amount.minor == m.minor);
    }
}

static void adding_then_subtracting_restores_the_amount(void **state) {
    (void)state;
    test_rng rng;
    test_rng_seed(&rng, 978);
    int added = 0;
    for (int i = 0; i < PROPERTY_CASES; i++) {
        archase_currency c = random_currency(&rng);
        archase_money a = money(random_minor(&rng), c.code);
        archase_money b = money(random_minor(&rng), c.code), sum, back;
        int64_t expected;
        int overflows = __builtin_add_overflow(a.minor, b.minor, &expected);
        int rc = archase_money_add(&a, &b, &sum);
        if (overflows) {
            assert_int_equal(rc, ARCHASE_EOVERFLOW);
            continue;
        }
        assert_int_equal(rc, 0);
        assert_true(sum.minor == expected);
        assert_int_equal(archase_money_sub(&sum, &b, &back), 0);
        assert_true(back.minor == a.minor);
        assert_string_equal(back.currency, a.currency);
        added++;
    }
    assert_true(added > PROPERTY_CASES / 2); /* most cases do not overflow */
}

static void split_sums_exactly_and_each_part_is_within_one_unit(void **state) {
    (void)state;
    test_rng rng;
    test_rng_seed(&rng, 392);
    archase_money parts[16];
    for (int i = 0; i < PROPERTY_CASES; i++) {
        archase_money total = money(random_minor(&rng), random_currency(&rng).code);
        uint32_t n = (uint32_t)(1 + test_rng_below(&rng, 16));
        assert_int_equal(archase_money_split(&total, n, parts), 0);
        i128 sum = 0;
        for (uint32_t k = 0; k < n; k++) {
            /* |part - total / n| < 1, i.e. |part * n - total| < n */
            i128 gap = (i128)parts[k].minor * n - total.minor;
            assert_true(gap > -(i128)n && gap < (i128)n);
            if (k > 0) /* the extra units come first */
                assert_true(parts[k - 1].minor == parts[k].minor ||
                            parts[k - 1].minor == parts[k].minor + (total.minor < 0 ? -1 : 1));
            assert_string_equal(parts[k].currency, total.currency);
            sum += parts[k].minor;
        }
        assert_true(sum == total.minor);
    }
}

static int64_t random_weight(test_rng *rng, int scale) {
    uint64_t r = test_rng_next(rng);
    switch (scale) {
    case 0:
        return (int64_t)(r % 4); /* small, with zeros and many ties */
    case 1:
        return (int64_t)(r % 1000000);
    default:
        return (int64_t)(r >> 1); /* up to INT64_MAX */
    }
}

static void split_weights_sums_exactly_by_largest_remainder(void **state) {
    (void)state;
    test_rng rng;
    test_rng_seed(&rng, 414);
    archase_money parts[8];
    int64_t weights[8];
    for (int i = 0; i < PROPERTY_CASES; i++) {
        archase_money total = money(random_minor(&rng), random_currency(&rng).code);
        uint32_t n = (uint32_t)(1 + test_rng_below(&rng, 8));
        int scale = (int)test_rng_below(&rng, 3);
        u128 weight_sum = 0;
        for (uint32_t k = 0; k < n; k++) {
            weights[k] = random_weight(&rng, scale);
            weight_sum += (uint64_t)weights[k];
        }
        if (weight_sum == 0) {
            weights[0] = 1;
            weight_sum = 1;
        }
        assert_int_equal(archase_money_split_weights(&total, weights, n, parts), 0);
        /* Each part is the floor of its exact share or one more (on the
         * magnitude); the units above the floor went to the largest
         * remainders, ties to the lower index. */
        u128 magnitude = total.minor < 0 ? (u128)(-(i128)total.minor) : (u128)total.minor;
        u128 remainders[8];
        int extra[8];
        i128 sum = 0;
        for (uint32_t k = 0; k < n; k++) {
            u128 exact = magnitude * (uint64_t)weights[k];
            u128 floor_share = exact / weight_sum;
            remainders[k] = exact % weight_sum;
            u128 part = parts[k].minor < 0 ? (u128)(-(i128)parts[k].minor) : (u128)parts[k].minor;
            assert_true(parts[k].minor == 0 || (parts[k].minor < 0) == (total.minor < 0));
            assert_true(part == floor_share || (part == floor_share + 1 && remainders[k] != 0));
            extra[k] = part != floor_share;
            assert_string_equal(parts[k].currency, total.currency);
            sum += parts[k].minor;
        }
        assert_true(sum == total.minor);
        for (uint32_t k = 0; k < n; k++) {
            for (uint32_t j = 0; j < n; j++) {
                if (extra[k] && !extra[j])
                    assert_true(remainders[k] > remainders[j] ||
                                (remainders[k] == remainders[j] && k < j));
            }
        }
    }
}

/* ---- the committed table against the ISO 4217 data ---------------------- */

/* One field of an RFC 4180 record: quotes removed, "" unescaped. Returns a
 * pointer past the field's separator (or at the end of the record). */
static const char *csv_field(const char *p, char *field, size_t size, int *end_of_record) {
    size_t n = 0;
    int quoted = *p == '"';
    if (quoted)
        p++;
    for (;;) {
        char ch = *p;
        if (ch == '\0')
            break;
        if (quoted && ch == '"') {
            if (p[1] == '"') {
                p++;
            } else {
                quoted = 0;
                p++;
                continue;
            }
        } else if (!quoted && (ch == ',' || ch == '\n' || ch == '\r')) {
            break;
        }
        if (n + 1 < size)
            field[n++] = ch;
        p++;
    }
    field[n] = '\0';
    *end_of_record = *p != ',';
    if (*p == ',')
        return p + 1;
    if (*p == '\r')
        p++;
    if (*p == '\n')
        p++;
    return p;
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *text = NULL;
    size_t len = 0, cap = 0, got;
    char chunk[4096];
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + got + 1 > cap) {
            cap = (len + got + 1) * 2;
            char *bigger = realloc(text, cap);
            assert_non_null(bigger);
            text = bigger;
        }
        memcpy(text + len, chunk, got);
        len += got;
    }
    fclose(f);
    if (text)
        text[len] = '\0';
    return text;
}

/* Drops leading and trailing spaces in place. */
static char *trim(char *s) {
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ')
        s[--n] = '\0';
    return s;
}

enum { COL_CURRENCY, COL_CODE, COL_NUMERIC, COL_MINOR, COL_WITHDRAWN, COL_COUNT };

static void the_table_matches_the_iso_4217_data(void **state) {
    (void)state;
    const char *data = test_shared_data_dir();
    if (!data)
        skip();
    char path[4200];
    snprintf(path, sizeof path, "%s/iso4217/codes.csv", data);
    char *csv = read_file(path);
    if (!csv)
        skip();
    static const char *const names[COL_COUNT] = {
        "Currency", "AlphabeticCode", "NumericCode", "MinorUnit", "WithdrawalDate",
    };
    int column_of[16];
    int index[COL_COUNT] = { -1, -1, -1, -1, -1 };
    char field[256];
    int end = 0, ncolumns = 0;
    const char *p = csv;
    while (!end && ncolumns < 16) {
        p = csv_field(p, field, sizeof field, &end);
        column_of[ncolumns] = -1;
        for (int c = 0; c < COL_COUNT; c++) {
            if (strcmp(field, names[c]) == 0) {
                index[c] = ncolumns;
                column_of[ncolumns] = c;
            }
        }
        ncolumns++;
    }
    for (int c = 0; c < COL_COUNT; c++)
        assert_true(index[c] >= 0);

    /* Every current code is in the table with its numeric code, minor units
     * and name; count the distinct ones. */
    char seen[1024][4];
    size_t distinct = 0;
    while (*p) {
        char values[COL_COUNT][256] = { "" };
        end = 0;
        for (int col = 0; !end; col++) {
            p = csv_field(p, field, sizeof field, &end);
            if (col < ncolumns && column_of[col] >= 0)
                memcpy(values[column_of[col]], field, sizeof field);
        }
        if (values[COL_WITHDRAWN][0] || !values[COL_CODE][0])
            continue;
        archase_currency c;
        if (archase_currency_lookup(values[COL_CODE], &c) != 0)
            fail_msg("%s is in the ISO data but not in the table", values[COL_CODE]);
        assert_int_equal(c.numeric, atoi(values[COL_NUMERIC]));
        assert_int_equal(c.minor_units,
                         strcmp(values[COL_MINOR], "-") == 0 ? -1 : atoi(values[COL_MINOR]));
        assert_string_equal(c.name, trim(values[COL_CURRENCY])); /* "Comorian Franc " */
        size_t k = 0;
        while (k < distinct && strcmp(seen[k], c.code) != 0)
            k++;
        if (k == distinct) {
            assert_true(distinct < sizeof seen / sizeof seen[0]);
            memcpy(seen[distinct++], c.code, 4);
        }
    }
    free(csv);
    /* ...and nothing else is. */
    assert_int_equal(archase_currency_count(), distinct);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(parses_amounts_with_the_currency_s_decimals),
    cmocka_unit_test(negative_zero_parses_to_zero_and_formats_without_sign),
    cmocka_unit_test(formats_every_minor_digit),
    cmocka_unit_test(int64_extremes_format_and_parse_back),
    cmocka_unit_test(values_outside_int64_are_an_overflow),
    cmocka_unit_test(rejects_text_that_is_not_exactly_amount_space_code),
    cmocka_unit_test(parse_amount_takes_the_code_separately),
    cmocka_unit_test(format_reports_small_buffers_and_bad_currencies),
    cmocka_unit_test(looks_up_codes_with_their_minor_units),
    cmocka_unit_test(the_table_is_in_code_order_and_every_entry_is_found),
    cmocka_unit_test(adds_and_subtracts_within_one_currency),
    cmocka_unit_test(overflow_is_an_error_never_a_wrap),
    cmocka_unit_test(different_or_unknown_currencies_never_mix),
    cmocka_unit_test(compares_amounts),
    cmocka_unit_test(splits_evenly_with_the_extra_units_first),
    cmocka_unit_test(split_rejects_zero_parts_and_bad_currencies),
    cmocka_unit_test(splits_by_weights_with_largest_remainders),
    cmocka_unit_test(split_weights_is_exact_at_the_extremes),
    cmocka_unit_test(split_weights_rejects_bad_weights),
    cmocka_unit_test(apply_rate_rounds_half_to_even),
    cmocka_unit_test(apply_rate_is_exact_past_64_bits_and_detects_overflow),
    cmocka_unit_test(parse_of_format_is_the_identity),
    cmocka_unit_test(adding_then_subtracting_restores_the_amount),
    cmocka_unit_test(split_sums_exactly_and_each_part_is_within_one_unit),
    cmocka_unit_test(split_weights_sums_exactly_by_largest_remainder),
    cmocka_unit_test(the_table_matches_the_iso_4217_data),
};

AR_TEST_MAIN(tests)
