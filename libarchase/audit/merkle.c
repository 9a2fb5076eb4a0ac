/* libarchase/audit/merkle.c — the RFC 6962 / RFC 9162 Merkle tree: hashing,
 * proofs over a subtree reader, and proof verification. */
#include "audit/merkle.h"

#include <string.h>

#include "archase/errors.h"

/* SHA-256 of the empty string (FIPS 180-4): the root of the empty tree. */
static const uint8_t empty_root[ARCHASE_HASH_SIZE] = {
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
};

/* ---- hashing ------------------------------------------------------------ */

/* Records up to this size are hashed in one piece (one digest update is
 * measurably cheaper than two for records of a few hundred bytes). */
#define LEAF_COPY_MAX 1024

int ar_merkle_leaf_hash(ar_sha256 *sha, const void *data, size_t size, uint8_t out[32]) {
    static const uint8_t leaf_prefix = 0x00;
    if (size < LEAF_COPY_MAX) {
        uint8_t block[LEAF_COPY_MAX];
        block[0] = leaf_prefix;
        if (size)
            memcpy(block + 1, data, size);
        const ar_span span = { block, size + 1 };
        return ar_sha256_spans(sha, &span, 1, out);
    }
    const ar_span spans[2] = { { &leaf_prefix, 1 }, { data, size } };
    return ar_sha256_spans(sha, spans, 2, out);
}

int ar_merkle_node_hash(ar_sha256 *sha, const uint8_t left[32], const uint8_t right[32],
                        uint8_t out[32]) {
    uint8_t block[1 + 2 * ARCHASE_HASH_SIZE];
    block[0] = 0x01;
    memcpy(block + 1, left, ARCHASE_HASH_SIZE);
    memcpy(block + 1 + ARCHASE_HASH_SIZE, right, ARCHASE_HASH_SIZE);
    const ar_span span = { block, sizeof block };
    return ar_sha256_spans(sha, &span, 1, out);
}

void ar_merkle_empty_root(uint8_t out[32]) {
    memcpy(out, empty_root, ARCHASE_HASH_SIZE);
}

/* ---- bits --------------------------------------------------------------- */

/* The position of the highest set bit of v (v > 0). */
static unsigned high_bit(uint64_t v) {
    unsigned b = 0;
    while (v >>= 1)
        b++;
    return b;
}

/* The largest power of two strictly below n (n >= 2): the RFC's split point k. */
static uint64_t split_point(uint64_t n) {
    return (uint64_t)1 << high_bit(n - 1);
}

/* ---- reading subtrees --------------------------------------------------- */

static int array_subtree(void *userdata, uint64_t start, unsigned level, uint8_t out[32]) {
    const ar_merkle_array *a = userdata;
    if (level >= AR_MERKLE_MAX_LEVELS || start >= a->size || ((uint64_t)1 << level) > a->size - start)
        return ARCHASE_EINVAL;
    if (level > 0)
        return ARCHASE_ENOTFOUND;
    memcpy(out, a->leaf_hashes + start * ARCHASE_HASH_SIZE, ARCHASE_HASH_SIZE);
    return 0;
}

void ar_merkle_array_reader(ar_merkle_array *array, ar_merkle_reader *out) {
    out->userdata = array;
    out->subtree = array_subtree;
    out->remember = NULL;
}

int ar_merkle_subtree_hash(ar_sha256 *sha, const ar_merkle_reader *r, uint64_t start,
                           unsigned level, uint8_t out[32]) {
    /* Zeroed for gcc's analyser, which cannot see that `subtree` writes it
     * whenever it returns 0 (make lint). */
    uint8_t hash[ARCHASE_HASH_SIZE] = { 0 }, left[ARCHASE_HASH_SIZE], right[ARCHASE_HASH_SIZE];
    if (level >= AR_MERKLE_MAX_LEVELS)
        return ARCHASE_EINVAL;
    int rc = r->subtree(r->userdata, start, level, hash);
    if (rc == ARCHASE_ENOTFOUND && level > 0) {
        uint64_t half = (uint64_t)1 << (level - 1);
        rc = ar_merkle_subtree_hash(sha, r, start, level - 1, left);
        if (!rc)
            rc = ar_merkle_subtree_hash(sha, r, start + half, level - 1, right);
        if (!rc)
            rc = ar_merkle_node_hash(sha, left, right, hash);
        if (!rc && r->remember)
            rc = r->remember(r->userdata, start, level, hash);
    }
    if (!rc)
        memcpy(out, hash, ARCHASE_HASH_SIZE);
    return rc;
}

