/* tests/test_integrations.c — the exports of the systems finance teams run,
 * through the mappings in examples/mappings and the samples beside them:
 * Xero's invoices export, QuickBooks Online's Invoice List report, a generic
 * ERP's open items, HubSpot's companies; two days of exports revising and
 * never duplicating; the mapping language these need (conditions, value
 * tables, merges, flag rules, amounts due, report titles, currency symbols,
 * date-time columns); and sheets of promises and disputes edited by people
 * and read back. Everything through the public API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archase/archase.h"
#include "archase/io.h"
#include "support/failalloc.h"
#include "support/testutil.h"
#include "support/textsink.h"

/* A clock that stands still at 2026-03-05T10:00:00Z. */
#define STILL_AT INT64_C(1772704800)

static archase_instant still(void *userdata) {
    (void)userdata;
    return STILL_AT;
}

typedef struct fixture {
    archase_engine    *eng;
    archase_diag_list *diags;
    archase_mapping   *mapping;
} fixture;

static const archase_clock clock_still = { ARCHASE_CLOCK_VERSION, NULL, still };

static archase_engine *open_engine(const char *actor) {
    archase_engine_options eo = ARCHASE_ENGINE_OPTIONS_INIT;
    eo.clock = &clock_still;
    eo.actor = actor;
    archase_engine *eng = NULL;
    assert_int_equal(archase_open_memory(&eo, &eng), 0);
    return eng;
}

/* The ledger file `path`, opened by `actor`. */
static archase_engine *open_file(const char *path, const char *actor) {
    archase_engine_options eo = ARCHASE_ENGINE_OPTIONS_INIT;
    eo.clock = &clock_still;
    eo.actor = actor;
    archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
    so.synchronous = ARCHASE_SQLITE_SYNC_NORMAL;
    archase_engine *eng = NULL;
    char err[300];
    if (archase_open_sqlite(path, &so, &eo, &eng, err, sizeof err))
        fail_msg("%s: %s", path, err);
    return eng;
}

static int setup(void **state) {
    fixture *f = test_calloc(1, sizeof *f);
    f->eng = open_engine(NULL);
    if (archase_diag_list_new(NULL, 50, &f->diags))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    archase_mapping_free(f->mapping);
    archase_diag_list_free(f->diags);
    archase_engine_free(f->eng);
    test_free(f);
    return 0;
}

static const char *diag_text(fixture *f, size_t i) {
    static char buf[700];
    const archase_diag *d = archase_diag_list_get(f->diags, i);
    if (!d)
        return "(none)";
    archase_diag_format(d, buf, sizeof buf);
    return buf;
}

static const char *source_root(void) {
    const char *root = getenv("ARCHASE_SOURCE_ROOT");
    return root ? root : ".";
}

static archase_date day(const char *text) {
    archase_date d;
    assert_int_equal(archase_date_parse(text, &d), 0);
    return d;
}

/* Loads examples/mappings/NAME into f->mapping. */
static void given_mapping(fixture *f, const char *name) {
    char path[600];
    snprintf(path, sizeof path, "%s/examples/mappings/%s", source_root(), name);
    archase_mapping_free(f->mapping);
    f->mapping = NULL;
    archase_diag_list_clear(f->diags);
    if (archase_mapping_load_file(path, NULL, f->diags, &f->mapping))
        fail_msg("%s", diag_text(f, 0));
}

/* Imports examples/mappings/samples/NAME through f->mapping as exported on `as_of`. */
static archase_batch_summary import_sample(fixture *f, const char *name, const char *as_of) {
    char path[600];
    snprintf(path, sizeof path, "%s/examples/mappings/samples/%s", source_root(), name);
    archase_import_options o = ARCHASE_IMPORT_OPTIONS_INIT;
    o.mapping = f->mapping;
    o.as_of = as_of ? day(as_of) : ARCHASE_DATE_NONE;
    archase_batch_summary s = ARCHASE_BATCH_SUMMARY_INIT;
    archase_diag_list_clear(f->diags);
    int rc = archase_import_file(f->eng, &o, path, f->diags, &s);
    if (rc)
        fail_msg("%s: %s / %s", name, archase_engine_errmsg(f->eng), diag_text(f, 0));
    return s;
}

/* Imports `text` through a mapping given as text; returns the result. */
static int import_mapped_text(fixture *f, const char *mapping, const char *text, const char *as_of,
                              archase_batch_summary *s) {
    archase_mapping_free(f->mapping);
    f->mapping = NULL;
    archase_diag_list_clear(f->diags);
    if (archase_mapping_load_buffer(mapping, strlen(mapping), "m.yaml", NULL, f->diags, &f->mapping))
        fail_msg("%s", diag_text(f, 0));
    archase_import_options o = ARCHASE_IMPORT_OPTIONS_INIT;
    o.mapping = f->mapping;
    o.source = "export.csv";
    o.as_of = as_of ? day(as_of) : ARCHASE_DATE_NONE;
    return archase_import_buffer(f->eng, &o, text, strlen(text), f->diags, s);
}

static int import_native(fixture *f, int kind, const char *text, int edits, archase_batch_summary *s) {
    archase_import_options o = ARCHASE_IMPORT_OPTIONS_INIT;
    o.kind = kind;
    o.edits = edits;
    o.source = "sheet.csv";
    archase_diag_list_clear(f->diags);
    return archase_import_buffer(f->eng, &o, text, strlen(text), f->diags, s);
}

/* ---- reading the ledger back ------------------------------------------------- */

typedef struct seen {
    int          status;
    int64_t      minor, open, revision;
    archase_date date;
    char         text[4][64]; /* customer: name, owner, tier; payment: currency */
    int          flag[5];     /* hold, expansion, strategic, service_issue, paused */
} seen;

static void copy(char *dst, const char *src) {
    snprintf(dst, 64, "%s", src ? src : "");
}

