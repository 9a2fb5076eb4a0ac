/* libarchase/engine/emit.c — what a customer's invoices need, turned into
 * decisions: one per group (a consolidated message, a call, an alert, an
 * escalation, an approval request, a skip or a wait), each with its targets,
 * reasons, the facts it used and the rule that fired. Messages are scheduled
 * under the contact guardrails, most advanced step first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/errors.h"
#include "core/alloc.h"
#include "engine/eval.h"
#include "engine/guard.h"

/* ---- groups ---------------------------------------------------------------- */

static int same_group(const ar_group *g, const ar_group *k) {
    if (g->kind != k->kind || g->origin != k->origin || g->cur != k->cur)
        return 0;
    if (k->origin == AR_ORIGIN_CALL_QUEUE)
        return 1; /* one call per customer and currency a day, whatever put it there */
    return g->action == k->action && g->channel == k->channel && g->tone == k->tone && g->tmpl == k->tmpl &&
           g->rule == k->rule && g->seq == k->seq && g->source == k->source;
}

int ar_eval_group(ar_eval *E, const ar_group *key, uint32_t work, const ar_reasons *why) {
    const archase_allocator *a = &E->ds->allocator;
    uint32_t gi = 0;
    while (gi < E->group_n && !same_group(&E->groups[gi], key))
        gi++;
    if ((E->member_n >= E->member_cap &&
         ar_grow(a, (void **)&E->members, &E->member_cap, E->member_n + 1, sizeof *E->members)) ||
        (E->member_n >= E->mn_cap &&
         ar_grow(a, (void **)&E->member_next, &E->mn_cap, E->member_n + 1, sizeof *E->member_next)))
        return ARCHASE_ENOMEM;
    uint32_t m = (uint32_t)E->member_n;
    if (gi == E->group_n) {
        if (E->group_n >= E->group_cap &&
            ar_grow(a, (void **)&E->groups, &E->group_cap, E->group_n + 1, sizeof *E->groups))
            return ARCHASE_ENOMEM;
        ar_group *g = &E->groups[E->group_n++];
        *g = *key;
        g->lead = work;
        g->first = m;
        g->rank = INT32_MIN;
        memset(&g->reasons, 0, sizeof g->reasons);
        if (key->kind == ARCHASE_DECISION_REQUEST_APPROVAL)
            g->fast_lane = ar_cond_eval(E->p->approvals.fast_lane.when, &E->env);
    } else {
        E->member_next[E->groups[gi].last] = m;
    }
    ar_group *g = &E->groups[gi];
    const ar_work *w = &E->w[work];
    if (!g->tmpl && key->tmpl)
        g->tmpl = key->tmpl, g->tone = key->tone;
    if (!g->rule && key->rule)
        g->rule = key->rule; /* calls: a broken promise names the call */
    int32_t rank = w->plan.fire != AR_IDX_NONE ? w->seq->steps[w->plan.fire].offset : 0;
    if (rank > g->rank) {
        g->rank = rank;
        g->lead = work;
    }
    ar_reasons_merge(&g->reasons, why);
    g->last = m;
    E->members[m] = work;
    E->member_next[m] = AR_IDX_NONE;
    E->member_n++;
    return 0;
}

/* ---- helpers ------------------------------------------------------------------ */

static const char *str(const ar_eval *E, uint32_t n) {
    return ar_snap_str(E->s, n);
}

/* "account_owner" is the customer's owner, "collector" its collector; any
 * other role is itself (a queue of that role). */
static const char *resolve_role(const ar_eval *E, const char *role) {
    if (!strcmp(role, "account_owner"))
        return str(E, E->cust->owner);
    if (!strcmp(role, "collector"))
        return str(E, E->cust->collector);
    return role;
}

static const char *person(const ar_eval *E, int collector_first, ar_reasons *reasons) {
    const char *a = str(E, collector_first ? E->cust->collector : E->cust->owner);
    const char *b = str(E, collector_first ? E->cust->owner : E->cust->collector);
    if (a)
        return a;
    if (b)
        return b;
    ar_reasons_add(reasons, ARCHASE_REASON_NO_OWNER);
    return "unassigned";
}

