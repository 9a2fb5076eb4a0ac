/* tests/test_policy_compiled.c — the compiled policy as the engine reads it
 * (policy/policy_internal.h): defaults a finance team expects, statutory fee
 * packs, approvals by materiality, symbols, segments and the fields a policy
 * uses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "policy/policy_internal.h"
#include "support/testutil.h"

static archase_policy *load(const char *text) {
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    archase_policy *p = NULL;
    int rc = archase_policy_load_buffer(text, strlen(text), "p.yaml", NULL, &p, diags);
    if (rc) {
        char line[1024] = "";
        if (archase_diag_list_count(diags))
            archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
        fail_msg("rejected: %s", line);
    }
    archase_diag_list_free(diags);
    return p;
}

static archase_policy *load_example(const char *name) {
    const char *root = getenv("ARCHASE_SOURCE_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/examples/policies/%s", root ? root : ".", name);
    archase_policy *p = NULL;
    assert_int_equal(archase_policy_load_file(path, NULL, &p, NULL), 0);
    return p;
}

#define MINIMAL                                                  \
    "version: 1\ncurrency: {default: EUR}\n"                     \
    "segments: [{name: vip, when: tier == gold, sequence: s}, {name: all, sequence: s}]\n" \
    "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n"

static void a_policy_that_says_little_gets_the_documented_defaults(void **state) {
    (void)state;
    archase_policy *p = load(MINIMAL);
    const ar_guardrails *g = &p->guardrails;
    assert_int_equal(g->max_touches_per_7_days, 3);
    assert_int_equal(g->min_days_between_touches, 2);
    assert_int_equal(g->quiet_start, 20 * 60);
    assert_int_equal(g->quiet_end, 8 * 60);
    assert_int_equal(g->window_days, 0x1fu);
    assert_int_equal(g->catch_up, AR_CATCH_UP_LATEST_ONLY);
    assert_true(g->one_step_per_day && g->consolidate && g->business_days_only);
    assert_string_equal(g->calendar->name, "default");
    assert_non_null(g->calendar->calendar);
    assert_int_equal(p->relationship.hold, AR_REL_SKIP);
    assert_int_equal(p->relationship.expansion, AR_REL_ROUTE_TO_OWNER);
    assert_int_equal(p->relationship.strategic, AR_REL_SOFTEN);
    assert_int_equal(p->payment_patterns.percentile, 80);
    assert_int_equal(p->promises.grace_days, 2);
    assert_int_equal(p->promises.on_broken_action, ARCHASE_ACTION_QUEUE_CALL);
    assert_int_equal(p->disputes.undisputed_remainder, AR_REMAINDER_CONTINUE);
    assert_int_equal(p->disputes.playbooks[AR_REASON_TAX].sla_days, 10);
    assert_string_equal(p->disputes.playbooks[AR_REASON_TAX].owner_role, "collector");
    assert_int_equal(p->call_queue.min_days_overdue, 15);
    assert_int_equal(p->risk.driver_count, 6);
    assert_int_equal(p->sequences[0].roll, ARCHASE_ROLL_FOLLOWING);
    assert_int_equal(p->sequences[0].steps[0].channel, ARCHASE_CHANNEL_INTERNAL);
    archase_policy_free(p);
}

static void segments_and_names_are_interned_for_the_engine(void **state) {
    (void)state;
    archase_policy *p = load(MINIMAL);
    const ar_segment *vip = ar_policy_segment(p, "vip");
    assert_non_null(vip);
    assert_int_equal(ar_policy_symbol_lookup(p, "vip", 3), vip->sym);
    assert_int_equal(ar_policy_symbol_lookup(p, "silver", 6), AR_SYM_NONE);
    assert_ptr_equal(p->segments[1].sequence, &p->sequences[0]);
    assert_null(p->segments[1].when);
    ar_cond_env env;
    memset(&env, 0, sizeof env);
    env.value[AR_FIELD_TIER] = ar_policy_symbol_lookup(p, "gold", 4);
    assert_int_equal(ar_cond_eval(vip->when, &env), 1);
    env.value[AR_FIELD_TIER] = AR_SYM_NONE;
    assert_int_equal(ar_cond_eval(vip->when, &env), 0);
    assert_true(ar_field_set_has(&p->fields_used, AR_FIELD_TIER));
    assert_true(ar_field_set_has(&p->fields_used, AR_FIELD_ON_HOLD));       /* relationship */
    assert_true(ar_field_set_has(&p->fields_used, AR_FIELD_P80_DAYS_LATE)); /* payment patterns, risk */
    assert_false(ar_field_set_has(&p->fields_used, AR_FIELD_COUNTRY));
    archase_policy_free(p);
}

