"""The SMTP transport's send and lookup, driven directly (smtp-probe) against
a real SMTP server on 127.0.0.1: what goes on the wire, and what every answer
of the server means for the cycle."""

import socket
import subprocess

from conftest import free_port, probe_path

FROM = ["--from", "ar@example.com", "--from-name", "Accounts Receivable"]
NOW = ["--now", "2026-03-02T09:30:00Z"]
BODY = ("Dear Ana,\n\ninvoice INV-1001 of 1,200.00 EUR was due on 2026-02-20.\n"
        "Pay here: {{pay_link}}\n")


def send(probe, server, key="INV-1001:reminder_1:2026-03-02#1", to="ana@acme.example",
         subject="Invoice INV-1001 is overdue", body=BODY, extra=(), check=True):
    return probe("--url", server.url, *FROM, *NOW, *extra,
                 "send", key, to, subject, body, check=check)


def result_of(lines):
    return lines[0].split("\t", 1)


def test_a_message_is_delivered_with_its_text_recipient_and_key(probe, smtp_server):
    lines = send(probe, smtp_server, extra=["--name", "Ana Lima",
                                              "--pay-link", "https://pay.example/i/INV-1001"])
    assert result_of(lines)[0] == "sent"
    assert "250" in result_of(lines)[1]
    (m,) = smtp_server.messages
    assert m.mail_from == "ar@example.com"
    assert m.rcpt_tos == ["ana@acme.example"]
    assert m.message["To"] == "Ana Lima <ana@acme.example>"
    assert m.message["From"] == "Accounts Receivable <ar@example.com>"
    assert m.message["Subject"] == "Invoice INV-1001 is overdue"
    assert m.message["Message-ID"] == \
        "<archase.INV-1001=3Areminder_1=3A2026-03-02=231@example.com>"
    assert m.message["X-Archase-Idempotency-Key"] == "INV-1001:reminder_1:2026-03-02#1"
    assert m.message["Date"] == "Mon, 02 Mar 2026 09:30:00 +0000"
    assert m.message["Content-Transfer-Encoding"] == "quoted-printable"
    text = m.text
    assert "invoice INV-1001 of 1,200.00 EUR was due on 2026-02-20." in text
    assert "Pay here: https://pay.example/i/INV-1001" in text
    assert "{{pay_link}}" not in text
    assert not m.tls  # this server offers no STARTTLS


def test_links_name_the_customer_and_unset_links_are_removed(probe, smtp_server):
    body = "Pay: {{pay_link}}\nDisagree? @@ARCHASE:DISPUTE_LINK@@\n"
    lines = send(probe, smtp_server, body=body,
                 extra=["--customer", "ACME & Co/EU", "--pay-link",
                        "https://pay.example/c/{customer_id}?src=mail",
                        "--dispute-link", "https://pay.example/dispute/{customer_id}"])
    assert result_of(lines)[0] == "sent"
    lines = send(probe, smtp_server, key="k#2", body=body, extra=["--customer", "ACME"])
    assert result_of(lines)[0] == "sent"
    first, second = (m.text.replace("\r\n", "\n") for m in smtp_server.messages)
    assert first == ("Pay: https://pay.example/c/ACME%20%26%20Co%2FEU?src=mail\n"
                     "Disagree? https://pay.example/dispute/ACME%20%26%20Co%2FEU\n")
    assert second == "Pay: \nDisagree? \n"


def test_every_attempt_of_one_decision_has_the_same_message_id(probe, smtp_server):
    key = "ACME/2026-03-02/email#1"
    lines = probe("--url", smtp_server.url, *FROM, *NOW,
                  "send", key, "ana@acme.example", "First", BODY,
                  "send", key, "ana@acme.example", "First", BODY,
                  "send", "ACME/2026-03-03/email#1", "ana@acme.example", "Second", BODY)
    assert [l.split("\t")[0] for l in lines] == ["sent", "sent", "sent"]
    ids = [m.message["Message-ID"] for m in smtp_server.messages]
    assert ids[0] == ids[1] == "<archase.ACME=2F2026-03-02=2Femail=231@example.com>"
    assert ids[2] != ids[0]


def test_utf8_subject_name_and_body_survive(probe, smtp_server):
    body = "Bonjour Zoë,\n\nla facture F-77 de 1 980,00 € est échue.\n" + "x" * 200 + " \n"
    lines = send(probe, smtp_server, subject="Relance : facture F-77 — échue depuis 14 jours",
                 body=body, extra=["--name", "Zoë Müller"])
    assert result_of(lines)[0] == "sent"
    (m,) = smtp_server.messages
    assert m.message["Subject"] == "Relance : facture F-77 — échue depuis 14 jours"
    assert m.message["To"] == "Zoë Müller <ana@acme.example>"
    assert m.text.replace("\r\n", "\n") == body
    assert all(len(line) <= 78 for line in m.raw.split(b"\r\n")), "a line is longer than 78"
    assert all(b < 128 for b in m.raw), "the message is not 7-bit"


