/* libarchase/store/sqlite.c — the SQLite storage backend (the default).
 *
 * One file, WAL, synchronous=FULL unless asked otherwise, a busy timeout,
 * foreign keys on, trusted_schema off, defensive mode, versioned migrations,
 * real tables per family (sqlite_schema.c) and a prepared-statement cache.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "archase/date.h"
#include "archase/engine.h"
#include "archase/errors.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/canon.h"
#include "store/sqlite_schema.h"

#define SCAN_SHAPES 64 /* customer, invoice, status, from, to, no-data: 6 bits */

typedef struct cached {
    sqlite3_stmt *st;
    int           busy;
} cached;

typedef struct sqlstore {
    archase_allocator a;
    sqlite3          *db;
    int               in_txn;
    char              errmsg[768];
    cached            get[ARCHASE_FAMILY_LIMIT];
    cached            put[ARCHASE_FAMILY_LIMIT];
    cached            ins[ARCHASE_FAMILY_LIMIT];
    cached            del[ARCHASE_FAMILY_LIMIT];
    cached            scan[ARCHASE_FAMILY_LIMIT][SCAN_SHAPES];
    cached            audit_append, audit_read, audit_size;
    cached            claim_select, claim_update, outbox_move, outbox_settle;
    cached            begin, commit, rollback;
    ar_buf            scratch;    /* decoded-column text (JSON lists) */
    ar_buf            links;      /* an audit entry's links as JSON */
    archase_instant   at_instant; /* the last audit instant formatted ... */
    char              at_text[ARCHASE_INSTANT_FORMAT_MAX]; /* ... and its text ("" = none) */
    int64_t           audit_next; /* inside a transaction: the next audit index, -1 = unknown */
} sqlstore;

#define A(ss) (&(ss)->a)

/* ---- errors -------------------------------------------------------------- */

static int sfail(sqlstore *ss, const char *what) {
    int code = sqlite3_errcode(ss->db);
    snprintf(ss->errmsg, sizeof ss->errmsg, "%.300s: %.400s", what, sqlite3_errmsg(ss->db));
    switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return ARCHASE_EBUSY;
    case SQLITE_NOMEM:
        return ARCHASE_ENOMEM;
    default:
        return ARCHASE_ESTORAGE;
    }
}

static int fail(sqlstore *ss, int code, const char *msg) {
    snprintf(ss->errmsg, sizeof ss->errmsg, "%s", msg);
    return code;
}

/* ---- the statement cache ------------------------------------------------- */

/* The cached statement of `slot`, prepared from `sql` (built by `build` when
 * sql is NULL) on first use. When the cached one is in use (a callback
 * re-entered the store) a fresh one is prepared and *temp is set. */
typedef int (*sql_builder)(sqlstore *ss, ar_buf *sql, int family, int shape);

static int acquire(sqlstore *ss, cached *slot, const char *sql, sql_builder build, int family,
                   int shape, sqlite3_stmt **out, int *temp) {
    *temp = 0;
    if (slot->st && !slot->busy) {
        slot->busy = 1;
        *out = slot->st;
        return 0;
    }
    ar_buf text;
    ar_buf_init(&text, A(ss));
    if (!sql) {
        int rc = build(ss, &text, family, shape);
        ar_buf_terminate(&text);
        if (rc || text.err) {
            ar_buf_free(&text);
            return rc ? rc : fail(ss, ARCHASE_ENOMEM, "out of memory");
        }
        sql = (const char *)text.data;
    }
    sqlite3_stmt *st = NULL;
    int prc = sqlite3_prepare_v3(ss->db, sql, -1, slot->st ? 0 : SQLITE_PREPARE_PERSISTENT, &st, NULL);
    ar_buf_free(&text);
    if (prc != SQLITE_OK)
        return sfail(ss, "preparing a statement");
    if (slot->st) {
        *temp = 1;
    } else {
        slot->st = st;
        slot->busy = 1;
    }
    *out = st;
    return 0;
}

