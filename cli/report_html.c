/* cli/report_html.c — the report as one HTML file: inline CSS and SVG, no
 * script and no external resource, so it opens anywhere, offline, and can be
 * mailed as it is. Every chart has a table with its figures beside it. */
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "report_svg.h"

#define MAX_POINTS 160

static const char style[] =
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b1b1b;"
    "max-width:1100px;margin:0 auto;padding:24px;background:#fff}"
    "h1{font-size:26px;margin:0 0 4px}h2{font-size:21px;border-bottom:2px solid #0072B2;"
    "padding-bottom:4px;margin-top:40px}h3{font-size:17px;margin:28px 0 8px}"
    ".meta{color:#444}nav ul{columns:2;padding-left:18px}"
    "figure{margin:12px 0;display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}"
    "figcaption{font-size:13px;color:#444;flex-basis:100%}"
    "svg.chart{max-width:100%;height:auto;border:1px solid #ddd;background:#fff}"
    "svg .grid{stroke:#e3e3e3;stroke-width:1}svg .tick,svg .legend{font-size:11px;fill:#333}"
    "svg .empty{font-size:14px;fill:#777}"
    "table{border-collapse:collapse;font-size:13px;margin:6px 0}"
    "th,td{border:1px solid #d0d0d0;padding:3px 8px;text-align:left}"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}"
    "thead th{background:#f2f5f8}details{margin:8px 0}"
    ".ok{color:#006b3c;font-weight:600}.bad{color:#b00020;font-weight:600}"
    "code{font-size:12px;word-break:break-all}"
    "@media print{svg.chart{border:none}details{display:block}}";

typedef struct page {
    FILE                *out;
    const report_data   *r;
} page;

static void esc(page *p, const char *text) {
    svg_escape(p->out, text);
}

/* The value of a metric and whether it is defined. */
static int64_t metric(const archase_kpi_report *rep, size_t row, int m, unsigned char *defined) {
    archase_kpi_value v;
    if (archase_kpi_value_get(rep, row, m, &v) != 0 || !v.defined) {
        *defined = 0;
        return 0;
    }
    *defined = 1;
    return v.value;
}

/* The labels of the trend's points ("03-29", the day each window ends). */
static size_t week_labels(const report_data *r, char (*labels)[16], const char **label_ptrs) {
    size_t n = r->week_count < MAX_POINTS ? r->week_count : MAX_POINTS;
    for (size_t i = 0; i < n; i++) {
        char date[ARCHASE_DATE_FORMAT_MAX];
        report_date(r->week_end[i], date);
        snprintf(labels[i], 16, "%s", date + 5);
        label_ptrs[i] = labels[i];
    }
    return n;
}

static void value_cell(page *p, const archase_kpi_report *rep, size_t row, int m, const char *currency,
                       int with_key) {
    archase_kpi_value v;
    char text[48];
    if (archase_kpi_value_get(rep, row, m, &v) != 0) {
        fputs("<td class=\"num\">no data</td>", p->out);
        return;
    }
    report_value_text(&v, currency, text, sizeof text);
    fputs("<td class=\"num\"", p->out);
    if (with_key)
        fprintf(p->out, " data-kpi=\"%s\" data-currency=\"%s\" data-value=\"%s\"", archase_kpi_metric_name(m),
                currency, text);
    fprintf(p->out, ">%s%s%s</td>", v.defined ? text : "undefined",
            v.defined && v.type == ARCHASE_KPI_MONEY ? " " : "",
            v.defined && v.type == ARCHASE_KPI_MONEY ? currency : "");
}

static void figure_open(page *p) {
    fputs("<figure>\n", p->out);
}

static void figure_close(page *p, const char *caption) {
    fputs("<figcaption>", p->out);
    esc(p, caption);
    fputs("</figcaption>\n</figure>\n", p->out);
}

