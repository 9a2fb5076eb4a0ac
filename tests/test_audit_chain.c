/* tests/test_audit_chain.c — audit records as bytes: the pinned encoding,
 * strict decoding, the hash chain, and the verifier that finds edits,
 * deletions, insertions, reordering and truncation, naming the first bad
 * record. */
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "audit/chain.h"
#include "support/failalloc.h"
#include "support/testutil.h"

#define H ARCHASE_HASH_SIZE

/* The payload of the sample record: canonical record kind 4 {1: "INV-1"}. */
static const uint8_t sample_payload[] = {
    0x0A, 0x00, 0x04, 0x00, 0x01, 0x00, 0x01, 0x03, 0x00, 0x00, 0x00, 0x05, 'I', 'N', 'V', '-', '1',
};
static const ar_audit_text sample_link = { "erp://inv/1", 11 };

static ar_audit_fields sample_fields(void) {
    ar_audit_fields f;
    memset(&f, 0, sizeof f);
    f.kind = ARCHASE_AUDIT_FACT_ACCEPTED;
    f.instant = 1767225600; /* 2026-01-01T00:00:00Z */
    f.actor.data = "ops";
    f.actor.len = 3;
    f.payload = sample_payload;
    f.payload_size = sizeof sample_payload;
    f.links = &sample_link;
    f.link_count = 1;
    return f;
}

/* Written out by hand from docs/audit-format.md (the worked example there). */
static const char sample_hex[] =
    "0a41550007"
    "000102" "0000000000000000"
    "000208" "0000000000000000000000000000000000000000000000000000000000000000"
    "000302" "0000000000000001"
    "000407" "000000006955b900"
    "000503" "00000003" "6f7073"
    "000604" "00000011" "0a0004000100010300000005494e562d31"
    "000709" "00000001" "03" "0000000b" "6572703a2f2f696e762f31";
static const char sample_leaf_hash[] = "51bd31164068f9c93a20dffa2d51915560c91ec68cccc65f2a736aed38967f9f";

static ar_sha256 sha;

static int setup(void **state) {
    (void)state;
    return ar_sha256_init(&sha);
}

static int teardown(void **state) {
    (void)state;
    ar_sha256_free(&sha);
    return 0;
}

static void encodes_the_documented_bytes(void **state) {
    (void)state;
    ar_audit_fields f = sample_fields();
    ar_canon c;
    const uint8_t *bytes;
    size_t len, n = 0;
    uint8_t expected[256], leaf[H];
    char hex[ARCHASE_HASH_HEX_SIZE];
    assert_int_equal(archase_hex_decode(sample_hex, expected, sizeof expected, &n), 0);
    ar_canon_init(&c, NULL);
    assert_int_equal(ar_audit_encode(&f, &c), 0);
    assert_int_equal(ar_canon_finish(&c, &bytes, &len), 0);
    assert_int_equal(len, n);
    assert_memory_equal(bytes, expected, n);
    assert_int_equal(archase_merkle_leaf_hash(bytes, len, leaf), 0);
    archase_hex_encode(leaf, H, hex, sizeof hex);
    assert_string_equal(hex, sample_leaf_hash);
    ar_canon_free(&c);
}

