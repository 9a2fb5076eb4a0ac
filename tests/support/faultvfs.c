/* tests/support/faultvfs.c — the fault-injecting, power-cutting SQLite VFS
 * shim described in faultvfs.h. */
#include "support/faultvfs.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archase/hash.h"

/* A write (or truncate, data NULL) made after the file's last sync. */
typedef struct pending {
    sqlite3_int64   offset; /* truncate: the new size */
    int             size;
    unsigned char  *data;
    struct pending *next;
} pending;

/* A followed file: its image as of its last sync and the writes since. */
typedef struct tracked {
    char           *path;
    unsigned char  *image;
    sqlite3_int64   size;
    int             exists;
    pending        *head, *tail;
    size_t          count;
    struct tracked *next;
} tracked;

typedef struct fv_file {
    sqlite3_file  base;
    tracked      *t;    /* NULL when not followed */
    sqlite3_file *real; /* the wrapped VFS's file, right after this struct */
} fv_file;

static struct {
    sqlite3_vfs  vfs;
    sqlite3_vfs *inner;
    int          installed;
    /* fault injection */
    unsigned     ops;
    size_t       nth, count, failures;
    int          error, persistent;
    /* power loss */
    int          recording, dead;
    int          skip_fsync;
    size_t       power_after, power_ops;
    tracked     *files;
} fv;

/* ---- fault injection ------------------------------------------------------ */

static int inject(unsigned kind) {
    if (!(fv.ops & kind) || !fv.nth)
        return SQLITE_OK;
    fv.count++;
    if (fv.count == fv.nth || (fv.persistent && fv.count > fv.nth)) {
        fv.failures++;
        return fv.error;
    }
    return SQLITE_OK;
}

/* A write or sync while recording: 1 when the power goes out now. */
static int power_tick(void) {
    if (!fv.recording)
        return 0;
    if (fv.dead)
        return 1;
    fv.power_ops++;
    if (fv.power_after && fv.power_ops >= fv.power_after)
        fv.dead = 1;
    return fv.dead;
}

/* ---- following files ---------------------------------------------------- */

static void drop_pending(tracked *t) {
    pending *p = t->head;
    while (p) {
        pending *next = p->next;
        free(p->data);
        free(p);
        p = next;
    }
    t->head = t->tail = NULL;
    t->count = 0;
}

static int read_disk(const char *path, unsigned char **image, sqlite3_int64 *size, int *exists) {
    *image = NULL;
    *size = 0;
    *exists = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    *exists = 1;
    size_t cap = 0, len = 0;
    unsigned char *buf = NULL;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            unsigned char *grown = realloc(buf, cap);
            if (!grown) {
                free(buf);
                fclose(fp);
                return -1;
            }
            buf = grown;
        }
        size_t got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (got == 0)
            break;
    }
    fclose(fp);
    *image = buf;
    *size = (sqlite3_int64)len;
    return 0;
}

static tracked *follow(const char *path) {
    for (tracked *t = fv.files; t; t = t->next)
        if (!strcmp(t->path, path))
            return t;
    tracked *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->path = strdup(path);
    if (!t->path || read_disk(path, &t->image, &t->size, &t->exists)) {
        free(t->path);
        free(t);
        return NULL;
    }
    t->next = fv.files;
    fv.files = t;
    return t;
}

static void forget_files(void) {
    tracked *t = fv.files;
    while (t) {
        tracked *next = t->next;
        drop_pending(t);
        free(t->image);
        free(t->path);
        free(t);
        t = next;
    }
    fv.files = NULL;
}

static void add_pending(tracked *t, sqlite3_int64 offset, const void *data, int size) {
    pending *p = calloc(1, sizeof *p);
    if (!p)
        abort();
    p->offset = offset;
    p->size = size;
    if (data) {
        p->data = malloc((size_t)size);
        if (!p->data)
            abort();
        memcpy(p->data, data, (size_t)size);
    }
    if (t->tail)
        t->tail->next = p;
    else
        t->head = p;
    t->tail = p;
    t->count++;
}

