/* libarchase/kpi/forecast.c — the cash forecast: expected receipts per week
 * from the invoices open at a date, their customers' payment patterns, open
 * promises weighted by the kept rate and disputes left out or discounted;
 * and its back-test from earlier dates against what was paid. The method is
 * docs/kpi-formulas.md's "Cash forecast". */
#include "archase/forecast.h"

#include <stdlib.h>
#include <string.h>

#include "archase/errors.h"
#include "archase/money.h"
#include "archase/sys/storage.h"
#include "core/alloc.h"
#include "engine/engine.h"
#include "engine/pattern.h"
#include "kpi/figures.h"
#include "kpi/view.h"
#include "policy/policy_internal.h"

#define DRIVERS_MAX 5
#define WEEKS_MAX 104
#define ORIGINS_MAX 520
#define YEAR 365

typedef struct fc_params {
    uint32_t weeks;
    int      disputed;
    uint32_t disputed_percent;
    int32_t  grace_days;
    int32_t  lookback;
    int32_t  min_history;
    uint32_t doubtful_days;
    uint32_t promise_default_x100; /* hundredths of a percent */
    uint32_t origins;
} fc_params;

typedef struct fc_driver {
    int          kind;
    uint32_t     id;       /* invoice or promise number in the view */
    uint32_t     customer;
    archase_date on;
    int64_t      amount;
} fc_driver;

typedef struct fc_week {
    archase_forecast_week w;
    fc_driver             drivers[DRIVERS_MAX];
    size_t                driver_count;
} fc_week;

typedef struct fc_row {
    archase_forecast_row r;
    uint16_t             currency;
    fc_week             *weeks;
} fc_row;

struct archase_forecast {
    archase_allocator allocator;
    ar_kv             view;   /* kept for the drivers' ids */
    fc_row           *rows;
    size_t            row_count;
};

/* Weekly sums of one forecast (a row's, or a back-test origin's). */
typedef struct fc_sums {
    ar_i128  patterns[WEEKS_MAX], promises[WEEKS_MAX], disputed[WEEKS_MAX];
    uint32_t invoices[WEEKS_MAX], promise_count[WEEKS_MAX];
    ar_i128  open_ar, beyond, doubtful, disputed_left_out, promises_unkept;
} fc_sums;

/* Scratch arrays sized to the view, reused across origins. */
typedef struct fc_work {
    const archase_allocator *a;
    const ar_kv             *v;
    const fc_params         *p;
    int64_t                 *open;          /* per invoice, at the as-of date */
    int64_t                 *disputed;      /* per invoice */
    int64_t                 *promised;      /* per invoice: the kept-weighted part */
    int32_t                 *late_x100;     /* per customer: median days late, hundredths */
    int32_t                 *gap;           /* per customer: p80 - median, days */
    uint8_t                 *has_pattern;   /* per customer */
    uint32_t                *kept_x100;     /* per customer: kept rate, 0..10000 */
    uint8_t                 *has_kept;
    int64_t                 *cust_kept;     /* per customer: promises due and kept */
    int64_t                 *cust_due;      /* per customer: promises due */
    uint32_t                *first;         /* CSR of settled invoices by customer */
    ar_settled              *settled;
    ar_days                  currency_late;
    fc_driver               *items;         /* contributions, when drivers are wanted */
    size_t                   item_count, item_cap;
} fc_work;

/* ---- options --------------------------------------------------------------------- */

int archase_forecast_options_init(archase_forecast_options *opts, unsigned version) {
    if (!opts)
        return ARCHASE_EINVAL;
    if (version != ARCHASE_FORECAST_OPTIONS_VERSION)
        return ARCHASE_EVERSION;
    archase_forecast_options init = ARCHASE_FORECAST_OPTIONS_INIT;
    *opts = init;
    return 0;
}

