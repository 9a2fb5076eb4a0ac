"""Engines through the package's API: opening, facts, batches, import and
export, policies, evaluation, worklists, KPIs (the same keys and figures as
`archase kpi --json`), forecast, replay, audit, approvals, and errors raised
from the failing call with the engine's message."""
import json
import os
import subprocess
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

import archase
from archase import Money

EUR = lambda s: Money(Decimal(s), "EUR")  # noqa: E731

POLICY = """\
version: 1
currency: {default: EUR}
segments: [{name: all, sequence: s}]
sequences:
  s:
    steps:
      - {offset: 1, action: alert_owner}
approvals:
  materiality: [1000 EUR]
  roles: [finance_lead, controller]
  expiry_days: 5
"""
NOW = int(datetime(2026, 3, 10, 12, tzinfo=timezone.utc).timestamp())


@pytest.fixture
def policy_file(tmp_path):
    p = tmp_path / "policy.yaml"
    p.write_text(POLICY)
    return p


@pytest.fixture
def eng(policy_file):
    with archase.open(policy=policy_file, actor="tester", now=NOW) as e:
        e.put(archase.Customer(id="C1", name="ACME", collector="anna", owner="olaf",
                               timezone="Europe/Berlin", tags=["key", "de"]))
        e.put(archase.Contact(id="C1:email", customer_id="C1", channel=archase.Channel.EMAIL,
                              address="ap@acme.example", consent=True, primary=True))
        e.put(archase.Invoice(id="I1", customer_id="C1", issue_date=date(2026, 1, 1),
                              due_date=date(2026, 1, 31), amount=EUR("1500.00"), number="2026-0001"))
        e.put(archase.Invoice(id="I2", customer_id="C1", issue_date=date(2026, 2, 1),
                              due_date=date(2026, 3, 3), amount=EUR("300.00")))
        yield e


# ---- opening ----------------------------------------------------------------


def test_open_in_memory_names_the_actor_and_closes_once():
    e = archase.open(actor="anna")
    assert e.actor == "anna" and e.schema_version >= 1 and e.errmsg == ""
    e.close()
    e.close()
    assert e.closed
    with pytest.raises(archase.InvalidArgument, match="closed"):
        e.facts(archase.Customer)


def test_open_sqlite_keeps_facts_across_engines(tmp_path):
    db = tmp_path / "ledger.db"
    with archase.open(db) as e:
        assert e.put(archase.Customer(id="C1", name="ACME")) == archase.Outcome.INSERTED
    with archase.open(str(db), read_only=True) as e:
        assert [c.id for c in e.facts(archase.Customer)] == ["C1"]
        with pytest.raises(archase.StorageError) as ei:
            e.put(archase.Customer(id="C2", name="Globex"))
        assert ei.value.function == "archase_bind_put" and ei.value.message


def test_open_a_missing_read_only_file_raises_with_the_openers_message(tmp_path):
    with pytest.raises(archase.NotFound) as ei:
        archase.open(tmp_path / "nope.db", read_only=True)
    assert "nope.db" in str(ei.value) or ei.value.message


def test_a_naive_datetime_is_no_instant():
    with pytest.raises(TypeError):
        archase.open(now=datetime(2026, 3, 1))


# ---- facts -------------------------------------------------------------------


