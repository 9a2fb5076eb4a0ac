/* libarchase/engine/dispute_report.c — the dispute report: open disputes by
 * reason, owner and age, time to resolution, root causes per month — the
 * monthly dispute-cause review (archase/dispute.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/date.h"
#include "archase/dispute.h"
#include "archase/errors.h"
#include "core/alloc.h"
#include "engine/coll.h"
#include "engine/dispute_internal.h"

typedef struct row {
    char    *group, *key;
    char     month[16];
    uint64_t count;
    int64_t  days, max_days;
} row;

typedef struct report {
    archase_engine       *e;
    const archase_policy *policy;
    archase_date          as_of;
    row                  *rows;
    size_t                n, cap;
    ar_fact               fact;
} report;

static int add(report *r, const char *group, const char *key, const char *month, int64_t days) {
    for (size_t i = 0; i < r->n; i++) {
        row *x = &r->rows[i];
        if (!strcmp(x->group, group) && !strcmp(x->key, key) && !strcmp(x->month, month)) {
            x->count++;
            x->days += days;
            if (days > x->max_days)
                x->max_days = days;
            return 0;
        }
    }
    const archase_allocator *al = AR_ENGINE_ALLOC(r->e);
    if (ar_grow(al, (void **)&r->rows, &r->cap, r->n + 1, sizeof *r->rows))
        return ARCHASE_ENOMEM;
    row *x = &r->rows[r->n];
    memset(x, 0, sizeof *x);
    x->group = ar_strdup(al, group);
    x->key = ar_strdup(al, key);
    r->n++;
    if (!x->group || !x->key)
        return ARCHASE_ENOMEM;
    snprintf(x->month, sizeof x->month, "%s", month);
    x->count = 1;
    x->days = days;
    x->max_days = days;
    return 0;
}

static const char *age_band(int32_t days) {
    return days <= 30 ? "0-30" : days <= 60 ? "31-60" : days <= 90 ? "61-90" : "91+";
}

static int on_dispute(void *ctx, const archase_record *rec) {
    report *r = ctx;
    int rc = ar_fact_decode(&r->fact, ARCHASE_FAMILY_DISPUTE, rec->data, rec->size);
    if (rc == ARCHASE_ENOMEM)
        return rc;
    if (rc)
        return ar_error_set(&r->e->err, ARCHASE_ESTORAGE, "the stored dispute '%s' cannot be decoded", rec->id);
    const archase_dispute *d = &r->fact.u.dispute;
    if (d->opened_on > r->as_of)
        return 0;
    archase_dispute_info info;
    ar_dispute_standing(r->policy, d, r->as_of, &info);
    int resolved = d->status == ARCHASE_DISPUTE_RESOLVED && d->resolved_on <= r->as_of;
    if (!resolved) {
        rc = add(r, "open_by_reason", d->reason_code, "", info.age_days);
        if (!rc)
            rc = add(r, "open_by_owner", info.owner ? info.owner : "", "", info.age_days);
        if (!rc)
            rc = add(r, "open_by_age", age_band(info.age_days), "", info.age_days);
    } else {
        int32_t y, m, day;
        archase_date_to_ymd(d->resolved_on, &y, &m, &day);
        char month[16];
        snprintf(month, sizeof month, "%04d-%02d", (int)(y % 10000), (int)(m % 100));
        rc = add(r, "time_to_resolve", d->reason_code, "", info.age_days);
        if (!rc)
            rc = add(r, "time_to_resolve", "all", "", info.age_days);
        if (!rc)
            rc = add(r, "root_cause", d->root_cause ? d->root_cause : "", month, info.age_days);
    }
    return rc;
}

static int cmp_row(const void *a, const void *b) {
    const row *x = a, *y = b;
    int c = strcmp(x->group, y->group);
    if (!c)
        c = strcmp(x->month, y->month);
    if (!c)
        c = strcmp(x->key, y->key);
    return c;
}

int archase_dispute_report(archase_engine *e, const archase_policy *policy, archase_date as_of,
                           archase_dispute_report_fn fn, void *userdata) {
    if (!e)
        return ARCHASE_EINVAL;
    ar_error_clear(&e->err);
    if (!policy || !fn || !ar_coll_date_ok(as_of))
        return ar_error_set(&e->err, ARCHASE_EINVAL, "archase_dispute_report needs a policy, a callback and a valid date");
    report r;
    memset(&r, 0, sizeof r);
    r.e = e;
    r.policy = policy;
    r.as_of = as_of;
    ar_fact_init(&r.fact, AR_ENGINE_ALLOC(e));
    archase_scan_filter f = ARCHASE_SCAN_FILTER_INIT;
    f.family = ARCHASE_FAMILY_DISPUTE;
    int rc = ar_store_scan(e, &f, on_dispute, &r);
    if (rc == ARCHASE_ENOMEM)
        ar_error_set(&e->err, rc, "out of memory");
    if (!rc && r.n > 1)
        qsort(r.rows, r.n, sizeof *r.rows, cmp_row);
    for (size_t i = 0; i < r.n && !rc; i++) {
        archase_dispute_report_row out = { ARCHASE_DISPUTE_REPORT_ROW_VERSION, r.rows[i].group, r.rows[i].key,
                                           r.rows[i].month, r.rows[i].count, r.rows[i].days, r.rows[i].max_days };
        rc = fn(userdata, &out);
        if (rc == ARCHASE_SCAN_STOP) {
            rc = 0;
            break;
        }
    }
    const archase_allocator *al = AR_ENGINE_ALLOC(e);
    for (size_t i = 0; i < r.n; i++) {
        ar_free(al, r.rows[i].group);
        ar_free(al, r.rows[i].key);
    }
    ar_free(al, r.rows);
    ar_fact_free(&r.fact);
    return rc;
}
