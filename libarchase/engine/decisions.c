/* libarchase/engine/decisions.c — an evaluation's result: building it (the
 * ar_ds_* helpers), reading it (the public accessors), the coverage report
 * and the canonical encoding. */
#include "engine/decisions.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "archase/errors.h"
#include "archase/hash.h"
#include "core/alloc.h"
#include "core/sha256.h"

/* ---- names ------------------------------------------------------------------ */

static const char *const reason_names[ARCHASE_REASON_LIMIT_] = {
#define REASON_NAME_(name, value, text) [value] = text,
    ARCHASE_REASON_MAP(REASON_NAME_)
#undef REASON_NAME_
};

const char *archase_reason_name(int reason) {
    return reason > 0 && reason < ARCHASE_REASON_LIMIT_ ? reason_names[reason] : NULL;
}

int archase_reason_from_name(const char *name, int *out) {
    if (!name || !out)
        return ARCHASE_EINVAL;
    for (int r = 1; r < ARCHASE_REASON_LIMIT_; r++) {
        if (reason_names[r] && !strcmp(reason_names[r], name)) {
            *out = r;
            return 0;
        }
    }
    return ARCHASE_EINVAL;
}

static const char *const kind_names[ARCHASE_DECISION_KIND_LIMIT] = {
    NULL, "send_message", "queue_call", "alert_owner", "escalate", "request_approval",
    "apply_approved", "skip", "wait",
};

const char *archase_decision_kind_name(int kind) {
    return kind > 0 && kind < ARCHASE_DECISION_KIND_LIMIT ? kind_names[kind] : NULL;
}

const char *archase_cadence_status_name(int status) {
    return ar_cadence_status_name(status);
}

static const char *const coverage_names[ARCHASE_COVERAGE_STATE_LIMIT] = {
    NULL, "active", "promise", "dispute", "hold", "exception",
};

const char *archase_coverage_state_name(int state) {
    return state > 0 && state < ARCHASE_COVERAGE_STATE_LIMIT ? coverage_names[state] : NULL;
}

static const char *const extra_fact_names[AR_FN_COUNT - AR_FIELD_COUNT] = {
    "step", "step_date", "pattern_delay_days", "on_time_percent", "open_invoice", "last_touch",
    "promise", "promise_date", "promise_paid", "dispute", "note", "flags_reason", "paused_until",
    "decision_deadline", "timezone",
};

const char *ar_fact_name(int name) {
    if (name >= 0 && name < AR_FIELD_COUNT)
        return ar_fields[name].name;
    return name >= AR_FIELD_COUNT && name < AR_FN_COUNT ? extra_fact_names[name - AR_FIELD_COUNT] : NULL;
}

static const char *const value_type_names[] = { NULL, "int", "days", "money", "bool", "date", "text" };

size_t ar_reasons_count(const ar_reasons *r) {
    size_t n = 0;
    for (int i = 0; i < AR_REASON_WORDS; i++)
        n += (size_t)__builtin_popcountll(r->bits[i]);
    return n;
}

int ar_reasons_at(const ar_reasons *r, size_t j) {
    for (int reason = 1; reason < AR_REASON_WORDS * 64; reason++) {
        if (ar_reasons_has(r, reason) && j-- == 0)
            return reason;
    }
    return 0;
}

/* ---- building ------------------------------------------------------------------ */

int ar_ds_grow(archase_decisions *ds, void **items, size_t *cap, size_t need, size_t item_size) {
    if (need <= *cap)
        return 0;
    size_t new_cap = *cap ? *cap : 64;
    if (ds->grow_done && ds->grow_done >= ds->grow_total / 16) {
        /* the rate so far over the whole, a sixteenth more, and at least a
         * sixteenth more than needed now */
        unsigned __int128 want = (unsigned __int128)need * ds->grow_total / ds->grow_done;
        want += want / 16;
        if (want < need + need / 16)
            want = need + need / 16;
        new_cap = want > SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t)want;
    }
    while (new_cap < need) {
        if (new_cap > SIZE_MAX / 2)
            return ARCHASE_ENOMEM;
        new_cap *= 2;
    }
    if (item_size && new_cap > SIZE_MAX / item_size)
        return ARCHASE_ENOMEM;
    void *p = ar_realloc(&ds->allocator, *items, *cap * item_size, new_cap * item_size);
    if (!p)
        return ARCHASE_ENOMEM;
    ar_ds_huge((char *)p + *cap * item_size, (new_cap - *cap) * item_size);
    *items = p;
    *cap = new_cap;
    return 0;
}

