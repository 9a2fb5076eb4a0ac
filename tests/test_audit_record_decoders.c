/* tests/test_audit_record_decoders.c — the records the audit log keeps in
 * the store beside its entries (the chain state, a Merkle frontier, a stored
 * checkpoint) are read back only when they are exactly what was written:
 * another kind, a field missing, out of order, of another type, a negative
 * size or a list of the wrong length is ARCHASE_EPARSE, and nothing is
 * handed out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "audit/log.h"
#include "audit/merkle.h"
#include "audit/store.h"
#include "core/canon.h"
#include "support/testutil.h"

/* Writes one record. */
typedef void (*write_fn)(ar_canon *c);

/* Runs `write` into c (freed by the caller) and hands out its bytes. */
static void write_record(ar_canon *c, write_fn write, const uint8_t **data, size_t *size) {
    ar_canon_init(c, NULL);
    write(c);
    assert_int_equal(ar_canon_finish(c, data, size), 0);
}

/* What a decoder fills in, any of the three. */
typedef union decoded {
    ar_audit_chain     chain;
    ar_merkle_frontier frontier;
    archase_checkpoint checkpoint;
} decoded;

typedef int (*decode_fn)(const uint8_t *data, size_t size, decoded *out);

static int decode_state(const uint8_t *data, size_t size, decoded *out) {
    return ar_audit_state_decode(data, size, &out->chain);
}

static int decode_frontier(const uint8_t *data, size_t size, decoded *out) {
    return ar_merkle_frontier_decode(&out->frontier, data, size);
}

static int decode_checkpoint(const uint8_t *data, size_t size, decoded *out) {
    uint8_t key[32];
    return ar_checkpoint_record_decode(data, size, &out->checkpoint, key);
}

/* The record `write` writes, decoded by `decode`: its result. A decode that
 * fails must leave what it would have filled in as it was. */
static int decode_with(decode_fn decode, write_fn write) {
    ar_canon c;
    const uint8_t *data = NULL;
    size_t size = 0;
    write_record(&c, write, &data, &size);
    decoded out, before;
    memset(&out, 0x5c, sizeof out);
    before = out;
    int rc = decode(data, size, &out);
    if (rc)
        assert_memory_equal(&out, &before, sizeof out);
    ar_canon_free(&c);
    return rc;
}

static const uint8_t hash_a[32] = { 0xaa }, hash_b[32] = { 0xbb };

/* A record as data: its kind and its fields in order, each "<type><field>=<value>"
 * and separated by spaces: I an INT, S a STR, H a HASH (a or b), L a LIST
 * whose items are a or b (a HASH), 7 (the INT 7) or s (the STR "hash"). */
typedef struct record_spec {
    const char *what; /* what is wrong with it, for the failure message */
    unsigned    kind;
    const char *fields;
} record_spec;

static void write_spec(ar_canon *c, const record_spec *r) {
    ar_canon_begin_record(c, (uint16_t)r->kind);
    for (const char *p = r->fields; *p;) {
        char type = *p++;
        char *end = NULL;
        uint16_t field = (uint16_t)strtoul(p, &end, 10);
        p = end + 1; /* past '=' */
        size_t n = strcspn(p, " ");
        if (type == 'I') {
            ar_canon_put_int(c, field, strtoll(p, NULL, 10));
        } else if (type == 'S') {
            char text[16];
            snprintf(text, sizeof text, "%.*s", (int)n, p);
            ar_canon_put_str(c, field, text);
        } else if (type == 'H') {
            ar_canon_put_hash(c, field, *p == 'a' ? hash_a : hash_b);
        } else {
            ar_canon_field(c, field);
            ar_canon_begin_list(c);
            for (size_t i = 0; i < n; i++) {
                if (p[i] == '7')
                    ar_canon_int(c, 7);
                else if (p[i] == 's')
                    ar_canon_str(c, "hash");
                else
                    ar_canon_hash(c, p[i] == 'a' ? hash_a : hash_b);
            }
            ar_canon_end_list(c);
        }
        p += n;
        while (*p == ' ')
            p++;
    }
    ar_canon_end_record(c);
}

/* The record the next write_current writes. */
static const record_spec *current;

static void write_current(ar_canon *c) {
    write_spec(c, current);
}

/* Record r, decoded by `decode`: its result. */
static int decode_spec(decode_fn decode, const record_spec *r) {
    current = r;
    return decode_with(decode, write_current);
}

