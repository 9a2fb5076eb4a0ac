/* include/archase/ledger.h — the ledger's facts: customers, contacts, flags,
 * invoices, payments and credits, promises to pay, disputes and notes.
 *
 * Facts enter with the source system's id and, optionally, a source revision.
 * The rules (docs/storage.md, "Facts"):
 *   - same id, same content: nothing happens (ARCHASE_OUTCOME_DUPLICATE);
 *   - same id, different content, newer revision: replaces (UPDATED);
 *   - same id, different content, older revision: ignored (STALE);
 *   - same id, different content, same revision: ARCHASE_ECONFLICT.
 * Every fact is validated before anything is written, and every accepted fact
 * is appended to the audit log in the same transaction.
 *
 * Every struct starts with `version`; initialise it with its _INIT macro.
 * Strings are NUL-terminated UTF-8, NULL meaning "none"; absent dates are
 * ARCHASE_DATE_NONE; an absent amount has an empty currency. Structs handed
 * to callbacks are valid during the call only.
 */
#ifndef ARCHASE_LEDGER_H
#define ARCHASE_LEDGER_H

#include "archase/common.h"
#include "archase/money.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct archase_engine archase_engine;

/* Contact channels. */
typedef enum archase_channel {
    ARCHASE_CHANNEL_NONE = 0,
    ARCHASE_CHANNEL_EMAIL = 1,
    ARCHASE_CHANNEL_SMS = 2,
    ARCHASE_CHANNEL_LETTER = 3,
    ARCHASE_CHANNEL_PORTAL = 4,
    ARCHASE_CHANNEL_CALL = 5,
    ARCHASE_CHANNEL_INTERNAL = 6 /* a task for people inside the company (policy steps only; never a contact's) */
} archase_channel;

/* What putting a fact did. */
typedef enum archase_outcome {
    ARCHASE_OUTCOME_INSERTED = 1,
    ARCHASE_OUTCOME_UPDATED = 2,   /* a newer revision replaced the stored fact */
    ARCHASE_OUTCOME_DUPLICATE = 3, /* the same fact was already stored */
    ARCHASE_OUTCOME_STALE = 4      /* an older revision: ignored */
} archase_outcome;

/* ---- customers --------------------------------------------------------- */

typedef struct archase_customer {
    unsigned           version;      /* ARCHASE_CUSTOMER_VERSION */
    const char        *id;           /* required */
    int64_t            revision;     /* source revision, >= 0 */
    const char        *name;         /* required */
    const char        *tier;         /* "gold", ... (policy segments use it) */
    const char        *owner;        /* account manager */
    const char        *collector;
    const char        *timezone;     /* IANA name, e.g. "Europe/Berlin" */
    const char        *locale;       /* BCP 47, e.g. "de-DE" */
    const char        *country;      /* ISO 3166-1 alpha-2 */
    archase_money      credit_limit; /* currency "" = no limit recorded */
    const char *const *tags;
    size_t             tag_count;
    const char        *source_link;  /* a link to the record in the source system */
} archase_customer;
#define ARCHASE_CUSTOMER_VERSION 1
#define ARCHASE_CUSTOMER_INIT \
    { ARCHASE_CUSTOMER_VERSION, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, { 0, "" }, NULL, 0, NULL }

/* A way to reach a customer. */
typedef struct archase_contact {
    unsigned    version;     /* ARCHASE_CONTACT_VERSION */
    const char *id;          /* required */
    const char *customer_id; /* required; the customer must exist */
    int64_t     revision;
    const char *name;
    const char *role;        /* "accounts payable", ... */
    int         channel;     /* archase_channel, required */
    const char *address;     /* e-mail address, phone number, postal address; required */
    int         consent;     /* 1 = the contact agreed to be reached on this channel */
    int         primary;     /* 1 = the first choice for its channel */
} archase_contact;
#define ARCHASE_CONTACT_VERSION 1
#define ARCHASE_CONTACT_INIT { ARCHASE_CONTACT_VERSION, NULL, NULL, 0, NULL, NULL, 0, NULL, 0, 0 }

/* Relationship flags of a customer: a fact of its own, so a CRM feed can
 * update them without touching the accounting record. */
