#!/usr/bin/env bash
# Benchmarks Syncwire on this machine.
#
# The default workloads compare a Syncwire node with broadcast servers written the idiomatic way on other
# stacks: raw Vert.x (public API; once more with per-turn coalescing), Node's ws and Socket.IO 4.8 (from
# src/test/bench-peers, installed with npm ci on first use; left out, with a warning, when Node.js 20+ is
# missing). Every server runs pinned to CPU 0 (the JVMs with one usable core and a fixed 1 GiB heap); the
# load generator runs pinned to CPU 1 and drives them one after the other, workload by workload, then
# prints one table. The other
# workloads concern Syncwire alone and start their own nodes (pinned to CPU 0 likewise, all of them when
# there are several); the micro-benchmarks run in one JVM pinned to CPU 1. Results and logs go to
# bench-results/<timestamp>/, all tables to results.md there.
#
#   scripts/bench.sh                           full run of idle, storm, fanout (about 20 minutes)
#   scripts/bench.sh --quick                   smoke run of the same (about 8 minutes)
#   scripts/bench.sh --workloads LIST          some of the workloads, or "all":
#       idle, storm, fanout     Syncwire against the other servers (the default)
#       recovery                1,000 clients resubscribe with since after missing 500 publications (~1 min)
#       cluster                 3 nodes on one CPU against 1 node: fan-out, publish-to-ack, failover (~11 min)
#       publish                 3 nodes on one CPU against 1 node: pipelined publish throughput and CPU per publish,
#                               group commit on and off, backups on and off, publish-to-ack at 1,000 and
#                               10,000/s, one partition per node (~9 min)
#       http                    SSE and long-polling against WebSocket, 1 node and 3 behind HAProxy (~17 min)
#       coldstart               5,000-client storm on a node just started, bare and as shipped (CDS archive,
#                               warm-up), then warm (~2 min)
#       bridge                  a node and its own redis-server: PUBLISH and XADD to a WebSocket pub, latency at
#                               1,000 and 10,000/s and the highest rate each path sustains (~3 min; needs redis-server)
#       store                   the publish cases with channel logs in memory and in Redis (history.store), 1 node
#                               and 3, with a redis-server of its own (~8 min; needs redis-server)
#       client                  the Java client, each in a JVM of its own on the load generator's CPU: CPU per
#                               applied publication and the highest rate one subscriber applies in order (JSON and
#                               protobuf over WebSocket, SSE, against the raw subscriber), outbox publishes/s in
#                               memory and in a file, maxInFlight 1 and 64 (~8 min)
#       codec, history          the CodecBench and HistoryMemoryBench micro-benchmarks (~1 min each)
#       browser                 the browser client in Chromium: CPU per applied publication at 1k and 10k/s,
#                               draining 1,000 publications queued offline (~2 min; needs chromium, npm ci in src/test/js)
#
# The benchmark is target/syncwire-bench.jar (built with `mvn package -Pbench`, here when it is missing);
# the Syncwire under test is a server jar started as its own process.
#
# Environment: BENCH_SYNCWIRE_JAR and BENCH_SYNCWIRE_CONF pick the Syncwire build under test (default:
# this tree's target/syncwire.jar and conf/node.json); BENCH_SYNCWIRE_PORT, BENCH_SYNCWIRE_ADMIN_PORT and
# BENCH_RAW_PORT, BENCH_RAW_COALESCED_PORT, BENCH_WS_PORT and BENCH_SOCKETIO_PORT the ports of the default
# workloads; BENCH_HAPROXY the HAProxy binary (http workload);
# BENCH_NODE_JAVA_OPTS extra JVM options for the nodes of recovery, cluster, publish and http (e.g. to profile them),
# BENCH_CLIENT_JAVA_OPTS for the client JVMs of the client workload.
# (Not SYNCWIRE_*: the server reads those as config overrides.)
set -euo pipefail

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}

PROFILE=()
REQUESTED=idle,storm,fanout
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) PROFILE=(--quick) ;;
    --workloads) REQUESTED="${2:?--workloads needs a list}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
