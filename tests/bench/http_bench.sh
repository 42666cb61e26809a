#!/usr/bin/env bash
# tests/bench/http_bench.sh - lakehoused vs a bare libmicrohttpd server, same run, over
# plain HTTP and over HTTPS (TLS=0 skips the HTTPS pair).
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
DATA=$(mktemp -d)
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null; rm -rf "$DATA"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
  -keyout "$DATA/key.pem" -out "$DATA/cert.pem" >/dev/null 2>&1
auth=(-H "Authorization: Bearer $TOKEN")
run() { wrk -t2 -c64 -d"${DURATION}s" --latency "$@" 2>&1; }
parse_rps() { awk '/Requests\/sec/ {print $2}'; }
parse_p99() { awk '$1=="99%" {print $2}'; }

# pair SCHEME [lakehoused TLS flags...]: one lakehoused and one bare_mhd, measured in turn.
pair() {
  local scheme=$1; shift
  local p1 p2 dd; p1=$(port); p2=$(port); dd=$(mktemp -d -p "$DATA")
  LAKEHOUSE_ADMIN_TOKEN=$TOKEN build/lakehoused --listen 127.0.0.1:$p1 --data-dir "$dd" --threads "$THREADS" "$@" 2>/dev/null &
  PIDS+=($!)
  until curl -kfsS "$scheme://127.0.0.1:$p1/healthz" >/dev/null 2>&1; do sleep 0.01; done
  local base="$scheme://127.0.0.1:$p1/api/2.1/clusters"
  local cid; cid=$(curl -kfsS "${auth[@]}" -d '{"cluster_name":"bench","spark_version":"15.4.x-scala2.12","num_workers":1}' \
    "$base/create" | sed -E 's/.*"cluster_id":"([^"]+)".*/\1/')
  until curl -kfsS "${auth[@]}" "$base/get?cluster_id=$cid" | grep -q '"RUNNING"'; do sleep 0.01; done
  local size; size=$(curl -kfsS "${auth[@]}" "$base/get?cluster_id=$cid" | wc -c)
  local tls=(); [ "$scheme" = https ] && tls=("$DATA/cert.pem" "$DATA/key.pem")
  build/bare_mhd "$p2" "$THREADS" "$size" "${tls[@]}" &
  PIDS+=($!)
  sleep 0.2
  local o1 o2 r1 r2
  o1=$(run "${auth[@]}" "$base/get?cluster_id=$cid")
  o2=$(run "$scheme://127.0.0.1:$p2/api/2.1/clusters/get?cluster_id=$cid")
  r1=$(parse_rps <<<"$o1"); r2=$(parse_rps <<<"$o2")
  printf '\n%s (wrk -t2 -c64 -d%ss, %s HTTP threads, %s-byte JSON body)\n' "${scheme^^}" "$DURATION" "$THREADS" "$size"
  printf '  %-34s %12s req/s   p99 %s\n' "lakehoused clusters/get (auth)" "$r1" "$(parse_p99 <<<"$o1")"
  printf '  %-34s %12s req/s   p99 %s\n' "bare libmicrohttpd" "$r2" "$(parse_p99 <<<"$o2")"
  printf '  ratio lakehoused/bare: %s\n' "$(awk -v a="$r1" -v b="$r2" 'BEGIN{printf "%.2f", a/b}')"
  grep -E 'Non-2xx|Socket errors' <<<"$o1" | sed 's/^/  lakehoused errors: /' || true
}
pair http
[ "${TLS:-1}" = 0 ] || pair https --tls-cert "$DATA/cert.pem" --tls-key "$DATA/key.pem"
