/* libarchase/audit/frontier.c — the compact frontier of a growing Merkle
 * tree: one perfect-subtree root per set bit of the size. */
#include <string.h>

#include "archase/errors.h"
#include "audit/merkle.h"

static unsigned popcount64(uint64_t v) {
    unsigned n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

void ar_merkle_frontier_init(ar_merkle_frontier *f) {
    memset(f, 0, sizeof *f);
}

int ar_merkle_frontier_append(ar_merkle_frontier *f, ar_sha256 *sha, const uint8_t leaf_hash[32],
                              const ar_merkle_sink *sink) {
    ar_hash completed[AR_MERKLE_MAX_LEVELS];
    uint8_t node[ARCHASE_HASH_SIZE];
    unsigned levels = 0, count = f->count;
    int rc = 0;
    if (f->size >= AR_MERKLE_MAX_SIZE)
        return ARCHASE_ERANGE;
    /* Each trailing 1 bit of the size is a subtree the new leaf completes:
     * merge with it, climbing one level per bit. Nothing is changed until
     * every hash (and the sink) has succeeded. */
    memcpy(node, leaf_hash, ARCHASE_HASH_SIZE);
    for (uint64_t s = f->size; (s & 1) && !rc; s >>= 1) {
        rc = ar_merkle_node_hash(sha, f->nodes[--count], node, node);
        if (!rc && sink)
            memcpy(completed[levels], node, ARCHASE_HASH_SIZE);
        levels++;
    }
    uint64_t new_size = f->size + 1;
    for (unsigned level = 1; level <= levels && sink && !rc; level++)
        rc = sink->completed(sink->userdata, new_size - ((uint64_t)1 << level), level,
                             completed[level - 1]);
    if (rc)
        return rc;
    memcpy(f->nodes[count], node, ARCHASE_HASH_SIZE);
    f->count = count + 1;
    f->size = new_size;
    return 0;
}

int ar_merkle_frontier_root(const ar_merkle_frontier *f, ar_sha256 *sha, uint8_t out[32]) {
    uint8_t acc[ARCHASE_HASH_SIZE];
    int rc = 0;
    if (f->count == 0) {
        ar_merkle_empty_root(out);
        return 0;
    }
    memcpy(acc, f->nodes[f->count - 1], ARCHASE_HASH_SIZE);
    for (unsigned i = f->count - 1; i > 0 && !rc; i--)
        rc = ar_merkle_node_hash(sha, f->nodes[i - 1], acc, acc);
    if (!rc)
        memcpy(out, acc, ARCHASE_HASH_SIZE);
    return rc;
}

int ar_merkle_frontier_load(ar_merkle_frontier *f, ar_sha256 *sha, const ar_merkle_reader *r,
                            uint64_t size) {
    ar_merkle_frontier loaded;
    uint64_t start = 0;
    int rc = 0;
    if (size > AR_MERKLE_MAX_SIZE)
        return ARCHASE_EINVAL;
    ar_merkle_frontier_init(&loaded);
    for (int level = AR_MERKLE_MAX_LEVELS - 1; level >= 0 && !rc; level--) {
        uint64_t width = (uint64_t)1 << level;
        if (!(size & width))
            continue;
        rc = ar_merkle_subtree_hash(sha, r, start, (unsigned)level, loaded.nodes[loaded.count++]);
        start += width;
    }
    if (rc)
        return rc;
    loaded.size = size;
    *f = loaded;
    return 0;
}

int ar_merkle_frontier_encode(const ar_merkle_frontier *f, ar_canon *c) {
    ar_canon_begin_record(c, AR_MERKLE_FRONTIER_KIND);
    ar_canon_put_int(c, 1, (int64_t)f->size);
    ar_canon_field(c, 2);
    ar_canon_begin_list(c);
    for (unsigned i = 0; i < f->count; i++)
        ar_canon_hash(c, f->nodes[i]);
    ar_canon_end_list(c);
    ar_canon_end_record(c);
    if (!c->err && c->buf.err)
        return c->buf.err;
    return c->err;
}

int ar_merkle_frontier_decode(ar_merkle_frontier *f, const void *data, size_t size) {
    ar_merkle_frontier decoded;
    ar_canon_reader r;
    ar_canon_value v;
    uint16_t field;
    if (ar_canon_validate(data, size))
        return ARCHASE_EPARSE;
    ar_merkle_frontier_init(&decoded);
    ar_canon_reader_init(&r, data, size);
    if (ar_canon_read(&r, &v) || v.kind != AR_MERKLE_FRONTIER_KIND || v.count != 2)
        return ARCHASE_EPARSE;
    if (ar_canon_read_field(&r, &field, &v) || field != 1 || v.type != AR_CANON_INT || v.i < 0)
        return ARCHASE_EPARSE;
    decoded.size = (uint64_t)v.i;
    decoded.count = popcount64(decoded.size);
    if (ar_canon_read_field(&r, &field, &v) || field != 2 || v.type != AR_CANON_LIST ||
        v.count != decoded.count)
        return ARCHASE_EPARSE;
    for (unsigned i = 0; i < decoded.count; i++) {
        if (ar_canon_read(&r, &v) || v.type != AR_CANON_HASH)
            return ARCHASE_EPARSE;
        memcpy(decoded.nodes[i], v.bytes, ARCHASE_HASH_SIZE);
    }
    if (!ar_canon_at_end(&r))
        return ARCHASE_EPARSE;
    *f = decoded;
    return 0;
}