/* A table of a trend chart: the window's end, then one column per metric. */
static void weekly_table(page *p, const char *caption, const int *metrics, size_t metric_count,
                         const char *currency) {
    fputs("<details><summary>", p->out);
    esc(p, caption);
    fputs(" (table)</summary>\n<table><thead><tr><th>30 days to</th>", p->out);
    for (size_t m = 0; m < metric_count; m++)
        fprintf(p->out, "<th class=\"num\">%s</th>", archase_kpi_metric_name(metrics[m]));
    fputs("</tr></thead><tbody>\n", p->out);
    for (size_t i = 0; i < p->r->week_count && i < MAX_POINTS; i++) {
        char date[ARCHASE_DATE_FORMAT_MAX];
        fprintf(p->out, "<tr><td>%s</td>", report_date(p->r->week_end[i], date));
        size_t row = report_row_of(p->r->weeks[i], currency);
        for (size_t m = 0; m < metric_count; m++)
            value_cell(p, p->r->weeks[i], row, metrics[m], currency, 0);
        fputs("</tr>\n", p->out);
    }
    fputs("</tbody></table></details>\n", p->out);
}

/* A chart of the trend: lines or stacked bars. */
static void weekly_chart(page *p, const char *id, const char *title, const char *desc, const char *currency,
                         const int *metrics, const char *const *names, size_t metric_count, int bars,
                         svg_label_fn label) {
    static char labels[MAX_POINTS][16];
    static const char *label_ptrs[MAX_POINTS];
    static int64_t values[8 * MAX_POINTS];
    static unsigned char defined[8 * MAX_POINTS];
    size_t n = week_labels(p->r, labels, label_ptrs);
    for (size_t i = 0; i < n; i++) {
        size_t row = report_row_of(p->r->weeks[i], currency);
        for (size_t m = 0; m < metric_count; m++)
            values[m * n + i] = metric(p->r->weeks[i], row, metrics[m], &defined[m * n + i]);
    }
    char chart_id[64];
    snprintf(chart_id, sizeof chart_id, "%s-%s", id, currency);
    svg_chart c = { chart_id, title, desc, n, label_ptrs, metric_count, names, values, defined, label,
                    currency };
    figure_open(p);
    if (bars)
        svg_stacked_bars(p->out, &c);
    else
        svg_lines(p->out, &c);
    weekly_table(p, title, metrics, metric_count, currency);
    figure_close(p, desc);
}

static void key_figures(page *p, size_t row, const char *currency) {
    fputs("<h3>Key figures</h3>\n<table><thead><tr><th>figure</th><th class=\"num\">value</th></tr></thead><tbody>\n",
          p->out);
    for (int m = 1; m < ARCHASE_KPI_METRIC_LIMIT; m++) {
        const char *label = report_metric_label(m);
        if (!label)
            continue;
        fputs("<tr><td>", p->out);
        esc(p, label);
        fputs("</td>", p->out);
        value_cell(p, p->r->period, row, m, currency, 1);
        fputs("</tr>\n", p->out);
    }
    fputs("</tbody></table>\n<details><summary>Every figure, by its name in <code>archase kpi --json</code></summary>\n"
          "<table><thead><tr><th>name</th><th class=\"num\">value</th></tr></thead><tbody>\n",
          p->out);
    for (int m = 1; m < ARCHASE_KPI_METRIC_LIMIT; m++) {
        archase_kpi_value v;
        if (archase_kpi_value_get(p->r->period, row, m, &v) != 0)
            continue;
        fprintf(p->out, "<tr><td><code>%s</code></td>", archase_kpi_metric_name(m));
        value_cell(p, p->r->period, row, m, currency, 1);
        fputs("</tr>\n", p->out);
    }
    fputs("</tbody></table></details>\n", p->out);
}

