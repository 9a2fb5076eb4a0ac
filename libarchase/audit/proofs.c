/* libarchase/audit/proofs.c — the store's log read back: its size, id, roots
 * and proofs, from the subtree roots its entries keep. */
#include <stdio.h>
#include <string.h>

#include "archase/audit.h"
#include "archase/errors.h"
#include "audit/log.h"
#include "audit/store.h"
#include "engine/engine.h"

int ar_audit_leaf_at(archase_engine *e, uint64_t index, uint8_t out[ARCHASE_HASH_SIZE]) {
    ar_audit_store_reader reader;
    ar_merkle_reader r;
    ar_audit_store_reader_init(&reader, e, &r);
    return r.subtree(r.userdata, index, 0, out);
}

int ar_audit_format_log_id(const uint8_t first_leaf[ARCHASE_HASH_SIZE],
                           char out[ARCHASE_LOG_ID_MAX + 1]) {
    char hex[ARCHASE_HASH_HEX_SIZE];
    ar_hash_to_hex(first_leaf, hex);
    snprintf(out, ARCHASE_LOG_ID_MAX + 1, "ar-%.32s", hex);
    return 0;
}

int archase_audit_size(archase_engine *e, uint64_t *out) {
    if (!e || !out)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    return ar_store_audit_size(e, out);
}

int archase_audit_log_id(archase_engine *e, char *out, size_t size) {
    char id[ARCHASE_LOG_ID_MAX + 1];
    uint8_t leaf[ARCHASE_HASH_SIZE];
    uint64_t n = 0;
    if (!e || !out)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    int rc = ar_store_audit_size(e, &n);
    if (rc)
        return rc;
    if (n == 0)
        return ar_error_set(&e->err, ARCHASE_ESTATE, "the audit log is empty: it has no id yet");
    rc = ar_audit_leaf_at(e, 0, leaf);
    if (rc)
        return rc;
    ar_audit_format_log_id(leaf, id);
    if (strlen(id) >= size)
        return ar_error_set(&e->err, ARCHASE_EBUFSIZE, "the buffer is too small for the log id");
    memcpy(out, id, strlen(id) + 1);
    return 0;
}

/* Checks `size` against the log's size. */
static int within_log(archase_engine *e, uint64_t size) {
    uint64_t n = 0;
    int rc = ar_store_audit_size(e, &n);
    if (rc)
        return rc;
    if (size > n)
        return ar_error_set(&e->err, ARCHASE_ERANGE, "the audit log has %llu records, not %llu",
                            (unsigned long long)n, (unsigned long long)size);
    return 0;
}

int archase_audit_root(archase_engine *e, uint64_t size, uint8_t out[ARCHASE_HASH_SIZE]) {
    ar_audit_store_reader reader;
    ar_merkle_reader r;
    ar_sha256 *sha;
    uint8_t root[ARCHASE_HASH_SIZE];
    if (!e || !out)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    int rc = within_log(e, size);
    if (!rc)
        rc = ar_audit_sha(e, &sha);
    if (rc)
        return rc;
    ar_audit_store_reader_init(&reader, e, &r);
    rc = ar_merkle_root_at(sha, &r, size, root);
    if (rc)
        return e->err.code == rc ? rc : ar_error_set(&e->err, rc, "computing the root failed");
    memcpy(out, root, ARCHASE_HASH_SIZE);
    return 0;
}

/* Copies a proof out, or says the buffer is too small. */
static int hand_over(archase_engine *e, const ar_hash *proof, size_t len, uint8_t *out, size_t cap,
                     size_t *out_len) {
    if (len > cap)
        return ar_error_set(&e->err, ARCHASE_EBUFSIZE, "the proof has %zu hashes, room for %zu",
                            len, cap);
    if (len)
        memcpy(out, proof, len * ARCHASE_HASH_SIZE);
    *out_len = len;
    return 0;
}

