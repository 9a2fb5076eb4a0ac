/* tests/test_merkle_frontier.c — the incremental Merkle frontier and proofs
 * over a reader of subtree hashes (the shape a store gives them), checked
 * against the recursive definition of RFC 6962 §2.1. */
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "audit/merkle.h"
#include "support/testutil.h"

#define H ARCHASE_HASH_SIZE

static ar_sha256 sha;

static int setup(void **state) {
    (void)state;
    return ar_sha256_init(&sha);
}

static int teardown(void **state) {
    (void)state;
    ar_sha256_free(&sha);
    return 0;
}

static uint8_t *numbered_leaf_hashes(uint64_t n) {
    uint8_t *leaves = malloc(n * H + 1);
    assert_non_null(leaves);
    for (uint64_t i = 0; i < n; i++) {
        uint8_t be[8];
        for (int k = 0; k < 8; k++)
            be[k] = (uint8_t)(i >> (56 - 8 * k));
        assert_int_equal(ar_merkle_leaf_hash(&sha, be, sizeof be, leaves + i * H), 0);
    }
    return leaves;
}

/* MTH(D[lo:hi]) exactly as RFC 6962 §2.1 defines it, recursively. */
static void mth(const uint8_t *leaves, uint64_t lo, uint64_t hi, uint8_t out[H]) {
    uint8_t left[H], right[H];
    if (hi - lo == 1) {
        memcpy(out, leaves + lo * H, H);
        return;
    }
    uint64_t k = 1;
    while (k * 2 < hi - lo)
        k *= 2;
    mth(leaves, lo, lo + k, left);
    mth(leaves, lo + k, hi, right);
    assert_int_equal(ar_merkle_node_hash(&sha, left, right, out), 0);
}

static void frontier_root_is_the_recursive_root_for_every_size_to_2000(void **state) {
    (void)state;
    /* Every size's root is recomputed from the leaves (quadratic): up to 2000
     * in the plain and sanitizer runs, 500 under valgrind. */
    const uint64_t max = test_under_valgrind() ? 500 : 2000;
    uint8_t *leaves = numbered_leaf_hashes(max);
    uint8_t root[H], expected[H];
    ar_merkle_frontier f;
    ar_merkle_frontier_init(&f);
    assert_int_equal(ar_merkle_frontier_root(&f, &sha, root), 0);
    assert_int_equal(archase_sha256(NULL, 0, expected), 0);
    assert_memory_equal(root, expected, H);
    for (uint64_t size = 1; size <= max; size++) {
        assert_int_equal(ar_merkle_frontier_append(&f, &sha, leaves + (size - 1) * H, NULL), 0);
        assert_int_equal(f.size, size);
        assert_int_equal(f.count, (unsigned)__builtin_popcountll(size));
        assert_int_equal(ar_merkle_frontier_root(&f, &sha, root), 0);
        mth(leaves, 0, size, expected);
        assert_memory_equal(root, expected, H);
    }
    free(leaves);
}

/* A store of subtree hashes in memory, filled by the frontier's sink. */
typedef struct node_store {
    const uint8_t *leaves;
    uint64_t       size;
    uint8_t       *levels[AR_MERKLE_MAX_LEVELS]; /* levels[l][i]: subtree [i * 2^l, (i+1) * 2^l) */
    uint8_t       *known[AR_MERKLE_MAX_LEVELS];
    unsigned       keep_every;  /* keep only levels that are multiples of this (>= 1) */
    size_t         reads, completed, remembered;
    int            fail_reads_after; /* 0 = never */
} node_store;

static void store_init(node_store *s, const uint8_t *leaves, uint64_t size, unsigned keep_every) {
    memset(s, 0, sizeof *s);
    s->leaves = leaves;
    s->size = size;
    s->keep_every = keep_every;
    for (unsigned l = 1; l < AR_MERKLE_MAX_LEVELS && (size >> l); l++) {
        s->levels[l] = calloc((size >> l) + 1, H);
        s->known[l] = calloc((size >> l) + 1, 1);
        assert_non_null(s->levels[l]);
        assert_non_null(s->known[l]);
    }
}

