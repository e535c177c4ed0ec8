#!/usr/bin/env bash
# How long `conceptbook serve` takes to rebuild after one note's body is edited (three
# times) and after book.toml is edited (twice: a full in-memory build), on synthetic
# corpora. Prints the server's own "built N notes after a change to ... in X ms" lines.
#
#   scripts/bench-serve.sh [NOTES...]     # default: 1000 10000
#   SHAPES="deep wide flat" scripts/bench-serve.sh 10000
#
# Shapes as in scripts/bench-shapes.sh (default: deep). Each corpus is generated once under
# ${TMPDIR:-/tmp}/conceptbook-corpus-SHAPE-N; the edited files are put back afterwards. The server is stopped with Ctrl-C (SIGINT) at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin conceptbook --example corpus
target="${CARGO_TARGET_DIR:-target}"
bin="$target/release/conceptbook"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
shapes=(${SHAPES:-deep})
for n in "${sizes[@]}"; do
for shape in "${shapes[@]}"; do
  dir="${TMPDIR:-/tmp}/conceptbook-corpus-$shape-$n"
  [ -d "$dir/content" ] || "$target/release/examples/corpus" --notes "$n" --out "$dir" --hubs 3 --shape "$shape" >/dev/null
  work="$(mktemp -d)"
  log="$work/serve.log"
  : >"$log"
  "$bin" serve --root "$dir" --port 0 >"$log" 2>&1 &
  pid=$!
  until grep -q '^serving' "$log"; do sleep 0.2; done
  note="$(find "$dir/content" -name '*.md' | sort | awk 'NR == 1')"
  cp "$note" "$work/note.orig"
  cp "$dir/book.toml" "$work/book.toml.orig"
  # Waits until the server has printed one more rebuild line.
  rebuilt() {
    until [ "$(grep -c ' after ' "$log" || true)" -gt "$1" ]; do sleep 0.1; done
    sleep 1
  }
  for i in 1 2 3; do
    before=$(grep -c ' after ' "$log" || true)
    printf '\n编辑第 %s 次。\n' "$i" >>"$note"
    rebuilt "$before"
  done
  # book.toml: everything is built again, in memory.
  for i in 1 2; do
    before=$(grep -c ' after ' "$log" || true)
    printf '# edit %s\n' "$i" >>"$dir/book.toml"
    rebuilt "$before"
  done
  kill -INT "$pid"
  wait "$pid" || true
  cp "$work/note.orig" "$note"
  cp "$work/book.toml.orig" "$dir/book.toml"
  echo "== $shape, $n notes"
  grep -E '^built' "$log"
  rm -r "$work"
done
done
