/* libarchase/policy/schema.c — reading the schema: keys, paths, problems and
 * typed values. */
#include "policy/schema.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "archase/errors.h"
#include "core/diag.h"
#include "core/money.h"
#include "policy/suggest.h"

/* ---- the keys of every mapping --------------------------------------------- */

static const char *const root_keys[] = { "version", "name", "currency", "calendars", "segments",
                                         "risk_score", "sequences", "escalation", "call_queue",
                                         "guardrails", "relationship", "payment_patterns",
                                         "promises", "disputes", "approvals", "fees", "templates",
                                         "reconciliation", "credit", "delivery", NULL };
static const char *const currency_keys[] = { "default", "accepted", NULL };
static const char *const calendar_keys[] = { "weekend", "holidays", NULL };
static const char *const segment_keys[] = { "name", "when", "sequence", NULL };
static const char *const risk_keys[] = { "base", "drivers", NULL };
static const char *const driver_keys[] = { "name", "when", "field", "above", "points_per_unit",
                                           "points", "cap", NULL };
static const char *const sequence_keys[] = { "calendar", "roll", "steps", NULL };
static const char *const step_keys[] = { "id", "offset", "action", "channel", "template", "tone",
                                         "when", "roll", "fee_pack", NULL };
static const char *const escalation_keys[] = { "rules", NULL };
static const char *const escalation_rule_keys[] = { "name", "when", "notify",
                                                    "decision_deadline_days", "recovery_plan",
                                                    "blocker_summary", "template", NULL };
static const char *const call_queue_keys[] = { "enabled", "min_days_overdue", "min_amount",
                                               "critical", "max_per_collector_per_day", "order",
                                               NULL };
static const char *const guardrail_keys[] = { "max_touches_per_7_days", "min_days_between_touches",
                                              "quiet_hours", "send_window", "business_days_only",
                                              "calendar", "one_step_per_customer_per_day",
                                              "consolidate", "catch_up", "timezone", NULL };
static const char *const quiet_hours_keys[] = { "start", "end", NULL };
static const char *const send_window_keys[] = { "start", "end", "days", NULL };
static const char *const relationship_keys[] = { "hold", "paused", "expansion", "strategic",
                                                 "service_issue", NULL };
static const char *const pattern_keys[] = { "enabled", "min_history", "percentile",
                                            "max_delay_days", "lookback", NULL };
static const char *const promise_keys[] = { "grace_days", "max_open_per_invoice", "max_days_ahead",
                                            "pause_sequence", "on_broken", "partially_kept_percent",
                                            "broken_limit_90d", NULL };
static const char *const on_broken_keys[] = { "action", "channel", "tone", "template", NULL };
static const char *const dispute_keys[] = { "undisputed_remainder", "default_sla_days",
                                            "default_owner_role", "playbooks", "sla_reminder_days",
                                            NULL };
static const char *const playbook_keys[] = { "owner_role", "sla_days", "evidence", "template",
                                             "approval_limit", NULL };
static const char *const recon_keys[] = { "owner_role", "sla_days", "short_pay_percent", NULL };
static const char *const credit_keys[] = { "min_limit", "max_limit", "max_raise_percent",
                                           "max_lower_percent", "target_utilisation_percent",
                                           "hold_utilisation_percent", "hold_broken_promises",
                                           "notice_days", "notice_template", NULL };
static const char *const approval_keys[] = { "materiality", "approvers_below", "approvers_above",
                                             "roles", "expiry_days", "sensitive_actions", "rules",
                                             "fast_lane", NULL };
static const char *const approval_rule_keys[] = { "action", "approvers_below", "approvers_above",
                                                  "roles", "expiry_days", NULL };
static const char *const fast_lane_keys[] = { "enabled", "max_amount", "when", "approvers",
                                              "roles", "expiry_hours", NULL };
static const char *const fees_keys[] = { "packs", NULL };
static const char *const fee_pack_keys[] = { "name", "statutory", "when", "min_days_overdue",
                                             "interest", "compensation", NULL };
static const char *const interest_keys[] = { "reference_rate_bp", "margin_bp", "day_count", NULL };
static const char *const band_keys[] = { "below", "amount", NULL };
static const char *const templates_keys[] = { "default_locale", "sms_max_length", "definitions",
                                              NULL };
