#!/usr/bin/env bash
# soak.sh — the reliability tests at a depth `make test` has no time for,
# on a build with the library's crash points compiled in: the crash matrix
# (ARCHASE_CRASH_MATRIX_RUNS, default 1000, then 200 more with FULL syncs),
# the year-long simulation (ARCHASE_SIM_SEEDS, default 1000 seeds from 101),
# power cuts (ARCHASE_POWERLOSS_RUNS, default 3000), kill -9 while importing
# under SOAK_SEEDS seeds (default 10, 200 kills each), the fault-injection
# loops, and the threading test repeated. Builds in $SOAK_BUILD (default
# build-soak). Figures go to docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${SOAK_BUILD:-build-soak}
SEEDS=${SOAK_SEEDS:-10}
tools/configure.sh "$BUILD" -Dwerror=true -Dpython=disabled -Dgo=disabled -Dcrashpoints=true
ninja -C "$BUILD"
export ARCHASE_SOURCE_ROOT=$PWD
status=0
echo "== crash matrix"
ARCHASE_CRASH_MATRIX_RUNS=${ARCHASE_CRASH_MATRIX_RUNS:-1000} ARCHASE_CRASH_MATRIX_SEED=11 \
  "$BUILD/tests/test_crash_matrix" || status=1
echo "== crash matrix, FULL syncs"
ARCHASE_CRASH_MATRIX_RUNS=200 ARCHASE_CRASH_MATRIX_SEED=12 ARCHASE_CRASH_MATRIX_SYNC=full \
  "$BUILD/tests/test_crash_matrix" || status=1
echo "== power cuts"
ARCHASE_POWERLOSS_RUNS=${ARCHASE_POWERLOSS_RUNS:-3000} "$BUILD/tests/test_powerloss" || status=1
for seed in $(seq 1 "$SEEDS"); do
  echo "== kill -9 while importing, seed $seed"
  ARCHASE_CRASH_SEED=$seed "$BUILD/tests/test_crash" || status=1
done
echo "== simulation"
ARCHASE_SIM_SEEDS=${ARCHASE_SIM_SEEDS:-1000} ARCHASE_SIM_SEED=101 "$BUILD/tests/test_simulation" || status=1
echo "== storage faults"
"$BUILD/tests/test_faults" || status=1
for round in 1 2 3 4 5; do
  echo "== threads, round $round"
  "$BUILD/tests/test_threads" || status=1
done
exit $status
