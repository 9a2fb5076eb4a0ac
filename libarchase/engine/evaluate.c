/* libarchase/engine/evaluate.c — archase_evaluate: for each customer (in id
 * order) its facts once, then for each open invoice its fields, risk score,
 * segment, cadence step and what may stop it, the escalation and call-queue
 * rules, its coverage and its new cadence state. emit.c turns what the
 * customer's invoices need into decisions.
 *
 * Pure: reads the snapshot and the policy, writes only the result. */
#include <string.h>

#include "archase/errors.h"
#include "core/alloc.h"
#include "engine/eval.h"

/* ---- per evaluation ------------------------------------------------------ */

/* 1 when condition `c` reads a field of the invoice group (or the score,
 * which may). */
static int reads_invoice(const ar_cond *c, int risk_per_invoice) {
    if (!c)
        return 0;
    for (int f = 0; f < AR_FIELD_COUNT; f++) {
        if (!ar_field_set_has(&c->fields, f))
            continue;
        if (!strcmp(ar_fields[f].group, "invoice") || f == AR_FIELD_SEGMENT ||
            (f == AR_FIELD_RISK_SCORE && risk_per_invoice))
            return 1;
    }
    return 0;
}

static int driver_reads_invoice(const ar_risk_driver *d) {
    return reads_invoice(d->when, 0) ||
           (d->field != AR_FIELD_NONE && !strcmp(ar_fields[d->field].group, "invoice"));
}

static ar_sym sym(const archase_policy *p, const char *s) {
    return s ? ar_policy_symbol_lookup(p, s, strlen(s)) : AR_SYM_NONE;
}

static int setup(ar_eval *E) {
    const archase_policy *p = E->p;
    const archase_snapshot *s = E->s;
    const archase_allocator *a = &E->ds->allocator;
    for (uint32_t i = 0; i < p->risk.driver_count; i++)
        E->risk_per_invoice |= driver_reads_invoice(&p->risk.drivers[i]);
    E->seg_invoice = ar_calloc(a, p->segment_count, 1);
    E->seg_inv = ar_malloc_array(a, p->segment_count ? p->segment_count : 1, sizeof *E->seg_inv);
    uint32_t rules = p->escalation.rule_count;
    E->esc_invoice = ar_malloc_array(a, rules ? rules : 1, 1);
    E->esc_cache = ar_malloc_array(a, rules ? rules : 1, 1);
    E->seg_test = ar_malloc_array(a, p->segment_count ? p->segment_count : 1, sizeof *E->seg_test);
    E->esc_test = ar_malloc_array(a, rules ? rules : 1, sizeof *E->esc_test);
    E->esc_inv = ar_malloc_array(a, rules ? rules : 1, sizeof *E->esc_inv);
    size_t max_inv = 1, max_prom = 1;
    for (size_t c = 0; c < s->ids.count; c++) {
        if (s->customers[c].inv_count > max_inv)
            max_inv = s->customers[c].inv_count;
        if (s->customers[c].prom_count > max_prom)
            max_prom = s->customers[c].prom_count;
    }
    E->memo = ar_calloc(a, AR_STEP_MEMO_SIZE, sizeof *E->memo);
    E->plans = ar_calloc(a, AR_PLAN_MEMO_SIZE, sizeof *E->plans);
    E->w = ar_malloc_array(a, max_inv, sizeof *E->w);
    E->w_cap = max_inv;
    E->disputed = ar_malloc_array(a, max_inv, sizeof *E->disputed);
    E->oldest = ar_malloc_array(a, max_inv, sizeof *E->oldest);
    E->peff = ar_malloc_array(a, max_prom, sizeof *E->peff);
    E->peff_cap = max_prom;
    if (!E->seg_invoice || !E->seg_inv || !E->esc_invoice || !E->esc_cache || !E->seg_test || !E->esc_test ||
        !E->esc_inv || !E->memo || !E->plans || !E->w || !E->disputed || !E->oldest || !E->peff)
        return ARCHASE_ENOMEM;
    for (uint32_t i = 0; i < p->segment_count; i++) {
        E->seg_invoice[i] = (uint8_t)reads_invoice(p->segments[i].when, E->risk_per_invoice);
        ar_cond_first_test(p->segments[i].when, &E->seg_test[i]);
        if (E->seg_invoice[i] && i + 1 < p->segment_count)
            E->seg_inv[E->seg_inv_n++] = i;
    }
    for (uint32_t i = 0; i < rules; i++) {
        E->esc_invoice[i] = (uint8_t)reads_invoice(p->escalation.rules[i].when, E->risk_per_invoice);
        ar_cond_first_test(p->escalation.rules[i].when, &E->esc_test[i]);
        if (E->esc_invoice[i])
            E->esc_inv[E->esc_inv_n++] = i;
    }
    E->crit_invoice = reads_invoice(p->call_queue.critical, E->risk_per_invoice);
    /* Sequence and step names as numbers of the snapshot's text, so stored
     * states compare by number. */
    size_t steps = 0;
    for (uint32_t i = 0; i < p->sequence_count; i++)
        steps += p->sequences[i].step_count;
    E->seq_text = ar_malloc_array(a, p->sequence_count, sizeof *E->seq_text);
    E->step_base = ar_malloc_array(a, p->sequence_count, sizeof *E->step_base);
    E->step_text = ar_malloc_array(a, steps ? steps : 1, sizeof *E->step_text);
    E->step_rule = ar_malloc_array(a, steps ? steps : 1, sizeof *E->step_rule);
    if (!E->seq_text || !E->step_base || !E->step_text || !E->step_rule)
        return ARCHASE_ENOMEM;
    for (uint32_t i = 0, n = 0; i < p->sequence_count; i++) {
        const ar_sequence *seq = &p->sequences[i];
        uint32_t t = ar_strtab_find(&s->text, seq->name);
        E->seq_text[i] = t == AR_STRTAB_NONE ? AR_NAME_UNSEEN : t;
        E->step_base[i] = n;
        for (uint32_t k = 0; k < seq->step_count; k++, n++) {
            t = ar_strtab_find(&s->text, seq->steps[k].id);
            E->step_text[n] = t == AR_STRTAB_NONE ? AR_NAME_UNSEEN : t;
            E->step_rule[n] = AR_IDX_NONE;
        }
    }
    static const char *const bands[5] = { "current", "1_30", "31_60", "61_90", "91_plus" };
    for (int i = 0; i < 5; i++)
        E->aging_sym[i] = sym(p, bands[i]);
    E->none_sym = sym(p, "none");
    E->calendar = p->guardrails.calendar ? p->guardrails.calendar->calendar : NULL;
    /* The calendar fields are the as-of date's. */
    int32_t y, m, d;
    archase_date_to_ymd(E->as_of, &y, &m, &d);
    E->env.value[AR_FIELD_WEEKDAY] = archase_date_weekday(E->as_of);
    E->env.value[AR_FIELD_IS_BUSINESS_DAY] = archase_calendar_is_business_day(E->calendar, E->as_of);
    E->env.value[AR_FIELD_DAY_OF_MONTH] = d;
    return 0;
}

