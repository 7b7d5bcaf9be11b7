#!/usr/bin/env bash
# Builds every contract in release mode and collects .contract/.wasm/.json into target/ink/<name>/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

# cargo-contract gives each contract its own build folder ($CARGO_TARGET_DIR/ink/<name>), so ink!
# and every dependency would compile five times. Their two cargo output folders (host `release`,
# `wasm32-unknown-unknown`) are links to one shared pair instead: the dependencies compile once,
# and each contract's Wasm is byte-for-byte what its own folder produced (checked when this was
# introduced). A folder left from the per-contract layout becomes the shared one or is removed.
share_build_dirs() {
  local shared="$CARGO_TARGET_DIR/ink/.shared" sub dir
  for sub in release wasm32-unknown-unknown; do
    dir="$CARGO_TARGET_DIR/ink/$1/$sub"
    if [ -d "$dir" ] && [ ! -L "$dir" ]; then
      if [ -e "$shared/$sub" ]; then rm -rf "$dir"; else mkdir -p "$shared" && mv "$dir" "$shared/$sub"; fi
    fi
    mkdir -p "$shared/$sub" "$(dirname "$dir")"
    ln -sfn "$shared/$sub" "$dir"
  done
}

mkdir -p "$ARTIFACTS" "$ROOT/target"
printf '%-22s %12s %12s\n' contract "wasm bytes" "contract KB"
for name in "${CONTRACTS[@]}"; do
  log="$ROOT/target/build-$name.log"
  share_build_dirs "$name"
  # Cold, the first contract compiles ink! and its dependencies (~9 min); each later one < 1 min.
  with_progress "build $name" "~9 min cold for the first, < 1 min for the others, seconds warm" "$log" \
    build_contract "$name" \
    || { echo "[build] $name failed; last lines of $log:" >&2; tail -40 "$log" >&2; exit 1; }
  printf '%-22s %12d %12d\n' "$name" "$(stat -c %s "$ARTIFACTS/$name/$name.wasm")" \
    "$(( $(stat -c %s "$ARTIFACTS/$name/$name.contract") / 1024 ))"
done
