/* bindings/go/capi_callbacks.c — the C side of a host's storage and
 * transport written in Go (package archase/internal/capi, callbacks.go).
 *
 * Each slot calls an exported Go function with the cgo.Handle of the Go
 * implementation; the Go side recovers panics at the boundary. */
#include <stdlib.h>
#include <string.h>

#include "_cgo_export.h"
#include "archase/errors.h"
#include "archase/sys/storage.h"
#include "archase/sys/transport.h"
#include "bind.h"

typedef struct go_host {
    uintptr_t handle;
    char      errmsg[512];
} go_host;

int archase_go_call_record_fn(archase_record_fn fn, void *ctx, const archase_record *r) {
    return fn(ctx, r);
}

int archase_go_call_audit_fn(archase_audit_fn fn, void *ctx, const archase_audit_entry *e) {
    return fn(ctx, e);
}

#define H(ud) (((go_host *)(ud))->handle)

static int st_get(void *ud, int family, const char *id, archase_record_fn fn, void *ctx) {
    return goStorageGet(H(ud), family, (char *)id, fn, ctx);
}
static int st_put(void *ud, const archase_record *r) { return goStoragePut(H(ud), (archase_record *)r); }
static int st_del(void *ud, int family, const char *id) { return goStorageDelete(H(ud), family, (char *)id); }
static int st_scan(void *ud, const archase_scan_filter *f, archase_record_fn fn, void *ctx) {
    return goStorageScan(H(ud), (archase_scan_filter *)f, fn, ctx);
}
static int st_audit_append(void *ud, const archase_audit_entry *e) {
    return goStorageAuditAppend(H(ud), (archase_audit_entry *)e);
}
static int st_audit_read(void *ud, uint64_t from, uint64_t to, archase_audit_fn fn, void *ctx) {
    return goStorageAuditRead(H(ud), from, to, fn, ctx);
}
static int st_audit_size(void *ud, uint64_t *out) { return goStorageAuditSize(H(ud), out); }
static int st_outbox_claim(void *ud, archase_instant now, uint32_t limit, archase_record_fn fn, void *ctx) {
    return goStorageOutboxClaim(H(ud), now, limit, fn, ctx);
}
static int st_outbox_ack(void *ud, const char *id, int status, archase_instant at) {
    return goStorageOutboxAck(H(ud), (char *)id, status, at);
}
static int st_outbox_in_doubt(void *ud, const char *id, archase_instant at) {
    return goStorageOutboxInDoubt(H(ud), (char *)id, at);
}
static int st_begin(void *ud) { return goStorageTx(H(ud), 0); }
static int st_commit(void *ud) { return goStorageTx(H(ud), 1); }
static int st_rollback(void *ud) { return goStorageTx(H(ud), 2); }
static int st_schema_version(void *ud, int64_t *out) { return goStorageSchemaVersion(H(ud), out); }
static const char *st_errmsg(void *ud) {
    go_host *h = ud;
    goStorageErrmsg(h->handle, h->errmsg, sizeof h->errmsg);
    return h->errmsg;
}
static void st_close(void *ud) {
    goStorageClose(H(ud));
    free(ud);
}

int archase_go_open_storage(uintptr_t handle, const char *actor, int64_t now, archase_engine **out) {
    go_host *h = calloc(1, sizeof *h);
    if (!h)
        return ARCHASE_ENOMEM;
    h->handle = handle;
    archase_storage st;
    memset(&st, 0, sizeof st);
    st.version = ARCHASE_STORAGE_VERSION;
    st.userdata = h;
    st.get = st_get;
    st.put = st_put;
    st.del = st_del;
    st.scan = st_scan;
    st.audit_append = st_audit_append;
    st.audit_read = st_audit_read;
    st.audit_size = st_audit_size;
    st.outbox_claim = st_outbox_claim;
    st.outbox_ack = st_outbox_ack;
    st.outbox_mark_in_doubt = st_outbox_in_doubt;
    st.begin = st_begin;
    st.commit = st_commit;
    st.rollback = st_rollback;
    st.schema_version = st_schema_version;
    st.errmsg = st_errmsg;
    st.close = st_close;
    int rc = archase_bind_open_storage(&st, actor && *actor ? actor : NULL, now, out);
    if (rc != 0)
        free(h);
    return rc;
}

static int tr_send(void *ud, const archase_message *msg, int *result, char *detail, size_t size) {
    return goTransportSend(H(ud), (archase_message *)msg, result, detail, size);
}
static int tr_lookup(void *ud, const char *key, int *result) {
    return goTransportLookup(H(ud), (char *)key, result);
}
static void tr_close(void *ud) {
    goTransportClose(H(ud));
    free(ud);
}

int archase_go_set_transport(archase_engine *eng, uintptr_t handle, int has_lookup) {
    go_host *h = calloc(1, sizeof *h);
    if (!h)
        return ARCHASE_ENOMEM;
    h->handle = handle;
    archase_transport t;
    memset(&t, 0, sizeof t);
    t.version = ARCHASE_TRANSPORT_VERSION;
    t.userdata = h;
    t.send = tr_send;
    t.lookup = has_lookup ? tr_lookup : NULL;
    t.close = tr_close;
    int rc = archase_engine_set_transport(eng, &t);
    if (rc != 0)
        free(h);
    return rc;
}
