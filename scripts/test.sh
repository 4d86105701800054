#!/usr/bin/env bash
# THE test command for tokengate (README and .ci/run call exactly this).
#
#   scripts/test.sh
#
# 0. scripts/install-deps.sh (installs missing Debian 12 packages; silent when none are)
# 1. normal build in build/ (GCC, RelWithDebInfo, -Werror, Wycheproof vectors from
#    ../shared/wycheproof when present) + ctest
# 2. sanitizer build in build-asan/ (clang, Debug, ASan+UBSan, no benchmarks) + ctest;
#    tests labelled perf, bench or no_asan are left out of this run
# 3. fuzzing: scripts/fuzz.sh builds every libFuzzer target in build-fuzz/ (clang,
#    ASan+UBSan) and runs each for TOKENGATE_FUZZ_SECONDS from tests/fuzz/corpus with a
#    fixed seed; a crash or property violation fails the run; executions per target are
#    printed
# 4. ThreadSanitizer build in build-tsan/ (clang): only the tokengate binary and the
#    integration tests, then the concurrency-heavy tests among them (tsan_tests below);
#    any TSan report, from the test process or a proxy it started, fails the run
#
# Environment:
#   TOKENGATE_SKIP_ASAN=1        skip stage 2 (quick local runs; CI always runs it)
#   TOKENGATE_SKIP_FUZZ=1        skip stage 3
#   TOKENGATE_SKIP_TSAN=1        skip stage 4
#   TOKENGATE_FUZZ_SECONDS=N     seconds per fuzz target (default 20)
#   TOKENGATE_FUZZ_SEED=N        libFuzzer seed for stage 3 (default 1: the same inputs every run)
#   TOKENGATE_JOBS=N             build/test parallelism (default 2)
#   TOKENGATE_WYCHEPROOF_DIR=D   Wycheproof checkout (default: ../shared/wycheproof)
#   TOKENGATE_NO_CCACHE=1        do not use ccache even when it is installed
#
# The last line of a successful run is "N passed, 0 failed" (both ctest runs added up).
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)
cd "$ROOT"

jobs=${TOKENGATE_JOBS:-2}
t_start=$SECONDS
stage="startup"
stage_times=()
passed_total=0
failed_total=0

fmt_time() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

t_stage=$SECONDS
begin_stage() {
  stage=$1
  t_stage=$SECONDS
  printf '\n========================================================================\n'
  printf '==== %s   [t+%s]\n' "$stage" "$(fmt_time $((SECONDS - t_start)))"
  printf '========================================================================\n'
}
end_stage() {
  local took=$((SECONDS - t_stage))
  stage_times+=("$stage: $(fmt_time "$took")")
  printf -- '---- done: %s in %s\n' "$stage" "$(fmt_time "$took")"
}

on_exit() {
  local rc=$?
  [ "$rc" -eq 0 ] && return 0
  printf '\n!!!! test.sh FAILED (exit %s) in stage "%s" after %s\n' \
    "$rc" "$stage" "$(fmt_time $((SECONDS - t_start)))" >&2
  if [ "$failed_total" -gt 0 ]; then
    echo "$passed_total passed, $failed_total failed"
  fi
}
trap on_exit EXIT

# An existing build dir made with another generator, compiler or source tree cannot be
# reconfigured in place: drop its cache (the object files are rebuilt anyway then).
drop_stale_cache() { # dir [required-C++-compiler-regex]
  local dir=$1 want_cxx=${2:-} cache=$1/CMakeCache.txt gen home cxx why=""
  [ -f "$cache" ] || return 0
  gen=$(sed -n 's/^CMAKE_GENERATOR:INTERNAL=//p' "$cache")
  home=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$cache")
  cxx=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$cache")
  if [ "$gen" != Ninja ]; then why="generator '$gen'"
  elif [ "$home" != "$ROOT" ]; then why="source dir '$home'"
  elif [ -n "$want_cxx" ] && ! [[ "$(basename -- "$cxx")" =~ $want_cxx ]]; then why="compiler '$cxx'"
  fi
  if [ -n "$why" ]; then
    echo "test.sh: $dir was configured with $why; removing its CMake cache"
    rm -rf -- "$dir/CMakeCache.txt" "$dir/CMakeFiles"
  fi
}

