/* cli/cli.h — the `archase` command: command table, exit codes, shared helpers.
 * The CLI is a client of the public API only. */
#ifndef ARCHASE_CLI_H
#define ARCHASE_CLI_H

#include <stdio.h>

#include "archase/archase.h"

/* Exit codes, the same for every command. */
enum {
    CLI_OK = 0,      /* success (for verifiers: verified / valid) */
    CLI_INVALID = 1, /* the data, policy or proof is invalid, or the operation failed */
    CLI_USAGE = 2,   /* the command line is wrong */
};

typedef struct cli_command {
    const char *name;    /* "version", "policy", ... */
    const char *summary; /* one line for `archase --help` */
    const char *help;    /* the full text for `archase NAME --help` */
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
} cli_command;

/* Every command, in the order `archase --help` lists them. */
extern const cli_command cli_commands[];
extern const size_t cli_command_count;

/* One option of a command. `value` receives the argument of an option that
 * takes one (the last one given wins); `flag` is set to 1 for a flag.
 * An option with takes_value == CLI_REPEATED may be given many times: `value`
 * then points to an array of CLI_REPEATED_MAX + 1 pointers, all NULL, that
 * receives every argument in order, NULL-terminated. */
typedef struct cli_option {
    const char  *name;    /* without the leading "--" */
    int          takes_value;
    const char **value;
    int         *flag;
} cli_option;
#define CLI_REPEATED     2
#define CLI_REPEATED_MAX 256

/* Parses argv[first..argc) into options and positional arguments (at most
 * `max_positional`; "--" ends options). `--help`/`-h` prints `help` and sets
 * *help_shown. Returns CLI_OK, or CLI_USAGE after printing what is wrong. */
int cli_parse(const char *command, const char *help, int argc, char **argv, int first,
              const cli_option *options, const char **positional, int max_positional,
              int *n_positional, int *help_shown);

/* Prints "archase COMMAND: message" to stderr and returns `code`. */
int cli_fail(const char *command, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prints "archase COMMAND: what: <strerror>[: detail]" for a library error and
 * returns the exit code the error maps to (CLI_INVALID for data errors). */
int cli_fail_rc(const char *command, int rc, const char *what, const char *detail);

/* Minimal JSON output for --json. */
typedef struct cli_json {
    FILE *out;
    int   depth;
    int   need_comma[32];
    int   after_key;
    int   pretty;
} cli_json;

void cli_json_init(cli_json *j, FILE *out, int pretty);
void cli_json_begin_object(cli_json *j);
void cli_json_end_object(cli_json *j);
void cli_json_begin_array(cli_json *j);
void cli_json_end_array(cli_json *j);
void cli_json_key(cli_json *j, const char *key);
void cli_json_string(cli_json *j, const char *s);
void cli_json_int(cli_json *j, long long v);
void cli_json_bool(cli_json *j, int v);
void cli_json_null(cli_json *j);
/* A number already formatted ("55.35"); written as is. */
void cli_json_raw(cli_json *j, const char *number);
/* Ends the document with a newline. */
void cli_json_finish(cli_json *j);

#endif
