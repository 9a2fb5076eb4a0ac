/* libarchase/io/columns.c — the native columns of each kind, and one row of
 * cells turned into facts. */
#include "io/columns.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/date.h"
#include "archase/errors.h"
#include "core/alloc.h"
#include "core/date.h"
#include "core/money.h"
#include "engine/batch.h"
#include "engine/engine.h"
#include "io/revise.h"

/* ---- the formats ---------------------------------------------------------- */

#define END { NULL, C_COUNT, 0, 0 }

static const ar_column_spec customers[] = {
    { "customer_id", C_ID, 1, 1 },        { "name", C_NAME, 1, 3 },
    { "tier", C_TIER, 0, 4 },             { "owner", C_OWNER, 0, 5 },
    { "collector", C_COLLECTOR, 0, 6 },   { "timezone", C_TIMEZONE, 0, 7 },
    { "locale", C_LOCALE, 0, 8 },         { "email", C_EMAIL, 0, 0 },
    { "phone", C_PHONE, 0, 0 },           { "credit_limit", C_CREDIT_LIMIT, 0, 10 },
    { "currency", C_CURRENCY, 0, 10 },    { "flags", C_FLAGS, 0, 0 },
    { "country", C_COUNTRY, 0, 9 },       { "tags", C_TAGS, 0, 11 },
    { "source_link", C_SOURCE_LINK, 0, 12 }, { "revision", C_REVISION, 0, 2 },
    END,
};
static const ar_column_spec contacts[] = {
    { "contact_id", C_ID, 1, 1 },         { "customer_id", C_CUSTOMER_ID, 1, 3 },
    { "channel", C_CHANNEL, 1, 6 },       { "address", C_ADDRESS, 1, 7 },
    { "name", C_NAME, 0, 4 },             { "role", C_ROLE, 0, 5 },
    { "consent", C_CONSENT, 0, 8 },       { "primary", C_PRIMARY, 0, 9 },
    { "revision", C_REVISION, 0, 2 },     END,
};
static const ar_column_spec flags[] = {
    { "customer_id", C_CUSTOMER_ID, 1, 1 }, { "flags", C_FLAGS, 1, 3 },
    { "reason", C_REASON, 0, 8 },           { "set_by", C_SET_BY, 0, 9 },
    { "revision", C_REVISION, 0, 2 },       END,
};
static const ar_column_spec invoices[] = {
    { "invoice_id", C_ID, 1, 1 },          { "customer_id", C_CUSTOMER_ID, 1, 3 },
    { "number", C_NUMBER, 0, 4 },          { "issue_date", C_ISSUE_DATE, 1, 5 },
    { "due_date", C_DUE_DATE, 1, 6 },      { "amount", C_AMOUNT, 1, 7 },
    { "currency", C_CURRENCY, 1, 7 },      { "po_ref", C_PO_REF, 0, 9 },
    { "source_link", C_SOURCE_LINK, 0, 10 }, { "revision", C_REVISION, 0, 2 },
    { "terms", C_TERMS, 0, 8 },            { "status", C_STATUS, 0, 11 },
    { "open_amount", C_DERIVED, 0, 0 },    { "state", C_DERIVED, 0, 0 },
    { "settled_date", C_DERIVED, 0, 0 },   END,
};
static const ar_column_spec payments[] = {
    { "payment_id", C_ID, 1, 1 },          { "customer_id", C_CUSTOMER_ID, 1, 3 },
    { "invoice_id", C_INVOICE_ID, 0, 4 },  { "date", C_DATE, 1, 6 },
    { "amount", C_AMOUNT, 1, 7 },          { "currency", C_CURRENCY, 1, 7 },
    { "reference", C_REFERENCE, 0, 8 },    { "kind", C_KIND, 0, 5 },
    { "source_link", C_SOURCE_LINK, 0, 9 }, { "overpayment", C_OVERPAYMENT, 0, 10 },
    { "revision", C_REVISION, 0, 2 },      { "applied_amount", C_DERIVED, 0, 0 },
    END,
};
static const ar_column_spec credits[] = {
    { "credit_id", C_ID, 1, 1 },           { "customer_id", C_CUSTOMER_ID, 1, 3 },
    { "invoice_id", C_INVOICE_ID, 0, 4 },  { "date", C_DATE, 1, 6 },
    { "amount", C_AMOUNT, 1, 7 },          { "currency", C_CURRENCY, 1, 7 },
    { "reference", C_REFERENCE, 0, 8 },    { "source_link", C_SOURCE_LINK, 0, 9 },
    { "overpayment", C_OVERPAYMENT, 0, 10 }, { "revision", C_REVISION, 0, 2 },
    { "applied_amount", C_DERIVED, 0, 0 }, END,
};
static const ar_column_spec promises[] = {
    { "promise_id", C_ID, 1, 1 },          { "customer_id", C_CUSTOMER_ID, 1, 3 },
    { "invoice_ids", C_INVOICE_IDS, 1, 4 }, { "amount", C_AMOUNT, 1, 5 },
    { "currency", C_CURRENCY, 1, 5 },      { "promised_date", C_PROMISED_DATE, 1, 6 },
    { "instalments", C_INSTALMENTS, 0, 7 }, { "taken_by", C_TAKEN_BY, 0, 8 },
    { "channel", C_CHANNEL, 0, 9 },        { "note", C_NOTE, 0, 10 },
    { "grace_days", C_GRACE_DAYS, 0, 11 }, { "recorded_on", C_RECORDED_ON, 0, 12 },
    { "revision", C_REVISION, 0, 2 },      END,
};
static const ar_column_spec disputes[] = {
    { "dispute_id", C_ID, 1, 1 },          { "customer_id", C_CUSTOMER_ID, 1, 3 },
    { "invoice_ids", C_INVOICE_IDS, 1, 4 }, { "amount", C_AMOUNT, 1, 5 },
    { "currency", C_CURRENCY, 1, 5 },      { "reason_code", C_REASON_CODE, 1, 6 },
    { "opened_on", C_OPENED_ON, 1, 9 },    { "evidence", C_EVIDENCE, 0, 7 },
    { "opened_by", C_OPENED_BY, 0, 8 },    { "owner", C_OWNER, 0, 10 },
    { "status", C_STATUS, 0, 11 },         { "resolution", C_RESOLUTION, 0, 12 },
    { "root_cause", C_ROOT_CAUSE, 0, 13 }, { "resolved_on", C_RESOLVED_ON, 0, 14 },
    { "credited_amount", C_CREDITED, 0, 15 }, { "revision", C_REVISION, 0, 2 },
    END,
};
static const ar_column_spec notes[] = {
    { "note_id", C_ID, 1, 1 },             { "customer_id", C_CUSTOMER_ID, 1, 3 },
    { "at", C_AT, 1, 6 },                  { "text", C_TEXT, 1, 7 },
    { "invoice_id", C_INVOICE_ID, 0, 4 },  { "author", C_AUTHOR, 0, 5 },
    { "revision", C_REVISION, 0, 2 },      END,
};

