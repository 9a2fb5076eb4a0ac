/* libarchase/engine/outbox.h — outbox items as records: their canonical
 * encoding (kind AR_OUTBOX_KIND, "OB"), decoding, storing, and the audit
 * records of what happens to them. The daily cycle writes items
 * (cycle.c), dispatch moves them (dispatch.c), people review and resolve
 * them (review.c, outbox.c).
 *
 * An item's record (family ARCHASE_FAMILY_OUTBOX, id = idempotency key):
 * envelope status = archase_outbox_status, instant = when it is due,
 * customer_id, invoice_id (the first), date = the cycle's day, amount; data =
 * the canonical record documented in docs/cycle.md ("Stored records"),
 * including the data a draft was rendered from (AR_RENDER_KIND, "RD"). */
#ifndef AR_ENGINE_OUTBOX_H
#define AR_ENGINE_OUTBOX_H

#include "archase/cycle.h"
#include "core/buf.h"
#include "core/canon.h"
#include "engine/engine.h"
#include "policy/template.h"

#define AR_OUTBOX_KIND 0x4f42       /* "OB": an outbox item */
#define AR_RENDER_KIND 0x5244       /* "RD": what a message was rendered from */
#define AR_RENDER_INVOICE_KIND 0x5249 /* "RI": one invoice of it */
#define AR_OUTBOX_EVENT_KIND 0x4f54 /* "OT": an outbox transition (audit payload) */
#define AR_OUTBOX_DECIDED_KIND 0x4f44 /* "OD": a new item (audit payload, kind decision) */

/* An item with what it was rendered from. Encoding reads `item` and, when
 * has_render, `render`; decoding fills both with strings owned by `mem`. */
typedef struct ar_outbox {
    archase_outbox_item item;
    int                 gated;           /* needs an approval before it goes out */
    uint32_t            backoff_seconds; /* first retry delay; doubled after each */
    int                 has_render;
    ar_render_ctx       render;
    /* decoding's memory, kept from one decode to the next */
    const archase_allocator *allocator;
    ar_buf              text;            /* the record copied, its strings NUL-terminated in it */
    const char        **ids;             /* invoice ids */
    int                *reasons;
    ar_render_invoice  *invoices;
    size_t              ids_cap, reasons_cap, invoices_cap;
    /* Set by the caller before decoding: keep the stored bytes, and where
     * the fields an attempt changes are in them, for
     * ar_outbox_encode_attempt. */
    int                 keep_bytes;
    const uint8_t      *bytes;             /* the stored bytes: in text, or in stored */
    ar_buf              stored;            /* their copy when text's differs */
    int                 dirty;             /* text's copy differs from the stored bytes */
    struct {
        int    ok;                         /* the stored bytes can be patched */
        size_t size;                       /* how many there are */
        size_t status, next, attempts;     /* offsets of fields 3, 25, 29's 8 value bytes */
        size_t tail_from, tail_to;         /* fields 31 and 32 (last detail, last attempt) */
        uint32_t tail_fields;              /* how many of those two were stored */
    } patch;
} ar_outbox;

void ar_outbox_init(ar_outbox *o, const archase_allocator *a);
void ar_outbox_free(ar_outbox *o);

/* Writes the item's record into `c` (reset first). 0, ARCHASE_EINVAL or
 * ARCHASE_ENOMEM. */
int ar_outbox_encode(const ar_outbox *o, ar_canon *c);
/* Decodes a stored record (data and envelope) into `o` (emptied first,
 * keeping its memory); the envelope's status and instant win over the
 * data's. The data is checked as ar_canon_validate checks it, in the same
 * pass. 0, ARCHASE_EPARSE or ARCHASE_ENOMEM. */
int ar_outbox_decode(ar_outbox *o, const archase_record *rec);
/* Appends to `out` the record of an item decoded with keep_bytes whose
 * only changes since are those of a delivery attempt: status, next attempt,
 * attempts, last detail, last attempt. The stored bytes with those fields
 * replaced: what ar_outbox_encode writes for the item, without encoding it
 * again. Items whose stored bytes have fields it does not know, or lack one
 * it patches, are encoded whole (through `c`). 0, ARCHASE_EINVAL or
 * ARCHASE_ENOMEM (`out` may then hold part of the record). */
int ar_outbox_encode_attempt(const ar_outbox *o, ar_canon *c, ar_buf *out);

/* Stores the item (encoded into `c`). `insert` 1: only when no item has its
 * id (ARCHASE_ECONFLICT otherwise, nothing written). */
int ar_outbox_store(archase_engine *e, const ar_outbox *o, ar_canon *c, int insert);
/* Loads item `id`. ARCHASE_ENOTFOUND (message set), ARCHASE_ESTORAGE when it
 * cannot be decoded, another storage error or ARCHASE_ENOMEM. */
int ar_outbox_load(archase_engine *e, const char *id, ar_outbox *o);

/* Audit record of a transition of item `id` from `from` to `to` (statuses),
 * by `actor` (NULL = the engine's), with an optional detail and reason. */
int ar_outbox_audit(archase_engine *e, const char *id, int from, int to, uint32_t attempt,
                    const char *actor, const char *detail, const char *reason);

/* Audit record of a new item: kind decision, payload "OD" with the item's
 * id, decision key, kind, customer, status and the SHA-256 of `bytes`. */
int ar_outbox_audit_new(archase_engine *e, const ar_outbox *o, const void *bytes, size_t size);

/* The idempotency key of decision `decision_key`, generation `generation`:
 * "<decision key>#<generation>", or, when that would not fit in
 * ARCHASE_IDEMPOTENCY_KEY_MAX, "h:<SHA-256 of the decision key>#<generation>". */
int ar_outbox_key(archase_engine *e, const char *decision_key, uint32_t generation,
                  char out[ARCHASE_IDEMPOTENCY_KEY_MAX]);

#endif
