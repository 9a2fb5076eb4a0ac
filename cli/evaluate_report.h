/* cli/evaluate_report.h — what `archase run --dry-run`, `archase worklist`
 * and `archase preview` share: an evaluated snapshot and its two reports. */
#ifndef ARCHASE_CLI_EVALUATE_REPORT_H
#define ARCHASE_CLI_EVALUATE_REPORT_H

#include "archase/archase.h"

typedef struct session {
    const char        *command;
    archase_engine    *eng;
    archase_policy    *policy;
    archase_snapshot  *snap;
    archase_decisions *ds;
    archase_date       as_of;
} session;

/* Frees what the session holds. */
void session_close(session *s);

/* The decisions counted by kind and reason, and the coverage (`run
 * --dry-run`); `list` lists every decision too. Returns a CLI_ code. */
int run_report(const session *s, int json, int list);

/* The ranked worklist, all of it or `owner`'s (`archase worklist`). */
int worklist_report(const session *s, const char *owner, int json);

#endif
