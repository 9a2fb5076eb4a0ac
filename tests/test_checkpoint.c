/* tests/test_checkpoint.c — signed checkpoints through the public API:
 * Ed25519 against RFC 8032, the pinned body and text form, forgeries and
 * wrong keys rejected, host signers, keys from PEM. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archase/archase.h"
#include "support/failalloc.h"
#include "support/testutil.h"

#define H ARCHASE_HASH_SIZE

/* RFC 8032 §7.1, TEST 1: the secret key as PKCS#8 PEM, its public key as
 * SubjectPublicKeyInfo PEM, and the raw values. */
static const char test1_private_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";
static const char test1_public_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
    "-----END PUBLIC KEY-----\n";
static const char test1_public_hex[] = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
static const char test1_empty_signature_hex[] =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46b"
    "d25bf5f0595bbe24655141438e7a100b";
/* The same public key labelled X25519: valid PEM, not a signing key. */
static const char x25519_public_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VuAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
    "-----END PUBLIC KEY-----\n";

/* The worked example of docs/audit-format.md: the 8-leaf RFC 6962 tree,
 * signed with the TEST 1 key (Ed25519 is deterministic). */
static const char example_root_hex[] = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328";
static const char example_body_hex[] =
    "0a43500004"
    "000103" "00000012" "6578616d706c652e636f6d2f61722d6c6f67"
    "000202" "0000000000000008"
    "000308" "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    "000407" "000000006955b900";
static const char example_text[] =
    "archase-checkpoint v1\n"
    "log-id example.com/ar-log\n"
    "size 8\n"
    "root XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"
    "time 1767225600\n"
    "key-id 21fe31dfa154a261\n"
    "signature SOZK/xBb0UnRHwcPVumo5wxPh609dyA3Fp9wnT7CSyfCfwKTkjFN45jYClQwtxJ1wlCUW2If5/twY1EjETr6DQ==\n";

static void from_hex(const char *hex, uint8_t *out, size_t size) {
    size_t n = 0;
    assert_int_equal(archase_hex_decode(hex, out, size, &n), 0);
    assert_int_equal(n, size);
}

static archase_signing_key *test1_key(void) {
    archase_signing_key *key = NULL;
    assert_int_equal(archase_signing_key_from_pem(test1_private_pem, strlen(test1_private_pem), NULL, &key), 0);
    return key;
}

static void example_checkpoint(archase_checkpoint *cp) {
    uint8_t root[H];
    from_hex(example_root_hex, root, H);
    assert_int_equal(archase_checkpoint_init(cp, "example.com/ar-log", 8, root, 1767225600), 0);
}

static void the_key_signs_like_rfc_8032(void **state) {
    (void)state;
    archase_signing_key *key = test1_key();
    archase_signer signer;
    uint8_t pub[32], expected_pub[32], sig[64], expected_sig[64];
    from_hex(test1_public_hex, expected_pub, 32);
    from_hex(test1_empty_signature_hex, expected_sig, 64);
    assert_int_equal(archase_signing_key_public(key, pub), 0);
    assert_memory_equal(pub, expected_pub, 32);
    assert_int_equal(archase_signing_key_signer(key, &signer), 0);
    assert_int_equal(signer.version, ARCHASE_SIGNER_VERSION);
    assert_int_equal(signer.public_key(signer.userdata, pub), 0);
    assert_memory_equal(pub, expected_pub, 32);
    assert_int_equal(signer.sign(signer.userdata, (const uint8_t *)"", 0, sig), 0);
    assert_memory_equal(sig, expected_sig, 64);
    /* The public key in PEM form gives the same raw key. */
    assert_int_equal(archase_public_key_from_pem(test1_public_pem, strlen(test1_public_pem), pub), 0);
    assert_memory_equal(pub, expected_pub, 32);
    archase_signing_key_free(key);
}

static void the_body_and_text_are_the_documented_bytes(void **state) {
    (void)state;
    archase_checkpoint cp;
    archase_signing_key *key = test1_key();
    archase_signer signer;
    uint8_t body[ARCHASE_CHECKPOINT_BODY_MAX], expected[ARCHASE_CHECKPOINT_BODY_MAX];
    size_t len = 0, n = 0;
    char text[ARCHASE_CHECKPOINT_TEXT_MAX];
    example_checkpoint(&cp);
    assert_int_equal(archase_hex_decode(example_body_hex, expected, sizeof expected, &n), 0);
    assert_int_equal(archase_checkpoint_body(&cp, body, sizeof body, &len), 0);
    assert_int_equal(len, n);
    assert_memory_equal(body, expected, n);
    assert_int_equal(archase_checkpoint_body(&cp, body, n - 1, &len), ARCHASE_EBUFSIZE);
    assert_int_equal(archase_signing_key_signer(key, &signer), 0);
    assert_int_equal(archase_checkpoint_sign(&cp, &signer), 0);
    assert_int_equal(archase_checkpoint_format(&cp, text, sizeof text), 0);
    assert_string_equal(text, example_text);
    assert_int_equal(archase_checkpoint_format(&cp, text, strlen(example_text)), ARCHASE_EBUFSIZE);
    archase_signing_key_free(key);
}