void ar_ds_huge(void *items, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t start = ((uintptr_t)items + huge - 1) & ~(huge - 1);
    uintptr_t end = ((uintptr_t)items + bytes) & ~(huge - 1);
    if (bytes >= 2 * huge && end > start)
        (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
    (void)items;
    (void)bytes;
#endif
}

/* Room for one more item: the check inline, the growing not. */
#define DS_GROW(ds, arr, n, cap) \
    ((n) < (cap) ? 0 : ar_ds_grow((ds), (void **)&(arr), &(cap), (n) + 1, sizeof *(arr)))

int ar_ds_begin(archase_decisions *ds, uint32_t customer, int kind, ar_decision **out) {
    if (DS_GROW(ds, ds->d, ds->n, ds->cap))
        return ARCHASE_ENOMEM;
    ar_decision *d = &ds->d[ds->n++];
    /* Written whole (the rest zero) without a call to memset. */
    *d = (ar_decision){ .kind = (uint8_t)kind,
                        .tmpl = AR_STEP_NONE,
                        .sequence = AR_STEP_NONE,
                        .step = AR_STEP_NONE,
                        .zone = AR_STEP_NONE,
                        .customer = customer,
                        .target_first = (uint32_t)ds->target_n,
                        .role_first = (uint32_t)ds->role_n,
                        .contact = AR_STR_NONE,
                        .payload = AR_IDX_NONE,
                        .due_by = ARCHASE_DATE_NONE,
                        .local_date = ARCHASE_DATE_NONE };
    *out = d;
    return 0;
}

int ar_ds_rule(archase_decisions *ds, const char *path, uint32_t *out) {
    return ar_strtab_intern(&ds->rules, path, out) ? ARCHASE_ENOMEM : 0;
}

int64_t ar_ds_disputed(const archase_decisions *ds, uint32_t position) {
    size_t lo = 0, hi = ds->disputed_n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ds->disputed[mid].position == position)
            return ds->disputed[mid].amount;
        if (ds->disputed[mid].position < position)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

int ar_ds_role(archase_decisions *ds, const char *role) {
    if (DS_GROW(ds, ds->roles, ds->role_n, ds->role_cap))
        return ARCHASE_ENOMEM;
    ds->roles[ds->role_n++] = role;
    ds->d[ds->n - 1].role_count++;
    return 0;
}

static int lazily(archase_decisions *ds, atomic_int *built, int (*build)(archase_decisions *));

static int payload_of(const archase_decisions *ds, size_t i, uint8_t out[32]) {
    const ar_decision *d = &ds->d[i];
    archase_money amount;
    amount.minor = d->amount;
    memcpy(amount.currency, d->currency, 4);
    ar_canon c;
    ar_canon_init(&c, &ds->allocator);
    ar_canon_begin_record(&c, 0x0A02);
    ar_canon_put_str(&c, 1, archase_action_name(d->action));
    ar_canon_put_str(&c, 2, ar_snap_customer_id(ds->snap, d->customer));
    ar_canon_field(&c, 3);
    ar_canon_begin_list(&c);
    for (uint32_t t = 0; t < d->target_count; t++)
        ar_canon_str(&c, ar_snap_invoice_id(ds->snap, ds->targets[d->target_first + t].invoice));
    ar_canon_end_list(&c);
    ar_canon_put_money(&c, 4, &amount);
    ar_canon_put_str(&c, 5, ar_strtab_str(&ds->rules, d->rule));
    ar_canon_put_hash(&c, 6, ds->policy_hash);
    ar_canon_put_date(&c, 7, ds->as_of);
    ar_canon_end_record(&c);
    const uint8_t *bytes;
    size_t size;
    int rc = ar_canon_finish(&c, &bytes, &size);
    if (!rc)
        rc = archase_sha256(bytes, size, out);
    ar_canon_free(&c);
    return rc;
}

/* Every approval's payload hash, once per result (a replay both hashes and
 * reads each day's decisions). 0 or ARCHASE_ENOMEM. */
static int build_payloads(archase_decisions *ds) {
    uint8_t(*hashes)[32] = ar_malloc_array(&ds->allocator, ds->payload_n ? ds->payload_n : 1, sizeof *hashes);
    if (!hashes)
        return ARCHASE_ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < ds->n && !rc; i++)
        if (ds->d[i].payload != AR_IDX_NONE)
            rc = payload_of(ds, i, hashes[ds->d[i].payload]);
    if (rc) {
        ar_free(&ds->allocator, hashes);
        return rc;
    }
    ds->payloads = hashes;
    return 0;
}

int ar_decision_payload_hash(const archase_decisions *ds, size_t i, uint8_t out[32]) {
    archase_decisions *cache = (archase_decisions *)ds; /* built once: the result does not change */
    int rc = lazily(cache, &cache->payloads_built, build_payloads);
    if (!rc)
        memcpy(out, ds->payloads[ds->d[i].payload], 32);
    return rc;
}

/* Links every invoice to the decisions about it, in decision order: counted
 * per invoice, summed into starts, filled by moving each start to its end,
 * then moved back. 0 or ARCHASE_ENOMEM. */
static int build_index(archase_decisions *ds) {
    size_t n = ds->snap->invoice_count;
    uint32_t *at = ar_calloc(&ds->allocator, n + 1, sizeof *at);
    uint32_t *list = ar_malloc_array(&ds->allocator, ds->target_n ? ds->target_n : 1, sizeof *list);
    if (!at || !list) {
        ar_free(&ds->allocator, at);
        ar_free(&ds->allocator, list);
        return ARCHASE_ENOMEM;
    }
    for (size_t i = 0; i < ds->target_n; i++)
        at[ds->targets[i].invoice + 1]++;
    for (size_t i = 1; i <= n; i++)
        at[i] += at[i - 1];
    for (size_t i = 0; i < ds->n; i++) {
        const ar_decision *d = &ds->d[i];
        for (uint32_t t = 0; t < d->target_count; t++)
            list[at[ds->targets[d->target_first + t].invoice]++] = (uint32_t)i;
    }
    for (size_t i = n; i > 0; i--)
        at[i] = at[i - 1];
    at[0] = 0;
    ds->dec_at = at;
    ds->invoice_decisions = list;
    return 0;
}

void archase_decisions_free(archase_decisions *ds) {
    if (!ds)
        return;
    const archase_allocator *a = &ds->allocator;
    ar_free(a, ds->d);
    ar_free(a, ds->targets);
    ar_strtab_free(&ds->rules);
    ar_free(a, ds->disputed);
    ar_free(a, ds->roles);
    ar_free(a, ds->key_text);
    ar_free(a, ds->key_at);
    ar_free(a, ds->dec_at);
    ar_free(a, ds->payloads);
    pthread_mutex_destroy(&ds->lazy_lock);
    ar_free(a, ds->updates);
    ar_free(a, ds->escalated);
    ar_free(a, ds->assess);
    ar_free(a, ds->invoice_decisions);
    ar_free(a, ds);
}

