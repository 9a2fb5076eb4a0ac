/* examples/transports/smtp/tests/test_smtp_units.c — the SMTP transport's
 * parts that need no server: the Message-ID, the e-mail as written, the
 * delivery journal, the options it refuses and the messages it refuses
 * before connecting. Runs in the C suite, so under the sanitizers and
 * valgrind too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archase/date.h>
#include <archase/errors.h>
#include <archase/ledger.h>

#include "archase_smtp.h"
#include "smtp_journal.h"
#include "smtp_message.h"
#include "support/testutil.h"

static archase_message message(const char *key, const char *to, const char *subject,
                               const char *body) {
    archase_message m;
    memset(&m, 0, sizeof m);
    m.version = ARCHASE_MESSAGE_VERSION;
    m.idempotency_key = key;
    m.attempt = 1;
    m.channel = ARCHASE_CHANNEL_EMAIL;
    m.customer_id = "ACME";
    m.address = to;
    m.subject = subject;
    m.body = body;
    m.link_placeholder = "{{pay_link}}";
    return m;
}

static const smtp_sender sender = { "ar@example.com", "Accounts", NULL, "example.com",
                                    "https://pay.example/{customer_id}", NULL };

/* ---- Message-ID ------------------------------------------------------------------ */

static void message_id_is_the_key_in_dot_atom_text(void **state) {
    (void)state;
    char id[128];
    assert_int_equal(archase_smtp_message_id("INV-1:step_2#1", "example.com", id, sizeof id), 0);
    assert_string_equal(id, "<archase.INV-1=3Astep_2=231@example.com>");
    assert_int_equal(archase_smtp_message_id("a b", "example.com", id, sizeof id), 0);
    assert_string_equal(id, "<archase.a=20b@example.com>");
    /* '=' is encoded too, so two keys never share an id. */
    assert_int_equal(archase_smtp_message_id("a=20b", "example.com", id, sizeof id), 0);
    assert_string_equal(id, "<archase.a=3D20b@example.com>");
}

static void message_id_needs_room_a_key_and_a_host_name(void **state) {
    (void)state;
    char id[64];
    size_t exact = strlen("<archase.k@example.com>") + 1;
    assert_int_equal(archase_smtp_message_id("k", "example.com", id, exact), 0);
    assert_int_equal(archase_smtp_message_id("k", "example.com", id, exact - 1), ARCHASE_EBUFSIZE);
    assert_int_equal(archase_smtp_message_id("", "example.com", id, sizeof id), ARCHASE_EINVAL);
    assert_int_equal(archase_smtp_message_id("k", "exa mple.com", id, sizeof id), ARCHASE_EINVAL);
    assert_int_equal(archase_smtp_message_id("k", "a>b", id, sizeof id), ARCHASE_EINVAL);
    assert_int_equal(archase_smtp_message_id(NULL, "example.com", id, sizeof id), ARCHASE_EINVAL);
}

/* ---- the e-mail -------------------------------------------------------------------- */

static void every_line_ends_in_crlf_and_none_is_long(const char *mail, size_t len) {
    size_t line = 0;
    for (size_t i = 0; i < len; i++) {
        if (mail[i] == '\n') {
            assert_true(i > 0 && mail[i - 1] == '\r');
            line = 0;
        } else if (mail[i] != '\r') {
            line++;
            assert_true(line <= 998);
        }
    }
}

static void the_body_is_quoted_printable_in_short_lines(void **state) {
    (void)state;
    char body[600];
    snprintf(body, sizeof body, "Total = 1,500.50 EUR \nPay: {{pay_link}}\n%0300d\n", 7);
    archase_message m = message("k#1", "ap@acme.example", "Overdue", body);
    smtp_buf out = { 0 };
    char detail[128];
    assert_int_equal(smtp_compose(&sender, &m, "ap@acme.example", 1772442000, &out, detail,
                                  sizeof detail), 0);
    every_line_ends_in_crlf_and_none_is_long(out.data, out.len);
    const char *text = strstr(out.data, "\r\n\r\n");
    assert_non_null(text);
    /* '=' encoded, the space before a line end encoded, the link filled in. */
    assert_non_null(strstr(text, "Total =3D 1,500.50 EUR=20\r\n"));
    assert_non_null(strstr(text, "Pay: https://pay.example/ACME\r\n"));
    for (const char *p = text + 4; *p; p = strstr(p, "\r\n") + 2) {
        size_t n = (size_t)(strstr(p, "\r\n") - p);
        assert_true(n <= 76);
    }
    assert_non_null(strstr(out.data, "Date: Mon, 02 Mar 2026 09:00:00 +0000\r\n"));
    assert_non_null(strstr(out.data, "From: \"Accounts\" <ar@example.com>\r\n"));
    assert_non_null(strstr(out.data, "Message-ID: <archase.k=231@example.com>\r\n"));
    smtp_buf_free(&out);
}

