#!/usr/bin/env bash
# The WASM executor (executor_type="wasm"): Pyodide from npm, kept in $SMOLAGENTS_PYODIDE_CACHE
# (default /var/cache/smolagents/pyodide). Deno itself comes from PyPI (the `wasm` extra).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/system/00-apt.sh
PYODIDE_VERSION=314.0.7
CACHE="${SMOLAGENTS_PYODIDE_CACHE:-/var/cache/smolagents/pyodide}"
if [ -f "$CACHE/node_modules/pyodide/pyodide.mjs" ] && grep -q "\"version\": \"$PYODIDE_VERSION\"" "$CACHE/node_modules/pyodide/package.json"; then
  exit 0
fi
command -v npm >/dev/null || apt_install npm
mkdir -p "$CACHE"
npm install --prefix "$CACHE" --no-audit --no-fund --silent "pyodide@$PYODIDE_VERSION"
test -f "$CACHE/node_modules/pyodide/pyodide.mjs"
