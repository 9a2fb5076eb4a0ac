/* tests/test_audit_log.c — the audit log an engine keeps in its store,
 * through the public API: facts become chained, Merkle-hashed records;
 * roots and proofs agree with the store-free Merkle functions; checkpoints are
 * signed, stored and recorded; the log verifies, exports and verifies alone;
 * an edited export is caught at its record; failures change nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/failalloc.h"
#include "support/faultstore.h"
#include "support/testutil.h"

#define H ARCHASE_HASH_SIZE

/* RFC 8032 §7.1, TEST 1 (docs/audit-format.md's example key). */
static const char key1_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";
/* RFC 8032 §7.1, TEST 2. */
static const char key2_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIEzNCJso/5banbbDRuwRTg9bijGfNaumJNqM9u1PuKb7\n"
    "-----END PRIVATE KEY-----\n";

typedef struct fixture {
    archase_engine *eng;
    archase_instant now;
    archase_clock   clock;
} fixture;

static archase_instant fixed_now(void *userdata) {
    return *(archase_instant *)userdata;
}

static int open_fixture(fixture *f, const archase_allocator *a) {
    f->now = 1767225600; /* 2026-01-01T00:00:00Z */
    f->clock = (archase_clock){ ARCHASE_CLOCK_VERSION, &f->now, fixed_now };
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    o.clock = &f->clock;
    o.actor = "importer";
    o.allocator = a;
    return archase_open_memory(&o, &f->eng);
}

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(open_fixture(f, NULL), 0);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    archase_engine_free(f->eng);
    free(f);
    return 0;
}

static int put_customer(archase_engine *eng, const char *id) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = id;
    c.name = "ACME; and sons";
    c.source_link = "crm://accounts/acme;v=2";
    return archase_customer_put(eng, &c, NULL);
}

static int put_invoice(archase_engine *eng, const char *id, const char *customer, int64_t minor) {
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    char link[64];
    snprintf(link, sizeof link, "erp://invoices/%s", id);
    inv.id = id;
    inv.customer_id = customer;
    inv.issue_date = 20454;
    inv.due_date = 20484;
    inv.amount = (archase_money){ minor, "EUR" };
    inv.source_link = link;
    return archase_invoice_put(eng, &inv, NULL);
}

/* One customer and n - 1 invoices: n records. */
static void given_records(fixture *f, int n) {
    assert_int_equal(put_customer(f->eng, "C1"), 0);
    for (int i = 1; i < n; i++) {
        char id[16];
        snprintf(id, sizeof id, "I%03d", i);
        f->now += 7;
        assert_int_equal(put_invoice(f->eng, id, "C1", 1000 + i), 0);
    }
}

static uint64_t log_size(archase_engine *eng) {
    uint64_t n = 0;
    assert_int_equal(archase_audit_size(eng, &n), 0);
    return n;
}

static void assert_verifies(archase_engine *eng, uint64_t size) {
    archase_audit_report r;
    int rc = archase_audit_verify(eng, NULL, &r);
    if (rc)
        fail_msg("verify: %s (%s)", archase_error_name(rc), rc == ARCHASE_EVERIFY ? r.message : archase_engine_errmsg(eng));
    assert_int_equal(r.problem, ARCHASE_AUDIT_PROBLEM_NONE);
    assert_non_null(strstr(r.message, "records verified"));
    assert_int_equal(r.size, size);
    assert_int_equal(r.records, size);
}

static archase_signing_key *load_key(const char *pem) {
    archase_signing_key *key = NULL;
    assert_int_equal(archase_signing_key_from_pem(pem, strlen(pem), NULL, &key), 0);
    return key;
}

/* ---- an export in memory ---------------------------------------------------------- */

typedef struct text {
    char  *data;
    size_t len, cap;
    size_t at; /* reading position */
} text;

static int text_write(void *userdata, const void *data, size_t size) {
    text *t = userdata;
    if (t->len + size + 1 > t->cap) {
        size_t cap = (t->len + size + 1) * 2;
        char *p = realloc(t->data, cap);
        if (!p)
            return ARCHASE_ENOMEM;
        t->data = p;
        t->cap = cap;
    }
    memcpy(t->data + t->len, data, size);
    t->len += size;
    t->data[t->len] = '\0';
    return 0;
}

