/* libarchase/policy/schema_controls.c — the sections that control and
 * soften the chase: relationship, payment patterns, promises, disputes,
 * approvals and fees. */
#include <stdio.h>
#include <string.h>

#include "archase/errors.h"
#include "policy/schema.h"
#include "policy/suggest.h"

const char *const ar_reason_names[AR_REASON_COUNT] = {
    "pricing", "short_ship", "damaged_goods", "missing_po", "milestone_not_accepted",
    "duplicate_billing", "tax", "other",
};

/* ---- relationship -------------------------------------------------------- */

void ar_load_relationship(ar_load *L, const ar_ynode *root) {
    ar_relationship *r = &L->p->relationship;
    r->hold = AR_REL_SKIP;
    r->paused = AR_REL_SKIP;
    r->expansion = AR_REL_ROUTE_TO_OWNER;
    r->strategic = AR_REL_SOFTEN;
    r->service_issue = AR_REL_ROUTE_TO_OWNER;
    ar_field_set_add(&L->p->fields_used, AR_FIELD_ON_HOLD);
    ar_field_set_add(&L->p->fields_used, AR_FIELD_PAUSED);
    ar_field_set_add(&L->p->fields_used, AR_FIELD_EXPANSION);
    ar_field_set_add(&L->p->fields_used, AR_FIELD_STRATEGIC);
    ar_field_set_add(&L->p->fields_used, AR_FIELD_SERVICE_ISSUE);
    const ar_ynode *node = ar_get(L, root, "relationship", 0);
    if (!node)
        return;
    size_t saved = ar_path_key(L, "relationship", 12);
    if (ar_expect_map(L, node)) {
        ar_check_keys(L, node, AR_KEYS_RELATIONSHIP);
        ar_read_enum(L, node, "hold", 0, ar_relationship_names, NULL, &r->hold);
        ar_read_enum(L, node, "paused", 0, ar_relationship_names, NULL, &r->paused);
        ar_read_enum(L, node, "expansion", 0, ar_relationship_names, NULL, &r->expansion);
        ar_read_enum(L, node, "strategic", 0, ar_relationship_names, NULL, &r->strategic);
        ar_read_enum(L, node, "service_issue", 0, ar_relationship_names, NULL, &r->service_issue);
    }
    ar_path_restore(L, saved);
}

/* ---- payment patterns ------------------------------------------------------- */

void ar_load_payment_patterns(ar_load *L, const ar_ynode *root) {
    ar_payment_patterns *pp = &L->p->payment_patterns;
    pp->enabled = 1;
    pp->min_history = 6;
    pp->percentile = 80;
    pp->max_delay_days = 14;
    pp->lookback = 12;
    const ar_ynode *node = ar_get(L, root, "payment_patterns", 0);
    if (node) {
        size_t saved = ar_path_key(L, "payment_patterns", 16);
        if (ar_expect_map(L, node)) {
            ar_check_keys(L, node, AR_KEYS_PAYMENT_PATTERNS);
            ar_read_bool(L, node, "enabled", 0, &pp->enabled);
            ar_read_i32(L, node, "min_history", 0, 2, 100, &pp->min_history);
            int32_t percentile = pp->percentile;
            if (ar_read_i32(L, node, "percentile", 0, 50, 80, &percentile) == 0) {
                if (percentile != 50 && percentile != 80) {
                    const ar_ynode *n = ar_ynode_get(node, "percentile");
                    size_t s = ar_path_key(L, "percentile", 10);
                    ar_problem(L, n, "must be 50 (the median) or 80, got %d", (int)percentile);
                    ar_path_restore(L, s);
                } else {
                    pp->percentile = percentile;
                }
            }
            ar_read_i32(L, node, "max_delay_days", 0, 0, 90, &pp->max_delay_days);
            ar_read_i32(L, node, "lookback", 0, 2, 100, &pp->lookback);
            if (pp->lookback < pp->min_history)
                ar_problem(L, node, "lookback (%d) must be at least min_history (%d)", (int)pp->lookback,
                           (int)pp->min_history);
        }
        ar_path_restore(L, saved);
    }
    if (pp->enabled) {
        ar_field_set_add(&L->p->fields_used, AR_FIELD_PAID_INVOICES);
        ar_field_set_add(&L->p->fields_used,
                         pp->percentile == 50 ? AR_FIELD_MEDIAN_DAYS_LATE : AR_FIELD_P80_DAYS_LATE);
    }
}

