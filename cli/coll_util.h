/* cli/coll_util.h — what the promise, dispute, recon and credit commands
 * share: opening the ledger, the policy (given, or a default when the
 * command can do without one), dates and amounts from the command line. */
#ifndef ARCHASE_CLI_COLL_UTIL_H
#define ARCHASE_CLI_COLL_UTIL_H

#include "archase/archase.h"
#include "cli.h"

/* Opens the ledger at `path` (CLI_OK, or the exit code after a message). */
int coll_open_db(const char *command, const char *path, int read_only, archase_engine **eng);
/* The policy at `path`, or with `path` NULL the built-in default (the
 * schema's defaults, EUR). NULL after a message on failure. */
archase_policy *coll_policy(const char *command, const char *path);
/* `text` as a date; `text` NULL = today (UTC). CLI_OK or CLI_USAGE after a message. */
int coll_date(const char *command, const char *option, const char *text, archase_date *out);
/* "1200.00 EUR" as money. CLI_OK or CLI_USAGE after a message. */
int coll_money(const char *command, const char *option, const char *text, archase_money *out);
/* Prints the library's error for `what` and returns the exit code:
 * CLI_INVALID for refused data, the mapped code otherwise. */
int coll_fail(const char *command, archase_engine *eng, int rc, const char *what);
/* A formatted amount ("1200.00 EUR"), or "" for none. */
void coll_money_text(const archase_money *m, char out[ARCHASE_MONEY_FORMAT_MAX]);
/* A date as text, or "" for none. */
void coll_date_text(archase_date d, char out[ARCHASE_DATE_FORMAT_MAX]);

#endif
