/* cli/main.c — `archase`: dispatch to a command. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void print_usage(FILE *out) {
    fprintf(out,
            "usage: archase COMMAND [ARGS...]\n"
            "\n"
            "Accounts receivable collections: policies, chase sequences, promises,\n"
            "disputes, approvals, a tamper-evident audit log and KPIs.\n"
            "\n"
            "commands:\n");
    for (size_t i = 0; i < cli_command_count; i++)
        fprintf(out, "  %-12s %s\n", cli_commands[i].name, cli_commands[i].summary);
    fprintf(out,
            "\n"
            "`archase COMMAND --help` describes a command. Commands that print data\n"
            "take --json for machine readers.\n"
            "exit status: 0 ok, 1 the data or policy is invalid (or the operation failed),\n"
            "2 the command line is wrong.\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        print_usage(stderr);
        return CLI_USAGE;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
        if (argc >= 3) {
            for (size_t i = 0; i < cli_command_count; i++) {
                if (!strcmp(cli_commands[i].name, argv[2])) {
                    fputs(cli_commands[i].help, stdout);
                    return CLI_OK;
                }
            }
            fprintf(stderr, "archase: unknown command '%s'\n", argv[2]);
            return CLI_USAGE;
        }
        print_usage(stdout);
        return CLI_OK;
    }
    if (!strcmp(name, "--version")) {
        printf("archase %s\n", archase_version_string());
        return CLI_OK;
    }
    for (size_t i = 0; i < cli_command_count; i++) {
        if (!strcmp(cli_commands[i].name, name))
            return cli_commands[i].run(argc - 1, argv + 1);
    }
    fprintf(stderr, "archase: unknown command '%s' (see `archase --help`)\n", name);
    return CLI_USAGE;
}
