/* libarchase/kpi/kpi.c — the figures of one period, per currency: receivables
 * and aging, over-60, DSO (standard, countback), best possible DSO, ADD, CEI,
 * days to pay and days late, promise-kept rates and dispute aging. One pass
 * over the invoices serves every currency at once. docs/kpi-formulas.md is
 * the specification of each. */
#include <string.h>

#include "archase/date.h"
#include "archase/errors.h"
#include "archase/sys/storage.h"
#include "core/alloc.h"
#include "kpi/report.h"

#define WINDOWS 12 /* countback walks back at most twelve months */

/* One currency's running sums for the period. */
typedef struct acc {
    int      present;
    ar_i128  open_ar, current_ar, beginning_ar, credit_sales, over_60;
    ar_i128  aging[5];
    uint64_t aging_count[5];
    uint64_t open_invoices;
    ar_i128  window_sales[WINDOWS];
    ar_days  to_pay, late;
    uint64_t promises_due, promises_kept;
    ar_i128  promised, promised_paid;
    ar_days  days_open, days_to_resolve;
    ar_i128  open_disputed;
} acc;

/* The aging bucket of an amount `days_past_due` days past due. */
static int bucket_of(int64_t days_past_due) {
    if (days_past_due <= 0)
        return 0;
    if (days_past_due <= 30)
        return 1;
    if (days_past_due <= 60)
        return 2;
    if (days_past_due <= 90)
        return 3;
    return 4;
}

/* Countback month windows: window k (1..count) is (bounds[k], bounds[k-1]]. */
typedef struct windows {
    archase_date bounds[WINDOWS + 1];
    int          count;
} windows;

static void windows_of(archase_date to, windows *w) {
    w->bounds[0] = to;
    w->count = 0;
    for (int k = 1; k <= WINDOWS; k++) {
        if (archase_date_add_months(to, -k, &w->bounds[k]) != 0)
            break;
        w->count = k;
    }
}

/* The window (0-based) an issue date falls in, or -1. */
static int window_of(const windows *w, archase_date issue) {
    if (issue > w->bounds[0])
        return -1;
    for (int k = 1; k <= w->count; k++) {
        if (issue > w->bounds[k])
            return k - 1;
    }
    return -1;
}

static int add_invoices(acc *accs, const ar_kv *v, int only, archase_date from, archase_date to,
                        const windows *w) {
    for (size_t i = 0; i < v->invoice_count; i++) {
        const ar_kv_invoice *inv = &v->invoices[i];
        if (inv->is_void || (only >= 0 && inv->currency != only))
            continue;
        acc *a = &accs[inv->currency];
        a->present = 1;
        if (inv->issue > to)
            continue;
        const ar_kv_payment *p = v->payments + inv->pay_first;
        int64_t paid_before = 0, paid_to = 0;
        for (uint32_t k = 0; k < inv->pay_count && p[k].date <= to; k++) {
            paid_to += p[k].applied;
            if (p[k].date < from)
                paid_before += p[k].applied;
        }
        if (inv->issue < from)
            a->beginning_ar += inv->amount - paid_before;
        else
            a->credit_sales += inv->amount;
        int wk = window_of(w, inv->issue);
        if (wk >= 0)
            a->window_sales[wk] += inv->amount;
        int64_t open = inv->amount - paid_to;
        if (open != 0) {
            int64_t past_due = (int64_t)to - inv->due;
            int b = bucket_of(past_due);
            a->open_ar += open;
            a->open_invoices++;
            a->aging[b] += open;
            a->aging_count[b]++;
            if (b == 0)
                a->current_ar += open;
            if (past_due > 60)
                a->over_60 += open;
        }
        if (inv->settled != ARCHASE_DATE_NONE && inv->settled >= from && inv->settled <= to) {
            int64_t late = (int64_t)inv->settled - inv->due;
            if (ar_days_add(&a->to_pay, (int64_t)inv->settled - inv->issue, inv->amount) ||
                ar_days_add(&a->late, late > 0 ? late : 0, inv->amount))
                return ARCHASE_ENOMEM;
        }
    }
    return 0;
}

