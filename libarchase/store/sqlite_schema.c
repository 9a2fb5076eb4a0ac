/* libarchase/store/sqlite_schema.c — the SQLite store's tables, columns and
 * versioned migrations. */
#include "store/sqlite_schema.h"

#include <stdio.h>
#include <string.h>

#include "archase/errors.h"
#include "archase/sys/storage.h"
#include "engine/codec.h"

/* ---- migrations ---------------------------------------------------------- */

/* Version 1: the ledger, the engine's records and the audit log. Money is
 * integer minor units plus an ISO 4217 code, dates are ISO 8601 text,
 * `data` is the canonical encoding of the whole record. */
static const char migration_1[] =
    "CREATE TABLE customers ("
    " id TEXT PRIMARY KEY NOT NULL,"
    " revision INTEGER NOT NULL DEFAULT 0,"
    " name TEXT, tier TEXT, owner TEXT, collector TEXT, timezone TEXT, locale TEXT, country TEXT,"
    " credit_limit_minor INTEGER, credit_limit_currency TEXT,"
    " tags TEXT, source_link TEXT,"
    " data BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE contacts ("
    " id TEXT PRIMARY KEY NOT NULL,"
    " customer_id TEXT NOT NULL REFERENCES customers(id),"
    " revision INTEGER NOT NULL DEFAULT 0,"
    " channel TEXT NOT NULL, name TEXT, role TEXT, address TEXT,"
    " consent INTEGER NOT NULL DEFAULT 0, is_primary INTEGER NOT NULL DEFAULT 0,"
    " data BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE customer_flags ("
    " customer_id TEXT PRIMARY KEY NOT NULL REFERENCES customers(id),"
    " revision INTEGER NOT NULL DEFAULT 0,"
    " flags INTEGER NOT NULL DEFAULT 0,"
    " hold INTEGER NOT NULL DEFAULT 0, paused_until TEXT, expansion INTEGER NOT NULL DEFAULT 0,"
    " strategic INTEGER NOT NULL DEFAULT 0, service_issue INTEGER NOT NULL DEFAULT 0,"
    " reason TEXT, set_by TEXT,"
    " data BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE invoices ("
    " id TEXT PRIMARY KEY NOT NULL,"
    " customer_id TEXT NOT NULL REFERENCES customers(id),"
    " revision INTEGER NOT NULL DEFAULT 0,"
    " number TEXT, issue_date TEXT NOT NULL, due_date TEXT NOT NULL, last_payment_on TEXT,"
    " amount_minor INTEGER NOT NULL, open_minor INTEGER NOT NULL, currency TEXT NOT NULL,"
    " status TEXT NOT NULL CHECK (status = 'open' OR status = 'settled' OR status = 'void'),"
    " terms TEXT, po_ref TEXT, source_link TEXT,"
    " data BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE payments ("
    " id TEXT PRIMARY KEY NOT NULL,"
    " customer_id TEXT NOT NULL REFERENCES customers(id),"
    " invoice_id TEXT REFERENCES invoices(id),"
    " revision INTEGER NOT NULL DEFAULT 0,"
    " kind TEXT NOT NULL, paid_on TEXT NOT NULL,"
    " amount_minor INTEGER NOT NULL, applied_minor INTEGER NOT NULL, currency TEXT NOT NULL,"
    " reference TEXT, source_link TEXT, overpayment INTEGER NOT NULL DEFAULT 0,"
    " data BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE promises ("
    " id TEXT PRIMARY KEY NOT NULL,"
    " customer_id TEXT NOT NULL REFERENCES customers(id),"
    " invoice_id TEXT REFERENCES invoices(id),"
    " revision INTEGER NOT NULL DEFAULT 0,"
    " status TEXT NOT NULL, promised_on TEXT NOT NULL, recorded_on TEXT,"
    " amount_minor INTEGER NOT NULL, currency TEXT NOT NULL,"
    " invoice_ids TEXT, taken_by TEXT, channel TEXT, grace_days INTEGER,"
    " data BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE disputes ("
    " id TEXT PRIMARY KEY NOT NULL,"
    " customer_id TEXT NOT NULL REFERENCES customers(id),"
    " invoice_id TEXT REFERENCES invoices(id),"
    " revision INTEGER NOT NULL DEFAULT 0,"
    " status TEXT NOT NULL, opened_on TEXT NOT NULL, resolved_on TEXT,"
    " amount_minor INTEGER NOT NULL, credited_minor INTEGER NOT NULL DEFAULT 0, currency TEXT NOT NULL,"
    " invoice_ids TEXT, reason_code TEXT, owner TEXT, opened_by TEXT, resolution TEXT, root_cause TEXT,"
    " data BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE notes ("
    " id TEXT PRIMARY KEY NOT NULL,"
    " customer_id TEXT NOT NULL REFERENCES customers(id),"
    " invoice_id TEXT REFERENCES invoices(id),"
    " revision INTEGER NOT NULL DEFAULT 0,"
    " written_at TEXT NOT NULL, author TEXT, text TEXT,"
    " data BLOB NOT NULL) WITHOUT ROWID;"
