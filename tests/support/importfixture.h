/* tests/support/importfixture.h — what the import and export suites work
 * on: an engine over a new memory store and a list that keeps up to 50
 * diagnostics. */
#ifndef ARCHASE_TEST_IMPORTFIXTURE_H
#define ARCHASE_TEST_IMPORTFIXTURE_H

#include "archase/archase.h"

typedef struct test_import_fixture {
    archase_engine    *eng;
    archase_diag_list *diags;
} test_import_fixture;

/* A heap fixture with an empty ledger, or NULL when the engine or the list
 * does not open. */
test_import_fixture *test_import_fixture_new(void);

/* cmocka teardown: frees the list, the engine and the fixture in *state. */
int test_import_teardown(void **state);

/* The first diagnostic in f->diags as its one-line text (in a static
 * buffer the next call overwrites), or "(none)". */
const char *test_import_first_diag(const test_import_fixture *f);

/* A mapping file's text, and the first problem it must be refused with
 * (as "m.yaml:LINE:COLUMN: ...") or NULL when it must load. */
typedef struct test_mapping_case {
    const char *text;
    const char *expected;
} test_mapping_case;

/* Loads each case as "m.yaml" and fails the test, naming the case, when it
 * loads where it must be refused, is refused otherwise or with another
 * first problem, or writes the output on a refusal. */
void test_mapping_cases(const test_mapping_case *cases, size_t count);

#endif
