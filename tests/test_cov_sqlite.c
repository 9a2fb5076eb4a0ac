/* tests/test_cov_sqlite.c — the SQLite backend through its storage table, as
 * a host that wraps it sees it: every open that cannot succeed (arguments,
 * a missing folder, not a database, a schema of another version), every slot
 * given arguments it must refuse, rows a person edited by hand so that they
 * no longer read back, statements re-entered from a callback, and reads,
 * locks and writes that fail under the library (faultvfs). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archase/archase.h"
#include "support/canon.h"
#include "support/failalloc.h"
#include "support/faultvfs.h"
#include "support/sqlitefixture.h"
#include "support/testutil.h"

typedef test_sqlite_fixture fixture;

static void open_store(fixture *f) {
    char err[256] = "";
    int rc = archase_sqlite_storage_open(f->path, NULL, NULL, &f->s, err, sizeof err);
    if (rc)
        fail_msg("open: %s: %s", archase_error_name(rc), err);
}

static int setup(void **state) {
    return test_sqlite_setup(state, "/tmp/archase-covsql-XXXXXX", open_store);
}

static int put_invoice(fixture *f, const char *id, const char *customer) {
    archase_record r = ARCHASE_RECORD_INIT;
    r.family = ARCHASE_FAMILY_INVOICE;
    r.id = id;
    r.customer_id = customer;
    r.status = ARCHASE_INVOICE_STATUS_OPEN;
    r.date = 20484;
    r.date2 = 20454;
    r.amount = 1000;
    r.amount2 = 1000;
    memcpy(r.currency, "EUR", 4);
    r.data = "inv";
    r.size = 3;
    return f->s.put(f->s.userdata, &r);
}

typedef test_sqlite_seen seen;

/* ---- opening ------------------------------------------------------------------- */

static void opens_that_cannot_succeed_say_why(void **state) {
    fixture *f = *state;
    archase_storage s;
    char err[512];
    archase_sqlite_options o = ARCHASE_SQLITE_OPTIONS_INIT;
    memset(&s, 0x5a, sizeof s);
    archase_storage before = s;

    assert_int_equal(archase_sqlite_storage_open(NULL, NULL, NULL, &s, err, sizeof err), ARCHASE_EINVAL);
    assert_string_equal(err, "a path and an output are required");
    assert_int_equal(archase_sqlite_storage_open("", NULL, NULL, &s, err, sizeof err), ARCHASE_EINVAL);
    assert_int_equal(archase_sqlite_storage_open(f->path, NULL, NULL, NULL, NULL, 0), ARCHASE_EINVAL);
    o.version = 2;
    assert_int_equal(archase_sqlite_storage_open(f->path, &o, NULL, &s, err, sizeof err), ARCHASE_EVERSION);
    assert_string_equal(err, "SQLite options version is not supported");
    o.version = ARCHASE_SQLITE_OPTIONS_VERSION;
    archase_allocator bad = { 7, NULL, NULL, NULL, NULL };
    assert_int_equal(archase_sqlite_storage_open(f->path, &o, &bad, &s, err, sizeof err), ARCHASE_EVERSION);
    assert_string_equal(err, "the allocator is not valid");

    /* Not created when asked not to, nor when opened read-only. */
    char missing[160];
    snprintf(missing, sizeof missing, "%s/missing.db", f->dir);
    o.create = 0;
    assert_int_equal(archase_sqlite_storage_open(missing, &o, NULL, &s, err, sizeof err), ARCHASE_ENOTFOUND);
    assert_non_null(strstr(err, "missing.db: no such database"));
    o.create = 1;
    o.read_only = 1;
    assert_int_equal(archase_sqlite_storage_open(missing, &o, NULL, &s, err, 0), ARCHASE_ENOTFOUND);
    assert_int_equal(access(missing, F_OK), -1);

    /* A folder that does not exist. */
    o = (archase_sqlite_options)ARCHASE_SQLITE_OPTIONS_INIT;
    snprintf(missing, sizeof missing, "%s/no/such/folder/store.db", f->dir);
    assert_int_equal(archase_sqlite_storage_open(missing, &o, NULL, &s, err, sizeof err), ARCHASE_ESTORAGE);
    assert_non_null(strstr(err, "no/such/folder/store.db"));

    /* A file that is not a database, for writing and for reading. */
    char junk[160];
    snprintf(junk, sizeof junk, "%s/junk.db", f->dir);
    FILE *fp = fopen(junk, "wb");
    assert_non_null(fp);
    for (int i = 0; i < 200; i++)
        fputs("this is not a database, it is a text file. ", fp);
    fclose(fp);
    assert_int_equal(archase_sqlite_storage_open(junk, &o, NULL, &s, err, sizeof err), ARCHASE_ESTORAGE);
    assert_non_null(strstr(err, "not a database"));
    o.read_only = 1;
    assert_int_equal(archase_sqlite_storage_open(junk, &o, NULL, &s, err, sizeof err), ARCHASE_ESTORAGE);
    assert_non_null(strstr(err, "not a database"));
    test_sqlite_remove_store(junk);

    /* Nothing was written to the output by any of them. */
    assert_memory_equal(&s, &before, sizeof s);

    /* The engine's own open checks its options first. */
    archase_engine *eng = NULL;
    archase_engine_options eo = ARCHASE_ENGINE_OPTIONS_INIT;
    eo.version = 99;
    assert_int_equal(archase_open_sqlite(f->path, NULL, &eo, &eng, err, sizeof err), ARCHASE_EVERSION);
    assert_string_equal(err, "engine options version is not supported");
    assert_int_equal(archase_open_sqlite(NULL, NULL, NULL, &eng, err, sizeof err), ARCHASE_EINVAL);
    assert_int_equal(archase_open_sqlite(f->path, NULL, NULL, NULL, NULL, 0), ARCHASE_EINVAL);
    assert_null(eng);

    assert_int_equal(archase_sqlite_options_init(NULL, ARCHASE_SQLITE_OPTIONS_VERSION), ARCHASE_EINVAL);
    assert_int_equal(archase_sqlite_options_init(&o, 0), ARCHASE_EVERSION);
    assert_int_equal(archase_sqlite_options_init(&o, ARCHASE_SQLITE_OPTIONS_VERSION), 0);
    assert_int_equal(o.create, 1);
    assert_int_equal(o.read_only, 0);
}

