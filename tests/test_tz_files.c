/* tests/test_tz_files.c — time zones read from a tz directory of the
 * caller's: TZif files whose counts do not add up, files too large, names
 * through a file or past the length of a path, and a POSIX rule in Jn form,
 * which never counts February 29. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archase/archase.h"
#include "support/testutil.h"

typedef struct fixture {
    char dir[64];
} fixture;

static int setup(void **state) {
    fixture *f = test_calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/archase-tzfiles-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    *state = f;
    return 0;
}

static void remove_file(const fixture *f, const char *name) {
    char path[160];
    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    unlink(path);
}

static int teardown(void **state) {
    fixture *f = *state;
    static const char *const names[] = { "Ok", "NoTypes", "ManyTypes", "NoChars", "StdCount", "UtCount", "Big",
                                         "Zone", "Leap" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        remove_file(f, names[i]);
    rmdir(f->dir);
    test_free(f);
    return 0;
}

static void write_file(const fixture *f, const char *name, const void *data, size_t size) {
    char path[160];
    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, size, fp), size);
    fclose(fp);
}

static void put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* A TZif header and data block with these counts, no transitions, each
 * type UTC+0 named by the designation at 0; returns its length. */
static size_t tzif_block(uint8_t *out, char version, uint32_t isut, uint32_t isstd, uint32_t types,
                         const char *chars, uint32_t charcnt) {
    memset(out, 0, 44);
    memcpy(out, "TZif", 4);
    out[4] = (uint8_t)version;
    put32(out + 20, isut);
    put32(out + 24, isstd);
    put32(out + 28, 0);
    put32(out + 32, 0);
    put32(out + 36, types);
    put32(out + 40, charcnt);
    size_t n = 44;
    for (uint32_t i = 0; i < types; i++) {
        memset(out + n, 0, 6);
        n += 6;
    }
    memcpy(out + n, chars, charcnt);
    n += charcnt;
    memset(out + n, 0, isstd + isut);
    n += isstd + isut;
    return n;
}

static int load(const fixture *f, const char *name, archase_tz **tz) {
    archase_tz_options o = ARCHASE_TZ_OPTIONS_INIT;
    o.tzdir = f->dir;
    *tz = (archase_tz *)0x1;
    return archase_tz_load(name, &o, tz);
}

static void tzif_counts_that_do_not_add_up_are_refused(void **state) {
    fixture *f = *state;
    static uint8_t buf[4096];
    archase_tz *tz;
    write_file(f, "Ok", buf, tzif_block(buf, 0, 1, 1, 1, "UTC", 4));
    assert_int_equal(load(f, "Ok", &tz), 0);
    archase_local_time lt;
    assert_int_equal(archase_tz_to_local(tz, 1767225600, &lt), 0);
    assert_int_equal(lt.utc_offset, 0);
    assert_string_equal(lt.abbreviation, "UTC");
    archase_tz_free(tz);

    write_file(f, "NoTypes", buf, tzif_block(buf, 0, 0, 0, 0, "UTC", 4));
    assert_int_equal(load(f, "NoTypes", &tz), ARCHASE_EPARSE);
    write_file(f, "ManyTypes", buf, tzif_block(buf, 0, 0, 0, 257, "UTC", 4));
    assert_int_equal(load(f, "ManyTypes", &tz), ARCHASE_EPARSE);
    write_file(f, "NoChars", buf, tzif_block(buf, 0, 0, 0, 1, "", 0));
    assert_int_equal(load(f, "NoChars", &tz), ARCHASE_EPARSE);
    write_file(f, "StdCount", buf, tzif_block(buf, 0, 0, 2, 1, "UTC", 4));
    assert_int_equal(load(f, "StdCount", &tz), ARCHASE_EPARSE);
    write_file(f, "UtCount", buf, tzif_block(buf, 0, 2, 0, 1, "UTC", 4));
    assert_int_equal(load(f, "UtCount", &tz), ARCHASE_EPARSE);
    assert_ptr_equal(tz, (archase_tz *)0x1);
}

