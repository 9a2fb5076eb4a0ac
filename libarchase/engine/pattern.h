/* libarchase/engine/pattern.h — a customer's payment pattern: how late it
 * pays, from its settled invoices.
 *
 * The pattern is the GLOSSARY's "customer payment pattern" over the last N
 * settled invoices: the median and the 80th percentile of days from due date
 * to settlement (negative = paid early), the share settled on time and the
 * trend (is lateness growing?). Evaluation uses it for adaptive timing and
 * the risk score's history fields; the KPI report shows it per customer.
 * Both call this one function, so both say the same thing.
 *
 * Pure integer arithmetic; allocates nothing and cannot fail. */
#ifndef AR_ENGINE_PATTERN_H
#define AR_ENGINE_PATTERN_H

#include <stddef.h>
#include <stdint.h>

#include "archase/common.h"

/* One settled invoice of a customer's history. */
typedef struct ar_settled {
    archase_date due;
    archase_date settled; /* the date its open amount first reached zero */
} ar_settled;

/* The largest lookback computed; larger ones are taken as this. */
#define AR_PATTERN_LOOKBACK_MAX 1000

/* Values in hundredths of a day are exact: a median of an even count is the
 * mean of the two middle values, so it may end in .50. */
typedef struct ar_pattern {
    uint32_t sample;        /* invoices the pattern covers: min(count, lookback) */
    uint32_t on_time;       /* of those, settled on or before the due date */
    int64_t  median_x100;   /* median of (settled - due), hundredths; 0 when sample is 0 */
    int64_t  p80_x100;      /* 80th percentile by nearest rank: the value at rank
                               ceil(0.8 x sample) in ascending order; 0 when sample is 0 */
    int64_t  trend_x100;    /* median of the newer half minus median of the older half
                               (halves of floor(sample / 2), by settlement order; an odd
                               sample leaves the middle invoice out); > 0 = paying later */
    int      trend_defined; /* 1 when sample >= 2 (else trend_x100 is 0) */
} ar_pattern;

/* Computes the pattern over the `lookback` invoices of `items` settled last
 * (ordered by settled date, then due date; equal pairs are interchangeable,
 * so the result does not depend on the input order). lookback 0 means every
 * item; above AR_PATTERN_LOOKBACK_MAX it is AR_PATTERN_LOOKBACK_MAX.
 * Reorders `items` (sorted by settlement). `items` may be NULL when count
 * is 0. */
void ar_pattern_compute(ar_settled *items, size_t count, uint32_t lookback, ar_pattern *out);

/* Hundredths of a day as whole days, rounded down (toward minus infinity):
 * 44.50 is 44, -0.50 is -1. What the condition fields median_days_late,
 * p80_days_late and days_late_trend hold. */
int32_t ar_pattern_days(int64_t x100);

/* The on-time share in hundredths of a percent (on_time x 10000 / sample,
 * rounded half to even), or -1 when the sample is empty. */
int64_t ar_pattern_on_time_x100(const ar_pattern *p);

#endif
