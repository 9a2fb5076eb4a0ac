/* tests/test_policy_load_edges.c — what the policy loader says about
 * documents at the edges of YAML and of the schema: duplicate keys in large
 * and one-line mappings, anchors at the root and in lists, paths too long
 * to show whole, keys that are blocks, mappings or lists, syntax errors of
 * each kind, the schema version and currencies, required keys left out,
 * times, time zones, approvals, sensitive actions and fee packs written
 * wrong; and loading files that cannot be read. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archase/archase.h"
#include "support/failalloc.h"
#include "support/policyload.h"
#include "support/testutil.h"

#define MINIMAL                                                                  \
    "version: 1\n"                                                               \
    "currency: {default: EUR}\n"                                                 \
    "segments:\n"                                                                \
    "  - {name: all, sequence: s}\n"                                             \
    "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n"

/* A growing text, for policies built in a loop. */
typedef struct text {
    char  *s;
    size_t len, cap;
} text;

static void put(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(text *t, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        assert_true(n >= 0);
        if (t->s && (size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        t->cap = t->cap * 2 + (size_t)n + 64;
        t->s = realloc(t->s, t->cap);
        assert_non_null(t->s);
    }
}

/* Loads `yaml`; expects ARCHASE_EPOLICY and exactly the `count` problems
 * `expected`, in order. */
static void expect_problems(const char *yaml, size_t count, const char *const *expected) {
    archase_diag_list *diags = test_policy_load_refused(yaml);
    size_t n = archase_diag_list_count(diags);
    for (size_t i = 0; i < n || i < count; i++) {
        char line[1200] = "(none)";
        if (i < n)
            archase_diag_format(archase_diag_list_get(diags, i), line, sizeof line);
        if (i >= count || strcmp(line, expected[i]) != 0)
            fail_msg("problem %zu: expected\n  %s\ngot\n  %s", i, i < count ? expected[i] : "(none)", line);
    }
    archase_diag_list_free(diags);
}

static void expect_problem(const char *yaml, const char *expected) {
    expect_problems(yaml, 1, &expected);
}

#define EXPECT_PROBLEMS(yaml, ...)                                                \
    do {                                                                          \
        static const char *const expected_[] = { __VA_ARGS__ };                   \
        expect_problems(yaml, sizeof expected_ / sizeof expected_[0], expected_); \
    } while (0)

/* ---- YAML ----------------------------------------------------------------- */

static void a_key_written_twice_in_a_large_mapping_is_found_each_time(void **state) {
    (void)state;
    /* More than sixteen keys: the loader sorts them to find duplicates. */
    text t = { 0 };
    put(&t, "version: 1\ncurrency: {default: EUR}\nsegments:\n  - {name: all, sequence: q1}\nsequences:\n");
    for (int i = 0; i < 18; i++)
        put(&t, "  q%d: {steps: [{offset: 1, action: alert_owner}]}\n", i);
    put(&t, "  q3: {steps: [{offset: 2, action: alert_owner}]}\n");
    put(&t, "  q3: {steps: [{offset: 3, action: alert_owner}]}\n");
    /* Both later copies name the line of the first. */
    EXPECT_PROBLEMS(t.s, "p.yaml:24:3: sequences: duplicate key \"q3\" (first written at line 9)",
                    "p.yaml:25:3: sequences: duplicate key \"q3\" (first written at line 9)");
    free(t.s);
}

static void a_key_written_twice_on_one_line_is_found_by_its_column(void **state) {
    (void)state;
    text t = { 0 };
    put(&t, "version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: q1}]\nsequences: {");
    for (int i = 0; i < 17; i++)
        put(&t, "%sq%d: {steps: [{offset: %d, action: alert_owner}]}", i ? ", " : "", i, i + 1);
    size_t line_start = (size_t)(strrchr(t.s, '\n') - t.s) + 1;
    size_t column = t.len - line_start + 3; /* of the second q5, after ", " */
    put(&t, ", q5: {steps: [{offset: 9, action: alert_owner}]}}\n");
    char expected[200];
    snprintf(expected, sizeof expected, "p.yaml:4:%zu: sequences: duplicate key \"q5\" (first written at line 4)",
             column);
    expect_problem(t.s, expected);
    free(t.s);
}

static void anchors_are_refused_at_the_root_and_in_lists(void **state) {
    (void)state;
    expect_problem("--- &top\n" MINIMAL, "p.yaml:1:5: anchors are not allowed (&top): write the value out where it is used");
    expect_problem("version: 1\ncurrency: {default: EUR}\nsegments:\n  - &x {name: all, sequence: s}\n"
                   "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n",
                   "p.yaml:4:5: segments[0]: anchors are not allowed (&x): write the value out where it is used");
}

static void paths_too_long_to_show_are_cut(void **state) {
    (void)state;
    /* A key is shown up to 80 characters in the path of a YAML problem. */
    text t = { 0 };
    put(&t, "%s", MINIMAL);
    char key[101];
    memset(key, 'k', 100);
    key[100] = '\0';
    put(&t, "%s: &a 1\n", key);
    char expected[2][400];
    snprintf(expected[0], sizeof expected[0], "p.yaml:6:1: unknown key \"%.64s\"", key);
    snprintf(expected[1], sizeof expected[1],
             "p.yaml:6:103: %.80s: anchors are not allowed (&a): write the value out where it is used", key);
    const char *const e[] = { expected[0], expected[1] };
    expect_problems(t.s, 2, e);
    free(t.s);

    /* A path is shown up to 400 characters: the sixth key is left out. */
    text d = { 0 };
    put(&d, "%s", MINIMAL);
    for (int i = 0; i < 6; i++)
        put(&d, "%*sx%d%s:\n", 2 * i, "", i, "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy");
    put(&d, "%*sz: &b 1\n", 12, "");
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    archase_policy *p = NULL;
    assert_int_equal(archase_policy_load_buffer(d.s, d.len, "p.yaml", NULL, &p, diags), ARCHASE_EPOLICY);
    assert_int_equal(archase_diag_list_count(diags), 2);
    const archase_diag *anchor = archase_diag_list_get(diags, 1);
    assert_int_equal(anchor->line, 12);
    assert_non_null(strstr(anchor->message, ".x4yyyy"));
    assert_null(strstr(anchor->message, "x5"));
    assert_non_null(strstr(anchor->message, ": anchors are not allowed (&b)"));
    archase_diag_list_free(diags);
    free(d.s);
}

static void keys_must_be_plain_names(void **state) {
    (void)state;
    EXPECT_PROBLEMS(MINIMAL "? |\n  text\n: value\n", "p.yaml:6:3: keys must be names, not blocks of text",
                    "p.yaml:6:3: unknown key \"text\n\"");
    expect_problem(MINIMAL "? {a: 1}\n: x\n", "p.yaml:6:3: keys must be plain names, not mappings or lists");
    expect_problem(MINIMAL "? [a]\n: x\n", "p.yaml:6:3: keys must be plain names, not mappings or lists");
}

static void even_the_non_specific_tag_is_refused(void **state) {
    (void)state;
    char yaml[400];
    snprintf(yaml, sizeof yaml, "version: ! 1\n%s", strchr(MINIMAL, '\n') + 1);
    expect_problem(yaml, "p.yaml:1:10: version: tags are not allowed (!): the schema gives every value its type");
    expect_problem(MINIMAL "name: ! Acme\n",
                   "p.yaml:6:7: name: tags are not allowed (!): the schema gives every value its type");
}

static void each_kind_of_syntax_error_says_what_and_where(void **state) {
    (void)state;
    expect_problem(MINIMAL "a: 'abc\n",
                   "p.yaml:7:1: YAML syntax error: found unexpected end of stream while scanning a quoted scalar");
    expect_problem(MINIMAL "a: b: c\n", "p.yaml:6:5: YAML syntax error: mapping values are not allowed in this context");
    expect_problem(MINIMAL "- x\n",
                   "p.yaml:6:1: YAML syntax error: did not find expected key while parsing a block mapping");
    expect_problem(MINIMAL "a: [1, 2\n",
                   "p.yaml:7:1: YAML syntax error: did not find expected ',' or ']' while parsing a flow sequence");
    expect_problem("{a: 1}}\n", "p.yaml:1:7: YAML syntax error: did not find expected <document start>");
    /* A control character is placed at its line and column, counted in
     * characters: the é before it are one column each. */
    expect_problem(MINIMAL "name: \"\xc3\xa9t\xc3\xa9\" \x01\n",
                   "p.yaml:6:13: YAML syntax error: control characters are not allowed");
}

static void a_document_that_only_looks_like_a_byte_order_mark_is_text(void **state) {
    (void)state;
    /* U+FF00 and U+FEFE start with the bytes of a byte order mark's start. */
    expect_problem("\xef\xbc\x80", "p.yaml:1:1: a policy is a mapping of sections (version:, currency:, segments:, ...)");
    expect_problem("\xef\xbb\xbe", "p.yaml:1:1: a policy is a mapping of sections (version:, currency:, segments:, ...)");
    archase_policy_free(test_policy_load_ok("\xef\xbb\xbf" MINIMAL));
}

static void keys_are_found_in_a_large_root_mapping(void **state) {
    (void)state;
    /* Seventeen sections and a near miss: lookups go through the sorted
     * keys, including a key that is the start of another. */
    const char *yaml = "version: 1\nname: big\ncurrency: {default: EUR}\ncalendars: {}\n"
                       "segments: [{name: all, sequence: s}]\n"
                       "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n"
                       "sequence: {}\nescalation: {}\ncall_queue: {}\nguardrails: {}\nrelationship: {}\n"
                       "payment_patterns: {}\npromises: {}\ndisputes: {}\napprovals: {}\ntemplates: {}\n"
                       "risk_score: {}\nz: 1\n";
    EXPECT_PROBLEMS(yaml, "p.yaml:7:1: unknown key \"sequence\" (did you mean \"sequences\"?)",
                    "p.yaml:18:1: unknown key \"z\"");
    char *fixed = strdup(yaml);
    assert_non_null(fixed);
    char *extra = strstr(fixed, "sequence: {}\n");
    memcpy(extra, "# sequence  \n", 13);
    char *z = strstr(fixed, "z: 1\n");
    memcpy(z, "# z\n", 5);
    archase_policy *p = test_policy_load_ok(fixed);
    assert_string_equal(archase_policy_name(p), "big");
    assert_int_equal(archase_policy_sequence_count(p), 1);
    archase_policy_free(p);
    free(fixed);
}

/* ---- the schema version and currencies ----------------------------------- */

static void the_schema_version_must_be_the_plain_number_one(void **state) {
    (void)state;
    expect_problem("currency: {default: EUR}\nsegments:\n  - {name: all, sequence: s}\n"
                   "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n",
                   "p.yaml:1:1: \"version\" is required");
    static const char *const versions[] = { "\"1\"", "12345678901", "{a: 1}", "[1]" };
    for (size_t i = 0; i < 4; i++) {
        char yaml[400];
        snprintf(yaml, sizeof yaml, "version: %s\n%s", versions[i], strchr(MINIMAL, '\n') + 1);
        expect_problem(yaml, "p.yaml:1:10: version: expected the schema version 1");
    }
    char v2[400];
    snprintf(v2, sizeof v2, "version: 2\n%s", strchr(MINIMAL, '\n') + 1);
    expect_problem(v2, "p.yaml:1:10: version: unsupported schema version 2 (this library reads version 1)");
}

static void currencies_are_iso_codes_and_the_default_is_accepted(void **state) {
    (void)state;
    const char *tail = strstr(MINIMAL, "segments:");
    char yaml[600];
    snprintf(yaml, sizeof yaml, "version: 1\ncurrency: {default: [EUR]}\n%s", tail);
    expect_problem(yaml, "p.yaml:2:21: currency.default: expected an ISO 4217 currency code with minor units "
                         "(EUR, USD, ...)");
    snprintf(yaml, sizeof yaml, "version: 1\ncurrency: {default: EUR, accepted: [[EUR], USD, XXX, USD]}\n%s", tail);
    EXPECT_PROBLEMS(yaml, "p.yaml:2:36: currency.accepted: the default currency EUR is not accepted",
                    "p.yaml:2:37: currency.accepted[0]: expected an ISO 4217 currency code with minor units",
                    "p.yaml:2:49: currency.accepted[2]: expected an ISO 4217 currency code with minor units",
                    "p.yaml:2:54: currency.accepted[3]: USD is listed twice");
    snprintf(yaml, sizeof yaml, "version: 1\ncurrency: {accepted: [EUR]}\n%s", tail);
    expect_problem(yaml, "p.yaml:2:11: currency: \"default\" is required");
}

/* ---- required keys, times and time zones --------------------------------- */

static void required_keys_left_out_are_named_where_they_belong(void **state) {
    (void)state;
    EXPECT_PROBLEMS("version: 1\ncurrency: {default: EUR}\nsegments:\n  - {sequence: s}\n"
                    "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n"
                    "risk_score:\n  drivers:\n    - {field: open_disputes, points_per_unit: 5, cap: 10}\n"
                    "escalation:\n  rules:\n    - {notify: [account_owner]}\n"
                    "approvals:\n  materiality: [1000 EUR]\n  rules:\n    - {approvers_below: 1}\n"
                    "guardrails:\n  quiet_hours: {}\n  send_window: {}\n"
                    "fees: {}\n",
                    "p.yaml:4:5: segments[0]: \"name\" is required",
                    "p.yaml:8:7: risk_score.drivers[0]: \"name\" is required",
                    "p.yaml:11:7: escalation.rules[0]: \"name\" is required",
                    "p.yaml:11:7: escalation.rules[0]: \"when\" is required",
                    "p.yaml:15:7: approvals.rules[0]: \"action\" is required",
                    "p.yaml:17:16: guardrails.quiet_hours: \"start\" is required",
                    "p.yaml:17:16: guardrails.quiet_hours: \"end\" is required",
                    "p.yaml:18:16: guardrails.send_window: \"start\" is required",
                    "p.yaml:18:16: guardrails.send_window: \"end\" is required",
                    "p.yaml:19:7: fees: \"packs\" is required");
}

static void times_are_two_digit_hours_and_minutes_up_to_midnight(void **state) {
    (void)state;
    static const char *const wrong[] = { "7:00", "24:01", "12:60", "2a:00", "30:00", "09:7a", "0a:00", "12-00",
                                         "1:000" };
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        char yaml[600], expected[300];
        snprintf(yaml, sizeof yaml, MINIMAL "guardrails:\n  quiet_hours: {start: \"%s\", end: \"08:00\"}\n",
                 wrong[i]);
        snprintf(expected, sizeof expected,
                 "p.yaml:7:24: guardrails.quiet_hours.start: expected a time \"HH:MM\" (00:00 to 24:00), got \"%s\"",
                 wrong[i]);
        expect_problem(yaml, expected);
    }
    archase_policy *p = test_policy_load_ok(MINIMAL "guardrails:\n  quiet_hours: {start: \"19:59\", end: \"24:00\"}\n");
    const char *value = NULL;
    for (size_t i = 0; i < archase_policy_setting_count(p); i++) {
        const char *path = NULL, *v = NULL;
        assert_int_equal(archase_policy_setting(p, i, &path, &v), 0);
        if (!strcmp(path, "guardrails.quiet_hours.end"))
            value = v;
    }
    assert_non_null(value);
    assert_string_equal(value, "24:00");
    archase_policy_free(p);
}

static void time_zone_names_are_checked_for_their_form(void **state) {
    (void)state;
    static const char *const wrong[] = { "/Europe/Berlin", "Europe/Berlin/", "Europe//Berlin", "'Europe/Ber lin'",
                                         "Europe/Berlin\\u00e9" };
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        char yaml[600], expected[300], shown[64];
        snprintf(yaml, sizeof yaml, MINIMAL "guardrails: {timezone: %s}\n", wrong[i]);
        snprintf(shown, sizeof shown, "%s", wrong[i][0] == '\'' ? wrong[i] + 1 : wrong[i]);
        if (shown[strlen(shown) - 1] == '\'')
            shown[strlen(shown) - 1] = '\0';
        snprintf(expected, sizeof expected,
                 "p.yaml:6:24: guardrails.timezone: expected an IANA time zone name such as Europe/Berlin, got '%s'",
                 shown);
        expect_problem(yaml, expected);
    }
    /* At most 255 bytes. */
    char name[257];
    memset(name, 'A', 256);
    name[256] = '\0';
    text t = { 0 };
    put(&t, MINIMAL "guardrails: {timezone: %s}\n", name);
    char expected[600];
    snprintf(expected, sizeof expected,
             "p.yaml:6:24: guardrails.timezone: expected an IANA time zone name such as Europe/Berlin, got '%s'", name);
    expect_problem(t.s, expected);
    free(t.s);
    expect_problem(MINIMAL "guardrails: {timezone: [x]}\n", "p.yaml:6:24: guardrails.timezone: expected text, got a list");
    archase_policy_free(test_policy_load_ok(MINIMAL "guardrails: {timezone: Etc/GMT+5}\n"));
    archase_policy_free(test_policy_load_ok(MINIMAL "guardrails: {timezone: America/Port-au-Prince}\n"));
}