static void a_file_over_one_mebibyte_is_not_read(void **state) {
    fixture *f = *state;
    size_t size = 1024 * 1024 + 1;
    uint8_t *big = calloc(1, size);
    assert_non_null(big);
    tzif_block(big, 0, 0, 0, 1, "UTC", 4);
    write_file(f, "Big", big, size);
    free(big);
    archase_tz *tz;
    assert_int_equal(load(f, "Big", &tz), ARCHASE_EPARSE);
    assert_ptr_equal(tz, (archase_tz *)0x1);
}

static void names_through_a_file_or_past_a_path_are_not_found(void **state) {
    fixture *f = *state;
    static uint8_t buf[256];
    write_file(f, "Zone", buf, tzif_block(buf, 0, 0, 0, 1, "UTC", 4));
    archase_tz *tz;
    assert_int_equal(load(f, "Zone/Sub", &tz), ARCHASE_ENOTFOUND);
    /* A folder whose name is longer than a file name may be: not found. */
    char *dir = malloc(5000);
    assert_non_null(dir);
    memset(dir, 'd', 4999);
    memcpy(dir, "/tmp/", 5);
    dir[305] = '\0';
    archase_tz_options o = ARCHASE_TZ_OPTIONS_INIT;
    o.tzdir = dir;
    tz = (archase_tz *)0x1;
    assert_int_equal(archase_tz_load("UTC", &o, &tz), ARCHASE_ENOTFOUND);
    /* A whole path longer than 4096 bytes is refused before any file is opened. */
    dir[305] = 'd';
    dir[4999] = '\0';
    assert_int_equal(archase_tz_load("UTC", &o, &tz), ARCHASE_EINVAL);
    assert_ptr_equal(tz, (archase_tz *)0x1);
    free(dir);
}

static void a_julian_rule_day_never_counts_february_29(void **state) {
    fixture *f = *state;
    /* Version 2: the 32-bit block, the 64-bit block, then the rule "STD
     * all year, DST from day J60 (March 1) to J300, at 02:00". */
    static uint8_t buf[512];
    size_t n = tzif_block(buf, '2', 0, 0, 1, "STD", 4);
    n += tzif_block(buf + n, '2', 0, 0, 1, "STD", 4);
    const char *rule = "\nSTD0DST,J60/2,J300/2\n";
    memcpy(buf + n, rule, strlen(rule));
    n += strlen(rule);
    write_file(f, "Leap", buf, n);
    archase_tz *tz;
    assert_int_equal(load(f, "Leap", &tz), 0);
    archase_local_time lt;
    archase_date d;
    archase_instant t;
    /* 2028 is a leap year: February 29 is still winter, March 1 summer. */
    assert_int_equal(archase_date_parse("2028-02-29", &d), 0);
    t = (archase_instant)d * 86400 + 12 * 3600;
    assert_int_equal(archase_tz_to_local(tz, t, &lt), 0);
    assert_string_equal(lt.abbreviation, "STD");
    assert_int_equal(lt.is_dst, 0);
    assert_int_equal(archase_date_parse("2028-03-01", &d), 0);
    t = (archase_instant)d * 86400 + 12 * 3600;
    assert_int_equal(archase_tz_to_local(tz, t, &lt), 0);
    assert_string_equal(lt.abbreviation, "DST");
    assert_int_equal(lt.is_dst, 1);
    assert_int_equal(lt.utc_offset, 3600);
    /* And in 2027 the same day of the year, March 1, is the first of summer. */
    assert_int_equal(archase_date_parse("2027-02-28", &d), 0);
    assert_int_equal(archase_tz_to_local(tz, (archase_instant)d * 86400 + 12 * 3600, &lt), 0);
    assert_int_equal(lt.is_dst, 0);
    assert_int_equal(archase_date_parse("2027-03-01", &d), 0);
    assert_int_equal(archase_tz_to_local(tz, (archase_instant)d * 86400 + 12 * 3600, &lt), 0);
    assert_int_equal(lt.is_dst, 1);
    archase_tz_free(tz);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

static const struct CMUnitTest tests[] = {
    T(tzif_counts_that_do_not_add_up_are_refused),
    T(a_file_over_one_mebibyte_is_not_read),
    T(names_through_a_file_or_past_a_path_are_not_found),
    T(a_julian_rule_day_never_counts_february_29),
};

AR_TEST_MAIN(tests)