const ar_column_spec *ar_kind_columns(int kind) {
    switch (kind) {
    case ARCHASE_KIND_CUSTOMERS: return customers;
    case ARCHASE_KIND_CONTACTS: return contacts;
    case ARCHASE_KIND_FLAGS: return flags;
    case ARCHASE_KIND_INVOICES: return invoices;
    case ARCHASE_KIND_PAYMENTS: return payments;
    case ARCHASE_KIND_CREDITS: return credits;
    case ARCHASE_KIND_PROMISES: return promises;
    case ARCHASE_KIND_DISPUTES: return disputes;
    case ARCHASE_KIND_NOTES: return notes;
    default: return NULL;
    }
}

const ar_column_spec *ar_kind_column(int kind, const char *name, size_t len) {
    const ar_column_spec *spec = ar_kind_columns(kind);
    for (; spec && spec->name; spec++) {
        if (strlen(spec->name) == len && !memcmp(spec->name, name, len))
            return spec;
    }
    return NULL;
}

int ar_col_is_list(ar_col col) {
    return col == C_INVOICE_IDS || col == C_TAGS || col == C_INSTALMENTS;
}

static const char *const kind_names[] = {
    NULL, "customers", "contacts", "flags", "invoices", "payments", "credits", "promises", "disputes", "notes",
};

const char *archase_kind_name(int kind) {
    return kind > 0 && kind < (int)(sizeof kind_names / sizeof kind_names[0]) ? kind_names[kind] : NULL;
}

int archase_kind_from_name(const char *name, int *out) {
    if (!name || !out)
        return ARCHASE_EINVAL;
    for (int k = 1; k < (int)(sizeof kind_names / sizeof kind_names[0]); k++) {
        if (!strcmp(kind_names[k], name)) {
            *out = k;
            return 0;
        }
    }
    return ARCHASE_EINVAL;
}

/* ---- reading cells ------------------------------------------------------- */

/* A row being turned into facts. */
typedef struct row {
    archase_batch       *b;
    int                  kind;
    const ar_cell       *cells;
    uint32_t             line;
    const ar_cell_rules *rules;
    const ar_row_how    *how;
    int                  bad;       /* a cell was rejected */
    int                  fatal;
    ar_buf               lists;     /* split lists (NUL-separated pieces) */
    ar_stored            stored;    /* the stored fact a merge reads */
    const char          *ids[1000]; /* pieces of a ';' list */
    archase_instalment   plan[1000];
} row;

static const char *col_name(const row *r, ar_col col) {
    for (const ar_column_spec *s = ar_kind_columns(r->kind); s && s->name; s++) {
        if (s->col == col)
            return s->name;
    }
    return col == C_SETTLED ? "settled_date" : col == C_AMOUNT_DUE ? "amount_due" : "?";
}

static const ar_cell *cell(const row *r, ar_col col) {
    const ar_cell *c = &r->cells[col];
    return c->text && c->len ? c : NULL;
}

static const char *text(const row *r, ar_col col) {
    const ar_cell *c = cell(r, col);
    return c ? c->text : NULL;
}

static void reject(row *r, ar_col col, const char *fmt, const char *detail) {
    const ar_cell *c = &r->cells[col];
    int rc = ar_batch_reject(r->b, ARCHASE_EINVAL, r->line, c->column, "%s: %s%s", col_name(r, col),
                             fmt, detail ? detail : "");
    r->bad = 1;
    if (rc)
        r->fatal = rc;
}

int ar_cell_date(const ar_cell_rules *rules, const char *s, size_t len, archase_date *out) {
    int rc = rules && rules->date_format ? ar_date_parse_format(s, len, rules->date_format, out)
                                         : ar_date_parse_n(s, len, out);
    return rc ? ARCHASE_EPARSE : 0;
}

