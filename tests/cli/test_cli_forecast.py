"""archase forecast, driven as a user drives it."""
import datetime

import pytest


def day(text):
    return datetime.date.fromisoformat(text)


@pytest.fixture
def ledger(archase, tmp_path):
    """A customer who pays 10 days late, every week for a year, and an open
    invoice due 2026-04-05 (so expected 04-15); a yen invoice; a dispute."""
    customers = "customer_id,name\nC1,ACME\nC2,Globex\n"
    inv = ["invoice_id,customer_id,issue_date,due_date,amount,currency"]
    pay = ["payment_id,customer_id,invoice_id,date,amount,currency"]
    last = day("2026-03-20")
    for i in range(60):
        due = last - datetime.timedelta(days=7 * i)
        inv.append(f"H{i:02d},C1,{due - datetime.timedelta(days=30)},{due},100.00,EUR")
        paid = due + datetime.timedelta(days=10)
        if paid <= day("2026-03-31"):
            pay.append(f"P{i:02d},C1,H{i:02d},{paid},100.00,EUR")
    inv.append("OPEN,C1,2026-03-06,2026-04-05,500.00,EUR")
    inv.append("DISP,C1,2026-03-06,2026-04-05,80.00,EUR")
    inv.append("YEN,C2,2026-03-01,2026-04-01,9000,JPY")
    disputes = ("dispute_id,customer_id,invoice_ids,amount,currency,reason_code,opened_on\n"
                "D1,C1,DISP,80.00,EUR,pricing,2026-03-20\n")
    db = tmp_path / "ledger.db"
    assert archase("init", db).code == 0
    for kind, text in (("customers", customers), ("invoices", "\n".join(inv) + "\n"),
                       ("payments", "\n".join(pay) + "\n"), ("disputes", disputes)):
        f = tmp_path / f"{kind}.csv"
        f.write_text(text)
        r = archase("import", db, "--kind", kind, f)
        assert r.code == 0, r.err
    return db


def test_json_has_thirteen_weeks_per_currency_with_drivers_and_a_back_test(archase, ledger):
    r = archase("forecast", ledger, "--as-of", "2026-03-31", "--json")
    assert r.code == 0, r.err
    data = r.json()
    assert [o["currency"] for o in data] == ["EUR", "JPY"]
    eur = data[0]
    assert len(eur["weeks"]) == 13
    assert eur["weeks"][0]["from"] == "2026-04-01" and eur["weeks"][0]["to"] == "2026-04-07"
    week3 = eur["weeks"][2]
    assert week3["from"] == "2026-04-15"
    # OPEN (500.00, due 04-05 + 10 days) and the undisputed nothing of DISP
    assert week3["expected"] == "500.00"
    assert week3["drivers"][0] == {"kind": "invoice", "id": "OPEN", "customer_id": "C1",
                                   "expected_on": "2026-04-15", "amount": "500.00"}
    assert eur["disputed_left_out"] == "80.00"
    total = sum(int(w["expected"].replace(".", "")) for w in eur["weeks"])
    assert total == int(eur["expected"].replace(".", ""))
    parts = [eur[k] for k in ("expected", "beyond", "doubtful", "disputed_left_out")]
    assert sum(int(p.replace(".", "")) for p in parts) == int(eur["open_ar"].replace(".", ""))
    bt = eur["backtest"]
    assert bt["origins"] == 12
    assert bt["last"] == "2025-12-30"
    # the customer always pays 10 days late: the method is exact on this history
    assert bt["mae"] == "0.00"
    assert bt["mae_percent"] == 0.0
    jpy = data[1]
    assert jpy["open_ar"] == "9000"
    assert jpy["backtest"]["origins"] == 0 and jpy["backtest"]["mae"] is None


def test_discounting_disputes_and_a_shorter_horizon(archase, ledger):
    r = archase("forecast", ledger, "--as-of", "2026-03-31", "--json", "--currency", "EUR",
                "--weeks", "4", "--disputes", "discount", "--disputed-percent", "25")
    assert r.code == 0, r.err
    (eur,) = r.json()
    assert len(eur["weeks"]) == 4
    assert eur["weeks"][2]["from_disputed"] == "20.00"
    assert eur["disputed_left_out"] == "60.00"


def test_text_form(archase, ledger):
    r = archase("forecast", ledger, "--as-of", "2026-03-31")
    assert r.code == 0, r.err
    assert r.out.startswith("EUR, as of 2026-03-31: open 580.00;")
    assert "invoice OPEN (C1) 500.00" in r.out
    assert "back-test: 12 as-of dates" in r.out


@pytest.mark.parametrize("args", [
    [],
    ["--as-of", "2026-13-01"],
    ["--as-of", "2026-03-31", "--weeks", "0"],
    ["--as-of", "2026-03-31", "--disputes", "ignore"],
    ["--as-of", "2026-03-31", "--disputed-percent", "101"],
])
def test_a_wrong_command_line_exits_2(archase, ledger, args):
    r = archase("forecast", ledger, *args)
    assert r.code == 2
    assert r.err.startswith("archase forecast: ")
