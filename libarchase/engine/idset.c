/* libarchase/engine/idset.c — a set of id strings (open addressing). */
#include "engine/idset.h"

#include <string.h>

#include "archase/errors.h"
#include "core/alloc.h"

uint64_t ar_hash_str(const char *s) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ull;
    }
    return h;
}

void ar_idset_init(ar_idset *s, const archase_allocator *a) {
    memset(s, 0, sizeof *s);
    s->allocator = a;
}

void ar_idset_clear(ar_idset *s) {
    for (size_t i = 0; i < s->cap; i++) {
        ar_free(s->allocator, s->slots[i]);
        s->slots[i] = NULL;
    }
    s->count = 0;
}

void ar_idset_free(ar_idset *s) {
    ar_idset_clear(s);
    ar_free(s->allocator, s->slots);
    s->slots = NULL;
    s->cap = 0;
}

static size_t find_slot(char **slots, size_t cap, const char *id) {
    size_t i = (size_t)ar_hash_str(id) & (cap - 1);
    while (slots[i] && strcmp(slots[i], id) != 0)
        i = (i + 1) & (cap - 1);
    return i;
}

int ar_idset_has(const ar_idset *s, const char *id) {
    if (!s->cap || !id)
        return 0;
    return s->slots[find_slot(s->slots, s->cap, id)] != NULL;
}

int ar_idset_add(ar_idset *s, const char *id) {
    if (ar_idset_has(s, id))
        return 0;
    if ((s->count + 1) * 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        char **slots = ar_calloc(s->allocator, cap, sizeof *slots);
        if (!slots)
            return ARCHASE_ENOMEM;
        for (size_t i = 0; i < s->cap; i++) {
            if (s->slots[i])
                slots[find_slot(slots, cap, s->slots[i])] = s->slots[i];
        }
        ar_free(s->allocator, s->slots);
        s->slots = slots;
        s->cap = cap;
    }
    char *copy = ar_strdup(s->allocator, id);
    if (!copy)
        return ARCHASE_ENOMEM;
    s->slots[find_slot(s->slots, s->cap, id)] = copy;
    s->count++;
    return 0;
}
