/* bindings/bind.h — support functions the language bindings share.
 *
 * Not part of the C API: these exist so that Python and Go reach the whole
 * public API through shapes SWIG binds without per-language typemaps.
 *
 * - Inputs with string members and arrays (facts, approval requests, votes)
 *   are built field by field in an archase_bind_input, which owns copies of
 *   every string, and then handed to the C function that takes the struct.
 *   A field is named as in the C struct ("customer_id", "due_date").
 * - Results with many records (facts, decisions, assessments, worklists,
 *   KPIs, forecasts, replays, approvals, policy introspection) cross as one
 *   JSON document per call, in an archase_bind_text: one crossing instead
 *   of one per field, decoded by each language's own JSON reader. Money is
 *   {"minor": int, "currency": "EUR"} (never a float), a date "YYYY-MM-DD"
 *   or null, a digest lowercase hex.
 * - Openers take the options' common members as arguments.
 * - An optional string argument is absent when NULL or "" (Go passes "").
 */
#ifndef ARCHASE_BIND_H
#define ARCHASE_BIND_H

#include "archase/common.h"
#include "archase/diag.h"
#include "archase/engine.h"
#include "archase/batch.h"
#include "archase/io.h"
#include "archase/policy.h"
#include "archase/evaluate.h"
#include "archase/worklist.h"
#include "archase/cycle.h"
#include "archase/promise.h"
#include "archase/dispute.h"
#include "archase/recon.h"
#include "archase/credit.h"
#include "archase/lifecycle.h"
#include "archase/tz.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- text results ---------------------------------------------------------- */

typedef struct archase_bind_text archase_bind_text;
const char *archase_bind_text_data(const archase_bind_text *t);
size_t archase_bind_text_size(const archase_bind_text *t);
void archase_bind_text_free(archase_bind_text *t);

/* Dates in JSON: 0 (the default) "YYYY-MM-DD"; 1 "YYYY-MM-DDT00:00:00Z", the
 * form Go's time.Time reads. Each binding links its own copy of bind.c and
 * sets it once. */
void archase_bind_set_date_style(int style);

/* ---- engines --------------------------------------------------------------- */

/* Opens an engine over SQLite at `path`, or in memory when `path` is NULL or
 * "". `actor` NULL = "system"; `now` 0 = the system clock, else a fixed
 * instant (seconds since the epoch, UTC) every call sees. */
int archase_bind_open(const char *path, const char *actor, int64_t now, int read_only,
                      archase_engine **out, char *errbuf, size_t errbuf_size);
/* Opens an engine over a host's storage table (copied), as archase_bind_open. */
int archase_bind_open_storage(const archase_storage *storage, const char *actor, int64_t now,
                              archase_engine **out);

/* ---- inputs built field by field -------------------------------------------- */

/* What an input is: a fact family (ARCHASE_FAMILY_CUSTOMER .. ARCHASE_FAMILY_NOTE)
 * or one of these. */
#define ARCHASE_BIND_APPROVAL_REQUEST 101
#define ARCHASE_BIND_APPROVAL_VOTE 102

typedef struct archase_bind_input archase_bind_input;
int archase_bind_input_new(int kind, archase_bind_input **out);
void archase_bind_input_free(archase_bind_input *in);
/* The message of the last refused field ("" when none). */
const char *archase_bind_input_errmsg(const archase_bind_input *in);
/* Each returns 0, ARCHASE_EINVAL (no such field of that type: the message
 * says which) or ARCHASE_ENOMEM. Text NULL unsets the field. */
int archase_bind_input_set_text(archase_bind_input *in, const char *field, const char *value);
int archase_bind_input_set_int(archase_bind_input *in, const char *field, int64_t value);
int archase_bind_input_set_date(archase_bind_input *in, const char *field, archase_date value);
int archase_bind_input_set_money(archase_bind_input *in, const char *field, int64_t minor,
                                 const char *currency);
/* Appends to a list field (tags, invoice_ids). */
int archase_bind_input_add_text(archase_bind_input *in, const char *field, const char *value);
/* Appends an instalment to a promise's plan. */
int archase_bind_input_add_instalment(archase_bind_input *in, archase_date date, int64_t minor,
                                      const char *currency);