if [[ "$REQUESTED" == all ]]; then
  REQUESTED=idle,storm,fanout,recovery,cluster,publish,http,coldstart,bridge,store,client,codec,history,browser
fi

# Which tool runs which workload; each list keeps the order given within its tool.
COMPARED=()   # LoadGenerator: Syncwire against raw Vert.x
ALONE=()      # GatewayBench: Syncwire nodes it starts itself
MICRO=()      # single-JVM micro-benchmarks
BROWSER=false # the browser client in Chromium
IFS=',' read -r -a LIST <<<"$REQUESTED"
for w in "${LIST[@]}"; do
  case "$w" in
    idle|storm|fanout) COMPARED+=("$w") ;;
    recovery|cluster|publish|http|coldstart|bridge|store|client) ALONE+=("$w") ;;
    codec|history) MICRO+=("$w") ;;
    browser) BROWSER=true ;;
    *) echo "unknown workload: $w" >&2; usage >&2; exit 2 ;;
  esac
done

cd "$(dirname "$0")/.."
# The load generators, the raw server and the micro-benchmarks always come from this tree's benchmark jar
# (mvn package -Pbench); the server under test from BENCH_SYNCWIRE_JAR.
BENCH_JAR=target/syncwire-bench.jar
BENCH_SYNCWIRE_JAR=${BENCH_SYNCWIRE_JAR:-target/syncwire.jar}
BENCH_SYNCWIRE_CONF=${BENCH_SYNCWIRE_CONF:-conf/node.json}
BENCH_SYNCWIRE_PORT=${BENCH_SYNCWIRE_PORT:-18080}
BENCH_SYNCWIRE_ADMIN_PORT=${BENCH_SYNCWIRE_ADMIN_PORT:-18081}
BENCH_RAW_PORT=${BENCH_RAW_PORT:-18090}
BENCH_WS_PORT=${BENCH_WS_PORT:-18091}
BENCH_SOCKETIO_PORT=${BENCH_SOCKETIO_PORT:-18092}
BENCH_RAW_COALESCED_PORT=${BENCH_RAW_COALESCED_PORT:-18093}
PEERS_DIR=src/test/bench-peers
BENCH_HAPROXY=${BENCH_HAPROXY:-/usr/sbin/haproxy}
BENCH_NODE_JAVA_OPTS=${BENCH_NODE_JAVA_OPTS:-}
BENCH_CLIENT_JAVA_OPTS=${BENCH_CLIENT_JAVA_OPTS:-}
SERVER_CPU=0
CLIENT_CPU=1

if [[ ! -f "$BENCH_JAR" || ( "$BENCH_SYNCWIRE_JAR" == target/syncwire.jar && ! -f target/syncwire.jar ) ]]; then
  echo "building $BENCH_JAR and target/syncwire.jar" >&2
  mvn -q -B -DskipTests -Pbench package
fi
if [[ ! -f "$BENCH_SYNCWIRE_JAR" ]]; then
  echo "no Syncwire jar at $BENCH_SYNCWIRE_JAR" >&2
  exit 1
fi
if [[ ",${ALONE[*]-}," == *http* && ! -x "$BENCH_HAPROXY" ]]; then
  echo "the http workload needs HAProxy at $BENCH_HAPROXY (set BENCH_HAPROXY)" >&2
  exit 1
fi
if [[ ",${ALONE[*]-}," == *bridge* || ",${ALONE[*]-}," == *store* ]] && ! command -v redis-server >/dev/null; then
  echo "the bridge and store workloads need redis-server on the PATH" >&2
  exit 1
fi

