/* include/archase/kpi.h — collection KPIs, per currency, for a period.
 *
 * For a period [from, to] (both days included; the as-of date is `to`) the
 * library computes, from the ledger's facts as they stood on each date
 * (receivables at a date = invoiced up to it minus payments and credits dated
 * up to it): open and current receivables and their aging, over-60
 * receivables, DSO (standard and countback), best possible DSO, average days
 * delinquent, CEI, days to pay and days late, promise-kept rates, dispute
 * aging and time to resolution, collection effectiveness per sequence step
 * and template, cadence response rate, reviewer effort in copilot mode and
 * each customer's payment pattern; and the same figures per week or month
 * across a range (the trend series, `dso_signal`).
 *
 * docs/kpi-formulas.md gives every formula, the variants chosen, the rounding
 * and worked examples. Amounts in different currencies are never added: every
 * figure belongs to one currency's row. Days and percents are hundredths
 * rounded half to even; a figure whose denominator is zero is undefined
 * (`defined` = 0, JSON null), never 0 and never infinity.
 */
#ifndef ARCHASE_KPI_H
#define ARCHASE_KPI_H

#include "archase/common.h"
#include "archase/ledger.h"
#include "archase/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A number of days or a percent in hundredths (5535 = 55.35), or undefined. */
typedef struct archase_kpi_number {
    int64_t hundredths;
    int     defined; /* 0: the denominator was zero; hundredths is then 0 */
} archase_kpi_number;

/* What a metric's value is. */
typedef enum archase_kpi_type {
    ARCHASE_KPI_MONEY = 1,   /* minor units of the row's currency */
    ARCHASE_KPI_COUNT = 2,   /* a count */
    ARCHASE_KPI_DAYS = 3,    /* hundredths of a day */
    ARCHASE_KPI_PERCENT = 4, /* hundredths of a percent */
    ARCHASE_KPI_FLAG = 5     /* 0 or 1 */
} archase_kpi_type;

typedef struct archase_kpi_value {
    int     type;    /* archase_kpi_type */
    int     defined; /* 0: undefined (JSON null); value is then 0 */
    int64_t value;
} archase_kpi_value;

/* The metrics of a row. Values are pinned; new ones are appended. Names
 * (archase_kpi_metric_name) are the JSON keys of `archase kpi --json`; a
 * name with a dot ("aging.1_30") is a key inside an object ("aging"). */
