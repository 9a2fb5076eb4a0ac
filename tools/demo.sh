#!/usr/bin/env bash
# demo.sh BUILDDIR — the example run, driven through the `archase` CLI only.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
A="$BUILD/cli/archase"
echo "== libarchase demo"
"$A" version
