/* tests/test_audit_record_decoders.c — the records the audit log keeps in
 * the store beside its entries (the chain state, a Merkle frontier, a stored
 * checkpoint) are read back only when they are exactly what was written:
 * another kind, a field missing, out of order, of another type, a negative
 * size or a list of the wrong length is ARCHASE_EPARSE, and nothing is
 * handed out. */
#include <string.h>

#include "archase/archase.h"
#include "audit/log.h"
#include "audit/merkle.h"
#include "audit/store.h"
#include "core/canon.h"
#include "support/testutil.h"

/* A record written by `write`, decoded by `decode`: its result. */
typedef void (*write_fn)(ar_canon *c);

/* Runs `write` into c (freed by the caller) and hands out its bytes. */
static void write_record(ar_canon *c, write_fn write, const uint8_t **data, size_t *size) {
    ar_canon_init(c, NULL);
    write(c);
    assert_int_equal(ar_canon_finish(c, data, size), 0);
}

/* A record written wrong, and what is wrong with it. */
typedef struct wrong_record {
    const char *what;
    write_fn    write;
} wrong_record;

/* Fails naming the first of the n records that `decode` reads (anything but
 * ARCHASE_EPARSE), as "a <thing> with <what> was read". */
static void none_is_read(int (*decode)(write_fn), const char *thing, const wrong_record *wrong, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (decode(wrong[i].write) != ARCHASE_EPARSE)
            fail_msg("a %s with %s was read", thing, wrong[i].what);
}

static int decode_state(write_fn write) {
    ar_canon c;
    const uint8_t *data = NULL;
    size_t size = 0;
    write_record(&c, write, &data, &size);
    ar_audit_chain chain, before;
    memset(&chain, 0x5c, sizeof chain);
    before = chain;
    int rc = ar_audit_state_decode(data, size, &chain);
    if (rc)
        assert_memory_equal(&chain, &before, sizeof chain);
    ar_canon_free(&c);
    return rc;
}

static int decode_frontier(write_fn write) {
    ar_canon c;
    const uint8_t *data = NULL;
    size_t size = 0;
    write_record(&c, write, &data, &size);
    ar_merkle_frontier f, before;
    memset(&f, 0x5c, sizeof f);
    before = f;
    int rc = ar_merkle_frontier_decode(&f, data, size);
    if (rc)
        assert_memory_equal(&f, &before, sizeof f);
    ar_canon_free(&c);
    return rc;
}

static int decode_checkpoint(write_fn write) {
    ar_canon c;
    const uint8_t *data = NULL;
    size_t size = 0;
    write_record(&c, write, &data, &size);
    archase_checkpoint cp, before;
    uint8_t key[32];
    memset(&cp, 0x5c, sizeof cp);
    before = cp;
    int rc = ar_checkpoint_record_decode(data, size, &cp, key);
    if (rc)
        assert_memory_equal(&cp, &before, sizeof cp);
    ar_canon_free(&c);
    return rc;
}

static const uint8_t hash_a[32] = { 0xaa }, hash_b[32] = { 0xbb };

/* ---- the chain state: RECORD "AC" { 1 INT size, 2 HASH head, 3 LIST of HASH } ---- */

