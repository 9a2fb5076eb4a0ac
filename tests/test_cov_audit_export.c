/* tests/test_cov_audit_export.c — an audit export read by an auditor who has
 * only the file: every way a line can be malformed (its JSON, the header,
 * a checkpoint line, a record line whose fields disagree with its bytes),
 * each reported with its line and what is wrong, and the verifier's own
 * arguments and its reader's failures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archase/archase.h"
#include "support/testutil.h"

#define H ARCHASE_HASH_SIZE

/* RFC 8032 §7.1, TEST 1. */
static const char key1_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";

typedef struct text {
    char  *data;
    size_t len, cap;
    size_t at;    /* reading position */
    size_t piece; /* bytes handed out per read (0: all that fits) */
} text;

static int text_write(void *userdata, const void *data, size_t size) {
    text *t = userdata;
    if (t->len + size + 1 > t->cap) {
        size_t cap = (t->len + size + 1) * 2;
        char *p = realloc(t->data, cap);
        assert_non_null(p);
        t->data = p;
        t->cap = cap;
    }
    memcpy(t->data + t->len, data, size);
    t->len += size;
    t->data[t->len] = '\0';
    return 0;
}

static void text_puts(text *t, const char *s) {
    text_write(t, s, strlen(s));
}

static int text_read(void *userdata, void *buf, size_t size, size_t *got) {
    text *t = userdata;
    size_t n = t->len - t->at;
    if (t->piece && n > t->piece)
        n = t->piece;
    if (n > size)
        n = size;
    memcpy(buf, t->data + t->at, n);
    t->at += n;
    *got = n;
    return 0;
}

static archase_instant fixed_now(void *userdata) {
    return *(archase_instant *)userdata;
}

/* A log of a customer, three invoices and a signed checkpoint: the export
 * has a header, one checkpoint line and five record lines. */
typedef struct fixture {
    archase_engine *eng;
    archase_instant now;
    archase_clock   clock;
    uint8_t         pub[32];
    text            t;
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->now = 1767225600;
    f->clock = (archase_clock){ ARCHASE_CLOCK_VERSION, &f->now, fixed_now };
    archase_engine_options o = ARCHASE_ENGINE_OPTIONS_INIT;
    o.clock = &f->clock;
    o.actor = "importer";
    assert_int_equal(archase_open_memory(&o, &f->eng), 0);
    archase_customer c = ARCHASE_CUSTOMER_INIT;
    c.id = "C1";
    c.name = "ACME";
    c.source_link = "crm://accounts/acme";
    assert_int_equal(archase_customer_put(f->eng, &c, NULL), 0);
    for (int i = 1; i <= 3; i++) {
        archase_invoice inv = ARCHASE_INVOICE_INIT;
        char id[8];
        snprintf(id, sizeof id, "I%d", i);
        inv.id = id;
        inv.customer_id = "C1";
        inv.issue_date = 20454;
        inv.due_date = 20484;
        inv.amount = (archase_money){ 1000 * i, "EUR" };
        inv.source_link = i == 2 ? NULL : "erp://invoices/x";
        f->now += 60;
        assert_int_equal(archase_invoice_put(f->eng, &inv, NULL), 0);
    }
    archase_signing_key *key = NULL;
    archase_signer signer;
    assert_int_equal(archase_signing_key_from_pem(key1_pem, strlen(key1_pem), NULL, &key), 0);
    assert_int_equal(archase_signing_key_signer(key, &signer), 0);
    assert_int_equal(archase_signing_key_public(key, f->pub), 0);
    assert_int_equal(archase_audit_checkpoint(f->eng, &signer, NULL), 0);
    archase_signing_key_free(key);
    assert_int_equal(archase_audit_export(f->eng, text_write, &f->t), 0);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    archase_engine_free(f->eng);
    free(f->t.data);
    free(f);
    return 0;
}

/* Line `n` (from 0) of `t`, without its newline, in `out`. */
static void line_of(const text *t, int n, char *out, size_t size) {
    const char *p = t->data;
    for (int i = 0; i < n; i++) {
        p = strchr(p, '\n');
        assert_non_null(p);
        p++;
    }
    const char *e = strchr(p, '\n');
    assert_non_null(e);
    assert_true((size_t)(e - p) < size);
    memcpy(out, p, (size_t)(e - p));
    out[e - p] = '\0';
}

