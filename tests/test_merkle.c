/* tests/test_merkle.c — the RFC 6962 / RFC 9162 Merkle tree through the
 * public API: the published test vectors and probes, proofs built and
 * verified, and the arguments that are refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/testutil.h"

#define H ARCHASE_HASH_SIZE

/* The RFC 6962 test vectors as published with github.com/transparency-dev/merkle
 * (testonly/constants.go: LeafInputs, NodeHashes, RootHashes). */
static const char *const leaf_inputs[8] = {
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
};
static const char *const leaf_hashes_hex[8] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
};
static const char *const level1_hex[4] = {
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
};
static const char *const roots_hex[9] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

static void assert_hash_hex(const uint8_t hash[H], const char *hex) {
    char got[ARCHASE_HASH_HEX_SIZE];
    assert_int_equal(archase_hex_encode(hash, H, got, sizeof got), 0);
    assert_string_equal(got, hex);
}

/* The leaf hashes of the 8 vector leaves, one after the other. */
static void vector_leaf_hashes(uint8_t out[8 * H]) {
    for (int i = 0; i < 8; i++) {
        uint8_t data[16];
        size_t n = 0;
        assert_int_equal(archase_hex_decode(leaf_inputs[i], data, sizeof data, &n), 0);
        assert_int_equal(archase_merkle_leaf_hash(n ? data : NULL, n, out + i * H), 0);
    }
}

static void rfc6962_leaf_hashes_and_roots_of_sizes_0_to_8(void **state) {
    (void)state;
    uint8_t leaves[8 * H], root[H];
    vector_leaf_hashes(leaves);
    for (int i = 0; i < 8; i++)
        assert_hash_hex(leaves + i * H, leaf_hashes_hex[i]);
    for (uint64_t size = 0; size <= 8; size++) {
        assert_int_equal(archase_merkle_root(size ? leaves : NULL, size, root), 0);
        assert_hash_hex(root, roots_hex[size]);
    }
}

static void node_hash_joins_two_children(void **state) {
    (void)state;
    uint8_t leaves[8 * H], node[H];
    vector_leaf_hashes(leaves);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(archase_merkle_node_hash(leaves + 2 * i * H, leaves + (2 * i + 1) * H, node), 0);
        assert_hash_hex(node, level1_hex[i]);
    }
    /* Order matters: the tree is not a set. */
    assert_int_equal(archase_merkle_node_hash(leaves + H, leaves, node), 0);
    assert_true(memcmp(node, leaves, H) != 0);
    char hex[ARCHASE_HASH_HEX_SIZE];
    archase_hex_encode(node, H, hex, sizeof hex);
    assert_string_not_equal(hex, level1_hex[0]);
}

static void empty_tree_root_is_sha256_of_nothing(void **state) {
    (void)state;
    uint8_t root[H], expected[H];
    assert_int_equal(archase_merkle_root(NULL, 0, root), 0);
    assert_int_equal(archase_sha256(NULL, 0, expected), 0);
    assert_memory_equal(root, expected, H);
}

/* ---- the published probes (tests/data/merkle_probes.txt) ----------------- */

typedef struct probe {
    int      consistency;
    int      want_ok;
    uint64_t a, b; /* index and size, or size1 and size2 */
    uint8_t  h1[H], h2[H];
    int      typed; /* every hash is 32 bytes: the typed API can take it */
    size_t   proof_len;
    uint8_t  proof[80 * H];
    char     name[160];
} probe;

/* Reads one hash token; 0 when it is not 32 bytes ("~" is empty). */
static int token_hash(const char *tok, size_t len, uint8_t out[H]) {
    char hex[2 * H + 1];
    size_t n = 0;
    if (len != 2 * H)
        return 0;
    memcpy(hex, tok, len);
    hex[len] = '\0';
    return archase_hex_decode(hex, out, H, &n) == 0 && n == H;
}