static void a_schema_of_another_version_is_refused(void **state) {
    fixture *f = *state;
    char err[512];
    archase_storage s;
    archase_sqlite_options o = ARCHASE_SQLITE_OPTIONS_INIT;
    int64_t version = 0;
    assert_int_equal(f->s.schema_version(f->s.userdata, &version), 0);
    assert_true(version >= 4);
    test_sqlite_close(f);
    f->s.close = NULL;

    /* A later library's file: refused for reading and for writing. */
    test_sqlite_exec(f->path, "INSERT INTO schema_migrations VALUES (999, 'from the future', '2099-01-01')");
    o.read_only = 1;
    assert_int_equal(archase_sqlite_storage_open(f->path, &o, NULL, &s, err, sizeof err), ARCHASE_EVERSION);
    assert_non_null(strstr(err, "schema version 999, newer than this library's"));
    o.read_only = 0;
    assert_int_equal(archase_sqlite_storage_open(f->path, &o, NULL, &s, err, sizeof err), ARCHASE_EVERSION);
    assert_non_null(strstr(err, "newer than this library's"));

    /* An earlier one: read-only cannot upgrade it; a writer does. */
    char msg[200];
    snprintf(msg, sizeof msg, "DELETE FROM schema_migrations WHERE version >= %lld", (long long)version);
    test_sqlite_exec(f->path, msg);
    o.read_only = 1;
    assert_int_equal(archase_sqlite_storage_open(f->path, &o, NULL, &s, err, sizeof err), ARCHASE_EVERSION);
    assert_non_null(strstr(err, "older than this library's"));
    assert_non_null(strstr(err, "open it for writing once to upgrade it"));

    /* An empty file opened read-only: no schema at all. */
    char empty[160];
    snprintf(empty, sizeof empty, "%s/empty.db", f->dir);
    FILE *fp = fopen(empty, "wb");
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(archase_sqlite_storage_open(empty, &o, NULL, &s, err, sizeof err), ARCHASE_EVERSION);
    assert_non_null(strstr(err, "schema version 0, older"));
    test_sqlite_remove_store(empty);
}

static void options_at_their_limits_open(void **state) {
    fixture *f = *state;
    archase_sqlite_options o = ARCHASE_SQLITE_OPTIONS_INIT;
    archase_storage s;
    char err[256];
    o.synchronous = ARCHASE_SQLITE_SYNC_NORMAL;
    o.busy_timeout_ms = UINT32_MAX; /* an hour at most */
    o.cache_kib = 0;                /* the default */
    char other[160];
    snprintf(other, sizeof other, "%s/other.db", f->dir);
    assert_int_equal(archase_sqlite_storage_open(other, &o, NULL, &s, err, sizeof err), 0);
    int64_t v = 0;
    assert_int_equal(s.schema_version(s.userdata, &v), 0);
    assert_true(v > 0);
    s.close(s.userdata);
    s.close(NULL);
    /* Read-only over a current file. */
    o.read_only = 1;
    assert_int_equal(archase_sqlite_storage_open(other, &o, NULL, &s, err, sizeof err), 0);
    assert_int_equal(test_sqlite_put_customer(&(fixture){ "", "", s, NULL }, "C1"), ARCHASE_ESTORAGE);
    assert_non_null(strstr(s.errmsg(s.userdata), "readonly"));
    s.close(s.userdata);
    test_sqlite_remove_store(other);
}

/* ---- slots given what they must refuse --------------------------------------------- */

static void record_slots_refuse_bad_arguments(void **state) {
    fixture *f = *state;
    seen sn = { 0, 0, "", ARCHASE_RECORD_INIT };
    void *u = f->s.userdata;
    assert_int_equal(f->s.get(u, 0, "x", test_sqlite_see, &sn), ARCHASE_EINVAL);
    assert_string_equal(test_sqlite_errmsg(f), "bad family or id");
    assert_int_equal(f->s.get(u, ARCHASE_FAMILY_LIMIT, "x", test_sqlite_see, &sn), ARCHASE_EINVAL);
    assert_int_equal(f->s.get(u, ARCHASE_FAMILY_CUSTOMER, NULL, test_sqlite_see, &sn), ARCHASE_EINVAL);
    assert_int_equal(f->s.del(u, -1, "x"), ARCHASE_EINVAL);
    assert_int_equal(f->s.del(u, ARCHASE_FAMILY_META, NULL), ARCHASE_EINVAL);

    archase_record r = ARCHASE_RECORD_INIT;
    assert_int_equal(f->s.put(u, NULL), ARCHASE_EINVAL);
    assert_string_equal(test_sqlite_errmsg(f), "bad record");
    r.family = ARCHASE_FAMILY_META;
    assert_int_equal(f->s.put(u, &r), ARCHASE_EINVAL); /* no id */
    r.id = "";
    assert_int_equal(f->s.put(u, &r), ARCHASE_EINVAL);
    r.id = "m";
    r.size = 4;
    assert_int_equal(f->s.insert(u, &r), ARCHASE_EINVAL); /* size without data */
    r.size = 0;
    r.version = 2;
    assert_int_equal(f->s.put(u, &r), ARCHASE_EINVAL);
    r.version = ARCHASE_RECORD_VERSION;
    r.family = 99;
    assert_int_equal(f->s.put(u, &r), ARCHASE_EINVAL);

    /* Dates and instants outside 0001..9999 cannot be stored. */
    r = (archase_record)ARCHASE_RECORD_INIT;
    r.family = ARCHASE_FAMILY_INVOICE;
    assert_int_equal(test_sqlite_put_customer(f, "C1"), 0);
    assert_int_equal(put_invoice(f, "I1", "C1"), 0);
    archase_record inv = ARCHASE_RECORD_INIT;
    inv.family = ARCHASE_FAMILY_INVOICE;
    inv.id = "I1";
    inv.customer_id = "C1";
    inv.status = ARCHASE_INVOICE_STATUS_OPEN;
    memcpy(inv.currency, "EUR", 4);
    inv.data = "inv";
    inv.size = 3;
    inv.date = 5000000;
    assert_int_equal(f->s.put(u, &inv), ARCHASE_EINVAL);
    assert_string_equal(test_sqlite_errmsg(f), "a date or instant of the record is out of range");
    inv.date = 20484;
    inv.family = ARCHASE_FAMILY_META;
    inv.instant = INT64_MAX;
    assert_int_equal(f->s.put(u, &inv), ARCHASE_EINVAL);
    assert_string_equal(test_sqlite_errmsg(f), "a date or instant of the record is out of range");
    /* The stored invoice is as it was. */
    seen after = sn;
    assert_int_equal(f->s.get(u, ARCHASE_FAMILY_INVOICE, "I1", test_sqlite_see, &after), 0);
    assert_int_equal(after.last.date, 20484);
    assert_int_equal(f->s.get(u, ARCHASE_FAMILY_META, "I1", test_sqlite_see, &after), ARCHASE_ENOTFOUND);

    /* Inserting what is there is a conflict; deleting what is not, not found. */
    archase_record c = ARCHASE_RECORD_INIT;
    c.family = ARCHASE_FAMILY_CUSTOMER;
    c.id = "C1";
    assert_int_equal(f->s.insert(u, &c), ARCHASE_ECONFLICT);
    assert_int_equal(f->s.del(u, ARCHASE_FAMILY_META, "nothing"), ARCHASE_ENOTFOUND);
    /* A foreign key the store enforces. */
    assert_int_equal(put_invoice(f, "I2", "NOBODY"), ARCHASE_ESTORAGE);
    assert_non_null(strstr(test_sqlite_errmsg(f), "writing a record"));
}

