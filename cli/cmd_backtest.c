/* cli/cmd_backtest.c — `archase backtest DB --policy A [--compare B] --from D
 * --to D`: what one policy, or two side by side, would have done over a
 * historical ledger, day by day, and how well each ranked the invoices that
 * went late. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "policy_file.h"

const char cmd_backtest_help[] =
    "usage: archase backtest DB --policy FILE [--compare FILE] --from DATE --to DATE\n"
    "                        [--late-days N] [--tzdir DIR] [--json]\n"
    "\n"
    "Replays the policy over the ledger for every day from DATE to DATE, each day\n"
    "seeing only the facts dated by then, and keeping its own chase state from\n"
    "day to day as the daily cycle would (nothing is sent, the ledger is not\n"
    "changed). Prints what it would have done -- messages sent, calls queued,\n"
    "owner alerts, escalations, approvals needed -- the collection effectiveness\n"
    "of its messages against what the customers actually did, and how its risk\n"
    "score ranked the invoices that went 60 or more days late (AUC, 50 % being\n"
    "chance). With --compare, the two policies side by side.\n"
    "\n"
    "  --late-days N   what \"went late\" means for the AUC (60)\n"
    "  --tzdir DIR     IANA time zones (/usr/share/zoneinfo)\n"
    "  --json          {\"from\", \"to\", \"policies\": [{\"policy\", \"name\", \"hash\", \"days\",\n"
    "                  \"decisions\", \"messages\", \"calls\", \"owner_alerts\", \"escalations\",\n"
    "                  \"approvals\", \"skips\", \"waits\", \"customers_messaged\",\n"
    "                  \"invoices_scored\", \"invoices_late\", \"auc_percent\",\n"
    "                  \"collection_effectiveness_percent\",\n"
    "                  \"cadence_response_rate_percent\", \"decisions_hash\"}]}\n";

typedef struct run {
    const char            *path;
    archase_policy        *policy;
    archase_replay_result *result;
    archase_replay_summary s;
    archase_kpi_number     effectiveness, response;
    char                   hash[65];
    char                   decisions_hash[65];
} run;

static void hex(const uint8_t *bytes, size_t n, char *out) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

/* The message figures of the replay's KPIs, over every currency: the
 * currency row with the most messages (rates are never added across
 * currencies). */
static void message_rates(run *r) {
    const archase_kpi_report *k = archase_replay_kpis(r->result);
    int64_t best = -1;
    r->effectiveness = (archase_kpi_number){ 0, 0 };
    r->response = (archase_kpi_number){ 0, 0 };
    for (size_t i = 0; i < archase_kpi_row_count(k); i++) {
        archase_kpi_value m, e, resp;
        if (archase_kpi_value_get(k, i, ARCHASE_KPI_MESSAGES, &m) ||
            archase_kpi_value_get(k, i, ARCHASE_KPI_EFFECTIVENESS, &e) ||
            archase_kpi_value_get(k, i, ARCHASE_KPI_RESPONSE_RATE, &resp) || m.value <= best)
            continue;
        best = m.value;
        r->effectiveness = (archase_kpi_number){ e.value, e.defined };
        r->response = (archase_kpi_number){ resp.value, resp.defined };
    }
}

static int replay_one(run *r, archase_engine *eng, archase_date from, archase_date to,
                      const archase_replay_options *o) {
    int rc = archase_replay(eng, r->policy, from, to, o, &r->result);
    if (rc)
        return cli_fail_rc("backtest", rc, r->path, archase_engine_errmsg(eng));
    archase_replay_summary init = ARCHASE_REPLAY_SUMMARY_INIT;
    r->s = init;
    archase_replay_summary_get(r->result, &r->s);
    uint8_t h[32];
    archase_policy_hash(r->policy, h);
    hex(h, 32, r->hash);
    hex(r->s.decisions_hash, 32, r->decisions_hash);
    message_rates(r);
    return CLI_OK;
}

static void json_number(cli_json *j, const char *key, archase_kpi_number n) {
    cli_json_key(j, key);
    if (!n.defined) {
        cli_json_null(j);
        return;
    }
    char buf[32];
    archase_kpi_number_format(n, buf, sizeof buf);
    cli_json_raw(j, buf);
}

static void json_count(cli_json *j, const char *key, uint64_t v) {
    cli_json_key(j, key);
    cli_json_int(j, (long long)v);
}

static void print_json(run *runs, int n, const char *from, const char *to) {
    cli_json j;
    cli_json_init(&j, stdout, 1);
    cli_json_begin_object(&j);
    cli_json_key(&j, "from");
    cli_json_string(&j, from);
    cli_json_key(&j, "to");
    cli_json_string(&j, to);
    cli_json_key(&j, "policies");
    cli_json_begin_array(&j);
    for (int i = 0; i < n; i++) {
        run *r = &runs[i];
        cli_json_begin_object(&j);
        cli_json_key(&j, "policy");
        cli_json_string(&j, r->path);
        cli_json_key(&j, "name");
        cli_json_string(&j, archase_policy_name(r->policy));
        cli_json_key(&j, "hash");
        cli_json_string(&j, r->hash);
        json_count(&j, "days", r->s.days);
        json_count(&j, "decisions", r->s.decisions);
        json_count(&j, "messages", r->s.messages);
        json_count(&j, "calls", r->s.calls);
        json_count(&j, "owner_alerts", r->s.owner_alerts);
        json_count(&j, "escalations", r->s.escalations);
        json_count(&j, "approvals", r->s.approvals);
        json_count(&j, "skips", r->s.skips);
        json_count(&j, "waits", r->s.waits);
        json_count(&j, "customers_messaged", r->s.customers_messaged);
        json_count(&j, "invoices_scored", r->s.invoices_scored);
        json_count(&j, "invoices_late", r->s.invoices_late);
        json_number(&j, "auc_percent", r->s.auc_percent);
        json_number(&j, "collection_effectiveness_percent", r->effectiveness);
        json_number(&j, "cadence_response_rate_percent", r->response);
        cli_json_key(&j, "decisions_hash");
        cli_json_string(&j, r->decisions_hash);
        cli_json_end_object(&j);
    }
    cli_json_end_array(&j);
    cli_json_end_object(&j);
    cli_json_finish(&j);
}

