/* bench/bench_audit.c — the audit log's costs against the floor they stand
 * on: libcrypto SHA-256 over the same record bytes, measured in the same run.
 *
 *   append   encode a record + leaf hash + chain link + frontier update (in memory)
 *   verify   decode + check every record, its link and index, recompute the root
 *   proofs   root + inclusion (or consistency) proof + verification in a log of
 *            10M records, reading subtree hashes through a cache of the subtree
 *            roots the frontier reported (what a store keeps)
 *
 * usage: bench_audit [RECORDS [PROOF_LOG_SIZE [PROOFS]]]
 * Results go to docs/perf.md with the command and the machine. */
#include <inttypes.h>
#include <openssl/opensslv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "archase/archase.h"
#include "audit/chain.h"
#include "audit/merkle.h"
#include "core/canon.h"
#include "core/sha256.h"

#define H ARCHASE_HASH_SIZE

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, int rc) {
    fprintf(stderr, "bench_audit: %s: %s\n", what, archase_strerror(rc));
    exit(1);
}

static void print_machine(void) {
    char model[256] = "unknown CPU";
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        char line[512];
        while (fgets(line, sizeof line, f)) {
            if (!strncmp(line, "model name", 10)) {
                const char *colon = strchr(line, ':');
                if (colon) {
                    snprintf(model, sizeof model, "%s", colon + 2);
                    model[strcspn(model, "\n")] = '\0';
                }
                break;
            }
        }
        fclose(f);
    }
    printf("machine: %s, %ld cores, %s\n", model, sysconf(_SC_NPROCESSORS_ONLN), OPENSSL_VERSION_TEXT);
}

/* A payload of realistic size: the canonical record of an invoice fact. */
static size_t make_payload(uint64_t i, uint8_t *out, size_t cap) {
    ar_canon c;
    const uint8_t *bytes;
    size_t len;
    char id[32], customer[32], link[64];
    archase_money amount = { (int64_t)(100000 + i % 977 * 1013), "EUR" };
    snprintf(id, sizeof id, "INV-2026-%08" PRIu64, i);
    snprintf(customer, sizeof customer, "CUST-%06" PRIu64, i % 50000);
    snprintf(link, sizeof link, "erp://invoices/%" PRIu64 "/pdf", i);
    ar_canon_init(&c, NULL);
    ar_canon_begin_record(&c, 4);
    ar_canon_put_str(&c, 1, id);
    ar_canon_put_int(&c, 2, 1);
    ar_canon_put_str(&c, 3, customer);
    ar_canon_put_str(&c, 4, "2026-000123");
    ar_canon_put_date(&c, 5, 20454);
    ar_canon_put_date(&c, 6, 20484);
    ar_canon_put_money(&c, 7, &amount);
    ar_canon_put_money(&c, 8, &amount);
    ar_canon_put_str(&c, 9, "NET30");
    ar_canon_put_str(&c, 10, link);
    ar_canon_end_record(&c);
    int rc = ar_canon_finish(&c, &bytes, &len);
    if (rc || len > cap)
        die("payload", rc ? rc : ARCHASE_EBUFSIZE);
    memcpy(out, bytes, len);
    ar_canon_free(&c);
    return len;
}

/* ---- a store's subtree cache for the 10M-record log ------------------------ */

typedef struct subtree_cache {
    uint64_t size;
    unsigned keep_every; /* answer only levels that are multiples of this (1: all) */
    uint8_t *levels[AR_MERKLE_MAX_LEVELS]; /* levels >= 1, as the frontier reported them */
    size_t   leaf_reads, cache_reads;
} subtree_cache;

/* The log's leaf hashes are the hashes of its numbered records; reading one
 * costs a hash here, as a read of the stored column would cost a lookup. */
static int leaf_of(ar_sha256 *sha, uint64_t i, uint8_t out[H]) {
    uint8_t be[8];
    for (int k = 0; k < 8; k++)
        be[k] = (uint8_t)(i >> (56 - 8 * k));
    return ar_merkle_leaf_hash(sha, be, sizeof be, out);
}

static ar_sha256 leaf_sha;

static int cache_completed(void *userdata, uint64_t start, unsigned level, const uint8_t hash[32]) {
    subtree_cache *c = userdata;
    memcpy(c->levels[level] + (start >> level) * H, hash, H);
    return 0;
}

