/* cli/cmd_show.c — `archase show DB invoice|customer ID`: a fact and its
 * timeline. The timeline is a list of dated entries of a kind; facts give
 * issued, due, payment, credit_note, adjustment, write_off, settled,
 * promise, dispute, dispute_resolved and note entries, and the engine's
 * decisions and touches join the same list as further kinds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

const char cmd_show_help[] =
    "usage: archase show DB invoice|customer ID [--json]\n"
    "\n"
    "Shows an invoice (its amounts, its state and the timeline of everything\n"
    "that happened to it: issued, due, payments and credits, promises,\n"
    "disputes, notes) or a customer (details, flags, contacts, invoices and\n"
    "their timeline), oldest first.\n"
    "\n"
    "  --json   print {\"kind\", \"invoice\"|\"customer\", ..., \"timeline\": [{\"date\",\n"
    "           \"kind\", \"id\", \"amount\", \"currency\", \"detail\"}]}\n";

typedef struct entry {
    archase_date date;
    int          order;   /* within a day: issued, payments, ..., due */
    char         kind[24];
    char         id[260];
    char         amount[ARCHASE_MONEY_FORMAT_MAX];
    char         currency[4];
    char         detail[300];
} entry;

typedef struct timeline {
    entry *items;
    size_t n, cap;
    int    oom;
} timeline;

static entry *add(timeline *t, archase_date date, int order, const char *kind, const char *id) {
    if (t->oom || date == ARCHASE_DATE_NONE)
        return NULL;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 32;
        entry *items = realloc(t->items, cap * sizeof *items);
        if (!items) {
            t->oom = 1;
            return NULL;
        }
        t->items = items;
        t->cap = cap;
    }
    entry *e = &t->items[t->n++];
    memset(e, 0, sizeof *e);
    e->date = date;
    e->order = order;
    snprintf(e->kind, sizeof e->kind, "%s", kind);
    snprintf(e->id, sizeof e->id, "%s", id ? id : "");
    return e;
}

static void set_money(entry *e, const archase_money *m) {
    if (!e || !m->currency[0])
        return;
    archase_money_format_amount(m, e->amount, sizeof e->amount);
    memcpy(e->currency, m->currency, 4);
}

static int cmp_entries(const void *a, const void *b) {
    const entry *x = a, *y = b;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    if (x->order != y->order)
        return x->order - y->order;
    return strcmp(x->id, y->id);
}

/* ---- collecting ------------------------------------------------------------ */

typedef struct show {
    archase_engine *eng;
    timeline        t;
    cli_json       *j;      /* facts are printed as they are read */
    int             json;
    const char     *invoice_id;
} show;

static int on_invoice_timeline(show *s, const archase_fact *f) {
    const archase_invoice *inv = f->invoice;
    entry *e = add(&s->t, inv->issue_date, 0, "issued", inv->id);
    set_money(e, &inv->amount);
    if (e && inv->number)
        snprintf(e->detail, sizeof e->detail, "number %s", inv->number);
    add(&s->t, inv->due_date, 9, "due", inv->id);
    if (f->invoice_state->status == ARCHASE_INVOICE_SETTLED)
        add(&s->t, f->invoice_state->settled_date, 8, "settled", inv->id);
    return 0;
}

static int on_payment(void *userdata, const archase_fact *f) {
    show *s = userdata;
    const archase_payment *p = f->payment;
    entry *e = add(&s->t, p->date, 2, archase_payment_kind_name(p->kind), p->id);
    set_money(e, &p->amount);
    if (e)
        snprintf(e->detail, sizeof e->detail, "%s%s%s%s", p->invoice_id ? "invoice " : "unapplied cash",
                 p->invoice_id ? p->invoice_id : "", p->reference ? ", ref " : "", p->reference ? p->reference : "");
    return 0;
}

static int on_promise(void *userdata, const archase_fact *f) {
    show *s = userdata;
    const archase_promise *p = f->promise;
    entry *e = add(&s->t, p->recorded_on != ARCHASE_DATE_NONE ? p->recorded_on : p->promised_date, 3, "promise", p->id);
    set_money(e, &p->amount);
    if (e) {
        char due[ARCHASE_DATE_FORMAT_MAX] = "";
        archase_date_format(p->promised_date, due, sizeof due);
        snprintf(e->detail, sizeof e->detail, "to pay by %s%s%s", due, p->taken_by ? ", taken by " : "",
                 p->taken_by ? p->taken_by : "");
    }
    return 0;
}

