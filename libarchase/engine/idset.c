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

_Static_assert(sizeof(ar_idslot) == 32, "an id slot is half a cache line");

void ar_idset_init(ar_idset *s, const archase_allocator *a) {
    memset(s, 0, sizeof *s);
    s->allocator = a;
}

static char *slot_copy(const ar_idslot *slot) {
    char *copy;
    memcpy(&copy, slot->text, sizeof copy);
    return copy;
}

static const char *slot_id(const ar_idslot *slot) {
    return slot->len1 <= AR_IDSET_INLINE ? slot->text : slot_copy(slot);
}

void ar_idset_clear(ar_idset *s) {
    for (size_t i = 0; i < s->cap; i++) {
        if (s->slots[i].len1 > AR_IDSET_INLINE)
            ar_free(s->allocator, slot_copy(&s->slots[i]));
        s->slots[i].len1 = 0;
    }
    s->count = 0;
}

void ar_idset_free(ar_idset *s) {
    ar_idset_clear(s);
    ar_free(s->allocator, s->slots);
    s->slots = NULL;
    s->cap = 0;
}

/* The slot of `id` (hash h, length len), or the empty one where it would go.
 * Another id's slot is passed over on its hash alone, without reading it. */
static size_t find_slot(const ar_idslot *slots, size_t cap, const char *id, uint64_t h, size_t len) {
    size_t i = (size_t)h & (cap - 1);
    while (slots[i].len1 &&
           (slots[i].hash != h || slots[i].len1 != len + 1 || memcmp(slot_id(&slots[i]), id, len) != 0))
        i = (i + 1) & (cap - 1);
    return i;
}

int ar_idset_has(const ar_idset *s, const char *id) {
    if (!s->cap || !id)
        return 0;
    size_t len = strlen(id);
    return s->slots[find_slot(s->slots, s->cap, id, ar_hash_str(id), len)].len1 != 0;
}

int ar_idset_add(ar_idset *s, const char *id) {
    if (!id)
        return 0;
    size_t len = strlen(id);
    if (len >= UINT32_MAX - 1)
        return ARCHASE_EINVAL;
    uint64_t h = ar_hash_str(id);
    if (s->cap && s->slots[find_slot(s->slots, s->cap, id, h, len)].len1)
        return 0;
    if ((s->count + 1) * 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        ar_idslot *slots = ar_calloc(s->allocator, cap, sizeof *slots);
        if (!slots)
            return ARCHASE_ENOMEM;
        for (size_t i = 0; i < s->cap; i++) {
            const ar_idslot *old = &s->slots[i];
            if (old->len1)
                slots[find_slot(slots, cap, slot_id(old), old->hash, old->len1 - 1)] = *old;
        }
        ar_free(s->allocator, s->slots);
        s->slots = slots;
        s->cap = cap;
    }
    ar_idslot slot;
    memset(&slot, 0, sizeof slot);
    slot.hash = h;
    slot.len1 = (uint32_t)len + 1;
    if (slot.len1 <= AR_IDSET_INLINE) {
        memcpy(slot.text, id, len + 1);
    } else {
        char *copy = ar_malloc(s->allocator, len + 1);
        if (!copy)
            return ARCHASE_ENOMEM;
        memcpy(copy, id, len + 1);
        memcpy(slot.text, &copy, sizeof copy);
    }
    s->slots[find_slot(s->slots, s->cap, id, h, len)] = slot;
    s->count++;
    return 0;
}