static void scans_refuse_bad_filters_and_stop_when_asked(void **state) {
    fixture *f = *state;
    void *u = f->s.userdata;
    seen sn = { 0, 0, "", ARCHASE_RECORD_INIT };
    uint64_t n = 99;
    archase_scan_filter fl = ARCHASE_SCAN_FILTER_INIT;
    assert_int_equal(f->s.scan(u, NULL, test_sqlite_see, &sn), ARCHASE_EINVAL);
    assert_string_equal(test_sqlite_errmsg(f), "bad scan filter");
    assert_int_equal(f->s.scan(u, &fl, test_sqlite_see, &sn), ARCHASE_EINVAL); /* family 0 */
    assert_int_equal(f->s.count(u, &fl, &n), ARCHASE_EINVAL);
    fl.family = ARCHASE_FAMILY_INVOICE;
    fl.version = 7;
    assert_int_equal(f->s.count(u, &fl, &n), ARCHASE_EINVAL);
    assert_int_equal(n, 99);
    fl.version = ARCHASE_SCAN_FILTER_VERSION;
    fl.date_from = -5000000;
    assert_int_equal(f->s.scan(u, &fl, test_sqlite_see, &sn), ARCHASE_EINVAL);
    assert_string_equal(test_sqlite_errmsg(f), "a date of the filter is out of range");
    assert_int_equal(f->s.count(u, &fl, &n), ARCHASE_EINVAL);
    assert_int_equal(sn.n, 0);

    assert_int_equal(test_sqlite_put_customer(f, "C1"), 0);
    for (int i = 0; i < 4; i++) {
        char id[8];
        snprintf(id, sizeof id, "I%d", i);
        assert_int_equal(put_invoice(f, id, "C1"), 0);
    }
    /* Every part of a filter; the statuses by name. */
    fl = (archase_scan_filter)ARCHASE_SCAN_FILTER_INIT;
    fl.family = ARCHASE_FAMILY_INVOICE;
    fl.customer_id = "C1";
    fl.invoice_id = "I2";
    fl.status = ARCHASE_INVOICE_STATUS_OPEN;
    fl.date_from = 20484;
    fl.date_to = 20484;
    fl.flags = ARCHASE_SCAN_NO_DATA;
    assert_int_equal(f->s.count(u, &fl, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(f->s.scan(u, &fl, test_sqlite_see, &sn), 0);
    assert_int_equal(sn.n, 1);
    assert_string_equal(sn.id, "I2");
    assert_null(sn.last.data);
    assert_int_equal(sn.last.status, ARCHASE_INVOICE_STATUS_OPEN);
    /* A filter on a column the family does not have matches nothing. */
    archase_scan_filter meta = ARCHASE_SCAN_FILTER_INIT;
    meta.family = ARCHASE_FAMILY_CUSTOMER;
    meta.invoice_id = "I1";
    meta.status = 3;
    meta.date_from = 1;
    meta.date_to = 30000;
    sn.n = 0;
    assert_int_equal(f->s.scan(u, &meta, test_sqlite_see, &sn), 0);
    assert_int_equal(sn.n, 0);
    assert_int_equal(f->s.count(u, &meta, &n), 0);
    assert_int_equal(n, 0);
    /* A status without a name in a family that names them is its number. */
    fl = (archase_scan_filter)ARCHASE_SCAN_FILTER_INIT;
    fl.family = ARCHASE_FAMILY_INVOICE;
    fl.status = 63;
    assert_int_equal(f->s.count(u, &fl, &n), 0);
    assert_int_equal(n, 0);

    /* Stopping and failing callbacks. */
    fl.status = 0;
    sn.n = 0;
    sn.rc = ARCHASE_SCAN_STOP;
    assert_int_equal(f->s.scan(u, &fl, test_sqlite_see, &sn), 0);
    assert_int_equal(sn.n, 1);
    sn.n = 0;
    sn.rc = ARCHASE_ECALLBACK;
    assert_int_equal(f->s.scan(u, &fl, test_sqlite_see, &sn), ARCHASE_ECALLBACK);
    assert_int_equal(sn.n, 1);
    sn.n = 0;
    assert_int_equal(f->s.get(u, ARCHASE_FAMILY_INVOICE, "I0", test_sqlite_see, &sn), ARCHASE_ECALLBACK);
    sn.rc = ARCHASE_SCAN_STOP; /* positive: not an error for a get */
    assert_int_equal(f->s.get(u, ARCHASE_FAMILY_INVOICE, "I0", test_sqlite_see, &sn), 0);
}

/* A callback that uses the store again while its statement is running. */
typedef struct reenter {
    archase_storage *s;
    int              depth, n, inner;
} reenter;

static int inner_see(void *ctx, const archase_record *r) {
    (void)r;
    ((reenter *)ctx)->inner++;
    return 0;
}

static int reenter_see(void *ctx, const archase_record *r) {
    reenter *x = ctx;
    x->n++;
    archase_scan_filter fl = ARCHASE_SCAN_FILTER_INIT;
    fl.family = ARCHASE_FAMILY_INVOICE;
    int rc = x->s->get(x->s->userdata, ARCHASE_FAMILY_INVOICE, r->id, inner_see, x);
    if (!rc)
        rc = x->s->scan(x->s->userdata, &fl, inner_see, x);
    return rc;
}

static void a_callback_may_use_the_store_again(void **state) {
    fixture *f = *state;
    assert_int_equal(test_sqlite_put_customer(f, "C1"), 0);
    assert_int_equal(put_invoice(f, "I1", "C1"), 0);
    assert_int_equal(put_invoice(f, "I2", "C1"), 0);
    reenter x = { &f->s, 0, 0, 0 };
    archase_scan_filter fl = ARCHASE_SCAN_FILTER_INIT;
    fl.family = ARCHASE_FAMILY_INVOICE;
    assert_int_equal(f->s.scan(f->s.userdata, &fl, reenter_see, &x), 0);
    assert_int_equal(x.n, 2);
    assert_int_equal(x.inner, 2 * (1 + 2));
    x.n = x.inner = 0;
    assert_int_equal(f->s.get(f->s.userdata, ARCHASE_FAMILY_INVOICE, "I1", reenter_see, &x), 0);
    assert_int_equal(x.inner, 3);
}

/* ---- the audit slots ------------------------------------------------------------------ */

static archase_audit_entry entry(uint64_t index) {
    archase_audit_entry e = ARCHASE_AUDIT_ENTRY_INIT;
    e.index = index;
    e.kind = 1;
    e.actor = "tester";
    e.instant = 1767225600;
    e.data = "record";
    e.size = 6;
    return e;
}

typedef test_sqlite_entries entries;

static void audit_slots_refuse_bad_entries(void **state) {
    fixture *f = *state;
    void *u = f->s.userdata;
    const char *null_link[] = { "a", NULL };
    uint8_t nodes[65 * 32];
    memset(nodes, 0, sizeof nodes);
    archase_audit_entry e = entry(0);
    assert_int_equal(f->s.audit_append(u, NULL), ARCHASE_EINVAL);
    assert_string_equal(test_sqlite_errmsg(f), "bad audit entry");
    e.version = 0;
    assert_int_equal(f->s.audit_append(u, &e), ARCHASE_EINVAL);
    e = entry(0);
    e.actor = NULL;
    assert_int_equal(f->s.audit_append(u, &e), ARCHASE_EINVAL);
    e = entry(0);
    e.data = NULL;
    assert_int_equal(f->s.audit_append(u, &e), ARCHASE_EINVAL);
    e = entry(0);
    e.index = (uint64_t)INT64_MAX + 1;
    assert_int_equal(f->s.audit_append(u, &e), ARCHASE_EINVAL);
    e = entry(0);
    e.link_count = 1;
    assert_int_equal(f->s.audit_append(u, &e), ARCHASE_EINVAL);
    e.links = null_link;
    e.link_count = 2;
    assert_int_equal(f->s.audit_append(u, &e), ARCHASE_EINVAL);
    assert_string_equal(test_sqlite_errmsg(f), "bad audit entry: a NULL link");
    e = entry(0);
    e.node_count = 1;
    assert_int_equal(f->s.audit_append(u, &e), ARCHASE_EINVAL);
    e.nodes = nodes;
    e.node_count = 65;
    assert_int_equal(f->s.audit_append(u, &e), ARCHASE_EINVAL);
    e = entry(1);
    assert_int_equal(f->s.audit_append(u, &e), ARCHASE_ECONFLICT);
    assert_string_equal(test_sqlite_errmsg(f), "audit index is not the next one");
    e = entry(0);
    e.instant = INT64_MIN;
    assert_int_equal(f->s.audit_append(u, &e), ARCHASE_EINVAL);
    assert_string_equal(test_sqlite_errmsg(f), "the audit instant is out of range");
    uint64_t size = 9;
    assert_int_equal(f->s.audit_size(u, &size), 0);
    assert_int_equal(size, 0);

    /* Links with every character JSON escapes, nodes, and an empty record. */
    const char *links[] = { "quote \" and backslash \\ and slash /", "tab\tnew\nline\x01" };
    e = entry(0);
    e.links = links;
    e.link_count = 2;
    e.nodes = nodes;
    e.node_count = 2;
    e.data = NULL;
    e.size = 0;
    assert_int_equal(f->s.audit_append(u, &e), 0);
    e = entry(1);
    e.instant = 1767225601;
    assert_int_equal(f->s.audit_append(u, &e), 0);
    entries x;
    memset(&x, 0, sizeof x);
    assert_int_equal(f->s.audit_read(u, 0, UINT64_MAX, test_sqlite_see_entry, &x), 0);
    assert_int_equal(x.n, 2);
    assert_int_equal(f->s.audit_read(u, 0, 1, test_sqlite_see_entry, &x), 0);
    assert_int_equal(x.last.link_count, 2);
    assert_string_equal(x.links[0], links[0]);
    assert_string_equal(x.links[1], links[1]);
    assert_int_equal(x.last.node_count, 2);
    assert_int_equal(x.last.size, 0);
    /* Reading from past the end, stopping, failing. */
    x.n = 0;
    assert_int_equal(f->s.audit_read(u, UINT64_MAX, UINT64_MAX, test_sqlite_see_entry, &x), 0);
    assert_int_equal(x.n, 0);
    x.rc = ARCHASE_SCAN_STOP;
    assert_int_equal(f->s.audit_read(u, 0, 2, test_sqlite_see_entry, &x), 0);
    assert_int_equal(x.n, 1);
    x.rc = ARCHASE_EIO;
    assert_int_equal(f->s.audit_read(u, 0, 2, test_sqlite_see_entry, &x), ARCHASE_EIO);

    /* Inside a transaction the next index is known without reading. */
    assert_int_equal(f->s.begin(u), 0);
    e = entry(2);
    assert_int_equal(f->s.audit_append(u, &e), 0);
    e = entry(2);
    assert_int_equal(f->s.audit_append(u, &e), ARCHASE_ECONFLICT);
    e = entry(3);
    assert_int_equal(f->s.audit_append(u, &e), 0);
    assert_int_equal(f->s.rollback(u), 0);
    assert_int_equal(f->s.audit_size(u, &size), 0);
    assert_int_equal(size, 2);
}

static void transactions_are_one_at_a_time(void **state) {
    fixture *f = *state;
    void *u = f->s.userdata;
    assert_int_equal(f->s.commit(u), ARCHASE_ESTATE);
    assert_string_equal(test_sqlite_errmsg(f), "no transaction is open");
    assert_int_equal(f->s.rollback(u), ARCHASE_ESTATE);
    assert_int_equal(f->s.begin(u), 0);
    assert_int_equal(f->s.begin(u), ARCHASE_ESTATE);
    assert_string_equal(test_sqlite_errmsg(f), "a transaction is already open");
    assert_int_equal(test_sqlite_put_customer(f, "C1"), 0);
    assert_int_equal(f->s.commit(u), 0);
    /* Closing with a transaction open rolls it back. */
    assert_int_equal(f->s.begin(u), 0);
    assert_int_equal(test_sqlite_put_customer(f, "C2"), 0);
    test_sqlite_close(f);
    open_store(f);
    seen sn = { 0, 0, "", ARCHASE_RECORD_INIT };
    assert_int_equal(f->s.get(f->s.userdata, ARCHASE_FAMILY_CUSTOMER, "C1", test_sqlite_see, &sn), 0);
    assert_int_equal(f->s.get(f->s.userdata, ARCHASE_FAMILY_CUSTOMER, "C2", test_sqlite_see, &sn), ARCHASE_ENOTFOUND);
}

/* ---- rows edited by hand ---------------------------------------------------------------- */

static void rows_that_no_longer_read_back_are_storage_errors(void **state) {
    fixture *f = *state;
    assert_int_equal(test_sqlite_put_customer(f, "C1"), 0);
    assert_int_equal(put_invoice(f, "I1", "C1"), 0);
    seen sn = { 0, 0, "", ARCHASE_RECORD_INIT };
    static const struct {
        const char *sql, *what;
    } edits[] = {
        { "UPDATE invoices SET currency = 'EURO'", "a stored currency is not a 3-letter code" },
        { "UPDATE invoices SET status = 'lost'", "a stored status or date cannot be read" },
        { "UPDATE invoices SET due_date = '2026-02-30'", "a stored status or date cannot be read" },
        { "UPDATE invoices SET issue_date = 'soon'", "a stored status or date cannot be read" },
        { "UPDATE invoices SET last_payment_on = 'never'", "a stored status or date cannot be read" },
        { "UPDATE customers SET data = NULL", NULL }, /* no data: read as none */
    };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        test_sqlite_close(f);
        char sql[256];
        snprintf(sql, sizeof sql, "PRAGMA ignore_check_constraints = ON; %s", edits[i].sql);
        sqlite3 *db = NULL;
        assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
        int erc = sqlite3_exec(db, sql, NULL, NULL, NULL);
        sqlite3_close(db);
        open_store(f);
        if (erc != SQLITE_OK)
            continue; /* the schema does not let even a person do it */
        int family = strstr(edits[i].sql, "customers") ? ARCHASE_FAMILY_CUSTOMER : ARCHASE_FAMILY_INVOICE;
        const char *id = family == ARCHASE_FAMILY_CUSTOMER ? "C1" : "I1";
        int rc = f->s.get(f->s.userdata, family, id, test_sqlite_see, &sn);
        archase_scan_filter fl = ARCHASE_SCAN_FILTER_INIT;
        fl.family = family;
        int src = f->s.scan(f->s.userdata, &fl, test_sqlite_see, &sn);
        if (edits[i].what) {
            assert_int_equal(rc, ARCHASE_ESTORAGE);
            assert_int_equal(src, ARCHASE_ESTORAGE);
            assert_string_equal(test_sqlite_errmsg(f), edits[i].what);
            /* Put right again for the next edit. */
            assert_int_equal(put_invoice(f, "I1", "C1"), 0);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(src, 0);
        }
    }
    /* An instant that does not parse. */
    archase_record m = ARCHASE_RECORD_INIT;
    m.family = ARCHASE_FAMILY_META;
    m.id = "k";
    m.instant = 1767225600;
    m.data = "v";
    m.size = 1;
    assert_int_equal(f->s.put(f->s.userdata, &m), 0);
    test_sqlite_edit_by_hand(f, "UPDATE meta SET at = 'yesterday'");
    assert_int_equal(f->s.get(f->s.userdata, ARCHASE_FAMILY_META, "k", test_sqlite_see, &sn), ARCHASE_ESTORAGE);
    assert_string_equal(test_sqlite_errmsg(f), "a stored instant cannot be read");
}

/* Audit rows edited by hand are handed over in a form that never hashes like
 * the original. */
static void audit_rows_edited_by_hand_read_back_unreadable(void **state) {
    fixture *f = *state;
    void *u = f->s.userdata;
    const char *links[] = { "erp://a" };
    archase_audit_entry e = entry(0);
    e.links = links;
    e.link_count = 1;
    assert_int_equal(f->s.audit_append(u, &e), 0);
    test_sqlite_close(f);
    test_sqlite_exec(f->path, "DROP TRIGGER audit_log_no_update");
    static const char *const bad_links[] = {
        "", "x", "[", "[]", "[\"a\"", "[\"a\",]", "[\"a\" \"b\"]", "[1]", "[\"\"]", "[\"a\\\"]",
        "[\"a\\q\"]", "[\"\\u00zz\"]", "[\"\\u0041\"]", "[\"\\u0000\"]", "[\"\\u00\"]", "[\"a\"]x",
        "[\"\x01\"]",
    };
    for (size_t i = 0; i < sizeof bad_links / sizeof bad_links[0]; i++) {
        char sql[200];
        sqlite3 *db = NULL;
        assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(db, "UPDATE audit_log SET links = ?1", -1, &st, NULL), SQLITE_OK);
        sqlite3_bind_text(st, 1, bad_links[i], -1, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(st), SQLITE_DONE);
        sqlite3_finalize(st);
        sqlite3_close(db);
        (void)sql;
        open_store(f);
        entries x;
        memset(&x, 0, sizeof x);
        assert_int_equal(f->s.audit_read(f->s.userdata, 0, 1, test_sqlite_see_entry, &x), 0);
        assert_int_equal(x.n, 1);
        assert_int_equal(x.last.link_count, 1);
        if (strcmp(x.links[0], "\x01unreadable"))
            fail_msg("links %s read back as '%s'", bad_links[i], x.links[0]);
        test_sqlite_close(f);
    }
    /* Escapes the writer uses read back as their characters. */
    test_sqlite_exec(f->path, "UPDATE audit_log SET links = '[\"a\\u001fb\\u001F\",\"\\/\"]'");
    open_store(f);
    entries x;
    memset(&x, 0, sizeof x);
    assert_int_equal(f->s.audit_read(f->s.userdata, 0, 1, test_sqlite_see_entry, &x), 0);
    assert_int_equal(x.last.link_count, 2);
    assert_string_equal(x.links[0], "a\x1f" "b\x1f");
    assert_string_equal(x.links[1], "/");
    /* The other columns. */
    test_sqlite_edit_by_hand(f, "UPDATE audit_log SET kind = 70000, at = 'then', leaf_hash = x'00',"
                             " prev_hash = x'01', nodes = x'0102', links = NULL");
    memset(&x, 0, sizeof x);
    assert_int_equal(f->s.audit_read(f->s.userdata, 0, 1, test_sqlite_see_entry, &x), 0);
    assert_int_equal(x.last.kind, 0);
    assert_true(x.last.instant == INT64_MIN);
    assert_int_equal(x.last.link_count, 0);
    assert_int_equal(x.last.node_count, 65);
}


