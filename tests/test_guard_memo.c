/* tests/test_guard_memo.c — the contact guardrails give the same slot with
 * the memo evaluation keeps (calendar days let through, local days turned
 * into instants per zone) as without it: over a year of days, zones with
 * and without daylight saving (half an hour at Lord Howe), send windows
 * that open inside the quiet hours, touches that defer, and for each set of
 * guardrails one memo shared by all its zones and days, so that its slots
 * are reused and overwritten. */
#include <string.h>

#include "archase/archase.h"
#include "engine/guard.h"
#include "support/testutil.h"

static const char *const zone_names[] = {
    "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC",
};
#define ZONES (sizeof zone_names / sizeof zone_names[0])

static archase_date day(int32_t y, int32_t m, int32_t d) {
    archase_date out = 0;
    assert_int_equal(archase_date_from_ymd(y, m, d, &out), 0);
    return out;
}

static void slots_are_the_same_with_the_memo_as_without(void **state) {
    (void)state;
    archase_tz *tz[ZONES + 1] = { NULL }; /* the last: no zone */
    for (size_t z = 0; z < ZONES; z++)
        assert_int_equal(archase_tz_load(zone_names[z], NULL, &tz[z]), 0);
    ar_guardrails rails[3];
    memset(rails, 0, sizeof rails);
    /* Monday to Thursday 09:00-16:00, quiet 18:00-08:00. */
    rails[0] = (ar_guardrails){ .max_touches_per_7_days = 2, .min_days_between_touches = 3, .quiet_start = 18 * 60,
                                .quiet_end = 8 * 60, .window_start = 9 * 60, .window_end = 16 * 60,
                                .window_days = ARCHASE_WEEKDAY_BIT(1) | ARCHASE_WEEKDAY_BIT(2) |
                                               ARCHASE_WEEKDAY_BIT(3) | ARCHASE_WEEKDAY_BIT(4) };
    /* The window opens inside the quiet hours: the slot moves to their end. */
    rails[1] = rails[0];
    rails[1].quiet_start = 20 * 60, rails[1].quiet_end = 9 * 60 + 30, rails[1].one_step_per_day = 1;
    /* Weekends only, the window wholly in quiet hours: past the horizon. */
    rails[2] = rails[0];
    rails[2].window_days = ARCHASE_WEEKDAY_BIT(6) | ARCHASE_WEEKDAY_BIT(7);
    rails[2].quiet_start = 0, rails[2].quiet_end = 23 * 60 + 59;
    archase_date start = day(2026, 1, 1);
    int deferred = 0, moved_minute = 0, total = 0;
    for (size_t r = 0; r < 3; r++) {
        ar_guard_memo memo;
        memset(&memo, 0, sizeof memo);
        for (int32_t k = 0; k < 365; k += r == 2 ? 29 : 2) {
            archase_date from = start + k;
            ar_touch touches[3] = { { from - 1, ARCHASE_CHANNEL_EMAIL },
                                    { from, ARCHASE_CHANNEL_SMS },
                                    { from + 2, ARCHASE_CHANNEL_EMAIL } };
            for (size_t z = 0; z <= ZONES; z++) {
                for (size_t n = 0; n <= 3; n += 3) {
                    ar_slot plain, memoised;
                    memset(&plain, 0x5a, sizeof plain);
                    memset(&memoised, 0xa5, sizeof memoised);
                    ar_guard_slot(&rails[r], tz[z], from, ARCHASE_CHANNEL_EMAIL, touches, n, &plain);
                    ar_guard_slot_memo(&rails[r], tz[z], from, ARCHASE_CHANNEL_EMAIL, touches, n, &memo, &memoised);
                    assert_int_equal(memoised.date, plain.date);
                    assert_int_equal(memoised.seconds, plain.seconds);
                    assert_int_equal(memoised.at, plain.at);
                    assert_memory_equal(&memoised.reasons, &plain.reasons, sizeof plain.reasons);
                    total++;
                    deferred += plain.date != from;
                    moved_minute += plain.seconds != rails[r].window_start * 60;
                }
            }
        }
    }
    /* The cases were met: slots on their day and later, at the window's
     * start and not. */
    assert_true(deferred > 0 && deferred < total);
    assert_true(moved_minute > 0 && moved_minute < total);
    for (size_t z = 0; z < ZONES; z++)
        archase_tz_free(tz[z]);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(slots_are_the_same_with_the_memo_as_without),
};

AR_TEST_MAIN(tests)
