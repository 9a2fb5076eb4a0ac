/* examples/transports/smtp/smtp_probe.c — drives the SMTP transport's send and
 * lookup slots directly, one command after another, as the cycle would; the
 * transport's tests run it against a server they start.
 *
 *   smtp-probe [OPTIONS] COMMAND...
 *     send KEY TO SUBJECT BODY     prints "sent|retry|rejected|unknown<TAB>detail"
 *     lookup KEY                   prints "sent|not_sent|unknown"
 *   OPTIONS: --url URL --from ADDR [--from-name NAME] [--journal FILE]
 *            [--now INSTANT] [--scheduled-at INSTANT] [--timeout-ms N]
 *            [--require-tls] [--ca-file FILE] [--user NAME --password TEXT]
 *            [--name RECIPIENT] [--channel email|internal|sms]
 *            [--internal-to ADDR] [--pay-link URL] [--dispute-link URL]
 *            [--placeholder TEXT] [--customer ID] [--sent-folder URL]
 *   The transport is made at the first command, from the options before it;
 *   the message's options (--scheduled-at, --name, --channel, --placeholder,
 *   --customer)
 *   may change between commands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archase/date.h>
#include <archase/ledger.h>

#include "archase_smtp.h"

static archase_instant fixed_now;

static archase_instant clock_now(void *userdata) {
    (void)userdata;
    return fixed_now;
}

static int usage(const char *message) {
    fprintf(stderr, "smtp-probe: %s\n", message);
    return 2;
}

int main(int argc, char **argv) {
    archase_smtp_options o = ARCHASE_SMTP_OPTIONS_INIT;
    archase_clock clock = { ARCHASE_CLOCK_VERSION, NULL, clock_now };
    archase_message m;
    memset(&m, 0, sizeof m);
    m.version = ARCHASE_MESSAGE_VERSION;
    m.channel = ARCHASE_CHANNEL_EMAIL;
    m.attempt = 1;
    m.link_placeholder = "{{pay_link}}";
    archase_transport t;
    int opened = 0, status = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strncmp(a, "--", 2) && strcmp(a, "--require-tls") && !v)
            return usage("an option lacks its value");
        if (!strcmp(a, "--url")) o.url = v, i++;
        else if (!strcmp(a, "--from")) o.from = v, i++;
        else if (!strcmp(a, "--from-name")) o.from_name = v, i++;
        else if (!strcmp(a, "--journal")) o.journal_path = v, i++;
        else if (!strcmp(a, "--timeout-ms")) o.timeout_ms = (uint32_t)strtoul(v, NULL, 10), i++;
        else if (!strcmp(a, "--require-tls")) o.require_tls = 1;
        else if (!strcmp(a, "--ca-file")) o.ca_file = v, i++;
        else if (!strcmp(a, "--user")) o.username = v, i++;
        else if (!strcmp(a, "--password")) o.password = v, i++;
        else if (!strcmp(a, "--internal-to")) o.internal_to = v, i++;
        else if (!strcmp(a, "--pay-link")) o.pay_link = v, i++;
        else if (!strcmp(a, "--dispute-link")) o.dispute_link = v, i++;
        else if (!strcmp(a, "--sent-folder")) o.sent_folder_url = v, i++;
        else if (!strcmp(a, "--customer")) m.customer_id = v, i++;
        else if (!strcmp(a, "--placeholder")) m.link_placeholder = v, i++;
        else if (!strcmp(a, "--name")) m.recipient_name = v, i++;
        else if (!strcmp(a, "--now")) {
            if (archase_instant_parse(v, &fixed_now))
                return usage("--now takes an instant like 2026-03-02T09:00:00Z");
            o.clock = &clock;
            i++;
        } else if (!strcmp(a, "--scheduled-at")) {
            if (archase_instant_parse(v, &m.scheduled_at))
                return usage("--scheduled-at takes an instant like 2026-03-02T09:00:00Z");
            i++;
        } else if (!strcmp(a, "--channel")) {
            m.channel = !strcmp(v, "internal") ? ARCHASE_CHANNEL_INTERNAL
                        : !strcmp(v, "sms")    ? ARCHASE_CHANNEL_SMS
                                               : ARCHASE_CHANNEL_EMAIL;
            i++;
        } else if (!strcmp(a, "send") || !strcmp(a, "lookup")) {
            if (!opened) {
                char err[256];
                int rc = archase_smtp_transport_new(&o, &t, err, sizeof err);
                if (rc) {
                    fprintf(stderr, "smtp-probe: %s\n", err);
                    return 1;
                }
                opened = 1;
            }
            if (!strcmp(a, "send")) {
                if (i + 4 >= argc)
                    return usage("send KEY TO SUBJECT BODY");
                m.idempotency_key = argv[i + 1];
                m.address = argv[i + 2];
                m.subject = argv[i + 3];
                m.body = argv[i + 4];
                i += 4;
                int result = 0;
                char detail[512] = "";
                int rc = t.send(t.userdata, &m, &result, detail, sizeof detail);
                static const char *const names[] = { "?", "sent", "retry", "rejected", "unknown" };
                printf("%s\t%s\n", rc ? "error" : names[result >= 1 && result <= 4 ? result : 0],
                       detail);
            } else {
                if (i + 1 >= argc)
                    return usage("lookup KEY");
                int result = 0;
                const char *key = argv[++i];
                if (!t.lookup) {
                    printf("no-lookup\n");
                } else if (t.lookup(t.userdata, key, &result)) {
                    printf("error\n");
                } else {
                    printf("%s\n", result == ARCHASE_LOOKUP_SENT       ? "sent"
                                   : result == ARCHASE_LOOKUP_NOT_SENT ? "not_sent"
                                                                       : "unknown");
                }
            }
            fflush(stdout);
        } else {
            status = usage("unknown argument");
            break;
        }
    }
    if (opened)
        t.close(t.userdata);
    return status;
}
