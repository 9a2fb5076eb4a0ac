/* cli/commands.c — the command table. A new command adds one line here and
 * one declaration in commands.h. */
#include "cli.h"
#include "commands.h"

const cli_command cli_commands[] = {
    { "version", "print the library version", cmd_version_help, cmd_version },
    { "money", "parse, format, add, split and apply rates to amounts", cmd_money_help, cmd_money },
};

const size_t cli_command_count = sizeof cli_commands / sizeof cli_commands[0];
