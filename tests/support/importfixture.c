/* tests/support/importfixture.c — the import and export suites' fixture
 * (importfixture.h). */
#include "importfixture.h"

#include "testutil.h"

test_import_fixture *test_import_fixture_new(void) {
    test_import_fixture *f = test_calloc(1, sizeof *f);
    if (archase_open_memory(NULL, &f->eng) || archase_diag_list_new(NULL, 50, &f->diags))
        return NULL;
    return f;
}

int test_import_teardown(void **state) {
    test_import_fixture *f = *state;
    archase_diag_list_free(f->diags);
    archase_engine_free(f->eng);
    test_free(f);
    return 0;
}

const char *test_import_first_diag(const test_import_fixture *f) {
    static char line[1200];
    const archase_diag *d = archase_diag_list_get(f->diags, 0);
    if (!d)
        return "(none)";
    archase_diag_format(d, line, sizeof line);
    return line;
}
