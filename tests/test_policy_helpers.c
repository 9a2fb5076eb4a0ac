/* tests/test_policy_helpers.c — what the engine asks a loaded policy: a risk
 * driver's points for values far past its threshold and for negative points
 * under a cap, the approvals an action needs with no amount or in a currency
 * without a threshold, segments looked up by name, and suggestions from
 * tables with gaps. */
#include <string.h>

#include "archase/archase.h"
#include "policy/policy_internal.h"
#include "policy/suggest.h"
#include "support/testutil.h"

static void a_driver_counts_at_most_a_million_units_and_keeps_within_its_cap(void **state) {
    (void)state;
    ar_cond_env env;
    memset(&env, 0, sizeof env);
    ar_risk_driver d = { "Paying later", NULL, AR_FIELD_DAYS_LATE_TREND, 10, 5, 0, 0 };
    env.value[AR_FIELD_DAYS_LATE_TREND] = 12;
    assert_int_equal(ar_risk_driver_points(&d, &env), 10);
    env.value[AR_FIELD_DAYS_LATE_TREND] = 4;
    assert_int_equal(ar_risk_driver_points(&d, &env), 0);
    /* Far past the threshold the value counts as a million units over,
     * whatever it is: the product stays in range. */
    env.value[AR_FIELD_DAYS_LATE_TREND] = INT64_MAX;
    assert_int_equal(ar_risk_driver_points(&d, &env), 5000000);
    env.value[AR_FIELD_DAYS_LATE_TREND] = 1000010;
    assert_int_equal(ar_risk_driver_points(&d, &env), 5000000);
    /* Negative points are capped below as positive ones are above. */
    ar_risk_driver good = { "Pays early", NULL, AR_FIELD_PAID_INVOICES, 0, -10, 0, 50 };
    env.value[AR_FIELD_PAID_INVOICES] = 3;
    assert_int_equal(ar_risk_driver_points(&good, &env), -30);
    env.value[AR_FIELD_PAID_INVOICES] = 100;
    assert_int_equal(ar_risk_driver_points(&good, &env), -50);
    ar_risk_driver fixed = { "Flagged", NULL, AR_FIELD_NONE, 0, 0, 400, 300 };
    assert_int_equal(ar_risk_driver_points(&fixed, &env), 300);
}

static void approvals_count_above_materiality_unless_known_to_be_below(void **state) {
    (void)state;
    const char *yaml = "version: 1\ncurrency: {default: EUR}\nsegments:\n  - {name: vip, when: strategic, sequence: s}\n"
                       "  - {name: all, sequence: s}\n"
                       "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n"
                       "approvals:\n  materiality: [1000 EUR]\n  approvers_below: 1\n  approvers_above: 2\n";
    archase_policy *p = NULL;
    assert_int_equal(archase_policy_load_buffer(yaml, strlen(yaml), "p.yaml", NULL, &p, NULL), 0);
    archase_money small = { 50000, "EUR" }, large = { 100000, "EUR" }, dollars = { 100, "USD" };
    assert_int_equal(ar_approvals_required(&p->approvals, ARCHASE_ACTION_LEGAL_NOTICE, &small), 1);
    assert_int_equal(ar_approvals_required(&p->approvals, ARCHASE_ACTION_LEGAL_NOTICE, &large), 2);
    assert_int_equal(ar_approvals_required(&p->approvals, ARCHASE_ACTION_LEGAL_NOTICE, &dollars), 2);
    assert_int_equal(ar_approvals_required(&p->approvals, ARCHASE_ACTION_LEGAL_NOTICE, NULL), 2);
    assert_int_equal(ar_approvals_required(&p->approvals, ARCHASE_ACTION_SEND_MESSAGE, &small), 0);
    /* Segments by name. */
    const ar_segment *vip = ar_policy_segment(p, "vip");
    assert_non_null(vip);
    assert_string_equal(vip->name, "vip");
    assert_ptr_equal(ar_policy_segment(p, "all"), &p->segments[1]);
    assert_null(ar_policy_segment(p, "gold"));
    archase_policy_free(p);
}

static void suggestions_skip_gaps_in_a_table(void **state) {
    (void)state;
    /* Tables indexed by value may have gaps. */
    static const char *const names[] = { NULL, "email", NULL, "letter" };
    assert_string_equal(ar_suggest("emial", 5, names, 4, sizeof names[0]), "email");
    assert_string_equal(ar_suggest("lettr", 5, names, 4, sizeof names[0]), "letter");
    assert_null(ar_suggest("zzzzz", 5, names, 4, sizeof names[0]));
    assert_null(ar_suggest("", 0, names, 4, sizeof names[0]));
    /* A name far longer than the word is not offered, unless the word starts it. */
    char longer[71];
    memset(longer, 'a', 70);
    longer[70] = '\0';
    const char *const long_names[] = { longer };
    assert_null(ar_suggest("bbbb", 4, long_names, 1, sizeof long_names[0]));
    assert_string_equal(ar_suggest("aaaa", 4, long_names, 1, sizeof long_names[0]), longer);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(a_driver_counts_at_most_a_million_units_and_keeps_within_its_cap),
    cmocka_unit_test(approvals_count_above_materiality_unless_known_to_be_below),
    cmocka_unit_test(suggestions_skip_gaps_in_a_table),
};

AR_TEST_MAIN(tests)
