/* tests/test_audit_encode_args.c — what an audit record may hold and what a
 * verifier may be asked to expect: an index past int64, kind 0 or past 16
 * bits, an actor or link that is empty or holds a NUL, a payload that is not
 * one canonical record, links missing; expectations out of order, past the
 * largest tree, or an exact verifier with nothing to expect. Each is
 * ARCHASE_EINVAL and nothing is written. */
#include <string.h>

#include "archase/archase.h"
#include "audit/chain.h"
#include "core/canon.h"
#include "core/sha256.h"
#include "support/testutil.h"

/* A payload that is one canonical record: RECORD kind 1 with no fields. */
static const uint8_t payload[] = { 0x0A, 0x00, 0x01, 0x00, 0x00 };

static ar_audit_fields valid_fields(void) {
    ar_audit_fields f;
    memset(&f, 0, sizeof f);
    f.index = 4;
    f.kind = ARCHASE_AUDIT_DECISION;
    f.instant = 1767225600;
    f.actor.data = "engine";
    f.actor.len = 6;
    f.payload = payload;
    f.payload_size = sizeof payload;
    return f;
}

static int encode(const ar_audit_fields *f) {
    ar_canon c;
    ar_canon_init(&c, NULL);
    int rc = ar_audit_encode(f, &c);
    if (rc)
        assert_int_equal(c.buf.len, 0); /* nothing written */
    ar_canon_free(&c);
    return rc;
}

static void records_that_break_the_rules_are_not_encoded(void **state) {
    (void)state;
    ar_audit_fields f = valid_fields();
    assert_int_equal(encode(&f), 0);
    ar_audit_text links[2] = { { "erp://1", 7 }, { "erp://2", 7 } };
    f.links = links;
    f.link_count = 2;
    assert_int_equal(encode(&f), 0);

    f = valid_fields();
    f.index = (uint64_t)INT64_MAX + 1;
    assert_int_equal(encode(&f), ARCHASE_EINVAL);
    f = valid_fields();
    f.kind = 0;
    assert_int_equal(encode(&f), ARCHASE_EINVAL);
    f.kind = 0x10000;
    assert_int_equal(encode(&f), ARCHASE_EINVAL);
    f = valid_fields();
    f.actor.data = NULL;
    assert_int_equal(encode(&f), ARCHASE_EINVAL);
    f.actor.data = "eng\0ne";
    assert_int_equal(encode(&f), ARCHASE_EINVAL);
    f.actor.len = 0;
    assert_int_equal(encode(&f), ARCHASE_EINVAL);
    f = valid_fields();
    f.payload = NULL;
    assert_int_equal(encode(&f), ARCHASE_EINVAL);
    f.payload = (const uint8_t *)"plain";
    f.payload_size = 5;
    assert_int_equal(encode(&f), ARCHASE_EINVAL);
    f = valid_fields();
    f.link_count = 1; /* and no links */
    assert_int_equal(encode(&f), ARCHASE_EINVAL);
    ar_audit_text empty[1] = { { "", 0 } }, with_nul[1] = { { "a\0b", 3 } };
    f.links = empty;
    assert_int_equal(encode(&f), ARCHASE_EINVAL);
    f.links = with_nul;
    assert_int_equal(encode(&f), ARCHASE_EINVAL);
}

static void a_verifier_expects_only_what_can_be_checked(void **state) {
    (void)state;
    ar_sha256 sha;
    assert_int_equal(ar_sha256_init(&sha), 0);
    ar_audit_verifier v;
    ar_audit_expect expect[2];
    memset(expect, 0, sizeof expect);
    expect[0].size = 5;
    expect[1].size = 9;
    assert_int_equal(ar_audit_verifier_init(&v, &sha, expect, 2, 1), 0);
    assert_int_equal(ar_audit_verifier_init(&v, NULL, expect, 2, 0), ARCHASE_EINVAL);
    assert_int_equal(ar_audit_verifier_init(&v, &sha, NULL, 2, 0), ARCHASE_EINVAL);
    assert_int_equal(ar_audit_verifier_init(&v, &sha, NULL, 0, 1), ARCHASE_EINVAL);
    assert_int_equal(ar_audit_verifier_init(&v, &sha, NULL, 0, 0), 0);
    expect[0].size = 10; /* out of order */
    assert_int_equal(ar_audit_verifier_init(&v, &sha, expect, 2, 0), ARCHASE_EINVAL);
    expect[0].size = 5;
    expect[1].size = UINT64_MAX; /* past the largest tree */
    assert_int_equal(ar_audit_verifier_init(&v, &sha, expect, 2, 0), ARCHASE_EINVAL);
    ar_sha256_free(&sha);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(records_that_break_the_rules_are_not_encoded),
    cmocka_unit_test(a_verifier_expects_only_what_can_be_checked),
};

AR_TEST_MAIN(tests)
