/* libarchase/audit/verify.c — verifying the store's log: every record
 * rebuilt from its entry and rehashed, the chain, the subtree roots the
 * entries keep, the checkpoints (signature, key, log id, their own records)
 * and the recorded chain state. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/errors.h"
#include "audit/log.h"
#include "audit/store.h"
#include "audit/verify.h"
#include "core/alloc.h"
#include "engine/engine.h"

/* ---- shared with the export's verifier ------------------------------------------ */

void ar_verdict_init(ar_verdict *v) {
    memset(v, 0, sizeof *v);
    v->index = UINT64_MAX;
}

void ar_verdict_set(ar_verdict *v, int problem, uint64_t index, const char *fmt, ...) {
    va_list ap;
    if (v->problem && v->index <= index)
        return; /* an earlier record is already blamed */
    v->problem = problem;
    v->index = index;
    va_start(ap, fmt);
    vsnprintf(v->message, sizeof v->message, fmt, ap);
    va_end(ap);
}

int ar_verdict_from_chain(ar_verdict *v, const ar_audit_report *r, uint64_t state_size,
                          int state_known, const ar_cp_set *set) {
    int problem;
    switch (r->problem) {
    case AR_AUDIT_INTACT: return 0;
    case AR_AUDIT_MALFORMED: problem = ARCHASE_AUDIT_PROBLEM_MALFORMED; break;
    case AR_AUDIT_MISPLACED: problem = ARCHASE_AUDIT_PROBLEM_MISPLACED; break;
    case AR_AUDIT_ALTERED: problem = ARCHASE_AUDIT_PROBLEM_ALTERED; break;
    case AR_AUDIT_TRUNCATED: problem = ARCHASE_AUDIT_PROBLEM_TRUNCATED; break;
    case AR_AUDIT_EXTRA: problem = ARCHASE_AUDIT_PROBLEM_EXTRA; break;
    default: {
        /* A root differs at the size ending at first_bad: a checkpoint's, or
         * only the recorded state's. */
        uint64_t size = r->first_bad + 1;
        problem = ARCHASE_AUDIT_PROBLEM_ROOT;
        if (state_known && size == state_size && !ar_cp_set_has_size(set, size))
            problem = ARCHASE_AUDIT_PROBLEM_STATE;
        break;
    }
    }
    ar_verdict_set(v, problem, r->first_bad, "%s", r->message);
    return 0;
}

void ar_verdict_report(const ar_verdict *v, archase_audit_report *out) {
    out->problem = v->problem;
    out->first_bad = v->problem ? v->index : 0;
    if (v->problem)
        snprintf(out->message, sizeof out->message, "%s", v->message);
}

/* ---- checkpoint sets -------------------------------------------------------------- */

void ar_cp_set_init(ar_cp_set *s, const archase_allocator *a) {
    memset(s, 0, sizeof *s);
    s->allocator = a;
}

void ar_cp_set_free(ar_cp_set *s) {
    ar_free(s->allocator, s->items);
    s->items = NULL;
    s->n = s->cap = 0;
}

int ar_cp_set_add(ar_cp_set *s, const archase_checkpoint *cp,
                  const uint8_t public_key[ARCHASE_ED25519_PUBLIC_KEY_SIZE], int stored) {
    if (ar_grow(s->allocator, (void **)&s->items, &s->cap, s->n + 1, sizeof *s->items))
        return ARCHASE_ENOMEM;
    ar_cp_entry *x = &s->items[s->n++];
    memset(x, 0, sizeof *x);
    x->cp = *cp;
    if (public_key)
        memcpy(x->public_key, public_key, ARCHASE_ED25519_PUBLIC_KEY_SIZE);
    x->stored = stored;
    return 0;
}

static int by_size(const void *a, const void *b) {
    const ar_cp_entry *x = a, *y = b;
    if (x->cp.size != y->cp.size)
        return x->cp.size < y->cp.size ? -1 : 1;
    return x->stored - y->stored;
}

void ar_cp_set_sort(ar_cp_set *s) {
    if (s->n > 1)
        qsort(s->items, s->n, sizeof *s->items, by_size);
}