static int see(void *userdata, const archase_fact *fact) {
    seen *s = userdata;
    if (fact->invoice) {
        s->status = fact->invoice_state->status;
        s->minor = fact->invoice->amount.minor;
        s->open = fact->invoice_state->open_amount.minor;
        s->revision = fact->invoice->revision;
        s->date = fact->invoice_state->settled_date;
        copy(s->text[0], fact->invoice->amount.currency);
        copy(s->text[1], fact->invoice->terms);
        copy(s->text[2], fact->invoice->po_ref);
    } else if (fact->payment) {
        s->minor = fact->payment->amount.minor;
        s->date = fact->payment->date;
        s->revision = fact->payment->revision;
        s->status = fact->payment->kind;
        copy(s->text[0], fact->payment->amount.currency);
    } else if (fact->customer) {
        copy(s->text[0], fact->customer->name);
        copy(s->text[1], fact->customer->owner);
        copy(s->text[2], fact->customer->tier);
        copy(s->text[3], fact->customer->country);
        s->revision = fact->customer->revision;
    } else if (fact->flags) {
        s->flag[0] = fact->flags->hold;
        s->flag[1] = fact->flags->expansion;
        s->flag[2] = fact->flags->strategic;
        s->flag[3] = fact->flags->service_issue;
        s->flag[4] = fact->flags->paused_until != ARCHASE_DATE_NONE;
        copy(s->text[0], fact->flags->reason);
        copy(s->text[1], fact->flags->set_by);
        s->revision = fact->flags->revision;
    } else if (fact->contact) {
        copy(s->text[0], fact->contact->address);
    } else if (fact->promise) {
        s->date = fact->promise->promised_date;
        s->minor = fact->promise->amount.minor;
        s->revision = fact->promise->revision;
        copy(s->text[0], fact->promise->note);
    } else if (fact->dispute) {
        s->status = fact->dispute->status;
        s->revision = fact->dispute->revision;
        copy(s->text[0], fact->dispute->owner);
    }
    return 0;
}

static seen get(fixture *f, int family, const char *id) {
    seen s;
    memset(&s, 0, sizeof s);
    int rc = archase_fact_get(f->eng, family, id, see, &s);
    if (rc)
        fail_msg("%s: %s", id, archase_engine_errmsg(f->eng));
    return s;
}

static int exists(fixture *f, int family, const char *id) {
    seen s;
    return archase_fact_get(f->eng, family, id, see, &s) == 0;
}

static void assert_invoice(fixture *f, const char *id, int status, int64_t open) {
    seen s = get(f, ARCHASE_FAMILY_INVOICE, id);
    if (s.status != status || s.open != open)
        fail_msg("%s: status %d open %lld, expected %d %lld", id, s.status, (long long)s.open, status,
                 (long long)open);
}

static void assert_paid(fixture *f, const char *invoice, int64_t minor, const char *on, int64_t revision) {
    char id[300];
    snprintf(id, sizeof id, "%s:paid", invoice);
    seen s = get(f, ARCHASE_FAMILY_PAYMENT, id);
    if (s.minor != minor || s.date != day(on) || s.revision != revision)
        fail_msg("%s: %lld on %d at revision %lld, expected %lld on %s at %lld", id, (long long)s.minor,
                 (int)s.date, (long long)s.revision, (long long)minor, on, (long long)revision);
}

static void assert_summary(archase_batch_summary s, uint64_t inserted, uint64_t updated, uint64_t duplicates) {
    if (s.inserted != inserted || s.updated != updated || s.duplicates != duplicates || s.stale || s.rejected)
        fail_msg("inserted %llu updated %llu duplicates %llu stale %llu rejected %llu, expected %llu %llu %llu",
                 (unsigned long long)s.inserted, (unsigned long long)s.updated,
                 (unsigned long long)s.duplicates, (unsigned long long)s.stale,
                 (unsigned long long)s.rejected, (unsigned long long)inserted,
                 (unsigned long long)updated, (unsigned long long)duplicates);
}

static uint64_t audit_size(fixture *f) {
    uint64_t n = 0;
    assert_int_equal(archase_audit_size(f->eng, &n), 0);
    return n;
}

/* ---- Xero ------------------------------------------------------------------------ */

static void xero_invoices_export_makes_customers_invoices_and_what_was_paid(void **state) {
    fixture *f = *state;
    given_mapping(f, "xero-invoices.yaml");
    archase_batch_summary s = import_sample(f, "xero-invoices-2026-03-02.csv", "2026-03-02");
    /* 5 customers with their e-mail contacts, 5 invoices (the draft is left
     * out), what was paid on two of them; INV-0212's second line repeats it */
    assert_summary(s, 5 + 5 + 5 + 2, 0, 3);
    assert_invoice(f, "INV-0212", ARCHASE_INVOICE_OPEN, 360000);
    assert_invoice(f, "INV-0219", ARCHASE_INVOICE_OPEN, 115000);
    assert_paid(f, "INV-0219", 100000, "2026-03-02", 0);
    assert_invoice(f, "INV-0220", ARCHASE_INVOICE_SETTLED, 0);
    assert_invoice(f, "INV-0201", ARCHASE_INVOICE_VOID, 0);
    assert_false(exists(f, ARCHASE_FAMILY_PAYMENT, "INV-0201:paid"));
    seen eur = get(f, ARCHASE_FAMILY_INVOICE, "INV-0226");
    assert_string_equal(eur.text[0], "EUR");
    assert_int_equal(eur.minor, 1200000);
    assert_string_equal(eur.text[2], "LO-2026-07");
    assert_false(exists(f, ARCHASE_FAMILY_INVOICE, "INV-0225")); /* a draft */
    assert_string_equal(get(f, ARCHASE_FAMILY_CONTACT, "Lumen Optik GmbH:email").text[0],
                        "kreditoren@lumen-optik.example");
}

static void tomorrows_xero_export_revises_and_never_duplicates(void **state) {
    fixture *f = *state;
    given_mapping(f, "xero-invoices.yaml");
    import_sample(f, "xero-invoices-2026-03-02.csv", "2026-03-02");
    uint64_t audited = audit_size(f);
    archase_batch_summary s = import_sample(f, "xero-invoices-2026-03-03.csv", "2026-03-03");
    /* new: Fable Creative (customer, contact) and its approved invoice, and
     * INV-0212's first payment; revised: INV-0219 now paid in full */
    assert_summary(s, 4, 1, 20);
    assert_int_equal(audit_size(f), audited + 5);
    assert_invoice(f, "INV-0212", ARCHASE_INVOICE_OPEN, 200000);
    assert_paid(f, "INV-0212", 160000, "2026-03-03", 0);
    assert_invoice(f, "INV-0219", ARCHASE_INVOICE_SETTLED, 0);
    assert_paid(f, "INV-0219", 215000, "2026-03-03", 1);
    /* unchanged: keeps the day it was first seen */
    assert_paid(f, "INV-0220", 98040, "2026-03-02", 0);
    assert_invoice(f, "INV-0225", ARCHASE_INVOICE_OPEN, 72000);
    /* the same export again, even read a day later, changes nothing */
    s = import_sample(f, "xero-invoices-2026-03-03.csv", "2026-03-04");
    assert_summary(s, 0, 0, 25);
    assert_int_equal(audit_size(f), audited + 5);
}

