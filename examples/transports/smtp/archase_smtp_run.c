/* examples/transports/smtp/archase_smtp_run.c — the daily cycle of a SQLite
 * ledger, delivered by e-mail through the SMTP transport: the program a host
 * copies and runs every morning (docs/integrations.md, "Gmail").
 *
 *   archase-smtp-run DB --policy FILE --as-of DATE --server URL --from ADDR [...]
 *
 * It opens the ledger, gives the engine the SMTP transport, runs the cycle of
 * the day (decide, persist, dispatch) and prints what happened as one JSON
 * object. Running it again for the same day sends nothing twice: messages
 * already sent are done, and a message whose fate is unknown (the server
 * took the data and never answered) is looked up in the delivery journal
 * and left for a person (`archase outbox DB resolve`) rather than resent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archase/archase.h>
#include <archase/cycle.h>

#include "archase_smtp.h"

static const char usage_text[] =
    "usage: archase-smtp-run DB --policy FILE --as-of DATE --server URL --from ADDR\n"
    "                        [--from-name NAME] [--reply-to ADDR] [--user NAME]\n"
    "                        [--password-env VAR] [--require-tls] [--ca-file FILE]\n"
    "                        [--journal FILE] [--internal-to ADDR] [--pay-link URL]\n"
    "                        [--dispute-link URL] [--sent-folder URL] [--timeout-ms N]\n"
    "                        [--now INSTANT] [--dispatch-only]\n"
    "\n"
    "Runs the daily cycle of DATE over the ledger DB and sends its e-mail\n"
    "through the SMTP server at URL (smtp://HOST:587 uses STARTTLS when the\n"
    "server offers it; smtps://HOST:465 is TLS from the start). Prints one JSON\n"
    "object: the cycle's counts and the dispatch's (sent, retried, dead,\n"
    "in_doubt, ...). Exit status 0 when the cycle ran (see the counts for\n"
    "messages that failed), 1 when it could not, 2 for a wrong command line.\n"
    "\n"
    "  --user NAME          authenticate (Gmail: the mailbox address)\n"
    "  --password-env VAR   the environment variable holding the password\n"
    "                       (default ARCHASE_SMTP_PASSWORD; Gmail: an app password)\n"
    "  --require-tls        never send in clear\n"
    "  --journal FILE       the delivery journal (default DB.smtp-journal)\n"
    "  --sent-folder URL    the mailbox's Sent folder (imaps://HOST/FOLDER, Gmail:\n"
    "                       imaps://imap.gmail.com/%5BGmail%5D/Sent%20Mail): a message\n"
    "                       in doubt found there is marked sent\n"
    "  --internal-to ADDR   where escalations, alerts and call tasks go (default:\n"
    "                       not by e-mail; they fail as undeliverable)\n"
    "  --pay-link URL       what {{ links.pay_now }} becomes in a message; a\n"
    "                       {customer_id} in URL becomes the customer's id\n"
    "  --dispute-link URL   the same for {{ links.dispute }}\n"
    "  --now INSTANT        run at this instant (YYYY-MM-DDTHH:MM:SSZ), not the clock\n"
    "  --dispatch-only      no cycle: only hand over what is due and reconcile\n";

static archase_instant fixed_now;

static archase_instant clock_now(void *userdata) {
    (void)userdata;
    return fixed_now;
}

static int usage(const char *message) {
    fprintf(stderr, "archase-smtp-run: %s\n", message);
    return 2;
}

static void print_dispatch(const archase_dispatch_report *d) {
    printf("\"dispatch\":{\"recovered\":%llu,\"reconciled_sent\":%llu,\"reconciled_retry\":%llu,"
           "\"in_doubt\":%llu,\"claimed\":%llu,\"sent\":%llu,\"retried\":%llu,\"dead\":%llu,"
           "\"alerts\":%llu,\"refused\":%llu}",
           (unsigned long long)d->recovered, (unsigned long long)d->reconciled_sent,
           (unsigned long long)d->reconciled_retry, (unsigned long long)d->in_doubt,
           (unsigned long long)d->claimed, (unsigned long long)d->sent,
           (unsigned long long)d->retried, (unsigned long long)d->dead,
           (unsigned long long)d->alerts, (unsigned long long)d->refused);
}

int main(int argc, char **argv) {
    const char *db = NULL, *policy_path = NULL, *as_of_text = NULL, *password_env = NULL;
    const char *journal = NULL, *now_text = NULL;
    int dispatch_only = 0;
    archase_smtp_options so = ARCHASE_SMTP_OPTIONS_INIT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (!strcmp(a, "--require-tls")) {
            so.require_tls = 1;
            continue;
        }
        if (!strcmp(a, "--dispatch-only")) {
            dispatch_only = 1;
            continue;
        }
        if (strncmp(a, "--", 2) != 0) {
            if (db)
                return usage("one ledger only (see --help)");
            db = a;
            continue;
        }
        if (i + 1 >= argc)
            return usage("an option lacks its value (see --help)");
        const char *v = argv[++i];
        if (!strcmp(a, "--policy")) policy_path = v;
        else if (!strcmp(a, "--as-of")) as_of_text = v;
        else if (!strcmp(a, "--server")) so.url = v;
        else if (!strcmp(a, "--from")) so.from = v;
        else if (!strcmp(a, "--from-name")) so.from_name = v;
        else if (!strcmp(a, "--reply-to")) so.reply_to = v;
        else if (!strcmp(a, "--user")) so.username = v;
        else if (!strcmp(a, "--password-env")) password_env = v;
        else if (!strcmp(a, "--ca-file")) so.ca_file = v;
        else if (!strcmp(a, "--journal")) journal = v;
        else if (!strcmp(a, "--internal-to")) so.internal_to = v;
        else if (!strcmp(a, "--pay-link")) so.pay_link = v;
        else if (!strcmp(a, "--dispute-link")) so.dispute_link = v;
        else if (!strcmp(a, "--sent-folder")) so.sent_folder_url = v;
        else if (!strcmp(a, "--timeout-ms")) so.timeout_ms = (uint32_t)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--now")) now_text = v;
        else {
            fprintf(stderr, "archase-smtp-run: unknown option %s (see --help)\n", a);
            return 2;
        }
    }
    if (!db)
        return usage("the ledger is required (see --help)");
    if (!so.url || !so.from)
        return usage("--server URL and --from ADDR are required");
    if (!dispatch_only && (!policy_path || !as_of_text))
        return usage("--policy FILE and --as-of DATE are required (or --dispatch-only)");
    archase_date as_of = ARCHASE_DATE_NONE;
    if (as_of_text && archase_date_parse(as_of_text, &as_of))
        return usage("--as-of takes a date like 2026-03-02");
    archase_clock clock = { ARCHASE_CLOCK_VERSION, NULL, clock_now };
    if (now_text) {
        if (archase_instant_parse(now_text, &fixed_now))
            return usage("--now takes an instant like 2026-03-02T09:30:00Z");
        so.clock = &clock;
    }
    if (so.username) {
        const char *name = password_env ? password_env : "ARCHASE_SMTP_PASSWORD";
        so.password = getenv(name);
        if (!so.password) {
            fprintf(stderr, "archase-smtp-run: --user needs the password in $%s\n", name);
            return 2;
        }
    }
    char journal_default[4096];
    if (!journal) {
        snprintf(journal_default, sizeof journal_default, "%s.smtp-journal", db);
        journal = journal_default;
    }
    so.journal_path = journal;

    int status = 1, rc;
    char err[512] = "";
    archase_policy *policy = NULL;
    archase_engine *eng = NULL;
    archase_diag_list *diags = NULL;
    archase_transport transport;
    int transport_owned = 0;

    if (policy_path) {
        if ((rc = archase_diag_list_new(NULL, 0, &diags)) != 0)
            goto done;
        if ((rc = archase_policy_load_file(policy_path, NULL, &policy, diags)) != 0) {
            for (size_t i = 0; i < archase_diag_list_count(diags); i++) {
                char line[1024];
                archase_diag_format(archase_diag_list_get(diags, i), line, sizeof line);
                fprintf(stderr, "archase-smtp-run: %s\n", line);
            }
            goto done;
        }
    }
    archase_sqlite_options sqlite_opts = ARCHASE_SQLITE_OPTIONS_INIT;
    sqlite_opts.create = 0;
    archase_engine_options eo = ARCHASE_ENGINE_OPTIONS_INIT;
    eo.clock = now_text ? &clock : NULL;
    eo.actor = "archase-smtp-run";
    if ((rc = archase_open_sqlite(db, &sqlite_opts, &eo, &eng, err, sizeof err)) != 0) {
        fprintf(stderr, "archase-smtp-run: %s: %s\n", db, err[0] ? err : archase_strerror(rc));
        goto done;
    }
    if ((rc = archase_smtp_transport_new(&so, &transport, err, sizeof err)) != 0) {
        fprintf(stderr, "archase-smtp-run: %s\n", err);
        goto done;
    }
    transport_owned = 1;
    if ((rc = archase_engine_set_transport(eng, &transport)) != 0) {
        fprintf(stderr, "archase-smtp-run: %s\n", archase_engine_errmsg(eng));
        goto done;
    }
    transport_owned = 0; /* the engine closes it */

    if (dispatch_only) {
        archase_dispatch_options dopts = ARCHASE_DISPATCH_OPTIONS_INIT;
        archase_dispatch_report d = ARCHASE_DISPATCH_REPORT_INIT;
        dopts.policy = policy;
        if ((rc = archase_dispatch(eng, &dopts, &d)) != 0) {
            fprintf(stderr, "archase-smtp-run: dispatch: %s\n", archase_engine_errmsg(eng));
            goto done;
        }
        printf("{");
        print_dispatch(&d);
        printf("}\n");
    } else {
        archase_cycle_report r;
        memset(&r, 0, sizeof r);
        r.version = ARCHASE_CYCLE_REPORT_VERSION;
        if ((rc = archase_run_cycle(eng, policy, as_of, NULL, &r)) != 0) {
            /* What was committed stays; the next run (or --dispatch-only) goes on. */
            fprintf(stderr, "archase-smtp-run: cycle: %s: %s\n", archase_strerror(rc),
                    archase_engine_errmsg(eng));
            goto done;
        }
        printf("{\"as_of\":\"%s\",\"decisions\":%llu,\"outbox_written\":%llu,"
               "\"outbox_existing\":%llu,\"internal_routes\":%llu,",
               as_of_text, (unsigned long long)r.decisions, (unsigned long long)r.outbox_written,
               (unsigned long long)r.outbox_existing, (unsigned long long)r.internal_routes);
        print_dispatch(&r.dispatch);
        printf("}\n");
    }
    status = 0;
done:
    if (transport_owned)
        transport.close(transport.userdata);
    archase_engine_free(eng);
    archase_policy_free(policy);
    archase_diag_list_free(diags);
    return status;
}
