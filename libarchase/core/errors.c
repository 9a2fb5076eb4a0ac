/* libarchase/core/errors.c — names and messages of the error codes. */
#include "archase/errors.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"

const char *archase_strerror(int code) {
    switch (code) {
    case 0:
        return "success";
#define AR_STRERROR_CASE_(name, value, message) \
    case (value):                               \
        return (message);
        ARCHASE_ERRNO_MAP(AR_STRERROR_CASE_)
#undef AR_STRERROR_CASE_
    default:
        return "unknown error";
    }
}

const char *archase_error_name(int code) {
    switch (code) {
    case 0:
        return "ARCHASE_OK";
#define AR_NAME_CASE_(name, value, message) \
    case (value):                           \
        return "ARCHASE_" #name;
        ARCHASE_ERRNO_MAP(AR_NAME_CASE_)
#undef AR_NAME_CASE_
    default:
        return "ARCHASE_EUNKNOWN";
    }
}

int ar_error_set(ar_error *err, int code, const char *fmt, ...) {
    if (!err)
        return code;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    if (n < 0)
        err->message[0] = '\0';
    return code;
}

void ar_error_clear(ar_error *err) {
    if (!err)
        return;
    err->code = 0;
    err->message[0] = '\0';
}

const char *ar_error_message(const ar_error *err) {
    if (!err)
        return "";
    if (err->message[0])
        return err->message;
    return err->code ? archase_strerror(err->code) : "";
}