static void without_an_as_of_date_payments_are_dated_by_the_engines_clock(void **state) {
    fixture *f = *state;
    given_mapping(f, "xero-invoices.yaml");
    import_sample(f, "xero-invoices-2026-03-02.csv", NULL);
    assert_paid(f, "INV-0219", 100000, "2026-03-05", 0);
}

/* ---- QuickBooks Online ------------------------------------------------------------ */

static void quickbooks_invoice_list_is_read_past_its_title_total_and_footer(void **state) {
    fixture *f = *state;
    given_mapping(f, "quickbooks-invoice-list.yaml");
    archase_batch_summary s = import_sample(f, "qbo-invoice-list-2026-03-02.csv", "2026-03-02");
    /* 4 customers (Pinecrest twice), 5 invoices (1045 is void: amount 0.00),
     * 3 partly or wholly paid */
    assert_summary(s, 4 + 5 + 2, 0, 1);
    assert_invoice(f, "1042", ARCHASE_INVOICE_OPEN, 940000);
    assert_paid(f, "1042", 900000, "2026-03-02", 0);
    assert_invoice(f, "1043", ARCHASE_INVOICE_OPEN, 431250);
    assert_invoice(f, "1044", ARCHASE_INVOICE_SETTLED, 0);
    assert_false(exists(f, ARCHASE_FAMILY_INVOICE, "1045"));
    assert_string_equal(get(f, ARCHASE_FAMILY_CUSTOMER, "Baker, Lane & Partners").text[0],
                        "Baker, Lane & Partners");
    s = import_sample(f, "qbo-invoice-list-2026-03-03.csv", "2026-03-03");
    /* 1041 paid in full, 1042 paid down further, 1047 is new */
    assert_summary(s, 1 + 1, 1, 12);
    assert_invoice(f, "1041", ARCHASE_INVOICE_SETTLED, 0);
    assert_paid(f, "1041", 125000, "2026-03-03", 0);
    assert_paid(f, "1042", 1400000, "2026-03-03", 1);
    assert_invoice(f, "1047", ARCHASE_INVOICE_OPEN, 238000);
}

/* ---- a generic ERP ----------------------------------------------------------------- */

static void erp_open_items_with_decimal_commas_date_times_and_a_dunning_block(void **state) {
    fixture *f = *state;
    given_mapping(f, "erp-open-items.yaml");
    archase_batch_summary s = import_sample(f, "erp-open-items-2026-03-02.csv", "2026-03-02");
    /* 4 customers, their contacts and flags, 5 invoices (the credit memo is
     * left out), 2 paid in part or in full */
    assert_summary(s, 4 * 3 + 5 + 2, 0, 6);
    seen inv = get(f, ARCHASE_FAMILY_INVOICE, "AR-2026-00342");
    assert_int_equal(inv.minor, 1298050);
    assert_int_equal(inv.open, 649025);
    assert_string_equal(inv.text[1], "30 days net");
    assert_string_equal(inv.text[2], "4500013002");
    assert_string_equal(get(f, ARCHASE_FAMILY_INVOICE, "AR-2026-00350").text[0], "CHF");
    assert_false(exists(f, ARCHASE_FAMILY_INVOICE, "CM-2026-00018"));
    assert_string_equal(get(f, ARCHASE_FAMILY_CUSTOMER, "D10003").text[3], "DK");
    assert_true(get(f, ARCHASE_FAMILY_FLAGS, "D10003").flag[0]);
    assert_false(get(f, ARCHASE_FAMILY_FLAGS, "D10001").flag[0]);
    s = import_sample(f, "erp-open-items-2026-03-03.csv", "2026-03-03");
    /* the block on D10003 is lifted; 00311 paid in part, 00342 in full; 00402 is new */
    assert_summary(s, 1 + 1, 2, 26);
    assert_false(get(f, ARCHASE_FAMILY_FLAGS, "D10003").flag[0]);
    assert_invoice(f, "AR-2026-00311", ARCHASE_INVOICE_OPEN, 2825000);
    assert_invoice(f, "AR-2026-00342", ARCHASE_INVOICE_SETTLED, 0);
    assert_paid(f, "AR-2026-00342", 1298050, "2026-03-03", 1);
}

/* ---- HubSpot ----------------------------------------------------------------------- */

static void hubspot_companies_set_owner_tier_and_flags_and_leave_the_rest(void **state) {
    fixture *f = *state;
    given_mapping(f, "xero-invoices.yaml");
    import_sample(f, "xero-invoices-2026-03-02.csv", "2026-03-02");
    /* the team holds Orchard PR by hand */
    archase_batch_summary s;
    assert_int_equal(import_native(f, ARCHASE_KIND_FLAGS,
                                   "customer_id,flags,reason,set_by,revision\n"
                                   "Orchard PR,hold,bankruptcy filing,anna,5\n", 0, &s), 0);
    given_mapping(f, "hubspot-companies.yaml");
    s = import_sample(f, "hubspot-companies-2026-03-02.csv", NULL);
    /* 4 customers revised (owner, tier); flags for 3 new, Orchard's revised;
     * the lead and the opportunity are skipped */
    assert_summary(s, 3, 4 + 1, 0);
    seen harbor = get(f, ARCHASE_FAMILY_CUSTOMER, "Harbor Design Ltd");
    assert_string_equal(harbor.text[0], "Harbor Design Ltd"); /* the accounting name stays */
    assert_string_equal(harbor.text[1], "Priya Nair");
    assert_string_equal(harbor.text[2], "gold");
    seen flags = get(f, ARCHASE_FAMILY_FLAGS, "Harbor Design Ltd");
    assert_true(flags.flag[1] && flags.flag[2] && !flags.flag[3] && !flags.flag[0]);
    flags = get(f, ARCHASE_FAMILY_FLAGS, "Lumen Optik GmbH");
    assert_true(flags.flag[1] && flags.flag[2] && flags.flag[3]);
    flags = get(f, ARCHASE_FAMILY_FLAGS, "Orchard PR");
    assert_true(flags.flag[0] && flags.flag[3] && !flags.flag[1]); /* the hold stays */
    assert_string_equal(flags.text[0], "bankruptcy filing");
    assert_int_equal(flags.revision, 6);
    assert_false(exists(f, ARCHASE_FAMILY_CUSTOMER, "Quill & Ink Studio"));
    /* the next day: Harbor's deal closed, Orchard's tickets solved, Beacon moved up */
    s = import_sample(f, "hubspot-companies-2026-03-03.csv", NULL);
    assert_summary(s, 0, 1 + 2, 5);
    assert_false(get(f, ARCHASE_FAMILY_FLAGS, "Harbor Design Ltd").flag[1]);
    flags = get(f, ARCHASE_FAMILY_FLAGS, "Orchard PR");
    assert_true(flags.flag[0] && !flags.flag[3]);
    assert_string_equal(get(f, ARCHASE_FAMILY_CUSTOMER, "Beacon Media Group").text[2], "silver");
    /* and the accounting feed afterwards keeps what the CRM set */
    given_mapping(f, "xero-invoices.yaml");
    s = import_sample(f, "xero-invoices-2026-03-02.csv", "2026-03-02");
    assert_int_equal(s.inserted + s.updated, 0);
    assert_string_equal(get(f, ARCHASE_FAMILY_CUSTOMER, "Harbor Design Ltd").text[1], "Priya Nair");
}