static void a_time_zone_name_cannot_be_empty(void **state) {
    (void)state;
    expect_problem(MINIMAL "guardrails: {timezone: ''}\n",
                   "p.yaml:6:24: guardrails.timezone: expected an IANA time zone name such as Europe/Berlin, got ''");
}

/* ---- approvals, sensitive actions and fees -------------------------------- */

static void payment_patterns_use_the_median_or_the_80th_percentile(void **state) {
    (void)state;
    expect_problem(MINIMAL "payment_patterns: {percentile: 60}\n",
                   "p.yaml:6:32: payment_patterns.percentile: must be 50 (the median) or 80, got 60");
    expect_problem(MINIMAL "payment_patterns: {percentile: high}\n",
                   "p.yaml:6:32: payment_patterns.percentile: expected a whole number, got \"high\"");
}

static void a_broken_promise_letter_needs_a_template(void **state) {
    (void)state;
    expect_problem(MINIMAL "promises: {on_broken: {action: send_message, channel: letter}}\n",
                   "p.yaml:6:23: promises.on_broken: \"template\" is required");
}

static void sensitive_actions_are_known_actions_and_none_is_removed(void **state) {
    (void)state;
    EXPECT_PROBLEMS(MINIMAL "approvals: {sensitive_actions: [[x], '-legal_notice', '!credit_hold', escalte, zzzzzzzz, '']}\n",
                    "p.yaml:6:33: approvals.sensitive_actions[0]: unknown action \"\"",
                    "p.yaml:6:38: approvals.sensitive_actions[1]: \"legal_notice\" cannot be removed from the "
                    "sensitive actions: a policy may add to the list, never remove from it",
                    "p.yaml:6:55: approvals.sensitive_actions[2]: \"credit_hold\" cannot be removed from the "
                    "sensitive actions: a policy may add to the list, never remove from it",
                    "p.yaml:6:71: approvals.sensitive_actions[3]: unknown action \"escalte\" (did you mean "
                    "\"escalate\"?)",
                    "p.yaml:6:80: approvals.sensitive_actions[4]: unknown action \"zzzzzzzz\"",
                    "p.yaml:6:90: approvals.sensitive_actions[5]: unknown action \"\"");
}

