/* libarchase/audit/record.h — appending to the audit log. */
#ifndef AR_AUDIT_RECORD_H
#define AR_AUDIT_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "archase/engine.h"

/* Appends one audit record: `data` (a canonical record) of `kind` (for facts:
 * their family) by `actor` (NULL = the engine's actor), at the clock's
 * instant, with the next index. Every accepted fact, decision and approval
 * goes through here, inside the transaction that stores it. Returns 0 or the
 * storage error (ARCHASE_ECONFLICT when another writer appended first). */
int ar_audit_record(archase_engine *eng, uint32_t kind, const char *actor, const void *data,
                    size_t size);

#endif
