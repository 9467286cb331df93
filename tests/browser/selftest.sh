#!/usr/bin/env bash
# Self-test of the browser suite with its own fixtures (needs .ci/install-deps.sh first).
#   - fixtures/good-site must pass every check (also under --base-path /picket);
#   - fixtures/bad-site must fail, with each known fault reported on its page and nothing else.
# When the kernel allows it, the runs happen in a private network namespace (loopback only),
# so even a bug in the request blocking could not reach another host.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok()  { pass=$((pass + 1)); echo "selftest: ok   - $*"; }
bad() { fail=$((fail + 1)); echo "selftest: FAIL - $*"; }

if [ ! -d node_modules/playwright-core ] || [ ! -x /usr/bin/chromium ]; then
  echo "selftest: dependencies missing; run .ci/install-deps.sh first" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

# Isolated network namespace if possible: unshare -n + bring up lo (SELFTEST_NO_NETNS=1 skips it).
wrap=()
if [ "${SELFTEST_NO_NETNS:-}" != 1 ] && command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1 \
   && unshare -n sh -c 'ip link set lo up' >/dev/null 2>&1; then
  wrap=(unshare -n sh -c 'ip link set lo up && exec "$@"' sh)
  echo "selftest: running in a private network namespace (loopback only)"
else
  echo "selftest: no private network namespace (SELFTEST_NO_NETNS=1 or unshare/ip unavailable); relying on page.route + local sink proxy"
fi
run() { "${wrap[@]}" "$@"; }

t0=$(date +%s)

# ---- good site: everything passes -------------------------------------------------
run bash ./run.sh fixtures/good-site >"$tmp/good.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -qE '^[0-9]+ passed, 0 failed$' "$tmp/good.out"; then
  ok "good-site passes ($(tail -n 1 "$tmp/good.out"))"
else
  bad "good-site should pass (exit $rc)"; grep -E '^(FAIL| )' "$tmp/good.out" | sed 's/^/    /'
fi
run node check-site.mjs fixtures/good-site --base-path /picket >"$tmp/good-base.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q '/picket/about/' "$tmp/good-base.out"; then
  ok "good-site passes under --base-path /picket"
else
  bad "good-site under --base-path /picket (exit $rc)"; grep -E '^(FAIL| )' "$tmp/good-base.out" | sed 's/^/    /'
fi

# ---- bad site: must fail, with exactly the known faults ----------------------------
run bash ./run.sh fixtures/bad-site >"$tmp/bad.out" 2>&1
rc=$?
if [ "$rc" -ne 0 ]; then ok "bad-site run.sh exits non-zero ($rc)"; else bad "bad-site run.sh exited 0"; fi
if grep -q 'validate exit 1, check-site exit 1' "$tmp/bad.out"; then
  ok "bad-site: both validate and check-site fail"
else
  bad "bad-site: expected both validate and check-site to exit 1: $(grep 'browser stage' "$tmp/bad.out")"
fi

# expected FAIL line (prefix) | text that must appear in it or the lines under it
expected=(
  'FAIL html /dup-id.html|no-dup-id'
  'FAIL axe /:|color-contrast'
  'FAIL skip-link /404.html|expected href="#main-content"'
  'FAIL skip-link /hidden-skip.html|clipped or covered'
  'FAIL no-js /js-only.html|h2: Section only made by script'
  'FAIL reflow-320 /wide.html|div.too-wide'
  'FAIL reflow-320 /escape.html|hint: a position:absolute element escapes'
  'FAIL boxes-320 /escape.html|its box scrolls sideways'
  'FAIL boxes-320 /clipped-table.html|table.wide-table in div.table-wrap is cut off'
  'FAIL boxes-1280 /grid-overflow.html|its box scrolls sideways by 6px'
  'FAIL reflow-1280 /wide-1280.html|div.too-wide-desktop'
  'FAIL print-split /split-table.html|table.split-me is split across printed pages 1 and 2'
  'FAIL print /print-nav.html|header nav'
  'FAIL network /offsite.html|off-site request (blocked): http://192.0.2.1/x.png'
  'FAIL network /fonts.html|font requested'
  'FAIL network /fonts.html|off-site resource hint: <link rel="preconnect"'
)
for e in "${expected[@]}"; do
  line="${e%%|*}"
  want="${e#*|}"
  # the FAIL line plus its indented detail lines
  block="$(awk -v p="$line" 'index($0, p) == 1 {on = 1; print; next} on && /^     / {print; next} {on = 0}' "$tmp/bad.out")"
  if [ -z "$block" ]; then
    bad "missing failure: '$line'"
  elif ! grep -qF -- "$want" <<<"$block"; then
    bad "'$line' does not mention '$want'"; sed 's/^/    /' <<<"$block"
  else
    ok "reported: $line ($want)"
  fi
done
nexpected="$(printf '%s\n' "${expected[@]}" | cut -d'|' -f1 | sort -u | wc -l)"
nfail="$(grep -c '^FAIL ' "$tmp/bad.out")"
if [ "$nfail" -eq "$nexpected" ]; then
  ok "bad-site has exactly $nexpected failures (the known faults, no others)"
else
  bad "bad-site has $nfail FAIL lines, expected $nexpected:"; grep '^FAIL ' "$tmp/bad.out" | sed 's/^/    /'
fi
if grep -qE '^[0-9]+ passed, [1-9][0-9]* failed$' "$tmp/bad.out"; then
  ok "bad-site summary line: $(tail -n 1 "$tmp/bad.out")"
else
  bad "bad-site summary line missing"
fi
# The off-site image must have been stopped by page.route, never passed on.
if grep -q '192\.0\.2\.1' "$tmp/bad.out" && ! grep -E '^note: .*sink' "$tmp/bad.out" | grep -q '192\.0\.2\.1'; then
  ok "192.0.2.1 request was aborted by page.route (never reached even the local sink)"
else
  bad "192.0.2.1 request was not handled by page.route"
fi

echo "selftest: took $(( $(date +%s) - t0 )) s"
if [ "$fail" -ne 0 ]; then
  echo "selftest: outputs kept in /tmp/picket-selftest"; rm -rf /tmp/picket-selftest; cp -r "$tmp" /tmp/picket-selftest
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
