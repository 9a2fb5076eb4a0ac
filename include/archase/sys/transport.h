/* include/archase/sys/transport.h — for transport authors: how the daily
 * cycle hands a message to the host's channel (SMTP, an SMS gateway, an ERP
 * task API, a chat webhook) and learns what became of it.
 *
 * Delivery is at least once in the wire sense and exactly once in effect:
 * every message carries an idempotency key that is the same on every attempt
 * to deliver the same decision, and the library never resends a message whose
 * fate is unknown without asking the transport first (`lookup`) or a person.
 *
 *   outbox item --claim--> sending --send--> SENT      -> sent
 *                                          RETRY     -> failed_retry (backoff), then dead
 *                                          REJECTED  -> dead (no retry), an internal alert
 *                                          UNKNOWN   -> in_doubt
 *   a crash after the claim leaves the item "sending": the next dispatch marks
 *   it in_doubt; in_doubt items are reconciled through lookup(key) (SENT ->
 *   sent, NOT_SENT -> retried) or, without lookup or when it answers UNKNOWN,
 *   stay in_doubt for a person (archase_outbox_resolve).
 *
 * The table is copied by archase_engine_set_transport; `userdata` is passed
 * first to every slot. A NULL `lookup` means "cannot tell". Slots are called
 * on the thread that called the engine, one at a time. */
#ifndef ARCHASE_SYS_TRANSPORT_H
#define ARCHASE_SYS_TRANSPORT_H

#include "archase/common.h"
#include "archase/money.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Room for an idempotency key with its NUL. */
#define ARCHASE_IDEMPOTENCY_KEY_MAX 160

/* One message, valid for the duration of the call. Customer messages carry
 * the rendered template; internal ones (escalations, owner alerts, call-queue
 * items, digests) carry the context as text in `body` and the route in
 * `address` (a person's id or a role). */
typedef struct archase_message {
    unsigned           version;          /* ARCHASE_MESSAGE_VERSION */
    const char        *idempotency_key;  /* the same on every attempt for one decision */
    const char        *outbox_id;        /* the outbox item */
    uint32_t           attempt;          /* 1 on the first try */
    int                kind;             /* archase_decision_kind (evaluate.h) */
    int                channel;          /* archase_channel (ledger.h); internal routes use
                                            ARCHASE_CHANNEL_INTERNAL */
    const char        *customer_id;
    const char        *customer_name;
    size_t             invoice_count;
    const char *const *invoice_ids;
    const char        *contact_id;       /* the consented contact; NULL for internal routes */
    const char        *address;          /* e-mail address, phone number, or the internal route */
    const char        *recipient_name;
    const char        *template_name;    /* NULL when none */
    int                tone;             /* archase_tone, 0 when none */
    const char        *subject;          /* rendered; "" when the channel has none */
    const char        *body;             /* rendered, UTF-8 */
    const char        *link_placeholder; /* the text in `body` the host replaces with its
                                            pay-now / dispute link, e.g. "{{pay_link}}" */
    archase_instant    scheduled_at;     /* the first instant it may go out (UTC) */
    const char        *timezone;         /* the customer's zone the local time is in */
    archase_date       local_date;       /* scheduled_at in that zone */
    int32_t            local_seconds;    /* seconds after local midnight */
    archase_money      amount;           /* the open amount the message is about */
    size_t             reason_count;
    const int         *reasons;          /* archase_reason codes of the decision */
    const char        *owner;            /* who is responsible for it; NULL for customer mail */
} archase_message;
#define ARCHASE_MESSAGE_VERSION 1

/* What `send` reports. */
typedef enum archase_send_result {
    ARCHASE_SEND_SENT = 1,     /* accepted by the channel */
    ARCHASE_SEND_RETRY = 2,    /* certainly not delivered; worth another try later */
    ARCHASE_SEND_REJECTED = 3, /* certainly not delivered; never worth retrying */
    ARCHASE_SEND_UNKNOWN = 4   /* maybe delivered (a timeout after writing): in doubt */
} archase_send_result;

/* What `lookup` reports about an idempotency key. */
typedef enum archase_lookup_result {
    ARCHASE_LOOKUP_SENT = 1,     /* the channel has it */
    ARCHASE_LOOKUP_NOT_SENT = 2, /* the channel never got it: safe to send */
    ARCHASE_LOOKUP_UNKNOWN = 3   /* cannot tell: a person decides */
} archase_lookup_result;

typedef struct archase_transport {
    unsigned version;  /* ARCHASE_TRANSPORT_VERSION */
    void    *userdata;
    /* Delivers `msg`. Writes an archase_send_result to *result and returns 0;
     * a detail (an SMTP reply, an HTTP status) may be written to `detail`
     * (`detail_size` bytes, NUL-terminated) and is recorded with the attempt.
     * A negative return is treated as ARCHASE_SEND_UNKNOWN. Required. */
    int (*send)(void *userdata, const archase_message *msg, int *result, char *detail,
                size_t detail_size);
    /* Whether the message with this idempotency key was delivered: writes an
     * archase_lookup_result. NULL = the transport cannot tell. */
    int (*lookup)(void *userdata, const char *idempotency_key, int *result);
    /* Releases the transport; called once by the engine that owns it (from a
     * successful archase_engine_set_transport on) or never. May be NULL. */
    void (*close)(void *userdata);
} archase_transport;
#define ARCHASE_TRANSPORT_VERSION 1

#ifdef __cplusplus
}
#endif
#endif