typedef enum archase_kpi_metric {
    ARCHASE_KPI_OPEN_AR = 1,              /* open_ar: receivables at the end of `to` */
    ARCHASE_KPI_CURRENT_AR = 2,           /* current_ar: the part not yet due (due >= to) */
    ARCHASE_KPI_BEGINNING_AR = 3,         /* beginning_ar: receivables at the end of from - 1 */
    ARCHASE_KPI_CREDIT_SALES = 4,         /* credit_sales: invoiced in the period */
    ARCHASE_KPI_OPEN_INVOICES = 5,        /* open_invoices: invoices with an open amount at `to` */
    ARCHASE_KPI_AGING_CURRENT = 6,        /* aging.current .. aging.91_plus: open amounts by days past due */
    ARCHASE_KPI_AGING_1_30 = 7,
    ARCHASE_KPI_AGING_31_60 = 8,
    ARCHASE_KPI_AGING_61_90 = 9,
    ARCHASE_KPI_AGING_91_PLUS = 10,
    ARCHASE_KPI_AGING_COUNT_CURRENT = 11, /* aging_count.current ..: the invoices in each bucket */
    ARCHASE_KPI_AGING_COUNT_1_30 = 12,
    ARCHASE_KPI_AGING_COUNT_31_60 = 13,
    ARCHASE_KPI_AGING_COUNT_61_90 = 14,
    ARCHASE_KPI_AGING_COUNT_91_PLUS = 15,
    ARCHASE_KPI_OVER_60_AMOUNT = 16,      /* over_60_amount: open with more than 60 days past due */
    ARCHASE_KPI_OVER_60_SHARE = 17,       /* over_60_share_percent: of open_ar */
    ARCHASE_KPI_DSO_STANDARD = 18,        /* dso_standard_days */
    ARCHASE_KPI_DSO_COUNTBACK = 19,       /* dso_countback_days */
    ARCHASE_KPI_COUNTBACK_MONTHS = 20,    /* countback_months: month windows walked (at most 12) */
    ARCHASE_KPI_COUNTBACK_LEFTOVER = 21,  /* countback_leftover: flag, AR left after 12 months */
    ARCHASE_KPI_COUNTBACK_LEFTOVER_AR = 22, /* countback_leftover_ar: how much (0 when none) */
    ARCHASE_KPI_BPDSO = 23,               /* bpdso_days */
    ARCHASE_KPI_ADD = 24,                 /* add_days */
    ARCHASE_KPI_CEI = 25,                 /* cei_percent */
    ARCHASE_KPI_SETTLED_INVOICES = 26,    /* settled_invoices: settled in the period */
    ARCHASE_KPI_AVG_DAYS_TO_PAY = 27,     /* avg_days_to_pay */
    ARCHASE_KPI_MEDIAN_DAYS_TO_PAY = 28,  /* median_days_to_pay */
    ARCHASE_KPI_WEIGHTED_DAYS_TO_PAY = 29,/* weighted_days_to_pay: amount-weighted mean */
    ARCHASE_KPI_AVG_DAYS_LATE = 30,       /* avg_days_late */
    ARCHASE_KPI_MEDIAN_DAYS_LATE = 31,    /* median_days_late */
    ARCHASE_KPI_WEIGHTED_DAYS_LATE = 32,  /* weighted_days_late */
    ARCHASE_KPI_PROMISES_DUE = 33,        /* promises_due: deadline (date + grace) in the period */
    ARCHASE_KPI_PROMISES_KEPT = 34,       /* promises_kept */
    ARCHASE_KPI_PROMISED_AMOUNT = 35,     /* promised_amount: of the promises due */
    ARCHASE_KPI_PROMISED_PAID = 36,       /* promised_paid_amount: paid toward them by their deadlines */
    ARCHASE_KPI_PROMISE_KEPT_COUNT = 37,  /* promise_kept_rate_count_percent */
    ARCHASE_KPI_PROMISE_KEPT_AMOUNT = 38, /* promise_kept_rate_amount_percent */
    ARCHASE_KPI_OPEN_DISPUTES = 39,       /* open_disputes: open at the end of `to` */
    ARCHASE_KPI_OPEN_DISPUTED_AMOUNT = 40,/* open_disputed_amount */
    ARCHASE_KPI_DISPUTE_MEAN_DAYS_OPEN = 41,   /* dispute_mean_days_open */
    ARCHASE_KPI_DISPUTE_MEDIAN_DAYS_OPEN = 42, /* dispute_median_days_open */
    ARCHASE_KPI_DISPUTE_OLDEST_DAYS_OPEN = 43, /* dispute_oldest_days_open */
    ARCHASE_KPI_RESOLVED_DISPUTES = 44,        /* resolved_disputes: resolved in the period */
    ARCHASE_KPI_DISPUTE_MEAN_DAYS_TO_RESOLVE = 45,   /* dispute_mean_days_to_resolution */
    ARCHASE_KPI_DISPUTE_MEDIAN_DAYS_TO_RESOLVE = 46, /* dispute_median_days_to_resolution */
    ARCHASE_KPI_MESSAGES = 47,            /* messages: customer-facing messages sent in the period */
    ARCHASE_KPI_MESSAGE_AMOUNT = 48,      /* message_amount: open amount they were about */
    ARCHASE_KPI_EFFECTIVE_MESSAGES = 49,  /* effective_messages: followed by payment or promise */
    ARCHASE_KPI_EFFECTIVENESS = 50,       /* collection_effectiveness_percent (by count) */
    ARCHASE_KPI_EFFECTIVENESS_AMOUNT = 51,/* collection_effectiveness_amount_percent */
    ARCHASE_KPI_RESPONDED_MESSAGES = 52,  /* responded_messages: followed by any response */
    ARCHASE_KPI_RESPONSE_RATE = 53,       /* cadence_response_rate_percent */
    ARCHASE_KPI_DISPUTED_MESSAGES = 54,   /* disputed_messages: followed by a dispute */
    ARCHASE_KPI_MESSAGE_DISPUTE_RATE = 55 /* message_dispute_rate_percent */
} archase_kpi_metric;
/* One more than the largest metric value this header knows. */
#define ARCHASE_KPI_METRIC_LIMIT 56

/* The metric's name ("dso_standard_days"), a static string; NULL for an
 * unknown value. */
ARCHASE_API const char *archase_kpi_metric_name(int metric);
/* The metric's archase_kpi_type, or 0 for an unknown value. */
ARCHASE_API int archase_kpi_metric_type(int metric);

/* ---- inputs the ledger does not hold ------------------------------------ */

/* One customer-facing message, for collection effectiveness and the cadence
 * response rate. The host (or the replay) may supply what it sent; without
 * them the daily cycle's sent messages are read from the store's outbox. */
