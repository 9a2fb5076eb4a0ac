/* libarchase/core/sha256.c — SHA-256 through libcrypto, and hex encoding. */
#include "core/sha256.h"

#include <openssl/evp.h>
#include <string.h>

#include "archase/errors.h"

int ar_sha256_init(ar_sha256 *h) {
    h->md = EVP_MD_fetch(NULL, "SHA256", NULL);
    h->ctx = EVP_MD_CTX_new();
    if (!h->md || !h->ctx) {
        ar_sha256_free(h);
        return ARCHASE_ENOMEM;
    }
    return 0;
}

void ar_sha256_free(ar_sha256 *h) {
    EVP_MD_CTX_free(h->ctx);
    EVP_MD_free(h->md);
    h->ctx = NULL;
    h->md = NULL;
}

int ar_sha256_spans(ar_sha256 *h, const ar_span *spans, size_t n, uint8_t out[ARCHASE_HASH_SIZE]) {
    unsigned int len = 0;
    if (!EVP_DigestInit_ex2(h->ctx, h->md, NULL))
        return ARCHASE_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (spans[i].size && !EVP_DigestUpdate(h->ctx, spans[i].data, spans[i].size))
            return ARCHASE_ENOMEM;
    }
    if (!EVP_DigestFinal_ex(h->ctx, out, &len) || len != ARCHASE_HASH_SIZE)
        return ARCHASE_ENOMEM;
    return 0;
}

int ar_sha256_begin(ar_sha256 *h) {
    return EVP_DigestInit_ex2(h->ctx, h->md, NULL) ? 0 : ARCHASE_ENOMEM;
}

int ar_sha256_update(ar_sha256 *h, const void *data, size_t size) {
    return !size || EVP_DigestUpdate(h->ctx, data, size) ? 0 : ARCHASE_ENOMEM;
}

int ar_sha256_end(ar_sha256 *h, uint8_t out[ARCHASE_HASH_SIZE]) {
    unsigned int len = 0;
    return EVP_DigestFinal_ex(h->ctx, out, &len) && len == ARCHASE_HASH_SIZE ? 0 : ARCHASE_ENOMEM;
}

int archase_sha256(const void *data, size_t size, uint8_t out[ARCHASE_HASH_SIZE]) {
    if (!out || (!data && size))
        return ARCHASE_EINVAL;
    ar_sha256 h;
    int rc = ar_sha256_init(&h);
    if (rc)
        return rc;
    ar_span span = { data, size };
    rc = ar_sha256_spans(&h, &span, 1, out);
    ar_sha256_free(&h);
    return rc;
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
