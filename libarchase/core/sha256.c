/* libarchase/core/sha256.c — SHA-256 (FIPS 180-4), and hex encoding.
 *
 * Blocks are compressed by the processor's SHA extensions where it has them
 * (x86 SHA-NI, with SSSE3 and SSE4.1), chosen once at first use from CPUID,
 * and by portable C everywhere else. Both give the same digests; the tests
 * compare them. The hash is in the library rather than libcrypto's EVP calls
 * because most of what is hashed is small (an audit record of a few hundred
 * bytes, a Merkle node of 65, a decision of about 60 per update), where the
 * EVP layer's own work per call costs as much as the hashing. */
#include "core/sha256.h"

#include <stdatomic.h>
#include <string.h>

#include "archase/errors.h"

#if defined(__x86_64__) || defined(__i386__)
#define AR_SHA256_X86 1
#include <cpuid.h>
#include <immintrin.h>
#endif

static const uint32_t round_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const uint32_t initial_state[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

/* ---- portable C ------------------------------------------------------------------ */

static inline uint32_t rotr32(uint32_t x, unsigned n) {
    return x >> n | x << (32 - n);
}

static inline uint32_t load_be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Eight rounds per pass with the variables renamed instead of moved, and
 * the message schedule in a ring of sixteen words. */
#define AR_SHA_ROUND(a, b, c, d, e, f, g, h, i)                                                           \
    do {                                                                                                   \
        uint32_t t1_ = h + (rotr32(e, 6) ^ rotr32(e, 11) ^ rotr32(e, 25)) + (g ^ (e & (f ^ g))) +         \
                       round_constants[i] + w[(i) & 15];                                                   \
        d += t1_;                                                                                          \
        h = t1_ + (rotr32(a, 2) ^ rotr32(a, 13) ^ rotr32(a, 22)) + ((a & b) | (c & (a | b)));             \
    } while (0)

static void blocks_portable(uint32_t state[8], const uint8_t *data, size_t blocks) {
    for (; blocks; blocks--, data += 64) {
        uint32_t w[16];
        for (int i = 0; i < 16; i++)
            w[i] = load_be32(data + 4 * i);
        uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
        uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
#pragma GCC unroll 8
        for (int i = 0; i < 64; i += 8) {
            if (i >= 16) {
#pragma GCC unroll 8
                for (int j = i; j < i + 8; j++) {
                    uint32_t w15 = w[(j - 15) & 15], w2 = w[(j - 2) & 15];
                    w[j & 15] += (rotr32(w15, 7) ^ rotr32(w15, 18) ^ (w15 >> 3)) + w[(j - 7) & 15] +
                                 (rotr32(w2, 17) ^ rotr32(w2, 19) ^ (w2 >> 10));
                }
            }
            AR_SHA_ROUND(a, b, c, d, e, f, g, h, i);
            AR_SHA_ROUND(h, a, b, c, d, e, f, g, i + 1);
            AR_SHA_ROUND(g, h, a, b, c, d, e, f, i + 2);
            AR_SHA_ROUND(f, g, h, a, b, c, d, e, i + 3);
            AR_SHA_ROUND(e, f, g, h, a, b, c, d, i + 4);
            AR_SHA_ROUND(d, e, f, g, h, a, b, c, i + 5);
            AR_SHA_ROUND(c, d, e, f, g, h, a, b, i + 6);
            AR_SHA_ROUND(b, c, d, e, f, g, h, a, i + 7);
        }
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        state[5] += f;
        state[6] += g;
        state[7] += h;
    }
}

/* ---- x86 SHA extensions ------------------------------------------------------------ */

#ifdef AR_SHA256_X86
/* The state lives in two registers as SHA256RNDS2 wants it: ABEF and CDGH.
 * Each group of four rounds takes four message words plus their constants;
 * words 16..63 come from SHA256MSG1/MSG2 over the previous sixteen. */
__attribute__((target("sha,sse4.1,ssse3"))) static void blocks_sha_ni(uint32_t state[8], const uint8_t *data,
                                                                      size_t blocks) {
    const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i dcba = _mm_loadu_si128((const __m128i *)&state[0]);
    __m128i hgfe = _mm_loadu_si128((const __m128i *)&state[4]);
    __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
    __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
    for (; blocks; blocks--, data += 64) {
        __m128i abef_before = abef, cdgh_before = cdgh;
        __m128i w[4];
#pragma GCC unroll 16
        for (int g = 0; g < 16; g++) {
            __m128i words;
            if (g < 4) {
                words = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * g)), byte_swap);
            } else {
                __m128i w4 = w[g & 3], w3 = w[(g + 1) & 3], w2 = w[(g + 2) & 3], w1 = w[(g + 3) & 3];
                words = _mm_add_epi32(_mm_sha256msg1_epu32(w4, w3), _mm_alignr_epi8(w1, w2, 4));
                words = _mm_sha256msg2_epu32(words, w1);
            }
            w[g & 3] = words;
            __m128i k = _mm_add_epi32(words, _mm_loadu_si128((const __m128i *)&round_constants[4 * g]));
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, k);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(k, 0x0E));
        }
        abef = _mm_add_epi32(abef, abef_before);
        cdgh = _mm_add_epi32(cdgh, cdgh_before);
    }
    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(dchg, feba, 8));
}