static void release(cached *slot, sqlite3_stmt *st, int temp) {
    if (temp) {
        sqlite3_finalize(st);
        return;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    slot->busy = 0;
}

static void finalize_slot(cached *slot) {
    sqlite3_finalize(slot->st);
    slot->st = NULL;
    slot->busy = 0;
}

/* ---- SQL text -------------------------------------------------------------- */

static void put_select_list(ar_buf *b, const ar_sql_table *t, int with_data) {
    for (int i = 0; i < AR_COL_ENVELOPE_COUNT; i++) {
        if (i)
            ar_buf_puts(b, ", ");
        if (t->env[i] && (i != AR_COL_DATA || with_data))
            ar_buf_printf(b, "\"%s\"", t->env[i]);
        else
            ar_buf_puts(b, "NULL");
    }
}

static int build_get(sqlstore *ss, ar_buf *b, int family, int shape) {
    (void)ss;
    (void)shape;
    const ar_sql_table *t = ar_sql_table_of(family);
    ar_buf_puts(b, "SELECT ");
    put_select_list(b, t, 1);
    ar_buf_printf(b, " FROM \"%s\" WHERE \"%s\" = ?1", t->name, t->env[AR_COL_ID]);
    return 0;
}

static int build_del(sqlstore *ss, ar_buf *b, int family, int shape) {
    (void)ss;
    (void)shape;
    const ar_sql_table *t = ar_sql_table_of(family);
    ar_buf_printf(b, "DELETE FROM \"%s\" WHERE \"%s\" = ?1", t->name, t->env[AR_COL_ID]);
    return 0;
}

/* The columns an insert writes, in parameter order: the envelope's (each
 * name once), then the decoded ones. */
static int column_seen(const ar_sql_table *t, int upto, const char *name) {
    for (int i = 0; i < upto; i++) {
        if (t->env[i] && !strcmp(t->env[i], name))
            return 1;
    }
    return 0;
}

/* shape 1: a plain insert (no replacing). */
static int build_put(sqlstore *ss, ar_buf *b, int family, int shape) {
    (void)ss;
    const ar_sql_table *t = ar_sql_table_of(family);
    ar_buf_printf(b, "INSERT INTO \"%s\" (", t->name);
    int n = 0;
    for (int i = 0; i < AR_COL_ENVELOPE_COUNT; i++) {
        if (t->env[i] && !column_seen(t, i, t->env[i]))
            ar_buf_printf(b, "%s\"%s\"", n++ ? ", " : "", t->env[i]);
    }
    for (size_t k = 0; k < t->ndecoded; k++)
        ar_buf_printf(b, "%s\"%s\"", n++ ? ", " : "", t->decoded[k].name);
    ar_buf_puts(b, ") VALUES (");
    for (int i = 1; i <= n; i++)
        ar_buf_printf(b, "%s?%d", i > 1 ? ", " : "", i);
    if (shape == 1) {
        ar_buf_putc(b, ')');
        return 0;
    }
    ar_buf_printf(b, ") ON CONFLICT (\"%s\") DO UPDATE SET ", t->env[AR_COL_ID]);
    int m = 0;
    for (int i = 0; i < AR_COL_ENVELOPE_COUNT; i++) {
        if (t->env[i] && i != AR_COL_ID && !column_seen(t, i, t->env[i]))
            ar_buf_printf(b, "%s\"%s\" = excluded.\"%s\"", m++ ? ", " : "", t->env[i], t->env[i]);
    }
    for (size_t k = 0; k < t->ndecoded; k++)
        ar_buf_printf(b, "%s\"%s\" = excluded.\"%s\"", m++ ? ", " : "", t->decoded[k].name,
                      t->decoded[k].name);
    return 0;
}

enum {
    SHAPE_CUSTOMER = 1,
    SHAPE_INVOICE = 2,
    SHAPE_STATUS = 4,
    SHAPE_FROM = 8,
    SHAPE_TO = 16,
    SHAPE_NO_DATA = 32,
};

static void put_where(ar_buf *b, const ar_sql_table *t, int shape) {
    ar_buf_puts(b, " WHERE 1");
    static const struct {
        int bit, col, param;
        const char *op;
    } parts[] = {
        { SHAPE_CUSTOMER, AR_COL_CUSTOMER, 1, "=" }, { SHAPE_INVOICE, AR_COL_INVOICE, 2, "=" },
        { SHAPE_STATUS, AR_COL_STATUS, 3, "=" },     { SHAPE_FROM, AR_COL_DATE, 4, ">=" },
        { SHAPE_TO, AR_COL_DATE, 5, "<=" },
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (!(shape & parts[i].bit))
            continue;
        if (t->env[parts[i].col])
            ar_buf_printf(b, " AND \"%s\" %s ?%d", t->env[parts[i].col], parts[i].op, parts[i].param);
        else
            ar_buf_printf(b, " AND ?%d IS NULL AND 0", parts[i].param);
    }
}

static int build_scan(sqlstore *ss, ar_buf *b, int family, int shape) {
    (void)ss;
    const ar_sql_table *t = ar_sql_table_of(family);
    ar_buf_puts(b, "SELECT ");
    put_select_list(b, t, !(shape & SHAPE_NO_DATA));
    ar_buf_printf(b, " FROM \"%s\"", t->name);
    put_where(b, t, shape);
    ar_buf_printf(b, " ORDER BY \"%s\"", t->env[AR_COL_ID]);
    return 0;
}

/* ---- binding and reading ------------------------------------------------- */

static int bind_date(sqlite3_stmt *st, int param, archase_date d) {
    if (d == ARCHASE_DATE_NONE)
        return sqlite3_bind_null(st, param);
    char text[ARCHASE_DATE_FORMAT_MAX];
    if (archase_date_format(d, text, sizeof text) != 0)
        return SQLITE_RANGE;
    return sqlite3_bind_text(st, param, text, 10, SQLITE_TRANSIENT);
}

static int bind_instant(sqlite3_stmt *st, int param, archase_instant t) {
    char text[ARCHASE_INSTANT_FORMAT_MAX];
    if (archase_instant_format(t, text, sizeof text) != 0)
        return SQLITE_RANGE;
    return sqlite3_bind_text(st, param, text, -1, SQLITE_TRANSIENT);
}

static int bind_status(sqlite3_stmt *st, int param, const ar_sql_table *t, int32_t status) {
    const char *name = t->status_name ? t->status_name(status) : NULL;
    if (name)
        return sqlite3_bind_text(st, param, name, -1, SQLITE_STATIC);
    return sqlite3_bind_int(st, param, status);
}

static int bind_text_or_null(sqlite3_stmt *st, int param, const char *s) {
    if (!s || !*s)
        return sqlite3_bind_null(st, param);
    return sqlite3_bind_text(st, param, s, -1, SQLITE_STATIC);
}

static int bind_envelope(sqlstore *ss, sqlite3_stmt *st, const ar_sql_table *t,
                         const archase_record *r, int *param) {
    int rc = SQLITE_OK;
    for (int i = 0; i < AR_COL_ENVELOPE_COUNT && rc == SQLITE_OK; i++) {
        if (!t->env[i] || column_seen(t, i, t->env[i]))
            continue;
        int p = (*param)++;
        switch (i) {
        case AR_COL_ID: rc = sqlite3_bind_text(st, p, r->id, -1, SQLITE_STATIC); break;
        case AR_COL_CUSTOMER: rc = bind_text_or_null(st, p, r->customer_id); break;
        case AR_COL_INVOICE: rc = bind_text_or_null(st, p, r->invoice_id); break;
        case AR_COL_REVISION: rc = sqlite3_bind_int64(st, p, r->revision); break;
        case AR_COL_STATUS: rc = bind_status(st, p, t, r->status); break;
        case AR_COL_DATE: rc = bind_date(st, p, r->date); break;
        case AR_COL_DATE2: rc = bind_date(st, p, r->date2); break;
        case AR_COL_DATE3: rc = bind_date(st, p, r->date3); break;
        case AR_COL_AMOUNT:
            /* A customer without a credit limit has no amount at all. */
            if (t->family == ARCHASE_FAMILY_CUSTOMER && !r->currency[0])
                rc = sqlite3_bind_null(st, p);
            else
                rc = sqlite3_bind_int64(st, p, r->amount);
            break;
        case AR_COL_AMOUNT2: rc = sqlite3_bind_int64(st, p, r->amount2); break;
        case AR_COL_CURRENCY: rc = bind_text_or_null(st, p, r->currency); break;
        case AR_COL_INSTANT: rc = bind_instant(st, p, r->instant); break;
        case AR_COL_DATA:
            rc = sqlite3_bind_blob(st, p, r->size ? r->data : "", (int)r->size, SQLITE_STATIC);
            break;
        }
    }
    if (rc == SQLITE_RANGE)
        return fail(ss, ARCHASE_EINVAL, "a date or instant of the record is out of range");
    if (rc != SQLITE_OK)
        return sfail(ss, "binding a record");
    return 0;
}

static void json_string(ar_buf *b, const uint8_t *s, size_t len) {
    size_t run = 0; /* bytes copied as they are, in one go */
    ar_buf_putc(b, '"');
    for (size_t i = 0; i < len; i++) {
        uint8_t c = s[i];
        if (c != '"' && c != '\\' && c >= 0x20)
            continue;
        ar_buf_put(b, s + run, i - run);
        run = i + 1;
        if (c < 0x20) {
            ar_buf_printf(b, "\\u%04x", c);
        } else {
            ar_buf_putc(b, '\\');
            ar_buf_putc(b, c);
        }
    }
    ar_buf_put(b, s + run, len - run);
    ar_buf_putc(b, '"');
}

/* Binds the decoded columns from the record's canonical data: what is not
 * there is NULL (or 0 for flags). */
static int bind_decoded(sqlstore *ss, sqlite3_stmt *st, const ar_sql_table *t,
                        const archase_record *r, int first_param) {
    for (size_t k = 0; k < t->ndecoded; k++) {
        int p = first_param + (int)k;
        int rc = t->decoded[k].source == AR_COL_BOOL ? sqlite3_bind_int(st, p, 0) : sqlite3_bind_null(st, p);
        if (rc != SQLITE_OK)
            return sfail(ss, "binding a record");
    }
    if (!t->ndecoded || !r->size)
        return 0;
    ar_buf_reset(&ss->scratch);
    ar_canon_reader rd;
    ar_canon_value v;
    ar_canon_reader_init(&rd, r->data, r->size);
    if (ar_canon_read(&rd, &v) || v.type != AR_CANON_RECORD)
        return 0; /* not ours to judge: the decoded columns stay empty */
    uint32_t fields = v.count;
    for (uint32_t i = 0; i < fields; i++) {
        uint16_t field;
        if (ar_canon_read_field(&rd, &field, &v))
            return 0;
        const ar_sql_column *col = NULL;
        size_t k = 0;
        for (; k < t->ndecoded; k++) {
            if (t->decoded[k].field == field) {
                col = &t->decoded[k];
                break;
            }
        }
        int p = first_param + (int)k, rc = SQLITE_OK;
        if (col && col->source == AR_COL_TEXT && v.type == AR_CANON_STRING) {
            rc = sqlite3_bind_text(st, p, (const char *)v.bytes, (int)v.len, SQLITE_STATIC);
        } else if (col && col->source == AR_COL_BOOL && v.type == AR_CANON_BOOL) {
            rc = sqlite3_bind_int(st, p, (int)v.i);
        } else if (col && col->source == AR_COL_INT && v.type == AR_CANON_INT) {
            rc = sqlite3_bind_int64(st, p, v.i);
        } else if (col && col->source == AR_COL_DAY && v.type == AR_CANON_DATE) {
            rc = bind_date(st, p, (archase_date)v.i);
        } else if (col && col->source == AR_COL_JSON_LIST && v.type == AR_CANON_LIST) {
            size_t start = ss->scratch.len;
            ar_buf_putc(&ss->scratch, '[');
            for (uint32_t j = 0; j < v.count; j++) {
                ar_canon_value item;
                if (ar_canon_read(&rd, &item))
                    return 0;
                if (item.type == AR_CANON_STRING) {
                    if (j)
                        ar_buf_putc(&ss->scratch, ',');
                    json_string(&ss->scratch, item.bytes, item.len);
                } else if (ar_canon_skip(&rd, &item)) {
                    return 0;
                }
            }
            ar_buf_putc(&ss->scratch, ']');
            if (ss->scratch.err)
                return fail(ss, ARCHASE_ENOMEM, "out of memory");
            rc = sqlite3_bind_text(st, p, (const char *)ss->scratch.data + start,
                                   (int)(ss->scratch.len - start), SQLITE_TRANSIENT);
            continue;
        }
        if (rc != SQLITE_OK)
            return rc == SQLITE_RANGE ? fail(ss, ARCHASE_EINVAL, "a date of the record is out of range")
                                      : sfail(ss, "binding a record");
        if (ar_canon_skip(&rd, &v))
            return 0;
    }
    return 0;
}

static int parse_status(const ar_sql_table *t, sqlite3_stmt *st, int col, int32_t *out) {
    int type = sqlite3_column_type(st, col);
    if (type == SQLITE_NULL) {
        *out = 0;
        return 0;
    }
    if (type == SQLITE_INTEGER) {
        *out = sqlite3_column_int(st, col);
        return 0;
    }
    const char *text = (const char *)sqlite3_column_text(st, col);
    if (text && t->status_name) {
        for (int v = 1; v < 64; v++) {
            const char *name = t->status_name(v);
            if (name && !strcmp(name, text)) {
                *out = v;
                return 0;
            }
        }
    }
    return -1;
}

static int read_date(sqlite3_stmt *st, int col, archase_date *out) {
    if (sqlite3_column_type(st, col) == SQLITE_NULL) {
        *out = ARCHASE_DATE_NONE;
        return 0;
    }
    const char *text = (const char *)sqlite3_column_text(st, col);
    return text && archase_date_parse(text, out) == 0 ? 0 : -1;
}

/* The record of the current row (strings point into the statement). */
static int read_row(sqlstore *ss, const ar_sql_table *t, sqlite3_stmt *st, archase_record *r) {
    archase_record init = ARCHASE_RECORD_INIT;
    *r = init;
    r->family = t->family;
    r->id = (const char *)sqlite3_column_text(st, AR_COL_ID);
    r->customer_id = (const char *)sqlite3_column_text(st, AR_COL_CUSTOMER);
    r->invoice_id = (const char *)sqlite3_column_text(st, AR_COL_INVOICE);
    r->revision = sqlite3_column_int64(st, AR_COL_REVISION);
    r->amount = sqlite3_column_int64(st, AR_COL_AMOUNT);
    r->amount2 = sqlite3_column_int64(st, AR_COL_AMOUNT2);
    const char *cur = (const char *)sqlite3_column_text(st, AR_COL_CURRENCY);
    if (cur) {
        size_t n = strlen(cur);
        if (n != 3)
            return fail(ss, ARCHASE_ESTORAGE, "a stored currency is not a 3-letter code");
        memcpy(r->currency, cur, 4);
    }
    if (parse_status(t, st, AR_COL_STATUS, &r->status) || read_date(st, AR_COL_DATE, &r->date) ||
        read_date(st, AR_COL_DATE2, &r->date2) || read_date(st, AR_COL_DATE3, &r->date3))
        return fail(ss, ARCHASE_ESTORAGE, "a stored status or date cannot be read");
    if (sqlite3_column_type(st, AR_COL_INSTANT) != SQLITE_NULL) {
        const char *text = (const char *)sqlite3_column_text(st, AR_COL_INSTANT);
        if (!text || archase_instant_parse(text, &r->instant) != 0)
            return fail(ss, ARCHASE_ESTORAGE, "a stored instant cannot be read");
    }
    if (sqlite3_column_type(st, AR_COL_DATA) != SQLITE_NULL) {
        r->data = sqlite3_column_blob(st, AR_COL_DATA);
        r->size = (size_t)sqlite3_column_bytes(st, AR_COL_DATA);
    }
    if (!r->id || !*r->id)
        return fail(ss, ARCHASE_ESTORAGE, "a stored record has no id");
    if (t->family == ARCHASE_FAMILY_CUSTOMER || t->family == ARCHASE_FAMILY_FLAGS)
        r->customer_id = r->id;
    return 0;
}

static int valid_family(int family) {
    return family > 0 && family < ARCHASE_FAMILY_LIMIT && ar_sql_table_of(family);
}

/* ---- slots: records ------------------------------------------------------- */

static int sql_get(void *ud, int family, const char *id, archase_record_fn fn, void *ctx) {
    sqlstore *ss = ud;
    if (!valid_family(family) || !id)
        return fail(ss, ARCHASE_EINVAL, "bad family or id");
    sqlite3_stmt *st;
    int temp;
    int rc = acquire(ss, &ss->get[family], NULL, build_get, family, 0, &st, &temp);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        archase_record r;
        rc = read_row(ss, ar_sql_table_of(family), st, &r);
        if (!rc) {
            int cb = fn(ctx, &r);
            rc = cb < 0 ? cb : 0;
        }
    } else if (step == SQLITE_DONE) {
        rc = ARCHASE_ENOTFOUND;
    } else {
        rc = sfail(ss, "reading a record");
    }
    release(&ss->get[family], st, temp);
    return rc;
}

