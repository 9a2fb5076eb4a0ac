/* cli/policy_file.h — loading the policy a command is given with --policy. */
#ifndef ARCHASE_CLI_POLICY_FILE_H
#define ARCHASE_CLI_POLICY_FILE_H

#include "archase/archase.h"

/* Loads the policy at `path`. On failure prints every diagnostic as
 * "archase COMMAND: file:line:column: message" and returns NULL with the
 * library's code in *rc. */
archase_policy *cli_policy_load(const char *command, const char *path, int *rc);

#endif
