/* libarchase/policy/arena.h — bump allocation for a loaded policy.
 *
 * A policy is built once and then never changes, so everything it holds
 * (names, compiled conditions, templates, tables) comes from one arena and is
 * released at once. Blocks come from the host allocator. */
#ifndef AR_POLICY_ARENA_H
#define AR_POLICY_ARENA_H

#include <stddef.h>

#include "archase/common.h"

typedef struct ar_arena_block ar_arena_block;

typedef struct ar_arena {
    const archase_allocator *allocator;
    ar_arena_block          *head;
    size_t                   total; /* bytes obtained from the allocator */
} ar_arena;

void ar_arena_init(ar_arena *arena, const archase_allocator *allocator);
/* Releases every block; the arena can be used again afterwards. */
void ar_arena_free(ar_arena *arena);

/* `size` zeroed bytes aligned for any object, or NULL when the allocator
 * refuses. Size 0 gives a valid unique pointer. */
void *ar_arena_alloc(ar_arena *arena, size_t size);
/* An array of `count` zeroed items; NULL on overflow or allocation failure. */
void *ar_arena_array(ar_arena *arena, size_t count, size_t size);
/* A NUL-terminated copy of `len` bytes. */
char *ar_arena_strndup(ar_arena *arena, const char *s, size_t len);

#endif