/* Writes a record: replacing one with the same id, or (insert_only) refusing to. */
static int write_record(sqlstore *ss, const archase_record *r, int insert_only) {
    if (!r || r->version != ARCHASE_RECORD_VERSION || !valid_family(r->family) || !r->id || !*r->id ||
        (!r->data && r->size))
        return fail(ss, ARCHASE_EINVAL, "bad record");
    const ar_sql_table *t = ar_sql_table_of(r->family);
    cached *slot = insert_only ? &ss->ins[r->family] : &ss->put[r->family];
    sqlite3_stmt *st;
    int temp;
    int rc = acquire(ss, slot, NULL, build_put, r->family, insert_only, &st, &temp);
    if (rc)
        return rc;
    int param = 1;
    rc = bind_envelope(ss, st, t, r, &param);
    if (!rc)
        rc = bind_decoded(ss, st, t, r, param);
    if (!rc && sqlite3_step(st) != SQLITE_DONE) {
        int code = sqlite3_extended_errcode(ss->db);
        rc = sfail(ss, "writing a record");
        if (insert_only && (code == SQLITE_CONSTRAINT_PRIMARYKEY || code == SQLITE_CONSTRAINT_UNIQUE))
            rc = ARCHASE_ECONFLICT;
    }
    release(slot, st, temp);
    return rc;
}