/* Fails naming the first of the n records that `decode` reads (anything but
 * ARCHASE_EPARSE), as "a <thing> with <what> was read". */
static void none_is_read(decode_fn decode, const char *thing, const record_spec *wrong, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (decode_spec(decode, &wrong[i]) != ARCHASE_EPARSE)
            fail_msg("a %s with %s was read", thing, wrong[i].what);
}

/* ---- the chain state: RECORD "AC" { 1 INT size, 2 HASH head, 3 LIST of HASH } ---- */

static const record_spec state_of_three = { "", AR_AUDIT_STATE_KIND, "I1=3 H2=a L3=ab" }; /* two subtree roots */
static const record_spec state_wrong[] = {
    { "another kind", AR_MERKLE_FRONTIER_KIND, "I1=0 H2=a L3=" },
    { "two fields", AR_AUDIT_STATE_KIND, "I1=0 H2=a" },
    { "the size second", AR_AUDIT_STATE_KIND, "H2=a I3=0 I4=0" },
    { "the size as text", AR_AUDIT_STATE_KIND, "S1=3 H2=a I3=0" },
    { "a negative size", AR_AUDIT_STATE_KIND, "I1=-1 H2=a I3=0" },
    { "a head that is no hash", AR_AUDIT_STATE_KIND, "I1=0 I2=0 I3=0" },
    { "the head in field 4", AR_AUDIT_STATE_KIND, "I1=0 H4=a I5=0" },
    { "roots that are no list", AR_AUDIT_STATE_KIND, "I1=0 H2=a H3=a" },
    { "the roots in field 4", AR_AUDIT_STATE_KIND, "I1=0 H2=a L4=" },
    { "one root for three records", AR_AUDIT_STATE_KIND, "I1=3 H2=a L3=a" },
    { "a root that is no hash", AR_AUDIT_STATE_KIND, "I1=3 H2=a L3=a7" },
};

static void the_chain_state_is_read_only_as_written(void **state) {
    (void)state;
    assert_int_equal(decode_spec(decode_state, &state_of_three), 0);
    none_is_read(decode_state, "chain state", state_wrong, sizeof state_wrong / sizeof state_wrong[0]);
    /* Not a canonical record at all. */
    ar_audit_chain chain;
    assert_int_equal(ar_audit_state_decode("xyz", 3, &chain), ARCHASE_EPARSE);
}

/* ---- a frontier: RECORD "MF" { 1 INT size, 2 LIST of HASH } ---------------------- */

static const record_spec frontier_of_two = { "", AR_MERKLE_FRONTIER_KIND, "I1=2 L2=b" };
static const record_spec frontier_wrong[] = {
    { "another kind", AR_AUDIT_STATE_KIND, "I1=0 L2=" },
    { "three fields", AR_MERKLE_FRONTIER_KIND, "I1=0 L2= I3=0" },
    { "a negative size", AR_MERKLE_FRONTIER_KIND, "I1=-2 L2=" },
    { "the size in field 2", AR_MERKLE_FRONTIER_KIND, "I2=0 I3=0" },
    { "a size that is a hash", AR_MERKLE_FRONTIER_KIND, "H1=a I2=0" },
    { "the roots in field 3", AR_MERKLE_FRONTIER_KIND, "I1=0 L3=" },
    { "roots that are no list", AR_MERKLE_FRONTIER_KIND, "I1=0 I2=0" },
    { "two roots for two leaves", AR_MERKLE_FRONTIER_KIND, "I1=2 L2=ab" },
    { "a root that is no hash", AR_MERKLE_FRONTIER_KIND, "I1=2 L2=s" },
};

static void a_frontier_is_read_only_as_written(void **state) {
    (void)state;
    assert_int_equal(decode_spec(decode_frontier, &frontier_of_two), 0);
    none_is_read(decode_frontier, "frontier", frontier_wrong, sizeof frontier_wrong / sizeof frontier_wrong[0]);
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
    assert_int_equal(decode_with(decode_checkpoint, checkpoint_record), 0);
    static const int variants[] = { 1, 2, 3, 4, 5, 6, 7, 11, 12, 100, 101 };
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        ck_variant = variants[i];
        if (decode_with(decode_checkpoint, checkpoint_record) != ARCHASE_EPARSE)
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
