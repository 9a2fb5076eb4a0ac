/* tests/test_cov_audit.c — the edges of the audit API: checkpoints, their
 * text form and keys given what they must refuse, signers that fail or
 * misbehave, and every read of the store's log (size, id, roots, proofs,
 * checkpoints, verification, export) when a storage call fails under it:
 * a storage error with a message, and no output written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archase/archase.h"
#include "support/faultstore.h"
#include "support/testutil.h"

#define H ARCHASE_HASH_SIZE

/* RFC 8032 §7.1, TEST 1. */
static const char key1_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";
static const char key1_public_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
    "-----END PUBLIC KEY-----\n";
/* An X25519 private key: PEM, PKCS#8, but not Ed25519. */
static const char x25519_private_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VuBCIEIHcHbQpzGKV9PBbBclGyZkXfTC+H68CZKrF3+6UduSwq\n"
    "-----END PRIVATE KEY-----\n";

static archase_signing_key *load_key(void) {
    archase_signing_key *key = NULL;
    assert_int_equal(archase_signing_key_from_pem(key1_pem, strlen(key1_pem), NULL, &key), 0);
    return key;
}

static archase_checkpoint signed_checkpoint(archase_signing_key *key) {
    archase_checkpoint cp;
    archase_signer signer;
    uint8_t root[H];
    memset(root, 0xab, sizeof root);
    assert_int_equal(archase_checkpoint_init(&cp, "ar-log", 12, root, 1767225600), 0);
    assert_int_equal(archase_signing_key_signer(key, &signer), 0);
    assert_int_equal(archase_checkpoint_sign(&cp, &signer), 0);
    return cp;
}

/* ---- checkpoints ----------------------------------------------------------------- */