static archase_date get_date(row *r, ar_col col) {
    const ar_cell *c = cell(r, col);
    archase_date d = ARCHASE_DATE_NONE;
    if (c && ar_cell_date(r->rules, c->text, c->len, &d)) {
        char msg[160];
        snprintf(msg, sizeof msg, "'%.40s' is not a date (expected %s)", c->text,
                 r->rules && r->rules->date_format ? r->rules->date_format : "YYYY-MM-DD");
        reject(r, col, msg, NULL);
    }
    return d;
}

static int64_t get_int(row *r, ar_col col, int64_t absent) {
    const ar_cell *c = cell(r, col);
    if (!c)
        return absent;
    char *end = NULL;
    long long v = strtoll(c->text, &end, 10);
    if (end != c->text + c->len || (c->text[0] != '-' && (c->text[0] < '0' || c->text[0] > '9'))) {
        reject(r, col, "not a whole number: ", c->text);
        return absent;
    }
    return v;
}

static int get_bool(row *r, ar_col col) {
    const ar_cell *c = cell(r, col);
    if (!c)
        return 0;
    if (!strcmp(c->text, "1") || !strcmp(c->text, "true") || !strcmp(c->text, "yes"))
        return 1;
    if (!strcmp(c->text, "0") || !strcmp(c->text, "false") || !strcmp(c->text, "no"))
        return 0;
    reject(r, col, "expected true or false, not ", c->text);
    return 0;
}

/* Reduces an amount as a file writes it to the plain text the money parser
 * reads ("-1234.50"): drops the currency symbol (before the digits, after a
 * sign or inside parentheses, or after them, a space allowed between) and the
 * thousands separators (which must separate groups of three digits), reads
 * "(12.50)" as -12.50 when the rules say so and turns the decimal separator
 * into '.'. Returns NULL, or why the text is not an amount. */
static const char *amount_text(const ar_cell_rules *rules, const char *s, size_t len, char *out,
                               size_t size) {
    char dec = rules && rules->decimal ? rules->decimal : '.';
    char thou = rules ? rules->thousands : 0;
    const char *sym = rules && rules->currency_symbol && *rules->currency_symbol ? rules->currency_symbol : NULL;
    size_t symlen = sym ? strlen(sym) : 0;
    const char *p = s, *end = s + len;
    int negative = 0;
    if (rules && rules->parentheses && p < end && *p == '(') {
        if (end - p < 2 || end[-1] != ')')
            return "an opening parenthesis is never closed";
        p++;
        end--;
        negative = 1;
    }
    if (p < end && *p == '-') {
        if (negative)
            return "a minus sign inside parentheses";
        negative = 1;
        p++;
    }
    if (sym && (size_t)(end - p) >= symlen && !memcmp(p, sym, symlen)) {
        p += symlen;
        if (p < end && *p == ' ')
            p++;
        if (p < end && *p == '-') {
            if (negative)
                return "two minus signs";
            negative = 1;
            p++;
        }
    } else if (sym && (size_t)(end - p) > symlen && !memcmp(end - symlen, sym, symlen)) {
        end -= symlen;
        if (end > p && end[-1] == ' ')
            end--;
    }
    size_t n = 0, group = 0, groups = 0;
    if (negative)
        out[n++] = '-';
    for (; p < end && *p != dec; p++) {
        if (n + 2 >= size)
            return "too long";
        if (thou && *p == thou) {
            if (groups ? group != 3 : (group < 1 || group > 3))
                return "thousands separators must separate groups of three digits";
            groups++;
            group = 0;
            continue;
        }
        group += *p >= '0' && *p <= '9';
        out[n++] = *p == '.' && dec != '.' ? '\x01' : *p;
    }
    if (groups && group != 3)
        return "thousands separators must separate groups of three digits";
    if (p < end) {
        out[n++] = '.';
        for (p++; p < end; p++) {
            if (n + 2 >= size)
                return "too long";
            if (thou && *p == thou)
                return "a thousands separator after the decimal separator";
            out[n++] = *p == '.' && dec != '.' ? '\x01' : *p;
        }
    }
    out[n] = '\0';
    return NULL;
}

/* An amount in the row's currency; absent = currency "". */
static archase_money get_money(row *r, ar_col col, const char *text_override) {
    archase_money m = { 0, "" };
    const ar_cell *c = cell(r, col);
    const char *s = text_override ? text_override : c ? c->text : NULL;
    if (!s)
        return m;
    const char *cur = text(r, C_CURRENCY);
    if (!cur) {
        reject(r, C_CURRENCY, "required with an amount", NULL);
        return m;
    }
    if (ar_currency_minor_units(cur, strlen(cur)) < 0) {
        reject(r, C_CURRENCY, "not a currency with minor units: ", cur);
        return m;
    }
    char norm[64];
    const char *why = amount_text(r->rules, s, strlen(s), norm, sizeof norm);
    ar_error err;
    ar_error_clear(&err);
    int rc = why ? ARCHASE_EPARSE : ar_money_parse_amount_n(norm, strlen(norm), cur, strlen(cur), &m, &err);
    if (rc) {
        char msg[200];
        snprintf(msg, sizeof msg, "'%.40s %.8s' is not an amount: %.100s", s, cur, why ? why : ar_error_message(&err));
        reject(r, col, msg, NULL);
        m.currency[0] = '\0';
    }
    return m;
}

