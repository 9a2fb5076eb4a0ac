/* libarchase/engine/preview.c — a snapshot straight from exported files
 * (archase_snapshot_preview): the files go through the importers of a
 * private engine whose batches hand their facts here instead of to a store,
 * and whose store is a view of the facts taken so far; the snapshot loader
 * then reads them as it reads a store's scans. No store, no audit log,
 * nothing written.
 *
 * What makes it the same as importing into an empty ledger: every row is
 * checked by the same importer (what an importer reads back finds what an
 * empty ledger would hold by then: the facts of the earlier rows), every fact
 * by the same validation and reference check, and the loader sees the facts
 * in a store's order (ascending id) with the envelope a new fact is stored
 * with; an id given again follows a store's rules. What needs stored state
 * is refused at its row: the facts whose import reads or changes it
 * (payments, promises, disputes, notes). */
#include "engine/preview.h"

#include <stdlib.h>
#include <string.h>

#include "archase/errors.h"
#include "core/alloc.h"
#include "core/date.h"
#include "engine/engine.h"

/* ---- the arena of the facts' strings ---------------------------------------- */

struct ar_preview_chunk {
    ar_preview_chunk *next;
    size_t            used, cap;
    char              data[];
};

#define AR_PV_CHUNK (256u * 1024u)

/* `n` bytes aligned to `align` (a power of two) that live as long as the
 * preview; NULL with *failed set when memory runs out. */
static void *arena(ar_preview *pv, size_t n, size_t align, int *failed) {
    ar_preview_chunk *c = pv->chunks;
    size_t at = c ? (c->used + align - 1) & ~(align - 1) : 0;
    if (!c || at > c->cap || c->cap - at < n) {
        size_t cap = n > AR_PV_CHUNK ? n : AR_PV_CHUNK;
        c = ar_malloc(AR_ENGINE_ALLOC(pv->e), sizeof *c + cap);
        if (!c) {
            *failed = 1;
            return NULL;
        }
        c->next = pv->chunks;
        c->cap = cap;
        pv->chunks = c;
        at = 0;
    }
    c->used = at + n;
    return c->data + at;
}

/* A copy of `s` in the arena (NULL for NULL). */
static const char *copy_str(ar_preview *pv, const char *s, int *failed) {
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = arena(pv, n, 1, failed);
    if (p)
        memcpy(p, s, n);
    return p;
}

/* ---- the facts ------------------------------------------------------------------ */

static const int pv_families[AR_PV_FAMILIES] = { ARCHASE_FAMILY_CUSTOMER, ARCHASE_FAMILY_CONTACT,
                                                 ARCHASE_FAMILY_FLAGS, ARCHASE_FAMILY_INVOICE };

static ar_preview_family *family_of(ar_preview *pv, int family) {
    for (int i = 0; i < AR_PV_FAMILIES; i++) {
        if (pv->fam[i].family == family)
            return &pv->fam[i];
    }
    return NULL;
}

void ar_preview_init(ar_preview *pv, archase_engine *e) {
    memset(pv, 0, sizeof *pv);
    pv->e = e;
    ar_canon_init(&pv->canon, AR_ENGINE_ALLOC(e));
    const size_t sizes[AR_PV_FAMILIES] = { sizeof(archase_customer), sizeof(archase_contact),
                                           sizeof(archase_customer_flags), sizeof(archase_invoice) };
    for (int i = 0; i < AR_PV_FAMILIES; i++) {
        pv->fam[i].family = pv_families[i];
        pv->fam[i].size = sizes[i];
        ar_strtab_init(&pv->fam[i].ids, AR_ENGINE_ALLOC(e));
    }
}

void ar_preview_free(ar_preview *pv) {
    const archase_allocator *a = AR_ENGINE_ALLOC(pv->e);
    for (int i = 0; i < AR_PV_FAMILIES; i++) {
        ar_free(a, pv->fam[i].items);
        ar_free(a, pv->fam[i].order);
        ar_free(a, pv->fam[i].customer);
        ar_strtab_free(&pv->fam[i].ids);
    }
    ar_free(a, pv->customer_rank);
    ar_canon_free(&pv->canon);
    while (pv->chunks) {
        ar_preview_chunk *next = pv->chunks->next;
        ar_free(a, pv->chunks);
        pv->chunks = next;
    }
}