static void state_of_three(ar_canon *c) { /* size 3: two subtree roots */
    ar_canon_begin_record(c, AR_AUDIT_STATE_KIND);
    ar_canon_put_int(c, 1, 3);
    ar_canon_put_hash(c, 2, hash_a);
    ar_canon_field(c, 3);
    ar_canon_begin_list(c);
    ar_canon_hash(c, hash_a);
    ar_canon_hash(c, hash_b);
    ar_canon_end_list(c);
    ar_canon_end_record(c);
}
static void state_other_kind(ar_canon *c) {
    ar_canon_begin_record(c, AR_MERKLE_FRONTIER_KIND);
    ar_canon_put_int(c, 1, 0);
    ar_canon_put_hash(c, 2, hash_a);
    ar_canon_field(c, 3);
    ar_canon_begin_list(c);
    ar_canon_end_list(c);
    ar_canon_end_record(c);
}
static void state_two_fields(ar_canon *c) {
    ar_canon_begin_record(c, AR_AUDIT_STATE_KIND);
    ar_canon_put_int(c, 1, 0);
    ar_canon_put_hash(c, 2, hash_a);
    ar_canon_end_record(c);
}
static void state_size_second(ar_canon *c) {
    ar_canon_begin_record(c, AR_AUDIT_STATE_KIND);
    ar_canon_put_hash(c, 2, hash_a);
    ar_canon_put_int(c, 3, 0);
    ar_canon_put_int(c, 4, 0);
    ar_canon_end_record(c);
}
static void state_size_text(ar_canon *c) {
    ar_canon_begin_record(c, AR_AUDIT_STATE_KIND);
    ar_canon_put_str(c, 1, "3");
    ar_canon_put_hash(c, 2, hash_a);
    ar_canon_put_int(c, 3, 0);
    ar_canon_end_record(c);
}
static void state_size_negative(ar_canon *c) {
    ar_canon_begin_record(c, AR_AUDIT_STATE_KIND);
    ar_canon_put_int(c, 1, -1);
    ar_canon_put_hash(c, 2, hash_a);
    ar_canon_put_int(c, 3, 0);
    ar_canon_end_record(c);
}
static void state_head_not_hash(ar_canon *c) {
    ar_canon_begin_record(c, AR_AUDIT_STATE_KIND);
    ar_canon_put_int(c, 1, 0);
    ar_canon_put_int(c, 2, 0);
    ar_canon_put_int(c, 3, 0);
    ar_canon_end_record(c);
}
static void state_head_in_field_4(ar_canon *c) {
    ar_canon_begin_record(c, AR_AUDIT_STATE_KIND);
    ar_canon_put_int(c, 1, 0);
    ar_canon_put_hash(c, 4, hash_a);
    ar_canon_put_int(c, 5, 0);
    ar_canon_end_record(c);
}
static void state_roots_not_list(ar_canon *c) {
    ar_canon_begin_record(c, AR_AUDIT_STATE_KIND);
    ar_canon_put_int(c, 1, 0);
    ar_canon_put_hash(c, 2, hash_a);
    ar_canon_put_hash(c, 3, hash_a);
    ar_canon_end_record(c);
}
static void state_roots_in_field_4(ar_canon *c) {
    ar_canon_begin_record(c, AR_AUDIT_STATE_KIND);
    ar_canon_put_int(c, 1, 0);
    ar_canon_put_hash(c, 2, hash_a);
    ar_canon_field(c, 4);
    ar_canon_begin_list(c);
    ar_canon_end_list(c);
    ar_canon_end_record(c);
}
static void state_one_root_for_three(ar_canon *c) {
    ar_canon_begin_record(c, AR_AUDIT_STATE_KIND);
    ar_canon_put_int(c, 1, 3);
    ar_canon_put_hash(c, 2, hash_a);
    ar_canon_field(c, 3);
    ar_canon_begin_list(c);
    ar_canon_hash(c, hash_a);
    ar_canon_end_list(c);
    ar_canon_end_record(c);
}
static void state_root_not_hash(ar_canon *c) {
    ar_canon_begin_record(c, AR_AUDIT_STATE_KIND);
    ar_canon_put_int(c, 1, 3);
    ar_canon_put_hash(c, 2, hash_a);
    ar_canon_field(c, 3);
    ar_canon_begin_list(c);
    ar_canon_hash(c, hash_a);
    ar_canon_int(c, 7);
    ar_canon_end_list(c);
    ar_canon_end_record(c);
}

static void the_chain_state_is_read_only_as_written(void **state) {
    (void)state;
    assert_int_equal(decode_state(state_of_three), 0);
    static const wrong_record wrong[] = {
        { "another kind", state_other_kind },        { "two fields", state_two_fields },
        { "the size second", state_size_second },    { "the size as text", state_size_text },
        { "a negative size", state_size_negative },  { "a head that is no hash", state_head_not_hash },
        { "the head in field 4", state_head_in_field_4 }, { "roots that are no list", state_roots_not_list },
        { "the roots in field 4", state_roots_in_field_4 }, { "one root for three records", state_one_root_for_three },
        { "a root that is no hash", state_root_not_hash },
    };
    none_is_read(decode_state, "chain state", wrong, sizeof wrong / sizeof wrong[0]);
    /* Not a canonical record at all. */
    ar_audit_chain chain;
    assert_int_equal(ar_audit_state_decode("xyz", 3, &chain), ARCHASE_EPARSE);
}

/* ---- a frontier: RECORD "MF" { 1 INT size, 2 LIST of HASH } ---------------------- */

