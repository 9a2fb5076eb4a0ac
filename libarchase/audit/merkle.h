/* libarchase/audit/merkle.h — the RFC 6962 / RFC 9162 Merkle tree over a
 * source of subtree hashes, and its compact frontier.
 *
 * Proofs are built from the hashes of *perfect* subtrees — [start, start + 2^level)
 * with start a multiple of 2^level — read through an ar_merkle_reader. A store
 * answers level 0 from its leaf hashes and higher levels from the subtree roots
 * it keeps (the frontier reports each one as it completes), so a proof in a
 * log of n records costs O(log n) reads, never a rebuild. A level it does not
 * keep is computed from its two halves (and may be handed back for caching).
 *
 * Every function takes a reusable ar_sha256 (one per thread), returns 0 or a
 * negative ARCHASE_E* code, and writes its outputs only on success.
 */
#ifndef AR_AUDIT_MERKLE_H
#define AR_AUDIT_MERKLE_H

#include <stdint.h>

#include "archase/audit.h"
#include "core/canon.h"
#include "core/sha256.h"

/* Levels of a tree of fewer than 2^64 leaves. */
#define AR_MERKLE_MAX_LEVELS 64
/* The most leaves a log may have: sizes are stored as canonical INTs. */
#define AR_MERKLE_MAX_SIZE ((uint64_t)INT64_MAX)
#define AR_MERKLE_PROOF_MAX ARCHASE_MERKLE_PROOF_MAX

/* The canonical record kind of a serialised frontier ("MF"). */
#define AR_MERKLE_FRONTIER_KIND 0x4D46

typedef uint8_t ar_hash[ARCHASE_HASH_SIZE];

/* ---- hashing ------------------------------------------------------------ */

/* SHA-256(0x00 || data). */
int ar_merkle_leaf_hash(ar_sha256 *sha, const void *data, size_t size, uint8_t out[32]);
/* SHA-256(0x01 || left || right). */
int ar_merkle_node_hash(ar_sha256 *sha, const uint8_t left[32], const uint8_t right[32],
                        uint8_t out[32]);
/* SHA-256 of nothing: the root of the empty tree. */
void ar_merkle_empty_root(uint8_t out[32]);

/* ---- where subtree hashes come from ------------------------------------- */

typedef struct ar_merkle_reader {
    void *userdata; /* first argument of both functions */
    /* Writes the hash of the perfect subtree [start, start + 2^level). Returns
     * 0; ARCHASE_ENOTFOUND when it does not keep that subtree (never for level
     * 0: leaf hashes must be readable), which then is computed from its two
     * halves; or any other error, which ends the operation. */
    int (*subtree)(void *userdata, uint64_t start, unsigned level, uint8_t out[32]);
    /* May be NULL. Told every subtree hash that had to be computed, so it can
     * be kept for next time. 0 or an error, which ends the operation. */
    int (*remember)(void *userdata, uint64_t start, unsigned level, const uint8_t hash[32]);
} ar_merkle_reader;

/* A reader over `size` leaf hashes held in memory (hash i at i * 32); it
 * keeps nothing, so every interior hash is computed. */
typedef struct ar_merkle_array {
    const uint8_t *leaf_hashes;
    uint64_t       size;
} ar_merkle_array;
void ar_merkle_array_reader(ar_merkle_array *array, ar_merkle_reader *out);

/* The hash of the perfect subtree [start, start + 2^level), from the reader or
 * computed from its halves. */
int ar_merkle_subtree_hash(ar_sha256 *sha, const ar_merkle_reader *r, uint64_t start,
                           unsigned level, uint8_t out[32]);

/* The root of the tree of the first `size` leaves (the empty root for 0):
 * popcount(size) subtree reads. */
int ar_merkle_root_at(ar_sha256 *sha, const ar_merkle_reader *r, uint64_t size, uint8_t out[32]);

/* ---- proofs ------------------------------------------------------------- */

/* The inclusion proof of leaf `index` in the tree of `size` leaves, lowest
 * level first, into `proof` (room for AR_MERKLE_PROOF_MAX hashes).
 * ARCHASE_EINVAL when index >= size or size > AR_MERKLE_MAX_SIZE. */
