/* tests/fuzz/fuzz_mapped_import.c — libFuzzer target: a mapping file, a line
 * "%%", then a CSV export. The mapping loads or is refused with a reason; a
 * loaded one reads the export into an empty ledger or refuses it, never
 * crashing, leaking or reading out of bounds. A refused import writes
 * nothing; an accepted one, read again, changes nothing. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "archase/io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *find_separator(const char *text, size_t size) {
    static const char sep[] = "\n%%\n";
    for (size_t i = 0; i + 4 <= size; i++) {
        if (!memcmp(text + i, sep, 4))
            return text + i;
    }
    return NULL;
}

static void import_twice(const archase_mapping *m, const char *csv, size_t size) {
    archase_engine *eng = NULL;
    archase_diag_list *diags = NULL;
    if (archase_open_memory(NULL, &eng) || archase_diag_list_new(NULL, 20, &diags)) {
        archase_engine_free(eng);
        return;
    }
    archase_import_options o = ARCHASE_IMPORT_OPTIONS_INIT;
    o.mapping = m;
    o.as_of = 20514; /* 2026-03-02 */
    archase_batch_summary s;
    int rc = archase_import_buffer(eng, &o, csv, size, diags, &s);
    uint64_t audited = 0;
    if (archase_audit_size(eng, &audited))
        abort();
    if (rc == 0) {
        archase_diag_list_clear(diags);
        if (archase_import_buffer(eng, &o, csv, size, diags, &s) != 0 || s.inserted || s.updated)
            abort(); /* reading the same export again changes nothing */
    } else if (rc == ARCHASE_EINVAL || rc == ARCHASE_EPARSE) {
        if (audited || s.inserted || s.updated || !archase_diag_list_count(diags))
            abort(); /* refused: nothing written, and the reason given */
    } else if (rc != ARCHASE_ENOMEM) {
        abort();
    }
    archase_diag_list_free(diags);
    archase_engine_free(eng);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    const char *sep = find_separator(text, size);
    size_t mapping_size = sep ? (size_t)(sep - text) : size;
    archase_diag_list *diags = NULL;
    if (archase_diag_list_new(NULL, 0, &diags))
        return 0;
    archase_mapping *m = NULL;
    int rc = archase_mapping_load_buffer(text, mapping_size, "fuzz.yaml", NULL, diags, &m);
    if (rc == 0) {
        if (archase_diag_list_count(diags) != 0)
            abort(); /* a mapping that loads has no problems */
        if (sep)
            import_twice(m, sep + 4, size - mapping_size - 4);
    } else if (rc == ARCHASE_EPARSE) {
        if (archase_diag_list_count(diags) == 0)
            abort(); /* a refusal always says why */
    } else if (rc != ARCHASE_ENOMEM) {
        abort();
    }
    archase_mapping_free(m);
    archase_diag_list_free(diags);
    return 0;
}
