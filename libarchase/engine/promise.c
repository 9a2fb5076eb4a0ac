/* libarchase/engine/promise.c — promises to pay: recording one under the
 * policy's rules, cancelling it, reading where it stands, and moving open
 * promises to kept, partially kept or broken (archase/promise.h,
 * engine/lifecycle.h). */
#include "archase/promise.h"

#include <stdio.h>
#include <string.h>

#include "archase/audit.h"
#include "archase/errors.h"
#include "engine/coll.h"
#include "engine/facts.h"
#include "engine/holds.h"
#include "engine/lifecycle.h"
#include "engine/lifecycle_steps.h"
#include "policy/policy_internal.h"

const char *archase_promise_state_name(int state) {
    return ar_promise_status_name(state);
}

/* ---- recording ------------------------------------------------------------------ */

typedef struct open_count {
    const char *self;        /* the promise being recorded: not counted */
    const char *invoice_id;
    int         count;
} open_count;

static int count_open(void *ctx, const archase_fact *f) {
    open_count *oc = ctx;
    if (oc->self && !strcmp(f->promise->id, oc->self))
        return 0;
    oc->count++;
    return 0;
}

/* Checks `p` against the store and the policy: invoices open and enough
 * open on them, open promises per invoice. Inside the transaction. */
static int check_against_ledger(archase_engine *e, const archase_policy *policy,
                                const archase_promise *p) {
    ar_held inv;
    ar_held_init(&inv, e);
    int64_t open = 0;
    int rc = 0;
    char a[ARCHASE_MONEY_FORMAT_MAX], b[ARCHASE_MONEY_FORMAT_MAX];
    for (size_t i = 0; i < p->invoice_count && !rc; i++) {
        rc = ar_held_load(e, ARCHASE_FAMILY_INVOICE, p->invoice_ids[i], &inv);
        if (rc)
            break;
        if (!inv.found) {
            rc = ar_error_set(&e->err, ARCHASE_ENOTFOUND, "promise '%s': invoice '%s' does not exist",
                              p->id, p->invoice_ids[i]);
            break;
        }
        if (inv.env.status != ARCHASE_INVOICE_STATUS_OPEN || inv.env.amount2 <= 0) {
            rc = ar_error_set(&e->err, ARCHASE_EINVAL,
                              "promise '%s': invoice '%s' is %s; only open invoices take a promise",
                              p->id, p->invoice_ids[i], ar_invoice_status_name(inv.env.status));
            break;
        }
        if (strcmp(inv.env.currency, p->amount.currency) != 0) {
            rc = ar_error_set(&e->err, ARCHASE_ECURRENCY, "promise '%s': invoice '%s' is in %s, the promise in %s",
                              p->id, p->invoice_ids[i], inv.env.currency, p->amount.currency);
            break;
        }
        open += inv.env.amount2;
        archase_fact_filter f = ARCHASE_FACT_FILTER_INIT;
        f.family = ARCHASE_FAMILY_PROMISE;
        f.customer_id = p->customer_id;
        f.invoice_id = p->invoice_ids[i];
        f.status = ARCHASE_PROMISE_STATUS_OPEN;
        open_count oc = { p->id, p->invoice_ids[i], 0 };
        rc = archase_facts_scan(e, &f, count_open, &oc);
        if (!rc && oc.count >= policy->promises.max_open_per_invoice)
            rc = ar_error_set(&e->err, ARCHASE_EINVAL,
                              "promise '%s': invoice '%s' already has %d open promise%s "
                              "(promises.max_open_per_invoice is %d)",
                              p->id, p->invoice_ids[i], oc.count, oc.count == 1 ? "" : "s",
                              (int)policy->promises.max_open_per_invoice);
    }
    if (!rc && p->amount.minor > open) {
        ar_coll_money(p->amount.minor, p->amount.currency, a, sizeof a);
        ar_coll_money(open, p->amount.currency, b, sizeof b);
        rc = ar_error_set(&e->err, ARCHASE_EINVAL,
                          "promise '%s': the amount %s is more than the %s open on the invoices it covers",
                          p->id, a, b);
    }
    ar_held_free(&inv);
    return rc;
}

