/* tests/test_policy_docs.c — docs/policy-reference.md documents the whole
 * schema: every key of every mapping, every condition field, every template
 * field and every name a policy may write. The tables the loader uses are
 * the ones checked, so a new key cannot ship undocumented. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "policy/fields.h"
#include "policy/schema.h"
#include "policy/template.h"
#include "support/testutil.h"

static char *reference;

static int read_reference(void **state) {
    (void)state;
    const char *root = getenv("ARCHASE_SOURCE_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/docs/policy-reference.md", root ? root : ".");
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    reference = malloc(1 << 20);
    size_t n = reference ? fread(reference, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (!reference)
        return -1;
    reference[n] = '\0';
    return 0;
}

static int free_reference(void **state) {
    (void)state;
    free(reference);
    return 0;
}

/* The text of the section headed "## `where`" (or ###),
 * up to the next heading of the same or a higher level. */
static const char *section_end(const char *start) {
    const char *next = strstr(start + 1, "\n## ");
    const char *next3 = strstr(start + 1, "\n### ");
    if (!next || (next3 && next3 < next))
        next = next3;
    return next ? next : start + strlen(start);
}

static int documented_in(const char *from, const char *to, const char *name) {
    char quoted[160];
    snprintf(quoted, sizeof quoted, "`%s`", name);
    const char *hit = strstr(from, quoted);
    return hit && hit < to;
}

static void every_schema_key_is_documented_in_its_section(void **state) {
    (void)state;
    int missing = 0;
    for (int k = 0; k < AR_KEYS_COUNT; k++) {
        char heading[160];
        snprintf(heading, sizeof heading, "\n## `%s`", ar_schema[k].where);
        const char *at = strstr(reference, heading);
        if (!at) {
            snprintf(heading, sizeof heading, "\n### `%s`", ar_schema[k].where);
            at = strstr(reference, heading);
        }
        if (!at) {
            print_error("no section for %s\n", ar_schema[k].where);
            missing++;
            continue;
        }
        const char *end = section_end(at);
        for (size_t i = 0; ar_schema[k].keys[i]; i++)
            if (!documented_in(at, end, ar_schema[k].keys[i])) {
                print_error("%s: key `%s` is not documented\n", ar_schema[k].where, ar_schema[k].keys[i]);
                missing++;
            }
    }
    assert_int_equal(missing, 0);
}

static void every_condition_and_template_field_is_documented(void **state) {
    (void)state;
    int missing = 0;
    for (int f = 0; f < AR_FIELD_COUNT; f++)
        if (!documented_in(reference, reference + strlen(reference), ar_fields[f].name)) {
            print_error("condition field `%s` is not documented\n", ar_fields[f].name);
            missing++;
        }
    for (int f = 0; f < AR_TFIELD_COUNT; f++)
        if (!documented_in(reference, reference + strlen(reference), ar_tfields[f].name)) {
            print_error("template field `%s` is not documented\n", ar_tfields[f].name);
            missing++;
        }
    assert_int_equal(missing, 0);
}

static void every_name_a_policy_may_write_is_documented(void **state) {
    (void)state;
    const char *const *tables[] = { ar_channel_names, ar_tone_names, ar_action_names, ar_roll_names,
                                    ar_relationship_names, ar_catch_up_names, ar_order_names,
                                    ar_weekday_names };
    int missing = 0;
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (size_t i = 0; i < 16; i++) {
            if (i > 0 && !tables[t][i])
                break;
            if (tables[t][i] && !documented_in(reference, reference + strlen(reference), tables[t][i])) {
                print_error("`%s` is not documented\n", tables[t][i]);
                missing++;
            }
        }
    for (int r = 0; r < AR_REASON_COUNT; r++)
        if (!documented_in(reference, reference + strlen(reference), ar_reason_names[r])) {
            print_error("reason code `%s` is not documented\n", ar_reason_names[r]);
            missing++;
        }
    assert_int_equal(missing, 0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(every_schema_key_is_documented_in_its_section),
    cmocka_unit_test(every_condition_and_template_field_is_documented),
    cmocka_unit_test(every_name_a_policy_may_write_is_documented),
};

int main(void) {
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name(__FILE__, tests, read_reference, free_reference);
}
