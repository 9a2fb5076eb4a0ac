/* cli/cmd_dispute.c — `archase dispute open|update|resolve|list|report`:
 * disputes as their owners work them (docs/promises-disputes.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "coll_util.h"
#include "commands.h"

const char cmd_dispute_help[] =
    "usage: archase dispute open DB --policy P --id ID --customer C --invoice I [--invoice I]...\n"
    "                          --amount \"300.00 EUR\" --reason CODE --opened-by WHO\n"
    "                          [--evidence TEXT] [--owner WHO] [--as-of DATE]\n"
    "       archase dispute update DB ID --policy P --by WHO [--review] [--owner WHO]\n"
    "                          [--evidence TEXT] [--as-of DATE]\n"
    "       archase dispute resolve DB ID --policy P --by WHO --resolution R --root-cause TAG\n"
    "                          [--credit \"300.00 EUR\"] [--justification TEXT] [--as-of DATE]\n"
    "       archase dispute list DB --policy P [--customer C] [--status S] [--as-of DATE] [--json]\n"
    "       archase dispute report DB --policy P [--as-of DATE] [--json]\n"
    "\n"
    "Reason codes: pricing, short_ship, damaged_goods, missing_po,\n"
    "milestone_not_accepted, duplicate_billing, tax, other. The reason's playbook\n"
    "gives the owner and the SLA; the disputed part of an invoice waits, the rest is\n"
    "still chased. Resolutions: credit_issued and partial (with --credit: credit notes\n"
    "on the invoices) or rejected, always with a root-cause tag. A credit above the\n"
    "playbook's approval_limit waits for an approval: resolve prints the request,\n"
    "and resolving again once it is approved completes it.\n"
    "\n"
    "  --json   list: an array of {\"id\", \"customer_id\", \"invoice_ids\", \"amount\",\n"
    "           \"reason\", \"status\", \"owner\", \"opened_on\", \"sla_due\", \"sla\",\n"
    "           \"age_days\", \"resolution\", \"root_cause\", \"credited\", \"pending_approval\"};\n"
    "           report: an array of {\"group\", \"key\", \"month\", \"count\", \"days\", \"max_days\"}\n"
    "\n"
    "exit status: 0 done, 1 refused (why on stderr), 2 wrong command line.\n";

static const char *sla_name(int s) {
    return s == ARCHASE_SLA_BREACHED ? "breached" : s == ARCHASE_SLA_DUE_SOON ? "due_soon" : "ok";
}

/* Opens the ledger and loads the policy; both freed by done(). */
typedef struct ctx {
    archase_engine *eng;
    archase_policy *policy;
} ctx;

static int start(ctx *c, const char *db, const char *policy_path, int read_only) {
    memset(c, 0, sizeof *c);
    if (!policy_path)
        return cli_fail("dispute", CLI_USAGE, "--policy is required");
    c->policy = coll_policy("dispute", policy_path);
    if (!c->policy)
        return CLI_INVALID;
    int rc = coll_open_db("dispute", db, read_only, &c->eng);
    if (rc) {
        archase_policy_free(c->policy);
        c->policy = NULL;
    }
    return rc;
}

static void done(ctx *c) {
    archase_engine_free(c->eng);
    archase_policy_free(c->policy);
}

