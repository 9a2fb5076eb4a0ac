/* libarchase/audit/record.c — appending to the audit log. */
#include "audit/record.h"

#include <string.h>

#include "archase/errors.h"
#include "engine/engine.h"

int ar_audit_record(archase_engine *e, uint32_t kind, const char *actor, const void *data,
                    size_t size) {
    uint64_t index;
    if (e->in_txn && e->audit_next >= 0) {
        index = (uint64_t)e->audit_next;
    } else {
        int rc = ar_store_audit_size(e, &index);
        if (rc)
            return rc;
    }
    archase_audit_entry entry = ARCHASE_AUDIT_ENTRY_INIT;
    entry.index = index;
    entry.kind = kind;
    entry.actor = actor ? actor : e->actor;
    entry.instant = ar_engine_now(e);
    entry.data = data;
    entry.size = size;
    int rc = ar_store_audit_append(e, &entry);
    if (rc) {
        e->audit_next = -1;
        return rc;
    }
    if (e->in_txn)
        e->audit_next = (int64_t)index + 1;
    return 0;
}