int ar_cp_set_has_size(const ar_cp_set *s, uint64_t size) {
    for (size_t i = 0; s && i < s->n; i++) {
        if (s->items[i].valid && s->items[i].cp.size == size)
            return 1;
    }
    return 0;
}

static int trusted(const archase_audit_verify_options *o, const uint8_t key[32]) {
    for (size_t i = 0; i < o->trusted_key_count; i++) {
        if (!memcmp(o->trusted_keys + i * ARCHASE_ED25519_PUBLIC_KEY_SIZE, key, ARCHASE_ED25519_PUBLIC_KEY_SIZE))
            return 1;
    }
    return 0;
}

/* Finds the trusted key whose id the checkpoint names. */
static const uint8_t *trusted_key_for(const archase_audit_verify_options *o, const archase_checkpoint *cp) {
    for (size_t i = 0; i < o->trusted_key_count; i++) {
        const uint8_t *key = o->trusted_keys + i * ARCHASE_ED25519_PUBLIC_KEY_SIZE;
        uint8_t digest[ARCHASE_HASH_SIZE];
        if (archase_sha256(key, ARCHASE_ED25519_PUBLIC_KEY_SIZE, digest) == 0 &&
            !memcmp(digest, cp->key_id, ARCHASE_CHECKPOINT_KEY_ID_SIZE))
            return key;
    }
    return NULL;
}

int ar_cp_set_check(ar_cp_set *s, const archase_audit_verify_options *o, ar_verdict *v,
                    uint64_t *checked) {
    for (size_t i = 0; i < s->n; i++) {
        ar_cp_entry *x = &s->items[i];
        const uint8_t *key = x->stored ? x->public_key : trusted_key_for(o, &x->cp);
        const char *what = x->stored ? "stored checkpoint" : "given checkpoint";
        if (!key) {
            ar_verdict_set(v, ARCHASE_AUDIT_PROBLEM_CHECKPOINT, x->cp.size,
                           "the %s of size %" PRIu64 " is signed by key %02x%02x%02x%02x..., which is not trusted",
                           what, x->cp.size, x->cp.key_id[0], x->cp.key_id[1], x->cp.key_id[2], x->cp.key_id[3]);
            continue;
        }
        if (x->stored && o->trusted_key_count && !trusted(o, key)) {
            ar_verdict_set(v, ARCHASE_AUDIT_PROBLEM_CHECKPOINT, x->cp.size,
                           "the %s of size %" PRIu64 " is signed with a key that is not trusted", what,
                           x->cp.size);
            continue;
        }
        int rc = archase_checkpoint_verify(&x->cp, key);
        if (rc == ARCHASE_ENOMEM)
            return rc;
        if (rc) {
            ar_verdict_set(v, ARCHASE_AUDIT_PROBLEM_CHECKPOINT, x->cp.size,
                           "the %s of size %" PRIu64 " is forged or damaged: its signature does not "
                           "verify", what, x->cp.size);
            continue;
        }
        x->valid = 1;
        (*checked)++;
    }
    return 0;
}

int ar_cp_set_expectations(const ar_cp_set *s, ar_audit_expect **out, size_t *count,
                           const ar_audit_expect *extra, const archase_allocator *a) {
    size_t n = 0;
    ar_audit_expect *items = ar_malloc_array(a, s->n + 1, sizeof *items);
    if (!items)
        return ARCHASE_ENOMEM;
    /* The valid checkpoints in order of size, `extra` in its place. */
    for (size_t i = 0; i < s->n; i++) {
        if (!s->items[i].valid)
            continue;
        items[n].size = s->items[i].cp.size;
        memcpy(items[n].root, s->items[i].cp.root, ARCHASE_HASH_SIZE);
        n++;
    }
    if (extra) {
        size_t at = n;
        while (at > 0 && items[at - 1].size > extra->size)
            at--;
        memmove(items + at + 1, items + at, (n - at) * sizeof *items);
        items[at] = *extra;
        n++;
    }
    *out = items;
    *count = n;
    return 0;
}