static int on_dispute(void *userdata, const archase_fact *f) {
    show *s = userdata;
    const archase_dispute *d = f->dispute;
    entry *e = add(&s->t, d->opened_on, 4, "dispute", d->id);
    set_money(e, &d->amount);
    if (e)
        snprintf(e->detail, sizeof e->detail, "%s, %s", d->reason_code, archase_dispute_status_name(d->status));
    if (d->status == ARCHASE_DISPUTE_RESOLVED) {
        e = add(&s->t, d->resolved_on, 5, "dispute_resolved", d->id);
        set_money(e, &d->credited);
        if (e)
            snprintf(e->detail, sizeof e->detail, "%s, root cause %s",
                     archase_dispute_resolution_name(d->resolution), d->root_cause ? d->root_cause : "");
    }
    return 0;
}

static int on_note(void *userdata, const archase_fact *f) {
    show *s = userdata;
    const archase_note *n = f->note;
    entry *e = add(&s->t, archase_instant_utc_date(n->at), 6, "note", n->id);
    if (e)
        snprintf(e->detail, sizeof e->detail, "%s%s%s", n->author ? n->author : "", n->author ? ": " : "", n->text);
    return 0;
}

static int scan(show *s, int family, const char *customer_id, const char *invoice_id, archase_fact_fn fn) {
    archase_fact_filter f = ARCHASE_FACT_FILTER_INIT;
    f.family = family;
    f.customer_id = customer_id;
    f.invoice_id = invoice_id;
    return archase_facts_scan(s->eng, &f, fn, s);
}

/* ---- printing ------------------------------------------------------------------ */

static void json_str(cli_json *j, const char *key, const char *v) {
    if (!v)
        return;
    cli_json_key(j, key);
    cli_json_string(j, v);
}

static void json_date(cli_json *j, const char *key, archase_date d) {
    char text[ARCHASE_DATE_FORMAT_MAX];
    if (d == ARCHASE_DATE_NONE || archase_date_format(d, text, sizeof text))
        return;
    json_str(j, key, text);
}

static void json_money(cli_json *j, const char *key, const archase_money *m) {
    char text[ARCHASE_MONEY_FORMAT_MAX];
    if (!m->currency[0] || archase_money_format_amount(m, text, sizeof text))
        return;
    json_str(j, key, text);
}

static void print_timeline(show *s) {
    qsort(s->t.items, s->t.n, sizeof *s->t.items, cmp_entries);
    if (s->json) {
        cli_json_key(s->j, "timeline");
        cli_json_begin_array(s->j);
        for (size_t i = 0; i < s->t.n; i++) {
            entry *e = &s->t.items[i];
            cli_json_begin_object(s->j);
            json_date(s->j, "date", e->date);
            json_str(s->j, "kind", e->kind);
            json_str(s->j, "id", e->id);
            if (e->amount[0]) {
                json_str(s->j, "amount", e->amount);
                json_str(s->j, "currency", e->currency);
            }
            if (e->detail[0])
                json_str(s->j, "detail", e->detail);
            cli_json_end_object(s->j);
        }
        cli_json_end_array(s->j);
        return;
    }
    printf("\ntimeline:\n");
    for (size_t i = 0; i < s->t.n; i++) {
        entry *e = &s->t.items[i];
        char date[ARCHASE_DATE_FORMAT_MAX] = "";
        archase_date_format(e->date, date, sizeof date);
        char money[48] = "";
        if (e->amount[0])
            snprintf(money, sizeof money, "%s %s", e->amount, e->currency);
        printf("  %s  %-16s %-14s %16s  %s\n", date, e->kind, e->id, money, e->detail);
    }
}

static int print_invoice(void *userdata, const archase_fact *f) {
    show *s = userdata;
    const archase_invoice *inv = f->invoice;
    const archase_invoice_state *st = f->invoice_state;
    if (s->json) {
        cli_json_key(s->j, "invoice");
        cli_json_begin_object(s->j);
        json_str(s->j, "id", inv->id);
        json_str(s->j, "customer_id", inv->customer_id);
        json_str(s->j, "number", inv->number);
        json_date(s->j, "issue_date", inv->issue_date);
        json_date(s->j, "due_date", inv->due_date);
        json_money(s->j, "amount", &inv->amount);
        json_str(s->j, "currency", inv->amount.currency);
        json_money(s->j, "open_amount", &st->open_amount);
        json_str(s->j, "status", archase_invoice_status_name(st->status));
        json_date(s->j, "settled_date", st->settled_date);
        json_str(s->j, "terms", inv->terms);
        json_str(s->j, "po_ref", inv->po_ref);
        json_str(s->j, "source_link", inv->source_link);
        cli_json_key(s->j, "revision");
        cli_json_int(s->j, inv->revision);
        cli_json_end_object(s->j);
    } else {
        char amount[ARCHASE_MONEY_FORMAT_MAX] = "", open[ARCHASE_MONEY_FORMAT_MAX] = "";
        char issue[ARCHASE_DATE_FORMAT_MAX] = "", due[ARCHASE_DATE_FORMAT_MAX] = "";
        archase_money_format(&inv->amount, amount, sizeof amount);
        archase_money_format(&st->open_amount, open, sizeof open);
        archase_date_format(inv->issue_date, issue, sizeof issue);
        archase_date_format(inv->due_date, due, sizeof due);
        printf("invoice %s (customer %s)\n", inv->id, inv->customer_id);
        printf("  number       %s\n", inv->number ? inv->number : "-");
        printf("  issued       %s\n  due          %s\n", issue, due);
        printf("  amount       %s\n  open         %s\n", amount, open);
        printf("  status       %s\n", archase_invoice_status_name(st->status));
        if (inv->source_link)
            printf("  source       %s\n", inv->source_link);
    }
    return on_invoice_timeline(s, f);
}

