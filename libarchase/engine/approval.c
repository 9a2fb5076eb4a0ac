/* libarchase/engine/approval.c — raising approval requests (by a person or
 * from the engine's decisions), reading them, letting them lapse, and the
 * monthly sample of overrides. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/audit.h"
#include "archase/errors.h"
#include "audit/log.h"
#include "audit/record.h"
#include "core/alloc.h"
#include "engine/approval.h"
#include "engine/codec.h"
#include "policy/policy_internal.h"

#define SECONDS_PER_DAY 86400
#define MAX_ATTEMPTS 1000

/* ---- what the policy decides ----------------------------------------------------- */

int ar_approval_needed(const archase_policy *p, int action, const archase_money *amount) {
    /* The built-in list holds whatever a policy says; a payment plan is
     * sensitive at or above materiality (the policy's rule says where). */
    if (archase_action_is_sensitive(action) && action != ARCHASE_ACTION_PAYMENT_PLAN)
        return 1;
    if (!p)
        return action == ARCHASE_ACTION_PAYMENT_PLAN;
    return ar_approvals_required(&p->approvals, action, amount) > 0;
}

/* Kinds the fast lane may take: small money adjustments, and kinds a policy
 * made sensitive on its own. Legal notices, holds, suspensions, limit
 * decreases and overrides always take the full rule. */
static int fast_lane_kind(int action) {
    switch (action) {
    case ARCHASE_ACTION_LEGAL_NOTICE:
    case ARCHASE_ACTION_CREDIT_HOLD:
    case ARCHASE_ACTION_SERVICE_SUSPENSION:
    case ARCHASE_ACTION_CREDIT_LIMIT_DECREASE:
    case ARCHASE_ACTION_OVERRIDE:
        return 0;
    default:
        return 1;
    }
}

int ar_approval_terms_of(const archase_policy *p, int action, const archase_money *amount,
                         int fast_lane_ok, archase_instant now, ar_approval_terms *out) {
    const ar_approvals *ap = &p->approvals;
    const ar_approval_rule *rule = ar_approvals_rule(ap, action);
    ar_approval_terms t;
    memset(&t, 0, sizeof t);
    if (!rule)
        return ARCHASE_EINVAL;
    t.required = ar_approvals_required(ap, action, amount);
    if (t.required == 0 && ar_approval_needed(p, action, amount))
        t.required = 1;
    if (t.required == 0)
        return ARCHASE_EINVAL; /* a payment plan below materiality */
    t.roles = rule->roles.items;
    t.role_count = rule->roles.count;
    t.expires = now + (archase_instant)rule->expiry_days * SECONDS_PER_DAY;
    snprintf(t.rule, sizeof t.rule, "approvals.rules[%s]", archase_action_name(action));
    const ar_fast_lane *fl = &ap->fast_lane;
    const archase_money *max = fl->enabled && amount && amount->currency[0]
                                   ? ar_money_list_find(&fl->max_amount, amount->currency)
                                   : NULL;
    if (max && amount->minor < max->minor && fast_lane_ok && fast_lane_kind(action)) {
        t.required = fl->approvers ? fl->approvers : 1;
        t.roles = fl->roles.items;
        t.role_count = fl->roles.count;
        t.expires = now + (archase_instant)fl->expiry_hours * 3600;
        t.fast_lane = 1;
        snprintf(t.rule, sizeof t.rule, "approvals.fast_lane");
    }
    *out = t;
    return 0;
}

/* ---- finding a request by its payload ------------------------------------------------ */

static void id_for(const uint8_t hash[32], unsigned attempt, char id[ARCHASE_APPROVAL_ID_MAX]) {
    char hex[ARCHASE_HASH_HEX_SIZE];
    ar_hash_to_hex(hash, hex);
    if (attempt <= 1)
        snprintf(id, ARCHASE_APPROVAL_ID_MAX, "APR-%.12s", hex);
    else
        snprintf(id, ARCHASE_APPROVAL_ID_MAX, "APR-%.12s-%u", hex, attempt);
}