/* `t` with line `n` replaced by `line` (NULL: removed). */
static text with_line(const text *t, int n, const char *line) {
    text out = { NULL, 0, 0, 0, 0 };
    const char *p = t->data;
    for (int i = 0; *p; i++) {
        const char *e = strchr(p, '\n');
        assert_non_null(e);
        if (i != n) {
            text_write(&out, p, (size_t)(e - p) + 1);
        } else if (line) {
            text_puts(&out, line);
            text_puts(&out, "\n");
        }
        p = e + 1;
    }
    return out;
}

/* `t` with the first `from` in line `n` replaced by `to`. */
static text edit_line(const text *t, int n, const char *from, const char *to) {
    char line[8192], edited[8192];
    line_of(t, n, line, sizeof line);
    char *at = strstr(line, from);
    if (!at)
        fail_msg("line %d has no '%s': %s", n, from, line);
    snprintf(edited, sizeof edited, "%.*s%s%s", (int)(at - line), line, to, at + strlen(from));
    return with_line(t, n, edited);
}

static int verify(text *t, const archase_audit_verify_options *o, archase_audit_report *r) {
    t->at = 0;
    return archase_audit_verify_export(text_read, t, o, r);
}

/* Verifies `t` (and frees it): it must fail with `problem` at `first_bad`,
 * the message holding `what`. */
static void expect_problem(text t, int problem, uint64_t first_bad, const char *what) {
    archase_audit_report r;
    memset(&r, 0, sizeof r);
    int rc = verify(&t, NULL, &r);
    if (rc != ARCHASE_EVERIFY || r.problem != problem || r.first_bad != first_bad ||
        !strstr(r.message, what))
        fail_msg("expected %s at %llu with '%s'; got %s, %s at %llu: %s", archase_audit_problem_name(problem),
                 (unsigned long long)first_bad, what, archase_error_name(rc),
                 archase_audit_problem_name(r.problem), (unsigned long long)r.first_bad, r.message);
    free(t.data);
}

/* A header line of its own (line 1 of an export) with `json` in it. */
static void expect_bad_header(const char *json, const char *what) {
    text t = { NULL, 0, 0, 0, 0 };
    text_puts(&t, json);
    text_puts(&t, "\n");
    expect_problem(t, ARCHASE_AUDIT_PROBLEM_STATE, 0, what);
}

/* ---- the export as written ------------------------------------------------------ */

static void the_export_verifies_read_in_any_piece_size(void **state) {
    fixture *f = *state;
    archase_audit_report r;
    static const size_t pieces[] = { 0, 1, 7, 64 };
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
        f->t.piece = pieces[i];
        assert_int_equal(verify(&f->t, NULL, &r), 0);
        assert_int_equal(r.records, 5);
        assert_int_equal(r.checkpoints, 1);
        assert_non_null(strstr(r.message, "5 records verified; 1 checkpoints"));
    }
    /* Without its last newline, with CRLF endings, blank-padded: the same. */
    text t = { NULL, 0, 0, 0, 0 };
    text_write(&t, f->t.data, f->t.len - 1);
    assert_int_equal(verify(&t, NULL, &r), 0);
    free(t.data);
    t = (text){ NULL, 0, 0, 0, 0 };
    for (const char *p = f->t.data; *p; p++) {
        if (*p == '\n')
            text_puts(&t, " \t\r\n");
        else
            text_write(&t, p, 1);
    }
    assert_int_equal(verify(&t, NULL, &r), 0);
    free(t.data);
}

/* ---- JSON that is not one flat object per line ----------------------------------- */

