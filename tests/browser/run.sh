#!/usr/bin/env bash
# Browser-stage checks for a built site. Assumes .ci/install-deps.sh has already run.
#   tests/browser/run.sh SITE_DIR [--base-path /prefix]
# Runs html-validate (validate.mjs), then the chromium checks (check-site.mjs); both always run.
# Ends with one combined "N passed, M failed" line; exits 1 if either failed.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ $# -lt 1 ]; then
  echo "usage: tests/browser/run.sh SITE_DIR [--base-path /prefix]" >&2
  exit 2
fi
site="$1"; shift
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

summary() { # file -> "P F" from its last "N passed, M failed" line (or "0 1" if none)
  local line
  line="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)"
  if [ -z "$line" ]; then echo "0 1"; else echo "$line" | sed -E 's/^([0-9]+) passed, ([0-9]+) failed$/\1 \2/'; fi
}

echo "== html-validate: $site"
node "$here/validate.mjs" "$site" 2>&1 | tee "$tmp/validate.out"
v=${PIPESTATUS[0]}
echo "== browser checks: $site"
node "$here/check-site.mjs" "$site" "$@" 2>&1 | tee "$tmp/check.out"
c=${PIPESTATUS[0]}

read -r vp vf < <(summary "$tmp/validate.out")
read -r cp cf < <(summary "$tmp/check.out")
# a non-zero exit with no failure counted (crash, bad usage) still counts as one failure
[ "$v" -ne 0 ] && [ "$vf" -eq 0 ] && vf=1
[ "$c" -ne 0 ] && [ "$cf" -eq 0 ] && cf=1
if [ "$v" -ne 0 ] || [ "$c" -ne 0 ]; then
  echo "browser stage FAILED (validate exit $v, check-site exit $c)"
  status=1
else
  echo "browser stage passed"
  status=0
fi
echo "$((vp + cp)) passed, $((vf + cf)) failed"
exit "$status"
