/* libarchase/policy/schema.h — reading the schema: typed values with their
 * YAML path, every problem reported with file:line:column.
 *
 * The loader walks the document tree (policy/ytree.h) section by section.
 * Each reader below takes a mapping and a key, reports a problem at the
 * value's position as "path.to.key: message", and keeps going, so one run
 * reports every problem (up to the diagnostics list's limit). */
#ifndef AR_POLICY_SCHEMA_H
#define AR_POLICY_SCHEMA_H

#include <stdint.h>

#include "archase/diag.h"
#include "policy/policy_internal.h"
#include "policy/ytree.h"

/* Every mapping of the schema and the keys it takes. The loader rejects
 * other keys; the documentation test checks that every key is documented. */
typedef enum ar_keyset {
    AR_KEYS_ROOT = 0,
    AR_KEYS_CURRENCY,
    AR_KEYS_CALENDAR,
    AR_KEYS_SEGMENT,
    AR_KEYS_RISK_SCORE,
    AR_KEYS_DRIVER,
    AR_KEYS_SEQUENCE,
    AR_KEYS_STEP,
    AR_KEYS_ESCALATION,
    AR_KEYS_ESCALATION_RULE,
    AR_KEYS_CALL_QUEUE,
    AR_KEYS_GUARDRAILS,
    AR_KEYS_QUIET_HOURS,
    AR_KEYS_SEND_WINDOW,
    AR_KEYS_RELATIONSHIP,
    AR_KEYS_PAYMENT_PATTERNS,
    AR_KEYS_PROMISES,
    AR_KEYS_ON_BROKEN,
    AR_KEYS_DISPUTES,
    AR_KEYS_PLAYBOOK,
    AR_KEYS_APPROVALS,
    AR_KEYS_APPROVAL_RULE,
    AR_KEYS_FAST_LANE,
    AR_KEYS_FEES,
    AR_KEYS_FEE_PACK,
    AR_KEYS_INTEREST,
    AR_KEYS_BAND,
    AR_KEYS_TEMPLATES,
    AR_KEYS_TEMPLATE,
    AR_KEYS_TEXT,
    AR_KEYS_RECONCILIATION,
    AR_KEYS_CREDIT,
    AR_KEYS_DELIVERY,
    AR_KEYS_COUNT
} ar_keyset;

typedef struct ar_schema_keys {
    const char        *where; /* "sequences.NAME.steps[]" */
    const char *const *keys;  /* NULL-terminated */
} ar_schema_keys;

extern const ar_schema_keys ar_schema[AR_KEYS_COUNT];

#define AR_PATH_MAX 512

/* The loader's state. */
typedef struct ar_load {
    archase_policy    *p;
    ar_arena          *arena;    /* the policy's */
    ar_arena           scratch;  /* the tree and temporaries; freed after loading */
    const char        *source;
    const char        *text;     /* the document, to place problems inside block text */
    size_t             text_size;
    archase_diag_list *diags;
    int                errors;
    int                rc;       /* ARCHASE_ENOMEM once memory ran out */
    char               path[AR_PATH_MAX];
    size_t             path_len;
    const char *const *segment_names;   /* for `segment == NAME` in later conditions */
    uint32_t           segment_count;
    const ar_ynode   **segment_sequence; /* each segment's `sequence` value, until resolved */
} ar_load;

/* ---- paths and problems --------------------------------------------------- */

/* Appends ".key" ("key" at the top) / "[i]" to the path and
 * returns the length to restore with ar_path_restore. */
size_t ar_path_key(ar_load *L, const char *key, size_t len);
size_t ar_path_index(ar_load *L, uint32_t i);
void   ar_path_restore(ar_load *L, size_t len);