static int sql_put(void *ud, const archase_record *r) {
    return write_record(ud, r, 0);
}

static int sql_insert(void *ud, const archase_record *r) {
    return write_record(ud, r, 1);
}

static int sql_del(void *ud, int family, const char *id) {
    sqlstore *ss = ud;
    if (!valid_family(family) || !id)
        return fail(ss, ARCHASE_EINVAL, "bad family or id");
    sqlite3_stmt *st;
    int temp;
    int rc = acquire(ss, &ss->del[family], NULL, build_del, family, 0, &st, &temp);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = sfail(ss, "deleting a record");
    else if (sqlite3_changes(ss->db) == 0)
        rc = ARCHASE_ENOTFOUND;
    release(&ss->del[family], st, temp);
    return rc;
}

static int filter_shape(const archase_scan_filter *f) {
    return (f->customer_id ? SHAPE_CUSTOMER : 0) | (f->invoice_id ? SHAPE_INVOICE : 0) |
           (f->status ? SHAPE_STATUS : 0) | (f->date_from != ARCHASE_DATE_NONE ? SHAPE_FROM : 0) |
           (f->date_to != ARCHASE_DATE_NONE ? SHAPE_TO : 0) |
           (f->flags & ARCHASE_SCAN_NO_DATA ? SHAPE_NO_DATA : 0);
}

static int bind_filter(sqlstore *ss, sqlite3_stmt *st, const ar_sql_table *t,
                       const archase_scan_filter *f) {
    int rc = SQLITE_OK;
    if (f->customer_id)
        rc = sqlite3_bind_text(st, 1, f->customer_id, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK && f->invoice_id)
        rc = sqlite3_bind_text(st, 2, f->invoice_id, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK && f->status)
        rc = bind_status(st, 3, t, f->status);
    if (rc == SQLITE_OK && f->date_from != ARCHASE_DATE_NONE)
        rc = bind_date(st, 4, f->date_from);
    if (rc == SQLITE_OK && f->date_to != ARCHASE_DATE_NONE)
        rc = bind_date(st, 5, f->date_to);
    if (rc == SQLITE_RANGE)
        return fail(ss, ARCHASE_EINVAL, "a date of the filter is out of range");
    return rc == SQLITE_OK ? 0 : sfail(ss, "binding a filter");
}

static int check_filter(sqlstore *ss, const archase_scan_filter *f) {
    if (!f || f->version != ARCHASE_SCAN_FILTER_VERSION || !valid_family(f->family))
        return fail(ss, ARCHASE_EINVAL, "bad scan filter");
    return 0;
}

static int sql_scan(void *ud, const archase_scan_filter *f, archase_record_fn fn, void *ctx) {
    sqlstore *ss = ud;
    int rc = check_filter(ss, f);
    if (rc)
        return rc;
    const ar_sql_table *t = ar_sql_table_of(f->family);
    int shape = filter_shape(f);
    cached *slot = &ss->scan[f->family][shape];
    sqlite3_stmt *st;
    int temp;
    rc = acquire(ss, slot, NULL, build_scan, f->family, shape, &st, &temp);
    if (rc)
        return rc;
    rc = bind_filter(ss, st, t, f);
    while (!rc) {
        int step = sqlite3_step(st);
        if (step == SQLITE_DONE)
            break;
        if (step != SQLITE_ROW) {
            rc = sfail(ss, "scanning records");
            break;
        }
        archase_record r;
        rc = read_row(ss, t, st, &r);
        if (rc)
            break;
        int cb = fn(ctx, &r);
        if (cb == ARCHASE_SCAN_STOP)
            break;
        if (cb < 0)
            rc = cb;
    }
    release(slot, st, temp);
    return rc;
}

static int sql_count(void *ud, const archase_scan_filter *f, uint64_t *out) {
    sqlstore *ss = ud;
    int rc = check_filter(ss, f);
    if (rc)
        return rc;
    const ar_sql_table *t = ar_sql_table_of(f->family);
    ar_buf sql;
    ar_buf_init(&sql, A(ss));
    ar_buf_printf(&sql, "SELECT count(*) FROM \"%s\"", t->name);
    put_where(&sql, t, filter_shape(f));
    ar_buf_terminate(&sql);
    if (sql.err) {
        ar_buf_free(&sql);
        return fail(ss, ARCHASE_ENOMEM, "out of memory");
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(ss->db, (const char *)sql.data, -1, &st, NULL) != SQLITE_OK)
        rc = sfail(ss, "counting records");
    ar_buf_free(&sql);
    if (!rc)
        rc = bind_filter(ss, st, t, f);
    if (!rc) {
        if (sqlite3_step(st) == SQLITE_ROW)
            *out = (uint64_t)sqlite3_column_int64(st, 0);
        else
            rc = sfail(ss, "counting records");
    }
    sqlite3_finalize(st);
    return rc;
}

/* ---- slots: audit --------------------------------------------------------- */

static int audit_size(sqlstore *ss, uint64_t *out) {
    sqlite3_stmt *st;
    int temp;
    int rc = acquire(ss, &ss->audit_size, "SELECT coalesce(max(idx) + 1, 0) FROM audit_log", NULL, 0, 0,
                     &st, &temp);
    if (rc)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW)
        *out = (uint64_t)sqlite3_column_int64(st, 0);
    else
        rc = sfail(ss, "reading the audit log size");
    release(&ss->audit_size, st, temp);
    return rc;
}

static int sql_audit_size(void *ud, uint64_t *out) {
    return audit_size(ud, out);
}

/* The links of an entry as a JSON array of strings (NULL when none). */
static int bind_links(sqlstore *ss, sqlite3_stmt *st, int param, const archase_audit_entry *e,
                      ar_buf *json) {
    if (!e->link_count)
        return sqlite3_bind_null(st, param) == SQLITE_OK ? 0 : sfail(ss, "binding an audit entry");
    ar_buf_putc(json, '[');
    for (uint32_t i = 0; i < e->link_count; i++) {
        if (i)
            ar_buf_putc(json, ',');
        json_string(json, (const uint8_t *)e->links[i], strlen(e->links[i]));
    }
    ar_buf_putc(json, ']');
    if (json->err)
        return fail(ss, ARCHASE_ENOMEM, "out of memory");
    if (sqlite3_bind_text(st, param, (const char *)json->data, (int)json->len, SQLITE_STATIC) !=
        SQLITE_OK)
        return sfail(ss, "binding an audit entry");
    return 0;
}

