/* tests/test_replay_snap_revisions.c — the replay's kept snapshot
 * (libarchase/kpi/replay_snap.h) when records change under it in ways the
 * day's facts alone do not: a payment moved to another day or invoice, a
 * payment dated after the day, records removed, settled invoices moved to
 * another customer, due date, issue or settlement date, a cadence state
 * that moved to another customer or is stored as finished, envelopes that
 * leave a record out (a customer the snapshot does
 * not know, a date after the day or none), customers changed, a day before
 * the one held, a ledger without customers, and records that cannot be
 * decoded. A second ledger adds what the loader breaks ties on (the same
 * due, settlement, payment, promise, opening and note dates) and more
 * settled invoices than a customer's history keeps. Every day the kept
 * snapshot is written out in full and compared with a snapshot loaded anew
 * from the same scratch store, with the same decisions; where the store
 * holds a record that cannot be decoded both refuse the day with the same
 * error, and the day after the record is repaired both agree again. Then
 * the corrections under every allocation failure, and a storage failure in
 * a fresh and in a kept load: the day fails with ARCHASE_ESTORAGE and the
 * next is a fresh load equal to a fresh one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "archase/sys/storage.h"
#include "core/canon.h"
#include "engine/apply.h"
#include "engine/cadence_store.h"
#include "engine/engine.h"
#include "engine/snapshot.h"
#include "kpi/replay_snap.h"
#include "kpi/reveal.h"
#include "support/facts.h"
#include "support/failalloc.h"
#include "support/faultstore.h"
#include "support/ledger.h"
#include "support/memengine.h"
#include "support/snaptext.h"
#include "support/testutil.h"

typedef test_facts_fixture fixture;

/* More of what the loader breaks ties on and leaves out: C4 with a payment
 * and a dispute older than the history, two invoices settled the same day
 * by payments of the same day, two invoices due the same day under two
 * promises for the same day (one of them recorded after a payment it does
 * not count), payments of one day toward both, disputes opened the same
 * day, notes written at the same instant; C5 with more settled invoices
 * than a customer's history keeps. */
static void given_more(fixture *f) {
    test_fact_customer(f->eng, "C4", "Europe/Berlin", NULL);
    test_fact_invoice(f->eng, "C4", "I11", "2024-08-01", "2024-09-01", 10000);
    test_fact_payment(f->eng, "C4", "P13", "I11", ARCHASE_PAYMENT, "2024-09-05", 10000);
    test_fact_dispute(f->eng, "C4", "D4", "I11", "2024-09-02", "2024-09-04");
    test_fact_invoice(f->eng, "C4", "I12", "2025-12-01", "2026-01-01", 20000);
    test_fact_invoice(f->eng, "C4", "I13", "2025-12-01", "2026-01-01", 20000);
    test_fact_payment(f->eng, "C4", "P14", "I12", ARCHASE_PAYMENT, "2026-01-20", 20000);
    test_fact_payment(f->eng, "C4", "P15", "I13", ARCHASE_PAYMENT, "2026-01-20", 20000);
    test_fact_invoice(f->eng, "C4", "I14", "2026-01-15", "2026-02-14", 30000);
    test_fact_invoice(f->eng, "C4", "I15", "2026-01-15", "2026-02-14", 30000);
    test_fact_payment(f->eng, "C4", "P18", "I15", ARCHASE_PAYMENT, "2026-02-10", 4000);
    test_fact_promise(f->eng, "C4", "PR5", "I14", NULL, "2026-02-25", "2026-02-16", 30000, 0);
    test_fact_promise(f->eng, "C4", "PR6", "I14", "I15", "2026-02-25", "2026-02-16", 20000, 0);
    test_fact_payment(f->eng, "C4", "P16", "I14", ARCHASE_PAYMENT, "2026-02-20", 5000);
    test_fact_payment(f->eng, "C4", "P17", "I14", ARCHASE_PAYMENT, "2026-02-20", 5000);
    test_fact_dispute(f->eng, "C4", "D5", "I14", "2026-02-18", NULL);
    test_fact_dispute(f->eng, "C4", "D6", "I15", "2026-02-18", NULL);
    test_fact_dispute(f->eng, "C4", "D7", "I15", "2026-02-19", NULL);
    test_fact_note(f->eng, "C4", "N7", "I14", "2026-02-17", 9);
    test_fact_note(f->eng, "C4", "N8", NULL, "2026-02-18", 9);
    test_fact_note(f->eng, "C4", "N9", "I15", "2026-02-18", 9);
    test_fact_note(f->eng, "C4", "N10", NULL, "2026-02-19", 7);
    test_fact_customer(f->eng, "C5", "Europe/Berlin", NULL);
    for (int i = 0; i < 102; i++) {
        char id[16], pid[16], issued[16], due[16], paid[16];
        snprintf(id, sizeof id, "C5-I%03d", i);
        snprintf(pid, sizeof pid, "C5-P%03d", i);
        archase_date d = test_day("2025-01-01") + i * 2;
        assert_int_equal(archase_date_format(d, issued, sizeof issued), 0);
        assert_int_equal(archase_date_format(d + 30, due, sizeof due), 0);
        assert_int_equal(archase_date_format(d + 30 + i % 7, paid, sizeof paid), 0);
        test_fact_invoice(f->eng, "C5", id, issued, due, 1000 + i);
        test_fact_payment(f->eng, "C5", pid, id, ARCHASE_PAYMENT, paid, 1000 + i);
    }
}

