#!/usr/bin/env bash
# Search at scale: synthetic corpora of 1,000 and 10,000 notes, built, then measured by
# examples/search-measure.rs (index build time and size, bytes per query, latency in
# headless Chromium). Needs chromium and chromium-driver. Usage:
#   scripts/measure-search.sh [--body-chars N] [NOTES...]   # default: 1000 10000
# --body-chars N: bodies of N to 3N characters (default 300, as in examples/corpus.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
body=300
if [ "${1:-}" = "--body-chars" ]; then body="$2"; shift 2; fi
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000 10000)
cargo build --release --quiet --bin conceptbook --example corpus --example search-measure
bin="${CARGO_TARGET_DIR:-target}/release"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
roots=()
for n in "${sizes[@]}"; do
  "$bin/examples/corpus" --notes "$n" --body-chars "$body" --out "$work/c$n" >/dev/null
  echo "== conceptbook build, $n notes, bodies of $body to $((3 * body)) characters"
  "$bin/conceptbook" build --root "$work/c$n" --dest "$work/c$n/book" --timings
  roots+=("$work/c$n")
done
"$bin/examples/search-measure" "${roots[@]}"
