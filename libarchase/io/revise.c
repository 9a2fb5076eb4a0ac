/* libarchase/io/revise.c — reading back the stored fact a row's fact would
 * replace, and setting revisions from it. */
#include "io/revise.h"

#include <string.h>

#include "archase/errors.h"
#include "core/canon.h"
#include "engine/batch.h"
#include "engine/engine.h"

void ar_stored_init(ar_stored *s, const archase_allocator *a) {
    memset(s, 0, sizeof *s);
    ar_buf_init(&s->bytes, a);
    ar_fact_init(&s->fact, a);
}

void ar_stored_free(ar_stored *s) {
    ar_buf_free(&s->bytes);
    ar_fact_free(&s->fact);
}

typedef struct load_ctx {
    ar_stored *s;
    int        rc;
} load_ctx;

static int keep(void *ctx, const archase_record *rec) {
    load_ctx *l = ctx;
    ar_stored *s = l->s;
    ar_buf_reset(&s->bytes);
    ar_buf_put(&s->bytes, rec->data, rec->size);
    if (s->bytes.err)
        return l->rc = ARCHASE_ENOMEM;
    int rc = ar_fact_decode(&s->fact, rec->family, rec->data, rec->size);
    if (rc)
        return l->rc = rc;
    s->found = 1;
    s->revision = rec->revision;
    s->status = rec->status;
    s->amount2 = rec->amount2;
    return 0;
}

int ar_stored_load(archase_engine *e, int family, const char *id, ar_stored *s) {
    s->found = 0;
    if (!id || !*id)
        return 0;
    load_ctx l = { s, 0 };
    int rc = ar_store_get(e, family, id, keep, &l);
    if (rc == ARCHASE_ENOTFOUND) {
        ar_error_clear(&e->err);
        return 0;
    }
    if (l.rc == ARCHASE_ENOMEM)
        return ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
    if (l.rc)
        return ar_error_set(&e->err, ARCHASE_ESTORAGE, "stored %s '%s' cannot be decoded",
                            ar_family_name(family), id);
    return rc;
}

/* 1 when `ref` encodes to exactly the stored bytes, 0 when not, or a fatal error. */
static int same_as_stored(archase_engine *e, ar_fact_ref ref, const ar_stored *s) {
    ar_canon c;
    ar_canon_init(&c, AR_ENGINE_ALLOC(e));
    const uint8_t *data = NULL;
    size_t size = 0;
    int rc = ar_fact_encode(&c, ref);
    if (!rc)
        rc = ar_canon_finish(&c, &data, &size);
    if (!rc)
        rc = size == s->bytes.len && !memcmp(data, s->bytes.data, size);
    else
        rc = ar_error_set(&e->err, rc, "encoding a %s failed", ar_family_name(ref.family));
    ar_canon_free(&c);
    return rc;
}

int ar_revise(archase_batch *b, int mode, ar_fact_ref ref, int64_t *revision, uint32_t line,
              uint32_t column) {
    if (mode != AR_REVISE_AUTO && mode != AR_REVISE_EDITS)
        return 0;
    ar_fact_error why;
    if (ar_fact_validate(ref, &why))
        return 0;
    archase_engine *e = ar_batch_engine(b);
    ar_stored s;
    ar_stored_init(&s, AR_ENGINE_ALLOC(e));
    const char *id = ar_fact_id(ref);
    int64_t given = *revision;
    int rc = ar_stored_load(e, ref.family, id, &s);
    if (rc || !s.found)
        goto done;
    *revision = s.revision;
    rc = same_as_stored(e, ref, &s);
    if (rc < 0) {
        *revision = given;
        goto done;
    }
    if (rc == 1) { /* nothing changed: a duplicate */
        rc = 0;
        goto done;
    }
    rc = 0;
    if (mode == AR_REVISE_EDITS && given != s.revision) {
        *revision = given;
        if (given < s.revision)
            rc = ar_batch_reject(b, ARCHASE_ECONFLICT, line, column,
                                 "%s '%s' was changed after this sheet was exported: the sheet has "
                                 "revision %lld, the ledger %lld; export again and redo the edit",
                                 ar_family_name(ref.family), id, (long long)given, (long long)s.revision);
        else
            rc = ar_batch_reject(b, ARCHASE_ECONFLICT, line, column,
                                 "%s '%s': revision %lld is newer than the ledger's %lld; keep the "
                                 "revision column as it was exported",
                                 ar_family_name(ref.family), id, (long long)given, (long long)s.revision);
        if (!rc)
            rc = 1;
        goto done;
    }
    if (s.revision == INT64_MAX) {
        *revision = given;
        rc = ar_batch_reject(b, ARCHASE_ECONFLICT, line, column, "%s '%s' has no revision after %lld",
                             ar_family_name(ref.family), id, (long long)s.revision);
        if (!rc)
            rc = 1;
        goto done;
    }
    *revision = s.revision + 1;
done:
    ar_stored_free(&s);
    return rc;
}
