/* tests/test_preview.c — archase_snapshot_preview: a snapshot straight from
 * exported files decides exactly what importing the same files into an empty
 * ledger and loading it would, writes nothing, and refuses at the row what it
 * cannot take. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "archase/archase.h"
#include "support/facts.h"
#include "support/failalloc.h"
#include "support/testutil.h"
#include "support/textsink.h"

/* ---- a random ledger as export files ---------------------------------------------- */

typedef struct files {
    text_sink customers, contacts, flags, invoices;
} files;

static void files_free(files *f) {
    free(f->customers.data);
    free(f->contacts.data);
    free(f->flags.data);
    free(f->invoices.data);
}

static const char *pick(test_rng *r, const char *const *list, size_t n) {
    return list[test_rng_below(r, n)];
}
#define PICK(r, list) pick(r, list, sizeof list / sizeof list[0])

/* Rows in a shuffled order (a store scans in id order; an export need not). */
static void shuffle(test_rng *r, uint32_t *v, size_t n) {
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)test_rng_below(r, i);
        uint32_t t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

/* `customers` customers and `invoices` invoices as of 2026-03-02: tiers,
 * owners, time zones (one unknown), contacts in the customer rows and in a
 * contacts file, flags in both places (never twice for one customer), credit
 * limits, two currencies, void invoices and invoices issued after the date. */
static void make_files(uint64_t seed, uint32_t customers, uint32_t invoices, files *out) {
    static const char *const tiers[] = { "gold", "silver", "bronze", "" };
    static const char *const people[] = { "ana", "ben", "chen", "" };
    static const char *const zones[] = { "Europe/Berlin", "America/New_York", "Asia/Tokyo", "", "Mars/Olympus" };
    static const char *const flags[] = { "", "", "", "hold", "paused_until=2026-03-10", "expansion",
                                         "strategic;service_issue" };
    static const char *const dues[] = { "0", "14", "30", "60" };
    test_rng r;
    test_rng_seed(&r, seed);
    memset(out, 0, sizeof *out);
    uint32_t *order = calloc(customers > invoices ? customers : invoices, sizeof *order);
    assert_non_null(order);
    uint8_t *flagged = calloc(customers, 1);
    assert_non_null(flagged);
    for (uint32_t i = 0; i < customers; i++)
        order[i] = i;
    shuffle(&r, order, customers);
    text_sink_printf(&out->customers, "customer_id,name,tier,owner,collector,timezone,locale,country,email,phone,"
                         "credit_limit,currency,flags,tags\n");
    text_sink_printf(&out->contacts, "contact_id,customer_id,channel,address,consent,primary\n");
    text_sink_printf(&out->flags, "customer_id,flags,reason\n");
    for (uint32_t k = 0; k < customers; k++) {
        uint32_t i = order[k];
        const char *fl = PICK(&r, flags);
        flagged[i] = *fl != 0;
        int limit = test_rng_below(&r, 3) == 0;
        text_sink_printf(&out->customers, "C%04u,Customer %u,%s,%s,%s,%s,de-DE,DE,%s%s,%s,%s,%s,%s,%s\n", i, i, PICK(&r, tiers),
            PICK(&r, people), PICK(&r, people), PICK(&r, zones), test_rng_below(&r, 4) ? "ap@c" : "",
            test_rng_below(&r, 4) ? "x.example" : "", test_rng_below(&r, 2) ? "+4930123" : "",
            limit ? "25000.00" : "", limit ? "EUR" : "", fl, i % 5 == 0 ? "key;vip" : "");
        if (test_rng_below(&r, 3) == 0)
            text_sink_printf(&out->contacts, "K%04u,C%04u,%s,+49301%04u,%d,%d\n", i, i, test_rng_below(&r, 2) ? "sms" : "letter", i,
                (int)test_rng_below(&r, 2), (int)test_rng_below(&r, 2));
    }
    for (uint32_t i = 0; i < customers; i++) {
        if (!flagged[i] && test_rng_below(&r, 6) == 0)
            text_sink_printf(&out->flags, "C%04u,hold,credit review\n", i);
    }
    for (uint32_t i = 0; i < invoices; i++)
        order[i] = i;
    shuffle(&r, order, invoices);
    text_sink_printf(&out->invoices, "invoice_id,customer_id,number,issue_date,due_date,amount,currency,po_ref,terms,status\n");
    for (uint32_t k = 0; k < invoices; k++) {
        uint32_t i = order[k];
        archase_date issue;
        archase_date_parse("2026-03-02", &issue);
        issue = issue - 150 + (archase_date)test_rng_below(&r, 156); /* a few after the date */
        char day[16];
        assert_int_equal(archase_date_format(issue, day, sizeof day), 0);
        int due = atoi(PICK(&r, dues));
        char due_day[16];
        assert_int_equal(archase_date_format(issue + due, due_day, sizeof due_day), 0);
        uint64_t minor = 100 + test_rng_below(&r, 4000000);
        text_sink_printf(&out->invoices, "I%05u,C%04u,%05u,%s,%s,%llu.%02llu,%s,%s,net %d,%s\n", i,
            (uint32_t)test_rng_below(&r, customers), i, day, due_day, (unsigned long long)(minor / 100),
            (unsigned long long)(minor % 100), test_rng_below(&r, 8) ? "EUR" : "USD",
            test_rng_below(&r, 3) ? "" : "PO-7", due, test_rng_below(&r, 20) ? "open" : "void");
    }
    free(order);
    free(flagged);
}

