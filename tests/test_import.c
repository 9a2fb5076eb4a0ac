/* tests/test_import.c — CSV and JSON Lines import and export through the
 * public API: native formats, strict headers and cells with line:column,
 * all-or-nothing, idempotent re-imports, mappings, round trips, and the
 * allocation-failure loop over open, import and export. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archase/archase.h"
#include "archase/io.h"
#include "support/failalloc.h"
#include "support/testutil.h"

typedef struct fixture {
    archase_engine    *eng;
    archase_diag_list *diags;
} fixture;

static int setup(void **state) {
    fixture *f = test_calloc(1, sizeof *f);
    if (archase_open_memory(NULL, &f->eng) || archase_diag_list_new(NULL, 50, &f->diags))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    archase_diag_list_free(f->diags);
    archase_engine_free(f->eng);
    test_free(f);
    return 0;
}

static int import(fixture *f, int kind, int format, const char *text, archase_batch_summary *s) {
    archase_import_options o = ARCHASE_IMPORT_OPTIONS_INIT;
    o.kind = kind;
    o.format = format;
    o.source = "input";
    archase_diag_list_clear(f->diags);
    return archase_import_buffer(f->eng, &o, text, strlen(text), f->diags, s);
}

static const char *diag_text(fixture *f, size_t i) {
    static char buf[700];
    const archase_diag *d = archase_diag_list_get(f->diags, i);
    if (!d)
        return "(none)";
    archase_diag_format(d, buf, sizeof buf);
    return buf;
}

static const char CUSTOMERS[] =
    "customer_id,name,tier,owner,collector,timezone,locale,email,phone,credit_limit,currency,flags\r\n"
    "C1,\"ACME, Inc.\",gold,anna,bob,Europe/Berlin,de-DE,ap@acme.example,+49301234,50000.00,EUR,hold;paused_until=2026-03-01\r\n"
    "C2,Globex,silver,,,America/New_York,en-US,,,,,\r\n";

static const char INVOICES[] =
    "\xEF\xBB\xBF"
    "invoice_id,customer_id,number,issue_date,due_date,amount,currency,po_ref,source_link,revision\r\n"
    "I1,C1,2026-0001,2026-01-01,2026-01-31,1200.00,EUR,PO-9,https://erp.example/i/1,0\r\n"
    "I2,C1,2026-0002,2026-01-05,2026-02-04,800.50,EUR,,,\r\n"
    "I3,C2,\"2026-0003\",2026-01-10,2026-02-09,100,USD,\"PO \"\"x\"\"\",,\r\n";

static void given_ledger(fixture *f) {
    archase_batch_summary s;
    assert_int_equal(import(f, ARCHASE_KIND_CUSTOMERS, ARCHASE_FORMAT_CSV, CUSTOMERS, &s), 0);
    assert_int_equal(import(f, ARCHASE_KIND_INVOICES, ARCHASE_FORMAT_CSV, INVOICES, &s), 0);
}

typedef struct invoice_seen {
    char    po_ref[32];
    int64_t amount, open;
    int     status;
} invoice_seen;

static int see_invoice(void *userdata, const archase_fact *fact) {
    invoice_seen *s = userdata;
    snprintf(s->po_ref, sizeof s->po_ref, "%s", fact->invoice->po_ref ? fact->invoice->po_ref : "");
    s->amount = fact->invoice->amount.minor;
    s->open = fact->invoice_state->open_amount.minor;
    s->status = fact->invoice_state->status;
    return 0;
}

static invoice_seen invoice(fixture *f, const char *id) {
    invoice_seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(archase_fact_get(f->eng, ARCHASE_FAMILY_INVOICE, id, see_invoice, &s), 0);
    return s;
}

static void native_csv_imports_with_a_bom_crlf_and_quoting(void **state) {
    fixture *f = *state;
    archase_batch_summary s;
    assert_int_equal(import(f, ARCHASE_KIND_CUSTOMERS, ARCHASE_FORMAT_CSV, CUSTOMERS, &s), 0);
    assert_int_equal(s.inserted, 5); /* 2 customers, email + phone contacts, flags */
    assert_int_equal(import(f, ARCHASE_KIND_INVOICES, ARCHASE_FORMAT_CSV, INVOICES, &s), 0);
    assert_int_equal(s.inserted, 3);
    invoice_seen i3 = invoice(f, "I3");
    assert_string_equal(i3.po_ref, "PO \"x\"");
    assert_int_equal(i3.amount, 10000);
    assert_int_equal(invoice(f, "I2").amount, 80050);
}

