/* tests/support/approvalview.c — an approval request copied out (approvalview.h). */
#include "approvalview.h"

#include <stdio.h>
#include <string.h>

#include "testutil.h"

int test_approval_see(void *userdata, const archase_approval_info *info) {
    test_approval_view *s = userdata;
    s->n++;
    snprintf(s->id, sizeof s->id, "%s", info->id);
    s->status = info->status;
    s->fast_lane = info->fast_lane;
    s->action = info->action;
    s->required = info->approvals_required;
    s->approvals = info->approvals;
    s->roles[0] = '\0';
    for (size_t i = 0; i < info->role_count; i++)
        snprintf(s->roles + strlen(s->roles), sizeof s->roles - strlen(s->roles), "%s%s", i ? "," : "",
                 info->roles[i]);
    snprintf(s->rule, sizeof s->rule, "%s", info->approval_rule ? info->approval_rule : "");
    snprintf(s->replaces, sizeof s->replaces, "%s", info->replaces ? info->replaces : "");
    snprintf(s->replaced_by, sizeof s->replaced_by, "%s", info->replaced_by ? info->replaced_by : "");
    s->created = info->created;
    s->expires = info->expires;
    s->closed = info->closed;
    s->votes = info->vote_count;
    return 0;
}

test_approval_view test_approval_view_get(archase_engine *eng, const char *id) {
    test_approval_view s;
    memset(&s, 0, sizeof s);
    assert_int_equal(archase_approval_get(eng, id, test_approval_see, &s), 0);
    return s;
}
