/* libarchase/engine/lifecycle.c — promises, disputes and reconciliation
 * states moved forward by the daily cycle (engine/lifecycle.h), and
 * archase_lifecycle_update for hosts that run no cycle (archase/lifecycle.h). */
#include "engine/lifecycle.h"

#include <string.h>

#include "archase/errors.h"
#include "archase/lifecycle.h"
#include "engine/coll.h"
#include "engine/credit_notice.h"
#include "engine/lifecycle_steps.h"

int ar_lifecycle_apply_txn(archase_engine *e, const archase_policy *policy,
                           const archase_snapshot *snap, archase_date as_of, ar_lifecycle_counts *counts) {
    if (!e)
        return ARCHASE_EINVAL;
    if (!policy || !snap || !ar_coll_date_ok(as_of))
        return ar_error_set(&e->err, ARCHASE_EINVAL, "the lifecycle needs a policy, a snapshot and a valid date");
    if (!e->in_txn)
        return ar_error_set(&e->err, ARCHASE_ESTATE, "the lifecycle runs inside a transaction");
    ar_lifecycle_counts c;
    memset(&c, 0, sizeof c);
    int rc = ar_promises_advance_txn(e, policy, snap, as_of, &c);
    if (!rc)
        rc = ar_disputes_advance_txn(e, policy, snap, as_of, &c);
    if (!rc)
        rc = ar_recon_advance_txn(e, policy, snap, as_of, &c);
    if (!rc)
        rc = ar_credit_holds_advance_txn(e, policy, as_of, &c);
    if (!rc && counts)
        *counts = c;
    return rc;
}

int archase_lifecycle_update(archase_engine *e, const archase_policy *policy, archase_date as_of,
                             archase_lifecycle_counts *counts) {
    int rc = ar_coll_begin_call(e);
    if (rc)
        return rc;
    if (!policy || !ar_coll_date_ok(as_of))
        return ar_error_set(&e->err, ARCHASE_EINVAL, "archase_lifecycle_update needs a policy and a valid date");
    if (counts && counts->version != ARCHASE_LIFECYCLE_COUNTS_VERSION)
        return ar_error_set(&e->err, ARCHASE_EVERSION, "lifecycle counts version %u is not supported",
                            counts->version);
    archase_snapshot_options opts = ARCHASE_SNAPSHOT_OPTIONS_INIT;
    opts.policy = policy;
    archase_snapshot *snap = NULL;
    rc = archase_snapshot_load(e, as_of, &opts, &snap);
    if (rc)
        return rc;
    ar_lifecycle_counts c;
    rc = ar_txn_begin(e);
    if (rc)
        goto done;
    rc = ar_lifecycle_apply_txn(e, policy, snap, as_of, &c);
    if (!rc)
        rc = ar_txn_commit(e);
    else
        ar_txn_rollback(e);
    if (!rc && counts) {
        counts->promises_kept = c.promises_kept;
        counts->promises_partially_kept = c.promises_partially_kept;
        counts->promises_broken = c.promises_broken;
        counts->disputes_sla_reminders = c.disputes_sla_reminders;
        counts->disputes_sla_breached = c.disputes_sla_breached;
        counts->recon_opened = c.recon_opened;
        counts->transitions = c.transitions;
    }
done:
    archase_snapshot_free(snap);
    return rc;
}
