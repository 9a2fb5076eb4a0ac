"""archase promise / dispute / recon / credit, as collectors and finance use
them: a promise recorded under the policy's rules and refused with a clear
message when it breaks them, kept or broken as the days pass, a dispute
opened, reviewed and resolved with a credit that waits for its approval,
the reconciliation queue and the credit-limit recommendation."""
import pytest

POLICY = """\
version: 1
currency: {default: EUR}
segments: [{name: all, sequence: s}]
sequences: {s: {steps: [{offset: 1, action: queue_call}]}}
approvals:
  roles: [finance_lead]
  approvers_below: 1
  approvers_above: 1
promises: {grace_days: 2}
disputes:
  playbooks:
    pricing: {owner_role: sales_ops, sla_days: 10, approval_limit: [100 EUR]}
reconciliation: {owner_role: cash_apps, sla_days: 3}
"""
CUSTOMERS = "customer_id,name,credit_limit,currency\nC1,ACME,10000.00,EUR\n"
INVOICES = (
    "invoice_id,customer_id,number,issue_date,due_date,amount,currency\n"
    "I1,C1,2026-0001,2026-02-01,2026-03-01,1000.00,EUR\n"
    "I2,C1,2026-0002,2026-02-01,2026-03-01,500.00,EUR\n"
)


@pytest.fixture
def ledger(archase, tmp_path):
    db = tmp_path / "ledger.db"
    assert archase("init", db).code == 0
    for kind, text in (("customers", CUSTOMERS), ("invoices", INVOICES)):
        f = tmp_path / f"{kind}.csv"
        f.write_text(text)
        r = archase("import", db, "--kind", kind, f)
        assert r.code == 0, r.err
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    return db, policy


def pay(archase, tmp_path, db, rows):
    f = tmp_path / "payments.csv"
    f.write_text("payment_id,customer_id,invoice_id,date,amount,currency,reference,overpayment\n" + rows)
    r = archase("import", db, "--kind", "payments", f)
    assert r.code == 0, r.err


def add(archase, db, policy, *extra, pid="P1", amount="1000.00 EUR", date="2026-03-10", invoice="I1"):
    return archase("promise", "add", db, "--policy", policy, "--id", pid, "--customer", "C1",
                   "--invoice", invoice, "--amount", amount, "--date", date, "--taken-by", "anna",
                   "--as-of", "2026-03-05", *extra)


def test_a_promise_is_recorded_kept_and_listed(archase, ledger, tmp_path):
    db, policy = ledger
    r = add(archase, db, policy)
    assert r.code == 0, r.err
    listed = archase("promise", "list", db, "--json").json()
    assert [(p["id"], p["state"], p["invoice_ids"]) for p in listed] == [("P1", "open", ["I1"])]
    pay(archase, tmp_path, db, "PAY1,C1,I1,2026-03-09,1000.00,EUR,,\n")
    r = archase("recon", db, "--policy", policy, "--update", "--as-of", "2026-03-09")
    assert r.code == 0, r.err
    assert "1 promise(s) kept" in r.err
    p = archase("promise", "list", db, "--json").json()[0]
    assert (p["state"], p["state_date"], p["paid"]) == ("kept", "2026-03-09", "1000.00 EUR")


def test_a_promise_is_broken_after_its_grace_days(archase, ledger):
    db, policy = ledger
    assert add(archase, db, policy).code == 0
    archase("recon", db, "--policy", policy, "--update", "--as-of", "2026-03-12")
    assert archase("promise", "list", db, "--state", "open", "--json").json()[0]["id"] == "P1"
    archase("recon", db, "--policy", policy, "--update", "--as-of", "2026-03-13")
    assert archase("promise", "list", db, "--state", "broken", "--json").json()[0]["id"] == "P1"


def test_invalid_promises_are_refused_and_nothing_is_written(archase, ledger):
    db, policy = ledger
    r = add(archase, db, policy, amount="1000.01 EUR")
    assert r.code == 1
    assert "more than the 1000.00 EUR open" in r.err
    r = add(archase, db, policy, date="2026-03-01")
    assert r.code == 1 and "before 2026-03-05" in r.err
    r = add(archase, db, policy, invoice="I9")
    assert r.code == 1 and "I9" in r.err
    r = archase("promise", "add", db, "--policy", policy, "--id", "P1", "--customer", "C1",
                "--invoice", "I1", "--amount", "10.00 EUR", "--date", "2026-03-10", "--as-of", "2026-03-05")
    assert r.code == 1 and "taken_by" in r.err
    assert archase("promise", "list", db, "--json").json() == []
    assert archase("promise", "add", db, "--policy", policy, "--amount", "ten").code == 2


