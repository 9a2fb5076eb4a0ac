/* cli/cmd_approvals.c — `archase approvals`, `approve`, `reject`, `request`
 * and `overrides`: approval requests of sensitive actions as people drive
 * them. The actor and role are taken as given: whoever runs the command is
 * responsible for having authenticated them (docs/approvals.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "policy_file.h"

const char cmd_approvals_help[] =
    "usage: archase approvals DB [--pending | --status STATUS] [--id ID] [--expire] [--json]\n"
    "\n"
    "Lists approval requests of sensitive actions (legal notices, credit holds,\n"
    "write-offs, overrides, ...), oldest id first: id, status, action, customer,\n"
    "amount, approvals given of those needed, requester and expiry.\n"
    "\n"
    "  --pending     only requests waiting for approvals\n"
    "  --status S    only requests in status S (pending, approved, rejected,\n"
    "                expired, voided, dispatched)\n"
    "  --id ID       only that request, with its justification, impact and votes\n"
    "  --expire      first mark requests whose expiry has passed as expired\n"
    "  --json        print an array of {\"id\", \"status\", \"action\", \"customer_id\",\n"
    "                \"invoice_ids\", \"amount\", \"currency\", \"requester\",\n"
    "                \"justification\", \"customer_impact\", \"reason_code\", \"detail\",\n"
    "                \"approvals\", \"approvals_required\", \"roles\", \"fast_lane\",\n"
    "                \"approval_rule\", \"created\", \"expires\", \"replaces\",\n"
    "                \"replaced_by\", \"payload_hash\", \"votes\": [{\"actor\", \"role\",\n"
    "                \"approve\", \"reason\", \"at\"}]}\n";

const char cmd_approve_help[] =
    "usage: archase approve DB REQUEST_ID --as ACTOR --role ROLE --reason TEXT\n"
    "\n"
    "Approves a request as ACTOR in ROLE. The requester cannot approve, one person\n"
    "counts once, the role must be one the policy allows for the request, and a\n"
    "request whose customer or invoices changed since it was raised is void (a new\n"
    "request replaces it). A refusal is recorded in the audit log. Prints the\n"
    "request's status afterwards.\n"
    "\n"
    "exit status: 0 recorded, 1 refused (why on stderr), 2 wrong command line.\n";

const char cmd_reject_help[] =
    "usage: archase reject DB REQUEST_ID --as ACTOR --role ROLE --reason TEXT\n"
    "\n"
    "Rejects a request as ACTOR in ROLE (the same rules as approve). A rejected\n"
    "request is final.\n";

const char cmd_request_help[] =
    "usage: archase request DB --policy P --action ACTION --customer ID [--invoice ID]...\n"
    "                      [--amount \"1200.00 EUR\"] --as ACTOR [--role ROLE]\n"
    "                      --justification TEXT --impact TEXT [--reason-code CODE]\n"
    "                      [--detail TEXT] [--decision ID] [--json]\n"
    "\n"
    "Raises a request for a sensitive action (write_off, credit_hold, legal_notice,\n"
    "override, ...). The policy decides how many approvals it needs, who may give\n"
    "them and when it lapses. An override needs --reason-code and --detail. The\n"
    "justification needs at least 20 characters, the impact assessment 10.\n"
    "Prints the request id (the same one again for the same action on unchanged\n"
    "facts while it is open).\n"
    "\n"
    "  --json   print {\"id\", \"created\", \"status\", \"approvals_required\", \"roles\",\n"
    "           \"expires\"}\n";

const char cmd_overrides_help[] =
    "usage: archase overrides sample DB --month YYYY-MM [--n N] [--seed S] [--json]\n"
    "\n"
    "A sample of N (default 20) manual overrides requested in the month, for\n"
    "control review: the same sample for the same ledger, month and seed (default\n"
    "the month as a number, e.g. 202610).\n";

/* ---- shared --------------------------------------------------------------------- */

static int open_db(const char *command, const char *path, int read_only, archase_engine **eng) {
    archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
    char err[512];
    so.create = 0;
    so.read_only = read_only;
    int rc = archase_open_sqlite(path, &so, NULL, eng, err, sizeof err);
    if (rc == ARCHASE_ENOTFOUND)
        return cli_fail(command, CLI_INVALID, "%s: no such ledger", path);
    if (rc)
        return cli_fail_rc(command, rc, path, err);
    return CLI_OK;
}

