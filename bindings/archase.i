/* bindings/archase.i — the SWIG interface every language binding shares.
 *
 * A language file (python/archase_python.i, go/archase_go.i) names the module,
 * includes its own typemaps.swg and then this file. This file says WHAT is
 * bound and which shape each declaration has; the language's typemaps.swg
 * says HOW each shape looks in that language. Above the generated module
 * sits a hand-written layer in the language's own idioms (the Python package
 * `archase`, the Go package `archase`); users never need the generated names.
 *
 * THE PATTERN — follow it when you bind a header
 * ----------------------------------------------
 * 1. Status returns. A function returning `int` returns 0 or a negative
 *    ARCHASE_E* code, and that is how every binding reads an `int` return:
 *      Python: None on success; on failure the call raises the archase.Error
 *              subclass of the code (archase/errors.py), carrying .code, .name
 *              (archase_error_name), .function and a message: the handle's
 *              message where one is declared (rule 4), else archase_strerror.
 *      Go:     the code comes back as an int; the Go layer turns it into an
 *              *archase.Error (with the handle's message) at the same call.
 *    Struct members of type int are values (only function wrappers read a
 *    status). An `int` (or int32_t) function result that is a VALUE must be
 *    declared with %archase_value(TYPE, function), a 1/0 answer with
 *    %archase_bool(function). A status function that returns a positive
 *    number raises SystemError in Python, so a forgotten declaration shows up
 *    in the first test that calls it.
 * 2. Outputs follow the C headers' parameter names, and the typemaps key on
 *    those names, so a header that follows them needs no typemap of its own:
 *      TYPE *out                  a struct, date, int, int64 or size_t the call
 *                                 fills: Python returns it (a struct as an owned
 *                                 copy); Go passes a pointer to Go memory.
 *      int *result                the same, for a comparison's result.
 *      (char *buf, size_t size)   text the call writes: Python returns str;
 *                                 Go passes a []byte (the Go layer sizes it).
 *      uint8_t out[N]             a fixed-size digest: Python bytes, Go []byte.
 *      (uint32_t n, archase_money *parts)  n results: Python takes n and returns
 *                                 a list; Go passes a []Money of length n.
 *      (const int64_t *weights, uint32_t n, archase_money *parts)
 *                                 Python takes the list of weights; Go passes
 *                                 weights and parts of the same length.
 *      (char *errbuf, size_t errbuf_size)  an opener's failure text: Python
 *                                 makes it the exception's message.
 *      archase_diag_list *diags   a loader's diagnostics: Python makes the
 *                                 list itself, and a failure raises PolicyError
 *                                 (or the code's class) carrying them.
 *    Several outputs come back as a tuple in parameter order (Python).
 * 3. Inputs. `const char *` takes a string (UTF-8, no NUL inside);
 *    `(const void *data, size_t size)` takes bytes (Python: any bytes-like
 *    object; Go: []byte); `const TYPE *` takes a TYPE. Every date parameter or
 *    member is `archase_date`: Python datetime.date (ARCHASE_DATE_NONE is
 *    None), Go int32 days that the Go layer turns into time.Time. An allocator
 *    (`const archase_allocator *allocator`, parameter or member) is hidden and
 *    NULL: bindings use the default allocator.
 * 4. Declarations, one line each, next to the header's %include:
 *      %archase_handle(TYPE, TYPE_free)
 *          an opaque handle made by `TYPE **out`. Python: the constructor
 *          returns an owned object whose destruction calls TYPE_free (which is
 *          not exposed, so nothing is freed twice). Go: TYPE **out takes a
 *          *uintptr; the Go layer's Close() calls the bound TYPE_free.
 *      %archase_handle_errmsg(TYPE, TYPE_free, TYPE_errmsg)
 *          the same for a handle that keeps its last failure's message: every
 *          call taking a TYPE * then raises with TYPE_errmsg(handle) (Python);
 *          the Go layer reads the message itself.
 *      %archase_options(TYPE, VERSION)
 *          a versioned options struct: a new one is made by TYPE_init(opts,
 *          VERSION), never zeroed (the library refuses version 0).
 * 5. Binding a new header: add its #include to the list at the top (for the
 *    compiler: only the headers bound here, never the umbrella archase.h) and
 *    its %include at the end (for SWIG) with its declarations (1, 4), and
 *    %ignore what cannot be bound cleanly yet, each with the reason.
 *
 * 6. What SWIG cannot bind cleanly goes through bindings/bind.h, the support
 *    functions both bindings share: records with string members and arrays
 *    are built field by field (archase_bind_input), results with many records
 *    cross as one JSON document per call (archase_bind_text), options are
 *    arguments. The C functions themselves stay %ignored next to their
 *    header's %include, with the bind.h function that covers them.
 * 7. A host's storage and transport are per language (callback vtables):
 *    python/callbacks.swg (C trampolines taking the GIL) and
 *    go/capi_callbacks.{c,go} (exported Go functions through a cgo.Handle).
 *    archase_instant stays an int64 (seconds since the epoch, UTC).
 */

