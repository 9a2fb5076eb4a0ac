/* libarchase/audit/checkpoint.c — signed checkpoints: the canonical body,
 * Ed25519 signing and verification through libcrypto, the text form, and
 * keys from PEM. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "archase/audit.h"
#include "archase/errors.h"
#include "core/alloc.h"
#include "core/base64.h"
#include "core/canon.h"
#include "core/sha256.h"

/* The canonical record kind of a checkpoint body ("CP"). */
#define CHECKPOINT_KIND 0x4350

#define PEM_FILE_MAX 16384

struct archase_signing_key {
    const archase_allocator *allocator;
    EVP_PKEY                *pkey;
    uint8_t                  public_key[ARCHASE_ED25519_PUBLIC_KEY_SIZE];
};

/* ---- the body ------------------------------------------------------------ */

static int log_id_ok(const char *log_id) {
    size_t n = strnlen(log_id, ARCHASE_LOG_ID_MAX + 1);
    if (n == 0 || n > ARCHASE_LOG_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (log_id[i] < 0x21 || log_id[i] > 0x7e)
            return 0;
    }
    return 1;
}

static int checkpoint_ok(const archase_checkpoint *cp) {
    if (!cp)
        return ARCHASE_EINVAL;
    if (cp->version != ARCHASE_CHECKPOINT_VERSION)
        return ARCHASE_EVERSION;
    if (!log_id_ok(cp->log_id) || cp->size > (uint64_t)INT64_MAX)
        return ARCHASE_EINVAL;
    return 0;
}

static uint8_t *put_u16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
    return p + 2;
}

static uint8_t *put_u64(uint8_t *p, uint64_t v) {
    for (int i = 7; i >= 0; i--)
        *p++ = (uint8_t)(v >> (8 * i));
    return p;
}

/* The canonical encoding of RECORD CP {1: STRING log id, 2: INT size,
 * 3: HASH root, 4: INSTANT time}, written byte by byte (docs/audit-format.md;
 * the tests check it against the canonical writer). */
static size_t body_bytes(const archase_checkpoint *cp, uint8_t out[ARCHASE_CHECKPOINT_BODY_MAX]) {
    size_t id_len = strlen(cp->log_id);
    uint8_t *p = out;
    *p++ = AR_CANON_RECORD;
    p = put_u16(p, CHECKPOINT_KIND);
    p = put_u16(p, 4);
    p = put_u16(p, 1);
    *p++ = AR_CANON_STRING;
    for (int i = 3; i >= 0; i--)
        *p++ = (uint8_t)(id_len >> (8 * i));
    memcpy(p, cp->log_id, id_len);
    p += id_len;
    p = put_u16(p, 2);
    *p++ = AR_CANON_INT;
    p = put_u64(p, cp->size);
    p = put_u16(p, 3);
    *p++ = AR_CANON_HASH;
    memcpy(p, cp->root, ARCHASE_HASH_SIZE);
    p += ARCHASE_HASH_SIZE;
    p = put_u16(p, 4);
    *p++ = AR_CANON_INSTANT;
    p = put_u64(p, (uint64_t)cp->time);
    return (size_t)(p - out);
}

int archase_checkpoint_init(archase_checkpoint *cp, const char *log_id, uint64_t size,
                            const uint8_t root[ARCHASE_HASH_SIZE], archase_instant time) {
    archase_checkpoint made;
    if (!cp || !log_id || !root || !log_id_ok(log_id) || size > (uint64_t)INT64_MAX)
        return ARCHASE_EINVAL;
    memset(&made, 0, sizeof made);
    made.version = ARCHASE_CHECKPOINT_VERSION;
    memcpy(made.log_id, log_id, strlen(log_id));
    made.size = size;
    memcpy(made.root, root, ARCHASE_HASH_SIZE);
    made.time = time;
    *cp = made;
    return 0;
}

