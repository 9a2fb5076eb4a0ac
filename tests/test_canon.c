/* tests/test_canon.c — the canonical encoding: exact bytes, round trips,
 * injectivity, strict decoding, allocation failure. */
#include <string.h>

#include "archase/archase.h"
#include "core/canon.h"
#include "support/failalloc.h"
#include "support/testutil.h"

static void encodes_the_documented_bytes(void **state) {
    (void)state;
    ar_canon c;
    ar_canon_init(&c, NULL);
    archase_money m = { 123456, "EUR" };
    ar_canon_begin_record(&c, 7);
    ar_canon_put_int(&c, 1, -2);
    ar_canon_put_str(&c, 2, "ab");
    ar_canon_put_money(&c, 3, &m);
    ar_canon_put_date(&c, 4, 20000);
    ar_canon_field(&c, 5);
    ar_canon_begin_list(&c);
    ar_canon_bool(&c, 1);
    ar_canon_null(&c);
    ar_canon_end_list(&c);
    ar_canon_end_record(&c);
    const uint8_t *data;
    size_t size;
    assert_int_equal(ar_canon_finish(&c, &data, &size), 0);
    const uint8_t expected[] = {
        0x0A, 0x00, 0x07, 0x00, 0x05,                         /* record kind 7, 5 fields */
        0x00, 0x01, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, /* 1: INT -2 */
        0x00, 0x02, 0x03, 0x00, 0x00, 0x00, 0x02, 'a', 'b',   /* 2: STRING "ab" */
        0x00, 0x03, 0x05, 0, 0, 0, 0, 0, 0x01, 0xe2, 0x40, 'E', 'U', 'R', /* 3: MONEY */
        0x00, 0x04, 0x06, 0x00, 0x00, 0x4e, 0x20,             /* 4: DATE 20000 */
        0x00, 0x05, 0x09, 0x00, 0x00, 0x00, 0x02, 0x01, 0x01, 0x00, /* 5: LIST [true, null] */
    };
    assert_int_equal(size, sizeof expected);
    assert_memory_equal(data, expected, size);
    assert_int_equal(ar_canon_validate(data, size), 0);
    ar_canon_free(&c);
}

static void decodes_what_it_encodes(void **state) {
    (void)state;
    ar_canon c;
    ar_canon_init(&c, NULL);
    uint8_t hash[32];
    memset(hash, 0x5a, sizeof hash);
    archase_money m = { -500, "KWD" };
    ar_canon_begin_record(&c, 300);
    ar_canon_put_instant(&c, 1, 1767225600);
    ar_canon_put_hash(&c, 2, hash);
    ar_canon_put_money(&c, 9, &m);
    ar_canon_put_bytes(&c, 10, "\0\1", 2);
    ar_canon_field(&c, 11);
    ar_canon_begin_record(&c, 1);
    ar_canon_put_str(&c, 1, "nested");
    ar_canon_end_record(&c);
    ar_canon_end_record(&c);
    const uint8_t *data;
    size_t size;
    assert_int_equal(ar_canon_finish(&c, &data, &size), 0);

    ar_canon_reader r;
    ar_canon_value v;
    uint16_t field;
    ar_canon_reader_init(&r, data, size);
    assert_int_equal(ar_canon_read(&r, &v), 0);
    assert_int_equal(v.type, AR_CANON_RECORD);
    assert_int_equal(v.kind, 300);
    assert_int_equal(v.count, 5);
    assert_int_equal(ar_canon_read_field(&r, &field, &v), 0);
    assert_int_equal(field, 1);
    assert_int_equal(v.type, AR_CANON_INSTANT);
    assert_int_equal(v.i, 1767225600);
    assert_int_equal(ar_canon_read_field(&r, &field, &v), 0);
    assert_int_equal(v.type, AR_CANON_HASH);
    assert_memory_equal(v.bytes, hash, 32);
    assert_int_equal(ar_canon_read_field(&r, &field, &v), 0);
    assert_int_equal(field, 9);
    assert_int_equal(v.money.minor, -500);
    assert_string_equal(v.money.currency, "KWD");
    assert_int_equal(ar_canon_read_field(&r, &field, &v), 0);
    assert_int_equal(v.type, AR_CANON_BYTES);
    assert_int_equal(v.len, 2);
    assert_int_equal(ar_canon_read_field(&r, &field, &v), 0);
    assert_int_equal(v.type, AR_CANON_RECORD);
    assert_int_equal(ar_canon_skip(&r, &v), 0);
    assert_true(ar_canon_at_end(&r));
    ar_canon_free(&c);
}

/* Encodes a record of two strings; used to show that boundaries matter. */
static void encode_pair(ar_canon *c, const char *a, const char *b) {
    ar_canon_reset(c);
    ar_canon_begin_record(c, 1);
    ar_canon_put_str(c, 1, a);
    ar_canon_put_str(c, 2, b);
    ar_canon_end_record(c);
}