static void effectiveness(page *p, size_t row, const char *currency) {
    static const struct {
        int         dimension;
        const char *what;
    } dims[] = { { ARCHASE_KPI_BY_STEP, "sequence step" }, { ARCHASE_KPI_BY_TEMPLATE, "template" } };
    fputs("<h3>Collection effectiveness</h3>\n", p->out);
    for (size_t d = 0; d < 2; d++) {
        static const char *labels[64];
        static int64_t values[64];
        static unsigned char defined[64];
        size_t n = 0;
        for (size_t i = 0; i < archase_kpi_effectiveness_count(p->r->period) && n < 64; i++) {
            archase_kpi_effectiveness g = ARCHASE_KPI_EFFECTIVENESS_INIT;
            if (archase_kpi_effectiveness_get(p->r->period, i, &g) || g.row != row ||
                g.dimension != dims[d].dimension)
                continue;
            labels[n] = g.name;
            values[n] = g.effective_percent.hundredths;
            defined[n++] = (unsigned char)g.effective_percent.defined;
        }
        if (!n) {
            fprintf(p->out, "<p>No message was sent in the period, so there is no effectiveness per %s "
                            "yet: it comes from the daily cycle's messages.</p>\n",
                    dims[d].what);
            return;
        }
        char id[64], title[96];
        snprintf(id, sizeof id, "effect-%s-%s", d ? "template" : "step", currency);
        snprintf(title, sizeof title, "Messages followed by payment or promise, per %s (%%)", dims[d].what);
        static const char *const name[] = { "effective %" };
        svg_chart c = { id, title,
                        "For each one, the share of its messages after which the invoice was paid or a "
                        "promise made within the response window.",
                        n, labels, 1, name, values, defined, svg_label_hundredths, NULL };
        figure_open(p);
        svg_hbars(p->out, &c);
        fprintf(p->out, "<table><thead><tr><th>%s</th><th class=\"num\">messages</th><th class=\"num\">effective</th>"
                        "<th class=\"num\">effective %%</th><th class=\"num\">disputed %%</th></tr></thead><tbody>\n",
                dims[d].what);
        for (size_t i = 0; i < archase_kpi_effectiveness_count(p->r->period); i++) {
            archase_kpi_effectiveness g = ARCHASE_KPI_EFFECTIVENESS_INIT;
            char eff[24], dis[24];
            if (archase_kpi_effectiveness_get(p->r->period, i, &g) || g.row != row ||
                g.dimension != dims[d].dimension)
                continue;
            archase_kpi_number_format(g.effective_percent, eff, sizeof eff);
            archase_kpi_number_format(g.dispute_percent, dis, sizeof dis);
            fputs("<tr><td>", p->out);
            esc(p, g.name);
            fprintf(p->out, "</td><td class=\"num\">%llu</td><td class=\"num\">%llu</td><td class=\"num\">%s</td>"
                            "<td class=\"num\">%s</td></tr>\n",
                    (unsigned long long)g.messages, (unsigned long long)g.effective,
                    g.effective_percent.defined ? eff : "undefined", g.dispute_percent.defined ? dis : "undefined");
        }
        fputs("</tbody></table>\n", p->out);
        figure_close(p, title);
    }
}