/* SHA (leaf 7, EBX bit 29), SSSE3 (leaf 1, ECX bit 9) and SSE4.1 (ECX bit
 * 19), as this processor — or the emulator running the program — reports them. */
static int cpu_has_sha_ni(void) {
    unsigned eax, ebx, ecx, edx;
    if (__get_cpuid_max(0, NULL) < 7)
        return 0;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & 1u << 9) || !(ecx & 1u << 19))
        return 0;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
        return 0;
    return (ebx & 1u << 29) != 0;
}
#endif

/* ---- the choice, once ------------------------------------------------------------- */

typedef void (*blocks_fn)(uint32_t state[8], const uint8_t *data, size_t blocks);

/* NULL until first use. Two threads may both detect and store: they store
 * the same function. */
static _Atomic(blocks_fn) chosen_blocks;

static blocks_fn detected_blocks(void) {
#ifdef AR_SHA256_X86
    if (cpu_has_sha_ni())
        return blocks_sha_ni;
#endif
    return blocks_portable;
}

static blocks_fn current_blocks(void) {
    blocks_fn fn = atomic_load_explicit(&chosen_blocks, memory_order_relaxed);
    if (!fn) {
        fn = detected_blocks();
        atomic_store_explicit(&chosen_blocks, fn, memory_order_relaxed);
    }
    return fn;
}

void ar_sha256_force_portable(int portable) {
    atomic_store_explicit(&chosen_blocks, portable ? blocks_portable : detected_blocks(), memory_order_relaxed);
}

int ar_sha256_accelerated(void) {
    return current_blocks() != blocks_portable;
}

/* ---- contexts --------------------------------------------------------------------- */

int ar_sha256_init(ar_sha256 *h) {
    memset(h, 0, sizeof *h);
    return ar_sha256_begin(h);
}

void ar_sha256_free(ar_sha256 *h) {
    (void)h;
}

int ar_sha256_begin(ar_sha256 *h) {
    memcpy(h->state, initial_state, sizeof h->state);
    h->length = 0;
    h->buffered = 0;
    h->blocks = current_blocks();
    return 0;
}