#define GENERIC_TABLE(name)                                                                     \
    "CREATE TABLE " name " ("                                                                   \
    " id TEXT PRIMARY KEY NOT NULL, customer_id TEXT, invoice_id TEXT,"                         \
    " revision INTEGER NOT NULL DEFAULT 0, status,"                                             \
    " date TEXT, date2 TEXT, date3 TEXT, amount INTEGER NOT NULL DEFAULT 0,"                    \
    " amount2 INTEGER NOT NULL DEFAULT 0, currency TEXT, at TEXT,"                              \
    " data BLOB NOT NULL) WITHOUT ROWID;"
    GENERIC_TABLE("cadence")
    GENERIC_TABLE("decisions")
    GENERIC_TABLE("approvals")
    GENERIC_TABLE("outbox")
    GENERIC_TABLE("recon_items")
    GENERIC_TABLE("checkpoints")
    GENERIC_TABLE("meta")
    "CREATE TABLE audit_log ("
    " idx INTEGER PRIMARY KEY,"
    " kind INTEGER NOT NULL, actor TEXT NOT NULL, at TEXT NOT NULL,"
    " data BLOB NOT NULL, leaf_hash BLOB NOT NULL, prev_hash BLOB NOT NULL);"
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;"
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;";

/* Version 2: the indexes of the daily cycle's access paths. */
static const char migration_2[] =
    "CREATE INDEX invoices_by_status ON invoices(status, id);"
    "CREATE INDEX invoices_by_customer ON invoices(customer_id, id);"
    "CREATE INDEX invoices_open_by_due_date ON invoices(due_date) WHERE status = 'open';"
    "CREATE INDEX payments_by_invoice ON payments(invoice_id, id);"
    "CREATE INDEX payments_by_customer ON payments(customer_id, id);"
    "CREATE INDEX contacts_by_customer ON contacts(customer_id, id);"
    "CREATE INDEX promises_by_customer ON promises(customer_id, id);"
    "CREATE INDEX promises_by_invoice ON promises(invoice_id, id);"
    "CREATE INDEX promises_by_status ON promises(status, id);"
    "CREATE INDEX disputes_by_customer ON disputes(customer_id, id);"
    "CREATE INDEX disputes_by_invoice ON disputes(invoice_id, id);"
    "CREATE INDEX disputes_by_status ON disputes(status, id);"
    "CREATE INDEX notes_by_customer ON notes(customer_id, id);"
    "CREATE INDEX notes_by_invoice ON notes(invoice_id, id);"
    "CREATE INDEX cadence_by_invoice ON cadence(invoice_id, id);"
    "CREATE INDEX cadence_by_customer ON cadence(customer_id, id);"
    "CREATE INDEX decisions_by_invoice ON decisions(invoice_id, id);"
    "CREATE INDEX approvals_by_status ON approvals(status, id);"
    "CREATE INDEX outbox_by_status ON outbox(status, at, id);"
    "CREATE INDEX outbox_by_customer ON outbox(customer_id, id);"
    "CREATE INDEX recon_items_by_status ON recon_items(status, id);";