static void add_promises(acc *accs, const ar_kv *v, int only, archase_date from, archase_date to,
                         const ar_kpi_params *prm) {
    for (size_t i = 0; i < v->promise_count; i++) {
        const ar_kv_promise *p = &v->promises[i];
        if ((only >= 0 && p->currency != only) || p->status == ARCHASE_PROMISE_STATUS_CANCELLED)
            continue;
        acc *a = &accs[p->currency];
        a->present = 1;
        archase_date deadline = ar_kv_promise_deadline(p, prm->grace_days);
        if (deadline < from || deadline > to || (p->recorded != ARCHASE_DATE_NONE && p->recorded > to))
            continue;
        int outcome = ar_kv_promise_outcome(v, p, prm->grace_days);
        if (outcome == AR_KV_PROMISE_VOID)
            continue; /* its invoices closed without it: as cancelled */
        int64_t paid = ar_kv_promise_paid(v, p, deadline);
        a->promises_due++;
        a->promised += p->amount;
        a->promised_paid += paid;
        if (outcome == AR_KV_PROMISE_KEPT)
            a->promises_kept++;
    }
}

static int add_disputes(acc *accs, const ar_kv *v, int only, archase_date from, archase_date to) {
    for (size_t i = 0; i < v->dispute_count; i++) {
        const ar_kv_dispute *d = &v->disputes[i];
        if (only >= 0 && d->currency != only)
            continue;
        acc *a = &accs[d->currency];
        a->present = 1;
        if (d->opened > to)
            continue;
        if (d->resolved == ARCHASE_DATE_NONE || d->resolved > to) {
            a->open_disputed += d->amount;
            if (ar_days_add(&a->days_open, (int64_t)to - d->opened, 0))
                return ARCHASE_ENOMEM;
        } else if (d->resolved >= from) {
            if (ar_days_add(&a->days_to_resolve, (int64_t)d->resolved - d->opened, 0))
                return ARCHASE_ENOMEM;
        }
    }
    return 0;
}

static int countback(ar_kpi_row *row, const acc *a, const windows *w) {
    int64_t lens[WINDOWS];
    for (int k = 0; k < w->count; k++)
        lens[k] = (int64_t)w->bounds[k] - w->bounds[k + 1];
    ar_countback cb;
    int rc = ar_countback_days(a->open_ar, a->window_sales, lens, w->count, &cb);
    if (rc)
        return rc;
    if (!ar_fits_i64(cb.left))
        return ARCHASE_EOVERFLOW;
    ar_kpi_set_number(row, ARCHASE_KPI_DSO_COUNTBACK, ARCHASE_KPI_DAYS, cb.days);
    ar_kpi_set(row, ARCHASE_KPI_COUNTBACK_MONTHS, ARCHASE_KPI_COUNT, 1, cb.months);
    ar_kpi_set(row, ARCHASE_KPI_COUNTBACK_LEFTOVER, ARCHASE_KPI_FLAG, 1, cb.left > 0);
    ar_kpi_set(row, ARCHASE_KPI_COUNTBACK_LEFTOVER_AR, ARCHASE_KPI_MONEY, 1, (int64_t)cb.left);
    return 0;
}

static int set_money(ar_kpi_row *row, int metric, ar_i128 v) {
    if (!ar_fits_i64(v))
        return ARCHASE_EOVERFLOW;
    ar_kpi_set(row, metric, ARCHASE_KPI_MONEY, 1, (int64_t)v);
    return 0;
}