int archase_audit_prove_inclusion(archase_engine *e, uint64_t index, uint64_t size,
                                  uint8_t leaf_hash[ARCHASE_HASH_SIZE], uint8_t *proof,
                                  size_t proof_cap, size_t *proof_len) {
    ar_audit_store_reader reader;
    ar_merkle_reader r;
    ar_hash path[AR_MERKLE_PROOF_MAX];
    uint8_t leaf[ARCHASE_HASH_SIZE];
    ar_sha256 *sha;
    size_t len = 0;
    if (!e || !proof_len || (!proof && proof_cap))
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (index >= size)
        return ar_error_set(&e->err, ARCHASE_ERANGE,
                            "record %llu is not in a tree of %llu records",
                            (unsigned long long)index, (unsigned long long)size);
    int rc = within_log(e, size);
    if (!rc)
        rc = ar_audit_sha(e, &sha);
    if (rc)
        return rc;
    ar_audit_store_reader_init(&reader, e, &r);
    rc = ar_merkle_prove_inclusion(sha, &r, index, size, path, &len);
    if (!rc)
        rc = ar_audit_leaf_at(e, index, leaf);
    if (rc)
        return e->err.code == rc ? rc : ar_error_set(&e->err, rc, "building the proof failed");
    rc = hand_over(e, path, len, proof, proof_cap, proof_len);
    if (!rc && leaf_hash)
        memcpy(leaf_hash, leaf, ARCHASE_HASH_SIZE);
    return rc;
}

int archase_audit_prove_consistency(archase_engine *e, uint64_t size1, uint64_t size2,
                                    uint8_t *proof, size_t proof_cap, size_t *proof_len) {
    ar_audit_store_reader reader;
    ar_merkle_reader r;
    ar_hash path[AR_MERKLE_PROOF_MAX];
    ar_sha256 *sha;
    size_t len = 0;
    if (!e || !proof_len || (!proof && proof_cap))
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (size1 == 0 || size1 > size2)
        return ar_error_set(&e->err, ARCHASE_ERANGE,
                            "a consistency proof goes from a size of at least 1 to one at least as "
                            "large, not from %llu to %llu",
                            (unsigned long long)size1, (unsigned long long)size2);
    int rc = within_log(e, size2);
    if (!rc)
        rc = ar_audit_sha(e, &sha);
    if (rc)
        return rc;
    ar_audit_store_reader_init(&reader, e, &r);
    rc = ar_merkle_prove_consistency(sha, &r, size1, size2, path, &len);
    if (rc)
        return e->err.code == rc ? rc : ar_error_set(&e->err, rc, "building the proof failed");
    return hand_over(e, path, len, proof, proof_cap, proof_len);
}

const char *archase_audit_problem_name(int problem) {
    switch (problem) {
    case ARCHASE_AUDIT_PROBLEM_NONE: return "none";
    case ARCHASE_AUDIT_PROBLEM_MALFORMED: return "malformed";
    case ARCHASE_AUDIT_PROBLEM_MISPLACED: return "misplaced";
    case ARCHASE_AUDIT_PROBLEM_ALTERED: return "altered";
    case ARCHASE_AUDIT_PROBLEM_ROOT: return "root";
    case ARCHASE_AUDIT_PROBLEM_TRUNCATED: return "truncated";
    case ARCHASE_AUDIT_PROBLEM_EXTRA: return "extra";
    case ARCHASE_AUDIT_PROBLEM_CHECKPOINT: return "checkpoint";
    case ARCHASE_AUDIT_PROBLEM_STATE: return "state";
    default: return NULL;
    }
}

int archase_audit_verify_options_init(archase_audit_verify_options *opts, unsigned version) {
    if (!opts)
        return ARCHASE_EINVAL;
    if (version != ARCHASE_AUDIT_VERIFY_OPTIONS_VERSION)
        return ARCHASE_EVERSION;
    archase_audit_verify_options init = ARCHASE_AUDIT_VERIFY_OPTIONS_INIT;
    *opts = init;
    return 0;
}