run_ctest() { # dir [extra ctest args...]
  local dir=$1 log=$1/ctest.log rc=0 line failed total
  shift
  ctest --test-dir "$dir" --output-on-failure -j"$jobs" --no-tests=error \
        --timeout "${TOKENGATE_TEST_TIMEOUT:-900}" "$@" 2>&1 | tee "$log" || rc=$?
  line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)
  if [ -z "$line" ]; then
    echo "test.sh: no ctest summary line in $log (ctest exit $rc)" >&2
    failed_total=$((failed_total + 1))
    return 1
  fi
  failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
  total=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$line")
  passed_total=$((passed_total + total - failed))
  failed_total=$((failed_total + failed))
  if [ "$rc" -ne 0 ] || [ "$failed" -ne 0 ]; then
    echo "test.sh: ctest in $dir: $failed of $total failed (exit $rc)" >&2
    [ "$failed" -gt 0 ] || failed_total=$((failed_total + 1))
    return 1
  fi
}

# ---------------------------------------------------------------------------------------
begin_stage "0/4 dependencies (scripts/install-deps.sh)"
bash "$ROOT/scripts/install-deps.sh"
end_stage

common_args=(-G Ninja)
if command -v ccache >/dev/null 2>&1 && [ "${TOKENGATE_NO_CCACHE:-0}" != 1 ]; then
  common_args+=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  # Cache hits across clones in other folders (CI builds a fresh clone elsewhere).
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$ROOT}"
  export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"
else
  common_args+=(-DCMAKE_C_COMPILER_LAUNCHER= -DCMAKE_CXX_COMPILER_LAUNCHER=)
fi
# Line tables only (-g1), not full debug info: sanitizer reports and backtraces keep their
# file:line, and the Beast-heavy files compile about a quarter faster (forward.cpp: 40 s
# with -g, 28 s with -g1, GCC 12 -O2), which is minutes of a cold CI run.
common_args+=("-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" "-DCMAKE_CXX_FLAGS_DEBUG=-g1")

wycheproof=${TOKENGATE_WYCHEPROOF_DIR:-$ROOT/../shared/wycheproof}
if [ -d "$wycheproof" ]; then
  wycheproof=$(cd "$wycheproof" && pwd -P)
  echo "test.sh: Wycheproof test vectors: $wycheproof"
else
  cat >&2 <<MSG

!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
!!! Wycheproof test vectors not found at
!!!   $wycheproof
!!! The Wycheproof signature tests need them (they fail rather than pass
!!! without checking anything). Put a checkout of C2SP/wycheproof (the folder
!!! holding testvectors_v1/) there, or set TOKENGATE_WYCHEPROOF_DIR to one.
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!

MSG
  exit 1
fi
common_args+=("-DTOKENGATE_WYCHEPROOF_DIR=$wycheproof")

# ---------------------------------------------------------------------------------------
begin_stage "1/4 build: build/ (RelWithDebInfo, -Werror)"
drop_stale_cache build
cmake -S . -B build "${common_args[@]}" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTOKENGATE_WERROR=ON
cmake --build build -j"$jobs"
end_stage

begin_stage "1/4 tests: build/"
run_ctest build
end_stage

# ---------------------------------------------------------------------------------------
if [ "${TOKENGATE_SKIP_ASAN:-0}" = 1 ]; then
  printf '\n==== 2/4 sanitizer build SKIPPED (TOKENGATE_SKIP_ASAN=1)\n'