static int expire_in_txn(archase_engine *e, ar_approval *a, ar_canon *scratch, archase_instant now) {
    a->status = ARCHASE_APPROVAL_EXPIRED;
    a->closed = now;
    int rc = ar_approval_store(e, a, scratch);
    if (!rc) {
        ar_approval_event ev = { ARCHASE_AUDIT_APPROVAL_EXPIRED, a->id, NULL, NULL, "expire",
                                 "the request lapsed before it was carried out", 0,
                                 ARCHASE_APPROVAL_EXPIRED, a->payload_hash, NULL };
        rc = ar_approval_audit(e, &ev);
    }
    return rc;
}

/* The open request (pending or approved, not lapsed) for `hash`, or a free id
 * for a new one. Lapsed requests met on the way are marked expired. */
static int find_request(archase_engine *e, const uint8_t hash[32], ar_canon *scratch,
                        char id[ARCHASE_APPROVAL_ID_MAX], int *open) {
    ar_approval a;
    archase_instant now = ar_engine_now(e);
    int rc = 0;
    ar_approval_init(&a, AR_ENGINE_ALLOC(e));
    *open = 0;
    for (unsigned attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        id_for(hash, attempt, id);
        rc = ar_approval_load(e, id, &a);
        if (rc == ARCHASE_ENOTFOUND) {
            ar_error_clear(&e->err);
            rc = 0;
            goto done;
        }
        if (rc)
            goto done;
        int same = !memcmp(a.payload_hash, hash, 32);
        int live = a.status == ARCHASE_APPROVAL_PENDING || a.status == ARCHASE_APPROVAL_APPROVED;
        if (same && live && now >= a.expires) {
            if ((rc = expire_in_txn(e, &a, scratch, now)) != 0)
                goto done;
            live = 0;
        }
        if (same && live) {
            *open = 1;
            goto done;
        }
    }
    rc = ar_error_set(&e->err, ARCHASE_ECONFLICT, "too many approval requests for the same action");
done:
    ar_approval_free(&a);
    return rc;
}

/* Stores a new request `a` (every field but id and revision set) under a
 * free id, with its audit record. */
static int create_request(archase_engine *e, ar_approval *a, ar_canon *scratch,
                          char id[ARCHASE_APPROVAL_ID_MAX]) {
    int open = 0;
    int rc = find_request(e, a->payload_hash, scratch, id, &open);
    if (!rc && open)
        return 1; /* the same action on the same facts is already asked for */
    if (rc)
        return rc;
    a->id = id;
    a->revision = 0;
    rc = ar_approval_store(e, a, scratch);
    if (!rc) {
        const uint8_t *bytes;
        size_t size;
        /* The request record itself is the payload of its audit record. */
        rc = ar_approval_encode(a, scratch);
        if (!rc)
            rc = ar_canon_finish(scratch, &bytes, &size);
        if (!rc)
            rc = ar_audit_record(e, ARCHASE_AUDIT_APPROVAL_REQUEST, a->requester, bytes, size);
        else
            rc = ar_error_set(&e->err, rc, "encoding the request failed");
    }
    a->id = NULL;
    return rc;
}

