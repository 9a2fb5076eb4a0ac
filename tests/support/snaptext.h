/* tests/support/snaptext.h — an evaluation snapshot (engine/snapshot.h)
 * written out in full, a line a record, with every string and reference by
 * its text, so that two snapshots of the same day can be compared. */
#ifndef ARCHASE_TEST_SNAPTEXT_H
#define ARCHASE_TEST_SNAPTEXT_H

#include <stddef.h>

#include "engine/snapshot.h"

/* Start as { NULL, 0, 0 }; the caller frees p with free(). */
typedef struct snap_text {
    char  *p;
    size_t n, cap;
} snap_text;

/* Writes `s` into `t` (replacing what it held), asserting on the way that
 * the snapshot's indexes agree with its records. */
void test_snap_dump(const archase_snapshot *s, snap_text *t);

/* Fails the test unless the two texts are the same, naming `day` and the
 * first line where they differ. */
void test_snap_assert_same(const snap_text *kept, const snap_text *fresh, archase_date day);

#endif
