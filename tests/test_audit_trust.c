/* tests/test_audit_trust.c — whom the audit log trusts: checkpoints kept by a
 * third party checked against several trusted keys, signed by an unknown key
 * or damaged; signing a checkpoint with a signer that cannot be used, fails or
 * changes its key midway, which leaves the log as it was; a log whose
 * recorded state was rolled back behind records that are all intact;
 * checkpoints put into the store by hand; and exports to a writer that
 * gives up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "archase/sys/storage.h"
#include "support/testutil.h"

#define H ARCHASE_HASH_SIZE

/* RFC 8032 §7.1, TEST 1, 2 and 3. */
static const char key1_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";
static const char key2_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIEzNCJso/5banbbDRuwRTg9bijGfNaumJNqM9u1PuKb7\n"
    "-----END PRIVATE KEY-----\n";
static const char key3_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIMWqjfQ/n4N77bdELzHct7Fm04U1B28JS4XOOi4LRFj3\n"
    "-----END PRIVATE KEY-----\n";

typedef struct fixture {
    archase_storage      store; /* the engine's backend, for editing behind its back */
    archase_engine      *eng;
    archase_instant      now;
    archase_clock        clock;
    archase_signing_key *keys[3];
    uint8_t              pub[3][32];
} fixture;

static archase_instant fixed_now(void *userdata) {
    return *(archase_instant *)userdata;
}

static void add_invoices(fixture *f, int from, int to) {
    for (int i = from; i < to; i++) {
        archase_invoice inv = ARCHASE_INVOICE_INIT;
        char id[16];
        snprintf(id, sizeof id, "I%03d", i);
        inv.id = id;
        inv.customer_id = "C1";
        inv.issue_date = 20454;
        inv.due_date = 20484;
        inv.amount = (archase_money){ 1000 + i, "EUR" };
        f->now += 7;
        assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), 0);
    }
}

static int setup(void **state) {
    fixture *f = test_calloc(1, sizeof *f);
    const char *const pems[3] = { key1_pem, key2_pem, key3_pem };
    for (int i = 0; i < 3; i++) {
        assert_int_equal(archase_signing_key_from_pem(pems[i], strlen(pems[i]), NULL, &f->keys[i]), 0);
        assert_int_equal(archase_signing_key_public(f->keys[i], f->pub[i]), 0);
    }
    assert_int_equal(archase_memory_storage_new(NULL, &f->store), 0);
    f->now = 1767225600;
    f->clock = (archase_clock){ ARCHASE_CLOCK_VERSION, &f->now, fixed_now };
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    o.clock = &f->clock;
    o.actor = "erp-sync";
    assert_int_equal(archase_engine_open(&f->store, &o, &f->eng), 0);
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME";
    assert_int_equal(archase_customer_put(f->eng, &c, NULL), 0);
    add_invoices(f, 1, 5); /* records 0-4 */
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    archase_engine_free(f->eng);
    for (int i = 0; i < 3; i++)
        archase_signing_key_free(f->keys[i]);
    test_free(f);
    return 0;
}

static uint64_t log_size(fixture *f) {
    uint64_t n = 0;
    assert_int_equal(archase_audit_size(f->eng, &n), 0);
    return n;
}

/* A checkpoint of the log as it is, signed by key `k`, kept outside the store. */
static archase_checkpoint third_party_copy(fixture *f, int k) {
    archase_checkpoint cp;
    char id[ARCHASE_LOG_ID_MAX + 1];
    uint8_t root[H];
    uint64_t n = log_size(f);
    assert_int_equal(archase_audit_log_id(f->eng, id, sizeof id), 0);
    assert_int_equal(archase_audit_root(f->eng, n, root), 0);
    assert_int_equal(archase_checkpoint_init(&cp, id, n, root, f->now), 0);
    archase_signer signer;
    assert_int_equal(archase_signing_key_signer(f->keys[k], &signer), 0);
    assert_int_equal(archase_checkpoint_sign(&cp, &signer), 0);
    return cp;
}

/* ---- checkpoints kept by a third party ----------------------------------- */

static void a_copy_is_checked_with_whichever_trusted_key_signed_it(void **state) {
    fixture *f = *state;
    archase_checkpoint cp = third_party_copy(f, 1);
    uint8_t keys[2 * 32];
    memcpy(keys, f->pub[0], 32);
    memcpy(keys + 32, f->pub[1], 32); /* the signer's key is the second */
    archase_audit_verify_options o = ARCHASE_AUDIT_VERIFY_OPTIONS_INIT;
    o.trusted_keys = keys;
    o.trusted_key_count = 2;
    o.checkpoints = &cp;
    o.checkpoint_count = 1;
    archase_audit_report r;
    assert_int_equal(archase_audit_verify(f->eng, &o, &r), 0);
    assert_int_equal(r.checkpoints, 1);
    assert_int_equal(r.size, 5);
    assert_string_equal(r.message, "5 records verified; 1 checkpoints");
}

