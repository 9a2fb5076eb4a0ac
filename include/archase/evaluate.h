/* include/archase/evaluate.h — deciding what happens next: snapshots, pure
 * evaluation, decisions and their explanation, the cadence state, and the
 * coverage report that proves no open overdue invoice is silently dropped.
 *
 * Two steps (docs/engine.md tells the whole story):
 *
 *   archase_snapshot_load(eng, as_of, ...)   reads the store: customers,
 *       contacts, flags, open invoices, the settled history payment patterns
 *       need, promises, disputes, notes, the cadence state and recent
 *       touches, and the time zones of the customers. All the I/O is here.
 *   archase_evaluate(snapshot, policy, as_of, ...)   decides, for every open
 *       invoice, and touches nothing else: no store, no clock, no randomness,
 *       no global state. The same snapshot, policy and date give the same
 *       decisions, byte for byte (archase_decisions_encode), on every backend
 *       and platform.
 *
 * Decisions refer to the snapshot and the policy they came from (their
 * strings point into them): free the decisions first.
 */
#ifndef ARCHASE_EVALUATE_H
#define ARCHASE_EVALUATE_H

#include "archase/common.h"
#include "archase/engine.h"
#include "archase/io.h"
#include "archase/money.h"
#include "archase/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- snapshots ----------------------------------------------------------- */

/* The ledger as of a date, immutable once loaded. Any number of threads may
 * evaluate one snapshot at once. */
typedef struct archase_snapshot archase_snapshot;

typedef struct archase_snapshot_options {
    unsigned              version; /* ARCHASE_SNAPSHOT_OPTIONS_VERSION */
    const archase_policy *policy;  /* the policy it will be evaluated with (may be NULL):
                                      its default time zone (guardrails.timezone) is
                                      loaded too */
    const char           *tzdir;   /* where IANA zones are read; NULL = /usr/share/zoneinfo */
} archase_snapshot_options;
#define ARCHASE_SNAPSHOT_OPTIONS_VERSION 1
#define ARCHASE_SNAPSHOT_OPTIONS_INIT { ARCHASE_SNAPSHOT_OPTIONS_VERSION, NULL, NULL }
/* Fills `opts` with the defaults. Returns 0, ARCHASE_EINVAL or ARCHASE_EVERSION. */
ARCHASE_API int archase_snapshot_options_init(archase_snapshot_options *opts, unsigned version);

/* Loads the ledger of `eng` as it stood at the end of `as_of`: invoices issued
 * by then, open amounts without the payments dated later, promises recorded
 * and disputes opened by then (a dispute resolved later is still open), and
 * the engine's cadence state and touches. A customer time zone that cannot be
 * loaded is recorded as unknown (its messages are scheduled in the default
 * zone and say so); every other failure fails the load. Uses the engine's
 * allocator, and reads but never writes the store. `opts` may be NULL.
 * Returns 0, ARCHASE_EINVAL (NULL argument, a date outside
 * 0001-01-01..9999-12-31, a batch is open), ARCHASE_EVERSION,
 * ARCHASE_ENOTFOUND (the policy's default time zone does not exist),
 * ARCHASE_ESTORAGE (also a stored record that cannot be decoded),
 * ARCHASE_ENOMEM; archase_engine_errmsg says why. *out is written only on
 * success. */
ARCHASE_API int archase_snapshot_load(archase_engine *eng, archase_date as_of,
                                      const archase_snapshot_options *opts,
                                      archase_snapshot **out);

/* One file (or buffer) of a preview: what archase_import_file or
 * archase_import_buffer would be given. */
typedef struct archase_preview_source {
    unsigned                      version; /* ARCHASE_PREVIEW_SOURCE_VERSION */
    const archase_import_options *import;  /* kind, format, mapping, source name; required */
    const char                   *path;    /* the file; NULL = `data` and `size` */
    const void                   *data;
    size_t                        size;
} archase_preview_source;
#define ARCHASE_PREVIEW_SOURCE_VERSION 1
#define ARCHASE_PREVIEW_SOURCE_INIT { ARCHASE_PREVIEW_SOURCE_VERSION, NULL, NULL, NULL, 0 }

