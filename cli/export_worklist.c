/* cli/export_worklist.c — `archase export DB --kind worklist`: the worklist of
 * a day as a sheet (CSV) or JSON Lines, for a team to open, sort and
 * annotate. It is computed (snapshot, evaluation, worklist), never stored, so
 * it is not imported back: what people change goes through promises,
 * disputes and notes. */
#include "export_worklist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "policy_file.h"

static const char *const columns[] = {
    "rank",   "owner",        "customer_id",  "customer_name", "invoice_ids",
    "next_action", "kind",    "reason_codes", "due_by",        "days_overdue",
    "amount", "currency",     "score",
};
#define COLUMN_COUNT (sizeof columns / sizeof columns[0])

/* One cell of CSV: quoted when it holds a comma, a quote, a line break or
 * leading or trailing spaces (RFC 4180), as the native exports write them. */
static void csv_cell(FILE *out, const char *text, int first) {
    if (!first)
        fputc(',', out);
    size_t len = strlen(text);
    int quote = len && (text[0] == ' ' || text[len - 1] == ' ');
    for (size_t i = 0; i < len && !quote; i++)
        if (text[i] == ',' || text[i] == '"' || text[i] == '\n' || text[i] == '\r')
            quote = 1;
    if (!quote) {
        fputs(text, out);
        return;
    }
    fputc('"', out);
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '"')
            fputc('"', out);
        fputc(text[i], out);
    }
    fputc('"', out);
}

