#!/usr/bin/env bash
# conceptbook against Hugo on the same notes, in three tree shapes and several sizes.
#
#   scripts/bench-shapes.sh [SIZES...]        # default: 1000 10000 100000
#   RUNS=3 SHAPES="deep wide flat" scripts/bench-shapes.sh 1000 10000
#
# Shapes (examples/corpus.rs): deep (about ten roots, the project's own benchmark corpus),
# wide (notes/100 roots) and flat (no parent at all); every shape has three hub notes that a
# third of the notes link to. For each shape and size the corpus and its Hugo copy are
# written once, then RUNS clean builds of each (conceptbook --release, then Hugo, taking
# turns, each into a new folder, after a `sync`) are timed with /usr/bin/time; the table
# shows medians. The outputs are deleted only after a shape's last run, followed by a sync
# and a pause (SETTLE seconds, default 70) before the next corpus is written.
# On a shared machine the ratio of the two, measured side by side, means more than either
# time. Needs `hugo` (apt-get install hugo) and GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
shapes=(${SHAPES:-deep wide flat})
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
command -v hugo >/dev/null || { echo "bench-shapes: hugo is not installed (apt-get install hugo)" >&2; exit 1; }
cargo build --release --quiet --bin conceptbook --example corpus
target="${CARGO_TARGET_DIR:-target}"
bin="$target/release/conceptbook"
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-shapes.XXXXXX")
trap 'rm -rf "$work"' EXIT
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# "wall peak-KiB" of a command; its own output goes to $work/log. `sync` first, so that the
# writeback of the last build (and of the folders deleted since) does not land on this one.
timed() { sync; /usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }; cat "$work/time"; }
hugo version | head -n 1
echo "runs: $runs each, conceptbook and Hugo alternating; $(nproc) cores"
echo
printf '| shape | notes | conceptbook wall | Hugo wall | ratio | peak memory | output | KiB per note | largest file |\n'
printf '| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n'
for n in "${sizes[@]}"; do
  for shape in "${shapes[@]}"; do
    site="$work/$shape-$n"
    "$target/release/examples/corpus" --notes "$n" --out "$site" --hubs 3 --hugo "$site-hugo" --shape "$shape" >/dev/null
    cb=(); hg=(); mem=()
    for r in $(seq "$runs"); do
      t=$(timed "$bin" build --root "$site" --dest "$site/out-$r" --quiet)
      cb+=("${t% *}"); mem+=("${t#* }")
      t=$(timed hugo --quiet -s "$site-hugo" -d "$site-hugo/public-$r")
      hg+=("${t% *}")
    done
    out="$site/out-1"
    cbw=$(printf '%s\n' "${cb[@]}" | median)
    hgw=$(printf '%s\n' "${hg[@]}" | median)
    peak=$(printf '%s\n' "${mem[@]}" | median)
    bytes=$(du -sb --apparent-size "$out" | cut -f1)
    largest=$(find "$out" -type f -printf '%s %P\n' | sort -n | tail -n 1)
    printf '| %s | %s | %s s | %s s | %s× | %s MiB | %s MB | %s | %s KiB (%s) |\n' "$shape" "$n" "$cbw" "$hgw" \
      "$(awk "BEGIN {printf \"%.2f\", $cbw / $hgw}")" "$((peak / 1024))" \
      "$(awk "BEGIN {printf \"%.0f\", $bytes / 1e6}")" "$(awk "BEGIN {printf \"%.1f\", $bytes / 1024 / $n}")" \
      "$(awk "BEGIN {printf \"%.0f\", ${largest%% *} / 1024}")" "${largest#* }"
    # Every output is deleted only now, and the next build waits: on ext4 without a journal
    # (as on this project's machines; `recently_deleted` in a kernel profile), a new inode
    # avoids those freed in the last 60 s (longer while their inode table is not synced), so
    # creating many files right after many were deleted is several times slower, which made
    # whichever build came next look slow (the 100k wide build took 24 s or 60 s).
    rm -rf "$site" "$site-hugo"
    sync
    sleep "${SETTLE:-70}"
  done
done