int archase_checkpoint_body(const archase_checkpoint *cp, uint8_t *buf, size_t buf_size,
                            size_t *len) {
    uint8_t body[ARCHASE_CHECKPOINT_BODY_MAX];
    if (!buf || !len)
        return ARCHASE_EINVAL;
    int rc = checkpoint_ok(cp);
    if (rc)
        return rc;
    size_t n = body_bytes(cp, body);
    if (n > buf_size)
        return ARCHASE_EBUFSIZE;
    memcpy(buf, body, n);
    *len = n;
    return 0;
}

/* ---- Ed25519 through libcrypto ------------------------------------------- */

/* The first 8 bytes of SHA-256 of the raw public key. */
static int key_id_of(const uint8_t public_key[ARCHASE_ED25519_PUBLIC_KEY_SIZE],
                     uint8_t out[ARCHASE_CHECKPOINT_KEY_ID_SIZE]) {
    uint8_t digest[ARCHASE_HASH_SIZE];
    int rc = archase_sha256(public_key, ARCHASE_ED25519_PUBLIC_KEY_SIZE, digest);
    if (!rc)
        memcpy(out, digest, ARCHASE_CHECKPOINT_KEY_ID_SIZE);
    return rc;
}

/* 0 when `signature` is the Ed25519 signature of `message` by `public_key`,
 * ARCHASE_EVERIFY when not, ARCHASE_ENOMEM when libcrypto cannot allocate. */
static int ed25519_verify(const uint8_t public_key[ARCHASE_ED25519_PUBLIC_KEY_SIZE],
                          const uint8_t *message, size_t size,
                          const uint8_t signature[ARCHASE_ED25519_SIGNATURE_SIZE]) {
    int rc = ARCHASE_EVERIFY;
    EVP_MD_CTX *ctx = NULL;
    EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, public_key,
                                                 ARCHASE_ED25519_PUBLIC_KEY_SIZE);
    if (!pkey)
        goto done; /* not a usable key: nothing verifies with it */
    ctx = EVP_MD_CTX_new();
    if (!ctx) {
        rc = ARCHASE_ENOMEM;
        goto done;
    }
    if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) != 1)
        goto done;
    if (EVP_DigestVerify(ctx, signature, ARCHASE_ED25519_SIGNATURE_SIZE, message, size) == 1)
        rc = 0;
done:
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    ERR_clear_error();
    return rc;
}

int archase_checkpoint_sign(archase_checkpoint *cp, const archase_signer *signer) {
    uint8_t body[ARCHASE_CHECKPOINT_BODY_MAX];
    uint8_t public_key[ARCHASE_ED25519_PUBLIC_KEY_SIZE];
    uint8_t signature[ARCHASE_ED25519_SIGNATURE_SIZE];
    uint8_t key_id[ARCHASE_CHECKPOINT_KEY_ID_SIZE];
    archase_signer s;
    if (!signer)
        return ARCHASE_EINVAL;
    int rc = checkpoint_ok(cp);
    if (rc)
        return rc;
    if (signer->version != ARCHASE_SIGNER_VERSION)
        return ARCHASE_EVERSION;
    s = *signer;
    if (!s.public_key || !s.sign)
        return ARCHASE_EINVAL;
    size_t n = body_bytes(cp, body);
    if (s.public_key(s.userdata, public_key) != 0 || s.sign(s.userdata, body, n, signature) != 0)
        return ARCHASE_ECALLBACK;
    rc = ed25519_verify(public_key, body, n, signature);
    if (!rc)
        rc = key_id_of(public_key, key_id);
    if (rc)
        return rc;
    memcpy(cp->key_id, key_id, sizeof key_id);
    memcpy(cp->signature, signature, sizeof signature);
    return 0;
}

