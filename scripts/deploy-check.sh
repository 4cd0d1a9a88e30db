#!/usr/bin/env bash
# Runs the deployment of docker/ without Docker, on loopback: three clustered nodes from
# target/syncwire.jar, with the cluster.xml the image gets, behind the real HAProxy and nginx, with
# redis-server and Prometheus, each proxy and Prometheus given its docker/ file with only host names and
# ports rewritten (so a change to docker/haproxy.cfg is what gets tested). The configurations are
# checked first (haproxy -c, nginx -t, promtool check config). Then WebSocket, SSE and long-poll
# traffic goes through both proxies, and Prometheus must hold the series its scrape job keeps.
# Needs java, node (with src/test/js/node_modules), haproxy, nginx, redis-server and prometheus
# (.ci/run installs them). Everything lives in a temporary folder and is stopped on exit; nothing
# listens on a fixed port. DEPLOY_CHECK_KEEP=1 keeps the folder; JAVA_OPTS go to the nodes.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin"
begin=$SECONDS

failure=""
die() {
  failure="$*"
  echo "deploy-check: $*" >&2
  exit 1
}

for tool in java node haproxy nginx redis-server redis-cli prometheus promtool; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found (.ci/run installs it)"
done
[[ -f target/syncwire.jar ]] || die "no target/syncwire.jar: build it with mvn -B -DskipTests package"
[[ -d src/test/js/node_modules/ws ]] || die "no ws package: run npm ci in src/test/js"

