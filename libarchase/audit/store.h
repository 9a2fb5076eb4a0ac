/* libarchase/audit/store.h — what the store-side audit files share: the
 * stored checkpoint record, the log id, reading one record's hash. */
#ifndef AR_AUDIT_STORE_H
#define AR_AUDIT_STORE_H

#include <stdint.h>

#include "archase/audit.h"
#include "core/canon.h"

/* A checkpoint as stored (CHECKPOINT family, id AR_CHECKPOINT_ID_FORMAT of its
 * size) and as the payload of its audit record: a canonical RECORD of kind
 * AR_CHECKPOINT_RECORD_KIND ("CK"):
 *   1 STRING log id, 2 INT size, 3 HASH root, 4 INSTANT time,
 *   5 BYTES key id (8), 6 BYTES signature (64), 7 BYTES public key (32) */
#define AR_CHECKPOINT_RECORD_KIND 0x434B
#define AR_CHECKPOINT_ID_FORMAT "%020llu"

int ar_checkpoint_record_encode(const archase_checkpoint *cp,
                                const uint8_t public_key[ARCHASE_ED25519_PUBLIC_KEY_SIZE], ar_canon *c);
/* 0 or ARCHASE_EPARSE (not exactly such a record, or a malformed checkpoint). */
int ar_checkpoint_record_decode(const void *data, size_t size, archase_checkpoint *cp,
                                uint8_t public_key[ARCHASE_ED25519_PUBLIC_KEY_SIZE]);

/* The record hash of record `index`, read from the store. */
int ar_audit_leaf_at(archase_engine *e, uint64_t index, uint8_t out[ARCHASE_HASH_SIZE]);

/* "ar-" and the first 16 bytes of record 0's hash in hex. */
int ar_audit_format_log_id(const uint8_t first_leaf[ARCHASE_HASH_SIZE],
                           char out[ARCHASE_LOG_ID_MAX + 1]);

#endif
