"""archase run (persisting), dispatch, outbox and review, driven as a user
drives them: the JSON contracts, exactly-once delivery through the file
transports, the review queue, and what they refuse."""
import json
import os

import pytest

CUSTOMERS = (
    "customer_id,name,owner,collector,timezone,email,flags\n"
    "ACME,ACME GmbH,olaf,anna,Europe/Berlin,ap@acme.example,\n"
    "HOLDCO,Holdco,olaf,anna,Europe/Berlin,ap@holdco.example,hold\n"
    "BIGCO,Bigco,olaf,bert,America/New_York,ap@bigco.example,\n"
)
INVOICES = (
    "invoice_id,customer_id,issue_date,due_date,amount,currency,po_ref,source_link\n"
    "A-1,ACME,2026-01-31,2026-03-02,1200.00,EUR,PO-1,https://erp.example/A-1\n"
    "A-2,ACME,2026-01-31,2026-03-02,300.00,EUR,PO-2,https://erp.example/A-2\n"
    "H-1,HOLDCO,2026-01-31,2026-03-02,500.00,EUR,,\n"
    "B-1,BIGCO,2025-12-01,2026-01-08,60000.00,USD,,https://erp.example/B-1\n"
)


def policy(source_root):
    return os.path.join(source_root, "tests", "scenarios", "policies", "standard.yaml")


@pytest.fixture
def ledger(archase, tmp_path):
    db = tmp_path / "ledger.db"
    assert archase("init", db).code == 0
    for kind, text in (("customers", CUSTOMERS), ("invoices", INVOICES)):
        f = tmp_path / f"{kind}.csv"
        f.write_text(text)
        r = archase("import", db, "--kind", kind, f)
        assert r.code == 0, r.err
    return db


def lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_run_persists_dispatches_once_and_reruns_change_nothing(archase, ledger, source_root, tmp_path):
    sent = tmp_path / "sent.jsonl"
    r = archase("run", ledger, "--policy", policy(source_root), "--as-of", "2026-03-09",
                "--transport", f"jsonl:{sent}", "--json")
    assert r.code == 0, r.err
    day = r.json()
    assert isinstance(day["decisions"], int) and isinstance(day["by_kind"], dict)
    assert day["decisions"] == sum(day["by_kind"].values())
    assert day["outbox_written"] == 1          # ACME's two invoices in one message
    assert day["approvals_raised"] == 1        # BIGCO's legal notice waits for approval
    assert day["dispatch"]["sent"] == 1
    messages = lines(sent)
    assert len(messages) == 1
    m = messages[0]
    assert m["address"] == "ap@acme.example"
    assert sorted(m["invoice_ids"]) == ["A-1", "A-2"]
    assert m["link_placeholder"] == "@@ARCHASE:PAY_NOW_LINK@@"
    assert m["reason_codes"]
    assert m["timezone"] == "Europe/Berlin"

    again = archase("run", ledger, "--policy", policy(source_root), "--as-of", "2026-03-09",
                    "--transport", f"jsonl:{sent}", "--json")
    assert again.code == 0, again.err
    assert again.json()["outbox_written"] == 0
    assert again.json()["approvals_raised"] == 0
    assert len(lines(sent)) == 1

    out = archase("outbox", ledger, "--json")
    assert out.code == 0, out.err
    items = out.json()
    assert len(items) == 1
    item = items[0]
    for key in ("idempotency_key", "customer_id", "invoice_ids", "channel", "template", "status",
                "scheduled_at", "attempts"):
        assert key in item
    assert item["status"] == "sent"
    assert item["idempotency_key"] == m["idempotency_key"]
    assert item["channel"] == "email"
    assert item["attempts"] == 1
    assert item["scheduled_at"].endswith("Z")