/* The copy of a fact whose strings are the preview's; `customer_id` is the
 * customer's own copy of the id the fact names. 0 or ARCHASE_ENOMEM. */
static int copy_fact(ar_preview *pv, int family, const void *src, void *dst, const char *customer_id) {
    int failed = 0;
    switch (family) {
    case ARCHASE_FAMILY_CUSTOMER: {
        archase_customer c = *(const archase_customer *)src;
        c.id = copy_str(pv, c.id, &failed);
        c.name = copy_str(pv, c.name, &failed);
        c.tier = copy_str(pv, c.tier, &failed);
        c.owner = copy_str(pv, c.owner, &failed);
        c.collector = copy_str(pv, c.collector, &failed);
        c.timezone = copy_str(pv, c.timezone, &failed);
        c.locale = copy_str(pv, c.locale, &failed);
        c.country = copy_str(pv, c.country, &failed);
        c.source_link = copy_str(pv, c.source_link, &failed);
        if (c.tag_count) {
            const char **tags = arena(pv, c.tag_count * sizeof *tags, sizeof *tags, &failed);
            for (size_t i = 0; tags && i < c.tag_count; i++)
                tags[i] = copy_str(pv, c.tags[i], &failed);
            c.tags = tags;
        }
        *(archase_customer *)dst = c;
        break;
    }
    case ARCHASE_FAMILY_CONTACT: {
        archase_contact c = *(const archase_contact *)src;
        c.id = copy_str(pv, c.id, &failed);
        c.customer_id = customer_id;
        c.name = copy_str(pv, c.name, &failed);
        c.role = copy_str(pv, c.role, &failed);
        c.address = copy_str(pv, c.address, &failed);
        *(archase_contact *)dst = c;
        break;
    }
    case ARCHASE_FAMILY_FLAGS: {
        archase_customer_flags f = *(const archase_customer_flags *)src;
        f.customer_id = customer_id;
        f.reason = copy_str(pv, f.reason, &failed);
        f.set_by = copy_str(pv, f.set_by, &failed);
        *(archase_customer_flags *)dst = f;
        break;
    }
    default: {
        archase_invoice v = *(const archase_invoice *)src;
        v.id = copy_str(pv, v.id, &failed);
        v.customer_id = customer_id;
        v.number = copy_str(pv, v.number, &failed);
        v.terms = copy_str(pv, v.terms, &failed);
        v.po_ref = copy_str(pv, v.po_ref, &failed);
        v.source_link = copy_str(pv, v.source_link, &failed);
        *(archase_invoice *)dst = v;
        break;
    }
    }
    return failed ? ARCHASE_ENOMEM : 0;
}

static const char *item_id(const ar_preview_family *f, size_t i) {
    ar_fact_ref ref = { f->family, (const char *)f->items + i * f->size };
    return ar_fact_id(ref);
}

/* Makes the family's id index when it is first needed. 0 or an error on the
 * engine. */
static int ensure_index(ar_preview *pv, ar_preview_family *f) {
    if (f->indexed)
        return 0;
    for (size_t i = 0; i < f->count; i++) {
        uint32_t n;
        int rc = ar_strtab_intern(&f->ids, item_id(f, i), &n);
        if (rc)
            return ar_error_set(&pv->e->err, rc, rc == ARCHASE_ENOMEM ? "out of memory" : "too many facts for a preview");
    }
    f->indexed = 1;
    return 0;
}

/* 1 when the two facts of a family encode alike (what a store compares), 0
 * when not, or ARCHASE_ENOMEM. */
