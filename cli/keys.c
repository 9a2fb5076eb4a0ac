/* cli/keys.c — reading small files and Ed25519 public keys. */
#include "keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

char *cli_read_small_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    if (!f)
        return NULL;
    buf = malloc(CLI_SMALL_FILE_MAX + 1);
    if (buf) {
        size_t n = fread(buf, 1, CLI_SMALL_FILE_MAX + 1, f);
        if (ferror(f) || n > CLI_SMALL_FILE_MAX) {
            free(buf);
            buf = NULL;
        } else {
            buf[n] = '\0';
            *len = n;
        }
    }
    fclose(f);
    return buf;
}

int cli_load_public_key(const char *command, const char *path,
                        uint8_t key[ARCHASE_ED25519_PUBLIC_KEY_SIZE]) {
    size_t len = 0, n = 0;
    char *text = cli_read_small_file(path, &len);
    int rc = CLI_OK;
    if (!text)
        return cli_fail(command, CLI_USAGE, "cannot read the public key file '%s'", path);
    if (strstr(text, "-----BEGIN")) {
        if (archase_public_key_from_pem(text, len, key) != 0)
            rc = cli_fail(command, CLI_USAGE, "'%s' is not an Ed25519 public key in PEM", path);
    } else {
        while (len && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
            text[--len] = '\0';
        if (len != 2 * ARCHASE_ED25519_PUBLIC_KEY_SIZE ||
            archase_hex_decode(text, key, ARCHASE_ED25519_PUBLIC_KEY_SIZE, &n) != 0 ||
            n != ARCHASE_ED25519_PUBLIC_KEY_SIZE)
            rc = cli_fail(command, CLI_USAGE,
                          "'%s' holds neither a PEM public key nor 64 hex digits", path);
    }
    free(text);
    return rc;
}
