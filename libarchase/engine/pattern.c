/* libarchase/engine/pattern.c — a customer's payment pattern from its
 * settled invoices (pattern.h). */
#include "engine/pattern.h"

#include <stdlib.h>

static int cmp_settled(const void *a, const void *b) {
    const ar_settled *x = a, *y = b;
    if (x->settled != y->settled)
        return x->settled < y->settled ? -1 : 1;
    return (x->due > y->due) - (x->due < y->due);
}

static int cmp_i32(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Sorts `n` values: a few (a lookback is mostly a dozen) by insertion,
 * without qsort's calls per comparison. */
static void sort_i32(int32_t *v, size_t n) {
    if (n > 16) {
        qsort(v, n, sizeof *v, cmp_i32);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        int32_t x = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* Sorts by settlement, then due date (equal items are equal in both, so
 * any order of them is the same); a customer's history mostly comes in
 * that order already and is then left as it is. */
static void sort_settled(ar_settled *items, size_t count) {
    for (size_t i = 1; i < count; i++) {
        if (cmp_settled(&items[i - 1], &items[i]) > 0) {
            qsort(items, count, sizeof *items, cmp_settled);
            return;
        }
    }
}

/* The median of `n` > 0 values in hundredths; sorts them. */
static int64_t median_x100(int32_t *v, size_t n) {
    sort_i32(v, n);
    size_t m = n / 2;
    if (n % 2)
        return (int64_t)v[m] * 100;
    return ((int64_t)v[m - 1] + v[m]) * 50;
}

void ar_pattern_compute(ar_settled *items, size_t count, uint32_t lookback, ar_pattern *out) {
    int32_t late[AR_PATTERN_LOOKBACK_MAX];
    ar_pattern p = { 0, 0, 0, 0, 0, 0 };
    size_t n = lookback == 0 || lookback > AR_PATTERN_LOOKBACK_MAX ? AR_PATTERN_LOOKBACK_MAX
                                                                   : lookback;
    if (count > 1)
        sort_settled(items, count);
    if (n > count || !items)
        n = items ? count : 0; /* no items: count is 0 too, said so for the analyser */
    const ar_settled *last = items ? items + (count - n) : NULL;
    for (size_t i = 0; i < n; i++) {
        late[i] = last[i].settled - last[i].due;
        if (late[i] <= 0)
            p.on_time++;
    }
    p.sample = (uint32_t)n;
    if (n >= 2) {
        size_t half = n / 2;
        /* The halves first, in settlement order, before `late` is sorted. */
        int64_t older = median_x100(late, half);
        int64_t newer = median_x100(late + (n - half), half);
        p.trend_x100 = newer - older;
        p.trend_defined = 1;
        for (size_t i = 0; i < n; i++)
            late[i] = last[i].settled - last[i].due;
    }
    if (n > 0) {
        p.median_x100 = median_x100(late, n);
        size_t rank = (80 * n + 99) / 100; /* ceil(0.8 n), 1-based */
        p.p80_x100 = (int64_t)late[rank - 1] * 100;
    }
    *out = p;
}

int32_t ar_pattern_days(int64_t x100) {
    int64_t d = x100 / 100;
    if (x100 % 100 != 0 && x100 < 0)
        d--;
    return (int32_t)d;
}

int64_t ar_pattern_on_time_x100(const ar_pattern *p) {
    if (p->sample == 0)
        return -1;
    int64_t num = (int64_t)p->on_time * 10000;
    int64_t q = num / p->sample, r = num % p->sample;
    if (2 * r > (int64_t)p->sample || (2 * r == (int64_t)p->sample && (q & 1)))
        q++;
    return q;
}