static void teardown(ar_eval *E) {
    const archase_allocator *a = &E->ds->allocator;
    ar_free(a, E->seg_invoice);
    ar_free(a, E->memo);
    ar_free(a, E->plans);
    ar_free(a, E->order);
    ar_free(a, E->seq_text);
    ar_free(a, E->step_base);
    ar_free(a, E->step_text);
    ar_free(a, E->step_rule);
    ar_free(a, E->seg_inv);
    ar_free(a, E->esc_invoice);
    ar_free(a, E->esc_cache);
    ar_free(a, E->seg_test);
    ar_free(a, E->esc_test);
    ar_free(a, E->esc_inv);
    ar_free(a, E->curs);
    ar_free(a, E->w);
    ar_free(a, E->disputed);
    ar_free(a, E->oldest);
    ar_free(a, E->peff);
    ar_free(a, E->esc);
    ar_free(a, E->groups);
    ar_free(a, E->members);
    ar_free(a, E->member_next);
    ar_free(a, E->touches);
}

/* ---- per customer ---------------------------------------------------------- */

static void set_money(ar_eval *E, int field, int64_t minor, uint32_t packed) {
    E->env.value[field] = minor;
    E->env.currency[field] = packed;
}

/* The customer's currencies with their open and overdue totals, and the
 * number of its overdue invoices. */
static int customer_currencies(ar_eval *E) {
    const archase_snapshot *s = E->s;
    const ar_snap_customer *c = E->cust;
    int64_t overdue_n = 0;
    E->cur_n = 0;
    for (uint32_t j = 0; j < c->inv_count; j++) {
        uint32_t inv = c->inv_first + j;
        const ar_snap_invoice *si = &s->invoices[inv];
        uint32_t k = 0;
        while (k < E->cur_n && memcmp(E->curs[k].currency, si->currency, 4) != 0)
            k++;
        if (k == E->cur_n) {
            if (ar_grow(&E->ds->allocator, (void **)&E->curs, &E->cur_cap, E->cur_n + 1, sizeof *E->curs))
                return ARCHASE_ENOMEM;
            ar_cur *cur = &E->curs[E->cur_n++];
            memset(cur, 0, sizeof *cur);
            memcpy(cur->currency, si->currency, 4);
            cur->packed = ar_currency_pack(si->currency);
            size_t m = (cur->packed ^ (cur->packed >> 8)) & 7;
            if (E->cur_memo[m].packed != cur->packed || !cur->packed) {
                E->cur_memo[m].packed = cur->packed;
                E->cur_memo[m].sym = ar_policy_symbol_lookup(E->p, si->currency, 3);
                E->cur_memo[m].call_min = ar_money_list_find(&E->p->call_queue.min_amount, si->currency);
            }
            cur->sym = E->cur_memo[m].sym;
            cur->call_min = E->cur_memo[m].call_min;
        }
        ar_cur *cur = &E->curs[k];
        if (__builtin_add_overflow(cur->open, si->open, &cur->open))
            return ARCHASE_EOVERFLOW;
        if (E->as_of > si->due_date) {
            if (__builtin_add_overflow(cur->overdue, si->open, &cur->overdue))
                return ARCHASE_EOVERFLOW;
            overdue_n++;
        }
        E->w[j].cur = k;
    }
    E->env.value[AR_FIELD_OVERDUE_INVOICES] = overdue_n;
    return 0;
}

/* Touches of the customer the 7-day fields and the guardrails read. */
static int customer_touches(ar_eval *E) {
    const archase_snapshot *s = E->s;
    const ar_snap_customer *c = E->cust;
    E->touch_n = 0;
    if (ar_grow(&E->ds->allocator, (void **)&E->touches, &E->touch_cap, c->touch_count + 1,
                sizeof *E->touches))
        return ARCHASE_ENOMEM;
    archase_date last = c->touchlog != AR_IDX_NONE ? s->touchlogs[c->touchlog].last_touch : ARCHASE_DATE_NONE;
    if (last != ARCHASE_DATE_NONE && last > E->as_of)
        last = ARCHASE_DATE_NONE;
    int64_t week = 0;
    for (uint32_t i = 0; i < c->touch_count; i++) {
        const ar_snap_touch *t = &s->touches[c->touch_first + i];
        E->touches[E->touch_n++] = (ar_touch){ t->date, t->channel };
        if (t->date <= E->as_of && t->date > E->as_of - 7)
            week++;
        if (t->date <= E->as_of && (last == ARCHASE_DATE_NONE || t->date > last))
            last = t->date;
    }
    E->env.value[AR_FIELD_TOUCHES_7D] = week;
    E->env.value[AR_FIELD_DAYS_SINCE_LAST_TOUCH] = last == ARCHASE_DATE_NONE ? 9999 : E->as_of - last;
    return 0;
}

/* The policy symbol of snapshot text `n` (AR_STR_NONE: none), through a
 * memo: customers share a few tiers and countries. */
static ar_sym text_sym(ar_eval *E, uint32_t n) {
    if (n == AR_STR_NONE)
        return AR_SYM_NONE;
    size_t i = (n * 2654435761u >> 26) & 63;
    if (E->text_sym[i].text != n || (n == 0 && E->text_sym[i].sym == 0)) {
        E->text_sym[i].text = n;
        E->text_sym[i].sym = sym(E->p, ar_snap_str(E->s, n));
    }
    return E->text_sym[i].sym;
}

