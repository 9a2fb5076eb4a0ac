/* libarchase/core/alloc.h — allocation through a host-supplied allocator. */
#ifndef AR_CORE_ALLOC_H
#define AR_CORE_ALLOC_H

#include "archase/common.h"

/* The allocator to use for `a` (the default one when a is NULL). */
const archase_allocator *ar_allocator(const archase_allocator *a);

/* Checks a host allocator: version and function slots. 0 or ARCHASE_EINVAL/EVERSION. */
int ar_allocator_check(const archase_allocator *a);

/* malloc/calloc/realloc/free through `a` (NULL = default). ar_calloc and
 * ar_malloc_array check count * size for overflow and return NULL on it.
 * ar_realloc(a, NULL, n) allocates; ar_free(a, NULL) does nothing. */
void *ar_malloc(const archase_allocator *a, size_t size);
void *ar_calloc(const archase_allocator *a, size_t count, size_t size);
void *ar_malloc_array(const archase_allocator *a, size_t count, size_t size);
void *ar_realloc(const archase_allocator *a, void *ptr, size_t old_size, size_t new_size);
void  ar_free(const archase_allocator *a, void *ptr);

/* Copies a NUL-terminated string (NULL gives NULL) / `len` bytes plus a NUL. */
char *ar_strdup(const archase_allocator *a, const char *s);
char *ar_strndup(const archase_allocator *a, const char *s, size_t len);

/* Grows an array so it holds at least `need` items of `item_size` bytes,
 * doubling. *items and *cap are updated only on success. 0 or ARCHASE_ENOMEM. */
int ar_grow(const archase_allocator *a, void **items, size_t *cap, size_t need, size_t item_size);

#endif