static void json_string_value(FILE *out, const char *text) {
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

typedef struct name_lookup {
    char name[512];
} name_lookup;

static int copy_name(void *userdata, const archase_fact *fact) {
    name_lookup *l = userdata;
    if (fact->customer && fact->customer->name)
        snprintf(l->name, sizeof l->name, "%s", fact->customer->name);
    return 0;
}

/* The invoice ids and reason names of line i as the native formats write a
 * list (joined with ';'), in strings the caller frees. */
static int line_lists(const archase_worklist *wl, size_t i, const archase_worklist_line *l,
                      char **invoices, char **reasons) {
    size_t invoices_size = 0, reasons_size = 0;
    FILE *inv = open_memstream(invoices, &invoices_size);
    FILE *rea = inv ? open_memstream(reasons, &reasons_size) : NULL;
    int rc = rea ? 0 : ARCHASE_ENOMEM;
    for (size_t k = 0; !rc && k < l->invoice_count; k++) {
        const char *id;
        if ((rc = archase_worklist_line_invoice(wl, i, k, &id)) == 0)
            fprintf(inv, "%s%s", k ? ";" : "", id);
    }
    for (size_t k = 0; !rc && k < l->reason_count; k++) {
        int reason;
        if ((rc = archase_worklist_line_reason(wl, i, k, &reason)) == 0) {
            const char *name = archase_reason_name(reason);
            fprintf(rea, "%s%s", k ? ";" : "", name ? name : "?");
        }
    }
    if (inv && (fclose(inv) != 0) && !rc)
        rc = ARCHASE_ENOMEM;
    if (rea && (fclose(rea) != 0) && !rc)
        rc = ARCHASE_ENOMEM;
    if (rc) {
        if (inv)
            free(*invoices);
        if (rea)
            free(*reasons);
        *invoices = *reasons = NULL;
    }
    return rc;
}

static int write_lines(archase_engine *eng, const archase_worklist *wl, int format, FILE *out) {
    if (format == ARCHASE_FORMAT_CSV) {
        for (size_t c = 0; c < COLUMN_COUNT; c++)
            csv_cell(out, columns[c], c == 0);
        fputs("\r\n", out);
    }
    for (size_t i = 0; i < archase_worklist_count(wl); i++) {
        archase_worklist_line l = ARCHASE_WORKLIST_LINE_INIT;
        int rc = archase_worklist_line_get(wl, i, &l);
        if (rc)
            return rc;
        char rank[16], days[16], score[16], due[ARCHASE_DATE_FORMAT_MAX] = "";
        char amount[ARCHASE_MONEY_FORMAT_MAX] = "";
        char *invoices = NULL, *reasons = NULL;
        snprintf(rank, sizeof rank, "%u", (unsigned)l.rank);
        snprintf(days, sizeof days, "%d", (int)l.days_overdue);
        snprintf(score, sizeof score, "%d", (int)l.score);
        if (l.due_by != ARCHASE_DATE_NONE)
            archase_date_format(l.due_by, due, sizeof due);
        if (l.amount.currency[0] && archase_money_format_amount(&l.amount, amount, sizeof amount))
            snprintf(amount, sizeof amount, "%lld", (long long)l.amount.minor);
        name_lookup customer = { "" };
        rc = archase_fact_get(eng, ARCHASE_FAMILY_CUSTOMER, l.customer_id, copy_name, &customer);
        if (rc && rc != ARCHASE_ENOTFOUND)
            return rc;
        if ((rc = line_lists(wl, i, &l, &invoices, &reasons)) != 0)
            return rc;
        const char *kind = archase_work_kind_name(l.kind);
        const char *cells[COLUMN_COUNT] = { rank,        l.owner,      l.customer_id,
                                            customer.name, invoices,   l.next_action,
                                            kind ? kind : "", reasons, due,
                                            days,        amount,       l.amount.currency,
                                            score };
        if (format == ARCHASE_FORMAT_CSV) {
            for (size_t c = 0; c < COLUMN_COUNT; c++)
                csv_cell(out, cells[c] ? cells[c] : "", c == 0);
            fputs("\r\n", out);
            free(invoices);
            free(reasons);
            continue;
        }
        /* JSON Lines: numbers as numbers, lists as arrays, the rest as text. */
        fputc('{', out);
        for (size_t c = 0; c < COLUMN_COUNT; c++) {
            const char *name = columns[c];
            const char *v = cells[c] ? cells[c] : "";
            fprintf(out, "%s\"%s\":", c ? "," : "", name);
            if (!strcmp(name, "rank") || !strcmp(name, "days_overdue") || !strcmp(name, "score")) {
                fputs(v, out);
            } else if (!strcmp(name, "invoice_ids")) {
                fputc('[', out);
                for (size_t k = 0; k < l.invoice_count; k++) {
                    const char *id = "";
                    archase_worklist_line_invoice(wl, i, k, &id);
                    if (k)
                        fputc(',', out);
                    json_string_value(out, id);
                }
                fputc(']', out);
            } else if (!strcmp(name, "reason_codes")) {
                fputc('[', out);
                for (size_t k = 0; k < l.reason_count; k++) {
                    int reason = 0;
                    archase_worklist_line_reason(wl, i, k, &reason);
                    const char *reason_name = archase_reason_name(reason);
                    if (k)
                        fputc(',', out);
                    json_string_value(out, reason_name ? reason_name : "?");
                }
                fputc(']', out);
            } else if (!*v && (!strcmp(name, "due_by") || !strcmp(name, "customer_name"))) {
                fputs("null", out);
            } else {
                json_string_value(out, v);
            }
        }
        fputs("}\n", out);
        free(invoices);
        free(reasons);
    }
    return ferror(out) ? ARCHASE_EIO : 0;
}

int cli_export_worklist(const char *db, const char *policy_path, const char *as_of_text,
                        const char *owner, int format, FILE *out) {
    archase_date as_of;
    int rc;
    if (!policy_path)
        return cli_fail("export", CLI_USAGE, "--kind worklist needs --policy FILE");
    if (!as_of_text)
        return cli_fail("export", CLI_USAGE, "--kind worklist needs --as-of DATE (YYYY-MM-DD)");
    if (archase_date_parse(as_of_text, &as_of))
        return cli_fail("export", CLI_USAGE, "--as-of: '%s' is not a date (YYYY-MM-DD)", as_of_text);
    archase_policy *policy = cli_policy_load("export", policy_path, &rc);
    if (!policy)
        return CLI_INVALID;
    archase_engine *eng = NULL;
    archase_snapshot *snap = NULL;
    archase_decisions *ds = NULL;
    archase_worklist *wl = NULL;
    archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
    so.create = 0;
    so.read_only = 1;
    char err[512] = "";
    archase_snapshot_options sopts = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    sopts.policy = policy;
    archase_worklist_options wopts = ARCHASE_WORKLIST_OPTIONS_INIT;
    wopts.owner = owner;
    if ((rc = archase_open_sqlite(db, &so, NULL, &eng, err, sizeof err)) != 0) {
        rc = rc == ARCHASE_ENOTFOUND
                 ? cli_fail("export", CLI_INVALID, "%s: no such ledger (create it with `archase init %s`)", db, db)
                 : cli_fail_rc("export", rc, db, err);
    } else if ((rc = archase_snapshot_load(eng, as_of, &sopts, &snap)) != 0) {
        rc = cli_fail_rc("export", rc, db, archase_engine_errmsg(eng));
    } else if ((rc = archase_evaluate(snap, policy, as_of, NULL, &ds)) != 0) {
        rc = cli_fail_rc("export", rc, "evaluation", NULL);
    } else if ((rc = archase_worklist_build(ds, &wopts, &wl)) != 0) {
        rc = cli_fail_rc("export", rc, "building the worklist", NULL);
    } else if ((rc = write_lines(eng, wl, format, out)) != 0) {
        rc = cli_fail_rc("export", rc, "export", archase_engine_errmsg(eng));
    }
    archase_worklist_free(wl);
    archase_decisions_free(ds);
    archase_snapshot_free(snap);
    archase_engine_free(eng);
    archase_policy_free(policy);
    return rc;
}