/* A what-if on exported files: the snapshot that importing `sources`, in
 * order, into an empty ledger and then archase_snapshot_load(as_of) would
 * give, made without a store, an audit log or any write. For "what would
 * this policy decide on these open items?" before anything is imported: the
 * decisions of archase_evaluate on it are byte for byte those of the import
 * and load (docs/engine.md, "Previews").
 *
 * A preview takes the facts that need nothing stored: customers (with the
 * contacts and flags their rows give), contacts, flags and invoices, native
 * CSV or JSON Lines or CSV through a mapping, each file checked as its import
 * would check it (file:line:column in `diags`). It refuses, at the row, what
 * an import would apply to stored state: payments (also the ones an invoice
 * row's settled date or a mapping's amount due implies, unless the amount due
 * is the whole amount), promises, disputes and notes. An id given again
 * follows a store's rules (the same content is a duplicate, a later revision
 * replaces it, an earlier one is stale, other content at the same revision is
 * refused). The rows of one source are one batch, as in an import; the first
 * source with a rejected row fails the preview.
 *
 * `eng` lends its allocator, clock (an amount due's date) and error message;
 * its store is neither read nor written, and it may be an engine over an
 * empty memory store. Returns 0, ARCHASE_EINVAL (a NULL argument, a date
 * outside 0001-01-01..9999-12-31, a source without import options or with
 * both or neither of path and data, rows rejected), ARCHASE_EVERSION,
 * ARCHASE_EPARSE (a file not well-formed, a wrong header), ARCHASE_EIO (a
 * file that cannot be read), ARCHASE_ENOTFOUND (the policy's default time
 * zone), ARCHASE_ENOMEM; archase_engine_errmsg says why. *out is written only
 * on success. */
ARCHASE_API int archase_snapshot_preview(archase_engine *eng, archase_date as_of,
                                         const archase_snapshot_options *opts,
                                         const archase_preview_source *sources, size_t count,
                                         archase_diag_list *diags, archase_snapshot **out);

/* NULL is allowed. */
ARCHASE_API void archase_snapshot_free(archase_snapshot *snap);

/* What a snapshot holds. */
typedef struct archase_snapshot_info {
    unsigned     version;         /* ARCHASE_SNAPSHOT_INFO_VERSION */
    archase_date as_of;
    size_t       customers;
    size_t       open_invoices;
    size_t       settled_history; /* settled invoices kept for payment patterns */
    size_t       promises;
    size_t       disputes;
    size_t       cadence_records; /* invoices with a stored cadence state */
    size_t       zones;           /* time zones loaded */
    size_t       bytes;           /* memory the snapshot holds */
} archase_snapshot_info;
#define ARCHASE_SNAPSHOT_INFO_VERSION 1
#define ARCHASE_SNAPSHOT_INFO_INIT { ARCHASE_SNAPSHOT_INFO_VERSION, ARCHASE_DATE_NONE, 0, 0, 0, 0, 0, 0, 0, 0 }
/* Returns 0, ARCHASE_EINVAL or ARCHASE_EVERSION. */
ARCHASE_API int archase_snapshot_info_get(const archase_snapshot *snap, archase_snapshot_info *out);

/* ---- reason codes ---------------------------------------------------------
 *
 * Why something was decided, or why an invoice is where it is. Names and
 * values are pinned forever: the list is append-only and nothing is
 * renumbered. docs/engine.md explains each one. */
