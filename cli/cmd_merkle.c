/* cli/cmd_merkle.c — `archase merkle`: an auditor's tools for the RFC 6962 /
 * RFC 9162 Merkle tree, with no database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

const char cmd_merkle_help[] =
    "usage: archase merkle ACTION ARGS...\n"
    "\n"
    "An auditor's tools for the Merkle tree of the audit log (RFC 6962 / RFC 9162,\n"
    "SHA-256), usable without libarchase's database. A hash is 64 hex digits (lower\n"
    "or upper case). A proof is its hashes separated by commas, lowest level first;\n"
    "--proof \"\" is the empty proof. Leaf indexes count from 0.\n"
    "\n"
    "actions:\n"
    "  root                  read one leaf hash per line on stdin and print the\n"
    "                        root (no lines: the root of the empty tree)\n"
    "  leaf-hash HEXDATA     print the leaf hash SHA-256(0x00 || data) of the bytes\n"
    "                        HEXDATA (\"\" for no bytes)\n"
    "  verify-inclusion --leaf-hash H --index I --size N --proof P --root R\n"
    "                        is H leaf I of the tree of N leaves whose root is R?\n"
    "                        (RFC 9162 section 2.1.3.2)\n"
    "  verify-consistency --size1 M --size2 N --proof P --root1 R1 --root2 R2\n"
    "                        is the tree of N leaves with root R2 an extension of\n"
    "                        the tree of M leaves with root R1? (RFC 9162 section\n"
    "                        2.1.4.2; a proof from M = 0 proves nothing and fails)\n"
    "\n"
    "The verify actions print \"valid\" or \"invalid\".\n"
    "\n"
    "exit status: 0 valid (or printed), 1 invalid, 2 the command line or the input\n"
    "is malformed (a bad hex digit, a hash that is not 32 bytes, a number that is\n"
    "not one).\n";

#define HASH_HEX_LEN (2 * ARCHASE_HASH_SIZE)

/* Reads a 32-byte hash written as 64 hex digits. */
static int parse_hash(const char *what, const char *text, uint8_t out[ARCHASE_HASH_SIZE]) {
    size_t n = 0, len = strlen(text);
    if (len != HASH_HEX_LEN)
        return cli_fail("merkle", CLI_USAGE,
                        "%s: expected a hash of 64 hex digits, got %zu characters", what, len);
    if (archase_hex_decode(text, out, ARCHASE_HASH_SIZE, &n) != 0 || n != ARCHASE_HASH_SIZE)
        return cli_fail("merkle", CLI_USAGE, "%s: '%s' is not hex", what, text);
    return CLI_OK;
}

/* Reads a decimal count or index (digits only, at most 2^64 - 1). */
static int parse_u64(const char *what, const char *text, uint64_t *out) {
    uint64_t v = 0;
    if (!*text)
        return cli_fail("merkle", CLI_USAGE, "%s: expected a number, got nothing", what);
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return cli_fail("merkle", CLI_USAGE, "%s: '%s' is not a number", what, text);
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return cli_fail("merkle", CLI_USAGE, "%s: '%s' is too large", what, text);
        v = v * 10 + d;
    }
    *out = v;
    return CLI_OK;
}

/* Reads a comma-separated proof into a malloc'ed array (NULL when empty). */
static int parse_proof(const char *text, uint8_t **out, size_t *count) {
    size_t n = 0;
    uint8_t *hashes = NULL;
    *out = NULL;
    *count = 0;
    if (!*text)
        return CLI_OK;
    for (const char *p = text; *p; p++)
        n += *p == ',';
    n++;
    hashes = malloc(n * ARCHASE_HASH_SIZE);
    if (!hashes)
        return cli_fail("merkle", CLI_INVALID, "out of memory");
    const char *start = text;
    for (size_t i = 0; i < n; i++) {
        const char *comma = strchr(start, ',');
        size_t len = comma ? (size_t)(comma - start) : strlen(start);
        char hex[HASH_HEX_LEN + 1];
        char what[48];
        snprintf(what, sizeof what, "--proof hash %zu", i + 1);
        if (len != HASH_HEX_LEN) {
            free(hashes);
            return cli_fail("merkle", CLI_USAGE,
                            "%s: expected a hash of 64 hex digits, got %zu characters", what, len);
        }
        memcpy(hex, start, len);
        hex[len] = '\0';
        if (parse_hash(what, hex, hashes + i * ARCHASE_HASH_SIZE)) {
            free(hashes);
            return CLI_USAGE;
        }
        start = comma ? comma + 1 : start + len;
    }
    *out = hashes;
    *count = n;
    return CLI_OK;
}