static void frontier_of_two(ar_canon *c) {
    ar_canon_begin_record(c, AR_MERKLE_FRONTIER_KIND);
    ar_canon_put_int(c, 1, 2);
    ar_canon_field(c, 2);
    ar_canon_begin_list(c);
    ar_canon_hash(c, hash_b);
    ar_canon_end_list(c);
    ar_canon_end_record(c);
}
static void frontier_other_kind(ar_canon *c) {
    ar_canon_begin_record(c, AR_AUDIT_STATE_KIND);
    ar_canon_put_int(c, 1, 0);
    ar_canon_field(c, 2);
    ar_canon_begin_list(c);
    ar_canon_end_list(c);
    ar_canon_end_record(c);
}
static void frontier_three_fields(ar_canon *c) {
    ar_canon_begin_record(c, AR_MERKLE_FRONTIER_KIND);
    ar_canon_put_int(c, 1, 0);
    ar_canon_field(c, 2);
    ar_canon_begin_list(c);
    ar_canon_end_list(c);
    ar_canon_put_int(c, 3, 0);
    ar_canon_end_record(c);
}
static void frontier_negative(ar_canon *c) {
    ar_canon_begin_record(c, AR_MERKLE_FRONTIER_KIND);
    ar_canon_put_int(c, 1, -2);
    ar_canon_field(c, 2);
    ar_canon_begin_list(c);
    ar_canon_end_list(c);
    ar_canon_end_record(c);
}
static void frontier_size_in_field_2(ar_canon *c) {
    ar_canon_begin_record(c, AR_MERKLE_FRONTIER_KIND);
    ar_canon_put_int(c, 2, 0);
    ar_canon_put_int(c, 3, 0);
    ar_canon_end_record(c);
}
static void frontier_size_as_hash(ar_canon *c) {
    ar_canon_begin_record(c, AR_MERKLE_FRONTIER_KIND);
    ar_canon_put_hash(c, 1, hash_a);
    ar_canon_put_int(c, 2, 0);
    ar_canon_end_record(c);
}
static void frontier_roots_in_field_3(ar_canon *c) {
    ar_canon_begin_record(c, AR_MERKLE_FRONTIER_KIND);
    ar_canon_put_int(c, 1, 0);
    ar_canon_field(c, 3);
    ar_canon_begin_list(c);
    ar_canon_end_list(c);
    ar_canon_end_record(c);
}
static void frontier_roots_not_list(ar_canon *c) {
    ar_canon_begin_record(c, AR_MERKLE_FRONTIER_KIND);
    ar_canon_put_int(c, 1, 0);
    ar_canon_put_int(c, 2, 0);
    ar_canon_end_record(c);
}
static void frontier_two_roots_for_two(ar_canon *c) {
    ar_canon_begin_record(c, AR_MERKLE_FRONTIER_KIND);
    ar_canon_put_int(c, 1, 2);
    ar_canon_field(c, 2);
    ar_canon_begin_list(c);
    ar_canon_hash(c, hash_a);
    ar_canon_hash(c, hash_b);
    ar_canon_end_list(c);
    ar_canon_end_record(c);
}
static void frontier_root_not_hash(ar_canon *c) {
    ar_canon_begin_record(c, AR_MERKLE_FRONTIER_KIND);
    ar_canon_put_int(c, 1, 2);
    ar_canon_field(c, 2);
    ar_canon_begin_list(c);
    ar_canon_str(c, "hash");
    ar_canon_end_list(c);
    ar_canon_end_record(c);
}

static void a_frontier_is_read_only_as_written(void **state) {
    (void)state;
    assert_int_equal(decode_frontier(frontier_of_two), 0);
    static const wrong_record wrong[] = {
        { "another kind", frontier_other_kind },           { "three fields", frontier_three_fields },
        { "a negative size", frontier_negative },          { "the size in field 2", frontier_size_in_field_2 },
        { "a size that is a hash", frontier_size_as_hash }, { "the roots in field 3", frontier_roots_in_field_3 },
        { "roots that are no list", frontier_roots_not_list }, { "two roots for two leaves", frontier_two_roots_for_two },
        { "a root that is no hash", frontier_root_not_hash },
    };
    none_is_read(decode_frontier, "frontier", wrong, sizeof wrong / sizeof wrong[0]);
}

/* ---- a stored checkpoint: RECORD "CK" of 7 fields ------------------------------ */

static int ck_variant;

/* The checkpoint record, with field `ck_variant` written wrong (0: none). */
static void checkpoint_record(ar_canon *c) {
    static const uint8_t key_id[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, sig[64] = { 9 }, pk[32] = { 10 };
    int v = ck_variant;
    ar_canon_begin_record(c, v == 100 ? AR_AUDIT_STATE_KIND : AR_CHECKPOINT_RECORD_KIND);
    if (v == 1)
        ar_canon_put_int(c, 1, 5);
    else
        ar_canon_put_str(c, 1, v == 11 ? "" : v == 12 ? "ar log" : "ar-log");
    ar_canon_put_int(c, 2, v == 2 ? -5 : 5);
    if (v == 3)
        ar_canon_put_int(c, 3, 0);
    else
        ar_canon_put_hash(c, 3, hash_a);
    if (v == 4)
        ar_canon_put_int(c, 4, 0);
    else
        ar_canon_put_instant(c, 4, 1767225600);
    ar_canon_put_bytes(c, 5, key_id, v == 5 ? 7 : 8);
    ar_canon_put_bytes(c, 6, sig, v == 6 ? 63 : 64);
    if (v != 101)
        ar_canon_put_bytes(c, 7, pk, v == 7 ? 31 : 32);
    ar_canon_end_record(c);
}

static void a_stored_checkpoint_is_read_only_as_written(void **state) {
    (void)state;
    ck_variant = 0;
    assert_int_equal(decode_checkpoint(checkpoint_record), 0);
    static const int variants[] = { 1, 2, 3, 4, 5, 6, 7, 11, 12, 100, 101 };
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        ck_variant = variants[i];
        if (decode_checkpoint(checkpoint_record) != ARCHASE_EPARSE)
            fail_msg("a stored checkpoint with variant %d was read", variants[i]);
    }
    archase_checkpoint cp;
    uint8_t key[32];
    assert_int_equal(ar_checkpoint_record_decode(NULL, 0, &cp, key), ARCHASE_EPARSE);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(the_chain_state_is_read_only_as_written),
    cmocka_unit_test(a_frontier_is_read_only_as_written),
    cmocka_unit_test(a_stored_checkpoint_is_read_only_as_written),
};

AR_TEST_MAIN(tests)