/* ---- the two ways to the same decisions --------------------------------------------- */

static archase_date as_of_day(void) {
    archase_date d;
    archase_date_parse("2026-03-02", &d);
    return d;
}

static archase_import_options native(int kind, const char *source) {
    archase_import_options o = ARCHASE_IMPORT_OPTIONS_INIT;
    o.kind = kind;
    o.source = source;
    return o;
}

/* The four files as preview sources over buffers. */
typedef struct sources {
    archase_import_options  opts[4];
    archase_preview_source  src[4];
} sources;

static void buffer_sources(const files *f, int format, sources *s) {
    const text_sink *t[4] = { &f->customers, &f->contacts, &f->flags, &f->invoices };
    const int kinds[4] = { ARCHASE_KIND_CUSTOMERS, ARCHASE_KIND_CONTACTS, ARCHASE_KIND_FLAGS, ARCHASE_KIND_INVOICES };
    const char *names[4] = { "customers.csv", "contacts.csv", "flags.csv", "invoices.csv" };
    for (int i = 0; i < 4; i++) {
        s->opts[i] = native(kinds[i], names[i]);
        s->opts[i].format = format;
        s->src[i] = (archase_preview_source)ARCHASE_PREVIEW_SOURCE_INIT;
        s->src[i].import = &s->opts[i];
        s->src[i].data = t[i]->data;
        s->src[i].size = t[i]->len;
    }
}

static void check(archase_engine *eng, int rc) {
    if (rc)
        fail_msg("%s: %s", archase_strerror(rc), archase_engine_errmsg(eng));
}

static void decide(archase_engine *eng, const archase_snapshot *snap, const archase_policy *policy, uint8_t hash[32],
                   size_t *decisions) {
    archase_decisions *ds = NULL;
    check(eng, archase_evaluate(snap, policy, as_of_day(), NULL, &ds));
    assert_int_equal(archase_decisions_hash(ds, hash), 0);
    *decisions = archase_decisions_count(ds);
    archase_decisions_free(ds);
}

static int import_sources(archase_engine *eng, const archase_preview_source *src, size_t n,
                          archase_diag_list *diags) {
    for (size_t i = 0; i < n; i++) {
        int rc = src[i].path ? archase_import_file(eng, src[i].import, src[i].path, diags, NULL)
                             : archase_import_buffer(eng, src[i].import, src[i].data, src[i].size, diags, NULL);
        if (rc)
            return rc;
    }
    return 0;
}

static void imported_hash(const archase_preview_source *src, size_t n, const archase_policy *policy,
                          uint8_t hash[32], size_t *decisions, archase_snapshot_info *info) {
    archase_engine *eng = NULL;
    assert_int_equal(archase_open_memory(NULL, &eng), 0);
    check(eng, import_sources(eng, src, n, NULL));
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = policy;
    archase_snapshot *snap = NULL;
    check(eng, archase_snapshot_load(eng, as_of_day(), &so, &snap));
    assert_int_equal(archase_snapshot_info_get(snap, info), 0);
    decide(eng, snap, policy, hash, decisions);
    archase_snapshot_free(snap);
    archase_engine_free(eng);
}

static void previewed_hash(archase_engine *eng, const archase_preview_source *src, size_t n,
                           const archase_policy *policy, uint8_t hash[32], size_t *decisions,
                           archase_snapshot_info *info) {
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = policy;
    archase_snapshot *snap = NULL;
    check(eng, archase_snapshot_preview(eng, as_of_day(), &so, src, n, NULL, &snap));
    assert_int_equal(archase_snapshot_info_get(snap, info), 0);
    decide(eng, snap, policy, hash, decisions);
    archase_snapshot_free(snap);
}

static void assert_same_snapshot(const archase_snapshot_info *a, const archase_snapshot_info *b) {
    assert_int_equal(a->customers, b->customers);
    assert_int_equal(a->open_invoices, b->open_invoices);
    assert_int_equal(a->zones, b->zones);
    assert_int_equal(a->settled_history, b->settled_history);
}