/* The member whose sequence step the decision runs: the lead for step
 * groups; for calls, the first member whose call step came due (NULL when
 * only the call-queue rule put it there); NULL for other rules. */
static const ar_work *step_member(const ar_eval *E, const ar_group *g) {
    if (g->origin == AR_ORIGIN_STEP)
        return &E->w[g->lead];
    if (g->origin != AR_ORIGIN_CALL_QUEUE)
        return NULL;
    for (uint32_t m = g->first; m != AR_IDX_NONE; m = E->member_next[m]) {
        const ar_work *w = &E->w[E->members[m]];
        if (w->out == AR_OUT_CALL)
            return w;
    }
    return NULL;
}

/* The rule that fired, as the policy setting path, into the result's rules
 * (a step's once per evaluation). */
static int rule_path_made(ar_eval *E, const ar_group *g, const ar_work *step, uint32_t *out) {
    char path[512];
    uint32_t *cached = NULL;
    const void *what = g->origin == AR_ORIGIN_ESCALATION ? g->source : g->rule;
    if (step && !(g->origin == AR_ORIGIN_CALL_QUEUE && g->rule)) {
        cached = &E->step_rule[E->step_base[step->seq - E->p->sequences] + step->plan.fire];
        if (*cached != AR_IDX_NONE) {
            *out = *cached;
            return 0;
        }
    } else {
        /* The path is the origin's and the rule's (policy or static text). */
        for (uint32_t i = 0; i < E->rule_memo_n; i++) {
            if (E->rule_memo[i].origin == g->origin && E->rule_memo[i].what == what) {
                *out = E->rule_memo[i].rule;
                return 0;
            }
        }
    }
    if (g->origin == AR_ORIGIN_CALL_QUEUE && g->rule)
        snprintf(path, sizeof path, "%s", g->rule);
    else if (step)
        snprintf(path, sizeof path, "sequences.%s.steps[%s]", step->seq->name, step->seq->steps[step->plan.fire].id);
    else if (g->origin == AR_ORIGIN_ESCALATION)
        snprintf(path, sizeof path, "escalation.rules[%s]", ((const ar_escalation_rule *)g->source)->name);
    else if (g->origin == AR_ORIGIN_PROMISE)
        snprintf(path, sizeof path, "promises.on_broken");
    else if (g->origin == AR_ORIGIN_RELATIONSHIP)
        snprintf(path, sizeof path, "%s", g->rule);
    else
        snprintf(path, sizeof path, "call_queue");
    int rc = ar_ds_rule(E->ds, path, out);
    if (!rc && cached) {
        *cached = *out;
    } else if (!rc && E->rule_memo_n < sizeof E->rule_memo / sizeof E->rule_memo[0]) {
        E->rule_memo[E->rule_memo_n].origin = g->origin;
        E->rule_memo[E->rule_memo_n].what = what;
        E->rule_memo[E->rule_memo_n++].rule = *out;
    }
    return rc;
}

static int rule_path(ar_eval *E, const ar_group *g, const ar_work *step, uint32_t *out) {
    /* A step's, made before: no call, no buffer for the path. */
    if (step && !(g->origin == AR_ORIGIN_CALL_QUEUE && g->rule)) {
        uint32_t made = E->step_rule[E->step_base[step->seq - E->p->sequences] + step->plan.fire];
        if (made != AR_IDX_NONE) {
            *out = made;
            return 0;
        }
    }
    return rule_path_made(E, g, step, out);
}

/* ---- one decision ------------------------------------------------------------- */

/* The group's invoices as the last decision's targets (ar_ds_target's
 * records, written here), and their amount. */
