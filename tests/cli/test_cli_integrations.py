"""The exports of the systems finance teams run, imported with the mappings in
examples/mappings, and the sheets of promises and disputes a team edits and
imports back, driven through `archase` as a user drives them."""
import csv
import io
import json
import os
import sqlite3

import pytest


def mapping(source_root, name):
    return os.path.join(source_root, "examples", "mappings", name)


def sample(source_root, name):
    return os.path.join(source_root, "examples", "mappings", "samples", name)


def counts(result):
    data = result.json()
    return {k: data[k] for k in ("inserted", "updated", "duplicates", "stale", "rejected")}


@pytest.fixture
def ledger(archase, tmp_path):
    db = tmp_path / "ar.db"
    assert archase("init", db).code == 0
    return db


def import_day(archase, db, source_root, mapping_name, sample_name, as_of=None):
    args = ["import", db, "--mapping", mapping(source_root, mapping_name)]
    if as_of:
        args += ["--as-of", as_of]
    r = archase(*args, sample(source_root, sample_name))
    assert r.code == 0, r.out + r.err
    return r


def query(db, sql, *args):
    with sqlite3.connect(db) as con:
        return con.execute(sql, args).fetchall()


def test_two_days_of_xero_exports_revise_and_never_duplicate(archase, ledger, source_root):
    first = import_day(archase, ledger, source_root, "xero-invoices.yaml", "xero-invoices-2026-03-02.csv",
                       "2026-03-02")
    assert counts(first) == {"inserted": 17, "updated": 0, "duplicates": 3, "stale": 0, "rejected": 0}
    second = import_day(archase, ledger, source_root, "xero-invoices.yaml", "xero-invoices-2026-03-03.csv",
                        "2026-03-03")
    assert counts(second) == {"inserted": 4, "updated": 1, "duplicates": 20, "stale": 0, "rejected": 0}
    again = import_day(archase, ledger, source_root, "xero-invoices.yaml", "xero-invoices-2026-03-03.csv",
                       "2026-03-04")
    assert counts(again)["inserted"] == 0 and counts(again)["updated"] == 0
    invoices = dict((i, (s, o)) for i, s, o in query(ledger, "select id, status, open_minor from invoices"))
    assert invoices == {
        "INV-0201": ("void", 0),
        "INV-0212": ("open", 200000),
        "INV-0219": ("settled", 0),
        "INV-0220": ("settled", 0),
        "INV-0225": ("open", 72000),
        "INV-0226": ("open", 1200000),
    }
    assert query(ledger, "select id, paid_on, amount_minor, revision from payments order by id") == [
        ("INV-0212:paid", "2026-03-03", 160000, 0),
        ("INV-0219:paid", "2026-03-03", 215000, 1),
        ("INV-0220:paid", "2026-03-02", 98040, 0),
    ]


def test_quickbooks_and_erp_exports_import_day_after_day(archase, ledger, source_root):
    for day in ("2026-03-02", "2026-03-03"):
        import_day(archase, ledger, source_root, "quickbooks-invoice-list.yaml", f"qbo-invoice-list-{day}.csv", day)
        import_day(archase, ledger, source_root, "erp-open-items.yaml", f"erp-open-items-{day}.csv", day)
    rows = dict((i, (s, o, c)) for i, s, o, c in
                query(ledger, "select id, status, open_minor, currency from invoices"))
    assert rows["1042"] == ("open", 440000, "USD")
    assert rows["1041"] == ("settled", 0, "USD")
    assert rows["AR-2026-00311"] == ("open", 2825000, "EUR")
    assert rows["AR-2026-00402"] == ("open", 1560000, "CHF")
    assert "1045" not in rows and "CM-2026-00018" not in rows
    assert query(ledger, "select hold from customer_flags where customer_id = 'D10003'") == [(0,)]