static void customer_fields(ar_eval *E) {
    const archase_snapshot *s = E->s;
    const ar_snap_customer *c = E->cust;
    int64_t *v = E->env.value;
    v[AR_FIELD_TIER] = text_sym(E, c->tier);
    v[AR_FIELD_COUNTRY] = text_sym(E, c->country);
    v[AR_FIELD_ON_HOLD] = (c->flags & AR_SF_HOLD) != 0;
    v[AR_FIELD_PAUSED] = c->paused_until != ARCHASE_DATE_NONE && c->paused_until >= E->as_of;
    v[AR_FIELD_EXPANSION] = (c->flags & AR_SF_EXPANSION) != 0;
    v[AR_FIELD_STRATEGIC] = (c->flags & AR_SF_STRATEGIC) != 0;
    v[AR_FIELD_SERVICE_ISSUE] = (c->flags & AR_SF_SERVICE_ISSUE) != 0;
    v[AR_FIELD_HAS_OWNER] = c->owner != AR_STR_NONE;
    /* The open amount in the credit limit's currency is that currency's
     * total; the overdue invoices were counted with the totals. */
    int64_t limit_open = 0;
    for (size_t k = 0; k < E->cur_n; k++)
        if (!memcmp(E->curs[k].currency, c->credit_limit.currency, 4))
            limit_open = E->curs[k].open;
    v[AR_FIELD_OPEN_INVOICES] = c->inv_count;
    v[AR_FIELD_CREDIT_UTILISATION_PERCENT] =
        c->credit_limit.currency[0] && c->credit_limit.minor > 0
            ? (int64_t)((__int128)limit_open * 100 / c->credit_limit.minor)
            : 0;
    v[AR_FIELD_DISPUTES_12M] = c->disputes_12m;
    v[AR_FIELD_OPEN_DISPUTES] = c->disp_count;
    ar_promise_history(E->p, s, c, E->as_of, &v[AR_FIELD_BROKEN_PROMISES_90D],
                       &v[AR_FIELD_PROMISES_KEPT_PERCENT]);
    v[AR_FIELD_PAID_INVOICES] = E->pattern.sample;
    v[AR_FIELD_MEDIAN_DAYS_LATE] = ar_pattern_days(E->pattern.median_x100);
    v[AR_FIELD_P80_DAYS_LATE] = ar_pattern_days(E->pattern.p80_x100);
    v[AR_FIELD_DAYS_LATE_TREND] = ar_pattern_days(E->pattern.trend_x100);
    v[AR_FIELD_PARTIAL_PAYMENTS_90D] = c->partial_payments_90d;
}

/* ---- per invoice -------------------------------------------------------------- */

static int aging_band(int32_t days) {
    return days <= 0 ? 0 : days <= 30 ? 1 : days <= 60 ? 2 : days <= 90 ? 3 : 4;
}

/* The customer's promise covering invoice `inv` that matters today: an open
 * one (it pauses) before a broken one (it routes). */
static void invoice_promise(ar_eval *E, ar_work *w) {
    const archase_snapshot *s = E->s;
    const ar_snap_customer *c = E->cust;
    w->promise = AR_IDX_NONE;
    w->promise_state = 0;
    for (uint32_t k = 0; k < c->prom_count; k++) {
        const ar_snap_promise *pr = &s->promises[c->prom_first + k];
        int state = E->peff[k].state;
        if (state != AR_PROMISE_OPEN && state != AR_PROMISE_BROKEN)
            continue;
        int covers = 0;
        for (uint32_t i = 0; i < pr->inv_count && !covers; i++)
            covers = s->promise_invoices[pr->inv_first + i] == w->inv;
        if (!covers || (w->promise_state == AR_PROMISE_OPEN))
            continue;
        if (w->promise == AR_IDX_NONE || state == AR_PROMISE_OPEN) {
            w->promise = c->prom_first + k;
            w->promise_state = state;
        }
    }
}

static int32_t step_index(const ar_sequence *seq, int32_t last_offset) {
    return (int32_t)ar_first_step_after(seq, last_offset) - 1;
}

/* The invoice's fields, those the policy's conditions and drivers read
 * (ar_policy.fields_used; the others are left as they are, nothing reads
 * them): the cheap ones always, the ones that cost a computation or a
 * lookup only when read. */
static void invoice_fields(ar_eval *E, ar_work *w) {
    const archase_snapshot *s = E->s;
    const ar_snap_invoice *si = w->si;
    const ar_cur *cur = &E->curs[w->cur];
    const ar_field_set used = E->p->fields_used;
    int64_t *v = E->env.value;
    uint32_t pk = cur->packed;
#define USED(f) ar_field_set_has(&used, AR_FIELD_##f)
    v[AR_FIELD_DAYS_OVERDUE] = w->days_overdue;
    v[AR_FIELD_DAYS_TO_DUE] = -w->days_overdue;
    if (USED(AMOUNT))
        set_money(E, AR_FIELD_AMOUNT, si->amount, pk);
    if (USED(OPEN_AMOUNT))
        set_money(E, AR_FIELD_OPEN_AMOUNT, si->open, pk);
    if (USED(PAID_AMOUNT))
        set_money(E, AR_FIELD_PAID_AMOUNT, si->amount - si->open, pk);
    v[AR_FIELD_CURRENCY] = cur->sym;
    if (USED(AGING_BAND))
        v[AR_FIELD_AGING_BAND] = E->aging_sym[aging_band(w->days_overdue)];
    v[AR_FIELD_INVOICE_AGE_DAYS] = E->as_of - si->issue_date;
    v[AR_FIELD_DUE_DATE] = si->due_date;
    v[AR_FIELD_ISSUE_DATE] = si->issue_date;
    if (USED(PARTIALLY_PAID))
        v[AR_FIELD_PARTIALLY_PAID] = si->open > 0 && si->open < si->amount;
    v[AR_FIELD_DISPUTED] = w->disputed > 0;
    if (USED(DISPUTED_AMOUNT))
        set_money(E, AR_FIELD_DISPUTED_AMOUNT, w->disputed, pk);
    if (USED(UNDISPUTED_OPEN_AMOUNT))
        set_money(E, AR_FIELD_UNDISPUTED_OPEN_AMOUNT, w->chase, pk);
    if (USED(DISPUTE_REASON) || USED(DISPUTE_AGE_DAYS)) {
        if (w->dispute != AR_IDX_NONE) {
            const ar_snap_dispute *d = &s->disputes[w->dispute];
            v[AR_FIELD_DISPUTE_REASON] = sym(E->p, ar_reason_names[d->reason]);
            v[AR_FIELD_DISPUTE_AGE_DAYS] = E->as_of - d->opened_on;
        } else {
            v[AR_FIELD_DISPUTE_REASON] = E->none_sym;
            v[AR_FIELD_DISPUTE_AGE_DAYS] = 0;
        }
    }
    int open_promise = w->promise_state == AR_PROMISE_OPEN;
    v[AR_FIELD_HAS_OPEN_PROMISE] = open_promise;
    if (USED(PROMISED_AMOUNT) || USED(DAYS_TO_PROMISE)) {
        if (open_promise) {
            const ar_snap_promise *pr = &s->promises[w->promise];
            set_money(E, AR_FIELD_PROMISED_AMOUNT, pr->amount, pk);
            v[AR_FIELD_DAYS_TO_PROMISE] = pr->promised_date + ar_promise_grace(E->p, pr) - E->as_of;
        } else {
            set_money(E, AR_FIELD_PROMISED_AMOUNT, 0, pk);
            v[AR_FIELD_DAYS_TO_PROMISE] = 0;
        }
    }
    if (USED(STEP_INDEX)) {
        const ar_sequence *stored = NULL;
        for (uint32_t i = 0; w->state && i < E->p->sequence_count && !stored; i++)
            if (E->seq_text[i] == w->state->sequence)
                stored = &E->p->sequences[i];
        v[AR_FIELD_STEP_INDEX] = stored ? step_index(stored, w->last_offset) : -1;
    }
    if (USED(CUSTOMER_OPEN_AMOUNT))
        set_money(E, AR_FIELD_CUSTOMER_OPEN_AMOUNT, cur->open, pk);
    if (USED(CUSTOMER_OVERDUE_AMOUNT))
        set_money(E, AR_FIELD_CUSTOMER_OVERDUE_AMOUNT, cur->overdue, pk);
    if (USED(CREDIT_LIMIT)) {
        const archase_money *limit = &E->cust->credit_limit;
        if (limit->currency[0])
            set_money(E, AR_FIELD_CREDIT_LIMIT, limit->minor, ar_currency_pack(limit->currency));
        else
            set_money(E, AR_FIELD_CREDIT_LIMIT, 0, pk);
    }
#undef USED
}