static const char *const template_keys[] = { "stage", "tone", "email", "sms", "letter", "portal",
                                             "call", "internal", NULL };
static const char *const text_keys[] = { "subject", "body", NULL };

static const char *const delivery_keys[] = { "max_attempts", "retry_backoff_minutes", "review",
                                            "review_segments", "automatic_segments",
                                            "digest_weekday", NULL };

const ar_schema_keys ar_schema[AR_KEYS_COUNT] = {
    [AR_KEYS_ROOT] = { "(top level)", root_keys },
    [AR_KEYS_CURRENCY] = { "currency", currency_keys },
    [AR_KEYS_CALENDAR] = { "calendars.NAME", calendar_keys },
    [AR_KEYS_SEGMENT] = { "segments[]", segment_keys },
    [AR_KEYS_RISK_SCORE] = { "risk_score", risk_keys },
    [AR_KEYS_DRIVER] = { "risk_score.drivers[]", driver_keys },
    [AR_KEYS_SEQUENCE] = { "sequences.NAME", sequence_keys },
    [AR_KEYS_STEP] = { "sequences.NAME.steps[]", step_keys },
    [AR_KEYS_ESCALATION] = { "escalation", escalation_keys },
    [AR_KEYS_ESCALATION_RULE] = { "escalation.rules[]", escalation_rule_keys },
    [AR_KEYS_CALL_QUEUE] = { "call_queue", call_queue_keys },
    [AR_KEYS_GUARDRAILS] = { "guardrails", guardrail_keys },
    [AR_KEYS_QUIET_HOURS] = { "guardrails.quiet_hours", quiet_hours_keys },
    [AR_KEYS_SEND_WINDOW] = { "guardrails.send_window", send_window_keys },
    [AR_KEYS_RELATIONSHIP] = { "relationship", relationship_keys },
    [AR_KEYS_PAYMENT_PATTERNS] = { "payment_patterns", pattern_keys },
    [AR_KEYS_PROMISES] = { "promises", promise_keys },
    [AR_KEYS_ON_BROKEN] = { "promises.on_broken", on_broken_keys },
    [AR_KEYS_DISPUTES] = { "disputes", dispute_keys },
    [AR_KEYS_PLAYBOOK] = { "disputes.playbooks.REASON", playbook_keys },
    [AR_KEYS_APPROVALS] = { "approvals", approval_keys },
    [AR_KEYS_APPROVAL_RULE] = { "approvals.rules[]", approval_rule_keys },
    [AR_KEYS_FAST_LANE] = { "approvals.fast_lane", fast_lane_keys },
    [AR_KEYS_FEES] = { "fees", fees_keys },
    [AR_KEYS_FEE_PACK] = { "fees.packs[]", fee_pack_keys },
    [AR_KEYS_INTEREST] = { "fees.packs[].interest", interest_keys },
    [AR_KEYS_BAND] = { "fees.packs[].compensation[]", band_keys },
    [AR_KEYS_TEMPLATES] = { "templates", templates_keys },
    [AR_KEYS_TEMPLATE] = { "templates.definitions.NAME", template_keys },
    [AR_KEYS_TEXT] = { "templates.definitions.NAME.CHANNEL.LOCALE", text_keys },
    [AR_KEYS_RECONCILIATION] = { "reconciliation", recon_keys },
    [AR_KEYS_CREDIT] = { "credit", credit_keys },
    [AR_KEYS_DELIVERY] = { "delivery", delivery_keys },
};

/* ---- names of enumerations -------------------------------------------------- */

const char *const ar_channel_names[] = { NULL, "email", "sms", "letter", "portal", "call",
                                         "internal", NULL };
const char *const ar_tone_names[] = { NULL, "friendly", "firm", "final", "formal", NULL };
const char *const ar_action_names[] = { NULL, "send_message", "queue_call", "alert_owner",
                                        "escalate", "legal_notice", "credit_hold",
                                        "service_suspension", "write_off", "late_fee", "interest",
                                        "credit_limit_decrease", "payment_plan", "override", NULL };
