#!/usr/bin/env bash
# Runs the whole test suite. Starts a throwaway PostgreSQL server for the
# store tests when the server binaries are installed (see pg-test-server.sh);
# without them those tests skip with the reason.
set -uo pipefail
cd "$(dirname "$0")/.."
started=""
if [ -z "${RAIDWATCH_TEST_POSTGRES_URL:-}" ]; then
  if out="$(scripts/pg-test-server.sh start)"; then
    eval "$out"
    started=1
  else
    echo "run-tests: no PostgreSQL server could be started; PostgreSQL tests will be skipped" >&2
  fi
fi
.venv/bin/python -m pytest "$@"
status=$?
if [ -n "$started" ]; then
  eval "$(scripts/pg-test-server.sh stop)" || true
fi
exit $status