static void print_hash(const uint8_t hash[ARCHASE_HASH_SIZE]) {
    char hex[ARCHASE_HASH_HEX_SIZE];
    archase_hex_encode(hash, ARCHASE_HASH_SIZE, hex, sizeof hex);
    printf("%s\n", hex);
}

/* Reports a verification result: 0 valid, EVERIFY invalid, anything else failed. */
static int report(const char *action, int rc) {
    if (rc == 0) {
        printf("valid\n");
        return CLI_OK;
    }
    if (rc == ARCHASE_EVERIFY) {
        printf("invalid\n");
        return CLI_INVALID;
    }
    return cli_fail_rc("merkle", rc, action, NULL);
}

static int merkle_root(int argc, char **argv) {
    int help = 0, npos = 0, rc = CLI_OK;
    const cli_option options[] = { { NULL, 0, NULL, NULL } };
    rc = cli_parse("merkle", cmd_merkle_help, argc, argv, 2, options, NULL, 0, &npos, &help);
    if (rc || help)
        return rc;
    uint8_t *leaves = NULL, root[ARCHASE_HASH_SIZE];
    size_t count = 0, cap = 0, line_no = 0;
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t len;
    while (!rc && (len = getline(&line, &line_cap, stdin)) >= 0) {
        line_no++;
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        if (len > 0 && line[len - 1] == '\r')
            line[--len] = '\0';
        if (count == cap) {
            size_t new_cap = cap ? 2 * cap : 1024;
            uint8_t *grown = realloc(leaves, new_cap * ARCHASE_HASH_SIZE);
            if (!grown) {
                rc = cli_fail("merkle", CLI_INVALID, "out of memory");
                break;
            }
            leaves = grown;
            cap = new_cap;
        }
        char what[48];
        snprintf(what, sizeof what, "stdin line %zu", line_no);
        if (parse_hash(what, line, leaves + count * ARCHASE_HASH_SIZE))
            rc = CLI_USAGE;
        count++;
    }
    if (!rc && ferror(stdin))
        rc = cli_fail("merkle", CLI_INVALID, "cannot read stdin");
    if (!rc) {
        int lrc = archase_merkle_root(leaves, count, root);
        if (lrc)
            rc = cli_fail_rc("merkle", lrc, "root", NULL);
        else
            print_hash(root);
    }
    free(line);
    free(leaves);
    return rc;
}

static int merkle_leaf_hash(int argc, char **argv) {
    int help = 0, npos = 0;
    const char *pos[1] = { NULL };
    const cli_option options[] = { { NULL, 0, NULL, NULL } };
    int rc = cli_parse("merkle", cmd_merkle_help, argc, argv, 2, options, pos, 1, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 1)
        return cli_fail("merkle", CLI_USAGE, "leaf-hash takes the data as one hex argument");
    size_t len = strlen(pos[0]), n = 0;
    uint8_t *data = malloc(len / 2 + 1), hash[ARCHASE_HASH_SIZE];
    if (!data)
        return cli_fail("merkle", CLI_INVALID, "out of memory");
    if (archase_hex_decode(pos[0], data, len / 2 + 1, &n) != 0) {
        free(data);
        return cli_fail("merkle", CLI_USAGE, "HEXDATA: not an even number of hex digits");
    }
    rc = archase_merkle_leaf_hash(data, n, hash);
    free(data);
    if (rc)
        return cli_fail_rc("merkle", rc, "leaf-hash", NULL);
    print_hash(hash);
    return CLI_OK;
}