static void forecast(page *p, const char *currency) {
    const archase_forecast *f = p->r->forecast;
    for (size_t row = 0; row < archase_forecast_row_count(f); row++) {
        archase_forecast_row fr = ARCHASE_FORECAST_ROW_INIT;
        if (archase_forecast_row_get(f, row, &fr) || strcmp(fr.currency, currency))
            continue;
        static char labels[104][16];
        static const char *label_ptrs[104];
        static int64_t values[3 * 104];
        uint32_t n = fr.weeks > 104 ? 104 : fr.weeks;
        for (uint32_t w = 0; w < n; w++) {
            archase_forecast_week wk = ARCHASE_FORECAST_WEEK_INIT;
            archase_forecast_week_get(f, row, w + 1, &wk);
            char date[ARCHASE_DATE_FORMAT_MAX];
            snprintf(labels[w], 16, "%s", report_date(wk.to, date) + 5);
            label_ptrs[w] = labels[w];
            values[w] = wk.from_patterns;
            values[n + w] = wk.from_promises;
            values[2 * n + w] = wk.from_disputed;
        }
        static const char *const names[] = { "invoices, by payment pattern", "promises to pay",
                                             "disputed, discounted" };
        char id[64], as_of[ARCHASE_DATE_FORMAT_MAX];
        snprintf(id, sizeof id, "forecast-%s", currency);
        svg_chart c = { id, "Cash forecast: the 13 weeks ahead",
                        "Receipts expected each week from the open invoices (due date shifted by each "
                        "customer's payment pattern) and the open promises to pay (weighted by the kept rate).",
                        n, label_ptrs, 3, names, values, NULL, svg_label_money, currency };
        fprintf(p->out, "<h3>Cash forecast from %s</h3>\n", report_date(fr.as_of, as_of));
        figure_open(p);
        svg_stacked_bars(p->out, &c);
        fputs("<details><summary>Cash forecast (table)</summary><table><thead><tr><th>week</th><th>from</th>"
              "<th>to</th><th class=\"num\">expected</th><th class=\"num\">invoices</th>"
              "<th class=\"num\">promises</th></tr></thead><tbody>\n",
              p->out);
        for (uint32_t w = 0; w < n; w++) {
            archase_forecast_week wk = ARCHASE_FORECAST_WEEK_INIT;
            archase_forecast_week_get(f, row, w + 1, &wk);
            char a[ARCHASE_DATE_FORMAT_MAX], b[ARCHASE_DATE_FORMAT_MAX], amount[ARCHASE_MONEY_FORMAT_MAX];
            archase_money m = { wk.expected, "" };
            memcpy(m.currency, currency, 4);
            archase_money_format(&m, amount, sizeof amount);
            char value[ARCHASE_MONEY_FORMAT_MAX] = "";
            archase_money_format_amount(&m, value, sizeof value);
            fprintf(p->out, "<tr><td>%u</td><td>%s</td><td>%s</td><td class=\"num\" data-forecast-week=\"%u\" "
                            "data-currency=\"%s\" data-value=\"%s\">%s</td><td class=\"num\">%u</td>"
                            "<td class=\"num\">%u</td></tr>\n",
                    wk.week, report_date(wk.from, a), report_date(wk.to, b), wk.week, currency, value, amount,
                    wk.invoices, wk.promises);
        }
        fputs("</tbody></table></details>\n", p->out);
        figure_close(p, "Expected receipts per week; the table lists the same amounts.");
        archase_money open = { fr.open_ar, "" }, expected = { fr.expected, "" }, beyond = { fr.beyond, "" },
                      doubtful = { fr.doubtful, "" };
        memcpy(open.currency, currency, 4);
        memcpy(expected.currency, currency, 4);
        memcpy(beyond.currency, currency, 4);
        memcpy(doubtful.currency, currency, 4);
        char t1[ARCHASE_MONEY_FORMAT_MAX], t2[ARCHASE_MONEY_FORMAT_MAX], t3[ARCHASE_MONEY_FORMAT_MAX],
            t4[ARCHASE_MONEY_FORMAT_MAX], mae[24] = "n/a";
        archase_money_format(&open, t1, sizeof t1);
        archase_money_format(&expected, t2, sizeof t2);
        archase_money_format(&beyond, t3, sizeof t3);
        archase_money_format(&doubtful, t4, sizeof t4);
        if (fr.backtest_mae_percent.defined)
            archase_kpi_number_format(fr.backtest_mae_percent, mae, sizeof mae);
        fprintf(p->out, "<p>Open %s: %s expected within the 13 weeks, %s later, %s doubtful (too far past its "
                        "expected date). Back-tested over %u earlier dates, the weekly error was %s%% of the "
                        "average week.</p>\n",
                t1, t2, t3, t4, fr.backtest_origins, mae);
    }
}