def test_every_fact_family_round_trips(eng):
    eng.put(archase.CustomerFlags(customer_id="C1", hold=True, paused_until=date(2026, 4, 1),
                                  reason="billing question", set_by="olaf", revision=1))
    eng.put(archase.Payment(id="P1", customer_id="C1", invoice_id="I2", date=date(2026, 3, 5),
                            amount=EUR("100.00"), reference="bank-7"))
    eng.put(archase.Promise(id="PR1", customer_id="C1", invoice_ids=["I1"], amount=EUR("1500.00"),
                            promised_date=date(2026, 3, 20), channel=archase.Channel.CALL,
                            instalments=[archase.Instalment(date(2026, 3, 15), EUR("500.00")),
                                         archase.Instalment(date(2026, 3, 20), EUR("1000.00"))],
                            recorded_on=date(2026, 3, 6), taken_by="anna"))
    eng.put(archase.Dispute(id="D1", customer_id="C1", invoice_ids=["I1"], amount=EUR("200.00"),
                            reason_code="pricing", opened_on=date(2026, 3, 7)))
    eng.put(archase.Note(id="N1", customer_id="C1", invoice_id="I1", author="anna",
                         text="called, will pay", at=NOW))

    c = eng.get(archase.Customer, "C1")
    assert (c.name, c.collector, c.tags, c.credit_limit) == ("ACME", "anna", ("key", "de"), None)
    f = eng.get(archase.Family.FLAGS, "C1")
    assert f.hold is True and f.paused_until == date(2026, 4, 1) and f.reason == "billing question"
    i2 = eng.get(archase.Invoice, "I2")
    assert i2.open_amount == EUR("200.00") and i2.status == archase.InvoiceStatus.OPEN
    assert i2.last_payment_date == date(2026, 3, 5)
    p = eng.get(archase.Payment, "P1")
    assert p.kind == archase.PaymentKind.PAYMENT and p.applied == EUR("100.00")
    pr = eng.get(archase.Promise, "PR1")
    assert [i.amount for i in pr.instalments] == [EUR("500.00"), EUR("1000.00")]
    assert pr.channel == archase.Channel.CALL and pr.invoice_ids == ("I1",)
    d = eng.get(archase.Dispute, "D1")
    assert d.status == archase.DisputeStatus.OPEN and d.amount == EUR("200.00")
    n = eng.get(archase.Note, "N1")
    assert n.text == "called, will pay" and n.at == NOW
    assert [x.id for x in eng.facts(archase.Contact, customer_id="C1")] == ["C1:email"]


def test_text_with_quotes_controls_and_unicode_reads_back_exactly(eng):
    text = 'she said "pay by Friday"\n\tback\\slash \x01 ünïcödé €'
    eng.put(archase.Note(id="N9", customer_id="C1", text=text))
    assert eng.get(archase.Note, "N9").text == text


def test_outcomes_and_conflicts(eng):
    inv = archase.Invoice(id="I9", customer_id="C1", issue_date=date(2026, 1, 1),
                          due_date=date(2026, 1, 31), amount=EUR("10.00"), revision=2)
    assert eng.put(inv) == archase.Outcome.INSERTED
    assert eng.put(inv) == archase.Outcome.DUPLICATE
    inv.amount, inv.revision = EUR("11.00"), 3
    assert eng.put(inv) == archase.Outcome.UPDATED
    inv.revision = 1
    assert eng.put(inv) == archase.Outcome.STALE
    inv.revision, inv.amount = 3, EUR("12.00")
    with pytest.raises(archase.ConflictError) as ei:
        eng.put(inv)
    assert ei.value.code == archase.capi.ARCHASE_ECONFLICT and "I9" in ei.value.message


def test_bad_facts_raise_with_the_engines_message(eng):
    with pytest.raises(archase.Error) as ei:
        eng.put(archase.Invoice(id="I3", customer_id="NOPE", issue_date=date(2026, 1, 1),
                                due_date=date(2026, 1, 31), amount=EUR("1.00")))
    assert "NOPE" in ei.value.message and ei.value.function == "archase_bind_put"
    with pytest.raises(TypeError, match="float"):
        eng.put(archase.Invoice(id="I3", customer_id="C1", issue_date=date(2026, 1, 1),
                                due_date=date(2026, 1, 31), amount=12.5))
    with pytest.raises(TypeError):
        eng.put(archase.Invoice(id="I3", customer_id="C1", issue_date=datetime(2026, 1, 1),
                                due_date=date(2026, 1, 31), amount=EUR("1.00")))
    with pytest.raises(TypeError):
        eng.put("not a fact")
    with pytest.raises(archase.NotFound):
        eng.get(archase.Invoice, "nope")


