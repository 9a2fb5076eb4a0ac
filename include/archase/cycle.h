/* include/archase/cycle.h — the daily cycle: deciding, persisting and
 * delivering, exactly once in effect.
 *
 *   archase_run_cycle(eng, policy, as_of, ...)
 *       loads the snapshot of `as_of`, evaluates the policy and, in ONE
 *       storage transaction, moves promises and disputes forward, stores the
 *       cadence state and touches, writes an outbox item for every message
 *       and every internal route (calls, owner alerts, escalations, weekly
 *       digests, approved sensitive actions), raises approval requests for
 *       sensitive decisions and appends the audit records of all of it; then
 *       commits and dispatches the outbox through the engine's transport.
 *   archase_dispatch(eng, ...)
 *       hands the items that are due to the transport: retries with backoff,
 *       a dead letter with an internal alert after the last attempt, and the
 *       reconciliation of items whose fate is unknown (in doubt).
 *
 * Running the cycle twice for one day writes and sends nothing new; running
 * it for a later day continues where the last run stopped. Every outbox item
 * has an idempotency key derived from its decision (target, step, day) and a
 * generation ("#1"), the same on every delivery attempt. docs/cycle.md tells
 * the whole story; the transport interface is archase/sys/transport.h. */
#ifndef ARCHASE_CYCLE_H
#define ARCHASE_CYCLE_H

#include "archase/common.h"
#include "archase/engine.h"
#include "archase/evaluate.h"
#include "archase/policy.h"
#include "archase/sys/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the transport ---------------------------------------------------------- */

/* Gives the engine the transport the cycle and archase_dispatch deliver
 * through. The table is copied; from a successful call on, the engine owns
 * the transport and calls its `close` slot when it is replaced, removed or
 * the engine is freed. NULL removes (and closes) the current one. Returns 0,
 * ARCHASE_EINVAL (NULL engine, no `send` slot) or ARCHASE_EVERSION; on
 * failure the caller still owns `t`. */
ARCHASE_API int archase_engine_set_transport(archase_engine *eng, const archase_transport *t);

/* The shipped file transport, for the CLI, examples and tests. */
typedef enum archase_file_transport_format {
    ARCHASE_FILE_TRANSPORT_JSONL = 1, /* one JSON object per line appended to a file */
    ARCHASE_FILE_TRANSPORT_EML = 2    /* one RFC 5322 .eml file per message in a directory */
} archase_file_transport_format;

/* Opens a file transport writing to `path` (the file, created when missing,
 * or the directory, which must exist). Its `lookup` answers from what it
 * wrote: a key found in the file (or an .eml file named after the key) is
 * SENT, any other NOT_SENT. A message is written and flushed (fsync) before
 * `send` reports SENT. `allocator` may be NULL. *out receives a table to
 * hand to archase_engine_set_transport (or to close with its `close` slot).
 * Returns 0, ARCHASE_EINVAL, ARCHASE_ENOTFOUND (no such directory),
 * ARCHASE_EIO (the file cannot be opened) or ARCHASE_ENOMEM. */
ARCHASE_API int archase_file_transport_open(int format, const char *path,
                                            const archase_allocator *allocator,
                                            archase_transport *out);

/* ---- outbox items -------------------------------------------------------------- */

/* What a person decided about an item in doubt or dead. */
typedef enum archase_outbox_resolution {
    ARCHASE_RESOLVE_SENT = 1,   /* it was delivered: mark it sent */
    ARCHASE_RESOLVE_RESEND = 2, /* it was not delivered: deliver it again, same key */
    ARCHASE_RESOLVE_CANCEL = 3  /* never deliver it */
} archase_outbox_resolution;

