/* libarchase/core/error.h — the per-handle error state behind *_errmsg(). */
#ifndef AR_CORE_ERROR_H
#define AR_CORE_ERROR_H

#include "archase/errors.h"

#define AR_ERROR_MESSAGE_MAX 1024

/* The last error of a handle: its code and a message that names what is wrong. */
typedef struct ar_error {
    int  code;
    char message[AR_ERROR_MESSAGE_MAX];
} ar_error;

/* Records `code` with a printf-style message; returns `code` so callers can
 * write `return ar_error_set(&h->err, ARCHASE_EINVAL, "...", ...)`.
 * A NULL `err` only returns the code. */
int ar_error_set(ar_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void ar_error_clear(ar_error *err);

/* The message, or archase_strerror(code) when none was set; "" when no error. */
const char *ar_error_message(const ar_error *err);

#endif