static void a_preview_decides_what_importing_the_same_files_into_an_empty_ledger_decides(void **state) {
    (void)state;
    const char *policies[] = { "enterprise-formal.yaml", "smb-friendly.yaml", "eu-statutory.yaml" };
    int rounds = test_rounds(6, 3);
    for (int round = 0; round < rounds; round++) {
        files f;
        make_files(0x5eedULL + (uint64_t)round, 40 + 13u * (uint32_t)round, 400 + 97u * (uint32_t)round, &f);
        sources s;
        buffer_sources(&f, ARCHASE_FORMAT_CSV, &s);
        archase_policy *policy = test_example_policy(policies[round % 3]);
        uint8_t want[32], got[32];
        size_t nwant, ngot;
        archase_snapshot_info iw = ARCHASE_SNAPSHOT_INFO_INIT, ig = ARCHASE_SNAPSHOT_INFO_INIT;
        imported_hash(s.src, 4, policy, want, &nwant, &iw);
        archase_engine *eng = NULL;
        assert_int_equal(archase_open_memory(NULL, &eng), 0);
        previewed_hash(eng, s.src, 4, policy, got, &ngot, &ig);
        assert_true(nwant > 20); /* something to compare */
        assert_int_equal(ngot, nwant);
        assert_memory_equal(got, want, 32);
        assert_same_snapshot(&ig, &iw);
        archase_engine_free(eng);
        archase_policy_free(policy);
        files_free(&f);
    }
}

/* The sources can be files and JSON Lines: the ledger exported as JSON Lines
 * and previewed from disk decides as importing those files does; and where
 * an empty ledger refuses the files (an export of customers carries their
 * flags, which the flags file then gives again with a reason), the preview
 * refuses them with the same words. */
static const char *first_diag(archase_diag_list *diags, char *line, size_t size) {
    const archase_diag *d = archase_diag_list_get(diags, 0);
    assert_non_null(d);
    archase_diag_format(d, line, size);
    return line;
}

static void files_on_disk_and_json_lines_preview_as_they_import(void **state) {
    (void)state;
    files f;
    make_files(77, 60, 700, &f);
    sources s;
    buffer_sources(&f, ARCHASE_FORMAT_CSV, &s);
    archase_policy *policy = test_example_policy("enterprise-formal.yaml");
    archase_engine *eng = NULL;
    assert_int_equal(archase_open_memory(NULL, &eng), 0);
    check(eng, import_sources(eng, s.src, 4, NULL));
    char dir[] = "/tmp/archase-preview-XXXXXX";
    assert_non_null(mkdtemp(dir));
    const int kinds[4] = { ARCHASE_KIND_CUSTOMERS, ARCHASE_KIND_CONTACTS, ARCHASE_KIND_INVOICES, ARCHASE_KIND_FLAGS };
    char paths[4][96];
    archase_import_options opts[4];
    archase_preview_source src[4];
    for (int i = 0; i < 4; i++) {
        char *out = text_sink_export(eng, kinds[i], ARCHASE_FORMAT_JSONL);
        snprintf(paths[i], sizeof paths[i], "%s/%d.jsonl", dir, i);
        FILE *fp = fopen(paths[i], "wb");
        assert_non_null(fp);
        assert_int_equal(fwrite(out, 1, strlen(out), fp), strlen(out));
        fclose(fp);
        free(out);
        opts[i] = native(kinds[i], NULL);
        opts[i].format = ARCHASE_FORMAT_JSONL;
        src[i] = (archase_preview_source)ARCHASE_PREVIEW_SOURCE_INIT;
        src[i].import = &opts[i];
        src[i].path = paths[i];
    }
    archase_engine_free(eng);

    /* customers, contacts and invoices: the same decisions both ways */
    uint8_t want[32], got[32];
    size_t nwant, ngot;
    archase_snapshot_info iw = ARCHASE_SNAPSHOT_INFO_INIT, ig = ARCHASE_SNAPSHOT_INFO_INIT;
    imported_hash(src, 3, policy, want, &nwant, &iw);
    assert_int_equal(archase_open_memory(NULL, &eng), 0);
    previewed_hash(eng, src, 3, policy, got, &ngot, &ig);
    assert_memory_equal(got, want, 32);
    assert_int_equal(ngot, nwant);
    assert_true(nwant > 20);
    assert_same_snapshot(&ig, &iw);
    archase_engine_free(eng);

    /* the flags file too: refused both ways, with the same first problem */
    archase_diag_list *d1 = NULL, *d2 = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 5, &d1), 0);
    assert_int_equal(archase_diag_list_new(NULL, 5, &d2), 0);
    assert_int_equal(archase_open_memory(NULL, &eng), 0);
    assert_int_equal(import_sources(eng, src, 4, d1), ARCHASE_EINVAL);
    archase_engine_free(eng);
    assert_int_equal(archase_open_memory(NULL, &eng), 0);
    archase_snapshot *snap = NULL;
    assert_int_equal(archase_snapshot_preview(eng, as_of_day(), NULL, src, 4, d2, &snap), ARCHASE_EINVAL);
    assert_null(snap);
    char l1[1200], l2[1200];
    assert_string_equal(first_diag(d2, l2, sizeof l2), first_diag(d1, l1, sizeof l1));
    assert_non_null(strstr(l1, "is already recorded with different content"));
    archase_engine_free(eng);
    archase_diag_list_free(d1);
    archase_diag_list_free(d2);

    for (int i = 0; i < 4; i++)
        unlink(paths[i]);
    rmdir(dir);
    archase_policy_free(policy);
    files_free(&f);
}