/* The headers bound below, for the compiler (SWIG reads them by %include). */
%{
#include <stdlib.h>
#include "archase/version.h"
#include "archase/common.h"
#include "archase/errors.h"
#include "archase/diag.h"
#include "archase/money.h"
#include "archase/date.h"
#include "archase/hash.h"
#include "archase/policy.h"
#include "archase/engine.h"
#include "archase/batch.h"
#include "archase/ledger.h"
#include "archase/io.h"
#include "archase/evaluate.h"
#include "archase/worklist.h"
#include "archase/kpi.h"
#include "archase/forecast.h"
#include "archase/replay.h"
#include "archase/audit.h"
#include "archase/approval.h"
#include "archase/sys/storage.h"
#include "archase/sys/transport.h"
#include "archase/cycle.h"
#include "archase/promise.h"
#include "archase/dispute.h"
#include "archase/recon.h"
#include "archase/credit.h"
#include "archase/lifecycle.h"
#include "archase/tz.h"
#include "bind.h"
%}

%include <stdint.i>

/* ---- conventions shared by every header ---------------------------------- */

%typemap(in, numinputs=0) const archase_allocator *allocator "$1 = NULL;"
%ignore allocator;                 /* the member of every options struct */
%ignore archase_allocator;
%ignore archase_default_allocator;
/* A sentinel of the error enum, not a code. */
%ignore ARCHASE_ERROR_MIN_;

%define %archase_options(TYPE, VERSION)
%extend TYPE {
    TYPE() {
        TYPE *opts = (TYPE *)calloc(1, sizeof *opts);
        if (opts && TYPE ## _init(opts, VERSION) != 0) {
            free(opts);
            opts = NULL;
        }
        return opts;
    }
}
%enddef

/* ---- version, errors ----------------------------------------------------- */

%archase_value(int, archase_version);
%include "archase/version.h"
%include "archase/common.h"
%include "archase/errors.h"

/* ---- diagnostics ---------------------------------------------------------- */

%archase_handle(archase_diag_list, archase_diag_list_free);
/* Entries point into the list: a binding reads them through its diagnostics
 * typemap (Python: PolicyError.diagnostics), not as pointers. */
%ignore archase_diag_list_get;
%immutable archase_diag::code;
%immutable archase_diag::line;
%immutable archase_diag::column;
%immutable archase_diag::source;
%immutable archase_diag::message;
%include "archase/diag.h"

/* ---- money ---------------------------------------------------------------- */

%immutable archase_currency::code;
%immutable archase_currency::numeric;
%immutable archase_currency::minor_units;
%immutable archase_currency::name;   /* a static string */
%include "archase/money.h"

/* ---- dates and calendars -------------------------------------------------- */

%archase_handle(archase_calendar, archase_calendar_free);
%archase_options(archase_calendar_options, ARCHASE_CALENDAR_OPTIONS_VERSION);
%archase_value(int, archase_date_weekday);
%archase_bool(archase_calendar_is_business_day);
%archase_value(int32_t, archase_calendar_business_days_between);
/* Every language has its own civil-date type; dates cross as archase_date. */
%ignore archase_date_from_ymd;
%ignore archase_date_to_ymd;
%include "archase/date.h"

/* ---- hashing -------------------------------------------------------------- */

/* Hex: every language has its own (bytes.hex(), encoding/hex). */
%ignore archase_hex_encode;
%ignore archase_hex_decode;
%include "archase/hash.h"