/* archase_<family>_put of a fact input; writes the archase_outcome. */
int archase_bind_put(archase_engine *eng, const archase_bind_input *in, int *out);
/* archase_batch_add_<family> of a fact input. */
int archase_bind_batch_add(archase_batch *b, const archase_bind_input *in, uint32_t line);

/* ---- facts read back -------------------------------------------------------- */

/* A JSON array of the facts of `family` matching the filter (NULL / 0 /
 * ARCHASE_DATE_NONE: any), in id order; `id` set: the one fact with that id
 * (ARCHASE_ENOTFOUND when none). */
int archase_bind_facts(archase_engine *eng, int family, const char *id, const char *customer_id,
                       const char *invoice_id, int32_t status, archase_date date_from,
                       archase_date date_to, archase_bind_text **out);

/* ---- import and export -------------------------------------------------------- */

/* archase_import_buffer (`path` NULL) or archase_import_file. `mapping` may be
 * NULL; `source` NULL = the default name. Writes the batch summary. */
int archase_bind_import(archase_engine *eng, int kind, int format, const archase_mapping *mapping,
                        const char *source, archase_date as_of, int edits, const char *path,
                        const void *data, size_t size, archase_diag_list *diags,
                        archase_batch_summary *out);
/* archase_export into a text. */
int archase_bind_export(archase_engine *eng, int kind, int format, archase_bind_text **out);
/* archase_audit_export into a text (JSON lines). */
int archase_bind_audit_export(archase_engine *eng, archase_bind_text **out);

/* ---- policies --------------------------------------------------------------------- */

/* A JSON object: name, version, default currency and locale, hash, segments,
 * sequences (with their steps), approvals, materiality, sensitive actions,
 * templates, calendars and every setting. */
int archase_bind_policy_json(const archase_policy *policy, archase_bind_text **out);

/* ---- evaluation --------------------------------------------------------------------- */

int archase_bind_snapshot_load(archase_engine *eng, archase_date as_of, const archase_policy *policy,
                               const char *tzdir, archase_snapshot **out);
/* The sources of archase_snapshot_preview, added one at a time with what
 * archase_bind_import takes (the source name, path and bytes are copied; a
 * mapping must outlive the run), then run with the snapshot options as
 * arguments. */
typedef struct archase_bind_preview archase_bind_preview;
int archase_bind_preview_new(archase_bind_preview **out);
void archase_bind_preview_free(archase_bind_preview *p);
int archase_bind_preview_add(archase_bind_preview *p, int kind, int format, const archase_mapping *mapping,
                             const char *source, archase_date as_of, const char *path, const void *data,
                             size_t size);
int archase_bind_preview_run(archase_bind_preview *p, archase_engine *eng, archase_date as_of,
                             const archase_policy *policy, const char *tzdir, archase_diag_list *diags,
                             archase_snapshot **out);
/* A JSON object: "decisions", "assessments", "cadence", "coverage", "hash". */
int archase_bind_decisions_json(const archase_decisions *ds, archase_bind_text **out);
/* The canonical encoding of the decisions (archase_decisions_encode), in hex. */
int archase_bind_decisions_encode(const archase_decisions *ds, archase_bind_text **out);
int archase_bind_worklist_build(const archase_decisions *ds, const char *owner,
                                archase_worklist **out);
/* A JSON array of the lines, in rank order. */
int archase_bind_worklist_json(const archase_worklist *wl, archase_bind_text **out);
/* The lines in rank order as rows of text, one per line ending in "\n", for a
 * reader that splits instead of parsing JSON (the Python package: a
 * worklist of 200,000 lines in a fraction of the JSON's time). Fields,
 * separated by a tab: rank, owner, customer_id, kind, next_action, due_by
 * ("YYYY-MM-DD" or empty), score, amount minor units, amount currency (empty:
 * none), days_overdue, decision (empty: none), the invoice ids separated by
 * 0x1f, the reasons separated by ",". In text fields a byte below 0x20 or a
 * backslash is written as a backslash and two lowercase hex digits. */
int archase_bind_worklist_rows(const archase_worklist *wl, archase_bind_text **out);

/* ---- KPIs, forecast, replay ----------------------------------------------------------- */

