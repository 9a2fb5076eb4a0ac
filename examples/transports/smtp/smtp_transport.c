/* examples/transports/smtp/smtp_transport.c — the archase_transport table over
 * libcurl's SMTP: when a message may go, the exchange with the server, and
 * what the server's answers mean for the cycle (sent, retry, rejected, in
 * doubt). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include <archase/date.h>
#include <archase/errors.h>
#include <archase/ledger.h>

#include "archase_smtp.h"
#include "smtp_journal.h"
#include "smtp_message.h"
#include "smtp_sent_folder.h"

typedef struct smtp_transport {
    char          *url, *username, *password, *from, *from_name, *reply_to;
    char          *message_id_domain, *pay_link, *dispute_link, *internal_to, *ca_file;
    char          *sent_folder_url;
    int            require_tls;
    long           connect_timeout_ms, timeout_ms;
    archase_clock  clock;
    int            has_clock;
    smtp_journal  *journal;
    CURL          *curl; /* kept between messages: libcurl reuses the connection */
} smtp_transport;

/* What one exchange saw: the last command, the answer to it, and whether the
 * whole message had been handed to libcurl. */
typedef struct exchange {
    const char *data;
    size_t      size, offset;
    int         data_done;       /* the read callback reported the end */
    char        command[16];     /* the verb of the last command sent */
    int         reply_code;      /* the answer to it; 0 = none yet */
    char        reply[256];      /* its first line */
    int         reply_after_data;/* an answer that came after data_done */
    int         quitting;        /* QUIT was sent: later answers are ignored */
} exchange;

static size_t read_message(char *buffer, size_t size, size_t nitems, void *userdata) {
    exchange *x = userdata;
    size_t room = size * nitems, left = x->size - x->offset;
    size_t n = left < room ? left : room;
    memcpy(buffer, x->data + x->offset, n);
    x->offset += n;
    if (n == 0)
        x->data_done = 1;
    return n;
}

/* Follows the dialogue: commands out, answers in (never their arguments:
 * AUTH carries the credentials). */
static int watch_dialogue(CURL *handle, curl_infotype type, char *data, size_t size,
                          void *userdata) {
    (void)handle;
    exchange *x = userdata;
    if (x->quitting)
        return 0;
    if (type == CURLINFO_HEADER_OUT) {
        if (size >= 4 && !strncasecmp(data, "QUIT", 4)) {
            /* Leaving: what came before is what counts. */
            x->quitting = 1;
            return 0;
        }
        /* Only commands: an AUTH exchange's continuation lines are not. */
        static const char *const verbs[] = { "EHLO", "HELO", "STARTTLS", "AUTH", "MAIL",
                                             "RCPT", "DATA", "RSET", "NOOP" };
        char verb[16];
        size_t n = 0;
        while (n < size && n + 1 < sizeof verb && isalpha((unsigned char)data[n])) {
            verb[n] = (char)toupper((unsigned char)data[n]);
            n++;
        }
        verb[n] = '\0';
        for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
            if (!strcmp(verb, verbs[i])) {
                memcpy(x->command, verb, n + 1);
                x->reply_code = 0;
                x->reply[0] = '\0';
            }
        }
    } else if (type == CURLINFO_HEADER_IN && size >= 3 && isdigit((unsigned char)data[0]) &&
               isdigit((unsigned char)data[1]) && isdigit((unsigned char)data[2])) {
        /* A multi-line answer ("250-...") counts once, at its last line. */
        if (size > 3 && data[3] == '-')
            return 0;
        x->reply_code = (data[0] - '0') * 100 + (data[1] - '0') * 10 + (data[2] - '0');
        size_t n = size < sizeof x->reply - 1 ? size : sizeof x->reply - 1;
        memcpy(x->reply, data, n);
        x->reply[n] = '\0';
        x->reply[strcspn(x->reply, "\r\n")] = '\0';
        if (x->data_done)
            x->reply_after_data = x->reply_code;
    }
    return 0;
}

static archase_instant now_of(const smtp_transport *t) {
    return t->has_clock ? t->clock.now(t->clock.userdata) : (archase_instant)time(NULL);
}

