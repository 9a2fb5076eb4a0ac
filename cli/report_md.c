/* cli/report_md.c — the report as a Markdown summary: the same figures as the
 * HTML page, in tables, for a wiki, a ticket or a terminal. */
#include <stdio.h>
#include <string.h>

#include "report.h"

/* Table cells must not break the table: '|' and line ends become spaces. */
static void cell(FILE *out, const char *text) {
    for (const char *p = text ? text : ""; *p; p++)
        fputc(*p == '|' || *p == '\n' || *p == '\r' ? ' ' : *p, out);
}

static void value(FILE *out, const archase_kpi_report *rep, size_t row, int m, const char *currency) {
    archase_kpi_value v;
    char text[48];
    if (archase_kpi_value_get(rep, row, m, &v) != 0) {
        fputs(" no data |", out);
        return;
    }
    report_value_text(&v, currency, text, sizeof text);
    fprintf(out, " %s%s%s |", v.defined ? text : "undefined", v.defined && v.type == ARCHASE_KPI_MONEY ? " " : "",
            v.defined && v.type == ARCHASE_KPI_MONEY ? currency : "");
}

static void currency_block(FILE *out, const report_data *r, size_t row) {
    archase_kpi_row info = ARCHASE_KPI_ROW_INIT;
    if (archase_kpi_row_get(r->period, row, &info))
        return;
    const char *cur = info.currency;
    fprintf(out, "\n## %s\n\n| figure | value |\n|---|---:|\n", cur);
    for (int m = 1; m < ARCHASE_KPI_METRIC_LIMIT; m++) {
        const char *label = report_metric_label(m);
        if (!label)
            continue;
        fprintf(out, "| %s |", label);
        value(out, r->period, row, m, cur);
        fputc('\n', out);
    }
    static const int trend[] = { ARCHASE_KPI_OPEN_AR, ARCHASE_KPI_OVER_60_SHARE, ARCHASE_KPI_DSO_STANDARD,
                                 ARCHASE_KPI_CEI, ARCHASE_KPI_PROMISE_KEPT_COUNT };
    fputs("\n### Week by week (each over the 30 days to its end)\n\n| 30 days to |", out);
    for (size_t m = 0; m < sizeof trend / sizeof trend[0]; m++)
        fprintf(out, " %s |", archase_kpi_metric_name(trend[m]));
    fputs("\n|---|", out);
    for (size_t m = 0; m < sizeof trend / sizeof trend[0]; m++)
        fputs("---:|", out);
    fputc('\n', out);
    for (size_t i = 0; i < r->week_count; i++) {
        char date[ARCHASE_DATE_FORMAT_MAX];
        size_t wrow = report_row_of(r->weeks[i], cur);
        fprintf(out, "| %s |", report_date(r->week_end[i], date));
        for (size_t m = 0; m < sizeof trend / sizeof trend[0]; m++)
            value(out, r->weeks[i], wrow, trend[m], cur);
        fputc('\n', out);
    }
    int heading = 0;
    for (size_t i = 0; i < archase_kpi_effectiveness_count(r->period); i++) {
        archase_kpi_effectiveness g = ARCHASE_KPI_EFFECTIVENESS_INIT;
        char eff[24], dis[24];
        if (archase_kpi_effectiveness_get(r->period, i, &g) || g.row != row)
            continue;
        if (!heading++)
            fputs("\n### Messages followed by payment or promise\n\n| step or template | messages | effective | "
                  "effective % | disputed % |\n|---|---:|---:|---:|---:|\n",
                  out);
        archase_kpi_number_format(g.effective_percent, eff, sizeof eff);
        archase_kpi_number_format(g.dispute_percent, dis, sizeof dis);
        fprintf(out, "| %s ", g.dimension == ARCHASE_KPI_BY_STEP ? "step" : "template");
        cell(out, g.name);
        fprintf(out, " | %llu | %llu | %s | %s |\n", (unsigned long long)g.messages, (unsigned long long)g.effective,
                g.effective_percent.defined ? eff : "undefined", g.dispute_percent.defined ? dis : "undefined");
    }
    for (size_t f = 0; f < archase_forecast_row_count(r->forecast); f++) {
        archase_forecast_row fr = ARCHASE_FORECAST_ROW_INIT;
        if (archase_forecast_row_get(r->forecast, f, &fr) || strcmp(fr.currency, cur))
            continue;
        fputs("\n### Cash forecast, 13 weeks\n\n| week | from | to | expected |\n|---:|---|---|---:|\n", out);
        for (uint32_t k = 1; k <= fr.weeks; k++) {
            archase_forecast_week wk = ARCHASE_FORECAST_WEEK_INIT;
            char a[ARCHASE_DATE_FORMAT_MAX], b[ARCHASE_DATE_FORMAT_MAX], amount[ARCHASE_MONEY_FORMAT_MAX];
            if (archase_forecast_week_get(r->forecast, f, k, &wk))
                continue;
            archase_money m = { wk.expected, "" };
            memcpy(m.currency, cur, 4);
            archase_money_format(&m, amount, sizeof amount);
            fprintf(out, "| %u | %s | %s | %s |\n", wk.week, report_date(wk.from, a), report_date(wk.to, b), amount);
        }
    }
}

