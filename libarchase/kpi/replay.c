/* libarchase/kpi/replay.c — replaying a policy over a historical ledger day by
 * day: the ledger's facts revealed into a scratch memory store, each day's
 * snapshot (only facts dated by then), evaluation, and the chase state kept
 * for the next day; then what the policy did, the KPIs with its messages, and
 * the AUC of its risk score against the invoices that went late. Facts reach
 * the scratch store on the day they became known (reveal.h), so no day can
 * see a later one. The day's snapshot is not loaded anew but kept from the
 * day before (replay_snap.h), told which records the day's facts and the
 * kept chase state changed. */
#include "archase/replay.h"

#include <string.h>

#include "archase/errors.h"
#include "archase/evaluate.h"
#include "archase/sys/storage.h"
#include "core/alloc.h"
#include "core/sha256.h"
#include "engine/apply.h"
#include "engine/engine.h"
#include "kpi/figures.h"
#include "kpi/replay_snap.h"
#include "kpi/reveal.h"
#include "kpi/strtab.h"
#include "kpi/view.h"

#define MAX_DAYS 3660

/* A message, with its strings in the result's string table. */
typedef struct rp_message {
    uint32_t     customer;
    uint32_t     first_invoice; /* into invoice_refs */
    uint32_t     invoice_count;
    archase_date date;
    int          channel;
    uint32_t     sequence, step, template_name; /* AR_STRTAB_NONE = none */
} rp_message;

struct archase_replay_result {
    archase_allocator      allocator;
    archase_replay_summary summary;
    archase_replay_day    *days;
    size_t                 day_count;
    ar_strtab              strings;
    rp_message            *messages;
    size_t                 message_count, message_cap;
    uint32_t              *invoice_refs;   /* string numbers of the messages' invoices */
    size_t                 ref_count, ref_cap;
    const char           **ref_ptrs;       /* filled when the replay is done */
    archase_kpi_report    *kpis;
    /* the first score of every invoice assessed, by invoice string number */
    int32_t               *first_score;
    size_t                 score_cap;
};

int archase_replay_options_init(archase_replay_options *opts, unsigned version) {
    if (!opts)
        return ARCHASE_EINVAL;
    if (version != ARCHASE_REPLAY_OPTIONS_VERSION)
        return ARCHASE_EVERSION;
    archase_replay_options init = ARCHASE_REPLAY_OPTIONS_INIT;
    *opts = init;
    return 0;
}

void archase_replay_result_free(archase_replay_result *r) {
    if (!r)
        return;
    archase_allocator a = r->allocator;
    ar_free(&a, r->days);
    ar_strtab_free(&r->strings);
    ar_free(&a, r->messages);
    ar_free(&a, r->invoice_refs);
    ar_free(&a, r->ref_ptrs);
    ar_free(&a, r->first_score);
    archase_kpi_report_free(r->kpis);
    ar_free(&a, r);
}

/* ---- one day ------------------------------------------------------------------------ */

typedef struct day_ctx {
    archase_replay_result *r;
    archase_engine        *ledger;
    archase_engine        *scratch;
    ar_reveal              reveal;
    ar_rsnap              *snap;       /* the snapshot kept from day to day */
    const archase_policy  *policy;
    const char            *tzdir;
    ar_strtab              messaged;   /* customers messaged */
} day_ctx;

static int intern(archase_replay_result *r, const char *s, uint32_t *out) {
    if (!s || !*s) {
        *out = AR_STRTAB_NONE;
        return 0;
    }
    return ar_strtab_intern(&r->strings, s, out);
}

