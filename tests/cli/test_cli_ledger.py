"""archase init / import / export / show, driven as a user drives them."""
import json
import os
import sqlite3

import pytest

CUSTOMERS = (
    "customer_id,name,tier,owner,collector,timezone,locale,email,phone,credit_limit,currency,flags\r\n"
    "C1,\"ACME, Inc.\",gold,anna,bob,Europe/Berlin,de-DE,ap@acme.example,,50000.00,EUR,hold\r\n"
    "C2,Globex,,,,,,,,,,\r\n"
)
INVOICES = (
    "invoice_id,customer_id,number,issue_date,due_date,amount,currency,po_ref,source_link,revision\n"
    "I1,C1,2026-0001,2026-01-01,2026-01-31,1200.00,EUR,PO-9,,\n"
    "I2,C2,2026-0002,2026-01-05,2026-02-04,80.00,USD,,,\n"
)
PAYMENTS = (
    "payment_id,customer_id,invoice_id,date,amount,currency,reference\n"
    "P1,C1,I1,2026-02-03,200.00,EUR,bank-1\n"
)


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


def summary_keys(data):
    return {k: data[k] for k in ("inserted", "updated", "duplicates", "stale", "rejected")}


def test_init_creates_a_ledger_and_is_idempotent(archase, tmp_path):
    db = tmp_path / "new.db"
    r = archase("init", db, "--json")
    assert r.code == 0
    assert r.json() == {"path": str(db), "schema_version": 4}
    assert archase("init", db).code == 0
    with sqlite3.connect(db) as con:
        assert con.execute("select count(*) from schema_migrations").fetchone()[0] == 4


def test_import_prints_the_summary_object(archase, ledger, tmp_path):
    f = tmp_path / "more.csv"
    f.write_text("invoice_id,customer_id,issue_date,due_date,amount,currency\nI3,C1,2026-03-01,2026-03-31,5.00,EUR\n")
    r = archase("import", ledger, "--kind", "invoices", f)
    assert r.code == 0
    data = r.json()
    assert summary_keys(data) == {"inserted": 1, "updated": 0, "duplicates": 0, "stale": 0, "rejected": 0}
    assert data["errors"] == []


def test_importing_a_file_twice_changes_nothing(archase, ledger, tmp_path):
    f = tmp_path / "invoices.csv"
    r = archase("import", ledger, "--kind", "invoices", f)
    assert r.code == 0
    assert summary_keys(r.json()) == {"inserted": 0, "updated": 0, "duplicates": 2, "stale": 0, "rejected": 0}


