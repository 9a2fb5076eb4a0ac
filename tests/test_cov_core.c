/* tests/test_cov_core.c — the small public pieces of the core: diagnostics
 * formatted with and without their source, line and column, lists given
 * NULL and bad allocators, and error codes outside the list. */
#include <stdio.h>
#include <string.h>

#include "archase/archase.h"
#include "support/testutil.h"

static void diagnostics_format_the_parts_they_have(void **state) {
    (void)state;
    archase_diag d;
    char buf[64];
    memset(&d, 0, sizeof d);
    snprintf(d.message, sizeof d.message, "bad value");
    assert_int_equal(archase_diag_format(&d, buf, sizeof buf), 0);
    assert_string_equal(buf, "bad value");
    snprintf(d.source, sizeof d.source, "policy.yaml");
    assert_int_equal(archase_diag_format(&d, buf, sizeof buf), 0);
    assert_string_equal(buf, "policy.yaml: bad value");
    d.column = 4; /* a column without a line is not shown */
    assert_int_equal(archase_diag_format(&d, buf, sizeof buf), 0);
    assert_string_equal(buf, "policy.yaml: bad value");
    d.line = 12;
    d.column = 0;
    assert_int_equal(archase_diag_format(&d, buf, sizeof buf), 0);
    assert_string_equal(buf, "policy.yaml:12: bad value");
    d.column = 4;
    assert_int_equal(archase_diag_format(&d, buf, sizeof buf), 0);
    assert_string_equal(buf, "policy.yaml:12:4: bad value");
    /* Too small: truncated, and said so. */
    assert_int_equal(archase_diag_format(&d, buf, 10), ARCHASE_EBUFSIZE);
    assert_string_equal(buf, "policy.ya");
    assert_int_equal(archase_diag_format(&d, buf, 0), ARCHASE_EINVAL);
    assert_int_equal(archase_diag_format(&d, NULL, 10), ARCHASE_EINVAL);
    assert_int_equal(archase_diag_format(NULL, buf, sizeof buf), ARCHASE_EINVAL);
}

static void diagnostic_lists_accept_null_and_check_their_allocator(void **state) {
    (void)state;
    archase_diag_list *list = NULL;
    archase_allocator bad = { 42, NULL, NULL, NULL, NULL };
    assert_int_equal(archase_diag_list_new(NULL, 0, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_diag_list_new(&bad, 0, &list), ARCHASE_EVERSION);
    assert_null(list);
    assert_int_equal(archase_diag_list_count(NULL), 0);
    assert_int_equal(archase_diag_list_dropped(NULL), 0);
    assert_null(archase_diag_list_get(NULL, 0));
    archase_diag_list_clear(NULL);
    archase_diag_list_free(NULL);
    assert_int_equal(archase_diag_list_new(archase_default_allocator(), 3, &list), 0);
    assert_int_equal(archase_diag_list_count(list), 0);
    assert_null(archase_diag_list_get(list, 0));
    archase_diag_list_clear(list);
    archase_diag_list_free(list);
}

static void error_codes_outside_the_list_have_a_name_and_text(void **state) {
    (void)state;
    assert_string_equal(archase_error_name(0), "ARCHASE_OK");
    assert_string_equal(archase_error_name(ARCHASE_EVERIFY), "ARCHASE_EVERIFY");
    assert_string_equal(archase_error_name(-9999), "ARCHASE_EUNKNOWN");
    assert_string_equal(archase_error_name(5), "ARCHASE_EUNKNOWN");
    assert_string_equal(archase_error_name(ARCHASE_ERROR_MIN_ - 1), "ARCHASE_EUNKNOWN");
    assert_string_equal(archase_strerror(-9999), "unknown error");
    assert_string_equal(archase_strerror(7), "unknown error");
    assert_string_equal(archase_strerror(0), "success");
    assert_true(strlen(archase_strerror(ARCHASE_ENOMEM)) > 0);
    assert_string_not_equal(archase_strerror(-9999), archase_strerror(ARCHASE_ENOMEM));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(diagnostics_format_the_parts_they_have),
    cmocka_unit_test(diagnostic_lists_accept_null_and_check_their_allocator),
    cmocka_unit_test(error_codes_outside_the_list_have_a_name_and_text),
};

AR_TEST_MAIN(tests)