static void store_free(node_store *s) {
    for (unsigned l = 0; l < AR_MERKLE_MAX_LEVELS; l++) {
        free(s->levels[l]);
        free(s->known[l]);
    }
}

static int store_completed(void *userdata, uint64_t start, unsigned level, const uint8_t hash[32]) {
    node_store *s = userdata;
    uint8_t expected[H];
    assert_true(level >= 1);
    assert_int_equal(start % ((uint64_t)1 << level), 0);
    mth(s->leaves, start, start + ((uint64_t)1 << level), expected);
    assert_memory_equal(hash, expected, H);
    s->completed++;
    if (level % s->keep_every == 0) {
        memcpy(s->levels[level] + (start >> level) * H, hash, H);
        s->known[level][start >> level] = 1;
    }
    return 0;
}

static int store_subtree(void *userdata, uint64_t start, unsigned level, uint8_t out[32]) {
    node_store *s = userdata;
    s->reads++;
    if (s->fail_reads_after && s->reads > (size_t)s->fail_reads_after)
        return ARCHASE_ESTORAGE;
    assert_true(start + ((uint64_t)1 << level) <= s->size);
    if (level == 0) {
        memcpy(out, s->leaves + start * H, H);
        return 0;
    }
    if (!s->known[level][start >> level])
        return ARCHASE_ENOTFOUND;
    memcpy(out, s->levels[level] + (start >> level) * H, H);
    return 0;
}

static int store_remember(void *userdata, uint64_t start, unsigned level, const uint8_t hash[32]) {
    node_store *s = userdata;
    s->remembered++;
    memcpy(s->levels[level] + (start >> level) * H, hash, H);
    s->known[level][start >> level] = 1;
    return 0;
}

static void store_reader(node_store *s, ar_merkle_reader *r, int remember) {
    r->userdata = s;
    r->subtree = store_subtree;
    r->remember = remember ? store_remember : NULL;
}

/* Appends every leaf through the frontier with the store as its sink. */
static void fill_store(node_store *s, ar_merkle_frontier *f) {
    ar_merkle_sink sink = { s, store_completed };
    ar_merkle_frontier_init(f);
    for (uint64_t i = 0; i < s->size; i++)
        assert_int_equal(ar_merkle_frontier_append(f, &sha, s->leaves + i * H, &sink), 0);
}

static void every_completed_subtree_reaches_the_sink_once(void **state) {
    (void)state;
    const uint64_t n = 1000;
    uint8_t *leaves = numbered_leaf_hashes(n);
    node_store s;
    ar_merkle_frontier f;
    store_init(&s, leaves, n, 1);
    fill_store(&s, &f);
    /* A tree of n leaves has exactly sum over l >= 1 of floor(n / 2^l) perfect subtrees above the leaves. */
    size_t expected = 0;
    for (unsigned l = 1; (n >> l); l++)
        expected += n >> l;
    assert_int_equal(s.completed, expected);
    for (unsigned l = 1; (n >> l); l++) {
        for (uint64_t i = 0; i < (n >> l); i++)
            assert_true(s.known[l][i]);
    }
    store_free(&s);
    free(leaves);
}

