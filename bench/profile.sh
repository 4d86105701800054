#!/usr/bin/env bash
# Cost of one request through tokengate as counts that load on the machine does not move:
# instructions (callgrind) and heap allocations (LD_PRELOAD counter), both per request over
# a fixed number of keep-alive requests after a warm-up.
#
#   bench/profile.sh [ROW=RS256] [COUNT=2000]
#
# ROW: RS256, ES256, EdDSA, HS256 (one token, cache warm), fresh-RS256, fresh-ES256
# (a distinct token per request), invalid-RS256 (401), nginx (the reference proxy_pass hop
# instead of tokengate, the RS256 token's header passed through). tokengate runs with one thread in
# front of an nginx upstream. Prints instructions and allocations per request and the top
# of the callgrind profile; the callgrind file stays in the work folder for
# callgrind_annotate / kcachegrind. BENCH_BUILD (default build: RelWithDebInfo, symbols);
# TG_BIN profiles another tokengate binary (the helpers still come from BENCH_BUILD).
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)
cd "$ROOT"
row=${1:-RS256}; count=${2:-2000}
build=${BENCH_BUILD:-build}
tg_bin=${TG_BIN:-$build/tokengate}  # another tokengate binary to profile (e.g. a build of main)
warm=200

for tool in nginx valgrind callgrind_control callgrind_annotate /usr/bin/python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done
nice -n 10 cmake --build "$build" -j2 --target tokengate tokengate_bench_tokens tokengate_malloc_count >/dev/null

work=$(mktemp -d /tmp/tokengate-profile.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { /usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
up=$(free_port); tg=$(free_port); adm=$(free_port)
issuer="https://bench.tokengate.test/"
fresh=0
case $row in fresh-*) fresh=$((2 * (count + warm))) ;; esac
"$build/bench/tokengate_bench_tokens" "$work" "$issuer" bench "$fresh" "$fresh"

cat > "$work/upstream.conf" <<NGX
worker_processes 1; daemon off; pid $work/nginx.pid; error_log $work/nginx-error.log warn;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work;
  uwsgi_temp_path $work; scgi_temp_path $work; keepalive_requests 1000000;
  server { listen 127.0.0.1:$up; location / { return 200 "ok\n"; } } }
NGX
cat > "$work/tokengate.json" <<JSON
{"listen": "127.0.0.1:$tg", "admin_listen": "127.0.0.1:$adm", "upstream": "http://127.0.0.1:$up", "threads": 1,
 "providers": [{"name": "bench", "issuer": "$issuer", "audiences": ["bench"],
                "algorithms": ["RS256", "ES256", "EdDSA"], "jwks_file": "$work/jwks.json"},
               {"name": "bench-hs", "issuer": "${issuer}hs", "audiences": ["bench"],
                "algorithms": ["HS256"], "secret_file": "$work/hs256.secret"}],
 "identity_headers": {"sub": "X-User-Id"}}
JSON
nginx -c "$work/upstream.conf" -p "$work" & pids+=($!)

case $row in
  nginx) file="$work/token.RS256"; warm_arg=0; run_arg=0 ;;
  fresh-*) file="$work/fresh.${row#fresh-}"; warm_arg="cycle"; run_arg="cycle:$warm" ;;
  invalid-*) file="$work/invalid.${row#invalid-}"; warm_arg=0; run_arg=0; export TG_EXPECT_STATUS=401 ;;
  *) file="$work/token.$row"; warm_arg=0; run_arg=0 ;;
esac
mallocs() { /usr/bin/python3 -c 'import struct,sys;print(struct.unpack("<Q",open(sys.argv[1],"rb").read(8))[0])' "$work/mallocs"; }
client() { /usr/bin/python3 "$ROOT/bench/keepalive_client.py" "$tg" "$@"; }
wait_ready() {
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$adm/readyz" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "tokengate not ready" >&2; exit 1
}

# The reference hop (row "nginx"): the same counts for nginx's plain proxy_pass with upstream
# keepalive, one process (no master), the same requests carrying the same token header.
if [ "$row" = nginx ]; then
  cat > "$work/reference.conf" <<NGX