static void approval_rules_are_one_per_sensitive_action_with_an_approver(void **state) {
    (void)state;
    EXPECT_PROBLEMS(MINIMAL "approvals:\n  rules:\n    - {action: send_message}\n"
                    "    - {action: legal_notice, approvers_above: 0}\n    - {action: legal_notice}\n",
                    "p.yaml:8:16: approvals.rules[0].action: send_message is not a sensitive action: add it to "
                    "approvals.sensitive_actions to require approval",
                    "p.yaml:9:7: approvals.rules[1]: approvers_above (0) must be at least approvers_below (1)",
                    "p.yaml:9:47: approvals.rules[1].approvers_above: legal_notice is a sensitive action and always "
                    "needs at least one approver: a policy may add to the sensitive list, never remove from it",
                    "p.yaml:10:7: approvals.rules[2]: a second rule for legal_notice");
    /* A payment plan below materiality may need no approver; a disabled
     * fast lane needs no amounts. */
    archase_policy *p = test_policy_load_ok(MINIMAL "approvals:\n  fast_lane: {enabled: false}\n  rules:\n"
                                "    - {action: payment_plan, approvers_below: 0}\n");
    int found = 0;
    for (size_t i = 0; i < archase_policy_approval_count(p); i++) {
        archase_policy_approval_info info;
        assert_int_equal(archase_policy_approval(p, i, &info), 0);
        if (info.action == ARCHASE_ACTION_PAYMENT_PLAN) {
            assert_int_equal(info.approvers_below, 0);
            assert_true(info.approvers_above >= 1);
            found = 1;
        }
    }
    assert_true(found);
    archase_policy_free(p);
}

