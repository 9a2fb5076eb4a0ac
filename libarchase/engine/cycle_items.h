/* libarchase/engine/cycle_items.h — what the daily cycle writes into the
 * outbox for one decision: a customer message rendered from its template
 * with the consented contact's address, or an internal route (call, owner
 * alert, escalation) with the decision's full context as text; and the
 * delivery settings of the policy that go with every item. */
#ifndef AR_ENGINE_CYCLE_ITEMS_H
#define AR_ENGINE_CYCLE_ITEMS_H

#include "engine/codec.h"
#include "engine/decisions.h"
#include "engine/outbox.h"

/* The policy's `delivery` section (docs/policy-reference.md). */
typedef struct ar_delivery {
    uint32_t max_attempts;    /* delivery attempts before an item is dead */
    uint32_t backoff_seconds; /* the first retry's delay; doubled after each failure */
    int      review;          /* 1: customer messages are drafts (copilot mode) */
    int      digest_weekday;  /* ISO weekday of the owners' weekly digest; 0 = none */
} ar_delivery;

void ar_delivery_of(const archase_policy *p, ar_delivery *out);

/* 1 when a customer message of `segment` with reasons `r` is a draft under
 * `p` (review on, and the segment not automatic; disputes and relationship
 * reasons always stay with a person when review is on). */
int ar_delivery_is_draft(const archase_policy *p, int review, const char *segment, const ar_reasons *r);

/* Reusable memory for building items. */
typedef struct ar_item_builder {
    const archase_allocator *allocator;
    ar_buf             subject, body;
    ar_fact            contact;
    ar_render_invoice *invoices;
    const char       **ids;
    size_t             cap;
    int                reasons[ARCHASE_REASON_LIMIT_];
    char               key[ARCHASE_IDEMPOTENCY_KEY_MAX];
} ar_item_builder;

void ar_item_builder_init(ar_item_builder *b, const archase_allocator *a);
void ar_item_builder_free(ar_item_builder *b);

/* Fills `o` (strings pointing into ds, its snapshot and policy, and `b`)
 * with the outbox item of decision i: *made 0 when the decision writes none
 * (skip, wait, approvals). `draft` makes a customer message a draft. Reads
 * the contact from the store. 0, a storage error or ARCHASE_ENOMEM. */
int ar_item_from_decision(archase_engine *e, const archase_decisions *ds, size_t i,
                          const ar_delivery *dl, int draft, archase_instant now,
                          ar_item_builder *b, ar_outbox *o, int *made);

/* Appends "1200.00 EUR" (or the minor units when it cannot be formatted). */
void ar_put_money(ar_buf *b, const archase_money *m);
/* Appends "YYYY-MM-DD" (nothing for ARCHASE_DATE_NONE). */
void ar_put_date(ar_buf *b, archase_date d);

#endif