/* The Merkle Tree Hash of D[start:end], for a range the RFC's recursion
 * produces: start is a multiple of a power of two >= end - start, so the
 * range splits into one perfect subtree per set bit of its length, largest
 * first, and MTH folds them from the right. */
static int range_hash(ar_sha256 *sha, const ar_merkle_reader *r, uint64_t start, uint64_t end,
                      uint8_t out[32]) {
    ar_hash parts[AR_MERKLE_MAX_LEVELS];
    uint8_t acc[ARCHASE_HASH_SIZE];
    uint64_t n = end - start;
    unsigned count = 0;
    int rc = 0;
    if (end <= start)
        return ARCHASE_EINVAL;
    uint64_t pos = start;
    for (int level = AR_MERKLE_MAX_LEVELS - 1; level >= 0 && !rc; level--) {
        uint64_t width = (uint64_t)1 << level;
        if (!(n & width))
            continue;
        if (pos & (width - 1))
            return ARCHASE_EINVAL; /* not a range of the tree */
        rc = ar_merkle_subtree_hash(sha, r, pos, (unsigned)level, parts[count++]);
        pos += width;
    }
    if (rc)
        return rc;
    memcpy(acc, parts[count - 1], ARCHASE_HASH_SIZE);
    for (unsigned i = count - 1; i > 0 && !rc; i--)
        rc = ar_merkle_node_hash(sha, parts[i - 1], acc, acc);
    if (!rc)
        memcpy(out, acc, ARCHASE_HASH_SIZE);
    return rc;
}

int ar_merkle_root_at(ar_sha256 *sha, const ar_merkle_reader *r, uint64_t size, uint8_t out[32]) {
    if (size > AR_MERKLE_MAX_SIZE)
        return ARCHASE_EINVAL;
    if (size == 0) {
        ar_merkle_empty_root(out);
        return 0;
    }
    return range_hash(sha, r, 0, size, out);
}

/* ---- proofs ------------------------------------------------------------- */

/* A proof as ranges of leaves whose MTH are its hashes, in the order the
 * RFC's recursion finds them (top level first). */
typedef struct proof_ranges {
    size_t   count;
    uint64_t start[AR_MERKLE_PROOF_MAX];
    uint64_t end[AR_MERKLE_PROOF_MAX];
} proof_ranges;

static void add_range(proof_ranges *p, uint64_t start, uint64_t end) {
    p->start[p->count] = start;
    p->end[p->count] = end;
    p->count++;
}

/* PATH(m, D[0:n]) of RFC 6962 §2.1.1, unrolled: at each level the sibling
 * of the half that holds the leaf. */
static void inclusion_ranges(uint64_t index, uint64_t size, proof_ranges *p) {
    uint64_t lo = 0, hi = size;
    p->count = 0;
    while (hi - lo > 1) {
        uint64_t k = split_point(hi - lo);
        if (index < lo + k) {
            add_range(p, lo + k, hi);
            hi = lo + k;
        } else {
            add_range(p, lo, lo + k);
            lo += k;
        }
    }
}

/* SUBPROOF(m, D[0:n], true) of RFC 6962 §2.1.2, unrolled. */
static void consistency_ranges(uint64_t size1, uint64_t size2, proof_ranges *p) {
    uint64_t lo = 0, hi = size2, m = size1;
    int whole_first_tree = 1; /* the RFC's b: D[0:m] is the old tree itself */
    p->count = 0;
    for (;;) {
        uint64_t n = hi - lo;
        if (m == n) {
            if (!whole_first_tree)
                add_range(p, lo, hi);
            return;
        }
        uint64_t k = split_point(n);
        if (m <= k) {
            add_range(p, lo + k, hi);
            hi = lo + k;
        } else {
            add_range(p, lo, lo + k);
            m -= k;
            lo += k;
            whole_first_tree = 0;
        }
    }
}

