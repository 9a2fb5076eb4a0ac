/* libarchase/store/memory.c — the in-memory storage backend.
 *
 * The same semantics as the SQLite backend: records per family kept by id
 * and scanned in id order, an append-only audit log, atomic outbox
 * transitions, and transactions undone through an undo log. Nothing is
 * persisted; the store lives until `close`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/engine.h"
#include "archase/errors.h"
#include "core/alloc.h"
#include "engine/idset.h"

/* One stored record in a single block: the envelope, then its strings and data. */
typedef struct mem_rec {
    archase_record r;
} mem_rec;

/* An id ever stored in a family. Entries live until the store is closed, so
 * the undo log and the order array can point at them; rec == NULL means the
 * record is not there (never put in this transaction, or deleted). */
struct mem_bucket;

typedef struct mem_entry {
    mem_rec                 *rec;
    int32_t                  status; /* rec's status and date, so a scan filters */
    archase_date             date;   /* without reading the record */
    archase_instant          instant; /* rec's instant (outbox: when it is due) */
    int32_t                  family;
    size_t                   due;    /* outbox: 1 + its place in the due heap, 0 = not in it */
    const struct mem_bucket *in_customer; /* the customer bucket it last joined */
    const struct mem_bucket *in_invoice;
    char                     id[];
} mem_entry;

/* The entries that had a given customer (or invoice) id: a secondary index
 * that only grows. An entry whose record moved on stays listed and is
 * filtered out by the scan, so neither a write nor a rollback has to remove
 * anything (a rollback never allocates). */
typedef struct mem_bucket {
    mem_entry **items;
    size_t      n, cap;
    int         sorted;
    char        key[];
} mem_bucket;

typedef struct mem_index {
    mem_bucket **slots;
    size_t       cap, count;
} mem_index;

/* A slot of the id hash: the entry and its id's hash, so that a probe
 * passes other ids' slots without reading their entries. */
typedef struct mem_slot {
    uint64_t   hash;
    mem_entry *entry; /* NULL: empty */
} mem_slot;

typedef struct mem_family {
    mem_slot   *slots;    /* hash of entries by id */
    size_t      cap;      /* power of two or 0 */
    size_t      count;    /* entries */
    mem_entry **order;    /* every entry; [0, sorted) in id order */
    size_t      norder;
    size_t      order_cap;
    size_t      sorted;
    mem_index   by_customer;
    mem_index   by_invoice;
} mem_family;

/* What undoes one change: the entry's previous record, or, for a change of
 * its status and instant made in place (a claim), those two. */
typedef struct mem_undo {
    mem_entry      *entry;
    mem_rec        *old;
    int             in_place;
    int32_t         status;
    archase_instant instant;
} mem_undo;

typedef struct mem_audit {
    archase_audit_entry e;
} mem_audit;

/* The outbox items a claim may take (pending or failed_retry), in a binary
 * heap by (instant, id): a claim costs what it returns, whatever the size
 * of the outbox. Every change of an outbox entry's record (put, transition,
 * delete, and their undoing) updates it; its room is reserved when an outbox
 * entry is made, so that neither a transition nor a rollback allocates.
 * A node holds what orders it, the instant and the id's first bytes, so
 * that comparing two rarely reads the entries themselves (scattered in
 * memory, each a cache miss in a large outbox). */
#define DUE_PREFIX 48
typedef struct mem_due_node {
    archase_instant instant;
    unsigned char   prefix[DUE_PREFIX]; /* the id's first bytes, then zeros */
    mem_entry      *entry;
} mem_due_node;

typedef struct mem_due {
    mem_due_node *items;
    size_t        n, cap;
} mem_due;

typedef struct memstore {
    archase_allocator a;
    mem_family        fam[ARCHASE_FAMILY_LIMIT];
    mem_due           due;
    mem_undo         *undo;
    size_t            nundo, undo_cap;
    mem_audit       **audit;
    size_t            naudit, audit_cap;
    size_t            audit_at_begin;
    mem_entry       **settling; /* outbox_settle's entries, found once */
    size_t            settling_cap;
    int               in_txn;
    char              errmsg[256];
} memstore;

#define A(ms) (&(ms)->a)

static int fail(memstore *ms, int code, const char *msg) {
    snprintf(ms->errmsg, sizeof ms->errmsg, "%s", msg);
    return code;
}

static int valid_family(int family) {
    return family > 0 && family < ARCHASE_FAMILY_LIMIT;
}

/* ---- records ----------------------------------------------------------- */

static size_t str_size(const char *s) {
    return s ? strlen(s) + 1 : 0;
}

