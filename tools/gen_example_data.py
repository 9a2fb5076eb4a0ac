#!/usr/bin/env python3
"""gen_example_data.py [OUTDIR] — writes the example ledger of examples/data/.

A made-up but realistic receivables history: 300 customers of a B2B supplier
in the United States, Germany, France, the Netherlands and the United Kingdom,
their invoices, the payments arriving on their dates, promises to pay (some
kept, some broken), disputes with their reasons and how they were resolved.
The activity covers the 90 days from 2026-01-01 to 2026-03-31; invoices issued
before 2026-01-01 and still open on that day are the opening balance.

The output is deterministic: the same seed writes byte-identical files, so the
committed CSVs can be checked against this script (`--check`). Files are in
libarchase's native import formats (docs/import.md):

  customers.csv         customers, tiers, zones, owners, collectors, consented
                        e-mail and phone contacts, relationship flags
  invoices.csv          invoices (issue_date says when each arrives)
  payments.csv          payments, dated the day the money arrived
  credits.csv           credit notes issued when a dispute was resolved
  promises.csv          promises to pay (recorded_on says when each was taken)
  disputes.csv          disputes as opened (opened_on)
  dispute_updates.csv   the same disputes, revision 1, when they were resolved
                        (resolved_on)

Behaviours the history holds on purpose, so that a policy has something to
decide: customers who pay early, on time or a little late; customers who
always pay about 45 days after the invoice date although their terms are 30;
erratic payers with part payments; a few chronic late payers whose promises
mostly break; customers on hold, paused, strategic, in expansion talks or with
a service issue; customers without an e-mail address (the exceptions queue).
"""
import argparse
import csv
import datetime as dt
import io
import os
import random
import sys

SEED = 20260331
START = dt.date(2026, 1, 1)
END = dt.date(2026, 3, 31)
OPENING_FROM = dt.date(2025, 10, 15)
CUSTOMERS = 300

COUNTRIES = [
    # country, weight, currency, locale, time zones
    ("US", 60, "USD", "en-US", ["America/New_York", "America/Chicago", "America/Denver",
                                "America/Los_Angeles"]),
    ("DE", 12, "EUR", "de-DE", ["Europe/Berlin"]),
    ("FR", 8, "EUR", "fr-FR", ["Europe/Paris"]),
    ("NL", 5, "EUR", "en-US", ["Europe/Amsterdam"]),
    ("GB", 15, "GBP", "en-GB", ["Europe/London"]),
]
PREFIXES = ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Wonka", "Hooli", "Vandelay",
            "Soylent", "Tyrell", "Cyberdyne", "Massive", "Oscorp", "Gringotts", "Nakatomi", "Pied",
            "Aperture", "Black Mesa", "Monarch", "Dunder", "Prestige", "Sterling", "Bluth",
            "Northwind", "Contoso", "Fabrikam", "Tailspin", "Litware", "Adventure", "Alpine",
            "Blue Yonder", "Coho", "Fourth", "Lucerne", "Margie", "Proseware", "Southridge",
            "Trey", "Wingtip", "Woodgrove", "Humongous", "Graphic", "Consolidated", "Fjord",
            "Kestrel", "Harbor", "Summit", "Meridian", "Granite"]
SUFFIXES = {"US": ["Inc.", "LLC", "Corp.", "Holdings Inc."], "DE": ["GmbH", "AG", "KG"],
            "FR": ["SA", "SARL", "SAS"], "NL": ["B.V.", "N.V."], "GB": ["Ltd", "plc", "Limited"]}
INDUSTRIES = ["Logistics", "Foods", "Systems", "Industries", "Retail", "Energy", "Labs",
              "Manufacturing", "Health", "Media", "Engineering", "Distribution"]
DIAL = {"US": "+1555", "DE": "+4930", "FR": "+331", "NL": "+3120", "GB": "+4420"}
OWNERS = ["anna", "ben", "chloe", "dev", "emma", "farid"]
COLLECTORS = ["olivia", "paul", "quinn", "rosa"]
TIERS = [("platinum", 4), ("gold", 14), ("silver", 40), ("bronze", 42)]
BASE_AMOUNT = {"platinum": (40000, 180000), "gold": (8000, 60000), "silver": (1500, 18000),
               "bronze": (300, 4500)}