static int targets(ar_eval *E, uint32_t gi, int with_steps) {
    archase_decisions *ds = E->ds;
    uint32_t prev = AR_IDX_NONE, count = 0;
    int64_t amount = 0;
    for (uint32_t m = E->groups[gi].first; m != AR_IDX_NONE; prev = E->members[m], m = E->member_next[m]) {
        /* An invoice in the group twice (two rules) counts once: its members
         * are added together, so the second follows the first. */
        if (E->members[m] == prev)
            continue;
        const ar_work *w = &E->w[E->members[m]];
        int step = with_steps && w->plan.fire != AR_IDX_NONE;
        if (ds->target_n >= ds->target_cap &&
            ar_ds_grow(ds, (void **)&ds->targets, &ds->target_cap, ds->target_n + 1, sizeof *ds->targets))
            return ARCHASE_ENOMEM;
        ds->targets[ds->target_n++] = (ar_target){ w->inv, step ? w->plan.fire_date : ARCHASE_DATE_NONE,
                                                   step ? (uint16_t)w->plan.fire : AR_STEP_NONE };
        count++;
        amount += w->chase;
    }
    ds->d[ds->n - 1].target_count += count;
    ds->d[ds->n - 1].amount += amount;
    return 0;
}

static int approval(ar_eval *E, const ar_group *g, ar_decision *d) {
    const archase_policy *p = E->p;
    const ar_approvals *ap = &p->approvals;
    archase_money amount;
    amount.minor = d->amount;
    memcpy(amount.currency, d->currency, 4);
    uint32_t need = ar_approvals_required(ap, g->action, &amount);
    d->approvers = (uint8_t)(need ? need : 1);
    const archase_money *threshold = ar_money_list_find(&ap->materiality, d->currency);
    if (!threshold || amount.minor >= threshold->minor)
        ar_reasons_add(&d->reasons, ARCHASE_REASON_ABOVE_MATERIALITY);
    const ar_approval_rule *rule = ar_approvals_rule(ap, g->action);
    d->due_by = E->as_of + (rule ? (archase_date)rule->expiry_days : 7);
    const ar_fast_lane *fl = &ap->fast_lane;
    const archase_money *max = fl->enabled ? ar_money_list_find(&fl->max_amount, d->currency) : NULL;
    if (max && amount.minor < max->minor && g->fast_lane) {
        d->fast_lane = 1;
        ar_reasons_add(&d->reasons, ARCHASE_REASON_FAST_LANE);
    }
    int rc = 0;
    for (uint32_t i = 0; rule && i < rule->roles.count && !rc; i++)
        rc = ar_ds_role(E->ds, rule->roles.items[i]);
    if (rc)
        return rc;
    /* The payload an approval is bound to is hashed when it is read
     * (ar_decision_payload_hash): everything in it is the decision's. */
    E->ds->d[E->ds->n - 1].payload = (uint32_t)E->ds->payload_n++;
    return 0;
}

/* Reasons an escalation lists as blockers. */
static void blockers(ar_eval *E, uint32_t gi, ar_decision *d) {
    const ar_snap_customer *c = E->cust;
    for (uint32_t m = E->groups[gi].first; m != AR_IDX_NONE; m = E->member_next[m]) {
        const ar_work *w = &E->w[E->members[m]];
        if (w->disputed > 0)
            ar_reasons_add(&d->reasons, ARCHASE_REASON_DISPUTED);
        if (w->si->po_ref == AR_STR_NONE)
            ar_reasons_add(&d->reasons, ARCHASE_REASON_MISSING_PO);
        if (w->promise_state == AR_PROMISE_BROKEN)
            ar_reasons_add(&d->reasons, ARCHASE_REASON_PROMISE_BROKEN);
    }
    if (E->env.value[AR_FIELD_BROKEN_PROMISES_90D] > 0)
        ar_reasons_add(&d->reasons, ARCHASE_REASON_PROMISE_BROKEN);
    if (c->flags & AR_SF_SERVICE_ISSUE)
        ar_reasons_add(&d->reasons, ARCHASE_REASON_SERVICE_ISSUE);
    if (c->flags & AR_SF_HOLD)
        ar_reasons_add(&d->reasons, ARCHASE_REASON_HOLD);
}