/* ---- the columns decoded from a record's canonical data ------------------------------------ */

static int put_data(fixture *f, int family, const char *id, const char *customer, const canon *c) {
    archase_record r = ARCHASE_RECORD_INIT;
    r.family = family;
    r.id = id;
    r.customer_id = customer;
    r.data = c->b;
    r.size = c->n;
    return f->s.put(f->s.userdata, &r);
}

static void decoded_columns_take_what_the_record_holds(void **state) {
    fixture *f = *state;
    char v[256];
    /* A customer: a name of the wrong type (left empty), a country, a field
     * no column holds, tags with an item that is not a string and characters
     * JSON escapes, a source link. */
    canon c = { { 0 }, 0 };
    c_record(&c, 0x4355, 5);
    c_u16(&c, 3);
    c_int(&c, 7);
    c_u16(&c, 9);
    c_str(&c, "DE");
    c_u16(&c, 10);
    c_bool(&c, 1);
    c_u16(&c, 11);
    c_u8(&c, 0x09);
    c_u32(&c, 3);
    c_str(&c, "a\"b\\\x01");
    c_int(&c, 5);
    c_str(&c, "c");
    c_u16(&c, 12);
    c_str(&c, "crm://x");
    assert_int_equal(put_data(f, ARCHASE_FAMILY_CUSTOMER, "C9", NULL, &c), 0);
    test_sqlite_close(f);
    test_sqlite_column_text(f->path, "SELECT tags FROM customers WHERE id = 'C9'", v, sizeof v);
    assert_string_equal(v, "[\"a\\\"b\\\\\\u0001\",\"c\"]");
    test_sqlite_column_text(f->path, "SELECT country || '|' || source_link || '|' || coalesce(name, 'none') FROM customers",
                v, sizeof v);
    assert_string_equal(v, "DE|crm://x|none");
    open_store(f);

    /* Flags: a bool and a day; then a day outside 0001..9999. */
    c = (canon){ { 0 }, 0 };
    c_record(&c, 0x464c, 2);
    c_u16(&c, 3);
    c_bool(&c, 1);
    c_u16(&c, 4);
    c_date(&c, 20454);
    assert_int_equal(put_data(f, ARCHASE_FAMILY_FLAGS, "C9", "C9", &c), 0);
    test_sqlite_close(f);
    test_sqlite_column_text(f->path, "SELECT hold FROM customer_flags", v, sizeof v);
    assert_string_equal(v, "1");
    open_store(f);
    c.n -= 4;
    c_u32(&c, 9000000);
    assert_int_equal(put_data(f, ARCHASE_FAMILY_FLAGS, "C9", "C9", &c), ARCHASE_EINVAL);
    assert_string_equal(test_sqlite_errmsg(f), "a date of the record is out of range");

    /* A promise: an integer column. */
    c = (canon){ { 0 }, 0 };
    c_record(&c, 0x504d, 1);
    c_u16(&c, 11);
    c_int(&c, 3);
    archase_record p = ARCHASE_RECORD_INIT;
    p.family = ARCHASE_FAMILY_PROMISE;
    p.id = "P1";
    p.customer_id = "C9";
    p.status = ARCHASE_PROMISE_STATUS_OPEN;
    p.date = 20460;
    p.amount = 500;
    memcpy(p.currency, "EUR", 4);
    p.data = c.b;
    p.size = c.n;
    assert_int_equal(f->s.put(f->s.userdata, &p), 0);
    test_sqlite_close(f);
    test_sqlite_column_text(f->path, "SELECT grace_days || '|' || status FROM promises", v, sizeof v);
    assert_string_equal(v, "3|open");
    open_store(f);

    /* Records cut short: what was read before the cut is kept, the rest is
     * empty. A list cut inside, a field cut inside, a value cut inside. */
    canon cut[3];
    for (int i = 0; i < 3; i++)
        cut[i] = (canon){ { 0 }, 0 };
    c_record(&cut[0], 0x4355, 2);
    c_u16(&cut[0], 11);
    c_u8(&cut[0], 0x09);
    c_u32(&cut[0], 2);
    c_str(&cut[0], "x");
    c_record(&cut[1], 0x4355, 2);
    c_u16(&cut[1], 9);
    c_str(&cut[1], "FR");
    c_u8(&cut[1], 0);
    c_record(&cut[2], 0x4355, 1);
    c_u16(&cut[2], 3);
    c_u8(&cut[2], 0x03);
    c_u32(&cut[2], 100);
    for (int i = 0; i < 3; i++) {
        char id[8];
        snprintf(id, sizeof id, "K%d", i);
        assert_int_equal(put_data(f, ARCHASE_FAMILY_CUSTOMER, id, NULL, &cut[i]), 0);
    }
    /* A list whose non-string item is cut. */
    c = (canon){ { 0 }, 0 };
    c_record(&c, 0x4355, 1);
    c_u16(&c, 11);
    c_u8(&c, 0x09);
    c_u32(&c, 2);
    c_u8(&c, 0x02);
    c_u8(&c, 0);
    assert_int_equal(put_data(f, ARCHASE_FAMILY_CUSTOMER, "K3", NULL, &c), 0);
    test_sqlite_close(f);
    test_sqlite_column_text(f->path, "SELECT coalesce(country, '-') || coalesce(tags, '-') FROM customers WHERE id = 'K1'", v,
                sizeof v);
    assert_string_equal(v, "FR-");
    test_sqlite_column_text(f->path, "SELECT count(*) FROM customers WHERE id LIKE 'K%' AND tags IS NULL", v, sizeof v);
    assert_string_equal(v, "4");
    open_store(f);
}