typedef struct archase_kpi_touch {
    unsigned           version;       /* ARCHASE_KPI_TOUCH_VERSION */
    const char        *customer_id;
    const char *const *invoice_ids;   /* the invoices it was about; at least one */
    size_t             invoice_count;
    archase_date       date;          /* the day it was sent */
    int                channel;       /* archase_channel */
    const char        *sequence;      /* the sequence and step that sent it (NULL: none) */
    const char        *step;
    const char        *template_name; /* NULL: none */
} archase_kpi_touch;
#define ARCHASE_KPI_TOUCH_VERSION 1
#define ARCHASE_KPI_TOUCH_INIT \
    { ARCHASE_KPI_TOUCH_VERSION, NULL, NULL, 0, ARCHASE_DATE_NONE, 0, NULL, NULL, NULL }

/* What a person did with a draft in copilot mode. */
typedef enum archase_review_outcome {
    ARCHASE_REVIEW_PENDING = 0,  /* not reviewed yet */
    ARCHASE_REVIEW_APPROVED = 1, /* sent as drafted */
    ARCHASE_REVIEW_EDITED = 2,   /* sent after an edit */
    ARCHASE_REVIEW_REJECTED = 3  /* not sent */
} archase_review_outcome;

/* One draft and its review, for the reviewer-effort figures. */
typedef struct archase_kpi_review {
    unsigned        version;     /* ARCHASE_KPI_REVIEW_VERSION */
    const char     *draft_id;
    const char     *reviewer;
    archase_instant drafted_at;
    archase_instant reviewed_at; /* ignored while pending */
    int             outcome;     /* archase_review_outcome */
} archase_kpi_review;
#define ARCHASE_KPI_REVIEW_VERSION 1
#define ARCHASE_KPI_REVIEW_INIT { ARCHASE_KPI_REVIEW_VERSION, NULL, NULL, 0, 0, ARCHASE_REVIEW_PENDING }

/* ---- computing ------------------------------------------------------------ */

typedef struct archase_kpi_options {
    unsigned                  version;            /* ARCHASE_KPI_OPTIONS_VERSION */
    const char               *currency;           /* NULL = every currency of the ledger */
    const archase_policy     *policy;             /* NULL = the defaults below */
    int32_t                   promise_grace_days; /* grace of promises that take the policy's
                                                     default; -1 = the policy's promises.grace_days
                                                     (2 without a policy) */
    int32_t                   response_window_days; /* days after a message in which a payment,
                                                       promise or dispute counts; 0 = 7 */
    int32_t                   pattern_lookback;   /* settled invoices in a customer's pattern;
                                                     0 = the policy's payment_patterns.lookback
                                                     (12 without a policy) */
    int                       customers;          /* 1 = compute every customer's payment pattern */
    const archase_kpi_touch  *touches;            /* messages sent; NULL = the outbox's sent
                                                     customer messages (docs/kpi-formulas.md,
                                                     "Messages and reviews") */
    size_t                    touch_count;
    const archase_kpi_review *reviews;            /* drafts and their reviews; NULL = the
                                                     outbox's drafts */
    size_t                    review_count;
} archase_kpi_options;
#define ARCHASE_KPI_OPTIONS_VERSION 1
#define ARCHASE_KPI_OPTIONS_INIT \
    { ARCHASE_KPI_OPTIONS_VERSION, NULL, NULL, -1, 0, 0, 0, NULL, 0, NULL, 0 }
/* Fills `opts` with the defaults. Returns 0, ARCHASE_EINVAL or ARCHASE_EVERSION. */
ARCHASE_API int archase_kpi_options_init(archase_kpi_options *opts, unsigned version);

/* The figures of a period, or of a series of periods: rows of metrics (one
 * per currency and period) and, for a single period, the groups below. */
typedef struct archase_kpi_report archase_kpi_report;

/* Computes every KPI for [from, to] from the engine's store: one row per
 * currency (in code order) that has invoices, promises or disputes, or only
 * opts->currency's. `opts` may be NULL. Reads the store (envelopes of
 * invoices and payments, promises and disputes decoded) and writes nothing.
 * Returns 0, ARCHASE_EINVAL (NULL argument, from > to, a date outside
 * 0001-01-01..9999-12-31, a touch or review without its fields),
 * ARCHASE_EVERSION, ARCHASE_ECURRENCY (opts->currency is not a currency),
 * ARCHASE_EOVERFLOW (a sum beyond int64), ARCHASE_ESTORAGE, ARCHASE_ENOMEM;
 * archase_engine_errmsg says why. *out is written only on success. */
