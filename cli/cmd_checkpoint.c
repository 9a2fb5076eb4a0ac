/* cli/cmd_checkpoint.c — `archase checkpoint`: sign and verify checkpoints of
 * the audit log in their text form, with no database. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "commands.h"
#include "keys.h"

const char cmd_checkpoint_help[] =
    "usage: archase checkpoint ACTION ARGS...\n"
    "\n"
    "A checkpoint says \"log LOG-ID had SIZE records with Merkle root ROOT at TIME\",\n"
    "signed with Ed25519; docs/audit-format.md specifies the signed bytes and the\n"
    "text form (seven lines) a third party keeps.\n"
    "\n"
    "actions:\n"
    "  verify FILE --pubkey KEY [--json]\n"
    "                        check the signature of the checkpoint in FILE with\n"
    "                        the public KEY: a PEM file (\"BEGIN PUBLIC KEY\", as\n"
    "                        `openssl pkey -pubout` writes it) or a file holding\n"
    "                        the raw key as 64 hex digits; prints \"valid\" and the\n"
    "                        checkpoint, or \"invalid\" and why\n"
    "  sign --key PEM --log-id ID --size N --root HASH [--time SECONDS]\n"
    "                        print the checkpoint signed with the Ed25519 private\n"
    "                        key in PEM (\"BEGIN PRIVATE KEY\"); TIME defaults to now\n"
    "\n"
    "  --json   verify prints {\"valid\": true|false, \"log_id\", \"size\", \"root\"\n"
    "           (hex), \"time\", \"key_id\"} (the fields when the form is readable)\n"
    "\n"
    "exit status: 0 valid (or signed), 1 invalid (a forged or damaged checkpoint),\n"
    "2 the command line is wrong or a file or key cannot be read.\n";

static void print_checkpoint_json(const archase_checkpoint *cp, int valid, const char *why) {
    cli_json j;
    char root[ARCHASE_HASH_HEX_SIZE], key_id[2 * ARCHASE_CHECKPOINT_KEY_ID_SIZE + 1];
    cli_json_init(&j, stdout, 0);
    cli_json_begin_object(&j);
    cli_json_key(&j, "valid");
    cli_json_bool(&j, valid);
    if (why) {
        cli_json_key(&j, "reason");
        cli_json_string(&j, why);
    }
    if (cp) {
        archase_hex_encode(cp->root, ARCHASE_HASH_SIZE, root, sizeof root);
        archase_hex_encode(cp->key_id, sizeof cp->key_id, key_id, sizeof key_id);
        cli_json_key(&j, "log_id");
        cli_json_string(&j, cp->log_id);
        char size[24];
        snprintf(size, sizeof size, "%llu", (unsigned long long)cp->size);
        cli_json_key(&j, "size");
        cli_json_raw(&j, size);
        cli_json_key(&j, "root");
        cli_json_string(&j, root);
        cli_json_key(&j, "time");
        cli_json_int(&j, (long long)cp->time);
        cli_json_key(&j, "key_id");
        cli_json_string(&j, key_id);
    }
    cli_json_end_object(&j);
    cli_json_finish(&j);
}

static int checkpoint_verify(int argc, char **argv) {
    int help = 0, npos = 0, json = 0;
    const char *pos[1] = { NULL }, *pubkey = NULL;
    const cli_option options[] = {
        { "pubkey", 1, &pubkey, NULL },
        { "json", 0, NULL, &json },
        { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("checkpoint", cmd_checkpoint_help, argc, argv, 2, options, pos, 1, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 1 || !pubkey)
        return cli_fail("checkpoint", CLI_USAGE, "usage: archase checkpoint verify FILE --pubkey KEY");
    uint8_t key[ARCHASE_ED25519_PUBLIC_KEY_SIZE];
    if ((rc = cli_load_public_key("checkpoint", pubkey, key)))
        return rc;
    size_t len = 0;
    char *text = cli_read_small_file(pos[0], &len);
    if (!text)
        return cli_fail("checkpoint", CLI_USAGE, "cannot read '%s'", pos[0]);
    archase_checkpoint cp;
    const char *why = NULL;
    int parsed = archase_checkpoint_parse(text, len, &cp) == 0;
    free(text);
    if (!parsed) {
        why = "not a checkpoint in the text form of docs/audit-format.md";
    } else {
        int vrc = archase_checkpoint_verify(&cp, key);
        if (vrc == ARCHASE_EVERIFY)
            why = "the signature does not match this key and these fields";
        else if (vrc)
            return cli_fail_rc("checkpoint", vrc, "verify", NULL);
    }
    if (json) {
        print_checkpoint_json(parsed ? &cp : NULL, why == NULL, why);
    } else if (why) {
        printf("invalid: %s\n", why);
    } else {
        char root[ARCHASE_HASH_HEX_SIZE];
        archase_hex_encode(cp.root, ARCHASE_HASH_SIZE, root, sizeof root);
        printf("valid\nlog-id %s\nsize %llu\nroot %s\ntime %lld\n", cp.log_id,
               (unsigned long long)cp.size, root, (long long)cp.time);
    }
    return why ? CLI_INVALID : CLI_OK;
}

static int parse_number(const char *what, const char *text, int allow_negative, long long *out) {
    char *end = NULL;
    if (!*text || (!allow_negative && *text == '-') || *text == '+' || *text == ' ')
        return cli_fail("checkpoint", CLI_USAGE, "%s: '%s' is not a number", what, text);
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (*end || errno)
        return cli_fail("checkpoint", CLI_USAGE, "%s: '%s' is not a number", what, text);
    *out = v;
    return CLI_OK;
}

static int checkpoint_sign(int argc, char **argv) {
    int help = 0, npos = 0;
    const char *key_path = NULL, *log_id = NULL, *size_text = NULL, *root_text = NULL, *time_text = NULL;
    const cli_option options[] = {
        { "key", 1, &key_path, NULL },   { "log-id", 1, &log_id, NULL },
        { "size", 1, &size_text, NULL }, { "root", 1, &root_text, NULL },
        { "time", 1, &time_text, NULL }, { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("checkpoint", cmd_checkpoint_help, argc, argv, 2, options, NULL, 0, &npos, &help);
    if (rc || help)
        return rc;
    if (!key_path || !log_id || !size_text || !root_text)
        return cli_fail("checkpoint", CLI_USAGE,
                        "usage: archase checkpoint sign --key PEM --log-id ID --size N --root HASH [--time SECONDS]");
    long long size = 0, when = (long long)time(NULL);
    uint8_t root[ARCHASE_HASH_SIZE];
    size_t n = 0;
    if ((rc = parse_number("--size", size_text, 0, &size)) ||
        (time_text && (rc = parse_number("--time", time_text, 1, &when))))
        return rc;
    if (strlen(root_text) != 2 * ARCHASE_HASH_SIZE ||
        archase_hex_decode(root_text, root, sizeof root, &n) != 0 || n != ARCHASE_HASH_SIZE)
        return cli_fail("checkpoint", CLI_USAGE, "--root: expected a hash of 64 hex digits");
    archase_checkpoint cp;
    if (archase_checkpoint_init(&cp, log_id, (uint64_t)size, root, when) != 0)
        return cli_fail("checkpoint", CLI_USAGE,
                        "--log-id: 1 to %d printable ASCII characters without spaces",
                        ARCHASE_LOG_ID_MAX);
    archase_signing_key *key = NULL;
    rc = archase_signing_key_load(key_path, NULL, &key);
    if (rc)
        return cli_fail("checkpoint", CLI_USAGE, "cannot use '%s' as an Ed25519 private key: %s",
                        key_path, archase_strerror(rc));
    archase_signer signer;
    char text[ARCHASE_CHECKPOINT_TEXT_MAX];
    rc = archase_signing_key_signer(key, &signer);
    if (!rc)
        rc = archase_checkpoint_sign(&cp, &signer);
    if (!rc)
        rc = archase_checkpoint_format(&cp, text, sizeof text);
    archase_signing_key_free(key);
    if (rc)
        return cli_fail_rc("checkpoint", rc, "sign", NULL);
    fputs(text, stdout);
    return CLI_OK;
}

int cmd_checkpoint(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(cmd_checkpoint_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (!strcmp(argv[1], "verify"))
        return checkpoint_verify(argc, argv);
    if (!strcmp(argv[1], "sign"))
        return checkpoint_sign(argc, argv);
    return cli_fail("checkpoint", CLI_USAGE, "unknown action '%s' (see `archase checkpoint --help`)",
                    argv[1]);
}
