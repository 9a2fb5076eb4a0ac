/* libarchase/engine/decision_facts.c — the facts a decision used, as a view
 * over the snapshot and the policy.
 *
 * Nothing here is stored with the decision but what says which groups of
 * facts it shows: the facts themselves are read from the invoices, the
 * customer and its history when asked, the same every time (the snapshot
 * and the policy do not change). Keeping them out of the result is what
 * lets an evaluation of a million invoices stay small. */
#include <string.h>

#include "engine/cadence.h"
#include "engine/decisions.h"
#include "engine/holds.h"

/* Most context items of each kind (open invoices, promises, disputes). */
#define AR_CONTEXT_MAX 100
#define AR_CONTEXT_TOUCHES 5

typedef struct walker {
    const archase_decisions *ds;
    ar_fact_fn               fn;
    void                    *ctx;
    int                      rc; /* fn's last result: 1 = stop, < 0 = error */
} walker;

static int emit(walker *w, int name, int type, uint32_t invoice, int64_t number, const char *currency,
                const char *text) {
    if (w->rc)
        return w->rc;
    ar_fact_item f;
    f.name = (uint16_t)name;
    f.type = (uint8_t)type;
    f.invoice = invoice;
    f.number = number;
    memset(f.currency, 0, 4);
    if (currency)
        memcpy(f.currency, currency, 3);
    f.text = text;
    w->rc = w->fn(w->ctx, &f);
    return w->rc;
}

static const char *str(const walker *w, uint32_t n) {
    return ar_snap_str(w->ds->snap, n);
}

static const char *channel_name(int channel) {
    return channel == ARCHASE_CHANNEL_INTERNAL ? "internal" : archase_channel_name(channel);
}

/* The customer's payment pattern under the policy's lookback. */
static void pattern_of(const archase_decisions *ds, const ar_snap_customer *c, ar_pattern *out) {
    ar_settled hist[AR_SNAP_HISTORY_MAX];
    memcpy(hist, ds->snap->history + c->hist_first, c->hist_count * sizeof *hist);
    ar_pattern_compute(hist, c->hist_count, (uint32_t)ds->policy->payment_patterns.lookback, out);
}

static void targets(walker *w, const ar_decision *d) {
    const archase_decisions *ds = w->ds;
    const archase_snapshot *s = ds->snap;
    for (uint32_t t = 0; t < d->target_count && !w->rc; t++) {
        const ar_target *tg = &ds->targets[d->target_first + t];
        const ar_snap_invoice *si = &s->invoices[tg->invoice];
        uint32_t pos = tg->invoice;
        int64_t disputed = ar_ds_disputed(ds, pos);
        emit(w, AR_FIELD_DAYS_OVERDUE, ARCHASE_VALUE_DAYS, tg->invoice, ds->as_of - si->due_date, NULL, NULL);
        emit(w, AR_FIELD_OPEN_AMOUNT, ARCHASE_VALUE_MONEY, tg->invoice, si->open, si->currency, NULL);
        if (disputed)
            emit(w, AR_FIELD_DISPUTED_AMOUNT, ARCHASE_VALUE_MONEY, tg->invoice, disputed, si->currency, NULL);
        emit(w, AR_FIELD_DUE_DATE, ARCHASE_VALUE_DATE, tg->invoice, si->due_date, NULL, NULL);
        if (tg->step != AR_STEP_NONE) {
            const ar_sequence *seq = ds->policy->segments[ds->assess[pos].segment].sequence;
            emit(w, AR_FN_STEP, ARCHASE_VALUE_TEXT, tg->invoice, 0, NULL, seq->steps[tg->step].id);
            emit(w, AR_FN_STEP_DATE, ARCHASE_VALUE_DATE, tg->invoice, tg->step_date, NULL, NULL);
        }
    }
}