/* After a successful sync: the file as it is now is durable. */
static int take_image(fv_file *f) {
    sqlite3_int64 size = 0;
    int rc = f->real->pMethods->xFileSize(f->real, &size);
    if (rc != SQLITE_OK)
        return rc;
    unsigned char *image = malloc(size ? (size_t)size : 1);
    if (!image)
        return SQLITE_NOMEM;
    if (size) {
        rc = f->real->pMethods->xRead(f->real, image, (int)size, 0);
        if (rc != SQLITE_OK) {
            free(image);
            return rc;
        }
    }
    free(f->t->image);
    f->t->image = image;
    f->t->size = size;
    f->t->exists = 1;
    drop_pending(f->t);
    return SQLITE_OK;
}

/* ---- the file methods ------------------------------------------------------ */

static int fv_close(sqlite3_file *file) {
    fv_file *f = (fv_file *)file;
    int rc = SQLITE_OK;
    if (f->real->pMethods)
        rc = f->real->pMethods->xClose(f->real);
    return rc;
}

static int fv_read(sqlite3_file *file, void *buf, int amt, sqlite3_int64 off) {
    fv_file *f = (fv_file *)file;
    if (fv.dead)
        return SQLITE_IOERR_READ;
    int rc = inject(FAULTVFS_READ);
    if (rc != SQLITE_OK)
        return rc;
    return f->real->pMethods->xRead(f->real, buf, amt, off);
}

static int fv_write(sqlite3_file *file, const void *buf, int amt, sqlite3_int64 off) {
    fv_file *f = (fv_file *)file;
    if (f->t && power_tick())
        return SQLITE_IOERR_WRITE;
    int rc = inject(FAULTVFS_WRITE);
    if (rc != SQLITE_OK)
        return rc;
    rc = f->real->pMethods->xWrite(f->real, buf, amt, off);
    if (rc == SQLITE_OK && f->t && fv.recording)
        add_pending(f->t, off, buf, amt);
    return rc;
}

static int fv_truncate(sqlite3_file *file, sqlite3_int64 size) {
    fv_file *f = (fv_file *)file;
    if (f->t && power_tick())
        return SQLITE_IOERR_TRUNCATE;
    int rc = inject(FAULTVFS_WRITE);
    if (rc != SQLITE_OK)
        return rc;
    rc = f->real->pMethods->xTruncate(f->real, size);
    if (rc == SQLITE_OK && f->t && fv.recording)
        add_pending(f->t, size, NULL, 0);
    return rc;
}

static int fv_sync(sqlite3_file *file, int flags) {
    fv_file *f = (fv_file *)file;
    if (f->t && power_tick())
        return SQLITE_IOERR_FSYNC;
    int rc = inject(FAULTVFS_SYNC);
    if (rc != SQLITE_OK)
        return rc;
    if (!fv.skip_fsync)
        rc = f->real->pMethods->xSync(f->real, flags);
    if (rc == SQLITE_OK && f->t && fv.recording)
        rc = take_image(f);
    return rc;
}

static int fv_file_size(sqlite3_file *file, sqlite3_int64 *size) {
    fv_file *f = (fv_file *)file;
    return f->real->pMethods->xFileSize(f->real, size);
}

static int fv_lock(sqlite3_file *file, int level) {
    fv_file *f = (fv_file *)file;
    int rc = inject(FAULTVFS_LOCK);
    if (rc != SQLITE_OK)
        return rc;
    return f->real->pMethods->xLock(f->real, level);
}

static int fv_unlock(sqlite3_file *file, int level) {
    fv_file *f = (fv_file *)file;
    return f->real->pMethods->xUnlock(f->real, level);
}

