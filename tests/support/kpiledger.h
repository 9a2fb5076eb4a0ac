/* tests/support/kpiledger.h — what the KPI suites build and read over a
 * test_memengine (memengine.h): customers, invoices, and the payments,
 * promises and disputes of customer C1; the KPI report of a period, its
 * reviewer effort and its row of a currency. Everything goes through the public API; every call
 * that fails fails the test. */
#ifndef ARCHASE_TEST_KPILEDGER_H
#define ARCHASE_TEST_KPILEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "archase/archase.h"
#include "memengine.h"

/* An amount "1234.56 EUR" and an instant in ISO 8601 (fail the test when
 * they do not parse). */
archase_money   test_money(const char *text);
archase_instant test_instant(const char *text);

/* Puts customer `id`, named after its id. */
void test_kpi_customer(test_memengine *f, const char *id);

/* Puts invoice `id` of `customer` (which must exist) for `money`, issued on
 * `issued`, due on `due`, with source status `status`. */
void test_kpi_invoice(test_memengine *f, const char *customer, const char *id, const char *issued,
                      const char *due, const char *money, int status);

/* Puts payment `id` of C1 on `invoice`, of kind `kind`, dated `date`, of
 * `money`. */
void test_kpi_paid(test_memengine *f, const char *id, const char *invoice, const char *date, const char *money,
                   int kind);

/* Puts promise `id` of C1 over the `n` invoices `invoices` to pay `money`
 * by `date` with `grace` days, recorded on `recorded` (NULL = no day). */
void test_kpi_promise(test_memengine *f, const char *id, const char *const *invoices, size_t n, const char *money,
                      const char *date, int32_t grace, const char *recorded);

/* Puts dispute `id` of C1 over `invoice` for `money` with `reason`, opened
 * on `opened`, with `root_cause` (may be NULL); resolved (rejected) on
 * `resolved` unless that is NULL. */
void test_kpi_dispute(test_memengine *f, const char *id, const char *invoice, const char *money,
                      const char *reason, const char *opened, const char *resolved, const char *root_cause);

/* Computes the KPIs from `from` to `to` with options `o` (may be NULL)
 * into f->report, freeing the one before. */
void test_kpi_compute(test_memengine *f, const char *from, const char *to, const archase_kpi_options *o);

/* Computes the KPIs from `from` to `to` with the `n` reviews `reviews` and
 * no other options, and returns the report's reviewer effort. */
archase_kpi_reviewer_effort test_kpi_reviewer_effort(test_memengine *f, const char *from, const char *to,
                                                     const archase_kpi_review *reviews, size_t n);

/* The index of the report's row of `currency` (fails the test without one). */
size_t test_kpi_row(test_memengine *f, const char *currency);

#endif
