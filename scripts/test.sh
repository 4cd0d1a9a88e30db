#!/usr/bin/env bash
# Runs every test: unit and in-process integration tests (surefire), tests of the packaged jar
# (failsafe), then the browser client's tests (Node 20 or later), which start the packaged jar.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B verify "$@"
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' 2>/dev/null; then
  echo "the browser client's tests need Node.js 20 or later (node not found or older)" >&2
  exit 1
fi
node --test src/test/js/