def test_a_body_line_of_a_single_dot_is_not_the_end_of_the_data(probe, smtp_server):
    body = "line one\n.\nline three after a dot\n"
    assert result_of(send(probe, smtp_server, body=body))[0] == "sent"
    (m,) = smtp_server.messages
    assert m.text.replace("\r\n", "\n") == body


def test_a_message_is_not_sent_before_its_scheduled_instant(probe, smtp_server):
    lines = send(probe, smtp_server, extra=["--scheduled-at", "2026-03-02T10:00:00Z"])
    assert result_of(lines) == ["retry", "not due before 2026-03-02T10:00:00Z"]
    assert smtp_server.messages == []
    lines = send(probe, smtp_server, extra=["--scheduled-at", "2026-03-02T09:30:00Z"])
    assert result_of(lines)[0] == "sent"


def test_an_unknown_mailbox_is_rejected_not_retried(probe, smtp_server):
    result, detail = result_of(send(probe, smtp_server, to="nobody@acme.example"))
    assert result == "rejected"
    assert detail.startswith("RCPT refused: 550 5.1.1")
    assert smtp_server.messages == []


def test_a_temporary_refusal_is_retried(probe, smtp_server):
    result, detail = result_of(send(probe, smtp_server, to="busy@acme.example"))
    assert result == "retry"
    assert "451 4.3.0" in detail


def test_a_refusal_of_the_data_is_rejected(probe, smtp_server):
    result, detail = result_of(send(probe, smtp_server, to="spam@acme.example"))
    assert result == "rejected"
    assert "554 5.7.1" in detail


def test_a_connection_dropped_after_the_data_is_in_doubt(probe, smtp_server, tmp_path):
    journal = str(tmp_path / "journal")
    key = "INV-9:final:2026-03-02#1"
    lines = probe("--url", smtp_server.url, *FROM, *NOW, "--journal", journal,
                  "send", key, "drop@acme.example", "Final notice", BODY, "lookup", key)
    result, detail = lines[0].split("\t", 1)
    assert result == "unknown"
    assert "the server may have it" in detail
    assert lines[1] == "unknown"  # a person decides: it did arrive
    assert len(smtp_server.messages) == 1


def test_no_answer_after_the_data_within_the_timeout_is_in_doubt(probe, smtp_server):
    smtp_server.handler.slow_seconds = 3.0
    result, detail = result_of(send(probe, smtp_server, to="slow@acme.example",
                                    extra=["--timeout-ms", "1000"]))
    assert result == "unknown"
    assert "timed out" in detail.lower() or "timeout" in detail.lower()


def test_no_server_listening_is_a_retry(probe):
    port = free_port()
    lines = probe("--url", "smtp://127.0.0.1:%d" % port, *FROM, *NOW,
                  "send", "k#1", "ana@acme.example", "s", "b")
    assert lines[0].split("\t")[0] == "retry"


def test_a_server_that_never_answers_the_greeting_is_a_retry(probe):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        lines = probe("--url", "smtp://127.0.0.1:%d" % port, *FROM, *NOW, "--timeout-ms", "800",
                      "send", "k#1", "ana@acme.example", "s", "b")
    assert lines[0].split("\t")[0] == "retry"


def test_what_cannot_be_email_is_rejected_without_a_connection(probe):
    port = free_port()  # nothing listens: a connection attempt would be a retry
    base = ["--url", "smtp://127.0.0.1:%d" % port, *FROM, *NOW]
    assert probe(*base, "send", "k#1", "not an address", "s", "b")[0].split("\t") == \
        ["rejected", "'not an address' is not an e-mail address"]
    assert probe(*base, "send", "k#1", "a@b.example\r\nBcc: x@y.example", "s", "b")[0] \
        .startswith("rejected\t")
    assert probe(*base, "--channel", "sms", "send", "k#1", "+4412345", "s", "b")[0] == \
        "rejected\tchannel 'sms' is not e-mail"
    assert probe(*base, "--channel", "internal", "send", "k#1", "finance_lead", "", "b")[0] == \
        "rejected\tinternal route 'finance_lead': no mailbox for internal routes"


def test_internal_routes_go_to_the_team_mailbox(probe, smtp_server):
    lines = probe("--url", smtp_server.url, *FROM, *NOW, "--internal-to", "ar-team@example.com",
                  "--channel", "internal",
                  "send", "ACME:escalate#1", "finance_lead", "", "Escalate ACME: 3 invoices")
    assert lines[0].split("\t")[0] == "sent"
    (m,) = smtp_server.messages
    assert m.rcpt_tos == ["ar-team@example.com"]
    assert m.message["X-Archase-Route"] == "finance_lead"
    assert m.message["Subject"].startswith("[finance_lead]")


def test_a_header_cannot_be_injected_through_the_subject(probe, smtp_server):
    lines = send(probe, smtp_server, subject="Overdue\r\nBcc: victim@evil.example")
    assert result_of(lines)[0] == "sent"
    (m,) = smtp_server.messages
    assert m.message["Bcc"] is None
    assert m.rcpt_tos == ["ana@acme.example"]


