#!/usr/bin/env bash
# Copies a deployment.json (optionally pointed at another node) and our contracts' metadata into
# web/public/pool/, where the web app loads them.
# Usage: scripts/web-publish.sh deployment.json [URL]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
deployment="${1:?usage: scripts/web-publish.sh deployment.json [URL]}" url="${2:-}"
target="$ROOT/web/public/pool"
mkdir -p "$target"
python3 - "$deployment" "$url" "$target/deployment.json" <<'PY'
import json, sys
source, url, target = sys.argv[1:]
d = json.load(open(source))
if url:
    d["url"] = url
json.dump(d, open(target, "w"), indent=2)
PY
for name in "${CONTRACTS[@]}"; do cp "$ARTIFACTS/$name/$name.json" "$target/"; done