static int same_content(ar_preview *pv, int family, const void *a, const void *b) {
    ar_canon *c = &pv->e->canon;
    const uint8_t *data;
    size_t size;
    ar_fact_ref ra = { family, a }, rb = { family, b };
    if (ar_fact_encode(c, ra) || ar_canon_finish(c, &data, &size))
        return ARCHASE_ENOMEM;
    uint8_t *first = ar_malloc(AR_ENGINE_ALLOC(pv->e), size ? size : 1);
    if (!first)
        return ARCHASE_ENOMEM;
    memcpy(first, data, size);
    size_t first_size = size;
    int rc = ar_fact_encode(c, rb) || ar_canon_finish(c, &data, &size) ? ARCHASE_ENOMEM
             : size == first_size && !memcmp(first, data, size);
    ar_free(AR_ENGINE_ALLOC(pv->e), first);
    return rc;
}

/* A store's reference check: the customer a fact names must exist. Its
 * item number goes to *item (UINT32_MAX for a customer). */
static int check_customer(ar_preview *pv, ar_fact_ref ref, ar_fact_error *why, uint32_t *item) {
    *item = UINT32_MAX;
    if (ref.family == ARCHASE_FAMILY_CUSTOMER)
        return 0;
    const char *customer = ar_fact_customer_id(ref);
    uint16_t field = ref.family == ARCHASE_FAMILY_FLAGS ? 1 : 3;
    ar_preview_family *customers = family_of(pv, ARCHASE_FAMILY_CUSTOMER);
    int rc = ensure_index(pv, customers);
    if (rc)
        return rc;
    *item = ar_strtab_find(&customers->ids, customer);
    if (*item == AR_STRTAB_NONE)
        return ar_fact_error_set(why, ARCHASE_ENOTFOUND, field, "customer '%s' does not exist", customer);
    return 0;
}

/* As ar_fact_apply over a store with an insert slot (memory, SQLite):
 * validation, the customer must exist, then for an id taken before a
 * duplicate, stale, a conflict or an update. */
int ar_preview_take(ar_preview *pv, ar_fact_ref ref, archase_outcome *outcome, ar_fact_error *why) {
    why->code = 0;
    why->field = 0;
    why->message[0] = '\0';
    ar_preview_family *f = family_of(pv, ref.family);
    if (!f)
        return ar_fact_error_set(why, ARCHASE_EINVAL, ref.family == ARCHASE_FAMILY_PAYMENT ? 6 : 0,
                                 "a preview takes customers, contacts, flags and invoices; a %s changes "
                                 "what a ledger has stored, so import it into one",
                                 ar_family_name(ref.family));
    int rc = ar_fact_validate(ref, why);
    if (rc)
        return rc;
    uint32_t customer;
    if ((rc = check_customer(pv, ref, why, &customer)) != 0)
        return rc;
    const char *customer_id = NULL;
    if (customer != UINT32_MAX) {
        ar_preview_family *customers = family_of(pv, ARCHASE_FAMILY_CUSTOMER);
        customer_id = item_id(customers, customer);
    }
    const char *id = ar_fact_id(ref);
    uint32_t n = AR_STRTAB_NONE;
    if (f->indexed || (f->count && strcmp(item_id(f, f->count - 1), id) >= 0)) {
        if ((rc = ensure_index(pv, f)) != 0)
            return rc;
        n = ar_strtab_find(&f->ids, id);
    }
    if (f->count >= UINT32_MAX - 1)
        return ar_error_set(&pv->e->err, ARCHASE_ERANGE, "too many facts for a preview");
    archase_outcome result = ARCHASE_OUTCOME_INSERTED;
    if (n != AR_STRTAB_NONE) {
        /* Taken before: what a store does with the same id again. */
        void *old = (char *)f->items + (size_t)n * f->size;
        ar_fact_ref was = { ref.family, old };
        int64_t revision = ar_fact_revision(ref), stored = ar_fact_revision(was);
        int same = same_content(pv, ref.family, old, ref.fact);
        if (same < 0)
            return ar_error_set(&pv->e->err, same, "out of memory");
        if (same) {
            result = ARCHASE_OUTCOME_DUPLICATE;
        } else if (revision < stored) {
            result = ARCHASE_OUTCOME_STALE;
        } else if (revision == stored) {
            return ar_fact_error_set(why, ARCHASE_ECONFLICT, AR_F_REVISION,
                                     "%s '%s' is already recorded with different content at revision %lld; "
                                     "send a newer revision to replace it",
                                     ar_family_name(ref.family), id, (long long)revision);
        } else {
            if (copy_fact(pv, ref.family, ref.fact, old, customer_id))
                return ar_error_set(&pv->e->err, ARCHASE_ENOMEM, "out of memory");
            if (f->customer)
                f->customer[n] = customer;
            result = ARCHASE_OUTCOME_UPDATED;
        }
        *outcome = result;
        return 0;
    }
    if (f->count == f->cap) {
        size_t cap = f->cap;
        if (ar_grow(AR_ENGINE_ALLOC(pv->e), &f->items, &f->cap, f->count + 1, f->size) ||
            (ref.family != ARCHASE_FAMILY_CUSTOMER &&
             ar_grow(AR_ENGINE_ALLOC(pv->e), (void **)&f->customer, &cap, f->cap, sizeof *f->customer)))
            return ar_error_set(&pv->e->err, ARCHASE_ENOMEM, "out of memory");
    }
    void *slot = (char *)f->items + f->count * f->size;
    if (copy_fact(pv, ref.family, ref.fact, slot, customer_id))
        return ar_error_set(&pv->e->err, ARCHASE_ENOMEM, "out of memory");
    if (f->customer)
        f->customer[f->count] = customer;
    /* Indexed, the new id is number f->count: the index stays item for item
     * (a failure here is fatal and ends the preview). */
    if (f->indexed && (rc = ar_strtab_intern(&f->ids, id, &n)) != 0)
        return ar_error_set(&pv->e->err, rc, rc == ARCHASE_ENOMEM ? "out of memory" : "too many facts for a preview");
    f->count++;
    *outcome = result;
    return 0;
}