/* An outbox item as stored. Strings and arrays live during the callback. */
typedef struct archase_outbox_item {
    unsigned           version;          /* ARCHASE_OUTBOX_ITEM_VERSION */
    const char        *id;               /* = the idempotency key */
    const char        *idempotency_key;
    const char        *decision_key;     /* the decision it carries out; NULL for alerts
                                            and digests the cycle made itself */
    int                status;           /* archase_outbox_status (sys/storage.h) */
    int                kind;             /* archase_decision_kind */
    int                action;           /* archase_action */
    int                channel;          /* archase_channel; ARCHASE_CHANNEL_INTERNAL for routes */
    const char        *customer_id;      /* NULL for digests */
    size_t             invoice_count;
    const char *const *invoice_ids;
    const char        *contact_id;       /* NULL for internal routes */
    const char        *address;
    const char        *recipient_name;
    const char        *template_name;    /* NULL when none */
    int                tone;
    const char        *subject;
    const char        *body;
    const char        *owner;            /* who is responsible; alerts go there */
    const char        *rule;             /* the policy rule that fired */
    const char        *segment;
    int32_t            score;            /* the decision's risk score (confidence), -1 = none */
    size_t             reason_count;
    const int         *reasons;          /* archase_reason */
    archase_money      amount;
    archase_date       as_of;            /* the cycle that wrote it */
    archase_instant    created_at;
    archase_instant    scheduled_at;     /* the first instant it may go out */
    archase_instant    next_attempt_at;  /* pending/failed_retry: when it is due */
    const char        *timezone;
    archase_date       local_date;
    int32_t            local_seconds;
    uint32_t           attempts;         /* delivery attempts so far */
    uint32_t           max_attempts;     /* from the policy (delivery.max_attempts) */
    const char        *last_detail;      /* the transport's detail of the last attempt */
    archase_instant    last_attempt_at;  /* 0 = never */
    const char        *approval_id;      /* sensitive actions: the approved request */
    const char        *dead_item;        /* dead-letter alerts: the item that died */
    /* review (copilot mode) */
    int                draft;            /* 1 when it was written as a draft */
    const char        *reviewer;         /* NULL until reviewed */
    archase_instant    reviewed_at;      /* 0 until reviewed */
    int64_t            review_seconds;   /* reviewed_at - created_at */
    int                edited;           /* 1 when the reviewer changed the text */
    const char        *resolved_by;      /* NULL unless a person resolved it */
} archase_outbox_item;
#define ARCHASE_OUTBOX_ITEM_VERSION 1

/* Receives items. Return 0 to go on, 1 to stop, a negative code to abort. */
typedef int (*archase_outbox_fn)(void *userdata, const archase_outbox_item *item);

/* Hands every outbox item with `status` (0 = any) to fn, in id order.
 * Returns 0, ARCHASE_EINVAL, fn's code, a storage error (also for a stored
 * item that cannot be decoded) or ARCHASE_ENOMEM. */
ARCHASE_API int archase_outbox_scan(archase_engine *eng, int status, archase_outbox_fn fn,
                                    void *userdata);
/* Hands item `id` to fn. Same results, and ARCHASE_ENOTFOUND. */
ARCHASE_API int archase_outbox_get(archase_engine *eng, const char *id, archase_outbox_fn fn,
                                   void *userdata);

/* A person settles an item that is in doubt (or dead): `actor` (NULL = the
 * engine's) and `reason` (required) go into the audit record. RESEND puts it
 * back in the queue under the same key, due now; SENT and CANCEL close it.
 * A sensitive action is never re-queued without its approval still holding
 * (ARCHASE_EDENIED). Returns 0, ARCHASE_EINVAL, ARCHASE_ENOTFOUND,
 * ARCHASE_ESTATE (not in doubt or dead), ARCHASE_EDENIED, a storage error or
 * ARCHASE_ENOMEM; nothing changes on failure. */
ARCHASE_API int archase_outbox_resolve(archase_engine *eng, const char *id, int resolution,
                                       const char *actor, const char *reason);

/* ---- the cycle ------------------------------------------------------------------ */

