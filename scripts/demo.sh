#!/usr/bin/env bash
# The README's demo: a local node, one pool deployed and run through its whole life with the
# `compute-rwa` CLI, one narrated line per step, ending with the auditor's report (all PASS).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

step() { printf '\n\033[1m▶ %s\033[0m\n' "$*"; }
say()  { printf '  %s\n' "$*"; }

command -v cargo-contract >/dev/null 2>&1 && [ -x "$CONTRACTS_NODE" ] || bash scripts/setup.sh
step "Build the contracts (release) and the compute-rwa CLI"
bash scripts/build.sh
with_progress "build the CLI" "~22 min cold, seconds warm" "$ROOT/target/build-cli.log" cargo build -p compute-rwa-cli \
  || { tail -40 "$ROOT/target/build-cli.log" >&2; exit 1; }
trap 'bash scripts/node.sh stop >/dev/null 2>&1 || true' EXIT
step "Start a local substrate-contracts-node"
bash scripts/node.sh start

WORK="$ROOT/target/demo"
rm -rf "$WORK" && mkdir -p "$WORK"
cp cli/pool.example.toml "$WORK/pool.toml"
cd "$WORK"
source "$ROOT/scripts/pool-story.sh"
# Runs the CLI, printing its result; `as //Name` picks the signer (the issuer, Alice, otherwise).
cli() { rwa "$@"; }
as() { local suri="$1"; shift; quiet --suri "$suri" "$@"; }
gpuh() { python3 -c "import sys; print(f'{int(sys.argv[1]) / 1e6:,.6f}'.rstrip('0').rstrip('.'))" "$1"; }

step "Issuer deploys a pool of 8 × NVIDIA H100 for 30 days (config: pool.toml)"
cli deploy-pool --config pool.toml
say "attested capacity $(gpuh "$(read_value token state | field capacity)") GPU-hours; offer 2.5 USDC per GPU-hour, 10% credit below 99% uptime, 10% operator fee"
say "the escrow took its epoch schedule from the oracle's feed: $(read_value escrow schedule)"
YIELD_MS=$(read_value token state | field yield_period)
say "rent paid to holders streams to them over the token's yield period: $YIELD_MS ms here (a day by default)"

step "Issuer registers two KYC'd investors from a CSV file"
story_register
say "registered identities: $(read_value registry identity_count)"

step "Issuer mints 2,000 GPU-hours to Bob and 1,000 to Charlie"
story_mint
say "Bob $(gpuh "$(read_value token PSP22::balance_of "$BOB")"), Charlie $(gpuh "$(read_value token PSP22::balance_of "$CHARLIE")") GPU-hours"

step "Bob tries to send tokens to Dave, who has no KYC: compliance refuses"
if cli --suri //Bob call token PSP22::transfer "$DAVE" 1000000 '[]' 2>"$WORK/refused.txt"; then
  echo "unexpected: the transfer went through" >&2; exit 1
fi
say "$(tail -1 "$WORK/refused.txt")"

step "Dave rents all 8 GPUs for three epochs and deposits their cost"
story_rent
say "rental 0 covers epochs $START–$((START + 2)): deposited $(read_value escrow rental 0 | grep -o 'deposited: [0-9]*' | cut -d' ' -f2) units (0.02 USDC per epoch)"

step "The GPUs run; after the rental Eve and Ferdie report each epoch (the last one short: 6 of 8 milli-GPU-hours at 97% uptime)"
story_report
say "finalized epoch $((START + 2)): $(read_value oracle epoch 0 "$((START + 2))")"
say "each epoch finalized at its last eligible report; had a reporter stayed silent, anyone could call the oracle's finalize on a majority once the report window closed (settle does so itself)"

step "Anyone settles the epochs: fee to the operator, rent to holders, shortfall and SLA credit back to Dave"
story_settle
say "rental 0 ledger: $(read_value escrow rental 0 | grep -o 'ledger: Ledger {[^}]*}')"
say "claimable right after settlement: Bob $(read_value token holding "$BOB" | field claimable), Charlie $(read_value token holding "$CHARLIE" | field claimable) USDC units; still streaming: $(read_value token state | field streaming)"

step "The rent streams to holders: wait out the yield period (${YIELD_MS} ms) before they claim"
wait_until $(( $(date +%s%3N) + YIELD_MS + 500 ))
say "claimable now: Bob $(read_value token holding "$BOB" | field claimable), Charlie $(read_value token holding "$CHARLIE" | field claimable) USDC units; still streaming: $(read_value token state | field streaming)"

step "Investors claim their yield; Dave withdraws his refund; the operator withdraws fees"
as //Bob call token claim
as //Charlie call token claim
as //Dave call escrow withdraw
as //Alice call escrow withdraw_fees
say "USDC units: Bob $(read_value coin PSP22::balance_of "$BOB"), Charlie $(read_value coin PSP22::balance_of "$CHARLIE"), Dave $(read_value coin PSP22::balance_of "$DAVE") (of 100000)"

step "Charlie redeems 10 GPU-hours of compute; the issuer fulfils the redemption"
as //Charlie call admin redeem 10000000
as //Alice call admin fulfill_redemption 0
say "supply $(gpuh "$(read_value token PSP22::total_supply)") GPU-hours, redeemed $(gpuh "$(read_value token state | field redeemed)")"

step "Auditor reconciles the pool from chain state"
cli audit

step "Done; stopping the node"
say "Next: scripts/web.sh serves the investor and auditor web page on a sample pool (claim yield in the browser)."
