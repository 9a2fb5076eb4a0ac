/* cli/json.c — minimal JSON writer for --json output. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

void cli_json_init(cli_json *j, FILE *out, int pretty) {
    memset(j, 0, sizeof *j);
    j->out = out;
    j->pretty = pretty;
}

static void indent(cli_json *j) {
    if (!j->pretty)
        return;
    fputc('\n', j->out);
    for (int i = 0; i < j->depth; i++)
        fputs("  ", j->out);
}

/* Writes the separator before a value (or a key) at the current level. */
static void before_value(cli_json *j) {
    if (j->after_key) {
        j->after_key = 0;
        return;
    }
    if (j->depth > 0) {
        if (j->need_comma[j->depth])
            fputc(',', j->out);
        j->need_comma[j->depth] = 1;
        indent(j);
    }
}

static void open_container(cli_json *j, char c) {
    before_value(j);
    fputc(c, j->out);
    if (j->depth < 31)
        j->depth++;
    j->need_comma[j->depth] = 0;
}

static void close_container(cli_json *j, char c) {
    int had_items = j->need_comma[j->depth];
    if (j->depth > 0)
        j->depth--;
    if (had_items)
        indent(j);
    fputc(c, j->out);
}

void cli_json_begin_object(cli_json *j) { open_container(j, '{'); }
void cli_json_end_object(cli_json *j) { close_container(j, '}'); }
void cli_json_begin_array(cli_json *j) { open_container(j, '['); }
void cli_json_end_array(cli_json *j) { close_container(j, ']'); }

static void write_string(FILE *out, const char *s) {
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default:
            if (*p < 0x20)
                fprintf(out, "\\u%04x", *p);
            else
                fputc(*p, out);
        }
    }
    fputc('"', out);
}

void cli_json_key(cli_json *j, const char *key) {
    before_value(j);
    write_string(j->out, key);
    fputs(j->pretty ? ": " : ":", j->out);
    j->after_key = 1;
}

void cli_json_string(cli_json *j, const char *s) {
    before_value(j);
    if (s)
        write_string(j->out, s);
    else
        fputs("null", j->out);
}

void cli_json_int(cli_json *j, long long v) {
    before_value(j);
    fprintf(j->out, "%lld", v);
}

void cli_json_bool(cli_json *j, int v) {
    before_value(j);
    fputs(v ? "true" : "false", j->out);
}

void cli_json_null(cli_json *j) {
    before_value(j);
    fputs("null", j->out);
}

void cli_json_raw(cli_json *j, const char *number) {
    before_value(j);
    fputs(number, j->out);
}

void cli_json_finish(cli_json *j) {
    fputc('\n', j->out);
    fflush(j->out);
}
