"""Worklist lines as the package hands them over: read from the library's
rows (bindings/bind.h, archase_bind_worklist_rows) instead of its JSON, and
still every field the JSON holds, with the same Python types, frozen,
comparable and hashable like any WorklistLine."""
import dataclasses
import json
import os
from datetime import date

import pytest

import archase
from archase import Money, capi
from archase.engine import WorklistLine, _lines


def _from_json(x):
    """A line from the library's JSON through the dataclass's own constructor."""
    return WorklistLine(
        rank=x["rank"], owner=x["owner"], customer_id=x["customer_id"],
        kind=archase.WorkKind(x["kind"]), next_action=x["next_action"],
        due_by=None if x["due_by"] is None else date.fromisoformat(x["due_by"]), score=x["score"],
        amount=None if x["amount"] is None else Money.from_minor(x["amount"]["minor"], x["amount"]["currency"]),
        days_overdue=x["days_overdue"], decision=x["decision"], invoice_ids=tuple(x["invoice_ids"]),
        reasons=tuple(archase.Reason(r) for r in x["reasons"]))


@pytest.fixture(scope="module")
def example(source_root):
    with archase.open(policy=os.path.join(source_root, "examples", "policies", "smb-friendly.yaml")) as eng:
        for kind in (archase.Kind.CUSTOMERS, archase.Kind.INVOICES, archase.Kind.PAYMENTS,
                     archase.Kind.DISPUTES, archase.Kind.PROMISES):
            eng.import_csv(os.path.join(source_root, "examples", "data", kind.name.lower() + ".csv"), kind)
        ev = eng.evaluate(date(2026, 3, 31))
        yield ev, ev.worklist()


def test_every_line_is_the_one_the_json_describes(example):
    ev, lines = example
    wl = capi.archase_bind_worklist_build(ev._h, None)
    expected = [_from_json(x) for x in json.loads(capi.archase_bind_worklist_json(wl))]
    assert len(lines) == len(expected) > 10
    assert lines == expected
    # The example ledger has lines of several kinds, with and without a due
    # date and a decision, with one invoice and with several.
    assert len({l.kind for l in lines}) > 1
    assert any(l.decision is None for l in lines) and any(l.decision is not None for l in lines)
    assert any(len(l.invoice_ids) > 1 for l in lines) and all(l.invoice_ids for l in lines if l.decision is not None)


def test_lines_have_the_types_of_the_api(example):
    _, lines = example
    for l in lines:
        assert type(l) is WorklistLine and isinstance(l.kind, archase.WorkKind)
        assert type(l.rank) is int and type(l.score) is int and type(l.days_overdue) is int
        assert l.due_by is None or type(l.due_by) is date
        assert l.amount is None or isinstance(l.amount, Money)
        assert l.decision is None or type(l.decision) is int
        assert type(l.invoice_ids) is tuple and all(type(i) is str for i in l.invoice_ids)
        assert type(l.reasons) is tuple and all(isinstance(r, archase.Reason) for r in l.reasons)
    # Money read this way computes like any other.
    total = sum((l.amount for l in lines[1:] if l.amount and l.amount.currency == lines[0].amount.currency),
                lines[0].amount)
    assert total > lines[0].amount or len(lines) == 1


def test_lines_are_frozen_comparable_and_hashable(example):
    _, lines = example
    l = lines[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        l.rank = 99
    assert {l: 1}[_from_json(dataclasses.asdict(l) | {
        "kind": int(l.kind), "due_by": l.due_by and l.due_by.isoformat(),
        "amount": l.amount and {"minor": l.amount.minor, "currency": l.amount.currency},
        "reasons": [int(r) for r in l.reasons]})] == 1
    assert dataclasses.replace(l, rank=7).rank == 7 and l.rank == 1
    assert repr(l).startswith("WorklistLine(rank=1, ")


def test_text_with_tabs_newlines_and_backslashes_crosses_unchanged():
    with archase.open(policy=archase.Policy.from_text(
            "version: 1\ncurrency: {default: EUR}\n"
            "segments: [{name: all, sequence: s}]\n"
            "sequences:\n  s:\n    steps:\n      - {offset: 1, action: alert_owner}\n")) as eng:
        owner = "anna\tthe\\collector\nof \\x41 & \u00e9\u2028"
        eng.put(archase.Customer(id="C1", name="ACME", owner=owner, collector=owner))
        eng.put(archase.Invoice(id="I1", customer_id="C1", issue_date=date(2026, 1, 1),
                                due_date=date(2026, 1, 31), amount=Money.parse("10.00 EUR")))
        lines = eng.worklist(date(2026, 3, 10))
    assert lines and all(l.owner == owner for l in lines)
    assert lines[0].invoice_ids == ("I1",) and lines[0].amount == Money.parse("10.00 EUR")


def test_rows_are_split_as_documented():
    # Two rows as bindings/bind.h describes them: no due date, amount or
    # decision in the second, an escaped tab, two invoices, two reasons.
    text = ("1\tanna\tC1\t1\tcall\t2026-03-02\t40\t1050\tEUR\t12\t3\tI1\x1fI2\t1,6\n"
            "2\tbo\\09b\tC2\t2\tnote\t\t0\t0\t\t0\t\tI3\t\n")
    a, b = _lines(text)
    assert a == WorklistLine(1, "anna", "C1", archase.WorkKind(1), "call", date(2026, 3, 2), 40,
                             Money.from_minor(1050, "EUR"), 12, 3, ("I1", "I2"),
                             (archase.Reason(1), archase.Reason(6)))
    assert b.owner == "bo\tb" and b.due_by is None and b.amount is None and b.decision is None
    assert b.invoice_ids == ("I3",) and b.reasons == ()
    assert _lines("") == []
