/* tests/test_canon_misuse.c — the canonical encoder refuses every sequence of
 * calls whose bytes would not decode as one record: values without fields,
 * fields out of order, a second top-level value, lists at the top, records
 * nested too deep or with too many fields, money without a currency code,
 * ends that match nothing; the first error is the one kept, and an
 * allocation failure is reported by finish. */
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "core/canon.h"
#include "support/testutil.h"

/* Runs `calls` on a fresh encoder and returns what finish says. */
typedef void (*calls_fn)(ar_canon *c);

static int finish_of(calls_fn calls, const archase_allocator *a) {
    ar_canon c;
    ar_canon_init(&c, a);
    calls(&c);
    const uint8_t *data = NULL;
    size_t size = 0;
    int rc = ar_canon_finish(&c, &data, &size);
    if (rc == 0)
        assert_int_equal(ar_canon_validate(data, size), 0);
    else
        assert_null(data);
    ar_canon_free(&c);
    return rc;
}

static void one_record(ar_canon *c) {
    ar_canon_begin_record(c, 7);
    ar_canon_put_int(c, 1, 42);
    ar_canon_field(c, 2);
    ar_canon_begin_list(c);
    ar_canon_str(c, "a");
    ar_canon_null(c);
    ar_canon_end_list(c);
    ar_canon_end_record(c);
}
static void two_records(ar_canon *c) {
    one_record(c);
    ar_canon_begin_record(c, 8);
}
static void nothing(ar_canon *c) {
    (void)c;
}
static void field_at_top(ar_canon *c) {
    ar_canon_field(c, 1);
}
static void list_at_top(ar_canon *c) {
    ar_canon_begin_list(c);
}
static void value_without_field(ar_canon *c) {
    ar_canon_begin_record(c, 1);
    ar_canon_int(c, 1);
}
static void two_values_for_a_field(ar_canon *c) {
    ar_canon_begin_record(c, 1);
    ar_canon_field(c, 1);
    ar_canon_bool(c, 1);
    ar_canon_bool(c, 0);
}
static void field_twice(ar_canon *c) {
    ar_canon_begin_record(c, 1);
    ar_canon_field(c, 1);
    ar_canon_field(c, 2);
}
static void fields_out_of_order(ar_canon *c) {
    ar_canon_begin_record(c, 1);
    ar_canon_put_int(c, 5, 1);
    ar_canon_put_int(c, 5, 2);
}
static void field_in_a_list(ar_canon *c) {
    ar_canon_begin_record(c, 1);
    ar_canon_field(c, 1);
    ar_canon_begin_list(c);
    ar_canon_field(c, 1);
}
static void end_list_of_a_record(ar_canon *c) {
    ar_canon_begin_record(c, 1);
    ar_canon_end_list(c);
}
static void end_with_a_field_waiting(ar_canon *c) {
    ar_canon_begin_record(c, 1);
    ar_canon_field(c, 1);
    ar_canon_end_record(c);
}
static void end_of_nothing(ar_canon *c) {
    ar_canon_end_record(c);
}
static void left_open(ar_canon *c) {
    ar_canon_begin_record(c, 1);
    ar_canon_put_date(c, 1, 20454);
}
static void too_deep(ar_canon *c) {
    ar_canon_begin_record(c, 1);
    for (int i = 0; i < AR_CANON_MAX_DEPTH; i++) {
        ar_canon_field(c, 1);
        ar_canon_begin_record(c, 1);
    }
}
static void deepest(ar_canon *c) {
    ar_canon_begin_record(c, 1);
    for (int i = 1; i < AR_CANON_MAX_DEPTH; i++) {
        ar_canon_field(c, 1);
        ar_canon_begin_record(c, 1);
    }
    for (int i = 0; i < AR_CANON_MAX_DEPTH; i++)
        ar_canon_end_record(c);
}
static void money_without_currency(ar_canon *c) {
    archase_money m = { 100, "eur" };
    ar_canon_begin_record(c, 1);
    ar_canon_put_money(c, 1, &m);
    ar_canon_end_record(c);
}
static void money_null(ar_canon *c) {
    ar_canon_begin_record(c, 1);
    ar_canon_put_money(c, 1, NULL);
    ar_canon_end_record(c);
}
static void money_of_two_letters(ar_canon *c) {
    archase_money m = { 100, "EU" };
    ar_canon_begin_record(c, 1);
    ar_canon_put_money(c, 1, &m);
    ar_canon_end_record(c);
}
static void money_ok(ar_canon *c) {
    archase_money m = { -100, "EUR" };
    uint8_t hash[32] = { 1 };
    ar_canon_begin_record(c, 1);
    ar_canon_put_money(c, 1, &m);
    ar_canon_put_instant(c, 2, -1);
    ar_canon_put_hash(c, 3, hash);
    ar_canon_put_bytes(c, 4, "", 0);
    ar_canon_put_bool(c, 5, 1);
    ar_canon_put_str(c, 6, "x");
    ar_canon_end_record(c);
}
static void bytes_too_long(ar_canon *c) {
    static const char small[1];
    ar_canon_begin_record(c, 1);
    ar_canon_field(c, 1);
    ar_canon_bytes(c, small, (size_t)AR_CANON_MAX_LENGTH + 1);
    ar_canon_end_record(c);
}