/* A table dropped by hand: every statement over it fails to prepare. */
static void a_table_dropped_by_hand_is_a_storage_error(void **state) {
    fixture *f = *state;
    test_sqlite_edit_by_hand(f, "DROP TABLE notes");
    seen sn = { 0, 0, "", ARCHASE_RECORD_INIT };
    uint64_t n = 7;
    archase_scan_filter fl = ARCHASE_SCAN_FILTER_INIT;
    fl.family = ARCHASE_FAMILY_NOTE;
    assert_int_equal(f->s.get(f->s.userdata, ARCHASE_FAMILY_NOTE, "N1", test_sqlite_see, &sn), ARCHASE_ESTORAGE);
    assert_non_null(strstr(test_sqlite_errmsg(f), "preparing a statement: no such table: notes"));
    assert_int_equal(f->s.scan(f->s.userdata, &fl, test_sqlite_see, &sn), ARCHASE_ESTORAGE);
    assert_int_equal(f->s.count(f->s.userdata, &fl, &n), ARCHASE_ESTORAGE);
    assert_non_null(strstr(test_sqlite_errmsg(f), "counting records"));
    assert_int_equal(n, 7);
    assert_int_equal(f->s.del(f->s.userdata, ARCHASE_FAMILY_NOTE, "N1"), ARCHASE_ESTORAGE);
    archase_record r = ARCHASE_RECORD_INIT;
    r.family = ARCHASE_FAMILY_NOTE;
    r.id = "N1";
    r.customer_id = "C1";
    assert_int_equal(f->s.insert(f->s.userdata, &r), ARCHASE_ESTORAGE);
    assert_int_equal(sn.n, 0);
}


