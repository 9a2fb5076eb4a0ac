"""Promises, disputes, the reconciliation queue, credit recommendations and
time zones through the package."""
import os
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

import archase
from archase import Money

EUR = lambda s: Money(Decimal(s), "EUR")  # noqa: E731


@pytest.fixture
def eng(source_root):
    policy = archase.Policy.load(os.path.join(source_root, "tests", "scenarios", "policies",
                                              "standard.yaml"))
    e = archase.open(policy=policy, now=int(datetime(2026, 3, 5, 12, tzinfo=timezone.utc).timestamp()))
    e.put(archase.Customer(id="ACME", name="ACME", collector="anna", owner="olaf",
                           credit_limit=EUR("5000.00")))
    for i, amount in (("INV-1", "1000.00"), ("INV-2", "1000.00")):
        e.put(archase.Invoice(id=i, customer_id="ACME", issue_date=date(2026, 2, 1),
                              due_date=date(2026, 3, 2), amount=EUR(amount)))
    yield e
    e.close()


def test_a_promise_is_kept_or_broken_and_can_be_cancelled(eng):
    eng.record_promise(archase.Promise(id="P1", customer_id="ACME", invoice_ids=["INV-1"],
                                       amount=EUR("1000.00"), promised_date=date(2026, 3, 10),
                                       recorded_on=date(2026, 3, 5), taken_by="anna"), date(2026, 3, 5))
    eng.record_promise(archase.Promise(id="P2", customer_id="ACME", invoice_ids=["INV-2"],
                                       amount=EUR("1000.00"), promised_date=date(2026, 3, 10),
                                       recorded_on=date(2026, 3, 5), taken_by="anna"), date(2026, 3, 5))
    assert [p["state"] for p in eng.promises()] == [archase.PromiseState.OPEN] * 2
    eng.put(archase.Payment(id="PAY-1", customer_id="ACME", invoice_id="INV-1",
                            date=date(2026, 3, 9), amount=EUR("1000.00")))
    counts = eng.update_lifecycle(date(2026, 3, 20))
    assert counts["promises_kept"] == 1 and counts["promises_broken"] == 1
    p1, p2 = eng.promise("P1"), eng.promise("P2")
    assert p1["state"] == archase.PromiseState.KEPT and p1["paid"] == EUR("1000.00")
    assert p1["promise"].invoice_ids == ("INV-1",)
    assert p2["state"] == archase.PromiseState.BROKEN and p2["state_date"] is not None
    eng.record_promise(archase.Promise(id="P3", customer_id="ACME", invoice_ids=["INV-2"],
                                       amount=EUR("1000.00"), promised_date=date(2026, 3, 30),
                                       recorded_on=date(2026, 3, 20), taken_by="anna"), date(2026, 3, 20))
    eng.cancel_promise("P3", "customer asked for an instalment plan", date(2026, 3, 21))
    assert eng.promise("P3")["state"] == archase.PromiseState.CANCELLED
    assert [p["promise"].id for p in eng.promises(state=archase.PromiseState.KEPT)] == ["P1"]
    with pytest.raises(archase.Error):
        eng.cancel_promise("P3", "", date(2026, 3, 22))


def test_a_dispute_is_opened_updated_and_resolved_with_a_credit(eng):
    eng.open_dispute(archase.Dispute(id="D1", customer_id="ACME", invoice_ids=["INV-1"],
                                     amount=EUR("400.00"), reason_code="pricing",
                                     opened_on=date(2026, 3, 5), opened_by="anna"), date(2026, 3, 5))
    eng.update_dispute("D1", "lena", date(2026, 3, 6), in_review=True, evidence="price list v7")
    d = eng.disputes(date(2026, 3, 6))[0]
    assert d["dispute"].status == archase.DisputeStatus.IN_REVIEW and d["sla_due"] > date(2026, 3, 6)
    approval, pending = eng.resolve_dispute("D1", archase.Resolution.CREDIT_ISSUED,
                                            "price_list_outdated", "lena", date(2026, 3, 10),
                                            credited=EUR("400.00"))
    assert not pending and approval is None
    assert eng.get(archase.Dispute, "D1").status == archase.DisputeStatus.RESOLVED
    assert eng.get(archase.Invoice, "INV-1").open_amount == EUR("600.00")
    assert any(r["key"] == "pricing" for r in eng.dispute_report(date(2026, 3, 31)))


def test_payments_that_do_not_match_join_the_reconciliation_queue(eng):
    eng.put(archase.Payment(id="PAY-U", customer_id="ACME", date=date(2026, 3, 10),
                            amount=EUR("50.00")))
    eng.update_lifecycle(date(2026, 3, 10))
    items = eng.reconciliation(status=1)
    assert [(i["reason"], i["amount"]) for i in items] == [(archase.ReconReason.UNAPPLIED_CASH,
                                                            EUR("50.00"))]
    approval, pending = eng.resolve_reconciliation(items[0]["id"], archase.ReconResolution.APPLY,
                                                   "anna", date(2026, 3, 11), invoice_id="INV-2")
    assert not pending and eng.reconciliation(status=1) == []
    assert eng.get(archase.Invoice, "INV-2").open_amount == EUR("950.00")


def test_credit_recommendation(eng):
    r = eng.credit_recommendation("ACME", date(2026, 3, 10))
    assert isinstance(r["action"], archase.CreditAction)
    assert r["current_limit"] == EUR("5000.00") and r["exposure"] == EUR("2000.00")
    assert r["utilisation_percent"] == 40 and r["drivers"]
    with pytest.raises(archase.NotFound):
        eng.credit_recommendation("NOPE", date(2026, 3, 10))


def test_time_zones():
    at = int(datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc).timestamp())
    lt = archase.to_local(at, "Europe/Berlin")
    assert lt["date"] == date(2026, 3, 29) and lt["seconds_of_day"] == 3 * 3600 + 1800
    assert lt["is_dst"] and lt["abbreviation"] == "CEST" and lt["utc_offset"] == 7200
    assert archase.from_local(date(2026, 3, 29), 3 * 3600 + 1800, "Europe/Berlin") == at
    with pytest.raises(archase.Error):
        archase.to_local(at, "Mars/Olympus_Mons")
