/* tests/fuzz/fuzz_merkle_proof.c — libFuzzer target for the Merkle proof
 * verifiers. The input is read as sizes, an index, hashes and a proof, and
 * handed to archase_merkle_verify_inclusion and _consistency as it is (any
 * bytes: a verdict, never a crash or a read past the proof). Then the first
 * bytes pick a tree of up to 64 leaves made from the input: every proof the
 * library builds for it verifies, and the same proof with one bit flipped, a
 * wrong index or a wrong size does not. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archase/audit.h"
#include "archase/errors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define H ARCHASE_HASH_SIZE

static uint64_t take_u64(const uint8_t **p, size_t *n) {
    uint64_t v = 0;
    for (int i = 0; i < 8 && *n; i++, (*p)++, (*n)--)
        v = (v << 8) | **p;
    return v;
}

static void raw_verdicts(const uint8_t *data, size_t size) {
    const uint8_t *p = data;
    size_t n = size;
    uint8_t flags = n ? *p : 0;
    if (n) {
        p++;
        n--;
    }
    uint64_t a = take_u64(&p, &n), b = take_u64(&p, &n);
    if (flags & 1) { /* small numbers reach the interesting paths */
        a &= 0xff;
        b &= 0xff;
    }
    uint8_t h1[H] = { 0 }, h2[H] = { 0 };
    memcpy(h1, p, n < H ? n : H);
    p += n < H ? n : H;
    n -= n < H ? n : H;
    memcpy(h2, p, n < H ? n : H);
    p += n < H ? n : H;
    n -= n < H ? n : H;
    size_t proof_len = n / H;
    /* An exact-size copy of the proof, so reads past it are caught. */
    uint8_t *proof = malloc(proof_len ? proof_len * H : 1);
    if (!proof)
        return;
    memcpy(proof, p, proof_len * H);
    int rc = archase_merkle_verify_inclusion(h1, a, b, proof, proof_len, h2);
    if (rc != 0 && rc != ARCHASE_EVERIFY && rc != ARCHASE_EINVAL)
        abort();
    rc = archase_merkle_verify_consistency(a, b, proof, proof_len, h1, h2);
    if (rc != 0 && rc != ARCHASE_EVERIFY && rc != ARCHASE_EINVAL)
        abort();
    free(proof);
}

static void built_proofs(const uint8_t *data, size_t size) {
    if (size < 3)
        return;
    uint64_t leaves = 1 + data[0] % 64;
    uint64_t index = data[1] % leaves;
    uint64_t size1 = 1 + data[2] % leaves;
    uint8_t *hashes = malloc(leaves * H);
    if (!hashes)
        abort();
    for (uint64_t i = 0; i < leaves; i++) {
        uint8_t leaf[9];
        memcpy(leaf, &i, 8);
        leaf[8] = data[(3 + i) % size];
        if (archase_merkle_leaf_hash(leaf, sizeof leaf, hashes + i * H))
            abort();
    }
    uint8_t root[H], root1[H];
    if (archase_merkle_root(hashes, leaves, root) || archase_merkle_root(hashes, size1, root1))
        abort();
    uint8_t proof[ARCHASE_MERKLE_PROOF_MAX * H];
    size_t len = 0;
    if (archase_merkle_prove_inclusion(hashes, leaves, index, proof, ARCHASE_MERKLE_PROOF_MAX, &len))
        abort();
    if (archase_merkle_verify_inclusion(hashes + index * H, index, leaves, proof, len, root))
        abort();
    if (leaves > 1 && archase_merkle_verify_inclusion(hashes + index * H, (index + 1) % leaves, leaves, proof,
                                                      len, root) == 0)
        abort();
    if (len) {
        size_t bit = data[size - 1] % (len * H * 8);
        proof[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        if (archase_merkle_verify_inclusion(hashes + index * H, index, leaves, proof, len, root) == 0)
            abort();
    }
    if (archase_merkle_prove_consistency(hashes, size1, leaves, proof, ARCHASE_MERKLE_PROOF_MAX, &len))
        abort();
    if (archase_merkle_verify_consistency(size1, leaves, proof, len, root1, root))
        abort();
    if (len) {
        size_t bit = data[size - 1] % (len * H * 8);
        proof[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        if (archase_merkle_verify_consistency(size1, leaves, proof, len, root1, root) == 0)
            abort();
    }
    free(hashes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    raw_verdicts(data, size);
    built_proofs(data, size);
    return 0;
}