/* ---- migrations ------------------------------------------------------------------------------- */

static void migrations_that_fail_leave_the_file_as_it_was(void **state) {
    fixture *f = *state;
    char err[512], v[64];
    archase_storage s;
    /* A file at version 3 is upgraded to the current one. */
    test_sqlite_edit_by_hand(f, "DELETE FROM schema_migrations WHERE version = 4");
    int64_t version = 0;
    assert_int_equal(f->s.schema_version(f->s.userdata, &version), 0);
    assert_int_equal(version, 4);
    test_sqlite_close(f);
    /* A file that says version 1 but holds the later tables: migration 2
     * cannot apply, and nothing of it stays. */
    test_sqlite_exec(f->path, "DELETE FROM schema_migrations WHERE version >= 2");
    assert_int_equal(archase_sqlite_storage_open(f->path, NULL, NULL, &s, err, sizeof err), ARCHASE_ESTORAGE);
    assert_non_null(strstr(err, "applying migration 2"));
    test_sqlite_column_text(f->path, "SELECT group_concat(version) FROM schema_migrations", v, sizeof v);
    assert_string_equal(v, "1");

    /* Creating a store on a disk that fills up, or that another writer locks. */
    static const struct {
        unsigned kinds;
        int      code, want;
    } faults[] = { { FAULTVFS_WRITE, SQLITE_FULL, ARCHASE_ESTORAGE }, { FAULTVFS_LOCK, SQLITE_BUSY, ARCHASE_EBUSY } };
    archase_sqlite_options o = ARCHASE_SQLITE_OPTIONS_INIT;
    o.busy_timeout_ms = 0;
    char fresh[160];
    snprintf(fresh, sizeof fresh, "%s/fresh.db", f->dir);
    int failed_opens = 0;
    for (size_t k = 0; k < 2; k++) {
        for (size_t n = 1; n < 200; n += test_under_valgrind() ? 15 : 3) {
            test_sqlite_remove_store(fresh);
            faultvfs_arm(faults[k].kinds, n, faults[k].code, 1);
            int rc = archase_sqlite_storage_open(fresh, &o, NULL, &s, err, sizeof err);
            size_t failures = faultvfs_failures();
            faultvfs_disarm();
            if (!failures) {
                assert_int_equal(rc, 0);
                s.close(s.userdata);
                break;
            }
            if (rc == 0) {
                s.close(s.userdata); /* SQLite got by without the failed call */
                continue;
            }
            failed_opens++;
            if (rc != faults[k].want && rc != ARCHASE_ESTORAGE)
                fail_msg("fault %zu at %zu: %s (%s)", k, n, archase_error_name(rc), err);
            assert_true(err[0] != '\0');
            /* Once the disk works the same file opens. */
            assert_int_equal(archase_sqlite_storage_open(fresh, &o, NULL, &s, err, sizeof err), 0);
            s.close(s.userdata);
        }
    }
    test_sqlite_remove_store(fresh);
    assert_true(failed_opens > 2);
}

