/* libarchase/policy/policy_internal.h — a loaded policy as the engine reads it.
 *
 * Everything here is built by the loader and never changes afterwards: the
 * engine reads the structs directly, from any number of threads. Arrays come
 * with their counts; names are NUL-terminated UTF-8; references between
 * sections are pointers (or indexes where noted) that the loader has checked,
 * so none is dangling or NULL unless documented. docs/policy-reference.md
 * gives the meaning and the default of every setting.
 *
 * Conditions (ar_cond, policy/cond.h) are evaluated with ar_cond_eval over an
 * ar_cond_env the engine fills with the fields in `fields_used`; templates
 * (ar_template, policy/template.h) are rendered with ar_template_render. */
#ifndef AR_POLICY_INTERNAL_H
#define AR_POLICY_INTERNAL_H

#include <stdint.h>

#include "archase/date.h"
#include "archase/money.h"
#include "archase/policy.h"
#include "policy/arena.h"
#include "policy/cond.h"
#include "policy/fields.h"
#include "policy/symbols.h"
#include "policy/template.h"

/* An index meaning "none" in index fields. */
#define AR_NONE UINT32_MAX

/* Amounts per currency (thresholds), sorted by currency code, one per code. */
typedef struct ar_money_list {
    const archase_money *items;
    uint32_t             count;
} ar_money_list;

/* The entry of `list` in `currency` ("EUR"), or NULL when it has none. */
const archase_money *ar_money_list_find(const ar_money_list *list, const char *currency);

/* A list of names (roles, evidence items). */
typedef struct ar_name_list {
    const char *const *items;
    uint32_t           count;
} ar_name_list;

/* ---- calendars ----------------------------------------------------------- */

typedef struct ar_calendar_def {
    const char             *name;
    archase_calendar       *calendar;      /* business days; owned by the policy */
    uint32_t                weekend_mask;  /* ARCHASE_WEEKDAY_BIT bits */
    const archase_date     *holidays;      /* sorted, no repeats */
    uint32_t                holiday_count;
} ar_calendar_def;

/* ---- segments and risk score --------------------------------------------- */

typedef struct ar_segment {
    const char                *name;
    ar_sym                     sym;       /* the name interned: the value of the `segment` field */
    const ar_cond             *when;      /* NULL: the catch-all (always the last segment) */
    const struct ar_sequence  *sequence;  /* the sequence its invoices run */
} ar_segment;

/* One additive driver of the risk score. Its points for an invoice are
 *   0 when `when` is set and does not hold; otherwise
 *   points + points_per_unit * max(0, value(field) - above)   (field set)
 *   points                                                   (no field)
 * then clamped to [-cap, cap] (cap 0 = no cap). BOOL fields count as 0/1. */
typedef struct ar_risk_driver {
    const char    *name;            /* shown to finance people ("Broken promises, 90 days") */
    const ar_cond *when;            /* NULL = always */
    int            field;           /* ar_field, or AR_FIELD_NONE */
    int64_t        above;           /* only the part of the value above this counts */
    int64_t        points_per_unit;
    int64_t        points;          /* fixed points */
    int64_t        cap;             /* 0 = none */
} ar_risk_driver;

/* score = clamp(base + sum of driver points, 0, 1000). */
typedef struct ar_risk_score {
    int64_t               base;
    const ar_risk_driver *drivers;
    uint32_t              driver_count;
} ar_risk_score;

#define AR_RISK_SCORE_MAX 1000
#define AR_RISK_TOP 3

/* A score with its explanation. */
typedef struct ar_risk_result {
    int32_t  score;                 /* 0..1000 */
    uint32_t top_count;             /* drivers with non-zero points, at most 3 */
    uint32_t top[AR_RISK_TOP];      /* driver indexes, largest |points| first, ties by index */
    int64_t  top_points[AR_RISK_TOP];
} ar_risk_result;

/* Scores an invoice. Allocates nothing and cannot fail. */
void ar_risk_evaluate(const ar_risk_score *rs, const ar_cond_env *env, ar_risk_result *out);
/* The points of one driver (before the total is clamped). */
int64_t ar_risk_driver_points(const ar_risk_driver *d, const ar_cond_env *env);

/* ---- sequences ----------------------------------------------------------- */