static const char *const default_notify[] = { "account_owner", "finance_lead" };

static int escalation(ar_eval *E, uint32_t gi, const ar_group *g, ar_decision *d) {
    const ar_escalation_rule *er = g->origin == AR_ORIGIN_ESCALATION ? g->source : NULL;
    const char *const *notify = er ? er->notify.items : default_notify;
    uint32_t count = er ? er->notify.count : 2;
    int rc = 0;
    for (uint32_t i = 0; i < count && !rc; i++) {
        rc = ar_ds_role(E->ds, notify[i]);
        if (!d->owner)
            d->owner = resolve_role(E, notify[i]);
    }
    if (rc)
        return rc;
    if (!d->owner)
        d->owner = person(E, 0, &d->reasons);
    d->due_by = E->as_of + (er ? er->decision_deadline_days : 5);
    d->recovery_plan = (uint8_t)(er ? er->recovery_plan : 1);
    d->facts |= AR_FACTS_DEADLINE | AR_FACTS_CONTEXT;
    if (!er || er->blocker_summary)
        blockers(E, gi, d);
    return 0;
}

static int message(ar_eval *E, const ar_group *g, ar_decision *d) {
    const archase_snapshot *s = E->s;
    const archase_tz *tz = s->zones[E->zone];
    ar_slot slot;
    ar_guard_slot_memo(&E->p->guardrails, tz, E->as_of, g->channel, E->touches, E->touch_n, &E->guard_memo, &slot);
    if (ar_grow(&E->ds->allocator, (void **)&E->touches, &E->touch_cap, E->touch_n + 1, sizeof *E->touches))
        return ARCHASE_ENOMEM;
    E->touches[E->touch_n++] = (ar_touch){ slot.date, g->channel };
    d->scheduled_at = slot.at;
    d->local_date = slot.date;
    d->local_seconds = slot.seconds;
    d->zone = (uint16_t)E->zone;
    d->due_by = slot.date;
    ar_reasons_merge(&d->reasons, &slot.reasons);
    d->contact = E->cust->contact[g->channel];
    d->facts |= AR_FACTS_MESSAGE;
    if (E->cust->zone_unknown)
        ar_reasons_add(&d->reasons, ARCHASE_REASON_TIMEZONE_UNKNOWN);
    return 0;
}

