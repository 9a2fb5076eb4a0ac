/* tests/test_cov_io.c — import and export through the public API, one defect
 * at a time: every mistake a mapping file can make with its line and column,
 * JSON Lines and CSV cells that are not what their column wants (each refused
 * at its line and column, and nothing stored), the arguments of the io calls,
 * the escapes of JSON Lines exports, and allocation failure while loading a
 * mapping. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archase/archase.h"
#include "archase/io.h"
#include "support/failalloc.h"
#include "support/importfixture.h"
#include "support/testutil.h"
#include "support/textsink.h"

typedef test_import_fixture fixture;

static const char BASE_CUSTOMERS[] = "customer_id,name,currency\nC1,Acme,EUR\n";
static const char BASE_INVOICES[] =
    "invoice_id,customer_id,issue_date,due_date,amount,currency\nI1,C1,2026-01-01,2026-01-31,100.00,EUR\n";

static int import_text(archase_engine *eng, int kind, int format, const archase_mapping *m, const char *text,
                       archase_diag_list *diags) {
    archase_import_options o = ARCHASE_IMPORT_OPTIONS_INIT;
    o.kind = kind;
    o.format = format;
    o.mapping = m;
    o.source = "in";
    o.as_of = 20489; /* 2026-02-05 */
    if (diags)
        archase_diag_list_clear(diags);
    return archase_import_buffer(eng, &o, text, strlen(text), diags, NULL);
}

static int setup(void **state) {
    fixture *f = test_import_fixture_new();
    if (!f)
        return -1;
    if (import_text(f->eng, ARCHASE_KIND_CUSTOMERS, ARCHASE_FORMAT_CSV, NULL, BASE_CUSTOMERS, NULL) ||
        import_text(f->eng, ARCHASE_KIND_INVOICES, ARCHASE_FORMAT_CSV, NULL, BASE_INVOICES, NULL))
        return -1;
    *state = f;
    return 0;
}

/* Under valgrind, only the kinds an import of `touched` can write are
 * exported (0: a mapping, any kind). */
static int untouched_under_valgrind(int kind, int touched) {
    return test_under_valgrind() && touched && kind != touched &&
           !(touched == ARCHASE_KIND_CUSTOMERS && (kind == ARCHASE_KIND_CONTACTS || kind == ARCHASE_KIND_FLAGS));
}

/* Everything the ledger holds, as the exports of every kind. */
static char *everything(archase_engine *eng, int touched) {
    return text_sink_export_all(eng, untouched_under_valgrind, touched);
}

/* Importing `text` fails with `rc`, its first problem reads `expected`, and
 * the ledger is as it was. */