static void score_and_segment(ar_eval *E, ar_work *w) {
    const archase_policy *p = E->p;
    ar_cur *cur = &E->curs[w->cur];
    if (!E->risk_per_invoice && cur->risk_cached) {
        w->risk = cur->risk;
    } else {
        ar_risk_evaluate(&p->risk, &E->env, &w->risk);
        cur->risk = w->risk;
        cur->risk_cached = 1;
    }
    E->env.value[AR_FIELD_RISK_SCORE] = w->risk.score;
    /* The segments on customer fields hold for all the customer's invoices
     * in a currency: the first that does ends every invoice's walk. */
    if (E->seg_cache_cur != w->cur) {
        E->seg_stop = p->segment_count - 1;
        for (uint32_t i = 0; i + 1 < p->segment_count; i++) {
            if (!E->seg_invoice[i] && ar_cond_eval(p->segments[i].when, &E->env)) {
                E->seg_stop = i;
                break;
            }
        }
        E->crit_cache = -1;
        E->seg_cache_cur = w->cur;
    }
    uint32_t i = E->seg_stop;
    for (uint32_t k = 0; k < E->seg_inv_n && E->seg_inv[k] < E->seg_stop; k++) {
        uint32_t at = E->seg_inv[k];
        if (ar_cond_test_passes(&E->seg_test[at], &E->env) && ar_cond_eval(p->segments[at].when, &E->env)) {
            i = at;
            break;
        }
    }
    w->segment = i;
    w->seq = p->segments[i].sequence;
    E->env.value[AR_FIELD_SEGMENT] = p->segments[i].sym;
}

static int currency_accepted(const archase_policy *p, const char *currency) {
    if (p->currency_count == 0)
        return 1;
    for (uint32_t i = 0; i < p->currency_count; i++)
        if (!memcmp(p->currencies[i], currency, 4))
            return 1;
    return 0;
}

/* How the step would go out with nothing in the way. */
static int step_out(const ar_step *st) {
    if (st->sensitive)
        return AR_OUT_APPROVAL;
    switch (st->action) {
    case ARCHASE_ACTION_QUEUE_CALL: return AR_OUT_CALL;
    case ARCHASE_ACTION_ALERT_OWNER: return AR_OUT_ALERT;
    case ARCHASE_ACTION_ESCALATE: return AR_OUT_ESCALATE;
    default: return AR_OUT_MESSAGE;
    }
}

static int has_escalated(ar_eval *E, const ar_work *w, const char *name) {
    for (uint32_t i = 0; i < w->esc_count; i++)
        if (!strcmp(E->esc[w->esc_first + i], name))
            return 1;
    return 0;
}

static int push_esc(ar_eval *E, const char *name) {
    if (ar_grow(&E->ds->allocator, (void **)&E->esc, &E->esc_cap, E->esc_n + 1, sizeof *E->esc))
        return ARCHASE_ENOMEM;
    E->esc[E->esc_n++] = name;
    return 0;
}

static int group(ar_eval *E, uint32_t j, int origin, int kind, int action, int channel, int tone,
                 const ar_template *tmpl, const char *rule, const ar_sequence *seq,
                 const void *source, const ar_reasons *why) {
    ar_group key;
    memset(&key, 0, sizeof key);
    if (kind == ARCHASE_DECISION_QUEUE_CALL && origin == AR_ORIGIN_PROMISE) {
        /* One call a day per customer: a broken promise joins it and names it. */
        origin = AR_ORIGIN_CALL_QUEUE;
        source = NULL;
    }
    key.origin = origin;
    key.kind = kind;
    key.action = action;
    key.channel = channel;
    key.tone = tone;
    key.tmpl = tmpl;
    key.rule = rule;
    key.seq = seq;
    key.source = source;
    key.cur = E->w[j].cur;
    return ar_eval_group(E, &key, j, why);
}

