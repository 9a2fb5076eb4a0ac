/* libarchase/kpi/outbox_view.c — the outbox as the KPIs' messages and
 * reviews (outbox_view.h). */
#include "kpi/outbox_view.h"

#include <string.h>

#include "archase/cycle.h"
#include "archase/date.h"
#include "archase/errors.h"
#include "archase/evaluate.h"
#include "core/alloc.h"
#include "engine/engine.h"

/* A touch while the outbox is read: strings as numbers in `strings`, whose
 * text may still move. */
typedef struct pending_touch {
    uint32_t     customer, sequence, step, tmpl; /* AR_STRTAB_NONE = none */
    uint32_t     inv_first, inv_count;           /* into reader.inv */
    archase_date date;
    int          channel;
} pending_touch;

typedef struct pending_review {
    uint32_t        id, reviewer;
    archase_instant drafted_at, reviewed_at;
    int             outcome;
} pending_review;

typedef struct reader {
    ar_kpi_outbox  *ob;
    int             messages, reviews;
    pending_touch  *touch;  size_t touch_n, touch_cap;
    uint32_t       *inv;    size_t inv_n, inv_cap;
    pending_review *review; size_t review_n, review_cap;
    int             rc;
} reader;

void ar_kpi_outbox_init(ar_kpi_outbox *ob, const archase_allocator *a) {
    memset(ob, 0, sizeof *ob);
    ob->allocator = a;
    ar_strtab_init(&ob->strings, a);
}

void ar_kpi_outbox_free(ar_kpi_outbox *ob) {
    ar_strtab_free(&ob->strings);
    ar_free(ob->allocator, ob->touches);
    ar_free(ob->allocator, ob->invoices);
    ar_free(ob->allocator, ob->reviews);
    ar_kpi_outbox_init(ob, ob->allocator);
}

/* The number of `s` (`len` bytes, or up to its NUL when len is SIZE_MAX),
 * AR_STRTAB_NONE for NULL. */
static uint32_t intern(reader *r, const char *s, size_t len) {
    if (!s || r->rc)
        return AR_STRTAB_NONE;
    char buf[256];
    if (len != SIZE_MAX) {
        if (len >= sizeof buf)
            len = sizeof buf - 1;
        memcpy(buf, s, len);
        buf[len] = '\0';
        s = buf;
    }
    uint32_t n = AR_STRTAB_NONE;
    if (ar_strtab_intern(&r->ob->strings, s, &n))
        r->rc = ARCHASE_ENOMEM;
    return n;
}

/* The sequence and step of a step's rule path, "sequences.NAME.steps[ID]". */
static void sequence_step(reader *r, const char *rule, uint32_t *sequence, uint32_t *step) {
    static const char prefix[] = "sequences.", mid[] = ".steps[";
    *sequence = *step = AR_STRTAB_NONE;
    if (!rule || strncmp(rule, prefix, sizeof prefix - 1) != 0)
        return;
    const char *name = rule + sizeof prefix - 1;
    const char *m = strstr(name, mid);
    if (!m)
        return;
    const char *id = m + sizeof mid - 1;
    const char *end = strchr(id, ']');
    if (!end || end[1] != '\0')
        return;
    *sequence = intern(r, name, (size_t)(m - name));
    *step = intern(r, id, (size_t)(end - id));
}

static int add_touch(reader *r, const archase_outbox_item *it) {
    archase_instant at = it->last_attempt_at ? it->last_attempt_at : it->scheduled_at;
    archase_date day = archase_instant_utc_date(at);
    if (day == ARCHASE_DATE_NONE || !it->invoice_count || !it->invoice_ids || !it->customer_id)
        return 0;
    const archase_allocator *a = r->ob->allocator;
    if (ar_grow(a, (void **)&r->touch, &r->touch_cap, r->touch_n + 1, sizeof *r->touch) ||
        ar_grow(a, (void **)&r->inv, &r->inv_cap, r->inv_n + it->invoice_count, sizeof *r->inv))
        return r->rc = ARCHASE_ENOMEM;
    pending_touch t;
    memset(&t, 0, sizeof t);
    t.customer = intern(r, it->customer_id, SIZE_MAX);
    sequence_step(r, it->rule, &t.sequence, &t.step);
    t.tmpl = intern(r, it->template_name, SIZE_MAX);
    t.inv_first = (uint32_t)r->inv_n;
    for (size_t k = 0; k < it->invoice_count; k++) {
        if (!it->invoice_ids[k])
            continue;
        r->inv[r->inv_n++] = intern(r, it->invoice_ids[k], SIZE_MAX);
        t.inv_count++;
    }
    t.date = day;
    t.channel = it->channel;
    if (!r->rc && t.inv_count)
        r->touch[r->touch_n++] = t;
    return r->rc;
}