/* Checks that need no store: the fact itself, who took it, its dates. */
static int check_alone(archase_engine *e, const archase_policy *policy, const archase_promise *p,
                       archase_date as_of) {
    ar_fact_error why;
    ar_fact_ref ref = { ARCHASE_FAMILY_PROMISE, p };
    int rc = ar_fact_validate(ref, &why);
    if (rc)
        return ar_error_set(&e->err, rc, "promise '%s': %s", p->id ? p->id : "", why.message);
    if (!p->taken_by || !*p->taken_by)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "promise '%s': taken_by is required (who took the promise)", p->id);
    char d1[16], d2[16];
    ar_coll_date(as_of, d2);
    if (p->promised_date < as_of) {
        ar_coll_date(p->promised_date, d1);
        return ar_error_set(&e->err, ARCHASE_EINVAL, "promise '%s': the promised date %s is before %s",
                            p->id, d1, d2);
    }
    for (size_t i = 0; i < p->instalment_count; i++)
        if (p->instalments[i].date < as_of) {
            ar_coll_date(p->instalments[i].date, d1);
            return ar_error_set(&e->err, ARCHASE_EINVAL, "promise '%s': instalment %zu is dated %s, before %s",
                                p->id, i + 1, d1, d2);
        }
    if (!p->instalment_count && p->promised_date - as_of > policy->promises.max_days_ahead)
        return ar_error_set(&e->err, ARCHASE_EINVAL,
                            "promise '%s': the promised date is %ld days ahead, more than "
                            "promises.max_days_ahead (%d); record an instalment plan instead",
                            p->id, (long)(p->promised_date - as_of), (int)policy->promises.max_days_ahead);
    if (p->recorded_on != ARCHASE_DATE_NONE && p->recorded_on > as_of)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "promise '%s': recorded_on is after %s", p->id, d2);
    return 0;
}

int archase_promise_record(archase_engine *e, const archase_policy *policy, const archase_promise *p,
                           archase_date as_of) {
    int rc = ar_coll_begin_call(e);
    if (rc)
        return rc;
    if (!policy || !p || !ar_coll_date_ok(as_of))
        return ar_error_set(&e->err, ARCHASE_EINVAL,
                            "archase_promise_record needs a policy, a promise and a valid as-of date");
    archase_promise copy = *p;
    if (copy.version == ARCHASE_PROMISE_VERSION && copy.recorded_on == ARCHASE_DATE_NONE)
        copy.recorded_on = as_of;
    rc = check_alone(e, policy, &copy, as_of);
    if (rc)
        return rc;
    rc = ar_txn_begin(e);
    if (rc)
        return rc;
    rc = check_against_ledger(e, policy, &copy);
    archase_outcome outcome = ARCHASE_OUTCOME_DUPLICATE;
    if (!rc) {
        ar_fact_error why;
        ar_fact_ref ref = { ARCHASE_FAMILY_PROMISE, &copy };
        rc = ar_fact_apply(e, ref, &outcome, &why);
        if (rc && why.code)
            ar_error_set(&e->err, rc, "promise '%s': %s", copy.id, why.message);
    }
    if (!rc && (outcome == ARCHASE_OUTCOME_INSERTED || outcome == ARCHASE_OUTCOME_UPDATED)) {
        ar_transition t = { ARCHASE_AUDIT_PROMISE_TRANSITION, "promise", copy.id, NULL, "open",
                            outcome == ARCHASE_OUTCOME_INSERTED ? "recorded" : "revised",
                            as_of, &copy.amount, NULL, copy.taken_by };
        rc = ar_transition_record(e, &t);
    }
    if (!rc)
        rc = ar_txn_commit(e);
    else
        ar_txn_rollback(e);
    return rc;
}

/* ---- moving a stored promise ------------------------------------------------------- */

/* Where a promise left open: a META record "promise.state:<id>" whose
 * envelope holds the state (status), the day (date) and what was paid
 * (amount2, currency), and whose data is a canonical RECORD of kind
 * AR_PROMISE_STATE_KIND: 1 id, 2 state, 3 cause, 4 DATE day, 5 MONEY paid. */