/* Hands the text out in small, uneven pieces, so lines cross reads. */
static int text_read(void *userdata, void *buf, size_t size, size_t *got) {
    text *t = userdata;
    size_t n = t->len - t->at;
    if (n > 37)
        n = 37;
    if (n > size)
        n = size;
    memcpy(buf, t->data + t->at, n);
    t->at += n;
    *got = n;
    return 0;
}

static text export_of(archase_engine *eng) {
    text t = { NULL, 0, 0, 0 };
    assert_int_equal(archase_audit_export(eng, text_write, &t), 0);
    return t;
}

static int verify_text(text *t, const archase_audit_verify_options *o, archase_audit_report *r) {
    t->at = 0;
    return archase_audit_verify_export(text_read, t, o, r);
}

/* The start of line `n` (from 0) of the text, or NULL. */
static char *line_at(text *t, int n) {
    char *p = t->data;
    for (int i = 0; i < n && p; i++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return p && *p ? p : NULL;
}

/* ---- records ------------------------------------------------------------------------ */

static void every_accepted_fact_is_a_chained_record_with_its_link(void **state) {
    fixture *f = *state;
    given_records(f, 6);
    assert_int_equal(log_size(f->eng), 6);
    assert_verifies(f->eng, 6);
    char id[ARCHASE_LOG_ID_MAX + 1];
    assert_int_equal(archase_audit_log_id(f->eng, id, sizeof id), 0);
    assert_int_equal(strlen(id), 35);
    assert_memory_equal(id, "ar-", 3);
    text t = export_of(f->eng);
    /* A header, then the records: kind, actor, the clock's instant, the link. */
    assert_non_null(strstr(t.data, "\"type\":\"audit_log\""));
    assert_non_null(strstr(t.data, "\"index\":0,\"kind\":\"fact_accepted\",\"payload_kind\":1,"
                                   "\"actor\":\"importer\",\"at\":\"2026-01-01T00:00:00Z\","
                                   "\"links\":[\"crm://accounts/acme;v=2\"]"));
    assert_non_null(strstr(t.data, "\"index\":5,\"kind\":\"fact_accepted\",\"payload_kind\":4,"
                                   "\"actor\":\"importer\",\"at\":\"2026-01-01T00:00:35Z\","
                                   "\"links\":[\"erp://invoices/I005\"]"));
    free(t.data);
}

static void a_duplicate_fact_adds_no_record(void **state) {
    fixture *f = *state;
    given_records(f, 3);
    assert_int_equal(put_invoice(f->eng, "I001", "C1", 1001), 0);
    assert_int_equal(log_size(f->eng), 3);
    assert_verifies(f->eng, 3);
}

static void a_rejected_batch_leaves_the_log_and_its_state_as_they_were(void **state) {
    fixture *f = *state;
    given_records(f, 3);
    uint8_t root[H], again[H];
    assert_int_equal(archase_audit_root(f->eng, 3, root), 0);
    archase_batch *b = NULL;
    assert_int_equal(archase_batch_begin(f->eng, NULL, NULL, &b), 0);
    archase_invoice good = ARCHASE_INVOICE_INIT;
    good.id = "I100";
    good.customer_id = "C1";
    good.issue_date = 20454;
    good.due_date = 20484;
    good.amount = (archase_money){ 500, "EUR" };
    assert_int_equal(archase_batch_add_invoice(b, &good, 1), 0);
    archase_invoice bad = good;
    bad.id = "I101";
    bad.customer_id = "NOBODY";
    assert_int_equal(archase_batch_add_invoice(b, &bad, 2), ARCHASE_ENOTFOUND);
    assert_int_equal(archase_batch_commit(b, NULL), ARCHASE_EINVAL);
    archase_batch_free(b);
    assert_int_equal(log_size(f->eng), 3);
    assert_int_equal(archase_audit_root(f->eng, 3, again), 0);
    assert_memory_equal(root, again, H);
    assert_verifies(f->eng, 3);
    /* And the log goes on from where it was. */
    assert_int_equal(put_invoice(f->eng, "I102", "C1", 700), 0);
    assert_verifies(f->eng, 4);
}

/* ---- roots and proofs ------------------------------------------------------------- */

static void roots_and_proofs_agree_with_the_merkle_functions(void **state) {
    fixture *f = *state;
    enum { N = 37 };
    given_records(f, N);
    uint8_t leaves[N * H], proof[ARCHASE_MERKLE_PROOF_MAX * H], root[H], want[H];
    size_t len = 0;
    for (uint64_t i = 0; i < N; i++)
        assert_int_equal(archase_audit_prove_inclusion(f->eng, i, N, leaves + i * H, proof,
                                                       ARCHASE_MERKLE_PROOF_MAX, &len), 0);
    uint8_t roots[N + 1][H];
    for (uint64_t size = 0; size <= N; size++) {
        assert_int_equal(archase_audit_root(f->eng, size, roots[size]), 0);
        assert_int_equal(archase_merkle_root(leaves, size, want), 0);
        assert_memory_equal(roots[size], want, H);
    }
    for (uint64_t size = 1; size <= N; size++) {
        for (uint64_t i = 0; i < size; i++) {
            uint8_t leaf[H];
            assert_int_equal(archase_audit_prove_inclusion(f->eng, i, size, leaf, proof,
                                                           ARCHASE_MERKLE_PROOF_MAX, &len), 0);
            assert_memory_equal(leaf, leaves + i * H, H);
            assert_int_equal(archase_merkle_verify_inclusion(leaf, i, size, proof, len, roots[size]), 0);
        }
        for (uint64_t from = 1; from <= size; from++) {
            assert_int_equal(archase_audit_prove_consistency(f->eng, from, size, proof,
                                                             ARCHASE_MERKLE_PROOF_MAX, &len), 0);
            assert_int_equal(archase_merkle_verify_consistency(from, size, proof, len, roots[from],
                                                               roots[size]), 0);
        }
    }
    /* The root of the whole log is the one verification reports. */
    archase_audit_report r;
    assert_int_equal(archase_audit_verify(f->eng, NULL, &r), 0);
    assert_memory_equal(r.root, roots[N], H);
    (void)root;
}

static void proofs_outside_the_log_are_refused(void **state) {
    fixture *f = *state;
    given_records(f, 5);
    uint8_t proof[ARCHASE_MERKLE_PROOF_MAX * H], root[H];
    size_t len = 99;
    assert_int_equal(archase_audit_root(f->eng, 6, root), ARCHASE_ERANGE);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "has 5 records"));
    assert_int_equal(archase_audit_prove_inclusion(f->eng, 5, 5, NULL, proof, 65, &len), ARCHASE_ERANGE);
    assert_int_equal(archase_audit_prove_inclusion(f->eng, 0, 6, NULL, proof, 65, &len), ARCHASE_ERANGE);
    assert_int_equal(archase_audit_prove_consistency(f->eng, 0, 5, proof, 65, &len), ARCHASE_ERANGE);
    assert_int_equal(archase_audit_prove_consistency(f->eng, 4, 3, proof, 65, &len), ARCHASE_ERANGE);
    assert_int_equal(archase_audit_prove_consistency(f->eng, 3, 6, proof, 65, &len), ARCHASE_ERANGE);
    assert_int_equal(archase_audit_prove_inclusion(f->eng, 0, 5, NULL, proof, 1, &len), ARCHASE_EBUFSIZE);
    assert_int_equal(len, 99);
    assert_int_equal(archase_audit_prove_consistency(f->eng, 5, 5, proof, 0, &len), 0);
    assert_int_equal(len, 0);
}