static int parse_probe(char *line, probe *p) {
    char *save = NULL, *tok[8];
    int n = 0;
    for (char *t = strtok_r(line, " \n", &save); t && n < 8; t = strtok_r(NULL, " \n", &save))
        tok[n++] = t;
    if (n != 8)
        return 0;
    memset(p, 0, sizeof *p);
    p->consistency = !strcmp(tok[0], "consistency");
    assert_true(p->consistency || !strcmp(tok[0], "inclusion"));
    p->want_ok = !strcmp(tok[1], "ok");
    p->a = strtoull(tok[2], NULL, 10);
    p->b = strtoull(tok[3], NULL, 10);
    p->typed = token_hash(tok[4], strlen(tok[4]), p->h1) && token_hash(tok[5], strlen(tok[5]), p->h2);
    if (strcmp(tok[6], "-") != 0) {
        const char *c = tok[6];
        for (;;) {
            const char *comma = strchr(c, ',');
            size_t len = comma ? (size_t)(comma - c) : strlen(c);
            assert_true(p->proof_len < 80);
            if (!token_hash(c, len, p->proof + p->proof_len * H))
                p->typed = 0;
            p->proof_len++;
            if (!comma)
                break;
            c = comma + 1;
        }
    }
    snprintf(p->name, sizeof p->name, "%s", tok[7]);
    return 1;
}

typedef void (*probe_fn)(const probe *p, void *ctx);

static size_t for_each_probe(probe_fn fn, void *ctx) {
    const char *root = getenv("ARCHASE_SOURCE_ROOT");
    char path[4096], line[8192];
    size_t count = 0;
    assert_non_null(root);
    snprintf(path, sizeof path, "%s/tests/data/merkle_probes.txt", root);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    probe *p = malloc(sizeof *p);
    assert_non_null(p);
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        assert_true(parse_probe(line, p));
        fn(p, ctx);
        count++;
    }
    free(p);
    fclose(f);
    return count;
}

typedef struct probe_tally {
    size_t accepted, rejected, untyped;
} probe_tally;

static void check_probe(const probe *p, void *ctx) {
    probe_tally *t = ctx;
    if (!p->typed) {
        /* A hash that is not 32 bytes cannot reach the typed API (the CLI
         * refuses it as malformed). The one such probe that wants "ok" has
         * 12-byte "roots" of a tree that is not SHA-256: knowingly refused. */
        if (p->want_ok)
            assert_string_equal(p->name, "consistency/additional/sizes-are-equal-one-and-proof-is-empty");
        t->untyped++;
        return;
    }
    int rc = p->consistency
                 ? archase_merkle_verify_consistency(p->a, p->b, p->proof, p->proof_len, p->h1, p->h2)
                 : archase_merkle_verify_inclusion(p->h1, p->a, p->b, p->proof, p->proof_len, p->h2);
    if (rc != (p->want_ok ? 0 : ARCHASE_EVERIFY))
        fail_msg("probe %s: got %s", p->name, archase_error_name(rc));
    if (rc == 0)
        t->accepted++;
    else
        t->rejected++;
}

static void published_probes_are_accepted_or_rejected_as_published(void **state) {
    (void)state;
    probe_tally t = { 0, 0, 0 };
    size_t count = for_each_probe(check_probe, &t);
    assert_int_equal(count, 196);
    assert_int_equal(t.accepted, 11);
    assert_int_equal(t.rejected, 132);
    assert_int_equal(t.untyped, 53);
}

/* Every valid published proof over the vector tree is the proof we build. */
typedef struct rebuild_ctx {
    uint8_t leaves[8 * H];
    size_t  rebuilt;
} rebuild_ctx;