/* Version 3: the audit log's source-document links (a JSON array of strings)
 * and the Merkle subtree roots each entry completes (32 bytes each, lowest
 * level first), which make roots and proofs O(log n) reads. */
static const char migration_3[] =
    "ALTER TABLE audit_log ADD COLUMN links TEXT;"
    "ALTER TABLE audit_log ADD COLUMN nodes BLOB;";

/* Version 4: the outbox as a rowid table. Its rows carry a rendered
 * message (a few kilobytes, past a page's local payload); in a WITHOUT
 * ROWID table every key comparison on the way to a row reads the whole row
 * from its overflow pages, which made writing, claiming and acknowledging
 * items several times dearer than the row itself. */
static const char migration_4[] =
    "CREATE TABLE outbox_v4 ("
    " id TEXT PRIMARY KEY NOT NULL, customer_id TEXT, invoice_id TEXT,"
    " revision INTEGER NOT NULL DEFAULT 0, status,"
    " date TEXT, date2 TEXT, date3 TEXT, amount INTEGER NOT NULL DEFAULT 0,"
    " amount2 INTEGER NOT NULL DEFAULT 0, currency TEXT, at TEXT,"
    " data BLOB NOT NULL);"
    "INSERT INTO outbox_v4 (id, customer_id, invoice_id, revision, status, date, date2, date3, amount,"
    " amount2, currency, at, data)"
    " SELECT id, customer_id, invoice_id, revision, status, date, date2, date3, amount, amount2,"
    " currency, at, data FROM outbox ORDER BY id;"
    "DROP TABLE outbox;"
    "ALTER TABLE outbox_v4 RENAME TO outbox;"
    "CREATE INDEX outbox_by_status ON outbox(status, at, id);"
    "CREATE INDEX outbox_by_customer ON outbox(customer_id, id);";

typedef struct migration {
    int         version;
    const char *description;
    const char *sql;
} migration;

static const migration migrations[] = {
    { 1, "ledger, engine and audit tables", migration_1 },
    { 2, "indexes for the daily cycle", migration_2 },
    { 3, "audit log links and Merkle subtree roots", migration_3 },
    { 4, "the outbox as a rowid table", migration_4 },
};

static int sql_fail(sqlite3 *db, char *err, size_t err_size, const char *what) {
    int code = sqlite3_errcode(db);
    snprintf(err, err_size, "%s: %s", what, sqlite3_errmsg(db));
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        return ARCHASE_EBUSY;
    return ARCHASE_ESTORAGE;
}

static int exec(sqlite3 *db, const char *sql, char *err, size_t err_size, const char *what) {
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return sql_fail(db, err, err_size, what);
    return 0;
}

int ar_sqlite_schema_read(sqlite3 *db, int64_t *version, char *err, size_t err_size) {
    sqlite3_stmt *st = NULL;
    int rc = 0;
    *version = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'",
                           -1, &st, NULL) != SQLITE_OK)
        return sql_fail(db, err, err_size, "reading the schema");
    int step = sqlite3_step(st);
    int has_table = step == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    if (step != SQLITE_ROW)
        rc = sql_fail(db, err, err_size, "reading the schema");
    sqlite3_finalize(st);
    if (rc || !has_table)
        return rc;
    if (sqlite3_prepare_v2(db, "SELECT coalesce(max(version), 0) FROM schema_migrations", -1, &st,
                           NULL) != SQLITE_OK)
        return sql_fail(db, err, err_size, "reading schema_migrations");
    if (sqlite3_step(st) == SQLITE_ROW)
        *version = sqlite3_column_int64(st, 0);
    else
        rc = sql_fail(db, err, err_size, "reading schema_migrations");
    sqlite3_finalize(st);
    return rc;
}

