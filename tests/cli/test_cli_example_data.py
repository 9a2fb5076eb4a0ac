"""The example ledger of examples/data/: the committed files are what the
generator writes, and every file imports without a rejected row."""
import os
import subprocess
import sys

KINDS = [("customers.csv", "customers"), ("invoices.csv", "invoices"),
         ("payments.csv", "payments"), ("credits.csv", "credits"),
         ("promises.csv", "promises"), ("disputes.csv", "disputes"),
         ("dispute_updates.csv", "disputes")]


def test_committed_files_are_what_the_generator_writes(source_root):
    proc = subprocess.run([sys.executable, os.path.join(source_root, "tools", "gen_example_data.py"),
                           "--check", os.path.join(source_root, "examples", "data")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_generator_is_deterministic(tmp_path, source_root):
    script = os.path.join(source_root, "tools", "gen_example_data.py")
    for out in ("a", "b"):
        subprocess.run([sys.executable, script, str(tmp_path / out)], check=True, capture_output=True)
    for name, _ in KINDS:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_example_ledger_imports_whole(archase, tmp_path, source_root):
    db = tmp_path / "ledger.db"
    assert archase("init", db).code == 0
    counts = {}
    for name, kind in KINDS:
        r = archase("import", db, "--kind", kind, os.path.join(source_root, "examples", "data", name))
        assert r.code == 0, r.out + r.err
        result = r.json()
        assert result["rejected"] == 0
        counts[name] = result["inserted"] + result["updated"]
    assert counts["customers.csv"] >= 300  # with their contacts
    assert counts["invoices.csv"] > 2000
    assert counts["dispute_updates.csv"] > 0  # resolutions revise the disputes
    run = archase("run", db, "--policy", os.path.join(source_root, "examples", "policies",
                                                      "enterprise-formal.yaml"),
                  "--as-of", "2026-03-31", "--dry-run", "--json")
    assert run.code == 0, run.err
    report = run.json()
    coverage = report["coverage"]
    assert coverage["unaccounted"] == 0
    # the history holds every kind of situation a policy decides about
    for state in ("active", "promise", "dispute", "hold", "exception"):
        assert coverage[state] > 0, state
    assert report["by_reason"].get("promise_broken", 0) > 0
    assert report["by_reason"].get("no_consented_contact", 0) > 0
