#!/usr/bin/env bash
# Long form of the crash test (crash_test.go): SIGKILL `lamin save` at
# random moments while it saves folders of 500 files and files of
# 30-200 MB, re-save the same content after half of the kills, repair after
# every iteration, and check at the end that every save that exited 0 still
# has its record and every file under its own name with its bytes.
# Prints one summary line per backend: kills, saves completed, lost, time.
# SQLite always; PostgreSQL + S3 too when $LAMIN_TEST_POSTGRES and
# $LAMIN_TEST_S3 are set (the loopback services of .ci/run by default when
# they answer).
# Usage: bench/crash.sh [KILLS] [sqlite|team]   (default 200 kills, both backends)
set -euo pipefail
cd "$(dirname "$0")/.."

kills=${1:-200}
only=${2:-}
if [ -z "${LAMIN_TEST_POSTGRES:-}" ] && curl -s -o /dev/null http://127.0.0.1:7070/ 2>/dev/null; then
  export LAMIN_TEST_POSTGRES='postgres://postgres@127.0.0.1:54329/postgres?sslmode=disable'
  export LAMIN_TEST_S3=http://127.0.0.1:7070
fi

run() {
  local name=$1
  LAMIN_CRASH_KILLS=$kills LAMIN_CRASH_BIG=1 go test -count=1 -timeout 6h -v \
    -run "^${name}\$" . >"$log" 2>&1 || true
  grep -E 'crash summary|^(--- |FAIL|ok)' "$log" || true
  if grep -q '^--- FAIL' "$log"; then
    grep -E '^\s+crash_test.go' "$log" | tail -n 40
  fi
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $kills kills per backend"
[ "$only" = team ] || run TestCrashedSavesLeaveARepairableInstance
if [ "$only" != sqlite ] && [ -n "${LAMIN_TEST_POSTGRES:-}" ] && [ -n "${LAMIN_TEST_S3:-}" ]; then
  run TestTeamCrashedSavesLeaveARepairableInstance
fi
