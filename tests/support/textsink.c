/* tests/support/textsink.c — the text-gathering writer (textsink.h). */
#include "textsink.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

int text_sink_write(void *userdata, const void *data, size_t size) {
    text_sink *s = userdata;
    char *bigger = realloc(s->data, s->len + size + 1);
    if (!bigger)
        return ARCHASE_ENOMEM;
    memcpy(bigger + s->len, data, size);
    s->data = bigger;
    s->len += size;
    s->data[s->len] = '\0';
    return 0;
}

void text_sink_printf(text_sink *s, const char *fmt, ...) {
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    if ((size_t)n < sizeof small) {
        assert_int_equal(text_sink_write(s, small, (size_t)n), 0);
        return;
    }
    char *big = malloc((size_t)n + 1);
    assert_non_null(big);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    assert_int_equal(text_sink_write(s, big, (size_t)n), 0);
    free(big);
}

char *text_sink_export(archase_engine *eng, int kind, int format) {
    archase_export_options o = ARCHASE_EXPORT_OPTIONS_INIT;
    o.kind = kind;
    o.format = format;
    text_sink s = { NULL, 0 };
    assert_int_equal(archase_export(eng, &o, text_sink_write, &s), 0);
    return s.data ? s.data : calloc(1, 1);
}

char *text_sink_export_all(archase_engine *eng, int (*leave_out)(int kind, int arg), int arg) {
    text_sink all = { NULL, 0 };
    for (int kind = ARCHASE_KIND_CUSTOMERS; kind <= ARCHASE_KIND_NOTES; kind++) {
        if (leave_out && leave_out(kind, arg))
            continue;
        char *text = text_sink_export(eng, kind, ARCHASE_FORMAT_CSV);
        assert_int_equal(text_sink_write(&all, text, strlen(text)), 0);
        free(text);
    }
    return all.data ? all.data : calloc(1, 1);
}
