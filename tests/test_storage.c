/* tests/test_storage.c — the storage conformance suite. Every backend runs
 * every check: the memory backend, the SQLite backend, and each of them
 * behind a wrapper that can fail any call. The last checks fail the Nth
 * storage call for every N under the engine and require an error and an
 * unchanged store each time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archase/archase.h"
#include "archase/sys/storage.h"
#include "support/faultstore.h"
#include "support/testutil.h"

/* ---- the backends ----------------------------------------------------------- */

typedef struct backend {
    const char *name;
    int         sqlite;  /* 1 = a file in a fresh temporary folder */
    int         wrapped; /* 1 = behind the fault wrapper (never failing here) */
} backend;

static const backend backends[] = {
    { "memory", 0, 0 },
    { "sqlite", 1, 0 },
    { "faulty(memory)", 0, 1 },
    { "faulty(sqlite)", 1, 1 },
};
#define NBACKENDS (sizeof backends / sizeof backends[0])

typedef struct opened {
    archase_storage s;     /* what the check uses */
    archase_storage inner; /* the real backend */
    faultstore      fault;
    char            dir[64];
    char            path[96];
} opened;

static void open_backend(const backend *b, opened *o) {
    memset(o, 0, sizeof *o);
    if (b->sqlite) {
        snprintf(o->dir, sizeof o->dir, "/tmp/archase-storage-XXXXXX");
        assert_non_null(mkdtemp(o->dir));
        snprintf(o->path, sizeof o->path, "%s/ledger.db", o->dir);
        archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
        so.synchronous = ARCHASE_SQLITE_SYNC_NORMAL;
        char err[256];
        int rc = archase_sqlite_storage_open(o->path, &so, NULL, &o->inner, err, sizeof err);
        if (rc)
            fail_msg("%s: %s", b->name, err);
    } else {
        assert_int_equal(archase_memory_storage_new(NULL, &o->inner), 0);
    }
    if (b->wrapped)
        faultstore_wrap(&o->fault, &o->inner, 0, &o->s);
    else
        o->s = o->inner;
}

static void remove_files(opened *o) {
    if (!o->dir[0])
        return;
    const char *suffixes[] = { "", "-wal", "-shm", "-journal" };
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char p[128];
        snprintf(p, sizeof p, "%s%s", o->path, suffixes[i]);
        unlink(p);
    }
    rmdir(o->dir);
}

static void close_backend(opened *o) {
    o->s.close(o->s.userdata);
    remove_files(o);
}

/* ---- helpers ----------------------------------------------------------------- */

static archase_record generic(int family, const char *id) {
    archase_record r = ARCHASE_RECORD_INIT;
    r.family = family;
    r.id = id;
    r.data = "\x0a\x00\x09\x00\x00";
    r.size = 5;
    return r;
}

typedef struct seen {
    int            n;
    char           ids[32][32];
    archase_record last;
    char           cust[32], inv[32];
    uint8_t        data[64];
    int            stop_after;
    int            fail_with;
} seen;

static int collect(void *ctx, const archase_record *r) {
    seen *s = ctx;
    if (s->fail_with)
        return s->fail_with;
    if (s->n < 32)
        snprintf(s->ids[s->n], sizeof s->ids[0], "%s", r->id);
    s->n++;
    s->last = *r;
    snprintf(s->cust, sizeof s->cust, "%s", r->customer_id ? r->customer_id : "(null)");
    snprintf(s->inv, sizeof s->inv, "%s", r->invoice_id ? r->invoice_id : "(null)");
    if (r->data && r->size <= sizeof s->data)
        memcpy(s->data, r->data, r->size);
    s->last.id = NULL;
    s->last.customer_id = NULL;
    s->last.invoice_id = NULL;
    s->last.data = r->data ? s->data : NULL;
    return s->stop_after && s->n >= s->stop_after ? ARCHASE_SCAN_STOP : 0;
}

static seen get(opened *o, int family, const char *id, int expect) {
    seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(o->s.get(o->s.userdata, family, id, collect, &s), expect);
    return s;
}

static seen scan(opened *o, const archase_scan_filter *f) {
    seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(o->s.scan(o->s.userdata, f, collect, &s), 0);
    return s;
}

/* ---- records ------------------------------------------------------------------- */