static mem_rec *rec_copy(memstore *ms, const archase_record *r) {
    size_t id = str_size(r->id), cu = str_size(r->customer_id), in = str_size(r->invoice_id);
    size_t total = sizeof(mem_rec) + id + cu + in + r->size;
    mem_rec *m = ar_malloc(A(ms), total);
    if (!m)
        return NULL;
    m->r = *r;
    char *p = (char *)(m + 1);
    memcpy(p, r->id, id);
    m->r.id = p;
    p += id;
    m->r.customer_id = NULL;
    if (cu) {
        memcpy(p, r->customer_id, cu);
        m->r.customer_id = p;
        p += cu;
    }
    m->r.invoice_id = NULL;
    if (in) {
        memcpy(p, r->invoice_id, in);
        m->r.invoice_id = p;
        p += in;
    }
    if (r->size)
        memcpy(p, r->data, r->size);
    m->r.data = r->size ? p : NULL;
    m->r.currency[3] = '\0';
    m->r.version = ARCHASE_RECORD_VERSION;
    return m;
}

static int check_record(memstore *ms, const archase_record *r) {
    if (!r || r->version != ARCHASE_RECORD_VERSION)
        return fail(ms, ARCHASE_EINVAL, "record version is not supported");
    if (!valid_family(r->family))
        return fail(ms, ARCHASE_EINVAL, "unknown record family");
    if (!r->id || !*r->id)
        return fail(ms, ARCHASE_EINVAL, "a record needs an id");
    if (!r->data && r->size)
        return fail(ms, ARCHASE_EINVAL, "record data is missing");
    return 0;
}

/* ---- entries: hash and order ------------------------------------------- */

/* The slot of `id` (whose hash is `hash`), or the empty slot where it would go. */
static size_t slot_of(const mem_slot *slots, size_t cap, const char *id, uint64_t hash) {
    size_t i = (size_t)hash & (cap - 1);
    while (slots[i].entry && (slots[i].hash != hash || strcmp(slots[i].entry->id, id) != 0))
        i = (i + 1) & (cap - 1);
    return i;
}

/* The empty slot for a hash when rebuilding (every id is distinct). */
static size_t free_slot(const mem_slot *slots, size_t cap, uint64_t hash) {
    size_t i = (size_t)hash & (cap - 1);
    while (slots[i].entry)
        i = (i + 1) & (cap - 1);
    return i;
}

static mem_entry *find(const mem_family *f, const char *id) {
    if (!f->cap)
        return NULL;
    return f->slots[slot_of(f->slots, f->cap, id, ar_hash_str(id))].entry;
}

/* find, also giving the id's hash and the slot where the id is or would go
 * (0 while the hash has no slots). */
static mem_entry *find_slot(const mem_family *f, const char *id, size_t *slot, uint64_t *hash) {
    *hash = ar_hash_str(id);
    if (!f->cap) {
        *slot = 0;
        return NULL;
    }
    *slot = slot_of(f->slots, f->cap, id, *hash);
    return f->slots[*slot].entry;
}

/* Makes room for one more entry in the hash and the order array. */
static int reserve_entry(memstore *ms, mem_family *f) {
    if ((f->count + 1) * 2 > f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 64;
        mem_slot *slots = ar_calloc(A(ms), cap, sizeof *slots);
        if (!slots)
            return fail(ms, ARCHASE_ENOMEM, "out of memory");
        for (size_t i = 0; i < f->cap; i++) {
            if (f->slots[i].entry)
                slots[free_slot(slots, cap, f->slots[i].hash)] = f->slots[i];
        }
        ar_free(A(ms), f->slots);
        f->slots = slots;
        f->cap = cap;
    }
    if (ar_grow(A(ms), (void **)&f->order, &f->order_cap, f->norder + 1, sizeof *f->order))
        return fail(ms, ARCHASE_ENOMEM, "out of memory");
    if (f == &ms->fam[ARCHASE_FAMILY_OUTBOX] &&
        ar_grow(A(ms), (void **)&ms->due.items, &ms->due.cap, f->norder + 1, sizeof *ms->due.items))
        return fail(ms, ARCHASE_ENOMEM, "out of memory");
    return 0;
}

static int reserve_undo(memstore *ms) {
    if (!ms->in_txn)
        return 0;
    if (ar_grow(A(ms), (void **)&ms->undo, &ms->undo_cap, ms->nundo + 1, sizeof *ms->undo))
        return fail(ms, ARCHASE_ENOMEM, "out of memory");
    return 0;
}

/* ---- the due heap ------------------------------------------------------ */

/* (instant, id) order: the prefixes compare as the ids' first bytes do
 * (strcmp's order; the zeros after an id's end sort first); when they are
 * equal and fill the prefix, the ids decide. */
static int due_before(const mem_due_node *x, const mem_due_node *y) {
    if (x->instant != y->instant)
        return x->instant < y->instant;
    int c = memcmp(x->prefix, y->prefix, DUE_PREFIX);
    if (c || !x->prefix[DUE_PREFIX - 1])
        return c < 0;
    return strcmp(x->entry->id, y->entry->id) < 0;
}

