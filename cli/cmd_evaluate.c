/* cli/cmd_evaluate.c — what the engine would decide: `archase run --dry-run`
 * (the decisions of a day, counted by kind and reason), `archase worklist`
 * (each owner's ranked work) and `archase explain` (why, for one invoice).
 * All three load the ledger's snapshot as of a date and evaluate a policy;
 * none writes anything. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "evaluate_report.h"
#include "policy_file.h"

const char cmd_run_help[] =
    "usage: archase run DB --policy FILE --as-of DATE --dry-run [--decisions] [--json]\n"
    "       archase run DB --policy FILE --as-of DATE [--transport jsonl:PATH|eml:DIR]\n"
    "                      [--review] [--now INSTANT] [--no-dispatch] [--json]\n"
    "\n"
    "With --dry-run: evaluates the policy over the ledger as it stood at the end\n"
    "of DATE and prints what would be decided: the number of decisions, by kind\n"
    "and by reason, and where every open overdue invoice is (active sequence,\n"
    "promise, dispute, hold, exceptions queue). Nothing is written or sent.\n"
    "\n"
    "Without it: the daily cycle. Decides, then stores in one transaction the\n"
    "cadence state, the outbox (messages, calls, alerts, escalations, digests,\n"
    "approved actions), approval requests and their audit records; then hands\n"
    "what is due to the transport. Running a day twice changes and sends\n"
    "nothing; a later day continues where the last stopped. The day is run at\n"
    "--now, by default the end of DATE or the real clock, whichever is earlier\n"
    "(messages scheduled later wait for `archase dispatch`).\n"
    "\n"
    "  --transport T  jsonl:PATH (one JSON object per message) or eml:DIR (one\n"
    "                 .eml file per message); without it nothing is sent\n"
    "  --review       every customer message becomes a draft for `archase review`\n"
    "  --no-dispatch  persist only\n"
    "  --json         one object: as_of, decisions (a number), by_kind (an\n"
    "                 object), decisions_hash, the cycle's counts (outbox_written,\n"
    "                 outbox_existing, drafts, internal_routes, digests,\n"
    "                 approvals_raised, cancelled, audit_records, promises_kept,\n"
    "                 ...) and dispatch (sent, retried, dead, in_doubt, ...)\n"
    "\n"
    "  --dry-run    decide without acting\n"
    "  --decisions  list every decision too\n"
    "  --json       one object: as_of, policy_hash, open_invoices, decisions (a\n"
    "               number), by_kind and by_reason (objects of counts), coverage,\n"
    "               decisions_hash; with --decisions also items, an array of\n"
    "               decisions (key, kind, action, customer_id, invoice_ids,\n"
    "               channel, template, tone, rule, reason_codes, owner, due_by,\n"
    "               scheduled_at, local_time, timezone, amount, currency, score)\n"
    "\n"
    "Dates are ISO 8601 (YYYY-MM-DD), instants ISO 8601 UTC.\n";

const char cmd_worklist_help[] =
    "usage: archase worklist DB --policy FILE --as-of DATE [--owner NAME] [--json]\n"
    "\n"
    "The ranked work of the day: calls to make, owners to alert, escalations to\n"
    "decide, disputes to resolve and exceptions to fix, one line per owner,\n"
    "customer and kind of work, in the policy's priority (call_queue.order,\n"
    "then risk score, amount, days overdue, the earliest due-by day).\n"
    "\n"
    "  --owner NAME  only this owner's lines (ranked among themselves)\n"
    "  --json        an array of lines: rank (1..n), customer_id, invoice_ids,\n"
    "                owner, next_action, kind, reason_codes, due_by, score,\n"
    "                amount, currency, days_overdue\n";

const char cmd_explain_help[] =
    "usage: archase explain DB INVOICE_ID --policy FILE --as-of DATE [--json]\n"
    "\n"
    "Why the engine decides what it decides about one open invoice: its facts,\n"
    "its segment and sequence, its risk score with the top drivers, where it\n"
    "is (coverage and reason), its next step, and every decision about it with\n"
    "the rule that fired, the reasons and the facts it used.\n"
    "\n"
    "  --json   one object: invoice_id, customer_id, days_overdue, open_amount,\n"
    "           disputed_amount, currency, segment, sequence, score, drivers,\n"
    "           coverage, reason, step_index, next_step, next_date, decisions\n";

/* ---- shared ---------------------------------------------------------------- */