static int print_customer(void *userdata, const archase_fact *f) {
    show *s = userdata;
    const archase_customer *c = f->customer;
    if (s->json) {
        cli_json_key(s->j, "customer");
        cli_json_begin_object(s->j);
        json_str(s->j, "id", c->id);
        json_str(s->j, "name", c->name);
        json_str(s->j, "tier", c->tier);
        json_str(s->j, "owner", c->owner);
        json_str(s->j, "collector", c->collector);
        json_str(s->j, "timezone", c->timezone);
        json_str(s->j, "locale", c->locale);
        json_str(s->j, "country", c->country);
        json_money(s->j, "credit_limit", &c->credit_limit);
        if (c->credit_limit.currency[0])
            json_str(s->j, "currency", c->credit_limit.currency);
        cli_json_key(s->j, "revision");
        cli_json_int(s->j, c->revision);
        cli_json_end_object(s->j);
    } else {
        printf("customer %s: %s\n", c->id, c->name);
        printf("  tier %s, owner %s, collector %s, time zone %s\n", c->tier ? c->tier : "-",
               c->owner ? c->owner : "-", c->collector ? c->collector : "-", c->timezone ? c->timezone : "-");
    }
    return 0;
}

static int print_flags(void *userdata, const archase_fact *f) {
    show *s = userdata;
    const archase_customer_flags *fl = f->flags;
    char paused[ARCHASE_DATE_FORMAT_MAX] = "";
    if (fl->paused_until != ARCHASE_DATE_NONE)
        archase_date_format(fl->paused_until, paused, sizeof paused);
    if (s->json) {
        cli_json_key(s->j, "flags");
        cli_json_begin_object(s->j);
        cli_json_key(s->j, "hold");
        cli_json_bool(s->j, fl->hold);
        json_str(s->j, "paused_until", paused[0] ? paused : NULL);
        cli_json_key(s->j, "expansion");
        cli_json_bool(s->j, fl->expansion);
        cli_json_key(s->j, "strategic");
        cli_json_bool(s->j, fl->strategic);
        cli_json_key(s->j, "service_issue");
        cli_json_bool(s->j, fl->service_issue);
        json_str(s->j, "reason", fl->reason);
        cli_json_end_object(s->j);
    } else {
        printf("  flags       %s%s%s%s%s%s%s\n", fl->hold ? "hold " : "", paused[0] ? "paused until " : "",
               paused, fl->expansion ? " expansion" : "", fl->strategic ? " strategic" : "",
               fl->service_issue ? " service_issue" : "", fl->reason ? fl->reason : "");
    }
    return 0;
}

static int print_contact(void *userdata, const archase_fact *f) {
    show *s = userdata;
    const archase_contact *c = f->contact;
    if (s->json) {
        cli_json_begin_object(s->j);
        json_str(s->j, "id", c->id);
        json_str(s->j, "channel", archase_channel_name(c->channel));
        json_str(s->j, "address", c->address);
        json_str(s->j, "name", c->name);
        cli_json_key(s->j, "consent");
        cli_json_bool(s->j, c->consent);
        cli_json_end_object(s->j);
    } else {
        printf("  contact     %-7s %s%s\n", archase_channel_name(c->channel), c->address,
               c->consent ? "" : " (no consent)");
    }
    return 0;
}

static int list_invoice(void *userdata, const archase_fact *f) {
    show *s = userdata;
    if (s->json) {
        cli_json_begin_object(s->j);
        json_str(s->j, "id", f->invoice->id);
        json_date(s->j, "due_date", f->invoice->due_date);
        json_money(s->j, "amount", &f->invoice->amount);
        json_money(s->j, "open_amount", &f->invoice_state->open_amount);
        json_str(s->j, "currency", f->invoice->amount.currency);
        json_str(s->j, "status", archase_invoice_status_name(f->invoice_state->status));
        cli_json_end_object(s->j);
    } else {
        char open[ARCHASE_MONEY_FORMAT_MAX] = "";
        archase_money_format(&f->invoice_state->open_amount, open, sizeof open);
        printf("  invoice     %-14s open %s (%s)\n", f->invoice->id, open,
               archase_invoice_status_name(f->invoice_state->status));
    }
    return on_invoice_timeline(s, f);
}