/* What the end of an exchange means. */
static int classify(const exchange *x, CURLcode rc, const char *curl_error, char *detail,
                    size_t detail_size) {
    if (rc == CURLE_OK) {
        snprintf(detail, detail_size, "%s", x->reply);
        return ARCHASE_SEND_SENT;
    }
    if (x->data_done) {
        /* The message was written: only the server's answer to it can say. */
        if (x->reply_after_data >= 500) {
            snprintf(detail, detail_size, "refused after the data: %s", x->reply);
            return ARCHASE_SEND_REJECTED;
        }
        if (x->reply_after_data >= 400) {
            snprintf(detail, detail_size, "deferred after the data: %s", x->reply);
            return ARCHASE_SEND_RETRY;
        }
        snprintf(detail, detail_size, "no answer after the data (%s): the server may have it",
                 curl_error);
        return ARCHASE_SEND_UNKNOWN;
    }
    if (x->reply_code >= 500 && (!strcmp(x->command, "MAIL") || !strcmp(x->command, "RCPT") ||
                                 !strcmp(x->command, "DATA"))) {
        snprintf(detail, detail_size, "%s refused: %s", x->command, x->reply);
        return ARCHASE_SEND_REJECTED;
    }
    if (rc == CURLE_LOGIN_DENIED)
        snprintf(detail, detail_size, "authentication refused (%s): check the user and password",
                 x->reply);
    else if (x->reply_code >= 400)
        snprintf(detail, detail_size, "%s %s: %s", x->command,
                 x->reply_code >= 500 ? "refused" : "deferred", x->reply);
    else if (rc == CURLE_USE_SSL_FAILED)
        snprintf(detail, detail_size, "the server offers no TLS and TLS is required");
    else
        snprintf(detail, detail_size, "%s", curl_error);
    return ARCHASE_SEND_RETRY;
}

static void set_options(smtp_transport *t, CURL *c, exchange *x, struct curl_slist *rcpt,
                        char *curl_error) {
    curl_easy_setopt(c, CURLOPT_URL, t->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_USE_SSL, (long)(t->require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    if (t->ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, t->ca_file);
    if (t->username) {
        curl_easy_setopt(c, CURLOPT_USERNAME, t->username);
        curl_easy_setopt(c, CURLOPT_PASSWORD, t->password ? t->password : "");
    }
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, t->from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
    curl_easy_setopt(c, CURLOPT_READDATA, x);
    curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, watch_dialogue);
    curl_easy_setopt(c, CURLOPT_DEBUGDATA, x);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, t->connect_timeout_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, t->timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_error);
}

static int smtp_send(void *userdata, const archase_message *msg, int *result, char *detail,
                     size_t detail_size) {
    smtp_transport *t = userdata;
    char spare[8];
    if (!detail || !detail_size) {
        detail = spare;
        detail_size = sizeof spare;
    }
    detail[0] = '\0';
    if (!msg || !msg->idempotency_key || !result)
        return ARCHASE_EINVAL;

    archase_instant now = now_of(t);
    if (msg->scheduled_at > now) {
        char at[64] = "";
        archase_instant_format(msg->scheduled_at, at, sizeof at);
        snprintf(detail, detail_size, "not due before %s", at);
        *result = ARCHASE_SEND_RETRY;
        return 0;
    }
    const char *to = msg->address;
    if (msg->channel == ARCHASE_CHANNEL_INTERNAL) {
        if (!t->internal_to) {
            snprintf(detail, detail_size, "internal route '%s': no mailbox for internal routes",
                     msg->address ? msg->address : "");
            *result = ARCHASE_SEND_REJECTED;
            return 0;
        }
        to = t->internal_to;
    } else if (msg->channel != ARCHASE_CHANNEL_EMAIL) {
        const char *name = archase_channel_name(msg->channel);
        snprintf(detail, detail_size, "channel '%s' is not e-mail", name ? name : "?");
        *result = ARCHASE_SEND_REJECTED;
        return 0;
    }

    smtp_sender sender = { t->from, t->from_name, t->reply_to, t->message_id_domain,
                           t->pay_link, t->dispute_link };
    smtp_buf mail = { 0 };
    int rc = smtp_compose(&sender, msg, to, now, &mail, detail, detail_size);
    if (rc == ARCHASE_EINVAL) {
        *result = ARCHASE_SEND_REJECTED;
        return 0;
    }
    char recipient[300];
    snprintf(recipient, sizeof recipient, "<%s>", to);
    struct curl_slist *rcpt = rc ? NULL : curl_slist_append(NULL, recipient);
    if (!rcpt) {
        /* Nothing went out: a retry, not a message in doubt. */
        smtp_buf_free(&mail);
        snprintf(detail, detail_size, "out of memory: not sent");
        *result = ARCHASE_SEND_RETRY;
        return 0;
    }

    /* Before the first byte goes out, the journal knows an attempt began. */
    if (t->journal && smtp_journal_note(t->journal, SMTP_JOURNAL_SENDING, msg->idempotency_key)) {
        curl_slist_free_all(rcpt);
        smtp_buf_free(&mail);
        snprintf(detail, detail_size, "the delivery journal cannot be written: not sent");
        *result = ARCHASE_SEND_RETRY;
        return 0;
    }
    exchange x;
    memset(&x, 0, sizeof x);
    x.data = mail.data;
    x.size = mail.len;
    char curl_error[CURL_ERROR_SIZE] = "";
    curl_easy_reset(t->curl);
    set_options(t, t->curl, &x, rcpt, curl_error);
    CURLcode crc = curl_easy_perform(t->curl);
    if (crc != CURLE_OK && !curl_error[0])
        snprintf(curl_error, sizeof curl_error, "%s", curl_easy_strerror(crc));
    *result = classify(&x, crc, curl_error, detail, detail_size);
    curl_slist_free_all(rcpt);
    smtp_buf_free(&mail);

    if (t->journal && *result != ARCHASE_SEND_UNKNOWN)
        smtp_journal_note(t->journal,
                          *result == ARCHASE_SEND_SENT ? SMTP_JOURNAL_SENT : SMTP_JOURNAL_REFUSED,
                          msg->idempotency_key);
    return 0;
}

