/* libarchase/io/export.c — writing the facts of a kind as CSV or JSON Lines
 * in the kind's native format, through the caller's writer. */
#include <stdio.h>
#include <string.h>

#include "archase/date.h"
#include "archase/errors.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "engine/engine.h"
#include "io/columns.h"
#include "io/csv.h"
#include "io/json.h"

int archase_export_options_init(archase_export_options *opts, unsigned version) {
    if (!opts)
        return ARCHASE_EINVAL;
    if (version != ARCHASE_EXPORT_OPTIONS_VERSION)
        return ARCHASE_EVERSION;
    archase_export_options init = ARCHASE_EXPORT_OPTIONS_INIT;
    *opts = init;
    return 0;
}

#define FLUSH_AT 65536

typedef struct exporter {
    archase_engine  *e;
    int              kind;
    int              jsonl;
    archase_write_fn write;
    void            *userdata;
    ar_buf           out;   /* what waits to be written */
    ar_buf           cell;  /* one cell's text */
    int              rc;
} exporter;

static int flush(exporter *x) {
    if (x->out.err)
        return x->rc = ar_error_set(&x->e->err, ARCHASE_ENOMEM, "out of memory");
    if (x->out.len) {
        int rc = x->write(x->userdata, x->out.data, x->out.len);
        if (rc)
            return x->rc = ar_error_set(&x->e->err, rc < 0 ? rc : ARCHASE_ECALLBACK,
                                        "the export writer failed (%d)", rc);
    }
    ar_buf_reset(&x->out);
    return 0;
}

/* ---- cell text ----------------------------------------------------------------- */

static void put_date(ar_buf *b, archase_date d) {
    char text[ARCHASE_DATE_FORMAT_MAX];
    if (d != ARCHASE_DATE_NONE && archase_date_format(d, text, sizeof text) == 0)
        ar_buf_puts(b, text);
}

static void put_amount(ar_buf *b, const archase_money *m) {
    char text[ARCHASE_MONEY_FORMAT_MAX];
    if (m->currency[0] && archase_money_format_amount(m, text, sizeof text) == 0)
        ar_buf_puts(b, text);
}

static void put_list(ar_buf *b, const char *const *items, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (i)
            ar_buf_putc(b, ';');
        ar_buf_puts(b, items[i]);
    }
}

static void put_bool(ar_buf *b, int v) {
    ar_buf_puts(b, v ? "true" : "false");
}

static void put_flags(ar_buf *b, const archase_customer_flags *f) {
    int n = 0;
    if (f->hold)
        ar_buf_puts(b, n++ ? ";hold" : "hold");
    if (f->paused_until != ARCHASE_DATE_NONE) {
        ar_buf_puts(b, n++ ? ";paused_until=" : "paused_until=");
        put_date(b, f->paused_until);
    }
    if (f->expansion)
        ar_buf_puts(b, n++ ? ";expansion" : "expansion");
    if (f->strategic)
        ar_buf_puts(b, n++ ? ";strategic" : "strategic");
    if (f->service_issue)
        ar_buf_puts(b, n++ ? ";service_issue" : "service_issue");
    if (!n)
        ar_buf_puts(b, "none");
}

typedef struct side {
    ar_buf *b;
    int     which; /* 0 = address, 1 = flags */
} side;

static int side_fact(void *userdata, const archase_fact *f) {
    side *s = userdata;
    if (s->which == 0)
        ar_buf_puts(s->b, f->contact->address);
    else
        put_flags(s->b, f->flags);
    return 0;
}

/* The customers file also carries the customer's email, phone and flags. */
static int customer_extra(exporter *x, ar_col col, const char *id) {
    side s = { &x->cell, col == C_FLAGS };
    char key[300];
    if (col == C_FLAGS) {
        snprintf(key, sizeof key, "%s", id);
    } else {
        snprintf(key, sizeof key, "%s:%s", id, col == C_EMAIL ? "email" : "phone");
    }
    int rc = archase_fact_get(x->e, col == C_FLAGS ? ARCHASE_FAMILY_FLAGS : ARCHASE_FAMILY_CONTACT, key,
                              side_fact, &s);
    return rc == ARCHASE_ENOTFOUND ? 0 : rc;
}

static void put_int(ar_buf *b, int64_t v) {
    ar_buf_printf(b, "%lld", (long long)v);
}