static void a_crm_company_the_ledger_does_not_know_is_refused_with_its_line(void **state) {
    fixture *f = *state;
    given_mapping(f, "hubspot-companies.yaml");
    char path[600];
    snprintf(path, sizeof path, "%s/examples/mappings/samples/hubspot-companies-2026-03-02.csv", source_root());
    archase_import_options o = ARCHASE_IMPORT_OPTIONS_INIT;
    o.mapping = f->mapping;
    archase_batch_summary s;
    assert_int_equal(archase_import_file(f->eng, &o, path, f->diags, &s), ARCHASE_EINVAL);
    assert_int_equal(s.inserted, 0);
    assert_non_null(strstr(diag_text(f, 0), ":2:8: customer_id: no such customer in the ledger, and the row "
                                            "has no name to create it"));
}

static void given_tracker(fixture *f);

/* ---- amounts due ---------------------------------------------------------------------- */

static const char DUE_MAPPING[] =
    "version: 1\n"
    "outputs:\n"
    "  - kind: customers\n"
    "    merge: true\n"
    "    revision: auto\n"
    "    columns: { customer_id: Customer, name: Customer }\n"
    "  - kind: invoices\n"
    "    revision: auto\n"
    "    columns: { invoice_id: Invoice, customer_id: Customer, issue_date: Date, due_date: Due,\n"
    "               amount: Total, currency: Currency }\n"
    "    amount_due: Balance\n";

static void an_amount_due_above_what_the_ledger_can_reach_is_refused_until_an_adjustment(void **state) {
    fixture *f = *state;
    archase_batch_summary s;
    const char *day1 = "Customer,Invoice,Date,Due,Total,Currency,Balance\n"
                       "ACME,I1,2026-01-01,2026-01-31,1000.00,EUR,600.00\n";
    assert_int_equal(import_mapped_text(f, DUE_MAPPING, day1, "2026-02-01", &s), 0);
    assert_paid(f, "I1", 40000, "2026-02-01", 0);
    /* the payment bounced: the whole invoice is due again */
    const char *day2 = "Customer,Invoice,Date,Due,Total,Currency,Balance\n"
                       "ACME,I1,2026-01-01,2026-01-31,1000.00,EUR,1000.00\n";
    uint64_t audited = audit_size(f);
    assert_int_equal(import_mapped_text(f, DUE_MAPPING, day2, "2026-02-02", &s), ARCHASE_EINVAL);
    assert_string_equal(diag_text(f, 0),
                        "export.csv:2:7: amount_due: 1000.00 is due again, but the payment of 400.00 an earlier "
                        "export showed cannot be taken back; record the reversal as an adjustment of -400.00");
    assert_int_equal(audit_size(f), audited);
    /* the adjustment recorded, the same export goes in and changes nothing more */
    assert_int_equal(import_native(f, ARCHASE_KIND_PAYMENTS,
                                   "payment_id,customer_id,invoice_id,date,amount,currency,kind\n"
                                   "I1:bounced,ACME,I1,2026-02-02,-400.00,EUR,adjustment\n", 0, &s), 0);
    assert_int_equal(import_mapped_text(f, DUE_MAPPING, day2, "2026-02-02", &s), 0);
    assert_invoice(f, "I1", ARCHASE_INVOICE_OPEN, 100000);
    /* a real payment imported beside the exports counts: only the rest is derived */
    assert_int_equal(import_native(f, ARCHASE_KIND_PAYMENTS,
                                   "payment_id,customer_id,invoice_id,date,amount,currency\n"
                                   "BANK-7,ACME,I1,2026-02-05,250.00,EUR\n", 0, &s), 0);
    const char *day3 = "Customer,Invoice,Date,Due,Total,Currency,Balance\n"
                       "ACME,I1,2026-01-01,2026-01-31,1000.00,EUR,350.00\n";
    assert_int_equal(import_mapped_text(f, DUE_MAPPING, day3, "2026-02-06", &s), 0);
    assert_paid(f, "I1", 80000, "2026-02-06", 1);
    assert_invoice(f, "I1", ARCHASE_INVOICE_OPEN, 35000);
}

static void an_amount_due_that_is_not_a_balance_is_refused_with_its_column(void **state) {
    fixture *f = *state;
    archase_batch_summary s;
    const char *text = "Customer,Invoice,Date,Due,Total,Currency,Balance\n"
                       "ACME,I1,2026-01-01,2026-01-31,1000.00,EUR,1000.01\n"
                       "ACME,I2,2026-01-01,2026-01-31,1000.00,EUR,-5.00\n"
                       "ACME,I3,2026-01-01,2026-01-31,1000.00,EUR,lots\n";
    assert_int_equal(import_mapped_text(f, DUE_MAPPING, text, "2026-02-01", &s), ARCHASE_EINVAL);
    assert_int_equal(s.rejected, 3);
    assert_string_equal(diag_text(f, 0), "export.csv:2:7: amount_due: more than the invoice's amount");
    assert_non_null(strstr(diag_text(f, 1), "export.csv:3:7: amount_due: a negative amount due is a credit"));
    assert_non_null(strstr(diag_text(f, 2), "export.csv:4:7: amount_due: 'lots EUR' is not an amount"));
    assert_false(exists(f, ARCHASE_FAMILY_INVOICE, "I1"));
}

