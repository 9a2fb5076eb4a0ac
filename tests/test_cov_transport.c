/* tests/test_cov_transport.c — the shipped file transport on its own: the
 * exact JSON line and .eml file of a message (escapes, absent fields,
 * encoded headers), lookups of keys that are and are not on disk (a key that
 * is a prefix of another, a key inside an over-long line, a line a crash cut
 * short, which is not a sent message), and what it says
 * when the disk will not take a message: a file that cannot be written or
 * synced, a folder that went away, a path that turned into a folder, no
 * memory. A message the transport could not write is never reported SENT. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archase/archase.h"
#include "support/failalloc.h"
#include "support/testutil.h"

typedef struct fixture {
    char dir[64];
    char path[96];
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/archase-transport-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/sent.jsonl", f->dir);
    *state = f;
    return 0;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
    (void)st, (void)type, (void)ftw;
    return remove(path);
}

static int teardown(void **state) {
    fixture *f = *state;
    assert_int_equal(nftw(f->dir, remove_one, 8, FTW_DEPTH | FTW_PHYS), 0);
    free(f);
    return 0;
}

/* Removes every file in `dir` (not the folder). */
static void empty_folder(const char *dir) {
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    char path[512];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        assert_int_equal(unlink(path), 0);
    }
    closedir(d);
}

static char *slurp(const char *path, size_t *size) {
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, fp), (size_t)n);
    s[n] = '\0';
    fclose(fp);
    if (size)
        *size = (size_t)n;
    return s;
}

static void spit(const char *path, const char *text) {
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
    fclose(fp);
}

static const char *const two_invoices[] = { "INV-1", "INV-\"2\"" };
static const int two_reasons[] = { ARCHASE_REASON_STEP_DUE, ARCHASE_REASON_CONSOLIDATED };

/* A customer e-mail with every field set, strings that need escaping. */
static archase_message full_message(const char *key) {
    archase_message m;
    memset(&m, 0, sizeof m);
    m.version = ARCHASE_MESSAGE_VERSION;
    m.idempotency_key = key;
    m.outbox_id = key;
    m.attempt = 2;
    m.kind = ARCHASE_DECISION_SEND_MESSAGE;
    m.channel = ARCHASE_CHANNEL_EMAIL;
    m.customer_id = "C1";
    m.customer_name = "ACME \\ Sons";
    m.invoice_count = 2;
    m.invoice_ids = two_invoices;
    m.contact_id = "K1";
    m.address = "ap@acme.example";
    m.recipient_name = "Jo";
    m.template_name = "friendly";
    m.tone = ARCHASE_TONE_FRIENDLY;
    m.subject = "Invoice\tdue";
    m.body = "Line 1\nLine 2\r\nEnd\x01";
    m.link_placeholder = "{{pay_link}}";
    m.scheduled_at = 1790845200; /* 2026-10-01T09:00:00Z */
    m.timezone = "Europe/Berlin";
    m.local_date = 20727;        /* 2026-10-01 */
    m.local_seconds = 11 * 3600 + 5 * 60 + 7;
    m.amount = (archase_money){ 150050, "EUR" };
    m.reason_count = 2;
    m.reasons = two_reasons;
    m.owner = "kim";
    return m;
}

/* An internal route: no contact, tone, local time or amount. */
static archase_message bare_message(const char *key) {
    archase_message m;
    memset(&m, 0, sizeof m);
    m.version = ARCHASE_MESSAGE_VERSION;
    m.idempotency_key = key;
    m.outbox_id = key;
    m.attempt = 1;
    m.kind = ARCHASE_DECISION_SEND_MESSAGE;
    m.channel = ARCHASE_CHANNEL_INTERNAL;
    m.body = "call them";
    m.scheduled_at = 1790812800;
    m.local_date = ARCHASE_DATE_NONE;
    return m;
}

static int send_one(const archase_transport *t, const archase_message *m, char *detail, size_t size) {
    int result = 0;
    detail[0] = '\0';
    assert_int_equal(t->send(t->userdata, m, &result, detail, size), 0);
    return result;
}