static void decodes_what_it_encodes(void **state) {
    (void)state;
    ar_audit_fields f = sample_fields(), d;
    const ar_audit_text links[3] = { { "a", 1 }, { "doc://2", 7 }, { "ccc", 3 } };
    ar_canon c;
    const uint8_t *bytes;
    size_t len;
    ar_audit_link_iter it;
    ar_audit_text link;
    f.index = 41;
    memset(f.prev_hash, 0xab, H);
    f.kind = 0xffff; /* kinds this library does not know yet still decode */
    f.instant = -5;
    f.links = links;
    f.link_count = 3;
    ar_canon_init(&c, NULL);
    assert_int_equal(ar_audit_encode(&f, &c), 0);
    assert_int_equal(ar_canon_finish(&c, &bytes, &len), 0);
    assert_int_equal(ar_canon_validate(bytes, len), 0);
    assert_int_equal(ar_audit_decode(bytes, len, &d), 0);
    assert_int_equal(d.index, 41);
    assert_memory_equal(d.prev_hash, f.prev_hash, H);
    assert_int_equal(d.kind, 0xffff);
    assert_int_equal(d.instant, -5);
    assert_int_equal(d.actor.len, 3);
    assert_memory_equal(d.actor.data, "ops", 3);
    assert_int_equal(d.payload_size, sizeof sample_payload);
    assert_memory_equal(d.payload, sample_payload, sizeof sample_payload);
    assert_int_equal(d.link_count, 3);
    ar_audit_link_iter_init(&it, &d);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ar_audit_link_next(&it, &link), 1);
        assert_int_equal(link.len, links[i].len);
        assert_memory_equal(link.data, links[i].data, link.len);
    }
    assert_int_equal(ar_audit_link_next(&it, &link), 0);
    /* Without links the field is left out: 6 fields. */
    f.link_count = 0;
    ar_canon_reset(&c);
    assert_int_equal(ar_audit_encode(&f, &c), 0);
    assert_int_equal(ar_canon_finish(&c, &bytes, &len), 0);
    assert_int_equal(bytes[4], 6);
    assert_int_equal(ar_audit_decode(bytes, len, &d), 0);
    assert_int_equal(d.link_count, 0);
    ar_audit_link_iter_init(&it, &d);
    assert_int_equal(ar_audit_link_next(&it, &link), 0);
    ar_canon_free(&c);
}

static void encoding_refuses_records_that_break_the_rules(void **state) {
    (void)state;
    const uint8_t not_a_record[] = { 0x02, 0, 0, 0, 0, 0, 0, 0, 1 };
    const ar_audit_text empty_link = { "", 0 }, nul_link = { "a\0b", 3 };
    ar_canon c;
    ar_canon_init(&c, NULL);
    ar_audit_fields f = sample_fields();
    f.kind = 0;
    assert_int_equal(ar_audit_encode(&f, &c), ARCHASE_EINVAL);
    f = sample_fields();
    f.kind = 0x10000;
    assert_int_equal(ar_audit_encode(&f, &c), ARCHASE_EINVAL);
    f = sample_fields();
    f.actor.len = 0;
    assert_int_equal(ar_audit_encode(&f, &c), ARCHASE_EINVAL);
    f = sample_fields();
    f.actor.data = "o\0s";
    assert_int_equal(ar_audit_encode(&f, &c), ARCHASE_EINVAL);
    f = sample_fields();
    f.payload = not_a_record;
    f.payload_size = sizeof not_a_record;
    assert_int_equal(ar_audit_encode(&f, &c), ARCHASE_EINVAL);
    f = sample_fields();
    f.payload = NULL;
    assert_int_equal(ar_audit_encode(&f, &c), ARCHASE_EINVAL);
    f = sample_fields();
    f.links = &empty_link;
    assert_int_equal(ar_audit_encode(&f, &c), ARCHASE_EINVAL);
    f.links = &nul_link;
    assert_int_equal(ar_audit_encode(&f, &c), ARCHASE_EINVAL);
    f = sample_fields();
    f.index = (uint64_t)INT64_MAX + 1;
    assert_int_equal(ar_audit_encode(&f, &c), ARCHASE_EINVAL);
    /* Nothing was written by the refused calls. */
    assert_int_equal(c.buf.len, 0);
    ar_canon_free(&c);
}

/* The sample's bytes, modified at `at` to `value`, must not decode. */
static void assert_patched_refused(const uint8_t *bytes, size_t len, size_t at, uint8_t value) {
    uint8_t copy[512];
    ar_audit_fields d;
    memcpy(copy, bytes, len);
    copy[at] = value;
    assert_int_equal(ar_audit_decode(copy, len, &d), ARCHASE_EPARSE);
}

