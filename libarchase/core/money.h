/* libarchase/core/money.h — money and currency helpers shared inside the library. */
#ifndef AR_CORE_MONEY_H
#define AR_CORE_MONEY_H

#include <stddef.h>

#include "archase/money.h"
#include "core/error.h"

/* The ISO 4217 table (generated: core/currency_table.c), sorted by code. */
extern const archase_currency ar_currency_table[];
extern const size_t ar_currency_table_size;

/* The table entry of the `len`-byte code (not NUL-terminated; upper case),
 * or NULL when there is none. Codes without a minor unit are found too. */
const archase_currency *ar_currency_find(const char *code, size_t len);

/* The number of decimals (0..4) of a currency that can be used as money, or
 * ARCHASE_ECURRENCY (negative) when the `len`-byte code is unknown or has no
 * minor unit. */
int ar_currency_minor_units(const char *code, size_t len);

/* archase_money_parse over `len` bytes of `text` (not NUL-terminated), for
 * readers that hold a slice of a larger buffer. On failure `err` (may be NULL)
 * receives a message naming what is wrong ("EUR has 2 decimals"). */
int ar_money_parse_n(const char *text, size_t len, archase_money *out, ar_error *err);

/* archase_money_parse_amount over slices: `amount_len` bytes of the amount and
 * `currency_len` bytes of the code (a CSV importer's two fields). */
int ar_money_parse_amount_n(const char *amount, size_t amount_len, const char *currency,
                            size_t currency_len, archase_money *out, ar_error *err);

#endif