/* The engine lends its allocator and messages only: its own ledger neither
 * shows in the preview nor changes. */
static int count_fact(void *ud, const archase_fact *fact) {
    (void)fact;
    ++*(uint64_t *)ud;
    return 0;
}

static uint64_t facts_of(archase_engine *eng) {
    uint64_t all = 0;
    for (int fam = ARCHASE_FAMILY_CUSTOMER; fam <= ARCHASE_FAMILY_INVOICE; fam++) {
        archase_fact_filter ff = ARCHASE_FACT_FILTER_INIT;
        ff.family = fam;
        assert_int_equal(archase_facts_scan(eng, &ff, count_fact, &all), 0);
    }
    return all;
}

static void the_engines_own_ledger_is_neither_read_nor_written(void **state) {
    (void)state;
    files f;
    make_files(9, 30, 300, &f);
    sources s;
    buffer_sources(&f, ARCHASE_FORMAT_CSV, &s);
    archase_policy *policy = test_example_policy("smb-friendly.yaml");
    uint8_t want[32], got[32];
    size_t nwant, ngot;
    archase_snapshot_info iw = ARCHASE_SNAPSHOT_INFO_INIT, ig = ARCHASE_SNAPSHOT_INFO_INIT;
    archase_engine *eng = NULL;
    assert_int_equal(archase_open_memory(NULL, &eng), 0);
    previewed_hash(eng, s.src, 4, policy, want, &nwant, &iw);
    archase_engine_free(eng);

    /* An engine whose ledger holds other facts for the same ids. */
    assert_int_equal(archase_open_memory(NULL, &eng), 0);
    const char *own = "customer_id,name,tier,flags\nC0001,Someone Else,gold,hold\nC0002,Another,silver,\n";
    archase_import_options o = native(ARCHASE_KIND_CUSTOMERS, "own.csv");
    check(eng, archase_import_buffer(eng, &o, own, strlen(own), NULL, NULL));
    uint64_t audit_before = 0, audit_after = 0;
    check(eng, archase_audit_size(eng, &audit_before));
    uint64_t facts_before = facts_of(eng);
    previewed_hash(eng, s.src, 4, policy, got, &ngot, &ig);
    check(eng, archase_audit_size(eng, &audit_after));
    assert_memory_equal(got, want, 32);
    assert_int_equal(audit_after, audit_before);
    assert_int_equal(facts_of(eng), facts_before);
    assert_int_equal(facts_before, 3); /* two customers and one flags record */
    archase_engine_free(eng);
    archase_policy_free(policy);
    files_free(&f);
}

/* An id given again follows a store's rules in a preview too: a later
 * revision replaces, an earlier one is stale, the same content is a
 * duplicate. */
static void revisions_duplicates_and_stale_facts_are_taken_as_a_store_takes_them(void **state) {
    (void)state;
    const char *customers = "customer_id,name,tier,revision,email\n"
                            "C1,One,silver,0,a@one.example\nC2,Two,gold,0,a@two.example\n"
                            "C1,One,gold,1,a@one.example\nC1,One,bronze,0,a@one.example\n"
                            "C2,Two,gold,0,a@two.example\n";
    const char *invoices = "invoice_id,customer_id,issue_date,due_date,amount,currency,revision\n"
                           "I2,C2,2026-01-01,2026-01-31,900.00,EUR,0\nI1,C1,2025-12-01,2026-01-08,100.00,EUR,0\n"
                           "I1,C1,2025-12-01,2026-01-08,250.00,EUR,2\nI1,C1,2025-12-01,2026-01-08,5.00,EUR,1\n"
                           "I2,C2,2026-01-01,2026-01-31,900.00,EUR,0\n";
    archase_import_options o[2] = { native(ARCHASE_KIND_CUSTOMERS, "c.csv"), native(ARCHASE_KIND_INVOICES, "i.csv") };
    archase_preview_source src[2] = { ARCHASE_PREVIEW_SOURCE_INIT, ARCHASE_PREVIEW_SOURCE_INIT };
    src[0].import = &o[0];
    src[0].data = customers;
    src[0].size = strlen(customers);
    src[1].import = &o[1];
    src[1].data = invoices;
    src[1].size = strlen(invoices);
    archase_policy *policy = test_example_policy("enterprise-formal.yaml");
    uint8_t want[32], got[32];
    size_t nwant, ngot;
    archase_snapshot_info iw = ARCHASE_SNAPSHOT_INFO_INIT, ig = ARCHASE_SNAPSHOT_INFO_INIT;
    imported_hash(src, 2, policy, want, &nwant, &iw);
    archase_engine *eng = NULL;
    assert_int_equal(archase_open_memory(NULL, &eng), 0);
    previewed_hash(eng, src, 2, policy, got, &ngot, &ig);
    assert_memory_equal(got, want, 32);
    assert_int_equal(ngot, nwant);
    assert_int_equal(ig.customers, 2);
    assert_int_equal(ig.open_invoices, 2);
    assert_true(nwant > 0);
    archase_engine_free(eng);
    archase_policy_free(policy);
}

