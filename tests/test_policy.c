/* tests/test_policy.c — loading policies through the public API: the example
 * policies, strictness (each rejection with its exact message), several
 * problems per run, the canonical hash, introspection and allocation failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/failalloc.h"
#include "support/testutil.h"

/* The smallest valid policy; tests append to it or replace parts of it. */
#define MINIMAL                       \
    "version: 1\n"                    \
    "currency: {default: EUR}\n"      \
    "segments:\n"                     \
    "  - name: all\n"                 \
    "    sequence: s\n"               \
    "sequences:\n"                    \
    "  s:\n"                          \
    "    steps:\n"                    \
    "      - offset: 1\n"             \
    "        action: alert_owner\n"

static const char *source_root(void) {
    const char *root = getenv("ARCHASE_SOURCE_ROOT");
    return root ? root : ".";
}

static int load_text(const char *text, archase_policy **out, archase_diag_list *diags) {
    return archase_policy_load_buffer(text, strlen(text), "p.yaml", NULL, out, diags);
}

/* Loads `text`, expects it to be rejected and its first problem to read `expected`. */
static void expect_problem(const char *text, const char *expected) {
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    archase_policy *p = (archase_policy *)0x1;
    int rc = load_text(text, &p, diags);
    if (rc != ARCHASE_EPOLICY)
        fail_msg("expected ARCHASE_EPOLICY for \"%s\", got %d", expected, rc);
    assert_ptr_equal(p, (archase_policy *)0x1); /* untouched on failure */
    assert_true(archase_diag_list_count(diags) >= 1);
    char line[1024];
    const archase_diag *d = archase_diag_list_get(diags, 0);
    archase_diag_format(d, line, sizeof line);
    assert_int_equal(d->code, ARCHASE_EPOLICY);
    if (strcmp(line, expected) != 0)
        fail_msg("expected\n  %s\ngot\n  %s", expected, line);
    archase_diag_list_free(diags);
}

static archase_policy *load_ok(const char *text) {
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    archase_policy *p = NULL;
    int rc = load_text(text, &p, diags);
    if (rc) {
        char line[1024] = "";
        if (archase_diag_list_count(diags))
            archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
        fail_msg("policy rejected (%d): %s", rc, line);
    }
    archase_diag_list_free(diags);
    return p;
}

static void hash_of(const char *text, uint8_t out[32]) {
    archase_policy *p = load_ok(text);
    assert_int_equal(archase_policy_hash(p, out), 0);
    archase_policy_free(p);
}

/* ---- the examples --------------------------------------------------------- */

static void every_example_policy_loads(void **state) {
    (void)state;
    static const char *const files[] = { "smb-friendly.yaml", "enterprise-formal.yaml",
                                         "eu-statutory.yaml" };
    for (size_t i = 0; i < 3; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/examples/policies/%s", source_root(), files[i]);
        archase_diag_list *diags = NULL;
        assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
        archase_policy *p = NULL;
        int rc = archase_policy_load_file(path, NULL, &p, diags);
        if (rc) {
            char line[1024] = "";
            if (archase_diag_list_count(diags))
                archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
            fail_msg("%s: %s", files[i], line);
        }
        assert_true(archase_policy_segment_count(p) >= 3);
        assert_true(archase_policy_sequence_count(p) >= 2);
        assert_true(archase_policy_template_count(p) >= 5);
        archase_policy_free(p);
        archase_diag_list_free(diags);
    }
}

static void enterprise_policy_needs_two_approvers_for_legal_notice_and_credit_hold(void **state) {
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/examples/policies/enterprise-formal.yaml", source_root());
    archase_policy *p = NULL;
    assert_int_equal(archase_policy_load_file(path, NULL, &p, NULL), 0);
    int found = 0;
    for (size_t i = 0; i < archase_policy_approval_count(p); i++) {
        archase_policy_approval_info a;
        assert_int_equal(archase_policy_approval(p, i, &a), 0);
        if (a.action == ARCHASE_ACTION_LEGAL_NOTICE || a.action == ARCHASE_ACTION_CREDIT_HOLD) {
            assert_int_equal(a.approvers_above, 2);
            found++;
        }
    }
    assert_int_equal(found, 2);
    archase_money m;
    assert_int_equal(archase_policy_materiality(p, 0, &m), 0);
    assert_string_equal(m.currency, "EUR"); /* sorted by currency */
    assert_int_equal(m.minor, 2300000);
    archase_policy_free(p);
}