static void check_round_trip(const backend *b) {
    opened o;
    open_backend(b, &o);
    archase_record r = generic(ARCHASE_FAMILY_CADENCE, "INV-1/cadence");
    r.customer_id = "C1";
    r.invoice_id = "INV-1";
    r.revision = 42;
    r.status = 3;
    r.date = 20454;
    r.date2 = -719162;
    r.date3 = 2932896;
    r.amount = -123456789012345;
    r.amount2 = 987;
    memcpy(r.currency, "KWD", 4);
    r.instant = 1767225601;
    assert_int_equal(o.s.put(o.s.userdata, &r), 0);
    seen s = get(&o, ARCHASE_FAMILY_CADENCE, "INV-1/cadence", 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.cust, "C1");
    assert_string_equal(s.inv, "INV-1");
    assert_int_equal(s.last.family, ARCHASE_FAMILY_CADENCE);
    assert_int_equal(s.last.revision, 42);
    assert_int_equal(s.last.status, 3);
    assert_int_equal(s.last.date, 20454);
    assert_int_equal(s.last.date2, -719162);
    assert_int_equal(s.last.date3, 2932896);
    assert_int_equal(s.last.amount, -123456789012345);
    assert_int_equal(s.last.amount2, 987);
    assert_string_equal(s.last.currency, "KWD");
    assert_int_equal(s.last.instant, 1767225601);
    assert_int_equal(s.last.size, 5);
    assert_memory_equal(s.data, r.data, 5);
    /* Absent values stay absent. */
    archase_record bare = generic(ARCHASE_FAMILY_META, "k");
    assert_int_equal(o.s.put(o.s.userdata, &bare), 0);
    s = get(&o, ARCHASE_FAMILY_META, "k", 0);
    assert_string_equal(s.cust, "(null)");
    assert_int_equal(s.last.date, ARCHASE_DATE_NONE);
    assert_string_equal(s.last.currency, "");
    get(&o, ARCHASE_FAMILY_META, "nope", ARCHASE_ENOTFOUND);
    get(&o, ARCHASE_FAMILY_CADENCE, "k", ARCHASE_ENOTFOUND);
    close_backend(&o);
}

static void put_and_get_keep_every_envelope_field_and_the_bytes(void **state) {
    (void)state;
    for (size_t i = 0; i < NBACKENDS; i++)
        check_round_trip(&backends[i]);
}

static void check_replace_and_delete(const backend *b) {
    opened o;
    open_backend(b, &o);
    archase_record r = generic(ARCHASE_FAMILY_OUTBOX, "m1");
    r.status = ARCHASE_OUTBOX_PENDING;
    assert_int_equal(o.s.put(o.s.userdata, &r), 0);
    r.status = ARCHASE_OUTBOX_SENT;
    r.amount = 2;
    assert_int_equal(o.s.put(o.s.userdata, &r), 0);
    seen s = get(&o, ARCHASE_FAMILY_OUTBOX, "m1", 0);
    assert_int_equal(s.last.status, ARCHASE_OUTBOX_SENT);
    assert_int_equal(s.last.amount, 2);
    assert_int_equal(o.s.del(o.s.userdata, ARCHASE_FAMILY_OUTBOX, "m1"), 0);
    get(&o, ARCHASE_FAMILY_OUTBOX, "m1", ARCHASE_ENOTFOUND);
    assert_int_equal(o.s.del(o.s.userdata, ARCHASE_FAMILY_OUTBOX, "m1"), ARCHASE_ENOTFOUND);
    /* insert only inserts. */
    archase_record first = generic(ARCHASE_FAMILY_META, "once");
    first.amount = 1;
    assert_int_equal(o.s.insert(o.s.userdata, &first), 0);
    archase_record second = first;
    second.amount = 2;
    assert_int_equal(o.s.insert(o.s.userdata, &second), ARCHASE_ECONFLICT);
    assert_int_equal(get(&o, ARCHASE_FAMILY_META, "once", 0).last.amount, 1);
    close_backend(&o);
}

static void put_replaces_insert_refuses_and_delete_removes(void **state) {
    (void)state;
    for (size_t i = 0; i < NBACKENDS; i++)
        check_replace_and_delete(&backends[i]);
}

