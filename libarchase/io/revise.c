/* libarchase/io/revise.c — reading back the stored fact a row's fact would
 * replace, and setting revisions from it. */
#include "io/revise.h"

#include <stdio.h>
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

/* Rejects the row; returns 1, or the fatal error of reporting it. */
static int refuse(archase_batch *b, uint32_t line, uint32_t column, const char *msg) {
    int rc = ar_batch_reject(b, ARCHASE_ECONFLICT, line, column, "%s", msg);
    return rc ? rc : 1;
}

/* Remembers that this import writes the fact. 0 or a fatal error. */
static int remember(archase_engine *e, const ar_revise_at *at, const char *key) {
    if (at->written && ar_idset_add(at->written, key))
        return ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
    return 0;
}

int ar_revise(archase_batch *b, int mode, ar_fact_ref ref, int64_t *revision, const ar_revise_at *at) {
    if (mode != AR_REVISE_AUTO && mode != AR_REVISE_EDITS)
        return 0;
    ar_fact_error why;
    if (ar_fact_validate(ref, &why))
        return 0;
    archase_engine *e = ar_batch_engine(b);
    ar_stored s;
    ar_stored_init(&s, AR_ENGINE_ALLOC(e));
    const char *id = ar_fact_id(ref);
    const char *family = ar_family_name(ref.family);
    char key[AR_ID_MAX + 16], msg[AR_ID_MAX + 300];
    snprintf(key, sizeof key, "%d:%s", ref.family, id);
    int64_t given = *revision;
    int rc = ar_stored_load(e, ref.family, id, &s);
    if (!rc && !s.found)
        rc = remember(e, at, key);
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
    if (at->written && ar_idset_has(at->written, key)) {
        *revision = given;
        snprintf(msg, sizeof msg, "%s '%s' is given again with other content; a file gives each fact once",
                 family, id);
        rc = refuse(b, at->line, at->id_column, msg);
        goto done;
    }
    if (mode == AR_REVISE_EDITS && given != s.revision) {
        *revision = given;
        if (given < s.revision)
            snprintf(msg, sizeof msg, "%s '%s' was changed after this sheet was exported: the sheet has "
                     "revision %lld, the ledger %lld; export again and redo the edit",
                     family, id, (long long)given, (long long)s.revision);
        else
            snprintf(msg, sizeof msg, "%s '%s': revision %lld is newer than the ledger's %lld; keep the "
                     "revision column as it was exported", family, id, (long long)given, (long long)s.revision);
        rc = refuse(b, at->line, at->revision_column, msg);
        goto done;
    }
    if (s.revision == INT64_MAX) {
        *revision = given;
        snprintf(msg, sizeof msg, "%s '%s' has no revision after %lld", family, id, (long long)s.revision);
        rc = refuse(b, at->line, at->revision_column, msg);
        goto done;
    }
    *revision = s.revision + 1;
    rc = remember(e, at, key);
done:
    ar_stored_free(&s);
    return rc;
}
