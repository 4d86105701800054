#!/usr/bin/env bash
# Installs the Debian 12 (bookworm) packages tokengate needs to build, test and demo.
#
#   scripts/install-deps.sh [--check] [GROUP...]
#
# GROUP is one or more of: build, clang, test, tools, all (default: all).
#   build  compiler, CMake, Ninja and the libraries the C++ code links against
#   clang  clang-14 with the sanitizer/libFuzzer runtimes (sanitizer and fuzz builds)
#   test   what the test suite runs besides the C++ code (openssl CLI, PyJWT, jsonschema,
#          prometheus_client, nginx, curl...)
#   tools  benchmarking and demo helpers (wrk, jq)
# --check  only report what is missing (exit 1 if anything is), never install.
#
# Silent and fast (one dpkg-query) when everything is already installed; runs
# `apt-get update` and `apt-get install` only when something is missing. Must be root
# to install; otherwise prints the exact command to run and exits 1.
set -euo pipefail

pkgs_build=(
  build-essential g++ make cmake ninja-build pkg-config ccache
  libboost1.81-dev libssl-dev rapidjson-dev libspdlog-dev libfmt-dev
  libgtest-dev googletest libgmock-dev libbenchmark-dev
  ca-certificates
)
pkgs_clang=(clang-14 clang libclang-rt-14-dev)
pkgs_test=(openssl python3 python3-jwt python3-cryptography python3-jsonschema python3-prometheus-client
           nginx-light curl iproute2)
pkgs_tools=(wrk jq)
# The deploy checks run npm tools; machine images that ship their own Node.js (20) keep
# it, a bare Debian 12 gets its nodejs and npm.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  pkgs_test+=(nodejs npm)
fi

usage() { sed -n '2,16s/^# \{0,1\}//p' "$0"; }

check_only=0
groups=()
for arg in "$@"; do
  case "$arg" in
    --check) check_only=1 ;;
    -h|--help) usage; exit 0 ;;
    build|clang|test|tools|all) groups+=("$arg") ;;
    *) echo "install-deps.sh: unknown argument '$arg'" >&2; usage >&2; exit 2 ;;
  esac
done
[ "${#groups[@]}" -gt 0 ] || groups=(all)

wanted=()
for g in "${groups[@]}"; do
  case "$g" in
    build) wanted+=("${pkgs_build[@]}") ;;
    clang) wanted+=("${pkgs_clang[@]}") ;;
    test)  wanted+=("${pkgs_test[@]}") ;;
    tools) wanted+=("${pkgs_tools[@]}") ;;
    all)   wanted+=("${pkgs_build[@]}" "${pkgs_clang[@]}" "${pkgs_test[@]}" "${pkgs_tools[@]}") ;;
  esac
done

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "install-deps.sh: dpkg-query not found: this script supports Debian 12 (bookworm) only." >&2
  echo "Install these packages (Debian names) by other means: ${wanted[*]}" >&2
  exit 1
fi

# Prints, one per line, the packages from "$@" that are not fully installed.
missing_of() {
  local installed
  # ${db:Status-Abbrev} is "ii " for an installed package; unknown names print nothing.
  installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "$@" 2>/dev/null |
              awk '$2 == "ii" { print $1 }' || true)
  local p
  for p in "$@"; do
    grep -qxF -- "$p" <<<"$installed" || echo "$p"
  done | awk '!seen[$0]++'
}

mapfile -t missing < <(missing_of "${wanted[@]}")
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$check_only" -eq 1 ]; then
  echo "install-deps.sh: missing Debian packages: ${missing[*]}" >&2
  exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
  {
    echo "install-deps.sh: these Debian packages are missing: ${missing[*]}"
    echo "Install them as root, then run this again:"
    echo
    echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
    echo
  } >&2
  exit 1
fi

if [ -r /etc/os-release ]; then
  # shellcheck disable=SC1091
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  if [ -n "$codename" ] && [ "$codename" != bookworm ]; then
    echo "install-deps.sh: warning: this is '$codename', not Debian 12 (bookworm); package names may differ." >&2
  fi
fi

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-o Acquire::Retries=3 -o DPkg::Lock::Timeout=300)
echo "install-deps.sh: installing ${#missing[@]} missing package(s): ${missing[*]}"
apt-get "${apt_opts[@]}" update -q
apt-get "${apt_opts[@]}" install -y -q --no-install-recommends "${missing[@]}"

mapfile -t still < <(missing_of "${wanted[@]}")
if [ "${#still[@]}" -ne 0 ]; then
  echo "install-deps.sh: still missing after apt-get install: ${still[*]}" >&2
  exit 1
fi
echo "install-deps.sh: all packages present."
