/* cli/util.c — option parsing and error reporting shared by every command. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const cli_option *find_option(const cli_option *options, const char *name, size_t len) {
    for (const cli_option *o = options; o && o->name; o++) {
        if (strlen(o->name) == len && !strncmp(o->name, name, len))
            return o;
    }
    return NULL;
}

int cli_parse(const char *command, const char *help, int argc, char **argv, int first,
              const cli_option *options, const char **positional, int max_positional,
              int *n_positional, int *help_shown) {
    int only_positional = 0;
    *n_positional = 0;
    *help_shown = 0;
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        if (!only_positional && (!strcmp(arg, "--help") || !strcmp(arg, "-h"))) {
            fputs(help, stdout);
            *help_shown = 1;
            return CLI_OK;
        }
    }
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        if (!only_positional && !strcmp(arg, "--")) {
            only_positional = 1;
            continue;
        }
        if (!only_positional && arg[0] == '-' && arg[1] == '-' && arg[2]) {
            const char *name = arg + 2;
            const char *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            const cli_option *o = find_option(options, name, len);
            if (!o)
                return cli_fail(command, CLI_USAGE, "unknown option '--%.*s' (see `archase %s --help`)",
                                (int)len, name, command);
            if (o->takes_value) {
                const char *value = eq ? eq + 1 : NULL;
                if (!value) {
                    if (i + 1 >= argc)
                        return cli_fail(command, CLI_USAGE, "option '--%s' needs a value", o->name);
                    value = argv[++i];
                }
                if (o->value && o->takes_value == CLI_REPEATED) {
                    size_t n = 0;
                    while (n < CLI_REPEATED_MAX && o->value[n])
                        n++;
                    if (n == CLI_REPEATED_MAX)
                        return cli_fail(command, CLI_USAGE, "option '--%s' given more than %d times",
                                        o->name, CLI_REPEATED_MAX);
                    o->value[n] = value;
                } else if (o->value) {
                    *o->value = value;
                }
            } else {
                if (eq)
                    return cli_fail(command, CLI_USAGE, "option '--%s' takes no value", o->name);
                if (o->flag)
                    *o->flag = 1;
            }
            continue;
        }
        if (*n_positional >= max_positional)
            return cli_fail(command, CLI_USAGE, "unexpected argument '%s' (see `archase %s --help`)",
                            arg, command);
        positional[(*n_positional)++] = arg;
    }
    return CLI_OK;
}

int cli_fail(const char *command, int code, const char *fmt, ...) {
    fprintf(stderr, "archase %s: ", command);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return code;
}

int cli_fail_rc(const char *command, int rc, const char *what, const char *detail) {
    if (detail && *detail)
        fprintf(stderr, "archase %s: %s: %s: %s\n", command, what, archase_strerror(rc), detail);
    else
        fprintf(stderr, "archase %s: %s: %s\n", command, what, archase_strerror(rc));
    return CLI_INVALID;
}
