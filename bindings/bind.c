/* bindings/bind.c — support functions the language bindings share (bind.h). */
#include "bind.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/approval.h"
#include "archase/audit.h"
#include "archase/date.h"
#include "archase/errors.h"
#include "archase/forecast.h"
#include "archase/hash.h"
#include "archase/kpi.h"
#include "archase/ledger.h"
#include "archase/money.h"
#include "archase/replay.h"
#include "archase/sys/storage.h"

/* ---- text ------------------------------------------------------------------- */

struct archase_bind_text {
    char  *data;
    size_t size;
    size_t cap;
    int    failed; /* an allocation failed: the text is incomplete */
};

static archase_bind_text *text_new(void) {
    archase_bind_text *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->data = malloc(256);
    if (!t->data) {
        free(t);
        return NULL;
    }
    t->cap = 256;
    t->data[0] = '\0';
    return t;
}

const char *archase_bind_text_data(const archase_bind_text *t) { return t ? t->data : ""; }
size_t archase_bind_text_size(const archase_bind_text *t) { return t ? t->size : 0; }

void archase_bind_text_free(archase_bind_text *t) {
    if (!t)
        return;
    free(t->data);
    free(t);
}

static void put(archase_bind_text *t, const char *s, size_t n) {
    if (t->failed)
        return;
    if (t->size + n + 1 > t->cap) {
        size_t cap = t->cap;
        while (t->size + n + 1 > cap)
            cap *= 2;
        char *p = realloc(t->data, cap);
        if (!p) {
            t->failed = 1;
            return;
        }
        t->data = p;
        t->cap = cap;
    }
    memcpy(t->data + t->size, s, n);
    t->size += n;
    t->data[t->size] = '\0';
}

static void puts_(archase_bind_text *t, const char *s) { put(t, s, strlen(s)); }

