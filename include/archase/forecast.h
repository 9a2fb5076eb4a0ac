/* include/archase/forecast.h — the cash forecast: expected receipts per week
 * per currency from the open invoices, with the drivers of each week and a
 * back-test of the method on the ledger's own history.
 *
 * The method (docs/kpi-formulas.md, "Cash forecast"): every invoice open at
 * the as-of date is expected on its due date shifted by its customer's
 * payment pattern (the median days late of its last settled invoices, or the
 * currency's when the customer has too few); open promises to pay are
 * expected on their dates, weighted by the customer's promise-kept rate;
 * disputed amounts are left out or discounted by the options. Amounts in
 * different currencies are never added.
 */
#ifndef ARCHASE_FORECAST_H
#define ARCHASE_FORECAST_H

#include "archase/common.h"
#include "archase/kpi.h"
#include "archase/ledger.h"
#include "archase/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the forecast does with amounts under an open dispute. */
typedef enum archase_forecast_disputed {
    ARCHASE_FORECAST_EXCLUDE_DISPUTED = 0, /* not expected at all (the default) */
    ARCHASE_FORECAST_DISCOUNT_DISPUTED = 1 /* expected at disputed_percent of their amount */
} archase_forecast_disputed;

typedef struct archase_forecast_options {
    unsigned              version;            /* ARCHASE_FORECAST_OPTIONS_VERSION */
    const char           *currency;           /* NULL = every currency of the ledger */
    const archase_policy *policy;             /* NULL = the defaults below */
    uint32_t              weeks;              /* the horizon; 0 = 13 (at most 104) */
    int                   disputed;           /* archase_forecast_disputed */
    uint32_t              disputed_percent;   /* with DISCOUNT: 0..100; default 50 */
    int32_t               promise_grace_days; /* -1 = the policy's promises.grace_days (2) */
    int32_t               pattern_lookback;   /* 0 = the policy's payment_patterns.lookback (12) */
    int32_t               min_history;        /* settled invoices a customer needs for its own
                                                 pattern; 0 = the policy's
                                                 payment_patterns.min_history (6) */
    uint32_t              doubtful_days;      /* an invoice this many days past its expected
                                                 date is doubtful, not forecast; 0 = 90 */
    uint32_t              promise_default_percent; /* the kept rate of promises when the
                                                 currency has no promise history;
                                                 0 = 100 */
    uint32_t              backtest_origins;   /* as-of dates of the back-test, every 4 weeks
                                                 back from as_of - horizon; 0 = 12, at most 520 */
} archase_forecast_options;
#define ARCHASE_FORECAST_OPTIONS_VERSION 1
#define ARCHASE_FORECAST_OPTIONS_INIT \
    { ARCHASE_FORECAST_OPTIONS_VERSION, NULL, NULL, 0, ARCHASE_FORECAST_EXCLUDE_DISPUTED, 50, -1, 0, 0, 0, 0, 0 }
/* Fills `opts` with the defaults. Returns 0, ARCHASE_EINVAL or ARCHASE_EVERSION. */
ARCHASE_API int archase_forecast_options_init(archase_forecast_options *opts, unsigned version);

typedef struct archase_forecast archase_forecast;

/* Forecasts the receipts of the weeks after `as_of` (week k is as_of + 7k - 6
 * to as_of + 7k) from the engine's store, one row per currency (in code
 * order) with open receivables at `as_of`, and back-tests the method. Reads
 * only; facts dated after `as_of` are not used for the forecast. Returns 0,
 * ARCHASE_EINVAL (NULL argument, a date out of range, an option out of its
 * range), ARCHASE_EVERSION, ARCHASE_ECURRENCY, ARCHASE_EOVERFLOW,
 * ARCHASE_ESTORAGE, ARCHASE_ENOMEM; archase_engine_errmsg says why. *out is
 * written only on success. */
ARCHASE_API int archase_forecast_run(archase_engine *eng, archase_date as_of,
                                     const archase_forecast_options *opts,
                                     archase_forecast **out);

/* NULL is allowed. */
ARCHASE_API void archase_forecast_free(archase_forecast *forecast);

/* ---- reading a forecast ---------------------------------------------------
 * Indexed accessors return ARCHASE_ERANGE past the end, ARCHASE_EINVAL for
 * NULL arguments and ARCHASE_EVERSION when the out struct's `version` is not
 * one this library writes (set it with the _INIT macro). Strings live as long
 * as the forecast. Amounts are minor units of the row's currency. */

