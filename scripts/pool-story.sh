# shellcheck shell=bash
# The steps of a pool's life that the demo (scripts/demo.sh) and the sample pool
# (scripts/sample-pool.sh) share: one definition, sourced by both after env.sh, run in a directory
# holding pool.toml (a copy of cli/pool.example.toml). The epoch length comes from that file.
#
# Dev accounts: Alice issues, operates and arbitrates; Bob and Charlie invest (Bob borrows from
# the credit vault, Charlie lends to it); Dave rents and never passed KYC; Eve and Ferdie report
# utilization (pool.toml's oracle.reporters).
BOB=5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty
CHARLIE=5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y
DAVE=5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy
REPORTERS=(//Eve //Ferdie)
FULL='Report { gpu_milli_hours: 8, utilization_bps: 9200, uptime_bps: 9990, energy_wh: 5, avg_power_w: 690 }'
SHORT='Report { gpu_milli_hours: 6, utilization_bps: 8800, uptime_bps: 9700, energy_wh: 4, avg_power_w: 650 }'

export COMPUTE_RWA_URL="$NODE_URL"
# The CLI as is, and quiet (its result not printed).
rwa() { "$CARGO_TARGET_DIR/debug/compute-rwa" "$@"; }
quiet() { rwa "$@" >/dev/null; }
read_value() { rwa read "$@"; }
# A value of pool.toml, by dotted key (e.g. oracle.epoch_length_ms).
pool_value() { python3 -c "import sys, tomllib; v = tomllib.load(open('pool.toml', 'rb'))
for k in sys.argv[1].split('.'): v = v[k]
print(v)" "$1"; }
# A field of deployment.json, by Python subscript.
recorded() { python3 -c "import json; print(json.load(open('deployment.json'))$1)"; }
EPOCH_MS=$(pool_value oracle.epoch_length_ms)

# Waits until a time (ms), then moves the dev chain's clock: --dev seals a block per transaction
# and dry runs see the last block's time.
wait_until() { while [ "$(date +%s%3N)" -le "$1" ]; do sleep 0.5; done; quiet call coin PSP22::approve "$BOB" 0; }

# Bob and Charlie pass KYC (registered from a CSV file, as an issuer would).
story_register() {
  printf 'account,country,kyc_expiry_ms,class\n%s,276,4102444800000,accredited\n%s,250,4102444800000,retail\n' "$BOB" "$CHARLIE" > investors.csv
  quiet register --csv investors.csv
}

# 2,000 GPU-hours to Bob and 1,000 to Charlie; prints the second mint's table.
story_mint() {
  quiet mint --to "$BOB" --gpu-hours 2000
  rwa mint --to "$CHARLIE" --gpu-hours 1000
}

# Dave books all 8 GPUs for three epochs from two epochs ahead at the escrow's quote (the demand
# curve prices each GPU at the GPUs booked before it), approving exactly the deposit; sets START,
# the first epoch. Prints the quote and the booking.
story_rent() {
  quiet call coin mint "$DAVE" 100000
  START=$(( $(read_value oracle current_epoch 0) + 2 ))
  rwa --suri //Dave rent book 8 "$START" 3
}

# After the rental's last epoch, each reporter reports the three epochs (the last one short:
# 6 of 8 milli-GPU-hours at 97% uptime).
story_report() {
  wait_until $(( $(recorded '["deployed_at_ms"]') + (START + 3) * EPOCH_MS + 500 ))
  for reporter in "${REPORTERS[@]}"; do
    for epoch in "$START" "$((START + 1))"; do quiet --suri "$reporter" call oracle submit 0 "$epoch" "$FULL"; done
    quiet --suri "$reporter" call oracle submit 0 "$((START + 2))" "$SHORT"
  done
}

# Anyone (Charlie here) settles the three epochs.
story_settle() {
  for epoch in "$START" "$((START + 1))" "$((START + 2))"; do quiet --suri //Charlie call escrow settle 0 "$epoch"; done
}

# The credit vault (pool.toml's [vault]): its address, and a pool valued from fresh rent.
vault_address() { recorded '["contracts"]["credit_vault"]["address"]'; }
# The issuer pays rent collected off chain to holders (it is a distributor): the vault values
# tokens no higher than the rent distributed over its trailing epochs, so a priced pool needs
# recent distributions.
story_distribute() {
  local amount="$1" token
  token=$(recorded '["contracts"]["gpu_hour_token"]["address"]')
  quiet call admin set_distributor "$(recorded '["deployer"]')" true   # distributors: the escrow, and the issuer
  quiet call coin mint "$(recorded '["deployer"]')" "$amount"
  quiet call coin PSP22::approve "$token" "$amount"
  quiet call token YieldDistributor::distribute "$amount"
}

# Charlie lends 500 USDC to the vault.
story_lend() {
  quiet call coin mint "$CHARLIE" 500000000
  quiet --suri //Charlie call coin PSP22::approve "$(vault_address)" 500000000
  quiet --suri //Charlie call vault deposit 500000000
}

# The vault values the pool from rent measured between its checkpoints, and loans count the
# trailing epochs' checkpointed values: checkpoint, rent arrives ($1 units), an epoch later
# checkpoint again, and an epoch after that the pool is priced (a keeper's first two epochs).
story_checkpoints() {
  story_keeper 2 "$1"
}

# Bob locks 1,000 GPU-hours and borrows $1 units of USDC against them.
story_borrow() {
  quiet --suri //Bob call token PSP22::approve "$(vault_address)" 1000000000
  quiet --suri //Bob call vault lock 1000000000
  quiet --suri //Bob call vault borrow "$1"
}

# A keeper refreshes the vault's checkpoint once an epoch for $1 epochs, with $2 units of rent
# every fourth: liquidation counts the highest value of the trailing epochs' checkpoints, so a fall
# counts only once it has lasted all of them (and rent must keep arriving to be measured).
story_keeper() {
  local i
  for ((i = 0; i < $1; i++)); do
    quiet call vault refresh
    if (( i % 4 == 0 )); then story_distribute "$2"; fi
    wait_until $(( $(date +%s%3N) + EPOCH_MS + 200 ))
  done
}

# The market: Bob offers 100 GPU-hours at 2.4 USDC each; Charlie (given 200 USDC) buys 40 of them,
# tokens and payment in one call (order 1 of a new pool).
story_trade() {
  quiet --suri //Bob market post sell --price 2.4 --gpu-hours 100
  quiet call coin mint "$CHARLIE" 200000000
  quiet --suri //Charlie market fill 1 --gpu-hours 40
}