/* What an importer reads back finds the rows before it, as in a ledger: a
 * mapping's merged customers and automatic revisions, over two exports of
 * the same invoices (the second with a changed total), decide as their
 * import does. */
static void merges_and_automatic_revisions_read_the_rows_before_them(void **state) {
    (void)state;
    const char *mapping_text = "version: 1\n"
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
    const char *day1 = "Customer,Invoice,Date,Due,Total,Currency,Balance\n"
                       "ACME,I1,2025-12-01,2026-01-08,1000.00,EUR,1000.00\n"
                       "ACME,I2,2026-01-05,2026-02-04,500.00,EUR,500.00\n"
                       "BETA,I3,2025-11-20,2025-12-20,7000.00,EUR,7000.00\n";
    const char *day2 = "Customer,Invoice,Date,Due,Total,Currency,Balance\n"
                       "ACME,I1,2025-12-01,2026-01-08,1200.00,EUR,1200.00\n"
                       "BETA,I3,2025-11-20,2025-12-20,7000.00,EUR,7000.00\n"
                       "BETA,I4,2026-02-01,2026-03-01,80.00,EUR,80.00\n";
    archase_mapping *m = NULL;
    assert_int_equal(archase_mapping_load_buffer(mapping_text, strlen(mapping_text), "m.yaml", NULL, NULL, &m), 0);
    archase_import_options o[2] = { ARCHASE_IMPORT_OPTIONS_INIT, ARCHASE_IMPORT_OPTIONS_INIT };
    archase_preview_source src[2] = { ARCHASE_PREVIEW_SOURCE_INIT, ARCHASE_PREVIEW_SOURCE_INIT };
    const char *text[2] = { day1, day2 };
    for (int i = 0; i < 2; i++) {
        o[i].mapping = m;
        o[i].source = i ? "day2.csv" : "day1.csv";
        archase_date_parse(i ? "2026-02-02" : "2026-02-01", &o[i].as_of);
        src[i].import = &o[i];
        src[i].data = text[i];
        src[i].size = strlen(text[i]);
    }
    archase_policy *policy = test_example_policy("enterprise-formal.yaml");
    uint8_t want[32], got[32];
    size_t nwant, ngot;
    archase_snapshot_info iw = ARCHASE_SNAPSHOT_INFO_INIT, ig = ARCHASE_SNAPSHOT_INFO_INIT;
    imported_hash(src, 2, policy, want, &nwant, &iw);
    archase_engine *eng = NULL;
    assert_int_equal(archase_open_memory(NULL, &eng), 0);
    previewed_hash(eng, src, 2, policy, got, &ngot, &ig);
    assert_memory_equal(got, want, 32);
    assert_int_equal(ngot, nwant);
    assert_int_equal(ig.customers, 2);
    assert_int_equal(ig.open_invoices, 4);
    assert_true(nwant > 0);
    archase_engine_free(eng);
    archase_policy_free(policy);
    archase_mapping_free(m);
}

/* ---- what a preview refuses, and where ------------------------------------------------- */

typedef struct refusal {
    archase_engine    *eng;
    archase_diag_list *diags;
    archase_mapping   *mapping;
} refusal;

static int refusal_setup(void **state) {
    refusal *r = calloc(1, sizeof *r);
    assert_non_null(r);
    assert_int_equal(archase_open_memory(NULL, &r->eng), 0);
    assert_int_equal(archase_diag_list_new(NULL, 20, &r->diags), 0);
    *state = r;
    return 0;
}

static int refusal_teardown(void **state) {
    refusal *r = *state;
    archase_mapping_free(r->mapping);
    archase_diag_list_free(r->diags);
    archase_engine_free(r->eng);
    free(r);
    return 0;
}

static const char *diag(const refusal *r, size_t i) {
    static char line[1200];
    const archase_diag *d = archase_diag_list_get(r->diags, i);
    if (!d)
        return "(none)";
    archase_diag_format(d, line, sizeof line);
    return line;
}