/* ---- checkpoints -------------------------------------------------------------------- */

typedef struct seen_checkpoints {
    int                n;
    archase_checkpoint last;
    uint8_t            key[ARCHASE_ED25519_PUBLIC_KEY_SIZE];
} seen_checkpoints;

static int see_checkpoint(void *userdata, const archase_checkpoint *cp, const uint8_t key[32]) {
    seen_checkpoints *s = userdata;
    s->n++;
    s->last = *cp;
    memcpy(s->key, key, 32);
    return 0;
}

static void a_checkpoint_is_signed_stored_and_recorded_in_the_log(void **state) {
    fixture *f = *state;
    given_records(f, 3);
    archase_signing_key *key = load_key(key1_pem);
    archase_signer signer;
    uint8_t pub[32], root[H];
    assert_int_equal(archase_signing_key_signer(key, &signer), 0);
    assert_int_equal(archase_signing_key_public(key, pub), 0);
    assert_int_equal(archase_audit_root(f->eng, 3, root), 0);
    f->now = 1767312000;
    archase_checkpoint cp;
    assert_int_equal(archase_audit_checkpoint(f->eng, &signer, &cp), 0);
    assert_int_equal(cp.size, 3);
    assert_memory_equal(cp.root, root, H);
    assert_int_equal(cp.time, 1767312000);
    char id[ARCHASE_LOG_ID_MAX + 1];
    assert_int_equal(archase_audit_log_id(f->eng, id, sizeof id), 0);
    assert_string_equal(cp.log_id, id);
    assert_int_equal(archase_checkpoint_verify(&cp, pub), 0);
    /* The checkpoint is record 3 of the log, and stored with its key. */
    assert_int_equal(log_size(f->eng), 4);
    seen_checkpoints s;
    memset(&s, 0, sizeof s);
    assert_int_equal(archase_audit_checkpoints(f->eng, see_checkpoint, &s), 0);
    assert_int_equal(s.n, 1);
    assert_memory_equal(&s.last, &cp, sizeof cp);
    assert_memory_equal(s.key, pub, 32);
    text t = export_of(f->eng);
    assert_non_null(strstr(t.data, "\"index\":3,\"kind\":\"checkpoint\""));
    assert_non_null(strstr(t.data, "{\"type\":\"checkpoint\",\"size\":3,"));
    free(t.data);

    archase_audit_report r;
    assert_int_equal(archase_audit_verify(f->eng, NULL, &r), 0);
    assert_int_equal(r.checkpoints, 1);
    archase_audit_verify_options o = ARCHASE_AUDIT_VERIFY_OPTIONS_INIT;
    o.trusted_keys = pub;
    o.trusted_key_count = 1;
    assert_int_equal(archase_audit_verify(f->eng, &o, &r), 0);

    /* Someone else's key is not trusted: the checkpoint's own record is named. */
    archase_signing_key *other = load_key(key2_pem);
    uint8_t other_pub[32];
    assert_int_equal(archase_signing_key_public(other, other_pub), 0);
    o.trusted_keys = other_pub;
    assert_int_equal(archase_audit_verify(f->eng, &o, &r), ARCHASE_EVERIFY);
    assert_int_equal(r.problem, ARCHASE_AUDIT_PROBLEM_CHECKPOINT);
    assert_int_equal(r.first_bad, 3);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "not trusted"));
    archase_signing_key_free(other);
    archase_signing_key_free(key);
}