/* ---- introspection ------------------------------------------------------------ */

static void introspection_shows_segments_sequences_and_steps(void **state) {
    (void)state;
    archase_policy *p = load_ok(
        "version: 1\n"
        "name: Demo\n"
        "currency: {default: GBP}\n"
        "segments:\n"
        "  - {name: big, when: 'open_amount >= 10000.5 GBP', sequence: s}\n"
        "  - {name: rest, sequence: s}\n"
        "sequences:\n"
        "  s:\n"
        "    steps:\n"
        "      - {offset: -3, channel: email, template: t}\n"
        "      - {id: legal, offset: 60, action: legal_notice, template: t, channel: email}\n"
        "templates:\n"
        "  definitions:\n"
        "    t:\n"
        "      tone: friendly\n"
        "      email: {en: {subject: Hi, body: 'Dear {{ customer.name }}'}}\n");
    assert_string_equal(archase_policy_name(p), "Demo");
    assert_string_equal(archase_policy_default_currency(p), "GBP");
    assert_int_equal(archase_policy_version(p), 1);
    archase_policy_segment_info seg;
    assert_int_equal(archase_policy_segment(p, 0, &seg), 0);
    assert_string_equal(seg.name, "big");
    assert_string_equal(seg.condition, "open_amount >= 10000.50 GBP");
    assert_string_equal(seg.sequence, "s");
    assert_int_equal(archase_policy_segment(p, 1, &seg), 0);
    assert_null(seg.condition);
    assert_int_equal(archase_policy_segment(p, 2, &seg), ARCHASE_ERANGE);
    archase_policy_step_info st;
    assert_int_equal(archase_policy_step(p, 0, 0, &st), 0);
    assert_string_equal(st.id, "d-3");
    assert_int_equal(st.offset, -3);
    assert_int_equal(st.channel, ARCHASE_CHANNEL_EMAIL);
    assert_int_equal(st.action, ARCHASE_ACTION_SEND_MESSAGE);
    assert_int_equal(st.tone, ARCHASE_TONE_FRIENDLY); /* the template's tone */
    assert_int_equal(st.sensitive, 0);
    assert_int_equal(archase_policy_step(p, 0, 1, &st), 0);
    assert_string_equal(st.id, "legal");
    assert_int_equal(st.sensitive, 1);
    assert_int_equal(archase_policy_step(p, 0, 2, &st), ARCHASE_ERANGE);
    archase_policy_template_info t;
    assert_int_equal(archase_policy_template(p, 0, &t), 0);
    assert_string_equal(t.name, "t");
    assert_string_equal(t.stage, "t");
    assert_int_equal(t.channel_mask, 1u << ARCHASE_CHANNEL_EMAIL);
    archase_policy_calendar_info cal;
    assert_int_equal(archase_policy_calendar_count(p), 1);
    assert_int_equal(archase_policy_calendar(p, 0, &cal), 0);
    assert_string_equal(cal.name, "default");
    assert_int_equal(cal.weekend_mask, ARCHASE_WEEKEND_SAT_SUN);
    int action = 0;
    assert_int_equal(archase_policy_sensitive_action_count(p), 9);
    assert_int_equal(archase_policy_sensitive_action(p, 0, &action), 0);
    assert_int_equal(action, ARCHASE_ACTION_LEGAL_NOTICE);
    archase_policy_free(p);
}

static void scalars_are_typed_by_the_schema_not_by_yaml_guessing(void **state) {
    (void)state;
    /* NO, yes and 1.0 are text where the schema wants text. */
    archase_policy *p = load_ok(
        "version: 1\nname: NO\ncurrency: {default: EUR}\n"
        "segments: [{name: all, sequence: s}]\n"
        "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n"
        "disputes: {default_owner_role: yes}\n");
    assert_string_equal(archase_policy_name(p), "NO");
    archase_policy_free(p);
    expect_problem(MINIMAL "payment_patterns: {enabled: yes}\n",
                   "p.yaml:11:29: payment_patterns.enabled: expected true or false, got \"yes\"");
    expect_problem(MINIMAL "payment_patterns: {enabled: \"true\"}\n",
                   "p.yaml:11:29: payment_patterns.enabled: expected true or false, got \"true\"");
}

