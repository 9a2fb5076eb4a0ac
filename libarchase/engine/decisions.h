/* libarchase/engine/decisions.h — the result of an evaluation as the library
 * holds it: decisions, cadence updates and assessments in flat arrays, with
 * the strings they show pointing into the snapshot and the policy.
 *
 * evaluate.c fills it (through the emit helpers below); decisions.c answers
 * the public accessors and encodes it; worklist.c and apply.c read it. */
#ifndef AR_ENGINE_DECISIONS_H
#define AR_ENGINE_DECISIONS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "archase/evaluate.h"
#include "core/buf.h"
#include "core/canon.h"
#include "engine/cadence_store.h"
#include "engine/snapshot.h"
#include "kpi/strtab.h"
#include "policy/policy_internal.h"

/* Reasons as a set: bit r of word r / 64. */
#define AR_REASON_WORDS 2
typedef struct ar_reasons {
    uint64_t bits[AR_REASON_WORDS];
} ar_reasons;

static inline void ar_reasons_add(ar_reasons *r, int reason) {
    r->bits[reason / 64] |= (uint64_t)1 << (reason % 64);
}
static inline int ar_reasons_has(const ar_reasons *r, int reason) {
    return (int)((r->bits[reason / 64] >> (reason % 64)) & 1u);
}
static inline void ar_reasons_merge(ar_reasons *to, const ar_reasons *from) {
    for (int i = 0; i < AR_REASON_WORDS; i++)
        to->bits[i] |= from->bits[i];
}
size_t ar_reasons_count(const ar_reasons *r);
/* The j-th reason in code order, or 0. */
int ar_reasons_at(const ar_reasons *r, size_t j);

/* Names of facts that are not condition fields (those use their field's
 * number, 0 .. AR_FIELD_COUNT - 1). */
enum {
    AR_FN_STEP = AR_FIELD_COUNT, /* the step an invoice is at (text) */
    AR_FN_STEP_DATE,             /* the day the step was due (date) */
    AR_FN_PATTERN_DELAY,         /* days the step moved for the payment pattern */
    AR_FN_ON_TIME_PERCENT,       /* the pattern's on-time share */
    AR_FN_OPEN_INVOICE,          /* call context: an open invoice (money; its number as text) */
    AR_FN_LAST_TOUCH,            /* call context: a recent message (date; channel as text) */
    AR_FN_PROMISE,               /* a promise (money; id as text) */
    AR_FN_PROMISE_DATE,          /* its date */
    AR_FN_PROMISE_PAID,          /* paid toward it by its deadline */
    AR_FN_DISPUTE,               /* a dispute (money; reason code as text) */
    AR_FN_NOTE,                  /* a note (text) */
    AR_FN_FLAGS_REASON,          /* why the relationship flags are set (text) */
    AR_FN_PAUSED_UNTIL,          /* collections paused until (date) */
    AR_FN_DECISION_DEADLINE,     /* escalations: decide by (date) */
    AR_FN_TIMEZONE,              /* the zone a message was scheduled in (text) */
    AR_FN_COUNT
};
/* The name of fact `name` ("days_overdue", "open_invoice", ...). */
const char *ar_fact_name(int name);

/* One fact, as the accessors and the encoding see it. Facts are not stored:
 * they are a view over the snapshot (see ar_decision_facts). */
typedef struct ar_fact_item {
    uint16_t    name;
    uint8_t     type;      /* archase_value_type */
    uint32_t    invoice;   /* snapshot invoice index, AR_IDX_NONE = the customer */
    int64_t     number;
    char        currency[4];
    const char *text;      /* TEXT facts, and the text of context items */
} ar_fact_item;

/* Which groups of facts a decision shows (ar_decision.facts). */
enum {
    AR_FACTS_PATTERN = 1,      /* the payment pattern that delayed it */
    AR_FACTS_RELATIONSHIP = 2, /* the relationship flags' reason and pause */
    AR_FACTS_MESSAGE = 4,      /* the zone it was scheduled in, touches in 7 days */
    AR_FACTS_DEADLINE = 8,     /* an escalation's decision deadline (= due_by) */
    AR_FACTS_CONTEXT = 16      /* what a person needs: open items, touches, promises,
                                  disputes, notes, the payment pattern */
};

#define AR_STEP_NONE UINT16_MAX
/* ar_decision.key_extra: the lead invoice's id (a message not consolidated). */
#define AR_KEY_LEAD (UINT32_MAX - 1)