def test_a_rejected_row_fails_the_import_and_writes_nothing(archase, ledger, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text(
        "invoice_id,customer_id,issue_date,due_date,amount,currency\n"
        "I7,C1,2026-01-01,2026-01-31,5.00,EUR\n"
        "I8,C1,2026-01-01,2026-13-01,5.00,EUR\n"
        "I9,NOPE,2026-01-01,2026-01-31,5.00,EUR\n"
    )
    r = archase("import", ledger, "--kind", "invoices", f)
    assert r.code == 1
    data = r.json()
    assert data["rejected"] == 2 and data["inserted"] == 0
    assert [(e["line"], e["column"]) for e in data["errors"]] == [(3, 4), (4, 2)]
    assert "not a date" in data["errors"][0]["message"]
    assert "customer 'NOPE' does not exist" in data["errors"][1]["message"]
    with sqlite3.connect(ledger) as con:
        assert con.execute("select count(*) from invoices where id = 'I7'").fetchone()[0] == 0


def test_a_wrong_header_is_reported(archase, ledger, tmp_path):
    f = tmp_path / "hdr.csv"
    f.write_text("invoice_id,customer,issue_date,due_date,amount,currency\n")
    r = archase("import", ledger, "--kind", "invoices", f)
    assert r.code == 1
    errors = r.json()["errors"]
    assert errors[0]["line"] == 1 and errors[0]["column"] == 2
    assert "unknown column 'customer'" in errors[0]["message"]


def test_usage_errors_exit_2(archase, ledger, tmp_path):
    assert archase("import", ledger, tmp_path / "x.csv").code == 2
    assert archase("import", ledger, "--kind", "widgets", tmp_path / "x.csv").code == 2
    assert archase("export", ledger).code == 2
    assert archase("show", ledger, "order", "X").code == 2


def test_importing_into_a_missing_ledger_says_how_to_create_it(archase, tmp_path):
    f = tmp_path / "c.csv"
    f.write_text(CUSTOMERS)
    r = archase("import", tmp_path / "none.db", "--kind", "customers", f)
    assert r.code == 1
    assert "archase init" in r.err


def test_export_round_trips_through_import(archase, ledger, tmp_path):
    other = tmp_path / "other.db"
    assert archase("init", other).code == 0
    for fmt in ("csv", "jsonl"):
        for kind in ("customers", "invoices", "payments"):
            out = tmp_path / f"{kind}.{fmt}"
            r = archase("export", ledger, "--kind", kind, "--format", fmt, "--output", out)
            assert r.code == 0, r.err
            r = archase("import", other, "--kind", kind, "--format", fmt, out)
            assert r.code == 0, r.out + r.err
    a = archase("export", ledger, "--kind", "invoices").out
    b = archase("export", other, "--kind", "invoices").out
    assert a == b
    assert "I1,C1,2026-0001,2026-01-01,2026-01-31,1200.00,EUR,PO-9,,0,,open,1000.00,open," in a


def test_jsonl_export_has_one_object_per_fact(archase, ledger):
    r = archase("export", ledger, "--kind", "customers", "--format", "jsonl")
    lines = [json.loads(line) for line in r.out.splitlines()]
    assert [c["customer_id"] for c in lines] == ["C1", "C2"]
    assert lines[0]["flags"] == "hold"
    assert lines[0]["email"] == "ap@acme.example"


def test_show_invoice_gives_state_and_timeline(archase, ledger):
    r = archase("show", ledger, "invoice", "I1", "--json")
    assert r.code == 0, r.err
    data = r.json()
    assert data["kind"] == "invoice"
    assert data["invoice"]["open_amount"] == "1000.00"
    assert data["invoice"]["status"] == "open"
    kinds = [(e["date"], e["kind"]) for e in data["timeline"]]
    assert kinds == [("2026-01-01", "issued"), ("2026-01-31", "due"), ("2026-02-03", "payment")]
    text = archase("show", ledger, "invoice", "I1")
    assert text.code == 0 and "timeline:" in text.out and "payment" in text.out


def test_show_customer_lists_flags_contacts_and_invoices(archase, ledger):
    data = archase("show", ledger, "customer", "C1", "--json").json()
    assert data["customer"]["name"] == "ACME, Inc."
    assert data["flags"]["hold"] is True
    assert [c["channel"] for c in data["contacts"]] == ["email"]
    assert [i["id"] for i in data["invoices"]] == ["I1"]


def test_show_of_something_missing_fails_cleanly(archase, ledger):
    r = archase("show", ledger, "invoice", "NOPE", "--json")
    assert r.code == 1
    assert r.out == ""
    assert "no invoice 'NOPE'" in r.err


def test_the_ibm_sample_imports_with_its_mapping(archase, tmp_path, source_root):
    data = os.path.join(source_root, "..", "shared", "data", "ibm-ar", "invoices.csv")
    if not os.path.exists(data):
        pytest.skip("../shared/data/ibm-ar is not here")
    db = tmp_path / "ibm.db"
    assert archase("init", db).code == 0
    mapping = os.path.join(source_root, "examples", "mappings", "ibm-ar.yaml")
    r = archase("import", db, "--mapping", mapping, data)
    assert r.code == 0, r.out + r.err
    assert r.json()["rejected"] == 0
    with sqlite3.connect(db) as con:
        assert con.execute("select count(*) from customers").fetchone()[0] == 100
        assert con.execute("select count(*) from invoices").fetchone()[0] == 2466
        assert con.execute("select count(*) from invoices where status = 'settled'").fetchone()[0] == 2466
        assert con.execute("select count(*) from disputes").fetchone()[0] > 0
    again = archase("import", db, "--mapping", mapping, data).json()
    assert again["inserted"] == 0 and again["updated"] == 0
