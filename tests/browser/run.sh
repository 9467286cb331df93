#!/usr/bin/env bash
# Run the browser-stage checks on a built site. Assumes .ci/install-deps.sh has been run.
#   tests/browser/run.sh SITE_DIR [--base-path /prefix]
# Runs html-validate, then the chromium checks (both always run); exits non-zero if either fails.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ $# -lt 1 ]; then
  echo "usage: tests/browser/run.sh SITE_DIR [--base-path /prefix]" >&2
  exit 2
fi
site="$1"; shift

echo "== html-validate: $site"
node "$here/validate.mjs" "$site"
v=$?
echo "== browser checks: $site"
node "$here/check-site.mjs" "$site" "$@"
c=$?
if [ "$v" -ne 0 ] || [ "$c" -ne 0 ]; then
  echo "browser stage FAILED (validate exit $v, check-site exit $c)"
  exit 1
fi
echo "browser stage passed"
exit 0
