/* tests/support/failalloc.h — an allocator that fails the Nth allocation, and
 * the loop every test of an allocating API runs: for N = 1, 2, ... run the
 * scenario with allocation N failing until a run needs fewer than N
 * allocations, and check each time that nothing leaked, the failing call said
 * ARCHASE_ENOMEM (or succeeded without the memory it could do without), and
 * nothing it promised to leave alone changed. */
#ifndef ARCHASE_TEST_FAILALLOC_H
#define ARCHASE_TEST_FAILALLOC_H

#include <stddef.h>

#include "archase/common.h"

typedef struct failalloc {
    archase_allocator allocator; /* hand &f->allocator to the API under test */
    size_t fail_at;      /* 0 = never; N = the Nth allocation fails */
    int    persistent;   /* 1 = every allocation from the Nth on fails too */
    size_t calls;        /* allocations (malloc and realloc) attempted */
    size_t failures;     /* allocations refused */
    size_t live;         /* blocks not yet freed */
    size_t live_bytes;
    size_t peak_bytes;
} failalloc;

void failalloc_init(failalloc *f);
/* Starts counting again and fails allocation `n` (0 = none). */
void failalloc_arm(failalloc *f, size_t n, int persistent);

/* One run of the operation under test. It creates whatever it needs with
 * `allocator`, performs the operation, frees everything it created and
 * returns the operation's result. */
typedef int (*failalloc_scenario)(const archase_allocator *allocator, void *ctx);
/* Called after every run that saw an injected failure, with that run's
 * result: assert the state the failing call promised to leave unchanged. May
 * be NULL. */
typedef void (*failalloc_verify)(void *ctx, int rc);

/* Runs the loop described above (failures are persistent from N on, then the
 * same again failing only the Nth allocation; under valgrind, every N up to 16
 * and then every fourth). Fails the cmocka test on a
 * leak, on a result other than 0 or ARCHASE_ENOMEM under failure, or when
 * the final run without failures does not return 0.
 * Returns the number of allocations the successful run made. */
size_t failalloc_loop(failalloc_scenario run, failalloc_verify verify, void *ctx);

#endif