static int sql_audit_append(void *ud, const archase_audit_entry *e) {
    sqlstore *ss = ud;
    if (!e || e->version != ARCHASE_AUDIT_ENTRY_VERSION || !e->actor || (!e->data && e->size) ||
        e->index > (uint64_t)INT64_MAX || e->size > INT32_MAX || (!e->links && e->link_count) ||
        (!e->nodes && e->node_count) || e->node_count > 64)
        return fail(ss, ARCHASE_EINVAL, "bad audit entry");
    for (uint32_t i = 0; i < e->link_count; i++) {
        if (!e->links[i])
            return fail(ss, ARCHASE_EINVAL, "bad audit entry: a NULL link");
    }
    /* Inside a transaction this connection is the only writer, so the size
     * read once stays true until the transaction ends. */
    uint64_t size;
    int rc = 0;
    if (ss->in_txn && ss->audit_next >= 0)
        size = (uint64_t)ss->audit_next;
    else if ((rc = audit_size(ss, &size)) != 0)
        return rc;
    if (e->index != size)
        return fail(ss, ARCHASE_ECONFLICT, "audit index is not the next one");
    sqlite3_stmt *st;
    int temp;
    ar_buf_reset(&ss->links);
    rc = acquire(ss, &ss->audit_append,
                 "INSERT INTO audit_log (idx, kind, actor, at, data, leaf_hash, prev_hash, links, nodes)"
                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                 NULL, 0, 0, &st, &temp);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, (int64_t)e->index);
    sqlite3_bind_int64(st, 2, e->kind);
    sqlite3_bind_text(st, 3, e->actor, -1, SQLITE_STATIC);
    /* Records of one transaction mostly share their instant: format it once. */
    if (!ss->at_text[0] || ss->at_instant != e->instant) {
        ss->at_text[0] = '\0';
        if (archase_instant_format(e->instant, ss->at_text, sizeof ss->at_text) == 0)
            ss->at_instant = e->instant;
        else
            ss->at_text[0] = '\0';
    }
    if (!ss->at_text[0])
        rc = fail(ss, ARCHASE_EINVAL, "the audit instant is out of range");
    if (!rc) {
        sqlite3_bind_text(st, 4, ss->at_text, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 5, e->size ? e->data : "", (int)e->size, SQLITE_STATIC);
        sqlite3_bind_blob(st, 6, e->leaf_hash, 32, SQLITE_STATIC);
        sqlite3_bind_blob(st, 7, e->prev_hash, 32, SQLITE_STATIC);
        rc = bind_links(ss, st, 8, e, &ss->links);
    }
    if (!rc) {
        if (e->node_count)
            sqlite3_bind_blob(st, 9, e->nodes, (int)(e->node_count * 32), SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 9);
        if (sqlite3_step(st) != SQLITE_DONE) {
            int code = sqlite3_errcode(ss->db);
            rc = sfail(ss, "appending to the audit log");
            if ((code & 0xff) == SQLITE_CONSTRAINT)
                rc = ARCHASE_ECONFLICT;
        }
    }
    release(&ss->audit_append, st, temp);
    ss->audit_next = !rc && ss->in_txn ? (int64_t)e->index + 1 : -1;
    return rc;
}

static int hex_digit(uint8_t c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads the JSON array of strings bind_links wrote: each string unescaped and
 * NUL-terminated into `text`, one after the other; *count receives how many.
 * 0, ARCHASE_EPARSE (not such an array) or ARCHASE_ENOMEM. */
static int parse_links(const uint8_t *p, size_t len, ar_buf *text, uint32_t *count) {
    const uint8_t *end = p + len;
    uint32_t n = 0;
    if (p == end || *p++ != '[')
        return ARCHASE_EPARSE;
    while (p < end && *p != ']') {
        if (n && *p++ != ',')
            return ARCHASE_EPARSE;
        if (p == end || *p++ != '"')
            return ARCHASE_EPARSE;
        size_t start = text->len;
        while (p < end && *p != '"') {
            uint8_t c = *p++;
            if (c < 0x20)
                return ARCHASE_EPARSE;
            if (c != '\\') {
                ar_buf_putc(text, c);
                continue;
            }
            if (p == end)
                return ARCHASE_EPARSE;
            c = *p++;
            if (c == '"' || c == '\\' || c == '/') {
                ar_buf_putc(text, c);
            } else if (c == 'u' && end - p >= 4) {
                int v = 0;
                for (int k = 0; k < 4; k++) {
                    int d = hex_digit(p[k]);
                    if (d < 0)
                        return ARCHASE_EPARSE;
                    v = v * 16 + d;
                }
                p += 4;
                if (v == 0 || v >= 0x20)
                    return ARCHASE_EPARSE; /* only control characters are written this way */
                ar_buf_putc(text, (uint8_t)v);
            } else {
                return ARCHASE_EPARSE;
            }
        }
        if (text->err)
            return ARCHASE_ENOMEM; /* not a damaged entry: the text did not fit */
        if (p == end || text->len == start)
            return ARCHASE_EPARSE;
        p++;
        ar_buf_putc(text, 0);
        n++;
    }
    if (p == end || p + 1 != end || n == 0)
        return ARCHASE_EPARSE;
    if (text->err)
        return ARCHASE_ENOMEM;
    *count = n;
    return 0;
}

/* Points `links` (room for `count` pointers, grown in `ptrs`) at the strings in `text`. */
static int link_pointers(ar_buf *text, uint32_t count, ar_buf *ptrs, const char *const **out) {
    ar_buf_reset(ptrs);
    if (ar_buf_reserve(ptrs, (size_t)count * sizeof(char *)))
        return ARCHASE_ENOMEM;
    const char **items = (const char **)(void *)ptrs->data;
    const char *s = (const char *)text->data;
    for (uint32_t i = 0; i < count; i++) {
        items[i] = s;
        s += strlen(s) + 1;
    }
    *out = items;
    return 0;
}

/* Fills `e` from the current row. A value changed by hand so that it cannot
 * be read back (an instant that does not parse, a NULL actor, links that
 * are not a JSON array of strings, a kind out of range) is handed over in a
 * form that never hashes like the original: verifying the log then names this
 * entry. Returns 0 or ARCHASE_ENOMEM. */
static int read_audit_row(sqlite3_stmt *st, archase_audit_entry *e, ar_buf *text, ar_buf *ptrs) {
    static const char *const unreadable = "\x01unreadable";
    memset(e, 0, sizeof *e);
    e->version = ARCHASE_AUDIT_ENTRY_VERSION;
    e->index = (uint64_t)sqlite3_column_int64(st, 0);
    int64_t kind = sqlite3_column_int64(st, 1);
    e->kind = kind >= 1 && kind <= 0xffff ? (uint32_t)kind : 0;
    e->actor = (const char *)sqlite3_column_text(st, 2);
    if (!e->actor)
        e->actor = "";
    const char *at = (const char *)sqlite3_column_text(st, 3);
    if (!at || archase_instant_parse(at, &e->instant) != 0)
        e->instant = INT64_MIN;
    e->data = sqlite3_column_blob(st, 4);
    e->size = (size_t)sqlite3_column_bytes(st, 4);
    const void *leaf = sqlite3_column_blob(st, 5);
    if (leaf && sqlite3_column_bytes(st, 5) == 32)
        memcpy(e->leaf_hash, leaf, 32);
    const void *prev = sqlite3_column_blob(st, 6);
    if (prev && sqlite3_column_bytes(st, 6) == 32)
        memcpy(e->prev_hash, prev, 32);
    if (sqlite3_column_type(st, 7) != SQLITE_NULL) {
        const uint8_t *json = sqlite3_column_text(st, 7);
        size_t len = (size_t)sqlite3_column_bytes(st, 7);
        uint32_t count = 0;
        ar_buf_reset(text);
        int rc = json ? parse_links(json, len, text, &count) : ARCHASE_EPARSE;
        if (rc == ARCHASE_ENOMEM)
            return rc;
        if (rc) {
            e->links = &unreadable;
            e->link_count = 1;
        } else if (link_pointers(text, count, ptrs, &e->links)) {
            return ARCHASE_ENOMEM;
        } else {
            e->link_count = count;
        }
    }
    int nodes = sqlite3_column_bytes(st, 8);
    const void *node_bytes = sqlite3_column_blob(st, 8);
    if (node_bytes && nodes > 0 && nodes % 32 == 0 && nodes <= 64 * 32) {
        e->nodes = node_bytes;
        e->node_count = (uint32_t)nodes / 32;
    } else if (node_bytes && nodes > 0) {
        /* Not a whole number of hashes: more nodes than any entry completes. */
        static const uint8_t garbled[65 * 32];
        e->nodes = garbled;
        e->node_count = 65;
    }
    return 0;
}

static int sql_audit_read(void *ud, uint64_t from, uint64_t to, archase_audit_fn fn, void *ctx) {
    sqlstore *ss = ud;
    if (from > (uint64_t)INT64_MAX)
        return 0;
    if (to > (uint64_t)INT64_MAX)
        to = (uint64_t)INT64_MAX;
    sqlite3_stmt *st;
    int temp;
    ar_buf text, ptrs;
    ar_buf_init(&text, A(ss));
    ar_buf_init(&ptrs, A(ss));
    int rc = acquire(ss, &ss->audit_read,
                     "SELECT idx, kind, actor, at, data, leaf_hash, prev_hash, links, nodes"
                     " FROM audit_log WHERE idx >= ?1 AND idx < ?2 ORDER BY idx",
                     NULL, 0, 0, &st, &temp);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, (int64_t)from);
    sqlite3_bind_int64(st, 2, (int64_t)to);
    while (!rc) {
        int step = sqlite3_step(st);
        if (step == SQLITE_DONE)
            break;
        if (step != SQLITE_ROW) {
            rc = sfail(ss, "reading the audit log");
            break;
        }
        archase_audit_entry e;
        if (read_audit_row(st, &e, &text, &ptrs)) {
            rc = fail(ss, ARCHASE_ENOMEM, "out of memory");
            break;
        }
        int cb = fn(ctx, &e);
        if (cb == ARCHASE_SCAN_STOP)
            break;
        if (cb < 0)
            rc = cb;
    }
    release(&ss->audit_read, st, temp);
    ar_buf_free(&text);
    ar_buf_free(&ptrs);
    return rc;
}

