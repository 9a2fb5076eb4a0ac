/* tests/support/testutil.h — what every cmocka test file includes. */
#ifndef ARCHASE_TESTUTIL_H
#define ARCHASE_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* Runs a group with TAP output, which the test runner counts case by case. */
#define AR_TEST_MAIN(group_tests)                                                 \
    int main(void) {                                                              \
        cmocka_set_message_output(CM_OUTPUT_TAP);                                 \
        return cmocka_run_group_tests_name(__FILE__, group_tests, NULL, NULL);    \
    }

/* The folder of ../shared/data relative to the project root, or NULL when it
 * is absent (tests that need it then skip). */
const char *test_shared_data_dir(void);

/* 1 when the test runs under valgrind (which preloads its own library), where
 * everything is 20-50 times slower: heavy loops run fewer rounds there; the
 * plain and sanitizer runs still run them all. */
int test_under_valgrind(void);

/* n normally, or n / divisor (at least 1) under valgrind. */
int test_rounds(int n, int divisor);

/* Deterministic pseudo-random numbers for property tests (xorshift64*). */
typedef struct test_rng {
    uint64_t state;
} test_rng;
void     test_rng_seed(test_rng *r, uint64_t seed);
uint64_t test_rng_next(test_rng *r);
/* Uniform in [0, n). */
uint64_t test_rng_below(test_rng *r, uint64_t n);

/* Pieces of policy YAML the outbox, cycle and review suites share; string
 * literals, to be put together with the rest of a policy's text. */
/* The standard sequence, up to its steps (which follow). */
#define TEST_POLICY_STANDARD_STEPS \
    "sequences:\n"                \
    "  standard:\n"               \
    "    roll: none\n"            \
    "    steps:\n"
/* Version 1 in EUR, one segment "all" on the standard sequence. */
#define TEST_POLICY_ONE_SEGMENT                       \
    "version: 1\n"                                   \
    "currency: {default: EUR}\n"                     \
    "segments: [{name: all, sequence: standard}]\n" \
    TEST_POLICY_STANDARD_STEPS
/* Messages may go out at any hour of any day, in UTC; no payment patterns. */
#define TEST_POLICY_ANY_TIME                                                                          \
    "guardrails:\n"                                                                                  \
    "  send_window: {start: \"00:00\", end: \"23:59\", days: [mon, tue, wed, thu, fri, sat, sun]}\n" \
    "  business_days_only: false\n"                                                                  \
    "  timezone: UTC\n"                                                                              \
    "payment_patterns: {enabled: false}\n"
/* Version 1 in EUR, one segment on a sequence that alerts the owner a day
 * after the due date, and approvals by one person below 1000 EUR and two
 * above (the roles and the rest of approvals: follow). */
#define TEST_POLICY_OWNER_ALERT_APPROVALS                                \
    "version: 1\n"                                                      \
    "currency: {default: EUR}\n"                                        \
    "segments: [{name: all, sequence: s}]\n"                            \
    "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n"     \
    "approvals:\n"                                                      \
    "  materiality: [1000 EUR]\n"                                       \
    "  approvers_below: 1\n"                                            \
    "  approvers_above: 2\n"
/* The English e-mail of the template "overdue". */
#define TEST_POLICY_OVERDUE_EMAIL                                                \
    "      email: {en: {subject: \"Invoice {{ invoice.number }} is overdue\",\n" \
    "                   body: \"Dear {{ customer.name }}, {{ totals.open_amount | money }} is open.\"}}\n"
/* The template "overdue" at stage overdue, firm, with that e-mail. */
#define TEST_POLICY_OVERDUE_FIRM  \
    "    overdue:\n"             \
    "      stage: overdue\n"     \
    "      tone: firm\n"         \
    TEST_POLICY_OVERDUE_EMAIL

struct archase_engine;

/* Puts contact `id` of `customer` on `channel` at `address`, who agreed to be
 * reached there (fails the test when it is refused). */
void test_put_contact(struct archase_engine *eng, const char *id, const char *customer, int channel,
                      const char *address);

#endif
