/* libarchase/engine/engine.h — the engine handle's insides, shared by the
 * files of the library that work on an engine. */
#ifndef AR_ENGINE_ENGINE_H
#define AR_ENGINE_ENGINE_H

#include "archase/batch.h"
#include "archase/engine.h"
#include "archase/sys/transport.h"
#include "core/canon.h"
#include "core/error.h"
#include "engine/idset.h"

struct archase_engine {
    archase_allocator  allocator;   /* the host's, copied */
    archase_storage    store;       /* copied */
    archase_clock      clock;       /* copied; now == NULL = system clock */
    char              *actor;
    ar_error           err;
    int                in_txn;      /* a storage transaction is open */
    struct ar_audit_log *audit;     /* the audit log's state (audit/log.h); NULL until used */
    archase_batch     *batch;       /* the open batch, if any */
    ar_idset           customers;   /* customer ids known to exist */
    ar_canon           canon;       /* scratch encoder for facts */
    archase_transport  transport;   /* copied; send == NULL = none (cycle.h) */
    struct ar_preview *preview;     /* batches hand their facts to it instead of the
                                       store (preview.c); NULL = none */
};

/* The allocator every allocation of the engine goes through. */
#define AR_ENGINE_ALLOC(e) (&(e)->allocator)

/* The clock's current instant. */
archase_instant ar_engine_now(archase_engine *e);

/* Storage calls. Each checks that the slot exists (ARCHASE_EUNSUPPORTED
 * naming it otherwise), and maps the backend's failures to ARCHASE_ESTORAGE
 * with the backend's message on the engine. ARCHASE_ENOTFOUND,
 * ARCHASE_ECONFLICT, ARCHASE_ESTATE, ARCHASE_EBUSY, ARCHASE_ENOMEM and the
 * callback's own results pass through. */
int ar_store_get(archase_engine *e, int family, const char *id, archase_record_fn fn, void *ctx);
int ar_store_put(archase_engine *e, const archase_record *rec);
/* 1 when the backend has the optional insert slot. */
int ar_store_can_insert(const archase_engine *e);
int ar_store_insert(archase_engine *e, const archase_record *rec);
int ar_store_del(archase_engine *e, int family, const char *id);
int ar_store_scan(archase_engine *e, const archase_scan_filter *filter, archase_record_fn fn,
                  void *ctx);
int ar_store_count(archase_engine *e, const archase_scan_filter *filter, uint64_t *out);
int ar_store_audit_append(archase_engine *e, const archase_audit_entry *entry);
int ar_store_audit_read(archase_engine *e, uint64_t from, uint64_t to, archase_audit_fn fn, void *ctx);
int ar_store_audit_size(archase_engine *e, uint64_t *out);
int ar_store_outbox_claim(archase_engine *e, archase_instant now, uint32_t limit,
                          archase_record_fn fn, void *ctx);
int ar_store_outbox_ack(archase_engine *e, const char *id, int status, archase_instant at);
int ar_store_outbox_mark_in_doubt(archase_engine *e, const char *id, archase_instant at);
/* 1 when the backend acknowledges batches (outbox_settle). */
int ar_store_can_settle(const archase_engine *e);
int ar_store_outbox_settle(archase_engine *e, const archase_record *records, uint32_t count);

/* Transactions of the engine: begin; commit (a failed commit is rolled
 * back); rollback (keeps an earlier error message). */
int  ar_txn_begin(archase_engine *e);
int  ar_txn_commit(archase_engine *e);
void ar_txn_rollback(archase_engine *e);

#endif
