/* tests/support/textsink.c — the text-gathering writer (textsink.h). */
#include "textsink.h"

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
