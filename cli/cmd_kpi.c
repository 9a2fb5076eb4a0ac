/* cli/cmd_kpi.c — `archase kpi DB --from D --to D`: the KPIs of a period per
 * currency, their weekly or monthly series (the dso_signal), or every
 * customer's payment pattern. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "policy_file.h"

const char cmd_kpi_help[] =
    "usage: archase kpi DB --from DATE --to DATE [--currency CODE] [--by week|month]\n"
    "                   [--customers] [--policy FILE] [--grace-days N] [--json]\n"
    "\n"
    "The collection KPIs of the period [from, to] (both days included), one\n"
    "block per currency, from the ledger's facts as they stood on each date:\n"
    "receivables and aging, over-60, DSO (standard and countback), best possible\n"
    "DSO, ADD, CEI, days to pay and days late, promise-kept rates, dispute aging\n"
    "by reason and root cause. docs/kpi-formulas.md gives every formula.\n"
    "\n"
    "  --currency CODE  only this currency (amounts are never added across currencies)\n"
    "  --by week|month  the trend series: the period cut into ISO weeks or calendar\n"
    "                   months, every KPI for each (the dso_signal)\n"
    "  --customers      each customer's payment pattern as of --to instead\n"
    "                   (customer_payment_pattern_signal)\n"
    "  --policy FILE    take promise grace days and the pattern's look-back from a policy\n"
    "  --grace-days N   grace days of promises that take the policy's default (2)\n"
    "  --json           one JSON array, an object per currency (and period): currency,\n"
    "                   from, to, then every KPI by name; money as decimal strings in\n"
    "                   the currency's minor units (\"1234.56\"), days and percents as\n"
    "                   numbers with 2 decimals, undefined figures (a zero\n"
    "                   denominator) as null\n";

typedef struct kpi_cli {
    archase_kpi_report *r;
    cli_json           *j;
    int                 json;
} kpi_cli;

/* The text of a value: "1234.56" (money), "12", "55.35", "true"; NULL when
 * undefined. */
