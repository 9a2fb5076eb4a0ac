/* libarchase/engine/cadence_store.h — the engine's chase state as stored
 * records of the cadence family (ARCHASE_FAMILY_CADENCE).
 *
 * Two kinds of record live in the family (docs/storage.md, "Cadence"):
 *
 *   "invoice:<id>"   one invoice's cadence state: its sequence, the last step
 *                    taken, the next one, the escalation rules that fired,
 *                    the broken promise already routed. Envelope: customer_id,
 *                    invoice_id, status = archase_cadence_status, date = the
 *                    next step's day, date2 = the last step's day.
 *   "customer:<id>"  a customer's touches: the customer-facing messages of
 *                    the last AR_SNAP_TOUCH_DAYS days and those scheduled
 *                    ahead, for the contact guardrails. Envelope: customer_id,
 *                    status = AR_CADENCE_STATUS_TOUCHES, date = the latest touch.
 *
 * Evaluation produces the first (archase_cadence_update) and the messages
 * that become touches; engine/apply.h stores both; a snapshot reads them back.
 */
#ifndef AR_ENGINE_CADENCE_STORE_H
#define AR_ENGINE_CADENCE_STORE_H

#include <stdint.h>

#include "archase/evaluate.h"
#include "archase/sys/storage.h"
#include "core/canon.h"

/* Canonical record kinds. */
#define AR_KIND_CADENCE 9        /* an invoice's state: the family's number */
#define AR_KIND_TOUCHES 0x0902   /* a customer's touches */
#define AR_KIND_TOUCH 1          /* one touch inside it */

/* Envelope status of touch records (invoice states use archase_cadence_status). */
#define AR_CADENCE_STATUS_TOUCHES 16

/* The most escalation rules remembered per invoice, touches per customer. */
#define AR_CADENCE_ESCALATED_MAX 32
#define AR_CADENCE_TOUCHES_MAX 64

/* Record ids: "invoice:" or "customer:" and the ledger's id. */
#define AR_CADENCE_INVOICE_PREFIX "invoice:"
#define AR_CADENCE_CUSTOMER_PREFIX "customer:"

/* A string inside a decoded record (not NUL-terminated); p NULL = absent. */
typedef struct ar_slice {
    const char *p;
    uint32_t    len;
} ar_slice;

/* An invoice's cadence state, for encoding (strings) or decoded (slices into
 * the record's bytes, valid while they are). */
typedef struct ar_cadence_rec {
    const char    *invoice_id;
    const char    *customer_id;
    int            status;          /* archase_cadence_status */
    int            reason;          /* archase_reason, 0 = none */
    const char    *sequence;        /* NULL = none */
    const char    *last_step;
    int32_t        last_offset;     /* ARCHASE_OFFSET_NONE */
    archase_date   last_date;
    int32_t        notice_offset;   /* ARCHASE_OFFSET_NONE */
    const char    *next_step;
    archase_date   next_date;
    archase_date   call_queued;
    const char    *promise_routed;
    const char    *escalated[AR_CADENCE_ESCALATED_MAX];
    uint32_t       escalated_count;
    archase_date   updated_on;      /* the evaluation that wrote it */
    const uint8_t *policy_hash;     /* NULL = none */
} ar_cadence_rec;

typedef struct ar_cadence_view {
    ar_slice     invoice_id, customer_id, sequence, last_step, next_step, promise_routed;
    int          status, reason;
    int32_t      last_offset, notice_offset;
    archase_date last_date, next_date, call_queued, updated_on;
    ar_slice     escalated[AR_CADENCE_ESCALATED_MAX];
    uint32_t     escalated_count;
    uint8_t      policy_hash[32];
    int          has_policy_hash;
} ar_cadence_view;

/* A customer's touches. */
typedef struct ar_touch {
    archase_date date;
    int          channel; /* archase_channel */
} ar_touch;

typedef struct ar_touches_rec {
    const char  *customer_id;    /* encoding */
    ar_slice     customer;       /* decoding */
    archase_date last_touch;     /* the latest touch, kept when older ones are dropped */
    ar_touch     items[AR_CADENCE_TOUCHES_MAX];
    uint32_t     count;          /* by date, then channel */
} ar_touches_rec;

/* The canonical encoding of a state (docs/storage.md) into `c` (reset
 * first). 0 or ARCHASE_ENOMEM. */
int ar_cadence_encode(ar_canon *c, const ar_cadence_rec *r);
/* Decodes a stored state. 0 or ARCHASE_EPARSE. */
int ar_cadence_decode(const void *data, size_t size, ar_cadence_view *out);

int ar_touches_encode(ar_canon *c, const ar_touches_rec *r);
int ar_touches_decode(const void *data, size_t size, ar_touches_rec *out);

/* "active", "waiting", "finished", "closed"; NULL for other values. */
const char *ar_cadence_status_name(int status);
int         ar_cadence_status_parse(const char *s, size_t len); /* value or -1 */

#endif
