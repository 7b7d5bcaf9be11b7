#!/usr/bin/env bash
# The invariant campaign on the real Wasm (e2e-tests/tests/campaign.rs):
#   scripts/fuzz.sh [--ops N] [--seed S] [--segment K] [--shrink R]
# runs N random operations from seed S (a fresh deployment every K operations), checking every
# invariant after every step and liveness at the end of each segment. On a failure it prints the
# seed, the step and a shortened failing sequence (at most R re-runs), and exits non-zero.
# Needs the artifacts of scripts/build.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
ops=2000; seed=1; segment=1000; shrink=80
while [ $# -gt 0 ]; do
  case "$1" in
    --ops) ops="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --segment) segment="$2"; shift 2 ;;
    --shrink) shrink="$2"; shift 2 ;;
    *) echo "usage: scripts/fuzz.sh [--ops N] [--seed S] [--segment K] [--shrink R]" >&2; exit 2 ;;
  esac
done
[ -f "$ARTIFACTS/rental_escrow/rental_escrow.contract" ] || bash scripts/build.sh
CAMPAIGN_OPS="$ops" CAMPAIGN_SEED="$seed" CAMPAIGN_SEGMENT="$segment" CAMPAIGN_SHRINK="$shrink" \
  cargo test "${TEST_SCOPE[@]}" --test campaign -- --nocapture