static int by_text(const void *x, const void *y) {
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

int ar_approval_raise_txn(archase_engine *e, const archase_policy *p, const ar_action *in,
                          const char *requester, const char *requester_role,
                          const char *justification, const char *impact, int fast_lane_ok,
                          const char *key, int64_t extra_seconds, char id[ARCHASE_APPROVAL_ID_MAX],
                          int *created) {
    ar_approval_terms terms;
    ar_approval a;
    ar_action act = *in;
    ar_canon payload;
    ar_canon scratch;
    const uint8_t *bytes = NULL;
    size_t size = 0;
    ar_sha256 *sha;
    char new_id[ARCHASE_APPROVAL_ID_MAX];
    archase_instant now = ar_engine_now(e);
    const char **sorted = NULL;
    int rc = ar_approval_terms_of(p, act.action, &act.amount, fast_lane_ok, now, &terms);
    if (rc)
        return ar_error_set(&e->err, rc, "%s needs no approval under this policy%s",
                            archase_action_name(act.action),
                            act.action == ARCHASE_ACTION_PAYMENT_PLAN ? " below materiality" : "");
    ar_canon_init(&payload, AR_ENGINE_ALLOC(e));
    ar_canon_init(&scratch, AR_ENGINE_ALLOC(e));
    /* Invoices in byte order, each once: the same action whatever the order given. */
    if (act.invoice_count) {
        sorted = ar_malloc_array(AR_ENGINE_ALLOC(e), act.invoice_count, sizeof *sorted);
        if (!sorted) {
            rc = ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
            goto done;
        }
        memcpy(sorted, act.invoice_ids, act.invoice_count * sizeof *sorted);
        qsort(sorted, act.invoice_count, sizeof *sorted, by_text);
        for (uint32_t i = 1; i < act.invoice_count; i++) {
            if (!strcmp(sorted[i - 1], sorted[i])) {
                rc = ar_error_set(&e->err, ARCHASE_EINVAL, "invoice '%s' is named twice", sorted[i]);
                goto done;
            }
        }
        act.invoice_ids = sorted;
    }
    rc = ar_approval_payload(e, &act, &payload);
    if (!rc)
        rc = ar_canon_finish(&payload, &bytes, &size);
    if (rc)
        goto done;

    ar_approval_init(&a, AR_ENGINE_ALLOC(e));
    a.act = act;
    a.payload = (uint8_t *)bytes;
    a.payload_size = size;
    ar_span span;
    span.data = bytes;
    span.size = size;
    if ((rc = ar_audit_sha(e, &sha)) || (rc = ar_sha256_spans(sha, &span, 1, a.payload_hash))) {
        rc = ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
        goto done;
    }
    a.requester = (char *)requester;
    a.requester_role = (char *)requester_role;
    a.justification = (char *)justification;
    a.impact = (char *)impact;
    a.created = now;
    a.expires = terms.expires + extra_seconds;
    a.required = terms.required;
    a.roles = (char **)terms.roles;
    a.role_count = terms.role_count;
    memcpy(a.policy_hash, p->hash, 32);
    a.status = ARCHASE_APPROVAL_PENDING;
    a.fast_lane = terms.fast_lane;
    a.approval_rule = terms.rule;
    a.decision_key = (char *)key;
    rc = create_request(e, &a, &scratch, new_id);
    if (rc == 1) {
        memcpy(id, new_id, ARCHASE_APPROVAL_ID_MAX);
        if (created)
            *created = 0;
        rc = 0;
    } else if (!rc) {
        memcpy(id, new_id, ARCHASE_APPROVAL_ID_MAX);
        if (created)
            *created = 1;
    }
done:
    ar_free(AR_ENGINE_ALLOC(e), sorted);
    ar_canon_free(&payload);
    ar_canon_free(&scratch);
    return rc;
}

int ar_approval_replace(archase_engine *e, const ar_approval *old, const uint8_t *payload,
                        size_t size, const uint8_t hash[32], ar_canon *scratch,
                        char id[ARCHASE_APPROVAL_ID_MAX]) {
    ar_approval a = *old;
    archase_instant now = ar_engine_now(e);
    a.payload = (uint8_t *)payload;
    a.payload_size = size;
    memcpy(a.payload_hash, hash, 32);
    a.created = now;
    a.expires = now + (old->expires - old->created);
    a.closed = 0;
    a.status = ARCHASE_APPROVAL_PENDING;
    a.votes = NULL;
    a.vote_count = 0;
    a.replaces = old->id;
    a.replaced_by = NULL;
    int rc = create_request(e, &a, scratch, id);
    return rc == 1 ? 0 : rc; /* one raised already for these facts: that one */
}

/* ---- raising: the public call and the engine's ------------------------------------------ */

static int text_ok(const char *s) {
    return !s || ar_utf8_valid(s, strlen(s));
}

static int token_ok(const char *s) {
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return 1;
}

static int check_request(archase_engine *e, const archase_approval_request *r, const char *requester) {
    if (r->version != ARCHASE_APPROVAL_REQUEST_VERSION)
        return ar_error_set(&e->err, ARCHASE_EVERSION, "approval request version %u is not supported", r->version);
    if (!archase_action_name(r->action))
        return ar_error_set(&e->err, ARCHASE_EINVAL, "unknown action %d", r->action);
    if (!r->customer_id || !*r->customer_id || strlen(r->customer_id) > AR_ID_MAX)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "a request names its customer");
    if ((r->invoice_count && !r->invoice_ids) || r->invoice_count > AR_LIST_MAX)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "invoice_ids: at most %d ids", AR_LIST_MAX);
    for (size_t i = 0; i < r->invoice_count; i++) {
        if (!r->invoice_ids[i] || !*r->invoice_ids[i] || !text_ok(r->invoice_ids[i]))
            return ar_error_set(&e->err, ARCHASE_EINVAL, "invoice_ids: an empty or malformed id");
    }
    if (r->amount.currency[0]) {
        archase_currency cur;
        if (archase_currency_lookup(r->amount.currency, &cur) != 0)
            return ar_error_set(&e->err, ARCHASE_ECURRENCY, "amount: unknown currency '%.3s'",
                                r->amount.currency);
        if (r->amount.minor <= 0 || r->amount.minor > AR_AMOUNT_MAX)
            return ar_error_set(&e->err, ARCHASE_EINVAL, "amount: must be positive");
    } else if (r->amount.minor) {
        return ar_error_set(&e->err, ARCHASE_EINVAL, "amount: a currency is needed");
    }
    if (!requester || !*requester || !text_ok(requester) || !text_ok(r->requester_role))
        return ar_error_set(&e->err, ARCHASE_EINVAL, "a request names its requester");
    if (!text_ok(r->justification) || ar_approval_text_length(r->justification) < ARCHASE_APPROVAL_JUSTIFICATION_MIN)
        return ar_error_set(&e->err, ARCHASE_EINVAL,
                            "a justification of at least %d characters is required",
                            ARCHASE_APPROVAL_JUSTIFICATION_MIN);
    if (!text_ok(r->customer_impact) || ar_approval_text_length(r->customer_impact) < ARCHASE_APPROVAL_IMPACT_MIN)
        return ar_error_set(&e->err, ARCHASE_EINVAL,
                            "a customer-impact assessment of at least %d characters is required",
                            ARCHASE_APPROVAL_IMPACT_MIN);
    if (!text_ok(r->rule) || !text_ok(r->detail) || !text_ok(r->decision_id))
        return ar_error_set(&e->err, ARCHASE_EINVAL, "rule, detail and decision_id must be UTF-8");
    if (r->reason_code && !token_ok(r->reason_code))
        return ar_error_set(&e->err, ARCHASE_EINVAL,
                            "reason_code: lower-case letters, digits and '_', at most 64");
    if (r->action == ARCHASE_ACTION_OVERRIDE &&
        (!r->reason_code || ar_approval_text_length(r->detail) == 0))
        return ar_error_set(&e->err, ARCHASE_EINVAL,
                            "an override needs a reason code and the detail of what it changes");
    return 0;
}

