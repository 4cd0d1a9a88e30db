#!/usr/bin/env bash
# Runs every test: unit and in-process integration tests (surefire), then tests of the packaged jar (failsafe).
set -euo pipefail
cd "$(dirname "$0")/.."
exec mvn -B verify "$@"
