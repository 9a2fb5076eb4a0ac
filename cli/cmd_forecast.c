/* cli/cmd_forecast.c — `archase forecast DB --as-of D`: expected receipts per
 * week per currency, the drivers of each week, and the method's back-test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "policy_file.h"

const char cmd_forecast_help[] =
    "usage: archase forecast DB --as-of DATE [--currency CODE] [--weeks N]\n"
    "                        [--disputes exclude|discount] [--disputed-percent P]\n"
    "                        [--policy FILE] [--backtest-origins N] [--json]\n"
    "\n"
    "Forecasts the cash expected in each week after DATE from the invoices open\n"
    "on DATE: each on its due date shifted by its customer's payment pattern (the\n"
    "currency's when the customer has too little history), open promises on their\n"
    "dates weighted by the customer's kept rate, disputed amounts left out (or\n"
    "discounted). Prints each week's total, what it is made of and its largest\n"
    "items, and the back-test: the same forecast made every 4 weeks back in the\n"
    "ledger's history, compared with what was paid (mean absolute error per\n"
    "week). docs/kpi-formulas.md (\"Cash forecast\") gives the method.\n"
    "\n"
    "  --weeks N             the horizon (13)\n"
    "  --disputes MODE       exclude (default) or discount disputed amounts\n"
    "  --disputed-percent P  with discount: the share of a disputed amount expected (50)\n"
    "  --policy FILE         promise grace days and the payment pattern's look-back\n"
    "                        and minimum history from a policy\n"
    "  --backtest-origins N  as-of dates of the back-test (12)\n"
    "  --json                one JSON array, an object per currency: currency, as_of,\n"
    "                        open_ar, expected, beyond, doubtful, disputed_left_out,\n"
    "                        weeks [{week, from, to, expected, from_patterns,\n"
    "                        from_promises, from_disputed, invoices, promises,\n"
    "                        backtest_mae, backtest_mean_actual, drivers [{kind, id,\n"
    "                        customer_id, expected_on, amount}]}], backtest {origins,\n"
    "                        first, last, mae, mae_percent}; money as decimal strings\n";

static void money_text(int64_t minor, const char *currency, char *buf, size_t size) {
    archase_money m;
    m.minor = minor;
    memcpy(m.currency, currency, 4);
    if (archase_money_format_amount(&m, buf, size) != 0)
        snprintf(buf, size, "%lld", (long long)minor);
}

static void json_money(cli_json *j, const char *key, int64_t minor, const char *currency) {
    char buf[ARCHASE_MONEY_FORMAT_MAX];
    money_text(minor, currency, buf, sizeof buf);
    cli_json_key(j, key);
    cli_json_string(j, buf);
}

static void json_date(cli_json *j, const char *key, archase_date d) {
    char buf[ARCHASE_DATE_FORMAT_MAX] = "";
    cli_json_key(j, key);
    if (d == ARCHASE_DATE_NONE || archase_date_format(d, buf, sizeof buf) != 0)
        cli_json_null(j);
    else
        cli_json_string(j, buf);
}

static const char *driver_kind(int kind) {
    switch (kind) {
    case ARCHASE_DRIVER_INVOICE: return "invoice";
    case ARCHASE_DRIVER_PROMISE: return "promise";
    case ARCHASE_DRIVER_DISPUTED: return "disputed";
    default: return "?";
    }
}

static void print_json(const archase_forecast *f) {
    cli_json j;
    cli_json_init(&j, stdout, 1);
    cli_json_begin_array(&j);
    for (size_t r = 0; r < archase_forecast_row_count(f); r++) {
        archase_forecast_row row = ARCHASE_FORECAST_ROW_INIT;
        if (archase_forecast_row_get(f, r, &row))
            continue;
        const char *cur = row.currency;
        cli_json_begin_object(&j);
        cli_json_key(&j, "currency");
        cli_json_string(&j, cur);
        json_date(&j, "as_of", row.as_of);
        json_money(&j, "open_ar", row.open_ar, cur);
        json_money(&j, "expected", row.expected, cur);
        json_money(&j, "beyond", row.beyond, cur);
        json_money(&j, "doubtful", row.doubtful, cur);
        json_money(&j, "disputed_left_out", row.disputed_left_out, cur);
        json_money(&j, "promises_unkept", row.promises_unkept, cur);
        cli_json_key(&j, "weeks");
        cli_json_begin_array(&j);
        for (uint32_t k = 1; k <= row.weeks; k++) {
            archase_forecast_week w = ARCHASE_FORECAST_WEEK_INIT;
            if (archase_forecast_week_get(f, r, k, &w))
                continue;
            cli_json_begin_object(&j);
            cli_json_key(&j, "week");
            cli_json_int(&j, w.week);
            json_date(&j, "from", w.from);
            json_date(&j, "to", w.to);
            json_money(&j, "expected", w.expected, cur);
            json_money(&j, "from_patterns", w.from_patterns, cur);
            json_money(&j, "from_promises", w.from_promises, cur);
            json_money(&j, "from_disputed", w.from_disputed, cur);
            cli_json_key(&j, "invoices");
            cli_json_int(&j, w.invoices);
            cli_json_key(&j, "promises");
            cli_json_int(&j, w.promises);
            if (row.backtest_origins) {
                json_money(&j, "backtest_mae", w.backtest_mae, cur);
                json_money(&j, "backtest_mean_actual", w.backtest_mean_actual, cur);
            }
            cli_json_key(&j, "drivers");
            cli_json_begin_array(&j);
            for (size_t d = 0; d < archase_forecast_driver_count(f, r, k); d++) {
                archase_forecast_driver dr = ARCHASE_FORECAST_DRIVER_INIT;
                if (archase_forecast_driver_get(f, r, k, d, &dr))
                    continue;
                cli_json_begin_object(&j);
                cli_json_key(&j, "kind");
                cli_json_string(&j, driver_kind(dr.kind));
                cli_json_key(&j, "id");
                cli_json_string(&j, dr.id);
                cli_json_key(&j, "customer_id");
                cli_json_string(&j, dr.customer_id);
                json_date(&j, "expected_on", dr.expected_on);
                json_money(&j, "amount", dr.amount, cur);
                cli_json_end_object(&j);
            }
            cli_json_end_array(&j);
            cli_json_end_object(&j);
        }
        cli_json_end_array(&j);
        cli_json_key(&j, "backtest");
        cli_json_begin_object(&j);
        cli_json_key(&j, "origins");
        cli_json_int(&j, row.backtest_origins);
        json_date(&j, "first", row.backtest_first);
        json_date(&j, "last", row.backtest_last);
        if (row.backtest_origins)
            json_money(&j, "mae", row.backtest_mae, cur);
        else {
            cli_json_key(&j, "mae");
            cli_json_null(&j);
        }
        cli_json_key(&j, "mae_percent");
        if (row.backtest_mae_percent.defined) {
            char buf[32];
            archase_kpi_number_format(row.backtest_mae_percent, buf, sizeof buf);
            cli_json_raw(&j, buf);
        } else {
            cli_json_null(&j);
        }
        cli_json_end_object(&j);
        cli_json_end_object(&j);
    }
    cli_json_end_array(&j);
    cli_json_finish(&j);
}

static void print_text(const archase_forecast *f) {
    for (size_t r = 0; r < archase_forecast_row_count(f); r++) {
        archase_forecast_row row = ARCHASE_FORECAST_ROW_INIT;
        if (archase_forecast_row_get(f, r, &row))
            continue;
        const char *cur = row.currency;
        char as_of[ARCHASE_DATE_FORMAT_MAX], a[32], b[32], c[32], d[32], e[32];
        archase_date_format(row.as_of, as_of, sizeof as_of);
        money_text(row.open_ar, cur, a, sizeof a);
        money_text(row.expected, cur, b, sizeof b);
        money_text(row.beyond, cur, c, sizeof c);
        money_text(row.doubtful, cur, d, sizeof d);
        money_text(row.disputed_left_out, cur, e, sizeof e);
        if (r)
            printf("\n");
        printf("%s, as of %s: open %s; expected in %u weeks %s, later %s, doubtful %s, disputed left out %s\n",
               cur, as_of, a, row.weeks, b, c, d, e);
        printf("  %-4s %-10s %-10s %14s %14s %14s %14s %5s  %s\n", "week", "from", "to", "expected",
               "patterns", "promises", "back-test MAE", "items", "largest");
        for (uint32_t k = 1; k <= row.weeks; k++) {
            archase_forecast_week w = ARCHASE_FORECAST_WEEK_INIT;
            if (archase_forecast_week_get(f, r, k, &w))
                continue;
            char from[ARCHASE_DATE_FORMAT_MAX], to[ARCHASE_DATE_FORMAT_MAX], x[32], p[32], q[32], m[32] = "-";
            archase_date_format(w.from, from, sizeof from);
            archase_date_format(w.to, to, sizeof to);
            money_text(w.expected, cur, x, sizeof x);
            money_text(w.from_patterns, cur, p, sizeof p);
            money_text(w.from_promises, cur, q, sizeof q);
            if (row.backtest_origins)
                money_text(w.backtest_mae, cur, m, sizeof m);
            archase_forecast_driver dr = ARCHASE_FORECAST_DRIVER_INIT;
            char largest[300] = "";
            if (archase_forecast_driver_get(f, r, k, 0, &dr) == 0) {
                char amt[32];
                money_text(dr.amount, cur, amt, sizeof amt);
                snprintf(largest, sizeof largest, "%s %s (%s) %s", driver_kind(dr.kind), dr.id, dr.customer_id, amt);
            }
            printf("  %-4u %-10s %-10s %14s %14s %14s %14s %5u  %s\n", w.week, from, to, x, p, q, m,
                   w.invoices + w.promises, largest);
        }
        if (row.backtest_origins) {
            char first[ARCHASE_DATE_FORMAT_MAX], last[ARCHASE_DATE_FORMAT_MAX], mae[32], pct[32] = "undefined";
            archase_date_format(row.backtest_first, first, sizeof first);
            archase_date_format(row.backtest_last, last, sizeof last);
            money_text(row.backtest_mae, cur, mae, sizeof mae);
            if (row.backtest_mae_percent.defined)
                archase_kpi_number_format(row.backtest_mae_percent, pct, sizeof pct);
            printf("  back-test: %u as-of dates from %s to %s, mean absolute error %s %s a week (%s %% of the mean receipts)\n",
                   row.backtest_origins, first, last, mae, cur, pct);
        } else {
            printf("  back-test: not enough history before %s\n", as_of);
        }
    }
}

static int number(const char *option, const char *text, long lo, long hi, long *out) {
    char *end = NULL;
    long v = text ? strtol(text, &end, 10) : 0;
    if (!text || !*text || *end || v < lo || v > hi)
        return cli_fail("forecast", CLI_USAGE, "--%s is a number from %ld to %ld", option, lo, hi);
    *out = v;
    return CLI_OK;
}

int cmd_forecast(int argc, char **argv) {
    int json = 0, help = 0, npos = 0;
    const char *pos[1], *as_of_text = NULL, *currency = NULL, *weeks = NULL, *disputes = NULL;
    const char *percent = NULL, *policy_path = NULL, *origins = NULL;
    const cli_option options[] = {
        { "as-of", 1, &as_of_text, NULL },       { "currency", 1, &currency, NULL },
        { "weeks", 1, &weeks, NULL },            { "disputes", 1, &disputes, NULL },
        { "disputed-percent", 1, &percent, NULL }, { "policy", 1, &policy_path, NULL },
        { "backtest-origins", 1, &origins, NULL }, { "json", 0, NULL, &json },
        { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("forecast", cmd_forecast_help, argc, argv, 1, options, pos, 1, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 1)
        return cli_fail("forecast", CLI_USAGE, "expected DB (see `archase forecast --help`)");
    archase_date as_of;
    if (!as_of_text || archase_date_parse(as_of_text, &as_of) != 0)
        return cli_fail("forecast", CLI_USAGE, "--as-of DATE is required (YYYY-MM-DD)");
    archase_forecast_options o = ARCHASE_FORECAST_OPTIONS_INIT;
    long v = 0;
    if (weeks && (rc = number("weeks", weeks, 1, 104, &v)) == CLI_OK)
        o.weeks = (uint32_t)v;
    if (!rc && percent && (rc = number("disputed-percent", percent, 0, 100, &v)) == CLI_OK)
        o.disputed_percent = (uint32_t)v;
    if (!rc && origins && (rc = number("backtest-origins", origins, 1, 520, &v)) == CLI_OK)
        o.backtest_origins = (uint32_t)v;
    if (rc)
        return rc;
    if (disputes && !strcmp(disputes, "discount"))
        o.disputed = ARCHASE_FORECAST_DISCOUNT_DISPUTED;
    else if (disputes && strcmp(disputes, "exclude"))
        return cli_fail("forecast", CLI_USAGE, "--disputes is exclude or discount, not '%s'", disputes);
    if (currency) {
        archase_currency c;
        if (archase_currency_lookup(currency, &c) != 0 || c.minor_units < 0)
            return cli_fail("forecast", CLI_USAGE, "--currency: '%s' is not an ISO 4217 currency", currency);
        o.currency = currency;
    }
    archase_policy *policy = NULL;
    if (policy_path) {
        policy = cli_policy_load("forecast", policy_path, &rc);
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
        return cli_fail_rc("forecast", rc, pos[0], err);
    }
    archase_forecast *f = NULL;
    rc = archase_forecast_run(eng, as_of, &o, &f);
    if (rc) {
        rc = cli_fail_rc("forecast", rc, pos[0], archase_engine_errmsg(eng));
    } else {
        if (json)
            print_json(f);
        else
            print_text(f);
        rc = CLI_OK;
    }
    archase_forecast_free(f);
    archase_engine_free(eng);
    archase_policy_free(policy);
    return rc;
}