static int setup_more(void **state) {
    test_facts_setup(state);
    given_more(*state);
    return 0;
}

/* ---- the replay's loop over a scratch store the test can write to -------------------------- */

typedef struct world {
    fixture                 *f;
    const archase_allocator *a;
    archase_engine          *ledger;
    archase_storage          store;   /* the scratch store, written to directly */
    faultstore              *fs;      /* when set, the scratch engine reads through it */
    archase_storage          wrapped;
    archase_engine          *scratch;
    ar_rsnap                *kept;
    ar_reveal                rv;
    archase_date             next;    /* the next day to run */
    int                      compare; /* load a fresh snapshot too and compare */
    int                      fresh_days;
    snap_text                tk, tf;
} world;

static int world_open_with(world *w, fixture *f, const archase_allocator *a, const char *from, int compare,
                           faultstore *fs) {
    memset(w, 0, sizeof *w);
    w->fs = fs;
    w->f = f;
    w->a = a;
    w->compare = compare;
    w->next = test_day(from);
    ar_reveal_init(&w->rv, a);
    archase_engine_options eo = ARCHASE_ENGINE_OPTIONS_INIT;
    eo.allocator = a;
    archase_storage st = test_unowned(&f->store);
    int rc = archase_engine_open(&st, &eo, &w->ledger);
    if (!rc)
        rc = archase_memory_storage_new(a, &w->store);
    if (!rc) {
        archase_storage s = test_unowned(&w->store);
        if (fs) {
            faultstore_wrap(fs, &s, 0, &w->wrapped);
            s = test_unowned(&w->wrapped);
        }
        rc = archase_engine_open(&s, &eo, &w->scratch);
    }
    if (!rc)
        rc = ar_rsnap_new(a, &w->kept);
    if (!rc)
        rc = ar_reveal_plan(&w->rv, w->ledger);
    if (!rc)
        rc = ar_reveal_until(&w->rv, w->ledger, w->scratch, w->next - 1);
    return rc;
}

static int world_open(world *w, fixture *f, const archase_allocator *a, const char *from, int compare) {
    return world_open_with(w, f, a, from, compare, NULL);
}

static void world_close(world *w) {
    free(w->tk.p);
    free(w->tf.p);
    ar_rsnap_free(w->kept);
    ar_reveal_free(&w->rv);
    archase_engine_free(w->scratch);
    if (w->store.close)
        w->store.close(w->store.userdata);
    archase_engine_free(w->ledger);
}

/* One day: its facts revealed, the kept snapshot loaded (and, comparing, a
 * fresh one beside it), evaluated, and the chase state kept. */