/* ---- strictness: each rejection and its message ----------------------------------- */

static void unknown_keys_are_rejected_with_a_suggestion(void **state) {
    (void)state;
    expect_problem(MINIMAL "gaurdrails: {}\n", "p.yaml:11:1: unknown key \"gaurdrails\" (did you mean \"guardrails\"?)");
    expect_problem(
        "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\n"
        "sequences:\n  s:\n    steps:\n      - ofset: 3\n        action: alert_owner\n",
        "p.yaml:7:9: sequences.s.steps[0]: unknown key \"ofset\" (did you mean \"offset\"?)");
    expect_problem(MINIMAL "colour: blue\n", "p.yaml:11:1: unknown key \"colour\"");
}

static void duplicate_keys_are_rejected(void **state) {
    (void)state;
    expect_problem(MINIMAL "promises: {grace_days: 2, grace_days: 3}\n",
                   "p.yaml:11:27: promises: duplicate key \"grace_days\" (first written at line 11)");
}

static void anchors_aliases_and_tags_are_rejected(void **state) {
    (void)state;
    expect_problem(MINIMAL "promises: &p {grace_days: 2}\n",
                   "p.yaml:11:11: promises: anchors are not allowed (&p): write the value out where it is used");
    expect_problem(MINIMAL "promises: {grace_days: 2}\nrelationship:\n  hold: *p\n",
                   "p.yaml:13:9: relationship.hold: aliases are not allowed (*p): write the value out where it is used");
    expect_problem(MINIMAL "name: !!str policy\n",
                   "p.yaml:11:7: name: tags are not allowed (tag:yaml.org,2002:str): the schema gives every value its type");
}

static void wrong_types_and_out_of_range_values_are_rejected(void **state) {
    (void)state;
    expect_problem(
        "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\n"
        "sequences:\n  s:\n    steps:\n      - offset: \"ten\"\n        action: alert_owner\n",
        "p.yaml:7:17: sequences.s.steps[0].offset: expected a whole number, got the text \"ten\" (write numbers without quotes)");
    expect_problem(
        "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\n"
        "sequences:\n  s:\n    steps:\n      - offset: ten\n        action: alert_owner\n",
        "p.yaml:7:17: sequences.s.steps[0].offset: expected a whole number, got \"ten\"");
    expect_problem(MINIMAL "promises: {grace_days: 45}\n",
                   "p.yaml:11:24: promises.grace_days: must be between 0 and 30, got 45");
    expect_problem(MINIMAL "guardrails: {catch_up: latest}\n",
                   "p.yaml:11:24: guardrails.catch_up: \"latest\" is not one of latest_only, all, skip "
                   "(did you mean \"latest_only\"?)");
    expect_problem(MINIMAL "approvals: {materiality: 5000}\n",
                   "p.yaml:11:26: approvals.materiality: \"5000\" needs its currency, e.g. \"5000 EUR\"");
    expect_problem(MINIMAL "approvals: {materiality: 50.001 EUR}\n",
                   "p.yaml:11:26: approvals.materiality: \"50.001 EUR\" is not an amount: EUR has 2 decimals");
    expect_problem("version: 2\ncurrency: {default: EUR}\n",
                   "p.yaml:1:10: version: unsupported schema version 2 (this library reads version 1)");
}

