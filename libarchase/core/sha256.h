/* libarchase/core/sha256.h — SHA-256 through libcrypto, with a reusable context. */
#ifndef AR_CORE_SHA256_H
#define AR_CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "archase/hash.h"

/* A reusable hashing context: fetches the digest once so hashing many small
 * records (the audit log, the Merkle tree) does not pay the lookup each time.
 * One per thread. */
typedef struct ar_sha256 {
    void *md;  /* EVP_MD * */
    void *ctx; /* EVP_MD_CTX * */
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

/* Lowercase hex of 32 bytes into 65 chars. */
void ar_hash_to_hex(const uint8_t hash[ARCHASE_HASH_SIZE], char hex[ARCHASE_HASH_HEX_SIZE]);

#endif
