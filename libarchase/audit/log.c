/* libarchase/audit/log.c — the audit log of an engine, kept in its store:
 * appending inside the caller's transaction, the chain state in META, and
 * reading the store's tree back. */
#include "audit/log.h"

#include <string.h>

#include "archase/errors.h"
#include "core/alloc.h"
#include "engine/codec.h"
#include "engine/engine.h"

struct ar_audit_log {
    int            sha_ready;
    ar_sha256      sha;
    int            loaded;  /* `chain` holds the store's state in this transaction */
    int            dirty;   /* records were appended since it was loaded */
    int            actor_ok; /* the engine's actor was found to be valid UTF-8 */
    archase_instant last_instant;
    ar_audit_chain chain;
    ar_canon       record;  /* the audit record being appended */
    ar_canon       state;   /* the META record */
    uint8_t        nodes[AR_MERKLE_MAX_LEVELS][ARCHASE_HASH_SIZE];
    unsigned       node_count;
};

/* Returns ARCHASE_ENOMEM itself rather than ar_error_set's result, so that
 * the static analyser sees that 0 always comes with *out set. */
static int log_of(archase_engine *e, struct ar_audit_log **out) {
    if (!e->audit) {
        struct ar_audit_log *log = ar_calloc(AR_ENGINE_ALLOC(e), 1, sizeof *log);
        if (!log) {
            ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory");
            return ARCHASE_ENOMEM;
        }
        ar_canon_init(&log->record, AR_ENGINE_ALLOC(e));
        ar_canon_init(&log->state, AR_ENGINE_ALLOC(e));
        ar_audit_chain_init(&log->chain);
        e->audit = log;
    }
    if (!e->audit->sha_ready) {
        if (ar_sha256_init(&e->audit->sha)) {
            ar_error_set(&e->err, ARCHASE_ENOMEM, "out of memory (SHA-256)");
            return ARCHASE_ENOMEM;
        }
        e->audit->sha_ready = 1;
    }
    *out = e->audit;
    return 0;
}

int ar_audit_sha(archase_engine *e, ar_sha256 **out) {
    struct ar_audit_log *log = NULL;
    int rc = log_of(e, &log);
    if (!rc)
        *out = &log->sha;
    return rc;
}

void ar_audit_log_free(archase_engine *e) {
    struct ar_audit_log *log = e->audit;
    if (!log)
        return;
    if (log->sha_ready)
        ar_sha256_free(&log->sha);
    ar_canon_free(&log->record);
    ar_canon_free(&log->state);
    ar_free(AR_ENGINE_ALLOC(e), log);
    e->audit = NULL;
}

void ar_audit_log_forget(archase_engine *e) {
    if (e->audit) {
        e->audit->loaded = 0;
        e->audit->dirty = 0;
    }
}

/* ---- the chain state's bytes -------------------------------------------- */

int ar_audit_state_encode(const ar_audit_chain *chain, ar_canon *c) {
    ar_canon_begin_record(c, AR_AUDIT_STATE_KIND);
    ar_canon_put_int(c, 1, (int64_t)chain->tree.size);
    ar_canon_put_hash(c, 2, chain->head);
    ar_canon_field(c, 3);
    ar_canon_begin_list(c);
    for (unsigned i = 0; i < chain->tree.count; i++)
        ar_canon_hash(c, chain->tree.nodes[i]);
    ar_canon_end_list(c);
    ar_canon_end_record(c);
    if (!c->err && c->buf.err)
        return c->buf.err;
    return c->err;
}