/* Checks the payload of checkpoint record `index` against the checkpoints. */
void ar_cp_set_record(ar_cp_set *s, uint64_t index, const void *payload, size_t size, ar_verdict *v) {
    archase_checkpoint cp;
    uint8_t key[ARCHASE_ED25519_PUBLIC_KEY_SIZE];
    if (ar_checkpoint_record_decode(payload, size, &cp, key) || cp.size != index) {
        ar_verdict_set(v, ARCHASE_AUDIT_PROBLEM_CHECKPOINT, index,
                       "record %" PRIu64 " is a checkpoint record that is not a checkpoint of the %" PRIu64
                       " records before it", index, index);
        return;
    }
    for (size_t i = 0; i < s->n; i++) {
        ar_cp_entry *x = &s->items[i];
        if (!x->stored || x->cp.size != index)
            continue;
        if (!memcmp(&x->cp, &cp, sizeof cp) && !memcmp(x->public_key, key, sizeof key)) {
            x->recorded = 1;
            return;
        }
    }
    ar_verdict_set(v, ARCHASE_AUDIT_PROBLEM_CHECKPOINT, index,
                   "record %" PRIu64 " records a checkpoint the store no longer holds as it was "
                   "signed (deleted or replaced)", index);
}

void ar_cp_set_finish(const ar_cp_set *s, const char *log_id, uint64_t count, int complete,
                      ar_verdict *v) {
    for (size_t i = 0; i < s->n; i++) {
        const ar_cp_entry *x = &s->items[i];
        if (!x->valid)
            continue;
        /* A checkpoint is stored together with its record: one without it
         * was not made by this log (or its record is gone). */
        if (x->stored && !x->recorded && (complete || x->cp.size < count))
            ar_verdict_set(v, ARCHASE_AUDIT_PROBLEM_CHECKPOINT, x->cp.size,
                           "the stored checkpoint of size %" PRIu64 " has no record of its own at "
                           "index %" PRIu64 ": it was not made by this log", x->cp.size, x->cp.size);
        if (log_id && strcmp(x->cp.log_id, log_id) != 0)
            ar_verdict_set(v, ARCHASE_AUDIT_PROBLEM_CHECKPOINT, x->cp.size,
                           "the checkpoint of size %" PRIu64 " names log '%s', not this log ('%s')",
                           x->cp.size, x->cp.log_id, log_id);
    }
}

/* ---- records --------------------------------------------------------------------- */

static unsigned trailing_ones(uint64_t v) {
    unsigned n = 0;
    for (; v & 1; v >>= 1)
        n++;
    return n;
}

/* Compares each subtree root a record completes with the one its entry keeps. */
static int check_node(void *userdata, uint64_t start, unsigned level, const uint8_t hash[32]) {
    ar_record_check *c = userdata;
    (void)start;
    if (c->entry_nodes && c->entry_node_count >= level &&
        memcmp(c->entry_nodes + (size_t)(level - 1) * ARCHASE_HASH_SIZE, hash, ARCHASE_HASH_SIZE) != 0)
        c->node_mismatch = 1;
    return 0;
}

int ar_record_check_init(ar_record_check *c, ar_sha256 *sha, const ar_audit_expect *expect,
                         size_t expect_count) {
    memset(c, 0, sizeof *c);
    c->sink.userdata = c;
    c->sink.completed = check_node;
    int rc = ar_audit_verifier_init(&c->v, sha, expect, expect_count, 0);
    c->v.sink = &c->sink;
    return rc;
}

void ar_record_check_stop(ar_record_check *c) {
    c->v.done = 1; /* the verdict is ours: the chain verifier has nothing to add */
    c->v.pending = 0;
}

