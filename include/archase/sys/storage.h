/* include/archase/sys/storage.h — the storage backend interface, for backend authors.
 *
 * A backend is a versioned table of typed record operations (not SQL, not raw
 * key/value). The library ships two (memory and SQLite, see archase/engine.h);
 * a host may write its own and hand it to archase_engine_open. docs/storage.md
 * is the contract in prose, with the conformance suite every backend must pass.
 *
 * Every slot takes the backend's `userdata` first and returns 0 or a negative
 * ARCHASE_E* code. Codes a slot may return on purpose: ARCHASE_ENOTFOUND (get,
 * delete: no such record), ARCHASE_ECONFLICT (audit_append: wrong index),
 * ARCHASE_ESTATE (a transaction or outbox transition not allowed now),
 * ARCHASE_EBUSY (the store is locked by someone else), ARCHASE_ENOMEM, and a
 * callback's own negative result, returned unchanged. Anything else is a
 * failure of the backend: return ARCHASE_ESTORAGE (or any other code) and
 * describe it through `errmsg`; the engine reports ARCHASE_ESTORAGE with that
 * message. A NULL slot means "not supported": the engine returns
 * ARCHASE_EUNSUPPORTED naming the slot when it would need it.
 */
#ifndef ARCHASE_SYS_STORAGE_H
#define ARCHASE_SYS_STORAGE_H

#include "archase/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The entity families a store keeps. Values are pinned; new ones are appended. */
typedef enum archase_family {
    ARCHASE_FAMILY_CUSTOMER = 1,
    ARCHASE_FAMILY_CONTACT = 2,
    ARCHASE_FAMILY_FLAGS = 3,      /* relationship flags, keyed by customer id */
    ARCHASE_FAMILY_INVOICE = 4,
    ARCHASE_FAMILY_PAYMENT = 5,    /* payments, credit notes, adjustments, write-offs */
    ARCHASE_FAMILY_PROMISE = 6,
    ARCHASE_FAMILY_DISPUTE = 7,
    ARCHASE_FAMILY_NOTE = 8,
    ARCHASE_FAMILY_CADENCE = 9,    /* per-invoice chase state (engine) */
    ARCHASE_FAMILY_DECISION = 10,
    ARCHASE_FAMILY_APPROVAL = 11,
    ARCHASE_FAMILY_OUTBOX = 12,
    ARCHASE_FAMILY_RECON = 13,     /* reconciliation queue items */
    ARCHASE_FAMILY_CHECKPOINT = 14,/* signed audit checkpoints */
    ARCHASE_FAMILY_META = 15       /* small named values of the engine */
} archase_family;
/* One more than the largest family value this header knows. */
#define ARCHASE_FAMILY_LIMIT 16

/* Envelope status values, by family (0 = the family has no status).
 *   invoice:  the derived state the engine maintains as payments apply */
#define ARCHASE_INVOICE_STATUS_OPEN 1
#define ARCHASE_INVOICE_STATUS_SETTLED 2
#define ARCHASE_INVOICE_STATUS_VOID 3
/*   payment:  its kind (archase_payment_kind in archase/ledger.h, 1..4)
 *   contact:  its channel (archase_channel, 1..5)
 *   flags:    a bit mask of the flags that are set: */
#define ARCHASE_FLAG_HOLD 1u
#define ARCHASE_FLAG_PAUSED 2u        /* paused_until is set */
#define ARCHASE_FLAG_EXPANSION 4u
#define ARCHASE_FLAG_STRATEGIC 8u
#define ARCHASE_FLAG_SERVICE_ISSUE 16u
/*   promise:  open, then the state machine's outcome */
#define ARCHASE_PROMISE_STATUS_OPEN 1
#define ARCHASE_PROMISE_STATUS_KEPT 2
#define ARCHASE_PROMISE_STATUS_PARTIALLY_KEPT 3
#define ARCHASE_PROMISE_STATUS_BROKEN 4
#define ARCHASE_PROMISE_STATUS_CANCELLED 5
/*   dispute:  archase_dispute_status (open 1, in_review 2, resolved 3)
 *   recon:    open 1, resolved 2 */