static int fv_check_reserved(sqlite3_file *file, int *out) {
    fv_file *f = (fv_file *)file;
    return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int fv_file_control(sqlite3_file *file, int op, void *arg) {
    fv_file *f = (fv_file *)file;
    return f->real->pMethods->xFileControl(f->real, op, arg);
}

static int fv_sector_size(sqlite3_file *file) {
    fv_file *f = (fv_file *)file;
    return f->real->pMethods->xSectorSize(f->real);
}

static int fv_device_characteristics(sqlite3_file *file) {
    fv_file *f = (fv_file *)file;
    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

static int fv_shm_map(sqlite3_file *file, int region, int size, int extend, void volatile **out) {
    fv_file *f = (fv_file *)file;
    return f->real->pMethods->xShmMap(f->real, region, size, extend, out);
}

static int fv_shm_lock(sqlite3_file *file, int offset, int n, int flags) {
    fv_file *f = (fv_file *)file;
    if (flags & SQLITE_SHM_LOCK) {
        int rc = inject(FAULTVFS_SHMLOCK);
        if (rc != SQLITE_OK)
            return rc;
    }
    return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

static void fv_shm_barrier(sqlite3_file *file) {
    fv_file *f = (fv_file *)file;
    f->real->pMethods->xShmBarrier(f->real);
}

static int fv_shm_unmap(sqlite3_file *file, int delete_flag) {
    fv_file *f = (fv_file *)file;
    return f->real->pMethods->xShmUnmap(f->real, delete_flag);
}

static int fv_fetch(sqlite3_file *file, sqlite3_int64 off, int amt, void **out) {
    fv_file *f = (fv_file *)file;
    *out = NULL; /* no memory-mapped reads: every read goes through fv_read */
    (void)f;
    (void)off;
    (void)amt;
    return SQLITE_OK;
}

static int fv_unfetch(sqlite3_file *file, sqlite3_int64 off, void *p) {
    fv_file *f = (fv_file *)file;
    return f->real->pMethods->xUnfetch(f->real, off, p);
}

static const sqlite3_io_methods fv_methods = {
    3,
    fv_close,
    fv_read,
    fv_write,
    fv_truncate,
    fv_sync,
    fv_file_size,
    fv_lock,
    fv_unlock,
    fv_check_reserved,
    fv_file_control,
    fv_sector_size,
    fv_device_characteristics,
    fv_shm_map,
    fv_shm_lock,
    fv_shm_barrier,
    fv_shm_unmap,
    fv_fetch,
    fv_unfetch,
};

/* ---- the VFS methods ---------------------------------------------------- */

static int fv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags) {
    (void)vfs;
    fv_file *f = (fv_file *)file;
    memset(f, 0, sizeof *f);
    f->real = (sqlite3_file *)(f + 1);
    int rc = fv.inner->xOpen(fv.inner, name, f->real, flags, out_flags);
    if (rc != SQLITE_OK) {
        f->base.pMethods = NULL;
        return rc;
    }
    if (name && fv.recording &&
        (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL)))
        f->t = follow(name);
    f->base.pMethods = &fv_methods;
    return SQLITE_OK;
}

static int fv_delete(sqlite3_vfs *vfs, const char *name, int sync_dir) {
    (void)vfs;
    if (fv.dead)
        return SQLITE_IOERR_DELETE;
    int rc = fv.inner->xDelete(fv.inner, name, sync_dir);
    if (rc == SQLITE_OK && fv.recording) {
        for (tracked *t = fv.files; t; t = t->next) {
            if (!strcmp(t->path, name)) {
                drop_pending(t);
                free(t->image);
                t->image = NULL;
                t->size = 0;
                t->exists = 0;
            }
        }
    }
    return rc;
}

static int fv_access(sqlite3_vfs *vfs, const char *name, int flags, int *out) {
    (void)vfs;
    return fv.inner->xAccess(fv.inner, name, flags, out);
}

static int fv_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out) {
    (void)vfs;
    return fv.inner->xFullPathname(fv.inner, name, n, out);
}

static void *fv_dlopen(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    return fv.inner->xDlOpen(fv.inner, name);
}

static void fv_dlerror(sqlite3_vfs *vfs, int n, char *out) {
    (void)vfs;
    fv.inner->xDlError(fv.inner, n, out);
}

static void (*fv_dlsym(sqlite3_vfs *vfs, void *handle, const char *name))(void) {
    (void)vfs;
    return fv.inner->xDlSym(fv.inner, handle, name);
}

static void fv_dlclose(sqlite3_vfs *vfs, void *handle) {
    (void)vfs;
    fv.inner->xDlClose(fv.inner, handle);
}

static int fv_randomness(sqlite3_vfs *vfs, int n, char *out) {
    (void)vfs;
    return fv.inner->xRandomness(fv.inner, n, out);
}

static int fv_sleep(sqlite3_vfs *vfs, int us) {
    (void)vfs;
    return fv.inner->xSleep(fv.inner, us);
}

static int fv_current_time(sqlite3_vfs *vfs, double *out) {
    (void)vfs;
    return fv.inner->xCurrentTime(fv.inner, out);
}