static void lines_that_are_not_json_objects_are_named(void **state) {
    (void)state;
    static const struct {
        const char *json, *what;
    } cases[] = {
        { "", "line 1: expected '{': each line holds one JSON object at column 1" },
        { "   [1]", "expected '{'" },
        { "{", "expected a string at column 2" },
        { "{\"a\"", "expected ':'" },
        { "{\"a\" 1}", "expected ':' at column 6" },
        { "{a:1}", "expected a string" },
        { "{\"a\":1 \"b\":2}", "expected ',' or '}'" },
        { "{\"a\":1,}", "expected a string" },
        { "{\"a\":1", "expected ',' or '}'" },
        { "{\"a\":1} x", "text after the object" },
        { "{\"a\":}", "expected a string, an integer or an array of strings" },
        { "{\"a\":-}", "expected a string, an integer or an array of strings" },
        { "{\"a\":x}", "expected a string, an integer or an array of strings" },
        { "{\"a\":\"x", "a string is never closed" },
        { "{\"a\":\"x\x01\"}", "a control character in a string" },
        { "{\"a\":\"x\\", "an unfinished escape" },
        { "{\"a\":\"\\q\"}", "an unknown escape" },
        { "{\"a\":\"\\u12\"}", "a bad \\u escape" },
        { "{\"a\":\"\\u12G4\"}", "a bad \\u escape" },
        { "{\"a\":\"\\u0000\"}", "a NUL character in a string" },
        { "{\"a\":\"\\ud800\"}", "an unpaired surrogate" },
        { "{\"a\":\"\\ud800\\u0041\"}", "an unpaired surrogate" },
        { "{\"a\":\"\\ud800\\ue000\"}", "an unpaired surrogate" },
        { "{\"a\":\"\\ud800x\\udc00\"}", "an unpaired surrogate" },
        { "{\"a\":\"\\udc00\"}", "an unpaired surrogate" },
        { "{\"a\":[\"x\" \"y\"]}", "expected ',' or ']'" },
        { "{\"a\":[\"x\",]}", "expected a string" },
        { "{\"a\":[1]}", "expected a string" },
        { "{\"a\":[\"x\"", "an array is never closed" },
        { "{\"a\":[", "an array is never closed" },
        { "{\"a\":1,\"a\":2}", "key 'a' appears twice" },
        { "{\"\\u0061\":1,\"a\":[]}", "key 'a' appears twice" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_bad_header(cases[i].json, cases[i].what);
}

static void members_and_items_have_limits(void **state) {
    (void)state;
    char json[4096];
    size_t n = 0;
    /* 16 members are read (and then the header is wrong); 17 are too many. */
    n += (size_t)snprintf(json + n, sizeof json - n, "{");
    for (int i = 0; i < 16; i++)
        n += (size_t)snprintf(json + n, sizeof json - n, "%s\"k%d\":%d", i ? "," : "", i, i);
    snprintf(json + n, sizeof json - n, "}");
    expect_bad_header(json, "not the header of an audit log export");
    snprintf(json + n, sizeof json - n, ",\"k16\":16}");
    expect_bad_header(json, "too many members");
    /* 64 items in an array are read; 65 are too many. */
    n = (size_t)snprintf(json, sizeof json, "{\"a\":[");
    for (int i = 0; i < 64; i++)
        n += (size_t)snprintf(json + n, sizeof json - n, "%s\"%d\"", i ? ", " : "", i);
    snprintf(json + n, sizeof json - n, "]}");
    expect_bad_header(json, "not the header of an audit log export");
    snprintf(json + n, sizeof json - n, ",\"64\"]}");
    expect_bad_header(json, "too many items in an array");
}

/* Every escape JSON has decodes to its character: a log id written with
 * escapes is the same log id. */
static void escaped_strings_are_read_as_their_characters(void **state) {
    fixture *f = *state;
    char header[1024], id[64], escaped[512];
    line_of(&f->t, 0, header, sizeof header);
    const char *p = strstr(header, "\"log_id\":\"") + strlen("\"log_id\":\"");
    memcpy(id, p, 35);
    id[35] = '\0';
    /* "ar-" as \u0061\u0072\u002D, the rest as it is. */
    snprintf(escaped, sizeof escaped, "\\u0061\\u0072\\u002D%s", id + 3);
    text t = edit_line(&f->t, 0, id, escaped);
    archase_audit_report r;
    assert_int_equal(verify(&t, NULL, &r), 0);
    assert_string_equal(r.log_id, id);
    free(t.data);
    /* Every other escape, and 2-, 3- and 4-byte characters, in a log id
     * the records do not name: the header is read, then found wrong. */
    t = edit_line(&f->t, 0, id, "\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u20AC\\ud83d\\ude00");
    expect_problem(t, ARCHASE_AUDIT_PROBLEM_STATE, 5,
                   "the header names log '\"\\/\b\f\n\r\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80', but its records are log");
}

/* ---- the header ------------------------------------------------------------------- */

static void a_header_that_is_not_one_is_refused(void **state) {
    fixture *f = *state;
    char header[1024], json[1200];
    line_of(&f->t, 0, header, sizeof header);
    static const struct {
        const char *from, *to;
    } edits[] = {
        { "\"type\":\"audit_log\"", "\"type\":\"audit\"" },
        { "\"type\":\"audit_log\"", "\"type\":1" },
        { "\"type\":\"audit_log\",", "" },
        { "\"format\":1", "\"format\":\"1\"" },
        { "\"format\":1", "\"format\":01" },
        { "\"format\":1", "\"format\":-1" },
        { "\"log_id\":", "\"log\":" },
        { "\"size\":5", "\"size\":\"5\"" },
        { "\"size\":5", "\"size\":05" },
        { "\"size\":5", "\"size\":123456789012345678901" },
        { "\"size\":5", "\"size\":18446744073709551616" },
        { "\"size\":5", "\"size\":18446744073709551615" },
        { "\"root\":\"", "\"root\":\"0" },
        { "\"root\":\"", "\"root\":\"zz" },
        { "\"head\":\"", "\"head\":[\"" },
    };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        char *at = strstr(header, edits[i].from);
        assert_non_null(at);
        snprintf(json, sizeof json, "%.*s%s%s", (int)(at - header), header, edits[i].to,
                 at + strlen(edits[i].from));
        if (i == sizeof edits / sizeof edits[0] - 1)
            strcpy(strstr(json, "[\"") + 2 + 64, "\"]}");
        text t = with_line(&f->t, 0, json);
        expect_problem(t, ARCHASE_AUDIT_PROBLEM_STATE, 0, "line 1: the first line is not the header");
    }
    /* A log id longer than a log id can be. */
    char long_id[200];
    memset(long_id, 'a', 129);
    long_id[129] = '\0';
    const char *id = strstr(header, "\"log_id\":\"") + strlen("\"log_id\":\"");
    char id35[40];
    memcpy(id35, id, 35);
    id35[35] = '\0';
    text t = edit_line(&f->t, 0, id35, long_id);
    expect_problem(t, ARCHASE_AUDIT_PROBLEM_STATE, 0, "line 1: the first line is not the header");
    /* A later format. */
    t = edit_line(&f->t, 0, "\"format\":1", "\"format\":2");
    expect_problem(t, ARCHASE_AUDIT_PROBLEM_STATE, 0, "a format this library does not read");
    /* Nothing at all. */
    t = (text){ NULL, 0, 0, 0, 0 };
    text_write(&t, "", 0);
    expect_problem(t, ARCHASE_AUDIT_PROBLEM_STATE, 0, "the export is empty: no header line");
}

static void a_header_that_disagrees_with_the_records_is_named(void **state) {
    fixture *f = *state;
    char header[1024];
    line_of(&f->t, 0, header, sizeof header);
    /* Another head hash. */
    const char *head = strstr(header, "\"head\":\"") + strlen("\"head\":\"");
    char from[80], to[80];
    snprintf(from, sizeof from, "\"head\":\"%.64s", head);
    snprintf(to, sizeof to, "\"head\":\"%.63s%c", head, head[63] == '0' ? '1' : '0');
    text t = edit_line(&f->t, 0, from, to);
    expect_problem(t, ARCHASE_AUDIT_PROBLEM_STATE, 5, "the header's head hash is not the hash of the last record");
    /* Another log id. */
    const char *id = strstr(header, "\"log_id\":\"") + strlen("\"log_id\":\"");
    snprintf(from, sizeof from, "\"log_id\":\"%.35s", id);
    t = edit_line(&f->t, 0, from, "\"log_id\":\"ar-00000000000000000000000000000000");
    expect_problem(t, ARCHASE_AUDIT_PROBLEM_STATE, 5, "the header names log 'ar-0000");
    /* A header of more records than follow, and of fewer. */
    t = edit_line(&f->t, 0, "\"size\":5", "\"size\":6");
    expect_problem(t, ARCHASE_AUDIT_PROBLEM_TRUNCATED, 5, "");
    t = edit_line(&f->t, 0, "\"size\":5", "\"size\":4");
    expect_problem(t, ARCHASE_AUDIT_PROBLEM_ROOT, 3, "the first 4 records do not have the expected root");
    /* A header alone: no records, but it names five. */
    t = (text){ NULL, 0, 0, 0, 0 };
    text_puts(&t, header);
    text_puts(&t, "\n");
    archase_audit_report r;
    assert_int_equal(verify(&t, NULL, &r), ARCHASE_EVERIFY);
    assert_int_equal(r.records, 0);
    assert_int_equal(r.problem, ARCHASE_AUDIT_PROBLEM_TRUNCATED);
    assert_int_equal(r.first_bad, 0);
    assert_string_equal(r.log_id, "");
    free(t.data);
    /* The header and its checkpoint alone: the checkpoint's record is missing. */
    t = with_line(&f->t, 2, NULL);
    for (int i = 0; i < 4; i++) {
        text shorter = with_line(&t, 2, NULL);
        free(t.data);
        t = shorter;
    }
    assert_int_equal(verify(&t, NULL, &r), ARCHASE_EVERIFY);
    assert_int_equal(r.records, 0);
    free(t.data);
}

/* ---- checkpoint lines --------------------------------------------------------------- */

static void a_checkpoint_line_that_is_not_one_is_named(void **state) {
    fixture *f = *state;
    char line[2048];
    line_of(&f->t, 1, line, sizeof line);
    assert_non_null(strstr(line, "{\"type\":\"checkpoint\",\"size\":4,"));
    static const struct {
        const char *from, *to;
    } edits[] = {
        { "\"size\":4", "\"size\":3" },     /* not the checkpoint's own size */
        { "\"size\":4", "\"size\":\"4\"" }, /* not a number */
        { "\"public_key\":\"", "\"public_key\":\"0" },
        { "\"public_key\":", "\"key\":" },
        { "\"checkpoint\":\"archase-checkpoint v1", "\"checkpoint\":\"archase-checkpoint v2" },
        { "\"checkpoint\":", "\"text\":" },
    };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        text t = edit_line(&f->t, 1, edits[i].from, edits[i].to);
        archase_audit_report r;
        assert_int_equal(verify(&t, NULL, &r), ARCHASE_EVERIFY);
        assert_int_equal(r.problem, ARCHASE_AUDIT_PROBLEM_CHECKPOINT);
        if (!strstr(r.message, "line 2: not a checkpoint in the text form with its public key"))
            fail_msg("edit %zu: %s", i, r.message);
        free(t.data);
    }
    /* A checkpoint line again after the records. */
    text t = with_line(&f->t, 1, line);
    text_puts(&t, line);
    text_puts(&t, "\n");
    expect_problem(t, ARCHASE_AUDIT_PROBLEM_MALFORMED, 5, "line 8: a checkpoint line after the records");
}