/* Turns one currency's sums into its row. */
static int finish(ar_kpi_row *row, acc *a, archase_date from, archase_date to, const windows *w) {
    int rc = 0;
    int64_t days = (int64_t)to - from + 1;
    archase_kpi_number n;
    rc |= set_money(row, ARCHASE_KPI_OPEN_AR, a->open_ar);
    rc |= set_money(row, ARCHASE_KPI_CURRENT_AR, a->current_ar);
    rc |= set_money(row, ARCHASE_KPI_BEGINNING_AR, a->beginning_ar);
    rc |= set_money(row, ARCHASE_KPI_CREDIT_SALES, a->credit_sales);
    ar_kpi_set(row, ARCHASE_KPI_OPEN_INVOICES, ARCHASE_KPI_COUNT, 1, (int64_t)a->open_invoices);
    for (int b = 0; b < 5; b++) {
        rc |= set_money(row, ARCHASE_KPI_AGING_CURRENT + b, a->aging[b]);
        ar_kpi_set(row, ARCHASE_KPI_AGING_COUNT_CURRENT + b, ARCHASE_KPI_COUNT, 1,
                   (int64_t)a->aging_count[b]);
    }
    rc |= set_money(row, ARCHASE_KPI_OVER_60_AMOUNT, a->over_60);
    if (rc)
        return ARCHASE_EOVERFLOW;
#define RATIO(metric, type, expr)                            \
    do {                                                     \
        if ((rc = (expr)) != 0)                              \
            return rc;                                       \
        ar_kpi_set_number(row, metric, type, n);             \
    } while (0)
    RATIO(ARCHASE_KPI_OVER_60_SHARE, ARCHASE_KPI_PERCENT, ar_ratio_times(a->over_60, a->open_ar, 100, &n));
    RATIO(ARCHASE_KPI_DSO_STANDARD, ARCHASE_KPI_DAYS, ar_ratio_times(a->open_ar, a->credit_sales, days, &n));
    RATIO(ARCHASE_KPI_BPDSO, ARCHASE_KPI_DAYS, ar_ratio_times(a->current_ar, a->credit_sales, days, &n));
    RATIO(ARCHASE_KPI_ADD, ARCHASE_KPI_DAYS,
          ar_ratio_times(a->open_ar - a->current_ar, a->credit_sales, days, &n));
    RATIO(ARCHASE_KPI_CEI, ARCHASE_KPI_PERCENT,
          ar_ratio_times(a->beginning_ar + a->credit_sales - a->open_ar,
                         a->beginning_ar + a->credit_sales - a->current_ar, 100, &n));
    if ((rc = countback(row, a, w)) != 0)
        return rc;
    ar_kpi_set(row, ARCHASE_KPI_SETTLED_INVOICES, ARCHASE_KPI_COUNT, 1, (int64_t)a->to_pay.n);
    RATIO(ARCHASE_KPI_AVG_DAYS_TO_PAY, ARCHASE_KPI_DAYS, ar_days_mean(&a->to_pay, &n));
    RATIO(ARCHASE_KPI_MEDIAN_DAYS_TO_PAY, ARCHASE_KPI_DAYS, ar_days_median(&a->to_pay, &n));
    RATIO(ARCHASE_KPI_WEIGHTED_DAYS_TO_PAY, ARCHASE_KPI_DAYS, ar_days_weighted_mean(&a->to_pay, &n));
    RATIO(ARCHASE_KPI_AVG_DAYS_LATE, ARCHASE_KPI_DAYS, ar_days_mean(&a->late, &n));
    RATIO(ARCHASE_KPI_MEDIAN_DAYS_LATE, ARCHASE_KPI_DAYS, ar_days_median(&a->late, &n));
    RATIO(ARCHASE_KPI_WEIGHTED_DAYS_LATE, ARCHASE_KPI_DAYS, ar_days_weighted_mean(&a->late, &n));
    ar_kpi_set(row, ARCHASE_KPI_PROMISES_DUE, ARCHASE_KPI_COUNT, 1, (int64_t)a->promises_due);
    ar_kpi_set(row, ARCHASE_KPI_PROMISES_KEPT, ARCHASE_KPI_COUNT, 1, (int64_t)a->promises_kept);
    if (set_money(row, ARCHASE_KPI_PROMISED_AMOUNT, a->promised) ||
        set_money(row, ARCHASE_KPI_PROMISED_PAID, a->promised_paid) ||
        set_money(row, ARCHASE_KPI_OPEN_DISPUTED_AMOUNT, a->open_disputed))
        return ARCHASE_EOVERFLOW;
    RATIO(ARCHASE_KPI_PROMISE_KEPT_COUNT, ARCHASE_KPI_PERCENT,
          ar_ratio_times((ar_i128)a->promises_kept, (ar_i128)a->promises_due, 100, &n));
    RATIO(ARCHASE_KPI_PROMISE_KEPT_AMOUNT, ARCHASE_KPI_PERCENT,
          ar_ratio_times(a->promised_paid, a->promised, 100, &n));
    ar_kpi_set(row, ARCHASE_KPI_OPEN_DISPUTES, ARCHASE_KPI_COUNT, 1, (int64_t)a->days_open.n);
    RATIO(ARCHASE_KPI_DISPUTE_MEAN_DAYS_OPEN, ARCHASE_KPI_DAYS, ar_days_mean(&a->days_open, &n));
    RATIO(ARCHASE_KPI_DISPUTE_MEDIAN_DAYS_OPEN, ARCHASE_KPI_DAYS, ar_days_median(&a->days_open, &n));
    ar_kpi_set_number(row, ARCHASE_KPI_DISPUTE_OLDEST_DAYS_OPEN, ARCHASE_KPI_DAYS, ar_days_max(&a->days_open));
    ar_kpi_set(row, ARCHASE_KPI_RESOLVED_DISPUTES, ARCHASE_KPI_COUNT, 1, (int64_t)a->days_to_resolve.n);
    RATIO(ARCHASE_KPI_DISPUTE_MEAN_DAYS_TO_RESOLVE, ARCHASE_KPI_DAYS, ar_days_mean(&a->days_to_resolve, &n));
    RATIO(ARCHASE_KPI_DISPUTE_MEDIAN_DAYS_TO_RESOLVE, ARCHASE_KPI_DAYS,
          ar_days_median(&a->days_to_resolve, &n));
#undef RATIO
    /* Message metrics are filled by the groups; a series has none. */
    ar_kpi_set(row, ARCHASE_KPI_MESSAGES, ARCHASE_KPI_COUNT, 1, 0);
    ar_kpi_set(row, ARCHASE_KPI_MESSAGE_AMOUNT, ARCHASE_KPI_MONEY, 1, 0);
    ar_kpi_set(row, ARCHASE_KPI_EFFECTIVE_MESSAGES, ARCHASE_KPI_COUNT, 1, 0);
    ar_kpi_set(row, ARCHASE_KPI_EFFECTIVENESS, ARCHASE_KPI_PERCENT, 0, 0);
    ar_kpi_set(row, ARCHASE_KPI_EFFECTIVENESS_AMOUNT, ARCHASE_KPI_PERCENT, 0, 0);
    ar_kpi_set(row, ARCHASE_KPI_RESPONDED_MESSAGES, ARCHASE_KPI_COUNT, 1, 0);
    ar_kpi_set(row, ARCHASE_KPI_RESPONSE_RATE, ARCHASE_KPI_PERCENT, 0, 0);
    ar_kpi_set(row, ARCHASE_KPI_DISPUTED_MESSAGES, ARCHASE_KPI_COUNT, 1, 0);
    ar_kpi_set(row, ARCHASE_KPI_MESSAGE_DISPUTE_RATE, ARCHASE_KPI_PERCENT, 0, 0);
    return 0;
}

