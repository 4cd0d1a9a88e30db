#!/usr/bin/env bash
# Starts one Syncwire node on the embedded defaults (conf/node.json): clients on :8080, admin on :8081.
# Builds the jar first if it is missing. Extra arguments go to the launcher (for example -conf other.json).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f target/syncwire.jar ]]; then
  mvn -q -B -DskipTests package
fi
exec java ${JAVA_OPTS:-} -jar target/syncwire.jar "$@"
