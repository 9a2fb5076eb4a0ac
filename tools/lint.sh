#!/usr/bin/env bash
# lint.sh — gcc's static analyser (-fanalyzer) over every source file of the
# library, with its findings as errors: the run passes with zero findings.
# A finding that is a false positive is fixed in the code when that reads as
# well, else suppressed where it is with a comment saying why. Builds in
# $LINT_BUILD (default build-lint); gcc 12 takes some minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${LINT_BUILD:-build-lint}
CC=${CC:-gcc} tools/configure.sh "$BUILD" -Dwerror=true -Dtests=false -Dpython=disabled -Dgo=disabled \
  -Dc_args=-fanalyzer
log="$BUILD/lint.log"
if ninja -C "$BUILD" -k 0 libarchase/libarchase_objects.a 2>&1 | tee "$log"; then
  echo "lint: 0 findings"
else
  # gcc colours its messages and names a finding [-Werror=analyzer-...].
  findings=$(sed 's/\x1b\[[0-9;]*[mK]//g' "$log" | grep -c -E 'error: .*\[-W(error=)?analyzer-' || true)
  echo "lint: $findings findings (see $log)" >&2
  exit 1
fi