/* ---- record lines -------------------------------------------------------------------- */

static void lines_that_are_neither_checkpoints_nor_records_are_named(void **state) {
    fixture *f = *state;
    text t = edit_line(&f->t, 3, "\"type\":\"record\"", "\"type\":\"note\"");
    expect_problem(t, ARCHASE_AUDIT_PROBLEM_MALFORMED, 1, "line 4: a line that is neither a checkpoint nor a record");
    t = edit_line(&f->t, 3, "\"type\":\"record\",", "");
    expect_problem(t, ARCHASE_AUDIT_PROBLEM_MALFORMED, 1, "neither a checkpoint nor a record");
    /* Before the first record too (the checkpoints are then still being read). */
    t = edit_line(&f->t, 2, "\"type\":\"record\"", "\"type\":7");
    expect_problem(t, ARCHASE_AUDIT_PROBLEM_STATE, 0, "line 3: a line that is neither");
    /* A line that is not JSON among the records. */
    t = with_line(&f->t, 4, "not json");
    expect_problem(t, ARCHASE_AUDIT_PROBLEM_MALFORMED, 2, "line 5: expected '{'");
}

static void record_bytes_that_are_missing_or_not_hex_are_named(void **state) {
    fixture *f = *state;
    text t = edit_line(&f->t, 3, "\"record\":\"", "\"record\":\"0");
    expect_problem(t, ARCHASE_AUDIT_PROBLEM_MALFORMED, 1, "line 4: a record line without the record's bytes in hex");
    t = edit_line(&f->t, 3, "\"record\":\"", "\"rec\":\"");
    expect_problem(t, ARCHASE_AUDIT_PROBLEM_MALFORMED, 1, "a record line without the record's bytes in hex");
    t = edit_line(&f->t, 3, "\"record\":\"", "\"record\":\"zz");
    expect_problem(t, ARCHASE_AUDIT_PROBLEM_MALFORMED, 1, "line 4: the record's bytes are not hex");
    /* No bytes at all: not an audit record. */
    char line[4096];
    line_of(&f->t, 3, line, sizeof line);
    strcpy(strstr(line, "\"record\":\"") + strlen("\"record\":\""), "\"}");
    t = with_line(&f->t, 3, line);
    archase_audit_report r;
    assert_int_equal(verify(&t, NULL, &r), ARCHASE_EVERIFY);
    assert_int_equal(r.first_bad, 1);
    free(t.data);
}

