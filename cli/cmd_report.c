/* cli/cmd_report.c — `archase report DB --from D --to D --out FILE`: the
 * period's KPIs, their weekly trend, the cash forecast, dispute causes, the
 * riskiest customers, the coverage proof and the audit log's state, gathered
 * through the public API and written as one self-contained HTML page (inline
 * SVG charts, tables beside them) or as Markdown. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "policy_file.h"
#include "report.h"

const char cmd_report_help[] =
    "usage: archase report DB --from DATE --to DATE --out FILE [--policy FILE]\n"
    "                      [--format html|md]\n"
    "\n"
    "Writes a report of the period [from, to] for people: the KPIs per currency\n"
    "(the same figures as `archase kpi --json`), receivables aging stacked by\n"
    "week, DSO, CEI, over-60 and promise-kept trends (at the end of each week,\n"
    "over the 30 days ending then; at most 160 weeks), collection effectiveness\n"
    "per sequence step and template (when messages were sent), dispute causes\n"
    "by month, copilot review (when drafts were reviewed or wait), the 13-week\n"
    "cash forecast and, with a policy, the customers with the highest risk\n"
    "scores and their drivers and the no-silent-drops proof;\n"
    "then the audit log's size, root, checkpoint and verification.\n"
    "\n"
    "  --out FILE        where to write it (written whole, then renamed); '-' for\n"
    "                    standard output\n"
    "  --policy FILE     the policy: promise grace days and payment patterns for\n"
    "                    the KPIs, and the risk scores and coverage as of --to\n"
    "  --format html|md  one HTML file with no external resource (the default),\n"
    "                    or a Markdown summary of the same figures in tables\n";

/* ---- shared with the writers ------------------------------------------------- */

const char *report_date(archase_date d, char *buf) {
    if (d == ARCHASE_DATE_NONE || archase_date_format(d, buf, ARCHASE_DATE_FORMAT_MAX))
        buf[0] = '\0';
    return buf;
}

const char *report_value_text(const archase_kpi_value *v, const char *currency, char *buf, size_t size) {
    if (!v->defined) {
        snprintf(buf, size, "null");
        return buf;
    }
    switch (v->type) {
    case ARCHASE_KPI_MONEY: {
        archase_money m;
        m.minor = v->value;
        memcpy(m.currency, currency, 4);
        if (archase_money_format_amount(&m, buf, size) != 0)
            snprintf(buf, size, "%lld", (long long)v->value);
        return buf;
    }
    case ARCHASE_KPI_COUNT: snprintf(buf, size, "%lld", (long long)v->value); return buf;
    case ARCHASE_KPI_FLAG: snprintf(buf, size, "%s", v->value ? "true" : "false"); return buf;
    default: {
        archase_kpi_number n = { v->value, 1 };
        archase_kpi_number_format(n, buf, size);
        return buf;
    }
    }
}

size_t report_row_of(const archase_kpi_report *rep, const char *currency) {
    for (size_t i = 0; i < archase_kpi_row_count(rep); i++) {
        archase_kpi_row info = ARCHASE_KPI_ROW_INIT;
        if (archase_kpi_row_get(rep, i, &info) == 0 && !strcmp(info.currency, currency))
            return i;
    }
    return SIZE_MAX;
}