/* Options every verify action must be given. */
static int require(const char *const *values, const char *const *names, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (!values[i])
            return cli_fail("merkle", CLI_USAGE, "missing --%s (see `archase merkle --help`)", names[i]);
    }
    return CLI_OK;
}

static int merkle_verify_inclusion(int argc, char **argv) {
    int help = 0, npos = 0;
    const char *v[5] = { NULL, NULL, NULL, NULL, NULL };
    const char *const names[5] = { "leaf-hash", "index", "size", "proof", "root" };
    const cli_option options[] = {
        { "leaf-hash", 1, &v[0], NULL }, { "index", 1, &v[1], NULL }, { "size", 1, &v[2], NULL },
        { "proof", 1, &v[3], NULL },     { "root", 1, &v[4], NULL },  { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("merkle", cmd_merkle_help, argc, argv, 2, options, NULL, 0, &npos, &help);
    if (rc || help)
        return rc;
    uint8_t leaf[ARCHASE_HASH_SIZE], root[ARCHASE_HASH_SIZE], *proof = NULL;
    uint64_t index = 0, size = 0;
    size_t proof_len = 0;
    if ((rc = require(v, names, 5)) || (rc = parse_hash("--leaf-hash", v[0], leaf)) ||
        (rc = parse_u64("--index", v[1], &index)) || (rc = parse_u64("--size", v[2], &size)) ||
        (rc = parse_hash("--root", v[4], root)) || (rc = parse_proof(v[3], &proof, &proof_len)))
        return rc;
    rc = report("verify-inclusion",
                archase_merkle_verify_inclusion(leaf, index, size, proof, proof_len, root));
    free(proof);
    return rc;
}

static int merkle_verify_consistency(int argc, char **argv) {
    int help = 0, npos = 0;
    const char *v[5] = { NULL, NULL, NULL, NULL, NULL };
    const char *const names[5] = { "size1", "size2", "proof", "root1", "root2" };
    const cli_option options[] = {
        { "size1", 1, &v[0], NULL }, { "size2", 1, &v[1], NULL }, { "proof", 1, &v[2], NULL },
        { "root1", 1, &v[3], NULL }, { "root2", 1, &v[4], NULL }, { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("merkle", cmd_merkle_help, argc, argv, 2, options, NULL, 0, &npos, &help);
    if (rc || help)
        return rc;
    uint8_t root1[ARCHASE_HASH_SIZE], root2[ARCHASE_HASH_SIZE], *proof = NULL;
    uint64_t size1 = 0, size2 = 0;
    size_t proof_len = 0;
    if ((rc = require(v, names, 5)) || (rc = parse_u64("--size1", v[0], &size1)) ||
        (rc = parse_u64("--size2", v[1], &size2)) || (rc = parse_hash("--root1", v[3], root1)) ||
        (rc = parse_hash("--root2", v[4], root2)) || (rc = parse_proof(v[2], &proof, &proof_len)))
        return rc;
    rc = report("verify-consistency",
                archase_merkle_verify_consistency(size1, size2, proof, proof_len, root1, root2));
    free(proof);
    return rc;
}

int cmd_merkle(int argc, char **argv) {
    static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
    } actions[] = {
        { "root", merkle_root },
        { "leaf-hash", merkle_leaf_hash },
        { "verify-inclusion", merkle_verify_inclusion },
        { "verify-consistency", merkle_verify_consistency },
    };
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(cmd_merkle_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        if (!strcmp(actions[i].name, argv[1]))
            return actions[i].run(argc, argv);
    }
    return cli_fail("merkle", CLI_USAGE, "unknown action '%s' (see `archase merkle --help`)", argv[1]);
}
