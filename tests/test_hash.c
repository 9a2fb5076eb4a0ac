/* tests/test_hash.c — SHA-256 against the FIPS 180-4 examples; hex in and out. */
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/testutil.h"

static void assert_sha256_hex(const void *data, size_t size, const char *expected) {
    uint8_t out[ARCHASE_HASH_SIZE];
    char hex[ARCHASE_HASH_HEX_SIZE];
    assert_int_equal(archase_sha256(data, size, out), 0);
    assert_int_equal(archase_hex_encode(out, sizeof out, hex, sizeof hex), 0);
    assert_string_equal(hex, expected);
}

static void fips_180_4_one_block_message(void **state) {
    (void)state;
    assert_sha256_hex("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void fips_180_4_two_block_message(void **state) {
    (void)state;
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    assert_sha256_hex(m, strlen(m), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void fips_180_4_896_bit_message(void **state) {
    (void)state;
    const char *m = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                    "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    assert_sha256_hex(m, strlen(m), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void fips_180_4_million_a(void **state) {
    (void)state;
    char *m = malloc(1000000);
    assert_non_null(m);
    memset(m, 'a', 1000000);
    assert_sha256_hex(m, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(m);
}

static void empty_message(void **state) {
    (void)state;
    assert_sha256_hex(NULL, 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    uint8_t out[32];
    assert_int_equal(archase_sha256(NULL, 1, out), ARCHASE_EINVAL);
    assert_int_equal(archase_sha256("x", 1, NULL), ARCHASE_EINVAL);
}

static void hex_round_trips_and_rejects_garbage(void **state) {
    (void)state;
    uint8_t bytes[4] = { 0x00, 0xab, 0xCD, 0xff };
    char hex[9];
    assert_int_equal(archase_hex_encode(bytes, 4, hex, sizeof hex), 0);
    assert_string_equal(hex, "00abcdff");
    assert_int_equal(archase_hex_encode(bytes, 4, hex, 8), ARCHASE_EBUFSIZE);
    uint8_t back[4];
    size_t n = 0;
    assert_int_equal(archase_hex_decode("00ABcdFF", back, sizeof back, &n), 0);
    assert_int_equal(n, 4);
    assert_memory_equal(back, bytes, 4);
    assert_int_equal(archase_hex_decode("abc", back, sizeof back, &n), ARCHASE_EPARSE);
    assert_int_equal(archase_hex_decode("zz", back, sizeof back, &n), ARCHASE_EPARSE);
    assert_int_equal(archase_hex_decode("0a0b0c0d0e", back, sizeof back, &n), ARCHASE_EBUFSIZE);
    assert_int_equal(archase_hex_decode("", back, sizeof back, &n), 0);
    assert_int_equal(n, 0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(fips_180_4_one_block_message),
    cmocka_unit_test(fips_180_4_two_block_message),
    cmocka_unit_test(fips_180_4_896_bit_message),
    cmocka_unit_test(fips_180_4_million_a),
    cmocka_unit_test(empty_message),
    cmocka_unit_test(hex_round_trips_and_rejects_garbage),
};

AR_TEST_MAIN(tests)