static void approvals_follow_materiality_in_the_amounts_currency(void **state) {
    (void)state;
    archase_policy *p = load_example("enterprise-formal.yaml");
    const ar_approvals *a = &p->approvals;
    archase_money small = { 100000, "USD" }, large = { 2500000, "USD" }, yen = { 100, "CHF" };
    assert_int_equal(ar_approvals_required(a, ARCHASE_ACTION_CREDIT_HOLD, &small), 1);
    assert_int_equal(ar_approvals_required(a, ARCHASE_ACTION_CREDIT_HOLD, &large), 2); /* at the threshold */
    assert_int_equal(ar_approvals_required(a, ARCHASE_ACTION_LEGAL_NOTICE, &small), 2);
    assert_int_equal(ar_approvals_required(a, ARCHASE_ACTION_WRITE_OFF, &large), 3);
    assert_int_equal(ar_approvals_required(a, ARCHASE_ACTION_CREDIT_HOLD, &yen), 2); /* no threshold: above */
    assert_int_equal(ar_approvals_required(a, ARCHASE_ACTION_PAYMENT_PLAN, &small), 0);
    assert_int_equal(ar_approvals_required(a, ARCHASE_ACTION_PAYMENT_PLAN, &large), 2);
    assert_int_equal(ar_approvals_required(a, ARCHASE_ACTION_ESCALATE, &small), 1); /* added by the policy */
    assert_int_equal(ar_approvals_required(a, ARCHASE_ACTION_SEND_MESSAGE, &large), 0);
    assert_true(a->fast_lane.enabled);
    assert_non_null(ar_money_list_find(&a->fast_lane.max_amount, "GBP"));
    assert_null(ar_money_list_find(&a->fast_lane.max_amount, "JPY"));
    const ar_approval_rule *legal = ar_approvals_rule(a, ARCHASE_ACTION_LEGAL_NOTICE);
    assert_int_equal(legal->roles.count, 3);
    assert_string_equal(legal->roles.items[0], "cfo");
    /* Steps know they need approval. */
    const ar_sequence *key = ar_policy_sequence(p, "key_accounts");
    assert_int_equal(key->steps[key->step_count - 1].action, ARCHASE_ACTION_LEGAL_NOTICE);
    assert_true(key->steps[key->step_count - 1].sensitive);
    assert_string_equal(key->steps[0].id, "statement");
    assert_string_equal(key->calendar->name, "us");
    archase_policy_free(p);
}

static void statutory_fee_packs_carry_the_law_and_stay_approval_gated(void **state) {
    (void)state;
    archase_policy *p = load_example("eu-statutory.yaml");
    assert_int_equal(p->fees.pack_count, 1);
    const ar_fee_pack *eu = &p->fees.packs[0];
    assert_int_equal(eu->statutory, AR_STATUTORY_EU);
    assert_int_equal(eu->margin_bp, 800);
    assert_int_equal(eu->reference_rate_bp, 215);
    assert_int_equal(eu->compensation_count, 1);
    assert_int_equal(eu->compensation[0].amount.minor, 4000);
    assert_string_equal(eu->compensation[0].amount.currency, "EUR");
    const ar_sequence *s = ar_policy_sequence(p, "statutory");
    int fees = 0;
    for (uint32_t i = 0; i < s->step_count; i++)
        if (s->steps[i].action == ARCHASE_ACTION_LATE_FEE || s->steps[i].action == ARCHASE_ACTION_INTEREST) {
            assert_int_equal(s->steps[i].fee_pack, 0);
            assert_true(s->steps[i].sensitive);
            fees++;
        }
    assert_int_equal(fees, 2);
    archase_policy_free(p);

    p = load(MINIMAL "fees: {packs: [{name: uk, statutory: uk, when: segment == vip, interest: {reference_rate_bp: 525}}]}\n");
    const ar_fee_pack *uk = &p->fees.packs[0];
    assert_int_equal(uk->compensation_count, 3);
    assert_int_equal(uk->compensation[0].below.minor, 100000);
    assert_int_equal(uk->compensation[0].amount.minor, 4000);
    assert_int_equal(uk->compensation[1].amount.minor, 7000);
    assert_string_equal(uk->compensation[2].below.currency, "");
    assert_int_equal(uk->compensation[2].amount.minor, 10000);
    assert_int_equal(uk->day_count, AR_DAY_COUNT_365);
    archase_policy_free(p);
}

static void templates_are_found_by_name_and_by_stage_and_tone(void **state) {
    (void)state;
    archase_policy *p = load_example("smb-friendly.yaml");
    const ar_template *t = ar_policy_template(p, "kind_nudge");
    assert_non_null(t);
    assert_string_equal(t->stage, "overdue");
    assert_int_equal(t->tone, ARCHASE_TONE_FRIENDLY);
    assert_null(ar_policy_template(p, "missing"));
    assert_ptr_equal(ar_policy_template_for(p, "overdue", ARCHASE_TONE_FRIENDLY, ARCHASE_CHANNEL_SMS),
                     ar_policy_template(p, "sms_reminder"));
    const ar_template_variant *de = ar_template_variant_for(ar_policy_template(p, "due_soon"), ARCHASE_CHANNEL_EMAIL, "de-CH");
    assert_string_equal(de->locale, "de");
    const ar_template_variant *fr = ar_template_variant_for(ar_policy_template(p, "due_soon"), ARCHASE_CHANNEL_EMAIL, "fr");
    assert_string_equal(fr->locale, "en"); /* the default locale */
    archase_policy_free(p);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(a_policy_that_says_little_gets_the_documented_defaults),
    cmocka_unit_test(segments_and_names_are_interned_for_the_engine),
    cmocka_unit_test(approvals_follow_materiality_in_the_amounts_currency),
    cmocka_unit_test(statutory_fee_packs_carry_the_law_and_stay_approval_gated),
    cmocka_unit_test(templates_are_found_by_name_and_by_stage_and_tone),
};

AR_TEST_MAIN(tests)