static const char *value_text(const archase_kpi_value *v, const char *currency, char *buf, size_t size) {
    if (!v->defined)
        return NULL;
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

static void json_number(cli_json *j, const char *key, archase_kpi_number n) {
    char buf[32];
    cli_json_key(j, key);
    if (!n.defined) {
        cli_json_null(j);
        return;
    }
    archase_kpi_number_format(n, buf, sizeof buf);
    cli_json_raw(j, buf);
}

static void json_money(cli_json *j, const char *key, int64_t minor, const char *currency) {
    char buf[ARCHASE_MONEY_FORMAT_MAX];
    archase_kpi_value v = { ARCHASE_KPI_MONEY, 1, minor };
    cli_json_key(j, key);
    cli_json_string(j, value_text(&v, currency, buf, sizeof buf));
}

static void json_date(cli_json *j, const char *key, archase_date d) {
    char buf[ARCHASE_DATE_FORMAT_MAX] = "";
    archase_date_format(d, buf, sizeof buf);
    cli_json_key(j, key);
    cli_json_string(j, buf);
}

/* Every metric of a row; "aging.1_30" goes into an "aging" object. */
static void json_metrics(kpi_cli *k, size_t row, const char *currency) {
    char prefix[64] = "";
    for (int m = 1; m < ARCHASE_KPI_METRIC_LIMIT; m++) {
        archase_kpi_value v;
        if (archase_kpi_value_get(k->r, row, m, &v) != 0)
            continue;
        const char *name = archase_kpi_metric_name(m);
        const char *dot = strchr(name, '.');
        size_t plen = dot ? (size_t)(dot - name) : 0;
        if (prefix[0] && (!dot || strncmp(prefix, name, plen) != 0 || prefix[plen])) {
            cli_json_end_object(k->j);
            prefix[0] = '\0';
        }
        if (dot && !prefix[0]) {
            snprintf(prefix, sizeof prefix, "%.*s", (int)plen, name);
            cli_json_key(k->j, prefix);
            cli_json_begin_object(k->j);
        }
        char buf[48];
        const char *text = value_text(&v, currency, buf, sizeof buf);
        cli_json_key(k->j, dot ? dot + 1 : name);
        if (!text)
            cli_json_null(k->j);
        else if (v.type == ARCHASE_KPI_MONEY)
            cli_json_string(k->j, text);
        else
            cli_json_raw(k->j, text);
    }
    if (prefix[0])
        cli_json_end_object(k->j);
}

static void json_groups(kpi_cli *k, size_t row, const char *currency) {
    static const struct {
        const char *key;
        int         dimension;
    } dispute_keys[] = { { "disputes_by_reason", ARCHASE_KPI_BY_REASON },
                         { "disputes_by_root_cause", ARCHASE_KPI_BY_ROOT_CAUSE } },
      effect_keys[] = { { "effectiveness_by_step", ARCHASE_KPI_BY_STEP },
                        { "effectiveness_by_template", ARCHASE_KPI_BY_TEMPLATE } };
    for (size_t d = 0; d < 2; d++) {
        cli_json_key(k->j, dispute_keys[d].key);
        cli_json_begin_array(k->j);
        for (size_t i = 0; i < archase_kpi_dispute_group_count(k->r); i++) {
            archase_kpi_dispute_group g = ARCHASE_KPI_DISPUTE_GROUP_INIT;
            if (archase_kpi_dispute_group_get(k->r, i, &g) || g.row != row ||
                g.dimension != dispute_keys[d].dimension)
                continue;
            cli_json_begin_object(k->j);
            cli_json_key(k->j, "name");
            cli_json_string(k->j, g.name);
            cli_json_key(k->j, "open");
            cli_json_int(k->j, (long long)g.open);
            json_money(k->j, "open_amount", g.open_amount, currency);
            json_number(k->j, "mean_days_open", g.mean_days_open);
            json_number(k->j, "median_days_open", g.median_days_open);
            json_number(k->j, "oldest_days_open", g.oldest_days_open);
            cli_json_key(k->j, "resolved");
            cli_json_int(k->j, (long long)g.resolved);
            json_number(k->j, "mean_days_to_resolution", g.mean_days_to_resolution);
            json_number(k->j, "median_days_to_resolution", g.median_days_to_resolution);
            cli_json_end_object(k->j);
        }
        cli_json_end_array(k->j);
    }
    for (size_t d = 0; d < 2; d++) {
        cli_json_key(k->j, effect_keys[d].key);
        cli_json_begin_array(k->j);
        for (size_t i = 0; i < archase_kpi_effectiveness_count(k->r); i++) {
            archase_kpi_effectiveness g = ARCHASE_KPI_EFFECTIVENESS_INIT;
            if (archase_kpi_effectiveness_get(k->r, i, &g) || g.row != row ||
                g.dimension != effect_keys[d].dimension)
                continue;
            cli_json_begin_object(k->j);
            cli_json_key(k->j, "name");
            cli_json_string(k->j, g.name);
            cli_json_key(k->j, "messages");
            cli_json_int(k->j, (long long)g.messages);
            json_money(k->j, "amount", g.amount, currency);
            cli_json_key(k->j, "effective");
            cli_json_int(k->j, (long long)g.effective);
            json_money(k->j, "effective_amount", g.effective_amount, currency);
            cli_json_key(k->j, "responded");
            cli_json_int(k->j, (long long)g.responded);
            cli_json_key(k->j, "disputed");
            cli_json_int(k->j, (long long)g.disputed);
            json_number(k->j, "effective_percent", g.effective_percent);
            json_number(k->j, "effective_amount_percent", g.effective_amount_percent);
            json_number(k->j, "response_percent", g.response_percent);
            json_number(k->j, "dispute_percent", g.dispute_percent);
            cli_json_end_object(k->j);
        }
        cli_json_end_array(k->j);
    }
    /* Reviewer effort belongs to no currency: every row shows the same. */
    archase_kpi_reviewer_effort e = ARCHASE_KPI_REVIEWER_EFFORT_INIT;
    if (archase_kpi_reviewer_effort_get(k->r, &e) == 0) {
        static const char *const counts[] = { "reviewed", "approved", "edited", "rejected", "pending" };
        const uint64_t values[] = { e.reviewed, e.approved, e.edited, e.rejected, e.pending };
        cli_json_key(k->j, "reviewer_effort");
        cli_json_begin_object(k->j);
        for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
            cli_json_key(k->j, counts[i]);
            cli_json_int(k->j, (long long)values[i]);
        }
        json_number(k->j, "edit_percent", e.edit_percent);
        json_number(k->j, "reject_percent", e.reject_percent);
        json_number(k->j, "mean_minutes_to_review", e.mean_minutes_to_review);
        json_number(k->j, "median_minutes_to_review", e.median_minutes_to_review);
        cli_json_end_object(k->j);
    }
}

/* A number for people: "55.35", or "undefined". */
static const char *number_text(archase_kpi_number n, char *buf, size_t size) {
    if (!n.defined)
        return "undefined";
    archase_kpi_number_format(n, buf, size);
    return buf;
}