static void a_file_that_gives_one_fact_twice_differently_is_refused(void **state) {
    fixture *f = *state;
    archase_batch_summary s;
    /* the same invoice on two lines, with two different balances */
    const char *text = "Customer,Invoice,Date,Due,Total,Currency,Balance\n"
                       "ACME,I1,2026-01-01,2026-01-31,1000.00,EUR,600.00\n"
                       "ACME,I1,2026-01-01,2026-01-31,1000.00,EUR,500.00\n";
    assert_int_equal(import_mapped_text(f, DUE_MAPPING, text, "2026-02-01", &s), ARCHASE_EINVAL);
    assert_string_equal(diag_text(f, 0), "export.csv:3:2: payment 'I1:paid' is given again with other content; "
                                         "a file gives each fact once");
    assert_false(exists(f, ARCHASE_FAMILY_INVOICE, "I1"));
    /* and a sheet with one promise on two rows, edited differently */
    given_tracker(f);
    const char *sheet = "promise_id,customer_id,invoice_ids,amount,currency,promised_date,revision\n"
                        "PTP2,C2,I2,800.00,EUR,2026-03-13,0\n"
                        "PTP2,C2,I2,800.00,EUR,2026-03-14,0\n";
    assert_int_equal(import_native(f, ARCHASE_KIND_PROMISES, sheet, 1, &s), ARCHASE_EINVAL);
    assert_non_null(strstr(diag_text(f, 0), "sheet.csv:3:1: promise 'PTP2' is given again with other content"));
    assert_int_equal(get(f, ARCHASE_FAMILY_PROMISE, "PTP2").date, day("2026-03-12"));
}

/* ---- the mapping language ------------------------------------------------------------- */

static void conditions_choose_rows_and_values_translate_texts(void **state) {
    fixture *f = *state;
    const char *mapping =
        "version: 1\n"
        "outputs:\n"
        "  - kind: customers\n"
        "    when:\n"
        "      - { column: Stage, not_in: [lead, prospect] }\n"
        "      - { column: Id, empty: false }\n"
        "      - { column: Seats, greater_than: 9 }\n"
        "      - { column: Seats, less_than: 1000 }\n"
        "      - { column: Region, not_equals: test }\n"
        "    columns: { customer_id: Id, name: Name, tier: Level }\n"
        "    values:\n"
        "      tier: { \"Top\": gold, \"Middle\": silver, \"\": bronze }\n";
    const char *text = "Id,Name,Stage,Seats,Region,Level\n"
                       "C1,One,customer,10,eu,Top\n"     /* taken, gold */
                       "C2,Two,lead,50,eu,Top\n"         /* a lead */
                       ",Three,customer,50,eu,Top\n"     /* no id */
                       "C4,Four,customer,9,eu,Top\n"     /* too few seats */
                       "C5,Five,customer,,eu,Top\n"      /* no number: not greater */
                       "C6,Six,customer,1000,eu,Top\n"   /* too many */
                       "C7,Seven,customer,20,test,Top\n" /* a test account */
                       "C8,Eight,customer,20,us,\n";     /* an empty cell, listed: bronze */
    archase_batch_summary s;
    assert_int_equal(import_mapped_text(f, mapping, text, NULL, &s), 0);
    assert_int_equal(s.inserted, 2);
    assert_string_equal(get(f, ARCHASE_FAMILY_CUSTOMER, "C1").text[2], "gold");
    assert_string_equal(get(f, ARCHASE_FAMILY_CUSTOMER, "C8").text[2], "bronze");
    const char *bad = "Id,Name,Stage,Seats,Region,Level\n"
                      "C9,Nine,customer,many,eu,Top\n"
                      "C10,Ten,customer,20,eu,Bottom\n";
    assert_int_equal(import_mapped_text(f, mapping, bad, NULL, &s), ARCHASE_EINVAL);
    assert_string_equal(diag_text(f, 0), "export.csv:2:4: Seats: 'many' is not a whole number (the condition at "
                                         "m.yaml:7)");
    assert_string_equal(diag_text(f, 1), "export.csv:3:6: Level: 'Bottom' is not a text the mapping translates "
                                         "(m.yaml:12 lists 'Top', 'Middle', '')");
    assert_false(exists(f, ARCHASE_FAMILY_CUSTOMER, "C10"));
}

static const char AMOUNTS_MAPPING[] =
    "version: 1\n"
    "csv:\n"
    "  thousands_separator: \",\"\n"
    "  currency_symbol: \"$\"\n"
    "  negative_parentheses: true\n"
    "  date_format: \"%m/%d/%Y %H:%M\"\n"
    "outputs:\n"
    "  - kind: payments\n"
    "    columns: { payment_id: Ref, customer_id: Customer, invoice_id: Invoice, date: Posted,\n"
    "               amount: Amount, kind: Kind }\n"
    "    constants: { currency: USD }\n";

static void amounts_with_symbols_separators_and_parentheses_are_read_strictly(void **state) {
    fixture *f = *state;
    archase_batch_summary s;
    assert_int_equal(import_native(f, ARCHASE_KIND_CUSTOMERS, "customer_id,name\nACME,ACME\n", 0, &s), 0);
    assert_int_equal(import_native(f, ARCHASE_KIND_INVOICES,
                                   "invoice_id,customer_id,issue_date,due_date,amount,currency\n"
                                   "I1,ACME,2026-01-01,2026-01-31,2000000.00,USD\n", 0, &s), 0);
    const char *good = "Customer,Invoice,Ref,Posted,Amount,Kind\n"
                       "ACME,I1,P1,1/5/2026 9:30,\"$1,234.56\",payment\n"
                       "ACME,I1,P2,1/5/2026 9:30,\"($1,000.00)\",adjustment\n"
                       "ACME,I1,P3,1/5/2026 9:30,-$25.00,adjustment\n"
                       "ACME,I1,P4,1/5/2026 9:30,\"1,000,000.01 $\",payment\n"
                       "ACME,I1,P5,1/5/2026 9:30,999,payment\n";
    assert_int_equal(import_mapped_text(f, AMOUNTS_MAPPING, good, NULL, &s), 0);
    assert_int_equal(get(f, ARCHASE_FAMILY_PAYMENT, "P1").minor, 123456);
    assert_int_equal(get(f, ARCHASE_FAMILY_PAYMENT, "P2").minor, -100000);
    assert_int_equal(get(f, ARCHASE_FAMILY_PAYMENT, "P3").minor, -2500);
    assert_int_equal(get(f, ARCHASE_FAMILY_PAYMENT, "P4").minor, 100000001);
    assert_int_equal(get(f, ARCHASE_FAMILY_PAYMENT, "P5").date, day("2026-01-05"));
    const char *bad = "Customer,Invoice,Ref,Posted,Amount,Kind\n"
                      "ACME,I1,Q1,1/5/2026 9:30,\"1,23.00\",payment\n"
                      "ACME,I1,Q2,1/5/2026 9:30,\"12,3456.00\",payment\n"
                      "ACME,I1,Q3,1/5/2026 9:30,(5.00,payment\n"
                      "ACME,I1,Q4,1/5/2026 9:30,(-5.00),adjustment\n"
                      "ACME,I1,Q5,1/5/2026 9:30,€5.00,payment\n"
                      "ACME,I1,Q6,1/5/2026 9:30,5.00,payment\n"
                      "ACME,I1,Q7,1/5/2026 25:00,5.00,payment\n";
    assert_int_equal(import_mapped_text(f, AMOUNTS_MAPPING, bad, NULL, &s), ARCHASE_EINVAL);
    assert_int_equal(s.rejected, 6);
    assert_non_null(strstr(diag_text(f, 0), "export.csv:2:5: amount: '1,23.00 USD' is not an amount: thousands "
                                            "separators must separate groups of three digits"));
    assert_non_null(strstr(diag_text(f, 1), "export.csv:3:5: amount: '12,3456.00 USD' is not an amount"));
    assert_non_null(strstr(diag_text(f, 2), "export.csv:4:5: amount: '(5.00 USD' is not an amount: an opening "
                                            "parenthesis is never closed"));
    assert_non_null(strstr(diag_text(f, 3), "export.csv:5:5: amount: '(-5.00) USD' is not an amount: a minus "
                                            "sign inside parentheses"));
    assert_non_null(strstr(diag_text(f, 4), "export.csv:6:5: amount:"));
    assert_non_null(strstr(diag_text(f, 5), "export.csv:8:4: date: '1/5/2026 25:00' is not a date"));
    assert_false(exists(f, ARCHASE_FAMILY_PAYMENT, "Q6"));
}

