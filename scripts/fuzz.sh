#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (build-fuzz/) and runs each for N seconds.
#
#   scripts/fuzz.sh          # 30 s per target
#   scripts/fuzz.sh 600      # 10 min per target
#
# Each target starts from its committed seeds (tests/fuzz/corpus/<target>/) copied to a
# scratch directory, so what the fuzzer adds never lands in the repository. Crash inputs
# are kept in build-fuzz/artifacts/. Exits non-zero when any target crashed.
set -euo pipefail

seconds=${1:-30}
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [seconds-per-target]" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-fuzz"
fuzz_src="$root/tests/fuzz"
targets=(fuzz_compact fuzz_jwks fuzz_base64url fuzz_json)

generator=()
if [[ ! -f "$build/CMakeCache.txt" ]] && command -v ninja >/dev/null; then generator=(-G Ninja); fi
CC=clang CXX=clang++ cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTOKENGATE_FUZZ=ON -DTOKENGATE_BENCH=OFF -DTOKENGATE_TESTS=OFF -DTOKENGATE_SANITIZE=OFF >/dev/null
cmake --build "$build" --target tokengate_fuzzers -j "$(nproc)"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
artifacts="$build/artifacts"
mkdir -p "$artifacts"

dict_for() {
  case "$1" in
    fuzz_json | fuzz_jwks) echo "-dict=$fuzz_src/json.dict" ;;
  esac
}

failed=()
summary=()
for t in "${targets[@]}"; do
  corpus="$scratch/$t"
  cp -r "$fuzz_src/corpus/$t" "$corpus"
  log="$build/$t.log"
  echo "== $t: ${seconds} s" >&2
  # shellcheck disable=SC2046 # dict_for prints zero or one whole argument
  if "$build/tests/fuzz/$t" "$corpus" $(dict_for "$t") -max_total_time="$seconds" -timeout=10 \
       -print_final_stats=1 -artifact_prefix="$artifacts/$t-" >"$log" 2>&1; then
    status=ok
  else
    status=CRASH
    failed+=("$t")
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units:[[:space:]]*//p' "$log" | tail -n1)
  summary+=("$(printf '%-16s %-6s %12s execs  corpus %s files' "$t" "$status" "${execs:-?}" \
    "$(find "$corpus" -type f | wc -l)")")
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
