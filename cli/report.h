/* cli/report.h — what `archase report` gathers from the ledger through the
 * public API, and the writers that turn it into HTML or Markdown. */
#ifndef ARCHASE_CLI_REPORT_H
#define ARCHASE_CLI_REPORT_H

#include <stdio.h>

#include "archase/archase.h"

#define REPORT_MAX_MONTHS  36
#define REPORT_MAX_REASONS 16
#define REPORT_TOP         10
#define REPORT_MAX_WEEKS   160
#define REPORT_WINDOW      30

/* A customer among the riskiest: its highest-scoring open invoice, and the
 * open amount of its invoices in that invoice's currency. */
typedef struct report_customer {
    const char          *customer_id;
    int32_t              score;
    archase_money        open_amount;
    int32_t              days_overdue; /* the most among its invoices */
    size_t               invoices;
    size_t               assessment;   /* the highest-scoring invoice's assessment */
    const char          *segment;
} report_customer;

typedef struct report_data {
    const char         *db;
    archase_date        from, to;
    archase_policy     *policy;          /* NULL without --policy */
    char                policy_hash[65];
    archase_kpi_report *period;          /* the KPIs of [from, to] */
    /* the trend: at the end of each week (each Sunday, and `to`), the KPIs
     * of the REPORT_WINDOW days that end then */
    archase_kpi_report *weeks[REPORT_MAX_WEEKS];
    archase_date        week_end[REPORT_MAX_WEEKS];
    size_t              week_count;
    archase_forecast   *forecast;        /* the 13 weeks after `to` */
    archase_snapshot   *snap;            /* with a policy: the ledger at `to` ... */
    archase_decisions  *ds;              /* ... and what the policy decides then */
    archase_coverage    coverage;
    report_customer     top[REPORT_TOP];
    size_t              top_count;
    /* disputes opened per month and reason (counts; every currency) */
    char                months[REPORT_MAX_MONTHS][8]; /* "2026-01" */
    size_t              month_count;
    char                reasons[REPORT_MAX_REASONS][40];
    size_t              reason_count;
    int64_t             disputes_opened[REPORT_MAX_REASONS * REPORT_MAX_MONTHS]; /* [reason][month] */
    /* the audit log */
    archase_audit_report audit;
    int                 audit_rc;        /* archase_audit_verify's result */
    int                 have_checkpoint;
    archase_checkpoint  checkpoint;      /* the latest stored one */
} report_data;

/* The text of a KPI value exactly as `archase kpi --json` writes it
 * ("1234.56", "55.35", "12", "true"), or "null" when undefined. */
const char *report_value_text(const archase_kpi_value *v, const char *currency, char *buf, size_t size);
/* The row of `currency` in `rep`, or SIZE_MAX. */
size_t report_row_of(const archase_kpi_report *rep, const char *currency);
/* A metric's name for people ("DSO, standard method (days)"). */
const char *report_metric_label(int metric);
/* "2026-03-31". */
const char *report_date(archase_date d, char *buf);

/* Write the whole document; 0 or -1 on a write error. */
int report_write_html(FILE *out, const report_data *r);
int report_write_md(FILE *out, const report_data *r);

#endif
