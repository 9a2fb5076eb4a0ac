/* tests/test_tz.c — IANA time zones through the public API: real DST
 * transitions with their exact offsets and abbreviations (Europe/Berlin,
 * America/New_York, Australia/Lord_Howe's half hour), zones without DST,
 * the footer rule far past the last transition, gaps and overlaps, name
 * checks, TZif files that are corrupt or truncated, threads and allocation
 * failure. Zones come from the system tz database (Debian's tzdata); a test
 * whose zone is not installed is skipped. Synthetic TZif files are written
 * into a temporary tz directory. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archase/archase.h"
#include "support/failalloc.h"
#include "support/testutil.h"

#define SYSTEM_TZDIR "/usr/share/zoneinfo"

/* ---- helpers ------------------------------------------------------------ */

static int zone_installed(const char *name) {
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", SYSTEM_TZDIR, name);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Loads a system zone, skipping the test when tzdata lacks it. */
static archase_tz *system_zone(const char *name) {
    if (!zone_installed(name))
        skip();
    archase_tz *tz = NULL;
    int rc = archase_tz_load(name, NULL, &tz);
    if (rc != 0)
        fail_msg("%s: %s", name, archase_error_name(rc));
    return tz;
}

static archase_instant instant_of(const char *text) {
    archase_instant t;
    int rc = archase_instant_parse(text, &t);
    if (rc != 0)
        fail_msg("\"%s\": %s", text, archase_error_name(rc));
    return t;
}

static archase_date date_of(const char *text) {
    archase_date d;
    int rc = archase_date_parse(text, &d);
    if (rc != 0)
        fail_msg("\"%s\": %s", text, archase_error_name(rc));
    return d;
}

/* "HH:MM:SS" as seconds of the day. */
static int32_t clock_of(const char *text) {
    return (int32_t)(((text[0] - '0') * 10 + (text[1] - '0')) * 3600 +
                     ((text[3] - '0') * 10 + (text[4] - '0')) * 60 +
                     (text[6] - '0') * 10 + (text[7] - '0'));
}

/* `instant` in `tz` is local "DATE TIME" at `offset` seconds with
 * abbreviation `abbr` and DST flag `dst`. */
static void assert_local(const archase_tz *tz, const char *instant, const char *date,
                         const char *time, int32_t offset, const char *abbr, int dst) {
    archase_local_time lt;
    int rc = archase_tz_to_local(tz, instant_of(instant), &lt);
    if (rc != 0)
        fail_msg("%s at %s: %s", archase_tz_name(tz), instant, archase_error_name(rc));
    char got_date[ARCHASE_DATE_FORMAT_MAX];
    archase_date_format(lt.date, got_date, sizeof got_date);
    int32_t sod = lt.seconds_of_day;
    if (lt.date != date_of(date) || sod != clock_of(time) || lt.utc_offset != offset ||
        strcmp(lt.abbreviation, abbr) != 0 || lt.is_dst != dst)
        fail_msg("%s at %s: %s %02d:%02d:%02d %+d %s dst=%d, expected %s %s %+d %s dst=%d",
                 archase_tz_name(tz), instant, got_date, sod / 3600, sod / 60 % 60, sod % 60,
                 lt.utc_offset, lt.abbreviation, lt.is_dst, date, time, offset, abbr, dst);
}

/* Local "DATE TIME" in `tz` resolves to `instant`. */
static void assert_instant(const archase_tz *tz, const char *date, const char *time,
                           const char *instant) {
    archase_instant t;
    int rc = archase_tz_from_local(tz, date_of(date), clock_of(time), &t);
    if (rc != 0)
        fail_msg("%s %s in %s: %s", date, time, archase_tz_name(tz), archase_error_name(rc));
    if (t != instant_of(instant)) {
        char got[ARCHASE_INSTANT_FORMAT_MAX];
        archase_instant_format(t, got, sizeof got);
        fail_msg("%s %s in %s = %s, expected %s", date, time, archase_tz_name(tz), got, instant);
    }
}

/* A temporary tz directory for synthetic files. */
typedef struct tzdir {
    char path[64];
} tzdir;

static void tzdir_make(tzdir *d) {
    snprintf(d->path, sizeof d->path, "/tmp/archase-tz-XXXXXX");
    assert_non_null(mkdtemp(d->path));
}

static void tzdir_write(const tzdir *d, const char *name, const void *data, size_t size) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", d->path, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, size, f), size);
    assert_int_equal(fclose(f), 0);
}

static void tzdir_remove(tzdir *d) {
    DIR *dir = opendir(d->path);
    assert_non_null(dir);
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", d->path, e->d_name);
        unlink(path);
        rmdir(path);
    }
    closedir(dir);
    assert_int_equal(rmdir(d->path), 0);
}

static int load_from(const tzdir *d, const char *name, archase_tz **out) {
    archase_tz_options opts = ARCHASE_TZ_OPTIONS_INIT;
    opts.tzdir = d->path;
    return archase_tz_load(name, &opts, out);
}

/* ---- a TZif writer (RFC 8536) ------------------------------------------- */

typedef struct tt_spec {
    int32_t     offset;
    int         is_dst;
    const char *abbreviation;
} tt_spec;

typedef struct tzif_spec {
    char           version;    /* 0 (version 1) or '2', '3', '4' */
    const int64_t *times;
    const uint8_t *indices;
    uint32_t       timecnt;
    const tt_spec *types;
    uint32_t       typecnt;
    uint32_t       leapcnt;    /* leap-second records (zeros) */
    const char    *footer;     /* version 2+: the TZ string */
} tzif_spec;

typedef struct bytes {
    uint8_t data[8192];
    size_t  len;
} bytes;