#define ARCHASE_RECON_STATUS_OPEN 1
#define ARCHASE_RECON_STATUS_RESOLVED 2

/* Outbox statuses. Transitions the backend performs atomically:
 *   pending | failed_retry --outbox_claim--> sending
 *   sending --outbox_ack--> sent | failed_retry | dead | cancelled
 *   sending --outbox_mark_in_doubt--> in_doubt
 * A draft (copilot mode) is only ever changed by a put.
 * Every other change is a put by the engine. */
typedef enum archase_outbox_status {
    ARCHASE_OUTBOX_PENDING = 1,
    ARCHASE_OUTBOX_SENDING = 2,
    ARCHASE_OUTBOX_SENT = 3,
    ARCHASE_OUTBOX_FAILED_RETRY = 4,
    ARCHASE_OUTBOX_DEAD = 5,
    ARCHASE_OUTBOX_IN_DOUBT = 6,
    ARCHASE_OUTBOX_CANCELLED = 7,
    ARCHASE_OUTBOX_DRAFT = 8       /* waits for a person's review; never claimed */
} archase_outbox_status;

/* One stored record: a typed envelope the backend can index and filter on,
 * and `data`, the record's canonical encoding (docs/audit-format.md), which is
 * the full typed record. A backend keeps every field and the bytes exactly.
 *
 * Field meanings per family (unused fields are NULL, 0 or ARCHASE_DATE_NONE):
 *   customer  customer_id = id; amount = credit limit (minor units, currency
 *             "" when there is none)
 *   contact   customer_id; status = channel
 *   flags     id = customer_id; status = ARCHASE_FLAG_* mask; date = paused_until
 *   invoice   customer_id; invoice_id = id; date = due date; date2 = issue date;
 *             date3 = date of the latest payment applied (the settled date
 *             when status is settled); amount = invoiced amount; amount2 =
 *             OPEN amount; status = open|settled|void
 *   payment   customer_id; invoice_id (NULL = unapplied cash); date = payment
 *             date; amount = amount; amount2 = the part applied to the
 *             invoice; status = kind
 *   promise   customer_id; invoice_id = first invoice covered; date = promised
 *             date; date2 = recorded on; amount = promised amount; status
 *   dispute   customer_id; invoice_id = first invoice; date = opened on;
 *             date2 = resolved on; amount = disputed; amount2 = credited; status
 *   note      customer_id; invoice_id; instant = when it was written
 *   recon     customer_id; invoice_id; date = the payment date; amount = the
 *             amount to reconcile; status = open|resolved
 *   outbox    status = archase_outbox_status; instant = when it is due (claims
 *             take items whose instant <= now)
 *   cadence, decision, approval, checkpoint, meta: defined by the engine;
 *             backends store them generically.
 * `revision` is the source revision of a fact (the engine's own records use it
 * as they like). `currency` applies to amount and amount2. */
typedef struct archase_record {
    unsigned        version;     /* ARCHASE_RECORD_VERSION */
    int             family;      /* archase_family */
    const char     *id;          /* never NULL, never empty */
    const char     *customer_id;
    const char     *invoice_id;
    int64_t         revision;
    int32_t         status;
    archase_date    date;
    archase_date    date2;
    archase_date    date3;
    int64_t         amount;
    int64_t         amount2;
    char            currency[4]; /* "" = none */
    archase_instant instant;
    const void     *data;        /* NULL only in scans with ARCHASE_SCAN_NO_DATA */
    size_t          size;
} archase_record;
#define ARCHASE_RECORD_VERSION 1
#define ARCHASE_RECORD_INIT                                                                     \
    { ARCHASE_RECORD_VERSION, 0, NULL, NULL, NULL, 0, 0, ARCHASE_DATE_NONE, ARCHASE_DATE_NONE, \
      ARCHASE_DATE_NONE, 0, 0, "", 0, NULL, 0 }

