#!/usr/bin/env bash
# Starts one Syncwire node on the embedded defaults (conf/node.json): clients on :8080, admin on :8081.
# Builds the jar first if it is missing. JVM options (-D..., -X...) go to java, before -jar, so that
# -Dsyncwire.<key>=<value> overrides a configuration key; the other arguments go to the launcher (for
# example -conf other.json, --help).
set -euo pipefail
cd "$(dirname "$0")/.."
jvm=()
args=()
for a in "$@"; do
  case "$a" in
    -D*|-X*|-javaagent:*|-agentlib:*|-agentpath:*) jvm+=("$a") ;;
    *) args+=("$a") ;;
  esac
done
if [[ ! -f target/syncwire.jar ]]; then
  echo "building target/syncwire.jar (first run, about 2 minutes)" >&2
  mvn -q -B -DskipTests package
fi
exec java ${JAVA_OPTS:-} ${jvm[@]+"${jvm[@]}"} -jar target/syncwire.jar ${args[@]+"${args[@]}"}