/* Splits a ';'-separated list into r->ids. */
static size_t get_list(row *r, ar_col col) {
    const ar_cell *c = cell(r, col);
    if (!c)
        return 0;
    ar_buf_reset(&r->lists);
    size_t n = 0, start = 0;
    size_t offsets[1000];
    for (size_t i = 0; i <= c->len; i++) {
        if (i == c->len || c->text[i] == ';') {
            if (n == 1000) {
                reject(r, col, "more than 1000 items", NULL);
                return 0;
            }
            size_t a = start, z = i;
            while (a < z && c->text[a] == ' ')
                a++;
            while (z > a && c->text[z - 1] == ' ')
                z--;
            offsets[n++] = r->lists.len;
            ar_buf_put(&r->lists, c->text + a, z - a);
            ar_buf_putc(&r->lists, 0);
            start = i + 1;
        }
    }
    if (r->lists.err) {
        r->fatal = ARCHASE_ENOMEM;
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        r->ids[i] = (const char *)r->lists.data + offsets[i];
    return n;
}

/* ---- facts ---------------------------------------------------------------- */

static void set_columns(row *r, uint32_t *map, size_t count) {
    memset(map, 0, count * sizeof *map);
    for (const ar_column_spec *s = ar_kind_columns(r->kind); s && s->name; s++) {
        if (s->field && s->field < count && r->cells[s->col].text && !map[s->field])
            map[s->field] = r->cells[s->col].column;
    }
    ar_batch_set_columns(r->b, map, count);
}

static int fatal_of(int rc) {
    return rc == ARCHASE_ENOMEM || rc == ARCHASE_ESTORAGE || rc == ARCHASE_EBUSY ||
           rc == ARCHASE_EUNSUPPORTED || rc == ARCHASE_ESTATE;
}

static void add_result(row *r, int rc) {
    if (rc && fatal_of(rc))
        r->fatal = rc;
}

/* Sets the revision of a fact of the row (`mode`: AR_REVISE_*) and adds it.
 * Returns 0 when it was accepted, else why not (also recorded in the row). */
static int add_fact(row *r, int mode, int family, void *fact, int64_t *revision) {
    ar_fact_ref ref = { family, fact };
    ar_revise_at at = { r->line, r->cells[C_ID].column ? r->cells[C_ID].column : r->cells[C_CUSTOMER_ID].column,
                        r->cells[C_REVISION].column, r->how ? r->how->written : NULL };
    int rc = ar_revise(r->b, mode, ref, revision, &at);
    if (rc == 1) {
        r->bad = 1;
        return ARCHASE_ECONFLICT;
    }
    if (rc) {
        r->fatal = rc;
        return rc;
    }
    switch (family) {
    case ARCHASE_FAMILY_CUSTOMER: rc = archase_batch_add_customer(r->b, fact, r->line); break;
    case ARCHASE_FAMILY_CONTACT: rc = archase_batch_add_contact(r->b, fact, r->line); break;
    case ARCHASE_FAMILY_FLAGS: rc = archase_batch_add_customer_flags(r->b, fact, r->line); break;
    case ARCHASE_FAMILY_INVOICE: rc = archase_batch_add_invoice(r->b, fact, r->line); break;
    case ARCHASE_FAMILY_PAYMENT: rc = archase_batch_add_payment(r->b, fact, r->line); break;
    case ARCHASE_FAMILY_PROMISE: rc = archase_batch_add_promise(r->b, fact, r->line); break;
    case ARCHASE_FAMILY_DISPUTE: rc = archase_batch_add_dispute(r->b, fact, r->line); break;
    case ARCHASE_FAMILY_NOTE: rc = archase_batch_add_note(r->b, fact, r->line); break;
    default: rc = ARCHASE_EINVAL; break;
    }
    add_result(r, rc);
    return rc;
}

/* The revision mode of the row's own fact, and of the facts it implies (a
 * customer's contacts and flags, an invoice's payments): those follow the
 * store, since no sheet shows them. */
static int mode_of(const row *r) {
    return r->how ? r->how->revise : AR_REVISE_SOURCE;
}

static int implied_mode_of(const row *r) {
    return mode_of(r) == AR_REVISE_SOURCE ? AR_REVISE_SOURCE : AR_REVISE_AUTO;
}

/* flags: hold;paused_until=YYYY-MM-DD;expansion;strategic;service_issue, or none */
static void parse_flags(row *r, const ar_cell *fc, archase_customer_flags *fl) {
    const char *p = fc->text, *end = fc->text + fc->len;
    if (!strcmp(fc->text, "none"))
        return;
    while (p < end) {
        const char *q = memchr(p, ';', (size_t)(end - p));
        size_t n = q ? (size_t)(q - p) : (size_t)(end - p);
        if (n == 4 && !memcmp(p, "hold", 4))
            fl->hold = 1;
        else if (n == 9 && !memcmp(p, "expansion", 9))
            fl->expansion = 1;
        else if (n == 9 && !memcmp(p, "strategic", 9))
            fl->strategic = 1;
        else if (n == 13 && !memcmp(p, "service_issue", 13))
            fl->service_issue = 1;
        else if (!(n > 13 && !memcmp(p, "paused_until=", 13) &&
                   !ar_cell_date(NULL, p + 13, n - 13, &fl->paused_until))) {
            char what[80];
            snprintf(what, sizeof what, "'%.*s'", (int)(n > 40 ? 40 : n), p);
            reject(r, C_FLAGS, "unknown flag ", what);
        }
        p += n + (q ? 1 : 0);
    }
}

/* A merging output: what the row leaves out (no column, or an empty cell)
 * keeps the stored customer's value. A customer the ledger does not have is
 * made from the row alone, which then needs a name. */
static void merge_customer(row *r, archase_customer *c) {
    int rc = ar_stored_load(ar_batch_engine(r->b), ARCHASE_FAMILY_CUSTOMER, c->id, &r->stored);
    if (rc) {
        r->fatal = rc;
        return;
    }
    if (!r->stored.found) {
        if (!c->name)
            reject(r, C_ID, "no such customer in the ledger, and the row has no name to create it", NULL);
        return;
    }
    const archase_customer *old = &r->stored.fact.u.customer;
    const char **fields[] = { &c->name, &c->tier, &c->owner, &c->collector, &c->timezone,
                              &c->locale, &c->country, &c->source_link };
    const char *const kept[] = { old->name, old->tier, old->owner, old->collector, old->timezone,
                                 old->locale, old->country, old->source_link };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (!*fields[i])
            *fields[i] = kept[i];
    }
    if (!c->credit_limit.currency[0])
        c->credit_limit = old->credit_limit;
    if (!c->tag_count) {
        c->tags = old->tags;
        c->tag_count = old->tag_count;
    }
}

