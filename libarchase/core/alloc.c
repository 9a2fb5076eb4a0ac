/* libarchase/core/alloc.c — allocation through a host-supplied allocator. */
#include "core/alloc.h"

#include <stdlib.h>
#include <string.h>

#include "archase/errors.h"

static void *default_malloc(void *userdata, size_t size) {
    (void)userdata;
    return malloc(size);
}

static void *default_realloc(void *userdata, void *ptr, size_t size) {
    (void)userdata;
    return realloc(ptr, size);
}

static void default_free(void *userdata, void *ptr) {
    (void)userdata;
    free(ptr);
}

static const archase_allocator default_allocator = {
    ARCHASE_ALLOCATOR_VERSION, NULL, default_malloc, default_realloc, default_free,
};

const archase_allocator *archase_default_allocator(void) {
    return &default_allocator;
}

const archase_allocator *ar_allocator(const archase_allocator *a) {
    return a ? a : &default_allocator;
}

int ar_allocator_check(const archase_allocator *a) {
    if (!a)
        return 0;
    if (a->version != ARCHASE_ALLOCATOR_VERSION)
        return ARCHASE_EVERSION;
    if (!a->malloc_fn || !a->free_fn)
        return ARCHASE_EINVAL;
    return 0;
}

void *ar_malloc(const archase_allocator *a, size_t size) {
    a = ar_allocator(a);
    return a->malloc_fn(a->userdata, size ? size : 1);
}

void *ar_malloc_array(const archase_allocator *a, size_t count, size_t size) {
    if (size && count > SIZE_MAX / size)
        return NULL;
    return ar_malloc(a, count * size);
}

void *ar_calloc(const archase_allocator *a, size_t count, size_t size) {
    void *p = ar_malloc_array(a, count, size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

void *ar_realloc(const archase_allocator *a, void *ptr, size_t old_size, size_t new_size) {
    a = ar_allocator(a);
    if (!ptr)
        return ar_malloc(a, new_size);
    if (a->realloc_fn)
        return a->realloc_fn(a->userdata, ptr, new_size ? new_size : 1);
    void *p = ar_malloc(a, new_size);
    if (!p)
        return NULL;
    memcpy(p, ptr, old_size < new_size ? old_size : new_size);
    a->free_fn(a->userdata, ptr);
    return p;
}

void ar_free(const archase_allocator *a, void *ptr) {
    if (!ptr)
        return;
    a = ar_allocator(a);
    a->free_fn(a->userdata, ptr);
}

char *ar_strndup(const archase_allocator *a, const char *s, size_t len) {
    if (!s || len == SIZE_MAX)
        return NULL;
    char *copy = ar_malloc(a, len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

char *ar_strdup(const archase_allocator *a, const char *s) {
    return s ? ar_strndup(a, s, strlen(s)) : NULL;
}

int ar_grow(const archase_allocator *a, void **items, size_t *cap, size_t need, size_t item_size) {
    if (need <= *cap)
        return 0;
    size_t new_cap = *cap ? *cap : 8;
    while (new_cap < need) {
        if (new_cap > SIZE_MAX / 2)
            return ARCHASE_ENOMEM;
        new_cap *= 2;
    }
    if (item_size && new_cap > SIZE_MAX / item_size)
        return ARCHASE_ENOMEM;
    void *p = ar_realloc(a, *items, *cap * item_size, new_cap * item_size);
    if (!p)
        return ARCHASE_ENOMEM;
    *items = p;
    *cap = new_cap;
    return 0;
}