static const char CUSTOMERS[] = "customer_id,name\nACME,Acme GmbH\nBETA,Beta AG\n";

/* Previews CUSTOMERS then `second` (native `kind`, or through `mapping`);
 * returns the result and checks that *out was left alone on failure. */
static int preview_two(refusal *r, int kind, const char *mapping, const char *second) {
    archase_import_options o1 = native(ARCHASE_KIND_CUSTOMERS, "customers.csv");
    archase_import_options o2 = native(kind, "second.csv");
    archase_mapping_free(r->mapping);
    r->mapping = NULL;
    if (mapping) {
        assert_int_equal(archase_mapping_load_buffer(mapping, strlen(mapping), "m.yaml", NULL, NULL, &r->mapping), 0);
        o2.mapping = r->mapping;
        o2.source = "export.csv";
        archase_date_parse("2026-02-01", &o2.as_of);
    }
    archase_preview_source src[2] = { ARCHASE_PREVIEW_SOURCE_INIT, ARCHASE_PREVIEW_SOURCE_INIT };
    src[0].import = &o1;
    src[0].data = CUSTOMERS;
    src[0].size = strlen(CUSTOMERS);
    src[1].import = &o2;
    src[1].data = second;
    src[1].size = strlen(second);
    archase_diag_list_clear(r->diags);
    archase_snapshot *sentinel = (archase_snapshot *)(uintptr_t)0x1, *out = sentinel;
    int rc = archase_snapshot_preview(r->eng, as_of_day(), NULL, src, 2, r->diags, &out);
    if (rc)
        assert_ptr_equal(out, sentinel);
    else
        archase_snapshot_free(out);
    return rc;
}

static void payments_promises_disputes_and_notes_need_a_ledger(void **state) {
    refusal *r = *state;
    const int kinds[] = { ARCHASE_KIND_PAYMENTS, ARCHASE_KIND_CREDITS, ARCHASE_KIND_PROMISES, ARCHASE_KIND_DISPUTES,
                          ARCHASE_KIND_NOTES };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        assert_int_equal(preview_two(r, kinds[i], NULL, "x\n"), ARCHASE_EINVAL);
        char want[120];
        snprintf(want, sizeof want, "preview source 2: a preview takes customers, contacts, flags and invoices, not %s",
                 archase_kind_name(kinds[i]));
        assert_non_null(strstr(archase_engine_errmsg(r->eng), want));
    }
}

static const char DUE_MAPPING[] =
    "version: 1\n"
    "outputs:\n"
    "  - kind: invoices\n"
    "    revision: auto\n"
    "    columns: { invoice_id: Invoice, customer_id: Customer, issue_date: Date, due_date: Due,\n"
    "               amount: Total, currency: Currency }\n"
    "    amount_due: Balance\n";

static const char SETTLED_MAPPING[] =
    "version: 1\n"
    "outputs:\n"
    "  - kind: invoices\n"
    "    columns: { invoice_id: Invoice, customer_id: Customer, issue_date: Date, due_date: Due,\n"
    "               amount: Total, currency: Currency }\n"
    "    settled_date: Paid\n";

static void a_row_that_implies_a_payment_is_refused_at_its_column(void **state) {
    refusal *r = *state;
    /* the whole amount due: no payment in an empty ledger, so the preview takes it */
    assert_int_equal(preview_two(r, 0, DUE_MAPPING, "Customer,Invoice,Date,Due,Total,Currency,Balance\n"
                                                    "ACME,I1,2026-01-01,2026-01-31,1000.00,EUR,1000.00\n"), 0);
    assert_int_equal(preview_two(r, 0, DUE_MAPPING, "Customer,Invoice,Date,Due,Total,Currency,Balance\n"
                                                    "ACME,I1,2026-01-01,2026-01-31,1000.00,EUR,1000.00\n"
                                                    "ACME,I2,2026-01-01,2026-01-31,1000.00,EUR,600.00\n"),
                     ARCHASE_EINVAL);
    assert_string_equal(diag(r, 0), "export.csv:3: payment 'I2:paid': a preview takes customers, contacts, flags "
                                    "and invoices; a payment changes what a ledger has stored, so import it into one");
    assert_int_equal(archase_diag_list_count(r->diags), 1);
    assert_int_equal(preview_two(r, 0, SETTLED_MAPPING, "Customer,Invoice,Date,Due,Total,Currency,Paid\n"
                                                        "ACME,I1,2026-01-01,2026-01-31,1000.00,EUR,\n"
                                                        "BETA,I2,2026-01-01,2026-01-31,1000.00,EUR,2026-02-03\n"),
                     ARCHASE_EINVAL);
    assert_non_null(strstr(diag(r, 0), "export.csv:3:7: payment 'I2:settled': a preview takes customers, contacts, "
                                       "flags and invoices; a payment changes what a ledger has stored"));
}

