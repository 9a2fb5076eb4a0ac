/* libarchase/engine/dispute_internal.h — what dispute.c shares with the
 * dispute report (dispute_report.c). */
#ifndef AR_ENGINE_DISPUTE_INTERNAL_H
#define AR_ENGINE_DISPUTE_INTERNAL_H

#include "archase/dispute.h"
#include "policy/policy_internal.h"

/* The canonical record of an SLA marker ("DS"): 1 dispute id, 2 what
 * ("sla_reminder", "sla_breached"), 3 DATE SLA due, 4 DATE written on. */
#define AR_DISPUTE_SLA_KIND 0x4453

/* The ar_reason of a reason code, or -1. */
int ar_dispute_reason(const char *code);
/* The same, with a code the policy does not know read as AR_REASON_OTHER
 * (whose playbook it follows). */
int ar_dispute_reason_or_other(const char *code);
/* The playbook of a reason code (other's for an unknown one). */
const ar_playbook *ar_dispute_playbook(const archase_policy *policy, const char *code);
/* Owner, SLA, age of `d` on `as_of` (pending_approval left NULL). */
void ar_dispute_standing(const archase_policy *policy, const archase_dispute *d, archase_date as_of,
                         archase_dispute_info *info);

#endif