# A SYNCWIRE_* variable would win over the settings below (and every node would get it).
while read -r name; do unset "$name"; done < <(compgen -e | grep '^SYNCWIRE_' || true)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/deploy-check.XXXXXX")
# nginx's workers run as an unprivileged user when started as root: they must reach their files here.
chmod 755 "$tmp"
pids=()

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if ((${#pids[@]})); then
    kill "${pids[@]}" 2>/dev/null || true
    # Nodes drain on SIGTERM; a test cluster need not wait for that.
    for ((i = 0; i < 20; i++)); do
      local running=0
      for pid in "${pids[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then running=1; fi
      done
      ((running)) || break
      sleep 0.25
    done
    kill -9 "${pids[@]}" 2>/dev/null || true
  fi
  if ((status != 0)); then
    for f in "$tmp"/*.log "$tmp"/nginx/error.log; do
      [[ -s $f ]] || continue
      echo "----- last lines of $(basename "$f")" >&2
      tail -n 12 "$f" | cut -c 1-300 >&2
    done
    echo "deploy-check: FAILED${failure:+: $failure}" >&2
  fi
  if [[ ${DEPLOY_CHECK_KEEP:-} == 1 ]]; then
    echo "deploy-check: files kept in $tmp" >&2
  else
    rm -rf "$tmp"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'failure=interrupted; exit 130' INT
trap 'failure="stopped (SIGTERM)"; exit 143' TERM

helper() {
  node src/test/js/deploy/deploy-check.mjs "$@" 2>"$tmp/helper.err" || die "$(sed 's/^deploy-check: //' "$tmp/helper.err")"
}

# Copies docker/$1 to $2 with each literal "from" replaced by its "to" (pairs after $2); a "from" the
# file no longer contains fails the check rather than testing something else.
rewrite() {
  local source=docker/$1 target=$2 text
  shift 2
  text=$(<"$source")
  while (($#)); do
    [[ $text == *"$1"* ]] || die "$source no longer contains '$1'; update scripts/deploy-check.sh"
    text=${text//"$1"/"$2"}
    shift 2
  done
  if grep -n 'node[0-9]:' <<<"$text" >&2; then
    die "$source names nodes that scripts/deploy-check.sh does not start (above)"
  fi
  printf '%s\n' "$text" >"$target"
}

read -r -a port <<<"$(helper ports 14)"
http=("${port[@]:0:3}")
admin=("${port[@]:3:3}")
hazelcast=("${port[@]:6:3}")
haproxy_port=${port[9]} stats_port=${port[10]} nginx_port=${port[11]} redis_port=${port[12]}
prometheus_port=${port[13]}
key="deploy-check-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
cluster="deploy-check-$$-$RANDOM"
echo "deploy-check: files in $tmp, cluster $cluster"

# --- configurations, generated from docker/ and checked before anything starts
mkdir -p "$tmp/nginx" "$tmp/prometheus" "$tmp/redis"
rewrite haproxy.cfg "$tmp/haproxy.cfg" \
  "bind :8080" "bind 127.0.0.1:$haproxy_port" "bind :8404" "bind 127.0.0.1:$stats_port" \
  "node1:8080" "127.0.0.1:${http[0]}" "node2:8080" "127.0.0.1:${http[1]}" "node3:8080" "127.0.0.1:${http[2]}"
# The temp paths only move nginx's scratch files out of the system folders.
rewrite nginx.conf "$tmp/nginx/nginx.conf" \
  "listen 80;" "listen 127.0.0.1:$nginx_port;" \
  "node1:8080" "127.0.0.1:${http[0]}" "node2:8080" "127.0.0.1:${http[1]}" "node3:8080" "127.0.0.1:${http[2]}" \
  "http {" "http {
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;"
rewrite prometheus.yml "$tmp/prometheus/prometheus.yml" \
  "'node1:8081'" "'127.0.0.1:${admin[0]}'" "'node2:8081'" "'127.0.0.1:${admin[1]}'" \
  "'node3:8081'" "'127.0.0.1:${admin[2]}'"
# The nodes get the image's cluster.xml: the repository's, through the Dockerfile's own sed line.
program=$(sed -n "s|^RUN sed -e '\(.*\)' cluster.xml > target/cluster.xml.*|\1|p" docker/Dockerfile)
[[ -n $program ]] || die "docker/Dockerfile has no line RUN sed -e '...' cluster.xml > target/cluster.xml"
sed -e "$program" cluster.xml >"$tmp/cluster.xml"
if grep -q '<interfaces enabled' "$tmp/cluster.xml"; then
  die "the Dockerfile's sed line leaves <interfaces> in cluster.xml"
fi

nginx_args=(-e "$tmp/nginx/error.log" -p "$tmp/nginx/" -c "$tmp/nginx/nginx.conf")
nginx_globals="pid $tmp/nginx/nginx.pid;"
haproxy -c -f "$tmp/haproxy.cfg" >"$tmp/haproxy-check.log" 2>&1 || die "haproxy -c refuses docker/haproxy.cfg: $(cat "$tmp/haproxy-check.log")"
nginx -t -q "${nginx_args[@]}" -g "$nginx_globals" >"$tmp/nginx-check.log" 2>&1 || die "nginx -t refuses docker/nginx.conf: $(cat "$tmp/nginx-check.log")"
promtool check config "$tmp/prometheus/prometheus.yml" >"$tmp/promtool.log" 2>&1 || die "promtool refuses docker/prometheus.yml: $(cat "$tmp/promtool.log")"
echo "deploy-check: haproxy -c, nginx -t and promtool check config accept the generated configurations"

# --- processes
redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$tmp/redis" --save "" --appendonly no >"$tmp/redis.log" 2>&1 &
pids+=($!)

members="127.0.0.1:${hazelcast[0]},127.0.0.1:${hazelcast[1]},127.0.0.1:${hazelcast[2]}"
node_pids=()
for i in 0 1 2; do
  # shellcheck disable=SC2086 # JAVA_OPTS holds several options
  java ${JAVA_OPTS:--Xmx256m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError} \
    -Dsyncwire.node.id=node$((i + 1)) -Dsyncwire.cluster.name="$cluster" \
    -Dsyncwire.cluster.config="$tmp/cluster.xml" -Dsyncwire.cluster.members="$members" \
    -Dsyncwire.cluster.port="${hazelcast[i]}" \
    -Dsyncwire.http.host=127.0.0.1 -Dsyncwire.http.port="${http[i]}" \
    -Dsyncwire.admin.host=127.0.0.1 -Dsyncwire.admin.port="${admin[i]}" -Dsyncwire.admin.key="$key" \
    -jar target/syncwire.jar -conf conf/node.json -cluster >"$tmp/node$((i + 1)).log" 2>&1 &
  pids+=($!)
  node_pids+=($!)
done

prometheus --config.file="$tmp/prometheus/prometheus.yml" --storage.tsdb.path="$tmp/prometheus/data" \
  --web.listen-address="127.0.0.1:$prometheus_port" >"$tmp/prometheus.log" 2>&1 &
pids+=($!)

for ((i = 0; i < 50; i++)); do
  [[ $(redis-cli -p "$redis_port" ping 2>/dev/null) == PONG ]] && break
  sleep 0.2
done
[[ $(redis-cli -p "$redis_port" ping 2>/dev/null) == PONG ]] || die "redis-server does not answer PING within 10 s"
echo "deploy-check: redis-server answers PING"

for i in 0 1 2; do
  helper ready "http://127.0.0.1:${http[i]}/ready" 120 "${node_pids[@]}"
done
for i in 0 1 2; do
  helper members "http://127.0.0.1:${http[i]}/info" 3 60
done
echo "deploy-check: three nodes ready in one cluster after $((SECONDS - begin)) s"

haproxy -db -f "$tmp/haproxy.cfg" >"$tmp/haproxy.log" 2>&1 &
pids+=($!)
nginx "${nginx_args[@]}" -g "daemon off; $nginx_globals" >"$tmp/nginx.log" 2>&1 &
pids+=($!)
helper ready "http://127.0.0.1:$haproxy_port/ready" 20 "${pids[-2]}"
helper ready "http://127.0.0.1:$nginx_port/ready" 20 "${pids[-1]}"
helper ready "http://127.0.0.1:$prometheus_port/-/ready" 60
echo "deploy-check: HAProxy, nginx and Prometheus up"

# --- traffic through both proxies at once, then what Prometheus scraped meanwhile
node src/test/js/deploy/deploy-check.mjs traffic haproxy "http://127.0.0.1:$haproxy_port" "http://127.0.0.1:${admin[0]}" "$key" >"$tmp/traffic-haproxy.out" 2>&1 &
traffic_haproxy=$!
pids+=($!)
node src/test/js/deploy/deploy-check.mjs traffic nginx "http://127.0.0.1:$nginx_port" "http://127.0.0.1:${admin[1]}" "$key" >"$tmp/traffic-nginx.out" 2>&1 &
traffic_nginx=$!
pids+=($!)
failed=()
wait "$traffic_haproxy" || failed+=(haproxy)
wait "$traffic_nginx" || failed+=(nginx)
cat "$tmp/traffic-haproxy.out" "$tmp/traffic-nginx.out"
((${#failed[@]} == 0)) || die "traffic through ${failed[*]} failed (above)"

helper prometheus "http://127.0.0.1:$prometheus_port" 60 ws_active_connections ws_dropped_frames ws_reconnect_rate

echo "deploy-check: passed in $((SECONDS - begin)) s"
