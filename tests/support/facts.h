/* tests/support/facts.h — facts of every kind put through the public API,
 * and the ledger the replay's snapshot suites start from: three customers
 * over January to April 2026 with flags and contacts, invoices, payments
 * (partial, in full, a credit note, unapplied cash, one dated before its
 * invoice was issued), promises (with instalments, recorded late, without a
 * recorded day), disputes (opened, resolved later) and notes. Amounts are
 * EUR minor units; days are "YYYY-MM-DD". Every put that fails fails the
 * test with the error's name and the engine's message. */
#ifndef ARCHASE_TEST_FACTS_H
#define ARCHASE_TEST_FACTS_H

#include <stdint.h>

#include "archase/archase.h"

/* Customer `id` (named `id`, owner anna, collector bob) in time zone `zone`
 * with segment `tier` (may be NULL), and its primary email contact
 * "<id>:email" at ap@<id>.example, with consent. */
void test_fact_customer(archase_engine *eng, const char *id, const char *zone, const char *tier);

/* Invoice `id` of `cust` (number `id`, PO-7). */
void test_fact_invoice(archase_engine *eng, const char *cust, const char *id, const char *issued,
                       const char *due, int64_t minor);

/* Payment `id` of `cust` on `inv` (NULL = unapplied) of `kind`
 * (ARCHASE_PAYMENT, ARCHASE_CREDIT_NOTE, ...). */
void test_fact_payment(archase_engine *eng, const char *cust, const char *id, const char *inv, int kind,
                       const char *date, int64_t minor);

/* Promise `id` of `cust` for `inv` (and `inv2`, may be NULL), taken by bob
 * on a call, recorded on `recorded` (NULL = no day); with `instalments`, a
 * plan of two halves due on `promised` and 14 days later, else due on
 * `promised`. */
void test_fact_promise(archase_engine *eng, const char *cust, const char *id, const char *inv,
                       const char *inv2, const char *promised, const char *recorded, int64_t minor,
                       int instalments);

/* Dispute `id` of `cust` over `inv` for 50.00 EUR ("pricing", owner carla),
 * opened on `opened`; rejected on `resolved` unless that is NULL. */
void test_fact_dispute(archase_engine *eng, const char *cust, const char *id, const char *inv,
                       const char *opened, const char *resolved);

/* Note `id` (its text is `id`, by bob) of `cust` on `inv` (may be NULL),
 * written at `hour` o'clock UTC on `day`. */
void test_fact_note(archase_engine *eng, const char *cust, const char *id, const char *inv, const char *day,
                    int hour);

/* Puts the three customers C1..C3 and their facts described above. */
void test_facts_ledger(archase_engine *eng);

/* Loads examples/policies/`name` below ARCHASE_SOURCE_ROOT (".." when unset). */
archase_policy *test_example_policy(const char *name);

/* The fixture of the replay snapshot suites: a memory store kept open
 * across engines, an engine over it that does not own it, and the policy
 * examples/policies/enterprise-formal.yaml. */
typedef struct test_facts_fixture {
    archase_storage store;
    archase_engine *eng;
    archase_policy *policy;
} test_facts_fixture;

/* cmocka setup and teardown: *state becomes a heap test_facts_fixture,
 * with test_facts_ledger put (test_facts_setup) or with no facts at all
 * (test_facts_setup_empty); teardown frees the policy and the engine, then
 * closes the store. */
int test_facts_setup(void **state);
int test_facts_setup_empty(void **state);
int test_facts_teardown(void **state);

#endif