/* Receives records from get, scan and outbox_claim. The record and its strings
 * are valid during the call only. Return 0 to go on, ARCHASE_SCAN_STOP to end
 * the scan early (the slot then returns 0), or a negative code to abort (the
 * slot returns that code). */
typedef int (*archase_record_fn)(void *ctx, const archase_record *record);
#define ARCHASE_SCAN_STOP 1

/* What a scan returns: records of `family` matching every set criterion, in
 * ascending byte order of id. */
typedef struct archase_scan_filter {
    unsigned     version;     /* ARCHASE_SCAN_FILTER_VERSION */
    int          family;
    const char  *customer_id; /* NULL = any */
    const char  *invoice_id;  /* NULL = any */
    int32_t      status;      /* 0 = any, else exactly this status */
    archase_date date_from;   /* `date` >= this; ARCHASE_DATE_NONE = unbounded */
    archase_date date_to;     /* `date` <= this; ARCHASE_DATE_NONE = unbounded.
                                 A bounded range excludes records without a date. */
    unsigned     flags;       /* ARCHASE_SCAN_* */
} archase_scan_filter;
#define ARCHASE_SCAN_FILTER_VERSION 1
#define ARCHASE_SCAN_FILTER_INIT \
    { ARCHASE_SCAN_FILTER_VERSION, 0, NULL, NULL, 0, ARCHASE_DATE_NONE, ARCHASE_DATE_NONE, 0 }
/* Envelope only: `data` is NULL and `size` 0 (aggregate readers skip decoding). */
#define ARCHASE_SCAN_NO_DATA 1u

/* One entry of the append-only audit log, as the audit log computed it; a
 * backend stores every field exactly as given and hands it back unchanged.
 * Indexes start at 0 and have no gaps. `data` is the audit record itself,
 * the bytes the hashes are over (docs/audit-format.md): the other fields
 * repeat what it holds so that a backend can index and a person can query
 * them. `leaf_hash` is its record hash, `prev_hash` the record hash of entry
 * index - 1 (zero bytes for entry 0).
 *
 * `nodes` are the roots of the perfect Merkle subtrees this entry completes,
 * `node_count` of them, 32 bytes each, lowest level first: node k (from 0)
 * is the root of the 2^(k+1) leaves ending at this entry, and node_count is
 * the number of trailing 1 bits of `index`. Kept so that roots and proofs
 * read O(log n) entries; a backend may drop them (node_count 0): proofs are
 * then computed from the leaves. */
typedef struct archase_audit_entry {
    unsigned           version;    /* ARCHASE_AUDIT_ENTRY_VERSION */
    uint64_t           index;
    uint32_t           kind;       /* archase_audit_kind (archase/audit.h): what it is about */
    const char        *actor;      /* never NULL or empty */
    archase_instant    instant;
    const void        *data;       /* the audit record (a canonical RECORD of kind "AU"),
                                      whose payload is the fact, decision ... it is about */
    size_t             size;
    const char *const *links;      /* source-document links: UTF-8, not empty */
    uint32_t           link_count;
    const uint8_t     *nodes;      /* node_count * 32 bytes */
    uint32_t           node_count;
    uint8_t            leaf_hash[32];
    uint8_t            prev_hash[32];
} archase_audit_entry;
#define ARCHASE_AUDIT_ENTRY_VERSION 1
#define ARCHASE_AUDIT_ENTRY_INIT \
    { ARCHASE_AUDIT_ENTRY_VERSION, 0, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0, { 0 }, { 0 } }

/* Receives audit entries in index order; valid during the call only. Same
 * return convention as archase_record_fn. */
typedef int (*archase_audit_fn)(void *ctx, const archase_audit_entry *entry);

