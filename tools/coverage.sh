#!/usr/bin/env bash
# coverage.sh — branch coverage of libarchase/ by the C suite, measured with
# gcovr (pinned in requirements-dev.txt): builds with gcov instrumentation in
# $COV_BUILD (default build-cov), runs every C test, and prints the summary
# and the files sorted by uncovered branches. Reports go to
# $COV_BUILD/coverage.{txt,json}; docs/reliability.md keeps the figure.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${COV_BUILD:-build-cov}
JOBS=${JOBS:-$(nproc)}
PYTHON=${PYTHON:-python3}

tools/configure.sh "$BUILD" -Db_coverage=true -Dbuildtype=debug -Dpython=disabled -Dgo=disabled
ninja -C "$BUILD" -j "$JOBS"
find "$BUILD" -name '*.gcda' -delete
status=0
meson test -C "$BUILD" --suite c --num-processes "$JOBS" --timeout-multiplier 4 --logbase testlog-coverage \
  || status=1
# Branches of the library only; the tests, the CLI and the bindings are not
# what is measured. --exclude-unreachable-branches drops the branches gcc
# adds for lines with no code of their own. The data files are searched for
# in $BUILD only: another coverage build in the tree (of another checkout
# state) would be merged in otherwise, and fail to merge.
common=(--root . --object-directory "$BUILD" --filter 'libarchase/' --exclude-unreachable-branches
        --gcov-ignore-parse-errors=negative_hits.warn_once_per_file)
"$PYTHON" -m gcovr "${common[@]}" --txt-metric branch --sort uncovered-number --sort-reverse \
  --txt "$BUILD/coverage.txt" --json-summary-pretty --json-summary "$BUILD/coverage.json" --print-summary \
  "$BUILD"
echo "== least covered files (branches)"
"$PYTHON" - "$BUILD/coverage.json" <<'PY'
import json, sys
files = json.load(open(sys.argv[1]))["files"]
rows = sorted((f["branch_percent"] if f["branch_total"] else 100.0, f["branch_total"] - f["branch_covered"],
               f["filename"], f["branch_covered"], f["branch_total"]) for f in files)
for pct, missed, name, cov, total in rows[:15]:
    print(f"{pct:6.1f}%  {cov:5d}/{total:<5d} {name}")
PY
exit $status
