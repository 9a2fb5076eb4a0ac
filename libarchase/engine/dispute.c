/* libarchase/engine/dispute.c — disputes: opening, review, resolution with
 * credits and their approval, listing (archase/dispute.h). The report is
 * in dispute_report.c, the SLA's reminders and breaches in dispute_sla.c. */
#include "archase/dispute.h"

#include <stdio.h>
#include <string.h>

#include "archase/audit.h"
#include "archase/errors.h"
#include "core/alloc.h"
#include "engine/approval.h"
#include "engine/coll.h"
#include "engine/dispute_internal.h"
#include "engine/facts.h"
#include "engine/lifecycle_steps.h"

/* ---- the policy's view ------------------------------------------------------------ */

int ar_dispute_reason(const char *code) {
    for (int r = 0; code && r < AR_REASON_COUNT; r++)
        if (!strcmp(ar_reason_names[r], code))
            return r;
    return -1;
}

int ar_dispute_reason_or_other(const char *code) {
    int r = ar_dispute_reason(code);
    return r < 0 ? AR_REASON_OTHER : r;
}

const ar_playbook *ar_dispute_playbook(const archase_policy *policy, const char *code) {
    return &policy->disputes.playbooks[ar_dispute_reason_or_other(code)];
}

/* ---- shared checks ------------------------------------------------------------------ */

static int text_ok(const char *s) {
    return !s || ar_utf8_valid(s, strlen(s));
}

static int token_ok(const char *s) {
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

/* Stores a dispute revision (inside the transaction) and its transition. */
static int store_revision(archase_engine *e, const archase_dispute *d, const char *from, const char *cause,
                          archase_date as_of, const archase_money *amount, const char *detail,
                          const char *actor) {
    ar_fact_error why;
    archase_outcome outcome;
    ar_fact_ref ref = { ARCHASE_FAMILY_DISPUTE, d };
    int rc = ar_fact_apply(e, ref, &outcome, &why);
    if (rc) {
        if (why.code)
            ar_error_set(&e->err, rc, "dispute '%s': %s", d->id, why.message);
        return rc;
    }
    if (outcome != ARCHASE_OUTCOME_INSERTED && outcome != ARCHASE_OUTCOME_UPDATED)
        return 0; /* the same again: nothing happened */
    ar_transition t = { ARCHASE_AUDIT_DISPUTE_TRANSITION, "dispute", d->id, from,
                        ar_dispute_status_name(d->status), cause, as_of, amount, detail, actor };
    return ar_transition_record(e, &t);
}

/* ---- opening ---------------------------------------------------------------------------- */

static int check_open(archase_engine *e, const archase_policy *policy, const archase_dispute *d,
                      archase_date as_of) {
    ar_fact_error why;
    ar_fact_ref ref = { ARCHASE_FAMILY_DISPUTE, d };
    int rc = ar_fact_validate(ref, &why);
    if (rc)
        return ar_error_set(&e->err, rc, "dispute '%s': %s", d->id ? d->id : "", why.message);
    if (ar_dispute_reason(d->reason_code) < 0)
        return ar_error_set(&e->err, ARCHASE_EINVAL,
                            "dispute '%s': unknown reason code '%s' (pricing, short_ship, damaged_goods, "
                            "missing_po, milestone_not_accepted, duplicate_billing, tax, other)",
                            d->id, d->reason_code);
    if (!d->opened_by || !*d->opened_by)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "dispute '%s': opened_by is required (who opened it)", d->id);
    if (d->status != ARCHASE_DISPUTE_OPEN)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "dispute '%s': a new dispute is open; resolve it afterwards",
                            d->id);
    if (d->opened_on > as_of)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "dispute '%s': opened_on is after the as-of date", d->id);
    (void)policy;
    return 0;
}

