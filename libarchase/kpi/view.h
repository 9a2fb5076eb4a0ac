/* libarchase/kpi/view.h — the ledger as the KPIs, the forecast and the replay
 * read it: every invoice, payment, promise and dispute of a store in compact
 * arrays, so that any figure can be computed "as the facts stood" on any
 * date without reading the store again.
 *
 * Invoices and payments come from envelope-only scans (ARCHASE_SCAN_NO_DATA:
 * the envelope has every field needed); promises and disputes are few and
 * are decoded for the invoices they cover, grace days, instalments, reason
 * codes and root causes. Unapplied cash (a payment without an invoice) is
 * not receivable and is left out.
 */
#ifndef AR_KPI_VIEW_H
#define AR_KPI_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "archase/engine.h"
#include "kpi/strtab.h"

/* An invoice. Its payments are view->payments[pay_first .. pay_first +
 * pay_count), in date order. */
typedef struct ar_kv_invoice {
    archase_date issue;
    archase_date due;
    archase_date settled;   /* the first date its open amount reached zero; NONE */
    uint32_t     customer;  /* view->customers */
    uint16_t     currency;  /* view->currencies */
    uint8_t      is_void;   /* void invoices are never receivable */
    int64_t      amount;
    uint32_t     pay_first;
    uint32_t     pay_count;
} ar_kv_invoice;

typedef struct ar_kv_payment {
    archase_date date;
    int32_t      kind;    /* archase_payment_kind */
    int64_t      applied; /* the part applied to the invoice */
} ar_kv_payment;

typedef struct ar_kv_promise {
    uint32_t     id;            /* view->promise_ids */
    uint32_t     customer;
    uint16_t     currency;
    int32_t      status;        /* ARCHASE_PROMISE_STATUS_* as stored */
    archase_date promised;
    archase_date recorded;      /* NONE when not recorded */
    int32_t      grace_days;    /* ARCHASE_GRACE_POLICY_DEFAULT = the policy's */
    int64_t      amount;
    uint32_t     inv_first;     /* covered invoices: view->links[inv_first ..] */
    uint32_t     inv_count;
    uint32_t     inst_first;    /* instalments: view->instalments[inst_first ..] */
    uint32_t     inst_count;
} ar_kv_promise;

typedef struct ar_kv_instalment {
    archase_date date;
    int64_t      amount;
} ar_kv_instalment;

typedef struct ar_kv_dispute {
    uint32_t     id;            /* view->dispute_ids */
    uint32_t     customer;
    uint16_t     currency;
    int32_t      status;        /* archase_dispute_status */
    archase_date opened;
    archase_date resolved;      /* NONE while not resolved */
    int64_t      amount;
    uint32_t     reason;        /* view->names */
    uint32_t     root_cause;    /* view->names, or AR_STRTAB_NONE */
    uint32_t     inv_first;
    uint32_t     inv_count;
} ar_kv_dispute;

typedef struct ar_kv {
    const archase_allocator *allocator;
    ar_strtab         invoice_ids;  /* invoice i has id invoice_ids[i] */
    ar_strtab         customer_ids;
    ar_strtab         promise_ids;
    ar_strtab         dispute_ids;
    ar_strtab         names;        /* reason codes and root causes */
    char            (*currencies)[4];
    size_t            currency_count;
    ar_kv_invoice    *invoices;
    size_t            invoice_count, invoice_cap;
    ar_kv_payment    *payments;
    size_t            payment_count;
    ar_kv_promise    *promises;
    size_t            promise_count, promise_cap;
    ar_kv_dispute    *disputes;
    size_t            dispute_count, dispute_cap;
    uint32_t         *links;        /* invoice numbers covered by promises and disputes */
    size_t            link_count, link_cap;
    ar_kv_instalment *instalments;
    size_t            instalment_count, instalment_cap;
} ar_kv;

void ar_kv_init(ar_kv *v, const archase_allocator *a);
void ar_kv_free(ar_kv *v);

/* Loads the store of `e` (only `currency`'s facts when it is not NULL).
 * 0, ARCHASE_ESTORAGE, ARCHASE_ENOMEM, ARCHASE_ERANGE (more than 2^32-2
 * invoices); the message is on the engine. On failure `v` is empty. */
int ar_kv_load(ar_kv *v, archase_engine *e, const char *currency);

/* The currency number of `code`, or -1. */
int ar_kv_currency(const ar_kv *v, const char *code);
/* The currency number of `code`, adding it. 0, ARCHASE_ENOMEM or ARCHASE_ERANGE. */
int ar_kv_add_currency(ar_kv *v, const char *code, uint16_t *out);

/* What the payments dated on or before `d` applied to the invoice. */
static inline int64_t ar_kv_paid_by(const ar_kv *v, const ar_kv_invoice *inv, archase_date d) {
    int64_t paid = 0;
    const ar_kv_payment *p = v->payments + inv->pay_first;
    for (uint32_t k = 0; k < inv->pay_count && p[k].date <= d; k++)
        paid += p[k].applied;
    return paid;
}

/* The invoice's open amount at the end of day `d`: 0 before it was issued
 * and for a void invoice, else its amount less what was applied by `d`. */
static inline int64_t ar_kv_open_at(const ar_kv *v, const ar_kv_invoice *inv, archase_date d) {
    if (inv->is_void || inv->issue > d)
        return 0;
    return inv->amount - ar_kv_paid_by(v, inv, d);
}

/* What payments of kind ARCHASE_PAYMENT dated in [from, to] paid to the
 * invoice (from may be NONE: no lower bound). */
int64_t ar_kv_cash_between(const ar_kv *v, const ar_kv_invoice *inv, archase_date from,
                           archase_date to);

/* The promise's deadline: its date plus its grace days, or plus
 * `default_grace` when it takes the policy's. */
archase_date ar_kv_promise_deadline(const ar_kv_promise *p, int32_t default_grace);

/* What payments (ARCHASE_PAYMENT only) to the promise's invoices paid
 * toward it: those dated from its recorded date (when known) to `until`,
 * at most the promised amount. */
int64_t ar_kv_promise_paid(const ar_kv *v, const ar_kv_promise *p, archase_date until);

/* How a promise due by its deadline turned out (docs/kpi-formulas.md,
 * "Promise-kept rate"), the same as the promise state machine decides it:
 * AR_KV_PROMISE_KEPT when paid toward it, by each deadline (each
 * instalment's date + grace for a plan: a series of promises), what was due
 * by then; AR_KV_PROMISE_NOT_KEPT when a deadline passed without it; and
 * AR_KV_PROMISE_VOID when all its invoices were closed, with less than its
 * amount paid toward it, before a deadline was missed (a credit note, a
 * write-off: nothing was left to keep; the state machine cancels it). */
#define AR_KV_PROMISE_NOT_KEPT 0
#define AR_KV_PROMISE_KEPT 1
#define AR_KV_PROMISE_VOID 2
int ar_kv_promise_outcome(const ar_kv *v, const ar_kv_promise *p, int32_t default_grace);

#endif
