/* examples/transports/smtp/smtp_message.h — writing an archase_message as an
 * RFC 5322 e-mail (internal to the SMTP transport). */
#ifndef ARCHASE_SMTP_MESSAGE_H
#define ARCHASE_SMTP_MESSAGE_H

#include <stddef.h>

#include <archase/sys/transport.h>

/* A growing byte string; `failed` is set when an allocation failed. */
typedef struct smtp_buf {
    char  *data;
    size_t len;
    size_t cap;
    int    failed;
} smtp_buf;

void smtp_buf_add(smtp_buf *b, const char *data, size_t len);
void smtp_buf_adds(smtp_buf *b, const char *text);
void smtp_buf_free(smtp_buf *b);

/* What the transport adds to every message. */
typedef struct smtp_sender {
    const char *from;              /* addr-spec */
    const char *from_name;         /* may be NULL */
    const char *reply_to;          /* may be NULL */
    const char *message_id_domain; /* never NULL */
    const char *pay_link;          /* may be NULL */
    const char *dispute_link;      /* may be NULL */
} smtp_sender;

/* Writes the e-mail for `msg` to `to` (address) into `out`, with `date` as its
 * Date header, CRLF line ends and a quoted-printable UTF-8 body. Returns 0,
 * ARCHASE_EINVAL when `to` cannot be a recipient (the reason is in
 * `detail`), or ARCHASE_ENOMEM. */
int smtp_compose(const smtp_sender *sender, const archase_message *msg, const char *to,
                 long long date, smtp_buf *out, char *detail, size_t detail_size);

/* 1 when `address` is a plain addr-spec (local@domain) that is safe in a
 * header and an SMTP command. */
int smtp_address_ok(const char *address);

#endif
