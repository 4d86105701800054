#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (build-fuzz/) and runs each for N seconds.
#
#   scripts/fuzz.sh          # 30 s per target
#   scripts/fuzz.sh 600      # 10 min per target
#
# Each target starts from its committed seeds (tests/fuzz/corpus/<target>/) copied to a
# scratch directory, so what the fuzzer adds never lands in the repository. Crash inputs
# are kept in build-fuzz/artifacts/. Exits non-zero when any target crashed.
#
# Environment:
#   TOKENGATE_JOBS=N       build jobs, and how many targets fuzz at once (default 2)
#   TOKENGATE_NO_CCACHE=1  do not use ccache even when it is installed
#   FUZZ_TARGETS="a b"     fuzz only these targets (default: all)
#   TOKENGATE_FUZZ_SEED=N  libFuzzer's random seed (default: a new one per run); test.sh
#                          fixes it so a CI run explores the same inputs every time
set -euo pipefail

seconds=${1:-30}
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [seconds-per-target]" >&2; exit 2; }

root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)
build="$root/build-fuzz"
fuzz_src="$root/tests/fuzz"
all_targets=(fuzz_compact fuzz_jwks fuzz_base64url fuzz_json fuzz_config fuzz_http fuzz_fetch)
read -r -a targets <<<"${FUZZ_TARGETS:-${all_targets[*]}}"
jobs=${TOKENGATE_JOBS:-2}

cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DTOKENGATE_FUZZ=ON -DTOKENGATE_BENCH=OFF -DTOKENGATE_TESTS=OFF
            -DTOKENGATE_SANITIZE=OFF -DTOKENGATE_WERROR=ON)
if [[ ! -f "$build/CMakeCache.txt" ]] && command -v ninja >/dev/null; then cmake_args+=(-G Ninja); fi
if command -v ccache >/dev/null 2>&1 && [ "${TOKENGATE_NO_CCACHE:-0}" != 1 ]; then
  cmake_args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"
else
  cmake_args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=)
fi
CC=clang CXX=clang++ cmake -S "$root" -B "$build" "${cmake_args[@]}" >/dev/null
cmake --build "$build" --target tokengate_fuzzers -j "$jobs"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
artifacts="$build/artifacts"
mkdir -p "$artifacts"

dict_for() {
  case "$1" in
    fuzz_json | fuzz_jwks) echo "-dict=$fuzz_src/json.dict" ;;
    fuzz_config) echo "-dict=$fuzz_src/config.dict" ;;
    fuzz_http) echo "-dict=$fuzz_src/http.dict" ;;
    fuzz_fetch) echo "-dict=$fuzz_src/fetch.dict" ;;
  esac
}

# Runs one target on its scratch corpus; the fuzzer's exit status goes to $scratch/$t.rc.
run_target() {
  local t=$1 rc=0
  # shellcheck disable=SC2046 # dict_for prints zero or one whole argument
  "$build/tests/fuzz/$t" "$scratch/$t" $(dict_for "$t") ${TOKENGATE_FUZZ_SEED:+-seed="$TOKENGATE_FUZZ_SEED"} \
    -max_total_time="$seconds" -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$artifacts/$t-" >"$build/$t.log" 2>&1 || rc=$?
  echo "$rc" >"$scratch/$t.rc"
}

# Up to $jobs targets at once: on a 2-core machine two 20 s runs take 20 s, not 40.
for t in "${targets[@]}"; do
  cp -r "$fuzz_src/corpus/$t" "$scratch/$t"
  while (($(jobs -rp | wc -l) >= jobs)); do wait -n || true; done
  echo "== $t: ${seconds} s" >&2
  run_target "$t" &
done
wait

failed=()
summary=()
for t in "${targets[@]}"; do
  log="$build/$t.log"
  if [[ "$(cat "$scratch/$t.rc" 2>/dev/null)" == 0 ]]; then status=ok; else status=CRASH; failed+=("$t"); fi
  execs=$(sed -n 's/^stat::number_of_executed_units:[[:space:]]*//p' "$log" | tail -n1)
  summary+=("$(printf '%-16s %-6s %12s execs  corpus %s files' "$t" "$status" "${execs:-?}" \
    "$(find "$scratch/$t" -type f | wc -l)")")
  if [[ $status == CRASH ]]; then
    # The sanitizer report and the saved input: enough to file the bug without rerunning.
    grep -E -A40 '^==[0-9]+==|runtime error|fuzz property violated|deadly signal' "$log" | head -n 60 >&2 || true
    input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n1)
    if [[ -n "$input" && -f "$input" ]]; then
      echo "reproducer: $input" >&2
      echo "  hex: $(od -An -v -tx1 "$input" | tr -d ' \n' | head -c 2000)" >&2
      echo "  rerun: $build/tests/fuzz/$t $input" >&2
    fi
  fi
done

echo
printf '%s\n' "${summary[@]}"
if ((${#failed[@]})); then
  echo "crashed: ${failed[*]} (logs in ${build#"$root"/}/<target>.log)" >&2
  exit 1
fi