static int fv_last_error(sqlite3_vfs *vfs, int n, char *out) {
    (void)vfs;
    return fv.inner->xGetLastError(fv.inner, n, out);
}

static int fv_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out) {
    (void)vfs;
    return fv.inner->xCurrentTimeInt64(fv.inner, out);
}

static int fv_set_syscall(sqlite3_vfs *vfs, const char *name, sqlite3_syscall_ptr p) {
    (void)vfs;
    return fv.inner->xSetSystemCall(fv.inner, name, p);
}

static sqlite3_syscall_ptr fv_get_syscall(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    return fv.inner->xGetSystemCall(fv.inner, name);
}

static const char *fv_next_syscall(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    return fv.inner->xNextSystemCall(fv.inner, name);
}

int faultvfs_install(void) {
    if (fv.installed)
        return sqlite3_vfs_register(&fv.vfs, 1);
    sqlite3_vfs *inner = sqlite3_vfs_find(NULL);
    if (!inner)
        return SQLITE_ERROR;
    fv.inner = inner;
    sqlite3_vfs v = {
        3,
        (int)sizeof(fv_file) + inner->szOsFile,
        inner->mxPathname,
        NULL,
        "faultvfs",
        NULL,
        fv_open,
        fv_delete,
        fv_access,
        fv_full_pathname,
        fv_dlopen,
        fv_dlerror,
        fv_dlsym,
        fv_dlclose,
        fv_randomness,
        fv_sleep,
        fv_current_time,
        fv_last_error,
        fv_current_time64,
        fv_set_syscall,
        fv_get_syscall,
        fv_next_syscall,
    };
    fv.vfs = v;
    fv.installed = 1;
    return sqlite3_vfs_register(&fv.vfs, 1);
}

void faultvfs_uninstall(void) {
    if (!fv.installed)
        return;
    sqlite3_vfs_register(fv.inner, 1);
    sqlite3_vfs_unregister(&fv.vfs);
    fv.installed = 0;
}

void faultvfs_arm(unsigned ops, size_t nth, int error, int persistent) {
    fv.ops = ops;
    fv.nth = nth;
    fv.error = error;
    fv.persistent = persistent;
    fv.count = 0;
    fv.failures = 0;
    fv.recording = 0;
    fv.dead = 0;
    forget_files();
}

void faultvfs_disarm(void) {
    fv.ops = 0;
    fv.nth = 0;
}

size_t faultvfs_count(void) {
    return fv.count;
}

size_t faultvfs_failures(void) {
    return fv.failures;
}

void faultvfs_power_arm(size_t after) {
    faultvfs_disarm();
    forget_files();
    fv.recording = 1;
    fv.dead = 0;
    fv.power_after = after;
    fv.power_ops = 0;
}

void faultvfs_skip_fsync(int skip) {
    fv.skip_fsync = skip;
}

int faultvfs_power_lost(void) {
    return fv.dead;
}

size_t faultvfs_power_ops(void) {
    return fv.power_ops;
}

static int write_image(const tracked *t, unsigned keep_permille) {
    size_t keep = t->count * keep_permille / 1000;
    if (!t->exists && keep == 0)
        return unlink(t->path) == 0 || access(t->path, F_OK) != 0 ? 0 : -1;
    sqlite3_int64 size = t->exists ? t->size : 0;
    sqlite3_int64 cap = size;
    const pending *p = t->head;
    for (size_t i = 0; i < keep; i++, p = p->next)
        if (p->data && p->offset + p->size > cap)
            cap = p->offset + p->size;
    unsigned char *buf = calloc(1, cap ? (size_t)cap : 1);
    if (!buf)
        return -1;
    if (size)
        memcpy(buf, t->image, (size_t)size);
    p = t->head;
    for (size_t i = 0; i < keep; i++, p = p->next) {
        if (p->data) {
            memcpy(buf + p->offset, p->data, (size_t)p->size);
            if (p->offset + p->size > size)
                size = p->offset + p->size;
        } else if (p->offset < size) {
            size = p->offset;
        }
    }
    int rc = 0;
    FILE *fp = fopen(t->path, "wb");
    if (!fp || (size && fwrite(buf, 1, (size_t)size, fp) != (size_t)size))
        rc = -1;
    if (fp && fclose(fp) != 0)
        rc = -1;
    free(buf);
    return rc;
}

