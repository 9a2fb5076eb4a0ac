/* libarchase/kpi/reveal.h — a ledger's facts in the order they became known,
 * revealed into a scratch store day by day (the replay's no-look-ahead).
 *
 * Each fact is given the day it was revealed on: invoices their issue date;
 * payments their date (not before their invoice); promises the day they were
 * recorded (without one, when their last invoice was issued); disputes the
 * day they were opened, as open disputes, and again on the day they were
 * resolved, as resolved; notes the UTC day they were written. Customers,
 * contacts and relationship flags have no date and are known from the start.
 * On a day, the facts of that day are added in family order (customers,
 * contacts, flags, invoices, payments, promises, disputes, notes), so every
 * fact finds what it refers to.
 *
 * In the scratch store every payment may exceed its invoice's open amount
 * (the excess goes to reconciliation as in the ledger): revealed in date
 * order rather than the order the ledger received them, a payment may meet
 * an invoice already closed by a later-entered credit. */
#ifndef AR_KPI_REVEAL_H
#define AR_KPI_REVEAL_H

#include "archase/engine.h"
#include "kpi/strtab.h"

typedef struct ar_reveal_item {
    archase_date day;
    uint8_t      rank;    /* family order within a day */
    uint8_t      family;
    uint8_t      as_open; /* a resolved dispute as it stood while open */
    uint32_t     id;      /* in `ids` */
} ar_reveal_item;

typedef struct ar_reveal {
    const archase_allocator *allocator;
    ar_strtab                ids;
    ar_reveal_item          *items;
    size_t                   count, cap;
    size_t                   next;   /* the first item not revealed yet */
    /* invoices' issue dates, by their number in `invoice_ids` */
    ar_strtab                invoice_ids;
    archase_date            *issued;
    size_t                   issued_cap;
} ar_reveal;

void ar_reveal_init(ar_reveal *rv, const archase_allocator *a);
void ar_reveal_free(ar_reveal *rv);

/* Reads every fact of `ledger` (ids and dates) and orders them. 0 or the
 * failure, with the message on the ledger engine. */
int ar_reveal_plan(ar_reveal *rv, archase_engine *ledger);

/* Adds to `scratch`, in one batch, every fact revealed on or before `day` not
 * added yet. 0 or the failure, with the message on the ledger engine. */
int ar_reveal_until(ar_reveal *rv, archase_engine *ledger, archase_engine *scratch, archase_date day);

#endif