static void importing_the_same_file_twice_changes_nothing(void **state) {
    fixture *f = *state;
    given_ledger(f);
    archase_batch_summary s;
    assert_int_equal(import(f, ARCHASE_KIND_INVOICES, ARCHASE_FORMAT_CSV, INVOICES, &s), 0);
    assert_int_equal(s.inserted, 0);
    assert_int_equal(s.updated, 0);
    assert_int_equal(s.duplicates, 3);
    assert_int_equal(import(f, ARCHASE_KIND_CUSTOMERS, ARCHASE_FORMAT_CSV, CUSTOMERS, &s), 0);
    assert_int_equal(s.duplicates, 5);
}

static void a_wrong_header_is_refused_with_its_column(void **state) {
    fixture *f = *state;
    given_ledger(f);
    archase_batch_summary s;
    const char *bad = "invoice_id,customer_id,issue_date,due_date,amount,currency,colour\n"
                      "I9,C1,2026-01-01,2026-01-31,1.00,EUR,red\n";
    assert_int_equal(import(f, ARCHASE_KIND_INVOICES, ARCHASE_FORMAT_CSV, bad, &s), ARCHASE_EPARSE);
    assert_string_equal(diag_text(f, 0), "input:1:7: unknown column 'colour' for invoices");
    const char *missing = "invoice_id,customer_id,issue_date,amount,currency\nI9,C1,2026-01-01,1.00,EUR\n";
    assert_int_equal(import(f, ARCHASE_KIND_INVOICES, ARCHASE_FORMAT_CSV, missing, &s), ARCHASE_EPARSE);
    assert_string_equal(diag_text(f, 0), "input:1: the header has no 'due_date' column");
    assert_int_equal(s.inserted, 0);
}

static void every_bad_row_is_reported_with_line_and_column_and_nothing_is_written(void **state) {
    fixture *f = *state;
    given_ledger(f);
    const char *text =
        "invoice_id,customer_id,issue_date,due_date,amount,currency\n"
        "I10,C1,2026-01-01,2026-01-31,10.00,EUR\n"
        "I11,C1,2026-02-30,2026-03-31,10.00,EUR\n"  /* no such day */
        "I12,C9,2026-01-01,2026-01-31,10.00,EUR\n"  /* unknown customer */
        "I13,C1,2026-01-01,2026-01-31,10.001,EUR\n" /* too many decimals */
        "I14,C1,2026-02-01,2026-01-31,10.00,EUR\n"  /* due before issue */
        "I15,C1,2026-01-01,2026-01-31,10.00,XXX\n"  /* unknown currency */
        "I16,C1,2026-01-01\n";                      /* short row */
    archase_batch_summary s;
    assert_int_equal(import(f, ARCHASE_KIND_INVOICES, ARCHASE_FORMAT_CSV, text, &s), ARCHASE_EINVAL);
    assert_int_equal(s.rejected, 6);
    assert_int_equal(s.inserted, 0);
    assert_int_equal(archase_diag_list_count(f->diags), 6);
    assert_non_null(strstr(diag_text(f, 0), "input:3:3: issue_date: '2026-02-30' is not a date"));
    assert_non_null(strstr(diag_text(f, 1), "input:4:2: invoice 'I12': customer 'C9' does not exist"));
    assert_non_null(strstr(diag_text(f, 2), "input:5:5: amount:"));
    assert_non_null(strstr(diag_text(f, 3), "input:6:4: invoice 'I14': due_date is before issue_date"));
    assert_non_null(strstr(diag_text(f, 4), "input:7:6: currency: not a currency with minor units: XXX"));
    assert_non_null(strstr(diag_text(f, 5), "input:8: the row has 3 fields, the header 6"));
    invoice_seen none;
    assert_int_equal(archase_fact_get(f->eng, ARCHASE_FAMILY_INVOICE, "I10", see_invoice, &none), ARCHASE_ENOTFOUND);
}

