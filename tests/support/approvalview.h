/* tests/support/approvalview.h — an approval request as the approval suites
 * read it: its fields copied out of the callback of archase_approval_get or
 * archase_approvals_scan. */
#ifndef ARCHASE_TEST_APPROVALVIEW_H
#define ARCHASE_TEST_APPROVALVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "archase/archase.h"

typedef struct test_approval_view {
    int             n; /* requests seen */
    char            id[ARCHASE_APPROVAL_ID_MAX];
    int             status, fast_lane, action;
    uint32_t        required, approvals;
    char            roles[128]; /* comma-separated */
    char            rule[64];
    char            replaces[ARCHASE_APPROVAL_ID_MAX], replaced_by[ARCHASE_APPROVAL_ID_MAX];
    archase_instant created, expires, closed;
    size_t          votes;
} test_approval_view;

/* The callback (userdata: a test_approval_view): counts the request and
 * copies it, so after a scan the view holds the last one. Returns 0. */
int test_approval_see(void *userdata, const archase_approval_info *info);

/* The request `id` (fails the test when it cannot be read). */
test_approval_view test_approval_view_get(archase_engine *eng, const char *id);

#endif
