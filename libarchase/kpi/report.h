/* libarchase/kpi/report.h — the KPI report's insides, shared by the files
 * that compute it (kpi.c: receivables, DSO, CEI, days to pay, promises and
 * disputes; groups.c: dispute groups, effectiveness, reviewer effort and
 * customer patterns) and report.c (the public accessors). */
#ifndef AR_KPI_REPORT_H
#define AR_KPI_REPORT_H

#include "archase/kpi.h"
#include "core/error.h"
#include "kpi/figures.h"
#include "kpi/strtab.h"
#include "kpi/view.h"

/* What the options resolve to. */
typedef struct ar_kpi_params {
    int32_t                   grace_days;  /* promises with the policy's default */
    int32_t                   window_days; /* effectiveness and response window */
    int32_t                   lookback;    /* settled invoices in a payment pattern */
    int                       customers;
    const archase_kpi_touch  *touches;
    size_t                    touch_count;
    const archase_kpi_review *reviews;
    size_t                    review_count;
} ar_kpi_params;

typedef struct ar_kpi_row {
    archase_kpi_row   info;
    uint16_t          currency;  /* in the view */
    archase_kpi_value values[ARCHASE_KPI_METRIC_LIMIT];
} ar_kpi_row;

/* Groups keep their name as a number in the report's string table. */
typedef struct ar_kpi_dgroup {
    archase_kpi_dispute_group g;
    uint32_t                  name;
} ar_kpi_dgroup;

typedef struct ar_kpi_egroup {
    archase_kpi_effectiveness g;
    uint32_t                  name;
} ar_kpi_egroup;

typedef struct ar_kpi_cust {
    archase_kpi_customer c;
    uint32_t             id;  /* in the report's string table */
} ar_kpi_cust;

struct archase_kpi_report {
    archase_allocator           allocator;
    ar_strtab                   strings;
    ar_kpi_row                 *rows;
    size_t                      row_count, row_cap;
    ar_kpi_dgroup              *dgroups;
    size_t                      dgroup_count, dgroup_cap;
    ar_kpi_egroup              *egroups;
    size_t                      egroup_count, egroup_cap;
    ar_kpi_cust                *customers;
    size_t                      customer_count;
    archase_kpi_reviewer_effort effort;
};

/* A new, empty report. NULL when out of memory. */
archase_kpi_report *ar_kpi_report_new(const archase_allocator *a);

/* Resolves and checks the options. 0, ARCHASE_EINVAL, ARCHASE_EVERSION or
 * ARCHASE_ECURRENCY, with the message in `err`. */
int ar_kpi_params_resolve(const archase_kpi_options *opts, ar_kpi_params *out, ar_error *err);

/* Appends one row per currency of `v` (or `currency` alone: -1 = all) for
 * [from, to] with every metric of kpi.c and the effectiveness totals.
 * 0, ARCHASE_EOVERFLOW or ARCHASE_ENOMEM (message in `err`). */
int ar_kpi_rows_compute(archase_kpi_report *r, const ar_kv *v, int currency, archase_date from,
                        archase_date to, const ar_kpi_params *p, ar_error *err);

/* The groups of a single-period report whose rows were just computed:
 * dispute groups, effectiveness groups (and the message metrics of each
 * row), reviewer effort and, when asked, customer patterns. */
int ar_kpi_groups_compute(archase_kpi_report *r, const ar_kv *v, archase_date from,
                          archase_date to, const ar_kpi_params *p, ar_error *err);

/* Every customer's payment pattern as of `to` (customers.c). */
int ar_kpi_customers_compute(archase_kpi_report *r, const ar_kv *v, archase_date to,
                             const ar_kpi_params *p, ar_error *err);

/* Sets a value of a row. */
static inline void ar_kpi_set(ar_kpi_row *row, int metric, int type, int defined, int64_t value) {
    row->values[metric].type = type;
    row->values[metric].defined = defined;
    row->values[metric].value = defined ? value : 0;
}
static inline void ar_kpi_set_number(ar_kpi_row *row, int metric, int type, archase_kpi_number n) {
    ar_kpi_set(row, metric, type, n.defined, n.hundredths);
}

#endif
