/* libarchase/audit/chain.h — audit records as bytes: their canonical
 * encoding, the hash chain that links them, and the verifier of a sequence
 * of them. Pure: no store, no clock.
 *
 * An audit record is one canonical RECORD of kind AR_AUDIT_RECORD_KIND:
 *
 *   field 1  INT      index: its position in the log, from 0
 *   field 2  HASH     prev: the record hash of record index - 1 (32 zero bytes for 0)
 *   field 3  INT      kind: an archase_audit_kind (1 .. 65535)
 *   field 4  INSTANT  instant: when it was recorded (the injected clock)
 *   field 5  STRING   actor: who did it (non-empty, no NUL byte)
 *   field 6  BYTES    payload: the canonical encoding of the fact, decision,
 *                     approval ... it is about (exactly one canonical RECORD)
 *   field 7  LIST     links: source-document links, each a non-empty STRING
 *                     without NUL bytes; left out when there are none
 *
 * Its record hash is its Merkle leaf hash, SHA-256(0x00 || bytes): the same
 * hash is the leaf of the log's Merkle tree and the `prev` of the next record.
 * docs/audit-format.md is the byte-level specification.
 */
#ifndef AR_AUDIT_CHAIN_H
#define AR_AUDIT_CHAIN_H

#include <stdint.h>

#include "archase/audit.h"
#include "audit/merkle.h"
#include "core/canon.h"
#include "core/sha256.h"

/* The canonical record kind of an audit record ("AU"). */
#define AR_AUDIT_RECORD_KIND 0x4155

enum {
    AR_AUDIT_F_INDEX = 1,
    AR_AUDIT_F_PREV = 2,
    AR_AUDIT_F_KIND = 3,
    AR_AUDIT_F_INSTANT = 4,
    AR_AUDIT_F_ACTOR = 5,
    AR_AUDIT_F_PAYLOAD = 6,
    AR_AUDIT_F_LINKS = 7,
};

/* A string that is not NUL-terminated. */
typedef struct ar_audit_text {
    const char *data;
    size_t      len;
} ar_audit_text;

/* The fields of one audit record. Decoding points into the decoded bytes. */
typedef struct ar_audit_fields {
    uint64_t        index;
    uint8_t         prev_hash[ARCHASE_HASH_SIZE];
    uint32_t        kind;
    archase_instant instant;
    ar_audit_text   actor;
    const uint8_t  *payload;
    size_t          payload_size;
    /* Encoding reads `links` (link_count of them). Decoding sets link_count
     * and links_encoded/links_encoded_size (the LIST's items), which
     * ar_audit_link_iter reads; `links` is then NULL. */
    const ar_audit_text *links;
    uint32_t             link_count;
    const uint8_t       *links_encoded;
    size_t               links_encoded_size;
    /* Encoding: 1 when the payload is known to be one canonical record (the
     * library's own writer made it), so it is not checked again. */
    int                  payload_checked;
} ar_audit_fields;

/* Encodes `rec` with `c` (which must be empty; the caller finishes it).
 * ARCHASE_EINVAL for a record that breaks the rules above; otherwise the
 * writer's result (0 or ARCHASE_ENOMEM). */
int ar_audit_encode(const ar_audit_fields *rec, ar_canon *c);

/* Decodes exactly one audit record, checking every rule above (fields in
 * order, nothing else, a payload that is one well-formed canonical record).
 * 0 or ARCHASE_EPARSE; `out` is written only on success. */
int ar_audit_decode(const void *data, size_t size, ar_audit_fields *out);
/* The same, except that the payload need only start like a canonical record
 * (what the verifier checks: the hashes cover the payload's bytes). */
int ar_audit_decode_shallow(const void *data, size_t size, ar_audit_fields *out);

/* Reads the links of a decoded record in order. */
typedef struct ar_audit_link_iter {
    ar_canon_reader reader;
    uint32_t        left;
} ar_audit_link_iter;
void ar_audit_link_iter_init(ar_audit_link_iter *it, const ar_audit_fields *rec);
/* 1 and the next link in *out, or 0 at the end. */
int ar_audit_link_next(ar_audit_link_iter *it, ar_audit_text *out);

/* ---- the chain: appending ---------------------------------------------- */

/* What a log needs to append the next record: its Merkle frontier and the
 * hash of its last record. A store restores it from its meta family (the
 * frontier's bytes and the head hash). */
typedef struct ar_audit_chain {
    ar_merkle_frontier tree;
    uint8_t            head[ARCHASE_HASH_SIZE]; /* zero bytes while empty */
} ar_audit_chain;

void ar_audit_chain_init(ar_audit_chain *c);

/* The record just appended. `bytes` points into the encoder's buffer and
 * is valid until the encoder is reset or freed. */
typedef struct ar_audit_appended {
    uint64_t       index;
    const uint8_t *bytes;
    size_t         size;
    uint8_t        leaf_hash[ARCHASE_HASH_SIZE];
    uint8_t        prev_hash[ARCHASE_HASH_SIZE];
} ar_audit_appended;

