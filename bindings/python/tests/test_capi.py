"""The generated layer keeps C's names and shapes; these tests pin the shapes
bindings/archase.i promises, which the package's own modules build on."""

import gc
from datetime import date

import pytest

import archase
from archase import capi


def test_outputs_become_results():
    m = capi.archase_money_parse("12.50 EUR")
    assert (m.minor, m.currency) == (1250, "EUR")
    assert capi.archase_money_format(m) == "12.50 EUR"                   # (buf, size)
    assert capi.archase_money_cmp(m, m) == 0                              # int *result
    assert capi.archase_date_parse("2026-03-01") == date(2026, 3, 1)      # archase_date *out
    assert capi.archase_instant_parse("1970-01-01T00:01:00Z") == 60       # int64 *out
    assert capi.archase_date_format(date(2026, 3, 1)) == "2026-03-01"
    assert len(capi.archase_sha256(b"abc")) == 32                         # uint8_t out[32]


def test_handles_are_owned_and_freed_by_the_binding():
    cals = [capi.archase_calendar_new(None) for _ in range(1000)]
    assert all(isinstance(c, capi.archase_calendar) for c in cals)
    del cals
    gc.collect()
    assert not hasattr(capi, "archase_calendar_free"), "freed by the owner, never by hand"


def test_options_structs_are_made_initialised():
    opts = capi.archase_calendar_options()
    assert opts.version == capi.ARCHASE_CALENDAR_OPTIONS_VERSION
    assert opts.weekend_mask == capi.ARCHASE_WEEKEND_SAT_SUN
    opts.weekend_mask = 1 << 4          # Friday only
    cal = capi.archase_calendar_new(opts)
    assert capi.archase_calendar_is_business_day(cal, date(2026, 3, 7)) is True   # Saturday
    assert capi.archase_calendar_is_business_day(cal, date(2026, 3, 6)) is False   # Friday


def test_value_returns_are_not_statuses():
    assert capi.archase_date_weekday(date(1970, 1, 1)) == 4
    assert capi.archase_calendar_business_days_between(capi.archase_calendar_new(None),
                                                       date(2026, 3, 9), date(2026, 3, 6)) == -1


def test_a_policy_loads_and_is_freed(source_root):
    import os
    path = os.path.join(source_root, "examples", "policies")
    candidates = sorted(f for f in os.listdir(path) if f.endswith(".yaml")) if os.path.isdir(path) else []
    if not candidates:
        pytest.skip("no example policy in this tree")
    policy = capi.archase_policy_load_file(os.path.join(path, candidates[0]), None)
    assert capi.archase_policy_version(policy) == 1
    assert len(capi.archase_policy_hash(policy)) == 32
    del policy


def test_a_missing_policy_file_is_not_found(tmp_path):
    with pytest.raises(archase.NotFound):
        capi.archase_policy_load_file(str(tmp_path / "missing.yaml"), None)


def test_engines_open_and_close():
    eng = capi.archase_open_memory(None)
    assert capi.archase_engine_actor(eng) == "system"
    assert capi.archase_engine_schema_version(eng) >= 0
    batch = capi.archase_batch_begin(eng, None, None)
    assert capi.archase_batch_commit(batch, None) is None
    del batch
    del eng


def test_the_extension_exports_only_its_init_function():
    import shutil
    import subprocess
    if not shutil.which("nm"):
        pytest.skip("no nm")
    out = subprocess.run(["nm", "-D", "--defined-only", capi._capi.__file__],
                         capture_output=True, text=True, check=True).stdout
    exported = sorted(line.split()[-1] for line in out.splitlines() if line.strip())
    assert exported == ["PyInit__capi"], "the library inside must not interpose on another copy"
