/* tests/support/policyload.h — loading a policy the test expects to be
 * valid, or to be refused. */
#ifndef ARCHASE_TEST_POLICYLOAD_H
#define ARCHASE_TEST_POLICYLOAD_H

#include "archase/archase.h"

/* The policy in `yaml` (named "p.yaml"), loaded with the default
 * allocator; fails the test with the code and the first diagnostic when it
 * is rejected. The caller frees it with archase_policy_free. */
archase_policy *test_policy_load_ok(const char *yaml);

/* Loads `yaml` (named "p.yaml") expecting ARCHASE_EPOLICY and no policy
 * handed out; fails the test, showing the text, otherwise. Returns the
 * diagnostics, which the caller frees with archase_diag_list_free. */
archase_diag_list *test_policy_load_refused(const char *yaml);

#endif