static int add_review(reader *r, const archase_outbox_item *it) {
    if (archase_instant_utc_date(it->created_at) == ARCHASE_DATE_NONE)
        return 0;
    if (ar_grow(r->ob->allocator, (void **)&r->review, &r->review_cap, r->review_n + 1, sizeof *r->review))
        return r->rc = ARCHASE_ENOMEM;
    pending_review v;
    memset(&v, 0, sizeof v);
    v.id = intern(r, it->id, SIZE_MAX);
    v.drafted_at = it->created_at;
    v.outcome = ARCHASE_REVIEW_PENDING;
    v.reviewer = AR_STRTAB_NONE;
    if (it->reviewer && it->reviewed_at >= it->created_at) {
        v.reviewer = intern(r, it->reviewer, SIZE_MAX);
        v.reviewed_at = it->reviewed_at;
        v.outcome = it->status == ARCHASE_OUTBOX_CANCELLED ? ARCHASE_REVIEW_REJECTED
                    : it->edited                          ? ARCHASE_REVIEW_EDITED
                                                          : ARCHASE_REVIEW_APPROVED;
    }
    if (!r->rc)
        r->review[r->review_n++] = v;
    return r->rc;
}

static int on_item(void *userdata, const archase_outbox_item *it) {
    reader *r = userdata;
    if (r->messages && it->status == ARCHASE_OUTBOX_SENT && it->kind == ARCHASE_DECISION_SEND_MESSAGE &&
        it->channel != ARCHASE_CHANNEL_INTERNAL && add_touch(r, it))
        return r->rc;
    if (r->reviews && it->draft && add_review(r, it))
        return r->rc;
    return 0;
}

static const char *str(const ar_kpi_outbox *ob, uint32_t n) {
    return n == AR_STRTAB_NONE ? NULL : ar_strtab_str(&ob->strings, n);
}

/* The records, now that the strings stay where they are. */
static int finish(reader *r) {
    ar_kpi_outbox *ob = r->ob;
    const archase_allocator *a = ob->allocator;
    ob->touches = ar_malloc_array(a, r->touch_n ? r->touch_n : 1, sizeof *ob->touches);
    ob->invoices = ar_malloc_array(a, r->inv_n ? r->inv_n : 1, sizeof *ob->invoices);
    ob->reviews = ar_malloc_array(a, r->review_n ? r->review_n : 1, sizeof *ob->reviews);
    if (!ob->touches || !ob->invoices || !ob->reviews)
        return ARCHASE_ENOMEM;
    for (size_t i = 0; i < r->inv_n; i++)
        ob->invoices[i] = str(ob, r->inv[i]);
    for (size_t i = 0; i < r->touch_n; i++) {
        const pending_touch *p = &r->touch[i];
        archase_kpi_touch t = ARCHASE_KPI_TOUCH_INIT;
        t.customer_id = str(ob, p->customer);
        t.invoice_ids = ob->invoices + p->inv_first;
        t.invoice_count = p->inv_count;
        t.date = p->date;
        t.channel = p->channel;
        t.sequence = str(ob, p->sequence);
        t.step = str(ob, p->step);
        t.template_name = str(ob, p->tmpl);
        ob->touches[i] = t;
    }
    ob->touch_count = r->touch_n;
    for (size_t i = 0; i < r->review_n; i++) {
        const pending_review *p = &r->review[i];
        archase_kpi_review v = ARCHASE_KPI_REVIEW_INIT;
        v.draft_id = str(ob, p->id);
        v.reviewer = str(ob, p->reviewer);
        v.drafted_at = p->drafted_at;
        v.reviewed_at = p->reviewed_at;
        v.outcome = p->outcome;
        ob->reviews[i] = v;
    }
    ob->review_count = r->review_n;
    return 0;
}

int ar_kpi_outbox_read(archase_engine *e, int messages, int reviews, ar_kpi_outbox *ob) {
    reader r;
    memset(&r, 0, sizeof r);
    r.ob = ob;
    r.messages = messages;
    r.reviews = reviews;
    int rc = 0;
    if (messages || reviews)
        rc = archase_outbox_scan(e, 0, on_item, &r);
    if (!rc)
        rc = r.rc;
    if (!rc)
        rc = finish(&r);
    const archase_allocator *a = ob->allocator;
    ar_free(a, r.touch);
    ar_free(a, r.inv);
    ar_free(a, r.review);
    if (rc) {
        ar_kpi_outbox_free(ob);
        if (rc == ARCHASE_ENOMEM || !*archase_engine_errmsg(e))
            ar_error_set(&e->err, rc, rc == ARCHASE_ENOMEM ? "out of memory reading the outbox"
                                                             : "the outbox cannot be read");
    }
    return rc;
}