int ar_record_check_add(ar_record_check *c, const void *bytes, size_t size,
                        const uint8_t *stored_leaf, const uint8_t *nodes, uint32_t node_count,
                        ar_verdict *v) {
    uint8_t hash[ARCHASE_HASH_SIZE];
    uint64_t p = c->v.chain.tree.size;
    int rc;
    c->entry_nodes = nodes;
    c->entry_node_count = node_count;
    c->node_mismatch = 0;
    if (c->v.pending || c->v.done)
        return ar_audit_verifier_add(&c->v, bytes, size); /* settles the broken link before */
    /* A record whose stored hash is not the hash of its bytes was changed
     * itself, whatever the records around it say. */
    rc = ar_merkle_leaf_hash(c->v.sha, bytes, size, hash);
    if (rc)
        return rc;
    if (stored_leaf && memcmp(stored_leaf, hash, ARCHASE_HASH_SIZE) != 0) {
        ar_verdict_set(v, ARCHASE_AUDIT_PROBLEM_ALTERED, p,
                       "record %" PRIu64 " was altered: its stored hash is not the hash of its content", p);
        ar_record_check_stop(c);
        return ARCHASE_EVERIFY;
    }
    rc = ar_audit_verifier_add_hashed(&c->v, bytes, size, hash);
    if (rc)
        return rc;
    if (c->v.pending)
        return 0; /* settled by the next record (or the end) */
    if ((node_count && node_count != trailing_ones(p)) || c->node_mismatch) {
        ar_verdict_set(v, ARCHASE_AUDIT_PROBLEM_ALTERED, p,
                       "record %" PRIu64 " was altered: the Merkle subtree roots it keeps are not the "
                       "ones its records make", p);
        ar_record_check_stop(c);
        return ARCHASE_EVERIFY;
    }
    return 0;
}

/* ---- the store's log ---------------------------------------------------------------- */

typedef struct store_verify {
    archase_engine   *e;
    ar_record_check   check;
    ar_cp_set         cps;
    ar_verdict        verdict;
    uint64_t          count;
    uint64_t          settled;   /* records the log had before the checkpoints were read */
    uint8_t           first_leaf[ARCHASE_HASH_SIZE];
    int               stopped;   /* a record problem was found */
    int               fatal;     /* an error other than a verdict */
} store_verify;

static int collect_checkpoint(void *userdata, const archase_record *rec) {
    store_verify *s = userdata;
    archase_checkpoint cp;
    uint8_t key[ARCHASE_ED25519_PUBLIC_KEY_SIZE];
    if (ar_checkpoint_record_decode(rec->data, rec->size, &cp, key)) {
        /* Blame the record its id names, if it names one. */
        unsigned long long size = 0;
        char tail;
        if (sscanf(rec->id, "%llu%c", &size, &tail) != 1)
            size = 0;
        ar_verdict_set(&s->verdict, ARCHASE_AUDIT_PROBLEM_CHECKPOINT, size,
                       "stored checkpoint '%s' is not a well-formed checkpoint", rec->id);
        return 0;
    }
    return ar_cp_set_add(&s->cps, &cp, key, 1) ? ARCHASE_ENOMEM : 0;
}

static int check_entry(void *userdata, const archase_audit_entry *entry) {
    store_verify *s = userdata;
    ar_audit_fields f;
    uint64_t p = s->count++;
    int rc = ar_record_check_add(&s->check, entry->data ? entry->data : (const void *)"",
                                 entry->data ? entry->size : 0, entry->leaf_hash, entry->nodes,
                                 entry->node_count, &s->verdict);
    if (rc == ARCHASE_EVERIFY) {
        s->stopped = 1;
        return ARCHASE_SCAN_STOP;
    }
    if (rc)
        return rc;
    int pending = s->check.v.pending;
    /* The fields stored next to the record must say what it says (a record
     * whose link breaks may have been moved whole: its index aside). A
     * record whose bytes disagree with its own fields was changed itself. */
    const char *field = ar_audit_decode_shallow(entry->data, entry->size, &f)
                            ? (pending ? NULL : "data")
                            : ar_audit_entry_disagrees(entry, &f, !pending);
    if (pending && !field)
        return 0;
    if (field) {
        ar_verdict_set(&s->verdict, ARCHASE_AUDIT_PROBLEM_ALTERED, p,
                       "record %" PRIu64 " was altered: its stored %s is not what the record holds", p, field);
        ar_record_check_stop(&s->check);
        s->stopped = 1;
        return ARCHASE_SCAN_STOP;
    }
    if (p == 0)
        memcpy(s->first_leaf, entry->leaf_hash, ARCHASE_HASH_SIZE);
    /* A checkpoint record appended after the checkpoints were read (another
     * engine's, while this one reads the log) has a stored checkpoint this
     * verification did not collect: the next verification checks it. */
    if (f.kind == ARCHASE_AUDIT_CHECKPOINT && p < s->settled)
        ar_cp_set_record(&s->cps, p, f.payload, f.payload_size, &s->verdict);
    return 0;
}