/* ---- decisions ------------------------------------------------------------------- */

size_t archase_decisions_count(const archase_decisions *ds) {
    return ds ? ds->n : 0;
}

static const char *zone_name(const archase_decisions *ds, uint16_t zone) {
    return zone == AR_STEP_NONE ? NULL : archase_tz_name(ds->snap->zones[zone]);
}

static const char *template_name(const archase_decisions *ds, const ar_decision *d) {
    return d->tmpl == AR_STEP_NONE ? NULL : ds->policy->templates.items[d->tmpl].name;
}

static const char *rule_of(const archase_decisions *ds, const ar_decision *d) {
    return ar_strtab_str(&ds->rules, d->rule);
}

static const char *channel_name(int channel) {
    return channel == ARCHASE_CHANNEL_INTERNAL ? "internal" : archase_channel_name(channel);
}

size_t ar_decision_key(const archase_decisions *ds, size_t i, char *buf, size_t size) {
    const ar_decision *d = &ds->d[i];
    const char *extra = d->key_extra == AR_KEY_LEAD   ? ar_snap_invoice_id(ds->snap, d->lead)
                        : d->key_extra != AR_STR_NONE ? ar_snap_str(ds->snap, d->key_extra)
                                                      : "";
    const char *tmpl = template_name(ds, d);
    const char *parts[] = { ds->date, archase_decision_kind_name(d->kind), ar_snap_customer_id(ds->snap, d->customer),
                            rule_of(ds, d), channel_name(d->channel), tmpl ? tmpl : "-",
                            d->tone ? archase_tone_name(d->tone) : "-", d->currency, extra };
    size_t len = 0;
    for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
        const char *part = parts[k] ? parts[k] : "";
        if (k) {
            if (len + 1 < size)
                buf[len] = '/';
            len++;
        }
        size_t n = strlen(part);
        if (len < size)
            memcpy(buf + len, part, len + n < size ? n : size - 1 - len);
        len += n;
    }
    if (size)
        buf[len < size ? len : size - 1] = '\0';
    return len;
}

/* Every key into one block, sized by a first pass. 0 or ARCHASE_ENOMEM. */
static int build_keys(archase_decisions *ds) {
    size_t total = 0;
    for (size_t i = 0; i < ds->n; i++)
        total += ar_decision_key(ds, i, NULL, 0) + 1;
    if (total > UINT32_MAX)
        return ARCHASE_ENOMEM;
    char *text = ar_malloc(&ds->allocator, total ? total : 1);
    uint32_t *at = ar_malloc_array(&ds->allocator, ds->n ? ds->n : 1, sizeof *at);
    if (!text || !at) {
        ar_free(&ds->allocator, text);
        ar_free(&ds->allocator, at);
        return ARCHASE_ENOMEM;
    }
    size_t off = 0;
    for (size_t i = 0; i < ds->n; i++) {
        at[i] = (uint32_t)off;
        off += ar_decision_key(ds, i, text + off, total - off) + 1;
    }
    ds->key_text = text;
    ds->key_at = at;
    return 0;
}

/* What `build` makes, made by the first caller that needs it and flagged in
 * `built`; safe from any number of threads. 0 or build's error. */
static int lazily(archase_decisions *ds, atomic_int *built, int (*build)(archase_decisions *)) {
    if (atomic_load_explicit(built, memory_order_acquire))
        return 0;
    int rc = 0;
    pthread_mutex_lock(&ds->lazy_lock);
    if (!atomic_load_explicit(built, memory_order_relaxed)) {
        rc = build(ds);
        if (!rc)
            atomic_store_explicit(built, 1, memory_order_release);
    }
    pthread_mutex_unlock(&ds->lazy_lock);
    return rc;
}

static int keys_ready(archase_decisions *ds) {
    return lazily(ds, &ds->keys_built, build_keys);
}

int archase_decision_get(const archase_decisions *ds, size_t i, archase_decision *out) {
    if (!ds || !out)
        return ARCHASE_EINVAL;
    if (out->version != ARCHASE_DECISION_VERSION)
        return ARCHASE_EVERSION;
    if (i >= ds->n)
        return ARCHASE_ERANGE;
    int rc = keys_ready((archase_decisions *)ds); /* a cache: the result does not change */
    if (rc)
        return rc;
    const ar_decision *d = &ds->d[i];
    archase_decision r;
    memset(&r, 0, sizeof r);
    r.version = ARCHASE_DECISION_VERSION;
    r.key = ds->key_text + ds->key_at[i];
    r.kind = d->kind;
    r.action = d->action;
    r.customer_id = ar_snap_customer_id(ds->snap, d->customer);
    r.invoice_count = d->target_count;
    const ar_assess *lead = &ds->assess[d->lead];
    r.channel = d->channel;
    r.contact_id = ar_snap_str(ds->snap, d->contact);
    r.template_name = template_name(ds, d);
    r.tone = d->tone;
    r.segment = ds->policy->segments[lead->segment].name;
    if (d->sequence != AR_STEP_NONE) {
        r.sequence = ds->policy->sequences[d->sequence].name;
        r.step = ds->policy->sequences[d->sequence].steps[d->step].id;
    }
    r.rule = rule_of(ds, d);
    memcpy(r.policy_hash, ds->policy_hash, 32);
    r.score = lead->score;
    r.driver_count = lead->top_count;
    r.reason_count = ar_reasons_count(&d->reasons);
    r.fact_count = ar_decision_fact_count(ds, i);
    r.role_count = d->role_count;
    r.owner = d->owner;
    r.due_by = d->due_by;
    r.scheduled_at = d->scheduled_at;
    r.timezone = zone_name(ds, d->zone);
    r.local_date = d->local_date;
    r.local_seconds = d->local_seconds;
    r.amount.minor = d->amount;
    memcpy(r.amount.currency, d->currency, 4);
    r.recovery_plan = d->recovery_plan;
    r.approvers = d->approvers;
    r.fast_lane = d->fast_lane;
    if (d->payload != AR_IDX_NONE && (rc = ar_decision_payload_hash(ds, i, r.payload_hash)) != 0)
        return rc;
    *out = r;
    return 0;
}