/* Appends `rec` as the next record: its index and prev_hash come from the
 * chain (those in `rec` are ignored). Encodes it with `enc` (reset first),
 * hashes it and adds the leaf; `sink` (may be NULL) hears of completed
 * subtrees. On failure the chain is unchanged and `out` untouched. */
int ar_audit_chain_append(ar_audit_chain *c, ar_sha256 *sha, ar_canon *enc,
                          const ar_audit_fields *rec, const ar_merkle_sink *sink,
                          ar_audit_appended *out);

/* ---- the chain: verifying ---------------------------------------------- */

typedef enum ar_audit_problem {
    AR_AUDIT_INTACT = 0,
    AR_AUDIT_MALFORMED = 1,  /* not a well-formed audit record */
    AR_AUDIT_MISPLACED = 2,  /* its index is not its position: records missing, inserted or moved */
    AR_AUDIT_ALTERED = 3,    /* the chain of hashes breaks at this record */
    AR_AUDIT_CHECKPOINT = 4, /* a prefix of the log does not have the expected root */
    AR_AUDIT_TRUNCATED = 5,  /* the log ends before an expected size */
    AR_AUDIT_EXTRA = 6,      /* the log goes on past its expected final size */
} ar_audit_problem;

/* What the log is expected to hold: the root of its first `size` records,
 * from a checkpoint (whose signature the caller checked) or the store's head. */
typedef struct ar_audit_expect {
    uint64_t size;
    uint8_t  root[ARCHASE_HASH_SIZE];
} ar_audit_expect;

typedef struct ar_audit_report {
    ar_audit_problem problem;
    uint64_t         first_bad; /* position of the first bad record, when problem != INTACT */
    uint64_t         count;     /* records read */
    uint8_t          root[ARCHASE_HASH_SIZE]; /* when intact: the root of all records */
    uint8_t          head[ARCHASE_HASH_SIZE]; /* when intact: the hash of the last record */
    char             message[256];
} ar_audit_report;

/* Checks a sequence of encoded records fed in log order: each is a
 * well-formed audit record (its payload must start like a canonical record;
 * the payload's inner structure, checked when it was appended, is covered by
 * the hashes rather than parsed again), holds its own position as index and
 * the hash of the record before as prev, and the Merkle root of every
 * expected prefix matches. Stops at the first problem. No heap memory.
 *
 * first_bad is the position of the first record that is missing, extra, out
 * of place or altered. A broken link between records p-1 and p is blamed on
 * the side the records around it do not vouch for: record p when record p+1
 * links to something else, record p-1 when record p+1 links to record p;
 * when record p is the last one, on p-1 (the earlier of the two). A prefix
 * whose chain holds but whose root differs from an expectation blames its
 * last record, the one the chain cannot vouch for. */
typedef struct ar_audit_verifier {
    ar_sha256             *sha;
    const ar_audit_expect *expect;
    size_t                 expect_count;
    size_t                 next_expect;
    int                    exact;
    ar_audit_chain         chain;
    int                    pending; /* a broken link waits for the next record */
    uint64_t               pending_index;
    uint8_t                pending_hash[ARCHASE_HASH_SIZE];
    int                    done;
    ar_audit_report        report;
    /* May be set after init: hears of every subtree root the records
     * complete (a store's verifier compares them with the ones it keeps). If
     * it fails, ar_audit_verifier_add returns its code. */
    const ar_merkle_sink  *sink;
} ar_audit_verifier;

/* `expect` (may be NULL when expect_count is 0) must be in ascending order of
 * size and stay valid while the verifier is used. With `exact`, the last
 * expectation is the whole log: a record past it is EXTRA. Returns 0 or
 * ARCHASE_EINVAL. */
int ar_audit_verifier_init(ar_audit_verifier *v, ar_sha256 *sha, const ar_audit_expect *expect,
                           size_t expect_count, int exact);

/* Feeds the next record. 0: go on; ARCHASE_EVERIFY: a problem was found (feed
 * no more; the report says which); other codes (ARCHASE_ENOMEM) end the run. */
int ar_audit_verifier_add(ar_audit_verifier *v, const void *bytes, size_t size);
/* The same with the record hash of the bytes already computed. */
int ar_audit_verifier_add_hashed(ar_audit_verifier *v, const void *bytes, size_t size,
                                 const uint8_t leaf_hash[ARCHASE_HASH_SIZE]);

/* Ends the run and fills `out`. 0 when everything checked out,
 * ARCHASE_EVERIFY with the problem otherwise, or another error. */
int ar_audit_verifier_finish(ar_audit_verifier *v, ar_audit_report *out);

/* The whole run over `n` records in memory. */
int ar_audit_verify_records(ar_sha256 *sha, const ar_span *records, size_t n,
                            const ar_audit_expect *expect, size_t expect_count, int exact,
                            ar_audit_report *out);

#endif