static void customer_row(row *r) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = text(r, C_ID);
    c.name = text(r, C_NAME);
    c.tier = text(r, C_TIER);
    c.owner = text(r, C_OWNER);
    c.collector = text(r, C_COLLECTOR);
    c.timezone = text(r, C_TIMEZONE);
    c.locale = text(r, C_LOCALE);
    c.country = text(r, C_COUNTRY);
    c.source_link = text(r, C_SOURCE_LINK);
    c.revision = get_int(r, C_REVISION, 0);
    c.credit_limit = get_money(r, C_CREDIT_LIMIT, NULL);
    c.tag_count = get_list(r, C_TAGS);
    c.tags = r->ids;
    archase_customer_flags fl = ARCHASE_CUSTOMER_FLAGS_INIT;
    const ar_cell *fc = cell(r, C_FLAGS);
    if (fc)
        parse_flags(r, fc, &fl);
    if (r->how && r->how->merge && c.id && !r->bad && !r->fatal)
        merge_customer(r, &c);
    if (r->bad || r->fatal)
        return;
    uint32_t map[16];
    set_columns(r, map, 16);
    add_fact(r, mode_of(r), ARCHASE_FAMILY_CUSTOMER, &c, &c.revision);
    const ar_col contact_cols[] = { C_EMAIL, C_PHONE };
    for (int i = 0; i < 2 && !r->fatal; i++) {
        const char *address = text(r, contact_cols[i]);
        if (!address)
            continue;
        char id[300];
        snprintf(id, sizeof id, "%s:%s", c.id ? c.id : "", i ? "phone" : "email");
        archase_contact ct = ARCHASE_CONTACT_INIT;
        ct.id = id;
        ct.customer_id = c.id;
        ct.channel = i ? ARCHASE_CHANNEL_CALL : ARCHASE_CHANNEL_EMAIL;
        ct.address = address;
        ct.consent = 1;
        ct.primary = 1;
        ct.revision = c.revision;
        uint32_t cmap[10] = { 0 };
        cmap[1] = cmap[7] = r->cells[contact_cols[i]].column;
        ar_batch_set_columns(r->b, cmap, 10);
        add_fact(r, implied_mode_of(r), ARCHASE_FAMILY_CONTACT, &ct, &ct.revision);
    }
    if (fc && !r->fatal) {
        fl.customer_id = c.id;
        fl.revision = c.revision;
        uint32_t fmap[10];
        for (int i = 0; i < 10; i++)
            fmap[i] = r->cells[C_FLAGS].column;
        ar_batch_set_columns(r->b, fmap, 10);
        add_fact(r, implied_mode_of(r), ARCHASE_FAMILY_FLAGS, &fl, &fl.revision);
    }
}

static void contact_row(row *r) {
    archase_contact c = ARCHASE_CONTACT_INIT;
    c.id = text(r, C_ID);
    c.customer_id = text(r, C_CUSTOMER_ID);
    c.name = text(r, C_NAME);
    c.role = text(r, C_ROLE);
    c.address = text(r, C_ADDRESS);
    c.consent = get_bool(r, C_CONSENT);
    c.primary = get_bool(r, C_PRIMARY);
    c.revision = get_int(r, C_REVISION, 0);
    const ar_cell *ch = cell(r, C_CHANNEL);
    if (ch && archase_channel_from_name(ch->text, &c.channel))
        reject(r, C_CHANNEL, "expected email, sms, letter, portal or call, not ", ch->text);
    if (r->bad)
        return;
    uint32_t map[16];
    set_columns(r, map, 16);
    add_fact(r, mode_of(r), ARCHASE_FAMILY_CONTACT, &c, &c.revision);
}