static void copies_kept_by_a_third_party_must_match_the_log(void **state) {
    fixture *f = *state;
    given_records(f, 5);
    archase_signing_key *key = load_key(key1_pem);
    archase_signer signer;
    uint8_t pub[32];
    archase_signing_key_signer(key, &signer);
    archase_signing_key_public(key, pub);
    archase_checkpoint cp, forged;
    assert_int_equal(archase_audit_checkpoint(f->eng, &signer, &cp), 0);
    given_records(f, 0);
    archase_audit_verify_options o = ARCHASE_AUDIT_VERIFY_OPTIONS_INIT;
    archase_audit_report r;
    o.trusted_keys = pub;
    o.trusted_key_count = 1;
    o.checkpoints = &cp;
    o.checkpoint_count = 1;
    assert_int_equal(archase_audit_verify(f->eng, &o, &r), 0);
    assert_int_equal(r.checkpoints, 2);
    /* A copy of another history, validly signed, names the record its root
     * cannot vouch for. */
    forged = cp;
    forged.root[0] ^= 1;
    assert_int_equal(archase_checkpoint_sign(&forged, &signer), 0);
    o.checkpoints = &forged;
    assert_int_equal(archase_audit_verify(f->eng, &o, &r), ARCHASE_EVERIFY);
    assert_int_equal(r.problem, ARCHASE_AUDIT_PROBLEM_ROOT);
    assert_int_equal(r.first_bad, 4);
    /* Given checkpoints need keys to check them with. */
    o.trusted_key_count = 0;
    assert_int_equal(archase_audit_verify(f->eng, &o, &r), ARCHASE_EINVAL);
    archase_signing_key_free(key);
}

