/* cli/cmd_cycle.c — the daily cycle from the command line: `archase run`
 * without --dry-run (persist and dispatch), `archase dispatch`, `archase
 * outbox` (list and resolve) and `archase review` (the copilot queue). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "commands.h"
#include "policy_file.h"

const char cmd_dispatch_help[] =
    "usage: archase dispatch DB --transport jsonl:PATH|eml:DIR [--now INSTANT] [--policy FILE]\n"
    "                       [--limit N] [--json]\n"
    "\n"
    "Hands the outbox items that are due to the transport: items a crash left\n"
    "\"sending\" become in doubt; items in doubt are looked up in the transport\n"
    "(sent ones are marked sent, unknown ones are queued again) and never sent\n"
    "blindly; then pending and failed items whose time has come go out, failed\n"
    "ones again after a backoff, dead after the policy's delivery.max_attempts\n"
    "(with an alert to the owner). Sensitive actions go out only approved.\n"
    "\n"
    "  --transport T  jsonl:PATH appends one JSON object per message to PATH;\n"
    "                 eml:DIR writes one .eml file per message into DIR\n"
    "  --now INSTANT  the time to dispatch at (YYYY-MM-DDTHH:MM:SSZ); default the\n"
    "                 real clock\n"
    "  --policy FILE  also gate the sensitive actions the policy adds\n"
    "  --limit N      hand over at most N items\n"
    "  --json         print the counts as one object\n";

const char cmd_outbox_help[] =
    "usage: archase outbox DB [--status STATUS] [--json]\n"
    "       archase outbox DB resolve ID sent|resend|cancel --as ACTOR --reason TEXT\n"
    "\n"
    "Lists the outbox: every message and internal route the daily cycle wrote,\n"
    "with its idempotency key, status and delivery attempts. STATUS is one of\n"
    "draft, pending, sending, sent, failed_retry, dead, in_doubt, cancelled.\n"
    "`resolve` settles an item in doubt (or dead) as a person decided: it was\n"
    "sent, send it again (same key), or cancel it; the decision is audited.\n"
    "\n"
    "  --json  an array of items: idempotency_key, customer_id, invoice_ids,\n"
    "          channel, template, status, scheduled_at, attempts, kind, address,\n"
    "          subject, owner, next_attempt_at, max_attempts, reason_codes,\n"
    "          last_detail, reviewer, review_seconds, edited, decision_key\n";

const char cmd_review_help[] =
    "usage: archase review DB list [--json]\n"
    "       archase review DB approve ID --as REVIEWER [--note TEXT]\n"
    "       archase review DB edit ID --as REVIEWER [--subject TEXT] [--body TEXT | --body-file F]\n"
    "                                 [--note TEXT]\n"
    "       archase review DB reject ID --as REVIEWER --note TEXT\n"
    "\n"
    "The copilot review queue: customer messages written as drafts (archase run\n"
    "--review, or the policy's delivery.review) wait here with the data they were\n"
    "made from, the decision's reasons and its score. Approve sends the draft as\n"
    "it is; edit replaces its subject or body by a template text that may name\n"
    "only template fields ({{ customer.name }}, {{ totals.open_amount | money }},\n"
    "...) and no literal amount, rendered from the draft's data; reject cancels\n"
    "it. Each is an audit record naming the reviewer, and the item keeps how long\n"
    "it waited for review.\n";

/* ---- shared ------------------------------------------------------------------------ */

static int open_db(const char *command, const char *path, archase_engine **eng, const archase_clock *clock) {
    archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
    archase_engine_options eo = ARCHASE_ENGINE_OPTIONS_INIT;
    char err[512] = "";
    so.create = 0;
    eo.clock = clock;
    int rc = archase_open_sqlite(path, &so, &eo, eng, err, sizeof err);
    return rc ? cli_fail_rc(command, rc, path, err) : CLI_OK;
}

