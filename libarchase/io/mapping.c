/* libarchase/io/mapping.c — loading mapping files (YAML through libyaml):
 * strict, every problem reported as file:line:column. */
#include "io/mapping.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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
                problem(l, line, col, "date_format '%s' is not a date format: use %%Y, %%m and %%d once each "
                        "(and %%H, %%M, %%S at most once for a time of day)", m->date_format);
            else
                m->rules.date_format = m->date_format;
        }
    } else if (!strcmp(key, "header_line")) {
        if (scalar(l, key, &v, &line) == 0) {
            char *end = NULL;
            long n = strtol(v, &end, 10);
            if (!*v || *end || v[0] < '1' || v[0] > '9' || n > 100000)
                problem(l, line, col, "header_line must be a line number from 1 to 100000, not '%s'", v);
            else
                m->header_line = (uint32_t)n;
        }
    } else if (!strcmp(key, "currency_symbol")) {
        if (scalar(l, key, &m->currency_symbol, &line) == 0) {
            size_t n = strlen(m->currency_symbol);
            if (!n || n > 8 || strpbrk(m->currency_symbol, "0123456789-+()., '\t"))
                problem(l, line, col, "currency_symbol must be 1 to 8 bytes without digits, signs, "
                        "parentheses, separators or spaces, not '%s'", m->currency_symbol);
            else
                m->rules.currency_symbol = m->currency_symbol;
        }
    } else if (!strcmp(key, "negative_parentheses")) {
        if (scalar(l, key, &v, &line) == 0) {
            if (strcmp(v, "true") && strcmp(v, "false"))
                problem(l, line, col, "negative_parentheses must be true or false, not '%s'", v);
            else
                m->rules.parentheses = v[0] == 't';
        }
    } else {
        unknown_key(l, key, key_ev, "csv (known: delimiter, decimal_separator, thousands_separator, date_format, "
                    "header_line, currency_symbol, negative_parentheses)");
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

/* ---- conditions: { column: C, equals: X } and the other tests ------------------ */

/* Appends `v` (taken) to a list of texts. 0, or -1 after ARCHASE_ENOMEM. */
static int append_text(loader *l, char ***items, size_t *n, size_t *cap, char *v) {
    if (ar_grow(&l->m->allocator, (void **)items, cap, *n + 1, sizeof **items)) {
        ar_free(&l->m->allocator, v);
        l->fatal = ARCHASE_ENOMEM;
        return -1;
    }
    (*items)[(*n)++] = v;
    return 0;
}

/* Reads a list of texts into the condition's values. */
static void cond_list(loader *l, ar_mapping_cond *c, const char *key) {
    yaml_event_t ev;
    if (next(l, &ev))
        return;
    if (ev.type != YAML_SEQUENCE_START_EVENT) {
        problem(l, line_of(&ev), col_of(&ev), "'%s' must be a list of texts", key);
        skip_value(l, &ev);
        return;
    }
    uint32_t line = line_of(&ev), col = col_of(&ev);
    yaml_event_delete(&ev);
    while (next(l, &ev) == 0) {
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (ev.type != YAML_SCALAR_EVENT) {
            problem(l, line_of(&ev), col_of(&ev), "each item of '%s' is a text", key);
            skip_value(l, &ev);
            continue;
        }
        char *copy = ar_strndup(&l->m->allocator, (const char *)ev.data.scalar.value, ev.data.scalar.length);
        if (!copy)
            l->fatal = ARCHASE_ENOMEM;
        else if (strlen(copy) != ev.data.scalar.length) {
            problem(l, line_of(&ev), col_of(&ev), "an item of '%s' holds a NUL character", key);
            ar_free(&l->m->allocator, copy);
        } else {
            append_text(l, &c->values, &c->nvalues, &c->cap, copy);
        }
        yaml_event_delete(&ev);
    }
    if (!c->nvalues && !l->fatal)
        problem(l, line, col, "'%s' needs at least one text", key);
}

typedef struct cond_ctx {
    ar_mapping_cond *c;
    const char      *test;  /* the test key read, or NULL */
} cond_ctx;

static void cond_key(loader *l, void *ctx, const char *key, const yaml_event_t *key_ev) {
    cond_ctx *cc = ctx;
    ar_mapping_cond *c = cc->c;
    static const struct { const char *name; int op; } tests[] = {
        { "equals", AR_COND_EQUALS },         { "not_equals", AR_COND_NOT_EQUALS },
        { "in", AR_COND_IN },                 { "not_in", AR_COND_NOT_IN },
        { "empty", AR_COND_EMPTY },           { "greater_than", AR_COND_GREATER_THAN },
        { "less_than", AR_COND_LESS_THAN },
    };
    if (!strcmp(key, "column")) {
        if (scalar(l, key, &c->column, &c->line) == 0 && !*c->column)
            problem(l, line_of(key_ev), col_of(key_ev), "'column' names an empty column");
        return;
    }
    int op = 0;
    const char *name = NULL;
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        if (!strcmp(key, tests[i].name)) {
            op = tests[i].op;
            name = tests[i].name;
        }
    }
    if (!op) {
        unknown_key(l, key, key_ev,
                    "a condition (known: column, equals, not_equals, in, not_in, empty, greater_than, less_than)");
        return;
    }
    if (cc->test) {
        problem(l, line_of(key_ev), col_of(key_ev), "a condition has one test: '%s' and '%s' are both given",
                cc->test, name);
        yaml_event_t value;
        if (next(l, &value) == 0)
            skip_value(l, &value);
        return;
    }
    cc->test = name;
    c->op = op;
    if (op == AR_COND_IN || op == AR_COND_NOT_IN) {
        cond_list(l, c, key);
        return;
    }
    char *v = NULL;
    uint32_t line;
    if (scalar(l, key, &v, &line))
        return;
    if (op == AR_COND_EQUALS || op == AR_COND_NOT_EQUALS) {
        append_text(l, &c->values, &c->nvalues, &c->cap, v);
        return;
    }
    if (op == AR_COND_EMPTY) {
        if (strcmp(v, "true") && strcmp(v, "false"))
            problem(l, line, col_of(key_ev), "'empty' must be true or false, not '%s'", v);
        else if (v[0] == 'f')
            c->op = AR_COND_NOT_EMPTY;
    } else {
        char *end = NULL;
        long long n = strtoll(v, &end, 10);
        if (!*v || *end || (v[0] != '-' && (v[0] < '0' || v[0] > '9')))
            problem(l, line, col_of(key_ev), "'%s' must be a whole number, not '%s'", name, v);
        else
            c->number = n;
    }
    ar_free(&l->m->allocator, v);
}

