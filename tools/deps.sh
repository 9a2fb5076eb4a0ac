#!/usr/bin/env bash
# Installs what the build and the tests need and this machine lacks:
# Debian packages with apt-get, pinned Python packages with pip. Idempotent:
# a second run installs nothing. Works as root or through sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential pkg-config ninja-build
  libsqlite3-dev sqlite3 libyaml-dev libssl-dev openssl tzdata
  libcmocka-dev valgrind swig
  libcurl4-openssl-dev
  chromium   # the report test renders the HTML report in a real browser
)
# `make fuzz` only: clang with libFuzzer and the sanitizer runtimes.
if [ "${ARCHASE_DEPS_FUZZ:-0}" = 1 ]; then
  APT_PACKAGES+=(clang libclang-rt-dev)
fi
PYTHON=${PYTHON:-python3}

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing Debian packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  if ! $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"; then
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
fi

# Python packages: install only when a pinned version is missing.
if ! "$PYTHON" - requirements-dev.txt <<'PY'
import sys
from importlib import metadata
ok = True
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if not line:
        continue
    name, version = line.split("==")
    try:
        if metadata.version(name) != version:
            ok = False
    except metadata.PackageNotFoundError:
        ok = False
sys.exit(0 if ok else 1)
PY
then
  echo "deps: installing pinned Python packages from requirements-dev.txt"
  "$PYTHON" -m pip install --disable-pip-version-check -q -r requirements-dev.txt
fi

for tool in go; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "deps: '$tool' is not on PATH; install it (https://go.dev/dl/) for the Go bindings" >&2
    exit 1
  fi
done