#define AR_PROMISE_STATE_KIND 0x5053 /* "PS" */
#define STATE_PREFIX "promise.state:"

static int put_state(archase_engine *e, const char *id, int state, const char *cause, archase_date day,
                     const archase_money *paid) {
    char key[AR_ID_MAX + 32];
    snprintf(key, sizeof key, STATE_PREFIX "%s", id);
    ar_canon c;
    ar_canon_init(&c, AR_ENGINE_ALLOC(e));
    ar_canon_begin_record(&c, AR_PROMISE_STATE_KIND);
    ar_canon_put_str(&c, 1, id);
    ar_canon_put_str(&c, 2, ar_promise_status_name(state));
    ar_canon_put_str(&c, 3, cause);
    ar_canon_put_date(&c, 4, day);
    ar_canon_put_money(&c, 5, paid);
    ar_canon_end_record(&c);
    const uint8_t *data;
    size_t size;
    int rc = ar_canon_finish(&c, &data, &size);
    if (rc) {
        rc = ar_error_set(&e->err, rc, "out of memory");
    } else {
        archase_record r = ARCHASE_RECORD_INIT;
        r.family = ARCHASE_FAMILY_META;
        r.id = key;
        r.status = state;
        r.date = day;
        r.amount2 = paid->minor;
        memcpy(r.currency, paid->currency, 4);
        r.data = data;
        r.size = size;
        rc = ar_store_put(e, &r);
    }
    ar_canon_free(&c);
    return rc;
}

int ar_promise_move(archase_engine *e, const char *id, int to, const char *cause,
                    archase_date as_of, int64_t paid, const char *detail, const char *actor,
                    int *moved) {
    ar_held s;
    ar_held_init(&s, e);
    *moved = 0;
    int rc = ar_held_load(e, ARCHASE_FAMILY_PROMISE, id, &s);
    if (rc)
        goto done;
    if (!s.found) {
        rc = ar_error_set(&e->err, ARCHASE_ENOTFOUND, "no promise '%s'", id);
        goto done;
    }
    if (s.env.status != ARCHASE_PROMISE_STATUS_OPEN)
        goto done; /* already moved: a day applied twice changes nothing */
    s.env.status = to;
    rc = ar_store_put(e, &s.env);
    if (rc)
        goto done;
    archase_money m;
    m.minor = paid;
    memcpy(m.currency, s.env.currency, 4);
    rc = put_state(e, id, to, cause, as_of, &m);
    if (rc)
        goto done;
    ar_transition t = { ARCHASE_AUDIT_PROMISE_TRANSITION, "promise", id, "open",
                        ar_promise_status_name(to), cause, as_of, &m, detail, actor };
    rc = ar_transition_record(e, &t);
    if (!rc)
        *moved = 1;
done:
    ar_held_free(&s);
    return rc;
}

int archase_promise_cancel(archase_engine *e, const char *id, const char *reason, archase_date as_of) {
    int rc = ar_coll_begin_call(e);
    if (rc)
        return rc;
    if (!id || !*id || !ar_coll_date_ok(as_of))
        return ar_error_set(&e->err, ARCHASE_EINVAL, "archase_promise_cancel needs a promise id and a valid date");
    if (!reason || !*reason || !ar_utf8_valid(reason, strlen(reason)))
        return ar_error_set(&e->err, ARCHASE_EINVAL, "promise '%s': a reason for cancelling is required", id);
    rc = ar_txn_begin(e);
    if (rc)
        return rc;
    ar_held s;
    ar_held_init(&s, e);
    rc = ar_held_load(e, ARCHASE_FAMILY_PROMISE, id, &s);
    if (!rc && !s.found)
        rc = ar_error_set(&e->err, ARCHASE_ENOTFOUND, "no promise '%s'", id);
    if (!rc && s.env.status != ARCHASE_PROMISE_STATUS_OPEN)
        rc = ar_error_set(&e->err, ARCHASE_ESTATE, "promise '%s' is %s; only an open promise can be cancelled",
                          id, ar_promise_status_name(s.env.status));
    ar_held_free(&s);
    int moved = 0;
    if (!rc)
        rc = ar_promise_move(e, id, ARCHASE_PROMISE_STATUS_CANCELLED, "cancelled", as_of, 0, reason, NULL,
                             &moved);
    if (!rc)
        rc = ar_txn_commit(e);
    else
        ar_txn_rollback(e);
    return rc;
}

