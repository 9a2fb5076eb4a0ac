/* tests/fuzz/fuzz_audit_export.c — libFuzzer target for the verifier of
 * audit-log exports (archase_audit_verify_export, docs/audit-format.md,
 * "Export"): any bytes, read in pieces of a size the input picks, give a
 * verdict — verified, or ARCHASE_EVERIFY with a problem and a message — and
 * never a crash, a leak or a read past the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct source {
    const uint8_t *p;
    size_t         left;
    size_t         piece;
} source;

static int source_read(void *userdata, void *buf, size_t size, size_t *got) {
    source *s = userdata;
    size_t n = size < s->left ? size : s->left;
    if (n > s->piece)
        n = s->piece;
    memcpy(buf, s->p, n);
    s->p += n;
    s->left -= n;
    *got = n;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    /* An exact-size copy, so reads past the end are caught. */
    uint8_t *copy = malloc(size - 1 ? size - 1 : 1);
    if (!copy)
        return 0;
    memcpy(copy, data + 1, size - 1);
    source s = { copy, size - 1, data[0] ? data[0] : 65536 };
    archase_audit_report report;
    memset(&report, 0, sizeof report);
    report.version = ARCHASE_AUDIT_REPORT_VERSION;
    int rc = archase_audit_verify_export(source_read, &s, NULL, &report);
    if (rc == ARCHASE_EVERIFY) {
        if (report.problem == ARCHASE_AUDIT_PROBLEM_NONE || !report.message[0])
            abort();
        if (!memchr(report.message, 0, sizeof report.message))
            abort();
    } else if (rc == 0) {
        if (report.problem != ARCHASE_AUDIT_PROBLEM_NONE)
            abort();
    } else if (rc != ARCHASE_ENOMEM && rc != ARCHASE_EINVAL) {
        abort();
    }
    free(copy);
    return 0;
}