static void frontier_survives_its_bytes_and_keeps_growing(void **state) {
    (void)state;
    const uint64_t n = 300;
    uint8_t *leaves = numbered_leaf_hashes(n);
    ar_merkle_frontier f, g;
    ar_canon c;
    ar_canon_init(&c, NULL);
    ar_merkle_frontier_init(&f);
    for (uint64_t size = 0; size < n; size++) {
        const uint8_t *bytes;
        size_t len;
        uint8_t r1[H], r2[H];
        ar_canon_reset(&c);
        assert_int_equal(ar_merkle_frontier_encode(&f, &c), 0);
        assert_int_equal(ar_canon_finish(&c, &bytes, &len), 0);
        memset(&g, 0x5a, sizeof g);
        assert_int_equal(ar_merkle_frontier_decode(&g, bytes, len), 0);
        assert_int_equal(g.size, f.size);
        assert_int_equal(g.count, f.count);
        assert_memory_equal(g.nodes, f.nodes, f.count * H);
        /* The restored frontier grows exactly like the original. */
        assert_int_equal(ar_merkle_frontier_append(&g, &sha, leaves + size * H, NULL), 0);
        assert_int_equal(ar_merkle_frontier_append(&f, &sha, leaves + size * H, NULL), 0);
        assert_int_equal(ar_merkle_frontier_root(&f, &sha, r1), 0);
        assert_int_equal(ar_merkle_frontier_root(&g, &sha, r2), 0);
        assert_memory_equal(r1, r2, H);
    }
    ar_canon_free(&c);
    free(leaves);
}

static void frontier_bytes_are_checked_strictly(void **state) {
    (void)state;
    uint8_t leaf[H];
    ar_merkle_frontier f, g;
    ar_canon c;
    const uint8_t *bytes;
    size_t len;
    memset(leaf, 7, sizeof leaf);
    ar_merkle_frontier_init(&f);
    for (int i = 0; i < 5; i++)
        assert_int_equal(ar_merkle_frontier_append(&f, &sha, leaf, NULL), 0);
    ar_canon_init(&c, NULL);
    assert_int_equal(ar_merkle_frontier_encode(&f, &c), 0);
    assert_int_equal(ar_canon_finish(&c, &bytes, &len), 0);
    /* Exactly: record "MF", 2 fields, size 5, a list of 2 hashes. */
    const uint8_t head[] = { 0x0A, 0x4D, 0x46, 0x00, 0x02, 0x00, 0x01, 0x02, 0, 0, 0, 0, 0, 0, 0, 5,
                             0x00, 0x02, 0x09, 0, 0, 0, 2, 0x08 };
    assert_int_equal(len, sizeof head + H + 1 + H);
    assert_memory_equal(bytes, head, sizeof head);
    uint8_t *copy = malloc(len + 1);
    assert_non_null(copy);
    for (size_t cut = 0; cut < len; cut++)
        assert_int_equal(ar_merkle_frontier_decode(&g, bytes, cut), ARCHASE_EPARSE);
    memcpy(copy, bytes, len);
    copy[len] = 0;
    assert_int_equal(ar_merkle_frontier_decode(&g, copy, len + 1), ARCHASE_EPARSE); /* trailing byte */
    memcpy(copy, bytes, len);
    copy[15] = 6; /* size 6 also has popcount 2 ... */
    assert_int_equal(ar_merkle_frontier_decode(&g, copy, len), 0);
    copy[15] = 7; /* ... size 7 needs 3 hashes */
    assert_int_equal(ar_merkle_frontier_decode(&g, copy, len), ARCHASE_EPARSE);
    memcpy(copy, bytes, len);
    copy[8] = 0x80; /* a negative size */
    assert_int_equal(ar_merkle_frontier_decode(&g, copy, len), ARCHASE_EPARSE);
    memcpy(copy, bytes, len);
    copy[2] = 0x47; /* another record kind */
    assert_int_equal(ar_merkle_frontier_decode(&g, copy, len), ARCHASE_EPARSE);
    free(copy);
    ar_canon_free(&c);
}

