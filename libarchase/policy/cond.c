/* libarchase/policy/cond.c — the condition language: lexer, parser, type
 * checker, code generator and evaluator. */
#include "policy/cond.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "archase/date.h"
#include "archase/errors.h"
#include "core/buf.h"
#include "core/money.h"
#include "policy/suggest.h"

const ar_field_info ar_fields[AR_FIELD_COUNT] = {
#define AR_FIELD_ROW_(id, name, type, group, description) { name, AR_T_##type, group, description },
    AR_FIELD_MAP(AR_FIELD_ROW_)
#undef AR_FIELD_ROW_
};

int ar_field_lookup(const char *name, size_t len) {
    for (int f = 0; f < AR_FIELD_COUNT; f++)
        if (strlen(ar_fields[f].name) == len && !memcmp(ar_fields[f].name, name, len))
            return f;
    return AR_FIELD_NONE;
}

const char *ar_type_name(ar_type type) {
    switch (type) {
    case AR_T_INT: return "a number";
    case AR_T_DAYS: return "days";
    case AR_T_MONEY: return "money";
    case AR_T_BOOL: return "true or false";
    case AR_T_SYMBOL: return "a name";
    case AR_T_DATE: return "a date";
    }
    return "?";
}

/* ---- opcodes ------------------------------------------------------------ */

enum {
    CMP_EQ = 0, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE, CMP_COUNT
};

enum {
    OP_TRUE = 0, OP_FALSE, OP_NOT, OP_JF, OP_JT, OP_BOOL, OP_IN, OP_NOT_IN,
    OP_I = 16,                 /* + CMP_*: field vs integer literal */
    OP_M = OP_I + CMP_COUNT,   /* field vs money literal */
    OP_F = OP_M + CMP_COUNT,   /* field vs field */
    OP_FM = OP_F + CMP_COUNT,  /* money field vs money field */
};

static const char *const cmp_text[CMP_COUNT] = { "==", "!=", "<", "<=", ">", ">=" };

static inline int compare(int cmp, int64_t a, int64_t b) {
    switch (cmp) {
    case CMP_EQ: return a == b;
    case CMP_NE: return a != b;
    case CMP_LT: return a < b;
    case CMP_LE: return a <= b;
    case CMP_GT: return a > b;
    default: return a >= b;
    }
}

int ar_cond_eval(const ar_cond *c, const ar_cond_env *env) {
    if (!c)
        return 1;
    const ar_cond_insn *code = c->code;
    const uint32_t len = c->len;
    const int64_t *v = env->value;
    int r = 1;
    for (uint32_t pc = 0; pc < len; pc++) {
        const ar_cond_insn *in = &code[pc];
        switch (in->op) {
        case OP_TRUE: r = 1; break;
        case OP_FALSE: r = 0; break;
        case OP_NOT: r = !r; break;
        case OP_JF: if (!r) pc = in->arg - 1; break;
        case OP_JT: if (r) pc = in->arg - 1; break;
        case OP_BOOL: r = v[in->field] != 0; break;
        case OP_IN:
        case OP_NOT_IN: {
            const int64_t *list = c->pool + in->arg;
            int64_t x = v[in->field];
            int found = 0;
            for (int64_t i = 1; i <= list[0]; i++)
                if (list[i] == x) {
                    found = 1;
                    break;
                }
            r = in->op == OP_IN ? found : !found;
            break;
        }
        case OP_I + CMP_EQ: r = v[in->field] == in->imm; break;
        case OP_I + CMP_NE: r = v[in->field] != in->imm; break;
        case OP_I + CMP_LT: r = v[in->field] < in->imm; break;
        case OP_I + CMP_LE: r = v[in->field] <= in->imm; break;
        case OP_I + CMP_GT: r = v[in->field] > in->imm; break;
        case OP_I + CMP_GE: r = v[in->field] >= in->imm; break;
        case OP_M + CMP_EQ: case OP_M + CMP_NE: case OP_M + CMP_LT:
        case OP_M + CMP_LE: case OP_M + CMP_GT: case OP_M + CMP_GE:
            if (env->currency[in->field] != in->arg)
                r = in->op == OP_M + CMP_NE;
            else
                r = compare(in->op - OP_M, v[in->field], in->imm);
            break;
        case OP_F + CMP_EQ: case OP_F + CMP_NE: case OP_F + CMP_LT:
        case OP_F + CMP_LE: case OP_F + CMP_GT: case OP_F + CMP_GE:
            r = compare(in->op - OP_F, v[in->field], v[in->arg]);
            break;
        default: /* OP_FM + CMP_* */
            if (env->currency[in->field] != env->currency[in->arg])
                r = in->op == OP_FM + CMP_NE;
            else
                r = compare(in->op - OP_FM, v[in->field], v[in->arg]);
            break;
        }
    }
    return r;
}