/* ---- slots: transactions --------------------------------------------------- */

static int run_cached(sqlstore *ss, cached *slot, const char *sql, const char *what) {
    sqlite3_stmt *st;
    int temp;
    int rc = acquire(ss, slot, sql, NULL, 0, 0, &st, &temp);
    if (rc)
        return rc;
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = sfail(ss, what);
    release(slot, st, temp);
    return rc;
}

static int sql_begin(void *ud) {
    sqlstore *ss = ud;
    if (ss->in_txn)
        return fail(ss, ARCHASE_ESTATE, "a transaction is already open");
    int rc = run_cached(ss, &ss->begin, "BEGIN IMMEDIATE", "beginning a transaction");
    if (!rc)
        ss->in_txn = 1;
    ss->audit_next = -1;
    return rc;
}

static int sql_commit(void *ud) {
    sqlstore *ss = ud;
    if (!ss->in_txn)
        return fail(ss, ARCHASE_ESTATE, "no transaction is open");
    int rc = run_cached(ss, &ss->commit, "COMMIT", "committing");
    if (!rc)
        ss->in_txn = 0;
    ss->audit_next = -1;
    return rc;
}

static int sql_rollback(void *ud) {
    sqlstore *ss = ud;
    if (!ss->in_txn)
        return fail(ss, ARCHASE_ESTATE, "no transaction is open");
    ss->in_txn = 0;
    ss->audit_next = -1;
    if (sqlite3_get_autocommit(ss->db))
        return 0; /* SQLite already rolled back (an I/O error, a full disk) */
    return run_cached(ss, &ss->rollback, "ROLLBACK", "rolling back");
}

/* ---- slots: outbox ----------------------------------------------------------- */

static int exists_fn(void *ctx, const archase_record *r) {
    (void)ctx;
    (void)r;
    return 0;
}

static int outbox_move(sqlstore *ss, const char *id, int status, archase_instant at) {
    sqlite3_stmt *st;
    int temp;
    int rc = acquire(ss, &ss->outbox_move,
                     "UPDATE outbox SET status = ?2, at = ?3 WHERE id = ?1 AND status = 'sending'",
                     NULL, 0, 0, &st, &temp);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ar_sql_table_of(ARCHASE_FAMILY_OUTBOX)->status_name(status), -1,
                      SQLITE_STATIC);
    if (bind_instant(st, 3, at) != SQLITE_OK)
        rc = fail(ss, ARCHASE_EINVAL, "the instant is out of range");
    else if (sqlite3_step(st) != SQLITE_DONE)
        rc = sfail(ss, "moving an outbox item");
    int changed = sqlite3_changes(ss->db);
    release(&ss->outbox_move, st, temp);
    if (rc || changed)
        return rc;
    /* Nothing moved: no such item, or it is not being sent. */
    rc = sql_get(ss, ARCHASE_FAMILY_OUTBOX, id, exists_fn, NULL);
    if (rc)
        return rc;
    return fail(ss, ARCHASE_ESTATE, "the outbox item is not being sent");
}

static int sql_outbox_ack(void *ud, const char *id, int status, archase_instant at) {
    sqlstore *ss = ud;
    if (!id)
        return fail(ss, ARCHASE_EINVAL, "no id");
    if (status != ARCHASE_OUTBOX_SENT && status != ARCHASE_OUTBOX_FAILED_RETRY &&
        status != ARCHASE_OUTBOX_DEAD && status != ARCHASE_OUTBOX_CANCELLED)
        return fail(ss, ARCHASE_ESTATE, "not a status an acknowledgement can set");
    return outbox_move(ss, id, status, at);
}

static int sql_outbox_mark_in_doubt(void *ud, const char *id, archase_instant at) {
    sqlstore *ss = ud;
    if (!id)
        return fail(ss, ARCHASE_EINVAL, "no id");
    return outbox_move(ss, id, ARCHASE_OUTBOX_IN_DOUBT, at);
}

static int build_claim_update(sqlstore *ss, ar_buf *b, int family, int shape) {
    (void)ss;
    (void)shape;
    ar_buf_puts(b, "UPDATE outbox SET status = 'sending' WHERE id = ?1 RETURNING ");
    put_select_list(b, ar_sql_table_of(family), 1);
    return 0;
}

/* The ids of the due items in (at, id) order from the status index alone
 * (whole rows would all go through the sort), then one UPDATE ... RETURNING
 * by key per item: moved and read in one statement. */
