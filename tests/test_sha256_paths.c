/* tests/test_sha256_paths.c — SHA-256's two compressions, the processor's
 * SHA instructions where it has them and the portable C everywhere, give
 * the FIPS 180-4 digests and libcrypto's digest for every length and every
 * way the input is split into updates. */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "core/sha256.h"
#include "support/testutil.h"

#define H ARCHASE_HASH_SIZE

static int restore_choice(void **state) {
    (void)state;
    ar_sha256_force_portable(0);
    return 0;
}

static void assert_digest_hex(const uint8_t digest[H], const char *expected) {
    char hex[ARCHASE_HASH_HEX_SIZE];
    ar_hash_to_hex(digest, hex);
    assert_string_equal(hex, expected);
}

/* The digest of data through a context, fed in pieces of the given sizes
 * (then the rest in one piece). */
static void hash_in_pieces(const uint8_t *data, size_t size, const size_t *pieces, size_t n, uint8_t out[H]) {
    ar_sha256 h;
    assert_int_equal(ar_sha256_init(&h), 0);
    assert_int_equal(ar_sha256_begin(&h), 0);
    size_t at = 0;
    for (size_t i = 0; i < n && at < size; i++) {
        size_t take = pieces[i] < size - at ? pieces[i] : size - at;
        assert_int_equal(ar_sha256_update(&h, data + at, take), 0);
        at += take;
    }
    assert_int_equal(ar_sha256_update(&h, data + at, size - at), 0);
    assert_int_equal(ar_sha256_end(&h, out), 0);
    ar_sha256_free(&h);
}

static void libcrypto_digest(const uint8_t *data, size_t size, uint8_t out[H]) {
    unsigned int len = 0;
    assert_int_equal(EVP_Digest(data, size, out, &len, EVP_sha256(), NULL), 1);
    assert_int_equal(len, H);
}

static void fips_examples_on(int portable) {
    ar_sha256_force_portable(portable);
    static const struct {
        const char *message, *digest;
    } examples[] = {
        { "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
        { "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
        { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
        { "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
          "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
          "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
    };
    ar_sha256 h;
    assert_int_equal(ar_sha256_init(&h), 0);
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++) {
        uint8_t out[H];
        ar_span span = { examples[i].message, strlen(examples[i].message) };
        assert_int_equal(ar_sha256_spans(&h, &span, 1, out), 0);
        assert_digest_hex(out, examples[i].digest);
    }
    ar_sha256_free(&h);

    /* A million 'a', in pieces of 1000 through one reused context. */
    uint8_t *a = malloc(1000);
    assert_non_null(a);
    memset(a, 'a', 1000);
    assert_int_equal(ar_sha256_init(&h), 0);
    assert_int_equal(ar_sha256_begin(&h), 0);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(ar_sha256_update(&h, a, 1000), 0);
    uint8_t out[H];
    assert_int_equal(ar_sha256_end(&h, out), 0);
    assert_digest_hex(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    ar_sha256_free(&h);
    free(a);
}

static void fips_examples_with_the_portable_compression(void **state) {
    (void)state;
    fips_examples_on(1);
    assert_false(ar_sha256_accelerated());
}

static void fips_examples_with_the_processors_choice(void **state) {
    (void)state;
    fips_examples_on(0);
    print_message("# SHA-256 compression here: %s\n", ar_sha256_accelerated() ? "SHA instructions" : "portable C");
}

/* Every length from 0 to 1000, each split at random points, hashed by both
 * compressions and by libcrypto. */
static void every_length_and_split_gives_libcrypto_digest_on_both_paths(void **state) {
    (void)state;
    test_rng rng;
    test_rng_seed(&rng, 0x5a256);
    uint8_t *data = malloc(1000);
    assert_non_null(data);
    int step = test_under_valgrind() ? 7 : 1;
    for (size_t size = 0; size <= 1000; size += (size_t)step) {
        for (size_t i = 0; i < size; i++)
            data[i] = (uint8_t)test_rng_next(&rng);
        uint8_t expected[H], portable[H], chosen[H];
        libcrypto_digest(data, size, expected);
        for (int split = 0; split < 3; split++) {
            size_t pieces[8];
            for (size_t k = 0; k < 8; k++)
                pieces[k] = (size_t)test_rng_below(&rng, size + 1);
            ar_sha256_force_portable(1);
            hash_in_pieces(data, size, pieces, 8, portable);
            ar_sha256_force_portable(0);
            hash_in_pieces(data, size, pieces + split, 8 - (size_t)split, chosen);
            assert_memory_equal(portable, expected, H);
            assert_memory_equal(chosen, expected, H);
        }
    }
    free(data);
}

/* The public one-shot hash gives what a context gives. */
static void public_hash_matches_context(void **state) {
    (void)state;
    uint8_t data[300], via_api[H], via_context[H];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    assert_int_equal(archase_sha256(data, sizeof data, via_api), 0);
    size_t none = 0;
    hash_in_pieces(data, sizeof data, &none, 0, via_context);
    assert_memory_equal(via_api, via_context, H);
    libcrypto_digest(data, sizeof data, via_context);
    assert_memory_equal(via_api, via_context, H);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_teardown(fips_examples_with_the_portable_compression, restore_choice),
    cmocka_unit_test_teardown(fips_examples_with_the_processors_choice, restore_choice),
    cmocka_unit_test_teardown(every_length_and_split_gives_libcrypto_digest_on_both_paths, restore_choice),
    cmocka_unit_test_teardown(public_hash_matches_context, restore_choice),
};

AR_TEST_MAIN(tests)