static void decoding_accepts_one_audit_record_and_nothing_else(void **state) {
    (void)state;
    uint8_t bytes[512];
    size_t len = 0;
    ar_audit_fields d;
    memset(&d, 0x77, sizeof d);
    ar_audit_fields untouched = d;
    assert_int_equal(archase_hex_decode(sample_hex, bytes, sizeof bytes, &len), 0);
    assert_int_equal(ar_audit_decode(bytes, len, &d), 0);
    for (size_t cut = 0; cut < len; cut++) {
        ar_audit_fields e = untouched;
        assert_int_equal(ar_audit_decode(bytes, cut, &e), ARCHASE_EPARSE);
        assert_memory_equal(&e, &untouched, sizeof e);
    }
    bytes[len] = 0;
    assert_int_equal(ar_audit_decode(bytes, len + 1, &d), ARCHASE_EPARSE); /* trailing byte */
    assert_patched_refused(bytes, len, 2, 0x56);  /* record kind "AV" */
    assert_patched_refused(bytes, len, 4, 8);     /* 8 fields */
    /* Offsets from the layout in docs/audit-format.md. */
    assert_patched_refused(bytes, len, 8, 0x80);   /* a negative index */
    assert_patched_refused(bytes, len, 18, 0x09);  /* prev not a HASH */
    assert_patched_refused(bytes, len, 61, 0);     /* kind 0 */
    assert_patched_refused(bytes, len, 81, 0);     /* a NUL inside the actor */
    assert_patched_refused(bytes, len, 90, 0x02);  /* a payload that is not a record */
    assert_patched_refused(bytes, len, 120, 0);    /* a NUL inside a link */
    assert_patched_refused(bytes, len, 114, 0x04); /* a link that is not a STRING */
    /* An empty list of links is written by leaving the field out. */
    uint8_t empty_links[512];
    size_t n = len - (4 + 1 + 4 + 11);
    memcpy(empty_links, bytes, n);
    empty_links[n - 1] = 0; /* the LIST's count */
    assert_int_equal(ar_audit_decode(empty_links, n, &d), ARCHASE_EPARSE);
    assert_int_equal(ar_audit_decode(NULL, 0, &d), ARCHASE_EPARSE);
}

/* ---- logs for the verifier ------------------------------------------------ */

#define LOG_MAX 40

typedef struct test_log {
    size_t  count;
    uint8_t bytes[LOG_MAX][256];
    size_t  size[LOG_MAX];
    uint8_t leaf[LOG_MAX][H];
    ar_audit_chain chain;
} test_log;

/* A log of `n` records with different payloads, actors and links. */
static void make_log(test_log *log, size_t n) {
    ar_canon enc;
    ar_canon_init(&enc, NULL);
    memset(log, 0, sizeof *log);
    ar_audit_chain_init(&log->chain);
    for (size_t i = 0; i < n; i++) {
        uint8_t payload[64];
        ar_canon p;
        const uint8_t *pbytes;
        size_t plen;
        ar_canon_init(&p, NULL);
        ar_canon_begin_record(&p, (uint16_t)(1 + i % 13));
        ar_canon_put_int(&p, 1, (int64_t)(i * 1000));
        ar_canon_put_str(&p, 2, i % 2 ? "INV-17" : "customer ACME");
        ar_canon_end_record(&p);
        assert_int_equal(ar_canon_finish(&p, &pbytes, &plen), 0);
        assert_true(plen <= sizeof payload);
        memcpy(payload, pbytes, plen);
        ar_canon_free(&p);
        ar_audit_fields f = sample_fields();
        f.kind = (uint32_t)(1 + i % 9);
        f.instant = 1767225600 + (int64_t)i * 60;
        f.actor.data = i % 3 ? "system" : "alice@example.com";
        f.actor.len = strlen(f.actor.data);
        f.payload = payload;
        f.payload_size = plen;
        f.link_count = i % 2;
        ar_audit_appended a;
        assert_int_equal(ar_audit_chain_append(&log->chain, &sha, &enc, &f, NULL, &a), 0);
        assert_int_equal(a.index, i);
        assert_true(a.size <= sizeof log->bytes[i]);
        memcpy(log->bytes[i], a.bytes, a.size);
        log->size[i] = a.size;
        memcpy(log->leaf[i], a.leaf_hash, H);
    }
    log->count = n;
    ar_canon_free(&enc);
}

/* The log as spans, after applying `edit` positions: a list of source
 * record numbers (-1 ends it). */
static int verify_order(const test_log *log, const int *order, const ar_audit_expect *expect,
                        size_t ne, int exact, ar_audit_report *report) {
    ar_span spans[LOG_MAX + 2];
    size_t n = 0;
    for (; order[n] >= 0; n++) {
        spans[n].data = log->bytes[order[n]];
        spans[n].size = log->size[order[n]];
    }
    return ar_audit_verify_records(&sha, spans, n, expect, ne, exact, report);
}

static void identity_order(int *order, size_t n) {
    for (size_t i = 0; i < n; i++)
        order[i] = (int)i;
    order[n] = -1;
}

