/* tests/test_outbox_slots.c — the outbox slots of both backends, as a host
 * that drives a backend directly sees them: claims that find nothing, stop
 * early or fail; acknowledgements that name no item, an item not being sent
 * or a status no acknowledgement sets; settlements refused as a whole; and,
 * for SQLite, every read, lock and write that fails under a claim, an
 * acknowledgement or a settlement, and every allocation that fails, each
 * leaving every item as it was. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archase/archase.h"
#include "archase/sys/storage.h"
#include "support/failalloc.h"
#include "support/faultvfs.h"
#include "support/testutil.h"

/* An instant whose UTC date is past 9999-12-31: SQLite cannot store it as text. */
#define FAR_FUTURE ((archase_instant)400000000000LL)

typedef struct store {
    int             sqlite;
    archase_storage s;
    char            dir[64];
    char            path[96];
} store;

static void remove_files(const char *path) {
    const char *suffixes[] = { "", "-wal", "-shm", "-journal" };
    for (size_t i = 0; i < 4; i++) {
        char p[160];
        snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        unlink(p);
    }
}

static int open_sqlite(store *st, const archase_allocator *a) {
    archase_sqlite_options o = ARCHASE_SQLITE_OPTIONS_INIT;
    o.busy_timeout_ms = 0;
    char err[256];
    return archase_sqlite_storage_open(st->path, &o, a, &st->s, err, sizeof err);
}

static void open_store(store *st, int sqlite) {
    memset(st, 0, sizeof *st);
    st->sqlite = sqlite;
    if (!sqlite) {
        assert_int_equal(archase_memory_storage_new(NULL, &st->s), 0);
        return;
    }
    snprintf(st->dir, sizeof st->dir, "/tmp/archase-outbox-XXXXXX");
    assert_non_null(mkdtemp(st->dir));
    snprintf(st->path, sizeof st->path, "%s/outbox.db", st->dir);
    assert_int_equal(open_sqlite(st, NULL), 0);
}

static void close_store(store *st) {
    if (st->s.close)
        st->s.close(st->s.userdata);
    st->s.close = NULL;
    if (st->sqlite) {
        remove_files(st->path);
        rmdir(st->dir);
    }
}

static const char *errmsg(store *st) {
    return st->s.errmsg(st->s.userdata);
}

static void put_item(store *st, const char *id, int status, archase_instant due) {
    archase_record r = ARCHASE_RECORD_INIT;
    r.family = ARCHASE_FAMILY_OUTBOX;
    r.id = id;
    r.status = status;
    r.instant = due;
    r.data = "msg";
    r.size = 3;
    assert_int_equal(st->s.put(st->s.userdata, &r), 0);
}

typedef struct item {
    int             found;
    int32_t         status;
    archase_instant instant;
    char            data[16];
    size_t          size;
} item;

static int read_item(void *ctx, const archase_record *r) {
    item *it = ctx;
    it->found = 1;
    it->status = r->status;
    it->instant = r->instant;
    it->size = r->size < sizeof it->data ? r->size : sizeof it->data;
    if (it->size)
        memcpy(it->data, r->data, it->size);
    return 0;
}

static item get_item(store *st, const char *id) {
    item it;
    memset(&it, 0, sizeof it);
    int rc = st->s.get(st->s.userdata, ARCHASE_FAMILY_OUTBOX, id, read_item, &it);
    if (rc && rc != ARCHASE_ENOTFOUND)
        fail_msg("get %s: %s (%s)", id, archase_error_name(rc), errmsg(st));
    return it;
}

static int32_t status_of(store *st, const char *id) {
    return get_item(st, id).status;
}

typedef struct claims {
    int  n;
    char ids[8][16];
    int  reply; /* what the callback returns */
    int  stop_after;
} claims;

static int take(void *ctx, const archase_record *r) {
    claims *c = ctx;
    if (c->n < 8)
        snprintf(c->ids[c->n], sizeof c->ids[0], "%s", r->id);
    c->n++;
    if (r->status != ARCHASE_OUTBOX_SENDING)
        return ARCHASE_EINVAL;
    if (c->stop_after && c->n >= c->stop_after)
        return ARCHASE_SCAN_STOP;
    return c->reply;
}