static void malformed_csv_is_refused_where_it_breaks(void **state) {
    fixture *f = *state;
    given_ledger(f);
    archase_batch_summary s;
    const char *text = "invoice_id,customer_id,issue_date,due_date,amount,currency\n"
                       "I10,C1,2026-01-01,2026-01-31,10.00,EUR\n"
                       "I11,C1,\"2026-01-01,2026-01-31,10.00,EUR\n";
    assert_int_equal(import(f, ARCHASE_KIND_INVOICES, ARCHASE_FORMAT_CSV, text, &s), ARCHASE_EPARSE);
    assert_string_equal(diag_text(f, 0), "input:3:3: a quoted field is never closed");
    const char *stray = "invoice_id,customer_id,issue_date,due_date,amount,currency\nI1\"0,C1,x,y,1,EUR\n";
    assert_int_equal(import(f, ARCHASE_KIND_INVOICES, ARCHASE_FORMAT_CSV, stray, &s), ARCHASE_EPARSE);
    assert_non_null(strstr(diag_text(f, 0), "input:2:1: a quote inside an unquoted field"));
}

static void payments_credits_promises_and_disputes_import(void **state) {
    fixture *f = *state;
    given_ledger(f);
    archase_batch_summary s;
    assert_int_equal(import(f, ARCHASE_KIND_PAYMENTS, ARCHASE_FORMAT_CSV,
                            "payment_id,customer_id,invoice_id,date,amount,currency,reference\n"
                            "P1,C1,I1,2026-02-03,1200.00,EUR,bank-1\n"
                            "P2,C1,,2026-02-03,50.00,EUR,unknown\n", &s), 0);
    assert_int_equal(invoice(f, "I1").status, ARCHASE_INVOICE_SETTLED);
    assert_int_equal(import(f, ARCHASE_KIND_CREDITS, ARCHASE_FORMAT_CSV,
                            "credit_id,customer_id,invoice_id,date,amount,currency,reference\n"
                            "CN1,C1,I2,2026-02-10,100.50,EUR,CN-1\n", &s), 0);
    assert_int_equal(invoice(f, "I2").open, 70000);
    assert_int_equal(import(f, ARCHASE_KIND_PROMISES, ARCHASE_FORMAT_CSV,
                            "promise_id,customer_id,invoice_ids,amount,currency,promised_date,instalments,taken_by,channel,grace_days\n"
                            "PTP1,C1,I2,700.00,EUR,2026-03-15,2026-03-01=300.00;2026-03-15=400.00,anna,call,3\n", &s), 0);
    assert_int_equal(import(f, ARCHASE_KIND_DISPUTES, ARCHASE_FORMAT_CSV,
                            "dispute_id,customer_id,invoice_ids,amount,currency,reason_code,opened_on,status,resolution,root_cause,resolved_on,credited_amount\n"
                            "D1,C2,I3,20.00,USD,pricing,2026-02-01,resolved,partial,wrong_price_list,2026-02-15,10.00\n", &s), 0);
    assert_int_equal(import(f, ARCHASE_KIND_NOTES, ARCHASE_FORMAT_CSV,
                            "note_id,customer_id,invoice_id,at,text,author\n"
                            "N1,C1,I2,2026-02-11T09:30:00Z,\"Called: will pay in two parts\",anna\n", &s), 0);
    assert_int_equal(import(f, ARCHASE_KIND_CONTACTS, ARCHASE_FORMAT_CSV,
                            "contact_id,customer_id,channel,address,consent\nK1,C2,sms,+15550100,true\n", &s), 0);
    assert_int_equal(import(f, ARCHASE_KIND_FLAGS, ARCHASE_FORMAT_CSV,
                            "customer_id,flags,reason,set_by,revision\nC2,strategic;expansion,renewal talks,crm,1\n", &s), 0);
    assert_int_equal(s.inserted, 1);
}