/* The expectation "the first `size` records have their real root". */
static ar_audit_expect expect_prefix(const test_log *log, size_t size) {
    ar_audit_expect e;
    e.size = size;
    assert_int_equal(archase_merkle_root(size ? log->leaf[0] : NULL, size, e.root), 0);
    return e;
}

static void the_chain_numbers_links_and_roots_every_record(void **state) {
    (void)state;
    test_log *log = malloc(sizeof *log);
    assert_non_null(log);
    make_log(log, 30);
    uint8_t zero[H] = { 0 }, root[H], leaf[H];
    for (size_t i = 0; i < log->count; i++) {
        ar_audit_fields d;
        assert_int_equal(ar_audit_decode(log->bytes[i], log->size[i], &d), 0);
        assert_int_equal(d.index, i);
        assert_memory_equal(d.prev_hash, i ? log->leaf[i - 1] : zero, H);
        assert_int_equal(archase_merkle_leaf_hash(log->bytes[i], log->size[i], leaf), 0);
        assert_memory_equal(leaf, log->leaf[i], H);
    }
    assert_memory_equal(log->chain.head, log->leaf[29], H);
    assert_int_equal(ar_merkle_frontier_root(&log->chain.tree, &sha, root), 0);
    ar_audit_expect e = expect_prefix(log, 30);
    assert_memory_equal(root, e.root, H);
    free(log);
}

static void an_intact_log_verifies_against_its_checkpoints(void **state) {
    (void)state;
    test_log *log = malloc(sizeof *log);
    int order[LOG_MAX + 1];
    ar_audit_report report;
    assert_non_null(log);
    make_log(log, 20);
    identity_order(order, 20);
    ar_audit_expect e[4] = { expect_prefix(log, 0), expect_prefix(log, 1), expect_prefix(log, 13),
                             expect_prefix(log, 20) };
    assert_int_equal(verify_order(log, order, e, 4, 1, &report), 0);
    assert_int_equal(report.problem, AR_AUDIT_INTACT);
    assert_int_equal(report.count, 20);
    assert_memory_equal(report.root, e[3].root, H);
    assert_memory_equal(report.head, log->leaf[19], H);
    /* No expectations at all: the chain alone. */
    assert_int_equal(verify_order(log, order, NULL, 0, 0, &report), 0);
    /* The empty log. */
    order[0] = -1;
    assert_int_equal(verify_order(log, order, e, 1, 1, &report), 0);
    assert_int_equal(report.count, 0);
    /* Expectations out of order are a misuse. */
    ar_audit_expect backwards[2] = { e[2], e[1] };
    ar_audit_verifier v;
    assert_int_equal(ar_audit_verifier_init(&v, &sha, backwards, 2, 0), ARCHASE_EINVAL);
    assert_int_equal(ar_audit_verifier_init(&v, &sha, NULL, 0, 1), ARCHASE_EINVAL);
    free(log);
}

static void flip(uint8_t *bytes, size_t bit) {
    bytes[bit / 8] ^= (uint8_t)(1u << (bit % 8));
}

/* Every single bit flipped anywhere in record `victim` of a log of 20. */
static void assert_every_flip_blamed(test_log *log, size_t victim) {
    int order[LOG_MAX + 1];
    ar_audit_report report;
    ar_audit_expect e = expect_prefix(log, 20);
    identity_order(order, 20);
    for (size_t bit = 0; bit < 8 * log->size[victim]; bit++) {
        flip(log->bytes[victim], bit);
        assert_int_equal(verify_order(log, order, &e, 1, 1, &report), ARCHASE_EVERIFY);
        size_t byte = bit / 8;
        int in_prev = byte >= 19 && byte < 19 + H; /* field 2's hash */
        size_t expected = victim;
        /* The last record's link broken with nothing after it: the earlier
         * of the two records is named (documented ambiguity). */
        if (victim == 19 && in_prev)
            expected = 18;
        if (report.first_bad != expected)
            fail_msg("record %zu bit %zu: first bad %llu (%s)", victim, bit,
                     (unsigned long long)report.first_bad, report.message);
        flip(log->bytes[victim], bit);
    }
    assert_int_equal(verify_order(log, order, &e, 1, 1, &report), 0);
}

