/* tests/fuzz/fuzz_policy_load.c — libFuzzer target: any bytes handed to the
 * policy loader are loaded or refused, never crash, leak or read out of
 * bounds. A policy that loads is described again from its settings: its hash
 * is stable and every setting is readable. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    archase_diag_list *diags = NULL;
    if (archase_diag_list_new(NULL, 0, &diags))
        return 0;
    archase_policy *p = NULL;
    int rc = archase_policy_load_buffer(data, size, "fuzz.yaml", NULL, &p, diags);
    if (rc == 0) {
        uint8_t a[32], b[32];
        archase_policy_hash(p, a);
        archase_policy_hash(p, b);
        if (memcmp(a, b, 32) != 0)
            abort();
        for (size_t i = 0; i < archase_policy_setting_count(p); i++) {
            const char *path, *value;
            if (archase_policy_setting(p, i, &path, &value) || !path || !value)
                abort();
        }
        if (archase_diag_list_count(diags) != 0)
            abort(); /* a policy that loads has no problems */
    } else if (rc == ARCHASE_EPOLICY) {
        if (archase_diag_list_count(diags) == 0)
            abort(); /* a refusal always says why */
        for (size_t i = 0; i < archase_diag_list_count(diags); i++) {
            char line[1024];
            archase_diag_format(archase_diag_list_get(diags, i), line, sizeof line);
        }
    } else if (rc != ARCHASE_ENOMEM) {
        abort();
    }
    archase_policy_free(p);
    archase_diag_list_free(diags);
    return 0;
}
