#!/usr/bin/env bash
# Builds every contract in release mode and collects .contract/.wasm/.json into target/ink/<name>/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

mkdir -p "$ARTIFACTS" "$ROOT/target"
printf '%-22s %12s %12s\n' contract "wasm bytes" "contract KB"
for name in "${CONTRACTS[@]}"; do
  log="$ROOT/target/build-$name.log"
  # Cold, the first contract compiles ink! and its dependencies (~6 min); each later one ~3 min.
  with_progress "build $name" "~3-6 min cold, seconds warm" "$log" \
    cargo contract build --release --manifest-path "$ROOT/contracts/$name/Cargo.toml" \
    || { echo "[build] $name failed; last lines of $log:" >&2; tail -40 "$log" >&2; exit 1; }
  mkdir -p "$ARTIFACTS/$name"
  cp "$CARGO_TARGET_DIR/ink/$name/$name".{contract,wasm,json} "$ARTIFACTS/$name/"
  printf '%-22s %12d %12d\n' "$name" "$(stat -c %s "$ARTIFACTS/$name/$name.wasm")" \
    "$(( $(stat -c %s "$ARTIFACTS/$name/$name.contract") / 1024 ))"
done
