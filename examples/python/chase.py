#!/usr/bin/env python3
"""Chase overdue invoices from Python: import the example ledger's CSV files,
run the daily cycle with a transport written in Python, and print the
worklist and the month's KPIs.

    PYTHONPATH=build/bindings/python python3 examples/python/chase.py
    python3 examples/python/chase.py --db ledger.db --as-of 2026-03-31

Exits 1 when the cycle delivered nothing or the audit log does not verify.
"""
import argparse
import os
import sys
from datetime import date

import archase

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


class PrintingTransport(archase.Transport):
    """Prints what would be sent; a real one would call an e-mail or SMS API."""

    def __init__(self):
        self.sent = 0

    def send(self, message):
        self.sent += 1
        if self.sent <= 3:
            print(f"  -> {message.channel.name.lower()} to {message.address}: {message.subject!r}"
                  f" ({message.amount})")
        return archase.SendResult.SENT, "accepted"


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.path.join(ROOT, "examples", "data"))
    ap.add_argument("--policy", default=os.path.join(ROOT, "examples", "policies", "smb-friendly.yaml"))
    ap.add_argument("--db", default=None, help="a SQLite file (default: in memory)")
    ap.add_argument("--as-of", default="2026-03-31", type=date.fromisoformat)
    a = ap.parse_args(argv)

    with archase.open(a.db, policy=a.policy, actor="chase.py") as eng:
        for kind in (archase.Kind.CUSTOMERS, archase.Kind.INVOICES, archase.Kind.PAYMENTS,
                     archase.Kind.PROMISES, archase.Kind.DISPUTES):
            path = os.path.join(a.data, kind.name.lower() + ".csv")
            s = eng.import_csv(path, kind, as_of=a.as_of)
            print(f"imported {kind.name.lower():10} {s.inserted:5} new, {s.duplicates} already there")

        transport = PrintingTransport()
        eng.set_transport(transport)
        print(f"\nthe daily cycle of {a.as_of}:")
        report = eng.run_cycle(a.as_of)
        print(f"  {report['decisions']} decisions, {report['outbox_written']} messages written, "
              f"{report['dispatch']['sent']} sent")

        print("\nworklist (top 10):")
        lines = eng.worklist(a.as_of)
        for line in lines[:10]:
            print(f"  {line.rank:3} {line.owner:14} {line.customer_id:8} {line.next_action:15} "
                  f"{str(line.amount):>14} {line.days_overdue:4} days")

        month = date(a.as_of.year, a.as_of.month, 1)
        print(f"\nKPIs {month} .. {a.as_of}:")
        for currency, k in sorted(eng.kpi(month, a.as_of).items()):
            print(f"  {currency}: open {k['open_ar']}, DSO {k['dso_standard_days']} days, "
                  f"CEI {k['cei_percent']} %, over 60 days {k['over_60_amount']}")

        ok = eng.audit_verify()["verified"] and transport.sent > 0 and lines
        print("\naudit log verified" if ok else "\nFAILED: nothing delivered or the audit log does not verify")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