static int lookup(const archase_transport *t, const char *key) {
    int result = 0;
    int rc = t->lookup(t->userdata, key, &result);
    return rc ? rc : result;
}

/* ---- opening ------------------------------------------------------------ */

static void opening_checks_its_arguments_and_the_path(void **state) {
    fixture *f = *state;
    archase_transport t, untouched;
    memset(&untouched, 0x5a, sizeof untouched);
    t = untouched;
    assert_int_equal(archase_file_transport_open(ARCHASE_FILE_TRANSPORT_JSONL, NULL, NULL, &t), ARCHASE_EINVAL);
    assert_int_equal(archase_file_transport_open(ARCHASE_FILE_TRANSPORT_JSONL, "", NULL, &t), ARCHASE_EINVAL);
    assert_int_equal(archase_file_transport_open(ARCHASE_FILE_TRANSPORT_JSONL, f->path, NULL, NULL), ARCHASE_EINVAL);
    assert_int_equal(archase_file_transport_open(0, f->path, NULL, &t), ARCHASE_EINVAL);
    assert_int_equal(archase_file_transport_open(3, f->dir, NULL, &t), ARCHASE_EINVAL);
    archase_allocator bad = { 99, NULL, NULL, NULL, NULL };
    assert_int_equal(archase_file_transport_open(ARCHASE_FILE_TRANSPORT_JSONL, f->path, &bad, &t), ARCHASE_EVERSION);
    archase_allocator half = { ARCHASE_ALLOCATOR_VERSION, NULL, NULL, NULL, NULL };
    assert_int_equal(archase_file_transport_open(ARCHASE_FILE_TRANSPORT_JSONL, f->path, &half, &t), ARCHASE_EINVAL);
    /* The directory of the file must exist; the file must be a file. */
    char missing[160];
    snprintf(missing, sizeof missing, "%s/no/such/sent.jsonl", f->dir);
    assert_int_equal(archase_file_transport_open(ARCHASE_FILE_TRANSPORT_JSONL, missing, NULL, &t), ARCHASE_ENOTFOUND);
    assert_int_equal(archase_file_transport_open(ARCHASE_FILE_TRANSPORT_JSONL, f->dir, NULL, &t), ARCHASE_EIO);
    /* The .eml folder must exist and be a folder. */
    snprintf(missing, sizeof missing, "%s/outgoing", f->dir);
    assert_int_equal(archase_file_transport_open(ARCHASE_FILE_TRANSPORT_EML, missing, NULL, &t), ARCHASE_ENOTFOUND);
    spit(f->path, "");
    assert_int_equal(archase_file_transport_open(ARCHASE_FILE_TRANSPORT_EML, f->path, NULL, &t), ARCHASE_EINVAL);
    snprintf(missing, sizeof missing, "%s/sub", f->path); /* a file where a folder should be */
    assert_int_equal(archase_file_transport_open(ARCHASE_FILE_TRANSPORT_EML, missing, NULL, &t), ARCHASE_EIO);
    assert_memory_equal(&t, &untouched, sizeof t);
    /* Nothing was created by the refusals but the file written above. */
    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_size, 0);
}

/* ---- the JSON Lines file ----------------------------------------------- */

static const char full_line[] =
    "{\"idempotency_key\":\"K1\",\"outbox_id\":\"K1\",\"attempt\":2,\"kind\":\"send_message\","
    "\"channel\":\"email\",\"customer_id\":\"C1\",\"customer_name\":\"ACME \\\\ Sons\","
    "\"invoice_ids\":[\"INV-1\",\"INV-\\\"2\\\"\"],\"contact_id\":\"K1\",\"address\":\"ap@acme.example\","
    "\"recipient_name\":\"Jo\",\"template\":\"friendly\",\"tone\":\"friendly\",\"subject\":\"Invoice\\tdue\","
    "\"body\":\"Line 1\\nLine 2\\r\\nEnd\\u0001\",\"link_placeholder\":\"{{pay_link}}\","
    "\"scheduled_at\":\"2026-10-01T09:00:00Z\",\"timezone\":\"Europe/Berlin\","
    "\"local_time\":\"2026-10-01T11:05:07\",\"amount\":\"1500.50\",\"currency\":\"EUR\","
    "\"reason_codes\":[\"step_due\",\"consolidated\"],\"owner\":\"kim\"}\n";

