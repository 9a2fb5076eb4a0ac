/* include/archase/policy.h — collection policies: load, hash, inspect.
 *
 * A policy is one YAML document (schema version 1, docs/policy-reference.md)
 * holding a finance team's whole chase logic: segments, risk score, chase
 * sequences, escalation, call queue, guardrails, relationship rules, payment
 * patterns, promises, disputes, approvals, fees and templates.
 *
 * Loading is strict: unknown or duplicate keys, wrong types, out-of-range
 * values, undefined names, anchors, aliases, tags, documents deeper than
 * `max_depth` or larger than `max_size` are errors, each reported as a
 * diagnostic "file:line:column: path: message" (up to the list's limit, 20 by
 * default). A policy that loads evaluates without run-time errors.
 *
 * A loaded policy is immutable: it may be shared by any number of threads
 * and engines. It is identified by the SHA-256 of its canonical form, which
 * does not depend on key order, comments, quoting or layout.
 */
#ifndef ARCHASE_POLICY_H
#define ARCHASE_POLICY_H

#include "archase/common.h"
#include "archase/diag.h"
#include "archase/ledger.h"
#include "archase/money.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct archase_policy archase_policy;

/* The schema version this library reads. */
#define ARCHASE_POLICY_SCHEMA_VERSION 1

#define ARCHASE_POLICY_MAX_SIZE_DEFAULT  ((size_t)1024 * 1024)
#define ARCHASE_POLICY_MAX_DEPTH_DEFAULT 64

typedef struct archase_policy_options {
    unsigned                 version;   /* ARCHASE_POLICY_OPTIONS_VERSION */
    const archase_allocator *allocator; /* NULL = default; kept by the policy */
    size_t                   max_size;  /* largest document in bytes; 0 = 1 MiB */
    uint32_t                 max_depth; /* deepest nesting; 0 = 64 */
} archase_policy_options;
#define ARCHASE_POLICY_OPTIONS_VERSION 1
#define ARCHASE_POLICY_OPTIONS_INIT { ARCHASE_POLICY_OPTIONS_VERSION, NULL, 0, 0 }
/* Fills `opts` with the defaults. Returns 0, ARCHASE_EINVAL or ARCHASE_EVERSION. */
ARCHASE_API int archase_policy_options_init(archase_policy_options *opts, unsigned version);

/* Loads and validates the policy in file `path`. `opts` may be NULL; `diags`
 * (may be NULL) receives every problem found. Returns 0 and *out (free it
 * with archase_policy_free), ARCHASE_EPOLICY (invalid: see `diags`),
 * ARCHASE_ENOTFOUND (no such file), ARCHASE_EIO (cannot be read),
 * ARCHASE_ENOMEM, ARCHASE_EINVAL or ARCHASE_EVERSION. *out is written only
 * on success. */
ARCHASE_API int archase_policy_load_file(const char *path, const archase_policy_options *opts,
                                         archase_policy **out, archase_diag_list *diags);

/* Loads `size` bytes of policy text; `source_name` names it in diagnostics
 * (NULL = "<buffer>"). Returns as archase_policy_load_file, without
 * ARCHASE_ENOTFOUND and ARCHASE_EIO. */
ARCHASE_API int archase_policy_load_buffer(const void *data, size_t size, const char *source_name,
                                           const archase_policy_options *opts,
                                           archase_policy **out, archase_diag_list *diags);

/* Frees a policy; NULL is allowed. */
ARCHASE_API void archase_policy_free(archase_policy *policy);

/* The SHA-256 of the policy's canonical form (docs/policy-reference.md,
 * "Canonical form and hash"). Returns 0 or ARCHASE_EINVAL. */
ARCHASE_API int archase_policy_hash(const archase_policy *policy, uint8_t out[32]);

/* ---- vocabulary ---------------------------------------------------------- */

/* The tone of a message. */
typedef enum archase_tone {
    ARCHASE_TONE_FRIENDLY = 1,
    ARCHASE_TONE_FIRM = 2,
    ARCHASE_TONE_FINAL = 3,
    ARCHASE_TONE_FORMAL = 4
} archase_tone;

/* What a step (or a rule) does. Values from LEGAL_NOTICE on are sensitive:
 * always approval-gated, whatever the policy says. */
typedef enum archase_action {
    ARCHASE_ACTION_SEND_MESSAGE = 1,
    ARCHASE_ACTION_QUEUE_CALL = 2,
    ARCHASE_ACTION_ALERT_OWNER = 3,
    ARCHASE_ACTION_ESCALATE = 4,
    ARCHASE_ACTION_LEGAL_NOTICE = 5,
    ARCHASE_ACTION_CREDIT_HOLD = 6,
    ARCHASE_ACTION_SERVICE_SUSPENSION = 7,
    ARCHASE_ACTION_WRITE_OFF = 8,
    ARCHASE_ACTION_LATE_FEE = 9,
    ARCHASE_ACTION_INTEREST = 10,
    ARCHASE_ACTION_CREDIT_LIMIT_DECREASE = 11,
    ARCHASE_ACTION_PAYMENT_PLAN = 12,
    ARCHASE_ACTION_OVERRIDE = 13
} archase_action;
#define ARCHASE_ACTION_MAX 13