int archase_decision_invoice_get(const archase_decisions *ds, size_t i, size_t j,
                                 archase_decision_invoice *out) {
    if (!ds || !out)
        return ARCHASE_EINVAL;
    if (out->version != ARCHASE_DECISION_INVOICE_VERSION)
        return ARCHASE_EVERSION;
    if (i >= ds->n || j >= ds->d[i].target_count)
        return ARCHASE_ERANGE;
    const ar_target *t = &ds->targets[ds->d[i].target_first + j];
    const archase_snapshot *s = ds->snap;
    const ar_snap_invoice *si = &s->invoices[t->invoice];
    archase_decision_invoice r;
    memset(&r, 0, sizeof r);
    r.version = ARCHASE_DECISION_INVOICE_VERSION;
    r.invoice_id = ar_snap_invoice_id(s, t->invoice);
    r.number = ar_snap_str(s, si->number);
    r.source_link = ar_snap_str(s, si->source_link);
    r.due_date = si->due_date;
    r.days_overdue = ds->as_of - si->due_date;
    r.amount.minor = si->amount;
    r.open_amount.minor = si->open;
    r.disputed_amount.minor = ar_ds_disputed(ds, t->invoice);
    memcpy(r.amount.currency, si->currency, 4);
    memcpy(r.open_amount.currency, si->currency, 4);
    memcpy(r.disputed_amount.currency, si->currency, 4);
    *out = r;
    return 0;
}

int archase_decision_reason(const archase_decisions *ds, size_t i, size_t j, int *out) {
    if (!ds || !out)
        return ARCHASE_EINVAL;
    if (i >= ds->n || j >= ar_reasons_count(&ds->d[i].reasons))
        return ARCHASE_ERANGE;
    *out = ar_reasons_at(&ds->d[i].reasons, j);
    return 0;
}

typedef struct fact_pick {
    size_t       want, seen;
    ar_fact_item item;
    int          found;
} fact_pick;

static int pick(void *ctx, const ar_fact_item *f) {
    fact_pick *p = ctx;
    if (p->seen++ != p->want)
        return 0;
    p->item = *f;
    p->found = 1;
    return 1;
}

int archase_decision_fact_get(const archase_decisions *ds, size_t i, size_t j, archase_decision_fact *out) {
    if (!ds || !out)
        return ARCHASE_EINVAL;
    if (out->version != ARCHASE_DECISION_FACT_VERSION)
        return ARCHASE_EVERSION;
    if (i >= ds->n)
        return ARCHASE_ERANGE;
    fact_pick p;
    memset(&p, 0, sizeof p);
    p.want = j;
    ar_decision_facts(ds, i, pick, &p);
    if (!p.found)
        return ARCHASE_ERANGE;
    const ar_fact_item *f = &p.item;
    archase_decision_fact r;
    memset(&r, 0, sizeof r);
    r.version = ARCHASE_DECISION_FACT_VERSION;
    r.name = ar_fact_name(f->name);
    r.invoice_id = f->invoice != AR_IDX_NONE ? ar_snap_invoice_id(ds->snap, f->invoice) : NULL;
    r.type = f->type;
    r.number = f->number;
    memcpy(r.currency, f->currency, 4);
    r.text = f->text;
    r.source_link = f->invoice != AR_IDX_NONE ? ar_snap_str(ds->snap, ds->snap->invoices[f->invoice].source_link)
                                              : NULL;
    *out = r;
    return 0;
}

static int driver(const archase_decisions *ds, uint32_t count, const uint8_t *idx, const int32_t *points,
                  size_t j, archase_score_driver *out) {
    if (j >= count)
        return ARCHASE_ERANGE;
    out->name = ds->policy->risk.drivers[idx[j]].name;
    out->points = points[j];
    return 0;
}

int archase_decision_driver(const archase_decisions *ds, size_t i, size_t j, archase_score_driver *out) {
    if (!ds || !out)
        return ARCHASE_EINVAL;
    if (i >= ds->n)
        return ARCHASE_ERANGE;
    const ar_assess *lead = &ds->assess[ds->d[i].lead];
    return driver(ds, lead->top_count, lead->top, lead->top_points, j, out);
}

int archase_decision_role(const archase_decisions *ds, size_t i, size_t j, const char **out) {
    if (!ds || !out)
        return ARCHASE_EINVAL;
    if (i >= ds->n || j >= ds->d[i].role_count)
        return ARCHASE_ERANGE;
    *out = ds->roles[ds->d[i].role_first + j];
    return 0;
}

/* ---- cadence updates ------------------------------------------------------------- */

size_t archase_cadence_update_count(const archase_decisions *ds) {
    return ds ? ds->update_n : 0;
}

static const char *update_invoice(const archase_decisions *ds, const ar_update *u) {
    return u->invoice != AR_IDX_NONE ? ar_snap_invoice_id(ds->snap, u->invoice)
                                     : ar_snap_str(ds->snap, ds->snap->cadence[u->cadence].invoice_id);
}

