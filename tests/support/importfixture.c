/* tests/support/importfixture.c — the import and export suites' fixture
 * (importfixture.h). */
#include "importfixture.h"

#include <string.h>

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

void test_mapping_cases(const test_mapping_case *cases, size_t count) {
    for (size_t i = 0; i < count; i++) {
        const test_mapping_case *c = &cases[i];
        archase_diag_list *diags = NULL;
        assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
        archase_mapping *m = (archase_mapping *)0x1;
        int rc = archase_mapping_load_buffer(c->text, strlen(c->text), "m.yaml", NULL, diags, &m);
        char line[1200] = "";
        if (!c->expected) {
            if (rc) {
                archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
                fail_msg("case %zu refused (%s): %s", i, archase_error_name(rc), line);
            }
            archase_mapping_free(m);
        } else {
            if (rc != ARCHASE_EPARSE)
                fail_msg("case %zu: expected ARCHASE_EPARSE, got %s", i, archase_error_name(rc));
            assert_ptr_equal(m, (archase_mapping *)0x1);
            archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
            if (strcmp(line, c->expected) != 0)
                fail_msg("case %zu:\n%s\nexpected\n  %s\ngot\n  %s", i, c->text, c->expected, line);
        }
        archase_diag_list_free(diags);
    }
}