/* ---- promises -------------------------------------------------------------------- */

static const char *const broken_actions[] = { "send_message", "queue_call", "alert_owner",
                                              "escalate", NULL };
static const int broken_action_values[] = { ARCHASE_ACTION_SEND_MESSAGE, ARCHASE_ACTION_QUEUE_CALL,
                                            ARCHASE_ACTION_ALERT_OWNER, ARCHASE_ACTION_ESCALATE };

void ar_load_promises(ar_load *L, const ar_ynode *root) {
    ar_promises *pr = &L->p->promises;
    pr->grace_days = 2;
    pr->max_open_per_invoice = 1;
    pr->max_days_ahead = 30;
    pr->pause_sequence = 1;
    pr->on_broken_action = ARCHASE_ACTION_QUEUE_CALL;
    pr->on_broken_tone = ARCHASE_TONE_FIRM;
    pr->partially_kept_percent = 50;
    pr->broken_limit_90d = 0;
    const ar_ynode *node = ar_get(L, root, "promises", 0);
    if (!node)
        return;
    size_t saved = ar_path_key(L, "promises", 8);
    if (!ar_expect_map(L, node))
        goto done;
    ar_check_keys(L, node, AR_KEYS_PROMISES);
    ar_read_i32(L, node, "grace_days", 0, 0, 30, &pr->grace_days);
    ar_read_i32(L, node, "max_open_per_invoice", 0, 1, 10, &pr->max_open_per_invoice);
    ar_read_i32(L, node, "max_days_ahead", 0, 1, 365, &pr->max_days_ahead);
    ar_read_bool(L, node, "pause_sequence", 0, &pr->pause_sequence);
    ar_read_i32(L, node, "partially_kept_percent", 0, 1, 100, &pr->partially_kept_percent);
    ar_read_i32(L, node, "broken_limit_90d", 0, 0, 10, &pr->broken_limit_90d);
    const ar_ynode *broken = ar_get(L, node, "on_broken", 0);
    if (broken) {
        size_t s = ar_path_key(L, "on_broken", 9);
        if (ar_expect_map(L, broken)) {
            ar_check_keys(L, broken, AR_KEYS_ON_BROKEN);
            ar_read_enum(L, broken, "action", 0, broken_actions, broken_action_values,
                         &pr->on_broken_action);
            int channel = pr->on_broken_action == ARCHASE_ACTION_SEND_MESSAGE ? ARCHASE_CHANNEL_EMAIL
                          : pr->on_broken_action == ARCHASE_ACTION_QUEUE_CALL ? ARCHASE_CHANNEL_CALL
                                                                               : ARCHASE_CHANNEL_INTERNAL;
            ar_read_enum(L, broken, "channel", 0, ar_channel_names, NULL, &channel);
            ar_read_enum(L, broken, "tone", 0, ar_tone_names, NULL, &pr->on_broken_tone);
            int facing = channel == ARCHASE_CHANNEL_EMAIL || channel == ARCHASE_CHANNEL_SMS ||
                         channel == ARCHASE_CHANNEL_LETTER || channel == ARCHASE_CHANNEL_PORTAL;
            ar_read_template(L, broken, "template", facing, channel, &pr->on_broken_template);
        }
        ar_path_restore(L, s);
    }
done:
    ar_path_restore(L, saved);
}

/* ---- disputes --------------------------------------------------------------------- */

static const char *const remainder_names[] = { NULL, "continue", "pause", NULL };

