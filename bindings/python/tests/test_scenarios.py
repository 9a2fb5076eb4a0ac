"""The scenarios of tests/scenarios (the C scenario test's stories) run
through the Python package: the same facts each day, the same decisions
expected (every one listed, nothing else unless `others: allowed`), the same
coverage and cadence states, the day persisted by the daily cycle without
dispatch before the next; in scenarios with `lifecycle: true`, the day's
promise, dispute and reconciliation moves (the cycle's lifecycle counts, the
promises' states, the open reconciliation items) as well."""
import glob
import os
from datetime import date, datetime, timedelta, timezone

import pytest

yaml = pytest.importorskip("yaml")

import archase  # noqa: E402
from archase import Money  # noqa: E402

ROOT = os.environ.get("ARCHASE_SOURCE_ROOT",
                      os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..")))
SCENARIOS = sorted(glob.glob(os.path.join(ROOT, "tests", "scenarios", "*.yaml")))


def _text(v):
    return None if v is None else str(v)


def _date(v, default=None):
    if v is None:
        return default
    return v if isinstance(v, date) else date.fromisoformat(str(v))


def _money(v):
    return None if v is None else Money.parse(str(v))


def _names(v):
    if v is None:
        return []
    return [str(x) for x in v] if isinstance(v, list) else [str(v)]


class Runner:
    def __init__(self, spec, path):
        self.spec = spec
        if "policy" in spec:
            self.policy = archase.Policy.from_text(spec["policy"], "policy")
        else:
            self.policy = archase.Policy.load(os.path.join(os.path.dirname(path), spec["policy_file"]))
        self.eng = archase.open(policy=self.policy)
        self.today = None

    def add(self, facts):
        for kind, items in (facts or {}).items():
            for n in items or []:
                getattr(self, "add_" + kind)(n)

    def add_customers(self, n):
        self.eng.put(archase.Customer(
            id=str(n["id"]), name=_text(n.get("name")) or str(n["id"]), tier=_text(n.get("tier")),
            owner=_text(n.get("owner")), collector=_text(n.get("collector")),
            timezone=_text(n.get("timezone")), locale=_text(n.get("locale")),
            country=_text(n.get("country")), revision=int(n.get("revision", 0)),
            credit_limit=_money(n.get("credit_limit"))))

    def add_contacts(self, n):
        self.eng.put(archase.Contact(
            id=str(n["id"]), customer_id=str(n["customer"]),
            channel=archase.Channel[str(n.get("channel", "email")).upper()],
            address=_text(n.get("address")) or "someone@example.com",
            consent=bool(n.get("consent", True)), primary=bool(n.get("primary", False))))

    def add_flags(self, n):
        self.eng.put(archase.CustomerFlags(
            customer_id=str(n["customer"]), hold=bool(n.get("hold", False)),
            expansion=bool(n.get("expansion", False)), strategic=bool(n.get("strategic", False)),
            service_issue=bool(n.get("service_issue", False)), reason=_text(n.get("reason")),
            revision=int(n.get("revision", 0)), paused_until=_date(n.get("paused_until"))))

    def add_invoices(self, n):
        due = _date(n["due"])
        self.eng.put(archase.Invoice(
            id=str(n["id"]), customer_id=str(n["customer"]), number=_text(n.get("number")) or str(n["id"]),
            po_ref=_text(n.get("po")), source_link=_text(n.get("link")), due_date=due,
            issue_date=_date(n.get("issued"), due - timedelta(days=30)), amount=_money(n["amount"])))

    def add_payments(self, n):
        inv = _text(n.get("invoice"))
        customer = _text(n.get("customer")) or (self.eng.get(archase.Invoice, inv).customer_id if inv else None)
        kind = archase.PaymentKind[str(n["kind"]).upper()] if n.get("kind") else archase.PaymentKind.PAYMENT
        self.eng.put(archase.Payment(
            id=str(n["id"]), customer_id=customer, invoice_id=inv, kind=kind,
            date=_date(n.get("date"), self.today), amount=_money(n["amount"]),
            reference=_text(n.get("reference")), overpayment=bool(n.get("overpayment", False))))

    def add_promises(self, n):
        self.eng.put(archase.Promise(
            id=str(n["id"]), customer_id=str(n["customer"]), invoice_ids=_names(n.get("invoices")),
            taken_by=_text(n.get("taken_by")), grace_days=int(n.get("grace_days", -1)),
            instalments=[archase.Instalment(_date(i["date"]), _money(i["amount"]))
                         for i in n.get("instalments") or []],
            amount=_money(n["amount"]), promised_date=_date(n["date"]),
            recorded_on=_date(n.get("recorded"), self.today)))

    def add_disputes(self, n):
        resolved = n.get("status") == "resolved"
        self.eng.put(archase.Dispute(
            id=str(n["id"]), customer_id=str(n["customer"]), invoice_ids=_names(n.get("invoices")),
            reason_code=_text(n.get("reason")) or "other", owner=_text(n.get("owner")),
            root_cause=_text(n.get("root_cause")), revision=int(n.get("revision", 0)),
            status=archase.DisputeStatus.RESOLVED if resolved else archase.DisputeStatus.OPEN,
            resolution=archase.Resolution.REJECTED if resolved else archase.Resolution.NONE,
            amount=_money(n["amount"]), opened_on=_date(n.get("opened"), self.today),
            resolved_on=_date(n.get("resolved"))))

    def add_dispute_resolutions(self, n):
        credited = _money(n.get("credit"))
        approval, pending = self.eng.resolve_dispute(
            str(n["id"]), archase.Resolution[str(n["resolution"]).upper()],
            _text(n.get("root_cause")), _text(n.get("by")) or "owner", self.today, credited=credited)
        assert pending == bool(n.get("pending", False)), f"dispute {n['id']}: pending is {pending}"

    def add_notes(self, n):
        self.eng.put(archase.Note(
            id=str(n["id"]), customer_id=str(n["customer"]), invoice_id=_text(n.get("invoice")),
            author=_text(n.get("author")), text=str(n["text"]),
            at=(self.today - date(1970, 1, 1)).days * 86400 + 12 * 3600))


def fact_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def matches(d, e):
    def same(key, have):
        return key not in e or (have is not None and str(e[key]) == have)

    if not (same("kind", d.kind.name.lower()) and same("customer", d.customer_id)
            and same("template", d.template) and same("step", d.step) and same("rule", d.rule)
            and same("owner", d.owner) and same("contact", d.contact_id)):
        return False
    if "tone" in e and (not d.tone or archase.Tone(d.tone).name.lower() != str(e["tone"])):
        return False
    if "channel" in e and archase.Channel[str(e["channel"]).upper()] != d.channel:
        return False
    if "invoices" in e and sorted(_names(e["invoices"])) != sorted(i.invoice_id for i in d.invoices):
        return False
    reasons = {r.name.lower() for r in d.reasons}
    if not set(_names(e.get("reasons"))) <= reasons or set(_names(e.get("not_reasons"))) & reasons:
        return False
    if not set(_names(e.get("roles"))) <= set(d.roles):
        return False
    if "at" in e:
        want = e["at"]  # YAML reads a timestamp as a datetime
        have = datetime.fromtimestamp(d.scheduled_at, timezone.utc)
        if (want != have) if isinstance(want, datetime) else (str(want) != have.strftime("%Y-%m-%dT%H:%M:%SZ")):
            return False
    if "local" in e:
        local = f"{d.local_date} {d.local_seconds // 3600:02d}:{d.local_seconds // 60 % 60:02d}"
        if str(e["local"]) != local:
            return False
    if "due_by" in e and str(_date(e["due_by"])) != str(d.due_by):
        return False
    if "amount" in e and str(d.amount) != str(e["amount"]):
        return False
    if "approvers" in e and int(e["approvers"]) != d.approvers:
        return False
    if "recovery_plan" in e and bool(e["recovery_plan"]) != d.recovery_plan:
        return False
    for name, want in (e.get("facts") or {}).items():
        want = str(want) if not isinstance(want, date) else str(want)
        if not any(f[0] == name and fact_text(f[2]) == want for f in d.facts):
            return False
    return True


def check_day(ev, day):
    problems = []
    decisions = ev.decisions
    if "expect" in day:
        taken = [False] * len(decisions)
        for e in day["expect"] or []:
            for i, d in enumerate(decisions):
                if not taken[i] and matches(d, e):
                    taken[i] = True
                    break
            else:
                problems.append(f"expected {e} not decided")
        if day.get("others") != "allowed":
            problems += [f"decided but not expected: {d.kind.name} {[i.invoice_id for i in d.invoices]}"
                         for i, d in enumerate(decisions) if not taken[i]]
    for inv, want in (day.get("coverage") or {}).items():
        a = next((a for a in ev.assessments if a.invoice_id == inv), None)
        have = f"{a.coverage.name.lower()}/{a.reason.name.lower()}" if a else "none"
        if have != want and have.split("/")[0] != want:
            problems.append(f"coverage of {inv} is {have}, expected {want}")
    if ev.coverage.unaccounted:
        problems.append("an overdue invoice is unaccounted for")
    for inv, want in (day.get("cadence") or {}).items():
        c = next((c for c in ev.cadence if c.invoice_id == inv), None)
        have = c.status.name.lower() if c else "none"
        if have != want:
            problems.append(f"cadence of {inv} is {have}, expected {want}")
    for w in day.get("worklist") or []:
        if not any(str(w.get("owner", l.owner)) == l.owner and str(w.get("customer", l.customer_id)) == l.customer_id
                   and str(w.get("next_action", l.next_action)) == l.next_action for l in ev.worklist()):
            problems.append(f"worklist line {w} missing")
    return problems


def check_lifecycle(eng, day, report):
    problems = []
    names = {"kept": "promises_kept", "partially_kept": "promises_partially_kept",
             "broken": "promises_broken", "sla_reminders": "disputes_sla_reminders",
             "sla_breached": "disputes_sla_breached", "recon_opened": "recon_opened"}
    for k, want in (day.get("lifecycle") or {}).items():
        if report[names[k]] != int(want):
            problems.append(f"lifecycle {k}: {report[names[k]]}, expected {want}")
    for pid, want in (day.get("promises") or {}).items():
        have = eng.promise(pid)["state"].name.lower()
        if have != want:
            problems.append(f"promise {pid} is {have}, expected {want}")
    if "recon" in day:
        have = [i["id"] for i in eng.reconciliation(status=1)]
        if have != [str(x) for x in day["recon"] or []]:
            problems.append(f"open reconciliation items {have}, expected {day['recon']}")
    return problems


def test_every_scenario_runs_here():
    assert len(SCENARIOS) >= 20


@pytest.mark.parametrize("path", SCENARIOS, ids=[os.path.basename(p)[:-5] for p in SCENARIOS])
def test_scenario_gives_the_same_decisions_as_the_c_test(path):
    with open(path) as f:
        spec = yaml.safe_load(f)
    r = Runner(spec, path)
    days = spec.get("days") or []
    r.today = _date(days[0]["date"]) if days else None
    r.add(spec.get("ledger"))
    for day in days:
        r.today = _date(day["date"])
        r.add(day.get("facts"))
        ev = r.eng.evaluate(r.today)
        problems = check_day(ev, day)
        report = r.eng.run_cycle(r.today, dispatch=False)
        if spec.get("lifecycle"):
            problems += check_lifecycle(r.eng, day, report)
        assert not problems, f"{os.path.basename(path)} {r.today}:\n  " + "\n  ".join(problems)
