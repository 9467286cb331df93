#!/usr/bin/env bash
# Every test of the project, as a fresh machine runs it (README: "Run all the tests"; .ci/run calls this).
#   1. installs what the browser stage needs (Debian's chromium, the npm packages in tests/browser);
#   2. cargo fmt --check and cargo clippy (warnings are errors), then cargo test: unit tests, fixture snapshots, error fixtures, CLI and serve integration tests;
#   3. builds the explainer and runs `picket check` on it;
#   4. the browser stage on the explainer: html-validate, axe (WCAG 2.2 AA), keyboard, no-JS, 320 px, print, network;
#   5. the browser suite's negative controls (a known-bad site must fail every gate).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash .ci/install-deps.sh
cargo fmt --check
cargo clippy --locked --all-targets -- -D warnings
cargo test --locked
cargo build --locked
site="$root/target/explainer-site"
./target/debug/picket check
./target/debug/picket build --output "$site"
bash tests/browser/selftest.sh
bash tests/browser/run.sh "$site" --base-path /strike