worker_processes 1; daemon off; master_process off; pid $work/reference.pid; error_log $work/reference-error.log warn;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work;
  uwsgi_temp_path $work; scgi_temp_path $work; keepalive_requests 1000000;
  upstream api { server 127.0.0.1:$up; keepalive 64; keepalive_requests 1000000; }
  server { listen 127.0.0.1:$tg; location / { proxy_pass http://api; proxy_http_version 1.1;
    proxy_set_header Connection ""; } } }
NGX
  wait_port() {
    for _ in $(seq 300); do curl -sf -o /dev/null "http://127.0.0.1:$tg/" 2>/dev/null && return 0; sleep 0.1; done
    echo "nginx reference not answering" >&2; exit 1
  }
  TOKENGATE_MALLOC_COUNT_FILE="$work/mallocs" LD_PRELOAD="$ROOT/$build/bench/libtokengate_malloc_count.so" \
    nginx -c "$work/reference.conf" -p "$work" & pids+=($!); ng_pid=$!
  wait_port
  client "$warm" "$file" 0
  m0=$(mallocs); client "$count" "$file" 0; m1=$(mallocs)
  kill "$ng_pid"; wait "$ng_pid" 2>/dev/null || true
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/callgrind.out" \
    nginx -c "$work/reference.conf" -p "$work" > /dev/null 2>&1 & pids+=($!); cg_pid=$!
  wait_port
  client "$warm" "$file" 0
  callgrind_control -i on "$cg_pid" >/dev/null
  client "$count" "$file" 0
  callgrind_control -i off "$cg_pid" >/dev/null
  callgrind_control -d "$cg_pid" >/dev/null
  sleep 1
  kill "$cg_pid"; wait "$cg_pid" 2>/dev/null || true
  out="/tmp/tokengate-callgrind-nginx.out"
  cp "$work/callgrind.out.1" "$out"
  ir=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ && !done {gsub(",", "", $1); print $1; done = 1}')
  echo "row nginx (reference proxy_pass), $count requests on one connection after $warm warm-up; one process"
  echo "instructions per request: $((ir / count))"
  echo "allocations per request: $(( (m1 - m0) / count ))  ($((m1 - m0)) in $count requests)"
  echo
  callgrind_annotate "$out" 2>/dev/null | sed -n "/^Ir/,\$p" | head -n 35 || true
  echo "callgrind output: $out"
  exit 0
fi

# Allocations, at full speed.
TOKENGATE_MALLOC_COUNT_FILE="$work/mallocs" LD_PRELOAD="$ROOT/$build/bench/libtokengate_malloc_count.so" \
  "$tg_bin" serve --config "$work/tokengate.json" > "$work/tokengate.log" 2>&1 & pids+=($!); tg_pid=$!
wait_ready
client "$warm" "$file" "$warm_arg"
m0=$(mallocs); client "$count" "$file" "$run_arg"; m1=$(mallocs)
kill "$tg_pid"; wait "$tg_pid" 2>/dev/null || true

# Instructions, under callgrind, counted only while the timed requests run.
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/callgrind.out" \
  "$tg_bin" serve --config "$work/tokengate.json" > "$work/tokengate-cg.log" 2>&1 & pids+=($!); cg_pid=$!
wait_ready
client "$warm" "$file" "$warm_arg"
callgrind_control -i on "$cg_pid" >/dev/null
client "$count" "$file" "$run_arg"
callgrind_control -i off "$cg_pid" >/dev/null
callgrind_control -d "$cg_pid" >/dev/null
sleep 1
kill "$cg_pid"; wait "$cg_pid" 2>/dev/null || true
out="/tmp/tokengate-callgrind-$row.out"
cp "$work/callgrind.out.1" "$out"  # the dump taken while the requests were counted
ir=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ && !done {gsub(",", "", $1); print $1; done = 1}')
echo "row $row, $count requests on one connection after $warm warm-up; tokengate threads=1"
echo "instructions per request: $((ir / count))"
echo "allocations per request: $(( (m1 - m0) / count ))  ($((m1 - m0)) in $count requests)"
echo
callgrind_annotate --inclusive=yes "$out" 2>/dev/null | sed -n "/^Ir/,\$p" | head -n 45 || true
callgrind_annotate "$out" 2>/dev/null | sed -n "/^Ir/,\$p" | head -n 35 || true
echo "callgrind output: $out"