#define ARCHASE_REASON_MAP(X)                                                                  \
    X(STEP_DUE,                1,  "step_due")                /* a step's day came */             \
    X(PRE_DUE_REMINDER,        2,  "pre_due_reminder")        /* a step before the due date */    \
    X(CATCH_UP_LATEST,         3,  "catch_up_latest")         /* missed steps: only the latest */ \
    X(CATCH_UP_ALL,            4,  "catch_up_all")            /* a missed step, sent late */      \
    X(MISSED_STEP_SKIPPED,     5,  "missed_step_skipped")     /* catch_up: skip */                \
    X(CONSOLIDATED,            6,  "consolidated")            /* one message for several */       \
    X(DEFERRED_QUIET_HOURS,    7,  "deferred_quiet_hours")                                        \
    X(DEFERRED_SEND_WINDOW,    8,  "deferred_send_window")    /* outside the window or its days */\
    X(DEFERRED_NON_BUSINESS_DAY, 9, "deferred_non_business_day")                                  \
    X(DEFERRED_TOUCH_CAP,      10, "deferred_touch_cap")      /* max touches per 7 days */        \
    X(DEFERRED_MIN_GAP,        11, "deferred_min_gap")        /* min days between touches */      \
    X(DEFERRED_ONE_STEP_PER_DAY, 12, "deferred_one_step_per_day")                                 \
    X(PATTERN_DELAY,           13, "pattern_delay")           /* moved later by payment history */\
    X(HOLD,                    14, "hold")                    /* the customer is on hold */       \
    X(PAUSED,                  15, "paused")                  /* collections paused until */      \
    X(EXPANSION_TALKS,         16, "expansion_talks")                                             \
    X(STRATEGIC_ACCOUNT,       17, "strategic_account")                                           \
    X(SERVICE_ISSUE,           18, "service_issue")                                               \
    X(TONE_SOFTENED,           19, "tone_softened")                                               \
    X(ROUTED_TO_OWNER,         20, "routed_to_owner")         /* a person instead of a message */ \
    X(PROMISE_OPEN,            21, "promise_open")            /* an open promise pauses it */     \
    X(PROMISE_BROKEN,          22, "promise_broken")                                              \
    X(DISPUTED,                23, "disputed")                /* the open amount is disputed */   \
    X(DISPUTED_PART_PAUSED,    24, "disputed_part_paused")    /* only the undisputed rest */      \
    X(STEP_CONDITION_FALSE,    25, "step_condition_false")    /* the step's `when` did not hold */\
    X(ESCALATION_RULE,         26, "escalation_rule")                                             \
    X(CALL_THRESHOLD,          27, "call_threshold")          /* call_queue: age and amount */    \
    X(CALL_CRITICAL,           28, "call_critical")           /* call_queue: critical */          \
    X(CALL_CAPACITY,           29, "call_capacity")           /* moved to a later day: calls per
                                                                 collector per day */            \
    X(SENSITIVE_ACTION,        30, "sensitive_action")        /* needs approval first */          \
    X(FAST_LANE,               31, "fast_lane")                                                   \
    X(ABOVE_MATERIALITY,       32, "above_materiality")                                           \
    X(NO_CONSENTED_CONTACT,    33, "no_consented_contact")                                        \
    X(NO_OWNER,                34, "no_owner")                /* no collector and no owner */     \
    X(UNKNOWN_CURRENCY,        35, "unknown_currency")        /* not accepted by the policy */    \
    X(SEQUENCE_FINISHED,       36, "sequence_finished")       /* every step done, still open */   \
    X(INVOICE_CLOSED,          37, "invoice_closed")          /* paid, credited or written off */ \
    X(MISSING_PO,              38, "missing_po")              /* blocker: no purchase order */    \
    X(TIMEZONE_UNKNOWN,        39, "timezone_unknown")        /* scheduled in the default zone */ \
    X(OBSOLETE_PRE_DUE,        40, "obsolete_pre_due")        /* a pre-due step after the due date */ \
    X(WAITING_FOR_STEP,        41, "waiting_for_step")        /* active: the next step is ahead */\
    X(NOT_DUE,                 42, "not_due")                 /* current: not overdue yet */      \
    X(HIGH_RISK,               43, "high_risk")               /* call_queue order: risk first */  \
    /* append only; never renumber */

typedef enum archase_reason {
#define ARCHASE_REASON_ENUM_(name, value, text) ARCHASE_REASON_##name = (value),
    ARCHASE_REASON_MAP(ARCHASE_REASON_ENUM_)
#undef ARCHASE_REASON_ENUM_
    ARCHASE_REASON_LIMIT_ = 44 /* one more than the largest value; grows with the list */
} archase_reason;

/* "step_due", ...; NULL for a value not in the list. A static string. */
ARCHASE_API const char *archase_reason_name(int reason);
/* The reason called `name`. Returns 0 or ARCHASE_EINVAL. */
ARCHASE_API int archase_reason_from_name(const char *name, int *out);

/* ---- evaluation ---------------------------------------------------------- */

/* The result of one evaluation: decisions, the new cadence state of the
 * invoices whose state changed, and an assessment of every open invoice. */
typedef struct archase_decisions archase_decisions;