BEHAVIOURS = [("prompt", 38), ("slow", 24), ("day45", 10), ("erratic", 16), ("chronic", 6),
              ("disputer", 6)]
REASONS = [("pricing", 28), ("short_ship", 18), ("missing_po", 18), ("damaged_goods", 10),
           ("duplicate_billing", 6), ("tax", 6), ("milestone_not_accepted", 6), ("other", 8)]
ROOT_CAUSES = {"pricing": ["price_list_outdated", "discount_not_applied"],
               "short_ship": ["warehouse_picking", "carrier_loss"],
               "missing_po": ["order_entry", "customer_process"],
               "damaged_goods": ["packaging", "carrier_handling"],
               "duplicate_billing": ["billing_system"],
               "tax": ["exemption_not_recorded"],
               "milestone_not_accepted": ["project_delay"],
               "other": ["customer_process"]}


def weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    pick = rng.uniform(0, total)
    for value, weight in pairs:
        pick -= weight
        if pick <= 0:
            return value
    return pairs[-1][0]


def money(minor):
    return f"{minor // 100}.{minor % 100:02d}"


def iso(day):
    return day.isoformat()


class Ledger:
    def __init__(self):
        self.customers, self.invoices, self.payments, self.credits = [], [], [], []
        self.promises, self.disputes, self.dispute_updates = [], [], []
        self.payment_seq = 0

    def pay(self, customer, invoice_id, day, minor, currency, reference):
        if minor <= 0:
            return  # a credit note settled it all
        self.payment_seq += 1
        self.payments.append({"payment_id": f"P{self.payment_seq:05d}", "customer_id": customer,
                              "invoice_id": invoice_id, "date": iso(day), "amount": money(minor),
                              "currency": currency, "reference": reference})


def make_customer(rng, index, used_names):
    country, _, currency, locale, zones = weighted(rng, [(c, c[1]) for c in COUNTRIES])
    while True:
        name = f"{rng.choice(PREFIXES)} {rng.choice(INDUSTRIES)} {rng.choice(SUFFIXES[country])}"
        if name not in used_names:
            used_names.add(name)
            break
    tier = weighted(rng, TIERS)
    behaviour = weighted(rng, BEHAVIOURS)
    flags = []
    roll = rng.random()
    if tier == "platinum" or roll < 0.03:
        flags.append("strategic")
    elif roll < 0.06:
        flags.append("expansion")
    elif roll < 0.09:
        flags.append("service_issue")
    elif roll < 0.11:
        flags.append("hold")
    elif roll < 0.13:
        flags.append(f"paused_until={iso(dt.date(2026, 2, rng.randint(10, 27)))}")
    slug = "".join(ch for ch in name.split(" ")[0].lower() if ch.isalpha())
    cid = f"C{index:04d}"
    lo, hi = BASE_AMOUNT[tier]
    terms = 30 if tier in ("silver", "bronze") else rng.choice([30, 45, 60])
    if behaviour == "day45":
        terms = 30
    return {
        "row": {
            "customer_id": cid, "name": name, "tier": tier, "owner": rng.choice(OWNERS),
            "collector": rng.choice(COLLECTORS), "timezone": rng.choice(zones), "locale": locale,
            # one customer in twenty has no e-mail on file: it goes to the exceptions queue
            "email": "" if rng.random() < 0.05 else f"ap@{slug}{index}.example",
            "phone": f"{DIAL[country]}{index:07d}",
            "credit_limit": money(rng.randint(lo * 3, hi * 4) * 100), "currency": currency,
            "flags": ";".join(flags), "country": country,
        },
        "currency": currency, "tier": tier, "behaviour": behaviour, "terms": terms,
        "amount": (lo, hi), "cadence": rng.choice([7, 14, 14, 30, 30]) if tier != "platinum" else 30,
    }


def settle_day(rng, behaviour, issue, due):
    """The day the invoice would be paid in full, or None (not within the data)."""
    if behaviour == "prompt":
        return due + dt.timedelta(days=rng.randint(-8, 2))
    if behaviour == "slow":
        return due + dt.timedelta(days=rng.randint(2, 20))
    if behaviour == "day45":
        return issue + dt.timedelta(days=45 + rng.randint(-2, 2))
    if behaviour == "erratic":
        return due + dt.timedelta(days=rng.choice([rng.randint(0, 15), rng.randint(20, 70)]))
    if behaviour == "chronic":
        return None if rng.random() < 0.5 else due + dt.timedelta(days=rng.randint(45, 100))
    return due + dt.timedelta(days=rng.randint(0, 25))  # disputer, when not disputing


