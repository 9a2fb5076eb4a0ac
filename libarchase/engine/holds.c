/* libarchase/engine/holds.c — relationship flags, promises and disputes as
 * evaluation sees them (holds.h). */
#include "engine/holds.h"

#include <string.h>

/* ---- relationship ------------------------------------------------------- */

static int strength(int effect) {
    switch (effect) {
    case AR_REL_SKIP: return 3;
    case AR_REL_ROUTE_TO_OWNER: return 2;
    case AR_REL_SOFTEN: return 1;
    default: return 0;
    }
}

void ar_relationship_effect(const archase_policy *p, const ar_snap_customer *c, archase_date as_of,
                            ar_rel *out) {
    const ar_relationship *r = &p->relationship;
    const struct {
        int         set;
        int         effect;
        int         reason;
        const char *rule;
    } flags[] = {
        { (c->flags & AR_SF_HOLD) != 0, r->hold, ARCHASE_REASON_HOLD, "relationship.hold" },
        { c->paused_until != ARCHASE_DATE_NONE && c->paused_until >= as_of, r->paused,
          ARCHASE_REASON_PAUSED, "relationship.paused" },
        { (c->flags & AR_SF_EXPANSION) != 0, r->expansion, ARCHASE_REASON_EXPANSION_TALKS,
          "relationship.expansion" },
        { (c->flags & AR_SF_STRATEGIC) != 0, r->strategic, ARCHASE_REASON_STRATEGIC_ACCOUNT,
          "relationship.strategic" },
        { (c->flags & AR_SF_SERVICE_ISSUE) != 0, r->service_issue, ARCHASE_REASON_SERVICE_ISSUE,
          "relationship.service_issue" },
    };
    memset(out, 0, sizeof *out);
    out->effect = AR_REL_CONTINUE;
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        if (flags[i].set && strength(flags[i].effect) > strength(out->effect)) {
            out->effect = flags[i].effect;
            out->reason = flags[i].reason;
            out->rule = flags[i].rule;
        }
    }
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (flags[i].set && out->effect != AR_REL_CONTINUE && flags[i].effect == out->effect)
            ar_reasons_add(&out->reasons, flags[i].reason);
}

/* ---- promises -------------------------------------------------------------- */

int32_t ar_promise_grace(const archase_policy *p, const ar_snap_promise *pr) {
    return pr->grace_days >= 0 ? pr->grace_days : p->promises.grace_days;
}

/* Paid toward `pr` on days up to `until`. */
static int64_t paid_by(const archase_snapshot *s, const ar_snap_promise *pr, archase_date until) {
    int64_t paid = 0;
    for (uint32_t i = 0; i < pr->pay_count; i++) {
        const ar_snap_payment *pay = &s->promise_payments[pr->pay_first + i];
        if (pay->date > until)
            break;
        paid += pay->applied;
    }
    return paid;
}

static int nothing_left_open(const archase_snapshot *s, const ar_snap_promise *pr) {
    for (uint32_t i = 0; i < pr->inv_count; i++) {
        uint32_t inv = s->promise_invoices[pr->inv_first + i];
        if (inv != AR_IDX_NONE && s->invoices[inv].open > 0)
            return 0;
    }
    return 1;
}

/* 1 when `paid` of a promise of `amount` is enough to call it partially kept. */
static int partly_paid(const archase_policy *p, int64_t paid, int64_t amount) {
    if (paid <= 0 || amount <= 0)
        return 0;
    /* paid / amount >= percent / 100, without overflow for amounts up to 1e15 */
    return paid >= amount / 100 * p->promises.partially_kept_percent +
                       (amount % 100) * p->promises.partially_kept_percent / 100;
}

void ar_promise_effect(const archase_policy *p, const archase_snapshot *s, const ar_snap_promise *pr,
                       archase_date as_of, ar_promise_eff *out) {
    int32_t grace = ar_promise_grace(p, pr);
    memset(out, 0, sizeof *out);
    uint32_t parts = pr->inst_count ? pr->inst_count : 1;
    int64_t due = 0;
    int derived = 0;
    for (uint32_t k = 0; k < parts; k++) {
        archase_date date = pr->inst_count ? s->instalments[pr->inst_first + k].date : pr->promised_date;
        due += pr->inst_count ? s->instalments[pr->inst_first + k].amount.minor : pr->amount;
        out->deadline = date + grace;
        out->due = due;
        out->paid = paid_by(s, pr, out->deadline < as_of ? out->deadline : as_of);
        if (as_of > out->deadline && out->paid < due) {
            derived = k + 1 == parts && partly_paid(p, out->paid, pr->amount) ? AR_PROMISE_PARTIAL
                                                                               : AR_PROMISE_BROKEN;
            break;
        }
        if (as_of <= out->deadline)
            break; /* the next deadline ahead */
    }
    if (!derived)
        derived = paid_by(s, pr, as_of) >= pr->amount || nothing_left_open(s, pr) ? AR_PROMISE_MET
                                                                                  : AR_PROMISE_OPEN;
    switch (pr->status) {
    case ARCHASE_PROMISE_STATUS_OPEN:
        out->state = derived;
        break;
    case ARCHASE_PROMISE_STATUS_BROKEN:
        out->state = AR_PROMISE_BROKEN; /* recorded by the daily cycle; routes once */
        break;
    default:
        out->state = AR_PROMISE_STORED;
        break;
    }
}