static void instant_text(archase_instant t, char out[ARCHASE_INSTANT_FORMAT_MAX]) {
    if (!t || archase_instant_format(t, out, ARCHASE_INSTANT_FORMAT_MAX) != 0)
        out[0] = '\0';
}

static void json_opt(cli_json *j, const char *key, const char *value) {
    cli_json_key(j, key);
    cli_json_string(j, value);
}

static void print_info_json(cli_json *j, const archase_approval_info *a) {
    char created[ARCHASE_INSTANT_FORMAT_MAX], expires[ARCHASE_INSTANT_FORMAT_MAX], at[ARCHASE_INSTANT_FORMAT_MAX];
    char amount[ARCHASE_MONEY_FORMAT_MAX] = "", hash[ARCHASE_HASH_HEX_SIZE];
    instant_text(a->created, created);
    instant_text(a->expires, expires);
    if (a->amount.currency[0])
        archase_money_format_amount(&a->amount, amount, sizeof amount);
    archase_hex_encode(a->payload_hash, 32, hash, sizeof hash);
    cli_json_begin_object(j);
    json_opt(j, "id", a->id);
    json_opt(j, "status", archase_approval_status_name(a->status));
    json_opt(j, "action", archase_action_name(a->action));
    json_opt(j, "customer_id", a->customer_id);
    cli_json_key(j, "invoice_ids");
    cli_json_begin_array(j);
    for (size_t i = 0; i < a->invoice_count; i++)
        cli_json_string(j, a->invoice_ids[i]);
    cli_json_end_array(j);
    cli_json_key(j, "amount");
    if (amount[0])
        cli_json_string(j, amount);
    else
        cli_json_null(j);
    json_opt(j, "currency", a->amount.currency[0] ? a->amount.currency : NULL);
    json_opt(j, "requester", a->requester);
    json_opt(j, "requester_role", a->requester_role);
    json_opt(j, "justification", a->justification);
    json_opt(j, "customer_impact", a->customer_impact);
    json_opt(j, "rule", a->rule);
    json_opt(j, "reason_code", a->reason_code);
    json_opt(j, "detail", a->detail);
    json_opt(j, "decision_id", a->decision_id);
    cli_json_key(j, "approvals");
    cli_json_int(j, a->approvals);
    cli_json_key(j, "approvals_required");
    cli_json_int(j, a->approvals_required);
    cli_json_key(j, "roles");
    cli_json_begin_array(j);
    for (size_t i = 0; i < a->role_count; i++)
        cli_json_string(j, a->roles[i]);
    cli_json_end_array(j);
    cli_json_key(j, "fast_lane");
    cli_json_bool(j, a->fast_lane);
    json_opt(j, "approval_rule", a->approval_rule);
    json_opt(j, "created", created);
    json_opt(j, "expires", expires);
    json_opt(j, "replaces", a->replaces);
    json_opt(j, "replaced_by", a->replaced_by);
    json_opt(j, "payload_hash", hash);
    cli_json_key(j, "votes");
    cli_json_begin_array(j);
    for (size_t i = 0; i < a->vote_count; i++) {
        const archase_approval_vote *v = &a->votes[i];
        instant_text(v->at, at);
        cli_json_begin_object(j);
        json_opt(j, "actor", v->actor);
        json_opt(j, "role", v->role);
        cli_json_key(j, "approve");
        cli_json_bool(j, v->approve);
        json_opt(j, "reason", v->reason);
        json_opt(j, "at", at);
        cli_json_end_object(j);
    }
    cli_json_end_array(j);
    cli_json_end_object(j);
}

