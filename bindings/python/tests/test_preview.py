"""archase.preview / Engine.preview: what a policy would decide on exported
files, without importing them, decided exactly as an import and evaluate
would, with nothing written."""

import os
import random
from datetime import date, timedelta

import pytest

import archase

AS_OF = date(2026, 3, 2)


def ledger(seed, customers=50, invoices=600):
    """Customers and invoices as native CSV text, rows in a shuffled order."""
    rng = random.Random(seed)
    tiers = ["gold", "silver", "bronze", ""]
    zones = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", ""]
    flags = ["", "", "hold", "paused_until=2026-03-10", "expansion"]
    rows = []
    for i in range(customers):
        rows.append(f"C{i:04d},Customer {i},{rng.choice(tiers)},{rng.choice(['ana', 'ben', ''])},"
                    f"{rng.choice(zones)},ap{i}@example.com,{rng.choice(flags)}")
    rng.shuffle(rows)
    cust = "customer_id,name,tier,collector,timezone,email,flags\n" + "\n".join(rows) + "\n"
    rows = []
    for i in range(invoices):
        issue = AS_OF - timedelta(days=rng.randrange(0, 160))
        due = issue + timedelta(days=rng.choice([0, 14, 30, 60]))
        cents = rng.randrange(100, 5_000_000)
        rows.append(f"I{i:05d},C{rng.randrange(customers):04d},{issue},{due},"
                    f"{cents // 100}.{cents % 100:02d},{rng.choice(['EUR', 'EUR', 'USD'])}")
    rng.shuffle(rows)
    inv = "invoice_id,customer_id,issue_date,due_date,amount,currency\n" + "\n".join(rows) + "\n"
    return cust.encode(), inv.encode()


@pytest.fixture
def policy(source_root):
    return archase.Policy.load(os.path.join(source_root, "examples", "policies", "enterprise-formal.yaml"))


def imported(policy, cust, inv):
    with archase.open(policy=policy) as eng:
        eng.import_csv(cust, archase.Kind.CUSTOMERS)
        eng.import_csv(inv, archase.Kind.INVOICES)
        ev = eng.evaluate(AS_OF)
        return ev.hash, len(ev), [(l.rank, l.customer_id, l.invoice_ids) for l in ev.worklist()]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_preview_decides_what_an_import_and_evaluation_decide(policy, tmp_path, seed):
    cust, inv = ledger(seed)
    want_hash, want_count, want_lines = imported(policy, cust, inv)
    assert want_count > 50
    # bytes for one, a file for the other
    path = tmp_path / "invoices.csv"
    path.write_bytes(inv)
    ev = archase.preview(AS_OF, policy, customers=cust, invoices=path)
    assert ev.hash == want_hash
    assert len(ev) == want_count
    assert [(l.rank, l.customer_id, l.invoice_ids) for l in ev.worklist()] == want_lines
    # the same through an engine, and through sources
    with archase.open(policy=policy) as eng:
        ev = eng.preview(AS_OF, sources=[archase.PreviewSource(cust, archase.Kind.CUSTOMERS, name="c.csv"),
                                         archase.PreviewSource(str(path), archase.Kind.INVOICES)])
        assert ev.hash == want_hash


def test_the_engines_own_ledger_is_neither_read_nor_written(policy):
    cust, inv = ledger(7)
    want_hash, _, _ = imported(policy, cust, inv)
    with archase.open(policy=policy) as eng:
        eng.import_csv(b"customer_id,name,tier,flags\nC0001,Someone Else,gold,hold\n", archase.Kind.CUSTOMERS)
        size = eng.audit_size
        ev = eng.preview(AS_OF, customers=cust, invoices=inv)
        assert ev.hash == want_hash
        assert eng.audit_size == size
        assert [c.name for c in eng.facts(archase.Family.CUSTOMER)] == ["Someone Else"]


def test_json_lines_and_mappings_are_sources_too(policy, tmp_path):
    cust, inv = ledger(11, customers=20, invoices=200)
    want_hash, _, _ = imported(policy, cust, inv)
    with archase.open() as eng:
        eng.import_csv(cust, archase.Kind.CUSTOMERS)
        jsonl = eng.export(archase.Kind.CUSTOMERS, archase.Format.JSONL).encode()
    mapping = tmp_path / "m.yaml"
    mapping.write_text("version: 1\noutputs:\n  - kind: invoices\n    columns: { invoice_id: Inv, "
                       "customer_id: Cust, issue_date: Issued, due_date: Due, amount: Total, currency: Cur }\n")
    lines = inv.decode().splitlines()
    export = "Inv,Cust,Issued,Due,Total,Cur\n" + "\n".join(lines[1:]) + "\n"
    ev = archase.preview(AS_OF, policy, sources=[
        archase.PreviewSource(jsonl, archase.Kind.CUSTOMERS, format=archase.Format.JSONL),
        archase.PreviewSource(export.encode(), mapping=mapping, name="erp.csv")])
    assert ev.hash == want_hash


def test_what_needs_a_ledger_is_refused_with_where_it_is(policy):
    cust = b"customer_id,name\nACME,Acme GmbH\n"
    with pytest.raises(archase.InvalidArgument, match="not payments"):
        archase.preview(AS_OF, policy, customers=cust, sources=[archase.PreviewSource(
            b"payment_id,customer_id,date,amount,currency\nP1,ACME,2026-02-01,5.00,EUR\n",
            archase.Kind.PAYMENTS)])
    with pytest.raises(archase.Error) as err:
        archase.preview(AS_OF, policy, customers=cust, invoices=(
            b"invoice_id,customer_id,issue_date,due_date,amount,currency\n"
            b"I1,ACME,2026-01-01,2026-01-31,10.00,EUR\n"
            b"I2,NOPE,2026-01-01,2026-01-31,10.00,EUR\n"))
    diags = err.value.diagnostics
    assert [(d.line, d.column) for d in diags] == [(3, 2)]
    assert "customer 'NOPE' does not exist" in diags[0].message
    with pytest.raises(archase.InvalidArgument, match="say what each preview source holds"):
        archase.preview(AS_OF, policy, sources=[archase.PreviewSource(cust)])
    with pytest.raises(archase.InputOutputError):
        archase.preview(AS_OF, policy, customers="/nonexistent/customers.csv")


def test_an_empty_preview_is_an_empty_ledger(policy):
    ev = archase.preview(AS_OF, policy)
    assert len(ev) == 0
    assert ev.worklist() == []