static void currency_section(page *p, size_t row) {
    archase_kpi_row info = ARCHASE_KPI_ROW_INIT;
    if (archase_kpi_row_get(p->r->period, row, &info))
        return;
    const char *cur = info.currency;
    fprintf(p->out, "<section id=\"currency-%s\">\n<h2>%s</h2>\n", cur, cur);
    key_figures(p, row, cur);

    static const int aging[] = { ARCHASE_KPI_AGING_CURRENT, ARCHASE_KPI_AGING_1_30, ARCHASE_KPI_AGING_31_60,
                                 ARCHASE_KPI_AGING_61_90, ARCHASE_KPI_AGING_91_PLUS };
    static const char *const aging_names[] = { "not yet due", "1-30 days", "31-60 days", "61-90 days",
                                               "91+ days" };
    fprintf(p->out, "<h3 id=\"aging-%s-heading\">Receivables aging, week by week</h3>\n", cur);
    weekly_chart(p, "aging", "Open receivables by days past due, at the end of each week",
                 "Stacked bars: the open amount at the end of each week (each Sunday, and the report's last "
                 "day), split into not yet due, 1-30, 31-60, 61-90 and more than 90 days past due.",
                 cur, aging, aging_names, 5, 1, svg_label_money);

    static const int dso[] = { ARCHASE_KPI_DSO_STANDARD, ARCHASE_KPI_DSO_COUNTBACK };
    static const char *const dso_names[] = { "DSO, standard", "DSO, countback" };
    fputs("<h3>DSO, CEI and over-60 trends</h3>\n", p->out);
    weekly_chart(p, "dso", "Days sales outstanding, week by week",
                 "Lines: at the end of each week, the DSO of the 30 days that end then, by the standard and "
                 "the countback method, in days (docs/kpi-formulas.md).",
                 cur, dso, dso_names, 2, 0, svg_label_hundredths);
    static const int cei[] = { ARCHASE_KPI_CEI, ARCHASE_KPI_OVER_60_SHARE };
    static const char *const cei_names[] = { "CEI %", "over 60 days, % of open" };
    weekly_chart(p, "cei", "Collection effectiveness index and over-60 share, week by week",
                 "Lines: at the end of each week, the CEI of the 30 days that end then, and the share of open "
                 "receivables more than 60 days past due, in percent.",
                 cur, cei, cei_names, 2, 0, svg_label_hundredths);
    static const int kept[] = { ARCHASE_KPI_PROMISE_KEPT_COUNT, ARCHASE_KPI_PROMISE_KEPT_AMOUNT };
    static const char *const kept_names[] = { "kept, by count %", "kept, by amount %" };
    fputs("<h3>Promises to pay</h3>\n", p->out);
    weekly_chart(p, "kept", "Promise-kept rate, week by week",
                 "Lines: at the end of each week, of the promises whose date plus grace fell in the 30 days "
                 "that end then, the share kept, by count and by amount; no promise due, no point.",
                 cur, kept, kept_names, 2, 0, svg_label_hundredths);
    effectiveness(p, row, cur);
    forecast(p, cur);
    fputs("</section>\n", p->out);
}

static void disputes(page *p) {
    const report_data *r = p->r;
    static const char *labels[REPORT_MAX_MONTHS], *names[REPORT_MAX_REASONS];
    static int64_t values[REPORT_MAX_REASONS * REPORT_MAX_MONTHS];
    for (size_t m = 0; m < r->month_count; m++)
        labels[m] = r->months[m];
    for (size_t k = 0; k < r->reason_count; k++) {
        names[k] = r->reasons[k];
        for (size_t m = 0; m < r->month_count; m++)
            values[k * r->month_count + m] = r->disputes_opened[k * REPORT_MAX_MONTHS + m];
    }
    fputs("<section id=\"disputes\">\n<h2>Dispute causes by month</h2>\n", p->out);
    svg_chart c = { "disputes", "Disputes opened per month, by reason",
                    "Stacked bars: the number of disputes opened in each month of the period, split by "
                    "their reason code (every currency).",
                    r->month_count, labels, r->reason_count, names, values, NULL, svg_label_count, NULL };
    figure_open(p);
    svg_stacked_bars(p->out, &c);
    fputs("<table><thead><tr><th>reason</th>", p->out);
    for (size_t m = 0; m < r->month_count; m++)
        fprintf(p->out, "<th class=\"num\">%s</th>", r->months[m]);
    fputs("</tr></thead><tbody>\n", p->out);
    for (size_t k = 0; k < r->reason_count; k++) {
        fputs("<tr><td>", p->out);
        esc(p, r->reasons[k]);
        fputs("</td>", p->out);
        for (size_t m = 0; m < r->month_count; m++)
            fprintf(p->out, "<td class=\"num\">%lld</td>", (long long)r->disputes_opened[k * REPORT_MAX_MONTHS + m]);
        fputs("</tr>\n", p->out);
    }
    fputs("</tbody></table>\n", p->out);
    figure_close(p, "Disputes opened per month by reason; the table gives the counts.");
    fputs("</section>\n", p->out);
}