/* What today's step needs: the decision it becomes and what may stop it. */
static int plan_step(ar_eval *E, uint32_t j) {
    ar_work *w = &E->w[j];
    const archase_policy *p = E->p;
    const ar_snap_customer *c = E->cust;
    const ar_step *st = w->plan.fire != AR_IDX_NONE ? &w->seq->steps[w->plan.fire] : NULL;
    int stop = 0, stop_kind = AR_OUT_SKIP, stop_cov = 0;
    memset(&w->why, 0, sizeof w->why);
    w->out = st ? step_out(st) : AR_OUT_NONE;
    if (!currency_accepted(p, w->si->currency)) {
        stop = ARCHASE_REASON_UNKNOWN_CURRENCY, stop_cov = ARCHASE_COVERAGE_EXCEPTION;
    } else if (w->disputed > 0 && (w->chase == 0 || p->disputes.undisputed_remainder == AR_REMAINDER_PAUSE)) {
        stop = ARCHASE_REASON_DISPUTED, stop_kind = AR_OUT_WAIT, stop_cov = ARCHASE_COVERAGE_DISPUTE;
    } else if (w->promise_state == AR_PROMISE_OPEN && p->promises.pause_sequence &&
               !(p->promises.broken_limit_90d > 0 &&
                 E->env.value[AR_FIELD_BROKEN_PROMISES_90D] >= p->promises.broken_limit_90d)) {
        /* a repeat breaker's promises no longer pause (promises.broken_limit_90d) */
        stop = ARCHASE_REASON_PROMISE_OPEN, stop_kind = AR_OUT_WAIT, stop_cov = ARCHASE_COVERAGE_PROMISE;
    } else if (E->rel.effect == AR_REL_SKIP) {
        stop = E->rel.reason, stop_cov = ARCHASE_COVERAGE_HOLD;
        ar_reasons_merge(&w->why, &E->rel.reasons);
    } else if (E->rel.effect == AR_REL_ROUTE_TO_OWNER) {
        w->coverage = ARCHASE_COVERAGE_HOLD;
        w->cov_reason = E->rel.reason;
        if (w->out == AR_OUT_MESSAGE || w->out == AR_OUT_CALL) {
            w->out = AR_OUT_ALERT;
            ar_reasons_add(&w->why, ARCHASE_REASON_ROUTED_TO_OWNER);
            ar_reasons_merge(&w->why, &E->rel.reasons);
        }
    } else if (w->out == AR_OUT_MESSAGE && c->contact[st->channel] == AR_STR_NONE) {
        stop = ARCHASE_REASON_NO_CONSENTED_CONTACT, stop_cov = ARCHASE_COVERAGE_EXCEPTION;
    }
    if (stop) {
        w->coverage = stop_cov;
        w->cov_reason = stop;
        w->status = ARCHASE_CADENCE_WAITING;
        w->status_reason = stop;
        ar_reasons_add(&w->why, stop);
        if (w->out != AR_OUT_NONE)
            w->out = stop_kind;
    }
    if (w->coverage == ARCHASE_COVERAGE_HOLD && !stop) {
        w->status = ARCHASE_CADENCE_WAITING;
        w->status_reason = w->cov_reason;
    }
    if (w->out == AR_OUT_NONE) {
        w->commit = !stop; /* nothing to run: conditions false, obsolete or missed steps are done */
        return 0;
    }
    int32_t notice = w->state ? w->state->notice_offset : ARCHASE_OFFSET_NONE;
    if (w->out == AR_OUT_SKIP || w->out == AR_OUT_WAIT) {
        w->commit = 0;
        if (notice != ARCHASE_OFFSET_NONE && st->offset <= notice)
            return 0; /* already reported */
        int kind = w->out == AR_OUT_SKIP ? ARCHASE_DECISION_SKIP : ARCHASE_DECISION_WAIT;
        ar_reasons why = w->why;
        ar_reasons_merge(&why, &w->plan.reasons);
        return group(E, j, AR_ORIGIN_STEP, kind, 0, st->channel, st->tone, st->tmpl, st->id, w->seq, st, &why);
    }
    w->commit = 1;
    ar_reasons why = w->why;
    ar_reasons_merge(&why, &w->plan.reasons);
    if (w->disputed > 0)
        ar_reasons_add(&why, ARCHASE_REASON_DISPUTED_PART_PAUSED);
    switch (w->out) {
    case AR_OUT_MESSAGE: {
        const ar_template *tmpl = st->tmpl;
        int tone = st->tone;
        if (E->rel.effect == AR_REL_SOFTEN) {
            int softer = ar_tone_soften(tone);
            if (softer != tone) {
                const ar_template *t = tmpl ? ar_policy_template_for(p, tmpl->stage, softer, st->channel) : NULL;
                tone = softer;
                if (t)
                    tmpl = t;
                ar_reasons_add(&why, ARCHASE_REASON_TONE_SOFTENED);
            }
            ar_reasons_merge(&why, &E->rel.reasons);
        }
        /* Consolidated messages are one per template, tone and currency. */
        const void *source = p->guardrails.consolidate ? NULL : (const void *)w;
        return group(E, j, AR_ORIGIN_STEP, ARCHASE_DECISION_SEND_MESSAGE, st->action, st->channel, tone, tmpl, NULL, NULL,
                     source, &why);
    }
    case AR_OUT_CALL:
        return group(E, j, AR_ORIGIN_CALL_QUEUE, ARCHASE_DECISION_QUEUE_CALL, ARCHASE_ACTION_QUEUE_CALL,
                     ARCHASE_CHANNEL_CALL, st->tone, st->tmpl, NULL, NULL, NULL, &why);
    case AR_OUT_ALERT:
        if (st->action != ARCHASE_ACTION_ALERT_OWNER) /* routed to the owner */
            return group(E, j, AR_ORIGIN_RELATIONSHIP, ARCHASE_DECISION_ALERT_OWNER, ARCHASE_ACTION_ALERT_OWNER,
                         ARCHASE_CHANNEL_INTERNAL, 0, NULL, E->rel.rule, NULL, E->rel.rule, &why);
        return group(E, j, AR_ORIGIN_STEP, ARCHASE_DECISION_ALERT_OWNER, st->action, st->channel, st->tone, st->tmpl, st->id,
                     w->seq, st, &why);
    case AR_OUT_ESCALATE:
        return group(E, j, AR_ORIGIN_STEP, ARCHASE_DECISION_ESCALATE, st->action, st->channel, st->tone, st->tmpl, st->id,
                     w->seq, st, &why);
    default: /* AR_OUT_APPROVAL */
        ar_reasons_add(&why, ARCHASE_REASON_SENSITIVE_ACTION);
        return group(E, j, AR_ORIGIN_STEP, ARCHASE_DECISION_REQUEST_APPROVAL, st->action, st->channel, st->tone, st->tmpl,
                     st->id, w->seq, st, &why);
    }
}

static int sensitive(const archase_policy *p, int action) {
    return (p->approvals.sensitive >> action) & 1u;
}

/* Escalation rules not yet fired for the invoice, the call-queue rule, and a
 * broken promise to route. */
