/* examples/transports/smtp/archase_smtp.h — a transport (archase/sys/transport.h)
 * that hands customer e-mail to an SMTP submission server through libcurl:
 * Gmail or Google Workspace (smtp.gmail.com with an app password), a relay,
 * the company's own Postfix.
 *
 * What it does with a message:
 *   - refuses it with ARCHASE_SEND_RETRY while its scheduled instant has not
 *     come (the cycle hands messages over when they are due, in the
 *     customer's local send window; a clock that runs behind waits);
 *   - writes it as a plain-text UTF-8 e-mail (quoted-printable) whose
 *     Message-ID is made from the idempotency key, the same on every attempt,
 *     so a mailbox or a person recognises a resend of one decision;
 *   - talks TLS whenever the server offers STARTTLS (or only TLS, with
 *     `require_tls`), authenticates when given a user name;
 *   - reports ARCHASE_SEND_SENT for a 250 to the end of the data,
 *     ARCHASE_SEND_REJECTED for a permanent refusal (5xx to MAIL, RCPT, DATA
 *     or the data: an unknown mailbox, a policy block) and for messages it
 *     cannot send as e-mail, ARCHASE_SEND_RETRY for a temporary refusal (4xx)
 *     or anything that failed before the end of the data, and
 *     ARCHASE_SEND_UNKNOWN when the data was written and no answer came
 *     (a timeout, a dropped connection): the server may have taken it.
 *
 * `lookup` answers from a delivery journal (`journal_path`): a key whose
 * last attempt the server acknowledged is SENT, a key never attempted or
 * whose attempts were all refused is NOT_SENT, and a key with an attempt
 * that got no answer is UNKNOWN — unless `sent_folder_url` names the
 * mailbox's Sent folder (Gmail files there what its SMTP server accepted)
 * and a search for the message's Message-ID finds it: then it is SENT.
 * Without a journal the transport has no lookup.
 *
 * Bounces that come back later as mail (a DSN to the sender) are not seen
 * here: only what the server says during the exchange. */
#ifndef ARCHASE_SMTP_H
#define ARCHASE_SMTP_H

#include <archase/engine.h>
#include <archase/sys/transport.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct archase_smtp_options {
    unsigned             version;            /* ARCHASE_SMTP_OPTIONS_VERSION */
    const char          *url;                /* smtp://host:587 (STARTTLS when offered) or
                                                smtps://host:465 (TLS from the start); required */
    const char          *username;           /* NULL = no authentication */
    const char          *password;
    const char          *from;               /* envelope sender and From address; required */
    const char          *from_name;          /* display name of From; NULL = none */
    const char          *reply_to;           /* NULL = none */
    const char          *message_id_domain;  /* after the @ of Message-ID; NULL = from's domain */
    const char          *journal_path;       /* the delivery journal `lookup` reads; NULL = none */
    const char          *pay_link;           /* replaces the message's link placeholder
                                                ({{ links.pay_now }}); "{customer_id}" in it
                                                becomes the customer's id, URL-encoded;
                                                NULL = the placeholder is removed */
    const char          *dispute_link;       /* the same for {{ links.dispute }} */
    const char          *internal_to;        /* the mailbox internal routes (escalations,
                                                alerts, call tasks) go to; NULL = refused */
    int                  require_tls;        /* 1 = never send in clear (STARTTLS required) */
    const char          *ca_file;            /* PEM CAs to trust instead of the system's */
    uint32_t             connect_timeout_ms; /* 0 = 10000 */
    uint32_t             timeout_ms;         /* the whole exchange; 0 = 60000 */
    const archase_clock *clock;              /* "now" for scheduled instants and the Date
                                                header; NULL = the system clock; copied */
    const char          *sent_folder_url;    /* imaps://HOST/FOLDER: the mailbox's Sent
                                                folder, searched (same user, password
                                                and TLS settings) for a message in doubt;
                                                NULL = the journal alone answers */
} archase_smtp_options;
#define ARCHASE_SMTP_OPTIONS_VERSION 1
#define ARCHASE_SMTP_OPTIONS_INIT                                                              \
    { ARCHASE_SMTP_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
      NULL, 0, NULL, 0, 0, NULL, NULL }

/* Makes an SMTP transport: *out receives the table to hand to
 * archase_engine_set_transport, which then owns it (or to release with its
 * `close` slot). Every string of `opts` is copied. Returns 0,
 * ARCHASE_EINVAL (no url or from, a from without @, a url that is not
 * smtp:// or smtps://), ARCHASE_EVERSION, ARCHASE_EIO (the journal cannot
 * be opened) or ARCHASE_ENOMEM; `errbuf` (may be NULL) says why. */
int archase_smtp_transport_new(const archase_smtp_options *opts, archase_transport *out,
                               char *errbuf, size_t errbuf_size);

/* Writes the Message-ID (with its angle brackets) that a message with this
 * idempotency key gets, at most `size` bytes with the NUL. Returns 0,
 * ARCHASE_EINVAL or ARCHASE_EBUFSIZE (too small). */
int archase_smtp_message_id(const char *idempotency_key, const char *domain, char *buf,
                            size_t size);

#ifdef __cplusplus
}
#endif
#endif