typedef struct ar_step {
    const char        *id;        /* unique in its sequence; "d+7" unless the policy names it */
    int32_t            offset;    /* days from the due date; strictly increasing in a sequence */
    int                channel;   /* archase_channel (ARCHASE_CHANNEL_INTERNAL included) */
    int                action;    /* archase_action */
    int                tone;      /* archase_tone */
    const ar_template *tmpl;      /* NULL when the step sends nothing; else written for `channel` */
    const ar_cond     *when;      /* NULL = always; a false condition skips the step */
    int                roll;      /* archase_roll for dates off the business calendar */
    uint32_t           fee_pack;  /* late_fee / interest steps: index into fees.packs, else AR_NONE */
    int                sensitive; /* 1 when the action is in ar_approvals.sensitive: approval first */
} ar_step;

typedef struct ar_sequence {
    const char            *name;
    const ar_calendar_def *calendar;  /* business days for rolling step dates */
    int                    roll;      /* the sequence's default archase_roll */
    const ar_step         *steps;
    uint32_t               step_count;
} ar_sequence;

/* ---- escalation, call queue, guardrails, relationship -------------------- */

typedef struct ar_escalation_rule {
    const char        *name;
    const ar_cond     *when;
    ar_name_list       notify;                 /* roles: account_owner, finance_lead, ... */
    int32_t            decision_deadline_days; /* the owner decides within this many days */
    int                recovery_plan;          /* 1: ask for a recovery plan */
    int                blocker_summary;        /* 1: include what blocks payment */
    const ar_template *tmpl;                   /* internal message; NULL = the built-in summary */
} ar_escalation_rule;

typedef struct ar_escalation {
    const ar_escalation_rule *rules;  /* in order; every matching rule fires once per invoice */
    uint32_t                  rule_count;
} ar_escalation;

enum { AR_ORDER_RISK_SCORE = 1, AR_ORDER_OPEN_AMOUNT = 2, AR_ORDER_DAYS_OVERDUE = 3 };

/* An overdue invoice enters the call queue when days_overdue >= min_days_overdue
 * and (its customer's overdue amount >= min_amount in its currency, or
 * `critical` holds). */
typedef struct ar_call_queue {
    int            enabled;
    int32_t        min_days_overdue;
    ar_money_list  min_amount;                /* a currency without an entry: only `critical` */
    const ar_cond *critical;                  /* NULL = none */
    int32_t        max_per_collector_per_day;
    int            order;                     /* AR_ORDER_* */
} ar_call_queue;

enum { AR_CATCH_UP_LATEST_ONLY = 1, AR_CATCH_UP_ALL = 2, AR_CATCH_UP_SKIP = 3 };

typedef struct ar_guardrails {
    int32_t                max_touches_per_7_days;   /* customer-facing messages per customer */
    int32_t                min_days_between_touches;
    int32_t                quiet_start, quiet_end;   /* minutes after midnight, customer's zone; -1 = none */
    int32_t                window_start, window_end; /* send window, minutes; end exclusive */
    uint32_t               window_days;              /* ARCHASE_WEEKDAY_BIT bits allowed to send */
    int                    business_days_only;       /* send only on business days of `calendar` */
    const ar_calendar_def *calendar;
    int                    one_step_per_day;         /* never two steps to one customer on one day */
    int                    consolidate;              /* one message per customer and channel per day */
    int                    catch_up;                 /* AR_CATCH_UP_* */
    const char            *timezone;                 /* IANA zone of customers without one */
} ar_guardrails;

enum { AR_REL_CONTINUE = 1, AR_REL_SKIP = 2, AR_REL_SOFTEN = 3, AR_REL_ROUTE_TO_OWNER = 4 };

/* What each relationship flag does to an invoice's sequence. SOFTEN lowers
 * the tone one step (final -> firm -> friendly; formal stays formal) and
 * never sends sensitive steps without approval (they always need it anyway). */
typedef struct ar_relationship {
    int hold;
    int paused;
    int expansion;
    int strategic;
    int service_issue;
} ar_relationship;

/* Adaptive timing: when a customer has at least min_history settled invoices,
 * overdue steps (offset > 0) move later by the chosen percentile of days late,
 * at most max_delay_days (never earlier). */
typedef struct ar_payment_patterns {
    int     enabled;
    int32_t min_history;
    int32_t percentile;      /* 50 (median_days_late) or 80 (p80_days_late) */
    int32_t max_delay_days;
    int32_t lookback;        /* settled invoices in the pattern */
} ar_payment_patterns;

