/* include/archase/audit.h — the tamper-evident audit log, as far as it needs no
 * store: the RFC 6962 / RFC 9162 Merkle tree (hashing, proofs and their
 * verification), the audit record kinds, and signed checkpoints.
 *
 * Everything here is what an external auditor needs to check a log without
 * the library's store: docs/audit-format.md specifies the bytes. */
#ifndef ARCHASE_AUDIT_H
#define ARCHASE_AUDIT_H

#include "archase/common.h"
#include "archase/hash.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the Merkle tree (RFC 9162 §2.1, SHA-256) --------------------------------
 *
 * A list of hashes (leaf hashes, proofs) is passed as `count` hashes of
 * ARCHASE_HASH_SIZE bytes each, one after the other: hash i is at byte
 * i * ARCHASE_HASH_SIZE. Indexes start at 0; a tree of `size` leaves holds
 * leaves 0 .. size - 1. */

/* No proof in a tree of fewer than 2^64 leaves has more hashes than this: a
 * buffer of ARCHASE_MERKLE_PROOF_MAX * ARCHASE_HASH_SIZE bytes always suffices. */
#define ARCHASE_MERKLE_PROOF_MAX 65

/* The leaf hash of `size` bytes: SHA-256(0x00 || data). `data` may be NULL
 * when size is 0. Returns 0, ARCHASE_EINVAL or ARCHASE_ENOMEM. */
ARCHASE_API int archase_merkle_leaf_hash(const void *data, size_t size,
                                         uint8_t out[ARCHASE_HASH_SIZE]);

/* The hash of an interior node: SHA-256(0x01 || left || right).
 * Returns 0, ARCHASE_EINVAL or ARCHASE_ENOMEM. */
ARCHASE_API int archase_merkle_node_hash(const uint8_t left[ARCHASE_HASH_SIZE],
                                         const uint8_t right[ARCHASE_HASH_SIZE],
                                         uint8_t out[ARCHASE_HASH_SIZE]);

/* The root (Merkle Tree Hash) of the tree whose leaves have the `size` leaf
 * hashes at `leaf_hashes`. The root of the empty tree (size 0, leaf_hashes
 * may then be NULL) is SHA-256 of the empty string. Uses no heap memory.
 * Returns 0, ARCHASE_EINVAL or ARCHASE_ENOMEM. */
ARCHASE_API int archase_merkle_root(const uint8_t *leaf_hashes, uint64_t size,
                                    uint8_t out[ARCHASE_HASH_SIZE]);

/* Verifies that `leaf_hash` is leaf `index` of the tree of `size` leaves
 * whose root is `root`, given the `proof_len` hashes of its inclusion proof
 * (the audit path, lowest level first). Exactly the algorithm of RFC 9162
 * §2.1.3.2. Returns 0 (valid), ARCHASE_EVERIFY (not valid, including
 * index >= size and proofs of the wrong length), ARCHASE_EINVAL (a NULL
 * hash, or a NULL proof with proof_len > 0) or ARCHASE_ENOMEM. */
ARCHASE_API int archase_merkle_verify_inclusion(const uint8_t leaf_hash[ARCHASE_HASH_SIZE],
                                                uint64_t index, uint64_t size,
                                                const uint8_t *proof, size_t proof_len,
                                                const uint8_t root[ARCHASE_HASH_SIZE]);

/* Verifies that the tree of `size2` leaves with root `root2` extends the tree
 * of `size1` leaves with root `root1`, given the `proof_len` hashes of the
 * consistency proof. For 0 < size1 < size2 this is exactly the algorithm of
 * RFC 9162 §2.1.4.2. When size1 == size2 the proof must be empty and the
 * roots equal (the one valid proof, RFC 6962 §2.1.2). A proof from size 0
 * proves nothing and is rejected, as is size1 > size2.
 * Returns 0 (valid), ARCHASE_EVERIFY (not valid), ARCHASE_EINVAL (a NULL
 * root, or a NULL proof with proof_len > 0) or ARCHASE_ENOMEM. */