static int rules(ar_eval *E, uint32_t j) {
    ar_work *w = &E->w[j];
    const archase_policy *p = E->p;
    int rc = 0;
    /* A rule on customer fields holds for all its invoices in a currency;
     * one on invoice fields is checked by its first test before the rest. */
    if (E->esc_cur != w->cur) {
        E->esc_cust_any = 0;
        for (uint32_t r = 0; r < p->escalation.rule_count; r++) {
            if (!E->esc_invoice[r]) {
                E->esc_cache[r] = (int8_t)ar_cond_eval(p->escalation.rules[r].when, &E->env);
                E->esc_cust_any |= E->esc_cache[r];
            }
        }
        E->esc_cur = w->cur;
    }
    int any = E->esc_cust_any;
    for (uint32_t k = 0; k < E->esc_inv_n; k++) {
        uint32_t r = E->esc_inv[k];
        E->esc_cache[r] =
            (int8_t)(ar_cond_test_passes(&E->esc_test[r], &E->env) && ar_cond_eval(p->escalation.rules[r].when, &E->env));
        any |= E->esc_cache[r];
    }
    for (uint32_t r = 0; any && r < p->escalation.rule_count && !rc; r++) {
        const ar_escalation_rule *er = &p->escalation.rules[r];
        if (!E->esc_cache[r] || has_escalated(E, w, er->name))
            continue;
        ar_reasons why = { { 0 } };
        ar_reasons_add(&why, ARCHASE_REASON_ESCALATION_RULE);
        int kind = ARCHASE_DECISION_ESCALATE;
        if (sensitive(p, ARCHASE_ACTION_ESCALATE)) {
            kind = ARCHASE_DECISION_REQUEST_APPROVAL;
            ar_reasons_add(&why, ARCHASE_REASON_SENSITIVE_ACTION);
        }
        rc = push_esc(E, er->name);
        if (!rc) {
            w->esc_count++;
            w->esc_new = 1;
            rc = group(E, j, AR_ORIGIN_ESCALATION, kind, ARCHASE_ACTION_ESCALATE, ARCHASE_CHANNEL_INTERNAL, 0, er->tmpl, er->name,
                       NULL, er, &why);
        }
    }
    int contact_ok = E->rel.effect == AR_REL_CONTINUE || E->rel.effect == AR_REL_SOFTEN;
    int paused = w->coverage == ARCHASE_COVERAGE_PROMISE || w->coverage == ARCHASE_COVERAGE_DISPUTE ||
                 w->cov_reason == ARCHASE_REASON_UNKNOWN_CURRENCY;
    const ar_call_queue *q = &p->call_queue;
    if (!rc && q->enabled && contact_ok && !paused && w->call_queued == ARCHASE_DATE_NONE &&
        w->days_overdue >= q->min_days_overdue && w->days_overdue > 0) {
        const archase_money *min = E->curs[w->cur].call_min;
        int over = min && E->curs[w->cur].overdue >= min->minor;
        int critical = 0;
        if (!over && q->critical && E->crit_invoice) {
            critical = ar_cond_eval(q->critical, &E->env);
        } else if (!over && q->critical) {
            /* on customer fields: the same for the customer's invoices in a currency */
            if (E->crit_cache < 0)
                E->crit_cache = (int8_t)ar_cond_eval(q->critical, &E->env);
            critical = E->crit_cache;
        }
        if (over || critical) {
            ar_reasons why = { { 0 } };
            ar_reasons_add(&why, over ? ARCHASE_REASON_CALL_THRESHOLD : ARCHASE_REASON_CALL_CRITICAL);
            if (w->disputed > 0)
                ar_reasons_add(&why, ARCHASE_REASON_DISPUTED_PART_PAUSED);
            w->call_queued = E->as_of;
            rc = group(E, j, AR_ORIGIN_CALL_QUEUE, ARCHASE_DECISION_QUEUE_CALL, ARCHASE_ACTION_QUEUE_CALL,
                       ARCHASE_CHANNEL_CALL, 0, NULL, NULL, NULL, NULL, &why);
        }
    }
    if (!rc && w->promise_state == AR_PROMISE_BROKEN) {
        const ar_snap_promise *pr = &E->s->promises[w->promise];
        if (w->promise_routed != pr->id) {
            const ar_promises *pp = &p->promises;
            ar_reasons why = { { 0 } };
            ar_reasons_add(&why, ARCHASE_REASON_PROMISE_BROKEN);
            int kind = pp->on_broken_action == ARCHASE_ACTION_QUEUE_CALL    ? ARCHASE_DECISION_QUEUE_CALL
                       : pp->on_broken_action == ARCHASE_ACTION_ALERT_OWNER ? ARCHASE_DECISION_ALERT_OWNER
                       : pp->on_broken_action == ARCHASE_ACTION_ESCALATE    ? ARCHASE_DECISION_ESCALATE
                                                                            : ARCHASE_DECISION_SEND_MESSAGE;
            int channel = kind == ARCHASE_DECISION_QUEUE_CALL     ? ARCHASE_CHANNEL_CALL
                          : kind == ARCHASE_DECISION_SEND_MESSAGE ? ARCHASE_CHANNEL_EMAIL
                                                                  : ARCHASE_CHANNEL_INTERNAL;
            if (kind == ARCHASE_DECISION_SEND_MESSAGE && pp->on_broken_template) {
                for (int ch = ARCHASE_CHANNEL_EMAIL; ch <= ARCHASE_CHANNEL_PORTAL; ch++) {
                    if (ar_template_has_channel(pp->on_broken_template, ch)) {
                        channel = ch;
                        break;
                    }
                }
            }
            if (kind == ARCHASE_DECISION_SEND_MESSAGE &&
                (!contact_ok || E->cust->contact[channel] == AR_STR_NONE)) {
                kind = ARCHASE_DECISION_SKIP;
                ar_reasons_add(&why, contact_ok ? ARCHASE_REASON_NO_CONSENTED_CONTACT : E->rel.reason);
            }
            if (kind != ARCHASE_DECISION_SKIP)
                w->promise_routed = pr->id;
            rc = group(E, j, AR_ORIGIN_PROMISE, kind, pp->on_broken_action, channel, pp->on_broken_tone, pp->on_broken_template,
                       "promises.on_broken", NULL, pr, &why);
        }
    }
    return rc;
}

/* ---- cadence updates ------------------------------------------------------------- */

/* The index of the step of sequence `q` whose id is text number `id`, or
 * AR_STEP_NONE. */
static uint16_t step_numbered(const ar_eval *E, uint32_t q, uint32_t id) {
    const uint32_t *text = E->step_text + E->step_base[q];
    for (uint32_t k = 0; id != AR_STR_NONE && k < E->p->sequences[q].step_count; k++)
        if (text[k] == id)
            return (uint16_t)k;
    return AR_STEP_NONE;
}

/* The text number of step k of sequence q (AR_STEP_NONE: none). */
static uint32_t step_text(const ar_eval *E, uint32_t q, uint16_t k) {
    return k == AR_STEP_NONE ? AR_STR_NONE : E->step_text[E->step_base[q] + k];
}

