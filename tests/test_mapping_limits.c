/* tests/test_mapping_limits.c — mapping files at the edges of what they may
 * say: separators that are line breaks or nothing, a header line at and past
 * the limit, negative thresholds and a lone minus sign, derived columns
 * (which no file feeds), a revision both automatic and constant, empty and
 * non-mapping documents, a file over 1 MiB. Each mistake
 * is named at its file, line and column; what is allowed loads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archase/archase.h"
#include "archase/io.h"
#include "support/importfixture.h"
#include "support/testutil.h"


#define CUSTOMERS_OUTPUT "outputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n"

static const test_mapping_case cases[] = {
    { "version: 1\ncsv: {delimiter: \"\\n\"}\n" CUSTOMERS_OUTPUT,
      "m.yaml:2:7: delimiter must be one character other than a quote or a line break" },
    { "version: 1\ncsv: {delimiter: \"\\r\"}\n" CUSTOMERS_OUTPUT,
      "m.yaml:2:7: delimiter must be one character other than a quote or a line break" },
    { "version: 1\ncsv: {thousands_separator: \"\"}\n" CUSTOMERS_OUTPUT, NULL },
    { "version: 1\ncsv: {header_line: 100001}\n" CUSTOMERS_OUTPUT,
      "m.yaml:2:7: header_line must be a line number from 1 to 100000, not '100001'" },
    { "version: 1\ncsv: {header_line: 100000}\n" CUSTOMERS_OUTPUT, NULL },
    { "version: 1\noutputs:\n  - kind: invoices\n    columns: {invoice_id: Id, customer_id: C, issue_date: I,"
      " due_date: D, amount: A, currency: K}\n    when: {column: Days, greater_than: -5}\n",
      NULL },
    { "version: 1\noutputs:\n  - kind: invoices\n    columns: {invoice_id: Id, customer_id: C, issue_date: I,"
      " due_date: D, amount: A, currency: K}\n    when: {column: Days, greater_than: \"-\"}\n",
      "m.yaml:5:26: 'greater_than' must be a whole number, not '-'" },
    { "version: 1\noutputs:\n  - kind: invoices\n    columns: {invoice_id: Id, customer_id: C, issue_date: I,"
      " due_date: D, amount: A, currency: K, open_amount: O}\n",
      "m.yaml:4:99: unknown key 'open_amount' in the columns of invoices" },
    { "version: 1\noutputs:\n  - kind: customers\n    columns: {customer_id: Id, name: Name}\n    merge: false\n",
      NULL },
    { "version: 1\noutputs:\n  - kind: invoices\n    columns: {invoice_id: Id, customer_id: C, issue_date: I,"
      " due_date: D, amount: A, currency: K}\n    constants: {revision: 3}\n    revision: auto\n",
      "m.yaml:5:5: 'revision: auto' and a revision column exclude each other" },
    { "- version: 1\n", "m.yaml:1:1: a mapping file is a YAML mapping at the top" },
    { "version: 1\noutputs: []\n", "m.yaml:1:1: the mapping needs at least one entry under 'outputs'" },
    { "", "m.yaml:1:1: the mapping needs 'version: 1'" },
};

static void each_edge_of_a_mapping_is_named_where_it_is_or_loads(void **state) {
    (void)state;
    test_mapping_cases(cases, sizeof cases / sizeof *cases);
}

static void no_bytes_and_no_output_are_refused(void **state) {
    (void)state;
    archase_mapping *m = (archase_mapping *)0x1;
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    /* No bytes at all: a document without outputs. */
    assert_int_equal(archase_mapping_load_buffer(NULL, 0, "m.yaml", NULL, diags, &m), ARCHASE_EPARSE);
    char line[300];
    archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
    assert_string_equal(line, "m.yaml:1:1: the mapping needs 'version: 1'");
    assert_ptr_equal(m, (archase_mapping *)0x1);
    assert_int_equal(archase_mapping_load_buffer(NULL, 0, "m.yaml", NULL, diags, NULL), ARCHASE_EINVAL);
    archase_diag_list_free(diags);
}

static void a_mapping_file_over_one_mebibyte_is_refused_unread(void **state) {
    (void)state;
    char dir[64], path[96];
    snprintf(dir, sizeof dir, "/tmp/archase-mapping-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/big.yaml", dir);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs("version: 1\n" CUSTOMERS_OUTPUT, fp);
    static char comment[4096];
    memset(comment, 'x', sizeof comment - 2);
    comment[0] = '#';
    comment[sizeof comment - 2] = '\n';
    for (int i = 0; i < 300; i++)
        fputs(comment, fp);
    assert_int_equal(fclose(fp), 0);
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    archase_mapping *m = (archase_mapping *)0x1;
    assert_int_equal(archase_mapping_load_file(path, NULL, diags, &m), ARCHASE_EPARSE);
    char line[600], expected[200];
    archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
    snprintf(expected, sizeof expected, "%s: a mapping is at most 1 MiB", path);
    assert_string_equal(line, expected);
    assert_ptr_equal(m, (archase_mapping *)0x1);
    archase_diag_list_free(diags);
    unlink(path);
    rmdir(dir);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(each_edge_of_a_mapping_is_named_where_it_is_or_loads),
    cmocka_unit_test(no_bytes_and_no_output_are_refused),
    cmocka_unit_test(a_mapping_file_over_one_mebibyte_is_refused_unread),
};

AR_TEST_MAIN(tests)