static void due_node(mem_due_node *node, mem_entry *e) {
    size_t len = strnlen(e->id, DUE_PREFIX);
    node->instant = e->instant;
    memcpy(node->prefix, e->id, len);
    memset(node->prefix + len, 0, DUE_PREFIX - len);
    node->entry = e;
}

static void due_place(mem_due *h, size_t i, const mem_due_node *node) {
    h->items[i] = *node;
    node->entry->due = i + 1;
}

static void due_sift_up(mem_due *h, size_t i) {
    mem_due_node node = h->items[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!due_before(&node, &h->items[parent]))
            break;
        due_place(h, i, &h->items[parent]);
        i = parent;
    }
    due_place(h, i, &node);
}

static void due_sift_down(mem_due *h, size_t i) {
    mem_due_node node = h->items[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= h->n)
            break;
        if (child + 1 < h->n && due_before(&h->items[child + 1], &h->items[child]))
            child++;
        if (!due_before(&h->items[child], &node))
            break;
        due_place(h, i, &h->items[child]);
        i = child;
    }
    due_place(h, i, &node);
}

/* Puts the entry in the heap, takes it out, or moves it, after its record
 * changed. Room for every outbox entry is reserved (reserve_entry). */
static void due_update(mem_due *h, mem_entry *e) {
    int claimable = e->rec && (e->status == ARCHASE_OUTBOX_PENDING || e->status == ARCHASE_OUTBOX_FAILED_RETRY);
    if (claimable && !e->due) {
        due_node(&h->items[h->n], e);
        e->due = ++h->n;
        due_sift_up(h, h->n - 1);
    } else if (claimable) {
        h->items[e->due - 1].instant = e->instant; /* it may have changed */
        due_sift_up(h, e->due - 1);
        due_sift_down(h, e->due - 1);
    } else if (e->due) {
        size_t i = e->due - 1;
        e->due = 0;
        mem_due_node last = h->items[--h->n];
        if (i < h->n) {
            due_place(h, i, &last);
            due_sift_up(h, i);
            due_sift_down(h, last.entry->due - 1);
        }
    }
}

/* Points an entry at `rec` (may be NULL), with the fields scans filter on. */
static void point(memstore *ms, mem_entry *entry, mem_rec *rec) {
    entry->rec = rec;
    entry->status = rec ? rec->r.status : 0;
    entry->date = rec ? rec->r.date : ARCHASE_DATE_NONE;
    entry->instant = rec ? rec->r.instant : 0;
    if (entry->family == ARCHASE_FAMILY_OUTBOX)
        due_update(&ms->due, entry);
}

/* Sets the record of an entry; the previous one is kept for undo inside a
 * transaction and freed otherwise. Room in the undo log is reserved. */
static void set_rec(memstore *ms, mem_entry *entry, mem_rec *rec) {
    if (ms->in_txn) {
        mem_undo *u = &ms->undo[ms->nundo++];
        u->entry = entry;
        u->old = entry->rec;
        u->in_place = 0;
    } else {
        ar_free(A(ms), entry->rec);
    }
    point(ms, entry, rec);
}

static int cmp_entries(const void *a, const void *b) {
    const mem_entry *x = *(mem_entry *const *)a, *y = *(mem_entry *const *)b;
    return strcmp(x->id, y->id);
}

/* The number of entries of order[0, n) that sort before or with `e`. */
static size_t upper_bound(mem_entry *const *order, size_t n, mem_entry *const *e) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_entries(&order[mid], e) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Brings the order array into id order: sorts the tail and merges it in
 * from the back, each tail entry placed by binary search, so that adding a
 * few ids to a large family costs their number times its logarithm, not
 * its size. Entries that compare equal keep the sorted part first. */
static int sort_family(memstore *ms, mem_family *f) {
    if (f->sorted == f->norder)
        return 0;
    size_t tail = f->norder - f->sorted;
    qsort(f->order + f->sorted, tail, sizeof *f->order, cmp_entries);
    if (f->sorted) {
        mem_entry **added = ar_malloc_array(A(ms), tail, sizeof *added);
        if (!added)
            return fail(ms, ARCHASE_ENOMEM, "out of memory");
        memcpy(added, f->order + f->sorted, tail * sizeof *added);
        size_t i = f->sorted, j = tail, k = f->norder;
        while (j > 0) {
            size_t p = upper_bound(f->order, i, &added[j - 1]);
            size_t move = i - p;
            memmove(f->order + k - move, f->order + p, move * sizeof *f->order);
            k -= move;
            i = p;
            f->order[--k] = added[--j];
        }
        ar_free(A(ms), added);
    }
    f->sorted = f->norder;
    return 0;
}

/* ---- secondary indexes ------------------------------------------------- */

static size_t bucket_slot(mem_bucket **slots, size_t cap, const char *key) {
    size_t i = (size_t)ar_hash_str(key) & (cap - 1);
    while (slots[i] && strcmp(slots[i]->key, key) != 0)
        i = (i + 1) & (cap - 1);
    return i;
}