static void check_scans(const backend *b) {
    opened o;
    open_backend(b, &o);
    const char *ids[] = { "b", "a", "ä", "B", "a1", "c" };
    for (int i = 0; i < 6; i++) {
        archase_record r = generic(ARCHASE_FAMILY_DECISION, ids[i]);
        r.customer_id = i % 2 ? "C1" : "C2";
        r.invoice_id = i < 3 ? "I1" : NULL;
        r.status = i % 3 + 1;
        r.date = i == 5 ? ARCHASE_DATE_NONE : 100 + i;
        assert_int_equal(o.s.put(o.s.userdata, &r), 0);
    }
    archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
    f.family = ARCHASE_FAMILY_DECISION;
    seen s = scan(&o, &f);
    assert_int_equal(s.n, 6);
    const char *order[] = { "B", "a", "a1", "b", "c", "ä" }; /* byte order */
    for (int i = 0; i < 6; i++)
        assert_string_equal(s.ids[i], order[i]);
    f.customer_id = "C1";
    s = scan(&o, &f);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.ids[0], "B");
    f.customer_id = NULL;
    f.invoice_id = "I1";
    s = scan(&o, &f);
    assert_int_equal(s.n, 3);
    f.invoice_id = NULL;
    f.status = 2;
    s = scan(&o, &f);
    assert_int_equal(s.n, 2);
    f.status = 0;
    f.date_from = 102;
    s = scan(&o, &f);
    assert_int_equal(s.n, 3); /* 102, 103, 104; the dateless one is out */
    f.date_to = 103;
    s = scan(&o, &f);
    assert_int_equal(s.n, 2);
    f.date_from = f.date_to = ARCHASE_DATE_NONE;
    f.flags = ARCHASE_SCAN_NO_DATA;
    s = scan(&o, &f);
    assert_int_equal(s.n, 6);
    assert_null(s.last.data);
    assert_int_equal(s.last.size, 0);
    uint64_t n = 0;
    if (o.s.count) {
        f.customer_id = "C2";
        assert_int_equal(o.s.count(o.s.userdata, &f, &n), 0);
        assert_int_equal(n, 3);
    }
    /* A callback stops a scan, or fails it with its own code. */
    seen stop;
    memset(&stop, 0, sizeof stop);
    stop.stop_after = 2;
    f = (archase_scan_filter)ARCHASE_SCAN_FILTER_INIT;
    f.family = ARCHASE_FAMILY_DECISION;
    assert_int_equal(o.s.scan(o.s.userdata, &f, collect, &stop), 0);
    assert_int_equal(stop.n, 2);
    seen failing;
    memset(&failing, 0, sizeof failing);
    failing.fail_with = ARCHASE_ECALLBACK;
    assert_int_equal(o.s.scan(o.s.userdata, &f, collect, &failing), ARCHASE_ECALLBACK);
    close_backend(&o);
}

static void scans_are_in_id_byte_order_and_filter(void **state) {
    (void)state;
    for (size_t i = 0; i < NBACKENDS; i++)
        check_scans(&backends[i]);
}

static int scan_ids(opened *o, const char *customer, const char *invoice, char *out, size_t size) {
    archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
    f.family = ARCHASE_FAMILY_CADENCE;
    f.customer_id = customer;
    f.invoice_id = invoice;
    seen s = scan(o, &f);
    out[0] = '\0';
    for (int i = 0; i < s.n && i < 32; i++) {
        strncat(out, s.ids[i], size - strlen(out) - 2);
        strcat(out, " ");
    }
    return s.n;
}

static void put_cadence(opened *o, const char *id, const char *customer, const char *invoice) {
    archase_record r = generic(ARCHASE_FAMILY_CADENCE, id);
    r.customer_id = customer;
    r.invoice_id = invoice;
    assert_int_equal(o->s.put(o->s.userdata, &r), 0);
}