/* What one dispatch did. */
typedef struct archase_dispatch_report {
    unsigned version;          /* ARCHASE_DISPATCH_REPORT_VERSION */
    uint64_t recovered;        /* left "sending" by a crash: now in doubt */
    uint64_t reconciled_sent;  /* in doubt, the transport had it: sent */
    uint64_t reconciled_retry; /* in doubt, the transport never got it: queued again */
    uint64_t in_doubt;         /* in doubt after this dispatch (a person decides) */
    uint64_t claimed;          /* items handed to the transport */
    uint64_t sent;
    uint64_t retried;          /* failed, another attempt later */
    uint64_t dead;             /* failed for good */
    uint64_t alerts;           /* internal alerts written for dead items */
    uint64_t refused;          /* sensitive actions the approval gate refused */
    uint64_t cancelled;        /* customer messages stopped since the cycle queued them:
                                  their invoices closed, or the customer is on hold */
} archase_dispatch_report;
#define ARCHASE_DISPATCH_REPORT_VERSION 1
#define ARCHASE_DISPATCH_REPORT_INIT { ARCHASE_DISPATCH_REPORT_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }

typedef struct archase_dispatch_options {
    unsigned              version; /* ARCHASE_DISPATCH_OPTIONS_VERSION */
    archase_instant       now;     /* 0 = the engine's clock */
    uint32_t              limit;   /* items to hand over at most; 0 = every due one */
    uint32_t              batch;   /* items claimed (and acknowledged) together; 0 = 512 */
    const archase_policy *policy;  /* may be NULL: the sensitive actions the policy adds
                                      are then known from the items themselves */
} archase_dispatch_options;
#define ARCHASE_DISPATCH_OPTIONS_VERSION 1
#define ARCHASE_DISPATCH_OPTIONS_INIT { ARCHASE_DISPATCH_OPTIONS_VERSION, 0, 0, 0, NULL }
ARCHASE_API int archase_dispatch_options_init(archase_dispatch_options *opts, unsigned version);

/* Delivers what is due at `now` through the engine's transport: items a
 * crash left "sending" become in doubt; in-doubt items are asked about
 * (lookup) and settled or left for a person; then pending and failed items
 * whose instant has come go out in (instant, id) order. A sensitive action
 * goes out only when its approval is approved, unexpired and still bound to
 * the facts (else it is refused, with an audit record, and never sent).
 * A customer message whose invoices all closed, or whose customer was put
 * on hold or paused, since the cycle queued it is cancelled instead.
 * Every transition is an audit record. `opts` and `report` may be NULL.
 * Returns 0 (also when the transport failed items: see the report),
 * ARCHASE_EINVAL, ARCHASE_EVERSION, ARCHASE_ESTATE (no transport, a batch or
 * transaction open), a storage error or ARCHASE_ENOMEM. */
ARCHASE_API int archase_dispatch(archase_engine *eng, const archase_dispatch_options *opts,
                                 archase_dispatch_report *report);

typedef struct archase_cycle_options {
    unsigned    version;  /* ARCHASE_CYCLE_OPTIONS_VERSION */
    int         review;   /* 1: every customer message is a draft for a person to review
                             (copilot mode), whatever the policy says; 0: the policy's
                             delivery.review decides */
    int         dispatch; /* 1 (default): dispatch after the commit when a transport is
                             set; 0: persist only */
    const char *tzdir;    /* where IANA zones are read; NULL = /usr/share/zoneinfo */
} archase_cycle_options;
#define ARCHASE_CYCLE_OPTIONS_VERSION 1
#define ARCHASE_CYCLE_OPTIONS_INIT { ARCHASE_CYCLE_OPTIONS_VERSION, 0, 1, NULL }
ARCHASE_API int archase_cycle_options_init(archase_cycle_options *opts, unsigned version);

