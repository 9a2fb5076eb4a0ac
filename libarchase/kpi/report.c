/* libarchase/kpi/report.c — the public KPI API: options, computing a period
 * or a series, and reading the report. */
#include "kpi/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/date.h"
#include "archase/errors.h"
#include "archase/money.h"
#include "core/alloc.h"
#include "engine/engine.h"
#include "kpi/outbox_view.h"
#include "policy/policy_internal.h"

/* ---- metrics ---------------------------------------------------------------- */

static const struct {
    const char *name;
    int         type;
} metrics[ARCHASE_KPI_METRIC_LIMIT] = {
    [ARCHASE_KPI_OPEN_AR] = { "open_ar", ARCHASE_KPI_MONEY },
    [ARCHASE_KPI_CURRENT_AR] = { "current_ar", ARCHASE_KPI_MONEY },
    [ARCHASE_KPI_BEGINNING_AR] = { "beginning_ar", ARCHASE_KPI_MONEY },
    [ARCHASE_KPI_CREDIT_SALES] = { "credit_sales", ARCHASE_KPI_MONEY },
    [ARCHASE_KPI_OPEN_INVOICES] = { "open_invoices", ARCHASE_KPI_COUNT },
    [ARCHASE_KPI_AGING_CURRENT] = { "aging.current", ARCHASE_KPI_MONEY },
    [ARCHASE_KPI_AGING_1_30] = { "aging.1_30", ARCHASE_KPI_MONEY },
    [ARCHASE_KPI_AGING_31_60] = { "aging.31_60", ARCHASE_KPI_MONEY },
    [ARCHASE_KPI_AGING_61_90] = { "aging.61_90", ARCHASE_KPI_MONEY },
    [ARCHASE_KPI_AGING_91_PLUS] = { "aging.91_plus", ARCHASE_KPI_MONEY },
    [ARCHASE_KPI_AGING_COUNT_CURRENT] = { "aging_count.current", ARCHASE_KPI_COUNT },
    [ARCHASE_KPI_AGING_COUNT_1_30] = { "aging_count.1_30", ARCHASE_KPI_COUNT },
    [ARCHASE_KPI_AGING_COUNT_31_60] = { "aging_count.31_60", ARCHASE_KPI_COUNT },
    [ARCHASE_KPI_AGING_COUNT_61_90] = { "aging_count.61_90", ARCHASE_KPI_COUNT },
    [ARCHASE_KPI_AGING_COUNT_91_PLUS] = { "aging_count.91_plus", ARCHASE_KPI_COUNT },
    [ARCHASE_KPI_OVER_60_AMOUNT] = { "over_60_amount", ARCHASE_KPI_MONEY },
    [ARCHASE_KPI_OVER_60_SHARE] = { "over_60_share_percent", ARCHASE_KPI_PERCENT },
    [ARCHASE_KPI_DSO_STANDARD] = { "dso_standard_days", ARCHASE_KPI_DAYS },
    [ARCHASE_KPI_DSO_COUNTBACK] = { "dso_countback_days", ARCHASE_KPI_DAYS },
    [ARCHASE_KPI_COUNTBACK_MONTHS] = { "countback_months", ARCHASE_KPI_COUNT },
    [ARCHASE_KPI_COUNTBACK_LEFTOVER] = { "countback_leftover", ARCHASE_KPI_FLAG },
    [ARCHASE_KPI_COUNTBACK_LEFTOVER_AR] = { "countback_leftover_ar", ARCHASE_KPI_MONEY },
    [ARCHASE_KPI_BPDSO] = { "bpdso_days", ARCHASE_KPI_DAYS },
    [ARCHASE_KPI_ADD] = { "add_days", ARCHASE_KPI_DAYS },
    [ARCHASE_KPI_CEI] = { "cei_percent", ARCHASE_KPI_PERCENT },
    [ARCHASE_KPI_SETTLED_INVOICES] = { "settled_invoices", ARCHASE_KPI_COUNT },
    [ARCHASE_KPI_AVG_DAYS_TO_PAY] = { "avg_days_to_pay", ARCHASE_KPI_DAYS },
    [ARCHASE_KPI_MEDIAN_DAYS_TO_PAY] = { "median_days_to_pay", ARCHASE_KPI_DAYS },
    [ARCHASE_KPI_WEIGHTED_DAYS_TO_PAY] = { "weighted_days_to_pay", ARCHASE_KPI_DAYS },
    [ARCHASE_KPI_AVG_DAYS_LATE] = { "avg_days_late", ARCHASE_KPI_DAYS },
    [ARCHASE_KPI_MEDIAN_DAYS_LATE] = { "median_days_late", ARCHASE_KPI_DAYS },
    [ARCHASE_KPI_WEIGHTED_DAYS_LATE] = { "weighted_days_late", ARCHASE_KPI_DAYS },
    [ARCHASE_KPI_PROMISES_DUE] = { "promises_due", ARCHASE_KPI_COUNT },
    [ARCHASE_KPI_PROMISES_KEPT] = { "promises_kept", ARCHASE_KPI_COUNT },
    [ARCHASE_KPI_PROMISED_AMOUNT] = { "promised_amount", ARCHASE_KPI_MONEY },
    [ARCHASE_KPI_PROMISED_PAID] = { "promised_paid_amount", ARCHASE_KPI_MONEY },
    [ARCHASE_KPI_PROMISE_KEPT_COUNT] = { "promise_kept_rate_count_percent", ARCHASE_KPI_PERCENT },
    [ARCHASE_KPI_PROMISE_KEPT_AMOUNT] = { "promise_kept_rate_amount_percent", ARCHASE_KPI_PERCENT },
    [ARCHASE_KPI_OPEN_DISPUTES] = { "open_disputes", ARCHASE_KPI_COUNT },
    [ARCHASE_KPI_OPEN_DISPUTED_AMOUNT] = { "open_disputed_amount", ARCHASE_KPI_MONEY },
    [ARCHASE_KPI_DISPUTE_MEAN_DAYS_OPEN] = { "dispute_mean_days_open", ARCHASE_KPI_DAYS },
    [ARCHASE_KPI_DISPUTE_MEDIAN_DAYS_OPEN] = { "dispute_median_days_open", ARCHASE_KPI_DAYS },
    [ARCHASE_KPI_DISPUTE_OLDEST_DAYS_OPEN] = { "dispute_oldest_days_open", ARCHASE_KPI_DAYS },
    [ARCHASE_KPI_RESOLVED_DISPUTES] = { "resolved_disputes", ARCHASE_KPI_COUNT },
    [ARCHASE_KPI_DISPUTE_MEAN_DAYS_TO_RESOLVE] = { "dispute_mean_days_to_resolution", ARCHASE_KPI_DAYS },
    [ARCHASE_KPI_DISPUTE_MEDIAN_DAYS_TO_RESOLVE] = { "dispute_median_days_to_resolution", ARCHASE_KPI_DAYS },
    [ARCHASE_KPI_MESSAGES] = { "messages", ARCHASE_KPI_COUNT },
    [ARCHASE_KPI_MESSAGE_AMOUNT] = { "message_amount", ARCHASE_KPI_MONEY },
    [ARCHASE_KPI_EFFECTIVE_MESSAGES] = { "effective_messages", ARCHASE_KPI_COUNT },
    [ARCHASE_KPI_EFFECTIVENESS] = { "collection_effectiveness_percent", ARCHASE_KPI_PERCENT },
    [ARCHASE_KPI_EFFECTIVENESS_AMOUNT] = { "collection_effectiveness_amount_percent", ARCHASE_KPI_PERCENT },
    [ARCHASE_KPI_RESPONDED_MESSAGES] = { "responded_messages", ARCHASE_KPI_COUNT },
    [ARCHASE_KPI_RESPONSE_RATE] = { "cadence_response_rate_percent", ARCHASE_KPI_PERCENT },
    [ARCHASE_KPI_DISPUTED_MESSAGES] = { "disputed_messages", ARCHASE_KPI_COUNT },
    [ARCHASE_KPI_MESSAGE_DISPUTE_RATE] = { "message_dispute_rate_percent", ARCHASE_KPI_PERCENT },
};