int ar_approval_raise_request_txn(archase_engine *e, const archase_policy *p, const archase_approval_request *r,
                                  int64_t extra_seconds, char id[ARCHASE_APPROVAL_ID_MAX], int *created) {
    if (!p || !r || !id)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "archase_approval_raise needs a policy, a request and room for its id");
    const char *requester = r->requester ? r->requester : e->actor;
    int rc = check_request(e, r, requester);
    if (rc)
        return rc;
    ar_action act;
    memset(&act, 0, sizeof act);
    act.action = r->action;
    act.customer_id = r->customer_id;
    act.invoice_ids = (const char **)r->invoice_ids;
    act.invoice_count = (uint32_t)r->invoice_count;
    act.amount = r->amount;
    act.rule = r->rule;
    act.reason_code = r->reason_code;
    act.detail = r->detail;
    act.decision_id = r->decision_id;
    /* A person's request has no evaluation behind it: the fast lane takes it
     * only when the lane has no condition. */
    return ar_approval_raise_txn(e, p, &act, requester, r->requester_role, r->justification, r->customer_impact,
                                 p->approvals.fast_lane.when == NULL, NULL, extra_seconds, id, created);
}

int archase_approval_raise(archase_engine *e, const archase_policy *p, const archase_approval_request *r,
                           char id[ARCHASE_APPROVAL_ID_MAX], int *created) {
    char out[ARCHASE_APPROVAL_ID_MAX];
    int made = 0;
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (!p || !r || !id)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "archase_approval_raise needs a policy, a request and room for its id");
    int rc = check_request(e, r, r->requester ? r->requester : e->actor);
    if (rc)
        return rc;
    if (e->batch)
        return ar_error_set(&e->err, ARCHASE_ESTATE, "a batch is open on this engine");
    rc = ar_txn_begin(e);
    if (rc)
        return rc;
    rc = ar_approval_raise_request_txn(e, p, r, 0, out, &made);
    if (!rc)
        rc = ar_txn_commit(e);
    else
        ar_txn_rollback(e);
    if (rc)
        return rc;
    memcpy(id, out, ARCHASE_APPROVAL_ID_MAX);
    if (created)
        *created = made;
    return 0;
}