static void check_moving_records(const backend *b) {
    opened o;
    open_backend(b, &o);
    char ids[256];
    put_cadence(&o, "r1", "A", "I1");
    put_cadence(&o, "r2", "B", NULL);
    put_cadence(&o, "r1", "B", "I2");
    assert_int_equal(scan_ids(&o, "A", NULL, ids, sizeof ids), 0);
    assert_int_equal(scan_ids(&o, "B", NULL, ids, sizeof ids), 2);
    assert_string_equal(ids, "r1 r2 ");
    assert_int_equal(scan_ids(&o, NULL, "I1", ids, sizeof ids), 0);
    assert_int_equal(scan_ids(&o, NULL, "I2", ids, sizeof ids), 1);
    assert_int_equal(o.s.begin(o.s.userdata), 0);
    put_cadence(&o, "r1", "A", "I1");
    assert_int_equal(scan_ids(&o, "A", NULL, ids, sizeof ids), 1);
    assert_int_equal(o.s.rollback(o.s.userdata), 0);
    assert_int_equal(scan_ids(&o, "A", NULL, ids, sizeof ids), 0);
    assert_int_equal(scan_ids(&o, "B", "I2", ids, sizeof ids), 1);
    put_cadence(&o, "r1", "A", "I1");
    assert_int_equal(scan_ids(&o, "A", NULL, ids, sizeof ids), 1); /* once, though it came back */
    assert_string_equal(ids, "r1 ");
    assert_int_equal(o.s.del(o.s.userdata, ARCHASE_FAMILY_CADENCE, "r2"), 0);
    assert_int_equal(scan_ids(&o, "B", NULL, ids, sizeof ids), 0);
    close_backend(&o);
}

static void scans_by_customer_and_invoice_follow_records_that_move(void **state) {
    (void)state;
    for (size_t i = 0; i < NBACKENDS; i++)
        check_moving_records(&backends[i]);
}

/* ---- transactions --------------------------------------------------------------- */

static uint64_t audit_size(opened *o) {
    uint64_t n = 99;
    assert_int_equal(o->s.audit_size(o->s.userdata, &n), 0);
    return n;
}

static void append_audit(opened *o, uint64_t index, int expect) {
    archase_audit_entry e;
    memset(&e, 0, sizeof e);
    e.version = ARCHASE_AUDIT_ENTRY_VERSION;
    e.index = index;
    e.kind = 4;
    e.actor = "tester";
    e.instant = 1767225600;
    e.data = "\x0a\x00\x04\x00\x00";
    e.size = 5;
    static const char *const links[] = { "erp://inv/1", "quote \" and \\ and \n and caf\xc3\xa9" };
    e.links = links;
    e.link_count = 2;
    uint8_t nodes[3 * 32];
    for (size_t i = 0; i < sizeof nodes; i++)
        nodes[i] = (uint8_t)i;
    e.nodes = nodes;
    e.node_count = (uint32_t)(index % 4);
    memset(e.leaf_hash, 0xab, 32);
    memset(e.prev_hash, 0xcd, 32);
    assert_int_equal(o->s.audit_append(o->s.userdata, &e), expect);
}

static void check_transactions(const backend *b) {
    opened o;
    open_backend(b, &o);
    archase_record keep = generic(ARCHASE_FAMILY_META, "keep");
    keep.amount = 1;
    archase_record gone = generic(ARCHASE_FAMILY_META, "gone");
    assert_int_equal(o.s.put(o.s.userdata, &keep), 0);
    assert_int_equal(o.s.put(o.s.userdata, &gone), 0);
    append_audit(&o, 0, 0);

    assert_int_equal(o.s.begin(o.s.userdata), 0);
    assert_int_equal(o.s.begin(o.s.userdata), ARCHASE_ESTATE);
    archase_record changed = keep;
    changed.amount = 2;
    assert_int_equal(o.s.put(o.s.userdata, &changed), 0);
    assert_int_equal(o.s.del(o.s.userdata, ARCHASE_FAMILY_META, "gone"), 0);
    archase_record added = generic(ARCHASE_FAMILY_META, "added");
    assert_int_equal(o.s.put(o.s.userdata, &added), 0);
    append_audit(&o, 1, 0);
    assert_int_equal(get(&o, ARCHASE_FAMILY_META, "keep", 0).last.amount, 2);
    assert_int_equal(o.s.rollback(o.s.userdata), 0);

    assert_int_equal(get(&o, ARCHASE_FAMILY_META, "keep", 0).last.amount, 1);
    get(&o, ARCHASE_FAMILY_META, "gone", 0);
    get(&o, ARCHASE_FAMILY_META, "added", ARCHASE_ENOTFOUND);
    assert_int_equal(audit_size(&o), 1);

    assert_int_equal(o.s.begin(o.s.userdata), 0);
    assert_int_equal(o.s.put(o.s.userdata, &added), 0);
    append_audit(&o, 1, 0);
    assert_int_equal(o.s.commit(o.s.userdata), 0);
    get(&o, ARCHASE_FAMILY_META, "added", 0);
    assert_int_equal(audit_size(&o), 2);
    assert_int_equal(o.s.commit(o.s.userdata), ARCHASE_ESTATE);
    assert_int_equal(o.s.rollback(o.s.userdata), ARCHASE_ESTATE);
    close_backend(&o);
}