def test_filters_select_facts(eng):
    assert [i.id for i in eng.facts(archase.Invoice, customer_id="C1")] == ["I1", "I2"]
    assert [i.id for i in eng.facts(archase.Invoice, date_from=date(2026, 3, 1))] == ["I2"]
    assert eng.facts(archase.Invoice, customer_id="C9") == []


def test_a_batch_is_all_or_nothing(eng):
    with eng.batch(source="test") as b:
        b.add(archase.Customer(id="C2", name="Globex"))
        b.add(archase.Invoice(id="I5", customer_id="C2", issue_date=date(2026, 1, 1),
                              due_date=date(2026, 1, 31), amount=EUR("5.00")), line=2)
    assert b.summary == archase.BatchSummary(2, 0, 0, 0, 0)
    with pytest.raises(archase.Error):
        with eng.batch() as b:
            b.add(archase.Customer(id="C3", name="Initech"))
            b.add(archase.Invoice(id="I6", customer_id="NOPE", issue_date=date(2026, 1, 1),
                                  due_date=date(2026, 1, 31), amount=EUR("5.00")), line=3)
    assert [c.id for c in eng.facts(archase.Customer)] == ["C1", "C2"]


# ---- import and export --------------------------------------------------------


def test_import_csv_from_a_path_and_from_bytes_and_export_round_trips(tmp_path):
    customers = tmp_path / "customers.csv"
    customers.write_text("customer_id,name,email\nC1,\"ACME, Inc.\",ap@acme.example\n")
    invoices = ("invoice_id,customer_id,number,issue_date,due_date,amount,currency\n"
                "I1,C1,2026-0001,2026-01-01,2026-01-31,1200.00,EUR\n").encode()
    with archase.open() as e:
        assert e.import_csv(customers, archase.Kind.CUSTOMERS).inserted >= 1
        assert e.import_csv(invoices, archase.Kind.INVOICES) == archase.BatchSummary(1, 0, 0, 0, 0)
        assert e.import_csv(invoices, archase.Kind.INVOICES).duplicates == 1
        text = e.export(archase.Kind.INVOICES)
        assert text.splitlines()[1].startswith("I1,C1,2026-0001,2026-01-01,2026-01-31,1200.00,EUR")
        jsonl = e.export(archase.Kind.INVOICES, archase.Format.JSONL)
        assert json.loads(jsonl.splitlines()[0])["invoice_id"] == "I1"
    with archase.open() as other:
        other.import_csv(customers, archase.Kind.CUSTOMERS)
        assert other.import_jsonl(jsonl.encode(), archase.Kind.INVOICES).inserted == 1
        assert other.get(archase.Invoice, "I1").amount == EUR("1200.00")


def test_a_bad_file_raises_with_every_rows_diagnostics():
    bad = ("invoice_id,customer_id,number,issue_date,due_date,amount,currency\n"
           "I1,C9,1,2026-01-01,2026-01-31,1.00,EUR\n"
           "I2,C9,2,2026-01-01,2026-01-31,2.00,EUR\n").encode()
    with archase.open() as e:
        with pytest.raises(archase.Error) as ei:
            e.import_csv(bad, archase.Kind.INVOICES, name="invoices.csv")
        diags = ei.value.diagnostics
        assert [d.line for d in diags] == [2, 3] and all(d.source == "invoices.csv" for d in diags)
        assert "C9" in diags[0].message
        assert e.facts(archase.Invoice) == []
        with pytest.raises(archase.InvalidArgument, match="kind"):
            e.import_csv(bad)
        with pytest.raises(archase.InputOutputError):
            e.import_csv("/nonexistent/invoices.csv", archase.Kind.INVOICES)