static int smtp_lookup(void *userdata, const char *idempotency_key, int *result) {
    smtp_transport *t = userdata;
    int state = SMTP_JOURNAL_NONE;
    if (!idempotency_key || !result)
        return ARCHASE_EINVAL;
    int rc = smtp_journal_state_of(t->journal, idempotency_key, &state);
    if (rc)
        return rc;
    *result = state == SMTP_JOURNAL_SENT      ? ARCHASE_LOOKUP_SENT
              : state == SMTP_JOURNAL_SENDING ? ARCHASE_LOOKUP_UNKNOWN
                                              : ARCHASE_LOOKUP_NOT_SENT;
    if (state == SMTP_JOURNAL_SENDING && t->sent_folder_url) {
        /* Found in the Sent folder: the server took it. Not found proves
         * nothing (the copy may come later): it stays unknown. */
        char message_id[3 * ARCHASE_IDEMPOTENCY_KEY_MAX + 300];
        smtp_sent_folder folder = { t->sent_folder_url, t->username, t->password, t->ca_file,
                                    t->require_tls, t->connect_timeout_ms, t->timeout_ms };
        int found = 0;
        if (archase_smtp_message_id(idempotency_key, t->message_id_domain, message_id,
                                    sizeof message_id) == 0 &&
            smtp_sent_folder_has(&folder, message_id, &found) == 0 && found)
            *result = ARCHASE_LOOKUP_SENT;
    }
    return 0;
}

static void smtp_close(void *userdata) {
    smtp_transport *t = userdata;
    if (!t)
        return;
    if (t->curl)
        curl_easy_cleanup(t->curl);
    smtp_journal_close(t->journal);
    char *strings[] = { t->url,      t->username,          t->password, t->from,
                        t->from_name, t->reply_to,         t->message_id_domain,
                        t->pay_link, t->dispute_link,      t->internal_to,
                        t->ca_file,  t->sent_folder_url };
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        if (strings[i] == t->password && t->password)
            memset(t->password, 0, strlen(t->password));
        free(strings[i]);
    }
    free(t);
    curl_global_cleanup();
}

static int copy(const char *from, char **to) {
    if (!from)
        return 0;
    return (*to = strdup(from)) ? 0 : ARCHASE_ENOMEM;
}

static int fail(char *errbuf, size_t errbuf_size, int rc, const char *message) {
    if (errbuf && errbuf_size)
        snprintf(errbuf, errbuf_size, "%s", message);
    return rc;
}