static void frontier_loaded_from_a_store_equals_the_appended_one(void **state) {
    (void)state;
    const uint64_t n = 777;
    uint8_t *leaves = numbered_leaf_hashes(n);
    node_store s;
    ar_merkle_frontier f, g, h;
    ar_merkle_reader r;
    store_init(&s, leaves, n, 1);
    fill_store(&s, &f);
    store_reader(&s, &r, 0);
    assert_int_equal(ar_merkle_frontier_load(&g, &sha, &r, n), 0);
    assert_int_equal(g.size, f.size);
    assert_int_equal(g.count, f.count);
    assert_memory_equal(g.nodes, f.nodes, f.count * H);
    assert_int_equal(s.reads, (size_t)__builtin_popcountll(n));
    /* Any smaller size too. */
    ar_merkle_frontier_init(&h);
    for (uint64_t size = 0; size <= 100; size++) {
        assert_int_equal(ar_merkle_frontier_load(&g, &sha, &r, size), 0);
        assert_int_equal(g.size, h.size);
        assert_memory_equal(g.nodes, h.nodes, h.count * H);
        if (size < n)
            assert_int_equal(ar_merkle_frontier_append(&h, &sha, leaves + size * H, NULL), 0);
    }
    store_free(&s);
    free(leaves);
}

static int failing_sink(void *userdata, uint64_t start, unsigned level, const uint8_t hash[32]) {
    (void)start;
    (void)hash;
    return level >= *(unsigned *)userdata ? ARCHASE_ESTORAGE : 0;
}

static void a_failed_append_changes_nothing(void **state) {
    (void)state;
    uint8_t leaf[H], before_root[H], after_root[H];
    unsigned fail_level = 2;
    ar_merkle_sink sink = { &fail_level, failing_sink };
    ar_merkle_frontier f, before;
    memset(leaf, 1, sizeof leaf);
    ar_merkle_frontier_init(&f);
    for (int i = 0; i < 3; i++)
        assert_int_equal(ar_merkle_frontier_append(&f, &sha, leaf, &sink), 0);
    /* The 4th leaf completes a level-2 subtree: the sink refuses it. */
    before = f;
    assert_int_equal(ar_merkle_frontier_append(&f, &sha, leaf, &sink), ARCHASE_ESTORAGE);
    assert_memory_equal(&f, &before, sizeof f);
    assert_int_equal(ar_merkle_frontier_root(&before, &sha, before_root), 0);
    assert_int_equal(ar_merkle_frontier_root(&f, &sha, after_root), 0);
    assert_memory_equal(before_root, after_root, H);
    /* A full log refuses more leaves. */
    f.size = AR_MERKLE_MAX_SIZE;
    assert_int_equal(ar_merkle_frontier_append(&f, &sha, leaf, NULL), ARCHASE_ERANGE);
}

/* Proofs from the store reader equal proofs from the leaves, verify, and cost
 * O(log n) reads when every level is kept. */
