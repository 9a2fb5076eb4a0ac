"""10,000 engines made and freed, each with facts, an evaluation, a worklist,
KPIs and a Python storage: the process's resident memory does not grow."""
import gc
import os
from datetime import date
from decimal import Decimal

import archase
from archase import Money

POLICY = archase.Policy.from_text("""\
version: 1
currency: {default: EUR}
segments: [{name: all, sequence: s}]
sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}
""")


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def one_cycle(i):
    storage = archase.MemoryStorage() if i % 10 == 0 else None
    with archase.open(policy=POLICY, storage=storage) as eng:
        eng.put(archase.Customer(id="C1", name="ACME", tags=["a", "b"]))
        eng.put(archase.Invoice(id="I1", customer_id="C1", issue_date=date(2026, 1, 1),
                                due_date=date(2026, 1, 31), amount=Money(Decimal("10.00"), "EUR")))
        try:
            eng.put(archase.Invoice(id="I2", customer_id="NOPE", issue_date=date(2026, 1, 1),
                                    due_date=date(2026, 1, 31), amount=Money(Decimal("1.00"), "EUR")))
        except archase.Error:
            pass
        ev = eng.evaluate(date(2026, 3, 10))
        assert ev.worklist() is not None and ev.decisions
        eng.kpi(date(2026, 3, 1), date(2026, 3, 31))
        eng.facts(archase.Invoice)


def test_ten_thousand_engines_do_not_grow_memory():
    for i in range(1000):  # warm up: allocator pools, caches, zones
        one_cycle(i)
    gc.collect()
    before = rss_bytes()
    for i in range(10_000):
        one_cycle(i)
    gc.collect()
    grown = rss_bytes() - before
    # A leak of even 1 KiB per engine would be 10 MB.
    assert grown < 4 * 1024 * 1024, f"resident memory grew by {grown / 1e6:.1f} MB"
