"""archase kpi and forecast on the IBM accounts-receivable sample
(../shared/data/ibm-ar), imported through examples/mappings/ibm-ar.yaml, against
figures computed here from the CSV itself, with Python's own arithmetic and the
file's DaysToSettle and DaysLate columns."""
import csv
import datetime
import os
import statistics
from decimal import ROUND_HALF_EVEN, Decimal

import pytest


def data_file(source_root):
    path = os.path.join(source_root, "..", "shared", "data", "ibm-ar", "invoices.csv")
    if not os.path.exists(path):
        pytest.skip("../shared/data/ibm-ar is not here")
    return path


def us_date(text):
    m, d, y = (int(x) for x in text.split("/"))
    return datetime.date(y, m, d)


def cents(text):
    return int((Decimal(text) * 100).to_integral_value())


def two_places(value):
    return float(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN))


@pytest.fixture(scope="module")
def rows(request):
    source_root = os.environ.get("ARCHASE_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
    with open(data_file(source_root), newline="") as f:
        out = []
        for r in csv.DictReader(f):
            out.append({
                "issued": us_date(r["InvoiceDate"]), "due": us_date(r["DueDate"]),
                "settled": us_date(r["SettledDate"]), "amount": cents(r["InvoiceAmount"]),
                "disputed": r["Disputed"] == "Yes", "to_settle": int(r["DaysToSettle"]),
                "late": int(r["DaysLate"]),
            })
        return out


@pytest.fixture
def ledger(archase, source_root, tmp_path):
    db = tmp_path / "ibm.db"
    assert archase("init", db).code == 0
    r = archase("import", db, "--mapping", os.path.join(source_root, "examples", "mappings", "ibm-ar.yaml"),
                data_file(source_root))
    assert r.code == 0, r.err
    return db


def money(value):
    return f"{value // 100}.{value % 100:02d}"


def test_third_quarter_2013_matches_the_file(archase, ledger, rows):
    start, end = datetime.date(2013, 7, 1), datetime.date(2013, 9, 30)
    r = archase("kpi", ledger, "--from", str(start), "--to", str(end), "--json")
    assert r.code == 0, r.err
    (usd,) = r.json()

    def open_at(day):
        return [x for x in rows if x["issued"] <= day < x["settled"]]

    ending = sum(x["amount"] for x in open_at(end))
    beginning = sum(x["amount"] for x in open_at(start - datetime.timedelta(days=1)))
    current = sum(x["amount"] for x in open_at(end) if x["due"] >= end)
    sales = sum(x["amount"] for x in rows if start <= x["issued"] <= end)
    days = (end - start).days + 1
    assert usd["open_ar"] == money(ending)
    assert usd["beginning_ar"] == money(beginning)
    assert usd["current_ar"] == money(current)
    assert usd["credit_sales"] == money(sales)
    assert usd["open_invoices"] == len(open_at(end))
    buckets = {"current": 0, "1_30": 0, "31_60": 0, "61_90": 0, "91_plus": 0}
    for x in open_at(end):
        past = (end - x["due"]).days
        key = ("current" if past <= 0 else "1_30" if past <= 30 else "31_60" if past <= 60
               else "61_90" if past <= 90 else "91_plus")
        buckets[key] += x["amount"]
    assert usd["aging"] == {k: money(v) for k, v in buckets.items()}
    assert usd["dso_standard_days"] == two_places(Decimal(ending) / Decimal(sales) * days)
    assert usd["bpdso_days"] == two_places(Decimal(current) / Decimal(sales) * days)
    cei = Decimal(beginning + sales - ending) / Decimal(beginning + sales - current) * 100
    assert usd["cei_percent"] == two_places(cei)

    settled = [x for x in rows if start <= x["settled"] <= end]
    assert usd["settled_invoices"] == len(settled)
    assert usd["avg_days_to_pay"] == two_places(Decimal(sum(x["to_settle"] for x in settled)) / len(settled))
    assert usd["avg_days_late"] == two_places(Decimal(sum(x["late"] for x in settled)) / len(settled))
    assert usd["median_days_late"] == two_places(Decimal(str(statistics.median(x["late"] for x in settled))))

    # disputes: opened on the invoice date, resolved on the settled date (the mapping's assumption)
    open_disputes = [x for x in open_at(end) if x["disputed"]]
    assert usd["open_disputes"] == len(open_disputes)
    assert usd["open_disputed_amount"] == money(sum(x["amount"] for x in open_disputes))


def test_a_forecast_and_its_back_test_run_on_the_sample(archase, ledger, rows):
    r = archase("forecast", ledger, "--as-of", "2013-06-30", "--json")
    assert r.code == 0, r.err
    (usd,) = r.json()
    end = datetime.date(2013, 6, 30)
    open_now = [x for x in rows if x["issued"] <= end < x["settled"]]
    assert usd["open_ar"] == money(sum(x["amount"] for x in open_now))
    # every disputed invoice is disputed in full: left out by default
    assert usd["disputed_left_out"] == money(sum(x["amount"] for x in open_now if x["disputed"]))
    assert usd["backtest"]["origins"] == 12
