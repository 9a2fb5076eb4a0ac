/* tests/support/faultstore.c — storage backends that fail their Nth call or
 * hand back records altered. */
#include "faultstore.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "archase/engine.h"
#include "archase/errors.h"

static int injected(faultstore *f, const char *slot) {
    f->calls++;
    if (f->fail_at && f->calls == f->fail_at) {
        f->failures++;
        snprintf(f->message, sizeof f->message, "injected failure of call %zu (%s)", f->calls, slot);
        return 1;
    }
    return 0;
}

#define INNER(f) ((f)->inner.userdata)

static int fs_get(void *ud, int family, const char *id, archase_record_fn fn, void *ctx) {
    faultstore *f = ud;
    return injected(f, "get") ? ARCHASE_ESTORAGE : f->inner.get(INNER(f), family, id, fn, ctx);
}

static int fs_put(void *ud, const archase_record *r) {
    faultstore *f = ud;
    return injected(f, "put") ? ARCHASE_ESTORAGE : f->inner.put(INNER(f), r);
}

static int fs_insert(void *ud, const archase_record *r) {
    faultstore *f = ud;
    return injected(f, "insert") ? ARCHASE_ESTORAGE : f->inner.insert(INNER(f), r);
}

static int fs_del(void *ud, int family, const char *id) {
    faultstore *f = ud;
    return injected(f, "del") ? ARCHASE_ESTORAGE : f->inner.del(INNER(f), family, id);
}

static int fs_scan(void *ud, const archase_scan_filter *flt, archase_record_fn fn, void *ctx) {
    faultstore *f = ud;
    return injected(f, "scan") ? ARCHASE_ESTORAGE : f->inner.scan(INNER(f), flt, fn, ctx);
}

static int fs_count(void *ud, const archase_scan_filter *flt, uint64_t *out) {
    faultstore *f = ud;
    return injected(f, "count") ? ARCHASE_ESTORAGE : f->inner.count(INNER(f), flt, out);
}

static int fs_audit_append(void *ud, const archase_audit_entry *e) {
    faultstore *f = ud;
    return injected(f, "audit_append") ? ARCHASE_ESTORAGE : f->inner.audit_append(INNER(f), e);
}

static int fs_audit_read(void *ud, uint64_t from, uint64_t to, archase_audit_fn fn, void *ctx) {
    faultstore *f = ud;
    return injected(f, "audit_read") ? ARCHASE_ESTORAGE : f->inner.audit_read(INNER(f), from, to, fn, ctx);
}

static int fs_audit_size(void *ud, uint64_t *out) {
    faultstore *f = ud;
    return injected(f, "audit_size") ? ARCHASE_ESTORAGE : f->inner.audit_size(INNER(f), out);
}

static int fs_claim(void *ud, archase_instant now, uint32_t limit, archase_record_fn fn, void *ctx) {
    faultstore *f = ud;
    return injected(f, "outbox_claim") ? ARCHASE_ESTORAGE
                                       : f->inner.outbox_claim(INNER(f), now, limit, fn, ctx);
}

static int fs_ack(void *ud, const char *id, int status, archase_instant at) {
    faultstore *f = ud;
    return injected(f, "outbox_ack") ? ARCHASE_ESTORAGE : f->inner.outbox_ack(INNER(f), id, status, at);
}

static int fs_in_doubt(void *ud, const char *id, archase_instant at) {
    faultstore *f = ud;
    return injected(f, "outbox_mark_in_doubt") ? ARCHASE_ESTORAGE
                                               : f->inner.outbox_mark_in_doubt(INNER(f), id, at);
}

static int fs_settle(void *ud, const archase_record *records, uint32_t count) {
    faultstore *f = ud;
    return injected(f, "outbox_settle") ? ARCHASE_ESTORAGE : f->inner.outbox_settle(INNER(f), records, count);
}

static int fs_begin(void *ud) {
    faultstore *f = ud;
    return injected(f, "begin") ? ARCHASE_ESTORAGE : f->inner.begin(INNER(f));
}

static int fs_commit(void *ud) {
    faultstore *f = ud;
    return injected(f, "commit") ? ARCHASE_ESTORAGE : f->inner.commit(INNER(f));
}

static int fs_rollback(void *ud) {
    faultstore *f = ud;
    f->calls++;
    return f->inner.rollback(INNER(f));
}

static int fs_schema_version(void *ud, int64_t *out) {
    faultstore *f = ud;
    return injected(f, "schema_version") ? ARCHASE_ESTORAGE : f->inner.schema_version(INNER(f), out);
}

static const char *fs_errmsg(void *ud) {
    faultstore *f = ud;
    if (f->message[0])
        return f->message;
    return f->inner.errmsg ? f->inner.errmsg(INNER(f)) : "";
}

static void fs_close(void *ud) {
    faultstore *f = ud;
    if (f->inner.close)
        f->inner.close(INNER(f));
}