typedef struct archase_customer_flags {
    unsigned     version;       /* ARCHASE_CUSTOMER_FLAGS_VERSION */
    const char  *customer_id;   /* required; the customer must exist */
    int64_t      revision;
    int          hold;          /* collections on hold */
    archase_date paused_until;  /* collections paused up to and including; NONE = not paused */
    int          expansion;     /* in expansion talks */
    int          strategic;     /* strategic account */
    int          service_issue; /* an open service problem */
    const char  *reason;        /* why (free text) */
    const char  *set_by;        /* who set them */
} archase_customer_flags;
#define ARCHASE_CUSTOMER_FLAGS_VERSION 1
#define ARCHASE_CUSTOMER_FLAGS_INIT \
    { ARCHASE_CUSTOMER_FLAGS_VERSION, NULL, 0, 0, ARCHASE_DATE_NONE, 0, 0, 0, NULL, NULL }

/* ---- invoices ---------------------------------------------------------- */

/* An invoice's state. The source says open or void; settled is derived by the
 * engine when the open amount reaches zero. */
typedef enum archase_invoice_status {
    ARCHASE_INVOICE_OPEN = 1,
    ARCHASE_INVOICE_SETTLED = 2,
    ARCHASE_INVOICE_VOID = 3
} archase_invoice_status;

typedef struct archase_invoice {
    unsigned      version;       /* ARCHASE_INVOICE_VERSION */
    const char   *id;            /* required */
    const char   *customer_id;   /* required; the customer must exist */
    const char   *number;        /* the number printed on the invoice */
    archase_date  issue_date;    /* required */
    archase_date  due_date;      /* required, >= issue_date */
    archase_money amount;        /* required, > 0 */
    const char   *terms;         /* "net 30", ... */
    const char   *po_ref;        /* the customer's purchase order */
    const char   *source_link;   /* a link to the source document */
    int64_t       revision;
    int           source_status; /* ARCHASE_INVOICE_OPEN or ARCHASE_INVOICE_VOID */
} archase_invoice;
#define ARCHASE_INVOICE_VERSION 1
#define ARCHASE_INVOICE_INIT                                                                      \
    { ARCHASE_INVOICE_VERSION, NULL, NULL, NULL, ARCHASE_DATE_NONE, ARCHASE_DATE_NONE, { 0, "" }, \
      NULL, NULL, NULL, 0, ARCHASE_INVOICE_OPEN }

/* What the engine derives for an invoice from the payments applied to it. */
typedef struct archase_invoice_state {
    unsigned      version;     /* ARCHASE_INVOICE_STATE_VERSION */
    int           status;      /* archase_invoice_status */
    archase_money open_amount; /* amount - what was applied; 0 when void */
    archase_date  last_payment_date; /* latest payment applied, or NONE */
    archase_date  settled_date;      /* when status is settled, else NONE */
} archase_invoice_state;
#define ARCHASE_INVOICE_STATE_VERSION 1

/* ---- payments, credits, adjustments, write-offs ------------------------ */

typedef enum archase_payment_kind {
    ARCHASE_PAYMENT = 1,
    ARCHASE_CREDIT_NOTE = 2,
    ARCHASE_ADJUSTMENT = 3, /* may be negative: raises the open amount */
    ARCHASE_WRITE_OFF = 4
} archase_payment_kind;

typedef struct archase_payment {
    unsigned      version;     /* ARCHASE_PAYMENT_VERSION */
    const char   *id;          /* required */
    const char   *customer_id; /* required; the customer must exist */
    const char   *invoice_id;  /* NULL = unapplied cash (goes to reconciliation) */
    int           kind;        /* archase_payment_kind; required */
    archase_date  date;        /* required */
    archase_money amount;      /* required; > 0 (adjustments: != 0); invoice's currency */
    const char   *reference;   /* bank reference, credit note number, ... */
    const char   *source_link;
    int           overpayment; /* 1 = may exceed the open amount; the excess goes to reconciliation */
    int64_t       revision;
} archase_payment;
#define ARCHASE_PAYMENT_VERSION 1
#define ARCHASE_PAYMENT_INIT \
    { ARCHASE_PAYMENT_VERSION, NULL, NULL, NULL, ARCHASE_PAYMENT, ARCHASE_DATE_NONE, { 0, "" }, NULL, NULL, 0, 0 }

/* ---- promises to pay --------------------------------------------------- */

/* One dated part of an instalment plan. An element of an array, so it has
 * no version field: a different layout would be a new type. */
typedef struct archase_instalment {
    archase_date  date;
    archase_money amount;
} archase_instalment;

/* grace_days value meaning "the policy's default". */
#define ARCHASE_GRACE_POLICY_DEFAULT (-1)