static int resolve(const archase_forecast_options *opts, fc_params *p, ar_error *err) {
    archase_forecast_options defaults = ARCHASE_FORECAST_OPTIONS_INIT;
    const archase_forecast_options *o = opts ? opts : &defaults;
    if (o->version != ARCHASE_FORECAST_OPTIONS_VERSION)
        return ar_error_set(err, ARCHASE_EVERSION, "forecast options version %u is not supported", o->version);
    if (o->currency) {
        archase_currency c;
        if (archase_currency_lookup(o->currency, &c) != 0 || c.minor_units < 0)
            return ar_error_set(err, ARCHASE_ECURRENCY, "'%s' is not a currency", o->currency);
    }
    if (o->weeks > WEEKS_MAX || (o->disputed != ARCHASE_FORECAST_EXCLUDE_DISPUTED &&
                                 o->disputed != ARCHASE_FORECAST_DISCOUNT_DISPUTED) ||
        o->disputed_percent > 100 || o->promise_grace_days < -1 || o->promise_grace_days > 365 ||
        o->pattern_lookback < 0 || o->pattern_lookback > 1000 || o->min_history < 0 ||
        o->min_history > 1000 || o->doubtful_days > 3650 || o->promise_default_percent > 100 ||
        o->backtest_origins > ORIGINS_MAX)
        return ar_error_set(err, ARCHASE_EINVAL,
                            "forecast options out of range: weeks 0..104, disputed exclude or discount, "
                            "disputed_percent 0..100, promise_grace_days -1..365, pattern_lookback and "
                            "min_history 0..1000, doubtful_days 0..3650, promise_default_percent 0..100, "
                            "backtest_origins 0..520");
    const archase_policy *pol = o->policy;
    p->weeks = o->weeks ? o->weeks : 13;
    p->disputed = o->disputed;
    p->disputed_percent = o->disputed_percent;
    p->grace_days = o->promise_grace_days >= 0 ? o->promise_grace_days : pol ? pol->promises.grace_days : 2;
    p->lookback = o->pattern_lookback ? o->pattern_lookback : pol ? pol->payment_patterns.lookback : 12;
    p->min_history = o->min_history ? o->min_history : pol ? pol->payment_patterns.min_history : 6;
    p->doubtful_days = o->doubtful_days ? o->doubtful_days : 90;
    p->promise_default_x100 = (o->promise_default_percent ? o->promise_default_percent : 100) * 100;
    p->origins = o->backtest_origins ? o->backtest_origins : 12;
    return 0;
}

/* ---- the pieces of one forecast -------------------------------------------------- */

static void work_free(fc_work *w) {
    ar_free(w->a, w->open);
    ar_free(w->a, w->disputed);
    ar_free(w->a, w->promised);
    ar_free(w->a, w->late_x100);
    ar_free(w->a, w->gap);
    ar_free(w->a, w->has_pattern);
    ar_free(w->a, w->kept_x100);
    ar_free(w->a, w->has_kept);
    ar_free(w->a, w->cust_kept);
    ar_free(w->a, w->cust_due);
    ar_free(w->a, w->first);
    ar_free(w->a, w->settled);
    ar_free(w->a, w->items);
    ar_days_free(&w->currency_late);
}

static int work_init(fc_work *w, const archase_allocator *a, const ar_kv *v, const fc_params *p) {
    memset(w, 0, sizeof *w);
    w->a = a;
    w->v = v;
    w->p = p;
    ar_days_init(&w->currency_late, a);
    size_t ni = v->invoice_count ? v->invoice_count : 1, nc = v->customer_ids.count + 1;
    w->open = ar_malloc_array(a, ni, sizeof *w->open);
    w->disputed = ar_malloc_array(a, ni, sizeof *w->disputed);
    w->promised = ar_malloc_array(a, ni, sizeof *w->promised);
    w->settled = ar_malloc_array(a, ni, sizeof *w->settled);
    w->late_x100 = ar_malloc_array(a, nc, sizeof *w->late_x100);
    w->gap = ar_malloc_array(a, nc, sizeof *w->gap);
    w->has_pattern = ar_malloc_array(a, nc, sizeof *w->has_pattern);
    w->kept_x100 = ar_malloc_array(a, nc, sizeof *w->kept_x100);
    w->has_kept = ar_malloc_array(a, nc, sizeof *w->has_kept);
    w->cust_kept = ar_malloc_array(a, nc, sizeof *w->cust_kept);
    w->cust_due = ar_malloc_array(a, nc, sizeof *w->cust_due);
    w->first = ar_malloc_array(a, nc + 1, sizeof *w->first);
    if (!w->open || !w->disputed || !w->promised || !w->settled || !w->late_x100 || !w->gap ||
        !w->has_pattern || !w->kept_x100 || !w->has_kept || !w->first || !w->cust_kept ||
        !w->cust_due) {
        work_free(w);
        return ARCHASE_ENOMEM;
    }
    return 0;
}

