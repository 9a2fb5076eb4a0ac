/* include/archase/batch.h — atomic batches of facts: all or nothing.
 *
 * A batch opens one storage transaction. Every fact added is validated and,
 * when valid, applied inside it, so later facts of the batch see earlier ones
 * (an invoice may refer to a customer added just before). A fact that is not
 * valid is reported to the batch's diagnostics list with its line (and its
 * column when the importer knows it) and counted as rejected; the batch goes
 * on so every invalid row is reported. Commit writes everything, or, when any
 * fact was rejected, nothing. One batch at a time per engine.
 */
#ifndef ARCHASE_BATCH_H
#define ARCHASE_BATCH_H

#include "archase/common.h"
#include "archase/diag.h"
#include "archase/ledger.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct archase_batch archase_batch;

/* What a batch did (or, for `rejected`, refused). */
typedef struct archase_batch_summary {
    unsigned version; /* ARCHASE_BATCH_SUMMARY_VERSION */
    uint64_t inserted;
    uint64_t updated;
    uint64_t duplicates;
    uint64_t stale;
    uint64_t rejected;
} archase_batch_summary;
#define ARCHASE_BATCH_SUMMARY_VERSION 1
#define ARCHASE_BATCH_SUMMARY_INIT { ARCHASE_BATCH_SUMMARY_VERSION, 0, 0, 0, 0, 0 }

/* Opens a batch on `eng`. Rejected facts are reported to `diags` (may be
 * NULL; the caller owns it) with `source` as their source name (NULL =
 * "<batch>"). Returns 0, ARCHASE_EINVAL, ARCHASE_ESTATE (a batch is already
 * open), ARCHASE_EBUSY, ARCHASE_ESTORAGE, ARCHASE_ENOMEM. */
ARCHASE_API int archase_batch_begin(archase_engine *eng, archase_diag_list *diags,
                                    const char *source, archase_batch **out);

/* Adds one fact; `line` is where it came from (0 = not from a file). Returns
 * 0 when it was accepted (as inserted, updated, duplicate or stale), or the
 * reason it was rejected (ARCHASE_EINVAL, ARCHASE_ECURRENCY,
 * ARCHASE_ENOTFOUND, ARCHASE_ECONFLICT), which is also reported to the
 * diagnostics and makes the commit fail. ARCHASE_ENOMEM and ARCHASE_ESTORAGE
 * are fatal: the batch can only be freed. */
ARCHASE_API int archase_batch_add_customer(archase_batch *b, const archase_customer *c, uint32_t line);
ARCHASE_API int archase_batch_add_contact(archase_batch *b, const archase_contact *c, uint32_t line);
ARCHASE_API int archase_batch_add_customer_flags(archase_batch *b, const archase_customer_flags *f,
                                                 uint32_t line);
ARCHASE_API int archase_batch_add_invoice(archase_batch *b, const archase_invoice *inv, uint32_t line);
ARCHASE_API int archase_batch_add_payment(archase_batch *b, const archase_payment *p, uint32_t line);
ARCHASE_API int archase_batch_add_promise(archase_batch *b, const archase_promise *p, uint32_t line);
ARCHASE_API int archase_batch_add_dispute(archase_batch *b, const archase_dispute *d, uint32_t line);
ARCHASE_API int archase_batch_add_note(archase_batch *b, const archase_note *n, uint32_t line);

/* Ends the batch: writes everything, or nothing. *summary (may be NULL)
 * receives the counts either way (when nothing was written, inserted,
 * updated, duplicates and stale are 0). Returns 0 (everything written),
 * ARCHASE_EINVAL (some fact was rejected: nothing written; the reasons are in
 * the diagnostics), or the fatal error that stopped the batch (nothing
 * written). Afterwards the batch can only be freed (ARCHASE_ESTATE). */
ARCHASE_API int archase_batch_commit(archase_batch *b, archase_batch_summary *summary);

/* Rolls back (when not committed) and frees the batch; NULL is allowed. */
ARCHASE_API void archase_batch_free(archase_batch *b);

#ifdef __cplusplus
}
#endif
#endif