static int claim(store *st, archase_instant now, uint32_t limit, claims *c) {
    return st->s.outbox_claim(st->s.userdata, now, limit, take, c);
}

/* A SQLite store with `count` pending items, "a" due at 1000 and "b" at 1001,
 * and c (when given) emptied for a claim. */
static void open_sqlite_with_pending(store *st, int count, claims *c) {
    open_store(st, 1);
    put_item(st, "a", ARCHASE_OUTBOX_PENDING, 1000);
    if (count > 1)
        put_item(st, "b", ARCHASE_OUTBOX_PENDING, 1001);
    if (c)
        memset(c, 0, sizeof *c);
}

static archase_record settlement(const char *id, int status, archase_instant at) {
    archase_record r = ARCHASE_RECORD_INIT;
    r.family = ARCHASE_FAMILY_OUTBOX;
    r.id = id;
    r.status = status;
    r.instant = at;
    r.data = "done";
    r.size = 4;
    return r;
}

/* ---- claims ------------------------------------------------------------------------------ */

static void check_claims(int sqlite) {
    store st;
    open_store(&st, sqlite);
    claims c;
    memset(&c, 0, sizeof c);
    /* An empty outbox, a limit of 0 and nothing due yet claim nothing. */
    assert_int_equal(claim(&st, 5000, 10, &c), 0);
    put_item(&st, "a", ARCHASE_OUTBOX_PENDING, 1000);
    put_item(&st, "b", ARCHASE_OUTBOX_PENDING, 2000);
    put_item(&st, "c", ARCHASE_OUTBOX_FAILED_RETRY, 3000);
    assert_int_equal(claim(&st, 5000, 0, &c), 0);
    assert_int_equal(claim(&st, 999, 10, &c), 0);
    assert_int_equal(c.n, 0);
    assert_int_equal(status_of(&st, "a"), ARCHASE_OUTBOX_PENDING);

    /* A callback that stops keeps the claims made up to it, and only those. */
    c.stop_after = 1;
    assert_int_equal(claim(&st, 5000, 10, &c), 0);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.ids[0], "a");
    assert_int_equal(status_of(&st, "a"), ARCHASE_OUTBOX_SENDING);
    assert_int_equal(status_of(&st, "b"), ARCHASE_OUTBOX_PENDING);
    assert_int_equal(status_of(&st, "c"), ARCHASE_OUTBOX_FAILED_RETRY);

    /* Inside the host's transaction a failing callback takes back this
     * claim's transitions only: the earlier put of the transaction stays. */
    assert_int_equal(st.s.begin(st.s.userdata), 0);
    put_item(&st, "d", ARCHASE_OUTBOX_PENDING, 4000);
    memset(&c, 0, sizeof c);
    c.reply = ARCHASE_ECALLBACK;
    assert_int_equal(claim(&st, 5000, 10, &c), ARCHASE_ECALLBACK);
    assert_int_equal(c.n, 1);
    assert_int_equal(status_of(&st, "b"), ARCHASE_OUTBOX_PENDING);
    assert_int_equal(status_of(&st, "d"), ARCHASE_OUTBOX_PENDING);
    assert_int_equal(st.s.commit(st.s.userdata), 0);
    assert_int_equal(status_of(&st, "d"), ARCHASE_OUTBOX_PENDING);
    assert_int_equal(status_of(&st, "a"), ARCHASE_OUTBOX_SENDING);

    /* The rest, in (instant, id) order. */
    memset(&c, 0, sizeof c);
    assert_int_equal(claim(&st, 5000, 10, &c), 0);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.ids[0], "b");
    assert_string_equal(c.ids[1], "c");
    assert_string_equal(c.ids[2], "d");
    close_store(&st);
}

static void claims_that_find_nothing_stop_or_fail_keep_only_what_they_handed_over(void **state) {
    (void)state;
    check_claims(0);
    check_claims(1);
}

/* Ids that agree in their first 50 bytes, and ids shorter than that. */
#define LONG_BEGINNING "2026-03-02/send_message/CUSTOMER-0000000000000042/"

typedef struct id_list {
    int  n;
    char ids[8][80];
} id_list;

