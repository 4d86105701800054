#!/usr/bin/env bash
# SPEC §10 in one command: every row against the same upstream on this machine in one run,
# rounds interleaved, medians reported, each row as a ratio to a plain nginx hop.
#
#   bench/run.sh [SECONDS_PER_ROW=3] [ROUNDS=3] [CONNECTIONS=32]
#
# Rows (wrk -t1 on 127.0.0.1; upstream: nginx returning a small 200 with keep-alive):
#   upstream       wrk → upstream directly
#   nginx          wrk → nginx proxy_pass with upstream keepalive (the reference hop)
#   RS256 … HS256  wrk → tokengate, one valid token (verified-token cache warm)
#   fresh RS256/ES256  a distinct valid token per request (fresh_tokens.lua): no cache hits
#   invalid RS256  a token whose signature does not verify (401 after the RSA operation)
# Then `openssl speed -seconds 3` for rsa2048/ecdsap256 (next to the fresh rows), and the
# resource figures (resources.py): start to ready, idle RSS, RSS with 10,000 idle
# keep-alive connections.
#
# Environment: TG_THREADS (tokengate and reference nginx workers, default 1),
# TG_BASELINE_BIN (another tokengate binary, e.g. a build of main: adds its RS256 warm,
# fresh RS256 and invalid rows to the same run, for before/after figures),
# TG_FRESH_RATE (fresh tokens generated per row-second, default 16000),
# TG_IDLE_CONNS (default 10000), BENCH_BUILD (build folder, default build-bench: Release),
# TG_SKIP_RESOURCES=1, TG_KEEP=1 (keep the work folder).
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)
cd "$ROOT"
secs=${1:-3}; rounds=${2:-3}; conns=${3:-32}
threads=${TG_THREADS:-1}
fresh_rate=${TG_FRESH_RATE:-16000}
idle_conns=${TG_IDLE_CONNS:-10000}
build=${BENCH_BUILD:-build-bench}

for tool in nginx wrk curl openssl /usr/bin/python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run scripts/install-deps.sh" >&2; exit 1; }
done

# A Release build of its own unless BENCH_BUILD names a configured one (tests are
# configured for the token helper's signing code, not built).
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  generator=()
  if command -v ninja >/dev/null; then generator=(-G Ninja); fi
  cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DTOKENGATE_BENCH=ON -DTOKENGATE_TESTS=ON \
    -DTOKENGATE_SANITIZE=OFF -DTOKENGATE_FUZZ=OFF >/dev/null
fi
nice -n 10 cmake --build "$build" -j2 --target tokengate tokengate_bench_tokens >/dev/null
tg_bin="$ROOT/$build/tokengate"

work=$(mktemp -d /tmp/tokengate-bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "${TG_KEEP:-0}" = 1 ]; then echo "work folder kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
up=$(free_port); ref=$(free_port); tg=$(free_port); adm=$(free_port); tg2=$(free_port); adm2=$(free_port)
tgb=$(free_port); admb=$(free_port)

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
issuer="https://bench.tokengate.test/"
per_slice=$((secs * fresh_rate))
echo "== tokens: $((rounds * per_slice)) fresh RS256 and as many ES256 (signing takes a while)" >&2
"$build/bench/tokengate_bench_tokens" "$work" "$issuer" bench $((rounds * per_slice)) $((rounds * per_slice))

