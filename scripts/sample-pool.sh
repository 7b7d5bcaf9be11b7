#!/usr/bin/env bash
# Deploys a sample pool on the running local node and leaves it mid-life, for the web app and its
# browser test: two verified investors holding 2,000 and 1,000 GPU-hours with unclaimed yield (all
# of it released: the script waits out the token's yield period), a settled rental and three
# finalized epochs (the last one short of the SLA), and a credit vault where Charlie lent 500 USDC
# and Bob borrowed 2 against 1,000 of his GPU-hours (the example vault values rent over a short
# horizon: 1,200 epochs of 3.6 s), and a market where Bob offers 60 GPU-hours at 2.4 USDC (he
# offered 100; Charlie bought 40). The vault values tokens from the rent it
# measured between its checkpoints over its trailing epochs (here 12 × 3.6 s): `story_checkpoints`
# prices the pool again.
# Usage: scripts/sample-pool.sh DIR   (writes DIR/deployment.json; needs scripts/build.sh first)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
out="${1:?usage: scripts/sample-pool.sh DIR}"
mkdir -p "$out"
cp "$ROOT/cli/pool.example.toml" "$out/pool.toml"
cd "$out"
source "$ROOT/scripts/pool-story.sh"

quiet deploy-pool --config pool.toml 2>/dev/null
story_register 2>/dev/null
story_mint >/dev/null
# 300 USDC of rent collected off chain, paid to holders 2:1.
story_distribute 300000000
# Dave rents the pool for three epochs; Eve and Ferdie report them; anyone settles.
story_rent
story_report
story_settle
# Each settlement re-streams the holders' yield over the yield period (pool.toml: 5 s): wait it
# out, so what Bob can claim is all of it and stays put until the next distribution (the clock
# moves on the last block: claimable is read as of it).
wait_until $(( $(date +%s%3N) + $(read_value token state | field yield_period) + 500 ))
# Charlie lends to the vault; Bob borrows against half his tokens (the pool priced by fresh rent).
story_checkpoints 30000000
story_lend
story_borrow 2000000
# Bob offers 100 GPU-hours on the market; Charlie buys 40 of them.
story_trade
echo "[sample-pool] deployed; Bob can claim $(read_value token holding "$BOB" | field claimable) USDC units ($out/deployment.json)"
