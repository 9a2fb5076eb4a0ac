/* include/archase/engine.h — the engine handle: one store, one clock, one actor.
 *
 * An engine is opened over a storage backend (memory, SQLite, or the host's
 * own through archase/sys/storage.h) and is used by one thread at a time;
 * different engines may run on different threads at once. Every failing call
 * leaves a message naming what went wrong, read with archase_engine_errmsg.
 */
#ifndef ARCHASE_ENGINE_H
#define ARCHASE_ENGINE_H

#include "archase/common.h"
#include "archase/ledger.h"
#include "archase/sys/storage.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An injected clock. `now` returns the current instant; it is called once
 * per operation that records time (audit records, notes without a time). */
typedef struct archase_clock {
    unsigned version;  /* ARCHASE_CLOCK_VERSION */
    void    *userdata;
    archase_instant (*now)(void *userdata);
} archase_clock;
#define ARCHASE_CLOCK_VERSION 1

typedef struct archase_engine_options {
    unsigned                 version;   /* ARCHASE_ENGINE_OPTIONS_VERSION */
    const archase_allocator *allocator; /* NULL = default; copied */
    const archase_clock     *clock;     /* NULL = the system clock; copied */
    const char              *actor;     /* who the audit log names; NULL = "system"; copied */
} archase_engine_options;
#define ARCHASE_ENGINE_OPTIONS_VERSION 1
#define ARCHASE_ENGINE_OPTIONS_INIT { ARCHASE_ENGINE_OPTIONS_VERSION, NULL, NULL, NULL }
ARCHASE_API int archase_engine_options_init(archase_engine_options *opts, unsigned version);

/* Opens an engine over `storage`, whose table is copied. From a successful
 * open on, the engine owns the backend and calls its `close` slot when it is
 * freed; when the open fails the caller still owns it. `opts` may be NULL.
 * Returns 0, ARCHASE_EINVAL (NULL storage or out, a vtable without get, put,
 * scan, begin, commit or rollback), ARCHASE_EVERSION, ARCHASE_ENOMEM. */
ARCHASE_API int archase_engine_open(const archase_storage *storage,
                                    const archase_engine_options *opts, archase_engine **out);

/* Frees the engine and closes its store; an open batch is rolled back.
 * NULL is allowed. */
ARCHASE_API void archase_engine_free(archase_engine *eng);

/* The message of the engine's last failure ("" when the last call worked);
 * valid until the next call on the engine. */
ARCHASE_API const char *archase_engine_errmsg(const archase_engine *eng);

/* The version of the store's layout (SQLite: the newest applied migration). */
ARCHASE_API int archase_engine_schema_version(archase_engine *eng, int64_t *out);

/* The actor the engine records (the options' actor or "system"). */
ARCHASE_API const char *archase_engine_actor(const archase_engine *eng);

/* ---- the built-in backends --------------------------------------------- */

/* An in-memory store with the same semantics as SQLite, transactions
 * included, that lives as long as its engine. Returns as archase_engine_open. */
ARCHASE_API int archase_open_memory(const archase_engine_options *opts, archase_engine **out);

typedef enum archase_sqlite_sync {
    ARCHASE_SQLITE_SYNC_FULL = 0,  /* a commit survives power loss (the default) */
    ARCHASE_SQLITE_SYNC_NORMAL = 1 /* faster; in WAL mode the last commits may be lost on power loss */
} archase_sqlite_sync;

typedef struct archase_sqlite_options {
    unsigned version;         /* ARCHASE_SQLITE_OPTIONS_VERSION */
    int      synchronous;     /* archase_sqlite_sync */
    uint32_t busy_timeout_ms; /* how long to wait for another writer; default 5000 */
    int      read_only;       /* 1 = open for reading only (no migrations) */
    int      create;          /* 1 = create the file when missing (default); 0 = ARCHASE_ENOTFOUND */
    uint32_t cache_kib;       /* page cache of the connection in KiB; default 65536 (large
                                 batches stay in memory until they commit) */
} archase_sqlite_options;
#define ARCHASE_SQLITE_OPTIONS_VERSION 1
#define ARCHASE_SQLITE_OPTIONS_INIT \
    { ARCHASE_SQLITE_OPTIONS_VERSION, ARCHASE_SQLITE_SYNC_FULL, 5000, 0, 1, 65536 }
ARCHASE_API int archase_sqlite_options_init(archase_sqlite_options *opts, unsigned version);

/* Opens (creating when allowed) the SQLite store at `path` and an engine over
 * it. An older file is upgraded in one transaction; a file written by a newer
 * library is refused with ARCHASE_EVERSION. `sqlite_opts` and `opts` may be
 * NULL. Returns 0, ARCHASE_EINVAL, ARCHASE_ENOTFOUND, ARCHASE_EVERSION,
 * ARCHASE_EBUSY, ARCHASE_ESTORAGE (not a database, unreadable, ...),
 * ARCHASE_ENOMEM. On failure *out is untouched and, when the open failed,
 * the message is in `errbuf` (may be NULL) of `errbuf_size` bytes. */
ARCHASE_API int archase_open_sqlite(const char *path, const archase_sqlite_options *sqlite_opts,
                                    const archase_engine_options *opts, archase_engine **out,
                                    char *errbuf, size_t errbuf_size);

/* The bare backends, for hosts that wrap or test them. The storage table is
 * written to *out; its `close` slot releases it. `allocator` may be NULL.
 * Same errors as the openers above. */
ARCHASE_API int archase_memory_storage_new(const archase_allocator *allocator, archase_storage *out);
ARCHASE_API int archase_sqlite_storage_open(const char *path, const archase_sqlite_options *sqlite_opts,
                                            const archase_allocator *allocator, archase_storage *out,
                                            char *errbuf, size_t errbuf_size);

#ifdef __cplusplus
}
#endif
#endif