static int take_id(void *ctx, const archase_record *r) {
    id_list *l = ctx;
    if (l->n < 8)
        snprintf(l->ids[l->n], sizeof l->ids[0], "%s", r->id);
    l->n++;
    return 0;
}

static void check_claim_order(int sqlite) {
    static const char *const expected[] = {
        LONG_BEGINNING "c", LONG_BEGINNING, LONG_BEGINNING "a", LONG_BEGINNING "ab", LONG_BEGINNING "b", "short",
    };
    store st;
    open_store(&st, sqlite);
    put_item(&st, LONG_BEGINNING "b", ARCHASE_OUTBOX_PENDING, 1000);
    put_item(&st, "short", ARCHASE_OUTBOX_PENDING, 1000);
    put_item(&st, LONG_BEGINNING "ab", ARCHASE_OUTBOX_FAILED_RETRY, 1000);
    put_item(&st, LONG_BEGINNING, ARCHASE_OUTBOX_PENDING, 1000);
    put_item(&st, LONG_BEGINNING "c", ARCHASE_OUTBOX_PENDING, 999);
    put_item(&st, LONG_BEGINNING "a", ARCHASE_OUTBOX_PENDING, 1000);
    /* A claim taken back leaves the order as it was. */
    id_list l;
    memset(&l, 0, sizeof l);
    assert_int_equal(st.s.begin(st.s.userdata), 0);
    assert_int_equal(st.s.outbox_claim(st.s.userdata, 1000, 3, take_id, &l), 0);
    assert_int_equal(st.s.rollback(st.s.userdata), 0);
    assert_int_equal(l.n, 3);
    for (int i = 0; i < 3; i++)
        assert_string_equal(l.ids[i], expected[i]);
    memset(&l, 0, sizeof l);
    assert_int_equal(st.s.outbox_claim(st.s.userdata, 1000, 2, take_id, &l), 0);
    assert_int_equal(st.s.outbox_claim(st.s.userdata, 1000, 10, take_id, &l), 0);
    assert_int_equal(l.n, 6);
    for (int i = 0; i < 6; i++)
        assert_string_equal(l.ids[i], expected[i]);
    close_store(&st);
}

static void claims_take_items_by_instant_then_id_however_long_the_ids_agree(void **state) {
    (void)state;
    check_claim_order(0);
    check_claim_order(1);
}

static void a_claim_at_an_instant_sqlite_cannot_write_is_refused(void **state) {
    (void)state;
    store st;
    claims c;
    open_sqlite_with_pending(&st, 1, &c);
    assert_int_equal(claim(&st, FAR_FUTURE, 10, &c), ARCHASE_EINVAL);
    assert_string_equal(errmsg(&st), "the instant is out of range");
    assert_int_equal(c.n, 0);
    assert_int_equal(status_of(&st, "a"), ARCHASE_OUTBOX_PENDING);
    close_store(&st);
}

/* ---- acknowledgements -------------------------------------------------------------------- */