static void a_rollback_undoes_puts_deletes_and_audit_appends(void **state) {
    (void)state;
    for (size_t i = 0; i < NBACKENDS; i++)
        check_transactions(&backends[i]);
}

typedef struct audit_seen {
    uint64_t first, count;
    int      hash_ok;
} audit_seen;

static int see_audit(void *ctx, const archase_audit_entry *e) {
    audit_seen *s = ctx;
    if (!s->count)
        s->first = e->index;
    s->count++;
    int ok = e->leaf_hash[0] == 0xab && e->leaf_hash[31] == 0xab && e->prev_hash[0] == 0xcd &&
             e->prev_hash[31] == 0xcd && e->size == 5 && !memcmp(e->data, "\x0a\x00\x04\x00\x00", 5) &&
             !strcmp(e->actor, "tester") && e->instant == 1767225600 && e->kind == 4;
    ok = ok && e->link_count == 2 && !strcmp(e->links[0], "erp://inv/1") &&
         !strcmp(e->links[1], "quote \" and \\ and \n and caf\xc3\xa9");
    ok = ok && e->node_count == e->index % 4;
    for (uint32_t i = 0; ok && i < e->node_count * 32; i++)
        ok = e->nodes[i] == (uint8_t)i;
    s->hash_ok = (s->count == 1 || s->hash_ok) && ok;
    return 0;
}

static void check_audit(const backend *b) {
    opened o;
    open_backend(b, &o);
    assert_int_equal(audit_size(&o), 0);
    append_audit(&o, 1, ARCHASE_ECONFLICT);
    for (uint64_t i = 0; i < 5; i++)
        append_audit(&o, i, 0);
    append_audit(&o, 3, ARCHASE_ECONFLICT);
    assert_int_equal(audit_size(&o), 5);
    audit_seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(o.s.audit_read(o.s.userdata, 1, 4, see_audit, &s), 0);
    assert_int_equal(s.first, 1);
    assert_int_equal(s.count, 3);
    assert_true(s.hash_ok);
    memset(&s, 0, sizeof s);
    assert_int_equal(o.s.audit_read(o.s.userdata, 3, 100, see_audit, &s), 0);
    assert_int_equal(s.count, 2);
    close_backend(&o);
}

static void the_audit_log_appends_only_at_the_next_index(void **state) {
    (void)state;
    for (size_t i = 0; i < NBACKENDS; i++)
        check_audit(&backends[i]);
}

/* ---- the outbox ---------------------------------------------------------------------- */

static void put_outbox(opened *o, const char *id, int status, archase_instant due) {
    archase_record r = generic(ARCHASE_FAMILY_OUTBOX, id);
    r.status = status;
    r.instant = due;
    assert_int_equal(o->s.put(o->s.userdata, &r), 0);
}