static void print_text_row(kpi_cli *k, size_t row, const archase_kpi_row *info, int groups) {
    char from[ARCHASE_DATE_FORMAT_MAX] = "", to[ARCHASE_DATE_FORMAT_MAX] = "";
    archase_date_format(info->from, from, sizeof from);
    archase_date_format(info->to, to, sizeof to);
    printf("%s, %s to %s\n", info->currency, from, to);
    for (int m = 1; m < ARCHASE_KPI_METRIC_LIMIT; m++) {
        archase_kpi_value v;
        if (archase_kpi_value_get(k->r, row, m, &v) != 0)
            continue;
        char buf[48];
        const char *text = value_text(&v, info->currency, buf, sizeof buf);
        printf("  %-40s %16s%s%s\n", archase_kpi_metric_name(m), text ? text : "undefined",
               v.type == ARCHASE_KPI_MONEY ? " " : "", v.type == ARCHASE_KPI_MONEY ? info->currency : "");
    }
    if (!groups)
        return;
    for (size_t i = 0; i < archase_kpi_dispute_group_count(k->r); i++) {
        archase_kpi_dispute_group g = ARCHASE_KPI_DISPUTE_GROUP_INIT;
        if (archase_kpi_dispute_group_get(k->r, i, &g) || g.row != row)
            continue;
        char mean[32], res[32];
        printf("  disputes %-10s %-24s open %llu (mean days open %s), resolved %llu (mean days %s)\n",
               g.dimension == ARCHASE_KPI_BY_REASON ? "reason" : "root cause", g.name,
               (unsigned long long)g.open, number_text(g.mean_days_open, mean, sizeof mean),
               (unsigned long long)g.resolved, number_text(g.mean_days_to_resolution, res, sizeof res));
    }
    for (size_t i = 0; i < archase_kpi_effectiveness_count(k->r); i++) {
        archase_kpi_effectiveness g = ARCHASE_KPI_EFFECTIVENESS_INIT;
        if (archase_kpi_effectiveness_get(k->r, i, &g) || g.row != row)
            continue;
        char eff[32], resp[32];
        printf("  messages %-10s %-24s %llu sent, effective %s %%, response %s %%\n",
               g.dimension == ARCHASE_KPI_BY_STEP ? "step" : "template", g.name,
               (unsigned long long)g.messages, number_text(g.effective_percent, eff, sizeof eff),
               number_text(g.response_percent, resp, sizeof resp));
    }
}

static void print_rows(kpi_cli *k, int groups) {
    if (k->json)
        cli_json_begin_array(k->j);
    for (size_t i = 0; i < archase_kpi_row_count(k->r); i++) {
        archase_kpi_row info = ARCHASE_KPI_ROW_INIT;
        if (archase_kpi_row_get(k->r, i, &info) != 0)
            continue;
        if (!k->json) {
            if (i)
                printf("\n");
            print_text_row(k, i, &info, groups);
            continue;
        }
        cli_json_begin_object(k->j);
        cli_json_key(k->j, "currency");
        cli_json_string(k->j, info.currency);
        json_date(k->j, "from", info.from);
        json_date(k->j, "to", info.to);
        json_metrics(k, i, info.currency);
        if (groups)
            json_groups(k, i, info.currency);
        cli_json_end_object(k->j);
    }
    if (k->json) {
        cli_json_end_array(k->j);
        cli_json_finish(k->j);
    }
}

static void print_customers(kpi_cli *k) {
    if (k->json)
        cli_json_begin_array(k->j);
    else
        printf("%-20s %6s %8s %8s %8s %8s %6s %6s\n", "customer", "paid", "median", "p80",
               "on-time%", "trend", "due", "broken");
    for (size_t i = 0; i < archase_kpi_customer_count(k->r); i++) {
        archase_kpi_customer c = ARCHASE_KPI_CUSTOMER_INIT;
        if (archase_kpi_customer_get(k->r, i, &c) != 0)
            continue;
        if (!k->json) {
            char med[32], p80[32], ontime[32], trend[32];
            printf("%-20s %6u %8s %8s %8s %8s %6u %6u\n", c.customer_id, c.paid_invoices,
                   c.median_days_late.defined ? number_text(c.median_days_late, med, sizeof med) : "-",
                   c.p80_days_late.defined ? number_text(c.p80_days_late, p80, sizeof p80) : "-",
                   c.on_time_percent.defined ? number_text(c.on_time_percent, ontime, sizeof ontime) : "-",
                   c.trend_days.defined ? number_text(c.trend_days, trend, sizeof trend) : "-",
                   c.promises_due, c.broken_promises);
            continue;
        }
        cli_json_begin_object(k->j);
        cli_json_key(k->j, "customer_id");
        cli_json_string(k->j, c.customer_id);
        cli_json_key(k->j, "paid_invoices");
        cli_json_int(k->j, c.paid_invoices);
        json_number(k->j, "median_days_late", c.median_days_late);
        json_number(k->j, "p80_days_late", c.p80_days_late);
        json_number(k->j, "on_time_percent", c.on_time_percent);
        json_number(k->j, "trend_days", c.trend_days);
        cli_json_key(k->j, "promises_due");
        cli_json_int(k->j, c.promises_due);
        cli_json_key(k->j, "broken_promises");
        cli_json_int(k->j, c.broken_promises);
        cli_json_end_object(k->j);
    }
    if (k->json) {
        cli_json_end_array(k->j);
        cli_json_finish(k->j);
    }
}

