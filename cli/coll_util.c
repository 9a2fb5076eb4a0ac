/* cli/coll_util.c — shared by the promise, dispute, recon and credit
 * commands (coll_util.h). */
#include "coll_util.h"

#include <string.h>
#include <time.h>

#include "policy_file.h"

static const char default_policy[] =
    "version: 1\n"
    "name: defaults\n"
    "currency: {default: EUR}\n"
    "segments: [{name: all, sequence: default}]\n"
    "sequences: {default: {steps: [{offset: 1, action: queue_call}]}}\n";

int coll_open_db(const char *command, const char *path, int read_only, archase_engine **eng) {
    archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
    char err[512];
    so.create = 0;
    so.read_only = read_only;
    int rc = archase_open_sqlite(path, &so, NULL, eng, err, sizeof err);
    if (rc == ARCHASE_ENOTFOUND)
        return cli_fail(command, CLI_INVALID, "%s: no such ledger", path);
    if (rc)
        return cli_fail_rc(command, rc, path, err);
    return CLI_OK;
}

archase_policy *coll_policy(const char *command, const char *path) {
    int rc = 0;
    if (path)
        return cli_policy_load(command, path, &rc);
    archase_policy *p = NULL;
    rc = archase_policy_load_buffer(default_policy, strlen(default_policy), "(defaults)", NULL, &p, NULL);
    if (rc)
        cli_fail_rc(command, rc, "the default policy", NULL);
    return p;
}

int coll_date(const char *command, const char *option, const char *text, archase_date *out) {
    if (!text) {
        *out = archase_instant_utc_date((archase_instant)time(NULL));
        return CLI_OK;
    }
    if (archase_date_parse(text, out) != 0)
        return cli_fail(command, CLI_USAGE, "--%s: '%s' is not a date (YYYY-MM-DD)", option, text);
    return CLI_OK;
}

int coll_money(const char *command, const char *option, const char *text, archase_money *out) {
    if (!text || archase_money_parse(text, out) != 0)
        return cli_fail(command, CLI_USAGE, "--%s: '%s' is not an amount (e.g. \"1200.00 EUR\")", option,
                        text ? text : "");
    return CLI_OK;
}

int coll_fail(const char *command, archase_engine *eng, int rc, const char *what) {
    const char *msg = eng ? archase_engine_errmsg(eng) : "";
    switch (rc) {
    case ARCHASE_EINVAL:
    case ARCHASE_ENOTFOUND:
    case ARCHASE_ECURRENCY:
    case ARCHASE_ECONFLICT:
    case ARCHASE_ESTATE:
    case ARCHASE_EDENIED:
    case ARCHASE_EEXPIRED:
        return cli_fail(command, CLI_INVALID, "%s: %s", what, msg && *msg ? msg : archase_strerror(rc));
    default:
        return cli_fail_rc(command, rc, what, msg);
    }
}

void coll_money_text(const archase_money *m, char out[ARCHASE_MONEY_FORMAT_MAX]) {
    if (!m->currency[0] || archase_money_format(m, out, ARCHASE_MONEY_FORMAT_MAX) != 0)
        out[0] = '\0';
}

void coll_date_text(archase_date d, char out[ARCHASE_DATE_FORMAT_MAX]) {
    if (d == ARCHASE_DATE_NONE || archase_date_format(d, out, ARCHASE_DATE_FORMAT_MAX) != 0)
        out[0] = '\0';
}
