/* libarchase/engine/batch.c — putting facts one at a time and in atomic batches. */
#include "engine/batch.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "archase/errors.h"
#include "core/alloc.h"
#include "core/diag.h"
#include "engine/facts.h"
#include "engine/preview.h"

struct archase_batch {
    archase_engine        *e;
    archase_diag_list     *diags;
    char                  *source;
    archase_batch_summary  summary;
    int                    fatal;   /* the error that stopped the batch, or 0 */
    int                    done;    /* committed or failed: only free is left */
    const uint32_t        *columns;
    size_t                 ncolumns;
};

static const char *id_or_none(ar_fact_ref ref) {
    const char *id = ref.fact ? ar_fact_id(ref) : NULL;
    return id && *id ? id : "(no id)";
}

static void count_outcome(archase_batch_summary *s, archase_outcome o) {
    switch (o) {
    case ARCHASE_OUTCOME_INSERTED: s->inserted++; break;
    case ARCHASE_OUTCOME_UPDATED: s->updated++; break;
    case ARCHASE_OUTCOME_DUPLICATE: s->duplicates++; break;
    case ARCHASE_OUTCOME_STALE: s->stale++; break;
    }
}

/* ---- one fact at a time ------------------------------------------------- */

static int put_one(archase_engine *e, ar_fact_ref ref, archase_outcome *outcome) {
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (e->batch)
        return ar_error_set(&e->err, ARCHASE_ESTATE, "a batch is open on this engine");
    int rc = ar_txn_begin(e);
    if (rc)
        return rc;
    ar_fact_error why;
    archase_outcome result;
    rc = ar_fact_apply(e, ref, &result, &why);
    if (rc) {
        if (why.code)
            ar_error_set(&e->err, rc, "%s '%s': %s", ar_family_name(ref.family), id_or_none(ref),
                         why.message);
        ar_txn_rollback(e);
        return rc;
    }
    rc = ar_txn_commit(e);
    if (rc)
        return rc;
    if (outcome)
        *outcome = result;
    return 0;
}

#define PUT_FN(name, type, fam)                                                        \
    int name(archase_engine *e, const type *fact, archase_outcome *outcome) {          \
        ar_fact_ref ref = { fam, fact };                                               \
        return put_one(e, ref, outcome);                                               \
    }

PUT_FN(archase_customer_put, archase_customer, ARCHASE_FAMILY_CUSTOMER)
PUT_FN(archase_contact_put, archase_contact, ARCHASE_FAMILY_CONTACT)
PUT_FN(archase_customer_flags_put, archase_customer_flags, ARCHASE_FAMILY_FLAGS)
PUT_FN(archase_invoice_put, archase_invoice, ARCHASE_FAMILY_INVOICE)
PUT_FN(archase_payment_put, archase_payment, ARCHASE_FAMILY_PAYMENT)
PUT_FN(archase_promise_put, archase_promise, ARCHASE_FAMILY_PROMISE)
PUT_FN(archase_dispute_put, archase_dispute, ARCHASE_FAMILY_DISPUTE)
PUT_FN(archase_note_put, archase_note, ARCHASE_FAMILY_NOTE)

/* ---- batches --------------------------------------------------------------- */

int archase_batch_begin(archase_engine *e, archase_diag_list *diags, const char *source,
                        archase_batch **out) {
    if (!e || !out)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (e->batch)
        return ar_error_set(&e->err, ARCHASE_ESTATE, "a batch is already open on this engine");
    archase_batch *b = ar_calloc(AR_ENGINE_ALLOC(e), 1, sizeof *b);
    if (!b)
        return ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
    b->source = ar_strdup(AR_ENGINE_ALLOC(e), source ? source : "<batch>");
    if (!b->source) {
        ar_free(AR_ENGINE_ALLOC(e), b);
        return ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
    }
    int rc = ar_txn_begin(e);
    if (rc) {
        ar_free(AR_ENGINE_ALLOC(e), b->source);
        ar_free(AR_ENGINE_ALLOC(e), b);
        return rc;
    }
    b->e = e;
    b->diags = diags;
    b->summary = (archase_batch_summary)ARCHASE_BATCH_SUMMARY_INIT;
    e->batch = b;
    *out = b;
    return 0;
}

static int fail_batch(archase_batch *b, int rc) {
    if (!b->fatal) {
        b->fatal = rc;
        ar_txn_rollback(b->e);
    }
    return rc;
}