static int check_invoices_open(archase_engine *e, const archase_dispute *d) {
    ar_held inv;
    ar_held_init(&inv, e);
    int64_t open = 0;
    int rc = 0;
    for (size_t i = 0; i < d->invoice_count && !rc; i++) {
        rc = ar_held_load(e, ARCHASE_FAMILY_INVOICE, d->invoice_ids[i], &inv);
        if (rc)
            break;
        if (!inv.found)
            rc = ar_error_set(&e->err, ARCHASE_ENOTFOUND, "dispute '%s': invoice '%s' does not exist", d->id,
                              d->invoice_ids[i]);
        else if (inv.env.status != ARCHASE_INVOICE_STATUS_OPEN || inv.env.amount2 <= 0)
            rc = ar_error_set(&e->err, ARCHASE_EINVAL,
                              "dispute '%s': invoice '%s' is %s; there is nothing open to dispute", d->id,
                              d->invoice_ids[i], ar_invoice_status_name(inv.env.status));
        else if (strcmp(inv.env.currency, d->amount.currency) != 0)
            rc = ar_error_set(&e->err, ARCHASE_ECURRENCY, "dispute '%s': invoice '%s' is in %s, the dispute in %s",
                              d->id, d->invoice_ids[i], inv.env.currency, d->amount.currency);
        else
            open += inv.env.amount2;
    }
    if (!rc && d->amount.minor > open) {
        char a[ARCHASE_MONEY_FORMAT_MAX], b[ARCHASE_MONEY_FORMAT_MAX];
        ar_coll_money(d->amount.minor, d->amount.currency, a, sizeof a);
        ar_coll_money(open, d->amount.currency, b, sizeof b);
        rc = ar_error_set(&e->err, ARCHASE_EINVAL,
                          "dispute '%s': the disputed amount %s is more than the %s open on its invoices", d->id, a, b);
    }
    ar_held_free(&inv);
    return rc;
}

int archase_dispute_open(archase_engine *e, const archase_policy *policy, const archase_dispute *d,
                         archase_date as_of) {
    int rc = ar_coll_begin_call(e);
    if (rc)
        return rc;
    if (!policy || !d || !ar_coll_date_ok(as_of))
        return ar_error_set(&e->err, ARCHASE_EINVAL, "archase_dispute_open needs a policy, a dispute and a valid date");
    archase_dispute copy = *d;
    if (copy.version == ARCHASE_DISPUTE_VERSION) {
        if (copy.opened_on == ARCHASE_DATE_NONE)
            copy.opened_on = as_of;
        if (!copy.owner || !*copy.owner) {
            /* The playbook's role; the role "collector" is the customer's
             * collector, whom the SLA's alerts and the worklist find from
             * an empty owner. */
            const char *role = ar_dispute_playbook(policy, copy.reason_code)->owner_role;
            copy.owner = role && strcmp(role, "collector") != 0 ? role : NULL;
        }
    }
    rc = check_open(e, policy, &copy, as_of);
    if (rc)
        return rc;
    rc = ar_txn_begin(e);
    if (rc)
        return rc;
    rc = check_invoices_open(e, &copy);
    if (!rc)
        rc = store_revision(e, &copy, NULL, "opened", as_of, &copy.amount, copy.reason_code, copy.opened_by);
    if (!rc)
        rc = ar_txn_commit(e);
    else
        ar_txn_rollback(e);
    return rc;
}

/* ---- review ---------------------------------------------------------------------------- */

/* Loads dispute `id` for a change; ARCHASE_ESTATE when resolved. */
static int load_unresolved(archase_engine *e, const char *id, ar_held *s) {
    int rc = ar_held_load(e, ARCHASE_FAMILY_DISPUTE, id, s);
    if (rc)
        return rc;
    if (!s->found)
        return ar_error_set(&e->err, ARCHASE_ENOTFOUND, "no dispute '%s'", id);
    if (s->fact.u.dispute.status == ARCHASE_DISPUTE_RESOLVED)
        return ar_error_set(&e->err, ARCHASE_ESTATE, "dispute '%s' is already resolved", id);
    return 0;
}

