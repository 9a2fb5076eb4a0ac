"""archase request / approvals / approve / reject / overrides, as people use
them: a write-off above materiality needs two approvers of the policy's roles,
the requester cannot approve, one person counts once, refusals are in the
audit log, and the override sample is the same for the same seed."""
import datetime
import json

import pytest

POLICY = """\
version: 1
currency: {default: EUR}
segments: [{name: all, sequence: s}]
sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}
approvals:
  materiality: [1000 EUR]
  roles: [finance_lead, controller]
  expiry_days: 5
"""
CUSTOMERS = "customer_id,name\nC1,ACME\n"
INVOICES = (
    "invoice_id,customer_id,number,issue_date,due_date,amount,currency\n"
    "I1,C1,2026-0001,2026-01-01,2026-01-31,1500.00,EUR\n"
)
WHY = "insolvency confirmed by the administrator"
IMPACT = "account closed, no more reminders"


@pytest.fixture
def ledger(archase, tmp_path):
    db = tmp_path / "ledger.db"
    assert archase("init", db).code == 0
    for kind, text in (("customers", CUSTOMERS), ("invoices", INVOICES)):
        f = tmp_path / f"{kind}.csv"
        f.write_text(text)
        assert archase("import", db, "--kind", kind, f).code == 0
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    return db, policy


def request(archase, db, policy, *extra, action="write_off", actor="anna"):
    return archase("request", db, "--policy", policy, "--action", action, "--customer", "C1",
                   "--invoice", "I1", "--amount", "1500.00 EUR", "--as", actor, "--role", "collector",
                   "--justification", WHY, "--impact", IMPACT, *extra)


def test_two_approvers_of_the_policy_roles_approve_a_write_off(archase, ledger):
    db, policy = ledger
    r = request(archase, db, policy, "--json")
    assert r.code == 0, r.err
    data = r.json()
    assert data["created"] is True and data["status"] == "pending"
    assert data["approvals_required"] == 2 and data["roles"] == ["finance_lead", "controller"]
    rid = data["id"]
    # The same request again is the same one.
    again = request(archase, db, policy)
    assert (again.code, again.out.strip()) == (0, rid)

    pending = archase("approvals", db, "--pending", "--json").json()
    assert [p["id"] for p in pending] == [rid]
    assert pending[0]["justification"] == WHY and pending[0]["amount"] == "1500.00"

    a = archase("approve", db, rid, "--as", "bob", "--role", "finance_lead", "--reason", "checked")
    assert a.code == 0, a.err
    assert "status pending" in a.out
    a = archase("approve", db, rid, "--as", "carol", "--role", "controller", "--reason", "agreed")
    assert a.code == 0 and "status approved" in a.out
    shown = archase("approvals", db, "--id", rid, "--json").json()[0]
    assert shown["status"] == "approved" and shown["approvals"] == 2
    assert [v["actor"] for v in shown["votes"]] == ["bob", "carol"]
    assert archase("approvals", db, "--pending", "--json").json() == []
    assert archase("audit", "verify", db).code == 0


def test_refusals_are_explained_and_recorded(archase, ledger):
    db, policy = ledger
    rid = request(archase, db, policy).out.strip()
    own = archase("approve", db, rid, "--as", "anna", "--role", "finance_lead", "--reason", "mine")
    assert own.code == 1 and "separation of duties" in own.err
    role = archase("approve", db, rid, "--as", "dave", "--role", "intern", "--reason", "why not")
    assert role.code == 1 and "may not decide" in role.err
    assert archase("approve", db, rid, "--as", "bob", "--role", "finance_lead", "--reason", "ok").code == 0
    twice = archase("approve", db, rid, "--as", "bob", "--role", "controller", "--reason", "again")
    assert twice.code == 1 and "one person counts once" in twice.err
    unknown = archase("approve", db, "APR-000000000000", "--as", "bob", "--role", "controller", "--reason", "x")
    assert unknown.code == 1
    out = archase("audit", "export", db).out
    refused = [json.loads(line) for line in out.splitlines() if '"kind":"approval_refused"' in line]
    assert len(refused) == 4
    assert {r["actor"] for r in refused} == {"anna", "dave", "bob"}
    # Rejected is final.
    assert archase("reject", db, rid, "--as", "carol", "--role", "controller", "--reason", "no").code == 0
    late = archase("approve", db, rid, "--as", "erin", "--role", "controller", "--reason", "ok")
    assert late.code == 1 and "rejected" in late.err


def test_a_request_needs_reasons_and_known_facts(archase, ledger):
    db, policy = ledger
    short = archase("request", db, "--policy", policy, "--action", "write_off", "--customer", "C1",
                    "--as", "anna", "--justification", "because", "--impact", IMPACT)
    assert short.code == 1 and "justification" in short.err
    override = request(archase, db, policy, action="override")
    assert override.code == 1 and "reason code" in override.err
    assert request(archase, db, policy, action="send_message").code == 1
    assert request(archase, db, policy, action="nonsense").code == 2
    assert archase("request", db, "--policy", policy).code == 2
    assert archase("approvals", db, "--json").json() == []


def test_the_override_sample_is_deterministic(archase, ledger):
    db, policy = ledger
    ids = set()
    for i in range(7):
        r = request(archase, db, policy, "--reason-code", "customer_relationship",
                    "--detail", f"skip the d+30 reminder, case {i}", action="override")
        assert r.code == 0, r.err
        ids.add(r.out.strip())
    month = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m")
    first = archase("overrides", "sample", db, "--month", month, "--n", 3, "--seed", 42, "--json").json()
    again = archase("overrides", "sample", db, "--month", month, "--n", 3, "--seed", 42, "--json").json()
    assert [o["id"] for o in first] == [o["id"] for o in again]
    assert len(first) == 3 and {o["id"] for o in first} <= ids
    assert all(o["action"] == "override" and o["reason_code"] == "customer_relationship" for o in first)
    everything = archase("overrides", "sample", db, "--month", month, "--n", 20, "--json").json()
    assert {o["id"] for o in everything} == ids
    assert archase("overrides", "sample", db, "--month", "1999-01", "--json").json() == []
    assert archase("overrides", "sample", db, "--month", "2026-13").code == 2
    assert archase("overrides", "list", db, "--month", month).code == 2
