/* tests/test_replay_snap.c — the replay's snapshot, kept from day to day
 * (libarchase/kpi/replay_snap.h), against a snapshot loaded anew from the
 * same scratch store, every day of a replay over a ledger with every kind of
 * fact: customers with flags and contacts, invoices, payments (partial, in
 * full, a credit note, unapplied cash, one dated before its invoice was
 * issued), promises (with instalments, recorded late, without a recorded
 * day), disputes (opened, resolved later), and more notes than a snapshot
 * keeps. Both snapshots are written out in full, with every string and
 * reference by its text, and must read the same; their decisions too. Then
 * the kept snapshot under every allocation failure. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "archase/sys/storage.h"
#include "engine/apply.h"
#include "engine/engine.h"
#include "engine/snapshot.h"
#include "kpi/replay_snap.h"
#include "kpi/reveal.h"
#include "support/failalloc.h"
#include "support/testutil.h"

typedef struct fixture {
    archase_storage store;
    archase_engine *eng;
    archase_policy *policy;
} fixture;

static archase_storage unowned(const archase_storage *s) {
    archase_storage t = *s;
    t.close = NULL;
    return t;
}

static archase_date on(const char *text) {
    archase_date d = ARCHASE_DATE_NONE;
    assert_int_equal(archase_date_parse(text, &d), 0);
    return d;
}

static void ok(fixture *f, int rc) {
    if (rc != 0)
        fail_msg("%s: %s", archase_error_name(rc), archase_engine_errmsg(f->eng));
}

static archase_money eur(int64_t minor) {
    archase_money m = { minor, "EUR" };
    return m;
}

static void customer(fixture *f, const char *id, const char *zone) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = id;
    c.name = id;
    c.timezone = zone;
    c.owner = "anna";
    c.collector = "bob";
    ok(f, archase_customer_put(f->eng, &c, NULL));
    char cid[64], addr[64];
    snprintf(cid, sizeof cid, "%s:email", id);
    snprintf(addr, sizeof addr, "ap@%s.example", id);
    archase_contact k = ARCHASE_CONTACT_INIT;
    k.id = cid;
    k.customer_id = id;
    k.channel = ARCHASE_CHANNEL_EMAIL;
    k.address = addr;
    k.consent = 1;
    k.primary = 1;
    ok(f, archase_contact_put(f->eng, &k, NULL));
}

static void invoice(fixture *f, const char *cust, const char *id, const char *issued, const char *due,
                    int64_t minor) {
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = id;
    inv.customer_id = cust;
    inv.number = id;
    inv.po_ref = "PO-7";
    inv.issue_date = on(issued);
    inv.due_date = on(due);
    inv.amount = eur(minor);
    ok(f, archase_invoice_put(f->eng, &inv, NULL));
}

static void payment(fixture *f, const char *cust, const char *id, const char *inv, int kind, const char *date,
                    int64_t minor) {
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = id;
    p.customer_id = cust;
    p.invoice_id = inv;
    p.kind = kind;
    p.date = on(date);
    p.amount = eur(minor);
    ok(f, archase_payment_put(f->eng, &p, NULL));
}

static void promise(fixture *f, const char *cust, const char *id, const char *inv, const char *inv2,
                    const char *promised, const char *recorded, int64_t minor, int instalments) {
    const char *ids[2] = { inv, inv2 };
    archase_instalment plan[2] = { { on(promised), eur(minor / 2) }, { on(promised) + 14, eur(minor - minor / 2) } };
    archase_promise p = ARCHASE_PROMISE_INIT;
    p.id = id;
    p.customer_id = cust;
    p.invoice_ids = ids;
    p.invoice_count = inv2 ? 2 : 1;
    p.amount = eur(minor);
    p.promised_date = instalments ? on(promised) + 14 : on(promised);
    p.instalments = instalments ? plan : NULL;
    p.instalment_count = instalments ? 2 : 0;
    p.taken_by = "bob";
    p.channel = ARCHASE_CHANNEL_CALL;
    p.recorded_on = recorded ? on(recorded) : ARCHASE_DATE_NONE;
    ok(f, archase_promise_put(f->eng, &p, NULL));
}

static void dispute(fixture *f, const char *cust, const char *id, const char *inv, const char *opened,
                    const char *resolved) {
    const char *ids[1] = { inv };
    archase_dispute d = ARCHASE_DISPUTE_INIT;
    d.id = id;
    d.customer_id = cust;
    d.invoice_ids = ids;
    d.invoice_count = 1;
    d.amount = eur(5000);
    d.reason_code = "pricing";
    d.opened_on = on(opened);
    d.owner = "carla";
    if (resolved) {
        d.status = ARCHASE_DISPUTE_RESOLVED;
        d.resolution = ARCHASE_RESOLUTION_REJECTED;
        d.root_cause = "price_list";
        d.resolved_on = on(resolved);
    }
    ok(f, archase_dispute_put(f->eng, &d, NULL));
}

static void note(fixture *f, const char *cust, const char *id, const char *inv, const char *day, int hour) {
    archase_note n = ARCHASE_NOTE_INIT;
    n.id = id;
    n.customer_id = cust;
    n.invoice_id = inv;
    n.author = "bob";
    n.text = id;
    n.at = (archase_instant)on(day) * 86400 + hour * 3600;
    ok(f, archase_note_put(f->eng, &n, NULL));
}

/* Three customers over January to April 2026, with every kind of fact. */
static void given_ledger(fixture *f) {
    customer(f, "C1", "Europe/Berlin");
    customer(f, "C2", "America/New_York");
    customer(f, "C3", "Europe/Berlin");
    archase_customer_flags fl = ARCHASE_CUSTOMER_FLAGS_INIT;
    fl.customer_id = "C3";
    fl.strategic = 1;
    fl.reason = "key account";
    ok(f, archase_customer_flags_put(f->eng, &fl, NULL));
    invoice(f, "C1", "I01", "2025-10-01", "2025-10-31", 40000);
    invoice(f, "C1", "I02", "2025-11-15", "2025-12-15", 55000);
    invoice(f, "C1", "I03", "2026-01-05", "2026-02-04", 120000);
    invoice(f, "C1", "I04", "2026-01-20", "2026-02-19", 80000);
    invoice(f, "C1", "I05", "2026-02-10", "2026-03-12", 250000);
    invoice(f, "C2", "I06", "2025-12-01", "2025-12-31", 30000);
    invoice(f, "C2", "I07", "2026-01-10", "2026-02-09", 60000);
    invoice(f, "C2", "I08", "2026-02-20", "2026-03-22", 90000);
    invoice(f, "C3", "I09", "2026-01-02", "2026-02-01", 700000);
    invoice(f, "C3", "I10", "2026-02-05", "2026-03-07", 15000);
    payment(f, "C1", "P01", "I01", ARCHASE_PAYMENT, "2025-11-10", 40000);
    payment(f, "C1", "P02", "I02", ARCHASE_PAYMENT, "2026-01-10", 20000);
    payment(f, "C1", "P03", "I02", ARCHASE_PAYMENT, "2026-02-14", 35000);
    payment(f, "C1", "P04", "I03", ARCHASE_PAYMENT, "2026-02-20", 60000);
    payment(f, "C1", "P05", "I03", ARCHASE_CREDIT_NOTE, "2026-02-22", 10000);
    payment(f, "C1", "P06", "I04", ARCHASE_PAYMENT, "2026-03-01", 30000);
    /* dated before its invoice was issued: known on the issue date */
    payment(f, "C2", "P07", "I08", ARCHASE_PAYMENT, "2026-02-15", 10000);
    payment(f, "C2", "P08", "I06", ARCHASE_PAYMENT, "2026-02-12", 30000);
    payment(f, "C2", "P09", "I07", ARCHASE_PAYMENT, "2026-03-05", 60000);
    payment(f, "C3", "P10", NULL, ARCHASE_PAYMENT, "2026-02-18", 5000);
    payment(f, "C3", "P11", "I09", ARCHASE_PAYMENT, "2026-02-25", 200000);
    payment(f, "C3", "P12", "I10", ARCHASE_PAYMENT, "2026-03-02", 15000);
    /* recorded later than promised; a plan of two; one without a recorded day */
    promise(f, "C1", "PR1", "I03", "I04", "2026-02-10", "2026-02-16", 100000, 0);
    promise(f, "C1", "PR2", "I05", NULL, "2026-03-01", "2026-02-24", 200000, 1);
    promise(f, "C3", "PR3", "I09", NULL, "2026-02-24", NULL, 200000, 0);
    promise(f, "C2", "PR4", "I07", NULL, "2026-02-27", "2026-02-19", 60000, 0);
    dispute(f, "C2", "D1", "I07", "2026-02-13", "2026-02-26");
    dispute(f, "C1", "D2", "I04", "2026-02-21", NULL);
    dispute(f, "C3", "D3", "I10", "2026-02-08", "2026-03-03");
    note(f, "C1", "N1", "I03", "2026-02-11", 9);
    note(f, "C1", "N2", NULL, "2026-02-12", 10);
    note(f, "C1", "N3", "I04", "2026-02-17", 11);
    note(f, "C1", "N4", "I05", "2026-02-23", 8);
    note(f, "C1", "N5", NULL, "2026-02-23", 8);
    note(f, "C2", "N6", "I08", "2026-02-21", 15);
}