def test_a_mapping_reads_another_systems_export(source_root):
    mapping = os.path.join(source_root, "examples", "mappings", "xero-invoices.yaml")
    sample = os.path.join(source_root, "examples", "mappings", "samples",
                          "xero-invoices-2026-03-02.csv")
    with archase.open() as e:
        s = e.import_csv(sample, mapping=mapping, as_of=date(2026, 3, 2))
        assert s.inserted > 0 and s.rejected == 0
        assert len(e.facts(archase.Invoice)) > 0


# ---- policies -------------------------------------------------------------------


def test_policy_accessors(policy_file):
    p = archase.Policy.load(policy_file)
    assert p.version == 1 and p.default_currency == "EUR" and len(p.hash) == 32
    assert [s["name"] for s in p.segments] == ["all"]
    assert p.sequences[0]["steps"][0]["action"] == archase.Action.ALERT_OWNER
    assert p.materiality == [EUR("1000.00")]
    assert p.approvals == [] or all("roles" in a for a in p.approvals)
    assert p.settings["currency.default"] == "EUR"
    assert archase.Policy.from_text(POLICY).hash == p.hash


def test_policy_errors_carry_file_line_and_column(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: nope}]\n"
                   "sequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n")
    with pytest.raises(archase.PolicyError) as ei:
        archase.Policy.load(bad)
    e = ei.value
    assert e.file == str(bad) and e.line == 3 and e.column > 0 and e.diagnostics
    assert str(e).startswith(f"{bad}:3:")
    with pytest.raises(archase.PolicyError):
        archase.open(policy=bad)


# ---- evaluation and worklists ------------------------------------------------------


def test_evaluate_decides_and_proves_coverage(eng):
    ev = eng.evaluate(date(2026, 3, 10))
    assert len(ev) == len(ev.decisions) > 0
    d = ev.decisions[0]
    assert d.kind == archase.DecisionKind.ALERT_OWNER and d.customer_id == "C1"
    assert isinstance(d.amount, Money) and d.invoices[0].due_date.year == 2026
    assert archase.Reason.STEP_DUE in d.reasons and d.key
    cov = ev.coverage
    assert cov.open_invoices == 2 and cov.overdue_invoices == 2 and cov.unaccounted == 0
    assert sum(cov.by_state.values()) == cov.overdue_invoices
    assert {a.invoice_id for a in ev.assessments} == {"I1", "I2"}
    assert all(isinstance(a.coverage, archase.CoverageState) for a in ev.assessments)
    assert {c.invoice_id for c in ev.cadence} == {"I1", "I2"}
    # Pure and deterministic: the same day twice is the same result.
    again = eng.evaluate(date(2026, 3, 10))
    assert again.hash == ev.hash and len(ev.hash) == 32 and again.encode() == ev.encode()


def test_worklist_lines_have_attributes_and_a_rank(eng):
    lines = eng.worklist(date(2026, 3, 10))
    assert lines and [l.rank for l in lines] == list(range(1, len(lines) + 1))
    assert all(l.owner for l in lines) and isinstance(lines[0].kind, archase.WorkKind)
    assert eng.worklist(date(2026, 3, 10), owner="nobody") == []


def test_evaluate_needs_a_policy():
    with archase.open() as e:
        with pytest.raises(archase.InvalidArgument, match="policy"):
            e.evaluate(date(2026, 3, 10))


# ---- KPIs, forecast, replay ----------------------------------------------------------


def _cli():
    build = os.environ.get("ARCHASE_BUILD_ROOT")
    path = os.path.join(build, "cli", "archase") if build else None
    if not path or not os.path.exists(path):
        pytest.fail("the archase CLI is not built: the KPI keys are checked against it")
    return path