static const char *number_text(archase_kpi_number n, char *buf, size_t size) {
    if (!n.defined)
        return "undefined";
    archase_kpi_number_format(n, buf, size);
    return buf;
}

static void print_text(run *runs, int n, const char *from, const char *to) {
    printf("back-test from %s to %s\n\n", from, to);
    printf("  %-34s", "");
    for (int i = 0; i < n; i++) {
        const char *name = archase_policy_name(runs[i].policy);
        char label[64];
        snprintf(label, sizeof label, "%s (%.8s)", *name ? name : runs[i].path, runs[i].hash);
        printf(" %28s", label);
    }
    printf("\n");
#define ROW(label, field)                                         \
    do {                                                          \
        printf("  %-34s", label);                                 \
        for (int i = 0; i < n; i++)                               \
            printf(" %28llu", (unsigned long long)runs[i].s.field); \
        printf("\n");                                             \
    } while (0)
    ROW("days", days);
    ROW("decisions", decisions);
    ROW("messages sent", messages);
    ROW("customers messaged", customers_messaged);
    ROW("calls queued", calls);
    ROW("owner alerts", owner_alerts);
    ROW("escalations", escalations);
    ROW("approvals needed", approvals);
    ROW("steps skipped", skips);
    ROW("waiting (promise, dispute)", waits);
    ROW("invoices scored", invoices_scored);
    ROW("of which went late", invoices_late);
#undef ROW
    char buf[32];
    printf("  %-34s", "AUC of the risk score (%)");
    for (int i = 0; i < n; i++)
        printf(" %28s", number_text(runs[i].s.auc_percent, buf, sizeof buf));
    printf("\n  %-34s", "collection effectiveness (%)");
    for (int i = 0; i < n; i++)
        printf(" %28s", number_text(runs[i].effectiveness, buf, sizeof buf));
    printf("\n  %-34s", "cadence response rate (%)");
    for (int i = 0; i < n; i++)
        printf(" %28s", number_text(runs[i].response, buf, sizeof buf));
    printf("\n");
}

int cmd_backtest(int argc, char **argv) {
    int json = 0, help = 0, npos = 0;
    const char *pos[1], *policy_a = NULL, *policy_b = NULL, *from_text = NULL, *to_text = NULL;
    const char *late = NULL, *tzdir = NULL;
    const cli_option options[] = {
        { "policy", 1, &policy_a, NULL }, { "compare", 1, &policy_b, NULL },
        { "from", 1, &from_text, NULL },  { "to", 1, &to_text, NULL },
        { "late-days", 1, &late, NULL },  { "tzdir", 1, &tzdir, NULL },
        { "json", 0, NULL, &json },       { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("backtest", cmd_backtest_help, argc, argv, 1, options, pos, 1, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 1 || !policy_a)
        return cli_fail("backtest", CLI_USAGE, "expected DB --policy FILE (see `archase backtest --help`)");
    archase_date from, to;
    if (!from_text || archase_date_parse(from_text, &from) != 0 || !to_text ||
        archase_date_parse(to_text, &to) != 0)
        return cli_fail("backtest", CLI_USAGE, "--from DATE and --to DATE are required (YYYY-MM-DD)");
    if (from > to)
        return cli_fail("backtest", CLI_USAGE, "--from %s is after --to %s", from_text, to_text);
    archase_replay_options o = ARCHASE_REPLAY_OPTIONS_INIT;
    o.tzdir = tzdir;
    if (late) {
        char *end = NULL;
        long v = strtol(late, &end, 10);
        if (!*late || *end || v < 1 || v > 3650)
            return cli_fail("backtest", CLI_USAGE, "--late-days is a number of days from 1 to 3650");
        o.late_days = (int32_t)v;
    }
    run runs[2];
    memset(runs, 0, sizeof runs);
    int n = policy_b ? 2 : 1;
    runs[0].path = policy_a;
    runs[1].path = policy_b;
    archase_engine *eng = NULL;
    for (int i = 0; i < n; i++) {
        runs[i].policy = cli_policy_load("backtest", runs[i].path, &rc);
        if (!runs[i].policy) {
            rc = CLI_INVALID;
            goto done;
        }
    }
    archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
    so.create = 0;
    char err[512];
    rc = archase_open_sqlite(pos[0], &so, NULL, &eng, err, sizeof err);
    if (rc) {
        rc = cli_fail_rc("backtest", rc, pos[0], err);
        goto done;
    }
    for (int i = 0; i < n; i++) {
        rc = replay_one(&runs[i], eng, from, to, &o);
        if (rc)
            goto done;
    }
    if (json)
        print_json(runs, n, from_text, to_text);
    else
        print_text(runs, n, from_text, to_text);
    rc = CLI_OK;
done:
    for (int i = 0; i < 2; i++) {
        archase_replay_result_free(runs[i].result);
        archase_policy_free(runs[i].policy);
    }
    archase_engine_free(eng);
    return rc;
}
