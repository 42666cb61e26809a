#!/usr/bin/env bash
# tests/bench/http_bench.sh - lakehoused vs a bare libmicrohttpd server, same run.
#   wrk -t2 -c64 -d${DURATION:-10}s against GET /api/2.1/clusters/get?cluster_id=... (with
#   auth, access log on, going to /dev/null) and against bare_mhd answering a JSON body of
#   the same size with the same HTTP thread count. Prints req/s, p99 and the ratio.
# A benchmark, not a test: it reports numbers and asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "http_bench: needs wrk (apt-get install wrk)"; exit 1; }
cmake --build build -j"$(nproc)" --target lakehoused bare_mhd >/dev/null
DURATION=${DURATION:-10}
THREADS=${HTTP_THREADS:-$(nproc)}
TOKEN=dapi0123456789abcdef0123456789abcdef
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
DATA=$(mktemp -d); P1=$(port); P2=$(port)
LAKEHOUSE_ADMIN_TOKEN=$TOKEN build/lakehoused --listen 127.0.0.1:$P1 --data-dir "$DATA" --threads "$THREADS" 2>/dev/null &
LH=$!
trap 'kill $LH ${BARE:-} 2>/dev/null; rm -rf "$DATA"' EXIT
until curl -fsS http://127.0.0.1:$P1/healthz >/dev/null 2>&1; do sleep 0.01; done
auth=(-H "Authorization: Bearer $TOKEN")
CID=$(curl -fsS "${auth[@]}" -d '{"cluster_name":"bench","spark_version":"15.4.x-scala2.12","num_workers":1}' \
  http://127.0.0.1:$P1/api/2.1/clusters/create | sed -E 's/.*"cluster_id":"([^"]+)".*/\1/')
until curl -fsS "${auth[@]}" "http://127.0.0.1:$P1/api/2.1/clusters/get?cluster_id=$CID" | grep -q '"RUNNING"'; do sleep 0.01; done
SIZE=$(curl -fsS "${auth[@]}" "http://127.0.0.1:$P1/api/2.1/clusters/get?cluster_id=$CID" | wc -c)
build/bare_mhd "$P2" "$THREADS" "$SIZE" &
BARE=$!
sleep 0.2
run() { wrk -t2 -c64 -d"${DURATION}s" --latency "$@" 2>&1; }
parse_rps() { awk '/Requests\/sec/ {print $2}'; }
parse_p99() { awk '$1=="99%" {print $2}'; }
OUT1=$(run "${auth[@]}" "http://127.0.0.1:$P1/api/2.1/clusters/get?cluster_id=$CID")
OUT2=$(run "http://127.0.0.1:$P2/api/2.1/clusters/get?cluster_id=$CID")
R1=$(parse_rps <<<"$OUT1"); R2=$(parse_rps <<<"$OUT2")
L1=$(parse_p99 <<<"$OUT1"); L2=$(parse_p99 <<<"$OUT2")
E1=$(grep -E 'Non-2xx|Socket errors' <<<"$OUT1" || true)
printf '\nHTTP throughput (wrk -t2 -c64 -d%ss, %s HTTP threads, %s-byte JSON body)\n' "$DURATION" "$THREADS" "$SIZE"
printf '  %-34s %12s req/s   p99 %s\n' "lakehoused clusters/get (auth)" "$R1" "$L1"
printf '  %-34s %12s req/s   p99 %s\n' "bare libmicrohttpd" "$R2" "$L2"
printf '  ratio lakehoused/bare: %s\n' "$(awk -v a="$R1" -v b="$R2" 'BEGIN{printf "%.2f", a/b}')"
[ -z "$E1" ] || echo "  lakehoused errors: $E1"