int archase_checkpoint_verify(const archase_checkpoint *cp,
                              const uint8_t public_key[ARCHASE_ED25519_PUBLIC_KEY_SIZE]) {
    uint8_t body[ARCHASE_CHECKPOINT_BODY_MAX];
    uint8_t key_id[ARCHASE_CHECKPOINT_KEY_ID_SIZE];
    if (!public_key)
        return ARCHASE_EINVAL;
    int rc = checkpoint_ok(cp);
    if (!rc)
        rc = key_id_of(public_key, key_id);
    if (rc)
        return rc;
    if (memcmp(key_id, cp->key_id, sizeof key_id) != 0)
        return ARCHASE_EVERIFY;
    return ed25519_verify(public_key, body, body_bytes(cp, body), cp->signature);
}

/* ---- the text form ------------------------------------------------------- */

#define TEXT_HEADER "archase-checkpoint v1\n"

int archase_checkpoint_format(const archase_checkpoint *cp, char *buf, size_t size) {
    char root[AR_BASE64_LENGTH(ARCHASE_HASH_SIZE) + 1];
    char sig[AR_BASE64_LENGTH(ARCHASE_ED25519_SIGNATURE_SIZE) + 1];
    char key_id[2 * ARCHASE_CHECKPOINT_KEY_ID_SIZE + 1];
    char text[ARCHASE_CHECKPOINT_TEXT_MAX];
    if (!buf)
        return ARCHASE_EINVAL;
    int rc = checkpoint_ok(cp);
    if (rc)
        return rc;
    ar_base64_encode(cp->root, ARCHASE_HASH_SIZE, root, sizeof root);
    ar_base64_encode(cp->signature, ARCHASE_ED25519_SIGNATURE_SIZE, sig, sizeof sig);
    archase_hex_encode(cp->key_id, ARCHASE_CHECKPOINT_KEY_ID_SIZE, key_id, sizeof key_id);
    int n = snprintf(text, sizeof text,
                     TEXT_HEADER "log-id %s\nsize %" PRIu64 "\nroot %s\ntime %" PRId64
                                 "\nkey-id %s\nsignature %s\n",
                     cp->log_id, cp->size, root, (int64_t)cp->time, key_id, sig);
    if (n < 0 || (size_t)n >= sizeof text)
        return ARCHASE_EINVAL;
    if ((size_t)n >= size)
        return ARCHASE_EBUFSIZE;
    memcpy(buf, text, (size_t)n + 1);
    return 0;
}

/* A text cursor over the form, line by line. */
typedef struct line_reader {
    const char *p;
    const char *end;
} line_reader;

/* Reads the line "KEY VALUE\n": *value and *value_len get VALUE. */
static int next_line(line_reader *r, const char *key, const char **value, size_t *value_len) {
    size_t klen = strlen(key);
    const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
    if (!nl || (size_t)(nl - r->p) <= klen + 1 || memcmp(r->p, key, klen) != 0 || r->p[klen] != ' ')
        return ARCHASE_EPARSE;
    *value = r->p + klen + 1;
    *value_len = (size_t)(nl - *value);
    r->p = nl + 1;
    return 0;
}

/* A canonical decimal: digits, no leading zero (but "0"), optional '-' when
 * `allow_negative` (not "-0"), within int64. */
static int parse_decimal(const char *s, size_t len, int allow_negative, int64_t *out) {
    int negative = 0;
    uint64_t v = 0, limit = (uint64_t)INT64_MAX;
    if (len && s[0] == '-' && allow_negative) {
        negative = 1;
        limit = (uint64_t)INT64_MAX + 1;
        s++;
        len--;
    }
    if (len == 0 || len > 19 || (s[0] == '0' && (len > 1 || negative)))
        return ARCHASE_EPARSE;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return ARCHASE_EPARSE;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (limit - d) / 10)
            return ARCHASE_EPARSE;
        v = v * 10 + d;
    }
    *out = negative ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

static int parse_fixed_base64(const char *s, size_t len, uint8_t *out, size_t want) {
    size_t n = 0;
    if (len != AR_BASE64_LENGTH(want) || ar_base64_decode(s, len, out, want, &n) || n != want)
        return ARCHASE_EPARSE;
    return 0;
}