static int open_cmd(int argc, char **argv) {
    int help = 0, npos = 0;
    const char *pos[1] = { NULL }, *policy = NULL, *id = NULL, *customer = NULL, *amount = NULL, *reason = NULL;
    const char *opened_by = NULL, *evidence = NULL, *owner = NULL, *as_of_text = NULL;
    const char *invoices[CLI_REPEATED_MAX + 1] = { NULL };
    const cli_option options[] = {
        { "policy", 1, &policy, NULL },       { "id", 1, &id, NULL },
        { "customer", 1, &customer, NULL },   { "invoice", CLI_REPEATED, invoices, NULL },
        { "amount", 1, &amount, NULL },       { "reason", 1, &reason, NULL },
        { "opened-by", 1, &opened_by, NULL }, { "evidence", 1, &evidence, NULL },
        { "owner", 1, &owner, NULL },         { "as-of", 1, &as_of_text, NULL },
        { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("dispute", cmd_dispute_help, argc, argv, 2, options, pos, 1, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 1)
        return cli_fail("dispute", CLI_USAGE, "usage: archase dispute open DB --policy P ... (see --help)");
    archase_dispute d = ARCHASE_DISPUTE_INIT;
    archase_date as_of;
    if ((rc = coll_date("dispute", "as-of", as_of_text, &as_of)))
        return rc;
    if (amount && (rc = coll_money("dispute", "amount", amount, &d.amount)))
        return rc;
    size_t n = 0;
    while (invoices[n])
        n++;
    d.id = id;
    d.customer_id = customer;
    d.invoice_ids = invoices;
    d.invoice_count = n;
    d.reason_code = reason;
    d.opened_by = opened_by;
    d.evidence = evidence;
    d.owner = owner;
    ctx c;
    if ((rc = start(&c, pos[0], policy, 0)))
        return rc;
    int arc = archase_dispute_open(c.eng, c.policy, &d, as_of);
    if (arc)
        rc = coll_fail("dispute", c.eng, arc, "refused");
    else
        printf("dispute %s opened\n", id);
    done(&c);
    return rc;
}

static int update_cmd(int argc, char **argv) {
    int help = 0, npos = 0, review = 0;
    const char *pos[2] = { NULL, NULL }, *policy = NULL, *by = NULL, *owner = NULL, *evidence = NULL,
               *as_of_text = NULL;
    const cli_option options[] = {
        { "policy", 1, &policy, NULL }, { "by", 1, &by, NULL },           { "review", 0, NULL, &review },
        { "owner", 1, &owner, NULL },   { "evidence", 1, &evidence, NULL }, { "as-of", 1, &as_of_text, NULL },
        { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("dispute", cmd_dispute_help, argc, argv, 2, options, pos, 2, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 2)
        return cli_fail("dispute", CLI_USAGE, "usage: archase dispute update DB ID --policy P --by WHO ...");
    archase_date as_of;
    if ((rc = coll_date("dispute", "as-of", as_of_text, &as_of)))
        return rc;
    archase_dispute_change ch = ARCHASE_DISPUTE_CHANGE_INIT;
    ch.id = pos[1];
    ch.status = review ? ARCHASE_DISPUTE_IN_REVIEW : 0;
    ch.owner = owner;
    ch.evidence = evidence;
    ch.by = by;
    ctx c;
    if ((rc = start(&c, pos[0], policy, 0)))
        return rc;
    int arc = archase_dispute_update(c.eng, c.policy, &ch, as_of);
    if (arc)
        rc = coll_fail("dispute", c.eng, arc, "refused");
    else
        printf("dispute %s updated\n", pos[1]);
    done(&c);
    return rc;
}

static int resolve_cmd(int argc, char **argv) {
    int help = 0, npos = 0;
    const char *pos[2] = { NULL, NULL }, *policy = NULL, *by = NULL, *resolution = NULL, *root = NULL,
               *credit = NULL, *why = NULL, *as_of_text = NULL;
    const cli_option options[] = {
        { "policy", 1, &policy, NULL },   { "by", 1, &by, NULL },
        { "resolution", 1, &resolution, NULL }, { "root-cause", 1, &root, NULL },
        { "credit", 1, &credit, NULL },   { "justification", 1, &why, NULL },
        { "as-of", 1, &as_of_text, NULL }, { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("dispute", cmd_dispute_help, argc, argv, 2, options, pos, 2, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 2)
        return cli_fail("dispute", CLI_USAGE, "usage: archase dispute resolve DB ID --policy P --by WHO ...");
    archase_dispute_outcome o = ARCHASE_DISPUTE_OUTCOME_INIT;
    archase_date as_of;
    if ((rc = coll_date("dispute", "as-of", as_of_text, &as_of)))
        return rc;
    if (credit && (rc = coll_money("dispute", "credit", credit, &o.credited)))
        return rc;
    for (int r = ARCHASE_RESOLUTION_CREDIT_ISSUED; resolution && r <= ARCHASE_RESOLUTION_PARTIAL; r++)
        if (!strcmp(archase_dispute_resolution_name(r), resolution))
            o.resolution = r;
    if (!o.resolution)
        return cli_fail("dispute", CLI_USAGE, "--resolution: credit_issued, rejected or partial");
    o.id = pos[1];
    o.root_cause = root;
    o.by = by;
    o.justification = why;
    ctx c;
    if ((rc = start(&c, pos[0], policy, 0)))
        return rc;
    char approval[ARCHASE_APPROVAL_ID_MAX] = "";
    int pending = 0;
    int arc = archase_dispute_resolve(c.eng, c.policy, &o, as_of, approval, &pending);
    if (arc)
        rc = coll_fail("dispute", c.eng, arc, "refused");
    else if (pending)
        printf("dispute %s: the credit waits for approval %s\n", pos[1], approval);
    else
        printf("dispute %s resolved: %s\n", pos[1], resolution);
    done(&c);
    return rc;
}

typedef struct lister {
    cli_json json;
    int      as_json;
} lister;

static void json_str(cli_json *j, const char *key, const char *value) {
    cli_json_key(j, key);
    if (value && *value)
        cli_json_string(j, value);
    else
        cli_json_null(j);
}

static int list_one(void *ud, const archase_dispute_info *i) {
    lister *l = ud;
    const archase_dispute *d = i->dispute;
    char amount[ARCHASE_MONEY_FORMAT_MAX], credited[ARCHASE_MONEY_FORMAT_MAX], opened[ARCHASE_DATE_FORMAT_MAX],
        due[ARCHASE_DATE_FORMAT_MAX];
    coll_money_text(&d->amount, amount);
    coll_money_text(&d->credited, credited);
    coll_date_text(d->opened_on, opened);
    coll_date_text(i->sla_due, due);
    if (!l->as_json) {
        printf("%-14s %-12s %-10s %-22s %14s  owner %s  opened %s  SLA %s (%s)  %d days", d->id, d->customer_id,
               archase_dispute_status_name(d->status), d->reason_code, amount, i->owner ? i->owner : "-", opened,
               due, sla_name(i->sla_state), (int)i->age_days);
        if (d->status == ARCHASE_DISPUTE_RESOLVED)
            printf("  %s, root cause %s%s%s", archase_dispute_resolution_name(d->resolution), d->root_cause,
                   credited[0] ? ", credited " : "", credited);
        if (i->pending_approval)
            printf("  credit waits for %s", i->pending_approval);
        printf("\n");
        return 0;
    }
    cli_json *j = &l->json;
    cli_json_begin_object(j);
    json_str(j, "id", d->id);
    json_str(j, "customer_id", d->customer_id);
    cli_json_key(j, "invoice_ids");
    cli_json_begin_array(j);
    for (size_t k = 0; k < d->invoice_count; k++)
        cli_json_string(j, d->invoice_ids[k]);
    cli_json_end_array(j);
    json_str(j, "amount", amount);
    json_str(j, "reason", d->reason_code);
    json_str(j, "status", archase_dispute_status_name(d->status));
    json_str(j, "owner", i->owner);
    json_str(j, "opened_on", opened);
    json_str(j, "sla_due", due);
    json_str(j, "sla", sla_name(i->sla_state));
    cli_json_key(j, "age_days");
    cli_json_int(j, i->age_days);
    json_str(j, "resolution", archase_dispute_resolution_name(d->resolution));
    json_str(j, "root_cause", d->root_cause);
    json_str(j, "credited", credited);
    json_str(j, "pending_approval", i->pending_approval);
    cli_json_end_object(j);
    return 0;
}

static int report_one(void *ud, const archase_dispute_report_row *r) {
    lister *l = ud;
    if (!l->as_json) {
        printf("%-16s %-8s %-28s %6llu  %lld days (max %lld)\n", r->group, r->month[0] ? r->month : "-", r->key,
               (unsigned long long)r->count, (long long)r->days, (long long)r->max_days);
        return 0;
    }
    cli_json *j = &l->json;
    cli_json_begin_object(j);
    json_str(j, "group", r->group);
    json_str(j, "key", r->key);
    json_str(j, "month", r->month);
    cli_json_key(j, "count");
    cli_json_int(j, (long long)r->count);
    cli_json_key(j, "days");
    cli_json_int(j, r->days);
    cli_json_key(j, "max_days");
    cli_json_int(j, r->max_days);
    cli_json_end_object(j);
    return 0;
}

static int list_cmd(int argc, char **argv, int report) {
    int help = 0, npos = 0, json = 0;
    const char *pos[1] = { NULL }, *policy = NULL, *customer = NULL, *status_text = NULL, *as_of_text = NULL;
    const cli_option options[] = {
        { "policy", 1, &policy, NULL },      { "customer", 1, &customer, NULL },
        { "status", 1, &status_text, NULL }, { "as-of", 1, &as_of_text, NULL },
        { "json", 0, NULL, &json },          { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("dispute", cmd_dispute_help, argc, argv, 2, options, pos, 1, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 1)
        return cli_fail("dispute", CLI_USAGE, "usage: archase dispute %s DB --policy P [--json]",
                        report ? "report" : "list");
    int status = 0;
    if (status_text) {
        for (int s = ARCHASE_DISPUTE_OPEN; s <= ARCHASE_DISPUTE_RESOLVED; s++)
            if (!strcmp(archase_dispute_status_name(s), status_text))
                status = s;
        if (!status)
            return cli_fail("dispute", CLI_USAGE, "--status: open, in_review or resolved");
    }
    archase_date as_of;
    if ((rc = coll_date("dispute", "as-of", as_of_text, &as_of)))
        return rc;
    ctx c;
    if ((rc = start(&c, pos[0], policy, 1)))
        return rc;
    lister l;
    memset(&l, 0, sizeof l);
    l.as_json = json;
    cli_json_init(&l.json, stdout, 1);
    if (json)
        cli_json_begin_array(&l.json);
    int arc = report ? archase_dispute_report(c.eng, c.policy, as_of, report_one, &l)
                     : archase_disputes_scan(c.eng, c.policy, customer, status, as_of, list_one, &l);
    if (json) {
        cli_json_end_array(&l.json);
        cli_json_finish(&l.json);
    }
    if (arc)
        rc = coll_fail("dispute", c.eng, arc, pos[0]);
    done(&c);
    return rc;
}

int cmd_dispute(int argc, char **argv) {
    const char *sub = argc >= 2 ? argv[1] : "";
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
        fputs(cmd_dispute_help, stdout);
        return CLI_OK;
    }
    if (!strcmp(sub, "open"))
        return open_cmd(argc, argv);
    if (!strcmp(sub, "update"))
        return update_cmd(argc, argv);
    if (!strcmp(sub, "resolve"))
        return resolve_cmd(argc, argv);
    if (!strcmp(sub, "list"))
        return list_cmd(argc, argv, 0);
    if (!strcmp(sub, "report"))
        return list_cmd(argc, argv, 1);
    return cli_fail("dispute", CLI_USAGE, "usage: archase dispute open|update|resolve|list|report DB ... (see --help)");
}
