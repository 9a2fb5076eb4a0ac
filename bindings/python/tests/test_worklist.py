"""Worklist lines as the package hands them over: made in C from the
library's lines (bindings/python/worklist.swg) instead of decoded from its
JSON, and still every field the JSON holds, with the same Python types,
frozen, comparable and hashable like any WorklistLine."""
import dataclasses
import json
import os
from datetime import date

import pytest

import archase
from archase import Money, capi
from archase.engine import WorklistLine


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


def test_the_package_decides_each_kind_reason_and_currency_once_per_value(example):
    ev, lines = example
    wl = capi.archase_bind_worklist_build(ev._h, None)
    asked = {"kind": [], "reason": []}

    def asker(what):
        def ask(v):
            asked[what].append(v)
            return -v
        return ask

    raw = capi.worklist_lines(wl, WorklistLine, asker("kind"), asker("reason"), str.lower, Money)
    assert sorted(asked["kind"]) == sorted({int(l.kind) for l in lines})
    assert sorted(asked["reason"]) == sorted({int(r) for l in lines for r in l.reasons})
    assert [l.kind for l in raw] == [-int(l.kind) for l in lines]
    assert [l.reasons for l in raw] == [tuple(-int(r) for r in l.reasons) for l in lines]
    assert {l.amount.currency.lower() for l in lines if l.amount} == {l.amount._code for l in raw if l.amount}


def test_an_error_making_a_line_propagates_and_no_list_is_returned(example):
    ev, _ = example
    wl = capi.archase_bind_worklist_build(ev._h, None)

    def no_currency(code):
        raise ZeroDivisionError("no money today")

    with pytest.raises(ZeroDivisionError, match="no money today"):
        capi.worklist_lines(wl, WorklistLine, int, int, no_currency, Money)
    with pytest.raises(TypeError, match="expected a worklist"):
        capi.worklist_lines(object(), WorklistLine, int, int, str, Money)
    with pytest.raises(TypeError):
        capi.worklist_lines(wl, WorklistLine, int, int, str, Money._of)