static void check_outbox(const backend *b) {
    opened o;
    open_backend(b, &o);
    put_outbox(&o, "m3", ARCHASE_OUTBOX_PENDING, 1000);
    put_outbox(&o, "m1", ARCHASE_OUTBOX_PENDING, 2000);
    put_outbox(&o, "m2", ARCHASE_OUTBOX_FAILED_RETRY, 1000);
    put_outbox(&o, "m4", ARCHASE_OUTBOX_PENDING, 9000);  /* not due */
    put_outbox(&o, "m5", ARCHASE_OUTBOX_SENT, 500);      /* done */
    seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(o.s.outbox_claim(o.s.userdata, 5000, 2, collect, &s), 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.ids[0], "m2"); /* (instant, id) order */
    assert_string_equal(s.ids[1], "m3");
    assert_int_equal(s.last.status, ARCHASE_OUTBOX_SENDING);
    memset(&s, 0, sizeof s);
    assert_int_equal(o.s.outbox_claim(o.s.userdata, 5000, 10, collect, &s), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.ids[0], "m1");
    /* A failing callback keeps no claim. */
    put_outbox(&o, "m6", ARCHASE_OUTBOX_PENDING, 100);
    seen failing;
    memset(&failing, 0, sizeof failing);
    failing.fail_with = ARCHASE_ECALLBACK;
    assert_int_equal(o.s.outbox_claim(o.s.userdata, 5000, 10, collect, &failing), ARCHASE_ECALLBACK);
    assert_int_equal(get(&o, ARCHASE_FAMILY_OUTBOX, "m6", 0).last.status, ARCHASE_OUTBOX_PENDING);

    assert_int_equal(o.s.outbox_ack(o.s.userdata, "m2", ARCHASE_OUTBOX_SENT, 5001), 0);
    seen m2 = get(&o, ARCHASE_FAMILY_OUTBOX, "m2", 0);
    assert_int_equal(m2.last.status, ARCHASE_OUTBOX_SENT);
    assert_int_equal(m2.last.instant, 5001);
    assert_int_equal(o.s.outbox_ack(o.s.userdata, "m2", ARCHASE_OUTBOX_SENT, 5002), ARCHASE_ESTATE);
    assert_int_equal(o.s.outbox_ack(o.s.userdata, "m3", ARCHASE_OUTBOX_PENDING, 5002), ARCHASE_ESTATE);
    assert_int_equal(o.s.outbox_ack(o.s.userdata, "zz", ARCHASE_OUTBOX_SENT, 5002), ARCHASE_ENOTFOUND);
    assert_int_equal(o.s.outbox_ack(o.s.userdata, "m3", ARCHASE_OUTBOX_FAILED_RETRY, 7000), 0);
    assert_int_equal(o.s.outbox_mark_in_doubt(o.s.userdata, "m1", 5003), 0);
    assert_int_equal(get(&o, ARCHASE_FAMILY_OUTBOX, "m1", 0).last.status, ARCHASE_OUTBOX_IN_DOUBT);
    assert_int_equal(o.s.outbox_mark_in_doubt(o.s.userdata, "m1", 5003), ARCHASE_ESTATE);
    /* m3 is due again at 7000. */
    memset(&s, 0, sizeof s);
    assert_int_equal(o.s.outbox_claim(o.s.userdata, 7000, 10, collect, &s), 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.ids[0], "m6");
    assert_string_equal(s.ids[1], "m3");
    close_backend(&o);
}

static void outbox_items_move_through_their_states_atomically(void **state) {
    (void)state;
    for (size_t i = 0; i < NBACKENDS; i++)
        check_outbox(&backends[i]);
}

/* ---- faults under the engine ----------------------------------------------------------- */

/* A digest of everything in a store: every record of every family and every
 * audit entry, folded into a running hash. */
typedef struct digest {
    uint64_t h;
    uint64_t n;
} digest;

static void mix(digest *d, const void *p, size_t n) {
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        d->h ^= b[i];
        d->h *= 0x100000001b3ull;
    }
}

static void mix_str(digest *d, const char *s) {
    mix(d, s ? s : "\x01", s ? strlen(s) + 1 : 1);
}

static int digest_record(void *ctx, const archase_record *r) {
    digest *d = ctx;
    d->n++;
    mix_str(d, r->id);
    mix_str(d, r->customer_id);
    mix_str(d, r->invoice_id);
    int64_t v[] = { r->family, r->revision, r->status, r->date, r->date2, r->date3, r->amount,
                    r->amount2, r->instant };
    mix(d, v, sizeof v);
    mix_str(d, r->currency);
    mix(d, r->data, r->size);
    return 0;
}

static int digest_audit(void *ctx, const archase_audit_entry *e) {
    digest *d = ctx;
    d->n++;
    mix(d, &e->index, sizeof e->index);
    mix_str(d, e->actor);
    mix(d, e->data, e->size);
    return 0;
}

