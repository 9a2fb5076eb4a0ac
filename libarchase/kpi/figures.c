/* libarchase/kpi/figures.c — exact ratios with half-even rounding, means and
 * medians. */
#include "kpi/figures.h"

#include <stdlib.h>
#include <string.h>

#include "archase/errors.h"
#include "core/alloc.h"

/* |num| / |den| in hundredths, rounded half to even, then the sign. */
int ar_ratio(ar_i128 num, ar_i128 den, archase_kpi_number *out) {
    if (den == 0) {
        *out = ar_undefined();
        return 0;
    }
    int negative = (num < 0) != (den < 0);
    __extension__ typedef unsigned __int128 u128;
    u128 n = (u128)(num < 0 ? -num : num);
    u128 d = (u128)(den < 0 ? -den : den);
    /* n * 100 cannot overflow: callers pass sums of int64 times at most 10^6 */
    if (n > ((u128)1 << 120))
        return ARCHASE_EOVERFLOW;
    n *= 100;
    u128 q = n / d, r = n % d;
    if (r * 2 > d || (r * 2 == d && (q & 1)))
        q++;
    if (q > (u128)INT64_MAX)
        return ARCHASE_EOVERFLOW;
    *out = ar_number(negative ? -(int64_t)q : (int64_t)q);
    return 0;
}

int ar_ratio_times(ar_i128 num, ar_i128 den, int64_t factor, archase_kpi_number *out) {
    if (num > ((ar_i128)1 << 100) || num < -((ar_i128)1 << 100))
        return ARCHASE_EOVERFLOW;
    return ar_ratio(num * factor, den, out);
}

void ar_days_init(ar_days *d, const archase_allocator *a) {
    memset(d, 0, sizeof *d);
    d->allocator = a;
}

void ar_days_free(ar_days *d) {
    ar_free(d->allocator, d->v);
    ar_days_init(d, d->allocator);
}

void ar_days_reset(ar_days *d) {
    d->n = 0;
    d->sum = d->weighted = d->weights = 0;
    d->max = 0;
}

int ar_days_add(ar_days *d, int64_t value, int64_t weight) {
    if (ar_grow(d->allocator, (void **)&d->v, &d->cap, d->n + 1, sizeof *d->v))
        return ARCHASE_ENOMEM;
    if (d->n == 0 || value > d->max)
        d->max = value;
    d->v[d->n++] = value;
    d->sum += value;
    d->weighted += (ar_i128)value * weight;
    d->weights += weight;
    return 0;
}

int ar_days_mean(const ar_days *d, archase_kpi_number *out) {
    return ar_ratio(d->sum, (ar_i128)d->n, out);
}

int ar_days_weighted_mean(const ar_days *d, archase_kpi_number *out) {
    return ar_ratio(d->weighted, d->weights, out);
}

archase_kpi_number ar_days_max(const ar_days *d) {
    return d->n ? ar_number(d->max * 100) : ar_undefined();
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int ar_days_median(ar_days *d, archase_kpi_number *out) {
    if (d->n == 0) {
        *out = ar_undefined();
        return 0;
    }
    qsort(d->v, d->n, sizeof *d->v, cmp_i64);
    size_t m = d->n / 2;
    if (d->n % 2)
        *out = ar_number(d->v[m] * 100);
    else
        *out = ar_number((d->v[m - 1] + d->v[m]) * 50);
    return 0;
}

int ar_countback_days(ar_i128 ending_ar, const ar_i128 *sales, const int64_t *window_days,
                      int windows, ar_countback *out) {
    ar_i128 left = ending_ar;
    int64_t days = 0;
    int months = 0;
    archase_kpi_number dso = ar_number(0);
    for (int k = 0; k < windows && left > 0; k++) {
        months++;
        if (left < sales[k]) {
            int rc = ar_ratio((ar_i128)days * sales[k] + left * window_days[k], sales[k], &dso);
            if (rc)
                return rc;
            left = 0;
            break;
        }
        left -= sales[k];
        days += window_days[k];
        dso = ar_number(days * 100);
    }
    out->days = dso;
    out->months = months;
    out->left = left > 0 ? left : 0;
    return 0;
}

static int cmp_scored(const void *a, const void *b) {
    const ar_scored *x = a, *y = b;
    return (x->score > y->score) - (x->score < y->score);
}

int ar_auc_percent(ar_scored *items, size_t n, archase_kpi_number *out) {
    ar_i128 positives = 0, twice_rank_sum = 0;
    if (n > 1)
        qsort(items, n, sizeof *items, cmp_scored);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        ar_i128 pos_in_tie = 0;
        while (j < n && items[j].score == items[i].score)
            pos_in_tie += items[j++].positive != 0;
        /* ranks i+1 .. j share their mean, (i + 1 + j) / 2 */
        twice_rank_sum += pos_in_tie * (ar_i128)(i + 1 + j);
        positives += pos_in_tie;
        i = j;
    }
    ar_i128 negatives = (ar_i128)n - positives;
    if (!positives || !negatives) {
        *out = ar_undefined();
        return 0;
    }
    return ar_ratio_times(twice_rank_sum - positives * (positives + 1), 2 * positives * negatives, 100, out);
}
