/* include/archase/worklist.h — the people's side of an evaluation: one
 * ranked list of work per collector, account owner or role.
 *
 * A worklist is built from an evaluation's decisions and assessments: calls
 * to make, owners to alert, escalations to decide, disputes to resolve,
 * exceptions to fix. Every line has exactly one owner; a customer appears at
 * most once per owner and next action. Lines are ranked by the policy's
 * priority (call_queue.order: risk score, open amount or days overdue), then
 * by score, amount, days overdue, the earliest due-by day (SLA urgency) and
 * the customer id. docs/engine.md, "Worklists", has the details.
 */
#ifndef ARCHASE_WORKLIST_H
#define ARCHASE_WORKLIST_H

#include "archase/common.h"
#include "archase/evaluate.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct archase_worklist archase_worklist;

typedef struct archase_worklist_options {
    unsigned    version; /* ARCHASE_WORKLIST_OPTIONS_VERSION */
    const char *owner;   /* only this owner's lines; NULL = everyone's */
} archase_worklist_options;
#define ARCHASE_WORKLIST_OPTIONS_VERSION 1
#define ARCHASE_WORKLIST_OPTIONS_INIT { ARCHASE_WORKLIST_OPTIONS_VERSION, NULL }
/* Fills `opts` with the defaults. Returns 0, ARCHASE_EINVAL or ARCHASE_EVERSION. */
ARCHASE_API int archase_worklist_options_init(archase_worklist_options *opts, unsigned version);

/* Builds the worklist of an evaluation. It refers to `ds` (and so to its
 * snapshot and policy): free it first. `opts` may be NULL. Returns 0,
 * ARCHASE_EINVAL, ARCHASE_EVERSION or ARCHASE_ENOMEM; *out is written only
 * on success. */
ARCHASE_API int archase_worklist_build(const archase_decisions *ds,
                                       const archase_worklist_options *opts,
                                       archase_worklist **out);

/* NULL is allowed. */
ARCHASE_API void archase_worklist_free(archase_worklist *wl);

/* What a line asks its owner to do. */
typedef enum archase_work_kind {
    ARCHASE_WORK_CALL = 1,             /* call the customer */
    ARCHASE_WORK_ALERT = 2,            /* an alert for the account owner */
    ARCHASE_WORK_ESCALATION = 3,       /* decide on an escalation by the deadline */
    ARCHASE_WORK_DISPUTE = 4,          /* resolve a dispute by its SLA day */
    ARCHASE_WORK_EXCEPTION = 5         /* fix what keeps an invoice out of its sequence */
} archase_work_kind;

/* "call", "alert", "escalation", "dispute", "exception"; NULL when unknown. */
ARCHASE_API const char *archase_work_kind_name(int kind);

/* One line. Strings live as long as the worklist. */
typedef struct archase_worklist_line {
    unsigned      version;       /* ARCHASE_WORKLIST_LINE_VERSION */
    uint32_t      rank;          /* 1..n in the order of the list */
    const char   *owner;         /* exactly one: a person or a role ("finance_lead");
                                    "unassigned" when the customer has neither a
                                    collector nor an owner */
    const char   *customer_id;
    size_t        invoice_count; /* archase_worklist_line_invoice */
    int           kind;          /* archase_work_kind */
    const char   *next_action;   /* "queue_call", "alert_owner", "escalate",
                                    "resolve_dispute", "fix_exception" */
    archase_date  due_by;
    int32_t       score;         /* the highest risk score among its invoices */
    archase_money amount;        /* their open amount */
    int32_t       days_overdue;  /* the most among its invoices */
    size_t        reason_count;  /* archase_worklist_line_reason */
    size_t        decision;      /* the decision it comes from, or SIZE_MAX */
} archase_worklist_line;
#define ARCHASE_WORKLIST_LINE_VERSION 1
#define ARCHASE_WORKLIST_LINE_INIT                                                          \
    { ARCHASE_WORKLIST_LINE_VERSION, 0, NULL, NULL, 0, 0, NULL, ARCHASE_DATE_NONE, 0, { 0, "" }, \
      0, 0, 0 }

/* Lines in rank order. Accessors return ARCHASE_ERANGE past the end,
 * ARCHASE_EINVAL for NULL arguments and ARCHASE_EVERSION for an out struct
 * of another version. */
ARCHASE_API size_t archase_worklist_count(const archase_worklist *wl);
ARCHASE_API int archase_worklist_line_get(const archase_worklist *wl, size_t i,
                                          archase_worklist_line *out);
/* The j-th invoice id of line i. */
ARCHASE_API int archase_worklist_line_invoice(const archase_worklist *wl, size_t i, size_t j,
                                              const char **out);
/* The j-th reason (archase_reason) of line i. */
ARCHASE_API int archase_worklist_line_reason(const archase_worklist *wl, size_t i, size_t j,
                                             int *out);

#ifdef __cplusplus
}
#endif
#endif