void session_close(session *s) {
    archase_decisions_free(s->ds);
    archase_snapshot_free(s->snap);
    archase_engine_free(s->eng);
    archase_policy_free(s->policy);
}

/* Opens the ledger, loads the policy and the snapshot and evaluates. */
static int session_open(session *s, const char *db, const char *policy_path, const char *as_of) {
    int rc;
    if (!policy_path)
        return cli_fail(s->command, CLI_USAGE, "--policy FILE is required");
    if (!as_of)
        return cli_fail(s->command, CLI_USAGE, "--as-of DATE is required (YYYY-MM-DD)");
    if (archase_date_parse(as_of, &s->as_of) != 0)
        return cli_fail(s->command, CLI_USAGE, "--as-of: '%s' is not a date (YYYY-MM-DD)", as_of);
    s->policy = cli_policy_load(s->command, policy_path, &rc);
    if (!s->policy)
        return CLI_INVALID;
    archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
    so.create = 0;
    so.read_only = 1;
    char err[512] = "";
    rc = archase_open_sqlite(db, &so, NULL, &s->eng, err, sizeof err);
    if (rc)
        return cli_fail_rc(s->command, rc, db, err);
    archase_snapshot_options sopts = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    sopts.policy = s->policy;
    rc = archase_snapshot_load(s->eng, s->as_of, &sopts, &s->snap);
    if (rc)
        return cli_fail_rc(s->command, rc, db, archase_engine_errmsg(s->eng));
    rc = archase_evaluate(s->snap, s->policy, s->as_of, NULL, &s->ds);
    if (rc)
        return cli_fail_rc(s->command, rc, "evaluation", NULL);
    return CLI_OK;
}

static const char *date_text(archase_date d, char *buf) {
    if (d == ARCHASE_DATE_NONE || archase_date_format(d, buf, ARCHASE_DATE_FORMAT_MAX))
        buf[0] = '\0';
    return buf;
}

static const char *amount_text(const archase_money *m, char *buf) {
    if (!m->currency[0] || archase_money_format_amount(m, buf, ARCHASE_MONEY_FORMAT_MAX))
        snprintf(buf, ARCHASE_MONEY_FORMAT_MAX, "%lld", (long long)m->minor);
    return buf;
}

static const char *channel_text(int channel) {
    return channel == ARCHASE_CHANNEL_INTERNAL ? "internal" : channel ? archase_channel_name(channel) : "";
}

static void json_str_or_null(cli_json *j, const char *key, const char *value) {
    cli_json_key(j, key);
    if (value && *value)
        cli_json_string(j, value);
    else
        cli_json_null(j);
}

static void hex(const uint8_t *bytes, char out[65]) {
    archase_hex_encode(bytes, 32, out, 65);
}

/* A fact's value as text: "1200.00 EUR", "2026-03-09", "14", "true", text. */
static const char *fact_value(const archase_decision_fact *f, char *buf, size_t size) {
    switch (f->type) {
    case ARCHASE_VALUE_MONEY: {
        archase_money m;
        m.minor = f->number;
        memcpy(m.currency, f->currency, 4);
        if (archase_money_format(&m, buf, size))
            snprintf(buf, size, "%lld", (long long)f->number);
        return buf;
    }
    case ARCHASE_VALUE_DATE: archase_date_format((archase_date)f->number, buf, size); return buf;
    case ARCHASE_VALUE_BOOL: return f->number ? "true" : "false";
    case ARCHASE_VALUE_TEXT: return f->text ? f->text : "";
    default: snprintf(buf, size, "%lld", (long long)f->number); return buf;
    }
}

/* ---- one decision ------------------------------------------------------------ */

