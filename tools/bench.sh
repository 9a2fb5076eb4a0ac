#!/usr/bin/env bash
# bench.sh BUILDDIR — runs every benchmark in bench/ and prints its figures.
# The figures, the command and the machine go into docs/perf.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
for b in "$BUILD"/bench/bench_*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b"
done
