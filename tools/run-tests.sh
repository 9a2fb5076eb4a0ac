#!/usr/bin/env bash
# run-tests.sh — every suite, the way CI runs it:
#   1. the whole project with warnings as errors: C (cmocka), CLI, Python, Go;
#   2. the C suite again under AddressSanitizer + UndefinedBehaviorSanitizer;
#   3. the C suite again under valgrind memcheck.
# Ends with the plain line `N passed, N failed, N skipped` summed over all of
# them, and exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

MESON=${MESON:-meson}
BUILD=${BUILD:-build}
ASAN_BUILD=${ASAN_BUILD:-build-asan}
JOBS=${JOBS:-$(nproc)}
status=0
extra=()
logs=()

run_suite() { # label builddir [meson test args...]
  local label=$1 dir=$2
  shift 2
  local logbase=testlog-$label
  rm -f "$dir/meson-logs/$logbase".json "$dir/meson-logs/$logbase"-*.json
  echo "== $label"
  "$MESON" test -C "$dir" --no-rebuild --print-errorlogs --num-processes "$JOBS" \
    --logbase "$logbase" "$@" || status=1
  # meson appends the wrapper's name to the log's name (testlog-valgrind-valgrind.json).
  local log
  log=$(ls "$dir/meson-logs/$logbase".json "$dir/meson-logs/$logbase"-*.json 2>/dev/null | head -n 1)
  logs+=("${log:-$dir/meson-logs/$logbase.json}")
}

echo "== build ($BUILD)"
if tools/configure.sh "$BUILD" -Dwerror=true -Dpython=enabled -Dgo=enabled -Dsmtp=enabled \
   && ninja -C "$BUILD"; then
  run_suite all "$BUILD"
else
  status=1
  extra+=(--fail "build ($BUILD)")
fi

echo "== build ($ASAN_BUILD: address and undefined-behaviour sanitizers)"
if tools/configure.sh "$ASAN_BUILD" -Dwerror=true -Db_sanitize=address,undefined \
     -Db_lundef=false -Dpython=disabled -Dgo=disabled \
   && ninja -C "$ASAN_BUILD"; then
  ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    run_suite asan "$ASAN_BUILD" --suite c
else
  status=1
  extra+=(--fail "build ($ASAN_BUILD)")
fi

if [ -f "$BUILD/build.ninja" ]; then
  run_suite valgrind "$BUILD" --suite c --timeout-multiplier 10 \
    --wrapper "valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --track-origins=yes"
fi

python3 tools/test_summary.py "${extra[@]}" "${logs[@]}" || status=1
exit $status