# Two nginx instances, so the reference hop's CPU time is its own: the upstream, and the
# plain proxy_pass with upstream keepalive.
nginx_conf() { # name workers body
  cat > "$work/$1.conf" <<NGX
worker_processes $2;
daemon off;
pid $work/$1.pid;
error_log $work/$1-error.log warn;
worker_rlimit_nofile 20000;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work; uwsgi_temp_path $work; scgi_temp_path $work;
  keepalive_requests 1000000;
  $3
}
NGX
}
nginx_conf upstream 1 "server { listen 127.0.0.1:$up; location / { return 200 \"ok\n\"; } }"
nginx_conf reference "$threads" "upstream api { server 127.0.0.1:$up; keepalive 64; keepalive_requests 1000000; }
  server { listen 127.0.0.1:$ref; location / { proxy_pass http://api; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }"

tg_conf() { # file listen admin
  cat > "$1" <<JSON
{"listen": "127.0.0.1:$2", "admin_listen": "127.0.0.1:$3", "upstream": "http://127.0.0.1:$up", "threads": $threads,
 "providers": [{"name": "bench", "issuer": "$issuer", "audiences": ["bench"],
                "algorithms": ["RS256", "ES256", "EdDSA"], "jwks_file": "$work/jwks.json"},
               {"name": "bench-hs", "issuer": "${issuer}hs", "audiences": ["bench"],
                "algorithms": ["HS256"], "secret_file": "$work/hs256.secret"}],
 "identity_headers": {"sub": "X-User-Id"},
 "limits": {"max_connections": $((idle_conns + 1000))}}
JSON
}
tg_conf "$work/tokengate.json" "$tg" "$adm"
tg_conf "$work/tokengate-res.json" "$tg2" "$adm2"
tg_conf "$work/tokengate-base.json" "$tgb" "$admb"

nginx -c "$work/upstream.conf" -p "$work" & pids+=($!); up_pid=$!
nginx -c "$work/reference.conf" -p "$work" & pids+=($!); ref_pid=$!
"$tg_bin" serve --config "$work/tokengate.json" > "$work/tokengate.log" 2>&1 & pids+=($!); tg_pid=$!
base_pid=""
if [ -n "${TG_BASELINE_BIN:-}" ]; then
  "$TG_BASELINE_BIN" serve --config "$work/tokengate-base.json" > "$work/tokengate-base.log" 2>&1 & pids+=($!); base_pid=$!
fi
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$adm/readyz" >/dev/null 2>&1 && curl -sf "http://127.0.0.1:$ref/" >/dev/null 2>&1 &&
    { [ -z "$base_pid" ] || curl -sf "http://127.0.0.1:$admb/readyz" >/dev/null 2>&1; } && break
  sleep 0.1
done
for a in RS256 ES256 EdDSA HS256; do
  curl -sf -o /dev/null "http://127.0.0.1:$tg/" -H "Authorization: Bearer $(cat "$work/token.$a")" ||
    { echo "tokengate did not accept the $a token" >&2; cat "$work/tokengate.log" >&2; exit 1; }
done
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$tg/" -H "Authorization: Bearer $(cat "$work/invalid.RS256")")
[ "$code" = 401 ] || { echo "the invalid token got $code, not 401" >&2; exit 1; }

# CPU time of a process and its children (nginx workers) in clock ticks: "utime stime".
cpu_ticks() {
  local user=0 sys=0 p
  for p in "$1" $(cat "/proc/$1/task/"*/children 2>/dev/null); do
    read -r u s < <(awk '{print $14, $15}' "/proc/$p/stat")
    user=$((user + u)); sys=$((sys + s))
  done
  echo "$user $sys"
}
cache_hits() { # admin port
  curl -s "http://127.0.0.1:$1/metrics" | awk '$1=="tokengate_token_cache_hits_total" {n = $2} END {print n + 0}'
}

run_row() { # round name port cpu_pid [wrk args...]
  local round=$1 name=$2 port=$3 pid=$4 out c0 c1 up0 up1 h0 h1 a=$adm
  shift 4
  [ "$pid" = "$base_pid" ] && a=$admb
  local cu0 cs0 cu1 cs1 uu0 us0 uu1 us1
  h0=$(cache_hits "$a"); read -r cu0 cs0 < <(cpu_ticks "$pid"); read -r uu0 us0 < <(cpu_ticks "$up_pid")
  out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency "$@" 2>&1)
  read -r cu1 cs1 < <(cpu_ticks "$pid"); read -r uu1 us1 < <(cpu_ticks "$up_pid"); h1=$(cache_hits "$a")
  printf '%s\n' "$out" > "$work/wrk-$name-$round.txt"
  local reqs rps p50 p99 non2xx used
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  used=$(awk '/fresh tokens sent/ {print $4 "/" $6}' <<<"$out")
  echo "$name $round $reqs $rps $p50 $p99 $((cu1 - cu0)) $((cs1 - cs0)) $((uu1 + us1 - uu0 - us0)) ${non2xx:-0}" \
       "$((h1 - h0)) ${used:--}" >> "$work/results"
}

rows=(upstream nginx RS256 ES256 EdDSA HS256 fresh-RS256 fresh-ES256 invalid-RS256)
[ -n "$base_pid" ] && rows+=(baseline-RS256 baseline-fresh-RS256 baseline-invalid-RS256)
echo "== $rounds rounds × ${#rows[@]} rows × ${secs}s, wrk -t1 -c$conns" >&2
for r in $(seq 0 $((rounds - 1))); do
  for row in "${rows[@]}"; do
    case $row in
      # The baseline process has a cache of its own: the same token slices are fresh to it.
      baseline-fresh-RS256) run_row "$r" "$row" "$tgb" "$base_pid" -s "$ROOT/bench/fresh_tokens.lua" \
                              "http://127.0.0.1:$tgb/" -- "$work/fresh.RS256" $((r * per_slice)) "$per_slice" ;;
      baseline-invalid-RS256) run_row "$r" "$row" "$tgb" "$base_pid" \
                                -H "Authorization: Bearer $(cat "$work/invalid.RS256")" "http://127.0.0.1:$tgb/" ;;
      baseline-RS256) run_row "$r" "$row" "$tgb" "$base_pid" -H "Authorization: Bearer $(cat "$work/token.RS256")" \
                        "http://127.0.0.1:$tgb/" ;;
      upstream) run_row "$r" "$row" "$up" "$up_pid" "http://127.0.0.1:$up/" ;;
      nginx) run_row "$r" "$row" "$ref" "$ref_pid" "http://127.0.0.1:$ref/" ;;
      fresh-*) run_row "$r" "$row" "$tg" "$tg_pid" -s "$ROOT/bench/fresh_tokens.lua" "http://127.0.0.1:$tg/" \
                 -- "$work/fresh.${row#fresh-}" $((r * per_slice)) "$per_slice" ;;
      invalid-*) run_row "$r" "$row" "$tg" "$tg_pid" -H "Authorization: Bearer $(cat "$work/invalid.${row#invalid-}")" \
                   "http://127.0.0.1:$tg/" ;;
      *) run_row "$r" "$row" "$tg" "$tg_pid" -H "Authorization: Bearer $(cat "$work/token.$row")" "http://127.0.0.1:$tg/" ;;
    esac
  done
  echo "   round $((r + 1)) done (load $(cut -d' ' -f1 /proc/loadavg))" >&2