static int note_message(day_ctx *x, const archase_decisions *ds, size_t i, const archase_decision *d,
                        archase_date day) {
    archase_replay_result *r = x->r;
    const archase_allocator *a = &r->allocator;
    if (ar_grow(a, (void **)&r->messages, &r->message_cap, r->message_count + 1, sizeof *r->messages) ||
        ar_grow(a, (void **)&r->invoice_refs, &r->ref_cap, r->ref_count + d->invoice_count, sizeof *r->invoice_refs))
        return ARCHASE_ENOMEM;
    rp_message m;
    memset(&m, 0, sizeof m);
    m.date = day;
    m.channel = d->channel;
    m.first_invoice = (uint32_t)r->ref_count;
    int rc = intern(r, d->customer_id, &m.customer);
    if (!rc)
        rc = intern(r, d->sequence, &m.sequence);
    if (!rc)
        rc = intern(r, d->step, &m.step);
    if (!rc)
        rc = intern(r, d->template_name, &m.template_name);
    uint32_t ignored;
    if (!rc)
        rc = ar_strtab_intern(&x->messaged, d->customer_id, &ignored);
    for (size_t j = 0; !rc && j < d->invoice_count; j++) {
        archase_decision_invoice inv = ARCHASE_DECISION_INVOICE_INIT;
        rc = archase_decision_invoice_get(ds, i, j, &inv);
        uint32_t n = 0;
        if (!rc)
            rc = intern(r, inv.invoice_id, &n);
        if (!rc) {
            r->invoice_refs[r->ref_count++] = n;
            m.invoice_count++;
        }
    }
    if (rc)
        return rc;
    r->messages[r->message_count++] = m;
    return 0;
}

/* Remembers the first score of every invoice assessed. */
static int note_scores(day_ctx *x, const archase_decisions *ds) {
    archase_replay_result *r = x->r;
    size_t n = archase_assessment_count(ds);
    for (size_t i = 0; i < n; i++) {
        archase_invoice_assessment as = ARCHASE_INVOICE_ASSESSMENT_INIT;
        int rc = archase_assessment_get(ds, i, &as);
        uint32_t id;
        if (!rc)
            rc = ar_strtab_intern(&r->strings, as.invoice_id, &id);
        if (rc)
            return rc;
        if (id >= r->score_cap) {
            size_t old = r->score_cap;
            if (ar_grow(&r->allocator, (void **)&r->first_score, &r->score_cap, (size_t)id + 1,
                        sizeof *r->first_score))
                return ARCHASE_ENOMEM;
            for (size_t k = old; k < r->score_cap; k++)
                r->first_score[k] = -1;
        }
        if (r->first_score[id] < 0)
            r->first_score[id] = as.score;
    }
    return 0;
}

static int run_day(day_ctx *x, archase_date day, archase_replay_day *out) {
    const archase_snapshot *snap = NULL;
    archase_decisions *ds = NULL;
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = x->policy;
    so.tzdir = x->tzdir;
    /* the facts of the day become known, then the day is decided */
    size_t first = x->reveal.next;
    int rc = ar_reveal_until(&x->reveal, x->ledger, x->scratch, day);
    if (rc)
        return rc;
    rc = ar_rsnap_revealed(x->snap, &x->reveal, first);
    if (rc)
        return ar_error_set(&x->ledger->err, rc, "out of memory");
    rc = ar_rsnap_load(x->snap, x->scratch, day, &so, &snap);
    if (!rc)
        rc = archase_evaluate(snap, x->policy, day, NULL, &ds);
    if (rc) {
        ar_error_set(&x->ledger->err, rc, "replay: %s", archase_engine_errmsg(x->scratch));
        goto done;
    }
    archase_replay_day init = ARCHASE_REPLAY_DAY_INIT;
    *out = init;
    out->date = day;
    out->open_invoices = archase_assessment_count(ds);
    out->decisions = archase_decisions_count(ds);
    rc = archase_decisions_hash(ds, out->decisions_hash);
    archase_replay_summary *s = &x->r->summary;
    for (size_t i = 0; !rc && i < out->decisions; i++) {
        archase_decision d = ARCHASE_DECISION_INIT;
        rc = archase_decision_get(ds, i, &d);
        if (rc)
            break;
        switch (d.kind) {
        case ARCHASE_DECISION_SEND_MESSAGE:
            out->messages++;
            rc = note_message(x, ds, i, &d, day);
            break;
        case ARCHASE_DECISION_QUEUE_CALL: out->calls++; break;
        case ARCHASE_DECISION_ALERT_OWNER: s->owner_alerts++; break;
        case ARCHASE_DECISION_ESCALATE: out->escalations++; break;
        case ARCHASE_DECISION_REQUEST_APPROVAL: out->approvals++; break;
        case ARCHASE_DECISION_SKIP: s->skips++; break;
        case ARCHASE_DECISION_WAIT: s->waits++; break;
        default: break;
        }
    }
    if (!rc)
        rc = note_scores(x, ds);
    /* the chase state and touches the daily cycle would keep, for tomorrow */
    if (!rc)
        rc = ar_apply_cadence(x->scratch, ds);
    if (!rc && ar_rsnap_kept(x->snap, ds))
        rc = ar_error_set(&x->scratch->err, ARCHASE_ENOMEM, "out of memory");
    if (rc) {
        ar_error_set(&x->ledger->err, rc, "replay on %d: %s", (int)day,
                     rc == ARCHASE_ENOMEM ? "out of memory" : archase_engine_errmsg(x->scratch));
        goto done;
    }
    s->decisions += out->decisions;
    s->messages += out->messages;
    s->calls += out->calls;
    s->escalations += out->escalations;
    s->approvals += out->approvals;
done:
    archase_decisions_free(ds);
    return rc;
}