static void checkpoint_functions_refuse_what_they_cannot_use(void **state) {
    (void)state;
    archase_signing_key *key = load_key();
    archase_checkpoint cp = signed_checkpoint(key), bad;
    uint8_t pub[32], body[ARCHASE_CHECKPOINT_BODY_MAX];
    size_t len = 77;
    char text[ARCHASE_CHECKPOINT_TEXT_MAX];
    assert_int_equal(archase_signing_key_public(key, pub), 0);

    assert_int_equal(archase_checkpoint_init(&bad, NULL, 1, cp.root, 0), ARCHASE_EINVAL);
    assert_int_equal(archase_checkpoint_body(&cp, NULL, sizeof body, &len), ARCHASE_EINVAL);
    assert_int_equal(archase_checkpoint_body(&cp, body, sizeof body, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_checkpoint_body(NULL, body, sizeof body, &len), ARCHASE_EINVAL);
    assert_int_equal(archase_checkpoint_body(&cp, body, 10, &len), ARCHASE_EBUFSIZE);
    assert_int_equal(len, 77);
    bad = cp;
    bad.version = 2;
    assert_int_equal(archase_checkpoint_body(&bad, body, sizeof body, &len), ARCHASE_EVERSION);
    assert_int_equal(archase_checkpoint_verify(&bad, pub), ARCHASE_EVERSION);
    bad = cp;
    bad.size = (uint64_t)INT64_MAX + 1;
    assert_int_equal(archase_checkpoint_body(&bad, body, sizeof body, &len), ARCHASE_EINVAL);
    assert_int_equal(archase_checkpoint_format(&bad, text, sizeof text), ARCHASE_EINVAL);
    bad = cp;
    bad.log_id[0] = ' ';
    assert_int_equal(archase_checkpoint_verify(&bad, pub), ARCHASE_EINVAL);
    assert_int_equal(archase_checkpoint_format(&cp, NULL, 0), ARCHASE_EINVAL);
    assert_int_equal(archase_checkpoint_format(NULL, text, sizeof text), ARCHASE_EINVAL);

    /* Verification: no key, another key id, a key that is no Ed25519 point. */
    assert_int_equal(archase_checkpoint_verify(&cp, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_checkpoint_verify(&cp, pub), 0);
    bad = cp;
    bad.key_id[0] ^= 1;
    assert_int_equal(archase_checkpoint_verify(&bad, pub), ARCHASE_EVERIFY);
    bad = cp;
    bad.signature[10] ^= 1;
    assert_int_equal(archase_checkpoint_verify(&bad, pub), ARCHASE_EVERIFY);
    bad = cp;
    bad.time++;
    assert_int_equal(archase_checkpoint_verify(&bad, pub), ARCHASE_EVERIFY);

    /* Keys. */
    assert_int_equal(archase_signing_key_public(NULL, pub), ARCHASE_EINVAL);
    assert_int_equal(archase_signing_key_public(key, NULL), ARCHASE_EINVAL);
    archase_signer signer;
    assert_int_equal(archase_signing_key_signer(NULL, &signer), ARCHASE_EINVAL);
    assert_int_equal(archase_signing_key_signer(key, NULL), ARCHASE_EINVAL);
    archase_signing_key *other = NULL;
    assert_int_equal(archase_signing_key_from_pem(NULL, 0, NULL, &other), ARCHASE_EINVAL);
    assert_int_equal(archase_signing_key_from_pem(key1_pem, strlen(key1_pem), NULL, NULL), ARCHASE_EINVAL);
    archase_allocator bad_alloc = { 3, NULL, NULL, NULL, NULL };
    assert_int_equal(archase_signing_key_from_pem(key1_pem, strlen(key1_pem), &bad_alloc, &other),
                     ARCHASE_EVERSION);
    assert_int_equal(archase_signing_key_from_pem("not a key", 9, NULL, &other), ARCHASE_EPARSE);
    assert_int_equal(archase_signing_key_from_pem(key1_public_pem, strlen(key1_public_pem), NULL, &other),
                     ARCHASE_EPARSE);
    assert_int_equal(archase_signing_key_from_pem(x25519_private_pem, strlen(x25519_private_pem), NULL, &other),
                     ARCHASE_EPARSE);
    assert_null(other);
    uint8_t from_pem[32];
    assert_int_equal(archase_public_key_from_pem(NULL, 0, from_pem), ARCHASE_EINVAL);
    assert_int_equal(archase_public_key_from_pem(key1_public_pem, strlen(key1_public_pem), NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_public_key_from_pem(key1_public_pem, strlen(key1_public_pem), from_pem), 0);
    assert_memory_equal(from_pem, pub, 32);
    archase_signing_key_free(NULL);
    archase_signing_key_free(key);
}

static void signing_keys_load_from_files(void **state) {
    (void)state;
    char dir[] = "/tmp/archase-covaudit-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[96];
    archase_signing_key *key = NULL;
    assert_int_equal(archase_signing_key_load(NULL, NULL, &key), ARCHASE_EINVAL);
    snprintf(path, sizeof path, "%s/key.pem", dir);
    assert_int_equal(archase_signing_key_load(path, NULL, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_signing_key_load(path, NULL, &key), ARCHASE_EIO); /* missing */
    /* A file far larger than any key. */
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (int i = 0; i < 2000; i++)
        fputs("0123456789", f);
    fclose(f);
    assert_int_equal(archase_signing_key_load(path, NULL, &key), ARCHASE_EPARSE);
    /* A folder cannot be read as a file. */
    assert_int_equal(archase_signing_key_load(dir, NULL, &key), ARCHASE_EIO);
    f = fopen(path, "wb");
    assert_non_null(f);
    fputs(key1_pem, f);
    fclose(f);
    assert_int_equal(archase_signing_key_load(path, NULL, &key), 0);
    archase_signing_key_free(key);
    unlink(path);
    rmdir(dir);
}

/* A signer whose functions fail, or whose key changes between calls. */
typedef struct fake_signer {
    archase_signing_key *key;
    int                  fail_public, fail_sign, calls;
    uint8_t              other_key[32];
} fake_signer;

static int fake_public(void *userdata, uint8_t out[32]) {
    fake_signer *s = userdata;
    if (s->fail_public)
        return -1;
    /* The second call (the engine asks first, then signing asks) gives another key. */
    if (s->calls++ && s->other_key[0])
        memcpy(out, s->other_key, 32);
    else
        archase_signing_key_public(s->key, out);
    return 0;
}

static int fake_sign(void *userdata, const uint8_t *message, size_t size, uint8_t signature[64]) {
    fake_signer *s = userdata;
    archase_signer real;
    if (s->fail_sign)
        return -1;
    archase_signing_key_signer(s->key, &real);
    return real.sign(real.userdata, message, size, signature);
}

static void signers_that_fail_are_callback_errors(void **state) {
    (void)state;
    archase_signing_key *key = load_key();
    archase_checkpoint cp = signed_checkpoint(key), before;
    before = cp;
    fake_signer fs;
    memset(&fs, 0, sizeof fs);
    fs.key = key;
    archase_signer s = { ARCHASE_SIGNER_VERSION, &fs, fake_public, fake_sign };
    assert_int_equal(archase_checkpoint_sign(&cp, NULL), ARCHASE_EINVAL);
    s.version = 9;
    assert_int_equal(archase_checkpoint_sign(&cp, &s), ARCHASE_EVERSION);
    s.version = ARCHASE_SIGNER_VERSION;
    s.sign = NULL;
    assert_int_equal(archase_checkpoint_sign(&cp, &s), ARCHASE_EINVAL);
    s.sign = fake_sign;
    s.public_key = NULL;
    assert_int_equal(archase_checkpoint_sign(&cp, &s), ARCHASE_EINVAL);
    s.public_key = fake_public;
    fs.fail_public = 1;
    assert_int_equal(archase_checkpoint_sign(&cp, &s), ARCHASE_ECALLBACK);
    fs.fail_public = 0;
    fs.fail_sign = 1;
    assert_int_equal(archase_checkpoint_sign(&cp, &s), ARCHASE_ECALLBACK);
    /* A public key that is not a point on the curve verifies nothing. */
    fs.fail_sign = 0;
    memset(fs.other_key, 0xff, 32);
    fs.calls = 1;
    assert_int_equal(archase_checkpoint_sign(&cp, &s), ARCHASE_EVERIFY);
    assert_memory_equal(&cp, &before, sizeof cp); /* nothing written */
    archase_signing_key_free(key);
}

/* ---- the text form ----------------------------------------------------------------------- */

static void text_forms_that_are_not_canonical_are_refused(void **state) {
    (void)state;
    archase_signing_key *key = load_key();
    archase_checkpoint cp = signed_checkpoint(key), out;
    char text[ARCHASE_CHECKPOINT_TEXT_MAX], edited[ARCHASE_CHECKPOINT_TEXT_MAX + 200];
    assert_int_equal(archase_checkpoint_format(&cp, text, sizeof text), 0);
    assert_int_equal(archase_checkpoint_parse(text, strlen(text), &out), 0);
    assert_memory_equal(&out, &cp, sizeof cp);
    static const struct {
        const char *from, *to;
    } edits[] = {
        { "archase-checkpoint v1\n", "archase-checkpoint v2\n" },
        { "log-id ar-log\n", "log-id \n" },
        { "log-id ar-log\n", "logid ar-log\n" },
        { "log-id ar-log\n", "log-id ar log\n" },
        { "log-id ar-log\n", "log-idXar-log\n" },
        { "log-id ar-log\n", "log-id ar-\x01log\n" },
        { "size 12\n", "size 012\n" },
        { "size 12\n", "size -12\n" },
        { "size 12\n", "size 1x\n" },
        { "size 12\n", "size 9223372036854775808\n" },
        { "size 12\n", "size 12345678901234567890\n" },
        { "size 12\n", "size \n" },
        { "root ", "root =" },
        { "root ", "root *" },
        { "time 1767225600\n", "time -0\n" },
        { "time 1767225600\n", "time -\n" },
        { "time 1767225600\n", "time 01767225600\n" },
        { "time 1767225600\n", "time 1767225600.5\n" },
        { "key-id ", "key-id A" },
        { "key-id ", "key-id 00" }, /* 17 digits */
        { "key-id ", "key-id g" },
        { "signature ", "signature =" },
        { "signature ", "signature !" },
    };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        char *at = strstr(text, edits[i].from);
        assert_non_null(at);
        snprintf(edited, sizeof edited, "%.*s%s%s", (int)(at - text), text, edits[i].to, at + strlen(edits[i].from));
        /* key-id and root edits keep their length by dropping a character after. */
        if (!strcmp(edits[i].from, "key-id ") || !strcmp(edits[i].from, "root ") ||
            !strcmp(edits[i].from, "signature ")) {
            char *v = strstr(edited, edits[i].to) + strlen(edits[i].to);
            memmove(v, v + 1, strlen(v + 1) + 1);
        }
        memset(&out, 0x77, sizeof out);
        archase_checkpoint untouched = out;
        if (archase_checkpoint_parse(edited, strlen(edited), &out) != ARCHASE_EPARSE)
            fail_msg("edit %zu accepted:\n%s", i, edited);
        assert_memory_equal(&out, &untouched, sizeof out);
    }
    /* The extremes that are canonical. */
    archase_checkpoint ext = cp;
    ext.size = (uint64_t)INT64_MAX;
    ext.time = INT64_MIN;
    assert_int_equal(archase_checkpoint_format(&ext, text, sizeof text), 0);
    assert_int_equal(archase_checkpoint_parse(text, strlen(text), &out), 0);
    assert_true(out.time == INT64_MIN);
    ext.time = -1;
    ext.size = 0;
    assert_int_equal(archase_checkpoint_format(&ext, text, sizeof text), 0);
    assert_int_equal(archase_checkpoint_parse(text, strlen(text), &out), 0);
    assert_true(out.time == -1);
    /* Text after the signature line, and a time below INT64_MIN. */
    assert_int_equal(archase_checkpoint_format(&cp, text, sizeof text), 0);
    snprintf(edited, sizeof edited, "%sx", text);
    assert_int_equal(archase_checkpoint_parse(edited, strlen(edited), &out), ARCHASE_EPARSE);
    char *t = strstr(text, "time ");
    snprintf(edited, sizeof edited, "%.*stime -9223372036854775809%s", (int)(t - text), text, strchr(t, '\n'));
    assert_int_equal(archase_checkpoint_parse(edited, strlen(edited), &out), ARCHASE_EPARSE);
    /* A log id as long as one can be, and one longer. */
    char id[ARCHASE_LOG_ID_MAX + 2];
    memset(id, 'a', sizeof id);
    id[ARCHASE_LOG_ID_MAX] = '\0';
    assert_int_equal(archase_checkpoint_init(&ext, id, 1, cp.root, 0), 0);
    assert_int_equal(archase_checkpoint_format(&ext, text, sizeof text), 0);
    assert_int_equal(archase_checkpoint_parse(text, strlen(text), &out), 0);
    char *l = strstr(text, "log-id ") + 7;
    snprintf(edited, sizeof edited, "%.*sb%s", (int)(l - text), text, l);
    assert_int_equal(archase_checkpoint_parse(edited, strlen(edited), &out), ARCHASE_EPARSE);
    archase_signing_key_free(key);
}

/* ---- the store's log when storage fails ----------------------------------------------------- */

static archase_instant fixed_now(void *userdata) {
    return *(archase_instant *)userdata;
}

typedef struct logfix {
    faultstore      *fs;
    archase_engine  *eng;
    archase_instant  now;
    archase_clock    clock;
} logfix;

static void open_log(logfix *f, const archase_allocator *a) {
    archase_storage inner, wrapped;
    assert_int_equal(archase_memory_storage_new(a, &inner), 0);
    f->fs = test_malloc(sizeof *f->fs);
    faultstore_wrap(f->fs, &inner, 0, &wrapped);
    f->now = 1767225600;
    f->clock = (archase_clock){ ARCHASE_CLOCK_VERSION, &f->now, fixed_now };
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    o.clock = &f->clock;
    o.allocator = a;
    assert_int_equal(archase_engine_open(&wrapped, &o, &f->eng), 0);
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME";
    c.source_link = "crm://1";
    assert_int_equal(archase_customer_put(f->eng, &c, NULL), 0);
    for (int i = 0; i < 6; i++) {
        archase_invoice inv = ARCHASE_INVOICE_INIT;
        char id[8];
        snprintf(id, sizeof id, "I%d", i);
        inv.id = id;
        inv.customer_id = "C1";
        inv.issue_date = 20454;
        inv.due_date = 20484;
        inv.amount = (archase_money){ 100 + i, "EUR" };
        f->now += 5;
        assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), 0);
        if (i == 2) {
            archase_signing_key *key = load_key();
            archase_signer signer;
            archase_signing_key_signer(key, &signer);
            assert_int_equal(archase_audit_checkpoint(f->eng, &signer, NULL), 0);
            archase_signing_key_free(key);
        }
    }
}

static void close_log(logfix *f) {
    archase_engine_free(f->eng);
    test_free(f->fs);
}

typedef struct outputs {
    uint64_t             size;
    char                 id[ARCHASE_LOG_ID_MAX + 1];
    uint8_t              root[H], leaf[H];
    uint8_t              proof[ARCHASE_MERKLE_PROOF_MAX * H];
    size_t               proof_len;
    archase_audit_report report;
    int                  checkpoints;
    size_t               exported;
} outputs;

static int count_checkpoint(void *userdata, const archase_checkpoint *cp, const uint8_t key[32]) {
    (void)cp;
    (void)key;
    ((outputs *)userdata)->checkpoints++;
    return 0;
}

static int count_bytes(void *userdata, const void *data, size_t size) {
    (void)data;
    ((outputs *)userdata)->exported += size;
    return 0;
}

/* Each read of the log, by number. */
static int read_log(archase_engine *eng, int which, outputs *o) {
    switch (which) {
    case 0: return archase_audit_size(eng, &o->size);
    case 1: return archase_audit_log_id(eng, o->id, sizeof o->id);
    case 2: return archase_audit_root(eng, 7, o->root);
    case 3: return archase_audit_prove_inclusion(eng, 5, 8, o->leaf, o->proof, ARCHASE_MERKLE_PROOF_MAX, &o->proof_len);
    case 4: return archase_audit_prove_consistency(eng, 3, 8, o->proof, ARCHASE_MERKLE_PROOF_MAX, &o->proof_len);
    case 5: return archase_audit_checkpoints(eng, count_checkpoint, o);
    case 6: return archase_audit_verify(eng, NULL, &o->report);
    default: return archase_audit_export(eng, count_bytes, o);
    }
}

static void every_read_of_the_log_reports_a_failing_store(void **state) {
    (void)state;
    logfix f;
    open_log(&f, NULL);
    int failures = 0;
    for (int which = 0; which < 8; which++) {
        outputs good;
        memset(&good, 0, sizeof good);
        assert_int_equal(read_log(f.eng, which, &good), 0);
        for (size_t n = 1;; n++) {
            outputs o;
            memset(&o, 0x3c, sizeof o);
            o.checkpoints = 0;
            o.exported = 0;
            outputs untouched = o;
            f.fs->failures = 0;
            f.fs->fail_at = f.fs->calls + n;
            int rc = read_log(f.eng, which, &o);
            int failed = f.fs->failures > 0;
            f.fs->fail_at = 0;
            if (!failed) {
                assert_int_equal(rc, 0);
                break;
            }
            failures++;
            if (rc != ARCHASE_ESTORAGE)
                fail_msg("read %d, call %zu: %s (%s)", which, n, archase_error_name(rc),
                         archase_engine_errmsg(f.eng));
            assert_true(archase_engine_errmsg(f.eng)[0] != '\0');
            /* Nothing handed out, except what an export had written before. */
            if (which == 5 || which == 7) {
                assert_true(o.checkpoints <= 1);
            } else {
                assert_memory_equal(&o, &untouched, sizeof o);
            }
        }
    }
    assert_true(failures >= 8);
    close_log(&f);
}

static void arguments_of_the_log_reads_are_checked(void **state) {
    (void)state;
    logfix f;
    open_log(&f, NULL);
    outputs o;
    memset(&o, 0, sizeof o);
    char small[8];
    assert_int_equal(archase_audit_log_id(NULL, o.id, sizeof o.id), ARCHASE_EINVAL);
    assert_int_equal(archase_audit_log_id(f.eng, NULL, 0), ARCHASE_EINVAL);
    assert_int_equal(archase_audit_log_id(f.eng, small, sizeof small), ARCHASE_EBUFSIZE);
    assert_non_null(strstr(archase_engine_errmsg(f.eng), "too small"));
    assert_int_equal(archase_audit_size(f.eng, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_audit_root(NULL, 1, o.root), ARCHASE_EINVAL);
    assert_int_equal(archase_audit_root(f.eng, 1, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_audit_prove_inclusion(NULL, 0, 1, NULL, o.proof, 65, &o.proof_len), ARCHASE_EINVAL);
    assert_int_equal(archase_audit_prove_inclusion(f.eng, 0, 1, NULL, NULL, 65, &o.proof_len), ARCHASE_EINVAL);
    assert_int_equal(archase_audit_prove_inclusion(f.eng, 0, 1, NULL, o.proof, 65, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_audit_prove_consistency(NULL, 1, 2, o.proof, 65, &o.proof_len), ARCHASE_EINVAL);
    assert_int_equal(archase_audit_prove_consistency(f.eng, 1, 2, NULL, 65, &o.proof_len), ARCHASE_EINVAL);
    assert_int_equal(archase_audit_prove_consistency(f.eng, 1, 2, o.proof, 65, NULL), ARCHASE_EINVAL);
    /* A proof with no room for its hashes, and a leaf of a tree of one. */
    assert_int_equal(archase_audit_prove_consistency(f.eng, 1, 8, o.proof, 1, &o.proof_len), ARCHASE_EBUFSIZE);
    assert_non_null(strstr(archase_engine_errmsg(f.eng), "room for 1"));
    assert_int_equal(archase_audit_prove_inclusion(f.eng, 0, 1, NULL, NULL, 0, &o.proof_len), 0);
    assert_int_equal(o.proof_len, 0);
    assert_int_equal(archase_audit_checkpoints(NULL, count_checkpoint, &o), ARCHASE_EINVAL);
    assert_int_equal(archase_audit_checkpoints(f.eng, NULL, &o), ARCHASE_EINVAL);
    assert_int_equal(archase_audit_export(NULL, count_bytes, &o), ARCHASE_EINVAL);
    assert_null(archase_audit_kind_name(0));
    assert_null(archase_audit_kind_name(ARCHASE_AUDIT_KIND_LIMIT_));
    for (int p = 0; p <= ARCHASE_AUDIT_PROBLEM_STATE; p++)
        assert_non_null(archase_audit_problem_name(p));
    close_log(&f);
}


/* ---- the Merkle and hash functions ------------------------------------------------------------ */

static void merkle_and_hex_functions_refuse_bad_arguments(void **state) {
    (void)state;
    uint8_t leaves[5 * H], root[H], leaf[H], proof[ARCHASE_MERKLE_PROOF_MAX * H];
    size_t len = 123;
    for (int i = 0; i < 5; i++)
        assert_int_equal(archase_merkle_leaf_hash(&i, sizeof i, leaves + i * H), 0);
    memcpy(leaf, leaves, H);
    assert_int_equal(archase_merkle_root(leaves, 5, root), 0);
    assert_int_equal(archase_merkle_node_hash(NULL, leaf, root), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_node_hash(leaf, NULL, root), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_node_hash(leaf, leaf, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_root(NULL, 3, root), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_root(leaves, 3, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_root(leaves, UINT64_MAX, root), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_verify_inclusion(NULL, 0, 5, proof, 1, root), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_verify_inclusion(leaf, 0, 5, proof, 1, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_verify_inclusion(leaf, 0, 5, NULL, 1, root), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_verify_consistency(2, 5, proof, 1, NULL, root), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_verify_consistency(2, 5, proof, 1, root, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_verify_consistency(2, 5, NULL, 1, root, root), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_prove_inclusion(leaves, 5, 0, proof, 65, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_prove_inclusion(leaves, 5, 0, NULL, 65, &len), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_prove_inclusion(NULL, 5, 0, proof, 65, &len), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_prove_inclusion(leaves, 5, 5, proof, 65, &len), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_prove_inclusion(leaves, 5, 0, proof, 2, &len), ARCHASE_EBUFSIZE);
    assert_int_equal(archase_merkle_prove_consistency(leaves, 2, 5, proof, 65, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_prove_consistency(leaves, 2, 5, NULL, 65, &len), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_prove_consistency(NULL, 2, 5, proof, 65, &len), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_prove_consistency(leaves, 0, 5, proof, 65, &len), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_prove_consistency(leaves, 6, 5, proof, 65, &len), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_prove_consistency(leaves, 2, 5, proof, 1, &len), ARCHASE_EBUFSIZE);
    assert_int_equal(len, 123);
    /* A tree of one leaf: an empty proof; consistency to itself: empty too. */
    assert_int_equal(archase_merkle_prove_inclusion(leaves, 1, 0, NULL, 0, &len), 0);
    assert_int_equal(len, 0);
    assert_int_equal(archase_merkle_verify_inclusion(leaf, 0, 1, NULL, 0, leaf), 0);
    assert_int_equal(archase_merkle_prove_consistency(leaves, 5, 5, NULL, 0, &len), 0);
    assert_int_equal(len, 0);
    assert_int_equal(archase_merkle_verify_consistency(5, 5, NULL, 0, root, root), 0);
    assert_int_equal(archase_merkle_verify_consistency(0, 5, NULL, 0, root, root), ARCHASE_EVERIFY);
    assert_int_equal(archase_merkle_verify_consistency(6, 5, NULL, 0, root, root), ARCHASE_EVERIFY);
    /* The leaf hash of nothing. */
    assert_int_equal(archase_merkle_leaf_hash(NULL, 0, leaf), 0);
    assert_int_equal(archase_merkle_leaf_hash(NULL, 1, leaf), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_leaf_hash(leaves, 1, NULL), ARCHASE_EINVAL);

    /* Hex both ways. */
    char hex[9];
    uint8_t bytes[4];
    assert_int_equal(archase_hex_encode(NULL, 1, hex, sizeof hex), ARCHASE_EINVAL);
    assert_int_equal(archase_hex_encode("ab", 2, NULL, 0), ARCHASE_EINVAL);
    assert_int_equal(archase_hex_encode("abcd", 4, hex, 8), ARCHASE_EBUFSIZE);
    assert_int_equal(archase_hex_encode(NULL, 0, hex, 1), 0);
    assert_string_equal(hex, "");
    assert_int_equal(archase_hex_encode("\x01\xab\xff\x10", 4, hex, sizeof hex), 0);
    assert_string_equal(hex, "01abff10");
    assert_int_equal(archase_hex_decode(NULL, bytes, 4, &len), ARCHASE_EINVAL);
    assert_int_equal(archase_hex_decode("00", bytes, 4, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_hex_decode("00", NULL, 4, &len), ARCHASE_EINVAL);
    assert_int_equal(archase_hex_decode("0", bytes, 4, &len), ARCHASE_EPARSE);
    assert_int_equal(archase_hex_decode("0g", bytes, 4, &len), ARCHASE_EPARSE);
    assert_int_equal(archase_hex_decode("0:", bytes, 4, &len), ARCHASE_EPARSE);
    assert_int_equal(archase_hex_decode("0011223344", bytes, 4, &len), ARCHASE_EBUFSIZE);
    assert_int_equal(archase_hex_decode("09aFAf", bytes, 4, &len), 0);
    assert_int_equal(len, 3);
    assert_memory_equal(bytes, "\x09\xaf\xaf", 3);
    assert_int_equal(archase_sha256(NULL, 1, root), ARCHASE_EINVAL);
    assert_int_equal(archase_sha256("x", 1, NULL), ARCHASE_EINVAL);
}


/* ---- stored checkpoints damaged by hand ---------------------------------------------------------- */

typedef struct stored {
    char    id[64];
    uint8_t data[512];
    size_t  size;
} stored;

static int keep_stored(void *ctx, const archase_record *r) {
    stored *st = ctx;
    snprintf(st->id, sizeof st->id, "%s", r->id);
    assert_true(r->size <= sizeof st->data);
    memcpy(st->data, r->data, r->size);
    st->size = r->size;
    return 0;
}

static void put_stored(archase_storage *s, const stored *st, const uint8_t *data) {
    archase_record r = ARCHASE_RECORD_INIT;
    r.family = ARCHASE_FAMILY_CHECKPOINT;
    r.id = st->id;
    r.amount = 3;
    r.data = data;
    r.size = st->size;
    assert_int_equal(s->put(s->userdata, &r), 0);
}

static void a_stored_checkpoint_that_does_not_decode_is_a_storage_error(void **state) {
    (void)state;
    logfix f;
    open_log(&f, NULL);
    archase_storage *inner = &f.fs->inner;
    archase_scan_filter fl = ARCHASE_SCAN_FILTER_INIT;
    fl.family = ARCHASE_FAMILY_CHECKPOINT;
    stored st;
    memset(&st, 0, sizeof st);
    assert_int_equal(inner->scan(inner->userdata, &fl, keep_stored, &st), 0);
    assert_true(st.size > 190);
    /* RECORD "CK" of 7 fields: 1 the log id (STRING), 2 the size (INT), 3 the
     * root (HASH), 4 the time (INSTANT), 5 the key id, 6 the signature and
     * 7 the public key (BYTES). Offsets follow from the log id's length. */
    size_t id_len = (size_t)st.data[8] << 24 | (size_t)st.data[9] << 16 | (size_t)st.data[10] << 8 | st.data[11];
    size_t f2 = 12 + id_len, f3 = f2 + 11, f4 = f3 + 35, f5 = f4 + 11, f6 = f5 + 15, f7 = f6 + 71;
    assert_int_equal(st.data[f7 + 1], 7);
    const struct {
        size_t  at;
        uint8_t value;
        const char *what;
    } damage[] = {
        { 2, 0x4c, "another record kind" },       { 6, 2, "field 2 first" },
        { 7, 0x04, "a log id of bytes" },         { 12, ' ', "a log id with a space" },
        { f2 + 2, 0x07, "a size that is an instant" }, { f2 + 3, 0x80, "a negative size" },
        { f3 + 2, 0x07, "a root that is no hash" },   { f4 + 2, 0x02, "a time that is an integer" },
        { f5 + 2, 0x03, "a key id that is text" },    { f5 + 6, 7, "a key id of 7 bytes" },
        { f6 + 2, 0x03, "a signature that is text" }, { f7 + 2, 0x03, "a public key that is text" },
        { f7 + 1, 8, "a field 8" },
    };
    archase_audit_report r;
    for (size_t i = 0; i < sizeof damage / sizeof damage[0]; i++) {
        uint8_t bad[512];
        memcpy(bad, st.data, st.size);
        bad[damage[i].at] = damage[i].value;
        put_stored(inner, &st, bad);
        outputs o;
        memset(&o, 0, sizeof o);
        int rc = archase_audit_checkpoints(f.eng, count_checkpoint, &o);
        if (rc != ARCHASE_ESTORAGE || !strstr(archase_engine_errmsg(f.eng), "cannot be decoded"))
            fail_msg("%s: %s (%s)", damage[i].what, archase_error_name(rc), archase_engine_errmsg(f.eng));
        assert_int_equal(o.checkpoints, 0);
        assert_int_equal(archase_audit_export(f.eng, count_bytes, &o), ARCHASE_ESTORAGE);
        rc = archase_audit_verify(f.eng, NULL, &r);
        assert_true(rc == ARCHASE_ESTORAGE || rc == ARCHASE_EVERIFY);
    }
    /* Put back, it decodes and verifies again. */
    put_stored(inner, &st, st.data);
    assert_int_equal(archase_audit_verify(f.eng, NULL, &r), 0);
    assert_int_equal(r.checkpoints, 1);
    close_log(&f);
}


/* ---- the log's recorded state removed or damaged by hand ----------------------------------------- */

static void a_recorded_state_that_is_gone_or_damaged_is_named(void **state) {
    (void)state;
    logfix f;
    open_log(&f, NULL);
    archase_storage *inner = &f.fs->inner;
    stored st;
    memset(&st, 0, sizeof st);
    assert_int_equal(inner->get(inner->userdata, ARCHASE_FAMILY_META, "audit.chain", keep_stored, &st), 0);
    archase_audit_report r;
    outputs o;
    memset(&o, 0, sizeof o);

    /* Gone: the records are there, the state is not. */
    assert_int_equal(inner->del(inner->userdata, ARCHASE_FAMILY_META, "audit.chain"), 0);
    assert_int_equal(archase_audit_verify(f.eng, NULL, &r), ARCHASE_EVERIFY);
    assert_int_equal(r.problem, ARCHASE_AUDIT_PROBLEM_STATE);
    assert_non_null(strstr(r.message, "its recorded state (meta 'audit.chain') is gone"));
    /* An export still says what the records say. */
    assert_int_equal(archase_audit_export(f.eng, count_bytes, &o), 0);
    assert_true(o.exported > 0);

    /* Damaged: not a state at all. */
    archase_record m = ARCHASE_RECORD_INIT;
    m.family = ARCHASE_FAMILY_META;
    m.id = "audit.chain";
    m.data = "not a state";
    m.size = 11;
    assert_int_equal(inner->put(inner->userdata, &m), 0);
    assert_int_equal(archase_audit_verify(f.eng, NULL, &r), ARCHASE_EVERIFY);
    assert_int_equal(r.problem, ARCHASE_AUDIT_PROBLEM_STATE);
    assert_int_equal(r.first_bad, 0);
    assert_non_null(strstr(r.message, "cannot be decoded"));
    assert_non_null(strstr(archase_engine_errmsg(f.eng), "does not verify"));
    o.exported = 0;
    assert_int_equal(archase_audit_export(f.eng, count_bytes, &o), 0);
    assert_true(o.exported > 0);

    /* Damaged field by field: RECORD of 3 fields, 1 the size (INT), 2 the
     * head (HASH), 3 the subtree roots (LIST of HASH). */
    assert_true(st.size > 60 && st.data[0] == 0x0A && st.data[7] == 0x02 && st.data[18] == 0x08 &&
                st.data[53] == 0x09);
    static const struct {
        size_t  at;
        uint8_t value;
    } damage[] = { { 2, 0x00 }, { 6, 2 }, { 7, 0x07 }, { 8, 0x80 }, { 17, 3 }, { 52, 4 }, { 57, 0 } };
    for (size_t i = 0; i < sizeof damage / sizeof damage[0]; i++) {
        uint8_t bad[512];
        memcpy(bad, st.data, st.size);
        bad[damage[i].at] = damage[i].value;
        m.data = bad;
        m.size = st.size;
        assert_int_equal(inner->put(inner->userdata, &m), 0);
        assert_int_equal(archase_audit_verify(f.eng, NULL, &r), ARCHASE_EVERIFY);
        assert_int_equal(r.problem, ARCHASE_AUDIT_PROBLEM_STATE);
        if (!strstr(r.message, "cannot be decoded"))
            fail_msg("byte %zu: %s", damage[i].at, r.message);
    }

    /* Put back: verified. Options that cannot be used are refused first. */
    m.data = st.data;
    m.size = st.size;
    assert_int_equal(inner->put(inner->userdata, &m), 0);
    assert_int_equal(archase_audit_verify(f.eng, NULL, &r), 0);
    archase_audit_verify_options vo = ARCHASE_AUDIT_VERIFY_OPTIONS_INIT;
    vo.trusted_key_count = 1;
    assert_int_equal(archase_audit_verify(f.eng, &vo, &r), ARCHASE_EINVAL);
    assert_non_null(strstr(archase_engine_errmsg(f.eng), "need their arrays"));
    vo.trusted_key_count = 0;
    vo.version = 5;
    assert_int_equal(archase_audit_verify(f.eng, &vo, &r), ARCHASE_EVERSION);
    assert_non_null(strstr(archase_engine_errmsg(f.eng), "version 5"));
    assert_int_equal(archase_audit_verify(NULL, NULL, &r), ARCHASE_EINVAL);
    close_log(&f);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(checkpoint_functions_refuse_what_they_cannot_use),
    cmocka_unit_test(signing_keys_load_from_files),
    cmocka_unit_test(signers_that_fail_are_callback_errors),
    cmocka_unit_test(text_forms_that_are_not_canonical_are_refused),
    cmocka_unit_test(every_read_of_the_log_reports_a_failing_store),
    cmocka_unit_test(arguments_of_the_log_reads_are_checked),
    cmocka_unit_test(merkle_and_hex_functions_refuse_bad_arguments),
    cmocka_unit_test(a_stored_checkpoint_that_does_not_decode_is_a_storage_error),
    cmocka_unit_test(a_recorded_state_that_is_gone_or_damaged_is_named),
};

AR_TEST_MAIN(tests)
