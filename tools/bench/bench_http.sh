#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench_http: p50/p99 latency and requests/s of the API the panel calls, with 50 concurrent
# clients (Debian's wrk on loopback), while the modems are busy sending a 10,000-recipient
# campaign and 1,000,000 messages are stored. Not a test (minutes long); prints figures.
#
#   tools/bench/bench_http.sh [BUILD_DIR] [--duration S] [--connections N] [--modems N]
#
# BUILD_DIR (default build/) must hold cunxin, cunxin-modemsim and bench_store. The database is
# made once by `bench_store --messages 1000000 --keep` (the store benchmark's own generator:
# 1,000,000 messages, 10,000 contacts, a running 10,000-recipient campaign) and cached in
# BUILD_DIR/bench-http/db/; each run works on a copy. Endpoints, each for --duration seconds:
#   dashboard  GET /api/v1/dashboard                      (the panel's first page)
#   inbox      GET /api/v1/messages?direction=in&limit=50 (the inbox page)
#   health     GET /api/v1/health                         (peer: the server's own floor, one tiny query)
#   static     GET /js/h.js                               (peer: an embedded asset, no database)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build
duration=20
connections=50
modems=4
while [ $# -gt 0 ]; do
  case $1 in
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --modems) modems=$2; shift 2 ;;
    -h|--help) sed -n 3,16p "$0"; exit 0 ;;
    *) build=$(cd "$1" && pwd); shift ;;
  esac
done

cunxin=$build/firmware/app/cunxin
sim=$build/tools/modemsim/cunxin-modemsim
bench_store=$build/tools/bench/bench_store
for f in "$cunxin" "$sim" "$bench_store"; do
  [ -x "$f" ] || { echo "bench_http: $f missing (build it first)" >&2; exit 2; }
done
command -v wrk >/dev/null || { echo "bench_http: wrk missing (apt-get install wrk)" >&2; exit 2; }

cache=$build/bench-http
work=$cache/run
mkdir -p "$cache"

# 1. The 1,000,000-message database, made once.
if [ ! -f "$cache/db/bench.db" ] || [ ! -f "$cache/db/.complete" ]; then
  echo "== generating the database (bench_store --messages 1000000; once, cached in $cache/db)"
  start=$(date +%s)
  "$bench_store" --messages 1000000 --dir "$cache/db" --keep > "$cache/bench_store.log"
  echo "   done in $(( $(date +%s) - start )) s"
  touch "$cache/db/.complete"
fi

# 2. A working copy, simulated modems, an API token, the daemon.
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
rm -rf "$work"
mkdir -p "$work/modems"
cp --reflink=auto "$cache/db/bench.db" "$work/cunxin.db"
total=$(sqlite3 "$work/cunxin.db" 'SELECT count(*) FROM messages' 2>/dev/null || echo "?")
# bench_store leaves its synthetic history's outgoing segments queued with placeholder PDUs that
# a modem refuses at once (+CMS ERROR 304); on air they would be ~150 instant failures a second,
# not the field's load. They are closed here, on the copy, so the modems are busy with the
# running 10,000-recipient campaign (real PDUs from the outbox) only.
sqlite3 "$work/cunxin.db" "UPDATE segments SET status='failed', last_error='bench: synthetic history'
  WHERE status='queued' AND message_id IN (SELECT id FROM messages WHERE campaign_id IS NULL)"
"$sim" --modems "$modems" --latency-ms 200 --link-dir "$work/modems" > "$work/sim.json" 2> "$work/sim.log" &
pids+=($!)
for _ in $(seq 100); do [ -e "$work/modems/modem$((modems - 1))" ] && break; sleep 0.1; done
token=$("$cunxin" token create --data-dir "$work" --name bench --role admin)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/config.json" <<JSON
{"sim_limits": {"per_minute": 0, "per_hour": 0, "per_day": 0}, "log_level": "warn",
 "http_limits": {"max_per_address": 1000, "max_requests": 1000000}}
