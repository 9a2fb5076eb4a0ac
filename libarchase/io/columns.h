/* libarchase/io/columns.h — the columns of each kind's native format, and
 * turning one row of cells into facts added to a batch. */
#ifndef AR_IO_COLUMNS_H
#define AR_IO_COLUMNS_H

#include <stddef.h>
#include <stdint.h>

#include "archase/batch.h"
#include "archase/io.h"

/* Every column any kind has. */
typedef enum ar_col {
    C_ID, C_CUSTOMER_ID, C_INVOICE_ID, C_NAME, C_TIER, C_OWNER, C_COLLECTOR, C_TIMEZONE, C_LOCALE,
    C_COUNTRY, C_EMAIL, C_PHONE, C_CREDIT_LIMIT, C_CURRENCY, C_FLAGS, C_TAGS, C_SOURCE_LINK,
    C_REVISION, C_CHANNEL, C_ADDRESS, C_ROLE, C_CONSENT, C_PRIMARY, C_REASON, C_SET_BY, C_NUMBER,
    C_ISSUE_DATE, C_DUE_DATE, C_AMOUNT, C_PO_REF, C_TERMS, C_STATUS, C_DATE, C_REFERENCE, C_KIND,
    C_OVERPAYMENT, C_INVOICE_IDS, C_PROMISED_DATE, C_INSTALMENTS, C_TAKEN_BY, C_NOTE, C_GRACE_DAYS,
    C_RECORDED_ON, C_REASON_CODE, C_OPENED_ON, C_EVIDENCE, C_OPENED_BY, C_RESOLUTION, C_ROOT_CAUSE,
    C_RESOLVED_ON, C_CREDITED, C_AT, C_TEXT, C_AUTHOR,
    C_DERIVED,     /* written on export, ignored on import */
    C_SETTLED,     /* mappings only: a settled date means paid in full */
    C_AMOUNT_DUE,  /* mappings only: what is still due; the rest was paid */
    C_COUNT
} ar_col;

typedef struct ar_column_spec {
    const char *name;     /* the header name */
    ar_col      col;
    int         required; /* the header must have it */
    uint16_t    field;    /* canonical field number of the main fact (for diagnostics) */
} ar_column_spec;

/* The columns of a kind in their export order, NULL-terminated by name. */
const ar_column_spec *ar_kind_columns(int kind);
/* The spec of column `name` of `kind`, or NULL. */
const ar_column_spec *ar_kind_column(int kind, const char *name, size_t len);
/* 1 for the columns that hold a list (';'-separated in CSV, an array of
 * strings in JSON Lines): invoice_ids, tags, instalments. */
int ar_col_is_list(ar_col col);

/* One cell of a row. */
typedef struct ar_cell {
    const char *text;   /* NULL = the row has no such column */
    size_t      len;
    uint32_t    column; /* 1-based, 0 = a constant */
} ar_cell;

/* How cells are read. */
typedef struct ar_cell_rules {
    const char *date_format;     /* NULL = YYYY-MM-DD */
    char        decimal;         /* '.' or ',' */
    char        thousands;       /* 0 = none; else it separates groups of three digits */
    const char *currency_symbol; /* NULL = none; may stand before or after an amount's digits */
    int         parentheses;     /* 1 = "(12.50)" is -12.50 */
} ar_cell_rules;

/* The relationship flags a mapping's flag rules decide. */
enum { AR_FLAG_HOLD, AR_FLAG_EXPANSION, AR_FLAG_STRATEGIC, AR_FLAG_SERVICE_ISSUE, AR_FLAG_COUNT };

/* How the facts of a row are made, beyond reading its cells. */
typedef struct ar_row_how {
    const ar_cell_rules *rules;     /* NULL = the native rules */
    int                  revise;    /* AR_REVISE_* (io/revise.h): how revisions are set */
    int                  merge;     /* customers, flags: what the row leaves out keeps its stored value */
    int                  flag[AR_FLAG_COUNT]; /* flags outputs with rules: -1 = not decided, 0, 1 */
    archase_date         as_of;     /* the date of payments derived from an amount due */
    struct ar_idset     *written;   /* facts the import wrote from the store's revisions */
} ar_row_how;

/* Native rules, revisions as the source gives them, no flag decided, no as-of date. */
void ar_row_how_init(ar_row_how *how);

/* Turns the cells of one row of `kind` into facts and adds them to `b`
 * (bad cells are rejected through the batch). Returns 0 (added or
 * rejected: the batch knows) or a fatal error (ARCHASE_ENOMEM, storage). */
int ar_row_add(archase_batch *b, int kind, const ar_cell cells[C_COUNT], uint32_t line,
               const ar_row_how *how);

/* Parses a date with the date format of `rules` (NULL or no format: YYYY-MM-DD). */
int ar_cell_date(const ar_cell_rules *rules, const char *text, size_t len, archase_date *out);

#endif
