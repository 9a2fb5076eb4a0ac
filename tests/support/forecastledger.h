/* tests/support/forecastledger.h — what the forecast suites build and read
 * over a test_memengine (memengine.h): customers with their invoices and
 * payments and promises, a customer's history of invoices paid a set number of days
 * late, the forecast run and its rows and weeks. Everything goes through
 * the public API; every call that fails fails the test. */
#ifndef ARCHASE_TEST_FORECASTLEDGER_H
#define ARCHASE_TEST_FORECASTLEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "archase/archase.h"
#include "memengine.h"

/* Puts customer `customer` (named after its id) and its invoice `id` for
 * `minor` in `currency`, issued on `issued`, due on `due`. */
void test_forecast_invoice(test_memengine *f, const char *customer, const char *id, archase_date issued,
                           archase_date due, int64_t minor, const char *currency);

/* Puts payment `id` of `customer` on `invoice`, dated `date`, of `minor` in
 * `currency`. */
void test_forecast_payment(test_memengine *f, const char *customer, const char *id, const char *invoice,
                           archase_date date, int64_t minor, const char *currency);

/* Puts promise `id` of C1 over the `n` invoices `invoices` to pay `minor`
 * EUR by `date` with no grace days, recorded on `recorded`, in the `parts`
 * instalments `plan` (NULL and 0 = none). */
void test_forecast_promise(test_memengine *f, const char *id, const char *const *invoices, size_t n, int64_t minor,
                           const char *date, const char *recorded, const archase_instalment *plan, size_t parts);

/* `n` invoices of `customer`, due every 7 days up to `last_due`, each paid
 * `late` days after its due date (when that is on or before `paid_by`). */
void test_forecast_history(test_memengine *f, const char *customer, int n, archase_date last_due, int late,
                           int64_t minor, archase_date paid_by);

/* Runs the forecast as of the day `as_of` with options `o` (may be NULL)
 * into f->fc, freeing the one before. */
void test_forecast_run(test_memengine *f, const char *as_of, const archase_forecast_options *o);

/* Row `i` of f->fc, and week `k` of row `row`. */
archase_forecast_row  test_forecast_row(test_memengine *f, size_t i);
archase_forecast_week test_forecast_week(test_memengine *f, size_t row, uint32_t k);

/* Asserts that everything open in row `row` is expected, later, doubtful
 * or left out as disputed, and that its weeks add up. */
void test_forecast_accounted_for(test_memengine *f, size_t row);

#endif
