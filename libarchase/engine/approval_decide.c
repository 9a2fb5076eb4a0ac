/* libarchase/engine/approval_decide.c — approving, rejecting and carrying
 * out requests: separation of duties, one vote per person, eligible roles,
 * expiry, the payload check, and the single gate every sensitive dispatch
 * goes through. Every refusal is an audit record. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "archase/audit.h"
#include "archase/errors.h"
#include "audit/log.h"
#include "core/alloc.h"
#include "engine/approval.h"
#include "engine/credit_notice.h"
#include "engine/codec.h"

/* A refused attempt: recorded in the audit log, then reported. */
typedef struct refusal {
    int  code;
    char why[480];
} refusal;

static void refuse(refusal *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void refuse(refusal *r, int code, const char *fmt, ...) {
    va_list ap;
    r->code = code;
    va_start(ap, fmt);
    vsnprintf(r->why, sizeof r->why, fmt, ap);
    va_end(ap);
}

/* Writes the audit record of a refused attempt. */
static int record_refusal(archase_engine *e, const char *id, const char *actor, const char *role,
                          const char *what, const refusal *r, int status) {
    ar_approval_event ev = { ARCHASE_AUDIT_APPROVAL_REFUSED, id, actor, role, what, r->why, r->code,
                             status, NULL, NULL };
    return ar_approval_audit(e, &ev);
}

static int id_ok(const char *id) {
    size_t n = id ? strlen(id) : 0;
    return n > 0 && n <= 64 && ar_utf8_valid(id, n);
}

static int text_ok(const char *s) {
    return s && ar_approval_text_length(s) > 0 && ar_utf8_valid(s, strlen(s));
}

/* Expires `a` (lapsed) inside the transaction. */
static int lapse(archase_engine *e, ar_approval *a, ar_canon *scratch, archase_instant now) {
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

/* The payload of `a`'s action as of now (or the one given), and whether it is
 * the one `a` is bound to. */
static int payload_now(archase_engine *e, const ar_approval *a, const void *given, size_t given_size,
                       ar_canon *c, const uint8_t **bytes, size_t *size, uint8_t hash[32], int *same) {
    ar_sha256 *sha;
    int rc = 0;
    if (given) {
        *bytes = given;
        *size = given_size;
    } else {
        rc = ar_approval_payload(e, &a->act, c);
        if (rc == ARCHASE_ENOTFOUND || rc == ARCHASE_EINVAL || rc == ARCHASE_ECURRENCY) {
            /* The customer or an invoice is gone or moved: nothing to bind to. */
            ar_error_clear(&e->err);
            *bytes = NULL;
            *size = 0;
            memset(hash, 0, 32);
            *same = 0;
            return 0;
        }
        if (!rc)
            rc = ar_canon_finish(c, bytes, size);
        if (rc)
            return rc;
    }
    ar_span span = { *bytes, *size };
    rc = ar_audit_sha(e, &sha);
    if (!rc)
        rc = ar_sha256_spans(sha, &span, 1, hash);
    if (rc)
        return ar_error_set(&e->err, rc, "out of memory");
    *same = !memcmp(hash, a->payload_hash, 32);
    return 0;
}

/* The facts changed: `a` is void, and (when there is something to bind to) a
 * new request with the same action, terms and people replaces it. */
static int void_request(archase_engine *e, ar_approval *a, const uint8_t *payload, size_t size,
                        const uint8_t hash[32], ar_canon *scratch, char new_id[ARCHASE_APPROVAL_ID_MAX]) {
    archase_instant now = ar_engine_now(e);
    int rc = 0;
    new_id[0] = '\0';
    if (payload)
        rc = ar_approval_replace(e, a, payload, size, hash, scratch, new_id);
    if (rc)
        return rc;
    char *replaced_by = new_id[0] ? ar_strdup(AR_ENGINE_ALLOC(e), new_id) : NULL;
    if (new_id[0] && !replaced_by)
        return ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
    ar_free(AR_ENGINE_ALLOC(e), a->replaced_by);
    a->replaced_by = replaced_by;
    a->status = ARCHASE_APPROVAL_VOIDED;
    a->closed = now;
    rc = ar_approval_store(e, a, scratch);
    if (!rc) {
        ar_approval_event ev = { ARCHASE_AUDIT_APPROVAL_VOIDED, a->id, NULL, NULL, "void",
                                 "the customer or an invoice changed after the request", 0,
                                 ARCHASE_APPROVAL_VOIDED, hash, new_id[0] ? new_id : NULL };
        rc = ar_approval_audit(e, &ev);
    }
    return rc;
}

static void describe_void(refusal *r, const ar_approval *a, const char *new_id) {
    if (new_id[0])
        refuse(r, ARCHASE_EDENIED,
               "the customer or an invoice changed after request %s was raised: it is void, and "
               "request %s replaces it (approve that one)", a->id, new_id);
    else
        refuse(r, ARCHASE_EDENIED,
               "the customer or an invoice of request %s is gone: the request is void", a->id);
}

/* ---- approving and rejecting --------------------------------------------------------------- */

static int role_allowed(const ar_approval *a, const char *role) {
    for (uint32_t i = 0; i < a->role_count; i++)
        if (!strcmp(a->roles[i], role))
            return 1;
    return 0;
}

static void list_roles(const ar_approval *a, char *out, size_t size) {
    size_t n = 0;
    out[0] = '\0';
    for (uint32_t i = 0; i < a->role_count && n < size; i++)
        n += (size_t)snprintf(out + n, size - n, "%s%s", i ? ", " : "", a->roles[i]);
}

/* Adds the vote to `a` (copies of its strings). */
static int add_vote(archase_engine *e, ar_approval *a, const archase_approval_vote *vote, int approve,
                    archase_instant now) {
    const archase_allocator *al = AR_ENGINE_ALLOC(e);
    size_t cap = a->vote_count;
    archase_approval_vote v = { ARCHASE_APPROVAL_VOTE_VERSION, NULL, NULL, NULL, approve, now };
    v.actor = ar_strdup(al, vote->actor);
    v.role = ar_strdup(al, vote->role);
    v.reason = ar_strdup(al, vote->reason);
    if (!v.actor || !v.role || !v.reason ||
        ar_grow(al, (void **)&a->votes, &cap, a->vote_count + 1, sizeof *a->votes)) {
        ar_free(al, (char *)v.actor);
        ar_free(al, (char *)v.role);
        ar_free(al, (char *)v.reason);
        return ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
    }
    a->votes[a->vote_count++] = v;
    return 0;
}

static int vote_in_txn(archase_engine *e, const char *id, const archase_approval_vote *vote, int approve,
                       ar_canon *scratch, ar_canon *payload, int *status, refusal *ref) {
    ar_approval a;
    archase_instant now = ar_engine_now(e);
    const char *what = approve ? "approve" : "reject";
    char new_id[ARCHASE_APPROVAL_ID_MAX] = "";
    ar_approval_init(&a, AR_ENGINE_ALLOC(e));
    int rc = ar_approval_load(e, id, &a);
    if (rc == ARCHASE_ENOTFOUND) {
        refuse(ref, rc, "no approval request '%s'", id);
        rc = 0;
        goto refused;
    }
    if (rc)
        goto done;
    if (a.status == ARCHASE_APPROVAL_PENDING && now >= a.expires) {
        rc = lapse(e, &a, scratch, now);
        refuse(ref, ARCHASE_EEXPIRED, "request %s lapsed before it was decided", id);
    } else if (a.status != ARCHASE_APPROVAL_PENDING) {
        refuse(ref, a.status == ARCHASE_APPROVAL_EXPIRED ? ARCHASE_EEXPIRED : ARCHASE_ESTATE,
               "request %s is %s, not pending", id, archase_approval_status_name(a.status));
    } else if (!strcmp(vote->actor, a.requester)) {
        refuse(ref, ARCHASE_EDENIED,
               "%s raised request %s and cannot %s it (separation of duties)", vote->actor, id, what);
    } else if (!role_allowed(&a, vote->role)) {
        char roles[200];
        list_roles(&a, roles, sizeof roles);
        refuse(ref, ARCHASE_EDENIED, "role '%s' may not decide on request %s (the policy allows: %s)",
               vote->role, id, roles);
    } else {
        for (uint32_t i = 0; i < a.vote_count && !ref->code; i++)
            if (!strcmp(a.votes[i].actor, vote->actor))
                refuse(ref, ARCHASE_EDENIED, "%s already decided on request %s: one person counts once",
                       vote->actor, id);
    }
    if (rc || ref->code)
        goto refused;
    if (approve) {
        /* An approval binds to what the request was raised on. */
        const uint8_t *bytes;
        size_t size;
        uint8_t hash[32];
        int same = 0;
        rc = payload_now(e, &a, NULL, 0, payload, &bytes, &size, hash, &same);
        if (!rc && !same) {
            rc = void_request(e, &a, bytes, size, hash, scratch, new_id);
            describe_void(ref, &a, new_id);
        }
        if (rc || ref->code)
            goto refused;
    }
    rc = add_vote(e, &a, vote, approve, now);
    if (rc)
        goto done;
    uint32_t approvals = 0;
    for (uint32_t i = 0; i < a.vote_count; i++)
        approvals += a.votes[i].approve ? 1u : 0u;
    if (!approve) {
        a.status = ARCHASE_APPROVAL_REJECTED;
        a.closed = now;
    } else if (approvals >= a.required) {
        a.status = ARCHASE_APPROVAL_APPROVED;
    }
    rc = ar_approval_store(e, &a, scratch);
    if (!rc) {
        ar_approval_event ev = { ARCHASE_AUDIT_APPROVAL_DECISION, a.id, vote->actor, vote->role, what,
                                 vote->reason, 0, a.status, a.payload_hash, NULL };
        rc = ar_approval_audit(e, &ev);
    }
    if (!rc && status)
        *status = a.status;
    goto done;
refused:
    if (!rc)
        rc = record_refusal(e, id, vote->actor, vote->role, what, ref, a.status);
    if (!rc && status)
        *status = a.status;
done:
    ar_approval_free(&a);
    return rc;
}

static int decide(archase_engine *e, const char *id, const archase_approval_vote *vote, int approve,
                  int *status) {
    ar_canon scratch, payload;
    refusal ref = { 0, "" };
    int st = 0;
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (!id_ok(id) || !vote)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "a request id and a vote are needed");
    if (vote->version != ARCHASE_APPROVAL_VOTE_VERSION)
        return ar_error_set(&e->err, ARCHASE_EVERSION, "vote version %u is not supported", vote->version);
    if (!text_ok(vote->actor) || !text_ok(vote->role) || !text_ok(vote->reason))
        return ar_error_set(&e->err, ARCHASE_EINVAL, "an approver's actor, role and reason are required");
    if (e->batch)
        return ar_error_set(&e->err, ARCHASE_ESTATE, "a batch is open on this engine");
    int rc = ar_txn_begin(e);
    if (rc)
        return rc;
    ar_canon_init(&scratch, AR_ENGINE_ALLOC(e));
    ar_canon_init(&payload, AR_ENGINE_ALLOC(e));
    rc = vote_in_txn(e, id, vote, approve, &scratch, &payload, &st, &ref);
    /* A refusal is committed too: the attempt stays on record. */
    if (!rc)
        rc = ar_txn_commit(e);
    else
        ar_txn_rollback(e);
    ar_canon_free(&scratch);
    ar_canon_free(&payload);
    if (rc)
        return rc;
    if (status)
        *status = st;
    return ref.code ? ar_error_set(&e->err, ref.code, "%s", ref.why) : 0;
}

int archase_approval_approve(archase_engine *e, const char *id, const archase_approval_vote *vote,
                             int *status) {
    return decide(e, id, vote, 1, status);
}

int archase_approval_reject(archase_engine *e, const char *id, const archase_approval_vote *vote,
                            int *status) {
    return decide(e, id, vote, 0, status);
}

/* ---- carrying out ------------------------------------------------------------------------- */

/* The check, inside the caller's transaction; a refusal is recorded and
 * described in `ref` (the caller sets the message). */
static int check_in_txn(archase_engine *e, const char *id, const void *given, size_t given_size,
                        const char *actor, ar_gate_outcome *out, refusal *ref) {
    ar_approval a;
    ar_canon scratch, payload;
    archase_instant now = ar_engine_now(e);
    ar_approval_init(&a, AR_ENGINE_ALLOC(e));
    ar_canon_init(&scratch, AR_ENGINE_ALLOC(e));
    ar_canon_init(&payload, AR_ENGINE_ALLOC(e));
    memset(out, 0, sizeof *out);
    int rc = ar_approval_load(e, id, &a);
    if (rc == ARCHASE_ENOTFOUND) {
        refuse(ref, rc, "no approval request '%s': a sensitive action is never carried out without one", id);
        rc = 0;
        goto refused;
    }
    if (rc)
        goto done;
    int live = a.status == ARCHASE_APPROVAL_PENDING || a.status == ARCHASE_APPROVAL_APPROVED;
    if (live && now >= a.expires) {
        rc = lapse(e, &a, &scratch, now);
        refuse(ref, ARCHASE_EEXPIRED, "request %s lapsed before it was carried out", id);
    } else if (a.status == ARCHASE_APPROVAL_DISPATCHED) {
        refuse(ref, ARCHASE_ESTATE, "request %s was already carried out: an approval is used once", id);
    } else if (a.status == ARCHASE_APPROVAL_EXPIRED) {
        refuse(ref, ARCHASE_EEXPIRED, "request %s lapsed", id);
    } else if (a.status == ARCHASE_APPROVAL_PENDING) {
        uint32_t approvals = 0;
        for (uint32_t i = 0; i < a.vote_count; i++)
            approvals += a.votes[i].approve ? 1u : 0u;
        refuse(ref, ARCHASE_EDENIED, "request %s is not approved: %u of %u approvals", id, approvals, a.required);
    } else if (a.status != ARCHASE_APPROVAL_APPROVED) {
        refuse(ref, ARCHASE_EDENIED, "request %s is %s: it may not be carried out", id,
               archase_approval_status_name(a.status));
        if (a.status == ARCHASE_APPROVAL_VOIDED && a.replaced_by)
            snprintf(out->new_id, sizeof out->new_id, "%s", a.replaced_by);
    }
    if (!rc && !ref->code && a.act.action == ARCHASE_ACTION_CREDIT_HOLD) {
        /* A hold with a notice takes effect only the notice days after the
         * notice went out (engine/credit_notice.h). */
        int ready = 1;
        archase_instant at = 0;
        rc = ar_credit_notice_ready(e, id, now, &ready, &at);
        if (!rc && !ready && !at)
            refuse(ref, ARCHASE_EDENIED, "request %s is a credit hold whose notice to the customer has not been "
                                         "sent: the hold never takes effect before it", id);
        else if (!rc && !ready)
            refuse(ref, ARCHASE_EDENIED, "request %s is a credit hold in its notice period: it takes effect "
                                         "%lld seconds from now", id, (long long)(at - now));
    }
    if (rc || ref->code)
        goto refused;
    const uint8_t *bytes;
    size_t size;
    uint8_t hash[32];
    int same = 0;
    rc = payload_now(e, &a, given, given_size, &payload, &bytes, &size, hash, &same);
    if (!rc && !same && given) {
        /* The caller's view changed; the replacement is bound to what the
         * store holds now (none when the store still has the old facts). */
        rc = payload_now(e, &a, NULL, 0, &payload, &bytes, &size, hash, &same);
        if (same)
            bytes = NULL;
        same = 0;
    }
    if (!rc && !same) {
        rc = void_request(e, &a, bytes, size, hash, &scratch, out->new_id);
        describe_void(ref, &a, out->new_id);
    }
    if (rc || ref->code)
        goto refused;
    out->status = a.status;
    goto done;
refused:
    out->status = a.status;
    if (!rc)
        rc = record_refusal(e, id, actor, NULL, "dispatch", ref, a.status);
done:
    ar_approval_free(&a);
    ar_canon_free(&scratch);
    ar_canon_free(&payload);
    return rc;
}

int ar_approval_check_dispatch(archase_engine *e, const char *id, const void *current_payload,
                               size_t payload_size, const char *actor, ar_gate_outcome *out) {
    refusal ref = { 0, "" };
    int rc = check_in_txn(e, id, current_payload, payload_size, actor, out, &ref);
    if (rc)
        return rc;
    return ref.code ? ar_error_set(&e->err, ref.code, "%s", ref.why) : 0;
}

int ar_approval_gate(archase_engine *e, const archase_policy *p, int action, const archase_money *amount,
                     const char *request_id, const void *current_payload, size_t payload_size,
                     ar_gate_outcome *out) {
    memset(out, 0, sizeof *out);
    if (!ar_approval_needed(p, action, amount))
        return 0;
    if (!request_id) {
        refusal ref;
        refuse(&ref, ARCHASE_EDENIED, "%s is a sensitive action: it is never carried out without an "
                                      "approved request", archase_action_name(action));
        int rc = record_refusal(e, "", NULL, NULL, "dispatch", &ref, 0);
        return rc ? rc : ar_error_set(&e->err, ref.code, "%s", ref.why);
    }
    return ar_approval_check_dispatch(e, request_id, current_payload, payload_size, NULL, out);
}

int ar_approval_mark_dispatched(archase_engine *e, const char *id, const char *actor) {
    ar_approval a;
    ar_canon scratch;
    ar_approval_init(&a, AR_ENGINE_ALLOC(e));
    ar_canon_init(&scratch, AR_ENGINE_ALLOC(e));
    int rc = ar_approval_load(e, id, &a);
    if (!rc && a.status != ARCHASE_APPROVAL_APPROVED)
        rc = ar_error_set(&e->err, ARCHASE_ESTATE, "request %s is %s, not approved", id,
                          archase_approval_status_name(a.status));
    if (!rc) {
        a.status = ARCHASE_APPROVAL_DISPATCHED;
        a.closed = ar_engine_now(e);
        rc = ar_approval_store(e, &a, &scratch);
    }
    if (!rc) {
        /* An override takes effect here: the log says so in its own kind. */
        uint32_t kind = a.act.action == ARCHASE_ACTION_OVERRIDE ? ARCHASE_AUDIT_OVERRIDE
                                                                : ARCHASE_AUDIT_APPROVAL_DISPATCHED;
        ar_approval_event ev = { kind, a.id, actor, NULL, "dispatch", a.act.reason_code, 0,
                                 ARCHASE_APPROVAL_DISPATCHED, a.payload_hash, NULL };
        rc = ar_approval_audit(e, &ev);
    }
    ar_approval_free(&a);
    ar_canon_free(&scratch);
    return rc;
}

int archase_approval_dispatch(archase_engine *e, const char *id, const char *actor,
                              char new_id[ARCHASE_APPROVAL_ID_MAX]) {
    ar_gate_outcome out;
    refusal ref = { 0, "" };
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (!id_ok(id) || (actor && !text_ok(actor)))
        return ar_error_set(&e->err, ARCHASE_EINVAL, "a request id (and a valid actor) are needed");
    if (e->batch)
        return ar_error_set(&e->err, ARCHASE_ESTATE, "a batch is open on this engine");
    int rc = ar_txn_begin(e);
    if (rc)
        return rc;
    rc = check_in_txn(e, id, NULL, 0, actor, &out, &ref);
    if (!rc && !ref.code)
        rc = ar_approval_mark_dispatched(e, id, actor);
    if (!rc)
        rc = ar_txn_commit(e);
    else
        ar_txn_rollback(e);
    if (rc)
        return rc;
    if (new_id)
        snprintf(new_id, ARCHASE_APPROVAL_ID_MAX, "%s", out.new_id);
    return ref.code ? ar_error_set(&e->err, ref.code, "%s", ref.why) : 0;
}
