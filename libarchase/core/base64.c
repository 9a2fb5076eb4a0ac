/* libarchase/core/base64.c — base64 (RFC 4648 §4, with padding), strict. */
#include "core/base64.h"

#include <string.h>

#include "archase/errors.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int ar_base64_encode(const void *data, size_t size, char *out, size_t out_size) {
    const uint8_t *p = data;
    if (size > (SIZE_MAX / 4) * 3 - 2 || out_size < AR_BASE64_LENGTH(size) + 1)
        return ARCHASE_EBUFSIZE;
    size_t o = 0;
    for (size_t i = 0; i < size; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < size)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < size)
            v |= p[i + 2];
        out[o++] = alphabet[v >> 18 & 63];
        out[o++] = alphabet[v >> 12 & 63];
        out[o++] = i + 1 < size ? alphabet[v >> 6 & 63] : '=';
        out[o++] = i + 2 < size ? alphabet[v & 63] : '=';
    }
    out[o] = '\0';
    return 0;
}

static int value_of(char c) {
    const char *at = c ? strchr(alphabet, c) : NULL;
    return at ? (int)(at - alphabet) : -1;
}

int ar_base64_decode(const char *text, size_t len, uint8_t *out, size_t out_size, size_t *out_len) {
    if (!text || len % 4)
        return ARCHASE_EPARSE;
    size_t pad = 0;
    if (len && text[len - 1] == '=')
        pad = text[len - 2] == '=' ? 2 : 1;
    /* Every char but the padding is from the alphabet: '=' only at the end. */
    for (size_t i = 0; i < len - pad; i++) {
        if (value_of(text[i]) < 0)
            return ARCHASE_EPARSE;
    }
    /* Bits past the last byte are zero: one text per byte string. */
    if ((pad == 1 && (value_of(text[len - 2]) & 3)) || (pad == 2 && (value_of(text[len - 3]) & 15)))
        return ARCHASE_EPARSE;
    size_t n = len / 4 * 3 - pad;
    if (n > out_size)
        return ARCHASE_EBUFSIZE;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        uint32_t v = 0;
        for (size_t k = 0; k < 4; k++)
            v = v << 6 | (uint32_t)(i + k < len - pad ? value_of(text[i + k]) : 0);
        const uint8_t bytes[3] = { (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
        size_t take = n - o < 3 ? n - o : 3;
        memcpy(out + o, bytes, take);
        o += take;
    }
    *out_len = n;
    return 0;
}