static int step(world *w) {
    archase_date day = w->next;
    fixture *f = w->f;
    size_t first = w->rv.next;
    const archase_snapshot *s = NULL;
    archase_snapshot *fresh = NULL;
    archase_decisions *ds = NULL, *dsf = NULL;
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = f->policy;
    int rc = ar_reveal_until(&w->rv, w->ledger, w->scratch, day);
    if (!rc)
        rc = ar_rsnap_revealed(w->kept, &w->rv, first);
    if (!rc)
        rc = ar_rsnap_load(w->kept, w->scratch, day, &so, &s);
    if (!rc)
        w->fresh_days += ar_rsnap_was_fresh(w->kept);
    if (!rc)
        rc = archase_evaluate(s, f->policy, day, NULL, &ds);
    if (!rc && w->compare) {
        if (archase_snapshot_load(w->scratch, day, &so, &fresh) != 0)
            fail_msg("day %d: a fresh load fails where the kept one does not: %s", (int)day,
                     archase_engine_errmsg(w->scratch));
        test_snap_dump(s, &w->tk);
        test_snap_dump(fresh, &w->tf);
        test_snap_assert_same(&w->tk, &w->tf, day);
        assert_int_equal(archase_evaluate(fresh, f->policy, day, NULL, &dsf), 0);
        uint8_t hk[32], hf[32];
        assert_int_equal(archase_decisions_hash(ds, hk), 0);
        assert_int_equal(archase_decisions_hash(dsf, hf), 0);
        assert_memory_equal(hk, hf, 32);
    }
    if (!rc)
        rc = ar_apply_cadence(w->scratch, ds);
    if (!rc)
        rc = ar_rsnap_kept(w->kept, ds);
    archase_decisions_free(ds);
    archase_decisions_free(dsf);
    archase_snapshot_free(fresh);
    if (!rc)
        w->next++;
    return rc;
}

/* Every day up to `to`, each equal to a fresh load. */
static void run_until(world *w, const char *to) {
    while (w->next <= test_day(to)) {
        int rc = step(w);
        if (rc)
            fail_msg("day %d: %s: %s", (int)w->next, archase_error_name(rc), archase_engine_errmsg(w->scratch));
    }
}

static int until(world *w, const char *to) {
    int rc = 0;
    while (!rc && w->next <= test_day(to))
        rc = step(w);
    return rc;
}

/* ---- writing the scratch store behind the kept snapshot ------------------------------------ */

typedef struct held {
    archase_record r;
    char           id[128], customer[128], invoice[128];
    uint8_t        data[8192];
} held;

static void copy_str(char *dst, size_t cap, const char **field) {
    if (!*field)
        return;
    assert_true(strlen(*field) < cap);
    strcpy(dst, *field);
    *field = dst;
}

static int copy_record(void *ctx, const archase_record *rec) {
    held *h = ctx;
    h->r = *rec;
    copy_str(h->id, sizeof h->id, &h->r.id);
    copy_str(h->customer, sizeof h->customer, &h->r.customer_id);
    copy_str(h->invoice, sizeof h->invoice, &h->r.invoice_id);
    assert_true(rec->size <= sizeof h->data);
    if (rec->size)
        memcpy(h->data, rec->data, rec->size);
    h->r.data = h->data;
    return 0;
}

static void fetch(world *w, int family, const char *id, held *h) {
    memset(h, 0, sizeof *h);
    if (w->store.get(w->store.userdata, family, id, copy_record, h) != 0)
        fail_msg("the scratch store has no record '%s'", id);
}

/* Writes the record back and tells the kept snapshot. */
static int write_back(world *w, const held *h) {
    int rc = w->store.put(w->store.userdata, &h->r);
    return rc ? rc : ar_rsnap_changed(w->kept, h->r.family, h->r.id);
}

static int drop(world *w, int family, const char *id) {
    int rc = w->store.del(w->store.userdata, family, id);
    if (rc == ARCHASE_ENOTFOUND)
        fail_msg("the scratch store has no record '%s'", id);
    return rc ? rc : ar_rsnap_changed(w->kept, family, id);
}

static void must(int rc) {
    if (rc)
        fail_msg("%s", archase_error_name(rc));
}

/* ---- payments corrected ------------------------------------------------------------------- */

/* A payment moved to an earlier day (the order by date is rebuilt), one
 * moved to another invoice (both invoices are read again), one applied to
 * no invoice any more, and one dated after the day (its amount is open
 * again on the day). */
static int corrected_payments(world *w) {
    held h;
    int rc = until(w, "2026-02-20");
    if (rc)
        return rc;
    fetch(w, ARCHASE_FAMILY_PAYMENT, "P03", &h);
    h.r.date = test_day("2026-01-20");
    rc = write_back(w, &h);
    if (!rc) {
        fetch(w, ARCHASE_FAMILY_PAYMENT, "P04", &h);
        h.r.invoice_id = "I04";
        rc = write_back(w, &h);
    }
    if (!rc)
        rc = until(w, "2026-02-22");
    if (!rc) {
        fetch(w, ARCHASE_FAMILY_PAYMENT, "P08", &h);
        h.r.invoice_id = NULL;
        rc = write_back(w, &h);
    }
    if (!rc) {
        fetch(w, ARCHASE_FAMILY_PAYMENT, "P04", &h);
        h.r.date = test_day("2026-04-01");
        rc = write_back(w, &h);
    }
    /* and one of a settled invoice: the invoice stays closed */
    if (!rc) {
        fetch(w, ARCHASE_FAMILY_PAYMENT, "P01", &h);
        h.r.date = test_day("2026-05-01");
        rc = write_back(w, &h);
    }
    if (!rc)
        rc = until(w, "2026-02-26");
    return rc;
}

