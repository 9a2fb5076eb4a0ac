/* tests/test_core_edges.c — the core's readers at their edges: JSON string
 * escapes and surrogate pairs, base64 padding and buffers, dates, instants
 * and date formats almost right, business days at the end of time, money
 * with bad arguments, and the allocator without a realloc of its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "core/alloc.h"
#include "core/base64.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/diag.h"
#include "core/json_string.h"
#include "core/money.h"
#include "support/testutil.h"

/* ---- JSON strings ---------------------------------------------------------- */

/* Reads the literal `json`; returns NULL and the text in `out`, or the
 * problem. */
static const char *read_json(const char *json, char *out, size_t size, size_t *consumed) {
    ar_buf b;
    ar_buf_init(&b, NULL);
    const char *p = json, *end = json + strlen(json);
    const char *why = ar_json_read_string(&p, end, &b);
    if (!why) {
        assert_false(b.err);
        assert_true(b.len < size);
        memcpy(out, b.data ? (const char *)b.data : "", b.len);
        out[b.len] = '\0';
    }
    if (consumed)
        *consumed = (size_t)(p - json);
    ar_buf_free(&b);
    return why;
}

static void expect_json(const char *json, const char *text) {
    char out[64];
    size_t consumed = 0;
    const char *why = read_json(json, out, sizeof out, &consumed);
    if (why)
        fail_msg("%s: %s", json, why);
    assert_string_equal(out, text);
    assert_int_equal(consumed, strlen(json));
}

static void expect_json_problem(const char *json, const char *problem) {
    char out[64];
    const char *why = read_json(json, out, sizeof out, NULL);
    if (!why || strcmp(why, problem) != 0)
        fail_msg("%s: expected \"%s\", got \"%s\"", json, problem, why ? why : "(read)");
}

static void json_escapes_are_read_in_either_case_and_surrogates_in_pairs(void **state) {
    (void)state;
    expect_json("\"caf\\u00e9\"", "caf\xc3\xa9");
    expect_json("\"caf\\u00E9\"", "caf\xc3\xa9");
    expect_json("\"\\uD83D\\uDE00!\"", "\xf0\x9f\x98\x80!");
    expect_json("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80");
    expect_json("\"\\u20ac \\/ \\b\\f\\n\\r\\t\"", "\xe2\x82\xac / \b\f\n\r\t");
    expect_json_problem("\"\\u00eg\"", "a bad \\u escape");
    expect_json_problem("\"\\u00e\"", "a bad \\u escape");
    expect_json_problem("\"\\ud83d\"", "an unpaired surrogate");
    expect_json_problem("\"\\ud83dx\\ude00\"", "an unpaired surrogate");
    expect_json_problem("\"\\ud83d\\n\\ude00\"", "an unpaired surrogate");
    expect_json_problem("\"\\ud83d\\uzzzz\"", "an unpaired surrogate");
    expect_json_problem("\"\\ud83d\\u0041\"", "an unpaired surrogate");
    expect_json_problem("\"\\ud83d\\ue000\"", "an unpaired surrogate");
    expect_json_problem("\"\\ude00\"", "an unpaired surrogate");
    expect_json_problem("\"\\u0000\"", "a NUL character in a string");
}

/* ---- base64 ------------------------------------------------------------------ */