typedef struct state_get {
    int            found;
    int            bad;
    ar_audit_chain chain;
} state_get;

static int take_state(void *ctx, const archase_record *rec) {
    state_get *g = ctx;
    g->found = 1;
    g->bad = ar_audit_state_decode(rec->data, rec->size, &g->chain) != 0;
    return 0;
}

static int read_state(archase_engine *e, state_get *g) {
    memset(g, 0, sizeof *g);
    int rc = ar_store_get(e, ARCHASE_FAMILY_META, AR_AUDIT_META_ID, take_state, g);
    if (rc == ARCHASE_ENOTFOUND) {
        ar_error_clear(&e->err);
        rc = 0;
    }
    return rc;
}

static int check_options(archase_engine *e, const archase_audit_verify_options *o) {
    if (o->version != ARCHASE_AUDIT_VERIFY_OPTIONS_VERSION)
        return ar_error_set(&e->err, ARCHASE_EVERSION, "verify options version %u is not supported",
                            o->version);
    if ((o->trusted_key_count && !o->trusted_keys) || (o->checkpoint_count && !o->checkpoints) ||
        (o->checkpoint_count && !o->trusted_key_count))
        return ar_error_set(&e->err, ARCHASE_EINVAL,
                            "verify options: keys and checkpoints need their arrays, and given "
                            "checkpoints need trusted keys");
    return 0;
}