static void fee_packs_and_their_bands_are_checked(void **state) {
    (void)state;
    EXPECT_PROBLEMS(MINIMAL "fees:\n  packs:\n"
                    "    - name: late\n      compensation:\n"
                    "        - {below: 100 EUR, amount: 40 EUR}\n"
                    "        - {below: 100 EUR, amount: 0 EUR}\n"
                    "        - {below: 50 USD, amount: 5 EUR}\n"
                    "        - {amount: 10 EUR}\n"
                    "    - name: late\n      compensation: []\n"
                    "    - {name: nothing}\n"
                    "    - [x]\n"
                    "    - name: interest\n      interest: []\n",
                    "p.yaml:11:11: fees.packs[0].compensation[1]: bands must be in increasing order of \"below\"",
                    "p.yaml:11:36: fees.packs[0].compensation[1]: a compensation must be more than zero",
                    "p.yaml:14:7: fees.packs[1]: a fee pack charges interest, a fixed compensation, or both",
                    "p.yaml:14:7: fees.packs[1]: a second fee pack named \"late\"",
                    "p.yaml:15:21: fees.packs[1].compensation: at least one compensation band is needed (or leave "
                    "compensation out)",
                    "p.yaml:16:7: fees.packs[2]: a fee pack charges interest, a fixed compensation, or both",
                    "p.yaml:17:7: fees.packs[3]: expected a mapping (key: value lines), got a list",
                    "p.yaml:18:7: fees.packs[4]: a fee pack charges interest, a fixed compensation, or both",
                    "p.yaml:19:17: fees.packs[4].interest: expected a mapping (key: value lines), got a list");
    expect_problem(MINIMAL "fees: {packs: {}}\n",
                   "p.yaml:6:15: fees.packs: expected a list (\"- item\" lines or [a, b]), got a mapping");
    expect_problem(MINIMAL "fees:\n  packs:\n    - name: i\n      interest: {margin_bp: 5}\n",
                   "p.yaml:9:17: fees.packs[0].interest: \"reference_rate_bp\" is required");
}

/* ---- templates and the settings they resolve to ---------------------------- */

#define TEMPLATE_HEAD MINIMAL "templates:\n  definitions:\n    t1:\n      stage: overdue\n      email:\n"

