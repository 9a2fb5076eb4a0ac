/* libarchase/audit/record.c — appending facts and other records to the audit log. */
#include "audit/record.h"

#include "archase/audit.h"
#include "audit/log.h"

int ar_audit_record(archase_engine *e, uint32_t kind, const char *actor, const void *data,
                    size_t size) {
    ar_audit_item item = { kind, actor, data, size, NULL, 0, 0 };
    return ar_audit_append(e, &item, NULL);
}

int ar_audit_record_written(archase_engine *e, uint32_t kind, const char *actor, const void *data,
                            size_t size) {
    ar_audit_item item = { kind, actor, data, size, NULL, 0, 1 };
    return ar_audit_append(e, &item, NULL);
}

/* The source-document link of a fact, or NULL. */
static const char *source_link(ar_fact_ref ref) {
    const char *link = NULL;
    switch (ref.family) {
    case ARCHASE_FAMILY_CUSTOMER: link = ((const archase_customer *)ref.fact)->source_link; break;
    case ARCHASE_FAMILY_INVOICE: link = ((const archase_invoice *)ref.fact)->source_link; break;
    case ARCHASE_FAMILY_PAYMENT: link = ((const archase_payment *)ref.fact)->source_link; break;
    default: break;
    }
    return link && *link ? link : NULL;
}

int ar_audit_record_fact(archase_engine *e, ar_fact_ref ref, const void *data, size_t size) {
    const char *links[1] = { source_link(ref) };
    ar_audit_item item = { ARCHASE_AUDIT_FACT_ACCEPTED, NULL, data, size, links, links[0] ? 1 : 0, 0 };
    return ar_audit_append(e, &item, NULL);
}
