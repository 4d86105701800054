#!/usr/bin/env bash
# One-run comparison on this machine: wrk through tokengate (RS256 token, verified-token
# cache warm) vs wrk through nginx doing a plain proxy_pass with upstream keepalive, both
# in front of the same nginx upstream that returns a small 200. Rounds are interleaved
# and medians reported; the figure that matters is the ratio, not the absolute numbers.
#
#   bench/proxy_vs_nginx.sh [SECONDS_PER_ROUND=8] [ROUNDS=3] [CONNECTIONS=32]
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)
cd "$ROOT"
secs=${1:-8}; rounds=${2:-3}; conns=${3:-32}

for tool in nginx wrk /usr/bin/python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run scripts/install-deps.sh" >&2; exit 1; }
done
if [ ! -f build-bench/CMakeCache.txt ]; then
  cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DTOKENGATE_TESTS=OFF >/dev/null
fi
cmake --build build-bench -j2 --target tokengate >/dev/null

work=$(mktemp -d /tmp/tokengate-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
up=$(free_port); ref=$(free_port); tg=$(free_port); adm=$(free_port)

# Key, JWKS and one RS256 token, made by PyJWT (an independent implementation).
/usr/bin/python3 - "$work" <<'PY'
import json, sys, time, jwt
from cryptography.hazmat.primitives.asymmetric import rsa
work = sys.argv[1]
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
jwk.update(kid="bench-1", alg="RS256", use="sig")
json.dump({"keys": [jwk]}, open(f"{work}/jwks.json", "w"))
now = int(time.time())
claims = {"iss": "https://bench.tokengate.test/", "aud": "bench", "sub": "user-1", "iat": now, "exp": now + 3600}
open(f"{work}/token", "w").write(jwt.encode(claims, key, algorithm="RS256", headers={"kid": "bench-1"}))
PY

cat > "$work/nginx.conf" <<NGX
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work; uwsgi_temp_path $work; scgi_temp_path $work;
  upstream api { server 127.0.0.1:$up; keepalive 64; }
  server { listen 127.0.0.1:$up; location / { return 200 "ok\n"; } }
  server { listen 127.0.0.1:$ref; location / { proxy_pass http://api; proxy_http_version 1.1; proxy_set_header Connection ""; } }
}
NGX
cat > "$work/tokengate.json" <<JSON
{"listen": "127.0.0.1:$tg", "admin_listen": "127.0.0.1:$adm", "upstream": "http://127.0.0.1:$up", "threads": 1,
 "providers": [{"name": "bench", "issuer": "https://bench.tokengate.test/", "audiences": ["bench"],
                "algorithms": ["RS256"], "jwks_file": "$work/jwks.json"}],
 "identity_headers": {"sub": "X-User-Id"}}
JSON
nginx -c "$work/nginx.conf" -p "$work" & pids+=($!)
build-bench/tokengate serve --config "$work/tokengate.json" > "$work/tokengate.log" 2>&1 & pids+=($!)
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$adm/readyz" >/dev/null 2>&1 && curl -sf "http://127.0.0.1:$ref/" >/dev/null 2>&1 && break
  sleep 0.1
done
token=$(cat "$work/token")
curl -sf -o /dev/null "http://127.0.0.1:$tg/" -H "Authorization: Bearer $token" || { echo "tokengate did not accept the token" >&2; cat "$work/tokengate.log" >&2; exit 1; }

run() { # name port [header]
  local out
  if [ -n "${3:-}" ]; then out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency -H "$3" "http://127.0.0.1:$2/" 2>&1)
  else out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:$2/" 2>&1); fi
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  echo "$1 $rps $p99" >> "$work/results"
}
for r in $(seq "$rounds"); do
  run nginx "$ref"
  run tokengate "$tg" "Authorization: Bearer $token"
done
/usr/bin/python3 - "$work/results" "$secs" "$rounds" "$conns" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, rps, p99 = line.split()
    unit = p99[-2:] if p99.endswith(("us", "ms")) else p99[-1:]
    val = float(p99[: -len(unit)]) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    rows.setdefault(name, []).append((float(rps), val))
med = {k: (statistics.median(r for r, _ in v), statistics.median(p for _, p in v)) for k, v in rows.items()}
n_rps, n_p99 = med["nginx"]
print(f"wrk -t1 -c{sys.argv[4]} -d{sys.argv[2]}s, {sys.argv[3]} interleaved rounds, medians; upstream: nginx return 200")
print("| path | requests/s | p99 ms | ratio to nginx (req/s) | p99 ratio |")
print("|---|---|---|---|---|")
for k in ("nginx", "tokengate"):
    rps, p99 = med[k]
    print(f"| {k} | {rps:.0f} | {p99:.2f} | {rps / n_rps:.2f} | {p99 / n_p99:.2f} |")
PY