def generate(seed):
    rng = random.Random(seed)
    led = Ledger()
    used_names = set()
    customers = [make_customer(rng, i + 1, used_names) for i in range(CUSTOMERS)]
    invoice_seq = promise_seq = dispute_seq = credit_seq = 0
    for cust in customers:
        led.customers.append(cust["row"])
        cid, currency, behaviour = cust["row"]["customer_id"], cust["currency"], cust["behaviour"]
        issue = OPENING_FROM + dt.timedelta(days=rng.randint(0, cust["cadence"] - 1))
        while issue <= END:
            lo, hi = cust["amount"]
            amount = rng.randint(lo * 100, hi * 100)
            due = issue + dt.timedelta(days=cust["terms"])
            paid_on = settle_day(rng, behaviour, issue, due)
            this_issue, issue = issue, issue + dt.timedelta(days=cust["cadence"] + rng.randint(-2, 2))
            if paid_on is not None and paid_on < START:
                continue  # settled before the history starts: not part of the ledger
            invoice_seq += 1
            iid = f"INV-{invoice_seq:05d}"
            led.invoices.append({
                "invoice_id": iid, "customer_id": cid, "number": f"{this_issue.year}-{invoice_seq:05d}",
                "issue_date": iso(this_issue), "due_date": iso(due), "amount": money(amount),
                "currency": currency, "po_ref": f"PO-{rng.randint(10000, 99999)}",
                "source_link": f"https://erp.example/invoices/{iid}", "terms": f"net{cust['terms']}",
            })
            paid = 0  # what the dispute's credit and the payments below have covered
            # a dispute: the disputers often, anyone rarely; opened a little after the due date
            disputes = behaviour == "disputer" and rng.random() < 0.45 or rng.random() < 0.025
            opened = due + dt.timedelta(days=rng.randint(-5, 12))
            if disputes and START <= opened <= END and (paid_on is None or opened < paid_on):
                dispute_seq += 1
                reason = weighted(rng, REASONS)
                disputed = amount if rng.random() < 0.5 else amount * rng.randint(10, 60) // 100
                row = {"dispute_id": f"D{dispute_seq:04d}", "customer_id": cid, "invoice_ids": iid,
                       "amount": money(disputed), "currency": currency, "reason_code": reason,
                       "opened_on": iso(opened), "opened_by": cust["row"]["collector"],
                       "owner": rng.choice(["maria", "jonas", "li", "sam"]), "status": "open",
                       "resolution": "", "root_cause": "", "resolved_on": "", "credited_amount": "",
                       "revision": "0"}
                led.disputes.append(row)
                resolved = opened + dt.timedelta(days=rng.randint(4, 45))
                if resolved <= END:
                    resolution = weighted(rng, [("credit_issued", 4), ("rejected", 4), ("partial", 2)])
                    credited = {"credit_issued": disputed, "rejected": 0,
                                "partial": disputed // 2}[resolution]
                    update = dict(row, status="resolved", resolution=resolution,
                                  root_cause=rng.choice(ROOT_CAUSES[reason]),
                                  resolved_on=iso(resolved),
                                  credited_amount=money(credited) if credited else "", revision="1")
                    led.dispute_updates.append(update)
                    if credited:
                        credit_seq += 1
                        led.credits.append({"credit_id": f"CN{credit_seq:04d}", "customer_id": cid,
                                            "invoice_id": iid, "date": iso(resolved),
                                            "amount": money(credited), "currency": currency,
                                            "reference": f"credit for {row['dispute_id']}"})
                        paid += credited
                    paid_on = resolved + dt.timedelta(days=rng.randint(2, 12))
                else:
                    paid_on = None  # still disputed at the end of the data
            # a promise: taken on a call some weeks after the due date, when nothing came
            first_call = due + dt.timedelta(days=rng.randint(18, 30))
            promise_likely = {"slow": 0.4, "erratic": 0.8, "chronic": 0.9, "day45": 0.0}
            if (not disputes and START <= first_call <= END - dt.timedelta(days=3)
                    and (paid_on is None or paid_on > first_call)
                    and rng.random() < promise_likely.get(behaviour, 0.0)):
                promise_seq += 1
                promised = first_call + dt.timedelta(days=rng.randint(5, 14))
                kept_chance = {"slow": 0.85, "erratic": 0.55, "chronic": 0.2}[behaviour]
                kept = rng.random() < kept_chance
                led.promises.append({
                    "promise_id": f"PTP{promise_seq:04d}", "customer_id": cid, "invoice_ids": iid,
                    "amount": money(amount - paid), "currency": currency,
                    "promised_date": iso(promised), "taken_by": cust["row"]["collector"],
                    "channel": "call", "grace_days": "", "recorded_on": iso(first_call),
                })
                if kept:
                    paid_on = promised - dt.timedelta(days=rng.randint(0, 3))
                    paid_on = max(paid_on, first_call + dt.timedelta(days=1))
                elif paid_on is not None:
                    paid_on = max(paid_on, promised + dt.timedelta(days=rng.randint(8, 40)))
            if paid_on is None or paid_on > END:
                continue
            # erratic payers often pay in two parts
            if behaviour == "erratic" and amount - paid > 20000 and rng.random() < 0.35:
                first_part = paid_on - dt.timedelta(days=rng.randint(10, 25))
                if first_part >= max(START, this_issue):
                    part = (amount - paid) * rng.randint(30, 60) // 100
                    led.pay(cid, iid, first_part, part, currency, f"part of {iid}")
                    paid += part
            paid_on = max(paid_on, this_issue, START)
            led.pay(cid, iid, paid_on, amount - paid, currency, f"remittance {iid}")
    return led


COLUMNS = {
    "customers": ["customer_id", "name", "tier", "owner", "collector", "timezone", "locale", "email",
                  "phone", "credit_limit", "currency", "flags", "country"],
    "invoices": ["invoice_id", "customer_id", "number", "issue_date", "due_date", "amount",
                 "currency", "po_ref", "source_link", "terms"],
    "payments": ["payment_id", "customer_id", "invoice_id", "date", "amount", "currency",
                 "reference"],
    "credits": ["credit_id", "customer_id", "invoice_id", "date", "amount", "currency", "reference"],
    "promises": ["promise_id", "customer_id", "invoice_ids", "amount", "currency", "promised_date",
                 "taken_by", "channel", "grace_days", "recorded_on"],
    "disputes": ["dispute_id", "customer_id", "invoice_ids", "amount", "currency", "reason_code",
                 "opened_on", "opened_by", "owner", "status", "resolution", "root_cause",
                 "resolved_on", "credited_amount", "revision"],
}
FILES = [("customers.csv", "customers", "customers", None),
         ("invoices.csv", "invoices", "invoices", "issue_date"),
         ("payments.csv", "payments", "payments", "date"),
         ("credits.csv", "credits", "credits", "date"),
         ("promises.csv", "promises", "promises", "recorded_on"),
         ("disputes.csv", "disputes", "disputes", "opened_on"),
         ("dispute_updates.csv", "dispute_updates", "disputes", "resolved_on")]


def render(led):
    out = {}
    for name, attr, kind, date_column in FILES:
        rows = getattr(led, attr)
        if date_column:  # in the order the facts arrive; stable for equal days
            rows = sorted(rows, key=lambda r: r[date_column])
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=COLUMNS[kind], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        out[name] = buf.getvalue()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir", nargs="?", default=os.path.join(os.path.dirname(__file__), "..",
                                                               "examples", "data"))
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--check", action="store_true",
                    help="compare with the files in OUTDIR instead of writing them")
    args = ap.parse_args()
    files = render(generate(args.seed))
    if args.check:
        stale = [n for n, text in files.items()
                 if not os.path.exists(os.path.join(args.outdir, n))
                 or open(os.path.join(args.outdir, n), encoding="utf-8").read() != text]
        if stale:
            print("out of date: " + ", ".join(stale), file=sys.stderr)
            return 1
        return 0
    os.makedirs(args.outdir, exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(args.outdir, name), "w", encoding="utf-8", newline="") as f:
            f.write(text)
    print(f"wrote {len(files)} files to {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
