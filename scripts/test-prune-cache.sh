#!/usr/bin/env bash
# Tests scripts/prune-cache.sh on a stand-in build cache: incremental data and all but the two
# newest executables of each name go (with their .d files); libraries, other executables and
# everything under a --dry-run stay. Prints a cargo-style result line.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0; failed=0
ok()  { passed=$((passed + 1)); echo "test $1 ... ok"; }
bad() { failed=$((failed + 1)); echo "test $1 ... FAILED: $2"; }

deps="$work/debug/deps"
# Three builds of one test binary (January 1st, 2nd and 3rd), a library and another binary.
stand_in() {
  rm -rf "$work/debug"; mkdir -p "$deps" "$work/debug/incremental/e2e_tests-1" "$work/debug/build/x"
  for day in 1 2 3; do
    local exe="$deps/node_vault-000000000000000$day"
    head -c 1048576 /dev/zero >"$exe"; chmod +x "$exe"; echo deps >"$exe.d"
    touch -d "2026-01-0$day" "$exe"
  done
  echo lib >"$deps/libink-00000000000000aa.rlib"
  echo exe >"$deps/compute_rwa-00000000000000bb"; chmod +x "$deps/compute_rwa-00000000000000bb"
}
listing() { (cd "$work/debug" && find . | sort | tr '\n' ' '); }

stand_in
before="$(listing)"
out="$(bash "$ROOT/scripts/prune-cache.sh" --dry-run "$work")"
if [ "$(listing)" = "$before" ] && grep -q "would free 1 MiB in 2 paths" <<<"$out"; then ok a_dry_run_removes_nothing
else bad a_dry_run_removes_nothing "$out"; fi

out="$(bash "$ROOT/scripts/prune-cache.sh" "$work")"
kept=(node_vault-0000000000000002 node_vault-0000000000000003 node_vault-0000000000000003.d libink-00000000000000aa.rlib compute_rwa-00000000000000bb)
missing=""; for f in "${kept[@]}"; do [ -e "$deps/$f" ] || missing+=" $f"; done
if [ -z "$missing" ] && [ -d "$work/debug/build/x" ]; then ok libraries_and_the_two_newest_builds_stay
else bad libraries_and_the_two_newest_builds_stay "missing:$missing"; fi
if [ ! -e "$deps/node_vault-0000000000000001" ] && [ ! -e "$deps/node_vault-0000000000000001.d" ] \
  && [ ! -e "$work/debug/incremental" ] && grep -q "freed 1 MiB in 2 paths" <<<"$out"; then
  ok older_builds_and_incremental_data_go
else bad older_builds_and_incremental_data_go "$out; $(listing)"; fi

out="$(bash "$ROOT/scripts/prune-cache.sh" "$work/absent")"
if grep -q "no build cache" <<<"$out"; then ok a_missing_cache_is_left_alone; else bad a_missing_cache_is_left_alone "$out"; fi

echo "test result: $([ "$failed" -eq 0 ] && echo ok || echo FAILED). $passed passed; $failed failed; 0 ignored; 0 measured; 0 filtered out (prune-cache)"
[ "$failed" -eq 0 ]
