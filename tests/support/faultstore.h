/* tests/support/faultstore.h — a storage backend that wraps another and
 * fails its Nth call, for the conformance suite's fault-injection loop. */
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

#endif
