#!/usr/bin/env bash
# The web app's tests: Vitest units, then the browser test in headless Chromium against the running
# local node (scripts/node.sh start) with a fresh sample pool. Prints cargo-style result lines.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
bash scripts/web-setup.sh --browser || exit 1
build_cli_for_tests || exit 1
status=0

summarize() { # name passed failed
  echo "test result: $([ "$3" -eq 0 ] && echo ok || echo FAILED). $2 passed; $3 failed; 0 ignored; 0 measured; 0 filtered out ($1)"
}

( cd web && npx vitest run --reporter=verbose ) >"$ROOT/target/web-unit.log" 2>&1 || status=1
cat "$ROOT/target/web-unit.log"
summarize vitest "$(grep -c '✓' "$ROOT/target/web-unit.log")" "$(grep -cE '✗|×' "$ROOT/target/web-unit.log")"

pool="$ROOT/target/web-test"
rm -rf "$pool"
bash scripts/sample-pool.sh "$pool" || exit 1
bash scripts/web-publish.sh "$pool/deployment.json"
mkdir -p docs/img
( cd web && exec ./node_modules/.bin/vite --logLevel warn ) >"$ROOT/target/web-server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 1 60); do curl -fs http://127.0.0.1:5173/ >/dev/null && break; sleep 0.5; done
( cd web && COMPUTE_RWA_CLI="$CARGO_TARGET_DIR/debug/compute-rwa" WEB_DEPLOYMENT="$pool/deployment.json" \
    node --test --test-reporter=spec e2e/ ) >"$ROOT/target/web-e2e.log" 2>&1 || status=1
cat "$ROOT/target/web-e2e.log"
summarize browser "$(grep -oP '^ℹ pass \K\d+' "$ROOT/target/web-e2e.log" || echo 0)" "$(grep -oP '^ℹ fail \K\d+' "$ROOT/target/web-e2e.log" || echo 1)"
exit "$status"