/* Copilot mode: what reviewers did with the drafts (every currency). */
static void reviews(page *p) {
    archase_kpi_reviewer_effort e = ARCHASE_KPI_REVIEWER_EFFORT_INIT;
    if (archase_kpi_reviewer_effort_get(p->r->period, &e) != 0 || (e.reviewed == 0 && e.pending == 0))
        return;
    static const char *labels[] = { "approved as drafted", "edited, then sent", "rejected", "still waiting" };
    int64_t values[] = { (int64_t)e.approved, (int64_t)e.edited, (int64_t)e.rejected, (int64_t)e.pending };
    static const char *const name[] = { "drafts" };
    svg_chart c = { "reviews", "Drafts reviewed in the period, by what the reviewer did",
                    "Horizontal bars: the copilot-mode drafts approved as drafted, edited, rejected, and still "
                    "waiting at the end of the period.",
                    4, labels, 1, name, values, NULL, svg_label_count, NULL };
    char edit[24] = "undefined", reject[24] = "undefined", mean[24] = "undefined", median[24] = "undefined";
    if (e.edit_percent.defined)
        archase_kpi_number_format(e.edit_percent, edit, sizeof edit);
    if (e.reject_percent.defined)
        archase_kpi_number_format(e.reject_percent, reject, sizeof reject);
    if (e.mean_minutes_to_review.defined)
        archase_kpi_number_format(e.mean_minutes_to_review, mean, sizeof mean);
    if (e.median_minutes_to_review.defined)
        archase_kpi_number_format(e.median_minutes_to_review, median, sizeof median);
    fputs("<section id=\"reviews\">\n<h2>Copilot review</h2>\n", p->out);
    figure_open(p);
    svg_hbars(p->out, &c);
    fprintf(p->out, "<table><tbody>\n<tr><th>reviewed</th><td class=\"num\">%llu</td></tr>\n"
                    "<tr><th>edited, %% of reviewed</th><td class=\"num\">%s</td></tr>\n"
                    "<tr><th>rejected, %% of reviewed</th><td class=\"num\">%s</td></tr>\n"
                    "<tr><th>minutes from draft to review, mean</th><td class=\"num\">%s</td></tr>\n"
                    "<tr><th>minutes from draft to review, median</th><td class=\"num\">%s</td></tr>\n"
                    "</tbody></table>\n",
            (unsigned long long)e.reviewed, edit, reject, mean, median);
    figure_close(p, "What reviewers did with the drafts; the table gives the rates and the time taken.");
    fputs("</section>\n", p->out);
}

static void risk(page *p) {
    const report_data *r = p->r;
    char date[ARCHASE_DATE_FORMAT_MAX];
    fputs("<section id=\"risk\">\n<h2>Customers with the highest risk scores</h2>\n", p->out);
    if (!r->ds) {
        fputs("<p>Give <code>--policy FILE</code> for the risk scores: they are the policy's.</p>\n</section>\n",
              p->out);
        return;
    }
    static const char *labels[REPORT_TOP];
    static int64_t values[REPORT_TOP];
    for (size_t i = 0; i < r->top_count; i++) {
        labels[i] = r->top[i].customer_id;
        values[i] = r->top[i].score;
    }
    static const char *const name[] = { "risk score" };
    svg_chart c = { "risk", "Risk score of the customers with the highest scores (0 to 1000)",
                    "Horizontal bars: each customer's highest invoice risk score under the policy; the table "
                    "names the drivers behind it.",
                    r->top_count, labels, 1, name, values, NULL, svg_label_count, NULL };
    fprintf(p->out, "<p>As of %s, under the policy's risk-score drivers.</p>\n", report_date(r->to, date));
    figure_open(p);
    svg_hbars(p->out, &c);
    fputs("<table><thead><tr><th>customer</th><th class=\"num\">score</th><th class=\"num\">open</th>"
          "<th class=\"num\">days overdue</th><th>segment</th><th>top drivers (points)</th></tr></thead><tbody>\n",
          p->out);
    for (size_t i = 0; i < r->top_count; i++) {
        const report_customer *cu = &r->top[i];
        char amount[ARCHASE_MONEY_FORMAT_MAX] = "";
        archase_money_format(&cu->open_amount, amount, sizeof amount);
        fputs("<tr><td>", p->out);
        esc(p, cu->customer_id);
        fprintf(p->out, "</td><td class=\"num\">%d</td><td class=\"num\">%s</td><td class=\"num\">%d</td><td>",
                (int)cu->score, amount, (int)cu->days_overdue);
        esc(p, cu->segment);
        fputs("</td><td>", p->out);
        archase_invoice_assessment a = ARCHASE_INVOICE_ASSESSMENT_INIT;
        archase_assessment_get(r->ds, cu->assessment, &a);
        for (size_t k = 0; k < a.driver_count; k++) {
            archase_score_driver d;
            if (archase_assessment_driver(r->ds, cu->assessment, k, &d))
                continue;
            fputs(k ? "; " : "", p->out);
            esc(p, d.name);
            fprintf(p->out, " (%+lld)", (long long)d.points);
        }
        fputs("</td></tr>\n", p->out);
    }
    fputs("</tbody></table>\n", p->out);
    figure_close(p, "Risk scores with their drivers.");
    fputs("</section>\n", p->out);
}

