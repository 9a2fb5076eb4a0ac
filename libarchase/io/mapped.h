/* libarchase/io/mapped.h — importing another system's CSV export through a
 * mapping file. */
#ifndef AR_IO_MAPPED_H
#define AR_IO_MAPPED_H

#include "archase/batch.h"
#include "io/csv.h"
#include "io/mapping.h"

/* Reads the header of `csv` (on the mapping's header line) and every row
 * after it, and adds what each output of `m` makes of the row to `b`.
 * Payments derived from an amount due are dated `as_of`. A file that is not
 * well-formed or whose header lacks a column the mapping names is reported
 * through the batch and sets *malformed. Returns 0 or a fatal error
 * (ARCHASE_ENOMEM, storage), with the message on the batch's engine. */
int ar_import_mapped(archase_batch *b, ar_csv *csv, const archase_mapping *m, archase_date as_of,
                     int *malformed);

#endif
