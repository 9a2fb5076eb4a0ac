/* tests/test_money_slices.c — the internal money helpers importers use:
 * parsing slices of a larger buffer without copying, the messages that say
 * what is wrong, and the currency lookups. */
#include <string.h>

#include "archase/archase.h"
#include "core/money.h"
#include "support/testutil.h"

static void parses_a_slice_without_reading_past_it(void **state) {
    (void)state;
    /* A CSV line: the amount and the code are two fields, neither terminated. */
    const char line[] = "INV-1,1234.56,EUR,2026-03-01";
    archase_money m;
    assert_int_equal(ar_money_parse_amount_n(line + 6, 7, line + 14, 3, &m, NULL), 0);
    assert_true(m.minor == 123456);
    assert_string_equal(m.currency, "EUR");
    const char text[] = "-0.5 KWD and more";
    assert_int_equal(ar_money_parse_n(text, 8, &m, NULL), 0);
    assert_true(m.minor == -500);
    assert_string_equal(m.currency, "KWD");
    /* The same bytes one longer are not money. */
    assert_int_equal(ar_money_parse_n(text, 9, &m, NULL), ARCHASE_EPARSE);
    /* A slice that is the whole of an unterminated buffer. */
    const char exact[3] = { '4', '2', '7' };
    const char code[3] = { 'J', 'P', 'Y' };
    assert_int_equal(ar_money_parse_amount_n(exact, 3, code, 3, &m, NULL), 0);
    assert_true(m.minor == 427);
}

static void failures_name_what_is_wrong(void **state) {
    (void)state;
    static const struct {
        const char *text;
        int         rc;
        const char *message;
    } cases[] = {
        { "1.234 EUR", ARCHASE_EPARSE, "EUR has 2 decimals" },
        { "1.5 JPY", ARCHASE_EPARSE, "JPY has 0 decimals" },
        { "1.00 XYZ", ARCHASE_ECURRENCY, "unknown currency \"XYZ\"" },
        { "1.00 eur", ARCHASE_ECURRENCY, "unknown currency \"eur\"" },
        { "1 XAU", ARCHASE_ECURRENCY, "XAU has no minor unit and is not money" },
        { "1,000.00 EUR", ARCHASE_EPARSE,
          "\"1,000.00\" is not an amount (expected [-]DIGITS[.DIGITS])" },
        { "1.00EUR", ARCHASE_EPARSE,
          "expected an amount, one space and a currency code (\"12.50 EUR\")" },
        { "", ARCHASE_EPARSE, "empty amount" },
        { "92233720368547758.08 EUR", ARCHASE_EOVERFLOW, "out of range for EUR (int64 minor units)" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ar_error err;
        ar_error_clear(&err);
        archase_money m = { 7, "GBP" };
        int rc = ar_money_parse_n(cases[i].text, strlen(cases[i].text), &m, &err);
        assert_int_equal(rc, cases[i].rc);
        assert_int_equal(err.code, cases[i].rc);
        assert_string_equal(ar_error_message(&err), cases[i].message);
        assert_true(m.minor == 7);
    }
    ar_error err;
    ar_error_clear(&err);
    archase_money m;
    assert_int_equal(ar_money_parse_amount_n("1", 1, "EUR", 3, NULL, &err), ARCHASE_EINVAL);
    assert_string_equal(ar_error_message(&err), "NULL argument");
    assert_int_equal(ar_money_parse_amount_n("", 0, "EUR", 3, &m, &err), ARCHASE_EPARSE);
    assert_string_equal(ar_error_message(&err), "empty amount");
}

static void long_rejected_text_is_quoted_shortened(void **state) {
    (void)state;
    char text[200];
    memset(text, '9', sizeof text);
    text[100] = 'x';
    ar_error err;
    archase_money m;
    assert_int_equal(ar_money_parse_amount_n(text, sizeof text, "EUR", 3, &m, &err),
                     ARCHASE_EPARSE);
    assert_true(strlen(ar_error_message(&err)) < 100);
}

static void minor_units_of_money_currencies_only(void **state) {
    (void)state;
    assert_int_equal(ar_currency_minor_units("EUR", 3), 2);
    assert_int_equal(ar_currency_minor_units("JPY", 3), 0);
    assert_int_equal(ar_currency_minor_units("KWD", 3), 3);
    assert_int_equal(ar_currency_minor_units("CLF", 3), 4);
    assert_int_equal(ar_currency_minor_units("EURO", 3), 2); /* a 3-byte slice */
    assert_int_equal(ar_currency_minor_units("XAU", 3), ARCHASE_ECURRENCY);
    assert_int_equal(ar_currency_minor_units("XYZ", 3), ARCHASE_ECURRENCY);
    assert_int_equal(ar_currency_minor_units("EUR", 2), ARCHASE_ECURRENCY);
    assert_int_equal(ar_currency_minor_units(NULL, 3), ARCHASE_ECURRENCY);
    const archase_currency *gold = ar_currency_find("XAU", 3);
    assert_non_null(gold);
    assert_int_equal(gold->minor_units, -1);
    assert_null(ar_currency_find("AAA", 3));
    assert_null(ar_currency_find("ZZZ", 3));
    /* The first and the last entries are found (the bisection's edges). */
    assert_ptr_equal(ar_currency_find(ar_currency_table[0].code, 3), &ar_currency_table[0]);
    const archase_currency *last = &ar_currency_table[ar_currency_table_size - 1];
    assert_ptr_equal(ar_currency_find(last->code, 3), last);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(parses_a_slice_without_reading_past_it),
    cmocka_unit_test(failures_name_what_is_wrong),
    cmocka_unit_test(long_rejected_text_is_quoted_shortened),
    cmocka_unit_test(minor_units_of_money_currencies_only),
};

AR_TEST_MAIN(tests)