ARCHASE_API int archase_merkle_verify_consistency(uint64_t size1, uint64_t size2,
                                                  const uint8_t *proof, size_t proof_len,
                                                  const uint8_t root1[ARCHASE_HASH_SIZE],
                                                  const uint8_t root2[ARCHASE_HASH_SIZE]);

/* Builds the inclusion proof of leaf `index` in the tree of the `size` leaf
 * hashes at `leaf_hashes` (RFC 6962 §2.1.1, lowest level first), the proof
 * archase_merkle_verify_inclusion accepts.
 *
 * Ownership: the caller provides `proof`, room for `proof_cap` hashes
 * (ARCHASE_MERKLE_PROOF_MAX always suffices); the library allocates nothing.
 * On success *proof_len is the number of hashes written.
 * Returns 0, ARCHASE_EINVAL (index >= size, NULL pointers),
 * ARCHASE_EBUFSIZE (proof_cap too small; nothing written) or ARCHASE_ENOMEM.
 * Costs O(size) hashes: every leaf is needed. */
ARCHASE_API int archase_merkle_prove_inclusion(const uint8_t *leaf_hashes, uint64_t size,
                                               uint64_t index, uint8_t *proof,
                                               size_t proof_cap, size_t *proof_len);

/* Builds the consistency proof from the tree of the first `size1` leaf
 * hashes to the tree of all `size2` (RFC 6962 §2.1.2), the proof
 * archase_merkle_verify_consistency accepts; empty when size1 == size2.
 * Same ownership and results as archase_merkle_prove_inclusion;
 * ARCHASE_EINVAL also for size1 == 0 or size1 > size2. */
ARCHASE_API int archase_merkle_prove_consistency(const uint8_t *leaf_hashes, uint64_t size1,
                                                 uint64_t size2, uint8_t *proof,
                                                 size_t proof_cap, size_t *proof_len);

/* ---- audit records --------------------------------------------------------
 *
 * What each audit record is about. The values are written into the log and
 * pinned forever: the list is append-only and nothing is renumbered. */
#define ARCHASE_AUDIT_KIND_MAP(X)                                                      \
    X(FACT_ACCEPTED,      1,  "fact_accepted")      /* a ledger fact was ingested */   \
    X(DECISION,           2,  "decision")           /* the engine decided an action */ \
    X(APPROVAL_REQUEST,   3,  "approval_request")   /* a sensitive action awaits */    \
    X(APPROVAL_DECISION,  4,  "approval_decision")  /* approved or rejected */         \
    X(OVERRIDE,           5,  "override")           /* a person overrode a decision */ \
    X(OUTBOX_TRANSITION,  6,  "outbox_transition")  /* pending, sent, in doubt... */   \
    X(CHECKPOINT,         7,  "checkpoint")         /* a signed checkpoint was made */ \
    X(PROMISE_TRANSITION, 8,  "promise_transition") /* kept, broken, cancelled... */   \
    X(DISPUTE_TRANSITION, 9,  "dispute_transition") /* in review, resolved... */       \
    X(POLICY_ACTIVATED,   10, "policy_activated")   /* a policy (by hash) took effect */ \
    X(APPROVAL_VOIDED,    11, "approval_voided")    /* facts changed before dispatch */ \
    /* append only; never renumber */

typedef enum archase_audit_kind {
#define ARCHASE_AUDIT_KIND_ENUM_(name, value, text) ARCHASE_AUDIT_##name = (value),
    ARCHASE_AUDIT_KIND_MAP(ARCHASE_AUDIT_KIND_ENUM_)
#undef ARCHASE_AUDIT_KIND_ENUM_
    ARCHASE_AUDIT_KIND_LIMIT_ = 12 /* one more than the largest kind; grows with the list */
} archase_audit_kind;

/* The name of an audit record kind ("fact_accepted"), or NULL for a value
 * not in the list. A static string. */
ARCHASE_API const char *archase_audit_kind_name(int kind);

/* ---- signed checkpoints -------------------------------------------------------
 *
 * A checkpoint is a signed statement "log LOG_ID had SIZE records with Merkle
 * root ROOT at TIME". The signature is Ed25519 (RFC 8032, through libcrypto)
 * over the checkpoint body: the canonical encoding of (log id, size, root,
 * time) given in docs/audit-format.md. */