/* Each customer's median days late and p80 gap from its invoices settled by
 * `as_of`, when it has min_history of them. */
static void customer_patterns(fc_work *w, archase_date as_of) {
    const ar_kv *v = w->v;
    size_t nc = v->customer_ids.count;
    memset(w->first, 0, (nc + 1) * sizeof *w->first);
    for (size_t i = 0; i < v->invoice_count; i++) {
        const ar_kv_invoice *inv = &v->invoices[i];
        if (inv->settled != ARCHASE_DATE_NONE && inv->settled <= as_of)
            w->first[inv->customer + 1]++;
    }
    for (size_t c = 0; c < nc; c++)
        w->first[c + 1] += w->first[c];
    for (size_t i = 0; i < v->invoice_count; i++) {
        const ar_kv_invoice *inv = &v->invoices[i];
        if (inv->settled != ARCHASE_DATE_NONE && inv->settled <= as_of) {
            ar_settled *s = &w->settled[w->first[inv->customer]++];
            s->due = inv->due;
            s->settled = inv->settled;
        }
    }
    for (size_t c = nc; c > 0; c--)
        w->first[c] = w->first[c - 1];
    w->first[0] = 0;
    for (size_t c = 0; c < nc; c++) {
        ar_pattern pat;
        ar_pattern_compute(w->settled + w->first[c], w->first[c + 1] - w->first[c], (uint32_t)w->p->lookback,
                           &pat);
        w->has_pattern[c] = pat.sample >= (uint32_t)w->p->min_history && pat.sample > 0;
        w->late_x100[c] = (int32_t)pat.median_x100;
        w->gap[c] = ar_pattern_days(pat.p80_x100) - ar_pattern_days(pat.median_x100);
    }
}

/* The currency's median days late and p80 gap over its invoices settled in
 * the year up to `as_of`. 0 when it has none. */
static int currency_pattern(fc_work *w, uint16_t currency, archase_date as_of, int32_t *late_x100,
                            int32_t *gap) {
    const ar_kv *v = w->v;
    ar_days_reset(&w->currency_late);
    for (size_t i = 0; i < v->invoice_count; i++) {
        const ar_kv_invoice *inv = &v->invoices[i];
        if (inv->currency == currency && inv->settled != ARCHASE_DATE_NONE && inv->settled <= as_of &&
            inv->settled > as_of - YEAR && ar_days_add(&w->currency_late, (int64_t)inv->settled - inv->due, 0))
            return ARCHASE_ENOMEM;
    }
    *late_x100 = 0;
    *gap = 0;
    size_t n = w->currency_late.n;
    if (!n)
        return 0;
    archase_kpi_number median;
    ar_days_median(&w->currency_late, &median); /* sorts */
    size_t rank = (80 * n + 99) / 100;
    *late_x100 = (int32_t)median.hundredths;
    *gap = (int32_t)w->currency_late.v[rank - 1] - ar_pattern_days(median.hundredths);
    return 0;
}

/* Kept rates (hundredths of a percent) of each customer's promises due in
 * the year up to `as_of`, and the currency's: kept ÷ due, by the
 * promise-kept rate's rule (docs/kpi-formulas.md, ar_kv_promise_outcome):
 * kept = paid in full by each deadline, payments only; cancelled promises,
 * and those whose invoices a credit note or write-off closed, are not due. */
