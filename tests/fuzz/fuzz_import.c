/* tests/fuzz/fuzz_import.c — libFuzzer target for the native CSV and JSON
 * Lines importers. The first byte picks the kind and the format (and whether
 * the file is an edited sheet); the rest is the file, imported into a memory
 * store that already holds a customer and an invoice. The import is one
 * batch: it succeeds or fails with a documented code, and a failed import
 * writes nothing (the audit log keeps its size); a file that imported imports
 * again as nothing but duplicates, and what is exported then imports back as
 * duplicates too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct sink {
    uint8_t *data;
    size_t   len, cap;
} sink;

static int sink_write(void *userdata, const void *data, size_t size) {
    sink *s = userdata;
    if (s->len + size > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4096;
        while (cap < s->len + size)
            cap *= 2;
        uint8_t *grown = realloc(s->data, cap);
        if (!grown)
            return ARCHASE_ENOMEM;
        s->data = grown;
        s->cap = cap;
    }
    memcpy(s->data + s->len, data, size);
    s->len += size;
    return 0;
}

static int allowed(int rc) {
    return rc == 0 || rc == ARCHASE_EINVAL || rc == ARCHASE_EPARSE || rc == ARCHASE_ENOMEM;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    archase_engine *eng = NULL;
    if (archase_open_memory(NULL, &eng))
        abort();
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME";
    archase_invoice inv = ARCHASE_INVOICE_INIT;
    inv.id = "I1";
    inv.customer_id = "C1";
    inv.issue_date = 20454;
    inv.due_date = 20484;
    inv.amount = (archase_money){ 120000, "EUR" };
    if (archase_customer_put(eng, &c, NULL) || archase_invoice_put(eng, &inv, NULL))
        abort();
    uint64_t before = 0, after = 0;
    if (archase_audit_size(eng, &before))
        abort();
    archase_import_options o = ARCHASE_IMPORT_OPTIONS_INIT;
    o.kind = 1 + data[0] % 9;
    o.format = (data[0] & 0x10) ? ARCHASE_FORMAT_JSONL : ARCHASE_FORMAT_CSV;
    o.edits = (data[0] & 0x20) ? 1 : 0;
    o.as_of = 20500;
    archase_batch_summary s = ARCHASE_BATCH_SUMMARY_INIT;
    int rc = archase_import_buffer(eng, &o, data + 1, size - 1, NULL, &s);
    if (!allowed(rc))
        abort();
    if (archase_audit_size(eng, &after))
        abort();
    if (rc && after != before)
        abort(); /* a failed import wrote something */
    if (rc == 0 && !o.edits) {
        archase_batch_summary again = ARCHASE_BATCH_SUMMARY_INIT;
        if (archase_import_buffer(eng, &o, data + 1, size - 1, NULL, &again) != 0)
            abort();
        if (again.inserted || again.updated)
            abort(); /* the same file twice changed something */
        sink out = { NULL, 0, 0 };
        archase_export_options eo = ARCHASE_EXPORT_OPTIONS_INIT;
        eo.kind = o.kind;
        eo.format = o.format;
        if (archase_export(eng, &eo, sink_write, &out) == 0) {
            archase_import_options back = o;
            back.kind = o.kind;
            archase_batch_summary round = ARCHASE_BATCH_SUMMARY_INIT;
            int brc = archase_import_buffer(eng, &back, out.data ? (const void *)out.data : (const void *)"",
                                            out.len, NULL, &round);
            if (brc != 0 || round.inserted || round.updated)
                abort(); /* an export does not import back as duplicates */
        }
        free(out.data);
    }
    archase_engine_free(eng);
    return 0;
}