/* The fields of a record line are checked against its bytes, each by name. */
static void fields_that_disagree_with_the_record_bytes_are_named(void **state) {
    fixture *f = *state;
    char line[4096];
    line_of(&f->t, 3, line, sizeof line);
    assert_non_null(strstr(line, "\"index\":1,\"kind\":\"fact_accepted\""));
    const char *leaf = strstr(line, "\"leaf_hash\":\"") + strlen("\"leaf_hash\":\"");
    const char *prev = strstr(line, "\"prev_hash\":\"") + strlen("\"prev_hash\":\"");
    char leaf_from[80], leaf_to[80], prev_from[80], prev_to[80];
    snprintf(leaf_from, sizeof leaf_from, "\"leaf_hash\":\"%.64s", leaf);
    snprintf(leaf_to, sizeof leaf_to, "\"leaf_hash\":\"%.63s%c", leaf, leaf[63] == '0' ? '1' : '0');
    snprintf(prev_from, sizeof prev_from, "\"prev_hash\":\"%.64s", prev);
    snprintf(prev_to, sizeof prev_to, "\"prev_hash\":\"%.63s%c", prev, prev[63] == '0' ? '1' : '0');
    static const char *const fields[] = { "index", "index", "kind", "kind", "actor", "actor", "at",
                                          "at", "links", "links", "links", "prev_hash", "leaf_hash" };
    const char *from[] = { "\"index\":1", "\"index\":1", "\"kind\":\"fact_accepted\"",
                           "\"kind\":\"fact_accepted\"", "\"actor\":\"importer\"", "\"actor\":\"importer\"",
                           "\"at\":\"2026-01-01T00:01:00Z\"", "\"at\":\"2026-01-01T00:01:00Z\"",
                           "\"links\":[\"erp://invoices/x\"]", "\"links\":[\"erp://invoices/x\"]",
                           "\"links\":[\"erp://invoices/x\"]", prev_from, leaf_from };
    const char *to[] = { "\"index\":7", "\"index\":\"1\"", "\"kind\":\"decision\"", "\"kind\":1",
                         "\"actor\":\"someone\"", "\"actor\":\"importe\"", "\"at\":\"2026-01-01T00:01:01Z\"",
                         "\"at\":1", "\"links\":[\"erp://invoices/y\"]",
                         "\"links\":[\"erp://invoices/x\",\"more\"]", "\"links\":[]", prev_to, leaf_to };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        text t = edit_line(&f->t, 3, from[i], to[i]);
        char what[96];
        snprintf(what, sizeof what, "line 4 (record 1): its \"%s\" is not what the record's bytes hold", fields[i]);
        archase_audit_report r;
        assert_int_equal(verify(&t, NULL, &r), ARCHASE_EVERIFY);
        /* A changed leaf hash breaks the chain at the next record instead. */
        if (!strcmp(fields[i], "leaf_hash")) {
            assert_int_equal(r.first_bad, 1);
        } else if (r.problem != ARCHASE_AUDIT_PROBLEM_ALTERED || r.first_bad != 1 || !strstr(r.message, what)) {
            fail_msg("edit %zu (%s): %s at %llu: %s", i, fields[i], archase_audit_problem_name(r.problem),
                     (unsigned long long)r.first_bad, r.message);
        }
        free(t.data);
    }
    /* Links where the record has none (record 2 has no source link). */
    line_of(&f->t, 4, line, sizeof line);
    assert_null(strstr(line, "\"links\""));
    text t = edit_line(&f->t, 4, "\"prev_hash\"", "\"links\":[\"x\"],\"prev_hash\"");
    expect_problem(t, ARCHASE_AUDIT_PROBLEM_ALTERED, 2, "its \"links\" is not what");
    t = edit_line(&f->t, 4, "\"prev_hash\"", "\"links\":\"x\",\"prev_hash\"");
    expect_problem(t, ARCHASE_AUDIT_PROBLEM_ALTERED, 2, "its \"links\" is not what");
    t = edit_line(&f->t, 4, "\"prev_hash\"", "\"links\":[],\"prev_hash\"");
    archase_audit_report r;
    assert_int_equal(verify(&t, NULL, &r), 0);
    free(t.data);
}