/* "jsonl:PATH" or "eml:DIR" on the engine. */
static int set_transport(const char *command, archase_engine *eng, const char *spec) {
    int format = 0;
    const char *path = NULL;
    if (!strncmp(spec, "jsonl:", 6))
        format = ARCHASE_FILE_TRANSPORT_JSONL, path = spec + 6;
    else if (!strncmp(spec, "eml:", 4))
        format = ARCHASE_FILE_TRANSPORT_EML, path = spec + 4;
    if (!format || !*path)
        return cli_fail(command, CLI_USAGE, "--transport: '%s' is not jsonl:PATH or eml:DIR", spec);
    archase_transport t;
    int rc = archase_file_transport_open(format, path, NULL, &t);
    if (rc)
        return cli_fail_rc(command, rc, path, rc == ARCHASE_ENOTFOUND ? "no such directory" : NULL);
    rc = archase_engine_set_transport(eng, &t);
    if (rc) {
        t.close(t.userdata);
        return cli_fail_rc(command, rc, "transport", archase_engine_errmsg(eng));
    }
    return CLI_OK;
}

static archase_instant fixed_clock(void *userdata) {
    return *(const archase_instant *)userdata;
}

static archase_instant real_now(void) {
    return (archase_instant)time(NULL);
}

static const char *instant_text(archase_instant t, char *buf) {
    if (!t || archase_instant_format(t, buf, ARCHASE_INSTANT_FORMAT_MAX))
        buf[0] = '\0';
    return buf;
}

static void json_opt(cli_json *j, const char *key, const char *value) {
    cli_json_key(j, key);
    if (value && *value)
        cli_json_string(j, value);
    else
        cli_json_null(j);
}

static const char *status_text(int status) {
    switch (status) {
    case ARCHASE_OUTBOX_PENDING: return "pending";
    case ARCHASE_OUTBOX_SENDING: return "sending";
    case ARCHASE_OUTBOX_SENT: return "sent";
    case ARCHASE_OUTBOX_FAILED_RETRY: return "failed_retry";
    case ARCHASE_OUTBOX_DEAD: return "dead";
    case ARCHASE_OUTBOX_IN_DOUBT: return "in_doubt";
    case ARCHASE_OUTBOX_CANCELLED: return "cancelled";
    case ARCHASE_OUTBOX_DRAFT: return "draft";
    default: return "unknown";
    }
}

static int status_parse(const char *s) {
    for (int v = 1; v <= ARCHASE_OUTBOX_DRAFT; v++)
        if (!strcmp(status_text(v), s))
            return v;
    return -1;
}

static const char *channel_text(int channel) {
    return channel == ARCHASE_CHANNEL_INTERNAL ? "internal" : channel ? archase_channel_name(channel) : "";
}

static void json_dispatch(cli_json *j, const archase_dispatch_report *d) {
    cli_json_begin_object(j);
    const struct {
        const char *key;
        uint64_t    value;
    } counts[] = {
        { "recovered", d->recovered }, { "reconciled_sent", d->reconciled_sent },
        { "reconciled_retry", d->reconciled_retry }, { "in_doubt", d->in_doubt },
        { "claimed", d->claimed }, { "sent", d->sent }, { "retried", d->retried }, { "dead", d->dead },
        { "alerts", d->alerts }, { "refused", d->refused }, { "cancelled", d->cancelled },
    };
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        cli_json_key(j, counts[i].key);
        cli_json_int(j, (long long)counts[i].value);
    }
    cli_json_end_object(j);
}

static void print_dispatch(const archase_dispatch_report *d) {
    printf("dispatch: %llu sent, %llu to retry, %llu dead (%llu alerts), %llu in doubt, %llu refused",
           (unsigned long long)d->sent, (unsigned long long)d->retried, (unsigned long long)d->dead,
           (unsigned long long)d->alerts, (unsigned long long)d->in_doubt, (unsigned long long)d->refused);
    if (d->recovered || d->reconciled_sent || d->reconciled_retry)
        printf("; recovered %llu, reconciled %llu sent and %llu to resend", (unsigned long long)d->recovered,
               (unsigned long long)d->reconciled_sent, (unsigned long long)d->reconciled_retry);
    printf("\n");
}