int archase_dispute_update(archase_engine *e, const archase_policy *policy, const archase_dispute_change *ch,
                           archase_date as_of) {
    int rc = ar_coll_begin_call(e);
    if (rc)
        return rc;
    if (!policy || !ch || !ar_coll_date_ok(as_of))
        return ar_error_set(&e->err, ARCHASE_EINVAL, "archase_dispute_update needs a policy, a change and a valid date");
    if (ch->version != ARCHASE_DISPUTE_CHANGE_VERSION)
        return ar_error_set(&e->err, ARCHASE_EVERSION, "dispute change version %u is not supported", ch->version);
    if (!ch->id || !*ch->id || !ch->by || !*ch->by)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "a dispute change needs the dispute id and who made it (by)");
    if (ch->status != 0 && ch->status != ARCHASE_DISPUTE_IN_REVIEW)
        return ar_error_set(&e->err, ARCHASE_EINVAL,
                            "dispute '%s': a change moves a dispute to in_review only; resolve it with archase_dispute_resolve",
                            ch->id);
    if (!text_ok(ch->owner) || !text_ok(ch->evidence) || !text_ok(ch->by))
        return ar_error_set(&e->err, ARCHASE_EINVAL, "dispute '%s': a text is not valid UTF-8", ch->id);
    ar_held s;
    ar_held_init(&s, e);
    rc = ar_txn_begin(e);
    if (rc)
        goto out;
    rc = load_unresolved(e, ch->id, &s);
    if (!rc) {
        archase_dispute d = s.fact.u.dispute;
        const char *from = ar_dispute_status_name(d.status);
        const char *cause = "updated";
        if (ch->status == ARCHASE_DISPUTE_IN_REVIEW && d.status != ARCHASE_DISPUTE_IN_REVIEW) {
            d.status = ARCHASE_DISPUTE_IN_REVIEW;
            cause = "review_started";
        }
        if (ch->owner && *ch->owner) {
            d.owner = ch->owner;
            if (!strcmp(cause, "updated"))
                cause = "owner_changed";
        }
        if (ch->evidence && *ch->evidence)
            d.evidence = ch->evidence;
        d.revision++;
        rc = store_revision(e, &d, from, cause, as_of, NULL, ch->owner, ch->by);
    }
    if (!rc)
        rc = ar_txn_commit(e);
    else
        ar_txn_rollback(e);
out:
    ar_held_free(&s);
    return rc;
}

/* ---- resolution ------------------------------------------------------------------------- */

static int check_outcome(archase_engine *e, const archase_dispute_outcome *o) {
    if (o->version != ARCHASE_DISPUTE_OUTCOME_VERSION)
        return ar_error_set(&e->err, ARCHASE_EVERSION, "dispute outcome version %u is not supported", o->version);
    if (!o->id || !*o->id)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "the dispute id is required");
    if (!ar_resolution_name(o->resolution))
        return ar_error_set(&e->err, ARCHASE_EINVAL,
                            "dispute '%s': the resolution must be credit_issued, rejected or partial", o->id);
    if (!token_ok(o->root_cause))
        return ar_error_set(&e->err, ARCHASE_EINVAL,
                            "dispute '%s': a root-cause tag is required (lower-case letters, digits and '_')", o->id);
    if (!o->by || !*o->by || !text_ok(o->by) || !text_ok(o->justification))
        return ar_error_set(&e->err, ARCHASE_EINVAL, "dispute '%s': who resolves it (by) is required", o->id);
    int credits = o->resolution != ARCHASE_RESOLUTION_REJECTED;
    if (credits && (!o->credited.currency[0] || o->credited.minor <= 0))
        return ar_error_set(&e->err, ARCHASE_EINVAL, "dispute '%s': a %s resolution needs the credited amount", o->id,
                            ar_resolution_name(o->resolution));
    if (!credits && o->credited.currency[0] && o->credited.minor != 0)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "dispute '%s': a rejected dispute credits nothing", o->id);
    return 0;
}

#define PENDING_PREFIX "dispute.pending:"

