/* tests/test_errors.c — error codes are pinned forever, and each has a name and a message. */
#include <string.h>

#include "archase/archase.h"
#include "support/testutil.h"

static void every_error_value_is_pinned(void **state) {
    (void)state;
    assert_int_equal(ARCHASE_OK, 0);
    assert_int_equal(ARCHASE_EINVAL, -1);
    assert_int_equal(ARCHASE_ENOMEM, -2);
    assert_int_equal(ARCHASE_ECONFLICT, -3);
    assert_int_equal(ARCHASE_EPOLICY, -4);
    assert_int_equal(ARCHASE_ESTORAGE, -5);
    assert_int_equal(ARCHASE_ENOTFOUND, -6);
    assert_int_equal(ARCHASE_EUNSUPPORTED, -7);
    assert_int_equal(ARCHASE_ECURRENCY, -8);
    assert_int_equal(ARCHASE_EOVERFLOW, -9);
    assert_int_equal(ARCHASE_EPARSE, -10);
    assert_int_equal(ARCHASE_ESTATE, -11);
    assert_int_equal(ARCHASE_EDENIED, -12);
    assert_int_equal(ARCHASE_EVERIFY, -13);
    assert_int_equal(ARCHASE_EBUSY, -14);
    assert_int_equal(ARCHASE_ETRANSPORT, -15);
    assert_int_equal(ARCHASE_EVERSION, -16);
    assert_int_equal(ARCHASE_ECALLBACK, -17);
    assert_int_equal(ARCHASE_EIO, -18);
    assert_int_equal(ARCHASE_ERANGE, -19);
    assert_int_equal(ARCHASE_EBUFSIZE, -20);
    assert_int_equal(ARCHASE_EEXPIRED, -21);
}

/* Counts the list so a code added without pinning it above fails here. */
static void the_list_has_no_unpinned_codes(void **state) {
    (void)state;
    int count = 0, min = 0;
#define COUNT_(name, value, message) \
    count++;                         \
    if ((value) < min)               \
        min = (value);
    ARCHASE_ERRNO_MAP(COUNT_)
#undef COUNT_
    assert_int_equal(count, 21);
    assert_int_equal(min, -21);
    assert_int_equal(ARCHASE_ERROR_MIN_, min);
}

static void names_and_messages_are_distinct_and_stable(void **state) {
    (void)state;
    assert_string_equal(archase_error_name(ARCHASE_ENOMEM), "ARCHASE_ENOMEM");
    assert_string_equal(archase_strerror(ARCHASE_ENOMEM), "out of memory");
    assert_string_equal(archase_error_name(ARCHASE_ECONFLICT), "ARCHASE_ECONFLICT");
    assert_string_equal(archase_strerror(ARCHASE_ESTORAGE), "storage backend failed");
    assert_string_equal(archase_error_name(0), "ARCHASE_OK");
    assert_string_equal(archase_strerror(0), "success");
    for (int a = ARCHASE_ERROR_MIN_; a < 0; a++) {
        assert_true(strncmp(archase_error_name(a), "ARCHASE_E", 9) == 0);
        assert_string_not_equal(archase_strerror(a), "unknown error");
        for (int b = a + 1; b < 0; b++) {
            assert_string_not_equal(archase_error_name(a), archase_error_name(b));
            assert_string_not_equal(archase_strerror(a), archase_strerror(b));
        }
    }
}

static void unknown_codes_say_so(void **state) {
    (void)state;
    assert_string_equal(archase_error_name(-999), "ARCHASE_EUNKNOWN");
    assert_string_equal(archase_strerror(-999), "unknown error");
    assert_string_equal(archase_strerror(5), "unknown error");
    assert_string_equal(archase_error_name(ARCHASE_ERROR_MIN_ - 1), "ARCHASE_EUNKNOWN");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(every_error_value_is_pinned),
    cmocka_unit_test(the_list_has_no_unpinned_codes),
    cmocka_unit_test(names_and_messages_are_distinct_and_stable),
    cmocka_unit_test(unknown_codes_say_so),
};

AR_TEST_MAIN(tests)
