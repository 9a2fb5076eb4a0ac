/* libarchase/io/mapping.c — loading mapping files (YAML through libyaml):
 * strict, every problem reported as file:line:column. */
#include "io/mapping.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "archase/errors.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/diag.h"

#define AR_MAPPING_MAX_SIZE (1024 * 1024)
#define AR_MAPPING_MAX_DEPTH 16

typedef struct loader {
    yaml_parser_t      parser;
    archase_mapping   *m;
    archase_diag_list *diags;
    const char        *source;
    int                errors;
    int                fatal;  /* ARCHASE_ENOMEM, or a YAML syntax error: stop */
    int                depth;
} loader;

static void problem(loader *l, uint32_t line, uint32_t column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void problem(loader *l, uint32_t line, uint32_t column, const char *fmt, ...) {
    char msg[ARCHASE_DIAG_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
        msg[0] = '\0';
    va_end(ap);
    l->errors++;
    if (ar_diag_add(l->diags, ARCHASE_EPARSE, l->source, line, column, "%s", msg))
        l->fatal = ARCHASE_ENOMEM;
}

static uint32_t line_of(const yaml_event_t *ev) {
    return (uint32_t)ev->start_mark.line + 1;
}

static uint32_t col_of(const yaml_event_t *ev) {
    return (uint32_t)ev->start_mark.column + 1;
}

/* The next event, with anchors, aliases and tags refused. 0 or -1 (stop). */
static int next(loader *l, yaml_event_t *ev) {
    if (l->fatal)
        return -1;
    if (!yaml_parser_parse(&l->parser, ev)) {
        l->errors++;
        char msg[256];
        snprintf(msg, sizeof msg, "%s", l->parser.problem ? l->parser.problem : "not valid YAML");
        if (ar_diag_add(l->diags, ARCHASE_EPARSE, l->source, (uint32_t)l->parser.problem_mark.line + 1,
                        (uint32_t)l->parser.problem_mark.column + 1, "%s", msg))
            l->fatal = ARCHASE_ENOMEM;
        else
            l->fatal = ARCHASE_EPARSE;
        return -1;
    }
    const yaml_char_t *anchor = NULL, *tag = NULL;
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        problem(l, line_of(ev), col_of(ev), "aliases are not allowed");
        yaml_event_delete(ev);
        l->fatal = ARCHASE_EPARSE;
        return -1;
    case YAML_SCALAR_EVENT:
        anchor = ev->data.scalar.anchor;
        tag = ev->data.scalar.tag;
        break;
    case YAML_MAPPING_START_EVENT:
        anchor = ev->data.mapping_start.anchor;
        tag = ev->data.mapping_start.tag;
        break;
    case YAML_SEQUENCE_START_EVENT:
        anchor = ev->data.sequence_start.anchor;
        tag = ev->data.sequence_start.tag;
        break;
    default:
        break;
    }
    if (anchor || tag) {
        problem(l, line_of(ev), col_of(ev), "%s are not allowed", anchor ? "anchors" : "tags");
        yaml_event_delete(ev);
        l->fatal = ARCHASE_EPARSE;
        return -1;
    }
    return 0;
}

/* Skips the value whose first event is `ev` (consumed). */
static void skip_value(loader *l, yaml_event_t *ev) {
    int depth = 0;
    do {
        if (ev->type == YAML_MAPPING_START_EVENT || ev->type == YAML_SEQUENCE_START_EVENT)
            depth++;
        else if (ev->type == YAML_MAPPING_END_EVENT || ev->type == YAML_SEQUENCE_END_EVENT)
            depth--;
        yaml_event_delete(ev);
        if (depth == 0)
            return;
    } while (next(l, ev) == 0);
}

/* Reads a scalar value into a copy. 0, or -1 after a problem (the value was skipped). */
static int scalar(loader *l, const char *key, char **out, uint32_t *line) {
    yaml_event_t ev;
    if (next(l, &ev))
        return -1;
    if (ev.type != YAML_SCALAR_EVENT) {
        problem(l, line_of(&ev), col_of(&ev), "'%s' must be a text value", key);
        skip_value(l, &ev);
        return -1;
    }
    if (line)
        *line = line_of(&ev);
    char *copy = ar_strndup(&l->m->allocator, (const char *)ev.data.scalar.value, ev.data.scalar.length);
    if (!copy)
        l->fatal = ARCHASE_ENOMEM;
    else if (strlen(copy) != ev.data.scalar.length) {
        problem(l, line_of(&ev), col_of(&ev), "'%s' holds a NUL character", key);
        ar_free(&l->m->allocator, copy);
        copy = NULL;
    }
    yaml_event_delete(&ev);
    if (!copy)
        return -1;
    ar_free(&l->m->allocator, *out);
    *out = copy;
    return 0;
}

typedef void (*key_fn)(loader *l, void *ctx, const char *key, const yaml_event_t *key_ev);

/* Reads a mapping (its start event already consumed), calling fn for each key;
 * fn reads the value. Duplicate keys are problems. */
static void mapping(loader *l, void *ctx, key_fn fn) {
    char seen[32][48];
    int nseen = 0;
    if (++l->depth > AR_MAPPING_MAX_DEPTH) {
        l->fatal = ARCHASE_EPARSE;
        return;
    }
    yaml_event_t ev;
    while (next(l, &ev) == 0) {
        if (ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (ev.type != YAML_SCALAR_EVENT) {
            problem(l, line_of(&ev), col_of(&ev), "keys must be plain text");
            skip_value(l, &ev);
            yaml_event_t value;
            if (next(l, &value) == 0)
                skip_value(l, &value);
            continue;
        }
        const char *key = (const char *)ev.data.scalar.value;
        int dup = 0;
        for (int i = 0; i < nseen; i++)
            dup |= !strcmp(seen[i], key);
        if (dup)
            problem(l, line_of(&ev), col_of(&ev), "duplicate key '%s'", key);
        else if (nseen < 32)
            snprintf(seen[nseen++], sizeof seen[0], "%s", key);
        fn(l, ctx, key, &ev);
        yaml_event_delete(&ev);
    }
    l->depth--;
}

static void unknown_key(loader *l, const char *key, const yaml_event_t *key_ev, const char *where) {
    problem(l, line_of(key_ev), col_of(key_ev), "unknown key '%s' in %s", key, where);
    yaml_event_t value;
    if (next(l, &value) == 0)
        skip_value(l, &value);
}

static int expect_mapping(loader *l, const char *key) {
    yaml_event_t ev;
    if (next(l, &ev))
        return -1;
    if (ev.type != YAML_MAPPING_START_EVENT) {
        problem(l, line_of(&ev), col_of(&ev), "'%s' must be a mapping", key);
        skip_value(l, &ev);
        return -1;
    }
    yaml_event_delete(&ev);
    return 0;
}

/* ---- csv: ------------------------------------------------------------------ */

static void csv_key(loader *l, void *ctx, const char *key, const yaml_event_t *key_ev) {
    (void)ctx;
    archase_mapping *m = l->m;
    char *v = NULL;
    uint32_t line = line_of(key_ev), col = col_of(key_ev);
    if (!strcmp(key, "delimiter")) {
        if (scalar(l, key, &v, &line) == 0) {
            if (strlen(v) != 1 || v[0] == '"' || v[0] == '\n' || v[0] == '\r')
                problem(l, line, col, "delimiter must be one character other than a quote or a line break");
            else
                m->delimiter = v[0];
        }
    } else if (!strcmp(key, "decimal_separator")) {
        if (scalar(l, key, &v, &line) == 0) {
            if (strcmp(v, ".") && strcmp(v, ","))
                problem(l, line, col, "decimal_separator must be \".\" or \",\"");
            else
                m->rules.decimal = v[0];
        }
    } else if (!strcmp(key, "thousands_separator")) {
        if (scalar(l, key, &v, &line) == 0) {
            if (strlen(v) > 1 || (v[0] && !strchr(",. '", v[0])))
                problem(l, line, col, "thousands_separator must be \"\", \",\", \".\", \" \" or \"'\"");
            else
                m->rules.thousands = v[0];
        }
    } else if (!strcmp(key, "date_format")) {
        if (scalar(l, key, &m->date_format, &line) == 0) {
            if (ar_date_format_check(m->date_format))
                problem(l, line, col, "date_format '%s' is not a date format: use %%Y, %%m and %%d once each",
                        m->date_format);
            else
                m->rules.date_format = m->date_format;
        }
    } else {
        unknown_key(l, key, key_ev, "csv (known: delimiter, decimal_separator, thousands_separator, date_format)");
    }
    ar_free(&m->allocator, v);
}

/* ---- outputs: ---------------------------------------------------------------- */

typedef struct out_ctx {
    ar_mapping_output *out;
    int                constants; /* reading constants (else columns) */
    int                has_kind;
} out_ctx;

static void columns_key(loader *l, void *ctx, const char *key, const yaml_event_t *key_ev) {
    out_ctx *o = ctx;
    const ar_column_spec *spec = o->out->kind ? ar_kind_column(o->out->kind, key, strlen(key)) : NULL;
    if (!spec || spec->col == C_DERIVED) {
        char where[64];
        snprintf(where, sizeof where, "the columns of %s", archase_kind_name(o->out->kind) ? archase_kind_name(o->out->kind) : "an output without a kind");
        unknown_key(l, key, key_ev, where);
        return;
    }
    char **slot = o->constants ? &o->out->constant[spec->col] : &o->out->source[spec->col];
    if (scalar(l, key, slot, &o->out->line[spec->col]) == 0 && !o->constants && !**slot)
        problem(l, line_of(key_ev), col_of(key_ev), "'%s' names an empty column", key);
}

static void when_key(loader *l, void *ctx, const char *key, const yaml_event_t *key_ev) {
    out_ctx *o = ctx;
    if (!strcmp(key, "column"))
        scalar(l, key, &o->out->when_column, &o->out->when_line);
    else if (!strcmp(key, "equals"))
        scalar(l, key, &o->out->when_equals, NULL);
    else
        unknown_key(l, key, key_ev, "when (known: column, equals)");
}

static void output_key(loader *l, void *ctx, const char *key, const yaml_event_t *key_ev) {
    out_ctx *o = ctx;
    if (!strcmp(key, "kind")) {
        char *v = NULL;
        uint32_t line;
        if (scalar(l, key, &v, &line) == 0) {
            if (archase_kind_from_name(v, &o->out->kind))
                problem(l, line, col_of(key_ev), "unknown kind '%s'%s", v, " (customers, contacts, flags, invoices, payments, credits, promises, disputes, notes)");
            o->has_kind = 1;
        }
        ar_free(&l->m->allocator, v);
    } else if (!strcmp(key, "columns") || !strcmp(key, "constants")) {
        if (!o->out->kind)
            problem(l, line_of(key_ev), col_of(key_ev), "'%s' must come after 'kind'", key);
        if (expect_mapping(l, key) == 0) {
            o->constants = key[1] == 'o' && key[2] == 'n';
            mapping(l, o, columns_key);
        }
    } else if (!strcmp(key, "when")) {
        if (expect_mapping(l, key) == 0)
            mapping(l, o, when_key);
    } else if (!strcmp(key, "settled_date")) {
        if (o->out->kind != ARCHASE_KIND_INVOICES)
            problem(l, line_of(key_ev), col_of(key_ev), "'settled_date' belongs to an invoices output");
        scalar(l, key, &o->out->source[C_SETTLED], &o->out->line[C_SETTLED]);
    } else {
        unknown_key(l, key, key_ev, "an output (known: kind, columns, constants, when, settled_date)");
    }
}

static void outputs(loader *l) {
    yaml_event_t ev;
    if (next(l, &ev))
        return;
    if (ev.type != YAML_SEQUENCE_START_EVENT) {
        problem(l, line_of(&ev), col_of(&ev), "'outputs' must be a list");
        skip_value(l, &ev);
        return;
    }
    yaml_event_delete(&ev);
    while (next(l, &ev) == 0) {
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            return;
        }
        if (ev.type != YAML_MAPPING_START_EVENT || l->m->noutputs == AR_MAPPING_MAX_OUTPUTS) {
            problem(l, line_of(&ev), col_of(&ev), "%s",
                    ev.type != YAML_MAPPING_START_EVENT ? "each output is a mapping" : "more than 16 outputs");
            skip_value(l, &ev);
            continue;
        }
        ar_mapping_output *out = &l->m->outputs[l->m->noutputs++];
        out->output_line = line_of(&ev);
        uint32_t col = col_of(&ev);
        yaml_event_delete(&ev);
        out_ctx o = { out, 0, 0 };
        mapping(l, &o, output_key);
        if (!o.has_kind)
            problem(l, out->output_line, col, "an output needs a 'kind'");
        if (!out->when_column != !out->when_equals)
            problem(l, out->when_line ? out->when_line : out->output_line, col,
                    "'when' needs both 'column' and 'equals'");
        /* Every required column is fed, by the file or a constant. */
        for (const ar_column_spec *s = ar_kind_columns(out->kind); s && s->name; s++) {
            if (s->required && !out->source[s->col] && !out->constant[s->col])
                problem(l, out->output_line, col, "the %s output has no '%s' column", archase_kind_name(out->kind), s->name);
            if (out->source[s->col] && out->constant[s->col])
                problem(l, out->line[s->col], col, "'%s' is both a column and a constant", s->name);
        }
    }
}

static void root_key(loader *l, void *ctx, const char *key, const yaml_event_t *key_ev) {
    int *seen = ctx;
    if (!strcmp(key, "version")) {
        char *v = NULL;
        uint32_t line;
        if (scalar(l, key, &v, &line) == 0 && strcmp(v, "1"))
            problem(l, line, col_of(key_ev), "mapping version '%s' is not supported (1 is)", v);
        ar_free(&l->m->allocator, v);
        seen[0] = 1;
    } else if (!strcmp(key, "csv")) {
        if (expect_mapping(l, key) == 0)
            mapping(l, NULL, csv_key);
    } else if (!strcmp(key, "outputs")) {
        outputs(l);
        seen[1] = 1;
    } else {
        unknown_key(l, key, key_ev, "the mapping (known: version, csv, outputs)");
    }
}

void archase_mapping_free(archase_mapping *m) {
    if (!m)
        return;
    archase_allocator a = m->allocator;
    for (size_t i = 0; i < AR_MAPPING_MAX_OUTPUTS; i++) {
        ar_mapping_output *o = &m->outputs[i];
        for (int c = 0; c < C_COUNT; c++) {
            ar_free(&a, o->source[c]);
            ar_free(&a, o->constant[c]);
        }
        ar_free(&a, o->when_column);
        ar_free(&a, o->when_equals);
    }
    ar_free(&a, m->date_format);
    ar_free(&a, m->source);
    ar_free(&a, m);
}

int archase_mapping_load_buffer(const char *data, size_t size, const char *source,
                                const archase_allocator *allocator, archase_diag_list *diags,
                                archase_mapping **out) {
    if ((!data && size) || !out)
        return ARCHASE_EINVAL;
    int rc = ar_allocator_check(allocator);
    if (rc)
        return rc;
    if (!source)
        source = "<mapping>";
    if (size > AR_MAPPING_MAX_SIZE) {
        if (ar_diag_add(diags, ARCHASE_EPARSE, source, 0, 0, "a mapping is at most 1 MiB"))
            return ARCHASE_ENOMEM;
        return ARCHASE_EPARSE;
    }
    archase_mapping *m = ar_calloc(allocator, 1, sizeof *m);
    if (!m)
        return ARCHASE_ENOMEM;
    m->allocator = *ar_allocator(allocator);
    m->delimiter = ',';
    m->rules.decimal = '.';
    m->source = ar_strdup(&m->allocator, source);
    if (!m->source) {
        archase_mapping_free(m);
        return ARCHASE_ENOMEM;
    }
    loader l;
    memset(&l, 0, sizeof l);
    l.m = m;
    l.diags = diags;
    l.source = source;
    if (!yaml_parser_initialize(&l.parser)) {
        archase_mapping_free(m);
        return ARCHASE_ENOMEM;
    }
    yaml_parser_set_input_string(&l.parser, (const unsigned char *)(data ? data : ""), size);
    yaml_event_t ev;
    int seen[2] = { 0, 0 };
    int started = 0;
    while (next(&l, &ev) == 0) {
        yaml_event_type_t type = ev.type;
        if (type == YAML_MAPPING_START_EVENT && !started) {
            started = 1;
            yaml_event_delete(&ev);
            mapping(&l, seen, root_key);
            continue;
        }
        if (type == YAML_DOCUMENT_START_EVENT && started) {
            problem(&l, line_of(&ev), col_of(&ev), "a mapping file holds one document");
            yaml_event_delete(&ev);
            break;
        }
        if (type == YAML_SCALAR_EVENT || type == YAML_SEQUENCE_START_EVENT) {
            problem(&l, line_of(&ev), col_of(&ev), "a mapping file is a YAML mapping at the top");
            yaml_event_delete(&ev);
            break;
        }
        yaml_event_delete(&ev);
        if (type == YAML_STREAM_END_EVENT)
            break;
    }
    if (!l.fatal && !l.errors) {
        if (!seen[0])
            problem(&l, 1, 1, "the mapping needs 'version: 1'");
        if (!seen[1] || !m->noutputs)
            problem(&l, 1, 1, "the mapping needs at least one entry under 'outputs'");
    }
    yaml_parser_delete(&l.parser);
    if (l.fatal == ARCHASE_ENOMEM)
        rc = ARCHASE_ENOMEM;
    else if (l.fatal || l.errors)
        rc = ARCHASE_EPARSE;
    if (rc) {
        archase_mapping_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

int archase_mapping_load_file(const char *path, const archase_allocator *allocator,
                              archase_diag_list *diags, archase_mapping **out) {
    if (!path || !out)
        return ARCHASE_EINVAL;
    int rc = ar_allocator_check(allocator);
    if (rc)
        return rc;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (ar_diag_add(diags, ARCHASE_EIO, path, 0, 0, "cannot be opened"))
            return ARCHASE_ENOMEM;
        return ARCHASE_EIO;
    }
    ar_buf b;
    ar_buf_init(&b, allocator);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len <= AR_MAPPING_MAX_SIZE)
        ar_buf_put(&b, chunk, n);
    int read_error = ferror(f);
    fclose(f);
    if (b.err) {
        rc = ARCHASE_ENOMEM;
    } else if (read_error) {
        rc = ar_diag_add(diags, ARCHASE_EIO, path, 0, 0, "cannot be read") ? ARCHASE_ENOMEM : ARCHASE_EIO;
    } else {
        rc = archase_mapping_load_buffer((const char *)b.data, b.len, path, allocator, diags, out);
    }
    ar_buf_free(&b);
    return rc;
}
