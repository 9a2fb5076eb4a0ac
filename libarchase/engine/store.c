/* libarchase/engine/store.c — the engine's calls into its storage backend:
 * missing slots, error mapping, transactions. */
#include <string.h>

#include "archase/errors.h"
#include "audit/log.h"
#include "engine/engine.h"

static int unsupported(archase_engine *e, const char *slot) {
    return ar_error_set(&e->err, ARCHASE_EUNSUPPORTED,
                        "the storage backend does not support '%s'", slot);
}

static const char *backend_message(archase_engine *e) {
    const char *m = e->store.errmsg ? e->store.errmsg(e->store.userdata) : NULL;
    return m && *m ? m : "no message from the backend";
}

/* Maps a slot's result. `cb_rc` is what the callback last returned (0 if it
 * never failed): the same code coming back is the callback's and passes. */
static int map(archase_engine *e, const char *slot, int rc, int cb_rc) {
    if (rc == 0)
        return 0;
    if (cb_rc < 0 && rc == cb_rc)
        return rc;
    switch (rc) {
    case ARCHASE_ENOTFOUND:
    case ARCHASE_ECONFLICT:
    case ARCHASE_ESTATE:
        return ar_error_set(&e->err, rc, "storage %s: %s", slot, backend_message(e));
    case ARCHASE_ENOMEM:
        return ar_error_set(&e->err, rc, "storage %s: out of memory", slot);
    case ARCHASE_EBUSY:
        return ar_error_set(&e->err, rc, "storage %s: the store is busy (locked by another writer): %s",
                            slot, backend_message(e));
    default:
        return ar_error_set(&e->err, ARCHASE_ESTORAGE, "storage %s failed: %s", slot,
                            backend_message(e));
    }
}

/* Wraps a record callback to remember its failures. */
typedef struct cb_wrap {
    archase_record_fn fn;
    archase_audit_fn  audit_fn;
    void             *ctx;
    int               rc;
} cb_wrap;

/* A NULL fn only asks whether the record is there (ar_outbox_store on a
 * backend without insert). */
static int wrap_record(void *ctx, const archase_record *rec) {
    cb_wrap *w = ctx;
    if (!w->fn)
        return 0;
    int rc = w->fn(w->ctx, rec);
    if (rc < 0)
        w->rc = rc;
    return rc;
}

static int wrap_audit(void *ctx, const archase_audit_entry *entry) {
    cb_wrap *w = ctx;
    int rc = w->audit_fn(w->ctx, entry);
    if (rc < 0)
        w->rc = rc;
    return rc;
}

int ar_store_get(archase_engine *e, int family, const char *id, archase_record_fn fn, void *ctx) {
    if (!e->store.get)
        return unsupported(e, "get");
    cb_wrap w = { fn, NULL, ctx, 0 };
    int rc = e->store.get(e->store.userdata, family, id, wrap_record, &w);
    if (rc == ARCHASE_ENOTFOUND)
        return rc; /* an answer, not a failure; callers word the message */
    return map(e, "get", rc, w.rc);
}

int ar_store_put(archase_engine *e, const archase_record *rec) {
    if (!e->store.put)
        return unsupported(e, "put");
    return map(e, "put", e->store.put(e->store.userdata, rec), 0);
}

int ar_store_can_insert(const archase_engine *e) {
    return e->store.insert != NULL;
}

int ar_store_insert(archase_engine *e, const archase_record *rec) {
    if (!e->store.insert)
        return unsupported(e, "insert");
    return map(e, "insert", e->store.insert(e->store.userdata, rec), 0);
}

int ar_store_del(archase_engine *e, int family, const char *id) {
    if (!e->store.del)
        return unsupported(e, "del");
    return map(e, "del", e->store.del(e->store.userdata, family, id), 0);
}

int ar_store_scan(archase_engine *e, const archase_scan_filter *filter, archase_record_fn fn,
                  void *ctx) {
    if (!e->store.scan)
        return unsupported(e, "scan");
    cb_wrap w = { fn, NULL, ctx, 0 };
    /* The slot runs before w.rc is read (arguments have no order). */
    int rc = e->store.scan(e->store.userdata, filter, wrap_record, &w);
    return map(e, "scan", rc, w.rc);
}

typedef struct count_ctx {
    uint64_t n;
} count_ctx;

static int count_one(void *ctx, const archase_record *rec) {
    (void)rec;
    ((count_ctx *)ctx)->n++;
    return 0;
}

