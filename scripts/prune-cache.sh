#!/usr/bin/env bash
# Reclaims disk from the shared build cache without losing the build (docs/toolchain.md, "Disk"):
# removes rustc's incremental data (it only speeds up rebuilds of our own crates) and, in
# debug/deps, every test or binary executable older than the two newest of its name (each
# rebuild leaves the previous one behind; two are kept because one binary can be current in two
# feature sets, e.g. the CLI as the tests build it and as the demo builds it). Libraries (.rlib, .rmeta, .so) and build-script output are
# kept, so the next run recompiles nothing it did not need to. Prints what it freed.
# Usage: scripts/prune-cache.sh [--dry-run] [TARGET_DIR]
set -euo pipefail
dry=""
if [ "${1:-}" = "--dry-run" ]; then dry=1; shift; fi
target="${1:-${CARGO_TARGET_DIR:-$HOME/.cache/compute-rwa/target}}"
[ -d "$target" ] || { echo "[prune] no build cache at $target"; exit 0; }

victims=()
for profile in debug release; do
  [ -d "$target/$profile/incremental" ] && victims+=("$target/$profile/incremental")
  deps="$target/$profile/deps"
  [ -d "$deps" ] || continue
  # Executables named <name>-<16 hex digits>, newest first; all but the two newest of each name go.
  while IFS= read -r file; do victims+=("$file"); done < <(
    find "$deps" -maxdepth 1 -type f -perm -u+x -regextype posix-extended -regex '.*/[A-Za-z0-9_]+-[0-9a-f]{16}' \
      -printf '%T@ %p\n' | sort -rn | cut -d' ' -f2- |
      awk '{ name = substr($0, 1, length($0) - 17); if (++seen[name] > 2) print }'
  )
done

freed=0
for victim in "${victims[@]}"; do
  size="$(du -sb "$victim" | cut -f1)"
  freed=$((freed + size))
  if [ -n "$dry" ]; then echo "[prune] would remove $victim"; else rm -rf "$victim" "${victim}.d"; fi
done
verb="freed"; [ -z "$dry" ] || verb="would free"
echo "[prune] $verb $((freed / 1048576)) MiB in ${#victims[@]} paths under $target"