const char *report_metric_label(int metric) {
    switch (metric) {
    case ARCHASE_KPI_OPEN_AR: return "Open receivables";
    case ARCHASE_KPI_CURRENT_AR: return "Not yet due";
    case ARCHASE_KPI_BEGINNING_AR: return "Receivables at the start";
    case ARCHASE_KPI_CREDIT_SALES: return "Invoiced in the period";
    case ARCHASE_KPI_OPEN_INVOICES: return "Open invoices";
    case ARCHASE_KPI_OVER_60_AMOUNT: return "More than 60 days past due";
    case ARCHASE_KPI_OVER_60_SHARE: return "Over 60 days, % of open";
    case ARCHASE_KPI_DSO_STANDARD: return "DSO, standard method (days)";
    case ARCHASE_KPI_DSO_COUNTBACK: return "DSO, countback method (days)";
    case ARCHASE_KPI_BPDSO: return "Best possible DSO (days)";
    case ARCHASE_KPI_ADD: return "Average days delinquent";
    case ARCHASE_KPI_CEI: return "Collection effectiveness index (%)";
    case ARCHASE_KPI_AVG_DAYS_TO_PAY: return "Average days to pay";
    case ARCHASE_KPI_AVG_DAYS_LATE: return "Average days late";
    case ARCHASE_KPI_PROMISES_DUE: return "Promises due";
    case ARCHASE_KPI_PROMISES_KEPT: return "Promises kept";
    case ARCHASE_KPI_PROMISE_KEPT_COUNT: return "Promise-kept rate, by count (%)";
    case ARCHASE_KPI_PROMISE_KEPT_AMOUNT: return "Promise-kept rate, by amount (%)";
    case ARCHASE_KPI_OPEN_DISPUTES: return "Open disputes";
    case ARCHASE_KPI_OPEN_DISPUTED_AMOUNT: return "Disputed amount open";
    case ARCHASE_KPI_DISPUTE_MEAN_DAYS_OPEN: return "Disputes: mean days open";
    case ARCHASE_KPI_RESOLVED_DISPUTES: return "Disputes resolved";
    case ARCHASE_KPI_MESSAGES: return "Messages sent";
    case ARCHASE_KPI_EFFECTIVENESS: return "Messages followed by payment or promise (%)";
    default: return NULL;
    }
}

/* ---- gathering ------------------------------------------------------------------ */

typedef struct dispute_scan {
    report_data *r;
} dispute_scan;

static size_t month_index(report_data *r, archase_date d) {
    int32_t y0, m0, d0, y, m, dd;
    archase_date_to_ymd(r->from, &y0, &m0, &d0);
    archase_date_to_ymd(d, &y, &m, &dd);
    return (size_t)((y - y0) * 12 + (m - m0));
}

static int count_dispute(void *userdata, const archase_fact *fact) {
    report_data *r = ((dispute_scan *)userdata)->r;
    const archase_dispute *d = fact->dispute;
    if (!d || d->opened_on < r->from || d->opened_on > r->to)
        return 0;
    size_t month = month_index(r, d->opened_on), reason = 0;
    if (month >= r->month_count)
        return 0;
    while (reason < r->reason_count && strcmp(r->reasons[reason], d->reason_code))
        reason++;
    if (reason == r->reason_count) {
        if (r->reason_count == REPORT_MAX_REASONS)
            reason = REPORT_MAX_REASONS - 1; /* the last column takes the rest */
        else
            snprintf(r->reasons[r->reason_count++], sizeof r->reasons[0], "%s", d->reason_code);
    }
    r->disputes_opened[reason * REPORT_MAX_MONTHS + month]++;
    return 0;
}

static int gather_disputes(archase_engine *eng, report_data *r) {
    int32_t y, m, d, y1, m1, d1;
    archase_date_to_ymd(r->from, &y, &m, &d);
    archase_date_to_ymd(r->to, &y1, &m1, &d1);
    while ((y < y1 || (y == y1 && m <= m1)) && r->month_count < REPORT_MAX_MONTHS) {
        snprintf(r->months[r->month_count++], sizeof r->months[0], "%04d-%02d", (int)y, (int)m);
        if (++m > 12)
            m = 1, y++;
    }
    archase_fact_filter f = ARCHASE_FACT_FILTER_INIT;
    f.family = ARCHASE_FAMILY_DISPUTE;
    dispute_scan scan = { r };
    return archase_facts_scan(eng, &f, count_dispute, &scan);
}