static uint32_t kept_rates(fc_work *w, uint16_t currency, archase_date as_of) {
    const ar_kv *v = w->v;
    size_t nc = v->customer_ids.count;
    int64_t all_due = 0, all_kept = 0;
    int64_t *kept_c = w->cust_kept, *due_c = w->cust_due;
    memset(w->has_kept, 0, nc);
    memset(w->kept_x100, 0, nc * sizeof *w->kept_x100);
    memset(kept_c, 0, nc * sizeof *kept_c);
    memset(due_c, 0, nc * sizeof *due_c);
    for (size_t i = 0; i < v->promise_count; i++) {
        const ar_kv_promise *pr = &v->promises[i];
        archase_date deadline = ar_kv_promise_deadline(pr, w->p->grace_days);
        if (pr->currency != currency || pr->status == ARCHASE_PROMISE_STATUS_CANCELLED || deadline > as_of ||
            deadline <= as_of - YEAR || (pr->recorded != ARCHASE_DATE_NONE && pr->recorded > as_of))
            continue;
        /* Every deadline is on or before `as_of`: the outcome reads no fact
         * dated after it. */
        int outcome = ar_kv_promise_outcome(v, pr, w->p->grace_days);
        if (outcome == AR_KV_PROMISE_VOID)
            continue; /* its invoices closed without it: as cancelled */
        int kept = outcome == AR_KV_PROMISE_KEPT;
        kept_c[pr->customer] += kept;
        due_c[pr->customer]++;
        all_kept += kept;
        all_due++;
    }
    for (size_t c = 0; c < nc; c++) {
        if (due_c[c] > 0) {
            w->kept_x100[c] = (uint32_t)(kept_c[c] * 10000 / due_c[c]);
            w->has_kept[c] = 1;
        }
    }
    return all_due > 0 ? (uint32_t)(all_kept * 10000 / all_due) : w->p->promise_default_x100;
}

/* Splits `total` over `n` parts in proportion to `weights` (each >= 0):
 * each part rounded down, the rest to the largest weight. */
static void share(int64_t total, const int64_t *weights, size_t n, int64_t *parts) {
    ar_i128 sum = 0;
    size_t largest = 0;
    for (size_t i = 0; i < n; i++) {
        sum += weights[i];
        if (weights[i] > weights[largest])
            largest = i;
    }
    int64_t given = 0;
    for (size_t i = 0; i < n; i++) {
        parts[i] = sum > 0 ? (int64_t)((ar_i128)total * weights[i] / sum) : 0;
        given += parts[i];
    }
    if (n)
        parts[largest] += total - given;
}

/* Open disputes at `as_of` over their invoices, in proportion to the open
 * amounts, at most each invoice's open amount. */
static int disputes_at(fc_work *w, uint16_t currency, archase_date as_of) {
    const ar_kv *v = w->v;
    int64_t weights[64], parts[64];
    for (size_t i = 0; i < v->dispute_count; i++) {
        const ar_kv_dispute *d = &v->disputes[i];
        if (d->currency != currency || d->opened > as_of ||
            (d->resolved != ARCHASE_DATE_NONE && d->resolved <= as_of))
            continue;
        size_t n = d->inv_count < 64 ? d->inv_count : 64;
        int64_t room = 0;
        for (size_t k = 0; k < n; k++) {
            uint32_t inv = v->links[d->inv_first + k];
            weights[k] = w->open[inv] - w->disputed[inv] > 0 ? w->open[inv] - w->disputed[inv] : 0;
            room += weights[k];
        }
        share(d->amount < room ? d->amount : room, weights, n, parts);
        for (size_t k = 0; k < n; k++)
            w->disputed[v->links[d->inv_first + k]] += parts[k];
    }
    return 0;
}

static int add_item(fc_work *w, int kind, uint32_t id, uint32_t customer, archase_date on, int64_t amount) {
    if (!amount)
        return 0;
    if (ar_grow(w->a, (void **)&w->items, &w->item_cap, w->item_count + 1, sizeof *w->items))
        return ARCHASE_ENOMEM;
    fc_driver *d = &w->items[w->item_count++];
    d->kind = kind;
    d->id = id;
    d->customer = customer;
    d->on = on;
    d->amount = amount;
    return 0;
}

/* Adds `amount` expected on `on` to the week it falls in (or beyond). */
static void place(fc_sums *s, const fc_params *p, archase_date as_of, archase_date on, int64_t amount,
                  ar_i128 *by_week, uint32_t *count) {
    int64_t k = ((int64_t)on - as_of - 1) / 7;
    if (k >= (int64_t)p->weeks) {
        s->beyond += amount;
        return;
    }
    by_week[k] += amount;
    if (count)
        count[k]++;
}

/* Open promises at `as_of`: the kept-weighted part of what is left is
 * expected on the promise's (remaining instalments') dates and taken from
 * its invoices' pattern amounts. */
