/* libarchase/io/import.c — importing CSV (native or through a mapping) and
 * JSON Lines: every row a fact (or a few), all in one batch. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "archase/errors.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/diag.h"
#include "engine/batch.h"
#include "engine/engine.h"
#include "io/columns.h"
#include "io/csv.h"
#include "io/json.h"
#include "io/mapped.h"
#include "io/mapping.h"
#include "io/revise.h"

/* The size of the options of each version: version 1 ends before as_of. */
static size_t options_size(unsigned version) {
    switch (version) {
    case 1: return offsetof(archase_import_options, as_of);
    case ARCHASE_IMPORT_OPTIONS_VERSION: return sizeof(archase_import_options);
    default: return 0;
    }
}

int archase_import_options_init(archase_import_options *opts, unsigned version) {
    if (!opts)
        return ARCHASE_EINVAL;
    size_t size = options_size(version);
    if (!size)
        return ARCHASE_EVERSION;
    archase_import_options init = ARCHASE_IMPORT_OPTIONS_INIT;
    init.version = version;
    memcpy(opts, &init, size);
    return 0;
}

/* An import in progress. */
typedef struct importer {
    archase_engine               *e;
    archase_batch                *b;
    const archase_import_options *o;
    ar_row_how                    how;       /* native rows: revisions as the source or the sheet says */
    ar_idset                      written;   /* facts an edited sheet wrote */
    int                           malformed; /* the file or its header is wrong */
    int                           fatal;
} importer;

static void malformed(importer *im, uint32_t line, uint32_t column, const char *what) {
    im->malformed = 1;
    int rc = ar_batch_reject(im->b, ARCHASE_EPARSE, line, column, "%s", what);
    if (rc)
        im->fatal = rc;
}

/* ---- CSV --------------------------------------------------------------------- */

/* Reads the header: which column each field of a row feeds. */
static void native_header(importer *im, ar_csv *csv, const ar_column_spec **by_field) {
    int kind = im->o->kind;
    const ar_column_spec *seen[C_COUNT] = { 0 };
    for (size_t i = 0; i < csv->nfields; i++) {
        const ar_csv_field *f = &csv->fields[i];
        const ar_column_spec *spec = ar_kind_column(kind, f->text, f->len);
        char msg[200];
        if (!spec) {
            snprintf(msg, sizeof msg, "unknown column '%.60s' for %s", f->text, archase_kind_name(kind));
            malformed(im, csv->row_line, (uint32_t)i + 1, msg);
        } else if (seen[spec->col] && spec->col != C_DERIVED) {
            snprintf(msg, sizeof msg, "column '%s' appears twice", spec->name);
            malformed(im, csv->row_line, (uint32_t)i + 1, msg);
            spec = NULL;
        } else {
            seen[spec->col] = spec;
        }
        by_field[i] = spec;
    }
    for (const ar_column_spec *s = ar_kind_columns(kind); s->name; s++) {
        if (s->required && !seen[s->col]) {
            char msg[120];
            snprintf(msg, sizeof msg, "the header has no '%s' column", s->name);
            malformed(im, csv->row_line, 0, msg);
        }
    }
}

