/* libarchase/core/diag.h — adding to a diagnostics list. */
#ifndef AR_CORE_DIAG_H
#define AR_CORE_DIAG_H

#include <stdarg.h>

#include "archase/diag.h"

/* Appends a diagnostic; past the list's limit it is only counted as dropped.
 * A NULL list is allowed (nothing happens). Returns 0 or ARCHASE_ENOMEM. */
int ar_diag_add(archase_diag_list *list, int code, const char *source, uint32_t line,
                uint32_t column, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
int ar_diag_vadd(archase_diag_list *list, int code, const char *source, uint32_t line,
                 uint32_t column, const char *fmt, va_list ap);

/* 1 when the list holds its limit (more would only be counted). */
int ar_diag_list_full(const archase_diag_list *list);

#endif
