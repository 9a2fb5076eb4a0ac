"""archase run --dry-run, archase worklist and archase explain, driven as a
user drives them: the JSON contracts, the text forms, and what they refuse."""
import os

import pytest

CUSTOMERS = (
    "customer_id,name,owner,collector,timezone,email,flags\n"
    "ACME,ACME GmbH,olaf,anna,Europe/Berlin,ap@acme.example,\n"
    "HOLDCO,Holdco,olaf,anna,Europe/Berlin,ap@holdco.example,hold\n"
    "BIGCO,Bigco,olaf,bert,America/New_York,ap@bigco.example,\n"
    "QUIET,Quiet Ltd,,anna,,,\n"
)
INVOICES = (
    "invoice_id,customer_id,issue_date,due_date,amount,currency,po_ref,source_link\n"
    "A-1,ACME,2026-01-31,2026-03-02,1200.00,EUR,PO-1,https://erp.example/A-1\n"
    "A-2,ACME,2026-01-31,2026-03-02,300.00,EUR,PO-2,https://erp.example/A-2\n"
    "H-1,HOLDCO,2026-01-31,2026-03-02,500.00,EUR,,\n"
    "B-1,BIGCO,2025-12-01,2026-01-08,60000.00,USD,,https://erp.example/B-1\n"
    "Q-1,QUIET,2026-01-31,2026-03-02,80.00,EUR,,\n"
)


def policy_path(source_root):
    return os.path.join(source_root, "tests", "scenarios", "policies", "standard.yaml")


def enterprise(source_root):
    return os.path.join(source_root, "examples", "policies", "enterprise-formal.yaml")


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


def test_run_json_has_the_decision_count_and_counts_by_kind(archase, ledger, source_root):
    r = archase("run", ledger, "--policy", policy_path(source_root), "--as-of", "2026-03-09",
                "--dry-run", "--json")
    assert r.code == 0, r.err
    data = r.json()
    assert isinstance(data["decisions"], int)
    assert isinstance(data["by_kind"], dict)
    assert data["decisions"] == sum(data["by_kind"].values())
    # ACME's two invoices in one message, HOLDCO skipped, QUIET without a
    # consented contact skipped, BIGCO 60 days late: the legal notice, which
    # only goes out with approval.
    assert data["by_kind"]["send_message"] == 1
    assert data["by_kind"]["skip"] == 2
    assert data["by_kind"]["request_approval"] == 1
    assert data["by_reason"]["hold"] == 1
    assert data["by_reason"]["consolidated"] == 1
    cov = data["coverage"]
    assert cov["overdue_invoices"] == 5
    assert cov["unaccounted"] == 0
    assert cov["active"] + cov["promise"] + cov["dispute"] + cov["hold"] + cov["exception"] == 5
    assert cov["hold"] == 1 and cov["exception"] == 1
    assert data["as_of"] == "2026-03-09"
    assert len(data["policy_hash"]) == 64 and len(data["decisions_hash"]) == 64


def test_run_is_deterministic_and_lists_decisions_with_iso_instants(archase, ledger, source_root):
    args = ("run", ledger, "--policy", policy_path(source_root), "--as-of", "2026-03-09", "--dry-run",
            "--json", "--decisions")
    first, second = archase(*args), archase(*args)
    assert first.code == 0, first.err
    assert first.out == second.out
    items = first.json()["items"]
    message = next(d for d in items if d["customer_id"] == "ACME")
    assert message["kind"] == "send_message"
    assert sorted(message["invoice_ids"]) == ["A-1", "A-2"]
    assert message["scheduled_at"] == "2026-03-09T08:00:00Z"
    assert message["local_time"] == "2026-03-09T09:00:00"
    assert message["timezone"] == "Europe/Berlin"
    assert message["amount"] == "1500.00" and message["currency"] == "EUR"
    assert message["rule"] == "sequences.standard.steps[first_overdue]"
    assert "consolidated" in message["reason_codes"]
    links = {f["source_link"] for f in message["facts"] if f["name"] == "open_amount"}
    assert links == {"https://erp.example/A-1", "https://erp.example/A-2"}


def test_run_text_counts_by_kind_and_reason(archase, ledger, source_root):
    r = archase("run", ledger, "--policy", policy_path(source_root), "--as-of", "2026-03-09", "--dry-run")
    assert r.code == 0, r.err
    assert "send_message" in r.out and "hold" in r.out and "unaccounted" in r.out


