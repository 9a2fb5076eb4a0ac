/* cli/commands.h — every command's entry point and help text. */
#ifndef ARCHASE_CLI_COMMANDS_H
#define ARCHASE_CLI_COMMANDS_H

int cmd_version(int argc, char **argv);
extern const char cmd_version_help[];

int cmd_money(int argc, char **argv);
extern const char cmd_money_help[];

int cmd_merkle(int argc, char **argv);
extern const char cmd_merkle_help[];

int cmd_checkpoint(int argc, char **argv);
extern const char cmd_checkpoint_help[];

#endif