static void a_copy_signed_by_a_key_nobody_trusts_is_named(void **state) {
    fixture *f = *state;
    archase_checkpoint cp = third_party_copy(f, 2);
    uint8_t keys[2 * 32];
    memcpy(keys, f->pub[0], 32);
    memcpy(keys + 32, f->pub[1], 32);
    archase_audit_verify_options o = ARCHASE_AUDIT_VERIFY_OPTIONS_INIT;
    o.trusted_keys = keys;
    o.trusted_key_count = 2;
    o.checkpoints = &cp;
    o.checkpoint_count = 1;
    archase_audit_report r;
    assert_int_equal(archase_audit_verify(f->eng, &o, &r), ARCHASE_EVERIFY);
    assert_int_equal(r.problem, ARCHASE_AUDIT_PROBLEM_CHECKPOINT);
    assert_int_equal(r.first_bad, 5);
    char expected[200];
    snprintf(expected, sizeof expected,
             "the given checkpoint of size 5 is signed by key %02x%02x%02x%02x..., which is not trusted",
             cp.key_id[0], cp.key_id[1], cp.key_id[2], cp.key_id[3]);
    assert_string_equal(r.message, expected);
    assert_int_equal(r.checkpoints, 0);
}

static void a_copy_whose_signature_was_damaged_is_named(void **state) {
    fixture *f = *state;
    archase_checkpoint cp = third_party_copy(f, 0);
    cp.signature[10] ^= 0x40;
    archase_audit_verify_options o = ARCHASE_AUDIT_VERIFY_OPTIONS_INIT;
    o.trusted_keys = f->pub[0];
    o.trusted_key_count = 1;
    o.checkpoints = &cp;
    o.checkpoint_count = 1;
    archase_audit_report r;
    assert_int_equal(archase_audit_verify(f->eng, &o, &r), ARCHASE_EVERIFY);
    assert_int_equal(r.problem, ARCHASE_AUDIT_PROBLEM_CHECKPOINT);
    assert_int_equal(r.first_bad, 5);
    assert_string_equal(r.message,
                        "the given checkpoint of size 5 is forged or damaged: its signature does not verify");
}

/* ---- signing the log ------------------------------------------------------- */

typedef struct host_signer {
    archase_signing_key *key;       /* signs */
    const uint8_t       *first_key; /* the public key given first */
    const uint8_t       *later_key; /* ... and from the second request on */
    int                  fail_public, fail_sign, calls;
} host_signer;

static int host_public(void *userdata, uint8_t out[32]) {
    host_signer *s = userdata;
    if (s->fail_public)
        return -7;
    memcpy(out, s->calls++ == 0 ? s->first_key : s->later_key, 32);
    return 0;
}

static int host_sign(void *userdata, const uint8_t *message, size_t size, uint8_t signature[64]) {
    host_signer *s = userdata;
    if (s->fail_sign)
        return -7;
    archase_signer real;
    archase_signing_key_signer(s->key, &real);
    return real.sign(real.userdata, message, size, signature);
}

static int count_checkpoints(void *userdata, const archase_checkpoint *cp, const uint8_t key[32]) {
    (void)cp;
    (void)key;
    (*(int *)userdata)++;
    return 0;
}

/* The log is as it was: same size, no stored checkpoint, verified. */
static void assert_log_untouched(fixture *f) {
    assert_int_equal(log_size(f), 5);
    int n = 0;
    assert_int_equal(archase_audit_checkpoints(f->eng, count_checkpoints, &n), 0);
    assert_int_equal(n, 0);
    archase_audit_report r;
    assert_int_equal(archase_audit_verify(f->eng, NULL, &r), 0);
    assert_int_equal(r.size, 5);
}

