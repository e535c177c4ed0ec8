#!/usr/bin/env bash
# Builds the crate as `cargo publish` would see it: packs what Cargo.toml includes, unpacks it
# in target/package and builds it there, with none of the repository around it. Proves that
# `cargo install` from the package gets every template and static file the binary embeds.
# Then builds a site from `conceptbook init` with the packaged binary.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo package --allow-dirty
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
bin="target/package/conceptbook-$version/target/debug/conceptbook"
[ -x "$bin" ] || bin="target/debug/conceptbook"
site=$(mktemp -d)
trap 'rm -rf "$site"' EXIT
cargo run --quiet --manifest-path "target/package/conceptbook-$version/Cargo.toml" -- init "$site/demo"
cargo run --quiet --manifest-path "target/package/conceptbook-$version/Cargo.toml" -- build --root "$site/demo"
test -f "$site/demo/book/print.html"
echo "the packaged crate builds and its binary builds a new site"
