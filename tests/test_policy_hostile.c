/* tests/test_policy_hostile.c — documents built to hurt a loader: each is
 * refused with a clear message in under 50 ms and under 16 MB of memory.
 * A megabyte of YAML takes libyaml alone tens of milliseconds on a slow or
 * busy machine, so the time limit is 50 ms or, where libyaml by itself needs
 * more than a third of that, 3 times what libyaml takes to read the same
 * bytes (the floor, measured in the same run).
 * Memory is the library's own (through a counting allocator) plus libyaml's,
 * measured as the growth of the process's peak resident size in a child. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "archase/archase.h"
#include "support/failalloc.h"
#include "support/testutil.h"

#define TIME_LIMIT_MS   50.0
#define FLOOR_FACTOR    3.0
#define MEMORY_LIMIT_KB (16 * 1024)

/* Timing and resident size mean nothing under sanitizers, valgrind or gcov. */
static int instrumented(void) {
#if defined(__SANITIZE_ADDRESS__) || defined(AR_TEST_COVERAGE)
    return 1;
#else
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
    return 1;
#endif
#endif
    const char *preload = getenv("LD_PRELOAD");
    return preload && strstr(preload, "valgrind") != NULL;
#endif
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

typedef struct attempt {
    int    rc;
    double ms;
    size_t peak_bytes; /* through the library's allocator */
    char   first[600];
} attempt;

static void load(const void *data, size_t size, const char *file, attempt *out) {
    failalloc fa;
    failalloc_init(&fa);
    archase_policy_options opts = ARCHASE_POLICY_OPTIONS_INIT;
    opts.allocator = &fa.allocator;
    archase_diag_list *diags = NULL;
    assert_int_equal(archase_diag_list_new(NULL, 0, &diags), 0);
    archase_policy *p = NULL;
    double start = now_ms();
    out->rc = file ? archase_policy_load_file(file, &opts, &p, diags)
                   : archase_policy_load_buffer(data, size, "hostile.yaml", &opts, &p, diags);
    out->ms = now_ms() - start;
    out->peak_bytes = fa.peak_bytes;
    out->first[0] = '\0';
    if (archase_diag_list_count(diags))
        archase_diag_format(archase_diag_list_get(diags, 0), out->first, sizeof out->first);
    archase_policy_free(p);
    archase_diag_list_free(diags);
    assert_int_equal(fa.live, 0);
}

/* Loads in a child process and returns how much its peak resident size grew. */
static long rss_growth_kb(const void *data, size_t size, const char *file) {
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        struct rusage before, after;
        getrusage(RUSAGE_SELF, &before);
        archase_policy *p = NULL;
        if (file)
            archase_policy_load_file(file, NULL, &p, NULL);
        else
            archase_policy_load_buffer(data, size, "hostile.yaml", NULL, &p, NULL);
        archase_policy_free(p);
        getrusage(RUSAGE_SELF, &after);
        long growth = after.ru_maxrss - before.ru_maxrss;
        ssize_t w = write(fds[1], &growth, sizeof growth);
        _exit(w == (ssize_t)sizeof growth ? 0 : 1);
    }
    close(fds[1]);
    long growth = -1;
    ssize_t r = read(fds[0], &growth, sizeof growth);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    assert_int_equal(r, (ssize_t)sizeof growth);
    return growth;
}

/* CPU milliseconds libyaml takes to read every event of the bytes, best of
 * three. */
static double yaml_floor_ms(const void *data, size_t size) {
    double best = 1e9;
    for (int run = 0; run < 3; run++) {
        yaml_parser_t parser;
        assert_true(yaml_parser_initialize(&parser));
        yaml_parser_set_input_string(&parser, data, size);
        double start = now_ms();
        for (;;) {
            yaml_event_t event;
            if (!yaml_parser_parse(&parser, &event))
                break;
            int type = event.type;
            yaml_event_delete(&event);
            if (type == YAML_STREAM_END_EVENT)
                break;
        }
        double ms = now_ms() - start;
        yaml_parser_delete(&parser);
        if (ms < best)
            best = ms;
    }
    return best;
}

static void expect_refused_within(const void *data, size_t size, const char *file, const char *message,
                                  double limit) {
    attempt a;
    load(data, size, file, &a);
    assert_int_equal(a.rc, ARCHASE_EPOLICY);
    if (!strstr(a.first, message))
        fail_msg("expected a message with \"%s\", got \"%s\"", message, a.first);
    assert_true(a.peak_bytes < (size_t)MEMORY_LIMIT_KB * 1024);
    if (instrumented())
        return;
    /* The fastest of three runs: the machine may be busy with other tests. */
    double best = a.ms;
    for (int i = 0; i < 2; i++) {
        load(data, size, file, &a);
        if (a.ms < best)
            best = a.ms;
    }
    if (best >= limit)
        fail_msg("took %.1f ms (limit %.1f ms)", best, limit);
    long kb = rss_growth_kb(data, size, file);
    if (kb >= MEMORY_LIMIT_KB)
        fail_msg("resident size grew by %ld KiB (limit %d KiB)", kb, MEMORY_LIMIT_KB);
}