static void json_lines_import_every_kind(void **state) {
    fixture *f = *state;
    archase_batch_summary s;
    assert_int_equal(import(f, ARCHASE_KIND_CUSTOMERS, ARCHASE_FORMAT_JSONL,
                            "{\"customer_id\":\"C1\",\"name\":\"ACME \\u00e9\",\"tags\":[\"key\",\"eu\"],\"revision\":2}\n"
                            "\n"
                            "{\"customer_id\":\"C2\",\"name\":\"Globex\",\"credit_limit\":\"100.00\",\"currency\":\"USD\"}\r\n", &s), 0);
    assert_int_equal(s.inserted, 2);
    assert_int_equal(import(f, ARCHASE_KIND_INVOICES, ARCHASE_FORMAT_JSONL,
                            "{\"invoice_id\":\"I1\",\"customer_id\":\"C1\",\"issue_date\":\"2026-01-01\",\"due_date\":\"2026-01-31\",\"amount\":12.5,\"currency\":\"EUR\"}\n", &s), 0);
    assert_int_equal(invoice(f, "I1").amount, 1250);
    assert_int_equal(import(f, ARCHASE_KIND_INVOICES, ARCHASE_FORMAT_JSONL,
                            "{\"invoice_id\":\"I2\",\"customer_id\":\"C1\",\"colour\":\"red\"}\n"
                            "{\"invoice_id\": \"I3\", oops}\n", &s), ARCHASE_EPARSE);
    assert_string_equal(diag_text(f, 0), "input:1:48: unknown key 'colour' for invoices");
    assert_non_null(strstr(diag_text(f, 1), "input:2:"));
}

/* ---- export ------------------------------------------------------------------- */

typedef struct sink {
    char  *data;
    size_t len;
    int    fail;
} sink;

static int to_sink(void *userdata, const void *data, size_t size) {
    sink *s = userdata;
    if (s->fail)
        return ARCHASE_EIO;
    char *grown = realloc(s->data, s->len + size + 1);
    if (!grown)
        return ARCHASE_ENOMEM;
    memcpy(grown + s->len, data, size);
    s->data = grown;
    s->len += size;
    s->data[s->len] = '\0';
    return 0;
}

static char *export_kind(archase_engine *eng, int kind, int format) {
    archase_export_options o = ARCHASE_EXPORT_OPTIONS_INIT;
    o.kind = kind;
    o.format = format;
    sink s = { NULL, 0, 0 };
    assert_int_equal(archase_export(eng, &o, to_sink, &s), 0);
    return s.data ? s.data : strdup("");
}

static const int kinds[] = { ARCHASE_KIND_CUSTOMERS, ARCHASE_KIND_CONTACTS, ARCHASE_KIND_FLAGS,
                             ARCHASE_KIND_INVOICES, ARCHASE_KIND_PAYMENTS, ARCHASE_KIND_CREDITS,
                             ARCHASE_KIND_PROMISES, ARCHASE_KIND_DISPUTES, ARCHASE_KIND_NOTES };

