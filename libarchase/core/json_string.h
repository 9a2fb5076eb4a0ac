/* libarchase/core/json_string.h — JSON string literals, read strictly: the
 * escapes of RFC 8259, surrogate pairs joined, no control characters, no NUL.
 * Shared by the JSON Lines importer and the audit export reader. */
#ifndef AR_CORE_JSON_STRING_H
#define AR_CORE_JSON_STRING_H

#include "core/buf.h"

/* Reads the string literal that starts at *p (its opening quote) and ends
 * before `end`, appending its UTF-8 text (without a NUL) to `out`. Returns
 * NULL with *p just past the closing quote, or what is wrong ("an unknown
 * escape", ...) with *p where it was found. */
const char *ar_json_read_string(const char **p, const char *end, ar_buf *out);

#endif