static void pattern_facts(walker *w, const ar_snap_customer *c) {
    const ar_payment_patterns *pp = &w->ds->policy->payment_patterns;
    ar_pattern pt;
    pattern_of(w->ds, c, &pt);
    emit(w, AR_FN_PATTERN_DELAY, ARCHASE_VALUE_DAYS, AR_IDX_NONE, ar_pattern_delay(pp, &pt), NULL, NULL);
    int median = pp->percentile == 50;
    emit(w, median ? AR_FIELD_MEDIAN_DAYS_LATE : AR_FIELD_P80_DAYS_LATE, ARCHASE_VALUE_DAYS, AR_IDX_NONE,
         ar_pattern_days(median ? pt.median_x100 : pt.p80_x100), NULL, NULL);
    emit(w, AR_FIELD_PAID_INVOICES, ARCHASE_VALUE_INT, AR_IDX_NONE, pt.sample, NULL, NULL);
}

static void relationship_facts(walker *w, const ar_snap_customer *c) {
    if (c->flags_reason != AR_STR_NONE)
        emit(w, AR_FN_FLAGS_REASON, ARCHASE_VALUE_TEXT, AR_IDX_NONE, 0, NULL, str(w, c->flags_reason));
    if (c->paused_until != ARCHASE_DATE_NONE && c->paused_until >= w->ds->as_of)
        emit(w, AR_FN_PAUSED_UNTIL, ARCHASE_VALUE_DATE, AR_IDX_NONE, c->paused_until, NULL, NULL);
}

static void message_facts(walker *w, const ar_decision *d, const ar_snap_customer *c) {
    const archase_snapshot *s = w->ds->snap;
    int64_t week = 0;
    for (uint32_t i = 0; i < c->touch_count; i++) {
        archase_date day = s->touches[c->touch_first + i].date;
        week += day <= w->ds->as_of && day > w->ds->as_of - 7;
    }
    emit(w, AR_FN_TIMEZONE, ARCHASE_VALUE_TEXT, AR_IDX_NONE, 0, NULL, archase_tz_name(s->zones[d->zone]));
    emit(w, AR_FIELD_TOUCHES_7D, ARCHASE_VALUE_INT, AR_IDX_NONE, week, NULL, NULL);
}