typedef struct archase_evaluate_options {
    unsigned                 version;   /* ARCHASE_EVALUATE_OPTIONS_VERSION */
    const archase_allocator *allocator; /* NULL = the snapshot's */
} archase_evaluate_options;
#define ARCHASE_EVALUATE_OPTIONS_VERSION 1
#define ARCHASE_EVALUATE_OPTIONS_INIT { ARCHASE_EVALUATE_OPTIONS_VERSION, NULL }
/* Fills `opts` with the defaults. Returns 0, ARCHASE_EINVAL or ARCHASE_EVERSION. */
ARCHASE_API int archase_evaluate_options_init(archase_evaluate_options *opts, unsigned version);

/* Decides what happens next for every open invoice of the snapshot under
 * `policy`, as of `as_of`, which must be the snapshot's date. Pure: reads
 * only its arguments. `opts` may be NULL. Returns 0, ARCHASE_EINVAL (NULL
 * argument, a date other than the snapshot's, a snapshot loaded without the
 * policy's default time zone), ARCHASE_EVERSION, ARCHASE_EOVERFLOW (a
 * customer's open amount beyond int64) or ARCHASE_ENOMEM. *out is written
 * only on success; free it with archase_decisions_free. */
ARCHASE_API int archase_evaluate(const archase_snapshot *snap, const archase_policy *policy,
                                 archase_date as_of, const archase_evaluate_options *opts,
                                 archase_decisions **out);

/* NULL is allowed. */
ARCHASE_API void archase_decisions_free(archase_decisions *ds);

/* The canonical encoding of the whole result (docs/engine.md, "Canonical
 * encoding"): the date, the policy hash, every decision, every cadence update
 * and every invoice's assessment, in their deterministic order, handed to
 * `write` in pieces. Returns 0, ARCHASE_EINVAL, the writer's code or
 * ARCHASE_ENOMEM. */
ARCHASE_API int archase_decisions_encode(const archase_decisions *ds, archase_write_fn write,
                                         void *userdata);
/* The SHA-256 of that encoding. Returns 0, ARCHASE_EINVAL or ARCHASE_ENOMEM. */
ARCHASE_API int archase_decisions_hash(const archase_decisions *ds, uint8_t out[32]);

/* ---- decisions ------------------------------------------------------------ */

/* What a decision does. */
typedef enum archase_decision_kind {
    ARCHASE_DECISION_SEND_MESSAGE = 1,     /* a message to the customer */
    ARCHASE_DECISION_QUEUE_CALL = 2,       /* a call task for a collector */
    ARCHASE_DECISION_ALERT_OWNER = 3,      /* tell the account owner */
    ARCHASE_DECISION_ESCALATE = 4,         /* an escalation package to the named roles */
    ARCHASE_DECISION_REQUEST_APPROVAL = 5, /* a sensitive action that waits for approval */
    ARCHASE_DECISION_APPLY_APPROVED = 6,   /* an approved action (from the approvals work) */
    ARCHASE_DECISION_SKIP = 7,             /* a step that did not run, and why */
    ARCHASE_DECISION_WAIT = 8              /* a step that waits (promise, dispute), and why */
} archase_decision_kind;
#define ARCHASE_DECISION_KIND_LIMIT 9

/* "send_message", ...; NULL for an unknown value. */
ARCHASE_API const char *archase_decision_kind_name(int kind);

/* One decision. Strings live as long as the decisions, the snapshot and the
 * policy. Indexed accessors below return ARCHASE_ERANGE past the end,
 * ARCHASE_EINVAL for NULL arguments and ARCHASE_EVERSION when the out
 * struct's `version` (set it with its _INIT macro) is not one this library
 * writes. The keys are not held by an evaluation: the first
 * archase_decision_get on a result builds all of them (any number of threads
 * may read one result at once), so it may also return ARCHASE_ENOMEM. */
