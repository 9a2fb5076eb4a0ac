"""The shared tracker: the worklist of a day as a sheet (`archase export --kind
worklist`), and the sheets of promises and disputes whose every column reads
back (`archase import --edits`), each edit a fact in the audit log naming its
editor."""
import csv
import io
import json
import os

import pytest

CUSTOMERS = (
    "customer_id,name,owner,collector,timezone,email,flags\n"
    "ACME,ACME GmbH,olaf,anna,Europe/Berlin,ap@acme.example,\n"
    "HOLDCO,Holdco,olaf,anna,Europe/Berlin,ap@holdco.example,hold\n"
    'BIGCO,"Bigco, Inc.",olaf,bert,America/New_York,ap@bigco.example,\n'
    "QUIET,Quiet Ltd,,anna,,,\n"
)
INVOICES = (
    "invoice_id,customer_id,issue_date,due_date,amount,currency\n"
    "A-1,ACME,2026-01-31,2026-03-02,1200.00,EUR\n"
    "A-2,ACME,2026-01-31,2026-03-02,300.00,EUR\n"
    "H-1,HOLDCO,2026-01-31,2026-03-02,500.00,EUR\n"
    "B-1,BIGCO,2025-12-01,2026-01-08,60000.00,USD\n"
    "Q-1,QUIET,2026-01-31,2026-03-02,80.00,EUR\n"
)
PROMISES = (
    "promise_id,customer_id,invoice_ids,amount,currency,promised_date,taken_by,channel,note\n"
    'PTP1,ACME,A-1;A-2,1500.00,EUR,2026-03-30,anna,call,"after the board meets, on the 28th"\n'
)
DISPUTES = (
    "dispute_id,customer_id,invoice_ids,amount,currency,reason_code,opened_on,owner\n"
    "D1,BIGCO,B-1,2000.00,USD,pricing,2026-02-10,carla\n"
)
WORKLIST_COLUMNS = ["rank", "owner", "customer_id", "customer_name", "invoice_ids", "next_action",
                    "kind", "reason_codes", "due_by", "days_overdue", "amount", "currency", "score"]


def policy(source_root, name="standard"):
    if name == "standard":
        return os.path.join(source_root, "tests", "scenarios", "policies", "standard.yaml")
    return os.path.join(source_root, "examples", "policies", name + ".yaml")


@pytest.fixture
def ledger(archase, tmp_path):
    db = tmp_path / "ar.db"
    assert archase("init", db).code == 0
    for kind, text in (("customers", CUSTOMERS), ("invoices", INVOICES)):
        f = tmp_path / f"{kind}.csv"
        f.write_text(text)
        r = archase("import", db, "--kind", kind, f)
        assert r.code == 0, r.out + r.err
    return db


@pytest.fixture
def tracker(archase, ledger, tmp_path):
    for kind, text in (("promises", PROMISES), ("disputes", DISPUTES)):
        f = tmp_path / f"{kind}.csv"
        f.write_text(text)
        r = archase("import", ledger, "--kind", kind, f)
        assert r.code == 0, r.out + r.err
    return ledger


def read_sheet(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def write_sheet(path, rows, fieldnames=None):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fieldnames or list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)


def audit_records(archase, db):
    r = archase("audit", "export", db)
    assert r.code == 0, r.err
    return [json.loads(line) for line in r.out.splitlines() if '"type":"record"' in line]


# ---- the worklist sheet -----------------------------------------------------------


def test_the_worklist_sheet_holds_the_worklist_of_the_day(archase, ledger, source_root, tmp_path):
    for name in ("standard", "enterprise-formal"):
        sheet = tmp_path / f"worklist-{name}.csv"
        r = archase("export", ledger, "--kind", "worklist", "--policy", policy(source_root, name),
                    "--as-of", "2026-03-23", "--format", "csv", "--output", sheet)
        assert r.code == 0, r.err
        with open(sheet, newline="") as f:
            assert next(csv.reader(f)) == WORKLIST_COLUMNS
        rows = read_sheet(sheet)
        expected = archase("worklist", ledger, "--policy", policy(source_root, name),
                           "--as-of", "2026-03-23", "--json").json()
        assert rows, "the policy gives work on this day"
        assert len(rows) == len(expected)
        names = {"ACME": "ACME GmbH", "HOLDCO": "Holdco", "BIGCO": "Bigco, Inc.",
                 "QUIET": "Quiet Ltd"}
        for row, line in zip(rows, expected):
            assert row == {
                "rank": str(line["rank"]),
                "owner": line["owner"],
                "customer_id": line["customer_id"],
                "customer_name": names[line["customer_id"]],
                "invoice_ids": ";".join(line["invoice_ids"]),
                "next_action": line["next_action"],
                "kind": line["kind"],
                "reason_codes": ";".join(line["reason_codes"]),
                "due_by": line["due_by"],
                "days_overdue": str(line["days_overdue"]),
                "amount": line["amount"],
                "currency": line["currency"],
                "score": str(line["score"]),
            }