size_t ar_merkle_inclusion_proof_length(uint64_t index, uint64_t size) {
    proof_ranges p;
    if (index >= size)
        return 0;
    inclusion_ranges(index, size, &p);
    return p.count;
}

size_t ar_merkle_consistency_proof_length(uint64_t size1, uint64_t size2) {
    proof_ranges p;
    if (size1 == 0 || size1 >= size2)
        return 0;
    consistency_ranges(size1, size2, &p);
    return p.count;
}

/* Hashes the ranges into `proof`, lowest level (last found) first. */
static int hash_ranges(ar_sha256 *sha, const ar_merkle_reader *r, const proof_ranges *p,
                       ar_hash proof[AR_MERKLE_PROOF_MAX], size_t *len) {
    ar_hash hashes[AR_MERKLE_PROOF_MAX];
    int rc = 0;
    for (size_t i = 0; i < p->count && !rc; i++)
        rc = range_hash(sha, r, p->start[i], p->end[i], hashes[p->count - 1 - i]);
    if (rc)
        return rc;
    memcpy(proof, hashes, p->count * sizeof hashes[0]);
    *len = p->count;
    return 0;
}

int ar_merkle_prove_inclusion(ar_sha256 *sha, const ar_merkle_reader *r, uint64_t index,
                              uint64_t size, ar_hash proof[AR_MERKLE_PROOF_MAX], size_t *len) {
    proof_ranges p;
    if (index >= size || size > AR_MERKLE_MAX_SIZE)
        return ARCHASE_EINVAL;
    inclusion_ranges(index, size, &p);
    return hash_ranges(sha, r, &p, proof, len);
}

int ar_merkle_prove_consistency(ar_sha256 *sha, const ar_merkle_reader *r, uint64_t size1,
                                uint64_t size2, ar_hash proof[AR_MERKLE_PROOF_MAX], size_t *len) {
    proof_ranges p;
    if (size1 == 0 || size1 > size2 || size2 > AR_MERKLE_MAX_SIZE)
        return ARCHASE_EINVAL;
    consistency_ranges(size1, size2, &p);
    return hash_ranges(sha, r, &p, proof, len);
}

/* ---- verification (RFC 9162) -------------------------------------------- */

static int same_hash(const uint8_t *a, const uint8_t *b) {
    return memcmp(a, b, ARCHASE_HASH_SIZE) == 0;
}