static void an_unknown_customer_a_repeated_id_and_a_bad_cell_are_refused_where_they_are(void **state) {
    refusal *r = *state;
    const char *hdr = "invoice_id,customer_id,issue_date,due_date,amount,currency\n";
    char rows[600];
    snprintf(rows, sizeof rows, "%sI1,ACME,2026-01-01,2026-01-31,10.00,EUR\nI2,NOPE,2026-01-01,2026-01-31,10.00,EUR\n",
             hdr);
    assert_int_equal(preview_two(r, ARCHASE_KIND_INVOICES, NULL, rows), ARCHASE_EINVAL);
    assert_string_equal(diag(r, 0), "second.csv:3:2: invoice 'I2': customer 'NOPE' does not exist");
    /* ids out of order, one row refused: the rows after it are still
     * checked against the ones taken, not against the refused one */
    snprintf(rows, sizeof rows,
             "%sI3,ACME,2026-01-01,2026-01-31,10.00,EUR\nI1,NOPE,2026-01-01,2026-01-31,10.00,EUR\n"
             "I2,ACME,2026-01-01,2026-01-31,10.00,EUR\nI2,ACME,2026-01-01,2026-01-31,10.00,EUR\n"
             "I1,ACME,2026-01-01,2026-01-31,11.00,EUR\n",
             hdr);
    assert_int_equal(preview_two(r, ARCHASE_KIND_INVOICES, NULL, rows), ARCHASE_EINVAL);
    assert_string_equal(diag(r, 0), "second.csv:3:2: invoice 'I1': customer 'NOPE' does not exist");
    assert_int_equal(archase_diag_list_count(r->diags), 1);
    snprintf(rows, sizeof rows, "%sI1,ACME,2026-01-01,2026-01-31,10.00,EUR\nI1,ACME,2026-01-01,2026-01-31,10.00,EUR\n",
             hdr);
    assert_int_equal(preview_two(r, ARCHASE_KIND_INVOICES, NULL, rows), 0); /* a duplicate, as in a ledger */
    snprintf(rows, sizeof rows, "%sI1,ACME,2026-01-01,2026-01-31,10.00,EUR\nI1,ACME,2026-01-01,2026-01-31,12.00,EUR\n",
             hdr);
    assert_int_equal(preview_two(r, ARCHASE_KIND_INVOICES, NULL, rows), ARCHASE_EINVAL);
    assert_string_equal(diag(r, 0), "second.csv:3: invoice 'I1': invoice 'I1' is already recorded with different "
                                    "content at revision 0; send a newer revision to replace it");
    snprintf(rows, sizeof rows, "%sI1,ACME,2026-01-01,2026-01-31,ten,EUR\n", hdr);
    assert_int_equal(preview_two(r, ARCHASE_KIND_INVOICES, NULL, rows), ARCHASE_EINVAL);
    assert_non_null(strstr(diag(r, 0), "second.csv:2:5:"));
    snprintf(rows, sizeof rows, "%sI1,ACME,2026-01-01,2026-01-31,\"10.00,EUR\n", hdr);
    assert_int_equal(preview_two(r, ARCHASE_KIND_INVOICES, NULL, rows), ARCHASE_EPARSE);
    assert_non_null(strstr(diag(r, 0), "second.csv:2:"));
    /* a customer again in a later file: the same, or another revision */
    assert_int_equal(preview_two(r, ARCHASE_KIND_CUSTOMERS, NULL, "customer_id,name\nACME,Acme GmbH\n"), 0);
    assert_int_equal(preview_two(r, ARCHASE_KIND_CUSTOMERS, NULL, "customer_id,name\nACME,Again\n"), ARCHASE_EINVAL);
    assert_non_null(strstr(diag(r, 0), "second.csv:2: customer 'ACME': customer 'ACME' is already recorded"));
}

