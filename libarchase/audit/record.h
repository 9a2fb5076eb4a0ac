/* libarchase/audit/record.h — what the rest of the library appends to the
 * audit log: accepted facts, and records of any kind (audit/log.h has the
 * full form with links). */
#ifndef AR_AUDIT_RECORD_H
#define AR_AUDIT_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "archase/engine.h"
#include "engine/codec.h"

/* Appends a record of `kind` (archase_audit_kind) about `data` (one canonical
 * record) by `actor` (NULL = the engine's actor), at the clock's instant,
 * inside the open transaction. Returns 0 or the error, with the message on
 * the engine (audit/log.h, ar_audit_append). */
int ar_audit_record(archase_engine *eng, uint32_t kind, const char *actor, const void *data,
                    size_t size);

/* The same for a payload that ar_canon_finish returned: not checked again,
 * since the canonical writer writes nothing else than canonical records. */
int ar_audit_record_written(archase_engine *eng, uint32_t kind, const char *actor, const void *data,
                            size_t size);

/* Appends the record of an accepted fact: kind fact_accepted, the fact's
 * canonical record (`data`) as payload, its source-document link (customers,
 * invoices and payments have one) as the record's link. Every accepted fact
 * goes through here, inside the transaction that stores it. */
int ar_audit_record_fact(archase_engine *eng, ar_fact_ref ref, const void *data, size_t size);

#endif
