"""A host's storage written in Python: the engine works over it, storage
results raised as archase errors reach the engine as codes, and any other
exception stops the operation cleanly and is re-raised by the failing call
with its traceback."""
import traceback
from datetime import date
from decimal import Decimal

import pytest

import archase
from archase import Money

POLICY = """\
version: 1
currency: {default: EUR}
segments: [{name: all, sequence: s}]
sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}
"""


def facts():
    return [archase.Customer(id="C1", name="ACME", collector="anna"),
            archase.Invoice(id="I1", customer_id="C1", issue_date=date(2026, 1, 1),
                            due_date=date(2026, 1, 31), amount=Money(Decimal("10.00"), "EUR"))]


def test_an_engine_over_python_storage_works_like_the_built_in_ones():
    st = archase.MemoryStorage()
    with archase.open(storage=st, policy=archase.Policy.from_text(POLICY)) as eng:
        for f in facts():
            assert eng.put(f) == archase.Outcome.INSERTED
        assert eng.put(facts()[1]) == archase.Outcome.DUPLICATE
        assert eng.get(archase.Invoice, "I1").open_amount == Money(Decimal("10.00"), "EUR")
        with pytest.raises(archase.NotFound):
            eng.get(archase.Invoice, "nope")
        ev = eng.evaluate(date(2026, 3, 10))
        assert ev.coverage.overdue_invoices == 1 and len(ev) == 1
        assert eng.audit_verify()["verified"] and eng.audit_size == len(st.log) == 2
        families = {fam for fam, _ in st.records}
        assert {archase.Family.CUSTOMER, archase.Family.INVOICE} <= families
        with eng.batch() as b:
            b.add(archase.Customer(id="C2", name="Globex"))
        assert (archase.Family.CUSTOMER, "C2") in st.records
    assert st.closed


class Exploding(archase.MemoryStorage):
    """Raises from `method` while armed (for put: only for invoices)."""

    def __init__(self, method, armed=True, exc=ZeroDivisionError):
        super().__init__()
        self.method, self.armed, self.exc = method, armed, exc

    def _maybe(self, name):
        if name == self.method and self.armed:
            self.fail()

    def fail(self):
        raise self.exc("the vendor's store is down")

    def put(self, record):
        if record.family == archase.Family.INVOICE:
            self._maybe("put")
        return super().put(record)

    def scan(self, flt):
        self._maybe("scan")
        return super().scan(flt)

    def audit_append(self, entry):
        self._maybe("audit_append")
        return super().audit_append(entry)


def test_an_exception_in_a_callback_is_re_raised_from_the_call_with_its_traceback():
    st = Exploding("put")
    eng = archase.open(storage=st)
    cust, inv = facts()
    eng.put(cust)
    with pytest.raises(ZeroDivisionError, match="store is down") as ei:
        eng.put(inv)
    frames = [f.name for f in traceback.extract_tb(ei.value.__traceback__)]
    assert "fail" in frames and "put" in frames
    # Stopped cleanly: the failed put left nothing, and the engine goes on.
    assert (archase.Family.INVOICE, "I1") not in st.records
    st.armed = False
    assert eng.put(inv) == archase.Outcome.INSERTED
    assert eng.audit_verify()["verified"]
    eng.close()


def test_an_exception_while_scanning_stops_an_evaluation():
    st = Exploding("scan", armed=False, exc=KeyError)
    eng = archase.open(storage=st, policy=archase.Policy.from_text(POLICY))
    for f in facts():
        eng.put(f)
    st.armed = True
    with pytest.raises(KeyError):
        eng.evaluate(date(2026, 3, 10))
    st.armed = False
    assert len(eng.evaluate(date(2026, 3, 10))) == 1


def test_an_exception_in_a_batch_rolls_it_back():
    st = Exploding("audit_append", armed=False)
    eng = archase.open(storage=st)
    eng.put(facts()[0])
    st.armed = True
    with pytest.raises(ZeroDivisionError):
        with eng.batch() as b:
            b.add(archase.Customer(id="C2", name="Globex"))
            b.add(archase.Customer(id="C3", name="Initech"))
    assert [k for k in st.records if k[0] == archase.Family.CUSTOMER] == [(archase.Family.CUSTOMER, "C1")]


def test_a_storage_result_raised_as_an_archase_error_is_a_code_not_an_exception():
    class Conflicting(archase.MemoryStorage):
        def audit_append(self, entry):
            raise archase.ConflictError("someone else appended", code=archase.capi.ARCHASE_ECONFLICT)

    eng = archase.open(storage=Conflicting())
    with pytest.raises(archase.Error) as ei:
        eng.put(facts()[0])
    assert not isinstance(ei.value, archase.CallbackError)
    assert ei.value.code != archase.capi.ARCHASE_ECALLBACK


def test_a_later_failure_does_not_re_raise_an_old_callback_exception():
    st = Exploding("put")
    eng = archase.open(storage=st)
    eng.put(facts()[0])
    with pytest.raises(ZeroDivisionError):
        eng.put(facts()[1])
    st.armed = False
    bad = archase.Invoice(id="I2", customer_id="NOPE", issue_date=date(2026, 1, 1),
                          due_date=date(2026, 1, 31), amount=Money(Decimal("1.00"), "EUR"))
    with pytest.raises(archase.Error) as ei:   # the customer does not exist
        eng.put(bad)
    assert not isinstance(ei.value, ZeroDivisionError) and "NOPE" in ei.value.message