static void acc_init(acc *a, const archase_allocator *al) {
    memset(a, 0, sizeof *a);
    ar_days_init(&a->to_pay, al);
    ar_days_init(&a->late, al);
    ar_days_init(&a->days_open, al);
    ar_days_init(&a->days_to_resolve, al);
}

static void acc_free(acc *a) {
    ar_days_free(&a->to_pay);
    ar_days_free(&a->late);
    ar_days_free(&a->days_open);
    ar_days_free(&a->days_to_resolve);
}

/* Currency numbers of the view in code order. */
static void currency_order(const ar_kv *v, uint16_t *order) {
    for (size_t i = 0; i < v->currency_count; i++) {
        size_t k = i;
        while (k > 0 && strcmp(v->currencies[order[k - 1]], v->currencies[i]) > 0) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = (uint16_t)i;
    }
}

int ar_kpi_rows_compute(archase_kpi_report *r, const ar_kv *v, int currency, archase_date from,
                        archase_date to, const ar_kpi_params *p, ar_error *err) {
    const archase_allocator *al = &r->allocator;
    size_t n = v->currency_count;
    acc *accs = NULL;
    uint16_t *order = NULL;
    size_t added = 0;
    int rc = 0;
    if (n == 0)
        return 0;
    accs = ar_malloc_array(al, n, sizeof *accs);
    order = ar_malloc_array(al, n, sizeof *order);
    if (!accs || !order) {
        ar_free(al, accs);
        ar_free(al, order);
        return ar_error_set(err, ARCHASE_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        acc_init(&accs[i], al);
    windows w;
    windows_of(to, &w);
    rc = add_invoices(accs, v, currency, from, to, &w);
    if (!rc) {
        add_promises(accs, v, currency, from, to, p);
        rc = add_disputes(accs, v, currency, from, to);
    }
    if (rc) {
        ar_error_set(err, rc, "out of memory");
        goto done;
    }
    currency_order(v, order);
    for (size_t i = 0; i < n; i++) {
        uint16_t c = order[i];
        if (!accs[c].present && (int)c != currency)
            continue;
        if (ar_grow(al, (void **)&r->rows, &r->row_cap, r->row_count + 1, sizeof *r->rows)) {
            rc = ar_error_set(err, ARCHASE_ENOMEM, "out of memory");
            goto done;
        }
        ar_kpi_row *row = &r->rows[r->row_count];
        memset(row, 0, sizeof *row);
        row->info.version = ARCHASE_KPI_ROW_VERSION;
        memcpy(row->info.currency, v->currencies[c], 4);
        row->info.from = from;
        row->info.to = to;
        row->currency = c;
        rc = finish(row, &accs[c], from, to, &w);
        if (rc) {
            ar_error_set(err, rc, "%s: a figure is beyond the range of 64-bit minor units",
                         v->currencies[c]);
            goto done;
        }
        r->row_count++;
        added++;
    }
done:
    if (rc)
        r->row_count -= added;
    for (size_t i = 0; i < n; i++)
        acc_free(&accs[i]);
    ar_free(al, accs);
    ar_free(al, order);
    return rc;
}