/* ---- in a store's order ----------------------------------------------------------- */

typedef struct keyed {
    const char *id;
    uint32_t    item;
} keyed;

static int cmp_keyed(const void *a, const void *b) {
    return strcmp(((const keyed *)a)->id, ((const keyed *)b)->id);
}

static int sort_families(ar_preview *pv) {
    const archase_allocator *a = AR_ENGINE_ALLOC(pv->e);
    for (int i = 0; i < AR_PV_FAMILIES; i++) {
        ar_preview_family *f = &pv->fam[i];
        if (!f->indexed)
            continue; /* every id came after the one before */
        size_t j = 1;
        while (j < f->count && strcmp(item_id(f, j - 1), item_id(f, j)) < 0)
            j++;
        if (j >= f->count || f->order)
            continue; /* already in order (ids are distinct) */
        keyed *k = ar_calloc(a, f->count, sizeof *k);
        f->order = ar_calloc(a, f->count, sizeof *f->order);
        if (!k || !f->order) {
            ar_free(a, k);
            ar_free(a, f->order);
            f->order = NULL;
            return ar_error_set(&pv->e->err, ARCHASE_ENOMEM, "out of memory sorting the preview's facts");
        }
        for (size_t n = 0; n < f->count; n++)
            k[n] = (keyed){ item_id(f, n), (uint32_t)n };
        qsort(k, f->count, sizeof *k, cmp_keyed);
        for (size_t n = 0; n < f->count; n++)
            f->order[n] = k[n].item;
        ar_free(a, k);
    }
    return 0;
}

int ar_preview_seal(ar_preview *pv) {
    const archase_allocator *a = AR_ENGINE_ALLOC(pv->e);
    int rc = sort_families(pv);
    if (rc)
        return rc;
    ar_preview_family *customers = family_of(pv, ARCHASE_FAMILY_CUSTOMER);
    if (customers->order) {
        pv->customer_rank = ar_calloc(a, customers->count, sizeof *pv->customer_rank);
        if (!pv->customer_rank)
            return ar_error_set(&pv->e->err, ARCHASE_ENOMEM, "out of memory sorting the preview's facts");
        for (size_t k = 0; k < customers->count; k++)
            pv->customer_rank[customers->order[k]] = (uint32_t)k;
    }
    return 0;
}

