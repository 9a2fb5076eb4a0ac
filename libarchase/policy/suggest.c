/* libarchase/policy/suggest.c — "did you mean" for misspelt names. */
#include "policy/suggest.h"

#include <string.h>

#define AR_SUGGEST_MAX_LEN 64

/* Optimal string alignment distance, stopping early past `limit`. */
static size_t distance(const char *a, size_t n, const char *b, size_t m, size_t limit) {
    size_t rows[3][AR_SUGGEST_MAX_LEN + 1];
    size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= m; j++)
        prev[j] = j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = i;
        size_t best = cur[0];
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t v = prev[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            if (prev[j - 1] + cost < v)
                v = prev[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1 < v)
                v = prev2[j - 2] + 1;
            cur[j] = v;
            if (v < best)
                best = v;
        }
        if (best > limit)
            return limit + 1;
        size_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[m];
}

const char *ar_suggest(const char *word, size_t len, const void *candidates, size_t count,
                       size_t stride) {
    if (len == 0 || len > AR_SUGGEST_MAX_LEN)
        return NULL;
    size_t limit = len <= 4 ? 1 : len <= 8 ? 2 : 3;
    const char *best = NULL;
    size_t best_d = limit + 1;
    for (size_t i = 0; i < count; i++) {
        const char *name = *(const char *const *)((const char *)candidates + i * stride);
        if (!name)
            continue;
        size_t m = strlen(name);
        if (len >= 4 && m > len && !strncmp(name, word, len) && best_d > limit) {
            /* A name cut short ("latest" for "latest_only"): suggest it unless a typo fits better. */
            best = name;
            best_d = limit;
            continue;
        }
        if (m > AR_SUGGEST_MAX_LEN || (m > len ? m - len : len - m) > limit)
            continue;
        size_t d = distance(word, len, name, m, limit);
        if (d < best_d) {
            best_d = d;
            best = name;
        }
    }
    return best;
}

const char *ar_suggest_list(const char *word, size_t len, const char *const *names) {
    size_t count = 0;
    while (names[count])
        count++;
    return ar_suggest(word, len, names, count, sizeof *names);
}
