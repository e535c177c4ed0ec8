#!/usr/bin/env bash
# conceptbook against Hugo on the same notes, in three tree shapes and several sizes.
#
#   scripts/bench-shapes.sh [SIZES...]        # default: 1000 10000 100000
#   RUNS=3 RUNS_LARGE=1 SHAPES="deep wide flat" scripts/bench-shapes.sh 1000 10000 100000
#   PRINT=false scripts/bench-shapes.sh 10000 100000   # without the print page
#   SHAPES=chain scripts/bench-shapes.sh 10000          # each note the parent of the next
#
# Shapes (examples/corpus.rs): deep (about ten roots, the project's own benchmark corpus),
# wide (notes/100 roots) and flat (no parent at all), and on request chain (one branch as
# deep as the site); every shape has three hub notes that a
# third of the notes link to. For each shape and size the corpus and its Hugo copy are
# written once, then RUNS clean builds of each (RUNS_LARGE from 100,000 notes on) (conceptbook --release, then Hugo, taking
# turns, each into a new folder, after a `sync`) are timed with /usr/bin/time; the table
# shows medians. Corpora and outputs are kept until the whole run ends (see below why).
# On a shared machine the ratio of the two, measured side by side, means more than either
# time. Needs `hugo` (apt-get install hugo) and GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
# Sizes of 100,000 notes and more are built RUNS_LARGE times (default 1).
runs_for() { if [ "$1" -ge 100000 ]; then echo "${RUNS_LARGE:-1}"; else echo "$runs"; fi; }
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
echo "runs: $runs each ($(runs_for 100000) from 100,000 notes on), conceptbook and Hugo alternating; $(nproc) cores; print page: ${PRINT:-true}"
echo
printf '| shape | notes | conceptbook wall | Hugo wall | ratio | peak memory | output | KiB per note | largest file |\n'
printf '| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n'
for n in "${sizes[@]}"; do
  for shape in "${shapes[@]}"; do
    site="$work/$shape-$n"
    "$target/release/examples/corpus" --notes "$n" --out "$site" --hubs 3 --hugo "$site-hugo" --shape "$shape" >/dev/null
    # PRINT=false: the site without its print page (book.toml's `[build] print = false`).
    if [ "${PRINT:-true}" = false ]; then printf '\n[build]\nprint = false\n' >>"$site/book.toml"; fi
    cb=(); hg=(); mem=()
    for r in $(seq "$(runs_for "$n")"); do
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
    # Nothing is deleted before the end of the run (the trap above). On ext4 without a
    # journal (as on this project's machines), a new inode skips every free inode deleted in
    # the last 60 s, or 360 s once its inode table block is dirty again, which creating new
    # files nearby makes it (`recently_deleted` in fs/ext4/ialloc.c). Creating 10,000 files
    # after 60,000 were deleted a few minutes before spent half its time in that scan
    # (perf: __ext4_new_inode → find_inode_bit → recently_deleted), for conceptbook and
    # Hugo alike, and made whichever shape came next look 2-3 times slower. Start on a
    # file system that has not deleted many files in the last six minutes, too. A full run
    # keeps about 15 GB.
  done
done