static void template_problems_point_into_the_text_where_they_can(void **state) {
    (void)state;
    const char *message = "templates.definitions.t1.email.en.body: unknown template field \"customer.nme\" (did "
                          "you mean \"customer.name\"?)";
    char expected[300];
    /* One quoted line: the column of the field inside the quotes. */
    snprintf(expected, sizeof expected, "p.yaml:11:42: %s", message);
    expect_problem(TEMPLATE_HEAD "        en: {subject: \"Hi\", body: \"Hello {{ customer.nme }}\"}\n", expected);
    /* A block: the line and column of the field in the block. */
    snprintf(expected, sizeof expected, "p.yaml:15:17: %s", message);
    expect_problem(TEMPLATE_HEAD "        en:\n          subject: \"Hi\"\n          body: |\n            Hello\n"
                                 "              {{ customer.nme }}\n",
                   expected);
    /* Quoted or plain text over several lines: where the text starts. */
    snprintf(expected, sizeof expected, "p.yaml:13:17: %s", message);
    expect_problem(TEMPLATE_HEAD "        en:\n          subject: \"Hi\"\n          body: \"Hello\n\n"
                                 "            {{ customer.nme }}\"\n",
                   expected);
    snprintf(expected, sizeof expected, "p.yaml:13:23: %s", message);
    expect_problem(TEMPLATE_HEAD "        en:\n          subject: Hi\n          body: Hello\n            {{ customer.nme }}\n",
                   expected);
}

static void template_locales_are_tags_written_once(void **state) {
    (void)state;
    EXPECT_PROBLEMS(TEMPLATE_HEAD "        en-us: {subject: a, body: b}\n        en_US: {subject: a, body: b}\n"
                                  "        \"e!\": {subject: a, body: b}\n",
                    "p.yaml:12:9: templates.definitions.t1.email.en_US: a second email text for locale en-us",
                    "p.yaml:13:9: templates.definitions.t1.email.e!: \"e!\" is not a locale (en, de, en-US, ...)");
    EXPECT_PROBLEMS(TEMPLATE_HEAD "        en: {subject: a, body: ~}\n      sms:\n        en: {body: [x]}\n",
                    "p.yaml:11:32: templates.definitions.t1.email.en.body: expected the text of the message",
                    "p.yaml:13:20: templates.definitions.t1.sms.en.body: expected the text of the message");
}

/* The value of `path` among the policy's settings, or NULL. */
static const char *setting(const archase_policy *p, const char *path) {
    for (size_t i = 0; i < archase_policy_setting_count(p); i++) {
        const char *at = NULL, *value = NULL;
        assert_int_equal(archase_policy_setting(p, i, &at, &value), 0);
        if (!strcmp(at, path))
            return value;
    }
    return NULL;
}

static void fee_settings_show_the_day_count_and_an_open_last_band(void **state) {
    (void)state;
    archase_policy *p = test_policy_load_ok(MINIMAL "fees:\n  packs:\n    - name: late\n"
                                "      interest: {reference_rate_bp: 250, margin_bp: 800, day_count: act_360}\n"
                                "      compensation:\n        - {below: 100 EUR, amount: 40 EUR}\n"
                                "        - {amount: 70 EUR}\n");
    assert_string_equal(setting(p, "fees.packs[late].interest.day_count"), "act_360");
    assert_string_equal(setting(p, "fees.packs[late].interest.reference_rate_bp"), "250");
    assert_string_equal(setting(p, "fees.packs[late].compensation[0].below"), "100.00 EUR");
    assert_string_equal(setting(p, "fees.packs[late].compensation[1].below"), "");
    assert_string_equal(setting(p, "fees.packs[late].compensation[1].amount"), "70.00 EUR");
    archase_policy_free(p);
}

static void a_setting_path_may_be_longer_than_a_line(void **state) {
    (void)state;
    char name[301];
    memset(name, 'D', 300);
    name[300] = '\0';
    text t = { 0 };
    put(&t, MINIMAL "risk_score:\n  drivers:\n    - name: %s\n      field: open_disputes\n"
                    "      points_per_unit: 5\n      cap: 10\n", name);
    archase_policy *p = test_policy_load_ok(t.s);
    char path[400];
    snprintf(path, sizeof path, "risk_score.drivers[%s].cap", name);
    assert_string_equal(setting(p, path), "10");
    snprintf(path, sizeof path, "risk_score.drivers[%s].field", name);
    assert_string_equal(setting(p, path), "open_disputes");
    archase_policy_free(p);
    free(t.s);
}

/* ---- numbers, amounts, conditions and channels written wrong -------------- */

/* MINIMAL with its only step's offset written as `offset`. */
static void expect_offset_problem(const char *offset, const char *got) {
    char yaml[600], expected[300];
    snprintf(yaml, sizeof yaml,
             "version: 1\ncurrency: {default: EUR}\nsegments:\n  - {name: all, sequence: s}\n"
             "sequences: {s: {steps: [{offset: %s, action: alert_owner}]}}\n", offset);
    snprintf(expected, sizeof expected, "p.yaml:5:34: sequences.s.steps[0].offset: expected a whole number, got %s",
             got);
    expect_problem(yaml, expected);
}

static void whole_numbers_are_plain_digits_of_a_sensible_length(void **state) {
    (void)state;
    expect_offset_problem("12345678901234567890", "\"12345678901234567890\"");
    expect_offset_problem("-", "\"-\"");
    expect_offset_problem("''", "the text \"\" (write numbers without quotes)");
}

static void amounts_conditions_and_channels_written_wrong_are_named(void **state) {
    (void)state;
    expect_problem(MINIMAL "call_queue: {min_amount: ~}\n",
                   "p.yaml:6:26: call_queue.min_amount: expected a list (\"- item\" lines or [a, b]), got nothing");
    expect_problem(MINIMAL "call_queue: {min_amount: {a: 1}}\n",
                   "p.yaml:6:26: call_queue.min_amount: expected a list (\"- item\" lines or [a, b]), got a mapping");
    const char *seq = "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n";
    char yaml[800];
    snprintf(yaml, sizeof yaml,
             "version: 1\ncurrency: {default: EUR}\nsegments:\n  - {name: big, when: [x], sequence: s}\n"
             "  - {name: all, sequence: s}\n%s", seq);
    expect_problem(yaml, "p.yaml:4:23: segments[0].when: expected a condition, e.g. \"days_overdue > 30\", got a list");
    /* A condition over several lines is placed where it starts. */
    snprintf(yaml, sizeof yaml,
             "version: 1\ncurrency: {default: EUR}\nsegments:\n  - name: big\n    when: |\n      disputed and\n"
             "      days_overdue >\n    sequence: s\n  - {name: all, sequence: s}\n%s", seq);
    expect_problem(yaml, "p.yaml:5:11: segments[0].when: days_overdue: expected a number of days, e.g. 30 after "
                         "the operator, got the end of the condition");
    /* A step's channel must be one its template is written for. */
    expect_problem("version: 1\ncurrency: {default: EUR}\nsegments:\n  - {name: all, sequence: s}\n"
                   "sequences: {s: {steps: [{offset: 1, channel: letter, template: t}]}}\n"
                   "templates:\n  definitions:\n    t:\n      stage: overdue\n"
                   "      email: {en: {subject: s, body: b}}\n      sms: {en: {body: b}}\n",
                   "p.yaml:5:64: sequences.s.steps[0].template: template \"t\" has no letter text (it is written for "
                   "email, sms)");
}

