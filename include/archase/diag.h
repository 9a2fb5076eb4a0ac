/* include/archase/diag.h — diagnostics from loaders and importers (policies, CSV, JSONL). */
#ifndef ARCHASE_DIAG_H
#define ARCHASE_DIAG_H

#include "archase/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ARCHASE_DIAG_SOURCE_MAX  256
#define ARCHASE_DIAG_MESSAGE_MAX 512

/* One diagnostic: what is wrong and where. `line` and `column` are 1-based;
 * 0 means the problem is not tied to a line (or a column). `source` is the
 * file name or "<buffer>"; both strings are NUL-terminated and truncated to fit. */
typedef struct archase_diag {
    int      code;                              /* ARCHASE_E* */
    uint32_t line;
    uint32_t column;
    char     source[ARCHASE_DIAG_SOURCE_MAX];
    char     message[ARCHASE_DIAG_MESSAGE_MAX];
} archase_diag;

/* Writes "source:line:column: message" (parts that are 0 or empty are left
 * out) into `buf`, NUL-terminated. Returns 0, ARCHASE_EINVAL, or
 * ARCHASE_EBUFSIZE when `size` is too small (the text is then truncated). */
ARCHASE_API int archase_diag_format(const archase_diag *diag, char *buf, size_t size);

/* A growable list of diagnostics that loaders fill. Owned by the caller. */
typedef struct archase_diag_list archase_diag_list;

/* Creates an empty list that keeps at most `limit` diagnostics (0 = 20) and
 * counts the ones past the limit. `allocator` may be NULL (the default one). */
ARCHASE_API int archase_diag_list_new(const archase_allocator *allocator, size_t limit,
                                      archase_diag_list **out);
/* Frees the list; NULL is allowed. */
ARCHASE_API void archase_diag_list_free(archase_diag_list *list);
/* Removes every diagnostic (the limit stays). */
ARCHASE_API void archase_diag_list_clear(archase_diag_list *list);
/* How many diagnostics the list holds (at most its limit). */
ARCHASE_API size_t archase_diag_list_count(const archase_diag_list *list);
/* How many more were reported after the list was full. */
ARCHASE_API size_t archase_diag_list_dropped(const archase_diag_list *list);
/* The i-th diagnostic in report order, or NULL when i is out of range. The
 * pointer is valid until the list is cleared or freed. */
ARCHASE_API const archase_diag *archase_diag_list_get(const archase_diag_list *list, size_t i);

#ifdef __cplusplus
}
#endif
#endif
