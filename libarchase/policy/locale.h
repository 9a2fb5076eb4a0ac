/* libarchase/policy/locale.h — amounts and dates written for a reader.
 *
 * Locales known: en (also en-GB and any other en-*), en-US, de, fr, nl, es,
 * it. A locale is matched exactly ("en-US"), then by its language ("de-AT" is
 * de), and anything else is written as en. Tags compare case-insensitively,
 * with '_' read as '-'.
 *
 *            amount              date
 *   en       €1,234.56           1 March 2026
 *   en-US    €1,234.56           March 1, 2026
 *   de       1.234,56 €          1. März 2026
 *   fr       1 234,56 €          1 mars 2026
 *   nl       € 1.234,56          1 maart 2026
 *   es       1.234,56 €          1 de marzo de 2026
 *   it       1.234,56 €          1 marzo 2026
 *
 * Currencies with a common sign (EUR €, USD $, GBP £, JPY ¥) use it; others
 * use their code ("CHF 1,234.56", "1.234,56 CHF"). Every minor digit of the
 * currency is written. No floating point is involved. */
#ifndef AR_POLICY_LOCALE_H
#define AR_POLICY_LOCALE_H

#include "archase/date.h"
#include "archase/money.h"
#include "core/buf.h"

/* Appends the amount as the locale writes it (nothing for an amount without
 * a currency). */
void ar_format_money(const char *locale, const archase_money *m, ar_buf *out);
/* Appends the date as the locale writes it (nothing for ARCHASE_DATE_NONE). */
void ar_format_date(const char *locale, archase_date date, ar_buf *out);

/* 1 when `a` and `b` name the same locale (case-insensitive, '_' = '-'). */
int ar_locale_equal(const char *a, size_t a_len, const char *b, size_t b_len);
/* The length of the language part of a tag ("de" of "de-AT"). */
size_t ar_locale_language_len(const char *tag);
/* 1 when `tag` is a well-formed locale tag: a 2-3 letter language, then
 * optional '-' subtags of 2-8 letters or digits. */
int ar_locale_valid(const char *tag, size_t len);

#endif