static void undefined_references_are_rejected(void **state) {
    (void)state;
    expect_problem(
        "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: standrd}]\n"
        "sequences: {standard: {steps: [{offset: 1, action: alert_owner}]}}\n",
        "p.yaml:3:34: segments[0].sequence: no sequence named \"standrd\" (did you mean \"standard\"?)");
    expect_problem(
        "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\n"
        "sequences: {s: {steps: [{offset: 1, channel: email, template: reminder}]}}\n",
        "p.yaml:4:63: sequences.s.steps[0].template: no template named \"reminder\" in templates.definitions");
    expect_problem(
        "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\n"
        "sequences: {s: {calendar: uk, steps: [{offset: 1, action: alert_owner}]}}\n",
        "p.yaml:4:27: sequences.s.calendar: no calendar named \"uk\" in calendars");
    expect_problem(
        "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\n"
        "sequences: {s: {steps: [{offset: 1, action: alert_owner, when: segment == vip}]}}\n",
        "p.yaml:4:75: sequences.s.steps[0].when: \"vip\" is not a segment of this policy; segment is one of: all");
    expect_problem(
        "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\n"
        "sequences: {s: {steps: [{offset: 1, action: late_fee, fee_pack: eu}]}}\n",
        "p.yaml:4:65: sequences.s.steps[0].fee_pack: no fee pack named \"eu\" in fees.packs");
}

static void segments_after_a_catch_all_are_unreachable(void **state) {
    (void)state;
    expect_problem(
        "version: 1\ncurrency: {default: EUR}\n"
        "segments:\n  - name: everyone\n    sequence: s\n  - name: vip\n    when: tier == gold\n    sequence: s\n"
        "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n",
        "p.yaml:6:5: segments[1]: segment \"vip\" is unreachable: \"everyone\" (line 4) before it matches every invoice");
    expect_problem(
        "version: 1\ncurrency: {default: EUR}\n"
        "segments:\n  - name: vip\n    when: tier == gold\n    sequence: s\n"
        "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n",
        "p.yaml:4:5: segments: the last segment must have no \"when\": a catch-all, so every invoice has a segment");
}

static void steps_must_be_in_increasing_offset_order(void **state) {
    (void)state;
    expect_problem(
        "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\n"
        "sequences:\n  s:\n    steps:\n"
        "      - {offset: 10, action: alert_owner}\n"
        "      - {offset: 5, action: escalate}\n",
        "p.yaml:8:18: sequences.s.steps[1].offset: steps must be in increasing offset order: 5 comes after 10");
}

static void conditions_are_type_checked_at_the_column_of_the_problem(void **state) {
    (void)state;
    expect_problem(
        "version: 1\ncurrency: {default: EUR}\n"
        "segments:\n  - name: big\n    when: days_overdue > 30 and open_amount >= 10000\n    sequence: s\n"
        "  - {name: all, sequence: s}\n"
        "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n",
        "p.yaml:5:48: segments[0].when: open_amount is money: the amount 10000 needs its currency, e.g. 10000 EUR");
    expect_problem(
        "version: 1\ncurrency: {default: EUR}\n"
        "segments:\n  - name: big\n    when: 'days_overdue > 30 and tier >= gold'\n    sequence: s\n"
        "  - {name: all, sequence: s}\n"
        "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n",
        "p.yaml:5:39: segments[0].when: tier is a name: compare it with ==, != or in");
    expect_problem(
        "version: 1\ncurrency: {default: EUR}\n"
        "segments:\n  - name: big\n    when: segment == all\n    sequence: s\n"
        "  - {name: all, sequence: s}\n"
        "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n",
        "p.yaml:5:11: segments[0].when: segment is not available here: segments are decided by these conditions");
}

static void sensitive_actions_can_be_added_but_never_removed(void **state) {
    (void)state;
    expect_problem(MINIMAL "approvals: {sensitive_actions: [\"-credit_hold\"]}\n",
                   "p.yaml:11:33: approvals.sensitive_actions[0]: \"credit_hold\" cannot be removed from the "
                   "sensitive actions: a policy may add to the list, never remove from it");
    expect_problem(MINIMAL "approvals:\n  rules:\n    - {action: write_off, approvers_below: 0}\n",
                   "p.yaml:13:44: approvals.rules[0].approvers_below: write_off is a sensitive action and always "
                   "needs at least one approver: a policy may add to the sensitive list, never remove from it");
    archase_policy *p = load_ok(MINIMAL "approvals: {sensitive_actions: [escalate]}\n");
    assert_int_equal(archase_policy_sensitive_action_count(p), 10);
    archase_policy_free(p);
}

