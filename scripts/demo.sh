#!/usr/bin/env bash
# Try tokengate on this machine: installs what is missing, builds build/tokengate and
# runs `tokengate demo` (proxy on :8080 with sample tokens and curl lines). Arguments
# are passed on to `tokengate demo`.
#
#   scripts/demo.sh [DEMO-ARGS...]
#
# Until `tokengate demo` exists, this runs scripts/explain-sample.sh instead, which
# shows `tokengate explain` on a valid, a tampered and an expired HS256 token.
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)
cd "$ROOT"
jobs=${TOKENGATE_JOBS:-2}

bash "$ROOT/scripts/install-deps.sh"

# Configure build/ only when it is not configured yet, with the same options as
# scripts/test.sh so that the two share one build and neither rebuilds the other's.
gen=""
[ -f build/CMakeCache.txt ] && gen=$(sed -n 's/^CMAKE_GENERATOR:INTERNAL=//p' build/CMakeCache.txt)
if [ "$gen" != Ninja ]; then
  args=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTOKENGATE_WERROR=ON)
  if command -v ccache >/dev/null 2>&1 && [ "${TOKENGATE_NO_CCACHE:-0}" != 1 ]; then
    args+=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  wycheproof=${TOKENGATE_WYCHEPROOF_DIR:-$ROOT/../shared/wycheproof}
  if [ -d "$wycheproof" ]; then
    args+=("-DTOKENGATE_WYCHEPROOF_DIR=$(cd "$wycheproof" && pwd -P)")
  else
    args+=("-DTOKENGATE_WYCHEPROOF_DIR=")
  fi
  [ -z "$gen" ] || rm -rf -- build/CMakeCache.txt build/CMakeFiles
  cmake -S . -B build "${args[@]}"
fi
if command -v ccache >/dev/null 2>&1; then
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$ROOT}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"
fi
cmake --build build -j"$jobs" --target tokengate

if timeout 10 build/tokengate demo --help >/dev/null 2>&1; then
  exec build/tokengate demo "$@"
fi

echo
echo "demo.sh: 'tokengate demo' is not available in this build; showing 'tokengate explain' on sample tokens instead."
exec bash "$ROOT/scripts/explain-sample.sh"
