"""The daily cycle delivered by e-mail: a small ledger imported with `archase`,
the cycle run by archase-smtp-run through the SMTP transport, and what a real
SMTP server on 127.0.0.1 received: one message per customer per day, to the
right address, with the template's text and the ledger's amounts, none to a
customer on hold, and nothing twice when a run is cut short and run again."""

import json
import os
import subprocess
from collections import Counter

import pytest

HERE = os.path.dirname(__file__)
POLICY = os.path.join(HERE, "data", "policy.yaml")
FROM = ["--from", "ar@example.com", "--from-name", "Example Ltd Accounts"]

CUSTOMERS = (
    "customer_id,name,owner,collector,timezone,email,flags\n"
    "ACME,ACME GmbH,olaf,anna,Europe/Berlin,ap@acme.example,\n"
    'BIGCO,"Bigco, Inc.",olaf,bert,America/New_York,payables@bigco.example,\n'
    "HOLDCO,Holdco,olaf,anna,,ap@holdco.example,hold\n"
)
INVOICES = (
    "invoice_id,customer_id,number,issue_date,due_date,amount,currency\n"
    "A-1,ACME,INV-1001,2026-02-01,2026-03-01,1200.00,EUR\n"
    "A-2,ACME,INV-1002,2026-02-01,2026-03-01,300.50,EUR\n"
    "B-1,BIGCO,INV-2001,2026-02-01,2026-03-01,60000.00,USD\n"
    "H-1,HOLDCO,INV-3001,2026-02-01,2026-03-01,500.00,EUR\n"
)


def tool(name):
    path = os.environ.get(name)
    if not path:
        pytest.fail("%s is not set: run through `meson test --suite smtp`" % name)
    return path