int archase_smtp_transport_new(const archase_smtp_options *opts, archase_transport *out,
                               char *errbuf, size_t errbuf_size) {
    if (errbuf && errbuf_size)
        errbuf[0] = '\0';
    if (!opts || !out)
        return fail(errbuf, errbuf_size, ARCHASE_EINVAL, "no options");
    if (opts->version != ARCHASE_SMTP_OPTIONS_VERSION)
        return fail(errbuf, errbuf_size, ARCHASE_EVERSION, "options of another version");
    if (!opts->url || (strncmp(opts->url, "smtp://", 7) && strncmp(opts->url, "smtps://", 8)))
        return fail(errbuf, errbuf_size, ARCHASE_EINVAL, "the url must be smtp://HOST[:PORT] or smtps://HOST[:PORT]");
    if (!smtp_address_ok(opts->from))
        return fail(errbuf, errbuf_size, ARCHASE_EINVAL, "the from address must be local@domain");
    if (opts->sent_folder_url && strncmp(opts->sent_folder_url, "imap://", 7) &&
        strncmp(opts->sent_folder_url, "imaps://", 8))
        return fail(errbuf, errbuf_size, ARCHASE_EINVAL, "the Sent folder must be imap://HOST/FOLDER or imaps://HOST/FOLDER");
    if (opts->internal_to && !smtp_address_ok(opts->internal_to))
        return fail(errbuf, errbuf_size, ARCHASE_EINVAL, "the internal mailbox must be local@domain");
    if (opts->clock && (opts->clock->version != ARCHASE_CLOCK_VERSION || !opts->clock->now))
        return fail(errbuf, errbuf_size, ARCHASE_EINVAL, "a clock needs its version and a now slot");
    const char *domain = opts->message_id_domain ? opts->message_id_domain
                                                 : strchr(opts->from, '@') + 1;
    char probe[64];
    if (archase_smtp_message_id("k", domain, probe, sizeof probe) == ARCHASE_EINVAL)
        return fail(errbuf, errbuf_size, ARCHASE_EINVAL, "the Message-ID domain must be a host name");

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return fail(errbuf, errbuf_size, ARCHASE_ENOMEM, "libcurl cannot start");
    smtp_transport *t = calloc(1, sizeof *t);
    int rc = t ? 0 : ARCHASE_ENOMEM;
    if (!rc)
        rc = copy(opts->url, &t->url) || copy(opts->username, &t->username) ||
                     copy(opts->password, &t->password) || copy(opts->from, &t->from) ||
                     copy(opts->from_name, &t->from_name) || copy(opts->reply_to, &t->reply_to) ||
                     copy(domain, &t->message_id_domain) || copy(opts->pay_link, &t->pay_link) ||
                     copy(opts->dispute_link, &t->dispute_link) ||
                     copy(opts->sent_folder_url, &t->sent_folder_url) ||
                     copy(opts->internal_to, &t->internal_to) || copy(opts->ca_file, &t->ca_file)
                 ? ARCHASE_ENOMEM
                 : 0;
    if (!rc && !(t->curl = curl_easy_init()))
        rc = ARCHASE_ENOMEM;
    if (!rc && opts->journal_path) {
        rc = smtp_journal_open(opts->journal_path, &t->journal);
        if (rc == ARCHASE_EIO) {
            char message[512];
            snprintf(message, sizeof message, "%s: the delivery journal cannot be opened",
                     opts->journal_path);
            fail(errbuf, errbuf_size, rc, message);
        }
    }
    if (rc) {
        if (t)
            smtp_close(t);
        else
            curl_global_cleanup();
        if (rc == ARCHASE_ENOMEM)
            fail(errbuf, errbuf_size, rc, "out of memory");
        return rc;
    }
    t->require_tls = opts->require_tls;
    t->connect_timeout_ms = opts->connect_timeout_ms ? (long)opts->connect_timeout_ms : 10000L;
    t->timeout_ms = opts->timeout_ms ? (long)opts->timeout_ms : 60000L;
    if (opts->clock) {
        t->clock = *opts->clock;
        t->has_clock = 1;
    }
    memset(out, 0, sizeof *out);
    out->version = ARCHASE_TRANSPORT_VERSION;
    out->userdata = t;
    out->send = smtp_send;
    out->lookup = t->journal ? smtp_lookup : NULL;
    out->close = smtp_close;
    return 0;
}