typedef struct ar_promises {
    int32_t            grace_days;           /* a promise is broken after date + grace */
    int32_t            max_open_per_invoice;
    int32_t            max_days_ahead;       /* a promise further out needs a payment plan */
    int                pause_sequence;       /* 1: covered invoices' steps wait */
    int                on_broken_action;     /* archase_action */
    int                on_broken_tone;       /* archase_tone */
    const ar_template *on_broken_template;   /* NULL = none */
    int32_t            partially_kept_percent; /* paid >= this % of the amount: partially kept */
    int32_t            broken_limit_90d;     /* this many broken in 90 days: promises stop
                                                pausing (0 = never) */
} ar_promises;

/* ---- disputes ------------------------------------------------------------ */

typedef enum ar_reason {
    AR_REASON_PRICING = 0,
    AR_REASON_SHORT_SHIP,
    AR_REASON_DAMAGED_GOODS,
    AR_REASON_MISSING_PO,
    AR_REASON_MILESTONE_NOT_ACCEPTED,
    AR_REASON_DUPLICATE_BILLING,
    AR_REASON_TAX,
    AR_REASON_OTHER,
    AR_REASON_COUNT
} ar_reason;

extern const char *const ar_reason_names[AR_REASON_COUNT];

typedef struct ar_playbook {
    int                defined;         /* 1 when the policy wrote it; else defaults */
    const char        *owner_role;      /* who works the dispute */
    int32_t            sla_days;        /* resolve within */
    ar_name_list       evidence;        /* checklist */
    const ar_template *tmpl;            /* acknowledgement to the customer; NULL = none */
    ar_money_list      approval_limit;  /* credits up to this need no approval */
} ar_playbook;

enum { AR_REMAINDER_CONTINUE = 1, AR_REMAINDER_PAUSE = 2 };

typedef struct ar_disputes {
    int         undisputed_remainder;          /* AR_REMAINDER_*: what the rest of the invoice does */
    int32_t     sla_reminder_days;             /* remind the owner this many days before the SLA */
    ar_playbook playbooks[AR_REASON_COUNT];    /* indexed by ar_reason, always filled */
} ar_disputes;

/* ---- reconciliation and credit ------------------------------------------- */

typedef struct ar_reconciliation {
    const char *owner_role;        /* who works the queue */
    int32_t     sla_days;          /* resolve within */
    int32_t     short_pay_percent; /* a payment leaving at most this % open is a short-pay */
} ar_reconciliation;

typedef struct ar_credit {
    ar_money_list      min_limit;                  /* the band per currency; none = no floor */
    ar_money_list      max_limit;                  /* none = no ceiling */
    int32_t            max_raise_percent;          /* one recommendation raises at most this */
    int32_t            max_lower_percent;          /* and lowers at most this */
    int32_t            target_utilisation_percent; /* exposure / limit aimed at */
    int32_t            hold_utilisation_percent;   /* at or above: credit hold */
    int32_t            hold_broken_promises;       /* this many broken in 90 days: hold (0 = never) */
    int32_t            notice_days;                /* notice before a hold takes effect */
    const ar_template *notice_template;            /* the proactive notice; NULL = none */
} ar_credit;

/* ---- approvals and fees -------------------------------------------------- */

/* Approvals needed for one action. */
typedef struct ar_approval_rule {
    int          action;          /* archase_action */
    uint32_t     approvers_below; /* below materiality */
    uint32_t     approvers_above; /* at or above materiality */
    ar_name_list roles;           /* who may approve; never the requester */
    uint32_t     expiry_days;
} ar_approval_rule;

typedef struct ar_fast_lane {
    int           enabled;
    ar_money_list max_amount;     /* requests below this (in their currency) */
    const ar_cond *when;          /* and for which this holds (NULL = always) */
    uint32_t      approvers;      /* need this many approvals (at least 1) */
    ar_name_list  roles;
    uint32_t      expiry_hours;
} ar_fast_lane;

typedef struct ar_approvals {
    ar_money_list           materiality;
    uint32_t                sensitive;   /* bit (1 << action) for each sensitive action */
    const ar_approval_rule *rules;       /* one per sensitive action, in action order */
    uint32_t                rule_count;
    ar_fast_lane            fast_lane;
} ar_approvals;

/* The rule for `action`, or NULL when the action is not sensitive. */
const ar_approval_rule *ar_approvals_rule(const ar_approvals *a, int action);
/* Approvals `action` on `amount` needs: 0 when not sensitive; else the
 * rule's below/above count by the materiality threshold in the amount's
 * currency (a currency without a threshold counts as above). */
uint32_t ar_approvals_required(const ar_approvals *a, int action, const archase_money *amount);