/* The sequence, last step and next step of an update, as names. */
static void update_names(const archase_decisions *ds, const ar_update *u, const char **sequence,
                         const char **last_step, const char **next_step) {
    const archase_snapshot *s = ds->snap;
    const ar_snap_cadence *old = u->cadence != AR_IDX_NONE ? &s->cadence[u->cadence] : NULL;
    const ar_sequence *seq = u->sequence != AR_STEP_NONE ? &ds->policy->sequences[u->sequence] : NULL;
    *sequence = seq ? seq->name : old ? ar_snap_str(s, old->sequence) : NULL;
    *last_step = seq && u->last_step != AR_STEP_NONE ? seq->steps[u->last_step].id
                 : old                               ? ar_snap_str(s, old->last_step)
                                                     : NULL;
    *next_step = seq && u->next_step != AR_STEP_NONE ? seq->steps[u->next_step].id : NULL;
}

static const char *update_customer(const archase_decisions *ds, const ar_update *u) {
    return u->invoice != AR_IDX_NONE ? ar_snap_customer_id(ds->snap, ds->snap->invoices[u->invoice].customer)
                                     : ar_snap_str(ds->snap, ds->snap->cadence[u->cadence].customer_id);
}

int archase_cadence_update_get(const archase_decisions *ds, size_t i, archase_cadence_update *out) {
    if (!ds || !out)
        return ARCHASE_EINVAL;
    if (out->version != ARCHASE_CADENCE_UPDATE_VERSION)
        return ARCHASE_EVERSION;
    if (i >= ds->update_n)
        return ARCHASE_ERANGE;
    const ar_update *u = &ds->updates[i];
    archase_cadence_update r;
    memset(&r, 0, sizeof r);
    r.version = ARCHASE_CADENCE_UPDATE_VERSION;
    r.invoice_id = update_invoice(ds, u);
    r.customer_id = update_customer(ds, u);
    r.status = u->status;
    r.reason = u->reason;
    update_names(ds, u, &r.sequence, &r.last_step, &r.next_step);
    r.last_offset = u->last_offset;
    r.last_date = u->last_date;
    r.next_date = u->next_date;
    *out = r;
    return 0;
}

void ar_update_record(const archase_decisions *ds, size_t i, ar_cadence_rec *out) {
    const ar_update *u = &ds->updates[i];
    memset(out, 0, sizeof *out);
    out->invoice_id = update_invoice(ds, u);
    out->customer_id = update_customer(ds, u);
    out->status = u->status;
    out->reason = u->reason;
    update_names(ds, u, &out->sequence, &out->last_step, &out->next_step);
    out->last_offset = u->last_offset;
    out->last_date = u->last_date;
    out->notice_offset = u->notice_offset;
    out->next_date = u->next_date;
    out->call_queued = u->call_queued;
    out->promise_routed = ar_snap_str(ds->snap, u->promise_routed);
    out->escalated_count = u->esc_count < AR_CADENCE_ESCALATED_MAX ? u->esc_count : AR_CADENCE_ESCALATED_MAX;
    for (uint32_t k = 0; k < out->escalated_count; k++)
        out->escalated[k] = ds->escalated[u->esc_first + k];
    out->updated_on = ds->as_of;
    out->policy_hash = ds->policy_hash;
}

/* ---- assessments and coverage --------------------------------------------------------- */

size_t archase_assessment_count(const archase_decisions *ds) {
    return ds ? ds->snap->invoice_count : 0;
}

int archase_assessment_get(const archase_decisions *ds, size_t i, archase_invoice_assessment *out) {
    if (!ds || !out)
        return ARCHASE_EINVAL;
    if (out->version != ARCHASE_INVOICE_ASSESSMENT_VERSION)
        return ARCHASE_EVERSION;
    if (i >= ds->snap->invoice_count)
        return ARCHASE_ERANGE;
    int rc = lazily((archase_decisions *)ds, &((archase_decisions *)ds)->index_built, build_index);
    if (rc)
        return rc;
    const archase_snapshot *s = ds->snap;
    const ar_assess *a = &ds->assess[i];
    uint32_t inv = i;
    const ar_snap_invoice *si = &s->invoices[inv];
    const ar_segment *seg = &ds->policy->segments[a->segment];
    archase_invoice_assessment r;
    memset(&r, 0, sizeof r);
    r.version = ARCHASE_INVOICE_ASSESSMENT_VERSION;
    r.invoice_id = ar_snap_invoice_id(s, inv);
    r.customer_id = ar_snap_customer_id(s, si->customer);
    r.days_overdue = ds->as_of - si->due_date;
    r.open_amount.minor = si->open;
    r.disputed_amount.minor = ar_ds_disputed(ds, (uint32_t)i);
    memcpy(r.open_amount.currency, si->currency, 4);
    memcpy(r.disputed_amount.currency, si->currency, 4);
    r.segment = seg->name;
    r.sequence = seg->sequence->name;
    r.score = a->score;
    r.driver_count = a->top_count;
    r.coverage = a->coverage;
    r.reason = a->reason;
    r.step_index = a->step_index;
    r.next_step = a->next_step != AR_STEP_NONE ? seg->sequence->steps[a->next_step].id : NULL;
    r.next_date = a->next_date;
    r.decision_count = ds->dec_at[i + 1] - ds->dec_at[i];
    *out = r;
    return 0;
}

int archase_assessment_find(const archase_decisions *ds, const char *invoice_id, size_t *index) {
    if (!ds || !invoice_id || !index)
        return ARCHASE_EINVAL;
    uint32_t number = ar_strtab_find(&ds->snap->invoice_ids, invoice_id);
    if (number == AR_STRTAB_NONE)
        return ARCHASE_ENOTFOUND;
    *index = ds->snap->invoice_index[number];
    return 0;
}