static void signers_that_cannot_be_used_are_refused_before_anything_is_written(void **state) {
    fixture *f = *state;
    host_signer hs = { f->keys[0], f->pub[0], f->pub[0], 0, 0, 0 };
    archase_signer s = { ARCHASE_SIGNER_VERSION, &hs, host_public, host_sign };
    assert_int_equal(archase_audit_checkpoint(f->eng, NULL, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_audit_checkpoint(NULL, &s, NULL), ARCHASE_EINVAL);
    s.version = 2;
    assert_int_equal(archase_audit_checkpoint(f->eng, &s, NULL), ARCHASE_EVERSION);
    assert_string_equal(archase_engine_errmsg(f->eng), "signer version 2 is not supported");
    s.version = ARCHASE_SIGNER_VERSION;
    s.sign = NULL;
    assert_int_equal(archase_audit_checkpoint(f->eng, &s, NULL), ARCHASE_EINVAL);
    assert_string_equal(archase_engine_errmsg(f->eng), "the signer needs public_key and sign");
    s.sign = host_sign;
    s.public_key = NULL;
    assert_int_equal(archase_audit_checkpoint(f->eng, &s, NULL), ARCHASE_EINVAL);
    s.public_key = host_public;
    /* Not while a batch is open. */
    archase_batch *b = NULL;
    assert_int_equal(archase_batch_begin(f->eng, NULL, NULL, &b), 0);
    assert_int_equal(archase_audit_checkpoint(f->eng, &s, NULL), ARCHASE_ESTATE);
    assert_string_equal(archase_engine_errmsg(f->eng), "a batch is open on this engine");
    archase_batch_free(b);
    assert_int_equal(hs.calls, 0);
    assert_log_untouched(f);
}

static void a_signer_that_fails_or_changes_its_key_leaves_the_log_as_it_was(void **state) {
    fixture *f = *state;
    archase_checkpoint out;
    memset(&out, 0xaa, sizeof out);
    archase_checkpoint before = out;
    host_signer hs = { f->keys[0], f->pub[0], f->pub[0], 1, 0, 0 };
    archase_signer s = { ARCHASE_SIGNER_VERSION, &hs, host_public, host_sign };
    assert_int_equal(archase_audit_checkpoint(f->eng, &s, &out), ARCHASE_ECALLBACK);
    assert_string_equal(archase_engine_errmsg(f->eng), "the signer could not give its public key");
    assert_log_untouched(f);

    hs.fail_public = 0;
    hs.fail_sign = 1;
    assert_int_equal(archase_audit_checkpoint(f->eng, &s, &out), ARCHASE_ECALLBACK);
    assert_string_equal(archase_engine_errmsg(f->eng), "the signer failed");
    assert_log_untouched(f);

    /* It gives key 1 to be stored, then signs (and vouches) with key 2:
     * the signature is good for key 2, not for the key it would be kept with. */
    hs.fail_sign = 0;
    hs.calls = 0;
    hs.key = f->keys[1];
    hs.later_key = f->pub[1];
    assert_int_equal(archase_audit_checkpoint(f->eng, &s, &out), ARCHASE_EVERIFY);
    assert_string_equal(archase_engine_errmsg(f->eng), "the signer's public key changed while it signed");
    assert_int_equal(hs.calls, 2);
    assert_memory_equal(&out, &before, sizeof out);
    assert_log_untouched(f);

    /* With one key throughout it signs, and the log says so. */
    hs.calls = 0;
    hs.key = f->keys[0];
    hs.later_key = f->pub[0];
    assert_int_equal(archase_audit_checkpoint(f->eng, &s, &out), 0);
    assert_int_equal(out.size, 5);
    assert_int_equal(archase_checkpoint_verify(&out, f->pub[0]), 0);
    assert_int_equal(log_size(f), 6);
}

/* ---- the recorded state rolled back ---------------------------------------- */

typedef struct kept {
    uint8_t data[4096];
    size_t  size;
} kept;

static int keep(void *ctx, const archase_record *r) {
    kept *k = ctx;
    assert_true(r->size <= sizeof k->data);
    memcpy(k->data, r->data, r->size);
    k->size = r->size;
    return 0;
}

static void records_past_a_rolled_back_state_are_extra(void **state) {
    fixture *f = *state;
    kept old;
    assert_int_equal(f->store.get(f->store.userdata, ARCHASE_FAMILY_META, "audit.chain", keep, &old), 0);
    add_invoices(f, 5, 8); /* records 5-7, each sound and chained */
    archase_audit_report r;
    assert_int_equal(archase_audit_verify(f->eng, NULL, &r), 0);
    assert_int_equal(r.size, 8);
    /* Someone puts back the state of five records. */
    archase_record m = ARCHASE_RECORD_INIT;
    m.family = ARCHASE_FAMILY_META;
    m.id = "audit.chain";
    m.data = old.data;
    m.size = old.size;
    assert_int_equal(f->store.put(f->store.userdata, &m), 0);
    assert_int_equal(archase_audit_verify(f->eng, NULL, &r), ARCHASE_EVERIFY);
    assert_int_equal(r.problem, ARCHASE_AUDIT_PROBLEM_EXTRA);
    assert_int_equal(r.first_bad, 5);
    assert_int_equal(r.records, 8);
    assert_string_equal(r.message, "records from 5 on were added after the log's recorded end (5 records)");
}

/* ---- who writes ---------------------------------------------------------------- */

static void an_engine_whose_actor_is_not_text_records_nothing(void **state) {
    (void)state;
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    o.actor = "erp\xff";
    archase_engine *eng = NULL;
    assert_int_equal(archase_open_memory(&o, &eng), 0);
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME";
    assert_int_equal(archase_customer_put(eng, &c, NULL), ARCHASE_EINVAL);
    assert_string_equal(archase_engine_errmsg(eng), "an audit record needs an actor: non-empty UTF-8");
    uint64_t n = 99;
    assert_int_equal(archase_audit_size(eng, &n), 0);
    assert_int_equal(n, 0);
    archase_engine_free(eng);
}

static void verify_options_and_proof_buffers_are_checked(void **state) {
    fixture *f = *state;
    archase_audit_verify_options o;
    memset(&o, 0x11, sizeof o);
    assert_int_equal(archase_audit_verify_options_init(NULL, ARCHASE_AUDIT_VERIFY_OPTIONS_VERSION), ARCHASE_EINVAL);
    assert_int_equal(archase_audit_verify_options_init(&o, ARCHASE_AUDIT_VERIFY_OPTIONS_VERSION + 1),
                     ARCHASE_EVERSION);
    assert_int_equal(archase_audit_verify_options_init(&o, ARCHASE_AUDIT_VERIFY_OPTIONS_VERSION), 0);
    assert_int_equal(o.version, ARCHASE_AUDIT_VERIFY_OPTIONS_VERSION);
    assert_null(o.trusted_keys);
    assert_int_equal(o.checkpoint_count, 0);
    /* Room for hashes but no buffer to put them in. */
    size_t len = 77;
    assert_int_equal(archase_audit_prove_consistency(f->eng, 2, 5, NULL, 4, &len), ARCHASE_EINVAL);
    assert_int_equal(archase_audit_prove_consistency(f->eng, 2, 5, NULL, 0, NULL), ARCHASE_EINVAL);
    assert_int_equal(len, 77);
    uint8_t proof[ARCHASE_MERKLE_PROOF_MAX * 32];
    assert_int_equal(archase_audit_prove_consistency(f->eng, 2, 5, proof, ARCHASE_MERKLE_PROOF_MAX, &len), 0);
    uint8_t r2[32], r5[32];
    assert_int_equal(archase_audit_root(f->eng, 2, r2), 0);
    assert_int_equal(archase_audit_root(f->eng, 5, r5), 0);
    assert_int_equal(archase_merkle_verify_consistency(2, 5, proof, len, r2, r5), 0);
}

/* ---- checkpoints put into the store by hand ------------------------------------ */

static void a_checkpoint_copied_from_another_log_does_not_vouch_for_this_one(void **state) {
    fixture *f = *state;
    /* Another log of three records, signed with the same key. */
    archase_storage other_store;
    assert_int_equal(archase_memory_storage_new(NULL, &other_store), 0);
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    o.clock = &f->clock;
    archase_engine *other = NULL;
    assert_int_equal(archase_engine_open(&other_store, &o, &other), 0);
    for (int i = 0; i < 3; i++) {
        archase_customer c = ARCHASE_CUSTOMER_INIT;
        char id[8];
        snprintf(id, sizeof id, "X%d", i);
        c.id = id;
        c.name = "Other";
        assert_int_equal(archase_customer_put(other, &c, NULL), 0);
    }
    archase_signer signer;
    assert_int_equal(archase_signing_key_signer(f->keys[0], &signer), 0);
    archase_checkpoint theirs;
    assert_int_equal(archase_audit_checkpoint(other, &signer, &theirs), 0);
    kept copy;
    char id[32];
    snprintf(id, sizeof id, "%020d", 3);
    assert_int_equal(other_store.get(other_store.userdata, ARCHASE_FAMILY_CHECKPOINT, id, keep, &copy), 0);
    archase_engine_free(other);

    archase_record m = ARCHASE_RECORD_INIT;
    m.family = ARCHASE_FAMILY_CHECKPOINT;
    m.id = id;
    m.amount = 3;
    m.data = copy.data;
    m.size = copy.size;
    assert_int_equal(f->store.put(f->store.userdata, &m), 0);
    archase_audit_report r;
    assert_int_equal(archase_audit_verify(f->eng, NULL, &r), ARCHASE_EVERIFY);
    /* Its root is not this log's root of three records: those are in doubt. */
    assert_int_equal(r.problem, ARCHASE_AUDIT_PROBLEM_ROOT);
    assert_int_equal(r.first_bad, 2);
    assert_string_equal(r.message, "the first 3 records do not have the expected root: record 2 differs from what "
                                   "was recorded, and so may records 0 to 2");
    assert_string_not_equal(theirs.log_id, r.log_id);
}

static void a_stored_checkpoint_that_is_not_one_is_blamed_on_the_record_its_id_names(void **state) {
    fixture *f = *state;
    archase_record m = ARCHASE_RECORD_INIT;
    m.family = ARCHASE_FAMILY_CHECKPOINT;
    m.id = "00000000000000000004";
    m.amount = 4;
    m.data = "not a checkpoint";
    m.size = 16;
    assert_int_equal(f->store.put(f->store.userdata, &m), 0);
    archase_audit_report r;
    assert_int_equal(archase_audit_verify(f->eng, NULL, &r), ARCHASE_EVERIFY);
    assert_int_equal(r.problem, ARCHASE_AUDIT_PROBLEM_CHECKPOINT);
    assert_int_equal(r.first_bad, 4);
    assert_string_equal(r.message, "stored checkpoint '00000000000000000004' is not a well-formed checkpoint");
    /* An id that names no record: the log's start is blamed. */
    assert_int_equal(f->store.del(f->store.userdata, ARCHASE_FAMILY_CHECKPOINT, m.id), 0);
    m.id = "latest";
    assert_int_equal(f->store.put(f->store.userdata, &m), 0);
    assert_int_equal(archase_audit_verify(f->eng, NULL, &r), ARCHASE_EVERIFY);
    assert_int_equal(r.first_bad, 0);
    assert_string_equal(r.message, "stored checkpoint 'latest' is not a well-formed checkpoint");
}

/* ---- exporting to a writer that gives up --------------------------------------- */

typedef struct stop_writer {
    int calls, stop_at;
} stop_writer;

static int write_until(void *userdata, const void *data, size_t size) {
    stop_writer *w = userdata;
    (void)data;
    assert_true(size > 0);
    return ++w->calls == w->stop_at ? ARCHASE_EIO : 0;
}

static void an_export_stops_with_its_writers_code_wherever_it_gives_up(void **state) {
    fixture *f = *state;
    archase_signer signer;
    assert_int_equal(archase_signing_key_signer(f->keys[0], &signer), 0);
    assert_int_equal(archase_audit_checkpoint(f->eng, &signer, NULL), 0);
    /* A header, one checkpoint line, six record lines. */
    stop_writer all = { 0, 0 };
    assert_int_equal(archase_audit_export(f->eng, write_until, &all), 0);
    int lines = all.calls;
    assert_true(lines >= 8);
    for (int n = 1; n <= lines; n++) {
        stop_writer w = { 0, n };
        assert_int_equal(archase_audit_export(f->eng, write_until, &w), ARCHASE_EIO);
        assert_int_equal(w.calls, n); /* nothing more after the refusal */
    }
    archase_audit_report r;
    assert_int_equal(archase_audit_verify(f->eng, NULL, &r), 0);
    assert_int_equal(r.size, 6);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

static const struct CMUnitTest tests[] = {
    T(a_copy_is_checked_with_whichever_trusted_key_signed_it),
    T(a_copy_signed_by_a_key_nobody_trusts_is_named),
    T(a_copy_whose_signature_was_damaged_is_named),
    T(signers_that_cannot_be_used_are_refused_before_anything_is_written),
    T(a_signer_that_fails_or_changes_its_key_leaves_the_log_as_it_was),
    T(records_past_a_rolled_back_state_are_extra),
    T(verify_options_and_proof_buffers_are_checked),
    T(an_export_stops_with_its_writers_code_wherever_it_gives_up),
    T(a_checkpoint_copied_from_another_log_does_not_vouch_for_this_one),
    T(a_stored_checkpoint_that_is_not_one_is_blamed_on_the_record_its_id_names),
    cmocka_unit_test(an_engine_whose_actor_is_not_text_records_nothing),
};

AR_TEST_MAIN(tests)