def test_run_needs_its_arguments(archase, ledger, source_root):
    assert archase("run", ledger, "--as-of", "2026-03-09").code == 2
    assert archase("run", ledger, "--as-of", "2026-03-09", "--dry-run").code == 2
    assert archase("run", ledger, "--policy", policy_path(source_root), "--dry-run").code == 2
    r = archase("run", ledger, "--policy", policy_path(source_root), "--as-of", "9.3.2026", "--dry-run")
    assert r.code == 2 and "not a date" in r.err
    r = archase("run", "/nonexistent/ledger.db", "--policy", policy_path(source_root), "--as-of",
                "2026-03-09", "--dry-run")
    assert r.code == 1


def test_worklist_json_lines_are_ranked_with_one_owner_each(archase, ledger, source_root):
    r = archase("worklist", ledger, "--policy", enterprise(source_root), "--as-of", "2026-03-23", "--json")
    assert r.code == 0, r.err
    lines = r.json()
    assert lines, "the enterprise policy gives work on this day"
    assert [l["rank"] for l in lines] == list(range(1, len(lines) + 1))
    for l in lines:
        assert isinstance(l["owner"], str) and l["owner"]
        assert isinstance(l["invoice_ids"], list) and l["invoice_ids"]
        assert isinstance(l["reason_codes"], list)
        assert len(l["due_by"]) == 10
        assert l["next_action"] in ("queue_call", "alert_owner", "escalate", "resolve_dispute", "fix_exception")
    keys = [(l["owner"], l["customer_id"], l["next_action"]) for l in lines]
    assert len(keys) == len(set(keys))


def test_worklist_for_one_owner_ranks_only_theirs(archase, ledger, source_root):
    everyone = archase("worklist", ledger, "--policy", policy_path(source_root), "--as-of", "2026-03-23",
                       "--json").json()
    anna = archase("worklist", ledger, "--policy", policy_path(source_root), "--as-of", "2026-03-23",
                   "--owner", "anna", "--json").json()
    assert anna and all(l["owner"] == "anna" for l in anna)
    assert [l["rank"] for l in anna] == list(range(1, len(anna) + 1))
    assert len(anna) == sum(1 for l in everyone if l["owner"] == "anna")
    # A call needs no e-mail consent: the collector calls QUIET too.
    calls = [l for l in anna if l["next_action"] == "queue_call"]
    assert {l["customer_id"] for l in calls} == {"ACME", "QUIET"}
    r = archase("worklist", ledger, "--policy", policy_path(source_root), "--as-of", "2026-03-23")
    assert r.code == 0 and "queue_call" in r.out


def test_explain_says_why_with_facts_rule_and_drivers(archase, ledger, source_root):
    r = archase("explain", ledger, "A-1", "--policy", policy_path(source_root), "--as-of", "2026-03-09",
                "--json")
    assert r.code == 0, r.err
    data = r.json()
    assert data["invoice_id"] == "A-1" and data["customer_id"] == "ACME"
    assert data["days_overdue"] == 7
    assert data["open_amount"] == "1200.00" and data["currency"] == "EUR"
    assert data["segment"] == "standard" and data["coverage"] == "active"
    assert 0 <= data["score"] <= 1000
    assert isinstance(data["drivers"], list)
    (decision,) = data["decisions"]
    assert decision["rule"] == "sequences.standard.steps[first_overdue]"
    assert "step_due" in decision["reason_codes"]
    assert any(f["name"] == "days_overdue" and f["value"] == "7" for f in decision["facts"])
    text = archase("explain", ledger, "H-1", "--policy", policy_path(source_root), "--as-of", "2026-03-09")
    assert text.code == 0, text.err
    assert "hold" in text.out and "skip" in text.out


def test_explain_refuses_an_invoice_that_is_not_open(archase, ledger, source_root):
    r = archase("explain", ledger, "NOPE", "--policy", policy_path(source_root), "--as-of", "2026-03-09")
    assert r.code == 1 and "not an open invoice" in r.err
    # issued after the date: not open then
    r = archase("explain", ledger, "A-1", "--policy", policy_path(source_root), "--as-of", "2026-01-01")
    assert r.code == 1


def test_a_bad_policy_is_reported_with_its_line(archase, ledger, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\ncurrency: {default: EUR}\nsegments: []\nsequences: {}\n")
    r = archase("run", ledger, "--policy", bad, "--as-of", "2026-03-09", "--dry-run")
    assert r.code == 1
    assert "bad.yaml:" in r.err