static const char bare_line[] =
    "{\"idempotency_key\":\"K10\",\"outbox_id\":\"K10\",\"attempt\":1,\"kind\":\"send_message\","
    "\"channel\":\"internal\",\"customer_id\":null,\"customer_name\":null,\"invoice_ids\":[],"
    "\"contact_id\":null,\"address\":null,\"recipient_name\":null,\"template\":null,\"tone\":null,"
    "\"subject\":null,\"body\":\"call them\",\"link_placeholder\":null,"
    "\"scheduled_at\":\"2026-10-01T00:00:00Z\",\"timezone\":null,\"local_time\":null,\"amount\":null,"
    "\"currency\":null,\"reason_codes\":[],\"owner\":null}\n";

static void jsonl_writes_one_exact_line_per_message(void **state) {
    fixture *f = *state;
    archase_transport t;
    assert_int_equal(archase_file_transport_open(ARCHASE_FILE_TRANSPORT_JSONL, f->path, NULL, &t), 0);
    assert_int_equal(lookup(&t, "K1"), ARCHASE_LOOKUP_NOT_SENT);
    char detail[256];
    archase_message m = full_message("K1");
    assert_int_equal(send_one(&t, &m, detail, sizeof detail), ARCHASE_SEND_SENT);
    m = bare_message("K10");
    m.local_date = ARCHASE_DATE_MAX + 1; /* a local date that cannot be written: left out */
    assert_int_equal(send_one(&t, &m, detail, sizeof detail), ARCHASE_SEND_SENT);
    char *text = slurp(f->path, NULL);
    char expected[2048];
    snprintf(expected, sizeof expected, "%s%s", full_line, bare_line);
    assert_string_equal(text, expected);
    free(text);
    /* Keys are matched whole: "K" and "K1\"" are not "K1" or "K10". */
    assert_int_equal(lookup(&t, "K1"), ARCHASE_LOOKUP_SENT);
    assert_int_equal(lookup(&t, "K10"), ARCHASE_LOOKUP_SENT);
    assert_int_equal(lookup(&t, "K"), ARCHASE_LOOKUP_NOT_SENT);
    assert_int_equal(lookup(&t, "K1\""), ARCHASE_LOOKUP_NOT_SENT);
    assert_int_equal(lookup(&t, "K2"), ARCHASE_LOOKUP_NOT_SENT);
    t.close(t.userdata);
}