static void exports_import_back_as_duplicates_in_both_formats(void **state) {
    fixture *f = *state;
    payments_credits_promises_and_disputes_import(state);
    for (int format = ARCHASE_FORMAT_CSV; format <= ARCHASE_FORMAT_JSONL; format++) {
        archase_engine *copy = NULL;
        assert_int_equal(archase_open_memory(NULL, &copy), 0);
        char *texts[sizeof kinds / sizeof kinds[0]];
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            texts[k] = export_kind(f->eng, kinds[k], format);
            archase_import_options o = ARCHASE_IMPORT_OPTIONS_INIT;
            o.kind = kinds[k];
            o.format = format;
            archase_batch_summary s;
            archase_diag_list_clear(f->diags);
            int rc = archase_import_buffer(copy, &o, texts[k], strlen(texts[k]), f->diags, &s);
            if (rc)
                fail_msg("%s (%s): %s / %s", archase_kind_name(kinds[k]), format == 1 ? "csv" : "jsonl",
                         archase_engine_errmsg(copy), diag_text(f, 0));
            /* Into the original store: nothing new. */
            rc = archase_import_buffer(f->eng, &o, texts[k], strlen(texts[k]), f->diags, &s);
            assert_int_equal(rc, 0);
            assert_int_equal(s.inserted + s.updated, 0);
        }
        /* The copy holds the same ledger: its exports are the same bytes. */
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            char *again = export_kind(copy, kinds[k], format);
            assert_string_equal(again, texts[k]);
            free(again);
            free(texts[k]);
        }
        archase_engine_free(copy);
    }
    char *inv = export_kind(f->eng, ARCHASE_KIND_INVOICES, ARCHASE_FORMAT_CSV);
    assert_non_null(strstr(inv, "invoice_id,customer_id,number,issue_date,due_date,amount,currency"));
    assert_non_null(strstr(inv, "I1,C1,2026-0001,2026-01-01,2026-01-31,1200.00,EUR,PO-9,https://erp.example/i/1,0,,open,0.00,settled,2026-02-03\r\n"));
    free(inv);
}

static void a_failing_writer_stops_the_export(void **state) {
    fixture *f = *state;
    given_ledger(f);
    archase_export_options o = ARCHASE_EXPORT_OPTIONS_INIT;
    o.kind = ARCHASE_KIND_INVOICES;
    sink s = { NULL, 0, 1 };
    assert_int_equal(archase_export(f->eng, &o, to_sink, &s), ARCHASE_EIO);
}

/* ---- mappings ------------------------------------------------------------------- */

static const char MAPPING[] =
    "version: 1\n"
    "csv:\n"
    "  delimiter: \";\"\n"
    "  decimal_separator: \",\"\n"
    "  thousands_separator: \".\"\n"
    "outputs:\n"
    "  - kind: customers\n"
    "    columns: { customer_id: Kunde, name: Kunde }\n"
    "  - kind: invoices\n"
    "    columns:\n"
    "      invoice_id: Beleg\n"
    "      customer_id: Kunde\n"
    "      issue_date: Datum\n"
    "      due_date: Faellig\n"
    "      amount: Betrag\n"
    "    constants: { currency: EUR }\n"
    "    settled_date: Bezahlt\n"
    "  - kind: disputes\n"
    "    when: { column: Strittig, equals: \"ja\" }\n"
    "    columns: { dispute_id: Beleg, customer_id: Kunde, invoice_ids: Beleg, amount: Betrag, opened_on: Faellig }\n"
    "    constants: { currency: EUR, reason_code: other }\n";

static const char MAPPED[] =
    "Beleg;Kunde;Datum;Faellig;Betrag;Bezahlt;Strittig\n"
    "R1;K1;2026-01-01;2026-01-31;1.234,50;2026-02-10;nein\n"
    "R2;K1;2026-01-02;2026-02-01;99,00;;ja\n"
    "R3;K2;2026-01-03;2026-02-02;10;;nein\n";

static void a_mapping_adapts_another_systems_export(void **state) {
    fixture *f = *state;
    archase_mapping *m = NULL;
    assert_int_equal(archase_mapping_load_buffer(MAPPING, strlen(MAPPING), "de.yaml", NULL, f->diags, &m), 0);
    archase_import_options o = ARCHASE_IMPORT_OPTIONS_INIT;
    o.mapping = m;
    archase_batch_summary s;
    assert_int_equal(archase_import_buffer(f->eng, &o, MAPPED, strlen(MAPPED), f->diags, &s), 0);
    /* customers K1 (then twice a duplicate), K2; invoices R1-R3; R1's settlement; R2's dispute */
    assert_int_equal(s.inserted, 2 + 3 + 1 + 1);
    assert_int_equal(s.duplicates, 1);
    invoice_seen r1 = invoice(f, "R1");
    assert_int_equal(r1.amount, 123450);
    assert_int_equal(r1.status, ARCHASE_INVOICE_SETTLED);
    assert_int_equal(invoice(f, "R2").status, ARCHASE_INVOICE_OPEN);
    assert_int_equal(archase_import_buffer(f->eng, &o, MAPPED, strlen(MAPPED), f->diags, &s), 0);
    assert_int_equal(s.inserted, 0);
    const char *missing_column = "Beleg;Kunde;Datum;Faellig;Betrag;Bezahlt\nR9;K1;2026-01-01;2026-01-31;1,00;;\n";
    assert_int_equal(archase_import_buffer(f->eng, &o, missing_column, strlen(missing_column), f->diags, &s),
                     ARCHASE_EPARSE);
    assert_non_null(strstr(diag_text(f, 0), "the header has no column 'Strittig' (named at de.yaml:19)"));
    archase_mapping_free(m);
}