/* Issues the credit as credit notes on the covered invoices. */
static int issue_credit(archase_engine *e, const archase_dispute *d, const archase_money *credited,
                        archase_date as_of) {
    ar_held inv;
    ar_held_init(&inv, e);
    int64_t left = credited->minor;
    int rc = 0;
    for (size_t i = 0; i < d->invoice_count && left > 0 && !rc; i++) {
        rc = ar_held_load(e, ARCHASE_FAMILY_INVOICE, d->invoice_ids[i], &inv);
        if (rc || !inv.found || inv.env.status != ARCHASE_INVOICE_STATUS_OPEN)
            continue;
        int64_t take = inv.env.amount2 < left ? inv.env.amount2 : left;
        if (take <= 0)
            continue;
        char id[AR_ID_MAX + 32];
        snprintf(id, sizeof id, "dispute:%s:%zu", d->id, i + 1);
        archase_payment p = ARCHASE_PAYMENT_INIT;
        p.id = id;
        p.customer_id = d->customer_id;
        p.invoice_id = d->invoice_ids[i];
        p.kind = ARCHASE_CREDIT_NOTE;
        p.date = as_of;
        p.amount = *credited;
        p.amount.minor = take;
        p.reference = d->id;
        ar_fact_error why;
        archase_outcome outcome;
        ar_fact_ref ref = { ARCHASE_FAMILY_PAYMENT, &p };
        rc = ar_fact_apply(e, ref, &outcome, &why);
        if (rc && why.code)
            ar_error_set(&e->err, rc, "dispute '%s': the credit note: %s", d->id, why.message);
        left -= take;
    }
    if (!rc && left > 0) {
        char a[ARCHASE_MONEY_FORMAT_MAX];
        ar_coll_money(left, credited->currency, a, sizeof a);
        rc = ar_error_set(&e->err, ARCHASE_EINVAL,
                          "dispute '%s': the credit is %s more than is open on its invoices", d->id, a);
    }
    ar_held_free(&inv);
    return rc;
}

/* Raises the approval of a credit above the playbook's limit. */
static int raise_credit_approval(archase_engine *e, const archase_policy *policy, const archase_dispute *d,
                                 const archase_dispute_outcome *o, const archase_money *limit,
                                 char id[ARCHASE_APPROVAL_ID_MAX]) {
    char a[ARCHASE_MONEY_FORMAT_MAX], b[ARCHASE_MONEY_FORMAT_MAX], detail[300], just[400];
    ar_coll_money(o->credited.minor, o->credited.currency, a, sizeof a);
    ar_coll_money(limit->minor, limit->currency, b, sizeof b);
    snprintf(detail, sizeof detail, "credit %s on dispute %s (%s), above the playbook's limit of %s", a, d->id,
             d->reason_code, b);
    snprintf(just, sizeof just, "resolve dispute %s as %s, root cause %s: %s", d->id,
             ar_resolution_name(o->resolution), o->root_cause, detail);
    ar_action act;
    memset(&act, 0, sizeof act);
    act.action = ARCHASE_ACTION_OVERRIDE;
    act.customer_id = d->customer_id;
    const char *sorted[AR_LIST_MAX];
    size_t n = 0;
    for (size_t i = 0; i < d->invoice_count && n < AR_LIST_MAX; i++) {
        size_t k = n;
        while (k > 0 && strcmp(sorted[k - 1], d->invoice_ids[i]) > 0) {
            sorted[k] = sorted[k - 1];
            k--;
        }
        if (k > 0 && !strcmp(sorted[k - 1], d->invoice_ids[i])) {
            memmove(&sorted[k], &sorted[k + 1], (n - k) * sizeof *sorted);
            continue;
        }
        sorted[k] = d->invoice_ids[i];
        n++;
    }
    act.invoice_ids = sorted;
    act.invoice_count = (uint32_t)n;
    act.amount = o->credited;
    act.rule = "disputes.playbooks";
    act.reason_code = "dispute_credit";
    act.detail = detail;
    int created = 0;
    return ar_approval_raise_txn(e, policy, &act, o->by, NULL,
                                 o->justification && *o->justification ? o->justification : just,
                                 "the customer receives a credit note for the disputed amount",
                                 policy->approvals.fast_lane.when == NULL, NULL, 0, id, &created);
}

