/* bench/gen_ledger.c — writes a seeded synthetic ledger as the native CSV
 * files (customers.csv, invoices.csv, payments.csv) for `archase import`.
 *
 *   gen_ledger [--seed N] [--customers N] [--invoices N] [--out DIR]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ledger_gen.h"

typedef struct files {
    FILE *customers, *invoices, *payments;
} files;

static const char *date_text(archase_date d, char *buf) {
    if (archase_date_format(d, buf, ARCHASE_DATE_FORMAT_MAX))
        buf[0] = '\0';
    return buf;
}

static const char *amount_text(const archase_money *m, char *buf) {
    if (archase_money_format_amount(m, buf, ARCHASE_MONEY_FORMAT_MAX))
        buf[0] = '\0';
    return buf;
}

static int on_customer(void *userdata, const archase_customer *c) {
    files *f = userdata;
    char amount[ARCHASE_MONEY_FORMAT_MAX];
    return fprintf(f->customers, "%s,%s,%s,,,%s,,,,%s,%s,\n", c->id, c->name, c->tier, c->timezone,
                   amount_text(&c->credit_limit, amount), c->credit_limit.currency) < 0;
}

static int on_invoice(void *userdata, const archase_invoice *inv) {
    files *f = userdata;
    char issue[ARCHASE_DATE_FORMAT_MAX], due[ARCHASE_DATE_FORMAT_MAX], amount[ARCHASE_MONEY_FORMAT_MAX];
    return fprintf(f->invoices, "%s,%s,%s,%s,%s,%s,%s,,,0\n", inv->id, inv->customer_id, inv->number,
                   date_text(inv->issue_date, issue), date_text(inv->due_date, due),
                   amount_text(&inv->amount, amount), inv->amount.currency) < 0;
}

static int on_payment(void *userdata, const archase_payment *p) {
    files *f = userdata;
    char date[ARCHASE_DATE_FORMAT_MAX], amount[ARCHASE_MONEY_FORMAT_MAX];
    return fprintf(f->payments, "%s,%s,%s,%s,%s,%s,\n", p->id, p->customer_id, p->invoice_id,
                   date_text(p->date, date), amount_text(&p->amount, amount), p->amount.currency) < 0;
}

static FILE *open_csv(const char *dir, const char *name, const char *header) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "gen_ledger: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    fputs(header, f);
    return f;
}

int main(int argc, char **argv) {
    ledger_gen_options o;
    ledger_gen_defaults(&o);
    const char *dir = ".";
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && !strcmp(argv[i], "--seed"))
            o.seed = strtoull(argv[++i], NULL, 10);
        else if (i + 1 < argc && !strcmp(argv[i], "--customers"))
            o.customers = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (i + 1 < argc && !strcmp(argv[i], "--invoices"))
            o.invoices = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (i + 1 < argc && !strcmp(argv[i], "--out"))
            dir = argv[++i];
        else {
            fprintf(stderr, "usage: gen_ledger [--seed N] [--customers N] [--invoices N] [--out DIR]\n");
            return 2;
        }
    }
    if (o.customers == 0) {
        fprintf(stderr, "gen_ledger: --customers must be at least 1\n");
        return 2;
    }
    mkdir(dir, 0777);
    files f;
    f.customers = open_csv(dir, "customers.csv",
                           "customer_id,name,tier,owner,collector,timezone,locale,email,phone,credit_limit,currency,flags\n");
    f.invoices = open_csv(dir, "invoices.csv",
                          "invoice_id,customer_id,number,issue_date,due_date,amount,currency,po_ref,source_link,revision\n");
    f.payments = open_csv(dir, "payments.csv", "payment_id,customer_id,invoice_id,date,amount,currency,reference\n");
    if (!f.customers || !f.invoices || !f.payments)
        return 1;
    ledger_gen_sink sink = { &f, on_customer, on_invoice, on_payment };
    int rc = ledger_gen_run(&o, &sink);
    int closed = fclose(f.customers) | fclose(f.invoices) | fclose(f.payments);
    if (rc || closed) {
        fprintf(stderr, "gen_ledger: writing failed\n");
        return 1;
    }
    return 0;
}
