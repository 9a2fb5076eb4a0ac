"""`archase policy`: check, hash, explain and diff collection policies, with
every problem on stderr as file:line:column and the usual exit codes
(0 ok, 1 invalid policy, 2 usage)."""
import json
import os

import pytest

EXAMPLES = ("smb-friendly.yaml", "enterprise-formal.yaml", "eu-statutory.yaml")

MINIMAL = """version: 1
currency: {default: EUR}
segments:
  - name: big
    when: open_amount >= 10000 EUR
    sequence: s
  - name: all
    sequence: s
sequences:
  s:
    steps:
      - offset: 1
        action: alert_owner
      - offset: 30
        action: escalate
"""


def example(source_root, name):
    return os.path.join(source_root, "examples", "policies", name)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_help_describes_every_action(archase):
    r = archase("policy", "--help")
    assert r.code == 0
    assert r.out.startswith("usage: archase policy")
    for action in ("check", "hash", "explain", "diff"):
        assert f"  {action} " in r.out, action


def test_check_says_ok_for_every_example(archase, source_root):
    files = [example(source_root, n) for n in EXAMPLES]
    r = archase("policy", "check", *files)
    assert r.code == 0, r.err
    assert r.out == "".join(f"{f}: ok\n" for f in files)
    assert r.err == ""


def test_check_prints_every_problem_with_its_position(archase, tmp_path):
    bad = write(tmp_path, "bad.yaml", MINIMAL.replace("offset: 30", 'offset: "thirty"')
                + "gaurdrails: {}\n")
    r = archase("policy", "check", bad)
    assert r.code == 1
    assert r.out == ""
    assert r.err.splitlines() == [
        f'{bad}:14:17: sequences.s.steps[1].offset: expected a whole number, got the text "thirty" '
        "(write numbers without quotes)",
        f'{bad}:16:1: unknown key "gaurdrails" (did you mean "guardrails"?)',
    ]


def test_check_goes_on_after_a_bad_file(archase, tmp_path, source_root):
    bad = write(tmp_path, "bad.yaml", "version: 1\nversion: 1\n")
    good = example(source_root, "smb-friendly.yaml")
    r = archase("policy", "check", bad, good)
    assert r.code == 1
    assert r.out == f"{good}: ok\n"
    assert f'{bad}:2:1: duplicate key "version" (first written at line 1)' in r.err


def test_check_json_lists_diagnostics(archase, tmp_path, source_root):
    bad = write(tmp_path, "bad.yaml", MINIMAL + "colour: red\n")
    good = example(source_root, "eu-statutory.yaml")
    r = archase("policy", "check", "--json", good, bad)
    assert r.code == 1
    data = r.json()
    assert data[0] == {"file": good, "ok": True, "diagnostics": [], "more": 0}
    assert data[1]["ok"] is False
    assert data[1]["diagnostics"] == [{"line": 16, "column": 1, "message": 'unknown key "colour"'}]


def test_check_reports_at_most_twenty_problems_and_counts_the_rest(archase, tmp_path):
    text = MINIMAL + "".join(f"unknown_{i}: 1\n" for i in range(25))
    bad = write(tmp_path, "many.yaml", text)
    r = archase("policy", "check", bad)
    assert r.code == 1
    lines = r.err.splitlines()
    assert len(lines) == 21
    assert lines[-1] == f"{bad}: 5 more problems not shown"


def test_check_of_a_missing_file_fails(archase, tmp_path):
    missing = str(tmp_path / "nope.yaml")
    r = archase("policy", "check", missing)
    assert r.code == 1
    assert r.err.startswith(f"{missing}: cannot open: ")


