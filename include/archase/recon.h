/* include/archase/recon.h — the reconciliation queue ("expected vs
 * actual"): payments that do not match what was expected, each isolated
 * with a reason, the facts, an owner and an SLA, until a person resolves it.
 *
 * Items are opened by archase_payment_put (overpayment, unapplied cash) and
 * by the daily cycle or archase_lifecycle_update (the other reasons).
 * Resolving one is recorded as a fact of its own, with its audit record;
 * a write-off needs an approval first. docs/promises-disputes.md has the
 * reasons and what each resolution does. */
#ifndef ARCHASE_RECON_H
#define ARCHASE_RECON_H

#include "archase/approval.h"
#include "archase/common.h"
#include "archase/engine.h"
#include "archase/money.h"
#include "archase/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Why a payment is in the queue. Values are pinned. */
typedef enum archase_recon_reason {
    ARCHASE_RECON_OVERPAYMENT = 1,         /* more than the invoice's open amount */
    ARCHASE_RECON_SHORT_PAY = 2,           /* a small remainder left open, no credit for it */
    ARCHASE_RECON_UNAPPLIED_CASH = 3,      /* no invoice named */
    ARCHASE_RECON_DISPUTED_INVOICE = 4,    /* paid on an invoice with an open dispute */
    ARCHASE_RECON_PROMISE_AMOUNT = 5,      /* a promise paid by a different amount */
    ARCHASE_RECON_OTHER_CURRENCY = 6,      /* cash in a currency none of the open invoices is in */
    ARCHASE_RECON_DUPLICATE_REFERENCE = 7  /* a payment reference seen before */
} archase_recon_reason;

/* "overpayment", "short_pay", "unapplied_cash", "disputed_invoice",
 * "promise_amount", "other_currency", "duplicate_reference"; NULL otherwise. */
ARCHASE_API const char *archase_recon_reason_name(int reason);

/* How an item is resolved. Values are pinned. */
typedef enum archase_recon_resolution {
    ARCHASE_RECON_APPLY = 1,     /* apply the money to an invoice (or confirm how it applied) */
    ARCHASE_RECON_REFUND = 2,    /* the money goes back to the customer */
    ARCHASE_RECON_WRITE_OFF = 3  /* written off: approval-gated */
} archase_recon_resolution;

/* "apply", "refund", "write_off"; NULL otherwise; and back (0 or ARCHASE_EINVAL). */
ARCHASE_API const char *archase_recon_resolution_name(int resolution);
ARCHASE_API int archase_recon_resolution_from_name(const char *name, int *out);

/* One item of the queue. Valid during the callback only. */
typedef struct archase_recon_item {
    unsigned      version;           /* ARCHASE_RECON_ITEM_VERSION */
    const char   *id;                /* "<reason>:<payment, invoice or promise id>" */
    int           reason;            /* archase_recon_reason */
    int           status;            /* ARCHASE_RECON_STATUS_OPEN or _RESOLVED (archase/sys/storage.h) */
    const char   *customer_id;
    const char   *invoice_id;        /* NULL when none */
    const char   *payment_id;        /* NULL for promise_amount */
    const char   *promise_id;        /* promise_amount only */
    archase_money amount;            /* the amount to reconcile */
    archase_date  date;              /* the payment's date (promise_amount: the day it was found) */
    const char   *owner_role;        /* the policy's reconciliation.owner_role */
    archase_date  sla_due;           /* date + reconciliation.sla_days */
    int           resolution;        /* archase_recon_resolution, 0 while open */
    const char   *target_invoice_id; /* apply: where the money went */
    const char   *resolved_by;
    archase_date  resolved_on;
    const char   *note;
    const char   *approval_id;       /* a write-off waiting for approval, else NULL */
} archase_recon_item;
#define ARCHASE_RECON_ITEM_VERSION 1

typedef int (*archase_recon_fn)(void *userdata, const archase_recon_item *item);

/* Hands every item with `status` (0 = any) to fn, in id order, with owner
 * and SLA from `policy`. Returns 0, ARCHASE_EINVAL, fn's code, a storage
 * error or ARCHASE_ENOMEM. */
ARCHASE_API int archase_recon_scan(archase_engine *eng, const archase_policy *policy, int status,
                                   archase_recon_fn fn, void *userdata);

/* What a person decided for an item. */
typedef struct archase_recon_action {
    unsigned    version;          /* ARCHASE_RECON_ACTION_VERSION */
    const char *id;               /* required: the item */
    int         resolution;       /* required: archase_recon_resolution */
    const char *invoice_id;       /* apply: the invoice the money goes to (required for
                                     overpayments, unapplied cash and other currencies) */
    const char *by;               /* required: who decided */
    const char *note;
    const char *justification;    /* write-off: the approval request's justification */
    const char *customer_impact;  /* write-off: its customer-impact assessment */
} archase_recon_action;
#define ARCHASE_RECON_ACTION_VERSION 1
#define ARCHASE_RECON_ACTION_INIT { ARCHASE_RECON_ACTION_VERSION, NULL, 0, NULL, NULL, NULL, NULL, NULL }

/* Resolves open item `a->id` on `as_of`. Applying money that was not
 * applied puts a payment fact "recon:<item id>" on the invoice; a write-off
 * of a short-pay puts a write-off fact on its invoice. A write-off first
 * raises an approval request (action write_off, the item's amount):
 * *pending is then 1, `approval_id` receives the request and the item stays
 * open; calling again once the request is approved resolves it (and marks
 * the request dispatched). Returns 0, ARCHASE_EINVAL (a missing or wrong
 * field: archase_engine_errmsg), ARCHASE_ENOTFOUND, ARCHASE_ESTATE (already
 * resolved), ARCHASE_ECURRENCY, ARCHASE_EDENIED / ARCHASE_EEXPIRED (the
 * write-off's request was rejected, voided or lapsed), a storage error or
 * ARCHASE_ENOMEM. Nothing but the approval request is written when it is
 * pending; nothing at all on failure. */
ARCHASE_API int archase_recon_resolve(archase_engine *eng, const archase_policy *policy,
                                      const archase_recon_action *a, archase_date as_of,
                                      char approval_id[ARCHASE_APPROVAL_ID_MAX], int *pending);

#ifdef __cplusplus
}
#endif
#endif
