/* include/archase/approval.h — approval gating of sensitive actions.
 *
 * A sensitive action (archase_action_is_sensitive, plus the kinds a policy
 * adds; a policy can never remove one) is carried out only once enough
 * people approved it. A request holds the action, what it is bound to (the
 * canonical payload: the action and the current state of the customer and
 * invoices it concerns) and that payload's SHA-256, the requester, a
 * justification and a customer-impact assessment. The policy decides, when
 * the request is raised, how many approvals it needs (two at or above the
 * materiality threshold in its currency, one below; the fast lane for small,
 * low-risk kinds), who may give them (roles) and when it lapses.
 *
 * Rules enforced by the library: the requester never approves (separation
 * of duties); one person counts once; only the eligible roles approve; a
 * request lapses at its expiry (the engine's clock); an approval is bound to
 * the payload hash, and if the customer or an invoice changed before the
 * action is carried out the request is void and a new one is raised.
 * Every request, decision, refusal, expiry, void and dispatch is an audit
 * record (archase/audit.h).
 *
 * Identity: the library trusts the actor id and role the host passes in —
 * the host authenticates people; the library checks roles against what the
 * policy allowed for the request, never passwords. docs/approvals.md has
 * the whole story. */
#ifndef ARCHASE_APPROVAL_H
#define ARCHASE_APPROVAL_H

#include "archase/common.h"
#include "archase/engine.h"
#include "archase/money.h"
#include "archase/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Room for a request id with its NUL ("APR-" and 12 hex digits, "-N" on a
 * repeated request). */
#define ARCHASE_APPROVAL_ID_MAX 32
/* The shortest justification, in characters (leading and trailing blanks
 * not counted). */
#define ARCHASE_APPROVAL_JUSTIFICATION_MIN 20
/* The shortest customer-impact assessment, in characters. */
#define ARCHASE_APPROVAL_IMPACT_MIN 10

/* Where a request stands. Values are pinned. */
typedef enum archase_approval_status {
    ARCHASE_APPROVAL_PENDING = 1,    /* waiting for approvals */
    ARCHASE_APPROVAL_APPROVED = 2,   /* enough approvals: may be carried out */
    ARCHASE_APPROVAL_REJECTED = 3,   /* an approver said no */
    ARCHASE_APPROVAL_EXPIRED = 4,    /* it lapsed before it was carried out */
    ARCHASE_APPROVAL_VOIDED = 5,     /* the facts changed; another request replaces it */
    ARCHASE_APPROVAL_DISPATCHED = 6  /* carried out (once) */
} archase_approval_status;

/* "pending", ...; NULL for an unknown value. */
ARCHASE_API const char *archase_approval_status_name(int status);

/* A request for a sensitive action, raised by a person (a write-off, an
 * override) or by the engine (a sensitive step of a sequence). */
typedef struct archase_approval_request {
    unsigned           version;         /* ARCHASE_APPROVAL_REQUEST_VERSION */
    int                action;          /* archase_action; sensitive under the policy */
    const char        *customer_id;     /* required, an existing customer */
    const char *const *invoice_ids;     /* existing invoices of that customer (may be none) */
    size_t             invoice_count;
    archase_money      amount;          /* what is at stake; currency "" = none stated,
                                           which counts as at or above materiality */
    const char        *requester;       /* the host's authenticated actor; NULL = the engine's */
    const char        *requester_role;  /* may be NULL */
    const char        *justification;   /* required: ARCHASE_APPROVAL_JUSTIFICATION_MIN+ chars */
    const char        *customer_impact; /* required: ARCHASE_APPROVAL_IMPACT_MIN+ chars */
    const char        *rule;            /* the policy rule that proposed it; NULL for a person */
    const char        *reason_code;     /* overrides: required ([a-z0-9_]+) */
    const char        *detail;          /* what exactly (overrides: required), e.g.
                                           "skip step d+30 for INV-7" */
    const char        *decision_id;     /* overrides: the decision overridden (may be NULL) */
} archase_approval_request;
#define ARCHASE_APPROVAL_REQUEST_VERSION 1
#define ARCHASE_APPROVAL_REQUEST_INIT                                                         \
    { ARCHASE_APPROVAL_REQUEST_VERSION, 0, NULL, NULL, 0, { 0, "" }, NULL, NULL, NULL, NULL, \
      NULL, NULL, NULL, NULL }

/* Raises a request under `policy`, which decides the approvals it needs, the
 * eligible roles and the expiry; binds it to the current state of the
 * customer and invoices. The same action on the same facts while a request
 * for it is pending or approved gives that request again (*created = 0);
 * otherwise a new one (*created = 1). `id` receives the request id;
 * `created` may be NULL. Returns 0, ARCHASE_EINVAL (a missing or too short
 * field, an action the policy does not gate: see archase_engine_errmsg),
 * ARCHASE_ENOTFOUND (no such customer or invoice), ARCHASE_ECURRENCY,
 * ARCHASE_EVERSION, ARCHASE_ESTATE (a batch is open), a storage error or
 * ARCHASE_ENOMEM; nothing is written on failure. */
ARCHASE_API int archase_approval_raise(archase_engine *eng, const archase_policy *policy,
                                       const archase_approval_request *req,
                                       char id[ARCHASE_APPROVAL_ID_MAX], int *created);

/* Who decides, and why. `actor` and `role` are the host's authenticated
 * identity; `reason` is required. */
typedef struct archase_approval_vote {
    unsigned        version;  /* ARCHASE_APPROVAL_VOTE_VERSION */
    const char     *actor;
    const char     *role;
    const char     *reason;
    int             approve;  /* set by the library when read back: 1 approved, 0 rejected */
    archase_instant at;       /* set by the library when read back */
} archase_approval_vote;
#define ARCHASE_APPROVAL_VOTE_VERSION 1
#define ARCHASE_APPROVAL_VOTE_INIT { ARCHASE_APPROVAL_VOTE_VERSION, NULL, NULL, NULL, 0, 0 }

