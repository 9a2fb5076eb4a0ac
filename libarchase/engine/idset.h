/* libarchase/engine/idset.h — a set of id strings (open addressing). */
#ifndef AR_ENGINE_IDSET_H
#define AR_ENGINE_IDSET_H

#include <stddef.h>
#include <stdint.h>

#include "archase/common.h"

/* One slot, 32 bytes: the id's hash and length, and the id itself, inside
 * the slot when it is short (customer ids usually are) so that finding it
 * reads one place in memory; a longer id's text holds the address of a copy. */
#define AR_IDSET_INLINE 20
typedef struct ar_idslot {
    uint64_t hash;
    uint32_t len1;                  /* the id's length + 1; 0 = an empty slot */
    char     text[AR_IDSET_INLINE]; /* len1 <= AR_IDSET_INLINE: the id, NUL-terminated;
                                       else a char * to its copy (memcpy'd) */
} ar_idslot;

typedef struct ar_idset {
    const archase_allocator *allocator;
    ar_idslot               *slots;
    size_t                   cap;   /* a power of two, or 0 */
    size_t                   count;
} ar_idset;

void ar_idset_init(ar_idset *s, const archase_allocator *a);
void ar_idset_free(ar_idset *s);
/* Empties the set (keeps its table). */
void ar_idset_clear(ar_idset *s);
int  ar_idset_has(const ar_idset *s, const char *id);
/* Adds a copy of `id` (a no-op when present or NULL). 0, ARCHASE_ENOMEM or, for
 * an id of 4 GB or more, ARCHASE_EINVAL (the set is unchanged). */
int  ar_idset_add(ar_idset *s, const char *id);
/* FNV-1a of a NUL-terminated string. */
uint64_t ar_hash_str(const char *s);

#endif
