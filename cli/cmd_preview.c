/* cli/cmd_preview.c — `archase preview`: what a policy would decide on
 * exported files, without a ledger (archase_snapshot_preview). The report is
 * `run --dry-run`'s, or with --worklist the worklist's. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "evaluate_report.h"
#include "policy_file.h"

const char cmd_preview_help[] =
    "usage: archase preview --policy FILE --as-of DATE [--customers F] [--contacts F]\n"
    "                       [--flags F] [--invoices F] [--format csv|jsonl]\n"
    "                       [--mapping M [--export-date DATE] FILE...]\n"
    "                       [--worklist [--owner NAME]] [--decisions] [--json]\n"
    "\n"
    "What the policy would decide on exported files, before anything is\n"
    "imported: the same decisions as importing the files into an empty ledger\n"
    "and `archase run --dry-run`, made without a ledger, an audit log or any\n"
    "write. The native files are read in the order customers, contacts, flags,\n"
    "invoices, then each FILE through the mapping. A preview takes customers,\n"
    "contacts, flags and invoices; a row that would make a payment, promise,\n"
    "dispute or note needs a ledger (`archase import`) and is refused with its\n"
    "file:line:column, as every bad row is (exit 1).\n"
    "\n"
    "  --customers F, --contacts F, --flags F, --invoices F\n"
    "                     native files of those kinds (docs/import.md)\n"
    "  --format FMT       csv (default) or jsonl, for the native files\n"
    "  --mapping M        a mapping (YAML) that reads each FILE\n"
    "  --export-date DATE the day the FILEs were exported (a mapping's amounts due)\n"
    "  --worklist         print the worklist instead of the counts (as\n"
    "                     `archase worklist`; --owner keeps one owner's lines)\n"
    "  --decisions        list every decision too\n"
    "  --json             as `archase run --dry-run --json`, or with --worklist\n"
    "                     as `archase worklist --json`\n"
    "\n"
    "Dates are ISO 8601 (YYYY-MM-DD).\n";

static int print_diags(const archase_diag_list *diags) {
    size_t n = archase_diag_list_count(diags);
    for (size_t i = 0; i < n; i++) {
        char line[1200];
        archase_diag_format(archase_diag_list_get(diags, i), line, sizeof line);
        fprintf(stderr, "archase preview: %s\n", line);
    }
    if (archase_diag_list_dropped(diags))
        fprintf(stderr, "archase preview: and %zu more\n", archase_diag_list_dropped(diags));
    return n ? CLI_INVALID : CLI_OK;
}

#define PREVIEW_SOURCES (4 + CLI_REPEATED_MAX)

int cmd_preview(int argc, char **argv) {
    const char *policy = NULL, *as_of = NULL, *owner = NULL, *format_text = NULL, *mapping_path = NULL;
    const char *export_date = NULL;
    const char *native[4] = { NULL, NULL, NULL, NULL };
    const char *pos[CLI_REPEATED_MAX];
    int json = 0, help = 0, npos = 0, worklist = 0, list = 0;
    const cli_option options[] = {
        { "policy", 1, &policy, NULL },         { "as-of", 1, &as_of, NULL },
        { "customers", 1, &native[0], NULL },   { "contacts", 1, &native[1], NULL },
        { "flags", 1, &native[2], NULL },       { "invoices", 1, &native[3], NULL },
        { "format", 1, &format_text, NULL },    { "mapping", 1, &mapping_path, NULL },
        { "export-date", 1, &export_date, NULL }, { "worklist", 0, NULL, &worklist },
        { "owner", 1, &owner, NULL },           { "decisions", 0, NULL, &list },
        { "json", 0, NULL, &json },             { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("preview", cmd_preview_help, argc, argv, 1, options, pos, CLI_REPEATED_MAX, &npos, &help);
    if (rc || help)
        return rc;
    if (!policy)
        return cli_fail("preview", CLI_USAGE, "--policy FILE is required");
    archase_date day;
    if (!as_of || archase_date_parse(as_of, &day) != 0)
        return cli_fail("preview", CLI_USAGE, "--as-of DATE is required (YYYY-MM-DD)");
    int format = ARCHASE_FORMAT_CSV;
    if (format_text && !strcmp(format_text, "jsonl"))
        format = ARCHASE_FORMAT_JSONL;
    else if (format_text && strcmp(format_text, "csv") != 0)
        return cli_fail("preview", CLI_USAGE, "--format must be csv or jsonl, not '%s'", format_text);
    if (npos && !mapping_path)
        return cli_fail("preview", CLI_USAGE, "files without --customers and the like need a --mapping");
    if (mapping_path && !npos)
        return cli_fail("preview", CLI_USAGE, "--mapping reads the FILEs given after the options");
    archase_date exported = ARCHASE_DATE_NONE;
    if (export_date && archase_date_parse(export_date, &exported) != 0)
        return cli_fail("preview", CLI_USAGE, "--export-date: '%s' is not a date (YYYY-MM-DD)", export_date);
    if (owner && !worklist)
        return cli_fail("preview", CLI_USAGE, "--owner is for --worklist");

    const int kinds[4] = { ARCHASE_KIND_CUSTOMERS, ARCHASE_KIND_CONTACTS, ARCHASE_KIND_FLAGS, ARCHASE_KIND_INVOICES };
    archase_import_options opts[PREVIEW_SOURCES];
    archase_preview_source src[PREVIEW_SOURCES];
    size_t n = 0;
    archase_mapping *mapping = NULL;
    archase_diag_list *diags = NULL;
    session s = { "preview", NULL, NULL, NULL, NULL, day };
    if (archase_diag_list_new(NULL, 100, &diags))
        return cli_fail("preview", CLI_INVALID, "out of memory");
    s.policy = cli_policy_load("preview", policy, &rc);
    if (!s.policy) {
        rc = CLI_INVALID;
        goto done;
    }
    if (mapping_path && archase_mapping_load_file(mapping_path, NULL, diags, &mapping)) {
        rc = print_diags(diags);
        goto done;
    }
    for (int k = 0; k < 4; k++) {
        if (!native[k])
            continue;
        opts[n] = (archase_import_options)ARCHASE_IMPORT_OPTIONS_INIT;
        opts[n].kind = kinds[k];
        opts[n].format = format;
        src[n] = (archase_preview_source)ARCHASE_PREVIEW_SOURCE_INIT;
        src[n].import = &opts[n];
        src[n].path = native[k];
        n++;
    }
    for (int i = 0; i < npos; i++) {
        opts[n] = (archase_import_options)ARCHASE_IMPORT_OPTIONS_INIT;
        opts[n].mapping = mapping;
        opts[n].as_of = exported;
        src[n] = (archase_preview_source)ARCHASE_PREVIEW_SOURCE_INIT;
        src[n].import = &opts[n];
        src[n].path = pos[i];
        n++;
    }
    int lrc = archase_open_memory(NULL, &s.eng);
    if (lrc) {
        rc = cli_fail_rc("preview", lrc, "opening an engine", NULL);
        goto done;
    }
    archase_snapshot_options so = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    so.policy = s.policy;
    lrc = archase_snapshot_preview(s.eng, day, &so, src, n, diags, &s.snap);
    if (lrc) {
        if (archase_diag_list_count(diags))
            print_diags(diags);
        rc = cli_fail_rc("preview", lrc, "preview", archase_engine_errmsg(s.eng));
        goto done;
    }
    lrc = archase_evaluate(s.snap, s.policy, day, NULL, &s.ds);
    if (lrc) {
        rc = cli_fail_rc("preview", lrc, "evaluation", NULL);
        goto done;
    }
    rc = worklist ? worklist_report(&s, owner, json) : run_report(&s, json, list);
done:
    session_close(&s);
    archase_mapping_free(mapping);
    archase_diag_list_free(diags);
    return rc;
}