/* The name written in policies ("legal_notice"), or NULL for an unknown value. */
ARCHASE_API const char *archase_action_name(int action);
ARCHASE_API const char *archase_tone_name(int tone);
/* 1 when `action` is in the built-in sensitive list, else 0. */
ARCHASE_API int archase_action_is_sensitive(int action);

/* ---- introspection --------------------------------------------------------
 * Strings point into the policy and live as long as it does. Indexes count
 * from 0; functions taking one return ARCHASE_ERANGE past the end and
 * ARCHASE_EINVAL for NULL arguments. */

/* The `version` the policy declares (1). */
ARCHASE_API int archase_policy_version(const archase_policy *policy);
/* The policy's `name` ("" when it has none). */
ARCHASE_API const char *archase_policy_name(const archase_policy *policy);
/* The default currency (`currency.default`), e.g. "EUR". */
ARCHASE_API const char *archase_policy_default_currency(const archase_policy *policy);
/* The default locale of templates (`templates.default_locale`), e.g. "en". */
ARCHASE_API const char *archase_policy_default_locale(const archase_policy *policy);

typedef struct archase_policy_segment_info {
    const char *name;
    const char *condition; /* canonical text; NULL for the catch-all */
    const char *sequence;  /* the sequence it runs */
} archase_policy_segment_info;
/* Segments in evaluation order (first match wins; the last is the catch-all). */
ARCHASE_API size_t archase_policy_segment_count(const archase_policy *policy);
ARCHASE_API int archase_policy_segment(const archase_policy *policy, size_t i,
                                       archase_policy_segment_info *out);

typedef struct archase_policy_sequence_info {
    const char *name;
    const char *calendar;   /* business-day calendar used to roll dates */
    int         roll;       /* archase_roll */
    size_t      step_count;
} archase_policy_sequence_info;
ARCHASE_API size_t archase_policy_sequence_count(const archase_policy *policy);
ARCHASE_API int archase_policy_sequence(const archase_policy *policy, size_t i,
                                        archase_policy_sequence_info *out);

typedef struct archase_policy_step_info {
    const char *id;          /* stable within its sequence ("d+7" unless named) */
    int32_t     offset;      /* days from the due date; negative before it */
    int         channel;     /* archase_channel */
    int         action;      /* archase_action */
    int         tone;        /* archase_tone */
    const char *template_name; /* NULL when the step sends nothing */
    const char *condition;   /* canonical text, NULL when unconditional */
    int         roll;        /* archase_roll */
    int         sensitive;   /* 1: needs approval before it is carried out */
} archase_policy_step_info;
ARCHASE_API int archase_policy_step(const archase_policy *policy, size_t sequence, size_t step,
                                    archase_policy_step_info *out);

typedef struct archase_policy_approval_info {
    int      action;          /* archase_action */
    uint32_t approvers_below; /* approvals needed below the materiality threshold */
    uint32_t approvers_above; /* ... at or above it */
    size_t   role_count;      /* roles that may approve */
    uint32_t expiry_days;
} archase_policy_approval_info;
/* One entry per sensitive action, in archase_action order: the approvals it needs. */
ARCHASE_API size_t archase_policy_approval_count(const archase_policy *policy);
ARCHASE_API int archase_policy_approval(const archase_policy *policy, size_t i,
                                        archase_policy_approval_info *out);
/* The j-th role allowed to approve the i-th entry. */
ARCHASE_API const char *archase_policy_approval_role(const archase_policy *policy, size_t i,
                                                     size_t j);
/* Materiality thresholds, one per currency, in currency order. */
ARCHASE_API size_t archase_policy_materiality_count(const archase_policy *policy);
ARCHASE_API int archase_policy_materiality(const archase_policy *policy, size_t i,
                                           archase_money *out);

/* The sensitive actions (built-in ones and those the policy adds), in
 * archase_action order. */
ARCHASE_API size_t archase_policy_sensitive_action_count(const archase_policy *policy);
ARCHASE_API int archase_policy_sensitive_action(const archase_policy *policy, size_t i, int *action);

typedef struct archase_policy_template_info {
    const char *name;
    const char *stage;
    int         tone;          /* archase_tone */
    uint32_t    channel_mask;  /* bit (1 << archase_channel) per channel written */
    size_t      variant_count; /* channel and locale combinations */
} archase_policy_template_info;
ARCHASE_API size_t archase_policy_template_count(const archase_policy *policy);
ARCHASE_API int archase_policy_template(const archase_policy *policy, size_t i,
                                        archase_policy_template_info *out);

typedef struct archase_policy_calendar_info {
    const char *name;
    uint32_t    weekend_mask;  /* ARCHASE_WEEKDAY_BIT bits (archase/date.h) */
    size_t      holiday_count;
} archase_policy_calendar_info;
ARCHASE_API size_t archase_policy_calendar_count(const archase_policy *policy);
ARCHASE_API int archase_policy_calendar(const archase_policy *policy, size_t i,
                                        archase_policy_calendar_info *out);

/* The canonical form as (path, value) settings: every value the policy
 * resolves to, defaults included, e.g. ("sequences.standard.steps[d+7].tone",
 * "firm"). Sorted by path; the hash is over exactly these. Lets a reviewer
 * (`archase policy diff`) or a binding compare two policies. */
ARCHASE_API size_t archase_policy_setting_count(const archase_policy *policy);
ARCHASE_API int archase_policy_setting(const archase_policy *policy, size_t i, const char **path,
                                       const char **value);

#ifdef __cplusplus
}
#endif
#endif