int archase_checkpoint_parse(const char *text, size_t len, archase_checkpoint *out) {
    archase_checkpoint cp;
    line_reader r;
    const char *v;
    size_t vlen, n;
    int64_t number;
    char hex[2 * ARCHASE_CHECKPOINT_KEY_ID_SIZE + 1];
    if (!text || !out)
        return ARCHASE_EINVAL;
    memset(&cp, 0, sizeof cp);
    cp.version = ARCHASE_CHECKPOINT_VERSION;
    r.p = text;
    r.end = text + len;
    if (len < strlen(TEXT_HEADER) || memcmp(text, TEXT_HEADER, strlen(TEXT_HEADER)) != 0)
        return ARCHASE_EPARSE;
    r.p += strlen(TEXT_HEADER);
    if (next_line(&r, "log-id", &v, &vlen) || vlen > ARCHASE_LOG_ID_MAX)
        return ARCHASE_EPARSE;
    memcpy(cp.log_id, v, vlen);
    if (!log_id_ok(cp.log_id) || strlen(cp.log_id) != vlen)
        return ARCHASE_EPARSE;
    if (next_line(&r, "size", &v, &vlen) || parse_decimal(v, vlen, 0, &number))
        return ARCHASE_EPARSE;
    cp.size = (uint64_t)number;
    if (next_line(&r, "root", &v, &vlen) || parse_fixed_base64(v, vlen, cp.root, ARCHASE_HASH_SIZE))
        return ARCHASE_EPARSE;
    if (next_line(&r, "time", &v, &vlen) || parse_decimal(v, vlen, 1, &number))
        return ARCHASE_EPARSE;
    cp.time = number;
    if (next_line(&r, "key-id", &v, &vlen) || vlen != sizeof hex - 1)
        return ARCHASE_EPARSE;
    memcpy(hex, v, vlen);
    hex[vlen] = '\0';
    for (size_t i = 0; i < vlen; i++) {
        if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
            return ARCHASE_EPARSE; /* lowercase only: one text per checkpoint */
    }
    if (archase_hex_decode(hex, cp.key_id, sizeof cp.key_id, &n) || n != sizeof cp.key_id)
        return ARCHASE_EPARSE;
    if (next_line(&r, "signature", &v, &vlen) ||
        parse_fixed_base64(v, vlen, cp.signature, ARCHASE_ED25519_SIGNATURE_SIZE))
        return ARCHASE_EPARSE;
    if (r.p != r.end)
        return ARCHASE_EPARSE;
    *out = cp;
    return 0;
}

/* ---- keys ------------------------------------------------------------------- */

/* PEM passphrase callback: never prompt; encrypted keys are refused. */
static int no_passphrase(char *buf, int size, int rwflag, void *userdata) {
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)userdata;
    return -1;
}

int archase_public_key_from_pem(const char *pem, size_t len,
                                uint8_t out[ARCHASE_ED25519_PUBLIC_KEY_SIZE]) {
    uint8_t raw[ARCHASE_ED25519_PUBLIC_KEY_SIZE];
    size_t raw_len = sizeof raw;
    int rc = ARCHASE_EPARSE;
    EVP_PKEY *pkey = NULL;
    if (!pem || !out)
        return ARCHASE_EINVAL;
    if (len > INT_MAX)
        return ARCHASE_EPARSE;
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    if (!bio)
        return ARCHASE_ENOMEM;
    pkey = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
    if (pkey && EVP_PKEY_get_id(pkey) == EVP_PKEY_ED25519 &&
        EVP_PKEY_get_raw_public_key(pkey, raw, &raw_len) == 1 && raw_len == sizeof raw) {
        memcpy(out, raw, sizeof raw);
        rc = 0;
    }
    EVP_PKEY_free(pkey);
    BIO_free(bio);
    ERR_clear_error();
    return rc;
}

