#!/usr/bin/env bash
# Every test of the project, as a fresh machine runs it (README: "Run all the tests"; .ci/run calls this).
#   1. installs what the browser stage needs (Debian's chromium, a new enough Node, the npm packages in tests/browser);
#   2. cargo fmt --check and cargo clippy (warnings are errors), then cargo test: unit tests, fixture snapshots, error fixtures, CLI and serve integration tests;
#   3. builds the explainer and runs `picket check` on it;
#   4. the browser stage on the explainer: html-validate, axe (WCAG 2.2 AA), keyboard, no-JS, 320 px, print, network;
#   5. the browser suite's negative controls (a known-bad site must fail every gate);
#   6. the same browser stage on the site `picket init` writes, as a new user gets it.
#   7. the browser stage on a small site with redirect pages (aliases) and a paginated section
#      (tests/fixtures/browser/features, built with the explainer theme and its own section template).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash .ci/install-deps.sh
# The Node that install-deps.sh put in target/node when the machine's is missing or too old.
# shellcheck source=../.ci/node-env.sh
. .ci/node-env.sh
cargo fmt --check
cargo clippy --locked --all-targets -- -D warnings
cargo test --locked
cargo build --locked
site="$root/target/explainer-site"
./target/debug/picket check
./target/debug/picket build --output "$site"
bash tests/browser/selftest.sh
bash tests/browser/run.sh "$site" --base-path /strike
init_site="$root/target/init-site"
rm -rf "$init_site"
./target/debug/picket init "$init_site"
./target/debug/picket check --root "$init_site"
./target/debug/picket build --root "$init_site"
bash tests/browser/run.sh "$init_site/public"
features_root="$(mktemp -d)"
trap 'rm -rf "$features_root"' EXIT
mkdir -p "$features_root/themes"
cp -r themes/explainer "$features_root/themes/"
cp -r tests/fixtures/browser/features/. "$features_root/"
./target/debug/picket build --root "$features_root" --output "$root/target/features-site"
bash tests/browser/run.sh "$root/target/features-site" --base-path /features