/* The JSON of `archase kpi --json`: an array with an object per currency (and
 * period when `interval` is ARCHASE_KPI_WEEKLY or _MONTHLY; 0 = one period).
 * `currency` NULL = every one; `grace_days` -1 = the policy's; `customers` 1:
 * each customer's payment pattern instead. */
int archase_bind_kpi_json(archase_engine *eng, archase_date from, archase_date to, int interval,
                          const char *currency, const archase_policy *policy, int32_t grace_days,
                          int customers, archase_bind_text **out);
/* A JSON array of rows, each with its weeks and their drivers. */
int archase_bind_forecast_json(archase_engine *eng, archase_date as_of, const char *currency,
                               const archase_policy *policy, uint32_t weeks, int disputed,
                               uint32_t disputed_percent, archase_bind_text **out);
/* A JSON object: "summary" and "days". */
int archase_bind_replay_json(archase_engine *eng, const archase_policy *policy, archase_date from,
                             archase_date to, int32_t late_days, archase_bind_text **out);

/* ---- audit ------------------------------------------------------------------------------- */

/* Store-less Merkle trees (RFC 6962) over `data`, concatenated 32-byte leaf
 * hashes: the root; a node's hash of `data` = left || right; an inclusion
 * (consistency 0: record a of b) or consistency (a to b) proof as hex. */
int archase_bind_merkle_root(const void *data, size_t size, uint8_t out[32]);
int archase_bind_merkle_node(const void *data, size_t size, uint8_t out[32]);
int archase_bind_merkle_prove(const void *data, size_t size, int consistency, uint64_t a,
                              uint64_t b, archase_bind_text **out);
/* Checks a proof (`data`, concatenated nodes); the hashes as hex: inclusion:
 * leaf hash and root; consistency: the two roots. 0 or ARCHASE_EVERIFY. */
int archase_bind_merkle_verify(const void *data, size_t size, int consistency, uint64_t a,
                               uint64_t b, const char *hash1, const char *hash2);

/* A JSON array of a diagnostics list's entries: code, line, column, source, message. */
int archase_bind_diags_json(const archase_diag_list *list, archase_bind_text **out);

/* A JSON object of archase_audit_verify's report; `trusted_keys` is a
 * concatenation of 32-byte public keys (may be empty). */
int archase_bind_audit_verify_json(archase_engine *eng, const void *data, size_t size,
                                   archase_bind_text **out);
/* A JSON array of the stored checkpoints. */
int archase_bind_audit_checkpoints_json(archase_engine *eng, archase_bind_text **out);
/* Hex of the log's root at `size` records, and of an inclusion or
 * consistency proof (concatenated 32-byte nodes) in a JSON object. */
int archase_bind_audit_prove_json(archase_engine *eng, int consistency, uint64_t a, uint64_t b,
                                  archase_bind_text **out);
/* Signs a checkpoint of the log with a PEM Ed25519 private key; its text. */
int archase_bind_audit_checkpoint_pem(archase_engine *eng, const char *pem,
                                      archase_bind_text **out);

/* ---- approvals --------------------------------------------------------------------------- */

/* Raises the request built in `in` (ARCHASE_BIND_APPROVAL_REQUEST); a JSON
 * object {"id": ..., "created": bool}. */
int archase_bind_approval_raise(archase_engine *eng, const archase_policy *policy,
                                const archase_bind_input *in, archase_bind_text **out);
/* Approves (approve 1) or rejects with the vote built in `in`; writes the status. */
int archase_bind_approval_vote(archase_engine *eng, const char *id, int approve,
                               const archase_bind_input *in, int *out);
/* The new id of a dispatched request, in a JSON string. */
int archase_bind_approval_dispatch(archase_engine *eng, const char *id, const char *actor,
                                   archase_bind_text **out);
/* A JSON array of requests: `id` set: that one; else every one of `status`
 * (0 = any); `sample` > 0: archase_override_sample(from, to, sample, seed). */
int archase_bind_approvals_json(archase_engine *eng, const char *id, int status, archase_date from,
                                archase_date to, uint32_t sample, uint64_t seed,
                                archase_bind_text **out);

/* ---- the daily cycle ------------------------------------------------------------------ */

/* archase_run_cycle; the report as a JSON object (with "dispatch"). */
int archase_bind_run_cycle(archase_engine *eng, const archase_policy *policy, archase_date as_of,
                           int review, int dispatch, const char *tzdir, archase_bind_text **out);
