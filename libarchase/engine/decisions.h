/* libarchase/engine/decisions.h — the result of an evaluation as the library
 * holds it: decisions, cadence updates and assessments in flat arrays, with
 * the strings they show pointing into the snapshot and the policy.
 *
 * evaluate.c fills it (through the emit helpers below); decisions.c answers
 * the public accessors and encodes it; worklist.c and apply.c read it. */
#ifndef AR_ENGINE_DECISIONS_H
#define AR_ENGINE_DECISIONS_H

#include <stdint.h>

#include "archase/evaluate.h"
#include "core/buf.h"
#include "core/canon.h"
#include "engine/cadence_store.h"
#include "engine/snapshot.h"
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
    AR_FN_OPEN_INVOICE,          /* call context: an open invoice (money) */
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

typedef struct ar_fact_item {
    uint16_t    name;
    uint8_t     type;      /* archase_value_type */
    uint32_t    invoice;   /* snapshot invoice index, AR_IDX_NONE = the customer */
    int64_t     number;
    char        currency[4];
    const char *text;      /* TEXT facts, and the text of context items */
    const char *link;      /* a source document */
} ar_fact_item;

typedef struct ar_target {
    uint32_t invoice;      /* snapshot invoice index */
    int64_t  disputed;     /* the part under dispute when it was decided */
} ar_target;

typedef struct ar_decision {
    uint8_t         kind, action, channel, tone;
    uint8_t         recovery_plan, fast_lane, driver_count;
    uint8_t         drivers[AR_RISK_TOP];       /* indexes into policy->risk.drivers */
    int32_t         driver_points[AR_RISK_TOP];
    int32_t         score;                      /* -1 = not scored */
    uint32_t        customer;                   /* snapshot customer index */
    uint32_t        target_first, target_count; /* into targets[] */
    uint32_t        fact_first, fact_count;     /* into facts[] */
    uint32_t        role_first, role_count;     /* into roles[] */
    uint32_t        key, rule;                  /* offsets into text */
    uint32_t        zone;                       /* snapshot zone index, AR_IDX_NONE = none */
    uint32_t        approvers;
    uint32_t        payload;                    /* into hashes[], AR_IDX_NONE = none */
    ar_reasons      reasons;
    const char     *contact_id, *template_name, *segment, *sequence, *step, *owner;
    archase_date    due_by;
    archase_date    local_date;
    int32_t         local_seconds;
    archase_instant scheduled_at;
    int64_t         amount;
    char            currency[4];
} ar_decision;

/* What evaluation found for one open invoice (by position in snapshot order). */
typedef struct ar_assess {
    uint16_t     segment;                 /* index into policy->segments */
    int16_t      score;
    uint8_t      coverage, reason;        /* archase_coverage_state, archase_reason */
    uint8_t      top_count;
    uint8_t      top[AR_RISK_TOP];
    int32_t      top_points[AR_RISK_TOP];
    int32_t      step_index;
    uint32_t     next_step;               /* index into the sequence's steps, AR_IDX_NONE */
    archase_date next_date;
    int64_t      disputed;
    uint32_t     dec_first, dec_count;    /* into invoice_decisions[] */
} ar_assess;

/* A new cadence state. */
typedef struct ar_update {
    uint32_t     invoice;         /* snapshot invoice index, AR_IDX_NONE for a closed one */
    uint32_t     cadence;         /* the snapshot state it replaces, AR_IDX_NONE = none */
    uint8_t      status, reason;
    const char  *sequence, *last_step, *next_step, *promise_routed;
    int32_t      last_offset, notice_offset;
    archase_date last_date, next_date, call_queued;
    uint32_t     esc_first, esc_count; /* into escalated[] */
} ar_update;

struct archase_decisions {
    archase_allocator       allocator;
    const archase_snapshot *snap;
    const archase_policy   *policy;
    archase_date            as_of;
    uint8_t                 policy_hash[32];
    uint32_t                default_zone;  /* snapshot zone index of the policy's zone */

    ar_decision  *d;          size_t n, cap;
    ar_target    *targets;    size_t target_n, target_cap;
    ar_fact_item *facts;      size_t fact_n, fact_cap;
    const char  **roles;      size_t role_n, role_cap;
    uint8_t     (*hashes)[32]; size_t hash_n, hash_cap;
    ar_buf        text;       /* keys and rule paths, NUL-terminated */
    ar_update    *updates;    size_t update_n, update_cap;
    const char  **escalated;  size_t esc_n, esc_cap;
    ar_assess    *assess;     /* one per open invoice, in snapshot order */
    uint32_t     *position;   /* invoice index -> assessment index */
    uint32_t     *invoice_decisions; /* decision indexes, grouped by assessment */
};

/* Appends a string to ds->text and returns its offset; on failure the
 * buffer's sticky error is set (checked once at the end). */
uint32_t ar_ds_text(archase_decisions *ds, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline const char *ar_ds_str(const archase_decisions *ds, uint32_t off) {
    return (const char *)ds->text.data + off;
}

/* The decision of a customer being built: append one, then its targets,
 * facts and roles (all go after the last decision's). 0 or ARCHASE_ENOMEM. */
int ar_ds_begin(archase_decisions *ds, uint32_t customer, int kind, ar_decision **out);
int ar_ds_target(archase_decisions *ds, uint32_t invoice, int64_t disputed);
int ar_ds_fact(archase_decisions *ds, int name, int type, uint32_t invoice, int64_t number,
               const char *currency, const char *text, const char *link);
int ar_ds_role(archase_decisions *ds, const char *role);
int ar_ds_hash(archase_decisions *ds, const uint8_t hash[32], uint32_t *index);

/* Links every assessment to the decisions about its invoice. 0 or ENOMEM. */
int ar_ds_index(archase_decisions *ds);

/* The canonical encoding of decision i into `c` (reset first; docs/engine.md,
 * "Canonical encoding"): what the daily cycle stores and audits.
 * 0 or ARCHASE_ENOMEM. */
int ar_decision_encode(const archase_decisions *ds, size_t i, ar_canon *c);

/* Update i as the record engine/cadence_store.h stores (updated_on is the
 * evaluation's date, the policy hash its policy's). */
void ar_update_record(const archase_decisions *ds, size_t i, ar_cadence_rec *out);

#endif
