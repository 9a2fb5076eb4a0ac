/* libarchase/engine/preview.h — the facts of a preview (archase_snapshot_preview):
 * what the import of its files gives, kept in memory instead of a store, and
 * read by the snapshot loader as it reads a store's scans. */
#ifndef AR_ENGINE_PREVIEW_H
#define AR_ENGINE_PREVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "archase/evaluate.h"
#include "archase/sys/storage.h"
#include "core/canon.h"
#include "engine/codec.h"
#include "kpi/strtab.h"

/* The facts of one family: structs whose strings live in the preview's
 * arena, in the order they came, and the order of their ids once sorted. */
typedef struct ar_preview_family {
    int       family;
    size_t    size;    /* of one struct */
    void     *items;
    size_t    count, cap;
    uint32_t *order;   /* ascending byte order of id; NULL = the items' own order */
    ar_strtab ids;     /* id number i is item i; made only when needed: while ids
                          come in ascending order none can repeat */
    int       indexed; /* `ids` holds every item's id */
    uint32_t *customer; /* per item of a family that names a customer: the
                           customer's item number */
} ar_preview_family;

typedef struct ar_preview_chunk ar_preview_chunk;

enum { AR_PV_CUSTOMER, AR_PV_CONTACT, AR_PV_FLAGS, AR_PV_INVOICE, AR_PV_FAMILIES };

typedef struct ar_preview {
    archase_engine    *e;    /* the private engine the files are imported through */
    ar_preview_family  fam[AR_PV_FAMILIES];
    ar_preview_chunk  *chunks;
    ar_canon           canon;          /* encodes the facts the store view hands out */
    uint32_t          *customer_rank; /* per customer item: its place in id order, the
                                         number a loader gives it; NULL = the items' own */
} ar_preview;

void ar_preview_init(ar_preview *pv, archase_engine *e);
void ar_preview_free(ar_preview *pv);

/* The storage the preview's private engine runs over: reads find the facts
 * taken so far, as a store's reads find the facts an import wrote before
 * (what an importer reads back: a merged customer, an automatic revision,
 * an invoice's open amount); scans find nothing and writes are refused,
 * since facts reach the preview through ar_preview_take only. */
void ar_preview_storage(ar_preview *pv, archase_storage *out);

/* Takes a fact a batch of the preview's engine adds, as ar_fact_apply would
 * store it in an empty ledger: 0 (*outcome INSERTED; for an id taken before,
 * DUPLICATE, UPDATED by a later revision or STALE), a rejection (why->code
 * set: a fact a preview does not take, an invalid fact, an unknown customer,
 * other content at the same revision) or a fatal error on the engine
 * (ARCHASE_ENOMEM). */
int ar_preview_take(ar_preview *pv, ar_fact_ref ref, archase_outcome *outcome, ar_fact_error *why);

/* Sorts each family by id once every fact is in. 0 or ARCHASE_ENOMEM. */
int ar_preview_seal(ar_preview *pv);

/* Hands the facts matching `f` to fn as a store's scan would (ascending id),
 * each record's `data` being the fact's public struct, not an encoding:
 * ar_preview_fact reads it. Invoices have the state an empty ledger gives
 * them (open, or void). Before each call, *customer (when not NULL) is the
 * place in id order of the customer the fact names (UINT32_MAX for a
 * customer): the number a loader that takes every customer in order gives
 * it, so that it need not look the id up. */
int ar_preview_scan(const ar_preview *pv, const archase_scan_filter *f, archase_record_fn fn, void *ctx,
                    uint32_t *customer);

/* Copies the fact of a record ar_preview_scan handed out into `out` (its
 * strings stay the preview's). */
void ar_preview_fact(const archase_record *rec, ar_fact *out);

/* archase_snapshot_load from a store (pv NULL) or a preview's facts. */
int ar_snapshot_build(archase_engine *e, archase_date as_of, const archase_snapshot_options *opts,
                      const ar_preview *pv, archase_snapshot **out);

#endif