/* What one cycle did. */
typedef struct archase_cycle_report {
    unsigned                version;     /* ARCHASE_CYCLE_REPORT_VERSION */
    archase_date            as_of;
    uint8_t                 decisions_hash[32];
    uint64_t                decisions;
    uint64_t                by_kind[ARCHASE_DECISION_KIND_LIMIT];
    uint64_t                cadence_updates;
    uint64_t                outbox_written;   /* new items (drafts included, and the
                                                 dispute SLA reminders and escalations
                                                 the day's move wrote) */
    uint64_t                outbox_existing;  /* already written by an earlier run */
    uint64_t                drafts;           /* new items waiting for review */
    uint64_t                internal_routes;  /* new items on the internal channel */
    uint64_t                digests;          /* new weekly digests */
    uint64_t                approvals_raised; /* new approval requests */
    uint64_t                approved_actions; /* new items carrying out approved requests */
    uint64_t                cancelled;        /* queued items stopped: their invoices closed,
                                                 or the notice of a hold withdrawn */
    uint64_t                audit_records;    /* appended by the transaction: items,
                                                 approvals, cancellations, and each
                                                 promise, dispute and recon transition */
    /* promises, disputes and the reconciliation queue moved forward */
    uint64_t                promises_kept;
    uint64_t                promises_partially_kept;
    uint64_t                promises_broken;
    uint64_t                disputes_sla_reminders;
    uint64_t                disputes_sla_breached;
    uint64_t                recon_opened;
    uint64_t                lifecycle_transitions;
    archase_dispatch_report dispatch;         /* zero when nothing was dispatched */
} archase_cycle_report;
#define ARCHASE_CYCLE_REPORT_VERSION 1

/* Runs the day `as_of` (see the top of this header). `opts` may be NULL;
 * `report` (may be NULL; set its version to ARCHASE_CYCLE_REPORT_VERSION)
 * is written on success. The transaction is all or nothing: on failure
 * nothing of it is stored. A failure of the dispatch after the commit is
 * returned too, with the persisted part kept (report->dispatch says how far
 * it went; the next dispatch continues). Returns 0, ARCHASE_EINVAL,
 * ARCHASE_EVERSION, ARCHASE_ESTATE (a batch or transaction open), the
 * snapshot's and evaluation's errors, a storage error or ARCHASE_ENOMEM. */
ARCHASE_API int archase_run_cycle(archase_engine *eng, const archase_policy *policy,
                                  archase_date as_of, const archase_cycle_options *opts,
                                  archase_cycle_report *report);

/* ---- review (copilot mode) ------------------------------------------------------ */

/* Who reviews, and a note for the record. */
typedef struct archase_review {
    unsigned    version;  /* ARCHASE_REVIEW_VERSION */
    const char *reviewer; /* the host's authenticated actor; required */
    const char *note;     /* why (required to reject; may be NULL otherwise) */
} archase_review;
#define ARCHASE_REVIEW_VERSION 1
#define ARCHASE_REVIEW_INIT { ARCHASE_REVIEW_VERSION, NULL, NULL }

/* Approves draft `id`: it joins the queue, due at its scheduled instant (or
 * now when that has passed). Records the reviewer and the time from draft to
 * review on the item and in an audit record. Returns 0, ARCHASE_EINVAL,
 * ARCHASE_ENOTFOUND, ARCHASE_ESTATE (not a draft), a storage error or
 * ARCHASE_ENOMEM; nothing changes on failure. */
ARCHASE_API int archase_review_approve(archase_engine *eng, const char *id,
                                       const archase_review *review);

/* Approves draft `id` with a new subject and/or body (NULL keeps the one
 * there). The texts are templates with the same rules as the policy's: they
 * may name only the template fields (docs/policy-reference.md, "Templates")
 * and no literal amount; they are rendered from the data the draft was made
 * with. ARCHASE_EPARSE (with the position in archase_engine_errmsg) for a
 * text that breaks them; otherwise as archase_review_approve. */
ARCHASE_API int archase_review_edit(archase_engine *eng, const char *id,
                                    const archase_review *review, const char *subject,
                                    const char *body);

/* Rejects draft `id` (it is cancelled and never sent); `review->note` is
 * required. Otherwise as archase_review_approve. */
ARCHASE_API int archase_review_reject(archase_engine *eng, const char *id,
                                      const archase_review *review);

#ifdef __cplusplus
}
#endif
#endif