static void jsonl_lookup_reads_only_the_start_of_each_line(void **state) {
    fixture *f = *state;
    archase_transport t;
    assert_int_equal(archase_file_transport_open(ARCHASE_FILE_TRANSPORT_JSONL, f->path, NULL, &t), 0);
    /* A line of 10,000 bytes whose text at byte 4095 and 8190 (where the
     * reader's buffer ends) looks like the start of K7's line; then K8's
     * real line without its end. */
    size_t n = 10000;
    char *text = malloc(n + 200);
    assert_non_null(text);
    memset(text, 'x', n);
    static const char fake[] = "{\"idempotency_key\":\"K7\",";
    memcpy(text + 4095, fake, strlen(fake));
    memcpy(text + 8190, fake, strlen(fake));
    text[n - 1] = '\n';
    snprintf(text + n, 200, "{\"idempotency_key\":\"K8\",\"outbox_id\":\"K8\"");
    spit(f->path, text);
    free(text);
    assert_int_equal(lookup(&t, "K7"), ARCHASE_LOOKUP_NOT_SENT);
    /* K8's line was cut short (a crash while it was written): its message
     * never was whole, so it was not sent. The next message starts on a
     * line of its own, and K8 sent again is found. */
    assert_int_equal(lookup(&t, "K8"), ARCHASE_LOOKUP_NOT_SENT);
    char detail[256];
    archase_message m = bare_message("K9");
    assert_int_equal(send_one(&t, &m, detail, sizeof detail), ARCHASE_SEND_SENT);
    assert_int_equal(lookup(&t, "K9"), ARCHASE_LOOKUP_SENT);
    assert_int_equal(lookup(&t, "K8"), ARCHASE_LOOKUP_NOT_SENT);
    size_t size = 0;
    char *written = slurp(f->path, &size);
    assert_non_null(strstr(written, "\"outbox_id\":\"K8\"\n{\"idempotency_key\":\"K9\","));
    free(written);
    m = bare_message("K8");
    assert_int_equal(send_one(&t, &m, detail, sizeof detail), ARCHASE_SEND_SENT);
    assert_int_equal(lookup(&t, "K8"), ARCHASE_LOOKUP_SENT);
    /* A file that ends whole gets no empty line. */
    written = slurp(f->path, &size);
    assert_null(strstr(written, "\n\n"));
    free(written);
    /* A whole line whose end of line is the first byte the reader's buffer
     * did not hold. */
    char *exact = malloc(4097);
    assert_non_null(exact);
    memset(exact, 'y', 4094);
    memcpy(exact, "{\"idempotency_key\":\"K6\",", 24);
    exact[4094] = '}';
    exact[4095] = '\n';
    exact[4096] = '\0';
    spit(f->path, exact);
    free(exact);
    assert_int_equal(lookup(&t, "K6"), ARCHASE_LOOKUP_SENT);
    /* The file removed: nothing was sent; a send writes it again. */
    assert_int_equal(unlink(f->path), 0);
    assert_int_equal(lookup(&t, "K8"), ARCHASE_LOOKUP_NOT_SENT);
    m = bare_message("K9");
    assert_int_equal(send_one(&t, &m, detail, sizeof detail), ARCHASE_SEND_SENT);
    assert_int_equal(lookup(&t, "K9"), ARCHASE_LOOKUP_SENT);
    t.close(t.userdata);
}

static void jsonl_a_file_that_cannot_be_written_says_retry(void **state) {
    fixture *f = *state;
    archase_transport t;
    char detail[256];
    archase_message m = full_message("K1");

    /* The file became a folder: neither written nor read. */
    assert_int_equal(archase_file_transport_open(ARCHASE_FILE_TRANSPORT_JSONL, f->path, NULL, &t), 0);
    assert_int_equal(unlink(f->path), 0);
    assert_int_equal(mkdir(f->path, 0755), 0);
    assert_int_equal(send_one(&t, &m, detail, sizeof detail), ARCHASE_SEND_RETRY);
    char expected[256];
    snprintf(expected, sizeof expected, "%s: %s", f->path, strerror(EISDIR));
    assert_string_equal(detail, expected);
    assert_int_equal(lookup(&t, "K1"), ARCHASE_EIO);
    assert_int_equal(rmdir(f->path), 0);

    /* Its folder was replaced by a file: the file cannot even be opened. */
    char sub[160], file[200];
    snprintf(sub, sizeof sub, "%s/sub", f->dir);
    snprintf(file, sizeof file, "%s/sent.jsonl", sub);
    assert_int_equal(mkdir(sub, 0755), 0);
    archase_transport t2;
    assert_int_equal(archase_file_transport_open(ARCHASE_FILE_TRANSPORT_JSONL, file, NULL, &t2), 0);
    assert_int_equal(unlink(file), 0);
    assert_int_equal(rmdir(sub), 0);
    spit(sub, "not a folder");
    assert_int_equal(send_one(&t2, &m, detail, sizeof detail), ARCHASE_SEND_RETRY);
    snprintf(expected, sizeof expected, "%s: %s", file, strerror(ENOTDIR));
    assert_string_equal(detail, expected);
    assert_int_equal(lookup(&t2, "K1"), ARCHASE_EIO);
    t2.close(t2.userdata);
    t.close(t.userdata);

    /* A device that takes no bytes (the disk is full) and one that takes
     * them but cannot flush them: neither is SENT. */
    assert_int_equal(archase_file_transport_open(ARCHASE_FILE_TRANSPORT_JSONL, "/dev/full", NULL, &t), 0);
    assert_int_equal(send_one(&t, &m, detail, sizeof detail), ARCHASE_SEND_RETRY);
    snprintf(expected, sizeof expected, "/dev/full: %s", strerror(ENOSPC));
    assert_string_equal(detail, expected);
    t.close(t.userdata);
    assert_int_equal(archase_file_transport_open(ARCHASE_FILE_TRANSPORT_JSONL, "/dev/null", NULL, &t), 0);
    assert_int_equal(send_one(&t, &m, detail, sizeof detail), ARCHASE_SEND_RETRY);
    snprintf(expected, sizeof expected, "/dev/null: %s", strerror(EINVAL));
    assert_string_equal(detail, expected);
    t.close(t.userdata);
}