static int promises_at(fc_work *w, uint16_t currency, archase_date as_of, uint32_t currency_kept,
                       fc_sums *s, int drivers) {
    const ar_kv *v = w->v;
    const fc_params *p = w->p;
    int64_t weights[64], parts[64];
    for (size_t i = 0; i < v->promise_count; i++) {
        const ar_kv_promise *pr = &v->promises[i];
        if (pr->currency != currency || pr->status == ARCHASE_PROMISE_STATUS_CANCELLED ||
            (pr->recorded != ARCHASE_DATE_NONE && pr->recorded > as_of) ||
            ar_kv_promise_deadline(pr, p->grace_days) <= as_of)
            continue;
        int64_t paid = ar_kv_promise_paid(v, pr, as_of);
        size_t n = pr->inv_count < 64 ? pr->inv_count : 64;
        int64_t room = 0;
        for (size_t k = 0; k < n; k++) {
            uint32_t inv = v->links[pr->inv_first + k];
            int64_t free = w->open[inv] - w->disputed[inv] - w->promised[inv];
            weights[k] = free > 0 ? free : 0;
            room += weights[k];
        }
        int64_t left = pr->amount - paid;
        if (left > room)
            left = room;
        if (left <= 0)
            continue;
        uint32_t rate = w->has_kept[pr->customer] ? w->kept_x100[pr->customer] : currency_kept;
        int64_t kept = (int64_t)((ar_i128)left * rate / 10000);
        s->promises_unkept += left - kept;
        share(kept, weights, n, parts);
        for (size_t k = 0; k < n; k++)
            w->promised[v->links[pr->inv_first + k]] += parts[k];
        /* the dates: the instalments not yet covered by what was paid, else the promised date */
        int64_t covered = paid, placed = 0;
        int counted = 0;
        for (uint32_t k = 0; k < pr->inst_count && placed < kept; k++) {
            const ar_kv_instalment *in = &v->instalments[pr->inst_first + k];
            int64_t due = in->amount - (covered < in->amount ? covered : in->amount);
            covered -= in->amount - due;
            if (due <= 0)
                continue;
            int64_t part = (int64_t)((ar_i128)kept * due / left);
            if (part > kept - placed)
                part = kept - placed;
            archase_date on = in->date > as_of ? in->date : as_of + 1;
            place(s, p, as_of, on, part, s->promises, counted ? NULL : s->promise_count);
            counted = 1;
            placed += part;
            if (drivers && add_item(w, ARCHASE_DRIVER_PROMISE, pr->id, pr->customer, on, part))
                return ARCHASE_ENOMEM;
        }
        if (placed < kept) {
            archase_date on = pr->promised > as_of ? pr->promised : as_of + 1;
            place(s, p, as_of, on, kept - placed, s->promises, counted ? NULL : s->promise_count);
            if (drivers && add_item(w, ARCHASE_DRIVER_PROMISE, pr->id, pr->customer, on, kept - placed))
                return ARCHASE_ENOMEM;
        }
    }
    return 0;
}

/* One currency's forecast at `as_of` into `s` (and the contributions into
 * w->items when `drivers`). */
static int forecast_at(fc_work *w, uint16_t currency, archase_date as_of, fc_sums *s, int drivers) {
    const ar_kv *v = w->v;
    const fc_params *p = w->p;
    memset(s, 0, sizeof *s);
    w->item_count = 0;
    customer_patterns(w, as_of);
    int32_t cur_late = 0, cur_gap = 0;
    int rc = currency_pattern(w, currency, as_of, &cur_late, &cur_gap);
    if (rc)
        return rc;
    uint32_t cur_kept = kept_rates(w, currency, as_of);
    for (size_t i = 0; i < v->invoice_count; i++) {
        const ar_kv_invoice *inv = &v->invoices[i];
        w->open[i] = inv->currency == currency ? ar_kv_open_at(v, inv, as_of) : 0;
        w->disputed[i] = 0;
        w->promised[i] = 0;
    }
    if ((rc = disputes_at(w, currency, as_of)) != 0 || (rc = promises_at(w, currency, as_of, cur_kept, s, drivers)) != 0)
        return rc;
    for (size_t i = 0; i < v->invoice_count; i++) {
        const ar_kv_invoice *inv = &v->invoices[i];
        int64_t open = w->open[i];
        if (open <= 0)
            continue;
        s->open_ar += open;
        int32_t late_x100 = w->has_pattern[inv->customer] ? w->late_x100[inv->customer] : cur_late;
        int32_t gap = w->has_pattern[inv->customer] ? w->gap[inv->customer] : cur_gap;
        archase_date on = inv->due + ar_pattern_days(late_x100);
        int64_t pattern = open - w->disputed[i] - w->promised[i];
        int64_t disputed_kept = p->disputed == ARCHASE_FORECAST_DISCOUNT_DISPUTED
                                    ? (int64_t)((ar_i128)w->disputed[i] * p->disputed_percent / 100)
                                    : 0;
        s->disputed_left_out += w->disputed[i] - disputed_kept;
        if (on <= as_of) {
            if ((int64_t)as_of - on > (int64_t)p->doubtful_days) {
                s->doubtful += pattern + disputed_kept;
                continue;
            }
            on = as_of + (gap > 1 ? gap : 1);
        }
        if (pattern > 0)
            place(s, p, as_of, on, pattern, s->patterns, s->invoices);
        if (disputed_kept > 0)
            place(s, p, as_of, on, disputed_kept, s->disputed, pattern > 0 ? NULL : s->invoices);
        if (drivers && (add_item(w, ARCHASE_DRIVER_INVOICE, (uint32_t)i, inv->customer, on, pattern > 0 ? pattern : 0) ||
                        add_item(w, ARCHASE_DRIVER_DISPUTED, (uint32_t)i, inv->customer, on, disputed_kept)))
            return ARCHASE_ENOMEM;
    }
    return 0;
}

