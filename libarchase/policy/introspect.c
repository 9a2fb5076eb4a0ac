/* libarchase/policy/introspect.c — what a loaded policy holds, for the CLI
 * and the bindings (the engine reads policy_internal.h directly). */
#include <string.h>

#include "archase/errors.h"
#include "archase/policy.h"
#include "policy/policy_internal.h"

int archase_policy_version(const archase_policy *p) {
    return p ? p->version : 0;
}

const char *archase_policy_name(const archase_policy *p) {
    return p ? p->name : NULL;
}

const char *archase_policy_default_currency(const archase_policy *p) {
    return p ? p->default_currency : NULL;
}

const char *archase_policy_default_locale(const archase_policy *p) {
    return p ? p->templates.default_locale : NULL;
}

size_t archase_policy_segment_count(const archase_policy *p) {
    return p ? p->segment_count : 0;
}

int archase_policy_segment(const archase_policy *p, size_t i, archase_policy_segment_info *out) {
    if (!p || !out)
        return ARCHASE_EINVAL;
    if (i >= p->segment_count)
        return ARCHASE_ERANGE;
    const ar_segment *s = &p->segments[i];
    out->name = s->name;
    out->condition = s->when ? s->when->text : NULL;
    out->sequence = s->sequence ? s->sequence->name : "";
    return 0;
}

size_t archase_policy_sequence_count(const archase_policy *p) {
    return p ? p->sequence_count : 0;
}

int archase_policy_sequence(const archase_policy *p, size_t i, archase_policy_sequence_info *out) {
    if (!p || !out)
        return ARCHASE_EINVAL;
    if (i >= p->sequence_count)
        return ARCHASE_ERANGE;
    const ar_sequence *s = &p->sequences[i];
    out->name = s->name;
    out->calendar = s->calendar ? s->calendar->name : "";
    out->roll = s->roll;
    out->step_count = s->step_count;
    return 0;
}

int archase_policy_step(const archase_policy *p, size_t sequence, size_t step,
                        archase_policy_step_info *out) {
    if (!p || !out)
        return ARCHASE_EINVAL;
    if (sequence >= p->sequence_count || step >= p->sequences[sequence].step_count)
        return ARCHASE_ERANGE;
    const ar_step *s = &p->sequences[sequence].steps[step];
    out->id = s->id;
    out->offset = s->offset;
    out->channel = s->channel;
    out->action = s->action;
    out->tone = s->tone;
    out->template_name = s->tmpl ? s->tmpl->name : NULL;
    out->condition = s->when ? s->when->text : NULL;
    out->roll = s->roll;
    out->sensitive = s->sensitive;
    return 0;
}

size_t archase_policy_approval_count(const archase_policy *p) {
    return p ? p->approvals.rule_count : 0;
}

int archase_policy_approval(const archase_policy *p, size_t i, archase_policy_approval_info *out) {
    if (!p || !out)
        return ARCHASE_EINVAL;
    if (i >= p->approvals.rule_count)
        return ARCHASE_ERANGE;
    const ar_approval_rule *r = &p->approvals.rules[i];
    out->action = r->action;
    out->approvers_below = r->approvers_below;
    out->approvers_above = r->approvers_above;
    out->role_count = r->roles.count;
    out->expiry_days = r->expiry_days;
    return 0;
}

const char *archase_policy_approval_role(const archase_policy *p, size_t i, size_t j) {
    if (!p || i >= p->approvals.rule_count || j >= p->approvals.rules[i].roles.count)
        return NULL;
    return p->approvals.rules[i].roles.items[j];
}

size_t archase_policy_materiality_count(const archase_policy *p) {
    return p ? p->approvals.materiality.count : 0;
}

int archase_policy_materiality(const archase_policy *p, size_t i, archase_money *out) {
    if (!p || !out)
        return ARCHASE_EINVAL;
    if (i >= p->approvals.materiality.count)
        return ARCHASE_ERANGE;
    *out = p->approvals.materiality.items[i];
    return 0;
}

size_t archase_policy_sensitive_action_count(const archase_policy *p) {
    return p ? p->approvals.rule_count : 0;
}

int archase_policy_sensitive_action(const archase_policy *p, size_t i, int *action) {
    if (!p || !action)
        return ARCHASE_EINVAL;
    if (i >= p->approvals.rule_count)
        return ARCHASE_ERANGE;
    *action = p->approvals.rules[i].action;
    return 0;
}

size_t archase_policy_template_count(const archase_policy *p) {
    return p ? p->templates.count : 0;
}

int archase_policy_template(const archase_policy *p, size_t i, archase_policy_template_info *out) {
    if (!p || !out)
        return ARCHASE_EINVAL;
    if (i >= p->templates.count)
        return ARCHASE_ERANGE;
    const ar_template *t = &p->templates.items[i];
    out->name = t->name;
    out->stage = t->stage;
    out->tone = t->tone;
    out->channel_mask = 0;
    for (uint32_t v = 0; v < t->variant_count; v++)
        out->channel_mask |= 1u << t->variants[v].channel;
    out->variant_count = t->variant_count;
    return 0;
}

size_t archase_policy_calendar_count(const archase_policy *p) {
    return p ? p->calendar_count : 0;
}

int archase_policy_calendar(const archase_policy *p, size_t i, archase_policy_calendar_info *out) {
    if (!p || !out)
        return ARCHASE_EINVAL;
    if (i >= p->calendar_count)
        return ARCHASE_ERANGE;
    out->name = p->calendars[i].name;
    out->weekend_mask = p->calendars[i].weekend_mask;
    out->holiday_count = p->calendars[i].holiday_count;
    return 0;
}

size_t archase_policy_setting_count(const archase_policy *p) {
    return p ? p->setting_count : 0;
}

int archase_policy_setting(const archase_policy *p, size_t i, const char **path, const char **value) {
    if (!p || !path || !value)
        return ARCHASE_EINVAL;
    if (i >= p->setting_count)
        return ARCHASE_ERANGE;
    *path = p->setting_paths[i];
    *value = p->setting_values[i];
    return 0;
}
