#!/usr/bin/env bash
# Deploys a sample pool on the running local node and leaves it mid-life, for the web app and its
# browser test: two verified investors holding 2,000 and 1,000 GPU-hours with unclaimed yield (all
# of it released: the script waits out the token's yield period), a settled rental and three
# finalized epochs (the last one short of the SLA).
# Usage: scripts/sample-pool.sh DIR   (writes DIR/deployment.json; needs scripts/build.sh first)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
out="${1:?usage: scripts/sample-pool.sh DIR}"
mkdir -p "$out"
cp "$ROOT/cli/pool.example.toml" "$out/pool.toml"
cd "$out"
export COMPUTE_RWA_URL="$NODE_URL"
cli() { "$CARGO_TARGET_DIR/debug/compute-rwa" "$@" >/dev/null; }
value() { "$CARGO_TARGET_DIR/debug/compute-rwa" read "$@"; }
recorded() { python3 -c "import json; print(json.load(open('deployment.json'))$1)"; }
BOB=5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty
CHARLIE=5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y
DAVE=5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy
EPOCH_MS=3600

cli deploy-pool --config pool.toml 2>/dev/null
printf 'account,country,kyc_expiry_ms,class\n%s,276,4102444800000,accredited\n%s,250,4102444800000,retail\n' "$BOB" "$CHARLIE" > investors.csv
cli register --csv investors.csv 2>/dev/null
cli mint --to "$BOB" --gpu-hours 2000
cli mint --to "$CHARLIE" --gpu-hours 1000
TOKEN=$(recorded '["contracts"]["gpu_hour_token"]["address"]')
ESCROW=$(recorded '["contracts"]["rental_escrow"]["address"]')
# 300 USDC of rent collected off chain, paid to holders 2:1.
cli call coin mint "$(recorded '["deployer"]')" 300000000
cli call coin PSP22::approve "$TOKEN" 300000000
cli call admin set_distributor "$(recorded '["deployer"]')" true   # distributors only: the escrow, and now the issuer
cli call token YieldDistributor::distribute 300000000
# Dave rents the pool for three epochs; Eve and Ferdie report them; anyone settles.
cli call coin mint "$DAVE" 100000
START=$(( $(value oracle current_epoch 0) + 2 ))
cli --suri //Dave call coin PSP22::approve "$ESCROW" 60000
cli --suri //Dave call escrow open 8 "$START" 3
END=$(( $(recorded '["deployed_at_ms"]') + (START + 3) * EPOCH_MS ))
while [ "$(date +%s%3N)" -le $((END + 500)) ]; do sleep 0.5; done
cli call coin PSP22::approve "$BOB" 0   # moves the dev chain's clock for the dry runs
FULL='Report { gpu_milli_hours: 8, utilization_bps: 9200, uptime_bps: 9990, energy_wh: 5, avg_power_w: 690 }'
SHORT='Report { gpu_milli_hours: 6, utilization_bps: 8800, uptime_bps: 9700, energy_wh: 4, avg_power_w: 650 }'
for reporter in //Eve //Ferdie; do
  cli --suri "$reporter" call oracle submit 0 "$START" "$FULL"
  cli --suri "$reporter" call oracle submit 0 "$((START + 1))" "$FULL"
  cli --suri "$reporter" call oracle submit 0 "$((START + 2))" "$SHORT"
done
for epoch in "$START" "$((START + 1))" "$((START + 2))"; do cli --suri //Charlie call escrow settle 0 "$epoch"; done
# Each settlement re-streams the holders' yield over the yield period (pool.toml: 5 s): wait it
# out, so what Bob can claim is all of it and stays put until the next distribution.
STREAM_END=$(( $(date +%s%3N) + $(value token state | field yield_period) ))
while [ "$(date +%s%3N)" -le $((STREAM_END + 500)) ]; do sleep 0.5; done
cli call coin PSP22::approve "$BOB" 0   # moves the clock again: claimable is read as of the last block
echo "[sample-pool] deployed; Bob can claim $(value token holding "$BOB" | field claimable) USDC units ($out/deployment.json)"
