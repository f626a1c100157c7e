#!/usr/bin/env bash
# Query benchmark: generates an instance with 1,000,000 artifacts, 100,000
# runs and 10,000 transforms, then times lamin filter/search/view (median of
# 5; the SDK in process and the built binary) against the sqlite3 shell
# running the same SQL on the same database file, and prints one table.
# Usage: bench/query.sh [--quick] [flags of bench/query, e.g. -repeat 9]
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v sqlite3 >/dev/null; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq sqlite3 >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -o "$work/lamin" ./cmd/lamin
go build -o "$work/query-bench" ./bench/query

args=()
if [ "${1:-}" = "--quick" ]; then
  shift
  args+=(-artifacts 100000 -runs 10000 -transforms 1000)
fi
"$work/query-bench" -dir "$work/data" -lamin "$work/lamin" -sqlite3 "$(command -v sqlite3)" "${args[@]}" "$@"
