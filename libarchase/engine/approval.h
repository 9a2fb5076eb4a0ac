/* libarchase/engine/approval.h — approval requests inside the library, and
 * the hooks the daily cycle calls.
 *
 * For the daily cycle (archase_run_cycle), inside its storage transaction:
 *
 *   ar_approval_raise_decision  a REQUEST_APPROVAL decision becomes a
 *       request (or finds the one already raised for the same action on the
 *       same facts: running the cycle twice raises nothing twice);
 *   ar_approval_gate            before anything sensitive goes to the
 *       transport: 0 only when the action needs no approval or its request
 *       is approved, unexpired and still bound to the current facts;
 *       ARCHASE_EDENIED (not approved, or void because the facts changed: a
 *       new request is raised and named in the outcome) or ARCHASE_EEXPIRED.
 *       Refusals, voids and expiries are audit records of the transaction;
 *   ar_approval_mark_dispatched once the item is handed to the transport.
 *
 * Requests are records of the APPROVAL family (docs/approvals.md, "Stored
 * records"): a canonical RECORD of kind AR_APPROVAL_KIND ("AQ") whose field
 * 2 holds the action payload, a RECORD of kind AR_PAYLOAD_KIND ("AP"). */
#ifndef AR_ENGINE_APPROVAL_H
#define AR_ENGINE_APPROVAL_H

#include <stdint.h>

#include "archase/approval.h"
#include "archase/evaluate.h"
#include "core/buf.h"
#include "core/canon.h"
#include "engine/engine.h"

#define AR_APPROVAL_KIND 0x4151   /* "AQ": a request */
#define AR_PAYLOAD_KIND 0x4150    /* "AP": the action payload an approval is bound to */
#define AR_VOTE_KIND 0x4156       /* "AV": one approval or rejection inside a request */
#define AR_BINDING_KIND 0x4642    /* "FB": the state of one fact inside a payload */
#define AR_APPROVAL_EVENT_KIND 0x4145 /* "AE": the payload of decision, refusal,
                                         expiry, void and dispatch audit records */

/* The action of a request: what is done, to what. */
typedef struct ar_action {
    int            action;
    const char    *customer_id;
    const char   **invoice_ids; /* sorted, no repeats */
    uint32_t       invoice_count;
    archase_money  amount;      /* currency "" = none */
    const char    *rule;
    const char    *reason_code;
    const char    *detail;
    const char    *decision_id;
} ar_action;

/* A request, decoded. Every string is a NUL-terminated copy owned by it. */
typedef struct ar_approval {
    const archase_allocator *allocator;
    char                    *id;
    ar_action                act;
    uint8_t                 *payload;      /* the AP record */
    size_t                   payload_size;
    uint8_t                  payload_hash[32];
    char                    *requester;
    char                    *requester_role;
    char                    *justification;
    char                    *impact;
    archase_instant          created;
    archase_instant          expires;
    archase_instant          closed;
    uint32_t                 required;
    char                   **roles;
    uint32_t                 role_count;
    uint8_t                  policy_hash[32];
    int                      status;
    archase_approval_vote   *votes;        /* strings owned here */
    uint32_t                 vote_count;
    char                    *replaces;
    char                    *replaced_by;
    int                      fast_lane;
    char                    *approval_rule;
    char                    *decision_key; /* the engine's decision key, when it raised it */
    int64_t                  revision;     /* bumped at every change */
} ar_approval;

void ar_approval_init(ar_approval *a, const archase_allocator *alloc);
void ar_approval_free(ar_approval *a);
/* Writes the request record (c reset first). 0, ARCHASE_EINVAL or ARCHASE_ENOMEM. */
int ar_approval_encode(const ar_approval *a, ar_canon *c);
/* Reads a request record into `a` (emptied first). 0, ARCHASE_EPARSE or ARCHASE_ENOMEM. */
int ar_approval_decode(ar_approval *a, const void *data, size_t size);
/* Loads request `id` from the store. 0, ARCHASE_ENOTFOUND (message set),
 * ARCHASE_ESTORAGE (cannot be decoded) or another storage error. */
int ar_approval_load(archase_engine *e, const char *id, ar_approval *a);
/* Stores `a` (revision bumped). */
int ar_approval_store(archase_engine *e, ar_approval *a, ar_canon *scratch);

/* Writes the payload of `act` bound to the current state of its customer and
 * invoices, as read from the store, into `c` (reset first): the bytes an
 * approval is bound to (docs/approvals.md, "The payload"). ARCHASE_ENOTFOUND
 * when the customer or an invoice is gone (message set). */
int ar_approval_payload(archase_engine *e, const ar_action *act, ar_canon *c);

/* Appends an audit record of `kind` about request `id`: an "AE" record with
 * the event's fields (docs/approvals.md, "Audit records"). `actor` NULL = the
 * engine's; strings may be NULL. */
