/* include/archase/audit.h — the tamper-evident audit log: the RFC 6962 /
 * RFC 9162 Merkle tree (hashing, proofs and their verification), the audit
 * record kinds, signed checkpoints, and the log an engine keeps in its store
 * (verification, roots and proofs, checkpoints, export).
 *
 * The first parts are what an external auditor needs to check a log without
 * the library's store; docs/audit-format.md specifies the bytes. */
#ifndef ARCHASE_AUDIT_H
#define ARCHASE_AUDIT_H

#include "archase/common.h"
#include "archase/hash.h"
#include "archase/io.h"

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
    X(APPROVAL_EXPIRED,   12, "approval_expired")   /* it lapsed before dispatch */    \
    X(APPROVAL_REFUSED,   13, "approval_refused")   /* an attempt the rules refused */ \
    X(APPROVAL_DISPATCHED, 14, "approval_dispatched") /* the approved action went out */ \
    X(RECON_TRANSITION,   15, "recon_transition")   /* a reconciliation item opened or resolved */ \
    /* append only; never renumber */

typedef enum archase_audit_kind {
#define ARCHASE_AUDIT_KIND_ENUM_(name, value, text) ARCHASE_AUDIT_##name = (value),
    ARCHASE_AUDIT_KIND_MAP(ARCHASE_AUDIT_KIND_ENUM_)
#undef ARCHASE_AUDIT_KIND_ENUM_
    ARCHASE_AUDIT_KIND_LIMIT_ = 16 /* one more than the largest kind; grows with the list */
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

/* ---- the audit log of an engine's store -------------------------------------
 *
 * Every accepted fact, decision, approval request and decision, override and
 * outbox transition is appended to the engine's store as an audit record, in
 * the transaction that stores it (docs/audit-format.md, "The store's layout").
 * The functions below read that log. They take no lock: the log only grows,
 * and a writer that appends meanwhile is not mistaken for tampering. */

/* The number of records in the log. Returns 0, ARCHASE_EINVAL,
 * ARCHASE_EUNSUPPORTED (a backend without the audit slots) or a storage error. */
ARCHASE_API int archase_audit_size(archase_engine *eng, uint64_t *out);

/* The log's id, which its checkpoints name: "ar-" and 32 lowercase hex digits,
 * the first 16 bytes of the record hash of record 0 (so no two logs share one).
 * `out` has room for `size` bytes (ARCHASE_LOG_ID_MAX + 1 always suffices).
 * Returns 0, ARCHASE_ESTATE (the log is empty), ARCHASE_EBUFSIZE, ARCHASE_EINVAL
 * or a storage error. */
ARCHASE_API int archase_audit_log_id(archase_engine *eng, char *out, size_t size);

/* The Merkle root of the first `size` records (the empty root for 0), read
 * from the subtree roots the log keeps: O(log n) reads. Returns 0,
 * ARCHASE_ERANGE (size > the log's size), ARCHASE_EINVAL or a storage error. */
ARCHASE_API int archase_audit_root(archase_engine *eng, uint64_t size,
                                   uint8_t out[ARCHASE_HASH_SIZE]);

/* The inclusion proof of record `index` in the tree of the first `size`
 * records (lowest level first), which archase_merkle_verify_inclusion checks
 * against archase_audit_root(size). `leaf_hash` (may be NULL) receives the
 * record's hash. `proof` has room for `proof_cap` hashes
 * (ARCHASE_MERKLE_PROOF_MAX always suffices); *proof_len gets the count.
 * O(log n) reads. Returns 0, ARCHASE_ERANGE (index >= size, or size > the
 * log's size), ARCHASE_EBUFSIZE, ARCHASE_EINVAL or a storage error; nothing is
 * written on failure. */
ARCHASE_API int archase_audit_prove_inclusion(archase_engine *eng, uint64_t index, uint64_t size,
                                              uint8_t leaf_hash[ARCHASE_HASH_SIZE], uint8_t *proof,
                                              size_t proof_cap, size_t *proof_len);

/* The consistency proof from the first `size1` records to the first `size2`
 * (empty when equal), which archase_merkle_verify_consistency checks.
 * Same ownership and results as archase_audit_prove_inclusion; ARCHASE_ERANGE
 * also for size1 == 0 or size1 > size2. */
ARCHASE_API int archase_audit_prove_consistency(archase_engine *eng, uint64_t size1, uint64_t size2,
                                                uint8_t *proof, size_t proof_cap, size_t *proof_len);

/* Signs the log as it is now: a checkpoint of its log id, size and root at
 * the engine clock's instant, signed by `signer`. The checkpoint and the
 * signer's public key are stored in the CHECKPOINT family and the checkpoint
 * is itself appended to the log (kind checkpoint, record `size`), in one
 * transaction. *out (may be NULL) receives the signed checkpoint.
 * Returns 0, ARCHASE_ESTATE (the log is empty, or a batch is open),
 * ARCHASE_EINVAL, ARCHASE_EVERSION, ARCHASE_ECALLBACK / ARCHASE_EVERIFY (the
 * signer failed or signed wrongly), a storage error or ARCHASE_ENOMEM. */
ARCHASE_API int archase_audit_checkpoint(archase_engine *eng, const archase_signer *signer,
                                         archase_checkpoint *out);

/* Receives stored checkpoints in order of size, each with the public key it
 * was stored with; valid during the call. Return 0 to go on, 1 to stop, or a
 * negative code to abort with it. */
typedef int (*archase_checkpoint_fn)(void *userdata, const archase_checkpoint *cp,
                                     const uint8_t public_key[ARCHASE_ED25519_PUBLIC_KEY_SIZE]);

/* Hands every stored checkpoint to `fn`. Returns 0, ARCHASE_EINVAL, fn's
 * code, ARCHASE_ESTORAGE (also for a stored checkpoint that cannot be
 * decoded) or ARCHASE_ENOMEM. */
ARCHASE_API int archase_audit_checkpoints(archase_engine *eng, archase_checkpoint_fn fn,
                                          void *userdata);

/* What verification found. Values are pinned. */
typedef enum archase_audit_problem {
    ARCHASE_AUDIT_PROBLEM_NONE = 0,
    ARCHASE_AUDIT_PROBLEM_MALFORMED = 1,   /* a record that is not a well-formed audit record */
    ARCHASE_AUDIT_PROBLEM_MISPLACED = 2,   /* records missing, inserted or moved */
    ARCHASE_AUDIT_PROBLEM_ALTERED = 3,     /* a record's content or hashes were changed */
    ARCHASE_AUDIT_PROBLEM_ROOT = 4,        /* a prefix does not have a signed (or recorded) root */
    ARCHASE_AUDIT_PROBLEM_TRUNCATED = 5,   /* records at the end are gone */
    ARCHASE_AUDIT_PROBLEM_EXTRA = 6,       /* records past the log's recorded end */
    ARCHASE_AUDIT_PROBLEM_CHECKPOINT = 7,  /* a checkpoint is forged, untrusted, damaged or not in the log */
    ARCHASE_AUDIT_PROBLEM_STATE = 8        /* the log's recorded size, root or head was changed */
} archase_audit_problem;

/* The name of a problem ("altered"), or NULL for a value not in the list. */
ARCHASE_API const char *archase_audit_problem_name(int problem);

typedef struct archase_audit_report {
    unsigned version;              /* set to ARCHASE_AUDIT_REPORT_VERSION */
    int      problem;              /* archase_audit_problem; ARCHASE_AUDIT_PROBLEM_NONE when verified */
    uint64_t first_bad;            /* the index of the first bad record (when problem is not NONE) */
    uint64_t records;              /* records read */
    uint64_t size;                 /* when verified: records in the log */
    uint8_t  root[ARCHASE_HASH_SIZE]; /* when verified: the root of the whole log */
    uint64_t checkpoints;          /* checkpoints whose signature was checked */
    char     log_id[ARCHASE_LOG_ID_MAX + 1]; /* "" for an empty log */
    char     message[320];         /* what was verified, or what is wrong and where */
} archase_audit_report;
#define ARCHASE_AUDIT_REPORT_VERSION 1

typedef struct archase_audit_verify_options {
    unsigned                  version;           /* ARCHASE_AUDIT_VERIFY_OPTIONS_VERSION */
    const archase_allocator  *allocator;         /* archase_audit_verify_export; NULL = default */
    /* Raw Ed25519 public keys (32 bytes each) checkpoints must be signed
     * with. With none, a stored checkpoint is checked with the key stored
     * next to it — which proves only that it was not damaged: someone able
     * to rewrite the store can also sign with a key of their own. */
    const uint8_t            *trusted_keys;
    size_t                    trusted_key_count;
    /* Checkpoints kept outside the store (a third party's copies): the log
     * must have their roots too. They need trusted_keys. */
    const archase_checkpoint *checkpoints;
    size_t                    checkpoint_count;
} archase_audit_verify_options;
#define ARCHASE_AUDIT_VERIFY_OPTIONS_VERSION 1
#define ARCHASE_AUDIT_VERIFY_OPTIONS_INIT \
    { ARCHASE_AUDIT_VERIFY_OPTIONS_VERSION, NULL, NULL, 0, NULL, 0 }
ARCHASE_API int archase_audit_verify_options_init(archase_audit_verify_options *opts,
                                                  unsigned version);

/* Recomputes the whole log from the store: every record's encoding, hash,
 * index and link to the one before; the subtree roots each record keeps; the
 * root against every checkpoint (signature, key, log id, and its own record in
 * the log) and against the log's recorded size, root and head. Finds any
 * edit, deletion, insertion, reordering or truncation, and reports the first
 * bad record (docs/audit-format.md, "Verifying a log", says how it is named).
 * `opts` may be NULL. Returns 0 (verified), ARCHASE_EVERIFY (see `report`),
 * ARCHASE_EINVAL, ARCHASE_EVERSION, a storage error or ARCHASE_ENOMEM; `report`
 * is written on 0 and ARCHASE_EVERIFY. */
ARCHASE_API int archase_audit_verify(archase_engine *eng, const archase_audit_verify_options *opts,
                                     archase_audit_report *report);

/* Writes the log as JSON Lines through `write`: a header line (log id, size,
 * root, head), one line per stored checkpoint (its text form and public key),
 * then one line per record with its index, kind, actor, instant, links, prev
 * hash, leaf hash and the record's exact bytes in hex (docs/audit-format.md,
 * "Export"). Returns 0, ARCHASE_EINVAL, the writer's code, a storage error or
 * ARCHASE_ENOMEM. */
ARCHASE_API int archase_audit_export(archase_engine *eng, archase_write_fn write, void *userdata);

/* Reads up to `size` bytes into `buf`; *got = 0 at the end. Returns 0, or a
 * negative code to stop with it. */
typedef int (*archase_read_fn)(void *userdata, void *buf, size_t size, size_t *got);

/* Verifies an export alone, without a store — an auditor's check: every
 * record's bytes, hash, index and chain, the header's size and root, every
 * checkpoint's signature, root and record. Same results as
 * archase_audit_verify (ARCHASE_EVERIFY also for an export that is not
 * well-formed, with the line in the message), plus the reader's code. */
ARCHASE_API int archase_audit_verify_export(archase_read_fn read, void *userdata,
                                            const archase_audit_verify_options *opts,
                                            archase_audit_report *report);

#ifdef __cplusplus
}
#endif
#endif