typedef struct archase_decision {
    unsigned        version;        /* ARCHASE_DECISION_VERSION */
    const char     *key;            /* unique in the evaluation and the same on a re-run:
                                       the daily cycle's idempotency key */
    int             kind;           /* archase_decision_kind */
    int             action;         /* archase_action the rule asked for (approvals: the
                                       sensitive action); 0 for skip and wait */
    const char     *customer_id;
    size_t          invoice_count;  /* the targets: archase_decision_invoice */
    int             channel;        /* archase_channel */
    const char     *contact_id;     /* messages: the consented contact; else NULL */
    const char     *template_name;  /* NULL when none */
    int             tone;           /* archase_tone, 0 when none */
    const char     *segment;        /* of the first target */
    const char     *sequence;       /* NULL outside a sequence */
    const char     *step;           /* the step id, NULL outside a sequence */
    const char     *rule;           /* the policy setting path of the rule that fired:
                                       "sequences.standard.steps[d+7]",
                                       "escalation.rules[high_value]", "call_queue",
                                       "promises.on_broken", "relationship.hold", ... */
    uint8_t         policy_hash[32];
    int32_t         score;          /* the first target's risk score, 0..1000; -1 = not scored */
    size_t          driver_count;   /* its top drivers: archase_decision_driver */
    size_t          reason_count;   /* archase_decision_reason */
    size_t          fact_count;     /* archase_decision_fact */
    size_t          role_count;     /* escalations: roles notified; approvals: roles that
                                       may approve (archase_decision_role) */
    const char     *owner;          /* who is responsible: the collector, the account
                                       owner or a role; NULL for customer messages */
    archase_date    due_by;         /* calls, alerts: the day; escalations: the decision
                                       deadline; approvals: when the request lapses */
    archase_instant scheduled_at;   /* messages: the first instant it may go out (UTC);
                                       others: the start of due_by in UTC */
    const char     *timezone;       /* messages: the zone of the local time below */
    archase_date    local_date;     /* scheduled_at in that zone */
    int32_t         local_seconds;  /* seconds after local midnight */
    archase_money   amount;         /* the amount it is about: the targets' open amount
                                       less what is disputed */
    int             recovery_plan;  /* escalations: a recovery plan is asked for */
    uint32_t        approvers;      /* approvals: how many are needed */
    int             fast_lane;      /* approvals: qualifies for the fast lane */
    uint8_t         payload_hash[32]; /* approvals: SHA-256 of the action's canonical
                                         payload, which an approval is bound to */
} archase_decision;
#define ARCHASE_DECISION_VERSION 1
#define ARCHASE_DECISION_INIT                                                                  \
    { ARCHASE_DECISION_VERSION, NULL, 0, 0, NULL, 0, 0, NULL, NULL, 0, NULL, NULL, NULL, NULL, { 0 }, \
      -1, 0, 0, 0, 0, NULL, ARCHASE_DATE_NONE, 0, NULL, ARCHASE_DATE_NONE, 0, { 0, "" }, 0, 0, 0,   \
      { 0 } }

/* Decisions in their deterministic order: by customer id, then as decided. */
ARCHASE_API size_t archase_decisions_count(const archase_decisions *ds);
ARCHASE_API int archase_decision_get(const archase_decisions *ds, size_t i, archase_decision *out);

/* One invoice a decision is about, with the amounts it was decided on. */
typedef struct archase_decision_invoice {
    unsigned      version;       /* ARCHASE_DECISION_INVOICE_VERSION */
    const char   *invoice_id;
    const char   *number;
    const char   *source_link;   /* the source document; NULL when none */
    archase_date  due_date;
    int32_t       days_overdue;
    archase_money amount;
    archase_money open_amount;
    archase_money disputed_amount;
} archase_decision_invoice;
#define ARCHASE_DECISION_INVOICE_VERSION 1
#define ARCHASE_DECISION_INVOICE_INIT                                                   \
    { ARCHASE_DECISION_INVOICE_VERSION, NULL, NULL, NULL, ARCHASE_DATE_NONE, 0, { 0, "" }, \
      { 0, "" }, { 0, "" } }
ARCHASE_API int archase_decision_invoice_get(const archase_decisions *ds, size_t i, size_t j,
                                             archase_decision_invoice *out);

/* The j-th reason code (archase_reason) of decision i. */
ARCHASE_API int archase_decision_reason(const archase_decisions *ds, size_t i, size_t j, int *out);

/* The type of a fact's value. */
typedef enum archase_value_type {
    ARCHASE_VALUE_INT = 1,   /* `number` */
    ARCHASE_VALUE_DAYS = 2,  /* `number` days */
    ARCHASE_VALUE_MONEY = 3, /* `number` minor units of `currency` */
    ARCHASE_VALUE_BOOL = 4,  /* `number` 0 or 1 */
    ARCHASE_VALUE_DATE = 5,  /* `number` is an archase_date */
    ARCHASE_VALUE_TEXT = 6   /* `text` */
} archase_value_type;

