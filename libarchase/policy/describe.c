/* libarchase/policy/describe.c — the canonical form of a loaded policy and
 * its hash.
 *
 * The canonical form is the list of (path, value) settings the policy
 * resolves to, defaults included, sorted by path. Values are written one way
 * only: numbers in decimal, amounts as "1234.56 EUR", dates as YYYY-MM-DD,
 * conditions in their canonical text, lists joined with ", ". Two documents
 * that differ only in key order, comments, quoting, layout or spelled-out
 * defaults have the same form and so the same hash:
 *
 *   SHA-256 of the canonical encoding (core/canon.h) of
 *   RECORD kind 0x5001 { 1: INT schema version, 2: LIST of LIST [STRING path, STRING value] }
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/errors.h"
#include "core/canon.h"
#include "core/sha256.h"
#include "policy/schema.h"

#define AR_POLICY_CANON_KIND 0x5001

typedef struct setting {
    const char *path;
    const char *value;
} setting;

typedef struct describer {
    ar_load  *L;
    setting  *items;
    uint32_t  count;
    uint32_t  cap;
    ar_buf    path;
    ar_buf    value;
    int       rc;
} describer;

static void put(describer *d, const char *value) {
    if (d->rc)
        return;
    if (d->path.err || d->value.err) {
        d->rc = ARCHASE_ENOMEM;
        return;
    }
    if (d->count == d->cap) {
        uint32_t cap = d->cap ? d->cap * 2 : 256;
        setting *items = ar_arena_array(&d->L->scratch, cap, sizeof *items);
        if (!items) {
            d->rc = ARCHASE_ENOMEM;
            return;
        }
        if (d->count)
            memcpy(items, d->items, d->count * sizeof *items);
        d->items = items;
        d->cap = cap;
    }
    setting *s = &d->items[d->count];
    s->path = ar_arena_strndup(d->L->arena, (const char *)d->path.data, d->path.len);
    s->value = ar_arena_strndup(d->L->arena, value ? value : "", value ? strlen(value) : 0);
    if (!s->path || !s->value) {
        d->rc = ARCHASE_ENOMEM;
        return;
    }
    d->count++;
}

/* path = prefix + suffix (printf), then put(value). */
static void setp(describer *d, const char *prefix, const char *value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void setp(describer *d, const char *prefix, const char *value, const char *fmt, ...) {
    ar_buf_reset(&d->path);
    ar_buf_puts(&d->path, prefix);
    va_list ap;
    va_start(ap, fmt);
    ar_buf_vprintf(&d->path, fmt, ap);
    va_end(ap);
    ar_buf_terminate(&d->path);
    put(d, value);
}

static const char *num(describer *d, long long v) {
    ar_buf_reset(&d->value);
    ar_buf_printf(&d->value, "%lld", v);
    ar_buf_terminate(&d->value);
    return d->value.err ? "" : (const char *)d->value.data;
}

static const char *yesno(int v) {
    return v ? "true" : "false";
}

static const char *cond_text(const ar_cond *c) {
    return c ? c->text : "";
}

static const char *money_text(describer *d, const archase_money *m) {
    char text[ARCHASE_MONEY_FORMAT_MAX];
    ar_buf_reset(&d->value);
    if (m->currency[0] && archase_money_format(m, text, sizeof text) == 0)
        ar_buf_puts(&d->value, text);
    ar_buf_terminate(&d->value);
    return d->value.err ? "" : (const char *)d->value.data;
}

static const char *money_list_text(describer *d, const ar_money_list *l) {
    char text[ARCHASE_MONEY_FORMAT_MAX];
    ar_buf_reset(&d->value);
    for (uint32_t i = 0; i < l->count; i++) {
        if (archase_money_format(&l->items[i], text, sizeof text) == 0) {
            if (i)
                ar_buf_puts(&d->value, ", ");
            ar_buf_puts(&d->value, text);
        }
    }
    ar_buf_terminate(&d->value);
    return d->value.err ? "" : (const char *)d->value.data;
}

static const char *names_text(describer *d, const ar_name_list *l) {
    ar_buf_reset(&d->value);
    for (uint32_t i = 0; i < l->count; i++) {
        if (i)
            ar_buf_puts(&d->value, ", ");
        ar_buf_puts(&d->value, l->items[i]);
    }
    ar_buf_terminate(&d->value);
    return d->value.err ? "" : (const char *)d->value.data;
}

static const char *weekdays_text(describer *d, uint32_t mask) {
    ar_buf_reset(&d->value);
    int first = 1;
    for (int w = 1; w <= 7; w++)
        if (mask & ARCHASE_WEEKDAY_BIT(w)) {
            ar_buf_puts(&d->value, first ? "" : ", ");
            ar_buf_puts(&d->value, ar_weekday_names[w]);
            first = 0;
        }
    ar_buf_terminate(&d->value);
    return d->value.err ? "" : (const char *)d->value.data;
}

static const char *time_text(describer *d, int32_t minutes) {
    ar_buf_reset(&d->value);
    if (minutes >= 0)
        ar_buf_printf(&d->value, "%02d:%02d", (int)(minutes / 60), (int)(minutes % 60));
    ar_buf_terminate(&d->value);
    return d->value.err ? "" : (const char *)d->value.data;
}

static const char *name_or(const char *const *names, int v) {
    return v >= 0 && names[v] ? names[v] : "";
}

static void describe_calendars(describer *d, const archase_policy *p) {
    for (uint32_t i = 0; i < p->calendar_count; i++) {
        const ar_calendar_def *c = &p->calendars[i];
        setp(d, "calendars.", weekdays_text(d, c->weekend_mask), "%s.weekend", c->name);
        ar_buf_reset(&d->value);
        for (uint32_t h = 0; h < c->holiday_count; h++) {
            char date[ARCHASE_DATE_FORMAT_MAX];
            if (archase_date_format(c->holidays[h], date, sizeof date) == 0) {
                if (h)
                    ar_buf_puts(&d->value, ", ");
                ar_buf_puts(&d->value, date);
            }
        }
        ar_buf_terminate(&d->value);
        char *holidays = ar_arena_strndup(&d->L->scratch, d->value.err ? "" : (const char *)d->value.data,
                                          d->value.err ? 0 : d->value.len);
        if (!holidays)
            d->rc = ARCHASE_ENOMEM;
        setp(d, "calendars.", holidays, "%s.holidays", c->name);
    }
}

static void describe_cadence(describer *d, const archase_policy *p) {
    for (uint32_t i = 0; i < p->segment_count; i++) {
        const ar_segment *s = &p->segments[i];
        setp(d, "segments", num(d, i), "[%s].position", s->name);
        setp(d, "segments", s->when ? s->when->text : "(catch-all)", "[%s].when", s->name);
        setp(d, "segments", s->sequence ? s->sequence->name : "", "[%s].sequence", s->name);
    }
    setp(d, "risk_score", num(d, p->risk.base), ".base");
    for (uint32_t i = 0; i < p->risk.driver_count; i++) {
        const ar_risk_driver *r = &p->risk.drivers[i];
        setp(d, "risk_score.drivers", num(d, i), "[%s].position", r->name);
        setp(d, "risk_score.drivers", cond_text(r->when), "[%s].when", r->name);
        setp(d, "risk_score.drivers", r->field >= 0 ? ar_fields[r->field].name : "", "[%s].field", r->name);
        setp(d, "risk_score.drivers", num(d, r->above), "[%s].above", r->name);
        setp(d, "risk_score.drivers", num(d, r->points_per_unit), "[%s].points_per_unit", r->name);
        setp(d, "risk_score.drivers", num(d, r->points), "[%s].points", r->name);
        setp(d, "risk_score.drivers", num(d, r->cap), "[%s].cap", r->name);
    }
    for (uint32_t i = 0; i < p->sequence_count; i++) {
        const ar_sequence *s = &p->sequences[i];
        setp(d, "sequences.", s->calendar ? s->calendar->name : "", "%s.calendar", s->name);
        setp(d, "sequences.", name_or(ar_roll_names, s->roll), "%s.roll", s->name);
        for (uint32_t k = 0; k < s->step_count; k++) {
            const ar_step *st = &s->steps[k];
            const char *id = st->id;
            setp(d, "sequences.", num(d, k), "%s.steps[%s].position", s->name, id);
            setp(d, "sequences.", num(d, st->offset), "%s.steps[%s].offset", s->name, id);
            setp(d, "sequences.", name_or(ar_action_names, st->action), "%s.steps[%s].action", s->name, id);
            setp(d, "sequences.", name_or(ar_channel_names, st->channel), "%s.steps[%s].channel", s->name, id);
            setp(d, "sequences.", st->tmpl ? st->tmpl->name : "", "%s.steps[%s].template", s->name, id);
            setp(d, "sequences.", name_or(ar_tone_names, st->tone), "%s.steps[%s].tone", s->name, id);
            setp(d, "sequences.", cond_text(st->when), "%s.steps[%s].when", s->name, id);
            setp(d, "sequences.", name_or(ar_roll_names, st->roll), "%s.steps[%s].roll", s->name, id);
            setp(d, "sequences.", st->fee_pack != AR_NONE ? p->fees.packs[st->fee_pack].name : "",
                 "%s.steps[%s].fee_pack", s->name, id);
            setp(d, "sequences.", yesno(st->sensitive), "%s.steps[%s].sensitive", s->name, id);
        }
    }
    for (uint32_t i = 0; i < p->escalation.rule_count; i++) {
        const ar_escalation_rule *r = &p->escalation.rules[i];
        setp(d, "escalation.rules", num(d, i), "[%s].position", r->name);
        setp(d, "escalation.rules", cond_text(r->when), "[%s].when", r->name);
        setp(d, "escalation.rules", names_text(d, &r->notify), "[%s].notify", r->name);
        setp(d, "escalation.rules", num(d, r->decision_deadline_days), "[%s].decision_deadline_days", r->name);
        setp(d, "escalation.rules", yesno(r->recovery_plan), "[%s].recovery_plan", r->name);
        setp(d, "escalation.rules", yesno(r->blocker_summary), "[%s].blocker_summary", r->name);
        setp(d, "escalation.rules", r->tmpl ? r->tmpl->name : "", "[%s].template", r->name);
    }
    const ar_call_queue *q = &p->call_queue;
    setp(d, "call_queue", yesno(q->enabled), ".enabled");
    setp(d, "call_queue", num(d, q->min_days_overdue), ".min_days_overdue");
    setp(d, "call_queue", money_list_text(d, &q->min_amount), ".min_amount");
    setp(d, "call_queue", cond_text(q->critical), ".critical");
    setp(d, "call_queue", num(d, q->max_per_collector_per_day), ".max_per_collector_per_day");
    setp(d, "call_queue", name_or(ar_order_names, q->order), ".order");
    const ar_guardrails *g = &p->guardrails;
    setp(d, "guardrails", num(d, g->max_touches_per_7_days), ".max_touches_per_7_days");
    setp(d, "guardrails", num(d, g->min_days_between_touches), ".min_days_between_touches");
    setp(d, "guardrails", time_text(d, g->quiet_start), ".quiet_hours.start");
    setp(d, "guardrails", time_text(d, g->quiet_end), ".quiet_hours.end");
    setp(d, "guardrails", time_text(d, g->window_start), ".send_window.start");
    setp(d, "guardrails", time_text(d, g->window_end), ".send_window.end");
    setp(d, "guardrails", weekdays_text(d, g->window_days), ".send_window.days");
    setp(d, "guardrails", yesno(g->business_days_only), ".business_days_only");
    setp(d, "guardrails", g->calendar ? g->calendar->name : "", ".calendar");
    setp(d, "guardrails", yesno(g->one_step_per_day), ".one_step_per_customer_per_day");
    setp(d, "guardrails", yesno(g->consolidate), ".consolidate");
    setp(d, "guardrails", name_or(ar_catch_up_names, g->catch_up), ".catch_up");
    setp(d, "guardrails", g->timezone, ".timezone");
}

static void describe_delivery(describer *d, const archase_policy *p) {
    static const char *const weekdays[] = { "none", "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
    const ar_delivery_settings *dl = &p->delivery;
    setp(d, "delivery", num(d, dl->max_attempts), ".max_attempts");
    setp(d, "delivery", num(d, dl->retry_backoff_seconds / 60), ".retry_backoff_minutes");
    setp(d, "delivery", dl->review ? "review" : "automatic", ".review");
    setp(d, "delivery", names_text(d, &dl->review_segments), ".review_segments");
    setp(d, "delivery", names_text(d, &dl->automatic_segments), ".automatic_segments");
    setp(d, "delivery", weekdays[dl->digest_weekday & 7], ".digest_weekday");
}

static void describe_controls(describer *d, const archase_policy *p) {
    describe_delivery(d, p);
    const ar_relationship *r = &p->relationship;
    setp(d, "relationship", name_or(ar_relationship_names, r->hold), ".hold");
    setp(d, "relationship", name_or(ar_relationship_names, r->paused), ".paused");
    setp(d, "relationship", name_or(ar_relationship_names, r->expansion), ".expansion");
    setp(d, "relationship", name_or(ar_relationship_names, r->strategic), ".strategic");
    setp(d, "relationship", name_or(ar_relationship_names, r->service_issue), ".service_issue");
    const ar_payment_patterns *pp = &p->payment_patterns;
    setp(d, "payment_patterns", yesno(pp->enabled), ".enabled");
    setp(d, "payment_patterns", num(d, pp->min_history), ".min_history");
    setp(d, "payment_patterns", num(d, pp->percentile), ".percentile");
    setp(d, "payment_patterns", num(d, pp->max_delay_days), ".max_delay_days");
    setp(d, "payment_patterns", num(d, pp->lookback), ".lookback");
    const ar_promises *pr = &p->promises;
    setp(d, "promises", num(d, pr->grace_days), ".grace_days");
    setp(d, "promises", num(d, pr->max_open_per_invoice), ".max_open_per_invoice");
    setp(d, "promises", num(d, pr->max_days_ahead), ".max_days_ahead");
    setp(d, "promises", yesno(pr->pause_sequence), ".pause_sequence");
    setp(d, "promises", name_or(ar_action_names, pr->on_broken_action), ".on_broken.action");
    setp(d, "promises", name_or(ar_tone_names, pr->on_broken_tone), ".on_broken.tone");
    setp(d, "promises", pr->on_broken_template ? pr->on_broken_template->name : "", ".on_broken.template");
    setp(d, "promises", num(d, pr->partially_kept_percent), ".partially_kept_percent");
    setp(d, "promises", num(d, pr->broken_limit_90d), ".broken_limit_90d");
    const ar_disputes *ds = &p->disputes;
    setp(d, "disputes", ds->undisputed_remainder == AR_REMAINDER_PAUSE ? "pause" : "continue",
         ".undisputed_remainder");
    setp(d, "disputes", num(d, ds->sla_reminder_days), ".sla_reminder_days");
    for (int i = 0; i < AR_REASON_COUNT; i++) {
        const ar_playbook *b = &ds->playbooks[i];
        const char *reason = ar_reason_names[i];
        setp(d, "disputes.playbooks.", b->owner_role, "%s.owner_role", reason);
        setp(d, "disputes.playbooks.", num(d, b->sla_days), "%s.sla_days", reason);
        setp(d, "disputes.playbooks.", names_text(d, &b->evidence), "%s.evidence", reason);
        setp(d, "disputes.playbooks.", b->tmpl ? b->tmpl->name : "", "%s.template", reason);
        setp(d, "disputes.playbooks.", money_list_text(d, &b->approval_limit), "%s.approval_limit", reason);
    }
    const ar_reconciliation *rc = &p->reconciliation;
    setp(d, "reconciliation", rc->owner_role, ".owner_role");
    setp(d, "reconciliation", num(d, rc->sla_days), ".sla_days");
    setp(d, "reconciliation", num(d, rc->short_pay_percent), ".short_pay_percent");
    const ar_credit *cr = &p->credit;
    setp(d, "credit", money_list_text(d, &cr->min_limit), ".min_limit");
    setp(d, "credit", money_list_text(d, &cr->max_limit), ".max_limit");
    setp(d, "credit", num(d, cr->max_raise_percent), ".max_raise_percent");
    setp(d, "credit", num(d, cr->max_lower_percent), ".max_lower_percent");
    setp(d, "credit", num(d, cr->target_utilisation_percent), ".target_utilisation_percent");
    setp(d, "credit", num(d, cr->hold_utilisation_percent), ".hold_utilisation_percent");
    setp(d, "credit", num(d, cr->hold_broken_promises), ".hold_broken_promises");
    setp(d, "credit", num(d, cr->notice_days), ".notice_days");
    setp(d, "credit", cr->notice_template ? cr->notice_template->name : "", ".notice_template");
    const ar_approvals *ap = &p->approvals;
    setp(d, "approvals", money_list_text(d, &ap->materiality), ".materiality");
    for (uint32_t i = 0; i < ap->rule_count; i++) {
        const ar_approval_rule *a = &ap->rules[i];
        const char *action = name_or(ar_action_names, a->action);
        setp(d, "approvals.rules", num(d, a->approvers_below), "[%s].approvers_below", action);
        setp(d, "approvals.rules", num(d, a->approvers_above), "[%s].approvers_above", action);
        setp(d, "approvals.rules", names_text(d, &a->roles), "[%s].roles", action);
        setp(d, "approvals.rules", num(d, a->expiry_days), "[%s].expiry_days", action);
    }
    const ar_fast_lane *fl = &ap->fast_lane;
    setp(d, "approvals.fast_lane", yesno(fl->enabled), ".enabled");
    if (fl->enabled) {
        setp(d, "approvals.fast_lane", money_list_text(d, &fl->max_amount), ".max_amount");
        setp(d, "approvals.fast_lane", cond_text(fl->when), ".when");
        setp(d, "approvals.fast_lane", num(d, fl->approvers), ".approvers");
        setp(d, "approvals.fast_lane", names_text(d, &fl->roles), ".roles");
        setp(d, "approvals.fast_lane", num(d, fl->expiry_hours), ".expiry_hours");
    }
    static const char *const statutory[] = { "none", "eu", "uk" };
    for (uint32_t i = 0; i < p->fees.pack_count; i++) {
        const ar_fee_pack *f = &p->fees.packs[i];
        setp(d, "fees.packs", statutory[f->statutory], "[%s].statutory", f->name);
        setp(d, "fees.packs", cond_text(f->when), "[%s].when", f->name);
        setp(d, "fees.packs", num(d, f->min_days_overdue), "[%s].min_days_overdue", f->name);
        if (f->interest) {
            setp(d, "fees.packs", num(d, f->reference_rate_bp), "[%s].interest.reference_rate_bp", f->name);
            setp(d, "fees.packs", num(d, f->margin_bp), "[%s].interest.margin_bp", f->name);
            setp(d, "fees.packs", f->day_count == AR_DAY_COUNT_360 ? "act_360" : "act_365",
                 "[%s].interest.day_count", f->name);
        }
        for (uint32_t b = 0; b < f->compensation_count; b++) {
            setp(d, "fees.packs", money_text(d, &f->compensation[b].below), "[%s].compensation[%u].below",
                 f->name, (unsigned)b);
            setp(d, "fees.packs", money_text(d, &f->compensation[b].amount), "[%s].compensation[%u].amount",
                 f->name, (unsigned)b);
        }
    }
    setp(d, "templates", p->templates.default_locale, ".default_locale");
    setp(d, "templates", num(d, p->templates.sms_max_length), ".sms_max_length");
    for (uint32_t i = 0; i < p->templates.count; i++) {
        const ar_template *t = &p->templates.items[i];
        setp(d, "templates.definitions.", t->stage, "%s.stage", t->name);
        setp(d, "templates.definitions.", name_or(ar_tone_names, t->tone), "%s.tone", t->name);
        for (uint32_t v = 0; v < t->variant_count; v++) {
            const ar_template_variant *var = &t->variants[v];
            const char *ch = name_or(ar_channel_names, var->channel);
            if (var->subject)
                setp(d, "templates.definitions.", var->subject->source, "%s.%s.%s.subject", t->name, ch,
                     var->locale);
            setp(d, "templates.definitions.", var->body ? var->body->source : "", "%s.%s.%s.body", t->name, ch,
                 var->locale);
        }
    }
}

static int setting_cmp(const void *a, const void *b) {
    const setting *x = a, *y = b;
    int c = strcmp(x->path, y->path);
    return c ? c : strcmp(x->value, y->value);
}

int ar_policy_describe(ar_load *L) {
    archase_policy *p = L->p;
    describer d;
    memset(&d, 0, sizeof d);
    d.L = L;
    ar_buf_init(&d.path, p->allocator);
    ar_buf_init(&d.value, p->allocator);
    ar_canon c;
    ar_canon_init(&c, p->allocator);
    ar_sha256 sha;
    int sha_ready = 0;
    int rc;

    setp(&d, "version", num(&d, p->version), "%s", "");
    setp(&d, "name", p->name, "%s", "");
    setp(&d, "currency.default", p->default_currency, "%s", "");
    ar_buf_reset(&d.value);
    for (uint32_t i = 0; i < p->currency_count; i++) {
        if (i)
            ar_buf_puts(&d.value, ", ");
        ar_buf_puts(&d.value, p->currencies[i]);
    }
    ar_buf_terminate(&d.value);
    setp(&d, "currency.accepted", d.value.err ? "" : (const char *)d.value.data, "%s", "");
    describe_calendars(&d, p);
    describe_cadence(&d, p);
    describe_controls(&d, p);
    rc = d.rc;
    if (rc)
        goto done;
    qsort(d.items, d.count, sizeof *d.items, setting_cmp);
    const char **paths = ar_arena_array(L->arena, d.count, sizeof *paths);
    const char **values = ar_arena_array(L->arena, d.count, sizeof *values);
    if (!paths || !values) {
        rc = ARCHASE_ENOMEM;
        goto done;
    }
    ar_canon_begin_record(&c, AR_POLICY_CANON_KIND);
    ar_canon_put_int(&c, 1, p->version);
    ar_canon_field(&c, 2);
    ar_canon_begin_list(&c);
    for (uint32_t i = 0; i < d.count; i++) {
        paths[i] = d.items[i].path;
        values[i] = d.items[i].value;
        ar_canon_begin_list(&c);
        ar_canon_str(&c, paths[i]);
        ar_canon_str(&c, values[i]);
        ar_canon_end_list(&c);
    }
    ar_canon_end_list(&c);
    ar_canon_end_record(&c);
    const uint8_t *bytes;
    size_t size;
    rc = ar_canon_finish(&c, &bytes, &size);
    if (rc)
        goto done;
    rc = ar_sha256_init(&sha);
    if (rc)
        goto done;
    sha_ready = 1;
    ar_span span = { bytes, size };
    rc = ar_sha256_spans(&sha, &span, 1, p->hash);
    if (rc)
        goto done;
    p->setting_paths = paths;
    p->setting_values = values;
    p->setting_count = d.count;
done:
    if (sha_ready)
        ar_sha256_free(&sha);
    ar_canon_free(&c);
    ar_buf_free(&d.path);
    ar_buf_free(&d.value);
    return rc;
}