#define ARCHASE_LOG_ID_MAX 128          /* bytes, without the NUL */
#define ARCHASE_ED25519_PUBLIC_KEY_SIZE 32
#define ARCHASE_ED25519_SIGNATURE_SIZE 64
#define ARCHASE_CHECKPOINT_KEY_ID_SIZE 8
#define ARCHASE_CHECKPOINT_BODY_MAX 256 /* longest checkpoint body, in bytes */
#define ARCHASE_CHECKPOINT_TEXT_MAX 512 /* longest text form, with the NUL */

/* A checkpoint, owned by the caller. `log_id` is 1..ARCHASE_LOG_ID_MAX
 * printable ASCII characters without spaces (0x21..0x7e). `size` is at most
 * INT64_MAX. `key_id` is the first 8 bytes of SHA-256 of the signer's raw
 * public key: it names the key, it proves nothing. */
typedef struct archase_checkpoint {
    unsigned        version;                                      /* ARCHASE_CHECKPOINT_VERSION */
    char            log_id[ARCHASE_LOG_ID_MAX + 1];
    uint64_t        size;
    uint8_t         root[ARCHASE_HASH_SIZE];
    archase_instant time;
    uint8_t         key_id[ARCHASE_CHECKPOINT_KEY_ID_SIZE];       /* set by signing */
    uint8_t         signature[ARCHASE_ED25519_SIGNATURE_SIZE];    /* set by signing */
} archase_checkpoint;
#define ARCHASE_CHECKPOINT_VERSION 1

/* Fills `cp` with its version and (log_id, size, root, time), signature
 * zeroed: the checkpoint to sign. Returns 0, ARCHASE_EINVAL (a log id that is
 * empty, too long or has other characters; size > INT64_MAX; NULL pointers). */
ARCHASE_API int archase_checkpoint_init(archase_checkpoint *cp, const char *log_id,
                                        uint64_t size, const uint8_t root[ARCHASE_HASH_SIZE],
                                        archase_instant time);

/* Writes the checkpoint body, the exact bytes that are signed, into `buf`
 * (room for `buf_size` bytes; ARCHASE_CHECKPOINT_BODY_MAX always suffices)
 * and its length into *len. Returns 0, ARCHASE_EINVAL, ARCHASE_EVERSION or
 * ARCHASE_EBUFSIZE. */
ARCHASE_API int archase_checkpoint_body(const archase_checkpoint *cp, uint8_t *buf,
                                        size_t buf_size, size_t *len);

/* A host's Ed25519 signer (an HSM, a key service): a versioned table the
 * library copies for the duration of the call. Both functions return 0 on
 * success and anything else on failure. */
typedef struct archase_signer {
    unsigned version;  /* ARCHASE_SIGNER_VERSION */
    void    *userdata; /* passed first to every function below */
    /* Writes the signer's raw 32-byte Ed25519 public key. */
    int (*public_key)(void *userdata, uint8_t public_key[ARCHASE_ED25519_PUBLIC_KEY_SIZE]);
    /* Signs `size` bytes with Ed25519 (pure, RFC 8032 §5.1) into `signature`. */
    int (*sign)(void *userdata, const uint8_t *message, size_t size,
                uint8_t signature[ARCHASE_ED25519_SIGNATURE_SIZE]);
} archase_signer;
#define ARCHASE_SIGNER_VERSION 1

/* Signs `cp` (already holding log id, size, root and time) with `signer`:
 * writes key_id and signature, and nothing else, only on success. The
 * signature is checked against the signer's public key before it is
 * accepted. Returns 0, ARCHASE_EINVAL, ARCHASE_EVERSION (signer or checkpoint
 * version), ARCHASE_ECALLBACK (a signer function failed), ARCHASE_EVERIFY
 * (the signer produced a signature its public key does not verify) or
 * ARCHASE_ENOMEM. */
ARCHASE_API int archase_checkpoint_sign(archase_checkpoint *cp, const archase_signer *signer);