static int sql_outbox_claim(void *ud, archase_instant now, uint32_t limit, archase_record_fn fn,
                            void *ctx) {
    sqlstore *ss = ud;
    if (limit == 0)
        return 0;
    char now_text[ARCHASE_INSTANT_FORMAT_MAX];
    if (archase_instant_format(now, now_text, sizeof now_text) != 0)
        return fail(ss, ARCHASE_EINVAL, "the instant is out of range");
    const ar_sql_table *t = ar_sql_table_of(ARCHASE_FAMILY_OUTBOX);
    ar_buf ids; /* NUL-separated */
    ar_buf_init(&ids, A(ss));
    uint32_t n = 0;
    int rc = 0, savepoint = 0;
    if (sqlite3_exec(ss->db, "SAVEPOINT outbox_claim", NULL, NULL, NULL) != SQLITE_OK) {
        rc = sfail(ss, "claiming outbox items");
        goto done;
    }
    savepoint = 1;
    sqlite3_stmt *st;
    int temp;
    rc = acquire(ss, &ss->claim_select,
                 "SELECT id FROM outbox WHERE status IN ('pending', 'failed_retry') AND at <= ?1"
                 " ORDER BY at, id LIMIT ?2",
                 NULL, 0, 0, &st, &temp);
    if (rc)
        goto done;
    sqlite3_bind_text(st, 1, now_text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, limit);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        ar_buf_puts(&ids, (const char *)sqlite3_column_text(st, 0));
        ar_buf_putc(&ids, 0);
        n++;
    }
    if (step != SQLITE_DONE)
        rc = sfail(ss, "claiming outbox items");
    release(&ss->claim_select, st, temp);
    if (!rc && ids.err)
        rc = fail(ss, ARCHASE_ENOMEM, "out of memory");
    const char *id = (const char *)ids.data;
    for (uint32_t i = 0; i < n && !rc; i++, id += strlen(id) + 1) {
        rc = acquire(ss, &ss->claim_update, NULL, build_claim_update, ARCHASE_FAMILY_OUTBOX, 0, &st, &temp);
        if (rc)
            break;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        int stop = 0;
        step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            archase_record r;
            rc = read_row(ss, t, st, &r);
            if (!rc) {
                int cb = fn(ctx, &r);
                if (cb < 0)
                    rc = cb;
                else if (cb == ARCHASE_SCAN_STOP)
                    stop = 1;
            }
            if (!rc)
                step = sqlite3_step(st);
        }
        if (!rc && step != SQLITE_DONE)
            rc = sfail(ss, "claiming an outbox item");
        release(&ss->claim_update, st, temp);
        if (stop)
            break;
    }
done:
    if (savepoint) {
        if (rc)
            sqlite3_exec(ss->db, "ROLLBACK TO outbox_claim", NULL, NULL, NULL);
        if (sqlite3_exec(ss->db, "RELEASE outbox_claim", NULL, NULL, NULL) != SQLITE_OK && !rc)
            rc = sfail(ss, "claiming outbox items");
    }
    ar_buf_free(&ids);
    return rc;
}

/* One UPDATE by key per record, inside a savepoint: all or none. */
static int sql_outbox_settle(void *ud, const archase_record *records, uint32_t count) {
    sqlstore *ss = ud;
    if (!records && count)
        return fail(ss, ARCHASE_EINVAL, "no records");
    const ar_sql_table *t = ar_sql_table_of(ARCHASE_FAMILY_OUTBOX);
    for (uint32_t i = 0; i < count; i++) {
        const archase_record *r = &records[i];
        if (r->version != ARCHASE_RECORD_VERSION || !r->id || (!r->data && r->size))
            return fail(ss, ARCHASE_EINVAL, "bad record");
        if (r->status != ARCHASE_OUTBOX_SENT && r->status != ARCHASE_OUTBOX_FAILED_RETRY &&
            r->status != ARCHASE_OUTBOX_DEAD && r->status != ARCHASE_OUTBOX_CANCELLED &&
            r->status != ARCHASE_OUTBOX_IN_DOUBT)
            return fail(ss, ARCHASE_ESTATE, "not a status an acknowledgement can set");
    }
    if (!count)
        return 0;
    if (sqlite3_exec(ss->db, "SAVEPOINT outbox_settle", NULL, NULL, NULL) != SQLITE_OK)
        return sfail(ss, "acknowledging outbox items");
    int rc = 0;
    for (uint32_t i = 0; i < count && !rc; i++) {
        const archase_record *r = &records[i];
        sqlite3_stmt *st;
        int temp;
        rc = acquire(ss, &ss->outbox_settle,
                     "UPDATE outbox SET status = ?2, at = ?3, data = ?4 WHERE id = ?1 AND status = 'sending'", NULL,
                     0, 0, &st, &temp);
        if (rc)
            break;
        sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, t->status_name(r->status), -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 4, r->size ? r->data : "", (int)r->size, SQLITE_STATIC);
        if (bind_instant(st, 3, r->instant) != SQLITE_OK)
            rc = fail(ss, ARCHASE_EINVAL, "the instant is out of range");
        else if (sqlite3_step(st) != SQLITE_DONE)
            rc = sfail(ss, "acknowledging an outbox item");
        int changed = rc ? 0 : sqlite3_changes(ss->db);
        release(&ss->outbox_settle, st, temp);
        if (!rc && !changed) {
            /* Nothing moved: no such item, or it is not being sent. */
            rc = sql_get(ss, ARCHASE_FAMILY_OUTBOX, r->id, exists_fn, NULL);
            if (!rc)
                rc = fail(ss, ARCHASE_ESTATE, "the outbox item is not being sent");
        }
    }
    if (rc)
        sqlite3_exec(ss->db, "ROLLBACK TO outbox_settle", NULL, NULL, NULL);
    if (sqlite3_exec(ss->db, "RELEASE outbox_settle", NULL, NULL, NULL) != SQLITE_OK && !rc)
        rc = sfail(ss, "acknowledging outbox items");
    return rc;
}

/* ---- the rest -------------------------------------------------------------- */

static int sql_schema_version(void *ud, int64_t *out) {
    sqlstore *ss = ud;
    int rc = ar_sqlite_schema_read(ss->db, out, ss->errmsg, sizeof ss->errmsg);
    return rc;
}

static const char *sql_errmsg(void *ud) {
    return ((sqlstore *)ud)->errmsg;
}