static void a_signed_checkpoint_verifies_and_round_trips(void **state) {
    (void)state;
    archase_checkpoint cp, back;
    uint8_t pub[32];
    char text[ARCHASE_CHECKPOINT_TEXT_MAX];
    from_hex(test1_public_hex, pub, 32);
    assert_int_equal(archase_checkpoint_parse(example_text, strlen(example_text), &cp), 0);
    assert_int_equal(cp.version, ARCHASE_CHECKPOINT_VERSION);
    assert_string_equal(cp.log_id, "example.com/ar-log");
    assert_int_equal(cp.size, 8);
    assert_int_equal(cp.time, 1767225600);
    assert_int_equal(archase_checkpoint_verify(&cp, pub), 0);
    assert_int_equal(archase_checkpoint_format(&cp, text, sizeof text), 0);
    assert_string_equal(text, example_text);
    /* Extreme values survive the text form. */
    uint8_t root[H];
    memset(root, 0xff, sizeof root);
    archase_signing_key *key = test1_key();
    archase_signer signer;
    assert_int_equal(archase_signing_key_signer(key, &signer), 0);
    const archase_instant times[] = { 0, -1, INT64_MIN, INT64_MAX };
    for (size_t i = 0; i < 4; i++) {
        char id[ARCHASE_LOG_ID_MAX + 1];
        memset(id, '~', ARCHASE_LOG_ID_MAX);
        id[ARCHASE_LOG_ID_MAX] = '\0';
        assert_int_equal(archase_checkpoint_init(&cp, i % 2 ? "x" : id, i ? (uint64_t)INT64_MAX : 0, root,
                                                 times[i]), 0);
        assert_int_equal(archase_checkpoint_sign(&cp, &signer), 0);
        assert_int_equal(archase_checkpoint_format(&cp, text, sizeof text), 0);
        assert_int_equal(archase_checkpoint_parse(text, strlen(text), &back), 0);
        assert_memory_equal(&back, &cp, sizeof cp);
        assert_int_equal(archase_checkpoint_verify(&back, pub), 0);
    }
    archase_signing_key_free(key);
}

