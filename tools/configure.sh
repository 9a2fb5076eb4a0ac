#!/usr/bin/env bash
# configure.sh BUILDDIR [MESON OPTIONS...] — sets a build directory up, or
# reconfigures it when it exists, with exactly these options.
set -euo pipefail
dir=$1
shift
MESON=${MESON:-meson}
if [ -f "$dir/build.ninja" ]; then
  "$MESON" configure "$dir" "$@" >/dev/null
else
  "$MESON" setup "$dir" "$@"
fi