NODE_PEERS=false
if [[ ${#COMPARED[@]} -gt 0 ]]; then
  for port in "$BENCH_SYNCWIRE_PORT" "$BENCH_SYNCWIRE_ADMIN_PORT" "$BENCH_RAW_PORT" "$BENCH_RAW_COALESCED_PORT" \
      "$BENCH_WS_PORT" "$BENCH_SOCKETIO_PORT"; do
    if ss -ltn "sport = :$port" | grep -q LISTEN; then
      echo "port $port is already in use; set the BENCH_*_PORT variables" >&2
      exit 1
    fi
  done
  if node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' 2>/dev/null; then
    if [[ ! -d "$PEERS_DIR/node_modules" ]]; then
      echo "installing the Node.js peers (npm ci in $PEERS_DIR)" >&2
      (cd "$PEERS_DIR" && npm ci --no-audit --no-fund --loglevel=error)
    fi
    NODE_PEERS=true
  else
    echo "warning: Node.js 20+ not found: the ws and Socket.IO servers are left out of this run" >&2
  fi
fi

RESULTS="bench-results/$(date +%Y%m%d-%H%M%S)${PROFILE:+-quick}"
mkdir -p "$RESULTS"
echo "Syncwire under test: $BENCH_SYNCWIRE_JAR ($(sha1sum "$BENCH_SYNCWIRE_JAR" | cut -c1-12)), config $BENCH_SYNCWIRE_CONF" \
  | tee "$RESULTS/syncwire-build.txt" >&2

# The load generators: one JVM, one visible CPU, a fixed heap.
CLIENT_JVM=(taskset -c "$CLIENT_CPU" java -XX:ActiveProcessorCount=1 -Xms2g -Xmx2g -cp "$BENCH_JAR")

SERVER_PIDS=()
stop_servers() {
  for pid in "${SERVER_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${SERVER_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  SERVER_PIDS=()
}
trap stop_servers EXIT
trap 'exit 130' INT TERM

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

# --- Syncwire against the other servers -------------------------------------------------------------------
if [[ ${#COMPARED[@]} -gt 0 ]]; then
  # Same JVM settings for both servers: one core, so Vert.x sizes itself to one event loop; a fixed heap,
  # so heap readings are not disturbed by resizing. GC logs explain latency outliers.
  SERVER_JVM=(taskset -c "$SERVER_CPU" java -XX:ActiveProcessorCount=1 -Xms1g -Xmx1g)

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

  "${SERVER_JVM[@]}" -Xlog:gc:file="$RESULTS/raw-coalesced-gc.log" \
    -cp "$BENCH_JAR" dev.syncwire.bench.RawBroadcastServer --coalesce "$BENCH_RAW_COALESCED_PORT" \
    >"$RESULTS/raw-coalesced.log" 2>&1 &
  RAW_COALESCED_PID=$!
  SERVER_PIDS+=("$RAW_COALESCED_PID")
  PEERS=(--peer "raw-coalesced:$BENCH_RAW_COALESCED_PORT:$RAW_COALESCED_PID")

  wait_ready Syncwire "$BENCH_SYNCWIRE_PORT" "$SYNCWIRE_PID"
  wait_ready "raw Vert.x" "$BENCH_RAW_PORT" "$RAW_PID"
  wait_ready "raw Vert.x, coalesced" "$BENCH_RAW_COALESCED_PORT" "$RAW_COALESCED_PID"

  if [[ "$NODE_PEERS" == true ]]; then
    # One Node.js process each, on the servers' CPU; --expose-gc lets GET /heap collect before reading.
    taskset -c "$SERVER_CPU" node --expose-gc "$PEERS_DIR/ws-broadcast.mjs" "$BENCH_WS_PORT" \
      >"$RESULTS/ws.log" 2>&1 &
    WS_PID=$!
    SERVER_PIDS+=("$WS_PID")
    taskset -c "$SERVER_CPU" node --expose-gc "$PEERS_DIR/socketio-broadcast.mjs" "$BENCH_SOCKETIO_PORT" \
      >"$RESULTS/socketio.log" 2>&1 &
    SOCKETIO_PID=$!
    SERVER_PIDS+=("$SOCKETIO_PID")
    wait_ready "Node ws" "$BENCH_WS_PORT" "$WS_PID"
    wait_ready Socket.IO "$BENCH_SOCKETIO_PORT" "$SOCKETIO_PID"
    PEERS+=(--peer "ws:$BENCH_WS_PORT:$WS_PID" --peer "socketio:$BENCH_SOCKETIO_PORT:$SOCKETIO_PID")
  fi

  COMPARED_LIST=$(IFS=,; echo "${COMPARED[*]}")
  "${CLIENT_JVM[@]}" dev.syncwire.bench.LoadGenerator \
    --host 127.0.0.1 \
    --syncwire-port "$BENCH_SYNCWIRE_PORT" --syncwire-pid "$SYNCWIRE_PID" \
    --raw-port "$BENCH_RAW_PORT" --raw-pid "$RAW_PID" "${PEERS[@]}" \
    --clk-tck "$(getconf CLK_TCK)" \
    --out "$RESULTS" "${PROFILE[@]}" --workloads "$COMPARED_LIST" \
    2> >(tee -a "$RESULTS/progress.log" >&2)
  stop_servers
fi

# --- Syncwire alone, on nodes the load generator starts (pinned to CPU 0) ----------------------------
if [[ ${#ALONE[@]} -gt 0 ]]; then
  ALONE_LIST=$(IFS=,; echo "${ALONE[*]}")
  "${CLIENT_JVM[@]}" dev.syncwire.bench.GatewayBench \
    --jar "$BENCH_SYNCWIRE_JAR" --conf "$BENCH_SYNCWIRE_CONF" --server-cpus "$SERVER_CPU" \
    --haproxy "$BENCH_HAPROXY" --node-java-opts "$BENCH_NODE_JAVA_OPTS" --client-java-opts "$BENCH_CLIENT_JAVA_OPTS" \
    --clk-tck "$(getconf CLK_TCK)" \
    --out "$RESULTS" "${PROFILE[@]}" --workloads "$ALONE_LIST" \
    2> >(tee -a "$RESULTS/progress.log" >&2)
fi

# --- Micro-benchmarks, pinned to CPU 1 ------------------------------------------------------------
for w in "${MICRO[@]}"; do
  case "$w" in
    # Both run on JMH (its progress goes to stderr); --quick shortens JMH's warm-up and measurement.
    codec)
      title="CodecBench: bytes and encode + decode cost of a pub, JSON against protobuf"
      cmd=(taskset -c "$CLIENT_CPU" java -XX:ActiveProcessorCount=1 -cp "$BENCH_JAR" dev.syncwire.bench.CodecBench
        "${PROFILE[@]}") ;;
    history)
      title="HistoryMemoryBench: heap per publication held in channel history, and the cost of an append"
      # --quick: 2,000 channels instead of 10,000, same 1,000 publications each.
      cmd=(taskset -c "$CLIENT_CPU" java -XX:ActiveProcessorCount=1 -Xmx6g -cp "$BENCH_JAR"
        dev.syncwire.bench.HistoryMemoryBench "${PROFILE[@]}") ;;
  esac
  echo "$(date +%T) running ${cmd[*]}" >&2
  out=$("${cmd[@]}" 2> >(tee -a "$RESULTS/progress.log" >&2))
  echo "$out"
  printf '### %s\n\n```\n%s\n```\n\n- Pinned to CPU %s; load average %s after.\n\n' "$title" "$out" "$CLIENT_CPU" \
    "$(cut -d' ' -f1 /proc/loadavg)" >>"$RESULTS/results.md"
done

# --- The browser client in Chromium (the node on CPU 0, Chromium and the publisher on CPU 1) -------
if [[ "$BROWSER" == true ]]; then
  if [[ ! -d src/test/js/node_modules ]]; then
    (cd src/test/js && npm ci --no-audit --no-fund --loglevel=error)
  fi
  echo "$(date +%T) running the browser client benchmark" >&2
  out=$(BENCH_NODE_CPUS=$SERVER_CPU taskset -c "$CLIENT_CPU" node src/test/js/browser/bench.mjs run "${PROFILE[@]}" \
    2> >(tee -a "$RESULTS/progress.log" >&2))
  echo "$out"
  printf '### The browser client in Chromium\n\n%s\n\n' "$out" >>"$RESULTS/results.md"
fi

echo "results: $RESULTS/results.md" >&2