static unsigned popcount64(uint64_t v) {
    unsigned n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

int ar_audit_state_decode(const void *data, size_t size, ar_audit_chain *out) {
    ar_audit_chain chain;
    ar_canon_reader r;
    ar_canon_value v;
    uint16_t field;
    if (ar_canon_validate(data, size))
        return ARCHASE_EPARSE;
    ar_audit_chain_init(&chain);
    ar_canon_reader_init(&r, data, size);
    if (ar_canon_read(&r, &v) || v.kind != AR_AUDIT_STATE_KIND || v.count != 3)
        return ARCHASE_EPARSE;
    if (ar_canon_read_field(&r, &field, &v) || field != 1 || v.type != AR_CANON_INT || v.i < 0)
        return ARCHASE_EPARSE;
    chain.tree.size = (uint64_t)v.i;
    chain.tree.count = popcount64(chain.tree.size);
    if (ar_canon_read_field(&r, &field, &v) || field != 2 || v.type != AR_CANON_HASH)
        return ARCHASE_EPARSE;
    memcpy(chain.head, v.bytes, ARCHASE_HASH_SIZE);
    if (ar_canon_read_field(&r, &field, &v) || field != 3 || v.type != AR_CANON_LIST ||
        v.count != chain.tree.count)
        return ARCHASE_EPARSE;
    for (unsigned i = 0; i < chain.tree.count; i++) {
        if (ar_canon_read(&r, &v) || v.type != AR_CANON_HASH)
            return ARCHASE_EPARSE;
        memcpy(chain.tree.nodes[i], v.bytes, ARCHASE_HASH_SIZE);
    }
    if (!ar_canon_at_end(&r))
        return ARCHASE_EPARSE;
    *out = chain;
    return 0;
}

/* ---- loading and saving the state ---------------------------------------- */

typedef struct state_read {
    ar_audit_chain chain;
    int            bad;
} state_read;

static int take_state(void *ctx, const archase_record *rec) {
    state_read *s = ctx;
    s->bad = ar_audit_state_decode(rec->data, rec->size, &s->chain) != 0;
    return 0;
}

static int load(archase_engine *e, struct ar_audit_log *log) {
    state_read s;
    memset(&s, 0, sizeof s);
    ar_audit_chain_init(&s.chain);
    int rc = ar_store_get(e, ARCHASE_FAMILY_META, AR_AUDIT_META_ID, take_state, &s);
    if (rc == ARCHASE_ENOTFOUND) {
        ar_error_clear(&e->err);
        rc = 0; /* a log without records */
    }
    if (rc)
        return rc;
    if (s.bad)
        return ar_error_set(&e->err, ARCHASE_ESTORAGE,
                            "the audit log's chain state (meta '%s') cannot be decoded", AR_AUDIT_META_ID);
    log->chain = s.chain;
    log->loaded = 1;
    log->dirty = 0;
    return 0;
}

int ar_audit_chain_state(archase_engine *e, const ar_audit_chain **out) {
    struct ar_audit_log *log = NULL;
    if (!e->in_txn)
        return ar_error_set(&e->err, ARCHASE_ESTATE, "the audit log is read inside a transaction");
    int rc = log_of(e, &log);
    if (!rc && !log->loaded)
        rc = load(e, log);
    if (!rc)
        *out = &log->chain;
    return rc;
}

int ar_audit_log_flush(archase_engine *e) {
    struct ar_audit_log *log = e->audit;
    if (!log || !log->loaded || !log->dirty)
        return 0;
    const uint8_t *data;
    size_t size;
    ar_canon_reset(&log->state);
    int rc = ar_audit_state_encode(&log->chain, &log->state);
    if (!rc)
        rc = ar_canon_finish(&log->state, &data, &size);
    if (rc)
        return ar_error_set(&e->err, rc, "encoding the audit log's chain state failed");
    archase_record rec = ARCHASE_RECORD_INIT;
    rec.family = ARCHASE_FAMILY_META;
    rec.id = AR_AUDIT_META_ID;
    rec.revision = (int64_t)log->chain.tree.size;
    rec.amount = (int64_t)log->chain.tree.size;
    rec.instant = log->last_instant;
    rec.data = data;
    rec.size = size;
    rc = ar_store_put(e, &rec);
    if (!rc)
        log->dirty = 0;
    return rc;
}

/* ---- appending ------------------------------------------------------------ */

static int text_ok(const char *s) {
    return s && *s && ar_utf8_valid(s, strlen(s));
}

/* Keeps the subtree roots an append completes, lowest level first. */
static int keep_node(void *userdata, uint64_t start, unsigned level, const uint8_t hash[32]) {
    struct ar_audit_log *log = userdata;
    (void)start;
    memcpy(log->nodes[level - 1], hash, ARCHASE_HASH_SIZE);
    log->node_count = level;
    return 0;
}

/* What an append changes in the chain (the frontier's size and count, the
 * one node slot it writes, the head), kept to undo it when the store refuses
 * the entry: cheaper than copying the whole frontier for every record. */
typedef struct chain_undo {
    uint64_t size;
    unsigned count;
    unsigned slot;
    uint8_t  node[ARCHASE_HASH_SIZE];
    uint8_t  head[ARCHASE_HASH_SIZE];
} chain_undo;

static void chain_save(const ar_audit_chain *c, chain_undo *u) {
    unsigned ones = 0;
    for (uint64_t s = c->tree.size; s & 1; s >>= 1)
        ones++;
    u->size = c->tree.size;
    u->count = c->tree.count;
    u->slot = c->tree.count - ones; /* the slot the new subtree root goes to */
    if (u->slot < AR_MERKLE_MAX_LEVELS)
        memcpy(u->node, c->tree.nodes[u->slot], ARCHASE_HASH_SIZE);
    memcpy(u->head, c->head, ARCHASE_HASH_SIZE);
}

static void chain_restore(ar_audit_chain *c, const chain_undo *u) {
    c->tree.size = u->size;
    c->tree.count = u->count;
    if (u->slot < AR_MERKLE_MAX_LEVELS)
        memcpy(c->tree.nodes[u->slot], u->node, ARCHASE_HASH_SIZE);
    memcpy(c->head, u->head, ARCHASE_HASH_SIZE);
}

int ar_audit_append(archase_engine *e, const ar_audit_item *item, uint64_t *index) {
    struct ar_audit_log *log = NULL;
    ar_audit_text links[AR_AUDIT_LINKS_MAX];
    ar_audit_fields fields;
    ar_audit_appended done;
    const char *actor = item->actor ? item->actor : e->actor;
    if (!e->in_txn)
        return ar_error_set(&e->err, ARCHASE_ESTATE, "audit records are appended inside a transaction");
    int rc = log_of(e, &log);
    if (rc)
        return rc;
    /* The engine's own actor is checked once. */
    if (!(actor == e->actor && log->actor_ok)) {
        if (!text_ok(actor))
            return ar_error_set(&e->err, ARCHASE_EINVAL, "an audit record needs an actor: non-empty UTF-8");
        if (actor == e->actor)
            log->actor_ok = 1;
    }
    if (item->link_count > AR_AUDIT_LINKS_MAX || (item->link_count && !item->links))
        return ar_error_set(&e->err, ARCHASE_EINVAL, "an audit record has at most %d links",
                            AR_AUDIT_LINKS_MAX);
    for (uint32_t i = 0; i < item->link_count; i++) {
        if (!text_ok(item->links[i]))
            return ar_error_set(&e->err, ARCHASE_EINVAL,
                                "a source-document link must be non-empty UTF-8");
        links[i].data = item->links[i];
        links[i].len = strlen(item->links[i]);
    }
    if (!log->loaded && (rc = load(e, log)) != 0)
        return rc;
    memset(&fields, 0, sizeof fields);
    fields.kind = item->kind;
    fields.instant = ar_engine_now(e);
    fields.actor.data = actor;
    fields.actor.len = strlen(actor);
    fields.payload = item->data;
    fields.payload_size = item->size;
    fields.links = links;
    fields.link_count = item->link_count;
    fields.payload_checked = item->written;

    /* The chain moves only when the store took the entry. */
    chain_undo before;
    chain_save(&log->chain, &before);
    ar_merkle_sink sink = { log, keep_node };
    log->node_count = 0;
    rc = ar_audit_chain_append(&log->chain, &log->sha, &log->record, &fields, &sink, &done);
    if (rc == ARCHASE_EINVAL)
        return ar_error_set(&e->err, rc, "an audit record of kind %u is not valid (its payload must "
                                         "be one canonical record)", (unsigned)item->kind);
    if (rc)
        return ar_error_set(&e->err, rc, rc == ARCHASE_ERANGE ? "the audit log is full"
                                                              : "appending to the audit log failed");
    archase_audit_entry entry = ARCHASE_AUDIT_ENTRY_INIT;
    entry.index = done.index;
    entry.kind = item->kind;
    entry.actor = actor;
    entry.instant = fields.instant;
    entry.data = done.bytes;
    entry.size = done.size;
    entry.links = item->link_count ? item->links : NULL;
    entry.link_count = item->link_count;
    entry.nodes = log->node_count ? &log->nodes[0][0] : NULL;
    entry.node_count = log->node_count;
    memcpy(entry.leaf_hash, done.leaf_hash, ARCHASE_HASH_SIZE);
    memcpy(entry.prev_hash, done.prev_hash, ARCHASE_HASH_SIZE);
    rc = ar_store_audit_append(e, &entry);
    if (rc) {
        chain_restore(&log->chain, &before);
        if (rc == ARCHASE_ECONFLICT)
            ar_error_set(&e->err, rc,
                         "the audit log in the store does not end at record %llu, where its chain "
                         "state (meta '%s') says it does: another writer appended, or the store "
                         "was changed (run archase_audit_verify)",
                         (unsigned long long)done.index, AR_AUDIT_META_ID);
        return rc;
    }
    log->dirty = 1;
    log->last_instant = fields.instant;
    if (index)
        *index = done.index;
    return 0;
}

/* ---- reading the store's tree ---------------------------------------------- */

typedef struct subtree_read {
    unsigned level;
    int      found;
    uint8_t  hash[ARCHASE_HASH_SIZE];
} subtree_read;

static int take_subtree(void *ctx, const archase_audit_entry *entry) {
    subtree_read *s = ctx;
    if (s->level == 0) {
        memcpy(s->hash, entry->leaf_hash, ARCHASE_HASH_SIZE);
        s->found = 1;
    } else if (entry->node_count >= s->level && entry->nodes) {
        memcpy(s->hash, entry->nodes + (size_t)(s->level - 1) * ARCHASE_HASH_SIZE, ARCHASE_HASH_SIZE);
        s->found = 1;
    } else {
        s->found = -1; /* the entry is there but keeps no such node */
    }
    return ARCHASE_SCAN_STOP;
}

static int read_subtree(void *userdata, uint64_t start, unsigned level, uint8_t out[32]) {
    ar_audit_store_reader *r = userdata;
    subtree_read s;
    memset(&s, 0, sizeof s);
    s.level = level;
    uint64_t last = start + ((uint64_t)1 << level) - 1;
    r->reads++;
    int rc = ar_store_audit_read(r->e, last, last + 1, take_subtree, &s);
    if (rc)
        return rc;
    if (s.found == 0)
        return ar_error_set(&r->e->err, ARCHASE_ESTORAGE, "audit record %llu is missing from the store",
                            (unsigned long long)last);
    if (s.found < 0)
        return ARCHASE_ENOTFOUND;
    memcpy(out, s.hash, ARCHASE_HASH_SIZE);
    return 0;
}

void ar_audit_store_reader_init(ar_audit_store_reader *r, archase_engine *e, ar_merkle_reader *out) {
    r->e = e;
    r->reads = 0;
    out->userdata = r;
    out->subtree = read_subtree;
    out->remember = NULL;
}

/* ---- a stored entry and its record ------------------------------------------ */

const char *ar_audit_entry_disagrees(const archase_audit_entry *entry, const ar_audit_fields *f,
                                     int with_index) {
    if (with_index && entry->index != f->index)
        return "index";
    if (entry->kind != f->kind)
        return "kind";
    if (!entry->actor || strlen(entry->actor) != f->actor.len ||
        memcmp(entry->actor, f->actor.data, f->actor.len))
        return "actor";
    if (entry->instant != f->instant)
        return "instant";
    if (memcmp(entry->prev_hash, f->prev_hash, ARCHASE_HASH_SIZE))
        return "prev_hash";
    ar_audit_link_iter it;
    ar_audit_text link;
    uint32_t n = 0;
    ar_audit_link_iter_init(&it, f);
    while (ar_audit_link_next(&it, &link)) {
        if (n >= entry->link_count || !entry->links || !entry->links[n] ||
            strlen(entry->links[n]) != link.len || memcmp(entry->links[n], link.data, link.len))
            return "links";
        n++;
    }
    if (n != entry->link_count)
        return "links";
    return NULL;
}
