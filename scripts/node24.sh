#!/bin/sh
# Runs a project script under Node 24 (see DESIGN.md: Node 20 is end-of-life). When the machine's node is
# older, Node 24 is fetched once from the npm registry into .runtime/ and used for everything after,
# npm and native builds included.
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 24 ]; then
  platform=$(node -p 'process.platform + "-" + process.arch')
  home="$root/.runtime/node_modules/node-$platform"
  if [ ! -x "$home/bin/node" ]; then
    echo "Node $(node --version) is older than 24: fetching Node 24 from the npm registry into .runtime/ ..." >&2
    npm install --prefix "$root/.runtime" --no-save --no-audit --no-fund --loglevel=error "node-$platform@24" >&2
  fi
  PATH="$home/bin:$PATH"
  # Native addons must build against Node 24's headers, not the machine's.
  npm_config_nodedir="$home"
  export PATH npm_config_nodedir
fi
exec node "$@"