static void different_records_never_encode_equal(void **state) {
    (void)state;
    ar_canon c1, c2;
    ar_canon_init(&c1, NULL);
    ar_canon_init(&c2, NULL);
    const uint8_t *d1, *d2;
    size_t s1, s2;
    /* Moving a byte across a field boundary changes the encoding. */
    encode_pair(&c1, "ab", "c");
    encode_pair(&c2, "a", "bc");
    assert_int_equal(ar_canon_finish(&c1, &d1, &s1), 0);
    assert_int_equal(ar_canon_finish(&c2, &d2, &s2), 0);
    assert_true(s1 != s2 || memcmp(d1, d2, s1) != 0);
    /* NULL and "" differ. */
    encode_pair(&c1, NULL, "x");
    encode_pair(&c2, "", "x");
    assert_int_equal(ar_canon_finish(&c1, &d1, &s1), 0);
    assert_int_equal(ar_canon_finish(&c2, &d2, &s2), 0);
    assert_true(s1 != s2 || memcmp(d1, d2, s1) != 0);
    /* An int and a date with the same value differ. */
    ar_canon_reset(&c1);
    ar_canon_begin_record(&c1, 1);
    ar_canon_put_int(&c1, 1, 5);
    ar_canon_end_record(&c1);
    ar_canon_reset(&c2);
    ar_canon_begin_record(&c2, 1);
    ar_canon_put_date(&c2, 1, 5);
    ar_canon_end_record(&c2);
    assert_int_equal(ar_canon_finish(&c1, &d1, &s1), 0);
    assert_int_equal(ar_canon_finish(&c2, &d2, &s2), 0);
    assert_true(s1 != s2 || memcmp(d1, d2, s1) != 0);

    /* Random records of random strings: equal bytes only for equal inputs. */
    test_rng rng;
    test_rng_seed(&rng, 42);
    for (int i = 0; i < 20000; i++) {
        char a1[8], b1[8], a2[8], b2[8];
        size_t la1 = test_rng_below(&rng, 4), lb1 = test_rng_below(&rng, 4);
        size_t la2 = test_rng_below(&rng, 4), lb2 = test_rng_below(&rng, 4);
        for (size_t k = 0; k < 4; k++) {
            a1[k] = (char)('a' + test_rng_below(&rng, 2));
            b1[k] = (char)('a' + test_rng_below(&rng, 2));
            a2[k] = (char)('a' + test_rng_below(&rng, 2));
            b2[k] = (char)('a' + test_rng_below(&rng, 2));
        }
        a1[la1] = b1[lb1] = a2[la2] = b2[lb2] = '\0';
        encode_pair(&c1, a1, b1);
        encode_pair(&c2, a2, b2);
        assert_int_equal(ar_canon_finish(&c1, &d1, &s1), 0);
        assert_int_equal(ar_canon_finish(&c2, &d2, &s2), 0);
        int same_input = !strcmp(a1, a2) && !strcmp(b1, b2);
        int same_bytes = s1 == s2 && !memcmp(d1, d2, s1);
        assert_int_equal(same_input, same_bytes);
    }
    ar_canon_free(&c1);
    ar_canon_free(&c2);
}

static void misuse_is_reported_not_encoded(void **state) {
    (void)state;
    ar_canon c;
    ar_canon_init(&c, NULL);
    const uint8_t *d;
    size_t s;
    /* value without a field number */
    ar_canon_begin_record(&c, 1);
    ar_canon_int(&c, 1);
    ar_canon_end_record(&c);
    assert_int_equal(ar_canon_finish(&c, &d, &s), ARCHASE_EINVAL);
    /* field numbers out of order */
    ar_canon_reset(&c);
    ar_canon_begin_record(&c, 1);
    ar_canon_put_int(&c, 2, 1);
    ar_canon_put_int(&c, 2, 1);
    ar_canon_end_record(&c);
    assert_int_equal(ar_canon_finish(&c, &d, &s), ARCHASE_EINVAL);
    /* unfinished record */
    ar_canon_reset(&c);
    ar_canon_begin_record(&c, 1);
    assert_int_equal(ar_canon_finish(&c, &d, &s), ARCHASE_EINVAL);
    /* two top-level records */
    ar_canon_reset(&c);
    ar_canon_begin_record(&c, 1);
    ar_canon_end_record(&c);
    ar_canon_begin_record(&c, 1);
    ar_canon_end_record(&c);
    assert_int_equal(ar_canon_finish(&c, &d, &s), ARCHASE_EINVAL);
    /* a bad currency */
    ar_canon_reset(&c);
    archase_money bad = { 1, "eu" };
    ar_canon_begin_record(&c, 1);
    ar_canon_put_money(&c, 1, &bad);
    ar_canon_end_record(&c);
    assert_int_equal(ar_canon_finish(&c, &d, &s), ARCHASE_EINVAL);
    /* reset clears the error */
    ar_canon_reset(&c);
    ar_canon_begin_record(&c, 1);
    ar_canon_end_record(&c);
    assert_int_equal(ar_canon_finish(&c, &d, &s), 0);
    ar_canon_free(&c);
}