static int matches(const archase_scan_filter *f, const archase_record *r) {
    if (f->status && r->status != f->status)
        return 0;
    if (f->customer_id && (!r->customer_id || strcmp(f->customer_id, r->customer_id) != 0))
        return 0;
    if (f->invoice_id && (!r->invoice_id || strcmp(f->invoice_id, r->invoice_id) != 0))
        return 0;
    int bounded = f->date_from != ARCHASE_DATE_NONE || f->date_to != ARCHASE_DATE_NONE;
    if (bounded && r->date == ARCHASE_DATE_NONE)
        return 0;
    if (f->date_from != ARCHASE_DATE_NONE && r->date < f->date_from)
        return 0;
    if (f->date_to != ARCHASE_DATE_NONE && r->date > f->date_to)
        return 0;
    return 1;
}

int ar_preview_scan(const ar_preview *pv, const archase_scan_filter *filter, archase_record_fn fn, void *ctx,
                    uint32_t *customer) {
    const ar_preview_family *f = NULL;
    for (int i = 0; i < AR_PV_FAMILIES; i++) {
        if (pv->fam[i].family == filter->family)
            f = &pv->fam[i];
    }
    for (size_t n = 0; f && n < f->count; n++) {
        size_t item = f->order ? f->order[n] : n;
        const void *fact = (const char *)f->items + item * f->size;
        ar_fact_ref ref = { f->family, fact };
        archase_record rec;
        ar_fact_envelope(ref, &rec);
        if (!matches(filter, &rec))
            continue;
        rec.data = fact;
        rec.size = 0;
        if (customer) {
            uint32_t c = f->customer ? f->customer[item] : UINT32_MAX;
            *customer = c == UINT32_MAX || !pv->customer_rank ? c : pv->customer_rank[c];
        }
        int rc = fn(ctx, &rec);
        if (rc == ARCHASE_SCAN_STOP)
            return 0;
        if (rc < 0)
            return rc;
    }
    return 0;
}

void ar_preview_fact(const archase_record *rec, ar_fact *out) {
    out->family = rec->family;
    switch (rec->family) {
    case ARCHASE_FAMILY_CUSTOMER: out->u.customer = *(const archase_customer *)rec->data; break;
    case ARCHASE_FAMILY_CONTACT: out->u.contact = *(const archase_contact *)rec->data; break;
    case ARCHASE_FAMILY_FLAGS: out->u.flags = *(const archase_customer_flags *)rec->data; break;
    default: out->u.invoice = *(const archase_invoice *)rec->data; break;
    }
}

/* ---- the private engine's store ----------------------------------------------------- */

static int view_get(void *userdata, int family, const char *id, archase_record_fn fn, void *ctx) {
    ar_preview *pv = userdata;
    ar_preview_family *f = family_of(pv, family);
    if (!f || !id)
        return ARCHASE_ENOTFOUND;
    int rc = ensure_index(pv, f);
    if (rc)
        return rc;
    uint32_t n = ar_strtab_find(&f->ids, id);
    if (n == AR_STRTAB_NONE)
        return ARCHASE_ENOTFOUND;
    ar_fact_ref ref = { family, (const char *)f->items + (size_t)n * f->size };
    archase_record rec;
    ar_fact_envelope(ref, &rec);
    const uint8_t *data;
    if (ar_fact_encode(&pv->canon, ref) || ar_canon_finish(&pv->canon, &data, &rec.size))
        return ARCHASE_ENOMEM;
    rec.data = data;
    rc = fn(ctx, &rec);
    return rc < 0 ? rc : 0;
}

static int view_put(void *userdata, const archase_record *record) {
    (void)userdata;
    (void)record;
    return ARCHASE_EUNSUPPORTED;
}

static int view_scan(void *userdata, const archase_scan_filter *filter, archase_record_fn fn, void *ctx) {
    (void)userdata;
    (void)filter;
    (void)fn;
    (void)ctx;
    return 0;
}

static int view_txn(void *userdata) {
    (void)userdata;
    return 0;
}

void ar_preview_storage(ar_preview *pv, archase_storage *out) {
    memset(out, 0, sizeof *out);
    out->version = ARCHASE_STORAGE_VERSION;
    out->userdata = pv;
    out->get = view_get;
    out->put = view_put;
    out->scan = view_scan;
    out->begin = view_txn;
    out->commit = view_txn;
    out->rollback = view_txn;
}

