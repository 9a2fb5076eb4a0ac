/* cli/cmd_audit.c — `archase audit`: the audit log of a ledger file —
 * verify it (or an export of it), its roots and proofs, sign checkpoints,
 * export it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "keys.h"

const char cmd_audit_help[] =
    "usage: archase audit ACTION ARGS...\n"
    "\n"
    "The tamper-evident audit log of a ledger file: every accepted fact, decision,\n"
    "approval and override is a chained record and a leaf of an RFC 6962 Merkle\n"
    "tree (docs/audit-format.md). Hashes print as 64 lowercase hex digits; proofs\n"
    "as the comma-separated hashes `archase merkle verify-...` reads.\n"
    "\n"
    "actions:\n"
    "  verify DB [--pubkey KEY]... [--checkpoint FILE]... [--json]\n"
    "                        recompute the whole log: every record, its hash and\n"
    "                        its link, the Merkle roots, every stored checkpoint's\n"
    "                        signature and record; prints \"verified\" or \"invalid\"\n"
    "                        with the first bad record and why. --pubkey: the only\n"
    "                        keys checkpoints may be signed with (PEM or 64 hex\n"
    "                        digits); --checkpoint: copies kept elsewhere (the text\n"
    "                        form) the log must match (they need --pubkey)\n"
    "  verify --export FILE [--pubkey KEY]... [--checkpoint FILE]... [--json]\n"
    "                        the same for an export, without the database\n"
    "  root DB [--size N] [--json]\n"
    "                        the Merkle root of the first N records (default: all)\n"
    "  prove DB --index I --size N [--json]\n"
    "                        the inclusion proof of record I in the tree of N records,\n"
    "                        with the record's hash and the root\n"
    "  consistency DB --from M --to N [--json]\n"
    "                        the consistency proof from M records to N, with both roots\n"
    "  checkpoint DB --key PEM\n"
    "                        sign the log as it is with the Ed25519 private key in\n"
    "                        PEM; the checkpoint is stored, recorded in the log and\n"
    "                        printed in its text form (keep a copy elsewhere)\n"
    "  export DB [--output FILE]\n"
    "                        the log as JSON Lines: a header, the checkpoints, then\n"
    "                        every record with its hashes and exact bytes\n"
    "\n"
    "  --json   verify prints {\"verified\", \"problem\", \"first_bad\", \"records\",\n"
    "           \"size\", \"root\", \"log_id\", \"checkpoints\", \"message\"}; root prints\n"
    "           {\"size\", \"root\"}; prove prints {\"index\", \"size\", \"leaf_hash\",\n"
    "           \"root\", \"proof\": [...]}; consistency prints {\"from\", \"to\",\n"
    "           \"root1\", \"root2\", \"proof\": [...]}\n"
    "\n"
    "exit status: 0 verified (or done), 1 the log does not verify (with the reason)\n"
    "or the operation failed, 2 the command line is wrong.\n";

#define H ARCHASE_HASH_SIZE

static void hex_of(const uint8_t *hash, char out[ARCHASE_HASH_HEX_SIZE]) {
    archase_hex_encode(hash, H, out, ARCHASE_HASH_HEX_SIZE);
}

static int parse_u64(const char *what, const char *text, uint64_t *out) {
    uint64_t v = 0;
    if (!text || !*text)
        return cli_fail("audit", CLI_USAGE, "%s: expected a number", what);
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return cli_fail("audit", CLI_USAGE, "%s: '%s' is not a number", what, text);
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return cli_fail("audit", CLI_USAGE, "%s: '%s' is too large", what, text);
        v = v * 10 + d;
    }
    *out = v;
    return CLI_OK;
}

static int open_db(const char *path, int read_only, archase_engine **eng) {
    archase_sqlite_options so = ARCHASE_SQLITE_OPTIONS_INIT;
    char err[512];
    so.create = 0;
    so.read_only = read_only;
    int rc = archase_open_sqlite(path, &so, NULL, eng, err, sizeof err);
    if (rc == ARCHASE_ENOTFOUND)
        return cli_fail("audit", CLI_INVALID, "%s: no such ledger", path);
    if (rc)
        return cli_fail_rc("audit", rc, path, err);
    return CLI_OK;
}

/* ---- verify ------------------------------------------------------------------ */

