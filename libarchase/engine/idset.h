/* libarchase/engine/idset.h — a set of id strings (open addressing). */
#ifndef AR_ENGINE_IDSET_H
#define AR_ENGINE_IDSET_H

#include <stddef.h>
#include <stdint.h>

#include "archase/common.h"

typedef struct ar_idset {
    const archase_allocator *allocator;
    char                   **slots;
    size_t                   cap;   /* a power of two, or 0 */
    size_t                   count;
} ar_idset;

void ar_idset_init(ar_idset *s, const archase_allocator *a);
void ar_idset_free(ar_idset *s);
/* Empties the set (keeps its table). */
void ar_idset_clear(ar_idset *s);
int  ar_idset_has(const ar_idset *s, const char *id);
/* Adds a copy of `id` (a no-op when present). 0 or ARCHASE_ENOMEM (the set is unchanged). */
int  ar_idset_add(ar_idset *s, const char *id);
/* FNV-1a of a NUL-terminated string. */
uint64_t ar_hash_str(const char *s);

#endif