def test_the_worklist_sheet_of_the_standard_policy_line_by_line(archase, ledger, source_root):
    r = archase("export", ledger, "--kind", "worklist", "--policy", policy(source_root),
                "--as-of", "2026-03-23")
    assert r.code == 0, r.err
    rows = list(csv.DictReader(io.StringIO(r.out, newline="")))
    calls = {(row["owner"], row["customer_id"], row["invoice_ids"], row["amount"], row["currency"])
             for row in rows if row["next_action"] == "queue_call"}
    # A call needs no e-mail consent; a customer on hold is not called.
    assert calls == {("anna", "ACME", "A-1;A-2", "1500.00", "EUR"),
                     ("anna", "QUIET", "Q-1", "80.00", "EUR")}
    assert all(row["customer_id"] != "HOLDCO" or row["next_action"] != "queue_call" for row in rows)
    assert [int(row["rank"]) for row in rows] == list(range(1, len(rows) + 1))
    assert all(row["due_by"] == "2026-03-23" or row["due_by"] > "2026-03-23" for row in rows
               if row["next_action"] == "queue_call")


def test_a_line_with_hundreds_of_invoices_keeps_every_one(archase, ledger, source_root, tmp_path):
    f = tmp_path / "many.csv"
    ids = ["ACME-INVOICE-%04d-%s" % (i, "X" * 20) for i in range(300)]
    f.write_text("invoice_id,customer_id,issue_date,due_date,amount,currency\n" +
                 "".join("%s,ACME,2026-01-31,2026-03-02,10.00,EUR\n" % i for i in ids))
    assert archase("import", ledger, "--kind", "invoices", f).code == 0
    r = archase("export", ledger, "--kind", "worklist", "--policy", policy(source_root),
                "--as-of", "2026-03-23", "--owner", "anna")
    assert r.code == 0, r.err
    (acme,) = [row for row in csv.DictReader(io.StringIO(r.out, newline=""))
               if row["customer_id"] == "ACME" and row["next_action"] == "queue_call"]
    assert sorted(acme["invoice_ids"].split(";")) == sorted(["A-1", "A-2"] + ids)
    assert acme["amount"] == "4500.00"


def test_the_worklist_of_one_owner_and_as_json_lines(archase, ledger, source_root):
    args = ["export", ledger, "--kind", "worklist", "--policy", policy(source_root),
            "--as-of", "2026-03-23", "--owner", "anna"]
    lines = [json.loads(l) for l in archase(*args, "--format", "jsonl").out.splitlines()]
    expected = archase("worklist", ledger, "--policy", policy(source_root), "--as-of", "2026-03-23",
                       "--owner", "anna", "--json").json()
    assert lines and all(l["owner"] == "anna" for l in lines)
    for line, want in zip(lines, expected):
        assert {k: line[k] for k in want if k in line} == {k: want[k] for k in want if k in line}
    assert len(lines) == len(expected)
    rows = list(csv.DictReader(io.StringIO(archase(*args).out, newline="")))
    assert [r["customer_id"] for r in rows] == [l["customer_id"] for l in lines]


def test_the_worklist_export_refuses_what_it_cannot_do(archase, ledger, source_root, tmp_path):
    out = tmp_path / "w.csv"
    r = archase("export", ledger, "--kind", "worklist", "--as-of", "2026-03-23", "--output", out)
    assert r.code == 2 and "--policy" in r.err
    r = archase("export", ledger, "--kind", "worklist", "--policy", policy(source_root), "--output", out)
    assert r.code == 2 and "--as-of" in r.err
    r = archase("export", ledger, "--kind", "worklist", "--policy", policy(source_root),
                "--as-of", "23/03/2026", "--output", out)
    assert r.code == 2 and "not a date" in r.err
    r = archase("export", ledger, "--kind", "promises", "--policy", policy(source_root))
    assert r.code == 2 and "--kind worklist" in r.err
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nnot_a_key: 1\n")
    r = archase("export", ledger, "--kind", "worklist", "--policy", bad, "--as-of", "2026-03-23",
                "--output", out)
    assert r.code == 1 and "bad.yaml:" in r.err
    r = archase("export", tmp_path / "missing.db", "--kind", "worklist", "--policy",
                policy(source_root), "--as-of", "2026-03-23", "--output", out)
    assert r.code == 1
    assert not out.exists() and not (tmp_path / "w.csv.partial").exists()
    assert not (tmp_path / "missing.db").exists()
    assert "--kind worklist" in archase("export", "--help").out