static void base64_is_read_only_in_its_one_canonical_form(void **state) {
    (void)state;
    uint8_t out[16];
    size_t n = 99;
    assert_int_equal(ar_base64_decode("", 0, out, sizeof out, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(ar_base64_decode("QUJD", 4, out, sizeof out, &n), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(out, "ABC", 3);
    assert_int_equal(ar_base64_decode("QUI=", 4, out, sizeof out, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(ar_base64_decode("QQ==", 4, out, sizeof out, &n), 0);
    assert_int_equal(n, 1);
    /* Padding bits that are not zero would give a second text for the same bytes. */
    assert_int_equal(ar_base64_decode("QUJ=", 4, out, sizeof out, &n), ARCHASE_EPARSE);
    assert_int_equal(ar_base64_decode("QR==", 4, out, sizeof out, &n), ARCHASE_EPARSE);
    assert_int_equal(ar_base64_decode("QUJ", 3, out, sizeof out, &n), ARCHASE_EPARSE);
    assert_int_equal(ar_base64_decode(NULL, 0, out, sizeof out, &n), ARCHASE_EPARSE);
    assert_int_equal(ar_base64_decode("Q=JD", 4, out, sizeof out, &n), ARCHASE_EPARSE);
    assert_int_equal(ar_base64_decode("QU\0D", 4, out, sizeof out, &n), ARCHASE_EPARSE);
    /* Room for two bytes is not room for three. */
    assert_int_equal(ar_base64_decode("QUJD", 4, out, 2, &n), ARCHASE_EBUFSIZE);
    char text[8];
    assert_int_equal(ar_base64_encode("ABC", 3, text, 4), ARCHASE_EBUFSIZE);
    assert_int_equal(ar_base64_encode("ABC", 3, text, 5), 0);
    assert_string_equal(text, "QUJD");
    assert_int_equal(ar_base64_encode("AB", 2, text, sizeof text), 0);
    assert_string_equal(text, "QUI=");
}

/* ---- dates and instants ------------------------------------------------------ */

static void dates_almost_in_the_form_are_refused(void **state) {
    (void)state;
    archase_date d = 123;
    static const char *const wrong[] = { "2026/01/01", "2026-01/01", "2026-1-01", "2026-01-1x",
                                         "2026-13-01", "2026-00-10", "2026-02-29", "20260101" };
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++)
        if (archase_date_parse(wrong[i], &d) != ARCHASE_EPARSE)
            fail_msg("%s was read", wrong[i]);
    assert_int_equal(d, 123);
    assert_int_equal(archase_date_parse("2028-02-29", &d), 0);
    assert_int_equal(archase_date_parse(NULL, &d), ARCHASE_EINVAL);
    assert_int_equal(archase_date_parse("2026-01-01", NULL), ARCHASE_EINVAL);
}

static void instants_almost_in_the_form_are_refused(void **state) {
    (void)state;
    archase_instant t = 77;
    static const char *const wrong[] = {
        "2026-01-01X00:00:00Z",      "2026-01-01T00-00:00Z",      "2026-01-01T00:00-00Z",
        "2026-01-01T0a:00:00Z",      "2026-01-01T00:0a:00Z",      "2026-01-01T00:00:0aZ",
        "2026-01-01T00:00:00+01-00", "2026-01-01T00:00:00*01:00", "2026-01-01T00:00:00+0a:00",
        "2026-01-01T00:00:00+01:0a", "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00+01:60",
        "2026-01-01T24:00:00Z",      "2026-01-01T23:60:00Z",      "2026-01-01T23:59:60Z",
        "2026-01-01T00:00:00z",      "2026-01-01T00:00:00",       "2026-02-30T00:00:00Z",
    };
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++)
        if (archase_instant_parse(wrong[i], &t) != ARCHASE_EPARSE)
            fail_msg("%s was read", wrong[i]);
    assert_int_equal(t, 77);
    assert_int_equal(archase_instant_parse("2026-01-01T01:30:00+01:30", &t), 0);
    assert_int_equal(t, 1767225600);
    assert_int_equal(archase_instant_parse("2025-12-31T23:00:00-01:00", &t), 0);
    assert_int_equal(t, 1767225600);
}

static void date_formats_name_each_part_once(void **state) {
    (void)state;
    assert_int_equal(ar_date_format_check("%d/%m/%Y"), 0);
    assert_int_equal(ar_date_format_check("%d/%m/%Y %H:%M:%S"), 0);
    assert_int_equal(ar_date_format_check("%d/%m/%Y %H %H"), ARCHASE_EINVAL);
    assert_int_equal(ar_date_format_check("%d/%m/%Y %M %M"), ARCHASE_EINVAL);
    assert_int_equal(ar_date_format_check("%d/%m/%Y %S %S"), ARCHASE_EINVAL);
    assert_int_equal(ar_date_format_check("%d/%m/%Y %"), ARCHASE_EINVAL);
    assert_int_equal(ar_date_format_check("%d/%m"), ARCHASE_EINVAL);
    archase_date d = 5;
    const char *f = "%d.%m.%Y %H:%M";
    assert_int_equal(ar_date_parse_format("01.02.2026 23:59", 16, f, &d), 0);
    assert_int_equal(d, 20485);
    assert_int_equal(ar_date_parse_format("01.02.2026 24:00", 16, f, &d), ARCHASE_EPARSE);
    assert_int_equal(ar_date_parse_format("01.02.2026 23:60", 16, f, &d), ARCHASE_EPARSE);
    assert_int_equal(ar_date_parse_format("01.02.2026 x:00", 15, f, &d), ARCHASE_EPARSE);
    assert_int_equal(d, 20485);
    assert_int_equal(ar_date_parse_format("01.02.2026 23:59:60", 19, "%d.%m.%Y %H:%M:%S", &d), 0);
    assert_int_equal(ar_date_parse_format("100% 01.02.2026", 15, "100%% %d.%m.%Y", &d), 0);
}

/* ---- business days at the end of time ---------------------------------------- */

static void at_the_end_of_time_a_roll_forward_turns_back(void **state) {
    (void)state;
    archase_calendar *cal = NULL;
    assert_int_equal(archase_calendar_new(NULL, &cal), 0);
    /* 9999-12-31 is a Friday; made a holiday, no business day follows it. */
    assert_int_equal(archase_calendar_add_holiday(cal, ARCHASE_DATE_MAX), 0);
    archase_date out = 5;
    assert_int_equal(archase_calendar_roll(cal, ARCHASE_DATE_MAX, ARCHASE_ROLL_FOLLOWING, &out), ARCHASE_ERANGE);
    assert_int_equal(out, 5);
    assert_int_equal(archase_calendar_roll(cal, ARCHASE_DATE_MAX, ARCHASE_ROLL_MODIFIED_FOLLOWING, &out), 0);
    assert_int_equal(out, ARCHASE_DATE_MAX - 1);
    assert_int_equal(archase_calendar_add_business_days(cal, ARCHASE_DATE_MAX, 0, &out), ARCHASE_ERANGE);
    assert_int_equal(archase_calendar_add_business_days(cal, ARCHASE_DATE_MAX - 1, 0, &out), 0);
    assert_int_equal(out, ARCHASE_DATE_MAX - 1);
    /* Between a day and itself, or outside the range, there are none. */
    assert_int_equal(archase_calendar_business_days_between(cal, 20454, 20454), 0);
    assert_int_equal(archase_calendar_business_days_between(cal, 20454, ARCHASE_DATE_MAX + 1), 0);
    assert_int_equal(archase_calendar_business_days_between(cal, ARCHASE_DATE_MIN - 1, 20454), 0);
    assert_int_equal(archase_calendar_business_days_between(NULL, 20454, 20460), 0);
    assert_int_equal(archase_calendar_business_days_between(cal, 20454, 20461), 5);
    assert_int_equal(archase_calendar_business_days_between(cal, 20461, 20454), -5);
    archase_calendar_free(cal);
}

/* ---- diagnostics ------------------------------------------------------------- */

static void a_problem_without_a_source_is_written_without_one(void **state) {
    (void)state;
    archase_diag_list *list = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 2, &list), 0);
    assert_int_equal(ar_diag_add(list, ARCHASE_EPARSE, NULL, 3, 4, "bad %s", "thing"), 0);
    char line[64];
    assert_int_equal(archase_diag_format(archase_diag_list_get(list, 0), line, sizeof line), 0);
    assert_string_equal(line, "bad thing");
    assert_false(ar_diag_list_full(list));
    assert_int_equal(ar_diag_add(list, ARCHASE_EPARSE, "f", 1, 0, "second"), 0);
    assert_true(ar_diag_list_full(list));
    assert_int_equal(archase_diag_format(archase_diag_list_get(list, 1), line, sizeof line), 0);
    assert_string_equal(line, "f:1: second");
    /* Past the limit a problem is counted, not kept; no list takes nothing. */
    assert_int_equal(ar_diag_add(list, ARCHASE_EPARSE, "f", 2, 0, "third"), 0);
    assert_int_equal(archase_diag_list_count(list), 2);
    assert_int_equal(archase_diag_list_dropped(list), 1);
    assert_false(ar_diag_list_full(NULL));
    assert_int_equal(ar_diag_add(NULL, ARCHASE_EPARSE, "f", 1, 1, "lost"), 0);
    archase_diag_list_free(list);
}

/* ---- money ------------------------------------------------------------------- */

static void money_refuses_missing_arguments_and_names_long_codes_briefly(void **state) {
    (void)state;
    archase_money m = { 1, "EUR" }, out = { 9, "XXX" };
    assert_int_equal(archase_money_parse_amount(NULL, "EUR", &out), ARCHASE_EINVAL);
    assert_int_equal(archase_money_parse_amount("1", NULL, &out), ARCHASE_EINVAL);
    assert_int_equal(archase_money_parse_amount("1", "EUR", NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_money_parse(NULL, &out), ARCHASE_EINVAL);
    assert_int_equal(archase_money_parse("1.00 EUR", NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_money_sub(&m, &m, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_money_add(&m, &m, NULL), ARCHASE_EINVAL);
    int64_t weights[2] = { 1, 1 };
    archase_money parts[2];
    assert_int_equal(archase_money_split_weights(&m, weights, 0, parts), ARCHASE_EINVAL);
    assert_int_equal(archase_money_split_weights(&m, NULL, 2, parts), ARCHASE_EINVAL);
    assert_int_equal(archase_money_split_weights(NULL, weights, 2, parts), ARCHASE_EINVAL);
    assert_int_equal(archase_money_split_weights(&m, weights, 2, NULL), ARCHASE_EINVAL);
    assert_int_equal(out.minor, 9);
    /* A currency code of 50 letters is named by its first 40. */
    ar_error err;
    memset(&err, 0, sizeof err);
    const char *code = "ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJ";
    assert_int_equal(ar_money_parse_amount_n("5", 1, code, strlen(code), &out, &err), ARCHASE_ECURRENCY);
    assert_string_equal(ar_error_message(&err), "unknown currency \"ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJ\"");
    assert_int_equal(ar_money_parse_amount_n("5", 1, "XQQ", 3, &out, &err), ARCHASE_ECURRENCY);
    assert_string_equal(ar_error_message(&err), "unknown currency \"XQQ\"");
    assert_int_equal(out.minor, 9);
}

/* ---- an allocator without realloc -------------------------------------------- */

typedef struct plain_alloc {
    size_t live, mallocs, fail_at;
} plain_alloc;

static void *plain_malloc(void *userdata, size_t size) {
    plain_alloc *a = userdata;
    if (a->fail_at && ++a->mallocs >= a->fail_at)
        return NULL;
    void *p = malloc(size);
    if (p)
        a->live++;
    return p;
}

static void plain_free(void *userdata, void *ptr) {
    plain_alloc *a = userdata;
    if (ptr)
        a->live--;
    free(ptr);
}

static void growing_copies_when_the_allocator_has_no_realloc(void **state) {
    (void)state;
    plain_alloc pa = { 0, 0, 0 };
    archase_allocator a = { ARCHASE_ALLOCATOR_VERSION, &pa, plain_malloc, NULL, plain_free };
    ar_buf b;
    ar_buf_init(&b, &a);
    char chunk[100];
    for (int i = 0; i < 100; i++) {
        memset(chunk, 'a' + i % 26, sizeof chunk);
        ar_buf_put(&b, chunk, sizeof chunk);
    }
    assert_false(b.err);
    assert_int_equal(b.len, 10000);
    for (int i = 0; i < 100; i++)
        assert_int_equal(b.data[i * 100 + 99], 'a' + i % 26);
    assert_int_equal(pa.live, 1);
    /* A long printf goes through the growing path as well. */
    ar_buf_printf(&b, "%0300d", 7);
    assert_false(b.err);
    assert_int_equal(b.len, 10300);
    assert_int_equal(b.data[10299], '7');
    ar_buf_free(&b);
    assert_int_equal(pa.live, 0);

    /* When the copy cannot be made the old block is kept, then freed. */
    size_t fail = 1;
    for (;; fail++) {
        plain_alloc f = { 0, 0, fail };
        archase_allocator fa = { ARCHASE_ALLOCATOR_VERSION, &f, plain_malloc, NULL, plain_free };
        ar_buf g;
        ar_buf_init(&g, &fa);
        for (int i = 0; i < 100 && !g.err; i++)
            ar_buf_put(&g, chunk, sizeof chunk);
        int failed = g.err != 0;
        if (failed) {
            assert_int_equal(g.err, ARCHASE_ENOMEM);
        } else {
            assert_int_equal(g.len, 10000);
        }
        ar_buf_free(&g);
        assert_int_equal(f.live, 0);
        if (!failed)
            break;
    }
    assert_true(fail > 3); /* several blocks were copied on the way */
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(json_escapes_are_read_in_either_case_and_surrogates_in_pairs),
    cmocka_unit_test(base64_is_read_only_in_its_one_canonical_form),
    cmocka_unit_test(dates_almost_in_the_form_are_refused),
    cmocka_unit_test(instants_almost_in_the_form_are_refused),
    cmocka_unit_test(date_formats_name_each_part_once),
    cmocka_unit_test(at_the_end_of_time_a_roll_forward_turns_back),
    cmocka_unit_test(a_problem_without_a_source_is_written_without_one),
    cmocka_unit_test(money_refuses_missing_arguments_and_names_long_codes_briefly),
    cmocka_unit_test(growing_copies_when_the_allocator_has_no_realloc),
};

AR_TEST_MAIN(tests)
