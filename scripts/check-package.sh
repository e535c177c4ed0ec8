#!/usr/bin/env bash
# The crate as crates.io and `cargo install` would get it: `cargo package` packs what
# Cargo.toml includes and builds the unpacked copy with none of the repository around it;
# then that copy is installed into a temp folder, and the installed binary starts a site
# with `init` and builds it. Proves the package carries every template and static file the
# binary embeds. Reuses ./target for the dependencies (debug profile), so only conceptbook
# itself compiles.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo package --allow-dirty
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cargo install --debug --locked --offline --path "target/package/conceptbook-$version" --root "$tmp/install" --target-dir target
"$tmp/install/bin/conceptbook" init "$tmp/demo" --language zh-CN
"$tmp/install/bin/conceptbook" build --root "$tmp/demo"
for page in index.html getting-started.html writing-notes.html print.html glossary.html css/style.css; do
  test -s "$tmp/demo/book/$page" || { echo "missing book/$page"; exit 1; }
done
echo "ok: the packaged crate installs, and its binary starts and builds a site"
