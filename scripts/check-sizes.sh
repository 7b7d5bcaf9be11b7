#!/usr/bin/env bash
# Fails when a contract's optimized Wasm exceeds its byte budget (contracts/size-budgets.txt);
# prints each contract's size against its budget and its goal, and a cargo-style result line.
# Needs the artifacts of scripts/build.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
passed=0; failed=0
printf '%-20s %8s %8s %8s  %s\n' contract bytes budget goal verdict
while read -r name budget goal; do
  case "$name" in ''|'#'*) continue ;; esac
  wasm="$ARTIFACTS/$name/$name.wasm"
  [ -f "$wasm" ] || { echo "$wasm missing: run scripts/build.sh" >&2; exit 1; }
  bytes=$(stat -c %s "$wasm")
  if [ "$bytes" -le "$budget" ]; then
    passed=$((passed + 1))
    verdict="within budget"
    [ "$bytes" -le "$goal" ] && verdict="$verdict and goal" || verdict="$verdict; $((bytes - goal)) B above the goal"
  else
    failed=$((failed + 1)); verdict="OVER BUDGET by $((bytes - budget)) B"
  fi
  printf '%-20s %8d %8d %8d  %s\n' "$name" "$bytes" "$budget" "$goal" "$verdict"
done < contracts/size-budgets.txt
# Every contract, and the logic code of each contract built with a front (build_contract).
expected=("${CONTRACTS[@]}")
for name in "${CONTRACTS[@]}"; do has_front "$name" && expected+=("${name}_logic"); done
[ $((passed + failed)) -eq ${#expected[@]} ] || { echo "contracts/size-budgets.txt must list each of: ${expected[*]}" >&2; exit 1; }
echo "test result: $([ "$failed" -eq 0 ] && echo ok || echo FAILED). $passed passed; $failed failed; 0 ignored; 0 measured; 0 filtered out (sizes)"
[ "$failed" -eq 0 ]
