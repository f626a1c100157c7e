#!/usr/bin/env bash
# Team-mode benchmark (PostgreSQL metadata, S3 bytes): prints one table of
# - lamin save --from-dir of 10,000 small files to S3 against s3cmd sync of
#   the same folder (fresh database and bucket each time, median of 3), and
# - lamin filter/search/lineage on an instance of 1,000,000 artifacts in
#   PostgreSQL against psql running the same SQL (median of 5).
# Needs a PostgreSQL server ($LAMIN_TEST_POSTGRES, a URL of a role that may
# create databases) and an S3 server ($LAMIN_TEST_S3, with
# $AWS_ACCESS_KEY_ID / $AWS_SECRET_ACCESS_KEY; default: the loopback
# services .ci/run starts, postgres on port 54329 and versitygw on 7070).
# Usage: bench/team.sh [--quick] [flags of bench/team, e.g. -only query -explain]
#   --quick: 2,000 files and 100,000 artifacts.
# The last results are in bench/team-results.md.
set -euo pipefail
cd "$(dirname "$0")/.."

export LAMIN_TEST_POSTGRES=${LAMIN_TEST_POSTGRES:-postgres://postgres@127.0.0.1:54329/postgres?sslmode=disable}
export LAMIN_TEST_S3=${LAMIN_TEST_S3:-http://127.0.0.1:7070}

need=()
command -v s3cmd >/dev/null || need+=(s3cmd)
command -v psql >/dev/null || need+=(postgresql-client)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1; then
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
fi

# Debian's /usr/bin/psql is pg_wrapper, a Perl script that picks a client
# version and costs ~40 ms per call by itself; time the client it runs.
psql=$(command -v psql)
real_psql=$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$real_psql" ] && psql=$real_psql

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -o "$work/lamin" ./cmd/lamin
go build -o "$work/team-bench" ./bench/team

args=()
if [ "${1:-}" = "--quick" ]; then
  shift
  args+=(-files 2000 -artifacts 100000 -runs 10000 -transforms 1000)
fi
"$work/team-bench" -dir "$work/data" -lamin "$work/lamin" -s3cmd "$(command -v s3cmd)" -psql "$psql" "${args[@]}" "$@"