static int emit(ar_eval *E, uint32_t gi) {
    archase_decisions *ds = E->ds;
    const archase_policy *p = E->p;
    const ar_group *g = &E->groups[gi];
    const ar_work *lead = &E->w[g->lead];
    const ar_work *step = step_member(E, g);
    uint32_t rule;
    int rc = rule_path(E, g, step, &rule);
    ar_decision *d;
    if (rc || (rc = ar_ds_begin(ds, E->c, g->kind, &d)) != 0)
        return rc;
    d->action = (uint8_t)(g->kind == ARCHASE_DECISION_SKIP || g->kind == ARCHASE_DECISION_WAIT ? 0 : g->action);
    d->channel = (uint8_t)g->channel;
    d->tone = (uint8_t)g->tone;
    d->tmpl = g->tmpl ? (uint16_t)(g->tmpl - p->templates.items) : AR_STEP_NONE;
    d->reasons = g->reasons;
    d->lead = lead->pos;
    d->rule = rule;
    if (step) {
        d->sequence = (uint16_t)(step->seq - p->sequences);
        d->step = (uint16_t)step->plan.fire;
    }
    memcpy(d->currency, E->curs[g->cur].currency, 4);
    d->due_by = E->as_of;
    rc = targets(E, gi, g->origin == AR_ORIGIN_STEP || g->origin == AR_ORIGIN_CALL_QUEUE ||
                            g->origin == AR_ORIGIN_RELATIONSHIP);
    if (rc)
        return rc;
    d = &ds->d[ds->n - 1];
    if (d->target_count > 1 && g->kind == ARCHASE_DECISION_SEND_MESSAGE)
        ar_reasons_add(&d->reasons, ARCHASE_REASON_CONSOLIDATED);
    if (ar_reasons_has(&d->reasons, ARCHASE_REASON_PATTERN_DELAY))
        d->facts |= AR_FACTS_PATTERN;
    if (E->rel.effect != AR_REL_CONTINUE)
        d->facts |= AR_FACTS_RELATIONSHIP;
    switch (g->kind) {
    case ARCHASE_DECISION_SEND_MESSAGE: rc = message(E, g, d); break;
    case ARCHASE_DECISION_QUEUE_CALL:
        d->owner = person(E, 1, &d->reasons);
        d->facts |= AR_FACTS_CONTEXT;
        break;
    case ARCHASE_DECISION_ALERT_OWNER:
        d->owner = person(E, 0, &d->reasons);
        if (g->origin == AR_ORIGIN_PROMISE)
            d->facts |= AR_FACTS_CONTEXT;
        break;
    case ARCHASE_DECISION_ESCALATE: rc = escalation(E, gi, g, d); break;
    case ARCHASE_DECISION_REQUEST_APPROVAL:
        d->owner = person(E, 1, &d->reasons);
        if (g->origin == AR_ORIGIN_ESCALATION) {
            rc = escalation(E, gi, g, d);
            d = &ds->d[ds->n - 1];
            ds->role_n = d->role_first; /* the approvers replace the roles notified */
            d->role_count = 0;
            d->facts &= (uint8_t)~AR_FACTS_DEADLINE;
        }
        if (!rc)
            rc = approval(E, g, &ds->d[ds->n - 1]);
        break;
    default: break;
    }
    if (rc)
        return rc;
    d = &ds->d[ds->n - 1];
    if (g->kind != ARCHASE_DECISION_SEND_MESSAGE)
        d->scheduled_at = (archase_instant)d->due_by * 86400;
    /* The key (unique in the evaluation, the same when it is run again) is
     * built from the decision when it is read (ar_decision_key): only its
     * last part is kept here. */
    d->key_extra = AR_STR_NONE;
    if (g->origin == AR_ORIGIN_PROMISE)
        d->key_extra = ((const ar_snap_promise *)g->source)->id;
    else if (g->kind == ARCHASE_DECISION_SEND_MESSAGE && g->source)
        d->key_extra = AR_KEY_LEAD;
    return 0;
}

/* Messages first, most advanced step first (then channel, template, as found). */
static int cmp_message_groups(const void *a, const void *b) {
    const ar_group *x = *(const ar_group *const *)a, *y = *(const ar_group *const *)b;
    if (x->rank != y->rank)
        return x->rank > y->rank ? -1 : 1;
    if (x->channel != y->channel)
        return x->channel < y->channel ? -1 : 1;
    int c = strcmp(x->tmpl ? x->tmpl->name : "", y->tmpl ? y->tmpl->name : "");
    if (c)
        return c;
    return x < y ? -1 : x > y;
}

int ar_emit_customer(ar_eval *E) {
    if (!E->group_n)
        return 0;
    if (ar_grow(&E->ds->allocator, (void **)&E->order, &E->order_cap, E->group_n, sizeof *E->order))
        return ARCHASE_ENOMEM;
    const ar_group **order = E->order;
    size_t n = 0;
    for (size_t i = 0; i < E->group_n; i++)
        if (E->groups[i].kind == ARCHASE_DECISION_SEND_MESSAGE)
            order[n++] = &E->groups[i];
    qsort(order, n, sizeof *order, cmp_message_groups);
    for (size_t i = 0; i < E->group_n; i++)
        if (E->groups[i].kind != ARCHASE_DECISION_SEND_MESSAGE)
            order[n++] = &E->groups[i];
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++)
        rc = emit(E, (uint32_t)(order[i] - E->groups));
    return rc;
}