/* Reads one condition (its mapping's start consumed). */
static void condition(loader *l, ar_mapping_conds *conds, uint32_t line, uint32_t col) {
    if (conds->n == AR_MAPPING_MAX_CONDS) {
        problem(l, line, col, "more than %d conditions", AR_MAPPING_MAX_CONDS);
        l->fatal = ARCHASE_EPARSE;
        return;
    }
    ar_mapping_cond *c = &conds->cond[conds->n++];
    cond_ctx cc = { c, NULL };
    mapping(l, &cc, cond_key);
    if (l->fatal)
        return;
    if (!c->column)
        problem(l, line, col, "a condition needs a 'column'");
    if (!cc.test)
        problem(l, line, col, "a condition needs a test: equals, not_equals, in, not_in, empty, greater_than "
                "or less_than");
}

/* A condition, or a list of conditions that must all hold. */
static void conditions(loader *l, ar_mapping_conds *conds, const char *key) {
    yaml_event_t ev;
    if (next(l, &ev))
        return;
    if (ev.type == YAML_MAPPING_START_EVENT) {
        uint32_t line = line_of(&ev), col = col_of(&ev);
        yaml_event_delete(&ev);
        condition(l, conds, line, col);
        return;
    }
    if (ev.type != YAML_SEQUENCE_START_EVENT) {
        problem(l, line_of(&ev), col_of(&ev), "'%s' must be a condition or a list of conditions", key);
        skip_value(l, &ev);
        return;
    }
    yaml_event_delete(&ev);
    while (next(l, &ev) == 0) {
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            return;
        }
        if (ev.type != YAML_MAPPING_START_EVENT) {
            problem(l, line_of(&ev), col_of(&ev), "each condition of '%s' is a mapping", key);
            skip_value(l, &ev);
            continue;
        }
        uint32_t line = line_of(&ev), col = col_of(&ev);
        yaml_event_delete(&ev);
        condition(l, conds, line, col);
    }
}