static void a_utf8_subject_is_encoded_and_folded(void **state) {
    (void)state;
    const char *subject = "Relance : facture F-77 — échue depuis 14 jours, merci de régulariser "
                          "votre situation au plus vite";
    archase_message m = message("k#1", "ap@acme.example", subject, "b");
    m.recipient_name = "Zoë \"the payer\" Müller";
    smtp_buf out = { 0 };
    char detail[128];
    assert_int_equal(smtp_compose(&sender, &m, "ap@acme.example", 0, &out, detail, sizeof detail), 0);
    every_line_ends_in_crlf_and_none_is_long(out.data, out.len);
    const char *header_end = strstr(out.data, "\r\n\r\n");
    for (const char *p = out.data; p < header_end; p = strstr(p, "\r\n") + 2)
        assert_true((size_t)(strstr(p, "\r\n") - p) <= 78);
    assert_non_null(strstr(out.data, "Subject: =?UTF-8?B?"));
    assert_non_null(strstr(out.data, "?=\r\n =?UTF-8?B?"));
    for (const char *p = out.data; p < header_end; p++)
        assert_true((unsigned char)*p < 128);
    smtp_buf_free(&out);
}

static void an_address_that_could_inject_is_refused(void **state) {
    (void)state;
    assert_true(smtp_address_ok("ap@acme.example"));
    assert_false(smtp_address_ok("ap@acme.example\r\nBcc: x@y"));
    assert_false(smtp_address_ok("<ap@acme.example>"));
    assert_false(smtp_address_ok("two@at@signs"));
    assert_false(smtp_address_ok("@acme.example"));
    assert_false(smtp_address_ok("ap@"));
    assert_false(smtp_address_ok("zoë@acme.example"));
    assert_false(smtp_address_ok(NULL));
    archase_message m = message("k#1", "bad", "s", "b");
    smtp_buf out = { 0 };
    char detail[128];
    assert_int_equal(smtp_compose(&sender, &m, "a b@c.example", 0, &out, detail, sizeof detail),
                     ARCHASE_EINVAL);
    assert_string_equal(detail, "'a b@c.example' is not an e-mail address");
    assert_null(out.data);
}

/* ---- the journal ------------------------------------------------------------------- */

static void the_journal_keeps_the_last_word_on_each_key(void **state) {
    (void)state;
    char path[] = "/tmp/archase-smtp-journal-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    smtp_journal *j = NULL;
    int s = -1;
    assert_int_equal(smtp_journal_open(path, &j), 0);
    assert_int_equal(smtp_journal_note(j, SMTP_JOURNAL_SENDING, "a b#1"), 0);
    assert_int_equal(smtp_journal_note(j, SMTP_JOURNAL_SENDING, "c\nsent d#1"), 0);
    assert_int_equal(smtp_journal_note(j, SMTP_JOURNAL_REFUSED, "a b#1"), 0);
    assert_int_equal(smtp_journal_note(j, SMTP_JOURNAL_SENDING, "a b#1"), 0);
    assert_int_equal(smtp_journal_note(j, SMTP_JOURNAL_SENT, "a b#1"), 0);
    assert_int_equal(smtp_journal_note(j, 9, "x"), ARCHASE_EINVAL);
    assert_int_equal(smtp_journal_state_of(j, "a b#1", &s), 0);
    assert_int_equal(s, SMTP_JOURNAL_SENT);
    /* A key that looks like a line of the journal is still one key. */
    assert_int_equal(smtp_journal_state_of(j, "c\nsent d#1", &s), 0);
    assert_int_equal(s, SMTP_JOURNAL_SENDING);
    assert_int_equal(smtp_journal_state_of(j, "d#1", &s), 0);
    assert_int_equal(s, SMTP_JOURNAL_NONE);
    assert_int_equal(smtp_journal_state_of(j, "a=20b#1", &s), 0);
    assert_int_equal(s, SMTP_JOURNAL_NONE);
    smtp_journal_close(j);
    /* Another process reads the same file. */
    assert_int_equal(smtp_journal_open(path, &j), 0);
    assert_int_equal(smtp_journal_state_of(j, "a b#1", &s), 0);
    assert_int_equal(s, SMTP_JOURNAL_SENT);
    smtp_journal_close(j);
    unlink(path);
}

/* ---- the transport without a server ----------------------------------------------- */

static archase_instant nine_am(void *userdata) {
    (void)userdata;
    return 1772442000; /* 2026-03-02T09:00:00Z */
}

