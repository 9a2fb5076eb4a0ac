/* libarchase/engine/review.c — the copilot review queue (archase/cycle.h):
 * a person approves, edits within the template's fields, or rejects a
 * draft; each is an audit record naming the reviewer, and the item keeps
 * who reviewed it and how long it waited (the reviewer-effort figures). */
#include <stdio.h>
#include <string.h>

#include "archase/cycle.h"
#include "archase/date.h"
#include "archase/errors.h"
#include "core/alloc.h"
#include "engine/outbox.h"
#include "policy/arena.h"

enum { REVIEW_APPROVE = 1, REVIEW_EDIT = 2, REVIEW_REJECT = 3 };

/* Compiles `text` as a template and renders it from the draft's data. */
static int render_edit(archase_engine *e, const ar_outbox *o, ar_arena *arena, const char *text, int subject,
                       ar_buf *out) {
    const ar_tmpl_text *compiled = NULL;
    ar_tmpl_error err;
    memset(&err, 0, sizeof err);
    int rc = ar_tmpl_compile(arena, text, strlen(text), &compiled, &err);
    if (rc == ARCHASE_EPARSE)
        return ar_error_set(&e->err, rc, "the edited %s, at character %u: %s", subject ? "subject" : "body",
                            (unsigned)err.offset + 1, err.message);
    if (rc)
        return ar_error_set(&e->err, rc, "out of memory");
    ar_template_variant v = { o->item.channel, o->render.locale ? o->render.locale : "en",
                              subject ? compiled : NULL, subject ? compiled : compiled };
    ar_template t;
    memset(&t, 0, sizeof t);
    t.name = o->item.template_name ? o->item.template_name : "edited";
    t.stage = t.name;
    t.tone = o->item.tone;
    t.variants = &v;
    t.variant_count = 1;
    t.default_locale = v.locale;
    t.sms_max_length = 1600;
    rc = subject ? ar_template_render_subject(&t, &o->render, o->item.channel, out)
                 : ar_template_render(&t, &o->render, o->item.channel, out);
    ar_buf_terminate(out);
    if (rc || out->err)
        return ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory rendering the edited text");
    return 0;
}

static int review(archase_engine *e, const char *id, const archase_review *r, int what, const char *subject,
                  const char *body) {
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (!id || !*id || !r)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "an outbox item id and a review are required");
    if (r->version != ARCHASE_REVIEW_VERSION)
        return ar_error_set(&e->err, ARCHASE_EVERSION, "review version %u is not %u", r->version,
                            ARCHASE_REVIEW_VERSION);
    if (!r->reviewer || !*r->reviewer)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "the reviewer is required");
    if (what == REVIEW_REJECT && (!r->note || !*r->note))
        return ar_error_set(&e->err, ARCHASE_EINVAL, "a note saying why is required to reject a draft");
    if (what == REVIEW_EDIT && !subject && !body)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "an edit needs a new subject or body");
    if (e->batch || e->in_txn)
        return ar_error_set(&e->err, ARCHASE_ESTATE, "a batch or transaction is open on the engine");
    ar_outbox o;
    ar_canon c;
    ar_arena arena;
    ar_buf new_subject, new_body;
    ar_outbox_init(&o, AR_ENGINE_ALLOC(e));
    ar_canon_init(&c, AR_ENGINE_ALLOC(e));
    ar_arena_init(&arena, AR_ENGINE_ALLOC(e));
    ar_buf_init(&new_subject, AR_ENGINE_ALLOC(e));
    ar_buf_init(&new_body, AR_ENGINE_ALLOC(e));
    int rc = ar_txn_begin(e);
    if (rc)
        goto done;
    rc = ar_outbox_load(e, id, &o);
    if (rc)
        goto rollback;
    if (o.item.status != ARCHASE_OUTBOX_DRAFT) {
        rc = ar_error_set(&e->err, ARCHASE_ESTATE, "outbox item '%s' is not a draft waiting for review", id);
        goto rollback;
    }
    if (what == REVIEW_EDIT) {
        if (!o.has_render) {
            rc = ar_error_set(&e->err, ARCHASE_ESTATE, "outbox item '%s' keeps no data to render an edit from", id);
            goto rollback;
        }
        if (subject && (rc = render_edit(e, &o, &arena, subject, 1, &new_subject)) != 0)
            goto rollback;
        if (body && (rc = render_edit(e, &o, &arena, body, 0, &new_body)) != 0)
            goto rollback;
        if (subject)
            o.item.subject = (const char *)new_subject.data;
        if (body)
            o.item.body = (const char *)new_body.data;
        o.item.edited = 1;
    }
    archase_instant now = ar_engine_now(e);
    o.item.reviewer = r->reviewer;
    o.item.reviewed_at = now;
    o.item.review_seconds = now - o.item.created_at;
    if (what == REVIEW_REJECT) {
        o.item.status = ARCHASE_OUTBOX_CANCELLED;
        o.item.next_attempt_at = now;
    } else {
        o.item.status = ARCHASE_OUTBOX_PENDING;
        o.item.next_attempt_at = o.item.scheduled_at > now ? o.item.scheduled_at : now;
    }
    rc = ar_outbox_store(e, &o, &c, 0);
    if (!rc) {
        char detail[96];
        snprintf(detail, sizeof detail, "%s after %lld s", what == REVIEW_APPROVE ? "approved"
                                                           : what == REVIEW_EDIT  ? "edited and approved"
                                                                                  : "rejected",
                 (long long)o.item.review_seconds);
        rc = ar_outbox_audit(e, id, ARCHASE_OUTBOX_DRAFT, o.item.status, 0, r->reviewer, detail, r->note);
    }
    if (rc)
        goto rollback;
    rc = ar_txn_commit(e);
    goto done;
rollback:
    ar_txn_rollback(e);
done:
    ar_buf_free(&new_body);
    ar_buf_free(&new_subject);
    ar_arena_free(&arena);
    ar_canon_free(&c);
    ar_outbox_free(&o);
    return rc;
}

int archase_review_approve(archase_engine *e, const char *id, const archase_review *r) {
    return review(e, id, r, REVIEW_APPROVE, NULL, NULL);
}

int archase_review_edit(archase_engine *e, const char *id, const archase_review *r, const char *subject,
                        const char *body) {
    return review(e, id, r, REVIEW_EDIT, subject, body);
}

int archase_review_reject(archase_engine *e, const char *id, const archase_review *r) {
    return review(e, id, r, REVIEW_REJECT, NULL, NULL);
}