void ar_cond_first_test(const ar_cond *c, ar_cond_test *out) {
    /* No test: every value is in the range. */
    ar_cond_test t = { INT64_MIN, INT64_MAX, 0, 0, 0 };
    /* `T and ...` begins with T, then a jump taken when T fails: through the
     * jumps of enclosing `and`s (taken again, the result still false) it
     * must reach the end, so that T failing is the answer. */
    if (c && c->len >= 2 && c->code[1].op == OP_JF) {
        uint32_t to = c->code[1].arg;
        while (to < c->len && c->code[to].op == OP_JF)
            to = c->code[to].arg;
        const ar_cond_insn *in = &c->code[0];
        int64_t imm = in->imm;
        if (to < c->len) {
            /* not the answer */
        } else if (in->op == OP_BOOL) {
            t = (ar_cond_test){ 0, 0, in->field, 1, 1 }; /* not 0 */
        } else if (in->op >= OP_I && in->op < OP_I + CMP_COUNT) {
            t.field = in->field;
            t.present = 1;
            switch (in->op - OP_I) {
            case CMP_EQ: t.lo = t.hi = imm; break;
            case CMP_NE: t.lo = t.hi = imm, t.negate = 1; break;
            case CMP_LE: t.hi = imm; break;
            case CMP_GE: t.lo = imm; break;
            case CMP_LT:
                if (imm == INT64_MIN)
                    t.negate = 1; /* below the least: never */
                else
                    t.hi = imm - 1;
                break;
            default: /* CMP_GT */
                if (imm == INT64_MAX)
                    t.negate = 1; /* above the most: never */
                else
                    t.lo = imm + 1;
                break;
            }
        }
    }
    *out = t;
}

/* ---- lexer -------------------------------------------------------------- */

enum {
    T_END = 0, T_WORD, T_STRING, T_CMP, T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK, T_COMMA,
};

typedef struct token {
    int         type;
    const char *s;      /* the token's text (strings: inside the quotes) */
    size_t      len;
    uint32_t    offset; /* of its first byte */
    int         cmp;    /* T_CMP */
    int         escaped;/* T_STRING: has backslash escapes */
} token;

/* The kinds of value a test compares with. */
enum { V_INT = 1, V_MONEY, V_DATE, V_BOOL, V_NAME, V_FIELD };

typedef struct value {
    int         kind;
    int64_t     i;        /* INT, DATE, BOOL, NAME (symbol id), MONEY (minor) */
    archase_money money;  /* MONEY */
    int         field;    /* FIELD */
    const char *name;     /* NAME: the name (NUL-terminated, scratch) */
    size_t      name_len;
    uint32_t    offset;
} value;

enum { N_OR = 1, N_AND, N_NOT, N_CONST, N_TEST };
enum { TEST_BOOL = 1, TEST_CMP, TEST_IN, TEST_NOT_IN };

typedef struct node node;
struct node {
    int      kind;
    node    *a, *b;
    int      constant;  /* N_CONST */
    int      test;      /* N_TEST: TEST_* */
    int      field;
    int      cmp;
    value    rhs;       /* TEST_CMP */
    value   *list;      /* TEST_IN */
    uint32_t list_count;
};

typedef struct parser {
    const ar_cond_ctx *ctx;
    const char        *text;
    size_t             len;
    size_t             pos;
    token              tok;      /* the current token */
    ar_cond_error     *err;
    int                failed;   /* ARCHASE_EPARSE or ARCHASE_ENOMEM */
    int                depth;
    ar_field_set       fields;
} parser;

