#!/usr/bin/env bash
# soak.sh — the reliability tests at a depth `make test` has no time for:
# power cuts (ARCHASE_POWERLOSS_RUNS, default 3000), kill -9 while importing
# under SOAK_SEEDS seeds (default 10, 200 kills each), the fault-injection
# loops, and the threading test repeated. Builds in $SOAK_BUILD (default
# build-soak). Figures go to docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${SOAK_BUILD:-build-soak}
SEEDS=${SOAK_SEEDS:-10}
tools/configure.sh "$BUILD" -Dwerror=true -Dpython=disabled -Dgo=disabled
ninja -C "$BUILD"
export ARCHASE_SOURCE_ROOT=$PWD
status=0
echo "== power cuts"
ARCHASE_POWERLOSS_RUNS=${ARCHASE_POWERLOSS_RUNS:-3000} "$BUILD/tests/test_powerloss" || status=1
for seed in $(seq 1 "$SEEDS"); do
  echo "== kill -9 while importing, seed $seed"
  ARCHASE_CRASH_SEED=$seed "$BUILD/tests/test_crash" || status=1
done
echo "== storage faults"
"$BUILD/tests/test_faults" || status=1
for round in 1 2 3 4 5; do
  echo "== threads, round $round"
  "$BUILD/tests/test_threads" || status=1
done
exit $status