static void import_native_csv(importer *im, ar_csv *csv) {
    const ar_column_spec **by_field = NULL;
    size_t width = 0;
    int rc = ar_csv_next(csv);
    if (rc == 0) {
        malformed(im, 1, 0, "the file is empty: a header is required");
        return;
    }
    if (rc == 1) {
        width = csv->nfields;
        by_field = ar_calloc(AR_ENGINE_ALLOC(im->e), width, sizeof *by_field);
        if (!by_field) {
            im->fatal = ar_error_set(&im->e->err, ARCHASE_ENOMEM, "out of memory");
            return;
        }
        native_header(im, csv, by_field);
    }
    while (!im->fatal && !im->malformed && rc == 1 && (rc = ar_csv_next(csv)) == 1) {
        if (csv->nfields != width) {
            char msg[100];
            snprintf(msg, sizeof msg, "the row has %zu fields, the header %zu", csv->nfields, width);
            int r = ar_batch_reject(im->b, ARCHASE_EINVAL, csv->row_line, 0, "%s", msg);
            if (r)
                im->fatal = r;
            continue;
        }
        ar_cell cells[C_COUNT];
        memset(cells, 0, sizeof cells);
        for (size_t i = 0; i < width; i++) {
            if (by_field[i] && by_field[i]->col != C_DERIVED)
                cells[by_field[i]->col] = (ar_cell){ csv->fields[i].text, csv->fields[i].len, (uint32_t)i + 1 };
        }
        int r = ar_row_add(im->b, im->o->kind, cells, csv->row_line, &im->how);
        if (r)
            im->fatal = r;
    }
    if (rc == ARCHASE_ENOMEM)
        im->fatal = ar_error_set(&im->e->err, rc, "out of memory");
    else if (rc == ARCHASE_EPARSE)
        malformed(im, csv->err_line, csv->err_column, csv->err);
    ar_free(AR_ENGINE_ALLOC(im->e), by_field);
}

/* ---- JSON Lines ---------------------------------------------------------------- */

static void import_jsonl(importer *im, const char *data, size_t size) {
    ar_buf scratch;
    ar_buf_init(&scratch, AR_ENGINE_ALLOC(im->e));
    const char *p = data, *end = data + size;
    if (size >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
        p += 3;
    uint32_t line = 0;
    while (p < end && !im->fatal) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        size_t len = (size_t)(stop - p);
        line++;
        const char *text = p;
        p = nl ? nl + 1 : end;
        if (len && text[len - 1] == '\r')
            len--;
        size_t blank = 0;
        while (blank < len && (text[blank] == ' ' || text[blank] == '\t'))
            blank++;
        if (blank == len)
            continue;
        ar_json_member members[AR_JSON_MAX_MEMBERS];
        char err[160];
        uint32_t col = 0;
        int n = ar_json_read_object(text, len, &scratch, members, err, sizeof err, &col);
        if (n == ARCHASE_ENOMEM) {
            im->fatal = ar_error_set(&im->e->err, n, "out of memory");
            break;
        }
        if (n < 0) {
            malformed(im, line, col, err);
            continue;
        }
        ar_cell cells[C_COUNT];
        memset(cells, 0, sizeof cells);
        int bad = 0;
        for (int i = 0; i < n; i++) {
            const ar_column_spec *spec = ar_kind_column(im->o->kind, members[i].key, strlen(members[i].key));
            if (!spec) {
                int r = ar_batch_reject(im->b, ARCHASE_EINVAL, line, members[i].column,
                                        "unknown key '%.60s' for %s", members[i].key,
                                        archase_kind_name(im->o->kind));
                if (r)
                    im->fatal = r;
                bad = 1;
                continue;
            }
            if (members[i].is_list && !ar_col_is_list(spec->col)) {
                int r = ar_batch_reject(im->b, ARCHASE_EINVAL, line, members[i].column,
                                        "%s takes one value, not an array", spec->name);
                if (r)
                    im->fatal = r;
                bad = 1;
                continue;
            }
            if (spec->col != C_DERIVED && members[i].value)
                cells[spec->col] = (ar_cell){ members[i].value, members[i].len, members[i].column };
        }
        if (!bad && !im->fatal) {
            int r = ar_row_add(im->b, im->o->kind, cells, line, &im->how);
            if (r)
                im->fatal = r;
        }
    }
    ar_buf_free(&scratch);
}

/* ---- the entry points ------------------------------------------------------------- */