const char *const ar_roll_names[] = { "none", "following", "preceding", "modified_following", NULL };
const char *const ar_relationship_names[] = { NULL, "continue", "skip", "soften", "route_to_owner",
                                              NULL };
const char *const ar_catch_up_names[] = { NULL, "latest_only", "all", "skip", NULL };
const char *const ar_order_names[] = { NULL, "risk_score", "open_amount", "days_overdue", NULL };
const char *const ar_weekday_names[] = { NULL, "mon", "tue", "wed", "thu", "fri", "sat", "sun",
                                         NULL };

/* ---- paths and problems ------------------------------------------------------ */

static size_t path_append(ar_load *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static size_t path_append(ar_load *L, const char *fmt, ...) {
    size_t old = L->path_len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(L->path + old, sizeof L->path - old, fmt, ap);
    va_end(ap);
    if (n > 0)
        L->path_len = (size_t)n >= sizeof L->path - old ? sizeof L->path - 1 : old + (size_t)n;
    return old;
}

size_t ar_path_key(ar_load *L, const char *key, size_t len) {
    int shown = (int)(len > 64 ? 64 : len);
    return L->path_len ? path_append(L, ".%.*s", shown, key) : path_append(L, "%.*s", shown, key);
}

size_t ar_path_index(ar_load *L, uint32_t i) {
    return path_append(L, "[%u]", (unsigned)i);
}

void ar_path_restore(ar_load *L, size_t len) {
    L->path_len = len;
    L->path[len] = '\0';
}

void ar_oom(ar_load *L) {
    L->rc = ARCHASE_ENOMEM;
}

static void vproblem(ar_load *L, uint32_t line, uint32_t column, const char *fmt, va_list ap) {
    if (ar_diag_list_full(L->diags)) {
        L->errors++; /* past the limit a problem is only counted */
        return;
    }
    char message[ARCHASE_DIAG_MESSAGE_MAX];
    vsnprintf(message, sizeof message, fmt, ap);
    int rc;
    if (L->path_len)
        rc = ar_diag_add(L->diags, ARCHASE_EPOLICY, L->source, line, column, "%s: %s", L->path,
                         message);
    else
        rc = ar_diag_add(L->diags, ARCHASE_EPOLICY, L->source, line, column, "%s", message);
    if (rc)
        ar_oom(L);
    L->errors++;
}

void ar_problem(ar_load *L, const ar_ynode *at, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vproblem(L, at ? at->line : 0, at ? at->column : 0, fmt, ap);
    va_end(ap);
}

void ar_problem_at(ar_load *L, uint32_t line, uint32_t column, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vproblem(L, line, column, fmt, ap);
    va_end(ap);
}

/* ---- structure --------------------------------------------------------------- */

static const char *kind_name(const ar_ynode *n) {
    if (n->kind == AR_Y_MAP)
        return "a mapping";
    if (n->kind == AR_Y_SEQ)
        return "a list";
    return ar_ynode_is_null(n) ? "nothing" : "a single value";
}

int ar_expect_map(ar_load *L, const ar_ynode *node) {
    if (node->kind == AR_Y_MAP)
        return 1;
    ar_problem(L, node, "expected a mapping (key: value lines), got %s", kind_name(node));
    return 0;
}

int ar_expect_seq(ar_load *L, const ar_ynode *node) {
    if (node->kind == AR_Y_SEQ)
        return 1;
    ar_problem(L, node, "expected a list (\"- item\" lines or [a, b]), got %s", kind_name(node));
    return 0;
}

void ar_check_keys(ar_load *L, const ar_ynode *map, ar_keyset set) {
    const char *const *keys = ar_schema[set].keys;
    for (const ar_ynode *n = map->first; n; n = n->next) {
        int known = 0;
        for (size_t i = 0; keys[i]; i++)
            if (strlen(keys[i]) == n->key_len && !memcmp(keys[i], n->key, n->key_len)) {
                known = 1;
                break;
            }
        if (known)
            continue;
        const char *near = ar_diag_list_full(L->diags) ? NULL : ar_suggest_list(n->key, n->key_len, keys);
        int shown = (int)(n->key_len > 64 ? 64 : n->key_len);
        if (near)
            ar_problem_at(L, n->key_line, n->key_column, "unknown key \"%.*s\" (did you mean \"%s\"?)",
                          shown, n->key, near);
        else
            ar_problem_at(L, n->key_line, n->key_column, "unknown key \"%.*s\"", shown, n->key);
    }
}

const ar_ynode *ar_get(ar_load *L, const ar_ynode *map, const char *key, int required) {
    const ar_ynode *n = ar_ynode_get(map, key);
    if (!n && required)
        ar_problem(L, map, "\"%s\" is required", key);
    return n;
}

/* ---- typed values --------------------------------------------------------------- */

/* Shows a scalar in a message. */
#define SHOWN(n) (int)((n)->len > 40 ? 40 : (n)->len), (n)->text

static int is_plain_int(const ar_ynode *n) {
    if (n->kind != AR_Y_SCALAR || n->quoted || n->len == 0 || n->len > 19)
        return 0;
    size_t i = n->text[0] == '-' ? 1 : 0;
    if (i == n->len)
        return 0;
    for (; i < n->len; i++)
        if (n->text[i] < '0' || n->text[i] > '9')
            return 0;
    return 1;
}

/* Starts reading a value: finds it, pushes its path. Returns the node or NULL. */
static const ar_ynode *begin(ar_load *L, const ar_ynode *map, const char *key, int required,
                             size_t *saved) {
    const ar_ynode *n = ar_get(L, map, key, required);
    if (n)
        *saved = ar_path_key(L, key, strlen(key));
    return n;
}

static int scalar_or_report(ar_load *L, const ar_ynode *n, const char *expected) {
    if (n->kind == AR_Y_SCALAR && !ar_ynode_is_null(n))
        return 1;
    ar_problem(L, n, "expected %s, got %s", expected, kind_name(n));
    return 0;
}

int ar_read_int(ar_load *L, const ar_ynode *map, const char *key, int required, int64_t min,
                int64_t max, int64_t *out) {
    size_t saved;
    const ar_ynode *n = begin(L, map, key, required, &saved);
    if (!n)
        return required ? -1 : 0;
    int rc = -1;
    if (!scalar_or_report(L, n, "a whole number"))
        goto done;
    if (!is_plain_int(n)) {
        if (n->quoted)
            ar_problem(L, n, "expected a whole number, got the text \"%.*s\" (write numbers without quotes)",
                       SHOWN(n));
        else
            ar_problem(L, n, "expected a whole number, got \"%.*s\"", SHOWN(n));
        goto done;
    }
    long long v = 0;
    int neg = n->text[0] == '-';
    for (size_t i = (size_t)neg; i < n->len; i++)
        v = v * 10 + (n->text[i] - '0');
    if (neg)
        v = -v;
    if (v < min || v > max) {
        ar_problem(L, n, "must be between %lld and %lld, got %lld", (long long)min, (long long)max, v);
        goto done;
    }
    *out = v;
    rc = 0;
done:
    ar_path_restore(L, saved);
    return rc;
}

int ar_read_i32(ar_load *L, const ar_ynode *map, const char *key, int required, int32_t min,
                int32_t max, int32_t *out) {
    int64_t v = *out;
    int rc = ar_read_int(L, map, key, required, min, max, &v);
    if (rc == 0)
        *out = (int32_t)v;
    return rc;
}

int ar_read_bool(ar_load *L, const ar_ynode *map, const char *key, int required, int *out) {
    size_t saved;
    const ar_ynode *n = begin(L, map, key, required, &saved);
    if (!n)
        return required ? -1 : 0;
    int rc = -1;
    if (!scalar_or_report(L, n, "true or false"))
        goto done;
    if (!n->quoted && !strcmp(n->text, "true"))
        *out = 1, rc = 0;
    else if (!n->quoted && !strcmp(n->text, "false"))
        *out = 0, rc = 0;
    else
        ar_problem(L, n, "expected true or false, got \"%.*s\"", SHOWN(n));
done:
    ar_path_restore(L, saved);
    return rc;
}

static int text_value(ar_load *L, const ar_ynode *n, const char **out) {
    if (!scalar_or_report(L, n, "text"))
        return -1;
    char *copy = ar_arena_strndup(L->arena, n->text, n->len);
    if (!copy) {
        ar_oom(L);
        return -1;
    }
    *out = copy;
    return 0;
}

int ar_read_text(ar_load *L, const ar_ynode *map, const char *key, int required, const char **out) {
    size_t saved;
    const ar_ynode *n = begin(L, map, key, required, &saved);
    if (!n)
        return required ? -1 : 0;
    int rc = text_value(L, n, out);
    ar_path_restore(L, saved);
    return rc;
}

static int name_ok(const char *s, size_t len) {
    if (len == 0 || len > 64)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-'))
            return 0;
    }
    return 1;
}