# ---- promises and disputes: every column reads back ---------------------------------


@pytest.mark.parametrize("kind", ["promises", "disputes"])
def test_every_column_of_the_sheet_reads_back_unchanged(archase, tracker, tmp_path, kind):
    sheet = tmp_path / f"{kind}-sheet.csv"
    assert archase("export", tracker, "--kind", kind, "--format", "csv", "--output", sheet).code == 0
    before = len(audit_records(archase, tracker))
    r = archase("import", tracker, "--kind", kind, "--edits", "--actor", "tom", sheet)
    assert r.code == 0, r.out + r.err
    data = r.json()
    assert (data["inserted"], data["updated"], data["duplicates"], data["rejected"]) == (0, 0, 1, 0)
    assert len(audit_records(archase, tracker)) == before
    # A column import does not know is refused by name, so none of the above was ignored.
    rows = read_sheet(sheet)
    rows[0]["my_column"] = "x"
    write_sheet(sheet, rows)
    r = archase("import", tracker, "--kind", kind, "--edits", "--actor", "tom", sheet)
    assert r.code == 1 and "my_column" in r.out


def test_a_dispute_edited_in_the_sheet_is_a_fact_by_its_editor(archase, tracker, tmp_path):
    sheet = tmp_path / "disputes.csv"
    assert archase("export", tracker, "--kind", "disputes", "--output", sheet).code == 0
    rows = read_sheet(sheet)
    rows[0]["status"] = "in_review"
    rows[0]["evidence"] = "price list of 2025 attached"
    write_sheet(sheet, rows)
    before = audit_records(archase, tracker)
    r = archase("import", tracker, "--kind", "disputes", "--edits", "--actor", "carla", sheet)
    assert r.code == 0, r.out + r.err
    assert r.json()["updated"] == 1
    after = audit_records(archase, tracker)
    assert len(after) == len(before) + 1
    last = after[-1]
    assert (last["kind"], last["actor"]) == ("fact_accepted", "carla")
    assert "price list of 2025 attached".encode().hex() in last["record"]
    assert archase("export", tracker, "--kind", "disputes", "--output", tmp_path / "now.csv").code == 0
    now = read_sheet(tmp_path / "now.csv")
    assert (now[0]["status"], now[0]["evidence"], now[0]["revision"]) == \
        ("in_review", "price list of 2025 attached", "1")


def test_a_promise_added_as_a_row_is_a_new_fact_by_its_editor(archase, tracker, tmp_path):
    sheet = tmp_path / "promises.csv"
    assert archase("export", tracker, "--kind", "promises", "--output", sheet).code == 0
    rows = read_sheet(sheet)
    assert rows[0]["note"] == "after the board meets, on the 28th"
    new = {k: "" for k in rows[0]}
    new.update(promise_id="PTP2", customer_id="QUIET", invoice_ids="Q-1", amount="80.00",
               currency="EUR", promised_date="2026-04-02", taken_by="anna", channel="call",
               note="paying with the April run")
    write_sheet(sheet, rows + [new])
    r = archase("import", tracker, "--kind", "promises", "--edits", "--actor", "anna", sheet)
    assert r.code == 0, r.out + r.err
    data = r.json()
    assert (data["inserted"], data["updated"], data["duplicates"]) == (1, 0, 1)
    last = audit_records(archase, tracker)[-1]
    assert (last["kind"], last["actor"]) == ("fact_accepted", "anna")
    assert "paying with the April run".encode().hex() in last["record"]
    assert archase("export", tracker, "--kind", "promises", "--output", tmp_path / "now.csv").code == 0
    now = read_sheet(tmp_path / "now.csv")
    assert [(p["promise_id"], p["revision"]) for p in now] == [("PTP1", "0"), ("PTP2", "0")]
