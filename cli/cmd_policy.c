/* cli/cmd_policy.c — `archase policy`: check, hash, explain and diff policies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

/* The most files `check` takes at once. */
#define POLICY_CHECK_MAX 256

const char cmd_policy_help[] =
    "usage: archase policy ACTION ARGS... [--json]\n"
    "\n"
    "Collection policies: one YAML document (schema version 1) with the\n"
    "segments, sequences, approvals and the rest of the chase logic\n"
    "(docs/policy-reference.md).\n"
    "\n"
    "actions:\n"
    "  check FILE...   load and validate each file: \"FILE: ok\" on stdout, or every\n"
    "                  problem as \"file:line:column: message\" on stderr\n"
    "  hash FILE       the SHA-256 of the policy's canonical form (hex); the same\n"
    "                  policy written differently hashes the same\n"
    "  explain FILE    a summary for people: segments, each segment's sequence as a\n"
    "                  timeline, escalation, approval rules\n"
    "  diff A B        what changes from A to B, for a reviewer: added, removed and\n"
    "                  changed segments, steps, thresholds and approvals\n"
    "\n"
    "  --json   print JSON: check gives [{\"file\", \"ok\", \"diagnostics\": [{\"line\",\n"
    "           \"column\", \"message\"}]}]; hash gives {\"file\", \"hash\"}; explain\n"
    "           gives the policy's segments, sequences and approvals; diff gives\n"
    "           {\"identical\", \"changes\": [{\"kind\", \"path\", \"before\", \"after\"}]}\n"
    "\n"
    "exit status: 0 ok (diff: also when the policies differ), 1 a policy is\n"
    "invalid or cannot be read, 2 the command line is wrong.\n";

/* Loads `path`; on failure prints every diagnostic (or JSON) and returns NULL. */
static archase_policy *load_policy(const char *path, archase_diag_list *diags, int *rc_out) {
    archase_policy *p = NULL;
    archase_diag_list_clear(diags);
    *rc_out = archase_policy_load_file(path, NULL, &p, diags);
    return *rc_out ? NULL : p;
}

static void print_diags(const char *path, const archase_diag_list *diags, int rc) {
    size_t n = archase_diag_list_count(diags);
    char line[ARCHASE_DIAG_SOURCE_MAX + ARCHASE_DIAG_MESSAGE_MAX + 32];
    for (size_t i = 0; i < n; i++) {
        archase_diag_format(archase_diag_list_get(diags, i), line, sizeof line);
        fprintf(stderr, "%s\n", line);
    }
    size_t dropped = archase_diag_list_dropped(diags);
    if (dropped)
        fprintf(stderr, "%s: %zu more problem%s not shown\n", path, dropped, dropped == 1 ? "" : "s");
    if (n == 0)
        fprintf(stderr, "%s: %s\n", path, archase_strerror(rc));
}

static int policy_check(const char **files, int count, int json) {
    archase_diag_list *diags = NULL;
    if (archase_diag_list_new(NULL, 0, &diags))
        return cli_fail_rc("policy", ARCHASE_ENOMEM, "check", NULL);
    int status = CLI_OK;
    cli_json j;
    cli_json_init(&j, stdout, 0);
    if (json)
        cli_json_begin_array(&j);
    for (int i = 0; i < count; i++) {
        int rc;
        archase_policy *p = load_policy(files[i], diags, &rc);
        if (!p)
            status = CLI_INVALID;
        if (json) {
            cli_json_begin_object(&j);
            cli_json_key(&j, "file");
            cli_json_string(&j, files[i]);
            cli_json_key(&j, "ok");
            cli_json_bool(&j, p != NULL);
            cli_json_key(&j, "diagnostics");
            cli_json_begin_array(&j);
            for (size_t k = 0; k < archase_diag_list_count(diags); k++) {
                const archase_diag *d = archase_diag_list_get(diags, k);
                cli_json_begin_object(&j);
                cli_json_key(&j, "line");
                cli_json_int(&j, d->line);
                cli_json_key(&j, "column");
                cli_json_int(&j, d->column);
                cli_json_key(&j, "message");
                cli_json_string(&j, d->message);
                cli_json_end_object(&j);
            }
            cli_json_end_array(&j);
            cli_json_key(&j, "more");
            cli_json_int(&j, (long long)archase_diag_list_dropped(diags));
            cli_json_end_object(&j);
        } else if (p) {
            printf("%s: ok\n", files[i]);
        } else {
            print_diags(files[i], diags, rc);
        }
        archase_policy_free(p);
    }
    if (json) {
        cli_json_end_array(&j);
        cli_json_finish(&j);
    }
    archase_diag_list_free(diags);
    return status;
}