/* ---- values: { native column: { file text: native text } } ---------------------- */

typedef struct values_ctx {
    out_ctx           *o;
    ar_mapping_values *v;
} values_ctx;

static void value_pair(loader *l, void *ctx, const char *key, const yaml_event_t *key_ev) {
    values_ctx *vc = ctx;
    ar_mapping_values *v = vc->v;
    char *to = NULL;
    if (scalar(l, key, &to, NULL))
        return;
    char *from = ar_strndup(&l->m->allocator, key, key_ev->data.scalar.length);
    if (!from || strlen(from) != key_ev->data.scalar.length ||
        ar_grow(&l->m->allocator, (void **)&v->pairs, &v->cap, v->n + 1, sizeof *v->pairs)) {
        if (from && strlen(from) != key_ev->data.scalar.length)
            problem(l, line_of(key_ev), col_of(key_ev), "a file text holds a NUL character");
        else
            l->fatal = ARCHASE_ENOMEM;
        ar_free(&l->m->allocator, from);
        ar_free(&l->m->allocator, to);
        return;
    }
    v->pairs[v->n].from = from;
    v->pairs[v->n].to = to;
    v->n++;
}

static void values_key(loader *l, void *ctx, const char *key, const yaml_event_t *key_ev) {
    out_ctx *o = ctx;
    const ar_column_spec *spec = o->out->kind ? ar_kind_column(o->out->kind, key, strlen(key)) : NULL;
    if (!spec || spec->col == C_DERIVED) {
        char where[64];
        snprintf(where, sizeof where, "the values of %s",
                 archase_kind_name(o->out->kind) ? archase_kind_name(o->out->kind) : "an output without a kind");
        unknown_key(l, key, key_ev, where);
        return;
    }
    ar_mapping_values *v = &o->out->values[spec->col];
    v->line = line_of(key_ev);
    v->column = col_of(key_ev);
    if (expect_mapping(l, key) == 0) {
        values_ctx vc = { o, v };
        mapping(l, &vc, value_pair);
    }
}