static void a_bad_mapping_is_refused_with_every_problem_located(void **state) {
    fixture *f = *state;
    const char *bad = "version: 1\n"
                      "outputs:\n"
                      "  - kind: invoices\n"
                      "    columns: { invoice_id: A, colour: B }\n"
                      "    colour: red\n"
                      "    kind: invoices\n";
    archase_mapping *m = NULL;
    assert_int_equal(archase_mapping_load_buffer(bad, strlen(bad), "bad.yaml", NULL, f->diags, &m), ARCHASE_EPARSE);
    assert_null(m);
    assert_string_equal(diag_text(f, 0), "bad.yaml:4:31: unknown key 'colour' in the columns of invoices");
    assert_non_null(strstr(diag_text(f, 1), "bad.yaml:5:5: unknown key 'colour' in an output"));
    assert_non_null(strstr(diag_text(f, 2), "bad.yaml:6:5: duplicate key 'kind'"));
    assert_non_null(strstr(diag_text(f, 3), "has no 'customer_id' column"));
    archase_diag_list_clear(f->diags);
    const char *alias = "version: 1\noutputs:\n  - &a { kind: customers }\n  - *a\n";
    assert_int_equal(archase_mapping_load_buffer(alias, strlen(alias), "alias.yaml", NULL, f->diags, &m), ARCHASE_EPARSE);
    assert_non_null(strstr(diag_text(f, 0), "anchors are not allowed"));
    archase_diag_list_clear(f->diags);
    const char *syntax = "version: 1\noutputs: [\n";
    assert_int_equal(archase_mapping_load_buffer(syntax, strlen(syntax), "s.yaml", NULL, f->diags, &m), ARCHASE_EPARSE);
    assert_non_null(strstr(diag_text(f, 0), "s.yaml:3:"));
}

static void the_ibm_sample_imports_through_its_mapping(void **state) {
    fixture *f = *state;
    const char *shared = test_shared_data_dir();
    if (!shared)
        skip();
    char data[600], mapping[600];
    snprintf(data, sizeof data, "%s/ibm-ar/invoices.csv", shared);
    snprintf(mapping, sizeof mapping, "%s/examples/mappings/ibm-ar.yaml", getenv("ARCHASE_SOURCE_ROOT"));
    if (access(data, R_OK) != 0)
        skip();
    archase_mapping *m = NULL;
    if (archase_mapping_load_file(mapping, NULL, f->diags, &m))
        fail_msg("%s", diag_text(f, 0));
    archase_import_options o = ARCHASE_IMPORT_OPTIONS_INIT;
    o.mapping = m;
    archase_batch_summary s;
    int rc = archase_import_file(f->eng, &o, data, f->diags, &s);
    if (rc)
        fail_msg("%s: %s", archase_engine_errmsg(f->eng), diag_text(f, 0));
    /* 100 customers, 2466 invoices, each settled, and the disputed ones */
    assert_int_equal(s.rejected, 0);
    assert_true(s.inserted >= 100 + 2466 + 2466);
    assert_int_equal(archase_import_file(f->eng, &o, data, f->diags, &s), 0);
    assert_int_equal(s.inserted + s.updated, 0);
    archase_mapping_free(m);
}

/* ---- allocation failure ------------------------------------------------------------ */

