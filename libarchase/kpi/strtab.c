/* libarchase/kpi/strtab.c — a table of distinct strings. */
#include "kpi/strtab.h"

#include <string.h>

#include "archase/errors.h"
#include "core/alloc.h"

void ar_strtab_init(ar_strtab *t, const archase_allocator *a) {
    memset(t, 0, sizeof *t);
    t->allocator = a;
}

void ar_strtab_free(ar_strtab *t) {
    ar_free(t->allocator, t->text);
    ar_free(t->allocator, t->offsets);
    ar_free(t->allocator, t->hashes);
    ar_free(t->allocator, t->index);
    ar_strtab_init(t, t->allocator);
}

/* A 32-bit hash of `len` bytes, eight at a time (multiply and fold). */
static uint32_t hash_of(const char *s, size_t len) {
    uint64_t h = 0x9e3779b97f4a7c15ull ^ len;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        s += 8;
        len -= 8;
    }
    if (len) {
        uint64_t w = 0;
        memcpy(&w, s, len);
        h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    }
    h ^= h >> 29;
    h *= 0xff51afd7ed558ccdull;
    return (uint32_t)(h ^ (h >> 32));
}

/* The index slot of `s` (whose hash is `hash`): where it is, or the empty
 * slot where it would go. */
static size_t slot_of(const ar_strtab *t, const char *s, uint32_t hash) {
    size_t mask = t->index_cap - 1;
    size_t i = hash & mask;
    for (;;) {
        uint32_t n = t->index[i];
        if (n == AR_STRTAB_NONE || (t->hashes[n] == hash && strcmp(ar_strtab_str(t, n), s) == 0))
            return i;
        i = (i + 1) & mask;
    }
}

/* The slot for string n when rebuilding (every string is distinct). */
static size_t free_slot(const ar_strtab *t, uint32_t hash) {
    size_t mask = t->index_cap - 1;
    size_t i = hash & mask;
    while (t->index[i] != AR_STRTAB_NONE)
        i = (i + 1) & mask;
    return i;
}

uint32_t ar_strtab_find(const ar_strtab *t, const char *s) {
    if (!t->index_cap || !s)
        return AR_STRTAB_NONE;
    return t->index[slot_of(t, s, hash_of(s, strlen(s)))];
}

/* Rebuilds the index with room for `count` strings at most half full. */
static int rehash(ar_strtab *t, size_t count) {
    size_t cap = 64;
    while (cap < count * 2)
        cap *= 2;
    if (cap <= t->index_cap)
        return 0;
    uint32_t *index = ar_malloc_array(t->allocator, cap, sizeof *index);
    if (!index)
        return ARCHASE_ENOMEM;
    memset(index, 0xff, cap * sizeof *index);
    uint32_t *old = t->index;
    t->index = index;
    t->index_cap = cap;
    for (size_t i = 0; i < t->count; i++)
        t->index[free_slot(t, t->hashes[i])] = (uint32_t)i;
    ar_free(t->allocator, old);
    return 0;
}

int ar_strtab_reserve(ar_strtab *t, size_t count, size_t bytes) {
    if (count > UINT32_MAX - 1 - t->count || bytes > UINT32_MAX - t->text_len)
        return ARCHASE_ERANGE;
    int rc = ar_grow(t->allocator, (void **)&t->offsets, &t->offsets_cap, t->count + count,
                     sizeof *t->offsets);
    if (!rc)
        rc = ar_grow(t->allocator, (void **)&t->hashes, &t->hashes_cap, t->count + count,
                     sizeof *t->hashes);
    if (!rc)
        rc = ar_grow(t->allocator, (void **)&t->text, &t->text_cap, t->text_len + bytes, 1);
    if (!rc)
        rc = rehash(t, t->count + count);
    return rc;
}

/* 1 when one more string of `len` bytes fits without growing anything. */
static int has_room(const ar_strtab *t, size_t len) {
    return t->count < t->offsets_cap && t->count < t->hashes_cap && (t->count + 1) * 2 <= t->index_cap &&
           t->count < UINT32_MAX - 1 && len + 1 <= t->text_cap - t->text_len &&
           len + 1 <= UINT32_MAX - t->text_len;
}

int ar_strtab_intern(ar_strtab *t, const char *s, uint32_t *out) {
    size_t len = strlen(s);
    uint32_t hash = hash_of(s, len);
    size_t slot = 0;
    if (t->index_cap) {
        slot = slot_of(t, s, hash);
        uint32_t found = t->index[slot];
        if (found != AR_STRTAB_NONE) {
            *out = found;
            return 0;
        }
    }
    /* A new string: the empty slot just found stays its place unless the
     * index has to grow. */
    if (!has_room(t, len)) {
        int rc = ar_strtab_reserve(t, 1, len + 1);
        if (rc)
            return rc;
        slot = slot_of(t, s, hash);
    }
    memcpy(t->text + t->text_len, s, len + 1);
    t->offsets[t->count] = (uint32_t)t->text_len;
    t->hashes[t->count] = hash;
    t->text_len += len + 1;
    t->index[slot] = (uint32_t)t->count;
    *out = (uint32_t)t->count++;
    return 0;
}