static void flags_row(row *r) {
    archase_customer_flags fl = ARCHASE_CUSTOMER_FLAGS_INIT;
    fl.customer_id = text(r, C_CUSTOMER_ID);
    fl.reason = text(r, C_REASON);
    fl.set_by = text(r, C_SET_BY);
    fl.revision = get_int(r, C_REVISION, 0);
    const ar_cell *fc = cell(r, C_FLAGS);
    if (fc)
        parse_flags(r, fc, &fl);
    /* A mapping's flag rules decide some flags; a merge keeps the rest. */
    int *const flag_fields[AR_FLAG_COUNT] = { &fl.hold, &fl.expansion, &fl.strategic, &fl.service_issue };
    for (int i = 0; r->how && i < AR_FLAG_COUNT; i++) {
        if (r->how->flag[i] >= 0)
            *flag_fields[i] = r->how->flag[i];
    }
    if (r->how && r->how->merge && fl.customer_id && !r->bad) {
        int rc = ar_stored_load(ar_batch_engine(r->b), ARCHASE_FAMILY_FLAGS, fl.customer_id, &r->stored);
        if (rc) {
            r->fatal = rc;
            return;
        }
        const archase_customer_flags *old = r->stored.found ? &r->stored.fact.u.flags : NULL;
        const int kept[AR_FLAG_COUNT] = { old ? old->hold : 0, old ? old->expansion : 0,
                                          old ? old->strategic : 0, old ? old->service_issue : 0 };
        for (int i = 0; old && !fc && i < AR_FLAG_COUNT; i++) {
            if (r->how->flag[i] < 0)
                *flag_fields[i] = kept[i];
        }
        if (old && !fc)
            fl.paused_until = old->paused_until;
        if (old && !fl.reason)
            fl.reason = old->reason;
        if (old && !fl.set_by)
            fl.set_by = old->set_by;
    }
    if (r->bad)
        return;
    uint32_t map[16];
    set_columns(r, map, 16);
    add_fact(r, mode_of(r), ARCHASE_FAMILY_FLAGS, &fl, &fl.revision);
}

/* An amount due: the payment that brings the invoice's open amount to it, one
 * fact `<invoice id>:paid` that later exports revise. What other payments,
 * credits and adjustments applied is left to them; when they already bring
 * the open amount below what is due, the row is rejected (the ledger cannot
 * take a payment back: an adjustment records a reversal). */
static void amount_due_payment(row *r, const archase_invoice *inv) {
    archase_money due = get_money(r, C_AMOUNT_DUE, NULL);
    if (r->bad || !due.currency[0])
        return;
    if (due.minor < 0) {
        reject(r, C_AMOUNT_DUE, "a negative amount due is a credit, not the balance of an invoice", NULL);
        return;
    }
    if (due.minor > inv->amount.minor) {
        reject(r, C_AMOUNT_DUE, "more than the invoice's amount", NULL);
        return;
    }
    if (!r->how || r->how->as_of == ARCHASE_DATE_NONE) {
        r->fatal = ar_error_set(&ar_batch_engine(r->b)->err, ARCHASE_EINVAL, "an amount due needs the import's as-of date");
        return;
    }
    archase_engine *e = ar_batch_engine(r->b);
    char id[300];
    snprintf(id, sizeof id, "%s:paid", inv->id);
    ar_stored invoice_now, paid_before;
    ar_stored_init(&invoice_now, AR_ENGINE_ALLOC(e));
    ar_stored_init(&paid_before, AR_ENGINE_ALLOC(e));
    int rc = ar_stored_load(e, ARCHASE_FAMILY_INVOICE, inv->id, &invoice_now);
    if (!rc)
        rc = ar_stored_load(e, ARCHASE_FAMILY_PAYMENT, id, &paid_before);
    if (rc) {
        r->fatal = rc;
        goto done;
    }
    if (!invoice_now.found) /* the invoice itself was rejected */
        goto done;
    int64_t mine = paid_before.found ? paid_before.amount2 : 0;
    int64_t needed = invoice_now.amount2 + mine - due.minor;
    if (needed == 0 && !paid_before.found)
        goto done;
    if (needed <= 0) {
        /* Open before this export's payment, and what that payment was. */
        archase_money open = { invoice_now.amount2 + mine, "" }, earlier = { mine, "" };
        memcpy(open.currency, due.currency, sizeof open.currency);
        memcpy(earlier.currency, due.currency, sizeof earlier.currency);
        char owed[ARCHASE_MONEY_FORMAT_MAX], most[ARCHASE_MONEY_FORMAT_MAX], paid[ARCHASE_MONEY_FORMAT_MAX];
        char msg[300];
        if (archase_money_format_amount(&due, owed, sizeof owed) ||
            archase_money_format_amount(&open, most, sizeof most) ||
            archase_money_format_amount(&earlier, paid, sizeof paid))
            owed[0] = most[0] = paid[0] = '\0';
        if (needed == 0)
            snprintf(msg, sizeof msg, "%s is due again, but the payment of %s an earlier export showed cannot "
                     "be taken back; record the reversal as an adjustment of -%s", owed, paid, paid);
        else
            snprintf(msg, sizeof msg, "%s is due, but other payments, credits and adjustments leave only %s "
                     "open; record the difference as an adjustment", owed, most);
        reject(r, C_AMOUNT_DUE, msg, NULL);
        goto done;
    }
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = id;
    p.customer_id = inv->customer_id;
    p.invoice_id = inv->id;
    p.amount.minor = needed;
    memcpy(p.amount.currency, due.currency, sizeof p.amount.currency);
    /* Unchanged, it keeps the day it was first seen; changed, it is dated
     * the day of the export that shows the change. */
    const archase_payment *old = paid_before.found ? &paid_before.fact.u.payment : NULL;
    p.date = old && old->amount.minor == needed ? old->date : r->how->as_of;
    p.reference = old ? old->reference : NULL;
    p.revision = old ? paid_before.revision : 0;
    uint32_t pmap[8] = { 0 };
    pmap[PA_AMOUNT] = r->cells[C_AMOUNT_DUE].column;
    ar_batch_set_columns(r->b, pmap, 8);
    add_fact(r, AR_REVISE_AUTO, ARCHASE_FAMILY_PAYMENT, &p, &p.revision);
done:
    ar_stored_free(&invoice_now);
    ar_stored_free(&paid_before);
}