JSON
args=(run --config "$work/config.json" --data-dir "$work" --listen "127.0.0.1:$port")
for i in $(seq 0 $((modems - 1))); do args+=(--modem "$work/modems/modem$i"); done
"$cunxin" "${args[@]}" > "$work/daemon.log" 2>&1 &
pids+=($!)
base=http://127.0.0.1:$port
health() { curl -sf "$base/api/v1/health" || true; }
ready=0
for _ in $(seq 300); do
  ready=$(health | python3 -c 'import json,sys
try: print(json.load(sys.stdin)["modems"])
except Exception: print(0)')
  [ "$ready" = "$modems" ] && break
  sleep 0.2
done
[ "$ready" = "$modems" ] || { echo "bench_http: daemon not ready; log:" >&2; cat "$work/daemon.log" >&2; exit 1; }

queued() { health | python3 -c 'import json,sys; print(json.load(sys.stdin)["queued_segments"])'; }
sent() { curl -sf -H "Authorization: Bearer $token" "$base/api/v1/modems" |
  python3 -c 'import json,sys; d=json.load(sys.stdin); d=d.get("items",d) if isinstance(d,dict) else d; print(sum(m.get("sent_today",0) for m in d))'; }
q0=$(queued); s0=$(sent); t0=$(date +%s)
echo "== cunxin run on 127.0.0.1:$port: $total messages stored, $modems simulated modems (AT+CMGS 200 ms),"
echo "   $q0 segments queued (the running campaign), wrk -t2 -c$connections -d${duration}s per endpoint"

declare -A path=(
  [dashboard]="/api/v1/dashboard"
  [inbox]="/api/v1/messages?direction=in&limit=50"
  [health]="/api/v1/health"
  [static]="/js/h.js"
)
results=()
for name in dashboard inbox health static; do
  # Check the endpoint answers 200 with the token before loading it.
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base${path[$name]}")
  [ "$code" = 200 ] || { echo "bench_http: $name answered $code" >&2; exit 1; }
  line=$(CUNXIN_TOKEN=$token wrk -t2 -c"$connections" -d"${duration}s" --timeout 10s --latency \
           -s "$root/tools/bench/bench_http.lua" "$base${path[$name]}" | tee "$work/wrk-$name.txt" | grep '^RESULT')
  results+=("$name ${line#RESULT }")
done
q1=$(queued); s1=$(sent); t1=$(date +%s)
# The dashboard is computed at most once a second and shared; its own cost, computed afresh:
cold=""
for _ in 1 2 3 4 5; do
  sleep 1.1
  cold+=" $(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" "$base/api/v1/dashboard")"
done

echo
printf '%-10s %-42s %9s %9s %9s %9s %7s\n' endpoint path p50_ms p99_ms max_ms req/s errors
for r in "${results[@]}"; do
  set -- $r
  name=$1; shift
  declare -A v=()
  for kv in "$@"; do v[${kv%%=*}]=${kv#*=}; done
  printf '%-10s %-42s %9s %9s %9s %9s %7s\n' "$name" "${path[$name]}" "${v[p50_ms]}" "${v[p99_ms]}" \
    "${v[max_ms]}" "${v[rps]}" "$(( ${v[errors]} + ${v[non2xx]} ))"
done
echo
echo "dashboard computed afresh, 5 times 1.1 s apart (ms):$(for x in $cold; do awk -v x="$x" 'BEGIN { printf " %.1f", x * 1000 }'; done)"
rate=$(awk -v n=$((s1 - s0)) -v t=$((t1 - t0)) 'BEGIN { print n / t }')
printf 'modems during the load: %d segments in %d s = %.1f/s (unloaded ceiling %d x 1000/200 ms = %d/s); load average: %s\n' \
  $((s1 - s0)) $((t1 - t0)) "$rate" "$modems" $((modems * 5)) "$(cut -d' ' -f1-3 /proc/loadavg)"