static void every_edited_bit_is_found_in_its_record(void **state) {
    (void)state;
    test_log *log = malloc(sizeof *log);
    assert_non_null(log);
    make_log(log, 20);
    assert_every_flip_blamed(log, 7);
    assert_every_flip_blamed(log, 0);
    assert_every_flip_blamed(log, 19);
    free(log);
}

static void assert_order_blamed(const test_log *log, const int *order, size_t expected,
                                ar_audit_problem problem) {
    ar_audit_report report;
    ar_audit_expect e = expect_prefix(log, log->count);
    assert_int_equal(verify_order(log, order, &e, 1, 1, &report), ARCHASE_EVERIFY);
    if (report.first_bad != expected || report.problem != problem)
        fail_msg("first bad %llu problem %d (%s); expected %zu problem %d",
                 (unsigned long long)report.first_bad, report.problem, report.message, expected,
                 problem);
}

static void a_deleted_record_is_found_at_its_position(void **state) {
    (void)state;
    test_log *log = malloc(sizeof *log);
    int order[LOG_MAX + 1];
    assert_non_null(log);
    make_log(log, 20);
    const size_t deleted[] = { 0, 1, 7, 18 };
    for (size_t k = 0; k < sizeof deleted / sizeof deleted[0]; k++) {
        size_t n = 0;
        for (int i = 0; i < 20; i++) {
            if ((size_t)i != deleted[k])
                order[n++] = i;
        }
        order[n] = -1;
        assert_order_blamed(log, order, deleted[k], AR_AUDIT_MISPLACED);
    }
    /* Deleting the last record is truncation. */
    identity_order(order, 19);
    assert_order_blamed(log, order, 19, AR_AUDIT_TRUNCATED);
    free(log);
}

static void an_inserted_record_is_found_at_its_position(void **state) {
    (void)state;
    test_log *log = malloc(sizeof *log);
    int order[LOG_MAX + 1];
    assert_non_null(log);
    make_log(log, 21);
    log->count = 20; /* record 20 is the spare one */
    /* A copy of an existing record slipped in at 7 (and at 0). */
    for (int at = 0; at <= 7; at += 7) {
        size_t n = 0;
        for (int i = 0; i < 20; i++) {
            if (i == at)
                order[n++] = 3;
            order[n++] = i;
        }
        order[n] = -1;
        assert_order_blamed(log, order, (size_t)at, AR_AUDIT_MISPLACED);
    }
    /* A forged record that links properly to record 6 and claims index 7. */
    {
        test_log *forged = malloc(sizeof *forged);
        assert_non_null(forged);
        *forged = *log;
        ar_audit_chain chain;
        ar_canon enc;
        ar_audit_appended a;
        ar_audit_fields f = sample_fields();
        ar_canon_init(&enc, NULL);
        ar_audit_chain_init(&chain);
        for (int i = 0; i < 7; i++)
            assert_int_equal(ar_merkle_frontier_append(&chain.tree, &sha, log->leaf[i], NULL), 0);
        memcpy(chain.head, log->leaf[6], H);
        f.actor.data = "mallory";
        f.actor.len = 7;
        assert_int_equal(ar_audit_chain_append(&chain, &sha, &enc, &f, NULL, &a), 0);
        assert_int_equal(a.index, 7);
        memcpy(forged->bytes[20], a.bytes, a.size);
        forged->size[20] = a.size;
        size_t n = 0;
        for (int i = 0; i < 20; i++) {
            if (i == 7)
                order[n++] = 20;
            order[n++] = i;
        }
        order[n] = -1;
        assert_order_blamed(forged, order, 7, AR_AUDIT_MISPLACED);
        /* The same forged record appended past the end of an exact log. */
        forged->count = 20;
        identity_order(order, 20);
        order[20] = 20;
        order[21] = -1;
        assert_order_blamed(forged, order, 20, AR_AUDIT_EXTRA);
        ar_canon_free(&enc);
        free(forged);
    }
    free(log);
}

