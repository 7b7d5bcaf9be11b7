#!/usr/bin/env bash
# Installs what the web app and its browser test need: Node packages from web/package-lock.json
# (npm ci) and Debian's Chromium for Playwright (no browser download).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
command -v node >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; }
if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
cd "$ROOT/web"
# Reinstall only when the lockfile is newer than the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >/dev/null
fi
