/* include/archase/replay.h — replaying a policy over a historical ledger, day
 * by day, and comparing policies (back-testing).
 *
 * The replay copies the ledger's facts into a scratch store of its own and,
 * for every day of [from, to], loads the snapshot of that day (facts dated
 * after it are not visible: invoices not yet issued, payments not yet made,
 * promises not yet recorded, disputes not yet opened or resolved), evaluates
 * the policy and keeps the resulting chase state for the next day, as the
 * daily cycle would, without sending anything or writing to the ledger. It
 * reports what the policy would have done (messages, calls, escalations,
 * approvals), the KPIs of the period with the effectiveness of those
 * messages, and how well the policy's risk score ranked the invoices that
 * went 60 or more days late (AUC).
 */
#ifndef ARCHASE_REPLAY_H
#define ARCHASE_REPLAY_H

#include "archase/common.h"
#include "archase/engine.h"
#include "archase/kpi.h"
#include "archase/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct archase_replay_options {
    unsigned    version;              /* ARCHASE_REPLAY_OPTIONS_VERSION */
    const char *tzdir;                /* IANA zones for the snapshots; NULL = /usr/share/zoneinfo */
    int32_t     late_days;            /* "went late": not settled this many days after the
                                         due date; 0 = 60 */
    int32_t     response_window_days; /* for the messages' effectiveness; 0 = 7 */
} archase_replay_options;
#define ARCHASE_REPLAY_OPTIONS_VERSION 1
#define ARCHASE_REPLAY_OPTIONS_INIT { ARCHASE_REPLAY_OPTIONS_VERSION, NULL, 0, 0 }
/* Fills `opts` with the defaults. Returns 0, ARCHASE_EINVAL or ARCHASE_EVERSION. */
ARCHASE_API int archase_replay_options_init(archase_replay_options *opts, unsigned version);

typedef struct archase_replay_result archase_replay_result;

/* Replays `policy` over the ledger of `ledger` for every day of [from, to]
 * (at most 3,660 days). Reads the ledger; writes nothing to it. `opts` may be
 * NULL. Returns 0, ARCHASE_EINVAL (NULL argument, from > to, a date out of
 * range, a batch open on the ledger), ARCHASE_EVERSION, ARCHASE_ERANGE (too
 * many days), ARCHASE_ENOTFOUND (the policy's time zone is not installed),
 * ARCHASE_ESTORAGE, ARCHASE_ENOMEM; archase_engine_errmsg(ledger) says why.
 * *out is written only on success. */
ARCHASE_API int archase_replay(archase_engine *ledger, const archase_policy *policy, archase_date from,
                               archase_date to, const archase_replay_options *opts,
                               archase_replay_result **out);

/* NULL is allowed. */
ARCHASE_API void archase_replay_result_free(archase_replay_result *result);

/* What the policy did over the whole replay. Counts are decisions (a message
 * consolidating several invoices is one). */
typedef struct archase_replay_summary {
    unsigned           version;        /* ARCHASE_REPLAY_SUMMARY_VERSION */
    archase_date       from;
    archase_date       to;
    uint32_t           days;
    uint64_t           decisions;
    uint64_t           messages;       /* send_message */
    uint64_t           calls;          /* queue_call */
    uint64_t           owner_alerts;   /* alert_owner */
    uint64_t           escalations;    /* escalate */
    uint64_t           approvals;      /* request_approval: sensitive actions */
    uint64_t           skips;          /* skip */
    uint64_t           waits;          /* wait */
    uint64_t           customers_messaged;
    uint64_t           invoices_scored;  /* invoices the AUC ranks */
    uint64_t           invoices_late;    /* of those, positive */
    archase_kpi_number auc_percent;      /* undefined without both outcomes */
    uint8_t            decisions_hash[32]; /* SHA-256 over every day's decisions hash,
                                              in order: equal for equal replays */
} archase_replay_summary;
#define ARCHASE_REPLAY_SUMMARY_VERSION 1
#define ARCHASE_REPLAY_SUMMARY_INIT { ARCHASE_REPLAY_SUMMARY_VERSION, ARCHASE_DATE_NONE, \
    ARCHASE_DATE_NONE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, { 0, 0 }, { 0 } }

/* Returns 0, ARCHASE_EINVAL or ARCHASE_EVERSION. */
ARCHASE_API int archase_replay_summary_get(const archase_replay_result *result, archase_replay_summary *out);

/* One day of the replay. */
typedef struct archase_replay_day {
    unsigned     version;       /* ARCHASE_REPLAY_DAY_VERSION */
    archase_date date;
    uint64_t     open_invoices; /* in the day's snapshot */
    uint64_t     decisions;
    uint64_t     messages;
    uint64_t     calls;
    uint64_t     escalations;
    uint64_t     approvals;
    uint8_t      decisions_hash[32]; /* archase_decisions_hash of the day */
} archase_replay_day;
#define ARCHASE_REPLAY_DAY_VERSION 1
#define ARCHASE_REPLAY_DAY_INIT { ARCHASE_REPLAY_DAY_VERSION, ARCHASE_DATE_NONE, 0, 0, 0, 0, 0, 0, { 0 } }

/* Day i (0 = from). Returns 0, ARCHASE_EINVAL, ARCHASE_EVERSION or ARCHASE_ERANGE. */
ARCHASE_API size_t archase_replay_day_count(const archase_replay_result *result);
ARCHASE_API int archase_replay_day_get(const archase_replay_result *result, size_t i, archase_replay_day *out);

/* The messages the policy would have sent, in date then decision order, as
 * touches (their strings live as long as the replay). Returns 0,
 * ARCHASE_EINVAL, ARCHASE_EVERSION or ARCHASE_ERANGE. */
ARCHASE_API size_t archase_replay_message_count(const archase_replay_result *result);
ARCHASE_API int archase_replay_message_get(const archase_replay_result *result, size_t i,
                                           archase_kpi_touch *out);

/* The KPIs of [from, to] with the replay's messages as the touches
 * (collection effectiveness, cadence response), owned by the replay. */
ARCHASE_API const archase_kpi_report *archase_replay_kpis(const archase_replay_result *result);

#ifdef __cplusplus
}
#endif
#endif