/* Writes the text of column `col` of `f` into x->cell. */
static int cell_text(exporter *x, ar_col col, const archase_fact *f) {
    ar_buf *b = &x->cell;
    ar_buf_reset(b);
    switch (f->family) {
    case ARCHASE_FAMILY_CUSTOMER: {
        const archase_customer *c = f->customer;
        switch (col) {
        case C_ID: ar_buf_puts(b, c->id); break;
        case C_NAME: ar_buf_puts(b, c->name); break;
        case C_TIER: ar_buf_puts(b, c->tier); break;
        case C_OWNER: ar_buf_puts(b, c->owner); break;
        case C_COLLECTOR: ar_buf_puts(b, c->collector); break;
        case C_TIMEZONE: ar_buf_puts(b, c->timezone); break;
        case C_LOCALE: ar_buf_puts(b, c->locale); break;
        case C_COUNTRY: ar_buf_puts(b, c->country); break;
        case C_CREDIT_LIMIT: put_amount(b, &c->credit_limit); break;
        case C_CURRENCY: ar_buf_puts(b, c->credit_limit.currency); break;
        case C_TAGS: put_list(b, c->tags, c->tag_count); break;
        case C_SOURCE_LINK: ar_buf_puts(b, c->source_link); break;
        case C_REVISION: put_int(b, c->revision); break;
        case C_EMAIL:
        case C_PHONE:
        case C_FLAGS: return customer_extra(x, col, c->id);
        default: break;
        }
        break;
    }
    case ARCHASE_FAMILY_CONTACT: {
        const archase_contact *c = f->contact;
        switch (col) {
        case C_ID: ar_buf_puts(b, c->id); break;
        case C_CUSTOMER_ID: ar_buf_puts(b, c->customer_id); break;
        case C_CHANNEL: ar_buf_puts(b, archase_channel_name(c->channel)); break;
        case C_ADDRESS: ar_buf_puts(b, c->address); break;
        case C_NAME: ar_buf_puts(b, c->name); break;
        case C_ROLE: ar_buf_puts(b, c->role); break;
        case C_CONSENT: put_bool(b, c->consent); break;
        case C_PRIMARY: put_bool(b, c->primary); break;
        case C_REVISION: put_int(b, c->revision); break;
        default: break;
        }
        break;
    }
    case ARCHASE_FAMILY_FLAGS: {
        const archase_customer_flags *fl = f->flags;
        switch (col) {
        case C_CUSTOMER_ID: ar_buf_puts(b, fl->customer_id); break;
        case C_FLAGS: put_flags(b, fl); break;
        case C_REASON: ar_buf_puts(b, fl->reason); break;
        case C_SET_BY: ar_buf_puts(b, fl->set_by); break;
        case C_REVISION: put_int(b, fl->revision); break;
        default: break;
        }
        break;
    }
    case ARCHASE_FAMILY_INVOICE: {
        const archase_invoice *inv = f->invoice;
        switch (col) {
        case C_ID: ar_buf_puts(b, inv->id); break;
        case C_CUSTOMER_ID: ar_buf_puts(b, inv->customer_id); break;
        case C_NUMBER: ar_buf_puts(b, inv->number); break;
        case C_ISSUE_DATE: put_date(b, inv->issue_date); break;
        case C_DUE_DATE: put_date(b, inv->due_date); break;
        case C_AMOUNT: put_amount(b, &inv->amount); break;
        case C_CURRENCY: ar_buf_puts(b, inv->amount.currency); break;
        case C_PO_REF: ar_buf_puts(b, inv->po_ref); break;
        case C_SOURCE_LINK: ar_buf_puts(b, inv->source_link); break;
        case C_REVISION: put_int(b, inv->revision); break;
        case C_TERMS: ar_buf_puts(b, inv->terms); break;
        case C_STATUS: ar_buf_puts(b, inv->source_status == ARCHASE_INVOICE_VOID ? "void" : "open"); break;
        default: break;
        }
        break;
    }
    case ARCHASE_FAMILY_PAYMENT: {
        const archase_payment *p = f->payment;
        switch (col) {
        case C_ID: ar_buf_puts(b, p->id); break;
        case C_CUSTOMER_ID: ar_buf_puts(b, p->customer_id); break;
        case C_INVOICE_ID: ar_buf_puts(b, p->invoice_id); break;
        case C_DATE: put_date(b, p->date); break;
        case C_AMOUNT: put_amount(b, &p->amount); break;
        case C_CURRENCY: ar_buf_puts(b, p->amount.currency); break;
        case C_REFERENCE: ar_buf_puts(b, p->reference); break;
        case C_KIND: ar_buf_puts(b, archase_payment_kind_name(p->kind)); break;
        case C_SOURCE_LINK: ar_buf_puts(b, p->source_link); break;
        case C_OVERPAYMENT: put_bool(b, p->overpayment); break;
        case C_REVISION: put_int(b, p->revision); break;
        default: break;
        }
        break;
    }
    case ARCHASE_FAMILY_PROMISE: {
        const archase_promise *p = f->promise;
        switch (col) {
        case C_ID: ar_buf_puts(b, p->id); break;
        case C_CUSTOMER_ID: ar_buf_puts(b, p->customer_id); break;
        case C_INVOICE_IDS: put_list(b, p->invoice_ids, p->invoice_count); break;
        case C_AMOUNT: put_amount(b, &p->amount); break;
        case C_CURRENCY: ar_buf_puts(b, p->amount.currency); break;
        case C_PROMISED_DATE: put_date(b, p->promised_date); break;
        case C_INSTALMENTS:
            for (size_t i = 0; i < p->instalment_count; i++) {
                if (i)
                    ar_buf_putc(b, ';');
                put_date(b, p->instalments[i].date);
                ar_buf_putc(b, '=');
                put_amount(b, &p->instalments[i].amount);
            }
            break;
        case C_TAKEN_BY: ar_buf_puts(b, p->taken_by); break;
        case C_CHANNEL: ar_buf_puts(b, archase_channel_name(p->channel)); break;
        case C_NOTE: ar_buf_puts(b, p->note); break;
        case C_GRACE_DAYS:
            if (p->grace_days != ARCHASE_GRACE_POLICY_DEFAULT)
                put_int(b, p->grace_days);
            break;
        case C_RECORDED_ON: put_date(b, p->recorded_on); break;
        case C_REVISION: put_int(b, p->revision); break;
        default: break;
        }
        break;
    }
    case ARCHASE_FAMILY_DISPUTE: {
        const archase_dispute *d = f->dispute;
        switch (col) {
        case C_ID: ar_buf_puts(b, d->id); break;
        case C_CUSTOMER_ID: ar_buf_puts(b, d->customer_id); break;
        case C_INVOICE_IDS: put_list(b, d->invoice_ids, d->invoice_count); break;
        case C_AMOUNT: put_amount(b, &d->amount); break;
        case C_CURRENCY: ar_buf_puts(b, d->amount.currency); break;
        case C_REASON_CODE: ar_buf_puts(b, d->reason_code); break;
        case C_OPENED_ON: put_date(b, d->opened_on); break;
        case C_EVIDENCE: ar_buf_puts(b, d->evidence); break;
        case C_OPENED_BY: ar_buf_puts(b, d->opened_by); break;
        case C_OWNER: ar_buf_puts(b, d->owner); break;
        case C_STATUS: ar_buf_puts(b, archase_dispute_status_name(d->status)); break;
        case C_RESOLUTION: ar_buf_puts(b, archase_dispute_resolution_name(d->resolution)); break;
        case C_ROOT_CAUSE: ar_buf_puts(b, d->root_cause); break;
        case C_RESOLVED_ON: put_date(b, d->resolved_on); break;
        case C_CREDITED: put_amount(b, &d->credited); break;
        case C_REVISION: put_int(b, d->revision); break;
        default: break;
        }
        break;
    }
    case ARCHASE_FAMILY_NOTE: {
        const archase_note *n = f->note;
        char at[ARCHASE_INSTANT_FORMAT_MAX];
        switch (col) {
        case C_ID: ar_buf_puts(b, n->id); break;
        case C_CUSTOMER_ID: ar_buf_puts(b, n->customer_id); break;
        case C_INVOICE_ID: ar_buf_puts(b, n->invoice_id); break;
        case C_AUTHOR: ar_buf_puts(b, n->author); break;
        case C_TEXT: ar_buf_puts(b, n->text); break;
        case C_AT:
            if (archase_instant_format(n->at, at, sizeof at) == 0)
                ar_buf_puts(b, at);
            break;
        case C_REVISION: put_int(b, n->revision); break;
        default: break;
        }
        break;
    }
    default:
        break;
    }
    return 0;
}

