/* tests/support/snaptext.c — a snapshot written out in full (snaptext.h). */
#include "snaptext.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static void put(snap_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(snap_text *t, const char *fmt, ...) {
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof line);
    if (t->n + (size_t)n + 1 > t->cap) {
        t->cap = (t->n + (size_t)n + 1) * 2;
        t->p = realloc(t->p, t->cap);
        assert_non_null(t->p);
    }
    memcpy(t->p + t->n, line, (size_t)n + 1);
    t->n += (size_t)n;
}

static const char *str(const archase_snapshot *s, uint32_t n) {
    const char *v = ar_snap_str(s, n);
    return v ? v : "-";
}

static const char *inv_at(const archase_snapshot *s, uint32_t index) {
    return index == AR_IDX_NONE ? "(closed)" : ar_snap_invoice_id(s, index);
}

static void dump_cadence(const archase_snapshot *s, snap_text *t, uint32_t k) {
    const ar_snap_cadence *c = &s->cadence[k];
    put(t, "    state %s %s st%d r%d %s %s %d %d %d %s %d %d %s [", str(s, c->invoice_id), str(s, c->customer_id),
        c->status, c->reason, str(s, c->sequence), str(s, c->last_step), c->last_offset, (int)c->last_date,
        c->notice_offset, str(s, c->next_step), (int)c->next_date, (int)c->call_queued, str(s, c->promise_routed));
    for (uint32_t i = 0; i < c->escalated_count; i++)
        put(t, " %s", str(s, s->names[c->escalated_first + i]));
    put(t, " ]\n");
}