int report_write_md(FILE *out, const report_data *r) {
    char from[ARCHASE_DATE_FORMAT_MAX], to[ARCHASE_DATE_FORMAT_MAX];
    fprintf(out, "# Receivables report, %s to %s\n\nLedger `", report_date(r->from, from), report_date(r->to, to));
    cell(out, r->db);
    fputc('`', out);
    if (r->policy) {
        fputs(", policy ", out);
        cell(out, archase_policy_name(r->policy));
        fprintf(out, " (`%.16s`)", r->policy_hash);
    }
    fprintf(out, ". Made by libarchase %s; the figures are those of `archase kpi --json`.\n",
            archase_version_string());
    for (size_t i = 0; i < archase_kpi_row_count(r->period); i++)
        currency_block(out, r, i);

    fputs("\n## Disputes opened per month, by reason\n\n| reason |", out);
    for (size_t m = 0; m < r->month_count; m++)
        fprintf(out, " %s |", r->months[m]);
    fputs("\n|---|", out);
    for (size_t m = 0; m < r->month_count; m++)
        fputs("---:|", out);
    fputc('\n', out);
    for (size_t k = 0; k < r->reason_count; k++) {
        fputs("| ", out);
        cell(out, r->reasons[k]);
        fputs(" |", out);
        for (size_t m = 0; m < r->month_count; m++)
            fprintf(out, " %lld |", (long long)r->disputes_opened[k * REPORT_MAX_MONTHS + m]);
        fputc('\n', out);
    }

    if (r->ds) {
        fprintf(out, "\n## Highest risk scores on %s\n\n| customer | score | open | days overdue | top drivers |\n"
                     "|---|---:|---:|---:|---|\n",
                to);
        for (size_t i = 0; i < r->top_count; i++) {
            const report_customer *c = &r->top[i];
            char amount[ARCHASE_MONEY_FORMAT_MAX] = "";
            archase_money_format(&c->open_amount, amount, sizeof amount);
            fputs("| ", out);
            cell(out, c->customer_id);
            fprintf(out, " | %d | %s | %d | ", (int)c->score, amount, (int)c->days_overdue);
            archase_invoice_assessment a = ARCHASE_INVOICE_ASSESSMENT_INIT;
            archase_assessment_get(r->ds, c->assessment, &a);
            for (size_t k = 0; k < a.driver_count; k++) {
                archase_score_driver d;
                if (archase_assessment_driver(r->ds, c->assessment, k, &d))
                    continue;
                fputs(k ? "; " : "", out);
                cell(out, d.name);
                fprintf(out, " (%+lld)", (long long)d.points);
            }
            fputs(" |\n", out);
        }
        fprintf(out, "\n## No silent drops on %s\n\n%llu overdue invoices of %llu open:\n\n| where | invoices |\n"
                     "|---|---:|\n",
                to, (unsigned long long)r->coverage.overdue_invoices,
                (unsigned long long)r->coverage.open_invoices);
        for (int st = 1; st < ARCHASE_COVERAGE_STATE_LIMIT; st++)
            fprintf(out, "| %s | %llu |\n", archase_coverage_state_name(st),
                    (unsigned long long)r->coverage.by_state[st]);
        fprintf(out, "| unaccounted | %llu |\n", (unsigned long long)r->coverage.unaccounted);
    }

    fputs("\n## Audit log\n\n", out);
    if (r->audit_rc == 0 && r->audit.problem == ARCHASE_AUDIT_PROBLEM_NONE) {
        char root[65];
        archase_hex_encode(r->audit.root, 32, root, sizeof root);
        fprintf(out, "Verified: %llu records, log `%s`, Merkle root `%s`.\n", (unsigned long long)r->audit.size,
                r->audit.log_id, root);
    } else {
        fprintf(out, "**Not verified**: %s\n", r->audit_rc ? archase_strerror(r->audit_rc) : r->audit.message);
    }
    if (r->have_checkpoint) {
        char root[65];
        archase_hex_encode(r->checkpoint.root, 32, root, sizeof root);
        fprintf(out, "Latest signed checkpoint: %llu records, root `%s`.\n", (unsigned long long)r->checkpoint.size,
                root);
    } else {
        fputs("No signed checkpoint yet.\n", out);
    }
    return ferror(out) ? -1 : 0;
}
