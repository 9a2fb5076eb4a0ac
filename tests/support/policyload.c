/* tests/support/policyload.c — loading a valid policy (policyload.h). */
#include "policyload.h"

#include <string.h>

#include "testutil.h"

archase_policy *test_policy_load_ok(const char *yaml) {
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    archase_policy *p = NULL;
    int rc = archase_policy_load_buffer(yaml, strlen(yaml), "p.yaml", NULL, &p, diags);
    if (rc) {
        char line[1200] = "";
        if (archase_diag_list_count(diags))
            archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
        fail_msg("policy rejected (%d): %s", rc, line);
    }
    archase_diag_list_free(diags);
    return p;
}

archase_diag_list *test_policy_load_refused(const char *yaml) {
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    archase_policy *p = (archase_policy *)0x1;
    int rc = archase_policy_load_buffer(yaml, strlen(yaml), "p.yaml", NULL, &p, diags);
    if (rc != ARCHASE_EPOLICY)
        fail_msg("expected ARCHASE_EPOLICY, got %d, for\n%s", rc, yaml);
    assert_ptr_equal(p, (archase_policy *)0x1);
    return diags;
}
