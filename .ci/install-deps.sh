#!/usr/bin/env bash
# Install what the browser test stage needs on a Debian 12 machine (run as root).
# Idempotent and non-interactive (CI=true, no stdin): does nothing slow when all is present.
#   - Debian's chromium (/usr/bin/chromium) + a basic font, only if chromium is missing
#   - tests/browser/node_modules via `npm ci`, only if missing or older than package-lock.json
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BROWSER_DIR="$ROOT/tests/browser"
export DEBIAN_FRONTEND=noninteractive

log() { echo "install-deps: $*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

install_chromium() {
  log "installing Debian chromium (apt)"
  local apt_opts=(-y -q --no-install-recommends -o Dpkg::Use-Pty=0)
  as_root apt-get update -q >/dev/null
  local pkgs=(chromium fonts-dejavu-core)
  local attempt
  for attempt in 1 2 3; do
    if as_root apt-get install "${apt_opts[@]}" "${pkgs[@]}" >/tmp/install-deps-apt.log 2>&1; then
      return 0
    fi
    log "apt-get install failed (attempt $attempt); tail of log:"
    tail -n 5 /tmp/install-deps-apt.log | sed 's/^/  /'
    # dpkg can stop partway ("cannot access archive /tmp/apt-dpkg-install-..."); finish it.
    as_root dpkg --configure -a >/dev/null 2>&1 || true
    as_root apt-get --fix-broken install "${apt_opts[@]}" >>/tmp/install-deps-apt.log 2>&1 || true
    [ -x /usr/bin/chromium ] && return 0
  done
  log "could not install chromium; see /tmp/install-deps-apt.log"
  return 1
}

if [ -x /usr/bin/chromium ]; then
  :
else
  install_chromium
  log "$(/usr/bin/chromium --version 2>/dev/null || echo 'chromium installed')"
fi

# npm ci when node_modules is missing or stale (lockfile newer than npm's install marker).
stamp="$BROWSER_DIR/node_modules/.package-lock.json"
need_npm=0
if [ ! -f "$stamp" ]; then
  need_npm=1
elif [ "$BROWSER_DIR/package-lock.json" -nt "$stamp" ] || [ "$BROWSER_DIR/package.json" -nt "$stamp" ]; then
  need_npm=1
else
  for dep in playwright-core axe-core html-validate; do
    [ -f "$BROWSER_DIR/node_modules/$dep/package.json" ] || need_npm=1
  done
fi
if [ "$need_npm" -eq 1 ]; then
  log "npm ci in tests/browser"
  (cd "$BROWSER_DIR" && npm ci --no-audit --no-fund --loglevel=error </dev/null)
fi
exit 0