static void store_proofs_are_logarithmic_and_correct(void **state) {
    (void)state;
    /* 100,000 leaves and 3000 rounds; a fifth of both under valgrind. */
    const uint64_t n = (uint64_t)test_rounds(100000, 5);
    const int rounds = test_rounds(3000, 5);
    uint8_t *leaves = numbered_leaf_hashes(n);
    node_store s;
    ar_merkle_frontier f;
    ar_merkle_reader r;
    ar_hash proof[AR_MERKLE_PROOF_MAX], again[AR_MERKLE_PROOF_MAX];
    uint8_t root[H], root1[H];
    test_rng rng;
    size_t len, len2, max_reads = 0;
    store_init(&s, leaves, n, 1);
    fill_store(&s, &f);
    store_reader(&s, &r, 0);
    assert_int_equal(ar_merkle_root_at(&sha, &r, n, root), 0);
    assert_int_equal(ar_merkle_frontier_root(&f, &sha, root1), 0);
    assert_memory_equal(root, root1, H);
    test_rng_seed(&rng, 9162);
    for (int round = 0; round < rounds; round++) {
        uint64_t size = 1 + test_rng_below(&rng, n);
        uint64_t index = test_rng_below(&rng, size);
        uint64_t size1 = 1 + test_rng_below(&rng, size);
        s.reads = 0;
        assert_int_equal(ar_merkle_root_at(&sha, &r, size, root), 0);
        assert_int_equal(ar_merkle_prove_inclusion(&sha, &r, index, size, proof, &len), 0);
        assert_int_equal(len, ar_merkle_inclusion_proof_length(index, size));
        if (s.reads > max_reads)
            max_reads = s.reads;
        assert_int_equal(ar_merkle_verify_inclusion(&sha, leaves + index * H, index, size, proof[0], len, root), 0);
        s.reads = 0;
        assert_int_equal(ar_merkle_root_at(&sha, &r, size1, root1), 0);
        assert_int_equal(ar_merkle_prove_consistency(&sha, &r, size1, size, proof, &len), 0);
        assert_int_equal(len, size1 == size ? 0 : ar_merkle_consistency_proof_length(size1, size));
        if (s.reads > max_reads)
            max_reads = s.reads;
        assert_int_equal(ar_merkle_verify_consistency(&sha, size1, size, proof[0], len, root1, root), 0);
        if (round % 100 == 0 && size <= 5000) {
            /* The same proofs straight from the leaves (every interior hash computed). */
            ar_merkle_array array = { leaves, size };
            ar_merkle_reader ar;
            ar_merkle_array_reader(&array, &ar);
            assert_int_equal(ar_merkle_prove_consistency(&sha, &ar, size1, size, again, &len2), 0);
            assert_int_equal(len2, len);
            assert_memory_equal(again, proof, len * H);
        }
    }
    /* root + proof: at most one read per level for each, plus the split ranges. */
    assert_true(max_reads <= 4 * 17);
    store_free(&s);
    free(leaves);
}

/* With only every 4th level kept (tiles), missing subtrees are computed and
 * handed to `remember`, and the next proof reads them. */
static void missing_subtrees_are_computed_and_remembered(void **state) {
    (void)state;
    const uint64_t n = 5000;
    uint8_t *leaves = numbered_leaf_hashes(n);
    node_store s;
    ar_merkle_frontier f;
    ar_merkle_reader r;
    ar_hash proof[AR_MERKLE_PROOF_MAX];
    uint8_t root[H];
    size_t len;
    store_init(&s, leaves, n, 4);
    fill_store(&s, &f);
    store_reader(&s, &r, 1);
    assert_int_equal(ar_merkle_frontier_root(&f, &sha, root), 0);
    s.reads = 0;
    assert_int_equal(ar_merkle_prove_inclusion(&sha, &r, 1234, n, proof, &len), 0);
    size_t first_reads = s.reads;
    assert_true(s.remembered > 0);
    assert_int_equal(ar_merkle_verify_inclusion(&sha, leaves + 1234 * H, 1234, n, proof[0], len, root), 0);
    s.reads = 0;
    s.remembered = 0;
    assert_int_equal(ar_merkle_prove_inclusion(&sha, &r, 1234, n, proof, &len), 0);
    assert_int_equal(s.remembered, 0);
    assert_true(s.reads < first_reads);
    store_free(&s);
    free(leaves);
}

