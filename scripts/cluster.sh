#!/usr/bin/env bash
# Starts a local cluster of N nodes (default 3) on this machine, for trying clustering out:
# node i serves clients on 8080+10*i and admin on 8081+10*i. Logs go to target/cluster-logs/.
# Ctrl-C stops them all. Extra -D settings can be passed in JAVA_OPTS.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-3}
if [[ ! -f target/syncwire.jar ]]; then
  mvn -q -B -DskipTests package
fi
mkdir -p target/cluster-logs
name="local-$$"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' EXIT INT TERM
for ((i = 0; i < n; i++)); do
  java ${JAVA_OPTS:-} -Dsyncwire.node.id=node$i -Dsyncwire.cluster.name="$name" \
    -Dsyncwire.http.port=$((8080 + 10 * i)) -Dsyncwire.admin.port=$((8081 + 10 * i)) \
    -jar target/syncwire.jar -conf conf/node.json -cluster > "target/cluster-logs/node$i.log" 2>&1 &
  pids+=($!)
  echo "node$i: clients http://localhost:$((8080 + 10 * i)), admin http://localhost:$((8081 + 10 * i)) (pid $!)"
done
echo "cluster $name: logs in target/cluster-logs/, Ctrl-C to stop"
wait