/* ---- reading ------------------------------------------------------------------------ */

typedef struct info_ctx {
    archase_promise_fn fn;
    void              *userdata;
} info_ctx;

typedef struct state_copy {
    int          found;
    archase_date day;
    int64_t      paid;
} state_copy;

static int copy_state(void *ctx, const archase_record *r) {
    state_copy *s = ctx;
    s->found = 1;
    s->day = r->date;
    s->paid = r->amount2;
    return 0;
}

static int deliver(archase_engine *e, void *ctx, const archase_fact *f, const archase_record *env) {
    info_ctx *c = ctx;
    archase_promise_info info;
    memset(&info, 0, sizeof info);
    info.version = ARCHASE_PROMISE_INFO_VERSION;
    info.promise = f->promise;
    info.state = env->status;
    info.state_date = ARCHASE_DATE_NONE;
    memcpy(info.paid.currency, env->currency, 4);
    if (env->status != ARCHASE_PROMISE_STATUS_OPEN) {
        char key[AR_ID_MAX + 32];
        snprintf(key, sizeof key, STATE_PREFIX "%s", env->id);
        state_copy st = { 0, ARCHASE_DATE_NONE, 0 };
        int rc = ar_store_get(e, ARCHASE_FAMILY_META, key, copy_state, &st);
        if (rc && rc != ARCHASE_ENOTFOUND)
            return rc;
        if (st.found) {
            info.state_date = st.day;
            info.paid.minor = st.paid;
        }
    }
    return c->fn(c->userdata, &info);
}

typedef struct scan_ctx {
    archase_engine *e;
    const char     *invoice_id;
    info_ctx        out;
    ar_fact         fact;
} scan_ctx;

static int covers(const archase_promise *p, const char *invoice_id) {
    for (size_t i = 0; i < p->invoice_count; i++)
        if (!strcmp(p->invoice_ids[i], invoice_id))
            return 1;
    return 0;
}

static int on_record(void *ctx, const archase_record *r) {
    scan_ctx *s = ctx;
    int rc = ar_fact_decode(&s->fact, ARCHASE_FAMILY_PROMISE, r->data, r->size);
    if (rc == ARCHASE_ENOMEM)
        return rc;
    if (rc)
        return ar_error_set(&s->e->err, ARCHASE_ESTORAGE, "the stored promise '%s' cannot be decoded", r->id);
    if (s->invoice_id && !covers(&s->fact.u.promise, s->invoice_id))
        return 0;
    archase_fact f;
    memset(&f, 0, sizeof f);
    f.version = ARCHASE_FACT_VERSION;
    f.family = ARCHASE_FAMILY_PROMISE;
    f.promise = &s->fact.u.promise;
    return deliver(s->e, &s->out, &f, r);
}

int archase_promise_get(archase_engine *e, const char *id, archase_promise_fn fn, void *userdata) {
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (!id || !fn)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "archase_promise_get needs an id and a callback");
    scan_ctx s = { e, NULL, { fn, userdata }, { 0 } };
    ar_fact_init(&s.fact, AR_ENGINE_ALLOC(e));
    int rc = ar_store_get(e, ARCHASE_FAMILY_PROMISE, id, on_record, &s);
    if (rc == ARCHASE_ENOTFOUND)
        ar_error_set(&e->err, rc, "no promise '%s'", id);
    else if (rc == ARCHASE_ENOMEM)
        ar_error_set(&e->err, rc, "out of memory");
    ar_fact_free(&s.fact);
    return rc == ARCHASE_SCAN_STOP ? 0 : rc;
}

