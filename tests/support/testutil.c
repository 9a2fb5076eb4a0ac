/* tests/support/testutil.c — shared helpers for the C test suites. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "archase/archase.h"

const char *test_shared_data_dir(void) {
    static char path[4096];
    const char *root = getenv("ARCHASE_SOURCE_ROOT");
    if (!root)
        return NULL;
    snprintf(path, sizeof path, "%s/../shared/data", root);
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return NULL;
    return path;
}

int test_under_valgrind(void) {
    const char *preload = getenv("LD_PRELOAD");
    return preload && strstr(preload, "valgrind") != NULL;
}

int test_rounds(int n, int divisor) {
    if (!test_under_valgrind() || divisor <= 1)
        return n;
    return n / divisor > 0 ? n / divisor : 1;
}

void test_rng_seed(test_rng *r, uint64_t seed) {
    r->state = seed ? seed : 0x9e3779b97f4a7c15ull;
}

uint64_t test_rng_next(test_rng *r) {
    uint64_t x = r->state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->state = x;
    return x * 0x2545f4914f6cdd1dull;
}

uint64_t test_rng_below(test_rng *r, uint64_t n) {
    return n ? test_rng_next(r) % n : 0;
}

void test_put_contact(struct archase_engine *eng, const char *id, const char *customer, int channel,
                      const char *address) {
    archase_contact k = ARCHASE_CONTACT_INIT;
    k.id = id;
    k.customer_id = customer;
    k.channel = channel;
    k.address = address;
    k.consent = 1;
    assert_int_equal(archase_contact_put(eng, &k, NULL), 0);
}