/* ---- after the days -------------------------------------------------------------------- */

/* The SHA-256 of every day's decisions hash, in order. */
static int hash_days(archase_replay_result *r) {
    ar_span *spans = ar_malloc_array(&r->allocator, r->day_count ? r->day_count : 1, sizeof *spans);
    if (!spans)
        return ARCHASE_ENOMEM;
    for (size_t i = 0; i < r->day_count; i++) {
        spans[i].data = r->days[i].decisions_hash;
        spans[i].size = sizeof r->days[i].decisions_hash;
    }
    ar_sha256 h;
    int rc = ar_sha256_init(&h);
    if (!rc) {
        rc = ar_sha256_spans(&h, spans, r->day_count, r->summary.decisions_hash);
        ar_sha256_free(&h);
    }
    ar_free(&r->allocator, spans);
    return rc;
}

/* The AUC of the first score of every invoice assessed, against whether it
 * was still open `late_days` after its due date (only invoices whose that
 * day the ledger has reached). */
static int auc(archase_replay_result *r, const ar_kv *v, int32_t late_days, archase_date known_until) {
    ar_scored *items = NULL;
    size_t n = 0;
    if (r->score_cap) {
        items = ar_malloc_array(&r->allocator, r->score_cap, sizeof *items);
        if (!items)
            return ARCHASE_ENOMEM;
    }
    for (size_t k = 0; k < r->score_cap && k < r->strings.count; k++) {
        if (r->first_score[k] < 0)
            continue;
        uint32_t i = ar_strtab_find(&v->invoice_ids, ar_strtab_str(&r->strings, (uint32_t)k));
        if (i == AR_STRTAB_NONE)
            continue;
        const ar_kv_invoice *inv = &v->invoices[i];
        archase_date judged = inv->due + late_days;
        if (judged > known_until)
            continue;
        items[n].score = r->first_score[k];
        items[n].positive = ar_kv_open_at(v, inv, judged) > 0;
        r->summary.invoices_late += (uint64_t)items[n].positive;
        n++;
    }
    r->summary.invoices_scored = n;
    int rc = ar_auc_percent(items, n, &r->summary.auc_percent);
    ar_free(&r->allocator, items);
    return rc;
}

