#!/usr/bin/env bash
# tsan.sh — the threading tests under ThreadSanitizer: builds the library and
# the tests with -fsanitize=thread in $TSAN_BUILD (default build-tsan) and
# runs tests/test_threads.c (eight engines at once on separate files, on
# memory stores and on one shared SQLite file; one policy, snapshot and
# signer shared by every thread). Any data race fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${TSAN_BUILD:-build-tsan}
tools/configure.sh "$BUILD" -Dwerror=true -Db_sanitize=thread -Db_lundef=false -Dpython=disabled -Dgo=disabled
ninja -C "$BUILD" tests/test_threads
TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1} \
  meson test -C "$BUILD" --no-rebuild --print-errorlogs threads