def test_an_instalment_plan_and_a_cancellation(archase, ledger):
    db, policy = ledger
    r = add(archase, db, policy, "--instalment", "2026-03-20=400.00 EUR", "--instalment", "2026-04-20=600.00 EUR",
            date="2026-04-20")
    assert r.code == 0, r.err
    plan = archase("promise", "list", db, "--json").json()[0]["instalments"]
    assert plan == [{"date": "2026-03-20", "amount": "400.00 EUR"}, {"date": "2026-04-20", "amount": "600.00 EUR"}]
    assert archase("promise", "cancel", db, "P1", "--as-of", "2026-03-06").code == 2
    r = archase("promise", "cancel", db, "P1", "--reason", "replaced by a call", "--as-of", "2026-03-06")
    assert r.code == 0, r.err
    assert archase("promise", "list", db, "--json").json()[0]["state"] == "cancelled"
    r = archase("promise", "cancel", db, "P1", "--reason", "again", "--as-of", "2026-03-06")
    assert r.code == 1 and "only an open promise" in r.err


def test_a_dispute_credit_above_the_limit_waits_for_approval(archase, ledger):
    db, policy = ledger
    r = archase("dispute", "open", db, "--policy", policy, "--id", "D1", "--customer", "C1", "--invoice", "I1",
                "--amount", "300.00 EUR", "--reason", "pricing", "--opened-by", "anna", "--as-of", "2026-03-05")
    assert r.code == 0, r.err
    r = archase("dispute", "open", db, "--policy", policy, "--id", "D2", "--customer", "C1", "--invoice", "I1",
                "--amount", "1.00 EUR", "--reason", "weather", "--opened-by", "anna", "--as-of", "2026-03-05")
    assert r.code == 1 and "unknown reason code 'weather'" in r.err
    r = archase("dispute", "update", db, "D1", "--policy", policy, "--by", "anna", "--review", "--as-of", "2026-03-06")
    assert r.code == 0, r.err
    d = archase("dispute", "list", db, "--policy", policy, "--as-of", "2026-03-06", "--json").json()
    assert [(x["id"], x["status"], x["owner"], x["sla_due"]) for x in d] == [("D1", "in_review", "sales_ops", "2026-03-15")]
    r = archase("dispute", "resolve", db, "D1", "--policy", policy, "--by", "lena", "--resolution", "credit_issued",
                "--credit", "300.00 EUR", "--root-cause", "price_list_outdated", "--as-of", "2026-03-09")
    assert r.code == 0, r.err
    approval = r.out.split()[-1]
    assert approval.startswith("APR-")
    r = archase("approve", db, approval, "--as", "fiona", "--role", "finance_lead", "--reason", "confirmed")
    assert r.code == 0, r.err
    r = archase("dispute", "resolve", db, "D1", "--policy", policy, "--by", "lena", "--resolution", "credit_issued",
                "--credit", "300.00 EUR", "--root-cause", "price_list_outdated", "--as-of", "2026-03-10")
    assert r.code == 0 and "resolved" in r.out, r.err
    d = archase("dispute", "list", db, "--policy", policy, "--as-of", "2026-03-10", "--json").json()[0]
    assert (d["status"], d["resolution"], d["credited"], d["root_cause"]) == \
        ("resolved", "credit_issued", "300.00 EUR", "price_list_outdated")
    rows = archase("dispute", "report", db, "--policy", policy, "--as-of", "2026-03-31", "--json").json()
    assert {"group": "root_cause", "key": "price_list_outdated", "month": "2026-03", "count": 1, "days": 5,
            "max_days": 5} in rows


def test_the_reconciliation_queue_and_a_resolution(archase, ledger, tmp_path):
    db, policy = ledger
    pay(archase, tmp_path, db, "PAY1,C1,I1,2026-03-05,1200.00,EUR,BANK-1,true\nPAY2,C1,,2026-03-05,50.00,EUR,,\n")
    items = archase("recon", db, "--policy", policy, "--json").json()
    assert [(i["id"], i["reason"], i["amount"], i["owner"]) for i in items] == [
        ("payment:PAY1", "overpayment", "200.00 EUR", "cash_apps"),
        ("payment:PAY2", "unapplied_cash", "50.00 EUR", "cash_apps"),
    ]
    r = archase("recon", "resolve", db, "payment:PAY1", "--policy", policy, "--resolution", "apply",
                "--by", "carl", "--as-of", "2026-03-06")
    assert r.code == 1 and "needs the invoice" in r.err
    r = archase("recon", "resolve", db, "payment:PAY1", "--policy", policy, "--resolution", "apply",
                "--invoice", "I2", "--by", "carl", "--as-of", "2026-03-06")
    assert r.code == 0, r.err
    assert [i["id"] for i in archase("recon", db, "--json").json()] == ["payment:PAY2"]
    resolved = archase("recon", db, "--status", "resolved", "--json").json()
    assert (resolved[0]["resolution"], resolved[0]["resolved_by"]) == ("apply", "carl")