static void rebuild_published_proof(const probe *p, void *ctx) {
    rebuild_ctx *c = ctx;
    const uint8_t *leaves = c->leaves;
    uint8_t proof[ARCHASE_MERKLE_PROOF_MAX * H], root[H];
    size_t len = 0;
    if (!p->want_ok || !p->typed || p->b > 8)
        return;
    /* h2 is the root of the tree of size b in both kinds of probe. */
    assert_int_equal(archase_merkle_root(leaves, p->b, root), 0);
    if (memcmp(root, p->h2, H) != 0)
        return; /* a probe over another tree (the single-entry ones) */
    if (p->consistency)
        assert_int_equal(archase_merkle_prove_consistency(leaves, p->a, p->b, proof,
                                                          ARCHASE_MERKLE_PROOF_MAX, &len), 0);
    else
        assert_int_equal(archase_merkle_prove_inclusion(leaves, p->b, p->a, proof,
                                                        ARCHASE_MERKLE_PROOF_MAX, &len), 0);
    assert_int_equal(len, p->proof_len);
    if (len)
        assert_memory_equal(proof, p->proof, len * H);
    c->rebuilt++;
}

static void built_proofs_equal_the_published_ones(void **state) {
    (void)state;
    rebuild_ctx c;
    c.rebuilt = 0;
    vector_leaf_hashes(c.leaves);
    for_each_probe(rebuild_published_proof, &c);
    assert_int_equal(c.rebuilt, 10);
}

/* ---- our own must-reject variants over every small tree ------------------ */

/* The shape of an inclusion proof by RFC 6962's PATH(m, D[n]) (§2.1.1), the
 * definition the verifier is checked against: from the lowest level up, 1
 * where the sibling is on the left. Verification with (index, size) replaced
 * by a pair of the same shape computes the same root, so only pairs of
 * another shape must be rejected. */
typedef struct path_shape {
    size_t   len;
    uint64_t left_bits;
} path_shape;

static path_shape inclusion_shape(uint64_t m, uint64_t n) {
    path_shape s = { 0, 0 };
    if (n <= 1)
        return s;
    uint64_t k = 1;
    while (k * 2 < n)
        k *= 2;
    s = m < k ? inclusion_shape(m, k) : inclusion_shape(m - k, n - k);
    if (m >= k)
        s.left_bits |= (uint64_t)1 << s.len;
    s.len++;
    return s;
}

static int same_shape(path_shape a, path_shape b) {
    return a.len == b.len && a.left_bits == b.left_bits;
}

/* The length of the consistency proof from size1 to size2 over the vector
 * tree; a verifier given other sizes must reject a proof of another length. */
static size_t consistency_length(const uint8_t *leaves, uint64_t size1, uint64_t size2) {
    uint8_t proof[ARCHASE_MERKLE_PROOF_MAX * H];
    size_t len = 0;
    if (size1 == 0 || size1 > size2 || size2 > 8)
        return SIZE_MAX;
    assert_int_equal(archase_merkle_prove_consistency(leaves, size1, size2, proof,
                                                      ARCHASE_MERKLE_PROOF_MAX, &len), 0);
    return len;
}

static void flip_bit(uint8_t *p, size_t bit) {
    p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
}

