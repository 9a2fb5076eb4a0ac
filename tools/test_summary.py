#!/usr/bin/env python3
"""Sums test cases over meson test logs: cmocka (TAP), pytest and `go test -v`
cases are counted one by one, any other test as one case.

usage: test_summary.py [--fail NAME]... TESTLOG.json...

Prints the failures and then the plain line `N passed, N failed, N skipped`.
Exits 1 when anything failed (or a log is missing), 0 otherwise.
"""
import json
import re
import sys

TAP_LINE = re.compile(r"^(not ok|ok)\b(.*)$")
PYTEST_SUMMARY = re.compile(r"^=*\s*((?:\d+ \w+(?:, )?)+)\s+in [\d.]+s")
GO_CASE = re.compile(r"^\s*--- (PASS|FAIL|SKIP): (\S+)")


def count_tap(out):
    p = f = s = 0
    failed = []
    for line in out.splitlines():
        m = TAP_LINE.match(line)
        if not m:
            continue
        rest = m.group(2)
        if re.search(r"#\s*SKIP", rest, re.I):
            s += 1
        elif m.group(1) == "ok" or re.search(r"#\s*TODO", rest, re.I):
            p += 1
        else:
            f += 1
            failed.append(rest.strip(" -"))
    return p, f, s, failed


def count_pytest(out):
    for line in reversed(out.splitlines()):
        m = PYTEST_SUMMARY.match(line.strip())
        if m:
            counts = dict((k, int(n)) for n, k in re.findall(r"(\d+) (\w+)", m.group(1)))
            p = counts.get("passed", 0) + counts.get("xfailed", 0)
            f = counts.get("failed", 0) + counts.get("error", 0) + counts.get("errors", 0) + counts.get("xpassed", 0)
            s = counts.get("skipped", 0) + counts.get("deselected", 0) * 0
            failed = re.findall(r"^FAILED (\S+)", out, re.M) + re.findall(r"^ERROR (\S+)", out, re.M)
            return p, f, s, failed
    return None


def count_go(out):
    p = f = s = 0
    failed = []
    for line in out.splitlines():
        m = GO_CASE.match(line)
        if m:
            if m.group(1) == "PASS":
                p += 1
            elif m.group(1) == "FAIL":
                f += 1
                failed.append(m.group(2))
            else:
                s += 1
    if p + f + s == 0:
        return None
    return p, f, s, failed


def count_test(entry):
    out = entry.get("stdout") or ""
    result = entry.get("result", "FAIL")
    if re.search(r"^(not ok|ok)\b", out, re.M) and re.search(r"^1\.\.\d+", out, re.M):
        p, f, s, failed = count_tap(out)
    else:
        counted = count_pytest(out) or count_go(out)
        if counted:
            p, f, s, failed = counted
        elif result == "OK":
            p, f, s, failed = 1, 0, 0, []
        elif result == "SKIP":
            p, f, s, failed = 0, 0, 1, []
        else:
            p, f, s, failed = 0, 1, 0, [f"{result}, exit {entry.get('returncode')}"]
    # A crash, a leak found by valgrind or a timeout after every case passed
    # still fails the run.
    if result not in ("OK", "SKIP", "EXPECTEDFAIL") and f == 0:
        f = 1
        failed.append(f"(the test program itself: {result}, exit {entry.get('returncode')})")
    return p, f, s, failed


def main(argv):
    extra_failures = []
    logs = []
    it = iter(argv)
    for arg in it:
        if arg == "--fail":
            extra_failures.append(next(it))
        else:
            logs.append(arg)
    passed = failed = skipped = 0
    report = []
    for name in extra_failures:
        failed += 1
        report.append(f"FAILED {name}")
    for path in logs:
        try:
            lines = open(path, encoding="utf-8").read().splitlines()
        except OSError:
            failed += 1
            report.append(f"FAILED {path}: no test log (the run did not happen)")
            continue
        for line in lines:
            if not line.strip():
                continue
            entry = json.loads(line)
            p, f, s, names = count_test(entry)
            passed, failed, skipped = passed + p, failed + f, skipped + s
            for n in names:
                report.append(f"FAILED {path.split('/meson-logs')[0]}: {entry['name']}: {n}")
    for line in report:
        print(line)
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
