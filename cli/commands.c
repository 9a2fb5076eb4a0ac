/* cli/commands.c — the command table. A new command adds one line here and
 * one declaration in commands.h. */
#include "cli.h"
#include "commands.h"

const cli_command cli_commands[] = {
    { "version", "print the library version", cmd_version_help, cmd_version },
    { "money", "parse, format, add, split and apply rates to amounts", cmd_money_help, cmd_money },
    { "date", "dates, business days and local time in IANA time zones", cmd_date_help, cmd_date },
    { "merkle", "audit-log Merkle tree: roots, leaf hashes, proof checks", cmd_merkle_help, cmd_merkle },
    { "checkpoint", "sign and verify audit-log checkpoints", cmd_checkpoint_help, cmd_checkpoint },
    { "audit", "verify, prove, sign and export a ledger's audit log", cmd_audit_help, cmd_audit },
    { "approvals", "list approval requests of sensitive actions", cmd_approvals_help, cmd_approvals },
    { "approve", "approve a request as an authenticated actor and role", cmd_approve_help, cmd_approve },
    { "reject", "reject a request as an authenticated actor and role", cmd_reject_help, cmd_reject },
    { "request", "ask for approval of a sensitive action (write-off, override, ...)", cmd_request_help, cmd_request },
    { "overrides", "a deterministic monthly sample of manual overrides", cmd_overrides_help, cmd_overrides },
    { "init", "create or upgrade a ledger file", cmd_init_help, cmd_init },
    { "import", "import customers, invoices, payments ... from CSV or JSON Lines", cmd_import_help, cmd_import },
    { "export", "export the facts of a kind, or a day's worklist, as CSV or JSON Lines", cmd_export_help, cmd_export },
    { "show", "show an invoice or a customer and its timeline", cmd_show_help, cmd_show },
    { "policy", "check, hash, explain and diff collection policies", cmd_policy_help, cmd_policy },
    { "run", "the daily cycle: decide, persist and dispatch (--dry-run: only what would be decided)", cmd_run_help, cmd_run },
    { "dispatch", "hand what is due in the outbox to the transport; reconcile items in doubt", cmd_dispatch_help, cmd_dispatch },
    { "outbox", "list the outbox (messages and internal routes) and resolve items in doubt", cmd_outbox_help, cmd_outbox },
    { "review", "the copilot queue: approve, edit or reject draft messages", cmd_review_help, cmd_review },
    { "worklist", "each collector's and owner's ranked work of the day", cmd_worklist_help, cmd_worklist },
    { "explain", "why the engine decides what it does about one invoice", cmd_explain_help, cmd_explain },
    { "preview", "what a policy would decide on exported files, before importing them", cmd_preview_help, cmd_preview },
    { "promise", "record, list and cancel promises to pay", cmd_promise_help, cmd_promise },
    { "dispute", "open, review, resolve, list and report disputes", cmd_dispute_help, cmd_dispute },
    { "recon", "the reconciliation queue: payments that do not match, and their resolutions", cmd_recon_help, cmd_recon },
    { "credit", "a customer's credit-limit recommendation and its drivers", cmd_credit_help, cmd_credit },
    { "kpi", "DSO, CEI, aging, promise-kept rate and the other KPIs of a period", cmd_kpi_help, cmd_kpi },
    { "forecast", "13-week cash forecast from open invoices, promises and payment patterns", cmd_forecast_help, cmd_forecast },
    { "backtest", "replay one policy (or two side by side) over a historical ledger", cmd_backtest_help, cmd_backtest },
    { "report", "an HTML report with charts (or Markdown) of a period's KPIs, forecast, risk and audit", cmd_report_help, cmd_report },
};

const size_t cli_command_count = sizeof cli_commands / sizeof cli_commands[0];