/* A record whose bytes were changed breaks the chain; its line's fields then
 * tell that it was this record. */
static void a_record_with_other_bytes_is_blamed_by_its_fields(void **state) {
    fixture *f = *state;
    char line[4096];
    line_of(&f->t, 4, line, sizeof line);
    /* The record's bytes of line 4 put in line 5: record 2 now claims to be
     * record 1 by its bytes while its fields say 2. */
    char rec4[4096];
    line_of(&f->t, 3, rec4, sizeof rec4);
    const char *bytes = strstr(rec4, "\"record\":\"");
    char edited[8192];
    snprintf(edited, sizeof edited, "%.*s%s", (int)(strstr(line, "\"record\":\"") - line), line, bytes);
    text t = with_line(&f->t, 4, edited);
    archase_audit_report r;
    assert_int_equal(verify(&t, NULL, &r), ARCHASE_EVERIFY);
    assert_int_equal(r.first_bad, 2);
    free(t.data);
}

/* ---- lines too long, readers that fail ------------------------------------------------ */

/* A few whole lines, then `fill` bytes of 'x' on the next line, then
 * (with `newline`) its end. */
typedef struct endless {
    const char *head;
    size_t      head_left;
    size_t      fill;
    int         newline;
} endless;

static int endless_read(void *userdata, void *buf, size_t size, size_t *got) {
    endless *e = userdata;
    size_t n = 0;
    if (e->head_left) {
        n = e->head_left < size ? e->head_left : size;
        memcpy(buf, e->head, n);
        e->head += n;
        e->head_left -= n;
    } else if (e->fill) {
        n = e->fill < size ? e->fill : size;
        memset(buf, 'x', n);
        e->fill -= n;
    } else if (e->newline) {
        *(char *)buf = '\n';
        e->newline = 0;
        n = 1;
    }
    *got = n;
    return 0;
}

