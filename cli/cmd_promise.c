/* cli/cmd_promise.c — `archase promise add|list|cancel`: promises to pay
 * as collectors record them (docs/promises-disputes.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "coll_util.h"
#include "commands.h"

const char cmd_promise_help[] =
    "usage: archase promise add DB --policy P --id ID --customer C --invoice I [--invoice I]...\n"
    "                          --amount \"1200.00 EUR\" --date YYYY-MM-DD --taken-by WHO\n"
    "                          [--instalment YYYY-MM-DD=AMOUNT]... [--channel CH]\n"
    "                          [--grace-days N] [--note TEXT] [--as-of DATE]\n"
    "       archase promise list DB [--customer C] [--invoice I] [--state S] [--json]\n"
    "       archase promise cancel DB ID --reason TEXT [--as-of DATE]\n"
    "\n"
    "add records a promise to pay under the policy's rules: the amount is at most\n"
    "what is open on the invoices, the date is not before --as-of (default today),\n"
    "an invoice has at most promises.max_open_per_invoice open promises, a date\n"
    "further out than promises.max_days_ahead needs an instalment plan (--instalment,\n"
    "the amounts in the promise's currency adding up to --amount). While it is open\n"
    "the covered invoices' reminders wait. list shows each promise and its state\n"
    "(open, kept, partially_kept, broken, cancelled); cancel withdraws an open one.\n"
    "\n"
    "  --json   list: an array of {\"id\", \"customer_id\", \"invoice_ids\", \"amount\",\n"
    "           \"promised_date\", \"state\", \"state_date\", \"paid\", \"taken_by\",\n"
    "           \"instalments\": [{\"date\", \"amount\"}]}\n"
    "\n"
    "exit status: 0 done, 1 refused (why on stderr), 2 wrong command line.\n";

static int add(int argc, char **argv) {
    int help = 0, npos = 0;
    const char *pos[1] = { NULL }, *policy_path = NULL, *id = NULL, *customer = NULL, *amount = NULL;
    const char *date = NULL, *taken_by = NULL, *channel = NULL, *grace = NULL, *note = NULL, *as_of_text = NULL;
    const char *invoices[CLI_REPEATED_MAX + 1] = { NULL }, *instalments[CLI_REPEATED_MAX + 1] = { NULL };
    const cli_option options[] = {
        { "policy", 1, &policy_path, NULL },   { "id", 1, &id, NULL },
        { "customer", 1, &customer, NULL },    { "invoice", CLI_REPEATED, invoices, NULL },
        { "amount", 1, &amount, NULL },        { "date", 1, &date, NULL },
        { "taken-by", 1, &taken_by, NULL },    { "instalment", CLI_REPEATED, instalments, NULL },
        { "channel", 1, &channel, NULL },      { "grace-days", 1, &grace, NULL },
        { "note", 1, &note, NULL },            { "as-of", 1, &as_of_text, NULL },
        { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("promise", cmd_promise_help, argc, argv, 2, options, pos, 1, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 1 || !policy_path)
        return cli_fail("promise", CLI_USAGE, "usage: archase promise add DB --policy P --id ID ... (see --help)");
    archase_promise p = ARCHASE_PROMISE_INIT;
    archase_instalment plan[CLI_REPEATED_MAX];
    size_t n_inv = 0, n_plan = 0;
    while (invoices[n_inv])
        n_inv++;
    archase_date as_of = ARCHASE_DATE_NONE;
    if ((rc = coll_date("promise", "as-of", as_of_text, &as_of)))
        return rc;
    if (amount && (rc = coll_money("promise", "amount", amount, &p.amount)))
        return rc;
    if (date && (rc = coll_date("promise", "date", date, &p.promised_date)))
        return rc;
    for (; instalments[n_plan]; n_plan++) {
        char buf[64];
        snprintf(buf, sizeof buf, "%s", instalments[n_plan]);
        char *eq = strchr(buf, '=');
        if (!eq)
            return cli_fail("promise", CLI_USAGE, "--instalment: DATE=AMOUNT, e.g. 2026-04-01=\"400.00 EUR\"");
        *eq = '\0';
        if ((rc = coll_date("promise", "instalment", buf, &plan[n_plan].date)) ||
            (rc = coll_money("promise", "instalment", eq + 1, &plan[n_plan].amount)))
            return rc;
    }
    if (n_plan && p.promised_date == ARCHASE_DATE_NONE)
        p.promised_date = plan[n_plan - 1].date;
    if (channel && archase_channel_from_name(channel, &p.channel) != 0)
        return cli_fail("promise", CLI_USAGE, "--channel: email, sms, letter, portal or call");
    if (grace) {
        char *end = NULL;
        long g = strtol(grace, &end, 10);
        if (!*grace || *end || g < 0 || g > 365)
            return cli_fail("promise", CLI_USAGE, "--grace-days: a number of days, 0..365");
        p.grace_days = (int32_t)g;
    }
    p.id = id;
    p.customer_id = customer;
    p.invoice_ids = invoices;
    p.invoice_count = n_inv;
    p.instalments = n_plan ? plan : NULL;
    p.instalment_count = n_plan;
    p.taken_by = taken_by;
    p.note = note;
    archase_policy *policy = coll_policy("promise", policy_path);
    if (!policy)
        return CLI_INVALID;
    archase_engine *eng = NULL;
    if ((rc = coll_open_db("promise", pos[0], 0, &eng))) {
        archase_policy_free(policy);
        return rc;
    }
    int arc = archase_promise_record(eng, policy, &p, as_of);
    if (arc)
        rc = coll_fail("promise", eng, arc, "refused");
    else
        printf("promise %s recorded: open\n", id);
    archase_engine_free(eng);
    archase_policy_free(policy);
    return rc;
}

typedef struct lister {
    cli_json json;
    int      as_json;
    size_t   n;
} lister;

static int list_one(void *ud, const archase_promise_info *i) {
    lister *l = ud;
    const archase_promise *p = i->promise;
    char amount[ARCHASE_MONEY_FORMAT_MAX], paid[ARCHASE_MONEY_FORMAT_MAX], date[ARCHASE_DATE_FORMAT_MAX],
        state_date[ARCHASE_DATE_FORMAT_MAX];
    coll_money_text(&p->amount, amount);
    coll_money_text(&i->paid, paid);
    coll_date_text(p->promised_date, date);
    coll_date_text(i->state_date, state_date);
    l->n++;
    if (!l->as_json) {
        printf("%-16s %-12s %-15s %14s by %s  %s", p->id, p->customer_id, archase_promise_state_name(i->state),
               amount, date, p->invoice_ids[0]);
        for (size_t k = 1; k < p->invoice_count; k++)
            printf(",%s", p->invoice_ids[k]);
        if (i->state_date != ARCHASE_DATE_NONE)
            printf("  (%s on %s, %s paid)", archase_promise_state_name(i->state), state_date, paid);
        printf("\n");
        return 0;
    }
    cli_json *j = &l->json;
    cli_json_begin_object(j);
    cli_json_key(j, "id");
    cli_json_string(j, p->id);
    cli_json_key(j, "customer_id");
    cli_json_string(j, p->customer_id);
    cli_json_key(j, "invoice_ids");
    cli_json_begin_array(j);
    for (size_t k = 0; k < p->invoice_count; k++)
        cli_json_string(j, p->invoice_ids[k]);
    cli_json_end_array(j);
    cli_json_key(j, "amount");
    cli_json_string(j, amount);
    cli_json_key(j, "promised_date");
    cli_json_string(j, date);
    cli_json_key(j, "state");
    cli_json_string(j, archase_promise_state_name(i->state));
    cli_json_key(j, "state_date");
    if (state_date[0])
        cli_json_string(j, state_date);
    else
        cli_json_null(j);
    cli_json_key(j, "paid");
    if (i->state_date != ARCHASE_DATE_NONE)
        cli_json_string(j, paid);
    else
        cli_json_null(j);
    cli_json_key(j, "taken_by");
    cli_json_string(j, p->taken_by);
    cli_json_key(j, "instalments");
    cli_json_begin_array(j);
    for (size_t k = 0; k < p->instalment_count; k++) {
        char d[ARCHASE_DATE_FORMAT_MAX], a[ARCHASE_MONEY_FORMAT_MAX];
        coll_date_text(p->instalments[k].date, d);
        coll_money_text(&p->instalments[k].amount, a);
        cli_json_begin_object(j);
        cli_json_key(j, "date");
        cli_json_string(j, d);
        cli_json_key(j, "amount");
        cli_json_string(j, a);
        cli_json_end_object(j);
    }
    cli_json_end_array(j);
    cli_json_end_object(j);
    return 0;
}

static int list(int argc, char **argv) {
    int help = 0, npos = 0, json = 0;
    const char *pos[1] = { NULL }, *customer = NULL, *invoice = NULL, *state_text = NULL;
    const cli_option options[] = {
        { "customer", 1, &customer, NULL }, { "invoice", 1, &invoice, NULL },
        { "state", 1, &state_text, NULL },  { "json", 0, NULL, &json },
        { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("promise", cmd_promise_help, argc, argv, 2, options, pos, 1, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 1)
        return cli_fail("promise", CLI_USAGE, "usage: archase promise list DB [--json]");
    int state = 0;
    if (state_text) {
        for (int s = ARCHASE_PROMISE_STATE_OPEN; s <= ARCHASE_PROMISE_STATE_CANCELLED; s++)
            if (!strcmp(archase_promise_state_name(s), state_text))
                state = s;
        if (!state)
            return cli_fail("promise", CLI_USAGE, "--state: open, kept, partially_kept, broken or cancelled");
    }
    archase_engine *eng = NULL;
    if ((rc = coll_open_db("promise", pos[0], 1, &eng)))
        return rc;
    lister l;
    memset(&l, 0, sizeof l);
    l.as_json = json;
    cli_json_init(&l.json, stdout, 1);
    if (json)
        cli_json_begin_array(&l.json);
    int arc = archase_promises_scan(eng, customer, invoice, state, list_one, &l);
    if (json) {
        cli_json_end_array(&l.json);
        cli_json_finish(&l.json);
    }
    if (arc)
        rc = coll_fail("promise", eng, arc, pos[0]);
    archase_engine_free(eng);
    return rc;
}

static int cancel(int argc, char **argv) {
    int help = 0, npos = 0;
    const char *pos[2] = { NULL, NULL }, *reason = NULL, *as_of_text = NULL;
    const cli_option options[] = {
        { "reason", 1, &reason, NULL }, { "as-of", 1, &as_of_text, NULL }, { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("promise", cmd_promise_help, argc, argv, 2, options, pos, 2, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 2 || !reason)
        return cli_fail("promise", CLI_USAGE, "usage: archase promise cancel DB ID --reason TEXT");
    archase_date as_of;
    if ((rc = coll_date("promise", "as-of", as_of_text, &as_of)))
        return rc;
    archase_engine *eng = NULL;
    if ((rc = coll_open_db("promise", pos[0], 0, &eng)))
        return rc;
    int arc = archase_promise_cancel(eng, pos[1], reason, as_of);
    if (arc)
        rc = coll_fail("promise", eng, arc, "refused");
    else
        printf("promise %s cancelled\n", pos[1]);
    archase_engine_free(eng);
    return rc;
}

int cmd_promise(int argc, char **argv) {
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(cmd_promise_help, stdout);
        return CLI_OK;
    }
    if (argc >= 2 && !strcmp(argv[1], "add"))
        return add(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "list"))
        return list(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "cancel"))
        return cancel(argc, argv);
    return cli_fail("promise", CLI_USAGE, "usage: archase promise add|list|cancel DB ... (see --help)");
}
