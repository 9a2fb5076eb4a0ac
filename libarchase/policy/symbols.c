/* libarchase/policy/symbols.c — interned names. */
#include "policy/symbols.h"

#include <string.h>

#include "archase/errors.h"

static uint32_t hash_name(const char *s, size_t len) {
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

void ar_symtab_init(ar_symtab *t, ar_arena *arena) {
    memset(t, 0, sizeof *t);
    t->arena = arena;
}

ar_sym ar_symtab_lookup(const ar_symtab *t, const char *s, size_t len) {
    if (!t->nslots)
        return AR_SYM_NONE;
    uint32_t mask = t->nslots - 1;
    for (uint32_t i = hash_name(s, len) & mask;; i = (i + 1) & mask) {
        uint32_t slot = t->slots[i];
        if (!slot)
            return AR_SYM_NONE;
        ar_sym id = slot - 1;
        if (t->lens[id] == len && !memcmp(t->names[id], s, len))
            return id;
    }
}

static int rehash(ar_symtab *t, uint32_t nslots) {
    uint32_t *slots = ar_arena_array(t->arena, nslots, sizeof *slots);
    if (!slots)
        return ARCHASE_ENOMEM;
    uint32_t mask = nslots - 1;
    for (ar_sym id = 0; id < t->count; id++) {
        uint32_t i = hash_name(t->names[id], t->lens[id]) & mask;
        while (slots[i])
            i = (i + 1) & mask;
        slots[i] = id + 1;
    }
    t->slots = slots;
    t->nslots = nslots;
    return 0;
}

int ar_symtab_intern(ar_symtab *t, const char *s, size_t len, ar_sym *out) {
    ar_sym found = ar_symtab_lookup(t, s, len);
    if (found != AR_SYM_NONE) {
        *out = found;
        return 0;
    }
    if (t->count >= UINT32_MAX / 4)
        return ARCHASE_ENOMEM;
    if (t->count == t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 32;
        const char **names = ar_arena_array(t->arena, cap, sizeof *names);
        uint32_t *lens = ar_arena_array(t->arena, cap, sizeof *lens);
        if (!names || !lens)
            return ARCHASE_ENOMEM;
        if (t->count) {
            memcpy(names, t->names, t->count * sizeof *names);
            memcpy(lens, t->lens, t->count * sizeof *lens);
        }
        t->names = names;
        t->lens = lens;
        t->cap = cap;
    }
    if ((t->count + 1) * 2 > t->nslots) {
        if (rehash(t, t->nslots ? t->nslots * 2 : 64))
            return ARCHASE_ENOMEM;
    }
    char *copy = ar_arena_strndup(t->arena, s, len);
    if (!copy)
        return ARCHASE_ENOMEM;
    ar_sym id = t->count++;
    t->names[id] = copy;
    t->lens[id] = (uint32_t)len;
    uint32_t mask = t->nslots - 1;
    uint32_t i = hash_name(s, len) & mask;
    while (t->slots[i])
        i = (i + 1) & mask;
    t->slots[i] = id + 1;
    *out = id;
    return 0;
}