static void invoice_row(row *r) {
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = text(r, C_ID);
    inv.customer_id = text(r, C_CUSTOMER_ID);
    inv.number = text(r, C_NUMBER);
    inv.issue_date = get_date(r, C_ISSUE_DATE);
    inv.due_date = get_date(r, C_DUE_DATE);
    inv.amount = get_money(r, C_AMOUNT, NULL);
    inv.po_ref = text(r, C_PO_REF);
    inv.source_link = text(r, C_SOURCE_LINK);
    inv.terms = text(r, C_TERMS);
    inv.revision = get_int(r, C_REVISION, 0);
    const ar_cell *st = cell(r, C_STATUS);
    if (st) {
        if (!strcmp(st->text, "void"))
            inv.source_status = ARCHASE_INVOICE_VOID;
        else if (strcmp(st->text, "open") != 0)
            reject(r, C_STATUS, "expected open or void, not ", st->text);
    }
    archase_date settled = get_date(r, C_SETTLED);
    if (r->bad)
        return;
    uint32_t map[16];
    set_columns(r, map, 16);
    int rc = add_fact(r, mode_of(r), ARCHASE_FAMILY_INVOICE, &inv, &inv.revision);
    if (rc || r->fatal)
        return;
    if (cell(r, C_AMOUNT_DUE) && inv.source_status != ARCHASE_INVOICE_VOID)
        amount_due_payment(r, &inv);
    if (settled == ARCHASE_DATE_NONE || r->fatal)
        return;
    /* A settled date means the invoice was paid in full on that day. */
    char id[300];
    snprintf(id, sizeof id, "%s:settled", inv.id);
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = id;
    p.customer_id = inv.customer_id;
    p.invoice_id = inv.id;
    p.date = settled;
    p.amount = inv.amount;
    p.revision = inv.revision;
    uint32_t pmap[8] = { 0 };
    pmap[6] = r->cells[C_SETTLED].column;
    ar_batch_set_columns(r->b, pmap, 8);
    add_fact(r, implied_mode_of(r), ARCHASE_FAMILY_PAYMENT, &p, &p.revision);
}

static void payment_row(row *r) {
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = text(r, C_ID);
    p.customer_id = text(r, C_CUSTOMER_ID);
    p.invoice_id = text(r, C_INVOICE_ID);
    p.date = get_date(r, C_DATE);
    p.amount = get_money(r, C_AMOUNT, NULL);
    p.reference = text(r, C_REFERENCE);
    p.source_link = text(r, C_SOURCE_LINK);
    p.overpayment = get_bool(r, C_OVERPAYMENT);
    p.revision = get_int(r, C_REVISION, 0);
    p.kind = r->kind == ARCHASE_KIND_CREDITS ? ARCHASE_CREDIT_NOTE : ARCHASE_PAYMENT;
    const ar_cell *k = cell(r, C_KIND);
    if (k && archase_payment_kind_from_name(k->text, &p.kind))
        reject(r, C_KIND, "expected payment, credit_note, adjustment or write_off, not ", k->text);
    if (r->bad)
        return;
    uint32_t map[16];
    set_columns(r, map, 16);
    add_fact(r, mode_of(r), ARCHASE_FAMILY_PAYMENT, &p, &p.revision);
}

static void promise_row(row *r) {
    archase_promise p = ARCHASE_PROMISE_INIT;
    p.id = text(r, C_ID);
    p.customer_id = text(r, C_CUSTOMER_ID);
    p.amount = get_money(r, C_AMOUNT, NULL);
    p.promised_date = get_date(r, C_PROMISED_DATE);
    p.taken_by = text(r, C_TAKEN_BY);
    p.note = text(r, C_NOTE);
    p.grace_days = (int32_t)get_int(r, C_GRACE_DAYS, ARCHASE_GRACE_POLICY_DEFAULT);
    p.recorded_on = get_date(r, C_RECORDED_ON);
    p.revision = get_int(r, C_REVISION, 0);
    const ar_cell *ch = cell(r, C_CHANNEL);
    if (ch && archase_channel_from_name(ch->text, &p.channel))
        reject(r, C_CHANNEL, "expected email, sms, letter, portal or call, not ", ch->text);
    /* instalments: DATE=AMOUNT;DATE=AMOUNT */
    size_t n = get_list(r, C_INSTALMENTS);
    for (size_t i = 0; i < n && !r->bad; i++) {
        const char *eq = strchr(r->ids[i], '=');
        if (!eq || ar_cell_date(r->rules, r->ids[i], (size_t)(eq - r->ids[i]), &r->plan[i].date)) {
            reject(r, C_INSTALMENTS, "expected DATE=AMOUNT;DATE=AMOUNT, not ", r->ids[i]);
            break;
        }
        r->plan[i].amount = get_money(r, C_INSTALMENTS, eq + 1);
    }
    p.instalments = r->plan;
    p.instalment_count = n;
    p.invoice_count = get_list(r, C_INVOICE_IDS);
    p.invoice_ids = r->ids;
    if (r->bad)
        return;
    uint32_t map[16];
    set_columns(r, map, 16);
    add_fact(r, mode_of(r), ARCHASE_FAMILY_PROMISE, &p, &p.revision);
}