static void corrected_payments_keep_the_snapshot_equal_to_a_fresh_load(void **state) {
    world w;
    must(world_open(&w, *state, NULL, "2026-02-10", 1));
    assert_int_equal(corrected_payments(&w), 0);
    run_until(&w, "2026-03-05");
    assert_int_equal(w.fresh_days, 1);
    /* P04 (60000 applied, now to I04) is dated after every day run: I04 is
     * open by the 50000 the store says and those 60000 */
    const archase_snapshot *s = NULL;
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = w.f->policy;
    assert_int_equal(ar_rsnap_load(w.kept, w.scratch, w.next, &so, &s), 0);
    uint32_t num = ar_strtab_find(&s->invoice_ids, "I04");
    assert_int_not_equal(num, AR_STRTAB_NONE);
    assert_int_equal(s->invoices[s->invoice_index[num]].open, 110000);
    world_close(&w);
}

static int corrected_payments_under(const archase_allocator *a, void *ctx) {
    world w;
    int rc = world_open(&w, ctx, a, "2026-02-19", 0);
    if (!rc)
        rc = corrected_payments(&w);
    world_close(&w);
    return rc;
}

static void correcting_payments_survives_every_allocation_failure(void **state) {
    assert_true(failalloc_loop(corrected_payments_under, NULL, *state) > 50);
}

/* ---- records removed ---------------------------------------------------------------------- */

/* `states`: the cadence states and touches too (the chase state of the
 * days run). */
static int removed_records(world *w, const char *last, int states) {
    held h;
    int rc = until(w, "2026-02-24");
    /* a settled invoice settled later than the store said: it leaves the
     * history until then */
    if (!rc) {
        fetch(w, ARCHASE_FAMILY_INVOICE, "I01", &h);
        h.r.date3 = test_day("2026-03-01");
        rc = write_back(w, &h);
    }
    if (!rc)
        rc = drop(w, ARCHASE_FAMILY_INVOICE, "I03");
    if (!rc)
        rc = drop(w, ARCHASE_FAMILY_PAYMENT, "P08");
    if (!rc)
        rc = drop(w, ARCHASE_FAMILY_PROMISE, "PR1");
    if (!rc)
        rc = drop(w, ARCHASE_FAMILY_DISPUTE, "D2");
    if (!rc)
        rc = drop(w, ARCHASE_FAMILY_NOTE, "N4");
    if (!rc && states)
        rc = drop(w, ARCHASE_FAMILY_CADENCE, "invoice:I04");
    if (!rc && states)
        rc = drop(w, ARCHASE_FAMILY_CADENCE, "customer:C2");
    /* a closed state (not one the snapshot holds) and records the kept
     * snapshot never read */
    if (!rc && states)
        rc = drop(w, ARCHASE_FAMILY_CADENCE, "invoice:I02");
    if (!rc)
        rc = ar_rsnap_changed(w->kept, ARCHASE_FAMILY_CADENCE, "invoice:I99");
    if (!rc)
        rc = ar_rsnap_changed(w->kept, ARCHASE_FAMILY_INVOICE, "I99");
    if (!rc)
        rc = ar_rsnap_changed(w->kept, ARCHASE_FAMILY_NOTE, "N99");
    if (!rc)
        rc = ar_rsnap_changed(w->kept, ARCHASE_FAMILY_PAYMENT, "P99");
    if (!rc)
        rc = ar_rsnap_changed(w->kept, ARCHASE_FAMILY_PROMISE, "PR99");
    if (!rc)
        rc = ar_rsnap_changed(w->kept, ARCHASE_FAMILY_DISPUTE, "D99");
    /* the payments ordered again with P08 gone */
    if (!rc) {
        fetch(w, ARCHASE_FAMILY_PAYMENT, "P07", &h);
        h.r.date = test_day("2026-02-01");
        rc = write_back(w, &h);
    }
    /* settled invoices now of another customer, or due another day */
    if (!rc) {
        fetch(w, ARCHASE_FAMILY_INVOICE, "I02", &h);
        h.r.customer_id = "C3";
        rc = write_back(w, &h);
    }
    if (!rc) {
        fetch(w, ARCHASE_FAMILY_INVOICE, "I06", &h);
        h.r.date = test_day("2026-01-10");
        rc = write_back(w, &h);
    }
    if (!rc)
        rc = until(w, last);
    return rc;
}