static int kpis(archase_replay_result *r, archase_engine *ledger, archase_date from, archase_date to,
                int32_t window) {
    const archase_allocator *a = &r->allocator;
    archase_kpi_touch *touches = NULL;
    if (r->message_count) {
        touches = ar_malloc_array(a, r->message_count, sizeof *touches);
        r->ref_ptrs = ar_malloc_array(a, r->ref_count ? r->ref_count : 1, sizeof *r->ref_ptrs);
        if (!touches || !r->ref_ptrs) {
            ar_free(a, touches);
            return ar_error_set(&ledger->err, ARCHASE_ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < r->ref_count; i++)
            r->ref_ptrs[i] = ar_strtab_str(&r->strings, r->invoice_refs[i]);
        for (size_t i = 0; i < r->message_count; i++) {
            archase_kpi_touch t = ARCHASE_KPI_TOUCH_INIT;
            touches[i] = t;
            archase_replay_message_get(r, i, &touches[i]);
        }
    }
    /* The replay's own messages, never the ledger's outbox, and no reviews:
     * empty arrays, not NULL (which would read the outbox). */
    static const archase_kpi_touch no_touch = ARCHASE_KPI_TOUCH_INIT;
    static const archase_kpi_review no_review = ARCHASE_KPI_REVIEW_INIT;
    archase_kpi_options o = ARCHASE_KPI_OPTIONS_INIT;
    o.touches = touches ? touches : &no_touch;
    o.touch_count = r->message_count;
    o.reviews = &no_review;
    o.review_count = 0;
    o.response_window_days = window;
    int rc = archase_kpi_compute(ledger, from, to, &o, &r->kpis);
    ar_free(a, touches);
    return rc;
}

int archase_replay(archase_engine *ledger, const archase_policy *policy, archase_date from,
                   archase_date to, const archase_replay_options *opts, archase_replay_result **out) {
    if (!ledger)
        return ARCHASE_EINVAL;
    ar_error_clear(&ledger->err);
    archase_replay_options defaults = ARCHASE_REPLAY_OPTIONS_INIT;
    const archase_replay_options *o = opts ? opts : &defaults;
    if (!policy || !out)
        return ar_error_set(&ledger->err, ARCHASE_EINVAL, "archase_replay needs a policy and out");
    if (o->version != ARCHASE_REPLAY_OPTIONS_VERSION)
        return ar_error_set(&ledger->err, ARCHASE_EVERSION, "replay options version %u is not supported", o->version);
    if (from < ARCHASE_DATE_MIN + 1 || to > ARCHASE_DATE_MAX || from > to || o->late_days < 0 ||
        o->late_days > 3650 || o->response_window_days < 0 || o->response_window_days > 365)
        return ar_error_set(&ledger->err, ARCHASE_EINVAL,
                            "replay: the period needs valid dates with from <= to; late_days 0..3650, "
                            "response_window_days 0..365");
    if ((int64_t)to - from + 1 > MAX_DAYS)
        return ar_error_set(&ledger->err, ARCHASE_ERANGE, "replay: more than %d days", MAX_DAYS);
    if (ledger->batch)
        return ar_error_set(&ledger->err, ARCHASE_EINVAL, "replay: a batch is open on the ledger");
    const archase_allocator *a = AR_ENGINE_ALLOC(ledger);
    archase_replay_result *r = ar_calloc(a, 1, sizeof *r);
    if (!r)
        return ar_error_set(&ledger->err, ARCHASE_ENOMEM, "out of memory");
    r->allocator = *a;
    ar_strtab_init(&r->strings, &r->allocator);
    archase_replay_summary init = ARCHASE_REPLAY_SUMMARY_INIT;
    r->summary = init;
    r->summary.from = from;
    r->summary.to = to;
    day_ctx x;
    memset(&x, 0, sizeof x);
    x.r = r;
    x.ledger = ledger;
    x.policy = policy;
    x.tzdir = o->tzdir;
    ar_strtab_init(&x.messaged, &r->allocator);
    ar_reveal_init(&x.reveal, &r->allocator);
    ar_kv view;
    ar_kv_init(&view, &r->allocator);
    archase_engine_options eo = ARCHASE_ENGINE_OPTIONS_INIT;
    eo.allocator = &r->allocator;
    eo.actor = "replay";
    int rc = archase_open_memory(&eo, &x.scratch);
    if (!rc)
        rc = ar_rsnap_new(&r->allocator, &x.snap);
    if (rc) {
        ar_error_set(&ledger->err, rc, "out of memory");
        goto done;
    }
    /* everything known before the first day, then each day's facts */
    rc = ar_reveal_plan(&x.reveal, ledger);
    if (!rc)
        rc = ar_reveal_until(&x.reveal, ledger, x.scratch, from - 1);
    if (rc)
        goto done;
    size_t days = (size_t)((int64_t)to - from + 1);
    r->days = ar_calloc(a, days, sizeof *r->days);
    if (!r->days) {
        rc = ar_error_set(&ledger->err, ARCHASE_ENOMEM, "out of memory");
        goto done;
    }
    for (archase_date d = from; d <= to; d++) {
        rc = run_day(&x, d, &r->days[r->day_count]);
        if (rc)
            goto done;
        r->day_count++;
    }
    r->summary.days = (uint32_t)r->day_count;
    r->summary.customers_messaged = x.messaged.count;
    rc = hash_days(r);
    if (rc) {
        ar_error_set(&ledger->err, rc, "replay: hashing the decisions failed");
        goto done;
    }
    /* outcomes come from the whole ledger: whether an invoice went late is
     * known once the ledger has reached its due date plus late_days */
    rc = ar_kv_load(&view, ledger, NULL);
    archase_date known = to;
    for (size_t i = 0; !rc && i < view.payment_count; i++)
        known = view.payments[i].date > known ? view.payments[i].date : known;
    if (!rc)
        rc = auc(r, &view, o->late_days ? o->late_days : 60, known);
    if (rc == ARCHASE_ENOMEM)
        ar_error_set(&ledger->err, rc, "out of memory");
    if (!rc)
        rc = kpis(r, ledger, from, to, o->response_window_days);
done:
    ar_kv_free(&view);
    ar_strtab_free(&x.messaged);
    ar_reveal_free(&x.reveal);
    ar_rsnap_free(x.snap);
    archase_engine_free(x.scratch);
    if (rc) {
        archase_replay_result_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

/* ---- reading ------------------------------------------------------------------------------ */

int archase_replay_summary_get(const archase_replay_result *r, archase_replay_summary *out) {
    if (!r || !out)
        return ARCHASE_EINVAL;
    if (out->version != ARCHASE_REPLAY_SUMMARY_VERSION)
        return ARCHASE_EVERSION;
    *out = r->summary;
    return 0;
}

size_t archase_replay_day_count(const archase_replay_result *r) {
    return r ? r->day_count : 0;
}

int archase_replay_day_get(const archase_replay_result *r, size_t i, archase_replay_day *out) {
    if (!r || !out)
        return ARCHASE_EINVAL;
    if (out->version != ARCHASE_REPLAY_DAY_VERSION)
        return ARCHASE_EVERSION;
    if (i >= r->day_count)
        return ARCHASE_ERANGE;
    *out = r->days[i];
    return 0;
}

size_t archase_replay_message_count(const archase_replay_result *r) {
    return r ? r->message_count : 0;
}

static const char *str_or_null(const archase_replay_result *r, uint32_t n) {
    return n == AR_STRTAB_NONE ? NULL : ar_strtab_str(&r->strings, n);
}

int archase_replay_message_get(const archase_replay_result *r, size_t i, archase_kpi_touch *out) {
    if (!r || !out)
        return ARCHASE_EINVAL;
    if (out->version != ARCHASE_KPI_TOUCH_VERSION)
        return ARCHASE_EVERSION;
    if (i >= r->message_count || !r->ref_ptrs)
        return ARCHASE_ERANGE;
    const rp_message *m = &r->messages[i];
    out->customer_id = str_or_null(r, m->customer);
    out->invoice_ids = r->ref_ptrs + m->first_invoice;
    out->invoice_count = m->invoice_count;
    out->date = m->date;
    out->channel = m->channel;
    out->sequence = str_or_null(r, m->sequence);
    out->step = str_or_null(r, m->step);
    out->template_name = str_or_null(r, m->template_name);
    return 0;
}

const archase_kpi_report *archase_replay_kpis(const archase_replay_result *r) {
    return r ? r->kpis : NULL;
}