done
rss_after_load=$(awk '/VmRSS/ {print $2}' "/proc/$tg_pid/status")

echo "== openssl speed -seconds 3 rsa2048 ecdsap256" >&2
openssl speed -seconds 3 -mr rsa2048 ecdsap256 > "$work/openssl.txt" 2>&1

resources=""
if [ "${TG_SKIP_RESOURCES:-0}" != 1 ]; then
  echo "== resources: start to ready ×5, idle RSS, $idle_conns idle keep-alive connections" >&2
  ulimit -n "$(ulimit -Hn)"
  resources=$(/usr/bin/python3 "$ROOT/bench/resources.py" "$tg_bin" "$work/tokengate-res.json" "$tg2" "$adm2" \
                "$work/token.RS256" "$idle_conns" 5)
fi
printf '%s\n' "$resources" > "$work/resources.txt"

BENCH_LOAD_START="$load_start" BENCH_LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg) BENCH_RSS_AFTER="$rss_after_load" \
BENCH_CMD="bench/run.sh $secs $rounds $conns (TG_THREADS=$threads${TG_BASELINE_BIN:+, TG_BASELINE_BIN=$TG_BASELINE_BIN})" BENCH_TICKS=$(getconf CLK_TCK) \
/usr/bin/python3 - "$work" "$secs" "$rounds" "$conns" "$threads" <<'PY'
import os, statistics, sys
work, secs, rounds, conns, threads = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
ticks = int(os.environ["BENCH_TICKS"])

def ms(v):
    for unit, f in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if v.endswith(unit):
            return float(v[: -len(unit)]) * f
    return float(v)

rows = {}
for line in open(os.path.join(work, "results")):
    name, rnd, reqs, rps, p50, p99, user, sys_, upcpu, non2xx, hits, used = line.split()
    reqs = int(reqs)
    cpu = int(user) + int(sys_)
    rows.setdefault(name, []).append(dict(
        rps=float(rps), p50=ms(p50), p99=ms(p99), cpu=cpu / ticks * 1e6 / reqs,
        user=int(user) / ticks * 1e6 / reqs, sys=int(sys_) / ticks * 1e6 / reqs,
        up=int(upcpu) / ticks * 1e6 / reqs, cores=cpu / ticks / float(secs),
        non2xx=int(non2xx), hits=int(hits), used=used))