int archase_assessment_driver(const archase_decisions *ds, size_t i, size_t j, archase_score_driver *out) {
    if (!ds || !out)
        return ARCHASE_EINVAL;
    if (i >= ds->snap->invoice_count)
        return ARCHASE_ERANGE;
    const ar_assess *a = &ds->assess[i];
    return driver(ds, a->top_count, a->top, a->top_points, j, out);
}

int archase_assessment_decision(const archase_decisions *ds, size_t i, size_t j, size_t *decision) {
    if (!ds || !decision)
        return ARCHASE_EINVAL;
    if (i >= ds->snap->invoice_count)
        return ARCHASE_ERANGE;
    int rc = lazily((archase_decisions *)ds, &((archase_decisions *)ds)->index_built, build_index);
    if (rc)
        return rc;
    if (j >= ds->dec_at[i + 1] - ds->dec_at[i])
        return ARCHASE_ERANGE;
    *decision = ds->invoice_decisions[ds->dec_at[i] + j];
    return 0;
}

int archase_coverage_report(const archase_decisions *ds, archase_coverage *out) {
    if (!ds || !out)
        return ARCHASE_EINVAL;
    if (out->version != ARCHASE_COVERAGE_VERSION)
        return ARCHASE_EVERSION;
    archase_coverage r;
    memset(&r, 0, sizeof r);
    r.version = ARCHASE_COVERAGE_VERSION;
    const archase_snapshot *s = ds->snap;
    for (size_t i = 0; i < s->invoice_count; i++) {
        const ar_assess *a = &ds->assess[i];
        r.open_invoices++;
        if (ds->as_of <= s->invoices[i].due_date)
            continue;
        r.overdue_invoices++;
        if (a->coverage > 0 && a->coverage < ARCHASE_COVERAGE_STATE_LIMIT)
            r.by_state[a->coverage]++;
        else
            r.unaccounted++;
        if (a->reason < ARCHASE_REASON_LIMIT_)
            r.by_reason[a->reason]++;
    }
    *out = r;
    return 0;
}

/* ---- canonical encoding ------------------------------------------------------------ */

enum {
    DE_KEY = 1, DE_KIND, DE_ACTION, DE_CUSTOMER, DE_INVOICES, DE_CHANNEL, DE_CONTACT, DE_TEMPLATE,
    DE_TONE, DE_SEGMENT, DE_SEQUENCE, DE_STEP, DE_RULE, DE_POLICY_HASH, DE_SCORE, DE_DRIVERS,
    DE_REASONS, DE_FACTS, DE_OWNER, DE_DUE_BY, DE_SCHEDULED_AT, DE_TIMEZONE, DE_LOCAL_DATE,
    DE_LOCAL_SECONDS, DE_AMOUNT, DE_ROLES, DE_RECOVERY_PLAN, DE_APPROVERS, DE_FAST_LANE, DE_PAYLOAD_HASH,
};

#define AR_KIND_DECISION 10
#define AR_KIND_EVALUATION 0x0A00
#define AR_KIND_ASSESSMENT 0x0A03
#define AR_KIND_ITEM 1

static void put_opt(ar_canon *c, uint16_t field, const char *s) {
    if (s && *s)
        ar_canon_put_str(c, field, s);
}

static void money_of(archase_money *m, int64_t minor, const char *currency) {
    m->minor = minor;
    memcpy(m->currency, currency, 3);
    m->currency[3] = '\0';
}

static void drivers(const archase_decisions *ds, ar_canon *c, uint16_t field, uint32_t count,
                    const uint8_t *idx, const int32_t *points) {
    if (!count)
        return;
    ar_canon_field(c, field);
    ar_canon_begin_list(c);
    for (uint32_t k = 0; k < count; k++) {
        ar_canon_begin_record(c, AR_KIND_ITEM);
        ar_canon_put_str(c, 1, ds->policy->risk.drivers[idx[k]].name);
        ar_canon_put_int(c, 2, points[k]);
        ar_canon_end_record(c);
    }
    ar_canon_end_list(c);
}

static void fact_value(ar_canon *c, const ar_fact_item *f) {
    archase_money m;
    switch (f->type) {
    case ARCHASE_VALUE_MONEY:
        money_of(&m, f->number, f->currency);
        ar_canon_put_money(c, 3, &m);
        break;
    case ARCHASE_VALUE_BOOL: ar_canon_put_bool(c, 3, f->number != 0); break;
    case ARCHASE_VALUE_DATE: ar_canon_put_date(c, 3, (int32_t)f->number); break;
    case ARCHASE_VALUE_TEXT: ar_canon_put_str(c, 3, f->text ? f->text : ""); break;
    default: ar_canon_put_int(c, 3, f->number); break;
    }
}

static int encode_fact(void *ctx, const ar_fact_item *f) {
    const void *const *args = ctx;
    const archase_decisions *ds = args[0];
    ar_canon *c = (ar_canon *)args[1];
    ar_canon_begin_record(c, AR_KIND_ITEM);
    ar_canon_put_str(c, 1, ar_fact_name(f->name));
    ar_canon_put_str(c, 2, value_type_names[f->type]);
    fact_value(c, f);
    if (f->invoice != AR_IDX_NONE) {
        ar_canon_put_str(c, 4, ar_snap_invoice_id(ds->snap, f->invoice));
        if (f->type != ARCHASE_VALUE_TEXT)
            put_opt(c, 5, f->text);
        put_opt(c, 6, ar_snap_str(ds->snap, ds->snap->invoices[f->invoice].source_link));
    } else if (f->type != ARCHASE_VALUE_TEXT) {
        put_opt(c, 5, f->text);
    }
    ar_canon_end_record(c);
    return 0;
}