static mem_bucket *bucket_find(const mem_index *ix, const char *key) {
    return ix->cap ? ix->slots[bucket_slot(ix->slots, ix->cap, key)] : NULL;
}

/* The bucket of `key`, made when missing, with room for one more entry. */
static int bucket_reserve(memstore *ms, mem_index *ix, const char *key, mem_bucket **out) {
    mem_bucket *b = bucket_find(ix, key);
    if (!b) {
        if ((ix->count + 1) * 2 > ix->cap) {
            size_t cap = ix->cap ? ix->cap * 2 : 64;
            mem_bucket **slots = ar_calloc(A(ms), cap, sizeof *slots);
            if (!slots)
                return fail(ms, ARCHASE_ENOMEM, "out of memory");
            for (size_t i = 0; i < ix->cap; i++) {
                if (ix->slots[i])
                    slots[bucket_slot(slots, cap, ix->slots[i]->key)] = ix->slots[i];
            }
            ar_free(A(ms), ix->slots);
            ix->slots = slots;
            ix->cap = cap;
        }
        size_t len = strlen(key) + 1;
        b = ar_calloc(A(ms), 1, sizeof *b + len);
        if (!b)
            return fail(ms, ARCHASE_ENOMEM, "out of memory");
        memcpy(b->key, key, len);
        b->sorted = 1;
        ix->slots[bucket_slot(ix->slots, ix->cap, key)] = b;
        ix->count++;
    }
    if (ar_grow(A(ms), (void **)&b->items, &b->cap, b->n + 1, sizeof *b->items))
        return fail(ms, ARCHASE_ENOMEM, "out of memory");
    *out = b;
    return 0;
}

/* The buckets a record joins when it is set on `e` (NULL entry = new). */
typedef struct index_plan {
    mem_bucket *customer, *invoice;
} index_plan;

static int plan_index(memstore *ms, mem_family *f, const mem_entry *e, const archase_record *r,
                      index_plan *p) {
    p->customer = p->invoice = NULL;
    int rc = 0;
    if (r->customer_id && (!e || !e->in_customer || strcmp(e->in_customer->key, r->customer_id)))
        rc = bucket_reserve(ms, &f->by_customer, r->customer_id, &p->customer);
    if (!rc && r->invoice_id && (!e || !e->in_invoice || strcmp(e->in_invoice->key, r->invoice_id)))
        rc = bucket_reserve(ms, &f->by_invoice, r->invoice_id, &p->invoice);
    return rc;
}

static void join_index(mem_entry *e, const index_plan *p) {
    if (p->customer) {
        p->customer->items[p->customer->n++] = e;
        p->customer->sorted = 0;
        e->in_customer = p->customer;
    }
    if (p->invoice) {
        p->invoice->items[p->invoice->n++] = e;
        p->invoice->sorted = 0;
        e->in_invoice = p->invoice;
    }
}

static void free_index(memstore *ms, mem_index *ix) {
    for (size_t i = 0; i < ix->cap; i++) {
        if (ix->slots[i]) {
            ar_free(A(ms), ix->slots[i]->items);
            ar_free(A(ms), ix->slots[i]);
        }
    }
    ar_free(A(ms), ix->slots);
}

/* ---- slots ------------------------------------------------------------- */

static int mem_get(void *ud, int family, const char *id, archase_record_fn fn, void *ctx) {
    memstore *ms = ud;
    if (!valid_family(family) || !id)
        return fail(ms, ARCHASE_EINVAL, "bad family or id");
    mem_entry *e = find(&ms->fam[family], id);
    if (!e || !e->rec)
        return ARCHASE_ENOTFOUND;
    int rc = fn(ctx, &e->rec->r);
    return rc < 0 ? rc : 0;
}

/* Stores a checked record whose id find_slot looked up: `e` is its entry
 * (NULL: none yet), `slot` where the lookup ended and `hash` the id's. */
static int put_found(memstore *ms, const archase_record *r, mem_entry *e, size_t slot, uint64_t hash) {
    mem_family *f = &ms->fam[r->family];
    mem_entry *fresh = NULL;
    int rc;
    if (!e) {
        size_t cap = f->cap;
        rc = reserve_entry(ms, f);
        if (rc)
            return rc;
        if (f->cap != cap) /* the hash grew: the slot moved */
            slot = slot_of(f->slots, f->cap, r->id, hash);
        size_t len = strlen(r->id) + 1;
        fresh = ar_malloc(A(ms), sizeof *fresh + len);
        if (!fresh)
            return fail(ms, ARCHASE_ENOMEM, "out of memory");
        fresh->family = r->family;
        fresh->due = 0;
        point(ms, fresh, NULL);
        memcpy(fresh->id, r->id, len);
    }
    mem_rec *rec = NULL;
    index_plan plan;
    if ((rc = reserve_undo(ms)) != 0 || (rc = plan_index(ms, f, e, r, &plan)) != 0 ||
        (rec = rec_copy(ms, r)) == NULL) {
        ar_free(A(ms), fresh);
        return rc ? rc : fail(ms, ARCHASE_ENOMEM, "out of memory");
    }
    if (fresh) {
        fresh->in_customer = fresh->in_invoice = NULL;
        f->slots[slot] = (mem_slot){ hash, fresh };
        f->count++;
        /* Ids that arrive in order (an import's usually do) leave nothing
         * for the next full scan to sort. */
        if (f->sorted == f->norder && (!f->norder || strcmp(f->order[f->norder - 1]->id, fresh->id) < 0))
            f->sorted++;
        f->order[f->norder++] = fresh;
        e = fresh;
    }
    set_rec(ms, e, rec);
    join_index(e, &plan);
    return 0;
}