static void templates_refuse_unknown_fields_and_literal_amounts(void **state) {
    (void)state;
    expect_problem(MINIMAL "templates:\n  definitions:\n    t:\n      email: {en: {subject: Hi, body: 'Dear {{ customer.nam }}'}}\n",
                   "p.yaml:14:45: templates.definitions.t.email.en.body: unknown template field \"customer.nam\" "
                   "(did you mean \"customer.name\"?)");
    expect_problem(MINIMAL "templates:\n  definitions:\n    t:\n      email: {en: {subject: Hi, body: 'Please pay 500 EUR now'}}\n",
                   "p.yaml:14:51: templates.definitions.t.email.en.body: literal amount \"500 EUR\" in the text: amounts "
                   "come only from the ledger, e.g. {{ invoice.open_amount | money }}");
    expect_problem(MINIMAL "templates:\n  definitions:\n    t:\n      sms: {en: {subject: Hi, body: Hello}}\n",
                   "p.yaml:14:27: templates.definitions.t.sms.en.subject: sms messages have no subject");
}

static void the_document_itself_must_be_sound(void **state) {
    (void)state;
    expect_problem("", "p.yaml:1:1: the policy is empty: it needs version, currency, segments and sequences");
    expect_problem("- a\n- b\n", "p.yaml:1:1: a policy is a mapping of sections (version:, currency:, segments:, ...)");
    expect_problem("version: 1\n---\nversion: 1\n", "p.yaml:2:1: a policy is one YAML document; a second one starts here");
    expect_problem("version: [1\n", "p.yaml:2:1: YAML syntax error: did not find expected ',' or ']' while parsing a flow sequence");
    expect_problem("version: 1\nname: \"a\xff\"\n", "p.yaml:2:9: invalid UTF-8 (byte 0xff); a policy is UTF-8 text");
    const char nul[] = "version: 1\nname: a\0b\n";
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    archase_policy *p = NULL;
    assert_int_equal(archase_policy_load_buffer(nul, sizeof nul - 1, "p.yaml", NULL, &p, diags), ARCHASE_EPOLICY);
    char line[512];
    archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
    assert_string_equal(line, "p.yaml:2:8: NUL byte in the policy text (a policy is UTF-8 text)");
    archase_diag_list_free(diags);
}

static void documents_over_the_depth_or_size_limit_are_rejected(void **state) {
    (void)state;
    char deep[400];
    size_t n = 0;
    n += (size_t)snprintf(deep, sizeof deep, "name: ");
    for (int i = 0; i < 70; i++)
        deep[n++] = '[';
    deep[n] = '\0';
    expect_problem(deep, "p.yaml:1:70: name[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
                         "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
                         "[0][0][0][0][0][0][0][0][0]: nesting deeper than 64 levels");
    archase_policy_options opts;
    assert_int_equal(archase_policy_options_init(&opts, ARCHASE_POLICY_OPTIONS_VERSION), 0);
    opts.max_size = 64;
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    archase_policy *p = NULL;
    const char *text = MINIMAL;
    assert_int_equal(archase_policy_load_buffer(text, strlen(text), "p.yaml", &opts, &p, diags), ARCHASE_EPOLICY);
    char line[512];
    archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
    char expected[200];
    snprintf(expected, sizeof expected, "p.yaml: the policy is %zu bytes; the limit is 64 bytes", strlen(text));
    assert_string_equal(line, expected);
    archase_diag_list_free(diags);
}

static void several_problems_are_reported_in_one_run_up_to_twenty(void **state) {
    (void)state;
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    archase_policy *p = NULL;
    assert_int_equal(load_text(MINIMAL "promises: {grace_days: 99, max_open_per_invoice: 0}\ncolour: red\n", &p, diags),
                     ARCHASE_EPOLICY);
    assert_int_equal(archase_diag_list_count(diags), 3);
    /* In document order. */
    assert_int_equal(archase_diag_list_get(diags, 0)->line, 11);
    assert_int_equal(archase_diag_list_get(diags, 1)->line, 11);
    assert_true(archase_diag_list_get(diags, 0)->column < archase_diag_list_get(diags, 1)->column);
    assert_int_equal(archase_diag_list_get(diags, 2)->line, 12);
    archase_diag_list_clear(diags);

    char text[8192];
    size_t n = (size_t)snprintf(text, sizeof text, "%s", MINIMAL);
    for (int i = 0; i < 30; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "unknown_%d: 1\n", i);
    assert_int_equal(load_text(text, &p, diags), ARCHASE_EPOLICY);
    assert_int_equal(archase_diag_list_count(diags), 20);
    assert_int_equal(archase_diag_list_dropped(diags), 10);
    archase_diag_list_clear(diags);
    /* Past the loader's own limit problems are still counted. */
    char *many = malloc(1 << 20);
    assert_non_null(many);
    n = (size_t)snprintf(many, 1 << 20, "%s", MINIMAL);
    for (int i = 0; i < 500; i++)
        n += (size_t)snprintf(many + n, (1 << 20) - n, "unknown_%d: 1\n", i);
    assert_int_equal(load_text(many, &p, diags), ARCHASE_EPOLICY);
    assert_int_equal(archase_diag_list_count(diags), 20);
    assert_int_equal(archase_diag_list_dropped(diags), 480);
    free(many);
    archase_diag_list_free(diags);
}