/* archase_dispatch (`now` 0 = the engine's clock; `limit` 0 = every due
 * item); the report as a JSON object. */
int archase_bind_dispatch(archase_engine *eng, const archase_policy *policy, int64_t now,
                          uint32_t limit, archase_bind_text **out);
/* A JSON array of outbox items: `id` set: that one; else those of `status` (0 = any). */
int archase_bind_outbox_json(archase_engine *eng, const char *id, int status,
                             archase_bind_text **out);
/* Reviews draft `id`: `action` 1 approve, 2 edit (subject/body NULL or "" keep
 * the draft's), 3 reject. */
int archase_bind_review(archase_engine *eng, const char *id, int action, const char *reviewer,
                        const char *note, const char *subject, const char *body);
/* Gives the engine the shipped file transport (archase_file_transport_open). */
int archase_bind_set_file_transport(archase_engine *eng, int format, const char *path);

/* ---- promises, disputes, reconciliation, credit, the lifecycle, time zones ---------- */

/* archase_promise_record / archase_dispute_open of the fact built in `in`. */
int archase_bind_promise_record(archase_engine *eng, const archase_policy *policy,
                                const archase_bind_input *in, archase_date as_of);
int archase_bind_dispute_open(archase_engine *eng, const archase_policy *policy,
                              const archase_bind_input *in, archase_date as_of);
/* A JSON array of promises with their state: `id` set: that one; else those
 * matching (NULL / 0: any). */
int archase_bind_promises_json(archase_engine *eng, const char *id, const char *customer_id,
                               const char *invoice_id, int state, archase_bind_text **out);
int archase_bind_dispute_update(archase_engine *eng, const archase_policy *policy, const char *id,
                                int status, const char *owner, const char *evidence, const char *by,
                                archase_date as_of);
/* {"approval_id": "..." or null, "pending": bool} */
int archase_bind_dispute_resolve(archase_engine *eng, const archase_policy *policy, const char *id,
                                 int resolution, int64_t credited_minor, const char *currency,
                                 const char *root_cause, const char *by, const char *justification,
                                 archase_date as_of, archase_bind_text **out);
/* A JSON array of disputes with their SLA state on as_of. */
int archase_bind_disputes_json(archase_engine *eng, const archase_policy *policy,
                               const char *customer_id, int status, archase_date as_of,
                               archase_bind_text **out);
/* A JSON array of the dispute report's rows. */
int archase_bind_dispute_report_json(archase_engine *eng, const archase_policy *policy,
                                     archase_date as_of, archase_bind_text **out);
/* A JSON array of reconciliation items of `status` (0 = any). */
int archase_bind_recon_json(archase_engine *eng, const archase_policy *policy, int status,
                            archase_bind_text **out);
/* {"approval_id": ..., "pending": bool} */
int archase_bind_recon_resolve(archase_engine *eng, const archase_policy *policy, const char *id,
                               int resolution, const char *invoice_id, const char *by,
                               const char *note, const char *justification,
                               const char *customer_impact, archase_date as_of,
                               archase_bind_text **out);
/* The credit recommendation as JSON; `request` 1: also raises the approval
 * request it needs ("request": {"id", "created"}). */
int archase_bind_credit_json(archase_engine *eng, const archase_policy *policy,
                             const char *customer_id, archase_date as_of, int request,
                             const char *requester, const char *justification,
                             archase_bind_text **out);
/* archase_lifecycle_update; its counts as JSON. */
int archase_bind_lifecycle_json(archase_engine *eng, const archase_policy *policy,
                                archase_date as_of, archase_bind_text **out);
/* Time zones: the local time of an instant in zone `name`, as JSON (date,
 * seconds_of_day, utc_offset, is_dst, abbreviation); and the instant of a
 * local time. `tzdir` NULL or "" = /usr/share/zoneinfo. */
int archase_bind_tz_to_local(const char *tzdir, const char *name, int64_t instant,
                             archase_bind_text **out);
int archase_bind_tz_from_local(const char *tzdir, const char *name, archase_date date,
                               int32_t seconds_of_day, int64_t *out);

#ifdef __cplusplus
}
#endif
#endif
