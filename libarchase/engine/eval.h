/* libarchase/engine/eval.h — the working state of one evaluation, shared by
 * evaluate.c (facts, segments, scores, the cadence of each invoice) and
 * emit.c (turning what each invoice needs into consolidated decisions).
 *
 * Evaluation walks customers in id order and, for each, its open invoices
 * by due date. Everything per customer lives in arrays sized once for the
 * largest customer, so nothing is allocated per invoice. */
#ifndef AR_ENGINE_EVAL_H
#define AR_ENGINE_EVAL_H

#include "engine/cadence.h"
#include "engine/cadence_store.h"
#include "engine/decisions.h"
#include "core/sha256.h"
#include "engine/guard.h"
#include "engine/holds.h"

/* What an invoice's step (or rule) turns into today. */
enum {
    AR_OUT_NONE = 0,
    AR_OUT_MESSAGE,   /* a customer message, under the guardrails */
    AR_OUT_CALL,      /* a call task */
    AR_OUT_ALERT,     /* tell the owner (an alert_owner step, or routed to the owner) */
    AR_OUT_ESCALATE,  /* an escalate step */
    AR_OUT_APPROVAL,  /* a sensitive step: ask for approval */
    AR_OUT_SKIP,      /* reported as skipped (hold, paused, an exception) */
    AR_OUT_WAIT       /* reported as waiting (promise, dispute) */
};

/* A customer's figures in one currency. */
typedef struct ar_cur {
    char     currency[4];
    uint32_t packed;
    ar_sym   sym;
    int64_t  open, overdue;
    int      risk_cached;
    ar_risk_result risk;
    const archase_money *call_min; /* call_queue.min_amount in this currency, or NULL */
} ar_cur;

/* One open invoice of the customer being evaluated. */
typedef struct ar_work {
    uint32_t               inv;        /* snapshot invoice index */
    uint32_t               pos;        /* assessment index (snapshot order) */
    const ar_snap_invoice *si;
    const ar_snap_cadence *state;      /* stored state, or NULL */
    uint32_t               cur;        /* index into the customer's currencies */
    uint32_t               segment;
    const ar_sequence     *seq;
    ar_risk_result         risk;
    int32_t                days_overdue;
    int64_t                disputed;
    int64_t                chase;      /* open - disputed, >= 0: what is asked for */
    uint32_t               dispute;    /* oldest dispute covering it, AR_IDX_NONE */
    uint32_t               promise;    /* snapshot promise pausing or broken, AR_IDX_NONE */
    int                    promise_state;
    int32_t                last_offset;
    ar_step_plan           plan;
    int                    out;        /* AR_OUT_* for the planned step */
    ar_reasons             why;        /* reasons for `out` besides the plan's */
    int                    commit;     /* the plan's `done` is taken */
    int                    coverage, cov_reason;
    int                    status, status_reason; /* the new cadence status */
    archase_date           call_queued;
    uint32_t               promise_routed; /* snapshot text: the broken promise routed */
    uint32_t               esc_first, esc_count;  /* into ar_eval.esc: rules fired, old and new */
    int                    esc_new;
} ar_work;

/* Where a group's decision comes from: it names the rule that fired. */
enum {
    AR_ORIGIN_STEP = 1,     /* a sequence step: the lead invoice's step */
    AR_ORIGIN_ESCALATION,   /* source: the ar_escalation_rule */
    AR_ORIGIN_CALL_QUEUE,   /* the call-queue threshold (with call steps: the lead's step) */
    AR_ORIGIN_PROMISE,      /* source: the broken ar_snap_promise */
    AR_ORIGIN_RELATIONSHIP  /* routed to the owner: rule is the relationship setting */
};

/* A group of invoices that becomes one decision. */
typedef struct ar_group {
    int                 origin;        /* AR_ORIGIN_* */
    int                 kind;          /* archase_decision_kind */
    int                 action;
    int                 channel;
    int                 tone;
    const ar_template  *tmpl;
    const char         *rule;          /* static or policy string: the rule's name part */
    const ar_sequence  *seq;           /* step rules: the sequence (rule = step id) */
    const void         *source;        /* what fired: step, escalation rule, promise (identity) */
    uint32_t            cur;
    uint32_t            lead;          /* work index of the lead invoice */
    uint32_t            first, last;   /* its first and last member (member_next links them) */
    int32_t             rank;          /* messages: the lead's step offset (most advanced first) */
    int                 fast_lane;     /* approvals: the fast lane's condition held for the lead */
    ar_reasons          reasons;
} ar_group;

