/* libarchase/audit/chain.c — audit records as bytes: encoding, decoding,
 * the hash chain and its verifier. */
#include "audit/chain.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "archase/errors.h"

/* ---- encoding ----------------------------------------------------------- */

/* A non-empty string without NUL bytes (so it round-trips through C strings). */
static int text_ok(const char *data, size_t len) {
    return data && len > 0 && len <= AR_CANON_MAX_LENGTH && !memchr(data, '\0', len);
}

int ar_audit_encode(const ar_audit_fields *rec, ar_canon *c) {
    if (rec->index > (uint64_t)INT64_MAX || rec->kind == 0 || rec->kind > 0xffffu ||
        !text_ok(rec->actor.data, rec->actor.len) || !rec->payload ||
        (!rec->payload_checked && ar_canon_validate(rec->payload, rec->payload_size)) ||
        (rec->link_count && !rec->links))
        return ARCHASE_EINVAL;
    for (uint32_t i = 0; i < rec->link_count; i++) {
        if (!text_ok(rec->links[i].data, rec->links[i].len))
            return ARCHASE_EINVAL;
    }
    ar_canon_begin_record(c, AR_AUDIT_RECORD_KIND);
    ar_canon_put_int(c, AR_AUDIT_F_INDEX, (int64_t)rec->index);
    ar_canon_put_hash(c, AR_AUDIT_F_PREV, rec->prev_hash);
    ar_canon_put_int(c, AR_AUDIT_F_KIND, (int64_t)rec->kind);
    ar_canon_put_instant(c, AR_AUDIT_F_INSTANT, rec->instant);
    ar_canon_field(c, AR_AUDIT_F_ACTOR);
    ar_canon_strn(c, rec->actor.data, rec->actor.len);
    ar_canon_put_bytes(c, AR_AUDIT_F_PAYLOAD, rec->payload, rec->payload_size);
    if (rec->link_count) {
        ar_canon_field(c, AR_AUDIT_F_LINKS);
        ar_canon_begin_list(c);
        for (uint32_t i = 0; i < rec->link_count; i++)
            ar_canon_strn(c, rec->links[i].data, rec->links[i].len);
        ar_canon_end_list(c);
    }
    ar_canon_end_record(c);
    if (!c->err && c->buf.err)
        return c->buf.err;
    return c->err;
}

/* ---- decoding ----------------------------------------------------------- */

/* Reads field `want` and checks its type. */
static int read_field(ar_canon_reader *r, uint16_t want, uint8_t type, ar_canon_value *v) {
    uint16_t field;
    if (ar_canon_read_field(r, &field, v) || field != want || v->type != type)
        return ARCHASE_EPARSE;
    return 0;
}

/* Decodes an audit record. `deep`: also check the payload's own structure;
 * without it the payload need only start like a canonical record (the
 * verifier's choice: the hashes cover the payload's bytes, and its structure
 * was checked when it was appended). */
static int decode_record(const void *data, size_t size, int deep, ar_audit_fields *out) {
    ar_audit_fields rec;
    ar_canon_reader r;
    ar_canon_value v;
    if (!data)
        return ARCHASE_EPARSE;
    memset(&rec, 0, sizeof rec);
    ar_canon_reader_init(&r, data, size);
    if (ar_canon_read(&r, &v) || v.type != AR_CANON_RECORD || v.kind != AR_AUDIT_RECORD_KIND ||
        (v.count != 6 && v.count != 7))
        return ARCHASE_EPARSE;
    int has_links = v.count == 7;
    if (read_field(&r, AR_AUDIT_F_INDEX, AR_CANON_INT, &v) || v.i < 0)
        return ARCHASE_EPARSE;
    rec.index = (uint64_t)v.i;
    if (read_field(&r, AR_AUDIT_F_PREV, AR_CANON_HASH, &v))
        return ARCHASE_EPARSE;
    memcpy(rec.prev_hash, v.bytes, ARCHASE_HASH_SIZE);
    if (read_field(&r, AR_AUDIT_F_KIND, AR_CANON_INT, &v) || v.i < 1 || v.i > 0xffff)
        return ARCHASE_EPARSE;
    rec.kind = (uint32_t)v.i;
    if (read_field(&r, AR_AUDIT_F_INSTANT, AR_CANON_INSTANT, &v))
        return ARCHASE_EPARSE;
    rec.instant = v.i;
    if (read_field(&r, AR_AUDIT_F_ACTOR, AR_CANON_STRING, &v) ||
        !text_ok((const char *)v.bytes, v.len))
        return ARCHASE_EPARSE;
    rec.actor.data = (const char *)v.bytes;
    rec.actor.len = v.len;
    if (read_field(&r, AR_AUDIT_F_PAYLOAD, AR_CANON_BYTES, &v) || v.len < 5 ||
        v.bytes[0] != AR_CANON_RECORD || (deep && ar_canon_validate(v.bytes, v.len)))
        return ARCHASE_EPARSE;
    rec.payload = v.bytes;
    rec.payload_size = v.len;
    if (has_links) {
        /* An empty list is written by leaving the field out, so it is not accepted here. */
        if (read_field(&r, AR_AUDIT_F_LINKS, AR_CANON_LIST, &v) || v.count == 0)
            return ARCHASE_EPARSE;
        rec.link_count = v.count;
        rec.links_encoded = r.p;
        for (uint32_t i = 0; i < rec.link_count; i++) {
            if (ar_canon_read(&r, &v) || v.type != AR_CANON_STRING ||
                !text_ok((const char *)v.bytes, v.len))
                return ARCHASE_EPARSE;
        }
        rec.links_encoded_size = (size_t)(r.p - rec.links_encoded);
    }
    if (!ar_canon_at_end(&r))
        return ARCHASE_EPARSE;
    *out = rec;
    return 0;
}

