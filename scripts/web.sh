#!/usr/bin/env bash
# Serves the investor/auditor web app (web/) on http://127.0.0.1:5173.
#   scripts/web.sh                          local node + a sample pool with unclaimed yield
#   scripts/web.sh --url URL --deployment F  an existing deployment on another node
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
url="" deployment=""
while [ $# -gt 0 ]; do
  case "$1" in
    --url) url="$2"; shift 2 ;;
    --deployment) deployment="$2"; shift 2 ;;
    *) echo "usage: scripts/web.sh [--url URL --deployment deployment.json]" >&2; exit 2 ;;
  esac
done

bash scripts/web-setup.sh
if [ -z "$deployment" ]; then
  command -v cargo-contract >/dev/null 2>&1 && [ -x "$CONTRACTS_NODE" ] || bash scripts/setup.sh
  bash scripts/build.sh >/dev/null
  cargo build -q -p compute-rwa-cli
  trap 'bash "$ROOT/scripts/node.sh" stop >/dev/null 2>&1 || true' EXIT
  bash scripts/node.sh start
  bash scripts/sample-pool.sh "$ROOT/target/web-pool"
  deployment="$ROOT/target/web-pool/deployment.json"
fi
bash scripts/web-publish.sh "$deployment" "$url"
echo "[web] open http://127.0.0.1:5173/ (dev accounts //Alice … //Ferdie on a dev chain; Bob and Charlie are investors). Ctrl-C stops."
cd web && ./node_modules/.bin/vite
