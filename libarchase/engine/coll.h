/* libarchase/engine/coll.h — what promises, disputes and the reconciliation
 * queue share: a stored fact read back with its envelope, the audit record
 * of a state transition, and small marker records that make a day's
 * transitions happen once.
 *
 * A transition's audit payload is a canonical RECORD of kind
 * AR_TRANSITION_KIND ("LT"), documented in docs/promises-disputes.md:
 *   1 STRING  family ("promise", "dispute", "recon")
 *   2 STRING  id
 *   3 STRING  from state (left out for a new item)
 *   4 STRING  to state
 *   5 STRING  cause (a token: "paid_in_full", "deadline_missed", ...)
 *   6 DATE    the day it happened (as_of)
 *   7 MONEY   the amount it concerns (optional)
 *   8 STRING  detail (optional, for people) */
#ifndef AR_ENGINE_COLL_H
#define AR_ENGINE_COLL_H

#include "archase/date.h"
#include "archase/sys/storage.h"
#include "engine/codec.h"
#include "engine/engine.h"

#define AR_TRANSITION_KIND 0x4c54 /* "LT" */

typedef struct ar_transition {
    uint32_t             audit_kind; /* ARCHASE_AUDIT_PROMISE_TRANSITION, ... */
    const char          *family;
    const char          *id;
    const char          *from;       /* NULL for a new item */
    const char          *to;
    const char          *cause;
    archase_date         as_of;
    const archase_money *amount;     /* NULL = none */
    const char          *detail;     /* NULL = none */
    const char          *actor;      /* NULL = the engine's */
} ar_transition;

/* Appends the audit record of `t` inside the open transaction. */
int ar_transition_record(archase_engine *e, const ar_transition *t);

/* A stored record copied out of the store, with its fact decoded when it
 * is one. */
typedef struct ar_held {
    int            found;
    archase_record env;         /* strings and data point into this struct */
    ar_buf         raw;         /* id, customer id, invoice id, data */
    ar_fact        fact;        /* decoded when env.family is a fact family */
} ar_held;

void ar_held_init(ar_held *s, archase_engine *e);
void ar_held_free(ar_held *s);
/* Loads record `id` of `family` (s->found 0 when there is none) and decodes
 * it when it is a fact. 0, a storage error, ARCHASE_ENOMEM, or
 * ARCHASE_ESTORAGE for a record that cannot be decoded (message set). */
int ar_held_load(archase_engine *e, int family, const char *id, ar_held *s);

/* Marker records (META family, id `prefix` + `id` + `suffix`): *exists says
 * whether one is stored. */
int ar_marker_exists(archase_engine *e, const char *key, int *exists);
/* Stores marker `key` holding `data`. */
int ar_marker_put(archase_engine *e, const char *key, const void *data, size_t size);

/* Starts a public call that writes: checks the engine and that no batch is
 * open, clears the message. */
int ar_coll_begin_call(archase_engine *e);

/* 1 for a date in 0001-01-01 .. 9999-12-31. */
static inline int ar_coll_date_ok(archase_date d) {
    return d >= ARCHASE_DATE_MIN && d <= ARCHASE_DATE_MAX;
}

/* "2026-03-05" into buf (11 bytes). */
void ar_coll_date(archase_date d, char buf[16]);
/* An amount for messages ("1,200.00 EUR"). */
void ar_coll_money(int64_t minor, const char *currency, char *buf, size_t size);

#endif
