/* libarchase/io/mapped.c — another system's CSV export read through a
 * mapping: the header on its line, the rows each output takes (`when`), the
 * texts it translates (`values`), the flags its rules decide, and the cells
 * handed to the row reader with the output's way of making facts. */
#include "io/mapped.h"

#include <stdio.h>
#include <string.h>

#include "archase/errors.h"
#include "core/alloc.h"
#include "engine/batch.h"
#include "engine/engine.h"
#include "io/revise.h"

/* Header positions of everything an output reads. */
typedef struct output_plan {
    long source[C_COUNT];
    long when[AR_MAPPING_MAX_CONDS];
    long flag[AR_FLAG_COUNT][AR_MAPPING_MAX_CONDS];
} output_plan;

typedef struct reader {
    archase_batch         *b;
    ar_csv                *csv;
    const archase_mapping *m;
    int                   *malformed;
    int                    fatal;
    ar_idset               written; /* facts written from the store's revisions */
    output_plan            plan[AR_MAPPING_MAX_OUTPUTS];
} reader;

static void reject(reader *r, int code, uint32_t line, uint32_t column, const char *msg) {
    int rc = ar_batch_reject(r->b, code, line, column, "%s", msg);
    if (rc)
        r->fatal = rc;
}

static void malformed(reader *r, uint32_t line, uint32_t column, const char *msg) {
    *r->malformed = 1;
    reject(r, ARCHASE_EPARSE, line, column, msg);
}

/* The position of header `name`, or -1 after reporting where the mapping names it. */
static long find_column(reader *r, size_t width, const char *name, uint32_t mapping_line) {
    for (size_t i = 0; i < width; i++) {
        if (!strcmp(r->csv->fields[i].text, name))
            return (long)i;
    }
    char msg[240];
    snprintf(msg, sizeof msg, "the header has no column '%.60s' (named at %.60s:%u)", name, r->m->source,
             (unsigned)mapping_line);
    malformed(r, r->csv->row_line, 0, msg);
    return -1;
}

static void plan_conds(reader *r, size_t width, const ar_mapping_conds *conds, long *where) {
    for (size_t i = 0; i < conds->n; i++)
        where[i] = find_column(r, width, conds->cond[i].column, conds->cond[i].line);
}

static void plan_outputs(reader *r, size_t width) {
    for (size_t k = 0; k < r->m->noutputs; k++) {
        const ar_mapping_output *out = &r->m->outputs[k];
        output_plan *p = &r->plan[k];
        for (int c = 0; c < C_COUNT; c++)
            p->source[c] = out->source[c] ? find_column(r, width, out->source[c], out->line[c]) : -1;
        plan_conds(r, width, &out->when, p->when);
        for (int f = 0; f < AR_FLAG_COUNT; f++)
            plan_conds(r, width, &out->flag_rule[f], p->flag[f]);
    }
}

/* Whether a cell holds a whole number, and which. */
static int whole_number(const char *s, size_t len, int64_t *out) {
    size_t i = s[0] == '-';
    if (i == len || len - i > 18)
        return 0;
    int64_t v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = s[0] == '-' ? -v : v;
    return 1;
}

/* 1 when every condition holds, 0 when one does not, -1 when a cell cannot be
 * tested (reported at the row's line and the cell's column). */
static int holds(reader *r, const ar_mapping_conds *conds, const long *where) {
    const ar_csv *csv = r->csv;
    for (size_t i = 0; i < conds->n; i++) {
        const ar_mapping_cond *c = &conds->cond[i];
        const ar_csv_field *f = &csv->fields[where[i]];
        int ok = 0;
        switch (c->op) {
        case AR_COND_EQUALS: ok = !strcmp(f->text, c->values[0]); break;
        case AR_COND_NOT_EQUALS: ok = strcmp(f->text, c->values[0]) != 0; break;
        case AR_COND_IN:
        case AR_COND_NOT_IN:
            for (size_t v = 0; v < c->nvalues && !ok; v++)
                ok = !strcmp(f->text, c->values[v]);
            ok = c->op == AR_COND_IN ? ok : !ok;
            break;
        case AR_COND_EMPTY: ok = f->len == 0; break;
        case AR_COND_NOT_EMPTY: ok = f->len != 0; break;
        default: {
            int64_t n;
            if (!f->len)
                break; /* an empty cell is no number: the test does not hold */
            if (!whole_number(f->text, f->len, &n)) {
                char msg[240];
                snprintf(msg, sizeof msg, "%.60s: '%.40s' is not a whole number (the condition at %.60s:%u)",
                         c->column, f->text, r->m->source, (unsigned)c->line);
                reject(r, ARCHASE_EINVAL, csv->row_line, (uint32_t)where[i] + 1, msg);
                return -1;
            }
            ok = c->op == AR_COND_GREATER_THAN ? n > c->number : n < c->number;
            break;
        }
        }
        if (!ok)
            return 0;
    }
    return 1;
}

/* Translates the cell of column `c` by the output's values. 0, or -1 when the
 * text is not listed (reported). */
