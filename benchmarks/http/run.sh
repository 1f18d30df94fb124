#!/usr/bin/env bash
# HTTP ingest benchmark: starts tally.jar on a fresh data dir, registers the purchase schema and three
# metrics, then drives it with wrk (Debian package `wrk`) on loopback: batched and single-event ingest.
# Usage: benchmarks/http/run.sh [duration, default 20s]; JAVA_OPTS are added to the server's java command (e.g. a JFR
# recording), ALTERNATIVE=0 skips the JDK HttpServer half.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-20s}
PORT=18181
DATA=$(mktemp -d /tmp/tally-http-bench-XXXX)
ADMIN=bench-admin-key-$RANDOM$RANDOM
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 2; }
TALLY_ADMIN_KEY=$ADMIN java -Xmx1g ${JAVA_OPTS:-} -jar http-server/target/tally.jar serve --port $PORT --data-dir "$DATA" \
  > "$DATA/server.log" 2>&1 &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 100); do curl -sf localhost:$PORT/ready >/dev/null && break; sleep 0.1; done
KEYS=$(curl -sf -X POST localhost:$PORT/v1/projects -H "Authorization: Bearer $ADMIN" -d '{"projectId":"bench"}')
key() { python3 -c "import json,sys; print(json.loads(sys.argv[1])['keys']['$1'])" "$KEYS"; }
INGEST=$(key ingest); ADMIN_KEY=$(key admin)
curl -sf -X POST localhost:$PORT/v1/schemas/purchase -H "Authorization: Bearer $ADMIN_KEY" -d '{"type":"object","properties":{
  "productId":{"type":"string","required":true},"amount":{"type":"number","minimum":0,"required":true},
  "currency":{"type":"string","enum":["USD","EUR"],"required":true}}}' >/dev/null
for m in '{"name":"revenue","eventType":"purchase","aggregation":"sum","property":"amount","dimensions":["country","device"]}' \
         '{"name":"purchases","eventType":"purchase","aggregation":"count","dimensions":["country","device"]}' \
         '{"name":"buyers","eventType":"purchase","aggregation":"unique","dimensions":["country","device"]}'; do
  curl -sf -X POST localhost:$PORT/v1/metrics -H "Authorization: Bearer $ADMIN_KEY" -d "$m" >/dev/null
done
# Every wrk invocation gets its own id prefix (RUN); after each load the server's own counters show how the events
# were answered (accepted / duplicate / rejected), so a run that measured duplicates would show it.
wrk() { RUN=$(date +%s%N) command wrk "$@"; }
outcomes() { curl -sf "localhost:$1/metrics" | grep '^tally_ingest_events_total' | sed 's/^/   server: /' || true; }
echo "== warm-up"; TALLY_KEY=$INGEST BATCH=200 wrk -t2 -c16 -d5s -s benchmarks/http/batch.lua http://127.0.0.1:$PORT >/dev/null
echo "== batched ingest: 200 events per request, 2 threads, 32 connections, $DURATION"
TALLY_KEY=$INGEST BATCH=200 wrk -t2 -c32 -d"$DURATION" --latency -s benchmarks/http/batch.lua http://127.0.0.1:$PORT
outcomes $PORT
echo "== single-event ingest: 2 threads, 64 connections, $DURATION"
TALLY_KEY=$INGEST wrk -t2 -c64 -d"$DURATION" --latency -s benchmarks/http/single.lua http://127.0.0.1:$PORT
outcomes $PORT
HALF_RATE=${HALF_RATE:-12000}
echo "== single-event ingest paced near $HALF_RATE requests/s (about half the maximum), 64 connections, $DURATION"
TALLY_KEY=$INGEST RATE=$HALF_RATE CONNECTIONS=64 wrk -t2 -c64 -d"$DURATION" --latency -s benchmarks/http/single.lua http://127.0.0.1:$PORT
outcomes $PORT

if [ "${ALTERNATIVE:-1}" = "1" ]; then
  kill -TERM $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true
  ALT_DATA=$(mktemp -d /tmp/tally-http-alt-XXXX)
  java -Xmx1g -Dsun.net.httpserver.nodelay=true -jar benchmarks/target/tally-bench.jar jdk-http --port $((PORT + 1)) --data-dir "$ALT_DATA" > "$ALT_DATA/server.log" 2>&1 &
  ALT=$!
  trap 'kill -TERM $ALT 2>/dev/null; wait $ALT 2>/dev/null; rm -rf "$DATA" "$ALT_DATA"' EXIT
  for _ in $(seq 1 100); do grep -q "listening" "$ALT_DATA/server.log" 2>/dev/null && break; sleep 0.1; done
  ALT_KEY=$(sed -n 's/^ingest-key //p' "$ALT_DATA/server.log")
  echo "== ALTERNATIVE (JDK com.sun.net.httpserver, same engine calls): warm-up"
  TALLY_KEY=$ALT_KEY BATCH=200 wrk -t2 -c16 -d5s -s benchmarks/http/batch.lua http://127.0.0.1:$((PORT + 1)) >/dev/null
  echo "== ALTERNATIVE batched ingest: 200 events per request, 2 threads, 32 connections, $DURATION"
  TALLY_KEY=$ALT_KEY BATCH=200 wrk -t2 -c32 -d"$DURATION" --latency -s benchmarks/http/batch.lua http://127.0.0.1:$((PORT + 1))
  echo "== ALTERNATIVE single-event ingest: 2 threads, 64 connections, $DURATION"
  TALLY_KEY=$ALT_KEY wrk -t2 -c64 -d"$DURATION" --latency -s benchmarks/http/single.lua http://127.0.0.1:$((PORT + 1))
fi

# The same events through the engine's Java API in one JVM (no HTTP): the in-process figure the HTTP overhead
# ratio divides by, measured in this run.
echo "== IN-PROCESS ingest (tally-bench ingest, the same purchase events and metrics, no HTTP)"
java -Xmx1g -jar benchmarks/target/tally-bench.jar ingest --events 2000000 --skip-raw
