/* cli/commands.h — every command's entry point and help text. */
#ifndef ARCHASE_CLI_COMMANDS_H
#define ARCHASE_CLI_COMMANDS_H

int cmd_version(int argc, char **argv);
extern const char cmd_version_help[];

int cmd_money(int argc, char **argv);
extern const char cmd_money_help[];

int cmd_date(int argc, char **argv);
extern const char cmd_date_help[];

int cmd_merkle(int argc, char **argv);
extern const char cmd_merkle_help[];

int cmd_checkpoint(int argc, char **argv);
extern const char cmd_checkpoint_help[];

int cmd_audit(int argc, char **argv);
extern const char cmd_audit_help[];

int cmd_approvals(int argc, char **argv);
extern const char cmd_approvals_help[];

int cmd_approve(int argc, char **argv);
extern const char cmd_approve_help[];

int cmd_reject(int argc, char **argv);
extern const char cmd_reject_help[];

int cmd_request(int argc, char **argv);
extern const char cmd_request_help[];

int cmd_overrides(int argc, char **argv);
extern const char cmd_overrides_help[];

int cmd_init(int argc, char **argv);
extern const char cmd_init_help[];

int cmd_import(int argc, char **argv);
extern const char cmd_import_help[];

int cmd_export(int argc, char **argv);
extern const char cmd_export_help[];

int cmd_show(int argc, char **argv);
extern const char cmd_show_help[];

int cmd_policy(int argc, char **argv);
extern const char cmd_policy_help[];

int cmd_preview(int argc, char **argv);
extern const char cmd_preview_help[];

int cmd_run(int argc, char **argv);
extern const char cmd_run_help[];
/* The persisting `archase run` (cmd_cycle.c), which cmd_run hands over to. */
int cmd_run_cycle(int argc, char **argv);
int cmd_dispatch(int argc, char **argv);
extern const char cmd_dispatch_help[];
int cmd_outbox(int argc, char **argv);
extern const char cmd_outbox_help[];
int cmd_review(int argc, char **argv);
extern const char cmd_review_help[];

int cmd_worklist(int argc, char **argv);
extern const char cmd_worklist_help[];

int cmd_explain(int argc, char **argv);
extern const char cmd_explain_help[];

int cmd_kpi(int argc, char **argv);
extern const char cmd_kpi_help[];

int cmd_forecast(int argc, char **argv);
extern const char cmd_forecast_help[];

int cmd_backtest(int argc, char **argv);
extern const char cmd_backtest_help[];

int cmd_report(int argc, char **argv);
extern const char cmd_report_help[];

int cmd_promise(int argc, char **argv);
extern const char cmd_promise_help[];

int cmd_dispute(int argc, char **argv);
extern const char cmd_dispute_help[];

int cmd_recon(int argc, char **argv);
extern const char cmd_recon_help[];

int cmd_credit(int argc, char **argv);
extern const char cmd_credit_help[];

#endif