static int policy_hash(const char *file, int json) {
    archase_diag_list *diags = NULL;
    if (archase_diag_list_new(NULL, 0, &diags))
        return cli_fail_rc("policy", ARCHASE_ENOMEM, "hash", NULL);
    int rc;
    archase_policy *p = load_policy(file, diags, &rc);
    int status = CLI_OK;
    if (!p) {
        print_diags(file, diags, rc);
        status = CLI_INVALID;
        goto done;
    }
    uint8_t hash[32];
    char hex[ARCHASE_HASH_HEX_SIZE];
    archase_policy_hash(p, hash);
    archase_hex_encode(hash, sizeof hash, hex, sizeof hex);
    if (json) {
        cli_json j;
        cli_json_init(&j, stdout, 0);
        cli_json_begin_object(&j);
        cli_json_key(&j, "file");
        cli_json_string(&j, file);
        cli_json_key(&j, "hash");
        cli_json_string(&j, hex);
        cli_json_end_object(&j);
        cli_json_finish(&j);
    } else {
        printf("%s\n", hex);
    }
done:
    archase_policy_free(p);
    archase_diag_list_free(diags);
    return status;
}

/* ---- explain ---------------------------------------------------------------- */

static const char *channel_text(int channel) {
    static const char *const names[] = { "-", "email", "sms", "letter", "portal", "call", "internal" };
    return channel >= 0 && channel <= 6 ? names[channel] : "?";
}

static const char *roll_text(int roll) {
    static const char *const names[] = { "none", "following", "preceding", "modified_following" };
    return roll >= 0 && roll <= 3 ? names[roll] : "?";
}

static void print_timeline(const archase_policy *p, size_t seq) {
    archase_policy_sequence_info si;
    archase_policy_sequence(p, seq, &si);
    for (size_t k = 0; k < si.step_count; k++) {
        archase_policy_step_info st;
        archase_policy_step(p, seq, k, &st);
        char day[24];
        if (st.offset == 0)
            snprintf(day, sizeof day, "due date");
        else
            snprintf(day, sizeof day, "day %+d", (int)st.offset);
        printf("      %-9s %-13s %-8s %-8s %s%s%s%s\n", day, archase_action_name(st.action),
               channel_text(st.channel), archase_tone_name(st.tone),
               st.template_name ? st.template_name : "", st.sensitive ? "  [needs approval]" : "",
               st.condition ? "  when " : "", st.condition ? st.condition : "");
    }
}

static size_t find_sequence(const archase_policy *p, const char *name) {
    for (size_t i = 0; i < archase_policy_sequence_count(p); i++) {
        archase_policy_sequence_info si;
        archase_policy_sequence(p, i, &si);
        if (!strcmp(si.name, name))
            return i;
    }
    return (size_t)-1;
}

static void money_list_text(const archase_policy *p, char *buf, size_t size) {
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < archase_policy_materiality_count(p); i++) {
        archase_money m;
        char text[ARCHASE_MONEY_FORMAT_MAX];
        archase_policy_materiality(p, i, &m);
        archase_money_format(&m, text, sizeof text);
        int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", text);
        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
    }
}

static void explain_text(const archase_policy *p, const char *file) {
    uint8_t hash[32];
    char hex[ARCHASE_HASH_HEX_SIZE];
    archase_policy_hash(p, hash);
    archase_hex_encode(hash, sizeof hash, hex, sizeof hex);
    const char *name = archase_policy_name(p);
    printf("%s\n", name[0] ? name : file);
    printf("  schema version %d, hash %.16s…\n", archase_policy_version(p), hex);
    printf("  default currency %s, default locale %s\n\n", archase_policy_default_currency(p),
           archase_policy_default_locale(p));
    printf("Segments (the first that matches decides):\n");
    for (size_t i = 0; i < archase_policy_segment_count(p); i++) {
        archase_policy_segment_info s;
        archase_policy_segment(p, i, &s);
        printf("  %zu. %s — %s\n", i + 1, s.name, s.condition ? s.condition : "every other invoice");
        size_t seq = find_sequence(p, s.sequence);
        if (seq == (size_t)-1)
            continue;
        archase_policy_sequence_info si;
        archase_policy_sequence(p, seq, &si);
        printf("     sequence %s (business days: calendar %s, roll %s)\n", si.name, si.calendar,
               roll_text(si.roll));
        print_timeline(p, seq);
    }
    printf("\nApprovals (sensitive actions are never carried out without them):\n");
    char materiality[512];
    money_list_text(p, materiality, sizeof materiality);
    printf("  materiality: %s\n", materiality[0] ? materiality : "none (every amount counts as above)");
    for (size_t i = 0; i < archase_policy_approval_count(p); i++) {
        archase_policy_approval_info a;
        archase_policy_approval(p, i, &a);
        printf("  %-22s %u below / %u at or above materiality, expires after %u days; roles:",
               archase_action_name(a.action), (unsigned)a.approvers_below, (unsigned)a.approvers_above,
               (unsigned)a.expiry_days);
        for (size_t r = 0; r < a.role_count; r++)
            printf("%s %s", r ? "," : "", archase_policy_approval_role(p, i, r));
        printf("\n");
    }
    printf("\nTemplates:\n");
    for (size_t i = 0; i < archase_policy_template_count(p); i++) {
        archase_policy_template_info t;
        archase_policy_template(p, i, &t);
        printf("  %-28s stage %-12s %-8s", t.name, t.stage, archase_tone_name(t.tone));
        for (int c = 1; c <= 6; c++)
            if (t.channel_mask & (1u << c))
                printf(" %s", channel_text(c));
        printf("\n");
    }
}