static void json_decision(cli_json *j, const archase_decisions *ds, size_t i, int with_facts) {
    archase_decision d = ARCHASE_DECISION_INIT;
    if (archase_decision_get(ds, i, &d))
        return;
    char buf[64], at[ARCHASE_INSTANT_FORMAT_MAX] = "";
    cli_json_begin_object(j);
    cli_json_key(j, "key");
    cli_json_string(j, d.key);
    cli_json_key(j, "kind");
    cli_json_string(j, archase_decision_kind_name(d.kind));
    json_str_or_null(j, "action", d.action ? archase_action_name(d.action) : NULL);
    cli_json_key(j, "customer_id");
    cli_json_string(j, d.customer_id);
    cli_json_key(j, "invoice_ids");
    cli_json_begin_array(j);
    for (size_t k = 0; k < d.invoice_count; k++) {
        archase_decision_invoice di = ARCHASE_DECISION_INVOICE_INIT;
        if (archase_decision_invoice_get(ds, i, k, &di) == 0)
            cli_json_string(j, di.invoice_id);
    }
    cli_json_end_array(j);
    json_str_or_null(j, "channel", channel_text(d.channel));
    json_str_or_null(j, "contact_id", d.contact_id);
    json_str_or_null(j, "template", d.template_name);
    json_str_or_null(j, "tone", d.tone ? archase_tone_name(d.tone) : NULL);
    json_str_or_null(j, "segment", d.segment);
    json_str_or_null(j, "sequence", d.sequence);
    json_str_or_null(j, "step", d.step);
    cli_json_key(j, "rule");
    cli_json_string(j, d.rule);
    cli_json_key(j, "reason_codes");
    cli_json_begin_array(j);
    for (size_t k = 0; k < d.reason_count; k++) {
        int reason;
        if (archase_decision_reason(ds, i, k, &reason) == 0)
            cli_json_string(j, archase_reason_name(reason));
    }
    cli_json_end_array(j);
    json_str_or_null(j, "owner", d.owner);
    json_str_or_null(j, "due_by", date_text(d.due_by, buf));
    archase_instant_format(d.scheduled_at, at, sizeof at);
    cli_json_key(j, "scheduled_at");
    cli_json_string(j, at);
    if (d.timezone) {
        char local[48];
        snprintf(local, sizeof local, "%sT%02d:%02d:%02d", date_text(d.local_date, buf),
                 (int)(d.local_seconds / 3600), (int)(d.local_seconds / 60 % 60), (int)(d.local_seconds % 60));
        cli_json_key(j, "local_time");
        cli_json_string(j, local);
    } else {
        cli_json_key(j, "local_time");
        cli_json_null(j);
    }
    json_str_or_null(j, "timezone", d.timezone);
    cli_json_key(j, "amount");
    cli_json_string(j, amount_text(&d.amount, buf));
    cli_json_key(j, "currency");
    cli_json_string(j, d.amount.currency);
    cli_json_key(j, "score");
    if (d.score >= 0)
        cli_json_int(j, d.score);
    else
        cli_json_null(j);
    cli_json_key(j, "drivers");
    cli_json_begin_array(j);
    for (size_t k = 0; k < d.driver_count; k++) {
        archase_score_driver dr;
        if (archase_decision_driver(ds, i, k, &dr))
            continue;
        cli_json_begin_object(j);
        cli_json_key(j, "name");
        cli_json_string(j, dr.name);
        cli_json_key(j, "points");
        cli_json_int(j, dr.points);
        cli_json_end_object(j);
    }
    cli_json_end_array(j);
    if (d.kind == ARCHASE_DECISION_REQUEST_APPROVAL) {
        char h[65];
        cli_json_key(j, "approvers");
        cli_json_int(j, d.approvers);
        cli_json_key(j, "fast_lane");
        cli_json_bool(j, d.fast_lane);
        hex(d.payload_hash, h);
        cli_json_key(j, "payload_hash");
        cli_json_string(j, h);
    }
    if (d.role_count) {
        cli_json_key(j, "roles");
        cli_json_begin_array(j);
        for (size_t k = 0; k < d.role_count; k++) {
            const char *role;
            if (archase_decision_role(ds, i, k, &role) == 0)
                cli_json_string(j, role);
        }
        cli_json_end_array(j);
    }
    if (d.kind == ARCHASE_DECISION_ESCALATE) {
        cli_json_key(j, "recovery_plan");
        cli_json_bool(j, d.recovery_plan);
    }
    if (with_facts) {
        cli_json_key(j, "facts");
        cli_json_begin_array(j);
        for (size_t k = 0; k < d.fact_count; k++) {
            archase_decision_fact f = ARCHASE_DECISION_FACT_INIT;
            char value[512];
            if (archase_decision_fact_get(ds, i, k, &f))
                continue;
            cli_json_begin_object(j);
            cli_json_key(j, "name");
            cli_json_string(j, f.name);
            cli_json_key(j, "value");
            cli_json_string(j, fact_value(&f, value, sizeof value));
            json_str_or_null(j, "invoice_id", f.invoice_id);
            json_str_or_null(j, "source_link", f.source_link);
            if (f.type != ARCHASE_VALUE_TEXT)
                json_str_or_null(j, "detail", f.text);
            cli_json_end_object(j);
        }
        cli_json_end_array(j);
    }
    cli_json_end_object(j);
}