ARCHASE_API int archase_kpi_compute(archase_engine *eng, archase_date from, archase_date to,
                                    const archase_kpi_options *opts, archase_kpi_report **out);

/* How a range is cut into periods for the trend series. */
typedef enum archase_kpi_interval {
    ARCHASE_KPI_WEEKLY = 1, /* ISO weeks, Monday to Sunday */
    ARCHASE_KPI_MONTHLY = 2 /* calendar months */
} archase_kpi_interval;

/* The trend series (`dso_signal`): [from, to] cut into weeks or months (the
 * first and last periods clipped to the range), every metric computed for
 * each as for archase_kpi_compute. Rows are ordered by currency, then period;
 * a series has no groups. At most 1,000 periods (ARCHASE_ERANGE beyond).
 * Returns as archase_kpi_compute, and ARCHASE_EINVAL for an unknown interval. */
ARCHASE_API int archase_kpi_series(archase_engine *eng, archase_date from, archase_date to,
                                   int interval, const archase_kpi_options *opts,
                                   archase_kpi_report **out);

/* NULL is allowed. */
ARCHASE_API void archase_kpi_report_free(archase_kpi_report *report);

/* ---- reading a report ----------------------------------------------------
 * Indexed accessors return ARCHASE_ERANGE past the end, ARCHASE_EINVAL for
 * NULL arguments and ARCHASE_EVERSION when the out struct's `version` (set
 * it with the struct's _INIT macro) is not one this library writes. Strings
 * live as long as the report. */

typedef struct archase_kpi_row {
    unsigned     version;     /* ARCHASE_KPI_ROW_VERSION */
    char         currency[4];
    archase_date from;
    archase_date to;
} archase_kpi_row;
#define ARCHASE_KPI_ROW_VERSION 1
#define ARCHASE_KPI_ROW_INIT { ARCHASE_KPI_ROW_VERSION, "", ARCHASE_DATE_NONE, ARCHASE_DATE_NONE }

ARCHASE_API size_t archase_kpi_row_count(const archase_kpi_report *report);
ARCHASE_API int archase_kpi_row_get(const archase_kpi_report *report, size_t row,
                                    archase_kpi_row *out);
/* The value of `metric` in `row`. Returns 0, ARCHASE_EINVAL (unknown metric)
 * or ARCHASE_ERANGE. */
ARCHASE_API int archase_kpi_value_get(const archase_kpi_report *report, size_t row, int metric,
                                      archase_kpi_value *out);

/* What a group is keyed by. */
typedef enum archase_kpi_dimension {
    ARCHASE_KPI_BY_REASON = 1,     /* disputes: reason code */
    ARCHASE_KPI_BY_ROOT_CAUSE = 2, /* disputes: root-cause tag ("untagged" when none yet) */
    ARCHASE_KPI_BY_STEP = 3,       /* messages: "sequence/step" ("none" outside sequences) */
    ARCHASE_KPI_BY_TEMPLATE = 4    /* messages: template name ("none" without one) */
} archase_kpi_dimension;

/* Dispute aging and time to resolution of one reason code or root cause. */
typedef struct archase_kpi_dispute_group {
    unsigned           version;   /* ARCHASE_KPI_DISPUTE_GROUP_VERSION */
    size_t             row;       /* the row (currency) it belongs to */
    int                dimension; /* ARCHASE_KPI_BY_REASON or ARCHASE_KPI_BY_ROOT_CAUSE */
    const char        *name;
    uint64_t           open;      /* open at the end of `to` */
    int64_t            open_amount;
    archase_kpi_number mean_days_open;
    archase_kpi_number median_days_open;
    archase_kpi_number oldest_days_open;
    uint64_t           resolved;  /* resolved in the period */
    archase_kpi_number mean_days_to_resolution;
    archase_kpi_number median_days_to_resolution;
} archase_kpi_dispute_group;
#define ARCHASE_KPI_DISPUTE_GROUP_VERSION 1
#define ARCHASE_KPI_DISPUTE_GROUP_INIT { ARCHASE_KPI_DISPUTE_GROUP_VERSION, 0, 0, NULL, 0, 0, \
    { 0, 0 }, { 0, 0 }, { 0, 0 }, 0, { 0, 0 }, { 0, 0 } }

/* Groups in (row, dimension, name) order. */
ARCHASE_API size_t archase_kpi_dispute_group_count(const archase_kpi_report *report);
ARCHASE_API int archase_kpi_dispute_group_get(const archase_kpi_report *report, size_t i,
                                              archase_kpi_dispute_group *out);