int ar_store_count(archase_engine *e, const archase_scan_filter *filter, uint64_t *out) {
    if (e->store.count) {
        uint64_t n = 0;
        int rc = map(e, "count", e->store.count(e->store.userdata, filter, &n), 0);
        if (!rc)
            *out = n;
        return rc;
    }
    archase_scan_filter f = *filter;
    f.flags |= ARCHASE_SCAN_NO_DATA;
    count_ctx c = { 0 };
    int rc = ar_store_scan(e, &f, count_one, &c);
    if (!rc)
        *out = c.n;
    return rc;
}

int ar_store_audit_append(archase_engine *e, const archase_audit_entry *entry) {
    if (!e->store.audit_append)
        return unsupported(e, "audit_append");
    return map(e, "audit_append", e->store.audit_append(e->store.userdata, entry), 0);
}

int ar_store_audit_read(archase_engine *e, uint64_t from, uint64_t to, archase_audit_fn fn,
                        void *ctx) {
    if (!e->store.audit_read)
        return unsupported(e, "audit_read");
    cb_wrap w = { NULL, fn, ctx, 0 };
    int rc = e->store.audit_read(e->store.userdata, from, to, wrap_audit, &w);
    return map(e, "audit_read", rc, w.rc);
}

int ar_store_audit_size(archase_engine *e, uint64_t *out) {
    if (!e->store.audit_size)
        return unsupported(e, "audit_size");
    uint64_t n = 0;
    int rc = map(e, "audit_size", e->store.audit_size(e->store.userdata, &n), 0);
    if (!rc)
        *out = n;
    return rc;
}

int ar_store_outbox_claim(archase_engine *e, archase_instant now, uint32_t limit,
                          archase_record_fn fn, void *ctx) {
    if (!e->store.outbox_claim)
        return unsupported(e, "outbox_claim");
    cb_wrap w = { fn, NULL, ctx, 0 };
    int rc = e->store.outbox_claim(e->store.userdata, now, limit, wrap_record, &w);
    return map(e, "outbox_claim", rc, w.rc);
}

int ar_store_outbox_ack(archase_engine *e, const char *id, int status, archase_instant at) {
    if (!e->store.outbox_ack)
        return unsupported(e, "outbox_ack");
    return map(e, "outbox_ack", e->store.outbox_ack(e->store.userdata, id, status, at), 0);
}

int ar_store_outbox_mark_in_doubt(archase_engine *e, const char *id, archase_instant at) {
    if (!e->store.outbox_mark_in_doubt)
        return unsupported(e, "outbox_mark_in_doubt");
    return map(e, "outbox_mark_in_doubt",
               e->store.outbox_mark_in_doubt(e->store.userdata, id, at), 0);
}

int ar_store_can_settle(const archase_engine *e) {
    return e->store.outbox_settle != NULL;
}

int ar_store_outbox_settle(archase_engine *e, const archase_record *records, uint32_t count) {
    if (!e->store.outbox_settle)
        return unsupported(e, "outbox_settle");
    if (!count)
        return 0;
    return map(e, "outbox_settle", e->store.outbox_settle(e->store.userdata, records, count), 0);
}

int ar_txn_begin(archase_engine *e) {
    if (e->in_txn)
        return ar_error_set(&e->err, ARCHASE_ESTATE, "a transaction is already open");
    int rc = map(e, "begin", e->store.begin(e->store.userdata), 0);
    if (rc)
        return rc;
    e->in_txn = 1;
    ar_audit_log_forget(e);
    return 0;
}

void ar_txn_rollback(archase_engine *e) {
    if (!e->in_txn)
        return;
    e->in_txn = 0;
    ar_audit_log_forget(e);
    /* Ids learnt inside the transaction may be gone with it. */
    ar_idset_clear(&e->customers);
    int rc = e->store.rollback(e->store.userdata);
    if (rc && !e->err.code)
        map(e, "rollback", rc, 0);
}

int ar_txn_commit(archase_engine *e) {
    if (!e->in_txn)
        return ar_error_set(&e->err, ARCHASE_ESTATE, "no transaction is open");
    /* The audit log's chain state goes into the same transaction. */
    int rc = ar_audit_log_flush(e);
    if (!rc)
        rc = map(e, "commit", e->store.commit(e->store.userdata), 0);
    if (rc) {
        ar_txn_rollback(e);
        return rc;
    }
    e->in_txn = 0;
    ar_audit_log_forget(e);
    return 0;
}
