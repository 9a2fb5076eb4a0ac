/* include/archase/common.h — types and conventions shared by every public header. */
#ifndef ARCHASE_COMMON_H
#define ARCHASE_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "archase/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Marks an exported function. The library is built with hidden visibility, so
 * only what carries this mark (and is listed in libarchase.map) is visible. */
#if defined(ARCHASE_BUILDING) && defined(__GNUC__)
#define ARCHASE_API __attribute__((visibility("default")))
#else
#define ARCHASE_API
#endif

/* A civil date: days since 1970-01-01 in the proleptic Gregorian calendar. */
typedef int32_t archase_date;

/* An absent date (a field that is not set); never a valid date. */
#define ARCHASE_DATE_NONE INT32_MIN

/* An instant: seconds since 1970-01-01T00:00:00Z (UTC, leap seconds ignored). */
typedef int64_t archase_instant;

/* A replaceable allocator, accepted by every constructor through its options.
 * `realloc_fn` may be NULL, in which case the library allocates, copies and frees.
 * The library never mixes allocators: what one allocated, the same one frees. */
typedef struct archase_allocator {
    unsigned version;   /* ARCHASE_ALLOCATOR_VERSION */
    void    *userdata;  /* passed first to every function below */
    void   *(*malloc_fn)(void *userdata, size_t size);
    void   *(*realloc_fn)(void *userdata, void *ptr, size_t size);
    void    (*free_fn)(void *userdata, void *ptr);
} archase_allocator;
#define ARCHASE_ALLOCATOR_VERSION 1

/* The allocator backed by the C library's malloc/realloc/free. */
ARCHASE_API const archase_allocator *archase_default_allocator(void);

/* The run-time library version: ARCHASE_VERSION_NUMBER of the library that is
 * loaded, which may differ from the header a program was compiled with. */
ARCHASE_API int archase_version(void);

/* The run-time library version as "MAJOR.MINOR.PATCH"; a static string. */
ARCHASE_API const char *archase_version_string(void);

#ifdef __cplusplus
}
#endif
#endif