static digest store_digest(const archase_storage *s) {
    digest d = { 0xcbf29ce484222325ull, 0 };
    for (int fam = 1; fam < ARCHASE_FAMILY_LIMIT; fam++) {
        archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
        f.family = fam;
        assert_int_equal(s->scan(s->userdata, &f, digest_record, &d), 0);
    }
    assert_int_equal(s->audit_read(s->userdata, 0, UINT64_MAX, digest_audit, &d), 0);
    return d;
}

/* A clock that stands still: audit records (and the chain state hashed over
 * them) come out the same in every run. */
static archase_instant fixed_now(void *userdata) {
    (void)userdata;
    return 1767225600;
}

static const archase_engine_options *fixed_clock_options(void) {
    static const archase_clock clock = { ARCHASE_CLOCK_VERSION, NULL, fixed_now };
    static archase_engine_options opts = ARCHASE_ENGINE_OPTIONS_INIT;
    opts.clock = &clock;
    return &opts;
}

static archase_money eur(int64_t minor) {
    archase_money m = { minor, "EUR" };
    return m;
}

static int seed(archase_engine *eng) {
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME";
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = "I1";
    inv.customer_id = "C1";
    inv.issue_date = 20454;
    inv.due_date = 20484;
    inv.amount = eur(10000);
    int rc = archase_customer_put(eng, &c, NULL);
    if (!rc)
        rc = archase_invoice_put(eng, &inv, NULL);
    return rc;
}

/* Everything the scenario does through the engine. */
static int scenario(archase_engine *eng) {
    archase_batch *b = NULL;
    int rc = archase_batch_begin(eng, NULL, NULL, &b);
    if (rc)
        return rc;
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C2";
    c.name = "Globex";
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = "I2";
    inv.customer_id = "C2";
    inv.issue_date = 20454;
    inv.due_date = 20484;
    inv.amount = eur(5000);
    archase_payment p = ARCHASE_PAYMENT_INIT;
    p.id = "P1";
    p.customer_id = "C1";
    p.invoice_id = "I1";
    p.date = 20490;
    p.amount = eur(4000);
    archase_payment over = p;
    over.id = "P2";
    over.customer_id = "C2";
    over.invoice_id = "I2";
    over.amount = eur(6000);
    over.overpayment = 1;
    archase_invoice rev = ARCHASE_INVOICE_INIT;
    rev = inv;
    rev.revision = 1;
    rev.amount = eur(5500);
    rc = archase_batch_add_customer(b, &c, 1);
    if (!rc)
        rc = archase_batch_add_invoice(b, &inv, 2);
    if (!rc)
        rc = archase_batch_add_payment(b, &p, 3);
    if (!rc)
        rc = archase_batch_add_payment(b, &over, 4);
    if (!rc)
        rc = archase_batch_add_invoice(b, &rev, 5);
    int crc = archase_batch_commit(b, NULL);
    archase_batch_free(b);
    if (rc)
        return rc;
    if (crc)
        return crc;
    archase_customer_flags fl = ARCHASE_CUSTOMER_FLAGS_INIT;
    fl.customer_id = "C1";
    fl.hold = 1;
    return archase_customer_flags_put(eng, &fl, NULL);
}

/* Runs the scenario once on a fresh store with a call failing at `fail_at`
 * (0 = none); after a failure runs it again without one. Returns the digest
 * of the end state and whether a failure was injected. */
static digest run_with_fault(const backend *b, size_t fail_at, int *failed) {
    opened o;
    open_backend(b, &o);
    archase_storage wrapped;
    faultstore *fs = test_malloc(sizeof *fs);
    faultstore_wrap(fs, &o.inner, 0, &wrapped);
    archase_engine *eng = NULL;
    assert_int_equal(archase_engine_open(&wrapped, fixed_clock_options(), &eng), 0);
    assert_int_equal(seed(eng), 0);
    fs->fail_at = fail_at ? fs->calls + fail_at : 0;
    int rc = scenario(eng);
    *failed = fs->failures > 0;
    if (*failed) {
        if (rc != ARCHASE_ESTORAGE)
            fail_msg("%s: call %zu failed but the scenario returned %s", b->name, fail_at,
                     archase_error_name(rc));
        assert_non_null(strstr(archase_engine_errmsg(eng), "injected failure"));
        fs->fail_at = 0;
        rc = scenario(eng);
        if (rc)
            fail_msg("%s: after failing call %zu the engine did not recover: %s", b->name, fail_at,
                     archase_engine_errmsg(eng));
    } else {
        assert_int_equal(rc, 0);
    }
    digest d = store_digest(&fs->inner);
    archase_engine_free(eng);
    test_free(fs);
    remove_files(&o);
    return d;
}