/* One currency's forecast and its back-test. */
typedef struct archase_forecast_row {
    unsigned           version;          /* ARCHASE_FORECAST_ROW_VERSION */
    char               currency[4];
    archase_date       as_of;
    uint32_t           weeks;
    int64_t            open_ar;          /* open at as_of */
    int64_t            expected;         /* expected within the horizon */
    int64_t            beyond;           /* expected after it */
    int64_t            doubtful;         /* too far past its expected date to forecast */
    int64_t            disputed_left_out;/* disputed and not expected (excluded, or the
                                            discounted-away part) */
    int64_t            promises_unkept;  /* open promises' amount not expected on their dates
                                            (1 - kept rate): back on their invoices' pattern */
    uint32_t           backtest_origins; /* as-of dates the back-test ran from (0: too little history) */
    archase_date       backtest_first;   /* the earliest and latest of them */
    archase_date       backtest_last;
    int64_t            backtest_mae;     /* mean absolute error per week, over every week and origin */
    archase_kpi_number backtest_mae_percent; /* the MAE as a percent of the mean actual weekly receipts */
} archase_forecast_row;
#define ARCHASE_FORECAST_ROW_VERSION 1
#define ARCHASE_FORECAST_ROW_INIT { ARCHASE_FORECAST_ROW_VERSION, "", ARCHASE_DATE_NONE, 0, 0, 0, 0, \
    0, 0, 0, 0, ARCHASE_DATE_NONE, ARCHASE_DATE_NONE, 0, { 0, 0 } }

ARCHASE_API size_t archase_forecast_row_count(const archase_forecast *forecast);
ARCHASE_API int archase_forecast_row_get(const archase_forecast *forecast, size_t row,
                                         archase_forecast_row *out);

/* One week of a row. */
typedef struct archase_forecast_week {
    unsigned     version;       /* ARCHASE_FORECAST_WEEK_VERSION */
    uint32_t     week;          /* 1 .. weeks */
    archase_date from;
    archase_date to;
    int64_t      expected;      /* from_patterns + from_promises + from_disputed */
    int64_t      from_patterns; /* invoices expected by their customer's pattern */
    int64_t      from_promises; /* open promises, weighted by the kept rate */
    int64_t      from_disputed; /* discounted disputed amounts */
    uint32_t     invoices;      /* invoices with an amount expected this week */
    uint32_t     promises;      /* promises expected this week */
    int64_t      backtest_mae;  /* the back-test's mean absolute error for this week of the horizon */
    int64_t      backtest_mean_actual; /* the mean actual receipts it compares with */
} archase_forecast_week;
#define ARCHASE_FORECAST_WEEK_VERSION 1
#define ARCHASE_FORECAST_WEEK_INIT \
    { ARCHASE_FORECAST_WEEK_VERSION, 0, ARCHASE_DATE_NONE, ARCHASE_DATE_NONE, 0, 0, 0, 0, 0, 0, 0, 0 }

/* Week `week` (1-based) of `row`. */
ARCHASE_API int archase_forecast_week_get(const archase_forecast *forecast, size_t row,
                                          uint32_t week, archase_forecast_week *out);

/* What a driver is. */
typedef enum archase_forecast_driver_kind {
    ARCHASE_DRIVER_INVOICE = 1,  /* an invoice expected by its customer's pattern */
    ARCHASE_DRIVER_PROMISE = 2,  /* a promise to pay */
    ARCHASE_DRIVER_DISPUTED = 3  /* the discounted disputed part of an invoice */
} archase_forecast_driver_kind;

/* One of the largest amounts of a week. */
typedef struct archase_forecast_driver {
    unsigned     version;      /* ARCHASE_FORECAST_DRIVER_VERSION */
    int          kind;         /* archase_forecast_driver_kind */
    const char  *id;           /* the invoice or promise */
    const char  *customer_id;
    archase_date expected_on;
    int64_t      amount;
} archase_forecast_driver;
#define ARCHASE_FORECAST_DRIVER_VERSION 1
#define ARCHASE_FORECAST_DRIVER_INIT { ARCHASE_FORECAST_DRIVER_VERSION, 0, NULL, NULL, ARCHASE_DATE_NONE, 0 }

/* The largest contributions of a week, at most 5, largest first (ties by
 * id). */
ARCHASE_API size_t archase_forecast_driver_count(const archase_forecast *forecast, size_t row,
                                                 uint32_t week);
ARCHASE_API int archase_forecast_driver_get(const archase_forecast *forecast, size_t row,
                                            uint32_t week, size_t i, archase_forecast_driver *out);

#ifdef __cplusplus
}
#endif
#endif
