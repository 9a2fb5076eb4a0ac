/* libarchase/engine/snapshot.h — a snapshot's insides: the ledger as of a
 * date in flat arrays, the way evaluation walks it.
 *
 * Strings live in string tables (kpi/strtab.h) and are referred to by number:
 * `ids` numbers customer ids in id order (a customer's number is its index),
 * `invoice_ids` numbers the open invoices' ids (invoice_num and
 * invoice_index map between numbers and indexes) and `text` holds every
 * other string once. AR_STR_NONE is "no string". Open invoices are in the
 * order evaluation walks them: by customer, due date and id; their cadence
 * states too. Lists of a customer (its invoices, history, promises, ...) are
 * ranges [first, first + count) of flat arrays ordered by customer.
 *
 * Loading (snapshot_load.c) does all the I/O; nothing here changes after it. */
#ifndef AR_ENGINE_SNAPSHOT_H
#define AR_ENGINE_SNAPSHOT_H

#include <stdint.h>

#include "archase/evaluate.h"
#include "archase/tz.h"
#include "engine/pattern.h"
#include "kpi/strtab.h"

#define AR_STR_NONE UINT32_MAX
#define AR_IDX_NONE UINT32_MAX

/* Settled invoices kept per customer for its payment pattern (the policy's
 * lookback is at most 100). */
#define AR_SNAP_HISTORY_MAX 100
/* Notes kept per customer (the latest). */
#define AR_SNAP_NOTES_MAX 3
/* Days of touches kept behind the as-of date (the 7-day cap needs 6). */
#define AR_SNAP_TOUCH_DAYS 30
/* How far back promises, disputes and payments are read for the history
 * fields (12 months and a little). */
#define AR_SNAP_HISTORY_DAYS 400

/* Customer relationship flags. */
enum {
    AR_SF_HOLD = 1,
    AR_SF_EXPANSION = 2,
    AR_SF_STRATEGIC = 4,
    AR_SF_SERVICE_ISSUE = 8,
};

/* A contact channel index usable for arrays (email .. call). */
#define AR_SNAP_CHANNELS 6

typedef struct ar_snap_customer {
    uint32_t      name, tier, owner, collector, locale, country, source_link; /* text */
    uint32_t      zone;           /* index into zones; AR_IDX_NONE = the policy's default */
    uint8_t       zone_unknown;   /* named a zone that could not be loaded */
    uint8_t       flags;          /* AR_SF_* */
    archase_date  paused_until;   /* NONE = not paused */
    uint32_t      flags_reason;   /* text */
    archase_money credit_limit;   /* currency "" = none */
    uint32_t      contact[AR_SNAP_CHANNELS]; /* per channel: the consented contact's id (text) */
    uint32_t      inv_first, inv_count;     /* into invoices[] */
    uint32_t      hist_first, hist_count;   /* into history[] */
    uint32_t      prom_first, prom_count;   /* into promises[] */
    uint32_t      disp_first, disp_count;   /* into disputes[] (open at as_of) */
    uint32_t      note_first, note_count;   /* into notes[] */
    uint32_t      touch_first, touch_count; /* into touches[] */
    uint32_t      closed_first, closed_count; /* into closed[]: cadence of closed invoices */
    uint32_t      touchlog;       /* into touchlogs[], AR_IDX_NONE = none stored */
    uint16_t      partial_payments_90d;
    uint16_t      disputes_12m;
} ar_snap_customer;

typedef struct ar_snap_invoice {
    uint32_t      customer;
    uint32_t      number, po_ref, source_link; /* text */
    archase_date  issue_date, due_date;
    int64_t       amount;
    int64_t       open;           /* as of as_of */
    char          currency[4];
    uint32_t      cadence;        /* into cadence[], AR_IDX_NONE = no state stored */
} ar_snap_invoice;

/* A stored cadence state (engine/cadence_store.h gives its encoding). */
typedef struct ar_snap_cadence {
    uint32_t     invoice_id, customer_id;  /* text */
    uint8_t      status;                   /* archase_cadence_status */
    uint8_t      reason;                   /* archase_reason */
    uint32_t     sequence;                 /* text */
    uint32_t     last_step;                /* text */
    int32_t      last_offset;              /* ARCHASE_OFFSET_NONE */
    archase_date last_date;
    int32_t      notice_offset;            /* the latest step reported as skipped or waiting */
    uint32_t     next_step;                /* text */
    archase_date next_date;
    archase_date call_queued;              /* the call-queue rule queued it then, or NONE */
    uint32_t     promise_routed;           /* text: the broken promise already routed */
    uint32_t     escalated_first, escalated_count; /* into names[]: escalation rules fired */
} ar_snap_cadence; /* (the stored policy hash is not kept: evaluation does not read it) */

/* A customer-facing message scheduled for a day (a touch). */
typedef struct ar_snap_touch {
    uint32_t     customer;
    archase_date date;    /* the customer's local day it goes out */
    int32_t      channel; /* archase_channel */
} ar_snap_touch;