static void a_line_longer_than_64_mib_is_refused(void **state) {
    fixture *f = *state;
    if (test_under_valgrind())
        skip(); /* 64 MiB through valgrind takes minutes; the other runs read it */
    archase_audit_report r;
    /* The first line, at the end of the text. */
    endless first = { "", 0, ((size_t)64 << 20) + 1, 0 };
    assert_int_equal(archase_audit_verify_export(endless_read, &first, NULL, &r), ARCHASE_EVERIFY);
    assert_int_equal(r.problem, ARCHASE_AUDIT_PROBLEM_STATE);
    if (!strstr(r.message, "line 1: a line longer than 64 MiB"))
        fail_msg("%s", r.message);
    /* After the header, the checkpoint and the records, ended: line 8. */
    endless e = { f->t.data, f->t.len, ((size_t)64 << 20) + 1, 1 };
    assert_int_equal(archase_audit_verify_export(endless_read, &e, NULL, &r), ARCHASE_EVERIFY);
    assert_int_equal(r.problem, ARCHASE_AUDIT_PROBLEM_MALFORMED);
    assert_int_equal(r.first_bad, 5);
    if (!strstr(r.message, "line 8: a line longer than 64 MiB"))
        fail_msg("%s", r.message);
}

typedef struct failing_reader {
    text  *t;
    size_t reads_left;
} failing_reader;