static void expect_refused(fixture *f, int kind, int format, const archase_mapping *m, const char *text, int rc,
                           const char *expected) {
    char *before = everything(f->eng, kind);
    int got = import_text(f->eng, kind, format, m, text, f->diags);
    if (got != rc)
        fail_msg("%s: expected %d, got %d (%s)", text, rc, got, test_import_first_diag(f));
    if (strcmp(test_import_first_diag(f), expected) != 0)
        fail_msg("%s: expected\n  %s\ngot\n  %s", text, expected, test_import_first_diag(f));
    char *after = everything(f->eng, kind);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void expect_accepted(fixture *f, int kind, int format, const archase_mapping *m, const char *text) {
    int got = import_text(f->eng, kind, format, m, text, f->diags);
    if (got != 0)
        fail_msg("%s: refused (%d): %s", text, got, test_import_first_diag(f));
}

/* ---- mapping files ------------------------------------------------------------ */


static const test_mapping_case mapping_cases[] = {
    { "version: 1\ncsv: {delimiter: \"\\\"\"}\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n",
      "m.yaml:2:7: delimiter must be one character other than a quote or a line break" },
    { "version: 1\ncsv: {delimiter: ab}\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n",
      "m.yaml:2:7: delimiter must be one character other than a quote or a line break" },
    { "version: 1\ncsv: {decimal_separator: x}\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n",
      "m.yaml:2:7: decimal_separator must be \".\" or \",\"" },
    { "version: 1\ncsv: {thousands_separator: x}\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n",
      "m.yaml:2:7: thousands_separator must be \"\", \",\", \".\", \" \" or \"'\"" },
    { "version: 1\ncsv: {thousands_separator: \",,\"}\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n",
      "m.yaml:2:7: thousands_separator must be \"\", \",\", \".\", \" \" or \"'\"" },
    { "version: 1\ncsv: {decimal_separator: \",\", thousands_separator: \",\"}\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n",
      "m.yaml:1:1: thousands_separator and decimal_separator must differ" },
    { "version: 1\ncsv: {date_format: \"%Y\"}\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n",
      "m.yaml:2:7: date_format '%Y' is not a date format: use %Y, %m and %d once each (and %H, %M, %S at most once for a time of day)" },
    { "version: 1\ncsv: {header_line: 0}\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n",
      "m.yaml:2:7: header_line must be a line number from 1 to 100000, not '0'" },
    { "version: 1\ncsv: {header_line: 12x}\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n",
      "m.yaml:2:7: header_line must be a line number from 1 to 100000, not '12x'" },
    { "version: 1\ncsv: {header_line: 100001}\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n",
      "m.yaml:2:7: header_line must be a line number from 1 to 100000, not '100001'" },
    { "version: 1\ncsv: {header_line: \"\"}\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n",
      "m.yaml:2:7: header_line must be a line number from 1 to 100000, not ''" },
    { "version: 1\ncsv: {currency_symbol: \"\"}\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n",
      "m.yaml:2:7: currency_symbol must be 1 to 8 bytes without digits, signs, parentheses, separators or spaces, not ''" },
    { "version: 1\ncsv: {currency_symbol: \"1$\"}\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n",
      "m.yaml:2:7: currency_symbol must be 1 to 8 bytes without digits, signs, parentheses, separators or spaces, not '1$'" },
    { "version: 1\ncsv: {currency_symbol: \"toolongsym\"}\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n",
      "m.yaml:2:7: currency_symbol must be 1 to 8 bytes without digits, signs, parentheses, separators or spaces, not 'toolongsym'" },
    { "version: 1\ncsv: {negative_parentheses: maybe}\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n",
      "m.yaml:2:7: negative_parentheses must be true or false, not 'maybe'" },
    { "version: 1\ncsv: {colour: red}\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n",
      "m.yaml:2:7: unknown key 'colour' in csv (known: delimiter, decimal_separator, thousands_separator, date_format, header_line, currency_symbol, negative_parentheses)" },
    { "version: 1\ncsv: 5\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n",
      "m.yaml:2:6: 'csv' must be a mapping" },
    { "version: 1\ncsv: {delimiter: [a]}\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n",
      "m.yaml:2:18: 'delimiter' must be a text value" },
    { "version: 1\ncsv: {delimiter: !!str \";\"}\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n",
      "m.yaml:2:18: tags are not allowed" },
    { "version: 2\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n",
      "m.yaml:1:1: mapping version '2' is not supported (1 is)" },
    { "outputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n",
      "m.yaml:1:1: the mapping needs 'version: 1'" },
    { "version: 1\n",
      "m.yaml:1:1: the mapping needs at least one entry under 'outputs'" },
    { "version: 1\noutputs: 5\n",
      "m.yaml:2:10: 'outputs' must be a list" },
    { "version: 1\noutputs: [5]\n",
      "m.yaml:2:11: each output is a mapping" },
    { "version: 1\noutputs:\n  - {kind: notes, columns: {note_id: N, customer_id: C, text: T, at: A}}\n  - {kind: notes, columns: {note_id: N, customer_id: C, text: T, at: A}}\n  - {kind: notes, columns: {note_id: N, customer_id: C, text: T, at: A}}\n  - {kind: notes, columns: {note_id: N, customer_id: C, text: T, at: A}}\n  - {kind: notes, columns: {note_id: N, customer_id: C, text: T, at: A}}\n  - {kind: notes, columns: {note_id: N, customer_id: C, text: T, at: A}}\n  - {kind: notes, columns: {note_id: N, customer_id: C, text: T, at: A}}\n  - {kind: notes, columns: {note_id: N, customer_id: C, text: T, at: A}}\n  - {kind: notes, columns: {note_id: N, customer_id: C, text: T, at: A}}\n  - {kind: notes, columns: {note_id: N, customer_id: C, text: T, at: A}}\n  - {kind: notes, columns: {note_id: N, customer_id: C, text: T, at: A}}\n  - {kind: notes, columns: {note_id: N, customer_id: C, text: T, at: A}}\n  - {kind: notes, columns: {note_id: N, customer_id: C, text: T, at: A}}\n  - {kind: notes, columns: {note_id: N, customer_id: C, text: T, at: A}}\n  - {kind: notes, columns: {note_id: N, customer_id: C, text: T, at: A}}\n  - {kind: notes, columns: {note_id: N, customer_id: C, text: T, at: A}}\n  - {kind: notes, columns: {note_id: N, customer_id: C, text: T, at: A}}\n",
      "m.yaml:19:5: more than 16 outputs" },
    { "version: 1\noutputs:\n  - columns: {customer_id: Id}\n",
      "m.yaml:3:5: 'columns' must come after 'kind'" },
    { "version: 1\noutputs:\n  - kind: qq\n",
      "m.yaml:3:5: unknown kind 'qq' (customers, contacts, flags, invoices, payments, credits, promises, disputes, notes)" },
    { "version: 1\noutputs:\n  - kind: [customers]\n",
      "m.yaml:3:11: 'kind' must be a text value" },
    { "version: 1\noutputs:\n  - {constants: {currency: EUR}, kind: customers}\n",
      "m.yaml:3:6: 'constants' must come after 'kind'" },
    { "version: 1\noutputs:\n  - {values: {tier: {a: b}}, kind: customers}\n",
      "m.yaml:3:6: 'values' must come after 'kind'" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name, qq: X}\n",
      "m.yaml:4:44: unknown key 'qq' in the columns of customers" },
    { "version: 1\noutputs:\n  - kind: invoices\n    columns: {invoice_id: I, customer_id: C, issue_date: D, due_date: E, amount: A}\n    constants: {currency: EUR}\n    columns2: 1\n",
      "m.yaml:6:5: unknown key 'columns2' in an output (known: kind, columns, constants, values, when, revision, merge, settled_date, amount_due, flag_rules)" },
    { "version: 1\noutputs:\n  - kind: invoices\n    columns: {invoice_id: I, customer_id: C, issue_date: D, due_date: E, amount: A, open_amount: O}\n    constants: {currency: EUR}\n",
      "m.yaml:4:85: unknown key 'open_amount' in the columns of invoices" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: \"\", name: Name}\n",
      "m.yaml:4:15: 'customer_id' names an empty column" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    settled_date: S\n",
      "m.yaml:5:5: 'settled_date' belongs to an invoices output" },
    { "version: 1\noutputs:\n  - kind: invoices\n    columns: {invoice_id: I, customer_id: C, issue_date: D, due_date: E, amount: A}\n    constants: {currency: EUR}\n    settled_date: \"\"\n",
      "m.yaml:6:5: 'settled_date' names an empty column" },
    { "version: 1\noutputs:\n  - kind: invoices\n    columns: {invoice_id: I, customer_id: C, issue_date: D, due_date: E, amount: A}\n    constants: {currency: EUR}\n    settled_date: S\n    amount_due: D2\n",
      "m.yaml:7:5: an output has 'settled_date' or 'amount_due', not both" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    values: {qq: {a: b}}\n",
      "m.yaml:5:14: unknown key 'qq' in the values of customers" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    values: {tier: 5}\n",
      "m.yaml:5:20: 'tier' must be a mapping" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    values: {tier: {a: [b]}}\n",
      "m.yaml:5:24: 'a' must be a text value" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    values: {tier: {a: b}}\n",
      "m.yaml:5:14: values for 'tier', which no file column feeds" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    flag_rules: {hold: {column: H, equals: x}}\n",
      "m.yaml:5:5: 'flag_rules' belong to a flags output" },
    { "version: 1\noutputs:\n  - kind: flags\n    columns: {customer_id: Id}\n    flag_rules: {hold: {column: H, equals: x}, qq: {column: H, equals: x}}\n",
      "m.yaml:5:48: unknown key 'qq' in flag_rules (known: hold, expansion, strategic, service_issue)" },
    { "version: 1\noutputs:\n  - kind: flags\n    columns: {customer_id: Id}\n    flag_rules: {hold: 5}\n",
      "m.yaml:5:24: 'hold' must be a condition or a list of conditions" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    revision: manual\n",
      "m.yaml:5:5: 'revision' must be auto (a revision column goes under 'columns'), not 'manual'" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    merge: maybe\n",
      "m.yaml:5:5: 'merge' must be true or false, not 'maybe'" },
    { "version: 1\noutputs:\n  - kind: invoices\n    columns: {invoice_id: I, customer_id: C, issue_date: D, due_date: E, amount: A}\n    constants: {currency: EUR}\n    merge: true\n",
      "m.yaml:3:5: 'merge' applies to customers and flags outputs, not invoices" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name, revision: R}\n    revision: auto\n",
      "m.yaml:4:5: 'revision: auto' and a revision column exclude each other" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name, tier: T}\n    constants: {tier: gold}\n",
      "m.yaml:5:5: 'tier' is both a column and a constant" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id}\n",
      "m.yaml:3:5: the customers output has no 'name' column" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    when: 5\n",
      "m.yaml:5:11: 'when' must be a condition or a list of conditions" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    when: [5]\n",
      "m.yaml:5:12: each condition of 'when' is a mapping" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    when: {column: A}\n",
      "m.yaml:5:11: a condition needs a test: equals, not_equals, in, not_in, empty, greater_than or less_than" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    when: {equals: x}\n",
      "m.yaml:5:11: a condition needs a 'column'" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    when: {column: A, equals: x, in: [x]}\n",
      "m.yaml:5:34: a condition has one test: 'equals' and 'in' are both given" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    when: {column: \"\", equals: x}\n",
      "m.yaml:5:12: 'column' names an empty column" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    when: {column: A, like: x}\n",
      "m.yaml:5:23: unknown key 'like' in a condition (known: column, equals, not_equals, in, not_in, empty, greater_than, less_than)" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    when: {column: A, empty: maybe}\n",
      "m.yaml:5:23: 'empty' must be true or false, not 'maybe'" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    when: {column: A, greater_than: x}\n",
      "m.yaml:5:23: 'greater_than' must be a whole number, not 'x'" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    when: {column: A, less_than: \"\"}\n",
      "m.yaml:5:23: 'less_than' must be a whole number, not ''" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    when: {column: A, in: 5}\n",
      "m.yaml:5:27: 'in' must be a list of texts" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    when: {column: A, in: [[a]]}\n",
      "m.yaml:5:28: each item of 'in' is a text" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    when: {column: A, not_in: []}\n",
      "m.yaml:5:31: 'not_in' needs at least one text" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    when: {column: A, equals: [x]}\n",
      "m.yaml:5:31: 'equals' must be a text value" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    when:\n      - {column: A, equals: x}\n      - {column: A, equals: x}\n      - {column: A, equals: x}\n      - {column: A, equals: x}\n      - {column: A, equals: x}\n      - {column: A, equals: x}\n      - {column: A, equals: x}\n      - {column: A, equals: x}\n      - {column: A, equals: x}\n      - {column: A, equals: x}\n      - {column: A, equals: x}\n      - {column: A, equals: x}\n      - {column: A, equals: x}\n      - {column: A, equals: x}\n      - {column: A, equals: x}\n      - {column: A, equals: x}\n      - {column: A, equals: x}\n",
      "m.yaml:14:9: more than 8 conditions" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    when: [{column: A, equals: x}, {column: B, not_equals: y}, {column: C, empty: false}, {column: D, greater_than: -5}, {column: E, less_than: 7}, {column: F, in: [a, b]}, {column: G, not_in: [c]}, {column: H, empty: true}]\n", NULL },
    { "version: 1\n---\nversion: 1\n",
      "m.yaml:2:1: a mapping file holds one document" },
    { "- a\n",
      "m.yaml:1:1: a mapping file is a YAML mapping at the top" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    values: {tier: {a: {b: {c: {d: {e: {f: {g: {h: {i: {j: 1}}}}}}}}}}}\n",
      "m.yaml:5:24: 'a' must be a text value" },
    { "version: 1\n? [a]\n: b\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n",
      "m.yaml:2:3: keys must be plain text" },
    { "version: 1\ncsv: {delimiter: \"\\0\"}\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n",
      "m.yaml:2:18: 'delimiter' holds a NUL character" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: \"a\\0b\"}\n",
      "m.yaml:4:38: 'name' holds a NUL character" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    when: {column: A, in: [\"a\\0b\"]}\n",
      "m.yaml:5:28: an item of 'in' holds a NUL character" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    values: {tier: {\"a\\0b\": c}}\n",
      "m.yaml:5:21: a file text holds a NUL character" },
    { "version: [1\n",
      "m.yaml:1:10: 'version' must be a text value" },
    { "version: 1\ncolour: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n",
      "m.yaml:2:1: unknown key 'colour' in the mapping (known: version, csv, outputs)" },
    { "version: 1\noutputs:\n  - kind: customers\n    colour: 1\n    columns: {customer_id: Id, name: Name}\n",
      "m.yaml:4:5: unknown key 'colour' in an output (known: kind, columns, constants, values, when, revision, merge, settled_date, amount_due, flag_rules)" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: 5\n",
      "m.yaml:4:14: 'columns' must be a mapping" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    when: {column: A, equals: x, colour: 1}\n",
      "m.yaml:5:34: unknown key 'colour' in a condition (known: column, equals, not_equals, in, not_in, empty, greater_than, less_than)" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    values: {tier: {a: b, a: c}}\n",
      "m.yaml:5:27: duplicate key 'a'" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, customer_id: Id2, name: Name}\n",
      "m.yaml:4:32: duplicate key 'customer_id'" },
};

static void each_mistake_of_a_mapping_is_named_where_it_is(void **state) {
    (void)state;
    test_mapping_cases(mapping_cases, sizeof mapping_cases / sizeof *mapping_cases);
}

static void mapping_arguments_and_files_are_checked(void **state) {
    (void)state;
    archase_mapping *m = (archase_mapping *)0x1;
    const char *ok = "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n";
    assert_int_equal(archase_mapping_load_buffer(NULL, 3, "m.yaml", NULL, NULL, &m), ARCHASE_EINVAL);
    assert_int_equal(archase_mapping_load_buffer(ok, strlen(ok), "m.yaml", NULL, NULL, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_mapping_load_file(NULL, NULL, NULL, &m), ARCHASE_EINVAL);
    assert_int_equal(archase_mapping_load_file("m.yaml", NULL, NULL, NULL), ARCHASE_EINVAL);
    assert_ptr_equal(m, (archase_mapping *)0x1);
    archase_mapping_free(NULL);

    /* Without a source name the diagnostics say "<mapping>". */
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    assert_int_equal(archase_mapping_load_buffer("version: 1\n", 11, NULL, NULL, diags, &m), ARCHASE_EPARSE);
    char line[600];
    archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
    assert_string_equal(line, "<mapping>:1:1: the mapping needs at least one entry under 'outputs'");
    archase_diag_list_clear(diags);

    /* More than a mebibyte is refused unread. */
    size_t big = (1u << 20) + 1;
    char *huge = malloc(big);
    assert_non_null(huge);
    memset(huge, '#', big);
    assert_int_equal(archase_mapping_load_buffer(huge, big, "m.yaml", NULL, diags, &m), ARCHASE_EPARSE);
    archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
    assert_string_equal(line, "m.yaml: a mapping is at most 1 MiB");
    archase_diag_list_clear(diags);

    char path[] = "/tmp/archase-cov-mapping-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    assert_non_null(fp);
    assert_int_equal(fwrite(huge, 1, big, fp), big);
    fclose(fp);
    assert_int_equal(archase_mapping_load_file(path, NULL, diags, &m), ARCHASE_EPARSE);
    archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
    char want[300];
    snprintf(want, sizeof want, "%s: a mapping is at most 1 MiB", path);
    assert_string_equal(line, want);
    archase_diag_list_clear(diags);
    free(huge);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(ok, fp);
    fclose(fp);
    assert_int_equal(archase_mapping_load_file(path, NULL, diags, &m), 0);
    archase_mapping_free(m);
    remove(path);

    m = (archase_mapping *)0x1;
    assert_int_equal(archase_mapping_load_file("/nonexistent/m.yaml", NULL, diags, &m), ARCHASE_EIO);
    archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
    assert_string_equal(line, "/nonexistent/m.yaml: cannot be opened");
    archase_diag_list_clear(diags);
    assert_int_equal(archase_mapping_load_file("/tmp", NULL, diags, &m), ARCHASE_EIO);
    archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
    assert_string_equal(line, "/tmp: cannot be read");
    assert_ptr_equal(m, (archase_mapping *)0x1);
    archase_diag_list_free(diags);
}

/* ---- JSON Lines ------------------------------------------------------------------ */

typedef struct line_case {
    const char *text;
    const char *expected; /* NULL: accepted */
} line_case;

static void json_lines_are_read_strictly(void **state) {
    fixture *f = *state;
    static const line_case cases[] = {
        { "{\"customer_id\":\"C2\",\"name\":\"B\"} x\n", "in:1:33: text after the object" },
        { "{\"customer_id\":\"C2\" \"name\":\"B\"}\n", "in:1:21: expected ',' or '}'" },
        { "{\"customer_id\" \"C2\"}\n", "in:1:16: expected ':'" },
        { "{\"customer_id\":\"C2\",\"name\":tru}\n", "in:1:28: expected a value" },
        { "{\"customer_id\":\"C2\",\"name\":fals}\n", "in:1:28: expected a value" },
        { "{\"customer_id\":\"C2\",\"name\":nul}\n", "in:1:28: expected a value" },
        { "{\"customer_id\":\"C2\",\"name\":{\"a\":1}}\n", "in:1:28: nested objects and arrays are not allowed here" },
        { "{\"customer_id\":\"C2\",\"name\":-}\n", "in:1:29: expected a value" },
        { "{\"customer_id\":\"C2\",\"name\":", "in:1:28: expected a value" },
        { "{\"customer_id\":\"C2\",\"tags\":[\"a\" \"b\"]}\n", "in:1:33: expected ',' or ']'" },
        { "{\"customer_id\":\"C2\",\"tags\":[\"a\",null]}\n", "in:1:37: list items may not be null or hold ';'" },
        { "{\"customer_id\":\"C2\",\"tags\":[\"a\",\"b;c\"]}\n", "in:1:38: list items may not be null or hold ';'" },
        { "{\"customer_id\":\"C2\",\"tags\":[\"a\",\"b\"", "in:1:36: an array is never closed" },
        { "{\"customer_id\":\"C2\",\"name\":\"B\",\"name\":\"C\"}\n", "in:1:39: key 'name' appears twice" },
        { "{\"customer_id\":\"C2\"", "in:1:20: expected ',' or '}'" },
        { "{\"customer_id\":\"C2\",}\n", "in:1:21: expected a string" },
        { "[\"C2\"]\n", "in:1:1: expected '{': each line holds one JSON object" },
        { "{}\n", "in:1: customer '(no id)': customer_id is required" },
        /* An array only where the column holds a list. */
        { "{\"customer_id\":\"C2\",\"name\":[\"B\"]}\n", "in:1:28: name takes one value, not an array" },
        /* Numbers are kept as written, true and false as words; tabs
         * and carriage returns are blanks. */
        { "{\"customer_id\":\"C2\",\"name\":-1.5e+3,\t\"tier\":null}\r\n", NULL },
        { "{ \"customer_id\" : \"C3\" , \"name\":\"B\",\"tags\":[ \"x\" , true , false, 5 ] }\n", NULL },
        { "{\"customer_id\":\"C4\",\"name\":\"B\",\"tags\":[]}\n", NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        if (cases[i].expected)
            expect_refused(f, ARCHASE_KIND_CUSTOMERS, ARCHASE_FORMAT_JSONL, NULL, cases[i].text,
                           strstr(cases[i].expected, "required") || strstr(cases[i].expected, "not an array")
                               ? ARCHASE_EINVAL
                               : ARCHASE_EPARSE,
                           cases[i].expected);
        else
            expect_accepted(f, ARCHASE_KIND_CUSTOMERS, ARCHASE_FORMAT_JSONL, NULL, cases[i].text);
    }
    char *text = text_sink_export(f->eng, ARCHASE_KIND_CUSTOMERS, ARCHASE_FORMAT_JSONL);
    assert_non_null(strstr(text, "\"customer_id\":\"C2\",\"name\":\"-1.5e+3\""));
    assert_non_null(strstr(text, "\"tags\":[\"x\",\"true\",\"false\",\"5\"]"));
    free(text);
}

static void json_lines_exports_escape_what_json_must(void **state) {
    fixture *f = *state;
    expect_accepted(f, ARCHASE_KIND_CUSTOMERS, ARCHASE_FORMAT_JSONL, NULL,
                    "{\"customer_id\":\"C9\",\"name\":\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\"}\n");
    char *text = text_sink_export(f->eng, ARCHASE_KIND_CUSTOMERS, ARCHASE_FORMAT_JSONL);
    assert_non_null(strstr(text, "\"name\":\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\""));
    free(text);
    /* And it reads back as the same customer: a duplicate. */
    archase_import_options o = ARCHASE_IMPORT_OPTIONS_INIT;
    o.kind = ARCHASE_KIND_CUSTOMERS;
    o.format = ARCHASE_FORMAT_JSONL;
    text = text_sink_export(f->eng, ARCHASE_KIND_CUSTOMERS, ARCHASE_FORMAT_JSONL);
    archase_batch_summary s;
    assert_int_equal(archase_import_buffer(f->eng, &o, text, strlen(text), NULL, &s), 0);
    assert_int_equal(s.inserted, 0);
    free(text);
}

/* ---- CSV cells ------------------------------------------------------------------------ */

typedef struct cell_case {
    int         kind;
    const char *text;
    const char *expected; /* NULL: accepted */
} cell_case;

static void csv_cells_are_checked_against_their_column(void **state) {
    fixture *f = *state;
    static const cell_case cases[] = {
        { ARCHASE_KIND_CONTACTS, "contact_id,customer_id,channel,address,consent,primary\nK1,C1,fax,x,true,1\n",
          "in:2:3: channel: expected email, sms, letter, portal or call, not fax" },
        { ARCHASE_KIND_CONTACTS, "contact_id,customer_id,channel,address,consent,primary\nK1,C1,email,a@b.c,maybe,yes\n",
          "in:2:5: consent: expected true or false, not maybe" },
        { ARCHASE_KIND_CONTACTS, "contact_id,customer_id,channel,address,consent,primary\nK1,C1,email,a@b.c,false,2\n",
          "in:2:6: primary: expected true or false, not 2" },
        { ARCHASE_KIND_FLAGS, "customer_id,flags\nC1,bogus\n", "in:2:2: flags: unknown flag 'bogus'" },
        { ARCHASE_KIND_FLAGS, "customer_id,flags\nC1,paused_until=2026-13-01\n",
          "in:2:2: flags: unknown flag 'paused_until=2026-13-01'" },
        { ARCHASE_KIND_FLAGS, "customer_id,flags\nC1,paused_until=\n", "in:2:2: flags: unknown flag 'paused_until='" },
        { ARCHASE_KIND_FLAGS, "customer_id,flags\nC1,qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq\n",
          "in:2:2: flags: unknown flag 'qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq'" },
        { ARCHASE_KIND_FLAGS, "customer_id,flags,revision\nC1,hold,x\n", "in:2:3: revision: not a whole number: x" },
        { ARCHASE_KIND_FLAGS, "customer_id,flags,revision\nC1,hold,-1\n",
          "in:2:3: flags 'C1': revision must not be negative" },
        { ARCHASE_KIND_PAYMENTS,
          "payment_id,customer_id,invoice_id,date,amount,currency,kind\nP1,C1,I1,2026-02-01,10.00,EUR,gift\n",
          "in:2:7: kind: expected payment, credit_note, adjustment or write_off, not gift" },
        { ARCHASE_KIND_PAYMENTS,
          "payment_id,customer_id,invoice_id,date,amount,currency,overpayment\nP1,C1,I1,2026-02-01,10.00,EUR,x\n",
          "in:2:7: overpayment: expected true or false, not x" },
        { ARCHASE_KIND_PROMISES,
          "promise_id,customer_id,invoice_ids,amount,currency,promised_date,channel\nR1,C1,I1,10.00,EUR,2026-03-01,pigeon\n",
          "in:2:7: channel: expected email, sms, letter, portal or call, not pigeon" },
        { ARCHASE_KIND_PROMISES,
          "promise_id,customer_id,invoice_ids,amount,currency,promised_date,instalments\nR1,C1,I1,10.00,EUR,2026-03-01,2026-02-01\n",
          "in:2:7: instalments: expected DATE=AMOUNT;DATE=AMOUNT, not 2026-02-01" },
        { ARCHASE_KIND_PROMISES,
          "promise_id,customer_id,invoice_ids,amount,currency,promised_date,instalments\nR1,C1,I1,10.00,EUR,2026-03-01,2026-02-x=5.00\n",
          "in:2:7: instalments: expected DATE=AMOUNT;DATE=AMOUNT, not 2026-02-x=5.00" },
        { ARCHASE_KIND_PROMISES,
          "promise_id,customer_id,invoice_ids,amount,currency,promised_date,grace_days\nR1,C1,I1,10.00,EUR,2026-03-01,1.5\n",
          "in:2:7: grace_days: not a whole number: 1.5" },
        { ARCHASE_KIND_DISPUTES,
          "dispute_id,customer_id,invoice_ids,amount,currency,reason_code,opened_on,status\nD1,C1,I1,10.00,EUR,pricing,2026-02-01,weird\n",
          "in:2:8: status: expected open, in_review or resolved, not weird" },
        { ARCHASE_KIND_DISPUTES,
          "dispute_id,customer_id,invoice_ids,amount,currency,reason_code,opened_on,status,resolution,resolved_on\n"
          "D1,C1,I1,10.00,EUR,pricing,2026-02-01,resolved,odd,2026-02-05\n",
          "in:2:9: resolution: expected credit_issued, rejected or partial, not odd" },
        { ARCHASE_KIND_NOTES, "note_id,customer_id,at,text\nN1,C1,2026-02-01T10:00:00,hi\n",
          "in:2:3: at: expected an instant like 2026-01-31T09:30:00Z, not 2026-02-01T10:00:00" },
        { ARCHASE_KIND_INVOICES,
          "invoice_id,customer_id,issue_date,due_date,amount,currency,status\nI2,C1,2026-01-01,2026-01-31,1.00,EUR,closed\n",
          "in:2:7: status: expected open or void, not closed" },
        { ARCHASE_KIND_INVOICES,
          "invoice_id,customer_id,issue_date,due_date,amount,currency\nI2,C1,2026-01-01,2026-01-31,1.00,XXX\n",
          "in:2:6: currency: not a currency with minor units: XXX" },
        { ARCHASE_KIND_INVOICES,
          "invoice_id,customer_id,issue_date,due_date,amount,currency\nI2,C1,2026-01-01,2026-01-31,1.001,EUR\n",
          "in:2:5: amount: '1.001 EUR' is not an amount: EUR has 2 decimals" },
        { ARCHASE_KIND_CUSTOMERS, "customer_id,name,credit_limit,currency\nC2,B,5,\n",
          "in:2:4: currency: required with an amount" },
        { ARCHASE_KIND_CUSTOMERS, "customer_id,name,credit_limit\nC2,B,5\n", "in:2: currency: required with an amount" },
        /* What each column accepts. */
        { ARCHASE_KIND_CONTACTS, "contact_id,customer_id,channel,address,consent,primary\nK1,C1,email,a@b.c,no,0\n", NULL },
        { ARCHASE_KIND_FLAGS, "customer_id,flags\nC1,none\n", NULL },
        { ARCHASE_KIND_FLAGS, "customer_id,flags,revision\nC1,hold;service_issue;expansion;strategic,1\n", NULL },
        { ARCHASE_KIND_PAYMENTS,
          "payment_id,customer_id,invoice_id,date,amount,currency,kind\nP1,C1,I1,2026-02-01,10.00,EUR,adjustment\n", NULL },
        { ARCHASE_KIND_PROMISES,
          "promise_id,customer_id,invoice_ids,amount,currency,promised_date,instalments,channel\n"
          "R1,C1,I1,10.00,EUR,2026-03-01,2026-02-01=5.00;2026-03-01=5.00,sms\n", NULL },
        { ARCHASE_KIND_DISPUTES,
          "dispute_id,customer_id,invoice_ids,amount,currency,reason_code,opened_on,status\nD1,C1,I1,10.00,EUR,pricing,2026-02-01,in_review\n",
          NULL },
        { ARCHASE_KIND_NOTES, "note_id,customer_id,at,text\nN1,C1,2026-02-01T10:00:00Z,hi\n", NULL },
        { ARCHASE_KIND_INVOICES,
          "invoice_id,customer_id,issue_date,due_date,amount,currency,status\nI2,C1,2026-01-01,2026-01-31,1.00,EUR,void\n", NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        if (cases[i].expected)
            expect_refused(f, cases[i].kind, ARCHASE_FORMAT_CSV, NULL, cases[i].text, ARCHASE_EINVAL,
                           cases[i].expected);
        else
            expect_accepted(f, cases[i].kind, ARCHASE_FORMAT_CSV, NULL, cases[i].text);
    }
}

/* ---- files from other systems, through a mapping ------------------------------------------- */

static const char GERMAN_MAPPING[] =
    "version: 1\n"
    "csv: {delimiter: \";\", decimal_separator: \",\", thousands_separator: \".\", date_format: \"%d.%m.%Y\",\n"
    "      header_line: 2, currency_symbol: \"\xe2\x82\xac\", negative_parentheses: true}\n"
    "outputs:\n"
    "  - kind: customers\n"
    "    columns: {customer_id: Kunde, name: Name, tier: Stufe}\n"
    "    values: {tier: {A: gold, B: silver, \"\": standard}}\n"
    "    merge: true\n"
    "  - kind: invoices\n"
    "    columns: {invoice_id: Beleg, customer_id: Kunde, issue_date: Datum, due_date: Faellig, amount: Betrag}\n"
    "    constants: {currency: EUR}\n"
    "    amount_due: Offen\n"
    "    revision: auto\n"
    "    when: [{column: Art, in: [RE, GS]}, {column: Tage, less_than: 1000}]\n"
    "  - kind: flags\n"
    "    columns: {customer_id: Kunde}\n"
    "    flag_rules: {hold: {column: Sperre, equals: ja}, strategic: [{column: Stufe, equals: A}]}\n"
    "    merge: true\n";

#define GERMAN_HEAD "Bericht;;;;;;;;;;\nKunde;Name;Stufe;Beleg;Datum;Faellig;Betrag;Offen;Art;Tage;Sperre\n"

static void a_mapped_file_is_read_with_its_separators_symbols_and_rules(void **state) {
    fixture *f = *state;
    archase_mapping *m = NULL;
    assert_int_equal(archase_mapping_load_buffer(GERMAN_MAPPING, sizeof GERMAN_MAPPING - 1, "m.yaml", NULL, NULL, &m), 0);
    static const line_case refused[] = {
        { GERMAN_HEAD "C2;Bx;Q;I9;01.01.2026;31.01.2026;1.234,56;1.000,00;RE;5;ja\n",
          "in:3:3: Stufe: 'Q' is not a text the mapping translates (m.yaml:7 lists 'A', 'B', '')" },
        { GERMAN_HEAD "C2;Bx;A;I9;01.01.2026;31.01.2026;\xe2\x82\xac" "1.234,56;(\xe2\x82\xac" "1.000,00);RE;5;ja\n",
          "in:3:8: amount_due: a negative amount due is a credit, not the balance of an invoice" },
        { GERMAN_HEAD "C2;Bx;A;I9;01.01.2026;31.01.2026;(1.234,56;0;RE;5;ja\n",
          "in:3:7: amount: '(1.234,56 EUR' is not an amount: an opening parenthesis is never closed" },
        { GERMAN_HEAD "C2;Bx;A;I9;01.01.2026;31.01.2026;(-1.234,56);0;RE;5;ja\n",
          "in:3:7: amount: '(-1.234,56) EUR' is not an amount: a minus sign inside parentheses" },
        { GERMAN_HEAD "C2;Bx;A;I9;01.01.2026;31.01.2026;1.23,56;0;RE;5;ja\n",
          "in:3:7: amount: '1.23,56 EUR' is not an amount: thousands separators must separate groups of three digits" },
        { GERMAN_HEAD "C2;Bx;A;I9;01.01.2026;31.01.2026;12.34;0;RE;5;ja\n",
          "in:3:7: amount: '12.34 EUR' is not an amount: thousands separators must separate groups of three digits" },
        { GERMAN_HEAD "C2;Bx;A;I9;01.01.2026;31.01.2026;-\xe2\x82\xac 5,00;0;RE;5;ja\n",
          "in:3:7: invoice 'I9': amount must be greater than zero" },
        { GERMAN_HEAD "C2;Bx;A;I9;01.01.2026;31.01.2026;5,00 $;0;RE;5;ja\n",
          "in:3:7: amount: '5,00 $ EUR' is not an amount: \"5.00 $\" is not an amount (expected [-]DIGITS[.DIGITS])" },
        { GERMAN_HEAD "C2;Bx;A;I9;01.01.2026;31.01.2026;5,00;0;RE;x5;ja\n",
          "in:3:10: Tage: 'x5' is not a whole number (the condition at m.yaml:14)" },
        { GERMAN_HEAD "C2;Bx;A;I9;01.01.2026;31.01.2026;5,00;0;RE;12345678901234567890;ja\n",
          "in:3:10: Tage: '12345678901234567890' is not a whole number (the condition at m.yaml:14)" },
        { GERMAN_HEAD "C2;Bx;A;I9;2026-01-01;31.01.2026;5,00;0;RE;5;ja\n",
          "in:3:5: issue_date: '2026-01-01' is not a date (expected %d.%m.%Y)" },
        { GERMAN_HEAD "C2;Bx;A;I9;01.01.2026;31.01.2026;5,00;6,00;RE;5;ja\n",
          "in:3:8: amount_due: more than the invoice's amount" },
        { "Bericht\n", "in:2: the file ends before its header line" },
        { GERMAN_HEAD "C2;Bx;A;I9;01.01.2026;31.01.2026;5,00;0\n", "in:3: the row has 8 fields, the header 11" },
        { GERMAN_HEAD "C9;;A;I9;01.01.2026;31.01.2026;5,00;0;RE;5;ja\n",
          "in:3:1: customer_id: no such customer in the ledger, and the row has no name to create it" },
    };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
        expect_refused(f, 0, ARCHASE_FORMAT_CSV, m, refused[i].text,
                       strstr(refused[i].expected, "ends before") ? ARCHASE_EPARSE : ARCHASE_EINVAL,
                       refused[i].expected);

    /* A good row: the customer, the invoice with what is still due paid on
     * the as-of date, and the flags its rules decide. Rows of another Art
     * are left out. */
    expect_accepted(f, 0, ARCHASE_FORMAT_CSV, m,
                    GERMAN_HEAD "C2;Globex;A;I9;01.01.2026;31.01.2026;1.234,56 \xe2\x82\xac;1.000,00 \xe2\x82\xac;RE;5;ja\n"
                                "C2;Globex;A;I10;01.01.2026;31.01.2026;9,00;9,00;MA;5;ja\n");
    char *invoices = text_sink_export(f->eng, ARCHASE_KIND_INVOICES, ARCHASE_FORMAT_CSV);
    assert_non_null(strstr(invoices, "I9,C2,,2026-01-01,2026-01-31,1234.56,EUR"));
    assert_null(strstr(invoices, "I10"));
    free(invoices);
    char *payments = text_sink_export(f->eng, ARCHASE_KIND_PAYMENTS, ARCHASE_FORMAT_CSV);
    assert_non_null(strstr(payments, "I9:paid,C2,I9,2026-02-05,234.56,EUR"));
    free(payments);
    char *flags = text_sink_export(f->eng, ARCHASE_KIND_FLAGS, ARCHASE_FORMAT_CSV);
    assert_non_null(strstr(flags, "C2,hold;strategic,"));
    free(flags);
    /* The same file again changes nothing. */
    char *before = everything(f->eng, ARCHASE_KIND_INVOICES);
    expect_accepted(f, 0, ARCHASE_FORMAT_CSV, m,
                    GERMAN_HEAD "C2;Globex;A;I9;01.01.2026;31.01.2026;1.234,56 \xe2\x82\xac;1.000,00 \xe2\x82\xac;RE;5;ja\n");
    char *after = everything(f->eng, ARCHASE_KIND_INVOICES);
    assert_string_equal(before, after);
    free(before);
    free(after);
    /* A mapping reads CSV only. */
    expect_refused(f, 0, ARCHASE_FORMAT_JSONL, m, "{}\n", ARCHASE_EINVAL, "(none)");
    archase_mapping_free(m);
}

/* ---- CSV itself -------------------------------------------------------------------------------- */

static void csv_structure_is_checked(void **state) {
    fixture *f = *state;
    static const line_case refused[] = {
        { "customer_id,name\nC2,\"B\" x\n", "in:2:2: text after the closing quote of a field" },
        { "customer_id,name\nC2,\"B\n", "in:2:2: a quoted field is never closed" },
        { "customer_id,name,name\nC2,B,B\n", "in:1:3: column 'name' appears twice" },
        { "customer_id,name\nC2,B,extra\n", "in:2: the row has 3 fields, the header 2" },
        { "customer_id,name,open_amount\nC2,B,5\n", "in:1:3: unknown column 'open_amount' for customers" },
        { "customer_id,name\n\"C2\rx\",B\n", "in:2:1: customer 'C2\rx': customer_id contains a control character" },
    };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
        expect_refused(f, ARCHASE_KIND_CUSTOMERS, ARCHASE_FORMAT_CSV, NULL, refused[i].text,
                       strstr(refused[i].expected, "in:2: the row") || strstr(refused[i].expected, "control")
                           ? ARCHASE_EINVAL
                           : ARCHASE_EPARSE,
                       refused[i].expected);
    /* Lone carriage returns end lines too; a byte order mark is skipped,
     * in JSON Lines as well, and so are lines of blanks there. */
    expect_accepted(f, ARCHASE_KIND_CUSTOMERS, ARCHASE_FORMAT_CSV, NULL, "customer_id,name\rC2,B\r");
    expect_accepted(f, ARCHASE_KIND_CUSTOMERS, ARCHASE_FORMAT_JSONL, NULL,
                    "\xef\xbb\xbf{\"customer_id\":\"C3\",\"name\":\"D\"}\n   \n{\"customer_id\":\"C4\",\"name\":\"E\"}\n");
    char *text = text_sink_export(f->eng, ARCHASE_KIND_CUSTOMERS, ARCHASE_FORMAT_CSV);
    assert_non_null(strstr(text, "\r\nC2,B,"));
    assert_non_null(strstr(text, "\r\nC4,E,"));
    free(text);
}

/* ---- export ------------------------------------------------------------------------------------- */

static int refuse_writes(void *userdata, const void *data, size_t size) {
    (void)data;
    (void)size;
    int *calls = userdata;
    (*calls)++;
    return *calls > 1 ? 7 : ARCHASE_EIO; /* the second call says something that is not an error code */
}

static void export_writes_every_flag_quotes_what_csv_must_and_stops_when_the_writer_fails(void **state) {
    fixture *f = *state;
    expect_accepted(f, ARCHASE_KIND_FLAGS, ARCHASE_FORMAT_CSV, NULL,
                    "customer_id,flags,reason,set_by\n"
                    "C1,hold;expansion;service_issue;strategic;paused_until=2026-03-01,\"a, \"\"b\"\"\",\" x \"\n");
    char *text = text_sink_export(f->eng, ARCHASE_KIND_FLAGS, ARCHASE_FORMAT_CSV);
    assert_string_equal(text, "customer_id,flags,reason,set_by,revision\r\n"
                              "C1,hold;paused_until=2026-03-01;expansion;strategic;service_issue,\"a, \"\"b\"\"\",\" x \",0\r\n");
    free(text);
    expect_accepted(f, ARCHASE_KIND_INVOICES, ARCHASE_FORMAT_CSV, NULL,
                    "invoice_id,customer_id,issue_date,due_date,amount,currency,status\n"
                    "I2,C1,2026-01-01,2026-01-31,1.00,EUR,void\n");
    text = text_sink_export(f->eng, ARCHASE_KIND_INVOICES, ARCHASE_FORMAT_JSONL);
    assert_non_null(strstr(text, "{\"invoice_id\":\"I2\""));
    assert_non_null(strstr(text, "\"status\":\"void\""));
    free(text);

    archase_export_options o = ARCHASE_EXPORT_OPTIONS_INIT;
    o.kind = ARCHASE_KIND_FLAGS;
    int calls = 0;
    assert_int_equal(archase_export(f->eng, &o, refuse_writes, &calls), ARCHASE_EIO);
    assert_int_equal(calls, 1);
    /* A writer that stops with something other than an error code. */
    assert_int_equal(archase_export(f->eng, &o, refuse_writes, &calls), ARCHASE_ECALLBACK);
    assert_int_equal(calls, 2);
}

/* ---- arguments ---------------------------------------------------------------------------- */

static void io_arguments_are_checked(void **state) {
    fixture *f = *state;
    assert_null(archase_kind_name(0));
    assert_null(archase_kind_name(ARCHASE_KIND_NOTES + 1));
    assert_string_equal(archase_kind_name(ARCHASE_KIND_NOTES), "notes");
    int kind = -1;
    assert_int_equal(archase_kind_from_name(NULL, &kind), ARCHASE_EINVAL);
    assert_int_equal(archase_kind_from_name("notes", NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_kind_from_name("ledger", &kind), ARCHASE_EINVAL);
    assert_int_equal(kind, -1);
    assert_int_equal(archase_kind_from_name("credits", &kind), 0);
    assert_int_equal(kind, ARCHASE_KIND_CREDITS);

    archase_import_options io;
    assert_int_equal(archase_import_options_init(NULL, ARCHASE_IMPORT_OPTIONS_VERSION), ARCHASE_EINVAL);
    assert_int_equal(archase_import_options_init(&io, 99), ARCHASE_EVERSION);
    assert_int_equal(archase_import_options_init(&io, ARCHASE_IMPORT_OPTIONS_VERSION), 0);
    archase_export_options eo;
    assert_int_equal(archase_export_options_init(NULL, ARCHASE_EXPORT_OPTIONS_VERSION), ARCHASE_EINVAL);
    assert_int_equal(archase_export_options_init(&eo, 99), ARCHASE_EVERSION);
    assert_int_equal(archase_export_options_init(&eo, ARCHASE_EXPORT_OPTIONS_VERSION), 0);

    char *before = everything(f->eng, ARCHASE_KIND_CUSTOMERS);
    io.kind = ARCHASE_KIND_CUSTOMERS;
    assert_int_equal(archase_import_buffer(NULL, &io, "x", 1, NULL, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_import_buffer(f->eng, NULL, "x", 1, NULL, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_import_buffer(f->eng, &io, NULL, 1, NULL, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_import_file(f->eng, &io, NULL, NULL, NULL), ARCHASE_EINVAL);
    io.kind = 0;
    assert_int_equal(archase_import_buffer(f->eng, &io, "x", 1, NULL, NULL), ARCHASE_EINVAL);
    io.kind = ARCHASE_KIND_CUSTOMERS;
    io.format = 3;
    assert_int_equal(archase_import_buffer(f->eng, &io, "x", 1, NULL, NULL), ARCHASE_EINVAL);
    io.format = ARCHASE_FORMAT_CSV;
    io.version = 99;
    assert_int_equal(archase_import_buffer(f->eng, &io, "x", 1, NULL, NULL), ARCHASE_EVERSION);
    io.version = ARCHASE_IMPORT_OPTIONS_VERSION;
    archase_diag_list_clear(f->diags);
    assert_int_equal(archase_import_file(f->eng, &io, "/nonexistent/c.csv", f->diags, NULL), ARCHASE_EIO);
    assert_int_equal(archase_import_file(f->eng, &io, "/tmp", f->diags, NULL), ARCHASE_EIO);
    char *after = everything(f->eng, ARCHASE_KIND_CUSTOMERS);
    assert_string_equal(before, after);
    free(before);
    free(after);

    text_sink s = { NULL, 0 };
    assert_int_equal(archase_export(NULL, &eo, text_sink_write, &s), ARCHASE_EINVAL);
    assert_int_equal(archase_export(f->eng, NULL, text_sink_write, &s), ARCHASE_EINVAL);
    assert_int_equal(archase_export(f->eng, &eo, NULL, &s), ARCHASE_EINVAL);
    eo.kind = 0;
    assert_int_equal(archase_export(f->eng, &eo, text_sink_write, &s), ARCHASE_EINVAL);
    eo.kind = ARCHASE_KIND_CUSTOMERS;
    eo.format = 3;
    assert_int_equal(archase_export(f->eng, &eo, text_sink_write, &s), ARCHASE_EINVAL);
    eo.format = ARCHASE_FORMAT_CSV;
    eo.version = 99;
    assert_int_equal(archase_export(f->eng, &eo, text_sink_write, &s), ARCHASE_EVERSION);
    assert_null(s.data);
}

/* ---- allocation failure ----------------------------------------------------------------------- */

static const char RICH_MAPPING[] =
    "version: 1\n"
    "csv: {delimiter: \";\", decimal_separator: \",\", thousands_separator: \".\", date_format: \"%d.%m.%Y\",\n"
    "      header_line: 2, currency_symbol: \"\xe2\x82\xac\", negative_parentheses: true}\n"
    "outputs:\n"
    "  - kind: customers\n"
    "    columns: {customer_id: Kunde, name: Name, tier: Stufe}\n"
    "    values: {tier: {A: gold, B: silver, \"\": standard}}\n"
    "    merge: true\n"
    "  - kind: invoices\n"
    "    columns: {invoice_id: Beleg, customer_id: Kunde, issue_date: Datum, due_date: Faellig, amount: Betrag}\n"
    "    constants: {currency: EUR}\n"
    "    amount_due: Offen\n"
    "    revision: auto\n"
    "    when: [{column: Art, in: [RE, GS]}, {column: Beleg, empty: false}, {column: Tage, less_than: 1000}]\n"
    "  - kind: flags\n"
    "    columns: {customer_id: Kunde}\n"
    "    flag_rules: {hold: {column: Sperre, equals: ja}, strategic: [{column: Stufe, equals: A}]}\n"
    "    merge: true\n";

static int load_mapping_with(const archase_allocator *allocator, void *ctx) {
    (void)ctx;
    archase_diag_list *diags = NULL;
    int rc = archase_diag_list_new(allocator, 0, &diags);
    if (rc)
        return rc;
    archase_mapping *m = NULL;
    rc = archase_mapping_load_buffer(RICH_MAPPING, sizeof RICH_MAPPING - 1, "m.yaml", allocator, diags, &m);
    archase_mapping_free(m);
    archase_diag_list_free(diags);
    return rc;
}

static void loading_a_mapping_survives_every_allocation_failure(void **state) {
    (void)state;
    assert_true(failalloc_loop(load_mapping_with, NULL, NULL) > 20);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(each_mistake_of_a_mapping_is_named_where_it_is),
    cmocka_unit_test(mapping_arguments_and_files_are_checked),
    cmocka_unit_test_setup_teardown(json_lines_are_read_strictly, setup, test_import_teardown),
    cmocka_unit_test_setup_teardown(json_lines_exports_escape_what_json_must, setup, test_import_teardown),
    cmocka_unit_test_setup_teardown(csv_cells_are_checked_against_their_column, setup, test_import_teardown),
    cmocka_unit_test_setup_teardown(a_mapped_file_is_read_with_its_separators_symbols_and_rules, setup, test_import_teardown),
    cmocka_unit_test_setup_teardown(csv_structure_is_checked, setup, test_import_teardown),
    cmocka_unit_test_setup_teardown(export_writes_every_flag_quotes_what_csv_must_and_stops_when_the_writer_fails, setup,
                                    test_import_teardown),
    cmocka_unit_test_setup_teardown(io_arguments_are_checked, setup, test_import_teardown),
    cmocka_unit_test(loading_a_mapping_survives_every_allocation_failure),
};

AR_TEST_MAIN(tests)