static void every_inclusion_mutation_is_rejected(void **state) {
    (void)state;
    uint8_t leaves[8 * H], root[H], proof[ARCHASE_MERKLE_PROOF_MAX * H + H];
    size_t rejected = 0;
    vector_leaf_hashes(leaves);
    for (uint64_t size = 1; size <= 8; size++) {
        assert_int_equal(archase_merkle_root(leaves, size, root), 0);
        for (uint64_t index = 0; index < size; index++) {
            size_t len = 0;
            const uint8_t *leaf = leaves + index * H;
            assert_int_equal(archase_merkle_prove_inclusion(leaves, size, index, proof,
                                                            ARCHASE_MERKLE_PROOF_MAX, &len), 0);
            assert_int_equal(archase_merkle_verify_inclusion(leaf, index, size, proof, len, root), 0);
            /* wrong index, wrong size: rejected exactly when the path differs */
            path_shape shape = inclusion_shape(index, size);
            assert_int_equal(shape.len, len);
            for (uint64_t other = 0; other < 20; other++) {
                int rc = archase_merkle_verify_inclusion(leaf, other, size, proof, len, root);
                int same = other < size && same_shape(inclusion_shape(other, size), shape);
                assert_int_equal(rc, same ? 0 : ARCHASE_EVERIFY);
                rejected += rc != 0;
                rc = archase_merkle_verify_inclusion(leaf, index, other, proof, len, root);
                same = index < other && same_shape(inclusion_shape(index, other), shape);
                assert_int_equal(rc, same ? 0 : ARCHASE_EVERIFY);
                rejected += rc != 0;
            }
            /* truncated and extended proofs */
            for (size_t l = 0; l < len; l++)
                assert_int_equal(archase_merkle_verify_inclusion(leaf, index, size, proof, l, root),
                                 ARCHASE_EVERIFY);
            memcpy(proof + len * H, root, H);
            assert_int_equal(archase_merkle_verify_inclusion(leaf, index, size, proof, len + 1, root),
                             ARCHASE_EVERIFY);
            /* one bit anywhere: leaf, root, every proof hash */
            uint8_t leaf_copy[H], root_copy[H];
            for (size_t bit = 0; bit < 8 * H; bit += 7) {
                memcpy(leaf_copy, leaf, H);
                flip_bit(leaf_copy, bit);
                assert_int_equal(archase_merkle_verify_inclusion(leaf_copy, index, size, proof, len, root),
                                 ARCHASE_EVERIFY);
                memcpy(root_copy, root, H);
                flip_bit(root_copy, bit);
                assert_int_equal(archase_merkle_verify_inclusion(leaf, index, size, proof, len, root_copy),
                                 ARCHASE_EVERIFY);
                for (size_t k = 0; k < len; k++) {
                    flip_bit(proof + k * H, bit);
                    assert_int_equal(archase_merkle_verify_inclusion(leaf, index, size, proof, len, root),
                                     ARCHASE_EVERIFY);
                    flip_bit(proof + k * H, bit);
                }
            }
            /* two proof hashes swapped */
            for (size_t k = 0; k + 1 < len; k++) {
                uint8_t tmp[H];
                if (!memcmp(proof + k * H, proof + (k + 1) * H, H))
                    continue;
                memcpy(tmp, proof + k * H, H);
                memcpy(proof + k * H, proof + (k + 1) * H, H);
                memcpy(proof + (k + 1) * H, tmp, H);
                assert_int_equal(archase_merkle_verify_inclusion(leaf, index, size, proof, len, root),
                                 ARCHASE_EVERIFY);
                memcpy(proof + (k + 1) * H, proof + k * H, H);
                memcpy(proof + k * H, tmp, H);
            }
        }
    }
    assert_true(rejected > 500);
}