static void removed_records_leave_the_kept_snapshot_as_they_leave_a_fresh_load(void **state) {
    world w;
    must(world_open(&w, *state, NULL, "2026-02-10", 1));
    assert_int_equal(removed_records(&w, "2026-03-04", 1), 0);
    assert_int_equal(w.fresh_days, 1);
    world_close(&w);
}

static int removed_records_under(const archase_allocator *a, void *ctx) {
    world w;
    int rc = world_open(&w, ctx, a, "2026-02-23", 0);
    if (!rc)
        rc = removed_records(&w, "2026-02-25", 0);
    world_close(&w);
    return rc;
}

static void removing_records_survives_every_allocation_failure(void **state) {
    if (test_under_valgrind())
        skip();
    assert_true(failalloc_loop(removed_records_under, NULL, *state) > 50);
}

/* ---- a cadence state moved to another customer --------------------------------------------- */

static void sliced(char *dst, size_t cap, ar_slice s, const char **out) {
    if (!s.p) {
        *out = NULL;
        return;
    }
    assert_true(s.len < cap);
    memcpy(dst, s.p, s.len);
    dst[s.len] = '\0';
    *out = dst;
}

/* Rewrites the state of `invoice` as if it were `customer`'s. */
static int move_state(world *w, const char *id, const char *customer) {
    held h;
    fetch(w, ARCHASE_FAMILY_CADENCE, id, &h);
    ar_cadence_view v;
    assert_int_equal(ar_cadence_decode(h.r.data, h.r.size, &v), 0);
    char inv[64], seq[64], last[64], next[64], routed[64], esc[AR_CADENCE_ESCALATED_MAX][64];
    ar_cadence_rec c;
    memset(&c, 0, sizeof c);
    sliced(inv, sizeof inv, v.invoice_id, &c.invoice_id);
    c.customer_id = customer;
    c.status = v.status;
    c.reason = v.reason;
    sliced(seq, sizeof seq, v.sequence, &c.sequence);
    sliced(last, sizeof last, v.last_step, &c.last_step);
    c.last_offset = v.last_offset;
    c.last_date = v.last_date;
    c.notice_offset = v.notice_offset;
    sliced(next, sizeof next, v.next_step, &c.next_step);
    c.next_date = v.next_date;
    c.call_queued = v.call_queued;
    sliced(routed, sizeof routed, v.promise_routed, &c.promise_routed);
    for (uint32_t i = 0; i < v.escalated_count; i++)
        sliced(esc[i], sizeof esc[i], v.escalated[i], &c.escalated[i]);
    c.escalated_count = v.escalated_count;
    c.updated_on = v.updated_on;
    c.policy_hash = v.has_policy_hash ? v.policy_hash : NULL;
    ar_canon canon;
    ar_canon_init(&canon, NULL);
    const uint8_t *data = NULL;
    size_t size = 0;
    int rc = ar_cadence_encode(&canon, &c);
    if (!rc)
        rc = ar_canon_finish(&canon, &data, &size);
    if (!rc) {
        assert_true(size <= sizeof h.data);
        memcpy(h.data, data, size);
        h.r.size = size;
        h.r.customer_id = customer;
        rc = write_back(w, &h);
    }
    ar_canon_free(&canon);
    return rc;
}

static void a_cadence_state_moved_to_another_customer_is_ordered_anew(void **state) {
    world w;
    must(world_open(&w, *state, NULL, "2026-02-10", 1));
    run_until(&w, "2026-02-20");
    /* two open invoices' states, each now another customer's, then one back */
    must(move_state(&w, "invoice:I03", "C3"));
    must(move_state(&w, "invoice:I07", "C1"));
    run_until(&w, "2026-02-24");
    must(move_state(&w, "invoice:I03", "C1"));
    run_until(&w, "2026-02-27");
    assert_int_equal(w.fresh_days, 1);
    world_close(&w);
}

/* ---- customers changed ----------------------------------------------------------------------- */