/* ---- the .eml folder ---------------------------------------------------- */

/* The file in `dir` whose name starts with `prefix`, read whole (its path
 * in `name`); NULL when there is none. */
static char *only_file(const char *dir, const char *prefix, char *name, size_t name_size) {
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    char *text = NULL;
    while (!text && (e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        snprintf(name, name_size, "%s/%s", dir, e->d_name);
        text = slurp(name, NULL);
    }
    closedir(d);
    return text;
}

static void eml_writes_one_file_per_key_once(void **state) {
    fixture *f = *state;
    archase_transport t;
    assert_int_equal(archase_file_transport_open(ARCHASE_FILE_TRANSPORT_EML, f->dir, NULL, &t), 0);
    char detail[512], name[400];
    archase_message m = full_message("K1/a b");
    m.recipient_name = "J\xc3\xb6rg M\xc3\xbcller";
    /* 44 ASCII bytes, then a two-byte letter across the 45-byte boundary. */
    m.subject = "Reminder: invoice INV-1 of ACME is due today\xc3\xa9t\xc3\xa9 and more";
    assert_int_equal(lookup(&t, m.idempotency_key), ARCHASE_LOOKUP_NOT_SENT);
    assert_int_equal(send_one(&t, &m, detail, sizeof detail), ARCHASE_SEND_SENT);
    assert_int_equal(lookup(&t, m.idempotency_key), ARCHASE_LOOKUP_SENT);
    assert_int_equal(lookup(&t, "K1/a"), ARCHASE_LOOKUP_NOT_SENT);
    char *text = only_file(f->dir, "K1_a_b-", name, sizeof name);
    assert_non_null(text);
    static const char head[] =
        "Message-ID: <K1/a b@archase.invalid>\r\n"
        "Date: Thu, 01 Oct 2026 09:00:00 +0000\r\n"
        "To: =?UTF-8?B?SsO2cmcgTcO8bGxlcg==?= <ap@acme.example>\r\n"
        "Subject: =?UTF-8?B?UmVtaW5kZXI6IGludm9pY2UgSU5WLTEgb2YgQUNNRSBpcyBkdWUgdG9kYXk=?=\r\n"
        " =?UTF-8?B?w6l0w6kgYW5kIG1vcmU=?=\r\n"
        "X-Archase-Idempotency-Key: K1/a b\r\n"
        "X-Archase-Customer: C1\r\n"
        "X-Archase-Link-Placeholder: {{pay_link}}\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
        "Line 1\r\nLine 2\r\nEnd\x01\r\n";
    assert_string_equal(text, head);
    free(text);
    /* The same key again: the file is there, it is not written twice. */
    m.body = "changed";
    assert_int_equal(send_one(&t, &m, detail, sizeof detail), ARCHASE_SEND_SENT);
    char expected[600];
    snprintf(expected, sizeof expected, "already written: %s", name);
    assert_string_equal(detail, expected);
    text = slurp(name, NULL);
    assert_non_null(strstr(text, "Line 2"));
    free(text);

    /* A plain-text message without a recipient name, address, customer or
     * link; a long key with unsafe characters is cut at 100 of them; a body
     * that starts with a line break. */
    char key[150];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    key[3] = '%';
    archase_message b = bare_message(key);
    b.channel = ARCHASE_CHANNEL_SMS;
    b.recipient_name = "";
    b.subject = "line\nbreak";
    b.body = "\nhello";
    assert_int_equal(send_one(&t, &b, detail, sizeof detail), ARCHASE_SEND_SENT);
    text = only_file(f->dir, "kkk_", name, sizeof name);
    assert_non_null(text);
    assert_int_equal(strlen(strrchr(name, '/') + 1), 100 + 1 + 16 + 4);
    assert_non_null(strstr(text, "To: <>\r\nSubject: =?UTF-8?B?bGluZQpicmVhaw==?=\r\n"));
    assert_non_null(strstr(text, "X-Archase-Customer: \r\nX-Archase-Link-Placeholder: \r\n"));
    assert_non_null(strstr(text, "Content-Type: text/plain; charset=utf-8\r\n"));
    assert_non_null(strstr(text, "\r\n\r\n\r\nhello\r\n"));
    free(text);
    assert_int_equal(lookup(&t, key), ARCHASE_LOOKUP_SENT);
    b.subject = NULL;
    b.body = NULL;
    b.idempotency_key = "K2";
    assert_int_equal(send_one(&t, &b, detail, sizeof detail), ARCHASE_SEND_SENT);
    text = only_file(f->dir, "K2-", name, sizeof name);
    assert_non_null(text);
    assert_non_null(strstr(text, "Subject: \r\n"));
    free(text);
    /* A name without an address, an address without a name; a subject
     * with a carriage return is encoded; every safe character of a key is
     * kept, every other one is '_'. */
    b = bare_message("Az-09._~@[`{/");
    b.recipient_name = "Jo";
    b.subject = "a\rb";
    assert_int_equal(send_one(&t, &b, detail, sizeof detail), ARCHASE_SEND_SENT);
    text = only_file(f->dir, "Az-09._______-", name, sizeof name);
    assert_non_null(text);
    assert_non_null(strstr(text, "To: Jo <>\r\nSubject: =?UTF-8?B?YQ1i?=\r\n"));
    free(text);
    b = bare_message("K3");
    b.address = "ops";
    assert_int_equal(send_one(&t, &b, detail, sizeof detail), ARCHASE_SEND_SENT);
    text = only_file(f->dir, "K3-", name, sizeof name);
    assert_non_null(text);
    assert_non_null(strstr(text, "To: <ops>\r\n"));
    free(text);
    t.close(t.userdata);
}

static void eml_a_folder_that_cannot_be_written_says_retry(void **state) {
    fixture *f = *state;
    char sub[160], detail[512], name[400];
    snprintf(sub, sizeof sub, "%s/out", f->dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    archase_transport t;
    assert_int_equal(archase_file_transport_open(ARCHASE_FILE_TRANSPORT_EML, sub, NULL, &t), 0);
    archase_message m = bare_message("K5");
    assert_int_equal(send_one(&t, &m, detail, sizeof detail), ARCHASE_SEND_SENT);
    char *text = only_file(sub, "K5-", name, sizeof name);
    assert_non_null(text);
    free(text);
    /* The temporary file's name is taken by a folder: not written, and the
     * folder is left alone. */
    assert_int_equal(unlink(name), 0);
    char tmp[420];
    snprintf(tmp, sizeof tmp, "%s.tmp", name);
    assert_int_equal(mkdir(tmp, 0755), 0);
    assert_int_equal(send_one(&t, &m, detail, sizeof detail), ARCHASE_SEND_RETRY);
    char expected[600];
    snprintf(expected, sizeof expected, "%s: %s", tmp, strerror(EISDIR));
    assert_string_equal(detail, expected);
    assert_int_equal(lookup(&t, "K5"), ARCHASE_LOOKUP_NOT_SENT);
    assert_int_equal(rmdir(tmp), 0);
    /* The temporary file lands on a full disk, or on one that cannot
     * flush: not written, nothing left behind. */
    assert_int_equal(symlink("/dev/full", tmp), 0);
    assert_int_equal(send_one(&t, &m, detail, sizeof detail), ARCHASE_SEND_RETRY);
    snprintf(expected, sizeof expected, "%s: %s", tmp, strerror(ENOSPC));
    assert_string_equal(detail, expected);
    assert_int_equal(access(tmp, F_OK), -1);
    assert_int_equal(symlink("/dev/null", tmp), 0);
    assert_int_equal(send_one(&t, &m, detail, sizeof detail), ARCHASE_SEND_RETRY);
    snprintf(expected, sizeof expected, "%s: %s", tmp, strerror(EINVAL));
    assert_string_equal(detail, expected);
    assert_int_equal(access(tmp, F_OK), -1);
    assert_int_equal(lookup(&t, "K5"), ARCHASE_LOOKUP_NOT_SENT);
    /* The folder went away: nothing is sent, nothing is found. */
    assert_int_equal(rmdir(sub), 0);
    assert_int_equal(send_one(&t, &m, detail, sizeof detail), ARCHASE_SEND_RETRY);
    assert_non_null(strstr(detail, strerror(ENOENT)));
    assert_int_equal(lookup(&t, "K5"), ARCHASE_LOOKUP_NOT_SENT);
    t.close(t.userdata);
}

/* ---- no memory ---------------------------------------------------------- */

typedef struct oom_ctx {
    fixture *f;
    int      format;
    char     where[160];
} oom_ctx;

/* Opens, sends and looks up with `allocator`; a send that ran out of memory
 * must say RETRY and have written nothing. */
static int transport_with(const archase_allocator *allocator, void *ctx) {
    oom_ctx *c = ctx;
    archase_transport t;
    int rc = archase_file_transport_open(c->format, c->where, allocator, &t);
    if (rc)
        return rc;
    char detail[256];
    archase_message m = full_message("K1");
    int result = send_one(&t, &m, detail, sizeof detail);
    int found = 0;
    if (result == ARCHASE_SEND_SENT) {
        rc = t.lookup(t.userdata, "K1", &found);
        if (!rc)
            assert_int_equal(found, ARCHASE_LOOKUP_SENT);
    } else {
        assert_int_equal(result, ARCHASE_SEND_RETRY);
        assert_string_equal(detail, "out of memory before writing");
        /* Nothing on disk (or, when memory is still short, no answer). */
        if (t.lookup(t.userdata, "K1", &found) == 0)
            assert_int_equal(found, ARCHASE_LOOKUP_NOT_SENT);
        else
            assert_int_equal(found, ARCHASE_LOOKUP_UNKNOWN);
        rc = ARCHASE_ENOMEM;
    }
    t.close(t.userdata);
    /* Start every run from an empty file or folder. */
    if (c->format == ARCHASE_FILE_TRANSPORT_JSONL)
        assert_int_equal(truncate(c->where, 0), 0);
    else
        empty_folder(c->where);
    return rc;
}

static void every_allocation_failure_is_a_retry(void **state) {
    oom_ctx c = { *state, ARCHASE_FILE_TRANSPORT_JSONL, "" };
    snprintf(c.where, sizeof c.where, "%s", c.f->path);
    assert_true(failalloc_loop(transport_with, NULL, &c) > 0);
    c.format = ARCHASE_FILE_TRANSPORT_EML;
    snprintf(c.where, sizeof c.where, "%s/eml", c.f->dir);
    assert_int_equal(mkdir(c.where, 0755), 0);
    assert_true(failalloc_loop(transport_with, NULL, &c) > 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
static const struct CMUnitTest tests[] = {
    T(opening_checks_its_arguments_and_the_path),
    T(jsonl_writes_one_exact_line_per_message),
    T(jsonl_lookup_reads_only_the_start_of_each_line),
    T(jsonl_a_file_that_cannot_be_written_says_retry),
    T(eml_writes_one_file_per_key_once),
    T(eml_a_folder_that_cannot_be_written_says_retry),
    T(every_allocation_failure_is_a_retry),
};

AR_TEST_MAIN(tests)
