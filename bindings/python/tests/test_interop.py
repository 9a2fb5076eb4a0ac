"""to_pandas / from_pandas (skipped without pandas, an optional extra)."""
from datetime import date
from decimal import Decimal

import pytest

pd = pytest.importorskip("pandas")

import archase  # noqa: E402
from archase import Money  # noqa: E402
from archase.interop import from_pandas, to_pandas  # noqa: E402


def test_invoices_round_trip_through_a_dataframe_without_floats():
    with archase.open() as eng:
        eng.put(archase.Customer(id="C1", name="ACME"))
        for i in range(3):
            eng.put(archase.Invoice(id=f"I{i}", customer_id="C1", issue_date=date(2026, 1, 1 + i),
                                    due_date=date(2026, 1, 31), amount=Money(Decimal("10.05") * (i + 1), "EUR")))
        df = to_pandas(eng.facts(archase.Invoice))
        assert list(df["amount"]) == [Decimal("10.05"), Decimal("20.10"), Decimal("30.15")]
        assert set(df["amount_currency"]) == {"EUR"} and df["source_status"][0] == "open"
        assert df["issue_date"][2] == date(2026, 1, 3)
    back = from_pandas(df[["id", "customer_id", "issue_date", "due_date", "amount", "amount_currency"]],
                       archase.Invoice)
    assert back[1].amount == Money(Decimal("20.10"), "EUR") and back[1].due_date == date(2026, 1, 31)
    with archase.open() as other:
        other.put(archase.Customer(id="C1", name="ACME"))
        with other.batch() as b:
            for inv in back:
                b.add(inv)
        assert b.summary.inserted == 3


def test_a_float_money_column_is_refused():
    df = pd.DataFrame([{"id": "I1", "customer_id": "C1", "issue_date": date(2026, 1, 1),
                        "due_date": date(2026, 1, 31), "amount": 10.05, "amount_currency": "EUR"}])
    with pytest.raises(TypeError, match="float"):
        from_pandas(df, archase.Invoice)


def test_a_worklist_as_a_dataframe(source_root):
    import os
    with archase.open(policy=os.path.join(source_root, "examples", "policies", "smb-friendly.yaml")) as eng:
        for kind in (archase.Kind.CUSTOMERS, archase.Kind.INVOICES):
            eng.import_csv(os.path.join(source_root, "examples", "data", kind.name.lower() + ".csv"), kind)
        df = to_pandas(eng.worklist(date(2026, 3, 31)))
    assert len(df) > 10 and list(df["rank"][:3]) == [1, 2, 3]
    assert isinstance(df["amount"][0], Decimal)
