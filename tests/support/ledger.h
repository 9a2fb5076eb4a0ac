/* tests/support/ledger.h — the small ledger the promise, dispute and
 * reconciliation suites start from: an engine (memory store, or a backend
 * the test gives, e.g. a faultstore), a policy loaded from YAML text, the
 * customer ACME ("ACME GmbH") and its invoices INV-1 and INV-2 in EUR,
 * issued 2026-02-01 and due 2026-03-01. Everything goes through the public
 * API. */
#ifndef ARCHASE_TEST_LEDGER_H
#define ARCHASE_TEST_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "archase/archase.h"
#include "faultstore.h"

typedef struct test_ledger {
    archase_engine *eng;
    archase_policy *policy;
} test_ledger;

/* What differs between the suites. */
typedef struct test_ledger_spec {
    const char *policy_yaml;  /* the policy's text */
    const char *actor;        /* the engine's actor */
    const char *collector;    /* ACME's collector; NULL = none */
    const char *owner;        /* ACME's account owner; NULL = none */
    int64_t     credit_limit; /* ACME's credit limit in EUR minor units; 0 = none */
    int64_t     inv1, inv2;   /* the amounts of INV-1 and INV-2, EUR minor units */
    const archase_clock *clock; /* NULL = the system clock */
} test_ledger_spec;

/* A day "YYYY-MM-DD" (fails the test when it does not parse). */
archase_date test_day(const char *text);

/* Opens the ledger of `spec` on `storage` (NULL = a new memory store; the
 * engine owns it either way) with allocator `a` (may be NULL). Returns 0 or
 * the first failing call's code; l->eng and l->policy are set as far as
 * they got, and test_ledger_close frees them either way. */
int  test_ledger_open(test_ledger *l, const test_ledger_spec *spec, const archase_allocator *a,
                      const archase_storage *storage);
void test_ledger_close(test_ledger *l);

/* The same over a memory store wrapped by a faultstore that fails nothing
 * yet: set (*fs)->fail_at to fail a call. Asserts that it opened.
 * test_ledger_close_faulty closes the engine, then frees *fs. */
void test_ledger_open_faulty(test_ledger *l, const test_ledger_spec *spec, faultstore **fs);
void test_ledger_close_faulty(test_ledger *l, faultstore *fs);

/* The storage-failure loop: round N opens a fresh ledger of `spec` over a
 * faultstore, and the Nth storage call after test_fault_arm fails, until a
 * round in which none failed (which must take more than three calls):
 *
 *     test_fault_round r;
 *     for (test_fault_start(&r, &ledger); test_fault_next(&r);) {
 *         ... what the call needs (nothing fails) ...
 *         test_fault_arm(&r);
 *         int rc = the_call(r.l.eng, ...);
 *         if (test_fault_disarm(&r)) ... it failed: nothing changed
 *         else ... it worked
 *     }
 *
 * After each round the audit log must verify; then the ledger is closed. */
typedef struct test_fault_round {
    const test_ledger_spec *spec;
    test_ledger             l;
    faultstore             *fs;
    size_t                  n;
    int                     failed;
} test_fault_round;
void test_fault_start(test_fault_round *r, const test_ledger_spec *spec);
int  test_fault_next(test_fault_round *r);
void test_fault_arm(test_fault_round *r);
int  test_fault_disarm(test_fault_round *r);

/* cmocka setup and teardown: *state becomes a heap test_ledger of `spec`. */
int test_ledger_setup(void **state, const test_ledger_spec *spec);
int test_ledger_teardown(void **state);

/* Puts invoice `id` of `customer` for `minor` EUR, issued on `issue`, due
 * on `due`. Returns archase_invoice_put's result. */
int test_ledger_invoice(archase_engine *eng, const char *id, const char *customer, int64_t minor,
                        const char *issue, const char *due);

/* Puts payment `id` of `customer` on `invoice` (NULL = unapplied), dated
 * `date`, of `minor` in `currency`, with bank `reference` (may be NULL),
 * marked as an overpayment when `overpayment`. Returns
 * archase_payment_put's result. */
int test_ledger_payment(archase_engine *eng, const char *id, const char *customer, const char *invoice,
                        const char *date, int64_t minor, const char *currency, const char *reference,
                        int overpayment);

/* The number of records in the audit log (fails the test on an error). */
uint64_t test_audit_size(archase_engine *eng);

/* Fails the test unless `rc` is `code` and the engine's message says
 * `words`. */
void test_says(const test_ledger *l, int rc, int code, const char *words);

/* The open amount of `invoice`, minor units (fails the test on an error). */
int64_t test_open_amount(const test_ledger *l, const char *invoice);

