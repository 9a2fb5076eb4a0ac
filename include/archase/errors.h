/* include/archase/errors.h — error codes. Every fallible function returns 0 or one of these. */
#ifndef ARCHASE_ERRORS_H
#define ARCHASE_ERRORS_H

#include "archase/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The one list of error codes: name, value, message. Values are pinned forever;
 * the list is append-only and nothing is ever renumbered or reused. */
#define ARCHASE_ERRNO_MAP(X)                                                   \
    X(EINVAL,       -1,  "invalid argument")                                   \
    X(ENOMEM,       -2,  "out of memory")                                      \
    X(ECONFLICT,    -3,  "conflicts with a recorded fact")                     \
    X(EPOLICY,      -4,  "policy is invalid")                                  \
    X(ESTORAGE,     -5,  "storage backend failed")                             \
    X(ENOTFOUND,    -6,  "not found")                                          \
    X(EUNSUPPORTED, -7,  "not supported by this backend or build")             \
    X(ECURRENCY,    -8,  "unknown currency or currencies differ")              \
    X(EOVERFLOW,    -9,  "arithmetic overflow")                                \
    X(EPARSE,       -10, "malformed input")                                    \
    X(ESTATE,       -11, "not allowed in the current state")                   \
    X(EDENIED,      -12, "not permitted for this actor")                       \
    X(EVERIFY,      -13, "verification failed")                                \
    X(EBUSY,        -14, "resource is busy")                                   \
    X(ETRANSPORT,   -15, "message transport failed")                           \
    X(EVERSION,     -16, "unsupported version")                                \
    X(ECALLBACK,    -17, "a host callback failed")                             \
    X(EIO,          -18, "input/output error")                                 \
    X(ERANGE,       -19, "value out of range")                                 \
    X(EBUFSIZE,     -20, "buffer too small")                                   \
    X(EEXPIRED,     -21, "expired")                                            \
    /* append only; never renumber */

typedef enum archase_error {
    ARCHASE_OK = 0,
#define ARCHASE_ERRNO_ENUM_(name, value, message) ARCHASE_##name = (value),
    ARCHASE_ERRNO_MAP(ARCHASE_ERRNO_ENUM_)
#undef ARCHASE_ERRNO_ENUM_
    ARCHASE_ERROR_MIN_ = -21 /* the most negative code; grows with the list */
} archase_error;

/* A short English description of `code` ("out of memory"); "success" for 0 and
 * "unknown error" for a value not in the list. A static string. */
ARCHASE_API const char *archase_strerror(int code);

/* The symbolic name of `code` ("ARCHASE_ENOMEM"); "ARCHASE_OK" for 0 and
 * "ARCHASE_EUNKNOWN" for a value not in the list. A static string. */
ARCHASE_API const char *archase_error_name(int code);

#ifdef __cplusplus
}
#endif
#endif