/* One fact a decision used: a condition field ("days_overdue"), a piece of
 * context ("promise", "note", "last_touch", "open_invoice") or a setting
 * ("pattern_delay_days"), with the invoice it is about and the link to its
 * source document where there is one. */
typedef struct archase_decision_fact {
    unsigned     version;     /* ARCHASE_DECISION_FACT_VERSION */
    const char  *name;
    const char  *invoice_id;  /* NULL: about the customer */
    int          type;        /* archase_value_type */
    int64_t      number;
    char         currency[4];
    const char  *text;        /* TEXT facts; else NULL */
    const char  *source_link; /* NULL when none */
} archase_decision_fact;
#define ARCHASE_DECISION_FACT_VERSION 1
#define ARCHASE_DECISION_FACT_INIT { ARCHASE_DECISION_FACT_VERSION, NULL, NULL, 0, 0, "", NULL, NULL }
ARCHASE_API int archase_decision_fact_get(const archase_decisions *ds, size_t i, size_t j,
                                          archase_decision_fact *out);

/* One driver of a risk score: the policy's name for it and its points. */
typedef struct archase_score_driver {
    const char *name;
    int64_t     points;
} archase_score_driver;
/* The j-th of the (at most three) top drivers of decision i, largest first. */
ARCHASE_API int archase_decision_driver(const archase_decisions *ds, size_t i, size_t j,
                                        archase_score_driver *out);
/* The j-th role of decision i (see role_count). */
ARCHASE_API int archase_decision_role(const archase_decisions *ds, size_t i, size_t j,
                                      const char **out);

/* ---- the cadence state ----------------------------------------------------
 *
 * Each invoice in a sequence has a cadence state, anchored on its due date:
 * which step it has reached and when the next one is due. Evaluation returns
 * the new state of every invoice whose state changed; the daily cycle stores
 * it (and a later snapshot reads it back). */
typedef enum archase_cadence_status {
    ARCHASE_CADENCE_ACTIVE = 1,   /* running: the next step is ahead */
    ARCHASE_CADENCE_WAITING = 2,  /* paused: hold, promise, dispute, routed to the owner */
    ARCHASE_CADENCE_FINISHED = 3, /* every step done; the invoice is with a person */
    ARCHASE_CADENCE_CLOSED = 4    /* the invoice closed: the sequence stopped */
} archase_cadence_status;

/* "active", "waiting", "finished", "closed"; NULL for an unknown value. */
ARCHASE_API const char *archase_cadence_status_name(int status);

/* An offset meaning "no step". */
#define ARCHASE_OFFSET_NONE INT32_MIN

typedef struct archase_cadence_update {
    unsigned     version;        /* ARCHASE_CADENCE_UPDATE_VERSION */
    const char  *invoice_id;
    const char  *customer_id;
    int          status;         /* archase_cadence_status */
    int          reason;         /* archase_reason of the status */
    const char  *sequence;       /* NULL before the invoice entered one */
    const char  *last_step;      /* the last step taken, NULL when none */
    int32_t      last_offset;    /* its offset (ARCHASE_OFFSET_NONE when none) */
    archase_date last_date;      /* the day it was taken */
    const char  *next_step;      /* the next step, NULL when none */
    archase_date next_date;      /* its day (after business-day roll and pattern delay) */
} archase_cadence_update;
#define ARCHASE_CADENCE_UPDATE_VERSION 1
#define ARCHASE_CADENCE_UPDATE_INIT                                                           \
    { ARCHASE_CADENCE_UPDATE_VERSION, NULL, NULL, 0, 0, NULL, NULL, ARCHASE_OFFSET_NONE,     \
      ARCHASE_DATE_NONE, NULL, ARCHASE_DATE_NONE }

/* Updates in invoice order (by customer id, then invoice id). */
ARCHASE_API size_t archase_cadence_update_count(const archase_decisions *ds);
ARCHASE_API int archase_cadence_update_get(const archase_decisions *ds, size_t i,
                                           archase_cadence_update *out);

/* ---- assessments and coverage --------------------------------------------- */