def test_credit_recommendation_with_drivers(archase, ledger):
    db, policy = ledger
    r = archase("credit", db, "C1", "--policy", policy, "--as-of", "2026-03-05", "--json")
    assert r.code == 0, r.err
    rec = r.json()
    assert rec["action"] == "keep"
    assert rec["current_limit"] == "10000.00 EUR"
    assert rec["utilisation_percent"] == 15
    assert {d["name"] for d in rec["drivers"]} >= {"utilisation_percent", "broken_promises_90d", "open_disputes"}
    assert archase("credit", db, "NOBODY", "--as-of", "2026-03-05").code == 1


HOLD_POLICY = POLICY + """\
credit:
  notice_days: 7
  notice_template: hold_notice
templates:
  definitions:
    hold_notice:
      email: {en: {subject: "Credit hold for {{ customer.name }}",
                   body: "{{ totals.open_amount | money }} is open: new orders will be held."}}
"""


def test_a_requested_hold_queues_its_notice_and_paying_down_withdraws_it(archase, tmp_path):
    db = tmp_path / "ledger.db"
    assert archase("init", db).code == 0
    files = {
        "customers": "customer_id,name,credit_limit,currency,email\nC1,ACME,1000.00,EUR,ap@acme.example\n",
        "invoices": INVOICES,
    }
    for kind, text in files.items():
        f = tmp_path / f"{kind}.csv"
        f.write_text(text)
        r = archase("import", db, "--kind", kind, f)
        assert r.code == 0, r.err
    policy = tmp_path / "policy.yaml"
    policy.write_text(HOLD_POLICY)
    r = archase("credit", db, "C1", "--policy", policy, "--as-of", "2026-03-10", "--request", "--as", "carl",
                "--justification", "150% of the limit is used, hold new orders", "--json")
    assert r.code == 0, r.err
    rec = r.json()
    assert (rec["action"], rec["effective_on"]) == ("hold", "2026-03-17")
    assert rec["notice_item"] == f"credit_notice/{rec['approval_id']}#1"
    items = {i["idempotency_key"]: i for i in archase("outbox", db, "--json").json()}
    notice = items[rec["notice_item"]]
    assert (notice["channel"], notice["template"], notice["status"]) == ("email", "hold_notice", "pending")
    # 600.00 EUR paid: 900.00 EUR open, 90% of the limit, no longer a hold
    pay(archase, tmp_path, db, "PAY1,C1,I1,2026-03-11,600.00,EUR,,\n")
    r = archase("recon", db, "--policy", policy, "--update", "--as-of", "2026-03-12")
    assert r.code == 0, r.err
    assert "1 transition(s) in all" in r.err
    items = {i["idempotency_key"]: i for i in archase("outbox", db, "--json").json()}
    assert items[rec["notice_item"]]["status"] == "cancelled"
    voided = archase("approvals", db, "--status", "voided", "--json").json()
    assert [a["id"] for a in voided] == [rec["approval_id"]]


def test_a_run_counts_the_sla_reminder_in_its_outbox_totals(archase, ledger):
    db, policy = ledger
    r = archase("dispute", "open", db, "--policy", policy, "--id", "D1", "--customer", "C1", "--invoice", "I1",
                "--amount", "300.00 EUR", "--reason", "pricing", "--opened-by", "anna", "--as-of", "2026-03-05")
    assert r.code == 0, r.err
    # SLA due 03-15, the owner reminded two days before
    r = archase("run", db, "--policy", policy, "--as-of", "2026-03-13", "--json")
    assert r.code == 0, r.err
    day = r.json()
    items = archase("outbox", db, "--json").json()
    reminders = [i for i in items if i["idempotency_key"] == "dispute/D1/sla_reminder#1"]
    assert day["disputes_sla_reminders"] == 1 and len(reminders) == 1
    assert day["outbox_written"] == len(items)
    assert day["internal_routes"] == len([i for i in items if i["channel"] == "internal"])