int ar_read_name(ar_load *L, const ar_ynode *map, const char *key, int required, const char **out) {
    size_t saved;
    const ar_ynode *n = begin(L, map, key, required, &saved);
    if (!n)
        return required ? -1 : 0;
    int rc = -1;
    if (!scalar_or_report(L, n, "a name"))
        goto done;
    if (!name_ok(n->text, n->len)) {
        ar_problem(L, n, "\"%.*s\" is not a name: use letters, digits, _ and - (at most 64)", SHOWN(n));
        goto done;
    }
    rc = text_value(L, n, out);
done:
    ar_path_restore(L, saved);
    return rc;
}

static void join(const char *const *names, char *buf, size_t size) {
    size_t used = 0;
    buf[0] = '\0';
    int first = 1;
    for (size_t i = 0; names[i] || i == 0; i++) {
        if (!names[i])
            continue;
        int w = snprintf(buf + used, size - used, "%s%s", first ? "" : ", ", names[i]);
        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
        first = 0;
    }
}

/* Tables indexed by value start with a NULL at [0]; skip it for searching. */
static const char *const *skip_null(const char *const *names) {
    return names[0] ? names : names + 1;
}

int ar_read_enum(ar_load *L, const ar_ynode *map, const char *key, int required,
                 const char *const *names, const int *values, int *out) {
    size_t saved;
    const ar_ynode *n = begin(L, map, key, required, &saved);
    if (!n)
        return required ? -1 : 0;
    int rc = -1;
    const char *const *list = skip_null(names);
    size_t base = (size_t)(list - names);
    char choices[300];
    if (!scalar_or_report(L, n, "a name"))
        goto done;
    for (size_t i = 0; list[i]; i++)
        if (!strcmp(list[i], n->text)) {
            *out = values ? values[i] : (int)(i + base);
            rc = 0;
            goto done;
        }
    const char *near = ar_suggest_list(n->text, n->len, list);
    join(list, choices, sizeof choices);
    if (near)
        ar_problem(L, n, "\"%.*s\" is not one of %s (did you mean \"%s\"?)", SHOWN(n), choices, near);
    else
        ar_problem(L, n, "\"%.*s\" is not one of %s", SHOWN(n), choices);
done:
    ar_path_restore(L, saved);
    return rc;
}

