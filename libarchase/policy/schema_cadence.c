/* libarchase/policy/schema_cadence.c — the sections that decide when and how
 * an invoice is chased: calendars, guardrails, segments, the risk score,
 * sequences, escalation and the call queue. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/errors.h"
#include "policy/schema.h"
#include "policy/suggest.h"

/* ---- calendars ------------------------------------------------------------- */

static int date_cmp(const void *a, const void *b) {
    archase_date x = *(const archase_date *)a, y = *(const archase_date *)b;
    return x < y ? -1 : x > y;
}

static void load_calendar(ar_load *L, const ar_ynode *node, ar_calendar_def *def) {
    def->weekend_mask = ARCHASE_WEEKEND_SAT_SUN;
    if (!ar_expect_map(L, node))
        return;
    ar_check_keys(L, node, AR_KEYS_CALENDAR);
    const ar_ynode *weekend = ar_get(L, node, "weekend", 0);
    if (weekend) {
        size_t saved = ar_path_key(L, "weekend", 7);
        if (ar_expect_seq(L, weekend)) {
            uint32_t mask = 0, i = 0;
            for (const ar_ynode *d = weekend->first; d; d = d->next, i++) {
                int found = 0;
                for (int w = 1; w <= 7 && d->kind == AR_Y_SCALAR; w++)
                    if (!strcmp(d->text, ar_weekday_names[w])) {
                        mask |= ARCHASE_WEEKDAY_BIT(w);
                        found = 1;
                    }
                if (!found) {
                    size_t s = ar_path_index(L, i);
                    ar_problem(L, d, "expected a weekday: mon, tue, wed, thu, fri, sat or sun");
                    ar_path_restore(L, s);
                }
            }
            if (mask == 0x7f)
                ar_problem(L, weekend, "every day is a weekend day: no business day is left");
            def->weekend_mask = mask;
        }
        ar_path_restore(L, saved);
    }
    const ar_ynode *holidays = ar_get(L, node, "holidays", 0);
    if (holidays) {
        size_t saved = ar_path_key(L, "holidays", 8);
        if (ar_expect_seq(L, holidays)) {
            archase_date *dates = ar_arena_array(L->arena, holidays->count ? holidays->count : 1,
                                                 sizeof *dates);
            if (!dates) {
                ar_oom(L);
            } else {
                uint32_t i = 0, count = 0;
                for (const ar_ynode *d = holidays->first; d; d = d->next, i++) {
                    archase_date date;
                    if (d->kind != AR_Y_SCALAR || d->quoted || archase_date_parse(d->text, &date)) {
                        size_t s = ar_path_index(L, i);
                        ar_problem(L, d, "expected a date written YYYY-MM-DD, got \"%.*s\"",
                                   (int)(d->len > 40 ? 40 : d->len), d->text ? d->text : "");
                        ar_path_restore(L, s);
                        continue;
                    }
                    dates[count++] = date;
                }
                qsort(dates, count, sizeof *dates, date_cmp);
                uint32_t unique = 0;
                for (uint32_t k = 0; k < count; k++)
                    if (unique == 0 || dates[unique - 1] != dates[k])
                        dates[unique++] = dates[k];
                def->holidays = dates;
                def->holiday_count = unique;
            }
        }
        ar_path_restore(L, saved);
    }
}

static int make_calendar(ar_load *L, ar_calendar_def *def) {
    archase_calendar_options opts = ARCHASE_CALENDAR_OPTIONS_INIT;
    opts.allocator = L->p->allocator;
    opts.weekend_mask = def->weekend_mask;
    if (def->weekend_mask == 0x7f)
        return 0;
    int rc = archase_calendar_new(&opts, &def->calendar);
    for (uint32_t i = 0; !rc && i < def->holiday_count; i++)
        rc = archase_calendar_add_holiday(def->calendar, def->holidays[i]);
    if (rc == ARCHASE_ENOMEM)
        ar_oom(L);
    return rc;
}