const char *archase_kpi_metric_name(int metric) {
    return metric > 0 && metric < ARCHASE_KPI_METRIC_LIMIT ? metrics[metric].name : NULL;
}

int archase_kpi_metric_type(int metric) {
    return metric > 0 && metric < ARCHASE_KPI_METRIC_LIMIT ? metrics[metric].type : 0;
}

int archase_kpi_number_format(archase_kpi_number n, char *buf, size_t size) {
    if (!buf)
        return ARCHASE_EINVAL;
    char text[32];
    if (!n.defined) {
        snprintf(text, sizeof text, "null");
    } else {
        uint64_t mag = n.hundredths < 0 ? 0 - (uint64_t)n.hundredths : (uint64_t)n.hundredths;
        snprintf(text, sizeof text, "%s%llu.%02llu", n.hundredths < 0 ? "-" : "",
                 (unsigned long long)(mag / 100), (unsigned long long)(mag % 100));
    }
    size_t len = strlen(text);
    if (len + 1 > size)
        return ARCHASE_EBUFSIZE;
    memcpy(buf, text, len + 1);
    return 0;
}

/* ---- options ------------------------------------------------------------------ */

int archase_kpi_options_init(archase_kpi_options *opts, unsigned version) {
    if (!opts)
        return ARCHASE_EINVAL;
    if (version != ARCHASE_KPI_OPTIONS_VERSION)
        return ARCHASE_EVERSION;
    archase_kpi_options init = ARCHASE_KPI_OPTIONS_INIT;
    *opts = init;
    return 0;
}

