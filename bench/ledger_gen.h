/* bench/ledger_gen.h — a seeded synthetic ledger for benchmarks: customers,
 * invoices and payments with realistic lateness. The same seed gives the
 * same ledger on every machine. Used by the storage, engine, cycle and KPI
 * benchmarks. */
#ifndef ARCHASE_BENCH_LEDGER_GEN_H
#define ARCHASE_BENCH_LEDGER_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "archase/archase.h"

typedef struct ledger_gen_options {
    uint64_t     seed;
    uint32_t     customers;       /* e.g. 100000 */
    uint32_t     invoices;        /* e.g. 1000000 */
    archase_date first_issue;     /* invoices are issued over `days` days from here */
    uint32_t     days;
    archase_date as_of;           /* payments after this date are not made */
    const char  *currency;        /* "EUR" */
} ledger_gen_options;

/* The defaults: seed 42, 100k customers, 1M invoices, a year of invoices
 * from 2025-01-01, as of 2026-01-31, EUR. */
void ledger_gen_defaults(ledger_gen_options *o);

/* Receivers; each struct is valid during the call only. Return 0 to go on. */
typedef struct ledger_gen_sink {
    void *userdata;
    int (*customer)(void *userdata, const archase_customer *c);
    int (*invoice)(void *userdata, const archase_invoice *inv);
    int (*payment)(void *userdata, const archase_payment *p);
} ledger_gen_sink;

/* Generates the ledger: every customer first, then every invoice followed
 * by its payments (if any). Customers pay on a per-customer habit: most pay
 * within a few days of the due date, some 30-90 days late, a few never;
 * about 5% of paid invoices are paid in two parts. Returns 0 or the first
 * non-zero result of a receiver. */
int ledger_gen_run(const ledger_gen_options *o, const ledger_gen_sink *sink);

#endif