static void check_faults(const backend *b) {
    int failed;
    digest reference = run_with_fault(b, 0, &failed);
    size_t n = 1;
    for (;; n++) {
        digest d = run_with_fault(b, n, &failed);
        if (!failed)
            break;
        if (d.h != reference.h || d.n != reference.n)
            fail_msg("%s: with call %zu failing once, the retried scenario ended elsewhere", b->name, n);
    }
    assert_true(n > 10);
}

/* Each failing call leaves the store exactly as before the operation it
 * belonged to: compared operation by operation. */
static void check_fault_atomicity(const backend *b) {
    for (size_t n = 1;; n++) {
        opened o;
        open_backend(b, &o);
        archase_storage wrapped;
        faultstore *fs = test_malloc(sizeof *fs);
        faultstore_wrap(fs, &o.inner, 0, &wrapped);
        archase_engine *eng = NULL;
        assert_int_equal(archase_engine_open(&wrapped, fixed_clock_options(), &eng), 0);
        assert_int_equal(seed(eng), 0);
        digest before = store_digest(&fs->inner);
        size_t start = fs->calls;
        fs->fail_at = start + n;
        /* One operation: the batch. */
        archase_batch *bt = NULL;
        int rc = archase_batch_begin(eng, NULL, NULL, &bt);
        archase_payment p = ARCHASE_PAYMENT_INIT;
        p.id = "P1";
        p.customer_id = "C1";
        p.invoice_id = "I1";
        p.date = 20490;
        p.amount = eur(10000);
        archase_note note = ARCHASE_NOTE_INIT;
        note.id = "N1";
        note.customer_id = "C1";
        note.invoice_id = "I1";
        note.text = "paid in full";
        if (!rc) {
            int r1 = archase_batch_add_payment(bt, &p, 1);
            int r2 = r1 ? r1 : archase_batch_add_note(bt, &note, 2);
            rc = archase_batch_commit(bt, NULL);
            if (!rc)
                rc = r2;
        }
        archase_batch_free(bt);
        int failed = fs->failures > 0;
        digest after = store_digest(&fs->inner);
        if (failed) {
            assert_int_equal(rc, ARCHASE_ESTORAGE);
            if (after.h != before.h || after.n != before.n)
                fail_msg("%s: failing call %zu left the store changed", b->name, n);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(after.n, before.n + 2 /* payment, note */ + 2 /* audit */);
        }
        archase_engine_free(eng);
        test_free(fs);
        remove_files(&o);
        if (!failed)
            break;
    }
}

static void a_failing_storage_call_fails_the_operation_and_changes_nothing(void **state) {
    (void)state;
    for (size_t i = 0; i < NBACKENDS; i++) {
        if (!backends[i].wrapped)
            check_fault_atomicity(&backends[i]);
    }
}

static void after_any_failing_call_the_engine_recovers(void **state) {
    (void)state;
    for (size_t i = 0; i < NBACKENDS; i++) {
        if (!backends[i].wrapped)
            check_faults(&backends[i]);
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(put_and_get_keep_every_envelope_field_and_the_bytes),
    cmocka_unit_test(put_replaces_insert_refuses_and_delete_removes),
    cmocka_unit_test(scans_are_in_id_byte_order_and_filter),
    cmocka_unit_test(scans_by_customer_and_invoice_follow_records_that_move),
    cmocka_unit_test(a_rollback_undoes_puts_deletes_and_audit_appends),
    cmocka_unit_test(the_audit_log_appends_only_at_the_next_index),
    cmocka_unit_test(outbox_items_move_through_their_states_atomically),
    cmocka_unit_test(a_failing_storage_call_fails_the_operation_and_changes_nothing),
    cmocka_unit_test(after_any_failing_call_the_engine_recovers),
};

AR_TEST_MAIN(tests)