static void an_empty_log_has_no_id_and_nothing_to_sign(void **state) {
    fixture *f = *state;
    char id[ARCHASE_LOG_ID_MAX + 1];
    assert_int_equal(archase_audit_log_id(f->eng, id, sizeof id), ARCHASE_ESTATE);
    archase_signing_key *key = load_key(key1_pem);
    archase_signer signer;
    archase_signing_key_signer(key, &signer);
    assert_int_equal(archase_audit_checkpoint(f->eng, &signer, NULL), ARCHASE_ESTATE);
    assert_non_null(strstr(archase_engine_errmsg(f->eng), "empty"));
    assert_verifies(f->eng, 0);
    uint8_t root[H], empty[H];
    assert_int_equal(archase_audit_root(f->eng, 0, root), 0);
    assert_int_equal(archase_sha256(NULL, 0, empty), 0);
    assert_memory_equal(root, empty, H);
    text t = export_of(f->eng);
    archase_audit_report r;
    assert_int_equal(verify_text(&t, NULL, &r), 0);
    assert_int_equal(r.size, 0);
    free(t.data);
    archase_signing_key_free(key);
}

static int failing_sign(void *userdata, const uint8_t *message, size_t size, uint8_t signature[64]) {
    (void)userdata;
    (void)message;
    (void)size;
    memset(signature, 0, 64);
    return 0; /* "succeeds" with a signature that does not verify */
}

static int fixed_public_key(void *userdata, uint8_t out[32]) {
    memcpy(out, userdata, 32);
    return 0;
}

static void a_signer_that_signs_wrongly_leaves_no_checkpoint(void **state) {
    fixture *f = *state;
    given_records(f, 2);
    archase_signing_key *key = load_key(key1_pem);
    uint8_t pub[32];
    archase_signing_key_public(key, pub);
    archase_signer bad = { ARCHASE_SIGNER_VERSION, pub, fixed_public_key, failing_sign };
    assert_int_equal(archase_audit_checkpoint(f->eng, &bad, NULL), ARCHASE_EVERIFY);
    assert_int_equal(log_size(f->eng), 2);
    seen_checkpoints s;
    memset(&s, 0, sizeof s);
    assert_int_equal(archase_audit_checkpoints(f->eng, see_checkpoint, &s), 0);
    assert_int_equal(s.n, 0);
    assert_verifies(f->eng, 2);
    archase_signing_key_free(key);
}

/* ---- exports --------------------------------------------------------------------------- */

static void an_export_verifies_alone(void **state) {
    fixture *f = *state;
    given_records(f, 9);
    archase_signing_key *key = load_key(key1_pem);
    archase_signer signer;
    archase_signing_key_signer(key, &signer);
    assert_int_equal(archase_audit_checkpoint(f->eng, &signer, NULL), 0);
    given_records(f, 0);
    assert_int_equal(put_invoice(f->eng, "I900", "C1", 5), 0);
    text t = export_of(f->eng);
    archase_audit_report r, store;
    assert_int_equal(archase_audit_verify(f->eng, NULL, &store), 0);
    assert_int_equal(verify_text(&t, NULL, &r), 0);
    assert_int_equal(r.size, 11);
    assert_int_equal(r.checkpoints, 1);
    assert_memory_equal(r.root, store.root, H);
    assert_string_equal(r.log_id, store.log_id);
    free(t.data);
    archase_signing_key_free(key);
}