static void a_failing_reader_fails_the_proof_and_writes_nothing(void **state) {
    (void)state;
    const uint64_t n = 64;
    uint8_t *leaves = numbered_leaf_hashes(n);
    node_store s;
    ar_merkle_frontier f, g;
    ar_merkle_reader r;
    ar_hash proof[AR_MERKLE_PROOF_MAX], untouched[AR_MERKLE_PROOF_MAX];
    uint8_t root[H], root_before[H];
    size_t len = 99;
    store_init(&s, leaves, n, 1);
    fill_store(&s, &f);
    store_reader(&s, &r, 0);
    memset(proof, 0x33, sizeof proof);
    memcpy(untouched, proof, sizeof proof);
    memset(root, 0x44, sizeof root);
    memcpy(root_before, root, sizeof root);
    /* Reads fail from the Nth on, for every N until the operation needs fewer. */
    int failures = 0;
    for (int after = 1;; after++) {
        s.reads = 0;
        s.fail_reads_after = after;
        int rc = ar_merkle_prove_inclusion(&sha, &r, 5, 63, proof, &len);
        if (rc == 0)
            break;
        failures++;
        assert_int_equal(rc, ARCHASE_ESTORAGE);
        assert_int_equal(len, 99);
        assert_memory_equal(proof, untouched, sizeof proof);
    }
    for (int after = 1;; after++) {
        s.reads = 0;
        s.fail_reads_after = after;
        int rc = ar_merkle_root_at(&sha, &r, 63, root);
        if (rc == 0)
            break;
        failures++;
        assert_int_equal(rc, ARCHASE_ESTORAGE);
        assert_memory_equal(root, root_before, H);
    }
    for (int after = 1;; after++) {
        s.reads = 0;
        s.fail_reads_after = after;
        memset(&g, 0, sizeof g);
        int rc = ar_merkle_frontier_load(&g, &sha, &r, 63);
        if (rc == 0)
            break;
        failures++;
        assert_int_equal(rc, ARCHASE_ESTORAGE);
        assert_int_equal(g.size, 0);
    }
    assert_true(failures >= 6 + 6 + 6);
    store_free(&s);
    free(leaves);
}

static void proofs_outside_the_tree_are_refused(void **state) {
    (void)state;
    uint8_t leaves[4 * H];
    ar_merkle_array array = { leaves, 4 };
    ar_merkle_reader r;
    ar_hash proof[AR_MERKLE_PROOF_MAX];
    size_t len;
    memset(leaves, 9, sizeof leaves);
    ar_merkle_array_reader(&array, &r);
    assert_int_equal(ar_merkle_prove_inclusion(&sha, &r, 4, 4, proof, &len), ARCHASE_EINVAL);
    assert_int_equal(ar_merkle_prove_consistency(&sha, &r, 0, 4, proof, &len), ARCHASE_EINVAL);
    assert_int_equal(ar_merkle_prove_consistency(&sha, &r, 3, 2, proof, &len), ARCHASE_EINVAL);
    /* The array reader refuses subtrees past its leaves. */
    assert_int_equal(ar_merkle_prove_inclusion(&sha, &r, 1, 5, proof, &len), ARCHASE_EINVAL);
    assert_int_equal(ar_merkle_inclusion_proof_length(4, 4), 0);
    /* Longest proofs: 64 hashes for inclusion, 65 for consistency. */
    assert_int_equal(ar_merkle_inclusion_proof_length(0, AR_MERKLE_MAX_SIZE), 63);
    assert_int_equal(ar_merkle_inclusion_proof_length(0, UINT64_MAX), 64);
    assert_true(ar_merkle_consistency_proof_length(UINT64_MAX - 2, UINT64_MAX) <= ARCHASE_MERKLE_PROOF_MAX);
}

#define WITH_SHA(test) cmocka_unit_test_setup_teardown(test, setup, teardown)

static const struct CMUnitTest tests[] = {
    WITH_SHA(frontier_root_is_the_recursive_root_for_every_size_to_2000),
    WITH_SHA(every_completed_subtree_reaches_the_sink_once),
    WITH_SHA(frontier_survives_its_bytes_and_keeps_growing),
    WITH_SHA(frontier_bytes_are_checked_strictly),
    WITH_SHA(frontier_loaded_from_a_store_equals_the_appended_one),
    WITH_SHA(a_failed_append_changes_nothing),
    WITH_SHA(store_proofs_are_logarithmic_and_correct),
    WITH_SHA(missing_subtrees_are_computed_and_remembered),
    WITH_SHA(a_failing_reader_fails_the_proof_and_writes_nothing),
    WITH_SHA(proofs_outside_the_tree_are_refused),
};

AR_TEST_MAIN(tests)
