/* tests/fuzz/fuzz_canon_decode.c — libFuzzer target for the canonical
 * decoder (docs/audit-format.md). The first byte picks a fact family, the
 * rest is decoded: the validator and a walk of every value with the reader
 * agree on whether the bytes are one well-formed record, and never read past
 * them; the strict fact decoder accepts only well-formed records, and a fact
 * it accepts that also validates encodes back to exactly the same bytes (a
 * fact has one encoding). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archase/errors.h"
#include "core/canon.h"
#include "engine/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads one value and everything inside it; 0 or ARCHASE_EPARSE. */
static int walk(ar_canon_reader *r, int in_record, int depth) {
    ar_canon_value v;
    uint16_t field = 0;
    int rc = in_record ? ar_canon_read_field(r, &field, &v) : ar_canon_read(r, &v);
    if (rc)
        return rc;
    if (depth > 200)
        return ARCHASE_EPARSE;
    if (v.type == AR_CANON_LIST || v.type == AR_CANON_RECORD) {
        for (uint32_t i = 0; i < v.count; i++) {
            rc = walk(r, v.type == AR_CANON_RECORD, depth + 1);
            if (rc)
                return rc;
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    int family = 1 + data[0] % 8;
    size_t n = size - 1;
    /* An exact-size copy, so reads past the end are caught. */
    uint8_t *bytes = malloc(n ? n : 1);
    if (!bytes)
        return 0;
    memcpy(bytes, data + 1, n);
    int valid = ar_canon_validate(bytes, n) == 0;
    ar_canon_reader r;
    ar_canon_reader_init(&r, bytes, n);
    int walked = walk(&r, 0, 0) == 0 && ar_canon_at_end(&r);
    /* The validator is stricter (field order, booleans, currencies, depth):
     * whatever it accepts, the reader reads to the end. */
    if (valid && !walked)
        abort();
    ar_fact f;
    ar_fact_init(&f, NULL);
    int rc = ar_fact_decode(&f, family, bytes, n);
    if (rc != 0 && rc != ARCHASE_EPARSE && rc != ARCHASE_ENOMEM)
        abort();
    if (rc == 0) {
        if (!valid)
            abort(); /* the fact decoder accepted bytes the validator refuses */
        ar_fact_ref ref = ar_fact_as_ref(&f);
        ar_fact_error err;
        memset(&err, 0, sizeof err);
        if (ar_fact_validate(ref, &err) == 0) {
            ar_canon c;
            ar_canon_init(&c, NULL);
            const uint8_t *again = NULL;
            size_t again_size = 0;
            if (ar_fact_encode(&c, ref) == 0 && ar_canon_finish(&c, &again, &again_size) == 0 &&
                (again_size != n || memcmp(again, bytes, n) != 0))
                abort(); /* two encodings of one fact */
            ar_canon_free(&c);
        }
    }
    ar_fact_free(&f);
    free(bytes);
    return 0;
}