static void print_report(const archase_audit_report *r, int verified, int json) {
    char root[ARCHASE_HASH_HEX_SIZE];
    hex_of(r->root, root);
    if (json) {
        cli_json j;
        cli_json_init(&j, stdout, 0);
        cli_json_begin_object(&j);
        cli_json_key(&j, "verified");
        cli_json_bool(&j, verified);
        cli_json_key(&j, "problem");
        if (verified)
            cli_json_null(&j);
        else
            cli_json_string(&j, archase_audit_problem_name(r->problem));
        cli_json_key(&j, "first_bad");
        if (verified)
            cli_json_null(&j);
        else
            cli_json_int(&j, (long long)r->first_bad);
        cli_json_key(&j, "records");
        cli_json_int(&j, (long long)r->records);
        cli_json_key(&j, "size");
        cli_json_int(&j, (long long)r->size);
        cli_json_key(&j, "root");
        if (verified)
            cli_json_string(&j, root);
        else
            cli_json_null(&j);
        cli_json_key(&j, "log_id");
        cli_json_string(&j, r->log_id);
        cli_json_key(&j, "checkpoints");
        cli_json_int(&j, (long long)r->checkpoints);
        cli_json_key(&j, "message");
        cli_json_string(&j, r->message);
        cli_json_end_object(&j);
        cli_json_finish(&j);
        return;
    }
    if (verified) {
        printf("verified: %s\nlog-id %s\nsize %llu\nroot %s\n", r->message,
               r->log_id[0] ? r->log_id : "-", (unsigned long long)r->size, root);
    } else {
        printf("invalid: %s at record %llu: %s\n", archase_audit_problem_name(r->problem),
               (unsigned long long)r->first_bad, r->message);
    }
}

static int file_read(void *userdata, void *buf, size_t size, size_t *got) {
    FILE *f = userdata;
    *got = fread(buf, 1, size, f);
    return ferror(f) ? ARCHASE_EIO : 0;
}