static void put(bytes *b, const void *p, size_t n) {
    if (n == 0)
        return;
    assert_true(b->len + n <= sizeof b->data);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put32(bytes *b, uint32_t v) {
    uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    put(b, x, 4);
}

static void put64(bytes *b, uint64_t v) {
    put32(b, (uint32_t)(v >> 32));
    put32(b, (uint32_t)v);
}

/* The header and data block of `s` with `time_size`-byte times. */
static void put_block(bytes *b, const tzif_spec *s, size_t time_size) {
    char chars[256];
    uint8_t index[16];
    size_t charcnt = 0;
    for (uint32_t i = 0; i < s->typecnt; i++) {
        size_t n = strlen(s->types[i].abbreviation) + 1;
        index[i] = (uint8_t)charcnt;
        memcpy(chars + charcnt, s->types[i].abbreviation, n);
        charcnt += n;
    }
    put(b, "TZif", 4);
    put(b, &s->version, 1);
    put(b, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 15);
    put32(b, 0);           /* isutcnt */
    put32(b, 0);           /* isstdcnt */
    put32(b, s->leapcnt);
    put32(b, s->timecnt);
    put32(b, s->typecnt);
    put32(b, (uint32_t)charcnt);
    for (uint32_t i = 0; i < s->timecnt; i++) {
        if (time_size == 8)
            put64(b, (uint64_t)s->times[i]);
        else
            put32(b, (uint32_t)(int32_t)s->times[i]);
    }
    put(b, s->indices, s->timecnt);
    for (uint32_t i = 0; i < s->typecnt; i++) {
        uint8_t flags[2] = { (uint8_t)s->types[i].is_dst, index[i] };
        put32(b, (uint32_t)s->types[i].offset);
        put(b, flags, 2);
    }
    put(b, chars, charcnt);
    for (uint32_t i = 0; i < s->leapcnt; i++) {
        uint8_t zero[12] = { 0 };
        put(b, zero, time_size + 4);
    }
}

static void build_tzif(const tzif_spec *s, bytes *b) {
    b->len = 0;
    put_block(b, s, 4);
    if (s->version != 0) {
        put_block(b, s, 8);
        put(b, "\n", 1);
        put(b, s->footer, strlen(s->footer));
        put(b, "\n", 1);
    }
}

/* A zone with no transitions, defined by its footer rule alone. */
static void build_rule_zone(const char *footer, bytes *b) {
    static const tt_spec std = { 0, 0, "STD" };
    tzif_spec s = { '2', NULL, NULL, 0, &std, 1, 0, footer };
    build_tzif(&s, b);
}

static archase_tz *rule_zone(const tzdir *d, const char *name, const char *footer) {
    bytes b;
    build_rule_zone(footer, &b);
    tzdir_write(d, name, b.data, b.len);
    archase_tz *tz = NULL;
    int rc = load_from(d, name, &tz);
    if (rc != 0)
        fail_msg("\"%s\": %s", footer, archase_error_name(rc));
    return tz;
}

/* ---- real zones --------------------------------------------------------- */

static void berlin_springs_forward_and_falls_back_in_2026(void **state) {
    (void)state;
    archase_tz *tz = system_zone("Europe/Berlin");
    assert_string_equal(archase_tz_name(tz), "Europe/Berlin");
    assert_local(tz, "2026-01-15T12:00:00Z", "2026-01-15", "13:00:00", 3600, "CET", 0);
    assert_local(tz, "2026-03-29T00:59:59Z", "2026-03-29", "01:59:59", 3600, "CET", 0);
    assert_local(tz, "2026-03-29T01:00:00Z", "2026-03-29", "03:00:00", 7200, "CEST", 1);
    assert_local(tz, "2026-07-01T10:00:00Z", "2026-07-01", "12:00:00", 7200, "CEST", 1);
    assert_local(tz, "2026-10-25T00:59:59Z", "2026-10-25", "02:59:59", 7200, "CEST", 1);
    assert_local(tz, "2026-10-25T01:00:00Z", "2026-10-25", "02:00:00", 3600, "CET", 0);
    assert_local(tz, "2026-12-31T23:30:00Z", "2027-01-01", "00:30:00", 3600, "CET", 0);
    archase_tz_free(tz);
}

static void new_york_changes_at_two_in_the_morning(void **state) {
    (void)state;
    archase_tz *tz = system_zone("America/New_York");
    assert_local(tz, "2026-03-08T06:59:59Z", "2026-03-08", "01:59:59", -18000, "EST", 0);
    assert_local(tz, "2026-03-08T07:00:00Z", "2026-03-08", "03:00:00", -14400, "EDT", 1);
    assert_local(tz, "2026-11-01T05:59:59Z", "2026-11-01", "01:59:59", -14400, "EDT", 1);
    assert_local(tz, "2026-11-01T06:00:00Z", "2026-11-01", "01:00:00", -18000, "EST", 0);
    assert_local(tz, "2026-01-01T03:00:00Z", "2025-12-31", "22:00:00", -18000, "EST", 0);
    archase_tz_free(tz);
}

static void lord_howe_shifts_by_half_an_hour(void **state) {
    (void)state;
    archase_tz *tz = system_zone("Australia/Lord_Howe");
    /* April 5: 02:00 +11 back to 01:30 +10:30. */
    assert_local(tz, "2026-04-04T14:59:59Z", "2026-04-05", "01:59:59", 39600, "+11", 1);
    assert_local(tz, "2026-04-04T15:00:00Z", "2026-04-05", "01:30:00", 37800, "+1030", 0);
    /* October 4: 02:00 +10:30 forward to 02:30 +11. */
    assert_local(tz, "2026-10-03T15:29:59Z", "2026-10-04", "01:59:59", 37800, "+1030", 0);
    assert_local(tz, "2026-10-03T15:30:00Z", "2026-10-04", "02:30:00", 39600, "+11", 1);
    archase_tz_free(tz);
}

static void zones_without_dst_keep_one_offset(void **state) {
    (void)state;
    archase_tz *tz = system_zone("Asia/Kolkata");
    assert_local(tz, "2026-01-15T00:00:00Z", "2026-01-15", "05:30:00", 19800, "IST", 0);
    assert_local(tz, "2026-07-15T20:00:00Z", "2026-07-16", "01:30:00", 19800, "IST", 0);
    assert_local(tz, "2100-07-15T20:00:00Z", "2100-07-16", "01:30:00", 19800, "IST", 0);
    assert_instant(tz, "2026-03-29", "02:30:00", "2026-03-28T21:00:00Z");
    archase_tz_free(tz);

    tz = system_zone("UTC");
    assert_local(tz, "2026-03-29T01:00:00Z", "2026-03-29", "01:00:00", 0, "UTC", 0);
    assert_local(tz, "1969-12-31T23:59:59Z", "1969-12-31", "23:59:59", 0, "UTC", 0);
    assert_local(tz, "0001-01-01T00:00:00Z", "0001-01-01", "00:00:00", 0, "UTC", 0);
    assert_local(tz, "9999-12-31T23:59:59Z", "9999-12-31", "23:59:59", 0, "UTC", 0);
    assert_instant(tz, "2026-03-29", "02:30:00", "2026-03-29T02:30:00Z");
    archase_tz_free(tz);
}

static void instants_past_the_last_transition_follow_the_footer_rule(void **state) {
    (void)state;
    archase_tz *tz = system_zone("Europe/Berlin");
    assert_local(tz, "2100-01-15T12:00:00Z", "2100-01-15", "13:00:00", 3600, "CET", 0);
    assert_local(tz, "2100-03-28T00:59:59Z", "2100-03-28", "01:59:59", 3600, "CET", 0);
    assert_local(tz, "2100-03-28T01:00:00Z", "2100-03-28", "03:00:00", 7200, "CEST", 1);
    assert_local(tz, "2100-07-01T12:00:00Z", "2100-07-01", "14:00:00", 7200, "CEST", 1);
    assert_local(tz, "2100-10-31T00:59:59Z", "2100-10-31", "02:59:59", 7200, "CEST", 1);
    assert_local(tz, "2100-10-31T01:00:00Z", "2100-10-31", "02:00:00", 3600, "CET", 0);
    assert_local(tz, "9999-07-01T12:00:00Z", "9999-07-01", "14:00:00", 7200, "CEST", 1);
    assert_instant(tz, "2100-03-28", "02:30:00", "2100-03-28T01:30:00Z");
    archase_tz_free(tz);

    /* Nuuk switches at -01:00 local: 23:00 on the Saturday. */
    tz = system_zone("America/Nuuk");
    assert_local(tz, "2100-03-28T00:59:59Z", "2100-03-27", "22:59:59", -7200, "-02", 0);
    assert_local(tz, "2100-03-28T01:00:00Z", "2100-03-28", "00:00:00", -3600, "-01", 1);
    assert_local(tz, "2100-10-31T00:59:59Z", "2100-10-30", "23:59:59", -3600, "-01", 1);
    assert_local(tz, "2100-10-31T01:00:00Z", "2100-10-30", "23:00:00", -7200, "-02", 0);
    archase_tz_free(tz);
}

/* ---- local to instant --------------------------------------------------- */

static void local_times_in_a_gap_move_forward_by_the_gap(void **state) {
    (void)state;
    archase_tz *tz = system_zone("Europe/Berlin");
    /* 02:00..02:59 do not exist on 2026-03-29: 02:30 is 03:30 CEST. */
    assert_instant(tz, "2026-03-29", "02:30:00", "2026-03-29T01:30:00Z");
    assert_instant(tz, "2026-03-29", "02:00:00", "2026-03-29T01:00:00Z");
    assert_instant(tz, "2026-03-29", "01:59:59", "2026-03-29T00:59:59Z");
    assert_instant(tz, "2026-03-29", "03:00:00", "2026-03-29T01:00:00Z");
    archase_local_time lt;
    assert_int_equal(archase_tz_to_local(tz, instant_of("2026-03-29T01:30:00Z"), &lt), 0);
    assert_int_equal(lt.seconds_of_day, clock_of("03:30:00"));
    archase_tz_free(tz);

    tz = system_zone("America/New_York");
    assert_instant(tz, "2026-03-08", "02:30:00", "2026-03-08T07:30:00Z"); /* 03:30 EDT */
    archase_tz_free(tz);

    tz = system_zone("Australia/Lord_Howe");
    assert_instant(tz, "2026-10-04", "02:15:00", "2026-10-03T15:45:00Z"); /* 02:45 +11 */
    archase_tz_free(tz);
}

static void local_times_in_an_overlap_take_the_first_occurrence(void **state) {
    (void)state;
    archase_tz *tz = system_zone("Europe/Berlin");
    /* 02:00..02:59 happen twice on 2026-10-25: first in CEST. */
    assert_instant(tz, "2026-10-25", "02:30:00", "2026-10-25T00:30:00Z");
    assert_instant(tz, "2026-10-25", "02:00:00", "2026-10-25T00:00:00Z");
    assert_instant(tz, "2026-10-25", "03:00:00", "2026-10-25T02:00:00Z");
    assert_instant(tz, "2026-10-25", "01:59:59", "2026-10-24T23:59:59Z");
    archase_tz_free(tz);

    tz = system_zone("America/New_York");
    assert_instant(tz, "2026-11-01", "01:30:00", "2026-11-01T05:30:00Z"); /* EDT */
    archase_tz_free(tz);

    tz = system_zone("Australia/Lord_Howe");
    assert_instant(tz, "2026-04-05", "01:45:00", "2026-04-04T14:45:00Z"); /* +11 */
    archase_tz_free(tz);
}

static void a_wall_clock_time_that_exists_is_found_past_a_nearby_gap(void **state) {
    (void)state;
    tzdir d;
    tzdir_make(&d);
    /* UTC, then +10 h for one hour, then +1 h: 02:00 local is skipped by the
     * first change but shown again at 01:00 UTC under the second. */
    const int64_t times[] = { instant_of("2026-01-01T00:00:00Z"),
                              instant_of("2026-01-01T01:00:00Z") };
    static const uint8_t indices[] = { 1, 2 };
    static const tt_spec types[] = { { 0, 0, "AAA" }, { 36000, 0, "BBB" }, { 3600, 0, "CCC" } };
    tzif_spec s = { '2', times, indices, 2, types, 3, 0, "CCC-1" };
    bytes b;
    build_tzif(&s, &b);
    tzdir_write(&d, "Jumpy", b.data, b.len);
    archase_tz *tz = NULL;
    assert_int_equal(load_from(&d, "Jumpy", &tz), 0);
    assert_instant(tz, "2026-01-01", "02:00:00", "2026-01-01T01:00:00Z");
    /* Before the first change it is UTC; later it is CCC. */
    assert_instant(tz, "2025-12-31", "23:30:00", "2025-12-31T23:30:00Z");
    assert_instant(tz, "2026-01-01", "05:00:00", "2026-01-01T04:00:00Z");
    /* 00:30 exists under no offset: the gap after UTC moves it on to 00:30 UTC,
     * which BBB shows as 10:30. */
    assert_instant(tz, "2026-01-01", "00:30:00", "2026-01-01T00:30:00Z");
    archase_tz_free(tz);
    tzdir_remove(&d);
}

static void local_and_back_is_the_identity_outside_overlaps(void **state) {
    (void)state;
    static const char *const zones[] = { "Europe/Berlin", "America/New_York",
                                         "Australia/Lord_Howe", "America/Nuuk",
                                         "Asia/Kolkata", "Pacific/Chatham" };
    test_rng rng;
    test_rng_seed(&rng, 17);
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
        if (!zone_installed(zones[z]))
            continue;
        archase_tz *tz = system_zone(zones[z]);
        const int64_t from = instant_of("1900-01-01T00:00:00Z");
        const int64_t span = instant_of("2200-01-01T00:00:00Z") - from;
        for (int i = 0; i < 20000; i++) {
            archase_instant t = from + (int64_t)test_rng_below(&rng, (uint64_t)span), back;
            archase_local_time lt, again;
            assert_int_equal(archase_tz_to_local(tz, t, &lt), 0);
            assert_int_equal(archase_tz_from_local(tz, lt.date, lt.seconds_of_day, &back), 0);
            if (back == t)
                continue;
            /* Only a second occurrence maps back to an earlier instant
             * showing the same wall clock. */
            assert_int_equal(archase_tz_to_local(tz, back, &again), 0);
            if (!(back < t && again.date == lt.date && again.seconds_of_day == lt.seconds_of_day))
                fail_msg("%s: %lld -> %lld", zones[z], (long long)t, (long long)back);
        }
        archase_tz_free(tz);
    }
}

