#!/usr/bin/env bash
# The README's demo: a local node, the suite deployed, and one pool's lifecycle told step by step:
# issuer → investors → transfers under compliance → yield → claims → redemption → auditor reads.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

step() { printf '\n\033[1m▶ %s\033[0m\n' "$*"; }
say()  { printf '  %s\n' "$*"; }

command -v cargo-contract >/dev/null 2>&1 && [ -x "$CONTRACTS_NODE" ] || bash scripts/setup.sh
step "Build the contracts (release)"
bash scripts/build.sh
trap 'bash scripts/node.sh stop >/dev/null 2>&1 || true' EXIT
step "Start a local substrate-contracts-node"
bash scripts/node.sh start

# Dev accounts: Alice is the issuer (also operator and arbiter); Bob and Charlie are investors;
# Dave never passed KYC and rents GPUs; Eve and Ferdie report utilization.
ALICE=5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY
BOB=5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty
CHARLIE=5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y
DAVE=5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy
EVE=5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw
FERDIE=5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL
# Epochs of 3.6 s (a thousandth of an hour) so the demo finishes; production feeds use hours.
EPOCH_MS=3600
now_ms() { date +%s%3N; }

# Runs a contract message; extra arguments are passed to `cargo contract call`.
call() {
  local contract="$1" name="$2" message="$3"; shift 3
  cargo contract call --manifest-path "contracts/$name/Cargo.toml" --contract "$contract" \
    --message "$message" --url "$NODE_URL" "$@"
}
# Submits a message as `suri` and fails loudly if it is refused.
tx() {
  local suri="$1"; shift
  call "$@" --suri "$suri" -x --skip-confirm --output-json >/dev/null
}
# Reads a message (dry run) and prints its decoded value.
read_value() {
  call "$@" --suri //Alice --output-json | python3 "$ROOT/scripts/render_value.py"
}
deploy() {
  local name="$1"; shift
  cargo contract instantiate --manifest-path "contracts/$name/Cargo.toml" --url "$NODE_URL" --suri //Alice \
    -x --skip-confirm --output-json "$@" | python3 -c 'import json,sys; print(json.load(sys.stdin)["contract"])'
}

step "Issuer deploys the stablecoin, the identity registry and a pool token (8 × H100 for 30 days)"
COIN=$(deploy stablecoin --args 'Some("USD Coin")' 'Some("USDC")')
REGISTRY=$(deploy identity_registry)
POOL='PoolInfo { gpu_model: "NVIDIA H100 SXM 80GB", gpu_count: 8, region: "eu-central", datacenter_tier: 3, period_start: 0, period_end: 2592000000, attestation_hash: 0x0000000000000000000000000000000000000000000000000000000000000000, attestation_uri: "" }'
TOKEN=$(deploy gpu_hour_token --args 'Some("H100 GPU-hour")' 'Some("GPUH")' "$POOL" "$REGISTRY" "$COIN")
say "stablecoin $COIN"; say "registry   $REGISTRY"; say "token      $TOKEN"

step "Issuer attests 5,760 GPU-hours of capacity (8 GPUs × 720 h)"
tx //Alice "$TOKEN" gpu_hour_token attest_capacity --args 5760 0x"$(printf 'ab%.0s' {1..32})" '"ipfs://attestation/h100-pool-1"'
say "capacity: $(read_value "$TOKEN" gpu_hour_token capacity) units (micro-GPU-hours)"

step "Agent registers Bob and Charlie after KYC (Germany, accredited)"
KYC='Identity { verified: true, country: 276, kyc_expiry: 4102444800000, class: Accredited, claim_hash: None }'
tx //Alice "$REGISTRY" identity_registry register_batch --args "[($BOB, $KYC), ($CHARLIE, $KYC)]"
say "registered identities: $(read_value "$REGISTRY" identity_registry identity_count)"

