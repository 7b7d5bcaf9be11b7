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
    drink) echo "~6 min (the invariant campaign ~5)" ;;
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

level build bash scripts/build.sh
level sizes bash scripts/check-sizes.sh
level scripts bash -c 'bash scripts/test-fetch-release.sh && bash scripts/test-prune-cache.sh'
# Every level selects the same packages and features (TEST_SCOPE), so nothing compiles twice.
level unit cargo test "${TEST_SCOPE[@]}" --lib --bins
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

passed=0; failed=0
while read -r p f; do passed=$((passed + p)); failed=$((failed + f)); done < <(
  grep -ahE '^test result:' "$LOG_DIR"/{sizes,scripts,unit,drink,e2e,cli,web}.log 2>/dev/null |
    sed -E 's/.* ([0-9]+) passed; ([0-9]+) failed.*/\1 \2/')
[ "$status" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
echo "total: $passed passed, $failed failed"
exit "$status"