static void a_report_header_must_be_on_its_line(void **state) {
    fixture *f = *state;
    const char *mapping = "version: 1\n"
                          "csv: { header_line: 3 }\n"
                          "outputs:\n"
                          "  - kind: customers\n"
                          "    columns: { customer_id: Id, name: Name }\n";
    archase_batch_summary s;
    assert_int_equal(import_mapped_text(f, mapping, "Report,\n\"As of today\",\nId,Name\nC1,One\n", NULL, &s), 0);
    assert_int_equal(s.inserted, 1);
    assert_int_equal(import_mapped_text(f, mapping, "Report,\n\n\nId,Name\nC1,One\n", NULL, &s), ARCHASE_EPARSE);
    assert_string_equal(diag_text(f, 0), "export.csv:3: line 3 is empty, but the mapping puts the header there "
                                         "(header_line)");
    assert_int_equal(import_mapped_text(f, mapping, "Report,\nSubtitle,\n", NULL, &s), ARCHASE_EPARSE);
    assert_string_equal(diag_text(f, 0), "export.csv:3: the file ends before its header line");
    assert_int_equal(import_mapped_text(f, mapping, "Report,\nSubtitle,\nId,Title\n", NULL, &s), ARCHASE_EPARSE);
    assert_string_equal(diag_text(f, 0), "export.csv:3: the header has no column 'Name' (named at m.yaml:5)");
}

static void a_mapping_with_wrong_new_keys_is_refused_with_every_problem_located(void **state) {
    fixture *f = *state;
    const char *bad = "version: 1\n"
                      "csv: { thousands_separator: \",\", decimal_separator: \",\", header_line: 0,\n"
                      "       currency_symbol: \"1$\", negative_parentheses: maybe }\n"
                      "outputs:\n"
                      "  - kind: invoices\n"
                      "    merge: true\n"
                      "    revision: sometimes\n"
                      "    when: { column: Status, equals: x, in: [a] }\n"
                      "    columns: { invoice_id: A, customer_id: B, issue_date: C, due_date: D, amount: E,\n"
                      "               currency: F, revision: G }\n"
                      "    values: { terms: { x: y } }\n"
                      "    settled_date: S\n"
                      "    amount_due: T\n"
                      "  - kind: flags\n"
                      "    revision: auto\n"
                      "    columns: { customer_id: A, revision: R }\n"
                      "    flag_rules: { vip: { column: X, equals: y }, hold: { equals: y },\n"
                      "                  expansion: { column: X, greater_than: many } }\n";
    archase_mapping *m = NULL;
    archase_diag_list_clear(f->diags);
    assert_int_equal(archase_mapping_load_buffer(bad, strlen(bad), "bad.yaml", NULL, f->diags, &m), ARCHASE_EPARSE);
    assert_null(m);
    const char *expected[] = {
        "bad.yaml:2:58: header_line must be a line number from 1 to 100000, not '0'",
        "bad.yaml:3:8: currency_symbol must be 1 to 8 bytes without digits",
        "bad.yaml:3:31: negative_parentheses must be true or false, not 'maybe'",
        "bad.yaml:7:5: 'revision' must be auto (a revision column goes under 'columns'), not 'sometimes'",
        "bad.yaml:8:40: a condition has one test: 'equals' and 'in' are both given",
        "bad.yaml:5:5: 'merge' applies to customers and flags outputs, not invoices",
        "bad.yaml:13:5: an output has 'settled_date' or 'amount_due', not both",
        "bad.yaml:11:15: values for 'terms', which no file column feeds",
        "bad.yaml:17:19: unknown key 'vip' in flag_rules",
        "bad.yaml:17:56: a condition needs a 'column'",
        "bad.yaml:18:43: 'greater_than' must be a whole number, not 'many'",
        "bad.yaml:16:5: 'revision: auto' and a revision column exclude each other",
    };
    size_t n = archase_diag_list_count(f->diags);
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        int found = 0;
        for (size_t k = 0; k < n && !found; k++)
            found = strstr(diag_text(f, k), expected[i]) != NULL;
        if (!found) {
            for (size_t k = 0; k < n; k++)
                print_message("%s\n", diag_text(f, k));
            fail_msg("missing: %s", expected[i]);
        }
    }
    archase_diag_list_clear(f->diags);
    const char *same = "version: 1\ncsv: { thousands_separator: \".\", decimal_separator: \".\" }\n"
                       "outputs: [ { kind: customers, columns: { customer_id: A, name: A } } ]\n";
    assert_int_equal(archase_mapping_load_buffer(same, strlen(same), "s.yaml", NULL, f->diags, &m), ARCHASE_EPARSE);
    assert_string_equal(diag_text(f, 0), "s.yaml:1:1: thousands_separator and decimal_separator must differ");
}

static char *read_whole(const char *rel);

static void the_mapping_example_in_the_docs_loads(void **state) {
    fixture *f = *state;
    char *doc = read_whole("docs/import.md");
    const char *section = strstr(doc, "## Mapping files");
    assert_non_null(section);
    const char *start = strstr(section, "```yaml\n");
    assert_non_null(start);
    start += 8;
    const char *end = strstr(start, "```");
    assert_non_null(end);
    archase_diag_list_clear(f->diags);
    if (archase_mapping_load_buffer(start, (size_t)(end - start), "import.md", NULL, f->diags, &f->mapping))
        fail_msg("%s", diag_text(f, 0));
    free(doc);
}