static int verify_store(store_verify *s, const archase_audit_verify_options *o,
                        archase_audit_report *report) {
    archase_engine *e = s->e;
    state_get state;
    ar_sha256 *sha;
    ar_audit_expect *expect = NULL, recorded;
    size_t expect_count = 0;
    uint8_t recorded_root[ARCHASE_HASH_SIZE];
    ar_audit_report chain_report;
    int rc;

    /* The log's size, then the checkpoints, then the recorded state:
     * whatever a writer commits meanwhile comes after all three. A
     * checkpoint is committed together with its record, so the checkpoints
     * read hold every one whose record is below that first size. */
    rc = read_state(e, &state);
    if (rc)
        return rc;
    /* Without a readable state nothing says what came later: every
     * checkpoint record is held to the checkpoints read. */
    s->settled = state.found && !state.bad ? state.chain.tree.size : UINT64_MAX;
    archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
    f.family = ARCHASE_FAMILY_CHECKPOINT;
    rc = ar_store_scan(e, &f, collect_checkpoint, s);
    for (size_t i = 0; !rc && i < o->checkpoint_count; i++)
        rc = ar_cp_set_add(&s->cps, &o->checkpoints[i], NULL, 0);
    if (rc)
        return rc == ARCHASE_ENOMEM ? ar_error_set(&e->err, rc, "out of memory") : rc;
    ar_cp_set_sort(&s->cps);
    rc = ar_cp_set_check(&s->cps, o, &s->verdict, &report->checkpoints);
    if (!rc)
        rc = read_state(e, &state);
    if (!rc)
        rc = ar_audit_sha(e, &sha);
    if (rc)
        return rc;
    if (state.bad) {
        ar_verdict_set(&s->verdict, ARCHASE_AUDIT_PROBLEM_STATE, 0,
                       "the log's recorded state (meta '%s') cannot be decoded", AR_AUDIT_META_ID);
        state.found = 0;
    }
    if (state.found) {
        rc = ar_merkle_frontier_root(&state.chain.tree, sha, recorded_root);
        if (rc)
            return ar_error_set(&e->err, rc, "computing the recorded root failed");
        recorded.size = state.chain.tree.size;
        memcpy(recorded.root, recorded_root, ARCHASE_HASH_SIZE);
    }
    rc = ar_cp_set_expectations(&s->cps, &expect, &expect_count, state.found ? &recorded : NULL,
                                AR_ENGINE_ALLOC(e));
    if (rc)
        return ar_error_set(&e->err, rc, "out of memory");
    rc = ar_record_check_init(&s->check, sha, expect, expect_count);
    if (!rc)
        rc = ar_store_audit_read(e, 0, UINT64_MAX, check_entry, s);
    if (!rc)
        rc = ar_audit_verifier_finish(&s->check.v, &chain_report);
    if (rc == ARCHASE_EVERIFY) {
        ar_verdict_from_chain(&s->verdict, &chain_report, state.chain.tree.size, state.found, &s->cps);
        rc = 0;
    }
    ar_free(AR_ENGINE_ALLOC(e), expect);
    if (rc)
        return rc;
    report->records = s->count;

    if (!s->stopped && !s->verdict.problem) {
        uint64_t count = s->count;
        if (!state.found && count > 0) {
            ar_verdict_set(&s->verdict, ARCHASE_AUDIT_PROBLEM_STATE, count,
                           "the log has %" PRIu64 " records but its recorded state (meta '%s') is gone",
                           count, AR_AUDIT_META_ID);
        } else if (state.found && count > state.chain.tree.size) {
            /* More records than the state recorded: a writer committed since
             * the state was read, or records were added behind its back. */
            state_get now;
            rc = read_state(e, &now);
            if (rc)
                return rc;
            if (!now.found || now.bad || now.chain.tree.size < count)
                ar_verdict_set(&s->verdict, ARCHASE_AUDIT_PROBLEM_EXTRA, state.chain.tree.size,
                               "records from %" PRIu64 " on were added after the log's recorded end "
                               "(%" PRIu64 " records)", state.chain.tree.size, state.chain.tree.size);
        } else if (state.found && memcmp(state.chain.head, s->check.v.chain.head, ARCHASE_HASH_SIZE)) {
            ar_verdict_set(&s->verdict, ARCHASE_AUDIT_PROBLEM_STATE, count,
                           "the log's recorded head hash is not the hash of its last record");
        }
    }
    char log_id[ARCHASE_LOG_ID_MAX + 1] = "";
    if (s->count > 0 && !(s->stopped && s->verdict.index == 0))
        ar_audit_format_log_id(s->first_leaf, log_id);
    ar_cp_set_finish(&s->cps, log_id[0] ? log_id : NULL, s->stopped ? s->verdict.index : s->count,
                     !s->stopped, &s->verdict);
    memcpy(report->log_id, log_id, sizeof log_id);
    if (!s->verdict.problem) {
        report->size = s->count;
        rc = ar_merkle_frontier_root(&s->check.v.chain.tree, sha, report->root);
        if (rc)
            return ar_error_set(&e->err, rc, "computing the root failed");
        snprintf(report->message, sizeof report->message,
                 "%" PRIu64 " records verified; %" PRIu64 " checkpoints", s->count, report->checkpoints);
    }
    ar_verdict_report(&s->verdict, report);
    return 0;
}

int archase_audit_verify(archase_engine *e, const archase_audit_verify_options *opts,
                         archase_audit_report *report) {
    archase_audit_verify_options defaults = ARCHASE_AUDIT_VERIFY_OPTIONS_INIT;
    archase_audit_report r;
    store_verify s;
    if (!e || !report)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (!opts)
        opts = &defaults;
    int rc = check_options(e, opts);
    if (rc)
        return rc;
    memset(&r, 0, sizeof r);
    r.version = ARCHASE_AUDIT_REPORT_VERSION;
    memset(&s, 0, sizeof s);
    s.e = e;
    ar_cp_set_init(&s.cps, AR_ENGINE_ALLOC(e));
    ar_verdict_init(&s.verdict);
    rc = verify_store(&s, opts, &r);
    ar_cp_set_free(&s.cps);
    if (rc)
        return rc;
    *report = r;
    if (r.problem)
        return ar_error_set(&e->err, ARCHASE_EVERIFY, "the audit log does not verify: %s", r.message);
    return 0;
}