static int batch_state(archase_batch *b) {
    if (!b)
        return ARCHASE_EINVAL;
    if (b->done)
        return ar_error_set(&b->e->err, ARCHASE_ESTATE, "the batch is finished");
    return b->fatal;
}

int ar_batch_reject(archase_batch *b, int code, uint32_t line, uint32_t column, const char *fmt, ...) {
    int rc = batch_state(b);
    if (rc)
        return rc;
    b->summary.rejected++;
    va_list ap;
    va_start(ap, fmt);
    rc = ar_diag_vadd(b->diags, code, b->source, line, column, fmt, ap);
    va_end(ap);
    if (rc)
        return fail_batch(b, ar_error_set(&b->e->err, rc, "out of memory"));
    return 0;
}

static int add(archase_batch *b, ar_fact_ref ref, uint32_t line) {
    int rc = batch_state(b);
    if (rc)
        return rc;
    ar_error_clear(&b->e->err);
    ar_fact_error why;
    archase_outcome result;
    rc = b->e->preview ? ar_preview_take(b->e->preview, ref, &result, &why)
                       : ar_fact_apply(b->e, ref, &result, &why);
    if (!rc) {
        count_outcome(&b->summary, result);
        return 0;
    }
    if (!why.code)
        return fail_batch(b, rc);
    uint32_t column = why.field < b->ncolumns ? b->columns[why.field] : 0;
    int drc = ar_batch_reject(b, rc, line, column, "%s '%s': %s", ar_family_name(ref.family),
                              id_or_none(ref), why.message);
    if (drc)
        return drc;
    ar_error_set(&b->e->err, rc, "%s '%s': %s", ar_family_name(ref.family), id_or_none(ref),
                 why.message);
    return rc;
}

#define ADD_FN(name, type, fam)                                                   \
    int name(archase_batch *b, const type *fact, uint32_t line) {                 \
        ar_fact_ref ref = { fam, fact };                                          \
        return add(b, ref, line);                                                 \
    }

ADD_FN(archase_batch_add_customer, archase_customer, ARCHASE_FAMILY_CUSTOMER)
ADD_FN(archase_batch_add_contact, archase_contact, ARCHASE_FAMILY_CONTACT)
ADD_FN(archase_batch_add_customer_flags, archase_customer_flags, ARCHASE_FAMILY_FLAGS)
ADD_FN(archase_batch_add_invoice, archase_invoice, ARCHASE_FAMILY_INVOICE)
ADD_FN(archase_batch_add_payment, archase_payment, ARCHASE_FAMILY_PAYMENT)
ADD_FN(archase_batch_add_promise, archase_promise, ARCHASE_FAMILY_PROMISE)
ADD_FN(archase_batch_add_dispute, archase_dispute, ARCHASE_FAMILY_DISPUTE)
ADD_FN(archase_batch_add_note, archase_note, ARCHASE_FAMILY_NOTE)

void ar_batch_set_columns(archase_batch *b, const uint32_t *columns, size_t count) {
    b->columns = columns;
    b->ncolumns = columns ? count : 0;
}

archase_engine *ar_batch_engine(const archase_batch *b) {
    return b->e;
}

static void nothing_written(archase_batch_summary *s) {
    s->inserted = s->updated = s->duplicates = s->stale = 0;
}

int archase_batch_commit(archase_batch *b, archase_batch_summary *summary) {
    int rc = batch_state(b);
    if (rc == ARCHASE_EINVAL || (b && b->done))
        return rc;
    archase_engine *e = b->e;
    b->done = 1;
    if (!rc && b->summary.rejected) {
        ar_txn_rollback(e);
        rc = ar_error_set(&e->err, ARCHASE_EINVAL,
                          "%llu fact(s) rejected; nothing was written",
                          (unsigned long long)b->summary.rejected);
    } else if (!rc) {
        rc = ar_txn_commit(e);
    }
    if (rc)
        nothing_written(&b->summary);
    if (summary)
        *summary = b->summary;
    return rc;
}

void archase_batch_free(archase_batch *b) {
    if (!b)
        return;
    archase_engine *e = b->e;
    if (!b->done && !b->fatal)
        ar_txn_rollback(e);
    e->batch = NULL;
    ar_free(AR_ENGINE_ALLOC(e), b->source);
    ar_free(AR_ENGINE_ALLOC(e), b);
}