static void bad_arguments_are_named(void **state) {
    refusal *r = *state;
    archase_snapshot *out = NULL;
    archase_import_options o = native(ARCHASE_KIND_CUSTOMERS, NULL);
    archase_preview_source src = ARCHASE_PREVIEW_SOURCE_INIT;
    src.import = &o;
    src.data = CUSTOMERS;
    src.size = strlen(CUSTOMERS);
    assert_int_equal(archase_snapshot_preview(NULL, as_of_day(), NULL, &src, 1, NULL, &out), ARCHASE_EINVAL);
    assert_int_equal(archase_snapshot_preview(r->eng, as_of_day(), NULL, &src, 1, NULL, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_snapshot_preview(r->eng, ARCHASE_DATE_NONE, NULL, &src, 1, NULL, &out), ARCHASE_EINVAL);
    assert_int_equal(archase_snapshot_preview(r->eng, as_of_day(), NULL, NULL, 1, NULL, &out), ARCHASE_EINVAL);
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.version = 99;
    assert_int_equal(archase_snapshot_preview(r->eng, as_of_day(), &so, &src, 1, NULL, &out), ARCHASE_EVERSION);
    archase_preview_source bad = src;
    bad.version = 7;
    assert_int_equal(archase_snapshot_preview(r->eng, as_of_day(), NULL, &bad, 1, NULL, &out), ARCHASE_EVERSION);
    assert_non_null(strstr(archase_engine_errmsg(r->eng), "preview source 1: version 7"));
    bad = src;
    bad.path = "/nonexistent";
    assert_int_equal(archase_snapshot_preview(r->eng, as_of_day(), NULL, &bad, 1, NULL, &out), ARCHASE_EINVAL);
    assert_non_null(strstr(archase_engine_errmsg(r->eng), "needs a path or data, and not both"));
    archase_import_options no_kind = native(0, NULL);
    bad = src;
    bad.import = &no_kind;
    assert_int_equal(archase_snapshot_preview(r->eng, as_of_day(), NULL, &bad, 1, NULL, &out), ARCHASE_EINVAL);
    assert_non_null(strstr(archase_engine_errmsg(r->eng), "preview source 1 names no kind and no mapping"));
    bad = src;
    bad.import = NULL;
    assert_int_equal(archase_snapshot_preview(r->eng, as_of_day(), NULL, &bad, 1, NULL, &out), ARCHASE_EINVAL);
    bad = src;
    bad.data = NULL;
    bad.size = 0;
    bad.path = "/nonexistent/customers.csv";
    assert_int_equal(archase_snapshot_preview(r->eng, as_of_day(), NULL, &bad, 1, NULL, &out), ARCHASE_EIO);
    assert_non_null(strstr(archase_engine_errmsg(r->eng), "/nonexistent/customers.csv"));
    assert_null(out);
    /* no sources: an empty ledger's snapshot */
    assert_int_equal(archase_snapshot_preview(r->eng, as_of_day(), NULL, NULL, 0, NULL, &out), 0);
    archase_snapshot_info info = ARCHASE_SNAPSHOT_INFO_INIT;
    assert_int_equal(archase_snapshot_info_get(out, &info), 0);
    assert_int_equal(info.customers, 0);
    archase_snapshot_free(out);
}

/* ---- out of memory -------------------------------------------------------------------------- */

typedef struct oom {
    files  f;
    sources s;
} oom;

static int preview_with(const archase_allocator *a, void *ctx) {
    oom *o = ctx;
    archase_engine_options eo = ARCHASE_ENGINE_OPTIONS_INIT;
    eo.allocator = a;
    archase_engine *eng = NULL;
    int rc = archase_open_memory(&eo, &eng);
    if (rc)
        return rc;
    archase_diag_list *diags = NULL;
    rc = archase_diag_list_new(a, 10, &diags);
    if (rc) {
        archase_engine_free(eng);
        return rc;
    }
    archase_snapshot *sentinel = (archase_snapshot *)(uintptr_t)0x1, *snap = sentinel;
    rc = archase_snapshot_preview(eng, as_of_day(), NULL, o->s.src, 4, diags, &snap);
    if (rc)
        assert_ptr_equal(snap, sentinel);
    else
        archase_snapshot_free(snap);
    archase_diag_list_free(diags);
    archase_engine_free(eng);
    return rc;
}

static void running_out_of_memory_anywhere_leaks_nothing_and_says_so(void **state) {
    (void)state;
    oom o;
    make_files(3, 6, 20, &o.f);
    buffer_sources(&o.f, ARCHASE_FORMAT_CSV, &o.s);
    assert_true(failalloc_loop(preview_with, NULL, &o) > 50);
    files_free(&o.f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_preview_decides_what_importing_the_same_files_into_an_empty_ledger_decides),
        cmocka_unit_test(files_on_disk_and_json_lines_preview_as_they_import),
        cmocka_unit_test(the_engines_own_ledger_is_neither_read_nor_written),
        cmocka_unit_test(revisions_duplicates_and_stale_facts_are_taken_as_a_store_takes_them),
        cmocka_unit_test(merges_and_automatic_revisions_read_the_rows_before_them),
        cmocka_unit_test_setup_teardown(payments_promises_disputes_and_notes_need_a_ledger, refusal_setup,
                                        refusal_teardown),
        cmocka_unit_test_setup_teardown(a_row_that_implies_a_payment_is_refused_at_its_column, refusal_setup,
                                        refusal_teardown),
        cmocka_unit_test_setup_teardown(an_unknown_customer_a_repeated_id_and_a_bad_cell_are_refused_where_they_are,
                                        refusal_setup, refusal_teardown),
        cmocka_unit_test_setup_teardown(bad_arguments_are_named, refusal_setup, refusal_teardown),
        cmocka_unit_test(running_out_of_memory_anywhere_leaks_nothing_and_says_so),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
