/* libarchase/kpi/strtab.c — a table of distinct strings. */
#include "kpi/strtab.h"

#include <string.h>

#include "archase/errors.h"
#include "core/alloc.h"
#include "engine/idset.h"

void ar_strtab_init(ar_strtab *t, const archase_allocator *a) {
    memset(t, 0, sizeof *t);
    t->allocator = a;
}

void ar_strtab_free(ar_strtab *t) {
    ar_free(t->allocator, t->text);
    ar_free(t->allocator, t->offsets);
    ar_free(t->allocator, t->index);
    ar_strtab_init(t, t->allocator);
}

static size_t slot_of(const ar_strtab *t, const char *s) {
    size_t mask = t->index_cap - 1;
    size_t i = (size_t)ar_hash_str(s) & mask;
    while (t->index[i] != AR_STRTAB_NONE && strcmp(ar_strtab_str(t, t->index[i]), s) != 0)
        i = (i + 1) & mask;
    return i;
}

uint32_t ar_strtab_find(const ar_strtab *t, const char *s) {
    if (!t->index_cap || !s)
        return AR_STRTAB_NONE;
    return t->index[slot_of(t, s)];
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
        t->index[slot_of(t, ar_strtab_str(t, (uint32_t)i))] = (uint32_t)i;
    ar_free(t->allocator, old);
    return 0;
}

int ar_strtab_reserve(ar_strtab *t, size_t count, size_t bytes) {
    if (count > UINT32_MAX - 1 - t->count || bytes > UINT32_MAX - t->text_len)
        return ARCHASE_ERANGE;
    int rc = ar_grow(t->allocator, (void **)&t->offsets, &t->offsets_cap, t->count + count,
                     sizeof *t->offsets);
    if (!rc)
        rc = ar_grow(t->allocator, (void **)&t->text, &t->text_cap, t->text_len + bytes, 1);
    if (!rc)
        rc = rehash(t, t->count + count);
    return rc;
}

int ar_strtab_intern(ar_strtab *t, const char *s, uint32_t *out) {
    uint32_t found = ar_strtab_find(t, s);
    if (found != AR_STRTAB_NONE) {
        *out = found;
        return 0;
    }
    size_t len = strlen(s) + 1;
    int rc = ar_strtab_reserve(t, 1, len);
    if (rc)
        return rc;
    size_t slot = slot_of(t, s);
    memcpy(t->text + t->text_len, s, len);
    t->offsets[t->count] = (uint32_t)t->text_len;
    t->text_len += len;
    t->index[slot] = (uint32_t)t->count;
    *out = (uint32_t)t->count++;
    return 0;
}