static void coverage(page *p) {
    const report_data *r = p->r;
    char date[ARCHASE_DATE_FORMAT_MAX];
    fputs("<section id=\"coverage\">\n<h2>No silent drops: where every overdue invoice is</h2>\n", p->out);
    if (!r->ds) {
        fputs("<p>Give <code>--policy FILE</code> for the coverage proof.</p>\n</section>\n", p->out);
        return;
    }
    static const char *labels[ARCHASE_COVERAGE_STATE_LIMIT + 1];
    static int64_t values[ARCHASE_COVERAGE_STATE_LIMIT + 1];
    size_t n = 0;
    for (int st = 1; st < ARCHASE_COVERAGE_STATE_LIMIT; st++) {
        labels[n] = archase_coverage_state_name(st);
        values[n++] = (int64_t)r->coverage.by_state[st];
    }
    labels[n] = "unaccounted";
    values[n++] = (int64_t)r->coverage.unaccounted;
    static const char *const name[] = { "invoices" };
    svg_chart c = { "coverage", "Overdue invoices by where they are",
                    "Horizontal bars: the overdue invoices in an active sequence, under a promise, disputed, on "
                    "hold or in the exceptions queue; unaccounted is always zero.",
                    n, labels, 1, name, values, NULL, svg_label_count, NULL };
    fprintf(p->out, "<p>As of %s: %llu open invoices, %llu of them overdue; <span class=\"%s\">%llu unaccounted</span>.</p>\n",
            report_date(r->to, date), (unsigned long long)r->coverage.open_invoices,
            (unsigned long long)r->coverage.overdue_invoices, r->coverage.unaccounted ? "bad" : "ok",
            (unsigned long long)r->coverage.unaccounted);
    figure_open(p);
    svg_hbars(p->out, &c);
    fputs("<table><thead><tr><th>where</th><th class=\"num\">invoices</th></tr></thead><tbody>\n", p->out);
    for (size_t i = 0; i < n; i++)
        fprintf(p->out, "<tr><td>%s</td><td class=\"num\" data-coverage=\"%s\">%lld</td></tr>\n", labels[i],
                labels[i], (long long)values[i]);
    fputs("</tbody></table>\n<table><thead><tr><th>why (the reason of each state)</th><th class=\"num\">invoices</th>"
          "</tr></thead><tbody>\n",
          p->out);
    for (int k = 1; k < ARCHASE_REASON_LIMIT_; k++)
        if (r->coverage.by_reason[k])
            fprintf(p->out, "<tr><td>%s</td><td class=\"num\">%llu</td></tr>\n", archase_reason_name(k),
                    (unsigned long long)r->coverage.by_reason[k]);
    fputs("</tbody></table>\n", p->out);
    figure_close(p, "Every overdue invoice is in exactly one state.");
    fputs("</section>\n", p->out);
}