/* The customers with the highest scores among the open invoices at `to`. */
static void gather_top(report_data *r) {
    size_t n = archase_assessment_count(r->ds);
    for (size_t i = 0; i < n; i++) {
        archase_invoice_assessment a = ARCHASE_INVOICE_ASSESSMENT_INIT;
        if (archase_assessment_get(r->ds, i, &a))
            continue;
        size_t k = 0;
        while (k < r->top_count && strcmp(r->top[k].customer_id, a.customer_id))
            k++;
        if (k == r->top_count) {
            /* assessments come grouped by customer: a new customer replaces the
             * weakest kept one when the list is full */
            if (r->top_count < REPORT_TOP) {
                r->top_count++;
            } else {
                size_t weakest = 0;
                for (size_t j = 1; j < r->top_count; j++)
                    if (r->top[j].score < r->top[weakest].score)
                        weakest = j;
                if (r->top[weakest].score >= a.score)
                    continue;
                k = weakest;
            }
            report_customer c = { a.customer_id, a.score, a.open_amount, a.days_overdue, 1, i, a.segment };
            r->top[k] = c;
            continue;
        }
        report_customer *c = &r->top[k];
        if (!strcmp(c->open_amount.currency, a.open_amount.currency))
            archase_money_add(&c->open_amount, &a.open_amount, &c->open_amount);
        c->invoices++;
        if (a.days_overdue > c->days_overdue)
            c->days_overdue = a.days_overdue;
        if (a.score > c->score)
            c->score = a.score, c->assessment = i, c->segment = a.segment;
    }
    /* highest score first, then the larger amount, then the id */
    for (size_t i = 1; i < r->top_count; i++)
        for (size_t j = i; j > 0; j--) {
            report_customer *x = &r->top[j - 1], *y = &r->top[j];
            int later = x->score < y->score ||
                        (x->score == y->score && (x->open_amount.minor < y->open_amount.minor ||
                                                  (x->open_amount.minor == y->open_amount.minor &&
                                                   strcmp(x->customer_id, y->customer_id) > 0)));
            if (!later)
                break;
            report_customer t = *x;
            *x = *y;
            *y = t;
        }
}

static int keep_latest_checkpoint(void *userdata, const archase_checkpoint *cp,
                                  const uint8_t public_key[ARCHASE_ED25519_PUBLIC_KEY_SIZE]) {
    (void)public_key;
    report_data *r = userdata;
    if (!r->have_checkpoint || cp->size >= r->checkpoint.size) {
        r->checkpoint = *cp;
        r->have_checkpoint = 1;
    }
    return 0;
}

static int gather(archase_engine *eng, report_data *r) {
    int rc;
    archase_kpi_options ko = ARCHASE_KPI_OPTIONS_INIT;
    ko.policy = r->policy;
    if ((rc = archase_kpi_compute(eng, r->from, r->to, &ko, &r->period)))
        return cli_fail_rc("report", rc, "KPIs", archase_engine_errmsg(eng));
    /* weekly points, each over a trailing window: a week alone is too short
     * for DSO and CEI to mean much (a week's sales against a month's AR) */
    for (archase_date end = r->from; end <= r->to && r->week_count < REPORT_MAX_WEEKS; end++) {
        if (archase_date_weekday(end) != 7 && end != r->to)
            continue;
        archase_date start = end - (REPORT_WINDOW - 1), first = 0;
        archase_date_from_ymd(1, 1, 1, &first);
        if (start < first)
            start = first;
        if ((rc = archase_kpi_compute(eng, start, end, &ko, &r->weeks[r->week_count])))
            return cli_fail_rc("report", rc, "KPIs", archase_engine_errmsg(eng));
        r->week_end[r->week_count++] = end;
    }
    archase_forecast_options fo = ARCHASE_FORECAST_OPTIONS_INIT;
    fo.policy = r->policy;
    if ((rc = archase_forecast_run(eng, r->to, &fo, &r->forecast)))
        return cli_fail_rc("report", rc, "forecast", archase_engine_errmsg(eng));
    if ((rc = gather_disputes(eng, r)))
        return cli_fail_rc("report", rc, "disputes", archase_engine_errmsg(eng));
    if (r->policy) {
        archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
        so.policy = r->policy;
        if ((rc = archase_snapshot_load(eng, r->to, &so, &r->snap)))
            return cli_fail_rc("report", rc, "the ledger", archase_engine_errmsg(eng));
        if ((rc = archase_evaluate(r->snap, r->policy, r->to, NULL, &r->ds)))
            return cli_fail_rc("report", rc, "evaluation", NULL);
        archase_coverage_report(r->ds, &r->coverage);
        gather_top(r);
    }
    r->audit.version = ARCHASE_AUDIT_REPORT_VERSION;
    r->audit_rc = archase_audit_verify(eng, NULL, &r->audit);
    if ((rc = archase_audit_checkpoints(eng, keep_latest_checkpoint, r)))
        return cli_fail_rc("report", rc, "audit checkpoints", archase_engine_errmsg(eng));
    return CLI_OK;
}

