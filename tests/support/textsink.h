/* tests/support/textsink.h — a writer callback that gathers everything an
 * export writes into one NUL-terminated heap string. */
#ifndef ARCHASE_TEST_TEXTSINK_H
#define ARCHASE_TEST_TEXTSINK_H

#include <stddef.h>

/* Start as { NULL, 0 }; the caller frees data with free(). */
typedef struct text_sink {
    char  *data;
    size_t len;
} text_sink;

/* An archase writer: appends size bytes to the text_sink userdata and keeps it
 * NUL-terminated. Returns 0, or ARCHASE_ENOMEM when it cannot grow. */
int text_sink_write(void *userdata, const void *data, size_t size);

#endif
