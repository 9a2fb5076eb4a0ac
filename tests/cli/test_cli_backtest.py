"""archase backtest, driven as a user drives it: one policy, two side by side,
the same answer twice, and the command line's errors."""
import os

import pytest

CUSTOMERS = (
    "customer_id,name,tier,owner,collector,timezone,email\n"
    "C1,ACME,gold,anna,bob,Europe/Berlin,ap@acme.example\n"
    "C2,Globex,silver,anna,bob,Europe/Berlin,ap@globex.example\n"
)
INVOICES = (
    "invoice_id,customer_id,issue_date,due_date,amount,currency\n"
    "I1,C1,2026-01-05,2026-02-04,1200.00,EUR\n"
    "I2,C1,2026-01-20,2026-02-19,800.00,EUR\n"
    "I3,C2,2026-02-01,2026-03-03,2500.00,EUR\n"
    "I4,C2,2025-11-01,2025-12-01,900.00,EUR\n"
)
PAYMENTS = (
    "payment_id,customer_id,invoice_id,date,amount,currency\n"
    "P1,C1,I1,2026-02-03,1200.00,EUR\n"
    "P2,C1,I2,2026-03-10,800.00,EUR\n"
)
KEYS = {"policy", "name", "hash", "days", "decisions", "messages", "calls", "owner_alerts", "escalations",
        "approvals", "skips", "waits", "customers_messaged", "invoices_scored", "invoices_late",
        "auc_percent", "collection_effectiveness_percent", "cadence_response_rate_percent", "decisions_hash"}


@pytest.fixture
def ledger(archase, tmp_path):
    db = tmp_path / "ledger.db"
    assert archase("init", db).code == 0
    for kind, text in (("customers", CUSTOMERS), ("invoices", INVOICES), ("payments", PAYMENTS)):
        f = tmp_path / f"{kind}.csv"
        f.write_text(text)
        r = archase("import", db, "--kind", kind, f)
        assert r.code == 0, r.err
    return db


def policy(source_root, name):
    return os.path.join(source_root, "examples", "policies", name)


def test_one_policy_as_json(archase, ledger, source_root):
    r = archase("backtest", ledger, "--policy", policy(source_root, "smb-friendly.yaml"),
                "--from", "2026-02-01", "--to", "2026-03-31", "--json")
    assert r.code == 0, r.err
    data = r.json()
    assert data["from"] == "2026-02-01" and data["to"] == "2026-03-31"
    (p,) = data["policies"]
    assert set(p) == KEYS
    assert p["name"] == "SMB friendly"
    assert p["days"] == 59
    assert p["messages"] > 0
    assert p["customers_messaged"] >= 1
    assert p["decisions"] >= p["messages"] + p["calls"] + p["escalations"] + p["approvals"]
    assert len(p["hash"]) == 64 and len(p["decisions_hash"]) == 64


def test_two_policies_side_by_side_and_the_same_answer_twice(archase, ledger, source_root):
    args = ["backtest", ledger, "--policy", policy(source_root, "smb-friendly.yaml"), "--compare",
            policy(source_root, "enterprise-formal.yaml"), "--from", "2026-02-01", "--to", "2026-03-31"]
    first = archase(*args, "--json")
    assert first.code == 0, first.err
    a, b = first.json()["policies"]
    assert a["hash"] != b["hash"]
    again = archase(*args, "--json").json()["policies"]
    assert [p["decisions_hash"] for p in again] == [a["decisions_hash"], b["decisions_hash"]]
    text = archase(*args)
    assert text.code == 0, text.err
    assert "messages sent" in text.out and "approvals needed" in text.out
    assert "SMB friendly" in text.out and "Enterprise formal" in text.out


def test_backtesting_does_not_change_the_ledger(archase, ledger, source_root, tmp_path):
    before = archase("export", ledger, "--kind", "invoices").out
    r = archase("backtest", ledger, "--policy", policy(source_root, "smb-friendly.yaml"),
                "--from", "2026-02-01", "--to", "2026-02-10")
    assert r.code == 0, r.err
    assert archase("export", ledger, "--kind", "invoices").out == before


@pytest.mark.parametrize("args", [
    ["--from", "2026-02-01", "--to", "2026-03-31"],
    ["--policy", "P", "--from", "2026-02-01"],
    ["--policy", "P", "--from", "2026-03-01", "--to", "2026-02-01"],
    ["--policy", "P", "--from", "2026-02-01", "--to", "2026-03-31", "--late-days", "0"],
])
def test_a_wrong_command_line_exits_2(archase, ledger, args):
    r = archase("backtest", ledger, *args)
    assert r.code == 2
    assert r.err.startswith("archase backtest: ")


def test_a_policy_that_does_not_load_is_an_error(archase, ledger, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nnot_a_key: 1\n")
    r = archase("backtest", ledger, "--policy", bad, "--from", "2026-02-01", "--to", "2026-02-02")
    assert r.code == 1
    assert "bad.yaml:" in r.err