int ar_sha256_update(ar_sha256 *h, const void *data, size_t size) {
    if (!size)
        return 0;
    const uint8_t *p = data;
    blocks_fn blocks = h->blocks;
    h->length += size;
    if (h->buffered) {
        size_t take = 64 - h->buffered;
        if (take > size)
            take = size;
        memcpy(h->buffer + h->buffered, p, take);
        h->buffered += take;
        p += take;
        size -= take;
        if (h->buffered < 64)
            return 0;
        blocks(h->state, h->buffer, 1);
        h->buffered = 0;
    }
    if (size >= 64) {
        blocks(h->state, p, size / 64);
        p += size & ~(size_t)63;
        size &= 63;
    }
    if (size) {
        memcpy(h->buffer, p, size);
        h->buffered = size;
    }
    return 0;
}

int ar_sha256_end(ar_sha256 *h, uint8_t out[ARCHASE_HASH_SIZE]) {
    uint64_t bits = h->length * 8;
    size_t n = h->buffered;
    h->buffer[n++] = 0x80;
    if (n > 56) {
        memset(h->buffer + n, 0, 64 - n);
        h->blocks(h->state, h->buffer, 1);
        n = 0;
    }
    memset(h->buffer + n, 0, 56 - n);
    for (int i = 0; i < 8; i++)
        h->buffer[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    h->blocks(h->state, h->buffer, 1);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(h->state[i] >> 24);
        out[4 * i + 1] = (uint8_t)(h->state[i] >> 16);
        out[4 * i + 2] = (uint8_t)(h->state[i] >> 8);
        out[4 * i + 3] = (uint8_t)h->state[i];
    }
    h->buffered = 0;
    return 0;
}

int ar_sha256_spans(ar_sha256 *h, const ar_span *spans, size_t n, uint8_t out[ARCHASE_HASH_SIZE]) {
    ar_sha256_begin(h);
    for (size_t i = 0; i < n; i++) {
        if (spans[i].size)
            ar_sha256_update(h, spans[i].data, spans[i].size);
    }
    return ar_sha256_end(h, out);
}

int archase_sha256(const void *data, size_t size, uint8_t out[ARCHASE_HASH_SIZE]) {
    if (!out || (!data && size))
        return ARCHASE_EINVAL;
    ar_sha256 h;
    ar_sha256_begin(&h);
    if (size)
        ar_sha256_update(&h, data, size);
    return ar_sha256_end(&h, out);
}

static const char hex_digits[] = "0123456789abcdef";

void ar_hash_to_hex(const uint8_t hash[ARCHASE_HASH_SIZE], char hex[ARCHASE_HASH_HEX_SIZE]) {
    for (size_t i = 0; i < ARCHASE_HASH_SIZE; i++) {
        hex[2 * i] = hex_digits[hash[i] >> 4];
        hex[2 * i + 1] = hex_digits[hash[i] & 15];
    }
    hex[2 * ARCHASE_HASH_SIZE] = '\0';
}

int archase_hex_encode(const void *data, size_t size, char *hex, size_t hex_size) {
    if (!hex || (!data && size))
        return ARCHASE_EINVAL;
    if (size > (SIZE_MAX - 1) / 2 || hex_size < 2 * size + 1)
        return ARCHASE_EBUFSIZE;
    const uint8_t *p = data;
    for (size_t i = 0; i < size; i++) {
        hex[2 * i] = hex_digits[p[i] >> 4];
        hex[2 * i + 1] = hex_digits[p[i] & 15];
    }
    hex[2 * size] = '\0';
    return 0;
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int archase_hex_decode(const char *hex, uint8_t *out, size_t out_size, size_t *out_len) {
    if (!hex || !out_len || (!out && out_size))
        return ARCHASE_EINVAL;
    size_t n = strlen(hex);
    if (n % 2)
        return ARCHASE_EPARSE;
    for (size_t i = 0; i < n; i++) {
        if (hex_value(hex[i]) < 0)
            return ARCHASE_EPARSE;
    }
    if (n / 2 > out_size)
        return ARCHASE_EBUFSIZE;
    for (size_t i = 0; i < n / 2; i++)
        out[i] = (uint8_t)(hex_value(hex[2 * i]) << 4 | hex_value(hex[2 * i + 1]));
    *out_len = n / 2;
    return 0;
}