static void explain_json(const archase_policy *p, const char *file) {
    uint8_t hash[32];
    char hex[ARCHASE_HASH_HEX_SIZE];
    archase_policy_hash(p, hash);
    archase_hex_encode(hash, sizeof hash, hex, sizeof hex);
    cli_json j;
    cli_json_init(&j, stdout, 1);
    cli_json_begin_object(&j);
    cli_json_key(&j, "file");
    cli_json_string(&j, file);
    cli_json_key(&j, "name");
    cli_json_string(&j, archase_policy_name(p));
    cli_json_key(&j, "version");
    cli_json_int(&j, archase_policy_version(p));
    cli_json_key(&j, "hash");
    cli_json_string(&j, hex);
    cli_json_key(&j, "default_currency");
    cli_json_string(&j, archase_policy_default_currency(p));
    cli_json_key(&j, "segments");
    cli_json_begin_array(&j);
    for (size_t i = 0; i < archase_policy_segment_count(p); i++) {
        archase_policy_segment_info s;
        archase_policy_segment(p, i, &s);
        cli_json_begin_object(&j);
        cli_json_key(&j, "name");
        cli_json_string(&j, s.name);
        cli_json_key(&j, "when");
        if (s.condition)
            cli_json_string(&j, s.condition);
        else
            cli_json_null(&j);
        cli_json_key(&j, "sequence");
        cli_json_string(&j, s.sequence);
        cli_json_end_object(&j);
    }
    cli_json_end_array(&j);
    cli_json_key(&j, "sequences");
    cli_json_begin_array(&j);
    for (size_t i = 0; i < archase_policy_sequence_count(p); i++) {
        archase_policy_sequence_info si;
        archase_policy_sequence(p, i, &si);
        cli_json_begin_object(&j);
        cli_json_key(&j, "name");
        cli_json_string(&j, si.name);
        cli_json_key(&j, "calendar");
        cli_json_string(&j, si.calendar);
        cli_json_key(&j, "steps");
        cli_json_begin_array(&j);
        for (size_t k = 0; k < si.step_count; k++) {
            archase_policy_step_info st;
            archase_policy_step(p, i, k, &st);
            cli_json_begin_object(&j);
            cli_json_key(&j, "id");
            cli_json_string(&j, st.id);
            cli_json_key(&j, "offset");
            cli_json_int(&j, st.offset);
            cli_json_key(&j, "action");
            cli_json_string(&j, archase_action_name(st.action));
            cli_json_key(&j, "channel");
            cli_json_string(&j, channel_text(st.channel));
            cli_json_key(&j, "tone");
            cli_json_string(&j, archase_tone_name(st.tone));
            cli_json_key(&j, "template");
            if (st.template_name)
                cli_json_string(&j, st.template_name);
            else
                cli_json_null(&j);
            cli_json_key(&j, "when");
            if (st.condition)
                cli_json_string(&j, st.condition);
            else
                cli_json_null(&j);
            cli_json_key(&j, "needs_approval");
            cli_json_bool(&j, st.sensitive);
            cli_json_end_object(&j);
        }
        cli_json_end_array(&j);
        cli_json_end_object(&j);
    }
    cli_json_end_array(&j);
    cli_json_key(&j, "approvals");
    cli_json_begin_array(&j);
    for (size_t i = 0; i < archase_policy_approval_count(p); i++) {
        archase_policy_approval_info a;
        archase_policy_approval(p, i, &a);
        cli_json_begin_object(&j);
        cli_json_key(&j, "action");
        cli_json_string(&j, archase_action_name(a.action));
        cli_json_key(&j, "approvers_below");
        cli_json_int(&j, a.approvers_below);
        cli_json_key(&j, "approvers_above");
        cli_json_int(&j, a.approvers_above);
        cli_json_key(&j, "expiry_days");
        cli_json_int(&j, a.expiry_days);
        cli_json_key(&j, "roles");
        cli_json_begin_array(&j);
        for (size_t r = 0; r < a.role_count; r++)
            cli_json_string(&j, archase_policy_approval_role(p, i, r));
        cli_json_end_array(&j);
        cli_json_end_object(&j);
    }
    cli_json_end_array(&j);
    cli_json_key(&j, "materiality");
    cli_json_begin_array(&j);
    for (size_t i = 0; i < archase_policy_materiality_count(p); i++) {
        archase_money m;
        char text[ARCHASE_MONEY_FORMAT_MAX];
        archase_policy_materiality(p, i, &m);
        archase_money_format(&m, text, sizeof text);
        cli_json_string(&j, text);
    }
    cli_json_end_array(&j);
    cli_json_end_object(&j);
    cli_json_finish(&j);
}