/* What was paid (kind payment) to the invoices open at `origin`, per week
 * after it. */
static void actuals(const fc_work *w, uint16_t currency, archase_date origin, ar_i128 *by_week) {
    const ar_kv *v = w->v;
    uint32_t weeks = w->p->weeks;
    memset(by_week, 0, weeks * sizeof *by_week);
    archase_date end = origin + (archase_date)(7 * weeks);
    for (size_t i = 0; i < v->invoice_count; i++) {
        const ar_kv_invoice *inv = &v->invoices[i];
        if (inv->currency != currency || ar_kv_open_at(v, inv, origin) <= 0)
            continue;
        const ar_kv_payment *pay = v->payments + inv->pay_first;
        for (uint32_t k = 0; k < inv->pay_count && pay[k].date <= end; k++) {
            if (pay[k].date > origin && pay[k].kind == ARCHASE_PAYMENT)
                by_week[(pay[k].date - origin - 1) / 7] += pay[k].applied;
        }
    }
}

static int cmp_drivers(const void *a, const void *b) {
    const fc_driver *x = a, *y = b;
    if (x->amount != y->amount)
        return x->amount > y->amount ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind - y->kind;
    return (x->id > y->id) - (x->id < y->id);
}

/* ---- running it ---------------------------------------------------------------------- */

static int fits(ar_i128 v, int64_t *out) {
    if (!ar_fits_i64(v))
        return ARCHASE_EOVERFLOW;
    *out = (int64_t)v;
    return 0;
}

static int fill_row(fc_work *w, fc_row *row, archase_date as_of, const fc_sums *s) {
    const fc_params *p = w->p;
    int rc = fits(s->open_ar, &row->r.open_ar) || fits(s->beyond, &row->r.beyond) ||
             fits(s->doubtful, &row->r.doubtful) || fits(s->disputed_left_out, &row->r.disputed_left_out) ||
             fits(s->promises_unkept, &row->r.promises_unkept);
    if (rc)
        return ARCHASE_EOVERFLOW;
    ar_i128 expected = 0;
    for (uint32_t k = 0; k < p->weeks; k++) {
        archase_forecast_week *wk = &row->weeks[k].w;
        archase_forecast_week init = ARCHASE_FORECAST_WEEK_INIT;
        *wk = init;
        wk->week = k + 1;
        wk->from = as_of + (archase_date)(7 * k + 1);
        wk->to = as_of + (archase_date)(7 * k + 7);
        if (fits(s->patterns[k], &wk->from_patterns) || fits(s->promises[k], &wk->from_promises) ||
            fits(s->disputed[k], &wk->from_disputed) ||
            fits(s->patterns[k] + s->promises[k] + s->disputed[k], &wk->expected))
            return ARCHASE_EOVERFLOW;
        wk->invoices = s->invoices[k];
        wk->promises = s->promise_count[k];
        expected += s->patterns[k] + s->promises[k] + s->disputed[k];
    }
    if (fits(expected, &row->r.expected))
        return ARCHASE_EOVERFLOW;
    /* drivers: the largest contributions of each week */
    if (w->item_count > 1)
        qsort(w->items, w->item_count, sizeof *w->items, cmp_drivers);
    for (size_t i = 0; i < w->item_count; i++) {
        const fc_driver *d = &w->items[i];
        int64_t k = ((int64_t)d->on - as_of - 1) / 7;
        if (k >= (int64_t)p->weeks)
            continue;
        fc_week *wk = &row->weeks[k];
        if (wk->driver_count < DRIVERS_MAX)
            wk->drivers[wk->driver_count++] = *d;
    }
    return 0;
}

