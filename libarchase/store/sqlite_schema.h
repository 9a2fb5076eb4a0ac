/* libarchase/store/sqlite_schema.h — the SQLite store's tables, columns and
 * migrations (docs/storage.md documents every one). */
#ifndef AR_STORE_SQLITE_SCHEMA_H
#define AR_STORE_SQLITE_SCHEMA_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* Where a column's value comes from: an envelope field, or a field of the
 * canonical record in `data` (decoded columns, for people and reports). */
enum {
    AR_COL_ID,
    AR_COL_CUSTOMER,
    AR_COL_INVOICE,
    AR_COL_REVISION,
    AR_COL_STATUS,
    AR_COL_DATE,
    AR_COL_DATE2,
    AR_COL_DATE3,
    AR_COL_AMOUNT,
    AR_COL_AMOUNT2,
    AR_COL_CURRENCY,
    AR_COL_INSTANT,
    AR_COL_DATA,
    AR_COL_ENVELOPE_COUNT,
    /* decoded from data by canonical field number */
    AR_COL_TEXT = 100,   /* STRING, or an enum name */
    AR_COL_BOOL,         /* BOOL as 0/1, absent = 0 */
    AR_COL_DAY,          /* DATE as ISO text */
    AR_COL_INT,          /* INT */
    AR_COL_MINOR,        /* MONEY: minor units */
    AR_COL_MONEY_CODE,   /* MONEY: currency */
    AR_COL_JSON_LIST,    /* LIST of STRING as a JSON array */
};

typedef struct ar_sql_column {
    const char *name;
    int         source;  /* AR_COL_* */
    uint16_t    field;   /* canonical field number for decoded columns */
} ar_sql_column;

typedef struct ar_sql_table {
    int                  family;
    const char          *name;
    /* the column of each envelope field (AR_COL_ID .. AR_COL_DATA), NULL = not stored */
    const char          *env[AR_COL_ENVELOPE_COUNT];
    const ar_sql_column *decoded;
    size_t               ndecoded;
    /* status as text: its name (an integer when the name is NULL); NULL
     * function = status stored as an integer */
    const char *(*status_name)(int status);
} ar_sql_table;

/* The table of a family, or NULL. */
const ar_sql_table *ar_sql_table_of(int family);

/* The newest schema version this library writes. */
#define AR_SQLITE_SCHEMA_VERSION 4

/* Brings the schema of `db` up to `target` (<= AR_SQLITE_SCHEMA_VERSION)
 * inside one transaction, recording each step in schema_migrations. A schema
 * newer than the library's is refused. 0, ARCHASE_EVERSION, ARCHASE_EBUSY or
 * ARCHASE_ESTORAGE, with a message in `err`. */
int ar_sqlite_migrate(sqlite3 *db, int target, char *err, size_t err_size);

/* The version recorded in schema_migrations (0 for an empty file). */
int ar_sqlite_schema_read(sqlite3 *db, int64_t *version, char *err, size_t err_size);

#endif
