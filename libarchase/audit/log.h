/* libarchase/audit/log.h — the audit log of an engine, kept in its store.
 *
 * Every audit record goes through ar_audit_append inside the caller's
 * storage transaction: the record is encoded (audit/chain.h), chained to the
 * previous one, added to the Merkle tree and appended to the store together
 * with the roots of the subtrees it completes. The chain's state — the
 * Merkle frontier and the hash of the last record — lives in the META family
 * (record AR_AUDIT_META_ID), is read once per transaction and written once,
 * when the transaction commits (ar_txn_commit calls ar_audit_log_flush).
 *
 * The META record is a canonical RECORD of kind AR_AUDIT_STATE_KIND ("AC"):
 *   field 1 INT   size: the number of records
 *   field 2 HASH  head: the record hash of the last record (zero bytes when empty)
 *   field 3 LIST  of HASH: the frontier, popcount(size) subtree roots, largest first
 * docs/audit-format.md ("The store's layout") documents it with the entries.
 */
#ifndef AR_AUDIT_LOG_H
#define AR_AUDIT_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "archase/engine.h"
#include "audit/chain.h"
#include "audit/merkle.h"

#define AR_AUDIT_META_ID "audit.chain"
#define AR_AUDIT_STATE_KIND 0x4143
/* The most source-document links one record carries. */
#define AR_AUDIT_LINKS_MAX 64

/* One record to append. */
typedef struct ar_audit_item {
    uint32_t           kind;       /* archase_audit_kind */
    const char        *actor;      /* NULL = the engine's actor */
    const void        *data;       /* the payload: one canonical RECORD */
    size_t             size;
    const char *const *links;      /* source-document links (UTF-8, not empty) */
    uint32_t           link_count; /* at most AR_AUDIT_LINKS_MAX */
    int                written;    /* 1: the payload was finished by ar_canon, which
                                    * writes only canonical records: not checked again */
} ar_audit_item;

/* Appends `item` at the clock's instant as the next record, inside the
 * engine's open transaction (ARCHASE_ESTATE without one). *index (may be
 * NULL) receives its index. On failure nothing was appended and the message
 * is on the engine: ARCHASE_EINVAL (a bad item), ARCHASE_ECONFLICT (the log
 * in the store does not end where its chain state says: another writer, or
 * a changed store), a storage error or ARCHASE_ENOMEM. */
int ar_audit_append(archase_engine *e, const ar_audit_item *item, uint64_t *index);

/* The chain as of now in the open transaction (loaded on first use). */
int ar_audit_chain_state(archase_engine *e, const ar_audit_chain **out);

/* Writes the chain state into META when records were appended in the open
 * transaction; ar_txn_commit calls it before committing. */
int ar_audit_log_flush(archase_engine *e);
/* Forgets the chain state when a transaction ends (committed or rolled
 * back): the next transaction reads it again. */
void ar_audit_log_forget(archase_engine *e);
/* Frees what the engine's audit log holds. */
void ar_audit_log_free(archase_engine *e);

/* The engine's reusable SHA-256 context (ARCHASE_ENOMEM when libcrypto
 * cannot make one). */
int ar_audit_sha(archase_engine *e, ar_sha256 **out);

/* ---- the chain state's bytes -------------------------------------------- */

int ar_audit_state_encode(const ar_audit_chain *chain, ar_canon *c);
/* ARCHASE_EPARSE unless the bytes are exactly such a record. */
int ar_audit_state_decode(const void *data, size_t size, ar_audit_chain *out);

/* ---- reading the store's tree -------------------------------------------- */

/* Subtree hashes read from the store's entries: a leaf from its entry's
 * leaf hash, a larger subtree from the nodes of the entry that completed it
 * (ARCHASE_ENOTFOUND when the entry keeps none: computed from its halves). */
typedef struct ar_audit_store_reader {
    archase_engine *e;
    uint64_t        reads; /* entries read */
} ar_audit_store_reader;
void ar_audit_store_reader_init(ar_audit_store_reader *r, archase_engine *e, ar_merkle_reader *out);

/* A stored entry holds the audit record's bytes in `data` and repeats its
 * fields for queries: the name of the first field that says something else
 * than the decoded record `f` ("index", "kind", ...), or NULL when all agree.
 * `with_index` 0 leaves the index out (a record moved whole to another
 * place keeps every other field). */
const char *ar_audit_entry_disagrees(const archase_audit_entry *entry, const ar_audit_fields *f,
                                     int with_index);

#endif
