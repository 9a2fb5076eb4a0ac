/* libarchase/io/revise.h — what an import reads back from the store for the
 * facts of a row: the stored fact with the same id, revisions set from it
 * (a mapping's `revision: auto`, a sheet edited by people), and the values a
 * merging output keeps. Everything is read inside the import's transaction,
 * so a fact added by an earlier row of the same file counts as stored. */
#ifndef AR_IO_REVISE_H
#define AR_IO_REVISE_H

#include <stdint.h>

#include "archase/batch.h"
#include "engine/codec.h"
#include "engine/idset.h"

/* How the revision of a fact made from a row is set. */
enum {
    AR_REVISE_SOURCE = 0, /* as the row gives it (a revision column, or 0) */
    AR_REVISE_AUTO = 1,   /* from the store: the same content keeps the stored revision,
                             other content is the next one */
    AR_REVISE_EDITS = 2   /* the row's revision is the one it was exported at: an edit of
                             the stored revision becomes the next one; an edit of an older
                             one is a conflicting edit, refused */
};

/* The stored fact with a given id. */
typedef struct ar_stored {
    int     found;
    int64_t revision;
    int32_t status;   /* the envelope's: an invoice's derived state */
    int64_t amount2;  /* the envelope's: an invoice's open amount, a payment's applied part */
    ar_buf  bytes;    /* its canonical record */
    ar_fact fact;     /* decoded; its strings live as long as this */
} ar_stored;

void ar_stored_init(ar_stored *s, const archase_allocator *a);
void ar_stored_free(ar_stored *s);
/* Reads the fact of `family` with `id` into `s` (s->found says whether there
 * is one). Returns 0 or a fatal error (ARCHASE_ENOMEM, ARCHASE_ESTORAGE). */
int ar_stored_load(archase_engine *e, int family, const char *id, ar_stored *s);

/* Where a row's fact comes from, for what ar_revise reports. */
typedef struct ar_revise_at {
    uint32_t  line;
    uint32_t  id_column;       /* the column of the fact's id (0 = unknown) */
    uint32_t  revision_column; /* the column of the row's revision (0 = none) */
    ar_idset *written;         /* the facts this import wrote so far ("family:id") */
} ar_revise_at;

/* Sets *revision (the revision field of the fact `ref` points to) by `mode`.
 * A fact that is not valid is left alone: adding it reports why. A fact this
 * import already wrote with other content is refused (a file that gives one
 * fact twice, differently, has no single meaning). Returns 0 (add the fact),
 * 1 (it was rejected through the batch: a conflicting edit, or the fact twice)
 * or a fatal error. */
int ar_revise(archase_batch *b, int mode, ar_fact_ref ref, int64_t *revision, const ar_revise_at *at);

#endif