/* What a customer's touch record holds besides its touches. */
typedef struct ar_snap_touchlog {
    archase_date last_touch; /* the latest touch ever, NONE when none */
} ar_snap_touchlog;

/* A promise to pay recorded by as_of. */
typedef struct ar_snap_promise {
    uint32_t      customer;
    uint32_t      seq;            /* rank in id order */
    uint32_t      id;             /* text */
    int32_t       status;         /* ARCHASE_PROMISE_STATUS_* as stored */
    int64_t       amount;
    char          currency[4];
    archase_date  promised_date;
    archase_date  recorded_on;
    int32_t       grace_days;     /* ARCHASE_GRACE_POLICY_DEFAULT = the policy's */
    int32_t       channel;
    uint32_t      taken_by;       /* text */
    uint32_t      inv_first, inv_count;   /* into promise_invoices[]: open invoice index
                                             or AR_IDX_NONE for a closed one */
    uint32_t      inst_first, inst_count; /* into instalments[] */
    uint32_t      pay_first, pay_count;   /* into promise_payments[]: toward it, by date */
} ar_snap_promise;

/* A payment toward a promise: applied to a covered invoice on or after the
 * day the promise was recorded. */
typedef struct ar_snap_payment {
    archase_date date;
    int64_t      applied;
} ar_snap_payment;

/* A dispute open at as_of. */
typedef struct ar_snap_dispute {
    uint32_t      customer;
    uint32_t      seq;            /* rank in id order */
    uint32_t      id;             /* text */
    int32_t       reason;         /* ar_reason (policy_internal.h) */
    uint32_t      reason_code;    /* text */
    int64_t       amount;
    char          currency[4];
    archase_date  opened_on;
    uint32_t      owner;          /* text */
    uint32_t      inv_first, inv_count; /* into dispute_invoices[] */
} ar_snap_dispute;

typedef struct ar_snap_note {
    uint32_t        customer;
    uint32_t        seq;              /* rank in id order */
    uint32_t        id, author, text; /* text */
    uint32_t        invoice;          /* open invoice index or AR_IDX_NONE */
    archase_instant at;
} ar_snap_note;

struct archase_snapshot {
    archase_allocator  allocator;
    archase_date       as_of;
    ar_strtab          ids;           /* customer ids, numbered in id order */
    ar_strtab          invoice_ids;   /* open invoice ids, numbered like invoices[] */
    ar_strtab          text;          /* every other string */

    ar_snap_customer  *customers;     /* count = ids.count, in id order */
    ar_snap_invoice   *invoices;      /* by customer, due date, id */
    uint32_t          *invoice_num;   /* invoice index -> number in invoice_ids */
    uint32_t          *invoice_index; /* number in invoice_ids -> invoice index */
    size_t             invoice_count;

    ar_settled        *history;       /* by customer, then settlement order */
    size_t             history_count;
    ar_snap_promise   *promises;      /* by customer, then promised date and id */
    size_t             promise_count;
    uint32_t          *promise_invoices;
    archase_instalment *instalments;
    ar_snap_payment   *promise_payments;
    ar_snap_dispute   *disputes;      /* by customer, then opened date and id */
    size_t             dispute_count;
    uint32_t          *dispute_invoices;
    ar_snap_note      *notes;         /* by customer, latest first */
    size_t             note_count;
    ar_snap_cadence   *cadence;       /* states of open invoices, then of closed ones */
    size_t             cadence_count;
    uint32_t          *closed;        /* cadence indexes of closed invoices, by customer */
    size_t             closed_count;
    uint32_t          *names;         /* text numbers of escalation rule names */
    ar_snap_touch     *touches;       /* by customer, then date */
    size_t             touch_count;
    ar_snap_touchlog  *touchlogs;
    size_t             touchlog_count;

    archase_tz       **zones;         /* distinct zones, by name; "UTC" always */
    size_t             zone_count;
    size_t             bytes;         /* memory held, for archase_snapshot_info_get */
};

static inline const char *ar_snap_str(const archase_snapshot *s, uint32_t n) {
    return n == AR_STR_NONE ? NULL : ar_strtab_str(&s->text, n);
}
static inline const char *ar_snap_customer_id(const archase_snapshot *s, uint32_t c) {
    return ar_strtab_str(&s->ids, c);
}
static inline const char *ar_snap_invoice_id(const archase_snapshot *s, uint32_t i) {
    return ar_strtab_str(&s->invoice_ids, s->invoice_num[i]);
}

/* The index of the zone called `name` in zones[], or AR_IDX_NONE. */
uint32_t ar_snap_find_zone(const archase_snapshot *s, const char *name);
/* Frees what a snapshot holds per invoice and customer (the invoice ids and
 * every list from customers to touch logs), not its zones, customer ids,
 * text or the snapshot itself: what a replay's day rebuilds. */
void ar_snap_free_lists(const archase_allocator *a, archase_snapshot *s);

#endif