static void two_swapped_records_are_found_at_the_first(void **state) {
    (void)state;
    test_log *log = malloc(sizeof *log);
    int order[LOG_MAX + 1];
    assert_non_null(log);
    make_log(log, 20);
    const int swaps[] = { 0, 7, 18 };
    for (size_t k = 0; k < 3; k++) {
        identity_order(order, 20);
        order[swaps[k]] = swaps[k] + 1;
        order[swaps[k] + 1] = swaps[k];
        assert_order_blamed(log, order, (size_t)swaps[k], AR_AUDIT_MISPLACED);
    }
    /* Far apart. */
    identity_order(order, 20);
    order[4] = 15;
    order[15] = 4;
    assert_order_blamed(log, order, 4, AR_AUDIT_MISPLACED);
    free(log);
}

static void a_truncated_tail_is_found_where_it_ends(void **state) {
    (void)state;
    test_log *log = malloc(sizeof *log);
    int order[LOG_MAX + 1];
    assert_non_null(log);
    make_log(log, 20);
    for (size_t keep = 0; keep < 20; keep += 5) {
        identity_order(order, keep);
        assert_order_blamed(log, order, keep, AR_AUDIT_TRUNCATED);
    }
    /* Without an expectation nothing says the tail is gone: the chain of 15 holds. */
    ar_audit_report report;
    identity_order(order, 15);
    assert_int_equal(verify_order(log, order, NULL, 0, 0, &report), 0);
    free(log);
}

static void history_rewritten_consistently_fails_its_checkpoints(void **state) {
    (void)state;
    test_log *log = malloc(sizeof *log), *rewritten = malloc(sizeof *rewritten);
    int order[LOG_MAX + 1];
    ar_audit_report report;
    assert_non_null(log);
    assert_non_null(rewritten);
    make_log(log, 20);
    /* Rebuild the chain from record 5 on with record 5 changed: every link holds. */
    *rewritten = *log;
    ar_audit_chain chain;
    ar_canon enc;
    ar_canon_init(&enc, NULL);
    ar_audit_chain_init(&chain);
    for (int i = 0; i < 20; i++) {
        ar_audit_fields f;
        ar_audit_appended a;
        assert_int_equal(ar_audit_decode(log->bytes[i], log->size[i], &f), 0);
        f.links = f.link_count ? &sample_link : NULL;
        if (i == 5)
            f.instant += 3600;
        assert_int_equal(ar_audit_chain_append(&chain, &sha, &enc, &f, NULL, &a), 0);
        memcpy(rewritten->bytes[i], a.bytes, a.size);
        rewritten->size[i] = a.size;
    }
    ar_canon_free(&enc);
    identity_order(order, 20);
    assert_int_equal(verify_order(rewritten, order, NULL, 0, 0, &report), 0);
    /* Checkpoints signed before the rewrite: 3 holds, 10 does not. */
    ar_audit_expect e[3] = { expect_prefix(log, 3), expect_prefix(log, 10), expect_prefix(log, 20) };
    assert_int_equal(verify_order(rewritten, order, e, 3, 1, &report), ARCHASE_EVERIFY);
    assert_int_equal(report.problem, AR_AUDIT_CHECKPOINT);
    assert_int_equal(report.first_bad, 9);
    assert_non_null(strstr(report.message, "records 3 to 9"));
    free(log);
    free(rewritten);
}

static void the_streaming_verifier_checks_every_expectation(void **state) {
    (void)state;
    test_log *log = malloc(sizeof *log);
    ar_audit_verifier v;
    ar_audit_report report;
    assert_non_null(log);
    make_log(log, 20);
    /* An expectation of the empty log, then a wrong one at 5: the second is found. */
    ar_audit_expect e[3] = { expect_prefix(log, 0), expect_prefix(log, 5), expect_prefix(log, 20) };
    e[1].root[0] ^= 1;
    assert_int_equal(ar_audit_verifier_init(&v, &sha, e, 3, 0), 0);
    int rc = 0;
    size_t fed = 0;
    for (; fed < 20 && rc == 0; fed++)
        rc = ar_audit_verifier_add(&v, log->bytes[fed], log->size[fed]);
    assert_int_equal(rc, ARCHASE_EVERIFY);
    assert_int_equal(fed, 5);
    assert_int_equal(ar_audit_verifier_add(&v, log->bytes[5], log->size[5]), ARCHASE_EVERIFY);
    assert_int_equal(ar_audit_verifier_finish(&v, &report), ARCHASE_EVERIFY);
    assert_int_equal(report.problem, AR_AUDIT_CHECKPOINT);
    assert_int_equal(report.first_bad, 4);
    /* A wrong root for the empty log is the verdict before any record. */
    e[1].root[0] ^= 1;
    e[0].root[0] ^= 1;
    assert_int_equal(ar_audit_verifier_init(&v, &sha, e, 3, 0), 0);
    assert_int_equal(ar_audit_verifier_add(&v, log->bytes[0], log->size[0]), ARCHASE_EVERIFY);
    assert_int_equal(ar_audit_verifier_finish(&v, &report), ARCHASE_EVERIFY);
    assert_int_equal(report.problem, AR_AUDIT_CHECKPOINT);
    assert_int_equal(report.first_bad, 0);
    /* Fed record by record, an intact log ends with its root and head. */
    e[0].root[0] ^= 1;
    assert_int_equal(ar_audit_verifier_init(&v, &sha, e, 3, 1), 0);
    for (size_t i = 0; i < 20; i++)
        assert_int_equal(ar_audit_verifier_add(&v, log->bytes[i], log->size[i]), 0);
    assert_int_equal(ar_audit_verifier_finish(&v, &report), 0);
    assert_memory_equal(report.root, e[2].root, H);
    assert_memory_equal(report.head, log->leaf[19], H);
    free(log);
}

