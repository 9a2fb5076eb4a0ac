/* tests/support/failalloc.c — the failing allocator and its loop. */
#include "failalloc.h"
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "archase/errors.h"

/* Each block carries its size in front so live bytes can be tracked. */
typedef struct block_header {
    size_t size;
    size_t pad; /* keeps the payload 16-byte aligned */
} block_header;

static int should_fail(failalloc *f) {
    f->calls++;
    if (f->fail_at && (f->calls == f->fail_at || (f->persistent && f->calls > f->fail_at))) {
        f->failures++;
        return 1;
    }
    return 0;
}

static void *fa_malloc(void *userdata, size_t size) {
    failalloc *f = userdata;
    if (should_fail(f) || size > SIZE_MAX - sizeof(block_header))
        return NULL;
    block_header *h = malloc(sizeof *h + size);
    if (!h)
        return NULL;
    h->size = size;
    f->live++;
    f->live_bytes += size;
    if (f->live_bytes > f->peak_bytes)
        f->peak_bytes = f->live_bytes;
    return h + 1;
}

static void fa_free(void *userdata, void *ptr) {
    failalloc *f = userdata;
    if (!ptr)
        return;
    block_header *h = (block_header *)ptr - 1;
    f->live--;
    f->live_bytes -= h->size;
    free(h);
}

static void *fa_realloc(void *userdata, void *ptr, size_t size) {
    failalloc *f = userdata;
    if (!ptr)
        return fa_malloc(userdata, size);
    if (should_fail(f) || size > SIZE_MAX - sizeof(block_header))
        return NULL;
    block_header *old = (block_header *)ptr - 1;
    size_t old_size = old->size;
    block_header *h = realloc(old, sizeof *h + size);
    if (!h)
        return NULL;
    h->size = size;
    f->live_bytes = f->live_bytes - old_size + size;
    if (f->live_bytes > f->peak_bytes)
        f->peak_bytes = f->live_bytes;
    return h + 1;
}

void failalloc_init(failalloc *f) {
    memset(f, 0, sizeof *f);
    f->allocator.version = ARCHASE_ALLOCATOR_VERSION;
    f->allocator.userdata = f;
    f->allocator.malloc_fn = fa_malloc;
    f->allocator.realloc_fn = fa_realloc;
    f->allocator.free_fn = fa_free;
}

void failalloc_arm(failalloc *f, size_t n, int persistent) {
    f->fail_at = n;
    f->persistent = persistent;
    f->calls = 0;
    f->failures = 0;
}

static void run_pass(failalloc_scenario run, failalloc_verify verify, void *ctx, int persistent,
                     size_t *clean_calls) {
    failalloc f;
    failalloc_init(&f);
    /* Under valgrind, twenty to fifty times slower, every allocation site of
     * the first 16 and then every fourth: the plain and the sanitizer runs
     * (whose leak checker sees what valgrind's would) try every one. */
    size_t stride = test_under_valgrind() ? 4 : 1;
    for (size_t n = 1;; n += n < 16 ? 1 : stride) {
        failalloc_arm(&f, n, persistent);
        int rc = run(&f.allocator, ctx);
        if (f.live != 0)
            fail_msg("allocation %zu failing (%s): %zu block(s), %zu byte(s) leaked", n,
                     persistent ? "persistent" : "once", f.live, f.live_bytes);
        if (f.failures == 0) {
            if (rc != 0)
                fail_msg("run without injected failure returned %s (%d)", archase_error_name(rc), rc);
            *clean_calls = f.calls;
            return;
        }
        if (rc != 0 && rc != ARCHASE_ENOMEM)
            fail_msg("allocation %zu failing (%s): expected ARCHASE_ENOMEM or success, got %s", n,
                     persistent ? "persistent" : "once", archase_error_name(rc));
        if (verify)
            verify(ctx, rc);
        if (n > 10000000)
            fail_msg("scenario never completes");
    }
}

size_t failalloc_loop(failalloc_scenario run, failalloc_verify verify, void *ctx) {
    size_t calls_persistent = 0, calls_once = 0;
    run_pass(run, verify, ctx, 1, &calls_persistent);
    run_pass(run, verify, ctx, 0, &calls_once);
    return calls_persistent;
}