static int valid_date(archase_date d) {
    return d >= ARCHASE_DATE_MIN && d <= ARCHASE_DATE_MAX;
}

static int check_touches(const archase_kpi_options *o, ar_error *err) {
    if (o->touch_count && !o->touches)
        return ar_error_set(err, ARCHASE_EINVAL, "touch_count is %zu but touches is NULL", o->touch_count);
    for (size_t i = 0; i < o->touch_count; i++) {
        const archase_kpi_touch *t = &o->touches[i];
        if (t->version != ARCHASE_KPI_TOUCH_VERSION)
            return ar_error_set(err, ARCHASE_EVERSION, "touch %zu: version %u is not supported", i, t->version);
        if (!valid_date(t->date) || !t->invoice_count || !t->invoice_ids)
            return ar_error_set(err, ARCHASE_EINVAL, "touch %zu needs a valid date and at least one invoice", i);
        for (size_t k = 0; k < t->invoice_count; k++) {
            if (!t->invoice_ids[k])
                return ar_error_set(err, ARCHASE_EINVAL, "touch %zu: invoice id %zu is NULL", i, k);
        }
    }
    return 0;
}

static int check_reviews(const archase_kpi_options *o, ar_error *err) {
    if (o->review_count && !o->reviews)
        return ar_error_set(err, ARCHASE_EINVAL, "review_count is %zu but reviews is NULL", o->review_count);
    for (size_t i = 0; i < o->review_count; i++) {
        const archase_kpi_review *r = &o->reviews[i];
        if (r->version != ARCHASE_KPI_REVIEW_VERSION)
            return ar_error_set(err, ARCHASE_EVERSION, "review %zu: version %u is not supported", i, r->version);
        if (r->outcome < ARCHASE_REVIEW_PENDING || r->outcome > ARCHASE_REVIEW_REJECTED)
            return ar_error_set(err, ARCHASE_EINVAL, "review %zu: unknown outcome %d", i, r->outcome);
        if (archase_instant_utc_date(r->drafted_at) == ARCHASE_DATE_NONE ||
            (r->outcome != ARCHASE_REVIEW_PENDING &&
             (archase_instant_utc_date(r->reviewed_at) == ARCHASE_DATE_NONE || r->reviewed_at < r->drafted_at)))
            return ar_error_set(err, ARCHASE_EINVAL, "review %zu: reviewed before it was drafted, or an instant out of range", i);
    }
    return 0;
}

