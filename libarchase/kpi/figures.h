/* libarchase/kpi/figures.h — the arithmetic every KPI shares: exact ratios
 * rounded half to even to hundredths, means, medians, and sums that never
 * wrap. No floating point. */
#ifndef AR_KPI_FIGURES_H
#define AR_KPI_FIGURES_H

#include <stddef.h>
#include <stdint.h>

#include "archase/kpi.h"

__extension__ typedef __int128 ar_i128;

/* num / den in hundredths, rounded half to even (symmetric for negative
 * values). Undefined (defined = 0) when den == 0; ARCHASE_EOVERFLOW when the
 * result does not fit in int64. */
int ar_ratio(ar_i128 num, ar_i128 den, archase_kpi_number *out);
/* num / den × factor, in hundredths (a percent: factor 100; days: the
 * period's days). */
int ar_ratio_times(ar_i128 num, ar_i128 den, int64_t factor, archase_kpi_number *out);

/* A defined number of `hundredths`. */
static inline archase_kpi_number ar_number(int64_t hundredths) {
    archase_kpi_number n = { hundredths, 1 };
    return n;
}
/* An undefined number. */
static inline archase_kpi_number ar_undefined(void) {
    archase_kpi_number n = { 0, 0 };
    return n;
}

/* A growable list of whole days (or minutes) for means and medians. */
typedef struct ar_days {
    const archase_allocator *allocator;
    int64_t *v;
    size_t   n, cap;
    ar_i128  sum;
    ar_i128  weighted;  /* sum of value × weight */
    ar_i128  weights;
    int64_t  max;
} ar_days;

void ar_days_init(ar_days *d, const archase_allocator *a);
void ar_days_free(ar_days *d);
void ar_days_reset(ar_days *d);
/* Adds a value with its weight (an amount; 0 for unweighted lists). 0 or ARCHASE_ENOMEM. */
int ar_days_add(ar_days *d, int64_t value, int64_t weight);
/* The mean, median (the mean of the two middle values for an even count),
 * the weighted mean and the largest value; undefined for an empty list.
 * Sorts the values. */
int ar_days_mean(const ar_days *d, archase_kpi_number *out);
int ar_days_median(ar_days *d, archase_kpi_number *out);
int ar_days_weighted_mean(const ar_days *d, archase_kpi_number *out);
archase_kpi_number ar_days_max(const ar_days *d);

/* DSO by the countback method over month windows, latest first: whole
 * windows while the receivables left cover the window's sales, then the
 * fraction of the window they cover. `months` counts the windows walked;
 * `left` is what remains after the last one (> 0: left over). */
typedef struct ar_countback {
    archase_kpi_number days;
    int                months;
    ar_i128            left;
} ar_countback;
int ar_countback_days(ar_i128 ending_ar, const ar_i128 *sales, const int64_t *window_days,
                      int windows, ar_countback *out);

/* One scored item for an AUC: its score and whether it turned out positive
 * (an invoice that went 60+ days late). */
typedef struct ar_scored {
    int64_t score;
    int     positive;
} ar_scored;

/* The area under the ROC curve of `n` scored items, as a percent
 * (hundredths, half-even): the probability that a positive item scores
 * higher than a negative one, ties counting one half (Mann-Whitney).
 * Undefined without both positives and negatives. Sorts `items`. */
int ar_auc_percent(ar_scored *items, size_t n, archase_kpi_number *out);

/* Sums of money that may pass int64 on the way; checked once at the end. */
static inline int ar_fits_i64(ar_i128 v) {
    return v >= INT64_MIN && v <= INT64_MAX;
}

#endif