/* Runs the lifecycle update as of `as_of` and returns its counts (fails
 * the test on an error). */
archase_lifecycle_counts test_lifecycle_update(const test_ledger *l, const char *as_of);

/* A dispute `id` by anna of ACME over INV-1 for `minor` EUR with
 * `reason`, and opening it as of `as_of` (fails the test on an error). */
archase_dispute test_dispute(const char *id, const char *reason, int64_t minor);
void            test_dispute_open(const test_ledger *l, const archase_dispute *d, const char *as_of);

/* A copy of one stored record that outlives the storage call: the
 * undecodable-record tests store it cut short, then whole again. */
typedef struct test_stored_copy {
    archase_record rec;
    char           id[64], customer[64];
    unsigned char  data[4096];
} test_stored_copy;

/* Copies the record (`family`, `id`) of `store` into *c (fails the test
 * when it is not there or does not fit). */
void test_stored_copy_get(const archase_storage *store, int family, const char *id, test_stored_copy *c);

/* Stores c's record cut to its first `size` bytes. */
void test_stored_copy_put_cut(const archase_storage *store, const test_stored_copy *c, size_t size);

/* A clock the tests move: the engine reads test_ledger_now (seconds since
 * the epoch) from test_ledger_clock; give &test_ledger_clock as a spec's
 * clock. */
extern archase_instant       test_ledger_now;
extern const archase_clock   test_ledger_clock;

/* The value of the driver `name` of `r`, and its direction in *direction
 * (fails the test when `r` has no such driver). */
int64_t test_credit_driver(const archase_credit_recommendation *r, const char *name, int *direction);

/* What an outbox item says, copied out of the callback. */
typedef struct test_outbox_copy {
    int             found, status, channel;
    int             quiet, window, holiday, zone_unknown; /* the reasons it was deferred for */
    int             deferred;                             /* by the send window or quiet hours */
    archase_instant scheduled_at;
    archase_date    local_date;
    int32_t         local_seconds;
    char            address[64], subject[128], body[256], tmpl[32], zone[32], invoices[256];
} test_outbox_copy;

/* The outbox item `key` (found = 0 when there is none; fails the test on
 * an error). */
test_outbox_copy test_outbox_copy_get(archase_engine *eng, const char *key);

/* What an approval request says, copied out of the callback. */
typedef struct test_approval_copy {
    int     status;
    int64_t amount;
    char    justification[200], impact[128], replaced_by[ARCHASE_APPROVAL_ID_MAX], invoices[64];
} test_approval_copy;

/* The approval request `id` (fails the test when it cannot be read). */
test_approval_copy test_approval_copy_get(const test_ledger *l, const char *id);

/* fiona, finance_lead, approves request `id` for `reason`: returns
 * archase_approval_approve's result, or fails the test on an error. */
int  test_approval_approve_rc(const test_ledger *l, const char *id, const char *reason);
void test_approval_approve(const test_ledger *l, const char *id, const char *reason);

/* The number of approval requests (fails the test on an error). */
int test_approval_count(const test_ledger *l);

/* The reconciliation queue as a scan sees it: each item "id=reason/minor;"
 * in text, their number, and the last one's fields. */
typedef struct test_recon_queue {
    char         text[2048];
    int          n, status, resolution;
    int64_t      amount;
    archase_date sla_due;
    char         owner[32], approval[ARCHASE_APPROVAL_ID_MAX];
} test_recon_queue;

/* The scan callback that fills a test_recon_queue (ud). */
int test_recon_collect(void *ud, const archase_recon_item *it);

/* The items of the queue with `status` (0 = all; fails the test on an
 * error). */
test_recon_queue test_recon_items(const test_ledger *l, int status);

/* Puts ACME again, as revision 1: as `spec` has it, but in `timezone`.
 * Fails the test on an error. */
void test_ledger_move_acme(const test_ledger *l, const test_ledger_spec *spec, const char *timezone);

/* Pieces of the suites' policy text, string literals to be put together
 * with the rest of it. The head: version 1 in EUR, one segment whose
 * sequence queues a call a day after the due date. */
#define TEST_LEDGER_POLICY_HEAD                \
    "version: 1\n"                             \
    "currency: {default: EUR}\n"               \
    "segments: [{name: all, sequence: s}]\n"   \
    "sequences: {s: {steps: [{offset: 1, action: queue_call}]}}\n"
/* Approvals by one finance_lead, below and above the threshold; the
 * approvals block's other keys may follow. */
#define TEST_LEDGER_POLICY_APPROVALS \
    "approvals:\n"                  \
    "  roles: [finance_lead]\n"     \
    "  approvers_below: 1\n"        \
    "  approvers_above: 1\n"

#endif