static void sql_close(void *ud) {
    sqlstore *ss = ud;
    if (!ss)
        return;
    for (int f = 0; f < ARCHASE_FAMILY_LIMIT; f++) {
        finalize_slot(&ss->get[f]);
        finalize_slot(&ss->put[f]);
        finalize_slot(&ss->ins[f]);
        finalize_slot(&ss->del[f]);
        for (int s = 0; s < SCAN_SHAPES; s++)
            finalize_slot(&ss->scan[f][s]);
    }
    cached *misc[] = { &ss->audit_append, &ss->audit_read, &ss->audit_size, &ss->claim_select,
                       &ss->claim_update, &ss->outbox_move, &ss->outbox_settle, &ss->begin, &ss->commit, &ss->rollback };
    for (size_t i = 0; i < sizeof misc / sizeof misc[0]; i++)
        finalize_slot(misc[i]);
    if (ss->in_txn && !sqlite3_get_autocommit(ss->db))
        sqlite3_exec(ss->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close_v2(ss->db);
    ar_buf_free(&ss->scratch);
    ar_buf_free(&ss->links);
    archase_allocator a = ss->a;
    ar_free(&a, ss);
}

int archase_sqlite_options_init(archase_sqlite_options *opts, unsigned version) {
    if (!opts)
        return ARCHASE_EINVAL;
    if (version != ARCHASE_SQLITE_OPTIONS_VERSION)
        return ARCHASE_EVERSION;
    archase_sqlite_options init = ARCHASE_SQLITE_OPTIONS_INIT;
    *opts = init;
    return 0;
}

static void set_errbuf(char *errbuf, size_t size, const char *msg) {
    if (errbuf && size)
        snprintf(errbuf, size, "%s", msg);
}

static int configure(sqlstore *ss, const char *path, const archase_sqlite_options *o) {
    char sql[200];
    if (sqlite3_db_config(ss->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL) != SQLITE_OK)
        return sfail(ss, "enabling defensive mode");
    if (sqlite3_busy_timeout(ss->db, (int)(o->busy_timeout_ms > 3600000u ? 3600000u : o->busy_timeout_ms)) !=
        SQLITE_OK)
        return sfail(ss, "setting the busy timeout");
    snprintf(sql, sizeof sql,
             "PRAGMA trusted_schema = OFF; PRAGMA foreign_keys = ON; PRAGMA synchronous = %s;"
             " PRAGMA cache_size = -%u;",
             o->synchronous == ARCHASE_SQLITE_SYNC_NORMAL ? "NORMAL" : "FULL",
             (unsigned)(o->cache_kib ? o->cache_kib : 2048));
    if (sqlite3_exec(ss->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        char what[300];
        snprintf(what, sizeof what, "%.200s: configuring the connection", path);
        return sfail(ss, what);
    }
    if (!o->read_only) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(ss->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK)
            return sfail(ss, "switching to WAL");
        int step = sqlite3_step(st);
        const char *mode = step == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
        int ok = mode && !strcmp(mode, "wal");
        int rc = step == SQLITE_ROW ? 0 : sfail(ss, "switching to WAL");
        sqlite3_finalize(st);
        if (rc)
            return rc;
        if (!ok)
            return fail(ss, ARCHASE_ESTORAGE, "the database cannot use WAL journaling");
        return ar_sqlite_migrate(ss->db, AR_SQLITE_SCHEMA_VERSION, ss->errmsg, sizeof ss->errmsg);
    }
    int64_t version = 0;
    int rc = ar_sqlite_schema_read(ss->db, &version, ss->errmsg, sizeof ss->errmsg);
    if (rc)
        return rc;
    if (version != AR_SQLITE_SCHEMA_VERSION) {
        snprintf(ss->errmsg, sizeof ss->errmsg,
                 version > AR_SQLITE_SCHEMA_VERSION
                     ? "the database has schema version %lld, newer than this library's %d: use a newer libarchase"
                     : "the database has schema version %lld, older than this library's %d: open it for writing once to upgrade it",
                 (long long)version, AR_SQLITE_SCHEMA_VERSION);
        return ARCHASE_EVERSION;
    }
    return 0;
}

int archase_sqlite_storage_open(const char *path, const archase_sqlite_options *sqlite_opts,
                                const archase_allocator *allocator, archase_storage *out,
                                char *errbuf, size_t errbuf_size) {
    if (!path || !*path || !out) {
        set_errbuf(errbuf, errbuf_size, "a path and an output are required");
        return ARCHASE_EINVAL;
    }
    archase_sqlite_options defaults = ARCHASE_SQLITE_OPTIONS_INIT;
    const archase_sqlite_options *o = sqlite_opts ? sqlite_opts : &defaults;
    if (o->version != ARCHASE_SQLITE_OPTIONS_VERSION) {
        set_errbuf(errbuf, errbuf_size, "SQLite options version is not supported");
        return ARCHASE_EVERSION;
    }
    int rc = ar_allocator_check(allocator);
    if (rc) {
        set_errbuf(errbuf, errbuf_size, "the allocator is not valid");
        return rc;
    }
    struct stat sb;
    if ((!o->create || o->read_only) && stat(path, &sb) != 0) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s: no such database", path);
        set_errbuf(errbuf, errbuf_size, msg);
        return ARCHASE_ENOTFOUND;
    }
    sqlstore *ss = ar_calloc(allocator, 1, sizeof *ss);
    if (!ss) {
        set_errbuf(errbuf, errbuf_size, "out of memory");
        return ARCHASE_ENOMEM;
    }
    ss->a = *ar_allocator(allocator);
    ss->audit_next = -1;
    ar_buf_init(&ss->scratch, A(ss));
    ar_buf_init(&ss->links, A(ss));
    if (ar_buf_reserve(&ss->scratch, 256)) {
        ar_free(allocator, ss);
        set_errbuf(errbuf, errbuf_size, "out of memory");
        return ARCHASE_ENOMEM;
    }
    int flags = (o->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &ss->db, flags, NULL) != SQLITE_OK) {
        rc = ss->db ? sfail(ss, path) : fail(ss, ARCHASE_ENOMEM, "out of memory");
        if (rc == ARCHASE_EBUSY || rc == ARCHASE_ENOMEM) {
            /* kept */
        } else {
            rc = ARCHASE_ESTORAGE;
        }
    } else {
        sqlite3_extended_result_codes(ss->db, 1);
        rc = configure(ss, path, o);
    }
    if (rc) {
        set_errbuf(errbuf, errbuf_size, ss->errmsg);
        sql_close(ss);
        return rc;
    }
    archase_storage s;
    memset(&s, 0, sizeof s);
    s.version = ARCHASE_STORAGE_VERSION;
    s.userdata = ss;
    s.get = sql_get;
    s.put = sql_put;
    s.insert = sql_insert;
    s.del = sql_del;
    s.scan = sql_scan;
    s.count = sql_count;
    s.audit_append = sql_audit_append;
    s.audit_read = sql_audit_read;
    s.audit_size = sql_audit_size;
    s.outbox_claim = sql_outbox_claim;
    s.outbox_ack = sql_outbox_ack;
    s.outbox_mark_in_doubt = sql_outbox_mark_in_doubt;
    s.outbox_settle = sql_outbox_settle;
    s.begin = sql_begin;
    s.commit = sql_commit;
    s.rollback = sql_rollback;
    s.schema_version = sql_schema_version;
    s.errmsg = sql_errmsg;
    s.close = sql_close;
    *out = s;
    return 0;
}

int archase_open_sqlite(const char *path, const archase_sqlite_options *sqlite_opts,
                        const archase_engine_options *opts, archase_engine **out, char *errbuf,
                        size_t errbuf_size) {
    if (!out || !path) {
        set_errbuf(errbuf, errbuf_size, "a path and an output are required");
        return ARCHASE_EINVAL;
    }
    if (opts && opts->version != ARCHASE_ENGINE_OPTIONS_VERSION) {
        set_errbuf(errbuf, errbuf_size, "engine options version is not supported");
        return ARCHASE_EVERSION;
    }
    archase_storage s;
    int rc = archase_sqlite_storage_open(path, sqlite_opts, opts ? opts->allocator : NULL, &s,
                                         errbuf, errbuf_size);
    if (rc)
        return rc;
    rc = archase_engine_open(&s, opts, out);
    if (rc) {
        set_errbuf(errbuf, errbuf_size, archase_strerror(rc));
        s.close(s.userdata);
    }
    return rc;
}