def cli(*args):
    p = subprocess.run([tool("ARCHASE_CLI"), *map(str, args)], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout


@pytest.fixture
def ledger(tmp_path):
    db = tmp_path / "ar.db"
    cli("init", db)
    for kind, text in (("customers", CUSTOMERS), ("invoices", INVOICES)):
        f = tmp_path / f"{kind}.csv"
        f.write_text(text)
        cli("import", db, "--kind", kind, f)
    return db


def run_args(db, server, now, as_of=None, extra=()):
    args = [tool("ARCHASE_SMTP_RUN"), str(db), "--server", server.url, *FROM, "--now", now,
            "--pay-link", "https://pay.example.com/acct", *extra]
    args += ["--policy", POLICY, "--as-of", as_of] if as_of else ["--dispatch-only"]
    return args


def run(db, server, now, as_of=None, extra=()):
    p = subprocess.run(run_args(db, server, now, as_of, extra), capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    return json.loads(p.stdout)


def outbox(db):
    return json.loads(cli("outbox", db, "--json"))


def by_recipient(server):
    return Counter(m.rcpt_tos[0] for m in server.messages)


def body_lines(message):
    return message.text.replace("\r\n", "\n").splitlines()


def test_each_customer_gets_one_message_a_day_with_its_invoices_and_amounts(ledger, smtp_server):
    report = run(ledger, smtp_server, "2026-03-02T18:00:00Z", "2026-03-02")
    assert report["outbox_written"] == 2
    assert report["dispatch"]["sent"] == 2
    assert by_recipient(smtp_server) == {"ap@acme.example": 1, "payables@bigco.example": 1}
    acme = next(m for m in smtp_server.messages if m.rcpt_tos == ["ap@acme.example"])
    assert acme.mail_from == "ar@example.com"
    assert acme.message["To"] == "ap@acme.example" or acme.message["To"].endswith("<ap@acme.example>")
    assert acme.message["From"] == "Example Ltd Accounts <ar@example.com>"
    assert acme.message["Subject"] == "Reminder: 2 invoice(s) overdue"
    assert body_lines(acme) == ["Hello ACME GmbH,", "", "INV-1001: €1,200.00",
                                "INV-1002: €300.50", "Total: €1,500.50",
                                "Pay online: https://pay.example.com/acct"]
    bigco = next(m for m in smtp_server.messages if m.rcpt_tos == ["payables@bigco.example"])
    assert body_lines(bigco)[:4] == ["Hello Bigco, Inc.,", "", "INV-2001: $60,000.00",
                                     "Total: $60,000.00"]
    # The Message-ID is the outbox item's idempotency key.
    keys = {item["idempotency_key"] for item in outbox(ledger)}
    for m in smtp_server.messages:
        assert m.message["X-Archase-Idempotency-Key"] in keys

    # The same day again: nothing new is written or sent.
    again = run(ledger, smtp_server, "2026-03-02T19:00:00Z", "2026-03-02")
    assert (again["outbox_written"], again["dispatch"]["sent"]) == (0, 0)
    # The next day has no step due; ten days after the due date the firm one is.
    assert run(ledger, smtp_server, "2026-03-03T18:00:00Z", "2026-03-03")["dispatch"]["sent"] == 0
    later = run(ledger, smtp_server, "2026-03-11T18:00:00Z", "2026-03-11")
    assert later["dispatch"]["sent"] == 2
    assert by_recipient(smtp_server) == {"ap@acme.example": 2, "payables@bigco.example": 2}
    second = [m for m in smtp_server.messages if m.rcpt_tos == ["ap@acme.example"]][1]
    assert second.message["Subject"] == "Second reminder: €1,500.50 overdue"
    # Never two messages to one customer on one day (by the Date header's day).
    days = Counter((m.rcpt_tos[0], m.message["Date"].datetime.date()) for m in smtp_server.messages)
    assert max(days.values()) == 1
    assert all("holdco" not in m.rcpt_tos[0] for m in smtp_server.messages)


def test_messages_go_out_in_the_customers_send_window(ledger, smtp_server):
    # 07:00 UTC: before 09:00 in Berlin (08:00 UTC) and in New York (14:00 UTC).
    early = run(ledger, smtp_server, "2026-03-02T07:00:00Z", "2026-03-02")
    assert (early["outbox_written"], early["dispatch"]["sent"]) == (2, 0)
    assert smtp_server.messages == []
    assert run(ledger, smtp_server, "2026-03-02T08:30:00Z")["dispatch"]["sent"] == 1
    assert by_recipient(smtp_server) == {"ap@acme.example": 1}
    assert smtp_server.messages[0].message["Date"].datetime.hour == 8
    assert run(ledger, smtp_server, "2026-03-02T14:05:00Z")["dispatch"]["sent"] == 1
    assert by_recipient(smtp_server) == {"ap@acme.example": 1, "payables@bigco.example": 1}


def test_a_message_the_server_took_without_answering_is_never_resent(ledger, smtp_server):
    smtp_server.handler.drop_next = True  # the first message (ACME, 08:00 UTC)
    report = run(ledger, smtp_server, "2026-03-02T18:00:00Z", "2026-03-02")
    assert report["dispatch"]["in_doubt"] == 1
    assert report["dispatch"]["sent"] == 1
    assert by_recipient(smtp_server) == {"ap@acme.example": 1, "payables@bigco.example": 1}
    (doubt,) = [i for i in outbox(ledger) if i["status"] == "in_doubt"]
    assert doubt["customer_id"] == "ACME"
    assert "the server may have it" in doubt["last_detail"]
    # Later runs ask the journal, which cannot tell: it stays for a person.
    for now in ("2026-03-02T19:00:00Z", "2026-03-03T09:00:00Z"):
        assert run(ledger, smtp_server, now)["dispatch"]["in_doubt"] == 1
    assert by_recipient(smtp_server)["ap@acme.example"] == 1
    # A person finds it in the Sent folder and says so.
    cli("outbox", ledger, "resolve", doubt["idempotency_key"], "sent", "--as", "tom",
        "--reason", "found in the mailbox's Sent folder")
    statuses = Counter(i["status"] for i in outbox(ledger))
    assert statuses == {"sent": 2}
    assert run(ledger, smtp_server, "2026-03-03T10:00:00Z")["dispatch"]["sent"] == 0
    assert by_recipient(smtp_server)["ap@acme.example"] == 1


def test_a_message_in_doubt_found_in_the_sent_folder_is_settled_by_the_rerun(
        ledger, smtp_server, sent_folder):
    folder = ["--sent-folder", sent_folder.url, "--user", "ar@example.com"]

    def env_run(now, as_of=None):
        p = subprocess.run(run_args(ledger, smtp_server, now, as_of, folder), capture_output=True,
                           text=True, env={**os.environ, "ARCHASE_SMTP_PASSWORD": "app-password"})
        assert p.returncode == 0, p.stderr
        return json.loads(p.stdout)

    smtp_server.handler.drop_next = True
    assert env_run("2026-03-02T18:00:00Z", "2026-03-02")["dispatch"]["in_doubt"] == 1
    # The mailbox filed what its server took: the next dispatch finds it there.
    sent_folder.message_ids.update(m.message["Message-ID"] for m in smtp_server.messages)
    report = env_run("2026-03-02T18:15:00Z")["dispatch"]
    assert (report["reconciled_sent"], report["in_doubt"], report["sent"]) == (1, 0, 0)
    assert Counter(i["status"] for i in outbox(ledger)) == {"sent": 2}
    assert by_recipient(smtp_server) == {"ap@acme.example": 1, "payables@bigco.example": 1}


def test_a_crash_during_the_exchange_then_a_rerun_delivers_nothing_twice(ledger, smtp_server):
    # The run dies (SIGKILL) while the server takes its first message.
    proc = subprocess.Popen(run_args(ledger, smtp_server, "2026-03-02T18:00:00Z", "2026-03-02"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    smtp_server.handler.kill_on_data = proc
    proc.communicate(timeout=120)
    assert proc.returncode == -9
    assert by_recipient(smtp_server) == {"ap@acme.example": 1}
    # The rerun finds what the crash left: the message the server took is in
    # doubt (the journal saw it start, not end) and is not sent again; the one
    # never attempted goes out.
    report = run(ledger, smtp_server, "2026-03-02T18:05:00Z", "2026-03-02")
    assert report["outbox_written"] == 0
    assert report["dispatch"]["in_doubt"] == 1
    assert by_recipient(smtp_server) == {"ap@acme.example": 1, "payables@bigco.example": 1}
    again = run(ledger, smtp_server, "2026-03-02T18:10:00Z", "2026-03-02")
    assert again["dispatch"]["sent"] == 0
    assert by_recipient(smtp_server) == {"ap@acme.example": 1, "payables@bigco.example": 1}


def test_a_message_acknowledged_before_a_crash_is_found_sent_by_the_rerun(ledger, smtp_server):
    # The run dies while the server takes the second message: the first was
    # acknowledged (journal: sent) but its outbox item may still say sending.
    proc = subprocess.Popen(run_args(ledger, smtp_server, "2026-03-02T18:00:00Z", "2026-03-02"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    smtp_server.handler.kill_on_data_after = 1
    smtp_server.handler.kill_on_data = proc
    proc.communicate(timeout=120)
    assert proc.returncode == -9
    assert len(smtp_server.messages) == 2
    report = run(ledger, smtp_server, "2026-03-02T18:05:00Z", "2026-03-02")
    assert report["dispatch"]["sent"] == 0
    assert report["dispatch"]["in_doubt"] == 1  # the one cut off during its data
    assert by_recipient(smtp_server) == {"ap@acme.example": 1, "payables@bigco.example": 1}
    acme = next(i for i in outbox(ledger) if i["customer_id"] == "ACME")
    assert acme["status"] == "sent"


def test_a_bounce_is_a_dead_letter_with_an_alert_to_the_team(ledger, smtp_server, tmp_path):
    f = tmp_path / "moved.csv"
    f.write_text("customer_id,name,owner,collector,timezone,email,flags\n"
                 "GONE,Gone Ltd,olaf,anna,,nobody@gone.example,\n")
    cli("import", ledger, "--kind", "customers", f)
    f = tmp_path / "gone-invoices.csv"
    f.write_text("invoice_id,customer_id,number,issue_date,due_date,amount,currency\n"
                 "G-1,GONE,INV-4001,2026-02-01,2026-03-01,75.00,EUR\n")
    cli("import", ledger, "--kind", "invoices", f)
    report = run(ledger, smtp_server, "2026-03-02T18:00:00Z", "2026-03-02",
                 extra=["--internal-to", "ar-team@example.com"])
    assert report["dispatch"]["dead"] == 1
    gone = next(i for i in outbox(ledger) if i["customer_id"] == "GONE" and i["channel"] == "email")
    assert gone["status"] == "dead"
    assert "550 5.1.1" in gone["last_detail"]
    # The alert goes out at the next dispatch (or this one) to the team mailbox.
    run(ledger, smtp_server, "2026-03-02T18:05:00Z", extra=["--internal-to", "ar-team@example.com"])
    team = [m for m in smtp_server.messages if m.rcpt_tos == ["ar-team@example.com"]]
    assert len(team) == 1
    assert "GONE" in team[0].text or "Gone Ltd" in team[0].text
    assert "nobody@gone.example" not in by_recipient(smtp_server)


def test_the_program_says_what_it_needs(ledger, smtp_server):
    p = subprocess.run([tool("ARCHASE_SMTP_RUN"), str(ledger), "--server", smtp_server.url,
                        *FROM], capture_output=True, text=True)
    assert p.returncode == 2 and "--policy" in p.stderr
    p = subprocess.run([tool("ARCHASE_SMTP_RUN"), str(ledger), "--server", smtp_server.url,
                        *FROM, "--user", "ar@example.com", "--dispatch-only"],
                       capture_output=True, text=True, env={"PATH": os.environ.get("PATH", "")})
    assert p.returncode == 2 and "ARCHASE_SMTP_PASSWORD" in p.stderr
    p = subprocess.run([tool("ARCHASE_SMTP_RUN"), str(ledger.parent / "none.db"), "--server",
                        smtp_server.url, *FROM, "--dispatch-only"], capture_output=True, text=True)
    assert p.returncode == 1
    assert not (ledger.parent / "none.db").exists()
    p = subprocess.run([tool("ARCHASE_SMTP_RUN"), "--help"], capture_output=True, text=True)
    assert p.returncode == 0 and "--dispatch-only" in p.stdout