/* Approves (or rejects) request `id`. *status (may be NULL) receives where
 * the request stands afterwards. A refusal is itself recorded in the audit
 * log and committed before the call returns the refusal:
 *   ARCHASE_EDENIED   the actor is the requester, already decided on this
 *                     request, or has a role the request does not allow; or
 *                     the facts changed since the request (it is void and a
 *                     new request replaces it: see archase_approval_get)
 *   ARCHASE_EEXPIRED  it lapsed (it is marked expired)
 *   ARCHASE_ESTATE    it is not pending (approved, rejected, void, ...)
 *   ARCHASE_ENOTFOUND no such request
 * Also ARCHASE_EINVAL (missing actor, role or reason), ARCHASE_EVERSION, a
 * storage error or ARCHASE_ENOMEM. archase_engine_errmsg says why. */
ARCHASE_API int archase_approval_approve(archase_engine *eng, const char *id,
                                         const archase_approval_vote *vote, int *status);
ARCHASE_API int archase_approval_reject(archase_engine *eng, const char *id,
                                        const archase_approval_vote *vote, int *status);

/* The host is about to carry out approved request `id` (post the write-off,
 * put the credit hold on): checks that it is approved, has not lapsed and is
 * still bound to the current facts, and marks it dispatched, once. `actor`
 * (NULL = the engine's) is who carries it out. A refusal is recorded as for
 * approvals: ARCHASE_EDENIED (not approved: pending, rejected, void; or the
 * facts changed: it is voided and `new_id` (may be NULL) receives the
 * request that replaces it; or a credit hold whose notice to the customer
 * has not been sent, or was sent less than credit.notice_days ago),
 * ARCHASE_EEXPIRED, ARCHASE_ESTATE (already dispatched), ARCHASE_ENOTFOUND. */
ARCHASE_API int archase_approval_dispatch(archase_engine *eng, const char *id, const char *actor,
                                          char new_id[ARCHASE_APPROVAL_ID_MAX]);

/* Marks every pending or approved request whose expiry has passed (the
 * engine's clock) as expired, each with its audit record. *count (may be
 * NULL) receives how many. Returns 0, a storage error or ARCHASE_ENOMEM. */
ARCHASE_API int archase_approvals_expire(archase_engine *eng, uint64_t *count);

/* A request as stored. Strings and arrays live during the callback only. */
typedef struct archase_approval_info {
    unsigned                     version;        /* ARCHASE_APPROVAL_INFO_VERSION */
    const char                  *id;
    int                          status;         /* archase_approval_status */
    int                          action;         /* archase_action */
    const char                  *customer_id;
    const char *const           *invoice_ids;
    size_t                       invoice_count;
    archase_money                amount;         /* currency "" when none was stated */
    const char                  *requester;
    const char                  *requester_role; /* NULL when none */
    const char                  *justification;
    const char                  *customer_impact;
    const char                  *rule;           /* NULL when raised by a person */
    const char                  *reason_code;    /* NULL when none */
    const char                  *detail;         /* NULL when none */
    const char                  *decision_id;    /* NULL when none */
    const char                  *approval_rule;  /* the policy setting that decided the
                                                    approvals: "approvals.rules[write_off]",
                                                    "approvals.fast_lane" */
    int                          fast_lane;
    uint32_t                     approvals_required;
    uint32_t                     approvals;      /* given so far */
    const char *const           *roles;          /* who may approve */
    size_t                       role_count;
    const archase_approval_vote *votes;          /* in the order given */
    size_t                       vote_count;
    archase_instant              created;
    archase_instant              expires;
    archase_instant              closed;         /* when it left pending/approved; 0 while open */
    const char                  *replaces;       /* the void request it replaced, or NULL */
    const char                  *replaced_by;    /* when void: the request that replaced it */
    uint8_t                      payload_hash[32];
    uint8_t                      policy_hash[32];
} archase_approval_info;
#define ARCHASE_APPROVAL_INFO_VERSION 1

/* Receives requests. Return 0 to go on, 1 to stop, a negative code to abort. */
typedef int (*archase_approval_fn)(void *userdata, const archase_approval_info *info);

/* Hands request `id` to fn. Returns 0, ARCHASE_ENOTFOUND, ARCHASE_EINVAL,
 * fn's code, a storage error (also for a stored request that cannot be
 * decoded) or ARCHASE_ENOMEM. */
ARCHASE_API int archase_approval_get(archase_engine *eng, const char *id, archase_approval_fn fn,
                                     void *userdata);

/* Hands every request with `status` (0 = any) to fn, in id order. Same
 * results as archase_approval_get but ARCHASE_ENOTFOUND. */
ARCHASE_API int archase_approvals_scan(archase_engine *eng, int status, archase_approval_fn fn,
                                       void *userdata);

/* A deterministic sample of the manual overrides (action override) requested
 * from `from` to `to` (both days included, UTC dates), for control review:
 * at most `n` of them, the same for the same ledger, period and `seed` —
 * ranked by SHA-256 of the seed and the request id — handed to fn in rank
 * order. Returns 0, ARCHASE_EINVAL, fn's code, a storage error or
 * ARCHASE_ENOMEM. */
ARCHASE_API int archase_override_sample(archase_engine *eng, archase_date from, archase_date to,
                                        uint32_t n, uint64_t seed, archase_approval_fn fn,
                                        void *userdata);

#ifdef __cplusplus
}
#endif
#endif