void ar_load_disputes(ar_load *L, const ar_ynode *root) {
    ar_disputes *d = &L->p->disputes;
    d->undisputed_remainder = AR_REMAINDER_CONTINUE;
    d->sla_reminder_days = 2;
    int32_t default_sla = 10;
    const char *default_owner = "collector";
    const ar_ynode *node = ar_get(L, root, "disputes", 0);
    const ar_ynode *playbooks = NULL;
    size_t saved = ar_path_key(L, "disputes", 8);
    if (node && ar_expect_map(L, node)) {
        ar_check_keys(L, node, AR_KEYS_DISPUTES);
        ar_read_enum(L, node, "undisputed_remainder", 0, remainder_names, NULL,
                     &d->undisputed_remainder);
        ar_read_i32(L, node, "default_sla_days", 0, 1, 365, &default_sla);
        ar_read_name(L, node, "default_owner_role", 0, &default_owner);
        ar_read_i32(L, node, "sla_reminder_days", 0, 0, 30, &d->sla_reminder_days);
        playbooks = ar_get(L, node, "playbooks", 0);
    }
    for (int r = 0; r < AR_REASON_COUNT; r++) {
        d->playbooks[r].owner_role = default_owner;
        d->playbooks[r].sla_days = default_sla;
    }
    if (playbooks) {
        size_t s = ar_path_key(L, "playbooks", 9);
        if (ar_expect_map(L, playbooks)) {
            for (const ar_ynode *pb = playbooks->first; pb; pb = pb->next) {
                int reason = -1;
                for (int r = 0; r < AR_REASON_COUNT; r++)
                    if (strlen(ar_reason_names[r]) == pb->key_len &&
                        !memcmp(ar_reason_names[r], pb->key, pb->key_len))
                        reason = r;
                if (reason < 0) {
                    const char *near = ar_suggest(pb->key, pb->key_len, ar_reason_names,
                                                  AR_REASON_COUNT, sizeof ar_reason_names[0]);
                    if (near)
                        ar_problem_at(L, pb->key_line, pb->key_column,
                                      "unknown reason code \"%.*s\" (did you mean \"%s\"?)",
                                      (int)(pb->key_len > 40 ? 40 : pb->key_len), pb->key, near);
                    else
                        ar_problem_at(L, pb->key_line, pb->key_column,
                                      "unknown reason code \"%.*s\" (pricing, short_ship, damaged_goods, "
                                      "missing_po, milestone_not_accepted, duplicate_billing, tax, other)",
                                      (int)(pb->key_len > 40 ? 40 : pb->key_len), pb->key);
                    continue;
                }
                size_t item = ar_path_key(L, pb->key, pb->key_len);
                ar_playbook *book = &d->playbooks[reason];
                book->defined = 1;
                if (ar_expect_map(L, pb)) {
                    ar_check_keys(L, pb, AR_KEYS_PLAYBOOK);
                    ar_read_name(L, pb, "owner_role", 0, &book->owner_role);
                    ar_read_i32(L, pb, "sla_days", 0, 1, 365, &book->sla_days);
                    ar_read_name_list(L, pb, "evidence", &book->evidence);
                    ar_read_template(L, pb, "template", 0, 0, &book->tmpl);
                    ar_read_money_list(L, pb, "approval_limit", &book->approval_limit);
                }
                ar_path_restore(L, item);
            }
        }
        ar_path_restore(L, s);
    }
    ar_path_restore(L, saved);
}

/* ---- reconciliation and credit -------------------------------------------------------- */

void ar_load_reconciliation(ar_load *L, const ar_ynode *root) {
    ar_reconciliation *r = &L->p->reconciliation;
    r->owner_role = "cash_applications";
    r->sla_days = 5;
    r->short_pay_percent = 5;
    const ar_ynode *node = ar_get(L, root, "reconciliation", 0);
    if (!node)
        return;
    size_t saved = ar_path_key(L, "reconciliation", 14);
    if (ar_expect_map(L, node)) {
        ar_check_keys(L, node, AR_KEYS_RECONCILIATION);
        ar_read_name(L, node, "owner_role", 0, &r->owner_role);
        ar_read_i32(L, node, "sla_days", 0, 1, 90, &r->sla_days);
        ar_read_i32(L, node, "short_pay_percent", 0, 0, 50, &r->short_pay_percent);
    }
    ar_path_restore(L, saved);
}