med = {k: {f: statistics.median(r[f] for r in v) for f in ("rps", "p50", "p99", "cpu", "user", "sys", "up", "cores")}
       for k, v in rows.items()}

ossl = {}
for line in open(os.path.join(work, "openssl.txt")):
    f = line.strip().split(":")
    if f[0] == "+F2" and f[2] == "2048": ossl["RS256"] = float(f[4])
    if f[0] == "+F4" and f[2] == "256": ossl["ES256"] = float(f[4])

res = {}
for line in open(os.path.join(work, "resources.txt")):
    if line.strip():
        k, v = line.split()
        res[k] = float(v)

ref = med["nginx"]
label = {"upstream": "wrk → upstream", "nginx": "wrk → nginx → upstream"}
print(f"bench/run.sh: {rounds} interleaved rounds of {secs} s per row, medians; wrk -t1 -c{conns}; "
      f"tokengate threads={threads}, nginx workers={threads}; nproc {os.cpu_count()}; "
      f"load average {os.environ['BENCH_LOAD_START']} at start, {os.environ['BENCH_LOAD_END']} at end")
print()
print("| row | req/s | p50 ms | p99 ms | proxy CPU µs/req (user + sys) | proxy cores busy | req/s ÷ nginx | p99 ÷ nginx | CPU ÷ nginx | notes |")
print("|---|--:|--:|--:|--:|--:|--:|--:|--:|---|")
for k in rows:
    m = med[k]
    notes = []
    if k == "upstream":
        cpu, cores, rr, pr, cr = "–", "–", "–", "–", "–"
        notes.append(f"upstream CPU {m['up']:.1f} µs/req")
    else:
        cpu, cores = f"{m['cpu']:.1f} ({m['user']:.1f} + {m['sys']:.1f})", f"{m['cores']:.2f}"
        rr, pr, cr = f"{m['rps'] / ref['rps']:.2f}", f"{m['p99'] / ref['p99']:.2f}", f"{m['cpu'] / ref['cpu']:.2f}"
    bad = sum(r["non2xx"] for r in rows[k])
    if "invalid" in k:
        notes.append("all answers 401" if bad > 0 else "no 401s seen!")
    elif bad:
        notes.append(f"{bad} non-2xx answers!")
    if "fresh-" in k:
        alg = k.split("-")[-1]
        hits = sum(r["hits"] for r in rows[k])
        notes.append(f"cache hits {hits}; tokens sent/slice {', '.join(r['used'] for r in rows[k])}")
        if alg in ossl:
            per_core = 1e6 / m["cpu"]
            notes.append(f"openssl verify {ossl[alg]:,.0f}/s per core; tokengate {per_core:,.0f} req per CPU-second "
                         f"= {per_core / ossl[alg]:.2f} of it")
    base = k.startswith("baseline-")
    short = k.removeprefix("baseline-")
    who = "baseline tokengate" if base else "tokengate"
    if short == "invalid-RS256":
        name = f"{who}, invalid RS256 (401)"
    elif k in label:
        name = label[k]
    else:
        name = f"{who}, {short.replace('fresh-', 'fresh ')}" + ("" if short.startswith("fresh") else " (cache warm)")
    print(f"| {name} | {m['rps']:,.0f} | {m['p50']:.2f} | {m['p99']:.2f} | {cpu} | {cores} | {rr} | {pr} | {cr} | {'; '.join(notes)} |")

if res:
    print()
    print("| resource (SPEC §10 target) | measured |")
    print("|---|--:|")
    print(f"| start → /readyz 200, local keys (< 100 ms) | {res['start_to_ready_ms_median']:.1f} ms median of 5 (max {res['start_to_ready_ms_max']:.1f}) |")
    print(f"| idle RSS (< 16 MiB) | {res['idle_rss_kib'] / 1024:.1f} MiB |")
    print(f"| RSS with {int(res['connections']):,} idle keep-alive connections (< 128 MiB) | "
          f"{res['connections_rss_kib'] / 1024:.1f} MiB ({res['per_connection_bytes']:,.0f} B per connection) |")
    print(f"| RSS after the connections closed | {res['after_close_rss_kib'] / 1024:.1f} MiB |")
    print(f"| RSS of the benchmarked instance after all rows | {int(os.environ['BENCH_RSS_AFTER']) / 1024:.1f} MiB |")
print()
print(f"command: {os.environ['BENCH_CMD']}")
PY
