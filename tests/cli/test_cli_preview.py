"""archase preview: what a policy would decide on exported files, before
anything is imported; the same report and worklist as importing them and
`run --dry-run` / `worklist`, and nothing written anywhere."""
import os

from test_cli_evaluate import CUSTOMERS, INVOICES, enterprise, policy_path


def write_files(tmp_path):
    paths = {}
    for kind, text in (("customers", CUSTOMERS), ("invoices", INVOICES)):
        f = tmp_path / f"{kind}.csv"
        f.write_text(text)
        paths[kind] = f
    return paths


def imported(archase, tmp_path, paths):
    db = tmp_path / "ledger.db"
    assert archase("init", db).code == 0
    for kind in ("customers", "invoices"):
        r = archase("import", db, "--kind", kind, paths[kind])
        assert r.code == 0, r.err
    return db


def test_a_preview_reports_what_the_import_and_dry_run_report(archase, tmp_path, source_root):
    paths = write_files(tmp_path)
    db = imported(archase, tmp_path, paths)
    for policy in (policy_path(source_root), enterprise(source_root)):
        want = archase("run", db, "--policy", policy, "--as-of", "2026-03-09", "--dry-run", "--json",
                       "--decisions")
        got = archase("preview", "--policy", policy, "--as-of", "2026-03-09", "--customers",
                      paths["customers"], "--invoices", paths["invoices"], "--json", "--decisions")
        assert got.code == 0, got.err
        assert got.json() == want.json()
        assert got.json()["decisions"] > 0
        want = archase("worklist", db, "--policy", policy, "--as-of", "2026-03-09", "--json")
        got = archase("preview", "--policy", policy, "--as-of", "2026-03-09", "--customers",
                      paths["customers"], "--invoices", paths["invoices"], "--worklist", "--json")
        assert got.code == 0, got.err
        assert got.json() == want.json()
    # the text form names the counts too
    r = archase("preview", "--policy", policy_path(source_root), "--as-of", "2026-03-09",
                "--customers", paths["customers"], "--invoices", paths["invoices"])
    assert r.code == 0 and "decisions hash" in r.out and "by kind:" in r.out
    # nothing but the ledger the comparison made
    assert {p for p in os.listdir(tmp_path) if not p.startswith("ledger.db")} == {"customers.csv", "invoices.csv"}


def test_a_mapping_reads_another_systems_export(archase, tmp_path, source_root):
    paths = write_files(tmp_path)
    mapping = tmp_path / "erp.yaml"
    mapping.write_text("version: 1\noutputs:\n  - kind: invoices\n    columns: { invoice_id: Doc, "
                       "customer_id: Debtor, issue_date: Issued, due_date: Due, amount: Total, "
                       "currency: Cur }\n    amount_due: Open\n")
    export = tmp_path / "open-items.csv"
    rows = INVOICES.splitlines()[1:]
    export.write_text("Doc,Debtor,Issued,Due,Total,Cur,Open\n" + "".join(
        ",".join(r.split(",")[:6] + [r.split(",")[4]]) + "\n" for r in rows))
    mapped = tmp_path / "mapped.db"
    assert archase("init", mapped).code == 0
    assert archase("import", mapped, "--kind", "customers", paths["customers"]).code == 0
    assert archase("import", mapped, "--mapping", mapping, "--as-of", "2026-03-09", export).code == 0
    want = archase("run", mapped, "--policy", policy_path(source_root), "--as-of", "2026-03-09", "--dry-run",
                   "--json")
    got = archase("preview", "--policy", policy_path(source_root), "--as-of", "2026-03-09", "--customers",
                  paths["customers"], "--mapping", mapping, "--export-date", "2026-03-09", export, "--json")
    assert got.code == 0, got.err
    assert got.json() == want.json()
    # an amount due below the amount is a payment: a ledger's business
    export.write_text("Doc,Debtor,Issued,Due,Total,Cur,Open\nA-1,ACME,2026-01-31,2026-03-02,1200.00,EUR,200.00\n")
    r = archase("preview", "--policy", policy_path(source_root), "--as-of", "2026-03-09", "--customers",
                paths["customers"], "--mapping", mapping, "--export-date", "2026-03-09", export)
    assert r.code == 1
    assert f"{export}:2: payment 'A-1:paid': a preview takes customers, contacts, flags and invoices" in r.err


def test_what_is_wrong_is_said_with_where_it_is(archase, tmp_path, source_root):
    paths = write_files(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("invoice_id,customer_id,issue_date,due_date,amount,currency\n"
                   "X-1,NOBODY,2026-01-31,2026-03-02,10.00,EUR\n")
    r = archase("preview", "--policy", policy_path(source_root), "--as-of", "2026-03-09",
                "--customers", paths["customers"], "--invoices", bad)
    assert r.code == 1
    assert f"{bad}:2:2: invoice 'X-1': customer 'NOBODY' does not exist" in r.err
    r = archase("preview", "--policy", policy_path(source_root), "--customers", paths["customers"])
    assert r.code == 2 and "--as-of" in r.err
    r = archase("preview", "--policy", policy_path(source_root), "--as-of", "2026-03-09", paths["customers"])
    assert r.code == 2 and "--mapping" in r.err
    r = archase("preview", "--policy", policy_path(source_root), "--as-of", "2026-03-09",
                "--invoices", tmp_path / "missing.csv")
    assert r.code == 1 and "missing.csv" in r.err