static void dispute_row(row *r) {
    archase_dispute d = ARCHASE_DISPUTE_INIT;
    d.id = text(r, C_ID);
    d.customer_id = text(r, C_CUSTOMER_ID);
    d.amount = get_money(r, C_AMOUNT, NULL);
    d.reason_code = text(r, C_REASON_CODE);
    d.evidence = text(r, C_EVIDENCE);
    d.opened_by = text(r, C_OPENED_BY);
    d.opened_on = get_date(r, C_OPENED_ON);
    d.owner = text(r, C_OWNER);
    d.root_cause = text(r, C_ROOT_CAUSE);
    d.resolved_on = get_date(r, C_RESOLVED_ON);
    d.credited = get_money(r, C_CREDITED, NULL);
    d.revision = get_int(r, C_REVISION, 0);
    const ar_cell *st = cell(r, C_STATUS);
    if (st) {
        if (!strcmp(st->text, "open"))
            d.status = ARCHASE_DISPUTE_OPEN;
        else if (!strcmp(st->text, "in_review"))
            d.status = ARCHASE_DISPUTE_IN_REVIEW;
        else if (!strcmp(st->text, "resolved"))
            d.status = ARCHASE_DISPUTE_RESOLVED;
        else
            reject(r, C_STATUS, "expected open, in_review or resolved, not ", st->text);
    }
    const ar_cell *res = cell(r, C_RESOLUTION);
    if (res) {
        if (!strcmp(res->text, "credit_issued"))
            d.resolution = ARCHASE_RESOLUTION_CREDIT_ISSUED;
        else if (!strcmp(res->text, "rejected"))
            d.resolution = ARCHASE_RESOLUTION_REJECTED;
        else if (!strcmp(res->text, "partial"))
            d.resolution = ARCHASE_RESOLUTION_PARTIAL;
        else
            reject(r, C_RESOLUTION, "expected credit_issued, rejected or partial, not ", res->text);
    }
    d.invoice_count = get_list(r, C_INVOICE_IDS);
    d.invoice_ids = r->ids;
    if (r->bad)
        return;
    uint32_t map[16];
    set_columns(r, map, 16);
    add_fact(r, mode_of(r), ARCHASE_FAMILY_DISPUTE, &d, &d.revision);
}

static void note_row(row *r) {
    archase_note n = ARCHASE_NOTE_INIT;
    n.id = text(r, C_ID);
    n.customer_id = text(r, C_CUSTOMER_ID);
    n.invoice_id = text(r, C_INVOICE_ID);
    n.author = text(r, C_AUTHOR);
    n.text = text(r, C_TEXT);
    n.revision = get_int(r, C_REVISION, 0);
    const ar_cell *at = cell(r, C_AT);
    if (at && archase_instant_parse(at->text, &n.at))
        reject(r, C_AT, "expected an instant like 2026-01-31T09:30:00Z, not ", at->text);
    if (r->bad)
        return;
    uint32_t map[16];
    set_columns(r, map, 16);
    add_fact(r, mode_of(r), ARCHASE_FAMILY_NOTE, &n, &n.revision);
}

void ar_row_how_init(ar_row_how *how) {
    memset(how, 0, sizeof *how);
    how->revise = AR_REVISE_SOURCE;
    for (int i = 0; i < AR_FLAG_COUNT; i++)
        how->flag[i] = -1;
    how->as_of = ARCHASE_DATE_NONE;
}

int ar_row_add(archase_batch *b, int kind, const ar_cell cells[C_COUNT], uint32_t line,
               const ar_row_how *how) {
    archase_engine *e = ar_batch_engine(b);
    /* Only the members before the lists are cleared: ids and plan (32 kB)
     * are filled before they are read, and clearing them for every row was
     * a tenth of an import's time. */
    row *r = ar_malloc(AR_ENGINE_ALLOC(e), sizeof *r);
    if (!r)
        return ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
    memset(r, 0, offsetof(row, ids));
    r->b = b;
    r->kind = kind;
    r->cells = cells;
    r->line = line;
    r->how = how;
    r->rules = how ? how->rules : NULL;
    ar_buf_init(&r->lists, AR_ENGINE_ALLOC(e));
    ar_stored_init(&r->stored, AR_ENGINE_ALLOC(e));
    switch (kind) {
    case ARCHASE_KIND_CUSTOMERS: customer_row(r); break;
    case ARCHASE_KIND_CONTACTS: contact_row(r); break;
    case ARCHASE_KIND_FLAGS: flags_row(r); break;
    case ARCHASE_KIND_INVOICES: invoice_row(r); break;
    case ARCHASE_KIND_PAYMENTS:
    case ARCHASE_KIND_CREDITS: payment_row(r); break;
    case ARCHASE_KIND_PROMISES: promise_row(r); break;
    case ARCHASE_KIND_DISPUTES: dispute_row(r); break;
    case ARCHASE_KIND_NOTES: note_row(r); break;
    default: r->fatal = ARCHASE_EINVAL; break;
    }
    ar_batch_set_columns(b, NULL, 0);
    int rc = r->fatal;
    ar_buf_free(&r->lists);
    ar_stored_free(&r->stored);
    ar_free(AR_ENGINE_ALLOC(e), r);
    return rc;
}