static void every_consistency_mutation_is_rejected(void **state) {
    (void)state;
    uint8_t leaves[8 * H], roots[9][H], proof[ARCHASE_MERKLE_PROOF_MAX * H + H];
    size_t rejected = 0;
    vector_leaf_hashes(leaves);
    for (uint64_t size = 0; size <= 8; size++)
        assert_int_equal(archase_merkle_root(leaves, size, roots[size]), 0);
    for (uint64_t size2 = 1; size2 <= 8; size2++) {
        for (uint64_t size1 = 1; size1 <= size2; size1++) {
            size_t len = 0;
            const uint8_t *r1 = roots[size1], *r2 = roots[size2];
            assert_int_equal(archase_merkle_prove_consistency(leaves, size1, size2, proof,
                                                              ARCHASE_MERKLE_PROOF_MAX, &len), 0);
            assert_int_equal(archase_merkle_verify_consistency(size1, size2, proof, len, r1, r2), 0);
            if (size1 == size2)
                assert_int_equal(len, 0);
            /* wrong sizes: a proof of another length never verifies */
            for (uint64_t other = 0; other <= 8; other++) {
                if (consistency_length(leaves, other, size2) != len) {
                    assert_int_equal(archase_merkle_verify_consistency(other, size2, proof, len, r1, r2),
                                     ARCHASE_EVERIFY);
                    rejected++;
                }
                if (consistency_length(leaves, size1, other) != len) {
                    assert_int_equal(archase_merkle_verify_consistency(size1, other, proof, len, r1, r2),
                                     ARCHASE_EVERIFY);
                    rejected++;
                }
            }
            /* swapped roots (distinct when the sizes differ) */
            if (size1 != size2)
                assert_int_equal(archase_merkle_verify_consistency(size1, size2, proof, len, r2, r1),
                                 ARCHASE_EVERIFY);
            /* truncated, extended */
            for (size_t l = 0; l < len; l++)
                assert_int_equal(archase_merkle_verify_consistency(size1, size2, proof, l, r1, r2),
                                 ARCHASE_EVERIFY);
            memcpy(proof + len * H, r2, H);
            assert_int_equal(archase_merkle_verify_consistency(size1, size2, proof, len + 1, r1, r2),
                             ARCHASE_EVERIFY);
            /* one bit anywhere */
            uint8_t copy[H];
            for (size_t bit = 0; bit < 8 * H; bit += 5) {
                memcpy(copy, r1, H);
                flip_bit(copy, bit);
                assert_int_equal(archase_merkle_verify_consistency(size1, size2, proof, len, copy, r2),
                                 ARCHASE_EVERIFY);
                memcpy(copy, r2, H);
                flip_bit(copy, bit);
                assert_int_equal(archase_merkle_verify_consistency(size1, size2, proof, len, r1, copy),
                                 ARCHASE_EVERIFY);
                for (size_t k = 0; k < len; k++) {
                    flip_bit(proof + k * H, bit);
                    assert_int_equal(archase_merkle_verify_consistency(size1, size2, proof, len, r1, r2),
                                     ARCHASE_EVERIFY);
                    flip_bit(proof + k * H, bit);
                }
            }
        }
    }
    assert_true(rejected > 200);
}

static void consistency_from_the_empty_tree_proves_nothing(void **state) {
    (void)state;
    uint8_t leaves[8 * H], empty[H], root[H];
    vector_leaf_hashes(leaves);
    assert_int_equal(archase_merkle_root(NULL, 0, empty), 0);
    assert_int_equal(archase_merkle_root(leaves, 8, root), 0);
    assert_int_equal(archase_merkle_verify_consistency(0, 8, NULL, 0, empty, root), ARCHASE_EVERIFY);
    assert_int_equal(archase_merkle_verify_consistency(0, 8, empty, 1, empty, root), ARCHASE_EVERIFY);
    assert_int_equal(archase_merkle_verify_consistency(0, 0, NULL, 0, empty, empty), ARCHASE_EVERIFY);
    size_t len = 0;
    uint8_t proof[ARCHASE_MERKLE_PROOF_MAX * H];
    assert_int_equal(archase_merkle_prove_consistency(leaves, 0, 8, proof, ARCHASE_MERKLE_PROOF_MAX, &len),
                     ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_prove_consistency(leaves, 5, 4, proof, ARCHASE_MERKLE_PROOF_MAX, &len),
                     ARCHASE_EINVAL);
}

static void equal_sizes_need_an_empty_proof_and_equal_roots(void **state) {
    (void)state;
    uint8_t leaves[8 * H], r5[H], r6[H];
    vector_leaf_hashes(leaves);
    assert_int_equal(archase_merkle_root(leaves, 5, r5), 0);
    assert_int_equal(archase_merkle_root(leaves, 6, r6), 0);
    assert_int_equal(archase_merkle_verify_consistency(5, 5, NULL, 0, r5, r5), 0);
    assert_int_equal(archase_merkle_verify_consistency(5, 5, NULL, 0, r5, r6), ARCHASE_EVERIFY);
    assert_int_equal(archase_merkle_verify_consistency(5, 5, r5, 1, r5, r5), ARCHASE_EVERIFY);
}

