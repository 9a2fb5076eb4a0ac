/* libarchase/policy/arena.c — bump allocation for a loaded policy. */
#include "policy/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"

#define AR_ARENA_BLOCK_SIZE ((size_t)32 * 1024)
#define AR_ARENA_ALIGN      alignof(max_align_t)

struct ar_arena_block {
    ar_arena_block *next;
    size_t          size; /* usable bytes after the header */
    size_t          used;
};

/* The header rounded up so the data that follows is aligned. */
#define AR_ARENA_HEADER \
    ((sizeof(ar_arena_block) + AR_ARENA_ALIGN - 1) / AR_ARENA_ALIGN * AR_ARENA_ALIGN)

void ar_arena_init(ar_arena *arena, const archase_allocator *allocator) {
    arena->allocator = ar_allocator(allocator);
    arena->head = NULL;
    arena->total = 0;
}

void ar_arena_free(ar_arena *arena) {
    ar_arena_block *b = arena->head;
    while (b) {
        ar_arena_block *next = b->next;
        ar_free(arena->allocator, b);
        b = next;
    }
    arena->head = NULL;
    arena->total = 0;
}

void *ar_arena_alloc(ar_arena *arena, size_t size) {
    if (size > SIZE_MAX / 2)
        return NULL;
    size_t rounded = (size + AR_ARENA_ALIGN - 1) / AR_ARENA_ALIGN * AR_ARENA_ALIGN;
    if (rounded == 0)
        rounded = AR_ARENA_ALIGN;
    ar_arena_block *b = arena->head;
    if (!b || b->size - b->used < rounded) {
        size_t usable = rounded > AR_ARENA_BLOCK_SIZE / 4 ? rounded : AR_ARENA_BLOCK_SIZE;
        ar_arena_block *nb = ar_malloc(arena->allocator, AR_ARENA_HEADER + usable);
        if (!nb)
            return NULL;
        nb->size = usable;
        nb->used = 0;
        arena->total += AR_ARENA_HEADER + usable;
        if (b && usable != AR_ARENA_BLOCK_SIZE) {
            /* A large item gets a block of its own behind the current one, so
             * the room left in the current block stays usable. */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            arena->head = nb;
        }
        b = nb;
    }
    void *p = (char *)b + AR_ARENA_HEADER + b->used;
    b->used += rounded;
    memset(p, 0, rounded);
    return p;
}

void *ar_arena_array(ar_arena *arena, size_t count, size_t size) {
    if (size && count > SIZE_MAX / 2 / size)
        return NULL;
    return ar_arena_alloc(arena, count * size);
}

char *ar_arena_strndup(ar_arena *arena, const char *s, size_t len) {
    char *p = ar_arena_alloc(arena, len + 1);
    if (p && len)
        memcpy(p, s, len);
    return p;
}