step "Issuer mints 3,000 GPU-hours to Bob"
tx //Alice "$TOKEN" gpu_hour_token mint --args "$BOB" 3000000000
say "supply $(read_value "$TOKEN" gpu_hour_token PSP22::total_supply) of capacity $(read_value "$TOKEN" gpu_hour_token capacity)"

step "Bob transfers 1,000 GPU-hours to Charlie (both verified)"
tx //Bob "$TOKEN" gpu_hour_token PSP22::transfer --args "$CHARLIE" 1000000000 '[]'
say "Bob $(read_value "$TOKEN" gpu_hour_token PSP22::balance_of --args "$BOB"), Charlie $(read_value "$TOKEN" gpu_hour_token PSP22::balance_of --args "$CHARLIE")"

step "Bob tries to transfer to Dave, who has no KYC: refused by compliance"
say "dry run says: $(call "$TOKEN" gpu_hour_token PSP22::transfer --args "$DAVE" 1 '[]' --suri //Bob --output-json | python3 "$ROOT/scripts/render_value.py")"

step "Issuer pays 3,000 USDC of rent collected off chain to holders (pro rata 2:1)"
tx //Alice "$COIN" stablecoin mint --args "$ALICE" 3000000000
tx //Alice "$COIN" stablecoin PSP22::approve --args "$TOKEN" 3000000000
tx //Alice "$TOKEN" gpu_hour_token YieldDistributor::distribute --args 3000000000
say "Bob can claim $(read_value "$TOKEN" gpu_hour_token claimable --args "$BOB"), Charlie $(read_value "$TOKEN" gpu_hour_token claimable --args "$CHARLIE") (USDC units)"

step "Investors claim their yield"
tx //Bob "$TOKEN" gpu_hour_token claim
tx //Charlie "$TOKEN" gpu_hour_token claim
say "USDC: Bob $(read_value "$COIN" stablecoin PSP22::balance_of --args "$BOB"), Charlie $(read_value "$COIN" stablecoin PSP22::balance_of --args "$CHARLIE")"

step "Charlie redeems 10 GPU-hours; the issuer fulfils the redemption"
tx //Charlie "$TOKEN" gpu_hour_token redeem --args 10000000
tx //Alice "$TOKEN" gpu_hour_token fulfill_redemption --args 0
say "redemption 0: $(read_value "$TOKEN" gpu_hour_token redemption --args 0)"

step "Issuer deploys the utilization oracle (reporters Eve and Ferdie, quorum 2) and the rental escrow"
GENESIS=$(now_ms)
ORACLE=$(deploy utilization_oracle)
tx //Alice "$ORACLE" utilization_oracle create_feed --args \
  "FeedConfig { pool_token: $TOKEN, gpu_count: 8, genesis: $GENESIS, epoch_length: $EPOCH_MS, report_window: 60000, max_age: 600000, max_wh_per_gpu_hour: 1000, tolerance_bps: 500 }" \
  "[$EVE, $FERDIE]" 2
ESCROW=$(deploy rental_escrow --args \
  "EscrowConfig { feed: 0, pool_gpus: 8, genesis: $GENESIS, epoch_length: $EPOCH_MS, operator_fee_bps: 1000, grace_period: 60000, dispute_window: 60000 }" \
  "$COIN" "$TOKEN" "$ORACLE" "$ALICE" "$ALICE")
tx //Alice "$TOKEN" gpu_hour_token set_distributor --args "$ESCROW" true
tx //Alice "$ESCROW" rental_escrow set_offer --args \
  'Offer { price_per_gpu_hour: 2500000, min_epochs: 1, max_epochs: 24, available_gpus: 8, sla: [SlaTier { below_bps: 9900, credit_bps: 1000 }], cancellation_fee_bps: 0 }'
say "oracle $ORACLE"; say "escrow $ESCROW"
say "offer: 2.5 USDC per GPU-hour; 10% credit below 99% uptime; operator fee 10%"