def test_hubspot_sets_owner_tier_and_flags_and_keeps_the_accounting_record(archase, ledger, source_root,
                                                                           tmp_path):
    import_day(archase, ledger, source_root, "xero-invoices.yaml", "xero-invoices-2026-03-02.csv", "2026-03-02")
    held = tmp_path / "flags.csv"
    held.write_text("customer_id,flags,reason,set_by,revision\nOrchard PR,hold,bankruptcy filing,anna,5\n")
    assert archase("import", ledger, "--kind", "flags", held).code == 0
    import_day(archase, ledger, source_root, "hubspot-companies.yaml", "hubspot-companies-2026-03-02.csv")
    customers = dict((i, (n, o, t)) for i, n, o, t in query(ledger, "select id, name, owner, tier from customers"))
    assert customers["Harbor Design Ltd"] == ("Harbor Design Ltd", "Priya Nair", "gold")
    assert customers["Kestrel Foods"] == ("Kestrel Foods", None, None)
    flags = dict((c, (h, e, s, i)) for c, h, e, s, i in
                 query(ledger, "select customer_id, hold, expansion, strategic, service_issue from customer_flags"))
    assert flags["Harbor Design Ltd"] == (0, 1, 1, 0)
    assert flags["Orchard PR"] == (1, 0, 0, 1)
    assert flags["Lumen Optik GmbH"] == (0, 1, 1, 1)
    import_day(archase, ledger, source_root, "hubspot-companies.yaml", "hubspot-companies-2026-03-03.csv")
    assert query(ledger, "select hold, service_issue from customer_flags where customer_id = 'Orchard PR'") == [
        (1, 0)]
    # and the accounting export afterwards changes nothing the CRM set
    r = import_day(archase, ledger, source_root, "xero-invoices.yaml", "xero-invoices-2026-03-02.csv",
                   "2026-03-02")
    assert counts(r)["updated"] == 0
    assert query(ledger, "select owner, tier from customers where id = 'Beacon Media Group'") == [
        ("Priya Nair", "silver")]


def test_an_export_a_mapping_cannot_read_is_refused_with_line_and_column(archase, ledger, source_root, tmp_path):
    bad = tmp_path / "Export.csv"
    text = open(sample(source_root, "xero-invoices-2026-03-02.csv"), encoding="utf-8-sig").read()
    bad.write_text(text.replace("14/02/2026", "31/02/2026", 1), encoding="utf-8")
    r = archase("import", ledger, "--mapping", mapping(source_root, "xero-invoices.yaml"), "--as-of",
                "2026-03-02", bad)
    assert r.code == 1
    data = r.json()
    assert data["inserted"] == 0
    assert (data["errors"][0]["line"], data["errors"][0]["column"]) == (2, 22)
    assert "'31/02/2026' is not a date" in data["errors"][0]["message"]
    assert query(ledger, "select count(*) from invoices") == [(0,)]


# ---- the shared tracker: sheets of promises and disputes ------------------------------

TRACKER = {
    "customers": "customer_id,name\nC1,ACME\nC2,Globex\n",
    "invoices": ("invoice_id,customer_id,issue_date,due_date,amount,currency\n"
                 "I1,C1,2026-01-01,2026-01-31,1200.00,EUR\nI2,C2,2026-01-05,2026-02-04,800.00,EUR\n"),
    "promises": ("promise_id,customer_id,invoice_ids,amount,currency,promised_date,taken_by,channel,note\n"
                 "PTP1,C1,I1,1200.00,EUR,2026-03-10,anna,call,after the board meets\n"
                 "PTP2,C2,I2,800.00,EUR,2026-03-12,bob,email,\n"),
    "disputes": ("dispute_id,customer_id,invoice_ids,amount,currency,reason_code,opened_on,owner\n"
                 "D1,C2,I2,200.00,EUR,pricing,2026-02-10,carla\n"),
}