static void context(walker *w, const ar_snap_customer *c) {
    const archase_decisions *ds = w->ds;
    const archase_snapshot *s = ds->snap;
    for (uint32_t j = 0; j < c->inv_count && j < AR_CONTEXT_MAX; j++) {
        uint32_t inv = c->inv_first + j;
        emit(w, AR_FN_OPEN_INVOICE, ARCHASE_VALUE_MONEY, inv, s->invoices[inv].open, s->invoices[inv].currency,
             str(w, s->invoices[inv].number));
    }
    int shown = 0;
    for (uint32_t i = c->touch_count; i-- > 0 && shown < AR_CONTEXT_TOUCHES;) {
        const ar_snap_touch *t = &s->touches[c->touch_first + i];
        if (t->date > ds->as_of)
            continue;
        emit(w, AR_FN_LAST_TOUCH, ARCHASE_VALUE_DATE, AR_IDX_NONE, t->date, NULL, channel_name(t->channel));
        shown++;
    }
    for (uint32_t k = 0; k < c->prom_count && k < AR_CONTEXT_MAX; k++) {
        const ar_snap_promise *pr = &s->promises[c->prom_first + k];
        ar_promise_eff e;
        ar_promise_effect(ds->policy, s, pr, ds->as_of, &e);
        if (e.state != AR_PROMISE_OPEN && e.state != AR_PROMISE_BROKEN)
            continue;
        uint32_t inv = pr->inv_count ? s->promise_invoices[pr->inv_first] : AR_IDX_NONE;
        emit(w, AR_FN_PROMISE, ARCHASE_VALUE_MONEY, inv, pr->amount, pr->currency, str(w, pr->id));
        emit(w, AR_FN_PROMISE_DATE, ARCHASE_VALUE_DATE, inv, pr->promised_date, NULL, str(w, pr->id));
        emit(w, AR_FN_PROMISE_PAID, ARCHASE_VALUE_MONEY, inv, e.paid, pr->currency, str(w, pr->id));
    }
    for (uint32_t k = 0; k < c->disp_count && k < AR_CONTEXT_MAX; k++) {
        const ar_snap_dispute *dp = &s->disputes[c->disp_first + k];
        uint32_t inv = dp->inv_count ? s->dispute_invoices[dp->inv_first] : AR_IDX_NONE;
        emit(w, AR_FN_DISPUTE, ARCHASE_VALUE_MONEY, inv, dp->amount, dp->currency, str(w, dp->reason_code));
    }
    for (uint32_t k = 0; k < c->note_count; k++) {
        const ar_snap_note *n = &s->notes[c->note_first + k];
        emit(w, AR_FN_NOTE, ARCHASE_VALUE_TEXT, n->invoice, 0, NULL, str(w, n->text));
    }
    ar_pattern pt;
    pattern_of(ds, c, &pt);
    emit(w, AR_FIELD_PAID_INVOICES, ARCHASE_VALUE_INT, AR_IDX_NONE, pt.sample, NULL, NULL);
    if (pt.sample) {
        emit(w, AR_FIELD_MEDIAN_DAYS_LATE, ARCHASE_VALUE_DAYS, AR_IDX_NONE, ar_pattern_days(pt.median_x100), NULL,
             NULL);
        emit(w, AR_FIELD_P80_DAYS_LATE, ARCHASE_VALUE_DAYS, AR_IDX_NONE, ar_pattern_days(pt.p80_x100), NULL, NULL);
        emit(w, AR_FIELD_DAYS_LATE_TREND, ARCHASE_VALUE_DAYS, AR_IDX_NONE, ar_pattern_days(pt.trend_x100), NULL,
             NULL);
        emit(w, AR_FN_ON_TIME_PERCENT, ARCHASE_VALUE_INT, AR_IDX_NONE, (int64_t)pt.on_time * 100 / pt.sample,
             NULL, NULL);
    }
}

int ar_decision_facts(const archase_decisions *ds, size_t i, ar_fact_fn fn, void *ctx) {
    walker w = { ds, fn, ctx, 0 };
    const ar_decision *d = &ds->d[i];
    const ar_snap_customer *c = &ds->snap->customers[d->customer];
    const ar_assess *lead = &ds->assess[d->lead];
    targets(&w, d);
    emit(&w, AR_FIELD_SEGMENT, ARCHASE_VALUE_TEXT, AR_IDX_NONE, 0, NULL, ds->policy->segments[lead->segment].name);
    emit(&w, AR_FIELD_RISK_SCORE, ARCHASE_VALUE_INT, AR_IDX_NONE, lead->score, NULL, NULL);
    if (d->facts & AR_FACTS_PATTERN)
        pattern_facts(&w, c);
    if (d->facts & AR_FACTS_RELATIONSHIP)
        relationship_facts(&w, c);
    if (d->facts & AR_FACTS_MESSAGE)
        message_facts(&w, d, c);
    if (d->facts & AR_FACTS_DEADLINE)
        emit(&w, AR_FN_DECISION_DEADLINE, ARCHASE_VALUE_DATE, AR_IDX_NONE, d->due_by, NULL, NULL);
    if (d->facts & AR_FACTS_CONTEXT)
        context(&w, c);
    return w.rc < 0 ? w.rc : 0;
}

static int count_one(void *ctx, const ar_fact_item *f) {
    (void)f;
    ++*(size_t *)ctx;
    return 0;
}

size_t ar_decision_fact_count(const archase_decisions *ds, size_t i) {
    size_t n = 0;
    ar_decision_facts(ds, i, count_one, &n);
    return n;
}