/* Reports a problem at `at` ("file:line:column: path: message"). */
void ar_problem(ar_load *L, const ar_ynode *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Reports a problem at an explicit position. */
void ar_problem_at(ar_load *L, uint32_t line, uint32_t column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Records that memory ran out (the load then fails with ARCHASE_ENOMEM). */
void ar_oom(ar_load *L);

/* ---- structure ------------------------------------------------------------ */

/* 1 when `node` is a mapping (a list), else reports what was expected. */
int ar_expect_map(ar_load *L, const ar_ynode *node);
int ar_expect_seq(ar_load *L, const ar_ynode *node);
/* Reports every key of `map` outside `set`, with a "did you mean". */
void ar_check_keys(ar_load *L, const ar_ynode *map, ar_keyset set);
/* The value of `key` or NULL; when `required` and absent, reports it. */
const ar_ynode *ar_get(ar_load *L, const ar_ynode *map, const char *key, int required);

/* ---- typed values ----------------------------------------------------------
 * Each reads `key` of `map`. Absent: *out keeps its default and the result is
 * 0 (or a problem when `required`). Present: the value is checked and stored;
 * a bad value is reported and the result is -1 (*out unchanged). */
int ar_read_int(ar_load *L, const ar_ynode *map, const char *key, int required, int64_t min,
                int64_t max, int64_t *out);
int ar_read_i32(ar_load *L, const ar_ynode *map, const char *key, int required, int32_t min,
                int32_t max, int32_t *out);
int ar_read_bool(ar_load *L, const ar_ynode *map, const char *key, int required, int *out);
/* Text of any kind; copied into the policy. Empty text is an error. */
int ar_read_text(ar_load *L, const ar_ynode *map, const char *key, int required, const char **out);
/* A name: letters, digits, '_' and '-' (and '+' when `plus`), at most 64. */
int ar_read_name(ar_load *L, const ar_ynode *map, const char *key, int required, const char **out);
/* One of `names` (NULL-terminated); *out is `values[i]` of the match. */
int ar_read_enum(ar_load *L, const ar_ynode *map, const char *key, int required,
                 const char *const *names, const int *values, int *out);
int ar_read_money(ar_load *L, const ar_ynode *map, const char *key, int required, archase_money *out);
/* A list of amounts, at most one per currency. */
int ar_read_money_list(ar_load *L, const ar_ynode *map, const char *key, ar_money_list *out);
/* A list of names (roles, evidence). */
int ar_read_name_list(ar_load *L, const ar_ynode *map, const char *key, ar_name_list *out);
/* "HH:MM" as minutes after midnight. */
int ar_read_time(ar_load *L, const ar_ynode *map, const char *key, int required, int32_t *out);
/* A condition compiled against the catalogue; fields in `forbidden` are
 * refused with `why`. */
int ar_read_cond(ar_load *L, const ar_ynode *map, const char *key, int required,
                 const ar_field_set *forbidden, const char *why, const ar_cond **out);
/* A template name that must exist in the policy; `channel` (0 = any) must be
 * one it is written for. */
int ar_read_template(ar_load *L, const ar_ynode *map, const char *key, int required, int channel,
                     const ar_template **out);
/* A calendar name that must exist. */
int ar_read_calendar(ar_load *L, const ar_ynode *map, const char *key, int required,
                     const ar_calendar_def **out);

/* Name tables shared by the readers and the canonical form. */
extern const char *const ar_channel_names[];   /* by archase_channel; [0] NULL */
extern const char *const ar_tone_names[];      /* by archase_tone */
extern const char *const ar_action_names[];    /* by archase_action */
extern const char *const ar_roll_names[];      /* by archase_roll */
extern const char *const ar_relationship_names[];
extern const char *const ar_catch_up_names[];
extern const char *const ar_order_names[];
extern const char *const ar_weekday_names[];   /* [1] "mon" .. [7] "sun" */

/* ---- sections --------------------------------------------------------------
 * In load order; each reads its section of `root` (absent sections get their
 * defaults) into L->p. */
void ar_load_calendars(ar_load *L, const ar_ynode *root);
void ar_load_templates(ar_load *L, const ar_ynode *root);
void ar_load_guardrails(ar_load *L, const ar_ynode *root);
void ar_load_segments(ar_load *L, const ar_ynode *root);   /* names only; sequences later */
void ar_load_fees(ar_load *L, const ar_ynode *root);
void ar_load_approvals(ar_load *L, const ar_ynode *root);   /* before sequences: steps know what is sensitive */
void ar_load_risk_score(ar_load *L, const ar_ynode *root);
void ar_load_sequences(ar_load *L, const ar_ynode *root);  /* also resolves segments */
void ar_load_escalation(ar_load *L, const ar_ynode *root);
void ar_load_call_queue(ar_load *L, const ar_ynode *root);
void ar_load_relationship(ar_load *L, const ar_ynode *root);
void ar_load_payment_patterns(ar_load *L, const ar_ynode *root);
void ar_load_promises(ar_load *L, const ar_ynode *root);
void ar_load_disputes(ar_load *L, const ar_ynode *root);
void ar_load_reconciliation(ar_load *L, const ar_ynode *root);
void ar_load_credit(ar_load *L, const ar_ynode *root);
void ar_load_delivery(ar_load *L, const ar_ynode *root); /* after segments */

/* Builds the canonical form (the settings) and the hash. 0 or ARCHASE_ENOMEM. */
int ar_policy_describe(ar_load *L);

#endif