int faultvfs_power_restore(unsigned keep_permille) {
    int rc = 0;
    for (tracked *t = fv.files; t; t = t->next) {
        if (write_image(t, keep_permille))
            rc = -1;
        size_t n = strlen(t->path);
        if (n > 4 && !strcmp(t->path + n - 4, "-wal")) {
            char shm[4096];
            snprintf(shm, sizeof shm, "%.*s-shm", (int)(n - 4), t->path);
            unlink(shm);
        }
    }
    /* The database's own -shm, also when no WAL was followed. */
    for (tracked *t = fv.files; t; t = t->next) {
        char shm[4096];
        snprintf(shm, sizeof shm, "%s-shm", t->path);
        unlink(shm);
    }
    fv.recording = 0;
    fv.dead = 0;
    fv.power_after = 0;
    forget_files();
    return rc;
}

/* ---- the store's canonical hash --------------------------------------------- */

typedef struct hashbuf {
    unsigned char *data;
    size_t         len, cap;
    int            err;
} hashbuf;

static void hb_add(hashbuf *b, const void *p, size_t n) {
    if (b->err || !n)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (b->len + n > cap)
            cap *= 2;
        unsigned char *grown = realloc(b->data, cap);
        if (!grown) {
            b->err = 1;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

int faultvfs_store_hash(const char *path, unsigned char out[32], char *err, size_t err_size) {
    sqlite3 *db = NULL;
    sqlite3_stmt *tables = NULL, *rows = NULL;
    hashbuf b = { NULL, 0, 0, 0 };
    int rc = -1;
    /* Straight to the disk through the wrapped VFS, around faults. */
    const char *vfs = fv.installed ? fv.inner->zName : NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, vfs) != SQLITE_OK)
        goto done;
    if (sqlite3_prepare_v2(db,
                           "SELECT name FROM sqlite_schema WHERE type = 'table'"
                           " AND name NOT LIKE 'sqlite_%' ORDER BY name",
                           -1, &tables, NULL) != SQLITE_OK)
        goto done;
    int step;
    while ((step = sqlite3_step(tables)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(tables, 0);
        char sql[300];
        snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" ORDER BY rowid", name);
        hb_add(&b, name, strlen(name) + 1);
        if (sqlite3_prepare_v2(db, sql, -1, &rows, NULL) != SQLITE_OK) {
            /* WITHOUT ROWID: by the primary key */
            snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" ORDER BY 1", name);
            if (sqlite3_prepare_v2(db, sql, -1, &rows, NULL) != SQLITE_OK)
                goto done;
        }
        while ((step = sqlite3_step(rows)) == SQLITE_ROW) {
            int n = sqlite3_column_count(rows);
            for (int i = 0; i < n; i++) {
                unsigned char type = (unsigned char)sqlite3_column_type(rows, i);
                hb_add(&b, &type, 1);
                if (type == SQLITE_NULL)
                    continue;
                if (type == SQLITE_INTEGER) {
                    sqlite3_int64 v = sqlite3_column_int64(rows, i);
                    hb_add(&b, &v, sizeof v);
                    continue;
                }
                if (type == SQLITE_FLOAT) {
                    double v = sqlite3_column_double(rows, i);
                    hb_add(&b, &v, sizeof v);
                    continue;
                }
                const void *p = type == SQLITE_BLOB ? sqlite3_column_blob(rows, i)
                                                    : (const void *)sqlite3_column_text(rows, i);
                unsigned size = (unsigned)sqlite3_column_bytes(rows, i);
                hb_add(&b, &size, sizeof size);
                hb_add(&b, p, size);
            }
        }
        if (step != SQLITE_DONE)
            goto done;
        sqlite3_finalize(rows);
        rows = NULL;
    }
    if (step != SQLITE_DONE || b.err)
        goto done;
    rc = archase_sha256(b.data ? (const void *)b.data : (const void *)"", b.len, out) ? -1 : 0;
done:
    if (rc && err && err_size)
        snprintf(err, err_size, "%s", b.err ? "out of memory" : db ? sqlite3_errmsg(db) : "cannot open");
    sqlite3_finalize(rows);
    sqlite3_finalize(tables);
    sqlite3_close(db);
    free(b.data);
    return rc;
}
