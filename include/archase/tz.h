/* include/archase/tz.h — IANA time zones from the system tz database (TZif files). */
#ifndef ARCHASE_TZ_H
#define ARCHASE_TZ_H

#include "archase/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A loaded time zone. Immutable once loaded: one zone may be shared by any
 * number of threads. The library never reads or sets the TZ environment. */
typedef struct archase_tz archase_tz;

typedef struct archase_tz_options {
    unsigned                 version;   /* ARCHASE_TZ_OPTIONS_VERSION */
    const archase_allocator *allocator; /* NULL = default */
    const char              *tzdir;     /* NULL = "/usr/share/zoneinfo" */
} archase_tz_options;
#define ARCHASE_TZ_OPTIONS_VERSION 1
#define ARCHASE_TZ_OPTIONS_INIT { ARCHASE_TZ_OPTIONS_VERSION, NULL, NULL }
ARCHASE_API int archase_tz_options_init(archase_tz_options *opts, unsigned version);

/* Loads zone `name` ("Europe/Berlin", "UTC") from the TZif file
 * `tzdir`/`name` (RFC 8536, versions 1 to 4; the 64-bit data and the POSIX
 * rule of the footer when present, so instants past the last transition in
 * the file, such as 2100, follow the zone's current rule). Names are checked
 * before any file is opened: 1 to 255 bytes of letters, digits and "/_-+",
 * not starting or ending with '/', no "//" (so no absolute path and no "..").
 * Returns 0, ARCHASE_EINVAL (bad name, empty tzdir, NULL), ARCHASE_EVERSION,
 * ARCHASE_ENOTFOUND (no such file, or a folder), ARCHASE_EPARSE (not a valid
 * TZif file: truncated, corrupt, over 1 MiB), ARCHASE_EUNSUPPORTED (a file
 * with leap seconds, from the right/ tree), ARCHASE_EIO or ARCHASE_ENOMEM. */
ARCHASE_API int archase_tz_load(const char *name, const archase_tz_options *opts, archase_tz **out);
ARCHASE_API void archase_tz_free(archase_tz *tz);
/* The name the zone was loaded with (NULL for a NULL zone). */
ARCHASE_API const char *archase_tz_name(const archase_tz *tz);

/* A wall-clock time in a zone. */
typedef struct archase_local_time {
    archase_date date;
    int32_t      seconds_of_day; /* 0 .. 86399 */
    int32_t      utc_offset;     /* seconds east of UTC in effect */
    int32_t      is_dst;         /* 1 if daylight-saving time is in effect */
    char         abbreviation[8];/* "CET", "CEST", "+1030" ... */
} archase_local_time;

/* The local time of `instant` in `tz`. Returns 0, ARCHASE_EINVAL (NULL) or
 * ARCHASE_ERANGE (the local date is outside 0001-01-01..9999-12-31). */
ARCHASE_API int archase_tz_to_local(const archase_tz *tz, archase_instant instant,
                                    archase_local_time *out);

/* The instant of local `date` at `seconds_of_day` (0 .. 86399) in `tz`.
 * Local times that do not exist (the gap when clocks go forward) are moved
 * forward by the length of the gap: 02:30 on the day Berlin springs forward is
 * 03:30 CEST. Local times that occur twice (the overlap when clocks go back)
 * resolve to the first occurrence (the offset before the change): 02:30 on
 * the day Berlin falls back is 00:30 UTC (CEST), not 01:30 UTC (CET).
 * Returns 0, ARCHASE_EINVAL (NULL, seconds_of_day out of range) or
 * ARCHASE_ERANGE (date outside ARCHASE_DATE_MIN..ARCHASE_DATE_MAX). */
ARCHASE_API int archase_tz_from_local(const archase_tz *tz, archase_date date,
                                      int32_t seconds_of_day, archase_instant *out);

#ifdef __cplusplus
}
#endif
#endif
