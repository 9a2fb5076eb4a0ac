/* libarchase/core/sha256.h — SHA-256 with a reusable context. */
#ifndef AR_CORE_SHA256_H
#define AR_CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "archase/hash.h"

/* A hashing context: the running state of one hash, reused for the next
 * after ar_sha256_end or ar_sha256_spans. One per thread. It owns nothing:
 * init cannot fail and free does nothing (both stay for their callers). */
typedef struct ar_sha256 {
    uint32_t state[8];
    uint64_t length;   /* bytes hashed so far */
    uint8_t  buffer[64];
    size_t   buffered; /* bytes of buffer waiting for a whole block */
    void (*blocks)(uint32_t state[8], const uint8_t *data, size_t blocks);
} ar_sha256;

/* A piece of input: hashing several pieces equals hashing their concatenation. */
typedef struct ar_span {
    const void *data;
    size_t      size;
} ar_span;

int  ar_sha256_init(ar_sha256 *h);
void ar_sha256_free(ar_sha256 *h);
/* SHA-256 of the concatenation of `n` spans. 0 or ARCHASE_ENOMEM. */
int  ar_sha256_spans(ar_sha256 *h, const ar_span *spans, size_t n, uint8_t out[ARCHASE_HASH_SIZE]);
/* The same in steps, for input that comes in pieces: begin, update any
 * number of times, end. Each returns 0 or ARCHASE_ENOMEM. */
int  ar_sha256_begin(ar_sha256 *h);
int  ar_sha256_update(ar_sha256 *h, const void *data, size_t size);
int  ar_sha256_end(ar_sha256 *h, uint8_t out[ARCHASE_HASH_SIZE]);

/* Tests only: 1 makes every hash begun afterwards use the portable C
 * compression, 0 gives back the processor's choice. Not for concurrent use
 * with hashing in other threads that expect either. */
void ar_sha256_force_portable(int portable);
/* 1 when hashes begun now use the processor's SHA instructions. */
int  ar_sha256_accelerated(void);

/* Lowercase hex of 32 bytes into 65 chars. */
void ar_hash_to_hex(const uint8_t hash[ARCHASE_HASH_SIZE], char hex[ARCHASE_HASH_HEX_SIZE]);

#endif
