/* libarchase/audit/checkpoints.c — signed checkpoints of the store's log:
 * making one (stored, and itself a record of the log) and reading them back. */
#include <stdio.h>
#include <string.h>

#include "archase/errors.h"
#include "audit/log.h"
#include "audit/record.h"
#include "audit/store.h"
#include "engine/engine.h"

/* ---- the stored record ------------------------------------------------------ */

int ar_checkpoint_record_encode(const archase_checkpoint *cp,
                                const uint8_t public_key[ARCHASE_ED25519_PUBLIC_KEY_SIZE], ar_canon *c) {
    ar_canon_begin_record(c, AR_CHECKPOINT_RECORD_KIND);
    ar_canon_put_str(c, 1, cp->log_id);
    ar_canon_put_int(c, 2, (int64_t)cp->size);
    ar_canon_put_hash(c, 3, cp->root);
    ar_canon_put_instant(c, 4, cp->time);
    ar_canon_put_bytes(c, 5, cp->key_id, ARCHASE_CHECKPOINT_KEY_ID_SIZE);
    ar_canon_put_bytes(c, 6, cp->signature, ARCHASE_ED25519_SIGNATURE_SIZE);
    ar_canon_put_bytes(c, 7, public_key, ARCHASE_ED25519_PUBLIC_KEY_SIZE);
    ar_canon_end_record(c);
    if (!c->err && c->buf.err)
        return c->buf.err;
    return c->err;
}

static int expect(ar_canon_reader *r, uint16_t want, uint8_t type, uint32_t len, ar_canon_value *v) {
    uint16_t field;
    if (ar_canon_read_field(r, &field, v) || field != want || v->type != type ||
        (len && v->len != len))
        return ARCHASE_EPARSE;
    return 0;
}

int ar_checkpoint_record_decode(const void *data, size_t size, archase_checkpoint *out,
                                uint8_t public_key[ARCHASE_ED25519_PUBLIC_KEY_SIZE]) {
    archase_checkpoint cp;
    char log_id[ARCHASE_LOG_ID_MAX + 1];
    uint8_t root[ARCHASE_HASH_SIZE], pk[ARCHASE_ED25519_PUBLIC_KEY_SIZE];
    ar_canon_reader r;
    ar_canon_value v;
    if (!data || ar_canon_validate(data, size))
        return ARCHASE_EPARSE;
    ar_canon_reader_init(&r, data, size);
    if (ar_canon_read(&r, &v) || v.kind != AR_CHECKPOINT_RECORD_KIND || v.count != 7)
        return ARCHASE_EPARSE;
    if (expect(&r, 1, AR_CANON_STRING, 0, &v) || v.len == 0 || v.len > ARCHASE_LOG_ID_MAX)
        return ARCHASE_EPARSE;
    size_t id_len = v.len;
    memcpy(log_id, v.bytes, id_len);
    log_id[id_len] = '\0';
    if (expect(&r, 2, AR_CANON_INT, 0, &v) || v.i < 0)
        return ARCHASE_EPARSE;
    uint64_t cp_size = (uint64_t)v.i;
    if (expect(&r, 3, AR_CANON_HASH, 0, &v))
        return ARCHASE_EPARSE;
    memcpy(root, v.bytes, ARCHASE_HASH_SIZE);
    if (expect(&r, 4, AR_CANON_INSTANT, 0, &v))
        return ARCHASE_EPARSE;
    if (archase_checkpoint_init(&cp, log_id, cp_size, root, v.i) || strlen(log_id) != id_len)
        return ARCHASE_EPARSE;
    if (expect(&r, 5, AR_CANON_BYTES, ARCHASE_CHECKPOINT_KEY_ID_SIZE, &v))
        return ARCHASE_EPARSE;
    memcpy(cp.key_id, v.bytes, ARCHASE_CHECKPOINT_KEY_ID_SIZE);
    if (expect(&r, 6, AR_CANON_BYTES, ARCHASE_ED25519_SIGNATURE_SIZE, &v))
        return ARCHASE_EPARSE;
    memcpy(cp.signature, v.bytes, ARCHASE_ED25519_SIGNATURE_SIZE);
    if (expect(&r, 7, AR_CANON_BYTES, ARCHASE_ED25519_PUBLIC_KEY_SIZE, &v))
        return ARCHASE_EPARSE;
    memcpy(pk, v.bytes, sizeof pk);
    if (!ar_canon_at_end(&r))
        return ARCHASE_EPARSE;
    *out = cp;
    memcpy(public_key, pk, sizeof pk);
    return 0;
}

/* ---- making one ------------------------------------------------------------------ */