/* Flips one hex digit of the bytes of record `n` in a fresh export. */
static int verify_with_edited_record(fixture *f, int n, int digit, archase_audit_report *r) {
    text t = export_of(f->eng);
    char *line = line_at(&t, 1 + n); /* the header comes first */
    assert_non_null(line);
    char *hex = strstr(line, "\"record\":\"");
    assert_non_null(hex);
    hex += strlen("\"record\":\"") + digit;
    *hex = *hex == '0' ? '1' : '0';
    int rc = verify_text(&t, NULL, r);
    free(t.data);
    return rc;
}

static void every_byte_changed_in_an_export_is_found_at_its_record(void **state) {
    fixture *f = *state;
    enum { N = 8 };
    given_records(f, N);
    archase_audit_report r;
    /* Every record, at offsets in the header, the index, the link to the
     * record before, the kind, the actor and the payload. */
    static const int digits[] = { 1, 12, 40, 100, 118, 130, 150, 200 };
    for (int n = 0; n < N; n++) {
        for (size_t d = 0; d < sizeof digits / sizeof digits[0]; d++) {
            assert_int_equal(verify_with_edited_record(f, n, digits[d], &r), ARCHASE_EVERIFY);
            if ((int)r.first_bad != n)
                fail_msg("record %d, hex digit %d: blamed record %llu (%s)", n, digits[d],
                         (unsigned long long)r.first_bad, r.message);
        }
    }
}

static void lines_removed_added_or_moved_in_an_export_are_found(void **state) {
    fixture *f = *state;
    given_records(f, 6);
    archase_audit_report r;
    text t = export_of(f->eng);
    char *l3 = line_at(&t, 1 + 3), *l4 = line_at(&t, 1 + 4), *l5 = line_at(&t, 1 + 5);

    /* Record 3 removed. */
    text cut = { NULL, 0, 0, 0 };
    text_write(&cut, t.data, (size_t)(l3 - t.data));
    text_write(&cut, l4, strlen(l4));
    assert_int_equal(verify_text(&cut, NULL, &r), ARCHASE_EVERIFY);
    assert_int_equal(r.problem, ARCHASE_AUDIT_PROBLEM_MISPLACED);
    assert_int_equal(r.first_bad, 3);
    free(cut.data);

    /* Records 3 and 4 swapped. */
    text swapped = { NULL, 0, 0, 0 };
    text_write(&swapped, t.data, (size_t)(l3 - t.data));
    text_write(&swapped, l4, (size_t)(l5 - l4));
    text_write(&swapped, l3, (size_t)(l4 - l3));
    text_write(&swapped, l5, strlen(l5));
    assert_int_equal(verify_text(&swapped, NULL, &r), ARCHASE_EVERIFY);
    assert_int_equal(r.first_bad, 3);
    free(swapped.data);

    /* The last record gone: the header still names six. */
    text tail = { NULL, 0, 0, 0 };
    text_write(&tail, t.data, (size_t)(l5 - t.data));
    assert_int_equal(verify_text(&tail, NULL, &r), ARCHASE_EVERIFY);
    assert_int_equal(r.problem, ARCHASE_AUDIT_PROBLEM_TRUNCATED);
    assert_int_equal(r.first_bad, 5);
    free(tail.data);

    /* A record repeated at the end. */
    text extra = { NULL, 0, 0, 0 };
    text_write(&extra, t.data, t.len);
    text_write(&extra, l5, strlen(l5));
    assert_int_equal(verify_text(&extra, NULL, &r), ARCHASE_EVERIFY);
    assert_int_equal(r.first_bad, 6);
    free(extra.data);

    /* Not an export at all. */
    text junk = { NULL, 0, 0, 0 };
    text_write(&junk, "{\"type\":\"something\"}\n", 21);
    assert_int_equal(verify_text(&junk, NULL, &r), ARCHASE_EVERIFY);
    assert_non_null(strstr(r.message, "line 1"));
    free(junk.data);
    free(t.data);
}

/* ---- failures ------------------------------------------------------------------------------ */

typedef struct alloc_ctx {
    int which; /* 0 verify, 1 export + verify export, 2 checkpoint, 3 proofs */
} alloc_ctx;