/* ---- sheets edited by people ------------------------------------------------------------ */

/* `text` with the first `from` replaced by `to` (the caller frees it). */
static char *edited(const char *text, const char *from, const char *to) {
    const char *at = strstr(text, from);
    assert_non_null(at);
    size_t n = strlen(text) - strlen(from) + strlen(to);
    char *out = malloc(n + 1);
    assert_non_null(out);
    snprintf(out, n + 1, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    return out;
}

static void given_tracker(fixture *f) {
    archase_batch_summary s;
    assert_int_equal(import_native(f, ARCHASE_KIND_CUSTOMERS, "customer_id,name\nC1,ACME\nC2,Globex\n", 0, &s), 0);
    assert_int_equal(import_native(f, ARCHASE_KIND_INVOICES,
                                   "invoice_id,customer_id,issue_date,due_date,amount,currency\n"
                                   "I1,C1,2026-01-01,2026-01-31,1200.00,EUR\n"
                                   "I2,C2,2026-01-05,2026-02-04,800.00,EUR\n", 0, &s), 0);
    assert_int_equal(import_native(f, ARCHASE_KIND_PROMISES,
                                   "promise_id,customer_id,invoice_ids,amount,currency,promised_date,taken_by,channel,note\n"
                                   "PTP1,C1,I1,1200.00,EUR,2026-03-10,anna,call,after the board meets\n"
                                   "PTP2,C2,I2,800.00,EUR,2026-03-12,bob,email,\n", 0, &s), 0);
    assert_int_equal(import_native(f, ARCHASE_KIND_DISPUTES,
                                   "dispute_id,customer_id,invoice_ids,amount,currency,reason_code,opened_on,owner\n"
                                   "D1,C2,I2,200.00,EUR,pricing,2026-02-10,carla\n", 0, &s), 0);
}

static void an_edited_sheet_becomes_the_next_revision_by_its_editor(void **state) {
    fixture *f = *state;
    char dir[] = "/tmp/archase-sheet-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[300];
    snprintf(path, sizeof path, "%s/ledger.db", dir);
    archase_engine_free(f->eng);
    f->eng = open_file(path, NULL);
    given_tracker(f);
    char *sheet = text_sink_export(f->eng, ARCHASE_KIND_PROMISES, ARCHASE_FORMAT_CSV);
    assert_non_null(strstr(sheet, "PTP1,C1,I1,1200.00,EUR,2026-03-10,,anna,call,after the board meets,,,0\r\n"));
    /* tom moves the date and rewrites the note, in the sheet */
    char *moved = edited(sheet, "2026-03-10", "2026-03-17");
    char *noted = edited(moved, "after the board meets", "\"board met, paying on the 17th\"");
    archase_engine_free(f->eng);
    f->eng = open_file(path, "tom");
    uint64_t audited = audit_size(f);
    archase_batch_summary s;
    assert_int_equal(import_native(f, ARCHASE_KIND_PROMISES, noted, 1, &s), 0);
    assert_summary(s, 0, 1, 1); /* PTP1 edited, PTP2 as it was */
    seen p = get(f, ARCHASE_FAMILY_PROMISE, "PTP1");
    assert_int_equal(p.date, day("2026-03-17"));
    assert_int_equal(p.revision, 1);
    assert_string_equal(p.text[0], "board met, paying on the 17th");
    /* the change is one fact in the audit log, by its editor */
    assert_int_equal(audit_size(f), audited + 1);
    text_sink log = { NULL, 0 };
    assert_int_equal(archase_audit_export(f->eng, text_sink_write, &log), 0);
    const char *last = log.data + log.len - 1;
    while (last > log.data && last[-1] != '\n')
        last--;
    assert_non_null(strstr(last, "\"kind\":\"fact_accepted\""));
    assert_non_null(strstr(last, "\"payload_kind\":6"));
    assert_non_null(strstr(last, "\"actor\":\"tom\""));
    assert_non_null(strstr(log.data, "\"actor\":\"system\""));
    free(log.data);
    /* the same sheet again changes nothing */
    assert_int_equal(import_native(f, ARCHASE_KIND_PROMISES, noted, 1, &s), 0);
    assert_summary(s, 0, 0, 2);
    /* a row typed into the sheet is a new promise */
    size_t n = strlen(noted) + 100;
    char *added = malloc(n);
    assert_non_null(added);
    snprintf(added, n, "%sPTP3,C1,I1,100.00,EUR,2026-04-01,,tom,call,,,,\r\n", noted);
    assert_int_equal(import_native(f, ARCHASE_KIND_PROMISES, added, 1, &s), 0);
    assert_summary(s, 1, 0, 2);
    free(added);
    free(noted);
    free(moved);
    free(sheet);
    archase_engine_free(f->eng);
    f->eng = NULL;
    const char *suffixes[] = { "", "-wal", "-shm" };
    for (int i = 0; i < 3; i++) {
        char file[320];
        snprintf(file, sizeof file, "%s%s", path, suffixes[i]);
        unlink(file);
    }
    rmdir(dir);
}

static void a_conflicting_edit_is_refused_with_its_line_and_nothing_is_written(void **state) {
    fixture *f = *state;
    given_tracker(f);
    char *sheet = text_sink_export(f->eng, ARCHASE_KIND_DISPUTES, ARCHASE_FORMAT_CSV);
    /* carla moves D1 into review and imports first */
    char *carla = edited(sheet, ",open,", ",in_review,");
    archase_batch_summary s;
    assert_int_equal(import_native(f, ARCHASE_KIND_DISPUTES, carla, 1, &s), 0);
    assert_int_equal(get(f, ARCHASE_FAMILY_DISPUTE, "D1").revision, 1);
    /* dan, from the same export, gives D1 to himself */
    char *dan = edited(sheet, "carla", "dan");
    uint64_t audited = audit_size(f);
    assert_int_equal(import_native(f, ARCHASE_KIND_DISPUTES, dan, 1, &s), ARCHASE_EINVAL);
    assert_int_equal(s.rejected, 1);
    assert_int_equal(s.updated, 0);
    assert_string_equal(diag_text(f, 0), "sheet.csv:2:16: dispute 'D1' was changed after this sheet was exported: the "
                                         "sheet has revision 0, the ledger 1; export again and redo the edit");
    seen d = get(f, ARCHASE_FAMILY_DISPUTE, "D1");
    assert_string_equal(d.text[0], "carla");
    assert_int_equal(d.status, ARCHASE_DISPUTE_IN_REVIEW);
    assert_int_equal(audit_size(f), audited);
    /* a revision the ledger never exported is refused too */
    char *ahead = edited(carla, "carla,in_review,,,,,0", "dan,in_review,,,,,7");
    assert_int_equal(import_native(f, ARCHASE_KIND_DISPUTES, ahead, 1, &s), ARCHASE_EINVAL);
    assert_non_null(strstr(diag_text(f, 0), "sheet.csv:2:16: dispute 'D1': revision 7 is newer than the ledger's 1"));
    /* without edits the source's rule holds, and the outdated row is only stale */
    char *again = edited(sheet, "carla", "erin");
    assert_int_equal(import_native(f, ARCHASE_KIND_DISPUTES, again, 0, &s), 0);
    assert_int_equal(s.stale, 1);
    assert_string_equal(get(f, ARCHASE_FAMILY_DISPUTE, "D1").text[0], "carla");
    free(again);
    free(ahead);
    free(dan);
    free(carla);
    free(sheet);
}

static void edits_need_the_native_format_and_version_one_options_still_work(void **state) {
    fixture *f = *state;
    archase_import_options o = ARCHASE_IMPORT_OPTIONS_INIT;
    archase_batch_summary s;
    assert_int_equal(archase_mapping_load_buffer(DUE_MAPPING, strlen(DUE_MAPPING), "m.yaml", NULL, f->diags,
                                                 &f->mapping), 0);
    o.mapping = f->mapping;
    o.edits = 1;
    assert_int_equal(archase_import_buffer(f->eng, &o, "x\n", 2, f->diags, &s), ARCHASE_EINVAL);
    o.edits = 2;
    o.mapping = NULL;
    o.kind = ARCHASE_KIND_CUSTOMERS;
    assert_int_equal(archase_import_buffer(f->eng, &o, "x\n", 2, f->diags, &s), ARCHASE_EINVAL);
    /* a host built against the first options: as_of and edits are not read */
    struct {
        archase_import_options v1;
        char                   guard[16];
    } old;
    memset(&old, 0x5a, sizeof old);
    assert_int_equal(archase_import_options_init(&old.v1, 1), 0);
    for (size_t i = 0; i < sizeof old.guard; i++)
        assert_int_equal(old.guard[i], 0x5a);
    old.v1.kind = ARCHASE_KIND_CUSTOMERS;
    assert_int_equal(old.v1.version, 1);
    assert_int_equal(archase_import_buffer(f->eng, &old.v1, "customer_id,name\nC1,ACME\n", 25, f->diags, &s), 0);
    assert_int_equal(s.inserted, 1);
    assert_int_equal(archase_import_options_init(&o, 3), ARCHASE_EVERSION);
}

/* ---- allocation failure --------------------------------------------------------------- */

static char *read_whole(const char *rel) {
    char path[600];
    snprintf(path, sizeof path, "%s/%s", source_root(), rel);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char *buf = malloc(1 << 16);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (1 << 16) - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return buf;
}

typedef struct alloc_case {
    char *mapping[2], *day[2][2];
} alloc_case;

static int two_feeds_with(const archase_allocator *a, void *ctx) {
    alloc_case *c = ctx;
    archase_engine_options eo = ARCHASE_ENGINE_OPTIONS_INIT;
    eo.allocator = a;
    archase_engine *eng = NULL;
    int rc = archase_open_memory(&eo, &eng);
    if (rc)
        return rc;
    archase_diag_list *diags = NULL;
    rc = archase_diag_list_new(a, 0, &diags);
    for (int feed = 0; feed < 2 && !rc; feed++) {
        archase_mapping *m = NULL;
        rc = archase_mapping_load_buffer(c->mapping[feed], strlen(c->mapping[feed]), "m.yaml", a, diags, &m);
        for (int d = 0; d < 2 && !rc; d++) {
            archase_import_options o = ARCHASE_IMPORT_OPTIONS_INIT;
            o.mapping = m;
            o.as_of = day(d ? "2026-03-03" : "2026-03-02");
            archase_batch_summary s;
            rc = archase_import_buffer(eng, &o, c->day[feed][d], strlen(c->day[feed][d]), diags, &s);
        }
        archase_mapping_free(m);
    }
    archase_diag_list_free(diags);
    archase_engine_free(eng);
    return rc;
}

static void mappings_and_imports_survive_every_allocation_failure(void **state) {
    (void)state;
    alloc_case c;
    c.mapping[0] = read_whole("examples/mappings/xero-invoices.yaml");
    c.mapping[1] = read_whole("examples/mappings/hubspot-companies.yaml");
    c.day[0][0] = read_whole("examples/mappings/samples/xero-invoices-2026-03-02.csv");
    c.day[0][1] = read_whole("examples/mappings/samples/xero-invoices-2026-03-03.csv");
    c.day[1][0] = read_whole("examples/mappings/samples/hubspot-companies-2026-03-02.csv");
    c.day[1][1] = read_whole("examples/mappings/samples/hubspot-companies-2026-03-03.csv");
    assert_true(failalloc_loop(two_feeds_with, NULL, &c) > 50);
    for (int i = 0; i < 2; i++) {
        free(c.mapping[i]);
        free(c.day[i][0]);
        free(c.day[i][1]);
    }
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

static const struct CMUnitTest tests[] = {
    T(xero_invoices_export_makes_customers_invoices_and_what_was_paid),
    T(tomorrows_xero_export_revises_and_never_duplicates),
    T(without_an_as_of_date_payments_are_dated_by_the_engines_clock),
    T(quickbooks_invoice_list_is_read_past_its_title_total_and_footer),
    T(erp_open_items_with_decimal_commas_date_times_and_a_dunning_block),
    T(hubspot_companies_set_owner_tier_and_flags_and_leave_the_rest),
    T(a_crm_company_the_ledger_does_not_know_is_refused_with_its_line),
    T(an_amount_due_above_what_the_ledger_can_reach_is_refused_until_an_adjustment),
    T(an_amount_due_that_is_not_a_balance_is_refused_with_its_column),
    T(a_file_that_gives_one_fact_twice_differently_is_refused),
    T(conditions_choose_rows_and_values_translate_texts),
    T(amounts_with_symbols_separators_and_parentheses_are_read_strictly),
    T(a_report_header_must_be_on_its_line),
    T(a_mapping_with_wrong_new_keys_is_refused_with_every_problem_located),
    T(the_mapping_example_in_the_docs_loads),
    T(an_edited_sheet_becomes_the_next_revision_by_its_editor),
    T(a_conflicting_edit_is_refused_with_its_line_and_nothing_is_written),
    T(edits_need_the_native_format_and_version_one_options_still_work),
    cmocka_unit_test(mappings_and_imports_survive_every_allocation_failure),
};

AR_TEST_MAIN(tests)
