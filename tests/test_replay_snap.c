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
#include "support/facts.h"
#include "support/failalloc.h"
#include "support/ledger.h"
#include "support/memengine.h"
#include "support/snaptext.h"
#include "support/testutil.h"

typedef test_facts_fixture fixture;

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
    archase_storage st = test_unowned(&f->store);
    archase_engine *ledger = NULL, *scratch = NULL;
    ar_rsnap *kept = NULL;
    ar_reveal rv;
    ar_reveal_init(&rv, a);
    snap_text tk = { NULL, 0, 0 }, tf = { NULL, 0, 0 };
    int rc = archase_engine_open(&st, &eo, &ledger);
    if (!rc)
        rc = archase_open_memory(&eo, &scratch);
    if (!rc)
        rc = ar_rsnap_new(a, &kept);
    if (!rc)
        rc = ar_reveal_plan(&rv, ledger);
    if (!rc)
        rc = ar_reveal_until(&rv, ledger, scratch, test_day(x->from) - 1);
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = f->policy;
    x->fresh_days = 0;
    for (archase_date day = test_day(x->from); !rc && day <= test_day(x->to); day++) {
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
            test_ok(f->eng, archase_snapshot_load(scratch, day, &so, &fresh));
            test_snap_dump(s, &tk);
            test_snap_dump(fresh, &tf);
            test_snap_assert_same(&tk, &tf, day);
            test_ok(f->eng, archase_evaluate(fresh, f->policy, day, NULL, &dsf));
            uint8_t hk[32], hf[32];
            test_ok(f->eng, archase_decisions_hash(ds, hk));
            test_ok(f->eng, archase_decisions_hash(dsf, hf));
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

#define T(name) cmocka_unit_test_setup_teardown(name, test_facts_setup, test_facts_teardown)

static const struct CMUnitTest tests[] = {
    T(the_kept_snapshot_equals_a_fresh_one_every_day),
    T(keeping_the_snapshot_survives_every_allocation_failure),
};

AR_TEST_MAIN(tests)