void test_snap_dump(const archase_snapshot *s, snap_text *t) {
    t->n = 0;
    put(t, "as_of %d customers %zu invoices %zu history %zu promises %zu disputes %zu notes %zu cadence %zu "
           "closed %zu touches %zu touchlogs %zu zones %zu\n",
        (int)s->as_of, s->ids.count, s->invoice_count, s->history_count, s->promise_count, s->dispute_count,
        s->note_count, s->cadence_count, s->closed_count, s->touch_count, s->touchlog_count, s->zone_count);
    for (size_t z = 0; z < s->zone_count; z++)
        put(t, "zone %s\n", archase_tz_name(s->zones[z]));
    for (uint32_t i = 0; i < s->invoice_count; i++) {
        uint32_t num = s->invoice_num[i];
        assert_int_equal(s->invoice_index[num], i);
        assert_int_equal(ar_strtab_find(&s->invoice_ids, ar_snap_invoice_id(s, i)), num);
    }
    for (uint32_t c = 0; c < s->ids.count; c++) {
        const ar_snap_customer *sc = &s->customers[c];
        put(t, "customer %s %s %s %s %s %s %s %s zone %s %d flags %d %d %s %lld%s 90d %u 12m %u last %d\n",
            ar_snap_customer_id(s, c), str(s, sc->name), str(s, sc->tier), str(s, sc->owner), str(s, sc->collector),
            str(s, sc->locale), str(s, sc->country), str(s, sc->source_link),
            sc->zone == AR_IDX_NONE ? "-" : archase_tz_name(s->zones[sc->zone]), sc->zone_unknown, sc->flags,
            (int)sc->paused_until, str(s, sc->flags_reason), (long long)sc->credit_limit.minor,
            sc->credit_limit.currency, sc->partial_payments_90d, sc->disputes_12m,
            sc->touchlog == AR_IDX_NONE ? -1 : (int)s->touchlogs[sc->touchlog].last_touch);
        for (int ch = 0; ch < AR_SNAP_CHANNELS; ch++)
            put(t, "  contact %d %s\n", ch, str(s, sc->contact[ch]));
        for (uint32_t k = sc->inv_first; k < sc->inv_first + sc->inv_count; k++) {
            const ar_snap_invoice *si = &s->invoices[k];
            assert_int_equal(si->customer, c);
            put(t, "  invoice %s %s %s %s %d %d %lld %lld %s\n", ar_snap_invoice_id(s, k), str(s, si->number),
                str(s, si->po_ref), str(s, si->source_link), (int)si->issue_date, (int)si->due_date,
                (long long)si->amount, (long long)si->open, si->currency);
            if (si->cadence != AR_IDX_NONE)
                dump_cadence(s, t, si->cadence);
        }
        for (uint32_t k = sc->hist_first; k < sc->hist_first + sc->hist_count; k++)
            put(t, "  settled %d %d\n", (int)s->history[k].due, (int)s->history[k].settled);
        for (uint32_t k = sc->prom_first; k < sc->prom_first + sc->prom_count; k++) {
            const ar_snap_promise *p = &s->promises[k];
            assert_int_equal(p->customer, c);
            put(t, "  promise %s st%d %lld %s %d %d %d %d %s:", str(s, p->id), p->status, (long long)p->amount,
                p->currency, (int)p->promised_date, (int)p->recorded_on, p->grace_days, p->channel,
                str(s, p->taken_by));
            for (uint32_t j = 0; j < p->inv_count; j++)
                put(t, " %s", inv_at(s, s->promise_invoices[p->inv_first + j]));
            put(t, " plan");
            for (uint32_t j = 0; j < p->inst_count; j++)
                put(t, " %d:%lld", (int)s->instalments[p->inst_first + j].date,
                    (long long)s->instalments[p->inst_first + j].amount.minor);
            put(t, " paid");
            for (uint32_t j = 0; j < p->pay_count; j++)
                put(t, " %d:%lld", (int)s->promise_payments[p->pay_first + j].date,
                    (long long)s->promise_payments[p->pay_first + j].applied);
            put(t, "\n");
        }
        for (uint32_t k = sc->disp_first; k < sc->disp_first + sc->disp_count; k++) {
            const ar_snap_dispute *d = &s->disputes[k];
            assert_int_equal(d->customer, c);
            put(t, "  dispute %s %d %s %lld %s %d %s:", str(s, d->id), d->reason, str(s, d->reason_code),
                (long long)d->amount, d->currency, (int)d->opened_on, str(s, d->owner));
            for (uint32_t j = 0; j < d->inv_count; j++)
                put(t, " %s", inv_at(s, s->dispute_invoices[d->inv_first + j]));
            put(t, "\n");
        }
        for (uint32_t k = sc->note_first; k < sc->note_first + sc->note_count; k++) {
            const ar_snap_note *n = &s->notes[k];
            assert_int_equal(n->customer, c);
            put(t, "  note %s %s %s %s %lld\n", str(s, n->id), str(s, n->author), str(s, n->text),
                inv_at(s, n->invoice), (long long)n->at);
        }
        for (uint32_t k = sc->touch_first; k < sc->touch_first + sc->touch_count; k++) {
            assert_int_equal(s->touches[k].customer, c);
            put(t, "  touch %d %d\n", (int)s->touches[k].date, s->touches[k].channel);
        }
        for (uint32_t k = sc->closed_first; k < sc->closed_first + sc->closed_count; k++)
            dump_cadence(s, t, s->closed[k]);
    }
}

void test_snap_assert_same(const snap_text *kept, const snap_text *fresh, archase_date day) {
    if (kept->n == fresh->n && !memcmp(kept->p, fresh->p, kept->n))
        return;
    size_t i = 0, line = 0;
    while (i < kept->n && i < fresh->n && kept->p[i] == fresh->p[i])
        i++;
    while (line < i && kept->p[line] != '\n')
        line++;
    size_t start = i;
    while (start > 0 && fresh->p[start - 1] != '\n')
        start--;
    fail_msg("day %d: the kept snapshot differs from a fresh one at\n  kept:  %.200s\n  fresh: %.200s", (int)day,
             kept->p + start, fresh->p + start);
}
