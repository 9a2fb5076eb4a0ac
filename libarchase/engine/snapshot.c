/* libarchase/engine/snapshot.c — a snapshot's lifetime and what it can say
 * about itself; loading is in snapshot_load.c. */
#include "engine/snapshot.h"

#include <string.h>

#include "archase/errors.h"
#include "core/alloc.h"

int archase_snapshot_options_init(archase_snapshot_options *opts, unsigned version) {
    if (!opts)
        return ARCHASE_EINVAL;
    if (version != ARCHASE_SNAPSHOT_OPTIONS_VERSION)
        return ARCHASE_EVERSION;
    archase_snapshot_options init = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    *opts = init;
    return 0;
}

void ar_snap_free_lists(const archase_allocator *a, archase_snapshot *s) {
    ar_strtab_free(&s->invoice_ids);
    ar_free(a, s->customers);
    ar_free(a, s->invoices);
    ar_free(a, s->invoice_num);
    ar_free(a, s->invoice_index);
    ar_free(a, s->history);
    ar_free(a, s->promises);
    ar_free(a, s->promise_invoices);
    ar_free(a, s->instalments);
    ar_free(a, s->promise_payments);
    ar_free(a, s->disputes);
    ar_free(a, s->dispute_invoices);
    ar_free(a, s->notes);
    ar_free(a, s->cadence);
    ar_free(a, s->closed);
    ar_free(a, s->names);
    ar_free(a, s->touches);
    ar_free(a, s->touchlogs);
}

void archase_snapshot_free(archase_snapshot *s) {
    if (!s)
        return;
    const archase_allocator *a = &s->allocator;
    for (size_t i = 0; i < s->zone_count; i++)
        archase_tz_free(s->zones[i]);
    ar_free(a, s->zones);
    ar_strtab_free(&s->ids);
    ar_strtab_free(&s->text);
    ar_snap_free_lists(a, s);
    ar_free(a, s);
}

int archase_snapshot_info_get(const archase_snapshot *s, archase_snapshot_info *out) {
    if (!s || !out)
        return ARCHASE_EINVAL;
    if (out->version != ARCHASE_SNAPSHOT_INFO_VERSION)
        return ARCHASE_EVERSION;
    out->as_of = s->as_of;
    out->customers = s->ids.count;
    out->open_invoices = s->invoice_count;
    out->settled_history = s->history_count;
    out->promises = s->promise_count;
    out->disputes = s->dispute_count;
    out->cadence_records = s->cadence_count;
    out->zones = s->zone_count;
    out->bytes = s->bytes;
    return 0;
}

uint32_t ar_snap_find_zone(const archase_snapshot *s, const char *name) {
    size_t lo = 0, hi = s->zone_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(archase_tz_name(s->zones[mid]), name);
        if (c == 0)
            return (uint32_t)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return AR_IDX_NONE;
}