static void forged_fields_and_wrong_keys_are_rejected(void **state) {
    (void)state;
    archase_checkpoint cp, forged;
    uint8_t pub[32], other_pub[32];
    from_hex(test1_public_hex, pub, 32);
    assert_int_equal(archase_checkpoint_parse(example_text, strlen(example_text), &cp), 0);
    assert_int_equal(archase_checkpoint_verify(&cp, pub), 0);
    forged = cp;
    forged.size = 9;
    assert_int_equal(archase_checkpoint_verify(&forged, pub), ARCHASE_EVERIFY);
    forged = cp;
    forged.size = 7;
    assert_int_equal(archase_checkpoint_verify(&forged, pub), ARCHASE_EVERIFY);
    forged = cp;
    forged.time += 1;
    assert_int_equal(archase_checkpoint_verify(&forged, pub), ARCHASE_EVERIFY);
    forged = cp;
    forged.log_id[0] = 'E';
    assert_int_equal(archase_checkpoint_verify(&forged, pub), ARCHASE_EVERIFY);
    for (size_t bit = 0; bit < 8 * H; bit++) {
        forged = cp;
        forged.root[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_int_equal(archase_checkpoint_verify(&forged, pub), ARCHASE_EVERIFY);
    }
    for (size_t bit = 0; bit < 8 * 64; bit++) {
        forged = cp;
        forged.signature[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_int_equal(archase_checkpoint_verify(&forged, pub), ARCHASE_EVERIFY);
    }
    forged = cp;
    forged.key_id[0] ^= 1;
    assert_int_equal(archase_checkpoint_verify(&forged, pub), ARCHASE_EVERIFY);
    /* Another key: every bit of the right one flipped in turn, and zeros. */
    for (size_t bit = 0; bit < 8 * 32; bit += 3) {
        memcpy(other_pub, pub, 32);
        other_pub[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_int_equal(archase_checkpoint_verify(&cp, other_pub), ARCHASE_EVERIFY);
    }
    memset(other_pub, 0, sizeof other_pub);
    assert_int_equal(archase_checkpoint_verify(&cp, other_pub), ARCHASE_EVERIFY);
    /* A key id made to match a wrong key does not help. */
    memset(other_pub, 0x42, sizeof other_pub);
    uint8_t digest[H];
    assert_int_equal(archase_sha256(other_pub, 32, digest), 0);
    forged = cp;
    memcpy(forged.key_id, digest, sizeof forged.key_id);
    assert_int_equal(archase_checkpoint_verify(&forged, other_pub), ARCHASE_EVERIFY);
}

/* ---- host signers ----------------------------------------------------------- */

typedef struct host_signer {
    archase_signing_key *key;
    int fail_public, fail_sign, lie;
    int calls;
} host_signer;

static int host_public(void *userdata, uint8_t out[32]) {
    host_signer *h = userdata;
    h->calls++;
    return h->fail_public ? -1 : archase_signing_key_public(h->key, out);
}

static int host_sign(void *userdata, const uint8_t *message, size_t size, uint8_t signature[64]) {
    host_signer *h = userdata;
    archase_signer inner;
    h->calls++;
    if (h->fail_sign)
        return 7;
    assert_int_equal(archase_signing_key_signer(h->key, &inner), 0);
    int rc = inner.sign(inner.userdata, message, size, signature);
    if (h->lie)
        signature[10] ^= 0x20;
    return rc;
}

static void a_host_signer_is_called_and_checked(void **state) {
    (void)state;
    host_signer h = { test1_key(), 0, 0, 0, 0 };
    archase_signer signer = { ARCHASE_SIGNER_VERSION, &h, host_public, host_sign };
    archase_checkpoint cp, untouched;
    uint8_t pub[32];
    char text[ARCHASE_CHECKPOINT_TEXT_MAX];
    example_checkpoint(&cp);
    untouched = cp;
    assert_int_equal(archase_checkpoint_sign(&cp, &signer), 0);
    assert_int_equal(h.calls, 2);
    assert_int_equal(archase_checkpoint_format(&cp, text, sizeof text), 0);
    assert_string_equal(text, example_text);
    assert_int_equal(archase_signing_key_public(h.key, pub), 0);
    assert_int_equal(archase_checkpoint_verify(&cp, pub), 0);
    /* Failures leave the checkpoint as it was. */
    cp = untouched;
    h.fail_public = 1;
    assert_int_equal(archase_checkpoint_sign(&cp, &signer), ARCHASE_ECALLBACK);
    assert_memory_equal(&cp, &untouched, sizeof cp);
    h.fail_public = 0;
    h.fail_sign = 1;
    assert_int_equal(archase_checkpoint_sign(&cp, &signer), ARCHASE_ECALLBACK);
    assert_memory_equal(&cp, &untouched, sizeof cp);
    h.fail_sign = 0;
    h.lie = 1;
    assert_int_equal(archase_checkpoint_sign(&cp, &signer), ARCHASE_EVERIFY);
    assert_memory_equal(&cp, &untouched, sizeof cp);
    h.lie = 0;
    signer.version = ARCHASE_SIGNER_VERSION + 1;
    assert_int_equal(archase_checkpoint_sign(&cp, &signer), ARCHASE_EVERSION);
    signer.version = ARCHASE_SIGNER_VERSION;
    signer.sign = NULL;
    assert_int_equal(archase_checkpoint_sign(&cp, &signer), ARCHASE_EINVAL);
    assert_int_equal(archase_checkpoint_sign(&cp, NULL), ARCHASE_EINVAL);
    assert_memory_equal(&cp, &untouched, sizeof cp);
    archase_signing_key_free(h.key);
}

static void checkpoints_that_break_the_rules_are_refused(void **state) {
    (void)state;
    archase_checkpoint cp, untouched;
    uint8_t root[H] = { 0 }, pub[32], body[ARCHASE_CHECKPOINT_BODY_MAX];
    size_t len;
    char text[ARCHASE_CHECKPOINT_TEXT_MAX], long_id[ARCHASE_LOG_ID_MAX + 2];
    from_hex(test1_public_hex, pub, 32);
    memset(&cp, 0x11, sizeof cp);
    untouched = cp;
    assert_int_equal(archase_checkpoint_init(&cp, "", 1, root, 0), ARCHASE_EINVAL);
    assert_int_equal(archase_checkpoint_init(&cp, "has space", 1, root, 0), ARCHASE_EINVAL);
    assert_int_equal(archase_checkpoint_init(&cp, "tab\there", 1, root, 0), ARCHASE_EINVAL);
    assert_int_equal(archase_checkpoint_init(&cp, "caf\xc3\xa9", 1, root, 0), ARCHASE_EINVAL);
    memset(long_id, 'a', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    assert_int_equal(archase_checkpoint_init(&cp, long_id, 1, root, 0), ARCHASE_EINVAL);
    assert_int_equal(archase_checkpoint_init(&cp, "log", (uint64_t)INT64_MAX + 1, root, 0), ARCHASE_EINVAL);
    assert_int_equal(archase_checkpoint_init(&cp, "log", 1, NULL, 0), ARCHASE_EINVAL);
    assert_int_equal(archase_checkpoint_init(NULL, "log", 1, root, 0), ARCHASE_EINVAL);
    assert_memory_equal(&cp, &untouched, sizeof cp);
    example_checkpoint(&cp);
    cp.version = 2;
    assert_int_equal(archase_checkpoint_body(&cp, body, sizeof body, &len), ARCHASE_EVERSION);
    assert_int_equal(archase_checkpoint_verify(&cp, pub), ARCHASE_EVERSION);
    assert_int_equal(archase_checkpoint_format(&cp, text, sizeof text), ARCHASE_EVERSION);
    example_checkpoint(&cp);
    cp.size = (uint64_t)INT64_MAX + 1;
    assert_int_equal(archase_checkpoint_verify(&cp, pub), ARCHASE_EINVAL);
    assert_int_equal(archase_checkpoint_verify(NULL, pub), ARCHASE_EINVAL);
    example_checkpoint(&cp);
    assert_int_equal(archase_checkpoint_verify(&cp, NULL), ARCHASE_EINVAL);
    /* An unsigned checkpoint does not verify. */
    assert_int_equal(archase_checkpoint_verify(&cp, pub), ARCHASE_EVERIFY);
}

/* Replaces the first `from` in the example text with `to` and parses it. */
static int parse_edited(const char *from, const char *to) {
    char text[1024];
    archase_checkpoint cp;
    const char *at = strstr(example_text, from);
    assert_non_null(at);
    size_t head = (size_t)(at - example_text);
    snprintf(text, sizeof text, "%.*s%s%s", (int)head, example_text, to, at + strlen(from));
    memset(&cp, 0x5c, sizeof cp);
    archase_checkpoint untouched = cp;
    int rc = archase_checkpoint_parse(text, strlen(text), &cp);
    if (rc)
        assert_memory_equal(&cp, &untouched, sizeof cp);
    return rc;
}

static void only_the_exact_text_form_parses(void **state) {
    (void)state;
    archase_checkpoint cp;
    assert_int_equal(parse_edited("size 8", "size 8"), 0);
    assert_int_equal(parse_edited("archase-checkpoint v1", "archase-checkpoint v2"), ARCHASE_EPARSE);
    assert_int_equal(parse_edited("size 8", "size 08"), ARCHASE_EPARSE);
    assert_int_equal(parse_edited("size 8", "size +8"), ARCHASE_EPARSE);
    assert_int_equal(parse_edited("size 8", "size -8"), ARCHASE_EPARSE);
    assert_int_equal(parse_edited("size 8", "size 9223372036854775808"), ARCHASE_EPARSE);
    assert_int_equal(parse_edited("size 8", "size  8"), ARCHASE_EPARSE);
    assert_int_equal(parse_edited("size 8", "size 8 "), ARCHASE_EPARSE);
    assert_int_equal(parse_edited("size 8", "size"), ARCHASE_EPARSE);
    assert_int_equal(parse_edited("time 1767225600", "time -0"), ARCHASE_EPARSE);
    assert_int_equal(parse_edited("time 1767225600", "time -9223372036854775808"), 0);
    assert_int_equal(parse_edited("time 1767225600", "time -9223372036854775809"), ARCHASE_EPARSE);
    assert_int_equal(parse_edited("log-id example.com/ar-log", "log-id example com"), ARCHASE_EPARSE);
    assert_int_equal(parse_edited("log-id", "log_id"), ARCHASE_EPARSE);
    assert_int_equal(parse_edited("key-id 21fe31dfa154a261", "key-id 21FE31DFA154A261"), ARCHASE_EPARSE);
    assert_int_equal(parse_edited("key-id 21fe31dfa154a261", "key-id 21fe31dfa154a2"), ARCHASE_EPARSE);
    assert_int_equal(parse_edited("Qyg=", "Qyh="), ARCHASE_EPARSE); /* unused bits set */
    assert_int_equal(parse_edited("Qyg=", "Qyg"), ARCHASE_EPARSE);
    assert_int_equal(parse_edited("XcnaeacG", "XcnaeacG="), ARCHASE_EPARSE);
    assert_int_equal(parse_edited("XcnaeacG", "Xcna eacG"), ARCHASE_EPARSE);
    assert_int_equal(parse_edited("6DQ==", "6DQ="), ARCHASE_EPARSE);
    assert_int_equal(parse_edited("size 8\n", "size 8\r\n"), ARCHASE_EPARSE);
    assert_int_equal(parse_edited("time 1767225600\n", ""), ARCHASE_EPARSE);
    assert_int_equal(parse_edited("6DQ==\n", "6DQ==\nmore\n"), ARCHASE_EPARSE);
    assert_int_equal(parse_edited("6DQ==\n", "6DQ=="), ARCHASE_EPARSE);
    /* Every truncation. */
    for (size_t cut = 0; cut < strlen(example_text); cut++)
        assert_int_equal(archase_checkpoint_parse(example_text, cut, &cp), ARCHASE_EPARSE);
    assert_int_equal(archase_checkpoint_parse(NULL, 0, &cp), ARCHASE_EINVAL);
    assert_int_equal(archase_checkpoint_parse(example_text, strlen(example_text), NULL), ARCHASE_EINVAL);
}

static void keys_come_from_pem_and_nothing_else(void **state) {
    (void)state;
    archase_signing_key *key = NULL;
    uint8_t pub[32];
    assert_int_equal(archase_public_key_from_pem(x25519_public_pem, strlen(x25519_public_pem), pub),
                     ARCHASE_EPARSE);
    assert_int_equal(archase_public_key_from_pem("not pem", 7, pub), ARCHASE_EPARSE);
    assert_int_equal(archase_public_key_from_pem(test1_private_pem, strlen(test1_private_pem), pub),
                     ARCHASE_EPARSE);
    assert_int_equal(archase_signing_key_from_pem(test1_public_pem, strlen(test1_public_pem), NULL, &key),
                     ARCHASE_EPARSE);
    assert_int_equal(archase_signing_key_from_pem("", 0, NULL, &key), ARCHASE_EPARSE);
    assert_null(key);
    /* From a file. */
    char path[] = "/tmp/archase-key-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, test1_private_pem, strlen(test1_private_pem)), (ssize_t)strlen(test1_private_pem));
    close(fd);
    assert_int_equal(archase_signing_key_load(path, NULL, &key), 0);
    assert_int_equal(archase_signing_key_public(key, pub), 0);
    uint8_t expected[32];
    from_hex(test1_public_hex, expected, 32);
    assert_memory_equal(pub, expected, 32);
    archase_signing_key_free(key);
    unlink(path);
    key = NULL;
    assert_int_equal(archase_signing_key_load(path, NULL, &key), ARCHASE_EIO);
    assert_null(key);
    archase_signing_key_free(NULL);
}

static int load_key_with(const archase_allocator *allocator, void *ctx) {
    (void)ctx;
    archase_signing_key *key = NULL;
    archase_signer signer;
    archase_checkpoint cp;
    int rc = archase_signing_key_from_pem(test1_private_pem, strlen(test1_private_pem), allocator, &key);
    if (rc)
        return rc;
    example_checkpoint(&cp);
    rc = archase_signing_key_signer(key, &signer);
    if (!rc)
        rc = archase_checkpoint_sign(&cp, &signer);
    archase_signing_key_free(key);
    return rc;
}

static void loading_a_key_survives_every_allocation_failure(void **state) {
    (void)state;
    assert_true(failalloc_loop(load_key_with, NULL, NULL) >= 1);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(the_key_signs_like_rfc_8032),
    cmocka_unit_test(the_body_and_text_are_the_documented_bytes),
    cmocka_unit_test(a_signed_checkpoint_verifies_and_round_trips),
    cmocka_unit_test(forged_fields_and_wrong_keys_are_rejected),
    cmocka_unit_test(a_host_signer_is_called_and_checked),
    cmocka_unit_test(checkpoints_that_break_the_rules_are_refused),
    cmocka_unit_test(only_the_exact_text_form_parses),
    cmocka_unit_test(keys_come_from_pem_and_nothing_else),
    cmocka_unit_test(loading_a_key_survives_every_allocation_failure),
};

AR_TEST_MAIN(tests)