static void missing_files_and_bad_arguments_say_so(void **state) {
    (void)state;
    archase_policy *p = NULL;
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    assert_int_equal(archase_policy_load_file("/nonexistent/policy.yaml", NULL, &p, diags), ARCHASE_ENOTFOUND);
    assert_int_equal(archase_diag_list_get(diags, 0)->code, ARCHASE_ENOTFOUND);
    assert_int_equal(archase_policy_load_file(NULL, NULL, &p, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_policy_load_buffer("x", 1, NULL, NULL, NULL, NULL), ARCHASE_EINVAL);
    archase_policy_options opts = ARCHASE_POLICY_OPTIONS_INIT;
    opts.version = 99;
    assert_int_equal(archase_policy_load_buffer("x", 1, NULL, &opts, &p, NULL), ARCHASE_EVERSION);
    assert_int_equal(archase_policy_options_init(&opts, 99), ARCHASE_EVERSION);
    archase_policy_free(NULL);
    archase_diag_list_free(diags);
}

/* ---- the canonical hash --------------------------------------------------------- */

static void the_same_policy_written_differently_hashes_the_same(void **state) {
    (void)state;
    uint8_t a[32], b[32], c[32];
    hash_of("version: 1\n"
            "currency: {default: EUR}\n"
            "segments:\n"
            "  - name: big\n"
            "    when: days_overdue>30 and open_amount>=1000 EUR\n"
            "    sequence: s\n"
            "  - {name: all, sequence: s}\n"
            "sequences:\n"
            "  s:\n"
            "    steps:\n"
            "      - offset: 1\n"
            "        action: alert_owner\n",
            a);
    hash_of("# the same rules, reordered, quoted and commented\n"
            "sequences: {\"s\": {steps: [{action: 'alert_owner', offset: 1, roll: following}]}}\n"
            "segments:\n"
            "  - sequence: s\n"
            "    name: \"big\"\n"
            "    when: \"(days_overdue > 30) and (open_amount >= 1000.00 EUR)\"  # a comment\n"
            "  - sequence: s\n"
            "    name: all\n"
            "currency:\n"
            "  default: EUR\n"
            "version: 1\n",
            b);
    assert_memory_equal(a, b, 32);
    hash_of("version: 1\n"
            "currency: {default: EUR}\n"
            "segments:\n"
            "  - name: big\n"
            "    when: days_overdue > 31 and open_amount >= 1000 EUR\n"
            "    sequence: s\n"
            "  - {name: all, sequence: s}\n"
            "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n",
            c);
    assert_memory_not_equal(a, c, 32);
}

static void settings_list_every_resolved_value_sorted(void **state) {
    (void)state;
    archase_policy *p = load_ok(MINIMAL);
    size_t n = archase_policy_setting_count(p);
    assert_true(n > 40);
    const char *prev = "", *path, *value;
    int saw_catch_up = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(archase_policy_setting(p, i, &path, &value), 0);
        assert_true(strcmp(prev, path) <= 0);
        if (!strcmp(path, "guardrails.catch_up")) {
            assert_string_equal(value, "latest_only"); /* the documented default */
            saw_catch_up = 1;
        }
        prev = path;
    }
    assert_true(saw_catch_up);
    assert_int_equal(archase_policy_setting(p, n, &path, &value), ARCHASE_ERANGE);
    archase_policy_free(p);
}

