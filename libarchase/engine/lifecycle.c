/* libarchase/engine/lifecycle.c — promises, disputes and reconciliation
 * states moved forward by the daily cycle (engine/lifecycle.h). */
#include "engine/lifecycle.h"

#include <string.h>

#include "archase/errors.h"

int ar_lifecycle_apply_txn(archase_engine *e, const archase_policy *policy,
                           const archase_snapshot *snap, const archase_decisions *ds,
                           archase_date as_of, ar_lifecycle_counts *counts) {
    (void)policy;
    (void)snap;
    (void)ds;
    (void)as_of;
    if (!e)
        return ARCHASE_EINVAL;
    /* No transitions are derived yet: promise and dispute states are only
     * those recorded as facts. */
    if (counts)
        memset(counts, 0, sizeof *counts);
    return 0;
}