/* ---- the public call ----------------------------------------------------------------- */

static int check_sources(archase_engine *e, const archase_preview_source *sources, size_t count) {
    if (count && !sources)
        return ar_error_set(&e->err, ARCHASE_EINVAL, "archase_snapshot_preview: %zu sources but no array", count);
    for (size_t i = 0; i < count; i++) {
        const archase_preview_source *s = &sources[i];
        if (s->version != ARCHASE_PREVIEW_SOURCE_VERSION)
            return ar_error_set(&e->err, ARCHASE_EVERSION, "preview source %zu: version %u is not supported", i + 1,
                                s->version);
        if (!s->import)
            return ar_error_set(&e->err, ARCHASE_EINVAL, "preview source %zu has no import options", i + 1);
        int kind = s->import->kind;
        if (!s->import->mapping && !kind)
            return ar_error_set(&e->err, ARCHASE_EINVAL, "preview source %zu names no kind and no mapping", i + 1);
        if (!s->import->mapping && kind != ARCHASE_KIND_CUSTOMERS && kind != ARCHASE_KIND_CONTACTS &&
            kind != ARCHASE_KIND_FLAGS && kind != ARCHASE_KIND_INVOICES)
            return ar_error_set(&e->err, ARCHASE_EINVAL,
                                "preview source %zu: a preview takes customers, contacts, flags and invoices, "
                                "not %s; import those into a ledger",
                                i + 1, archase_kind_name(kind) ? archase_kind_name(kind) : "that kind");
        if (!s->path == !(s->data || s->size))
            return ar_error_set(&e->err, ARCHASE_EINVAL,
                                "preview source %zu needs a path or data, and not both", i + 1);
        if (!s->path && s->size && !s->data)
            return ar_error_set(&e->err, ARCHASE_EINVAL, "preview source %zu has a size but no data", i + 1);
    }
    return 0;
}

int archase_snapshot_preview(archase_engine *e, archase_date as_of, const archase_snapshot_options *opts,
                             const archase_preview_source *sources, size_t count, archase_diag_list *diags,
                             archase_snapshot **out) {
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (!out || as_of < ARCHASE_DATE_MIN || as_of > ARCHASE_DATE_MAX)
        return ar_error_set(&e->err, ARCHASE_EINVAL,
                            "archase_snapshot_preview needs an engine, a valid date and an out pointer");
    if (opts && opts->version != ARCHASE_SNAPSHOT_OPTIONS_VERSION)
        return ar_error_set(&e->err, ARCHASE_EVERSION, "snapshot options version %u is not supported", opts->version);
    int rc = check_sources(e, sources, count);
    if (rc)
        return rc;
    ar_preview pv;
    archase_storage store;
    ar_preview_storage(&pv, &store);
    archase_engine_options eo = ARCHASE_ENGINE_OPTIONS_INIT;
    eo.allocator = AR_ENGINE_ALLOC(e);
    eo.clock = e->clock.now ? &e->clock : NULL;
    eo.actor = e->actor;
    archase_engine *priv = NULL;
    rc = archase_engine_open(&store, &eo, &priv);
    if (rc)
        return ar_error_set(&e->err, rc, "opening the preview: %s", archase_strerror(rc));
    ar_preview_init(&pv, priv);
    priv->preview = &pv;
    for (size_t i = 0; i < count && !rc; i++) {
        const archase_preview_source *s = &sources[i];
        rc = s->path ? archase_import_file(priv, s->import, s->path, diags, NULL)
                     : archase_import_buffer(priv, s->import, s->data, s->size, diags, NULL);
        if (rc)
            ar_error_set(&e->err, rc, "%s", archase_engine_errmsg(priv));
    }
    if (!rc)
        rc = ar_preview_seal(&pv);
    if (rc == ARCHASE_ENOMEM && !*archase_engine_errmsg(e))
        ar_error_set(&e->err, rc, "%s", archase_engine_errmsg(priv));
    if (!rc)
        rc = ar_snapshot_build(e, as_of, opts, &pv, out);
    priv->preview = NULL;
    ar_preview_free(&pv);
    archase_engine_free(priv);
    return rc;
}
