#!/usr/bin/env bash
# Runs every test: unit and in-process integration tests (surefire), tests of the packaged jar
# (failsafe), then the browser client's tests (Node 20.11 or later), which start the packaged jar, in Node
# and in Chromium. Their npm packages (playwright-core, ws) and the benchmark's Node.js peers (ws,
# Socket.IO), which a test drives, are installed first when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
# 20.11 is the first Node 20 with --test-timeout.
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 11) ? 0 : 1)' 2>/dev/null; then
  echo "the tests need Node.js 20.11 or later with npm (node not found or older)" >&2
  exit 1
fi
for dir in src/test/bench-peers src/test/js; do
  if [[ ! -d "$dir/node_modules" ]]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
if ! mvn -B verify "$@"; then
  # What the failing test classes printed (their logs, and the nodes' logs some print on failure) goes to
  # files under target/: show the end of each, so a run that keeps only its console still tells why.
  for report in $(grep -l -E '<(failure|error)[ >]' target/surefire-reports/TEST-*.xml \
      target/failsafe-reports/TEST-*.xml 2>/dev/null); do
    output="${report%/*}/$(basename "$report" .xml | sed 's/^TEST-//')-output.txt"
    if [[ -f "$output" ]]; then
      echo "=== the last 200 lines of $output"
      tail -n 200 "$output"
    fi
  done
  exit 1
fi
# Each Node test fails after 5 minutes rather than hanging the run.
node --test --test-timeout=300000 src/test/js/
