/* libarchase/audit/verify.h — the pieces of verification the store's
 * verifier and the export's verifier share: the verdict (the earliest bad
 * record wins), the set of checkpoints, and the per-record check. */
#ifndef AR_AUDIT_VERIFY_H
#define AR_AUDIT_VERIFY_H

#include <stdint.h>

#include "archase/audit.h"
#include "audit/chain.h"

/* What is wrong, and with which record. */
typedef struct ar_verdict {
    int      problem;  /* archase_audit_problem; 0 = nothing found */
    uint64_t index;
    char     message[320];
} ar_verdict;

void ar_verdict_init(ar_verdict *v);
/* Records a problem unless one at an earlier (or the same) index is known. */
void ar_verdict_set(ar_verdict *v, int problem, uint64_t index, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void ar_verdict_report(const ar_verdict *v, archase_audit_report *out);

typedef struct ar_cp_entry {
    archase_checkpoint cp;
    uint8_t            public_key[ARCHASE_ED25519_PUBLIC_KEY_SIZE]; /* stored ones */
    int                stored;   /* from the log (else given by the caller) */
    int                valid;    /* signature and key checked */
    int                recorded; /* its own record was found in the log */
} ar_cp_entry;

typedef struct ar_cp_set {
    const archase_allocator *allocator;
    ar_cp_entry             *items;
    size_t                   n, cap;
} ar_cp_set;

void ar_cp_set_init(ar_cp_set *s, const archase_allocator *a);
void ar_cp_set_free(ar_cp_set *s);
/* `public_key` NULL for a checkpoint given by the caller. 0 or ARCHASE_ENOMEM. */
int  ar_cp_set_add(ar_cp_set *s, const archase_checkpoint *cp,
                   const uint8_t public_key[ARCHASE_ED25519_PUBLIC_KEY_SIZE], int stored);
void ar_cp_set_sort(ar_cp_set *s);
int  ar_cp_set_has_size(const ar_cp_set *s, uint64_t size);
/* Checks every signature (stored checkpoints with their own key, which must
 * be trusted when keys are given; given ones with the trusted key they
 * name); marks the good ones valid, blames the records of the others.
 * 0 or ARCHASE_ENOMEM. */
int  ar_cp_set_check(ar_cp_set *s, const archase_audit_verify_options *o, ar_verdict *v,
                     uint64_t *checked);
/* The (size, root) of every valid checkpoint, plus `extra` (may be NULL), in
 * ascending size: freed by the caller with `a`. 0 or ARCHASE_ENOMEM. */
int  ar_cp_set_expectations(const ar_cp_set *s, ar_audit_expect **out, size_t *count,
                            const ar_audit_expect *extra, const archase_allocator *a);
/* Record `index` is a checkpoint record: its payload must be the stored
 * checkpoint of size `index`. */
void ar_cp_set_record(ar_cp_set *s, uint64_t index, const void *payload, size_t size, ar_verdict *v);
/* After the records: every stored checkpoint had its record (of those below
 * `count` when the records were not all read: `complete` 0), every valid one
 * names `log_id` (NULL = unknown). */
void ar_cp_set_finish(const ar_cp_set *s, const char *log_id, uint64_t count, int complete,
                      ar_verdict *v);

/* The chain verifier's verdict in the public terms. `state_size` /
 * `state_known`: the log's recorded size, so that a root differing only
 * there is called a changed state rather than a changed checkpoint. */
int ar_verdict_from_chain(ar_verdict *v, const ar_audit_report *r, uint64_t state_size,
                          int state_known, const ar_cp_set *set);

/* One record after the other: the chain verifier plus the record's stored
 * leaf hash and subtree roots, when there are some to compare. */
typedef struct ar_record_check {
    ar_audit_verifier v;
    ar_merkle_sink    sink;
    const uint8_t    *entry_nodes;
    uint32_t          entry_node_count;
    int               node_mismatch;
} ar_record_check;

/* Ends the run on a verdict of the caller's own (the chain verifier then
 * reports nothing more). */
void ar_record_check_stop(ar_record_check *c);
int ar_record_check_init(ar_record_check *c, ar_sha256 *sha, const ar_audit_expect *expect,
                         size_t expect_count);
/* 0: go on; ARCHASE_EVERIFY: stop (the verifier's report, or `v`, says why);
 * other codes end the run. `stored_leaf` and `nodes` may be NULL. */
int ar_record_check_add(ar_record_check *c, const void *bytes, size_t size,
                        const uint8_t *stored_leaf, const uint8_t *nodes, uint32_t node_count,
                        ar_verdict *v);

#endif