int ar_audit_decode(const void *data, size_t size, ar_audit_fields *out) {
    return decode_record(data, size, 1, out);
}

int ar_audit_decode_shallow(const void *data, size_t size, ar_audit_fields *out) {
    return decode_record(data, size, 0, out);
}

void ar_audit_link_iter_init(ar_audit_link_iter *it, const ar_audit_fields *rec) {
    ar_canon_reader_init(&it->reader, rec->links_encoded, rec->links_encoded_size);
    it->left = rec->links_encoded ? rec->link_count : 0;
}

int ar_audit_link_next(ar_audit_link_iter *it, ar_audit_text *out) {
    ar_canon_value v;
    if (it->left == 0 || ar_canon_read(&it->reader, &v) || v.type != AR_CANON_STRING)
        return 0;
    it->left--;
    out->data = (const char *)v.bytes;
    out->len = v.len;
    return 1;
}

/* ---- appending ---------------------------------------------------------- */

void ar_audit_chain_init(ar_audit_chain *c) {
    ar_merkle_frontier_init(&c->tree);
    memset(c->head, 0, sizeof c->head);
}

int ar_audit_chain_append(ar_audit_chain *c, ar_sha256 *sha, ar_canon *enc,
                          const ar_audit_fields *rec, const ar_merkle_sink *sink,
                          ar_audit_appended *out) {
    ar_audit_fields next = *rec;
    const uint8_t *bytes = NULL;
    size_t size = 0;
    uint8_t leaf[ARCHASE_HASH_SIZE];
    if (c->tree.size >= AR_MERKLE_MAX_SIZE)
        return ARCHASE_ERANGE;
    next.index = c->tree.size;
    memcpy(next.prev_hash, c->head, ARCHASE_HASH_SIZE);
    ar_canon_reset(enc);
    int rc = ar_audit_encode(&next, enc);
    if (!rc)
        rc = ar_canon_finish(enc, &bytes, &size);
    if (!rc)
        rc = ar_merkle_leaf_hash(sha, bytes, size, leaf);
    if (!rc)
        rc = ar_merkle_frontier_append(&c->tree, sha, leaf, sink);
    if (rc)
        return rc;
    out->index = next.index;
    out->bytes = bytes;
    out->size = size;
    memcpy(out->leaf_hash, leaf, ARCHASE_HASH_SIZE);
    memcpy(out->prev_hash, c->head, ARCHASE_HASH_SIZE);
    memcpy(c->head, leaf, ARCHASE_HASH_SIZE);
    return 0;
}

/* ---- verifying ---------------------------------------------------------- */

