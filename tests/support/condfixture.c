/* tests/support/condfixture.c — the condition language suites' fixture
 * (condfixture.h). */
#include "condfixture.h"

#include <string.h>

#include "archase/archase.h"
#include "testutil.h"

const char *const test_cond_segment_names[2] = { "vip", "standard" };

int test_cond_setup(void **state) {
    test_cond_fixture *f = test_calloc(1, sizeof *f);
    ar_arena_init(&f->arena, NULL);
    ar_arena_init(&f->scratch, NULL);
    ar_symtab_init(&f->symbols, &f->arena);
    f->ctx.arena = &f->arena;
    f->ctx.scratch = &f->scratch;
    f->ctx.symbols = &f->symbols;
    f->ctx.segments = test_cond_segment_names;
    f->ctx.segment_count = 2;
    *state = f;
    return 0;
}

int test_cond_teardown(void **state) {
    test_cond_fixture *f = *state;
    ar_arena_free(&f->arena);
    ar_arena_free(&f->scratch);
    test_free(f);
    return 0;
}

const ar_cond *test_cond_compile(test_cond_fixture *f, const char *text) {
    const ar_cond *c = NULL;
    ar_cond_error err;
    int rc = ar_cond_compile(&f->ctx, text, strlen(text), &c, &err);
    if (rc)
        fail_msg("\"%s\" did not compile: %s (at %u)", text, err.message, err.offset);
    return c;
}

void test_cond_expect_error(test_cond_fixture *f, const char *text, uint32_t offset, const char *message) {
    const ar_cond *c = NULL;
    ar_cond_error err;
    assert_int_equal(ar_cond_compile(&f->ctx, text, strlen(text), &c, &err), ARCHASE_EPARSE);
    if (strcmp(err.message, message) != 0)
        fail_msg("\"%s\": expected \"%s\", got \"%s\"", text, message, err.message);
    if (err.offset != offset)
        fail_msg("\"%s\": expected the offset %u, got %u", text, (unsigned)offset, (unsigned)err.offset);
    assert_null(c);
}

void test_cond_set_money(ar_cond_env *env, int field, int64_t minor, const char *currency) {
    env->value[field] = minor;
    env->currency[field] = ar_currency_pack(currency);
}
