"""The wheel: built by meson-python from the source tree, installed into a
fresh virtual environment and used from outside the source tree, with the
library inside the extension (no libarchase.so needed)."""

import glob
import os
import subprocess
import sys
import textwrap

import pytest

SOURCE_ROOT = os.environ.get("ARCHASE_SOURCE_ROOT",
                             os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..")))

USE_IT = textwrap.dedent("""
    import os, sys
    from datetime import date
    from decimal import Decimal
    import archase
    assert os.path.realpath(archase.__file__).startswith(os.path.realpath(sys.prefix)), archase.__file__
    total = archase.Money(Decimal("100.00"), "EUR")
    assert [str(p) for p in total.split(3)] == ["33.34 EUR", "33.33 EUR", "33.33 EUR"]
    assert archase.add_business_days(date(2026, 4, 2), 1, holidays=[date(2026, 4, 3), date(2026, 4, 6)]) == date(2026, 4, 7)
    assert archase.sha256(b"abc").hex().startswith("ba7816bf")
    try:
        archase.Money.parse("12,50 EUR")
    except archase.ParseError as e:
        assert e.name == "ARCHASE_EPARSE"
    else:
        raise AssertionError("no ParseError")
    print(archase.__version__, archase.capi._capi.__file__)
""")


def run(args, **kwargs):
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)           # the build tree must not leak in
    env["PIP_NO_INDEX"] = "1"             # offline: everything is local
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    result = subprocess.run(args, env=env, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(map(str, args))} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def test_the_wheel_installs_into_a_fresh_venv_and_works_outside_the_source_tree(tmp_path):
    pytest.importorskip("mesonpy")
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "-w", str(dist), SOURCE_ROOT])
    wheels = glob.glob(str(dist / "archase-*.whl"))
    assert len(wheels) == 1, wheels

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(venv)])
    python = str(venv / "bin" / "python")
    # The venv sees the system's pip through --system-site-packages.
    run([python, "-m", "pip", "install", "--no-deps", wheels[0]])

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = run([python, "-c", USE_IT], cwd=elsewhere)
    version, extension = out.split()
    assert extension.startswith(str(venv))

    needed = subprocess.run(["readelf", "-d", extension], capture_output=True, text=True).stdout
    assert "libarchase" not in needed, "the extension carries the library, it does not load it"