/* Derived columns: an invoice's open amount, state and settled date; a
 * payment's applied amount. */
static void derived_text(exporter *x, const char *name, const archase_fact *f) {
    ar_buf *b = &x->cell;
    ar_buf_reset(b);
    if (f->invoice_state) {
        if (!strcmp(name, "open_amount"))
            put_amount(b, &f->invoice_state->open_amount);
        else if (!strcmp(name, "state"))
            ar_buf_puts(b, archase_invoice_status_name(f->invoice_state->status));
        else if (!strcmp(name, "settled_date"))
            put_date(b, f->invoice_state->settled_date);
    } else if (f->payment && !strcmp(name, "applied_amount")) {
        put_amount(b, &f->applied);
    }
}

static int json_kind_of(ar_col col) {
    if (ar_col_is_list(col))
        return 'l';
    switch (col) {
    case C_CONSENT:
    case C_PRIMARY:
    case C_OVERPAYMENT: return 'b';
    case C_REVISION:
    case C_GRACE_DAYS: return 'n';
    default: return 's';
    }
}

static int write_fact(void *userdata, const archase_fact *f) {
    exporter *x = userdata;
    if (f->payment) {
        int credit = f->payment->kind == ARCHASE_CREDIT_NOTE;
        if (credit != (x->kind == ARCHASE_KIND_CREDITS))
            return 0;
    }
    int n = 0;
    if (x->jsonl)
        ar_buf_putc(&x->out, '{');
    for (const ar_column_spec *s = ar_kind_columns(x->kind); s->name; s++) {
        if (s->col == C_DERIVED) {
            derived_text(x, s->name, f);
        } else {
            int rc = cell_text(x, s->col, f);
            if (rc)
                return x->rc = rc;
        }
        if (x->cell.err)
            return x->rc = ar_error_set(&x->e->err, ARCHASE_ENOMEM, "out of memory");
        const char *text = x->cell.len ? (const char *)x->cell.data : "";
        if (!x->jsonl) {
            if (n++)
                ar_buf_putc(&x->out, ',');
            ar_csv_put_field(&x->out, text, x->cell.len, ',');
            continue;
        }
        if (!x->cell.len)
            continue;
        if (n++)
            ar_buf_putc(&x->out, ',');
        ar_json_put_string(&x->out, s->name, strlen(s->name));
        ar_buf_putc(&x->out, ':');
        int type = json_kind_of(s->col);
        if (type == 'b' || type == 'n') {
            ar_buf_put(&x->out, text, x->cell.len);
        } else if (type == 'l') {
            ar_buf_putc(&x->out, '[');
            size_t start = 0;
            for (size_t i = 0; i <= x->cell.len; i++) {
                if (i == x->cell.len || text[i] == ';') {
                    if (start)
                        ar_buf_putc(&x->out, ',');
                    ar_json_put_string(&x->out, text + start, i - start);
                    start = i + 1;
                }
            }
            ar_buf_putc(&x->out, ']');
        } else {
            ar_json_put_string(&x->out, text, x->cell.len);
        }
    }
    ar_buf_puts(&x->out, x->jsonl ? "}\n" : "\r\n");
    if (x->out.len >= FLUSH_AT && flush(x))
        return x->rc;
    return 0;
}

