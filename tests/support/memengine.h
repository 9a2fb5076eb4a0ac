/* tests/support/memengine.h — the fixture of the forecast and KPI suites: an
 * engine over a memory store that the test keeps open across engines, and
 * the forecast and the KPI report last computed with it. Everything goes
 * through the public API. */
#ifndef ARCHASE_TEST_MEMENGINE_H
#define ARCHASE_TEST_MEMENGINE_H

#include "archase/archase.h"

typedef struct test_memengine {
    archase_storage     store;  /* the memory backend, kept open across engines */
    archase_engine     *eng;
    archase_forecast   *fc;     /* NULL until a test runs a forecast */
    archase_kpi_report *report; /* NULL until a test computes KPIs */
} test_memengine;

/* The backend table without its close slot, so engines come and go over it. */
archase_storage test_unowned(const archase_storage *s);

/* cmocka setup and teardown: *state becomes a heap test_memengine with its
 * engine open; teardown frees the forecast, the report and the engine, then
 * closes the store. */
int test_memengine_setup(void **state);
int test_memengine_teardown(void **state);

/* Fails the test with the code's name and the engine's message unless rc
 * is 0. */
void test_ok(archase_engine *eng, int rc);

#endif