static int backtest(fc_work *w, fc_row *row, archase_date as_of, archase_date first_issue) {
    const fc_params *p = w->p;
    ar_i128 abs_err[WEEKS_MAX], actual_sum[WEEKS_MAX], act[WEEKS_MAX];
    memset(abs_err, 0, sizeof abs_err);
    memset(actual_sum, 0, sizeof actual_sum);
    fc_sums s;
    uint32_t n = 0;
    for (uint32_t j = 0; j < p->origins; j++) {
        archase_date origin = as_of - (archase_date)(7 * p->weeks) - (archase_date)(28 * j);
        if (origin < first_issue)
            break;
        int rc = forecast_at(w, row->currency, origin, &s, 0);
        if (rc)
            return rc;
        actuals(w, row->currency, origin, act);
        for (uint32_t k = 0; k < p->weeks; k++) {
            ar_i128 f = s.patterns[k] + s.promises[k] + s.disputed[k];
            abs_err[k] += f > act[k] ? f - act[k] : act[k] - f;
            actual_sum[k] += act[k];
        }
        if (!n)
            row->r.backtest_last = origin;
        row->r.backtest_first = origin;
        n++;
    }
    row->r.backtest_origins = n;
    if (!n) {
        row->r.backtest_mae_percent = ar_undefined();
        return 0;
    }
    ar_i128 err_all = 0, act_all = 0;
    for (uint32_t k = 0; k < p->weeks; k++) {
        if (fits(abs_err[k] / n, &row->weeks[k].w.backtest_mae) ||
            fits(actual_sum[k] / n, &row->weeks[k].w.backtest_mean_actual))
            return ARCHASE_EOVERFLOW;
        err_all += abs_err[k];
        act_all += actual_sum[k];
    }
    if (fits(err_all / ((ar_i128)n * p->weeks), &row->r.backtest_mae))
        return ARCHASE_EOVERFLOW;
    return ar_ratio_times(err_all, act_all, 100, &row->r.backtest_mae_percent);
}

void archase_forecast_free(archase_forecast *f) {
    if (!f)
        return;
    archase_allocator a = f->allocator;
    for (size_t i = 0; i < f->row_count; i++)
        ar_free(&a, f->rows[i].weeks);
    ar_free(&a, f->rows);
    ar_kv_free(&f->view);
    ar_free(&a, f);
}

static int cmp_rows(const void *a, const void *b) {
    return strcmp(((const fc_row *)a)->r.currency, ((const fc_row *)b)->r.currency);
}