static int failing_read(void *userdata, void *buf, size_t size, size_t *got) {
    failing_reader *fr = userdata;
    if (fr->reads_left == 0)
        return ARCHASE_EIO;
    fr->reads_left--;
    return text_read(fr->t, buf, size, got);
}

static void a_failing_reader_stops_verification_with_its_code(void **state) {
    fixture *f = *state;
    archase_audit_report r;
    memset(&r, 0x5a, sizeof r);
    archase_audit_report before = r;
    for (size_t reads = 0; reads < 4; reads++) {
        f->t.at = 0;
        f->t.piece = 300;
        failing_reader fr = { &f->t, reads };
        assert_int_equal(archase_audit_verify_export(failing_read, &fr, NULL, &r), ARCHASE_EIO);
        assert_memory_equal(&r, &before, sizeof r); /* not written */
    }
}

static void the_verifiers_arguments_are_checked(void **state) {
    fixture *f = *state;
    archase_audit_report r;
    archase_audit_verify_options o = ARCHASE_AUDIT_VERIFY_OPTIONS_INIT;
    archase_checkpoint cp;
    memset(&cp, 0, sizeof cp);
    assert_int_equal(archase_audit_verify_export(text_read, &f->t, NULL, NULL), ARCHASE_EINVAL);
    o.version = 2;
    assert_int_equal(verify(&f->t, &o, &r), ARCHASE_EVERSION);
    o.version = ARCHASE_AUDIT_VERIFY_OPTIONS_VERSION;
    archase_allocator bad = { 99, NULL, NULL, NULL, NULL };
    o.allocator = &bad;
    assert_int_equal(verify(&f->t, &o, &r), ARCHASE_EVERSION);
    o.allocator = NULL;
    o.trusted_key_count = 1;
    assert_int_equal(verify(&f->t, &o, &r), ARCHASE_EINVAL);
    o.trusted_key_count = 0;
    o.checkpoint_count = 1;
    assert_int_equal(verify(&f->t, &o, &r), ARCHASE_EINVAL);
    o.checkpoints = &cp;
    assert_int_equal(verify(&f->t, &o, &r), ARCHASE_EINVAL);
    /* The export's own checkpoint with the key it was signed with: trusted. */
    o.checkpoint_count = 0;
    o.checkpoints = NULL;
    o.trusted_keys = f->pub;
    o.trusted_key_count = 1;
    assert_int_equal(verify(&f->t, &o, &r), 0);
    assert_int_equal(r.checkpoints, 1);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

static const struct CMUnitTest tests[] = {
    T(the_export_verifies_read_in_any_piece_size),
    cmocka_unit_test(lines_that_are_not_json_objects_are_named),
    cmocka_unit_test(members_and_items_have_limits),
    T(escaped_strings_are_read_as_their_characters),
    T(a_header_that_is_not_one_is_refused),
    T(a_header_that_disagrees_with_the_records_is_named),
    T(a_checkpoint_line_that_is_not_one_is_named),
    T(lines_that_are_neither_checkpoints_nor_records_are_named),
    T(record_bytes_that_are_missing_or_not_hex_are_named),
    T(fields_that_disagree_with_the_record_bytes_are_named),
    T(a_record_with_other_bytes_is_blamed_by_its_fields),
    T(a_line_longer_than_64_mib_is_refused),
    T(a_failing_reader_stops_verification_with_its_code),
    T(the_verifiers_arguments_are_checked),
};

AR_TEST_MAIN(tests)
