/* tests/fuzz/fuzz_condition.c — libFuzzer target for the condition compiler:
 * any text compiles or is refused with a message and an offset inside it; a
 * condition that compiles evaluates over environments made from the input,
 * and its canonical text (when within the length limit) compiles again to
 * the same canonical text and the same results. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archase/errors.h"
#include "policy/cond.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const segments[] = { "vip", "standard", "at_risk" };

static void fill_env(ar_cond_env *env, const uint8_t *data, size_t size, unsigned salt) {
    static const char *const currencies[] = { "EUR", "USD", "JPY", "KWD" };
    for (int f = 0; f < AR_FIELD_COUNT; f++) {
        uint8_t b = size ? data[(f * 7 + salt) % size] : (uint8_t)salt;
        switch (ar_fields[f].type) {
        case AR_T_BOOL: env->value[f] = b & 1; break;
        case AR_T_SYMBOL: env->value[f] = (b % 5 == 4) ? AR_SYM_NONE : b % 5; break;
        case AR_T_MONEY: env->value[f] = (int64_t)b * 997 - 50000; break;
        case AR_T_DATE: env->value[f] = 20000 + b * 3; break;
        default: env->value[f] = (int64_t)b - 100; break;
        }
        env->currency[f] = ar_currency_pack(currencies[(b >> 3) & 3]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ar_arena arena, scratch;
    ar_symtab symbols;
    ar_arena_init(&arena, NULL);
    ar_arena_init(&scratch, NULL);
    ar_symtab_init(&symbols, &arena);
    ar_cond_ctx ctx = { &arena, &scratch, &symbols, NULL, NULL, segments, 3 };
    const ar_cond *c = NULL;
    ar_cond_error err;
    int rc = ar_cond_compile(&ctx, (const char *)data, size, &c, &err);
    if (rc == ARCHASE_EPARSE) {
        if (err.message[0] == '\0' || err.offset > size)
            abort();
    } else if (rc == 0) {
        const ar_cond *again = NULL;
        ar_cond_error err2;
        size_t canonical_len = strlen(c->text);
        if (canonical_len > AR_COND_MAX_LEN) {
            /* Spaces and decimals written out can take a condition near the
             * limit past it; what is within the limit must round-trip. */
            goto done;
        }
        if (ar_cond_compile(&ctx, c->text, canonical_len, &again, &err2) != 0)
            abort(); /* the canonical text must compile */
        if (strcmp(again->text, c->text) != 0)
            abort(); /* and be its own canonical text */
        ar_cond_env env;
        for (unsigned salt = 0; salt < 8; salt++) {
            fill_env(&env, data, size, salt);
            int r = ar_cond_eval(c, &env);
            if ((r != 0 && r != 1) || r != ar_cond_eval(again, &env))
                abort();
        }
    } else if (rc != ARCHASE_ENOMEM) {
        abort();
    }
done:
    ar_arena_free(&arena);
    ar_arena_free(&scratch);
    return 0;
}
