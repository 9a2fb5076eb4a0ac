/* tests/test_version.c — the header and the library agree on the version. */
#include <stdio.h>
#include <string.h>

#include "archase/archase.h"
#include "support/testutil.h"

static void header_and_library_agree(void **state) {
    (void)state;
    assert_int_equal(archase_version(), ARCHASE_VERSION_NUMBER);
    assert_string_equal(archase_version_string(), ARCHASE_VERSION_STRING);
}

static void string_and_number_agree(void **state) {
    (void)state;
    int major = -1, minor = -1, patch = -1;
    char tail = 0;
    assert_int_equal(sscanf(archase_version_string(), "%d.%d.%d%c", &major, &minor, &patch, &tail), 3);
    assert_int_equal(major, ARCHASE_VERSION_MAJOR);
    assert_int_equal(minor, ARCHASE_VERSION_MINOR);
    assert_int_equal(patch, ARCHASE_VERSION_PATCH);
    assert_int_equal(archase_version(), major * 10000 + minor * 100 + patch);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(header_and_library_agree),
    cmocka_unit_test(string_and_number_agree),
};

AR_TEST_MAIN(tests)