static void putf(archase_bind_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(archase_bind_text *t, const char *fmt, ...) {
    char buf[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    put(t, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static int write_to_text(void *userdata, const void *data, size_t size) {
    archase_bind_text *t = userdata;
    put(t, data, size);
    return t->failed ? ARCHASE_ENOMEM : 0;
}

/* Hands a finished text out, or frees it. */
static int finish(archase_bind_text *t, int rc, archase_bind_text **out) {
    if (rc == 0 && t->failed)
        rc = ARCHASE_ENOMEM;
    if (rc != 0) {
        archase_bind_text_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

/* ---- JSON ------------------------------------------------------------------- */

/* Writers put a comma before every member but the first of an object or array:
 * the text's last byte tells. */
static void sep(archase_bind_text *t) {
    if (t->size && t->data[t->size - 1] != '{' && t->data[t->size - 1] != '[' &&
        t->data[t->size - 1] != ':')
        put(t, ",", 1);
}

static void jstr(archase_bind_text *t, const char *s) {
    if (!s) {
        puts_(t, "null");
        return;
    }
    put(t, "\"", 1);
    const unsigned char *run = (const unsigned char *)s, *p = run;
    for (; *p; p++) {
        if (*p >= 0x20 && *p != '"' && *p != '\\')
            continue; /* plain bytes go out together */
        put(t, (const char *)run, (size_t)(p - run));
        switch (*p) {
        case '"': puts_(t, "\\\""); break;
        case '\\': puts_(t, "\\\\"); break;
        case '\n': puts_(t, "\\n"); break;
        case '\r': puts_(t, "\\r"); break;
        case '\t': puts_(t, "\\t"); break;
        default: putf(t, "\\u%04x", *p);
        }
        run = p + 1;
    }
    put(t, (const char *)run, (size_t)(p - run));
    put(t, "\"", 1);
}

static void key(archase_bind_text *t, const char *k) {
    sep(t);
    jstr(t, k);
    put(t, ":", 1);
}

static void begin_obj(archase_bind_text *t) { sep(t); put(t, "{", 1); }
static void end_obj(archase_bind_text *t) { put(t, "}", 1); }
static void begin_arr(archase_bind_text *t) { sep(t); put(t, "[", 1); }
static void end_arr(archase_bind_text *t) { put(t, "]", 1); }

static void kstr(archase_bind_text *t, const char *k, const char *v) { key(t, k); jstr(t, v); }
/* Integers without printf: most of a record's text is numbers. */
static void put_u64(archase_bind_text *t, uint64_t v) {
    char buf[24];
    size_t i = sizeof buf;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(t, buf + i, sizeof buf - i);
}
static void put_i64(archase_bind_text *t, int64_t v) {
    if (v < 0) {
        put(t, "-", 1);
        put_u64(t, (uint64_t)0 - (uint64_t)v);
    } else {
        put_u64(t, (uint64_t)v);
    }
}
static void kint(archase_bind_text *t, const char *k, int64_t v) { key(t, k); put_i64(t, v); }
static void kuint(archase_bind_text *t, const char *k, uint64_t v) { key(t, k); put_u64(t, v); }
static void kbool(archase_bind_text *t, const char *k, int v) { key(t, k); puts_(t, v ? "true" : "false"); }

static int date_style;

void archase_bind_set_date_style(int style) { date_style = style; }

static void jdate(archase_bind_text *t, archase_date d) {
    char buf[ARCHASE_DATE_FORMAT_MAX + 16];
    if (d == ARCHASE_DATE_NONE || archase_date_format(d, buf, ARCHASE_DATE_FORMAT_MAX) != 0) {
        puts_(t, "null");
        return;
    }
    if (date_style)
        strcat(buf, "T00:00:00Z");
    jstr(t, buf);
}

/* An optional string: NULL or "" is absent. */
static const char *opt(const char *s) { return s && *s ? s : NULL; }
static void kdate(archase_bind_text *t, const char *k, archase_date d) { key(t, k); jdate(t, d); }

static void jmoney(archase_bind_text *t, int64_t minor, const char *currency) {
    if (!currency || !currency[0]) {
        puts_(t, "null");
        return;
    }
    puts_(t, "{\"minor\":");
    put_i64(t, minor);
    puts_(t, ",\"currency\":");
    jstr(t, currency);
    put(t, "}", 1);
}
static void kmoney(archase_bind_text *t, const char *k, const archase_money *m) {
    key(t, k);
    jmoney(t, m->minor, m->currency);
}

static void hex(archase_bind_text *t, const uint8_t *b, size_t n) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        char two[2] = { digits[b[i] >> 4], digits[b[i] & 15] };
        put(t, two, 2);
    }
}

static void khex(archase_bind_text *t, const char *k, const uint8_t *b, size_t n) {
    key(t, k);
    put(t, "\"", 1);
    hex(t, b, n);
    put(t, "\"", 1);
}

/* A writer that keeps what it is given as hex (binary encodings). */
static int write_hex(void *userdata, const void *data, size_t size) {
    archase_bind_text *t = userdata;
    hex(t, data, size);
    return t->failed ? ARCHASE_ENOMEM : 0;
}

/* A KPI number: its text with 2 decimals, as a JSON number, or null. */
static void knumber(archase_bind_text *t, const char *k, archase_kpi_number n) {
    char buf[32];
    key(t, k);
    if (!n.defined || archase_kpi_number_format(n, buf, sizeof buf) != 0)
        puts_(t, "null");
    else
        puts_(t, buf);
}

/* ---- engines ---------------------------------------------------------------- */

static archase_instant fixed_now(void *userdata) { return (archase_instant)(intptr_t)userdata; }

static void engine_options(archase_engine_options *opts, archase_clock *clock, const char *actor,
                           int64_t now) {
    archase_engine_options_init(opts, ARCHASE_ENGINE_OPTIONS_VERSION);
    opts->actor = actor && *actor ? actor : NULL;
    if (now != 0) {
        clock->version = ARCHASE_CLOCK_VERSION;
        clock->userdata = (void *)(intptr_t)now;
        clock->now = fixed_now;
        opts->clock = clock;
    }
}

int archase_bind_open(const char *path, const char *actor, int64_t now, int read_only,
                      archase_engine **out, char *errbuf, size_t errbuf_size) {
    archase_engine_options opts;
    archase_clock clock;
    if (!out)
        return ARCHASE_EINVAL;
    *out = NULL;
    engine_options(&opts, &clock, actor, now);
    if (!path || !*path) {
        int rc = archase_open_memory(&opts, out);
        if (rc != 0 && errbuf && errbuf_size)
            snprintf(errbuf, errbuf_size, "%s", archase_strerror(rc));
        return rc;
    }
    archase_sqlite_options sq;
    archase_sqlite_options_init(&sq, ARCHASE_SQLITE_OPTIONS_VERSION);
    sq.read_only = read_only ? 1 : 0;
    sq.create = read_only ? 0 : 1;
    return archase_open_sqlite(path, &sq, &opts, out, errbuf, errbuf_size);
}

int archase_bind_open_storage(const archase_storage *storage, const char *actor, int64_t now,
                              archase_engine **out) {
    archase_engine_options opts;
    archase_clock clock;
    engine_options(&opts, &clock, actor, now);
    return archase_engine_open(storage, &opts, out);
}

/* ---- inputs ------------------------------------------------------------------- */

enum field_type { F_TEXT, F_INT, F_BOOL, F_I32, F_I64, F_DATE, F_MONEY, F_LIST };

typedef struct field {
    const char *name;
    int         type;
    size_t      offset;
    size_t      count_offset; /* F_LIST: where the count is */
} field;

#define FT(S, name) { #name, F_TEXT, offsetof(S, name), 0 }
#define FI(S, name) { #name, F_INT, offsetof(S, name), 0 }
#define FB(S, name) { #name, F_BOOL, offsetof(S, name), 0 } /* an int 0 or 1 */
#define F32(S, name) { #name, F_I32, offsetof(S, name), 0 }
#define F64(S, name) { #name, F_I64, offsetof(S, name), 0 }
#define FD(S, name) { #name, F_DATE, offsetof(S, name), 0 }
#define FM(S, name) { #name, F_MONEY, offsetof(S, name), 0 }
#define FL(S, name, count) { #name, F_LIST, offsetof(S, name), offsetof(S, count) }
#define FEND { NULL, 0, 0, 0 }

static const field customer_fields[] = {
    FT(archase_customer, id), F64(archase_customer, revision), FT(archase_customer, name),
    FT(archase_customer, tier), FT(archase_customer, owner), FT(archase_customer, collector),
    FT(archase_customer, timezone), FT(archase_customer, locale), FT(archase_customer, country),
    FM(archase_customer, credit_limit), FL(archase_customer, tags, tag_count),
    FT(archase_customer, source_link), FEND
};
static const field contact_fields[] = {
    FT(archase_contact, id), FT(archase_contact, customer_id), F64(archase_contact, revision),
    FT(archase_contact, name), FT(archase_contact, role), FI(archase_contact, channel),
    FT(archase_contact, address), FB(archase_contact, consent), FB(archase_contact, primary), FEND
};
static const field flags_fields[] = {
    FT(archase_customer_flags, customer_id), F64(archase_customer_flags, revision),
    FB(archase_customer_flags, hold), FD(archase_customer_flags, paused_until),
    FB(archase_customer_flags, expansion), FB(archase_customer_flags, strategic),
    FB(archase_customer_flags, service_issue), FT(archase_customer_flags, reason),
    FT(archase_customer_flags, set_by), FEND
};
static const field invoice_fields[] = {
    FT(archase_invoice, id), FT(archase_invoice, customer_id), FT(archase_invoice, number),
    FD(archase_invoice, issue_date), FD(archase_invoice, due_date), FM(archase_invoice, amount),
    FT(archase_invoice, terms), FT(archase_invoice, po_ref), FT(archase_invoice, source_link),
    F64(archase_invoice, revision), FI(archase_invoice, source_status), FEND
};
static const field payment_fields[] = {
    FT(archase_payment, id), FT(archase_payment, customer_id), FT(archase_payment, invoice_id),
    FI(archase_payment, kind), FD(archase_payment, date), FM(archase_payment, amount),
    FT(archase_payment, reference), FT(archase_payment, source_link),
    FB(archase_payment, overpayment), F64(archase_payment, revision), FEND
};
static const field promise_fields[] = {
    FT(archase_promise, id), FT(archase_promise, customer_id),
    FL(archase_promise, invoice_ids, invoice_count), FM(archase_promise, amount),
    FD(archase_promise, promised_date), FT(archase_promise, taken_by), FI(archase_promise, channel),
    FT(archase_promise, note), F32(archase_promise, grace_days), FD(archase_promise, recorded_on),
    F64(archase_promise, revision), FEND
};
static const field dispute_fields[] = {
    FT(archase_dispute, id), FT(archase_dispute, customer_id),
    FL(archase_dispute, invoice_ids, invoice_count), FM(archase_dispute, amount),
    FT(archase_dispute, reason_code), FT(archase_dispute, evidence), FT(archase_dispute, opened_by),
    FD(archase_dispute, opened_on), FT(archase_dispute, owner), FI(archase_dispute, status),
    FI(archase_dispute, resolution), FT(archase_dispute, root_cause), FD(archase_dispute, resolved_on),
    FM(archase_dispute, credited), F64(archase_dispute, revision), FEND
};
static const field note_fields[] = {
    FT(archase_note, id), FT(archase_note, customer_id), FT(archase_note, invoice_id),
    FT(archase_note, author), F64(archase_note, at), FT(archase_note, text),
    F64(archase_note, revision), FEND
};
static const field request_fields[] = {
    FI(archase_approval_request, action), FT(archase_approval_request, customer_id),
    FL(archase_approval_request, invoice_ids, invoice_count), FM(archase_approval_request, amount),
    FT(archase_approval_request, requester), FT(archase_approval_request, requester_role),
    FT(archase_approval_request, justification), FT(archase_approval_request, customer_impact),
    FT(archase_approval_request, rule), FT(archase_approval_request, reason_code),
    FT(archase_approval_request, detail), FT(archase_approval_request, decision_id), FEND
};
static const field vote_fields[] = {
    FT(archase_approval_vote, actor), FT(archase_approval_vote, role),
    FT(archase_approval_vote, reason), FEND
};

typedef union fact_struct {
    archase_customer         customer;
    archase_contact          contact;
    archase_customer_flags   flags;
    archase_invoice          invoice;
    archase_payment          payment;
    archase_promise          promise;
    archase_dispute          dispute;
    archase_note             note;
    archase_approval_request request;
    archase_approval_vote    vote;
} fact_struct;

struct archase_bind_input {
    int            kind;
    const field   *fields;
    fact_struct    s;
    char         **strings; /* every string the struct points at, owned */
    size_t         nstrings, capstrings;
    char        ***lists;   /* the arrays of F_LIST fields, owned */
    size_t         nlists;
    archase_instalment *instalments;
    size_t         ninstalments;
    char           errmsg[160];
};

static const field *fields_of(int kind) {
    switch (kind) {
    case ARCHASE_FAMILY_CUSTOMER: return customer_fields;
    case ARCHASE_FAMILY_CONTACT: return contact_fields;
    case ARCHASE_FAMILY_FLAGS: return flags_fields;
    case ARCHASE_FAMILY_INVOICE: return invoice_fields;
    case ARCHASE_FAMILY_PAYMENT: return payment_fields;
    case ARCHASE_FAMILY_PROMISE: return promise_fields;
    case ARCHASE_FAMILY_DISPUTE: return dispute_fields;
    case ARCHASE_FAMILY_NOTE: return note_fields;
    case ARCHASE_BIND_APPROVAL_REQUEST: return request_fields;
    case ARCHASE_BIND_APPROVAL_VOTE: return vote_fields;
    default: return NULL;
    }
}

int archase_bind_input_new(int kind, archase_bind_input **out) {
    const field *fields = fields_of(kind);
    if (!out)
        return ARCHASE_EINVAL;
    *out = NULL;
    if (!fields)
        return ARCHASE_EINVAL;
    archase_bind_input *in = calloc(1, sizeof *in);
    if (!in)
        return ARCHASE_ENOMEM;
    in->kind = kind;
    in->fields = fields;
    switch (kind) {
    case ARCHASE_FAMILY_CUSTOMER: in->s.customer = (archase_customer)ARCHASE_CUSTOMER_INIT; break;
    case ARCHASE_FAMILY_CONTACT: in->s.contact = (archase_contact)ARCHASE_CONTACT_INIT; break;
    case ARCHASE_FAMILY_FLAGS: in->s.flags = (archase_customer_flags)ARCHASE_CUSTOMER_FLAGS_INIT; break;
    case ARCHASE_FAMILY_INVOICE: in->s.invoice = (archase_invoice)ARCHASE_INVOICE_INIT; break;
    case ARCHASE_FAMILY_PAYMENT: in->s.payment = (archase_payment)ARCHASE_PAYMENT_INIT; break;
    case ARCHASE_FAMILY_PROMISE: in->s.promise = (archase_promise)ARCHASE_PROMISE_INIT; break;
    case ARCHASE_FAMILY_DISPUTE: in->s.dispute = (archase_dispute)ARCHASE_DISPUTE_INIT; break;
    case ARCHASE_FAMILY_NOTE: in->s.note = (archase_note)ARCHASE_NOTE_INIT; break;
    case ARCHASE_BIND_APPROVAL_REQUEST:
        in->s.request = (archase_approval_request)ARCHASE_APPROVAL_REQUEST_INIT;
        break;
    default: in->s.vote = (archase_approval_vote)ARCHASE_APPROVAL_VOTE_INIT; break;
    }
    *out = in;
    return 0;
}

void archase_bind_input_free(archase_bind_input *in) {
    if (!in)
        return;
    for (size_t i = 0; i < in->nstrings; i++)
        free(in->strings[i]);
    free(in->strings);
    for (size_t i = 0; i < in->nlists; i++)
        free(in->lists[i]);
    free(in->lists);
    free(in->instalments);
    free(in);
}

const char *archase_bind_input_errmsg(const archase_bind_input *in) { return in ? in->errmsg : ""; }

static const field *find_field(archase_bind_input *in, const char *name, int type) {
    if (!in || !name)
        return NULL;
    for (const field *f = in->fields; f->name; f++) {
        if (strcmp(f->name, name) != 0)
            continue;
        int ok = f->type == type ||
                 (type == F_INT && (f->type == F_I32 || f->type == F_I64 || f->type == F_BOOL));
        if (ok)
            return f;
        break;
    }
    snprintf(in->errmsg, sizeof in->errmsg, "no field \"%s\" of that type in this record", name);
    return NULL;
}

static char *keep_string(archase_bind_input *in, const char *value) {
    if (in->nstrings == in->capstrings) {
        size_t cap = in->capstrings ? in->capstrings * 2 : 16;
        char **p = realloc(in->strings, cap * sizeof *p);
        if (!p)
            return NULL;
        in->strings = p;
        in->capstrings = cap;
    }
    size_t n = strlen(value);
    char *copy = malloc(n + 1);
    if (!copy)
        return NULL;
    memcpy(copy, value, n + 1);
    in->strings[in->nstrings++] = copy;
    return copy;
}

int archase_bind_input_set_text(archase_bind_input *in, const char *name, const char *value) {
    const field *f = find_field(in, name, F_TEXT);
    if (!f)
        return ARCHASE_EINVAL;
    const char *copy = NULL;
    if (value && !(copy = keep_string(in, value)))
        return ARCHASE_ENOMEM;
    memcpy((char *)&in->s + f->offset, &copy, sizeof copy);
    return 0;
}

int archase_bind_input_set_int(archase_bind_input *in, const char *name, int64_t value) {
    const field *f = find_field(in, name, F_INT);
    if (!f)
        return ARCHASE_EINVAL;
    char *p = (char *)&in->s + f->offset;
    if (f->type == F_I64) {
        memcpy(p, &value, sizeof value);
        return 0;
    }
    if (value < INT32_MIN || value > INT32_MAX) {
        snprintf(in->errmsg, sizeof in->errmsg, "%s: %" PRId64 " is out of range", name, value);
        return ARCHASE_ERANGE;
    }
    if (f->type == F_I32) {
        int32_t v = (int32_t)value;
        memcpy(p, &v, sizeof v);
    } else {
        int v = (int)value;
        memcpy(p, &v, sizeof v);
    }
    return 0;
}

int archase_bind_input_set_date(archase_bind_input *in, const char *name, archase_date value) {
    const field *f = find_field(in, name, F_DATE);
    if (!f)
        return ARCHASE_EINVAL;
    memcpy((char *)&in->s + f->offset, &value, sizeof value);
    return 0;
}

int archase_bind_input_set_money(archase_bind_input *in, const char *name, int64_t minor,
                                 const char *currency) {
    const field *f = find_field(in, name, F_MONEY);
    if (!f)
        return ARCHASE_EINVAL;
    archase_money m = { minor, "" };
    if (currency && strlen(currency) > 3) {
        snprintf(in->errmsg, sizeof in->errmsg, "%s: \"%s\" is not a currency code", name, currency);
        return ARCHASE_ECURRENCY;
    }
    if (currency)
        memcpy(m.currency, currency, strlen(currency) + 1);
    memcpy((char *)&in->s + f->offset, &m, sizeof m);
    return 0;
}

int archase_bind_input_add_text(archase_bind_input *in, const char *name, const char *value) {
    const field *f = find_field(in, name, F_LIST);
    if (!f)
        return ARCHASE_EINVAL;
    if (!value) {
        snprintf(in->errmsg, sizeof in->errmsg, "%s: an item cannot be None", name);
        return ARCHASE_EINVAL;
    }
    char *base = (char *)&in->s;
    char **list;
    size_t count;
    memcpy(&list, base + f->offset, sizeof list);
    memcpy(&count, base + f->count_offset, sizeof count);
    char *copy = keep_string(in, value);
    if (!copy)
        return ARCHASE_ENOMEM;
    /* The list is reallocated as it grows: find it among those owned. */
    size_t slot = in->nlists;
    for (size_t i = 0; i < in->nlists; i++)
        if (in->lists[i] == list)
            slot = i;
    if (slot == in->nlists) {
        char ***p = realloc(in->lists, (in->nlists + 1) * sizeof *p);
        if (!p)
            return ARCHASE_ENOMEM;
        in->lists = p;
        in->lists[in->nlists++] = NULL;
    }
    char **grown = realloc(in->lists[slot], (count + 1) * sizeof *grown);
    if (!grown)
        return ARCHASE_ENOMEM;
    grown[count++] = copy;
    in->lists[slot] = grown;
    memcpy(base + f->offset, &grown, sizeof grown);
    memcpy(base + f->count_offset, &count, sizeof count);
    return 0;
}

int archase_bind_input_add_instalment(archase_bind_input *in, archase_date date, int64_t minor,
                                      const char *currency) {
    if (!in || in->kind != ARCHASE_FAMILY_PROMISE) {
        if (in)
            snprintf(in->errmsg, sizeof in->errmsg, "only a promise has instalments");
        return ARCHASE_EINVAL;
    }
    if (!currency || strlen(currency) > 3) {
        snprintf(in->errmsg, sizeof in->errmsg, "an instalment needs a currency code");
        return ARCHASE_ECURRENCY;
    }
    archase_instalment *p = realloc(in->instalments, (in->ninstalments + 1) * sizeof *p);
    if (!p)
        return ARCHASE_ENOMEM;
    in->instalments = p;
    p[in->ninstalments].date = date;
    p[in->ninstalments].amount.minor = minor;
    memcpy(p[in->ninstalments].amount.currency, currency, strlen(currency) + 1);
    in->ninstalments++;
    in->s.promise.instalments = p;
    in->s.promise.instalment_count = in->ninstalments;
    return 0;
}

int archase_bind_put(archase_engine *eng, const archase_bind_input *in, int *out) {
    archase_outcome outcome = 0;
    int rc;
    if (!eng || !in || !out)
        return ARCHASE_EINVAL;
    switch (in->kind) {
    case ARCHASE_FAMILY_CUSTOMER: rc = archase_customer_put(eng, &in->s.customer, &outcome); break;
    case ARCHASE_FAMILY_CONTACT: rc = archase_contact_put(eng, &in->s.contact, &outcome); break;
    case ARCHASE_FAMILY_FLAGS: rc = archase_customer_flags_put(eng, &in->s.flags, &outcome); break;
    case ARCHASE_FAMILY_INVOICE: rc = archase_invoice_put(eng, &in->s.invoice, &outcome); break;
    case ARCHASE_FAMILY_PAYMENT: rc = archase_payment_put(eng, &in->s.payment, &outcome); break;
    case ARCHASE_FAMILY_PROMISE: rc = archase_promise_put(eng, &in->s.promise, &outcome); break;
    case ARCHASE_FAMILY_DISPUTE: rc = archase_dispute_put(eng, &in->s.dispute, &outcome); break;
    case ARCHASE_FAMILY_NOTE: rc = archase_note_put(eng, &in->s.note, &outcome); break;
    default: return ARCHASE_EINVAL;
    }
    *out = (int)outcome;
    return rc;
}

int archase_bind_batch_add(archase_batch *b, const archase_bind_input *in, uint32_t line) {
    if (!b || !in)
        return ARCHASE_EINVAL;
    switch (in->kind) {
    case ARCHASE_FAMILY_CUSTOMER: return archase_batch_add_customer(b, &in->s.customer, line);
    case ARCHASE_FAMILY_CONTACT: return archase_batch_add_contact(b, &in->s.contact, line);
    case ARCHASE_FAMILY_FLAGS: return archase_batch_add_customer_flags(b, &in->s.flags, line);
    case ARCHASE_FAMILY_INVOICE: return archase_batch_add_invoice(b, &in->s.invoice, line);
    case ARCHASE_FAMILY_PAYMENT: return archase_batch_add_payment(b, &in->s.payment, line);
    case ARCHASE_FAMILY_PROMISE: return archase_batch_add_promise(b, &in->s.promise, line);
    case ARCHASE_FAMILY_DISPUTE: return archase_batch_add_dispute(b, &in->s.dispute, line);
    case ARCHASE_FAMILY_NOTE: return archase_batch_add_note(b, &in->s.note, line);
    default: return ARCHASE_EINVAL;
    }
}

/* ---- facts read back ---------------------------------------------------------- */

/* Every field of the table, read from the struct at `s`. */
static void json_fields(archase_bind_text *t, const field *fields, const void *s) {
    const char *base = s;
    for (const field *f = fields; f->name; f++) {
        const char *p = base + f->offset;
        switch (f->type) {
        case F_TEXT: {
            const char *v;
            memcpy(&v, p, sizeof v);
            kstr(t, f->name, v);
            break;
        }
        case F_INT: {
            int v;
            memcpy(&v, p, sizeof v);
            kint(t, f->name, v);
            break;
        }
        case F_BOOL: {
            int v;
            memcpy(&v, p, sizeof v);
            kbool(t, f->name, v);
            break;
        }
        case F_I32: {
            int32_t v;
            memcpy(&v, p, sizeof v);
            kint(t, f->name, v);
            break;
        }
        case F_I64: {
            int64_t v;
            memcpy(&v, p, sizeof v);
            kint(t, f->name, v);
            break;
        }
        case F_DATE: {
            archase_date v;
            memcpy(&v, p, sizeof v);
            kdate(t, f->name, v);
            break;
        }
        case F_MONEY: {
            archase_money v;
            memcpy(&v, p, sizeof v);
            kmoney(t, f->name, &v);
            break;
        }
        default: {
            const char *const *list;
            size_t count;
            memcpy(&list, p, sizeof list);
            memcpy(&count, base + f->count_offset, sizeof count);
            key(t, f->name);
            begin_arr(t);
            for (size_t i = 0; i < count; i++) {
                sep(t);
                jstr(t, list[i]);
            }
            end_arr(t);
        }
        }
    }
}

static int fact_to_json(void *userdata, const archase_fact *fact) {
    archase_bind_text *t = userdata;
    begin_obj(t);
    kint(t, "family", fact->family);
    switch (fact->family) {
    case ARCHASE_FAMILY_CUSTOMER: json_fields(t, customer_fields, fact->customer); break;
    case ARCHASE_FAMILY_CONTACT: json_fields(t, contact_fields, fact->contact); break;
    case ARCHASE_FAMILY_FLAGS: json_fields(t, flags_fields, fact->flags); break;
    case ARCHASE_FAMILY_INVOICE:
        json_fields(t, invoice_fields, fact->invoice);
        if (fact->invoice_state) {
            kint(t, "status", fact->invoice_state->status);
            kmoney(t, "open_amount", &fact->invoice_state->open_amount);
            kdate(t, "last_payment_date", fact->invoice_state->last_payment_date);
            kdate(t, "settled_date", fact->invoice_state->settled_date);
        }
        break;
    case ARCHASE_FAMILY_PAYMENT:
        json_fields(t, payment_fields, fact->payment);
        kmoney(t, "applied", &fact->applied);
        break;
    case ARCHASE_FAMILY_PROMISE:
        json_fields(t, promise_fields, fact->promise);
        key(t, "instalments");
        begin_arr(t);
        for (size_t i = 0; i < fact->promise->instalment_count; i++) {
            begin_obj(t);
            kdate(t, "date", fact->promise->instalments[i].date);
            kmoney(t, "amount", &fact->promise->instalments[i].amount);
            end_obj(t);
        }
        end_arr(t);
        break;
    case ARCHASE_FAMILY_DISPUTE: json_fields(t, dispute_fields, fact->dispute); break;
    case ARCHASE_FAMILY_NOTE: json_fields(t, note_fields, fact->note); break;
    default: break;
    }
    end_obj(t);
    return t->failed ? ARCHASE_ENOMEM : 0;
}

int archase_bind_facts(archase_engine *eng, int family, const char *id, const char *customer_id,
                       const char *invoice_id, int32_t status, archase_date date_from,
                       archase_date date_to, archase_bind_text **out) {
    archase_bind_text *t = text_new();
    int rc;
    if (!t)
        return ARCHASE_ENOMEM;
    id = opt(id);
    begin_arr(t);
    if (id) {
        rc = archase_fact_get(eng, family, id, fact_to_json, t);
    } else {
        archase_fact_filter filter = ARCHASE_FACT_FILTER_INIT;
        filter.family = family;
        filter.customer_id = opt(customer_id);
        filter.invoice_id = opt(invoice_id);
        filter.status = status;
        filter.date_from = date_from;
        filter.date_to = date_to;
        rc = archase_facts_scan(eng, &filter, fact_to_json, t);
    }
    end_arr(t);
    return finish(t, rc, out);
}

/* ---- import and export -------------------------------------------------------- */

int archase_bind_import(archase_engine *eng, int kind, int format, const archase_mapping *mapping,
                        const char *source, archase_date as_of, int edits, const char *path,
                        const void *data, size_t size, archase_diag_list *diags,
                        archase_batch_summary *out) {
    archase_batch_summary *summary = out;
    archase_import_options opts;
    int rc = archase_import_options_init(&opts, ARCHASE_IMPORT_OPTIONS_VERSION);
    if (rc != 0)
        return rc;
    opts.kind = kind;
    opts.format = format ? format : ARCHASE_FORMAT_CSV;
    opts.mapping = mapping;
    opts.source = opt(source);
    path = opt(path);
    opts.as_of = as_of;
    opts.edits = edits;
    *summary = (archase_batch_summary)ARCHASE_BATCH_SUMMARY_INIT;
    if (path)
        return archase_import_file(eng, &opts, path, diags, summary);
    return archase_import_buffer(eng, &opts, data, size, diags, summary);
}

int archase_bind_export(archase_engine *eng, int kind, int format, archase_bind_text **out) {
    archase_export_options opts;
    int rc = archase_export_options_init(&opts, ARCHASE_EXPORT_OPTIONS_VERSION);
    if (rc != 0)
        return rc;
    opts.kind = kind;
    opts.format = format ? format : ARCHASE_FORMAT_CSV;
    archase_bind_text *t = text_new();
    if (!t)
        return ARCHASE_ENOMEM;
    return finish(t, archase_export(eng, &opts, write_to_text, t), out);
}

int archase_bind_audit_export(archase_engine *eng, archase_bind_text **out) {
    archase_bind_text *t = text_new();
    if (!t)
        return ARCHASE_ENOMEM;
    return finish(t, archase_audit_export(eng, write_to_text, t), out);
}

/* ---- policies ------------------------------------------------------------------- */

int archase_bind_policy_json(const archase_policy *policy, archase_bind_text **out) {
    uint8_t hash[32];
    int rc;
    if (!policy)
        return ARCHASE_EINVAL;
    archase_bind_text *t = text_new();
    if (!t)
        return ARCHASE_ENOMEM;
    begin_obj(t);
    kstr(t, "name", archase_policy_name(policy));
    kint(t, "version", archase_policy_version(policy));
    kstr(t, "default_currency", archase_policy_default_currency(policy));
    kstr(t, "default_locale", archase_policy_default_locale(policy));
    if ((rc = archase_policy_hash(policy, hash)) != 0)
        return finish(t, rc, out);
    khex(t, "hash", hash, sizeof hash);
    key(t, "segments");
    begin_arr(t);
    for (size_t i = 0; i < archase_policy_segment_count(policy); i++) {
        archase_policy_segment_info s;
        if ((rc = archase_policy_segment(policy, i, &s)) != 0)
            return finish(t, rc, out);
        begin_obj(t);
        kstr(t, "name", s.name);
        kstr(t, "condition", s.condition);
        kstr(t, "sequence", s.sequence);
        end_obj(t);
    }
    end_arr(t);
    key(t, "sequences");
    begin_arr(t);
    for (size_t i = 0; i < archase_policy_sequence_count(policy); i++) {
        archase_policy_sequence_info s;
        if ((rc = archase_policy_sequence(policy, i, &s)) != 0)
            return finish(t, rc, out);
        begin_obj(t);
        kstr(t, "name", s.name);
        kstr(t, "calendar", s.calendar);
        kint(t, "roll", s.roll);
        key(t, "steps");
        begin_arr(t);
        for (size_t j = 0; j < s.step_count; j++) {
            archase_policy_step_info st;
            if ((rc = archase_policy_step(policy, i, j, &st)) != 0)
                return finish(t, rc, out);
            begin_obj(t);
            kstr(t, "id", st.id);
            kint(t, "offset", st.offset);
            kint(t, "channel", st.channel);
            kint(t, "action", st.action);
            kint(t, "tone", st.tone);
            kstr(t, "template", st.template_name);
            kstr(t, "condition", st.condition);
            kint(t, "roll", st.roll);
            kbool(t, "sensitive", st.sensitive);
            end_obj(t);
        }
        end_arr(t);
        end_obj(t);
    }
    end_arr(t);
    key(t, "approvals");
    begin_arr(t);
    for (size_t i = 0; i < archase_policy_approval_count(policy); i++) {
        archase_policy_approval_info a;
        if ((rc = archase_policy_approval(policy, i, &a)) != 0)
            return finish(t, rc, out);
        begin_obj(t);
        kint(t, "action", a.action);
        kuint(t, "approvers_below", a.approvers_below);
        kuint(t, "approvers_above", a.approvers_above);
        kuint(t, "expiry_days", a.expiry_days);
        key(t, "roles");
        begin_arr(t);
        for (size_t j = 0; j < a.role_count; j++) {
            sep(t);
            jstr(t, archase_policy_approval_role(policy, i, j));
        }
        end_arr(t);
        end_obj(t);
    }
    end_arr(t);
    key(t, "materiality");
    begin_arr(t);
    for (size_t i = 0; i < archase_policy_materiality_count(policy); i++) {
        archase_money m;
        if ((rc = archase_policy_materiality(policy, i, &m)) != 0)
            return finish(t, rc, out);
        sep(t);
        jmoney(t, m.minor, m.currency);
    }
    end_arr(t);
    key(t, "sensitive_actions");
    begin_arr(t);
    for (size_t i = 0; i < archase_policy_sensitive_action_count(policy); i++) {
        int action = 0;
        if ((rc = archase_policy_sensitive_action(policy, i, &action)) != 0)
            return finish(t, rc, out);
        sep(t);
        putf(t, "%d", action);
    }
    end_arr(t);
    key(t, "templates");
    begin_arr(t);
    for (size_t i = 0; i < archase_policy_template_count(policy); i++) {
        archase_policy_template_info m;
        if ((rc = archase_policy_template(policy, i, &m)) != 0)
            return finish(t, rc, out);
        begin_obj(t);
        kstr(t, "name", m.name);
        kstr(t, "stage", m.stage);
        kint(t, "tone", m.tone);
        kuint(t, "channel_mask", m.channel_mask);
        kuint(t, "variant_count", m.variant_count);
        end_obj(t);
    }
    end_arr(t);
    key(t, "calendars");
    begin_arr(t);
    for (size_t i = 0; i < archase_policy_calendar_count(policy); i++) {
        archase_policy_calendar_info c;
        if ((rc = archase_policy_calendar(policy, i, &c)) != 0)
            return finish(t, rc, out);
        begin_obj(t);
        kstr(t, "name", c.name);
        kuint(t, "weekend_mask", c.weekend_mask);
        kuint(t, "holiday_count", c.holiday_count);
        end_obj(t);
    }
    end_arr(t);
    key(t, "settings");
    begin_obj(t);
    for (size_t i = 0; i < archase_policy_setting_count(policy); i++) {
        const char *path = NULL, *value = NULL;
        if ((rc = archase_policy_setting(policy, i, &path, &value)) != 0)
            return finish(t, rc, out);
        kstr(t, path, value);
    }
    end_obj(t);
    end_obj(t);
    return finish(t, 0, out);
}

/* ---- evaluation ------------------------------------------------------------------- */

int archase_bind_snapshot_load(archase_engine *eng, archase_date as_of, const archase_policy *policy,
                               const char *tzdir, archase_snapshot **out) {
    archase_snapshot_options opts;
    int rc = archase_snapshot_options_init(&opts, ARCHASE_SNAPSHOT_OPTIONS_VERSION);
    if (rc != 0)
        return rc;
    opts.policy = policy;
    opts.tzdir = tzdir && *tzdir ? tzdir : NULL;
    return archase_snapshot_load(eng, as_of, &opts, out);
}

/* ---- previews ---------------------------------------------------------------------- */

typedef struct preview_source {
    archase_import_options import;
    char                  *source, *path;
    void                  *data;
    size_t                 size;
} preview_source;

struct archase_bind_preview {
    preview_source *items;
    size_t          count, cap;
};

int archase_bind_preview_new(archase_bind_preview **out) {
    archase_bind_preview *p = calloc(1, sizeof *p);
    if (!p)
        return ARCHASE_ENOMEM;
    *out = p;
    return 0;
}

void archase_bind_preview_free(archase_bind_preview *p) {
    if (!p)
        return;
    for (size_t i = 0; i < p->count; i++) {
        free(p->items[i].source);
        free(p->items[i].path);
        free(p->items[i].data);
    }
    free(p->items);
    free(p);
}

/* A copy of `s`, or NULL for NULL and "" (*failed set when memory runs out). */
static char *copy_opt(const char *s, int *failed) {
    if (!opt(s))
        return NULL;
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (!c)
        *failed = 1;
    else
        memcpy(c, s, n);
    return c;
}

int archase_bind_preview_add(archase_bind_preview *p, int kind, int format, const archase_mapping *mapping,
                             const char *source, archase_date as_of, const char *path, const void *data,
                             size_t size) {
    if (!p)
        return ARCHASE_EINVAL;
    if (p->count == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 4;
        preview_source *items = realloc(p->items, cap * sizeof *items);
        if (!items)
            return ARCHASE_ENOMEM;
        p->items = items;
        p->cap = cap;
    }
    preview_source *s = &p->items[p->count];
    memset(s, 0, sizeof *s);
    int rc = archase_import_options_init(&s->import, ARCHASE_IMPORT_OPTIONS_VERSION);
    if (rc != 0)
        return rc;
    int failed = 0;
    s->import.kind = kind;
    s->import.format = format ? format : ARCHASE_FORMAT_CSV;
    s->import.mapping = mapping;
    s->import.as_of = as_of;
    s->source = copy_opt(source, &failed);
    s->path = copy_opt(path, &failed);
    if (!s->path) {
        s->data = malloc(size ? size : 1);
        if (!s->data)
            failed = 1;
        else if (size)
            memcpy(s->data, data, size);
        s->size = size;
    }
    if (failed) {
        free(s->source);
        free(s->path);
        free(s->data);
        return ARCHASE_ENOMEM;
    }
    p->count++;
    return 0;
}

int archase_bind_preview_run(archase_bind_preview *p, archase_engine *eng, archase_date as_of,
                             const archase_policy *policy, const char *tzdir, archase_diag_list *diags,
                             archase_snapshot **out) {
    if (!p)
        return ARCHASE_EINVAL;
    archase_snapshot_options opts;
    int rc = archase_snapshot_options_init(&opts, ARCHASE_SNAPSHOT_OPTIONS_VERSION);
    if (rc != 0)
        return rc;
    opts.policy = policy;
    opts.tzdir = opt(tzdir);
    archase_preview_source *src = calloc(p->count ? p->count : 1, sizeof *src);
    if (!src)
        return ARCHASE_ENOMEM;
    for (size_t i = 0; i < p->count; i++) {
        preview_source *s = &p->items[i];
        s->import.source = s->source; /* the copies moved with the array */
        src[i] = (archase_preview_source)ARCHASE_PREVIEW_SOURCE_INIT;
        src[i].import = &s->import;
        src[i].path = s->path;
        src[i].data = s->path ? NULL : s->data;
        src[i].size = s->path ? 0 : s->size;
    }
    rc = archase_snapshot_preview(eng, as_of, &opts, src, p->count, diags, out);
    free(src);
    return rc;
}

static int decision_json(archase_bind_text *t, const archase_decisions *ds, size_t i) {
    archase_decision d = ARCHASE_DECISION_INIT;
    int rc = archase_decision_get(ds, i, &d);
    if (rc != 0)
        return rc;
    begin_obj(t);
    kstr(t, "key", d.key);
    kint(t, "kind", d.kind);
    kint(t, "action", d.action);
    kstr(t, "customer_id", d.customer_id);
    kint(t, "channel", d.channel);
    kstr(t, "contact_id", d.contact_id);
    kstr(t, "template", d.template_name);
    kint(t, "tone", d.tone);
    kstr(t, "segment", d.segment);
    kstr(t, "sequence", d.sequence);
    kstr(t, "step", d.step);
    kstr(t, "rule", d.rule);
    khex(t, "policy_hash", d.policy_hash, sizeof d.policy_hash);
    if (d.score < 0) {
        key(t, "score");
        puts_(t, "null");
    } else {
        kint(t, "score", d.score);
    }
    kstr(t, "owner", d.owner);
    kdate(t, "due_by", d.due_by);
    kint(t, "scheduled_at", d.scheduled_at);
    kstr(t, "timezone", d.timezone);
    kdate(t, "local_date", d.local_date);
    kint(t, "local_seconds", d.local_seconds);
    kmoney(t, "amount", &d.amount);
    kbool(t, "recovery_plan", d.recovery_plan);
    kuint(t, "approvers", d.approvers);
    kbool(t, "fast_lane", d.fast_lane);
    khex(t, "payload_hash", d.payload_hash, sizeof d.payload_hash);
    key(t, "invoices");
    begin_arr(t);
    for (size_t j = 0; j < d.invoice_count; j++) {
        archase_decision_invoice inv = ARCHASE_DECISION_INVOICE_INIT;
        if ((rc = archase_decision_invoice_get(ds, i, j, &inv)) != 0)
            return rc;
        begin_obj(t);
        kstr(t, "invoice_id", inv.invoice_id);
        kstr(t, "number", inv.number);
        kstr(t, "source_link", inv.source_link);
        kdate(t, "due_date", inv.due_date);
        kint(t, "days_overdue", inv.days_overdue);
        kmoney(t, "amount", &inv.amount);
        kmoney(t, "open_amount", &inv.open_amount);
        kmoney(t, "disputed_amount", &inv.disputed_amount);
        end_obj(t);
    }
    end_arr(t);
    key(t, "reasons");
    begin_arr(t);
    for (size_t j = 0; j < d.reason_count; j++) {
        int r = 0;
        if ((rc = archase_decision_reason(ds, i, j, &r)) != 0)
            return rc;
        sep(t);
        putf(t, "%d", r);
    }
    end_arr(t);
    key(t, "drivers");
    begin_arr(t);
    for (size_t j = 0; j < d.driver_count; j++) {
        archase_score_driver dr;
        if ((rc = archase_decision_driver(ds, i, j, &dr)) != 0)
            return rc;
        begin_obj(t);
        kstr(t, "name", dr.name);
        kint(t, "points", dr.points);
        end_obj(t);
    }
    end_arr(t);
    key(t, "facts");
    begin_arr(t);
    for (size_t j = 0; j < d.fact_count; j++) {
        archase_decision_fact f = ARCHASE_DECISION_FACT_INIT;
        if ((rc = archase_decision_fact_get(ds, i, j, &f)) != 0)
            return rc;
        begin_obj(t);
        kstr(t, "name", f.name);
        kstr(t, "invoice_id", f.invoice_id);
        kint(t, "type", f.type);
        key(t, "value");
        switch (f.type) {
        case ARCHASE_VALUE_MONEY: jmoney(t, f.number, f.currency); break;
        case ARCHASE_VALUE_BOOL: puts_(t, f.number ? "true" : "false"); break;
        case ARCHASE_VALUE_DATE:
            jdate(t, f.number >= INT32_MIN && f.number <= INT32_MAX ? (archase_date)f.number
                                                                     : ARCHASE_DATE_NONE);
            break;
        case ARCHASE_VALUE_TEXT: jstr(t, f.text); break;
        default: putf(t, "%" PRId64, f.number);
        }
        kstr(t, "source_link", f.source_link);
        end_obj(t);
    }
    end_arr(t);
    key(t, "roles");
    begin_arr(t);
    for (size_t j = 0; j < d.role_count; j++) {
        const char *role = NULL;
        if ((rc = archase_decision_role(ds, i, j, &role)) != 0)
            return rc;
        sep(t);
        jstr(t, role);
    }
    end_arr(t);
    end_obj(t);
    return 0;
}

int archase_bind_decisions_json(const archase_decisions *ds, archase_bind_text **out) {
    uint8_t hash[32];
    int rc;
    if (!ds)
        return ARCHASE_EINVAL;
    archase_bind_text *t = text_new();
    if (!t)
        return ARCHASE_ENOMEM;
    begin_obj(t);
    if ((rc = archase_decisions_hash(ds, hash)) != 0)
        return finish(t, rc, out);
    khex(t, "hash", hash, sizeof hash);
    key(t, "decisions");
    begin_arr(t);
    for (size_t i = 0; i < archase_decisions_count(ds); i++)
        if ((rc = decision_json(t, ds, i)) != 0)
            return finish(t, rc, out);
    end_arr(t);
    key(t, "assessments");
    begin_arr(t);
    for (size_t i = 0; i < archase_assessment_count(ds); i++) {
        archase_invoice_assessment a = ARCHASE_INVOICE_ASSESSMENT_INIT;
        if ((rc = archase_assessment_get(ds, i, &a)) != 0)
            return finish(t, rc, out);
        begin_obj(t);
        kstr(t, "invoice_id", a.invoice_id);
        kstr(t, "customer_id", a.customer_id);
        kint(t, "days_overdue", a.days_overdue);
        kmoney(t, "open_amount", &a.open_amount);
        kmoney(t, "disputed_amount", &a.disputed_amount);
        kstr(t, "segment", a.segment);
        kstr(t, "sequence", a.sequence);
        kint(t, "score", a.score);
        kint(t, "coverage", a.coverage);
        kint(t, "reason", a.reason);
        kint(t, "step_index", a.step_index);
        kstr(t, "next_step", a.next_step);
        kdate(t, "next_date", a.next_date);
        key(t, "drivers");
        begin_arr(t);
        for (size_t j = 0; j < a.driver_count; j++) {
            archase_score_driver dr;
            if ((rc = archase_assessment_driver(ds, i, j, &dr)) != 0)
                return finish(t, rc, out);
            begin_obj(t);
            kstr(t, "name", dr.name);
            kint(t, "points", dr.points);
            end_obj(t);
        }
        end_arr(t);
        key(t, "decisions");
        begin_arr(t);
        for (size_t j = 0; j < a.decision_count; j++) {
            size_t k = 0;
            if ((rc = archase_assessment_decision(ds, i, j, &k)) != 0)
                return finish(t, rc, out);
            sep(t);
            putf(t, "%zu", k);
        }
        end_arr(t);
        end_obj(t);
    }
    end_arr(t);
    key(t, "cadence");
    begin_arr(t);
    for (size_t i = 0; i < archase_cadence_update_count(ds); i++) {
        archase_cadence_update c = ARCHASE_CADENCE_UPDATE_INIT;
        if ((rc = archase_cadence_update_get(ds, i, &c)) != 0)
            return finish(t, rc, out);
        begin_obj(t);
        kstr(t, "invoice_id", c.invoice_id);
        kstr(t, "customer_id", c.customer_id);
        kint(t, "status", c.status);
        kint(t, "reason", c.reason);
        kstr(t, "sequence", c.sequence);
        kstr(t, "last_step", c.last_step);
        key(t, "last_offset");
        if (c.last_offset == ARCHASE_OFFSET_NONE)
            puts_(t, "null");
        else
            putf(t, "%" PRId32, c.last_offset);
        kdate(t, "last_date", c.last_date);
        kstr(t, "next_step", c.next_step);
        kdate(t, "next_date", c.next_date);
        end_obj(t);
    }
    end_arr(t);
    archase_coverage cov = ARCHASE_COVERAGE_INIT;
    if ((rc = archase_coverage_report(ds, &cov)) != 0)
        return finish(t, rc, out);
    key(t, "coverage");
    begin_obj(t);
    kuint(t, "open_invoices", cov.open_invoices);
    kuint(t, "overdue_invoices", cov.overdue_invoices);
    kuint(t, "unaccounted", cov.unaccounted);
    key(t, "by_state");
    begin_obj(t);
    for (int s = 1; s < ARCHASE_COVERAGE_STATE_LIMIT; s++)
        if (archase_coverage_state_name(s))
            kuint(t, archase_coverage_state_name(s), cov.by_state[s]);
    end_obj(t);
    key(t, "by_reason");
    begin_obj(t);
    for (int r = 1; r < ARCHASE_REASON_LIMIT_; r++)
        if (cov.by_reason[r] && archase_reason_name(r))
            kuint(t, archase_reason_name(r), cov.by_reason[r]);
    end_obj(t);
    end_obj(t);
    end_obj(t);
    return finish(t, 0, out);
}

int archase_bind_decisions_encode(const archase_decisions *ds, archase_bind_text **out) {
    archase_bind_text *t = text_new();
    if (!t)
        return ARCHASE_ENOMEM;
    return finish(t, archase_decisions_encode(ds, write_hex, t), out);
}

int archase_bind_worklist_build(const archase_decisions *ds, const char *owner,
                                archase_worklist **out) {
    archase_worklist_options opts;
    int rc = archase_worklist_options_init(&opts, ARCHASE_WORKLIST_OPTIONS_VERSION);
    if (rc != 0)
        return rc;
    opts.owner = owner && *owner ? owner : NULL;
    return archase_worklist_build(ds, &opts, out);
}

int archase_bind_worklist_json(const archase_worklist *wl, archase_bind_text **out) {
    int rc;
    if (!wl)
        return ARCHASE_EINVAL;
    archase_bind_text *t = text_new();
    if (!t)
        return ARCHASE_ENOMEM;
    begin_arr(t);
    for (size_t i = 0; i < archase_worklist_count(wl); i++) {
        archase_worklist_line l = ARCHASE_WORKLIST_LINE_INIT;
        if ((rc = archase_worklist_line_get(wl, i, &l)) != 0)
            return finish(t, rc, out);
        begin_obj(t);
        kuint(t, "rank", l.rank);
        kstr(t, "owner", l.owner);
        kstr(t, "customer_id", l.customer_id);
        kint(t, "kind", l.kind);
        kstr(t, "next_action", l.next_action);
        kdate(t, "due_by", l.due_by);
        kint(t, "score", l.score);
        kmoney(t, "amount", &l.amount);
        kint(t, "days_overdue", l.days_overdue);
        key(t, "decision");
        if (l.decision == SIZE_MAX)
            puts_(t, "null");
        else
            putf(t, "%zu", l.decision);
        key(t, "invoice_ids");
        begin_arr(t);
        for (size_t j = 0; j < l.invoice_count; j++) {
            const char *id = NULL;
            if ((rc = archase_worklist_line_invoice(wl, i, j, &id)) != 0)
                return finish(t, rc, out);
            sep(t);
            jstr(t, id);
        }
        end_arr(t);
        key(t, "reasons");
        begin_arr(t);
        for (size_t j = 0; j < l.reason_count; j++) {
            int r = 0;
            if ((rc = archase_worklist_line_reason(wl, i, j, &r)) != 0)
                return finish(t, rc, out);
            sep(t);
            putf(t, "%d", r);
        }
        end_arr(t);
        end_obj(t);
    }
    end_arr(t);
    return finish(t, 0, out);
}

/* A text field of a row: bytes below 0x20 and the backslash are written as
 * a backslash and two lowercase hex digits, so a tab or a newline is never part of
 * a field. Ids never hold them (the library refuses control characters). */
static void rfield(archase_bind_text *t, const char *s) {
    static const char digits[] = "0123456789abcdef";
    const unsigned char *run = (const unsigned char *)(s ? s : ""), *p = run;
    for (; *p; p++) {
        if (*p >= 0x20 && *p != '\\')
            continue;
        put(t, (const char *)run, (size_t)(p - run));
        char esc[3] = { '\\', digits[*p >> 4], digits[*p & 15] };
        put(t, esc, 3);
        run = p + 1;
    }
    put(t, (const char *)run, (size_t)(p - run));
}

int archase_bind_worklist_rows(const archase_worklist *wl, archase_bind_text **out) {
    int rc;
    if (!wl)
        return ARCHASE_EINVAL;
    archase_bind_text *t = text_new();
    if (!t)
        return ARCHASE_ENOMEM;
    for (size_t i = 0; i < archase_worklist_count(wl); i++) {
        archase_worklist_line l = ARCHASE_WORKLIST_LINE_INIT;
        char date[ARCHASE_DATE_FORMAT_MAX] = "";
        if ((rc = archase_worklist_line_get(wl, i, &l)) != 0)
            return finish(t, rc, out);
        if (l.due_by != ARCHASE_DATE_NONE && archase_date_format(l.due_by, date, sizeof date) != 0)
            date[0] = '\0';
        put_u64(t, l.rank);
        put(t, "\t", 1);
        rfield(t, l.owner);
        put(t, "\t", 1);
        rfield(t, l.customer_id);
        put(t, "\t", 1);
        put_i64(t, l.kind);
        put(t, "\t", 1);
        rfield(t, l.next_action);
        put(t, "\t", 1);
        puts_(t, date);
        put(t, "\t", 1);
        put_i64(t, l.score);
        put(t, "\t", 1);
        put_i64(t, l.amount.minor);
        put(t, "\t", 1);
        rfield(t, l.amount.currency);
        put(t, "\t", 1);
        put_i64(t, l.days_overdue);
        put(t, "\t", 1);
        if (l.decision != SIZE_MAX)
            put_u64(t, l.decision);
        put(t, "\t", 1);
        for (size_t j = 0; j < l.invoice_count; j++) {
            const char *id = NULL;
            if ((rc = archase_worklist_line_invoice(wl, i, j, &id)) != 0)
                return finish(t, rc, out);
            if (j)
                put(t, "\x1f", 1);
            rfield(t, id);
        }
        put(t, "\t", 1);
        for (size_t j = 0; j < l.reason_count; j++) {
            int r = 0;
            if ((rc = archase_worklist_line_reason(wl, i, j, &r)) != 0)
                return finish(t, rc, out);
            if (j)
                put(t, ",", 1);
            put_i64(t, r);
        }
        put(t, "\n", 1);
    }
    return finish(t, 0, out);
}

/* ---- KPIs ---------------------------------------------------------------------------- */

/* As `archase kpi --json` (cli/cmd_kpi.c): money as decimal strings, days and
 * percents as numbers with 2 decimals, counts as integers, flags as booleans,
 * undefined as null; "aging.1_30" inside an "aging" object. */
static void kpi_value(archase_bind_text *t, const archase_kpi_value *v, const char *currency) {
    char buf[48];
    if (!v->defined) {
        puts_(t, "null");
        return;
    }
    switch (v->type) {
    case ARCHASE_KPI_MONEY: {
        archase_money m = { v->value, "" };
        memcpy(m.currency, currency, 4);
        if (archase_money_format_amount(&m, buf, sizeof buf) != 0)
            snprintf(buf, sizeof buf, "%" PRId64, v->value);
        jstr(t, buf);
        return;
    }
    case ARCHASE_KPI_COUNT: putf(t, "%" PRId64, v->value); return;
    case ARCHASE_KPI_FLAG: puts_(t, v->value ? "true" : "false"); return;
    default: {
        archase_kpi_number n = { v->value, 1 };
        archase_kpi_number_format(n, buf, sizeof buf);
        puts_(t, buf);
    }
    }
}

static void kpi_money(archase_bind_text *t, const char *k, int64_t minor, const char *currency) {
    archase_kpi_value v = { ARCHASE_KPI_MONEY, 1, minor };
    key(t, k);
    kpi_value(t, &v, currency);
}

static void kpi_row(archase_bind_text *t, const archase_kpi_report *r, size_t row,
                    const char *currency) {
    char prefix[64] = "";
    for (int m = 1; m < ARCHASE_KPI_METRIC_LIMIT; m++) {
        archase_kpi_value v;
        if (archase_kpi_value_get(r, row, m, &v) != 0)
            continue;
        const char *name = archase_kpi_metric_name(m);
        const char *dot = strchr(name, '.');
        size_t plen = dot ? (size_t)(dot - name) : 0;
        if (prefix[0] && (!dot || strncmp(prefix, name, plen) != 0 || prefix[plen])) {
            end_obj(t);
            prefix[0] = '\0';
        }
        if (dot && !prefix[0]) {
            snprintf(prefix, sizeof prefix, "%.*s", (int)plen, name);
            key(t, prefix);
            begin_obj(t);
        }
        key(t, dot ? dot + 1 : name);
        kpi_value(t, &v, currency);
    }
    if (prefix[0])
        end_obj(t);
    static const struct {
        const char *key;
        int         dimension;
    } dispute_keys[] = { { "disputes_by_reason", ARCHASE_KPI_BY_REASON },
                         { "disputes_by_root_cause", ARCHASE_KPI_BY_ROOT_CAUSE } },
      effect_keys[] = { { "effectiveness_by_step", ARCHASE_KPI_BY_STEP },
                        { "effectiveness_by_template", ARCHASE_KPI_BY_TEMPLATE } };
    for (size_t d = 0; d < 2; d++) {
        key(t, dispute_keys[d].key);
        begin_arr(t);
        for (size_t i = 0; i < archase_kpi_dispute_group_count(r); i++) {
            archase_kpi_dispute_group g = ARCHASE_KPI_DISPUTE_GROUP_INIT;
            if (archase_kpi_dispute_group_get(r, i, &g) || g.row != row ||
                g.dimension != dispute_keys[d].dimension)
                continue;
            begin_obj(t);
            kstr(t, "name", g.name);
            kuint(t, "open", g.open);
            kpi_money(t, "open_amount", g.open_amount, currency);
            knumber(t, "mean_days_open", g.mean_days_open);
            knumber(t, "median_days_open", g.median_days_open);
            knumber(t, "oldest_days_open", g.oldest_days_open);
            kuint(t, "resolved", g.resolved);
            knumber(t, "mean_days_to_resolution", g.mean_days_to_resolution);
            knumber(t, "median_days_to_resolution", g.median_days_to_resolution);
            end_obj(t);
        }
        end_arr(t);
    }
    for (size_t d = 0; d < 2; d++) {
        key(t, effect_keys[d].key);
        begin_arr(t);
        for (size_t i = 0; i < archase_kpi_effectiveness_count(r); i++) {
            archase_kpi_effectiveness g = ARCHASE_KPI_EFFECTIVENESS_INIT;
            if (archase_kpi_effectiveness_get(r, i, &g) || g.row != row ||
                g.dimension != effect_keys[d].dimension)
                continue;
            begin_obj(t);
            kstr(t, "name", g.name);
            kuint(t, "messages", g.messages);
            kpi_money(t, "amount", g.amount, currency);
            kuint(t, "effective", g.effective);
            kpi_money(t, "effective_amount", g.effective_amount, currency);
            kuint(t, "responded", g.responded);
            kuint(t, "disputed", g.disputed);
            knumber(t, "effective_percent", g.effective_percent);
            knumber(t, "effective_amount_percent", g.effective_amount_percent);
            knumber(t, "response_percent", g.response_percent);
            knumber(t, "dispute_percent", g.dispute_percent);
            end_obj(t);
        }
        end_arr(t);
    }
    /* Reviewer effort belongs to no currency: every row shows the same. */
    archase_kpi_reviewer_effort e = ARCHASE_KPI_REVIEWER_EFFORT_INIT;
    if (archase_kpi_reviewer_effort_get(r, &e) == 0) {
        key(t, "reviewer_effort");
        begin_obj(t);
        kuint(t, "reviewed", e.reviewed);
        kuint(t, "approved", e.approved);
        kuint(t, "edited", e.edited);
        kuint(t, "rejected", e.rejected);
        kuint(t, "pending", e.pending);
        knumber(t, "edit_percent", e.edit_percent);
        knumber(t, "reject_percent", e.reject_percent);
        knumber(t, "mean_minutes_to_review", e.mean_minutes_to_review);
        knumber(t, "median_minutes_to_review", e.median_minutes_to_review);
        end_obj(t);
    }
}

int archase_bind_kpi_json(archase_engine *eng, archase_date from, archase_date to, int interval,
                          const char *currency, const archase_policy *policy, int32_t grace_days,
                          int customers, archase_bind_text **out) {
    archase_kpi_options opts;
    archase_kpi_report *r = NULL;
    int rc = archase_kpi_options_init(&opts, ARCHASE_KPI_OPTIONS_VERSION);
    if (rc != 0)
        return rc;
    opts.currency = currency && *currency ? currency : NULL;
    opts.policy = policy;
    opts.promise_grace_days = grace_days;
    opts.customers = customers ? 1 : 0;
    rc = interval ? archase_kpi_series(eng, from, to, interval, &opts, &r)
                  : archase_kpi_compute(eng, from, to, &opts, &r);
    if (rc != 0)
        return rc;
    archase_bind_text *t = text_new();
    if (!t) {
        archase_kpi_report_free(r);
        return ARCHASE_ENOMEM;
    }
    begin_arr(t);
    if (customers) {
        for (size_t i = 0; i < archase_kpi_customer_count(r); i++) {
            archase_kpi_customer c = ARCHASE_KPI_CUSTOMER_INIT;
            if ((rc = archase_kpi_customer_get(r, i, &c)) != 0)
                break;
            begin_obj(t);
            kstr(t, "customer_id", c.customer_id);
            kuint(t, "paid_invoices", c.paid_invoices);
            knumber(t, "median_days_late", c.median_days_late);
            knumber(t, "p80_days_late", c.p80_days_late);
            knumber(t, "on_time_percent", c.on_time_percent);
            knumber(t, "trend_days", c.trend_days);
            kuint(t, "promises_due", c.promises_due);
            kuint(t, "broken_promises", c.broken_promises);
            end_obj(t);
        }
    } else {
        for (size_t i = 0; i < archase_kpi_row_count(r); i++) {
            archase_kpi_row info = ARCHASE_KPI_ROW_INIT;
            if ((rc = archase_kpi_row_get(r, i, &info)) != 0)
                break;
            begin_obj(t);
            kstr(t, "currency", info.currency);
            kdate(t, "from", info.from);
            kdate(t, "to", info.to);
            kpi_row(t, r, i, info.currency);
            end_obj(t);
        }
    }
    end_arr(t);
    archase_kpi_report_free(r);
    return finish(t, rc, out);
}

/* ---- forecast, replay ------------------------------------------------------------------- */

int archase_bind_forecast_json(archase_engine *eng, archase_date as_of, const char *currency,
                               const archase_policy *policy, uint32_t weeks, int disputed,
                               uint32_t disputed_percent, archase_bind_text **out) {
    archase_forecast_options opts;
    archase_forecast *f = NULL;
    int rc = archase_forecast_options_init(&opts, ARCHASE_FORECAST_OPTIONS_VERSION);
    if (rc != 0)
        return rc;
    opts.currency = currency && *currency ? currency : NULL;
    opts.policy = policy;
    opts.weeks = weeks;
    opts.disputed = disputed;
    if (disputed_percent)
        opts.disputed_percent = disputed_percent;
    if ((rc = archase_forecast_run(eng, as_of, &opts, &f)) != 0)
        return rc;
    archase_bind_text *t = text_new();
    if (!t) {
        archase_forecast_free(f);
        return ARCHASE_ENOMEM;
    }
    begin_arr(t);
    for (size_t i = 0; rc == 0 && i < archase_forecast_row_count(f); i++) {
        archase_forecast_row row = ARCHASE_FORECAST_ROW_INIT;
        if ((rc = archase_forecast_row_get(f, i, &row)) != 0)
            break;
        begin_obj(t);
        kstr(t, "currency", row.currency);
        kdate(t, "as_of", row.as_of);
        kuint(t, "weeks", row.weeks);
        key(t, "open_ar"); jmoney(t, row.open_ar, row.currency);
        key(t, "expected"); jmoney(t, row.expected, row.currency);
        key(t, "beyond"); jmoney(t, row.beyond, row.currency);
        key(t, "doubtful"); jmoney(t, row.doubtful, row.currency);
        key(t, "disputed_left_out"); jmoney(t, row.disputed_left_out, row.currency);
        key(t, "promises_unkept"); jmoney(t, row.promises_unkept, row.currency);
        kuint(t, "backtest_origins", row.backtest_origins);
        kdate(t, "backtest_first", row.backtest_first);
        kdate(t, "backtest_last", row.backtest_last);
        key(t, "backtest_mae"); jmoney(t, row.backtest_mae, row.currency);
        knumber(t, "backtest_mae_percent", row.backtest_mae_percent);
        key(t, "weeks_detail");
        begin_arr(t);
        for (uint32_t w = 1; w <= row.weeks; w++) {
            archase_forecast_week wk = ARCHASE_FORECAST_WEEK_INIT;
            if ((rc = archase_forecast_week_get(f, i, w, &wk)) != 0)
                break;
            begin_obj(t);
            kuint(t, "week", wk.week);
            kdate(t, "from", wk.from);
            kdate(t, "to", wk.to);
            key(t, "expected"); jmoney(t, wk.expected, row.currency);
            key(t, "from_patterns"); jmoney(t, wk.from_patterns, row.currency);
            key(t, "from_promises"); jmoney(t, wk.from_promises, row.currency);
            key(t, "from_disputed"); jmoney(t, wk.from_disputed, row.currency);
            kuint(t, "invoices", wk.invoices);
            kuint(t, "promises", wk.promises);
            key(t, "backtest_mae"); jmoney(t, wk.backtest_mae, row.currency);
            key(t, "backtest_mean_actual"); jmoney(t, wk.backtest_mean_actual, row.currency);
            key(t, "drivers");
            begin_arr(t);
            for (size_t k = 0; k < archase_forecast_driver_count(f, i, w); k++) {
                archase_forecast_driver dr = ARCHASE_FORECAST_DRIVER_INIT;
                if ((rc = archase_forecast_driver_get(f, i, w, k, &dr)) != 0)
                    break;
                begin_obj(t);
                kint(t, "kind", dr.kind);
                kstr(t, "id", dr.id);
                kstr(t, "customer_id", dr.customer_id);
                kdate(t, "expected_on", dr.expected_on);
                key(t, "amount"); jmoney(t, dr.amount, row.currency);
                end_obj(t);
            }
            end_arr(t);
            end_obj(t);
        }
        end_arr(t);
        end_obj(t);
    }
    end_arr(t);
    archase_forecast_free(f);
    return finish(t, rc, out);
}

int archase_bind_replay_json(archase_engine *eng, const archase_policy *policy, archase_date from,
                             archase_date to, int32_t late_days, archase_bind_text **out) {
    archase_replay_options opts;
    archase_replay_result *res = NULL;
    int rc = archase_replay_options_init(&opts, ARCHASE_REPLAY_OPTIONS_VERSION);
    if (rc != 0)
        return rc;
    opts.late_days = late_days;
    if ((rc = archase_replay(eng, policy, from, to, &opts, &res)) != 0)
        return rc;
    archase_bind_text *t = text_new();
    if (!t) {
        archase_replay_result_free(res);
        return ARCHASE_ENOMEM;
    }
    archase_replay_summary s = ARCHASE_REPLAY_SUMMARY_INIT;
    if ((rc = archase_replay_summary_get(res, &s)) == 0) {
        begin_obj(t);
        key(t, "summary");
        begin_obj(t);
        kdate(t, "from", s.from);
        kdate(t, "to", s.to);
        kuint(t, "days", s.days);
        kuint(t, "decisions", s.decisions);
        kuint(t, "messages", s.messages);
        kuint(t, "calls", s.calls);
        kuint(t, "owner_alerts", s.owner_alerts);
        kuint(t, "escalations", s.escalations);
        kuint(t, "approvals", s.approvals);
        kuint(t, "skips", s.skips);
        kuint(t, "waits", s.waits);
        kuint(t, "customers_messaged", s.customers_messaged);
        kuint(t, "invoices_scored", s.invoices_scored);
        kuint(t, "invoices_late", s.invoices_late);
        knumber(t, "auc_percent", s.auc_percent);
        khex(t, "decisions_hash", s.decisions_hash, sizeof s.decisions_hash);
        end_obj(t);
        key(t, "days");
        begin_arr(t);
        for (size_t i = 0; i < archase_replay_day_count(res); i++) {
            archase_replay_day d = ARCHASE_REPLAY_DAY_INIT;
            if ((rc = archase_replay_day_get(res, i, &d)) != 0)
                break;
            begin_obj(t);
            kdate(t, "date", d.date);
            kuint(t, "open_invoices", d.open_invoices);
            kuint(t, "decisions", d.decisions);
            kuint(t, "messages", d.messages);
            kuint(t, "calls", d.calls);
            kuint(t, "escalations", d.escalations);
            kuint(t, "approvals", d.approvals);
            khex(t, "decisions_hash", d.decisions_hash, sizeof d.decisions_hash);
            end_obj(t);
        }
        end_arr(t);
        key(t, "messages");
        putf(t, "%zu", archase_replay_message_count(res));
        end_obj(t);
    }
    archase_replay_result_free(res);
    return finish(t, rc, out);
}

/* ---- audit ------------------------------------------------------------------------------ */

int archase_bind_merkle_root(const void *data, size_t size, uint8_t out[32]) {
    if (size % 32 != 0)
        return ARCHASE_EINVAL;
    return archase_merkle_root(data, size / 32, out);
}

int archase_bind_merkle_node(const void *data, size_t size, uint8_t out[32]) {
    if (size != 64)
        return ARCHASE_EINVAL;
    return archase_merkle_node_hash(data, (const uint8_t *)data + 32, out);
}

int archase_bind_merkle_prove(const void *data, size_t size, int consistency, uint64_t a,
                              uint64_t b, archase_bind_text **out) {
    size_t cap = 128, len = 0; /* hashes: ARCHASE_MERKLE_PROOF_MAX suffices */
    if (size % 32 != 0 || b > size / 32)
        return ARCHASE_EINVAL;
    uint8_t *proof = malloc(cap * 32);
    if (!proof)
        return ARCHASE_ENOMEM;
    int rc = consistency ? archase_merkle_prove_consistency(data, a, b, proof, cap, &len)
                         : archase_merkle_prove_inclusion(data, b, a, proof, cap, &len);
    archase_bind_text *t = rc == 0 ? text_new() : NULL;
    if (rc == 0 && !t)
        rc = ARCHASE_ENOMEM;
    if (rc != 0) {
        free(proof);
        return rc;
    }
    hex(t, proof, len * 32);
    free(proof);
    return finish(t, 0, out);
}

static int unhex(const char *text, uint8_t out[32]) {
    if (!text || strlen(text) != 64)
        return ARCHASE_EINVAL;
    for (size_t i = 0; i < 32; i++) {
        unsigned v = 0;
        for (size_t k = 0; k < 2; k++) {
            char c = text[2 * i + k];
            unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                       : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                       : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16u;
            if (d > 15)
                return ARCHASE_EINVAL;
            v = v * 16 + d;
        }
        out[i] = (uint8_t)v;
    }
    return 0;
}

int archase_bind_merkle_verify(const void *data, size_t size, int consistency, uint64_t a,
                               uint64_t b, const char *hash1, const char *hash2) {
    uint8_t h1[32], h2[32];
    if (size % 32 != 0 || unhex(hash1, h1) != 0 || unhex(hash2, h2) != 0)
        return ARCHASE_EINVAL;
    if (consistency)
        return archase_merkle_verify_consistency(a, b, data, size / 32, h1, h2);
    return archase_merkle_verify_inclusion(h1, a, b, data, size / 32, h2);
}

int archase_bind_diags_json(const archase_diag_list *list, archase_bind_text **out) {
    archase_bind_text *t = text_new();
    if (!t)
        return ARCHASE_ENOMEM;
    begin_arr(t);
    for (size_t i = 0; list && i < archase_diag_list_count(list); i++) {
        const archase_diag *d = archase_diag_list_get(list, i);
        begin_obj(t);
        kint(t, "code", d->code);
        kuint(t, "line", d->line);
        kuint(t, "column", d->column);
        kstr(t, "source", d->source);
        kstr(t, "message", d->message);
        end_obj(t);
    }
    end_arr(t);
    return finish(t, 0, out);
}

int archase_bind_audit_verify_json(archase_engine *eng, const void *data, size_t size,
                                   archase_bind_text **out) {
    archase_audit_verify_options opts;
    archase_audit_report report;
    int rc = archase_audit_verify_options_init(&opts, ARCHASE_AUDIT_VERIFY_OPTIONS_VERSION);
    if (rc != 0)
        return rc;
    if (size % 32 != 0)
        return ARCHASE_EINVAL;
    opts.trusted_keys = size ? data : NULL;
    opts.trusted_key_count = size / 32;
    memset(&report, 0, sizeof report);
    report.version = ARCHASE_AUDIT_REPORT_VERSION;
    rc = archase_audit_verify(eng, &opts, &report);
    if (rc != 0 && rc != ARCHASE_EVERIFY)
        return rc;
    archase_bind_text *t = text_new();
    if (!t)
        return ARCHASE_ENOMEM;
    begin_obj(t);
    kbool(t, "verified", rc == 0);
    kint(t, "problem", report.problem);
    kstr(t, "problem_name", archase_audit_problem_name(report.problem));
    kuint(t, "first_bad", report.first_bad);
    kuint(t, "records", report.records);
    kuint(t, "size", report.size);
    khex(t, "root", report.root, sizeof report.root);
    kuint(t, "checkpoints", report.checkpoints);
    kstr(t, "log_id", report.log_id);
    kstr(t, "message", report.message);
    end_obj(t);
    return finish(t, 0, out);
}

static int checkpoint_to_json(void *userdata, const archase_checkpoint *cp,
                              const uint8_t public_key[ARCHASE_ED25519_PUBLIC_KEY_SIZE]) {
    archase_bind_text *t = userdata;
    char text[1024];
    begin_obj(t);
    kstr(t, "log_id", cp->log_id);
    kuint(t, "size", cp->size);
    khex(t, "root", cp->root, sizeof cp->root);
    kint(t, "time", cp->time);
    khex(t, "key_id", cp->key_id, sizeof cp->key_id);
    khex(t, "signature", cp->signature, sizeof cp->signature);
    khex(t, "public_key", public_key, ARCHASE_ED25519_PUBLIC_KEY_SIZE);
    if (archase_checkpoint_format(cp, text, sizeof text) == 0)
        kstr(t, "text", text);
    end_obj(t);
    return t->failed ? ARCHASE_ENOMEM : 0;
}

int archase_bind_audit_checkpoints_json(archase_engine *eng, archase_bind_text **out) {
    archase_bind_text *t = text_new();
    if (!t)
        return ARCHASE_ENOMEM;
    begin_arr(t);
    int rc = archase_audit_checkpoints(eng, checkpoint_to_json, t);
    end_arr(t);
    return finish(t, rc, out);
}

int archase_bind_audit_prove_json(archase_engine *eng, int consistency, uint64_t a, uint64_t b,
                                  archase_bind_text **out) {
    uint8_t leaf[32] = { 0 }, root[32];
    size_t cap = 128, len = 0; /* hashes */
    uint8_t *proof = malloc(cap * 32);
    int rc;
    if (!proof)
        return ARCHASE_ENOMEM;
    if (consistency)
        rc = archase_audit_prove_consistency(eng, a, b, proof, cap, &len);
    else
        rc = archase_audit_prove_inclusion(eng, a, b, leaf, proof, cap, &len);
    if (rc == 0)
        rc = archase_audit_root(eng, b, root);
    if (rc != 0) {
        free(proof);
        return rc;
    }
    archase_bind_text *t = text_new();
    if (!t) {
        free(proof);
        return ARCHASE_ENOMEM;
    }
    begin_obj(t);
    if (!consistency)
        khex(t, "leaf_hash", leaf, sizeof leaf);
    khex(t, "proof", proof, len * 32);
    khex(t, "root", root, sizeof root);
    end_obj(t);
    free(proof);
    return finish(t, 0, out);
}

int archase_bind_audit_checkpoint_pem(archase_engine *eng, const char *pem,
                                      archase_bind_text **out) {
    archase_signing_key *key_ = NULL;
    archase_signer signer;
    archase_checkpoint cp;
    char text[1024];
    if (!pem)
        return ARCHASE_EINVAL;
    int rc = archase_signing_key_from_pem(pem, strlen(pem), NULL, &key_);
    if (rc != 0)
        return rc;
    if ((rc = archase_signing_key_signer(key_, &signer)) == 0 &&
        (rc = archase_audit_checkpoint(eng, &signer, &cp)) == 0)
        rc = archase_checkpoint_format(&cp, text, sizeof text);
    archase_signing_key_free(key_);
    if (rc != 0)
        return rc;
    archase_bind_text *t = text_new();
    if (!t)
        return ARCHASE_ENOMEM;
    puts_(t, text);
    return finish(t, 0, out);
}

/* ---- approvals ----------------------------------------------------------------------------- */

int archase_bind_approval_raise(archase_engine *eng, const archase_policy *policy,
                                const archase_bind_input *in, archase_bind_text **out) {
    char id[ARCHASE_APPROVAL_ID_MAX] = "";
    int created = 0;
    if (!in || in->kind != ARCHASE_BIND_APPROVAL_REQUEST)
        return ARCHASE_EINVAL;
    int rc = archase_approval_raise(eng, policy, &in->s.request, id, &created);
    if (rc != 0)
        return rc;
    archase_bind_text *t = text_new();
    if (!t)
        return ARCHASE_ENOMEM;
    begin_obj(t);
    kstr(t, "id", id);
    kbool(t, "created", created);
    end_obj(t);
    return finish(t, 0, out);
}

int archase_bind_approval_vote(archase_engine *eng, const char *id, int approve,
                               const archase_bind_input *in, int *out) {
    if (!in || in->kind != ARCHASE_BIND_APPROVAL_VOTE || !out)
        return ARCHASE_EINVAL;
    return approve ? archase_approval_approve(eng, id, &in->s.vote, out)
                   : archase_approval_reject(eng, id, &in->s.vote, out);
}

int archase_bind_approval_dispatch(archase_engine *eng, const char *id, const char *actor,
                                   archase_bind_text **out) {
    char new_id[ARCHASE_APPROVAL_ID_MAX] = "";
    int rc = archase_approval_dispatch(eng, id, opt(actor), new_id);
    if (rc != 0)
        return rc;
    archase_bind_text *t = text_new();
    if (!t)
        return ARCHASE_ENOMEM;
    jstr(t, new_id);
    return finish(t, 0, out);
}

static void kstrs(archase_bind_text *t, const char *k, const char *const *v, size_t n) {
    key(t, k);
    begin_arr(t);
    for (size_t i = 0; i < n; i++) {
        sep(t);
        jstr(t, v[i]);
    }
    end_arr(t);
}

static int approval_to_json(void *userdata, const archase_approval_info *a) {
    archase_bind_text *t = userdata;
    begin_obj(t);
    kstr(t, "id", a->id);
    kint(t, "status", a->status);
    kint(t, "action", a->action);
    kstr(t, "customer_id", a->customer_id);
    kstrs(t, "invoice_ids", a->invoice_ids, a->invoice_count);
    kmoney(t, "amount", &a->amount);
    kstr(t, "requester", a->requester);
    kstr(t, "requester_role", a->requester_role);
    kstr(t, "justification", a->justification);
    kstr(t, "customer_impact", a->customer_impact);
    kstr(t, "rule", a->rule);
    kstr(t, "reason_code", a->reason_code);
    kstr(t, "detail", a->detail);
    kstr(t, "decision_id", a->decision_id);
    kstr(t, "approval_rule", a->approval_rule);
    kbool(t, "fast_lane", a->fast_lane);
    kuint(t, "approvals_required", a->approvals_required);
    kuint(t, "approvals", a->approvals);
    kstrs(t, "roles", a->roles, a->role_count);
    key(t, "votes");
    begin_arr(t);
    for (size_t i = 0; i < a->vote_count; i++) {
        begin_obj(t);
        kstr(t, "actor", a->votes[i].actor);
        kstr(t, "role", a->votes[i].role);
        kstr(t, "reason", a->votes[i].reason);
        kbool(t, "approve", a->votes[i].approve);
        kint(t, "at", a->votes[i].at);
        end_obj(t);
    }
    end_arr(t);
    kint(t, "created", a->created);
    kint(t, "expires", a->expires);
    kint(t, "closed", a->closed);
    kstr(t, "replaces", a->replaces);
    kstr(t, "replaced_by", a->replaced_by);
    khex(t, "payload_hash", a->payload_hash, sizeof a->payload_hash);
    khex(t, "policy_hash", a->policy_hash, sizeof a->policy_hash);
    end_obj(t);
    return t->failed ? ARCHASE_ENOMEM : 0;
}

int archase_bind_approvals_json(archase_engine *eng, const char *id, int status, archase_date from,
                                archase_date to, uint32_t sample, uint64_t seed,
                                archase_bind_text **out) {
    archase_bind_text *t = text_new();
    int rc;
    if (!t)
        return ARCHASE_ENOMEM;
    id = opt(id);
    begin_arr(t);
    if (id)
        rc = archase_approval_get(eng, id, approval_to_json, t);
    else if (sample)
        rc = archase_override_sample(eng, from, to, sample, seed, approval_to_json, t);
    else
        rc = archase_approvals_scan(eng, status, approval_to_json, t);
    end_arr(t);
    return finish(t, rc, out);
}

/* ---- the daily cycle ------------------------------------------------------------------------ */

static void dispatch_json(archase_bind_text *t, const archase_dispatch_report *d) {
    begin_obj(t);
    kuint(t, "recovered", d->recovered);
    kuint(t, "reconciled_sent", d->reconciled_sent);
    kuint(t, "reconciled_retry", d->reconciled_retry);
    kuint(t, "in_doubt", d->in_doubt);
    kuint(t, "claimed", d->claimed);
    kuint(t, "sent", d->sent);
    kuint(t, "retried", d->retried);
    kuint(t, "dead", d->dead);
    kuint(t, "alerts", d->alerts);
    kuint(t, "refused", d->refused);
    end_obj(t);
}

int archase_bind_run_cycle(archase_engine *eng, const archase_policy *policy, archase_date as_of,
                           int review, int dispatch, const char *tzdir, archase_bind_text **out) {
    archase_cycle_options opts;
    archase_cycle_report r;
    int rc = archase_cycle_options_init(&opts, ARCHASE_CYCLE_OPTIONS_VERSION);
    if (rc != 0)
        return rc;
    opts.review = review ? 1 : 0;
    opts.dispatch = dispatch ? 1 : 0;
    opts.tzdir = opt(tzdir);
    memset(&r, 0, sizeof r);
    r.version = ARCHASE_CYCLE_REPORT_VERSION;
    r.dispatch.version = ARCHASE_DISPATCH_REPORT_VERSION;
    if ((rc = archase_run_cycle(eng, policy, as_of, &opts, &r)) != 0)
        return rc;
    archase_bind_text *t = text_new();
    if (!t)
        return ARCHASE_ENOMEM;
    begin_obj(t);
    kdate(t, "as_of", r.as_of);
    khex(t, "decisions_hash", r.decisions_hash, sizeof r.decisions_hash);
    kuint(t, "decisions", r.decisions);
    key(t, "by_kind");
    begin_obj(t);
    for (int k = 1; k < ARCHASE_DECISION_KIND_LIMIT; k++)
        if (archase_decision_kind_name(k))
            kuint(t, archase_decision_kind_name(k), r.by_kind[k]);
    end_obj(t);
    kuint(t, "cadence_updates", r.cadence_updates);
    kuint(t, "outbox_written", r.outbox_written);
    kuint(t, "outbox_existing", r.outbox_existing);
    kuint(t, "drafts", r.drafts);
    kuint(t, "internal_routes", r.internal_routes);
    kuint(t, "digests", r.digests);
    kuint(t, "approvals_raised", r.approvals_raised);
    kuint(t, "approved_actions", r.approved_actions);
    kuint(t, "cancelled", r.cancelled);
    kuint(t, "audit_records", r.audit_records);
    kuint(t, "promises_kept", r.promises_kept);
    kuint(t, "promises_partially_kept", r.promises_partially_kept);
    kuint(t, "promises_broken", r.promises_broken);
    kuint(t, "disputes_sla_reminders", r.disputes_sla_reminders);
    kuint(t, "disputes_sla_breached", r.disputes_sla_breached);
    kuint(t, "recon_opened", r.recon_opened);
    kuint(t, "lifecycle_transitions", r.lifecycle_transitions);
    key(t, "dispatch");
    dispatch_json(t, &r.dispatch);
    end_obj(t);
    return finish(t, 0, out);
}

int archase_bind_dispatch(archase_engine *eng, const archase_policy *policy, int64_t now,
                          uint32_t limit, archase_bind_text **out) {
    archase_dispatch_options opts;
    archase_dispatch_report r = ARCHASE_DISPATCH_REPORT_INIT;
    int rc = archase_dispatch_options_init(&opts, ARCHASE_DISPATCH_OPTIONS_VERSION);
    if (rc != 0)
        return rc;
    opts.now = now;
    opts.limit = limit;
    opts.policy = policy;
    if ((rc = archase_dispatch(eng, &opts, &r)) != 0)
        return rc;
    archase_bind_text *t = text_new();
    if (!t)
        return ARCHASE_ENOMEM;
    dispatch_json(t, &r);
    return finish(t, 0, out);
}

static int outbox_to_json(void *userdata, const archase_outbox_item *o) {
    archase_bind_text *t = userdata;
    begin_obj(t);
    kstr(t, "id", o->id);
    kstr(t, "idempotency_key", o->idempotency_key);
    kstr(t, "decision_key", o->decision_key);
    kint(t, "status", o->status);
    kint(t, "kind", o->kind);
    kint(t, "action", o->action);
    kint(t, "channel", o->channel);
    kstr(t, "customer_id", o->customer_id);
    kstrs(t, "invoice_ids", o->invoice_ids, o->invoice_count);
    kstr(t, "contact_id", o->contact_id);
    kstr(t, "address", o->address);
    kstr(t, "recipient_name", o->recipient_name);
    kstr(t, "template", o->template_name);
    kint(t, "tone", o->tone);
    kstr(t, "subject", o->subject);
    kstr(t, "body", o->body);
    kstr(t, "owner", o->owner);
    kstr(t, "rule", o->rule);
    kstr(t, "segment", o->segment);
    kint(t, "score", o->score);
    key(t, "reasons");
    begin_arr(t);
    for (size_t i = 0; i < o->reason_count; i++) {
        sep(t);
        putf(t, "%d", o->reasons[i]);
    }
    end_arr(t);
    kmoney(t, "amount", &o->amount);
    kdate(t, "as_of", o->as_of);
    kint(t, "created_at", o->created_at);
    kint(t, "scheduled_at", o->scheduled_at);
    kint(t, "next_attempt_at", o->next_attempt_at);
    kstr(t, "timezone", o->timezone);
    kdate(t, "local_date", o->local_date);
    kint(t, "local_seconds", o->local_seconds);
    kuint(t, "attempts", o->attempts);
    kuint(t, "max_attempts", o->max_attempts);
    kstr(t, "last_detail", o->last_detail);
    kint(t, "last_attempt_at", o->last_attempt_at);
    kstr(t, "approval_id", o->approval_id);
    kstr(t, "dead_item", o->dead_item);
    kbool(t, "draft", o->draft);
    kstr(t, "reviewer", o->reviewer);
    kint(t, "reviewed_at", o->reviewed_at);
    kint(t, "review_seconds", o->review_seconds);
    kbool(t, "edited", o->edited);
    kstr(t, "resolved_by", o->resolved_by);
    end_obj(t);
    return t->failed ? ARCHASE_ENOMEM : 0;
}

int archase_bind_outbox_json(archase_engine *eng, const char *id, int status,
                             archase_bind_text **out) {
    archase_bind_text *t = text_new();
    int rc;
    if (!t)
        return ARCHASE_ENOMEM;
    id = opt(id);
    begin_arr(t);
    rc = id ? archase_outbox_get(eng, id, outbox_to_json, t)
            : archase_outbox_scan(eng, status, outbox_to_json, t);
    end_arr(t);
    return finish(t, rc, out);
}

int archase_bind_review(archase_engine *eng, const char *id, int action, const char *reviewer,
                        const char *note, const char *subject, const char *body) {
    archase_review r = ARCHASE_REVIEW_INIT;
    r.reviewer = opt(reviewer);
    r.note = opt(note);
    switch (action) {
    case 1: return archase_review_approve(eng, id, &r);
    case 2: return archase_review_edit(eng, id, &r, opt(subject), opt(body));
    case 3: return archase_review_reject(eng, id, &r);
    default: return ARCHASE_EINVAL;
    }
}

int archase_bind_set_file_transport(archase_engine *eng, int format, const char *path) {
    archase_transport t;
    int rc = archase_file_transport_open(format, path, NULL, &t);
    if (rc != 0)
        return rc;
    rc = archase_engine_set_transport(eng, &t);
    if (rc != 0 && t.close)
        t.close(t.userdata);
    return rc;
}

/* ---- promises, disputes, reconciliation, credit, the lifecycle, time zones ----------------- */

int archase_bind_promise_record(archase_engine *eng, const archase_policy *policy,
                                const archase_bind_input *in, archase_date as_of) {
    if (!in || in->kind != ARCHASE_FAMILY_PROMISE)
        return ARCHASE_EINVAL;
    return archase_promise_record(eng, policy, &in->s.promise, as_of);
}

int archase_bind_dispute_open(archase_engine *eng, const archase_policy *policy,
                              const archase_bind_input *in, archase_date as_of) {
    if (!in || in->kind != ARCHASE_FAMILY_DISPUTE)
        return ARCHASE_EINVAL;
    return archase_dispute_open(eng, policy, &in->s.dispute, as_of);
}

static int promise_to_json(void *userdata, const archase_promise_info *info) {
    archase_bind_text *t = userdata;
    const archase_promise *p = info->promise;
    begin_obj(t);
    json_fields(t, promise_fields, p);
    key(t, "instalments");
    begin_arr(t);
    for (size_t i = 0; i < p->instalment_count; i++) {
        begin_obj(t);
        kdate(t, "date", p->instalments[i].date);
        kmoney(t, "amount", &p->instalments[i].amount);
        end_obj(t);
    }
    end_arr(t);
    kint(t, "state", info->state);
    kdate(t, "state_date", info->state_date);
    kmoney(t, "paid", &info->paid);
    end_obj(t);
    return t->failed ? ARCHASE_ENOMEM : 0;
}

int archase_bind_promises_json(archase_engine *eng, const char *id, const char *customer_id,
                               const char *invoice_id, int state, archase_bind_text **out) {
    archase_bind_text *t = text_new();
    if (!t)
        return ARCHASE_ENOMEM;
    begin_arr(t);
    int rc = opt(id) ? archase_promise_get(eng, id, promise_to_json, t)
                     : archase_promises_scan(eng, opt(customer_id), opt(invoice_id), state,
                                             promise_to_json, t);
    end_arr(t);
    return finish(t, rc, out);
}

int archase_bind_dispute_update(archase_engine *eng, const archase_policy *policy, const char *id,
                                int status, const char *owner, const char *evidence, const char *by,
                                archase_date as_of) {
    archase_dispute_change ch = ARCHASE_DISPUTE_CHANGE_INIT;
    ch.id = opt(id);
    ch.status = status;
    ch.owner = opt(owner);
    ch.evidence = opt(evidence);
    ch.by = opt(by);
    return archase_dispute_update(eng, policy, &ch, as_of);
}

static int pending_json(int rc, const char *approval_id, int pending, archase_bind_text **out) {
    if (rc != 0)
        return rc;
    archase_bind_text *t = text_new();
    if (!t)
        return ARCHASE_ENOMEM;
    begin_obj(t);
    kstr(t, "approval_id", approval_id[0] ? approval_id : NULL);
    kbool(t, "pending", pending);
    end_obj(t);
    return finish(t, 0, out);
}

int archase_bind_dispute_resolve(archase_engine *eng, const archase_policy *policy, const char *id,
                                 int resolution, int64_t credited_minor, const char *currency,
                                 const char *root_cause, const char *by, const char *justification,
                                 archase_date as_of, archase_bind_text **out) {
    archase_dispute_outcome o = ARCHASE_DISPUTE_OUTCOME_INIT;
    char approval_id[ARCHASE_APPROVAL_ID_MAX] = "";
    int pending = 0;
    o.id = opt(id);
    o.resolution = resolution;
    if (opt(currency)) {
        if (strlen(currency) > 3)
            return ARCHASE_ECURRENCY;
        o.credited.minor = credited_minor;
        memcpy(o.credited.currency, currency, strlen(currency) + 1);
    }
    o.root_cause = opt(root_cause);
    o.by = opt(by);
    o.justification = opt(justification);
    int rc = archase_dispute_resolve(eng, policy, &o, as_of, approval_id, &pending);
    return pending_json(rc, approval_id, pending, out);
}

static int dispute_to_json(void *userdata, const archase_dispute_info *info) {
    archase_bind_text *t = userdata;
    begin_obj(t);
    json_fields(t, dispute_fields, info->dispute);
    kstr(t, "sla_owner", info->owner);
    kdate(t, "sla_due", info->sla_due);
    kint(t, "sla_state", info->sla_state);
    kint(t, "age_days", info->age_days);
    kstr(t, "pending_approval", info->pending_approval);
    end_obj(t);
    return t->failed ? ARCHASE_ENOMEM : 0;
}

int archase_bind_disputes_json(archase_engine *eng, const archase_policy *policy,
                               const char *customer_id, int status, archase_date as_of,
                               archase_bind_text **out) {
    archase_bind_text *t = text_new();
    if (!t)
        return ARCHASE_ENOMEM;
    begin_arr(t);
    int rc = archase_disputes_scan(eng, policy, opt(customer_id), status, as_of, dispute_to_json, t);
    end_arr(t);
    return finish(t, rc, out);
}

static int report_row_to_json(void *userdata, const archase_dispute_report_row *row) {
    archase_bind_text *t = userdata;
    begin_obj(t);
    kstr(t, "group", row->group);
    kstr(t, "key", row->key);
    kstr(t, "month", row->month);
    kuint(t, "count", row->count);
    kint(t, "days", row->days);
    kint(t, "max_days", row->max_days);
    end_obj(t);
    return t->failed ? ARCHASE_ENOMEM : 0;
}

int archase_bind_dispute_report_json(archase_engine *eng, const archase_policy *policy,
                                     archase_date as_of, archase_bind_text **out) {
    archase_bind_text *t = text_new();
    if (!t)
        return ARCHASE_ENOMEM;
    begin_arr(t);
    int rc = archase_dispute_report(eng, policy, as_of, report_row_to_json, t);
    end_arr(t);
    return finish(t, rc, out);
}

static int recon_to_json(void *userdata, const archase_recon_item *it) {
    archase_bind_text *t = userdata;
    begin_obj(t);
    kstr(t, "id", it->id);
    kint(t, "reason", it->reason);
    kint(t, "status", it->status);
    kstr(t, "customer_id", it->customer_id);
    kstr(t, "invoice_id", it->invoice_id);
    kstr(t, "payment_id", it->payment_id);
    kstr(t, "promise_id", it->promise_id);
    kmoney(t, "amount", &it->amount);
    kdate(t, "date", it->date);
    kstr(t, "owner_role", it->owner_role);
    kdate(t, "sla_due", it->sla_due);
    kint(t, "resolution", it->resolution);
    kstr(t, "target_invoice_id", it->target_invoice_id);
    kstr(t, "resolved_by", it->resolved_by);
    kdate(t, "resolved_on", it->resolved_on);
    kstr(t, "note", it->note);
    kstr(t, "approval_id", it->approval_id);
    end_obj(t);
    return t->failed ? ARCHASE_ENOMEM : 0;
}

int archase_bind_recon_json(archase_engine *eng, const archase_policy *policy, int status,
                            archase_bind_text **out) {
    archase_bind_text *t = text_new();
    if (!t)
        return ARCHASE_ENOMEM;
    begin_arr(t);
    int rc = archase_recon_scan(eng, policy, status, recon_to_json, t);
    end_arr(t);
    return finish(t, rc, out);
}

int archase_bind_recon_resolve(archase_engine *eng, const archase_policy *policy, const char *id,
                               int resolution, const char *invoice_id, const char *by,
                               const char *note, const char *justification,
                               const char *customer_impact, archase_date as_of,
                               archase_bind_text **out) {
    archase_recon_action a = ARCHASE_RECON_ACTION_INIT;
    char approval_id[ARCHASE_APPROVAL_ID_MAX] = "";
    int pending = 0;
    a.id = opt(id);
    a.resolution = resolution;
    a.invoice_id = opt(invoice_id);
    a.by = opt(by);
    a.note = opt(note);
    a.justification = opt(justification);
    a.customer_impact = opt(customer_impact);
    int rc = archase_recon_resolve(eng, policy, &a, as_of, approval_id, &pending);
    return pending_json(rc, approval_id, pending, out);
}

int archase_bind_credit_json(archase_engine *eng, const archase_policy *policy,
                             const char *customer_id, archase_date as_of, int request,
                             const char *requester, const char *justification,
                             archase_bind_text **out) {
    archase_credit_recommendation r;
    memset(&r, 0, sizeof r);
    r.version = ARCHASE_CREDIT_RECOMMENDATION_VERSION;
    int rc = archase_credit_recommend(eng, policy, customer_id, as_of, &r);
    if (rc != 0)
        return rc;
    char id[ARCHASE_APPROVAL_ID_MAX] = "";
    int created = 0;
    if (request &&
        (rc = archase_credit_request(eng, policy, customer_id, &r, opt(requester), opt(justification),
                                     id, &created)) != 0)
        return rc;
    archase_bind_text *t = text_new();
    if (!t)
        return ARCHASE_ENOMEM;
    begin_obj(t);
    kint(t, "action", r.action);
    kmoney(t, "current_limit", &r.current_limit);
    kmoney(t, "recommended_limit", &r.recommended_limit);
    kmoney(t, "exposure", &r.exposure);
    kint(t, "utilisation_percent", r.utilisation_percent);
    kint(t, "approval_action", r.approval_action);
    kstr(t, "notice_template", r.notice_template);
    kdate(t, "effective_on", r.effective_on);
    key(t, "drivers");
    begin_arr(t);
    for (size_t i = 0; i < r.driver_count && i < ARCHASE_CREDIT_DRIVERS_MAX; i++) {
        begin_obj(t);
        kstr(t, "name", r.drivers[i].name);
        kint(t, "value", r.drivers[i].value);
        kint(t, "direction", r.drivers[i].direction);
        end_obj(t);
    }
    end_arr(t);
    if (request) {
        key(t, "request");
        begin_obj(t);
        kstr(t, "id", id[0] ? id : NULL);
        kbool(t, "created", created);
        end_obj(t);
    }
    end_obj(t);
    return finish(t, 0, out);
}

int archase_bind_lifecycle_json(archase_engine *eng, const archase_policy *policy,
                                archase_date as_of, archase_bind_text **out) {
    archase_lifecycle_counts c;
    memset(&c, 0, sizeof c);
    c.version = ARCHASE_LIFECYCLE_COUNTS_VERSION;
    int rc = archase_lifecycle_update(eng, policy, as_of, &c);
    if (rc != 0)
        return rc;
    archase_bind_text *t = text_new();
    if (!t)
        return ARCHASE_ENOMEM;
    begin_obj(t);
    kuint(t, "promises_kept", c.promises_kept);
    kuint(t, "promises_partially_kept", c.promises_partially_kept);
    kuint(t, "promises_broken", c.promises_broken);
    kuint(t, "disputes_sla_reminders", c.disputes_sla_reminders);
    kuint(t, "disputes_sla_breached", c.disputes_sla_breached);
    kuint(t, "recon_opened", c.recon_opened);
    kuint(t, "transitions", c.transitions);
    end_obj(t);
    return finish(t, 0, out);
}

static int tz_open(const char *tzdir, const char *name, archase_tz **tz) {
    archase_tz_options o;
    int rc = archase_tz_options_init(&o, ARCHASE_TZ_OPTIONS_VERSION);
    if (rc != 0)
        return rc;
    o.tzdir = opt(tzdir);
    return archase_tz_load(name, &o, tz);
}

int archase_bind_tz_to_local(const char *tzdir, const char *name, int64_t instant,
                             archase_bind_text **out) {
    archase_tz *tz = NULL;
    archase_local_time lt;
    int rc = tz_open(tzdir, name, &tz);
    if (rc == 0)
        rc = archase_tz_to_local(tz, instant, &lt);
    archase_tz_free(tz);
    if (rc != 0)
        return rc;
    archase_bind_text *t = text_new();
    if (!t)
        return ARCHASE_ENOMEM;
    begin_obj(t);
    kdate(t, "date", lt.date);
    kint(t, "seconds_of_day", lt.seconds_of_day);
    kint(t, "utc_offset", lt.utc_offset);
    kbool(t, "is_dst", lt.is_dst);
    char abbr[sizeof lt.abbreviation + 1];
    memcpy(abbr, lt.abbreviation, sizeof lt.abbreviation);
    abbr[sizeof lt.abbreviation] = '\0';
    kstr(t, "abbreviation", abbr);
    end_obj(t);
    return finish(t, 0, out);
}

int archase_bind_tz_from_local(const char *tzdir, const char *name, archase_date date,
                               int32_t seconds_of_day, int64_t *out) {
    archase_tz *tz = NULL;
    archase_instant at = 0;
    int rc = tz_open(tzdir, name, &tz);
    if (rc == 0)
        rc = archase_tz_from_local(tz, date, seconds_of_day, &at);
    archase_tz_free(tz);
    if (rc == 0)
        *out = at;
    return rc;
}
