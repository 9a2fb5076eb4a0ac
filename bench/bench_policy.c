/* bench/bench_policy.c — the policy language's costs:
 *   load: loading and validating a generated 1 MiB policy, against the floor
 *         of libyaml turning the same bytes into events and nothing else;
 *   eval: evaluating a compiled five-clause condition.
 * usage: bench_policy [SECONDS]   (per measurement; default 2)
 *        bench_policy --write FILE   (only writes the generated policy) */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yaml.h>

#include "archase/archase.h"
#include "policy/cond.h"
#include "policy/policy_internal.h"

#define POLICY_BYTES (1024 * 1024 - 4096)

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct text {
    char  *data;
    size_t len;
    size_t cap;
} text;

static void add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(text *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->data + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= t->cap - t->len) {
        fprintf(stderr, "bench_policy: generator overflow\n");
        exit(1);
    }
    t->len += (size_t)n;
}

/* A realistic policy grown to about 1 MiB: many segments, sequences of six
 * steps with conditions, and templates in two channels and three locales. */
static void generate(text *t) {
    t->cap = 2 * 1024 * 1024;
    t->data = malloc(t->cap);
    t->len = 0;
    if (!t->data)
        exit(1);
    add(t, "version: 1\nname: Generated large policy\ncurrency:\n  default: EUR\n  accepted: [EUR, USD, GBP]\n"
           "calendars:\n  default:\n    weekend: [sat, sun]\n    holidays: [2026-01-01, 2026-12-25]\n"
           "guardrails:\n  max_touches_per_7_days: 3\n  catch_up: latest_only\n"
           "approvals:\n  materiality: [10000 EUR, 11000 USD, 9000 GBP]\n  roles: [finance_lead, controller]\n");
    /* Each unit: a segment, a sequence and two templates (~2.2 KiB). */
    size_t units = 0;
    text seg = { malloc(1 << 20), 0, 1 << 20 }, seq = { malloc(1 << 20), 0, 1 << 20 },
         tpl = { malloc(1 << 20), 0, 1 << 20 };
    if (!seg.data || !seq.data || !tpl.data)
        exit(1);
    while (t->len + seg.len + seq.len + tpl.len < POLICY_BYTES - 4000) {
        size_t u = units++;
        add(&seg, "  - name: seg_%05zu\n    when: days_overdue > %zu and open_amount >= %zu EUR and tier in [gold, "
                  "platinum, t%zu] and not disputed\n    sequence: seq_%05zu\n",
            u, u % 90, 1000 + u, u, u);
        add(&seq, "  seq_%05zu:\n    steps:\n", u);
        static const int offsets[] = { -3, 5, 14, 30, 45, 60 };
        for (int s = 0; s < 6; s++) {
            if (s == 3)
                add(&seq, "      - offset: %d\n        action: queue_call\n        when: risk_score >= %zu\n",
                    offsets[s], u % 900);
            else
                add(&seq, "      - offset: %d\n        channel: email\n        template: %s_%05zu\n", offsets[s],
                    s % 2 ? "firm" : "kind", u);
        }
        static const char *const tones[] = { "kind", "firm" };
        for (int k = 0; k < 2; k++) {
            add(&tpl, "    %s_%05zu:\n      stage: s%05zu\n      tone: %s\n      email:\n", tones[k], u, u,
                k ? "firm" : "friendly");
            static const char *const locales[] = { "en", "de", "fr" };
            for (int l = 0; l < 3; l++)
                add(&tpl, "        %s:\n          subject: \"Invoice {{ invoice.number }} ({{ invoice.open_amount | money }})\"\n"
                          "          body: |\n            Dear {{ customer.name }}, invoice {{ invoice.number }} of "
                          "{{ invoice.issue_date | date }} is due on {{ invoice.due_date | date }}.\n"
                          "            {{ for invoice in invoices }}- {{ invoice.number }}: {{ invoice.open_amount }}\n"
                          "            {{ end }}Pay now: {{ links.pay_now }}\n",
                    locales[l]);
        }
    }
    add(t, "segments:\n%.*s  - name: rest\n    sequence: seq_00000\n", (int)seg.len, seg.data);
    add(t, "sequences:\n%.*s", (int)seq.len, seq.data);
    add(t, "templates:\n  default_locale: en\n  definitions:\n%.*s", (int)tpl.len, tpl.data);
    free(seg.data);
    free(seq.data);
    free(tpl.data);
    fprintf(stderr, "generated %zu segments, %zu steps, %zu templates: %zu bytes\n", units + 1, units * 6, units * 2,
            t->len);
}