void ar_load_calendars(ar_load *L, const ar_ynode *root) {
    const ar_ynode *node = ar_get(L, root, "calendars", 0);
    uint32_t count = 0;
    size_t saved = ar_path_key(L, "calendars", 9);
    if (node && !ar_expect_map(L, node))
        node = NULL;
    uint32_t declared = node ? node->count : 0;
    int has_default = node && ar_ynode_get(node, "default");
    ar_calendar_def *defs = ar_arena_array(L->arena, declared + 1, sizeof *defs);
    if (!defs) {
        ar_oom(L);
        goto done;
    }
    for (const ar_ynode *c = node ? node->first : NULL; c; c = c->next) {
        size_t s = ar_path_key(L, c->key, c->key_len);
        ar_calendar_def *def = &defs[count++];
        def->name = ar_arena_strndup(L->arena, c->key, c->key_len);
        if (!def->name)
            ar_oom(L);
        load_calendar(L, c, def);
        ar_path_restore(L, s);
    }
    if (!has_default) {
        /* The built-in calendar: Saturday and Sunday off, no holidays. */
        ar_calendar_def *def = &defs[count++];
        def->name = "default";
        def->weekend_mask = ARCHASE_WEEKEND_SAT_SUN;
    }
    /* The policy frees whatever calendars exist, even after a failed load. */
    L->p->calendars = defs;
    L->p->calendar_count = count;
    for (uint32_t i = 0; i < count && !L->rc; i++)
        make_calendar(L, &defs[i]);
done:
    ar_path_restore(L, saved);
}

/* ---- guardrails ------------------------------------------------------------------ */

/* An IANA zone name as archase_tz_load accepts it: letters, digits and
 * "/_-+", 1 to 255 bytes, no leading, trailing or doubled '/'. Whether
 * the zone exists is found when a snapshot loads it. */