void ar_load_credit(ar_load *L, const ar_ynode *root) {
    ar_credit *c = &L->p->credit;
    c->max_raise_percent = 20;
    c->max_lower_percent = 50;
    c->target_utilisation_percent = 70;
    c->hold_utilisation_percent = 120;
    c->hold_broken_promises = 3;
    c->notice_days = 7;
    const ar_ynode *node = ar_get(L, root, "credit", 0);
    if (!node)
        return;
    size_t saved = ar_path_key(L, "credit", 6);
    if (ar_expect_map(L, node)) {
        ar_check_keys(L, node, AR_KEYS_CREDIT);
        ar_read_money_list(L, node, "min_limit", &c->min_limit);
        ar_read_money_list(L, node, "max_limit", &c->max_limit);
        ar_read_i32(L, node, "max_raise_percent", 0, 0, 100, &c->max_raise_percent);
        ar_read_i32(L, node, "max_lower_percent", 0, 0, 100, &c->max_lower_percent);
        ar_read_i32(L, node, "target_utilisation_percent", 0, 1, 100, &c->target_utilisation_percent);
        ar_read_i32(L, node, "hold_utilisation_percent", 0, 100, 500, &c->hold_utilisation_percent);
        ar_read_i32(L, node, "hold_broken_promises", 0, 0, 10, &c->hold_broken_promises);
        ar_read_i32(L, node, "notice_days", 0, 0, 60, &c->notice_days);
        ar_read_template(L, node, "notice_template", 0, 0, &c->notice_template);
    }
    ar_path_restore(L, saved);
}

/* ---- approvals --------------------------------------------------------------------- */

static const char *const default_roles[] = { "finance_lead" };

/* Reads `sensitive_actions`: names to add; removing one is refused. */
static void read_sensitive(ar_load *L, const ar_ynode *node, uint32_t *mask) {
    const ar_ynode *list = ar_get(L, node, "sensitive_actions", 0);
    if (!list)
        return;
    size_t saved = ar_path_key(L, "sensitive_actions", 17);
    if (ar_expect_seq(L, list)) {
        uint32_t i = 0;
        for (const ar_ynode *a = list->first; a; a = a->next, i++) {
            size_t s = ar_path_index(L, i);
            const char *name = a->kind == AR_Y_SCALAR ? a->text : "";
            size_t len = a->kind == AR_Y_SCALAR ? a->len : 0;
            int removal = len > 0 && (name[0] == '-' || name[0] == '!');
            if (removal) {
                name++;
                len--;
            }
            int action = 0;
            for (int k = 1; k <= ARCHASE_ACTION_MAX; k++)
                if (strlen(ar_action_names[k]) == len && !memcmp(ar_action_names[k], name, len))
                    action = k;
            if (removal) {
                ar_problem(L, a,
                           "\"%.*s\" cannot be removed from the sensitive actions: a policy may add to "
                           "the list, never remove from it",
                           (int)(len > 40 ? 40 : len), name);
            } else if (!action) {
                const char *near = ar_suggest(name, len, ar_action_names + 1, ARCHASE_ACTION_MAX,
                                              sizeof ar_action_names[0]);
                if (near)
                    ar_problem(L, a, "unknown action \"%.*s\" (did you mean \"%s\"?)",
                               (int)(len > 40 ? 40 : len), name, near);
                else
                    ar_problem(L, a, "unknown action \"%.*s\"", (int)(len > 40 ? 40 : len), name);
            } else {
                *mask |= 1u << action;
            }
            ar_path_restore(L, s);
        }
    }
    ar_path_restore(L, saved);
}

