/* include/archase/io.h — importing and exporting ledger facts as CSV and
 * JSON Lines (docs/import.md describes every format with examples).
 *
 * An import is one atomic batch (archase/batch.h): every row is checked, every
 * bad row is reported with its line and column, and either every fact is
 * written or none is. Importing the same file twice changes nothing the
 * second time (every fact is a duplicate).
 */
#ifndef ARCHASE_IO_H
#define ARCHASE_IO_H

#include "archase/batch.h"
#include "archase/common.h"
#include "archase/diag.h"
#include "archase/engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a file holds. Values are pinned. */
typedef enum archase_kind {
    ARCHASE_KIND_CUSTOMERS = 1, /* also sets contacts (email, phone) and flags */
    ARCHASE_KIND_CONTACTS = 2,
    ARCHASE_KIND_FLAGS = 3,
    ARCHASE_KIND_INVOICES = 4,
    ARCHASE_KIND_PAYMENTS = 5,  /* payments, adjustments, write-offs (and credit notes) */
    ARCHASE_KIND_CREDITS = 6,   /* credit notes */
    ARCHASE_KIND_PROMISES = 7,
    ARCHASE_KIND_DISPUTES = 8,
    ARCHASE_KIND_NOTES = 9
} archase_kind;

/* "customers", "invoices", ...; NULL for an unknown kind. */
ARCHASE_API const char *archase_kind_name(int kind);
/* The kind named `name`. Returns 0 or ARCHASE_EINVAL. */
ARCHASE_API int archase_kind_from_name(const char *name, int *out);

typedef enum archase_format {
    ARCHASE_FORMAT_CSV = 1,
    ARCHASE_FORMAT_JSONL = 2
} archase_format;

/* A mapping file (YAML) that adapts another system's CSV export: column
 * renames, date formats, decimal separators, constants, several kinds from
 * one file, "a settled date means paid in full". Immutable once loaded. */
typedef struct archase_mapping archase_mapping;

/* Loads a mapping. Every problem is reported to `diags` (may be NULL) as
 * file:line:column: message; unknown keys, duplicate keys, anchors, aliases
 * and tags are errors. `allocator` may be NULL. Returns 0, ARCHASE_EPARSE
 * (see diags), ARCHASE_EIO, ARCHASE_EINVAL, ARCHASE_ENOMEM. */
ARCHASE_API int archase_mapping_load_file(const char *path, const archase_allocator *allocator,
                                          archase_diag_list *diags, archase_mapping **out);
/* The same over `size` bytes; `source` names them in diagnostics. */
ARCHASE_API int archase_mapping_load_buffer(const char *data, size_t size, const char *source,
                                            const archase_allocator *allocator,
                                            archase_diag_list *diags, archase_mapping **out);
/* NULL is allowed. */
ARCHASE_API void archase_mapping_free(archase_mapping *mapping);

typedef struct archase_import_options {
    unsigned               version; /* ARCHASE_IMPORT_OPTIONS_VERSION */
    int                    kind;    /* archase_kind; ignored with a mapping (it names the kinds) */
    int                    format;  /* archase_format; default CSV */
    const archase_mapping *mapping; /* CSV only; NULL = the native format of `kind` */
    const char            *source;  /* the name diagnostics give; NULL = "<input>" or the path */
    /* version 2 */
    archase_date           as_of;   /* the day the file was exported: payments a mapping derives
                                       from an amount due are dated with it; ARCHASE_DATE_NONE =
                                       today by the engine's clock (UTC) */
    int                    edits;   /* 1 = a sheet exported from this ledger and edited by people
                                       (native formats): the revision column is the revision each
                                       row was exported at; a changed row becomes the next
                                       revision, and a row changed since its export is refused
                                       as a conflicting edit (docs/import.md) */
} archase_import_options;
#define ARCHASE_IMPORT_OPTIONS_VERSION 2
#define ARCHASE_IMPORT_OPTIONS_INIT \
    { ARCHASE_IMPORT_OPTIONS_VERSION, 0, ARCHASE_FORMAT_CSV, NULL, NULL, ARCHASE_DATE_NONE, 0 }
ARCHASE_API int archase_import_options_init(archase_import_options *opts, unsigned version);

/* Imports `size` bytes in one batch. Problems go to `diags` (may be NULL);
 * *summary (may be NULL) gets the counts. Returns 0 (everything written),
 * ARCHASE_EINVAL (a bad option, or rows rejected: nothing written),
 * ARCHASE_EPARSE (the file is not well-formed CSV/JSON, or its header is
 * wrong: nothing written), ARCHASE_ESTATE (a batch is open), ARCHASE_EBUSY,
 * ARCHASE_ESTORAGE, ARCHASE_ENOMEM. */
ARCHASE_API int archase_import_buffer(archase_engine *eng, const archase_import_options *opts,
                                      const void *data, size_t size, archase_diag_list *diags,
                                      archase_batch_summary *summary);
/* The same from a file (ARCHASE_EIO when it cannot be read). */
ARCHASE_API int archase_import_file(archase_engine *eng, const archase_import_options *opts,
                                    const char *path, archase_diag_list *diags,
                                    archase_batch_summary *summary);

/* Receives exported bytes. Return 0, or a negative code to stop the export
 * with it. */
typedef int (*archase_write_fn)(void *userdata, const void *data, size_t size);

typedef struct archase_export_options {
    unsigned version; /* ARCHASE_EXPORT_OPTIONS_VERSION */
    int      kind;    /* archase_kind */
    int      format;  /* archase_format; default CSV */
} archase_export_options;
#define ARCHASE_EXPORT_OPTIONS_VERSION 1
#define ARCHASE_EXPORT_OPTIONS_INIT { ARCHASE_EXPORT_OPTIONS_VERSION, 0, ARCHASE_FORMAT_CSV }
ARCHASE_API int archase_export_options_init(archase_export_options *opts, unsigned version);

/* Writes every fact of the kind, in id order, in the native format of the
 * kind (CSV with a header, or one JSON object per line), through `write`.
 * What is exported imports back as duplicates. Derived columns (an invoice's
 * open amount, status and settled date) are written too and ignored on
 * import. Returns 0, ARCHASE_EINVAL, the writer's code, ARCHASE_ESTORAGE,
 * ARCHASE_ENOMEM. */
ARCHASE_API int archase_export(archase_engine *eng, const archase_export_options *opts,
                               archase_write_fn write, void *userdata);

#ifdef __cplusplus
}
#endif
#endif