static void expect_refused_quickly(const void *data, size_t size, const char *file, const char *message) {
    expect_refused_within(data, size, file, message, TIME_LIMIT_MS);
}

static void a_billion_laughs_is_refused_at_its_first_anchor(void **state) {
    (void)state;
    const char text[] =
        "version: 1\n"
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
        "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
        "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
        "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
        "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
        "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
    expect_refused_quickly(text, sizeof text - 1, NULL,
                           "hostile.yaml:2:4: a: anchors are not allowed (&a)");
}

static void nesting_a_hundred_thousand_deep_is_refused_at_the_limit(void **state) {
    (void)state;
    size_t n = 100000;
    char *text = malloc(2 * n + 16);
    assert_non_null(text);
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        text[len++] = '[';
    for (size_t i = 0; i < n; i++)
        text[len++] = ']';
    expect_refused_quickly(text, len, NULL, "nesting deeper than 64 levels");
    /* Block style too: a mapping in a mapping in a mapping ... */
    len = 0;
    for (size_t i = 0; i < 2000 && len + 2100 < 2 * n; i++) {
        memset(text + len, ' ', i);
        len += i;
        memcpy(text + len, "k:\n", 3);
        len += 3;
    }
    expect_refused_quickly(text, len, NULL, "nesting deeper than 64 levels");
    free(text);
}

static void a_fifty_megabyte_file_is_refused_without_reading_it(void **state) {
    (void)state;
    char path[] = "/tmp/archase-hostile-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    char block[65536];
    memset(block, '#', sizeof block);
    for (int i = 0; i < 50 * 16; i++)
        assert_int_equal(write(fd, block, sizeof block), (ssize_t)sizeof block);
    close(fd);
    expect_refused_quickly(NULL, 0, path, "larger than the limit of 1048576 bytes");
    unlink(path);
    /* The same bytes handed over as a buffer. */
    char *big = malloc((size_t)50 << 20);
    assert_non_null(big);
    memset(big, 'a', (size_t)50 << 20);
    expect_refused_quickly(big, (size_t)50 << 20, NULL, "the policy is 52428800 bytes; the limit is 1048576 bytes");
    free(big);
}

static void invalid_utf8_and_nul_bytes_are_refused(void **state) {
    (void)state;
    const char overlong[] = "version: 1\nname: \"\xc0\xaf\"\n";
    expect_refused_quickly(overlong, sizeof overlong - 1, NULL, "hostile.yaml:2:8: invalid UTF-8 (byte 0xc0)");
    const char surrogate[] = "version: 1\nname: \xed\xa0\x80\n";
    expect_refused_quickly(surrogate, sizeof surrogate - 1, NULL, "hostile.yaml:2:7: invalid UTF-8 (byte 0xed)");
    const char truncated[] = "version: 1\nname: \xe2\x82";
    expect_refused_quickly(truncated, sizeof truncated - 1, NULL, "hostile.yaml:2:7: invalid UTF-8 (byte 0xe2)");
    const char nul[] = "version: 1\n\0name: x\n";
    expect_refused_quickly(nul, sizeof nul - 1, NULL, "hostile.yaml:2:1: NUL byte in the policy text");
    /* A megabyte of NULs, as a corrupted file would be. */
    char *zeros = calloc(1, 1 << 20);
    assert_non_null(zeros);
    expect_refused_quickly(zeros, 1 << 20, NULL, "hostile.yaml:1:1: NUL byte in the policy text");
    free(zeros);
}

static void thousands_of_problems_stop_at_the_limit_quickly(void **state) {
    (void)state;
    size_t cap = 1 << 20;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t len = (size_t)snprintf(text, cap, "version: 1\n");
    for (int i = 0; len + 64 < cap - 64; i++)
        len += (size_t)snprintf(text + len, cap - len, "unknown_key_%d: 1\n", i);
    /* The loader has to read all of it: libyaml's own time on it is the floor. */
    double limit = TIME_LIMIT_MS, floor = yaml_floor_ms(text, len);
    if (floor * FLOOR_FACTOR > limit)
        limit = floor * FLOOR_FACTOR;
    expect_refused_within(text, len, NULL, "unknown key \"unknown_key_", limit);
    free(text);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(a_billion_laughs_is_refused_at_its_first_anchor),
    cmocka_unit_test(nesting_a_hundred_thousand_deep_is_refused_at_the_limit),
    cmocka_unit_test(a_fifty_megabyte_file_is_refused_without_reading_it),
    cmocka_unit_test(invalid_utf8_and_nul_bytes_are_refused),
    cmocka_unit_test(thousands_of_problems_stop_at_the_limit_quickly),
};

AR_TEST_MAIN(tests)