int archase_promises_scan(archase_engine *e, const char *customer_id, const char *invoice_id, int state,
                          archase_promise_fn fn, void *userdata) {
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (!fn || state < 0 || state > ARCHASE_PROMISE_STATUS_CANCELLED)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "archase_promises_scan needs a callback and a known state (0 = any)");
    scan_ctx s = { e, invoice_id, { fn, userdata }, { 0 } };
    ar_fact_init(&s.fact, AR_ENGINE_ALLOC(e));
    archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
    f.family = ARCHASE_FAMILY_PROMISE;
    f.customer_id = customer_id;
    f.status = state;
    int rc = ar_store_scan(e, &f, on_record, &s);
    if (rc == ARCHASE_ENOMEM)
        ar_error_set(&e->err, rc, "out of memory");
    ar_fact_free(&s.fact);
    return rc;
}

/* ---- the daily move ------------------------------------------------------------------ */

int ar_promises_advance_txn(archase_engine *e, const archase_policy *policy, const archase_snapshot *snap,
                            archase_date as_of, ar_lifecycle_counts *counts) {
    int rc = 0;
    for (size_t i = 0; i < snap->promise_count && !rc; i++) {
        const ar_snap_promise *pr = &snap->promises[i];
        if (pr->status != ARCHASE_PROMISE_STATUS_OPEN)
            continue;
        ar_promise_eff eff;
        ar_promise_effect(policy, snap, pr, as_of, &eff);
        int to = 0;
        const char *cause = NULL;
        int64_t paid = eff.paid;
        char detail[200], a[ARCHASE_MONEY_FORMAT_MAX], b[ARCHASE_MONEY_FORMAT_MAX], d[16];
        ar_coll_money(eff.due, pr->currency, a, sizeof a);
        ar_coll_money(eff.paid, pr->currency, b, sizeof b);
        ar_coll_date(eff.deadline, d);
        switch (eff.state) {
        case AR_PROMISE_MET: {
            int64_t total = 0;
            for (uint32_t k = 0; k < pr->pay_count; k++)
                if (snap->promise_payments[pr->pay_first + k].date <= as_of)
                    total += snap->promise_payments[pr->pay_first + k].applied;
            paid = total;
            /* Kept means paid in full (GLOSSARY.md). Invoices closed
             * otherwise (a credit note, a write-off) leave nothing to keep
             * and nobody at fault: the promise no longer applies. */
            to = total >= pr->amount ? ARCHASE_PROMISE_STATUS_KEPT : ARCHASE_PROMISE_STATUS_CANCELLED;
            cause = total >= pr->amount ? "paid_in_full" : "invoices_closed";
            ar_coll_money(total, pr->currency, b, sizeof b);
            snprintf(detail, sizeof detail, "%s paid toward %s", b, a);
            break;
        }
        case AR_PROMISE_PARTIAL:
            to = ARCHASE_PROMISE_STATUS_PARTIALLY_KEPT;
            cause = "partly_paid";
            snprintf(detail, sizeof detail, "%s of %s paid by %s", b, a, d);
            break;
        case AR_PROMISE_BROKEN:
            to = ARCHASE_PROMISE_STATUS_BROKEN;
            cause = pr->inst_count ? "instalment_missed" : "deadline_missed";
            snprintf(detail, sizeof detail, "%s due by %s (date + grace), %s paid", a, d, b);
            break;
        default:
            continue;
        }
        const char *id = ar_snap_str(snap, pr->id);
        int moved = 0;
        rc = ar_promise_move(e, id, to, cause, as_of, paid, detail, NULL, &moved);
        if (rc || !moved)
            continue;
        if (counts) {
            counts->transitions++;
            counts->promises_kept += to == ARCHASE_PROMISE_STATUS_KEPT;
            counts->promises_partially_kept += to == ARCHASE_PROMISE_STATUS_PARTIALLY_KEPT;
            counts->promises_broken += to == ARCHASE_PROMISE_STATUS_BROKEN;
        }
        if (paid > 0 && paid != pr->amount && to != ARCHASE_PROMISE_STATUS_CANCELLED)
            rc = ar_recon_open_promise_txn(e, snap, pr, paid, as_of, counts);
    }
    return rc;
}
