#!/usr/bin/env bash
# fuzz.sh — builds each libFuzzer target with clang (address and
# undefined-behaviour sanitizers, coverage over the whole library) and runs
# it for FUZZ_SECONDS (default 60) starting from its committed corpus.
# New inputs go to $FUZZ_BUILD/corpus/TARGET, crashes to $FUZZ_BUILD/crashes/;
# copy an input worth keeping into tests/fuzz/corpus/TARGET/ so every test
# run replays it.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
BUILD=${FUZZ_BUILD:-build-fuzz}
TARGETS=(fuzz_policy_load fuzz_condition fuzz_tzif fuzz_mapped_import fuzz_import fuzz_template
  fuzz_canon_decode fuzz_audit_export fuzz_merkle_proof)

ARCHASE_DEPS_FUZZ=1 tools/deps.sh
CC=clang tools/configure.sh "$BUILD" -Dtests=false -Dpython=disabled -Dgo=disabled \
  -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized \
  "-Dc_args=-fsanitize=fuzzer-no-link -fno-sanitize-recover=undefined"
ninja -C "$BUILD" libarchase/libarchase_objects.a

status=0
mkdir -p "$BUILD/crashes"
for target in "${TARGETS[@]}"; do
  echo "== $target (${FUZZ_SECONDS}s)"
  clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -Iinclude -Ilibarchase -I"$BUILD/include" "tests/fuzz/$target.c" \
    "$BUILD/libarchase/libarchase_objects.a" \
    $(pkg-config --libs yaml-0.1 libcrypto sqlite3) -lm -pthread -o "$BUILD/$target"
  mkdir -p "$BUILD/corpus/$target"
  dict=()
  [ -f "tests/fuzz/$target.dict" ] && dict=(-dict="tests/fuzz/$target.dict")
  if ! "$BUILD/$target" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
       -max_len=65536 -print_final_stats=1 "${dict[@]}" \
       -artifact_prefix="$BUILD/crashes/$target-" \
       "$BUILD/corpus/$target" "tests/fuzz/corpus/$target"; then
    echo "fuzz: $target found a problem; see $BUILD/crashes/" >&2
    status=1
  fi
done
exit $status