void ar_load_approvals(ar_load *L, const ar_ynode *root) {
    ar_approvals *ap = &L->p->approvals;
    uint32_t sensitive = 0;
    for (int a = 1; a <= ARCHASE_ACTION_MAX; a++)
        if (archase_action_is_sensitive(a))
            sensitive |= 1u << a;
    int32_t below = 1, above = 2, expiry = 7;
    ar_name_list roles = { default_roles, 1 };
    ar_fast_lane *fl = &ap->fast_lane;
    fl->approvers = 1;
    fl->expiry_hours = 24;
    const ar_ynode *node = ar_get(L, root, "approvals", 0);
    const ar_ynode *rules = NULL;
    size_t saved = ar_path_key(L, "approvals", 9);
    if (node && ar_expect_map(L, node)) {
        ar_check_keys(L, node, AR_KEYS_APPROVALS);
        ar_read_money_list(L, node, "materiality", &ap->materiality);
        ar_read_i32(L, node, "approvers_below", 0, 1, 5, &below);
        ar_read_i32(L, node, "approvers_above", 0, 1, 5, &above);
        if (above < below)
            ar_problem(L, node, "approvers_above (%d) must be at least approvers_below (%d)", (int)above,
                       (int)below);
        ar_read_name_list(L, node, "roles", &roles);
        if (roles.count == 0)
            ar_problem(L, node, "roles must name at least one approver role");
        ar_read_i32(L, node, "expiry_days", 0, 1, 90, &expiry);
        read_sensitive(L, node, &sensitive);
        rules = ar_get(L, node, "rules", 0);
        fl->roles = roles;
        const ar_ynode *fast = ar_get(L, node, "fast_lane", 0);
        if (fast) {
            size_t s = ar_path_key(L, "fast_lane", 9);
            if (ar_expect_map(L, fast)) {
                fl->enabled = 1;
                ar_check_keys(L, fast, AR_KEYS_FAST_LANE);
                ar_read_bool(L, fast, "enabled", 0, &fl->enabled);
                ar_read_money_list(L, fast, "max_amount", &fl->max_amount);
                if (fl->enabled && fl->max_amount.count == 0)
                    ar_problem(L, fast, "a fast lane needs max_amount: the amounts it may approve");
                ar_read_cond(L, fast, "when", 0, NULL, NULL, &fl->when);
                int32_t n = 1;
                ar_read_i32(L, fast, "approvers", 0, 1, 5, &n);
                fl->approvers = (uint32_t)n;
                ar_read_name_list(L, fast, "roles", &fl->roles);
                int32_t hours = 24;
                ar_read_i32(L, fast, "expiry_hours", 0, 1, 720, &hours);
                fl->expiry_hours = (uint32_t)hours;
            }
            ar_path_restore(L, s);
        }
    }
    fl->roles = fl->roles.count ? fl->roles : roles;
    ap->sensitive = sensitive;
    uint32_t count = 0;
    for (int a = 1; a <= ARCHASE_ACTION_MAX; a++)
        count += (sensitive >> a) & 1u;
    ar_approval_rule *items = ar_arena_array(L->arena, count ? count : 1, sizeof *items);
    if (!items) {
        ar_oom(L);
        goto done;
    }
    uint32_t k = 0;
    for (int a = 1; a <= ARCHASE_ACTION_MAX; a++) {
        if (!((sensitive >> a) & 1u))
            continue;
        ar_approval_rule *r = &items[k++];
        r->action = a;
        /* A payment plan is sensitive above materiality only. */
        r->approvers_below = a == ARCHASE_ACTION_PAYMENT_PLAN ? 0 : (uint32_t)below;
        r->approvers_above = (uint32_t)above;
        r->roles = roles;
        r->expiry_days = (uint32_t)expiry;
    }
    ap->rules = items;
    ap->rule_count = count;
    if (rules) {
        size_t s = ar_path_key(L, "rules", 5);
        if (ar_expect_seq(L, rules)) {
            uint32_t i = 0, seen = 0;
            for (const ar_ynode *n = rules->first; n; n = n->next, i++) {
                size_t item = ar_path_index(L, i);
                if (ar_expect_map(L, n)) {
                    ar_check_keys(L, n, AR_KEYS_APPROVAL_RULE);
                    int action = 0;
                    if (ar_read_enum(L, n, "action", 1, ar_action_names, NULL, &action) == 0 && action) {
                        ar_approval_rule *r = (ar_approval_rule *)ar_approvals_rule(ap, action);
                        const ar_ynode *an = ar_ynode_get(n, "action");
                        if (!r) {
                            size_t t = ar_path_key(L, "action", 6);
                            ar_problem(L, an,
                                       "%s is not a sensitive action: add it to approvals.sensitive_actions "
                                       "to require approval",
                                       ar_action_names[action]);
                            ar_path_restore(L, t);
                        } else if ((seen >> action) & 1u) {
                            ar_problem(L, n, "a second rule for %s", ar_action_names[action]);
                        } else {
                            seen |= 1u << action;
                            int32_t rb = (int32_t)r->approvers_below, ra = (int32_t)r->approvers_above;
                            int32_t re = (int32_t)r->expiry_days;
                            if (ar_read_i32(L, n, "approvers_below", 0, 0, 5, &rb) == 0 && rb == 0 &&
                                action != ARCHASE_ACTION_PAYMENT_PLAN) {
                                size_t t = ar_path_key(L, "approvers_below", 15);
                                ar_problem(L, ar_ynode_get(n, "approvers_below"),
                                           "%s is a sensitive action and always needs at least one "
                                           "approver: a policy may add to the sensitive list, never "
                                           "remove from it",
                                           ar_action_names[action]);
                                ar_path_restore(L, t);
                            }
                            if (ar_read_i32(L, n, "approvers_above", 0, 0, 5, &ra) == 0 && ra == 0) {
                                size_t t = ar_path_key(L, "approvers_above", 15);
                                ar_problem(L, ar_ynode_get(n, "approvers_above"),
                                           "%s is a sensitive action and always needs at least one "
                                           "approver: a policy may add to the sensitive list, never "
                                           "remove from it",
                                           ar_action_names[action]);
                                ar_path_restore(L, t);
                            }
                            if (ra < rb)
                                ar_problem(L, n, "approvers_above (%d) must be at least approvers_below (%d)",
                                           (int)ra, (int)rb);
                            ar_read_name_list(L, n, "roles", &r->roles);
                            if (r->roles.count == 0)
                                ar_problem(L, n, "roles must name at least one approver role");
                            ar_read_i32(L, n, "expiry_days", 0, 1, 90, &re);
                            r->approvers_below = (uint32_t)(rb > 0 || action == ARCHASE_ACTION_PAYMENT_PLAN ? rb : 1);
                            r->approvers_above = (uint32_t)(ra > 0 ? ra : 1);
                            r->expiry_days = (uint32_t)re;
                        }
                    }
                }
                ar_path_restore(L, item);
            }
        }
        ar_path_restore(L, s);
    }
done:
    ar_path_restore(L, saved);
}