static int events_only(const text *t) {
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)t->data, t->len);
    int events = 0, done = 0;
    while (!done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev))
            break;
        done = ev.type == YAML_STREAM_END_EVENT;
        events++;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    return events;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void bench_load(double seconds) {
    text t;
    generate(&t);
    enum { MAX_RUNS = 2000 };
    static double floor_ms[MAX_RUNS], load_ms[MAX_RUNS];
    int n = 0;
    double end = now_s() + seconds;
    int events = 0;
    while (n < MAX_RUNS && (now_s() < end || n < 5)) {
        double a = now_s();
        events = events_only(&t);
        double b = now_s();
        archase_policy *p = NULL;
        archase_diag_list *diags = NULL;
        archase_diag_list_new(NULL, 0, &diags);
        int rc = archase_policy_load_buffer(t.data, t.len, "generated.yaml", NULL, &p, diags);
        double c = now_s();
        if (rc) {
            char line[1024] = "";
            if (archase_diag_list_count(diags))
                archase_diag_format(archase_diag_list_get(diags, 0), line, sizeof line);
            fprintf(stderr, "bench_policy: the generated policy does not load: %s\n", line);
            exit(1);
        }
        archase_policy_free(p);
        archase_diag_list_free(diags);
        floor_ms[n] = (b - a) * 1e3;
        load_ms[n] = (c - b) * 1e3;
        n++;
    }
    qsort(floor_ms, (size_t)n, sizeof floor_ms[0], cmp_double);
    qsort(load_ms, (size_t)n, sizeof load_ms[0], cmp_double);
    printf("load 1 MiB policy (%zu bytes, %d YAML events), %d runs:\n", t.len, events, n);
    printf("  floor: libyaml events only     median %6.2f ms  min %6.2f ms  p95 %6.2f ms\n", floor_ms[n / 2],
           floor_ms[0], floor_ms[n * 95 / 100]);
    printf("  load + validate + hash         median %6.2f ms  min %6.2f ms  p95 %6.2f ms  (%.2f x the floor)\n",
           load_ms[n / 2], load_ms[0], load_ms[n * 95 / 100], load_ms[n / 2] / floor_ms[n / 2]);
    free(t.data);
}

static void bench_eval(double seconds) {
    ar_arena arena, scratch;
    ar_symtab symbols;
    ar_arena_init(&arena, NULL);
    ar_arena_init(&scratch, NULL);
    ar_symtab_init(&symbols, &arena);
    ar_cond_ctx ctx = { &arena, &scratch, &symbols, NULL, NULL, NULL, 0 };
    const char *src = "days_overdue > 30 and open_amount >= 10000 EUR and tier in [gold, platinum] "
                      "and not disputed and risk_score < 700";
    const ar_cond *c = NULL;
    ar_cond_error err;
    if (ar_cond_compile(&ctx, src, strlen(src), &c, &err)) {
        fprintf(stderr, "bench_policy: %s\n", err.message);
        exit(1);
    }
    enum { ENVS = 1024 };
    ar_cond_env *envs = calloc(ENVS, sizeof *envs);
    if (!envs)
        exit(1);
    ar_sym gold = ar_symtab_lookup(&symbols, "gold", 4);
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < ENVS; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        envs[i].value[AR_FIELD_DAYS_OVERDUE] = (int64_t)(x % 90);
        envs[i].value[AR_FIELD_OPEN_AMOUNT] = (int64_t)((x >> 8) % 3000000);
        envs[i].currency[AR_FIELD_OPEN_AMOUNT] = ar_currency_pack((x >> 40) & 1 ? "EUR" : "USD");
        envs[i].value[AR_FIELD_TIER] = (x >> 41) & 1 ? gold : AR_SYM_NONE;
        envs[i].value[AR_FIELD_DISPUTED] = (int64_t)((x >> 42) & 1);
        envs[i].value[AR_FIELD_RISK_SCORE] = (int64_t)((x >> 44) % 1000);
    }
    long long evals = 0, hits = 0;
    double start = now_s(), elapsed;
    do {
        for (int r = 0; r < 1000; r++)
            for (int i = 0; i < ENVS; i++)
                hits += ar_cond_eval(c, &envs[i]);
        evals += 1000LL * ENVS;
        elapsed = now_s() - start;
    } while (elapsed < seconds);
    /* The same condition, all five clauses true, so no test is skipped. */
    for (int i = 0; i < ENVS; i++) {
        envs[i].value[AR_FIELD_DAYS_OVERDUE] = 31 + i % 50;
        envs[i].value[AR_FIELD_OPEN_AMOUNT] = 2000000;
        envs[i].currency[AR_FIELD_OPEN_AMOUNT] = ar_currency_pack("EUR");
        envs[i].value[AR_FIELD_TIER] = gold;
        envs[i].value[AR_FIELD_DISPUTED] = 0;
        envs[i].value[AR_FIELD_RISK_SCORE] = 100;
    }
    long long evals_all = 0;
    double start_all = now_s(), elapsed_all;
    do {
        for (int r = 0; r < 1000; r++)
            for (int i = 0; i < ENVS; i++)
                hits += ar_cond_eval(c, &envs[i]);
        evals_all += 1000LL * ENVS;
        elapsed_all = now_s() - start_all;
    } while (elapsed_all < seconds);
    printf("evaluate \"%s\" (%u instructions), one core:\n", c->text, (unsigned)c->len);
    printf("  random facts (short-circuits)  %6.1f M evaluations/s  (%.1f ns each)\n", evals / elapsed / 1e6,
           elapsed / (double)evals * 1e9);
    printf("  every clause true (no skips)   %6.1f M evaluations/s  (%.1f ns each)  [%lld]\n",
           evals_all / elapsed_all / 1e6, elapsed_all / (double)evals_all * 1e9, hits & 1);
    free(envs);
    ar_arena_free(&arena);
    ar_arena_free(&scratch);
}

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "--write")) {
        /* The generated policy, for profiling or for `archase policy check`. */
        text t;
        generate(&t);
        FILE *f = fopen(argv[2], "wb");
        if (!f || fwrite(t.data, 1, t.len, f) != t.len || fclose(f)) {
            fprintf(stderr, "bench_policy: cannot write %s\n", argv[2]);
            return 1;
        }
        free(t.data);
        return 0;
    }
    double seconds = argc > 1 ? atof(argv[1]) : 2.0;
    if (seconds <= 0)
        seconds = 2.0;
    bench_load(seconds);
    bench_eval(seconds);
    return 0;
}