static void options_are_checked_with_a_reason(void **state) {
    (void)state;
    archase_smtp_options o = ARCHASE_SMTP_OPTIONS_INIT;
    archase_transport t;
    char err[256];
    assert_int_equal(archase_smtp_transport_new(&o, &t, err, sizeof err), ARCHASE_EINVAL);
    o.url = "smtp://127.0.0.1:1";
    assert_int_equal(archase_smtp_transport_new(&o, &t, err, sizeof err), ARCHASE_EINVAL);
    assert_string_equal(err, "the from address must be local@domain");
    o.from = "ar@example.com";
    o.journal_path = "/nonexistent-directory/journal";
    assert_int_equal(archase_smtp_transport_new(&o, &t, err, sizeof err), ARCHASE_EIO);
    assert_non_null(strstr(err, "/nonexistent-directory/journal"));
    o.journal_path = NULL;
    o.message_id_domain = "not a host";
    assert_int_equal(archase_smtp_transport_new(&o, &t, err, sizeof err), ARCHASE_EINVAL);
    o.message_id_domain = NULL;
    archase_clock broken = { ARCHASE_CLOCK_VERSION, NULL, NULL };
    o.clock = &broken;
    assert_int_equal(archase_smtp_transport_new(&o, &t, err, sizeof err), ARCHASE_EINVAL);
    o.clock = NULL;
    o.sent_folder_url = "https://mail.example.com/Sent";
    assert_int_equal(archase_smtp_transport_new(&o, &t, err, sizeof err), ARCHASE_EINVAL);
    assert_string_equal(err, "the Sent folder must be imap://HOST/FOLDER or imaps://HOST/FOLDER");
    o.sent_folder_url = NULL;
    o.version = 99;
    assert_int_equal(archase_smtp_transport_new(&o, &t, err, sizeof err), ARCHASE_EVERSION);
    o.version = ARCHASE_SMTP_OPTIONS_VERSION;
    assert_int_equal(archase_smtp_transport_new(&o, &t, err, sizeof err), 0);
    assert_int_equal(t.version, ARCHASE_TRANSPORT_VERSION);
    assert_non_null(t.send);
    assert_null(t.lookup); /* no journal: it cannot tell */
    t.close(t.userdata);
}

static void what_cannot_go_now_is_answered_without_connecting(void **state) {
    (void)state;
    /* Port 1 on 127.0.0.1: a connection would fail with a retry. */
    archase_smtp_options o = ARCHASE_SMTP_OPTIONS_INIT;
    archase_clock clock = { ARCHASE_CLOCK_VERSION, NULL, nine_am };
    o.url = "smtp://127.0.0.1:1";
    o.from = "ar@example.com";
    o.clock = &clock;
    archase_transport t;
    assert_int_equal(archase_smtp_transport_new(&o, &t, NULL, 0), 0);
    int result = 0;
    char detail[256];

    archase_message m = message("k#1", "ap@acme.example", "s", "b");
    m.scheduled_at = 1772442000 + 1;
    assert_int_equal(t.send(t.userdata, &m, &result, detail, sizeof detail), 0);
    assert_int_equal(result, ARCHASE_SEND_RETRY);
    assert_string_equal(detail, "not due before 2026-03-02T09:00:01Z");

    m.scheduled_at = 0;
    m.channel = ARCHASE_CHANNEL_SMS;
    assert_int_equal(t.send(t.userdata, &m, &result, detail, sizeof detail), 0);
    assert_int_equal(result, ARCHASE_SEND_REJECTED);
    assert_string_equal(detail, "channel 'sms' is not e-mail");

    m.channel = ARCHASE_CHANNEL_INTERNAL;
    m.address = "finance_lead";
    assert_int_equal(t.send(t.userdata, &m, &result, detail, sizeof detail), 0);
    assert_int_equal(result, ARCHASE_SEND_REJECTED);

    m.channel = ARCHASE_CHANNEL_EMAIL;
    m.address = "not-an-address";
    assert_int_equal(t.send(t.userdata, &m, &result, NULL, 0), 0);
    assert_int_equal(result, ARCHASE_SEND_REJECTED);

    m.address = "ap@acme.example";
    assert_int_equal(t.send(t.userdata, &m, &result, detail, sizeof detail), 0);
    assert_int_equal(result, ARCHASE_SEND_RETRY); /* nothing listens on port 1 */
    assert_int_equal(t.send(t.userdata, NULL, &result, detail, sizeof detail), ARCHASE_EINVAL);
    t.close(t.userdata);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(message_id_is_the_key_in_dot_atom_text),
    cmocka_unit_test(message_id_needs_room_a_key_and_a_host_name),
    cmocka_unit_test(the_body_is_quoted_printable_in_short_lines),
    cmocka_unit_test(a_utf8_subject_is_encoded_and_folded),
    cmocka_unit_test(an_address_that_could_inject_is_refused),
    cmocka_unit_test(the_journal_keeps_the_last_word_on_each_key),
    cmocka_unit_test(options_are_checked_with_a_reason),
    cmocka_unit_test(what_cannot_go_now_is_answered_without_connecting),
};

AR_TEST_MAIN(tests)
