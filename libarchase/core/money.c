/* libarchase/core/money.c — money: strict parsing and formatting, exact
 * arithmetic, splitting and rates over int64 minor units of an ISO 4217 currency. */
#include "core/money.h"

#include <string.h>

#include "archase/errors.h"

__extension__ typedef unsigned __int128 ar_u128;

/* 10^k for the decimals a currency may have. */
static const uint64_t pow10_table[] = { 1, 10, 100, 1000, 10000 };

#define AR_MONEY_MAX_DECIMALS 4
#define AR_INT64_MAGNITUDE_MAX ((uint64_t)INT64_MAX + 1) /* |INT64_MIN| */

/* ---- the currency table ------------------------------------------------ */

const archase_currency *ar_currency_find(const char *code, size_t len) {
    if (!code || len != 3)
        return NULL;
    size_t lo = 0, hi = ar_currency_table_size;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = memcmp(code, ar_currency_table[mid].code, 3);
        if (c == 0)
            return &ar_currency_table[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

int ar_currency_minor_units(const char *code, size_t len) {
    const archase_currency *c = ar_currency_find(code, len);
    if (!c || c->minor_units < 0)
        return ARCHASE_ECURRENCY;
    return c->minor_units;
}

int archase_currency_lookup(const char *code, archase_currency *out) {
    if (!code || !out)
        return ARCHASE_EINVAL;
    const archase_currency *c = ar_currency_find(code, strnlen(code, 4));
    if (!c)
        return ARCHASE_ECURRENCY;
    *out = *c;
    return 0;
}

size_t archase_currency_count(void) {
    return ar_currency_table_size;
}

int archase_currency_at(size_t i, archase_currency *out) {
    if (!out)
        return ARCHASE_EINVAL;
    if (i >= ar_currency_table_size)
        return ARCHASE_ERANGE;
    *out = ar_currency_table[i];
    return 0;
}

/* The decimals of the currency of `m`, or ARCHASE_ECURRENCY when its code is
 * not a NUL-terminated code of a currency with a minor unit. */
static int money_minor_units(const archase_money *m) {
    return ar_currency_minor_units(m->currency, strnlen(m->currency, sizeof m->currency));
}

/* ---- int64 from sign and magnitude ------------------------------------- */

/* The int64 with this sign and magnitude; the magnitude is at most
 * INT64_MAX, or AR_INT64_MAGNITUDE_MAX when negative. */
static int64_t from_magnitude(int negative, uint64_t magnitude) {
    if (!negative)
        return (int64_t)magnitude;
    if (magnitude == 0)
        return 0;
    return -(int64_t)(magnitude - 1) - 1;
}

static uint64_t magnitude_of(int64_t v) {
    return v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
}

static int magnitude_fits(int negative, ar_u128 magnitude) {
    return magnitude <= (negative ? AR_INT64_MAGNITUDE_MAX : (uint64_t)INT64_MAX);
}

/* ---- parsing ------------------------------------------------------------ */

/* Where a well-formed amount "[-]DIGITS[.DIGITS]" keeps its parts. */
typedef struct amount_syntax {
    int         negative;
    const char *integer;
    size_t      integer_len;
    const char *fraction;
    size_t      fraction_len; /* 0 when there is no '.' */
} amount_syntax;

static int is_digit(char c) {
    return c >= '0' && c <= '9';
}

/* Splits an amount into sign, integer digits and fraction digits. 0 or
 * ARCHASE_EPARSE (no digits, a '.' without digits on both sides, or any other
 * character: '+', ',', 'e', spaces). */
static int scan_amount(const char *s, size_t len, amount_syntax *out) {
    size_t i = 0;
    amount_syntax a = { 0, NULL, 0, NULL, 0 };
    if (i < len && s[i] == '-') {
        a.negative = 1;
        i++;
    }
    a.integer = s + i;
    while (i < len && is_digit(s[i]))
        i++;
    a.integer_len = (size_t)(s + i - a.integer);
    if (a.integer_len == 0)
        return ARCHASE_EPARSE;
    if (i < len && s[i] == '.') {
        i++;
        a.fraction = s + i;
        while (i < len && is_digit(s[i]))
            i++;
        a.fraction_len = (size_t)(s + i - a.fraction);
        if (a.fraction_len == 0)
            return ARCHASE_EPARSE;
    }
    if (i != len)
        return ARCHASE_EPARSE;
    *out = a;
    return 0;
}

/* Accumulates decimal digits into *value; 0 or ARCHASE_EOVERFLOW past 2^64. */
static int add_digits(uint64_t *value, const char *digits, size_t len) {
    uint64_t v = *value;
    for (size_t i = 0; i < len; i++) {
        if (__builtin_mul_overflow(v, 10, &v) ||
            __builtin_add_overflow(v, (uint64_t)(digits[i] - '0'), &v))
            return ARCHASE_EOVERFLOW;
    }
    *value = v;
    return 0;
}

/* Shows at most this much of a rejected text in a message. */
#define AR_MONEY_QUOTE_MAX 40

int ar_money_parse_amount_n(const char *amount, size_t amount_len, const char *currency,
                            size_t currency_len, archase_money *out, ar_error *err) {
    int rc = 0;
    amount_syntax a;
    uint64_t magnitude = 0;
    if (!amount || !currency || !out) {
        rc = ar_error_set(err, ARCHASE_EINVAL, "NULL argument");
        goto done;
    }
    if (amount_len == 0) {
        rc = ar_error_set(err, ARCHASE_EPARSE, "empty amount");
        goto done;
    }
    if (scan_amount(amount, amount_len, &a)) {
        rc = ar_error_set(err, ARCHASE_EPARSE,
                          "\"%.*s\" is not an amount (expected [-]DIGITS[.DIGITS])",
                          (int)(amount_len < AR_MONEY_QUOTE_MAX ? amount_len : AR_MONEY_QUOTE_MAX),
                          amount);
        goto done;
    }
    const archase_currency *c = ar_currency_find(currency, currency_len);
    if (!c) {
        rc = ar_error_set(err, ARCHASE_ECURRENCY, "unknown currency \"%.*s\"",
                          (int)(currency_len < AR_MONEY_QUOTE_MAX ? currency_len
                                                                  : AR_MONEY_QUOTE_MAX),
                          currency);
        goto done;
    }
    if (c->minor_units < 0) {
        rc = ar_error_set(err, ARCHASE_ECURRENCY, "%s has no minor unit and is not money",
                          c->code);
        goto done;
    }
    if (a.fraction_len > (size_t)c->minor_units) {
        rc = ar_error_set(err, ARCHASE_EPARSE, "%s has %d decimals", c->code, c->minor_units);
        goto done;
    }
    rc = add_digits(&magnitude, a.integer, a.integer_len);
    if (!rc)
        rc = add_digits(&magnitude, a.fraction, a.fraction_len);
    if (!rc && __builtin_mul_overflow(magnitude,
                                      pow10_table[(size_t)c->minor_units - a.fraction_len],
                                      &magnitude))
        rc = ARCHASE_EOVERFLOW;
    if (!rc && !magnitude_fits(a.negative, magnitude))
        rc = ARCHASE_EOVERFLOW;
    if (rc) {
        rc = ar_error_set(err, rc, "out of range for %s (int64 minor units)", c->code);
        goto done;
    }
    out->minor = from_magnitude(a.negative, magnitude);
    memcpy(out->currency, c->code, sizeof out->currency);
done:
    return rc;
}

int ar_money_parse_n(const char *text, size_t len, archase_money *out, ar_error *err) {
    if (!text || !out)
        return ar_error_set(err, ARCHASE_EINVAL, "NULL argument");
    if (len == 0)
        return ar_error_set(err, ARCHASE_EPARSE, "empty amount");
    /* AMOUNT, one space, a 3-letter code. */
    if (len < 5 || text[len - 4] != ' ')
        return ar_error_set(err, ARCHASE_EPARSE,
                            "expected an amount, one space and a currency code (\"12.50 EUR\")");
    return ar_money_parse_amount_n(text, len - 4, text + len - 3, 3, out, err);
}

int archase_money_parse(const char *text, archase_money *out) {
    if (!text || !out)
        return ARCHASE_EINVAL;
    return ar_money_parse_n(text, strlen(text), out, NULL);
}

int archase_money_parse_amount(const char *amount, const char *currency, archase_money *out) {
    if (!amount || !currency || !out)
        return ARCHASE_EINVAL;
    return ar_money_parse_amount_n(amount, strlen(amount), currency, strnlen(currency, 4), out,
                                   NULL);
}

/* ---- formatting --------------------------------------------------------- */

/* Writes the amount of `m` (and " CODE" when with_code) into buf. */
static int format_money(const archase_money *m, int with_code, char *buf, size_t size) {
    if (!m || !buf)
        return ARCHASE_EINVAL;
    int decimals = money_minor_units(m);
    if (decimals < 0)
        return decimals;
    /* Digits right to left into the end of a scratch buffer. */
    char text[ARCHASE_MONEY_FORMAT_MAX];
    char *p = text + sizeof text;
    uint64_t magnitude = magnitude_of(m->minor);
    if (with_code) {
        p -= 4;
        p[0] = ' ';
        memcpy(p + 1, m->currency, 3);
    }
    for (int i = 0; i < decimals; i++) {
        *--p = (char)('0' + magnitude % 10);
        magnitude /= 10;
    }
    if (decimals > 0)
        *--p = '.';
    do {
        *--p = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    if (m->minor < 0)
        *--p = '-';
    size_t len = (size_t)(text + sizeof text - p);
    if (size < len + 1)
        return ARCHASE_EBUFSIZE;
    memcpy(buf, p, len);
    buf[len] = '\0';
    return 0;
}

int archase_money_format(const archase_money *money, char *buf, size_t size) {
    return format_money(money, 1, buf, size);
}

int archase_money_format_amount(const archase_money *money, char *buf, size_t size) {
    return format_money(money, 0, buf, size);
}

/* ---- arithmetic --------------------------------------------------------- */

/* 0 when a and b are money of the same currency; ARCHASE_EINVAL or
 * ARCHASE_ECURRENCY otherwise. */
static int check_pair(const archase_money *a, const archase_money *b) {
    if (!a || !b)
        return ARCHASE_EINVAL;
    int decimals = money_minor_units(a);
    if (decimals < 0)
        return decimals;
    if (memcmp(a->currency, b->currency, sizeof a->currency) != 0)
        return ARCHASE_ECURRENCY;
    return 0;
}

int archase_money_add(const archase_money *a, const archase_money *b, archase_money *out) {
    int64_t sum;
    int rc = out ? check_pair(a, b) : ARCHASE_EINVAL;
    if (rc)
        return rc;
    if (__builtin_add_overflow(a->minor, b->minor, &sum))
        return ARCHASE_EOVERFLOW;
    archase_money result = *a;
    result.minor = sum;
    *out = result;
    return 0;
}

int archase_money_sub(const archase_money *a, const archase_money *b, archase_money *out) {
    int64_t difference;
    int rc = out ? check_pair(a, b) : ARCHASE_EINVAL;
    if (rc)
        return rc;
    if (__builtin_sub_overflow(a->minor, b->minor, &difference))
        return ARCHASE_EOVERFLOW;
    archase_money result = *a;
    result.minor = difference;
    *out = result;
    return 0;
}

int archase_money_cmp(const archase_money *a, const archase_money *b, int *result) {
    int rc = result ? check_pair(a, b) : ARCHASE_EINVAL;
    if (rc)
        return rc;
    *result = (a->minor > b->minor) - (a->minor < b->minor);
    return 0;
}

/* ---- splitting ---------------------------------------------------------- */

int archase_money_split(const archase_money *total, uint32_t n, archase_money *parts) {
    if (!total || !parts || n == 0)
        return ARCHASE_EINVAL;
    int rc = money_minor_units(total);
    if (rc < 0)
        return rc;
    /* Parts of the magnitude, the sign put back: -100 in 3 is -34, -33, -33. */
    const archase_money whole = *total; /* parts may overlap total */
    int negative = whole.minor < 0;
    uint64_t magnitude = magnitude_of(whole.minor);
    uint64_t share = magnitude / n, extra = magnitude % n;
    for (uint32_t i = 0; i < n; i++) {
        parts[i] = whole;
        parts[i].minor = from_magnitude(negative, share + (i < extra ? 1 : 0));
    }
    return 0;
}

static ar_u128 load_u128(const archase_money *slot) {
    ar_u128 v;
    memcpy(&v, slot, sizeof v);
    return v;
}

int archase_money_split_weights(const archase_money *total, const int64_t *weights, uint32_t n,
                                archase_money *parts) {
    _Static_assert(sizeof(archase_money) >= sizeof(ar_u128), "a part holds a remainder");
    if (!total || !weights || !parts || n == 0)
        return ARCHASE_EINVAL;
    int rc = money_minor_units(total);
    if (rc < 0)
        return rc;
    /* The weights sum to less than 2^95 and |total| * weight is below 2^126,
     * so nothing below overflows. */
    ar_u128 weight_sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (weights[i] < 0)
            return ARCHASE_EINVAL;
        weight_sum += (uint64_t)weights[i];
    }
    if (weight_sum == 0)
        return ARCHASE_EINVAL;

    const archase_money whole = *total; /* parts may overlap total */
    int negative = whole.minor < 0;
    uint64_t magnitude = magnitude_of(whole.minor);

    /* Floors of the exact shares; `leftover` units (fewer than n) go to the
     * largest remainders. Until the last loop each part holds its remainder. */
    uint64_t floor_sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        ar_u128 exact = (ar_u128)magnitude * (uint64_t)weights[i];
        floor_sum += (uint64_t)(exact / weight_sum);
        ar_u128 remainder = exact % weight_sum;
        memcpy(&parts[i], &remainder, sizeof remainder);
    }
    uint64_t leftover = magnitude - floor_sum;

    /* The largest `threshold` with at least `leftover` remainders >= it, bit
     * by bit from the top: every remainder above it gets a unit, and the
     * first ones equal to it (lowest indexes) get the rest. */
    ar_u128 threshold = 0;
    uint64_t above = 0;
    if (leftover > 0) {
        for (int bit = 127; bit >= 0; bit--) {
            ar_u128 candidate = threshold | ((ar_u128)1 << bit);
            if (candidate >= weight_sum)
                continue;
            uint64_t count = 0;
            for (uint32_t i = 0; i < n; i++)
                count += load_u128(&parts[i]) >= candidate;
            if (count >= leftover)
                threshold = candidate;
        }
        for (uint32_t i = 0; i < n; i++)
            above += load_u128(&parts[i]) > threshold;
    }
    uint64_t ties = leftover - above;

    for (uint32_t i = 0; i < n; i++) {
        ar_u128 remainder = load_u128(&parts[i]);
        uint64_t share = (uint64_t)((ar_u128)magnitude * (uint64_t)weights[i] / weight_sum);
        if (leftover > 0 && remainder > threshold) {
            share++;
        } else if (leftover > 0 && remainder == threshold && ties > 0) {
            share++;
            ties--;
        }
        parts[i] = whole;
        parts[i].minor = from_magnitude(negative, share);
    }
    return 0;
}

/* ---- rates -------------------------------------------------------------- */

int archase_money_apply_rate(const archase_money *money, int64_t numerator, int64_t denominator,
                             archase_money *out) {
    if (!money || !out || denominator <= 0)
        return ARCHASE_EINVAL;
    int rc = money_minor_units(money);
    if (rc < 0)
        return rc;
    int negative = (money->minor < 0) != (numerator < 0);
    ar_u128 product = (ar_u128)magnitude_of(money->minor) * magnitude_of(numerator);
    ar_u128 quotient = product / (uint64_t)denominator;
    ar_u128 remainder = product % (uint64_t)denominator;
    /* Half to even on the magnitude, which is symmetric around zero. */
    ar_u128 twice = remainder * 2;
    if (twice > (uint64_t)denominator || (twice == (uint64_t)denominator && (quotient & 1)))
        quotient++;
    if (!magnitude_fits(negative, quotient))
        return ARCHASE_EOVERFLOW;
    archase_money result = *money;
    result.minor = from_magnitude(negative && quotient != 0, (uint64_t)quotient);
    *out = result;
    return 0;
}