static int money_value(ar_load *L, const ar_ynode *n, archase_money *out) {
    if (!scalar_or_report(L, n, "an amount with its currency, e.g. \"10000 EUR\""))
        return -1;
    ar_error e;
    memset(&e, 0, sizeof e);
    archase_money m;
    if (ar_money_parse_n(n->text, n->len, &m, &e)) {
        if (is_plain_int(n) || (n->len < 30 && !memchr(n->text, ' ', n->len)))
            ar_problem(L, n, "\"%.*s\" needs its currency, e.g. \"%.*s EUR\"", SHOWN(n), SHOWN(n));
        else
            ar_problem(L, n, "\"%.*s\" is not an amount: %s", SHOWN(n), ar_error_message(&e));
        return -1;
    }
    *out = m;
    return 0;
}

int ar_read_money(ar_load *L, const ar_ynode *map, const char *key, int required, archase_money *out) {
    size_t saved;
    const ar_ynode *n = begin(L, map, key, required, &saved);
    if (!n)
        return required ? -1 : 0;
    int rc = money_value(L, n, out);
    ar_path_restore(L, saved);
    return rc;
}

int ar_read_money_list(ar_load *L, const ar_ynode *map, const char *key, ar_money_list *out) {
    size_t saved;
    const ar_ynode *n = begin(L, map, key, 0, &saved);
    if (!n)
        return 0;
    int rc = -1;
    if (n->kind == AR_Y_SCALAR && !ar_ynode_is_null(n)) {
        /* One amount is a list of one. */
        archase_money *items = ar_arena_alloc(L->arena, sizeof *items);
        if (!items) {
            ar_oom(L);
            goto done;
        }
        if (money_value(L, n, items))
            goto done;
        out->items = items;
        out->count = 1;
        rc = 0;
        goto done;
    }
    if (!ar_expect_seq(L, n))
        goto done;
    archase_money *items = ar_arena_array(L->arena, n->count ? n->count : 1, sizeof *items);
    if (!items) {
        ar_oom(L);
        goto done;
    }
    uint32_t count = 0, i = 0;
    int bad = 0;
    for (const ar_ynode *item = n->first; item; item = item->next, i++) {
        size_t s = ar_path_index(L, i);
        archase_money m;
        if (money_value(L, item, &m) == 0) {
            /* Insert sorted by currency; one amount per currency. */
            uint32_t at = 0;
            while (at < count && strcmp(items[at].currency, m.currency) < 0)
                at++;
            if (at < count && !strcmp(items[at].currency, m.currency)) {
                ar_problem(L, item, "a second amount in %s: give one per currency", m.currency);
                bad = 1;
            } else {
                memmove(items + at + 1, items + at, (count - at) * sizeof *items);
                items[at] = m;
                count++;
            }
        } else {
            bad = 1;
        }
        ar_path_restore(L, s);
    }
    if (!bad) {
        out->items = items;
        out->count = count;
        rc = 0;
    }
done:
    ar_path_restore(L, saved);
    return rc;
}