/* ---- call capacity ---------------------------------------------------------------- */

/* A call task's place, compared as one 128-bit number: its owner's rank
 * by name (equal names, equal ranks; the top 32 bits of hi), the policy's
 * key, larger first (the next 64), and the decision's index (the low 32 of
 * lo). */
typedef struct call_key {
    uint64_t hi, lo;
} call_key;

static call_key call_key_make(uint32_t index, int64_t key) {
    uint64_t k = ~((uint64_t)key ^ (UINT64_C(1) << 63)); /* larger keys first */
    return (call_key){ k >> 32, (k << 32) | index };
}

static uint32_t call_index(const call_key *k) {
    return (uint32_t)k->lo;
}

static uint32_t call_rank(const call_key *k) {
    return (uint32_t)(k->hi >> 32);
}

static void call_set_rank(call_key *k, uint32_t rank) {
    k->hi = (k->hi & UINT32_MAX) | (uint64_t)rank << 32;
}

/* Owners are mostly the snapshot's strings, one pointer per name: the same
 * pointer is the same name without reading it. */
static int same_owner(const char *x, const char *y) {
    return x == y || !strcmp(x, y);
}

/* Where owner pointer `p` lives or goes in a hash set of `cap` slots (a
 * power of two). */
static size_t owner_slot(const char *const *set, size_t cap, const char *p) {
    uint64_t h = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15u;
    size_t at = (size_t)(h >> 32) & (cap - 1);
    while (set[at] && set[at] != p)
        at = (at + 1) & (cap - 1);
    return at;
}

static int cmp_owner_names(const void *a, const void *b) {
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    return x == y ? 0 : strcmp(x, y);
}

static int call_before(const call_key *x, const call_key *y) {
    return x->hi != y->hi ? x->hi < y->hi : x->lo < y->lo;
}

/* Sorts keys by owner rank, key (larger first) and index (a total order:
 * indexes differ): a merge sort, the comparison inline, through `buf` of
 * n / 2 keys (the left half is copied out, then merged back with the right). */
static void sort_calls(call_key *keys, size_t n, call_key *buf) {
    if (n <= 8) {
        for (size_t i = 1; i < n; i++) {
            call_key x = keys[i];
            size_t j = i;
            for (; j > 0 && call_before(&x, &keys[j - 1]); j--)
                keys[j] = keys[j - 1];
            keys[j] = x;
        }
        return;
    }
    size_t h = n / 2;
    sort_calls(keys, h, buf);
    sort_calls(keys + h, n - h, buf);
    if (!call_before(&keys[h], &keys[h - 1]))
        return; /* in order already */
    memcpy(buf, keys, h * sizeof *keys);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        keys[k++] = call_before(&keys[j], &buf[i]) ? keys[j++] : buf[i++];
    while (i < h)
        keys[k++] = buf[i++];
}

/* Each key's owner rank: the distinct owner pointers of the decisions (a
 * hash set), sorted by name once. 0 or ARCHASE_ENOMEM. */