static void audit(page *p) {
    const report_data *r = p->r;
    char root[65] = "";
    fputs("<section id=\"audit\">\n<h2>Audit log</h2>\n", p->out);
    if (r->audit_rc == 0 && r->audit.problem == ARCHASE_AUDIT_PROBLEM_NONE) {
        archase_hex_encode(r->audit.root, 32, root, sizeof root);
        fprintf(p->out, "<p class=\"ok\" data-audit=\"verified\">Verified: every record, its hash and its link, "
                        "and the Merkle roots.</p>\n<table><tbody>\n<tr><th>log id</th><td><code>%s</code></td></tr>\n"
                        "<tr><th>records</th><td class=\"num\">%llu</td></tr>\n"
                        "<tr><th>Merkle root</th><td><code>%s</code></td></tr>\n",
                r->audit.log_id, (unsigned long long)r->audit.size, root);
    } else {
        fprintf(p->out, "<p class=\"bad\" data-audit=\"invalid\">Not verified: ");
        esc(p, r->audit_rc ? archase_strerror(r->audit_rc) : r->audit.message);
        fputs("</p>\n<table><tbody>\n", p->out);
    }
    if (r->have_checkpoint) {
        char cp_root[65], at[ARCHASE_INSTANT_FORMAT_MAX] = "";
        archase_hex_encode(r->checkpoint.root, 32, cp_root, sizeof cp_root);
        archase_instant_format(r->checkpoint.time, at, sizeof at);
        fprintf(p->out, "<tr><th>latest signed checkpoint</th><td>%llu records at %s, root <code>%s</code></td></tr>\n",
                (unsigned long long)r->checkpoint.size, at, cp_root);
    } else {
        fputs("<tr><th>signed checkpoint</th><td>none yet (<code>archase audit checkpoint DB --key KEY.pem</code> "
              "signs one)</td></tr>\n",
              p->out);
    }
    fputs("</tbody></table>\n</section>\n", p->out);
}

int report_write_html(FILE *out, const report_data *r) {
    page p = { out, r };
    char from[ARCHASE_DATE_FORMAT_MAX], to[ARCHASE_DATE_FORMAT_MAX];
    report_date(r->from, from);
    report_date(r->to, to);
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Receivables report, ",
          out);
    fprintf(out, "%s to %s</title>\n<style>%s</style>\n</head>\n<body>\n<header>\n<h1>Receivables report</h1>\n"
                 "<p class=\"meta\">Ledger <code>",
            from, to, style);
    esc(&p, r->db);
    fprintf(out, "</code>, %s to %s", from, to);
    if (r->policy) {
        fputs("; policy ", out);
        esc(&p, archase_policy_name(r->policy));
        fprintf(out, " (<code>%.16s</code>)", r->policy_hash);
    }
    fprintf(out, ". Amounts in each currency are never added to another's. Made by libarchase %s.</p>\n</header>\n",
            archase_version_string());
    fputs("<nav aria-label=\"contents\"><ul>\n", out);
    for (size_t i = 0; i < archase_kpi_row_count(r->period); i++) {
        archase_kpi_row info = ARCHASE_KPI_ROW_INIT;
        if (archase_kpi_row_get(r->period, i, &info) == 0)
            fprintf(out, "<li><a href=\"#currency-%s\">%s: KPIs, aging, trends, promises, forecast</a></li>\n",
                    info.currency, info.currency);
    }
    fputs("<li><a href=\"#disputes\">Dispute causes by month</a></li>\n<li><a href=\"#risk\">Highest risk "
          "scores</a></li>\n<li><a href=\"#coverage\">Coverage proof</a></li>\n<li><a href=\"#audit\">Audit "
          "log</a></li>\n</ul></nav>\n<main>\n",
          out);
    if (archase_kpi_row_count(r->period) == 0)
        fputs("<p>The ledger has no invoices, promises or disputes.</p>\n", out);
    for (size_t i = 0; i < archase_kpi_row_count(r->period); i++)
        currency_section(&p, i);
    disputes(&p);
    reviews(&p);
    risk(&p);
    coverage(&p);
    audit(&p);
    fputs("</main>\n<footer><p class=\"meta\">Formulas: docs/kpi-formulas.md. Figures are those of "
          "<code>archase kpi --json</code> for the same period and policy.</p></footer>\n</body>\n</html>\n",
          out);
    return ferror(out) ? -1 : 0;
}
