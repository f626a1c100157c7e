#!/usr/bin/env bash
# Lineage benchmarks (internal/lineage): the time to assemble the graph of
# - the artifact at the end of a chain of 1,000 runs, and
# - one artifact in an instance of 100,000 runs and 1,000,000 input/output
#   edges (the instance is built first with bulk inserts, 10-20 s).
# Prints ms/op and SQL statements per lineage call for each.
# Usage: bench/lineage.sh [--quick]    (--quick skips the large instance)
set -euo pipefail
cd "$(dirname "$0")/.."

short=()
if [ "${1:-}" = "--quick" ]; then short=(-short); fi

out=$(go test ./internal/lineage -run '^$' -bench '^BenchmarkLineage' -benchtime 20x -timeout 30m "${short[@]}" 2>&1) || {
  printf '%s\n' "$out" >&2
  exit 1
}
printf '%s\n' "$out" | awk '
  /^Benchmark/ {
    name = $1; sub(/-[0-9]+$/, "", name)
    for (i = 2; i < NF; i++) {
      if ($(i + 1) == "ns/op") ns = $i
      if ($(i + 1) == "stmts/op") st = $i
    }
    printf "%-34s %10.1f ms/op   %s statements/op\n", name, ns / 1e6, st
  }
  /instance of .* runs and .* edges/ { sub(/^[ \t]*bench_test.go:[0-9]+: /, "  "); print }
'
if [ ${#short[@]} -gt 0 ]; then echo "BenchmarkLineageLargeInstance: skipped (--quick)"; fi
printf '\nmachine: %s cores; %s\n' "$(nproc)" "$(date -u +%Y-%m-%d)"