/* One invoice a decision is about. */
typedef struct ar_target {
    uint32_t     invoice;   /* snapshot invoice index */
    archase_date step_date; /* the day its step was due, NONE when it has none */
    uint16_t     step;      /* its step in its sequence, AR_STEP_NONE when none */
} ar_target;

/* Laid out without holes (112 bytes): a day-1 evaluation holds one for
 * every third open invoice. */
typedef struct ar_decision {
    uint8_t         kind, action, channel, tone;
    uint8_t         recovery_plan, fast_lane, facts;
    uint8_t         approvers;                  /* at most 5 (the policy schema) */
    uint16_t        tmpl;                       /* index into policy templates, AR_STEP_NONE */
    uint16_t        sequence, step;             /* policy sequence and step, AR_STEP_NONE */
    uint16_t        zone;                       /* snapshot zone, AR_STEP_NONE = none */
    uint32_t        customer;                   /* snapshot customer index */
    uint32_t        lead;                       /* assessment index of the lead invoice */
    uint32_t        target_first, target_count; /* into targets[] */
    uint32_t        role_first, role_count;     /* into roles[] */
    uint32_t        contact;                    /* snapshot text: the contact's id */
    uint32_t        key_extra;                  /* the key's last part (ar_decision_key):
                                                   snapshot text (a broken promise's id),
                                                   AR_KEY_LEAD or AR_STR_NONE (empty) */
    uint32_t        rule;                       /* number in rules */
    uint32_t        payload;                    /* an approval's payload: its number in
                                                   payloads[] (ar_decision_payload_hash);
                                                   AR_IDX_NONE = none */
    ar_reasons      reasons;
    const char     *owner;
    archase_date    due_by;
    archase_date    local_date;
    int32_t         local_seconds;
    char            currency[4];
    archase_instant scheduled_at;
    int64_t         amount;
} ar_decision;
_Static_assert(sizeof(ar_decision) <= 112, "ar_decision has a hole");

/* What evaluation found for one open invoice (by invoice index). */
typedef struct ar_assess {
    uint16_t     segment;                 /* index into policy->segments */
    int16_t      score;
    uint8_t      coverage, reason;        /* archase_coverage_state, archase_reason */
    uint8_t      top_count;
    uint8_t      top[AR_RISK_TOP];
    int16_t      step_index;
    uint16_t     next_step;               /* index into the sequence's steps, AR_STEP_NONE */
    int32_t      top_points[AR_RISK_TOP];
    archase_date next_date;
} ar_assess;

/* A new cadence state. Strings are policy steps by index, or, for what the
 * policy no longer names (a closed invoice's, a kept step of an older
 * sequence), the stored state's strings. */
typedef struct ar_update {
    uint32_t     invoice;         /* snapshot invoice index, AR_IDX_NONE for a closed one */
    uint32_t     cadence;         /* the snapshot state it replaces, AR_IDX_NONE = none */
    uint8_t      status, reason;
    uint16_t     sequence;        /* policy sequence, AR_STEP_NONE = the stored one's */
    uint16_t     last_step;       /* in `sequence`, AR_STEP_NONE = the stored one's (or none) */
    uint16_t     next_step;       /* in `sequence`, AR_STEP_NONE = none */
    int32_t      last_offset, notice_offset;
    archase_date last_date, next_date, call_queued;
    uint32_t     promise_routed;  /* snapshot text, AR_STR_NONE */
    uint32_t     esc_first, esc_count; /* into escalated[] */
} ar_update;

/* A disputed part, for the few invoices that have one (by assessment index). */
typedef struct ar_disputed {
    uint32_t position;
    int64_t  amount;
} ar_disputed;

struct archase_decisions {
    archase_allocator       allocator;
    const archase_snapshot *snap;
    const archase_policy   *policy;
    archase_date            as_of;
    uint8_t                 policy_hash[32];
    uint32_t                default_zone;  /* snapshot zone index of the policy's zone */