static int parse_date(const char *option, const char *text, archase_date *out) {
    if (!text)
        return cli_fail("kpi", CLI_USAGE, "--%s DATE is required (YYYY-MM-DD)", option);
    if (archase_date_parse(text, out) != 0)
        return cli_fail("kpi", CLI_USAGE, "--%s: '%s' is not a date (YYYY-MM-DD)", option, text);
    return CLI_OK;
}

int cmd_kpi(int argc, char **argv) {
    int json = 0, help = 0, npos = 0, customers = 0;
    const char *pos[1], *from_text = NULL, *to_text = NULL, *currency = NULL, *by = NULL;
    const char *policy_path = NULL, *grace = NULL;
    const cli_option options[] = {
        { "from", 1, &from_text, NULL },   { "to", 1, &to_text, NULL },
        { "currency", 1, &currency, NULL }, { "by", 1, &by, NULL },
        { "policy", 1, &policy_path, NULL }, { "grace-days", 1, &grace, NULL },
        { "customers", 0, NULL, &customers }, { "json", 0, NULL, &json },
        { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("kpi", cmd_kpi_help, argc, argv, 1, options, pos, 1, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 1)
        return cli_fail("kpi", CLI_USAGE, "expected DB (see `archase kpi --help`)");
    archase_date from, to;
    if ((rc = parse_date("from", from_text, &from)) || (rc = parse_date("to", to_text, &to)))
        return rc;
    if (from > to)
        return cli_fail("kpi", CLI_USAGE, "--from %s is after --to %s", from_text, to_text);
    int interval = 0;
    if (by && !strcmp(by, "week"))
        interval = ARCHASE_KPI_WEEKLY;
    else if (by && !strcmp(by, "month"))
        interval = ARCHASE_KPI_MONTHLY;
    else if (by)
        return cli_fail("kpi", CLI_USAGE, "--by is week or month, not '%s'", by);
    if (interval && customers)
        return cli_fail("kpi", CLI_USAGE, "--customers and --by do not go together");
    archase_kpi_options o = ARCHASE_KPI_OPTIONS_INIT;
    if (currency) {
        archase_currency c;
        if (archase_currency_lookup(currency, &c) != 0 || c.minor_units < 0)
            return cli_fail("kpi", CLI_USAGE, "--currency: '%s' is not an ISO 4217 currency", currency);
        o.currency = currency;
    }
    if (grace) {
        char *end = NULL;
        long g = strtol(grace, &end, 10);
        if (!*grace || *end || g < 0 || g > 365)
            return cli_fail("kpi", CLI_USAGE, "--grace-days is a number of days from 0 to 365");
        o.promise_grace_days = (int32_t)g;
    }
    o.customers = customers;
    archase_policy *policy = NULL;
    if (policy_path) {
        policy = cli_policy_load("kpi", policy_path, &rc);
        if (!policy)
            return CLI_INVALID;
        o.policy = policy;
    }
    archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
    so.create = 0;
    char err[512];
    archase_engine *eng = NULL;
    rc = archase_open_sqlite(pos[0], &so, NULL, &eng, err, sizeof err);
    if (rc) {
        archase_policy_free(policy);
        return cli_fail_rc("kpi", rc, pos[0], err);
    }
    kpi_cli k;
    memset(&k, 0, sizeof k);
    cli_json j;
    cli_json_init(&j, stdout, 1);
    k.j = &j;
    k.json = json;
    if (interval)
        rc = archase_kpi_series(eng, from, to, interval, &o, &k.r);
    else
        rc = archase_kpi_compute(eng, from, to, &o, &k.r);
    if (rc) {
        rc = cli_fail_rc("kpi", rc, pos[0], archase_engine_errmsg(eng));
    } else {
        if (customers)
            print_customers(&k);
        else
            print_rows(&k, !interval);
        rc = CLI_OK;
    }
    archase_kpi_report_free(k.r);
    archase_engine_free(eng);
    archase_policy_free(policy);
    return rc;
}