/* Inside the open transaction: signs the log as it is and stores the result. */
static int checkpoint_in_txn(archase_engine *e, const archase_signer *signer, ar_canon *enc,
                             archase_checkpoint *out) {
    const ar_audit_chain *chain;
    archase_checkpoint cp;
    char log_id[ARCHASE_LOG_ID_MAX + 1];
    char id[32];
    uint8_t leaf[ARCHASE_HASH_SIZE], root[ARCHASE_HASH_SIZE];
    uint8_t public_key[ARCHASE_ED25519_PUBLIC_KEY_SIZE];
    ar_sha256 *sha;
    const uint8_t *bytes;
    size_t size;
    int rc = ar_audit_chain_state(e, &chain);
    if (rc)
        return rc;
    if (chain->tree.size == 0)
        return ar_error_set(&e->err, ARCHASE_ESTATE, "the audit log is empty: there is nothing to sign");
    uint64_t n = chain->tree.size;
    rc = ar_audit_leaf_at(e, 0, leaf);
    if (!rc)
        rc = ar_audit_sha(e, &sha);
    if (rc)
        return rc;
    rc = ar_merkle_frontier_root(&chain->tree, sha, root);
    if (rc)
        return ar_error_set(&e->err, rc, "computing the root failed");
    ar_audit_format_log_id(leaf, log_id);
    archase_checkpoint_init(&cp, log_id, n, root, ar_engine_now(e));
    if (signer->public_key(signer->userdata, public_key) != 0)
        return ar_error_set(&e->err, ARCHASE_ECALLBACK, "the signer could not give its public key");
    rc = archase_checkpoint_sign(&cp, signer);
    if (rc == ARCHASE_ECALLBACK)
        return ar_error_set(&e->err, rc, "the signer failed");
    if (rc == ARCHASE_EVERIFY)
        return ar_error_set(&e->err, rc, "the signer's signature does not verify with its public key");
    if (rc)
        return ar_error_set(&e->err, rc, "signing the checkpoint failed");
    /* The key the signature checked out with is the one the signer gave;
     * make sure it is the one stored next to it. */
    if (archase_checkpoint_verify(&cp, public_key) != 0)
        return ar_error_set(&e->err, ARCHASE_EVERIFY,
                            "the signer's public key changed while it signed");
    rc = ar_checkpoint_record_encode(&cp, public_key, enc);
    if (!rc)
        rc = ar_canon_finish(enc, &bytes, &size);
    if (rc)
        return ar_error_set(&e->err, rc, "encoding the checkpoint failed");
    snprintf(id, sizeof id, AR_CHECKPOINT_ID_FORMAT, (unsigned long long)n);
    archase_record rec = ARCHASE_RECORD_INIT;
    rec.family = ARCHASE_FAMILY_CHECKPOINT;
    rec.id = id;
    rec.amount = (int64_t)n;
    rec.instant = cp.time;
    rec.data = bytes;
    rec.size = size;
    rc = ar_store_put(e, &rec);
    if (!rc)
        rc = ar_audit_record(e, ARCHASE_AUDIT_CHECKPOINT, NULL, bytes, size);
    if (!rc)
        *out = cp;
    return rc;
}

int archase_audit_checkpoint(archase_engine *e, const archase_signer *signer, archase_checkpoint *out) {
    archase_checkpoint cp;
    ar_canon enc;
    if (!e || !signer)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (signer->version != ARCHASE_SIGNER_VERSION)
        return ar_error_set(&e->err, ARCHASE_EVERSION, "signer version %u is not supported",
                            signer->version);
    if (!signer->public_key || !signer->sign)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "the signer needs public_key and sign");
    if (e->batch)
        return ar_error_set(&e->err, ARCHASE_ESTATE, "a batch is open on this engine");
    int rc = ar_txn_begin(e);
    if (rc)
        return rc;
    ar_canon_init(&enc, AR_ENGINE_ALLOC(e));
    rc = checkpoint_in_txn(e, signer, &enc, &cp);
    if (!rc)
        rc = ar_txn_commit(e);
    else
        ar_txn_rollback(e);
    ar_canon_free(&enc);
    if (!rc && out)
        *out = cp;
    return rc;
}

/* ---- reading them back ----------------------------------------------------------- */

typedef struct each_ctx {
    archase_engine       *e;
    archase_checkpoint_fn fn;
    void                 *userdata;
} each_ctx;

static int each_checkpoint(void *ctx, const archase_record *rec) {
    each_ctx *c = ctx;
    archase_checkpoint cp;
    uint8_t public_key[ARCHASE_ED25519_PUBLIC_KEY_SIZE];
    if (ar_checkpoint_record_decode(rec->data, rec->size, &cp, public_key))
        return ar_error_set(&c->e->err, ARCHASE_ESTORAGE, "stored checkpoint '%s' cannot be decoded",
                            rec->id);
    int rc = c->fn(c->userdata, &cp, public_key);
    return rc > 0 ? ARCHASE_SCAN_STOP : rc;
}

int archase_audit_checkpoints(archase_engine *e, archase_checkpoint_fn fn, void *userdata) {
    if (!e || !fn)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
    f.family = ARCHASE_FAMILY_CHECKPOINT;
    each_ctx c = { e, fn, userdata };
    return ar_store_scan(e, &f, each_checkpoint, &c);
}
