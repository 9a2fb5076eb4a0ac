"""The daily cycle through the package: a transport written in Python gets
each message once per decision, a transport that raises leaves the message in
doubt and the exception comes out of run_cycle, reconciliation through lookup,
drafts reviewed by a person, and the shipped file transport."""
import json
import os
from datetime import date
from decimal import Decimal

import pytest

import archase
from archase import Money


@pytest.fixture
def policy(source_root):
    return archase.Policy.load(os.path.join(source_root, "tests", "scenarios", "policies",
                                            "standard.yaml"))


def ledger(policy):
    eng = archase.open(policy=policy, actor="cycle-test", now=1773043200 + 3600 * 12)
    eng.put(archase.Customer(id="ACME", name="ACME GmbH", collector="anna", owner="olaf",
                             timezone="Europe/Berlin"))
    eng.put(archase.Contact(id="ACME-AP", customer_id="ACME", channel=archase.Channel.EMAIL,
                            address="ap@acme.example", consent=True, primary=True))
    eng.put(archase.Invoice(id="INV-1", customer_id="ACME", issue_date=date(2026, 2, 1),
                            due_date=date(2026, 3, 2), amount=Money(Decimal("1200.00"), "EUR")))
    return eng


class Collecting(archase.Transport):
    def __init__(self):
        self.sent, self.closed = [], False

    def send(self, message):
        self.sent.append(message)
        return archase.SendResult.SENT, "250 ok"

    def lookup(self, key):
        return archase.LookupResult.SENT if any(m.idempotency_key == key for m in self.sent) \
            else archase.LookupResult.NOT_SENT

    def close(self):
        self.closed = True


def test_a_python_transport_delivers_each_decision_once(policy):
    eng = ledger(policy)
    t = Collecting()
    eng.set_transport(t)
    r = eng.run_cycle(date(2026, 3, 9))
    assert r["as_of"] == date(2026, 3, 9) and r["by_kind"]["send_message"] == 1
    assert r["outbox_written"] >= 1 and r["dispatch"]["sent"] == len(t.sent) >= 1
    m = t.sent[0]
    assert m.address == "ap@acme.example" and m.invoice_ids == ("INV-1",)
    assert m.amount == Money(Decimal("1200.00"), "EUR") and m.kind == archase.DecisionKind.SEND_MESSAGE
    assert m.subject and m.body and m.attempt == 1 and m.local_date == date(2026, 3, 9)
    item = eng.outbox_item(m.outbox_id)
    assert item["status"] == archase.OutboxStatus.SENT and item["last_detail"] == "250 ok"
    again = eng.run_cycle(date(2026, 3, 9))
    assert again["outbox_written"] == 0 and len(t.sent) == 1
    eng.set_transport(None)
    assert t.closed


class Raising(archase.Transport):
    def __init__(self):
        self.calls = 0

    def send(self, message):
        self.calls += 1
        raise ConnectionResetError("the SMTP server hung up")


def test_an_exception_in_send_leaves_the_message_in_doubt_and_comes_out_of_run_cycle(policy):
    eng = ledger(policy)
    eng.set_transport(Raising())
    with pytest.raises(ConnectionResetError, match="hung up"):
        eng.run_cycle(date(2026, 3, 9))
    # The cycle itself committed; the message may have gone out: in doubt.
    items = eng.outbox()
    assert items and all(i["status"] == archase.OutboxStatus.IN_DOUBT for i in items
                         if i["channel"] == archase.Channel.EMAIL)
    # A transport that can tell reconciles it without sending it again.
    t = Collecting()
    t.sent.append(type("M", (), {"idempotency_key": items[0]["idempotency_key"]})())
    eng.set_transport(t)
    rep = eng.dispatch()
    assert rep["reconciled_sent"] >= 1 and len(t.sent) == 1
    assert eng.outbox_item(items[0]["id"])["status"] == archase.OutboxStatus.SENT


def test_drafts_wait_for_a_person(policy):
    eng = ledger(policy)
    t = Collecting()
    eng.set_transport(t)
    r = eng.run_cycle(date(2026, 3, 9), review=True)
    assert r["drafts"] >= 1 and t.sent == []
    draft = [i for i in eng.outbox() if i["draft"]][0]
    eng.review_edit(draft["id"], "anna", subject="About invoice INV-1")
    eng.dispatch()
    assert [m.subject for m in t.sent] == ["About invoice INV-1"]
    assert eng.outbox_item(draft["id"])["reviewer"] == "anna"
    with pytest.raises(archase.Error):
        eng.review_reject(draft["id"], "anna", "already sent")


def test_the_file_transport_writes_json_lines(policy, tmp_path):
    eng = ledger(policy)
    out = tmp_path / "outbox.jsonl"
    eng.use_file_transport(out)
    r = eng.run_cycle(date(2026, 3, 9))
    lines = [json.loads(l) for l in out.read_text().splitlines()]
    assert len(lines) == r["dispatch"]["sent"] >= 1


def test_run_cycle_needs_a_policy_and_a_transport_of_the_right_shape():
    eng = archase.open()
    with pytest.raises(archase.InvalidArgument):
        eng.run_cycle(date(2026, 3, 9))