    ar_decision  *d;          size_t n, cap;
    ar_target    *targets;    size_t target_n, target_cap;
    const char  **roles;      size_t role_n, role_cap;
    char          date[ARCHASE_DATE_FORMAT_MAX]; /* as_of: the keys' first part */
    /* Keys are not held while evaluating: the first archase_decision_get
     * builds them all (under lazy_lock), for the pointers it hands out. */
    pthread_mutex_t lazy_lock;
    atomic_int    keys_built;
    char         *key_text;   /* every key, NUL-terminated */
    size_t        payload_n;  /* approvals: their payload hashes, made by the first reader */
    atomic_int    payloads_built;
    uint8_t     (*payloads)[32];
    uint32_t     *key_at;     /* decision i's key at key_text + key_at[i] */
    ar_strtab     rules;      /* rule paths, once each */
    ar_update    *updates;    size_t update_n, update_cap;
    const char  **escalated;  size_t esc_n, esc_cap;
    ar_disputed  *disputed;   size_t disputed_n, disputed_cap; /* by position */
    ar_assess    *assess;     /* one per open invoice, by invoice index */
    /* Which decisions name each invoice: not held while evaluating either,
     * built by the first accessor that needs it (under lazy_lock). */
    atomic_int    index_built;
    uint32_t     *dec_at;     /* invoice i's decisions: invoice_decisions[dec_at[i] .. dec_at[i + 1]) */
    uint32_t     *invoice_decisions; /* decision indexes, grouped by invoice */
    size_t        grow_done, grow_total; /* while evaluating: invoices done and in all */
};

/* Makes room for `need` items in a result array (cap grows, contents kept):
 * by doubling at first, then, once a sixteenth of the invoices are
 * evaluated, to what the whole evaluation will likely need at the rate so
 * far and a sixteenth more, so the arrays end close to their size instead
 * of up to twice it. 0 or ARCHASE_ENOMEM (the array unchanged). */
int ar_ds_grow(archase_decisions *ds, void **items, size_t *cap, size_t need, size_t item_size);

/* Asks the system (Linux) to back the whole 2 MiB pages inside a large
 * result array about to be written from start to end with huge pages: one
 * page fault per 2 MiB instead of one per 4 KiB. The contents and the
 * allocator's accounting are unchanged; a system that declines is not an
 * error. */
void ar_ds_huge(void *items, size_t bytes);

/* The disputed part of the invoice at assessment index `position` (0 when none). */
int64_t ar_ds_disputed(const archase_decisions *ds, uint32_t position);

/* Hands every fact of decision i to fn in their one order (docs/engine.md,
 * "Facts"): each target's days_overdue, open_amount, disputed_amount (when
 * some is), due_date, step and step_date (when it has a step); the lead
 * invoice's segment and risk_score; then, as the decision's `facts` says,
 * the pattern, the relationship, the message's zone and touches, the
 * decision deadline and the context. All from the snapshot and the policy,
 * so a fact is the same whenever it is read. fn returns 0 to go on, 1 to
 * stop; the result is 0 or fn's negative code. */
typedef int (*ar_fact_fn)(void *ctx, const ar_fact_item *fact);
int ar_decision_facts(const archase_decisions *ds, size_t i, ar_fact_fn fn, void *ctx);
/* The number of facts of decision i. */
size_t ar_decision_fact_count(const archase_decisions *ds, size_t i);

/* Decision i's key, unique in the evaluation and the same when it is run
 * again: as_of, kind, customer, rule, channel, template, tone, currency and
 * the key's last part, joined by '/'. Written into buf like snprintf (at
 * most size bytes with the NUL); returns its length without the NUL. */
size_t ar_decision_key(const archase_decisions *ds, size_t i, char *buf, size_t size);

/* The decision of a customer being built: append one, then its targets
 * (emit.c appends them to ds->targets, growing it with ar_ds_grow) and roles
 * (all go after the last decision's). 0 or ARCHASE_ENOMEM. */
int ar_ds_begin(archase_decisions *ds, uint32_t customer, int kind, ar_decision **out);
int ar_ds_role(archase_decisions *ds, const char *role);
/* The number of `path` in ds->rules. 0 or ARCHASE_ENOMEM. */
int ar_ds_rule(archase_decisions *ds, const char *path, uint32_t *out);
/* The SHA-256 of the payload approval decision i is bound to: what would
 * be done (its action), to what (customer, invoices), for how much, under
 * which policy, decided when. The first call on a result hashes every
 * approval's (under the lock keys are built with). 0 or ARCHASE_ENOMEM. */
int ar_decision_payload_hash(const archase_decisions *ds, size_t i, uint8_t out[32]);


/* The canonical encoding of decision i into `c` (reset first; docs/engine.md,
 * "Canonical encoding"): what the daily cycle stores and audits.
 * 0 or ARCHASE_ENOMEM. */
int ar_decision_encode(const archase_decisions *ds, size_t i, ar_canon *c);

/* Update i as the record engine/cadence_store.h stores (updated_on is the
 * evaluation's date, the policy hash its policy's). */
void ar_update_record(const archase_decisions *ds, size_t i, ar_cadence_rec *out);

#endif
