#!/usr/bin/env bash
# Builds and runs the microbenchmarks, measures `openssl speed` for the same primitives on
# the same machine, and writes the comparison to bench/results/micro-latest.md.
#
#   bench/micro.sh                                # everything (about a minute after the build)
#   bench/micro.sh --benchmark_filter='RS256'     # extra arguments go to tokengate_micro_bench
#
# SPEC §10 asks for ratios against OpenSSL measured in the same run, never absolute
# figures: run it on an otherwise idle machine, the load average is recorded.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-bench"
out="$build/micro"
table="$root/bench/results/micro-latest.md"

# Ninja only on the first configure: CMake refuses to switch generators in an existing tree.
generator=()
if [[ ! -f "$build/CMakeCache.txt" ]] && command -v ninja >/dev/null; then generator=(-G Ninja); fi
cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DTOKENGATE_BENCH=ON -DTOKENGATE_TESTS=ON -DTOKENGATE_SANITIZE=OFF -DTOKENGATE_FUZZ=OFF >/dev/null
cmake --build "$build" --target tokengate_micro_bench -j "$(nproc)"

mkdir -p "$out" "$(dirname "$table")"
load=$(cut -d' ' -f1-3 /proc/loadavg)
if awk -v l="${load%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
  echo "warning: load average $load on $(nproc) cores: other work will skew the figures" >&2
fi

echo "== tokengate_micro_bench" >&2
"$build/bench/tokengate_micro_bench" --benchmark_format=json --benchmark_min_time=0.2 "$@" >"$out/bench.json"

# HMAC throughput depends on the message length: time OpenSSL on the same signing input
# length the benchmark tokens have (reported by verify_only as input_bytes).
hmac_bytes=$(/usr/bin/python3 -c '
import json, sys
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if b["name"].startswith("verify_only/HS") and "input_bytes" in b:
        print(int(b["input_bytes"])); break
else:
    print(512)
' "$out/bench.json")

echo "== openssl speed (about 15 s)" >&2
openssl speed -seconds 1 -mr rsa2048 ecdsap256 ecdsap384 ecdsap521 ed25519 >"$out/openssl-pk.txt" 2>&1
for h in sha256 sha384 sha512; do
  openssl speed -seconds 1 -mr -bytes "$hmac_bytes" -hmac "$h" >"$out/openssl-hmac-$h.txt" 2>&1
done

cxx=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")
TG_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
TG_CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
TG_CORES=$(nproc)
TG_LOAD="$load"
TG_OPENSSL=$(openssl version)
TG_CXX=$("$cxx" --version | head -n1)
TG_HMAC_BYTES="$hmac_bytes"
export TG_DATE TG_CPU TG_CORES TG_LOAD TG_OPENSSL TG_CXX TG_HMAC_BYTES

/usr/bin/python3 - "$out" "$table" <<'PY'
import json, os, re, sys

out, table_path = sys.argv[1], sys.argv[2]
unit_s = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}

bench = {}
failed = []
for b in json.load(open(os.path.join(out, "bench.json")))["benchmarks"]:
    if b.get("error_occurred"):
        failed.append(f'{b["name"]}: {b.get("error_message", "")}')
        continue
    # CPU time, as openssl speed divides by CPU time too.
    b["ops"] = 1.0 / (b["cpu_time"] * unit_s[b["time_unit"]])
    bench[b["name"]] = b

# openssl speed -mr: +F2 RSA, +F4 ECDSA, +F6 EdDSA lines end in sign/s:verify/s;
# +F lines carry bytes/s for symmetric algorithms.
ossl = {}
for line in open(os.path.join(out, "openssl-pk.txt")):
    f = line.strip().split(":")
    if f[0] == "+F2": ossl[f"rsa{f[2]}"] = float(f[4])
    elif f[0] == "+F4": ossl[f"ecdsap{f[2]}"] = float(f[4])
    elif f[0] == "+F6": ossl[f[3].lower()] = float(f[5])
hmac_bytes = int(os.environ["TG_HMAC_BYTES"])
for h in ("sha256", "sha384", "sha512"):
    for line in open(os.path.join(out, f"openssl-hmac-{h}.txt")):
        f = line.strip().split(":")
        if f[0] == "+F" and f[2] == f"hmac({h})":
            ossl[f"hmac-{h}"] = float(f[3]) / hmac_bytes

primitive = {
    "HS256": ("hmac-sha256", f"hmac(sha256) {hmac_bytes} B"), "HS384": ("hmac-sha384", f"hmac(sha384) {hmac_bytes} B"),
    "HS512": ("hmac-sha512", f"hmac(sha512) {hmac_bytes} B"),
    **{a: ("rsa2048", "rsa2048") for a in ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")},
    "ES256": ("ecdsap256", "ecdsap256"), "ES384": ("ecdsap384", "ecdsap384"), "ES512": ("ecdsap521", "ecdsap521"),
    "EdDSA": ("ed25519", "ed25519"),
}

def ops(name):
    b = bench.get(name)
    return f'{b["ops"]:,.0f}' if b else "–"

lines = [
    "# tokengate micro benchmarks vs openssl speed",
    "",
    f'{os.environ["TG_DATE"]} · {os.environ["TG_CPU"]} · {os.environ["TG_CORES"]} cores · '
    f'load average at start {os.environ["TG_LOAD"]}',
    f'{os.environ["TG_OPENSSL"]} · {os.environ["TG_CXX"]} · Release · one thread · ops/s over CPU time',
    "",
    "| algorithm | tokengate verify ops/s | tokengate parse+verify ops/s | tokengate validate ops/s "
    "| openssl verify ops/s | ratio (validate / openssl) | key | openssl primitive |",
    "|---|--:|--:|--:|--:|--:|---|---|",
]
for alg, (key, label) in primitive.items():
    v = bench.get(f"validate_full/{alg}")
    o = ossl.get(key)
    ratio = f'{v["ops"] / o:.2f}' if v and o else "–"
    key_desc = bench.get(f"verify_only/{alg}", {}).get("label", "")
    lines.append(f"| {alg} | {ops('verify_only/' + alg)} | {ops('parse_verify/' + alg)} | {ops('validate_full/' + alg)} "
                 f"| {f'{o:,.0f}' if o else '–'} | {ratio} | {key_desc} | {label} |")

lines += ["", "| jose step | ops/s | throughput |", "|---|--:|--:|"]
b = bench.get("base64url_decode/8KiB")
if b:
    lines.append(f'| base64url decode, 8 KiB segment | {b["ops"]:,.0f} | {b["bytes_per_second"] / 1e6:,.0f} MB/s |')
b = bench.get("parse_compact/RS256")
if b:
    lines.append(f'| parse_compact, RS256 token ({int(b["token_bytes"])} B) | {b["ops"]:,.0f} | |')

text = "\n".join(lines) + "\n"
open(table_path, "w").write(text)
print(text)
if failed:
    print("benchmarks that failed:\n  " + "\n  ".join(failed), file=sys.stderr)
    sys.exit(1)
PY
echo "table written to ${table#"$root"/}" >&2