enum { AR_STATUTORY_NONE = 0, AR_STATUTORY_EU = 1, AR_STATUTORY_UK = 2 };
enum { AR_DAY_COUNT_365 = 365, AR_DAY_COUNT_360 = 360 };

/* A fixed compensation band: invoices with open amount below `below` (or any
 * amount when below.currency is "") get `amount`. Bands are in order. */
typedef struct ar_fee_band {
    archase_money below;
    archase_money amount;
} ar_fee_band;

/* A fee pack. Interest = open amount x (reference_rate_bp + margin_bp) / 10000
 * x days / day_count (archase_money_apply_rate). Every fee is approval-gated. */
typedef struct ar_fee_pack {
    const char        *name;
    int                statutory;          /* AR_STATUTORY_*: where the defaults came from */
    const ar_cond     *when;               /* NULL = every invoice */
    int32_t            min_days_overdue;
    int                interest;           /* 1 when the pack charges interest */
    int32_t            reference_rate_bp;  /* basis points, as the host publishes them */
    int32_t            margin_bp;
    int                day_count;          /* AR_DAY_COUNT_* */
    const ar_fee_band *compensation;       /* fixed sums; count 0 = none */
    uint32_t           compensation_count;
} ar_fee_pack;

typedef struct ar_fees {
    const ar_fee_pack *packs;
    uint32_t           pack_count;
} ar_fees;

typedef struct ar_templates {
    const char        *default_locale;
    uint32_t           sms_max_length;
    const ar_template *items;   /* sorted by name */
    uint32_t           count;
} ar_templates;

/* ---- delivery ------------------------------------------------------------ */

/* How the daily cycle delivers: retries, copilot review, weekly digests. */
typedef struct ar_delivery_settings {
    uint32_t     max_attempts;          /* delivery attempts before an item is dead */
    uint32_t     retry_backoff_seconds; /* the first retry's delay; doubled after each */
    int          review;                /* 1: customer messages are drafts for review */
    ar_name_list review_segments;       /* segments whose messages are always drafts */
    ar_name_list automatic_segments;    /* segments sent automatically even under review */
    int          digest_weekday;        /* ISO weekday of the owners' digest; 0 = none */
} ar_delivery_settings;

/* ---- the policy ---------------------------------------------------------- */

struct archase_policy {
    const archase_allocator *allocator;
    ar_arena                 arena;           /* everything below lives here */
    ar_symtab                symbols;
    int                      version;         /* 1 */
    const char              *name;            /* "" when none */
    char                     default_currency[4];
    const char *const       *currencies;      /* accepted currencies; count 0 = any */
    uint32_t                 currency_count;
    uint8_t                  hash[32];

    const ar_calendar_def   *calendars;
    uint32_t                 calendar_count;
    const ar_segment        *segments;        /* evaluation order */
    uint32_t                 segment_count;
    ar_risk_score            risk;
    const ar_sequence       *sequences;
    uint32_t                 sequence_count;
    ar_escalation            escalation;
    ar_call_queue            call_queue;
    ar_guardrails            guardrails;
    ar_relationship          relationship;
    ar_payment_patterns      payment_patterns;
    ar_promises              promises;
    ar_disputes              disputes;
    ar_reconciliation        reconciliation;
    ar_credit                credit;
    ar_delivery_settings     delivery;
    ar_approvals             approvals;
    ar_fees                  fees;
    ar_templates             templates;

    ar_field_set             fields_used;     /* every field a condition or driver reads */

    const char *const       *setting_paths;   /* the canonical form, sorted by path */
    const char *const       *setting_values;
    uint32_t                 setting_count;
};

/* The id of a name in this policy, or AR_SYM_NONE (never equal to a literal). */
ar_sym ar_policy_symbol_lookup(const archase_policy *p, const char *s, size_t len);

/* Lookups by name; NULL when there is none. */
const ar_template *ar_policy_template(const archase_policy *p, const char *name);
const ar_sequence *ar_policy_sequence(const archase_policy *p, const char *name);
const ar_segment *ar_policy_segment(const archase_policy *p, const char *name);

/* The template of `stage` in `tone` written for `channel` (the engine uses it
 * when a relationship rule softens a step's tone), or NULL. */
const ar_template *ar_policy_template_for(const archase_policy *p, const char *stage, int tone,
                                          int channel);

/* The tone one step softer (final -> firm -> friendly; friendly and formal stay). */
int ar_tone_soften(int tone);

#endif