/* ---- run ------------------------------------------------------------------------------ */

int cmd_run_cycle(int argc, char **argv) {
    int json = 0, help = 0, npos = 0, review = 0, no_dispatch = 0;
    const char *pos[1], *policy_path = NULL, *as_of_text = NULL, *transport = NULL, *now_text = NULL;
    const cli_option options[] = {
        { "policy", 1, &policy_path, NULL }, { "as-of", 1, &as_of_text, NULL },
        { "transport", 1, &transport, NULL }, { "now", 1, &now_text, NULL },
        { "review", 0, NULL, &review },      { "no-dispatch", 0, NULL, &no_dispatch },
        { "json", 0, NULL, &json },          { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("run", cmd_run_help, argc, argv, 1, options, pos, 1, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 1)
        return cli_fail("run", CLI_USAGE, "expected DB (see `archase run --help`)");
    if (!policy_path)
        return cli_fail("run", CLI_USAGE, "--policy FILE is required");
    archase_date as_of;
    if (!as_of_text || archase_date_parse(as_of_text, &as_of) != 0)
        return cli_fail("run", CLI_USAGE, "--as-of DATE is required (YYYY-MM-DD)");
    /* The time the day is run at: --now, else the end of the day or now,
     * whichever comes first (a past day is run as at its end). */
    archase_instant now = (archase_instant)as_of * 86400 + 86399;
    if (now_text) {
        if (archase_instant_parse(now_text, &now) != 0)
            return cli_fail("run", CLI_USAGE, "--now: '%s' is not an instant (YYYY-MM-DDTHH:MM:SSZ)", now_text);
    } else if (real_now() < now) {
        now = real_now();
    }
    archase_clock clock = { ARCHASE_CLOCK_VERSION, &now, fixed_clock };
    archase_policy *policy = cli_policy_load("run", policy_path, &rc);
    if (!policy)
        return CLI_INVALID;
    archase_engine *eng = NULL;
    rc = open_db("run", pos[0], &eng, &clock);
    if (rc == CLI_OK && transport && !no_dispatch)
        rc = set_transport("run", eng, transport);
    archase_cycle_report rep;
    memset(&rep, 0, sizeof rep);
    rep.version = ARCHASE_CYCLE_REPORT_VERSION;
    if (rc == CLI_OK) {
        archase_cycle_options co = ARCHASE_CYCLE_OPTIONS_INIT;
        co.review = review;
        co.dispatch = !no_dispatch;
        int lrc = archase_run_cycle(eng, policy, as_of, &co, &rep);
        if (lrc && rep.as_of != as_of) /* nothing was committed */
            rc = cli_fail_rc("run", lrc, pos[0], archase_engine_errmsg(eng));
        else if (lrc) /* committed; the dispatch after it failed */
            rc = cli_fail_rc("run", lrc, "dispatch", archase_engine_errmsg(eng));
    }
    if (rc == CLI_OK || rep.as_of == as_of) {
        char hash[65], day[ARCHASE_DATE_FORMAT_MAX];
        archase_hex_encode(rep.decisions_hash, 32, hash, sizeof hash);
        archase_date_format(as_of, day, sizeof day);
        if (json) {
            cli_json j;
            cli_json_init(&j, stdout, 1);
            cli_json_begin_object(&j);
            cli_json_key(&j, "as_of");
            cli_json_string(&j, day);
            cli_json_key(&j, "decisions");
            cli_json_int(&j, (long long)rep.decisions);
            cli_json_key(&j, "by_kind");
            cli_json_begin_object(&j);
            for (int k = 1; k < ARCHASE_DECISION_KIND_LIMIT; k++) {
                cli_json_key(&j, archase_decision_kind_name(k));
                cli_json_int(&j, (long long)rep.by_kind[k]);
            }
            cli_json_end_object(&j);
            cli_json_key(&j, "decisions_hash");
            cli_json_string(&j, hash);
            const struct {
                const char *key;
                uint64_t    value;
            } counts[] = {
                { "cadence_updates", rep.cadence_updates }, { "outbox_written", rep.outbox_written },
                { "outbox_existing", rep.outbox_existing }, { "drafts", rep.drafts },
                { "internal_routes", rep.internal_routes }, { "digests", rep.digests },
                { "approvals_raised", rep.approvals_raised }, { "approved_actions", rep.approved_actions },
                { "cancelled", rep.cancelled }, { "audit_records", rep.audit_records },
                { "promises_kept", rep.promises_kept }, { "promises_partially_kept", rep.promises_partially_kept },
                { "promises_broken", rep.promises_broken }, { "disputes_sla_reminders", rep.disputes_sla_reminders },
                { "disputes_sla_breached", rep.disputes_sla_breached }, { "recon_opened", rep.recon_opened },
                { "lifecycle_transitions", rep.lifecycle_transitions },
            };
            for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
                cli_json_key(&j, counts[i].key);
                cli_json_int(&j, (long long)counts[i].value);
            }
            cli_json_key(&j, "dispatched");
            cli_json_bool(&j, rep.dispatch.version != 0);
            cli_json_key(&j, "dispatch");
            json_dispatch(&j, &rep.dispatch);
            cli_json_end_object(&j);
            cli_json_finish(&j);
        } else {
            printf("as of %s: %llu decisions (%s)\n", day, (unsigned long long)rep.decisions, hash);
            printf("outbox: %llu new (%llu drafts, %llu internal, %llu digests, %llu approved actions), "
                   "%llu already there, %llu cancelled\n",
                   (unsigned long long)rep.outbox_written, (unsigned long long)rep.drafts,
                   (unsigned long long)rep.internal_routes, (unsigned long long)rep.digests,
                   (unsigned long long)rep.approved_actions, (unsigned long long)rep.outbox_existing,
                   (unsigned long long)rep.cancelled);
            printf("approvals raised %llu; cadence updates %llu; audit records %llu\n",
                   (unsigned long long)rep.approvals_raised, (unsigned long long)rep.cadence_updates,
                   (unsigned long long)rep.audit_records);
            printf("promises kept %llu, partially kept %llu, broken %llu; dispute reminders %llu, breached %llu; "
                   "reconciliation items %llu\n",
                   (unsigned long long)rep.promises_kept, (unsigned long long)rep.promises_partially_kept,
                   (unsigned long long)rep.promises_broken, (unsigned long long)rep.disputes_sla_reminders,
                   (unsigned long long)rep.disputes_sla_breached, (unsigned long long)rep.recon_opened);
            if (rep.dispatch.version)
                print_dispatch(&rep.dispatch);
            else
                printf("dispatch: none (no --transport)\n");
        }
    }
    archase_engine_free(eng);
    archase_policy_free(policy);
    return rc;
}

/* ---- dispatch ------------------------------------------------------------------------ */

int cmd_dispatch(int argc, char **argv) {
    int json = 0, help = 0, npos = 0;
    const char *pos[1], *transport = NULL, *now_text = NULL, *policy_path = NULL, *limit_text = NULL;
    const cli_option options[] = {
        { "transport", 1, &transport, NULL }, { "now", 1, &now_text, NULL }, { "policy", 1, &policy_path, NULL },
        { "limit", 1, &limit_text, NULL },    { "json", 0, NULL, &json },    { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("dispatch", cmd_dispatch_help, argc, argv, 1, options, pos, 1, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 1)
        return cli_fail("dispatch", CLI_USAGE, "expected DB (see `archase dispatch --help`)");
    if (!transport)
        return cli_fail("dispatch", CLI_USAGE, "--transport jsonl:PATH or eml:DIR is required");
    archase_instant now = real_now();
    if (now_text && archase_instant_parse(now_text, &now) != 0)
        return cli_fail("dispatch", CLI_USAGE, "--now: '%s' is not an instant (YYYY-MM-DDTHH:MM:SSZ)", now_text);
    unsigned long limit = 0;
    if (limit_text) {
        char *end = NULL;
        limit = strtoul(limit_text, &end, 10);
        if (!*limit_text || *end || limit > UINT32_MAX)
            return cli_fail("dispatch", CLI_USAGE, "--limit: '%s' is not a count", limit_text);
    }
    archase_policy *policy = NULL;
    if (policy_path && !(policy = cli_policy_load("dispatch", policy_path, &rc)))
        return CLI_INVALID;
    archase_clock clock = { ARCHASE_CLOCK_VERSION, &now, fixed_clock };
    archase_engine *eng = NULL;
    rc = open_db("dispatch", pos[0], &eng, &clock);
    if (rc == CLI_OK)
        rc = set_transport("dispatch", eng, transport);
    archase_dispatch_report rep = ARCHASE_DISPATCH_REPORT_INIT;
    if (rc == CLI_OK) {
        archase_dispatch_options o = ARCHASE_DISPATCH_OPTIONS_INIT;
        o.now = now;
        o.limit = (uint32_t)limit;
        o.policy = policy;
        int lrc = archase_dispatch(eng, &o, &rep);
        if (lrc)
            rc = cli_fail_rc("dispatch", lrc, pos[0], archase_engine_errmsg(eng));
    }
    if (rc == CLI_OK) {
        if (json) {
            cli_json j;
            cli_json_init(&j, stdout, 1);
            json_dispatch(&j, &rep);
            cli_json_finish(&j);
        } else {
            print_dispatch(&rep);
        }
    }
    archase_engine_free(eng);
    archase_policy_free(policy);
    return rc;
}

/* ---- outbox ---------------------------------------------------------------------------- */

typedef struct lister {
    cli_json *j;
    int       drafts_only;
    size_t    count;
} lister;

static int list_item(void *userdata, const archase_outbox_item *it) {
    lister *l = userdata;
    char at[ARCHASE_INSTANT_FORMAT_MAX], next[ARCHASE_INSTANT_FORMAT_MAX];
    l->count++;
    if (!l->j) {
        printf("%-10s %-8s %s\n    %s  %s %s  attempts %u/%u  %s\n", status_text(it->status),
               channel_text(it->channel), it->idempotency_key, instant_text(it->scheduled_at, at),
               it->customer_id ? it->customer_id : "-", it->address ? it->address : "", (unsigned)it->attempts,
               (unsigned)it->max_attempts, it->subject);
        if (l->drafts_only) {
            printf("    reasons:");
            for (size_t k = 0; k < it->reason_count; k++)
                printf(" %s", archase_reason_name(it->reasons[k]));
            if (it->score >= 0)
                printf("  score %d", (int)it->score);
            printf("\n    ---\n%s\n    ---\n", it->body);
        }
        return 0;
    }
    cli_json *j = l->j;
    cli_json_begin_object(j);
    cli_json_key(j, "idempotency_key");
    cli_json_string(j, it->idempotency_key);
    json_opt(j, "customer_id", it->customer_id);
    cli_json_key(j, "invoice_ids");
    cli_json_begin_array(j);
    for (size_t k = 0; k < it->invoice_count; k++)
        cli_json_string(j, it->invoice_ids[k]);
    cli_json_end_array(j);
    json_opt(j, "channel", channel_text(it->channel));
    json_opt(j, "template", it->template_name);
    cli_json_key(j, "status");
    cli_json_string(j, status_text(it->status));
    cli_json_key(j, "scheduled_at");
    cli_json_string(j, instant_text(it->scheduled_at, at));
    cli_json_key(j, "attempts");
    cli_json_int(j, it->attempts);
    cli_json_key(j, "max_attempts");
    cli_json_int(j, it->max_attempts);
    json_opt(j, "next_attempt_at", instant_text(it->next_attempt_at, next));
    json_opt(j, "kind", archase_decision_kind_name(it->kind));
    json_opt(j, "action", archase_action_name(it->action));
    json_opt(j, "address", it->address);
    json_opt(j, "subject", it->subject);
    cli_json_key(j, "body");
    cli_json_string(j, it->body);
    json_opt(j, "owner", it->owner);
    json_opt(j, "segment", it->segment);
    cli_json_key(j, "score");
    if (it->score >= 0)
        cli_json_int(j, it->score);
    else
        cli_json_null(j);
    cli_json_key(j, "reason_codes");
    cli_json_begin_array(j);
    for (size_t k = 0; k < it->reason_count; k++)
        cli_json_string(j, archase_reason_name(it->reasons[k]) ? archase_reason_name(it->reasons[k]) : "");
    cli_json_end_array(j);
    json_opt(j, "last_detail", it->last_detail);
    json_opt(j, "decision_key", it->decision_key);
    json_opt(j, "approval_id", it->approval_id);
    cli_json_key(j, "draft");
    cli_json_bool(j, it->draft);
    json_opt(j, "reviewer", it->reviewer);
    cli_json_key(j, "review_seconds");
    if (it->reviewed_at)
        cli_json_int(j, it->review_seconds);
    else
        cli_json_null(j);
    cli_json_key(j, "edited");
    cli_json_bool(j, it->edited);
    cli_json_end_object(j);
    return 0;
}

static int list(const char *command, const char *db, int status, int json, int drafts_only) {
    archase_engine *eng = NULL;
    int rc = open_db(command, db, &eng, NULL);
    if (rc)
        return rc;
    cli_json j;
    lister l = { json ? &j : NULL, drafts_only, 0 };
    if (json) {
        cli_json_init(&j, stdout, 1);
        cli_json_begin_array(&j);
    }
    int lrc = archase_outbox_scan(eng, status, list_item, &l);
    if (json) {
        cli_json_end_array(&j);
        cli_json_finish(&j);
    } else if (!lrc && !l.count) {
        printf("%s\n", drafts_only ? "no drafts wait for review" : "the outbox is empty");
    }
    if (lrc)
        rc = cli_fail_rc(command, lrc, db, archase_engine_errmsg(eng));
    archase_engine_free(eng);
    return rc;
}

int cmd_outbox(int argc, char **argv) {
    int json = 0, help = 0, npos = 0;
    const char *pos[4], *status_text_arg = NULL, *actor = NULL, *reason = NULL;
    const cli_option options[] = {
        { "status", 1, &status_text_arg, NULL }, { "json", 0, NULL, &json }, { "as", 1, &actor, NULL },
        { "reason", 1, &reason, NULL },          { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("outbox", cmd_outbox_help, argc, argv, 1, options, pos, 4, &npos, &help);
    if (rc || help)
        return rc;
    if (npos == 1) {
        int status = 0;
        if (status_text_arg && (status = status_parse(status_text_arg)) < 0)
            return cli_fail("outbox", CLI_USAGE, "--status: '%s' is not an outbox status", status_text_arg);
        return list("outbox", pos[0], status, json, 0);
    }
    if (npos != 4 || strcmp(pos[1], "resolve"))
        return cli_fail("outbox", CLI_USAGE, "expected DB, or DB resolve ID OUTCOME (see `archase outbox --help`)");
    int outcome = !strcmp(pos[3], "sent")     ? ARCHASE_RESOLVE_SENT
                  : !strcmp(pos[3], "resend") ? ARCHASE_RESOLVE_RESEND
                  : !strcmp(pos[3], "cancel") ? ARCHASE_RESOLVE_CANCEL
                                              : 0;
    if (!outcome)
        return cli_fail("outbox", CLI_USAGE, "'%s' is not sent, resend or cancel", pos[3]);
    if (!actor || !reason)
        return cli_fail("outbox", CLI_USAGE, "resolve needs --as ACTOR and --reason TEXT");
    archase_engine *eng = NULL;
    rc = open_db("outbox", pos[0], &eng, NULL);
    if (rc)
        return rc;
    int lrc = archase_outbox_resolve(eng, pos[2], outcome, actor, reason);
    if (lrc)
        rc = cli_fail_rc("outbox", lrc, pos[2], archase_engine_errmsg(eng));
    else
        printf("%s: %s\n", pos[2], pos[3]);
    archase_engine_free(eng);
    return rc;
}

/* ---- review ----------------------------------------------------------------------------- */

/* The whole of a small file, NUL-terminated (freed by the caller), or NULL. */
static char *read_text(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *text = malloc(cap);
    size_t n;
    while (text && (n = fread(text + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap) {
            char *bigger = cap < (1u << 20) ? realloc(text, cap * 2) : NULL;
            if (!bigger) {
                free(text);
                text = NULL;
            }
            text = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (text)
        text[len] = '\0';
    return text;
}

int cmd_review(int argc, char **argv) {
    int json = 0, help = 0, npos = 0;
    const char *pos[3], *reviewer = NULL, *note = NULL, *subject = NULL, *body = NULL, *body_file = NULL;
    const cli_option options[] = {
        { "as", 1, &reviewer, NULL }, { "note", 1, &note, NULL },           { "subject", 1, &subject, NULL },
        { "body", 1, &body, NULL },   { "body-file", 1, &body_file, NULL }, { "json", 0, NULL, &json },
        { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("review", cmd_review_help, argc, argv, 1, options, pos, 3, &npos, &help);
    if (rc || help)
        return rc;
    if (npos < 2)
        return cli_fail("review", CLI_USAGE, "expected DB list|approve|edit|reject (see `archase review --help`)");
    const char *what = pos[1];
    if (!strcmp(what, "list")) {
        if (npos != 2)
            return cli_fail("review", CLI_USAGE, "list takes no further argument");
        return list("review", pos[0], ARCHASE_OUTBOX_DRAFT, json, 1);
    }
    if (strcmp(what, "approve") && strcmp(what, "edit") && strcmp(what, "reject"))
        return cli_fail("review", CLI_USAGE, "'%s' is not list, approve, edit or reject", what);
    if (npos != 3)
        return cli_fail("review", CLI_USAGE, "%s needs the draft's ID", what);
    if (!reviewer)
        return cli_fail("review", CLI_USAGE, "--as REVIEWER is required");
    if (body && body_file)
        return cli_fail("review", CLI_USAGE, "give --body or --body-file, not both");
    char *file_text = NULL;
    if (body_file && !(file_text = read_text(body_file)))
        return cli_fail("review", CLI_INVALID, "%s: cannot be read", body_file);
    if (file_text)
        body = file_text;
    archase_engine *eng = NULL;
    rc = open_db("review", pos[0], &eng, NULL);
    if (rc == CLI_OK) {
        archase_review r = ARCHASE_REVIEW_INIT;
        r.reviewer = reviewer;
        r.note = note;
        int lrc = !strcmp(what, "approve") ? archase_review_approve(eng, pos[2], &r)
                  : !strcmp(what, "edit")  ? archase_review_edit(eng, pos[2], &r, subject, body)
                                           : archase_review_reject(eng, pos[2], &r);
        if (lrc)
            rc = cli_fail_rc("review", lrc, pos[2], archase_engine_errmsg(eng));
        else
            printf("%s: %s\n", pos[2], !strcmp(what, "reject") ? "rejected" : "approved, queued to send");
    }
    free(file_text);
    archase_engine_free(eng);
    return rc;
}