static int translate(reader *r, const ar_mapping_output *out, int c, ar_cell *cell) {
    const ar_mapping_values *v = &out->values[c];
    if (!v->n || !cell->text)
        return 0;
    for (size_t i = 0; i < v->n; i++) {
        if (!strcmp(cell->text, v->pairs[i].from)) {
            cell->text = v->pairs[i].to;
            cell->len = strlen(v->pairs[i].to);
            return 0;
        }
    }
    if (!cell->len) /* an empty cell the table does not list stays empty */
        return 0;
    char listed[160] = "";
    size_t used = 0;
    for (size_t i = 0; i < v->n && used + 4 < sizeof listed; i++) {
        int n = snprintf(listed + used, sizeof listed - used, "%s'%s'", i ? ", " : "", v->pairs[i].from);
        if (n < 0 || (size_t)n >= sizeof listed - used) {
            snprintf(listed + used, sizeof listed - used, ", ...");
            break;
        }
        used += (size_t)n;
    }
    char msg[400];
    snprintf(msg, sizeof msg, "%.60s: '%.40s' is not a text the mapping translates (%.60s:%u lists %s)",
             out->source[c], cell->text, r->m->source, (unsigned)v->line, listed);
    reject(r, ARCHASE_EINVAL, r->csv->row_line, cell->column, msg);
    return -1;
}

/* What one output makes of the current row. */
static void take_row(reader *r, size_t k, archase_date as_of) {
    const ar_mapping_output *out = &r->m->outputs[k];
    const output_plan *p = &r->plan[k];
    const ar_csv *csv = r->csv;
    int when = holds(r, &out->when, p->when);
    if (when != 1)
        return;
    ar_row_how how;
    ar_row_how_init(&how);
    how.rules = &r->m->rules;
    how.revise = out->auto_revision ? AR_REVISE_AUTO : AR_REVISE_SOURCE;
    how.merge = out->merge;
    how.as_of = as_of;
    how.written = &r->written;
    for (int f = 0; f < AR_FLAG_COUNT; f++) {
        if (!out->has_flag_rule[f])
            continue;
        how.flag[f] = holds(r, &out->flag_rule[f], p->flag[f]);
        if (how.flag[f] < 0)
            return;
    }
    ar_cell cells[C_COUNT];
    memset(cells, 0, sizeof cells);
    for (int c = 0; c < C_COUNT; c++) {
        long i = p->source[c];
        if (i >= 0)
            cells[c] = (ar_cell){ csv->fields[i].text, csv->fields[i].len, (uint32_t)i + 1 };
        else if (out->constant[c])
            cells[c] = (ar_cell){ out->constant[c], strlen(out->constant[c]), 0 };
        if (translate(r, out, c, &cells[c]))
            return;
    }
    int rc = ar_row_add(r->b, out->kind, cells, csv->row_line, &how);
    if (rc)
        r->fatal = rc;
}

int ar_import_mapped(archase_batch *b, ar_csv *csv, const archase_mapping *m, archase_date as_of,
                     int *malformed_out) {
    archase_engine *e = ar_batch_engine(b);
    reader *r = ar_calloc(AR_ENGINE_ALLOC(e), 1, sizeof *r);
    if (!r)
        return ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
    r->b = b;
    r->csv = csv;
    r->m = m;
    r->malformed = malformed_out;
    ar_idset_init(&r->written, AR_ENGINE_ALLOC(e));
    /* The lines above the header are a report's title. */
    int rc;
    do {
        rc = ar_csv_next(csv);
    } while (rc == 1 && csv->row_line < m->header_line);
    if (rc == 1 && m->header_line > 1 && csv->row_line != m->header_line) {
        char msg[120];
        snprintf(msg, sizeof msg, "line %u is empty, but the mapping puts the header there (header_line)",
                 (unsigned)m->header_line);
        malformed(r, m->header_line, 0, msg);
    } else if (rc == 0) {
        malformed(r, m->header_line, 0, m->header_line > 1 ? "the file ends before its header line"
                                                           : "the file is empty: a header is required");
    }
    if (rc == 1 && !*r->malformed)
        plan_outputs(r, csv->nfields);
    size_t width = csv->nfields;
    while (rc == 1 && !r->fatal && !*r->malformed && (rc = ar_csv_next(csv)) == 1) {
        if (csv->nfields != width) {
            char msg[100];
            snprintf(msg, sizeof msg, "the row has %zu fields, the header %zu", csv->nfields, width);
            reject(r, ARCHASE_EINVAL, csv->row_line, 0, msg);
            continue;
        }
        for (size_t k = 0; k < m->noutputs && !r->fatal; k++)
            take_row(r, k, as_of);
    }
    if (rc == ARCHASE_ENOMEM)
        r->fatal = ar_error_set(&e->err, rc, "out of memory");
    else if (rc == ARCHASE_EPARSE)
        malformed(r, csv->err_line, csv->err_column, csv->err);
    int fatal = r->fatal;
    ar_idset_free(&r->written);
    ar_free(AR_ENGINE_ALLOC(e), r);
    return fatal;
}