typedef struct archase_storage {
    unsigned version;  /* ARCHASE_STORAGE_VERSION */
    void    *userdata; /* first argument of every slot */

    /* The record of `family` with `id`, handed to fn; ARCHASE_ENOTFOUND if none. */
    int (*get)(void *userdata, int family, const char *id, archase_record_fn fn, void *ctx);
    /* Inserts the record, or replaces the one with the same family and id. */
    int (*put)(void *userdata, const archase_record *record);
    /* Optional: inserts a record that is not stored yet; ARCHASE_ECONFLICT
     * (nothing written) when the family already has one with this id. Lets
     * the engine store a new fact without reading first. */
    int (*insert)(void *userdata, const archase_record *record);
    /* Removes a record (cadence, outbox and meta housekeeping only: the engine
     * never deletes facts). ARCHASE_ENOTFOUND if there is none. */
    int (*del)(void *userdata, int family, const char *id);
    /* Hands every matching record to fn, in id order. */
    int (*scan)(void *userdata, const archase_scan_filter *filter, archase_record_fn fn,
                void *ctx);
    /* Optional: how many records a scan with `filter` would return. */
    int (*count)(void *userdata, const archase_scan_filter *filter, uint64_t *out);

    /* Appends an entry whose index must equal the current size (else
     * ARCHASE_ECONFLICT, nothing written). */
    int (*audit_append)(void *userdata, const archase_audit_entry *entry);
    /* Hands entries with from <= index < to to fn, in order. */
    int (*audit_read)(void *userdata, uint64_t from, uint64_t to, archase_audit_fn fn,
                      void *ctx);
    /* The number of entries. */
    int (*audit_size)(void *userdata, uint64_t *out);

    /* Atomically moves up to `limit` outbox records that are pending or
     * failed_retry with instant <= now to sending, in (instant, id) order, and
     * hands each (with its new status) to fn. If fn fails, no claim is kept. */
    int (*outbox_claim)(void *userdata, archase_instant now, uint32_t limit,
                        archase_record_fn fn, void *ctx);
    /* Moves a sending record to `status` (sent, failed_retry, dead or
     * cancelled), setting its instant to `at`. ARCHASE_ENOTFOUND, or
     * ARCHASE_ESTATE when it is not sending or the status is not one of those. */
    int (*outbox_ack)(void *userdata, const char *id, int status, archase_instant at);
    /* Moves a sending record to in_doubt, setting its instant to `at`. */
    int (*outbox_mark_in_doubt)(void *userdata, const char *id, archase_instant at);

    /* One transaction at a time: begin inside one is ARCHASE_ESTATE, so is
     * commit or rollback outside one. Outside a transaction every write is
     * atomic and durable on its own. A failed commit leaves the transaction
     * open, to be rolled back. */
    int (*begin)(void *userdata);
    int (*commit)(void *userdata);
    int (*rollback)(void *userdata);

    /* The version of the backend's stored layout. */
    int (*schema_version)(void *userdata, int64_t *out);
    /* A message describing the last failure (never NULL while userdata lives). */
    const char *(*errmsg)(void *userdata);
    /* Releases the backend; called once, by whoever owns it. May be NULL. */
    void (*close)(void *userdata);

    /* Version 2. Optional: acknowledges `count` sending outbox records at
     * once, as outbox_ack (or outbox_mark_in_doubt) followed by a put of the
     * item's new bytes would. Of each records[i] only id, status (sent,
     * failed_retry, dead, cancelled or in_doubt), instant and data/size are
     * read: the stored record takes that status, instant and data, and keeps
     * its other envelope fields. ARCHASE_ENOTFOUND, or ARCHASE_ESTATE when a
     * record is not sending or a status is not one of those; if any record
     * fails, none is changed. Engines fall back to outbox_ack and put when
     * the slot is NULL. */
    int (*outbox_settle)(void *userdata, const archase_record *records, uint32_t count);
} archase_storage;
#define ARCHASE_STORAGE_VERSION 2

#ifdef __cplusplus
}
#endif
#endif