else
  begin_stage "2/4 build: build-asan/ (clang, Debug, ASan+UBSan)"
  drop_stale_cache build-asan '^clang\+\+'
  CC=clang CXX=clang++ cmake -S . -B build-asan "${common_args[@]}" \
    -DCMAKE_BUILD_TYPE=Debug -DTOKENGATE_SANITIZE=ON -DTOKENGATE_BENCH=OFF
  cmake --build build-asan -j"$jobs"
  end_stage

  begin_stage "2/4 tests: build-asan/ (ASan+UBSan)"
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    run_ctest build-asan -LE '^(perf|bench|no_asan)$'
  end_stage
fi

# ---------------------------------------------------------------------------------------
if [ "${TOKENGATE_SKIP_FUZZ:-0}" = 1 ]; then
  printf '\n==== 3/4 fuzzing SKIPPED (TOKENGATE_SKIP_FUZZ=1)\n'
else
  begin_stage "3/4 fuzz: build-fuzz/ (clang, libFuzzer+ASan+UBSan), ${TOKENGATE_FUZZ_SECONDS:-20} s per target"
  drop_stale_cache build-fuzz '^clang\+\+'
  # A fixed seed: every run of the test command explores the same inputs, so a red run is a
  # regression, not a new find by chance (scripts/fuzz.sh alone draws a new seed each time).
  TOKENGATE_FUZZ_SEED=${TOKENGATE_FUZZ_SEED:-1} TOKENGATE_JOBS=$jobs \
    bash "$ROOT/scripts/fuzz.sh" "${TOKENGATE_FUZZ_SECONDS:-20}"
  end_stage
fi

# ---------------------------------------------------------------------------------------
# The tests where threads meet: key-set swaps during refresh and rotation (RemoteKeys),
# reloads under load, metrics scraped while workers count, the concurrency soak, drain.
tsan_tests='^(RemoteKeysTest\.(Rotation|Concurrent|UnknownKidWait|RandomKidFlood|ReloadKeeps|LocalKeyFile)|MetricsEndpointTest\.|ProxyAuthTest\.SighupReload|ProxyHttpTest\.(SigtermFinishes|PipelinedRequests|UpstreamClosing)|FaultTest\.|SoakTest\.)'
if [ "${TOKENGATE_SKIP_TSAN:-0}" = 1 ]; then
  printf '\n==== 4/4 ThreadSanitizer SKIPPED (TOKENGATE_SKIP_TSAN=1)\n'
else
  begin_stage "4/4 build: build-tsan/ (clang, ThreadSanitizer; tokengate + integration tests)"
  drop_stale_cache build-tsan '^clang\+\+'
  CC=clang CXX=clang++ cmake -S . -B build-tsan "${common_args[@]}" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTOKENGATE_TSAN=ON -DTOKENGATE_BENCH=OFF -DTOKENGATE_WERROR=ON
  cmake --build build-tsan -j"$jobs" --target tokengate tokengate_integration_tests
  end_stage

  begin_stage "4/4 tests: build-tsan/ (ThreadSanitizer, concurrency tests)"
  tsan_logs="$ROOT/build-tsan/tsan-reports"
  rm -rf "$tsan_logs" && mkdir -p "$tsan_logs"
  # log_path: every process (the test binary and each proxy it starts) writes its reports
  # to its own file, so a report from a child killed by a test's teardown is not lost.
  TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=0 second_deadlock_stack=1 history_size=4 suppressions=$ROOT/tests/tsan.supp log_path=$tsan_logs/report}" \
    run_ctest build-tsan -R "$tsan_tests"
  if compgen -G "$tsan_logs/report*" >/dev/null; then
    echo "test.sh: ThreadSanitizer reported data races or other errors:" >&2
    for f in "$tsan_logs"/report*; do echo "---- $f" >&2; head -n 80 "$f" >&2; done
    failed_total=$((failed_total + 1))
    exit 1
  fi
  echo "test.sh: no ThreadSanitizer reports"
  end_stage
fi

# ---------------------------------------------------------------------------------------
stage="summary"
printf '\n==== all stages passed\n'
for s in "${stage_times[@]}"; do printf '  %s\n' "$s"; done
printf 'Total elapsed: %s\n' "$(fmt_time $((SECONDS - t_start)))"
echo "$passed_total passed, $failed_total failed"
