"""The README's C and Python examples compile and run as printed, on the
example ledger."""
import glob
import os
import re
import shutil
import subprocess
import sys

import pytest

FILES = [("customers.csv", "customers"), ("invoices.csv", "invoices"), ("payments.csv", "payments"),
         ("promises.csv", "promises"), ("disputes.csv", "disputes")]


def block(source_root, language):
    text = open(os.path.join(source_root, "README.md"), encoding="utf-8").read()
    blocks = re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.S | re.M)
    assert len(blocks) == 1, f"README.md should have one ```{language} example"
    return blocks[0]


def build_root():
    root = os.environ.get("ARCHASE_BUILD_ROOT")
    if not root:
        pytest.skip("ARCHASE_BUILD_ROOT is not set (run through meson test)")
    return root


def test_c_example_prints_the_top_ten(archase, tmp_path, source_root):
    build = build_root()
    cc = shutil.which(os.environ.get("CC", "cc"))
    if not cc:
        pytest.skip("no C compiler on PATH")
    os.symlink(os.path.join(source_root, "examples"), tmp_path / "examples")
    (tmp_path / "demo").mkdir()
    db = tmp_path / "demo" / "ledger.db"
    assert archase("init", db).code == 0
    for name, kind in FILES:
        r = archase("import", db, "--kind", kind, os.path.join(source_root, "examples", "data", name))
        assert r.code == 0, r.err
    (tmp_path / "top10.c").write_text(block(source_root, "c"))
    lib = os.path.join(build, "libarchase")
    compiled = subprocess.run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror",
                               "-I", os.path.join(source_root, "include"), "-I", os.path.join(build, "include"),
                               "top10.c", "-L", lib, "-larchase", f"-Wl,-rpath,{lib}", "-o", "top10"],
                              cwd=tmp_path, capture_output=True, text=True)
    assert compiled.returncode == 0, compiled.stderr
    run = subprocess.run(["./top10"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert [int(line.split()[0]) for line in lines] == list(range(1, 11))
    worklist = archase("worklist", db, "--policy", os.path.join(source_root, "examples", "policies",
                                                                  "enterprise-formal.yaml"),
                       "--as-of", "2026-03-31", "--json").json()
    assert [line.split()[2] for line in lines] == [w["customer_id"] for w in worklist[:10]]


def test_python_example_runs(tmp_path, source_root):
    build = build_root()
    package = os.path.join(build, "bindings", "python")
    if not glob.glob(os.path.join(package, "archase", "_capi*")):
        pytest.skip("the Python bindings are not part of this build (configured with -Dpython=disabled)")
    os.symlink(os.path.join(source_root, "examples"), tmp_path / "examples")
    (tmp_path / "example.py").write_text(block(source_root, "python"))
    run = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120, env=dict(os.environ, PYTHONPATH=package))
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 6 and lines[0].startswith("1 ")
    assert lines[-1].startswith("DSO ") and "CEI" in lines[-1]