int ar_approval_raise_decision(archase_engine *e, const archase_policy *p, const archase_decisions *ds,
                               size_t i, char id[ARCHASE_APPROVAL_ID_MAX], int *created) {
    archase_decision d = ARCHASE_DECISION_INIT;
    char justification[512], impact[256], amount[ARCHASE_MONEY_FORMAT_MAX] = "";
    const char **invoices = NULL;
    int rc = archase_decision_get(ds, i, &d);
    if (rc)
        return ar_error_set(&e->err, rc, "no decision %zu", i);
    if (d.kind != ARCHASE_DECISION_REQUEST_APPROVAL)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "decision %zu does not ask for approval", i);
    if (d.invoice_count) {
        invoices = ar_malloc_array(AR_ENGINE_ALLOC(e), d.invoice_count, sizeof *invoices);
        if (!invoices)
            return ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
    }
    for (size_t j = 0; j < d.invoice_count && !rc; j++) {
        archase_decision_invoice inv = ARCHASE_DECISION_INVOICE_INIT;
        rc = archase_decision_invoice_get(ds, i, j, &inv);
        invoices[j] = inv.invoice_id;
    }
    /* Why, in the decision's own terms: the rule that fired and its reasons. */
    int n = snprintf(justification, sizeof justification, "the policy's rule %s asks for %s; reasons:",
                     d.rule ? d.rule : "(none)", archase_action_name(d.action));
    for (size_t j = 0; j < d.reason_count && n > 0 && (size_t)n < sizeof justification; j++) {
        int reason = 0;
        if (archase_decision_reason(ds, i, j, &reason) == 0 && archase_reason_name(reason))
            n += snprintf(justification + n, sizeof justification - (size_t)n, " %s", archase_reason_name(reason));
    }
    if (d.amount.currency[0])
        archase_money_format(&d.amount, amount, sizeof amount);
    snprintf(impact, sizeof impact, "%s on customer %s: %zu invoice(s)%s%s",
             archase_action_name(d.action), d.customer_id, d.invoice_count, amount[0] ? ", " : "", amount);
    ar_action act;
    memset(&act, 0, sizeof act);
    act.action = d.action;
    act.customer_id = d.customer_id;
    act.invoice_ids = invoices;
    act.invoice_count = (uint32_t)d.invoice_count;
    act.amount = d.amount;
    act.rule = d.rule;
    if (!rc)
        rc = ar_approval_raise_txn(e, p, &act, e->actor, NULL, justification, impact, d.fast_lane, d.key, 0,
                                   id, created);
    else
        rc = ar_error_set(&e->err, rc, "reading decision %zu failed", i);
    ar_free(AR_ENGINE_ALLOC(e), invoices);
    return rc;
}

/* ---- reading ----------------------------------------------------------------------------- */

static int deliver(const ar_approval *a, archase_approval_fn fn, void *userdata) {
    archase_approval_info info;
    memset(&info, 0, sizeof info);
    info.version = ARCHASE_APPROVAL_INFO_VERSION;
    info.id = a->id;
    info.status = a->status;
    info.action = a->act.action;
    info.customer_id = a->act.customer_id;
    info.invoice_ids = a->act.invoice_ids;
    info.invoice_count = a->act.invoice_count;
    info.amount = a->act.amount;
    info.requester = a->requester;
    info.requester_role = a->requester_role;
    info.justification = a->justification;
    info.customer_impact = a->impact;
    info.rule = a->act.rule;
    info.reason_code = a->act.reason_code;
    info.detail = a->act.detail;
    info.decision_id = a->act.decision_id;
    info.approval_rule = a->approval_rule;
    info.fast_lane = a->fast_lane;
    info.approvals_required = a->required;
    for (uint32_t i = 0; i < a->vote_count; i++)
        info.approvals += a->votes[i].approve ? 1u : 0u;
    info.roles = (const char *const *)a->roles;
    info.role_count = a->role_count;
    info.votes = a->votes;
    info.vote_count = a->vote_count;
    info.created = a->created;
    info.expires = a->expires;
    info.closed = a->closed;
    info.replaces = a->replaces;
    info.replaced_by = a->replaced_by;
    memcpy(info.payload_hash, a->payload_hash, 32);
    memcpy(info.policy_hash, a->policy_hash, 32);
    return fn(userdata, &info);
}

