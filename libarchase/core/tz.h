/* libarchase/core/tz.h — the TZif reader and the POSIX TZ rule parser, for
 * the time-zone tests and fuzz targets (the library loads zones through
 * archase_tz_load). */
#ifndef AR_CORE_TZ_H
#define AR_CORE_TZ_H

#include <stddef.h>
#include <stdint.h>

#include "archase/tz.h"

/* The most bytes a TZif file may have (real ones are a few KiB). */
#define AR_TZIF_MAX_SIZE (1u << 20)

/* One local time type: offset, DST flag, designation ("CEST"). */
typedef struct ar_tz_type {
    int32_t utc_offset; /* seconds east of UTC */
    int32_t is_dst;
    char    abbreviation[8];
} ar_tz_type;

/* When a POSIX rule switches: a day of the year and a local time of day. */
typedef struct ar_tz_rule_date {
    char    form;    /* 'J': Jn (1..365, February 29 never counted),
                        'D': n (0..365, February 29 counted), 'M': Mm.w.d */
    int     day;     /* J and D: n; M: weekday d (0 = Sunday .. 6) */
    int     week;    /* M: w (1..5, 5 = the last in the month) */
    int     month;   /* M: m (1..12) */
    int32_t time;    /* seconds after local midnight, -167 h .. 167 h */
} ar_tz_rule_date;

/* A POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3"): standard time, and
 * daylight-saving time from `start` (local standard time) to `end` (local
 * daylight-saving time) when has_dst. */
typedef struct ar_tz_rule {
    ar_tz_type      std;
    ar_tz_type      dst;
    int             has_dst;
    ar_tz_rule_date start;
    ar_tz_rule_date end;
} ar_tz_rule;

/* Parses `len` bytes of a POSIX TZ string as RFC 8536 §3.3 extends it (rule
 * times from -167 to 167 hours). A string with a daylight-saving name must
 * carry its rule. 0 or ARCHASE_EPARSE. */
int ar_tz_rule_parse(const char *text, size_t len, ar_tz_rule *out);

/* Builds a zone named `name` from the `size` bytes of a TZif file (versions
 * 1 to 4; the 64-bit block and the footer rule of version 2 and later).
 * Returns 0, ARCHASE_EINVAL, ARCHASE_EPARSE (malformed or truncated, checked
 * byte by byte), ARCHASE_EUNSUPPORTED (leap-second records: the right/ zones)
 * or ARCHASE_ENOMEM. */
int ar_tz_parse_tzif(const char *name, const uint8_t *data, size_t size,
                     const archase_allocator *allocator, archase_tz **out);

#endif