static int cache_subtree(void *userdata, uint64_t start, unsigned level, uint8_t out[32]) {
    subtree_cache *c = userdata;
    if (level == 0) {
        c->leaf_reads++;
        return leaf_of(&leaf_sha, start, out);
    }
    c->cache_reads++;
    if (level % c->keep_every)
        return ARCHASE_ENOTFOUND; /* computed from its halves */
    memcpy(out, c->levels[level] + (start >> level) * H, H);
    return 0;
}

static int compare_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng_below(uint64_t n) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (rng_state * 0x2545f4914f6cdd1dull) % n;
}

int main(int argc, char **argv) {
    uint64_t records = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    uint64_t log_size = argc > 2 ? strtoull(argv[2], NULL, 10) : 10000000;
    uint64_t proofs = argc > 3 ? strtoull(argv[3], NULL, 10) : 20000;
    ar_sha256 sha;
    int rc;
    if (records == 0 || log_size < 2 || proofs == 0) {
        fprintf(stderr, "usage: bench_audit [RECORDS [PROOF_LOG_SIZE [PROOFS]]]\n");
        return 2;
    }
    if ((rc = ar_sha256_init(&sha)) || (rc = ar_sha256_init(&leaf_sha)))
        die("sha256", rc);
    print_machine();

    /* Payloads are made by the caller in real use: prepared outside the clock. */
    enum { PAYLOAD_MAX = 256, RECORD_MAX = 512 };
    uint8_t *payloads = malloc(records * PAYLOAD_MAX);
    size_t *payload_size = malloc(records * sizeof *payload_size);
    uint8_t *arena = malloc(records * RECORD_MAX);
    ar_span *spans = malloc(records * sizeof *spans);
    if (!payloads || !payload_size || !arena || !spans)
        die("memory", ARCHASE_ENOMEM);
    for (uint64_t i = 0; i < records; i++)
        payload_size[i] = make_payload(i, payloads + i * PAYLOAD_MAX, PAYLOAD_MAX);
    /* Touch the arena first: page faults are not the audit log's cost. */
    memset(arena, 0, records * RECORD_MAX);
    memset(spans, 0, records * sizeof *spans);
    const ar_audit_text link = { "erp://invoices/batch-0001", 25 };

    /* append */
    ar_audit_chain chain;
    ar_canon enc;
    ar_canon_init(&enc, NULL);
    ar_audit_chain_init(&chain);
    size_t total_bytes = 0;
    double t0 = now_seconds();
    for (uint64_t i = 0; i < records; i++) {
        ar_audit_fields f;
        ar_audit_appended a;
        memset(&f, 0, sizeof f);
        f.kind = ARCHASE_AUDIT_FACT_ACCEPTED;
        f.instant = 1767225600 + (int64_t)(i / 100);
        f.actor.data = "erp-sync@acme.example";
        f.actor.len = 21;
        f.payload = payloads + i * PAYLOAD_MAX;
        f.payload_size = payload_size[i];
        f.links = &link;
        f.link_count = 1;
        if ((rc = ar_audit_chain_append(&chain, &sha, &enc, &f, NULL, &a)))
            die("append", rc);
        if (a.size > RECORD_MAX)
            die("record size", ARCHASE_EBUFSIZE);
        memcpy(arena + i * RECORD_MAX, a.bytes, a.size);
        spans[i].data = arena + i * RECORD_MAX;
        spans[i].size = a.size;
        total_bytes += a.size;
    }
    double t_append = now_seconds() - t0;
    ar_audit_expect expect;
    expect.size = records;
    if ((rc = ar_merkle_frontier_root(&chain.tree, &sha, expect.root)))
        die("root", rc);

    /* the floor: one SHA-256 of each record's bytes */
    uint8_t digest[H];
    t0 = now_seconds();
    for (uint64_t i = 0; i < records; i++) {
        if ((rc = ar_sha256_spans(&sha, &spans[i], 1, digest)))
            die("sha256", rc);
    }
    double t_floor = now_seconds() - t0;

    /* verify */
    ar_audit_report report;
    t0 = now_seconds();
    rc = ar_audit_verify_records(&sha, spans, records, &expect, 1, 1, &report);
    double t_verify = now_seconds() - t0;
    if (rc)
        die(report.message, rc);

    size_t payload_bytes = 0;
    for (uint64_t i = 0; i < records; i++)
        payload_bytes += payload_size[i];
    printf("records: %" PRIu64 ", %.0f bytes each on average (payload %.0f)\n", records,
           (double)total_bytes / (double)records, (double)payload_bytes / (double)records);
    printf("floor:  SHA-256 of each record     %6.2f M records/s  (%.0f MB/s)\n",
           records / t_floor / 1e6, total_bytes / t_floor / 1e6);
    printf("append: encode+hash+chain+frontier %6.2f M records/s  (%.1f x the floor's time)  target >= 1\n",
           records / t_append / 1e6, t_append / t_floor);
    printf("verify: decode+chain+hash+root     %6.2f M records/s  (%.1f x the floor's time)  target >= 2\n",
           records / t_verify / 1e6, t_verify / t_floor);
    ar_canon_free(&enc);
    free(payloads);
    free(payload_size);
    free(arena);
    free(spans);

    /* proofs in a log of log_size records */
    subtree_cache cache;
    memset(&cache, 0, sizeof cache);
    cache.size = log_size;
    cache.keep_every = 1;
    for (unsigned l = 1; l < AR_MERKLE_MAX_LEVELS && (log_size >> l); l++) {
        cache.levels[l] = malloc((log_size >> l) * H);
        if (!cache.levels[l])
            die("memory", ARCHASE_ENOMEM);
    }
    ar_merkle_frontier frontier;
    ar_merkle_sink sink = { &cache, cache_completed };
    ar_merkle_frontier_init(&frontier);
    t0 = now_seconds();
    for (uint64_t i = 0; i < log_size; i++) {
        uint8_t leaf[H];
        if ((rc = leaf_of(&sha, i, leaf)) || (rc = ar_merkle_frontier_append(&frontier, &sha, leaf, &sink)))
            die("build", rc);
    }
    double t_build = now_seconds() - t0;
    printf("proofs: log of %" PRIu64 " leaves built in %.1f s (%.2f M leaves/s, every subtree root cached)\n",
           log_size, t_build, log_size / t_build / 1e6);
    ar_merkle_reader reader = { &cache, cache_subtree, NULL };
    double *times = malloc(proofs * sizeof *times);
    if (!times)
        die("memory", ARCHASE_ENOMEM);
    for (int kind = 0; kind < 3; kind++) {
        /* the third pass: inclusion again with only every 4th level kept (a
         * store that keeps tiles of 16 leaves rather than every subtree) */
        cache.keep_every = kind == 2 ? 4 : 1;
        size_t reads = 0;
        for (uint64_t k = 0; k < proofs; k++) {
            uint64_t size = k % 4 == 0 ? log_size : 1 + rng_below(log_size);
            uint64_t index = rng_below(size), size1 = 1 + rng_below(size);
            ar_hash proof[AR_MERKLE_PROOF_MAX];
            uint8_t root[H], root1[H], leaf[H];
            size_t len;
            cache.leaf_reads = cache.cache_reads = 0;
            t0 = now_seconds();
            if (kind != 1) {
                if ((rc = ar_merkle_root_at(&sha, &reader, size, root)) ||
                    (rc = ar_merkle_prove_inclusion(&sha, &reader, index, size, proof, &len)) ||
                    (rc = cache_subtree(&cache, index, 0, leaf)) ||
                    (rc = ar_merkle_verify_inclusion(&sha, leaf, index, size, proof[0], len, root)))
                    die("inclusion", rc);
            } else {
                if ((rc = ar_merkle_root_at(&sha, &reader, size, root)) ||
                    (rc = ar_merkle_root_at(&sha, &reader, size1, root1)) ||
                    (rc = ar_merkle_prove_consistency(&sha, &reader, size1, size, proof, &len)) ||
                    (rc = ar_merkle_verify_consistency(&sha, size1, size, proof[0], len, root1, root)))
                    die("consistency", rc);
            }
            times[k] = now_seconds() - t0;
            reads += cache.leaf_reads + cache.cache_reads;
        }
        double sum = 0;
        for (uint64_t k = 0; k < proofs; k++)
            sum += times[k];
        qsort(times, proofs, sizeof *times, compare_double);
        printf("proofs: %-22s (root + proof + verify) mean %.1f us, p99 %.1f us, max %.1f us, "
               "%.0f subtree reads  target < 1000 us\n",
               kind == 0 ? "inclusion" : kind == 1 ? "consistency" : "inclusion, 1/4 levels",
               sum / proofs * 1e6,
               times[proofs * 99 / 100] * 1e6, times[proofs - 1] * 1e6, (double)reads / proofs);
    }
    free(times);
    for (unsigned l = 0; l < AR_MERKLE_MAX_LEVELS; l++)
        free(cache.levels[l]);
    ar_sha256_free(&sha);
    ar_sha256_free(&leaf_sha);
    return 0;
}