static void out_of_range_arguments_are_reported(void **state) {
    (void)state;
    archase_tz *tz = system_zone("Europe/Berlin");
    archase_local_time lt;
    archase_instant t = 42;
    assert_int_equal(archase_tz_to_local(tz, INT64_MAX, &lt), ARCHASE_ERANGE);
    assert_int_equal(archase_tz_to_local(tz, INT64_MIN, &lt), ARCHASE_ERANGE);
    /* 23:30 UTC on the last day is already year 10000 in Berlin. */
    assert_int_equal(archase_tz_to_local(tz, instant_of("9999-12-31T23:30:00Z"), &lt),
                     ARCHASE_ERANGE);
    assert_int_equal(archase_tz_to_local(NULL, 0, &lt), ARCHASE_EINVAL);
    assert_int_equal(archase_tz_to_local(tz, 0, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_tz_from_local(tz, 0, -1, &t), ARCHASE_EINVAL);
    assert_int_equal(archase_tz_from_local(tz, 0, 86400, &t), ARCHASE_EINVAL);
    assert_int_equal(archase_tz_from_local(tz, ARCHASE_DATE_NONE, 0, &t), ARCHASE_ERANGE);
    assert_int_equal(archase_tz_from_local(tz, ARCHASE_DATE_MAX + 1, 0, &t), ARCHASE_ERANGE);
    assert_int_equal(archase_tz_from_local(NULL, 0, 0, &t), ARCHASE_EINVAL);
    assert_int_equal(archase_tz_from_local(tz, 0, 0, NULL), ARCHASE_EINVAL);
    assert_true(t == 42);
    assert_null(archase_tz_name(NULL));
    archase_tz_free(NULL);
    archase_tz_free(tz);
}

/* ---- names and files ---------------------------------------------------- */

static void bad_names_are_refused_before_any_file_is_opened(void **state) {
    (void)state;
    static const char *const bad[] = {
        "../etc/passwd", "/etc/passwd", "", "Europe/../../etc/passwd", "Europe//Berlin",
        "Europe/", "Europe/Berlin ", "Europe/Berlin\n", "./UTC", "Europe\\Berlin", "UTC;",
        "Europe/Berlin.bak", "~root",
    };
    archase_tz *tz = (archase_tz *)(uintptr_t)1; /* must stay untouched */
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = archase_tz_load(bad[i], NULL, &tz);
        if (rc != ARCHASE_EINVAL)
            fail_msg("\"%s\": %s", bad[i], archase_error_name(rc));
    }
    char long_name[300];
    memset(long_name, 'A', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    assert_int_equal(archase_tz_load(long_name, NULL, &tz), ARCHASE_EINVAL);
    assert_int_equal(archase_tz_load(NULL, NULL, &tz), ARCHASE_EINVAL);
    assert_true(tz == (archase_tz *)(uintptr_t)1);
    assert_int_equal(archase_tz_load("UTC", NULL, NULL), ARCHASE_EINVAL);
}

static void unknown_zones_are_not_found(void **state) {
    (void)state;
    if (!zone_installed("Europe/Berlin"))
        skip();
    archase_tz *tz = NULL;
    assert_int_equal(archase_tz_load("Europe/Nowhere", NULL, &tz), ARCHASE_ENOTFOUND);
    assert_int_equal(archase_tz_load("Europe", NULL, &tz), ARCHASE_ENOTFOUND); /* a folder */
    assert_int_equal(archase_tz_load("Europe/Berlin/x", NULL, &tz), ARCHASE_ENOTFOUND);
    assert_null(tz);
}

static void options_choose_the_tz_directory(void **state) {
    (void)state;
    archase_tz_options opts;
    archase_tz *tz = NULL;
    assert_int_equal(archase_tz_options_init(&opts, ARCHASE_TZ_OPTIONS_VERSION), 0);
    assert_null(opts.tzdir);
    assert_null(opts.allocator);
    assert_int_equal(archase_tz_options_init(&opts, 7), ARCHASE_EVERSION);
    assert_int_equal(archase_tz_options_init(NULL, ARCHASE_TZ_OPTIONS_VERSION), ARCHASE_EINVAL);
    opts.tzdir = "";
    assert_int_equal(archase_tz_load("UTC", &opts, &tz), ARCHASE_EINVAL);
    opts.tzdir = "/nonexistent-tzdir";
    assert_int_equal(archase_tz_load("UTC", &opts, &tz), ARCHASE_ENOTFOUND);
    opts.version = 2;
    assert_int_equal(archase_tz_load("UTC", &opts, &tz), ARCHASE_EVERSION);
    assert_null(tz);

    /* A zone of one's own in a directory of one's own. */
    tzdir d;
    tzdir_make(&d);
    static const tt_spec types[] = { { 34200, 0, "ACST" } };
    tzif_spec s = { '2', NULL, NULL, 0, types, 1, 0, "ACST-9:30" };
    bytes b;
    build_tzif(&s, &b);
    tzdir_write(&d, "Darwinish", b.data, b.len);
    assert_int_equal(load_from(&d, "Darwinish", &tz), 0);
    assert_local(tz, "2026-06-01T00:00:00Z", "2026-06-01", "09:30:00", 34200, "ACST", 0);
    archase_tz_free(tz);
    tzdir_remove(&d);
}

static void every_zone_of_the_system_database_loads(void **state) {
    (void)state;
    FILE *tab = fopen(SYSTEM_TZDIR "/tzdata.zi", "r");
    if (!tab)
        skip();
    /* tzdata.zi names every zone ("Z Europe/Berlin ...") and link ("L target name"). */
    char line[512];
    size_t loaded = 0;
    while (fgets(line, sizeof line, tab)) {
        char name[256], target[256];
        if (sscanf(line, "Z %255s", name) != 1 && sscanf(line, "L %255s %255s", target, name) != 2)
            continue;
        if (!zone_installed(name))
            continue;
        archase_tz *tz = NULL;
        int rc = archase_tz_load(name, NULL, &tz);
        if (rc != 0)
            fail_msg("%s: %s", name, archase_error_name(rc));
        archase_local_time lt;
        assert_int_equal(archase_tz_to_local(tz, instant_of("2026-06-01T00:00:00Z"), &lt), 0);
        assert_int_equal(archase_tz_to_local(tz, instant_of("2100-06-01T00:00:00Z"), &lt), 0);
        archase_tz_free(tz);
        loaded++;
    }
    fclose(tab);
    assert_true(loaded > 300);
}

/* ---- corrupt files ------------------------------------------------------ */

static void truncated_files_are_parse_errors(void **state) {
    (void)state;
    if (!zone_installed("Europe/Berlin"))
        skip();
    FILE *f = fopen(SYSTEM_TZDIR "/Europe/Berlin", "rb");
    assert_non_null(f);
    static uint8_t berlin[65536];
    size_t size = fread(berlin, 1, sizeof berlin, f);
    fclose(f);
    assert_true(size > 100 && size < sizeof berlin);
    tzdir d;
    tzdir_make(&d);
    archase_tz *tz = NULL;
    /* Every proper prefix fails, and the whole file loads. */
    for (size_t n = 0; n < size; n++) {
        tzdir_write(&d, "Cut", berlin, n);
        int rc = load_from(&d, "Cut", &tz);
        if (rc != ARCHASE_EPARSE)
            fail_msg("%zu of %zu bytes: %s", n, size, archase_error_name(rc));
    }
    assert_null(tz);
    tzdir_write(&d, "Cut", berlin, size);
    assert_int_equal(load_from(&d, "Cut", &tz), 0);
    archase_tz_free(tz);
    /* Bytes after the footer are not a TZif file either. */
    berlin[size] = 'x';
    tzdir_write(&d, "Cut", berlin, size + 1);
    assert_int_equal(load_from(&d, "Cut", &tz), ARCHASE_EPARSE);
    tzdir_remove(&d);
}

static void random_corruption_never_crashes(void **state) {
    (void)state;
    if (!zone_installed("America/New_York"))
        skip();
    FILE *f = fopen(SYSTEM_TZDIR "/America/New_York", "rb");
    assert_non_null(f);
    static uint8_t original[65536], damaged[65536];
    size_t size = fread(original, 1, sizeof original, f);
    fclose(f);
    tzdir d;
    tzdir_make(&d);
    test_rng rng;
    test_rng_seed(&rng, 23);
    int refused = 0;
    for (int i = 0; i < 1500; i++) {
        memcpy(damaged, original, size);
        for (int k = 0; k < 1 + (int)test_rng_below(&rng, 4); k++)
            damaged[test_rng_below(&rng, size)] = (uint8_t)test_rng_next(&rng);
        tzdir_write(&d, "Damaged", damaged, size);
        archase_tz *tz = NULL;
        int rc = load_from(&d, "Damaged", &tz);
        if (rc == 0) {
            /* Whatever loaded is usable. */
            archase_local_time lt;
            archase_instant t;
            archase_tz_to_local(tz, test_rng_next(&rng) % 10000000000ull, &lt);
            archase_tz_from_local(tz, (archase_date)test_rng_below(&rng, 50000),
                                  (int32_t)test_rng_below(&rng, 86400), &t);
            archase_tz_free(tz);
        } else {
            assert_true(rc == ARCHASE_EPARSE || rc == ARCHASE_EUNSUPPORTED);
            refused++;
        }
    }
    assert_true(refused > 0);
    tzdir_remove(&d);
}

/* Writes `s` as zone "Bad" and expects `rc` from loading it. */
static void assert_tzif_refused(const tzdir *d, const tzif_spec *s, int expected, const char *why) {
    bytes b;
    build_tzif(s, &b);
    tzdir_write(d, "Bad", b.data, b.len);
    archase_tz *tz = NULL;
    int rc = load_from(d, "Bad", &tz);
    if (rc != expected)
        fail_msg("%s: %s, expected %s", why, archase_error_name(rc), archase_error_name(expected));
    archase_tz_free(tz);
}

static void malformed_tzif_fields_are_parse_errors(void **state) {
    (void)state;
    tzdir d;
    tzdir_make(&d);
    static const int64_t times[] = { 100, 200 };
    static const int64_t unsorted[] = { 200, 100 };
    static const uint8_t indices[] = { 1, 0 };
    static const uint8_t bad_indices[] = { 1, 2 };
    static const tt_spec types[] = { { 3600, 0, "CET" }, { 7200, 1, "CEST" } };
    static const tt_spec huge[] = { { 3600, 0, "CET" }, { 100000, 1, "CEST" } };
    static const tt_spec long_name[] = { { 3600, 0, "CET" }, { 7200, 1, "ABCDEFGH" } };
    static const tt_spec odd_name[] = { { 3600, 0, "CET" }, { 7200, 1, "C\"ST" } };
    static const tt_spec bad_dst[] = { { 3600, 0, "CET" }, { 7200, 2, "CEST" } };
    const char *rule = "CET-1CEST,M3.5.0,M10.5.0/3";

    tzif_spec good = { '2', times, indices, 2, types, 2, 0, rule };
    bytes b;
    build_tzif(&good, &b);
    tzdir_write(&d, "Good", b.data, b.len);
    archase_tz *tz = NULL;
    assert_int_equal(load_from(&d, "Good", &tz), 0);
    archase_tz_free(tz);
    tz = NULL;

    tzif_spec s = good;
    s.version = '9';
    assert_tzif_refused(&d, &s, ARCHASE_EPARSE, "unknown version");
    s = good;
    s.times = unsorted;
    assert_tzif_refused(&d, &s, ARCHASE_EPARSE, "transitions out of order");
    s = good;
    s.indices = bad_indices;
    assert_tzif_refused(&d, &s, ARCHASE_EPARSE, "type index past the types");
    s = good;
    s.types = huge;
    assert_tzif_refused(&d, &s, ARCHASE_EPARSE, "offset beyond 26 hours");
    s = good;
    s.types = long_name;
    assert_tzif_refused(&d, &s, ARCHASE_EPARSE, "designation longer than 7");
    s = good;
    s.types = odd_name;
    assert_tzif_refused(&d, &s, ARCHASE_EPARSE, "designation with a quote");
    s = good;
    s.types = bad_dst;
    assert_tzif_refused(&d, &s, ARCHASE_EPARSE, "DST flag 2");
    s = good;
    s.typecnt = 0;
    s.timecnt = 0;
    assert_tzif_refused(&d, &s, ARCHASE_EPARSE, "no types");
    s = good;
    s.footer = "CET-1CEST";
    assert_tzif_refused(&d, &s, ARCHASE_EPARSE, "DST without its rule");
    s = good;
    s.footer = "CET-1CEST,M13.5.0,M10.5.0";
    assert_tzif_refused(&d, &s, ARCHASE_EPARSE, "month 13");
    s = good;
    s.footer = "CET-1CEST,M3.5.0,M10.5.0/168";
    assert_tzif_refused(&d, &s, ARCHASE_EPARSE, "rule time past 167 hours");
    s = good;
    s.footer = "CET-25";
    assert_tzif_refused(&d, &s, ARCHASE_EPARSE, "offset past 24 hours");
    s = good;
    s.footer = "C-1";
    assert_tzif_refused(&d, &s, ARCHASE_EPARSE, "name shorter than 3");
    s = good;
    s.footer = "<+01-1";
    assert_tzif_refused(&d, &s, ARCHASE_EPARSE, "unclosed <");
    s = good;
    s.footer = "CET-1 ";
    assert_tzif_refused(&d, &s, ARCHASE_EPARSE, "trailing space");
    s = good;
    s.footer = "CET-1\nx";
    assert_tzif_refused(&d, &s, ARCHASE_EPARSE, "newline inside the footer");
    s = good;
    s.leapcnt = 1;
    assert_tzif_refused(&d, &s, ARCHASE_EUNSUPPORTED, "leap seconds");

    /* No newline before the footer. */
    build_tzif(&good, &b);
    size_t footer_at = b.len - strlen(rule) - 2;
    b.data[footer_at] = 'x';
    tzdir_write(&d, "Bad", b.data, b.len);
    assert_int_equal(load_from(&d, "Bad", &tz), ARCHASE_EPARSE);
    /* Not TZif at all. */
    tzdir_write(&d, "Bad", "hello, world\n", 13);
    assert_int_equal(load_from(&d, "Bad", &tz), ARCHASE_EPARSE);
    /* A huge count that would read past the end. */
    build_tzif(&good, &b);
    b.data[32] = 0x7f; /* timecnt of the first header */
    tzdir_write(&d, "Bad", b.data, b.len);
    assert_int_equal(load_from(&d, "Bad", &tz), ARCHASE_EPARSE);
    assert_null(tz);
    tzdir_remove(&d);
}

static void version_1_files_use_their_32_bit_data(void **state) {
    (void)state;
    tzdir d;
    tzdir_make(&d);
    static const int64_t times[] = { -2000000000, 1000000000 };
    static const uint8_t indices[] = { 1, 2 };
    static const tt_spec types[] = {
        { 1234, 0, "LMT" }, { 3600, 0, "AAA" }, { 7200, 1, "BBB" } };
    tzif_spec s = { 0, times, indices, 2, types, 3, 0, NULL };
    bytes b;
    build_tzif(&s, &b);
    tzdir_write(&d, "Old", b.data, b.len);
    archase_tz *tz = NULL;
    assert_int_equal(load_from(&d, "Old", &tz), 0);
    assert_local(tz, "1900-01-01T00:00:00Z", "1900-01-01", "00:20:34", 1234, "LMT", 0);
    assert_local(tz, "1970-01-01T00:00:00Z", "1970-01-01", "01:00:00", 3600, "AAA", 0);
    /* After the last transition, with no footer, its type stays. */
    assert_local(tz, "2100-01-01T00:00:00Z", "2100-01-01", "02:00:00", 7200, "BBB", 1);
    archase_tz_free(tz);
    tzdir_remove(&d);
}

/* ---- footer rules ------------------------------------------------------- */

static void footer_rules_cover_every_posix_form(void **state) {
    (void)state;
    tzdir d;
    tzdir_make(&d);
    /* US rules: second Sunday of March, first Sunday of November, 02:00. */
    archase_tz *tz = rule_zone(&d, "Us", "EST5EDT,M3.2.0,M11.1.0");
    assert_local(tz, "2026-03-08T06:59:59Z", "2026-03-08", "01:59:59", -18000, "EST", 0);
    assert_local(tz, "2026-03-08T07:00:00Z", "2026-03-08", "03:00:00", -14400, "EDT", 1);
    assert_local(tz, "2026-11-01T06:00:00Z", "2026-11-01", "01:00:00", -18000, "EST", 0);
    archase_tz_free(tz);

    /* Southern hemisphere with explicit offsets, minutes and a quoted name. */
    tz = rule_zone(&d, "Lh", "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0");
    assert_local(tz, "2026-04-04T14:59:59Z", "2026-04-05", "01:59:59", 39600, "+11", 1);
    assert_local(tz, "2026-04-04T15:00:00Z", "2026-04-05", "01:30:00", 37800, "+1030", 0);
    assert_local(tz, "2026-10-03T15:30:00Z", "2026-10-04", "02:30:00", 39600, "+11", 1);
    assert_local(tz, "2026-01-01T00:00:00Z", "2026-01-01", "11:00:00", 39600, "+11", 1);
    assert_local(tz, "2026-07-01T00:00:00Z", "2026-07-01", "10:30:00", 37800, "+1030", 0);
    archase_tz_free(tz);

    /* Jn never counts February 29: J60 is March 1 in every year. */
    tz = rule_zone(&d, "Julian", "AAA0BBB,J60/0,J300/0");
    assert_local(tz, "2024-03-01T00:00:00Z", "2024-03-01", "01:00:00", 3600, "BBB", 1);
    assert_local(tz, "2024-02-29T23:59:59Z", "2024-02-29", "23:59:59", 0, "AAA", 0);
    archase_tz_free(tz);
    /* n counts it: day 59 is February 29 in a leap year. */
    tz = rule_zone(&d, "Zero", "AAA0BBB,59/0,300/0");
    assert_local(tz, "2024-02-29T00:00:00Z", "2024-02-29", "01:00:00", 3600, "BBB", 1);
    assert_local(tz, "2025-03-01T00:00:00Z", "2025-03-01", "01:00:00", 3600, "BBB", 1);
    assert_local(tz, "2025-02-28T23:59:59Z", "2025-02-28", "23:59:59", 0, "AAA", 0);
    archase_tz_free(tz);

    /* Negative times: 23:00 the day before (Nuuk's rule). */
    tz = rule_zone(&d, "Neg", "<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
    assert_local(tz, "2026-03-29T00:59:59Z", "2026-03-28", "22:59:59", -7200, "-02", 0);
    assert_local(tz, "2026-03-29T01:00:00Z", "2026-03-29", "00:00:00", -3600, "-01", 1);
    archase_tz_free(tz);

    /* DST all year, written as a switch at the year's bounds. */
    tz = rule_zone(&d, "Always", "EST5EDT,0/0,J365/25");
    assert_local(tz, "2026-01-01T00:00:00Z", "2025-12-31", "20:00:00", -14400, "EDT", 1);
    assert_local(tz, "2026-01-01T04:30:00Z", "2026-01-01", "00:30:00", -14400, "EDT", 1);
    assert_local(tz, "2026-01-01T05:00:00Z", "2026-01-01", "01:00:00", -14400, "EDT", 1);
    assert_local(tz, "2026-07-01T00:00:00Z", "2026-06-30", "20:00:00", -14400, "EDT", 1);
    assert_instant(tz, "2026-01-01", "00:30:00", "2026-01-01T04:30:00Z");
    archase_tz_free(tz);

    /* No DST: a fixed offset with seconds. */
    tz = rule_zone(&d, "Fixed", "<+0530>-5:30:15");
    assert_local(tz, "2026-01-01T00:00:00Z", "2026-01-01", "05:30:15", 19815, "+0530", 0);
    archase_tz_free(tz);
    tzdir_remove(&d);
}

static void the_table_hands_over_to_the_footer_after_its_last_transition(void **state) {
    (void)state;
    tzdir d;
    tzdir_make(&d);
    /* A table that stops at the 2026 spring change; the rule takes over. */
    const int64_t times[] = { instant_of("2025-10-26T01:00:00Z"),
                              instant_of("2026-03-29T01:00:00Z") };
    static const uint8_t indices[] = { 0, 1 };
    static const tt_spec types[] = { { 3600, 0, "CET" }, { 7200, 1, "CEST" } };
    tzif_spec s = { '3', times, indices, 2, types, 2, 0, "CET-1CEST,M3.5.0,M10.5.0/3" };
    bytes b;
    build_tzif(&s, &b);
    tzdir_write(&d, "Cut2026", b.data, b.len);
    archase_tz *tz = NULL;
    assert_int_equal(load_from(&d, "Cut2026", &tz), 0);
    assert_local(tz, "2026-03-29T01:00:00Z", "2026-03-29", "03:00:00", 7200, "CEST", 1);
    assert_local(tz, "2026-10-25T00:59:59Z", "2026-10-25", "02:59:59", 7200, "CEST", 1);
    assert_local(tz, "2026-10-25T01:00:00Z", "2026-10-25", "02:00:00", 3600, "CET", 0);
    assert_instant(tz, "2026-10-25", "02:30:00", "2026-10-25T00:30:00Z");
    assert_instant(tz, "2027-03-28", "02:30:00", "2027-03-28T01:30:00Z");
    archase_tz_free(tz);
    tzdir_remove(&d);
}

/* ---- threads and memory ------------------------------------------------- */

#define THREAD_CASES 20000

typedef struct thread_job {
    const archase_tz *tz;
    const archase_instant *instants;
    const archase_local_time *expected;
    int mismatches;
} thread_job;

static void *convert_all(void *arg) {
    thread_job *job = arg;
    for (int i = 0; i < THREAD_CASES; i++) {
        archase_local_time lt;
        archase_instant back;
        if (archase_tz_to_local(job->tz, job->instants[i], &lt) != 0 ||
            memcmp(&lt, &job->expected[i], sizeof lt) != 0 ||
            archase_tz_from_local(job->tz, lt.date, lt.seconds_of_day, &back) != 0)
            job->mismatches++;
    }
    return NULL;
}

static void one_zone_serves_many_threads_at_once(void **state) {
    (void)state;
    archase_tz *tz = system_zone("Europe/Berlin");
    static archase_instant instants[THREAD_CASES];
    static archase_local_time expected[THREAD_CASES];
    test_rng rng;
    test_rng_seed(&rng, 31);
    for (int i = 0; i < THREAD_CASES; i++) {
        instants[i] = (archase_instant)test_rng_below(&rng, 5000000000ull);
        memset(&expected[i], 0, sizeof expected[i]);
        assert_int_equal(archase_tz_to_local(tz, instants[i], &expected[i]), 0);
    }
    pthread_t threads[4];
    thread_job jobs[4];
    for (int t = 0; t < 4; t++) {
        jobs[t] = (thread_job){ tz, instants, expected, 0 };
        assert_int_equal(pthread_create(&threads[t], NULL, convert_all, &jobs[t]), 0);
    }
    for (int t = 0; t < 4; t++) {
        assert_int_equal(pthread_join(threads[t], NULL), 0);
        assert_int_equal(jobs[t].mismatches, 0);
    }
    archase_tz_free(tz);
}

static int load_with(const archase_allocator *allocator, void *ctx) {
    (void)ctx;
    archase_tz_options opts = ARCHASE_TZ_OPTIONS_INIT;
    opts.allocator = allocator;
    archase_tz *tz = (archase_tz *)(uintptr_t)1;
    int rc = archase_tz_load("Europe/Berlin", &opts, &tz);
    if (rc) {
        assert_true(tz == (archase_tz *)(uintptr_t)1); /* untouched */
        return rc;
    }
    archase_local_time lt;
    rc = archase_tz_to_local(tz, instant_of("2026-03-29T01:00:00Z"), &lt);
    assert_string_equal(lt.abbreviation, "CEST");
    archase_tz_free(tz);
    return rc;
}

static void allocation_failures_leave_nothing_behind(void **state) {
    (void)state;
    if (!zone_installed("Europe/Berlin"))
        skip();
    assert_true(failalloc_loop(load_with, NULL, NULL) >= 2);
}


/* Every way a POSIX rule in a footer can be wrong, and the forms that are
 * right at their limits. */
static void footer_rules_at_their_limits(void **state) {
    (void)state;
    tzdir d;
    tzdir_make(&d);
    static const char *const refused[] = {
        "ABCDEFGH-1",                     /* a name of 8 letters */
        "<+01_30>-1",                     /* a quoted name with a character it may not hold */
        "CET-",                           /* no hours */
        "CET-1234",                       /* hours of 4 digits */
        "CET-1:",                         /* no minutes */
        "CET-1:60",                       /* minute 60 */
        "CET-1:00:",                      /* no seconds */
        "CET-1:00:60",                    /* second 60 */
        "CET-1CEST?,M3.5.0,M10.5.0",      /* an offset that is not one */
        "CET-1CEST,J0,J365",              /* Julian day 0 */
        "CET-1CEST,J366,J365",            /* Julian day 366 */
        "CET-1CEST,J,J365",               /* no Julian day */
        "CET-1CEST,M,M10.5.0",            /* no month */
        "CET-1CEST,M0.1.0,M10.5.0",       /* month 0 */
        "CET-1CEST,M3,M10.5.0",           /* no week */
        "CET-1CEST,M3.0.0,M10.5.0",       /* week 0 */
        "CET-1CEST,M3.6.0,M10.5.0",       /* week 6 */
        "CET-1CEST,M3.1,M10.5.0",         /* no weekday */
        "CET-1CEST,M3.1.7,M10.5.0",       /* weekday 7 */
        "CET-1CEST,M3.1.,M10.5.0",        /* an empty weekday */
        "CET-1CEST,366,0",                /* day 366 */
        "CET-1CEST,x,0",                  /* no day */
        "CET-1CEST,M3.5.0,M10.5.0x",      /* text after the rule */
        "CET-1CEST,M3.5.0/x,M10.5.0",     /* a rule time that is not one */
    };
    static const tt_spec std = { 0, 0, "STD" };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        tzif_spec s = { '2', NULL, NULL, 0, &std, 1, 0, refused[i] };
        assert_tzif_refused(&d, &s, ARCHASE_EPARSE, refused[i]);
    }
    /* An explicit '+', minutes and seconds: UTC-01:30:15 all year. */
    archase_tz *tz = rule_zone(&d, "Plus", "<-0130>+1:30:15");
    assert_local(tz, "2026-06-01T12:00:00Z", "2026-06-01", "10:29:45", -5415, "-0130", 0);
    archase_tz_free(tz);
    /* Julian days without Feb 29 (J60 is March 1 in every year) and zero-based days. */
    tz = rule_zone(&d, "Julian", "AAA-1BBB,J60,J300");
    assert_local(tz, "2024-03-01T00:59:59Z", "2024-03-01", "01:59:59", 3600, "AAA", 0);
    assert_local(tz, "2024-03-01T01:00:00Z", "2024-03-01", "03:00:00", 7200, "BBB", 1);
    assert_local(tz, "2025-03-01T01:00:00Z", "2025-03-01", "03:00:00", 7200, "BBB", 1);
    archase_tz_free(tz);
    tz = rule_zone(&d, "Zero", "AAA-1BBB,59,299");
    assert_local(tz, "2024-02-29T01:00:00Z", "2024-02-29", "03:00:00", 7200, "BBB", 1);
    archase_tz_free(tz);
    tzdir_remove(&d);
}

/* Patches a big-endian 32-bit count in a TZif header. */
static void patch32(bytes *b, size_t at, uint32_t v) {
    b->data[at] = (uint8_t)(v >> 24);
    b->data[at + 1] = (uint8_t)(v >> 16);
    b->data[at + 2] = (uint8_t)(v >> 8);
    b->data[at + 3] = (uint8_t)v;
}

static void tzif_headers_and_files_at_their_limits(void **state) {
    (void)state;
    tzdir d;
    tzdir_make(&d);
    static const tt_spec types[] = { { 3600, 0, "AAA" }, { 7200, 1, "BBB" } };
    static const int64_t times[] = { 1000 };
    static const uint8_t indices[] = { 1 };
    archase_tz *tz = NULL;
    bytes b;

    /* Versions 3 and 4 read as 2; an empty footer means no rule. */
    for (char v = '3'; v <= '4'; v++) {
        tzif_spec s = { v, times, indices, 1, types, 2, 0, "" };
        build_tzif(&s, &b);
        tzdir_write(&d, "V", b.data, b.len);
        assert_int_equal(load_from(&d, "V", &tz), 0);
        assert_local(tz, "2100-01-01T00:00:00Z", "2100-01-01", "02:00:00", 7200, "BBB", 1);
        archase_tz_free(tz);
        tz = NULL;
    }
    /* A version 1 file without transitions: its one type forever. */
    tzif_spec v1 = { 0, NULL, NULL, 0, types, 1, 0, NULL };
    build_tzif(&v1, &b);
    tzdir_write(&d, "One", b.data, b.len);
    assert_int_equal(load_from(&d, "One", &tz), 0);
    assert_local(tz, "2026-01-01T00:00:00Z", "2026-01-01", "01:00:00", 3600, "AAA", 0);
    /* The first and last instants whose local date is in 0001..9999. */
    archase_local_time lt;
    archase_instant first = (archase_instant)ARCHASE_DATE_MIN * 86400 - 3600;
    archase_instant last = (archase_instant)(ARCHASE_DATE_MAX + 1) * 86400 - 3600 - 1;
    assert_int_equal(archase_tz_to_local(tz, first, &lt), 0);
    assert_int_equal(lt.date, ARCHASE_DATE_MIN);
    assert_int_equal(archase_tz_to_local(tz, first - 1, &lt), ARCHASE_ERANGE);
    assert_int_equal(archase_tz_to_local(tz, last, &lt), 0);
    assert_int_equal(lt.date, ARCHASE_DATE_MAX);
    assert_int_equal(archase_tz_to_local(tz, last + 1, &lt), ARCHASE_ERANGE);
    archase_tz_free(tz);
    tz = NULL;
    /* Bytes after a version 1 file. */
    build_tzif(&v1, &b);
    b.data[b.len++] = 0;
    tzdir_write(&d, "Bad", b.data, b.len);
    assert_int_equal(load_from(&d, "Bad", &tz), ARCHASE_EPARSE);

    /* Standard/wall and UT/local indicators: one per type, or none. */
    tzif_spec two = { 0, times, indices, 1, types, 2, 0, NULL };
    for (size_t at = 20; at <= 24; at += 4) {
        for (uint32_t count = 1; count <= 2; count++) {
            build_tzif(&two, &b);
            patch32(&b, at, count);
            for (uint32_t k = 0; k < count; k++)
                b.data[b.len++] = 0;
            tzdir_write(&d, "Ind", b.data, b.len);
            int rc = load_from(&d, "Ind", &tz);
            assert_int_equal(rc, count == 2 ? 0 : ARCHASE_EPARSE);
            archase_tz_free(tz);
            tz = NULL;
        }
    }
    /* No designation characters at all, and a designation without its NUL. */
    build_tzif(&v1, &b);
    patch32(&b, 40, 0);
    b.len -= 4; /* "AAA\0" */
    tzdir_write(&d, "Bad", b.data, b.len);
    assert_int_equal(load_from(&d, "Bad", &tz), ARCHASE_EPARSE);
    build_tzif(&v1, &b);
    b.data[b.len - 1] = 'X';
    tzdir_write(&d, "Bad", b.data, b.len);
    assert_int_equal(load_from(&d, "Bad", &tz), ARCHASE_EPARSE);
    /* A version 2 file whose second header says version 1. */
    tzif_spec v2 = { '2', times, indices, 1, types, 2, 0, "AAA-1" };
    build_tzif(&v2, &b);
    size_t second = 44 + 1 * 4 + 1 + 2 * 6 + 8;
    assert_memory_equal(b.data + second, "TZif2", 5);
    b.data[second + 4] = 0;
    tzdir_write(&d, "Bad", b.data, b.len);
    assert_int_equal(load_from(&d, "Bad", &tz), ARCHASE_EPARSE);

    /* A file larger than any zone, and a path through a file. */
    char path[256];
    snprintf(path, sizeof path, "%s/Huge", d.path);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(ftruncate(fileno(f), (off_t)(1 << 20) + 1), 0);
    fclose(f);
    assert_int_equal(load_from(&d, "Huge", &tz), ARCHASE_EPARSE);
    assert_int_equal(load_from(&d, "Huge/Zone", &tz), ARCHASE_ENOTFOUND);
    assert_null(tz);

    /* Options: a bad allocator, a directory whose path is too long. */
    archase_tz_options o = ARCHASE_TZ_OPTIONS_INIT;
    archase_allocator bad = { 5, NULL, NULL, NULL, NULL };
    o.allocator = &bad;
    assert_int_equal(archase_tz_load("One", &o, &tz), ARCHASE_EVERSION);
    static char long_dir[4100];
    memset(long_dir, 'd', sizeof long_dir - 1);
    long_dir[0] = '/';
    o.allocator = NULL;
    o.tzdir = long_dir;
    assert_int_equal(archase_tz_load("One", &o, &tz), ARCHASE_EINVAL);
    assert_null(tz);
    tzdir_remove(&d);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(berlin_springs_forward_and_falls_back_in_2026),
    cmocka_unit_test(new_york_changes_at_two_in_the_morning),
    cmocka_unit_test(lord_howe_shifts_by_half_an_hour),
    cmocka_unit_test(zones_without_dst_keep_one_offset),
    cmocka_unit_test(instants_past_the_last_transition_follow_the_footer_rule),
    cmocka_unit_test(local_times_in_a_gap_move_forward_by_the_gap),
    cmocka_unit_test(local_times_in_an_overlap_take_the_first_occurrence),
    cmocka_unit_test(a_wall_clock_time_that_exists_is_found_past_a_nearby_gap),
    cmocka_unit_test(local_and_back_is_the_identity_outside_overlaps),
    cmocka_unit_test(out_of_range_arguments_are_reported),
    cmocka_unit_test(bad_names_are_refused_before_any_file_is_opened),
    cmocka_unit_test(unknown_zones_are_not_found),
    cmocka_unit_test(options_choose_the_tz_directory),
    cmocka_unit_test(every_zone_of_the_system_database_loads),
    cmocka_unit_test(truncated_files_are_parse_errors),
    cmocka_unit_test(random_corruption_never_crashes),
    cmocka_unit_test(malformed_tzif_fields_are_parse_errors),
    cmocka_unit_test(version_1_files_use_their_32_bit_data),
    cmocka_unit_test(footer_rules_cover_every_posix_form),
    cmocka_unit_test(the_table_hands_over_to_the_footer_after_its_last_transition),
    cmocka_unit_test(one_zone_serves_many_threads_at_once),
    cmocka_unit_test(allocation_failures_leave_nothing_behind),
    cmocka_unit_test(footer_rules_at_their_limits),
    cmocka_unit_test(tzif_headers_and_files_at_their_limits),
};

AR_TEST_MAIN(tests)