int archase_forecast_run(archase_engine *e, archase_date as_of, const archase_forecast_options *opts,
                         archase_forecast **out) {
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (!out)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "out is NULL");
    fc_params p;
    int rc = resolve(opts, &p, &e->err);
    if (rc)
        return rc;
    if (as_of < ARCHASE_DATE_MIN + 7 * 600 || as_of > ARCHASE_DATE_MAX - 7 * WEEKS_MAX)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "the as-of date is out of range");
    const archase_allocator *a = AR_ENGINE_ALLOC(e);
    archase_forecast *f = ar_calloc(a, 1, sizeof *f);
    if (!f)
        return ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
    f->allocator = *a;
    ar_kv_init(&f->view, &f->allocator);
    fc_work w;
    int have_work = 0;
    rc = ar_kv_load(&f->view, e, opts ? opts->currency : NULL);
    if (rc)
        goto done;
    const ar_kv *v = &f->view;
    if (v->currency_count) {
        f->rows = ar_calloc(a, v->currency_count, sizeof *f->rows);
        if (!f->rows || work_init(&w, &f->allocator, v, &p)) {
            rc = ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
            goto done;
        }
        have_work = 1;
    }
    for (size_t c = 0; c < v->currency_count; c++) {
        /* the back-test starts no earlier than the currency's first invoice */
        archase_date first_issue = ARCHASE_DATE_MAX;
        for (size_t i = 0; i < v->invoice_count; i++) {
            if (v->invoices[i].currency == c && v->invoices[i].issue < first_issue)
                first_issue = v->invoices[i].issue;
        }
        fc_row *row = &f->rows[f->row_count];
        archase_forecast_row init = ARCHASE_FORECAST_ROW_INIT;
        row->r = init;
        memcpy(row->r.currency, v->currencies[c], 4);
        row->r.as_of = as_of;
        row->r.weeks = p.weeks;
        row->currency = (uint16_t)c;
        row->weeks = ar_calloc(a, p.weeks, sizeof *row->weeks);
        if (!row->weeks) {
            rc = ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
            goto done;
        }
        f->row_count++;
        fc_sums s;
        rc = forecast_at(&w, row->currency, as_of, &s, 1);
        if (!rc)
            rc = fill_row(&w, row, as_of, &s);
        if (!rc)
            rc = backtest(&w, row, as_of, first_issue);
        if (rc) {
            ar_error_set(&e->err, rc, rc == ARCHASE_ENOMEM ? "out of memory" : "%s: an amount beyond 64-bit minor units",
                         v->currencies[c]);
            goto done;
        }
        if (!s.open_ar && (!opts || !opts->currency)) {
            /* a currency with nothing open at as_of has no forecast */
            ar_free(a, row->weeks);
            f->row_count--;
        }
    }
    if (f->row_count > 1)
        qsort(f->rows, f->row_count, sizeof *f->rows, cmp_rows);
done:
    if (have_work)
        work_free(&w);
    if (rc) {
        archase_forecast_free(f);
        return rc;
    }
    *out = f;
    return 0;
}

/* ---- reading ---------------------------------------------------------------------------- */

size_t archase_forecast_row_count(const archase_forecast *f) {
    return f ? f->row_count : 0;
}

int archase_forecast_row_get(const archase_forecast *f, size_t row, archase_forecast_row *out) {
    if (!f || !out)
        return ARCHASE_EINVAL;
    if (out->version != ARCHASE_FORECAST_ROW_VERSION)
        return ARCHASE_EVERSION;
    if (row >= f->row_count)
        return ARCHASE_ERANGE;
    *out = f->rows[row].r;
    return 0;
}

static const fc_week *week_of(const archase_forecast *f, size_t row, uint32_t week) {
    if (row >= f->row_count || week < 1 || week > f->rows[row].r.weeks)
        return NULL;
    return &f->rows[row].weeks[week - 1];
}

int archase_forecast_week_get(const archase_forecast *f, size_t row, uint32_t week,
                              archase_forecast_week *out) {
    if (!f || !out)
        return ARCHASE_EINVAL;
    if (out->version != ARCHASE_FORECAST_WEEK_VERSION)
        return ARCHASE_EVERSION;
    const fc_week *wk = week_of(f, row, week);
    if (!wk)
        return ARCHASE_ERANGE;
    *out = wk->w;
    return 0;
}

size_t archase_forecast_driver_count(const archase_forecast *f, size_t row, uint32_t week) {
    const fc_week *wk = f ? week_of(f, row, week) : NULL;
    return wk ? wk->driver_count : 0;
}

int archase_forecast_driver_get(const archase_forecast *f, size_t row, uint32_t week, size_t i,
                                archase_forecast_driver *out) {
    if (!f || !out)
        return ARCHASE_EINVAL;
    if (out->version != ARCHASE_FORECAST_DRIVER_VERSION)
        return ARCHASE_EVERSION;
    const fc_week *wk = week_of(f, row, week);
    if (!wk || i >= wk->driver_count)
        return ARCHASE_ERANGE;
    const fc_driver *d = &wk->drivers[i];
    out->kind = d->kind;
    out->id = d->kind == ARCHASE_DRIVER_PROMISE ? ar_strtab_str(&f->view.promise_ids, d->id)
                                                : ar_strtab_str(&f->view.invoice_ids, d->id);
    out->customer_id = ar_strtab_str(&f->view.customer_ids, d->customer);
    out->expected_on = d->on;
    out->amount = d->amount;
    return 0;
}
