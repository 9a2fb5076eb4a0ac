/* tests/support/faultvfs.h — a SQLite VFS shim for reliability tests,
 * registered over the default VFS so every connection the library opens goes
 * through it. It does two things:
 *
 *  - fault injection: count the file operations of the chosen kinds (reads,
 *    writes, syncs, locks) and fail the Nth — or the Nth and every later one —
 *    with a chosen SQLite code (SQLITE_FULL, SQLITE_IOERR_WRITE,
 *    SQLITE_BUSY, SQLITE_CORRUPT, ...);
 *  - power loss: remember, for every database, WAL and journal file, what it
 *    held at its last xSync and the writes made since; after the Kth write or
 *    sync the machine "dies" (every later write, sync, truncate and read
 *    fails with SQLITE_IOERR), and faultvfs_power_restore() puts back on disk
 *    what a power cut would have left: each file as of its last sync plus
 *    (optionally) a prefix of the writes that followed, the -shm files gone.
 *
 * State is process-wide, like SQLite's VFS list: one test at a time uses it. */
#ifndef ARCHASE_TEST_FAULTVFS_H
#define ARCHASE_TEST_FAULTVFS_H

#include <stddef.h>

enum {
    FAULTVFS_READ = 1,
    FAULTVFS_WRITE = 2, /* xWrite and xTruncate */
    FAULTVFS_SYNC = 4,
    FAULTVFS_LOCK = 8,  /* xLock: the database file's locks */
    FAULTVFS_SHMLOCK = 16 /* xShmLock: the WAL index's locks (a reader retries a busy one
                             for seconds before SQLITE_PROTOCOL: fail it once, not for good) */
};

/* Registers the shim as the default VFS, wrapping the default one. Safe to
 * call more than once. Returns a SQLite code. */
int faultvfs_install(void);
/* Makes the wrapped VFS the default again. */
void faultvfs_uninstall(void);

/* Counts operations in `ops` (FAULTVFS_* bits) from now on and fails the
 * `nth` (1-based; 0 = none) with `error`; with `persistent` every later one
 * fails too. Ends any power-loss run. */
void faultvfs_arm(unsigned ops, size_t nth, int error, int persistent);
/* Stops failing and counting. */
void faultvfs_disarm(void);
/* Operations of the armed kinds seen since faultvfs_arm. */
size_t faultvfs_count(void);
/* Operations failed since faultvfs_arm. */
size_t faultvfs_failures(void);

/* 1: syncs are counted, failed and recorded as usual but not passed on to
 * the disk — the power of this machine never fails, the shim's does — which
 * makes the tests fast. 0 (the default): passed on. */
void faultvfs_skip_fsync(int skip);

/* Starts recording for a power cut after the `after`-th write or sync from
 * now (0 = never: only record). Files opened from now on are followed; a
 * file's durable image starts as what is on disk when it is first opened. */
void faultvfs_power_arm(size_t after);
/* 1 when the power went out. */
int faultvfs_power_lost(void);
/* Writes and syncs seen since faultvfs_power_arm. */
size_t faultvfs_power_ops(void);
/* Rewrites every followed file as a power cut leaves it: its last synced
 * image, then the first `keep_permille`/1000 of the writes made after that
 * sync (0 = drop them all), and removes the "-shm" files. Call it after every
 * connection to the files is closed. Stops recording and forgets the files.
 * Returns 0, or -1 when a file could not be written. */
int faultvfs_power_restore(unsigned keep_permille);

/* The canonical hash of the SQLite store at `path`: every table in name
 * order, every row in rowid order, every value with its type, read by a
 * connection of its own straight from the disk (around the shim and its
 * faults). Two stores hash alike when they hold the same rows. Returns 0, or
 * -1 with the reason in `err`. */
int faultvfs_store_hash(const char *path, unsigned char out[32], char *err, size_t err_size);

#endif
