/* libarchase/policy/cond.h — the condition language: compiled at load,
 * evaluated by the engine without allocating and without failing.
 *
 *   days_overdue > 30 and open_amount >= 10000 EUR
 *     and tier in [gold, platinum] and not disputed
 *
 * Grammar (docs/policy-reference.md has the user's version):
 *   condition  = or
 *   or         = and { "or" and }
 *   and        = unary { "and" unary }
 *   unary      = "not" unary | "(" or ")" | "true" | "false" | test
 *   test       = FIELD                         (a bool field)
 *              | FIELD op value                (op: == != < <= > >=)
 *              | FIELD ["not"] "in" "[" value { "," value } "]"
 *   value      = INTEGER | AMOUNT CODE | DATE | NAME | "quoted name" | true | false | FIELD
 *
 * Types come from the field catalogue (policy/fields.h) and are checked at
 * compile time: a condition that compiles always evaluates.
 *
 * Money and currencies: a money literal always carries its currency
 * ("10000 EUR"; "10000" alone is an error). When the invoice's amount is in
 * another currency than the literal (or two money fields differ), the
 * comparison is false for ==, <, <=, > and >= and true for !=: an amount in
 * one currency is neither equal to, below nor above an amount in another.
 * A policy that wants thresholds in several currencies writes them out:
 * `open_amount >= 10000 EUR or open_amount >= 11000 USD`.
 *
 * Names (tier, country, ...) compare by interned id (policy/symbols.h): the
 * engine looks the ledger's text up once with ar_policy_symbol_lookup. */
#ifndef AR_POLICY_COND_H
#define AR_POLICY_COND_H

#include <stdint.h>

#include "policy/arena.h"
#include "policy/fields.h"
#include "policy/symbols.h"

/* A currency code packed in an integer: ar_currency_pack("EUR"). */
#define AR_CURRENCY_PACK(a, b, c) \
    (((uint32_t)(unsigned char)(a) << 16) | ((uint32_t)(unsigned char)(b) << 8) | (uint32_t)(unsigned char)(c))
static inline uint32_t ar_currency_pack(const char *code) {
    return AR_CURRENCY_PACK(code[0], code[1], code[2]);
}

/* The facts a condition reads, indexed by ar_field. The engine fills the
 * fields of ar_policy.fields_used (others may hold anything):
 *   INT, DAYS   value[f] is the number
 *   BOOL        value[f] is 0 or 1
 *   DATE        value[f] is an archase_date
 *   SYMBOL      value[f] is an ar_sym from ar_policy_symbol_lookup
 *               (AR_SYM_NONE for a name the policy does not mention, or none)
 *   MONEY       value[f] is the minor units and currency[f] the packed code
 *               of their currency (ar_currency_pack) */
typedef struct ar_cond_env {
    int64_t  value[AR_FIELD_COUNT];
    uint32_t currency[AR_FIELD_COUNT];
} ar_cond_env;

/* One instruction of a compiled condition. */
typedef struct ar_cond_insn {
    uint8_t  op;     /* internal opcode */
    uint8_t  pad;
    uint16_t field;  /* the field tested */
    uint32_t arg;    /* currency, second field, list offset or jump target */
    int64_t  imm;    /* the literal */
} ar_cond_insn;

/* A compiled condition: immutable, owned by its policy. */
typedef struct ar_cond {
    const ar_cond_insn *code;
    uint32_t            len;
    const int64_t      *pool;   /* `in` lists: count, then the values */
    ar_field_set        fields; /* every field the condition reads */
    const char         *text;   /* the condition written canonically */
} ar_cond;

/* 1 when `c` holds for `env`, else 0. A NULL condition holds. Allocates
 * nothing and cannot fail. */
int ar_cond_eval(const ar_cond *c, const ar_cond_env *env);

/* One test a condition cannot hold without: its first conjunct when that is
 * a bool field or a field compared with an integer (`days_overdue > 60 and
 * ...`, `disputed and ...`), as a range of the field's values the test
 * passes in (or, `negate`, out of). The engine checks it inline and calls
 * ar_cond_eval only for the facts that pass. */
typedef struct ar_cond_test {
    int64_t  lo, hi;  /* lo <= hi */
    uint16_t field;
    uint8_t  negate;  /* passes outside [lo, hi] */
    uint8_t  present; /* 0: no such test (it always passes) */
} ar_cond_test;

/* Sets *out to the test `c` needs (present 0 when it has none). */
void ar_cond_first_test(const ar_cond *c, ar_cond_test *out);

/* 0 when `t` fails for `env` (then its condition does too), else 1. */
static inline int ar_cond_test_passes(const ar_cond_test *t, const ar_cond_env *env) {
    uint64_t x = (uint64_t)env->value[t->field];
    return (x - (uint64_t)t->lo <= (uint64_t)t->hi - (uint64_t)t->lo) != t->negate;
}

/* Where a condition is compiled: which names it may use. */
typedef struct ar_cond_ctx {
    ar_arena          *arena;      /* the policy's: the compiled condition lives here */
    ar_arena          *scratch;    /* freed after loading */
    ar_symtab         *symbols;    /* names are interned here */
    const ar_field_set *forbidden; /* fields not available here (may be NULL) */
    const char        *forbidden_why; /* "segments are decided by these conditions" */
    const char *const *segments;   /* segment names the `segment` field may take */
    uint32_t           segment_count;
} ar_cond_ctx;

#define AR_COND_MAX_LEN   4096
#define AR_COND_MAX_DEPTH 32
#define AR_COND_ERROR_MAX 300

typedef struct ar_cond_error {
    uint32_t offset;                   /* byte offset of the problem in the text */
    char     message[AR_COND_ERROR_MAX];
} ar_cond_error;

/* Compiles `len` bytes of condition text. Returns 0 and *out, ARCHASE_EPARSE
 * with `err` naming the problem and where, or ARCHASE_ENOMEM. */
int ar_cond_compile(const ar_cond_ctx *ctx, const char *text, size_t len, const ar_cond **out,
                    ar_cond_error *err);

#endif