/* ---- allocation failure ------------------------------------------------------------ */

static char *example_text(const char *name, size_t *size) {
    char path[4096];
    snprintf(path, sizeof path, "%s/examples/policies/%s", source_root(), name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 20);
    assert_non_null(buf);
    *size = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

typedef struct load_ctx {
    const char *text;
    size_t      size;
} load_ctx;

static int load_with(const archase_allocator *allocator, void *ctx) {
    load_ctx *c = ctx;
    archase_policy_options opts = ARCHASE_POLICY_OPTIONS_INIT;
    opts.allocator = allocator;
    archase_diag_list *diags = NULL;
    int rc = archase_diag_list_new(allocator, 0, &diags);
    if (rc)
        return rc;
    archase_policy *p = NULL;
    rc = archase_policy_load_buffer(c->text, c->size, "p.yaml", &opts, &p, diags);
    if (rc == 0) {
        uint8_t hash[32];
        archase_policy_hash(p, hash);
        archase_policy_free(p);
    } else if (rc != ARCHASE_ENOMEM) {
        rc = -1000;
    }
    archase_diag_list_free(diags);
    return rc;
}

static void loading_survives_every_allocation_failure(void **state) {
    (void)state;
    load_ctx ctx;
    char *text = example_text("enterprise-formal.yaml", &ctx.size);
    ctx.text = text;
    assert_true(failalloc_loop(load_with, NULL, &ctx) >= 10);
    free(text);
}

static int load_invalid_with(const archase_allocator *allocator, void *ctx) {
    (void)ctx;
    archase_policy_options opts = ARCHASE_POLICY_OPTIONS_INIT;
    opts.allocator = allocator;
    archase_diag_list *diags = NULL;
    int rc = archase_diag_list_new(allocator, 0, &diags);
    if (rc)
        return rc;
    archase_policy *p = NULL;
    const char *text = MINIMAL "promises: {grace_days: 99}\ncolour: red\n";
    rc = archase_policy_load_buffer(text, strlen(text), "p.yaml", &opts, &p, diags);
    if (rc == ARCHASE_EPOLICY)
        rc = archase_diag_list_count(diags) == 2 ? 0 : -1000;
    archase_diag_list_free(diags);
    return rc;
}

static void reporting_problems_survives_every_allocation_failure(void **state) {
    (void)state;
    assert_true(failalloc_loop(load_invalid_with, NULL, NULL) >= 3);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(every_example_policy_loads),
    cmocka_unit_test(enterprise_policy_needs_two_approvers_for_legal_notice_and_credit_hold),
    cmocka_unit_test(introspection_shows_segments_sequences_and_steps),
    cmocka_unit_test(scalars_are_typed_by_the_schema_not_by_yaml_guessing),
    cmocka_unit_test(unknown_keys_are_rejected_with_a_suggestion),
    cmocka_unit_test(duplicate_keys_are_rejected),
    cmocka_unit_test(anchors_aliases_and_tags_are_rejected),
    cmocka_unit_test(wrong_types_and_out_of_range_values_are_rejected),
    cmocka_unit_test(undefined_references_are_rejected),
    cmocka_unit_test(segments_after_a_catch_all_are_unreachable),
    cmocka_unit_test(steps_must_be_in_increasing_offset_order),
    cmocka_unit_test(conditions_are_type_checked_at_the_column_of_the_problem),
    cmocka_unit_test(sensitive_actions_can_be_added_but_never_removed),
    cmocka_unit_test(templates_refuse_unknown_fields_and_literal_amounts),
    cmocka_unit_test(the_document_itself_must_be_sound),
    cmocka_unit_test(documents_over_the_depth_or_size_limit_are_rejected),
    cmocka_unit_test(several_problems_are_reported_in_one_run_up_to_twenty),
    cmocka_unit_test(missing_files_and_bad_arguments_say_so),
    cmocka_unit_test(the_same_policy_written_differently_hashes_the_same),
    cmocka_unit_test(settings_list_every_resolved_value_sorted),
    cmocka_unit_test(loading_survives_every_allocation_failure),
    cmocka_unit_test(reporting_problems_survives_every_allocation_failure),
};

AR_TEST_MAIN(tests)