typedef struct archase_promise {
    unsigned                  version;          /* ARCHASE_PROMISE_VERSION */
    const char               *id;               /* required */
    const char               *customer_id;      /* required */
    const char *const        *invoice_ids;      /* required: at least one, of this customer */
    size_t                    invoice_count;
    archase_money             amount;           /* required, > 0 */
    archase_date              promised_date;    /* required */
    const archase_instalment *instalments;      /* optional plan: dates ascending, sum = amount */
    size_t                    instalment_count;
    const char               *taken_by;
    int                       channel;          /* archase_channel it was made on */
    const char               *note;
    int32_t                   grace_days;       /* >= 0, or ARCHASE_GRACE_POLICY_DEFAULT */
    archase_date              recorded_on;
    int64_t                   revision;
} archase_promise;
#define ARCHASE_PROMISE_VERSION 1
#define ARCHASE_PROMISE_INIT                                                                   \
    { ARCHASE_PROMISE_VERSION, NULL, NULL, NULL, 0, { 0, "" }, ARCHASE_DATE_NONE, NULL, 0, NULL, \
      0, NULL, ARCHASE_GRACE_POLICY_DEFAULT, ARCHASE_DATE_NONE, 0 }

/* ---- disputes ---------------------------------------------------------- */

typedef enum archase_dispute_status {
    ARCHASE_DISPUTE_OPEN = 1,
    ARCHASE_DISPUTE_IN_REVIEW = 2,
    ARCHASE_DISPUTE_RESOLVED = 3
} archase_dispute_status;

typedef enum archase_dispute_resolution {
    ARCHASE_RESOLUTION_NONE = 0,
    ARCHASE_RESOLUTION_CREDIT_ISSUED = 1,
    ARCHASE_RESOLUTION_REJECTED = 2,
    ARCHASE_RESOLUTION_PARTIAL = 3
} archase_dispute_resolution;

typedef struct archase_dispute {
    unsigned           version;       /* ARCHASE_DISPUTE_VERSION */
    const char        *id;            /* required */
    const char        *customer_id;   /* required */
    const char *const *invoice_ids;   /* required: at least one, of this customer */
    size_t             invoice_count;
    archase_money      amount;        /* disputed; required, > 0, <= the invoices' amount */
    const char        *reason_code;   /* required: lower-case letters, digits, '_' */
    const char        *evidence;
    const char        *opened_by;
    archase_date       opened_on;     /* required */
    const char        *owner;
    int                status;        /* archase_dispute_status */
    int                resolution;    /* required when resolved, else NONE */
    const char        *root_cause;    /* required when resolved */
    archase_date       resolved_on;   /* required when resolved, >= opened_on */
    archase_money      credited;      /* credit_issued / partial: > 0; else absent */
    int64_t            revision;
} archase_dispute;
#define ARCHASE_DISPUTE_VERSION 1
#define ARCHASE_DISPUTE_INIT                                                                      \
    { ARCHASE_DISPUTE_VERSION, NULL, NULL, NULL, 0, { 0, "" }, NULL, NULL, NULL, ARCHASE_DATE_NONE, \
      NULL, ARCHASE_DISPUTE_OPEN, ARCHASE_RESOLUTION_NONE, NULL, ARCHASE_DATE_NONE, { 0, "" }, 0 }

/* ---- notes ------------------------------------------------------------- */

typedef struct archase_note {
    unsigned        version;     /* ARCHASE_NOTE_VERSION */
    const char     *id;          /* required */
    const char     *customer_id; /* required */
    const char     *invoice_id;  /* optional; an invoice of this customer */
    const char     *author;
    archase_instant at;          /* when it was written */
    const char     *text;        /* required */
    int64_t         revision;
} archase_note;
#define ARCHASE_NOTE_VERSION 1
#define ARCHASE_NOTE_INIT { ARCHASE_NOTE_VERSION, NULL, NULL, NULL, NULL, 0, NULL, 0 }

/* ---- putting one fact -------------------------------------------------- */

/* Each validates and stores one fact in its own transaction, with its audit
 * record, and writes what happened to *outcome (may be NULL). Returns 0,
 * ARCHASE_EINVAL (a field is missing or wrong), ARCHASE_ECURRENCY,
 * ARCHASE_ENOTFOUND (the customer or invoice it refers to does not exist),
 * ARCHASE_ECONFLICT (same id and revision, different content), ARCHASE_ESTATE
 * (a batch is open on the engine), ARCHASE_ESTORAGE, ARCHASE_ENOMEM.
 * archase_engine_errmsg says what is wrong. On failure nothing is written. */
ARCHASE_API int archase_customer_put(archase_engine *eng, const archase_customer *customer,
                                     archase_outcome *outcome);