def test_kpi_gives_the_keys_and_figures_of_the_cli(tmp_path, policy_file):
    db = tmp_path / "ledger.db"
    with archase.open(db, now=NOW) as e:
        e.put(archase.Customer(id="C1", name="ACME"))
        e.put(archase.Invoice(id="I1", customer_id="C1", issue_date=date(2026, 1, 1),
                              due_date=date(2026, 1, 31), amount=EUR("1500.00")))
        e.put(archase.Payment(id="P1", customer_id="C1", invoice_id="I1", date=date(2026, 3, 5),
                              amount=EUR("500.00")))
        k = e.kpi(date(2026, 3, 1), date(2026, 3, 31))
        text = e.kpi_json(date(2026, 3, 1), date(2026, 3, 31))
        series = e.kpi(date(2026, 1, 1), date(2026, 3, 31), by="month")
    cli = subprocess.run([_cli(), "kpi", str(db), "--from", "2026-03-01", "--to", "2026-03-31",
                          "--json"], capture_output=True, text=True, check=True)
    want = json.loads(cli.stdout)
    # The same document, keys in the same order (the CLI indents it).
    assert json.loads(text, object_pairs_hook=list) == json.loads(cli.stdout, object_pairs_hook=list)
    assert json.loads(text) == want
    assert set(k) == {"EUR"} and set(k["EUR"]) == set(want[0])
    eur = k["EUR"]
    assert eur["open_ar"] == EUR("1000.00") and eur["aging"]["31_60"] == EUR("1000.00")
    assert eur["open_invoices"] == 1 and isinstance(eur["open_invoices"], int)
    assert eur["from"] == date(2026, 3, 1)
    pct = [v for v in eur.values() if isinstance(v, Decimal)]
    assert pct and not any(isinstance(v, float) for v in eur.values())
    assert [row["from"] for row in series["EUR"]] == [date(2026, 1, 1), date(2026, 2, 1),
                                                      date(2026, 3, 1)]
    with archase.open(db) as e:
        with pytest.raises(archase.InvalidArgument):
            e.kpi(date(2026, 3, 1), date(2026, 3, 31), by="year")
        patterns = e.payment_patterns(date(2026, 1, 1), date(2026, 3, 31))
        assert [p["customer_id"] for p in patterns] == ["C1"]


def test_forecast_and_replay(eng):
    rows = eng.forecast(date(2026, 3, 10), weeks=4)
    assert rows[0]["currency"] == "EUR" and rows[0]["weeks"] == 4
    assert rows[0]["open_ar"] == EUR("1800.00") and len(rows[0]["weeks_detail"]) == 4
    assert sum((w["expected"] for w in rows[0]["weeks_detail"]), EUR("0")) == rows[0]["expected"]
    r = eng.replay(date(2026, 3, 1), date(2026, 3, 10))
    assert r["summary"]["days"] == 10 and len(r["days"]) == 10
    assert r["days"][0]["date"] == date(2026, 3, 1)
    assert r["summary"]["decisions"] == sum(d["decisions"] for d in r["days"])


# ---- audit ---------------------------------------------------------------------------


def test_audit_verifies_proves_and_exports(eng):
    n = eng.audit_size
    assert n >= 4
    rep = eng.audit_verify()
    assert rep["verified"] and rep["size"] == n and bytes.fromhex(rep["root"]) == eng.audit_root()
    p = eng.audit_prove_inclusion(1)
    assert archase.merkle_verify_inclusion(p["leaf_hash"], 1, n, p["proof"], p["root"])
    assert not archase.merkle_verify_inclusion(p["leaf_hash"], 2, n, p["proof"], p["root"])
    c = eng.audit_prove_consistency(2)
    assert c["root"] == eng.audit_root(n)
    lines = eng.audit_export().splitlines()
    assert len(lines) >= n + 1 and json.loads(lines[0])
    with pytest.raises(archase.InvalidArgument):
        eng.audit_verify(trusted_keys=[b"short"])