typedef struct ar_eval {
    archase_decisions      *ds;
    const archase_snapshot *s;
    const archase_policy   *p;
    archase_date            as_of;
    ar_cond_env             env;
    int                     risk_per_invoice;
    uint8_t                *seg_invoice;  /* per segment: its condition reads invoice fields */
    uint32_t               *seg_inv;      /* the segments before the last reading invoice fields */
    uint32_t                seg_inv_n;
    uint32_t                seg_stop;     /* the first segment on customer fields that holds for
                                             the customer and currency (else the last) */
    uint32_t                seg_cache_cur; /* the currency seg_stop and crit_cache are of */
    uint8_t                *esc_invoice;  /* per escalation rule: its condition reads invoice fields */
    int8_t                 *esc_cache;    /* per escalation rule: holds (0, 1) for the customer and
                                             currency, or for the invoice when it reads its fields */
    uint32_t               *esc_inv;      /* the rules reading invoice fields, in order */
    uint32_t                esc_inv_n;
    uint32_t                esc_cur;      /* the currency esc_cache's customer rules are of */
    int                     esc_cust_any; /* one of those holds */
    int                     crit_invoice; /* call_queue.critical reads invoice fields */
    int8_t                  crit_cache;   /* else: -1 unknown, 0, 1 for the customer and currency */
    ar_cond_test           *seg_test;     /* per segment and per escalation rule: a test its */
    ar_cond_test           *esc_test;     /* condition needs, checked before the condition */
    const archase_calendar *calendar;     /* the guardrails calendar */

    /* the customer being evaluated */
    uint32_t                c;
    const ar_snap_customer *cust;
    ar_rel                  rel;
    ar_pattern              pattern;
    int32_t                 delay;
    uint32_t                zone;         /* snapshot zone index used for its messages */
    ar_cur                 *curs;         size_t cur_n, cur_cap;
    ar_work                *w;            size_t w_cap;
    int64_t                *disputed;
    uint32_t               *oldest;
    ar_promise_eff         *peff;         size_t peff_cap;
    const char            **esc;          size_t esc_n, esc_cap;
    ar_group               *groups;       size_t group_n, group_cap;
    uint32_t               *members;      size_t member_n, member_cap; /* work indexes */
    uint32_t               *member_next;  size_t mn_cap; /* the next member of its group, in the
                                                            order added; AR_IDX_NONE after the last */
    ar_touch               *touches;      size_t touch_n, touch_cap;
    uint32_t               *seq_text;     /* per policy sequence: its name's number in the
                                             snapshot's text, AR_NAME_UNSEEN when absent */
    uint32_t               *step_base;    /* per policy sequence: its first entry below */
    uint32_t               *step_text;    /* per step: its id's number in the snapshot's text */
    uint32_t               *step_rule;    /* per step: its rule's number, AR_IDX_NONE until used */
    const ar_group        **order;        size_t order_cap; /* the customer's groups in emit order */
    ar_step_memo           *memo;         /* step days already rolled */
    ar_plan_memo           *plans;        /* plans already made that read no condition */
    ar_guard_memo           guard_memo;   /* the guardrails' calendar days and local instants */
    struct {                              /* rules of groups without a step, made once: */
        int         origin;               /* AR_ORIGIN_*, and */
        const void *what;                 /* the escalation rule or the rule's name */
        uint32_t    rule;                 /* its number in the result's rules */
    }                       rule_memo[16];
    uint32_t                rule_memo_n;
    struct {                              /* policy symbols of snapshot texts looked up: */
        uint32_t text;                    /* the text's number (0 with sym 0: empty), */
        ar_sym   sym;                     /* its symbol */
    }                       text_sym[64];
    struct {                              /* per currency met (packed code, 0: empty): */
        uint32_t             packed;
        ar_sym               sym;         /* its symbol */
        const archase_money *call_min;    /* call_queue.min_amount in it, or NULL */
    }                       cur_memo[8];
    ar_sym                  aging_sym[5]; /* current, 1_30, 31_60, 61_90, 91_plus */
    ar_sym                  none_sym;     /* "none" (dispute_reason) */
} ar_eval;

/* A name the snapshot's text does not hold: equal to no stored number, not
 * even AR_STR_NONE. */
#define AR_NAME_UNSEEN (UINT32_MAX - 1)

/* Finds the group of the customer with `key`'s identity (kind, action,
 * channel, tone, template, rule, sequence, source, currency) or adds it, and
 * adds work item `work` to it with `why`. 0 or ARCHASE_ENOMEM. */
int ar_eval_group(ar_eval *E, const ar_group *key, uint32_t work, const ar_reasons *why);

/* Turns the customer's groups into decisions: messages first, most advanced
 * step first, each scheduled under the guardrails; then the rest in the order
 * they were found. 0 or ARCHASE_ENOMEM. */
int ar_emit_customer(ar_eval *E);

/* Spreads the call tasks of each owner over days by call_queue's
 * max_per_collector_per_day, in the policy's order. 0 or ARCHASE_ENOMEM. */
int ar_emit_call_capacity(ar_eval *E);

#endif