static int update(ar_eval *E, uint32_t j) {
    ar_work *w = &E->w[j];
    archase_decisions *ds = E->ds;
    const ar_snap_cadence *old = w->state;
    const ar_sequence *seq = w->seq;
    ar_update u;
    memset(&u, 0, sizeof u);
    u.invoice = w->inv;
    u.cadence = w->si->cadence;
    u.status = (uint8_t)w->status;
    u.reason = (uint8_t)w->status_reason;
    u.sequence = (uint16_t)(seq - E->p->sequences);
    u.last_offset = old ? old->last_offset : ARCHASE_OFFSET_NONE;
    u.last_date = old ? old->last_date : ARCHASE_DATE_NONE;
    u.notice_offset = old ? old->notice_offset : ARCHASE_OFFSET_NONE;
    /* The stored last step, by index when this sequence still has it. */
    uint32_t old_last = old ? old->last_step : AR_STR_NONE;
    u.last_step = step_numbered(E, u.sequence, old_last);
    /* plan.first is the first step after the stored offset (u.last_offset
     * until here). */
    if (w->commit && w->plan.done > w->plan.first) {
        u.last_step = (uint16_t)(w->plan.done - 1);
        u.last_offset = seq->steps[u.last_step].offset;
        u.last_date = E->as_of;
    }
    if (!w->commit && w->plan.fire != AR_IDX_NONE && (w->out == AR_OUT_SKIP || w->out == AR_OUT_WAIT)) {
        int32_t offset = seq->steps[w->plan.fire].offset;
        if (u.notice_offset == ARCHASE_OFFSET_NONE || offset > u.notice_offset)
            u.notice_offset = offset;
    }
    /* The plan knows the next step's day: the one after what was done today,
     * or the first not done when nothing was. */
    int moved = u.last_offset != (old ? old->last_offset : ARCHASE_OFFSET_NONE);
    uint32_t next = moved ? w->plan.next : w->plan.first;
    u.next_step = AR_STEP_NONE;
    u.next_date = ARCHASE_DATE_NONE;
    if (next != AR_IDX_NONE && next < seq->step_count) {
        u.next_step = (uint16_t)next;
        u.next_date = moved ? w->plan.next_date : w->plan.first_date;
    } else if (u.status == ARCHASE_CADENCE_ACTIVE) {
        u.status = ARCHASE_CADENCE_FINISHED;
        u.reason = ARCHASE_REASON_SEQUENCE_FINISHED;
    }
    u.call_queued = w->call_queued;
    u.promise_routed = w->promise_routed;
    /* The assessment sees the same next step. */
    ar_assess *as = &ds->assess[w->pos];
    /* Offsets strictly increase: the last step at or before the stored
     * offset is the one just done when it moved. */
    as->step_index = (int16_t)(moved ? (int32_t)u.last_step : (int32_t)w->plan.first - 1);
    as->next_step = u.next_step;
    as->next_date = u.next_date;
    /* Every step done and still overdue: a person has it, from the day
     * after the last step ran. */
    int last_ran_today = w->commit && w->plan.fire != AR_IDX_NONE;
    if (u.status == ARCHASE_CADENCE_FINISHED && w->days_overdue > 0 && !last_ran_today &&
        as->coverage == ARCHASE_COVERAGE_ACTIVE) {
        as->coverage = ARCHASE_COVERAGE_EXCEPTION;
        as->reason = ARCHASE_REASON_SEQUENCE_FINISHED;
    }
    uint32_t last_name = u.last_step != AR_STEP_NONE ? step_text(E, u.sequence, u.last_step) : old_last;
    int changed = !old || old->status != u.status || old->reason != u.reason ||
                  old->sequence != E->seq_text[u.sequence] || old->last_step != last_name ||
                  old->last_offset != u.last_offset || old->last_date != u.last_date ||
                  old->notice_offset != u.notice_offset ||
                  old->next_step != step_text(E, u.sequence, u.next_step) || old->next_date != u.next_date ||
                  old->call_queued != u.call_queued || old->promise_routed != u.promise_routed || w->esc_new;
    /* An invoice nothing happened to needs no stored state yet. */
    if (!old && u.last_offset == ARCHASE_OFFSET_NONE && u.notice_offset == ARCHASE_OFFSET_NONE &&
        u.status == ARCHASE_CADENCE_ACTIVE && u.call_queued == ARCHASE_DATE_NONE &&
        u.promise_routed == AR_STR_NONE && !w->esc_count)
        changed = 0;
    if (!changed)
        return 0;
    if ((w->esc_count && ar_grow(&ds->allocator, (void **)&ds->escalated, &ds->esc_cap, ds->esc_n + w->esc_count,
                                 sizeof *ds->escalated)) ||
        (ds->update_n >= ds->update_cap &&
         ar_ds_grow(ds, (void **)&ds->updates, &ds->update_cap, ds->update_n + 1, sizeof *ds->updates)))
        return ARCHASE_ENOMEM;
    u.esc_first = (uint32_t)ds->esc_n;
    u.esc_count = w->esc_count;
    for (uint32_t i = 0; i < w->esc_count; i++)
        ds->escalated[ds->esc_n++] = E->esc[w->esc_first + i];
    ds->updates[ds->update_n++] = u;
    return 0;
}

static int close_finished(ar_eval *E) {
    archase_decisions *ds = E->ds;
    const ar_snap_customer *c = E->cust;
    for (uint32_t i = 0; i < c->closed_count; i++) {
        uint32_t idx = E->s->closed[c->closed_first + i];
        const ar_snap_cadence *old = &E->s->cadence[idx];
        if (ar_ds_grow(ds, (void **)&ds->updates, &ds->update_cap, ds->update_n + 1, sizeof *ds->updates))
            return ARCHASE_ENOMEM;
        ar_update u;
        memset(&u, 0, sizeof u);
        u.invoice = AR_IDX_NONE;
        u.cadence = idx;
        u.status = ARCHASE_CADENCE_CLOSED;
        u.reason = ARCHASE_REASON_INVOICE_CLOSED;
        u.sequence = u.last_step = u.next_step = AR_STEP_NONE; /* the stored names */
        u.last_offset = old->last_offset;
        u.last_date = old->last_date;
        u.notice_offset = old->notice_offset;
        u.next_date = ARCHASE_DATE_NONE;
        u.call_queued = old->call_queued;
        u.promise_routed = old->promise_routed;
        ds->updates[ds->update_n++] = u;
    }
    return 0;
}

/* ---- the customer ---------------------------------------------------------------------- */