static int audit_verify(int argc, char **argv) {
    int help = 0, npos = 0, json = 0;
    const char *pos[1] = { NULL }, *export_path = NULL;
    const char *pubkeys[CLI_REPEATED_MAX + 1] = { NULL };
    const char *copies[CLI_REPEATED_MAX + 1] = { NULL };
    const cli_option options[] = {
        { "export", 1, &export_path, NULL },
        { "pubkey", CLI_REPEATED, pubkeys, NULL },
        { "checkpoint", CLI_REPEATED, copies, NULL },
        { "json", 0, NULL, &json },
        { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("audit", cmd_audit_help, argc, argv, 2, options, pos, 1, &npos, &help);
    if (rc || help)
        return rc;
    if ((npos == 1) == (export_path != NULL))
        return cli_fail("audit", CLI_USAGE, "usage: archase audit verify DB, or archase audit verify --export FILE");
    size_t nkeys = 0, ncopies = 0;
    while (pubkeys[nkeys])
        nkeys++;
    while (copies[ncopies])
        ncopies++;
    if (ncopies && !nkeys)
        return cli_fail("audit", CLI_USAGE, "--checkpoint needs --pubkey: the keys to check the copies with");
    uint8_t *keys = calloc(nkeys + 1, ARCHASE_ED25519_PUBLIC_KEY_SIZE);
    archase_checkpoint *cps = calloc(ncopies + 1, sizeof *cps);
    if (!keys || !cps) {
        free(keys);
        free(cps);
        return cli_fail("audit", CLI_INVALID, "out of memory");
    }
    for (size_t i = 0; !rc && i < nkeys; i++)
        rc = cli_load_public_key("audit", pubkeys[i], keys + i * ARCHASE_ED25519_PUBLIC_KEY_SIZE);
    for (size_t i = 0; !rc && i < ncopies; i++) {
        size_t len = 0;
        char *text = cli_read_small_file(copies[i], &len);
        if (!text)
            rc = cli_fail("audit", CLI_USAGE, "cannot read the checkpoint file '%s'", copies[i]);
        else if (archase_checkpoint_parse(text, len, &cps[i]) != 0)
            rc = cli_fail("audit", CLI_USAGE, "'%s' is not a checkpoint in its text form", copies[i]);
        free(text);
    }
    archase_audit_verify_options o = ARCHASE_AUDIT_VERIFY_OPTIONS_INIT;
    o.trusted_keys = nkeys ? keys : NULL;
    o.trusted_key_count = nkeys;
    o.checkpoints = ncopies ? cps : NULL;
    o.checkpoint_count = ncopies;
    archase_audit_report r;
    int vrc = 0;
    if (!rc && export_path) {
        FILE *f = strcmp(export_path, "-") ? fopen(export_path, "rb") : stdin;
        if (!f) {
            rc = cli_fail("audit", CLI_INVALID, "cannot read '%s': %s", export_path, strerror(errno));
        } else {
            vrc = archase_audit_verify_export(file_read, f, &o, &r);
            if (f != stdin)
                fclose(f);
            if (vrc && vrc != ARCHASE_EVERIFY)
                rc = cli_fail_rc("audit", vrc, "verify", export_path);
        }
    } else if (!rc) {
        archase_engine *eng = NULL;
        rc = open_db(pos[0], 1, &eng);
        if (!rc) {
            vrc = archase_audit_verify(eng, &o, &r);
            if (vrc && vrc != ARCHASE_EVERIFY)
                rc = cli_fail_rc("audit", vrc, "verify", archase_engine_errmsg(eng));
        }
        archase_engine_free(eng);
    }
    free(keys);
    free(cps);
    if (rc)
        return rc;
    print_report(&r, vrc == 0, json);
    return vrc == 0 ? CLI_OK : CLI_INVALID;
}

/* ---- roots and proofs ------------------------------------------------------------ */

static void print_proof_json(cli_json *j, const uint8_t *proof, size_t len) {
    char hex[ARCHASE_HASH_HEX_SIZE];
    cli_json_key(j, "proof");
    cli_json_begin_array(j);
    for (size_t i = 0; i < len; i++) {
        hex_of(proof + i * H, hex);
        cli_json_string(j, hex);
    }
    cli_json_end_array(j);
}

static void print_proof_text(const uint8_t *proof, size_t len) {
    char hex[ARCHASE_HASH_HEX_SIZE];
    printf("proof ");
    for (size_t i = 0; i < len; i++) {
        hex_of(proof + i * H, hex);
        printf("%s%s", i ? "," : "", hex);
    }
    printf("\n");
}

static int audit_root(int argc, char **argv) {
    int help = 0, npos = 0, json = 0;
    const char *pos[1] = { NULL }, *size_text = NULL;
    const cli_option options[] = {
        { "size", 1, &size_text, NULL },
        { "json", 0, NULL, &json },
        { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("audit", cmd_audit_help, argc, argv, 2, options, pos, 1, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 1)
        return cli_fail("audit", CLI_USAGE, "usage: archase audit root DB [--size N]");
    uint64_t size = 0;
    if (size_text && (rc = parse_u64("--size", size_text, &size)))
        return rc;
    archase_engine *eng = NULL;
    if ((rc = open_db(pos[0], 1, &eng)))
        return rc;
    uint8_t root[H];
    int arc = size_text ? 0 : archase_audit_size(eng, &size);
    if (!arc)
        arc = archase_audit_root(eng, size, root);
    if (arc) {
        rc = cli_fail_rc("audit", arc, "root", archase_engine_errmsg(eng));
    } else {
        char hex[ARCHASE_HASH_HEX_SIZE];
        hex_of(root, hex);
        if (json) {
            cli_json j;
            cli_json_init(&j, stdout, 0);
            cli_json_begin_object(&j);
            cli_json_key(&j, "size");
            cli_json_int(&j, (long long)size);
            cli_json_key(&j, "root");
            cli_json_string(&j, hex);
            cli_json_end_object(&j);
            cli_json_finish(&j);
        } else {
            printf("%s\n", hex);
        }
    }
    archase_engine_free(eng);
    return rc;
}

static int audit_prove(int argc, char **argv) {
    int help = 0, npos = 0, json = 0;
    const char *pos[1] = { NULL }, *index_text = NULL, *size_text = NULL;
    const cli_option options[] = {
        { "index", 1, &index_text, NULL },
        { "size", 1, &size_text, NULL },
        { "json", 0, NULL, &json },
        { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("audit", cmd_audit_help, argc, argv, 2, options, pos, 1, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 1 || !index_text || !size_text)
        return cli_fail("audit", CLI_USAGE, "usage: archase audit prove DB --index I --size N [--json]");
    uint64_t index = 0, size = 0;
    if ((rc = parse_u64("--index", index_text, &index)) || (rc = parse_u64("--size", size_text, &size)))
        return rc;
    archase_engine *eng = NULL;
    if ((rc = open_db(pos[0], 1, &eng)))
        return rc;
    uint8_t proof[ARCHASE_MERKLE_PROOF_MAX * H], leaf[H], root[H];
    size_t len = 0;
    int arc = archase_audit_prove_inclusion(eng, index, size, leaf, proof, ARCHASE_MERKLE_PROOF_MAX, &len);
    if (!arc)
        arc = archase_audit_root(eng, size, root);
    if (arc) {
        rc = cli_fail_rc("audit", arc, "prove", archase_engine_errmsg(eng));
    } else {
        char leaf_hex[ARCHASE_HASH_HEX_SIZE], root_hex[ARCHASE_HASH_HEX_SIZE];
        hex_of(leaf, leaf_hex);
        hex_of(root, root_hex);
        if (json) {
            cli_json j;
            cli_json_init(&j, stdout, 0);
            cli_json_begin_object(&j);
            cli_json_key(&j, "index");
            cli_json_int(&j, (long long)index);
            cli_json_key(&j, "size");
            cli_json_int(&j, (long long)size);
            cli_json_key(&j, "leaf_hash");
            cli_json_string(&j, leaf_hex);
            cli_json_key(&j, "root");
            cli_json_string(&j, root_hex);
            print_proof_json(&j, proof, len);
            cli_json_end_object(&j);
            cli_json_finish(&j);
        } else {
            printf("index %llu\nsize %llu\nleaf-hash %s\nroot %s\n", (unsigned long long)index,
                   (unsigned long long)size, leaf_hex, root_hex);
            print_proof_text(proof, len);
        }
    }
    archase_engine_free(eng);
    return rc;
}

static int audit_consistency(int argc, char **argv) {
    int help = 0, npos = 0, json = 0;
    const char *pos[1] = { NULL }, *from_text = NULL, *to_text = NULL;
    const cli_option options[] = {
        { "from", 1, &from_text, NULL },
        { "to", 1, &to_text, NULL },
        { "json", 0, NULL, &json },
        { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("audit", cmd_audit_help, argc, argv, 2, options, pos, 1, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 1 || !from_text || !to_text)
        return cli_fail("audit", CLI_USAGE, "usage: archase audit consistency DB --from M --to N [--json]");
    uint64_t from = 0, to = 0;
    if ((rc = parse_u64("--from", from_text, &from)) || (rc = parse_u64("--to", to_text, &to)))
        return rc;
    archase_engine *eng = NULL;
    if ((rc = open_db(pos[0], 1, &eng)))
        return rc;
    uint8_t proof[ARCHASE_MERKLE_PROOF_MAX * H], root1[H], root2[H];
    size_t len = 0;
    int arc = archase_audit_prove_consistency(eng, from, to, proof, ARCHASE_MERKLE_PROOF_MAX, &len);
    if (!arc)
        arc = archase_audit_root(eng, from, root1);
    if (!arc)
        arc = archase_audit_root(eng, to, root2);
    if (arc) {
        rc = cli_fail_rc("audit", arc, "consistency", archase_engine_errmsg(eng));
    } else {
        char hex1[ARCHASE_HASH_HEX_SIZE], hex2[ARCHASE_HASH_HEX_SIZE];
        hex_of(root1, hex1);
        hex_of(root2, hex2);
        if (json) {
            cli_json j;
            cli_json_init(&j, stdout, 0);
            cli_json_begin_object(&j);
            cli_json_key(&j, "from");
            cli_json_int(&j, (long long)from);
            cli_json_key(&j, "to");
            cli_json_int(&j, (long long)to);
            cli_json_key(&j, "root1");
            cli_json_string(&j, hex1);
            cli_json_key(&j, "root2");
            cli_json_string(&j, hex2);
            print_proof_json(&j, proof, len);
            cli_json_end_object(&j);
            cli_json_finish(&j);
        } else {
            printf("from %llu\nto %llu\nroot1 %s\nroot2 %s\n", (unsigned long long)from,
                   (unsigned long long)to, hex1, hex2);
            print_proof_text(proof, len);
        }
    }
    archase_engine_free(eng);
    return rc;
}

/* ---- checkpoint and export ---------------------------------------------------------- */

static int audit_checkpoint(int argc, char **argv) {
    int help = 0, npos = 0;
    const char *pos[1] = { NULL }, *key_path = NULL;
    const cli_option options[] = {
        { "key", 1, &key_path, NULL },
        { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("audit", cmd_audit_help, argc, argv, 2, options, pos, 1, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 1 || !key_path)
        return cli_fail("audit", CLI_USAGE, "usage: archase audit checkpoint DB --key PEM");
    archase_signing_key *key = NULL;
    int krc = archase_signing_key_load(key_path, NULL, &key);
    if (krc)
        return cli_fail("audit", CLI_USAGE, "cannot use '%s' as an Ed25519 private key: %s", key_path,
                        archase_strerror(krc));
    archase_engine *eng = NULL;
    rc = open_db(pos[0], 0, &eng);
    if (!rc) {
        archase_signer signer;
        archase_checkpoint cp;
        char text[ARCHASE_CHECKPOINT_TEXT_MAX];
        int arc = archase_signing_key_signer(key, &signer);
        if (!arc)
            arc = archase_audit_checkpoint(eng, &signer, &cp);
        if (!arc)
            arc = archase_checkpoint_format(&cp, text, sizeof text);
        if (arc)
            rc = cli_fail_rc("audit", arc, "checkpoint", archase_engine_errmsg(eng));
        else
            fputs(text, stdout);
    }
    archase_engine_free(eng);
    archase_signing_key_free(key);
    return rc;
}

static int file_write(void *userdata, const void *data, size_t size) {
    return fwrite(data, 1, size, userdata) == size ? 0 : ARCHASE_EIO;
}

static int audit_export(int argc, char **argv) {
    int help = 0, npos = 0;
    const char *pos[1] = { NULL }, *output = NULL;
    const cli_option options[] = {
        { "output", 1, &output, NULL },
        { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("audit", cmd_audit_help, argc, argv, 2, options, pos, 1, &npos, &help);
    if (rc || help)
        return rc;
    if (npos != 1)
        return cli_fail("audit", CLI_USAGE, "usage: archase audit export DB [--output FILE]");
    archase_engine *eng = NULL;
    if ((rc = open_db(pos[0], 1, &eng)))
        return rc;
    FILE *out = output ? fopen(output, "wb") : stdout;
    if (!out) {
        rc = cli_fail("audit", CLI_INVALID, "cannot write '%s': %s", output, strerror(errno));
    } else {
        int arc = archase_audit_export(eng, file_write, out);
        if (fflush(out) != 0 && !arc)
            arc = ARCHASE_EIO;
        if (out != stdout && fclose(out) != 0 && !arc)
            arc = ARCHASE_EIO;
        if (arc)
            rc = cli_fail_rc("audit", arc, "export", archase_engine_errmsg(eng));
    }
    archase_engine_free(eng);
    return rc;
}

int cmd_audit(int argc, char **argv) {
    static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
    } actions[] = {
        { "verify", audit_verify },         { "root", audit_root },
        { "prove", audit_prove },           { "consistency", audit_consistency },
        { "checkpoint", audit_checkpoint }, { "export", audit_export },
    };
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(cmd_audit_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        if (!strcmp(actions[i].name, argv[1]))
            return actions[i].run(argc, argv);
    }
    return cli_fail("audit", CLI_USAGE, "unknown action '%s' (see `archase audit --help`)", argv[1]);
}