def test_hash_is_the_same_for_the_same_policy_written_differently(archase, tmp_path):
    a = write(tmp_path, "a.yaml", MINIMAL)
    reordered = """# reordered and quoted
sequences: {"s": {steps: [{action: alert_owner, offset: 1}, {offset: 30, action: 'escalate'}]}}
segments:
  - {sequence: s, name: big, when: "open_amount>=10000.00 EUR"}
  - {sequence: s, name: all}
currency: {default: "EUR"}
version: 1
"""
    b = write(tmp_path, "b.yaml", reordered)
    c = write(tmp_path, "c.yaml", MINIMAL.replace("10000 EUR", "10001 EUR"))
    ha, hb, hc = (archase("policy", "hash", f) for f in (a, b, c))
    assert ha.code == hb.code == hc.code == 0
    assert len(ha.out.strip()) == 64
    assert ha.out == hb.out
    assert ha.out != hc.out
    data = archase("policy", "hash", a, "--json").json()
    assert data == {"file": a, "hash": ha.out.strip()}


def test_explain_shows_segments_timelines_and_approvals(archase, source_root):
    r = archase("policy", "explain", example(source_root, "enterprise-formal.yaml"))
    assert r.code == 0, r.err
    assert r.out.startswith("Enterprise formal\n")
    assert "  1. strategic — strategic or tier == platinum\n" in r.out
    assert "     sequence key_accounts (business days: calendar us, roll following)\n" in r.out
    assert "day +90   legal_notice  letter   final    legal_notice  [needs approval]" in r.out
    assert "  5. standard — every other invoice\n" in r.out
    assert "  materiality: 23000.00 EUR, 20000.00 GBP, 3500000 JPY, 25000.00 USD\n" in r.out
    assert "  legal_notice           2 below / 2 at or above materiality, expires after 3 days; " \
           "roles: cfo, general_counsel, controller\n" in r.out


def test_explain_json_has_every_step(archase, source_root):
    data = archase("policy", "explain", "--json", example(source_root, "smb-friendly.yaml")).json()
    assert data["name"] == "SMB friendly"
    assert data["default_currency"] == "EUR"
    assert [s["name"] for s in data["segments"]] == ["long_standing", "at_risk", "everyone_else"]
    assert data["segments"][-1]["when"] is None
    standard = next(s for s in data["sequences"] if s["name"] == "standard")
    assert [s["offset"] for s in standard["steps"]] == [-3, 3, 10, 17, 30, 45]
    assert standard["steps"][2]["channel"] == "sms"
    assert standard["steps"][4]["action"] == "queue_call"
    legal = next(a for a in data["approvals"] if a["action"] == "legal_notice")
    assert legal["approvers_above"] == 2


def test_diff_names_what_a_change_does(archase, tmp_path):
    a = write(tmp_path, "a.yaml", MINIMAL)
    changed = (MINIMAL.replace("10000 EUR", "20000 EUR")
               .replace("      - offset: 30\n        action: escalate\n",
                        "      - offset: 45\n        action: escalate\n")
               + "approvals: {materiality: 5000 EUR}\n")
    b = write(tmp_path, "b.yaml", changed)
    r = archase("policy", "diff", a, b)
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert "~ approvals.materiality: (none) -> 5000.00 EUR" in lines
    assert "~ segments[big].when: open_amount >= 10000.00 EUR -> open_amount >= 20000.00 EUR" in lines
    assert "- sequences.s.steps[d+30] (removed)" in lines
    assert "+ sequences.s.steps[d+45] (added)" in lines
    data = archase("policy", "diff", "--json", a, b).json()
    assert data["identical"] is False
    kinds = {(c["kind"], c["path"]) for c in data["changes"]}
    assert ("added", "sequences.s.steps[d+45]") in kinds
    assert ("changed", "segments[big].when") in kinds


def test_diff_of_the_same_policy_says_so(archase, source_root):
    f = example(source_root, "eu-statutory.yaml")
    r = archase("policy", "diff", f, f)
    assert r.code == 0
    assert r.out == "no differences\n"
    assert archase("policy", "diff", "--json", f, f).json() == {"changes": [], "identical": True}


@pytest.mark.parametrize("args, message", [
    ((), "missing ACTION"),
    (("check",), "check takes one or more files"),
    (("hash",), "hash takes one file"),
    (("diff", "a"), "diff takes two files"),
    (("frobnicate",), "unknown action 'frobnicate'"),
])
def test_usage_errors_exit_2(archase, args, message):
    r = archase("policy", *args)
    assert r.code == 2
    assert message in r.err