static void print_decision(const archase_decisions *ds, size_t i, int with_facts) {
    archase_decision d = ARCHASE_DECISION_INIT;
    if (archase_decision_get(ds, i, &d))
        return;
    char buf[64], at[ARCHASE_INSTANT_FORMAT_MAX] = "";
    archase_instant_format(d.scheduled_at, at, sizeof at);
    printf("%-16s %-12s", archase_decision_kind_name(d.kind), d.customer_id);
    for (size_t k = 0; k < d.invoice_count; k++) {
        archase_decision_invoice di = ARCHASE_DECISION_INVOICE_INIT;
        if (archase_decision_invoice_get(ds, i, k, &di) == 0)
            printf("%s%s", k ? "," : " ", di.invoice_id);
    }
    printf("  %s %s %s\n", amount_text(&d.amount, buf), d.amount.currency, d.rule);
    printf("    %s%s%s%s  at %s", channel_text(d.channel), d.template_name ? " " : "",
           d.template_name ? d.template_name : "", d.tone ? "" : "", at);
    if (d.owner)
        printf("  owner %s", d.owner);
    printf("  due %s\n    reasons:", date_text(d.due_by, buf));
    for (size_t k = 0; k < d.reason_count; k++) {
        int reason;
        if (archase_decision_reason(ds, i, k, &reason) == 0)
            printf(" %s", archase_reason_name(reason));
    }
    printf("\n");
    if (d.score >= 0) {
        printf("    score %d", (int)d.score);
        for (size_t k = 0; k < d.driver_count; k++) {
            archase_score_driver dr;
            if (archase_decision_driver(ds, i, k, &dr) == 0)
                printf("%s %s %+lld", k ? "," : ":", dr.name, (long long)dr.points);
        }
        printf("\n");
    }
    for (size_t k = 0; with_facts && k < d.fact_count; k++) {
        archase_decision_fact f = ARCHASE_DECISION_FACT_INIT;
        char value[512];
        if (archase_decision_fact_get(ds, i, k, &f))
            continue;
        printf("    fact %s = %s", f.name, fact_value(&f, value, sizeof value));
        if (f.type != ARCHASE_VALUE_TEXT && f.text)
            printf(" (%s)", f.text);
        if (f.invoice_id)
            printf("  [%s]", f.invoice_id);
        if (f.source_link)
            printf("  %s", f.source_link);
        printf("\n");
    }
}

/* ---- run --------------------------------------------------------------------- */

