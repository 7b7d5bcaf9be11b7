#!/usr/bin/env bash
# The README's test command: setup, then unit/property, drink, ink_e2e, CLI-against-node and web
# (Vitest + headless Chromium) tests.
# Exits non-zero on any failure and ends with one total line over all levels.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

LOG_DIR="$ROOT/target/test-logs"
mkdir -p "$LOG_DIR"
status=0

bash scripts/setup.sh || exit 1
trap 'bash "$ROOT/scripts/node.sh" stop >/dev/null 2>&1 || true' EXIT

# Expected duration of each level (docs/toolchain.md), shown while it runs.
expected() {
  case "$1" in
    build) echo "~13 min cold, ~30 s warm" ;;
    unit) echo "~21 min cold (it compiles what every level needs), ~20 s warm" ;;
    drink) echo "~1 min" ;;
    campaign) echo "~5 min, beside the node levels" ;;
    e2e) echo "~3 min" ;;
    cli) echo "~2 min" ;;
    web) echo "~1 min" ;;
    *) echo "seconds" ;;
  esac
}

# Runs one level (a progress line a minute), echoes cargo's own summary lines, and remembers a failure.
level() {
  local name="$1"; shift
  local started=$SECONDS
  echo "== $name: $*"
  if with_progress "$name" "$(expected "$name")" "$LOG_DIR/$name.log" "$@"; then
    echo "   ok in $((SECONDS - started)) s"
  else
    echo "   FAILED in $((SECONDS - started)) s; last lines of $LOG_DIR/$name.log:"; tail -40 "$LOG_DIR/$name.log"
    status=1
  fi
  grep -aE '^test result:' "$LOG_DIR/$name.log" | sed 's/^/   /'
}

# A level that runs beside the next ones: `beside NAME CMD…` starts it (its report held back in
# a file), `finish NAME` waits for it, prints the report and keeps its verdict.
beside() {
  local name="$1"; shift
  ( status=0; level "$name" "$@"; exit "$status" ) >"$LOG_DIR/$name.report" 2>&1 &
  eval "beside_$name=$!"
}
finish() {
  local pid; eval "pid=\$beside_$1"
  wait "$pid" || status=1
  cat "$LOG_DIR/$1.report"
}

level build bash scripts/build.sh
level sizes bash scripts/check-sizes.sh
level scripts bash -c 'bash scripts/test-fetch-release.sh && bash scripts/test-prune-cache.sh'
# Every level selects the same packages and features (TEST_SCOPE), so nothing compiles twice. (The
# test build beside the contract builds was measured twice and not kept: docs/toolchain.md.)
level unit cargo test "${TEST_SCOPE[@]}" --lib --bins
# The invariant campaign (one core for ~5 min) runs at low priority beside the drink and node
# levels, which mostly wait for the node's real-time epochs.
beside campaign nice -n 10 cargo test "${TEST_SCOPE[@]}" --test campaign
level drink cargo test "${TEST_SCOPE[@]}" --test 'sandbox_*'
export CONTRACTS_NODE_URL="$NODE_URL"
if bash scripts/node.sh start; then
  # One node for all e2e tests; one thread so signers' nonces never race.
  level e2e cargo test "${TEST_SCOPE[@]}" --test 'node_*' -- --test-threads=1
  level cli cargo test "${TEST_SCOPE[@]}" --test against_node -- --test-threads=1
  level web bash scripts/web-test.sh
else
  echo "== e2e: node did not start"; status=1
fi
bash scripts/node.sh stop
finish campaign

passed=0; failed=0
while read -r p f; do passed=$((passed + p)); failed=$((failed + f)); done < <(
  grep -ahE '^test result:' "$LOG_DIR"/{sizes,scripts,unit,drink,campaign,e2e,cli,web}.log 2>/dev/null |
    sed -E 's/.* ([0-9]+) passed; ([0-9]+) failed.*/\1 \2/')
[ "$status" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
echo "total: $passed passed, $failed failed"
exit "$status"