static void release(report_data *r) {
    archase_decisions_free(r->ds);
    archase_snapshot_free(r->snap);
    archase_forecast_free(r->forecast);
    for (size_t i = 0; i < r->week_count; i++)
        archase_kpi_report_free(r->weeks[i]);
    archase_kpi_report_free(r->period);
    archase_policy_free(r->policy);
}

/* ---- the command -------------------------------------------------------------------- */

static int write_report(const report_data *r, const char *out_path, int markdown) {
    int to_stdout = !strcmp(out_path, "-");
    char *temp = NULL;
    FILE *out = stdout;
    if (!to_stdout) {
        size_t len = strlen(out_path) + 8;
        temp = malloc(len);
        if (!temp)
            return cli_fail("report", CLI_INVALID, "out of memory");
        snprintf(temp, len, "%s.tmp~", out_path);
        out = fopen(temp, "w");
        if (!out) {
            free(temp);
            return cli_fail("report", CLI_INVALID, "cannot write %s", out_path);
        }
    }
    int wrc = markdown ? report_write_md(out, r) : report_write_html(out, r);
    int rc = CLI_OK;
    if (!to_stdout) {
        if (fclose(out) != 0)
            wrc = -1;
        if (wrc == 0 && rename(temp, out_path) != 0)
            wrc = -1;
        if (wrc != 0) {
            remove(temp);
            rc = cli_fail("report", CLI_INVALID, "cannot write %s", out_path);
        }
        free(temp);
    } else if (wrc != 0 || fflush(stdout) != 0) {
        rc = cli_fail("report", CLI_INVALID, "cannot write the report to standard output");
    }
    return rc;
}

int cmd_report(int argc, char **argv) {
    int help = 0, npos = 0;
    const char *pos[1], *from_text = NULL, *to_text = NULL, *out_path = NULL, *policy_path = NULL;
    const char *format = "html";
    const cli_option options[] = {
        { "from", 1, &from_text, NULL },     { "to", 1, &to_text, NULL },
        { "out", 1, &out_path, NULL },       { "policy", 1, &policy_path, NULL },
        { "format", 1, &format, NULL },      { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("report", cmd_report_help, argc, argv, 1, options, pos, 1, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 1)
        return cli_fail("report", CLI_USAGE, "expected DB (see `archase report --help`)");
    report_data r;
    memset(&r, 0, sizeof r);
    r.db = pos[0];
    r.coverage.version = ARCHASE_COVERAGE_VERSION;
    if (!from_text || archase_date_parse(from_text, &r.from) != 0)
        return cli_fail("report", CLI_USAGE, "--from DATE is required (YYYY-MM-DD)%s%s%s",
                        from_text ? ", not '" : "", from_text ? from_text : "", from_text ? "'" : "");
    if (!to_text || archase_date_parse(to_text, &r.to) != 0)
        return cli_fail("report", CLI_USAGE, "--to DATE is required (YYYY-MM-DD)%s%s%s",
                        to_text ? ", not '" : "", to_text ? to_text : "", to_text ? "'" : "");
    if (r.from > r.to)
        return cli_fail("report", CLI_USAGE, "--from %s is after --to %s", from_text, to_text);
    if (!out_path)
        return cli_fail("report", CLI_USAGE, "--out FILE is required ('-' for standard output)");
    int markdown = 0;
    if (!strcmp(format, "md"))
        markdown = 1;
    else if (strcmp(format, "html"))
        return cli_fail("report", CLI_USAGE, "--format is html or md, not '%s'", format);
    if (policy_path) {
        r.policy = cli_policy_load("report", policy_path, &rc);
        if (!r.policy)
            return CLI_INVALID;
        uint8_t hash[32];
        archase_policy_hash(r.policy, hash);
        archase_hex_encode(hash, 32, r.policy_hash, sizeof r.policy_hash);
    }
    archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
    so.create = 0;
    so.read_only = 1;
    char err[512] = "";
    archase_engine *eng = NULL;
    rc = archase_open_sqlite(r.db, &so, NULL, &eng, err, sizeof err);
    if (rc) {
        release(&r);
        return cli_fail_rc("report", rc, r.db, err);
    }
    rc = gather(eng, &r);
    if (rc == CLI_OK)
        rc = write_report(&r, out_path, markdown);
    release(&r);
    archase_engine_free(eng);
    return rc;
}