static void a_broken_promise_message_needs_a_template_on_customer_channels_only(void **state) {
    (void)state;
    const char *tmpl = "templates:\n  definitions:\n    t:\n      stage: overdue\n"
                       "      email: {en: {subject: s, body: b}}\n      sms: {en: {body: b}}\n";
    char yaml[800];
    snprintf(yaml, sizeof yaml, MINIMAL "promises: {on_broken: {action: send_message, channel: sms, template: t}}\n%s",
             tmpl);
    archase_policy_free(test_policy_load_ok(yaml));
    expect_problem(MINIMAL "promises: {on_broken: {action: send_message, channel: portal}}\n",
                   "p.yaml:6:23: promises.on_broken: \"template\" is required");
    archase_policy *p = test_policy_load_ok(MINIMAL "promises: {on_broken: {action: alert_owner, channel: internal}}\n");
    assert_string_equal(setting(p, "promises.on_broken.action"), "alert_owner");
    archase_policy_free(p);
}

static void long_action_names_are_shown_cut_to_forty_characters(void **state) {
    (void)state;
    const char *x45 = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
    char yaml[800];
    snprintf(yaml, sizeof yaml,
             MINIMAL "approvals: {sensitive_actions: ['-%s', %s, legal_noticeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee]}\n",
             x45, x45);
    EXPECT_PROBLEMS(yaml,
                    "p.yaml:6:33: approvals.sensitive_actions[0]: \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\" cannot be "
                    "removed from the sensitive actions: a policy may add to the list, never remove from it",
                    "p.yaml:6:83: approvals.sensitive_actions[1]: unknown action \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"",
                    "p.yaml:6:130: approvals.sensitive_actions[2]: unknown action "
                    "\"legal_noticeeeeeeeeeeeeeeeeeeeeeeeeeeeee\"");
    EXPECT_PROBLEMS(MINIMAL "approvals:\n  rules:\n    - {action: legal_notice, approvers_below: x, approvers_above: y}\n",
                    "p.yaml:8:47: approvals.rules[0].approvers_below: expected a whole number, got \"x\"",
                    "p.yaml:8:67: approvals.rules[0].approvers_above: expected a whole number, got \"y\"");
}

static void compensation_bands_rise_and_only_the_last_is_open(void **state) {
    (void)state;
    EXPECT_PROBLEMS(MINIMAL "fees:\n  packs:\n    - name: late\n      compensation:\n        - {amount: 40 EUR}\n"
                    "        - {below: 100 EUR, amount: x}\n        - {below: 200 EUR, amount: 5 EUR}\n"
                    "        - {below: 300 EUR, amount: 6 EUR}\n    - {compensation: [{amount: 1 EUR}]}\n",
                    "p.yaml:10:11: fees.packs[0].compensation[0]: only the last band may leave out \"below\"",
                    "p.yaml:11:36: fees.packs[0].compensation[1].amount: \"x\" needs its currency, e.g. \"x EUR\"",
                    "p.yaml:14:7: fees.packs[1]: \"name\" is required");
}

static void delivery_names_segments_of_the_policy_in_lists(void **state) {
    (void)state;
    EXPECT_PROBLEMS(MINIMAL "delivery: {review_segments: [all, nope], automatic_segments: x}\n",
                    "p.yaml:6:29: delivery.review_segments: 'nope' is not a segment of the policy",
                    "p.yaml:6:62: delivery.automatic_segments: expected a list (\"- item\" lines or [a, b]), got a "
                    "single value");
    EXPECT_PROBLEMS(MINIMAL "delivery: {review_segments: {a: 1}, automatic_segments: [alll]}\n",
                    "p.yaml:6:29: delivery.review_segments: expected a list (\"- item\" lines or [a, b]), got a mapping",
                    "p.yaml:6:57: delivery.automatic_segments: 'alll' is not a segment of the policy");
    char yaml[400];
    snprintf(yaml, sizeof yaml, "version: 1\ncurrency: {default: EURO, accepted: [EURO]}\n%s",
             strstr(MINIMAL, "segments:"));
    EXPECT_PROBLEMS(yaml,
                    "p.yaml:2:21: currency.default: expected an ISO 4217 currency code with minor units (EUR, USD, ...)",
                    "p.yaml:2:38: currency.accepted[0]: expected an ISO 4217 currency code with minor units");
}

static void approval_roles_past_the_end_are_null(void **state) {
    (void)state;
    archase_policy *p = test_policy_load_ok(MINIMAL "approvals:\n  roles: [controller]\n");
    assert_true(archase_policy_approval_count(p) > 0);
    assert_string_equal(archase_policy_approval_role(p, 0, 0), "controller");
    assert_null(archase_policy_approval_role(p, 0, 1));
    assert_null(archase_policy_approval_role(p, archase_policy_approval_count(p), 0));
    assert_null(archase_policy_approval_role(NULL, 0, 0));
    archase_policy_free(p);
}