static int verdict(ar_audit_verifier *v, ar_audit_problem problem, uint64_t first_bad,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int verdict(ar_audit_verifier *v, ar_audit_problem problem, uint64_t first_bad,
                   const char *fmt, ...) {
    va_list ap;
    v->done = 1;
    v->report.problem = problem;
    v->report.first_bad = first_bad;
    va_start(ap, fmt);
    vsnprintf(v->report.message, sizeof v->report.message, fmt, ap);
    va_end(ap);
    return ARCHASE_EVERIFY;
}

static int check_expectations(ar_audit_verifier *v);

int ar_audit_verifier_init(ar_audit_verifier *v, ar_sha256 *sha, const ar_audit_expect *expect,
                           size_t expect_count, int exact) {
    if (!sha || (!expect && expect_count) || (exact && expect_count == 0))
        return ARCHASE_EINVAL;
    for (size_t i = 0; i < expect_count; i++) {
        if (expect[i].size > AR_MERKLE_MAX_SIZE || (i > 0 && expect[i].size < expect[i - 1].size))
            return ARCHASE_EINVAL;
    }
    memset(v, 0, sizeof *v);
    v->sha = sha;
    v->expect = expect;
    v->expect_count = expect_count;
    v->exact = exact;
    ar_audit_chain_init(&v->chain);
    /* Expectations of the empty log are settled now (the empty root needs no
     * hashing, so this cannot fail); a mismatch is the verdict. */
    check_expectations(v);
    return 0;
}

/* Checks every expectation for the current size. */
static int check_expectations(ar_audit_verifier *v) {
    uint8_t root[ARCHASE_HASH_SIZE];
    uint64_t size = v->chain.tree.size;
    while (v->next_expect < v->expect_count && v->expect[v->next_expect].size == size) {
        int rc = ar_merkle_frontier_root(&v->chain.tree, v->sha, root);
        if (rc)
            return rc;
        if (memcmp(root, v->expect[v->next_expect].root, ARCHASE_HASH_SIZE) != 0) {
            uint64_t trusted = 0;
            for (size_t i = v->next_expect; i > 0; i--) {
                if (v->expect[i - 1].size < size) {
                    trusted = v->expect[i - 1].size;
                    break;
                }
            }
            if (size == 0)
                return verdict(v, AR_AUDIT_CHECKPOINT, 0,
                               "an expected root of the empty log is not the empty root");
            return verdict(v, AR_AUDIT_CHECKPOINT, size - 1,
                           "the first %" PRIu64 " records do not have the expected root: record %" PRIu64
                           " differs from what was recorded, and so may records %" PRIu64 " to %" PRIu64,
                           size, size - 1, trusted, size - 1);
        }
        v->next_expect++;
    }
    return 0;
}

/* Decides which record a broken link between positions p-1 and p (the
 * pending record) blames, once the record after it is known (or known not
 * to exist). `confirmed`: the next record's prev is the pending record's hash. */
static int resolve_break(ar_audit_verifier *v, int confirmed, int has_next) {
    uint64_t p = v->chain.tree.size, index = v->pending_index;
    v->pending = 0;
    if (index > p)
        return verdict(v, AR_AUDIT_MISPLACED, p,
                       "position %" PRIu64 " holds record %" PRIu64
                       ": records are missing or out of order", p, index);
    if (index < p) {
        if (confirmed)
            return verdict(v, AR_AUDIT_MISPLACED, index,
                           "position %" PRIu64 " holds record %" PRIu64 ": %" PRIu64
                           " records were inserted before it", p, index, p - index);
        return verdict(v, AR_AUDIT_MISPLACED, p,
                       "position %" PRIu64 " holds a record numbered %" PRIu64
                       " that does not link to the record before it", p, index);
    }
    if (p == 0)
        return verdict(v, AR_AUDIT_ALTERED, 0,
                       "record 0 does not start the chain (its previous hash is not zero)");
    if (confirmed)
        return verdict(v, AR_AUDIT_ALTERED, p - 1,
                       "record %" PRIu64 " was altered: its hash is not the one record %" PRIu64
                       " holds", p - 1, p);
    if (has_next)
        return verdict(v, AR_AUDIT_ALTERED, p,
                       "record %" PRIu64 " was altered: it does not link to record %" PRIu64
                       " and record %" PRIu64 " does not link to it", p, p - 1, p + 1);
    return verdict(v, AR_AUDIT_ALTERED, p - 1,
                   "record %" PRIu64 " or %" PRIu64 " was altered: the last record does not link"
                   " to the one before it", p - 1, p);
}

/* `known`: the record hash of the bytes, already computed (or NULL). */
static int verifier_add(ar_audit_verifier *v, const void *bytes, size_t size,
                        const uint8_t known[ARCHASE_HASH_SIZE]) {
    ar_audit_fields rec;
    uint8_t hash[ARCHASE_HASH_SIZE];
    uint64_t p = v->chain.tree.size;
    int rc;
    if (v->done)
        return ARCHASE_EVERIFY;
    v->report.count++;
    if (v->pending) {
        int confirmed = decode_record(bytes, size, 0, &rec) == 0 &&
                        memcmp(rec.prev_hash, v->pending_hash, ARCHASE_HASH_SIZE) == 0;
        return resolve_break(v, confirmed, 1);
    }
    if (v->exact && p >= v->expect[v->expect_count - 1].size)
        return verdict(v, AR_AUDIT_EXTRA, p,
                       "the log goes on past its %" PRIu64 " records", p);
    if (decode_record(bytes, size, 0, &rec))
        return verdict(v, AR_AUDIT_MALFORMED, p, "record %" PRIu64 " is not a well-formed audit record", p);
    if (known) {
        memcpy(hash, known, ARCHASE_HASH_SIZE);
    } else {
        rc = ar_merkle_leaf_hash(v->sha, bytes, size, hash);
        if (rc)
            return rc;
    }
    if (memcmp(rec.prev_hash, v->chain.head, ARCHASE_HASH_SIZE) != 0) {
        v->pending = 1;
        v->pending_index = rec.index;
        memcpy(v->pending_hash, hash, ARCHASE_HASH_SIZE);
        return 0;
    }
    if (rec.index != p)
        return verdict(v, AR_AUDIT_MISPLACED, p,
                       "position %" PRIu64 " holds a record numbered %" PRIu64, p, rec.index);
    rc = ar_merkle_frontier_append(&v->chain.tree, v->sha, hash, v->sink);
    if (rc)
        return rc == ARCHASE_ERANGE ? verdict(v, AR_AUDIT_EXTRA, p, "the log is too long") : rc;
    memcpy(v->chain.head, hash, ARCHASE_HASH_SIZE);
    return check_expectations(v);
}

int ar_audit_verifier_add(ar_audit_verifier *v, const void *bytes, size_t size) {
    return verifier_add(v, bytes, size, NULL);
}

int ar_audit_verifier_add_hashed(ar_audit_verifier *v, const void *bytes, size_t size,
                                 const uint8_t leaf_hash[ARCHASE_HASH_SIZE]) {
    return verifier_add(v, bytes, size, leaf_hash);
}

int ar_audit_verifier_finish(ar_audit_verifier *v, ar_audit_report *out) {
    int rc = 0;
    if (!v->done && v->pending)
        resolve_break(v, 0, 0);
    if (!v->done && v->next_expect < v->expect_count) {
        uint64_t count = v->chain.tree.size;
        verdict(v, AR_AUDIT_TRUNCATED, count,
                "the log ends after %" PRIu64 " records but %" PRIu64 " were expected", count,
                v->expect[v->expect_count - 1].size);
    }
    if (!v->done) {
        rc = ar_merkle_frontier_root(&v->chain.tree, v->sha, v->report.root);
        memcpy(v->report.head, v->chain.head, ARCHASE_HASH_SIZE);
        v->report.problem = AR_AUDIT_INTACT;
        snprintf(v->report.message, sizeof v->report.message, "%" PRIu64 " records verified",
                 v->chain.tree.size);
    }
    if (rc && rc != ARCHASE_EVERIFY)
        return rc;
    *out = v->report;
    return v->report.problem == AR_AUDIT_INTACT ? 0 : ARCHASE_EVERIFY;
}

int ar_audit_verify_records(ar_sha256 *sha, const ar_span *records, size_t n,
                            const ar_audit_expect *expect, size_t expect_count, int exact,
                            ar_audit_report *out) {
    ar_audit_verifier v;
    int rc = ar_audit_verifier_init(&v, sha, expect, expect_count, exact);
    if (rc)
        return rc;
    for (size_t i = 0; i < n && !rc; i++)
        rc = ar_audit_verifier_add(&v, records[i].data, records[i].size);
    if (rc && rc != ARCHASE_EVERIFY)
        return rc;
    return ar_audit_verifier_finish(&v, out);
}

/* ---- audit record kinds ------------------------------------------------------ */

const char *archase_audit_kind_name(int kind) {
    switch (kind) {
#define AR_AUDIT_KIND_CASE_(name, value, text) \
    case (value):                              \
        return (text);
        ARCHASE_AUDIT_KIND_MAP(AR_AUDIT_KIND_CASE_)
#undef AR_AUDIT_KIND_CASE_
    default:
        return NULL;
    }
}