static void check_acknowledgements(int sqlite) {
    store st;
    open_store(&st, sqlite);
    void *u = NULL;
    put_item(&st, "a", ARCHASE_OUTBOX_PENDING, 1000);
    put_item(&st, "b", ARCHASE_OUTBOX_PENDING, 1001);
    put_item(&st, "c", ARCHASE_OUTBOX_PENDING, 1002);
    claims c;
    memset(&c, 0, sizeof c);
    assert_int_equal(claim(&st, 5000, 10, &c), 0);
    assert_int_equal(c.n, 3);
    u = st.s.userdata;

    /* No id: SQLite says so, the memory backend finds no such item. */
    assert_int_equal(st.s.outbox_ack(u, NULL, ARCHASE_OUTBOX_SENT, 6000), sqlite ? ARCHASE_EINVAL : ARCHASE_ENOTFOUND);
    assert_int_equal(st.s.outbox_mark_in_doubt(u, NULL, 6000), sqlite ? ARCHASE_EINVAL : ARCHASE_ENOTFOUND);
    if (sqlite)
        assert_string_equal(errmsg(&st), "no id");
    assert_int_equal(st.s.outbox_mark_in_doubt(u, "zz", 6000), ARCHASE_ENOTFOUND);
    /* Statuses an acknowledgement cannot set. */
    static const int not_acks[] = { ARCHASE_OUTBOX_PENDING, ARCHASE_OUTBOX_SENDING, ARCHASE_OUTBOX_IN_DOUBT,
                                    ARCHASE_OUTBOX_DRAFT, 0, 99 };
    for (size_t i = 0; i < sizeof not_acks / sizeof not_acks[0]; i++) {
        assert_int_equal(st.s.outbox_ack(u, "a", not_acks[i], 6000), ARCHASE_ESTATE);
        assert_string_equal(errmsg(&st), "not a status an acknowledgement can set");
    }
    assert_int_equal(status_of(&st, "a"), ARCHASE_OUTBOX_SENDING);
    /* Every status it can set, each with its instant. */
    assert_int_equal(st.s.outbox_ack(u, "a", ARCHASE_OUTBOX_DEAD, 6001), 0);
    assert_int_equal(st.s.outbox_ack(u, "b", ARCHASE_OUTBOX_CANCELLED, 6002), 0);
    assert_int_equal(st.s.outbox_mark_in_doubt(u, "c", 6003), 0);
    put_item(&st, "d", ARCHASE_OUTBOX_PENDING, 1003);
    memset(&c, 0, sizeof c);
    assert_int_equal(claim(&st, 5000, 10, &c), 0);
    assert_int_equal(st.s.outbox_ack(u, "d", ARCHASE_OUTBOX_FAILED_RETRY, 9000), 0);
    assert_int_equal(status_of(&st, "d"), ARCHASE_OUTBOX_FAILED_RETRY);
    item a = get_item(&st, "a"), b = get_item(&st, "b"), cc = get_item(&st, "c");
    assert_int_equal(a.status, ARCHASE_OUTBOX_DEAD);
    assert_int_equal(a.instant, 6001);
    assert_int_equal(b.status, ARCHASE_OUTBOX_CANCELLED);
    assert_int_equal(b.instant, 6002);
    assert_int_equal(cc.status, ARCHASE_OUTBOX_IN_DOUBT);
    assert_int_equal(cc.instant, 6003);
    /* Not being sent any more. */
    assert_int_equal(st.s.outbox_ack(u, "a", ARCHASE_OUTBOX_SENT, 6004), ARCHASE_ESTATE);
    assert_string_equal(errmsg(&st), "the outbox item is not being sent");
    assert_int_equal(st.s.outbox_mark_in_doubt(u, "b", 6004), ARCHASE_ESTATE);
    assert_int_equal(get_item(&st, "a").instant, 6001);
    close_store(&st);
}

static void acknowledgements_move_only_items_being_sent_to_the_statuses_they_may_set(void **state) {
    (void)state;
    check_acknowledgements(0);
    check_acknowledgements(1);
}

static void an_acknowledgement_at_an_instant_sqlite_cannot_write_moves_nothing(void **state) {
    (void)state;
    store st;
    claims c;
    open_sqlite_with_pending(&st, 1, &c);
    assert_int_equal(claim(&st, 5000, 10, &c), 0);
    assert_int_equal(st.s.outbox_ack(st.s.userdata, "a", ARCHASE_OUTBOX_SENT, FAR_FUTURE), ARCHASE_EINVAL);
    assert_string_equal(errmsg(&st), "the instant is out of range");
    assert_int_equal(st.s.outbox_mark_in_doubt(st.s.userdata, "a", -FAR_FUTURE), ARCHASE_EINVAL);
    item a = get_item(&st, "a");
    assert_int_equal(a.status, ARCHASE_OUTBOX_SENDING);
    assert_int_equal(a.instant, 1000);
    close_store(&st);
}

/* ---- settlements --------------------------------------------------------------------------- */