int ar_decision_encode(const archase_decisions *ds, size_t i, ar_canon *c) {
    const ar_decision *d = &ds->d[i];
    const archase_snapshot *s = ds->snap;
    const ar_assess *lead = &ds->assess[d->lead];
    char small[512], *key = small;
    size_t key_len = ar_decision_key(ds, i, small, sizeof small);
    if (key_len >= sizeof small) {
        key = ar_malloc(&ds->allocator, key_len + 1);
        if (!key)
            return ARCHASE_ENOMEM;
        ar_decision_key(ds, i, key, key_len + 1);
    }
    ar_canon_reset(c);
    ar_canon_begin_record(c, AR_KIND_DECISION);
    ar_canon_field(c, DE_KEY);
    ar_canon_strn(c, key, key_len);
    if (key != small)
        ar_free(&ds->allocator, key);
    ar_canon_put_str(c, DE_KIND, archase_decision_kind_name(d->kind));
    if (d->action)
        ar_canon_put_str(c, DE_ACTION, archase_action_name(d->action));
    ar_canon_put_str(c, DE_CUSTOMER, ar_snap_customer_id(s, d->customer));
    ar_canon_field(c, DE_INVOICES);
    ar_canon_begin_list(c);
    for (uint32_t t = 0; t < d->target_count; t++) {
        const ar_target *tg = &ds->targets[d->target_first + t];
        const ar_snap_invoice *si = &s->invoices[tg->invoice];
        int64_t disputed = ar_ds_disputed(ds, tg->invoice);
        archase_money m;
        ar_canon_begin_record(c, AR_KIND_ITEM);
        ar_canon_put_str(c, 1, ar_snap_invoice_id(s, tg->invoice));
        money_of(&m, si->open, si->currency);
        ar_canon_put_money(c, 2, &m);
        if (disputed) {
            money_of(&m, disputed, si->currency);
            ar_canon_put_money(c, 3, &m);
        }
        ar_canon_put_int(c, 4, ds->as_of - si->due_date);
        ar_canon_put_date(c, 5, si->due_date);
        ar_canon_end_record(c);
    }
    ar_canon_end_list(c);
    if (d->channel)
        ar_canon_put_str(c, DE_CHANNEL, d->channel == ARCHASE_CHANNEL_INTERNAL ? "internal"
                                                                            : archase_channel_name(d->channel));
    put_opt(c, DE_CONTACT, ar_snap_str(s, d->contact));
    put_opt(c, DE_TEMPLATE, template_name(ds, d));
    if (d->tone)
        ar_canon_put_str(c, DE_TONE, archase_tone_name(d->tone));
    ar_canon_put_str(c, DE_SEGMENT, ds->policy->segments[lead->segment].name);
    if (d->sequence != AR_STEP_NONE) {
        const ar_sequence *seq = &ds->policy->sequences[d->sequence];
        ar_canon_put_str(c, DE_SEQUENCE, seq->name);
        ar_canon_put_str(c, DE_STEP, seq->steps[d->step].id);
    }
    ar_canon_put_str(c, DE_RULE, rule_of(ds, d));
    ar_canon_put_hash(c, DE_POLICY_HASH, ds->policy_hash);
    ar_canon_put_int(c, DE_SCORE, lead->score);
    drivers(ds, c, DE_DRIVERS, lead->top_count, lead->top, lead->top_points);
    ar_canon_field(c, DE_REASONS);
    ar_canon_begin_list(c);
    for (size_t k = 0, n = ar_reasons_count(&d->reasons); k < n; k++)
        ar_canon_str(c, archase_reason_name(ar_reasons_at(&d->reasons, k)));
    ar_canon_end_list(c);
    size_t facts = ar_decision_fact_count(ds, i);
    if (facts) {
        const void *args[2] = { ds, c };
        ar_canon_field(c, DE_FACTS);
        ar_canon_begin_list(c);
        ar_decision_facts(ds, i, encode_fact, (void *)args);
        ar_canon_end_list(c);
    }
    put_opt(c, DE_OWNER, d->owner);
    if (d->due_by != ARCHASE_DATE_NONE)
        ar_canon_put_date(c, DE_DUE_BY, d->due_by);
    ar_canon_put_instant(c, DE_SCHEDULED_AT, d->scheduled_at);
    if (d->zone != AR_STEP_NONE) {
        ar_canon_put_str(c, DE_TIMEZONE, zone_name(ds, d->zone));
        ar_canon_put_date(c, DE_LOCAL_DATE, d->local_date);
        ar_canon_put_int(c, DE_LOCAL_SECONDS, d->local_seconds);
    }
    archase_money amount;
    money_of(&amount, d->amount, d->currency);
    ar_canon_put_money(c, DE_AMOUNT, &amount);
    if (d->role_count) {
        ar_canon_field(c, DE_ROLES);
        ar_canon_begin_list(c);
        for (uint32_t k = 0; k < d->role_count; k++)
            ar_canon_str(c, ds->roles[d->role_first + k]);
        ar_canon_end_list(c);
    }
    if (d->recovery_plan)
        ar_canon_put_bool(c, DE_RECOVERY_PLAN, 1);
    if (d->approvers)
        ar_canon_put_int(c, DE_APPROVERS, d->approvers);
    if (d->fast_lane)
        ar_canon_put_bool(c, DE_FAST_LANE, 1);
    if (d->payload != AR_IDX_NONE) {
        uint8_t payload[32];
        int rc = ar_decision_payload_hash(ds, i, payload);
        if (rc)
            return rc;
        ar_canon_put_hash(c, DE_PAYLOAD_HASH, payload);
    }
    ar_canon_end_record(c);
    const uint8_t *data;
    size_t size;
    return ar_canon_finish(c, &data, &size);
}

