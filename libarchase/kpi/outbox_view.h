/* libarchase/kpi/outbox_view.h — the messages the daily cycle delivered and
 * the drafts people reviewed, read from the store's outbox as the inputs of
 * collection effectiveness, the cadence response rate and reviewer effort
 * (docs/kpi-formulas.md, "Messages and reviews"). */
#ifndef AR_KPI_OUTBOX_VIEW_H
#define AR_KPI_OUTBOX_VIEW_H

#include "archase/engine.h"
#include "archase/kpi.h"
#include "kpi/strtab.h"

typedef struct ar_kpi_outbox {
    const archase_allocator *allocator;
    ar_strtab                strings;   /* every string the records below point to */
    archase_kpi_touch       *touches;   size_t touch_count;
    const char             **invoices;  /* the touches' invoice ids, one run per touch */
    archase_kpi_review      *reviews;   size_t review_count;
} ar_kpi_outbox;

void ar_kpi_outbox_init(ar_kpi_outbox *ob, const archase_allocator *a);
void ar_kpi_outbox_free(ar_kpi_outbox *ob);

/* Reads the outbox of `e`: with `messages`, every customer message in state
 * sent (a touch dated the UTC day of its last attempt, with the sequence and
 * step of the rule that sent it and its template); with `reviews`, every item
 * written as a draft (pending until reviewed; rejected when cancelled by its
 * reviewer; edited or approved otherwise). Returns 0, a storage error or
 * ARCHASE_ENOMEM, with archase_engine_errmsg set; `ob` holds nothing on
 * failure. */
int ar_kpi_outbox_read(archase_engine *e, int messages, int reviews, ar_kpi_outbox *ob);

#endif