static int audit_with(const archase_allocator *a, void *ctx) {
    alloc_ctx *c = ctx;
    fixture f;
    memset(&f, 0, sizeof f);
    int rc = open_fixture(&f, a);
    if (rc)
        return rc;
    rc = put_customer(f.eng, "C1");
    for (int i = 0; i < 4 && !rc; i++) {
        char id[8];
        snprintf(id, sizeof id, "I%d", i);
        rc = put_invoice(f.eng, id, "C1", 100 + i);
    }
    archase_signing_key *key = NULL;
    archase_signer signer;
    if (!rc)
        rc = archase_signing_key_from_pem(key1_pem, strlen(key1_pem), a, &key);
    if (!rc)
        rc = archase_signing_key_signer(key, &signer);
    if (!rc && c->which != 2)
        rc = archase_audit_checkpoint(f.eng, &signer, NULL);
    if (!rc) {
        archase_audit_report r;
        text t = { NULL, 0, 0, 0 };
        uint8_t proof[65 * H], root[H];
        size_t len;
        archase_audit_verify_options o = ARCHASE_AUDIT_VERIFY_OPTIONS_INIT;
        o.allocator = a;
        switch (c->which) {
        case 0: rc = archase_audit_verify(f.eng, NULL, &r); break;
        case 1:
            rc = archase_audit_export(f.eng, text_write, &t);
            if (!rc)
                rc = verify_text(&t, &o, &r);
            free(t.data);
            break;
        case 2:
            rc = archase_audit_checkpoint(f.eng, &signer, NULL);
            if (rc == ARCHASE_ENOMEM) {
                /* Nothing half-written: the log and the checkpoints are as they were. */
                uint64_t n = 0;
                seen_checkpoints s;
                memset(&s, 0, sizeof s);
                assert_int_equal(archase_audit_size(f.eng, &n), 0);
                assert_int_equal(n, 5);
                archase_audit_checkpoints(f.eng, see_checkpoint, &s);
                assert_int_equal(s.n, 0);
            }
            break;
        default:
            rc = archase_audit_prove_inclusion(f.eng, 2, 5, NULL, proof, 65, &len);
            if (!rc)
                rc = archase_audit_prove_consistency(f.eng, 2, 5, proof, 65, &len);
            if (!rc)
                rc = archase_audit_root(f.eng, 4, root);
            break;
        }
    }
    archase_signing_key_free(key);
    archase_engine_free(f.eng);
    return rc;
}

static void the_audit_log_survives_every_allocation_failure(void **state) {
    (void)state;
    for (int which = 0; which < 4; which++) {
        alloc_ctx c = { which };
        assert_true(failalloc_loop(audit_with, NULL, &c) > 5);
    }
}

typedef struct digest {
    uint64_t h, n;
} digest;

static int digest_entry(void *ctx, const archase_audit_entry *e) {
    digest *d = ctx;
    d->n++;
    const uint8_t *b = e->data;
    for (size_t i = 0; i < e->size; i++)
        d->h = (d->h ^ b[i]) * 0x100000001b3ull;
    return 0;
}

static int digest_record(void *ctx, const archase_record *r) {
    digest *d = ctx;
    d->n++;
    const uint8_t *b = r->data;
    for (size_t i = 0; i < r->size; i++)
        d->h = (d->h ^ b[i]) * 0x100000001b3ull;
    return 0;
}

static digest store_digest(const archase_storage *s) {
    digest d = { 0xcbf29ce484222325ull, 0 };
    int families[] = { ARCHASE_FAMILY_CHECKPOINT, ARCHASE_FAMILY_META };
    for (size_t i = 0; i < 2; i++) {
        archase_scan_filter fl = ARCHASE_SCAN_FILTER_INIT;
        fl.family = families[i];
        assert_int_equal(s->scan(s->userdata, &fl, digest_record, &d), 0);
    }
    assert_int_equal(s->audit_read(s->userdata, 0, UINT64_MAX, digest_entry, &d), 0);
    return d;
}

