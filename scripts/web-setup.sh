#!/usr/bin/env bash
# Installs what the web app needs: Node packages from web/package-lock.json (npm ci); with
# `--browser`, also Debian's Chromium for the browser test (Playwright never downloads one).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# Vite 7 needs Node.js 20.19 or newer (this machine kind ships Node 20 with npm; Debian's is older).
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null \
  || { echo "[web] Node.js >= 20.19 is required (found: $(node --version 2>/dev/null || echo none))" >&2; exit 1; }
if [ "${1:-}" = "--browser" ] && [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
cd "$ROOT/web"
# Reinstall only when the lockfile is newer than the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >/dev/null
fi
