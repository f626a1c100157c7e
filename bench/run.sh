#!/usr/bin/env bash
# Measures lamin against reference tools in the same run and prints one table:
# each figure is the median of several runs, with the reference's figure and
# the ratio beside it. Usage: bench/run.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."

runs=7
hash_mib=1024
if [ "${1:-}" = "--quick" ]; then runs=3; hash_mib=256; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LAMIN_SETTINGS_DIR=$work/settings LAMIN_CACHE_DIR=$work/cache

CGO_ENABLED=0 go build -o "$work/lamin" ./cmd/lamin
lamin=$work/lamin

# median_ms RUNS CMD...: median wall time of CMD in milliseconds (3 decimals).
median_ms() {
  local n=$1; shift
  local times=()
  for _ in $(seq "$n"); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]/1000}'
}

rows=()
row() { # name lamin_ms ref_name ref_ms target
  local ratio
  ratio=$(awk -v a="$2" -v b="$4" 'BEGIN { if (b > 0) printf "%.2f", a/b; else print "-" }')
  rows+=("$(printf '%-34s %10s ms   %-22s %10s ms   %6s   %s' "$1" "$2" "$3" "$4" "$ratio" "$5")")
}

# 1. Start-up: lamin --version against git --version (another static CLI).
row "start-up (lamin --version)" "$(median_ms $((runs*3)) "$lamin" --version)" \
    "git --version" "$(median_ms $((runs*3)) git --version)" "target: < 20 ms"

# 2. Hashing a large file against md5sum of the same file (page cache warm for both).
big=$work/big.bin
head -c $((hash_mib * 1024 * 1024)) /dev/urandom > "$big"
md5sum "$big" >/dev/null
row "hash ${hash_mib} MiB file (lamin hash)" "$(median_ms "$runs" "$lamin" hash "$big")" \
    "md5sum" "$(median_ms "$runs" md5sum "$big")" "target: ratio <= 1.2"
rm -f "$big"

# 3. Saving one small file end to end against cp + md5sum of the same file.
"$lamin" login benchuser >/dev/null 2>&1
"$lamin" init --storage "$work/inst" >/dev/null 2>&1
small=$work/small
mkdir -p "$small"
i=0
save_one() { i=$((i + 1)); printf 'row,%d\n' "$i" > "$small/f.csv"; "$lamin" save "$small/f.csv" --key "f$i.csv" >/dev/null 2>&1; }
cp_one() { i=$((i + 1)); printf 'row,%d\n' "$i" > "$small/g.csv"; md5sum "$small/g.csv" >/dev/null; cp "$small/g.csv" "$work/g$i.csv"; }
row "lamin save (one small file)" "$(median_ms $((runs*3)) save_one)" \
    "md5sum + cp" "$(median_ms $((runs*3)) cp_one)" "target: < 30 ms"

# 4. Wrapping a command as a tracked run: lamin run -- true against plain
#    true (overhead) and against datalad run true in a DataLad dataset.
need=()
command -v datalad >/dev/null || need+=(datalad)
command -v git-annex >/dev/null || need+=(git-annex)
if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" = 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 || true
fi
run_ms=$(median_ms $((runs*3)) "$lamin" run --key noop -- true)
true_ms=$(median_ms $((runs*3)) true)
overhead=$(awk -v a="$run_ms" -v b="$true_ms" 'BEGIN { printf "%.3f", a-b }')
row "lamin run -- true (overhead)" "$overhead" "plain true" "$true_ms" "target: < 50 ms"
if command -v datalad >/dev/null; then
  ds=$work/ds
  export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@localhost GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@localhost
  datalad create "$ds" >/dev/null 2>&1
  dl_run() { (cd "$ds" && datalad run -m bench true); }
  row "lamin run -- true" "$run_ms" "datalad run true" "$(median_ms "$runs" dl_run)" "target: ratio <= 0.1"
else
  rows+=("lamin run -- true vs datalad run: datalad not installed (apt-get install datalad)")
fi

# 5. Saving 10,000 small files: lamin save --from-dir against git annex add
#    of the same files and against md5sum + cp (hash and copy, nothing else).
nsmall=10000
[ "${1:-}" = "--quick" ] && nsmall=2000
src=$work/smallfiles
mkdir -p "$src"
for i in $(seq "$nsmall"); do printf 'sample,%d\nvalue,%d\n' "$i" "$((i * 7))" > "$src/f$i.csv"; done
k=0
save_many() {
  k=$((k + 1))
  LAMIN_SETTINGS_DIR=$work/many$k/settings "$lamin" login benchuser >/dev/null 2>&1
  LAMIN_SETTINGS_DIR=$work/many$k/settings "$lamin" init --storage "$work/many$k/inst" >/dev/null 2>&1
  LAMIN_SETTINGS_DIR=$work/many$k/settings "$lamin" save "$src" --from-dir --key small >/dev/null 2>&1
}
# The annex repositories are prepared outside the timing; only the add counts.
a=0
annex_many() {
  a=$((a + 1))
  (cd "$work/annex$a" && git annex add -q small >/dev/null 2>&1)
}
copy_many() {
  k=$((k + 1))
  mkdir -p "$work/copy$k"
  (cd "$src" && find . -type f -print0 | xargs -0 md5sum > /dev/null) && cp -r "$src" "$work/copy$k/small"
}
many_runs=3
many_ms=$(median_ms $many_runs save_many)
copy_ms=$(median_ms $many_runs copy_many)
row "lamin save $nsmall small files" "$many_ms" "md5sum + cp" "$copy_ms" "target: ratio <= 3"
if command -v git-annex >/dev/null; then
  for i in $(seq $many_runs); do
    mkdir -p "$work/annex$i" && cp -r "$src" "$work/annex$i/small"
    (cd "$work/annex$i" && git init -q && git annex init -q bench >/dev/null 2>&1)
  done
  annex_ms=$(median_ms $many_runs annex_many)
  row "lamin save $nsmall small files" "$many_ms" "git annex add" "$annex_ms" "target: ratio <= 0.2"
else
  rows+=("lamin save vs git annex add: git-annex not installed (apt-get install git-annex)")
fi

printf '%-34s %13s   %-22s %13s   %6s\n' "figure" "lamin" "reference" "ref" "ratio"
printf '%s\n' "${rows[@]}"
printf '\nmachine: %s cores, %s memory; %s\n' "$(nproc)" "$(free -h | awk '/Mem:/ {print $2}')" "$(date -u +%Y-%m-%d)"

# The query and lineage figures (their own generators and tables).
quick=()
[ "${1:-}" = "--quick" ] && quick=(--quick)
printf '\n== queries on a generated instance (bench/query.sh)\n'
bench/query.sh "${quick[@]}"
printf '\n== lineage (bench/lineage.sh)\n'
bench/lineage.sh "${quick[@]}"