def test_lookup_answers_from_the_journal_across_restarts(probe, smtp_server, tmp_path):
    journal = str(tmp_path / "journal")
    base = ["--url", smtp_server.url, *FROM, *NOW, "--journal", journal]
    probe(*base, "send", "A#1", "ana@acme.example", "s", "b",
          "send", "B#1", "busy@acme.example", "s", "b",
          "send", "C#1", "nobody@acme.example", "s", "b")
    # A later process (the host restarted) asks about each key.
    assert probe(*base, "lookup", "A#1", "lookup", "B#1", "lookup", "C#1", "lookup", "D#1") == \
        ["sent", "not_sent", "not_sent", "not_sent"]
    # B is retried and goes through: its last word wins.
    probe(*base, "send", "B#1", "ana@acme.example", "s", "b")
    assert probe(*base, "lookup", "B#1") == ["sent"]


def test_a_journal_that_cannot_be_written_stops_the_message(probe, smtp_server):
    # /dev/full opens for writing and fails every write (no space left).
    lines = send(probe, smtp_server, extra=["--journal", "/dev/full"])
    assert result_of(lines) == ["retry", "the delivery journal cannot be written: not sent"]
    assert smtp_server.messages == []


def test_a_message_in_doubt_found_in_the_sent_folder_is_sent(probe, smtp_server, sent_folder,
                                                             tmp_path):
    journal = str(tmp_path / "journal")
    base = ["--url", smtp_server.url, *FROM, *NOW, "--journal", journal,
            "--user", "ar@example.com", "--password", "app-password",
            "--sent-folder", sent_folder.url]
    lines = probe(*base, "send", "A#1", "drop@acme.example", "s", "b",
                  "send", "B#1", "drop@acme.example", "s", "b",
                  "send", "C#1", "ana@acme.example", "s", "b")
    assert [l.split("\t")[0] for l in lines] == ["unknown", "unknown", "sent"]
    # The mailbox filed A (the server took it before the connection dropped), not B.
    a = next(m for m in smtp_server.messages if m.message["X-Archase-Idempotency-Key"] == "A#1")
    sent_folder.message_ids.add(a.message["Message-ID"])
    assert probe(*base, "lookup", "A#1", "lookup", "B#1", "lookup", "C#1", "lookup", "D#1") == \
        ["sent", "unknown", "sent", "not_sent"]
    # Only keys in doubt are searched for.
    assert sent_folder.searches == 2
    # Wrong credentials or no folder server: the journal's answer stands.
    wrong = [a if a != "app-password" else "wrong" for a in base]
    assert probe(*wrong, "lookup", "A#1") == ["unknown"]
    gone = [a if a != sent_folder.url else "imap://127.0.0.1:%d/Sent" % free_port() for a in base]
    assert probe(*gone, "lookup", "A#1") == ["unknown"]


def test_without_a_journal_there_is_no_lookup(probe, smtp_server):
    assert probe("--url", smtp_server.url, *FROM, "lookup", "A#1") == ["no-lookup"]


def test_starttls_is_used_when_the_server_offers_it(probe, tls_server):
    lines = send(probe, tls_server, extra=["--ca-file", tls_server.ca_file])
    assert result_of(lines)[0] == "sent"
    (m,) = tls_server.messages
    assert m.tls


def test_authentication_over_tls(probe, tls_server):
    extra = ["--ca-file", tls_server.ca_file, "--require-tls", "--user", "ar@example.com"]
    ok = send(probe, tls_server, extra=extra + ["--password", "app-password"])
    assert result_of(ok)[0] == "sent"
    bad = send(probe, tls_server, key="k#2", extra=extra + ["--password", "wrong"])
    assert result_of(bad) == ["retry", "authentication refused (535 5.7.8 Authentication "
                              "credentials invalid): check the user and password"]
    assert len(tls_server.messages) == 1


def test_an_untrusted_certificate_is_not_accepted(probe, tls_server):
    result, detail = result_of(send(probe, tls_server))  # the system CAs do not know it
    assert result == "retry"
    assert tls_server.messages == []


def test_tls_required_but_not_offered_is_a_retry_and_nothing_goes_in_clear(probe, smtp_server):
    lines = send(probe, smtp_server, extra=["--require-tls"])
    assert result_of(lines) == ["retry", "the server offers no TLS and TLS is required"]
    assert smtp_server.messages == []


def test_bad_options_are_refused_with_a_reason():
    p = subprocess.run([probe_path(), "--url", "http://x", *FROM, "lookup", "k"],
                       capture_output=True, text=True)
    assert p.returncode == 1
    assert "smtp://HOST[:PORT] or smtps://HOST[:PORT]" in p.stderr
    p = subprocess.run([probe_path(), "--url", "smtp://x", "--from", "nobody", "lookup", "k"],
                       capture_output=True, text=True)
    assert p.returncode == 1
    assert "local@domain" in p.stderr