static void read_timezone(ar_load *L, const ar_ynode *map, const char **out) {
    const char *name = NULL;
    if (ar_read_text(L, map, "timezone", 0, &name) != 0 || !name)
        return;
    size_t len = strlen(name);
    int ok = len > 0 && len <= 255 && name[0] != '/' && name[len - 1] != '/';
    for (size_t i = 0; ok && i < len; i++) {
        char c = name[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '-' || c == '+' || (c == '/' && name[i + 1] != '/');
    }
    if (!ok) {
        size_t s = ar_path_key(L, "timezone", 8);
        ar_problem(L, ar_ynode_get(map, "timezone"),
                   "expected an IANA time zone name such as Europe/Berlin, got '%s'", name);
        ar_path_restore(L, s);
        return;
    }
    *out = name;
}

void ar_load_guardrails(ar_load *L, const ar_ynode *root) {
    ar_guardrails *g = &L->p->guardrails;
    g->max_touches_per_7_days = 3;
    g->min_days_between_touches = 2;
    g->quiet_start = 20 * 60;
    g->quiet_end = 8 * 60;
    g->window_start = 8 * 60;
    g->window_end = 18 * 60;
    g->window_days = 0x1f; /* Monday to Friday */
    g->business_days_only = 1;
    g->one_step_per_day = 1;
    g->consolidate = 1;
    g->catch_up = AR_CATCH_UP_LATEST_ONLY;
    g->timezone = "UTC";
    g->calendar = NULL;
    for (uint32_t i = 0; i < L->p->calendar_count; i++)
        if (!strcmp(L->p->calendars[i].name, "default"))
            g->calendar = &L->p->calendars[i];

    const ar_ynode *node = ar_get(L, root, "guardrails", 0);
    if (!node)
        return;
    size_t saved = ar_path_key(L, "guardrails", 10);
    if (!ar_expect_map(L, node))
        goto done;
    ar_check_keys(L, node, AR_KEYS_GUARDRAILS);
    ar_read_i32(L, node, "max_touches_per_7_days", 0, 1, 50, &g->max_touches_per_7_days);
    ar_read_i32(L, node, "min_days_between_touches", 0, 0, 30, &g->min_days_between_touches);
    ar_read_bool(L, node, "business_days_only", 0, &g->business_days_only);
    ar_read_bool(L, node, "one_step_per_customer_per_day", 0, &g->one_step_per_day);
    ar_read_bool(L, node, "consolidate", 0, &g->consolidate);
    ar_read_enum(L, node, "catch_up", 0, ar_catch_up_names, NULL, &g->catch_up);
    ar_read_calendar(L, node, "calendar", 0, &g->calendar);
    read_timezone(L, node, &g->timezone);
    const ar_ynode *quiet = ar_get(L, node, "quiet_hours", 0);
    if (quiet) {
        size_t s = ar_path_key(L, "quiet_hours", 11);
        if (ar_expect_map(L, quiet)) {
            ar_check_keys(L, quiet, AR_KEYS_QUIET_HOURS);
            ar_read_time(L, quiet, "start", 1, &g->quiet_start);
            ar_read_time(L, quiet, "end", 1, &g->quiet_end);
            if (g->quiet_start == g->quiet_end)
                g->quiet_start = g->quiet_end = -1; /* no quiet hours */
        }
        ar_path_restore(L, s);
    }
    const ar_ynode *window = ar_get(L, node, "send_window", 0);
    if (window) {
        size_t s = ar_path_key(L, "send_window", 11);
        if (ar_expect_map(L, window)) {
            ar_check_keys(L, window, AR_KEYS_SEND_WINDOW);
            ar_read_time(L, window, "start", 1, &g->window_start);
            ar_read_time(L, window, "end", 1, &g->window_end);
            if (g->window_end <= g->window_start)
                ar_problem(L, window, "the send window must end after it starts");
            const ar_ynode *days = ar_get(L, window, "days", 0);
            if (days) {
                size_t d = ar_path_key(L, "days", 4);
                if (ar_expect_seq(L, days)) {
                    uint32_t mask = 0, i = 0;
                    for (const ar_ynode *day = days->first; day; day = day->next, i++) {
                        int found = 0;
                        for (int w = 1; w <= 7 && day->kind == AR_Y_SCALAR; w++)
                            if (!strcmp(day->text, ar_weekday_names[w]))
                                mask |= ARCHASE_WEEKDAY_BIT(w), found = 1;
                        if (!found) {
                            size_t k = ar_path_index(L, i);
                            ar_problem(L, day, "expected a weekday: mon, tue, wed, thu, fri, sat or sun");
                            ar_path_restore(L, k);
                        }
                    }
                    if (!mask)
                        ar_problem(L, days, "no day left to send on");
                    g->window_days = mask;
                }
                ar_path_restore(L, d);
            }
        }
        ar_path_restore(L, s);
    }
done:
    ar_path_restore(L, saved);
}

/* ---- segments ------------------------------------------------------------------------ */

void ar_load_segments(ar_load *L, const ar_ynode *root) {
    const ar_ynode *node = ar_get(L, root, "segments", 1);
    if (!node)
        return;
    size_t saved = ar_path_key(L, "segments", 8);
    if (!ar_expect_seq(L, node))
        goto done;
    if (node->count == 0) {
        ar_problem(L, node, "at least one segment is needed (a catch-all without \"when\")");
        goto done;
    }
    ar_segment *segs = ar_arena_array(L->arena, node->count, sizeof *segs);
    const char **names = ar_arena_array(&L->scratch, node->count, sizeof *names);
    const ar_ynode **seq = ar_arena_array(&L->scratch, node->count, sizeof *seq);
    if (!segs || !names || !seq) {
        ar_oom(L);
        goto done;
    }
    ar_field_set forbidden;
    memset(&forbidden, 0, sizeof forbidden);
    ar_field_set_add(&forbidden, AR_FIELD_SEGMENT);
    uint32_t i = 0;
    const ar_ynode *catch_all = NULL;
    const char *catch_all_name = NULL;
    for (const ar_ynode *s = node->first; s; s = s->next, i++) {
        size_t item = ar_path_index(L, i);
        ar_segment *seg = &segs[i];
        seg->name = "";
        if (ar_expect_map(L, s)) {
            ar_check_keys(L, s, AR_KEYS_SEGMENT);
            ar_read_name(L, s, "name", 1, &seg->name);
            ar_read_cond(L, s, "when", 0, &forbidden,
                         "segments are decided by these conditions", &seg->when);
            seq[i] = ar_get(L, s, "sequence", 1);
            for (uint32_t k = 0; k < i; k++)
                if (seg->name[0] && !strcmp(names[k], seg->name))
                    ar_problem(L, s, "a second segment named \"%s\"", seg->name);
            if (catch_all) {
                ar_problem(L, s,
                           "segment \"%s\" is unreachable: \"%s\" (line %u) before it matches every invoice",
                           seg->name, catch_all_name, (unsigned)catch_all->line);
            } else if (!ar_ynode_get(s, "when") || (seg->when && !strcmp(seg->when->text, "true"))) {
                catch_all = s;
                catch_all_name = seg->name;
            }
        }
        names[i] = seg->name;
        if (seg->name[0]) {
            if (ar_symtab_intern(&L->p->symbols, seg->name, strlen(seg->name), &seg->sym))
                ar_oom(L);
        }
        ar_path_restore(L, item);
    }
    if (!catch_all)
        ar_problem(L, node->last,
                   "the last segment must have no \"when\": a catch-all, so every invoice has a segment");
    L->p->segments = segs;
    L->p->segment_count = node->count;
    L->segment_names = names;
    L->segment_count = node->count;
    L->segment_sequence = seq;
done:
    ar_path_restore(L, saved);
}

/* ---- risk score --------------------------------------------------------------------------- */

/* The drivers a policy gets when it says nothing about the risk score. */
static const ar_risk_driver default_drivers[] = {
    { "Paying later over time", NULL, AR_FIELD_DAYS_LATE_TREND, 0, 5, 0, 150 },
    { "Broken promises in the last 90 days", NULL, AR_FIELD_BROKEN_PROMISES_90D, 0, 100, 0, 300 },
    { "Open disputes", NULL, AR_FIELD_OPEN_DISPUTES, 0, 50, 0, 150 },
    { "Credit limit used above 80%", NULL, AR_FIELD_CREDIT_UTILISATION_PERCENT, 80, 10, 0, 200 },
    { "Partial payments in the last 90 days", NULL, AR_FIELD_PARTIAL_PAYMENTS_90D, 0, 40, 0, 120 },
    { "Usually pays late (80th percentile)", NULL, AR_FIELD_P80_DAYS_LATE, 0, 3, 0, 150 },
};

static void use_driver_fields(ar_load *L, const ar_risk_score *rs) {
    for (uint32_t i = 0; i < rs->driver_count; i++)
        if (rs->drivers[i].field != AR_FIELD_NONE)
            ar_field_set_add(&L->p->fields_used, rs->drivers[i].field);
}

void ar_load_risk_score(ar_load *L, const ar_ynode *root) {
    ar_risk_score *rs = &L->p->risk;
    rs->base = 0;
    rs->drivers = default_drivers;
    rs->driver_count = sizeof default_drivers / sizeof default_drivers[0];
    const ar_ynode *node = ar_get(L, root, "risk_score", 0);
    size_t saved = ar_path_key(L, "risk_score", 10);
    if (!node || !ar_expect_map(L, node))
        goto done;
    ar_check_keys(L, node, AR_KEYS_RISK_SCORE);
    ar_read_int(L, node, "base", 0, 0, AR_RISK_SCORE_MAX, &rs->base);
    const ar_ynode *drivers = ar_get(L, node, "drivers", 0);
    if (!drivers)
        goto done;
    size_t d = ar_path_key(L, "drivers", 7);
    if (ar_expect_seq(L, drivers)) {
        ar_risk_driver *items = ar_arena_array(L->arena, drivers->count ? drivers->count : 1,
                                               sizeof *items);
        if (!items) {
            ar_oom(L);
        } else {
            ar_field_set forbidden;
            memset(&forbidden, 0, sizeof forbidden);
            ar_field_set_add(&forbidden, AR_FIELD_RISK_SCORE);
            ar_field_set_add(&forbidden, AR_FIELD_SEGMENT);
            uint32_t i = 0;
            for (const ar_ynode *n = drivers->first; n; n = n->next, i++) {
                size_t item = ar_path_index(L, i);
                ar_risk_driver *drv = &items[i];
                drv->name = "";
                drv->field = AR_FIELD_NONE;
                if (ar_expect_map(L, n)) {
                    ar_check_keys(L, n, AR_KEYS_DRIVER);
                    ar_read_text(L, n, "name", 1, &drv->name);
                    ar_read_cond(L, n, "when", 0, &forbidden,
                                 "the risk score cannot depend on itself or on the segment", &drv->when);
                    const ar_ynode *field = ar_get(L, n, "field", 0);
                    if (field) {
                        size_t f = ar_path_key(L, "field", 5);
                        int id = field->kind == AR_Y_SCALAR ? ar_field_lookup(field->text, field->len)
                                                            : AR_FIELD_NONE;
                        if (id == AR_FIELD_NONE) {
                            const char *near = field->kind == AR_Y_SCALAR
                                                   ? ar_suggest(field->text, field->len, ar_fields,
                                                                AR_FIELD_COUNT, sizeof ar_fields[0])
                                                   : NULL;
                            if (near)
                                ar_problem(L, field, "unknown field \"%s\" (did you mean \"%s\"?)",
                                           field->text, near);
                            else
                                ar_problem(L, field, "expected a field of the condition catalogue");
                        } else if (ar_fields[id].type != AR_T_INT && ar_fields[id].type != AR_T_DAYS &&
                                   ar_fields[id].type != AR_T_BOOL) {
                            ar_problem(L, field,
                                       "%s is %s: a driver's field must be a number, days or true/false "
                                       "(for amounts, use \"when\" with fixed points)",
                                       ar_fields[id].name, ar_type_name(ar_fields[id].type));
                        } else if (id == AR_FIELD_RISK_SCORE || id == AR_FIELD_SEGMENT) {
                            ar_problem(L, field, "the risk score cannot depend on itself");
                        } else {
                            drv->field = id;
                        }
                        ar_path_restore(L, f);
                    }
                    ar_read_int(L, n, "above", 0, -1000000, 1000000, &drv->above);
                    ar_read_int(L, n, "points_per_unit", 0, -1000, 1000, &drv->points_per_unit);
                    ar_read_int(L, n, "points", 0, -1000, 1000, &drv->points);
                    ar_read_int(L, n, "cap", 0, 0, 1000, &drv->cap);
                    if (field && drv->field != AR_FIELD_NONE && drv->points_per_unit == 0)
                        ar_problem(L, n, "a driver with a field needs points_per_unit");
                    if (!field && !drv->points)
                        ar_problem(L, n, "a driver needs a field with points_per_unit, or points");
                    if (!field && ar_ynode_get(n, "points_per_unit"))
                        ar_problem(L, n, "points_per_unit needs a field");
                    for (uint32_t k = 0; k < i; k++)
                        if (drv->name[0] && !strcmp(items[k].name, drv->name))
                            ar_problem(L, n, "a second driver named \"%s\"", drv->name);
                }
                ar_path_restore(L, item);
            }
            rs->drivers = items;
            rs->driver_count = drivers->count;
        }
    }
    ar_path_restore(L, d);
done:
    use_driver_fields(L, rs);
    ar_path_restore(L, saved);
}

/* ---- sequences ------------------------------------------------------------------------------- */

/* The channel an action uses when the step does not say. */
static int default_channel(int action) {
    switch (action) {
    case ARCHASE_ACTION_SEND_MESSAGE: return 0; /* must be given */
    case ARCHASE_ACTION_QUEUE_CALL: return ARCHASE_CHANNEL_CALL;
    case ARCHASE_ACTION_LEGAL_NOTICE: return ARCHASE_CHANNEL_LETTER;
    default: return ARCHASE_CHANNEL_INTERNAL;
    }
}

static int customer_facing(int channel) {
    return channel == ARCHASE_CHANNEL_EMAIL || channel == ARCHASE_CHANNEL_SMS ||
           channel == ARCHASE_CHANNEL_LETTER || channel == ARCHASE_CHANNEL_PORTAL;
}

static void load_step(ar_load *L, const ar_ynode *n, const ar_sequence *seq, ar_step *step) {
    step->action = ARCHASE_ACTION_SEND_MESSAGE;
    step->roll = seq->roll;
    step->fee_pack = AR_NONE;
    step->id = NULL;
    ar_check_keys(L, n, AR_KEYS_STEP);
    ar_read_name(L, n, "id", 0, &step->id);
    ar_read_i32(L, n, "offset", 1, -365, 3650, &step->offset);
    ar_read_enum(L, n, "action", 0, ar_action_names, NULL, &step->action);
    step->channel = default_channel(step->action);
    int channel_ok = ar_read_enum(L, n, "channel", step->action == ARCHASE_ACTION_SEND_MESSAGE,
                                  ar_channel_names, NULL, &step->channel) == 0;
    ar_read_enum(L, n, "roll", 0, ar_roll_names, NULL, &step->roll);
    ar_read_cond(L, n, "when", 0, NULL, NULL, &step->when);
    const ar_ynode *channel_node = ar_ynode_get(n, "channel");
    if (channel_ok && step->channel) {
        if (step->action == ARCHASE_ACTION_SEND_MESSAGE && !customer_facing(step->channel))
            ar_problem(L, channel_node, "send_message needs a message channel (email, sms, letter or "
                                        "portal); calls are queue_call steps, internal tasks alert_owner");
        if (step->action == ARCHASE_ACTION_QUEUE_CALL && step->channel != ARCHASE_CHANNEL_CALL)
            ar_problem(L, channel_node, "queue_call steps use the call channel");
        if (step->action != ARCHASE_ACTION_SEND_MESSAGE && step->action != ARCHASE_ACTION_QUEUE_CALL &&
            step->action != ARCHASE_ACTION_LEGAL_NOTICE && step->channel == ARCHASE_CHANNEL_CALL)
            ar_problem(L, channel_node, "%s cannot be carried out by a call", ar_action_names[step->action]);
    }
    int needs_template = channel_ok && customer_facing(step->channel);
    ar_read_template(L, n, "template", needs_template, channel_ok ? step->channel : 0, &step->tmpl);
    step->tone = step->tmpl ? step->tmpl->tone : ARCHASE_TONE_FIRM;
    ar_read_enum(L, n, "tone", 0, ar_tone_names, NULL, &step->tone);
    const ar_ynode *fee = ar_get(L, n, "fee_pack", 0);
    int is_fee = step->action == ARCHASE_ACTION_LATE_FEE || step->action == ARCHASE_ACTION_INTEREST;
    if (is_fee && !fee) {
        ar_problem(L, n, "a %s step needs \"fee_pack\": fees exist only as the policy's fee packs define them",
                   ar_action_names[step->action]);
    } else if (fee && !is_fee) {
        size_t s = ar_path_key(L, "fee_pack", 8);
        ar_problem(L, fee, "only late_fee and interest steps take a fee pack");
        ar_path_restore(L, s);
    } else if (fee) {
        size_t s = ar_path_key(L, "fee_pack", 8);
        const ar_fees *fees = &L->p->fees;
        for (uint32_t i = 0; i < fees->pack_count && fee->kind == AR_Y_SCALAR; i++)
            if (!strcmp(fees->packs[i].name, fee->text))
                step->fee_pack = i;
        if (step->fee_pack == AR_NONE) {
            const char *near = fee->kind == AR_Y_SCALAR ? ar_suggest(fee->text, fee->len, fees->packs,
                                                                     fees->pack_count, sizeof fees->packs[0])
                                                        : NULL;
            if (near)
                ar_problem(L, fee, "no fee pack named \"%s\" (did you mean \"%s\"?)", fee->text, near);
            else
                ar_problem(L, fee, "no fee pack named \"%s\" in fees.packs", fee->kind == AR_Y_SCALAR ? fee->text : "");
        } else if (step->action == ARCHASE_ACTION_INTEREST && !fees->packs[step->fee_pack].interest) {
            ar_problem(L, fee, "fee pack \"%s\" charges no interest", fees->packs[step->fee_pack].name);
        } else if (step->action == ARCHASE_ACTION_LATE_FEE && !fees->packs[step->fee_pack].compensation_count) {
            ar_problem(L, fee, "fee pack \"%s\" has no fixed compensation", fees->packs[step->fee_pack].name);
        }
        ar_path_restore(L, s);
    }
    step->sensitive = (L->p->approvals.sensitive >> step->action) & 1u;
    if (!step->id && step->offset != INT32_MIN) {
        char id[24];
        snprintf(id, sizeof id, "d%+d", (int)step->offset);
        step->id = ar_arena_strndup(L->arena, id, strlen(id));
        if (!step->id)
            ar_oom(L);
    }
}

static void load_sequence(ar_load *L, const ar_ynode *node, ar_sequence *seq) {
    seq->calendar = L->p->guardrails.calendar;
    seq->roll = ARCHASE_ROLL_FOLLOWING;
    if (!ar_expect_map(L, node))
        return;
    ar_check_keys(L, node, AR_KEYS_SEQUENCE);
    ar_read_calendar(L, node, "calendar", 0, &seq->calendar);
    ar_read_enum(L, node, "roll", 0, ar_roll_names, NULL, &seq->roll);
    const ar_ynode *steps = ar_get(L, node, "steps", 1);
    if (!steps)
        return;
    size_t saved = ar_path_key(L, "steps", 5);
    if (!ar_expect_seq(L, steps))
        goto done;
    if (steps->count == 0) {
        ar_problem(L, steps, "a sequence needs at least one step");
        goto done;
    }
    ar_step *items = ar_arena_array(L->arena, steps->count, sizeof *items);
    if (!items) {
        ar_oom(L);
        goto done;
    }
    uint32_t i = 0;
    for (const ar_ynode *s = steps->first; s; s = s->next, i++) {
        size_t item = ar_path_index(L, i);
        ar_step *step = &items[i];
        step->offset = INT32_MIN; /* until read: an offset that is missing stays out of the order checks */
        if (ar_expect_map(L, s)) {
            load_step(L, s, seq, step);
            if (i > 0 && step->offset != INT32_MIN && items[i - 1].offset != INT32_MIN &&
                step->offset <= items[i - 1].offset) {
                const ar_ynode *off = ar_ynode_get(s, "offset");
                size_t o = ar_path_key(L, "offset", 6);
                ar_problem(L, off, "steps must be in increasing offset order: %d comes after %d",
                           (int)step->offset, (int)items[i - 1].offset);
                ar_path_restore(L, o);
            }
            for (uint32_t k = 0; k < i && step->id; k++)
                if (items[k].id && !strcmp(items[k].id, step->id))
                    ar_problem(L, s, "a second step with id \"%s\"", step->id);
        }
        if (!step->id)
            step->id = "";
        ar_path_restore(L, item);
    }
    seq->steps = items;
    seq->step_count = steps->count;
done:
    ar_path_restore(L, saved);
}

void ar_load_sequences(ar_load *L, const ar_ynode *root) {
    const ar_ynode *node = ar_get(L, root, "sequences", 1);
    archase_policy *p = L->p;
    if (node) {
        size_t saved = ar_path_key(L, "sequences", 9);
        if (ar_expect_map(L, node)) {
            ar_sequence *seqs = ar_arena_array(L->arena, node->count ? node->count : 1, sizeof *seqs);
            if (!seqs) {
                ar_oom(L);
            } else {
                uint32_t i = 0;
                for (const ar_ynode *s = node->first; s; s = s->next, i++) {
                    size_t item = ar_path_key(L, s->key, s->key_len);
                    seqs[i].name = ar_arena_strndup(L->arena, s->key, s->key_len);
                    if (!seqs[i].name)
                        ar_oom(L);
                    load_sequence(L, s, &seqs[i]);
                    ar_path_restore(L, item);
                }
                p->sequences = seqs;
                p->sequence_count = node->count;
                if (!node->count)
                    ar_problem(L, node, "at least one sequence is needed");
            }
        }
        ar_path_restore(L, saved);
    }
    /* Every segment names a sequence that exists. */
    for (uint32_t i = 0; i < p->segment_count && L->segment_sequence; i++) {
        const ar_ynode *ref = L->segment_sequence[i];
        if (!ref)
            continue;
        size_t s1 = ar_path_key(L, "segments", 8);
        size_t s2 = ar_path_index(L, i);
        size_t s3 = ar_path_key(L, "sequence", 8);
        const ar_sequence *seq = ref->kind == AR_Y_SCALAR ? ar_policy_sequence(p, ref->text) : NULL;
        if (!seq) {
            const char *near = ref->kind == AR_Y_SCALAR
                                   ? ar_suggest(ref->text, ref->len, p->sequences, p->sequence_count,
                                                sizeof p->sequences[0])
                                   : NULL;
            if (near)
                ar_problem(L, ref, "no sequence named \"%s\" (did you mean \"%s\"?)", ref->text, near);
            else
                ar_problem(L, ref, "no sequence named \"%s\" in sequences",
                           ref->kind == AR_Y_SCALAR ? ref->text : "");
        }
        ((ar_segment *)p->segments)[i].sequence = seq;
        ar_path_restore(L, s3);
        ar_path_restore(L, s2);
        ar_path_restore(L, s1);
    }
}

/* ---- escalation --------------------------------------------------------------------------------- */

static const char *const default_notify[] = { "account_owner", "finance_lead" };

void ar_load_escalation(ar_load *L, const ar_ynode *root) {
    ar_escalation *e = &L->p->escalation;
    const ar_ynode *node = ar_get(L, root, "escalation", 0);
    if (!node)
        return;
    size_t saved = ar_path_key(L, "escalation", 10);
    if (!ar_expect_map(L, node))
        goto done;
    ar_check_keys(L, node, AR_KEYS_ESCALATION);
    const ar_ynode *rules = ar_get(L, node, "rules", 0);
    if (!rules)
        goto done;
    size_t r = ar_path_key(L, "rules", 5);
    if (ar_expect_seq(L, rules)) {
        ar_escalation_rule *items = ar_arena_array(L->arena, rules->count ? rules->count : 1,
                                                   sizeof *items);
        if (!items) {
            ar_oom(L);
        } else {
            uint32_t i = 0;
            for (const ar_ynode *n = rules->first; n; n = n->next, i++) {
                size_t item = ar_path_index(L, i);
                ar_escalation_rule *rule = &items[i];
                rule->name = "";
                rule->notify.items = default_notify;
                rule->notify.count = 2;
                rule->decision_deadline_days = 5;
                rule->recovery_plan = 1;
                rule->blocker_summary = 1;
                if (ar_expect_map(L, n)) {
                    ar_check_keys(L, n, AR_KEYS_ESCALATION_RULE);
                    ar_read_name(L, n, "name", 1, &rule->name);
                    ar_read_cond(L, n, "when", 1, NULL, NULL, &rule->when);
                    ar_read_name_list(L, n, "notify", &rule->notify);
                    if (rule->notify.count == 0)
                        ar_problem(L, n, "notify must name at least one role");
                    ar_read_i32(L, n, "decision_deadline_days", 0, 1, 90, &rule->decision_deadline_days);
                    ar_read_bool(L, n, "recovery_plan", 0, &rule->recovery_plan);
                    ar_read_bool(L, n, "blocker_summary", 0, &rule->blocker_summary);
                    ar_read_template(L, n, "template", 0, 0, &rule->tmpl);
                    for (uint32_t k = 0; k < i; k++)
                        if (rule->name[0] && !strcmp(items[k].name, rule->name))
                            ar_problem(L, n, "a second escalation rule named \"%s\"", rule->name);
                }
                ar_path_restore(L, item);
            }
            e->rules = items;
            e->rule_count = rules->count;
        }
    }
    ar_path_restore(L, r);
done:
    ar_path_restore(L, saved);
}

/* ---- call queue -------------------------------------------------------------------------------- */

void ar_load_call_queue(ar_load *L, const ar_ynode *root) {
    ar_call_queue *q = &L->p->call_queue;
    q->enabled = 1;
    q->min_days_overdue = 15;
    q->max_per_collector_per_day = 40;
    q->order = AR_ORDER_RISK_SCORE;
    const ar_ynode *node = ar_get(L, root, "call_queue", 0);
    if (!node)
        return;
    size_t saved = ar_path_key(L, "call_queue", 10);
    if (ar_expect_map(L, node)) {
        ar_check_keys(L, node, AR_KEYS_CALL_QUEUE);
        ar_read_bool(L, node, "enabled", 0, &q->enabled);
        ar_read_i32(L, node, "min_days_overdue", 0, 0, 3650, &q->min_days_overdue);
        ar_read_money_list(L, node, "min_amount", &q->min_amount);
        ar_read_cond(L, node, "critical", 0, NULL, NULL, &q->critical);
        ar_read_i32(L, node, "max_per_collector_per_day", 0, 1, 500, &q->max_per_collector_per_day);
        ar_read_enum(L, node, "order", 0, ar_order_names, NULL, &q->order);
    }
    ar_path_restore(L, saved);
}