/* ---- policies: load, hash, name (introspection: archase_bind_policy_json) - */

%archase_handle(archase_policy, archase_policy_free);
%archase_options(archase_policy_options, ARCHASE_POLICY_OPTIONS_VERSION);
%archase_value(int, archase_policy_version);
%archase_bool(archase_action_is_sensitive);
%ignore archase_policy_segment_info;
%ignore archase_policy_segment;
%ignore archase_policy_sequence_info;
%ignore archase_policy_sequence;
%ignore archase_policy_step_info;
%ignore archase_policy_step;
%ignore archase_policy_approval_info;
%ignore archase_policy_approval;
%ignore archase_policy_approval_role;
%ignore archase_policy_template_info;
%ignore archase_policy_template;
%ignore archase_policy_calendar_info;
%ignore archase_policy_calendar;
%ignore archase_policy_setting;
%ignore archase_policy_sensitive_action;
%include "archase/policy.h"

/* ---- engines: open, close, messages (openers: archase_bind_open*) -------- */

%archase_handle_errmsg(archase_engine, archase_engine_free, archase_engine_errmsg);
/* A host's own storage: archase_bind_open_storage, from each language's
 * callbacks (rule 7). */
%ignore archase_engine_open;
%ignore archase_memory_storage_new;
%ignore archase_sqlite_storage_open;
/* Options with string and callback members: archase_bind_open takes their
 * common members as arguments. */
%ignore archase_clock;
%ignore archase_engine_options;
%ignore archase_engine_options_init;
%ignore archase_sqlite_options;
%ignore archase_sqlite_options_init;
%include "archase/engine.h"

/* ---- batches: begin, commit, free (the facts: archase_bind_batch_add) ----- */

%archase_handle(archase_batch, archase_batch_free);
/* The batch keeps its diagnostics list past the call: a plain handle here,
 * not the loader's list of rule 2. */
%clear archase_diag_list *diags;
%ignore archase_batch_add_customer;
%ignore archase_batch_add_contact;
%ignore archase_batch_add_customer_flags;
%ignore archase_batch_add_invoice;
%ignore archase_batch_add_payment;
%ignore archase_batch_add_promise;
%ignore archase_batch_add_dispute;
%ignore archase_batch_add_note;
%include "archase/batch.h"

/* ---- the rest of the API, through bindings/bind.h --------------------------
 * Structs with string members and arrays are built by archase_bind_input;
 * results with many records cross as JSON (archase_bind_text); the C
 * functions themselves are bound where their shapes allow, and the enums and
 * name functions of every header are. */

%archase_text(archase_bind_text, archase_bind_text_free);
%archase_handle_errmsg(archase_bind_input, archase_bind_input_free, archase_bind_input_errmsg);
%archase_handle(archase_snapshot, archase_snapshot_free);
%archase_handle(archase_decisions, archase_decisions_free);
%archase_handle(archase_worklist, archase_worklist_free);
%archase_handle(archase_mapping, archase_mapping_free);
%archase_handle(archase_bind_preview, archase_bind_preview_free);

/* ledger.h: the enums and names; facts go through archase_bind_input. */
%ignore archase_customer;
%ignore archase_contact;
%ignore archase_customer_flags;
%ignore archase_invoice;
%ignore archase_invoice_state;
%ignore archase_payment;
%ignore archase_instalment;
%ignore archase_promise;
%ignore archase_dispute;
%ignore archase_note;
%ignore archase_fact;
%ignore archase_fact_filter;
%ignore archase_customer_put;
%ignore archase_contact_put;
%ignore archase_customer_flags_put;
%ignore archase_invoice_put;
%ignore archase_payment_put;
%ignore archase_promise_put;
%ignore archase_dispute_put;
%ignore archase_note_put;
%ignore archase_fact_get;
%ignore archase_facts_scan;
%include "archase/ledger.h"

/* sys/storage.h: the families and statuses (a host's storage: per language). */
%ignore archase_record;
%ignore archase_scan_filter;
%ignore archase_audit_entry;
%ignore archase_storage;
%include "archase/sys/storage.h"
%ignore archase_message;
%ignore archase_transport;
%include "archase/sys/transport.h"