int ar_sqlite_migrate(sqlite3 *db, int target, char *err, size_t err_size) {
    if (target < 0 || target > AR_SQLITE_SCHEMA_VERSION) {
        snprintf(err, err_size, "no schema version %d", target);
        return ARCHASE_EINVAL;
    }
    int rc = exec(db, "BEGIN IMMEDIATE", err, err_size, "starting the migration");
    if (rc)
        return rc;
    rc = exec(db,
              "CREATE TABLE IF NOT EXISTS schema_migrations ("
              " version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)",
              err, err_size, "creating schema_migrations");
    int64_t current = 0;
    if (!rc)
        rc = ar_sqlite_schema_read(db, &current, err, err_size);
    if (!rc && current > AR_SQLITE_SCHEMA_VERSION) {
        snprintf(err, err_size,
                 "the database has schema version %lld, newer than this library's %d: "
                 "use a newer libarchase",
                 (long long)current, AR_SQLITE_SCHEMA_VERSION);
        rc = ARCHASE_EVERSION;
    }
    for (size_t i = 0; !rc && i < sizeof migrations / sizeof migrations[0]; i++) {
        const migration *m = &migrations[i];
        if (m->version <= current || m->version > target)
            continue;
        char what[96];
        snprintf(what, sizeof what, "applying migration %d", m->version);
        rc = exec(db, m->sql, err, err_size, what);
        if (rc)
            break;
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db,
                               "INSERT INTO schema_migrations (version, description, applied_at)"
                               " VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                               -1, &st, NULL) != SQLITE_OK) {
            rc = sql_fail(db, err, err_size, what);
            break;
        }
        sqlite3_bind_int(st, 1, m->version);
        sqlite3_bind_text(st, 2, m->description, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = sql_fail(db, err, err_size, what);
        sqlite3_finalize(st);
    }
    if (!rc)
        rc = exec(db, "COMMIT", err, err_size, "committing the migration");
    if (rc)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* ---- tables -------------------------------------------------------------- */

static const ar_sql_column customer_cols[] = {
    { "name", AR_COL_TEXT, 3 },     { "tier", AR_COL_TEXT, 4 },     { "owner", AR_COL_TEXT, 5 },
    { "collector", AR_COL_TEXT, 6 }, { "timezone", AR_COL_TEXT, 7 }, { "locale", AR_COL_TEXT, 8 },
    { "country", AR_COL_TEXT, 9 },  { "tags", AR_COL_JSON_LIST, 11 }, { "source_link", AR_COL_TEXT, 12 },
};
static const ar_sql_column contact_cols[] = {
    { "name", AR_COL_TEXT, 4 },      { "role", AR_COL_TEXT, 5 },      { "address", AR_COL_TEXT, 7 },
    { "consent", AR_COL_BOOL, 8 },   { "is_primary", AR_COL_BOOL, 9 },
};
static const ar_sql_column flags_cols[] = {
    { "hold", AR_COL_BOOL, 3 },      { "paused_until", AR_COL_DAY, 4 }, { "expansion", AR_COL_BOOL, 5 },
    { "strategic", AR_COL_BOOL, 6 }, { "service_issue", AR_COL_BOOL, 7 }, { "reason", AR_COL_TEXT, 8 },
    { "set_by", AR_COL_TEXT, 9 },
};
static const ar_sql_column invoice_cols[] = {
    { "number", AR_COL_TEXT, 4 },    { "terms", AR_COL_TEXT, 8 },     { "po_ref", AR_COL_TEXT, 9 },
    { "source_link", AR_COL_TEXT, 10 },
};
static const ar_sql_column payment_cols[] = {
    { "reference", AR_COL_TEXT, 8 }, { "source_link", AR_COL_TEXT, 9 }, { "overpayment", AR_COL_BOOL, 10 },
};
static const ar_sql_column promise_cols[] = {
    { "invoice_ids", AR_COL_JSON_LIST, 4 }, { "taken_by", AR_COL_TEXT, 8 }, { "channel", AR_COL_TEXT, 9 },
    { "grace_days", AR_COL_INT, 11 },
};
static const ar_sql_column dispute_cols[] = {
    { "invoice_ids", AR_COL_JSON_LIST, 4 }, { "reason_code", AR_COL_TEXT, 6 }, { "opened_by", AR_COL_TEXT, 8 },
    { "owner", AR_COL_TEXT, 10 },    { "resolution", AR_COL_TEXT, 12 }, { "root_cause", AR_COL_TEXT, 13 },
};
static const ar_sql_column note_cols[] = {
    { "author", AR_COL_TEXT, 5 },    { "text", AR_COL_TEXT, 7 },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))