int run_report(const session *s, int json, int list) {
    const archase_decisions *ds = s->ds;
    uint64_t by_kind[ARCHASE_DECISION_KIND_LIMIT] = { 0 };
    uint64_t by_reason[ARCHASE_REASON_LIMIT_] = { 0 };
    size_t n = archase_decisions_count(ds);
    for (size_t i = 0; i < n; i++) {
        archase_decision d = ARCHASE_DECISION_INIT;
        if (archase_decision_get(ds, i, &d))
            continue;
        by_kind[d.kind]++;
        for (size_t k = 0; k < d.reason_count; k++) {
            int reason;
            if (archase_decision_reason(ds, i, k, &reason) == 0)
                by_reason[reason]++;
        }
    }
    archase_coverage cov = ARCHASE_COVERAGE_INIT;
    archase_coverage_report(ds, &cov);
    uint8_t policy_hash[32], decisions_hash[32];
    char ph[65], dh[65], date[ARCHASE_DATE_FORMAT_MAX];
    archase_policy_hash(s->policy, policy_hash);
    int rc = archase_decisions_hash(ds, decisions_hash);
    if (rc)
        return cli_fail_rc(s->command, rc, "hashing the decisions", NULL);
    hex(policy_hash, ph);
    hex(decisions_hash, dh);
    date_text(s->as_of, date);
    if (json) {
        cli_json j;
        cli_json_init(&j, stdout, 1);
        cli_json_begin_object(&j);
        cli_json_key(&j, "as_of");
        cli_json_string(&j, date);
        cli_json_key(&j, "policy_hash");
        cli_json_string(&j, ph);
        cli_json_key(&j, "open_invoices");
        cli_json_int(&j, (long long)cov.open_invoices);
        cli_json_key(&j, "decisions");
        cli_json_int(&j, (long long)n);
        cli_json_key(&j, "by_kind");
        cli_json_begin_object(&j);
        for (int k = 1; k < ARCHASE_DECISION_KIND_LIMIT; k++) {
            cli_json_key(&j, archase_decision_kind_name(k));
            cli_json_int(&j, (long long)by_kind[k]);
        }
        cli_json_end_object(&j);
        cli_json_key(&j, "by_reason");
        cli_json_begin_object(&j);
        for (int r = 1; r < ARCHASE_REASON_LIMIT_; r++) {
            if (!by_reason[r])
                continue;
            cli_json_key(&j, archase_reason_name(r));
            cli_json_int(&j, (long long)by_reason[r]);
        }
        cli_json_end_object(&j);
        cli_json_key(&j, "coverage");
        cli_json_begin_object(&j);
        cli_json_key(&j, "overdue_invoices");
        cli_json_int(&j, (long long)cov.overdue_invoices);
        for (int st = 1; st < ARCHASE_COVERAGE_STATE_LIMIT; st++) {
            cli_json_key(&j, archase_coverage_state_name(st));
            cli_json_int(&j, (long long)cov.by_state[st]);
        }
        cli_json_key(&j, "unaccounted");
        cli_json_int(&j, (long long)cov.unaccounted);
        cli_json_key(&j, "by_reason");
        cli_json_begin_object(&j);
        for (int r = 1; r < ARCHASE_REASON_LIMIT_; r++) {
            if (!cov.by_reason[r])
                continue;
            cli_json_key(&j, archase_reason_name(r));
            cli_json_int(&j, (long long)cov.by_reason[r]);
        }
        cli_json_end_object(&j);
        cli_json_end_object(&j);
        cli_json_key(&j, "decisions_hash");
        cli_json_string(&j, dh);
        if (list) {
            cli_json_key(&j, "items");
            cli_json_begin_array(&j);
            for (size_t i = 0; i < n; i++)
                json_decision(&j, ds, i, 1);
            cli_json_end_array(&j);
        }
        cli_json_end_object(&j);
        cli_json_finish(&j);
        return CLI_OK;
    }
    printf("as of %s, policy %s (%s)\n", date, archase_policy_name(s->policy), ph);
    printf("%llu open invoices, %llu overdue; %zu decisions\n", (unsigned long long)cov.open_invoices,
           (unsigned long long)cov.overdue_invoices, n);
    printf("by kind:\n");
    for (int k = 1; k < ARCHASE_DECISION_KIND_LIMIT; k++)
        if (by_kind[k])
            printf("  %-18s %8llu\n", archase_decision_kind_name(k), (unsigned long long)by_kind[k]);
    printf("by reason:\n");
    for (int r = 1; r < ARCHASE_REASON_LIMIT_; r++)
        if (by_reason[r])
            printf("  %-28s %8llu\n", archase_reason_name(r), (unsigned long long)by_reason[r]);
    printf("overdue invoices by state (no silent drops):\n");
    for (int st = 1; st < ARCHASE_COVERAGE_STATE_LIMIT; st++)
        printf("  %-18s %8llu\n", archase_coverage_state_name(st), (unsigned long long)cov.by_state[st]);
    printf("  %-18s %8llu\n", "unaccounted", (unsigned long long)cov.unaccounted);
    printf("decisions hash %s\n", dh);
    if (list) {
        printf("\n");
        for (size_t i = 0; i < n; i++)
            print_decision(ds, i, 0);
    }
    return CLI_OK;
}

