/* tests/support/condfixture.h — what the condition language suites compile
 * and evaluate in: arenas, a symbol table, a compile context that knows the
 * segments "vip" and "standard", and an environment to evaluate against. */
#ifndef ARCHASE_TEST_CONDFIXTURE_H
#define ARCHASE_TEST_CONDFIXTURE_H

#include "policy/cond.h"
#include "policy/policy_internal.h"

typedef struct test_cond_fixture {
    ar_arena    arena;
    ar_arena    scratch;
    ar_symtab   symbols;
    ar_cond_ctx ctx;
    ar_cond_env env;
} test_cond_fixture;

/* The segments the context knows: { "vip", "standard" }. */
extern const char *const test_cond_segment_names[2];

/* cmocka setup and teardown: *state becomes a heap test_cond_fixture with an
 * empty environment; teardown frees both arenas. */
int test_cond_setup(void **state);
int test_cond_teardown(void **state);

/* `text` compiled in f's context; fails the test, naming the error and its
 * offset, when it does not compile. */
const ar_cond *test_cond_compile(test_cond_fixture *f, const char *text);

/* Compiling `text` fails with ARCHASE_EPARSE, `message` at byte `offset`,
 * and hands out no condition. */
void test_cond_expect_error(test_cond_fixture *f, const char *text, uint32_t offset, const char *message);

/* Sets money field `field` of env to `minor` units of `currency`. */
void test_cond_set_money(ar_cond_env *env, int field, int64_t minor, const char *currency);

#endif