int ar_read_name_list(ar_load *L, const ar_ynode *map, const char *key, ar_name_list *out) {
    size_t saved;
    const ar_ynode *n = begin(L, map, key, 0, &saved);
    if (!n)
        return 0;
    int rc = -1;
    if (!ar_expect_seq(L, n))
        goto done;
    const char **items = ar_arena_array(L->arena, n->count ? n->count : 1, sizeof *items);
    if (!items) {
        ar_oom(L);
        goto done;
    }
    uint32_t i = 0;
    int bad = 0;
    for (const ar_ynode *item = n->first; item; item = item->next, i++) {
        size_t s = ar_path_index(L, i);
        if (!scalar_or_report(L, item, "a name")) {
            bad = 1;
        } else if (!name_ok(item->text, item->len)) {
            ar_problem(L, item, "\"%.*s\" is not a name: use letters, digits, _ and - (at most 64)",
                       SHOWN(item));
            bad = 1;
        } else {
            for (uint32_t k = 0; k < i; k++)
                if (items[k] && !strcmp(items[k], item->text)) {
                    ar_problem(L, item, "\"%.*s\" is listed twice", SHOWN(item));
                    bad = 1;
                }
            if (!bad && text_value(L, item, &items[i]))
                bad = 1;
        }
        ar_path_restore(L, s);
    }
    if (!bad) {
        out->items = items;
        out->count = i;
        rc = 0;
    }
done:
    ar_path_restore(L, saved);
    return rc;
}

int ar_read_time(ar_load *L, const ar_ynode *map, const char *key, int required, int32_t *out) {
    size_t saved;
    const ar_ynode *n = begin(L, map, key, required, &saved);
    if (!n)
        return required ? -1 : 0;
    int rc = -1;
    if (!scalar_or_report(L, n, "a time \"HH:MM\""))
        goto done;
    const char *t = n->text;
    if (n->len == 5 && t[2] == ':' && t[0] >= '0' && t[0] <= '2' && t[1] >= '0' && t[1] <= '9' &&
        t[3] >= '0' && t[3] <= '5' && t[4] >= '0' && t[4] <= '9') {
        int h = (t[0] - '0') * 10 + (t[1] - '0'), m = (t[3] - '0') * 10 + (t[4] - '0');
        if (h < 24 || (h == 24 && m == 0)) {
            *out = h * 60 + m;
            rc = 0;
            goto done;
        }
    }
    ar_problem(L, n, "expected a time \"HH:MM\" (00:00 to 24:00), got \"%.*s\"", SHOWN(n));
done:
    ar_path_restore(L, saved);
    return rc;
}