/* Verifies the signature of `cp` with the raw Ed25519 `public_key`.
 * Returns 0 (valid), ARCHASE_EVERIFY (a wrong signature, a key id that is
 * not this key's, or any field changed since signing), ARCHASE_EINVAL
 * (NULL pointers, a malformed log id, size > INT64_MAX), ARCHASE_EVERSION or
 * ARCHASE_ENOMEM. */
ARCHASE_API int archase_checkpoint_verify(const archase_checkpoint *cp,
                                          const uint8_t public_key[ARCHASE_ED25519_PUBLIC_KEY_SIZE]);

/* Writes the text form of a signed checkpoint, the one a third party keeps:
 *
 *   archase-checkpoint v1
 *   log-id LOG_ID
 *   size SIZE                (decimal)
 *   root BASE64              (the 32-byte root, RFC 4648 base64 with padding)
 *   time SECONDS             (decimal seconds since 1970-01-01T00:00:00Z)
 *   key-id HEX               (16 lowercase hex digits)
 *   signature BASE64         (the 64-byte signature)
 *
 * each line ending in "\n", NUL-terminated in `buf` (ARCHASE_CHECKPOINT_TEXT_MAX
 * always suffices). Returns 0, ARCHASE_EINVAL, ARCHASE_EVERSION or ARCHASE_EBUFSIZE. */
ARCHASE_API int archase_checkpoint_format(const archase_checkpoint *cp, char *buf, size_t size);

/* Reads the text form (exactly as archase_checkpoint_format writes it: lines
 * in that order, "\n" endings, canonical numbers and base64) of `len` bytes.
 * Parsing checks the form only; archase_checkpoint_verify checks the
 * signature. Returns 0, ARCHASE_EINVAL (NULL pointers) or ARCHASE_EPARSE;
 * `out` is written only on success. */
ARCHASE_API int archase_checkpoint_parse(const char *text, size_t len, archase_checkpoint *out);

/* Reads an Ed25519 public key from PEM text ("-----BEGIN PUBLIC KEY-----",
 * as `openssl pkey -pubout` writes it) into its raw 32 bytes.
 * Returns 0, ARCHASE_EINVAL or ARCHASE_EPARSE (not PEM, or not Ed25519). */
ARCHASE_API int archase_public_key_from_pem(const char *pem, size_t len,
                                            uint8_t out[ARCHASE_ED25519_PUBLIC_KEY_SIZE]);

/* An Ed25519 private key held in memory, for hosts that keep the key in a
 * file rather than behind a signer of their own. */
typedef struct archase_signing_key archase_signing_key;

/* Reads an unencrypted PKCS#8 Ed25519 private key from PEM text
 * ("-----BEGIN PRIVATE KEY-----", as `openssl genpkey -algorithm ed25519`
 * writes it). `allocator` may be NULL (the default one).
 * Returns 0, ARCHASE_EINVAL, ARCHASE_EVERSION (the allocator's version),
 * ARCHASE_EPARSE (not PEM, encrypted, or not Ed25519) or ARCHASE_ENOMEM;
 * *out is written only on success. */
ARCHASE_API int archase_signing_key_from_pem(const char *pem, size_t len,
                                             const archase_allocator *allocator,
                                             archase_signing_key **out);

/* The same, reading the PEM file at `path`. Also ARCHASE_EIO (cannot read it). */
ARCHASE_API int archase_signing_key_load(const char *path, const archase_allocator *allocator,
                                         archase_signing_key **out);

/* Frees the key; NULL is allowed. */
ARCHASE_API void archase_signing_key_free(archase_signing_key *key);

/* The key's raw 32-byte public key. Returns 0 or ARCHASE_EINVAL. */
ARCHASE_API int archase_signing_key_public(const archase_signing_key *key,
                                           uint8_t out[ARCHASE_ED25519_PUBLIC_KEY_SIZE]);

/* Fills `out` with a signer that signs with `key`, for archase_checkpoint_sign.
 * The signer refers to the key: it is valid while the key is. A key may sign
 * on several threads at once. Returns 0 or ARCHASE_EINVAL. */
ARCHASE_API int archase_signing_key_signer(archase_signing_key *key, archase_signer *out);

#ifdef __cplusplus
}
#endif
#endif