int cmd_run(int argc, char **argv) {
    int persisting = 1;
    for (int i = 1; i < argc && persisting; i++)
        persisting = strcmp(argv[i], "--dry-run") != 0 && strcmp(argv[i], "--help") != 0 &&
                     strcmp(argv[i], "-h") != 0;
    if (persisting)
        return cmd_run_cycle(argc, argv);
    int json = 0, help = 0, npos = 0, dry_run = 0, list = 0;
    const char *pos[1], *policy = NULL, *as_of = NULL;
    const cli_option options[] = {
        { "policy", 1, &policy, NULL }, { "as-of", 1, &as_of, NULL }, { "dry-run", 0, NULL, &dry_run },
        { "decisions", 0, NULL, &list }, { "json", 0, NULL, &json },   { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("run", cmd_run_help, argc, argv, 1, options, pos, 1, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 1)
        return cli_fail("run", CLI_USAGE, "expected DB (see `archase run --help`)");
    session s = { "run", NULL, NULL, NULL, NULL, ARCHASE_DATE_NONE };
    rc = session_open(&s, pos[0], policy, as_of);
    if (rc == CLI_OK)
        rc = run_report(&s, json, list);
    session_close(&s);
    return rc;
}

/* ---- worklist ------------------------------------------------------------------ */

int worklist_report(const session *s, const char *owner, int json) {
    archase_worklist *wl = NULL;
    archase_worklist_options o = ARCHASE_WORKLIST_OPTIONS_INIT;
    o.owner = owner;
    int lrc = archase_worklist_build(s->ds, &o, &wl);
    if (lrc)
        return cli_fail_rc(s->command, lrc, "building the worklist", NULL);
    cli_json j;
    cli_json_init(&j, stdout, 1);
    if (json)
        cli_json_begin_array(&j);
    else
        printf("%4s  %-14s %-12s %-16s %-10s %5s %16s %5s  %s\n", "rank", "owner", "customer",
               "next action", "due by", "score", "amount", "days", "invoices / reasons");
    for (size_t i = 0; i < archase_worklist_count(wl); i++) {
        archase_worklist_line l = ARCHASE_WORKLIST_LINE_INIT;
        if (archase_worklist_line_get(wl, i, &l))
            continue;
        char due[ARCHASE_DATE_FORMAT_MAX], amount[ARCHASE_MONEY_FORMAT_MAX];
        date_text(l.due_by, due);
        amount_text(&l.amount, amount);
        if (json) {
            cli_json_begin_object(&j);
            cli_json_key(&j, "rank");
            cli_json_int(&j, l.rank);
            cli_json_key(&j, "customer_id");
            cli_json_string(&j, l.customer_id);
            cli_json_key(&j, "invoice_ids");
            cli_json_begin_array(&j);
            for (size_t k = 0; k < l.invoice_count; k++) {
                const char *id;
                if (archase_worklist_line_invoice(wl, i, k, &id) == 0)
                    cli_json_string(&j, id);
            }
            cli_json_end_array(&j);
            cli_json_key(&j, "owner");
            cli_json_string(&j, l.owner);
            cli_json_key(&j, "next_action");
            cli_json_string(&j, l.next_action);
            cli_json_key(&j, "kind");
            cli_json_string(&j, archase_work_kind_name(l.kind));
            cli_json_key(&j, "reason_codes");
            cli_json_begin_array(&j);
            for (size_t k = 0; k < l.reason_count; k++) {
                int reason;
                if (archase_worklist_line_reason(wl, i, k, &reason) == 0)
                    cli_json_string(&j, archase_reason_name(reason));
            }
            cli_json_end_array(&j);
            cli_json_key(&j, "due_by");
            cli_json_string(&j, due);
            cli_json_key(&j, "score");
            cli_json_int(&j, l.score);
            cli_json_key(&j, "amount");
            cli_json_string(&j, amount);
            cli_json_key(&j, "currency");
            cli_json_string(&j, l.amount.currency);
            cli_json_key(&j, "days_overdue");
            cli_json_int(&j, l.days_overdue);
            cli_json_end_object(&j);
            continue;
        }
        printf("%4u  %-14s %-12s %-16s %-10s %5d %12s %3s %5d ", l.rank, l.owner, l.customer_id,
               l.next_action, due, (int)l.score, amount, l.amount.currency, (int)l.days_overdue);
        for (size_t k = 0; k < l.invoice_count; k++) {
            const char *id;
            if (archase_worklist_line_invoice(wl, i, k, &id) == 0)
                printf("%s%s", k ? "," : " ", id);
        }
        printf(" /");
        for (size_t k = 0; k < l.reason_count; k++) {
            int reason;
            if (archase_worklist_line_reason(wl, i, k, &reason) == 0)
                printf(" %s", archase_reason_name(reason));
        }
        printf("\n");
    }
    if (json) {
        cli_json_end_array(&j);
        cli_json_finish(&j);
    }
    archase_worklist_free(wl);
    return CLI_OK;
}

int cmd_worklist(int argc, char **argv) {
    int json = 0, help = 0, npos = 0;
    const char *pos[1], *policy = NULL, *as_of = NULL, *owner = NULL;
    const cli_option options[] = {
        { "policy", 1, &policy, NULL }, { "as-of", 1, &as_of, NULL }, { "owner", 1, &owner, NULL },
        { "json", 0, NULL, &json },     { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("worklist", cmd_worklist_help, argc, argv, 1, options, pos, 1, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 1)
        return cli_fail("worklist", CLI_USAGE, "expected DB (see `archase worklist --help`)");
    session s = { "worklist", NULL, NULL, NULL, NULL, ARCHASE_DATE_NONE };
    rc = session_open(&s, pos[0], policy, as_of);
    if (rc == CLI_OK)
        rc = worklist_report(&s, owner, json);
    session_close(&s);
    return rc;
}

/* ---- explain ------------------------------------------------------------------- */

int cmd_explain(int argc, char **argv) {
    int json = 0, help = 0, npos = 0;
    const char *pos[2], *policy = NULL, *as_of = NULL;
    const cli_option options[] = {
        { "policy", 1, &policy, NULL }, { "as-of", 1, &as_of, NULL }, { "json", 0, NULL, &json },
        { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("explain", cmd_explain_help, argc, argv, 1, options, pos, 2, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 2)
        return cli_fail("explain", CLI_USAGE, "expected DB and INVOICE_ID (see `archase explain --help`)");
    session s = { "explain", NULL, NULL, NULL, NULL, ARCHASE_DATE_NONE };
    rc = session_open(&s, pos[0], policy, as_of);
    size_t idx = 0;
    archase_invoice_assessment a = ARCHASE_INVOICE_ASSESSMENT_INIT;
    if (rc == CLI_OK) {
        int frc = archase_assessment_find(s.ds, pos[1], &idx);
        if (frc == ARCHASE_ENOTFOUND)
            rc = cli_fail("explain", CLI_INVALID, "%s is not an open invoice on %s", pos[1], as_of);
        else if (frc || archase_assessment_get(s.ds, idx, &a))
            rc = cli_fail_rc("explain", frc ? frc : ARCHASE_EINVAL, pos[1], NULL);
    }
    if (rc == CLI_OK) {
        char open[ARCHASE_MONEY_FORMAT_MAX], disputed[ARCHASE_MONEY_FORMAT_MAX], next[ARCHASE_DATE_FORMAT_MAX];
        amount_text(&a.open_amount, open);
        amount_text(&a.disputed_amount, disputed);
        date_text(a.next_date, next);
        if (json) {
            cli_json j;
            cli_json_init(&j, stdout, 1);
            cli_json_begin_object(&j);
            cli_json_key(&j, "invoice_id");
            cli_json_string(&j, a.invoice_id);
            cli_json_key(&j, "customer_id");
            cli_json_string(&j, a.customer_id);
            cli_json_key(&j, "days_overdue");
            cli_json_int(&j, a.days_overdue);
            cli_json_key(&j, "open_amount");
            cli_json_string(&j, open);
            cli_json_key(&j, "disputed_amount");
            cli_json_string(&j, disputed);
            cli_json_key(&j, "currency");
            cli_json_string(&j, a.open_amount.currency);
            cli_json_key(&j, "segment");
            cli_json_string(&j, a.segment);
            cli_json_key(&j, "sequence");
            cli_json_string(&j, a.sequence);
            cli_json_key(&j, "score");
            cli_json_int(&j, a.score);
            cli_json_key(&j, "drivers");
            cli_json_begin_array(&j);
            for (size_t k = 0; k < a.driver_count; k++) {
                archase_score_driver dr;
                if (archase_assessment_driver(s.ds, idx, k, &dr))
                    continue;
                cli_json_begin_object(&j);
                cli_json_key(&j, "name");
                cli_json_string(&j, dr.name);
                cli_json_key(&j, "points");
                cli_json_int(&j, dr.points);
                cli_json_end_object(&j);
            }
            cli_json_end_array(&j);
            cli_json_key(&j, "coverage");
            cli_json_string(&j, archase_coverage_state_name(a.coverage));
            json_str_or_null(&j, "reason", a.reason ? archase_reason_name(a.reason) : NULL);
            cli_json_key(&j, "step_index");
            cli_json_int(&j, a.step_index);
            json_str_or_null(&j, "next_step", a.next_step);
            json_str_or_null(&j, "next_date", next);
            cli_json_key(&j, "decisions");
            cli_json_begin_array(&j);
            for (size_t k = 0; k < a.decision_count; k++) {
                size_t di;
                if (archase_assessment_decision(s.ds, idx, k, &di) == 0)
                    json_decision(&j, s.ds, di, 1);
            }
            cli_json_end_array(&j);
            cli_json_end_object(&j);
            cli_json_finish(&j);
        } else {
            printf("invoice %s of %s: %s %s open (%s disputed), %d days overdue\n", a.invoice_id, a.customer_id,
                   open, a.open_amount.currency, disputed, (int)a.days_overdue);
            printf("segment %s, sequence %s, step %d done, next %s on %s\n", a.segment, a.sequence,
                   (int)a.step_index + 1, a.next_step ? a.next_step : "(none)", a.next_step ? next : "-");
            printf("risk score %d", (int)a.score);
            for (size_t k = 0; k < a.driver_count; k++) {
                archase_score_driver dr;
                if (archase_assessment_driver(s.ds, idx, k, &dr) == 0)
                    printf("%s %s %+lld", k ? "," : ":", dr.name, (long long)dr.points);
            }
            printf("\nwhere it is: %s%s%s\n", archase_coverage_state_name(a.coverage), a.reason ? ", " : "",
                   a.reason ? archase_reason_name(a.reason) : "");
            printf("decisions today: %zu\n", a.decision_count);
            for (size_t k = 0; k < a.decision_count; k++) {
                size_t di;
                if (archase_assessment_decision(s.ds, idx, k, &di) == 0)
                    print_decision(s.ds, di, 1);
            }
        }
    }
    session_close(&s);
    return rc;
}