/* ---- fees ------------------------------------------------------------------------------ */

static const char *const statutory_names[] = { "none", "eu", "uk", NULL };
static const char *const day_count_names[] = { "act_365", "act_360", NULL };
static const int day_count_values[] = { AR_DAY_COUNT_365, AR_DAY_COUNT_360 };

static const ar_fee_band eu_bands[] = { { { 0, "" }, { 4000, "EUR" } } };
static const ar_fee_band uk_bands[] = {
    { { 100000, "GBP" }, { 4000, "GBP" } },
    { { 1000000, "GBP" }, { 7000, "GBP" } },
    { { 0, "" }, { 10000, "GBP" } },
};

static void load_bands(ar_load *L, const ar_ynode *list, ar_fee_pack *pack) {
    size_t saved = ar_path_key(L, "compensation", 12);
    if (!ar_expect_seq(L, list))
        goto done;
    if (list->count == 0) {
        ar_problem(L, list, "at least one compensation band is needed (or leave compensation out)");
        goto done;
    }
    ar_fee_band *bands = ar_arena_array(L->arena, list->count, sizeof *bands);
    if (!bands) {
        ar_oom(L);
        goto done;
    }
    uint32_t i = 0;
    for (const ar_ynode *n = list->first; n; n = n->next, i++) {
        size_t item = ar_path_index(L, i);
        if (ar_expect_map(L, n)) {
            ar_check_keys(L, n, AR_KEYS_BAND);
            ar_read_money(L, n, "below", 0, &bands[i].below);
            if (ar_read_money(L, n, "amount", 1, &bands[i].amount) == 0 && bands[i].amount.minor <= 0)
                ar_problem(L, ar_ynode_get(n, "amount"), "a compensation must be more than zero");
            if (!bands[i].below.currency[0] && n->next)
                ar_problem(L, n, "only the last band may leave out \"below\"");
            if (i > 0 && bands[i].below.currency[0] && bands[i - 1].below.currency[0] &&
                !strcmp(bands[i].below.currency, bands[i - 1].below.currency) &&
                bands[i].below.minor <= bands[i - 1].below.minor)
                ar_problem(L, n, "bands must be in increasing order of \"below\"");
        }
        ar_path_restore(L, item);
    }
    pack->compensation = bands;
    pack->compensation_count = list->count;
done:
    ar_path_restore(L, saved);
}