static void items_without_names_and_fields_not_in_the_catalogue_are_named(void **state) {
    (void)state;
    const char *seq = "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n";
    char yaml[900];
    snprintf(yaml, sizeof yaml,
             "version: 1\ncurrency: {default: EUR}\nsegments:\n  - {when: disputed, sequence: s}\n"
             "  - {when: paused, sequence: s}\n  - {name: all, sequence: s}\n%s", seq);
    EXPECT_PROBLEMS(yaml, "p.yaml:4:5: segments[0]: \"name\" is required", "p.yaml:5:5: segments[1]: \"name\" is required");
    EXPECT_PROBLEMS(MINIMAL "risk_score:\n  drivers:\n"
                    "    - {name: a, field: [x], points_per_unit: 1, cap: 5}\n"
                    "    - {name: b, field: qqqqqqqqqq, points_per_unit: 1, cap: 5}\n"
                    "    - {name: c, field: segment, points_per_unit: 1, cap: 5}\n"
                    "    - {field: open_disputes, points_per_unit: 1, cap: 5}\n"
                    "    - {field: open_disputes, points_per_unit: 1, cap: 5}\n",
                    "p.yaml:8:24: risk_score.drivers[0].field: expected a field of the condition catalogue",
                    "p.yaml:9:24: risk_score.drivers[1].field: expected a field of the condition catalogue",
                    "p.yaml:10:24: risk_score.drivers[2].field: segment is a name: a driver's field must be a number, "
                    "days or true/false (for amounts, use \"when\" with fixed points)",
                    "p.yaml:11:7: risk_score.drivers[3]: \"name\" is required",
                    "p.yaml:12:7: risk_score.drivers[4]: \"name\" is required");
    EXPECT_PROBLEMS(MINIMAL "escalation:\n  rules:\n    - {when: disputed, notify: [account_owner]}\n"
                    "    - {when: paused, notify: [account_owner]}\n",
                    "p.yaml:8:7: escalation.rules[0]: \"name\" is required",
                    "p.yaml:9:7: escalation.rules[1]: \"name\" is required");
    EXPECT_PROBLEMS("version: 1\ncurrency: {default: EUR}\nsegments:\n  - {name: all, sequence: s}\n"
                    "sequences: {s: {steps: [{offset: x, action: alert_owner}, {offset: y, action: alert_owner}, "
                    "{id: a, offset: 3, action: alert_owner}, {id: a, offset: 4, action: alert_owner}]}}\n",
                    "p.yaml:5:34: sequences.s.steps[0].offset: expected a whole number, got \"x\"",
                    "p.yaml:5:68: sequences.s.steps[1].offset: expected a whole number, got \"y\"",
                    "p.yaml:5:134: sequences.s.steps[3]: a second step with id \"a\"");
    expect_problem("version: 1\ncurrency: {default: EUR}\nsegments:\n  - {name: all, sequence: s}\n"
                   "sequences: {s: {steps: [{offset: 1, action: send_message, channel: qqqqqqq}]}}\n",
                   "p.yaml:5:68: sequences.s.steps[0].channel: \"qqqqqqq\" is not one of email, sms, letter, portal, "
                   "call, internal");
    EXPECT_PROBLEMS(MINIMAL "guardrails: {timezone: ~, send_window: [x]}\n",
                    "p.yaml:6:24: guardrails.timezone: expected text, got nothing",
                    "p.yaml:6:40: guardrails.send_window: expected a mapping (key: value lines), got a list");
    /* A risk score without drivers and escalation without rules are allowed. */
    archase_policy *p = test_policy_load_ok(MINIMAL "risk_score: {base: 10}\nescalation: {}\n");
    assert_string_equal(setting(p, "risk_score.base"), "10");
    archase_policy_free(p);
}

static void names_are_letters_digits_underscores_and_dashes(void **state) {
    (void)state;
    EXPECT_PROBLEMS("version: 1\ncurrency: {default: EUR}\nsegments:\n"
                    "  - {name: \"a~b\", when: disputed, sequence: s}\n"
                    "  - {name: \"a@b\", when: paused, sequence: s}\n"
                    "  - {name: \"a[b\", when: strategic, sequence: s}\n"
                    "  - {name: all, sequence: s}\n"
                    "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n",
                    "p.yaml:4:12: segments[0].name: \"a~b\" is not a name: use letters, digits, _ and - (at most 64)",
                    "p.yaml:5:12: segments[1].name: \"a@b\" is not a name: use letters, digits, _ and - (at most 64)",
                    "p.yaml:6:12: segments[2].name: \"a[b\" is not a name: use letters, digits, _ and - (at most 64)");
}

/* ---- options and files ---------------------------------------------------- */

static void *no_malloc(void *userdata, size_t size) {
    (void)userdata;
    (void)size;
    return NULL;
}

static void no_free(void *userdata, void *ptr) {
    (void)userdata;
    (void)ptr;
}

static void options_and_allocators_are_checked_before_anything_is_read(void **state) {
    (void)state;
    archase_policy_options opts = ARCHASE_POLICY_OPTIONS_INIT;
    archase_allocator bad = { 0 };
    bad.version = ARCHASE_ALLOCATOR_VERSION + 1;
    bad.malloc_fn = no_malloc;
    bad.free_fn = no_free;
    opts.allocator = &bad;
    archase_policy *p = (archase_policy *)0x1;
    assert_int_equal(archase_policy_load_buffer(MINIMAL, strlen(MINIMAL), NULL, &opts, &p, NULL), ARCHASE_EVERSION);
    assert_int_equal(archase_policy_load_file("/nonexistent/p.yaml", &opts, &p, NULL), ARCHASE_EVERSION);
    bad.version = ARCHASE_ALLOCATOR_VERSION;
    bad.malloc_fn = NULL;
    assert_int_equal(archase_policy_load_buffer(MINIMAL, strlen(MINIMAL), NULL, &opts, &p, NULL), ARCHASE_EINVAL);
    assert_ptr_equal(p, (archase_policy *)0x1);

    /* A size limit with the default depth: the limit counts. */
    archase_policy_options small = ARCHASE_POLICY_OPTIONS_INIT;
    small.max_size = 10;
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    assert_int_equal(archase_policy_load_buffer(MINIMAL, strlen(MINIMAL), "p.yaml", &small, &p, diags),
                     ARCHASE_EPOLICY);
    char line[300];
    archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
    char expected[200];
    snprintf(expected, sizeof expected, "p.yaml: the policy is %zu bytes; the limit is 10 bytes", strlen(MINIMAL));
    assert_string_equal(line, expected);
    archase_diag_list_free(diags);

    /* Problems with no list to receive them still fail the load. */
    const char *wrong = MINIMAL "colour: red\n";
    assert_int_equal(archase_policy_load_buffer(wrong, strlen(wrong), "p.yaml", NULL, &p, NULL), ARCHASE_EPOLICY);
    assert_ptr_equal(p, (archase_policy *)0x1);
}