int ar_kpi_params_resolve(const archase_kpi_options *opts, ar_kpi_params *out, ar_error *err) {
    archase_kpi_options defaults = ARCHASE_KPI_OPTIONS_INIT;
    const archase_kpi_options *o = opts ? opts : &defaults;
    if (o->version != ARCHASE_KPI_OPTIONS_VERSION)
        return ar_error_set(err, ARCHASE_EVERSION, "KPI options version %u is not supported", o->version);
    if (o->currency) {
        archase_currency c;
        if (archase_currency_lookup(o->currency, &c) != 0 || c.minor_units < 0)
            return ar_error_set(err, ARCHASE_ECURRENCY, "'%s' is not a currency", o->currency);
    }
    if (o->promise_grace_days < -1 || o->promise_grace_days > 365 || o->response_window_days < 0 ||
        o->response_window_days > 365 || o->pattern_lookback < 0 || o->pattern_lookback > 1000)
        return ar_error_set(err, ARCHASE_EINVAL,
                            "promise_grace_days must be -1..365, response_window_days 0..365 and "
                            "pattern_lookback 0..1000");
    int rc = check_touches(o, err);
    if (!rc)
        rc = check_reviews(o, err);
    if (rc)
        return rc;
    memset(out, 0, sizeof *out);
    out->grace_days = o->promise_grace_days >= 0 ? o->promise_grace_days
                      : o->policy             ? o->policy->promises.grace_days
                                              : 2;
    out->window_days = o->response_window_days ? o->response_window_days : 7;
    out->lookback = o->pattern_lookback ? o->pattern_lookback
                    : o->policy         ? o->policy->payment_patterns.lookback
                                        : 12;
    out->customers = o->customers;
    out->touches = o->touches;
    out->touch_count = o->touch_count;
    out->reviews = o->reviews;
    out->review_count = o->review_count;
    return 0;
}

/* ---- the report --------------------------------------------------------------- */

archase_kpi_report *ar_kpi_report_new(const archase_allocator *a) {
    archase_kpi_report *r = ar_calloc(a, 1, sizeof *r);
    if (!r)
        return NULL;
    r->allocator = *a;
    ar_strtab_init(&r->strings, &r->allocator);
    archase_kpi_reviewer_effort e = ARCHASE_KPI_REVIEWER_EFFORT_INIT;
    r->effort = e;
    return r;
}

void archase_kpi_report_free(archase_kpi_report *r) {
    if (!r)
        return;
    archase_allocator a = r->allocator;
    ar_strtab_free(&r->strings);
    ar_free(&a, r->rows);
    ar_free(&a, r->dgroups);
    ar_free(&a, r->egroups);
    ar_free(&a, r->customers);
    ar_free(&a, r);
}

/* Checks the engine-level arguments of compute and series. */
static int check_call(archase_engine *e, archase_date from, archase_date to, archase_kpi_report **out) {
    if (!out)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "out is NULL");
    if (!valid_date(from) || !valid_date(to) || from > to || from == ARCHASE_DATE_MIN)
        return ar_error_set(&e->err, ARCHASE_EINVAL,
                            "the period needs valid dates with from <= to (from after 0001-01-01)");
    return 0;
}

/* Loads the view; `*currency` becomes the number of opts->currency (-1 = all). */
static int load(archase_engine *e, const archase_kpi_options *opts, ar_kv *v, int *currency) {
    const char *code = opts ? opts->currency : NULL;
    int rc = ar_kv_load(v, e, code);
    *currency = -1;
    if (!rc && code) {
        uint16_t c;
        rc = ar_kv_add_currency(v, code, &c);
        if (rc)
            rc = ar_error_set(&e->err, rc, "out of memory");
        else
            *currency = c;
    }
    return rc;
}

/* Options without messages (or without reviews) take the daily cycle's:
 * the sent messages and the reviewed drafts of the store's outbox. */
static int outbox_inputs(archase_engine *e, ar_kpi_params *p, ar_kpi_outbox *ob) {
    int messages = !p->touches, reviews = !p->reviews;
    if (!messages && !reviews)
        return 0;
    int rc = ar_kpi_outbox_read(e, messages, reviews, ob);
    if (rc)
        return rc;
    if (messages) {
        p->touches = ob->touches;
        p->touch_count = ob->touch_count;
    }
    if (reviews) {
        p->reviews = ob->reviews;
        p->review_count = ob->review_count;
    }
    return 0;
}