static void a_changed_customer_contact_or_flags_makes_the_next_day_a_fresh_load(void **state) {
    static const int families[] = { ARCHASE_FAMILY_CUSTOMER, ARCHASE_FAMILY_CONTACT, ARCHASE_FAMILY_FLAGS };
    world w;
    must(world_open(&w, *state, NULL, "2026-02-10", 1));
    run_until(&w, "2026-02-11");
    assert_int_equal(w.fresh_days, 1);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(ar_rsnap_changed(w.kept, families[i], "C2"), 0);
        must(step(&w));
        assert_int_equal(ar_rsnap_was_fresh(w.kept), 1);
        assert_int_equal(w.fresh_days, 2 + (int)i);
    }
    /* and the day after, kept again */
    run_until(&w, "2026-02-15");
    assert_int_equal(ar_rsnap_was_fresh(w.kept), 0);
    assert_int_equal(w.fresh_days, 4);
    world_close(&w);
}

/* ---- records that cannot be decoded ------------------------------------------------------------ */

typedef struct garbled {
    int         family;
    const char *id;
    const char *what;  /* in the message */
    const char *day;   /* a day the record counts on */
} garbled;

static void a_record_that_cannot_be_decoded_fails_the_day_as_a_fresh_load_does(void **state) {
    static const garbled cases[] = {
        { ARCHASE_FAMILY_INVOICE, "I05", "invoice", "2026-02-16" },
        { ARCHASE_FAMILY_PROMISE, "PR2", "promise", "2026-02-25" },
        { ARCHASE_FAMILY_DISPUTE, "D2", "dispute", "2026-02-23" },
        { ARCHASE_FAMILY_NOTE, "N4", "note", "2026-02-24" },
        { ARCHASE_FAMILY_CADENCE, "invoice:I05", "cadence", "2026-02-26" },
        { ARCHASE_FAMILY_CADENCE, "customer:C1", "touches", "2026-02-26" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const garbled *g = &cases[i];
        world w;
        must(world_open(&w, *state, NULL, "2026-02-14", 1));
        run_until(&w, g->day);
        held orig, bad;
        fetch(&w, g->family, g->id, &orig);
        bad = orig;
        bad.r.id = bad.id;
        bad.r.customer_id = orig.r.customer_id ? bad.customer : NULL;
        bad.r.invoice_id = orig.r.invoice_id ? bad.invoice : NULL;
        bad.r.data = bad.data;
        bad.r.size = 3;
        memset(bad.data, 0xEE, 3);
        must(write_back(&w, &bad));
        archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
        so.policy = w.f->policy;
        const archase_snapshot *s = NULL;
        char want[128];
        snprintf(want, sizeof want, "stored %s '%s' cannot be decoded", g->what, g->id);
        assert_int_equal(ar_rsnap_load(w.kept, w.scratch, w.next, &so, &s), ARCHASE_ESTORAGE);
        assert_string_equal(archase_engine_errmsg(w.scratch), want);
        archase_snapshot *fresh = NULL;
        assert_int_equal(archase_snapshot_load(w.scratch, w.next, &so, &fresh), ARCHASE_ESTORAGE);
        assert_null(fresh);
        /* repaired, the next day is a fresh load and both agree again */
        must(write_back(&w, &orig));
        int before = w.fresh_days;
        run_until(&w, "2026-02-28");
        assert_int_equal(w.fresh_days, before + 1);
        world_close(&w);
    }
}

/* A note older than the three a customer's snapshot keeps and a dispute
 * resolved by the day are not read: one of them that cannot be decoded does
 * not fail the day, for the kept snapshot as for a fresh load. */
static void a_record_the_day_does_not_use_may_be_undecodable(void **state) {
    world w;
    must(world_open(&w, *state, NULL, "2026-02-14", 1));
    run_until(&w, "2026-03-05");
    held bad;
    fetch(&w, ARCHASE_FAMILY_DISPUTE, "D1", &bad); /* resolved 2026-02-26 */
    bad.r.size = 2;
    must(write_back(&w, &bad));
    fetch(&w, ARCHASE_FAMILY_NOTE, "N1", &bad); /* C1 has four later ones */
    bad.r.size = 2;
    must(write_back(&w, &bad));
    run_until(&w, "2026-03-08");
    assert_int_equal(w.fresh_days, 1);
    world_close(&w);
}


/* ---- envelopes that leave records out ----------------------------------------------------- */

/* Records of a customer the snapshot does not know or of none, a promise
 * recorded after the day or without a date, a dispute opened after the day
 * or resolved without a date, a note written after the day, a payment
 * without a date: the kept snapshot leaves out what a fresh load leaves
 * out. */
static void records_a_fresh_load_leaves_out_are_left_out_of_the_kept_snapshot(void **state) {
    world w;
    must(world_open(&w, *state, NULL, "2026-02-20", 1));
    run_until(&w, "2026-02-25");
    held h;
    static const struct {
        int         family;
        const char *id;
    } ghosts[] = { { ARCHASE_FAMILY_INVOICE, "I05" }, { ARCHASE_FAMILY_PROMISE, "PR2" },
                   { ARCHASE_FAMILY_DISPUTE, "D2" },  { ARCHASE_FAMILY_NOTE, "N3" },
                   { ARCHASE_FAMILY_PAYMENT, "P04" } };
    for (size_t i = 0; i < sizeof ghosts / sizeof ghosts[0]; i++) {
        fetch(&w, ghosts[i].family, ghosts[i].id, &h);
        h.r.customer_id = "ghost";
        must(write_back(&w, &h));
    }
    must(move_state(&w, "invoice:I03", "ghost"));
    fetch(&w, ARCHASE_FAMILY_NOTE, "N6", &h);
    h.r.customer_id = NULL;
    must(write_back(&w, &h));
    fetch(&w, ARCHASE_FAMILY_PROMISE, "PR1", &h);
    h.r.date2 = test_day("2026-03-20");
    must(write_back(&w, &h));
    fetch(&w, ARCHASE_FAMILY_PROMISE, "PR4", &h);
    h.r.date = ARCHASE_DATE_NONE;
    must(write_back(&w, &h));
    fetch(&w, ARCHASE_FAMILY_DISPUTE, "D3", &h);
    h.r.date = test_day("2026-03-20");
    must(write_back(&w, &h));
    fetch(&w, ARCHASE_FAMILY_DISPUTE, "D1", &h);
    h.r.date2 = ARCHASE_DATE_NONE;
    must(write_back(&w, &h));
    fetch(&w, ARCHASE_FAMILY_NOTE, "N2", &h);
    h.r.instant = (archase_instant)test_day("2026-03-20") * 86400;
    must(write_back(&w, &h));
    fetch(&w, ARCHASE_FAMILY_PAYMENT, "P11", &h);
    h.r.date = ARCHASE_DATE_NONE;
    must(write_back(&w, &h));
    run_until(&w, "2026-03-02");
    assert_int_equal(w.fresh_days, 1);
    world_close(&w);
}

/* Settled invoices whose envelope now says issued after the day, settled
 * after it, settled earlier or of an unknown customer; a resolved dispute
 * without its date; a promise older than the history; a cadence state
 * stored as finished: the kept snapshot opens, closes, keeps and leaves out
 * what a fresh load does. */
static void changed_envelopes_of_settled_and_resolved_records_are_read_as_a_fresh_load_reads_them(void **state) {
    world w;
    must(world_open(&w, *state, NULL, "2026-02-28", 1));
    run_until(&w, "2026-03-04");
    held h;
    fetch(&w, ARCHASE_FAMILY_INVOICE, "I05", &h);
    h.r.date2 = test_day("2026-03-20");
    must(write_back(&w, &h));
    fetch(&w, ARCHASE_FAMILY_INVOICE, "I06", &h);
    h.r.date3 = test_day("2026-03-25");
    must(write_back(&w, &h));
    fetch(&w, ARCHASE_FAMILY_INVOICE, "I01", &h);
    h.r.date3 = test_day("2025-11-01");
    must(write_back(&w, &h));
    fetch(&w, ARCHASE_FAMILY_INVOICE, "I10", &h);
    h.r.customer_id = "ghost";
    must(write_back(&w, &h));
    fetch(&w, ARCHASE_FAMILY_INVOICE, "I02", &h);
    h.r.date2 = test_day("2026-03-30");
    must(write_back(&w, &h));
    fetch(&w, ARCHASE_FAMILY_DISPUTE, "D3", &h);
    h.r.date2 = ARCHASE_DATE_NONE;
    must(write_back(&w, &h));
    fetch(&w, ARCHASE_FAMILY_PROMISE, "PR3", &h);
    h.r.date = test_day("2024-12-01");
    must(write_back(&w, &h));
    fetch(&w, ARCHASE_FAMILY_CADENCE, "invoice:I03", &h);
    h.r.status = ARCHASE_CADENCE_FINISHED;
    must(write_back(&w, &h));
    run_until(&w, "2026-03-08");
    assert_int_equal(w.fresh_days, 1);
    world_close(&w);
}

/* ---- going back, an empty ledger ---------------------------------------------------------- */

static void a_day_before_the_one_held_is_a_fresh_load(void **state) {
    world w;
    must(world_open(&w, *state, NULL, "2026-02-20", 1));
    run_until(&w, "2026-02-24");
    assert_int_equal(w.fresh_days, 1);
    w.next = test_day("2026-02-22");
    run_until(&w, "2026-02-23");
    assert_int_equal(w.fresh_days, 2);
    world_close(&w);
}

static void a_ledger_without_customers_keeps_an_empty_snapshot(void **state) {
    world w;
    must(world_open(&w, *state, NULL, "2026-02-20", 1));
    run_until(&w, "2026-02-23");
    const archase_snapshot *s = NULL;
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = w.f->policy;
    assert_int_equal(ar_rsnap_load(w.kept, w.scratch, w.next, &so, &s), 0);
    assert_int_equal(s->ids.count, 0);
    assert_int_equal(s->invoice_count, 0);
    assert_int_equal(ar_rsnap_was_fresh(w.kept), 0);
    world_close(&w);
}

/* ---- storage failures ---------------------------------------------------------------------- */

/* Day `w->next` revealed and loaded with the `n`th storage call of the load
 * failing. */
static int load_failing(world *w, size_t n, const archase_snapshot **s) {
    size_t first = w->rv.next;
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = w->f->policy;
    must(ar_reveal_until(&w->rv, w->ledger, w->scratch, w->next));
    must(ar_rsnap_revealed(w->kept, &w->rv, first));
    w->fs->fail_at = w->fs->calls + n;
    int rc = ar_rsnap_load(w->kept, w->scratch, w->next, &so, s);
    w->fs->fail_at = 0;
    return rc;
}

/* A storage call failing in a fresh or a kept load fails the day with
 * ARCHASE_ESTORAGE; the next try is a fresh load equal to a fresh one, and
 * the days after it are kept again. */
static void a_storage_failure_fails_the_load_and_the_next_is_fresh(void **state) {
    for (int kept = 0; kept < 2; kept++) {
        for (size_t n = 1;; n++) {
            faultstore fs;
            world w;
            must(world_open_with(&w, *state, NULL, "2026-02-20", 1, &fs));
            if (kept)
                run_until(&w, "2026-02-21");
            /* a payment and a promise changed, for the kept load to read */
            held h;
            fetch(&w, ARCHASE_FAMILY_PAYMENT, "P02", &h);
            h.r.date = test_day("2026-01-16");
            must(write_back(&w, &h));
            must(ar_rsnap_changed(w.kept, ARCHASE_FAMILY_PROMISE, "PR1"));
            const archase_snapshot *s = NULL;
            int before = w.fresh_days;
            int rc = load_failing(&w, n, &s);
            if (!fs.failures) {
                assert_int_equal(rc, 0);
                world_close(&w);
                assert_true(n > 2);
                break;
            }
            assert_int_equal(rc, ARCHASE_ESTORAGE);
            assert_true(strlen(archase_engine_errmsg(w.scratch)) > 0);
            must(step(&w));
            assert_int_equal(ar_rsnap_was_fresh(w.kept), 1);
            run_until(&w, "2026-02-24");
            assert_int_equal(w.fresh_days, before + 1);
            world_close(&w);
        }
    }
}

#define T(name) cmocka_unit_test_setup_teardown(name, test_facts_setup, test_facts_teardown)
#define M(name) cmocka_unit_test_setup_teardown(name, setup_more, test_facts_teardown)

static const struct CMUnitTest tests[] = {
    M(corrected_payments_keep_the_snapshot_equal_to_a_fresh_load),
    T(correcting_payments_survives_every_allocation_failure),
    M(removed_records_leave_the_kept_snapshot_as_they_leave_a_fresh_load),
    T(removing_records_survives_every_allocation_failure),
    M(a_cadence_state_moved_to_another_customer_is_ordered_anew),
    T(a_changed_customer_contact_or_flags_makes_the_next_day_a_fresh_load),
    T(a_record_that_cannot_be_decoded_fails_the_day_as_a_fresh_load_does),
    T(a_record_the_day_does_not_use_may_be_undecodable),
    T(records_a_fresh_load_leaves_out_are_left_out_of_the_kept_snapshot),
    T(changed_envelopes_of_settled_and_resolved_records_are_read_as_a_fresh_load_reads_them),
    T(a_day_before_the_one_held_is_a_fresh_load),
    cmocka_unit_test_setup_teardown(a_ledger_without_customers_keeps_an_empty_snapshot, test_facts_setup_empty,
                                    test_facts_teardown),
    T(a_storage_failure_fails_the_load_and_the_next_is_fresh),
};

AR_TEST_MAIN(tests)
