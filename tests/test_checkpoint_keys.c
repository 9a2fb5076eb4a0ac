/* tests/test_checkpoint_keys.c — only Ed25519 keys sign and check
 * checkpoints: public keys of other curves are refused as well formed PEM of
 * the wrong kind, lengths past what the PEM reader takes are refused before
 * anything is read; and checkpoint texts with a NUL in the log id or a sign
 * in the key id are not checkpoints. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "archase/archase.h"
#include "support/testutil.h"

static const char ed25519_private_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";
static const char p256_public_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAESuqd52PIYcBH9XZJcsLvBM/Pki/V\n"
    "pxISUe1MFUaKV7HZX+urcMtgehwJJi+53qI08JdyL09bQsiycq6NSsHNAw==\n"
    "-----END PUBLIC KEY-----\n";
static const char p256_private_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgJF7bGiLWPN/Ys5cW\n"
    "4ufXYYJC4vAuTj1o9Kv1OXdbY9ehRANCAARK6p3nY8hhwEf1dklywu8Ez8+SL9Wn\n"
    "EhJR7UwVRopXsdlf66twy2B6HAkmL7neojTwl3IvT1tCyLJyro1Kwc0D\n"
    "-----END PRIVATE KEY-----\n";
static const char x25519_public_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VuAyEAYZxdgqALKbUbQxYJsLhA4Pmfoq7gc+XvnzvsNtrnAVA=\n"
    "-----END PUBLIC KEY-----\n";

static void keys_of_other_kinds_are_refused(void **state) {
    (void)state;
    uint8_t raw[32], before[32];
    memset(raw, 0x5a, sizeof raw);
    memcpy(before, raw, sizeof raw);
    assert_int_equal(archase_public_key_from_pem(p256_public_pem, strlen(p256_public_pem), raw), ARCHASE_EPARSE);
    assert_int_equal(archase_public_key_from_pem(x25519_public_pem, strlen(x25519_public_pem), raw), ARCHASE_EPARSE);
    assert_memory_equal(raw, before, sizeof raw);
    archase_signing_key *key = (archase_signing_key *)0x1;
    assert_int_equal(archase_signing_key_from_pem(p256_private_pem, strlen(p256_private_pem), NULL, &key),
                     ARCHASE_EPARSE);
    assert_ptr_equal(key, (archase_signing_key *)0x1);
    /* The Ed25519 key still loads. */
    assert_int_equal(archase_signing_key_from_pem(ed25519_private_pem, strlen(ed25519_private_pem), NULL, &key), 0);
    archase_signing_key_free(key);
}

static void lengths_past_what_the_pem_reader_takes_are_refused(void **state) {
    (void)state;
    uint8_t raw[32];
    archase_signing_key *key = (archase_signing_key *)0x1;
    size_t huge = (size_t)INT_MAX + 1;
    assert_int_equal(archase_public_key_from_pem(x25519_public_pem, huge, raw), ARCHASE_EPARSE);
    assert_int_equal(archase_signing_key_from_pem(ed25519_private_pem, huge, NULL, &key), ARCHASE_EPARSE);
    assert_ptr_equal(key, (archase_signing_key *)0x1);
}

static void checkpoint_texts_with_hidden_characters_are_refused(void **state) {
    (void)state;
    archase_signing_key *key = NULL;
    assert_int_equal(archase_signing_key_from_pem(ed25519_private_pem, strlen(ed25519_private_pem), NULL, &key), 0);
    archase_signer signer;
    assert_int_equal(archase_signing_key_signer(key, &signer), 0);
    uint8_t root[32];
    memset(root, 7, sizeof root);
    archase_checkpoint cp, out;
    assert_int_equal(archase_checkpoint_init(&cp, "ar-log", 12, root, 1767225600), 0);
    assert_int_equal(archase_checkpoint_sign(&cp, &signer), 0);
    char text[ARCHASE_CHECKPOINT_TEXT_MAX];
    assert_int_equal(archase_checkpoint_format(&cp, text, sizeof text), 0);
    size_t len = strlen(text);
    assert_int_equal(archase_checkpoint_parse(text, len, &out), 0);
    memset(&out, 0x33, sizeof out);
    archase_checkpoint untouched = out;
    /* "ar-log" with a NUL for its '-': the same length, another id. */
    char edited[ARCHASE_CHECKPOINT_TEXT_MAX];
    memcpy(edited, text, len);
    char *id = strstr(edited, "log-id ") + 7;
    assert_memory_equal(id, "ar-log\n", 7);
    id[2] = '\0';
    assert_int_equal(archase_checkpoint_parse(edited, len, &out), ARCHASE_EPARSE);
    /* A key id with a '-' among its hex digits. */
    memcpy(edited, text, len);
    char *kid = strstr(edited, "key-id ") + 7;
    kid[3] = '-';
    assert_int_equal(archase_checkpoint_parse(edited, len, &out), ARCHASE_EPARSE);
    assert_memory_equal(&out, &untouched, sizeof out);
    archase_signing_key_free(key);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(keys_of_other_kinds_are_refused),
    cmocka_unit_test(lengths_past_what_the_pem_reader_takes_are_refused),
    cmocka_unit_test(checkpoint_texts_with_hidden_characters_are_refused),
};

AR_TEST_MAIN(tests)