static void check_settlements(int sqlite) {
    store st;
    open_store(&st, sqlite);
    void *u = st.s.userdata;
    put_item(&st, "a", ARCHASE_OUTBOX_PENDING, 1000);
    put_item(&st, "b", ARCHASE_OUTBOX_PENDING, 1001);
    put_item(&st, "p", ARCHASE_OUTBOX_PENDING, 9000); /* not claimed */
    claims c;
    memset(&c, 0, sizeof c);
    assert_int_equal(claim(&st, 5000, 10, &c), 0);
    assert_int_equal(c.n, 2);

    archase_record rs[2] = { settlement("a", ARCHASE_OUTBOX_SENT, 6000), settlement("b", ARCHASE_OUTBOX_SENT, 6000) };
    assert_int_equal(st.s.outbox_settle(u, NULL, 1), ARCHASE_EINVAL);
    assert_string_equal(errmsg(&st), "no records");
    assert_int_equal(st.s.outbox_settle(u, NULL, 0), 0);
    /* A bad second record refuses the whole batch before anything moves. */
    rs[1].version = 9;
    assert_int_equal(st.s.outbox_settle(u, rs, 2), ARCHASE_EINVAL);
    assert_string_equal(errmsg(&st), "bad record");
    rs[1] = settlement(NULL, ARCHASE_OUTBOX_SENT, 6000);
    assert_int_equal(st.s.outbox_settle(u, rs, 2), ARCHASE_EINVAL);
    rs[1] = settlement("b", ARCHASE_OUTBOX_SENT, 6000);
    rs[1].data = NULL;
    assert_int_equal(st.s.outbox_settle(u, rs, 2), ARCHASE_EINVAL);
    rs[1] = settlement("b", ARCHASE_OUTBOX_PENDING, 6000);
    assert_int_equal(st.s.outbox_settle(u, rs, 2), ARCHASE_ESTATE);
    assert_string_equal(errmsg(&st), "not a status an acknowledgement can set");
    /* An item that does not exist, one not being sent, one named twice. */
    rs[1] = settlement("zz", ARCHASE_OUTBOX_SENT, 6000);
    assert_int_equal(st.s.outbox_settle(u, rs, 2), ARCHASE_ENOTFOUND);
    rs[1] = settlement("p", ARCHASE_OUTBOX_SENT, 6000);
    assert_int_equal(st.s.outbox_settle(u, rs, 2), ARCHASE_ESTATE);
    assert_string_equal(errmsg(&st), "the outbox item is not being sent");
    rs[1] = settlement("a", ARCHASE_OUTBOX_DEAD, 6000);
    assert_int_equal(st.s.outbox_settle(u, rs, 2), ARCHASE_ESTATE);
    item a = get_item(&st, "a");
    assert_int_equal(a.status, ARCHASE_OUTBOX_SENDING);
    assert_int_equal(a.size, 3);
    assert_memory_equal(a.data, "msg", 3);

    /* Inside the host's transaction a refused settlement takes back only
     * its own changes. */
    assert_int_equal(st.s.begin(u), 0);
    put_item(&st, "q", ARCHASE_OUTBOX_DRAFT, 1);
    assert_int_equal(st.s.outbox_settle(u, rs, 2), ARCHASE_ESTATE);
    assert_int_equal(st.s.commit(u), 0);
    assert_int_equal(status_of(&st, "q"), ARCHASE_OUTBOX_DRAFT);
    assert_int_equal(status_of(&st, "a"), ARCHASE_OUTBOX_SENDING);

    /* A settlement without data empties the item's bytes. */
    rs[0] = settlement("a", ARCHASE_OUTBOX_IN_DOUBT, 6001);
    rs[0].data = NULL;
    rs[0].size = 0;
    rs[1] = settlement("b", ARCHASE_OUTBOX_FAILED_RETRY, 6002);
    assert_int_equal(st.s.outbox_settle(u, rs, 2), 0);
    a = get_item(&st, "a");
    item b = get_item(&st, "b");
    assert_int_equal(a.status, ARCHASE_OUTBOX_IN_DOUBT);
    assert_int_equal(a.instant, 6001);
    assert_int_equal(a.size, 0);
    assert_int_equal(b.status, ARCHASE_OUTBOX_FAILED_RETRY);
    assert_int_equal(b.size, 4);
    assert_memory_equal(b.data, "done", 4);
    /* b is due again, and cancelled once claimed. */
    memset(&c, 0, sizeof c);
    assert_int_equal(claim(&st, 7000, 10, &c), 0);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.ids[0], "b");
    archase_record again[1] = { settlement("b", ARCHASE_OUTBOX_CANCELLED, 7001) };
    assert_int_equal(st.s.outbox_settle(u, again, 1), 0);
    assert_int_equal(status_of(&st, "b"), ARCHASE_OUTBOX_CANCELLED);
    close_store(&st);
}