static void print_info_text(const archase_approval_info *a, int detailed) {
    char expires[ARCHASE_INSTANT_FORMAT_MAX], amount[ARCHASE_MONEY_FORMAT_MAX] = "-";
    instant_text(a->expires, expires);
    if (a->amount.currency[0])
        archase_money_format(&a->amount, amount, sizeof amount);
    printf("%-20s %-10s %-22s %-12s %16s  %u/%u  by %s  expires %s\n", a->id,
           archase_approval_status_name(a->status), archase_action_name(a->action), a->customer_id,
           amount, a->approvals, a->approvals_required, a->requester, expires);
    if (!detailed)
        return;
    printf("  invoices:");
    for (size_t i = 0; i < a->invoice_count; i++)
        printf(" %s", a->invoice_ids[i]);
    printf("\n  justification: %s\n  customer impact: %s\n", a->justification, a->customer_impact);
    if (a->reason_code)
        printf("  reason code: %s\n", a->reason_code);
    if (a->detail)
        printf("  detail: %s\n", a->detail);
    printf("  approvers: %u of roles", a->approvals_required);
    for (size_t i = 0; i < a->role_count; i++)
        printf(" %s", a->roles[i]);
    printf(" (%s)\n", a->approval_rule ? a->approval_rule : "");
    for (size_t i = 0; i < a->vote_count; i++) {
        char at[ARCHASE_INSTANT_FORMAT_MAX];
        instant_text(a->votes[i].at, at);
        printf("  %s %s by %s (%s): %s\n", at, a->votes[i].approve ? "approved" : "rejected",
               a->votes[i].actor, a->votes[i].role, a->votes[i].reason);
    }
    if (a->replaced_by)
        printf("  replaced by %s\n", a->replaced_by);
    if (a->replaces)
        printf("  replaces %s\n", a->replaces);
}

typedef struct lister {
    cli_json json;
    int      as_json;
    int      detailed;
    size_t   n;
} lister;

static int list_one(void *userdata, const archase_approval_info *info) {
    lister *l = userdata;
    l->n++;
    if (l->as_json)
        print_info_json(&l->json, info);
    else
        print_info_text(info, l->detailed);
    return 0;
}

/* ---- approvals ------------------------------------------------------------------------- */