/* io.h: mappings bound; import and export through archase_bind_import/export. */
%ignore archase_import_options;
%ignore archase_import_options_init;
%ignore archase_import_buffer;
%ignore archase_import_file;
%ignore archase_export_options;
%ignore archase_export_options_init;
%ignore archase_export;
%ignore archase_mapping_load_buffer; /* archase_mapping_load_file and a temporary file do */
/* A loader's diagnostics again (cleared for batches above). */
%apply archase_diag_list *loader_diags { archase_diag_list *diags };
%include "archase/io.h"

/* evaluate.h, worklist.h: handles, counts and names; records as JSON. */
%ignore archase_snapshot_options;
%ignore archase_snapshot_options_init;
%ignore archase_snapshot_load;
%ignore archase_preview_source;   /* archase_bind_preview_add takes each source */
%ignore archase_snapshot_preview; /* archase_bind_preview_run */
%ignore archase_evaluate_options;
%ignore archase_evaluate_options_init;
%ignore archase_decisions_encode;
%ignore archase_decision;
%ignore archase_decision_get;
%ignore archase_decision_invoice;
%ignore archase_decision_invoice_get;
%ignore archase_decision_fact;
%ignore archase_decision_fact_get;
%ignore archase_score_driver;
%ignore archase_decision_driver;
%ignore archase_decision_role;
%ignore archase_decision_reason;
%ignore archase_cadence_update;
%ignore archase_cadence_update_get;
%ignore archase_invoice_assessment;
%ignore archase_assessment_get;
%ignore archase_assessment_find;
%ignore archase_assessment_driver;
%ignore archase_assessment_decision;
%ignore archase_coverage;
%ignore archase_coverage_report;
%ignore archase_reason_from_name;
%archase_value(int, archase_reason_from_name);
%include "archase/evaluate.h"
%ignore archase_worklist_options;
%ignore archase_worklist_options_init;
%ignore archase_worklist_build;
%ignore archase_worklist_line;
%ignore archase_worklist_line_get;
%ignore archase_worklist_line_invoice;
%ignore archase_worklist_line_reason;
%include "archase/worklist.h"

/* kpi.h, forecast.h, replay.h: names and enums; reports as JSON. */
%archase_value(int, archase_kpi_metric_type);
%ignore archase_kpi_number;
%ignore archase_kpi_value;
%ignore archase_kpi_touch;
%ignore archase_kpi_review;
%ignore archase_kpi_options;
%ignore archase_kpi_options_init;
%ignore archase_kpi_report;
%ignore archase_kpi_compute;
%ignore archase_kpi_series;
%ignore archase_kpi_report_free;
%ignore archase_kpi_row;
%ignore archase_kpi_row_count;
%ignore archase_kpi_row_get;
%ignore archase_kpi_value_get;
%ignore archase_kpi_dispute_group;
%ignore archase_kpi_dispute_group_count;
%ignore archase_kpi_dispute_group_get;
%ignore archase_kpi_effectiveness;
%ignore archase_kpi_effectiveness_count;
%ignore archase_kpi_effectiveness_get;
%ignore archase_kpi_reviewer_effort;
%ignore archase_kpi_reviewer_effort_get;
%ignore archase_kpi_customer;
%ignore archase_kpi_customer_count;
%ignore archase_kpi_customer_get;
%ignore archase_kpi_number_format;
%include "archase/kpi.h"
%ignore archase_forecast_options;
%ignore archase_forecast_options_init;
%ignore archase_forecast;
%ignore archase_forecast_run;
%ignore archase_forecast_free;
%ignore archase_forecast_row;
%ignore archase_forecast_row_count;
%ignore archase_forecast_row_get;
%ignore archase_forecast_week;
%ignore archase_forecast_week_get;
%ignore archase_forecast_driver;
%ignore archase_forecast_driver_count;
%ignore archase_forecast_driver_get;
%include "archase/forecast.h"
%ignore archase_replay_options;
%ignore archase_replay_options_init;
%ignore archase_replay_result;
%ignore archase_replay;
%ignore archase_replay_result_free;
%ignore archase_replay_summary;
%ignore archase_replay_summary_get;
%ignore archase_replay_day;
%ignore archase_replay_day_count;
%ignore archase_replay_day_get;
%ignore archase_replay_message_count;
%ignore archase_replay_message_get;
%ignore archase_replay_kpis;
%include "archase/replay.h"