static void a_failing_storage_call_leaves_no_checkpoint_behind(void **state) {
    (void)state;
    archase_signing_key *key = load_key(key1_pem);
    archase_signer signer;
    archase_signing_key_signer(key, &signer);
    for (size_t n = 1;; n++) {
        archase_storage inner, wrapped;
        assert_int_equal(archase_memory_storage_new(NULL, &inner), 0);
        faultstore *fs = test_malloc(sizeof *fs);
        faultstore_wrap(fs, &inner, 0, &wrapped);
        fixture f;
        memset(&f, 0, sizeof f);
        f.now = 1767225600;
        f.clock = (archase_clock){ ARCHASE_CLOCK_VERSION, &f.now, fixed_now };
        archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
        o.clock = &f.clock;
        assert_int_equal(archase_engine_open(&wrapped, &o, &f.eng), 0);
        given_records(&f, 3);
        digest before = store_digest(&fs->inner);
        fs->fail_at = fs->calls + n;
        int rc = archase_audit_checkpoint(f.eng, &signer, NULL);
        int failed = fs->failures > 0;
        fs->fail_at = 0;
        if (failed) {
            assert_int_equal(rc, ARCHASE_ESTORAGE);
            digest after = store_digest(&fs->inner);
            assert_true(after.h == before.h && after.n == before.n);
            assert_verifies(f.eng, 3);
        } else {
            assert_int_equal(rc, 0);
            assert_verifies(f.eng, 4);
        }
        archase_engine_free(f.eng);
        test_free(fs);
        if (!failed) {
            assert_true(n > 4);
            break;
        }
    }
    archase_signing_key_free(key);
}

static void arguments_are_checked(void **state) {
    fixture *f = *state;
    archase_audit_report r;
    archase_audit_verify_options o = ARCHASE_AUDIT_VERIFY_OPTIONS_INIT;
    uint64_t n;
    assert_int_equal(archase_audit_size(NULL, &n), ARCHASE_EINVAL);
    assert_int_equal(archase_audit_verify(f->eng, NULL, NULL), ARCHASE_EINVAL);
    o.version = 99;
    assert_int_equal(archase_audit_verify(f->eng, &o, &r), ARCHASE_EVERSION);
    assert_int_equal(archase_audit_verify_options_init(&o, 99), ARCHASE_EVERSION);
    assert_int_equal(archase_audit_verify_options_init(&o, ARCHASE_AUDIT_VERIFY_OPTIONS_VERSION), 0);
    assert_int_equal(archase_audit_export(f->eng, NULL, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_audit_verify_export(NULL, NULL, NULL, &r), ARCHASE_EINVAL);
    assert_int_equal(archase_audit_checkpoint(f->eng, NULL, NULL), ARCHASE_EINVAL);
    assert_string_equal(archase_audit_problem_name(ARCHASE_AUDIT_PROBLEM_MISPLACED), "misplaced");
    assert_null(archase_audit_problem_name(99));
    assert_string_equal(archase_audit_kind_name(ARCHASE_AUDIT_APPROVAL_EXPIRED), "approval_expired");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

static const struct CMUnitTest tests[] = {
    T(every_accepted_fact_is_a_chained_record_with_its_link),
    T(a_duplicate_fact_adds_no_record),
    T(a_rejected_batch_leaves_the_log_and_its_state_as_they_were),
    T(roots_and_proofs_agree_with_the_merkle_functions),
    T(proofs_outside_the_log_are_refused),
    T(a_checkpoint_is_signed_stored_and_recorded_in_the_log),
    T(copies_kept_by_a_third_party_must_match_the_log),
    T(an_empty_log_has_no_id_and_nothing_to_sign),
    T(a_signer_that_signs_wrongly_leaves_no_checkpoint),
    T(an_export_verifies_alone),
    T(every_byte_changed_in_an_export_is_found_at_its_record),
    T(lines_removed_added_or_moved_in_an_export_are_found),
    cmocka_unit_test(the_audit_log_survives_every_allocation_failure),
    cmocka_unit_test(a_failing_storage_call_leaves_no_checkpoint_behind),
    T(arguments_are_checked),
};

AR_TEST_MAIN(tests)