/* One lookup of the id serves both the conflict check (an insert's) and the
 * put. */
static int put_record(memstore *ms, const archase_record *r, int must_be_new) {
    int rc = check_record(ms, r);
    if (rc)
        return rc;
    size_t slot;
    uint64_t hash;
    mem_entry *e = find_slot(&ms->fam[r->family], r->id, &slot, &hash);
    if (must_be_new && e && e->rec)
        return fail(ms, ARCHASE_ECONFLICT, "a record with this id is already stored");
    return put_found(ms, r, e, slot, hash);
}

static int mem_put(void *ud, const archase_record *r) { return put_record(ud, r, 0); }

static int mem_insert(void *ud, const archase_record *r) { return put_record(ud, r, 1); }

static int mem_del(void *ud, int family, const char *id) {
    memstore *ms = ud;
    if (!valid_family(family) || !id)
        return fail(ms, ARCHASE_EINVAL, "bad family or id");
    mem_entry *e = find(&ms->fam[family], id);
    if (!e || !e->rec)
        return ARCHASE_ENOTFOUND;
    int rc = reserve_undo(ms);
    if (rc)
        return rc;
    set_rec(ms, e, NULL);
    return 0;
}

/* 1 when the entry holds a record that passes the filter: status and date
 * from the entry, the ids (when the filter names one) from the record. */
static int matches(const archase_scan_filter *flt, const mem_entry *e) {
    if (!e->rec)
        return 0;
    if (flt->status && e->status != flt->status)
        return 0;
    if (flt->date_from != ARCHASE_DATE_NONE && (e->date == ARCHASE_DATE_NONE || e->date < flt->date_from))
        return 0;
    if (flt->date_to != ARCHASE_DATE_NONE && (e->date == ARCHASE_DATE_NONE || e->date > flt->date_to))
        return 0;
    const archase_record *r = &e->rec->r;
    if (flt->customer_id && (!r->customer_id || strcmp(flt->customer_id, r->customer_id)))
        return 0;
    if (flt->invoice_id && (!r->invoice_id || strcmp(flt->invoice_id, r->invoice_id)))
        return 0;
    return 1;
}

/* How far ahead a scan asks for the entries it will read (and half as far
 * for their records). */
#define PREFETCH_AHEAD 8

static int check_filter(memstore *ms, const archase_scan_filter *flt) {
    if (!flt || flt->version != ARCHASE_SCAN_FILTER_VERSION || !valid_family(flt->family))
        return fail(ms, ARCHASE_EINVAL, "bad scan filter");
    return 0;
}