static int evaluate_invoice(ar_eval *E, uint32_t j) {
    const archase_snapshot *s = E->s;
    const ar_snap_customer *c = E->cust;
    ar_work *w = &E->w[j];
    w->pos = c->inv_first + j;
    w->inv = w->pos;
    w->si = &s->invoices[w->inv];
    w->state = w->si->cadence != AR_IDX_NONE ? &s->cadence[w->si->cadence] : NULL;
    w->days_overdue = E->as_of - w->si->due_date;
    w->disputed = E->disputed[j];
    w->chase = w->si->open - w->disputed > 0 ? w->si->open - w->disputed : 0;
    w->dispute = E->oldest[j];
    w->last_offset = w->state ? w->state->last_offset : ARCHASE_OFFSET_NONE;
    w->call_queued = w->state ? w->state->call_queued : ARCHASE_DATE_NONE;
    w->promise_routed = w->state ? w->state->promise_routed : AR_STR_NONE;
    w->coverage = ARCHASE_COVERAGE_ACTIVE;
    w->cov_reason = 0;
    w->status = ARCHASE_CADENCE_ACTIVE;
    w->status_reason = 0;
    w->esc_first = (uint32_t)E->esc_n;
    w->esc_count = 0;
    w->esc_new = 0;
    if (w->state) {
        for (uint32_t i = 0; i < w->state->escalated_count; i++) {
            if (push_esc(E, ar_snap_str(s, s->names[w->state->escalated_first + i])))
                return ARCHASE_ENOMEM;
            w->esc_count++;
        }
    }
    if (c->prom_count)
        invoice_promise(E, w);
    else
        w->promise = AR_IDX_NONE, w->promise_state = 0;
    invoice_fields(E, w);
    score_and_segment(E, w);
    ar_cadence_plan_memo(w->seq, w->si->due_date, w->last_offset, E->delay, E->as_of, E->p->guardrails.catch_up,
                         &E->env, E->memo, E->plans, &w->plan);
    int rc = plan_step(E, j);
    if (!rc)
        rc = rules(E, j);
    if (rc)
        return rc;
    /* Coverage: who has the invoice now. */
    if (w->coverage == ARCHASE_COVERAGE_ACTIVE) {
        if (c->collector == AR_STR_NONE && c->owner == AR_STR_NONE) {
            w->coverage = ARCHASE_COVERAGE_EXCEPTION;
            w->cov_reason = ARCHASE_REASON_NO_OWNER;
        } else if (w->days_overdue <= 0) {
            w->cov_reason = ARCHASE_REASON_NOT_DUE;
        } else if (w->promise_state == AR_PROMISE_BROKEN) {
            w->cov_reason = ARCHASE_REASON_PROMISE_BROKEN;
        } else if (w->disputed > 0) {
            w->cov_reason = ARCHASE_REASON_DISPUTED_PART_PAUSED;
        } else {
            w->cov_reason = w->plan.fire != AR_IDX_NONE ? ARCHASE_REASON_STEP_DUE : ARCHASE_REASON_WAITING_FOR_STEP;
        }
    }
    /* Every field written here (the array is not zeroed first: one pass over
     * it instead of two); update() adds the next step. */
    ar_assess *as = &E->ds->assess[w->pos];
    *as = (ar_assess){ .segment = (uint16_t)w->segment, .score = (int16_t)w->risk.score };
    if (w->disputed > 0) {
        archase_decisions *ds = E->ds;
        if (ar_grow(&ds->allocator, (void **)&ds->disputed, &ds->disputed_cap, ds->disputed_n + 1,
                    sizeof *ds->disputed))
            return ARCHASE_ENOMEM;
        ds->disputed[ds->disputed_n++] = (ar_disputed){ w->pos, w->disputed };
    }
    as->coverage = (uint8_t)w->coverage;
    as->reason = (uint8_t)w->cov_reason;
    as->top_count = (uint8_t)w->risk.top_count;
    for (uint32_t k = 0; k < w->risk.top_count; k++) {
        as->top[k] = (uint8_t)w->risk.top[k];
        as->top_points[k] = (int32_t)w->risk.top_points[k];
    }
    return update(E, j);
}

static int evaluate_customer(ar_eval *E, uint32_t c) {
    const archase_snapshot *s = E->s;
    E->c = c;
    E->cust = &s->customers[c];
    const ar_snap_customer *cust = E->cust;
    E->ds->grow_done = cust->inv_first;
    int rc = close_finished(E);
    if (rc || cust->inv_count == 0)
        return rc;
    ar_relationship_effect(E->p, cust, E->as_of, &E->rel);
    ar_settled hist[AR_SNAP_HISTORY_MAX];
    memcpy(hist, s->history + cust->hist_first, cust->hist_count * sizeof *hist);
    ar_pattern_compute(hist, cust->hist_count, (uint32_t)E->p->payment_patterns.lookback, &E->pattern);
    E->delay = ar_pattern_delay(&E->p->payment_patterns, &E->pattern);
    E->zone = cust->zone != AR_IDX_NONE ? cust->zone : E->ds->default_zone;
    E->seg_cache_cur = UINT32_MAX;
    E->esc_cur = UINT32_MAX;
    E->esc_n = 0;
    E->group_n = 0;
    E->member_n = 0;
    if ((rc = customer_currencies(E)) || (rc = customer_touches(E)))
        return rc;
    ar_dispute_allocate(s, cust, E->disputed, E->oldest);
    for (uint32_t k = 0; k < cust->prom_count; k++)
        ar_promise_effect(E->p, s, &s->promises[cust->prom_first + k], E->as_of, &E->peff[k]);
    customer_fields(E);
    for (uint32_t j = 0; j < cust->inv_count && !rc; j++)
        rc = evaluate_invoice(E, j);
    if (!rc)
        rc = ar_emit_customer(E);
    return rc;
}

/* ---- the evaluation -------------------------------------------------------------------- */

int archase_evaluate_options_init(archase_evaluate_options *opts, unsigned version) {
    if (!opts)
        return ARCHASE_EINVAL;
    if (version != ARCHASE_EVALUATE_OPTIONS_VERSION)
        return ARCHASE_EVERSION;
    archase_evaluate_options init = ARCHASE_EVALUATE_OPTIONS_INIT;
    *opts = init;
    return 0;
}

int archase_evaluate(const archase_snapshot *s, const archase_policy *p, archase_date as_of,
                     const archase_evaluate_options *opts, archase_decisions **out) {
    if (!s || !p || !out)
        return ARCHASE_EINVAL;
    if (opts && opts->version != ARCHASE_EVALUATE_OPTIONS_VERSION)
        return ARCHASE_EVERSION;
    if (as_of != s->as_of)
        return ARCHASE_EINVAL;
    uint32_t zone = ar_snap_find_zone(s, p->guardrails.timezone);
    if (zone == AR_IDX_NONE)
        return ARCHASE_EINVAL; /* load the snapshot with this policy */
    const archase_allocator *a = opts && opts->allocator ? opts->allocator : &s->allocator;
    int rc = ar_allocator_check(a);
    if (rc)
        return rc;
    ar_eval E;
    memset(&E, 0, sizeof E);
    archase_decisions *ds = ar_calloc(a, 1, sizeof *ds);
    if (!ds)
        return ARCHASE_ENOMEM;
    if (pthread_mutex_init(&ds->lazy_lock, NULL)) {
        ar_free(a, ds);
        return ARCHASE_ENOMEM;
    }
    ds->allocator = *a;
    ds->snap = s;
    ds->policy = p;
    ds->as_of = as_of;
    ds->default_zone = zone;
    memcpy(ds->policy_hash, p->hash, 32);
    archase_date_format(as_of, ds->date, sizeof ds->date);
    ar_strtab_init(&ds->rules, &ds->allocator);
    size_t n = s->invoice_count ? s->invoice_count : 1;
    ds->assess = ar_malloc_array(a, n, sizeof *ds->assess); /* evaluate_invoice writes each whole */
    E.ds = ds;
    E.s = s;
    E.p = p;
    E.as_of = as_of;
    ds->grow_total = s->invoice_count;
    if (!ds->assess) {
        rc = ARCHASE_ENOMEM;
        goto done;
    }
    ar_ds_huge(ds->assess, n * sizeof *ds->assess);
    if ((rc = setup(&E)))
        goto done;
    for (uint32_t c = 0; c < s->ids.count && !rc; c++)
        rc = evaluate_customer(&E, c);
    if (!rc)
        rc = ar_emit_call_capacity(&E);
    if (!rc) {
        *out = ds;
        ds = NULL;
    }
done:
    teardown(&E);
    archase_decisions_free(ds);
    return rc;
}