/* The last deadline of a promise. */
static archase_date final_deadline(const archase_policy *p, const archase_snapshot *s,
                                   const ar_snap_promise *pr) {
    archase_date date = pr->inst_count ? s->instalments[pr->inst_first + pr->inst_count - 1].date
                                       : pr->promised_date;
    return date + ar_promise_grace(p, pr);
}

void ar_promise_history(const archase_policy *p, const archase_snapshot *s, const ar_snap_customer *c,
                        archase_date as_of, int64_t *broken_90d, int64_t *kept_percent) {
    int64_t broken = 0, due = 0, kept = 0;
    for (uint32_t i = 0; i < c->prom_count; i++) {
        const ar_snap_promise *pr = &s->promises[c->prom_first + i];
        int is_kept;
        archase_date when = final_deadline(p, s, pr);
        switch (pr->status) {
        case ARCHASE_PROMISE_STATUS_KEPT: is_kept = 1; break;
        case ARCHASE_PROMISE_STATUS_BROKEN: {
            ar_promise_eff e;
            ar_promise_effect(p, s, pr, as_of, &e);
            is_kept = 0;
            if (e.deadline < when)
                when = e.deadline; /* the deadline it missed, as while it was open */
            break;
        }
        case ARCHASE_PROMISE_STATUS_PARTIALLY_KEPT: is_kept = -1; break;
        case ARCHASE_PROMISE_STATUS_OPEN: {
            ar_promise_eff e;
            ar_promise_effect(p, s, pr, as_of, &e);
            if (e.state == AR_PROMISE_OPEN || (e.state == AR_PROMISE_MET && e.paid < pr->amount))
                continue; /* open, or its invoices closed otherwise: cancelled by the day's move */
            is_kept = e.state == AR_PROMISE_MET ? 1 : e.state == AR_PROMISE_PARTIAL ? -1 : 0;
            if (e.state == AR_PROMISE_BROKEN)
                when = e.deadline; /* broken the day it was missed */
            break;
        }
        default: continue; /* cancelled */
        }
        if (when > as_of)
            continue; /* kept early: counted when it falls due */
        /* partially kept (-1): due and not kept, but not broken either */
        if (when > as_of - 365) {
            due++;
            kept += is_kept == 1;
        }
        if (is_kept == 0 && when > as_of - 90)
            broken++;
    }
    *broken_90d = broken;
    *kept_percent = due ? kept * 100 / due : 100;
}

/* ---- disputes ---------------------------------------------------------------- */

void ar_dispute_allocate(const archase_snapshot *s, const ar_snap_customer *c, int64_t *disputed,
                         uint32_t *oldest) {
    for (uint32_t i = 0; i < c->inv_count; i++) {
        disputed[i] = 0;
        oldest[i] = AR_IDX_NONE;
    }
    uint32_t customer = (uint32_t)(c - s->customers);
    for (uint32_t d = 0; d < c->disp_count; d++) {
        const ar_snap_dispute *sd = &s->disputes[c->disp_first + d];
        int64_t left = sd->amount;
        for (uint32_t k = 0; k < sd->inv_count && left > 0; k++) {
            uint32_t inv = s->dispute_invoices[sd->inv_first + k];
            if (inv == AR_IDX_NONE || s->invoices[inv].customer != customer ||
                memcmp(s->invoices[inv].currency, sd->currency, 4) != 0)
                continue;
            uint32_t local = inv - c->inv_first;
            int64_t room = s->invoices[inv].open - disputed[local];
            int64_t take = room < left ? room : left;
            if (take <= 0)
                continue;
            disputed[local] += take;
            left -= take;
            if (oldest[local] == AR_IDX_NONE)
                oldest[local] = c->disp_first + d; /* disputes are by opened date */
        }
    }
}