void faultstore_wrap(faultstore *f, const archase_storage *inner, size_t fail_at, archase_storage *out) {
    memset(f, 0, sizeof *f);
    f->inner = *inner;
    f->fail_at = fail_at;
    archase_storage s;
    memset(&s, 0, sizeof s);
    s.version = ARCHASE_STORAGE_VERSION;
    s.userdata = f;
    s.get = fs_get;
    s.put = fs_put;
    s.insert = inner->insert ? fs_insert : NULL;
    s.del = inner->del ? fs_del : NULL;
    s.scan = fs_scan;
    s.count = inner->count ? fs_count : NULL;
    s.audit_append = inner->audit_append ? fs_audit_append : NULL;
    s.audit_read = inner->audit_read ? fs_audit_read : NULL;
    s.audit_size = inner->audit_size ? fs_audit_size : NULL;
    s.outbox_claim = inner->outbox_claim ? fs_claim : NULL;
    s.outbox_ack = inner->outbox_ack ? fs_ack : NULL;
    s.outbox_mark_in_doubt = inner->outbox_mark_in_doubt ? fs_in_doubt : NULL;
    s.outbox_settle = inner->version >= 2 && inner->outbox_settle ? fs_settle : NULL;
    s.begin = fs_begin;
    s.commit = fs_commit;
    s.rollback = fs_rollback;
    s.schema_version = inner->schema_version ? fs_schema_version : NULL;
    s.errmsg = fs_errmsg;
    s.close = fs_close;
    *out = s;
}

/* ---- a backend that hands back records altered ---------------------------------- */

typedef struct alter_call {
    alterstore       *a;
    archase_record_fn fn;
    void             *ctx;
} alter_call;

static int as_record(void *ctx, const archase_record *rec) {
    alter_call    *c = ctx;
    archase_record r;
    return c->a->alter(c->a->userdata, rec, &r) ? c->fn(c->ctx, &r) : c->fn(c->ctx, rec);
}

#define IN(a) ((a)->inner.userdata)
static int as_get(void *ud, int family, const char *id, archase_record_fn fn, void *ctx) {
    alterstore *a = ud;
    alter_call  c = { a, fn, ctx };
    return a->inner.get(IN(a), family, id, as_record, &c);
}
static int as_scan(void *ud, const archase_scan_filter *f, archase_record_fn fn, void *ctx) {
    alterstore *a = ud;
    alter_call  c = { a, fn, ctx };
    return a->inner.scan(IN(a), f, as_record, &c);
}
static int as_claim(void *ud, archase_instant now, uint32_t limit, archase_record_fn fn, void *ctx) {
    alterstore *a = ud;
    alter_call  c = { a, fn, ctx };
    return a->inner.outbox_claim(IN(a), now, limit, as_record, &c);
}
static int as_put(void *ud, const archase_record *r) { alterstore *a = ud; return a->inner.put(IN(a), r); }
static int as_insert(void *ud, const archase_record *r) {
    alterstore *a = ud;
    return a->inner.insert(IN(a), r);
}
static int as_del(void *ud, int family, const char *id) {
    alterstore *a = ud;
    return a->inner.del(IN(a), family, id);
}
static int as_count(void *ud, const archase_scan_filter *f, uint64_t *out) {
    alterstore *a = ud;
    return a->inner.count(IN(a), f, out);
}
static int as_audit_append(void *ud, const archase_audit_entry *e) {
    alterstore *a = ud;
    return a->inner.audit_append(IN(a), e);
}
static int as_audit_read(void *ud, uint64_t from, uint64_t to, archase_audit_fn fn, void *ctx) {
    alterstore *a = ud;
    return a->inner.audit_read(IN(a), from, to, fn, ctx);
}
static int as_audit_size(void *ud, uint64_t *out) {
    alterstore *a = ud;
    return a->inner.audit_size(IN(a), out);
}
static int as_ack(void *ud, const char *id, int status, archase_instant at) {
    alterstore *a = ud;
    return a->inner.outbox_ack(IN(a), id, status, at);
}
static int as_in_doubt(void *ud, const char *id, archase_instant at) {
    alterstore *a = ud;
    return a->inner.outbox_mark_in_doubt(IN(a), id, at);
}
static int as_begin(void *ud) { alterstore *a = ud; return a->inner.begin(IN(a)); }
static int as_commit(void *ud) { alterstore *a = ud; return a->inner.commit(IN(a)); }
static int as_rollback(void *ud) { alterstore *a = ud; return a->inner.rollback(IN(a)); }
static int as_schema_version(void *ud, int64_t *out) {
    alterstore *a = ud;
    return a->inner.schema_version(IN(a), out);
}
static const char *as_errmsg(void *ud) { alterstore *a = ud; return a->inner.errmsg(IN(a)); }
static void as_close(void *ud) { alterstore *a = ud; a->inner.close(IN(a)); }
static int as_settle(void *ud, const archase_record *r, uint32_t n) {
    alterstore *a = ud;
    return a->inner.outbox_settle(IN(a), r, n);
}

void alterstore_wrap(alterstore *a, alterstore_fn alter, void *userdata, archase_storage *out) {
    memset(a, 0, sizeof *a);
    assert_int_equal(archase_memory_storage_new(NULL, &a->inner), 0);
    a->alter = alter;
    a->userdata = userdata;
    const archase_storage *in = &a->inner;
    archase_storage s = { ARCHASE_STORAGE_VERSION, a, as_get, as_put, in->insert ? as_insert : NULL,
                          in->del ? as_del : NULL, as_scan, in->count ? as_count : NULL, as_audit_append,
                          as_audit_read, as_audit_size, as_claim, as_ack, as_in_doubt, as_begin, as_commit,
                          as_rollback, in->schema_version ? as_schema_version : NULL, as_errmsg, as_close,
                          in->outbox_settle ? as_settle : NULL };
    *out = s;
}