int ar_read_cond(ar_load *L, const ar_ynode *map, const char *key, int required,
                 const ar_field_set *forbidden, const char *why, const ar_cond **out) {
    size_t saved;
    const ar_ynode *n = begin(L, map, key, required, &saved);
    if (!n)
        return required ? -1 : 0;
    int rc = -1;
    if (!scalar_or_report(L, n, "a condition, e.g. \"days_overdue > 30\""))
        goto done;
    ar_cond_ctx ctx = { L->arena, &L->scratch, &L->p->symbols, forbidden, why,
                        L->segment_names, L->segment_count };
    ar_cond_error err;
    const ar_cond *c = NULL;
    int crc = ar_cond_compile(&ctx, n->text, n->len, &c, &err);
    if (crc == ARCHASE_ENOMEM) {
        ar_oom(L);
        goto done;
    }
    if (crc) {
        /* Point into the condition when it is written on one line. */
        uint32_t column = n->column;
        if (!n->block && !memchr(n->text, '\n', n->len))
            column = n->column + (n->quoted ? 1 : 0) + err.offset;
        ar_problem_at(L, n->line, column, "%s", err.message);
        goto done;
    }
    for (int w = 0; w < AR_FIELD_WORDS; w++)
        L->p->fields_used.bits[w] |= c->fields.bits[w];
    *out = c;
    rc = 0;
done:
    ar_path_restore(L, saved);
    return rc;
}

int ar_read_template(ar_load *L, const ar_ynode *map, const char *key, int required, int channel,
                     const ar_template **out) {
    size_t saved;
    const ar_ynode *n = begin(L, map, key, required, &saved);
    if (!n)
        return required ? -1 : 0;
    int rc = -1;
    if (!scalar_or_report(L, n, "a template name"))
        goto done;
    const ar_template *t = ar_policy_template(L->p, n->text);
    if (!t) {
        const ar_templates *ts = &L->p->templates;
        const char *near = ar_suggest(n->text, n->len, ts->items, ts->count, sizeof ts->items[0]);
        if (near)
            ar_problem(L, n, "no template named \"%.*s\" (did you mean \"%s\"?)", SHOWN(n), near);
        else
            ar_problem(L, n, "no template named \"%.*s\" in templates.definitions", SHOWN(n));
        goto done;
    }
    if (channel && !ar_template_has_channel(t, channel)) {
        char written[120];
        size_t used = 0;
        written[0] = '\0';
        for (int c = 1; ar_channel_names[c]; c++)
            if (ar_template_has_channel(t, c)) {
                int w = snprintf(written + used, sizeof written - used, "%s%s", used ? ", " : "",
                                 ar_channel_names[c]);
                if (w > 0 && (size_t)w < sizeof written - used)
                    used += (size_t)w;
            }
        ar_problem(L, n, "template \"%s\" has no %s text (it is written for %s)", t->name,
                   ar_channel_names[channel], used ? written : "no channel");
        goto done;
    }
    *out = t;
    rc = 0;
done:
    ar_path_restore(L, saved);
    return rc;
}

int ar_read_calendar(ar_load *L, const ar_ynode *map, const char *key, int required,
                     const ar_calendar_def **out) {
    size_t saved;
    const ar_ynode *n = begin(L, map, key, required, &saved);
    if (!n)
        return required ? -1 : 0;
    int rc = -1;
    if (!scalar_or_report(L, n, "a calendar name"))
        goto done;
    for (uint32_t i = 0; i < L->p->calendar_count; i++)
        if (!strcmp(L->p->calendars[i].name, n->text)) {
            *out = &L->p->calendars[i];
            rc = 0;
            goto done;
        }
    const char *near = ar_suggest(n->text, n->len, L->p->calendars, L->p->calendar_count,
                                  sizeof L->p->calendars[0]);
    if (near)
        ar_problem(L, n, "no calendar named \"%.*s\" (did you mean \"%s\"?)", SHOWN(n), near);
    else
        ar_problem(L, n, "no calendar named \"%.*s\" in calendars", SHOWN(n));
done:
    ar_path_restore(L, saved);
    return rc;
}