int archase_dispute_resolve(archase_engine *e, const archase_policy *policy, const archase_dispute_outcome *o,
                            archase_date as_of, char approval_id[ARCHASE_APPROVAL_ID_MAX], int *pending) {
    int rc = ar_coll_begin_call(e);
    if (rc)
        return rc;
    if (!policy || !o || !ar_coll_date_ok(as_of))
        return ar_error_set(&e->err, ARCHASE_EINVAL, "archase_dispute_resolve needs a policy, an outcome and a valid date");
    rc = check_outcome(e, o);
    if (rc)
        return rc;
    ar_held s, marker;
    ar_held_init(&s, e);
    ar_held_init(&marker, e);
    char req[ARCHASE_APPROVAL_ID_MAX] = "";
    char key[AR_ID_MAX + 32];
    snprintf(key, sizeof key, PENDING_PREFIX "%s", o->id);
    int waiting = 0, commit_refusal = 0;
    rc = ar_txn_begin(e);
    if (rc)
        goto out;
    rc = load_unresolved(e, o->id, &s);
    if (rc)
        goto done;
    archase_dispute d = s.fact.u.dispute;
    int credits = o->resolution != ARCHASE_RESOLUTION_REJECTED;
    if (credits && strcmp(o->credited.currency, d.amount.currency) != 0) {
        rc = ar_error_set(&e->err, ARCHASE_ECURRENCY, "dispute '%s' is in %s, the credit in %s", d.id,
                          d.amount.currency, o->credited.currency);
        goto done;
    }
    if (credits && o->credited.minor > d.amount.minor) {
        rc = ar_error_set(&e->err, ARCHASE_EINVAL, "dispute '%s': the credit is more than the disputed amount", d.id);
        goto done;
    }
    if (d.opened_on > as_of) {
        rc = ar_error_set(&e->err, ARCHASE_EINVAL, "dispute '%s' was opened after the as-of date", d.id);
        goto done;
    }
    const ar_playbook *book = ar_dispute_playbook(policy, d.reason_code);
    const archase_money *limit = ar_money_list_find(&book->approval_limit, d.amount.currency);
    if (credits && limit && o->credited.minor > limit->minor) {
        rc = ar_held_load(e, ARCHASE_FAMILY_META, key, &marker);
        if (rc)
            goto done;
        if (!marker.found) {
            rc = raise_credit_approval(e, policy, &d, o, limit, req);
            if (!rc)
                rc = ar_marker_put(e, key, req, strlen(req));
            if (!rc) {
                ar_transition t = { ARCHASE_AUDIT_DISPUTE_TRANSITION, "dispute", d.id, ar_dispute_status_name(d.status),
                                    ar_dispute_status_name(d.status), "credit_awaits_approval", as_of, &o->credited,
                                    req, o->by };
                rc = ar_transition_record(e, &t);
            }
            waiting = 1;
            goto done;
        }
        snprintf(req, sizeof req, "%.*s", (int)(marker.env.size < sizeof req - 1 ? marker.env.size : sizeof req - 1),
                 (const char *)marker.env.data);
        ar_gate_outcome g;
        memset(&g, 0, sizeof g);
        rc = ar_approval_check_dispatch(e, req, NULL, 0, o->by, &g);
        if (rc == ARCHASE_EDENIED && g.status == ARCHASE_APPROVAL_PENDING && !g.new_id[0]) {
            ar_error_clear(&e->err);
            rc = 0;
            waiting = 1;
            goto done;
        }
        if (rc == ARCHASE_EDENIED || rc == ARCHASE_EEXPIRED) {
            /* Voided and replaced: wait for the new request. When the marker
             * cannot be moved to it, nothing is kept (the void neither): the
             * next call finds the facts changed again. */
            int mrc = g.new_id[0] ? ar_marker_put(e, key, g.new_id, strlen(g.new_id)) : 0;
            if (mrc)
                rc = mrc;
            else
                commit_refusal = 1;
            goto done;
        }
        if (!rc)
            rc = ar_approval_mark_dispatched(e, req, o->by);
        if (!rc)
            rc = ar_store_del(e, ARCHASE_FAMILY_META, key);
        if (rc)
            goto done;
    }
    const char *from = ar_dispute_status_name(d.status);
    d.status = ARCHASE_DISPUTE_RESOLVED;
    d.resolution = o->resolution;
    d.root_cause = o->root_cause;
    d.resolved_on = as_of;
    if (credits)
        d.credited = o->credited;
    else
        memset(&d.credited, 0, sizeof d.credited);
    d.revision++;
    if (credits)
        rc = issue_credit(e, &d, &o->credited, as_of);
    if (!rc)
        rc = store_revision(e, &d, from, ar_resolution_name(o->resolution), as_of, credits ? &o->credited : NULL,
                            o->root_cause, o->by);
done:
    if (!rc || commit_refusal) {
        /* A refusal is reported only once it is recorded. */
        int crc = ar_txn_commit(e);
        if (crc)
            rc = crc;
    } else {
        ar_txn_rollback(e);
    }
out:
    if (!rc) {
        if (approval_id)
            memcpy(approval_id, waiting ? req : "", waiting ? ARCHASE_APPROVAL_ID_MAX : 1);
        if (pending)
            *pending = waiting;
    }
    ar_held_free(&marker);
    ar_held_free(&s);
    return rc;
}