int archase_import_buffer(archase_engine *e, const archase_import_options *o, const void *data,
                          size_t size, archase_diag_list *diags, archase_batch_summary *summary) {
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (!o || (!data && size))
        return ar_error_set(&e->err, ARCHASE_EINVAL, "import needs options and data");
    if (!options_size(o->version))
        return ar_error_set(&e->err, ARCHASE_EVERSION, "import options version %u is not supported", o->version);
    /* Version 1 has neither an as-of date nor edits. */
    archase_date as_of = o->version >= 2 ? o->as_of : ARCHASE_DATE_NONE;
    int edits = o->version >= 2 ? o->edits : 0;
    if (edits != 0 && edits != 1)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "edits is 0 or 1, not %d", edits);
    if (edits && o->mapping)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "edits apply to the native formats, not to a mapping");
    int format = o->format ? o->format : ARCHASE_FORMAT_CSV;
    if (format != ARCHASE_FORMAT_CSV && format != ARCHASE_FORMAT_JSONL)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "unknown import format %d", o->format);
    if (o->mapping && format != ARCHASE_FORMAT_CSV)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "a mapping applies to CSV files only");
    if (!o->mapping && !archase_kind_name(o->kind))
        return ar_error_set(&e->err, ARCHASE_EINVAL, "import needs a kind (customers, invoices, ...)");
    /* Only payments derived from an amount due are dated by the import. */
    for (size_t k = 0; o->mapping && k < o->mapping->noutputs && as_of == ARCHASE_DATE_NONE; k++) {
        if (o->mapping->outputs[k].source[C_AMOUNT_DUE])
            as_of = (archase_date)ar_floor_div(ar_engine_now(e), AR_SECONDS_PER_DAY);
    }
    importer im;
    memset(&im, 0, sizeof im);
    im.e = e;
    im.o = o;
    ar_row_how_init(&im.how);
    im.how.revise = edits ? AR_REVISE_EDITS : AR_REVISE_SOURCE;
    im.how.as_of = as_of;
    ar_idset_init(&im.written, AR_ENGINE_ALLOC(e));
    im.how.written = &im.written;
    int rc = archase_batch_begin(e, diags, o->source ? o->source : "<input>", &im.b);
    if (rc)
        return rc;
    if (format == ARCHASE_FORMAT_JSONL) {
        import_jsonl(&im, data, size);
    } else {
        ar_csv csv;
        ar_csv_init(&csv, AR_ENGINE_ALLOC(e), data, size, o->mapping ? o->mapping->delimiter : ',');
        if (o->mapping) {
            int r = ar_import_mapped(im.b, &csv, o->mapping, as_of, &im.malformed);
            if (r)
                im.fatal = r;
        } else
            import_native_csv(&im, &csv);
        ar_csv_free(&csv);
    }
    archase_batch_summary s;
    if (im.fatal) {
        char msg[AR_ERROR_MESSAGE_MAX];
        snprintf(msg, sizeof msg, "%s", archase_engine_errmsg(e));
        archase_batch_commit(im.b, &s);
        ar_error_set(&e->err, im.fatal, "%s", msg);
        rc = im.fatal;
    } else {
        rc = archase_batch_commit(im.b, &s);
        if (rc == ARCHASE_EINVAL && im.malformed) {
            rc = ar_error_set(&e->err, ARCHASE_EPARSE, "the input is not well-formed; nothing was written");
        }
    }
    archase_batch_free(im.b);
    ar_idset_free(&im.written);
    if (summary)
        *summary = s;
    return rc;
}

int archase_import_file(archase_engine *e, const archase_import_options *o, const char *path,
                        archase_diag_list *diags, archase_batch_summary *summary) {
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (!path || !o)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "import needs options and a path");
    FILE *f = fopen(path, "rb");
    if (!f)
        return ar_error_set(&e->err, ARCHASE_EIO, "%s: cannot be opened", path);
    ar_buf b;
    ar_buf_init(&b, AR_ENGINE_ALLOC(e));
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        ar_buf_put(&b, chunk, n);
    int read_error = ferror(f);
    fclose(f);
    int rc;
    if (b.err) {
        rc = ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory reading %s", path);
    } else if (read_error) {
        rc = ar_error_set(&e->err, ARCHASE_EIO, "%s: cannot be read", path);
    } else {
        archase_import_options named = *o;
        if (!named.source)
            named.source = path;
        rc = archase_import_buffer(e, &named, b.data, b.len, diags, summary);
    }
    ar_buf_free(&b);
    return rc;
}