@pytest.fixture
def tracker(archase, ledger, tmp_path):
    for kind in ("customers", "invoices", "promises", "disputes"):
        f = tmp_path / f"{kind}.csv"
        f.write_text(TRACKER[kind])
        r = archase("import", ledger, "--kind", kind, f)
        assert r.code == 0, r.out + r.err
    return ledger


def read_sheet(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def write_sheet(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)


def audit_records(archase, db):
    r = archase("audit", "export", db)
    assert r.code == 0, r.err
    return [json.loads(line) for line in r.out.splitlines() if '"type":"record"' in line]


def test_a_promise_edited_in_the_sheet_is_a_fact_by_its_editor_in_the_audit_log(archase, tracker, tmp_path):
    sheet = tmp_path / "promises-sheet.csv"
    r = archase("export", tracker, "--kind", "promises", "--format", "csv", "--output", sheet)
    assert r.code == 0, r.err
    rows = read_sheet(sheet)
    assert [row["promise_id"] for row in rows] == ["PTP1", "PTP2"]
    assert rows[0]["revision"] == "0"
    rows[0]["promised_date"] = "2026-03-17"
    rows[0]["note"] = "board met, paying on the 17th"
    write_sheet(sheet, rows)
    before = len(audit_records(archase, tracker))
    r = archase("import", tracker, "--kind", "promises", "--edits", "--actor", "tom", sheet)
    assert r.code == 0, r.out + r.err
    assert counts(r) == {"inserted": 0, "updated": 1, "duplicates": 1, "stale": 0, "rejected": 0}
    assert query(tracker, "select promised_on, revision from promises where id = 'PTP1'") == [("2026-03-17", 1)]
    records = audit_records(archase, tracker)
    assert len(records) == before + 1
    last = records[-1]
    assert (last["kind"], last["payload_kind"], last["actor"]) == ("fact_accepted", 6, "tom")
    assert "board met, paying on the 17th".encode().hex() in last["record"]
    # the sheet read again changes nothing
    r = archase("import", tracker, "--kind", "promises", "--edits", "--actor", "tom", sheet)
    assert counts(r)["updated"] == 0 and len(audit_records(archase, tracker)) == before + 1


def test_a_conflicting_edit_of_a_dispute_is_refused_with_its_line(archase, tracker, tmp_path):
    sheet = tmp_path / "disputes.csv"
    assert archase("export", tracker, "--kind", "disputes", "--output", sheet).code == 0
    carla = read_sheet(sheet)
    carla[0]["status"] = "in_review"
    carla_sheet = tmp_path / "carla.csv"
    write_sheet(carla_sheet, carla)
    r = archase("import", tracker, "--kind", "disputes", "--edits", "--actor", "carla", carla_sheet)
    assert r.code == 0, r.out + r.err
    dan = read_sheet(sheet)
    dan[0]["owner"] = "dan"
    dan_sheet = tmp_path / "dan.csv"
    write_sheet(dan_sheet, dan)
    r = archase("import", tracker, "--kind", "disputes", "--edits", "--actor", "dan", dan_sheet)
    assert r.code == 1
    data = r.json()
    assert data["updated"] == 0 and data["rejected"] == 1
    error = data["errors"][0]
    assert (error["line"], error["column"]) == (2, 16)
    assert "changed after this sheet was exported" in error["message"]
    assert query(tracker, "select owner, status, revision from disputes") == [("carla", "in_review", 1)]


def test_new_import_options_are_checked(archase, tracker, source_root, tmp_path):
    f = tmp_path / "p.csv"
    f.write_text(TRACKER["promises"])
    assert archase("import", tracker, "--kind", "promises", "--as-of", "yesterday", f).code == 2
    assert archase("import", tracker, "--edits", "--mapping", mapping(source_root, "xero-invoices.yaml"),
                   f).code == 2
    assert archase("import", tracker, "--kind", "promises", "--actor", "", f).code == 2
    assert "--edits" in archase("import", "--help").out