/* Collection effectiveness of one sequence step or template. */
typedef struct archase_kpi_effectiveness {
    unsigned           version;      /* ARCHASE_KPI_EFFECTIVENESS_VERSION */
    size_t             row;
    int                dimension;    /* ARCHASE_KPI_BY_STEP or ARCHASE_KPI_BY_TEMPLATE */
    const char        *name;
    uint64_t           messages;     /* sent in the period */
    int64_t            amount;       /* the open amount they were about */
    uint64_t           effective;    /* followed by payment in full or a promise */
    int64_t            effective_amount;
    uint64_t           responded;    /* followed by a payment, promise or dispute */
    uint64_t           disputed;     /* followed by a dispute */
    archase_kpi_number effective_percent;
    archase_kpi_number effective_amount_percent;
    archase_kpi_number response_percent;
    archase_kpi_number dispute_percent;
} archase_kpi_effectiveness;
#define ARCHASE_KPI_EFFECTIVENESS_VERSION 1
#define ARCHASE_KPI_EFFECTIVENESS_INIT { ARCHASE_KPI_EFFECTIVENESS_VERSION, 0, 0, NULL, 0, 0, 0, 0, \
    0, 0, { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 } }

/* Groups in (row, dimension, name) order. */
ARCHASE_API size_t archase_kpi_effectiveness_count(const archase_kpi_report *report);
ARCHASE_API int archase_kpi_effectiveness_get(const archase_kpi_report *report, size_t i,
                                              archase_kpi_effectiveness *out);

/* Reviewer effort in copilot mode over the drafts of the options: reviews
 * done in the period and drafts still waiting at its end. */
typedef struct archase_kpi_reviewer_effort {
    unsigned           version;   /* ARCHASE_KPI_REVIEWER_EFFORT_VERSION */
    uint64_t           reviewed;  /* approved + edited + rejected in the period */
    uint64_t           approved;  /* sent as drafted */
    uint64_t           edited;
    uint64_t           rejected;
    uint64_t           pending;   /* drafted by `to`, not reviewed by then */
    archase_kpi_number edit_percent;    /* of the reviewed */
    archase_kpi_number reject_percent;  /* of the reviewed */
    archase_kpi_number mean_minutes_to_review;
    archase_kpi_number median_minutes_to_review;
} archase_kpi_reviewer_effort;
#define ARCHASE_KPI_REVIEWER_EFFORT_VERSION 1
#define ARCHASE_KPI_REVIEWER_EFFORT_INIT { ARCHASE_KPI_REVIEWER_EFFORT_VERSION, 0, 0, 0, 0, 0, \
    { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 } }

ARCHASE_API int archase_kpi_reviewer_effort_get(const archase_kpi_report *report,
                                                archase_kpi_reviewer_effort *out);

/* A customer's payment pattern as of `to` (customer_payment_pattern_signal):
 * over its last `lookback` invoices settled by `to`, days from due date to
 * settlement (negative = early). */
typedef struct archase_kpi_customer {
    unsigned           version;        /* ARCHASE_KPI_CUSTOMER_VERSION */
    const char        *customer_id;
    uint32_t           paid_invoices;  /* the pattern's sample size */
    archase_kpi_number median_days_late;
    archase_kpi_number p80_days_late;
    archase_kpi_number on_time_percent;/* settled on or before the due date */
    archase_kpi_number trend_days;     /* newer half's median minus the older half's; > 0 = paying later */
    uint32_t           promises_due;   /* deadlines in the 365 days up to `to` */
    uint32_t           broken_promises;/* of those, not kept */
} archase_kpi_customer;
#define ARCHASE_KPI_CUSTOMER_VERSION 1
#define ARCHASE_KPI_CUSTOMER_INIT { ARCHASE_KPI_CUSTOMER_VERSION, NULL, 0, { 0, 0 }, { 0, 0 }, \
    { 0, 0 }, { 0, 0 }, 0, 0 }

/* Customers in id order (only when opts->customers was 1). */
ARCHASE_API size_t archase_kpi_customer_count(const archase_kpi_report *report);
ARCHASE_API int archase_kpi_customer_get(const archase_kpi_report *report, size_t i,
                                         archase_kpi_customer *out);

/* Writes a number as text: "55.35", "-0.50", "null" when undefined. Returns
 * 0, ARCHASE_EINVAL or ARCHASE_EBUFSIZE (24 bytes are always enough). */
ARCHASE_API int archase_kpi_number_format(archase_kpi_number n, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
