/* libarchase/policy/symbols.h — interned names (tiers, countries, segments, ...).
 *
 * Every name a policy compares against is interned once at load and known by
 * its id from then on, so a condition compares integers. The engine turns
 * the names it reads from the ledger into ids with ar_policy_symbol_lookup
 * (policy_internal.h); a name the policy never mentions gets AR_SYM_NONE,
 * which equals no literal. */
#ifndef AR_POLICY_SYMBOLS_H
#define AR_POLICY_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

#include "policy/arena.h"

typedef uint32_t ar_sym;

/* "Not in this policy": never the id of an interned name. */
#define AR_SYM_NONE UINT32_MAX

typedef struct ar_symtab {
    ar_arena    *arena;
    const char **names;   /* by id, NUL-terminated */
    uint32_t    *lens;
    uint32_t     count;
    uint32_t     cap;
    uint32_t    *slots;   /* open addressing: id + 1, 0 = empty */
    uint32_t     nslots;  /* a power of two */
} ar_symtab;

void ar_symtab_init(ar_symtab *t, ar_arena *arena);
/* The id of `len` bytes at `s`, interning them when new. 0 or ARCHASE_ENOMEM. */
int ar_symtab_intern(ar_symtab *t, const char *s, size_t len, ar_sym *out);
/* The id of a name, or AR_SYM_NONE. Never allocates. */
ar_sym ar_symtab_lookup(const ar_symtab *t, const char *s, size_t len);

#endif