int archase_export(archase_engine *e, const archase_export_options *o, archase_write_fn write,
                   void *userdata) {
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (!o || !write)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "export needs options and a writer");
    if (o->version != ARCHASE_EXPORT_OPTIONS_VERSION)
        return ar_error_set(&e->err, ARCHASE_EVERSION, "export options version %u is not supported", o->version);
    int format = o->format ? o->format : ARCHASE_FORMAT_CSV;
    if (!archase_kind_name(o->kind) || (format != ARCHASE_FORMAT_CSV && format != ARCHASE_FORMAT_JSONL))
        return ar_error_set(&e->err, ARCHASE_EINVAL, "export needs a known kind and format");
    static const int family_of[] = {
        0, ARCHASE_FAMILY_CUSTOMER, ARCHASE_FAMILY_CONTACT, ARCHASE_FAMILY_FLAGS, ARCHASE_FAMILY_INVOICE,
        ARCHASE_FAMILY_PAYMENT, ARCHASE_FAMILY_PAYMENT, ARCHASE_FAMILY_PROMISE, ARCHASE_FAMILY_DISPUTE,
        ARCHASE_FAMILY_NOTE,
    };
    exporter x;
    memset(&x, 0, sizeof x);
    x.e = e;
    x.kind = o->kind;
    x.jsonl = format == ARCHASE_FORMAT_JSONL;
    x.write = write;
    x.userdata = userdata;
    ar_buf_init(&x.out, AR_ENGINE_ALLOC(e));
    ar_buf_init(&x.cell, AR_ENGINE_ALLOC(e));
    if (!x.jsonl) {
        int n = 0;
        for (const ar_column_spec *s = ar_kind_columns(x.kind); s->name; s++) {
            if (n++)
                ar_buf_putc(&x.out, ',');
            ar_buf_puts(&x.out, s->name);
        }
        ar_buf_puts(&x.out, "\r\n");
    }
    archase_fact_filter f = ARCHASE_FACT_FILTER_INIT;
    f.family = family_of[x.kind];
    int rc = archase_facts_scan(e, &f, write_fact, &x);
    if (!rc && x.rc)
        rc = x.rc;
    if (!rc)
        rc = flush(&x);
    ar_buf_free(&x.out);
    ar_buf_free(&x.cell);
    return rc;
}
