/* tests/support/faultstore.h — storage backends that wrap another and
 * misbehave: one fails its Nth call, for the conformance suite's
 * fault-injection loop; one hands back records altered. */
#ifndef ARCHASE_TEST_FAULTSTORE_H
#define ARCHASE_TEST_FAULTSTORE_H

#include <stddef.h>

#include "archase/sys/storage.h"

typedef struct faultstore {
    archase_storage inner;   /* the wrapped backend (closed with the wrapper) */
    size_t          fail_at; /* 0 = never; N = the Nth call fails */
    size_t          calls;   /* calls counted so far */
    size_t          failures;
    char            message[128];
} faultstore;

/* Fills *out with a backend over `inner` that counts every call and fails
 * the `fail_at`-th with ARCHASE_ESTORAGE before reaching the inner backend.
 * rollback is counted but always reaches the inner backend (it is how a
 * failure is undone); errmsg and close are not counted. The wrapper owns
 * `inner` and `f` stays owned by the caller (it must outlive the backend). */
void faultstore_wrap(faultstore *f, const archase_storage *inner, size_t fail_at,
                     archase_storage *out);

/* A backend over a new memory backend that hands every record it reads back
 * (get, scan, outbox_claim) to `alter` first: alter returns 1 with *out set
 * to hand back that instead, or 0 to hand back the record as it is. Every
 * other call reaches the memory backend unchanged, and the optional slots
 * are there when the memory backend has them. Fails the test when the
 * memory backend cannot be made. The backend owns `inner` (closed with it);
 * `a` stays owned by the caller and must outlive the backend. */
typedef int (*alterstore_fn)(void *userdata, const archase_record *rec, archase_record *out);
typedef struct alterstore {
    archase_storage inner;    /* the memory backend */
    alterstore_fn   alter;
    void           *userdata; /* alter's */
} alterstore;
void alterstore_wrap(alterstore *a, alterstore_fn alter, void *userdata, archase_storage *out);

#endif
