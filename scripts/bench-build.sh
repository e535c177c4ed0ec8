#!/usr/bin/env bash
# Whole-build benchmark: synthetic corpora of 1,000 and 10,000 notes, full clean builds
# with --release, median of RUNS runs (default 5). Prints wall time, peak memory, output
# size, search index size and the incremental rebuild after editing one note's body.
#
#   scripts/bench-build.sh [RUNS] [SIZES...]      e.g. scripts/bench-build.sh 5 1000 10000
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
shift || true
sizes=("${@:-1000 10000}")
[ ${#sizes[@]} -eq 1 ] && read -r -a sizes <<< "${sizes[0]}"
cargo build --release --quiet --example corpus --example rebuild
cargo build --release --quiet
bin=target/release/conceptbook
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '| notes | wall (median of %s) | peak memory | output | search index | rebuild after one edit | search refresh after it |\n| --- | --- | --- | --- | --- | --- | --- |\n' "$runs"
for n in "${sizes[@]}"; do
  site="$work/corpus-$n"
  target/release/examples/corpus --notes "$n" --out "$site" > /dev/null
  walls=(); mems=()
  # A clean build every time, each into a folder of its own: deleting the last output
  # first would measure the filesystem (ext4 creates files slowly for minutes after many
  # were deleted), not conceptbook.
  for r in $(seq "$runs"); do
    out=$( { /usr/bin/time -f '%e %M' "$bin" build --root "$site" --dest "$site/out-$r" --quiet; } 2>&1 | tail -n 1)
    walls+=("${out% *}"); mems+=("${out#* }")
  done
  mv "$site/out-1" "$site/book"
  wall=$(printf '%s\n' "${walls[@]}" | median)
  mem=$(printf '%s\n' "${mems[@]}" | median)
  size=$(du -sb "$site/book" | cut -f1)
  index=$( (du -sb "$site/book/search" 2>/dev/null || echo 0) | cut -f1)
  rb=$(target/release/examples/rebuild "$site" 7)
  rebuild=$(echo "$rb" | awk '/median rebuild/ {print $(NF-1)}')
  refresh=$(echo "$rb" | awk '/median search/ {print $(NF-1)}')
  printf '| %s | %s s | %s MiB | %s MB | %s MB | %s ms | %s ms |\n' "$n" "$wall" "$((mem / 1024))" \
    "$(awk "BEGIN {printf \"%.1f\", $size / 1e6}")" "$(awk "BEGIN {printf \"%.1f\", $index / 1e6}")" "$rebuild" "$refresh"
done