static int assessment_encode(const archase_decisions *ds, size_t i, ar_canon *c) {
    const archase_snapshot *s = ds->snap;
    const ar_assess *a = &ds->assess[i];
    const ar_snap_invoice *si = &s->invoices[i];
    const ar_segment *seg = &ds->policy->segments[a->segment];
    ar_canon_reset(c);
    ar_canon_begin_record(c, AR_KIND_ASSESSMENT);
    ar_canon_put_str(c, 1, ar_snap_invoice_id(s, i));
    ar_canon_put_str(c, 2, ar_snap_customer_id(s, si->customer));
    ar_canon_put_str(c, 3, seg->name);
    ar_canon_put_int(c, 4, a->score);
    ar_canon_put_str(c, 5, archase_coverage_state_name(a->coverage));
    if (a->reason)
        ar_canon_put_str(c, 6, archase_reason_name(a->reason));
    ar_canon_put_int(c, 7, a->step_index);
    if (a->next_step != AR_STEP_NONE) {
        ar_canon_put_str(c, 8, seg->sequence->steps[a->next_step].id);
        ar_canon_put_date(c, 9, a->next_date);
    }
    int64_t disputed = ar_ds_disputed(ds, (uint32_t)i);
    if (disputed) {
        archase_money m;
        money_of(&m, disputed, si->currency);
        ar_canon_put_money(c, 10, &m);
    }
    drivers(ds, c, 11, a->top_count, a->top, a->top_points);
    ar_canon_end_record(c);
    const uint8_t *data;
    size_t size;
    return ar_canon_finish(c, &data, &size);
}

/* Streams the evaluation record: a header written by hand, then each list
 * item encoded on its own, so memory stays one item's worth. */
typedef struct out_stream {
    archase_write_fn write;
    void            *userdata;
    int              rc;
} out_stream;

static void out_bytes(out_stream *o, const void *data, size_t size) {
    if (!o->rc)
        o->rc = o->write(o->userdata, data, size);
}

static void out_field_list(out_stream *o, uint16_t field, uint32_t count) {
    uint8_t h[7] = { (uint8_t)(field >> 8), (uint8_t)field, AR_CANON_LIST, (uint8_t)(count >> 24),
                     (uint8_t)(count >> 16), (uint8_t)(count >> 8), (uint8_t)count };
    out_bytes(o, h, sizeof h);
}

static void out_canon(out_stream *o, ar_canon *c, int rc) {
    const uint8_t *data;
    size_t size;
    if (!o->rc && rc)
        o->rc = rc;
    if (!o->rc && (o->rc = ar_canon_finish(c, &data, &size)) == 0)
        out_bytes(o, data, size);
}

int archase_decisions_encode(const archase_decisions *ds, archase_write_fn write, void *userdata) {
    if (!ds || !write)
        return ARCHASE_EINVAL;
    if (ds->n > UINT32_MAX || ds->update_n > UINT32_MAX || ds->snap->invoice_count > UINT32_MAX)
        return ARCHASE_ERANGE;
    out_stream o = { write, userdata, 0 };
    ar_canon c;
    ar_canon_init(&c, &ds->allocator);
    /* RECORD kind 0x0A00, 5 fields: 1 as_of, 2 policy hash, 3 decisions,
     * 4 cadence updates, 5 assessments. */
    uint8_t head[5] = { AR_CANON_RECORD, (uint8_t)(AR_KIND_EVALUATION >> 8), (uint8_t)AR_KIND_EVALUATION, 0, 5 };
    out_bytes(&o, head, sizeof head);
    uint8_t date[7] = { 0, 1, AR_CANON_DATE, (uint8_t)((uint32_t)ds->as_of >> 24), (uint8_t)((uint32_t)ds->as_of >> 16),
                        (uint8_t)((uint32_t)ds->as_of >> 8), (uint8_t)ds->as_of };
    out_bytes(&o, date, sizeof date);
    uint8_t hash[3] = { 0, 2, AR_CANON_HASH };
    out_bytes(&o, hash, sizeof hash);
    out_bytes(&o, ds->policy_hash, 32);
    out_field_list(&o, 3, (uint32_t)ds->n);
    for (size_t i = 0; i < ds->n && !o.rc; i++)
        out_canon(&o, &c, ar_decision_encode(ds, i, &c));
    out_field_list(&o, 4, (uint32_t)ds->update_n);
    for (size_t i = 0; i < ds->update_n && !o.rc; i++) {
        ar_cadence_rec r;
        ar_update_record(ds, i, &r);
        out_canon(&o, &c, ar_cadence_encode(&c, &r));
    }
    out_field_list(&o, 5, (uint32_t)ds->snap->invoice_count);
    for (size_t i = 0; i < ds->snap->invoice_count && !o.rc; i++)
        out_canon(&o, &c, assessment_encode(ds, i, &c));
    ar_canon_free(&c);
    return o.rc;
}

static int hash_piece(void *userdata, const void *data, size_t size) {
    return ar_sha256_update(userdata, data, size);
}

int archase_decisions_hash(const archase_decisions *ds, uint8_t out[32]) {
    if (!ds || !out)
        return ARCHASE_EINVAL;
    ar_sha256 h;
    int rc = ar_sha256_init(&h);
    if (rc)
        return rc;
    rc = ar_sha256_begin(&h);
    if (!rc)
        rc = archase_decisions_encode(ds, hash_piece, &h);
    uint8_t digest[32];
    if (!rc)
        rc = ar_sha256_end(&h, digest);
    if (!rc)
        memcpy(out, digest, 32);
    ar_sha256_free(&h);
    return rc;
}