static int round_trip_with(const archase_allocator *a, void *ctx) {
    const char *path = ctx;
    archase_engine_options eo = ARCHASE_ENGINE_OPTIONS_INIT;
    eo.allocator = a;
    archase_engine *eng = NULL;
    int rc;
    if (path) {
        unlink(path);
        char wal[300];
        snprintf(wal, sizeof wal, "%s-wal", path);
        unlink(wal);
        archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
        so.synchronous = ARCHASE_SQLITE_SYNC_NORMAL;
        rc = archase_open_sqlite(path, &so, &eo, &eng, NULL, 0);
    } else {
        rc = archase_open_memory(&eo, &eng);
    }
    if (rc)
        return rc;
    archase_diag_list *diags = NULL;
    rc = archase_diag_list_new(a, 0, &diags);
    archase_import_options o = ARCHASE_IMPORT_OPTIONS_INIT;
    archase_batch_summary s;
    if (!rc) {
        o.kind = ARCHASE_KIND_CUSTOMERS;
        rc = archase_import_buffer(eng, &o, CUSTOMERS, strlen(CUSTOMERS), diags, &s);
    }
    if (!rc) {
        o.kind = ARCHASE_KIND_INVOICES;
        o.format = ARCHASE_FORMAT_JSONL;
        const char *jl = "{\"invoice_id\":\"I1\",\"customer_id\":\"C1\",\"issue_date\":\"2026-01-01\",\"due_date\":\"2026-01-31\",\"amount\":\"5.00\",\"currency\":\"EUR\"}\n";
        rc = archase_import_buffer(eng, &o, jl, strlen(jl), diags, &s);
    }
    for (int format = 1; !rc && format <= 2; format++) {
        archase_export_options x = ARCHASE_EXPORT_OPTIONS_INIT;
        x.kind = ARCHASE_KIND_CUSTOMERS;
        x.format = format;
        sink out = { NULL, 0, 0 };
        rc = archase_export(eng, &x, to_sink, &out);
        if (!rc && (!out.data || !strstr(out.data, "ACME")))
            rc = ARCHASE_EINVAL;
        free(out.data);
    }
    archase_mapping *m = NULL;
    if (!rc)
        rc = archase_mapping_load_buffer(MAPPING, strlen(MAPPING), "m.yaml", a, diags, &m);
    if (!rc) {
        archase_import_options mo = ARCHASE_IMPORT_OPTIONS_INIT;
        mo.mapping = m;
        rc = archase_import_buffer(eng, &mo, MAPPED, strlen(MAPPED), diags, &s);
    }
    archase_mapping_free(m);
    archase_diag_list_free(diags);
    archase_engine_free(eng);
    return rc;
}

static void open_import_and_export_survive_every_allocation_failure(void **state) {
    (void)state;
    assert_true(failalloc_loop(round_trip_with, NULL, NULL) > 20);
    char dir[] = "/tmp/archase-import-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[300];
    snprintf(path, sizeof path, "%s/ledger.db", dir);
    assert_true(failalloc_loop(round_trip_with, NULL, path) > 20);
    const char *suffixes[] = { "", "-wal", "-shm" };
    for (int i = 0; i < 3; i++) {
        char p[320];
        snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        unlink(p);
    }
    rmdir(dir);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

static const struct CMUnitTest tests[] = {
    T(native_csv_imports_with_a_bom_crlf_and_quoting),
    T(importing_the_same_file_twice_changes_nothing),
    T(a_wrong_header_is_refused_with_its_column),
    T(every_bad_row_is_reported_with_line_and_column_and_nothing_is_written),
    T(malformed_csv_is_refused_where_it_breaks),
    T(payments_credits_promises_and_disputes_import),
    T(json_lines_import_every_kind),
    T(exports_import_back_as_duplicates_in_both_formats),
    T(a_failing_writer_stops_the_export),
    T(a_mapping_adapts_another_systems_export),
    T(a_bad_mapping_is_refused_with_every_problem_located),
    T(the_ibm_sample_imports_through_its_mapping),
    cmocka_unit_test(open_import_and_export_survive_every_allocation_failure),
};

AR_TEST_MAIN(tests)
