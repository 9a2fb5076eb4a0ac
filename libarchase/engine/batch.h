/* libarchase/engine/batch.h — what importers add to a batch beyond the
 * public API: where a row's fields came from, and rows they reject themselves. */
#ifndef AR_ENGINE_BATCH_H
#define AR_ENGINE_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "archase/batch.h"

/* The 1-based column each canonical field number of the next facts came
 * from (columns[field], 0 = unknown); `columns` must stay valid while facts
 * are added. NULL clears it. */
void ar_batch_set_columns(archase_batch *b, const uint32_t *columns, size_t count);

/* Reports a row the importer could not turn into a fact (a bad cell): it is
 * counted as rejected and the commit fails. Returns 0, or ARCHASE_ENOMEM
 * (fatal, as for the add functions). */
int ar_batch_reject(archase_batch *b, int code, uint32_t line, uint32_t column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* The engine of the batch. */
archase_engine *ar_batch_engine(const archase_batch *b);

#endif