static int policy_explain(const char *file, int json) {
    archase_diag_list *diags = NULL;
    if (archase_diag_list_new(NULL, 0, &diags))
        return cli_fail_rc("policy", ARCHASE_ENOMEM, "explain", NULL);
    int rc;
    archase_policy *p = load_policy(file, diags, &rc);
    int status = CLI_OK;
    if (!p) {
        print_diags(file, diags, rc);
        status = CLI_INVALID;
    } else if (json) {
        explain_json(p, file);
    } else {
        explain_text(p, file);
    }
    archase_policy_free(p);
    archase_diag_list_free(diags);
    return status;
}

/* ---- diff ------------------------------------------------------------------------- */

/* The entity a setting belongs to: the path up to its first "]"
 * ("sequences.standard.steps[d+7]"), or 0 when it has none. */
static size_t entity_len(const char *path) {
    const char *close = strchr(path, ']');
    return close ? (size_t)(close - path) + 1 : 0;
}

/* 1 when some setting of `p` starts with the entity `path[0..len)`. */
static int has_entity(const archase_policy *p, const char *path, size_t len) {
    size_t lo = 0, hi = archase_policy_setting_count(p);
    while (lo < hi) { /* settings are sorted by path */
        size_t mid = lo + (hi - lo) / 2;
        const char *mp, *mv;
        archase_policy_setting(p, mid, &mp, &mv);
        int c = strncmp(mp, path, len);
        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* Writes a value for one line: newlines as \n, cut to 100 characters. */
static void shown(const char *v, char *out, size_t size) {
    size_t n = 0;
    for (const char *s = v; *s && n + 4 < size; s++) {
        if (n >= 100) {
            memcpy(out + n, "...", 3);
            n += 3;
            break;
        }
        if (*s == '\n') {
            out[n++] = '\\';
            out[n++] = 'n';
        } else {
            out[n++] = *s;
        }
    }
    out[n] = '\0';
}

typedef struct diff_out {
    int      json;
    cli_json j;
    size_t   changes;
} diff_out;

static void report(diff_out *o, const char *kind, const char *path, size_t path_len, const char *before,
                   const char *after) {
    o->changes++;
    if (o->json) {
        cli_json_begin_object(&o->j);
        cli_json_key(&o->j, "kind");
        cli_json_string(&o->j, kind);
        cli_json_key(&o->j, "path");
        char buf[512];
        snprintf(buf, sizeof buf, "%.*s", (int)path_len, path);
        cli_json_string(&o->j, buf);
        cli_json_key(&o->j, "before");
        if (before)
            cli_json_string(&o->j, before);
        else
            cli_json_null(&o->j);
        cli_json_key(&o->j, "after");
        if (after)
            cli_json_string(&o->j, after);
        else
            cli_json_null(&o->j);
        cli_json_end_object(&o->j);
        return;
    }
    char a[128], b[128];
    if (!strcmp(kind, "added") && !before && !after)
        printf("+ %.*s (added)\n", (int)path_len, path);
    else if (!strcmp(kind, "removed") && !before && !after)
        printf("- %.*s (removed)\n", (int)path_len, path);
    else if (!strcmp(kind, "added"))
        shown(after, b, sizeof b), printf("+ %.*s: %s\n", (int)path_len, path, b);
    else if (!strcmp(kind, "removed"))
        shown(before, a, sizeof a), printf("- %.*s: %s\n", (int)path_len, path, a);
    else
        shown(before, a, sizeof a), shown(after, b, sizeof b),
            printf("~ %.*s: %s -> %s\n", (int)path_len, path, a[0] ? a : "(none)", b[0] ? b : "(none)");
}

static int policy_diff(const char *file_a, const char *file_b, int json) {
    archase_diag_list *diags = NULL;
    if (archase_diag_list_new(NULL, 0, &diags))
        return cli_fail_rc("policy", ARCHASE_ENOMEM, "diff", NULL);
    int rc, status = CLI_OK;
    archase_policy *a = load_policy(file_a, diags, &rc);
    if (!a)
        print_diags(file_a, diags, rc);
    archase_policy *b = load_policy(file_b, diags, &rc);
    if (!b)
        print_diags(file_b, diags, rc);
    if (!a || !b) {
        status = CLI_INVALID;
        goto done;
    }
    diff_out o;
    memset(&o, 0, sizeof o);
    o.json = json;
    cli_json_init(&o.j, stdout, 0);
    if (json) {
        cli_json_begin_object(&o.j);
        cli_json_key(&o.j, "changes");
        cli_json_begin_array(&o.j);
    }
    size_t na = archase_policy_setting_count(a), nb = archase_policy_setting_count(b);
    size_t i = 0, k = 0;
    const char *last_entity = NULL;
    size_t last_len = 0;
    while (i < na || k < nb) {
        const char *pa = NULL, *va = NULL, *pb = NULL, *vb = NULL;
        if (i < na)
            archase_policy_setting(a, i, &pa, &va);
        if (k < nb)
            archase_policy_setting(b, k, &pb, &vb);
        int c = !pa ? 1 : !pb ? -1 : strcmp(pa, pb);
        const char *path = c <= 0 ? pa : pb;
        size_t elen = entity_len(path);
        int in_a = elen ? has_entity(a, path, elen) : 1;
        int in_b = elen ? has_entity(b, path, elen) : 1;
        if (elen && (!in_a || !in_b)) {
            /* A whole segment, step, rule ... added or removed: one line. */
            if (!last_entity || last_len != elen || strncmp(last_entity, path, elen))
                report(&o, in_b ? "added" : "removed", path, elen, NULL, NULL);
            last_entity = path;
            last_len = elen;
        } else if (c == 0) {
            if (strcmp(va, vb))
                report(&o, "changed", pa, strlen(pa), va, vb);
        } else if (c < 0) {
            report(&o, "removed", pa, strlen(pa), va, NULL);
        } else {
            report(&o, "added", pb, strlen(pb), NULL, vb);
        }
        if (c <= 0)
            i++;
        if (c >= 0)
            k++;
    }
    if (json) {
        cli_json_end_array(&o.j);
        cli_json_key(&o.j, "identical");
        cli_json_bool(&o.j, o.changes == 0);
        cli_json_end_object(&o.j);
        cli_json_finish(&o.j);
    } else if (o.changes == 0) {
        printf("no differences\n");
    }
done:
    archase_policy_free(a);
    archase_policy_free(b);
    archase_diag_list_free(diags);
    return status;
}

int cmd_policy(int argc, char **argv) {
    int json = 0, help = 0, npos = 0;
    const char *pos[POLICY_CHECK_MAX + 1];
    const cli_option options[] = {
        { "json", 0, NULL, &json },
        { NULL, 0, NULL, NULL },
    };
    int rc = cli_parse("policy", cmd_policy_help, argc, argv, 1, options, pos, POLICY_CHECK_MAX + 1,
                       &npos, &help);
    if (rc || help)
        return rc;
    if (npos == 0)
        return cli_fail("policy", CLI_USAGE, "missing ACTION (see `archase policy --help`)");
    const char *action = pos[0];
    if (!strcmp(action, "check")) {
        if (npos < 2)
            return cli_fail("policy", CLI_USAGE, "check takes one or more files: archase policy check FILE...");
        return policy_check(pos + 1, npos - 1, json);
    }
    if (!strcmp(action, "hash") || !strcmp(action, "explain")) {
        if (npos != 2)
            return cli_fail("policy", CLI_USAGE, "%s takes one file: archase policy %s FILE [--json]", action,
                            action);
        return !strcmp(action, "hash") ? policy_hash(pos[1], json) : policy_explain(pos[1], json);
    }
    if (!strcmp(action, "diff")) {
        if (npos != 3)
            return cli_fail("policy", CLI_USAGE, "diff takes two files: archase policy diff A B [--json]");
        return policy_diff(pos[1], pos[2], json);
    }
    return cli_fail("policy", CLI_USAGE, "unknown action '%s' (see `archase policy --help`)", action);
}
