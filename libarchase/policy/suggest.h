/* libarchase/policy/suggest.h — "did you mean" for misspelt names. */
#ifndef AR_POLICY_SUGGEST_H
#define AR_POLICY_SUGGEST_H

#include <stddef.h>

/* The candidate closest to `len` bytes at `word` by edit distance
 * (insertions, deletions, substitutions and swaps of neighbours), when it is
 * close enough to be a likely typo: at most 1 edit for names up to 4
 * characters, 2 up to 8, 3 beyond. NULL when none is. `stride` is the
 * distance in bytes between candidate name pointers, so tables of structs
 * whose first member is the name can be searched directly. */
const char *ar_suggest(const char *word, size_t len, const void *candidates, size_t count,
                       size_t stride);

/* ar_suggest over a NULL-terminated array of names. */
const char *ar_suggest_list(const char *word, size_t len, const char *const *names);

#endif
