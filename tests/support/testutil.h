/* tests/support/testutil.h — what every cmocka test file includes. */
#ifndef ARCHASE_TESTUTIL_H
#define ARCHASE_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* Runs a group with TAP output, which the test runner counts case by case. */
#define AR_TEST_MAIN(group_tests)                                                 \
    int main(void) {                                                              \
        cmocka_set_message_output(CM_OUTPUT_TAP);                                 \
        return cmocka_run_group_tests_name(__FILE__, group_tests, NULL, NULL);    \
    }

/* The folder of ../shared/data relative to the project root, or NULL when it
 * is absent (tests that need it then skip). */
const char *test_shared_data_dir(void);

/* 1 when the test runs under valgrind (which preloads its own library), where
 * everything is 20-50 times slower: heavy loops run fewer rounds there; the
 * plain and sanitizer runs still run them all. */
int test_under_valgrind(void);

/* n normally, or n / divisor (at least 1) under valgrind. */
int test_rounds(int n, int divisor);

/* Deterministic pseudo-random numbers for property tests (xorshift64*). */
typedef struct test_rng {
    uint64_t state;
} test_rng;
void     test_rng_seed(test_rng *r, uint64_t seed);
uint64_t test_rng_next(test_rng *r);
/* Uniform in [0, n). */
uint64_t test_rng_below(test_rng *r, uint64_t n);

#endif