int archase_signing_key_from_pem(const char *pem, size_t len, const archase_allocator *allocator,
                                 archase_signing_key **out) {
    archase_signing_key *key = NULL;
    EVP_PKEY *pkey = NULL;
    BIO *bio = NULL;
    size_t raw_len = ARCHASE_ED25519_PUBLIC_KEY_SIZE;
    int rc = ar_allocator_check(allocator);
    if (rc)
        return rc;
    if (!pem || !out)
        return ARCHASE_EINVAL;
    if (len > INT_MAX)
        return ARCHASE_EPARSE;
    key = ar_malloc(allocator, sizeof *key);
    if (!key) {
        rc = ARCHASE_ENOMEM;
        goto done;
    }
    key->allocator = ar_allocator(allocator);
    bio = BIO_new_mem_buf(pem, (int)len);
    if (!bio) {
        rc = ARCHASE_ENOMEM;
        goto done;
    }
    pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
    if (!pkey || EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519 ||
        EVP_PKEY_get_raw_public_key(pkey, key->public_key, &raw_len) != 1 ||
        raw_len != ARCHASE_ED25519_PUBLIC_KEY_SIZE) {
        rc = ARCHASE_EPARSE;
        goto done;
    }
    key->pkey = pkey;
    pkey = NULL;
    *out = key;
    key = NULL;
done:
    EVP_PKEY_free(pkey);
    BIO_free(bio);
    ar_free(allocator, key);
    ERR_clear_error();
    return rc;
}

int archase_signing_key_load(const char *path, const archase_allocator *allocator,
                             archase_signing_key **out) {
    char pem[PEM_FILE_MAX];
    size_t n = 0;
    int rc = 0;
    if (!path || !out)
        return ARCHASE_EINVAL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return ARCHASE_EIO;
    n = fread(pem, 1, sizeof pem, f);
    if (ferror(f))
        rc = ARCHASE_EIO;
    else if (n == sizeof pem)
        rc = ARCHASE_EPARSE; /* far longer than any Ed25519 key */
    fclose(f);
    if (!rc)
        rc = archase_signing_key_from_pem(pem, n, allocator, out);
    OPENSSL_cleanse(pem, sizeof pem);
    return rc;
}

void archase_signing_key_free(archase_signing_key *key) {
    if (!key)
        return;
    EVP_PKEY_free(key->pkey);
    ar_free(key->allocator, key);
}

int archase_signing_key_public(const archase_signing_key *key,
                               uint8_t out[ARCHASE_ED25519_PUBLIC_KEY_SIZE]) {
    if (!key || !out)
        return ARCHASE_EINVAL;
    memcpy(out, key->public_key, ARCHASE_ED25519_PUBLIC_KEY_SIZE);
    return 0;
}

static int key_public(void *userdata, uint8_t public_key[ARCHASE_ED25519_PUBLIC_KEY_SIZE]) {
    return archase_signing_key_public(userdata, public_key);
}

static int key_sign(void *userdata, const uint8_t *message, size_t size,
                    uint8_t signature[ARCHASE_ED25519_SIGNATURE_SIZE]) {
    archase_signing_key *key = userdata;
    size_t sig_len = ARCHASE_ED25519_SIGNATURE_SIZE;
    int rc = ARCHASE_ENOMEM;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, key->pkey) == 1 &&
        EVP_DigestSign(ctx, signature, &sig_len, message, size) == 1 &&
        sig_len == ARCHASE_ED25519_SIGNATURE_SIZE)
        rc = 0;
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return rc;
}

int archase_signing_key_signer(archase_signing_key *key, archase_signer *out) {
    if (!key || !out)
        return ARCHASE_EINVAL;
    out->version = ARCHASE_SIGNER_VERSION;
    out->userdata = key;
    out->public_key = key_public;
    out->sign = key_sign;
    return 0;
}