int ar_merkle_prove_inclusion(ar_sha256 *sha, const ar_merkle_reader *r, uint64_t index,
                              uint64_t size, ar_hash proof[AR_MERKLE_PROOF_MAX], size_t *len);

/* The consistency proof from size1 to size2 (empty when equal).
 * ARCHASE_EINVAL when size1 == 0, size1 > size2 or size2 > AR_MERKLE_MAX_SIZE. */
int ar_merkle_prove_consistency(ar_sha256 *sha, const ar_merkle_reader *r, uint64_t size1,
                                uint64_t size2, ar_hash proof[AR_MERKLE_PROOF_MAX], size_t *len);

/* The number of hashes in those proofs, without reading anything. */
size_t ar_merkle_inclusion_proof_length(uint64_t index, uint64_t size);
size_t ar_merkle_consistency_proof_length(uint64_t size1, uint64_t size2);

/* RFC 9162 §2.1.3.2 and §2.1.4.2 (with the rules of archase/audit.h for
 * size1 == size2 and size1 == 0): 0, ARCHASE_EVERIFY or ARCHASE_ENOMEM. */
int ar_merkle_verify_inclusion(ar_sha256 *sha, const uint8_t leaf_hash[32], uint64_t index,
                               uint64_t size, const uint8_t *proof, size_t proof_len,
                               const uint8_t root[32]);
int ar_merkle_verify_consistency(ar_sha256 *sha, uint64_t size1, uint64_t size2,
                                 const uint8_t *proof, size_t proof_len, const uint8_t root1[32],
                                 const uint8_t root2[32]);

/* ---- the frontier (compact range [0, size)) ------------------------------ */

/* The roots of the perfect subtrees that make up the tree of `size` leaves,
 * one per set bit of size, largest (leftmost) first: at most 64 hashes, no
 * heap memory. Appending is O(1) amortised (O(log n) at worst), the root
 * O(log n). Zero-initialised or ar_merkle_frontier_init: the empty tree. */
typedef struct ar_merkle_frontier {
    uint64_t size;
    unsigned count; /* popcount(size) */
    ar_hash  nodes[AR_MERKLE_MAX_LEVELS];
} ar_merkle_frontier;

/* Receives each perfect subtree of level >= 1 that an append completes,
 * lowest level first (a store keeps them for ar_merkle_reader). */
typedef struct ar_merkle_sink {
    void *userdata;
    int (*completed)(void *userdata, uint64_t start, unsigned level, const uint8_t hash[32]);
} ar_merkle_sink;

void ar_merkle_frontier_init(ar_merkle_frontier *f);

/* Adds a leaf. `sink` may be NULL; if it fails, the frontier is unchanged and
 * its error is returned. ARCHASE_ERANGE past AR_MERKLE_MAX_SIZE leaves. */
int ar_merkle_frontier_append(ar_merkle_frontier *f, ar_sha256 *sha, const uint8_t leaf_hash[32],
                              const ar_merkle_sink *sink);

/* The root of the tree so far (the empty root for size 0). */
int ar_merkle_frontier_root(const ar_merkle_frontier *f, ar_sha256 *sha, uint8_t out[32]);

/* The frontier of the first `size` leaves, from popcount(size) subtree reads. */
int ar_merkle_frontier_load(ar_merkle_frontier *f, ar_sha256 *sha, const ar_merkle_reader *r,
                            uint64_t size);

/* Serialises the frontier as one canonical record (kind AR_MERKLE_FRONTIER_KIND:
 * field 1 INT size, field 2 LIST of HASH, largest subtree first) with `c`,
 * which must be empty; the caller finishes it. 0 or the writer's error. */
int ar_merkle_frontier_encode(const ar_merkle_frontier *f, ar_canon *c);

/* Restores a frontier from those bytes. ARCHASE_EPARSE unless they are exactly
 * such a record with size <= AR_MERKLE_MAX_SIZE and popcount(size) hashes. */
int ar_merkle_frontier_decode(ar_merkle_frontier *f, const void *data, size_t size);

#endif