/* ---- memory ---------------------------------------------------------------------------------- */

static int sqlite_with(const archase_allocator *a, void *ctx) {
    const char *path = ctx;
    archase_storage s;
    char err[256];
    int rc = archase_sqlite_storage_open(path, NULL, a, &s, err, sizeof err);
    if (rc)
        return rc;
    fixture f;
    memset(&f, 0, sizeof f);
    f.s = s;
    const char *links[] = { "erp://\"quoted\"", "b" };
    uint64_t size = 0;
    rc = s.audit_size(s.userdata, &size);
    archase_audit_entry e = entry(size);
    e.links = links;
    e.link_count = 2;
    canon c = { { 0 }, 0 };
    c_record(&c, 0x4355, 1);
    c_u16(&c, 11);
    c_u8(&c, 0x09);
    c_u32(&c, 2);
    c_str(&c, "t1");
    c_str(&c, "t2");
    if (!rc)
        rc = put_data(&f, ARCHASE_FAMILY_CUSTOMER, "C1", NULL, &c);
    if (!rc)
        rc = s.audit_append(s.userdata, &e);
    entries x;
    memset(&x, 0, sizeof x);
    if (!rc)
        rc = s.audit_read(s.userdata, size, size + 1, test_sqlite_see_entry, &x);
    uint64_t n = 0;
    archase_scan_filter fl = ARCHASE_SCAN_FILTER_INIT;
    fl.family = ARCHASE_FAMILY_CUSTOMER;
    fl.customer_id = "C1";
    if (!rc)
        rc = s.count(s.userdata, &fl, &n);
    seen sn = { 0, 0, "", ARCHASE_RECORD_INIT };
    if (!rc)
        rc = s.scan(s.userdata, &fl, test_sqlite_see, &sn);
    /* Everything read back as written (an entry's links that did not fit
     * in memory are not "unreadable": that would blame the log). */
    if (!rc && (x.last.link_count != 2 || strcmp(x.links[0], links[0]) || n != 1 || sn.n != 1))
        rc = ARCHASE_EINVAL;
    s.close(s.userdata);
    return rc;
}

static void every_allocation_failure_is_out_of_memory(void **state) {
    fixture *f = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/alloc.db", f->dir);
    archase_storage s;
    assert_int_equal(archase_sqlite_storage_open(path, NULL, NULL, &s, NULL, 0), 0); /* made once */
    s.close(s.userdata);
    assert_true(failalloc_loop(sqlite_with, NULL, path) > 3);
    test_sqlite_remove_store(path);
}

/* ---- failing reads, locks and writes ------------------------------------------------------- */

typedef int (*slot_op)(fixture *f);

static int op_get(fixture *f) {
    seen sn = { 0, 0, "", ARCHASE_RECORD_INIT };
    return f->s.get(f->s.userdata, ARCHASE_FAMILY_INVOICE, "I1", test_sqlite_see, &sn);
}

static int op_scan(fixture *f) {
    seen sn = { 0, 0, "", ARCHASE_RECORD_INIT };
    archase_scan_filter fl = ARCHASE_SCAN_FILTER_INIT;
    fl.family = ARCHASE_FAMILY_INVOICE;
    return f->s.scan(f->s.userdata, &fl, test_sqlite_see, &sn);
}

