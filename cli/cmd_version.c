/* cli/cmd_version.c — `archase version`. */
#include <stdio.h>

#include "cli.h"
#include "commands.h"

const char cmd_version_help[] =
    "usage: archase version [--json]\n"
    "\n"
    "Prints the version of the libarchase library the CLI runs on and the\n"
    "version of the headers it was built with.\n"
    "\n"
    "  --json   print {\"library\": \"X.Y.Z\", \"headers\": \"X.Y.Z\", \"number\": N}\n";

int cmd_version(int argc, char **argv) {
    int json = 0, help = 0, npos = 0;
    const cli_option options[] = {
        { "json", 0, NULL, &json },
        { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("version", cmd_version_help, argc, argv, 1, options, NULL, 0, &npos, &help);
    if (rc || help)
        return rc;
    if (json) {
        cli_json j;
        cli_json_init(&j, stdout, 0);
        cli_json_begin_object(&j);
        cli_json_key(&j, "library");
        cli_json_string(&j, archase_version_string());
        cli_json_key(&j, "headers");
        cli_json_string(&j, ARCHASE_VERSION_STRING);
        cli_json_key(&j, "number");
        cli_json_int(&j, archase_version());
        cli_json_end_object(&j);
        cli_json_finish(&j);
    } else {
        printf("archase %s (headers %s)\n", archase_version_string(), ARCHASE_VERSION_STRING);
    }
    return CLI_OK;
}
