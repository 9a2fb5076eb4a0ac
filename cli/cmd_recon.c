/* cli/cmd_recon.c — `archase recon` (the reconciliation queue and its
 * resolutions) and `archase credit` (a customer's credit-limit
 * recommendation with its drivers). docs/promises-disputes.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "coll_util.h"
#include "commands.h"

const char cmd_recon_help[] =
    "usage: archase recon DB [--policy P] [--update] [--as-of DATE] [--status open|resolved|all] [--json]\n"
    "       archase recon resolve DB ID --resolution apply|refund|write_off --by WHO [--invoice I]\n"
    "                        [--note TEXT] [--justification TEXT] [--policy P] [--as-of DATE]\n"
    "\n"
    "Lists the reconciliation queue (open items unless --status says otherwise):\n"
    "overpayments, short-pays, unapplied cash, payments on disputed invoices,\n"
    "promises paid by another amount, cash in another currency, duplicate payment\n"
    "references, each with its amount, owner and SLA. --update first moves\n"
    "promises, disputes and the queue forward to --as-of (default today).\n"
    "resolve records a person's decision: apply (the money goes to --invoice, or\n"
    "the application is confirmed), refund, or write_off, which waits for an\n"
    "approval (resolve again once it is approved). Without --policy the defaults\n"
    "of the policy schema apply.\n"
    "\n"
    "  --json   an array of {\"id\", \"reason\", \"status\", \"customer_id\", \"invoice_id\",\n"
    "           \"payment_id\", \"amount\", \"date\", \"owner\", \"sla_due\", \"resolution\",\n"
    "           \"resolved_by\", \"resolved_on\", \"approval_id\"}\n"
    "\n"
    "exit status: 0 done, 1 refused (why on stderr), 2 wrong command line.\n";

const char cmd_credit_help[] =
    "usage: archase credit DB CUSTOMER_ID [--policy P] [--as-of DATE] [--request --as WHO\n"
    "                      --justification TEXT] [--json]\n"
    "\n"
    "The credit-limit recommendation for one customer within the policy's bands\n"
    "(policy `credit`): keep, raise, lower or hold, the limit it recommends and the\n"
    "drivers behind it (utilisation, broken promises, kept rate, days late, paid\n"
    "invoices, open disputes). Lowering and holding are sensitive: --request raises\n"
    "the approval request they need. A hold names the notice template and the day\n"
    "it takes effect; requesting it queues the notice to the customer's consented\n"
    "contact (outbox item credit_notice/<request id>#1), and the hold is carried\n"
    "out only notice_days after that notice was sent.\n"
    "\n"
    "  --json   {\"customer_id\", \"action\", \"current_limit\", \"recommended_limit\",\n"
    "           \"exposure\", \"utilisation_percent\", \"approval_action\",\n"
    "           \"notice_template\", \"effective_on\", \"drivers\": [{\"name\", \"value\",\n"
    "           \"direction\"}], \"approval_id\", \"notice_item\"}\n";

static void json_str(cli_json *j, const char *key, const char *value) {
    cli_json_key(j, key);
    if (value && *value)
        cli_json_string(j, value);
    else
        cli_json_null(j);
}

typedef struct lister {
    cli_json json;
    int      as_json;
    size_t   n;
} lister;

static int list_one(void *ud, const archase_recon_item *it) {
    lister *l = ud;
    char amount[ARCHASE_MONEY_FORMAT_MAX], date[ARCHASE_DATE_FORMAT_MAX], due[ARCHASE_DATE_FORMAT_MAX],
        resolved[ARCHASE_DATE_FORMAT_MAX];
    coll_money_text(&it->amount, amount);
    coll_date_text(it->date, date);
    coll_date_text(it->sla_due, due);
    coll_date_text(it->resolved_on, resolved);
    const char *status = it->status == ARCHASE_RECON_STATUS_OPEN ? "open" : "resolved";
    l->n++;
    if (!l->as_json) {
        printf("%-32s %-20s %-8s %-12s %-10s %14s  %s  owner %s  SLA %s", it->id, archase_recon_reason_name(it->reason),
               status, it->customer_id, it->invoice_id ? it->invoice_id : "-", amount, date, it->owner_role, due);
        if (it->resolution)
            printf("  %s by %s on %s", archase_recon_resolution_name(it->resolution),
                   it->resolved_by ? it->resolved_by : "-", resolved);
        else if (it->approval_id)
            printf("  write-off waits for %s", it->approval_id);
        printf("\n");
        return 0;
    }
    cli_json *j = &l->json;
    cli_json_begin_object(j);
    json_str(j, "id", it->id);
    json_str(j, "reason", archase_recon_reason_name(it->reason));
    json_str(j, "status", status);
    json_str(j, "customer_id", it->customer_id);
    json_str(j, "invoice_id", it->invoice_id);
    json_str(j, "payment_id", it->payment_id);
    json_str(j, "amount", amount);
    json_str(j, "date", date);
    json_str(j, "owner", it->owner_role);
    json_str(j, "sla_due", due);
    json_str(j, "resolution", archase_recon_resolution_name(it->resolution));
    json_str(j, "resolved_by", it->resolved_by);
    json_str(j, "resolved_on", resolved);
    json_str(j, "approval_id", it->approval_id);
    cli_json_end_object(j);
    return 0;
}

static int resolve_cmd(int argc, char **argv) {
    int help = 0, npos = 0;
    const char *pos[2] = { NULL, NULL }, *policy_path = NULL, *resolution = NULL, *by = NULL, *invoice = NULL,
               *note = NULL, *why = NULL, *as_of_text = NULL;
    const cli_option options[] = {
        { "policy", 1, &policy_path, NULL }, { "resolution", 1, &resolution, NULL },
        { "by", 1, &by, NULL },              { "invoice", 1, &invoice, NULL },
        { "note", 1, &note, NULL },          { "justification", 1, &why, NULL },
        { "as-of", 1, &as_of_text, NULL },   { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("recon", cmd_recon_help, argc, argv, 2, options, pos, 2, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 2)
        return cli_fail("recon", CLI_USAGE, "usage: archase recon resolve DB ID --resolution R --by WHO");
    archase_recon_action a = ARCHASE_RECON_ACTION_INIT;
    if (!resolution || archase_recon_resolution_from_name(resolution, &a.resolution) != 0)
        return cli_fail("recon", CLI_USAGE, "--resolution: apply, refund or write_off");
    archase_date as_of;
    if ((rc = coll_date("recon", "as-of", as_of_text, &as_of)))
        return rc;
    a.id = pos[1];
    a.by = by;
    a.invoice_id = invoice;
    a.note = note;
    a.justification = why;
    archase_policy *policy = coll_policy("recon", policy_path);
    if (!policy)
        return CLI_INVALID;
    archase_engine *eng = NULL;
    if ((rc = coll_open_db("recon", pos[0], 0, &eng))) {
        archase_policy_free(policy);
        return rc;
    }
    char approval[ARCHASE_APPROVAL_ID_MAX] = "";
    int pending = 0;
    int arc = archase_recon_resolve(eng, policy, &a, as_of, approval, &pending);
    if (arc)
        rc = coll_fail("recon", eng, arc, "refused");
    else if (pending)
        printf("%s: the write-off waits for approval %s\n", pos[1], approval);
    else
        printf("%s resolved: %s\n", pos[1], resolution);
    archase_engine_free(eng);
    archase_policy_free(policy);
    return rc;
}

int cmd_recon(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "resolve"))
        return resolve_cmd(argc, argv);
    int help = 0, npos = 0, json = 0, update = 0;
    const char *pos[1] = { NULL }, *policy_path = NULL, *status_text = NULL, *as_of_text = NULL;
    const cli_option options[] = {
        { "policy", 1, &policy_path, NULL }, { "update", 0, NULL, &update },
        { "status", 1, &status_text, NULL }, { "as-of", 1, &as_of_text, NULL },
        { "json", 0, NULL, &json },          { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("recon", cmd_recon_help, argc, argv, 1, options, pos, 1, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 1)
        return cli_fail("recon", CLI_USAGE, "usage: archase recon DB [--json]");
    int status = ARCHASE_RECON_STATUS_OPEN;
    if (status_text) {
        status = !strcmp(status_text, "open") ? ARCHASE_RECON_STATUS_OPEN
                 : !strcmp(status_text, "resolved") ? ARCHASE_RECON_STATUS_RESOLVED
                 : !strcmp(status_text, "all") ? 0 : -1;
        if (status < 0)
            return cli_fail("recon", CLI_USAGE, "--status: open, resolved or all");
    }
    archase_date as_of;
    if ((rc = coll_date("recon", "as-of", as_of_text, &as_of)))
        return rc;
    archase_policy *policy = coll_policy("recon", policy_path);
    if (!policy)
        return CLI_INVALID;
    archase_engine *eng = NULL;
    if ((rc = coll_open_db("recon", pos[0], !update, &eng))) {
        archase_policy_free(policy);
        return rc;
    }
    int arc = 0;
    if (update) {
        archase_lifecycle_counts c;
        memset(&c, 0, sizeof c);
        c.version = ARCHASE_LIFECYCLE_COUNTS_VERSION;
        arc = archase_lifecycle_update(eng, policy, as_of, &c);
        if (!arc)
            fprintf(stderr,
                    "archase recon: %llu promise(s) kept, %llu partially kept, %llu broken; %llu SLA reminder(s), "
                    "%llu breach(es); %llu item(s) opened; %llu transition(s) in all\n",
                    (unsigned long long)c.promises_kept, (unsigned long long)c.promises_partially_kept,
                    (unsigned long long)c.promises_broken, (unsigned long long)c.disputes_sla_reminders,
                    (unsigned long long)c.disputes_sla_breached, (unsigned long long)c.recon_opened,
                    (unsigned long long)c.transitions);
    }
    lister l;
    memset(&l, 0, sizeof l);
    l.as_json = json;
    cli_json_init(&l.json, stdout, 1);
    if (json)
        cli_json_begin_array(&l.json);
    if (!arc)
        arc = archase_recon_scan(eng, policy, status, list_one, &l);
    if (json) {
        cli_json_end_array(&l.json);
        cli_json_finish(&l.json);
    }
    if (arc)
        rc = coll_fail("recon", eng, arc, pos[0]);
    archase_engine_free(eng);
    archase_policy_free(policy);
    return rc;
}

int cmd_credit(int argc, char **argv) {
    int help = 0, npos = 0, json = 0, request = 0;
    const char *pos[2] = { NULL, NULL }, *policy_path = NULL, *as_of_text = NULL, *actor = NULL, *why = NULL;
    const cli_option options[] = {
        { "policy", 1, &policy_path, NULL }, { "as-of", 1, &as_of_text, NULL },
        { "request", 0, NULL, &request },    { "as", 1, &actor, NULL },
        { "justification", 1, &why, NULL },  { "json", 0, NULL, &json },
        { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("credit", cmd_credit_help, argc, argv, 1, options, pos, 2, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 2)
        return cli_fail("credit", CLI_USAGE, "usage: archase credit DB CUSTOMER_ID [--json]");
    archase_date as_of;
    if ((rc = coll_date("credit", "as-of", as_of_text, &as_of)))
        return rc;
    archase_policy *policy = coll_policy("credit", policy_path);
    if (!policy)
        return CLI_INVALID;
    archase_engine *eng = NULL;
    if ((rc = coll_open_db("credit", pos[0], !request, &eng))) {
        archase_policy_free(policy);
        return rc;
    }
    archase_credit_recommendation r;
    memset(&r, 0, sizeof r);
    r.version = ARCHASE_CREDIT_RECOMMENDATION_VERSION;
    char approval[ARCHASE_APPROVAL_ID_MAX] = "";
    int arc = archase_credit_recommend(eng, policy, pos[1], as_of, &r);
    if (!arc && request) {
        if (!r.approval_action)
            arc = 0, fprintf(stderr, "archase credit: a %s recommendation needs no approval\n",
                              archase_credit_action_name(r.action));
        else
            arc = archase_credit_request(eng, policy, pos[1], &r, actor, why, approval, NULL);
    }
    if (arc) {
        rc = coll_fail("credit", eng, arc, pos[1]);
    } else {
        char cur[ARCHASE_MONEY_FORMAT_MAX], rec[ARCHASE_MONEY_FORMAT_MAX], exp[ARCHASE_MONEY_FORMAT_MAX],
            eff[ARCHASE_DATE_FORMAT_MAX];
        coll_money_text(&r.current_limit, cur);
        coll_money_text(&r.recommended_limit, rec);
        coll_money_text(&r.exposure, exp);
        coll_date_text(r.effective_on, eff);
        /* A hold requested under a notice template queued the customer's
         * notice under this key (docs/promises-disputes.md). */
        char notice[ARCHASE_APPROVAL_ID_MAX + 32] = "";
        if (approval[0] && r.action == ARCHASE_CREDIT_HOLD && r.notice_template)
            snprintf(notice, sizeof notice, "credit_notice/%s#1", approval);
        if (json) {
            cli_json j;
            cli_json_init(&j, stdout, 1);
            cli_json_begin_object(&j);
            json_str(&j, "customer_id", pos[1]);
            json_str(&j, "action", archase_credit_action_name(r.action));
            json_str(&j, "current_limit", cur);
            json_str(&j, "recommended_limit", rec);
            json_str(&j, "exposure", exp);
            cli_json_key(&j, "utilisation_percent");
            cli_json_int(&j, r.utilisation_percent);
            json_str(&j, "approval_action", r.approval_action ? archase_action_name(r.approval_action) : NULL);
            json_str(&j, "notice_template", r.notice_template);
            json_str(&j, "effective_on", eff);
            cli_json_key(&j, "drivers");
            cli_json_begin_array(&j);
            for (size_t i = 0; i < r.driver_count; i++) {
                cli_json_begin_object(&j);
                json_str(&j, "name", r.drivers[i].name);
                cli_json_key(&j, "value");
                cli_json_int(&j, r.drivers[i].value);
                cli_json_key(&j, "direction");
                cli_json_int(&j, r.drivers[i].direction);
                cli_json_end_object(&j);
            }
            cli_json_end_array(&j);
            json_str(&j, "approval_id", approval);
            json_str(&j, "notice_item", notice[0] ? notice : NULL);
            cli_json_end_object(&j);
            cli_json_finish(&j);
        } else {
            printf("%s: %s  limit %s -> %s  (exposure %s, %lld%% used)\n", pos[1], archase_credit_action_name(r.action),
                   cur[0] ? cur : "none", rec[0] ? rec : "none", exp[0] ? exp : "-", (long long)r.utilisation_percent);
            for (size_t i = 0; i < r.driver_count; i++)
                printf("  %-24s %8lld  %s\n", r.drivers[i].name, (long long)r.drivers[i].value,
                       r.drivers[i].direction > 0 ? "for more credit" : r.drivers[i].direction < 0 ? "for less credit" : "");
            if (r.approval_action)
                printf("  needs approval: %s%s%s\n", archase_action_name(r.approval_action),
                       approval[0] ? ", requested as " : "", approval);
            if (r.action == ARCHASE_CREDIT_HOLD && notice[0])
                printf("  notice: %s queued as %s; the hold takes effect %d days after it is sent (%s at the "
                       "earliest)\n",
                       r.notice_template, notice, (int)(r.effective_on - as_of), eff);
            else if (r.action == ARCHASE_CREDIT_HOLD)
                printf("  notice: %s, hold takes effect %s\n", r.notice_template ? r.notice_template : "(no template)", eff);
        }
    }
    archase_engine_free(eng);
    archase_policy_free(policy);
    return rc;
}