/* ---- listing ----------------------------------------------------------------------------- */

typedef struct list_ctx {
    archase_engine       *e;
    const archase_policy *policy;
    archase_date          as_of;
    archase_dispute_fn    fn;
    void                 *userdata;
    ar_fact               fact;
    ar_held             marker;
} list_ctx;

void ar_dispute_standing(const archase_policy *policy, const archase_dispute *d, archase_date as_of,
                         archase_dispute_info *info) {
    const ar_playbook *book = ar_dispute_playbook(policy, d->reason_code);
    memset(info, 0, sizeof *info);
    info->version = ARCHASE_DISPUTE_INFO_VERSION;
    info->dispute = d;
    info->owner = d->owner && *d->owner ? d->owner : book->owner_role;
    info->sla_due = d->opened_on + book->sla_days;
    int resolved = d->status == ARCHASE_DISPUTE_RESOLVED && d->resolved_on <= as_of;
    archase_date end = resolved ? d->resolved_on : as_of;
    info->age_days = end - d->opened_on;
    if (!resolved)
        info->sla_state = as_of > info->sla_due ? ARCHASE_SLA_BREACHED
                          : as_of >= info->sla_due - policy->disputes.sla_reminder_days ? ARCHASE_SLA_DUE_SOON
                                                                                       : ARCHASE_SLA_OK;
}

static int list_one(void *ctx, const archase_record *r) {
    list_ctx *x = ctx;
    int rc = ar_fact_decode(&x->fact, ARCHASE_FAMILY_DISPUTE, r->data, r->size);
    if (rc == ARCHASE_ENOMEM)
        return rc;
    if (rc)
        return ar_error_set(&x->e->err, ARCHASE_ESTORAGE, "the stored dispute '%s' cannot be decoded", r->id);
    archase_dispute_info info;
    ar_dispute_standing(x->policy, &x->fact.u.dispute, x->as_of, &info);
    char key[AR_ID_MAX + 32], req[ARCHASE_APPROVAL_ID_MAX] = "";
    snprintf(key, sizeof key, PENDING_PREFIX "%s", r->id);
    rc = ar_held_load(x->e, ARCHASE_FAMILY_META, key, &x->marker);
    if (rc)
        return rc;
    if (x->marker.found && x->fact.u.dispute.status != ARCHASE_DISPUTE_RESOLVED) {
        snprintf(req, sizeof req, "%.*s", (int)(x->marker.env.size < sizeof req - 1 ? x->marker.env.size : sizeof req - 1),
                 (const char *)x->marker.env.data);
        info.pending_approval = req;
    }
    return x->fn(x->userdata, &info);
}

int archase_disputes_scan(archase_engine *e, const archase_policy *policy, const char *customer_id, int status,
                          archase_date as_of, archase_dispute_fn fn, void *userdata) {
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (!policy || !fn || status < 0 || status > ARCHASE_DISPUTE_RESOLVED || !ar_coll_date_ok(as_of))
        return ar_error_set(&e->err, ARCHASE_EINVAL,
                            "archase_disputes_scan needs a policy, a callback, a known status and a valid date");
    list_ctx x;
    memset(&x, 0, sizeof x);
    x.e = e;
    x.policy = policy;
    x.as_of = as_of;
    x.fn = fn;
    x.userdata = userdata;
    ar_fact_init(&x.fact, AR_ENGINE_ALLOC(e));
    ar_held_init(&x.marker, e);
    archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
    f.family = ARCHASE_FAMILY_DISPUTE;
    f.customer_id = customer_id;
    f.status = status;
    int rc = ar_store_scan(e, &f, list_one, &x);
    if (rc == ARCHASE_ENOMEM)
        ar_error_set(&e->err, rc, "out of memory");
    ar_fact_free(&x.fact);
    ar_held_free(&x.marker);
    return rc == ARCHASE_SCAN_STOP ? 0 : rc;
}
