/* include/archase/money.h — money: integer minor units and an ISO 4217 currency. */
#ifndef ARCHASE_MONEY_H
#define ARCHASE_MONEY_H

#include "archase/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An amount of money: `minor` units of `currency` (cents for EUR, yen for JPY,
 * fils for KWD). `currency` is a NUL-terminated 3-letter ISO 4217 code.
 * There is no floating point anywhere in money arithmetic. */
typedef struct archase_money {
    int64_t minor;
    char    currency[4];
} archase_money;

/* A currency from the ISO 4217 table (current codes, Table A.1).
 * `minor_units` is the number of decimals (0, 2, 3 or 4), or -1 for codes with
 * no minor unit (XAU, XDR, XXX, ...), which cannot be used as money. */
typedef struct archase_currency {
    char        code[4];
    uint16_t    numeric;
    int8_t      minor_units;
    const char *name;         /* static string */
} archase_currency;

/* Looks up a 3-letter code (upper case: "eur" is unknown). Codes without a
 * minor unit are found too (minor_units -1). Returns 0, ARCHASE_EINVAL (NULL
 * argument) or ARCHASE_ECURRENCY. */
ARCHASE_API int archase_currency_lookup(const char *code, archase_currency *out);
/* Number of currencies in the table. */
ARCHASE_API size_t archase_currency_count(void);
/* The i-th currency in code order. Returns 0 or ARCHASE_ERANGE. */
ARCHASE_API int archase_currency_at(size_t i, archase_currency *out);

/* Longest text archase_money_format writes, with the NUL. */
#define ARCHASE_MONEY_FORMAT_MAX 32

/* Parses "1234.56 EUR" (amount, one space, code). The amount is an optional
 * '-', one or more digits and, if the currency has minor units, an optional '.'
 * followed by 1..minor_units digits ("-0.5 KWD" is -500 fils; "-0.00 EUR" is 0).
 * Rejected: more decimals than the currency has, unknown or lower-case codes,
 * codes without minor units, thousands separators, '+', exponents, "1." and
 * ".5", surrounding or doubled spaces, values outside int64 minor units, empty
 * text. Returns 0, ARCHASE_EINVAL (NULL argument), ARCHASE_EPARSE (malformed,
 * too many decimals), ARCHASE_ECURRENCY (unknown code, or one without a minor
 * unit) or ARCHASE_EOVERFLOW; `out` is written only on success. */
ARCHASE_API int archase_money_parse(const char *text, archase_money *out);

/* Parses an amount without its code ("1234.56") in `currency`, with the same
 * rules as archase_money_parse. */
ARCHASE_API int archase_money_parse_amount(const char *amount, const char *currency,
                                           archase_money *out);

/* Writes "1234.56 EUR" (always every minor digit: "10.00 EUR", "-0.500 KWD",
 * "100 JPY"; zero is never "-0"), the text archase_money_parse reads back.
 * ARCHASE_MONEY_FORMAT_MAX bytes are always enough. Returns 0, ARCHASE_EINVAL
 * (NULL argument), ARCHASE_ECURRENCY (the code is not money) or
 * ARCHASE_EBUFSIZE; `buf` is written only on success. */
ARCHASE_API int archase_money_format(const archase_money *money, char *buf, size_t size);
/* Writes the amount alone ("1234.56"). */
ARCHASE_API int archase_money_format_amount(const archase_money *money, char *buf, size_t size);

/* a + b. `out` may be `a` or `b`. Returns 0, ARCHASE_EINVAL (NULL argument),
 * ARCHASE_ECURRENCY (different currencies, or a code that is not money) or
 * ARCHASE_EOVERFLOW (never wraps). */
ARCHASE_API int archase_money_add(const archase_money *a, const archase_money *b,
                                  archase_money *out);
/* a - b, like archase_money_add. */
ARCHASE_API int archase_money_sub(const archase_money *a, const archase_money *b,
                                  archase_money *out);
/* Compares a and b: *result is -1, 0 or 1. Returns 0, ARCHASE_EINVAL or
 * ARCHASE_ECURRENCY. */
ARCHASE_API int archase_money_cmp(const archase_money *a, const archase_money *b, int *result);

/* Splits `total` into `n` parts that differ by at most one minor unit and sum
 * exactly to `total`; the first parts get the extra units, and a negative total
 * splits like its opposite (-1.00 EUR in 3: -0.34, -0.33, -0.33). `parts` has
 * room for n entries and may start at `total`. Returns 0, ARCHASE_EINVAL (NULL
 * argument, n == 0) or ARCHASE_ECURRENCY. */
ARCHASE_API int archase_money_split(const archase_money *total, uint32_t n, archase_money *parts);

/* Splits `total` in proportion to `weights` (each >= 0, not all 0) by the
 * largest-remainder method: each part is its exact share rounded down, and the
 * units left over go one each to the largest remainders; ties go to the lower
 * index. Parts sum exactly to `total`; a negative total splits like its
 * opposite. Exact for any int64 weights (128-bit intermediates). `parts` may
 * start at `total` but must not overlap `weights`. Returns 0, ARCHASE_EINVAL
 * (NULL argument, n == 0, a negative weight, all weights 0) or ARCHASE_ECURRENCY. */
ARCHASE_API int archase_money_split_weights(const archase_money *total, const int64_t *weights,
                                            uint32_t n, archase_money *parts);

/* money × numerator ÷ denominator, rounded half to even, exactly (128-bit
 * intermediate; rounding is symmetric: -2.5 becomes -2). Interest at 8.25% for
 * 30 days of a 365-day year is numerator = 825 * 30, denominator = 10000 * 365.
 * Returns 0, ARCHASE_EINVAL (NULL argument, denominator <= 0),
 * ARCHASE_ECURRENCY or ARCHASE_EOVERFLOW (the rounded result is outside int64). */
ARCHASE_API int archase_money_apply_rate(const archase_money *money, int64_t numerator,
                                         int64_t denominator, archase_money *out);

#ifdef __cplusplus
}
#endif
#endif