static int rank_owners(const archase_decisions *ds, call_key *keys, size_t n) {
    const archase_allocator *a = &ds->allocator;
    size_t cap = 8, distinct = 0;
    const char **set = NULL, **names = NULL, **sorted = NULL;
    uint32_t *slot_of = NULL; /* per set slot: its name's index in names */
    uint32_t *rank = NULL;
    int rc = ARCHASE_ENOMEM;
    for (;;) {
        set = ar_calloc(a, cap, sizeof *set);
        slot_of = ar_malloc_array(a, cap, sizeof *slot_of);
        names = ar_malloc_array(a, cap / 2, sizeof *names);
        if (!set || !slot_of || !names)
            goto done;
        distinct = 0;
        size_t i = 0;
        for (; i < n && distinct < cap / 2; i++) {
            const char *owner = ds->d[call_index(&keys[i])].owner;
            size_t at = owner_slot(set, cap, owner);
            if (!set[at]) {
                set[at] = owner;
                slot_of[at] = (uint32_t)distinct;
                names[distinct++] = owner;
            }
            call_set_rank(&keys[i], (uint32_t)at); /* the set slot, until ranked */
        }
        if (i == n)
            break;
        ar_free(a, set);
        ar_free(a, slot_of);
        ar_free(a, names);
        set = names = NULL;
        slot_of = NULL;
        cap *= 2;
    }
    /* The names sorted; each name's rank, equal texts sharing one. */
    rank = ar_malloc_array(a, distinct ? distinct : 1, sizeof *rank);
    sorted = ar_malloc_array(a, distinct ? distinct : 1, sizeof *sorted);
    if (!rank || !sorted)
        goto done;
    memcpy(sorted, names, distinct * sizeof *sorted);
    qsort(sorted, distinct, sizeof *sorted, cmp_owner_names);
    for (size_t r = 0, place = 0; r < distinct; r++) {
        if (r && !same_owner(sorted[r], sorted[r - 1]))
            place = r;
        rank[slot_of[owner_slot(set, cap, sorted[r])]] = (uint32_t)place;
    }
    for (size_t i = 0; i < n; i++)
        call_set_rank(&keys[i], rank[slot_of[call_rank(&keys[i])]]);
    rc = 0;
done:
    ar_free(a, set);
    ar_free(a, slot_of);
    ar_free(a, names);
    ar_free(a, sorted);
    ar_free(a, rank);
    return rc;
}

int ar_emit_call_capacity(ar_eval *E) {
    archase_decisions *ds = E->ds;
    const archase_allocator *a = &ds->allocator;
    const ar_call_queue *q = &E->p->call_queue;
    size_t n = 0;
    for (size_t i = 0; i < ds->n; i++)
        n += ds->d[i].kind == ARCHASE_DECISION_QUEUE_CALL;
    if (!n)
        return 0;
    call_key *keys = ar_malloc_array(a, n, sizeof *keys);
    call_key *buf = ar_malloc_array(a, n / 2 + 1, sizeof *buf);
    int rc = ARCHASE_ENOMEM;
    if (!keys || !buf)
        goto done;
    n = 0;
    for (size_t i = 0; i < ds->n; i++) {
        const ar_decision *d = &ds->d[i];
        if (d->kind != ARCHASE_DECISION_QUEUE_CALL)
            continue;
        int64_t key = ds->assess[d->lead].score;
        if (q->order == AR_ORDER_OPEN_AMOUNT) {
            key = d->amount;
        } else if (q->order == AR_ORDER_DAYS_OVERDUE) {
            key = INT64_MIN;
            for (uint32_t t = 0; t < d->target_count; t++) {
                const ar_snap_invoice *si = &E->s->invoices[ds->targets[d->target_first + t].invoice];
                if (E->as_of - si->due_date > key)
                    key = E->as_of - si->due_date;
            }
        }
        keys[n++] = call_key_make((uint32_t)i, key);
    }
    if ((rc = rank_owners(ds, keys, n)) != 0)
        goto done;
    sort_calls(keys, n, buf);
    uint32_t rank = 0;
    for (size_t i = 0; i < n; i++) {
        rank = i && call_rank(&keys[i]) == call_rank(&keys[i - 1]) ? rank + 1 : 0;
        int32_t day = (int32_t)(rank / (uint32_t)q->max_per_collector_per_day);
        if (!day)
            continue;
        ar_decision *d = &ds->d[call_index(&keys[i])];
        archase_date due = E->as_of + day;
        if (E->calendar)
            archase_calendar_add_business_days(E->calendar, E->as_of, day, &due);
        d->due_by = due;
        d->scheduled_at = (archase_instant)due * 86400;
        ar_reasons_add(&d->reasons, ARCHASE_REASON_CALL_CAPACITY);
    }
done:
    ar_free(a, keys);
    ar_free(a, buf);
    return rc;
}
