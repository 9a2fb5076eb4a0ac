/* tests/test_locale_formats.c — amounts and dates as a reader of each locale
 * expects them in a message: the currency sign before or after, its space,
 * the digit groups and decimal mark, the date's word order; locale tags
 * matched whatever their case and separator, a region falling back to its
 * language, and the tags a policy may write. */
#include <string.h>

#include "archase/archase.h"
#include "core/buf.h"
#include "policy/locale.h"
#include "support/testutil.h"

#define NBSP  "\xc2\xa0"
#define NNBSP "\xe2\x80\xaf"
#define EURO  "\xe2\x82\xac"

static void expect_money(const char *locale, int64_t minor, const char *currency, const char *text) {
    archase_money m = { minor, "" };
    memcpy(m.currency, currency, 4);
    ar_buf b;
    ar_buf_init(&b, NULL);
    ar_format_money(locale, &m, &b);
    ar_buf_terminate(&b);
    assert_false(b.err);
    const char *got = b.data ? (const char *)b.data : "";
    if (strcmp(got, text) != 0)
        fail_msg("%s %lld %s: expected \"%s\", got \"%s\"", locale ? locale : "(null)", (long long)minor,
                 currency, text, got);
    ar_buf_free(&b);
}

static void expect_date(const char *locale, archase_date date, const char *text) {
    ar_buf b;
    ar_buf_init(&b, NULL);
    ar_format_date(locale, date, &b);
    ar_buf_terminate(&b);
    assert_false(b.err);
    const char *got = b.data ? (const char *)b.data : "";
    if (strcmp(got, text) != 0)
        fail_msg("%s %d: expected \"%s\", got \"%s\"", locale ? locale : "(null)", (int)date, text, got);
    ar_buf_free(&b);
}

static void each_locale_writes_amounts_its_own_way(void **state) {
    (void)state;
    expect_money("en", 123456, "USD", "$1,234.56");
    expect_money("en", -500, "GBP", "-\xc2\xa3" "5.00");
    expect_money("en", 123456, "JPY", "\xc2\xa5" "123,456");
    expect_money("en", 500, "CHF", "CHF 5.00");
    expect_money("en", 1234567, "KWD", "KWD 1,234.567");
    expect_money("de", 123456, "EUR", "1.234,56" NBSP EURO);
    expect_money("de", 5, "CHF", "0,05" NBSP "CHF");
    expect_money("fr", 123456789, "GBP", "1" NNBSP "234" NNBSP "567,89" NBSP "\xc2\xa3");
    expect_money("nl", 100, "CHF", "CHF" NBSP "1,00");
    expect_money("nl", 100, "EUR", EURO NBSP "1,00");
    expect_money("es", -99, "USD", "-0,99" NBSP "$");
    expect_money("it", 100000, "EUR", "1.000,00" NBSP EURO);
    /* A currency the library does not know writes nothing. */
    expect_money("en", 100, "XQQ", "");
}

static void locale_tags_match_in_any_case_and_fall_back_to_their_language(void **state) {
    (void)state;
    expect_money("EN-us", 100, "USD", "$1.00");
    expect_date("en_US", 20517, "March 5, 2026");
    expect_money("de-AT", 100, "EUR", "1,00" NBSP EURO);
    expect_money("de_CH", 100, "EUR", "1,00" NBSP EURO);
    /* Unknown, empty or absent: English. */
    expect_money("pt-BR", 100, "USD", "$1.00");
    expect_money("", 100, "USD", "$1.00");
    expect_money(NULL, 100, "USD", "$1.00");
    assert_int_equal(ar_locale_language_len("en-US"), 2);
    assert_int_equal(ar_locale_language_len("fil_PH"), 3);
    assert_int_equal(ar_locale_language_len("it"), 2);
    assert_true(ar_locale_equal("en_gb", 5, "EN-GB", 5));
    assert_false(ar_locale_equal("en-gb", 5, "en-g", 4));
    assert_false(ar_locale_equal("en-gb", 5, "en-us", 5));
}

static void each_locale_writes_dates_in_its_word_order(void **state) {
    (void)state;
    archase_date d = 20517; /* 2026-03-05 */
    expect_date("en", d, "5 March 2026");
    expect_date("en-US", d, "March 5, 2026");
    expect_date("de", d, "5. M\xc3\xa4rz 2026");
    expect_date("fr", d, "5 mars 2026");
    expect_date("es", d, "5 de marzo de 2026");
    expect_date("it", 20454, "1 gennaio 2026");
    expect_date("nl", ARCHASE_DATE_MAX, "31 december 9999");
    /* No date, or one outside the years 1 to 9999, writes nothing. */
    expect_date("en", ARCHASE_DATE_NONE, "");
    expect_date("en", ARCHASE_DATE_MAX + 1, "");
    expect_date("en", ARCHASE_DATE_MIN - 1, "");
}

static void a_locale_tag_is_a_language_and_optional_subtags(void **state) {
    (void)state;
    static const char *const valid[] = { "en", "en-US", "de_AT", "fil", "zh-Hant-TW", "es-419", "sr-Latn-RS" };
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++)
        if (!ar_locale_valid(valid[i], strlen(valid[i])))
            fail_msg("%s was refused", valid[i]);
    static const char *const invalid[] = { "", "e", "engl", "1n", "e1", "en-", "en-x", "en-abcdefghi", "en US",
                                           "en--US", "-en", "\xc3\xa9n" };
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++)
        if (ar_locale_valid(invalid[i], strlen(invalid[i])))
            fail_msg("\"%s\" was accepted", invalid[i]);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(each_locale_writes_amounts_its_own_way),
    cmocka_unit_test(locale_tags_match_in_any_case_and_fall_back_to_their_language),
    cmocka_unit_test(each_locale_writes_dates_in_its_word_order),
    cmocka_unit_test(a_locale_tag_is_a_language_and_optional_subtags),
};

AR_TEST_MAIN(tests)
