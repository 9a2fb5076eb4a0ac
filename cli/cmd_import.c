/* cli/cmd_import.c — `archase init`, `archase import` and `archase export`:
 * creating a ledger file and moving facts in and out of it. */
#include <stdio.h>
#include <string.h>

#include "archase/io.h"
#include "cli.h"
#include "commands.h"
#include "export_worklist.h"

const char cmd_init_help[] =
    "usage: archase init DB [--json]\n"
    "\n"
    "Creates the SQLite ledger DB (or upgrades an older one to this library's\n"
    "schema). Running it on an up-to-date file changes nothing.\n"
    "\n"
    "  --json   print {\"path\": DB, \"schema_version\": N}\n";

const char cmd_import_help[] =
    "usage: archase import DB --kind KIND FILE [--format csv|jsonl] [--mapping M]\n"
    "                         [--as-of DATE] [--edits] [--actor NAME]\n"
    "\n"
    "Imports FILE into the ledger DB in one transaction: every row is checked,\n"
    "and either every fact is written or, when any row is wrong, none is.\n"
    "Importing the same file again changes nothing. KIND is one of customers,\n"
    "contacts, flags, invoices, payments, credits, promises, disputes, notes.\n"
    "A mapping (YAML, see docs/import.md) adapts another system's CSV export;\n"
    "with one, --kind may be left out (the mapping names the kinds).\n"
    "\n"
    "  --as-of DATE   the day FILE was exported (YYYY-MM-DD; default today, UTC):\n"
    "                 payments a mapping derives from an amount due carry it\n"
    "  --edits        FILE is a sheet exported from DB and edited by people: a\n"
    "                 changed row becomes the next revision; a row someone else\n"
    "                 changed since the export is refused as a conflicting edit\n"
    "  --actor NAME   who the audit log names for these facts (default: system)\n"
    "\n"
    "Prints a JSON object: {\"inserted\": N, \"updated\": N, \"duplicates\": N,\n"
    "\"stale\": N, \"rejected\": N, \"errors\": [{\"line\": L, \"column\": C,\n"
    "\"message\": \"...\"}]}. Exit status 1 when anything was rejected (nothing\n"
    "was written then), 2 for a wrong command line.\n";

const char cmd_export_help[] =
    "usage: archase export DB --kind KIND [--format csv|jsonl] [--output FILE]\n"
    "       archase export DB --kind worklist --policy FILE --as-of DATE [--owner NAME]\n"
    "                         [--format csv|jsonl] [--output FILE]\n"
    "\n"
    "Writes every fact of KIND in the native format (CSV with a header, or\n"
    "JSON Lines) to standard output or FILE, in id order. What is exported\n"
    "imports back unchanged: a sheet of promises or disputes that people\n"
    "edited comes back with `archase import --kind KIND --edits --actor NAME`.\n"
    "\n"
    "--kind worklist writes the ranked work of DATE under the policy instead\n"
    "(as `archase worklist` shows it), one line per owner, customer and kind of\n"
    "work: rank, owner, customer_id, customer_name, invoice_ids, next_action,\n"
    "kind, reason_codes, due_by, days_overdue, amount, currency, score (lists\n"
    "joined with ';'). It is computed, not stored, and is not imported back.\n"
    "\n"
    "  --policy FILE   the policy the worklist follows (worklist only)\n"
    "  --as-of DATE    the day (YYYY-MM-DD) of the worklist (worklist only)\n"
    "  --owner NAME    only this owner's lines (worklist only)\n"
    "  --output FILE   written complete or not at all (default: standard output)\n";

static int open_db(const char *command, const char *path, int create, const char *actor,
                   archase_engine **eng) {
    archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
    so.create = create;
    archase_engine_options eo = ARCHASE_ENGINE_OPTIONS_INIT;
    eo.actor = actor;
    char err[512];
    int rc = archase_open_sqlite(path, &so, &eo, eng, err, sizeof err);
    if (rc == ARCHASE_ENOTFOUND)
        return cli_fail(command, CLI_INVALID, "%s: no such ledger (create it with `archase init %s`)", path, path);
    if (rc)
        return cli_fail_rc(command, rc, path, err);
    return CLI_OK;
}

static int parse_format(const char *command, const char *text, int *format) {
    if (!text || !strcmp(text, "csv"))
        *format = ARCHASE_FORMAT_CSV;
    else if (!strcmp(text, "jsonl"))
        *format = ARCHASE_FORMAT_JSONL;
    else
        return cli_fail(command, CLI_USAGE, "--format must be csv or jsonl, not '%s'", text);
    return CLI_OK;
}