static void malformed_arguments_are_refused(void **state) {
    (void)state;
    uint8_t leaves[8 * H], root[H], proof[ARCHASE_MERKLE_PROOF_MAX * H];
    size_t len = 0;
    vector_leaf_hashes(leaves);
    assert_int_equal(archase_merkle_root(leaves, 8, root), 0);
    assert_int_equal(archase_merkle_leaf_hash(NULL, 1, root), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_leaf_hash("x", 1, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_node_hash(NULL, leaves, root), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_root(NULL, 3, root), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_root(leaves, 3, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_verify_inclusion(NULL, 0, 8, proof, 0, root), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_verify_inclusion(leaves, 0, 8, NULL, 3, root), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_verify_inclusion(leaves, 0, 8, proof, 3, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_verify_consistency(1, 8, NULL, 3, root, root), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_verify_consistency(1, 8, proof, 3, NULL, root), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_verify_consistency(1, 8, proof, 3, root, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_prove_inclusion(leaves, 8, 8, proof, ARCHASE_MERKLE_PROOF_MAX, &len),
                     ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_prove_inclusion(NULL, 8, 0, proof, ARCHASE_MERKLE_PROOF_MAX, &len),
                     ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_prove_inclusion(leaves, 8, 0, proof, ARCHASE_MERKLE_PROOF_MAX, NULL),
                     ARCHASE_EINVAL);
    assert_int_equal(archase_merkle_prove_inclusion(leaves, 8, 0, NULL, 3, &len), ARCHASE_EINVAL);
    /* An index past the tree is a proof that cannot hold, not a malformed call. */
    assert_int_equal(archase_merkle_verify_inclusion(leaves, 8, 8, proof, 0, root), ARCHASE_EVERIFY);
}

static void proof_buffers_too_small_are_left_alone(void **state) {
    (void)state;
    uint8_t leaves[8 * H], proof[4 * H], untouched[4 * H];
    size_t len = 12345;
    vector_leaf_hashes(leaves);
    memset(proof, 0xa5, sizeof proof);
    memcpy(untouched, proof, sizeof proof);
    /* A proof in a tree of 7 leaves for leaf 0 has 3 hashes. */
    assert_int_equal(archase_merkle_prove_inclusion(leaves, 7, 0, proof, 2, &len), ARCHASE_EBUFSIZE);
    assert_int_equal(len, 12345);
    assert_memory_equal(proof, untouched, sizeof proof);
    assert_int_equal(archase_merkle_prove_inclusion(leaves, 7, 0, proof, 3, &len), 0);
    assert_int_equal(len, 3);
    /* Consistency 3 -> 7 has 4 hashes (c, d, g and MTH(i, j) in RFC 6962's picture). */
    assert_int_equal(archase_merkle_prove_consistency(leaves, 3, 7, proof, 3, &len), ARCHASE_EBUFSIZE);
    assert_int_equal(len, 3);
    assert_int_equal(archase_merkle_prove_consistency(leaves, 3, 7, proof, 4, &len), 0);
    assert_int_equal(len, 4);
    /* The one-leaf tree: an empty proof needs no buffer at all. */
    assert_int_equal(archase_merkle_prove_inclusion(leaves, 1, 0, NULL, 0, &len), 0);
    assert_int_equal(len, 0);
}

/* ---- large trees ---------------------------------------------------------- */

static uint8_t *numbered_leaf_hashes(uint64_t n) {
    uint8_t *leaves = malloc(n * H);
    assert_non_null(leaves);
    for (uint64_t i = 0; i < n; i++) {
        uint8_t be[8];
        for (int k = 0; k < 8; k++)
            be[k] = (uint8_t)(i >> (56 - 8 * k));
        assert_int_equal(archase_merkle_leaf_hash(be, sizeof be, leaves + i * H), 0);
    }
    return leaves;
}

static void random_proofs_in_trees_up_to_100k_leaves_verify(void **state) {
    (void)state;
    const uint64_t max = 100000;
    uint8_t *leaves = numbered_leaf_hashes(max);
    uint8_t proof[ARCHASE_MERKLE_PROOF_MAX * H], root[H], root1[H];
    test_rng rng;
    test_rng_seed(&rng, 6962);
    for (int round = 0; round < 24; round++) {
        /* small sizes often, large ones sometimes */
        uint64_t size = 1 + test_rng_below(&rng, round % 3 ? 2000 : max);
        uint64_t index = test_rng_below(&rng, size);
        uint64_t size1 = 1 + test_rng_below(&rng, size);
        size_t len = 0;
        assert_int_equal(archase_merkle_root(leaves, size, root), 0);
        assert_int_equal(archase_merkle_prove_inclusion(leaves, size, index, proof,
                                                        ARCHASE_MERKLE_PROOF_MAX, &len), 0);
        assert_int_equal(archase_merkle_verify_inclusion(leaves + index * H, index, size, proof, len, root), 0);
        assert_int_equal(archase_merkle_verify_inclusion(leaves + index * H, index ^ 1, size, proof, len, root),
                         ARCHASE_EVERIFY);
        assert_int_equal(archase_merkle_root(leaves, size1, root1), 0);
        assert_int_equal(archase_merkle_prove_consistency(leaves, size1, size, proof,
                                                          ARCHASE_MERKLE_PROOF_MAX, &len), 0);
        assert_int_equal(archase_merkle_verify_consistency(size1, size, proof, len, root1, root), 0);
        if (size1 < size)
            assert_int_equal(archase_merkle_verify_consistency(size1 + 1, size, proof, len, root1, root),
                             ARCHASE_EVERIFY);
    }
    free(leaves);
}

static void audit_kinds_have_pinned_names(void **state) {
    (void)state;
    assert_string_equal(archase_audit_kind_name(ARCHASE_AUDIT_FACT_ACCEPTED), "fact_accepted");
    assert_string_equal(archase_audit_kind_name(ARCHASE_AUDIT_DECISION), "decision");
    assert_string_equal(archase_audit_kind_name(ARCHASE_AUDIT_CHECKPOINT), "checkpoint");
    assert_int_equal(ARCHASE_AUDIT_FACT_ACCEPTED, 1);
    assert_int_equal(ARCHASE_AUDIT_OUTBOX_TRANSITION, 6);
    assert_int_equal(ARCHASE_AUDIT_DISPUTE_TRANSITION, 9);
    assert_null(archase_audit_kind_name(0));
    assert_null(archase_audit_kind_name(ARCHASE_AUDIT_KIND_LIMIT_));
    for (int k = 1; k < ARCHASE_AUDIT_KIND_LIMIT_; k++)
        assert_non_null(archase_audit_kind_name(k));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(rfc6962_leaf_hashes_and_roots_of_sizes_0_to_8),
    cmocka_unit_test(node_hash_joins_two_children),
    cmocka_unit_test(empty_tree_root_is_sha256_of_nothing),
    cmocka_unit_test(published_probes_are_accepted_or_rejected_as_published),
    cmocka_unit_test(built_proofs_equal_the_published_ones),
    cmocka_unit_test(every_inclusion_mutation_is_rejected),
    cmocka_unit_test(every_consistency_mutation_is_rejected),
    cmocka_unit_test(consistency_from_the_empty_tree_proves_nothing),
    cmocka_unit_test(equal_sizes_need_an_empty_proof_and_equal_roots),
    cmocka_unit_test(malformed_arguments_are_refused),
    cmocka_unit_test(proof_buffers_too_small_are_left_alone),
    cmocka_unit_test(random_proofs_in_trees_up_to_100k_leaves_verify),
    cmocka_unit_test(audit_kinds_have_pinned_names),
};

AR_TEST_MAIN(tests)
