/* cli/keys.h — reading small files and Ed25519 public keys for the audit
 * commands. */
#ifndef ARCHASE_CLI_KEYS_H
#define ARCHASE_CLI_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "archase/audit.h"

/* The largest file read whole. */
#define CLI_SMALL_FILE_MAX 65536

/* Reads a whole small file into a malloc'ed, NUL-terminated buffer; NULL
 * when it cannot be read or is larger than CLI_SMALL_FILE_MAX. */
char *cli_read_small_file(const char *path, size_t *len);

/* A public key from a PEM file ("BEGIN PUBLIC KEY") or a file holding 64 hex
 * digits. Returns CLI_OK, or CLI_USAGE after saying what is wrong as
 * `command`. */
int cli_load_public_key(const char *command, const char *path,
                        uint8_t key[ARCHASE_ED25519_PUBLIC_KEY_SIZE]);

#endif
