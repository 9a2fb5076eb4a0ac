/* tests/test_export_flags.c — exports of flags set one at a time (each
 * written alone, without a separator in front), an export whose options
 * leave the format at 0 (CSV), and a writer that fails on the only write a
 * small export makes: its code is what the export returns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "archase/io.h"
#include "support/testutil.h"

typedef struct sink {
    char  *data;
    size_t len;
    int    fail_with;
    int    calls;
} sink;

static int to_sink(void *userdata, const void *data, size_t size) {
    sink *s = userdata;
    s->calls++;
    if (s->fail_with)
        return s->fail_with;
    char *bigger = realloc(s->data, s->len + size + 1);
    if (!bigger)
        return ARCHASE_ENOMEM;
    memcpy(bigger + s->len, data, size);
    s->data = bigger;
    s->len += size;
    s->data[s->len] = '\0';
    return 0;
}

static void import_csv(archase_engine *eng, int kind, const char *text) {
    archase_import_options o = ARCHASE_IMPORT_OPTIONS_INIT;
    o.kind = kind;
    assert_int_equal(archase_import_buffer(eng, &o, text, strlen(text), NULL, NULL), 0);
}

static void flags_set_alone_are_exported_alone_and_import_back_unchanged(void **state) {
    (void)state;
    archase_engine *eng = NULL;
    assert_int_equal(archase_open_memory(NULL, &eng), 0);
    import_csv(eng, ARCHASE_KIND_CUSTOMERS, "customer_id,name\nC1,A\nC2,B\nC3,C\nC4,D\n");
    import_csv(eng, ARCHASE_KIND_FLAGS,
               "customer_id,flags\nC1,paused_until=2026-03-01\nC2,strategic\nC3,service_issue\n"
               "C4,hold;paused_until=2026-04-01;expansion;strategic;service_issue\n");
    archase_export_options o = ARCHASE_EXPORT_OPTIONS_INIT;
    o.kind = ARCHASE_KIND_FLAGS;
    o.format = 0; /* the default: CSV */
    sink s = { NULL, 0, 0, 0 };
    assert_int_equal(archase_export(eng, &o, to_sink, &s), 0);
    assert_non_null(strstr(s.data, "\r\nC1,paused_until=2026-03-01,"));
    assert_non_null(strstr(s.data, "\r\nC2,strategic,"));
    assert_non_null(strstr(s.data, "\r\nC3,service_issue,"));
    assert_non_null(strstr(s.data, "\r\nC4,hold;paused_until=2026-04-01;expansion;strategic;service_issue,"));
    /* What is exported imports back as duplicates. */
    archase_import_options io = ARCHASE_IMPORT_OPTIONS_INIT;
    io.kind = ARCHASE_KIND_FLAGS;
    archase_batch_summary summary;
    memset(&summary, 0, sizeof summary);
    summary.version = ARCHASE_BATCH_SUMMARY_VERSION;
    assert_int_equal(archase_import_buffer(eng, &io, s.data, s.len, NULL, &summary), 0);
    assert_int_equal(summary.duplicates, 4);
    free(s.data);
    archase_engine_free(eng);
}

static void a_writer_failing_on_the_only_write_stops_the_export_with_its_code(void **state) {
    (void)state;
    archase_engine *eng = NULL;
    assert_int_equal(archase_open_memory(NULL, &eng), 0);
    import_csv(eng, ARCHASE_KIND_CUSTOMERS, "customer_id,name\nC1,A\n");
    archase_export_options o = ARCHASE_EXPORT_OPTIONS_INIT;
    o.kind = ARCHASE_KIND_CUSTOMERS;
    sink s = { NULL, 0, ARCHASE_ECALLBACK, 0 };
    assert_int_equal(archase_export(eng, &o, to_sink, &s), ARCHASE_ECALLBACK);
    assert_int_equal(s.calls, 1);
    assert_null(s.data);
    archase_engine_free(eng);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(flags_set_alone_are_exported_alone_and_import_back_unchanged),
    cmocka_unit_test(a_writer_failing_on_the_only_write_stops_the_export_with_its_code),
};

AR_TEST_MAIN(tests)
