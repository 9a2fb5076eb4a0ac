/* libarchase/kpi/strtab.h — a table of distinct strings numbered in the
 * order they were first added, with lookup by text. The KPI view keeps the
 * ids of a million invoices in one of these: one arena of text, one array of
 * offsets and hashes, one open-addressing index of 32-bit numbers. Snapshots
 * keep their customer and invoice ids in one too, so lookups are hot: the
 * hash reads eight bytes at a time and a probe compares text only when the
 * hashes agree. */
#ifndef AR_KPI_STRTAB_H
#define AR_KPI_STRTAB_H

#include <stddef.h>
#include <stdint.h>

#include "archase/common.h"

#define AR_STRTAB_NONE UINT32_MAX

typedef struct ar_strtab {
    const archase_allocator *allocator;
    char     *text;      /* every string with its NUL, back to back */
    size_t    text_len, text_cap;
    uint32_t *offsets;   /* offsets[i]: where string i starts */
    uint32_t *hashes;    /* hashes[i]: string i's hash, so probes rarely compare text */
    size_t    count, offsets_cap, hashes_cap;
    uint32_t *index;     /* string numbers; AR_STRTAB_NONE = empty slot */
    size_t    index_cap; /* a power of two, or 0 */
} ar_strtab;

void ar_strtab_init(ar_strtab *t, const archase_allocator *a);
void ar_strtab_free(ar_strtab *t);
/* Makes room for `count` strings of `bytes` bytes in all without growing. */
int ar_strtab_reserve(ar_strtab *t, size_t count, size_t bytes);
/* The number of `s`, adding it when new. 0 or ARCHASE_ENOMEM (the table is
 * unchanged) or ARCHASE_ERANGE (more than 4 GiB of text or 2^32-2 strings). */
int ar_strtab_intern(ar_strtab *t, const char *s, uint32_t *out);
/* The number of `s`, or AR_STRTAB_NONE. */
uint32_t ar_strtab_find(const ar_strtab *t, const char *s);
/* String number i (i < count). */
static inline const char *ar_strtab_str(const ar_strtab *t, uint32_t i) {
    return t->text + t->offsets[i];
}

#endif