int archase_approval_get(archase_engine *e, const char *id, archase_approval_fn fn, void *userdata) {
    ar_approval a;
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (!id || !fn)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "archase_approval_get needs an id and a callback");
    ar_approval_init(&a, AR_ENGINE_ALLOC(e));
    int rc = ar_approval_load(e, id, &a);
    if (!rc)
        rc = deliver(&a, fn, userdata);
    ar_approval_free(&a);
    return rc > 0 ? 0 : rc;
}

typedef struct scan_ctx {
    archase_engine     *e;
    ar_approval         a;
    archase_approval_fn fn;
    void               *userdata;
} scan_ctx;

static int scan_one(void *ctx, const archase_record *rec) {
    scan_ctx *s = ctx;
    int rc = ar_approval_decode(&s->a, rec->data, rec->size);
    if (rc == ARCHASE_ENOMEM)
        return ar_error_set(&s->e->err, rc, "out of memory");
    if (rc)
        return ar_error_set(&s->e->err, ARCHASE_ESTORAGE, "stored approval request '%s' cannot be decoded", rec->id);
    rc = deliver(&s->a, s->fn, s->userdata);
    return rc > 0 ? ARCHASE_SCAN_STOP : rc;
}

int archase_approvals_scan(archase_engine *e, int status, archase_approval_fn fn, void *userdata) {
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (!fn || (status && !archase_approval_status_name(status)))
        return ar_error_set(&e->err, ARCHASE_EINVAL, "archase_approvals_scan needs a callback and a known status");
    scan_ctx s;
    s.e = e;
    s.fn = fn;
    s.userdata = userdata;
    ar_approval_init(&s.a, AR_ENGINE_ALLOC(e));
    archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
    f.family = ARCHASE_FAMILY_APPROVAL;
    f.status = status;
    int rc = ar_store_scan(e, &f, scan_one, &s);
    ar_approval_free(&s.a);
    return rc;
}

/* ---- lapsing ------------------------------------------------------------------------------- */

/* Ids collected from a scan (the store may not be written during one). */
typedef struct id_list {
    const archase_allocator *al;
    char                   **ids;
    size_t                   n, cap;
    archase_instant          now;
} id_list;

static void id_list_free(id_list *l) {
    for (size_t i = 0; i < l->n; i++)
        ar_free(l->al, l->ids[i]);
    ar_free(l->al, l->ids);
}

static int collect_lapsed(void *ctx, const archase_record *rec) {
    id_list *l = ctx;
    if (rec->instant > l->now)
        return 0;
    if (ar_grow(l->al, (void **)&l->ids, &l->cap, l->n + 1, sizeof *l->ids))
        return ARCHASE_ENOMEM;
    l->ids[l->n] = ar_strdup(l->al, rec->id);
    if (!l->ids[l->n])
        return ARCHASE_ENOMEM;
    l->n++;
    return 0;
}

int archase_approvals_expire(archase_engine *e, uint64_t *count) {
    id_list l;
    ar_canon scratch;
    ar_approval a;
    uint64_t n = 0;
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (e->batch)
        return ar_error_set(&e->err, ARCHASE_ESTATE, "a batch is open on this engine");
    memset(&l, 0, sizeof l);
    l.al = AR_ENGINE_ALLOC(e);
    l.now = ar_engine_now(e);
    ar_canon_init(&scratch, AR_ENGINE_ALLOC(e));
    ar_approval_init(&a, AR_ENGINE_ALLOC(e));
    int rc = ar_txn_begin(e);
    if (rc)
        goto done;
    static const int open_states[] = { ARCHASE_APPROVAL_PENDING, ARCHASE_APPROVAL_APPROVED };
    for (size_t k = 0; k < 2 && !rc; k++) {
        archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
        f.family = ARCHASE_FAMILY_APPROVAL;
        f.status = open_states[k];
        f.flags = ARCHASE_SCAN_NO_DATA;
        rc = ar_store_scan(e, &f, collect_lapsed, &l);
        if (rc == ARCHASE_ENOMEM)
            ar_error_set(&e->err, rc, "out of memory");
    }
    for (size_t i = 0; i < l.n && !rc; i++) {
        rc = ar_approval_load(e, l.ids[i], &a);
        if (!rc && (a.status == ARCHASE_APPROVAL_PENDING || a.status == ARCHASE_APPROVAL_APPROVED) &&
            l.now >= a.expires) {
            rc = expire_in_txn(e, &a, &scratch, l.now);
            n++;
        }
    }
    if (!rc)
        rc = ar_txn_commit(e);
    else
        ar_txn_rollback(e);
    if (!rc && count)
        *count = n;
done:
    ar_approval_free(&a);
    ar_canon_free(&scratch);
    id_list_free(&l);
    return rc;
}