/* RFC 9162 §2.1.3.2, step by step. */
int ar_merkle_verify_inclusion(ar_sha256 *sha, const uint8_t leaf_hash[32], uint64_t index,
                               uint64_t size, const uint8_t *proof, size_t proof_len,
                               const uint8_t root[32]) {
    uint8_t r[ARCHASE_HASH_SIZE];
    int rc = 0;
    /* 1. leaf_index >= tree_size fails. */
    if (index >= size)
        return ARCHASE_EVERIFY;
    /* 2-3. fn = leaf_index, sn = tree_size - 1, r = hash. */
    uint64_t fn = index, sn = size - 1;
    memcpy(r, leaf_hash, ARCHASE_HASH_SIZE);
    /* 4. For each p in the path: */
    for (size_t i = 0; i < proof_len; i++) {
        const uint8_t *p = proof + i * ARCHASE_HASH_SIZE;
        if (sn == 0)
            return ARCHASE_EVERIFY;
        if ((fn & 1) || fn == sn) {
            rc = ar_merkle_node_hash(sha, p, r, r);
            if (!(fn & 1)) {
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            rc = ar_merkle_node_hash(sha, r, p, r);
        }
        if (rc)
            return rc;
        fn >>= 1;
        sn >>= 1;
    }
    /* 5. sn is 0 and r is the root. */
    return sn == 0 && same_hash(r, root) ? 0 : ARCHASE_EVERIFY;
}

/* RFC 9162 §2.1.4.2, step by step, for 0 < size1 < size2; the other cases
 * are settled first. */
int ar_merkle_verify_consistency(ar_sha256 *sha, uint64_t size1, uint64_t size2,
                                 const uint8_t *proof, size_t proof_len, const uint8_t root1[32],
                                 const uint8_t root2[32]) {
    uint8_t fr[ARCHASE_HASH_SIZE], sr[ARCHASE_HASH_SIZE];
    int rc = 0;
    if (size1 == 0 || size1 > size2)
        return ARCHASE_EVERIFY;
    if (size1 == size2)
        return proof_len == 0 && same_hash(root1, root2) ? 0 : ARCHASE_EVERIFY;
    /* 1. An empty path fails. */
    if (proof_len == 0)
        return ARCHASE_EVERIFY;
    /* 2. If first is an exact power of 2, first_hash is prepended to the path. */
    int prepend = (size1 & (size1 - 1)) == 0;
    size_t path_len = proof_len + (prepend ? 1 : 0);
#define PATH_AT(i) (prepend ? ((i) == 0 ? root1 : proof + ((i) - 1) * ARCHASE_HASH_SIZE) \
                            : proof + (i) * ARCHASE_HASH_SIZE)
    /* 3. fn = first - 1, sn = second - 1. */
    uint64_t fn = size1 - 1, sn = size2 - 1;
    /* 4. While LSB(fn) is set, right-shift fn and sn. */
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    /* 5. fr = sr = the first value of the path. */
    memcpy(fr, PATH_AT(0), ARCHASE_HASH_SIZE);
    memcpy(sr, fr, ARCHASE_HASH_SIZE);
    /* 6. For each subsequent value c: */
    for (size_t i = 1; i < path_len; i++) {
        const uint8_t *c = PATH_AT(i);
        if (sn == 0)
            return ARCHASE_EVERIFY;
        if ((fn & 1) || fn == sn) {
            rc = ar_merkle_node_hash(sha, c, fr, fr);
            if (!rc)
                rc = ar_merkle_node_hash(sha, c, sr, sr);
            if (!(fn & 1)) {
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            rc = ar_merkle_node_hash(sha, sr, c, sr);
        }
        if (rc)
            return rc;
        fn >>= 1;
        sn >>= 1;
    }
#undef PATH_AT
    /* 7. fr is first_hash, sr is second_hash and sn is 0. */
    return sn == 0 && same_hash(fr, root1) && same_hash(sr, root2) ? 0 : ARCHASE_EVERIFY;
}

/* ---- the public functions ------------------------------------------------ */

int archase_merkle_leaf_hash(const void *data, size_t size, uint8_t out[ARCHASE_HASH_SIZE]) {
    ar_sha256 sha;
    if (!out || (!data && size))
        return ARCHASE_EINVAL;
    int rc = ar_sha256_init(&sha);
    if (!rc)
        rc = ar_merkle_leaf_hash(&sha, data, size, out);
    ar_sha256_free(&sha);
    return rc;
}

int archase_merkle_node_hash(const uint8_t left[ARCHASE_HASH_SIZE],
                             const uint8_t right[ARCHASE_HASH_SIZE],
                             uint8_t out[ARCHASE_HASH_SIZE]) {
    ar_sha256 sha;
    if (!left || !right || !out)
        return ARCHASE_EINVAL;
    int rc = ar_sha256_init(&sha);
    if (!rc)
        rc = ar_merkle_node_hash(&sha, left, right, out);
    ar_sha256_free(&sha);
    return rc;
}

/* Leaf hashes in memory: `size` of them must fit the address space. */
static int leaf_array_ok(const uint8_t *leaf_hashes, uint64_t size) {
    return (leaf_hashes || size == 0) && size <= SIZE_MAX / ARCHASE_HASH_SIZE &&
           size <= AR_MERKLE_MAX_SIZE;
}

int archase_merkle_root(const uint8_t *leaf_hashes, uint64_t size, uint8_t out[ARCHASE_HASH_SIZE]) {
    ar_sha256 sha;
    ar_merkle_frontier f;
    uint8_t root[ARCHASE_HASH_SIZE];
    if (!out || !leaf_array_ok(leaf_hashes, size))
        return ARCHASE_EINVAL;
    int rc = ar_sha256_init(&sha);
    if (rc)
        return rc;
    ar_merkle_frontier_init(&f);
    for (uint64_t i = 0; i < size && !rc; i++)
        rc = ar_merkle_frontier_append(&f, &sha, leaf_hashes + i * ARCHASE_HASH_SIZE, NULL);
    if (!rc)
        rc = ar_merkle_frontier_root(&f, &sha, root);
    if (!rc)
        memcpy(out, root, ARCHASE_HASH_SIZE);
    ar_sha256_free(&sha);
    return rc;
}

int archase_merkle_verify_inclusion(const uint8_t leaf_hash[ARCHASE_HASH_SIZE], uint64_t index,
                                    uint64_t size, const uint8_t *proof, size_t proof_len,
                                    const uint8_t root[ARCHASE_HASH_SIZE]) {
    ar_sha256 sha;
    if (!leaf_hash || !root || (!proof && proof_len))
        return ARCHASE_EINVAL;
    int rc = ar_sha256_init(&sha);
    if (!rc)
        rc = ar_merkle_verify_inclusion(&sha, leaf_hash, index, size, proof, proof_len, root);
    ar_sha256_free(&sha);
    return rc;
}

int archase_merkle_verify_consistency(uint64_t size1, uint64_t size2, const uint8_t *proof,
                                      size_t proof_len, const uint8_t root1[ARCHASE_HASH_SIZE],
                                      const uint8_t root2[ARCHASE_HASH_SIZE]) {
    ar_sha256 sha;
    if (!root1 || !root2 || (!proof && proof_len))
        return ARCHASE_EINVAL;
    int rc = ar_sha256_init(&sha);
    if (!rc)
        rc = ar_merkle_verify_consistency(&sha, size1, size2, proof, proof_len, root1, root2);
    ar_sha256_free(&sha);
    return rc;
}

/* Builds a proof over leaf hashes in memory into the caller's buffer. */
static int prove_from_array(int consistency, const uint8_t *leaf_hashes, uint64_t a, uint64_t b,
                            uint64_t size, uint8_t *proof, size_t proof_cap, size_t *proof_len) {
    ar_sha256 sha;
    ar_merkle_array array = { leaf_hashes, size };
    ar_merkle_reader reader;
    ar_hash hashes[AR_MERKLE_PROOF_MAX];
    size_t len = 0, need;
    need = consistency ? ar_merkle_consistency_proof_length(a, b) : ar_merkle_inclusion_proof_length(a, b);
    if (need > proof_cap)
        return ARCHASE_EBUFSIZE;
    ar_merkle_array_reader(&array, &reader);
    int rc = ar_sha256_init(&sha);
    if (rc)
        return rc;
    rc = consistency ? ar_merkle_prove_consistency(&sha, &reader, a, b, hashes, &len)
                     : ar_merkle_prove_inclusion(&sha, &reader, a, b, hashes, &len);
    if (!rc) {
        if (len)
            memcpy(proof, hashes, len * ARCHASE_HASH_SIZE);
        *proof_len = len;
    }
    ar_sha256_free(&sha);
    return rc;
}

int archase_merkle_prove_inclusion(const uint8_t *leaf_hashes, uint64_t size, uint64_t index,
                                   uint8_t *proof, size_t proof_cap, size_t *proof_len) {
    if (!proof_len || (!proof && proof_cap) || !leaf_array_ok(leaf_hashes, size) || index >= size)
        return ARCHASE_EINVAL;
    return prove_from_array(0, leaf_hashes, index, size, size, proof, proof_cap, proof_len);
}

int archase_merkle_prove_consistency(const uint8_t *leaf_hashes, uint64_t size1, uint64_t size2,
                                     uint8_t *proof, size_t proof_cap, size_t *proof_len) {
    if (!proof_len || (!proof && proof_cap) || !leaf_array_ok(leaf_hashes, size2) || size1 == 0 ||
        size1 > size2)
        return ARCHASE_EINVAL;
    return prove_from_array(1, leaf_hashes, size1, size2, size2, proof, proof_cap, proof_len);
}