typedef struct ar_approval_event {
    uint32_t    kind;       /* archase_audit_kind */
    const char *request_id;
    const char *actor;
    const char *role;
    const char *what;       /* "approve", "reject", "dispatch", "expire", "void" */
    const char *reason;     /* the person's reason, or why it was refused */
    int         code;       /* a refusal's error code, 0 otherwise */
    int         status;     /* the request's status afterwards, 0 when unknown */
    const uint8_t *payload_hash;
    const char *other_id;   /* voids: the new request */
} ar_approval_event;
int ar_approval_audit(archase_engine *e, const ar_approval_event *ev);

/* ---- raising ------------------------------------------------------------------ */

/* What the policy decides for a request. */
typedef struct ar_approval_terms {
    uint32_t           required;
    const char *const *roles;
    uint32_t           role_count;
    archase_instant    expires;
    int                fast_lane;
    char               rule[64];  /* "approvals.rules[write_off]", "approvals.fast_lane" */
} ar_approval_terms;

/* The terms of `action` on `amount` under `p` at `now`. `fast_lane_ok`: the
 * fast lane's condition holds for the request (the engine evaluated it; a
 * person's request without an evaluation: only when the lane has none).
 * ARCHASE_EINVAL when the policy does not gate the action. */
int ar_approval_terms_of(const archase_policy *p, int action, const archase_money *amount,
                         int fast_lane_ok, archase_instant now, ar_approval_terms *out);

/* Raises (or finds) a request inside the open transaction. `key` (may be
 * NULL) is the engine's decision key; a new request lapses `extra_seconds`
 * after the policy's expiry. */
int ar_approval_raise_txn(archase_engine *e, const archase_policy *p, const ar_action *act,
                          const char *requester, const char *requester_role,
                          const char *justification, const char *impact, int fast_lane_ok,
                          const char *key, int64_t extra_seconds, char id[ARCHASE_APPROVAL_ID_MAX],
                          int *created);

/* archase_approval_raise's work inside the open transaction (the caller
 * writes what goes with the request in the same one). A new request lapses
 * `extra_seconds` later than the policy says (a credit hold: its notice
 * days, which run before it may be carried out). */
int ar_approval_raise_request_txn(archase_engine *e, const archase_policy *p, const archase_approval_request *r,
                                  int64_t extra_seconds, char id[ARCHASE_APPROVAL_ID_MAX], int *created);

/* A replacement for a void request `old`: the same action, terms and people,
 * bound to the facts of now (`payload` of `size` bytes, its `hash`), with
 * its audit record; `id` receives its id. Inside the open transaction. */
int ar_approval_replace(archase_engine *e, const ar_approval *old, const uint8_t *payload,
                        size_t size, const uint8_t hash[32], ar_canon *scratch,
                        char id[ARCHASE_APPROVAL_ID_MAX]);

/* The daily cycle's entry: decision i of `ds` (kind REQUEST_APPROVAL)
 * becomes a request of the engine's actor, with the decision's reasons as
 * justification, inside the open transaction. */
int ar_approval_raise_decision(archase_engine *e, const archase_policy *p,
                               const archase_decisions *ds, size_t i,
                               char id[ARCHASE_APPROVAL_ID_MAX], int *created);

/* ---- dispatch ------------------------------------------------------------------ */

typedef struct ar_gate_outcome {
    int  status;                          /* the request's status afterwards */
    char new_id[ARCHASE_APPROVAL_ID_MAX]; /* set when it was voided and replaced */
} ar_gate_outcome;

/* 1 when `action` needs an approval under `p` for `amount` (always for the
 * built-in sensitive actions, whatever the policy says). */
int ar_approval_needed(const archase_policy *p, int action, const archase_money *amount);

/* Inside the caller's transaction: may request `id` be carried out now?
 * `current_payload` (may be NULL: rebuilt from the store) is the action's
 * payload as of now. 0 (approved, unexpired, bound to these facts);
 * ARCHASE_EDENIED (not approved; or the payload changed: the request is
 * voided and a replacement raised, out->new_id); ARCHASE_EEXPIRED (marked
 * expired); ARCHASE_ESTATE (already dispatched); ARCHASE_ENOTFOUND. Every
 * refusal, void and expiry is an audit record of the transaction, whose
 * caller commits it (even when returning the refusal). */
int ar_approval_check_dispatch(archase_engine *e, const char *id, const void *current_payload,
                               size_t payload_size, const char *actor, ar_gate_outcome *out);

/* The single gate before a sensitive action goes out: 0 when `action` needs
 * no approval under `p`; otherwise ar_approval_check_dispatch of
 * `request_id` (NULL: ARCHASE_EDENIED, recorded as a refused dispatch). */
int ar_approval_gate(archase_engine *e, const archase_policy *p, int action,
                     const archase_money *amount, const char *request_id,
                     const void *current_payload, size_t payload_size, ar_gate_outcome *out);

/* After the transport took it: the request is dispatched (once), with its
 * audit record (kind approval_dispatched; override for overrides). */
int ar_approval_mark_dispatched(archase_engine *e, const char *id, const char *actor);

/* ---- small helpers shared by the approval files --------------------------------- */

/* Characters (UTF-8 code points) of `s` without leading and trailing blanks. */
size_t ar_approval_text_length(const char *s);

#endif