/* audit.h: sizes and names; Merkle functions over bytes; the rest as JSON. */
%ignore archase_checkpoint;
%ignore archase_checkpoint_init;
%ignore archase_checkpoint_body;
%ignore archase_signer;
%ignore archase_checkpoint_sign;
%ignore archase_checkpoint_verify;
%ignore archase_checkpoint_format;
%ignore archase_checkpoint_parse;
%ignore archase_public_key_from_pem;
%ignore archase_signing_key;
%ignore archase_signing_key_from_pem;
%ignore archase_signing_key_load;
%ignore archase_signing_key_free;
%ignore archase_signing_key_public;
%ignore archase_signing_key_signer;
%ignore archase_audit_log_id;
%ignore archase_audit_root;
%ignore archase_audit_prove_inclusion;
%ignore archase_audit_prove_consistency;
%ignore archase_audit_checkpoint;
%ignore archase_audit_checkpoints;
%ignore archase_audit_report;
%ignore archase_audit_verify_options;
%ignore archase_audit_verify_options_init;
%ignore archase_audit_verify;
%ignore archase_audit_export;
%ignore archase_audit_verify_export;
%ignore archase_merkle_node_hash;
%ignore archase_merkle_root;
%ignore archase_merkle_verify_inclusion;
%ignore archase_merkle_verify_consistency;
%ignore archase_merkle_prove_inclusion;
%ignore archase_merkle_prove_consistency;
%include "archase/audit.h"

/* approval.h: statuses and names; requests and votes through bind.h. */
%ignore archase_approval_request;
%ignore archase_approval_raise;
%ignore archase_approval_vote;
%ignore archase_approval_approve;
%ignore archase_approval_reject;
%ignore archase_approval_dispatch;
%ignore archase_approval_info;
%ignore archase_approval_get;
%ignore archase_approvals_scan;
%ignore archase_override_sample;
%apply uint64_t *out { uint64_t *count };
%include "archase/approval.h"

/* cycle.h: the enums and outbox resolution; the rest through bind.h (a
 * host's transport: per language). */
%ignore archase_engine_set_transport;
%ignore archase_file_transport_open;
%ignore archase_outbox_item;
%ignore archase_outbox_scan;
%ignore archase_outbox_get;
%ignore archase_dispatch_report;
%ignore archase_dispatch_options;
%ignore archase_dispatch_options_init;
%ignore archase_dispatch;
%ignore archase_cycle_options;
%ignore archase_cycle_options_init;
%ignore archase_cycle_report;
%ignore archase_run_cycle;
%ignore archase_review;
%ignore archase_review_approve;
%ignore archase_review_edit;
%ignore archase_review_reject;
%include "archase/cycle.h"

/* promise.h, dispute.h, recon.h, credit.h, lifecycle.h, tz.h: enums, names
 * and archase_promise_cancel; the rest through bind.h. */
%ignore archase_promise_record;
%ignore archase_promise_info;
%ignore archase_promise_get;
%ignore archase_promises_scan;
%include "archase/promise.h"
%ignore archase_dispute_open;
%ignore archase_dispute_change;
%ignore archase_dispute_update;
%ignore archase_dispute_outcome;
%ignore archase_dispute_resolve;
%ignore archase_dispute_info;
%ignore archase_disputes_scan;
%ignore archase_dispute_report_row;
%ignore archase_dispute_report;
%include "archase/dispute.h"
%ignore archase_recon_item;
%ignore archase_recon_scan;
%ignore archase_recon_action;
%ignore archase_recon_resolve;
%include "archase/recon.h"
%ignore archase_credit_driver;
%ignore archase_credit_recommendation;
%ignore archase_credit_recommend;
%ignore archase_credit_request;
%include "archase/credit.h"
%ignore archase_lifecycle_counts;
%ignore archase_lifecycle_update;
%include "archase/lifecycle.h"
%ignore archase_tz;
%ignore archase_tz_options;
%ignore archase_tz_options_init;
%ignore archase_tz_load;
%ignore archase_tz_free;
%ignore archase_tz_name;
%ignore archase_local_time;
%ignore archase_tz_to_local;
%ignore archase_tz_from_local;
%include "archase/tz.h"

%include "bind.h"