static void fail(parser *p, uint32_t offset, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail(parser *p, uint32_t offset, const char *fmt, ...) {
    if (p->failed)
        return;
    p->failed = ARCHASE_EPARSE;
    p->err->offset = offset;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
    va_end(ap);
}

static void oom(parser *p) {
    if (!p->failed)
        p->failed = ARCHASE_ENOMEM;
}

static int is_word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

/* Shows a token in a message: its text, cut to a readable length. */
#define TOKEN_FMT "\"%.*s\""
#define TOKEN_ARG(t) (int)((t).len > 40 ? 40 : (t).len), (t).s

static void next(parser *p) {
    const char *s = p->text;
    size_t n = p->len;
    while (p->pos < n && (s[p->pos] == ' ' || s[p->pos] == '\t' || s[p->pos] == '\n' || s[p->pos] == '\r'))
        p->pos++;
    token *t = &p->tok;
    memset(t, 0, sizeof *t);
    t->offset = (uint32_t)p->pos;
    t->s = s + p->pos;
    if (p->pos >= n) {
        t->type = T_END;
        return;
    }
    char c = s[p->pos];
    char d = p->pos + 1 < n ? s[p->pos + 1] : '\0';
    switch (c) {
    case '(': t->type = T_LPAREN; t->len = 1; p->pos++; return;
    case ')': t->type = T_RPAREN; t->len = 1; p->pos++; return;
    case '[': t->type = T_LBRACK; t->len = 1; p->pos++; return;
    case ']': t->type = T_RBRACK; t->len = 1; p->pos++; return;
    case ',': t->type = T_COMMA; t->len = 1; p->pos++; return;
    case '=':
        if (d == '=') {
            t->type = T_CMP; t->cmp = CMP_EQ; t->len = 2; p->pos += 2;
            return;
        }
        fail(p, t->offset, "\"=\" is not an operator: compare with \"==\"");
        return;
    case '!':
        if (d == '=') {
            t->type = T_CMP; t->cmp = CMP_NE; t->len = 2; p->pos += 2;
            return;
        }
        fail(p, t->offset, "\"!\" is not an operator: write \"not\" or \"!=\"");
        return;
    case '<':
    case '>':
        t->type = T_CMP;
        if (d == '=') {
            t->cmp = c == '<' ? CMP_LE : CMP_GE;
            t->len = 2;
        } else {
            t->cmp = c == '<' ? CMP_LT : CMP_GT;
            t->len = 1;
        }
        p->pos += t->len;
        return;
    case '"':
    case '\'': {
        size_t i = p->pos + 1;
        while (i < n && s[i] != c) {
            if (s[i] == '\\' && c == '"' && i + 1 < n) {
                t->escaped = 1;
                i++;
            }
            i++;
        }
        if (i >= n) {
            fail(p, t->offset, "unterminated quoted name");
            return;
        }
        t->type = T_STRING;
        t->s = s + p->pos + 1;
        t->len = i - p->pos - 1;
        p->pos = i + 1;
        return;
    }
    default:
        break;
    }
    if (!is_word_char(c)) {
        if ((unsigned char)c < 0x20 || c == 0x7f)
            fail(p, t->offset, "unexpected control character 0x%02x", (unsigned)(unsigned char)c);
        else if ((unsigned char)c >= 0x80)
            fail(p, t->offset, "unexpected character: names outside A-Z, 0-9, _ . - are written in quotes");
        else
            fail(p, t->offset, "unexpected character \"%c\"", c);
        return;
    }
    size_t start = p->pos;
    while (p->pos < n && is_word_char(s[p->pos]))
        p->pos++;
    t->type = T_WORD;
    t->len = p->pos - start;
}

static int word_is(const token *t, const char *kw) {
    return t->type == T_WORD && t->len == strlen(kw) && !memcmp(t->s, kw, t->len);
}

static int is_keyword(const char *s, size_t len) {
    static const char *const kws[] = { "and", "or", "not", "in", "true", "false", NULL };
    for (int i = 0; kws[i]; i++)
        if (strlen(kws[i]) == len && !memcmp(kws[i], s, len))
            return 1;
    return 0;
}

static int is_integer_text(const char *s, size_t len) {
    size_t i = 0;
    if (i < len && s[i] == '-')
        i++;
    if (i == len)
        return 0;
    for (; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int is_decimal_text(const char *s, size_t len) {
    const char *dot = memchr(s, '.', len);
    if (!dot)
        return is_integer_text(s, len);
    size_t head = (size_t)(dot - s);
    const char *tail = dot + 1;
    size_t tail_len = len - head - 1;
    if (!is_integer_text(s, head) || tail_len == 0)
        return 0;
    for (size_t i = 0; i < tail_len; i++)
        if (tail[i] < '0' || tail[i] > '9')
            return 0;
    return 1;
}

static int is_date_text(const char *s, size_t len) {
    if (len != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (size_t i = 0; i < len; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    return 1;
}

static int is_currency_word(const token *t) {
    if (t->type != T_WORD || t->len != 3)
        return 0;
    for (int i = 0; i < 3; i++)
        if (t->s[i] < 'A' || t->s[i] > 'Z')
            return 0;
    return 1;
}

static int parse_int64(const char *s, size_t len, int64_t *out) {
    int neg = s[0] == '-';
    uint64_t v = 0;
    for (size_t i = (size_t)neg; i < len; i++) {
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1)
            return -1;
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    } else {
        if (v > (uint64_t)INT64_MAX)
            return -1;
        *out = (int64_t)v;
    }
    return 0;
}

/* ---- names with a closed set of values ----------------------------------- */

static const char *const aging_bands[] = { "current", "1_30", "31_60", "61_90", "91_plus", NULL };
static const char *const dispute_reasons[] = { "pricing", "short_ship", "damaged_goods",
                                               "missing_po", "milestone_not_accepted",
                                               "duplicate_billing", "tax", "other", "none", NULL };

static void join_list(const char *const *list, size_t count, char *out, size_t size) {
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < count && list[i]; i++) {
        int w = snprintf(out + n, size - n, "%s%s", i ? ", " : "", list[i]);
        if (w < 0 || (size_t)w >= size - n)
            break;
        n += (size_t)w;
    }
}

/* Checks a name against what `field` can be; 0 or fails. */
static int check_name(parser *p, int field, const value *v) {
    const char *s = v->name;
    size_t len = v->name_len;
    char choices[256];
    if (len == 0) {
        fail(p, v->offset, "empty name");
        return -1;
    }
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            fail(p, v->offset, "control character in a name");
            return -1;
        }
    const char *const *set = NULL;
    size_t set_count = 0;
    if (field == AR_FIELD_AGING_BAND)
        set = aging_bands, set_count = 5;
    else if (field == AR_FIELD_DISPUTE_REASON)
        set = dispute_reasons, set_count = 9;
    else if (field == AR_FIELD_SEGMENT)
        set = p->ctx->segments, set_count = p->ctx->segment_count;
    if (field == AR_FIELD_AGING_BAND || field == AR_FIELD_DISPUTE_REASON || field == AR_FIELD_SEGMENT) {
        for (size_t i = 0; i < set_count; i++)
            if (strlen(set[i]) == len && !memcmp(set[i], s, len))
                return 0;
        const char *near = ar_suggest(s, len, set, set_count, sizeof *set);
        join_list(set, set_count, choices, sizeof choices);
        if (near)
            fail(p, v->offset, "\"%.*s\" is not a %s (did you mean \"%s\"?)", (int)(len > 40 ? 40 : len), s,
                 field == AR_FIELD_SEGMENT ? "segment of this policy" : ar_fields[field].name, near);
        else
            fail(p, v->offset, "\"%.*s\" is not a %s; %s is one of: %s", (int)(len > 40 ? 40 : len), s,
                 field == AR_FIELD_SEGMENT ? "segment of this policy" : ar_fields[field].name,
                 ar_fields[field].name, set_count ? choices : "(none defined)");
        return -1;
    }
    if (field == AR_FIELD_CURRENCY && !(len == 3 && ar_currency_minor_units(s, 3) >= 0)) {
        fail(p, v->offset, "\"%.*s\" is not an ISO 4217 currency code (EUR, USD, ...)",
             (int)(len > 40 ? 40 : len), s);
        return -1;
    }
    if (field == AR_FIELD_COUNTRY &&
        !(len == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z')) {
        fail(p, v->offset, "\"%.*s\" is not a country code: two capital letters (ISO 3166-1), e.g. DE",
             (int)(len > 40 ? 40 : len), s);
        return -1;
    }
    return 0;
}

/* ---- parser ------------------------------------------------------------- */

static node *new_node(parser *p, int kind) {
    node *n = ar_arena_alloc(p->ctx->scratch, sizeof *n);
    if (!n)
        oom(p);
    else
        n->kind = kind;
    return n;
}

static const char *expected_for(ar_type type) {
    switch (type) {
    case AR_T_INT: return "a whole number, e.g. 5";
    case AR_T_DAYS: return "a number of days, e.g. 30";
    case AR_T_MONEY: return "an amount with its currency, e.g. 10000 EUR";
    case AR_T_BOOL: return "true or false";
    case AR_T_SYMBOL: return "a name, e.g. gold";
    case AR_T_DATE: return "a date written YYYY-MM-DD";
    }
    return "?";
}

/* Reads one value for a test on `field`; 0 or fails. */
static int parse_value(parser *p, int field, value *v) {
    const ar_field_info *f = &ar_fields[field];
    token t = p->tok;
    memset(v, 0, sizeof *v);
    v->offset = t.offset;
    if (t.type == T_STRING) {
        if (f->type != AR_T_SYMBOL) {
            fail(p, t.offset, "%s is %s: expected %s, got a quoted name", f->name, ar_type_name(f->type),
                 expected_for(f->type));
            return -1;
        }
        char *name = ar_arena_alloc(p->ctx->scratch, t.len + 1);
        if (!name) {
            oom(p);
            return -1;
        }
        size_t n = 0;
        for (size_t i = 0; i < t.len; i++) {
            if (t.escaped && t.s[i] == '\\' && i + 1 < t.len)
                i++;
            name[n++] = t.s[i];
        }
        v->kind = V_NAME;
        v->name = name;
        v->name_len = n;
        next(p);
        return check_name(p, field, v);
    }
    if (t.type != T_WORD || is_keyword(t.s, t.len)) {
        if (word_is(&t, "true") || word_is(&t, "false")) {
            if (f->type != AR_T_BOOL) {
                fail(p, t.offset, "%s is %s: expected %s, got " TOKEN_FMT, f->name,
                     ar_type_name(f->type), expected_for(f->type), TOKEN_ARG(t));
                return -1;
            }
            v->kind = V_BOOL;
            v->i = word_is(&t, "true");
            next(p);
            return 0;
        }
        if (t.type == T_END)
            fail(p, t.offset, "%s: expected %s after the operator, got the end of the condition",
                 f->name, expected_for(f->type));
        else
            fail(p, t.offset, "%s is %s: expected %s, got " TOKEN_FMT, f->name, ar_type_name(f->type),
                 expected_for(f->type), TOKEN_ARG(t));
        return -1;
    }
    next(p);
    if (p->failed)
        return -1;
    if (is_decimal_text(t.s, t.len) && is_currency_word(&p->tok)) {
        token code = p->tok;
        if (f->type != AR_T_MONEY) {
            fail(p, t.offset, "%s is %s: expected %s, got an amount (%.*s %.3s)", f->name,
                 ar_type_name(f->type), expected_for(f->type), TOKEN_ARG(t), code.s);
            return -1;
        }
        char text[64];
        if (t.len > 40) {
            fail(p, t.offset, "amount too long");
            return -1;
        }
        int w = snprintf(text, sizeof text, "%.*s %.3s", (int)t.len, t.s, code.s);
        ar_error e;
        memset(&e, 0, sizeof e);
        if (ar_money_parse_n(text, (size_t)w, &v->money, &e)) {
            fail(p, t.offset, "\"%s\" is not an amount: %s", text, ar_error_message(&e));
            return -1;
        }
        v->kind = V_MONEY;
        v->i = v->money.minor;
        next(p);
        return 0;
    }
    if (is_integer_text(t.s, t.len)) {
        if (f->type == AR_T_MONEY) {
            fail(p, t.offset, "%s is money: the amount %.*s needs its currency, e.g. %.*s EUR",
                 f->name, TOKEN_ARG(t), TOKEN_ARG(t));
            return -1;
        }
        if (f->type != AR_T_INT && f->type != AR_T_DAYS) {
            fail(p, t.offset, "%s is %s: expected %s, got " TOKEN_FMT, f->name, ar_type_name(f->type),
                 expected_for(f->type), TOKEN_ARG(t));
            return -1;
        }
        if (parse_int64(t.s, t.len, &v->i)) {
            fail(p, t.offset, "number out of range: " TOKEN_FMT, TOKEN_ARG(t));
            return -1;
        }
        v->kind = V_INT;
        return 0;
    }
    if (is_date_text(t.s, t.len)) {
        if (f->type != AR_T_DATE) {
            fail(p, t.offset, "%s is %s: expected %s, got the date " TOKEN_FMT, f->name,
                 ar_type_name(f->type), expected_for(f->type), TOKEN_ARG(t));
            return -1;
        }
        char text[11];
        memcpy(text, t.s, 10);
        text[10] = '\0';
        archase_date d;
        if (archase_date_parse(text, &d)) {
            fail(p, t.offset, "no such date: " TOKEN_FMT, TOKEN_ARG(t));
            return -1;
        }
        v->kind = V_DATE;
        v->i = d;
        return 0;
    }
    int other = ar_field_lookup(t.s, t.len);
    if (other != AR_FIELD_NONE) {
        const ar_field_info *g = &ar_fields[other];
        if (g->type != f->type) {
            fail(p, t.offset, "%s is %s but %s is %s: they cannot be compared", f->name,
                 ar_type_name(f->type), g->name, ar_type_name(g->type));
            return -1;
        }
        if (p->ctx->forbidden && ar_field_set_has(p->ctx->forbidden, other)) {
            fail(p, t.offset, "%s is not available here: %s", g->name, p->ctx->forbidden_why);
            return -1;
        }
        ar_field_set_add(&p->fields, other);
        v->kind = V_FIELD;
        v->field = other;
        return 0;
    }
    if (f->type != AR_T_SYMBOL) {
        const char *near = ar_suggest(t.s, t.len, ar_fields, AR_FIELD_COUNT, sizeof ar_fields[0]);
        if (near)
            fail(p, t.offset, "unknown field " TOKEN_FMT " (did you mean \"%s\"?)", TOKEN_ARG(t), near);
        else if (is_decimal_text(t.s, t.len))
            fail(p, t.offset, "%s is %s: expected %s, got " TOKEN_FMT, f->name, ar_type_name(f->type),
                 expected_for(f->type), TOKEN_ARG(t));
        else
            fail(p, t.offset, "%s is %s: expected %s, got " TOKEN_FMT, f->name, ar_type_name(f->type),
                 expected_for(f->type), TOKEN_ARG(t));
        return -1;
    }
    v->kind = V_NAME;
    v->name = t.s;
    v->name_len = t.len;
    return check_name(p, field, v);
}

static int intern_value(parser *p, value *v) {
    if (v->kind != V_NAME)
        return 0;
    ar_sym id;
    if (ar_symtab_intern(p->ctx->symbols, v->name, v->name_len, &id)) {
        oom(p);
        return -1;
    }
    v->i = id;
    return 0;
}

static node *parse_or(parser *p);

static node *parse_test(parser *p) {
    token t = p->tok;
    if (t.type != T_WORD) {
        if (t.type == T_END)
            fail(p, t.offset, "expected a field, \"not\" or \"(\", got the end of the condition");
        else
            fail(p, t.offset, "expected a field, \"not\" or \"(\", got " TOKEN_FMT, TOKEN_ARG(t));
        return NULL;
    }
    int field = ar_field_lookup(t.s, t.len);
    if (field == AR_FIELD_NONE) {
        const char *near = ar_suggest(t.s, t.len, ar_fields, AR_FIELD_COUNT, sizeof ar_fields[0]);
        if (near)
            fail(p, t.offset, "unknown field " TOKEN_FMT " (did you mean \"%s\"?)", TOKEN_ARG(t), near);
        else if (is_decimal_text(t.s, t.len))
            fail(p, t.offset, "a test starts with a field, e.g. days_overdue > 30; got " TOKEN_FMT,
                 TOKEN_ARG(t));
        else
            fail(p, t.offset, "unknown field " TOKEN_FMT " (the fields are listed in the policy reference)",
                 TOKEN_ARG(t));
        return NULL;
    }
    const ar_field_info *f = &ar_fields[field];
    if (p->ctx->forbidden && ar_field_set_has(p->ctx->forbidden, field)) {
        fail(p, t.offset, "%s is not available here: %s", f->name, p->ctx->forbidden_why);
        return NULL;
    }
    ar_field_set_add(&p->fields, field);
    next(p);
    if (p->failed)
        return NULL;
    node *n = new_node(p, N_TEST);
    if (!n)
        return NULL;
    n->field = field;
    token op = p->tok;
    int negated_in = 0;
    if (word_is(&op, "not")) {
        next(p);
        if (!word_is(&p->tok, "in")) {
            fail(p, op.offset, "\"not\" after a field must be followed by \"in\" (\"%s not in [...]\"), "
                               "or written before the test (\"not %s\")", f->name, f->name);
            return NULL;
        }
        negated_in = 1;
        op = p->tok;
    }
    if (word_is(&op, "in")) {
        if (f->type == AR_T_MONEY || f->type == AR_T_BOOL) {
            fail(p, op.offset, "%s is %s: \"in\" works with numbers, days, dates and names", f->name,
                 ar_type_name(f->type));
            return NULL;
        }
        next(p);
        if (p->tok.type != T_LBRACK) {
            fail(p, p->tok.offset, "expected \"[\" after \"in\" (a list: [gold, platinum])");
            return NULL;
        }
        next(p);
        uint32_t cap = 8, count = 0;
        value *items = ar_arena_array(p->ctx->scratch, cap, sizeof *items);
        if (!items) {
            oom(p);
            return NULL;
        }
        while (!p->failed) {
            if (p->tok.type == T_RBRACK && count == 0) {
                fail(p, p->tok.offset, "empty list: \"in\" needs at least one value");
                return NULL;
            }
            if (count == cap) {
                if (cap >= 1024) {
                    fail(p, p->tok.offset, "list longer than 1024 values");
                    return NULL;
                }
                value *bigger = ar_arena_array(p->ctx->scratch, cap * 2, sizeof *items);
                if (!bigger) {
                    oom(p);
                    return NULL;
                }
                memcpy(bigger, items, count * sizeof *items);
                items = bigger;
                cap *= 2;
            }
            if (parse_value(p, field, &items[count]))
                return NULL;
            if (items[count].kind == V_FIELD) {
                fail(p, items[count].offset, "a list holds values, not fields");
                return NULL;
            }
            if (intern_value(p, &items[count]))
                return NULL;
            count++;
            if (p->tok.type == T_COMMA) {
                next(p);
                continue;
            }
            if (p->tok.type == T_RBRACK) {
                next(p);
                break;
            }
            fail(p, p->tok.offset, "expected \",\" or \"]\" in the list, got %s",
                 p->tok.type == T_END ? "the end of the condition" : "something else");
            return NULL;
        }
        n->test = negated_in ? TEST_NOT_IN : TEST_IN;
        n->list = items;
        n->list_count = count;
        return p->failed ? NULL : n;
    }
    if (op.type == T_CMP) {
        next(p);
        if (p->failed)
            return NULL;
        if ((f->type == AR_T_SYMBOL || f->type == AR_T_BOOL) && op.cmp != CMP_EQ && op.cmp != CMP_NE) {
            fail(p, op.offset, "%s is %s: compare it with ==, !=%s", f->name, ar_type_name(f->type),
                 f->type == AR_T_SYMBOL ? " or in" : "");
            return NULL;
        }
        if (parse_value(p, field, &n->rhs) || intern_value(p, &n->rhs))
            return NULL;
        n->test = TEST_CMP;
        n->cmp = op.cmp;
        return n;
    }
    if (f->type == AR_T_BOOL) {
        n->test = TEST_BOOL;
        return n;
    }
    if (op.type == T_END || op.type == T_RPAREN || word_is(&op, "and") || word_is(&op, "or"))
        fail(p, t.offset, "%s is %s: compare it with a value, e.g. %s", f->name, ar_type_name(f->type),
             f->type == AR_T_MONEY    ? "open_amount >= 1000 EUR"
             : f->type == AR_T_SYMBOL ? "tier == gold"
             : f->type == AR_T_DATE   ? "due_date < 2026-01-01"
                                      : "days_overdue > 30");
    else
        fail(p, op.offset, "expected an operator (==, !=, <, <=, >, >=, in) after %s, got " TOKEN_FMT,
             f->name, TOKEN_ARG(op));
    return NULL;
}

static node *parse_unary(parser *p) {
    if (p->failed)
        return NULL;
    if (++p->depth > AR_COND_MAX_DEPTH) {
        fail(p, p->tok.offset, "condition nested deeper than %d levels", AR_COND_MAX_DEPTH);
        return NULL;
    }
    node *n = NULL;
    token t = p->tok;
    if (word_is(&t, "not")) {
        next(p);
        node *inner = parse_unary(p);
        if (inner) {
            n = new_node(p, N_NOT);
            if (n)
                n->a = inner;
        }
    } else if (t.type == T_LPAREN) {
        next(p);
        n = parse_or(p);
        if (n && p->tok.type != T_RPAREN) {
            fail(p, p->tok.offset, "expected \")\" to close the \"(\" at column %u, got %s",
                 (unsigned)t.offset + 1, p->tok.type == T_END ? "the end of the condition" : "more");
            n = NULL;
        } else if (n) {
            next(p);
        }
    } else if (word_is(&t, "true") || word_is(&t, "false")) {
        n = new_node(p, N_CONST);
        if (n)
            n->constant = word_is(&t, "true");
        next(p);
    } else {
        n = parse_test(p);
    }
    p->depth--;
    return p->failed ? NULL : n;
}

static node *parse_and(parser *p) {
    node *left = parse_unary(p);
    while (left && word_is(&p->tok, "and")) {
        next(p);
        node *right = parse_unary(p);
        node *n = right ? new_node(p, N_AND) : NULL;
        if (!n)
            return NULL;
        n->a = left;
        n->b = right;
        left = n;
    }
    return p->failed ? NULL : left;
}

static node *parse_or(parser *p) {
    node *left = parse_and(p);
    while (left && word_is(&p->tok, "or")) {
        next(p);
        node *right = parse_and(p);
        node *n = right ? new_node(p, N_OR) : NULL;
        if (!n)
            return NULL;
        n->a = left;
        n->b = right;
        left = n;
    }
    return p->failed ? NULL : left;
}

/* ---- code generation ----------------------------------------------------- */

typedef struct gen {
    ar_cond_insn *code;
    uint32_t      len;
    uint32_t      cap;
    int64_t      *pool;
    uint32_t      pool_len;
    uint32_t      pool_cap;
    int           failed;
} gen;

static ar_cond_insn *emit(gen *g, int op) {
    if (g->len == g->cap) {
        g->failed = 1; /* sized up front; cannot happen */
        return NULL;
    }
    ar_cond_insn *in = &g->code[g->len++];
    memset(in, 0, sizeof *in);
    in->op = (uint8_t)op;
    return in;
}

static void gen_node(gen *g, const node *n) {
    ar_cond_insn *in;
    switch (n->kind) {
    case N_CONST:
        emit(g, n->constant ? OP_TRUE : OP_FALSE);
        return;
    case N_NOT:
        gen_node(g, n->a);
        emit(g, OP_NOT);
        return;
    case N_AND:
    case N_OR: {
        gen_node(g, n->a);
        uint32_t jump = g->len;
        if (!emit(g, n->kind == N_AND ? OP_JF : OP_JT))
            return;
        gen_node(g, n->b);
        g->code[jump].arg = g->len;
        return;
    }
    default:
        break;
    }
    const ar_field_info *f = &ar_fields[n->field];
    switch (n->test) {
    case TEST_BOOL:
        in = emit(g, OP_BOOL);
        if (in)
            in->field = (uint16_t)n->field;
        return;
    case TEST_IN:
    case TEST_NOT_IN:
        in = emit(g, n->test == TEST_IN ? OP_IN : OP_NOT_IN);
        if (!in || g->pool_len + 1 + n->list_count > g->pool_cap) {
            g->failed = 1;
            return;
        }
        in->field = (uint16_t)n->field;
        in->arg = g->pool_len;
        g->pool[g->pool_len++] = n->list_count;
        for (uint32_t i = 0; i < n->list_count; i++)
            g->pool[g->pool_len++] = n->list[i].i;
        return;
    default:
        break;
    }
    if (n->rhs.kind == V_FIELD) {
        in = emit(g, (f->type == AR_T_MONEY ? OP_FM : OP_F) + n->cmp);
        if (in) {
            in->field = (uint16_t)n->field;
            in->arg = (uint32_t)n->rhs.field;
        }
    } else if (n->rhs.kind == V_MONEY) {
        in = emit(g, OP_M + n->cmp);
        if (in) {
            in->field = (uint16_t)n->field;
            in->arg = ar_currency_pack(n->rhs.money.currency);
            in->imm = n->rhs.money.minor;
        }
    } else {
        in = emit(g, OP_I + n->cmp);
        if (in) {
            in->field = (uint16_t)n->field;
            in->imm = n->rhs.i;
        }
    }
}

static void count_node(const node *n, uint32_t *insns, uint32_t *pool) {
    (*insns)++;
    if (n->kind == N_AND || n->kind == N_OR) {
        count_node(n->a, insns, pool);
        count_node(n->b, insns, pool);
    } else if (n->kind == N_NOT) {
        count_node(n->a, insns, pool);
    } else if (n->kind == N_TEST && (n->test == TEST_IN || n->test == TEST_NOT_IN)) {
        *pool += 1 + n->list_count;
    }
}

/* ---- canonical text ------------------------------------------------------ */

static int name_is_bare(const char *s, size_t len) {
    if (len == 0 || is_keyword(s, len) || ar_field_lookup(s, len) != AR_FIELD_NONE ||
        is_decimal_text(s, len) || is_date_text(s, len))
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!is_word_char(s[i]))
            return 0;
    return 1;
}

static void print_value(ar_buf *b, const value *v) {
    char text[ARCHASE_MONEY_FORMAT_MAX];
    switch (v->kind) {
    case V_INT:
        ar_buf_printf(b, "%lld", (long long)v->i);
        break;
    case V_MONEY:
        if (archase_money_format(&v->money, text, sizeof text) == 0)
            ar_buf_puts(b, text);
        break;
    case V_DATE:
        if (archase_date_format((archase_date)v->i, text, sizeof text) == 0)
            ar_buf_puts(b, text);
        break;
    case V_BOOL:
        ar_buf_puts(b, v->i ? "true" : "false");
        break;
    case V_FIELD:
        ar_buf_puts(b, ar_fields[v->field].name);
        break;
    default:
        if (name_is_bare(v->name, v->name_len)) {
            ar_buf_put(b, v->name, v->name_len);
        } else {
            ar_buf_putc(b, '"');
            for (size_t i = 0; i < v->name_len; i++) {
                if (v->name[i] == '"' || v->name[i] == '\\')
                    ar_buf_putc(b, '\\');
                ar_buf_putc(b, (uint8_t)v->name[i]);
            }
            ar_buf_putc(b, '"');
        }
        break;
    }
}

static int precedence(const node *n) {
    return n->kind == N_OR ? 1 : n->kind == N_AND ? 2 : 3;
}

static void print_node(ar_buf *b, const node *n, int parent) {
    int prec = precedence(n);
    if (prec < parent)
        ar_buf_putc(b, '(');
    switch (n->kind) {
    case N_OR:
    case N_AND:
        print_node(b, n->a, prec);
        ar_buf_puts(b, n->kind == N_OR ? " or " : " and ");
        print_node(b, n->b, prec);
        break;
    case N_NOT:
        ar_buf_puts(b, "not ");
        print_node(b, n->a, 3);
        break;
    case N_CONST:
        ar_buf_puts(b, n->constant ? "true" : "false");
        break;
    default:
        ar_buf_puts(b, ar_fields[n->field].name);
        if (n->test == TEST_CMP) {
            ar_buf_printf(b, " %s ", cmp_text[n->cmp]);
            print_value(b, &n->rhs);
        } else if (n->test == TEST_IN || n->test == TEST_NOT_IN) {
            ar_buf_puts(b, n->test == TEST_IN ? " in [" : " not in [");
            for (uint32_t i = 0; i < n->list_count; i++) {
                if (i)
                    ar_buf_puts(b, ", ");
                print_value(b, &n->list[i]);
            }
            ar_buf_putc(b, ']');
        }
        break;
    }
    if (prec < parent)
        ar_buf_putc(b, ')');
}

int ar_cond_compile(const ar_cond_ctx *ctx, const char *text, size_t len, const ar_cond **out,
                    ar_cond_error *err) {
    parser p;
    memset(&p, 0, sizeof p);
    memset(err, 0, sizeof *err);
    p.ctx = ctx;
    p.text = text;
    p.len = len;
    p.err = err;
    ar_buf b;
    ar_buf_init(&b, ctx->arena->allocator);
    int rc = 0;
    if (len > AR_COND_MAX_LEN) {
        fail(&p, 0, "condition longer than %d characters", AR_COND_MAX_LEN);
        rc = p.failed;
        goto done;
    }
    next(&p);
    if (!p.failed && p.tok.type == T_END) {
        fail(&p, 0, "empty condition");
        rc = p.failed;
        goto done;
    }
    node *root = p.failed ? NULL : parse_or(&p);
    if (root && p.tok.type != T_END)
        fail(&p, p.tok.offset, "expected \"and\", \"or\" or the end of the condition, got " TOKEN_FMT,
             TOKEN_ARG(p.tok));
    if (p.failed) {
        rc = p.failed;
        goto done;
    }
    uint32_t insns = 0, pool = 0;
    count_node(root, &insns, &pool);
    gen g;
    memset(&g, 0, sizeof g);
    g.cap = insns;
    g.pool_cap = pool;
    g.code = ar_arena_array(ctx->arena, insns, sizeof *g.code);
    g.pool = ar_arena_array(ctx->arena, pool ? pool : 1, sizeof *g.pool);
    ar_cond *c = ar_arena_alloc(ctx->arena, sizeof *c);
    if (!g.code || !g.pool || !c) {
        rc = ARCHASE_ENOMEM;
        goto done;
    }
    gen_node(&g, root);
    if (g.failed) {
        rc = ARCHASE_ENOMEM;
        goto done;
    }
    print_node(&b, root, 0);
    if (b.err) {
        rc = b.err;
        goto done;
    }
    char *canonical = ar_arena_strndup(ctx->arena, (const char *)b.data, b.len);
    if (!canonical) {
        rc = ARCHASE_ENOMEM;
        goto done;
    }
    c->code = g.code;
    c->len = g.len;
    c->pool = g.pool;
    c->fields = p.fields;
    c->text = canonical;
    *out = c;
done:
    ar_buf_free(&b);
    return rc;
}