def test_audit_checkpoint_with_an_ed25519_key(eng):
    cryptography = pytest.importorskip("cryptography")  # noqa: F841
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    text = eng.audit_checkpoint(pem)
    assert text
    cps = eng.audit_checkpoints()
    assert len(cps) == 1 and cps[0]["size"] > 0
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert eng.audit_verify(trusted_keys=[raw])["checkpoints"] == 1


def test_store_less_merkle_functions():
    leaves = [archase.merkle_leaf_hash(bytes([i])) for i in range(7)]
    root = archase.merkle_root(leaves)
    assert root == archase.merkle_root(leaves) != archase.merkle_root(leaves[:6])
    for i in range(7):
        proof = archase.merkle_prove_inclusion(leaves, i)
        assert archase.merkle_verify_inclusion(leaves[i], i, 7, proof, root)
    from archase.audit import merkle_prove_consistency, merkle_verify_consistency, merkle_node_hash
    proof = merkle_prove_consistency(leaves, 3)
    assert merkle_verify_consistency(3, 7, proof, archase.merkle_root(leaves[:3]), root)
    assert not merkle_verify_consistency(3, 7, proof, root, root)
    assert archase.merkle_root(leaves[:2]) == merkle_node_hash(leaves[0], leaves[1])
    assert archase.merkle_root([]) == archase.sha256(b"")
    with pytest.raises(ValueError):
        archase.merkle_root([b"short"])
    with pytest.raises(archase.InvalidArgument):
        archase.merkle_prove_inclusion(leaves, 7)


# ---- approvals ---------------------------------------------------------------------


WHY = "insolvency confirmed by the administrator"
IMPACT = "account closed, no more reminders"


def test_approvals_raise_approve_reject_and_sample(eng):
    req = archase.ApprovalRequest(action=archase.Action.WRITE_OFF, customer_id="C1",
                                  invoice_ids=["I1"], amount=EUR("1500.00"), requester="anna",
                                  requester_role="collector", justification=WHY,
                                  customer_impact=IMPACT)
    rid, created = eng.request_approval(req)
    assert created and eng.request_approval(req) == (rid, False)
    a = eng.approval(rid)
    assert a.status == archase.ApprovalStatus.PENDING and a.approvals_required == 2
    assert a.roles == ("finance_lead", "controller") and a.amount == EUR("1500.00")
    with pytest.raises(archase.PermissionDenied):
        eng.approve(rid, archase.Vote(actor="anna", role="finance_lead", reason="mine"))
    assert eng.approve(rid, archase.Vote(actor="fiona", role="finance_lead", reason="ok")) \
        == archase.ApprovalStatus.PENDING
    assert eng.approve(rid, archase.Vote(actor="carl", role="controller", reason="ok")) \
        == archase.ApprovalStatus.APPROVED
    assert [x.id for x in eng.approvals(archase.ApprovalStatus.APPROVED)] == [rid]
    assert len(eng.approval(rid).votes) == 2
    eng.dispatch_approval(rid, actor="anna")
    assert eng.approval(rid).status == archase.ApprovalStatus.DISPATCHED

    over = archase.ApprovalRequest(action=archase.Action.OVERRIDE, customer_id="C1",
                                   invoice_ids=["I2"], requester="anna", justification=WHY,
                                   customer_impact=IMPACT, reason_code="customer_paid_by_cheque",
                                   detail="skip the reminder for I2")
    oid, _ = eng.request_approval(over)
    assert eng.reject(oid, archase.Vote(actor="fiona", role="finance_lead", reason="no")) \
        == archase.ApprovalStatus.REJECTED
    sample = eng.override_sample(date(2026, 1, 1), date(2026, 12, 31), 5, seed=7)
    assert [x.id for x in sample] == [oid]
    assert eng.expire_approvals() == 0
    with pytest.raises(archase.NotFound):
        eng.approval("nope")
    with pytest.raises(archase.InvalidArgument):
        eng.request_approval(archase.ApprovalRequest(
            action=archase.Action.WRITE_OFF, customer_id="C1", justification="x",
            customer_impact="y"))
