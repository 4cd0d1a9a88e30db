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
# The build's class-data-sharing archive (target/syncwire.jsa) makes a cold start cheaper; it belongs to
# this very jar, so an older one is left out (the JVM would refuse it with a warning anyway).
cds=()
if [[ target/syncwire.jsa -nt target/syncwire.jar ]]; then
  cds=(-XX:SharedArchiveFile=target/syncwire.jsa -Xlog:cds=off -Xlog:cds+dynamic=off)
fi
exec java ${JAVA_OPTS:-} ${cds[@]+"${cds[@]}"} ${jvm[@]+"${jvm[@]}"} -jar target/syncwire.jar ${args[@]+"${args[@]}"}
