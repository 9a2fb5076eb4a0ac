/* tests/test_diag.c — diagnostics lists: limits, formatting, allocation failure. */
#include <string.h>

#include "archase/archase.h"
#include "core/diag.h"
#include "support/failalloc.h"
#include "support/testutil.h"

static void formats_file_line_column(void **state) {
    (void)state;
    archase_diag d;
    memset(&d, 0, sizeof d);
    strcpy(d.source, "policy.yaml");
    d.line = 12;
    d.column = 5;
    strcpy(d.message, "unknown key 'ofset' (did you mean 'offset'?)");
    char buf[256];
    assert_int_equal(archase_diag_format(&d, buf, sizeof buf), 0);
    assert_string_equal(buf, "policy.yaml:12:5: unknown key 'ofset' (did you mean 'offset'?)");
    d.column = 0;
    assert_int_equal(archase_diag_format(&d, buf, sizeof buf), 0);
    assert_string_equal(buf, "policy.yaml:12: unknown key 'ofset' (did you mean 'offset'?)");
    d.line = 0;
    assert_int_equal(archase_diag_format(&d, buf, sizeof buf), 0);
    assert_string_equal(buf, "policy.yaml: unknown key 'ofset' (did you mean 'offset'?)");
    assert_int_equal(archase_diag_format(&d, buf, 8), ARCHASE_EBUFSIZE);
    assert_string_equal(buf, "policy.");
    assert_int_equal(archase_diag_format(NULL, buf, sizeof buf), ARCHASE_EINVAL);
}

static void keeps_up_to_the_limit_and_counts_the_rest(void **state) {
    (void)state;
    archase_diag_list *list = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 3, &list), 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(ar_diag_add(list, ARCHASE_EPARSE, "x.csv", (uint32_t)i + 2, 1, "row %d", i), 0);
    assert_int_equal(archase_diag_list_count(list), 3);
    assert_int_equal(archase_diag_list_dropped(list), 2);
    assert_string_equal(archase_diag_list_get(list, 2)->message, "row 2");
    assert_int_equal(archase_diag_list_get(list, 0)->line, 2);
    assert_null(archase_diag_list_get(list, 3));
    archase_diag_list_clear(list);
    assert_int_equal(archase_diag_list_count(list), 0);
    assert_int_equal(archase_diag_list_dropped(list), 0);
    archase_diag_list_free(list);
    archase_diag_list_free(NULL);
}

static void default_limit_is_twenty(void **state) {
    (void)state;
    archase_diag_list *list = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 0, &list), 0);
    for (int i = 0; i < 25; i++)
        ar_diag_add(list, ARCHASE_EPOLICY, "p.yaml", 1, 1, "e%d", i);
    assert_int_equal(archase_diag_list_count(list), 20);
    assert_int_equal(archase_diag_list_dropped(list), 5);
    archase_diag_list_free(list);
}

static void long_text_is_truncated_not_overflowed(void **state) {
    (void)state;
    archase_diag_list *list = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 0, &list), 0);
    char big[2000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(ar_diag_add(list, ARCHASE_EPARSE, big, 1, 1, "%s", big), 0);
    const archase_diag *d = archase_diag_list_get(list, 0);
    assert_int_equal(strlen(d->source), ARCHASE_DIAG_SOURCE_MAX - 1);
    assert_int_equal(strlen(d->message), ARCHASE_DIAG_MESSAGE_MAX - 1);
    archase_diag_list_free(list);
}

static void rejects_a_bad_allocator(void **state) {
    (void)state;
    archase_allocator bad = { 99, NULL, NULL, NULL, NULL };
    archase_diag_list *list = NULL;
    assert_int_equal(archase_diag_list_new(&bad, 0, &list), ARCHASE_EVERSION);
    bad.version = ARCHASE_ALLOCATOR_VERSION;
    assert_int_equal(archase_diag_list_new(&bad, 0, &list), ARCHASE_EINVAL);
    assert_null(list);
}

static int fill_a_list(const archase_allocator *a, void *ctx) {
    (void)ctx;
    archase_diag_list *list = NULL;
    int rc = archase_diag_list_new(a, 0, &list);
    if (rc)
        return rc;
    for (int i = 0; i < 12 && !rc; i++)
        rc = ar_diag_add(list, ARCHASE_EPARSE, "f", 1, 1, "m%d", i);
    if (!rc && archase_diag_list_count(list) != 12)
        rc = ARCHASE_EINVAL;
    archase_diag_list_free(list);
    return rc;
}

static void survives_every_allocation_failure(void **state) {
    (void)state;
    size_t calls = failalloc_loop(fill_a_list, NULL, NULL);
    assert_true(calls >= 2);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(formats_file_line_column),
    cmocka_unit_test(keeps_up_to_the_limit_and_counts_the_rest),
    cmocka_unit_test(default_limit_is_twenty),
    cmocka_unit_test(long_text_is_truncated_not_overflowed),
    cmocka_unit_test(rejects_a_bad_allocator),
    cmocka_unit_test(survives_every_allocation_failure),
};

AR_TEST_MAIN(tests)
