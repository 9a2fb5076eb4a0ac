/* cli/export_worklist.h — `archase export --kind worklist`. */
#ifndef ARCHASE_CLI_EXPORT_WORKLIST_H
#define ARCHASE_CLI_EXPORT_WORKLIST_H

#include <stdio.h>

/* Writes the worklist of `as_of` under the policy at `policy_path` (only
 * `owner`'s lines when not NULL) to `out` as CSV (archase_format) or JSON
 * Lines. Returns a CLI exit code after printing what went wrong. */
int cli_export_worklist(const char *db, const char *policy_path, const char *as_of,
                        const char *owner, int format, FILE *out);

#endif