static void flag_rules_key(loader *l, void *ctx, const char *key, const yaml_event_t *key_ev) {
    out_ctx *o = ctx;
    static const char *const names[AR_FLAG_COUNT] = { "hold", "expansion", "strategic", "service_issue" };
    for (int i = 0; i < AR_FLAG_COUNT; i++) {
        if (!strcmp(key, names[i])) {
            o->out->has_flag_rule[i] = 1;
            conditions(l, &o->out->flag_rule[i], key);
            return;
        }
    }
    unknown_key(l, key, key_ev, "flag_rules (known: hold, expansion, strategic, service_issue)");
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
        conditions(l, &o->out->when, key);
    } else if (!strcmp(key, "settled_date") || !strcmp(key, "amount_due")) {
        int col = key[0] == 's' ? C_SETTLED : C_AMOUNT_DUE;
        if (o->out->kind != ARCHASE_KIND_INVOICES)
            problem(l, line_of(key_ev), col_of(key_ev), "'%s' belongs to an invoices output", key);
        if (scalar(l, key, &o->out->source[col], &o->out->line[col]) == 0 && !*o->out->source[col])
            problem(l, line_of(key_ev), col_of(key_ev), "'%s' names an empty column", key);
    } else if (!strcmp(key, "values")) {
        if (!o->out->kind)
            problem(l, line_of(key_ev), col_of(key_ev), "'%s' must come after 'kind'", key);
        if (expect_mapping(l, key) == 0)
            mapping(l, o, values_key);
    } else if (!strcmp(key, "flag_rules")) {
        if (o->out->kind != ARCHASE_KIND_FLAGS)
            problem(l, line_of(key_ev), col_of(key_ev), "'flag_rules' belong to a flags output");
        if (expect_mapping(l, key) == 0)
            mapping(l, o, flag_rules_key);
    } else if (!strcmp(key, "revision") || !strcmp(key, "merge")) {
        char *v = NULL;
        uint32_t line;
        if (scalar(l, key, &v, &line) == 0) {
            if (key[0] == 'r' && strcmp(v, "auto"))
                problem(l, line, col_of(key_ev), "'revision' must be auto (a revision column goes under "
                        "'columns'), not '%s'", v);
            else if (key[0] == 'm' && strcmp(v, "true") && strcmp(v, "false"))
                problem(l, line, col_of(key_ev), "'merge' must be true or false, not '%s'", v);
            else if (key[0] == 'r')
                o->out->auto_revision = 1;
            else
                o->out->merge = v[0] == 't';
        }
        ar_free(&l->m->allocator, v);
    } else {
        unknown_key(l, key, key_ev, "an output (known: kind, columns, constants, values, when, revision, "
                    "merge, settled_date, amount_due, flag_rules)");
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
        if (l->fatal)
            return;
        if (!o.has_kind)
            problem(l, out->output_line, col, "an output needs a 'kind'");
        const char *kind = archase_kind_name(out->kind) ? archase_kind_name(out->kind) : "?";
        int flag_rules = 0;
        for (int i = 0; i < AR_FLAG_COUNT; i++)
            flag_rules |= out->has_flag_rule[i];
        if (out->merge && out->kind != ARCHASE_KIND_CUSTOMERS && out->kind != ARCHASE_KIND_FLAGS)
            problem(l, out->output_line, col, "'merge' applies to customers and flags outputs, not %s", kind);
        if (out->source[C_SETTLED] && out->source[C_AMOUNT_DUE])
            problem(l, out->line[C_AMOUNT_DUE], col, "an output has 'settled_date' or 'amount_due', not both");
        if (out->auto_revision && (out->source[C_REVISION] || out->constant[C_REVISION]))
            problem(l, out->line[C_REVISION], col, "'revision: auto' and a revision column exclude each other");
        /* Every required column is fed, by the file, a constant or flag
         * rules; a merge needs only the column that names the fact. */
        for (const ar_column_spec *s = ar_kind_columns(out->kind); s && s->name; s++) {
            int fed = out->source[s->col] || out->constant[s->col] || (s->col == C_FLAGS && flag_rules) ||
                      (out->merge && s->col != C_ID && s->col != C_CUSTOMER_ID);
            if (s->required && !fed)
                problem(l, out->output_line, col, "the %s output has no '%s' column", kind, s->name);
            if (out->source[s->col] && out->constant[s->col])
                problem(l, out->line[s->col], col, "'%s' is both a column and a constant", s->name);
            if (s->col != C_DERIVED && out->values[s->col].n && !out->source[s->col])
                problem(l, out->values[s->col].line, out->values[s->col].column,
                        "values for '%s', which no file column feeds", s->name);
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
            for (size_t p = 0; p < o->values[c].n; p++) {
                ar_free(&a, o->values[c].pairs[p].from);
                ar_free(&a, o->values[c].pairs[p].to);
            }
            ar_free(&a, o->values[c].pairs);
        }
        ar_mapping_conds *sets[1 + AR_FLAG_COUNT] = { &o->when };
        for (int f = 0; f < AR_FLAG_COUNT; f++)
            sets[1 + f] = &o->flag_rule[f];
        for (int k = 0; k < 1 + AR_FLAG_COUNT; k++) {
            for (size_t n = 0; n < sets[k]->n; n++) {
                ar_mapping_cond *cond = &sets[k]->cond[n];
                ar_free(&a, cond->column);
                for (size_t v = 0; v < cond->nvalues; v++)
                    ar_free(&a, cond->values[v]);
                ar_free(&a, cond->values);
            }
        }
    }
    ar_free(&a, m->date_format);
    ar_free(&a, m->currency_symbol);
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
    m->header_line = 1;
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
    if (!l.fatal && m->rules.thousands && m->rules.thousands == m->rules.decimal)
        problem(&l, 1, 1, "thousands_separator and decimal_separator must differ");
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
