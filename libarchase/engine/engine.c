/* libarchase/engine/engine.c — opening and freeing an engine, its clock and
 * its error message. */
#include "engine/engine.h"

#include <stddef.h>
#include <string.h>
#include <time.h>

#include "archase/errors.h"
#include "audit/log.h"
#include "core/alloc.h"

int archase_engine_options_init(archase_engine_options *opts, unsigned version) {
    if (!opts)
        return ARCHASE_EINVAL;
    if (version != ARCHASE_ENGINE_OPTIONS_VERSION)
        return ARCHASE_EVERSION;
    archase_engine_options init = ARCHASE_ENGINE_OPTIONS_INIT;
    *opts = init;
    return 0;
}

static int check_storage(const archase_storage *s) {
    if (s->version != 1 && s->version != ARCHASE_STORAGE_VERSION)
        return ARCHASE_EVERSION;
    if (!s->get || !s->put || !s->scan || !s->begin || !s->commit || !s->rollback)
        return ARCHASE_EINVAL;
    return 0;
}

int archase_engine_open(const archase_storage *storage, const archase_engine_options *opts,
                        archase_engine **out) {
    if (!storage || !out)
        return ARCHASE_EINVAL;
    archase_engine_options defaults = ARCHASE_ENGINE_OPTIONS_INIT;
    if (!opts)
        opts = &defaults;
    if (opts->version != ARCHASE_ENGINE_OPTIONS_VERSION)
        return ARCHASE_EVERSION;
    int rc = ar_allocator_check(opts->allocator);
    if (rc)
        return rc;
    rc = check_storage(storage);
    if (rc)
        return rc;
    if (opts->clock && (opts->clock->version != ARCHASE_CLOCK_VERSION || !opts->clock->now))
        return opts->clock->version != ARCHASE_CLOCK_VERSION ? ARCHASE_EVERSION : ARCHASE_EINVAL;
    const char *actor = opts->actor && *opts->actor ? opts->actor : "system";
    const archase_allocator *a = ar_allocator(opts->allocator);
    archase_engine *e = ar_calloc(a, 1, sizeof *e);
    if (!e)
        return ARCHASE_ENOMEM;
    e->allocator = *a;
    e->actor = ar_strdup(a, actor);
    if (!e->actor) {
        ar_free(a, e);
        return ARCHASE_ENOMEM;
    }
    if (storage->version == 1) {
        /* A version 1 backend's table ends before outbox_settle. */
        memset(&e->store, 0, sizeof e->store);
        memcpy(&e->store, storage, offsetof(archase_storage, outbox_settle));
        e->store.version = ARCHASE_STORAGE_VERSION;
    } else {
        e->store = *storage;
    }
    if (opts->clock)
        e->clock = *opts->clock;
    ar_idset_init(&e->customers, AR_ENGINE_ALLOC(e));
    ar_canon_init(&e->canon, AR_ENGINE_ALLOC(e));
    *out = e;
    return 0;
}

void archase_engine_free(archase_engine *e) {
    if (!e)
        return;
    if (e->batch)
        archase_batch_free(e->batch);
    if (e->in_txn)
        ar_txn_rollback(e);
    if (e->store.close)
        e->store.close(e->store.userdata);
    if (e->transport.send && e->transport.close)
        e->transport.close(e->transport.userdata);
    ar_audit_log_free(e);
    ar_canon_free(&e->canon);
    ar_idset_free(&e->customers);
    archase_allocator a = e->allocator;
    ar_free(&a, e->actor);
    ar_free(&a, e);
}

const char *archase_engine_errmsg(const archase_engine *e) {
    return e ? ar_error_message(&e->err) : "no engine";
}

const char *archase_engine_actor(const archase_engine *e) {
    return e ? e->actor : NULL;
}

int archase_engine_schema_version(archase_engine *e, int64_t *out) {
    if (!e || !out)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (!e->store.schema_version)
        return ar_error_set(&e->err, ARCHASE_EUNSUPPORTED,
                            "the storage backend does not support 'schema_version'");
    int64_t v = 0;
    int rc = e->store.schema_version(e->store.userdata, &v);
    if (rc)
        return ar_error_set(&e->err, ARCHASE_ESTORAGE, "storage: %s",
                            e->store.errmsg ? e->store.errmsg(e->store.userdata) : "schema_version failed");
    *out = v;
    return 0;
}

archase_instant ar_engine_now(archase_engine *e) {
    if (e->clock.now)
        return e->clock.now(e->clock.userdata);
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return 0;
    return (archase_instant)ts.tv_sec;
}

int archase_open_memory(const archase_engine_options *opts, archase_engine **out) {
    if (!out)
        return ARCHASE_EINVAL;
    archase_storage s;
    int rc = archase_memory_storage_new(opts ? opts->allocator : NULL, &s);
    if (rc)
        return rc;
    rc = archase_engine_open(&s, opts, out);
    if (rc)
        s.close(s.userdata);
    return rc;
}