static int parse_kind(const char *command, const char *text, int *kind) {
    if (archase_kind_from_name(text, kind))
        return cli_fail(command, CLI_USAGE,
                        "--kind must be customers, contacts, flags, invoices, payments, credits, "
                        "promises, disputes or notes, not '%s'", text);
    return CLI_OK;
}

int cmd_init(int argc, char **argv) {
    int json = 0, help = 0, npos = 0;
    const char *pos[1];
    const cli_option options[] = {
        { "json", 0, NULL, &json },
        { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("init", cmd_init_help, argc, argv, 1, options, pos, 1, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 1)
        return cli_fail("init", CLI_USAGE, "expected the ledger file (see `archase init --help`)");
    archase_engine *eng = NULL;
    rc = open_db("init", pos[0], 1, NULL, &eng);
    if (rc)
        return rc;
    int64_t version = 0;
    archase_engine_schema_version(eng, &version);
    if (json) {
        cli_json j;
        cli_json_init(&j, stdout, 0);
        cli_json_begin_object(&j);
        cli_json_key(&j, "path");
        cli_json_string(&j, pos[0]);
        cli_json_key(&j, "schema_version");
        cli_json_int(&j, version);
        cli_json_end_object(&j);
        cli_json_finish(&j);
    } else {
        printf("%s: ledger ready (schema version %lld)\n", pos[0], (long long)version);
    }
    archase_engine_free(eng);
    return CLI_OK;
}

static void print_summary(const archase_batch_summary *s, const archase_diag_list *diags) {
    cli_json j;
    cli_json_init(&j, stdout, 0);
    cli_json_begin_object(&j);
    cli_json_key(&j, "inserted");
    cli_json_int(&j, (long long)s->inserted);
    cli_json_key(&j, "updated");
    cli_json_int(&j, (long long)s->updated);
    cli_json_key(&j, "duplicates");
    cli_json_int(&j, (long long)s->duplicates);
    cli_json_key(&j, "stale");
    cli_json_int(&j, (long long)s->stale);
    cli_json_key(&j, "rejected");
    cli_json_int(&j, (long long)s->rejected);
    cli_json_key(&j, "errors");
    cli_json_begin_array(&j);
    for (size_t i = 0; i < archase_diag_list_count(diags); i++) {
        const archase_diag *d = archase_diag_list_get(diags, i);
        cli_json_begin_object(&j);
        cli_json_key(&j, "file");
        cli_json_string(&j, d->source);
        cli_json_key(&j, "line");
        cli_json_int(&j, d->line);
        cli_json_key(&j, "column");
        cli_json_int(&j, d->column);
        cli_json_key(&j, "message");
        cli_json_string(&j, d->message);
        cli_json_end_object(&j);
    }
    cli_json_end_array(&j);
    if (archase_diag_list_dropped(diags)) {
        cli_json_key(&j, "errors_not_listed");
        cli_json_int(&j, (long long)archase_diag_list_dropped(diags));
    }
    cli_json_end_object(&j);
    cli_json_finish(&j);
}

int cmd_import(int argc, char **argv) {
    const char *kind_text = NULL, *format_text = NULL, *mapping_path = NULL, *as_of_text = NULL;
    const char *actor = NULL;
    int help = 0, npos = 0, edits = 0;
    const char *pos[2];
    const cli_option options[] = {
        { "kind", 1, &kind_text, NULL },
        { "format", 1, &format_text, NULL },
        { "mapping", 1, &mapping_path, NULL },
        { "as-of", 1, &as_of_text, NULL },
        { "edits", 0, NULL, &edits },
        { "actor", 1, &actor, NULL },
        { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("import", cmd_import_help, argc, argv, 1, options, pos, 2, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 2)
        return cli_fail("import", CLI_USAGE, "expected the ledger and the file (see `archase import --help`)");
    archase_import_options o = ARCHASE_IMPORT_OPTIONS_INIT;
    if ((rc = parse_format("import", format_text, &o.format)) != CLI_OK)
        return rc;
    if (!kind_text && !mapping_path)
        return cli_fail("import", CLI_USAGE, "--kind is required (or a --mapping that names the kinds)");
    if (kind_text && (rc = parse_kind("import", kind_text, &o.kind)) != CLI_OK)
        return rc;
    if (as_of_text && archase_date_parse(as_of_text, &o.as_of))
        return cli_fail("import", CLI_USAGE, "--as-of must be a date like 2026-03-02, not '%s'", as_of_text);
    if (edits && mapping_path)
        return cli_fail("import", CLI_USAGE, "--edits reads a sheet in the native format; it takes no --mapping");
    if (actor && !*actor)
        return cli_fail("import", CLI_USAGE, "--actor needs a name");
    o.edits = edits;
    archase_diag_list *diags = NULL;
    archase_mapping *mapping = NULL;
    archase_engine *eng = NULL;
    archase_batch_summary s = ARCHASE_BATCH_SUMMARY_INIT;
    if (archase_diag_list_new(NULL, 100, &diags))
        return cli_fail("import", CLI_INVALID, "out of memory");
    if (mapping_path) {
        int mrc = archase_mapping_load_file(mapping_path, NULL, diags, &mapping);
        if (mrc) {
            print_summary(&s, diags);
            for (size_t i = 0; i < archase_diag_list_count(diags); i++) {
                char line[800];
                archase_diag_format(archase_diag_list_get(diags, i), line, sizeof line);
                fprintf(stderr, "archase import: %s\n", line);
            }
            rc = CLI_INVALID;
            goto done;
        }
        o.mapping = mapping;
    }
    rc = open_db("import", pos[0], 0, actor, &eng);
    if (rc)
        goto done;
    int irc = archase_import_file(eng, &o, pos[1], diags, &s);
    if (irc && !archase_diag_list_count(diags) && irc != ARCHASE_EINVAL && irc != ARCHASE_EPARSE) {
        rc = cli_fail_rc("import", irc, pos[1], archase_engine_errmsg(eng));
        goto done;
    }
    print_summary(&s, diags);
    if (irc)
        fprintf(stderr, "archase import: %s\n", archase_engine_errmsg(eng));
    rc = irc ? CLI_INVALID : CLI_OK;
done:
    archase_engine_free(eng);
    archase_mapping_free(mapping);
    archase_diag_list_free(diags);
    return rc;
}

static int write_out(void *userdata, const void *data, size_t size) {
    return fwrite(data, 1, size, (FILE *)userdata) == size ? 0 : ARCHASE_EIO;
}

int cmd_export(int argc, char **argv) {
    const char *kind_text = NULL, *format_text = NULL, *output = NULL;
    const char *policy = NULL, *as_of = NULL, *owner = NULL;
    int help = 0, npos = 0;
    const char *pos[1];
    const cli_option options[] = {
        { "kind", 1, &kind_text, NULL },
        { "format", 1, &format_text, NULL },
        { "output", 1, &output, NULL },
        { "policy", 1, &policy, NULL },
        { "as-of", 1, &as_of, NULL },
        { "owner", 1, &owner, NULL },
        { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("export", cmd_export_help, argc, argv, 1, options, pos, 1, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 1)
        return cli_fail("export", CLI_USAGE, "expected the ledger file (see `archase export --help`)");
    archase_export_options o = ARCHASE_EXPORT_OPTIONS_INIT;
    if (!kind_text)
        return cli_fail("export", CLI_USAGE, "--kind is required");
    int worklist = !strcmp(kind_text, "worklist");
    if (!worklist && (policy || as_of || owner))
        return cli_fail("export", CLI_USAGE, "--policy, --as-of and --owner are for --kind worklist");
    if ((!worklist && (rc = parse_kind("export", kind_text, &o.kind)) != CLI_OK) ||
        (rc = parse_format("export", format_text, &o.format)) != CLI_OK)
        return rc;
    archase_engine *eng = NULL;
    if (!worklist && (rc = open_db("export", pos[0], 0, NULL, &eng)) != CLI_OK)
        return rc;
    /* A file is written beside its name and renamed only when complete. */
    FILE *out = stdout;
    char temp[4096];
    if (output) {
        snprintf(temp, sizeof temp, "%s.partial", output);
        if (!(out = fopen(temp, "wb"))) {
            archase_engine_free(eng);
            return cli_fail("export", CLI_INVALID, "%s: cannot be written", temp);
        }
    }
    int erc = 0;
    if (worklist) {
        /* It prints its own errors: only the file is settled here. */
        rc = cli_export_worklist(pos[0], policy, as_of, owner, o.format, out);
        erc = rc != CLI_OK ? ARCHASE_EINVAL : 0;
    } else {
        erc = archase_export(eng, &o, write_out, out);
    }
    if (out != stdout) {
        if (fclose(out) != 0 && !erc)
            erc = ARCHASE_EIO;
        if (!erc && rename(temp, output) != 0)
            erc = ARCHASE_EIO;
        if (erc)
            remove(temp);
    } else if (fflush(stdout) != 0 && !erc) {
        erc = ARCHASE_EIO;
    }
    if (worklist)
        rc = rc != CLI_OK ? rc : erc ? cli_fail_rc("export", erc, "export", NULL) : CLI_OK;
    else
        rc = erc ? cli_fail_rc("export", erc, "export", archase_engine_errmsg(eng)) : CLI_OK;
    archase_engine_free(eng);
    return rc;
}