static void files_that_cannot_be_opened_or_read_say_why(void **state) {
    (void)state;
    archase_policy *p = (archase_policy *)0x1;
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    /* A path through a file is not "no such file": it cannot be opened. */
    char path[200];
    snprintf(path, sizeof path, "/tmp/archase-policy-edges-%ld", (long)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(MINIMAL, f);
    fclose(f);
    char through[260];
    snprintf(through, sizeof through, "%s/p.yaml", path);
    assert_int_equal(archase_policy_load_file(through, NULL, &p, diags), ARCHASE_EIO);
    char line[400], expected[400];
    archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
    snprintf(expected, sizeof expected, "%s: cannot open: %s", through, strerror(ENOTDIR));
    assert_string_equal(line, expected);
    /* A folder opens but cannot be read. */
    assert_int_equal(archase_policy_load_file("/tmp", NULL, &p, diags), ARCHASE_EIO);
    archase_diag_format(archase_diag_list_get(diags, 1), line, sizeof line);
    snprintf(expected, sizeof expected, "/tmp: cannot read: %s", strerror(EISDIR));
    assert_string_equal(line, expected);
    assert_ptr_equal(p, (archase_policy *)0x1);
    /* The file itself loads. */
    assert_int_equal(archase_policy_load_file(path, NULL, &p, NULL), 0);
    assert_int_equal(archase_policy_segment_count(p), 1);
    archase_policy_free(p);
    archase_diag_list_free(diags);
    unlink(path);
}

static int load_file_with(const archase_allocator *allocator, void *ctx) {
    const char *path = ctx;
    archase_policy_options opts = ARCHASE_POLICY_OPTIONS_INIT;
    opts.allocator = allocator;
    archase_policy *p = NULL;
    int rc = archase_policy_load_file(path, &opts, &p, NULL);
    if (!rc && archase_policy_segment_count(p) != 1)
        rc = -1000;
    archase_policy_free(p);
    return rc;
}

static void loading_a_file_survives_every_allocation_failure(void **state) {
    (void)state;
    char path[200];
    snprintf(path, sizeof path, "/tmp/archase-policy-oom-%ld.yaml", (long)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(MINIMAL, f);
    fclose(f);
    assert_true(failalloc_loop(load_file_with, NULL, path) >= 3);
    unlink(path);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(a_key_written_twice_in_a_large_mapping_is_found_each_time),
    cmocka_unit_test(a_key_written_twice_on_one_line_is_found_by_its_column),
    cmocka_unit_test(anchors_are_refused_at_the_root_and_in_lists),
    cmocka_unit_test(paths_too_long_to_show_are_cut),
    cmocka_unit_test(keys_must_be_plain_names),
    cmocka_unit_test(even_the_non_specific_tag_is_refused),
    cmocka_unit_test(each_kind_of_syntax_error_says_what_and_where),
    cmocka_unit_test(a_document_that_only_looks_like_a_byte_order_mark_is_text),
    cmocka_unit_test(keys_are_found_in_a_large_root_mapping),
    cmocka_unit_test(the_schema_version_must_be_the_plain_number_one),
    cmocka_unit_test(currencies_are_iso_codes_and_the_default_is_accepted),
    cmocka_unit_test(required_keys_left_out_are_named_where_they_belong),
    cmocka_unit_test(times_are_two_digit_hours_and_minutes_up_to_midnight),
    cmocka_unit_test(time_zone_names_are_checked_for_their_form),
    cmocka_unit_test(a_time_zone_name_cannot_be_empty),
    cmocka_unit_test(payment_patterns_use_the_median_or_the_80th_percentile),
    cmocka_unit_test(a_broken_promise_letter_needs_a_template),
    cmocka_unit_test(sensitive_actions_are_known_actions_and_none_is_removed),
    cmocka_unit_test(approval_rules_are_one_per_sensitive_action_with_an_approver),
    cmocka_unit_test(fee_packs_and_their_bands_are_checked),
    cmocka_unit_test(template_problems_point_into_the_text_where_they_can),
    cmocka_unit_test(template_locales_are_tags_written_once),
    cmocka_unit_test(fee_settings_show_the_day_count_and_an_open_last_band),
    cmocka_unit_test(a_setting_path_may_be_longer_than_a_line),
    cmocka_unit_test(whole_numbers_are_plain_digits_of_a_sensible_length),
    cmocka_unit_test(amounts_conditions_and_channels_written_wrong_are_named),
    cmocka_unit_test(a_broken_promise_message_needs_a_template_on_customer_channels_only),
    cmocka_unit_test(long_action_names_are_shown_cut_to_forty_characters),
    cmocka_unit_test(compensation_bands_rise_and_only_the_last_is_open),
    cmocka_unit_test(delivery_names_segments_of_the_policy_in_lists),
    cmocka_unit_test(approval_roles_past_the_end_are_null),
    cmocka_unit_test(items_without_names_and_fields_not_in_the_catalogue_are_named),
    cmocka_unit_test(names_are_letters_digits_underscores_and_dashes),
    cmocka_unit_test(options_and_allocators_are_checked_before_anything_is_read),
    cmocka_unit_test(files_that_cannot_be_opened_or_read_say_why),
    cmocka_unit_test(loading_a_file_survives_every_allocation_failure),
};

AR_TEST_MAIN(tests)
