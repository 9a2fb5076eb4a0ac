/* tests/fuzz/fuzz_tzif.c — libFuzzer target for the time-zone reader: any
 * bytes are a TZif zone or refused (ARCHASE_EPARSE / ARCHASE_EUNSUPPORTED),
 * never a crash or a read out of bounds. A zone that loads converts instants
 * chosen from the input both ways: to_local succeeds or says ERANGE, and
 * from_local of the wall clock it gives finds an instant that shows the same
 * wall clock (or, in a gap, a later one). The bytes are also tried as a POSIX
 * TZ string on their own. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archase/errors.h"
#include "core/tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int64_t instant_from(const uint8_t *data, size_t size, unsigned salt) {
    uint64_t v = 0x9e3779b97f4a7c15ull * (salt + 1);
    for (size_t i = 0; i < 8 && size; i++)
        v = (v << 8 | data[(i * 13 + salt * 7) % size]) ^ (v >> 56);
    /* Mostly 1900..2200, sometimes anywhere. */
    if (salt % 4 != 3)
        return (int64_t)(v % 9467280000ull) - 2208988800;
    return (int64_t)v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ar_tz_rule rule;
    if (ar_tz_rule_parse((const char *)data, size, &rule) == 0) {
        if (rule.std.utc_offset < -89999 || rule.std.utc_offset > 93599)
            abort();
    }
    archase_tz *tz = NULL;
    int rc = ar_tz_parse_tzif("Fuzz/Zone", data, size, NULL, &tz);
    if (rc == ARCHASE_EPARSE || rc == ARCHASE_EUNSUPPORTED) {
        if (tz)
            abort();
        return 0;
    }
    if (rc != 0)
        abort();
    if (strcmp(archase_tz_name(tz), "Fuzz/Zone") != 0)
        abort();
    for (unsigned salt = 0; salt < 16; salt++) {
        int64_t t = instant_from(data, size, salt);
        archase_local_time lt, again;
        rc = archase_tz_to_local(tz, t, &lt);
        if (rc == ARCHASE_ERANGE)
            continue;
        if (rc != 0 || lt.seconds_of_day < 0 || lt.seconds_of_day > 86399 ||
            lt.abbreviation[sizeof lt.abbreviation - 1] != '\0')
            abort();
        archase_instant back;
        rc = archase_tz_from_local(tz, lt.date, lt.seconds_of_day, &back);
        if (rc == ARCHASE_ERANGE)
            continue;
        if (rc != 0 || back > t)
            abort(); /* t itself shows this wall clock: the first occurrence is no later */
        if (archase_tz_to_local(tz, back, &again) == 0 &&
            (again.date != lt.date || again.seconds_of_day != lt.seconds_of_day))
            abort();
    }
    archase_tz_free(tz);
    return 0;
}