/* ---- allocation failure --------------------------------------------------- */

typedef struct append_ctx {
    int checked;
} append_ctx;

static int append_with(const archase_allocator *allocator, void *ctx) {
    append_ctx *ac = ctx;
    ar_canon enc, frontier_bytes;
    ar_audit_chain chain;
    int rc = 0;
    char actor[300];
    memset(actor, 'a', sizeof actor - 1);
    actor[sizeof actor - 1] = '\0';
    ar_canon_init(&enc, allocator);
    ar_canon_init(&frontier_bytes, allocator);
    ar_audit_chain_init(&chain);
    for (int i = 0; i < 12 && !rc; i++) {
        ar_audit_fields f = sample_fields();
        ar_audit_appended a;
        ar_audit_chain before = chain;
        f.actor.data = actor;
        f.actor.len = (size_t)(20 * (i + 1)); /* grows the encoder's buffer */
        rc = ar_audit_chain_append(&chain, &sha, &enc, &f, NULL, &a);
        if (rc) {
            assert_memory_equal(&chain, &before, sizeof chain);
            ac->checked++;
        }
    }
    if (!rc) {
        const uint8_t *bytes;
        size_t len;
        ar_merkle_frontier back;
        rc = ar_merkle_frontier_encode(&chain.tree, &frontier_bytes);
        if (!rc)
            rc = ar_canon_finish(&frontier_bytes, &bytes, &len);
        if (!rc) {
            assert_int_equal(ar_merkle_frontier_decode(&back, bytes, len), 0);
            assert_int_equal(back.size, 12);
        }
    }
    ar_canon_free(&enc);
    ar_canon_free(&frontier_bytes);
    return rc;
}

static void appending_survives_every_allocation_failure(void **state) {
    (void)state;
    append_ctx ctx = { 0 };
    assert_true(failalloc_loop(append_with, NULL, &ctx) >= 3);
    assert_true(ctx.checked > 0);
}

#define WITH_SHA(test) cmocka_unit_test_setup_teardown(test, setup, teardown)

static const struct CMUnitTest tests[] = {
    WITH_SHA(encodes_the_documented_bytes),
    WITH_SHA(decodes_what_it_encodes),
    WITH_SHA(encoding_refuses_records_that_break_the_rules),
    WITH_SHA(decoding_accepts_one_audit_record_and_nothing_else),
    WITH_SHA(the_chain_numbers_links_and_roots_every_record),
    WITH_SHA(an_intact_log_verifies_against_its_checkpoints),
    WITH_SHA(every_edited_bit_is_found_in_its_record),
    WITH_SHA(a_deleted_record_is_found_at_its_position),
    WITH_SHA(an_inserted_record_is_found_at_its_position),
    WITH_SHA(two_swapped_records_are_found_at_the_first),
    WITH_SHA(a_truncated_tail_is_found_where_it_ends),
    WITH_SHA(history_rewritten_consistently_fails_its_checkpoints),
    WITH_SHA(the_streaming_verifier_checks_every_expectation),
    WITH_SHA(appending_survives_every_allocation_failure),
};

AR_TEST_MAIN(tests)