/*                       id    customer       invoice       revision    status    date   date2  date3  amount  amount2  currency  instant  data */
#define GENERIC_ENV { "id", "customer_id", "invoice_id", "revision", "status", "date", "date2", "date3", "amount", "amount2", "currency", "at", "data" }

static const ar_sql_table tables[] = {
    { ARCHASE_FAMILY_CUSTOMER, "customers",
      { "id", "id", NULL, "revision", NULL, NULL, NULL, NULL, "credit_limit_minor", NULL, "credit_limit_currency", NULL, "data" },
      customer_cols, N(customer_cols), NULL },
    { ARCHASE_FAMILY_CONTACT, "contacts",
      { "id", "customer_id", NULL, "revision", "channel", NULL, NULL, NULL, NULL, NULL, NULL, NULL, "data" },
      contact_cols, N(contact_cols), ar_channel_name },
    { ARCHASE_FAMILY_FLAGS, "customer_flags",
      { "customer_id", "customer_id", NULL, "revision", "flags", "paused_until", NULL, NULL, NULL, NULL, NULL, NULL, "data" },
      flags_cols, N(flags_cols), NULL },
    { ARCHASE_FAMILY_INVOICE, "invoices",
      { "id", "customer_id", "id", "revision", "status", "due_date", "issue_date", "last_payment_on",
        "amount_minor", "open_minor", "currency", NULL, "data" },
      invoice_cols, N(invoice_cols), ar_invoice_status_name },
    { ARCHASE_FAMILY_PAYMENT, "payments",
      { "id", "customer_id", "invoice_id", "revision", "kind", "paid_on", NULL, NULL, "amount_minor",
        "applied_minor", "currency", NULL, "data" },
      payment_cols, N(payment_cols), ar_payment_kind_name },
    { ARCHASE_FAMILY_PROMISE, "promises",
      { "id", "customer_id", "invoice_id", "revision", "status", "promised_on", "recorded_on", NULL,
        "amount_minor", NULL, "currency", NULL, "data" },
      promise_cols, N(promise_cols), ar_promise_status_name },
    { ARCHASE_FAMILY_DISPUTE, "disputes",
      { "id", "customer_id", "invoice_id", "revision", "status", "opened_on", "resolved_on", NULL,
        "amount_minor", "credited_minor", "currency", NULL, "data" },
      dispute_cols, N(dispute_cols), ar_dispute_status_name },
    { ARCHASE_FAMILY_NOTE, "notes",
      { "id", "customer_id", "invoice_id", "revision", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        "written_at", "data" },
      note_cols, N(note_cols), NULL },
    { ARCHASE_FAMILY_CADENCE, "cadence", GENERIC_ENV, NULL, 0, NULL },
    { ARCHASE_FAMILY_DECISION, "decisions", GENERIC_ENV, NULL, 0, NULL },
    { ARCHASE_FAMILY_APPROVAL, "approvals", GENERIC_ENV, NULL, 0, NULL },
    { ARCHASE_FAMILY_OUTBOX, "outbox", GENERIC_ENV, NULL, 0, ar_outbox_status_name },
    { ARCHASE_FAMILY_RECON, "recon_items", GENERIC_ENV, NULL, 0, ar_recon_status_name },
    { ARCHASE_FAMILY_CHECKPOINT, "checkpoints", GENERIC_ENV, NULL, 0, NULL },
    { ARCHASE_FAMILY_META, "meta", GENERIC_ENV, NULL, 0, NULL },
};

const ar_sql_table *ar_sql_table_of(int family) {
    for (size_t i = 0; i < N(tables); i++) {
        if (tables[i].family == family)
            return &tables[i];
    }
    return NULL;
}