def test_without_a_transport_nothing_is_sent_until_dispatch(archase, ledger, source_root, tmp_path):
    r = archase("run", ledger, "--policy", policy(source_root), "--as-of", "2026-03-09", "--json")
    assert r.code == 0, r.err
    assert r.json()["dispatched"] is False
    pending = archase("outbox", ledger, "--status", "pending", "--json").json()
    assert len(pending) == 1
    outdir = tmp_path / "mail"
    outdir.mkdir()
    # Not before its scheduled instant.
    early = archase("dispatch", ledger, "--transport", f"eml:{outdir}", "--now", "2026-03-09T06:00:00Z", "--json")
    assert early.code == 0, early.err
    assert early.json()["sent"] == 0
    d = archase("dispatch", ledger, "--transport", f"eml:{outdir}", "--now", "2026-03-09T12:00:00Z", "--json")
    assert d.code == 0, d.err
    assert d.json()["sent"] == 1
    files = list(outdir.glob("*.eml"))
    assert len(files) == 1
    text = files[0].read_text()
    assert "To: <ap@acme.example>" in text
    assert "X-Archase-Idempotency-Key: " + pending[0]["idempotency_key"] in text
    again = archase("dispatch", ledger, "--transport", f"eml:{outdir}", "--now", "2026-03-10T12:00:00Z", "--json")
    assert again.json()["sent"] == 0
    assert len(list(outdir.glob("*.eml"))) == 1


def test_review_queue_approve_edit_reject(archase, ledger, source_root, tmp_path):
    sent = tmp_path / "sent.jsonl"
    r = archase("run", ledger, "--policy", policy(source_root), "--as-of", "2026-03-09", "--review",
                "--transport", f"jsonl:{sent}", "--json")
    assert r.code == 0, r.err
    assert r.json()["drafts"] == 1
    assert r.json()["dispatch"]["sent"] == 0
    drafts = archase("review", ledger, "list", "--json").json()
    assert len(drafts) == 1 and drafts[0]["status"] == "draft"
    key = drafts[0]["idempotency_key"]
    text = archase("review", ledger, "list")
    assert text.code == 0 and "reasons:" in text.out

    # An edit may name template fields but never invent an amount.
    bad = archase("review", ledger, "edit", key, "--as", "rita", "--body", "Please pay 999 EUR today")
    assert bad.code == 1
    assert "amount" in bad.err
    refused = archase("review", ledger, "reject", key, "--as", "rita")   # no --note
    assert refused.code != 0 and "note" in refused.err
    assert archase("review", ledger, "approve", key).code == 2  # no --as

    ok = archase("review", ledger, "edit", key, "--as", "rita",
                 "--body", "Hello {{ customer.name }}, {{ totals.open_amount | money }} is open.")
    assert ok.code == 0, ok.err
    item = archase("outbox", ledger, "--json").json()[0]
    assert item["status"] == "pending"
    assert item["reviewer"] == "rita"
    assert item["edited"] is True
    assert isinstance(item["review_seconds"], int)
    assert archase("review", ledger, "approve", key, "--as", "rita").code == 1  # not a draft any more

    d = archase("dispatch", ledger, "--transport", f"jsonl:{sent}")  # the real clock: after the review
    assert d.code == 0, d.err
    body = lines(sent)[0]["body"]
    assert body.startswith("Hello ACME GmbH, ")


def test_refusals(archase, ledger, source_root, tmp_path):
    assert archase("dispatch", ledger).code == 2                                # no transport
    assert archase("dispatch", ledger, "--transport", "smtp:x").code == 2
    assert archase("dispatch", ledger, "--transport", f"eml:{tmp_path}/missing").code == 1
    assert archase("outbox", ledger, "--status", "lost").code == 2
    assert archase("outbox", ledger, "resolve", "nope", "sent").code == 2       # no --as/--reason
    assert archase("outbox", ledger, "resolve", "nope", "sent", "--as", "a", "--reason", "b").code == 1
    assert archase("review", ledger, "frobnicate").code == 2
    assert archase("run", ledger, "--policy", policy(source_root), "--as-of", "2026-03-09",
                   "--now", "yesterday").code == 2
