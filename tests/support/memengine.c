/* tests/support/memengine.c — the fixture of the forecast and KPI suites
 * (memengine.h). */
#include "memengine.h"

#include "testutil.h"

archase_storage test_unowned(const archase_storage *s) {
    archase_storage t = *s;
    t.close = NULL;
    return t;
}

int test_memengine_setup(void **state) {
    test_memengine *f = test_calloc(1, sizeof *f);
    assert_int_equal(archase_memory_storage_new(NULL, &f->store), 0);
    archase_storage s = test_unowned(&f->store);
    assert_int_equal(archase_engine_open(&s, NULL, &f->eng), 0);
    *state = f;
    return 0;
}

int test_memengine_teardown(void **state) {
    test_memengine *f = *state;
    archase_forecast_free(f->fc);
    archase_kpi_report_free(f->report);
    archase_engine_free(f->eng);
    f->store.close(f->store.userdata);
    test_free(f);
    return 0;
}

void test_ok(archase_engine *eng, int rc) {
    if (rc != 0)
        fail_msg("%s: %s", archase_error_name(rc), archase_engine_errmsg(eng));
}
