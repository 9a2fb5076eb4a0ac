/* cli/policy_file.c — loading the policy a command is given with --policy. */
#include "policy_file.h"

#include <stdio.h>

#include "cli.h"

archase_policy *cli_policy_load(const char *command, const char *path, int *rc) {
    archase_diag_list *diags = NULL;
    archase_policy *policy = NULL;
    *rc = archase_diag_list_new(NULL, 0, &diags);
    if (*rc) {
        cli_fail_rc(command, *rc, path, NULL);
        return NULL;
    }
    *rc = archase_policy_load_file(path, NULL, &policy, diags);
    if (*rc) {
        size_t n = archase_diag_list_count(diags);
        if (!n)
            cli_fail_rc(command, *rc, path, NULL);
        for (size_t i = 0; i < n; i++) {
            char line[1024];
            archase_diag_format(archase_diag_list_get(diags, i), line, sizeof line);
            fprintf(stderr, "archase %s: %s\n", command, line);
        }
    }
    archase_diag_list_free(diags);
    return policy;
}