/* ---- the override sample --------------------------------------------------------------------- */

typedef struct ranked {
    uint8_t rank[32];
    char   *id;
} ranked;

typedef struct sample_ctx {
    archase_engine *e;
    ar_approval     a;
    archase_date    from, to;
    uint8_t         seed[8];
    ranked         *items;
    size_t          n, cap;
} sample_ctx;

static int consider(void *ctx, const archase_record *rec) {
    sample_ctx *s = ctx;
    const archase_allocator *al = AR_ENGINE_ALLOC(s->e);
    if (rec->date < s->from || rec->date > s->to)
        return 0;
    int rc = ar_approval_decode(&s->a, rec->data, rec->size);
    if (rc == ARCHASE_ENOMEM)
        return ar_error_set(&s->e->err, rc, "out of memory");
    if (rc)
        return ar_error_set(&s->e->err, ARCHASE_ESTORAGE, "stored approval request '%s' cannot be decoded", rec->id);
    if (s->a.act.action != ARCHASE_ACTION_OVERRIDE)
        return 0;
    if (ar_grow(al, (void **)&s->items, &s->cap, s->n + 1, sizeof *s->items))
        return ar_error_set(&s->e->err, ARCHASE_ENOMEM, "out of memory");
    ranked *r = &s->items[s->n];
    ar_sha256 *sha;
    ar_span spans[2] = { { s->seed, sizeof s->seed }, { rec->id, strlen(rec->id) } };
    if (ar_audit_sha(s->e, &sha) || ar_sha256_spans(sha, spans, 2, r->rank))
        return ar_error_set(&s->e->err, ARCHASE_ENOMEM, "out of memory");
    r->id = ar_strdup(al, rec->id);
    if (!r->id)
        return ar_error_set(&s->e->err, ARCHASE_ENOMEM, "out of memory");
    s->n++;
    return 0;
}

static int by_rank(const void *x, const void *y) {
    const ranked *a = x, *b = y;
    int c = memcmp(a->rank, b->rank, 32);
    return c ? c : strcmp(a->id, b->id);
}

int archase_override_sample(archase_engine *e, archase_date from, archase_date to, uint32_t n,
                            uint64_t seed, archase_approval_fn fn, void *userdata) {
    sample_ctx s;
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (!fn || from == ARCHASE_DATE_NONE || to == ARCHASE_DATE_NONE || from > to)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "archase_override_sample needs a period and a callback");
    memset(&s, 0, sizeof s);
    s.e = e;
    s.from = from;
    s.to = to;
    for (int i = 0; i < 8; i++)
        s.seed[i] = (uint8_t)(seed >> (56 - 8 * i));
    ar_approval_init(&s.a, AR_ENGINE_ALLOC(e));
    archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
    f.family = ARCHASE_FAMILY_APPROVAL;
    f.date_from = from;
    f.date_to = to;
    int rc = ar_store_scan(e, &f, consider, &s);
    if (!rc && s.n > 1)
        qsort(s.items, s.n, sizeof *s.items, by_rank);
    for (size_t i = 0; !rc && i < s.n && i < n; i++) {
        rc = ar_approval_load(e, s.items[i].id, &s.a);
        if (!rc)
            rc = deliver(&s.a, fn, userdata);
    }
    for (size_t i = 0; i < s.n; i++)
        ar_free(AR_ENGINE_ALLOC(e), s.items[i].id);
    ar_free(AR_ENGINE_ALLOC(e), s.items);
    ar_approval_free(&s.a);
    return rc > 0 ? 0 : rc;
}