static int exists(void *userdata, const archase_fact *f) {
    (void)userdata;
    (void)f;
    return 0;
}

int cmd_show(int argc, char **argv) {
    int json = 0, help = 0, npos = 0;
    const char *pos[3];
    const cli_option options[] = {
        { "json", 0, NULL, &json },
        { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("show", cmd_show_help, argc, argv, 1, options, pos, 3, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 3 || (strcmp(pos[1], "invoice") && strcmp(pos[1], "customer")))
        return cli_fail("show", CLI_USAGE, "expected DB invoice|customer ID (see `archase show --help`)");
    archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
    so.create = 0;
    char err[512];
    show s;
    memset(&s, 0, sizeof s);
    s.json = json;
    rc = archase_open_sqlite(pos[0], &so, NULL, &s.eng, err, sizeof err);
    if (rc)
        return cli_fail_rc("show", rc, pos[0], err);
    cli_json j;
    cli_json_init(&j, stdout, 1);
    s.j = &j;
    int is_invoice = !strcmp(pos[1], "invoice");
    const char *id = pos[2];
    /* Nothing is printed for something that is not there. */
    rc = archase_fact_get(s.eng, is_invoice ? ARCHASE_FAMILY_INVOICE : ARCHASE_FAMILY_CUSTOMER, id, exists, NULL);
    if (rc) {
        if (rc == ARCHASE_ENOTFOUND)
            rc = cli_fail("show", CLI_INVALID, "no %s '%s' in %s", pos[1], id, pos[0]);
        else
            rc = cli_fail_rc("show", rc, pos[0], archase_engine_errmsg(s.eng));
        archase_engine_free(s.eng);
        return rc;
    }
    if (json) {
        cli_json_begin_object(&j);
        cli_json_key(&j, "kind");
        cli_json_string(&j, pos[1]);
    }
    if (is_invoice) {
        rc = archase_fact_get(s.eng, ARCHASE_FAMILY_INVOICE, id, print_invoice, &s);
        if (!rc)
            rc = scan(&s, ARCHASE_FAMILY_PAYMENT, NULL, id, on_payment);
        if (!rc)
            rc = scan(&s, ARCHASE_FAMILY_PROMISE, NULL, id, on_promise);
        if (!rc)
            rc = scan(&s, ARCHASE_FAMILY_DISPUTE, NULL, id, on_dispute);
        if (!rc)
            rc = scan(&s, ARCHASE_FAMILY_NOTE, NULL, id, on_note);
    } else {
        rc = archase_fact_get(s.eng, ARCHASE_FAMILY_CUSTOMER, id, print_customer, &s);
        if (!rc) {
            int frc = archase_fact_get(s.eng, ARCHASE_FAMILY_FLAGS, id, print_flags, &s);
            rc = frc == ARCHASE_ENOTFOUND ? 0 : frc;
        }
        if (!rc && json) {
            cli_json_key(&j, "contacts");
            cli_json_begin_array(&j);
        }
        if (!rc)
            rc = scan(&s, ARCHASE_FAMILY_CONTACT, id, NULL, print_contact);
        if (!rc && json) {
            cli_json_end_array(&j);
            cli_json_key(&j, "invoices");
            cli_json_begin_array(&j);
        }
        if (!rc)
            rc = scan(&s, ARCHASE_FAMILY_INVOICE, id, NULL, list_invoice);
        if (!rc && json)
            cli_json_end_array(&j);
        if (!rc)
            rc = scan(&s, ARCHASE_FAMILY_PAYMENT, id, NULL, on_payment);
        if (!rc)
            rc = scan(&s, ARCHASE_FAMILY_PROMISE, id, NULL, on_promise);
        if (!rc)
            rc = scan(&s, ARCHASE_FAMILY_DISPUTE, id, NULL, on_dispute);
        if (!rc)
            rc = scan(&s, ARCHASE_FAMILY_NOTE, id, NULL, on_note);
    }
    if (!rc && s.t.oom)
        rc = ARCHASE_ENOMEM;
    if (rc) {
        rc = cli_fail_rc("show", rc, pos[0], archase_engine_errmsg(s.eng));
    } else {
        print_timeline(&s);
        if (json) {
            cli_json_end_object(&j);
            cli_json_finish(&j);
        }
        rc = CLI_OK;
    }
    free(s.t.items);
    archase_engine_free(s.eng);
    return rc;
}