static int mem_scan(void *ud, const archase_scan_filter *flt, archase_record_fn fn, void *ctx) {
    memstore *ms = ud;
    int rc = check_filter(ms, flt);
    if (rc)
        return rc;
    mem_family *f = &ms->fam[flt->family];
    mem_entry **items;
    size_t n;
    if (flt->invoice_id || flt->customer_id) {
        /* Through the secondary index: only entries that ever had the id. */
        mem_bucket *b = flt->invoice_id ? bucket_find(&f->by_invoice, flt->invoice_id)
                                        : bucket_find(&f->by_customer, flt->customer_id);
        if (!b)
            return 0;
        if (!b->sorted) {
            qsort(b->items, b->n, sizeof *b->items, cmp_entries);
            b->sorted = 1;
        }
        items = b->items;
        n = b->n;
    } else {
        rc = sort_family(ms, f);
        if (rc)
            return rc;
        items = f->order;
        n = f->norder;
    }
    /* A callback may read the store but not write it. */
    for (size_t i = 0; i < n; i++) {
        mem_entry *e = items[i];
        if (i + PREFETCH_AHEAD < n)
            __builtin_prefetch(items[i + PREFETCH_AHEAD]);
        if (i + PREFETCH_AHEAD / 2 < n && items[i + PREFETCH_AHEAD / 2]->rec)
            __builtin_prefetch(items[i + PREFETCH_AHEAD / 2]->rec); /* its entry came in already */
        if (i && e == items[i - 1])
            continue; /* listed twice: its id went away and came back */
        if (!matches(flt, e))
            continue;
        archase_record r = e->rec->r;
        if (flt->flags & ARCHASE_SCAN_NO_DATA) {
            r.data = NULL;
            r.size = 0;
        }
        rc = fn(ctx, &r);
        if (rc == ARCHASE_SCAN_STOP)
            return 0;
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int mem_count(void *ud, const archase_scan_filter *flt, uint64_t *out) {
    memstore *ms = ud;
    int rc = check_filter(ms, flt);
    if (rc)
        return rc;
    const mem_family *f = &ms->fam[flt->family];
    uint64_t n = 0;
    for (size_t i = 0; i < f->norder; i++) {
        if (i + PREFETCH_AHEAD < f->norder)
            __builtin_prefetch(f->order[i + PREFETCH_AHEAD]);
        if (matches(flt, f->order[i]))
            n++;
    }
    *out = n;
    return 0;
}

/* ---- audit ------------------------------------------------------------- */

static int mem_audit_append(void *ud, const archase_audit_entry *entry) {
    memstore *ms = ud;
    if (!entry || entry->version != ARCHASE_AUDIT_ENTRY_VERSION || !entry->actor ||
        (!entry->data && entry->size) || (!entry->links && entry->link_count) ||
        (!entry->nodes && entry->node_count) || entry->node_count > 64)
        return fail(ms, ARCHASE_EINVAL, "bad audit entry");
    if (entry->index != ms->naudit)
        return fail(ms, ARCHASE_ECONFLICT, "audit index is not the next one");
    if (ar_grow(A(ms), (void **)&ms->audit, &ms->audit_cap, ms->naudit + 1, sizeof *ms->audit))
        return fail(ms, ARCHASE_ENOMEM, "out of memory");
    /* One block: the entry, the link pointers, the nodes, the payload, the
     * actor and the links' text. */
    size_t actor = strlen(entry->actor) + 1;
    size_t links_text = 0;
    for (uint32_t i = 0; i < entry->link_count; i++) {
        if (!entry->links[i])
            return fail(ms, ARCHASE_EINVAL, "bad audit entry: a NULL link");
        links_text += strlen(entry->links[i]) + 1;
    }
    size_t pointers = (size_t)entry->link_count * sizeof(char *);
    size_t nodes = (size_t)entry->node_count * 32;
    mem_audit *m = ar_malloc(A(ms), sizeof *m + pointers + nodes + entry->size + actor + links_text);
    if (!m)
        return fail(ms, ARCHASE_ENOMEM, "out of memory");
    m->e = *entry;
    const char **link_ptrs = (const char **)(void *)(m + 1);
    uint8_t *p = (uint8_t *)(m + 1) + pointers;
    m->e.nodes = entry->node_count ? p : NULL;
    if (nodes)
        memcpy(p, entry->nodes, nodes);
    p += nodes;
    m->e.data = entry->size ? p : NULL;
    if (entry->size)
        memcpy(p, entry->data, entry->size);
    p += entry->size;
    memcpy(p, entry->actor, actor);
    m->e.actor = (const char *)p;
    p += actor;
    for (uint32_t i = 0; i < entry->link_count; i++) {
        size_t n = strlen(entry->links[i]) + 1;
        memcpy(p, entry->links[i], n);
        link_ptrs[i] = (const char *)p;
        p += n;
    }
    m->e.links = entry->link_count ? link_ptrs : NULL;
    ms->audit[ms->naudit++] = m;
    return 0;
}

static int mem_audit_read(void *ud, uint64_t from, uint64_t to, archase_audit_fn fn, void *ctx) {
    memstore *ms = ud;
    if (to > ms->naudit)
        to = ms->naudit;
    for (uint64_t i = from; i < to; i++) {
        int rc = fn(ctx, &ms->audit[i]->e);
        if (rc == ARCHASE_SCAN_STOP)
            return 0;
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int mem_audit_size(void *ud, uint64_t *out) {
    *out = ((memstore *)ud)->naudit;
    return 0;
}

/* ---- transactions ------------------------------------------------------ */

static int mem_begin(void *ud) {
    memstore *ms = ud;
    if (ms->in_txn)
        return fail(ms, ARCHASE_ESTATE, "a transaction is already open");
    ms->in_txn = 1;
    ms->nundo = 0;
    ms->audit_at_begin = ms->naudit;
    return 0;
}

static int mem_commit(void *ud) {
    memstore *ms = ud;
    if (!ms->in_txn)
        return fail(ms, ARCHASE_ESTATE, "no transaction is open");
    for (size_t i = 0; i < ms->nundo; i++)
        if (!ms->undo[i].in_place)
            ar_free(A(ms), ms->undo[i].old);
    ms->nundo = 0;
    ms->in_txn = 0;
    return 0;
}

static void undo_one(memstore *ms, const mem_undo *u) {
    if (u->in_place) {
        u->entry->rec->r.status = u->status;
        u->entry->rec->r.instant = u->instant;
        point(ms, u->entry, u->entry->rec);
        return;
    }
    ar_free(A(ms), u->entry->rec);
    point(ms, u->entry, u->old);
}

static void undo_all(memstore *ms) {
    while (ms->nundo)
        undo_one(ms, &ms->undo[--ms->nundo]);
    while (ms->naudit > ms->audit_at_begin)
        ar_free(A(ms), ms->audit[--ms->naudit]);
}

static int mem_rollback(void *ud) {
    memstore *ms = ud;
    if (!ms->in_txn)
        return fail(ms, ARCHASE_ESTATE, "no transaction is open");
    undo_all(ms);
    ms->in_txn = 0;
    return 0;
}

/* ---- outbox ------------------------------------------------------------ */

/* A copy of an entry's record with a new status and instant (and, when
 * `data` is not NULL, new data), set in place. */
static int transition(memstore *ms, mem_entry *e, int status, archase_instant at, const void *data,
                      size_t size) {
    archase_record r = e->rec->r;
    r.status = status;
    r.instant = at;
    if (data) {
        r.data = data;
        r.size = size;
    }
    /* Its customer and invoice ids are the record's: the entry is listed
     * under them since that record (or an earlier one with them) was put,
     * and listings are never removed, so the indexes stay as they are. */
    int rc = reserve_undo(ms);
    if (rc)
        return rc;
    mem_rec *rec = rec_copy(ms, &r);
    if (!rec)
        return fail(ms, ARCHASE_ENOMEM, "out of memory");
    set_rec(ms, e, rec);
    return 0;
}

/* Takes back the changes of the open transaction made after `mark`. */
static void undo_to(memstore *ms, size_t mark) {
    while (ms->nundo > mark)
        undo_one(ms, &ms->undo[--ms->nundo]);
}

/* A claim's transition to sending: only the status and instant change, so
 * the record is changed in place (no copy of its bytes), undone from the
 * two values kept in the undo log. Inside a transaction. */
static int claim_one(memstore *ms, mem_entry *e) {
    int rc = reserve_undo(ms);
    if (rc)
        return rc;
    mem_undo *u = &ms->undo[ms->nundo++];
    u->entry = e;
    u->old = NULL;
    u->in_place = 1;
    u->status = e->rec->r.status;
    u->instant = e->rec->r.instant;
    e->rec->r.status = ARCHASE_OUTBOX_SENDING;
    point(ms, e, e->rec);
    return 0;
}

static int mem_outbox_claim(void *ud, archase_instant now, uint32_t limit, archase_record_fn fn,
                            void *ctx) {
    memstore *ms = ud;
    mem_due *h = &ms->due;
    if (limit == 0 || !h->n || h->items[0].instant > now)
        return 0;
    int own_txn = !ms->in_txn, rc = 0;
    size_t undo_mark = ms->nundo;
    if (own_txn)
        mem_begin(ms);
    /* The heap's first item is the next due one; its transition to sending
     * takes it out of the heap. */
    for (uint32_t i = 0; i < limit && h->n && h->items[0].instant <= now && !rc; i++) {
        mem_entry *e = h->items[0].entry;
        rc = claim_one(ms, e);
        if (!rc) {
            int cb = fn(ctx, &e->rec->r);
            if (cb < 0)
                rc = cb;
            else if (cb == ARCHASE_SCAN_STOP)
                break;
        }
    }
    if (own_txn) {
        if (rc)
            mem_rollback(ms);
        else
            mem_commit(ms);
    } else if (rc) {
        undo_to(ms, undo_mark); /* this claim's transitions only */
    }
    return rc;
}

static int mem_outbox_move(memstore *ms, const char *id, int status, archase_instant at) {
    mem_entry *e = id ? find(&ms->fam[ARCHASE_FAMILY_OUTBOX], id) : NULL;
    if (!e || !e->rec)
        return ARCHASE_ENOTFOUND;
    if (e->rec->r.status != ARCHASE_OUTBOX_SENDING)
        return fail(ms, ARCHASE_ESTATE, "the outbox item is not being sent");
    return transition(ms, e, status, at, NULL, 0);
}

static int mem_outbox_ack(void *ud, const char *id, int status, archase_instant at) {
    memstore *ms = ud;
    if (status != ARCHASE_OUTBOX_SENT && status != ARCHASE_OUTBOX_FAILED_RETRY &&
        status != ARCHASE_OUTBOX_DEAD && status != ARCHASE_OUTBOX_CANCELLED)
        return fail(ms, ARCHASE_ESTATE, "not a status an acknowledgement can set");
    return mem_outbox_move(ms, id, status, at);
}

static int mem_outbox_mark_in_doubt(void *ud, const char *id, archase_instant at) {
    return mem_outbox_move(ud, id, ARCHASE_OUTBOX_IN_DOUBT, at);
}

static int settles_to(int status) {
    return status == ARCHASE_OUTBOX_SENT || status == ARCHASE_OUTBOX_FAILED_RETRY || status == ARCHASE_OUTBOX_DEAD ||
           status == ARCHASE_OUTBOX_CANCELLED || status == ARCHASE_OUTBOX_IN_DOUBT;
}

static int mem_outbox_settle(void *ud, const archase_record *records, uint32_t count) {
    memstore *ms = ud;
    if (!records && count)
        return fail(ms, ARCHASE_EINVAL, "no records");
    mem_family *f = &ms->fam[ARCHASE_FAMILY_OUTBOX];
    if (ar_grow(A(ms), (void **)&ms->settling, &ms->settling_cap, count, sizeof *ms->settling))
        return fail(ms, ARCHASE_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < count; i++) {
        const archase_record *r = &records[i];
        if (r->version != ARCHASE_RECORD_VERSION || !r->id || (!r->data && r->size))
            return fail(ms, ARCHASE_EINVAL, "bad record");
        if (!settles_to(r->status))
            return fail(ms, ARCHASE_ESTATE, "not a status an acknowledgement can set");
        mem_entry *e = find(f, r->id);
        if (!e || !e->rec)
            return ARCHASE_ENOTFOUND;
        if (e->rec->r.status != ARCHASE_OUTBOX_SENDING)
            return fail(ms, ARCHASE_ESTATE, "the outbox item is not being sent");
        ms->settling[i] = e;
    }
    int own_txn = !ms->in_txn, rc = 0;
    size_t undo_mark = ms->nundo;
    if (own_txn)
        mem_begin(ms);
    for (uint32_t i = 0; i < count && !rc; i++) {
        const archase_record *r = &records[i];
        mem_entry *e = ms->settling[i];
        if (e->rec->r.status != ARCHASE_OUTBOX_SENDING) /* named twice in the batch */
            rc = fail(ms, ARCHASE_ESTATE, "the outbox item is not being sent");
        else
            rc = transition(ms, e, r->status, r->instant, r->size ? r->data : "", r->size);
    }
    if (own_txn) {
        if (rc)
            mem_rollback(ms);
        else
            mem_commit(ms);
    } else if (rc) {
        undo_to(ms, undo_mark);
    }
    return rc;
}

/* ---- the rest ---------------------------------------------------------- */

static int mem_schema_version(void *ud, int64_t *out) {
    (void)ud;
    *out = 1;
    return 0;
}

static const char *mem_errmsg(void *ud) {
    return ((memstore *)ud)->errmsg;
}

static void mem_close(void *ud) {
    memstore *ms = ud;
    if (!ms)
        return;
    if (ms->in_txn)
        undo_all(ms);
    for (int i = 0; i < ARCHASE_FAMILY_LIMIT; i++) {
        mem_family *f = &ms->fam[i];
        for (size_t k = 0; k < f->norder; k++) {
            ar_free(A(ms), f->order[k]->rec);
            ar_free(A(ms), f->order[k]);
        }
        ar_free(A(ms), f->order);
        ar_free(A(ms), f->slots);
        free_index(ms, &f->by_customer);
        free_index(ms, &f->by_invoice);
    }
    for (size_t i = 0; i < ms->naudit; i++)
        ar_free(A(ms), ms->audit[i]);
    ar_free(A(ms), ms->audit);
    ar_free(A(ms), ms->undo);
    ar_free(A(ms), ms->settling);
    ar_free(A(ms), ms->due.items);
    archase_allocator a = ms->a;
    ar_free(&a, ms);
}

int archase_memory_storage_new(const archase_allocator *allocator, archase_storage *out) {
    if (!out)
        return ARCHASE_EINVAL;
    int rc = ar_allocator_check(allocator);
    if (rc)
        return rc;
    memstore *ms = ar_calloc(allocator, 1, sizeof *ms);
    if (!ms)
        return ARCHASE_ENOMEM;
    ms->a = *ar_allocator(allocator);
    archase_storage s;
    memset(&s, 0, sizeof s);
    s.version = ARCHASE_STORAGE_VERSION;
    s.userdata = ms;
    s.get = mem_get;
    s.put = mem_put;
    s.insert = mem_insert;
    s.del = mem_del;
    s.scan = mem_scan;
    s.count = mem_count;
    s.audit_append = mem_audit_append;
    s.audit_read = mem_audit_read;
    s.audit_size = mem_audit_size;
    s.outbox_claim = mem_outbox_claim;
    s.outbox_ack = mem_outbox_ack;
    s.outbox_mark_in_doubt = mem_outbox_mark_in_doubt;
    s.outbox_settle = mem_outbox_settle;
    s.begin = mem_begin;
    s.commit = mem_commit;
    s.rollback = mem_rollback;
    s.schema_version = mem_schema_version;
    s.errmsg = mem_errmsg;
    s.close = mem_close;
    *out = s;
    return 0;
}