static void only_sequences_that_make_one_record_finish(void **state) {
    (void)state;
    assert_int_equal(finish_of(one_record, NULL), 0);
    assert_int_equal(finish_of(deepest, NULL), 0);
    assert_int_equal(finish_of(money_ok, NULL), 0);
    static const struct {
        const char *what;
        calls_fn    calls;
    } wrong[] = {
        { "two records", two_records },
        { "nothing", nothing },
        { "a field at the top", field_at_top },
        { "a list at the top", list_at_top },
        { "a value without a field", value_without_field },
        { "two values for a field", two_values_for_a_field },
        { "a field twice", field_twice },
        { "fields out of order", fields_out_of_order },
        { "a field in a list", field_in_a_list },
        { "a record ended as a list", end_list_of_a_record },
        { "a record ended with a field waiting", end_with_a_field_waiting },
        { "an end of nothing", end_of_nothing },
        { "a record left open", left_open },
        { "records nested too deep", too_deep },
        { "money in lower case", money_without_currency },
        { "no money", money_null },
        { "money of two letters", money_of_two_letters },
        { "bytes longer than a length holds", bytes_too_long },
    };
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++)
        if (finish_of(wrong[i].calls, NULL) != ARCHASE_EINVAL)
            fail_msg("%s was encoded", wrong[i].what);
}

static void a_record_holds_at_most_65535_fields(void **state) {
    (void)state;
    ar_canon c;
    ar_canon_init(&c, NULL);
    ar_canon_begin_record(&c, 1);
    for (uint32_t field = 0; field < 0xffff; field++) {
        ar_canon_field(&c, (uint16_t)field);
        ar_canon_null(&c);
    }
    assert_int_equal(c.err, 0);
    ar_canon_field(&c, 0xffff);
    ar_canon_null(&c);
    assert_int_equal(c.err, ARCHASE_EINVAL);
    ar_canon_end_record(&c);
    const uint8_t *data;
    size_t size;
    assert_int_equal(ar_canon_finish(&c, &data, &size), ARCHASE_EINVAL);
    ar_canon_free(&c);
}

static void the_first_error_is_the_one_kept(void **state) {
    (void)state;
    ar_canon c;
    ar_canon_init(&c, NULL);
    ar_canon_begin_record(&c, 1);
    ar_canon_int(&c, 1); /* EINVAL: no field */
    assert_int_equal(c.err, ARCHASE_EINVAL);
    ar_canon_put_money(&c, 1, NULL);
    ar_canon_field(&c, 1);
    ar_canon_end_record(&c);
    assert_int_equal(c.err, ARCHASE_EINVAL);
    /* Reset, the encoder is fresh again. */
    ar_canon_reset(&c);
    one_record(&c);
    const uint8_t *data;
    size_t size;
    assert_int_equal(ar_canon_finish(&c, &data, &size), 0);
    assert_int_equal(data[0], AR_CANON_RECORD);
    ar_canon_free(&c);
    assert_int_equal(ar_canon_validate(NULL, 3), ARCHASE_EPARSE);
    assert_int_equal(ar_canon_validate(NULL, 0), ARCHASE_EPARSE);
}

static void *refuse(void *userdata, size_t size) {
    (void)userdata;
    (void)size;
    return NULL;
}
static void *refuse_realloc(void *userdata, void *ptr, size_t size) {
    (void)userdata;
    (void)ptr;
    (void)size;
    return NULL;
}
static void release(void *userdata, void *ptr) {
    (void)userdata;
    free(ptr);
}

static void no_memory_is_reported_as_such(void **state) {
    (void)state;
    archase_allocator none = { ARCHASE_ALLOCATOR_VERSION, NULL, refuse, refuse_realloc, release };
    assert_int_equal(finish_of(one_record, &none), ARCHASE_ENOMEM);
    assert_int_equal(finish_of(nothing, &none), ARCHASE_EINVAL);
    /* The buffer's failure stops the next value and the next end alike. */
    ar_canon c;
    ar_canon_init(&c, &none);
    ar_canon_begin_record(&c, 1);
    ar_canon_end_record(&c);
    assert_int_equal(c.err, ARCHASE_ENOMEM);
    ar_canon_free(&c);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(only_sequences_that_make_one_record_finish),
    cmocka_unit_test(a_record_holds_at_most_65535_fields),
    cmocka_unit_test(the_first_error_is_the_one_kept),
    cmocka_unit_test(no_memory_is_reported_as_such),
};

AR_TEST_MAIN(tests)
