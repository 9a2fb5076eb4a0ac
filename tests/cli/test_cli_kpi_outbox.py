"""archase kpi after archase run: collection effectiveness per step and per
template, and reviewer effort, read from what the daily cycle sent and what
reviewers did (docs/kpi-formulas.md, "Messages and reviews")."""
import datetime
import os

import pytest

CUSTOMERS = (
    "customer_id,name,owner,collector,timezone,email,flags\n"
    "ACME,ACME GmbH,olaf,anna,Europe/Berlin,ap@acme.example,\n"
)
INVOICES = (
    "invoice_id,customer_id,issue_date,due_date,amount,currency,po_ref,source_link\n"
    "A-1,ACME,2026-01-31,2026-03-02,1200.00,EUR,PO-1,\n"
    "A-2,ACME,2026-01-31,2026-03-02,300.00,EUR,PO-2,\n"
)
# Both invoices paid two days after the message: it was effective.
PAYMENTS = (
    "payment_id,customer_id,invoice_id,date,amount,currency\n"
    "P1,ACME,A-1,2026-03-11,1200.00,EUR\n"
    "P2,ACME,A-2,2026-03-11,300.00,EUR\n"
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


def eur_row(archase, db, *period):
    r = archase("kpi", db, "--from", period[0], "--to", period[1], "--currency", "EUR", "--json")
    assert r.code == 0, r.err
    rows = r.json()
    assert len(rows) == 1
    return rows[0]


def test_effectiveness_of_sent_messages_per_step_and_template(archase, ledger, source_root, tmp_path):
    sent = tmp_path / "sent.jsonl"
    r = archase("run", ledger, "--policy", policy(source_root), "--as-of", "2026-03-09",
                "--now", "2026-03-09T12:00:00Z", "--transport", f"jsonl:{sent}", "--json")
    assert r.code == 0, r.err
    assert r.json()["dispatch"]["sent"] == 1     # ACME's two invoices in one message
    payments = tmp_path / "payments.csv"
    payments.write_text(PAYMENTS)
    assert archase("import", ledger, "--kind", "payments", payments).code == 0

    # Sent on 03-09, its window closes on 03-16: counted in March.
    row = eur_row(archase, ledger, "2026-03-01", "2026-03-31")
    assert row["messages"] == 1
    assert row["message_amount"] == "1500.00"
    assert row["effective_messages"] == 1
    assert row["collection_effectiveness_percent"] == 100.0
    assert row["cadence_response_rate_percent"] == 100.0
    steps = row["effectiveness_by_step"]
    assert len(steps) == 1
    step = steps[0]
    assert step["name"].count("/") == 1          # "sequence/step"
    assert (step["messages"], step["effective"], step["responded"], step["disputed"]) == (1, 1, 1, 0)
    assert step["amount"] == "1500.00" and step["effective_amount"] == "1500.00"
    assert step["effective_percent"] == 100.0 and step["dispute_percent"] == 0.0
    templates = row["effectiveness_by_template"]
    assert len(templates) == 1 and templates[0]["messages"] == 1

    # Before the window closes nothing is counted: the rates are undefined.
    early = eur_row(archase, ledger, "2026-03-01", "2026-03-15")
    assert early["messages"] == 0
    assert early["collection_effectiveness_percent"] is None
    assert early["effectiveness_by_step"] == []

    # Nothing was drafted: no reviewer effort, and no time to review.
    effort = row["reviewer_effort"]
    assert (effort["reviewed"], effort["pending"]) == (0, 0)
    assert effort["mean_minutes_to_review"] is None


def test_reviewer_effort_of_the_review_queue(archase, ledger, source_root, tmp_path):
    r = archase("run", ledger, "--policy", policy(source_root), "--as-of", "2026-03-09",
                "--now", "2026-03-09T12:00:00Z", "--review", "--json")
    assert r.code == 0, r.err
    assert r.json()["drafts"] == 1
    key = archase("review", ledger, "list", "--json").json()[0]["idempotency_key"]
    ok = archase("review", ledger, "reject", key, "--as", "rita", "--note", "paid by phone")
    assert ok.code == 0, ok.err   # reviewed now, by the real clock
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()

    # At the end of the drafting day the draft was still waiting.
    waiting = eur_row(archase, ledger, "2026-03-09", "2026-03-09")["reviewer_effort"]
    assert (waiting["reviewed"], waiting["pending"]) == (0, 1)
    assert waiting["reject_percent"] is None
    # Up to today it was reviewed: rejected.
    effort = eur_row(archase, ledger, "2026-03-09", today)["reviewer_effort"]
    assert (effort["reviewed"], effort["rejected"], effort["edited"], effort["pending"]) == (1, 1, 0, 0)
    assert effort["reject_percent"] == 100.0 and effort["edit_percent"] == 0.0
    assert effort["mean_minutes_to_review"] > 0
