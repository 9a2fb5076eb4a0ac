/* tests/support/textsink.h — a writer callback that gathers everything an
 * export writes into one NUL-terminated heap string, and an export read that
 * way. */
#ifndef ARCHASE_TEST_TEXTSINK_H
#define ARCHASE_TEST_TEXTSINK_H

#include <stddef.h>

#include "archase/archase.h"

/* Start as { NULL, 0 }; the caller frees data with free(). */
typedef struct text_sink {
    char  *data;
    size_t len;
} text_sink;

/* An archase writer: appends size bytes to the text_sink userdata and keeps it
 * NUL-terminated. Returns 0, or ARCHASE_ENOMEM when it cannot grow. */
int text_sink_write(void *userdata, const void *data, size_t size);

/* Appends formatted text; fails the test when it cannot. */
void text_sink_printf(text_sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The export of `kind` in `format` (an archase_format), as a heap string the
 * caller frees ("" when the export writes nothing); fails the test when the
 * export does not return 0. */
char *text_sink_export(archase_engine *eng, int kind, int format);

/* Every kind's CSV export, ARCHASE_KIND_CUSTOMERS to ARCHASE_KIND_NOTES one
 * after the other, leaving out the kinds for which leave_out(kind, arg) is
 * non-zero (leave_out may be NULL): what the ledger holds, as a heap string. */
char *text_sink_export_all(archase_engine *eng, int (*leave_out)(int kind, int arg), int arg);

#endif