int archase_kpi_compute(archase_engine *e, archase_date from, archase_date to,
                        const archase_kpi_options *opts, archase_kpi_report **out) {
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    ar_kpi_params p;
    int rc = check_call(e, from, to, out);
    if (!rc)
        rc = ar_kpi_params_resolve(opts, &p, &e->err);
    if (rc)
        return rc;
    ar_kv v;
    ar_kv_init(&v, AR_ENGINE_ALLOC(e));
    ar_kpi_outbox ob;
    ar_kpi_outbox_init(&ob, AR_ENGINE_ALLOC(e));
    archase_kpi_report *r = ar_kpi_report_new(AR_ENGINE_ALLOC(e));
    int currency = -1;
    if (!r) {
        rc = ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
        goto done;
    }
    rc = outbox_inputs(e, &p, &ob);
    if (!rc)
        rc = load(e, opts, &v, &currency);
    if (!rc)
        rc = ar_kpi_rows_compute(r, &v, currency, from, to, &p, &e->err);
    if (!rc)
        rc = ar_kpi_groups_compute(r, &v, from, to, &p, &e->err);
    if (!rc && p.customers)
        rc = ar_kpi_customers_compute(r, &v, to, &p, &e->err);
done:
    ar_kv_free(&v);
    ar_kpi_outbox_free(&ob);
    if (rc) {
        archase_kpi_report_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

/* The last day of the period that starts on `start`. */
static archase_date period_end(archase_date start, int interval) {
    if (interval == ARCHASE_KPI_WEEKLY)
        return start + (7 - archase_date_weekday(start));
    int32_t y, m, d;
    archase_date_to_ymd(start, &y, &m, &d);
    archase_date first, next;
    if (archase_date_from_ymd(y, m, 1, &first) != 0 || archase_date_add_months(first, 1, &next) != 0)
        return ARCHASE_DATE_MAX;
    return next - 1;
}

static int cmp_rows(const void *a, const void *b) {
    const ar_kpi_row *x = a, *y = b;
    int c = strcmp(x->info.currency, y->info.currency);
    if (c)
        return c;
    return (x->info.from > y->info.from) - (x->info.from < y->info.from);
}

#define AR_KPI_MAX_PERIODS 1000

int archase_kpi_series(archase_engine *e, archase_date from, archase_date to, int interval,
                       const archase_kpi_options *opts, archase_kpi_report **out) {
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    ar_kpi_params p;
    int rc = check_call(e, from, to, out);
    if (!rc && interval != ARCHASE_KPI_WEEKLY && interval != ARCHASE_KPI_MONTHLY)
        rc = ar_error_set(&e->err, ARCHASE_EINVAL, "the interval is weekly or monthly");
    if (!rc)
        rc = ar_kpi_params_resolve(opts, &p, &e->err);
    if (rc)
        return rc;
    size_t periods = 0;
    for (archase_date s = from; s <= to; s = period_end(s, interval) + 1) {
        if (++periods > AR_KPI_MAX_PERIODS)
            return ar_error_set(&e->err, ARCHASE_ERANGE, "more than %d periods", AR_KPI_MAX_PERIODS);
        if (period_end(s, interval) >= to)
            break;
    }
    ar_kv v;
    ar_kv_init(&v, AR_ENGINE_ALLOC(e));
    ar_kpi_outbox ob;
    ar_kpi_outbox_init(&ob, AR_ENGINE_ALLOC(e));
    archase_kpi_report *r = ar_kpi_report_new(AR_ENGINE_ALLOC(e));
    archase_kpi_report *one = NULL;
    int currency = -1;
    if (!r) {
        rc = ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
        goto done;
    }
    rc = outbox_inputs(e, &p, &ob);
    if (!rc)
        rc = load(e, opts, &v, &currency);
    for (archase_date s = from; !rc && s <= to;) {
        archase_date end = period_end(s, interval);
        if (end > to)
            end = to;
        /* each period's rows with their message totals, then kept alone */
        one = ar_kpi_report_new(AR_ENGINE_ALLOC(e));
        if (!one) {
            rc = ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
            break;
        }
        rc = ar_kpi_rows_compute(one, &v, currency, s, end, &p, &e->err);
        if (!rc)
            rc = ar_kpi_groups_compute(one, &v, s, end, &p, &e->err);
        if (!rc && ar_grow(&r->allocator, (void **)&r->rows, &r->row_cap, r->row_count + one->row_count,
                           sizeof *r->rows))
            rc = ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
        if (!rc) {
            memcpy(r->rows + r->row_count, one->rows, one->row_count * sizeof *r->rows);
            r->row_count += one->row_count;
        }
        archase_kpi_report_free(one);
        one = NULL;
        if (end >= to)
            break;
        s = end + 1;
    }
    if (!rc && r->row_count > 1)
        qsort(r->rows, r->row_count, sizeof *r->rows, cmp_rows);
done:
    ar_kv_free(&v);
    ar_kpi_outbox_free(&ob);
    if (rc) {
        archase_kpi_report_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

/* ---- reading ------------------------------------------------------------------ */

size_t archase_kpi_row_count(const archase_kpi_report *r) {
    return r ? r->row_count : 0;
}

int archase_kpi_row_get(const archase_kpi_report *r, size_t i, archase_kpi_row *out) {
    if (!r || !out)
        return ARCHASE_EINVAL;
    if (out->version != ARCHASE_KPI_ROW_VERSION)
        return ARCHASE_EVERSION;
    if (i >= r->row_count)
        return ARCHASE_ERANGE;
    *out = r->rows[i].info;
    return 0;
}

int archase_kpi_value_get(const archase_kpi_report *r, size_t row, int metric, archase_kpi_value *out) {
    if (!r || !out || metric <= 0 || metric >= ARCHASE_KPI_METRIC_LIMIT)
        return ARCHASE_EINVAL;
    if (row >= r->row_count)
        return ARCHASE_ERANGE;
    *out = r->rows[row].values[metric];
    return 0;
}

size_t archase_kpi_dispute_group_count(const archase_kpi_report *r) {
    return r ? r->dgroup_count : 0;
}

int archase_kpi_dispute_group_get(const archase_kpi_report *r, size_t i, archase_kpi_dispute_group *out) {
    if (!r || !out)
        return ARCHASE_EINVAL;
    if (out->version != ARCHASE_KPI_DISPUTE_GROUP_VERSION)
        return ARCHASE_EVERSION;
    if (i >= r->dgroup_count)
        return ARCHASE_ERANGE;
    *out = r->dgroups[i].g;
    out->name = ar_strtab_str(&r->strings, r->dgroups[i].name);
    return 0;
}

size_t archase_kpi_effectiveness_count(const archase_kpi_report *r) {
    return r ? r->egroup_count : 0;
}

int archase_kpi_effectiveness_get(const archase_kpi_report *r, size_t i, archase_kpi_effectiveness *out) {
    if (!r || !out)
        return ARCHASE_EINVAL;
    if (out->version != ARCHASE_KPI_EFFECTIVENESS_VERSION)
        return ARCHASE_EVERSION;
    if (i >= r->egroup_count)
        return ARCHASE_ERANGE;
    *out = r->egroups[i].g;
    out->name = ar_strtab_str(&r->strings, r->egroups[i].name);
    return 0;
}

int archase_kpi_reviewer_effort_get(const archase_kpi_report *r, archase_kpi_reviewer_effort *out) {
    if (!r || !out)
        return ARCHASE_EINVAL;
    if (out->version != ARCHASE_KPI_REVIEWER_EFFORT_VERSION)
        return ARCHASE_EVERSION;
    *out = r->effort;
    return 0;
}

size_t archase_kpi_customer_count(const archase_kpi_report *r) {
    return r ? r->customer_count : 0;
}

int archase_kpi_customer_get(const archase_kpi_report *r, size_t i, archase_kpi_customer *out) {
    if (!r || !out)
        return ARCHASE_EINVAL;
    if (out->version != ARCHASE_KPI_CUSTOMER_VERSION)
        return ARCHASE_EVERSION;
    if (i >= r->customer_count)
        return ARCHASE_ERANGE;
    *out = r->customers[i].c;
    out->customer_id = ar_strtab_str(&r->strings, r->customers[i].id);
    return 0;
}
