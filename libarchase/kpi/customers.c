/* libarchase/kpi/customers.c — every customer's payment pattern as of a date
 * (customer_payment_pattern_signal), through the engine's one pattern
 * function, with its promises due in the year up to that date and those
 * broken. */
#include <stdlib.h>
#include <string.h>

#include "archase/errors.h"
#include "archase/sys/storage.h"
#include "core/alloc.h"
#include "engine/pattern.h"
#include "kpi/report.h"

#define PROMISE_YEAR 365

static int cmp_customers(const void *a, const void *b) {
    const ar_kpi_cust *x = a, *y = b;
    return strcmp(x->c.customer_id, y->c.customer_id);
}

int ar_kpi_customers_compute(archase_kpi_report *r, const ar_kv *v, archase_date to,
                             const ar_kpi_params *p, ar_error *err) {
    const archase_allocator *a = &r->allocator;
    size_t n = v->customer_ids.count;
    uint32_t *first = NULL;
    ar_settled *items = NULL;
    int rc = 0;
    if (!n)
        return 0;
    first = ar_calloc(a, n + 1, sizeof *first);
    items = ar_malloc_array(a, v->invoice_count ? v->invoice_count : 1, sizeof *items);
    r->customers = ar_calloc(a, n, sizeof *r->customers);
    if (!first || !items || !r->customers) {
        rc = ar_error_set(err, ARCHASE_ENOMEM, "out of memory");
        goto done;
    }
    /* the invoices settled by `to`, grouped by customer */
    for (size_t i = 0; i < v->invoice_count; i++) {
        const ar_kv_invoice *inv = &v->invoices[i];
        if (inv->settled != ARCHASE_DATE_NONE && inv->settled <= to)
            first[inv->customer + 1]++;
    }
    for (size_t c = 0; c < n; c++)
        first[c + 1] += first[c];
    for (size_t i = 0; i < v->invoice_count; i++) {
        const ar_kv_invoice *inv = &v->invoices[i];
        if (inv->settled != ARCHASE_DATE_NONE && inv->settled <= to) {
            ar_settled *s = &items[first[inv->customer]++];
            s->due = inv->due;
            s->settled = inv->settled;
        }
    }
    for (size_t c = n; c > 0; c--)
        first[c] = first[c - 1];
    first[0] = 0;
    for (size_t c = 0; c < n; c++) {
        ar_kpi_cust *k = &r->customers[c];
        archase_kpi_customer init = ARCHASE_KPI_CUSTOMER_INIT;
        k->c = init;
        if (ar_strtab_intern(&r->strings, ar_strtab_str(&v->customer_ids, (uint32_t)c), &k->id)) {
            rc = ar_error_set(err, ARCHASE_ENOMEM, "out of memory");
            goto done;
        }
        ar_pattern pat;
        ar_pattern_compute(items + first[c], first[c + 1] - first[c], (uint32_t)p->lookback, &pat);
        k->c.paid_invoices = pat.sample;
        if (pat.sample) {
            k->c.median_days_late = ar_number(pat.median_x100);
            k->c.p80_days_late = ar_number(pat.p80_x100);
            k->c.on_time_percent = ar_number(ar_pattern_on_time_x100(&pat));
        }
        if (pat.trend_defined)
            k->c.trend_days = ar_number(pat.trend_x100);
    }
    for (size_t i = 0; i < v->promise_count; i++) {
        const ar_kv_promise *pr = &v->promises[i];
        archase_date deadline = ar_kv_promise_deadline(pr, p->grace_days);
        if (pr->status == ARCHASE_PROMISE_STATUS_CANCELLED || deadline > to ||
            deadline <= to - PROMISE_YEAR || (pr->recorded != ARCHASE_DATE_NONE && pr->recorded > to))
            continue;
        int outcome = ar_kv_promise_outcome(v, pr, p->grace_days);
        if (outcome == AR_KV_PROMISE_VOID)
            continue; /* its invoices closed without it: as cancelled */
        archase_kpi_customer *c = &r->customers[pr->customer].c;
        c->promises_due++;
        if (outcome == AR_KV_PROMISE_NOT_KEPT)
            c->broken_promises++;
    }
    r->customer_count = n;
    for (size_t c = 0; c < n; c++)
        r->customers[c].c.customer_id = ar_strtab_str(&r->strings, r->customers[c].id);
    qsort(r->customers, n, sizeof *r->customers, cmp_customers);
done:
    ar_free(a, first);
    ar_free(a, items);
    if (rc) {
        ar_free(a, r->customers);
        r->customers = NULL;
        r->customer_count = 0;
    }
    return rc;
}
