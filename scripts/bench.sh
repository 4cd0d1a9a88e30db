#!/usr/bin/env bash
# Benchmarks a Syncwire node against the raw Vert.x broadcast server on this machine.
#
# Both servers run pinned to CPU 0 (one JVM each, one usable core, fixed 1 GiB heap); the load
# generator runs pinned to CPU 1 and drives them one after the other, workload by workload, then
# prints one table. Results and logs go to bench-results/<timestamp>/.
#
#   scripts/bench.sh                       full run (about 5 minutes)
#   scripts/bench.sh --quick               smoke run (about 2 minutes)
#   scripts/bench.sh --workloads idle,storm   only some of: idle, storm, fanout
#
# Environment: BENCH_SYNCWIRE_JAR and BENCH_SYNCWIRE_CONF pick the Syncwire build under test (default:
# this tree's target/syncwire.jar and conf/node.json); BENCH_SYNCWIRE_PORT, BENCH_SYNCWIRE_ADMIN_PORT and
# BENCH_RAW_PORT the ports. (Not SYNCWIRE_*: the server reads those as config overrides.)
set -euo pipefail

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}

PROFILE=()
WORKLOADS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) PROFILE=(--quick) ;;
    --workloads) WORKLOADS=(--workloads "${2:?--workloads needs a list}"); shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

cd "$(dirname "$0")/.."
# The load generator and the raw server always come from this tree's jar.
BENCH_JAR=target/syncwire.jar
BENCH_SYNCWIRE_JAR=${BENCH_SYNCWIRE_JAR:-$BENCH_JAR}
BENCH_SYNCWIRE_CONF=${BENCH_SYNCWIRE_CONF:-conf/node.json}
BENCH_SYNCWIRE_PORT=${BENCH_SYNCWIRE_PORT:-18080}
BENCH_SYNCWIRE_ADMIN_PORT=${BENCH_SYNCWIRE_ADMIN_PORT:-18081}
BENCH_RAW_PORT=${BENCH_RAW_PORT:-18090}
SERVER_CPU=0
CLIENT_CPU=1

if [[ ! -f "$BENCH_JAR" ]]; then
  echo "building $BENCH_JAR" >&2
  mvn -q -B -DskipTests package
fi
if [[ ! -f "$BENCH_SYNCWIRE_JAR" ]]; then
  echo "no Syncwire jar at $BENCH_SYNCWIRE_JAR" >&2
  exit 1
fi

for port in "$BENCH_SYNCWIRE_PORT" "$BENCH_SYNCWIRE_ADMIN_PORT" "$BENCH_RAW_PORT"; do
  if ss -ltn "sport = :$port" | grep -q LISTEN; then
    echo "port $port is already in use; set BENCH_SYNCWIRE_PORT, BENCH_SYNCWIRE_ADMIN_PORT or BENCH_RAW_PORT" >&2
    exit 1
  fi
done

RESULTS="bench-results/$(date +%Y%m%d-%H%M%S)${PROFILE:+-quick}"
mkdir -p "$RESULTS"
echo "Syncwire under test: $BENCH_SYNCWIRE_JAR ($(sha1sum "$BENCH_SYNCWIRE_JAR" | cut -c1-12)), config $BENCH_SYNCWIRE_CONF" \
  | tee "$RESULTS/syncwire-build.txt" >&2

# Same JVM settings for both servers: one core, so Vert.x sizes itself to one event loop; a fixed heap,
# so heap readings are not disturbed by resizing. GC logs explain latency outliers.
SERVER_JVM=(taskset -c "$SERVER_CPU" java -XX:ActiveProcessorCount=1 -Xms1g -Xmx1g)

SERVER_PIDS=()
stop_servers() {
  for pid in "${SERVER_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${SERVER_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap stop_servers EXIT
trap 'exit 130' INT TERM

# taskset execs java, so $! is the JVM's own pid (needed for /proc and jcmd).
"${SERVER_JVM[@]}" -Xlog:gc:file="$RESULTS/syncwire-gc.log" \
  -Dsyncwire.http.host=127.0.0.1 \
  -Dsyncwire.http.port="$BENCH_SYNCWIRE_PORT" \
  -Dsyncwire.admin.port="$BENCH_SYNCWIRE_ADMIN_PORT" \
  -Dsyncwire.limits.commandRate=0 \
  -Dsyncwire.node.eventLoops=1 \
  -jar "$BENCH_SYNCWIRE_JAR" -conf "$BENCH_SYNCWIRE_CONF" >"$RESULTS/syncwire.log" 2>&1 &
SYNCWIRE_PID=$!
SERVER_PIDS+=("$SYNCWIRE_PID")

"${SERVER_JVM[@]}" -Xlog:gc:file="$RESULTS/raw-gc.log" \
  -cp "$BENCH_JAR" dev.syncwire.bench.RawBroadcastServer "$BENCH_RAW_PORT" >"$RESULTS/raw.log" 2>&1 &
RAW_PID=$!
SERVER_PIDS+=("$RAW_PID")

wait_ready() {
  local name=$1 port=$2 pid=$3
  for _ in $(seq 1 100); do
    if curl -fs -o /dev/null "http://127.0.0.1:$port/ready"; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$name exited during startup; see $RESULTS" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "$name not ready after 20 s; see $RESULTS" >&2
  exit 1
}
wait_ready Syncwire "$BENCH_SYNCWIRE_PORT" "$SYNCWIRE_PID"
wait_ready "raw Vert.x" "$BENCH_RAW_PORT" "$RAW_PID"

taskset -c "$CLIENT_CPU" java -XX:ActiveProcessorCount=1 -Xms2g -Xmx2g \
  -cp "$BENCH_JAR" dev.syncwire.bench.LoadGenerator \
  --host 127.0.0.1 \
  --syncwire-port "$BENCH_SYNCWIRE_PORT" --syncwire-pid "$SYNCWIRE_PID" \
  --raw-port "$BENCH_RAW_PORT" --raw-pid "$RAW_PID" \
  --clk-tck "$(getconf CLK_TCK)" \
  --out "$RESULTS" "${PROFILE[@]}" "${WORKLOADS[@]}" \
  2> >(tee "$RESULTS/progress.log" >&2)

echo "results: $RESULTS/results.md" >&2