/* Where an open invoice is. Every open overdue invoice is in exactly one. */
typedef enum archase_coverage_state {
    ARCHASE_COVERAGE_ACTIVE = 1,    /* in an active sequence */
    ARCHASE_COVERAGE_PROMISE = 2,   /* an open promise to pay covers it */
    ARCHASE_COVERAGE_DISPUTE = 3,   /* an open dispute covers it */
    ARCHASE_COVERAGE_HOLD = 4,      /* on hold or paused, with the reason */
    ARCHASE_COVERAGE_EXCEPTION = 5  /* in the exceptions queue, with the reason */
} archase_coverage_state;
#define ARCHASE_COVERAGE_STATE_LIMIT 6

/* "active", "promise", "dispute", "hold", "exception"; NULL when unknown. */
ARCHASE_API const char *archase_coverage_state_name(int state);

/* What evaluation found for one open invoice. */
typedef struct archase_invoice_assessment {
    unsigned      version;        /* ARCHASE_INVOICE_ASSESSMENT_VERSION */
    const char   *invoice_id;
    const char   *customer_id;
    int32_t       days_overdue;
    archase_money open_amount;
    archase_money disputed_amount;
    const char   *segment;
    const char   *sequence;
    int32_t       score;          /* 0..1000 */
    size_t        driver_count;   /* archase_assessment_driver */
    int           coverage;       /* archase_coverage_state */
    int           reason;         /* archase_reason: why it is there */
    int32_t       step_index;     /* the last step taken, 0-based; -1 before the first */
    const char   *next_step;      /* NULL when none is left */
    archase_date  next_date;
    size_t        decision_count; /* decisions about it today: archase_assessment_decision */
} archase_invoice_assessment;
#define ARCHASE_INVOICE_ASSESSMENT_VERSION 1
#define ARCHASE_INVOICE_ASSESSMENT_INIT                                                      \
    { ARCHASE_INVOICE_ASSESSMENT_VERSION, NULL, NULL, 0, { 0, "" }, { 0, "" }, NULL, NULL, 0, 0, \
      0, 0, -1, NULL, ARCHASE_DATE_NONE, 0 }

/* One per open invoice of the snapshot, by customer id then due date and id.
 * Which decisions name each invoice is not held by an evaluation: the first
 * archase_assessment_get or archase_assessment_decision on a result builds
 * that index (threads may read one result at once), so they may also return
 * ARCHASE_ENOMEM. */
ARCHASE_API size_t archase_assessment_count(const archase_decisions *ds);
ARCHASE_API int archase_assessment_get(const archase_decisions *ds, size_t i,
                                       archase_invoice_assessment *out);
/* The index of the assessment of `invoice_id`. Returns 0, ARCHASE_EINVAL or
 * ARCHASE_ENOTFOUND (not an open invoice of the snapshot). */
ARCHASE_API int archase_assessment_find(const archase_decisions *ds, const char *invoice_id,
                                        size_t *index);
ARCHASE_API int archase_assessment_driver(const archase_decisions *ds, size_t i, size_t j,
                                          archase_score_driver *out);
/* The index (for archase_decision_get) of the j-th decision about invoice i. */
ARCHASE_API int archase_assessment_decision(const archase_decisions *ds, size_t i, size_t j,
                                            size_t *decision);

/* The no-silent-drops proof: every open overdue invoice counted in exactly
 * one state, and the reasons behind the holds and exceptions. */
typedef struct archase_coverage {
    unsigned version;                                 /* ARCHASE_COVERAGE_VERSION */
    uint64_t open_invoices;                           /* every open invoice */
    uint64_t overdue_invoices;                        /* of those, overdue */
    uint64_t by_state[ARCHASE_COVERAGE_STATE_LIMIT];  /* overdue ones, by archase_coverage_state */
    uint64_t by_reason[ARCHASE_REASON_LIMIT_];        /* overdue ones, by their reason */
    uint64_t unaccounted;                             /* overdue in no state: always 0 */
} archase_coverage;
#define ARCHASE_COVERAGE_VERSION 1
#define ARCHASE_COVERAGE_INIT { ARCHASE_COVERAGE_VERSION, 0, 0, { 0 }, { 0 }, 0 }
/* Fills `out` (initialise it with ARCHASE_COVERAGE_INIT). Returns 0,
 * ARCHASE_EINVAL or ARCHASE_EVERSION. */
ARCHASE_API int archase_coverage_report(const archase_decisions *ds, archase_coverage *out);

#ifdef __cplusplus
}
#endif
#endif
