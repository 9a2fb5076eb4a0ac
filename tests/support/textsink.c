/* tests/support/textsink.c — the text-gathering writer (textsink.h). */
#include "textsink.h"

#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"

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