static archase_policy *example_policy(const char *name) {
    const char *root = getenv("ARCHASE_SOURCE_ROOT");
    char path[1024];
    snprintf(path, sizeof path, "%s/examples/policies/%s", root ? root : "..", name);
    archase_policy *p = NULL;
    assert_int_equal(archase_policy_load_file(path, NULL, &p, NULL), 0);
    return p;
}

static int setup(void **state) {
    fixture *f = test_calloc(1, sizeof *f);
    assert_int_equal(archase_memory_storage_new(NULL, &f->store), 0);
    archase_storage s = unowned(&f->store);
    assert_int_equal(archase_engine_open(&s, NULL, &f->eng), 0);
    f->policy = example_policy("enterprise-formal.yaml");
    given_ledger(f);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    archase_policy_free(f->policy);
    archase_engine_free(f->eng);
    f->store.close(f->store.userdata);
    test_free(f);
    return 0;
}

/* ---- a snapshot in full, by text ---------------------------------------------------------- */

typedef struct text {
    char  *p;
    size_t n, cap;
} text;

static void put(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(text *t, const char *fmt, ...) {
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

static void dump_cadence(const archase_snapshot *s, text *t, uint32_t k) {
    const ar_snap_cadence *c = &s->cadence[k];
    put(t, "    state %s %s st%d r%d %s %s %d %d %d %s %d %d %s [", str(s, c->invoice_id), str(s, c->customer_id),
        c->status, c->reason, str(s, c->sequence), str(s, c->last_step), c->last_offset, (int)c->last_date,
        c->notice_offset, str(s, c->next_step), (int)c->next_date, (int)c->call_queued, str(s, c->promise_routed));
    for (uint32_t i = 0; i < c->escalated_count; i++)
        put(t, " %s", str(s, s->names[c->escalated_first + i]));
    put(t, " ]\n");
}

static void dump(const archase_snapshot *s, text *t) {
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

/* The first line where two texts differ, for the failure message. */
static void assert_same(const text *kept, const text *fresh, archase_date day) {
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

/* ---- the replay's loop, both ways ------------------------------------------------------------- */

typedef struct run {
    fixture    *f;
    int         compare;     /* load a fresh snapshot too and compare */
    int         fresh_days;  /* days the kept snapshot was a fresh load */
    const char *from, *to;
} run;

static int replay_days(const archase_allocator *a, void *ctx) {
    run *x = ctx;
    fixture *f = x->f;
    archase_engine_options eo = ARCHASE_ENGINE_OPTIONS_INIT;
    eo.allocator = a;
    archase_storage st = unowned(&f->store);
    archase_engine *ledger = NULL, *scratch = NULL;
    ar_rsnap *kept = NULL;
    ar_reveal rv;
    ar_reveal_init(&rv, a);
    text tk = { NULL, 0, 0 }, tf = { NULL, 0, 0 };
    int rc = archase_engine_open(&st, &eo, &ledger);
    if (!rc)
        rc = archase_open_memory(&eo, &scratch);
    if (!rc)
        rc = ar_rsnap_new(a, &kept);
    if (!rc)
        rc = ar_reveal_plan(&rv, ledger);
    if (!rc)
        rc = ar_reveal_until(&rv, ledger, scratch, on(x->from) - 1);
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = f->policy;
    x->fresh_days = 0;
    for (archase_date day = on(x->from); !rc && day <= on(x->to); day++) {
        size_t first = rv.next;
        const archase_snapshot *s = NULL;
        archase_snapshot *fresh = NULL;
        archase_decisions *ds = NULL, *dsf = NULL;
        rc = ar_reveal_until(&rv, ledger, scratch, day);
        if (!rc)
            rc = ar_rsnap_revealed(kept, &rv, first);
        if (!rc)
            rc = ar_rsnap_load(kept, scratch, day, &so, &s);
        if (!rc)
            x->fresh_days += ar_rsnap_was_fresh(kept);
        if (!rc)
            rc = archase_evaluate(s, f->policy, day, NULL, &ds);
        if (!rc && x->compare) {
            ok(f, archase_snapshot_load(scratch, day, &so, &fresh));
            dump(s, &tk);
            dump(fresh, &tf);
            assert_same(&tk, &tf, day);
            ok(f, archase_evaluate(fresh, f->policy, day, NULL, &dsf));
            uint8_t hk[32], hf[32];
            ok(f, archase_decisions_hash(ds, hk));
            ok(f, archase_decisions_hash(dsf, hf));
            assert_memory_equal(hk, hf, 32);
        }
        if (!rc)
            rc = ar_apply_cadence(scratch, ds);
        if (!rc)
            rc = ar_rsnap_kept(kept, ds);
        archase_decisions_free(ds);
        archase_decisions_free(dsf);
        archase_snapshot_free(fresh);
    }
    free(tk.p);
    free(tf.p);
    ar_rsnap_free(kept);
    ar_reveal_free(&rv);
    archase_engine_free(scratch);
    archase_engine_free(ledger);
    return rc;
}

static void the_kept_snapshot_equals_a_fresh_one_every_day(void **state) {
    run x = { *state, 1, 0, "2026-01-25", "2026-04-10" };
    assert_int_equal(replay_days(NULL, &x), 0);
    assert_int_equal(x.fresh_days, 1); /* only the first */
}

static void keeping_the_snapshot_survives_every_allocation_failure(void **state) {
    run x = { *state, 0, 0, "2026-02-20", test_under_valgrind() ? "2026-02-21" : "2026-02-23" };
    assert_true(failalloc_loop(replay_days, NULL, &x) > 50);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

static const struct CMUnitTest tests[] = {
    T(the_kept_snapshot_equals_a_fresh_one_every_day),
    T(keeping_the_snapshot_survives_every_allocation_failure),
};

AR_TEST_MAIN(tests)
