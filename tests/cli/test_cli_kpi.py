"""archase kpi, driven as a user drives it: the JSON contract, the text form,
the trend series and the customer patterns."""
import pytest

CUSTOMERS = "customer_id,name\nC1,ACME\nC2,Globex\n"
# The GLOSSARY's standard DSO example: ending AR 10,869 of 17,674 sold in 90
# days, plus a yen invoice that must stay in its own object.
INVOICES = (
    "invoice_id,customer_id,issue_date,due_date,amount,currency\n"
    "JAN,C1,2026-01-15,2026-02-14,5538.00,EUR\n"
    "FEB,C1,2026-02-15,2026-03-17,4566.00,EUR\n"
    "MAR,C2,2026-03-15,2026-04-14,7570.00,EUR\n"
    "YEN,C2,2026-03-01,2026-03-15,120000,JPY\n"
)
PAYMENTS = (
    "payment_id,customer_id,invoice_id,date,amount,currency\n"
    "P1,C1,JAN,2026-02-10,5538.00,EUR\n"
    "P2,C1,FEB,2026-03-20,1267.00,EUR\n"
)

REQUIRED_KEYS = {
    "currency", "open_ar", "current_ar", "credit_sales", "aging", "over_60_amount",
    "over_60_share_percent", "dso_standard_days", "dso_countback_days", "bpdso_days", "add_days",
    "cei_percent", "avg_days_to_pay", "avg_days_late", "median_days_late",
    "promise_kept_rate_count_percent", "promise_kept_rate_amount_percent",
}


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


def test_json_has_one_object_per_currency_with_the_contract_keys(archase, ledger):
    r = archase("kpi", ledger, "--from", "2026-01-01", "--to", "2026-03-31", "--json")
    assert r.code == 0, r.err
    data = r.json()
    assert [o["currency"] for o in data] == ["EUR", "JPY"]
    for o in data:
        assert REQUIRED_KEYS <= set(o)
        assert set(o["aging"]) == {"current", "1_30", "31_60", "61_90", "91_plus"}
    eur, jpy = data
    assert eur["open_ar"] == "10869.00"
    assert eur["credit_sales"] == "17674.00"
    assert eur["dso_standard_days"] == 55.35
    assert eur["aging"]["current"] == "7570.00"
    # a yen amount has no decimals and is never added to euros
    assert jpy["open_ar"] == "120000"
    assert jpy["aging"]["1_30"] == "120000"
    assert eur["from"] == "2026-01-01" and eur["to"] == "2026-03-31"


def test_undefined_figures_are_null_not_zero(archase, ledger):
    r = archase("kpi", ledger, "--from", "2026-04-01", "--to", "2026-04-30", "--json", "--currency", "EUR")
    assert r.code == 0, r.err
    (eur,) = r.json()
    assert eur["credit_sales"] == "0.00"
    assert eur["dso_standard_days"] is None
    assert eur["bpdso_days"] is None
    assert eur["promise_kept_rate_count_percent"] is None
    assert eur["avg_days_to_pay"] is None
    assert isinstance(eur["cei_percent"], float)


def test_numbers_are_written_with_two_decimals(archase, ledger):
    r = archase("kpi", ledger, "--from", "2026-01-01", "--to", "2026-03-31", "--json")
    assert '"dso_standard_days": 55.35' in r.out
    assert '"over_60_share_percent": 0.00' in r.out


def test_text_form_names_every_figure_and_says_undefined(archase, ledger):
    r = archase("kpi", ledger, "--from", "2026-04-01", "--to", "2026-04-30", "--currency", "EUR")
    assert r.code == 0, r.err
    assert r.out.startswith("EUR, 2026-04-01 to 2026-04-30\n")
    assert "open_ar" in r.out and "10869.00 EUR" in r.out
    line = next(l for l in r.out.splitlines() if l.strip().startswith("dso_standard_days"))
    assert line.split()[-1] == "undefined"


def test_a_monthly_series_is_the_dso_signal(archase, ledger):
    r = archase("kpi", ledger, "--from", "2026-01-01", "--to", "2026-03-31", "--by", "month",
                "--currency", "EUR", "--json")
    assert r.code == 0, r.err
    rows = r.json()
    assert [(o["from"], o["to"]) for o in rows] == [
        ("2026-01-01", "2026-01-31"), ("2026-02-01", "2026-02-28"), ("2026-03-01", "2026-03-31")]
    # January: 5538 open of 5538 sold in 31 days
    assert rows[0]["dso_standard_days"] == 31.0
    assert all(REQUIRED_KEYS <= set(o) for o in rows)


def test_customer_patterns(archase, ledger):
    r = archase("kpi", ledger, "--from", "2026-01-01", "--to", "2026-03-31", "--customers", "--json")
    assert r.code == 0, r.err
    patterns = {c["customer_id"]: c for c in r.json()}
    assert set(patterns) == {"C1", "C2"}
    # JAN was settled 4 days before its due date
    assert patterns["C1"]["paid_invoices"] == 1
    assert patterns["C1"]["median_days_late"] == -4.0
    assert patterns["C1"]["on_time_percent"] == 100.0
    assert patterns["C2"]["paid_invoices"] == 0
    assert patterns["C2"]["median_days_late"] is None


@pytest.mark.parametrize("args", [
    ["--from", "2026-01-01"],
    ["--from", "2026-02-30", "--to", "2026-03-31"],
    ["--from", "2026-03-31", "--to", "2026-01-01"],
    ["--from", "2026-01-01", "--to", "2026-03-31", "--by", "year"],
    ["--from", "2026-01-01", "--to", "2026-03-31", "--currency", "EURO"],
    ["--from", "2026-01-01", "--to", "2026-03-31", "--grace-days", "-1"],
])
def test_a_wrong_command_line_exits_2(archase, ledger, args):
    r = archase("kpi", ledger, *args)
    assert r.code == 2
    assert r.err.startswith("archase kpi: ")


def test_a_missing_ledger_is_an_error(archase, tmp_path):
    r = archase("kpi", tmp_path / "none.db", "--from", "2026-01-01", "--to", "2026-01-31")
    assert r.code == 1