int cmd_approvals(int argc, char **argv) {
    int help = 0, npos = 0, json = 0, pending = 0, expire = 0;
    const char *pos[1] = { NULL }, *status_text = NULL, *id = NULL;
    const cli_option options[] = {
        { "pending", 0, NULL, &pending }, { "status", 1, &status_text, NULL },
        { "id", 1, &id, NULL },           { "expire", 0, NULL, &expire },
        { "json", 0, NULL, &json },       { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("approvals", cmd_approvals_help, argc, argv, 1, options, pos, 1, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 1)
        return cli_fail("approvals", CLI_USAGE, "usage: archase approvals DB [--pending] [--json]");
    int status = pending ? ARCHASE_APPROVAL_PENDING : 0;
    if (status_text) {
        for (int s = 1; s <= 6; s++)
            if (!strcmp(archase_approval_status_name(s), status_text))
                status = s;
        if (!status || (pending && status != ARCHASE_APPROVAL_PENDING))
            return cli_fail("approvals", CLI_USAGE, "--status: pending, approved, rejected, expired, voided or dispatched");
    }
    archase_engine *eng = NULL;
    if ((rc = open_db("approvals", pos[0], !expire, &eng)))
        return rc;
    int arc = 0;
    if (expire) {
        uint64_t n = 0;
        arc = archase_approvals_expire(eng, &n);
        if (!arc && !json)
            printf("%llu request(s) expired\n", (unsigned long long)n);
    }
    lister l;
    memset(&l, 0, sizeof l);
    l.as_json = json;
    l.detailed = id != NULL;
    cli_json_init(&l.json, stdout, 1);
    if (json)
        cli_json_begin_array(&l.json);
    if (!arc)
        arc = id ? archase_approval_get(eng, id, list_one, &l) : archase_approvals_scan(eng, status, list_one, &l);
    if (json) {
        cli_json_end_array(&l.json);
        cli_json_finish(&l.json);
    }
    if (arc)
        rc = cli_fail_rc("approvals", arc, pos[0], archase_engine_errmsg(eng));
    archase_engine_free(eng);
    return rc;
}

/* ---- approve and reject ------------------------------------------------------------------ */

static int decide(const char *command, const char *help_text, int approve, int argc, char **argv) {
    int help = 0, npos = 0;
    const char *pos[2] = { NULL, NULL }, *actor = NULL, *role = NULL, *reason = NULL;
    const cli_option options[] = {
        { "as", 1, &actor, NULL },
        { "role", 1, &role, NULL },
        { "reason", 1, &reason, NULL },
        { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse(command, help_text, argc, argv, 1, options, pos, 2, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 2 || !actor || !role || !reason)
        return cli_fail(command, CLI_USAGE, "usage: archase %s DB REQUEST_ID --as ACTOR --role ROLE --reason TEXT",
                        command);
    archase_engine *eng = NULL;
    if ((rc = open_db(command, pos[0], 0, &eng)))
        return rc;
    archase_approval_vote v = ARCHASE_APPROVAL_VOTE_INIT;
    v.actor = actor;
    v.role = role;
    v.reason = reason;
    int status = 0;
    int arc = approve ? archase_approval_approve(eng, pos[1], &v, &status)
                      : archase_approval_reject(eng, pos[1], &v, &status);
    if (arc == ARCHASE_EINVAL)
        rc = cli_fail(command, CLI_USAGE, "%s", archase_engine_errmsg(eng));
    else if (arc)
        rc = cli_fail(command, CLI_INVALID, "refused: %s", archase_engine_errmsg(eng));
    else
        printf("%s %s %s\nstatus %s\n", pos[1], approve ? "approved by" : "rejected by", actor,
               archase_approval_status_name(status));
    archase_engine_free(eng);
    return rc;
}

int cmd_approve(int argc, char **argv) {
    return decide("approve", cmd_approve_help, 1, argc, argv);
}

int cmd_reject(int argc, char **argv) {
    return decide("reject", cmd_reject_help, 0, argc, argv);
}

/* ---- request --------------------------------------------------------------------------------- */

typedef struct raised {
    int                   found;
    archase_approval_info info;
    cli_json              json;
    int                   as_json;
    int                   created;
} raised;

static int print_raised(void *userdata, const archase_approval_info *a) {
    raised *r = userdata;
    char expires[ARCHASE_INSTANT_FORMAT_MAX];
    instant_text(a->expires, expires);
    if (!r->as_json) {
        printf("%s\n", a->id);
        fprintf(stderr, "archase request: %s request %s: %u approval(s) by", r->created ? "raised" : "already open:",
                a->id, a->approvals_required);
        for (size_t i = 0; i < a->role_count; i++)
            fprintf(stderr, " %s", a->roles[i]);
        fprintf(stderr, " before %s\n", expires);
        return 0;
    }
    cli_json_begin_object(&r->json);
    json_opt(&r->json, "id", a->id);
    cli_json_key(&r->json, "created");
    cli_json_bool(&r->json, r->created);
    json_opt(&r->json, "status", archase_approval_status_name(a->status));
    cli_json_key(&r->json, "approvals_required");
    cli_json_int(&r->json, a->approvals_required);
    cli_json_key(&r->json, "roles");
    cli_json_begin_array(&r->json);
    for (size_t i = 0; i < a->role_count; i++)
        cli_json_string(&r->json, a->roles[i]);
    cli_json_end_array(&r->json);
    json_opt(&r->json, "expires", expires);
    cli_json_end_object(&r->json);
    cli_json_finish(&r->json);
    return 0;
}

int cmd_request(int argc, char **argv) {
    int help = 0, npos = 0, json = 0;
    const char *pos[1] = { NULL }, *policy_path = NULL, *action = NULL, *customer = NULL, *amount = NULL;
    const char *actor = NULL, *role = NULL, *justification = NULL, *impact = NULL, *reason_code = NULL;
    const char *detail = NULL, *decision = NULL, *rule = NULL;
    const char *invoices[CLI_REPEATED_MAX + 1] = { NULL };
    const cli_option options[] = {
        { "policy", 1, &policy_path, NULL },      { "action", 1, &action, NULL },
        { "customer", 1, &customer, NULL },       { "invoice", CLI_REPEATED, invoices, NULL },
        { "amount", 1, &amount, NULL },           { "as", 1, &actor, NULL },
        { "role", 1, &role, NULL },               { "justification", 1, &justification, NULL },
        { "impact", 1, &impact, NULL },           { "reason-code", 1, &reason_code, NULL },
        { "detail", 1, &detail, NULL },           { "decision", 1, &decision, NULL },
        { "rule", 1, &rule, NULL },               { "json", 0, NULL, &json },
        { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("request", cmd_request_help, argc, argv, 1, options, pos, 1, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 1 || !policy_path || !action || !customer || !actor || !justification || !impact)
        return cli_fail("request", CLI_USAGE,
                        "usage: archase request DB --policy P --action ACTION --customer ID --as ACTOR "
                        "--justification TEXT --impact TEXT (see `archase request --help`)");
    archase_approval_request r = ARCHASE_APPROVAL_REQUEST_INIT;
    for (int a = 1; a <= ARCHASE_ACTION_MAX; a++)
        if (!strcmp(archase_action_name(a), action))
            r.action = a;
    if (!r.action)
        return cli_fail("request", CLI_USAGE, "--action: unknown action '%s'", action);
    if (amount && archase_money_parse(amount, &r.amount) != 0)
        return cli_fail("request", CLI_USAGE, "--amount: '%s' is not an amount with its currency (\"1200.00 EUR\")",
                        amount);
    size_t ninvoices = 0;
    while (invoices[ninvoices])
        ninvoices++;
    r.customer_id = customer;
    r.invoice_ids = ninvoices ? invoices : NULL;
    r.invoice_count = ninvoices;
    r.requester = actor;
    r.requester_role = role;
    r.justification = justification;
    r.customer_impact = impact;
    r.reason_code = reason_code;
    r.detail = detail;
    r.decision_id = decision;
    r.rule = rule;
    archase_policy *policy = cli_policy_load("request", policy_path, &rc);
    if (!policy)
        return CLI_INVALID;
    archase_engine *eng = NULL;
    rc = open_db("request", pos[0], 0, &eng);
    if (!rc) {
        char id[ARCHASE_APPROVAL_ID_MAX];
        raised out;
        memset(&out, 0, sizeof out);
        out.as_json = json;
        cli_json_init(&out.json, stdout, 0);
        int arc = archase_approval_raise(eng, policy, &r, id, &out.created);
        if (!arc)
            arc = archase_approval_get(eng, id, print_raised, &out);
        if (arc == ARCHASE_EINVAL || arc == ARCHASE_ECURRENCY)
            rc = cli_fail("request", CLI_INVALID, "%s", archase_engine_errmsg(eng));
        else if (arc)
            rc = cli_fail_rc("request", arc, "request", archase_engine_errmsg(eng));
    }
    archase_engine_free(eng);
    archase_policy_free(policy);
    return rc;
}

/* ---- overrides ------------------------------------------------------------------------------- */

int cmd_overrides(int argc, char **argv) {
    int help = 0, npos = 0, json = 0;
    const char *pos[2] = { NULL, NULL }, *month = NULL, *n_text = NULL, *seed_text = NULL;
    const cli_option options[] = {
        { "month", 1, &month, NULL },
        { "n", 1, &n_text, NULL },
        { "seed", 1, &seed_text, NULL },
        { "json", 0, NULL, &json },
        { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("overrides", cmd_overrides_help, argc, argv, 1, options, pos, 2, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 2 || strcmp(pos[0], "sample") || !month)
        return cli_fail("overrides", CLI_USAGE, "usage: archase overrides sample DB --month YYYY-MM [--n N] [--seed S]");
    char first[16];
    archase_date from = 0, to = 0;
    int year = 0, mon = 0;
    if (strlen(month) != 7 || sscanf(month, "%4d-%2d", &year, &mon) != 2 || mon < 1 || mon > 12)
        return cli_fail("overrides", CLI_USAGE, "--month: expected YYYY-MM, not '%s'", month);
    snprintf(first, sizeof first, "%04d-%02d-01", year, mon);
    if (archase_date_parse(first, &from) != 0 || archase_date_add_months(from, 1, &to) != 0)
        return cli_fail("overrides", CLI_USAGE, "--month: '%s' is not a month", month);
    to -= 1;
    char *end = NULL;
    unsigned long n = n_text ? strtoul(n_text, &end, 10) : 20;
    if (n_text && (*end || n == 0 || n > 100000))
        return cli_fail("overrides", CLI_USAGE, "--n: a number from 1 to 100000");
    unsigned long long seed = (unsigned long long)(year * 100 + mon);
    if (seed_text) {
        seed = strtoull(seed_text, &end, 10);
        if (*end || !*seed_text)
            return cli_fail("overrides", CLI_USAGE, "--seed: a number");
    }
    archase_engine *eng = NULL;
    if ((rc = open_db("overrides", pos[1], 1, &eng)))
        return rc;
    lister l;
    memset(&l, 0, sizeof l);
    l.as_json = json;
    cli_json_init(&l.json, stdout, 1);
    if (json)
        cli_json_begin_array(&l.json);
    int arc = archase_override_sample(eng, from, to, (uint32_t)n, seed, list_one, &l);
    if (json) {
        cli_json_end_array(&l.json);
        cli_json_finish(&l.json);
    } else if (!arc) {
        fprintf(stderr, "archase overrides: %zu override(s) sampled from %s (seed %llu)\n", l.n, month, seed);
    }
    if (arc)
        rc = cli_fail_rc("overrides", arc, pos[1], archase_engine_errmsg(eng));
    archase_engine_free(eng);
    return rc;
}