static void strict_decoding_rejects_malformed_input(void **state) {
    (void)state;
    const uint8_t ok[] = { 0x0A, 0, 1, 0, 1, 0, 1, 0x01, 0x01 };
    assert_int_equal(ar_canon_validate(ok, sizeof ok), 0);
    const uint8_t trailing[] = { 0x0A, 0, 1, 0, 0, 0x00 };
    assert_int_equal(ar_canon_validate(trailing, sizeof trailing), ARCHASE_EPARSE);
    const uint8_t bad_bool[] = { 0x0A, 0, 1, 0, 1, 0, 1, 0x01, 0x02 };
    assert_int_equal(ar_canon_validate(bad_bool, sizeof bad_bool), ARCHASE_EPARSE);
    const uint8_t unknown_tag[] = { 0x0A, 0, 1, 0, 1, 0, 1, 0x7f };
    assert_int_equal(ar_canon_validate(unknown_tag, sizeof unknown_tag), ARCHASE_EPARSE);
    const uint8_t short_string[] = { 0x0A, 0, 1, 0, 1, 0, 1, 0x03, 0, 0, 0, 9, 'a' };
    assert_int_equal(ar_canon_validate(short_string, sizeof short_string), ARCHASE_EPARSE);
    const uint8_t fields_out_of_order[] = { 0x0A, 0, 1, 0, 2, 0, 2, 0x00, 0, 1, 0x00 };
    assert_int_equal(ar_canon_validate(fields_out_of_order, sizeof fields_out_of_order), ARCHASE_EPARSE);
    const uint8_t huge_list[] = { 0x0A, 0, 1, 0, 1, 0, 1, 0x09, 0xff, 0xff, 0xff, 0xff };
    assert_int_equal(ar_canon_validate(huge_list, sizeof huge_list), ARCHASE_EPARSE);
    const uint8_t not_a_record[] = { 0x02, 0, 0, 0, 0, 0, 0, 0, 1 };
    assert_int_equal(ar_canon_validate(not_a_record, sizeof not_a_record), ARCHASE_EPARSE);
    assert_int_equal(ar_canon_validate(NULL, 0), ARCHASE_EPARSE);
    /* Nesting: AR_CANON_MAX_DEPTH levels are fine, one more is not. */
    for (int levels = AR_CANON_MAX_DEPTH; levels <= AR_CANON_MAX_DEPTH + 1; levels++) {
        uint8_t deep[512];
        size_t n = 0;
        for (int i = 0; i < levels - 1; i++) {
            const uint8_t level[] = { 0x0A, 0, 1, 0, 1, 0, 1 }; /* record, 1 field, field 1 */
            memcpy(deep + n, level, sizeof level);
            n += sizeof level;
        }
        const uint8_t innermost[] = { 0x0A, 0, 1, 0, 0 };
        memcpy(deep + n, innermost, sizeof innermost);
        n += sizeof innermost;
        assert_int_equal(ar_canon_validate(deep, n),
                         levels <= AR_CANON_MAX_DEPTH ? 0 : ARCHASE_EPARSE);
    }
}

static void every_truncation_of_a_record_is_rejected(void **state) {
    (void)state;
    ar_canon c;
    ar_canon_init(&c, NULL);
    archase_money m = { 1, "USD" };
    ar_canon_begin_record(&c, 2);
    ar_canon_put_str(&c, 1, "INV-1");
    ar_canon_put_money(&c, 2, &m);
    ar_canon_field(&c, 3);
    ar_canon_begin_list(&c);
    ar_canon_str(&c, "a");
    ar_canon_end_list(&c);
    ar_canon_end_record(&c);
    const uint8_t *d;
    size_t s;
    assert_int_equal(ar_canon_finish(&c, &d, &s), 0);
    for (size_t cut = 0; cut < s; cut++)
        assert_int_equal(ar_canon_validate(d, cut), ARCHASE_EPARSE);
    assert_int_equal(ar_canon_validate(d, s), 0);
    ar_canon_free(&c);
}

static int encode_with(const archase_allocator *a, void *ctx) {
    (void)ctx;
    ar_canon c;
    ar_canon_init(&c, a);
    ar_canon_begin_record(&c, 1);
    for (uint16_t f = 1; f <= 64; f++)
        ar_canon_put_str(&c, f, "a string long enough to make the buffer grow more than once");
    ar_canon_end_record(&c);
    const uint8_t *d;
    size_t s;
    int rc = ar_canon_finish(&c, &d, &s);
    if (!rc)
        rc = ar_canon_validate(d, s);
    ar_canon_free(&c);
    return rc;
}

static void survives_every_allocation_failure(void **state) {
    (void)state;
    assert_true(failalloc_loop(encode_with, NULL, NULL) >= 2);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(encodes_the_documented_bytes),
    cmocka_unit_test(decodes_what_it_encodes),
    cmocka_unit_test(different_records_never_encode_equal),
    cmocka_unit_test(misuse_is_reported_not_encoded),
    cmocka_unit_test(strict_decoding_rejects_malformed_input),
    cmocka_unit_test(every_truncation_of_a_record_is_rejected),
    cmocka_unit_test(survives_every_allocation_failure),
};

AR_TEST_MAIN(tests)