ARCHASE_API int archase_contact_put(archase_engine *eng, const archase_contact *contact,
                                    archase_outcome *outcome);
ARCHASE_API int archase_customer_flags_put(archase_engine *eng, const archase_customer_flags *flags,
                                           archase_outcome *outcome);
/* A revision of an invoice that payments were applied to keeps its currency
 * and customer; its open amount is recomputed. */
ARCHASE_API int archase_invoice_put(archase_engine *eng, const archase_invoice *invoice,
                                    archase_outcome *outcome);
/* Applies the payment to its invoice (open amount, settled state) in the same
 * transaction. More than the open amount is refused unless `overpayment`
 * is set; the excess, and unapplied cash, become reconciliation records. */
ARCHASE_API int archase_payment_put(archase_engine *eng, const archase_payment *payment,
                                    archase_outcome *outcome);
ARCHASE_API int archase_promise_put(archase_engine *eng, const archase_promise *promise,
                                    archase_outcome *outcome);
ARCHASE_API int archase_dispute_put(archase_engine *eng, const archase_dispute *dispute,
                                    archase_outcome *outcome);
ARCHASE_API int archase_note_put(archase_engine *eng, const archase_note *note,
                                 archase_outcome *outcome);

/* ---- reading facts back ------------------------------------------------ */

/* One stored fact. `family` (archase_family in archase/sys/storage.h) says
 * which one pointer is set; invoices also carry their derived state and
 * payments the part applied to the invoice. */
typedef struct archase_fact {
    unsigned                      version; /* ARCHASE_FACT_VERSION */
    int                           family;
    const archase_customer       *customer;
    const archase_contact        *contact;
    const archase_customer_flags *flags;
    const archase_invoice        *invoice;
    const archase_invoice_state  *invoice_state;
    const archase_payment        *payment;
    archase_money                 applied;  /* payments: the part applied to the invoice */
    const archase_promise        *promise;
    const archase_dispute        *dispute;
    const archase_note           *note;
} archase_fact;
#define ARCHASE_FACT_VERSION 1

/* Receives facts; the fact is valid during the call only. Return 0 to go on,
 * ARCHASE_SCAN_STOP to stop early, a negative code to abort with it. */
typedef int (*archase_fact_fn)(void *userdata, const archase_fact *fact);
#define ARCHASE_SCAN_STOP 1

/* The fact of `family` with `id` (flags: the customer id), handed to fn.
 * Returns 0, ARCHASE_ENOTFOUND, ARCHASE_EINVAL (not a fact family),
 * ARCHASE_ESTORAGE, ARCHASE_ENOMEM, or fn's negative result. */
ARCHASE_API int archase_fact_get(archase_engine *eng, int family, const char *id,
                                 archase_fact_fn fn, void *userdata);

typedef struct archase_fact_filter {
    unsigned     version;     /* ARCHASE_FACT_FILTER_VERSION */
    int          family;      /* required: a fact family */
    const char  *customer_id; /* NULL = any */
    const char  *invoice_id;  /* NULL = any; promises and disputes match any invoice they cover */
    int32_t      status;      /* 0 = any; see archase/sys/storage.h for each family's values */
    archase_date date_from;   /* on the family's key date (due date, payment date, ...) */
    archase_date date_to;
} archase_fact_filter;
#define ARCHASE_FACT_FILTER_VERSION 1
#define ARCHASE_FACT_FILTER_INIT \
    { ARCHASE_FACT_FILTER_VERSION, 0, NULL, NULL, 0, ARCHASE_DATE_NONE, ARCHASE_DATE_NONE }

/* Hands every matching fact to fn in id order. Returns as archase_fact_get. */
ARCHASE_API int archase_facts_scan(archase_engine *eng, const archase_fact_filter *filter,
                                   archase_fact_fn fn, void *userdata);

/* Names: "email", "payment", "credit_note", "open", "in_review", ... for the
 * enums above (static strings; NULL for unknown values), and back (0 or
 * ARCHASE_EINVAL). */
ARCHASE_API const char *archase_channel_name(int channel);
ARCHASE_API int archase_channel_from_name(const char *name, int *out);
ARCHASE_API const char *archase_payment_kind_name(int kind);
ARCHASE_API int archase_payment_kind_from_name(const char *name, int *out);
ARCHASE_API const char *archase_invoice_status_name(int status);
ARCHASE_API const char *archase_dispute_status_name(int status);
ARCHASE_API const char *archase_dispute_resolution_name(int resolution);
ARCHASE_API const char *archase_outcome_name(int outcome);

#ifdef __cplusplus
}
#endif
#endif