void ar_load_fees(ar_load *L, const ar_ynode *root) {
    const ar_ynode *node = ar_get(L, root, "fees", 0);
    if (!node)
        return;
    size_t saved = ar_path_key(L, "fees", 4);
    if (!ar_expect_map(L, node))
        goto done;
    ar_check_keys(L, node, AR_KEYS_FEES);
    const ar_ynode *packs = ar_get(L, node, "packs", 1);
    if (!packs)
        goto done;
    size_t sp = ar_path_key(L, "packs", 5);
    if (ar_expect_seq(L, packs)) {
        ar_fee_pack *items = ar_arena_array(L->arena, packs->count ? packs->count : 1, sizeof *items);
        if (!items) {
            ar_oom(L);
        } else {
            uint32_t i = 0;
            for (const ar_ynode *n = packs->first; n; n = n->next, i++) {
                size_t item = ar_path_index(L, i);
                ar_fee_pack *pack = &items[i];
                pack->name = "";
                pack->min_days_overdue = 1;
                pack->day_count = AR_DAY_COUNT_365;
                if (ar_expect_map(L, n)) {
                    ar_check_keys(L, n, AR_KEYS_FEE_PACK);
                    ar_read_name(L, n, "name", 1, &pack->name);
                    ar_read_enum(L, n, "statutory", 0, statutory_names, NULL, &pack->statutory);
                    ar_read_cond(L, n, "when", 0, NULL, NULL, &pack->when);
                    ar_read_i32(L, n, "min_days_overdue", 0, 0, 3650, &pack->min_days_overdue);
                    const ar_ynode *interest = ar_get(L, n, "interest", 0);
                    if (interest) {
                        size_t s = ar_path_key(L, "interest", 8);
                        if (ar_expect_map(L, interest)) {
                            ar_check_keys(L, interest, AR_KEYS_INTEREST);
                            pack->interest = 1;
                            pack->margin_bp = pack->statutory ? 800 : 0;
                            ar_read_i32(L, interest, "reference_rate_bp", 1, -1000, 10000,
                                        &pack->reference_rate_bp);
                            ar_read_i32(L, interest, "margin_bp", !pack->statutory, 0, 5000, &pack->margin_bp);
                            ar_read_enum(L, interest, "day_count", 0, day_count_names, day_count_values,
                                         &pack->day_count);
                        }
                        ar_path_restore(L, s);
                    }
                    const ar_ynode *comp = ar_get(L, n, "compensation", 0);
                    if (comp) {
                        load_bands(L, comp, pack);
                    } else if (pack->statutory == AR_STATUTORY_EU) {
                        pack->compensation = eu_bands;
                        pack->compensation_count = 1;
                    } else if (pack->statutory == AR_STATUTORY_UK) {
                        pack->compensation = uk_bands;
                        pack->compensation_count = 3;
                    }
                    if (!pack->interest && !pack->compensation_count)
                        ar_problem(L, n, "a fee pack charges interest, a fixed compensation, or both");
                    for (uint32_t k = 0; k < i; k++)
                        if (pack->name[0] && !strcmp(items[k].name, pack->name))
                            ar_problem(L, n, "a second fee pack named \"%s\"", pack->name);
                }
                ar_path_restore(L, item);
            }
            L->p->fees.packs = items;
            L->p->fees.pack_count = packs->count;
        }
    }
    ar_path_restore(L, sp);
done:
    ar_path_restore(L, saved);
}