step "Dave rents all 8 GPUs for two epochs and deposits their cost"
tx //Alice "$COIN" stablecoin mint --args "$DAVE" 1000000
START=$(( ($(now_ms) - GENESIS) / EPOCH_MS + 2 ))
tx //Dave "$COIN" stablecoin PSP22::approve --args "$ESCROW" 40000
tx //Dave "$ESCROW" rental_escrow open --args 8 "$START" 2
say "rental 0 covers epochs $START and $((START + 1)); $(read_value "$ESCROW" rental_escrow rental --args 0 | grep -o 'deposited: [0-9]*') USDC units"

step "The GPUs run; after each epoch Eve and Ferdie report delivery (the second falls short: 6 of 8 milli-GPU-hours at 97% uptime)"
END=$(( GENESIS + (START + 2) * EPOCH_MS ))
while [ "$(now_ms)" -le $((END + 500)) ]; do sleep 0.5; done
# --dev seals a block per transaction and dry runs see the last block's time: move the clock first.
tx //Alice "$COIN" stablecoin PSP22::approve --args "$BOB" 0
FULL='Report { gpu_milli_hours: 8, utilization_bps: 9200, uptime_bps: 9990, energy_wh: 5, avg_power_w: 690 }'
SHORT='Report { gpu_milli_hours: 6, utilization_bps: 8800, uptime_bps: 9700, energy_wh: 4, avg_power_w: 650 }'
for reporter in //Eve //Ferdie; do
  tx "$reporter" "$ORACLE" utilization_oracle submit --args 0 "$START" "$FULL"
  tx "$reporter" "$ORACLE" utilization_oracle submit --args 0 "$((START + 1))" "$SHORT"
done
say "finalized epoch $START: $(read_value "$ORACLE" utilization_oracle epoch --args 0 "$START")"

step "Anyone settles the two epochs: fee to the operator, rent to holders, shortfall and SLA credit to Dave"
tx //Charlie "$ESCROW" rental_escrow settle --args 0 "$START"
tx //Charlie "$ESCROW" rental_escrow settle --args 0 "$((START + 1))"
say "rental 0 ledger: $(read_value "$ESCROW" rental_escrow rental --args 0 | grep -o 'ledger: {[^}]*}')"
say "Bob can claim $(read_value "$TOKEN" gpu_hour_token claimable --args "$BOB"), Charlie $(read_value "$TOKEN" gpu_hour_token claimable --args "$CHARLIE") (USDC units)"

step "Investors claim the rent; Dave withdraws his refund; the operator withdraws fees"
tx //Bob "$TOKEN" gpu_hour_token claim
tx //Charlie "$TOKEN" gpu_hour_token claim
tx //Dave "$ESCROW" rental_escrow withdraw
tx //Alice "$ESCROW" rental_escrow withdraw_fees
say "USDC: Bob $(read_value "$COIN" stablecoin PSP22::balance_of --args "$BOB"), Charlie $(read_value "$COIN" stablecoin PSP22::balance_of --args "$CHARLIE"), Dave $(read_value "$COIN" stablecoin PSP22::balance_of --args "$DAVE")"

step "Auditor reads the books from chain state"
say "supply     $(read_value "$TOKEN" gpu_hour_token PSP22::total_supply)"
say "redeemed   $(read_value "$TOKEN" gpu_hour_token redeemed)"
say "capacity   $(read_value "$TOKEN" gpu_hour_token capacity)"
say "holders    $(read_value "$TOKEN" gpu_hour_token holder_count)"
say "yield      $(read_value "$TOKEN" gpu_hour_token reward_totals)"
say "USDC held by the token: $(read_value "$COIN" stablecoin PSP22::balance_of --args "$TOKEN") (unclaimed sub-unit fractions of holders)"
say "escrow     $(read_value "$ESCROW" rental_escrow totals)"
say "USDC held by the escrow: $(read_value "$COIN" stablecoin PSP22::balance_of --args "$ESCROW")"
say "oracle     latest $(read_value "$ORACLE" utilization_oracle latest_unchecked --args 0)"

step "Done; stopping the node"