static void settlements_change_every_item_or_none(void **state) {
    (void)state;
    check_settlements(0);
    check_settlements(1);
}

static void a_settlement_at_an_instant_sqlite_cannot_write_changes_nothing(void **state) {
    (void)state;
    store st;
    claims c;
    open_sqlite_with_pending(&st, 2, &c);
    assert_int_equal(claim(&st, 5000, 10, &c), 0);
    archase_record rs[2] = { settlement("a", ARCHASE_OUTBOX_SENT, 6000), settlement("b", ARCHASE_OUTBOX_SENT, FAR_FUTURE) };
    assert_int_equal(st.s.outbox_settle(st.s.userdata, rs, 2), ARCHASE_EINVAL);
    assert_string_equal(errmsg(&st), "the instant is out of range");
    assert_int_equal(status_of(&st, "a"), ARCHASE_OUTBOX_SENDING);
    assert_int_equal(status_of(&st, "b"), ARCHASE_OUTBOX_SENDING);
    close_store(&st);
}

static void an_item_edited_by_hand_so_that_it_no_longer_reads_is_not_claimed(void **state) {
    (void)state;
    store st;
    open_sqlite_with_pending(&st, 2, NULL);
    st.s.close(st.s.userdata);
    st.s.close = NULL;
    /* A person wrote b's instant without its zone: it still sorts as due. */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(st.path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE outbox SET at = '1970-01-01T00:16:41' WHERE id = 'b'", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(open_sqlite(&st, NULL), 0);
    claims c;
    memset(&c, 0, sizeof c);
    assert_int_equal(claim(&st, 5000, 10, &c), ARCHASE_ESTORAGE);
    assert_string_equal(errmsg(&st), "a stored instant cannot be read");
    /* a was handed over before b failed to read: the claim keeps neither. */
    assert_int_equal(c.n, 1);
    assert_int_equal(status_of(&st, "a"), ARCHASE_OUTBOX_PENDING);
    close_store(&st);
}

/* ---- SQLite: the disk fails under the outbox ------------------------------------------------- */

typedef int (*outbox_op)(store *st);

/* Claims both due items; both are then sending. */
static int op_claim(store *st) {
    claims c;
    memset(&c, 0, sizeof c);
    int rc = claim(st, 5000, 10, &c);
    if (!rc && c.n != 2)
        fail_msg("claimed %d items", c.n);
    return rc;
}

static int op_settle(store *st) {
    archase_record rs[2] = { settlement("a", ARCHASE_OUTBOX_SENT, 6000), settlement("b", ARCHASE_OUTBOX_DEAD, 6000) };
    return st->s.outbox_settle(st->s.userdata, rs, 2);
}

static int op_ack(store *st) {
    return st->s.outbox_ack(st->s.userdata, "a", ARCHASE_OUTBOX_SENT, 6000);
}

static int op_doubt(store *st) {
    return st->s.outbox_mark_in_doubt(st->s.userdata, "b", 6000);
}

/* The statuses of a and b, read by a connection of the test's own. */
static void statuses_on_disk(const char *path, char *out, size_t size) {
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT group_concat(status, ',') FROM"
                                            " (SELECT status FROM outbox WHERE id IN ('a', 'b') ORDER BY id)",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    snprintf(out, size, "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    sqlite3_close(db);
}

static void set_statuses(const char *path, const char *status) {
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE outbox SET status = '%s', at = '1970-01-01T00:16:40Z'", status);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void outbox_changes_that_fail_on_disk_leave_every_item_as_it_was(void **state) {
    (void)state;
    store st;
    open_store(&st, 1);
    put_item(&st, "a", ARCHASE_OUTBOX_PENDING, 1000);
    put_item(&st, "b", ARCHASE_OUTBOX_PENDING, 1000);
    st.s.close(st.s.userdata);
    st.s.close = NULL;
    static const struct {
        outbox_op   op;
        const char *before, *after; /* statuses of a and b */
        unsigned    kinds;
        int         code;
    } runs[] = {
        { op_claim, "pending", "sending,sending", FAULTVFS_READ, SQLITE_IOERR_READ },
        { op_claim, "pending", "sending,sending", FAULTVFS_WRITE, SQLITE_FULL },
        { op_claim, "pending", "sending,sending", FAULTVFS_LOCK, SQLITE_BUSY },
        { op_claim, "pending", "sending,sending", FAULTVFS_SHMLOCK, SQLITE_BUSY },
        { op_settle, "sending", "sent,dead", FAULTVFS_READ, SQLITE_IOERR_READ },
        { op_settle, "sending", "sent,dead", FAULTVFS_WRITE, SQLITE_FULL },
        { op_settle, "sending", "sent,dead", FAULTVFS_LOCK, SQLITE_BUSY },
        { op_ack, "sending", "sent,sending", FAULTVFS_READ, SQLITE_IOERR_READ },
        { op_ack, "sending", "sent,sending", FAULTVFS_WRITE, SQLITE_FULL },
        { op_doubt, "sending", "sending,in_doubt", FAULTVFS_LOCK, SQLITE_BUSY },
    };
    int refused = 0;
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        /* Under valgrind every third fault: each one opens the store anew. */
        for (size_t n = 1; n < 40; n += test_under_valgrind() ? 3 : 1) {
            set_statuses(st.path, runs[r].before);
            char expect_before[40], now[40];
            snprintf(expect_before, sizeof expect_before, "%s,%s", runs[r].before, runs[r].before);
            assert_int_equal(open_sqlite(&st, NULL), 0);
            /* Once: the operation fails at that call, and the shared-memory
             * lock a reader retries for seconds is failed only once too. */
            faultvfs_arm(runs[r].kinds, n, runs[r].code, runs[r].kinds != FAULTVFS_SHMLOCK);
            int rc = runs[r].op(&st);
            size_t failed = faultvfs_failures();
            faultvfs_disarm();
            const char *message = errmsg(&st);
            char msg[300];
            snprintf(msg, sizeof msg, "%s", message);
            st.s.close(st.s.userdata);
            st.s.close = NULL;
            statuses_on_disk(st.path, now, sizeof now);
            if (!failed) {
                assert_int_equal(rc, 0);
                assert_string_equal(now, runs[r].after);
                break;
            }
            if (rc == 0) {
                /* SQLite got by without the failed call: the change is whole. */
                assert_string_equal(now, runs[r].after);
                continue;
            }
            refused++;
            if (rc != ARCHASE_ESTORAGE && rc != ARCHASE_EBUSY)
                fail_msg("run %zu, fault %zu: %s (%s)", r, n, archase_error_name(rc), msg);
            assert_true(msg[0] != '\0');
            if (strcmp(now, expect_before))
                fail_msg("run %zu, fault %zu: %s left the items %s (%s)", r, n, archase_error_name(rc), now, msg);
        }
    }
    assert_true(refused > 8);
    close_store(&st);
}

/* ---- allocation failures ---------------------------------------------------------------------- */

typedef struct alloc_run {
    int  sqlite;
    char template_path[96]; /* a store holding the four pending items */
    char path[96];
    int  stage; /* 1: claiming, 2: settling, 3: done */
} alloc_run;

static const char *const alloc_ids[] = { "a-first-item-with-a-long-id", "b-second-item-with-a-long-id",
                                         "c-third-item-with-a-long-id", "d-fourth-item-with-a-long-id" };

static void put_alloc_items(store *st) {
    for (size_t i = 0; i < 4; i++)
        put_item(st, alloc_ids[i], ARCHASE_OUTBOX_PENDING, 1000 + (archase_instant)i);
}

static void copy_file(const char *from, const char *to) {
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, in)) > 0)
        assert_int_equal(fwrite(chunk, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

static int outbox_with(const archase_allocator *a, void *ctx) {
    alloc_run *ar = ctx;
    store st;
    memset(&st, 0, sizeof st);
    ar->stage = 0;
    int rc;
    if (ar->sqlite) {
        remove_files(ar->path);
        copy_file(ar->template_path, ar->path);
        snprintf(st.path, sizeof st.path, "%s", ar->path);
        rc = open_sqlite(&st, a);
    } else {
        rc = archase_memory_storage_new(a, &st.s);
        for (size_t i = 0; i < 4 && !rc; i++) {
            archase_record r = ARCHASE_RECORD_INIT;
            r.family = ARCHASE_FAMILY_OUTBOX;
            r.id = alloc_ids[i];
            r.status = ARCHASE_OUTBOX_PENDING;
            r.instant = 1000 + (archase_instant)i;
            r.data = "msg";
            r.size = 3;
            rc = st.s.put(st.s.userdata, &r);
            if (rc)
                st.s.close(st.s.userdata);
        }
    }
    if (rc)
        return rc;
    claims c;
    memset(&c, 0, sizeof c);
    ar->stage = 1;
    rc = claim(&st, 5000, 10, &c);
    if (!rc && c.n != 4)
        rc = ARCHASE_EINVAL;
    /* A claim that failed kept nothing. */
    if (rc == ARCHASE_ENOMEM) {
        for (size_t i = 0; i < 4; i++) {
            item it;
            memset(&it, 0, sizeof it);
            if (st.s.get(st.s.userdata, ARCHASE_FAMILY_OUTBOX, alloc_ids[i], read_item, &it) == 0 &&
                it.status != ARCHASE_OUTBOX_PENDING)
                rc = ARCHASE_EINVAL;
        }
    }
    if (!rc) {
        ar->stage = 2;
        archase_record rs[4];
        for (size_t i = 0; i < 4; i++)
            rs[i] = settlement(alloc_ids[i], ARCHASE_OUTBOX_SENT, 6000);
        rc = st.s.outbox_settle(st.s.userdata, rs, 4);
    }
    if (!rc)
        ar->stage = 3;
    st.s.close(st.s.userdata);
    return rc;
}

static void claims_and_settlements_survive_every_allocation_failure(void **state) {
    (void)state;
    alloc_run ar;
    memset(&ar, 0, sizeof ar);
    assert_true(failalloc_loop(outbox_with, NULL, &ar) > 2);
    assert_int_equal(ar.stage, 3);

    store tmpl;
    open_store(&tmpl, 1);
    put_alloc_items(&tmpl);
    tmpl.s.close(tmpl.s.userdata); /* a clean close folds the WAL into the file */
    tmpl.s.close = NULL;
    ar.sqlite = 1;
    snprintf(ar.template_path, sizeof ar.template_path, "%s", tmpl.path);
    snprintf(ar.path, sizeof ar.path, "%s/alloc.db", tmpl.dir);
    assert_true(failalloc_loop(outbox_with, NULL, &ar) > 2);
    assert_int_equal(ar.stage, 3);
    remove_files(ar.path);
    close_store(&tmpl);
}

/* Every connection goes through the fault shim; syncs are counted but not
 * made: these tests are about errors, not disks. */
static int install_faultvfs(void **state) {
    (void)state;
    if (faultvfs_install() != SQLITE_OK)
        return -1;
    faultvfs_skip_fsync(1);
    return 0;
}

static int uninstall_faultvfs(void **state) {
    (void)state;
    faultvfs_uninstall();
    return 0;
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(claims_that_find_nothing_stop_or_fail_keep_only_what_they_handed_over),
    cmocka_unit_test(claims_take_items_by_instant_then_id_however_long_the_ids_agree),
    cmocka_unit_test(a_claim_at_an_instant_sqlite_cannot_write_is_refused),
    cmocka_unit_test(acknowledgements_move_only_items_being_sent_to_the_statuses_they_may_set),
    cmocka_unit_test(an_acknowledgement_at_an_instant_sqlite_cannot_write_moves_nothing),
    cmocka_unit_test(settlements_change_every_item_or_none),
    cmocka_unit_test(a_settlement_at_an_instant_sqlite_cannot_write_changes_nothing),
    cmocka_unit_test(an_item_edited_by_hand_so_that_it_no_longer_reads_is_not_claimed),
    cmocka_unit_test(outbox_changes_that_fail_on_disk_leave_every_item_as_it_was),
    cmocka_unit_test(claims_and_settlements_survive_every_allocation_failure),
};

int main(void) {
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name(__FILE__, tests, install_faultvfs, uninstall_faultvfs);
}