static int op_count(fixture *f) {
    uint64_t n = 0;
    archase_scan_filter fl = ARCHASE_SCAN_FILTER_INIT;
    fl.family = ARCHASE_FAMILY_INVOICE;
    return f->s.count(f->s.userdata, &fl, &n);
}

static int op_audit(fixture *f) {
    entries x;
    uint64_t n = 0;
    memset(&x, 0, sizeof x);
    int rc = f->s.audit_size(f->s.userdata, &n);
    if (!rc)
        rc = f->s.audit_read(f->s.userdata, 0, n, test_sqlite_see_entry, &x);
    return rc;
}

static int op_schema(fixture *f) {
    int64_t v = 0;
    return f->s.schema_version(f->s.userdata, &v);
}

static int op_write(fixture *f) {
    uint64_t size = 0;
    int rc = f->s.audit_size(f->s.userdata, &size);
    archase_audit_entry e = entry(size);
    if (!rc)
        rc = f->s.audit_append(f->s.userdata, &e);
    if (!rc)
        rc = put_invoice(f, "I2", "C1");
    if (!rc)
        rc = f->s.del(f->s.userdata, ARCHASE_FAMILY_INVOICE, "I2");
    return rc;
}

static int op_txn(fixture *f) {
    int rc = f->s.begin(f->s.userdata);
    if (rc)
        return rc;
    rc = put_invoice(f, "I3", "C1");
    if (!rc)
        rc = f->s.commit(f->s.userdata);
    if (rc)
        f->s.rollback(f->s.userdata);
    return rc;
}

static void reads_locks_and_writes_that_fail_are_reported(void **state) {
    fixture *f = *state;
    assert_int_equal(test_sqlite_put_customer(f, "C1"), 0);
    assert_int_equal(put_invoice(f, "I1", "C1"), 0);
    archase_audit_entry e = entry(0);
    assert_int_equal(f->s.audit_append(f->s.userdata, &e), 0);
    test_sqlite_close(f);
    f->s.close = NULL;
    static const struct {
        slot_op     op;
        unsigned    kinds;
        int         code;
    } runs[] = {
        { op_get, FAULTVFS_READ, SQLITE_IOERR_READ },    { op_scan, FAULTVFS_READ, SQLITE_IOERR_READ },
        { op_count, FAULTVFS_READ, SQLITE_IOERR_READ },  { op_audit, FAULTVFS_READ, SQLITE_IOERR_READ },
        { op_schema, FAULTVFS_READ, SQLITE_CORRUPT },    { op_write, FAULTVFS_WRITE, SQLITE_FULL },
        { op_write, FAULTVFS_LOCK, SQLITE_BUSY },        { op_txn, FAULTVFS_SYNC, SQLITE_IOERR_FSYNC },
        { op_txn, FAULTVFS_LOCK, SQLITE_BUSY },          { op_get, FAULTVFS_LOCK, SQLITE_BUSY },
    };
    int failures = 0;
    archase_sqlite_options o = ARCHASE_SQLITE_OPTIONS_INIT;
    o.busy_timeout_ms = 0;
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        /* Under valgrind every third fault: each run opens the store anew. */
        for (size_t n = 1; n < 64; n += test_under_valgrind() ? 3 : 1) {
            char err[256];
            assert_int_equal(archase_sqlite_storage_open(f->path, &o, NULL, &f->s, err, sizeof err), 0);
            faultvfs_arm(runs[r].kinds, n, runs[r].code, 1);
            int rc = runs[r].op(f);
            size_t failed = faultvfs_failures();
            faultvfs_disarm();
            if (!failed) {
                assert_int_equal(rc, 0);
                test_sqlite_close(f);
                break;
            }
            if (rc) {
                failures++;
                if (rc != ARCHASE_ESTORAGE && rc != ARCHASE_EBUSY)
                    fail_msg("run %zu, fault %zu: %s (%s)", r, n, archase_error_name(rc), test_sqlite_errmsg(f));
                assert_true(test_sqlite_errmsg(f)[0] != '\0');
            }
            /* The same call works once the file does. */
            rc = runs[r].op(f);
            if (rc)
                fail_msg("run %zu, fault %zu, again: %s (%s)", r, n, archase_error_name(rc), test_sqlite_errmsg(f));
            test_sqlite_close(f);
            /* Leave the store as it was for the next run. */
            if (runs[r].op == op_write || runs[r].op == op_txn) {
                test_sqlite_exec(f->path, "DELETE FROM invoices WHERE id IN ('I2', 'I3')");
            }
        }
    }
    assert_true(failures > 10);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(opens_that_cannot_succeed_say_why, setup, test_sqlite_teardown),
    cmocka_unit_test_setup_teardown(a_schema_of_another_version_is_refused, setup, test_sqlite_teardown),
    cmocka_unit_test_setup_teardown(options_at_their_limits_open, setup, test_sqlite_teardown),
    cmocka_unit_test_setup_teardown(record_slots_refuse_bad_arguments, setup, test_sqlite_teardown),
    cmocka_unit_test_setup_teardown(scans_refuse_bad_filters_and_stop_when_asked, setup, test_sqlite_teardown),
    cmocka_unit_test_setup_teardown(a_callback_may_use_the_store_again, setup, test_sqlite_teardown),
    cmocka_unit_test_setup_teardown(audit_slots_refuse_bad_entries, setup, test_sqlite_teardown),
    cmocka_unit_test_setup_teardown(transactions_are_one_at_a_time, setup, test_sqlite_teardown),
    cmocka_unit_test_setup_teardown(rows_that_no_longer_read_back_are_storage_errors, setup, test_sqlite_teardown),
    cmocka_unit_test_setup_teardown(audit_rows_edited_by_hand_read_back_unreadable, setup, test_sqlite_teardown),
    cmocka_unit_test_setup_teardown(decoded_columns_take_what_the_record_holds, setup, test_sqlite_teardown),
    cmocka_unit_test_setup_teardown(a_table_dropped_by_hand_is_a_storage_error, setup, test_sqlite_teardown),
    cmocka_unit_test_setup_teardown(every_allocation_failure_is_out_of_memory, setup, test_sqlite_teardown),
    cmocka_unit_test_setup_teardown(migrations_that_fail_leave_the_file_as_it_was, setup, test_sqlite_teardown),
    cmocka_unit_test_setup_teardown(reads_locks_and_writes_that_fail_are_reported, setup, test_sqlite_teardown),
};

AR_TEST_MAIN(tests)
